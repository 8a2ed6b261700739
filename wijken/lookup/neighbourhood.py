"""The neighbourhood at a point or an address (DESIGN §10): composed from this worker's read model (readmodel.py),
so an answer by point runs no SQL and one by address at most the address's own row. Also the contact form's
officer and the zones map."""

from __future__ import annotations

import datetime
import json
from typing import Any

import shapely
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from .. import models as wm
from . import readmodel
from .caching import ADDRESS_FIELDS, GEO_FIELDS, cached_or_computed, store_computed
from .caching import cached as _cached
from .readmodel import CURRENT_LEAF_WIJK
from .search import ADDRESS_PUBLIC_FIELDS, Match, _label, answer_address_json

# National numbers for an address that no zone of ours covers. In Belgium 101 is the police's own emergency
# number and there is no national non-emergency line (that is each zone's own number); the Netherlands has
# 0900-8844 for police matters without urgency.
NATIONAL_NUMBERS = {
    "BE": {"emergency": "112", "police_emergency": "101", "non_emergency": ""},
    "NL": {"emergency": "112", "police_emergency": "", "non_emergency": "0900-8844"},
    None: {"emergency": "112", "police_emergency": "", "non_emergency": ""},
}

# The covering leaf wijk valid today, with the same deterministic tie-break as Wijk.objects.covering(): a
# point on a shared edge belongs to the wijk with the lowest code, then the lowest id. The read model's boundary
# index answers the same question in memory; this is the SQL form, for set-based checks and the benchmarks.
COVERING_WIJK_SQL = f"""
    SELECT w.id, w.zone_id, w.code, w.name, w.parent_id, w.boundary
    FROM wijken_wijk w
    WHERE {CURRENT_LEAF_WIJK}
      AND ST_Covers(w.boundary, {{point}})
    ORDER BY w.code, w.id
    LIMIT 1
"""

# Belgium, roughly (about 20 km at worst): enough to tell which national numbers apply to a point no zone
# of ours covers. Not a boundary for anything else.
_BELGIUM = shapely.Polygon(
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
)
shapely.prepare(_BELGIUM)  # asked for every point outside our zones


def country_guess(lat: float, lon: float) -> str | None:
    """A rough country for a point no zone covers, to give the right national numbers."""
    if shapely.covers(_BELGIUM, shapely.Point(lon, lat)):
        return "BE"
    if 50.75 <= lat <= 53.7 and 3.2 <= lon <= 7.25:
        return "NL"
    return None


def answer_json(lat: float, lon: float, address_json: str = "null") -> str:
    """The answer at a point as JSON text, from this process's read model: no SQL once the boundaries and the
    zone are loaded. `address_json` (the public fields and its label, search.answer_address_json) when the point
    is an address's."""
    index = readmodel.boundary_index()
    wijk_id, zone_id = index.covering(lon, lat)
    bundle = readmodel.zone_bundle(zone_id) if zone_id is not None else None
    if bundle is not None and wijk_id is not None and wijk_id not in bundle.wijken:
        # The index was built after the bundle was loaded and knows a wijk it lacks: load it again (once).
        bundle = readmodel.zone_bundle(zone_id, newer_than=index.built_at)
    point_json = f'{{"lat":{float(lat)!r},"lon":{float(lon)!r}}}'  # as json.dumps writes finite floats
    if bundle is None:
        country = country_guess(lat, lon)
        return json.dumps(
            {
                "found": False,
                "covered": False,
                "country": country,
                "point": {"lat": lat, "lon": lon},
                "address": json.loads(address_json),
                "zone": None,
                "wijk": None,
                "standin_active": False,
                "officers": [],
                "away": [],
                "team": [],
                "contactpunten": [],
                "numbers": NATIONAL_NUMBERS.get(country, NATIONAL_NUMBERS[None]),
                "national_numbers": True,
            }
        )
    wijk_part = bundle.wijken.get(wijk_id) if wijk_id is not None else None
    return "".join(
        (
            '{"found":',
            "false" if wijk_part is None else "true",
            ',"covered":true,"country":',
            bundle.country_json,
            ',"point":',
            point_json,
            ',"address":',
            address_json,
            ',"zone":',
            bundle.zone_json,
            ",",
            wijk_part or readmodel.NO_WIJK,
            ',"contactpunten":',
            bundle.nearest_contactpunten(lon, lat),
            ',"numbers":',
            bundle.numbers_json,
            ',"national_numbers":false}',
        )
    )


_ADDRESS_BY_ID_SQL = """
    SELECT id, street, house_number, box, postcode, municipality, country, ST_Y(point), ST_X(point)
    FROM wijken_address WHERE id = %s"""


def address_key(address_id: int) -> str:
    return f"mijnbuurt:addr:{int(address_id)}"


def _address_record_from_db(address_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(_ADDRESS_BY_ID_SQL, [int(address_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    address = dict(zip(ADDRESS_PUBLIC_FIELDS, row[:7], strict=True))
    address["label"] = _label(address)
    return json.dumps({"address": address, "lat": row[7], "lon": row[8]}, separators=(",", ":"))


def address_record(address_id: int, *, look_in_cache: bool = True) -> str | None:
    """An address by id with its point, as JSON text: cached in Redis until the register changes. look_in_cache=False:
    the caller has just looked in the cache."""
    key = address_key(address_id)
    text = _cached(key, ADDRESS_FIELDS) if look_in_cache else None
    if text is not None:
        return text
    return store_computed(key, ADDRESS_FIELDS, lambda: _address_record_from_db(address_id))


def neighbourhood_json_at(lat: float, lon: float) -> str:
    """The answer for a point, as JSON text (coordinates to 5 decimals, about a metre)."""
    return answer_json(round(float(lat), 5), round(float(lon), 5))


def neighbourhood_json_for_address(address_id: int, *, record: str | None = None) -> str | None:
    """The answer for an address by id, as JSON text; None when there is no such address. `record`: the
    address as address_record() gives it, when the caller has it already."""
    record = record or address_record(address_id)
    if record is None:
        return None
    found = json.loads(record)
    return answer_json(found["lat"], found["lon"], json.dumps(found["address"]))


def neighbourhood_json_for_candidate(candidate: dict) -> str:
    """The answer for a search candidate (it carries the address and its point: no query)."""
    return answer_json(candidate["lat"], candidate["lon"], answer_address_json(candidate))


def neighbourhood_json_for_match(match: Match) -> str:
    """The answer for the candidate a search answers for (search.Match)."""
    return answer_json(match.lat, match.lon, match.address_json)


def neighbourhood_at(point) -> dict[str, Any]:
    """The neighbourhood at a point (a GEOS Point in SRID 4326, or a (lat, lon) pair) as a plain dict: zone,
    wijk, the wijkagent(s) on duty today (the stand-in when one is active), the wijkteam, the three nearest
    contactpunten with the next seven days of spreekuren, and the numbers to call."""
    lat, lon = (point.y, point.x) if hasattr(point, "x") else point
    return json.loads(neighbourhood_json_at(lat, lon))


def neighbourhood_for_address(address_id: int) -> dict[str, Any] | None:
    text = neighbourhood_json_for_address(address_id)
    return json.loads(text) if text is not None else None


def neighbourhood_for_candidate(candidate: dict) -> dict[str, Any]:
    return json.loads(neighbourhood_json_for_candidate(candidate))


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


def _zones_feature_collection() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COALESCE(json_agg(json_build_object('type', 'Feature',
                   'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, 0.0005), 5)::json,
                   'properties', json_build_object('label', name)) ORDER BY name), '[]'::json)::text
               FROM wijken_zone WHERE boundary IS NOT NULL"""
        )
        return json.dumps({"type": "FeatureCollection", "features": json.loads(cursor.fetchone()[0])})


def zones_overview() -> dict:
    """All zones' boundaries (simplified) as a FeatureCollection, for the map a citizen can click on."""
    return json.loads(cached_or_computed("mijnbuurt:zones", GEO_FIELDS, _zones_feature_collection))
