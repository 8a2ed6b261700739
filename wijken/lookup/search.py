"""Address search for mijn buurt: street + number (Belgium) or postcode + number (the Netherlands), tolerant of
case, accents, abbreviations and small typos.

The statements below define the search; each worker's address index (addressindex.py) answers the same in
memory, row for row, and is what answers nearly every query. The statements answer text the index does not take
(not ASCII once normalised) and while a large register reloads. A change to a statement must be made to the
index too: tests/wijken/test_addressindex.py compares the two on every path. Ties are ordered in the "C"
collation (code points), whatever the database's collation, so that both order them alike."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

import psycopg
from django.db import connection

from . import _parse
from .addressindex import AddressIndex, Found, address_index
from .caching import ADDRESS_FIELDS, _from_local, _remember, cached, stamp, store_computed

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 8
# Spoken and written abbreviations citizens type; expanded before the trigram search so that "st petrus"
# finds "Sint-Petrus". One pattern, one pass: no expansion makes another abbreviation.
ABBREVIATIONS = {"st": "sint", "olv": "onze lieve vrouw", "str": "straat", "ln": "laan", "pl": "plein"}
_ABBREVIATION = re.compile(r"\b(st|o\.?\s?l\.?\s?v|str|ln|pl)\b\.?")
NL_POSTCODE = re.compile(r"^\s*(\d{4})\s*([a-z]{2})\b[\s,-]*(?:(\d+)\s*[-\s]?\s*([a-z0-9]{1,4})?)?\s*$")
NUMBER = re.compile(r"(?<![\w])(\d+)\s*(?:(?:bus|bte|boite)\s*)?([a-z]{1,2}\b|\d*)", re.IGNORECASE)
_BOX_WORD = re.compile(r"\b(bus|bte|boite)\b")
_NOT_A_WORD = re.compile(r"[^\w\s'-]")
_NON_WORD = re.compile(r"\W")


# What an answer shows of the address it is for (neighbourhood.answer_json), in this order, and then its label.
ADDRESS_PUBLIC_FIELDS = ("id", "street", "house_number", "box", "postcode", "municipality", "country")


class Match(NamedTuple):
    """The candidate to answer for without asking: its point, and its address as the answer shows it."""

    lat: float
    lon: float
    address_json: str


def answer_address_json(candidate: dict) -> str:
    """A candidate's address as an answer shows it (_records.c writes the same for the address index's)."""
    return json.dumps({**{name: candidate[name] for name in ADDRESS_PUBLIC_FIELDS}, "label": candidate["label"]})


def match_of(candidate: dict | None) -> Match | None:
    return Match(candidate["lat"], candidate["lon"], answer_address_json(candidate)) if candidate else None


class ParsedQuery(NamedTuple):
    text: str  # normalised full query
    street: str  # the words, without the house number
    number: str  # house number with its addition ("12a"), or ""
    nl_postcode: str  # "7411AB" when the query starts with a Dutch postcode
    exact_street: str = ""  # the words before the house number ("kerkstraat" in "kerkstraat 9 heerdedam")
    postcode: str = ""  # a postcode typed after the house number ("9440", "7411AB")
    town: str = ""  # the words after the house number, without the postcode ("heerdedam")


def normalise(text: str, *, expand: bool = True) -> str:
    """Lower case, without accents, single spaces; with the abbreviations written out unless `expand` is off."""
    text = _plain(text)
    return _expanded(text) if expand else text


def _plain(text: str) -> str:
    text = text.lower()
    if not text.isascii():  # nothing to take apart in plain ASCII (most queries)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def _expanded(plain: str) -> str:
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[re.sub(r"[.\s]", "", m.group(1))], plain)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def _normalised_street(street: str) -> str:
    return normalise(street)


def _words(text: str) -> str:
    text = _NOT_A_WORD.sub(" ", _BOX_WORD.sub(" ", NUMBER.sub(" ", text)))
    return " ".join(text.split()).strip(" -")


def parse_query(q: str) -> ParsedQuery:
    """What was typed, taken apart: street, house number, a Dutch postcode, and a postcode and town typed after
    the number. Plain ASCII text (nearly all) is parsed in C (_parse.c), which follows _parse_plain step by step
    (tests/wijken/test_parse.py)."""
    plain = _plain(q)
    fields = _parse.parse(plain, _WRITTEN_OUT)
    return ParsedQuery(*fields) if fields is not None else _parse_plain(plain)


_WRITTEN_OUT = tuple(ABBREVIATIONS[k] for k in ("st", "olv", "str", "ln", "pl"))  # _parse.c's order


def _parse_plain(plain: str) -> ParsedQuery:
    """parse_query() of text as _plain() leaves it: the definition, which _parse.c follows for ASCII text."""
    # A Dutch postcode's letters are no abbreviation ("1315 ST" is not "1315 sint"): matched before they expand.
    nl = NL_POSTCODE.match(plain)
    if nl:
        number = (nl.group(3) or "") + (nl.group(4) or "")
        return ParsedQuery(plain, "", number, f"{nl.group(1)}{nl.group(2)}".upper())
    text = _expanded(plain)
    numbers = list(NUMBER.finditer(text))
    # "Kerkstraat 12 8400 Oostende": the house number is the first number that is not a 4-digit postcode.
    chosen = next((m for m in numbers if len(m.group(1)) != 4), numbers[0] if numbers else None)
    number = (chosen.group(1) + (chosen.group(2) or "")) if chosen else ""
    # "Kerkstraat 12, 8400 Oostende": the street is what comes before the postcode.
    postcode = next((m for m in numbers if len(m.group(1)) == 4 and m is not chosen and m.start() > 0), None)
    street = _words(text[: postcode.start()] if postcode else text)
    exact_street, town, typed_postcode = street, "", ""
    if chosen is not None and chosen.start() > 0:
        # "Kerkstraat 9, 9440 Heerdedam": the street before the number; the postcode and town after it.
        exact_street, town = _words(text[: chosen.start()]), _words(text[chosen.end() :])
        if postcode is not None and postcode.start() > chosen.start():
            suffix = postcode.group(2) or ""
            if suffix == "" or (len(suffix) == 2 and suffix.isalpha()):  # Belgian "9440", Dutch "7411 ab"
                typed_postcode = (postcode.group(1) + suffix).upper()
    return ParsedQuery(text, street, number, "", exact_street, typed_postcode, town)


_ADDRESS_COLUMNS = """
    a.id, a.country, a.street, a.house_number, a.box, a.postcode, a.municipality,
    ST_Y(a.point) AS lat, ST_X(a.point) AS lon"""

# The trigram path searches the streets (AddressStreet, ~55,000 at national scale) and then finds the house number
# on each candidate street through the addresses' unique btree (country, postcode, street, ...): 10x faster than
# a trigram scan over a million addresses (docs/performance.md §2). Strict word similarity first; only when no
# street reaches it, the lenient threshold the index was scanned with (one statement, one round trip). The typed
# house number on any candidate street ranks first, so that one street's other numbers cannot crowd it out.
_SEARCH_SQL = f"""
WITH c AS MATERIALIZED (
    SELECT s.id, s.country, s.street, s.postcode, s.municipality,
           word_similarity(unaccent(lower(%(words)s)), s.search_text) AS score,
           word_similarity(unaccent(lower(%(street)s)), s.search_text) AS street_similarity
    FROM wijken_addressstreet s
    WHERE unaccent(lower(%(street)s)) <%% s.search_text
), s AS (
    SELECT c.*, (unaccent(lower(c.street)) = unaccent(lower(%(street)s))) AS street_match,
           similarity(unaccent(lower(c.street)), unaccent(lower(%(street)s))) AS street_score
    FROM c
    WHERE c.street_similarity >= %(strict)s OR NOT EXISTS (SELECT 1 FROM c WHERE c.street_similarity >= %(strict)s)
    ORDER BY c.score DESC, street_score DESC, c.id
    LIMIT %(streets)s
)
SELECT {_ADDRESS_COLUMNS}, s.score, a.number_match, s.street_match, s.street_score
FROM s CROSS JOIN LATERAL (
    SELECT a.*, (lower(a.house_number || a.box) = %(number)s OR lower(a.house_number) = %(number)s) AS number_match
    FROM wijken_address a
    WHERE a.country = s.country AND a.postcode = s.postcode AND a.street = s.street
      AND a.municipality = s.municipality
    -- A number the parser does not take for one ("C1", "H218") still ranks its address first when typed.
    ORDER BY number_match DESC,
             strpos(' ' || lower(%(words)s) || ' ', ' ' || lower(a.house_number) || ' ') > 0 DESC,
             a.house_number COLLATE "C", a.box COLLATE "C", a.id
    LIMIT %(limit)s
) a
ORDER BY a.number_match DESC, s.score DESC, s.street_score DESC,
         a.street COLLATE "C", a.postcode COLLATE "C", a.box COLLATE "C", a.id
LIMIT %(limit)s
"""

# The exact path: "street number" as typed is a prefix of the normalised text; a range scan on its btree
# (migration 0003) with text_pattern_ops operators, which work with bound parameters in generic plans too.
# A postcode or town typed after the number narrows it ("Kerkstraat 9, 9440 Heerdedam": one of the country's
# many Kerkstraat 9); when none of the rows lies there, the trigram path decides.
_EXACT_SQL = f"""
SELECT {_ADDRESS_COLUMNS}, 1.0::real AS score, true AS number_match, true AS street_match, 1.0::real AS street_score
FROM wijken_address a
WHERE a.search_text ~>=~ (lower(unaccent(%(prefix)s)) || ' ')
  AND a.search_text ~<~ (lower(unaccent(%(prefix)s)) || '!')
  AND (%(postcode)s = '' OR a.postcode = %(postcode)s)
  AND (%(town)s = '' OR word_similarity(%(town)s, lower(unaccent(a.municipality))) >= %(town_threshold)s)
ORDER BY word_similarity(%(town)s, lower(unaccent(a.municipality))) DESC,
         a.postcode COLLATE "C", a.municipality COLLATE "C", a.box COLLATE "C", a.id
LIMIT %(limit)s
"""

_POSTCODE_SQL = f"""
SELECT {_ADDRESS_COLUMNS}, 1.0::real AS score,
       (lower(a.house_number || a.box) = %(number)s) AS number_match,
       true AS street_match, 1.0::real AS street_score
FROM wijken_address a
WHERE a.postcode IN (%(postcode)s, %(postcode_spaced)s)
  AND (%(number)s = '' OR a.house_number = %(number_digits)s)
ORDER BY number_match DESC, a.house_number COLLATE "C", a.box COLLATE "C", a.id
LIMIT %(limit)s
"""


def _label(row: dict) -> str:
    number = row["house_number"] + (f" {row['box']}" if row["box"] else "")
    return f"{row['street']} {number}, {row['postcode']} {row['municipality']}"


def _rows(sql: str, params: dict) -> list[dict]:
    """Run one statement as a server-side prepared statement on Django's connection: Django's cursor binds
    parameters on the client, and psycopg never prepares those, so each search would be planned again (about
    half of an exact match's time). Django still opens, health-checks and closes the connection; only the cursor
    is psycopg's own, and the query counts as Django counts its own (debug, assertNumQueries)."""
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        names = [col.name for col in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows


# pg_trgm's default word-similarity threshold (0.6) keeps the candidate set small; a street with two letters
# swapped ("Lanegstraat") scores about 0.5, so a search that finds nothing is retried once, more leniently.
STRICT_THRESHOLD = 0.6
LENIENT_THRESHOLD = 0.4
# A typo is taken as meaning a street without asking only when the street names are this similar and no other
# candidate street comes within the margin (measured on Oostende: 96 % of two-swapped-letter typos answered
# right, 0.3 % wrong; the rest get the list of candidates).
MIN_STREET_SCORE = 0.35
# How close a town typed after the number must be to the address's municipality for the exact path.
TOWN_THRESHOLD = 0.5
# Search candidates follow the address register, which changes rarely (imports bump the cache version): a short
# lifetime bounds how long a change made some other way could go unseen.
SEARCH_CACHE_TIMEOUT = 300
# How many of the most similar streets a typo's candidates come from. 12 found the intended address as often as 24
# over 3,000 benchmark queries (85.6 % first, 96.4 % among the candidates) at two thirds of the work.
CANDIDATE_STREETS = 12
STREET_MARGIN = 0.1


def _trigram_rows(sql: str, params: dict) -> list[dict]:
    """Run the trigram search on its GIN index, in one round trip: the settings it needs go with the query as
    SET LOCAL in the same simple-protocol message (Django's client-side binding allows several statements), so
    they last for that implicit transaction only. The planner underrates the cost of word_similarity() on every
    row and would pick a sequential scan (50 ms against 3 ms); the index is scanned at the lenient threshold and
    the statement itself prefers the strict one."""
    statement = (
        "SET LOCAL enable_seqscan = off; "
        f"SET LOCAL pg_trgm.word_similarity_threshold = {float(LENIENT_THRESHOLD)}; {sql}"
    )
    if connection.in_atomic_block:  # inside a transaction the settings would outlive the query: reset them
        statement += "; SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL pg_trgm.word_similarity_threshold TO DEFAULT"
    with connection.cursor() as cursor:
        cursor.execute(statement, {**params, "strict": STRICT_THRESHOLD})
        raw = cursor.cursor
        while raw.description is None and raw.nextset():
            pass
        names = [col[0] for col in raw.description]
        return [dict(zip(names, row, strict=True)) for row in raw.fetchall()]


def search_params(parsed: ParsedQuery, limit: int) -> dict:
    # The words without the house number (the streets have none): street, then postcode and town if typed.
    words = " ".join(w for w in (parsed.exact_street, parsed.postcode.lower(), parsed.town) if w)
    # More streets than candidates: the street with the typed number may not be the most similar one.
    return {
        "words": words or parsed.street,
        "street": parsed.exact_street or parsed.street,
        "number": parsed.number,
        "limit": limit,
        "streets": max(limit, CANDIDATE_STREETS),
    }


def postcode_params(parsed: ParsedQuery, limit: int) -> dict:
    return {
        "postcode": parsed.nl_postcode,
        "postcode_spaced": f"{parsed.nl_postcode[:4]} {parsed.nl_postcode[4:]}",
        "number": parsed.number,
        "number_digits": re.match(r"\d*", parsed.number).group(0),  # "12" of "12a"
        "limit": limit,
    }


def exact_params(parsed: ParsedQuery, limit: int) -> dict:
    return {
        "prefix": f"{parsed.exact_street} {parsed.number}",
        "postcode": parsed.postcode,
        "town": parsed.town,
        "town_threshold": TOWN_THRESHOLD,
        "limit": limit,
    }


def in_memory(parsed: ParsedQuery) -> bool:
    """Whether the address index answers this query: when its normalised text is plain ASCII, as nearly every
    query is once accents are gone. PostgreSQL's unaccent() also rewrites letters that Unicode does not decompose
    (ß, ø, æ), and the index does not repeat its rules: such text goes to the statements."""
    return parsed.text.isascii()


def search_key(q: str, limit: int = DEFAULT_LIMIT) -> str | None:
    """The Redis key of a query's candidates: one entry for every way of typing the same normalised text. None
    when the address index answers the query: finding them again costs less than fetching them."""
    if q[:MAX_QUERY_LENGTH].isascii():
        return None
    text = normalise(q[:MAX_QUERY_LENGTH])
    return None if text.isascii() else _key(text, limit)


def _key(text: str, limit: int) -> str:
    return f"mijnbuurt:q:{max(1, min(int(limit), 50))}:{text}"


def search_candidates(q: str, limit: int = DEFAULT_LIMIT, *, look_in_cache: bool = True) -> tuple[str, Match | None]:
    """The candidates for a typed query as JSON text (see _search), and the one to answer for without asking
    (unambiguous_match), or None. The address index answers in memory, and this process keeps its answer for a
    repeat; text the index does not take goes to the statements, and their answer is cached in Redis. Both are
    kept for a few minutes under the address register's version (any import or change of addresses bumps it).
    look_in_cache=False: the caller has just looked for this query in Redis."""
    q = q[:MAX_QUERY_LENGTH]
    limit = max(1, min(int(limit), 50))
    # The very same text again (an autocomplete's repeats): the worker's answer from the index, not even parsed.
    typed_key = f"mijnbuurt:typed:{limit}:{q}"
    current = stamp(*ADDRESS_FIELDS)
    known = _from_local(typed_key, current)
    if known is not None:
        return known
    parsed = parse_query(q)
    index = address_index() if in_memory(parsed) else None
    if index is not None:
        answer = _search_in_index(parsed, limit, index)
        _remember(typed_key, current, answer, SEARCH_CACHE_TIMEOUT)
        return answer
    key = search_key(q, limit)
    if key is None:  # the index is being rebuilt (a large import): the statements answer meanwhile
        candidates = _search(parsed, limit, None)
        return json.dumps(candidates, separators=(",", ":")), match_of(unambiguous_match(candidates))
    text = cached(key, ADDRESS_FIELDS) if look_in_cache else None
    if text is None:
        text = store_computed(
            key,
            ADDRESS_FIELDS,
            lambda: json.dumps(_search(parsed, limit, None), separators=(",", ":")),
            timeout=SEARCH_CACHE_TIMEOUT,
        )
    return text, match_of(unambiguous_match(json.loads(text)))


def search_candidates_json(q: str, limit: int = DEFAULT_LIMIT, *, look_in_cache: bool = True) -> str:
    """The candidates for a typed query as JSON text (see search_candidates)."""
    return search_candidates(q, limit, look_in_cache=look_in_cache)[0]


def search_addresses(q: str, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """Addresses matching a typed query, best first (see _search)."""
    return json.loads(search_candidates_json(q, limit))


def _path_rows(parsed: ParsedQuery, limit: int, index: AddressIndex | None) -> Found | list[dict]:
    """The rows of the first path that finds any: a Dutch postcode ("7411 AB 12a"), street and number as the
    register writes them, then the trigram search. From the address index when given (its Found), else from the
    statements (dicts of their columns): the same rows (tests/wijken/test_addressindex.py)."""
    rows: Found | list[dict] = []
    if parsed.nl_postcode:
        params = postcode_params(parsed, limit)
        rows = index.postcode_found(**params) if index else _rows(_POSTCODE_SQL, params)
    if not rows and parsed.number and len(_NON_WORD.sub("", parsed.exact_street)) >= 2:
        params = exact_params(parsed, limit)
        rows = index.exact_found(**params) if index else _rows(_EXACT_SQL, params)
    if not rows and len(_NON_WORD.sub("", parsed.street)) >= 2:
        params = search_params(parsed, limit)
        rows = index.trigram_found(**params) if index else _trigram_rows(_SEARCH_SQL, params)
    return rows


def _search(parsed: ParsedQuery, limit: int, index: AddressIndex | None) -> list[dict[str, Any]]:
    """Addresses matching a typed query, best first: street + number (Belgium) or postcode + number
    (the Netherlands, "7411 AB 12a"). Tolerant of accents, case, abbreviations and small typos (trigram word
    similarity on the normalised search_text). Each candidate is a plain dict with `exact` set when street (or
    postcode) and number match what was typed. Answered by the address index when given, else by the statements."""
    rows = _path_rows(parsed, limit, index)
    return _candidates(parsed, index.records(rows) if index is not None else rows)


def _street_typed(parsed: ParsedQuery, street: str) -> bool:
    """Whether the street's name, normalised, stands as whole words in what was typed."""
    return f" {_normalised_street(street)} " in f" {parsed.text} "


def _candidates(parsed: ParsedQuery, rows: list[dict]) -> list[dict[str, Any]]:
    """The statements' rows as search candidates: with their label, number_match only when a number was typed,
    `exact` when street and number match, the scores to 3 decimals."""
    for row in rows:
        row["label"] = _label(row)
        street_match = row.pop("street_match") or _street_typed(parsed, row["street"])
        row["number_match"] = bool(parsed.number and row["number_match"])
        row["exact"] = bool(street_match and row["number_match"])
        row["score"] = round(float(row["score"]), 3)
        row["street_score"] = round(float(row["street_score"]), 3)
    return rows


def _search_in_index(parsed: ParsedQuery, limit: int, index: AddressIndex) -> tuple[str, Match | None]:
    """search_candidates() from the address index: _search's candidates as JSON text and unambiguous_match's
    choice among them, both written in C from the index's arrays (no dict per candidate). The same text and match
    as json.dumps(_search(...)) and match_of(unambiguous_match(...)) (test_addressindex.py)."""
    found = _path_rows(parsed, limit, index)
    if not found:  # no path applied ([]) or none found anything
        return "[]", None
    text, match = index.candidates_json(found, bool(parsed.number), parsed.text, MIN_STREET_SCORE, STREET_MARGIN)
    return text, (Match(*match[1:]) if match is not None else None)


def unambiguous_match(candidates: list[dict]) -> dict | None:
    """The candidate to answer for without asking: the only one; the exact matches when they all lie at one
    point (boxes of one building); or, for a typo, the one described below. The address index decides the same
    in C (_records.c, unambiguous)."""
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
