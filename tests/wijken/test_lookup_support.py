"""Shared helpers for the mijn-buurt tests (no tests here): addresses stored the way the importer stores them,
and a clean slate in Redis for the lookup cache and the per-client limits."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache

from wijken import lookup
from wijken.lookup import caching
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
    return address


def this_week(weekday: int) -> datetime.date:
    """The date of the given weekday within the next seven days (today included)."""
    from django.utils import timezone

    today = timezone.localdate()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7)


def reset_limits(ip: str) -> None:
    """Forget the per-client counters of an address (the public API's fixed windows, the contact form's)."""
    now = time.time()
    keys = [f"contact-rate:{ip}"]
    for duration in (1, 60, 3600, 86400):
        window = int(now // duration)
        keys += [f"throttle-fw:{scope}:{ip}:{w}" for scope in ("public", "contact") for w in (window - 1, window)]
    cache.delete_many(keys)
    caching._counters.forget()  # and what this process counted but has not sent yet


def away_from_window_edge(seconds: int = 60, margin: float = 3.0) -> None:
    """Wait until the current fixed window has at least `margin` seconds left, so that a test counting requests
    in one window does not straddle two."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 0.05)


@pytest.fixture
def clean_slate():
    """Forget cached answers and reset the per-client counters this test could hit."""
    lookup.invalidate()
    reset_limits(CLIENT_IP)
    yield
    lookup.invalidate()
