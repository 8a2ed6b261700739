"""Writes and use cases of the wijken app (HackSoft style: keyword-only, validated, atomic)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..models import Membership, Zone


@transaction.atomic
def membership_create(*, zone: Zone, user: AbstractBaseUser, role: str, send_welcome: bool = True) -> Membership:
    """Give a user a role in a zone and, once the transaction commits, e-mail them a welcome."""
    membership = Membership(zone=zone, user=user, role=role)
    membership.full_clean()
    membership.save()
    if send_welcome and user.email:
        from ..tasks import send_welcome_email

        send_welcome_email.delay_on_commit(zone.pk, membership.pk)
    return membership


def set_password_path(user: AbstractBaseUser) -> str:
    """The one-time link (Django's password-reset token) with which a user chooses a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def membership_send_welcome(*, membership: Membership) -> bool:
    """Send the welcome e-mail once. The conditional update is the claim: a redelivered task that finds the
    row already claimed sends nothing. Returns whether this call sent it."""
    claimed = Membership.objects.filter(pk=membership.pk, welcomed_at__isnull=True).update(welcomed_at=timezone.now())
    if not claimed:
        return False
    user = membership.user
    language = (membership.zone.languages or [settings.LANGUAGE_CODE])[0]
    with translation.override(language):
        context = {
            "membership": membership,
            "user": user,
            "zone": membership.zone,
            "site_url": settings.SITE_URL,
            # A person a beheerder added by e-mail address has no password yet: the mail lets them choose one.
            "set_password_path": None if user.has_usable_password() else set_password_path(user),
        }
        subject = render_to_string("wijken/email/welcome_subject.txt", context).strip()
        body = render_to_string("wijken/email/welcome_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        # Release the claim so that the retry can send it.
        Membership.objects.filter(pk=membership.pk).update(welcomed_at=None)
        raise
    return True
