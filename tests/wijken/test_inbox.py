"""The staff inbox of citizens' messages: who reads what, read marks, query counts, the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tests import factories as f
from tests.conftest import login


@pytest.fixture
def inbox(personas):
    """Two officers in zone A (alice's own profile and a colleague's), messages to each, one in zone B."""
    with scopes_disabled():
        zone_a = personas.zone_a
        own = f.WijkinspecteurFactory(zone=zone_a, user=personas.alice.user, display_name="Alice Agent")
        colleague = f.WijkinspecteurFactory(zone=zone_a, display_name="Carl Collega")
        mine = [f.ContactMessageFactory(zone=zone_a, wijkinspecteur=own, name=f"Burger {i}") for i in range(3)]
        theirs = f.ContactMessageFactory(zone=zone_a, wijkinspecteur=colleague, name="Burger van Carl")
        other_zone = f.ContactMessageFactory(zone=personas.zone_b, name="Burger van Bravo")
    return {"own": own, "mine": mine, "theirs": theirs, "other_zone": other_zone}


def test_a_wijkinspecteur_reads_only_messages_to_their_own_profile(personas, inbox, django_assert_max_num_queries):
    client = login(personas.alice)
    with django_assert_max_num_queries(12):
        response = client.get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Burger 0" in html and "Burger 2" in html
    assert "Burger van Carl" not in html and "Burger van Bravo" not in html
    assert "3 unread" in html
    assert client.get(f"/inbox/{inbox['theirs'].pk}/").status_code == 404
    assert client.get(f"/inbox/{inbox['other_zone'].pk}/").status_code == 404


def test_a_teamchef_reads_every_message_of_the_zone(personas, inbox, django_assert_max_num_queries):
    client = login(personas.bob)
    with scopes_disabled():
        for i in range(20):  # more rows must not mean more queries
            f.ContactMessageFactory(zone=personas.zone_a, wijkinspecteur=inbox["own"], name=f"Extra {i}")
    with django_assert_max_num_queries(12):
        html = client.get("/inbox/").content.decode()
    assert "Burger van Carl" in html and "Burger 1" in html and "Burger van Bravo" not in html
    assert client.get(f"/inbox/{inbox['theirs'].pk}/").status_code == 200
    assert client.get(f"/inbox/{inbox['other_zone'].pk}/").status_code == 404


def test_bestuur_has_no_inbox(personas, inbox):
    assert login(personas.charlie).get("/inbox/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_opening_a_message_marks_it_read_once(personas, inbox):
    client = login(personas.alice)
    message = inbox["mine"][0]
    response = client.get(f"/inbox/{message.pk}/")
    assert response.status_code == 200 and message.message in response.content.decode()
    message.refresh_from_db()
    first = message.read_at
    assert first is not None
    client.get(f"/inbox/{message.pk}/")
    message.refresh_from_db()
    assert message.read_at == first
    assert "2 unread" in client.get("/inbox/").content.decode()
    html = client.get("/inbox/", {"status": "unread"}).content.decode()
    assert "Burger 0" not in html and "Burger 1" in html


def test_api_lists_marks_read_and_is_read_only(personas, inbox, django_assert_max_num_queries):
    alice = login(personas.alice)
    with django_assert_max_num_queries(10):
        data = alice.get("/api/v1/contact-messages/").json()
    assert {m["name"] for m in data["results"]} == {"Burger 0", "Burger 1", "Burger 2"}
    message = inbox["mine"][1]
    response = alice.post(f"/api/v1/contact-messages/{message.pk}/mark-read/")
    assert response.status_code == 200 and response.json()["read_at"]
    unread = alice.get("/api/v1/contact-messages/", {"unread": "true"}).json()
    assert {m["name"] for m in unread["results"]} == {"Burger 0", "Burger 2"}
    assert alice.post(f"/api/v1/contact-messages/{inbox['theirs'].pk}/mark-read/").status_code == 404
    assert alice.post("/api/v1/contact-messages/", {"name": "x"}).status_code == 405
    assert alice.delete(f"/api/v1/contact-messages/{message.pk}/").status_code == 405
    bob = login(personas.bob)
    assert len(bob.get("/api/v1/contact-messages/").json()["results"]) == 4
    assert login(personas.charlie).get("/api/v1/contact-messages/").status_code == 403
