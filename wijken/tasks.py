from __future__ import annotations

from celery import shared_task

from . import lookup  # noqa: F401  (connects the lookup's cache invalidation in the worker too)
from .models import ContactMessage, Membership
from .services.contact import contact_message_send
from .services.membership import membership_send_welcome
from .tenancy import ZoneTask


@shared_task(base=ZoneTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_welcome_email(zone_id: int, membership_id: int) -> bool:
    membership = Membership.objects.select_related("user", "zone").get(pk=membership_id)
    return membership_send_welcome(membership=membership)


@shared_task(base=ZoneTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_contact_message(zone_id: int, message_id: int) -> bool:
    contact = ContactMessage.objects.select_related("wijkinspecteur__user", "zone").get(pk=message_id)
    return contact_message_send(contact=contact)
