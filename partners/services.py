"""Writes of the partners app."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wijken.models import Wijkinspecteur, Zone

from .models import ContactPerson, FollowUpTask, Partner, Visit, VisitContact


@transaction.atomic
def visit_log(
    *,
    zone: Zone,
    partner: Partner,
    wijkinspecteur: Wijkinspecteur,
    by: AbstractBaseUser | None,
    date: datetime.date,
    kind: str = Visit.Kind.INFORMATION,
    contacts: Iterable[ContactPerson] = (),
    notes: str = "",
    tasks: Sequence[tuple[str, datetime.date]] = (),
) -> Visit:
    """Log a visit to a partner, with the contact persons met and follow-up tasks (description, due date).
    Other apps (sectorscans) log their visits through this function too."""
    contacts = list(contacts)
    foreign = [c for c in contacts if c.partner_id != partner.pk]
    if foreign:
        raise ValidationError({"contacts": _("These contact persons do not belong to this partner.")})
    visit = Visit(
        zone=zone, partner=partner, wijkinspecteur=wijkinspecteur, created_by=by, date=date, kind=kind, notes=notes
    )
    visit.full_clean()
    visit.save()
    VisitContact.objects.bulk_create([VisitContact(zone=zone, visit=visit, contact=c) for c in contacts])
    for description, due_on in tasks:
        task = FollowUpTask(zone=zone, visit=visit, description=description, due_on=due_on)
        task.full_clean()
        task.save()
    return visit
