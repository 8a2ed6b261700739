"""Bulk-load addresses (a global reference table) from a CSV file: Belgian CRAB or Dutch BAG layout."""

from django.core.management.base import BaseCommand, CommandError

from wijken.importers import ImportFailed, import_adressen


class Command(BaseCommand):
    help = (
        "Import addresses from CSV. Belgian layout: street, housenumber, postcode, municipality, lon, lat "
        "[, box]. Dutch layout: postcode, huisnummer [, huisletter, toevoeging], straat|openbareruimte, "
        "woonplaats and lon, lat or x, y (RD New). Idempotent: known addresses are updated in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (comma or semicolon separated, UTF-8)")
        parser.add_argument("--source", default="", help="where the data comes from, stored with every address")
        parser.add_argument("--country", choices=["BE", "NL"], help="override the country the layout implies")

    def handle(self, *args, **options):
        try:
            report = import_adressen(path=options["file"], source=options["source"], country=options["country"])
        except ImportFailed as exc:
            raise CommandError(exc.text) from None
        self.stdout.write(report.summary())
