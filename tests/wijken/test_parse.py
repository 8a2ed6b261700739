"""parse_query() takes plain ASCII text apart in C (wijken/lookup/_parse.c); search._parse_plain, with its regular
expressions, is the definition. The two must agree on everything: every real Oostende address typed in each way
the benchmark types addresses, Dutch postcodes, and random text made of what queries are made of (digits, letters,
the abbreviations, box words, blanks, punctuation, control characters)."""

from __future__ import annotations

import csv
import random
import string

import pytest
from django.conf import settings

from wijken.lookup import _parse, search

OOSTENDE_CSV = settings.BASE_DIR / "data" / "oostende_adressen_crab2014.csv"


def _both(q: str) -> tuple:
    plain = search._plain(q)
    in_c = _parse.parse(plain, search._WRITTEN_OUT)
    assert in_c is not None, q
    return tuple(in_c), tuple(search._parse_plain(plain))


def _agree(q: str) -> search.ParsedQuery:
    in_c, in_python = _both(q)
    assert in_c == in_python, q
    return search.parse_query(q)


def _typed_ways(street: str, number: str, box: str, postcode: str, town: str, rng: random.Random) -> list[str]:
    """What citizens type (as benchmarks/bench_lookup.query_for types it), and a few worse."""
    cut = rng.randrange(1, max(2, len(street) - 1))
    return [
        f"{street} {number}, {postcode} {town}",
        f"{street} {number} {town}",
        f"{street.lower()} {number}",
        f"{street[:cut]}{street[cut + 1 :]} {number} {town}",
        f"{street.replace('straat', 'str.').replace('Sint-', 'St ')} {number}",
        f"{street} {number} bus {box or 1}",
        f"{street} {number}{box}",
        f"{number} {street}",
        f"{postcode} {town} {street} {number}",
        f"{street}, {town}",
    ]


def test_every_oostende_address_typed_every_way():
    rng = random.Random(3)
    compared = 0
    with OOSTENDE_CSV.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            parts = (
                row["street"],
                row["housenumber"],
                rng.choice(["", "", "1", "A", "0.1"]),
                row["postcode"],
                row["municipality"],
            )
            for q in _typed_ways(*parts, rng):
                if search._plain(q).isascii():
                    _agree(q)
                    compared += 1
    assert compared > 200_000


def test_dutch_postcodes_and_their_neighbours():
    rng = random.Random(5)
    shapes = [
        "{d} {l} {n}",
        "{d}{l} {n}{a}",
        "{d} {l}, {n} - {a}",
        "{d}{l}-{n}-{a}",
        "  {d}   {l} ,, {n}   {a}  ",
        "{d} {l}{n}",
        "{d} {l} {n} {a} extra",
        "{d} {l}_ {n}",
        "{d} {l} {n}{a}{a}{a}",
        "{d} {l}",
        "{d} st {n}",
        "{d}{l}{l} {n}",
    ]
    for _ in range(5000):
        shape = rng.choice(shapes)
        q = shape.format(
            d="".join(rng.choices(string.digits, k=rng.choice([3, 4, 4, 4, 5]))),
            l="".join(rng.choices("abcdlnpstvz", k=2)),
            n="".join(rng.choices(string.digits, k=rng.randint(1, 6))),
            a="".join(rng.choices("abcz0123", k=rng.randint(0, 5))),
        )
        _agree(q)
    assert _agree("7411 AB 12a").nl_postcode == "7411AB"
    assert _agree("1315 ST 4").nl_postcode == "1315ST"


@pytest.mark.parametrize(
    "q, expected",
    [
        (
            "Kerkstraat 12, 8400 Oostende",
            ("kerkstraat 12, 8400 oostende", "kerkstraat", "12", "", "kerkstraat", "8400", "oostende"),
        ),
        (
            "St Petrus & Paulusplein 5 bus 3",
            (
                "sint petrus & paulusplein 5 bus 3",
                "sint petrus paulusplein",
                "53",
                "",
                "sint petrus paulusplein",
                "",
                "",
            ),
        ),
        (
            "O.L.V.-straat 9, 9440 Erpe",
            (
                "onze lieve vrouw-straat 9, 9440 erpe",
                "onze lieve vrouw-straat",
                "9",
                "",
                "onze lieve vrouw-straat",
                "9440",
                "erpe",
            ),
        ),
        ("12 busstraat", ("12 busstraat", "straat", "12", "", "straat", "", "")),
        ("Kerk str. 12a", ("kerk straat 12a", "kerk straat", "12a", "", "kerk straat", "", "")),
        ("12", ("12", "", "12", "", "", "", "")),  # no words at all
        ("-", ("-", "", "", "", "", "", "")),
        ("", ("", "", "", "", "", "", "")),
    ],
)
def test_hand_checked_parses(q, expected):
    assert tuple(_agree(q)) == expected


# What queries are made of, weighted towards the pieces the patterns look for.
PIECES = (
    list(string.ascii_lowercase)
    + list(string.digits) * 3
    + [" "] * 12
    + list(".,-'_/&()#\"\\!?;:+*")
    + ["st", "str", "olv", "o.l.v", "o. l. v", "o.lv", "ln", "pl", "st.", "bus", "bte", "boite", "BUS", "Bte"]
    + ["12", "8400", "7411", "1315 st", "12a", "3b", "kerk", "straat", "oostende", "nl", " - ", ", "]
    + ["\t", "\n", "\x0b", "\x1c", "\x1f", "\x00", "\x7f", "A", "Z", "É", "ß", "ø"]
)


def test_random_text():
    rng = random.Random(20261207)
    compared = 0
    for _ in range(60_000):
        q = "".join(rng.choices(PIECES, k=rng.randint(0, 14)))
        plain = search._plain(q)
        if not plain.isascii():  # "ß" stays: such text is search._parse_plain's alone
            assert _parse.parse(plain, search._WRITTEN_OUT) is None
            assert search.parse_query(q) == search._parse_plain(plain)
            continue
        _agree(q)
        compared += 1
    assert compared > 40_000


def test_long_text():
    rng = random.Random(9)
    ascii_pieces = [p for p in PIECES if p.isascii()]
    for _ in range(300):
        _agree("".join(rng.choices(ascii_pieces, k=rng.randint(100, 400))))


def test_wrong_arguments_are_refused():
    with pytest.raises(TypeError):
        _parse.parse(b"kerkstraat 1", search._WRITTEN_OUT)
    with pytest.raises(TypeError):
        _parse.parse("kerkstraat 1", list(search._WRITTEN_OUT))
    with pytest.raises(ValueError, match="5 texts"):
        _parse.parse("kerkstraat 1", search._WRITTEN_OUT[:4])
    with pytest.raises(TypeError, match="texts expected"):
        _parse.parse("kerkstraat 1", (*search._WRITTEN_OUT[:4], 5))
