"""The public contact form to a wijkagent: stored, e-mailed by the worker once, honeypot, rate limit."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.conftest import login, wait_for
from tests.wijken.test_lookup_support import clean_slate  # noqa: F401
from wijken.models import ContactMessage
from wijken.services.contact import contact_message_send

pytestmark = pytest.mark.usefixtures("clean_slate")

FORM = {
    "name": "Jan Burger",
    "email": "jan@example.org",
    "phone": "0470 12 34 56",
    "address": "Kerkstraat 12, 8400 Oostende",
    "message": "Er staat al twee weken een fiets zonder eigenaar aan de kerk.",
    "website": "",
}


def url(officer) -> str:
    return f"/mijn-buurt/contact/{officer.pk}/"


def make_officer(zone=None, **kwargs):
    with scopes_disabled():
        zone = zone or f.ZoneFactory(name="PZ Kust", languages=["nl", "fr"])
        return f.AssignmentFactory(
            zone=zone, wijkinspecteur__display_name="Anna Peeters", wijkinspecteur__email="anna@politie.be", **kwargs
        ).wijkinspecteur


def messages_of(officer) -> list[ContactMessage]:
    with scope(zone=officer.zone_id):
        return list(ContactMessage.objects.filter(wijkinspecteur=officer))


def test_the_form_is_public_and_stores_the_message(db):
    officer = make_officer()
    client = Client()
    response = client.get(url(officer), {"adres": "Kerkstraat 12"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Anna Peeters" in response.content.decode() and 'value="Kerkstraat 12"' in response.content.decode()
    response = client.post(url(officer), FORM, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response["Location"] == f"{url(officer)}sent/"
    [stored] = messages_of(officer)
    assert stored.name == "Jan Burger" and stored.language == "fr" and stored.zone_id == officer.zone_id
    assert stored.wijk is not None and stored.emailed_at is None  # the worker sends it
    assert client.get(response["Location"]).status_code == 200


def test_bad_input_shows_errors_and_keeps_what_was_typed(db):
    officer = make_officer()
    response = Client().post(url(officer), {**FORM, "email": "not-an-address", "message": "kort"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" in html and "Jan Burger" in html and "kort" in html
    assert messages_of(officer) == []


def test_the_honeypot_stores_nothing_but_looks_like_success(db):
    officer = make_officer()
    response = Client().post(url(officer), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 302
    assert messages_of(officer) == []


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "120/min", "contact": "2/hour"},
    }
)
def test_rate_limit_per_client_keeps_the_typed_message(db):
    officer = make_officer()
    client = Client()
    assert [client.post(url(officer), FORM).status_code for _ in range(2)] == [302, 302]
    response = client.post(url(officer), FORM)
    assert response.status_code == 429
    assert "try again later" in response.content.decode() and FORM["message"] in response.content.decode()
    assert len(messages_of(officer)) == 2
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.post(url(officer), FORM).status_code == 302
    cache.delete("contact-rate:10.0.0.8")


def test_only_active_officers_assigned_today_can_be_written_to(db):
    with scopes_disabled():
        zone = f.ZoneFactory()
        unassigned = f.WijkinspecteurFactory(zone=zone)
        ended = f.AssignmentFactory(
            zone=zone, starts_on=datetime.date(2020, 1, 1), ends_on=timezone.localdate() - datetime.timedelta(days=1)
        ).wijkinspecteur
        inactive = f.AssignmentFactory(zone=zone, wijkinspecteur__is_active=False).wijkinspecteur
    for officer in (unassigned, ended, inactive):
        assert Client().get(url(officer)).status_code == 404
        assert Client().post(url(officer), FORM).status_code == 404
        assert Client().get(f"{url(officer)}sent/").status_code == 404
    assert Client().get("/mijn-buurt/contact/999999/").status_code == 404


def test_a_user_of_another_zone_files_the_message_in_the_officers_zone(personas):
    officer = make_officer(zone=personas.zone_a)
    response = login(personas.olivia).post(url(officer), FORM)  # olivia's session is scoped to zone B
    assert response.status_code == 302
    [stored] = messages_of(officer)
    assert stored.zone_id == personas.zone_a.pk


def test_sending_is_claimed_once(db, mailoutbox):
    officer = make_officer()
    Client().post(url(officer), FORM)
    [stored] = messages_of(officer)
    with scope(zone=officer.zone_id):
        contact = ContactMessage.objects.select_related("wijkinspecteur", "zone").get(pk=stored.pk)
        assert contact_message_send(contact=contact) is True
        assert contact_message_send(contact=contact) is False
    assert [m.to for m in mailoutbox] == [["anna@politie.be"], ["jan@example.org"]]
    assert mailoutbox[0].reply_to == ["jan@example.org"]
    assert FORM["message"] in mailoutbox[0].body


@pytest.mark.worker
def test_the_worker_forwards_the_message_and_confirms_to_the_citizen(transactional_db, celery_worker):
    officer = make_officer()
    response = Client().post(url(officer), FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    [stored] = messages_of(officer)

    def emailed():
        with scope(zone=officer.zone_id):
            return ContactMessage.objects.get(pk=stored.pk).emailed_at

    assert wait_for(emailed)

    def both_mails():
        text = "".join(p.read_text() for p in celery_worker.glob("*.log"))
        return text if "anna@politie.be" in text and "To: jan@example.org" in text else None

    text = wait_for(both_mails)
    assert FORM["message"] in text
    assert "Your message to Anna Peeters has been received" in text  # the citizen's language (en)
