"""Login, lockout, the role home pages and the zones endpoint."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import login
from wijken.models import Role


@pytest.mark.parametrize(
    "persona,role_text",
    [
        ("alice", "Your wijken, your partner network"),
        ("bob", "Follow all wijken of your zone"),
        ("charlie", "Personal data is never shown here"),
        ("olivia", "You manage this zone"),
    ],
)
def test_home_page_follows_role(personas, persona, role_text, django_assert_max_num_queries):
    client = login(getattr(personas, persona))
    with translation.override("en"), django_assert_max_num_queries(12):
        response = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert role_text in response.content.decode()


def test_only_beheerder_sees_the_administration_card(personas):
    assert "/admin/" in login(personas.olivia).get("/home/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/admin/"' not in login(personas.alice).get("/home/").content.decode()


def test_login_page_in_three_languages(db):
    client = Client()
    for language, text in [("nl", "Inloggen"), ("fr", "Se connecter"), ("en", "Log in")]:
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert text in response.content.decode(), language


def test_dutch_is_the_default_language(db, settings):
    settings.LANGUAGE_CODE = "nl"
    response = Client().get(reverse("login"))  # no Accept-Language header
    assert '<html lang="nl">' in response.content.decode() and "Inloggen" in response.content.decode()


def test_login_then_home(personas):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "secret-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_an_error_not_a_500(personas):
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_lockout_after_repeated_failures(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    # Even the right password is refused now.
    response = client.post(reverse("login"), {"username": "alice", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert client.get(reverse("home")).status_code == 302  # still anonymous


def test_zones_endpoint_shows_only_own_zones_with_role(personas, django_assert_max_num_queries):
    client = login(personas.bob)
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/zones/").json()
    assert [(z["slug"], z["role"]) for z in data["results"]] == [("alpha", Role.TEAMCHEF)]
    assert client.get(f"/api/v1/zones/{personas.zone_b.pk}/").status_code == 404
    assert login(personas.olivia).get("/api/v1/zones/").json()["results"][0]["slug"] == "bravo"


def test_anonymous_api_is_refused(db):
    assert Client().get("/api/v1/zones/").status_code in (401, 403)


def test_api_schema_and_docs(db):
    client = Client()
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/zones/" in schema.json()["paths"]
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_quick_actions_for_the_roles_that_do_the_field_work(personas):
    for persona, expected in [("alice", True), ("bob", True), ("charlie", False)]:
        response = login(getattr(personas, persona)).get("/home/")
        urls = [action.url for action in response.context["actions"]]
        assert ("/partners/visits/new/" in urls and "/sectorscans/take/" in urls) is expected, persona


def test_a_new_member_without_password_chooses_one_from_the_welcome_mail(personas, mailoutbox):
    import re

    from django.contrib.auth import get_user_model
    from django_scopes import scope

    from wijken.services.membership import membership_create, membership_send_welcome

    user = get_user_model().objects.create_user(username="nieuw@example.org", email="nieuw@example.org")
    assert not user.has_usable_password()
    with scope(zone=personas.zone_a.pk):
        membership = membership_create(zone=personas.zone_a, user=user, role=Role.WIJKINSPECTEUR, send_welcome=False)
        membership_send_welcome(membership=membership)
    link = re.search(r"https?://[^/\s]+(/password/set/\S+)", mailoutbox[0].body).group(1)
    client = Client()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]  # Django swaps the token for a session key
    response = client.post(form_url, {"new_password1": "Vuurtoren-2026!", "new_password2": "Vuurtoren-2026!"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    login_page = Client().post(reverse("login"), {"username": "nieuw@example.org", "password": "Vuurtoren-2026!"})
    assert login_page.status_code == 302 and login_page["Location"] == reverse("home")
    # The link works once.
    assert Client().get(link, follow=True).context["validlink"] is False


def test_forgotten_password_mail_has_a_working_link(personas, mailoutbox):
    response = Client().post(reverse("password_reset"), {"email": personas.alice.user.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1 and "/password/set/" in mailoutbox[0].body
    # An unknown address answers the same, and sends nothing.
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done") and len(mailoutbox) == 1


def test_a_member_with_a_password_is_sent_to_the_login_page(personas, mailoutbox):
    from django_scopes import scope

    from wijken.services.membership import membership_send_welcome

    with scope(zone=personas.zone_a.pk):
        membership_send_welcome(membership=personas.alice)
    assert "/login/" in mailoutbox[0].body and "/password/set/" not in mailoutbox[0].body
