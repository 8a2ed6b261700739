"""Contactpunten, their weekly spreekuren and the exceptions to them (closed days, other hours).

Rules: spreekuren of one contactpunt on the same weekday may not overlap; the wijkinspecteur present and the
wijk belong to the zone; an exception is one per contactpunt per day. Who may edit which contactpunt (a
manager any, a wijkinspecteur those in their own wijken) is checked by the caller with
`selectors.may_edit_wijk` on the contactpunt's wijk.
"""

from __future__ import annotations

import datetime

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Contactpunt, Spreekuur, SpreekuurException, Zone

CONTACTPUNT_FIELDS = (
    "name",
    "kind",
    "wijk",
    "street",
    "house_number",
    "postcode",
    "municipality",
    "point",
    "phone",
    "open_24_7",
    "notes",
    "is_active",
)
SPREEKUUR_FIELDS = ("weekday", "starts_at", "ends_at", "by_appointment", "wijkinspecteur")
EXCEPTION_FIELDS = ("date", "closed", "starts_at", "ends_at", "reason")


def point_from(*, latitude: float | None, longitude: float | None) -> Point | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise ValidationError({"point": _("Give both latitude and longitude, or neither.")})
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"point": _("These coordinates do not exist.")})
    return Point(longitude, latitude, srid=4326)


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _check_contactpunt(contactpunt: Contactpunt) -> None:
    contactpunt.full_clean()
    if contactpunt.wijk_id and contactpunt.wijk.zone_id != contactpunt.zone_id:
        raise ValidationError({"wijk": _("This wijk belongs to another zone.")})
    zone_boundary = contactpunt.zone.boundary
    if contactpunt.point and zone_boundary and not zone_boundary.buffer(0.05).covers(contactpunt.point):
        raise ValidationError({"point": _("This location lies far outside the zone. Check latitude and longitude.")})


@transaction.atomic
def contactpunt_create(*, zone: Zone, name: str, kind: str, **fields) -> Contactpunt:
    _check_fields(fields, CONTACTPUNT_FIELDS)
    contactpunt = Contactpunt(zone=zone, name=name, kind=kind, **fields)
    _check_contactpunt(contactpunt)
    contactpunt.save()
    return contactpunt


@transaction.atomic
def contactpunt_update(*, contactpunt: Contactpunt, **fields) -> Contactpunt:
    _check_fields(fields, CONTACTPUNT_FIELDS)
    for name, value in fields.items():
        setattr(contactpunt, name, value)
    _check_contactpunt(contactpunt)
    contactpunt.save()
    return contactpunt


def _check_spreekuur(spreekuur: Spreekuur) -> None:
    spreekuur.full_clean()
    if spreekuur.wijkinspecteur_id and spreekuur.wijkinspecteur.zone_id != spreekuur.zone_id:
        raise ValidationError({"wijkinspecteur": _("This wijkinspecteur belongs to another zone.")})
    clash = (
        Spreekuur.objects.filter(
            contactpunt_id=spreekuur.contactpunt_id,
            weekday=spreekuur.weekday,
            starts_at__lt=spreekuur.ends_at,
            ends_at__gt=spreekuur.starts_at,
        )
        .exclude(pk=spreekuur.pk)
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "starts_at": _("This overlaps the office hour on %(day)s from %(start)s to %(end)s.")
                % {
                    "day": clash.get_weekday_display(),
                    "start": f"{clash.starts_at:%H:%M}",
                    "end": f"{clash.ends_at:%H:%M}",
                }
            }
        )


@transaction.atomic
def spreekuur_create(*, contactpunt: Contactpunt, **fields) -> Spreekuur:
    _check_fields(fields, SPREEKUUR_FIELDS)
    # Serialises concurrent edits of one contactpunt's hours, so two overlap checks cannot both pass.
    Contactpunt.objects.select_for_update().filter(pk=contactpunt.pk).first()
    spreekuur = Spreekuur(zone_id=contactpunt.zone_id, contactpunt=contactpunt, **fields)
    _check_spreekuur(spreekuur)
    spreekuur.save()
    return spreekuur


@transaction.atomic
def spreekuur_update(*, spreekuur: Spreekuur, **fields) -> Spreekuur:
    _check_fields(fields, SPREEKUUR_FIELDS)
    Contactpunt.objects.select_for_update().filter(pk=spreekuur.contactpunt_id).first()
    for name, value in fields.items():
        setattr(spreekuur, name, value)
    _check_spreekuur(spreekuur)
    spreekuur.save()
    return spreekuur


@transaction.atomic
def spreekuur_delete(*, spreekuur: Spreekuur) -> None:
    spreekuur.delete()


def _check_exception(exception: SpreekuurException) -> None:
    if exception.closed:
        # Hours of a closed day mean nothing; dropping them keeps the public page from showing them.
        exception.starts_at = exception.ends_at = None
    if exception.date and exception.date < datetime.date(2000, 1, 1):
        raise ValidationError({"date": _("Give a real date.")})
    same_day = SpreekuurException.objects.filter(contactpunt_id=exception.contactpunt_id, date=exception.date)
    if exception.date and same_day.exclude(pk=exception.pk).exists():
        raise ValidationError({"date": _("There is already an exception for this day at this contact point.")})
    exception.full_clean()


@transaction.atomic
def spreekuur_exception_create(*, contactpunt: Contactpunt, **fields) -> SpreekuurException:
    _check_fields(fields, EXCEPTION_FIELDS)
    exception = SpreekuurException(zone_id=contactpunt.zone_id, contactpunt=contactpunt, **fields)
    _check_exception(exception)
    exception.save()
    return exception


@transaction.atomic
def spreekuur_exception_update(*, exception: SpreekuurException, **fields) -> SpreekuurException:
    _check_fields(fields, EXCEPTION_FIELDS)
    for name, value in fields.items():
        setattr(exception, name, value)
    _check_exception(exception)
    exception.save()
    return exception


@transaction.atomic
def spreekuur_exception_delete(*, exception: SpreekuurException) -> None:
    exception.delete()
