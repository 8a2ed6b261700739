"""Personas (healthchecks' habit): alice is a wijkinspecteur, bob a teamchef and charlie a bestuur member
of zone A; olivia is the beheerder of zone B, an outsider to zone A with every right in her own zone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation
from django_scopes import scope, scopes_disabled

from tests import factories as f
from wijken.models import Membership, Role, Zone


@dataclass
class Personas:
    zone_a: Zone
    zone_b: Zone
    alice: Membership  # wijkinspecteur, zone A
    bob: Membership  # teamchef, zone A
    charlie: Membership  # bestuur, zone A
    olivia: Membership  # beheerder, zone B


@pytest.fixture(autouse=True, scope="session")
def fresh_test_cache():
    """Nothing an earlier run left in Redis under the tests' own key prefix (cached answers, counters, the
    lookup's version counters) carries into this run."""
    from django.conf import settings

    from wijken.lookup import redis_client

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert prefix.startswith("test-")  # never the development server's keys
    client = redis_client()
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.unlink(key)


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests read the English source strings. The product's default is Dutch; the language tests ask for
    nl and fr explicitly, and one test checks that Dutch is what a browser without preference gets."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def personas(db) -> Personas:
    # Test fixtures build rows of two zones at once.
    with scopes_disabled():
        zone_a = f.ZoneFactory(name="Zone Alpha", slug="alpha")
        zone_b = f.ZoneFactory(name="Zone Bravo", slug="bravo", boundary=f.square(5.0, 52.0, 0.2))
        return Personas(
            zone_a=zone_a,
            zone_b=zone_b,
            alice=f.MembershipFactory(zone=zone_a, role=Role.WIJKINSPECTEUR, user__username="alice"),
            bob=f.MembershipFactory(zone=zone_a, role=Role.TEAMCHEF, user__username="bob"),
            charlie=f.MembershipFactory(zone=zone_a, role=Role.BESTUUR, user__username="charlie"),
            olivia=f.MembershipFactory(zone=zone_b, role=Role.BEHEERDER, user__username="olivia", user__is_staff=True),
        )


def login(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def in_zone_a(personas):
    with scope(zone=personas.zone_a.pk):
        yield personas.zone_a


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker process on the real Redis, against the test database. Tests that use it need
    `transactional_db`, so that the worker sees their committed rows. Yields the folder the worker's
    e-mail goes to (file backend), so tests can read what was sent."""
    import os
    import subprocess
    import sys
    import time

    import redis
    from django.conf import settings
    from django.db import connection

    mail_dir = tmp_path_factory.mktemp("mail")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)  # no stale messages of an earlier run
    db = connection.settings_dict
    env = {
        **os.environ,
        "WIJKWERK_TESTING": "1",
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    for line in process.stdout:
        if "ready." in line:
            break
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the Celery worker did not start")
    try:
        yield mail_dir
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(condition, timeout: float = 30.0, interval: float = 0.1):
    """Poll until condition() is truthy (for effects of a real worker); returns its value."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:.0f} s")
