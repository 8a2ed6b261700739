"""The daily digest, end to end through a real Celery worker on the real Redis, and its idempotency."""

from __future__ import annotations

import importlib

import pytest
from django_celery_beat.models import PeriodicTask
from django_scopes import scope

from sectorscans.models import DigestRun
from sectorscans.services import digest_send
from sectorscans.tasks import send_sectorscan_digest, send_sectorscan_digests
from tests import factories as f
from tests.conftest import wait_for
from wijken.models import Membership, Role
from wijken.services.membership import membership_create

from .conftest import days_ago, take


def _mails(mail_dir) -> str:
    return "".join(p.read_text() for p in sorted(mail_dir.glob("*.log")))


@pytest.mark.worker
def test_digest_goes_through_the_worker_and_is_sent_once(transactional_db, world, celery_worker):
    take(world, world.contact1, date=days_ago(380), scores={"verkeer": 5})  # alice: overdue; oscar: never
    for path in celery_worker.glob("*.log"):
        path.unlink()
    # The beat entry point's body runs here and fans out one task per zone to the worker. (Run inside the worker,
    # its fan-out would go to the worker's own default queue, which tests/conftest.py names differently.)
    assert send_sectorscan_digests() >= 2

    def runs():
        with scope(zone=world.zone.pk):
            return DigestRun.objects.filter(sent_at__isnull=False).count() == 2

    assert wait_for(runs)
    # Run the zone's digest again, then a welcome e-mail as a marker: the solo worker handles them in order.
    send_sectorscan_digest.delay(world.zone.pk)
    user = f.UserFactory(email="marker@example.org")
    with scope(zone=world.zone.pk):
        marker = membership_create(zone=world.zone, user=user, role=Role.MEDEWERKER)

    def marker_sent():
        with scope(zone=world.zone.pk):
            return Membership.objects.get(pk=marker.pk).welcomed_at

    assert wait_for(marker_sent)
    text = _mails(celery_worker)
    assert text.count("To: alice@example.org") == 1
    assert text.count("To: oscar@example.org") == 1
    alice_part = text.split("To: alice@example.org")[1].split("To: ")[0]
    assert "Carla Contact" in alice_part and "Dirk Contact" not in alice_part


def test_digest_service_claims_once_per_day(world, mailoutbox):
    take(world, world.contact1, date=days_ago(340), scores={"verkeer": 5})  # due within 30 days
    with scope(zone=world.zone.pk):
        assert digest_send(zone=world.zone) == 2
        assert digest_send(zone=world.zone) == 0
        assert DigestRun.objects.filter(wijkinspecteur=world.alice_wi).get().items == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "oscar@example.org"]
    alice = next(m for m in mailoutbox if m.to == ["alice@example.org"])
    assert "Carla Contact" in alice.body and "sectorscans/take/" in alice.body


def test_nothing_due_sends_nothing(world, mailoutbox):
    take(world, world.contact1, date=days_ago(10), scores={"verkeer": 5})
    take(world, world.contact2, date=days_ago(10), scores={"verkeer": 5}, inspecteur=world.other_wi)
    with scope(zone=world.zone.pk):
        assert digest_send(zone=world.zone) == 0
    assert mailoutbox == []


def test_beat_schedules_the_digest_daily_at_seven_brussels_time(db):
    # What the data migration writes, run again: a reused test database may have lost the row to an earlier
    # run's flush (transactional tests), and running it twice must leave one schedule.
    from django.apps import apps

    schedule = importlib.import_module("sectorscans.migrations.0002_digest_schedule").schedule
    schedule(apps, None)
    schedule(apps, None)
    assert PeriodicTask.objects.filter(name="sectorscans: daily digest").count() == 1
    task = PeriodicTask.objects.get(name="sectorscans: daily digest")
    assert task.task == "sectorscans.tasks.send_sectorscan_digests" and task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "0", "Europe/Brussels")
