"""Correctness over a real address register: every one of Oostende's 21,716 CRAB addresses (2014) resolves to the
wijk in its wijk_code column, by its point and by its address (search street + number, take the exact match).

The wijken are imported from data/oostende_wijken.geojson and the addresses from
data/oostende_adressen_crab2014.csv with the project's importers, as in production."""

from __future__ import annotations

import csv
import random
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from tests import factories as f
from tests.wijken.test_lookup_support import clean_slate  # noqa: F401
from wijken import lookup
from wijken.importers import import_adressen, import_wijken
from wijken.models import Wijk

DATA = settings.BASE_DIR / "data"
CSV = DATA / "oostende_adressen_crab2014.csv"


@pytest.fixture
def oostende(db, clean_slate):  # noqa: F811
    with scopes_disabled():
        zone = f.ZoneFactory(name="PZ Oostende", slug="pz-oostende", boundary=None)
        import_wijken(zone=zone, path=DATA / "oostende_wijken.geojson", name_field="naam", code_field="code")
    report = import_adressen(path=CSV, source="CRAB 2014")
    assert report.created == 21_713  # 21,716 rows, three of which repeat an address (the later row counts)
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    assert len(rows) == 21_716
    return zone, rows


def test_every_oostende_address_resolves_to_its_wijk(oostende, capsys):
    zone, rows = oostende

    # 1. By point: one set-based statement over all 21,716 points, with the lookup's own covering predicate.
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE crab (lon float8, lat float8, wijk_code text)")
        with cursor.copy("COPY crab (lon, lat, wijk_code) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((float(row["lon"]), float(row["lat"]), row["wijk_code"]))
        covering = lookup.COVERING_WIJK_SQL.format(point="ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)")
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE cw.code = c.wijk_code)
                FROM crab c LEFT JOIN LATERAL ({covering}) cw ON true""",
            {"today": timezone.localdate()},
        )
        total, by_point = cursor.fetchone()
        cursor.execute("DROP TABLE crab")
    point_seconds = time.monotonic() - started
    assert total == 21_716
    assert by_point == 21_716, f"{total - by_point} points resolve to another wijk than their wijk_code"

    # 1b. The same points through the answers' own boundary index, in memory (readmodel.py).
    index = lookup.boundary_index()
    with scopes_disabled():
        code_of = dict(Wijk.objects.filter(zone=zone).values_list("id", "code"))
    in_memory = index.covering_many([float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows])
    mismatched = [
        r["wijk_code"] for r, wijk_id in zip(rows, in_memory, strict=True) if code_of.get(wijk_id) != r["wijk_code"]
    ]
    assert not mismatched, f"{len(mismatched)} points resolve in memory to another wijk, e.g. {mismatched[:5]}"

    # 2. By address: the selector's search for "street number", the exact match taken, then its wijk.
    started = time.monotonic()
    expected: dict[tuple, str] = {}
    for row in rows:  # the later row of a repeated address counts, as in the importer
        expected[(row["street"], row["housenumber"], row["postcode"])] = row["wijk_code"]
    found: dict[int, str] = {}
    ids: dict[tuple, int] = {}
    not_found = []
    for (street, number, postcode), code in expected.items():
        candidates = lookup.search_addresses(f"{street} {number}", limit=20)
        exact = [
            c
            for c in candidates
            if c["street"] == street and c["house_number"] == number and c["postcode"] == postcode and not c["box"]
        ]
        if len(exact) != 1:
            not_found.append(f"{street} {number}")
            continue
        found[exact[0]["id"]] = code
        ids[(street, number, postcode)] = exact[0]["id"]
    codes = lookup.wijk_codes_for_addresses(list(found))
    wrong = [address_id for address_id, code in found.items() if codes.get(address_id) != code]
    address_seconds = time.monotonic() - started
    assert not not_found, f"{len(not_found)} addresses not found by search, e.g. {not_found[:10]}"
    assert not wrong, f"{len(wrong)} addresses resolve to another wijk"
    assert len(found) == 21_713

    # 3. The full public answer agrees, for a fixed random sample of addresses.
    sample = random.Random(35013).sample(sorted(found), 300)
    for address_id in sample:
        answer = lookup.neighbourhood_for_address(address_id)
        assert answer["wijk"]["code"] == found[address_id]
        assert answer["zone"]["id"] == zone.pk

    # 4. Typed the way people type, through the fuzzy path: lower case, a dropped accent or "str" for "straat"
    #    must always find the right address; two swapped letters nearly always, and rarely the wrong one.
    rng = random.Random(8400)
    plain = [(street, number, postcode) for (street, number, postcode) in expected if len(street) >= 8]
    casual_wrong = []
    for street, number, postcode in rng.sample([k for k in plain if k[0].endswith("straat")], 300):
        typed = f"{street[:-3]} {number}" if rng.random() < 0.5 else f"{street.lower().replace('e', 'é', 1)} {number}"
        match = lookup.unambiguous_match(lookup.search_addresses(typed))
        if not match or match["id"] != ids[(street, number, postcode)]:
            casual_wrong.append(typed)
    assert not casual_wrong, casual_wrong[:10]
    right = wrong = 0
    swapped = rng.sample(plain, 500)
    for street, number, postcode in swapped:
        k = rng.randrange(2, len(street) - 3)
        typed = f"{street[:k]}{street[k + 1]}{street[k]}{street[k + 2 :]} {number}"
        match = lookup.unambiguous_match(lookup.search_addresses(typed))
        if match:
            right += match["id"] == ids[(street, number, postcode)]
            wrong += match["id"] != ids[(street, number, postcode)]
    assert right >= 0.95 * len(swapped) and wrong <= 0.01 * len(swapped), (right, wrong)

    with capsys.disabled():
        print(
            f"\nOostende: {by_point:,}/{total:,} points resolved by point in {point_seconds:.1f} s; "
            f"{len(found):,}/{len(expected):,} distinct addresses by search + exact match in {address_seconds:.1f} s; "
            f"typos: 300/300 casual, {right}/500 with two letters swapped ({wrong} wrong)"
        )
