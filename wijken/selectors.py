"""Staff reads that span models: who serves which wijk today, the norm check, whose wijken a user serves.

Every function here runs a constant number of queries whatever the number of wijken or officers: the wijken
in one query, all active assignments of the zone in a second, and the arithmetic in Python.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .models import MANAGER_ROLES, Assignment, Membership, Role, Wijk, Wijkinspecteur

# The norm for community policing: one wijkinspecteur per 4,000 inhabitants (Belgian ministerial circular
# GPI 10 and the Dutch basisteam guideline use the same order of magnitude).
INHABITANTS_PER_WIJKINSPECTEUR = 4000
# A wijk meets the norm when the shortfall is under this many FTE: the need is a fraction (8,400 inhabitants
# need 2.1 FTE) but officers come whole, so 2 officers for 2.1 FTE is within the norm, 1 is not.
NORM_TOLERANCE_FTE = Decimal("0.5")

# Roles that count towards the FTE of a wijk. A stand-in replaces an absent officer who is still counted,
# so counting the stand-in too would count one post twice.
COUNTING_ROLES = (Assignment.AssignmentRole.WIJKINSPECTEUR, Assignment.AssignmentRole.WIJKTEAM)

ONE_PLACE = Decimal("0.1")


class NormStatus:
    OK = "ok"
    SHORTFALL = "shortfall"
    UNKNOWN = "unknown"  # no inhabitants known: nothing to compare


@dataclass
class Norm:
    """Inhabitants against the FTE assigned, for one wijk, a politiewijk or the whole zone."""

    inhabitants: int | None
    fte_assigned: Decimal
    per_inhabitants: int = INHABITANTS_PER_WIJKINSPECTEUR

    @property
    def fte_needed(self) -> Decimal | None:
        if self.inhabitants is None:
            return None
        return (Decimal(self.inhabitants) / Decimal(self.per_inhabitants)).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def shortfall(self) -> Decimal:
        """FTE missing against the need (0 when there is enough)."""
        needed = self.fte_needed
        if needed is None:
            return Decimal("0.0")
        return max(Decimal("0.0"), (needed - self.fte_assigned).quantize(ONE_PLACE, ROUND_HALF_UP))

    @property
    def status(self) -> str:
        if self.inhabitants is None:
            return NormStatus.UNKNOWN
        return NormStatus.SHORTFALL if self.shortfall >= NORM_TOLERANCE_FTE else NormStatus.OK

    @property
    def inhabitants_per_fte(self) -> int | None:
        if self.inhabitants is None or not self.fte_assigned:
            return None
        return int((Decimal(self.inhabitants) / self.fte_assigned).quantize(Decimal("1"), ROUND_HALF_UP))

    def as_dict(self) -> dict:
        return {
            "inhabitants": self.inhabitants,
            "fte_needed": self.fte_needed,
            "fte_assigned": self.fte_assigned,
            "shortfall": self.shortfall,
            "inhabitants_per_fte": self.inhabitants_per_fte,
            "status": self.status,
        }


@dataclass
class WijkRow:
    wijk: Wijk
    main: list[Wijkinspecteur] = field(default_factory=list)
    wijkteam: list[Wijkinspecteur] = field(default_factory=list)
    standins: list[Assignment] = field(default_factory=list)
    fte_assigned: Decimal = Decimal("0.0")
    geojson: str | None = None

    @property
    def officer_count(self) -> int:
        return len({o.pk for o in self.main + self.wijkteam})

    @property
    def norm(self) -> Norm:
        return Norm(self.wijk.inhabitants, self.fte_assigned.quantize(ONE_PLACE, ROUND_HALF_UP))


@dataclass
class Group:
    """A politiewijk with its wijken, or (politiewijk None) the wijken that belong to no politiewijk."""

    politiewijk: WijkRow | None
    rows: list[WijkRow]

    @property
    def norm(self) -> Norm:
        """A politiewijk's own inhabitants figure counts only when its wijken have none (no double count)."""
        known = [r.wijk.inhabitants for r in self.rows if r.wijk.inhabitants is not None]
        if known:
            inhabitants = sum(known)
        elif self.politiewijk is not None:
            inhabitants = self.politiewijk.wijk.inhabitants
        else:
            inhabitants = None
        fte = sum((r.fte_assigned for r in self.rows), Decimal("0"))
        if self.politiewijk is not None:
            fte += self.politiewijk.fte_assigned
        return Norm(inhabitants, fte.quantize(ONE_PLACE, ROUND_HALF_UP))


@dataclass
class Overview:
    on: datetime.date
    groups: list[Group]
    total_officers: int  # distinct officers with a counting assignment in the zone today

    @property
    def rows(self) -> list[WijkRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def norm(self) -> Norm:
        inhabitants = [g.norm.inhabitants for g in self.groups if g.norm.inhabitants is not None]
        fte = sum((g.norm.fte_assigned for g in self.groups), Decimal("0"))
        return Norm(sum(inhabitants) if inhabitants else None, fte.quantize(ONE_PLACE, ROUND_HALF_UP))

    @property
    def shortfalls(self) -> list[WijkRow]:
        return [row for row in self.rows if row.norm.status == NormStatus.SHORTFALL]


def wijk_overview(
    *, on: datetime.date | None = None, wijken: QuerySet[Wijk] | None = None, with_geometry: bool = False
) -> Overview:
    """The current wijken of the active zone grouped by politiewijk, each with who serves it on `on` and its
    norm figures. `wijken` narrows the wijken shown (a filter); the FTE of an officer who serves several wijken
    is split evenly over them, so an officer counts once in the zone total. Two queries."""
    on = on or timezone.localdate()
    qs = (wijken if wijken is not None else Wijk.objects.all()).current(on).select_related("parent")
    if with_geometry:
        qs = qs.annotate(geojson=AsGeoJSON("boundary", precision=5))
    wijk_list = list(qs.order_by("code", "pk"))
    assignments = list(
        Assignment.objects.active(on)
        .filter(wijk__valid_from__lte=on)
        .filter(Q(wijk__valid_until__isnull=True) | Q(wijk__valid_until__gt=on))
        .select_related("wijkinspecteur")
        .order_by("wijkinspecteur__display_name", "pk")
    )
    wijken_per_officer: dict[int, set[int]] = defaultdict(set)
    for a in assignments:
        if a.role in COUNTING_ROLES:
            wijken_per_officer[a.wijkinspecteur_id].add(a.wijk_id)

    rows = {w.pk: WijkRow(wijk=w, geojson=getattr(w, "geojson", None)) for w in wijk_list}
    # A filter may leave out a politiewijk whose wijken it shows: keep its heading (loaded by select_related).
    parents = {w.parent_id: w.parent for w in wijk_list if w.parent_id and w.parent_id not in rows}
    for parent in parents.values():
        rows[parent.pk] = WijkRow(wijk=parent)
    for a in assignments:
        row = rows.get(a.wijk_id)
        if row is None:
            continue
        if a.role == Assignment.AssignmentRole.STANDIN:
            row.standins.append(a)
            continue
        (row.main if a.role == Assignment.AssignmentRole.WIJKINSPECTEUR else row.wijkteam).append(a.wijkinspecteur)
        row.fte_assigned += Decimal(1) / Decimal(len(wijken_per_officer[a.wijkinspecteur_id]))

    groups: dict[int | None, Group] = {}
    for w in [*wijk_list, *parents.values()]:
        if w.kind == Wijk.Kind.POLITIEWIJK:
            groups.setdefault(w.pk, Group(politiewijk=None, rows=[])).politiewijk = rows[w.pk]
    for w in wijk_list:
        if w.kind == Wijk.Kind.POLITIEWIJK:
            continue
        key = w.parent_id if w.parent_id in groups else None
        groups.setdefault(key, Group(politiewijk=None, rows=[])).rows.append(rows[w.pk])
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.politiewijk is None, g.politiewijk.wijk.code if g.politiewijk else ""),
    )
    return Overview(on=on, groups=ordered, total_officers=len(wijken_per_officer))


def norm_check(*, on: datetime.date | None = None) -> Overview:
    """The norm check of the active zone (the same figures as the wijk list, all wijken)."""
    return wijk_overview(on=on)


# --- Who serves which wijk, and who may edit its records ---------------------------------------------------
#
# The one rule for every app: managers (beheerder, teamchef) edit the records of every wijk of the zone; a
# wijkinspecteur those of the wijken they serve today (an active assignment of their active profile, in any
# role: a stand-in edits the wijk they stand in for; serving a politiewijk means serving its wijken);
# everybody else on the staff reads.


def _served_per_profile(assignments: QuerySet) -> dict[int, set[int]]:
    """Profile id -> wijk ids for the given assignments, with the wijken of a politiewijk. One query."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = assignments.filter(wijkinspecteur__is_active=True).values_list(
        "wijkinspecteur_id", "wijk_id", "wijk__children"
    )
    for profile_id, wijk_id, child_id in rows:
        found[profile_id].add(wijk_id)
        if child_id:
            found[profile_id].add(child_id)
    return dict(found)


def wijken_served_by(user, on: datetime.date | None = None) -> frozenset[int]:
    """The ids of the wijken the user serves on `on` (today by default) in the active zone. One query."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return _served_by_user_id(user.pk, on)


def _served_by_user_id(user_id: int, on: datetime.date | None = None) -> frozenset[int]:
    per_profile = _served_per_profile(Assignment.objects.active(on).filter(wijkinspecteur__user_id=user_id))
    return frozenset().union(*per_profile.values())


def wijken_served_per_wijkinspecteur(on: datetime.date | None = None) -> dict[int, set[int]]:
    """Active profile id -> the ids of the wijken it serves on `on`, for the whole active zone. One query."""
    return _served_per_profile(Assignment.objects.active(on))


def wijken_editable_by(membership: Membership | None) -> frozenset[int] | None:
    """The wijken whose records the member edits today; None means every wijk of the zone. Cached on the
    membership object, which lives for one request."""
    if membership is None:
        return frozenset()
    if membership.role in MANAGER_ROLES:
        return None
    if membership.role != Role.WIJKINSPECTEUR:
        return frozenset()
    served = getattr(membership, "_wijken_served", None)
    if served is None:
        served = membership._wijken_served = _served_by_user_id(membership.user_id)
    return served


def may_edit_wijk(membership: Membership | None, wijk: Wijk | int | None) -> bool:
    """Whether the member may change records of this wijk (a Wijk, its id, or None for "no wijk", which only
    a manager may)."""
    editable = wijken_editable_by(membership)
    if editable is None:
        return True
    wijk_id = wijk.pk if isinstance(wijk, Wijk) else wijk
    return wijk_id is not None and wijk_id in editable


def wijk_detail(*, wijk: Wijk) -> dict:
    """What the wijk page shows beside the wijk itself: its assignments (current and past), the contactpunten
    with their spreekuren, child wijken of a politiewijk and earlier boundary versions. Constant queries."""
    from .models import Contactpunt, Spreekuur

    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(wijk=wijk).select_related("wijkinspecteur").order_by("-starts_on", "pk")
    )
    current = [a for a in assignments if a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)]
    role_order = {Assignment.AssignmentRole.WIJKINSPECTEUR: 0, Assignment.AssignmentRole.WIJKTEAM: 1}
    current.sort(key=lambda a: role_order.get(a.role, 2))
    future = [a for a in assignments if a.starts_on > today]
    past = [a for a in assignments if a.ends_on is not None and a.ends_on < today]
    contactpunten = list(Contactpunt.objects.filter(wijk=wijk).order_by("name"))
    spreekuren = defaultdict(list)
    for s in Spreekuur.objects.filter(contactpunt__in=[c.pk for c in contactpunten]).select_related("wijkinspecteur"):
        spreekuren[s.contactpunt_id].append(s)
    for c in contactpunten:
        c.spreekuren_list = spreekuren[c.pk]
    children = list(wijk.children.current(today).order_by("code")) if wijk.kind == Wijk.Kind.POLITIEWIJK else []
    versions = list(Wijk.objects.filter(code=wijk.code).exclude(pk=wijk.pk).order_by("valid_from"))
    features = [_feature(wijk, label=f"{wijk.code} · {wijk.name}")]
    for child in Wijk.objects.filter(pk__in=[c.pk for c in children]).annotate(
        geojson=AsGeoJSON("boundary", precision=5)
    ):
        if child.geojson:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(child.geojson),
                    "properties": {
                        "label": f"{child.code} · {child.name}",
                        "url": reverse("wijk-detail", args=[child.pk]),
                    },
                }
            )
    for c in contactpunten:
        if c.point:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(c.point.geojson),
                    "properties": {
                        "label": c.name,
                        "color": "#dc3545",
                        "url": reverse("contactpunt-detail", args=[c.pk]),
                    },
                }
            )
    return {
        "today": today,
        "current_assignments": current,
        "future_assignments": future,
        "past_assignments": past,
        "contactpunten": contactpunten,
        "children": children,
        "versions": versions,
        "features": {"type": "FeatureCollection", "features": [f for f in features if f]},
    }


def _feature(wijk: Wijk, *, label: str) -> dict | None:
    if not wijk.boundary:
        return None
    return {"type": "Feature", "geometry": json.loads(wijk.boundary.geojson), "properties": {"label": label}}
