"""Aggregates on a small known data set: means, shares of contacts with a problem, n, the change against the
previous period, the coloured map, and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from sectorscans import selectors
from tests import factories as f
from tests.conftest import login

from .conftest import take

Q = selectors.Period("quarter", datetime.date(2025, 7, 1))  # 2025-Q3; previous 2025-Q2


@pytest.fixture
def known(world):
    """Q2: wijk 1 verkeer 4 (problem) ; Q3: wijk 1 verkeer 6 and 8 (one with a problem), wijk 2 verkeer 10."""
    with scopes_disabled():
        extra = f.ContactPersonFactory(zone=world.zone, partner__wijk=world.wijk1)
    take(world, world.contact1, date=datetime.date(2025, 5, 10), scores={"verkeer": 4}, problems={"verkeer": "x"})
    take(world, world.contact1, date=datetime.date(2025, 8, 1), scores={"verkeer": 6})
    take(world, extra, date=datetime.date(2025, 9, 30), scores={"verkeer": 8}, problems={"verkeer": "y"})
    take(world, world.contact2, date=datetime.date(2025, 7, 1), scores={"verkeer": 10}, inspecteur=world.other_wi)
    # Outside both periods: must not count.
    take(world, world.contact2, date=datetime.date(2025, 10, 1), scores={"verkeer": 0}, inspecteur=world.other_wi)
    return world


def test_means_shares_n_and_change(known):
    with scope(zone=known.zone.pk):
        figures = selectors.aggregate_figures(zone=known.zone, period=Q)
    rows = {r.wijk_id: r for r in figures["rows"]}
    w1 = rows[known.wijk1.pk].cells["verkeer"]
    assert (w1.mean, w1.n, w1.contacts, w1.share) == (7.0, 2, 2, 50.0)
    assert (w1.prev_mean, w1.prev_n, w1.prev_share) == (4.0, 1, 100.0)
    assert (w1.change_mean, w1.change_share) == (3.0, -50.0)
    w2 = rows[known.wijk2.pk].cells["verkeer"]
    assert (w2.mean, w2.n, w2.share, w2.prev_n, w2.change_mean) == (10.0, 1, 0.0, 0, None)
    total = figures["total"].cells["verkeer"]
    assert (total.mean, total.n, total.contacts, total.share) == (8.0, 3, 3, pytest.approx(33.3))
    assert (total.prev_mean, total.prev_n) == (4.0, 1)
    # Unanswered themes have no score but still count the scans behind them.
    drugs = rows[known.wijk1.pk].cells["drugs"]
    assert drugs.mean is None and drugs.n == 2


def test_year_period_and_parsing():
    assert selectors.Period.parse("quarter", "2025-q3") == Q
    assert Q.previous.key == "2025-Q2" and Q.end == datetime.date(2025, 10, 1)
    year = selectors.Period.parse("year", "2025")
    assert (year.start, year.end, year.previous.key) == (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1), "2024")
    assert selectors.Period.parse("quarter", "2025-Q1").previous.key == "2024-Q4"
    with pytest.raises(ValueError):
        selectors.Period.parse("quarter", "2025-Q5")


def test_map_is_coloured_by_theme_with_a_legend(known, personas):
    response = login(personas.charlie).get("/sectorscans/figures/?period_kind=quarter&period=2025-Q3&theme=verkeer")
    assert response.status_code == 200
    features = {feat["properties"]["label"].split(":")[0]: feat for feat in response.context["geojson"]["features"]}
    assert features["Wijk Een"]["properties"]["fillColor"] == selectors.score_color(7.0) == "#a6d96a"
    assert features["Wijk Twee"]["properties"]["fillColor"] == selectors.score_color(10.0) == "#1a9641"
    body = response.content.decode()
    assert "no scans in this period" in body  # the legend
    # The bestuur sees no names of contacts or partners.
    for name in ("Carla Contact", "Dirk Contact", "Buurtcomité Een", "School Twee"):
        assert name not in body


def test_bad_period_falls_back_with_a_message(known, personas):
    response = login(personas.bob).get("/sectorscans/figures/?period_kind=quarter&period=2025-Q9")
    assert response.status_code == 200 and response.context["error"]


def _grow(world, scans: int):
    with scopes_disabled():
        for i in range(scans):
            wijk = f.WijkFactory(zone=world.zone) if i % 5 == 0 else world.wijk1
            contact = f.ContactPersonFactory(zone=world.zone, partner__wijk=wijk)
            scan = f.ScanFactory(
                zone=world.zone,
                contact=contact,
                questionnaire=world.questionnaire,
                wijkinspecteur=world.alice_wi,
                date=datetime.date(2025, 4 + i % 6, 1),
            )
            for key in ("verkeer", "drugs", "overlast"):
                f.ThemeResultFactory(zone=world.zone, scan=scan, theme_key=key, score=(i % 10) / 10)


@pytest.mark.parametrize("scans", [5, 50])
def test_figures_page_and_api_run_a_constant_number_of_queries(world, personas, django_assert_max_num_queries, scans):
    _grow(world, scans)
    client = login(personas.charlie)
    client.get("/sectorscans/figures/?period=2025-Q3")
    with django_assert_max_num_queries(12):
        response = client.get("/sectorscans/figures/?period=2025-Q3")
    assert response.status_code == 200
    assert (
        response.context["figures"]["total"].cells["verkeer"].n
        + response.context["figures"]["total"].cells["verkeer"].prev_n
        == scans
    )
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/sectorscans/aggregates/?period=2025-Q3")
    assert response.status_code == 200
