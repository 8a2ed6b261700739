"""Reads of the sectorscans app that span models: permissions by wijk, coverage and aggregates. Every
function runs a fixed number of queries whatever the size of the zone."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db import connection
from django.db.models import (
    DateField,
    F,
    Func,
    Max,
    Min,
    Q,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import ContactPerson
from wijken.models import Assignment, Wijk, Wijkinspecteur, Zone

from .models import Questionnaire, SectorscanSettings, Theme, ThemeResult
from .services import settings_for

# --- Coverage ---------------------------------------------------------------------------------------------


class AddMonths(Func):
    """date + N months, as a date (PostgreSQL make_interval); N is an integer from our own settings."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(expression, months=int(months))

    template = "CAST(%(expressions)s + make_interval(months => %(months)s) AS date)"


@dataclass
class CoverageRow:
    contact_id: int
    contact_name: str
    function: str
    partner_id: int
    partner_name: str
    wijk_id: int | None
    wijk_name: str
    last_scan: datetime.date | None
    due_on: datetime.date | None
    state: str  # never / overdue / due / ok

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.due_on).days if self.due_on else 0


def _coverage_queryset(*, zone: Zone, conf: SectorscanSettings, on: datetime.date, wijk_ids=None):
    # One grouped join over the zone's scans (the scan_zone_contact_date index), not a subquery per reference.
    qs = (
        ContactPerson.objects.filter(zone=zone, is_active=True, partner__is_active=True)
        .annotate(last_scan=Max("sectorscans__date"))
        .annotate(due_on=AddMonths(F("last_scan"), conf.interval_months))
        .annotate(due_sort=Coalesce(F("due_on"), Value(datetime.date(1900, 1, 1)), output_field=DateField()))
    )
    if wijk_ids is not None:
        qs = qs.filter(partner__wijk_id__in=list(wijk_ids))
    return qs


def _state(due_on, on, horizon) -> str:
    if due_on is None:
        return "never"
    if due_on < on:
        return "overdue"
    if due_on <= horizon:
        return "due"
    return "ok"


def coverage_rows(
    *,
    zone: Zone,
    wijk_ids=None,
    due_before: datetime.date | None = None,
    on: datetime.date | None = None,
    settings: SectorscanSettings | None = None,
    limit: int | None = None,
    states: set[str] | None = None,
) -> list[CoverageRow]:
    """Active contacts (of the given wijken) whose scan is due before `due_before` (never-scanned first, then
    the most overdue). One query."""
    on = on or timezone.localdate()
    conf = settings or settings_for(zone=zone)
    horizon = due_before or on + datetime.timedelta(days=conf.digest_days)
    qs = _coverage_queryset(zone=zone, conf=conf, on=on, wijk_ids=wijk_ids).filter(due_sort__lte=horizon)
    if states:
        condition = Q()
        if "never" in states:
            condition |= Q(last_scan__isnull=True)
        if "overdue" in states:
            condition |= Q(due_on__lt=on)
        if "due" in states:
            condition |= Q(due_on__gte=on, due_on__lte=horizon)
        qs = qs.filter(condition)
    qs = qs.order_by("due_sort", "partner__name", "name").values(
        "pk",
        "name",
        "function",
        "partner_id",
        "partner__name",
        "partner__wijk_id",
        "partner__wijk__name",
        "last_scan",
        "due_on",
    )
    if limit:
        qs = qs[:limit]
    return [
        CoverageRow(
            r["pk"],
            r["name"],
            r["function"],
            r["partner_id"],
            r["partner__name"],
            r["partner__wijk_id"],
            r["partner__wijk__name"] or "",
            r["last_scan"],
            r["due_on"],
            _state(r["due_on"], on, horizon),
        )
        for r in qs
    ]


@dataclass
class WijkCoverage:
    wijk_id: int | None
    wijk_name: str
    contacts: int = 0
    never: int = 0
    overdue: int = 0
    due: int = 0

    @property
    def ok(self) -> int:
        return self.contacts - self.never - self.overdue - self.due

    @property
    def covered_pct(self) -> int:
        return round(100 * (self.contacts - self.never - self.overdue) / self.contacts) if self.contacts else 100


COVERAGE_BY_WIJK_SQL = """
SELECT p.wijk_id, w.name AS wijk_name, COUNT(*) AS contacts,
       COUNT(*) FILTER (WHERE c.last_scan IS NULL) AS never,
       COUNT(*) FILTER (WHERE c.due_on < %(on)s) AS overdue,
       COUNT(*) FILTER (WHERE c.due_on >= %(on)s AND c.due_on <= %(horizon)s) AS due
FROM (
    SELECT cp.id, cp.partner_id, MAX(s.date) AS last_scan,
           CAST(MAX(s.date) + make_interval(months => %(months)s) AS date) AS due_on
    FROM partners_contactperson cp
    LEFT JOIN sectorscans_scan s ON s.contact_id = cp.id AND s.zone_id = %(zone)s
    WHERE cp.zone_id = %(zone)s AND cp.is_active
    GROUP BY cp.id
) AS c
JOIN partners_partner p ON p.id = c.partner_id AND p.is_active AND p.zone_id = %(zone)s
LEFT JOIN wijken_wijk w ON w.id = p.wijk_id
WHERE %(all_wijken)s OR p.wijk_id = ANY(%(wijk_ids)s)
GROUP BY p.wijk_id, w.name
ORDER BY w.name NULLS LAST
"""


def coverage_by_wijk(
    *, zone: Zone, wijk_ids=None, on: datetime.date | None = None, settings: SectorscanSettings | None = None
) -> list[WijkCoverage]:
    """Per wijk: active contacts, never scanned, overdue and due within the digest horizon. One query (raw
    SQL: the counts filter on a per-contact aggregate, which the ORM cannot nest; the zone filter is explicit)."""
    on = on or timezone.localdate()
    conf = settings or settings_for(zone=zone)
    params = {
        "zone": zone.pk,
        "on": on,
        "horizon": on + datetime.timedelta(days=conf.digest_days),
        "months": int(conf.interval_months),
        "all_wijken": wijk_ids is None,
        "wijk_ids": list(wijk_ids or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(COVERAGE_BY_WIJK_SQL, params)
        return [WijkCoverage(*row) for row in cursor.fetchall()]


# --- Aggregates -------------------------------------------------------------------------------------------

PERIOD_KINDS = ("quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date

    @property
    def end(self) -> datetime.date:  # exclusive
        return _shift(self.start, 3 if self.kind == "quarter" else 12)

    @property
    def previous(self) -> Period:
        return Period(self.kind, _shift(self.start, -3 if self.kind == "quarter" else -12))

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        return self.key

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        if kind == "quarter":
            return cls(kind, datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        return cls(kind, datetime.date(day.year, 1, 1))

    @classmethod
    def parse(cls, kind: str, key: str) -> Period:
        """'2025-Q3' or '2025'; ValueError when it is neither."""
        key = (key or "").strip().upper()
        if kind == "quarter":
            year, _sep, q = key.partition("-Q")
            quarter = int(q)
            if not 1 <= quarter <= 4:
                raise ValueError(key)
            return cls(kind, datetime.date(int(year), 3 * (quarter - 1) + 1, 1))
        return cls(kind, datetime.date(int(key), 1, 1))


def _shift(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def default_period(kind: str, on: datetime.date | None = None) -> Period:
    """The last complete period: the figures of a running quarter are still moving."""
    return Period.containing(kind, on or timezone.localdate()).previous


@dataclass
class Cell:
    mean: float | None = None  # 0..10
    share: float | None = None  # 0..100 % of contacts reporting a problem
    n: int = 0  # scans
    contacts: int = 0
    prev_mean: float | None = None
    prev_share: float | None = None
    prev_n: int = 0

    @property
    def change_mean(self) -> float | None:
        if self.mean is None or self.prev_mean is None:
            return None
        return round(self.mean - self.prev_mean, 1)

    @property
    def change_share(self) -> float | None:
        if self.share is None or self.prev_share is None:
            return None
        return round(self.share - self.prev_share, 1)


@dataclass
class FigureRow:
    wijk_id: int | None
    wijk_name: str
    cells: dict[str, Cell] = field(default_factory=dict)


def _fill_cells(rows, key_of) -> dict:
    found: dict = defaultdict(lambda: defaultdict(Cell))
    for r in rows:
        cell = found[key_of(r)][r["theme_key"]]
        mean = None if r["mean"] is None else round(r["mean"] * 10, 1)
        share = round(100 * r["problem_contacts"] / r["contacts"], 1) if r["contacts"] else None
        if r["current"]:
            cell.mean, cell.share, cell.n, cell.contacts = mean, share, r["n"], r["contacts"]
        else:
            cell.prev_mean, cell.prev_share, cell.prev_n = mean, share, r["n"]
    return found


def theme_names(*, zone: Zone) -> list[tuple[str, str]]:
    """(key, name) of the themes, in the order of the questionnaire in use (else the newest version)."""
    questionnaire = Questionnaire.objects.filter(zone=zone).order_by("-is_active", "-version").only("pk").first()
    if questionnaire is None:
        return []
    return [(t.key, t.name) for t in Theme.objects.filter(questionnaire=questionnaire).order_by("order", "key")]


def period_choices(*, zone: Zone, kind: str) -> list[Period]:
    bounds = ThemeResult.objects.filter(zone=zone).aggregate(first=Min("date"), last=Max("date"))
    if not bounds["first"]:
        return []
    periods = []
    period = Period.containing(kind, bounds["last"])
    stop = Period.containing(kind, bounds["first"]).start
    while period.start >= stop and len(periods) < 40:
        periods.append(period)
        period = period.previous
    return periods


AGGREGATE_SQL = """
SELECT wijk_id, theme_key, current, (SUM(score_sum) / NULLIF(SUM(scored), 0))::float8 AS mean,
       SUM(scored)::int AS scored, SUM(n)::int AS n,
       COUNT(*) AS contacts, COUNT(*) FILTER (WHERE problem) AS problem_contacts
FROM (
    SELECT wijk_id, theme_key, (date >= %(start)s) AS current, contact_id, SUM(score) AS score_sum,
           COUNT(score) AS scored, COUNT(*) AS n, BOOL_OR(has_problem) AS problem
    FROM sectorscans_themeresult
    WHERE zone_id = %(zone)s AND date >= %(previous)s AND date < %(end)s
    GROUP BY 1, 2, 3, 4
) AS per_contact
GROUP BY 1, 2, 3
"""


def aggregate_figures(*, zone: Zone, period: Period) -> dict:
    """Per wijk and theme for `period` and the one before: mean score (0-10), share of contacts reporting a
    problem, and the number of scans behind each figure; the zone's totals alike.

    One query: an index-only scan of the two periods' theme results, aggregated per contact first (a contact
    with two scans in a period counts once in the share) and then per wijk and theme, both as hash aggregates.
    The zone's totals add up the wijken in Python (a contact counts in the wijk of its partner at the time of
    the scan). Raw SQL because the ORM cannot aggregate over an aggregate; the zone filter is explicit."""
    with connection.cursor() as cursor:
        cursor.execute(
            AGGREGATE_SQL,
            {"zone": zone.pk, "start": period.start, "previous": period.previous.start, "end": period.end},
        )
        columns = [c.name for c in cursor.description]
        fetched = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    by_wijk = _fill_cells(fetched, lambda r: r["wijk_id"])
    totals: dict[tuple, dict] = {}
    for r in fetched:
        t = totals.setdefault(
            (r["theme_key"], r["current"]),
            {
                "theme_key": r["theme_key"],
                "current": r["current"],
                "sum": 0.0,
                "scored_n": 0,
                "n": 0,
                "contacts": 0,
                "problem_contacts": 0,
            },
        )
        t["n"] += r["n"]
        t["contacts"] += r["contacts"]
        t["problem_contacts"] += r["problem_contacts"]
        if r["mean"] is not None:
            # The zone's mean weighs each wijk's mean by the number of scored results behind it.
            t["sum"] += r["mean"] * r["scored"]
            t["scored_n"] += r["scored"]
    for t in totals.values():
        t["mean"] = t["sum"] / t["scored_n"] if t["scored_n"] else None
    total_cells = _fill_cells(totals.values(), lambda r: None).get(None, {})
    wijken = list(Wijk.objects.filter(zone=zone).current().leaves().order_by("name").values("pk", "name"))
    rows = [FigureRow(w["pk"], w["name"], dict(by_wijk.get(w["pk"], {}))) for w in wijken]
    known = {w["pk"] for w in wijken}
    orphans = [key for key in by_wijk if key not in known]
    if orphans:
        # Scans of wijken that were redrawn since, or of partners without a wijk.
        merged = FigureRow(None, _("Other / earlier boundaries"))
        for key in orphans:
            for theme, cell in by_wijk[key].items():
                merged.cells.setdefault(theme, cell)
        rows.append(merged)
    return {"period": period, "rows": rows, "total": FigureRow(None, _("Whole zone"), dict(total_cells))}


# Five classes of the mean score (0-10), ColorBrewer RdYlGn: red is unsafe, green is safe.
SCORE_CLASSES = [
    (0.0, 4.0, "#d7191c"),
    (4.0, 5.5, "#fdae61"),
    (5.5, 7.0, "#ffffbf"),
    (7.0, 8.5, "#a6d96a"),
    (8.5, 10.01, "#1a9641"),
]
NO_DATA_COLOR = "#adb5bd"


def score_color(mean: float | None) -> str:
    if mean is None:
        return NO_DATA_COLOR
    for low, high, color in SCORE_CLASSES:
        if low <= mean < high:
            return color
    return NO_DATA_COLOR


def figures_map(*, zone: Zone, figures: dict, theme_key: str) -> dict:
    """The zone's current wijken as GeoJSON, coloured by the theme's mean score in the period. One query."""
    cells = {row.wijk_id: row.cells.get(theme_key) for row in figures["rows"]}
    features = []
    for w in (
        Wijk.objects.filter(zone=zone, boundary__isnull=False)
        .current()
        .leaves()
        .annotate(geo=AsGeoJSON("boundary", precision=5))
        .values("pk", "name", "geo")
    ):
        cell = cells.get(w["pk"])
        mean = cell.mean if cell else None
        label = f"{w['name']}: " + (
            _("%(mean)s / 10 (n = %(n)s)") % {"mean": mean, "n": cell.n} if mean is not None else _("no scans")
        )
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(w["geo"]),
                "properties": {
                    "label": label,
                    "color": "#343a40",
                    "fillColor": score_color(mean),
                    "fillOpacity": 0.7,
                    "weight": 1,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def wijkinspecteur_for_scan(*, user, wijk_id: int | None, on: datetime.date | None = None) -> Wijkinspecteur | None:
    """Whose visit a scan is: the user's own wijkinspecteur profile, else (a teamchef taking it) the
    wijkinspecteur assigned to the wijk."""
    own = Wijkinspecteur.objects.filter(user=user, is_active=True).first()
    if own is not None or wijk_id is None:
        return own
    assignments = Assignment.objects.active(on).filter(wijk_id=wijk_id).select_related("wijkinspecteur")
    chosen = assignments.filter(role=Assignment.AssignmentRole.WIJKINSPECTEUR).first() or assignments.first()
    return chosen.wijkinspecteur if chosen else None
