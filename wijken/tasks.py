from __future__ import annotations

from celery import shared_task

from .models import Membership
from .services.membership import membership_send_welcome
from .tenancy import ZoneTask


@shared_task(base=ZoneTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_welcome_email(zone_id: int, membership_id: int) -> bool:
    membership = Membership.objects.select_related("user", "zone").get(pk=membership_id)
    return membership_send_welcome(membership=membership)
