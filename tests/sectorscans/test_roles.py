"""Who may do what: bestuur sees only aggregates; a wijkinspecteur edits only the scans of their own wijken and
reads the rest of the zone; a teamchef edits the whole zone; another zone's objects answer 404."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import login

from .conftest import take


@pytest.fixture
def scans(world):
    own = take(world, world.contact1, date=datetime.date(2025, 5, 1), scores={"verkeer": 5})
    other = take(
        world, world.contact2, date=datetime.date(2025, 5, 1), scores={"verkeer": 5}, inspecteur=world.other_wi
    )
    return own, other


def test_bestuur_sees_aggregates_only(world, scans, personas):
    client = login(personas.charlie)
    own, _other = scans
    for path in (
        "/sectorscans/",
        "/sectorscans/take/",
        f"/sectorscans/take/{world.contact1.pk}/",
        f"/sectorscans/scans/{own.pk}/",
        "/sectorscans/coverage/",
        "/sectorscans/questionnaires/",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/sectorscans/figures/").status_code == 200
    assert client.get("/api/v1/sectorscans/scans/").status_code == 403
    assert client.get("/api/v1/sectorscans/coverage/").status_code == 403
    assert client.get("/api/v1/sectorscans/questionnaires/").status_code == 403
    response = client.get("/api/v1/sectorscans/aggregates/?period_kind=year&period=2025")
    assert response.status_code == 200
    assert "Carla" not in response.content.decode() and "Buurtcomit" not in response.content.decode()


def test_wijkinspecteur_edits_own_wijk_and_reads_the_rest(world, scans, personas):
    own, other = scans
    client = login(personas.alice)
    assert client.get(f"/sectorscans/take/{world.contact1.pk}/").status_code == 200
    assert client.get(f"/sectorscans/take/{world.contact2.pk}/").status_code == 403
    assert client.get(f"/sectorscans/scans/{other.pk}/").status_code == 200  # reads the zone
    assert client.get(f"/sectorscans/scans/{other.pk}/").context["can_edit"] is False
    assert client.post(f"/sectorscans/scans/{other.pk}/confirm/", {"status.verkeer": "worse"}).status_code == 403
    assert client.post(f"/sectorscans/scans/{own.pk}/confirm/", {"status.verkeer": "worse"}).status_code == 302
    api = "/api/v1/sectorscans/scans/"
    assert (
        client.patch(
            f"{api}{other.pk}/", {"statuses": {"verkeer": "worse"}}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.patch(f"{api}{own.pk}/", {"statuses": {"verkeer": "worse"}}, content_type="application/json").status_code
        == 200
    )
    body = {"contact": world.contact2.pk, "date": "2025-06-01", "answers": {"verkeer.score": 5}}
    assert client.post(api, body, content_type="application/json").status_code == 403
    assert client.get("/sectorscans/questionnaires/").status_code == 403  # managers only
    assert client.get("/sectorscans/coverage/").status_code == 200


def test_teamchef_edits_the_whole_zone(world, scans, personas):
    _own, other = scans
    client = login(personas.bob)
    assert client.get(f"/sectorscans/take/{world.contact2.pk}/").status_code == 200
    assert client.post(f"/sectorscans/scans/{other.pk}/confirm/", {"status.verkeer": "worse"}).status_code == 302
    assert client.get("/sectorscans/questionnaires/").status_code == 200


def test_outsider_gets_404(world, scans, personas):
    own, _other = scans
    client = login(personas.olivia)
    assert client.get(f"/sectorscans/scans/{own.pk}/").status_code == 404
    assert client.get(f"/sectorscans/take/{world.contact1.pk}/").status_code == 404
    assert client.get(f"/sectorscans/questionnaires/{world.questionnaire.pk}/").status_code == 404
    assert client.get(f"/api/v1/sectorscans/scans/{own.pk}/").status_code == 404
    assert client.get(f"/api/v1/sectorscans/scans/{own.pk}/comparison/").status_code == 404
