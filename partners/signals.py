"""Receivers of signals owned by lower apps (DESIGN.md §3: wijken never imports partners)."""

from __future__ import annotations

import datetime

from django.dispatch import receiver
from django_scopes import scope

from wijken.models import Zone
from wijken.signals import boundaries_redrawn

from .services import partners_follow_redraw


@receiver(boundaries_redrawn, dispatch_uid="partners_follow_redraw")
def follow_redraw(sender, *, zone: Zone, on: datetime.date, **kwargs) -> None:
    # Sent after the import's commit, outside its zone scope.
    with scope(zone=zone.pk):
        partners_follow_redraw(zone=zone, on=on)
