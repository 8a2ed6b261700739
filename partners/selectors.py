"""Reads of the partners app that span models: the network of a wijk with last and next visits, the visit
log's list of partners, open follow-up tasks. Each answers in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from wijken.models import Membership, Wijk, Zone
from wijken.selectors import wijken_editable_by

from .models import NetworkSettings, Partner, PartnerType, Visit


def visit_policy(zone: Zone) -> NetworkSettings:
    """The zone's visit interval and "due soon" window; the defaults (unsaved) when the zone set none.
    The sectorscan cycle reads the same policy."""
    return NetworkSettings.objects.filter(zone=zone).first() or NetworkSettings(zone=zone)


class AddMonths(Func):
    """date + N months as a date, with PostgreSQL's end-of-month clipping (31 Aug + 6 months = 28 Feb)."""

    arg_joiner = " + make_interval(0, "
    template = "(%(expressions)s))::date"
    output_field = DateField()


def with_visit_dates(
    partners: QuerySet[Partner], *, policy: NetworkSettings, today: datetime.date | None = None
) -> QuerySet[Partner]:
    """Annotate last_visit (date of the latest visit), next_visit_due (last visit + the interval; today for
    a partner never visited: it is due now) and due_state (0 overdue, 1 due today or never visited, 2 due
    soon, 3 later) in the same query."""
    today = today or timezone.localdate()
    last = Visit.objects.filter(partner=OuterRef("pk")).order_by("-date", "-pk").values("date")[:1]
    soon = today + datetime.timedelta(days=policy.due_soon_days)
    return partners.annotate(
        last_visit=Subquery(last, output_field=DateField()),
        next_visit_due=Coalesce(
            AddMonths(F("last_visit"), Value(policy.visit_interval_months)), Value(today), output_field=DateField()
        ),
        due_state=Case(
            When(next_visit_due__lt=today, then=Value(0)),
            When(next_visit_due=today, then=Value(1)),
            When(next_visit_due__lte=soon, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
    )


DUE_FILTERS = {
    "overdue": Q(due_state=0),
    "due": Q(due_state__lte=1),
    "soon": Q(due_state__lte=2),
}


def partner_list(
    *,
    zone: Zone,
    wijk: Wijk | None = None,
    partner_type: PartnerType | None = None,
    due: str | None = None,
    search: str = "",
    active_only: bool = True,
    today: datetime.date | None = None,
) -> QuerySet[Partner]:
    """Partners of the zone with their visit dates, filtered as the list page and the API filter them."""
    policy = visit_policy(zone)
    partners = Partner.objects.filter(zone=zone).select_related("partner_type", "wijk").defer("wijk__boundary")
    if active_only:
        partners = partners.active()
    if wijk is not None:
        partners = partners.filter(wijk=wijk)
    if partner_type is not None:
        partners = partners.filter(partner_type=partner_type)
    if search:
        partners = partners.filter(search_q(search))
    partners = with_visit_dates(partners, policy=policy, today=today)
    if due in DUE_FILTERS:
        partners = partners.filter(DUE_FILTERS[due])
    return partners.order_by("name", "pk")


def search_q(text: str) -> Q:
    """Name, street or municipality contain the words, ignoring case and accents (é = e)."""
    q = Q()
    for word in text.split()[:5]:
        q &= (
            Q(name__unaccent__icontains=word)
            | Q(street__unaccent__icontains=word)
            | Q(municipality__unaccent__icontains=word)
        )
    return q


@dataclass
class TypeGroup:
    partner_type: PartnerType
    partners: list[Partner] = field(default_factory=list)


@dataclass
class Network:
    wijk: Wijk
    policy: NetworkSettings
    groups: list[TypeGroup]
    partners: list[Partner]

    @property
    def count_due(self) -> int:
        return sum(1 for p in self.partners if p.due_state <= 1)

    @property
    def count_never_visited(self) -> int:
        return sum(1 for p in self.partners if p.last_visit is None)


def wijk_network(*, wijk: Wijk, today: datetime.date | None = None) -> Network:
    """The active partners of a wijk grouped by type (the type's order), each with last visit and next
    visit due. Two queries whatever the size of the network."""
    policy = visit_policy(wijk.zone)
    partners = list(
        with_visit_dates(
            Partner.objects.filter(zone_id=wijk.zone_id, wijk=wijk).active().select_related("partner_type"),
            policy=policy,
            today=today,
        )
        .annotate(contact_count=Count("contacts", filter=Q(contacts__is_active=True)))
        .order_by("partner_type__order", "partner_type__name", "name", "pk")
    )
    groups: dict[int, TypeGroup] = {}
    for partner in partners:
        groups.setdefault(partner.partner_type_id, TypeGroup(partner.partner_type)).partners.append(partner)
    return Network(wijk=wijk, policy=policy, groups=list(groups.values()), partners=partners)


def partners_geojson(partners: list[Partner], *, boundary: Wijk | None = None) -> dict:
    """A FeatureCollection of partner points coloured by type (and the wijk's outline, if given)."""
    features = []
    if boundary is not None and boundary.boundary is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": _geometry(boundary.boundary),
                "properties": {"label": boundary.name, "color": "#495057", "fillOpacity": 0.05, "weight": 2},
            }
        )
    for partner in partners:
        if partner.point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [partner.point.x, partner.point.y]},
                "properties": {
                    "label": f"{partner.name} · {partner.partner_type.name}",
                    "color": partner.partner_type.color,
                    # The map's style function also styles points: set a solid fill explicitly.
                    "fillOpacity": 0.9,
                    "weight": 1,
                    "url": reverse("partners:detail", kwargs={"pk": partner.pk}),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _geometry(geom) -> dict:
    import json

    return json.loads(geom.simplify(0.0001, preserve_topology=True).geojson)


def partners_for_visit_log(
    *, membership: Membership, search: str = "", limit: int = 25, today: datetime.date | None = None
) -> list[Partner]:
    """Screen 1 of the visit log: the partners the member may log a visit for, the most overdue first
    (never visited, then the oldest due date), narrowed by a search."""
    zone = membership.zone
    partners = Partner.objects.filter(zone=zone).active().select_related("partner_type", "wijk").defer("wijk__boundary")
    allowed = wijken_editable_by(membership)
    if allowed is not None:
        partners = partners.filter(wijk_id__in=allowed)
    if search:
        partners = partners.filter(search_q(search))
    partners = with_visit_dates(partners, policy=visit_policy(zone), today=today)
    return list(partners.order_by("next_visit_due", F("last_visit").asc(nulls_first=True), "name", "pk")[:limit])


def open_tasks(*, zone: Zone, user=None, today: datetime.date | None = None):
    """Open follow-up tasks, oldest due first; only those of visits by the user's profiles when given."""
    from .models import FollowUpTask

    tasks = (
        FollowUpTask.objects.filter(zone=zone)
        .open()
        .select_related("visit__partner__partner_type", "visit__wijkinspecteur")
    )
    if user is not None:
        tasks = tasks.filter(visit__wijkinspecteur__user=user)
    return tasks.order_by("due_on", "pk")


def wijken_outline_geojson(zone: Zone, *, partner: Partner | None = None) -> dict:
    """The zone's current wijken as thin outlines (to place a partner on a map), with the partner's point."""
    features = [
        {
            "type": "Feature",
            "geometry": _geometry(wijk.boundary),
            "properties": {"label": wijk.name, "color": "#6c757d", "fillOpacity": 0.04, "weight": 1},
        }
        for wijk in Wijk.objects.filter(zone=zone).current().leaves().exclude(boundary=None)
    ]
    return {"type": "FeatureCollection", "features": features}
