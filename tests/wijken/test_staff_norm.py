"""The norm check: inhabitants per wijkinspecteur against 1 per 4,000, per wijk, politiewijk and zone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tests import factories as f
from tests.conftest import login
from wijken import selectors
from wijken.models import Assignment, Wijk

Role = Assignment.AssignmentRole
LONG_AGO = datetime.date(2020, 1, 1)


def officers(zone, wijk, n, role=Role.WIJKINSPECTEUR, **kwargs):
    with scopes_disabled():
        return [
            f.AssignmentFactory(zone=zone, wijk=wijk, role=role, starts_on=LONG_AGO, **kwargs).wijkinspecteur
            for _ in range(n)
        ]


@pytest.fixture
def wijk_8400(personas):
    with scopes_disabled():
        return f.WijkFactory(zone=personas.zone_a, code="A1", name="Centrum", inhabitants=8400)


def test_8400_inhabitants_with_two_officers_is_within_the_norm(personas, in_zone_a, wijk_8400):
    officers(personas.zone_a, wijk_8400, 1)
    officers(personas.zone_a, wijk_8400, 1, role=Role.WIJKTEAM)
    norm = selectors.norm_check().rows[0].norm
    assert norm.fte_needed == Decimal("2.1")
    assert norm.fte_assigned == Decimal("2.0")
    assert norm.status == selectors.NormStatus.OK


def test_8400_inhabitants_with_one_officer_is_short_1_1_fte(personas, in_zone_a, wijk_8400):
    officers(personas.zone_a, wijk_8400, 1)
    norm = selectors.norm_check().rows[0].norm
    assert norm.shortfall == Decimal("1.1")
    assert norm.status == selectors.NormStatus.SHORTFALL
    assert norm.inhabitants_per_fte == 8400


def test_stand_in_does_not_count_twice_and_ended_assignments_not_at_all(personas, in_zone_a, wijk_8400):
    officers(personas.zone_a, wijk_8400, 1)
    today = timezone.localdate()
    with scopes_disabled():
        f.AssignmentFactory(
            zone=personas.zone_a,
            wijk=wijk_8400,
            role=Role.STANDIN,
            starts_on=today,
            ends_on=today + datetime.timedelta(7),
        )
        f.AssignmentFactory(
            zone=personas.zone_a,
            wijk=wijk_8400,
            role=Role.WIJKTEAM,
            starts_on=LONG_AGO,
            ends_on=today - datetime.timedelta(1),
        )
    row = selectors.norm_check().rows[0]
    assert row.norm.fte_assigned == Decimal("1.0")
    assert len(row.standins) == 1


def test_officer_serving_two_wijken_is_split_and_counted_once_in_the_zone(personas, in_zone_a):
    with scopes_disabled():
        a = f.WijkFactory(zone=personas.zone_a, code="A", inhabitants=2000)
        b = f.WijkFactory(zone=personas.zone_a, code="B", inhabitants=2000)
        officer = f.WijkinspecteurFactory(zone=personas.zone_a)
        for wijk in (a, b):
            f.AssignmentFactory(zone=personas.zone_a, wijk=wijk, wijkinspecteur=officer, starts_on=LONG_AGO)
    overview = selectors.norm_check()
    assert [r.norm.fte_assigned for r in overview.rows] == [Decimal("0.5"), Decimal("0.5")]
    assert overview.norm.fte_assigned == Decimal("1.0")
    assert overview.norm.fte_needed == Decimal("1.0")
    assert overview.total_officers == 1


def test_politiewijk_totals_sum_its_wijken_and_the_zone_sums_the_politiewijken(personas, in_zone_a):
    with scopes_disabled():
        pw = f.WijkFactory(zone=personas.zone_a, code="P1", kind=Wijk.Kind.POLITIEWIJK, inhabitants=None)
        w1 = f.WijkFactory(zone=personas.zone_a, code="P1-1", parent=pw, inhabitants=6000)
        f.WijkFactory(zone=personas.zone_a, code="P1-2", parent=pw, inhabitants=6000)
        loose = f.WijkFactory(zone=personas.zone_a, code="Z9", inhabitants=4000)
    officers(personas.zone_a, w1, 1)
    officers(personas.zone_a, pw, 1, role=Role.WIJKTEAM)  # a team member for the whole politiewijk
    officers(personas.zone_a, loose, 1)
    overview = selectors.norm_check()
    group = next(g for g in overview.groups if g.politiewijk)
    assert group.norm.inhabitants == 12000
    assert group.norm.fte_needed == Decimal("3.0")
    assert group.norm.fte_assigned == Decimal("2.0")
    assert group.norm.status == selectors.NormStatus.SHORTFALL
    assert overview.norm.inhabitants == 16000
    assert overview.norm.fte_assigned == Decimal("3.0")
    assert {r.wijk.code for r in overview.shortfalls} == {"P1-1", "P1-2"}


def test_wijk_without_inhabitants_is_unknown_not_a_shortfall(personas, in_zone_a):
    with scopes_disabled():
        f.WijkFactory(zone=personas.zone_a, inhabitants=None)
    assert selectors.norm_check().rows[0].norm.status == selectors.NormStatus.UNKNOWN


def test_norm_check_runs_in_constant_queries(personas, in_zone_a, django_assert_max_num_queries):
    def build(n):
        with scopes_disabled():
            for _ in range(n):
                officers(personas.zone_a, f.WijkFactory(zone=personas.zone_a), 2)

    build(2)
    with django_assert_max_num_queries(2):
        selectors.norm_check().norm.status  # noqa: B018
    build(30)
    with django_assert_max_num_queries(2):
        assert len(selectors.norm_check().rows) == 32


def test_norm_page_for_bestuur_shows_aggregates_without_officer_names(
    personas, wijk_8400, django_assert_max_num_queries
):
    (officer,) = officers(personas.zone_a, wijk_8400, 1)
    client = login(personas.charlie)
    with django_assert_max_num_queries(12):
        response = client.get("/wijken/norm/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Centrum" in body
    assert response.context["overview"].rows[0].norm.shortfall == Decimal("1.1")
    assert officer.display_name not in body


def test_norm_api_for_bestuur_has_figures_and_no_names(personas, wijk_8400):
    (officer,) = officers(personas.zone_a, wijk_8400, 1)
    response = login(personas.charlie).get("/api/v1/norm/")
    assert response.status_code == 200
    data = response.json()
    assert data["zone"]["fte_needed"] == 2.1
    assert data["zone"]["shortfall"] == 1.1
    assert data["groups"][0]["wijken"][0]["status"] == "shortfall"
    assert officer.display_name not in response.content.decode()


def test_norm_api_refuses_partner_users(personas):
    with scopes_disabled():
        partner = f.MembershipFactory(zone=personas.zone_a, role="partner")
    assert login(partner).get("/api/v1/norm/").status_code == 403
