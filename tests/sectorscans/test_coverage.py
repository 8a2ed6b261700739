"""Coverage: due, overdue and never-scanned contacts with the zone's interval, per wijkinspecteur and per wijk,
in a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from sectorscans import selectors, services
from tests import factories as f
from tests.conftest import login
from wijken.selectors import wijken_served_by

from .conftest import days_ago, take


def rows_by_contact(world, **kwargs):
    with scope(zone=world.zone.pk):
        return {r.contact_id: r for r in selectors.coverage_rows(zone=world.zone, **kwargs)}


def test_never_scanned_is_due_now_and_overdue_follows_the_interval(world):
    take(world, world.contact1, date=days_ago(370), scores={"verkeer": 5})  # 12-month interval: overdue
    with scope(zone=world.zone.pk):
        inactive = f.ContactPersonFactory(zone=world.zone, partner=world.contact1.partner, is_active=False)
    rows = rows_by_contact(world)
    assert rows[world.contact1.pk].state == "overdue"
    assert rows[world.contact1.pk].last_scan == days_ago(370)
    assert rows[world.contact2.pk].state == "never" and rows[world.contact2.pk].due_on is None
    assert inactive.pk not in rows  # only active contacts must be scanned


def test_due_within_the_horizon_and_not_yet(world):
    take(world, world.contact1, date=days_ago(350), scores={"verkeer": 5})  # due in ~15 days
    take(world, world.contact2, date=days_ago(100), scores={"verkeer": 5}, inspecteur=world.other_wi)
    rows = rows_by_contact(world)
    assert rows[world.contact1.pk].state == "due"
    assert world.contact2.pk not in rows  # due in ~265 days: beyond the 30-day horizon


def test_interval_setting_per_zone(world):
    take(world, world.contact1, date=days_ago(200), scores={"verkeer": 5})
    assert world.contact1.pk not in rows_by_contact(world)
    with scope(zone=world.zone.pk):
        services.settings_update(zone=world.zone, interval_months=6, digest_days=30)
    row = rows_by_contact(world)[world.contact1.pk]
    assert row.state == "overdue"
    assert row.due_on == _add_months(days_ago(200), 6)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


def test_per_wijk_counts_and_my_wijken(world, personas):
    take(world, world.contact1, date=days_ago(400), scores={"verkeer": 5})
    with scope(zone=world.zone.pk):
        summary = {s.wijk_id: s for s in selectors.coverage_by_wijk(zone=world.zone)}
        mine = wijken_served_by(personas.alice.user)
    assert mine == {world.wijk1.pk}
    assert (summary[world.wijk1.pk].overdue, summary[world.wijk1.pk].never) == (1, 0)
    assert (summary[world.wijk2.pk].overdue, summary[world.wijk2.pk].never) == (0, 1)
    # alice's page shows her own wijk by default, not wijk 2's contact.
    response = login(personas.alice).get("/sectorscans/coverage/")
    assert response.status_code == 200
    assert response.context["show"] == "mine"
    assert "Carla Contact" in response.content.decode() and "Dirk Contact" not in response.content.decode()
    response = login(personas.bob).get(f"/sectorscans/coverage/?wijk={world.wijk2.pk}")
    assert "Dirk Contact" in response.content.decode() and "Carla Contact" not in response.content.decode()


def _grow(world, scans: int):
    """`scans` scans spread over new partners and contacts in both wijken."""
    with scopes_disabled():
        for i in range(scans):
            wijk = world.wijk1 if i % 2 else world.wijk2
            contact = f.ContactPersonFactory(zone=world.zone, partner__wijk=wijk)
            f.ThemeResultFactory(
                zone=world.zone,
                scan=f.ScanFactory(
                    zone=world.zone,
                    contact=contact,
                    questionnaire=world.questionnaire,
                    wijkinspecteur=world.alice_wi,
                    date=days_ago(30 + 10 * i),
                ),
                theme_key="verkeer",
            )


@pytest.mark.parametrize("scans", [5, 50])
def test_coverage_page_runs_a_constant_number_of_queries(world, personas, django_assert_max_num_queries, scans):
    _grow(world, scans)
    client = login(personas.bob)
    client.get("/sectorscans/coverage/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = client.get("/sectorscans/coverage/")
    assert response.status_code == 200
    assert response.context["totals"]["contacts"] == scans + 2
