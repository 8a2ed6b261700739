"""The public /mijn-buurt/ page, server-side (it works without JavaScript), in every language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django_scopes import scopes_disabled

from tests import factories as f
from tests.conftest import login
from tests.wijken.test_lookup_support import clean_slate, make_address  # noqa: F401
from wijken.models import Assignment

pytestmark = pytest.mark.usefixtures("clean_slate")

URL = "/mijn-buurt/"


@pytest.fixture
def served(db):
    with scopes_disabled():
        zone = f.ZoneFactory(name="PZ Kust", boundary=f.square(2.8, 51.1, 0.3), non_emergency_number="059 70 11 11")
        wijk = f.WijkFactory(zone=zone, code="W1", name="Centrum", boundary=f.square(2.8, 51.2, 0.2))
        regular = f.AssignmentFactory(
            zone=zone, wijk=wijk, wijkinspecteur__display_name="Anna Peeters", wijkinspecteur__phone="059 12 34 56"
        ).wijkinspecteur
        f.SpreekuurFactory(zone=zone, contactpunt__name="Antennepunt Hazegras", contactpunt__wijk=wijk, weekday=0)
    make_address("Kerkstraat", "12", 2.85, 51.25)
    make_address("Kerkstraat", "14", 2.851, 51.251)
    return zone, wijk, regular


def page(params=None, language="en", client=None):
    client = client or Client()
    return client.get(URL, params or {}, HTTP_ACCEPT_LANGUAGE=language)


def test_the_empty_page_offers_search_and_the_emergency_number(served):
    response = page()
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and 'href="tel:112"' in html
    assert 'role="combobox"' in html


def test_an_exact_address_shows_the_whole_answer_without_javascript(served):
    zone, wijk, regular = served
    response = page({"q": "Kerkstraat 12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Centrum" in html and "Anna Peeters" in html and "PZ Kust" in html
    assert 'href="tel:059123456"' in html  # the wijkagent's phone
    assert 'href="tel:059701111"' in html and "059 70 11 11" in html  # the non-emergency number
    assert f"/mijn-buurt/contact/{regular.pk}/" in html
    assert "Antennepunt Hazegras" in html
    assert 'id="mb-map"' in html  # the wijk on the map


def test_an_ambiguous_query_lists_candidates_as_links(served):
    html = page({"q": "kerkstraat"}).content.decode()
    assert "Which address do you mean?" in html
    assert html.count("?address=") == 2


def test_no_match_says_so_kindly(served):
    html = page({"q": "Nergensstraat 999"}).content.decode()
    assert "We did not find that address" in html


def test_a_point_from_the_map_or_the_browser(served):
    html = page({"lat": "51.25", "lon": "2.85"}).content.decode()
    assert "Anna Peeters" in html and "The place you chose" in html


def test_stand_in_is_announced(served):
    zone, wijk, regular = served
    with scopes_disabled():
        f.AssignmentFactory(
            zone=zone, wijk=wijk, role=Assignment.AssignmentRole.STANDIN, wijkinspecteur__display_name="Bart Vervanger"
        )
    html = page({"lat": "51.25", "lon": "2.85"}).content.decode()
    assert "Anna Peeters is away" in html and "Bart Vervanger" in html


def test_outside_every_zone_gives_national_numbers(served):
    html = page({"lat": "50.85", "lon": "4.35"}).content.decode()
    assert "outside the areas we serve" in html and 'href="tel:101"' in html


@pytest.mark.parametrize(
    "params",
    [{"lat": "abc", "lon": "1"}, {"lat": "95", "lon": "1"}, {"lat": "51"}, {"address": "x"}, {"address": "99999"}],
)
def test_bad_input_gets_a_message_not_a_500(served, params):
    response = page(params)
    assert response.status_code == 400
    assert "alert" in response.content.decode()


def test_empty_and_too_long_queries_show_a_form_error(served):
    for q in ("", "   ", "x" * 300, "!!!"):
        response = page({"q": q})
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()


@pytest.mark.parametrize("language, phrase", [("nl", 'lang="nl"'), ("fr", 'lang="fr"'), ("en", 'lang="en"')])
def test_the_page_speaks_the_visitors_language(served, language, phrase):
    response = page({"q": "Kerkstraat 12"}, language=language)
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_a_logged_in_user_of_another_zone_sees_the_same_public_answer(served, personas):
    html = page({"q": "Kerkstraat 12"}, client=login(personas.olivia)).content.decode()
    assert "Anna Peeters" in html


def test_the_answer_page_costs_few_queries(served, django_assert_max_num_queries):
    page({"q": "Kerkstraat 12"})  # warm the cache of the answer
    with django_assert_max_num_queries(2):  # the search; the answer comes from the cache
        assert page({"q": "Kerkstraat 12"}).status_code == 200


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "120/min", "contact": "2/hour"},
        "NUM_PROXIES": 0,
    }
)
def test_the_contact_form_limit_ignores_a_made_up_forwarded_for_header(db):
    from tests.wijken.test_contact import FORM, make_officer, url

    officer = make_officer()
    client = Client()
    statuses = [client.post(url(officer), FORM, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(3)]
    assert statuses == [302, 302, 429]


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "120/min", "contact": "2/hour"},
        "NUM_PROXIES": 1,
    }
)
def test_behind_one_proxy_the_contact_form_limits_each_citizen(db):
    from tests.wijken.test_contact import FORM, make_officer, url

    officer = make_officer()
    client = Client()  # every request arrives from the proxy
    sent = [client.post(url(officer), FORM, HTTP_X_FORWARDED_FOR="10.0.0.31").status_code for _ in range(3)]
    assert sent == [302, 302, 429]
    assert client.post(url(officer), FORM, HTTP_X_FORWARDED_FOR="10.0.0.32").status_code == 302
    cache.delete_many(["contact-rate:10.0.0.31", "contact-rate:10.0.0.32"])
