"""Partners API: nested create, bad input as 400 with field errors, the role matrix, constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from partners.models import ContactPerson, FollowUpTask, Partner, Visit
from tests import factories as f
from tests.conftest import login

API = "/api/v1"


def test_create_partner_with_nested_contacts(personas, net):
    client = login(personas.bob)
    response = client.post(
        f"{API}/partners/",
        {
            "name": "Buurtcomité Noord",
            "partner_type": net.school.pk,
            "latitude": 51.055,
            "longitude": 3.075,
            "contacts": [
                {"name": "Ria Noord", "function": "Voorzitter", "lawful_basis": "public_task"},
                {
                    "name": "Sam Zuid",
                    "lawful_basis": "consent",
                    "consent_note": "Per e-mail",
                    "preferred_language": "fr",
                },
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["wijk"] == net.wijk_two.pk and body["wijk_overridden"] is False
    assert body["location"] == {"type": "Point", "coordinates": [3.075, 51.055]}
    assert body["next_visit_due"] == timezone.localdate().isoformat()  # never visited: due now
    assert sorted(c["name"] for c in body["contacts"]) == ["Ria Noord", "Sam Zuid"]
    with scope(zone=personas.zone_a.pk):
        partner = Partner.objects.get(pk=body["id"])
        assert partner.contacts.count() == 2 and partner.contacts.first().zone_id == personas.zone_a.pk


@pytest.mark.parametrize(
    "change, field",
    [
        ({"contacts": [{"name": "Zonder basis"}]}, "contacts"),
        ({"contacts": [{"name": "Ann", "lawful_basis": "consent", "consent_note": ""}]}, "contacts"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": None}, "latitude"),
        ({"partner_type": 999999}, "partner_type"),
        ({"partner_type": "abc"}, "partner_type"),
        ({"name": ""}, "name"),
        ({"wijk": 999999}, "wijk"),
        ({"email": "geen e-mail"}, "email"),
    ],
)
def test_bad_partner_input_is_a_400_with_field_errors(personas, net, change, field):
    client = login(personas.bob)
    data = {"name": "X", "partner_type": net.school.pk, "latitude": 51.055, "longitude": 3.055, **change}
    response = client.post(f"{API}/partners/", data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    with scope(zone=personas.zone_a.pk):
        assert Partner.objects.count() == 2  # nothing half-written


def test_another_zones_type_is_a_400(personas, net):
    with scopes_disabled():
        foreign = f.PartnerTypeFactory(zone=personas.zone_b)
    response = login(personas.bob).post(
        f"{API}/partners/", {"name": "X", "partner_type": foreign.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "partner_type" in response.json()


def test_wijk_by_hand_through_the_api(personas, net):
    client = login(personas.bob)
    response = client.patch(f"{API}/partners/{net.own.pk}/", {"wijk": net.wijk_two.pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["wijk_overridden"] is True
    response = client.patch(f"{API}/partners/{net.own.pk}/", {"wijk": None}, content_type="application/json")
    assert response.json()["wijk"] == net.wijk_one.pk and response.json()["wijk_overridden"] is False


def test_alice_writes_only_in_her_wijk(personas, net):
    client = login(personas.alice)
    own = {"name": "Van mij", "partner_type": net.school.pk, "latitude": 51.055, "longitude": 3.055}
    assert client.post(f"{API}/partners/", own, content_type="application/json").status_code == 201
    other = {**own, "longitude": 3.075}
    assert client.post(f"{API}/partners/", other, content_type="application/json").status_code == 403
    assert (
        client.patch(f"{API}/partners/{net.other.pk}/", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    assert (
        client.patch(f"{API}/partners/{net.own.pk}/", {"name": "Eigen"}, content_type="application/json").status_code
        == 200
    )
    assert client.get(f"{API}/partners/{net.other.pk}/").status_code == 200  # reads the rest of the zone
    contact = {"partner": net.other.pk, "name": "Nee", "lawful_basis": "public_task"}
    assert client.post(f"{API}/contacts/", contact, content_type="application/json").status_code == 403
    visit = {"partner": net.other.pk}
    assert client.post(f"{API}/visits/", visit, content_type="application/json").status_code == 403


def test_bestuur_gets_403_everywhere(personas, net):
    client = login(personas.charlie)
    for path in ("partner-types", "partners", "contacts", "visits", "follow-up-tasks"):
        assert client.get(f"{API}/{path}/").status_code == 403, path
        assert client.post(f"{API}/{path}/", {}, content_type="application/json").status_code == 403, path
    assert client.get(f"{API}/partners/{net.own.pk}/").status_code == 403


def test_outsider_gets_404(personas, net):
    client = login(personas.olivia)
    assert client.get(f"{API}/partners/{net.own.pk}/").status_code == 404
    assert client.get(f"{API}/contacts/{net.own_contact.pk}/").status_code == 404
    assert client.get(f"{API}/partners/").json()["count"] == 0
    response = client.post(f"{API}/visits/", {"partner": net.own.pk}, content_type="application/json")
    assert response.status_code == 400 and "partner" in response.json()  # no such partner in her zone


def test_log_a_visit_with_contacts_and_tasks(personas, net):
    client = login(personas.alice)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        f"{API}/visits/",
        {
            "partner": net.own.pk,
            "kind": "sectorscan",
            "contacts": [net.own_contact.pk],
            "notes": "Scan afgenomen",
            "tasks": [{"description": "Verslag sturen", "due_on": due}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["wijkinspecteur"] == net.alice_profile.pk  # her own profile by default
    assert body["date"] == timezone.localdate().isoformat()
    assert body["contacts"] == [net.own_contact.pk] and body["tasks"][0]["description"] == "Verslag sturen"
    task_id = body["tasks"][0]["id"]
    response = client.patch(f"{API}/follow-up-tasks/{task_id}/", {"done": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["done_on"] == timezone.localdate().isoformat()
    response = client.patch(f"{API}/follow-up-tasks/{task_id}/", {"description": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert client.get(f"{API}/partners/{net.own.pk}/").json()["last_visit"] == timezone.localdate().isoformat()


def test_bad_visit_input(personas, net):
    client = login(personas.alice)
    cases = [
        ({"partner": net.own.pk, "contacts": [net.other_contact.pk]}, "contacts"),
        ({"partner": net.own.pk, "date": "2999-01-01"}, "date"),
        ({"partner": net.own.pk, "kind": "party"}, "kind"),
        ({"partner": net.own.pk, "tasks": [{"description": "x"}]}, "tasks"),
        ({"partner": net.own.pk, "tasks": [{"description": "x", "due_on": "2000-01-01"}]}, "tasks"),
        ({}, "partner"),
    ]
    for data, field in cases:
        response = client.post(f"{API}/visits/", data, content_type="application/json")
        assert response.status_code == 400, (data, response.content)
        assert field in response.json(), (data, response.json())
    with scope(zone=personas.zone_a.pk):
        assert not Visit.objects.exists() and not FollowUpTask.objects.exists()
    # bob has no profile: he must say whose visit it was.
    response = login(personas.bob).post(f"{API}/visits/", {"partner": net.own.pk}, content_type="application/json")
    assert response.status_code == 400 and "wijkinspecteur" in response.json()


def test_contact_api_validates_lawful_basis(personas, net):
    client = login(personas.alice)
    data = {"partner": net.own.pk, "name": "Ann", "lawful_basis": "consent"}
    response = client.post(f"{API}/contacts/", data, content_type="application/json")
    assert response.status_code == 400 and "consent_note" in response.json()
    response = client.post(
        f"{API}/contacts/", {**data, "consent_note": "Getekend formulier"}, content_type="application/json"
    )
    assert response.status_code == 201
    response = client.patch(
        f"{API}/contacts/{response.json()['id']}/", {"partner": net.other.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    with scope(zone=personas.zone_a.pk):
        assert ContactPerson.objects.filter(partner=net.own).count() == 2


def test_partner_type_keys_are_unique_per_zone(personas, net):
    client = login(personas.bob)
    response = client.post(
        f"{API}/partner-types/", {"key": "school", "name": "Dubbel"}, content_type="application/json"
    )
    assert response.status_code == 400 and "key" in response.json()
    response = client.post(f"{API}/partner-types/", {"key": "markt", "name": "Markt"}, content_type="application/json")
    assert response.status_code == 201
    assert (
        login(personas.alice)
        .post(f"{API}/partner-types/", {"key": "x", "name": "X"}, content_type="application/json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("count", [5, 50])
def test_api_lists_have_a_constant_query_count(personas, net, count, django_assert_max_num_queries):
    with scopes_disabled():
        for _ in range(count):
            partner = f.PartnerFactory(zone=personas.zone_a, wijk=net.wijk_one, partner_type=net.school)
            f.ContactPersonFactory(zone=personas.zone_a, partner=partner)
            visit = f.VisitFactory(zone=personas.zone_a, partner=partner)
            f.VisitContactFactory(zone=personas.zone_a, visit=visit, contact=partner.contacts.first())
            f.FollowUpTaskFactory(zone=personas.zone_a, visit=visit)
    client = login(personas.bob)
    for path in ("partners", "contacts", "visits", "follow-up-tasks", "partner-types"):
        with django_assert_max_num_queries(12):
            response = client.get(f"{API}/{path}/?due=due" if path == "partners" else f"{API}/{path}/")
            assert response.status_code == 200, path
