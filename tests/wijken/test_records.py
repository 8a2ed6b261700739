"""_records.candidates_json (wijken/lookup/_records.c) writes what json.dumps writes of search._candidates(), and
chooses what search.unambiguous_match() chooses: here on hand-made rows with every kind of number the index holds
(coordinates of every precision, scores of float4, halves at the third decimal, zeros of both signs, numbers too
small or large for the short way) and every kind of choice; the parity test of test_addressindex.py does the same
on real registers. Wrong arrays are refused, never read."""

from __future__ import annotations

import json
import math
import random
import struct
from array import array

import numpy as np
import pytest

from wijken.lookup import _records, search

STREETS = ["Kerkstraat", "Oude Kerkstraat", 'Rue de l"Église', "Brink"]


def _table(values: list[str]) -> tuple[bytes, np.ndarray]:
    escaped = [json.dumps(v)[1:-1].encode("ascii") for v in values]
    return b"".join(escaped), np.concatenate(([0], np.cumsum([len(e) for e in escaped]))).astype(np.int64)


class Rows:
    """A small register: one address per row, place p = street p % 4 in 8400 Oostende, number and box per row."""

    def __init__(self, lats: list[float], lons: list[float]):
        n = len(lats)
        self.texts = ["BE", "8400", "Oostende", *STREETS, "12", "12A", "", "bus 1"]
        self.text, self.text_start = _table(self.texts)
        code = {v: i for i, v in enumerate(self.texts)}
        self.place_texts = np.array(
            [c for s in STREETS for c in (code["BE"], code[s], code["8400"], code["Oostende"])], dtype=np.int32
        )
        self.number_texts = np.array([code["12"], code["12A"]], dtype=np.int32)
        self.box_texts = np.array([code[""], code["bus 1"]], dtype=np.int32)
        self.ids = np.arange(1000, 1000 + n, dtype=np.int64)
        self.place = (np.arange(n) % len(STREETS)).astype(np.int32)
        self.number = (np.arange(n) % 2).astype(np.int32)
        self.box = ((np.arange(n) // 2) % 2).astype(np.int32)
        self.lat, self.lon = np.array(lats, dtype=np.float64), np.array(lons, dtype=np.float64)
        normalised = [search.normalise(s).encode() for s in STREETS]
        self.streets = b"".join(normalised)
        self.street_start = np.concatenate(([0], np.cumsum([len(s) for s in normalised]))).astype(np.int64)
        self.place_streets = np.arange(len(STREETS), dtype=np.int32)

    def call(self, rows, scores, street_scores, number_match, street_match, has_number=True, typed="", **replace):
        args = {
            "rows": np.array(rows, dtype=np.int32),
            "scores": array("d", scores),
            "street_scores": array("d", street_scores),
            "number_match": bytes(number_match),
            "street_match": bytes(street_match),
            "has_number": has_number,
            "typed": f" {typed} ".encode(),
            "ids": self.ids,
            "places": self.place,
            "house_numbers": self.number,
            "boxes": self.box,
            "lats": self.lat,
            "lons": self.lon,
            "place_texts": self.place_texts,
            "number_texts": self.number_texts,
            "box_texts": self.box_texts,
            "texts": self.text,
            "text_start": self.text_start,
            "place_streets": self.place_streets,
            "streets": self.streets,
            "street_start": self.street_start,
        }
        args.update(replace)
        return _records.candidates_json(*args.values(), search.MIN_STREET_SCORE, search.STREET_MARGIN)

    def expected(self, rows, scores, street_scores, number_match, street_match, has_number=True, typed=""):
        """What search._candidates() and json.dumps make of the same rows, and unambiguous_match()."""
        parsed = search.ParsedQuery(typed, typed, "12" if has_number else "", "")
        records = []
        for r, score, street_score, nm, sm in zip(rows, scores, street_scores, number_match, street_match, strict=True):
            place = int(self.place[r])
            records.append(
                {
                    "id": int(self.ids[r]),
                    "country": "BE",
                    "street": STREETS[place],
                    "house_number": self.texts[self.number_texts[self.number[r]]],
                    "box": self.texts[self.box_texts[self.box[r]]],
                    "postcode": "8400",
                    "municipality": "Oostende",
                    "lat": float(self.lat[r]),
                    "lon": float(self.lon[r]),
                    "score": score,
                    "number_match": bool(nm),
                    "street_match": bool(sm),
                    "street_score": street_score,
                }
            )
        candidates = search._candidates(parsed, records)
        return json.dumps(candidates, separators=(",", ":")), search.unambiguous_match(candidates)

    def check(self, *args, **kwargs):
        text, match = self.call(*args, **kwargs)
        expected_text, expected_match = self.expected(*args, **kwargs)
        assert text == expected_text
        assert json.loads(text) == json.loads(expected_text)
        if expected_match is None:
            assert match is None
            return None
        at, lat, lon, address_json = match
        assert json.loads(text)[at] == expected_match
        assert search.Match(lat, lon, address_json) == search.match_of(expected_match)
        return at


def _awkward_floats(rng: random.Random, n: int) -> list[float]:
    """Numbers of every kind a coordinate or a score can be, and some it cannot."""
    values = [0.0, -0.0, 1.0, -1.0, 1e-3, 9.99e-4, 1e-4, 999_999.999_999_999, 1e6, 5e-324, 1.7976931348623157e308]
    values += [0.0005, 0.0015, 0.0025, 0.1235, 2.675, 1.0005, 0.9995, -0.0004, -0.0015]
    for _ in range(n):
        kind = rng.randrange(7)
        if kind == 0:  # a coordinate as registers write it: 1 to 9 places
            places = rng.randint(1, 9)
            values.append(round(rng.uniform(-180, 180), places))
        elif kind == 1:  # any double of a coordinate's size
            values.append(rng.uniform(-180, 180))
        elif kind == 2:  # a float4 score as the trigram path gives it
            values.append(float(np.float32(rng.randint(0, 40) / rng.randint(1, 40))))
        elif kind == 3:  # halves at the third decimal, and their neighbours
            value = (rng.randint(0, 2000) + 0.5) / 1000
            values.append(math.nextafter(value, rng.choice([0.0, 2.0, value])))
        elif kind == 4:  # any finite bit pattern
            value = struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0]
            values.append(value if math.isfinite(value) else 0.5)
        elif kind == 5:  # decimals of 10 and more places
            values.append(round(rng.uniform(-2, 60), rng.randint(10, 17)))
        else:  # near the ends of the short way
            values.append(rng.choice([1e-3, 1e6, 1e-4]) * rng.uniform(0.98, 1.02))
    return values


def test_numbers_are_written_as_json_dumps_writes_them():
    rng = random.Random(20261207)
    values = _awkward_floats(rng, 40_000)
    n = len(values) // 4
    register = Rows(values[:n], values[n : 2 * n])
    rows = list(range(n))
    for chunk in range(0, n, 50):
        part = rows[chunk : chunk + 50]
        scores = values[2 * n + chunk : 2 * n + chunk + len(part)]
        street_scores = values[3 * n + chunk : 3 * n + chunk + len(part)]
        register.check(part, scores, street_scores, [0] * len(part), [0] * len(part))


def test_the_candidate_to_answer_for_is_unambiguous_matchs():
    """The only one; the first exact one when all exact ones share a point; the typo rule's clear winner. Points,
    flags, typed text and scores drawn to hit every branch, including ties and the thresholds' edges."""
    rng = random.Random(7)
    register = Rows([51.2, 51.2, 51.21, 51.2, 51.3, 51.2, 51.2, 51.2], [2.9, 2.9, 2.9, 2.9, 2.91, 2.9, 2.9, 2.9])
    chosen = set()
    typed_texts = ["", "kerkstraat 12", "oude kerkstraat 12 oostende", "brink", "rue de l eglise 12", "kerk"]
    for _ in range(4000):
        n = rng.randint(1, 8)
        rows = rng.sample(range(8), n)
        street_scores = [rng.choice([0.35, 0.3499, 0.45, 0.4501, 0.55, 0.6, 1.0, 0.25, 0.0]) for _ in rows]
        scores = [rng.choice([1.0, 0.6, 0.5]) for _ in rows]
        number_match = [rng.random() < 0.6 for _ in rows]
        street_match = [rng.random() < 0.3 for _ in rows]
        at = register.check(
            rows,
            scores,
            street_scores,
            number_match,
            street_match,
            has_number=rng.random() < 0.8,
            typed=rng.choice(typed_texts),
        )
        chosen.add("none" if at is None else ("first" if at == 0 else "later"))
    assert chosen == {"none", "first", "later"}


def test_wrong_arrays_are_refused():
    register = Rows([51.2, 51.3], [2.9, 2.8])
    good = ([0, 1], [1.0, 1.0], [1.0, 1.0], [1, 1], [1, 1])
    assert register.call(*good)[1] is None  # two exact ones at two points
    assert register.call(*good[:2], [1.0, 0.2], [1, 1], [0, 0])[1][0] == 0  # the typo rule's clear winner
    with pytest.raises(IndexError, match="no such row"):
        register.call([0, 2], *good[1:])
    with pytest.raises(IndexError, match="no such row"):
        register.call([-1, 0], *good[1:])
    with pytest.raises(ValueError, match="mismatched"):
        register.call([0], *good[1:])
    with pytest.raises(ValueError, match="mismatched"):
        register.call(*good, lats=np.zeros(3))
    with pytest.raises(ValueError, match="not finite"):
        register.call([0, 1], [1.0, math.nan], *good[2:])
    with pytest.raises(ValueError, match="not finite"):
        register.call(*good, lons=np.array([2.9, math.inf]))
    with pytest.raises(IndexError, match="no such street name"):
        register.call(*good, place_streets=np.array([9, 1, 2, 3], dtype=np.int32))
    with pytest.raises(IndexError, match="no such text"):
        register.call(*good, text_start=register.text_start[:3])
    with pytest.raises(TypeError):
        register.call(*good, ids=register.ids.astype(np.int32))
    with pytest.raises(TypeError):
        register.call(*good, lats=register.lat.astype(">f8"))
    # A table that is not ASCII is refused, not passed on as text.
    with pytest.raises(UnicodeDecodeError):
        register.call(*good, texts=register.text.replace(b"BE", b"\xc3\x89"))
    # And after every refusal the next call answers as before.
    assert register.call(*good) == register.call(*good)
