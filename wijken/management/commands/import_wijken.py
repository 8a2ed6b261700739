"""Import wijk boundaries for one zone from a GeoJSON, Shapefile (or zipped Shapefile) or GeoPackage."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from wijken.importers import ImportFailed, import_wijken
from wijken.models import Zone


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--valid-from must be a date as YYYY-MM-DD, not '{value}'.") from None


class Command(BaseCommand):
    help = (
        "Import wijk boundaries into a zone (idempotent on code + valid_from). Reprojects to WGS84, repairs "
        "invalid geometry and reports overlaps and gaps."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON, Shapefile, .zip with a Shapefile, or GeoPackage")
        parser.add_argument("--zone", required=True, help="slug of the zone")
        parser.add_argument("--name-field", default="naam", help="attribute with the wijk's name (default: naam)")
        parser.add_argument("--code-field", default="code", help="attribute with the wijk's code (default: code)")
        parser.add_argument("--parent-field", help="attribute with the code of the police district (politiewijk)")
        parser.add_argument("--inhabitants-field", help="attribute with the number of inhabitants")
        parser.add_argument(
            "--valid-from",
            type=_date,
            help="YYYY-MM-DD: import as a new boundary version; earlier current versions are closed on this day",
        )
        parser.add_argument("--layer", help="layer number (from 0) or name; default the first layer")

    def handle(self, *args, **options):
        try:
            zone = Zone.objects.get(slug=options["zone"])
        except Zone.DoesNotExist:
            slugs = ", ".join(Zone.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No zone with slug '{options['zone']}' (zones: {slugs}).") from None
        try:
            report = import_wijken(
                zone=zone,
                path=options["file"],
                name_field=options["name_field"],
                code_field=options["code_field"],
                parent_field=options["parent_field"],
                inhabitants_field=options["inhabitants_field"],
                valid_from=options["valid_from"],
                layer=options["layer"],
            )
        except ImportFailed as exc:
            raise CommandError(exc.text) from None
        self.stdout.write(report.summary())
