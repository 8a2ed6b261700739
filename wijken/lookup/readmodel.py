"""Each worker's read model of the mijn-buurt answer: everything an answer needs except the address register,
held in memory so that a lookup by point runs no SQL at all (docs/performance.md, "The read model").

- The boundary index: every wijk valid today (leaf wijken, not politiewijken) and every zone boundary in a
  shapely STRtree. One covering wijk per point with the same predicate and tie-break as COVERING_WIJK_SQL:
  ST_Covers (a point on the boundary counts), then the lowest code, then the lowest id; without a wijk, the zone
  whose boundary covers the point (lowest id). Rebuilt when a wijk or zone changes anywhere (the ``geo``
  version) and at midnight.
- Per zone, a bundle of what its answers show: the zone and its numbers, for each wijk its JSON (with the
  simplified boundary) and the officers on duty, and the contactpunten with this week's spreekuren. Loaded with
  one statement the first time the zone is asked for, and again when something of that zone changes (its
  ``z<id>`` version) or the day does. The texts are kept as JSON, ready to be joined into an answer.

Memory at national scale (20,198 wijken, 202 zones) is measured in docs/performance.md.
"""

from __future__ import annotations

import datetime
import json
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from . import _geo
from .addressindex import address_index, give_back_free_memory
from .caching import GEO_FIELDS, stamp

# A wijk that counts for the lookup on %(today)s: a leaf (not a politiewijk) with a boundary, valid that day.
CURRENT_LEAF_WIJK = """w.kind = 'wijk' AND w.boundary IS NOT NULL
      AND w.valid_from <= %(today)s AND (w.valid_until IS NULL OR w.valid_until > %(today)s)"""

_today: tuple[int, str] = (0, "")


def today_iso() -> str:
    """timezone.localdate().isoformat(), worked out at most once a second (it is in every lookup's key)."""
    global _today
    second = int(time.time())
    if _today[0] != second:
        _today = (second, timezone.localdate().isoformat())
    return _today[1]


# --- The boundary index -----------------------------------------------------------------------------------------

_WIJKEN_SQL = f"""
SELECT w.id, w.zone_id, ST_AsBinary(w.boundary) FROM wijken_wijk w
WHERE {CURRENT_LEAF_WIJK}
ORDER BY w.code, w.id
"""
_ZONES_SQL = "SELECT z.id, ST_AsBinary(z.boundary) FROM wijken_zone z WHERE z.boundary IS NOT NULL ORDER BY z.id"


class BoundaryIndex:
    """The wijken valid on one day and the zones, for point-in-polygon in memory. The rows are kept in the
    tie-break order (code, id for wijken; id for zones), so the covering one is the lowest position hit."""

    def __init__(self, day: str, version: str):
        self.version = version
        self.built_at = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(_WIJKEN_SQL, {"today": datetime.date.fromisoformat(day)})
            wijken = cursor.fetchall()
            cursor.execute(_ZONES_SQL)
            zones = cursor.fetchall()
        self.wijk_ids = np.array([row[0] for row in wijken], dtype=np.int64)
        self.wijk_zone_ids = np.array([row[1] for row in wijken], dtype=np.int64)
        wijk_geometries = shapely.from_wkb([bytes(row[2]) for row in wijken])
        self.wijk_tree = shapely.STRtree(wijk_geometries)
        self._locator = _Locator(wijk_geometries)
        self.zone_ids = np.array([row[0] for row in zones], dtype=np.int64)
        self.zone_tree = shapely.STRtree(shapely.from_wkb([bytes(row[1]) for row in zones]))
        del wijken, zones, wijk_geometries
        give_back_free_memory()  # the rows, rings and coordinates the trees and the locator were made from

    def __len__(self) -> int:
        return len(self.wijk_ids)

    def covering(self, lon: float, lat: float) -> tuple[int | None, int | None]:
        """(wijk id, zone id) at a point; (None, zone id) inside a zone but no wijk; (None, None) outside.
        The grid of _geo.c answers where it is sure (nearly everywhere); GEOS where the point lies within a
        hair of a boundary."""
        found = self._locator.locate(lon, lat)
        if found >= 0:
            return int(self.wijk_ids[found]), int(self.wijk_zone_ids[found])
        point = shapely.Point(lon, lat)
        if found == _geo_UNSURE:
            hits = self.wijk_tree.query(point, predicate="covered_by")
            if hits.size:
                first = hits.min()
                return int(self.wijk_ids[first]), int(self.wijk_zone_ids[first])
        hits = self.zone_tree.query(point, predicate="covered_by")
        if hits.size:
            return None, int(self.zone_ids[hits.min()])
        return None, None

    def covering_many(self, lons, lats) -> np.ndarray:
        """The covering wijk's id for many points at once (-1 where none): for checks over a whole register."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        # Per point the lowest position among the wijken covering it (the tie-break), len(self) for none.
        first = np.full(len(points), len(self))
        point_index, tree_index = self.wijk_tree.query(points, predicate="covered_by")
        np.minimum.at(first, point_index, tree_index)
        return np.append(self.wijk_ids, -1)[first]


_geo_UNSURE = -2  # _geo.locate(): a point too close to an edge to decide without an exact predicate
# Points closer than this to a wijk's edge (in degrees, about 0.1 mm) are left to GEOS: far above the rounding
# of the crossing rule (~1e-15), far below any distance that matters on a map.
LOCATE_TOLERANCE = 1e-9


class _Locator:
    """The wijken's rings in flat arrays and a grid over them, for _geo.locate() (see _geo.c)."""

    def __init__(self, geometries: np.ndarray):
        parts, wijk_of_part = shapely.get_parts(geometries, return_index=True)
        rings, part_of_ring = shapely.get_rings(parts, return_index=True)
        coordinates, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
        self.xs = np.ascontiguousarray(coordinates[:, 0], dtype=np.float64)
        self.ys = np.ascontiguousarray(coordinates[:, 1], dtype=np.float64)
        self.ring_start = _starts(ring_of_vertex, len(rings))
        self.wijk_ring_start = _starts(wijk_of_part[part_of_ring], len(geometries))
        bounds = shapely.bounds(geometries) if len(geometries) else np.zeros((0, 4))
        self.bounds = np.ascontiguousarray(bounds, dtype=np.float64).ravel()
        # Where the crossing rule is not to be trusted (an invalid geometry, which the importer would have
        # repaired), _geo.c leaves the point to GEOS.
        self.valid = shapely.is_valid(geometries).astype(np.uint8) if len(geometries) else np.zeros(0, np.uint8)
        finite = bounds[np.isfinite(bounds[:, 0])]  # an empty boundary has no box, and covers nothing
        # About four cells per wijk: a cell then lists a few wijken, and a wijk's box meets a few cells.
        if len(finite):
            x0, y0 = finite[:, 0].min(), finite[:, 1].min()
            width, height = max(finite[:, 2].max() - x0, 1e-9), max(finite[:, 3].max() - y0, 1e-9)
            side = math.sqrt(width * height / (4 * len(finite)))
            columns, rows = max(1, math.ceil(width / side)), max(1, math.ceil(height / side))
            cell_w, cell_h = width / columns, height / rows
        else:
            x0 = y0 = 0.0
            columns = rows = 1
            cell_w = cell_h = 1.0
        self.grid = np.array([x0, y0, cell_w, cell_h, columns, rows], dtype=np.float64)
        # Each wijk is listed in every cell its box meets, as _geo.c finds a point's cell (floor; the far edges in
        # the last column and row).
        positions = np.nonzero(np.isfinite(bounds[:, 0]))[0]  # an empty boundary covers nothing
        boxes = bounds[positions]
        c0, c1 = (np.minimum(np.floor((boxes[:, k] - x0) / cell_w).astype(np.int64), columns - 1) for k in (0, 2))
        r0, r1 = (np.minimum(np.floor((boxes[:, k] - y0) / cell_h).astype(np.int64), rows - 1) for k in (1, 3))
        widths = c1 - c0 + 1
        counts = widths * (r1 - r0 + 1)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)  # the n-th cell of its box
        wijken = np.repeat(positions, counts)
        cells_np = (np.repeat(r0, counts) + within // np.repeat(widths, counts)) * columns
        cells_np += np.repeat(c0, counts) + within % np.repeat(widths, counts)
        order = np.lexsort((wijken, cells_np))  # by cell, then position (the tie-break)
        self.cell_wijken = wijken[order].astype(np.int32)
        self.cell_start = _starts(cells_np[order], columns * rows)

    def locate(self, lon: float, lat: float) -> int:
        """The lowest position of a wijk covering the point, -1 when none does, _geo_UNSURE near an edge."""
        return _geo.locate(
            float(lon),
            float(lat),
            LOCATE_TOLERANCE,
            self.grid,
            self.cell_start,
            self.cell_wijken,
            self.bounds,
            self.valid,
            self.wijk_ring_start,
            self.ring_start,
            self.xs,
            self.ys,
        )


def _starts(owner_of_item: np.ndarray, owners: int) -> np.ndarray:
    """For items sorted by owner, where each owner's items start (one more entry than owners)."""
    starts = np.zeros(owners + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.asarray(owner_of_item, dtype=np.int64), minlength=owners), out=starts[1:])
    return starts


# --- Per zone: what its answers show ---------------------------------------------------------------------------

_ZONE_SQL = f"""
WITH cw AS (
    SELECT w.id, w.code, w.name, w.parent_id, w.boundary_geojson FROM wijken_wijk w
    WHERE w.zone_id = %(zone)s AND {CURRENT_LEAF_WIJK}
),
days AS (
    SELECT d::date AS day FROM generate_series(%(today)s::date, %(today)s::date + 6, interval '1 day') AS d
)
SELECT json_build_object(
  'zone', (SELECT json_build_object(
      'id', z.id, 'name', z.name, 'slug', z.slug, 'country', z.country, 'website', NULLIF(z.website, ''),
      'emergency_number', z.emergency_number, 'non_emergency_number', NULLIF(z.non_emergency_number, ''),
      'languages', to_json(z.languages)) FROM wijken_zone z WHERE z.id = %(zone)s),
  'wijken', (SELECT COALESCE(json_agg(json_build_object(
      'id', cw.id, 'code', cw.code, 'name', cw.name,
      'politiewijk', (SELECT p.name FROM wijken_wijk p WHERE p.id = cw.parent_id))), '[]'::json)
      FROM cw),
  -- The boundaries as text (a JSON string each): joined into the answers as they are, never parsed here.
  'boundaries', (SELECT json_object_agg(cw.id, cw.boundary_geojson) FROM cw),
  'assignments', (SELECT COALESCE(json_agg(json_build_object(
      'wijk', a.wijk_id, 'id', i.id, 'role', a.role, 'name', i.display_name, 'rank', i.rank,
      'photo', NULLIF(i.photo, ''), 'introduction', i.introduction, 'phone', NULLIF(i.phone, ''),
      'has_email', (i.email <> '' OR COALESCE(u.email, '') <> ''),
      'social_links', i.social_links, 'languages', to_json(i.languages),
      'until', a.ends_on, 'note', NULLIF(a.note, ''))
      ORDER BY a.wijk_id, a.role, i.display_name, i.id), '[]'::json)
      FROM wijken_assignment a
      JOIN cw ON cw.id = a.wijk_id
      JOIN wijken_wijkinspecteur i ON i.id = a.wijkinspecteur_id
      LEFT JOIN auth_user u ON u.id = i.user_id
      WHERE i.is_active AND a.starts_on <= %(today)s AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)),
  'contactpunten', (SELECT COALESCE(json_agg(c ORDER BY c.id), '[]'::json) FROM (
      SELECT c.id, c.kind, c.name, c.street, c.house_number, c.postcode, c.municipality,
             NULLIF(c.phone, '') AS phone, c.open_24_7, NULLIF(c.notes, '') AS notes,
             ST_Y(c.point) AS lat, ST_X(c.point) AS lon,
             (SELECT COALESCE(json_agg(json_build_object(
                  'date', s.day, 'weekday', s.weekday, 'starts_at', to_char(s.starts_at, 'HH24:MI'),
                  'ends_at', to_char(s.ends_at, 'HH24:MI'), 'by_appointment', s.by_appointment,
                  'changed', s.changed, 'reason', s.reason, 'wijkinspecteur', s.officer)
                  ORDER BY s.day, s.starts_at), '[]'::json)
              FROM (
                  SELECT d.day, extract(isodow FROM d.day)::int - 1 AS weekday, sp.starts_at, sp.ends_at,
                         sp.by_appointment, false AS changed, NULL::text AS reason, si.display_name AS officer
                  FROM days d
                  JOIN wijken_spreekuur sp
                    ON sp.contactpunt_id = c.id AND sp.weekday = extract(isodow FROM d.day)::int - 1
                  LEFT JOIN wijken_wijkinspecteur si ON si.id = sp.wijkinspecteur_id AND si.is_active
                  WHERE NOT EXISTS (SELECT 1 FROM wijken_spreekuurexception e
                                    WHERE e.contactpunt_id = c.id AND e.date = d.day)
                  UNION ALL
                  SELECT e.date, extract(isodow FROM e.date)::int - 1, e.starts_at, e.ends_at, false, true,
                         NULLIF(e.reason, ''), NULL
                  FROM wijken_spreekuurexception e
                  WHERE e.contactpunt_id = c.id AND NOT e.closed AND e.starts_at IS NOT NULL
                    AND e.date BETWEEN %(today)s AND %(today)s::date + 6
              ) s) AS spreekuren,
             (SELECT COALESCE(json_agg(json_build_object('date', e.date, 'reason', NULLIF(e.reason, ''))
                  ORDER BY e.date), '[]'::json)
              FROM wijken_spreekuurexception e
              WHERE e.contactpunt_id = c.id AND e.closed
                AND e.date BETWEEN %(today)s AND %(today)s::date + 6) AS closed
      FROM wijken_contactpunt c
      WHERE c.zone_id = %(zone)s AND c.is_active AND c.point IS NOT NULL) c)
)::text
"""

NO_WIJK = json.dumps({"wijk": None, "standin_active": False, "officers": [], "away": [], "team": []})[1:-1]


def _officers(assignments: list[dict], contact_prefix: str) -> dict:
    """Who a citizen sees for one wijk: on duty (the stand-in while one is active), away, and the wijkteam."""
    officers: dict[int, dict] = {}
    by_role: dict[str, list[dict]] = {"wijkinspecteur": [], "standin": [], "wijkteam": []}
    for item in assignments:
        if item["id"] in officers and item["role"] != "standin":
            continue
        item["photo_url"] = _media_url(item.pop("photo"))
        item["contact_url"] = f"{contact_prefix}{item['id']}/"
        officers[item["id"]] = item
        by_role[item["role"]].append(item)
    standin_active = bool(by_role["standin"])
    on_duty = by_role["standin"] if standin_active else by_role["wijkinspecteur"]
    on_duty_ids = {o["id"] for o in on_duty}
    return {
        "standin_active": standin_active,
        "officers": on_duty,
        "away": by_role["wijkinspecteur"] if standin_active else [],
        "team": [o for o in by_role["wijkteam"] if o["id"] not in on_duty_ids],
    }


def _media_url(path: str | None) -> str | None:
    return f"{settings.MEDIA_URL}{path}" if path else None


@dataclass
class ZoneBundle:
    version: str
    loaded_at: float
    zone_json: str
    country_json: str
    numbers_json: str
    wijken: dict[int, str]  # wijk id: '"wijk":{...},"standin_active":...,"officers":[...],"away":[...],"team":[...]'
    contactpunten: list[tuple[float, float, int, str]]  # lon, lat, id, its JSON without the closing brace

    @classmethod
    def load(cls, zone_id: int, day: str, version: str) -> ZoneBundle | None:
        loaded_at = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(_ZONE_SQL, {"zone": zone_id, "today": datetime.date.fromisoformat(day)})
            raw = json.loads(cursor.fetchone()[0])
        zone = raw["zone"]
        if zone is None:
            return None
        numbers = {
            "emergency": zone["emergency_number"],
            "police_emergency": "101" if zone["country"] == "BE" else "",  # Belgium's police emergency number
            "non_emergency": zone["non_emergency_number"] or "",
        }
        by_wijk: dict[int, list[dict]] = {}
        for item in raw["assignments"]:
            by_wijk.setdefault(item.pop("wijk"), []).append(item)
        contact_prefix = reverse("mijn-buurt-contact", kwargs={"wijkinspecteur_pk": 0})[:-2]
        boundaries = raw["boundaries"] or {}
        wijken = {}
        for wijk in raw["wijken"]:
            boundary = boundaries.get(str(wijk["id"])) or "null"
            officers = json.dumps(_officers(by_wijk.get(wijk["id"], []), contact_prefix))
            wijken[wijk["id"]] = f'"wijk":{json.dumps(wijk)[:-1]},"boundary":{boundary}}},{officers[1:-1]}'
        contactpunten = [(c["lon"], c["lat"], c["id"], json.dumps(c)[:-1]) for c in raw["contactpunten"]]
        return cls(
            version=version,
            loaded_at=loaded_at,
            zone_json=json.dumps(zone),
            country_json=json.dumps(zone["country"]),
            numbers_json=json.dumps(numbers),
            wijken=wijken,
            contactpunten=contactpunten,
        )

    def nearest_contactpunten(self, lon: float, lat: float, count: int = 3) -> str:
        """The `count` nearest contactpunten as a JSON array, each with its distance in metres."""
        ranked = sorted((distance_m(lon, lat, c[0], c[1]), c[2], c[3]) for c in self.contactpunten)[:count]
        return "[" + ",".join(f'{text},"distance_m":{int(metres + 0.5)}}}' for metres, _, text in ranked) + "]"


# WGS84. Distances on the ellipsoid from the radii of curvature at the mean latitude: within 0.1 m of PostGIS's
# geodesic ST_Distance(geography) for points up to 30 km apart and 0.5 m at 60 km (tests/wijken/test_readmodel.py),
# which is what "the nearest contactpunten of the zone" compares and shows in whole metres.
_A = 6378137.0
_E2 = 0.00669437999014


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi = math.radians((lat1 + lat2) / 2)
    w = 1 - _E2 * math.sin(phi) ** 2
    meridian = _A * (1 - _E2) / w**1.5
    normal = _A / math.sqrt(w)
    return math.hypot(math.radians(lon2 - lon1) * normal * math.cos(phi), math.radians(lat2 - lat1) * meridian)


# --- The process's copies ------------------------------------------------------------------------------------

_lock = threading.Lock()
_index: BoundaryIndex | None = None
_bundles: dict[int, ZoneBundle | None] = {}


def boundary_index() -> BoundaryIndex:
    """This process's boundary index, rebuilt when the boundaries or the day changed."""
    global _index
    day = today_iso()
    version = f"{day}:{stamp(*GEO_FIELDS)}"
    index = _index
    if index is None or index.version != version:
        with _lock:  # one build per process, not one per waiting thread
            index = _index
            if index is None or index.version != version:
                index = _index = BoundaryIndex(day, version)
    return index


def zone_bundle(zone_id: int, *, newer_than: float = 0.0) -> ZoneBundle | None:
    """This process's bundle of a zone, loaded when missing, stale, or older than `newer_than` (a monotonic
    time: the boundary index that named one of its wijken)."""
    day = today_iso()
    version = f"{day}:{stamp('all', f'z{zone_id}')}"
    bundle = _bundles.get(zone_id)
    if bundle is None or bundle.version != version or bundle.loaded_at < newer_than:
        with _lock:
            bundle = _bundles.get(zone_id)
            if bundle is None or bundle.version != version or bundle.loaded_at < newer_than:
                bundle = _bundles[zone_id] = ZoneBundle.load(zone_id, day, version)
    return bundle


def warm() -> dict:
    """Load the boundary index, every zone's bundle and the address index now (gunicorn.conf.py: a master or a
    worker that is starting), and say how much."""
    index = boundary_index()
    zone_ids = {int(z) for z in index.zone_ids} | {int(z) for z in index.wijk_zone_ids}
    for zone_id in sorted(zone_ids):
        zone_bundle(zone_id)
    return {
        "wijken": len(index),
        "zones": sum(1 for zone_id in zone_ids if _bundles.get(zone_id)),
        "addresses": len(address_index() or ()),
    }
