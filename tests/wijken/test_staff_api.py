"""The staff API: GeoJSON wijken, roles and object-level rights, services behind writes, 400s for bad input."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.conftest import login
from wijken.models import Assignment, Spreekuur, Wijk


@pytest.fixture
def world(personas):
    zone = personas.zone_a
    with scopes_disabled():
        pw = f.WijkFactory(zone=zone, code="P1", kind=Wijk.Kind.POLITIEWIJK)
        noord = f.WijkFactory(zone=zone, code="N", name="Noord", parent=pw)
        zuid = f.WijkFactory(zone=zone, code="Z", name="Zuid")
        f.WijkFactory(
            zone=zone, code="OLD", valid_from=datetime.date(2000, 1, 1), valid_until=datetime.date(2010, 1, 1)
        )
        alice_profile = f.WijkinspecteurFactory(zone=zone, user=personas.alice.user, display_name="Alice Agent")
        other = f.WijkinspecteurFactory(zone=zone, display_name="Otto Ander")
        f.AssignmentFactory(zone=zone, wijk=noord, wijkinspecteur=alice_profile, starts_on=datetime.date(2024, 1, 1))
        noord_cp = f.ContactpuntFactory(zone=zone, wijk=noord)
        zuid_cp = f.ContactpuntFactory(zone=zone, wijk=zuid)
        foreign_wijk = f.WijkFactory(zone=personas.zone_b)
    return locals()


def test_wijken_as_geojson_geometry_with_filters(personas, world):
    client = login(personas.alice)
    data = client.get("/api/v1/wijken/").json()
    by_code = {w["code"]: w for w in data["results"]}
    assert by_code["N"]["boundary"]["type"] == "MultiPolygon"
    assert by_code["N"]["parent"] == world["pw"].pk
    assert {w["code"] for w in client.get("/api/v1/wijken/", {"kind": "politiewijk"}).json()["results"]} == {"P1"}
    assert {w["code"] for w in client.get("/api/v1/wijken/", {"parent": world["pw"].pk}).json()["results"]} == {"N"}
    assert "OLD" not in {w["code"] for w in client.get("/api/v1/wijken/", {"current": "true"}).json()["results"]}
    assert client.get("/api/v1/wijken/", {"geometry": "false"}).json()["results"][0]["boundary"] is None
    assert client.get("/api/v1/wijken/", {"kind": "nonsense"}).status_code == 400
    assert login(personas.bob).post("/api/v1/wijken/", {}, content_type="application/json").status_code == 405


def test_bestuur_and_partner_get_403_on_personal_endpoints(personas, world):
    charlie = login(personas.charlie)
    for url in ["/api/v1/wijken/", "/api/v1/wijkinspecteurs/", "/api/v1/assignments/", "/api/v1/contactpunten/"]:
        assert charlie.get(url).status_code == 403, url
    assert charlie.get("/api/v1/norm/").status_code == 200


def test_other_zone_objects_answer_404(personas, world):
    olivia = login(personas.olivia)
    assert olivia.get(f"/api/v1/wijkinspecteurs/{world['other'].pk}/").status_code == 404
    assert (
        olivia.patch(f"/api/v1/contactpunten/{world['noord_cp'].pk}/", {}, content_type="application/json").status_code
        == 404
    )


def test_assignment_create_and_end_through_the_services(personas, world):
    client = login(personas.bob)
    payload = {
        "wijk": world["zuid"].pk,
        "wijkinspecteur": world["other"].pk,
        "role": "wijkinspecteur",
        "starts_on": "2025-01-01",
    }
    response = client.post("/api/v1/assignments/", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    # A second main wijkinspecteur: 400 naming the current one.
    response = client.post(
        "/api/v1/assignments/",
        {**payload, "wijkinspecteur": world["alice_profile"].pk, "starts_on": "2025-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Otto Ander" in str(response.json()["starts_on"])
    response = client.patch(f"/api/v1/assignments/{pk}/", {"ends_on": "2025-05-31"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["ends_on"] == "2025-05-31"
    response = client.post(
        "/api/v1/assignments/",
        {**payload, "wijkinspecteur": world["alice_profile"].pk, "starts_on": "2025-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client.delete(f"/api/v1/assignments/{pk}/").status_code == 405


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"wijk": 999999, "wijkinspecteur": None, "role": "wijkinspecteur", "starts_on": "2025-01-01"}, "wijk"),
        ({"role": "boss", "starts_on": "2025-01-01"}, "role"),
        ({"role": "wijkteam", "starts_on": "yesterday"}, "starts_on"),
        ({"role": "standin", "starts_on": "2025-01-01"}, "ends_on"),
        ({"role": "wijkteam", "starts_on": "2025-02-01", "ends_on": "2025-01-01"}, "ends_on"),
    ],
)
def test_assignment_bad_input_is_a_400_with_field_errors(personas, world, payload, field):
    body = {"wijk": world["zuid"].pk, "wijkinspecteur": world["other"].pk, **payload}
    response = login(personas.bob).post("/api/v1/assignments/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_assignment_for_another_zones_wijk_is_a_400_not_a_leak(personas, world):
    body = {
        "wijk": world["foreign_wijk"].pk,
        "wijkinspecteur": world["other"].pk,
        "role": "wijkteam",
        "starts_on": "2025-01-01",
    }
    response = login(personas.bob).post("/api/v1/assignments/", body, content_type="application/json")
    assert response.status_code == 400 and "wijk" in response.json()


def test_wijkinspecteur_cannot_write_assignments(personas, world):
    body = {
        "wijk": world["zuid"].pk,
        "wijkinspecteur": world["alice_profile"].pk,
        "role": "wijkteam",
        "starts_on": "2025-01-01",
    }
    assert login(personas.alice).post("/api/v1/assignments/", body, content_type="application/json").status_code == 403


def test_own_profile_only_for_a_wijkinspecteur(personas, world):
    client = login(personas.alice)
    own = f"/api/v1/wijkinspecteurs/{world['alice_profile'].pk}/"
    response = client.patch(
        own, {"introduction": "Hallo", "social_links": ["https://example.org"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    response = client.patch(own, {"social_links": ["ftp://nope", "x"]}, content_type="application/json")
    assert response.status_code == 400 and "social_links" in response.json()
    response = client.patch(own, {"languages": ["xx"]}, content_type="application/json")
    assert response.status_code == 400 and "languages" in response.json()
    other = f"/api/v1/wijkinspecteurs/{world['other'].pk}/"
    assert client.patch(other, {"introduction": "x"}, content_type="application/json").status_code == 403
    assert (
        client.post("/api/v1/wijkinspecteurs/", {"display_name": "X"}, content_type="application/json").status_code
        == 403
    )
    bob = login(personas.bob)
    assert bob.patch(other, {"introduction": "Door de teamchef"}, content_type="application/json").status_code == 200
    response = bob.post("/api/v1/wijkinspecteurs/", {"display_name": ""}, content_type="application/json")
    assert response.status_code == 400 and "display_name" in response.json()


def test_spreekuren_by_wijkinspecteur_only_for_own_contactpunten(personas, world):
    client = login(personas.alice)
    body = {"contactpunt": world["noord_cp"].pk, "weekday": 2, "starts_at": "10:00", "ends_at": "12:00"}
    response = client.post("/api/v1/spreekuren/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.post(
        "/api/v1/spreekuren/", {**body, "starts_at": "11:00", "ends_at": "13:00"}, content_type="application/json"
    )
    assert response.status_code == 400 and "starts_at" in response.json()
    response = client.post(
        "/api/v1/spreekuren/", {**body, "contactpunt": world["zuid_cp"].pk}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.patch(f"/api/v1/spreekuren/{pk}/", {"ends_at": "09:00"}, content_type="application/json")
    assert response.status_code == 400 and "ends_at" in response.json()
    assert client.delete(f"/api/v1/spreekuren/{pk}/").status_code == 204
    with scopes_disabled():
        theirs = f.SpreekuurFactory(zone=personas.zone_a, contactpunt=world["zuid_cp"])
    assert client.delete(f"/api/v1/spreekuren/{theirs.pk}/").status_code == 403
    with scope(zone=personas.zone_a.pk):
        assert Spreekuur.objects.filter(pk=theirs.pk).exists()


def test_spreekuur_exceptions_and_contactpunten_via_api(personas, world):
    bob = login(personas.bob)
    body = {"contactpunt": world["noord_cp"].pk, "date": "2026-12-25", "closed": True, "reason": "Kerstmis"}
    assert bob.post("/api/v1/spreekuur-exceptions/", body, content_type="application/json").status_code == 201
    response = bob.post("/api/v1/spreekuur-exceptions/", body, content_type="application/json")
    assert response.status_code == 400 and "date" in response.json()
    response = bob.post(
        "/api/v1/spreekuur-exceptions/",
        {**body, "date": "2026-12-24", "closed": False},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = bob.post(
        "/api/v1/contactpunten/",
        {"name": "Politiehuis", "kind": "politiekantoor", "latitude": 51.05, "longitude": 3.05, "open_24_7": True},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["latitude"] == 51.05
    response = bob.post(
        "/api/v1/contactpunten/", {"name": "X", "kind": "kiosk", "latitude": 91}, content_type="application/json"
    )
    assert response.status_code == 400 and {"kind", "latitude"} <= set(response.json())
    alice = login(personas.alice)
    own = f"/api/v1/contactpunten/{world['noord_cp'].pk}/"
    assert alice.patch(own, {"phone": "059 11 11 11"}, content_type="application/json").status_code == 200
    assert alice.patch(own, {"wijk": world["zuid"].pk}, content_type="application/json").status_code == 403
    assert alice.delete(own).status_code == 403


def test_api_lists_run_in_constant_queries(personas, world, django_assert_max_num_queries):
    client = login(personas.bob)
    urls = [
        "/api/v1/wijken/",
        "/api/v1/wijkinspecteurs/",
        "/api/v1/assignments/",
        "/api/v1/contactpunten/",
        "/api/v1/spreekuren/",
        "/api/v1/spreekuur-exceptions/",
        "/api/v1/norm/",
    ]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url
    with scopes_disabled():
        for _ in range(15):
            cp = f.ContactpuntFactory(zone=personas.zone_a)
            f.SpreekuurFactory(zone=personas.zone_a, contactpunt=cp)
            f.SpreekuurExceptionFactory(zone=personas.zone_a, contactpunt=cp)
            f.AssignmentFactory(zone=personas.zone_a, starts_on=datetime.date(2024, 1, 1))
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url
    with scope(zone=personas.zone_a.pk):
        assert Assignment.objects.count() == 16


def test_openapi_schema_describes_the_staff_api(personas):
    response = login(personas.bob).get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/norm/", "/api/v1/wijken/{id}/", "/api/v1/assignments/", "/api/v1/spreekuur-exceptions/"):
        assert path in body
