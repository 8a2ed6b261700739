"""The API: taking, confirming and comparing scans, questionnaire versions, coverage and aggregates; bad input
is a 400 with field errors, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from sectorscans.models import Questionnaire, Scan, Status
from tests import factories as f
from tests.conftest import login

from .conftest import take

API = "/api/v1/sectorscans/"


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_take_confirm_and_compare_a_scan(world, personas):
    take(
        world,
        world.contact1,
        date=datetime.date(2025, 3, 1),
        scores={"verkeer": 5, "drugs": 5},
        problems={"drugs": "dealen"},
    )
    client = login(personas.alice)
    body = {
        "contact": world.contact1.pk,
        "date": "2026-03-01",
        "answers": {"verkeer.score": 8, "drugs.score": 5, "overlast.remark": "rustig"},
        "problems": {},
        "statuses": {"overlast": "improved"},
        "notes": "Bezoek aan het buurtcomité",
    }
    response = post(client, f"{API}scans/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    statuses = {r["theme_key"]: r["status"] for r in data["theme_results"]}
    assert statuses == {"verkeer": Status.IMPROVED, "drugs": Status.SOLVED, "overlast": Status.IMPROVED}
    assert {"question": "overlast.remark", "value_int": None, "value_bool": None, "value_text": "rustig"} in data[
        "answers"
    ]
    assert data["visit"] is not None
    scan_id = data["id"]
    response = client.patch(
        f"{API}scans/{scan_id}/", {"statuses": {"drugs": "unchanged"}}, content_type="application/json"
    )
    assert response.status_code == 200
    comparison = client.get(f"{API}scans/{scan_id}/comparison/").json()
    drugs = next(t for t in comparison["themes"] if t["theme_key"] == "drugs")
    assert (drugs["previous_problem"], drugs["computed_status"], drugs["status"]) == (True, "solved", "unchanged")
    listed = client.get(f"{API}scans/?contact={world.contact1.pk}").json()
    assert listed["count"] == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answers": {"verkeer.score": 11}}, "verkeer.score"),
        ({"answers": {"verkeer.score": "veel"}}, "verkeer.score"),
        ({"answers": {"nope.score": 1}}, "answers"),
        ({"problems": {"nope": {"has_problem": True}}}, "problems"),
        ({"statuses": {"verkeer": "great"}}, "statuses"),
        ({"statuses": {"nope": "improved"}}, "statuses"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "gisteren"}, "date"),
        ({"contact": 999999}, "contact"),
        ({"answers": "verkeer=5"}, "answers"),
    ],
)
def test_bad_scan_input_is_a_400_with_field_errors(world, personas, change, field):
    body = {"contact": world.contact1.pk, "date": "2025-03-01", "answers": {"verkeer.score": 5}, **change}
    response = post(login(personas.bob), f"{API}scans/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    with scope(zone=world.zone.pk):
        assert not Scan.objects.exists()  # nothing half-saved, no visit either


def test_contact_of_another_zone_is_unknown(world, personas):
    with scopes_disabled():
        foreign = f.ContactPersonFactory(zone=personas.zone_b)
    body = {"contact": foreign.pk, "date": "2025-03-01", "answers": {}}
    response = post(login(personas.bob), f"{API}scans/", body)
    assert response.status_code == 400 and "contact" in response.json()


def test_questionnaire_versions_through_the_api(world, personas):
    client = login(personas.bob)
    response = post(client, f"{API}questionnaires/", {})
    assert response.status_code == 201
    default = response.json()
    assert default["is_active"] and len(default["themes"]) == 10
    draft = post(client, f"{API}questionnaires/", {"source": default["id"]}).json()
    assert not draft["is_active"] and draft["published_at"] is None
    assert [t["key"] for t in draft["themes"]] == [t["key"] for t in default["themes"]]
    response = client.patch(f"{API}questionnaires/{draft['id']}/", {"publish": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"]
    with scope(zone=world.zone.pk):
        assert Questionnaire.objects.filter(is_active=True).get().pk == draft["id"]
    assert client.patch(f"{API}questionnaires/{draft['id']}/", {}, content_type="application/json").status_code == 400
    assert post(client, f"{API}questionnaires/", {"source": 999999}).status_code == 400
    assert post(login(personas.alice), f"{API}questionnaires/", {}).status_code == 403  # managers only


def test_coverage_and_aggregates_api(world, personas):
    take(world, world.contact1, date=datetime.date(2025, 2, 1), scores={"verkeer": 6})
    client = login(personas.bob)
    data = client.get(f"{API}coverage/").json()
    assert {c["contact"]: c["state"] for c in data["contacts"]} == {
        world.contact1.pk: "overdue",
        world.contact2.pk: "never",
    }
    assert client.get(f"{API}coverage/?wijk={world.wijk2.pk}").json()["contacts"][0]["contact"] == world.contact2.pk
    assert client.get(f"{API}coverage/?wijk=abc").status_code == 400
    assert client.get(f"{API}coverage/?limit=0").status_code == 400
    data = client.get(f"{API}aggregates/?period_kind=quarter&period=2025-Q1").json()
    wijk1 = next(w for w in data["wijken"] if w["wijk"] == world.wijk1.pk)
    assert wijk1["themes"]["verkeer"]["mean"] == 6.0 and wijk1["themes"]["verkeer"]["n"] == 1
    assert data["previous_period"] == "2024-Q4"
    assert client.get(f"{API}aggregates/?period_kind=month").status_code == 400
    assert client.get(f"{API}aggregates/?period=2025-Q7").status_code == 400
    assert client.get(f"{API}aggregates/?period_kind=year&period=twenty").status_code == 400
