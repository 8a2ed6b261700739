"""Each worker's address index: the address register in memory, so that a search runs no SQL (docs/performance.md,
"The address index"). It answers exactly what the statements in search.py answer, row for row and in the same
order (tests/wijken/test_addressindex.py runs both on the same queries); search.py keeps those statements for
the queries the index does not take (text that is not plain ASCII after normalising: PostgreSQL's unaccent()
rules are not repeated here) and while the index is being built.

- The exact path ("street number" typed as the register writes it): every address's search_text, sorted by its
  bytes (text_pattern_ops order) in one buffer, found by binary search.
- The postcode path ("7411 AB 12"): the addresses sorted by postcode, house number, box, id.
- The trigram path (typos): pg_trgm's word_similarity over the streets, in trigram.py. Candidates come from
  posting lists (numpy) and are ranked by an upper bound, so that only the streets that can still reach the
  results are scored exactly; a street name that occurs in many places ("Kerkstraat") is scored once.

Arrays rather than Python objects per address: loaded once in the gunicorn master (gunicorn.conf.py), their pages
are shared by the workers and never written.
"""

from __future__ import annotations

import heapq
import threading

import numpy as np
from django.db import connection, transaction

from .caching import ADDRESS_FIELDS, stamp
from .trigram import _to_float4 as to_float4
from .trigram import as_fetched, similarity, trigram_set, trigrams, word_similarity, word_similarity_with

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
       lower(unaccent(s.street)), unaccent(lower(s.street))
FROM wijken_addressstreet s
ORDER BY s.id
"""

# What search.py's trigram statement compares word similarities with (pg_trgm's `<%` and the strict preference).
LENIENT = 0.4
STRICT = 0.6
# An upper bound computed in float64 against float4 scores: never stop on a difference rounding could make.
_EPSILON = 1e-6
_EMPTY = np.zeros(0, dtype=np.int32)


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


def _postings(texts: list[str]) -> dict[str, np.ndarray]:
    """For each trigram, the (sorted, distinct) positions of the texts that contain it."""
    lists: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        for trigram in trigram_set(text):
            lists.setdefault(trigram, []).append(i)
    return {trigram: np.array(ids, dtype=np.int32) for trigram, ids in lists.items()}


def _hits(postings: dict[str, np.ndarray], trigrams: frozenset[str], size: int) -> np.ndarray:
    """How many of `trigrams` each text contains."""
    lists = [postings[t] for t in trigrams if t in postings]
    if not lists:
        return np.zeros(size, dtype=np.int64)
    return np.bincount(np.concatenate(lists), minlength=size)


class AddressIndex:
    """The address register of one moment (its `version`), for search in memory."""

    def __init__(self, version: str):
        self.version = version
        self._load_addresses()
        with connection.cursor() as cursor:
            cursor.execute(_STREETS_SQL)
            streets = cursor.fetchall()
        self._load_streets(streets)

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
        self.boxes, box = _recode(box_of, box)
        ids, place, number, box = (
            a.astype(t) for a, t in ((ids, np.int64), (place, np.int32), (number, np.int32), (box, np.int32))
        )
        # The rows: by place, house number, box and id, the order in which the statements list a street's addresses.
        order = np.lexsort((ids, box, number, place))
        self.ids, self.place, self.house_number, self.box = ids[order], place[order], number[order], box[order]
        self.lon, self.lat = lon[order].astype(np.float64), lat[order].astype(np.float64)
        self.place_start = np.searchsorted(self.place, np.arange(len(places) + 1)).astype(np.int64)
        # The exact path: the row of each text in byte order.
        self.text_rows = np.empty(len(order), dtype=np.int32)
        self.text_rows[order] = np.arange(len(order), dtype=np.int32)
        # The postcode path: rows by postcode, then house number, box, id (the rows are by house number already).
        self.postcodes, postcode = _codes(self.place_postcode)
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
        """The streets of the trigram path. A street's search_text is "name tail" (tail: postcode and
        municipality); its similarity to a query that shares no trigram with the tail is that of its name alone,
        so each distinct name is scored once per query."""
        self.street_ids = np.array([row[0] for row in streets], dtype=np.int64)
        self.street_texts = [row[5] for row in streets]
        self.street_names_lu = [row[7] for row in streets]  # unaccent(lower(street)): the street_score's text
        self.street_place = np.array(
            [self.place_key.get((row[1], row[2], row[3], row[4]), -1) for row in streets], dtype=np.int64
        )
        self.names, name_of = _codes([row[6] for row in streets])
        self.street_name = name_of
        tails = []
        self.street_split = np.zeros(len(streets), dtype=bool)
        for i, row in enumerate(streets):
            name, text = row[6], row[5]
            if text.startswith(name + " "):
                self.street_split[i] = True
                tails.append(text[len(name) + 1 :])
            else:  # not "name tail" (a name of 400 characters, say): scored on its whole text
                tails.append(text)
        self.name_postings = _postings(self.names)
        self.tail_postings = _postings(tails)
        # Each text's trigrams in pg_trgm's order, for word_similarity (the trigram strings shared, not copied).
        shared: dict[str, str] = {}
        self.name_trigrams = [tuple(shared.setdefault(t, t) for t in trigrams(name)) for name in self.names]
        tail_trigrams: dict[str, tuple[str, ...]] = {}
        self.text_trigrams = []
        for i, tail in enumerate(tails):
            if tail not in tail_trigrams:
                tail_trigrams[tail] = tuple(shared.setdefault(t, t) for t in trigrams(tail))
            name_part = self.name_trigrams[name_of[i]] if self.street_split[i] else ()
            self.text_trigrams.append(name_part + tail_trigrams[tail])

    # --- Search -------------------------------------------------------------------------------------------------

    def _text_at(self, i: int) -> bytes:
        return self.text_buffer[self.text_start[i] : self.text_start[i + 1]]

    def _first_text_at_least(self, key: bytes) -> int:
        lo, hi = 0, len(self.text_rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._text_at(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

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

    def exact_rows(self, prefix: str, postcode: str, town: str, town_threshold: float, limit: int) -> list[dict]:
        """search._EXACT_SQL: the addresses whose search_text starts with "prefix ", in a typed postcode or
        town if any, best town first."""
        start = self._first_text_at_least(f"{prefix} ".encode())
        end = self._first_text_at_least(f"{prefix}!".encode())
        found = []
        for row in (int(r) for r in self.text_rows[start:end]):
            place = int(self.place[row])
            if postcode and self.place_postcode[place] != postcode:
                continue
            town_score = word_similarity(town, self.place_town[place]) if town else 0.0
            if town and town_score < town_threshold:
                continue
            key = (
                -town_score,
                self.place_postcode[place],
                self.place_municipality[place],
                self.boxes[self.box[row]],
                int(self.ids[row]),
            )
            found.append((key, row))
        found.sort()
        fixed = {"score": 1.0, "number_match": True, "street_match": True, "street_score": 1.0}
        return [self._record(row, **fixed) for _, row in found[:limit]]

    def postcode_rows(
        self, postcode: str, postcode_spaced: str, number: str, number_digits: str, limit: int
    ) -> list[dict]:
        """search._POSTCODE_SQL: a Dutch postcode's addresses (with the typed house number if any), the typed
        number and addition first."""
        rows: list[int] = []
        for typed in dict.fromkeys((postcode, postcode_spaced)):
            i = self.postcode_code.get(typed)
            if i is not None:
                rows.extend(int(r) for r in self.rows_by_postcode[self.postcode_start[i] : self.postcode_start[i + 1]])
        found = []
        for row in rows:
            house_number, box = self.house_numbers[self.house_number[row]], self.boxes[self.box[row]]
            if number and house_number != number_digits:
                continue
            number_match = (house_number + box).lower() == number
            found.append(((not number_match, house_number, box, int(self.ids[row])), row, number_match))
        found.sort()
        return [
            self._record(row, score=1.0, number_match=match, street_match=True, street_score=1.0)
            for _, row, match in found[:limit]
        ]

    def trigram_rows(self, words: str, street: str, number: str, limit: int, streets: int) -> list[dict]:
        """search._SEARCH_SQL: the `streets` streets most like what was typed (word similarity of the words to
        the street's text; the strict threshold when any street reaches it, else the lenient one), and on each
        the typed house number first; `limit` addresses in all."""
        chosen = self._similar_streets(words, street, streets)
        number_codes = self._number_codes(number)
        typed_codes = self._typed_codes(words)
        found = []
        for score, street_score, s in chosen:
            place = int(self.street_place[s])
            if place < 0:
                continue
            for row, number_match in self._street_rows(place, number_codes, typed_codes, limit):
                key = (
                    not number_match,
                    -score,
                    -street_score,
                    self.place_street[place],
                    self.place_postcode[place],
                    self.boxes[self.box[row]],
                    int(self.ids[row]),
                )
                street_match = self.street_names_lu[s] == street
                extra = {
                    "score": as_fetched(score),  # as the statement's float4 reaches Python
                    "number_match": number_match,
                    "street_match": street_match,
                    "street_score": as_fetched(street_score),
                }
                found.append((key, row, extra))
        found.sort(key=lambda item: item[0])
        return [self._record(row, **extra) for _, row, extra in found[:limit]]

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

    def _street_rows(self, place: int, number_codes: dict, typed_codes: set[int], limit: int):
        """One street's first `limit` addresses as the statement's LATERAL orders them: the typed number first,
        then a house number that stands among the words, then by house number, box, id (the rows' own order).
        Yields (row, number_match)."""
        start, end = int(self.place_start[place]), int(self.place_start[place + 1])
        numbers = self.house_number[start:end]
        first: list[tuple[bool, bool, int]] = []  # (not number_match, not typed, row): the LATERAL's order
        wanted = set(number_codes) | typed_codes
        if wanted:
            for offset in np.nonzero(np.isin(numbers, list(wanted)))[0]:
                row, code = start + int(offset), int(numbers[offset])
                boxes = number_codes.get(code, ())
                number_match = code in number_codes and (boxes is None or int(self.box[row]) in boxes)
                typed = code in typed_codes
                if number_match or typed:
                    first.append((not number_match, not typed, row))
        first.sort()
        first = first[:limit]
        yield from ((row, not no_match) for no_match, _, row in first)
        taken = {row for _, _, row in first}
        remaining = limit - len(first)
        row = start
        while remaining > 0 and row < end:
            if row not in taken:
                yield row, False
                remaining -= 1
            row += 1

    def _similar_streets(self, words: str, street: str, wanted: int) -> list[tuple[float, float, int]]:
        """(score, street_score, street position) of the chosen streets, best first."""
        street_trigrams = trigram_set(street)
        if not street_trigrams:
            return []
        scorer = _Scorer(self, street)
        word_scorer = scorer if words == street else _Scorer(self, words)
        bound = scorer.bounds()
        candidates = np.nonzero(bound >= LENIENT - _EPSILON)[0]
        if not candidates.size:
            return []
        # Does any street reach the strict threshold? Then only those count (the statement's WHERE).
        threshold = LENIENT
        for s in candidates[np.argsort(-bound[candidates], kind="stable")]:
            if bound[s] < STRICT - _EPSILON:
                break
            if scorer.score(int(s)) >= STRICT:
                threshold = STRICT
                break
        # Only streets whose bound reaches the threshold can count: with the strict one, far fewer.
        candidates = candidates[bound[candidates] >= threshold - _EPSILON]
        score_bound = word_scorer.bounds() if word_scorer is not scorer else bound
        best: list[float] = []  # a min-heap of the best `wanted` scores so far
        chosen = []
        for s in candidates[np.argsort(-score_bound[candidates], kind="stable")]:
            s = int(s)
            if len(best) == wanted and score_bound[s] + _EPSILON < best[0]:
                break
            if scorer.score(s) < threshold:
                continue
            score = word_scorer.score(s)
            chosen.append((-score, -self._street_score(s, street), int(self.street_ids[s]), s))
            if len(best) < wanted:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
        chosen.sort()
        return [(-score, -street_score, s) for score, street_score, _, s in chosen[:wanted]]

    def _street_score(self, s: int, street: str) -> float:
        return similarity(self.street_names_lu[s], street)


class _Scorer:
    """word_similarity(query, street's search_text) for one query over the streets: an upper bound for all of
    them at once, and the exact value per street, per distinct name where the tail cannot matter."""

    def __init__(self, index: AddressIndex, query: str):
        self.index = index
        self.trigrams = trigram_set(query)
        self.tail_hits = _hits(index.tail_postings, self.trigrams, len(index.street_ids))
        self.name_hits = _hits(index.name_postings, self.trigrams, len(index.names))
        self.by_name: dict[int, float] = {}

    def bounds(self) -> np.ndarray:
        """At least each street's word similarity: the share of the query's trigrams found anywhere in it
        (word_similarity is count / (query's + extent's - count) with count at most that share's numerator)."""
        if not self.trigrams:
            return np.zeros(len(self.index.street_ids))
        return (self.name_hits[self.index.street_name] + self.tail_hits) / len(self.trigrams)

    def score(self, s: int) -> float:
        index = self.index
        if self.tail_hits[s] or not index.street_split[s]:
            return self._similarity(index.text_trigrams[s])
        name = int(index.street_name[s])
        value = self.by_name.get(name)
        if value is None:
            value = self.by_name[name] = self._similarity(index.name_trigrams[name])
        return value

    def _similarity(self, text: tuple[str, ...]) -> float:
        """word_similarity of the query to a text given by its trigrams. Where no trigram repeats in the text
        (nearly always), pg_trgm's walk reduces to one over the positions of the query's trigrams: a stretch's
        ratio only grows while its start drops trigrams the query lacks, so pg's search for the best start
        always stops on one the query has (the first of the best)."""
        query = self.trigrams
        found = [i for i, t in enumerate(text) if t in query]
        if not found:
            return 0.0
        if len(set(text)) != len(text) or len(query) + len(text) >= 4096:
            return word_similarity_with(query, list(text))
        ulen1 = len(query)
        best = 0.0
        low = 0
        for k, end in enumerate(found):
            # The stretch from found[j] to `end` holds k - j + 1 of the query's trigrams in end - found[j] + 1.
            current = (k - low + 1) / (ulen1 + end - found[low] - (k - low))
            start = low
            for j in range(low + 1, k + 1):
                ratio = (k - j + 1) / (ulen1 + end - found[j] - (k - j))
                if ratio > current:
                    current, start = ratio, j
            low = start
            if current > best:
                best = current
        return to_float4(best)


# --- The process's copy --------------------------------------------------------------------------------------

_lock = threading.Lock()
_index: AddressIndex | None = None


def address_index() -> AddressIndex:
    """This process's address index, rebuilt when the register changed (an import, an address saved)."""
    global _index
    version = stamp(*ADDRESS_FIELDS)
    index = _index
    if index is None or index.version != version:
        with _lock:
            index = _index
            if index is None or index.version != version:
                index = _index = AddressIndex(version)
    return index
