"""Shared helpers for the mijn-buurt tests (no tests here): addresses stored the way the importer stores them,
and a clean slate in Redis for the lookup cache and the per-client limits."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connection

from wijken import lookup
from wijken.models import Address

CLIENT_IP = "127.0.0.1"


def make_address(
    street: str,
    number: str,
    lon: float,
    lat: float,
    *,
    postcode: str = "8400",
    municipality: str = "Oostende",
    box: str = "",
    country: str = "BE",
) -> Address:
    address = Address.objects.create(
        country=country,
        street=street,
        house_number=number,
        box=box,
        postcode=postcode,
        municipality=municipality,
        point=Point(lon, lat, srid=4326),
    )
    # The same normalisation as wijken.importers (lower(unaccent(...)) in SQL).
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE wijken_address SET search_text = left(lower(unaccent(concat_ws(' ', street, house_number,
               nullif(box, ''), postcode, municipality))), 400) WHERE id = %s""",
            [address.pk],
        )
    return address


def this_week(weekday: int) -> datetime.date:
    """The date of the given weekday within the next seven days (today included)."""
    from django.utils import timezone

    today = timezone.localdate()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7)


@pytest.fixture
def clean_slate():
    """Forget cached answers and reset the per-client counters this test could hit."""
    lookup.invalidate()
    cache.delete_many([f"throttle_public_{CLIENT_IP}", f"throttle_contact_{CLIENT_IP}", f"contact-rate:{CLIENT_IP}"])
    yield
    lookup.invalidate()
