"""Citizen messages to a wijkagent: store, forward by e-mail (once), mark as read."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import MANAGER_ROLES, ContactMessage, Membership, Wijk, Wijkinspecteur


@transaction.atomic
def contact_message_create(
    *,
    wijkinspecteur: Wijkinspecteur,
    name: str,
    email: str,
    message: str,
    phone: str = "",
    address: str = "",
    language: str = "nl",
    wijk: Wijk | None = None,
) -> ContactMessage:
    """Store a citizen's message to a wijkagent and, once the transaction commits, have the worker e-mail it
    to the officer and a confirmation to the citizen. Runs in the officer's zone scope."""
    contact = ContactMessage(
        zone_id=wijkinspecteur.zone_id,
        wijkinspecteur=wijkinspecteur,
        wijk=wijk,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        address=address.strip(),
        message=message.strip(),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    contact.full_clean()
    contact.save()
    from ..tasks import send_contact_message

    send_contact_message.delay_on_commit(contact.zone_id, contact.pk)
    return contact


def _render(template: str, context: dict) -> str:
    return render_to_string(f"wijken/email/{template}", context)


def contact_message_send(*, contact: ContactMessage) -> bool:
    """Forward the message to the officer and confirm it to the citizen, once: the conditional update on
    emailed_at is the claim, so a redelivered task sends nothing twice. Returns whether this call sent."""
    claimed = ContactMessage.objects.filter(pk=contact.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    officer = contact.wijkinspecteur
    zone = contact.zone
    recipient = officer.email or (officer.user.email if officer.user_id else "")
    context = {
        "contact": contact,
        "officer": officer,
        "zone": zone,
        "inbox_url": f"{settings.SITE_URL}/inbox/{contact.pk}/",
        "site_url": settings.SITE_URL,
    }
    try:
        if recipient:
            with translation.override((zone.languages or [settings.LANGUAGE_CODE])[0]):
                EmailMessage(
                    _render("contact_officer_subject.txt", context).strip(),
                    _render("contact_officer_body.txt", context),
                    settings.DEFAULT_FROM_EMAIL,
                    [recipient],
                    reply_to=[contact.email],
                ).send()
        with translation.override(contact.language):
            EmailMessage(
                _render("contact_confirmation_subject.txt", context).strip(),
                _render("contact_confirmation_body.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [contact.email],
            ).send()
    except Exception:
        # Release the claim so that the retry sends it.
        ContactMessage.objects.filter(pk=contact.pk).update(emailed_at=None)
        raise
    return True


def contact_message_mark_read(*, contact: ContactMessage) -> ContactMessage:
    """Mark a message as read the first time it is opened; later openings keep the first time."""
    if contact.read_at is None:
        now = timezone.now()
        ContactMessage.objects.filter(pk=contact.pk, read_at__isnull=True).update(read_at=now)
        contact.read_at = now
    return contact


def _contact_rate() -> tuple[int, int]:
    """The contact limit from settings ("5/hour"), as (requests, seconds)."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("contact") or "5/hour"
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def contact_rate_limited(*, client: str) -> bool:
    """Count one message from a client (an IP address) and say whether it is over the contact limit. The
    counter lives in the cache, so it holds across web processes."""
    number, seconds = _contact_rate()
    key = f"contact-rate:{client}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > number


def contact_messages_visible_to(*, membership: Membership):
    """The messages a staff member may read: managers all of the zone, anyone else those addressed to their
    own wijkinspecteur profile(s). Runs in the zone scope."""
    messages = ContactMessage.objects.select_related("wijkinspecteur", "wijk")
    if membership.role in MANAGER_ROLES:
        return messages
    return messages.filter(wijkinspecteur__user=membership.user)
