"""Imports from the admin: a beheerder uploads boundaries for their own zone; only a superuser uploads addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories as f
from tests.conftest import login
from wijken.models import Address, Wijk

DATA = Path(settings.BASE_DIR) / "data"
IMPORT_URL = "/admin/wijken/wijk/import/"
ADDRESS_IMPORT_URL = "/admin/wijken/address/import/"


@pytest.fixture
def beheerder(personas):
    """olivia, beheerder of zone B, with the admin permissions of the Beheerders group on wijken."""
    personas.olivia.user.user_permissions.set(Permission.objects.filter(content_type__app_label="wijken"))
    return login(personas.olivia)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_beheerder_imports_boundaries_into_her_own_zone(personas, beheerder):
    changelist = beheerder.get(reverse("admin:wijken_wijk_changelist"))
    assert IMPORT_URL.encode() in changelist.content
    assert beheerder.get(IMPORT_URL).status_code == 200

    content = (DATA / "oostende_wijken.geojson").read_bytes()
    response = beheerder.post(
        IMPORT_URL,
        {"file": upload("wijken.geojson", content), "name_field": "naam", "code_field": "code"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "8 created, 0 updated" in body and "Gap:" not in body.split("Report")[0]
    with scope(zone=personas.zone_b.pk):
        assert Wijk.objects.count() == 8
    with scope(zone=personas.zone_a.pk):
        assert Wijk.objects.count() == 0  # the zone comes from the request, never from the form

    again = beheerder.post(
        IMPORT_URL,
        {"file": upload("wijken.geojson", content), "name_field": "naam", "code_field": "code"},
    )
    assert "0 created, 8 updated" in again.content.decode()


def test_bad_boundary_upload_shows_the_problem(personas, beheerder):
    response = beheerder.post(
        IMPORT_URL,
        {
            "file": upload("wijken.geojson", (DATA / "oostende_wijken.geojson").read_bytes()),
            "name_field": "wijknaam",
            "code_field": "code",
        },
    )
    assert response.status_code == 200
    assert "no field &#x27;wijknaam&#x27;" in response.content.decode()
    not_geo = beheerder.post(
        IMPORT_URL, {"file": upload("kaart.geojson", b"no map here"), "name_field": "naam", "code_field": "code"}
    )
    assert "kaart.geojson is not a geographic file" in not_geo.content.decode()
    wrong_type = beheerder.post(
        IMPORT_URL, {"file": upload("wijken.shp", b"x"), "name_field": "naam", "code_field": "code"}
    )
    assert "zip them" in wrong_type.content.decode()
    with scope(zone=personas.zone_b.pk):
        assert Wijk.objects.count() == 0


def test_wijkinspecteur_without_admin_rights_cannot_import(personas):
    client = login(personas.alice)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_only_a_superuser_imports_addresses(personas, beheerder):
    csv_content = (
        "street,housenumber,postcode,municipality,lon,lat\n"
        "Aimé Liebaertstraat,1,8400,Oostende,2.941324,51.229903\n"
        "Kerkstraat,,8400,Oostende,2.9,51.2\n"
    ).encode()
    assert beheerder.get(ADDRESS_IMPORT_URL).status_code == 403
    assert beheerder.post(ADDRESS_IMPORT_URL, {"file": upload("a.csv", csv_content)}).status_code == 403
    assert Address.objects.count() == 0

    admin_user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    assert ADDRESS_IMPORT_URL.encode() in client.get(reverse("admin:wijken_address_changelist")).content
    response = client.post(ADDRESS_IMPORT_URL, {"file": upload("adressen.csv", csv_content), "source": "test"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 created" in body and "1 refused" in body and "line 3: street or house number missing" in body
    assert Address.objects.get().source == "test"

    # The admin search normalises like the importer: no accent, any case.
    found = client.get(reverse("admin:wijken_address_changelist"), {"q": "AIME liebaert"})
    assert "Aimé Liebaertstraat" in found.content.decode()
    missed = client.get(reverse("admin:wijken_address_changelist"), {"q": "Kerkstraat"})
    assert "Aimé Liebaertstraat" not in missed.content.decode()
