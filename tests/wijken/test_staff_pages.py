"""Staff pages of wijken, wijkinspecteurs, contactpunten and spreekuren: the role matrix, validation,
htmx partials and query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests import factories as f
from tests.conftest import login
from wijken.models import Assignment, Spreekuur, SpreekuurException, Wijk

Role = Assignment.AssignmentRole


@pytest.fixture
def world(personas):
    """Alice serves wijk "Noord" (with contactpunt noord_cp); "Zuid" (with zuid_cp) is someone else's."""
    zone = personas.zone_a
    with scopes_disabled():
        pw = f.WijkFactory(zone=zone, code="P1", name="Politiewijk Een", kind=Wijk.Kind.POLITIEWIJK, inhabitants=None)
        noord = f.WijkFactory(zone=zone, code="P1-N", name="Noord", parent=pw, inhabitants=5000)
        zuid = f.WijkFactory(zone=zone, code="P1-Z", name="Zuid", parent=pw, inhabitants=3000)
        alice_profile = f.WijkinspecteurFactory(zone=zone, user=personas.alice.user, display_name="Alice Agent")
        other = f.WijkinspecteurFactory(zone=zone, display_name="Otto Ander")
        f.AssignmentFactory(zone=zone, wijk=noord, wijkinspecteur=alice_profile, starts_on=datetime.date(2024, 1, 1))
        f.AssignmentFactory(zone=zone, wijk=zuid, wijkinspecteur=other, starts_on=datetime.date(2024, 1, 1))
        noord_cp = f.ContactpuntFactory(zone=zone, wijk=noord, name="Buurthuis Noord")
        zuid_cp = f.ContactpuntFactory(zone=zone, wijk=zuid, name="Buurthuis Zuid")
    return {
        "pw": pw,
        "noord": noord,
        "zuid": zuid,
        "alice_profile": alice_profile,
        "other": other,
        "noord_cp": noord_cp,
        "zuid_cp": zuid_cp,
    }


def png(size=(20, 20), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, fmt)
    return buffer.getvalue()


# --- Role matrix ----------------------------------------------------------------------------------------

STAFF_PAGES = ["/wijken/", "/toewijzingen/", "/wijkinspecteurs/", "/contactpunten/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_open_for_alice_and_bob_and_refuse_charlie(personas, world, url):
    assert login(personas.alice).get(url).status_code == 200
    assert login(personas.bob).get(url).status_code == 200
    assert login(personas.charlie).get(url).status_code == 403


def test_detail_pages_refuse_bestuur_and_answer_404_to_another_zone(personas, world):
    urls = [
        f"/wijken/{world['noord'].pk}/",
        f"/wijkinspecteurs/{world['other'].pk}/",
        f"/contactpunten/{world['noord_cp'].pk}/",
    ]
    for url in urls:
        assert login(personas.alice).get(url).status_code == 200, url
        assert login(personas.charlie).get(url).status_code == 403, url
        assert login(personas.olivia).get(url).status_code == 404, url


def test_wijk_list_groups_by_politiewijk_with_map_features_and_officers(personas, world):
    response = login(personas.alice).get("/wijken/")
    body = response.content.decode()
    assert "Politiewijk Een" in body and "Alice Agent" in body and "Otto Ander" in body
    features = response.context["features"]["features"]
    assert {feat["properties"]["label"] for feat in features} >= {"P1-N · Noord", "P1-Z · Zuid"}
    assert all(feat["properties"]["url"].startswith("/wijken/") for feat in features)
    group = response.context["overview"].groups[0]
    assert group.politiewijk.wijk == world["pw"] and [r.wijk.code for r in group.rows] == ["P1-N", "P1-Z"]


def test_wijk_list_filters_by_search_and_shortfall(personas, world):
    client = login(personas.bob)
    overview = client.get("/wijken/", {"q": "zuid"}).context["overview"]
    assert [r.wijk.name for r in overview.rows] == ["Zuid"]
    assert overview.groups[0].politiewijk.wijk == world["pw"]  # the heading stays
    overview = client.get("/wijken/", {"parent": world["pw"].pk}).context["overview"]
    assert [r.wijk.name for r in overview.rows] == ["Noord", "Zuid"]
    # Noord: 5,000 inhabitants and 1 officer (short 0.3: within the norm); Zuid 3,000 and 1: fine.
    assert client.get("/wijken/", {"shortfall": "1"}).context["overview"].rows == []
    with scope(zone=personas.zone_a.pk):
        Assignment.objects.filter(wijk=world["zuid"]).update(ends_on=datetime.date(2024, 12, 31))
    rows = client.get("/wijken/", {"shortfall": "1"}).context["overview"].rows
    assert [r.wijk.name for r in rows] == ["Zuid"]
    assert client.get("/wijken/", {"parent": "nonsense"}).status_code == 200


def test_wijk_detail_shows_history_contactpunten_children_and_versions(personas, world):
    with scopes_disabled():
        f.AssignmentFactory(
            zone=personas.zone_a,
            wijk=world["noord"],
            wijkinspecteur=world["other"],
            role=Role.WIJKINSPECTEUR,
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2023, 12, 31),
        )
        f.SpreekuurFactory(zone=personas.zone_a, contactpunt=world["noord_cp"], weekday=0)
        f.WijkFactory(
            zone=personas.zone_a,
            code="P1-N",
            name="Noord (oud)",
            valid_from=datetime.date(2010, 1, 1),
            valid_until=datetime.date(2020, 1, 1),
        )
    client = login(personas.alice)
    ctx = client.get(f"/wijken/{world['noord'].pk}/").context
    assert [a.wijkinspecteur.display_name for a in ctx["past_assignments"]] == ["Otto Ander"]
    assert [a.wijkinspecteur.display_name for a in ctx["current_assignments"]] == ["Alice Agent"]
    assert [c.name for c in ctx["contactpunten"]] == ["Buurthuis Noord"]
    assert len(ctx["contactpunten"][0].spreekuren_list) == 1
    assert [v.name for v in ctx["versions"]] == ["Noord (oud)"]
    pw_ctx = client.get(f"/wijken/{world['pw'].pk}/").context
    assert [c.code for c in pw_ctx["children"]] == ["P1-N", "P1-Z"]


def test_wijk_list_runs_in_constant_queries(personas, world, django_assert_max_num_queries):
    client = login(personas.bob)
    with django_assert_max_num_queries(10):
        client.get("/wijken/")
    with scopes_disabled():
        for _ in range(25):
            wijk = f.WijkFactory(zone=personas.zone_a, parent=world["pw"])
            f.AssignmentFactory(zone=personas.zone_a, wijk=wijk, starts_on=datetime.date(2024, 1, 1))
    with django_assert_max_num_queries(10):
        response = client.get("/wijken/")
    assert len(response.context["overview"].rows) == 27


@pytest.mark.parametrize("url", ["/wijkinspecteurs/", "/contactpunten/"])
def test_other_lists_run_in_constant_queries(personas, world, django_assert_max_num_queries, url):
    client = login(personas.alice)
    with django_assert_max_num_queries(12):
        client.get(url)
    with scopes_disabled():
        for _ in range(20):
            officer = f.WijkinspecteurFactory(zone=personas.zone_a)
            f.AssignmentFactory(zone=personas.zone_a, wijkinspecteur=officer, starts_on=datetime.date(2024, 1, 1))
            f.ContactpuntFactory(zone=personas.zone_a)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Wijkinspecteur profiles ----------------------------------------------------------------------------


def test_wijkinspecteur_edits_own_profile_with_photo_languages_and_links(personas, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = login(personas.alice)
    url = f"/wijkinspecteurs/{world['alice_profile'].pk}/bewerken/"
    response = client.post(
        url,
        {
            "display_name": "Alice Agent",
            "rank": "Hoofdinspecteur",
            "introduction": "Hallo",
            "languages": ["nl", "en"],
            "social_links": "https://example.org/alice\nhttps://social.example/@alice",
            "photo": SimpleUploadedFile("me.png", png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    profile = world["alice_profile"]
    profile.refresh_from_db()
    assert profile.rank == "Hoofdinspecteur" and profile.languages == ["nl", "en"]
    assert profile.social_links == ["https://example.org/alice", "https://social.example/@alice"]
    assert profile.photo.name.startswith("wijkinspecteurs/")


def test_bad_photo_and_bad_links_are_clear_form_errors(personas, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    url = f"/wijkinspecteurs/{world['alice_profile'].pk}/bewerken/"
    response = login(personas.alice).post(
        url,
        {
            "display_name": "Alice Agent",
            "social_links": "javascript:alert(1)",
            "photo": SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "photo" in errors and "social_links" in errors
    gif = SimpleUploadedFile("me.gif", png(fmt="GIF"), content_type="image/gif")
    response = login(personas.alice).post(url, {"display_name": "Alice Agent", "photo": gif})
    assert "JPEG, PNG or WebP" in str(response.context["form"].errors["photo"])


def test_wijkinspecteur_cannot_edit_another_profile_but_teamchef_can(personas, world):
    url = f"/wijkinspecteurs/{world['other'].pk}/bewerken/"
    assert login(personas.alice).get(url).status_code == 403
    assert login(personas.alice).post(url, {"display_name": "Hacked"}).status_code == 403
    response = login(personas.bob).post(url, {"display_name": "Otto Ander", "rank": "Inspecteur", "is_active": ""})
    assert response.status_code == 302
    world["other"].refresh_from_db()
    assert world["other"].is_active is False


# --- Contactpunten and spreekuren -----------------------------------------------------------------------


def test_wijkinspecteur_adds_spreekuur_in_own_wijk_via_htmx_but_not_elsewhere(personas, world):
    client = login(personas.alice)
    data = {"weekday": "1", "starts_at": "09:00", "ends_at": "11:00", "wijkinspecteur": world["alice_profile"].pk}
    response = client.post(f"/contactpunten/{world['noord_cp'].pk}/spreekuren/nieuw/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="spreekuren"' in response.content.decode() and "09:00" in response.content.decode()
    assert "<html" not in response.content.decode()  # a partial, not a page
    response = client.post(f"/contactpunten/{world['zuid_cp'].pk}/spreekuren/nieuw/", data)
    assert response.status_code == 403
    with scope(zone=personas.zone_a.pk):
        assert Spreekuur.objects.filter(contactpunt=world["noord_cp"]).count() == 1
        assert Spreekuur.objects.filter(contactpunt=world["zuid_cp"]).count() == 0


def test_overlapping_spreekuur_is_refused_with_a_clear_message(personas, world):
    with scopes_disabled():
        f.SpreekuurFactory(
            zone=personas.zone_a,
            contactpunt=world["noord_cp"],
            weekday=1,
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
        )
    client = login(personas.bob)
    url = f"/contactpunten/{world['noord_cp'].pk}/spreekuren/nieuw/"
    response = client.post(url, {"weekday": "1", "starts_at": "11:00", "ends_at": "13:00"})
    assert response.status_code == 200
    assert "overlaps" in str(response.context["form"].errors)
    response = client.post(url, {"weekday": "1", "starts_at": "15:00", "ends_at": "14:00"}, HTTP_HX_REQUEST="true")
    assert "must end after it starts" in response.content.decode()


def test_spreekuur_edit_and_delete(personas, world):
    with scopes_disabled():
        s = f.SpreekuurFactory(zone=personas.zone_a, contactpunt=world["noord_cp"])
    client = login(personas.alice)
    response = client.post(
        f"/contactpunten/spreekuren/{s.pk}/bewerken/", {"weekday": "4", "starts_at": "14:00", "ends_at": "16:00"}
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.weekday == 4
    assert client.get(f"/contactpunten/spreekuren/{s.pk}/verwijderen/").status_code == 405
    response = client.post(f"/contactpunten/spreekuren/{s.pk}/verwijderen/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scope(zone=personas.zone_a.pk):
        assert not Spreekuur.objects.filter(pk=s.pk).exists()


def test_exceptions_closed_day_and_other_hours(personas, world):
    client = login(personas.bob)
    url = f"/contactpunten/{world['noord_cp'].pk}/uitzonderingen/nieuw/"
    assert client.post(url, {"date": "2026-12-25", "closed": "on", "reason": "Kerstmis"}).status_code == 302
    response = client.post(url, {"date": "2026-12-25", "closed": "on"})
    assert "already an exception" in str(response.context["form"].errors)
    response = client.post(url, {"date": "2026-12-24"})
    assert "Give the hours" in str(response.context["form"].errors)
    assert client.post(url, {"date": "2026-12-24", "starts_at": "09:00", "ends_at": "10:00"}).status_code == 302
    with scope(zone=personas.zone_a.pk):
        assert SpreekuurException.objects.filter(contactpunt=world["noord_cp"]).count() == 2


def test_contactpunt_edit_with_coordinates_and_rights(personas, world):
    client = login(personas.alice)
    url = f"/contactpunten/{world['noord_cp'].pk}/bewerken/"
    base = {"name": "Buurthuis Noord", "kind": "antennepunt", "wijk": world["noord"].pk, "is_active": "on"}
    response = client.post(url, {**base, "latitude": "51.06", "longitude": "3.06", "open_24_7": "on"})
    assert response.status_code == 302, response.context["form"].errors
    world["noord_cp"].refresh_from_db()
    assert round(world["noord_cp"].point.y, 2) == 51.06 and world["noord_cp"].open_24_7
    response = client.post(url, {**base, "latitude": "51.06"})
    assert "longitude" in response.context["form"].errors
    response = client.post(url, {**base, "latitude": "10", "longitude": "10"})
    assert "far outside the zone" in str(response.context["form"].errors)
    # Alice cannot move it into a wijk she does not serve, nor edit another wijk's contactpunt.
    response = client.post(url, {**base, "wijk": world["zuid"].pk})
    assert "wijk" in response.context["form"].errors
    assert client.get(f"/contactpunten/{world['zuid_cp'].pk}/bewerken/").status_code == 403
    assert client.get("/contactpunten/nieuw/").status_code == 403
    response = login(personas.bob).post("/contactpunten/nieuw/", {**base, "name": "Nieuw punt", "kind": "wijkkantoor"})
    assert response.status_code == 302
