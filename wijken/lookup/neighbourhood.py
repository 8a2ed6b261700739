"""The neighbourhood at a point or an address: one SQL statement that builds the answer's JSON in PostgreSQL,
shaped into the public answer and cached whole (DESIGN §10). Also the contact form's officer and the zones map."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from .. import models as wm
from .caching import _cached, _current_version, _store
from .search import _label

# National numbers for an address that no zone of ours covers. In Belgium 101 is the police's own emergency
# number and there is no national non-emergency line (that is each zone's own number); the Netherlands has
# 0900-8844 for police matters without urgency.
NATIONAL_NUMBERS = {
    "BE": {"emergency": "112", "police_emergency": "101", "non_emergency": ""},
    "NL": {"emergency": "112", "police_emergency": "", "non_emergency": "0900-8844"},
    None: {"emergency": "112", "police_emergency": "", "non_emergency": ""},
}

# Spoken and written abbreviations citizens type; expanded before the trigram search so that "st petrus"

# The covering leaf wijk valid today, with the same deterministic tie-break as Wijk.objects.covering(): a
# point on a shared edge belongs to the wijk with the lowest code, then the lowest id. Shared with the bulk
# check so that the correctness test exercises exactly this predicate.
COVERING_WIJK_SQL = """
    SELECT w.id, w.zone_id, w.code, w.name, w.parent_id, w.boundary
    FROM wijken_wijk w
    WHERE w.kind = 'wijk' AND w.boundary IS NOT NULL
      AND w.valid_from <= %(today)s AND (w.valid_until IS NULL OR w.valid_until > %(today)s)
      AND ST_Covers(w.boundary, {point})
    ORDER BY w.code, w.id
    LIMIT 1
"""

_ANSWER_SQL = """
WITH pt AS ({point_source}),
w AS ({covering}),
z AS (
    SELECT z.id, z.name, z.slug, z.country, z.emergency_number, z.non_emergency_number, z.website, z.languages
    FROM wijken_zone z
    WHERE z.id = (SELECT zone_id FROM w)
       OR (NOT EXISTS (SELECT 1 FROM w) AND ST_Covers(z.boundary, (SELECT geom FROM pt)))
    ORDER BY (z.id = (SELECT zone_id FROM w)) DESC NULLS LAST, z.id
    LIMIT 1
),
days AS (
    SELECT d::date AS day FROM generate_series(%(today)s::date, %(today)s::date + 6, interval '1 day') AS d
)
SELECT json_build_object(
  'point', (SELECT json_build_object('lat', ST_Y(geom), 'lon', ST_X(geom)) FROM pt),
  'address', (SELECT address FROM pt),
  'zone', (SELECT json_build_object(
      'id', z.id, 'name', z.name, 'slug', z.slug, 'country', z.country, 'website', NULLIF(z.website, ''),
      'emergency_number', z.emergency_number, 'non_emergency_number', NULLIF(z.non_emergency_number, ''),
      'languages', to_json(z.languages)) FROM z),
  'wijk', (SELECT json_build_object(
      'id', w.id, 'code', w.code, 'name', w.name,
      'politiewijk', (SELECT p.name FROM wijken_wijk p WHERE p.id = w.parent_id),
      'boundary', ST_AsGeoJSON(ST_SimplifyPreserveTopology(w.boundary, 0.00005), 6)::json) FROM w),
  'assignments', (SELECT COALESCE(json_agg(json_build_object(
      'id', i.id, 'role', a.role, 'name', i.display_name, 'rank', i.rank,
      'photo', NULLIF(i.photo, ''), 'introduction', i.introduction, 'phone', NULLIF(i.phone, ''),
      'has_email', (i.email <> '' OR COALESCE(u.email, '') <> ''),
      'social_links', i.social_links, 'languages', to_json(i.languages),
      'until', a.ends_on, 'note', NULLIF(a.note, ''))
      ORDER BY a.role, i.display_name, i.id), '[]'::json)
      FROM wijken_assignment a
      JOIN wijken_wijkinspecteur i ON i.id = a.wijkinspecteur_id
      LEFT JOIN auth_user u ON u.id = i.user_id
      WHERE a.wijk_id = (SELECT id FROM w) AND i.is_active
        AND a.starts_on <= %(today)s AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)),
  'contactpunten', (SELECT COALESCE(json_agg(c ORDER BY c.distance_m, c.id), '[]'::json) FROM (
      SELECT c.id, c.kind, c.name, c.street, c.house_number, c.postcode, c.municipality,
             NULLIF(c.phone, '') AS phone, c.open_24_7, NULLIF(c.notes, '') AS notes,
             ST_Y(c.point) AS lat, ST_X(c.point) AS lon,
             round(ST_Distance(c.point::geography, (SELECT geom FROM pt)::geography))::int AS distance_m,
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
      WHERE c.zone_id = (SELECT id FROM z) AND c.is_active AND c.point IS NOT NULL
      ORDER BY ST_Distance(c.point::geography, (SELECT geom FROM pt)::geography), c.id
      LIMIT 3) c)
)::text
FROM pt
"""

_POINT_SOURCE = "SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom, NULL::json AS address"
_ADDRESS_SOURCE = """
    SELECT a.point AS geom, json_build_object(
        'id', a.id, 'street', a.street, 'house_number', a.house_number, 'box', a.box, 'postcode', a.postcode,
        'municipality', a.municipality, 'country', a.country) AS address
    FROM wijken_address a WHERE a.id = %(address)s"""

_POINT_SQL = _ANSWER_SQL.format(
    point_source=_POINT_SOURCE, covering=COVERING_WIJK_SQL.format(point="(SELECT geom FROM pt)")
)
_ADDRESS_SQL = _ANSWER_SQL.format(
    point_source=_ADDRESS_SOURCE, covering=COVERING_WIJK_SQL.format(point="(SELECT geom FROM pt)")
)


# Belgium, roughly (about 20 km at worst): enough to tell which national numbers apply to a point no zone
# of ours covers. Not a boundary for anything else.
_BELGIUM = Polygon(
    (
        (2.54, 51.12),
        (3.37, 51.40),
        (3.9, 51.21),
        (4.24, 51.37),
        (4.5, 51.48),
        (4.77, 51.5),
        (5.04, 51.48),
        (5.24, 51.3),
        (5.5, 51.29),
        (5.85, 51.16),
        (5.76, 51.0),
        (5.64, 50.85),
        (5.68, 50.76),
        (6.02, 50.75),
        (6.4, 50.32),
        (6.13, 50.13),
        (5.75, 49.55),
        (4.8, 49.95),
        (4.2, 49.95),
        (2.54, 50.8),
        (2.54, 51.12),
    ),
    srid=4326,
)


def country_guess(lat: float, lon: float) -> str | None:
    """A rough country for a point no zone covers, to give the right national numbers."""
    point = Point(lon, lat, srid=4326)
    if _BELGIUM.covers(point):
        return "BE"
    if 50.75 <= lat <= 53.7 and 3.2 <= lon <= 7.25:
        return "NL"
    return None


def _media_url(path: str | None) -> str | None:
    return f"{settings.MEDIA_URL}{path}" if path else None


def _shape(raw: dict) -> dict:
    """Turn the database's JSON into the public answer: who is on duty, who is away, the numbers."""
    zone = raw["zone"]
    contact_prefix = reverse("mijn-buurt-contact", kwargs={"wijkinspecteur_pk": 0})[:-2]
    officers: dict[int, dict] = {}
    by_role: dict[str, list[dict]] = {"wijkinspecteur": [], "standin": [], "wijkteam": []}
    for item in raw.pop("assignments") or []:
        if item["id"] in officers and item["role"] != "standin":
            continue
        item["photo_url"] = _media_url(item.pop("photo"))
        item["contact_url"] = f"{contact_prefix}{item['id']}/"
        officers[item["id"]] = item
        by_role[item["role"]].append(item)
    standin_active = bool(by_role["standin"])
    on_duty = by_role["standin"] if standin_active else by_role["wijkinspecteur"]
    on_duty_ids = {o["id"] for o in on_duty}
    point = raw["point"]
    country = zone["country"] if zone else country_guess(point["lat"], point["lon"])
    if zone:
        numbers = {
            "emergency": zone["emergency_number"],
            "police_emergency": "101" if zone["country"] == "BE" else "",
            "non_emergency": zone["non_emergency_number"] or "",
        }
    else:
        numbers = dict(NATIONAL_NUMBERS.get(country, NATIONAL_NUMBERS[None]))
    address = raw["address"]
    if address:
        address["label"] = _label(address)
    return {
        "found": raw["wijk"] is not None,
        "covered": zone is not None,
        "country": country,
        "point": point,
        "address": address,
        "zone": zone,
        "wijk": raw["wijk"],
        "standin_active": standin_active,
        "officers": on_duty,
        "away": by_role["wijkinspecteur"] if standin_active else [],
        "team": [o for o in by_role["wijkteam"] if o["id"] not in on_duty_ids],
        "contactpunten": raw["contactpunten"] or [],
        "numbers": numbers,
        "national_numbers": zone is None,
    }


def prepared_fetchone(sql: str, params: dict):
    """Run one statement as a server-side prepared statement on Django's connection. Django's cursor binds
    parameters on the client, and psycopg never prepares those, so the whole-answer statement would be planned
    again on every call (0.7 ms planning against 0.4 ms execution; docs/performance.md §1). Django still opens,
    health-checks and closes the connection; only the cursor is psycopg's own."""
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:  # count it as Django counts its own (debug, assertNumQueries)
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return row


def _answer(sql: str, params: dict, key: str, cached: bool = True) -> str | None:
    text = _cached(key) if cached else None
    if text is not None:
        return text
    version = _current_version()
    # The citizen's lookup runs without a zone: finding the zone is the point of it.
    with scopes_disabled():
        row = prepared_fetchone(sql, params)
    if row is None:
        return None
    text = json.dumps(_shape(json.loads(row[0])), separators=(",", ":"), default=str)
    _store(key, text, version)
    return text


_today: tuple[int, str] = (0, "")


def today_iso() -> str:
    """timezone.localdate().isoformat(), worked out at most once a second (the hot path's keys carry it)."""
    global _today
    second = int(time.time())
    if _today[0] != second:
        _today = (second, timezone.localdate().isoformat())
    return _today[1]


def point_key(lat: float, lon: float) -> str:
    """The cache key of the answer for a point (the API's hot path looks it up together with its throttle)."""
    return f"mijnbuurt:pt:{today_iso()}:{round(float(lat), 5):.5f}:{round(float(lon), 5):.5f}"


def address_key(address_id: int) -> str:
    return f"mijnbuurt:addr:{today_iso()}:{int(address_id)}"


def neighbourhood_json_at(lat: float, lon: float, *, cached: bool = True) -> str:
    """The answer for a point, as JSON text (cached; the API sends it as is). cached=False: the caller has just
    looked in the cache."""
    today = timezone.localdate()
    lat, lon = round(float(lat), 5), round(float(lon), 5)
    key = f"mijnbuurt:pt:{today.isoformat()}:{lat:.5f}:{lon:.5f}"
    return _answer(_POINT_SQL, {"lat": lat, "lon": lon, "today": today}, key, cached)


def neighbourhood_json_for_address(address_id: int, *, cached: bool = True) -> str | None:
    """The answer for an address by id, as JSON text; None when there is no such address."""
    today = timezone.localdate()
    key = f"mijnbuurt:addr:{today.isoformat()}:{int(address_id)}"
    return _answer(_ADDRESS_SQL, {"address": int(address_id), "today": today}, key, cached)


def neighbourhood_at(point) -> dict[str, Any]:
    """The neighbourhood at a point (a GEOS Point in SRID 4326, or a (lat, lon) pair) as a plain dict: zone,
    wijk, the wijkagent(s) on duty today (the stand-in when one is active), the wijkteam, the three nearest
    contactpunten with the next seven days of spreekuren, and the numbers to call."""
    lat, lon = (point.y, point.x) if hasattr(point, "x") else point
    return json.loads(neighbourhood_json_at(lat, lon))


def neighbourhood_for_address(address_id: int) -> dict[str, Any] | None:
    text = neighbourhood_json_for_address(address_id)
    return json.loads(text) if text is not None else None


def wijk_codes_for_addresses(address_ids: list[int], on: datetime.date | None = None) -> dict[int, str | None]:
    """The covering wijk's code for many addresses at once (set-based, same predicate and tie-break as the
    lookup): for checks over a whole address register."""
    sql = """
        SELECT a.id, cw.code
        FROM wijken_address a
        LEFT JOIN LATERAL ({covering}) cw ON true
        WHERE a.id = ANY(%(ids)s)
    """.format(covering=COVERING_WIJK_SQL.format(point="a.point"))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(address_ids), "today": on or timezone.localdate()})
        return dict(cursor.fetchall())


# --- The contact form's officer -------------------------------------------------------------------------


def contactable_wijkinspecteur(pk: int) -> wm.Wijkinspecteur | None:
    """A wijkinspecteur a citizen may write to: active and assigned to a wijk today. That is public
    information (it is on every mijn-buurt answer), so it is found across zones; anyone else is None (404)."""
    today = timezone.localdate()
    # The public contact form has no zone: the officer's own zone is what we find here.
    with scopes_disabled():
        assigned = wm.Assignment.objects.active(today).filter(wijkinspecteur_id=pk).values("wijkinspecteur_id")
        return wm.Wijkinspecteur.objects.filter(pk=pk, is_active=True, pk__in=assigned).select_related("zone").first()


def current_wijk_of(wijkinspecteur: wm.Wijkinspecteur) -> wm.Wijk | None:
    """The wijk an officer serves today (the lowest code when several), for filing a message."""
    # Called from the public contact form, which has no zone: the officer's own assignments decide it.
    with scopes_disabled():
        assignment = (
            wm.Assignment.objects.active()
            .filter(wijkinspecteur=wijkinspecteur)
            .select_related("wijk")
            .order_by("wijk__code", "pk")
            .first()
        )
    return assignment.wijk if assignment else None


def zones_overview() -> dict:
    """All zones' boundaries (simplified) as a FeatureCollection, for the map a citizen can click on."""
    key = "mijnbuurt:zones"
    text = _cached(key)
    if text is None:
        version = _current_version()
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT COALESCE(json_agg(json_build_object('type', 'Feature',
                       'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, 0.0005), 5)::json,
                       'properties', json_build_object('label', name)) ORDER BY name), '[]'::json)::text
                   FROM wijken_zone WHERE boundary IS NOT NULL"""
            )
            text = json.dumps({"type": "FeatureCollection", "features": json.loads(cursor.fetchone()[0])})
        _store(key, text, version)
    return json.loads(text)
