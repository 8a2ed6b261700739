"""The address index (wijken/lookup/addressindex.py) answers what the search statements answer: the same rows in
the same order with the same scores, on the real Oostende register and on a register made to be hard (one street
name in many places, boxes and toevoegingen, Dutch postcodes), for queries of every kind a citizen types."""

from __future__ import annotations

import csv
import json
import random

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

from tests.wijken.test_lookup_support import clean_slate  # noqa: F401
from wijken import lookup
from wijken.importers import import_adressen
from wijken.lookup import addressindex, search
from wijken.models import Address, AddressStreet

OOSTENDE_CSV = settings.BASE_DIR / "data" / "oostende_adressen_crab2014.csv"
# Names that recur across the country, and look-alikes: the typo path must rank among many near-equal streets.
COMMON_STREETS = [
    "Kerkstraat",
    "Oude Kerkstraat",
    "Kerkweg",
    "Dorpsstraat",
    "Stationsstraat",
    "Stationsplein",
    "Molenstraat",
    "Sint-Jansstraat",
    "Sint Janstraat",
    "Onze-Lieve-Vrouwstraat",
    "Burgemeester de Withstraat",
    "Laan van Nieuw Oost-Indië",
    "Rue de l'Église",
    "Brink",
]
BE_TOWNS = [("2000", "Antwerpen"), ("9000", "Gent"), ("3000", "Leuven"), ("8500", "Kortrijk"), ("9440", "Erpe-Mere")]
NL_TOWNS = [("Deventer", "7411"), ("Zwolle", "8011"), ("Utrecht", "3511"), ("Heerde", "8181")]


def _write_registers(tmp_path, rng: random.Random):
    be = tmp_path / "be.csv"
    with be.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["street", "housenumber", "box", "postcode", "municipality", "lon", "lat"])
        for postcode, town in BE_TOWNS:
            for street in COMMON_STREETS:
                for number in rng.sample(range(1, 60), 12):
                    suffix = rng.choice(["", "", "", "A", "B", "bis"])
                    boxes = [""] if rng.random() < 0.7 else ["", "1", "2", "0.1", "A"]
                    for box in boxes:
                        lon, lat = 3.5 + rng.random() * 1.5, 50.6 + rng.random() * 0.6
                        writer.writerow([street, f"{number}{suffix}", box, postcode, town, lon, lat])
    nl = tmp_path / "nl.csv"
    with nl.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["postcode", "huisnummer", "huisletter", "toevoeging", "straat", "woonplaats", "lon", "lat"])
        for town, digits in NL_TOWNS:
            for k, street in enumerate(COMMON_STREETS):
                postcode = f"{digits}{'ABCDEFGHJK'[k % 10]}{'LMNPRSTVWX'[k // 10]}"
                for number in rng.sample(range(1, 80), 10):
                    letter = rng.choice(["", "", "", "a", "B"])
                    addition = rng.choice(["", "", "", "1", "2", "bis", "H"])
                    lon, lat = 5.5 + rng.random() * 1.0, 52.0 + rng.random() * 0.5
                    writer.writerow([postcode, number, letter, addition, street, town, lon, lat])
    return be, nl


def _swap(text: str, rng: random.Random) -> str:
    letters = [i for i in range(len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _drop(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def _queries(rng: random.Random) -> list[str]:
    """Every kind of query the search box gets, made from addresses in the register."""
    queries = [
        "kerkstraat",
        "kerkstr 12",
        "st janstraat 3",
        "olv straat 2",
        "oude kerkstr",
        "Kerkstraat 9, 9440 Erpe-Mere",
        "kerkstraat 9 erpe mere",
        "kerkstraat 9 ghent",
        "kerkstraat 12 bus 1",
        "kerkstraat 12a",
        "7411",
        "7411 AB",
        "7411AB 1",
        "7411 ab 12a",
        "7411 AB 12-1",
        "rue de leglise 4",
        "Laan van Nieuw Oost-Indie 3",
        "brink 3 deventer",
        "xq",
        "12",
        "zzzzzz 12",
        "c1 kerkstraat",
        "- ' 3",
        "Stationsstraat 7 Oostende",
        "Kapellestraat 10",
        "Kapelestraat 10",
        "aime liebaertstraat 1",
    ]
    fields = ("street", "house_number", "box", "postcode", "municipality")
    belgian = list(Address.objects.filter(country="BE").order_by("id").values_list(*fields))
    dutch = list(Address.objects.filter(country="NL").order_by("id").values_list(*fields))
    for street, number, box, postcode, town in rng.sample(belgian, 110) + rng.sample(dutch, 50):
        full_number = f"{number} {box}".strip()
        queries += [
            f"{street} {number}",
            f"{street.lower()} {full_number}",
            f"{_swap(street, rng)} {number}",
            f"{_drop(street, rng)} {number}",
            f"{street} {number}, {postcode} {town}",
            f"{street} {number} {_swap(town, rng)}",
            f"{_swap(street, rng)}",
            f"{postcode} {full_number}",
            f"{postcode[:4]} {postcode[4:]} {number}{box}",
        ]
    return queries


def _same(memory: list[dict], sql: list[dict]) -> bool:
    """Equal, or say where they part (the assertion shows it)."""
    if memory == sql:
        return True
    at = next((i for i, (a, b) in enumerate(zip(memory, sql, strict=False)) if a != b), min(len(memory), len(sql)))
    print("differ at", at, "of", len(memory), len(sql))
    print("memory:", memory[at : at + 2])
    print("sql:   ", sql[at : at + 2])
    return False


@pytest.fixture
def registers(db, clean_slate, tmp_path):  # noqa: F811
    rng = random.Random(20261122)
    be, nl = _write_registers(tmp_path, rng)
    for path in (OOSTENDE_CSV, be, nl):
        report = import_adressen(path=path)
        assert report.refused == 0, report.refused_lines[:3]
    return rng


def test_the_index_answers_what_the_statements_answer(registers):
    rng = registers
    index = addressindex.address_index()
    assert len(index) == Address.objects.count() > 23_000
    compared = {"postcode": 0, "exact": 0, "trigram": 0}
    nonempty = dict.fromkeys(compared, 0)
    matched = 0
    for n, q in enumerate(_queries(rng)):
        parsed = search.parse_query(q)
        assert search.in_memory(parsed), q
        for limit in (8, 3) if n % 4 == 0 else (8,):
            if parsed.nl_postcode:
                params = search.postcode_params(parsed, limit)
                sql = search._rows(search._POSTCODE_SQL, params)
                assert _same(index.postcode_rows(**params), sql), (q, limit)
                compared["postcode"] += 1
                nonempty["postcode"] += bool(sql)
            if parsed.number and parsed.exact_street:
                params = search.exact_params(parsed, limit)
                sql = search._rows(search._EXACT_SQL, params)
                assert _same(index.exact_rows(**params), sql), (q, limit)
                compared["exact"] += 1
                nonempty["exact"] += bool(sql)
            if parsed.street:
                params = search.search_params(parsed, limit)
                sql = search._trigram_rows(search._SEARCH_SQL, params)
                memory = index.trigram_rows(**params)
                assert _same(memory, sql), (q, limit, memory[:3], sql[:3])
                compared["trigram"] += 1
                nonempty["trigram"] += bool(sql)
            # The candidates' JSON, written in C from the index, is the statements' candidates through json.dumps,
            # byte for byte, and the unambiguous match is theirs.
            text, match = search._search_in_index(parsed, limit, index)
            candidates = search._search(parsed, limit, None)
            assert text == json.dumps(candidates, separators=(",", ":")), (q, limit)
            assert match == search.match_of(search.unambiguous_match(candidates)), (q, limit)
            matched += match is not None
    # Every path was compared on many queries that found something, and on some that found nothing.
    assert all(n >= 80 for n in nonempty.values()), (compared, nonempty)
    assert all(compared[path] > nonempty[path] for path in ("exact", "trigram")), (compared, nonempty)
    assert 500 < matched < sum(compared.values()), matched  # answered without asking, and not


def test_a_search_in_memory_runs_no_sql_and_text_the_index_does_not_take_still_finds(
    registers, django_assert_num_queries
):
    addressindex.address_index()
    lookup.versions()  # as a request would have read them within the last second
    with django_assert_num_queries(0):
        found = lookup.search_addresses("Kapelestraat 10, Oostende")
    assert found[0]["label"] == "Kapellestraat 10, 8400 Oostende"
    # "ß" is no longer "ss" after Unicode's decomposition, but PostgreSQL's unaccent() makes it so.
    Address.objects.create(
        street="Großstraße", house_number="5", postcode="9000", municipality="Gent", point=Point(3.72, 51.05)
    )
    assert not search.in_memory(search.parse_query("Großstraße 5"))
    assert [c["label"] for c in lookup.search_addresses("Großstraße 5")] == ["Großstraße 5, 9000 Gent"]
    assert [c["label"] for c in lookup.search_addresses("grossstrasse 5")] == ["Großstraße 5, 9000 Gent"]


def test_an_address_saved_one_by_one_is_found_at_once(registers):
    before = addressindex.address_index()
    assert lookup.search_addresses("Nieuwe Zeedijkweg 77") == [] or not any(
        c["exact"] for c in lookup.search_addresses("Nieuwe Zeedijkweg 77")
    )
    address = Address.objects.create(
        street="Nieuwe Zeedijkweg", house_number="77", postcode="8400", municipality="Oostende", point=Point(2.9, 51.2)
    )
    address.refresh_from_db()
    assert address.search_text == "nieuwe zeedijkweg 77 8400 oostende"
    assert AddressStreet.objects.filter(street="Nieuwe Zeedijkweg", postcode="8400").exists()
    found = lookup.search_addresses("Nieuwe Zeedijkweg 77")
    assert found[0]["id"] == address.pk and found[0]["exact"]
    assert lookup.search_addresses("Nieuwe Zeedjikweg 77")[0]["id"] == address.pk  # the typo path knows it too
    assert addressindex.address_index() is not before
    address.delete()
    assert not any(c["id"] == address.pk for c in lookup.search_addresses("Nieuwe Zeedijkweg 77"))


def test_a_large_register_reloads_in_the_background_while_the_statements_answer(
    transactional_db, tmp_path, monkeypatch, django_assert_num_queries
):
    """After an import, a national register is reloaded in a thread (6 s); meanwhile nothing waits and nothing
    is missed: PostgreSQL answers. Committed data (transactional_db): the thread has its own connection."""
    first = tmp_path / "first.csv"
    first.write_text("street,housenumber,postcode,municipality,lon,lat\nKerkstraat,1,9000,Gent,3.72,51.05\n")
    import_adressen(path=first)
    assert len(addressindex.address_index()) == 1
    monkeypatch.setattr(addressindex, "INLINE_RELOAD_LIMIT", 0)  # as if this register were a national one
    second = tmp_path / "second.csv"
    second.write_text("street,housenumber,postcode,municipality,lon,lat\nVeldstraat,2,9000,Gent,3.721,51.051\n")
    import_adressen(path=second)
    assert addressindex.address_index() is None  # being reloaded
    assert [c["label"] for c in lookup.search_addresses("veldstraat 2")] == ["Veldstraat 2, 9000 Gent"]
    assert [c["label"] for c in lookup.search_addresses("veldstrat 2")] == ["Veldstraat 2, 9000 Gent"]
    addressindex._rebuilding.join(timeout=30)
    index = addressindex.address_index()
    assert index is not None and len(index) == 2
    with django_assert_num_queries(0):
        assert [c["label"] for c in lookup.search_addresses("veldstraat 2 gent")] == ["Veldstraat 2, 9000 Gent"]
