"""The network selector: last visit, next visit due, due states, grouping, and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.selectors import partner_list, partners_for_visit_log, wijk_network
from partners.services import network_settings_set
from tests import factories as f

from .conftest import IN_ONE


@pytest.fixture
def zone(personas, in_zone_a):
    return personas.zone_a


def test_network_dates_and_states(zone, net):
    today = timezone.localdate()
    f.VisitFactory(zone=zone, partner=net.own, date=today - relativedelta(months=13))
    f.VisitFactory(zone=zone, partner=net.own, date=today - relativedelta(months=14))  # older: not the last
    recent = f.PartnerFactory(zone=zone, wijk=net.wijk_one, point=IN_ONE, partner_type=net.school, name="Recent")
    f.VisitFactory(zone=zone, partner=recent, date=today - datetime.timedelta(days=10))
    soon = f.PartnerFactory(zone=zone, wijk=net.wijk_one, point=IN_ONE, partner_type=net.school, name="Soon")
    f.VisitFactory(zone=zone, partner=soon, date=today - relativedelta(months=12) + datetime.timedelta(days=5))
    never = f.PartnerFactory(zone=zone, wijk=net.wijk_one, point=IN_ONE, partner_type=net.school, name="Never")
    f.PartnerFactory(zone=zone, wijk=net.wijk_one, point=IN_ONE, partner_type=net.school, is_active=False)

    network = wijk_network(wijk=net.wijk_one, today=today)
    by_name = {p.name: p for p in network.partners}
    assert set(by_name) == {"Eigen school", "Recent", "Soon", "Never"}  # not the inactive one, not wijk two
    own = by_name["Eigen school"]
    assert own.last_visit == today - relativedelta(months=13)
    assert own.next_visit_due == today - relativedelta(months=13) + relativedelta(months=12)
    assert own.due_state == 0  # overdue
    assert by_name["Never"].last_visit is None and by_name["Never"].next_visit_due == today
    assert by_name["Never"].due_state == 1  # due now
    assert by_name["Soon"].due_state == 2
    assert by_name["Recent"].due_state == 3
    assert by_name["Recent"].next_visit_due == today - datetime.timedelta(days=10) + relativedelta(months=12)
    assert network.count_due == 2 and network.count_never_visited == 1
    assert [g.partner_type.key for g in network.groups] == ["school"]
    assert never.pk in {p.pk for p in partner_list(zone=zone, due="due", today=today)}
    assert {p.name for p in partner_list(zone=zone, due="overdue", today=today)} == {"Eigen school"}


def test_the_zone_interval_is_used(zone, net):
    today = timezone.localdate()
    f.VisitFactory(zone=zone, partner=net.own, date=today - relativedelta(months=7))
    assert wijk_network(wijk=net.wijk_one, today=today).partners[0].due_state == 3
    network_settings_set(zone=zone, visit_interval_months=6)
    network = wijk_network(wijk=net.wijk_one, today=today)
    assert network.policy.visit_interval_months == 6
    assert network.partners[0].due_state == 0
    assert network.partners[0].next_visit_due == today - relativedelta(months=7) + relativedelta(months=6)


def test_month_end_is_clipped(zone, net):
    network_settings_set(zone=zone, visit_interval_months=6)
    f.VisitFactory(zone=zone, partner=net.own, date=datetime.date(2025, 8, 31))
    partner = wijk_network(wijk=net.wijk_one, today=datetime.date(2026, 1, 1)).partners[0]
    assert partner.next_visit_due == datetime.date(2026, 2, 28)


def test_visit_log_list_shows_only_own_wijken_most_due_first(personas, zone, net):
    today = timezone.localdate()
    never = f.PartnerFactory(zone=zone, wijk=net.wijk_one, point=IN_ONE, partner_type=net.school, name="Nooit")
    f.VisitFactory(zone=zone, partner=net.own, date=today - datetime.timedelta(days=30))
    names = [p.name for p in partners_for_visit_log(membership=personas.alice, today=today)]
    assert names == ["Nooit", "Eigen school"]
    assert never.name in [p.name for p in partners_for_visit_log(membership=personas.alice, search="nooit")]
    assert "Café Anderwijk" in [p.name for p in partners_for_visit_log(membership=personas.bob)]


def _build(zone, wijk, partner_type, n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        partner = f.PartnerFactory(zone=zone, wijk=wijk, point=IN_ONE, partner_type=f.PartnerTypeFactory(zone=zone))
        f.ContactPersonFactory(zone=zone, partner=partner)
        if i % 3:
            f.VisitFactory(zone=zone, partner=partner, date=today - datetime.timedelta(days=i * 20))


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_network_query_count_does_not_grow(zone, net, django_assert_max_num_queries):
    small = f.WijkFactory(zone=zone, code="S", boundary=f.square(3.09, 51.05))
    large = f.WijkFactory(zone=zone, code="L", boundary=f.square(3.11, 51.05))
    _build(zone, small, net.school, 5)
    _build(zone, large, net.school, 50)

    def run(wijk):
        network = wijk_network(wijk=wijk)
        return [
            (g.partner_type.name, [(p.name, p.next_visit_due, p.contact_count) for p in g.partners])
            for g in network.groups
        ]

    with django_assert_max_num_queries(3):
        assert sum(len(g[1]) for g in run(small)) == 5
    with django_assert_max_num_queries(3):
        assert sum(len(g[1]) for g in run(large)) == 50
    assert _queries(lambda: run(small)) == _queries(lambda: run(large))
