"""The public mijn-buurt API: answers, bad input as 400 with a reason, throttling, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_scopes import scopes_disabled

from tests import factories as f
from tests.wijken.test_lookup_support import (  # noqa: F401
    away_from_window_edge,
    clean_slate,
    make_address,
    reset_limits,
)

pytestmark = pytest.mark.usefixtures("clean_slate")

URL = "/api/v1/mijn-buurt/"


@pytest.fixture
def served(db):
    with scopes_disabled():
        zone = f.ZoneFactory(name="PZ Kust", boundary=f.square(2.8, 51.1, 0.3), non_emergency_number="059 70 11 11")
        wijk = f.WijkFactory(zone=zone, code="W1", name="Centrum", boundary=f.square(2.8, 51.2, 0.2))
        f.AssignmentFactory(
            zone=zone, wijk=wijk, wijkinspecteur__display_name="Anna Peeters", wijkinspecteur__email="anna@politie.be"
        )
    make_address("Kerkstraat", "12", 2.85, 51.25)
    make_address("Kerkstraat", "14", 2.851, 51.251)
    return zone


def test_q_with_an_unambiguous_address_gives_candidates_and_the_answer(served):
    response = Client().get(URL, {"q": "kerkstraat 12"})
    assert response.status_code == 200
    data = response.json()
    assert [c["label"] for c in data["candidates"]] == ["Kerkstraat 12, 8400 Oostende"]
    assert data["answer"]["wijk"]["name"] == "Centrum"
    assert [o["name"] for o in data["answer"]["officers"]] == ["Anna Peeters"]
    assert "anna@politie.be" not in response.content.decode()


def test_q_with_an_ambiguous_address_gives_candidates_only(served):
    data = Client().get(URL, {"q": "Kerkstraat"}).json()
    assert len(data["candidates"]) == 2
    assert data["answer"] is None


def test_address_and_point(served):
    candidate = Client().get(URL, {"q": "kerkstraat 14"}).json()["candidates"][0]
    by_address = Client().get(URL, {"address": candidate["id"]}).json()
    assert by_address["candidates"] is None
    assert by_address["answer"]["address"]["label"] == "Kerkstraat 14, 8400 Oostende"
    by_point = Client().get(URL, {"lat": "51.25", "lon": "2.85"}).json()
    assert by_point["answer"]["zone"]["name"] == "PZ Kust" and by_point["answer"]["wijk"]["code"] == "W1"
    assert Client().get(URL, {"address": 999_999}).status_code == 404


def test_outside_every_zone_answers_kindly_with_national_numbers(served):
    answer = Client().get(URL, {"lat": 52.37, "lon": 4.89}).json()["answer"]
    assert answer["found"] is False and answer["covered"] is False
    assert answer["numbers"] == {"emergency": "112", "police_emergency": "", "non_emergency": "0900-8844"}


def test_autocomplete(served):
    response = Client().get("/api/v1/mijn-buurt/adressen/", {"q": "kerkstr"})
    assert response.status_code == 200
    assert {c["label"] for c in response.json()["candidates"]} == {
        "Kerkstraat 12, 8400 Oostende",
        "Kerkstraat 14, 8400 Oostende",
    }
    assert Client().get("/api/v1/mijn-buurt/adressen/").status_code == 400


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"lat": "91", "lon": "3"}, "lat"),
        ({"lat": "51", "lon": "-181"}, "lon"),
        ({"lat": "abc", "lon": "3"}, "lat"),
        ({"lat": "NaN", "lon": "3"}, "lat"),
        ({"lat": "51"}, "lon"),
        ({"address": "abc"}, "address"),
        ({"address": "-3"}, "address"),
        ({"limit": "0", "q": "kerkstraat"}, "limit"),
        ({"q": "kerkstraat", "lat": "51", "lon": "3"}, "non_field_errors"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(served, params, field):
    response = Client().get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "3/min", "contact": "5/hour"},
    }
)
def test_public_api_is_throttled_per_client(served):
    client = Client()
    away_from_window_edge()
    statuses = [client.get(URL, {"lat": 51.25, "lon": 2.85}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client.get(URL, {"lat": 51.25, "lon": 2.85})["Retry-After"]) <= 60
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(URL, {"lat": 51.25, "lon": 2.85}).status_code == 200
    reset_limits("10.0.0.9")


def test_a_cached_answer_costs_no_query(served, django_assert_num_queries):
    client = Client()
    client.get(URL, {"lat": 51.25, "lon": 2.85})
    with django_assert_num_queries(0):
        assert client.get(URL, {"lat": 51.25, "lon": 2.85}).status_code == 200


def test_the_schema_documents_the_lookup(db):
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    lookup = paths["/api/v1/mijn-buurt/"]["get"]
    assert {p["name"] for p in lookup["parameters"]} >= {"q", "address", "lat", "lon"}
    assert "MijnBuurtLookup" in str(lookup["responses"]["200"])
    assert "/api/v1/mijn-buurt/adressen/" in paths
    assert "/api/v1/contact-messages/{id}/mark-read/" in paths


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "3/min", "contact": "5/hour"},
        "NUM_PROXIES": 0,
    }
)
def test_a_made_up_forwarded_for_header_does_not_dodge_the_throttle(served):
    client = Client()
    away_from_window_edge()
    statuses = [
        client.get(URL, {"lat": 51.25, "lon": 2.85}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "3/min", "contact": "5/hour"},
        "NUM_PROXIES": 1,
    }
)
def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(served):
    client = Client()  # every request arrives from the proxy (127.0.0.1)
    away_from_window_edge()
    # The citizen can prepend anything; the address our proxy appended is the one that counts.
    statuses = [
        client.get(URL, {"lat": 51.25, "lon": 2.85}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 10.0.0.21").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    other = client.get(URL, {"lat": 51.25, "lon": 2.85}, HTTP_X_FORWARDED_FOR="10.0.0.22")
    assert other.status_code == 200
    reset_limits("10.0.0.21")
    reset_limits("10.0.0.22")


# --- The hot path: cached answers without DRF, one Redis round trip; same answers, same limits ----------------


def test_the_hot_path_answers_exactly_as_the_full_path(served):
    client = Client()
    # An extra parameter (a tracking tag) is a shape the hot path leaves to DRF, which ignores it.
    for hot, full in [
        ({"lat": "51.25", "lon": "2.85"}, {"lat": "51.25", "lon": "2.85", "utm": "x"}),
        ({"q": "kerkstraat 12"}, {"q": " kerkstraat 12 ", "utm": "x"}),
        ({"q": "Kerkstraat", "limit": "1"}, {"q": "Kerkstraat", "limit": "1", "utm": "x"}),
    ]:
        first = client.get(URL, hot)
        again = client.get(URL, hot)  # from the cache
        reference = client.get(URL, full)
        assert first.status_code == again.status_code == reference.status_code == 200
        assert first.json() == again.json() == reference.json()
        assert first["Content-Type"] == "application/json"


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "4/min", "contact": "5/hour"},
    }
)
def test_every_kind_of_request_counts_against_the_one_limit(served):
    client = Client()
    away_from_window_edge()
    address = client.get(URL, {"q": "kerkstraat 12"}).json()["candidates"][0]["id"]
    statuses = [
        client.get(URL, params).status_code
        for params in ({"q": "kerkstraat 12"}, {"address": address}, {"lat": 51.25, "lon": 2.85}, {"q": "Kerkstraat"})
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(URL, {"lat": 51.25, "lon": 2.85})
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()


def test_a_cached_search_follows_a_change_of_the_addresses(served, django_assert_num_queries):
    client = Client()
    assert len(client.get(URL, {"q": "kerkstraat 1"}).json()["candidates"]) == 2
    with django_assert_num_queries(0):
        assert client.get(URL, {"q": "kerkstraat 1"}).status_code == 200
    make_address("Kerkstraat", "16", 2.852, 51.252)  # bumps the version, as an import does
    assert len(client.get(URL, {"q": "kerkstraat 1"}).json()["candidates"]) == 3


@pytest.mark.parametrize("q", ["", "   ", "x" * 201, "kerk\x00straat"])
def test_the_hot_path_leaves_bad_queries_to_the_serializer(served, q):
    response = Client().get(URL, {"q": q})
    assert response.status_code == 400 and "q" in response.json()
