"""Each worker's address index: the address register in memory, so that a search runs no SQL (docs/performance.md,
"The address index"). It answers exactly what the statements in search.py answer, row for row and in the same
order (tests/wijken/test_addressindex.py runs both on the same queries); search.py keeps those statements for
the queries the index does not take: text that is not plain ASCII once normalised (PostgreSQL's unaccent() rules
are not repeated here).

- The exact path ("street number" typed as the register writes it): every address's search_text, sorted by its
  bytes (text_pattern_ops order) in one buffer, found by binary search; filtered and ordered in C (exact_rows).
- The postcode path ("7411 AB 12"): the addresses sorted by postcode, house number, box, id.
- The trigram path (typos): pg_trgm's word_similarity over the streets. Posting lists give the streets that hold
  enough of the query's trigrams to reach a threshold at all (the strict one first); those are scored exactly,
  by pg_trgm's own walk transcribed in C (_trgm.c) over trigram ids, a street name once for all the streets
  that share it where their postcode and town add nothing (similar_streets); their addresses are picked and
  ordered in C too (street_rows).

The statements order by text in the "C" collation; here those orders are numbers: house number and box codes,
and ranks per place of (street, postcode) and (postcode, municipality), all in code-point order.

Arrays rather than Python objects per address: loaded once in the gunicorn master (gunicorn.conf.py), their pages
are shared by the workers and never written.
"""

from __future__ import annotations

import ctypes
import json
import threading
from array import array
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from . import _records, _trgm
from .caching import ADDRESS_FIELDS, stamp
from .trigram import as_fetched, trigram_set, trigrams

# In byte order of search_text (the "C" collation compares bytes, as the exact path's text_pattern_ops does), so
# that the rows arrive in the order the exact path searches them.
_ADDRESSES_SQL = """
SELECT a.id, a.country, a.street, a.postcode, a.municipality, a.house_number, a.box,
       ST_X(a.point), ST_Y(a.point), a.search_text
FROM wijken_address a
ORDER BY a.search_text COLLATE "C"
"""
_TOWNS_SQL = "SELECT m, lower(unaccent(m)) FROM unnest(%s::text[]) AS m"
_CHUNK = 20_000  # rows fetched at a time: the load never holds the register as Python objects
_STREETS_SQL = """
SELECT s.id, s.country, s.street, s.postcode, s.municipality, s.search_text,
       lower(unaccent(s.street)), unaccent(lower(s.street)), lower(unaccent(s.postcode))
FROM wijken_addressstreet s
ORDER BY s.id
"""

# What search.py's trigram statement compares word similarities with (pg_trgm's `<%` and the strict preference).
LENIENT = 0.4
STRICT = 0.6
# The candidates' trigram count is compared with a threshold times the query's size: a margin against rounding.
_EPSILON = 1e-6
_NO_TRIGRAMS = np.zeros(0, dtype=np.uint32)
_TOWN_QUERIES_KEPT = 4096


def give_back_free_memory() -> None:
    """Loading passes a million rows (or 20,000 boundaries) through Python objects; glibc keeps the freed heap
    (120 MB for the addresses at national scale) unless asked to return it. Elsewhere than glibc this does
    nothing."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def _codes(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values in code-point order (PostgreSQL's "C" collation) and each value's position in them:
    comparing positions compares the texts."""
    distinct = sorted(set(values))
    position = {value: i for i, value in enumerate(distinct)}
    return distinct, np.fromiter((position[v] for v in values), dtype=np.int32, count=len(values))


def _recode(code_of: dict[str, int], codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Codes given in order of appearance, renumbered in code-point order of their texts."""
    distinct = sorted(code_of)
    renumber = np.empty(len(code_of), dtype=np.int32)
    for position, value in enumerate(distinct):
        renumber[code_of[value]] = position
    return distinct, renumber[codes.astype(np.int64)] if len(codes) else codes.astype(np.int32)


def _grouped(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of `keys` (integers below n) grouped by key, as (positions, starts): those of key k are
    positions[starts[k]:starts[k + 1]], in order."""
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=starts[1:])
    return np.argsort(keys, kind="stable").astype(np.int32), starts


class _TrigramStore:
    """Texts as pg_trgm trigram ids, for _trgm: a vocabulary of the trigrams the texts hold, and each text's
    trigrams in generation order, one text after the other (trigrams[starts[t]:starts[t + 1]] is text t)."""

    def __init__(self):
        self.vocabulary: dict[str, int] = {}
        self._code: dict[str, int] = {}
        self._ids = array("I")
        self._starts = array("q", [0])

    def add(self, text: str) -> int:
        """The code of `text` in the store (the same for the same text)."""
        code = self._code.get(text)
        if code is None:
            vocabulary = self.vocabulary
            self._ids.extend(vocabulary.setdefault(t, len(vocabulary)) for t in trigrams(text))
            self._starts.append(len(self._ids))
            code = self._code[text] = len(self._code)
        return code

    def postings(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each trigram id, the (sorted) positions in `texts` of the texts that hold it, as (positions,
        starts): the positions of trigram id k are positions[starts[k]:starts[k + 1]]. After every add()."""
        ids, positions = array("I"), array("i")
        for position, text in enumerate(texts):
            held = {self.vocabulary[t] for t in trigram_set(text)}
            ids.extend(held)
            positions.extend([position] * len(held))
        order, starts = _grouped(np.frombuffer(ids, dtype=np.uint32), len(self.vocabulary))
        return np.frombuffer(positions, dtype=np.int32)[order], starts

    def freeze(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """(vocabulary, trigram ids, starts), the arrays as numpy's."""
        trigram_ids = np.frombuffer(self._ids, dtype=np.uint32).copy()
        starts = np.frombuffer(self._starts, dtype=np.int64).copy()
        return self.vocabulary, trigram_ids, starts


@dataclass(slots=True)
class Found:
    """What one search path found: address rows in the statement's order, and per row what the statement's
    score, number_match, street_match and street_score columns hold."""

    rows: np.ndarray  # int32
    score: list[float]
    number_match: list[bool]
    street_match: list[bool]
    street_score: list[float]

    def __len__(self) -> int:
        return len(self.score)


def _exactly(rows: np.ndarray) -> Found:
    """Rows that match street (or postcode) and number as typed, as the exact statement scores them."""
    n = len(rows)
    return Found(rows, [1.0] * n, [True] * n, [True] * n, [1.0] * n)


class AddressIndex:
    """The address register of one moment (its `version`), for search in memory."""

    def __init__(self, version: str):
        self.version = version
        self._town_queries: dict[str, tuple[np.ndarray, int]] = {}
        self._load_addresses()
        with connection.cursor() as cursor:
            cursor.execute(_STREETS_SQL)
            streets = cursor.fetchall()
        self._load_streets(streets)
        self._load_json_texts()
        del self.place_key  # only needed to join the streets to their places
        give_back_free_memory()

    def __len__(self) -> int:
        return len(self.ids)

    # --- Loading ----------------------------------------------------------------------------------------------

    def _load_addresses(self) -> None:
        """The addresses in columns, streamed from PostgreSQL in chunks (a million rows as tuples would take a
        gigabyte on the way)."""
        place_of: dict[tuple[str, str, str, str], int] = {}
        number_of: dict[str, int] = {}
        box_of: dict[str, int] = {}
        columns: list[list] = [[] for _ in range(6)]  # id, place, house number, box, lon, lat: arrays per chunk
        lengths: list[np.ndarray] = []
        buffer = bytearray()
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(_ADDRESSES_SQL)
            while rows := cursor.fetchmany(_CHUNK):
                texts = [row[9].encode() for row in rows]
                buffer += b"".join(texts)
                lengths.append(np.fromiter(map(len, texts), dtype=np.int64, count=len(rows)))
                for column, values in zip(
                    columns,
                    (
                        [row[0] for row in rows],
                        [place_of.setdefault(row[1:5], len(place_of)) for row in rows],
                        [number_of.setdefault(row[5], len(number_of)) for row in rows],
                        [box_of.setdefault(row[6], len(box_of)) for row in rows],
                        [row[7] for row in rows],
                        [row[8] for row in rows],
                    ),
                    strict=True,
                ):
                    column.append(np.array(values))
        ids, place, number, box, lon, lat = (np.concatenate(chunks) if chunks else np.zeros(0) for chunks in columns)
        self.text_buffer = bytes(buffer)
        self.text_start = np.concatenate(([0], np.cumsum(np.concatenate(lengths) if lengths else [])))
        self.text_start = self.text_start.astype(np.int64)
        del buffer
        places = list(place_of)
        self.place_key = place_of
        self.place_country, self.place_street, self.place_postcode, self.place_municipality = (
            [p[k] for p in places] for k in range(4)
        )
        # lower(unaccent(municipality)) as PostgreSQL writes it, for a town typed after the number.
        with connection.cursor() as cursor:
            cursor.execute(_TOWNS_SQL, [sorted(set(self.place_municipality))])
            towns = dict(cursor.fetchall())
        self.place_town = [towns[m] for m in self.place_municipality]
        # Codes in code-point order, so that comparing codes compares the texts.
        self.house_numbers, number = _recode(number_of, number)
        self.house_number_code = {value: code for code, value in enumerate(self.house_numbers)}
        self.boxes, box = _recode(box_of, box)
        ids, place, number, box = (
            a.astype(t) for a, t in ((ids, np.int64), (place, np.int32), (number, np.int32), (box, np.int32))
        )
        # The rows: by place, house number, box and id, the order in which the statements list a street's addresses.
        order = np.lexsort((ids, box, number, place))
        self.ids, self.place, self.house_number, self.box = ids[order], place[order], number[order], box[order]
        self.lon, self.lat = lon[order].astype(np.float64), lat[order].astype(np.float64)
        self.place_start = np.searchsorted(self.place, np.arange(len(places) + 1)).astype(np.int64)
        # The statements' orders by text, as numbers: comparing ranks compares the texts in code-point order.
        self.place_street_order = _codes(list(zip(self.place_street, self.place_postcode, strict=True)))[1]
        self.place_postcode_order = _codes(list(zip(self.place_postcode, self.place_municipality, strict=True)))[1]
        # The exact path: the row of each text in byte order.
        self.text_rows = np.empty(len(order), dtype=np.int32)
        self.text_rows[order] = np.arange(len(order), dtype=np.int32)
        # The postcode path: rows by postcode, then house number, box, id (the rows are by house number already).
        self.postcodes, postcode = _codes(self.place_postcode)
        self.place_postcode_code = postcode
        self.postcode_code = {value: i for i, value in enumerate(self.postcodes)}
        by_postcode = postcode[self.place] if len(self.place) else postcode[:0]
        self.rows_by_postcode = np.argsort(by_postcode, kind="stable").astype(np.int32)
        self.postcode_start = np.searchsorted(by_postcode[self.rows_by_postcode], np.arange(len(self.postcodes) + 1))
        # lower(house_number) and lower(box) -> their codes, for number_match and numbers typed among the words.
        self.house_numbers_lower: dict[str, list[int]] = {}
        for code, value in enumerate(self.house_numbers):
            self.house_numbers_lower.setdefault(value.lower(), []).append(code)
        self.boxes_lower: dict[str, list[int]] = {}
        for code, value in enumerate(self.boxes):
            self.boxes_lower.setdefault(value.lower(), []).append(code)

    def _load_streets(self, streets: list[tuple]) -> None:
        """The streets of the trigram path. A street's search_text is "name postcode town": kept apart, the
        parts are stored once per distinct name and rest, and their posting lists are short."""
        self.street_ids = np.array([row[0] for row in streets], dtype=np.int64)
        self.street_names_lu = [row[7] for row in streets]  # unaccent(lower(street)): the street_score's text
        self.street_place = np.array(
            [self.place_key.get((row[1], row[2], row[3], row[4]), -1) for row in streets], dtype=np.int64
        )
        self.names, name_of = _codes([row[6] for row in streets])
        postcodes, towns = [], []
        split = np.zeros(len(streets), dtype=bool)
        for i, row in enumerate(streets):
            text, name, postcode = row[5], row[6], row[8]
            if text.startswith(f"{name} {postcode} "):
                split[i] = True
                postcodes.append(postcode)
                towns.append(text[len(name) + len(postcode) + 2 :])
            else:  # not "name postcode town" (cut at 400 characters, say): scored on its whole text
                postcodes.append("")
                towns.append(text)
        # Every text the typo path scores, as trigram ids in one store: the distinct names, the distinct rests
        # ("postcode town") and the places' towns (the exact path's town). A street's text is its name followed
        # by its rest (the rest alone where it is not split).
        store = _TrigramStore()
        name_text = np.array([store.add(name) for name in self.names], dtype=np.int32)
        self.street_head = np.where(split, name_text[name_of], -1).astype(np.int32)
        self.street_tail = np.array(
            [store.add(f"{postcode} {town}") for postcode, town in zip(postcodes, towns, strict=True)], dtype=np.int32
        )
        self.place_town_text = np.array([store.add(town) for town in self.place_town], dtype=np.int32)
        self.street_name_lu_text = np.array([store.add(name) for name in self.street_names_lu], dtype=np.int32)
        # Posting lists (by trigram id) over the distinct names, postcodes and towns: far fewer than streets.
        self.postcodes_distinct, street_postcode = _codes(postcodes)
        self.towns_distinct, street_town = _codes(towns)
        # Each postcode's distinct trigrams: a stretch from a street's name into its town spans them all (the typo
        # path's bound, _trgm.c find_holding); 0 for the "" of a text not split into name, postcode and town.
        self.postcode_sizes = np.array([len(trigram_set(p)) for p in self.postcodes_distinct], dtype=np.int32)
        # Each name's streets, with their postcode and town codes beside them: the typo path visits the streets
        # of the names that can reach a threshold (_trgm.holding).
        by_name, name_start = _grouped(name_of.astype(np.int32), len(self.names))
        self.streets_by_name = (
            name_start,
            by_name,
            street_postcode.astype(np.int32)[by_name],
            street_town.astype(np.int32)[by_name],
        )
        self.name_postings = store.postings(self.names)
        self.postcode_postings = store.postings(self.postcodes_distinct)
        self.town_postings = store.postings(self.towns_distinct)
        self.vocabulary, self.trigrams, self.trigram_start = store.freeze()

    def _load_json_texts(self) -> None:
        """The texts of the candidates' JSON (_records.candidates_json), escaped as json.dumps escapes them, each
        distinct text once: per place its country, street, postcode and municipality, per code a house number or
        box. And per place its street's name as search._street_typed() looks for it in the typed text."""
        from .search import normalise  # search.py imports this module

        code_of: dict[str, int] = {}
        starts = array("q", [0])
        parts: list[bytes] = []

        def code(value: str) -> int:
            found = code_of.get(value)
            if found is None:
                escaped = json.dumps(value)[1:-1].encode("ascii")
                parts.append(escaped)
                starts.append(starts[-1] + len(escaped))
                found = code_of[value] = len(code_of)
            return found

        place_fields = (self.place_country, self.place_street, self.place_postcode, self.place_municipality)
        self.place_texts = np.array(
            [code(value) for values in zip(*place_fields, strict=True) for value in values], dtype=np.int32
        )
        self.house_number_texts = np.array([code(v) for v in self.house_numbers], dtype=np.int32)
        self.box_texts = np.array([code(v) for v in self.boxes], dtype=np.int32)
        self.json_texts = b"".join(parts)
        self.json_text_start = np.frombuffer(starts, dtype=np.int64).copy()
        names, self.place_street_name = _codes(self.place_street)
        normalised = [normalise(name).encode() for name in names]
        self.street_names_normalised = b"".join(normalised)
        self.street_name_start = np.concatenate(([0], np.cumsum([len(n) for n in normalised]))).astype(np.int64)

    # --- Search -------------------------------------------------------------------------------------------------

    def _record(self, row: int, **extra) -> dict:
        place = int(self.place[row])
        return {
            "id": int(self.ids[row]),
            "country": self.place_country[place],
            "street": self.place_street[place],
            "house_number": self.house_numbers[self.house_number[row]],
            "box": self.boxes[self.box[row]],
            "postcode": self.place_postcode[place],
            "municipality": self.place_municipality[place],
            "lat": float(self.lat[row]),
            "lon": float(self.lon[row]),
            **extra,
        }

    def records(self, found: Found) -> list[dict]:
        """The rows as the statements return them (dicts of their columns)."""
        return [
            self._record(row, score=score, number_match=number_match, street_match=street_match, street_score=sscore)
            for row, score, number_match, street_match, sscore in zip(
                found.rows.tolist(),
                found.score,
                found.number_match,
                found.street_match,
                found.street_score,
                strict=True,
            )
        ]

    def candidates_json(
        self, found: Found, has_number: bool, typed: str, min_street_score: float, street_margin: float
    ) -> tuple[str, tuple | None]:
        """The JSON text of search._candidates() for the rows found, and search.unambiguous_match()'s choice among
        them: (its position, lat, lon, its address as an answer shows it), or None (_records.candidates_json).
        `has_number`: a house number was typed; `typed`: the typed text, normalised; the last two: the rule's
        thresholds."""
        return _records.candidates_json(
            found.rows,
            array("d", found.score),
            array("d", found.street_score),
            bytes(found.number_match),
            bytes(found.street_match),
            has_number,
            f" {typed} ".encode(),
            self.ids,
            self.place,
            self.house_number,
            self.box,
            self.lat,
            self.lon,
            self.place_texts,
            self.house_number_texts,
            self.box_texts,
            self.json_texts,
            self.json_text_start,
            self.place_street_name,
            self.street_names_normalised,
            self.street_name_start,
            min_street_score,
            street_margin,
        )

    def exact_rows(self, **params) -> list[dict]:
        return self.records(self.exact_found(**params))

    def postcode_rows(self, **params) -> list[dict]:
        return self.records(self.postcode_found(**params))

    def trigram_rows(self, **params) -> list[dict]:
        return self.records(self.trigram_found(**params))

    def exact_found(self, prefix: str, postcode: str, town: str, town_threshold: float, limit: int) -> Found:
        """search._EXACT_SQL: the addresses whose search_text starts with "prefix ", in a typed postcode or
        town if any, best town first."""
        town_ids, ulen1 = self._town_query(town) if town else (_NO_TRIGRAMS, -1)
        out = np.empty(limit, dtype=np.int32)
        found = _trgm.exact_rows(
            self.text_buffer,
            self.text_start,
            self.text_rows,
            f"{prefix} ".encode(),
            f"{prefix}!".encode(),
            self.place,
            self.place_postcode_code,
            self.postcode_code.get(postcode, -1) if postcode else -2,
            town_ids,
            ulen1,
            len(self.vocabulary),
            self.trigrams,
            self.trigram_start,
            self.place_town_text,
            town_threshold,
            self.place_postcode_order,
            self.box,
            self.ids,
            limit,
            out,
        )
        return _exactly(out[:found])

    def postcode_found(self, postcode: str, postcode_spaced: str, number: str, number_digits: str, limit: int) -> Found:
        """search._POSTCODE_SQL: a Dutch postcode's addresses (with the typed house number if any), the typed
        number and addition first (_trgm.postcode_rows)."""
        codes = [
            self.postcode_code[typed]
            for typed in dict.fromkeys((postcode, postcode_spaced))
            if typed in self.postcode_code
        ]
        if number:
            # The statement's house_number = number_digits; its lower(house_number || box) = number then holds where
            # the box, lower-cased, is the rest of the number.
            house_number = self.house_number_code.get(number_digits, -1)
            matching_numbers, matching_boxes = [house_number], self.boxes_lower.get(number[len(number_digits) :], [])
        else:  # every house number; lower(house_number || box) = '' only where both are empty
            house_number = -2
            matching_numbers, matching_boxes = self.house_numbers_lower.get("", []), self.boxes_lower.get("", [])
        rows, matches = np.empty(limit, dtype=np.int32), np.empty(limit, dtype=np.uint8)
        found = _trgm.postcode_rows(
            self.rows_by_postcode,
            self.postcode_start,
            np.array(codes, dtype=np.int32),
            self.house_number,
            self.box,
            self.ids,
            house_number,
            np.array(matching_numbers, dtype=np.int32),
            np.array(matching_boxes, dtype=np.int32),
            limit,
            rows,
            matches,
        )
        return Found(
            rows[:found], [1.0] * found, [bool(m) for m in matches[:found].tolist()], [True] * found, [1.0] * found
        )

    def trigram_found(self, words: str, street: str, number: str, limit: int, streets: int) -> Found:
        """search._SEARCH_SQL: the `streets` streets most like what was typed (word similarity of the words to
        the street's text; the strict threshold when any street reaches it, else the lenient one), and on each
        the typed house number first; `limit` addresses in all, in the statement's order (_trgm.street_rows)."""
        chosen, scores, street_scores = self._similar_streets(words, street, streets)
        number_houses, number_boxes = [], []
        for code, boxes in self._number_codes(number).items():
            for box in (-1,) if boxes is None else boxes:
                number_houses.append(code)
                number_boxes.append(box)
        rows, picked, matched = (np.empty(limit, dtype=np.int32) for _ in range(3))
        found = _trgm.street_rows(
            self.street_place[chosen],
            scores,
            street_scores,
            self.place_start,
            self.house_number,
            self.box,
            self.ids,
            self.place_street_order,
            np.array(number_houses, dtype=np.int32),
            np.array(number_boxes, dtype=np.int32),
            np.array(sorted(self._typed_codes(words)), dtype=np.int32),
            limit,
            rows,
            picked,
            matched,
        )
        picked = picked[:found].tolist()
        return Found(
            rows[:found],
            [as_fetched(scores[c]) for c in picked],  # as the statement's float4 reaches Python
            [bool(match) for match in matched[:found].tolist()],
            [self.street_names_lu[chosen[c]] == street for c in picked],
            [as_fetched(street_scores[c]) for c in picked],
        )

    def _number_codes(self, number: str) -> dict[int, set[int] | None]:
        """The addresses whose lower(house_number || box) or lower(house_number) is `number`, as
        {house number code: the box codes, or None for any box}."""
        matches: dict[int, set[int] | None] = {code: None for code in self.house_numbers_lower.get(number, ())}
        for cut in range(len(number)):
            for code in self.house_numbers_lower.get(number[:cut], ()):
                if code not in matches or matches[code] is not None:
                    matches.setdefault(code, set()).update(self.boxes_lower.get(number[cut:], ()))
        return matches

    def _typed_codes(self, words: str) -> set[int]:
        """The house numbers that stand between spaces in " words " (the statement's strpos): any run of
        whole words."""
        padded = f" {words.lower()} "
        spaces = [i for i, ch in enumerate(padded) if ch == " "]
        codes: set[int] = set()
        for a, start in enumerate(spaces):
            for end in spaces[a + 1 :]:
                codes.update(self.house_numbers_lower.get(padded[start + 1 : end], ()))
        return codes

    def _town_query(self, town: str) -> tuple[np.ndarray, int]:
        """_query() of a town typed after the number: towns repeat, so the last few thousand are kept."""
        query = self._town_queries.get(town)
        if query is None:
            if len(self._town_queries) >= _TOWN_QUERIES_KEPT:
                self._town_queries.clear()
            query = self._town_queries[town] = self._query(town)
        return query

    def _query(self, text: str) -> tuple[np.ndarray, int]:
        """A query's distinct trigrams as the store's ids (only those it knows: the others match no text) and
        how many distinct trigrams it has in all (pg_trgm's ulen1)."""
        held = trigram_set(text)
        ids = [i for i in map(self.vocabulary.get, held) if i is not None]
        return np.array(ids, dtype=np.uint32), len(held)

    def _similar_streets(self, words: str, street: str, wanted: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chosen streets' positions, scores and street scores (float32), best first: the statement's `c` and
        `s` (_trgm.similar_streets). The typed street's word similarity must reach the strict threshold where any
        street reaches it, else the lenient one (the statement's WHERE). A street holding fewer than threshold x
        the typed street's trigrams cannot reach it, so the posting lists give the candidates, strict ones first."""
        street_ids, street_size = self._query(street)
        words_ids, words_size = self._query(words)
        chosen, scores, street_scores = (np.empty(wanted, dtype) for dtype in (np.int32, np.float32, np.float32))
        name_start, streets, postcodes, towns = self.streets_by_name
        found = _trgm.similar_streets(
            street_ids,
            street_size,
            words_ids,
            words_size,
            len(self.vocabulary),
            self.trigrams,
            self.trigram_start,
            self.street_head,
            self.street_tail,
            self.street_name_lu_text,
            self.street_ids,
            *self.name_postings,
            len(self.postcodes_distinct),
            *self.postcode_postings,
            len(self.towns_distinct),
            *self.town_postings,
            name_start,
            streets,
            postcodes,
            towns,
            self.postcode_sizes,
            STRICT,
            LENIENT,
            _EPSILON,
            wanted,
            chosen,
            scores,
            street_scores,
        )
        return chosen[:found], scores[:found], street_scores[:found]


# --- The process's copy --------------------------------------------------------------------------------------

_lock = threading.Lock()
_index: AddressIndex | None = None
_rebuilding: threading.Thread | None = None
# A register larger than this (a national one: 6 s to load) is reloaded in a background thread after a change,
# while the statements answer; a smaller one (a zone's, the tests') is reloaded at once, in the request.
INLINE_RELOAD_LIMIT = 100_000


def address_index() -> AddressIndex | None:
    """This process's address index, reloaded when the register changed (an import, an address saved). None
    while a large register is being reloaded: search.py then asks PostgreSQL, which answers the same."""
    global _index
    version = stamp(*ADDRESS_FIELDS)
    index = _index
    if index is not None and index.version == version:
        return index
    if index is not None and len(index) > INLINE_RELOAD_LIMIT:
        _reload_in_background(version)
        return None
    with _lock:  # one load per process, not one per waiting thread
        index = _index
        if index is None or index.version != version:
            index = _index = AddressIndex(version)
    return index


def _reload_in_background(version: str) -> None:
    global _rebuilding
    with _lock:
        if _rebuilding is not None and _rebuilding.is_alive():
            return
        _rebuilding = threading.Thread(target=_reload, args=(version,), name="address-index", daemon=True)
        _rebuilding.start()


def _reload(version: str) -> None:
    global _index
    try:
        index = AddressIndex(version)
        with _lock:
            _index = index
    finally:
        connection.close()  # the thread's own connection
