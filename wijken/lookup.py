"""The public "mijn buurt" lookup: address search and "what is the neighbourhood at this point".

A hot path (DESIGN §10): every answer is one SQL statement that builds its JSON inside PostgreSQL, no model
instances are built, and whole answers are cached in Redis. The cache is invalidated by one version number that
any save of a wijk, assignment, wijkinspecteur, contactpunt, spreekuur, exception or zone bumps (see the signal
receivers at the end); the answers also carry today's date in their key, because "on duty today" and "the next
seven days of spreekuren" change at midnight.

This is the one module outside management commands where `scopes_disabled()` is allowed (DESIGN §4): a
citizen has no zone, and the zone is what the lookup finds out.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from . import models as wm

CACHE_TIMEOUT = 3600
VERSION_KEY = "mijnbuurt:version"
MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 8

# National numbers for an address that no zone of ours covers.
NATIONAL_NUMBERS = {
    "BE": {"emergency": "112", "non_emergency": "101"},
    "NL": {"emergency": "112", "non_emergency": "0900-8844"},
    None: {"emergency": "112", "non_emergency": ""},
}

# Spoken and written abbreviations citizens type; expanded before the trigram search so that "st petrus"
# finds "Sint-Petrus".
ABBREVIATIONS = [
    (re.compile(r"\bst\b\.?"), "sint"),
    (re.compile(r"\bo\.?\s?l\.?\s?v\b\.?"), "onze lieve vrouw"),
    (re.compile(r"\bstr\b\.?"), "straat"),
    (re.compile(r"\bln\b\.?"), "laan"),
    (re.compile(r"\bpl\b\.?"), "plein"),
]
NL_POSTCODE = re.compile(r"^\s*(\d{4})\s*([a-z]{2})\b[\s,-]*(?:(\d+)\s*[-\s]?\s*([a-z0-9]{1,4})?)?\s*$")
NUMBER = re.compile(r"(?<![\w])(\d+)\s*(?:(?:bus|bte|boite)\s*)?([a-z]{1,2}\b|\d*)", re.IGNORECASE)


# --- Cache versioning -----------------------------------------------------------------------------------


_redis = None


def redis_client():
    """The Django cache's Redis (same pool, same key prefix through cache.make_key), as one client object per
    process. Django builds a new client object for every call, and setting one up (it copies ~170 response
    callbacks) costs more than the round trip itself on this hot path. None when the cache is not Redis."""
    global _redis
    if _redis is None:
        backend = getattr(cache, "_cache", None)
        _redis = backend.get_client(write=True) if hasattr(backend, "get_client") else False
    return _redis or None


def cache_version() -> int:
    client = redis_client()
    if client is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, None)
        return int(version or 1)
    key = cache.make_key(VERSION_KEY)
    version = client.get(key)
    if version is None:
        client.set(key, 1, nx=True)
        return 1
    return int(version)


# A small per-process layer in front of Redis for the answers asked most (DESIGN §10: repeated addresses), checked
# against the version read from Redis at most once a second: a change shows everywhere within that second.
LOCAL_SIZE = 1000
LOCAL_VERSION_TTL = 1.0
_local: OrderedDict[str, tuple[int, str]] = OrderedDict()
_local_lock = threading.Lock()
_version_seen: tuple[float, int] = (0.0, 0)


def _current_version() -> int:
    global _version_seen
    now = time.monotonic()
    seen_at, version = _version_seen
    if not version or now - seen_at > LOCAL_VERSION_TTL:
        version = cache_version()
        _version_seen = (now, version)
    return version


def invalidate(**_kwargs) -> None:
    """Forget every cached answer (bump the version the answers are stamped with)."""
    global _version_seen
    client = redis_client()
    if client is None:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, None)
            version = 2
    else:
        version = client.incr(cache.make_key(VERSION_KEY))
    with _local_lock:
        _local.clear()
        _version_seen = (time.monotonic(), int(version))


def _cached(key: str) -> str | None:
    version = _current_version()
    with _local_lock:
        hit = _local.get(key)
        if hit is not None and hit[0] == version:
            _local.move_to_end(key)
            return hit[1]
    client = redis_client()
    raw = cache.get(key, "") if client is None else (client.get(cache.make_key(key)) or b"")
    stamp, _, text = (raw.encode() if isinstance(raw, str) else raw).partition(b"|")
    if not text or stamp != str(version).encode():
        return None  # absent, older than the last change, or not ours
    text = text.decode()
    _remember(key, version, text)
    return text


def _remember(key: str, version: int, text: str) -> None:
    with _local_lock:
        _local[key] = (version, text)
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def _store(key: str, text: str, version: int) -> None:
    client = redis_client()
    if client is None:
        cache.set(key, f"{version}|{text}", CACHE_TIMEOUT)
    else:
        client.set(cache.make_key(key), f"{version}|{text}".encode(), ex=CACHE_TIMEOUT)
    _remember(key, version, text)


_INVALIDATING_MODELS = (
    wm.Zone,
    wm.Wijk,
    wm.Wijkinspecteur,
    wm.Assignment,
    wm.Contactpunt,
    wm.Spreekuur,
    wm.SpreekuurException,
)
for _model in _INVALIDATING_MODELS:
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-save")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-delete")


# --- Address search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalised full query
    street: str  # the words, without the house number
    number: str  # house number with its addition ("12a"), or ""
    nl_postcode: str  # "7411AB" when the query starts with a Dutch postcode


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for pattern, replacement in ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def parse_query(q: str) -> ParsedQuery:
    text = normalise(q)
    nl = NL_POSTCODE.match(text)
    if nl:
        number = (nl.group(3) or "") + (nl.group(4) or "")
        return ParsedQuery(text, "", number, f"{nl.group(1)}{nl.group(2)}".upper())
    numbers = list(NUMBER.finditer(text))
    # "Kerkstraat 12 8400 Oostende": the house number is the first number that is not a 4-digit postcode.
    chosen = next((m for m in numbers if len(m.group(1)) != 4), numbers[0] if numbers else None)
    number = (chosen.group(1) + (chosen.group(2) or "")) if chosen else ""
    # "Kerkstraat 12, 8400 Oostende": the street is what comes before the postcode.
    postcode = next((m for m in numbers if len(m.group(1)) == 4 and m is not chosen and m.start() > 0), None)
    street = NUMBER.sub(" ", text[: postcode.start()] if postcode else text)
    street = re.sub(r"\b(bus|bte|boite)\b", " ", street)
    street = re.sub(r"[^\w\s'-]", " ", street)
    return ParsedQuery(text, re.sub(r"\s+", " ", street).strip(" -"), number, "")


_ADDRESS_COLUMNS = """
    a.id, a.country, a.street, a.house_number, a.box, a.postcode, a.municipality,
    ST_Y(a.point) AS lat, ST_X(a.point) AS lon"""

_SEARCH_SQL = f"""
SELECT {_ADDRESS_COLUMNS},
       word_similarity(unaccent(lower(%(text)s)), a.search_text) AS score,
       (lower(a.house_number || a.box) = %(number)s OR lower(a.house_number) = %(number)s) AS number_match,
       (unaccent(lower(a.street)) = unaccent(lower(%(street)s))) AS street_match,
       similarity(unaccent(lower(a.street)), unaccent(lower(%(street)s))) AS street_score
FROM wijken_address a
WHERE unaccent(lower(%(street)s)) <%% a.search_text
ORDER BY score DESC, number_match DESC, street_score DESC, a.street, a.postcode, a.box, a.id
LIMIT %(limit)s
"""

# The exact path: "street number" as typed is a prefix of the normalised text; a range scan on its btree
# (migration 0003) with text_pattern_ops operators, which work with bound parameters in generic plans too.
_EXACT_SQL = f"""
SELECT {_ADDRESS_COLUMNS}, 1.0::real AS score, true AS number_match, true AS street_match, 1.0::real AS street_score
FROM wijken_address a
WHERE a.search_text ~>=~ (lower(unaccent(%(prefix)s)) || ' ')
  AND a.search_text ~<~ (lower(unaccent(%(prefix)s)) || '!')
ORDER BY a.postcode, a.municipality, a.box, a.id
LIMIT %(limit)s
"""

_POSTCODE_SQL = f"""
SELECT {_ADDRESS_COLUMNS}, 1.0::real AS score,
       (lower(a.house_number || a.box) = %(number)s) AS number_match,
       true AS street_match, 1.0::real AS street_score
FROM wijken_address a
WHERE a.postcode IN (%(postcode)s, %(postcode_spaced)s)
  AND (%(number)s = '' OR a.house_number = %(number_digits)s)
ORDER BY number_match DESC, a.house_number, a.box, a.id
LIMIT %(limit)s
"""


def _label(row: dict) -> str:
    number = row["house_number"] + (f" {row['box']}" if row["box"] else "")
    return f"{row['street']} {number}, {row['postcode']} {row['municipality']}"


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# pg_trgm's default word-similarity threshold (0.6) keeps the candidate set small; a street with two letters
# swapped ("Lanegstraat") scores about 0.5, so a search that finds nothing is retried once, more leniently.
STRICT_THRESHOLD = 0.6
LENIENT_THRESHOLD = 0.4
# A typo is taken as meaning a street without asking only when the street names are this similar and no other
# candidate street comes within the margin (measured on Oostende: 96 % of two-swapped-letter typos answered
# right, 0.3 % wrong; the rest get the list of candidates).
MIN_STREET_SCORE = 0.35
STREET_MARGIN = 0.1


def _trigram_rows(sql: str, params: dict) -> list[dict]:
    """Run a trigram search on its GIN index. The planner underrates the cost of word_similarity() on every
    row and picks a sequential scan on tables of tens of thousands of rows (50 ms against 3 ms), so the scan is
    switched off for this one transaction (SET LOCAL)."""
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            rows: list = []
            for threshold in (STRICT_THRESHOLD, LENIENT_THRESHOLD):
                cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)])
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                if rows:
                    break
            names = [col[0] for col in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in rows]
        finally:
            if nested:  # otherwise the commit resets them
                cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
                cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold TO DEFAULT")


def search_addresses(q: str, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """Addresses matching a typed query, best first: street + number (Belgium) or postcode + number
    (the Netherlands, "7411 AB 12a"). Tolerant of accents, case, abbreviations and small typos (trigram word
    similarity on the normalised search_text, served by its GIN index). Each candidate is a plain dict with
    `exact` set when street (or postcode) and number match what was typed."""
    parsed = parse_query(q[:MAX_QUERY_LENGTH])
    limit = max(1, min(int(limit), 50))
    rows: list[dict] = []
    if parsed.nl_postcode:
        digits = re.match(r"\d*", parsed.number).group(0)
        rows = _rows(
            _POSTCODE_SQL,
            {
                "postcode": parsed.nl_postcode,
                "postcode_spaced": f"{parsed.nl_postcode[:4]} {parsed.nl_postcode[4:]}",
                "number": parsed.number,
                "number_digits": digits,
                "limit": limit,
            },
        )
    has_street = len(re.sub(r"\W", "", parsed.street)) >= 2
    if not rows and has_street and parsed.number:
        rows = _rows(_EXACT_SQL, {"prefix": f"{parsed.street} {parsed.number}", "limit": limit})
    if not rows and has_street:
        rows = _trigram_rows(
            _SEARCH_SQL, {"text": parsed.text, "street": parsed.street, "number": parsed.number, "limit": limit}
        )
    candidates = []
    for row in rows:
        row["label"] = _label(row)
        street_match = row.pop("street_match") or f" {normalise(row['street'])} " in f" {parsed.text} "
        row["number_match"] = bool(parsed.number and row["number_match"])
        row["exact"] = bool(street_match and row["number_match"])
        row["score"] = round(float(row["score"]), 3)
        row["street_score"] = round(float(row["street_score"]), 3)
        candidates.append(row)
    return candidates


def unambiguous_match(candidates: list[dict]) -> dict | None:
    """The candidate to answer for without asking: the only one; the exact matches when they all lie at one
    point (boxes of one building); or, for a typo, the one described below."""
    if len(candidates) == 1:
        return candidates[0]
    exact = [c for c in candidates if c["exact"]]
    if exact:
        return exact[0] if len({(c["lat"], c["lon"]) for c in exact}) == 1 else None
    # A typo: the candidate whose street name is closest to what was typed, among those with the typed house
    # number, when one stands out and is close enough ("kerkstr 12" is Kerkstraat 12, not Oude Kerkstraat 12).
    numbered = sorted((c for c in candidates if c["number_match"]), key=lambda c: -c["street_score"])
    if numbered:
        runner_up = numbered[1]["street_score"] if len(numbered) > 1 else 0.0
        if numbered[0]["street_score"] >= MIN_STREET_SCORE and numbered[0]["street_score"] - runner_up > STREET_MARGIN:
            return numbered[0]
    return None


# --- The neighbourhood at a point -----------------------------------------------------------------------

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
        numbers = {"emergency": zone["emergency_number"], "non_emergency": zone["non_emergency_number"] or ""}
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


def _answer(sql: str, params: dict, key: str) -> str | None:
    text = _cached(key)
    if text is not None:
        return text
    version = _current_version()
    # The citizen's lookup runs without a zone: finding the zone is the point of it.
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    text = json.dumps(_shape(json.loads(row[0])), separators=(",", ":"), default=str)
    _store(key, text, version)
    return text


def neighbourhood_json_at(lat: float, lon: float) -> str:
    """The answer for a point, as JSON text (cached; the API sends it as is)."""
    today = timezone.localdate()
    lat, lon = round(float(lat), 5), round(float(lon), 5)
    key = f"mijnbuurt:pt:{today.isoformat()}:{lat:.5f}:{lon:.5f}"
    return _answer(_POINT_SQL, {"lat": lat, "lon": lon, "today": today}, key)


def neighbourhood_json_for_address(address_id: int) -> str | None:
    """The answer for an address by id, as JSON text; None when there is no such address."""
    today = timezone.localdate()
    key = f"mijnbuurt:addr:{today.isoformat()}:{int(address_id)}"
    return _answer(_ADDRESS_SQL, {"address": int(address_id), "today": today}, key)


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
