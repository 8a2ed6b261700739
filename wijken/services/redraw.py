"""What follows a redraw of the wijken: the rows that point at a boundary version closed on day D move to the
version that begins on D, so that the new wijken have their officers and contactpunten from D on.

- Assignments of a closed version whose code exists in the new set: one that started before D ends on D-1 on
  the old row (history stays where it happened) and continues from D on the new row with the same officer,
  role, end date and note; one that starts on or after D moves to the new row. An officer who already serves
  the new row on D, or a main officer where the new row already has another one, is not carried but reported.
- Wijken whose code is gone: their assignments that are active on D or start later are reported as needing a
  decision; nobody guesses where the officer goes.
- Contactpunten of a closed version: the current leaf wijk covering their point on D, else the new version with
  the same code, else they stay and are reported.

The importer calls `redraw_follow` inside its transaction. It only touches rows that still point at a version
closed on D, so running it again (or importing the same set again) changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import ngettext

from ..models import Assignment, Contactpunt, Wijk, Zone


@dataclass
class RedrawResult:
    """What followed the redraw; each list holds one readable line per row, for the import report."""

    on: datetime.date
    carried: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    moved_contactpunten: list[str] = field(default_factory=list)
    unresolved_contactpunten: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        on = self.on.isoformat()
        lines = []
        if self.carried:
            n = len(self.carried)
            lines.append(
                ngettext(
                    "Carried %(n)d assignment over to the new boundary version from %(on)s: %(names)s.",
                    "Carried %(n)d assignments over to the new boundary versions from %(on)s: %(names)s.",
                    n,
                )
                % {"n": n, "on": on, "names": "; ".join(self.carried)}
            )
        if self.conflicts:
            n = len(self.conflicts)
            lines.append(
                ngettext(
                    "%(n)d assignment was not carried over because the new wijk already has that officer or "
                    "another main officer; decide by hand: %(names)s.",
                    "%(n)d assignments were not carried over because the new wijk already has that officer or "
                    "another main officer; decide by hand: %(names)s.",
                    n,
                )
                % {"n": n, "names": "; ".join(self.conflicts)}
            )
        if self.undecided:
            n = len(self.undecided)
            lines.append(
                ngettext(
                    "%(n)d assignment belongs to a wijk that no longer exists from %(on)s; decide where the "
                    "officer goes: %(names)s.",
                    "%(n)d assignments belong to wijken that no longer exist from %(on)s; decide where the "
                    "officers go: %(names)s.",
                    n,
                )
                % {"n": n, "on": on, "names": "; ".join(self.undecided)}
            )
        if self.moved_contactpunten:
            n = len(self.moved_contactpunten)
            lines.append(
                ngettext(
                    "Moved %(n)d contact point to the new boundary version: %(names)s.",
                    "Moved %(n)d contact points to the new boundary versions: %(names)s.",
                    n,
                )
                % {"n": n, "names": "; ".join(self.moved_contactpunten)}
            )
        if self.unresolved_contactpunten:
            n = len(self.unresolved_contactpunten)
            lines.append(
                ngettext(
                    "%(n)d contact point still points at a closed wijk (no new wijk covers it and its code is "
                    "gone); choose its wijk by hand: %(names)s.",
                    "%(n)d contact points still point at a closed wijk (no new wijk covers them and their code is "
                    "gone); choose their wijk by hand: %(names)s.",
                    n,
                )
                % {"n": n, "names": "; ".join(self.unresolved_contactpunten)}
            )
        return lines


def _line(assignment: Assignment, wijk: Wijk) -> str:
    return f"{assignment.wijkinspecteur} ({assignment.get_role_display().lower()}, {wijk.code})"


def _blocked(assignment: Assignment, new: Wijk, starts_on: datetime.date) -> bool:
    """The new row already has this officer, or (for a main officer) another main officer, in the period."""
    overlapping = Assignment.objects.filter(wijk=new).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if assignment.ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=assignment.ends_on)
    same_officer = Q(wijkinspecteur_id=assignment.wijkinspecteur_id)
    if assignment.role == Assignment.AssignmentRole.WIJKINSPECTEUR:
        same_officer |= Q(role=Assignment.AssignmentRole.WIJKINSPECTEUR)
    return overlapping.filter(same_officer).exists()


@transaction.atomic
def redraw_follow(*, zone: Zone, on: datetime.date, new_ids: Iterable[int]) -> RedrawResult:
    """Move assignments and contactpunten from the versions of `zone` closed on `on` to the versions in
    `new_ids` (the set that begins on `on`). Runs inside the caller's zone scope."""
    result = RedrawResult(on=on)
    new_by_code = {w.code: w for w in Wijk.objects.filter(zone=zone, pk__in=list(new_ids))}
    new_pks = [w.pk for w in new_by_code.values()]
    closed = {w.pk: w for w in Wijk.objects.filter(zone=zone, valid_until=on).exclude(pk__in=new_pks)}
    if not closed:
        return result

    pending = (
        Assignment.objects.filter(zone=zone, wijk_id__in=closed)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("wijkinspecteur")
        .order_by("wijk__code", "role", "starts_on", "pk")
    )
    for assignment in pending:
        old = closed[assignment.wijk_id]
        new = new_by_code.get(old.code)
        if new is None:
            result.undecided.append(_line(assignment, old))
            continue
        starts_on = max(assignment.starts_on, on)
        if _blocked(assignment, new, starts_on):
            result.conflicts.append(_line(assignment, new))
            continue
        carried = None
        if assignment.starts_on < on:
            carried = Assignment(
                zone=zone,
                wijkinspecteur=assignment.wijkinspecteur,
                wijk=new,
                role=assignment.role,
                starts_on=on,
                ends_on=assignment.ends_on,
                note=assignment.note,
            )
            assignment.ends_on = on - datetime.timedelta(days=1)
        else:
            assignment.wijk = new
        try:
            # Both rows are checked before either is written, so a row that was already invalid (an old
            # import, a hand edit) is reported instead of failing the whole boundary import.
            assignment.full_clean()
            if carried is not None:
                carried.full_clean()
        except ValidationError as exc:
            result.conflicts.append(f"{_line(assignment, old)}: {' '.join(exc.messages)}")
            continue
        assignment.save(update_fields=["ends_on", "wijk"])
        if carried is not None:
            carried.save()
        result.carried.append(_line(assignment, new))

    contactpunten = Contactpunt.objects.filter(zone=zone, wijk_id__in=closed).order_by("name", "pk")
    for contactpunt in contactpunten:
        old = closed[contactpunt.wijk_id]
        target = None
        if contactpunt.point is not None:
            target = Wijk.objects.filter(zone=zone).current(on).leaves().covering(contactpunt.point).first()
        target = target or new_by_code.get(old.code)
        if target is None:
            result.unresolved_contactpunten.append(f"{contactpunt.name} ({old.code})")
            continue
        # Only the wijk changes, to a version of the same zone: the other fields are not this import's business
        # (a full_clean would fail the import on an unrelated old value).
        contactpunt.wijk = target
        contactpunt.save(update_fields=["wijk"])
        result.moved_contactpunten.append(f"{contactpunt.name} ({old.code} → {target.code})")
    return result
