"""After a redraw of the wijken (wijken.signals.boundaries_redrawn), partners whose wijk follows from their point
get the new wijk; a wijk chosen by hand stays."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from partners.models import Partner
from partners.services import partners_follow_redraw
from tests import factories as f
from tests.wijken.test_imports import box, write_geojson
from wijken.importers import import_wijken
from wijken.models import Wijk

pytestmark = pytest.mark.django_db

V1 = [
    ({"code": "W1", "naam": "Een"}, box(3.05, 51.05, 3.06, 51.06)),
    ({"code": "W2", "naam": "Twee"}, box(3.06, 51.05, 3.07, 51.06)),
    ({"code": "W3", "naam": "Drie"}, box(3.07, 51.05, 3.08, 51.06)),
]
V2 = [
    ({"code": "W1", "naam": "Een"}, box(3.05, 51.05, 3.065, 51.06)),
    ({"code": "W2", "naam": "Twee en Drie"}, box(3.065, 51.05, 3.08, 51.06)),
]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def wijk_of(partner: Partner) -> tuple[str, datetime.date]:
    with scope(zone=partner.zone_id):
        partner = Partner.objects.select_related("wijk").get(pk=partner.pk)
        return partner.wijk.code, partner.wijk.valid_from


@pytest.mark.parametrize("offset", [-10, 30], ids=["redraw-in-the-past", "redraw-in-the-future"])
def test_partners_follow_the_redraw(offset, tmp_path, django_capture_on_commit_callbacks):
    d = days(offset)
    with scopes_disabled():
        zone = f.ZoneFactory()
        bystander = f.ZoneFactory(slug="bystander")  # another zone's partner is not touched
    v1 = write_geojson(tmp_path / "v1.geojson", V1)
    for z in (zone, bystander):
        import_wijken(zone=z, path=v1, name_field="naam", code_field="code", valid_from=days(-400))
    with scopes_disabled():
        old = {w.code: w for w in Wijk.objects.filter(zone=zone)}
        follows = f.PartnerFactory(zone=zone, wijk=old["W2"], point=Point(3.062, 51.055, srid=4326), name="Markt")
        absorbed = f.PartnerFactory(zone=zone, wijk=old["W3"], point=Point(3.075, 51.055, srid=4326), name="Drie")
        chosen = f.PartnerFactory(
            zone=zone, wijk=old["W2"], wijk_overridden=True, point=Point(3.062, 51.055, srid=4326), name="Gekozen"
        )
        other_zone_wijk = Wijk.objects.get(zone=bystander, code="W3")
        elsewhere = f.PartnerFactory(
            zone=bystander, wijk=other_zone_wijk, point=Point(3.075, 51.055, srid=4326), name="Elders"
        )

    v2 = write_geojson(tmp_path / "v2.geojson", V2)
    with django_capture_on_commit_callbacks(execute=True):
        import_wijken(zone=zone, path=v2, name_field="naam", code_field="code", valid_from=d)

    assert wijk_of(follows) == ("W1", d)  # its point lies in the grown W1
    assert wijk_of(absorbed) == ("W2", d)  # W3 is gone, W2 covers its point
    assert wijk_of(chosen) == ("W2", days(-400))  # chosen by hand: kept
    assert wijk_of(elsewhere) == ("W3", days(-400))

    # The same import again, or the service again, changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        import_wijken(zone=zone, path=v2, name_field="naam", code_field="code", valid_from=d)
    with scope(zone=zone.pk):
        assert partners_follow_redraw(zone=zone, on=d) == 0
    assert wijk_of(follows) == ("W1", d)
