"""The welcome e-mail, end to end through a real Celery worker on the real Redis."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.conftest import wait_for
from wijken.models import Membership, Role
from wijken.services.membership import membership_create, membership_send_welcome


@pytest.mark.worker
def test_new_member_is_welcomed_by_the_worker(transactional_db, celery_worker):
    with scopes_disabled():
        zone = f.ZoneFactory(name="PZ Testzone", languages=["nl"])
    user = f.UserFactory(email="nieuw@example.org", first_name="Nora")
    with scope(zone=zone.pk):
        membership = membership_create(zone=zone, user=user, role=Role.WIJKINSPECTEUR)

    def welcomed():
        with scope(zone=zone.pk):
            return Membership.objects.get(pk=membership.pk).welcomed_at

    assert wait_for(welcomed)
    mails = wait_for(lambda: list(celery_worker.glob("*.log")))
    text = "".join(p.read_text() for p in mails)
    assert "nieuw@example.org" in text and "PZ Testzone" in text


def test_welcome_is_sent_once_even_when_the_task_is_redelivered(personas, mailoutbox):
    with scope(zone=personas.zone_a.pk):
        membership = Membership.objects.get(pk=personas.alice.pk)
        assert membership_send_welcome(membership=membership) is True
        assert membership_send_welcome(membership=membership) is False  # the claim holds
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [personas.alice.user.email]
