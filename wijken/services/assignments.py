"""Who serves which wijk: assignments, stand-ins and the wijkinspecteur's profile.

The rules (enforced here, so that pages, API and imports behave the same):

- A wijk has at most ONE main wijkinspecteur on any day. A new main assignment whose period overlaps an
  existing one is refused with an error naming the current officer, unless the caller asks to
  `replace_current`: then the open or later-ending main assignment is ended the day before the new one starts
  (history is kept; nothing is deleted).
- Wijkteam members may be many, but one officer holds one assignment per wijk per day (no duplicates).
- A stand-in (role standin) always has an end date, is not the wijk's own main officer on those days, and a
  wijk has at most one stand-in on any day. `standin_set` creates one.
- The wijk must exist (be a valid boundary version) on the start date, and wijk and officer belong to the zone.
- Ending an assignment sets `ends_on`; an ended assignment can be ended earlier but not reopened by `end`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import Assignment, Wijk, Wijkinspecteur, Zone

Role = Assignment.AssignmentRole


def _overlapping(*, wijk: Wijk, starts_on: datetime.date, ends_on: datetime.date | None, exclude_pk=None):
    """Assignments on the wijk whose period shares at least one day with [starts_on, ends_on]."""
    qs = Assignment.objects.filter(wijk=wijk).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("wijkinspecteur")


def _period(a: Assignment) -> str:
    start = date_format(a.starts_on, "SHORT_DATE_FORMAT")
    if a.ends_on is None:
        return _("since %(start)s") % {"start": start}
    return _("%(start)s to %(end)s") % {"start": start, "end": date_format(a.ends_on, "SHORT_DATE_FORMAT")}


def _check_rules(assignment: Assignment, *, replace_current: bool = False) -> list[Assignment]:
    """Raises ValidationError when the assignment breaks a rule; returns the main assignments that must be
    ended first when `replace_current` allows it."""
    wijk = assignment.wijk
    if assignment.starts_on < wijk.valid_from or (wijk.valid_until and assignment.starts_on >= wijk.valid_until):
        raise ValidationError({"starts_on": _("This version of the wijk is not valid on the start date.")})
    if not assignment.wijkinspecteur.is_active and not assignment.pk:
        raise ValidationError({"wijkinspecteur": _("This wijkinspecteur is no longer active.")})
    if assignment.role == Role.STANDIN and assignment.ends_on is None:
        raise ValidationError({"ends_on": _("A stand-in needs an end date.")})

    overlapping = list(
        _overlapping(wijk=wijk, starts_on=assignment.starts_on, ends_on=assignment.ends_on, exclude_pk=assignment.pk)
    )
    to_end: list[Assignment] = []
    for other in overlapping:
        if other.wijkinspecteur_id == assignment.wijkinspecteur_id:
            raise ValidationError(
                {
                    "wijkinspecteur": _("%(name)s already serves this wijk as %(role)s (%(period)s).")
                    % {"name": other.wijkinspecteur, "role": other.get_role_display().lower(), "period": _period(other)}
                }
            )
        if assignment.role == Role.WIJKINSPECTEUR and other.role == Role.WIJKINSPECTEUR:
            if replace_current and other.starts_on < assignment.starts_on:
                to_end.append(other)
                continue
            raise ValidationError(
                {
                    "starts_on": _(
                        "This wijk already has a main wijkinspecteur in that period: %(name)s (%(period)s). "
                        "End that assignment first, or choose to replace it."
                    )
                    % {"name": other.wijkinspecteur, "period": _period(other)}
                }
            )
        if assignment.role == Role.STANDIN and other.role == Role.STANDIN:
            raise ValidationError(
                {
                    "starts_on": _("This wijk already has a stand-in in that period: %(name)s (%(period)s).")
                    % {"name": other.wijkinspecteur, "period": _period(other)}
                }
            )
    return to_end


def _lock(wijk: Wijk) -> None:
    # Serialises concurrent assignment writes on one wijk, so two overlap checks cannot both pass.
    Wijk.objects.select_for_update().filter(pk=wijk.pk).first()


@transaction.atomic
def assignment_create(
    *,
    zone: Zone,
    wijk: Wijk,
    wijkinspecteur: Wijkinspecteur,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
    replace_current: bool = False,
) -> Assignment:
    """Assign an officer to a wijk (see the module's rules). With `replace_current`, a main assignment that
    overlaps is ended the day before `starts_on`."""
    assignment = Assignment(
        zone=zone, wijk=wijk, wijkinspecteur=wijkinspecteur, role=role, starts_on=starts_on, ends_on=ends_on, note=note
    )
    assignment.full_clean()
    _lock(wijk)
    to_end = _check_rules(assignment, replace_current=replace_current)
    for other in to_end:
        other.ends_on = starts_on - datetime.timedelta(days=1)
        other.full_clean()
        other.save(update_fields=["ends_on"])
    assignment.save()
    return assignment


@transaction.atomic
def standin_set(
    *,
    zone: Zone,
    wijk: Wijk,
    wijkinspecteur: Wijkinspecteur,
    starts_on: datetime.date,
    ends_on: datetime.date,
    note: str = "",
) -> Assignment:
    """Let an officer stand in for a wijk's wijkinspecteur for a period (leave, illness)."""
    main_pks = set(
        _overlapping(wijk=wijk, starts_on=starts_on, ends_on=ends_on)
        .filter(role=Role.WIJKINSPECTEUR)
        .values_list("wijkinspecteur_id", flat=True)
    )
    if wijkinspecteur.pk in main_pks:
        raise ValidationError({"wijkinspecteur": _("The wijk's own wijkinspecteur cannot stand in for themselves.")})
    return assignment_create(
        zone=zone,
        wijk=wijk,
        wijkinspecteur=wijkinspecteur,
        role=Role.STANDIN,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    note: str = "",
) -> Assignment:
    """Correct the period or note of an assignment; the same rules as on creation apply."""
    assignment.starts_on = starts_on
    assignment.ends_on = ends_on
    assignment.note = note
    assignment.full_clean()
    _lock(assignment.wijk)
    _check_rules(assignment)
    assignment.save(update_fields=["starts_on", "ends_on", "note"])
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, ends_on: datetime.date | None = None) -> Assignment:
    """End an assignment on `ends_on` (today by default): the last day the officer serves the wijk."""
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot fall before the start date.")})
    if assignment.ends_on is not None and assignment.ends_on < ends_on:
        raise ValidationError(
            {
                "ends_on": _("This assignment already ended on %(date)s.")
                % {"date": date_format(assignment.ends_on, "SHORT_DATE_FORMAT")}
            }
        )
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment.save(update_fields=["ends_on"])
    return assignment


# --- The wijkinspecteur's profile -----------------------------------------------------------------------

PROFILE_FIELDS = (
    "display_name",
    "rank",
    "photo",
    "phone",
    "email",
    "social_links",
    "introduction",
    "languages",
    "is_active",
)


MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SOCIAL_LINKS = 10


def validate_photo(photo) -> None:
    """A profile photo: a JPEG, PNG or WebP image of at most 5 MB (checked on the content, not the name)."""
    if not photo:
        return
    size = getattr(photo, "size", 0) or 0
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_PHOTO_BYTES // 1024 // 1024}
        )
    image = getattr(photo, "image", None)  # set by Django's ImageField when it verified the upload
    if image is None:
        from PIL import Image, UnidentifiedImageError

        try:
            position = photo.tell() if hasattr(photo, "tell") else 0
            image = Image.open(photo)
            image.verify()
            photo.seek(position)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ValidationError(_("Upload a photo in JPEG, PNG or WebP format.")) from exc
    if (image.format or "").upper() not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a photo in JPEG, PNG or WebP format."))


def validate_social_links(links) -> list[str]:
    """A list of at most 10 http(s) web addresses, without duplicates."""
    from django.core.validators import URLValidator

    if links in (None, ""):
        return []
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        raise ValidationError(_("Give a list of web addresses."))
    cleaned: list[str] = []
    validate = URLValidator(schemes=["http", "https"])
    for link in (link.strip() for link in links):
        if not link or link in cleaned:
            continue
        try:
            validate(link)
        except ValidationError as exc:
            raise ValidationError(_("“%(link)s” is not a valid web address (https://…).") % {"link": link}) from exc
        cleaned.append(link)
    if len(cleaned) > MAX_SOCIAL_LINKS:
        raise ValidationError(_("Give at most %(n)s web addresses.") % {"n": MAX_SOCIAL_LINKS})
    return cleaned


def _validate_profile(fields: dict) -> None:
    errors = {}
    if "social_links" in fields:
        try:
            fields["social_links"] = validate_social_links(fields["social_links"])
        except ValidationError as exc:
            errors["social_links"] = exc.messages
    if isinstance(fields.get("photo"), UploadedFile):
        try:
            validate_photo(fields["photo"])
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def wijkinspecteur_create(*, zone: Zone, display_name: str, **fields) -> Wijkinspecteur:
    unknown = set(fields) - set(PROFILE_FIELDS) - {"user"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _validate_profile(fields)
    officer = Wijkinspecteur(zone=zone, display_name=display_name, **fields)
    officer.full_clean()
    officer.save()
    return officer


@transaction.atomic
def wijkinspecteur_update(*, wijkinspecteur: Wijkinspecteur, **fields) -> Wijkinspecteur:
    """Update the profile fields given. Who may edit which profile is the caller's check (own or manager)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _validate_profile(fields)
    for name, value in fields.items():
        setattr(wijkinspecteur, name, value)
    wijkinspecteur.full_clean()
    wijkinspecteur.save()
    return wijkinspecteur
