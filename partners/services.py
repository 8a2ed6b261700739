"""Writes of the partners app: partner types, partners, contact persons, visits and follow-up tasks.

Every function takes keyword arguments only. `actor` is the membership acting (a page or API request): when
given, the edit rule of partners.permissions is enforced here, so that pages and API cannot disagree; None
means a system caller (demo data, imports, another app's service)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wijken.models import Membership, Wijk, Wijkinspecteur, Zone

from .models import ContactPerson, FollowUpTask, NetworkSettings, Partner, PartnerType, Visit, VisitContact
from .permissions import require_edit_wijk

# The default partner types of the issue: stable keys (reports compare zones by key), translatable names
# and a distinct map colour each.
DEFAULT_PARTNER_TYPES: list[tuple[str, Any, str]] = [
    ("buurtcomite", gettext_lazy("Neighbourhood committee"), "#0d6efd"),
    ("handelaarsvereniging", gettext_lazy("Traders' association"), "#fd7e14"),
    ("school", gettext_lazy("School"), "#198754"),
    ("jeugdwerk", gettext_lazy("Youth work"), "#20c997"),
    ("straathoekwerk", gettext_lazy("Street-corner work"), "#6f42c1"),
    ("buurtouders", gettext_lazy("Neighbourhood fathers / mothers"), "#d63384"),
    ("religieus", gettext_lazy("Religious community"), "#6c757d"),
    ("sociale-huisvesting", gettext_lazy("Social housing / housing corporation"), "#795548"),
    ("zorginstelling", gettext_lazy("Care institution"), "#0dcaf0"),
    ("hulpverlening", gettext_lazy("Social services / support"), "#dc3545"),
    ("stedelijke-dienst", gettext_lazy("City service"), "#3949ab"),
    ("horeca", gettext_lazy("Hospitality (bars, restaurants)"), "#ffb300"),
    ("andere", gettext_lazy("Other"), "#495057"),
]

PARTNER_FIELDS = (
    "partner_type",
    "name",
    "street",
    "house_number",
    "postcode",
    "municipality",
    "point",
    "phone",
    "email",
    "website",
    "notes",
    "is_active",
)
CONTACT_FIELDS = (
    "name",
    "function",
    "phone",
    "email",
    "preferred_language",
    "lawful_basis",
    "consent_note",
    "basis_recorded_on",
    "is_active",
)


def zone_language(zone: Zone) -> str:
    return zone.languages[0] if zone.languages else settings.LANGUAGE_CODE


@transaction.atomic
def partner_types_ensure_defaults(zone: Zone) -> list[PartnerType]:
    """Create the default partner types a zone does not have yet (by key), named in the zone's first
    language. Existing types keep the name and colour the zone gave them."""
    existing = {t.key: t for t in PartnerType.objects.filter(zone=zone)}
    created = []
    with translation.override(zone_language(zone)):
        for order, (key, label, color) in enumerate(DEFAULT_PARTNER_TYPES, start=1):
            if key in existing:
                continue
            partner_type = PartnerType(zone=zone, key=key, name=str(label), order=order * 10, color=color)
            partner_type.full_clean()
            created.append(partner_type)
    PartnerType.objects.bulk_create(created)
    return list(PartnerType.objects.filter(zone=zone))


@transaction.atomic
def network_settings_set(
    *, zone: Zone, visit_interval_months: int, due_soon_days: int | None = None
) -> NetworkSettings:
    policy = NetworkSettings.objects.filter(zone=zone).first() or NetworkSettings(zone=zone)
    policy.visit_interval_months = visit_interval_months
    if due_soon_days is not None:
        policy.due_soon_days = due_soon_days
    policy.full_clean()
    policy.save()
    return policy


def derive_wijk(*, zone: Zone, point: Point | None, on: datetime.date | None = None) -> Wijk | None:
    """The leaf wijk of the zone covering the point on a day, today by default (a point on a shared edge: the
    first by code)."""
    if point is None:
        return None
    return Wijk.objects.filter(zone=zone).current(on).leaves().covering(point).first()


@transaction.atomic
def partners_follow_redraw(*, zone: Zone, on: datetime.date) -> int:
    """After a redraw of the zone's wijken that begins on `on`: every partner whose wijk follows from its point
    gets the wijk covering it on `on`, or today when that is later (a newer set may already apply). Partners
    with a wijk chosen by hand keep it, and so does a partner no wijk covers any more (a person decides; an empty
    wijk would hide it from every wijk's list). Returns how many changed; running it again changes nothing."""
    day = max(on, timezone.localdate())
    changed = []
    partners = Partner.objects.filter(zone=zone, wijk_overridden=False, point__isnull=False).order_by("pk")
    for partner in partners:
        wijk = derive_wijk(zone=zone, point=partner.point, on=day)
        if wijk is not None and wijk.pk != partner.wijk_id:
            partner.wijk = wijk
            changed.append(partner)
    Partner.objects.bulk_update(changed, ["wijk"])
    return len(changed)


def _place(partner: Partner, *, wijk: Wijk | None, wijk_overridden: bool, rederive: bool) -> None:
    partner.wijk_overridden = wijk_overridden
    if wijk_overridden:
        if wijk is None:
            raise ValidationError({"wijk": _("Choose the wijk, or let it follow from the location.")})
        partner.wijk = wijk
    elif rederive:
        partner.wijk = derive_wijk(zone=partner.zone, point=partner.point)


@transaction.atomic
def partner_create(
    *,
    zone: Zone,
    partner_type: PartnerType,
    name: str,
    actor: Membership | None = None,
    wijk: Wijk | None = None,
    wijk_overridden: bool = False,
    contacts: Sequence[dict] = (),
    **fields: Any,
) -> Partner:
    """Create a partner. Its wijk follows from the point unless `wijk_overridden` (then `wijk` is used).
    `contacts` are keyword dicts for contact_create, created in the same transaction."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields: {sorted(unknown)}")
    partner = Partner(zone=zone, partner_type=partner_type, name=name, **fields)
    _place(partner, wijk=wijk, wijk_overridden=wijk_overridden, rederive=True)
    require_edit_wijk(actor, partner.wijk_id)
    partner.full_clean()
    partner.save()
    for index, contact in enumerate(contacts):
        try:
            contact_create(zone=zone, partner=partner, **contact)
        except ValidationError as exc:
            raise ValidationError(
                {"contacts": [_("Contact %(n)s: %(errors)s") % {"n": index + 1, "errors": "; ".join(exc.messages)}]}
            ) from exc
    return partner


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    actor: Membership | None = None,
    wijk: Wijk | None = None,
    wijk_overridden: bool | None = None,
    **fields: Any,
) -> Partner:
    """Change a partner. A moved point re-derives the wijk unless it was chosen by hand; switching the
    override off re-derives it too. A wijkinspecteur must edit both the old and the new wijk."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields: {sorted(unknown)}")
    require_edit_wijk(actor, partner.wijk_id)
    old_point = partner.point
    for key, value in fields.items():
        setattr(partner, key, value)
    moved = "point" in fields and not _same_point(old_point, partner.point)
    overridden = partner.wijk_overridden if wijk_overridden is None else wijk_overridden
    override_dropped = partner.wijk_overridden and not overridden
    _place(
        partner,
        wijk=wijk if wijk is not None else partner.wijk,
        wijk_overridden=overridden,
        rederive=moved or override_dropped,
    )
    require_edit_wijk(actor, partner.wijk_id)
    partner.full_clean()
    partner.save()
    return partner


def _same_point(a: Point | None, b: Point | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.equals_exact(b, tolerance=1e-9)


@transaction.atomic
def contact_create(
    *,
    zone: Zone,
    partner: Partner,
    name: str,
    lawful_basis: str,
    actor: Membership | None = None,
    **fields: Any,
) -> ContactPerson:
    """Add a contact person. The lawful basis is required; consent needs a note and the date it was
    recorded (see ContactPerson.clean)."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    require_edit_wijk(actor, partner.wijk_id)
    contact = ContactPerson(zone=zone, partner=partner, name=name, lawful_basis=lawful_basis, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: ContactPerson, actor: Membership | None = None, **fields: Any) -> ContactPerson:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    require_edit_wijk(actor, contact.partner.wijk_id)
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    return contact


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
    actor: Membership | None = None,
) -> Visit:
    """Log a visit to a partner, with the contact persons met and follow-up tasks (description, due date).
    Other apps (sectorscans) log their visits through this function too."""
    require_edit_wijk(actor, partner.wijk_id)
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
        try:
            task.full_clean()
        except ValidationError as exc:
            raise ValidationError({"tasks": exc.messages}) from exc
        task.save()
    return visit


@transaction.atomic
def task_add(*, visit: Visit, description: str, due_on: datetime.date, actor: Membership | None = None) -> FollowUpTask:
    require_edit_wijk(actor, visit.partner.wijk_id)
    task = FollowUpTask(zone=visit.zone, visit=visit, description=description, due_on=due_on)
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_complete(
    *,
    task: FollowUpTask,
    by: AbstractBaseUser | None,
    done: bool = True,
    on: datetime.date | None = None,
    actor: Membership | None = None,
) -> FollowUpTask:
    """Mark a follow-up task done (or open again). Idempotent: completing a done task keeps its date."""
    require_edit_wijk(actor, task.visit.partner.wijk_id)
    if done and task.done_on is None:
        task.done_on = on or timezone.localdate()
        task.done_by = by
    elif not done:
        task.done_on = None
        task.done_by = None
    task.full_clean()
    task.save(update_fields=["done_on", "done_by"])
    return task
