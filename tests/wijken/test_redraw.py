"""A redraw of the wijken (a boundary import with a later valid_from) carries the officers and contactpunten of
the closed versions over to the new ones, reports what it cannot decide, and is idempotent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.wijken.test_imports import box, write_geojson
from wijken.importers import import_wijken
from wijken.lookup import neighbourhood_at
from wijken.models import Assignment, Contactpunt, Wijk, Wijkinspecteur, Zone

pytestmark = pytest.mark.django_db

ROLE = Assignment.AssignmentRole
# Version 1: W1 | W2 | W3 side by side. The redraw: W1 grows east, W2 takes over W3, and W3 is gone.
V1 = [
    ({"code": "W1", "naam": "Een"}, box(3.05, 51.05, 3.06, 51.06)),
    ({"code": "W2", "naam": "Twee"}, box(3.06, 51.05, 3.07, 51.06)),
    ({"code": "W3", "naam": "Drie"}, box(3.07, 51.05, 3.08, 51.06)),
]
V2 = [
    ({"code": "W1", "naam": "Een"}, box(3.05, 51.05, 3.065, 51.06)),
    ({"code": "W2", "naam": "Twee en Drie"}, box(3.065, 51.05, 3.08, 51.06)),
]
IN_OLD_W2_NEW_W1 = Point(3.062, 51.055, srid=4326)
IN_OLD_W3_NEW_W2 = Point(3.075, 51.055, srid=4326)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@dataclass
class Scene:
    zone: Zone
    old: dict[str, Wijk]
    anna: Wijkinspecteur  # main officer of W1
    bert: Wijkinspecteur  # main officer of W2, and planned in W1's team after the redraw
    carl: Wijkinspecteur  # main officer of W3, whose code disappears
    cp_moved: Contactpunt  # in old W2, its point lies in new W1
    cp_by_code: Contactpunt  # in old W1, without a point
    cp_gone: Contactpunt  # in old W3, without a point


def import_set(zone: Zone, path, valid_from: datetime.date):
    return import_wijken(zone=zone, path=path, name_field="naam", code_field="code", valid_from=valid_from)


@pytest.fixture
def scene(tmp_path) -> Scene:
    with scopes_disabled():
        zone = f.ZoneFactory(name="PZ Herindeling", slug="pz-herindeling")
    import_set(zone, write_geojson(tmp_path / "v1.geojson", V1), days(-400))
    # Fixture rows of one zone, built before any scope is active.
    with scopes_disabled():
        old = {w.code: w for w in Wijk.objects.filter(zone=zone)}
        anna = f.WijkinspecteurFactory(zone=zone, display_name="Anna Peeters")
        bert = f.WijkinspecteurFactory(zone=zone, display_name="Bert Claes")
        carl = f.WijkinspecteurFactory(zone=zone, display_name="Carl Maes")
        f.AssignmentFactory(zone=zone, wijk=old["W1"], wijkinspecteur=anna, starts_on=days(-300), note="vast")
        f.AssignmentFactory(zone=zone, wijk=old["W2"], wijkinspecteur=bert, starts_on=days(-300), ends_on=days(200))
        f.AssignmentFactory(zone=zone, wijk=old["W1"], wijkinspecteur=bert, role=ROLE.WIJKTEAM, starts_on=days(20))
        f.AssignmentFactory(zone=zone, wijk=old["W3"], wijkinspecteur=carl, starts_on=days(-300))
        # History that ended before the redraw stays on the old row.
        f.AssignmentFactory(zone=zone, wijk=old["W2"], wijkinspecteur=carl, starts_on=days(-390), ends_on=days(-301))
        cp_moved = f.ContactpuntFactory(zone=zone, wijk=old["W2"], name="Antenne Markt", point=IN_OLD_W2_NEW_W1)
        cp_by_code = f.ContactpuntFactory(zone=zone, wijk=old["W1"], name="Wijkkantoor Een", point=None)
        cp_gone = f.ContactpuntFactory(zone=zone, wijk=old["W3"], name="Antenne Drie", point=None)
    return Scene(zone, old, anna, bert, carl, cp_moved, cp_by_code, cp_gone)


def assignments(zone: Zone) -> list[tuple]:
    with scope(zone=zone.pk):
        return sorted(
            (a.wijkinspecteur.display_name, a.wijk.code, a.wijk.valid_from, a.role, a.starts_on, a.ends_on, a.note)
            for a in Assignment.objects.select_related("wijk", "wijkinspecteur")
        )


def test_redraw_carries_officers_and_contactpunten_over(scene, tmp_path, django_capture_on_commit_callbacks):
    zone, d = scene.zone, days(-10)
    v2 = write_geojson(tmp_path / "v2.geojson", V2)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_set(zone, v2, d)
    assert (report.created, report.closed) == (2, 3)
    v1_start = days(-400)
    assert assignments(zone) == sorted(
        [
            # Started before D: ends the day before on the old row, continues from D on the new row.
            ("Anna Peeters", "W1", v1_start, ROLE.WIJKINSPECTEUR, days(-300), d - datetime.timedelta(days=1), "vast"),
            ("Anna Peeters", "W1", d, ROLE.WIJKINSPECTEUR, d, None, "vast"),
            ("Bert Claes", "W2", v1_start, ROLE.WIJKINSPECTEUR, days(-300), d - datetime.timedelta(days=1), ""),
            ("Bert Claes", "W2", d, ROLE.WIJKINSPECTEUR, d, days(200), ""),
            # Starts after D: moved as it is.
            ("Bert Claes", "W1", d, ROLE.WIJKTEAM, days(20), None, ""),
            # W3 is gone: untouched, reported.
            ("Carl Maes", "W3", v1_start, ROLE.WIJKINSPECTEUR, days(-300), None, ""),
            ("Carl Maes", "W2", v1_start, ROLE.WIJKINSPECTEUR, days(-390), days(-301), ""),
        ]
    )
    with scope(zone=zone.pk):
        new = {w.code: w for w in Wijk.objects.current(d)}
        assert {c.name: c.wijk_id for c in Contactpunt.objects.all()} == {
            "Antenne Markt": new["W1"].pk,  # re-derived from its point, not by its old code
            "Wijkkantoor Een": new["W1"].pk,  # no point: the same code
            "Antenne Drie": scene.old["W3"].pk,  # no point, code gone: left and reported
        }
    text = report.summary()
    assert "Carried 3 assignments over to the new boundary versions" in text
    assert "Anna Peeters (neighbourhood officer, W1)" in text
    assert "1 assignment belongs to a wijk that no longer exists" in text and "Carl Maes" in text
    assert "Moved 2 contact points" in text and "Antenne Markt (W2 → W1)" in text
    assert "1 contact point still points at a closed wijk" in text and "Antenne Drie (W3)" in text

    # A citizen in the part of W3 that W2 took over finds W2's officer.
    answer = neighbourhood_at(IN_OLD_W3_NEW_W2)
    assert answer["wijk"]["id"] == new["W2"].pk
    assert [o["name"] for o in answer["officers"]] == ["Bert Claes"]
    answer = neighbourhood_at(IN_OLD_W2_NEW_W1)
    assert answer["wijk"]["code"] == "W1" and [o["name"] for o in answer["officers"]] == ["Anna Peeters"]

    # The same import again changes nothing, and still says what needs a decision.
    before = assignments(zone)
    with django_capture_on_commit_callbacks(execute=True):
        again = import_set(zone, v2, d)
    assert (again.created, again.closed) == (0, 0)
    assert assignments(zone) == before
    assert "Carried" not in again.summary() and "Moved" not in again.summary()
    assert "Carl Maes" in again.summary() and "Antenne Drie" in again.summary()


def test_future_redraw_keeps_todays_officer_until_the_day(scene, tmp_path, django_capture_on_commit_callbacks):
    zone, d = scene.zone, days(30)
    with django_capture_on_commit_callbacks(execute=True):
        import_set(zone, write_geojson(tmp_path / "v2.geojson", V2), d)
    # Today the old boundaries and officers still answer; from D the new rows have them.
    assert [o["name"] for o in neighbourhood_at(IN_OLD_W3_NEW_W2)["officers"]] == ["Carl Maes"]
    with scope(zone=zone.pk):
        new_w2 = Wijk.objects.current(d).get(code="W2")
        assert [a.wijkinspecteur.display_name for a in Assignment.objects.active(d).filter(wijk=new_w2)] == [
            "Bert Claes"
        ]
        assert Assignment.objects.active(d).filter(wijk=scene.old["W2"]).count() == 0


def test_carry_over_does_not_double_an_officer_already_on_the_new_row(scene, tmp_path):
    zone, d = scene.zone, days(-10)
    # Someone created the new version by hand and assigned Anna already; then the file is imported.
    with scopes_disabled():
        new_w1 = f.WijkFactory(zone=zone, code="W1", name="Een", valid_from=d, boundary=f.square(3.05, 51.05))
        f.AssignmentFactory(zone=zone, wijk=new_w1, wijkinspecteur=scene.anna, starts_on=d)
    report = import_set(zone, write_geojson(tmp_path / "v2.geojson", V2), d)
    with scope(zone=zone.pk):
        assert Assignment.objects.filter(wijk=new_w1, wijkinspecteur=scene.anna).count() == 1
        # Not carried: the old row keeps it open, and the report asks for a decision.
        assert Assignment.objects.get(wijk=scene.old["W1"], wijkinspecteur=scene.anna).ends_on is None
    assert "was not carried over" in report.summary() and "Anna Peeters" in report.summary()
