"""wijken.lookup.trigram against the real pg_trgm: the same float4 for similarity() and word_similarity() on
thousands of pairs made from Oostende's street names the way people type them (typos, prefixes, house numbers,
postcodes, towns, punctuation), compared with == and never approximately, because the in-memory ranking must
order and tie exactly as PostgreSQL does."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from wijken.lookup import _trgm
from wijken.lookup.trigram import as_fetched, similarity, trigram_set, trigrams, word_similarity

CSV = settings.BASE_DIR / "data" / "oostende_adressen_crab2014.csv"

# Both functions in one statement per batch: float4 as psycopg reads it (text: the shortest decimal that reads
# back as that float4) and the same value cast to float8 (exact), which must equal ours bit for bit.
_COMPARE_SQL = """
    SELECT similarity(a, b)::float8, word_similarity(a, b)::float8, similarity(a, b), word_similarity(a, b)
    FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(a, b, n)
    ORDER BY n"""


def f4(value: float) -> float:
    return float(np.float32(value))


def pg_scores(pairs: list[tuple[str, str]]) -> list[tuple[float, float, float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(_COMPARE_SQL, [[a for a, _ in pairs], [b for _, b in pairs]])
        return cursor.fetchall()


def assert_same_as_postgres(pairs: list[tuple[str, str]]) -> None:
    mismatches = []
    for (a, b), (pg_sml, pg_word, fetched_sml, fetched_word) in zip(pairs, pg_scores(pairs), strict=True):
        sml, word = similarity(a, b), word_similarity(a, b)
        if (sml, word) != (pg_sml, pg_word) or (as_fetched(sml), as_fetched(word)) != (fetched_sml, fetched_word):
            mismatches.append((a, b, (sml, pg_sml), (word, pg_word)))
    assert not mismatches, f"{len(mismatches)} of {len(pairs)} differ, e.g. {mismatches[:5]}"


def _typos(rnd: random.Random, s: str) -> list[str]:
    """One of each kind of slip: two letters swapped, one dropped, one added, one replaced."""
    if len(s) < 3:
        return [s + "e"]
    i = rnd.randrange(len(s) - 1)
    letter = rnd.choice("abcdefghijklmnopqrstuvwxyz")
    return [
        s[:i] + s[i + 1] + s[i] + s[i + 2 :],
        s[:i] + s[i + 1 :],
        s[:i] + letter + s[i:],
        s[:i] + letter + s[i + 1 :],
    ]


def _queries(rnd: random.Random, street: str, postcode: str, town: str) -> list[str]:
    words = street.split()
    number = str(rnd.randrange(1, 250))
    return [
        street,
        street[: rnd.randrange(1, len(street) + 1)],
        street[:3],
        *_typos(rnd, street),
        rnd.choice(_typos(rnd, rnd.choice(_typos(rnd, street)))),  # two slips
        words[-1],
        " ".join(words[:2]),
        f"{street} {number}",
        f"{street} {number}, {postcode} {town}",
        f"{rnd.choice(_typos(rnd, street))} {postcode}",
        f"{street} {town}",
        f"{town} {street}",
        street.replace(" ", "  "),
        street.replace(" ", "-"),
        street.replace(" ", "'"),
        f" {street} ",
        f"{number}{rnd.choice('abc')}",
    ]


@pytest.fixture(scope="module")
def oostende_streets(django_db_setup, django_db_blocker) -> list[tuple[str, str, str]]:
    """(street, postcode, town), normalised as search.py does (PostgreSQL's unaccent(lower())), every street."""
    with CSV.open(encoding="utf-8") as f:
        rows = {(r["street"], r["postcode"], r["municipality"]) for r in csv.DictReader(f)}
    rows = sorted(rows)
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT unaccent(lower(s)), unaccent(lower(t)) FROM unnest(%s::text[], %s::text[]) AS u(s, t)",
            [[street for street, _, _ in rows], [town for _, _, town in rows]],
        )
        normalised = cursor.fetchall()
    return [(street, postcode, town) for (street, town), (_, postcode, _) in zip(normalised, rows, strict=True)]


def test_typed_queries_against_street_texts(db, oostende_streets):
    """The search's own use: what a person types against streets' search_text ("street postcode town"), each
    query against its own street and against random others, plus street name against street name."""
    rnd = random.Random(20241122)
    texts = [f"{street} {postcode} {town}" for street, postcode, town in oostende_streets]
    pairs = []
    for k in rnd.sample(range(len(oostende_streets)), 180):
        street, postcode, town = oostende_streets[k]
        for query in _queries(rnd, street, postcode, town):
            pairs.append((query, texts[k]))
            pairs.append((query, rnd.choice(texts)))
            pairs.append((query, oostende_streets[rnd.randrange(len(oostende_streets))][0]))
    # A ranking's close calls: a typo against the 40 texts that share most of its trigrams, as the candidates of
    # an in-memory search would be (many equal scores among them: the ties must be pg's too).
    text_sets = [trigram_set(text) for text in texts]
    for street, _, _ in rnd.sample(oostende_streets, 60):
        query = rnd.choice(_typos(rnd, street))
        shared = [len(trigram_set(query) & text_set) for text_set in text_sets]
        nearest = sorted(range(len(texts)), key=lambda k: -shared[k])[:40]
        pairs += [(query, texts[k]) for k in nearest]
    # Street names against each other, and within longer texts holding two streets.
    for _ in range(600):
        a, b = rnd.sample(oostende_streets, 2)
        pairs.append((a[0], b[0]))
        pairs.append((rnd.choice(_typos(rnd, a[0])), f"{b[0]} {a[0]} {b[1]} {b[2]}"))
    assert len(pairs) == 180 * 20 * 3 + 60 * 40 + 600 * 2
    assert_same_as_postgres(pairs)


def test_edge_cases_against_postgres(db, oostende_streets):
    """Empty and blank strings, single characters, digits only, punctuation only, repeated words and trigrams,
    capitals and accents (pg_trgm lower-cases; multibyte trigrams are CRC-hashed there, strings here)."""
    rnd = random.Random(7)
    street = oostende_streets[0][0]
    odd = [
        "",
        " ",
        "-",
        "'",
        "  -- ' ",
        "a",
        "k",
        "8",
        "8400",
        "84",
        "7411 ab",
        "7411ab deventer",
        "a b c d",
        "aa",
        "aaa",
        "aaaa aaaa",
        "straat straat",
        "de de de",
        "sint-petrusstraat 8400 oostende",
        "o.l.vrouwstraat",
        "onze-lieve-vrouw",
        "onze lieve vrouw",
        "d'hondtstraat",
        "ijzerstraat",
        "Kerkstraat",
        "KERKSTRAAT 8400 OOSTENDE",
        "Aimé Liebaertstraat",
        "aime liebaertstraat",
        "Feeënpad",
        "Rue de l'Église",
        "straße",
        "STRASSE",
        "ĳsselstraat",
        "Ĳsselstraat",
        "1ste linieregimentsplein",
        "3de en 23ste linieregimentsplein",
        "½ maan",
        "2² straat",
        "kerk_straat",
        "kerk\tstraat\n8400",
        street,
    ]
    pairs = [(a, b) for a in odd for b in odd]
    for a in odd:
        other = rnd.choice(oostende_streets)
        pairs += [(a, f"{other[0]} {other[1]} {other[2]}"), (f"{other[0]} {other[1]} {other[2]}", a)]
    assert_same_as_postgres(pairs)


def test_word_characters_are_postgres_own(db):
    """Which characters make words: ASCII letters and digits, and outside ASCII what the database's C.UTF-8
    calls alphanumeric, checked for every Latin letter, combining accent and punctuation mark a Belgian or
    Dutch address could hold (a word character keeps "a?a" one word: more than two trigrams)."""
    code_points = [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x2000, 0x2070), 0x20AC, 0xFB01]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cp, array_length(show_trgm('a' || chr(cp) || 'a'), 1) > 2 FROM unnest(%s::int[]) AS cp",
            [code_points],
        )
        postgres = dict(cursor.fetchall())
    ours = {cp: len(trigram_set(f"a{chr(cp)}a")) > 2 for cp in code_points}
    # The one known difference there (module docstring): U+0345, Unicode Alphabetic, which unicodedata cannot tell.
    assert {cp for cp in code_points if ours[cp] != postgres[cp]} == {0x345}
    code_points.remove(0x345)
    # The same characters inside words: equal trigrams, hashed or not, give equal scores.
    assert_same_as_postgres([(f"xa{chr(cp)}ay", f"b xa{chr(cp)}ay {chr(cp)}z") for cp in code_points])


def test_trigram_sets_are_show_trgm(db, oostende_streets):
    """For ASCII text, pg's show_trgm() lists the trigrams themselves: the same sets."""
    texts = [f"{street} {postcode} {town}" for street, postcode, town in oostende_streets[:300]]
    texts = [t for t in texts if t.isascii()] + ["", "a", "8400", "7411 ab", "o.l.vrouw-straat", "de de de"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm(t) FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n", [texts])
        postgres = [frozenset(row[0]) for row in cursor.fetchall()]
    assert [trigram_set(t) for t in texts] == postgres


def test_long_text(db, oostende_streets):
    """Past 4,096 trigrams two ratios can be equal as float4 and different as doubles: pg's float4 arithmetic
    decides, and the C walk does the same arithmetic."""
    rnd = random.Random(3)
    long_text = " ".join(street for street, _, _ in rnd.sample(oostende_streets, 300))
    assert len(trigrams(long_text)) > 4096
    queries = ["kerkstraat", "sint-petrusstraat 8400", "zeedijk", "aa"]
    assert_same_as_postgres([(q, long_text) for q in queries])


def test_hand_checked_values():
    # The example of PostgreSQL's documentation: the stretch "  w" " wo" "wor" "ord" of "words" holds 4 of the
    # query's 5 trigrams and nothing else: 4 / (5 + 4 - 4).
    assert word_similarity("word", "two words") == f4(0.8)
    assert similarity("word", "two words") == f4(4 / 11)
    assert word_similarity("kerkstraat", "kerkstraat 8400 oostende") == 1.0
    assert similarity("kerkstraat", "kerkstraat") == 1.0
    assert similarity("", "") == 0.0 and word_similarity("", "kerkstraat") == 0.0
    assert word_similarity("kerkstraat", "") == 0.0 and similarity("-", "kerkstraat") == 0.0
    # Not symmetric: the first argument is the query.
    assert word_similarity("kerk", "kerkstraat") == f4(4 / 5)  # the stretch "  k" " ke" "ker" "erk"; "rk " misses
    assert word_similarity("kerkstraat", "kerk") == f4(4 / 11)  # those 4 of the query's 11
    # Returned values are exactly float4: a Python float equal to numpy's float32. Here the best stretch stops
    # before "raa": 15 trigrams, all the query's, of its 17 ("rat" and "at " are missing).
    value = word_similarity("sint-petrusstrat", "sint-petrusstraat 8400 oostende")
    assert value == f4(value) == f4(15 / 17)
    # psycopg reads a float4 column as text, the shortest decimal that reads back as the float4: as_fetched.
    assert value == 0.8823529481887817 and as_fetched(value) == 0.88235295


def test_trigrams_in_generation_order():
    assert trigrams("kerk") == ["  k", " ke", "ker", "erk", "rk "]
    assert trigrams("a") == ["  a", " a "]
    # Words are split on everything that is not a letter or digit, and no trigram spans two words.
    assert trigrams("sint-petrus") == [
        "  s",
        " si",
        "sin",
        "int",
        "nt ",
        "  p",
        " pe",
        "pet",
        "etr",
        "tru",
        "rus",
        "us ",
    ]
    assert trigrams("d'hondt  8") == ["  d", " d ", "  h", " ho", "hon", "ond", "ndt", "dt ", "  8", " 8 "]
    assert trigrams("Kerk") == trigrams("kerk")  # lower-cased as pg does
    assert trigrams("de de") == ["  d", " de", "de ", "  d", " de", "de "]  # duplicates kept, in order
    assert trigram_set("de de") == frozenset({"  d", " de", "de "})
    assert trigrams("") == trigrams(" - ") == []


def test_word_similarity_is_pgs_greedy_search_not_the_best_stretch(db):
    """pg's lower bound only moves forward, so with repeated trigrams it can miss the best stretch; the
    in-memory version must miss it in the same way. The best stretch of the first pair scores 6/13. And of
    equally good lower bounds pg keeps the first (a strict >): taking the last gives 3/8 and 1/3 for the last two.
    Street names showed neither effect in 5,000 and 100,000 random pairs tried; repetitive strings do."""
    cases = [
        ("bbb aab", "baa    aabb aa ab", 5 / 11),
        ("aaba", "ba bb b baaabb bb a", 2 / 9),
        ("bcbcacc", "bacbcbcabacacccbc", 5 / 12),
        ("bbccb", " bcbccbcb", 4 / 9),
        ("abb b", " bb bba b bba a", 4 / 9),
    ]
    for query, text, expected in cases:
        assert word_similarity(query, text) == f4(expected)
    assert_same_as_postgres([(query, text) for query, text, _ in cases])


def test_repetitive_strings_against_postgres(db, oostende_streets):
    """Strings made of few letters repeat trigrams everywhere, which is where pg's greedy walk is delicate
    (lastpos, the lower bound that only moves forward): thousands of them, and typed streets inside other texts."""
    rnd = random.Random(11)
    alphabet = "ab ds"
    pairs = [
        (
            "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 9))),
            "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 25))),
        )
        for _ in range(2000)
    ]
    for _ in range(1000):
        (a, p, t), (b, q, u) = rnd.sample(oostende_streets, 2)
        pairs.append((rnd.choice(_typos(rnd, a)), f"{b} {a} {p} {t}"))
    assert_same_as_postgres(pairs)


def test_the_c_walk_refuses_what_it_cannot_read():
    """Wrong arrays give a Python exception, never a crash or a read outside them."""
    u32 = lambda *v: np.array(v, dtype=np.uint32)  # noqa: E731
    assert _trgm.word_similarity(u32(0, 1), 2, u32(0, 1, 2), 3) == 1.0
    with pytest.raises(TypeError, match="4-byte unsigned"):
        _trgm.word_similarity(np.array([0, 1], dtype=np.int64), 2, u32(0, 1), 3)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        _trgm.word_similarity(u32(0, 7), 2, u32(0, 1), 3)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        _trgm.word_similarity(u32(0), 1, u32(0, 9), 3)
    with pytest.raises(ValueError, match="ulen1"):
        _trgm.word_similarity(u32(0, 1), 1, u32(0, 1), 3)
    # A store of two texts, [0 1 2] and [1]; the query holds 0 and 1 of its 2 trigrams.
    store, starts = u32(0, 1, 2, 1), np.array([0, 3, 4], dtype=np.int64)
    out = np.zeros(2, dtype=np.float32)
    heads, tails = np.array([-1, 1], np.int32), np.array([1, 0], np.int32)
    _trgm.word_similarities(u32(0, 1), 2, 3, store, starts, heads, tails, out)
    assert out.tolist() == [0.5, 1.0]  # [1] alone: 1 of 2; [1] + [0 1 2]: the stretch "1 0" holds both
    with pytest.raises(IndexError, match="no such store text"):
        _trgm.word_similarities(u32(0), 1, 3, store, starts, np.array([-1], np.int32), np.array([5], np.int32), out[:1])
    with pytest.raises(ValueError, match="same length"):
        _trgm.word_similarities(u32(0), 1, 3, store, starts, np.array([-1], np.int32), np.array([0], np.int32), out)
    with pytest.raises(BufferError):
        _trgm.word_similarities(u32(0), 1, 3, store, starts, np.array([-1], np.int32), np.array([0], np.int32), b"xxxx")
    # A query id outside the vocabulary once freed the scratch arrays twice (found in review).
    with pytest.raises(ValueError, match="outside the vocabulary"):
        _trgm.word_similarities(u32(5), 1, 3, store, starts, np.array([-1], np.int32), np.array([0], np.int32), out[:1])
    # Arrays in the other byte order are refused, not read as this machine's numbers.
    with pytest.raises(TypeError):
        _trgm.word_similarities(u32(0), 1, 3, store, starts, heads, tails, np.zeros(2, dtype=">f4"))
    with pytest.raises(TypeError):
        _trgm.word_similarity(np.array([0, 1], dtype=">u4"), 2, u32(0, 1), 3)
    # The scratch arrays the functions keep between calls were left as found by every refusal above.
    _trgm.word_similarities(u32(0, 1), 2, 3, store, starts, heads, tails, out)
    assert out.tolist() == [0.5, 1.0]
    # No posting lists at all: every id is outside them (was a read outside the starts).
    with pytest.raises(ValueError, match="without a posting list"):
        _trgm.count_hits(np.array([], np.int32), np.array([], np.int64), u32(100_000_000), np.zeros(1, np.int32))
    hits = np.zeros(2, dtype=np.int32)
    assert _trgm.count_hits(np.array([0, 1, 1], np.int32), np.array([0, 2, 3], np.int64), u32(0, 1), hits) == 2
    assert hits.tolist() == [1, 2]
    with pytest.raises(IndexError):
        _trgm.count_hits(np.array([0, 5], np.int32), np.array([0, 2], np.int64), u32(0), hits)


def test_first_at_least_is_bisect_left_over_the_texts():
    """The exact path's binary search: what bisect.bisect_left gives over the same sorted byte strings, for keys
    inside, between, before and after them, prefixes included."""
    import bisect

    rnd = random.Random(5)
    texts = sorted({"".join(rnd.choice("ab ") for _ in range(rnd.randrange(0, 6))).encode() for _ in range(300)})
    buffer = b"".join(texts)
    starts = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
    keys = [b"", b"a", b"ab", b"b ", b"bbbbbbb", b"\xff", *texts, *(t + b"!" for t in texts[:50])]
    for key in keys:
        assert _trgm.first_at_least(buffer, starts, key) == bisect.bisect_left(texts, key), key
    assert _trgm.first_at_least(b"", np.zeros(1, dtype=np.int64), b"a") == 0  # no texts at all
    with pytest.raises(ValueError, match="outside the buffer"):
        _trgm.first_at_least(b"abc", np.array([0, 9], dtype=np.int64), b"a")


def test_the_row_selections_refuse_what_they_cannot_read():
    """similarities, street_rows, exact_rows and postcode_rows: wrong arrays give a Python exception, never a read
    outside."""
    u32 = lambda *v: np.array(v, dtype=np.uint32)  # noqa: E731
    i32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    store, starts = u32(0, 1, 2, 1, 1), i64(0, 3, 5)  # texts [0 1 2] and [1 1]
    out = np.zeros(2, dtype=np.float32)
    _trgm.similarities(u32(0, 1), 2, 3, store, starts, i32(0, 1), out)
    assert out.tolist() == [f4(2 / 3), 0.5]  # {0 1} vs {0 1 2}: 2 of 3; vs {1}: 1 of 2
    with pytest.raises(IndexError, match="no such store text"):
        _trgm.similarities(u32(0), 1, 3, store, starts, i32(0, 2), out)
    with pytest.raises(ValueError, match="same length"):
        _trgm.similarities(u32(0), 1, 3, store, starts, i32(0), out)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        _trgm.similarities(u32(7), 1, 3, store, starts, i32(0), out[:1])

    # One street at place 0 with rows 0-2 (house numbers 0, 1, 1; boxes 0, 0, 1), chosen once.
    place_start, houses, boxes, ids, order = i64(0, 3), i32(0, 1, 1), i32(0, 0, 1), i64(10, 11, 12), i32(0)
    f32 = lambda *v: np.array(v, dtype=np.float32)  # noqa: E731
    rows, chosen, match = (np.zeros(2, dtype=np.int32) for _ in range(3))

    def street_rows(places, number_houses, number_boxes, typed, limit=2, **changed):
        arrays = {"place_start": place_start, "houses": houses, "boxes": boxes, "ids": ids, "order": order}
        arrays.update(changed)
        return _trgm.street_rows(
            places, f32(*[0.5] * len(places)), f32(*[0.5] * len(places)), arrays["place_start"],
            arrays["houses"], arrays["boxes"], arrays["ids"], arrays["order"], number_houses, number_boxes, typed,
            limit, rows, chosen, match,
        )  # fmt: skip

    # Number 1 with box 1 typed: row 2 first (matching), then the street's first row.
    assert street_rows(i64(0), i32(1), i32(1), i32()) == 2
    assert rows.tolist() == [2, 0] and match.tolist() == [1, 0] and chosen.tolist() == [0, 0]
    assert street_rows(i64(-1), i32(1), i32(-1), i32()) == 0  # a street without addresses offers none
    with pytest.raises(IndexError, match="no such place"):
        street_rows(i64(1), i32(), i32(), i32())
    with pytest.raises(IndexError, match="no such place"):
        street_rows(i64(0), i32(), i32(), i32(), place_start=i64(0, 9))
    with pytest.raises(ValueError, match="mismatched"):
        street_rows(i64(0), i32(1), i32(), i32())
    with pytest.raises(ValueError, match="mismatched"):
        street_rows(i64(0), i32(), i32(), i32(), limit=3)  # more than the outputs hold

    texts = [b"a 1 x", b"a 1 y", b"b 2 z"]
    buffer, text_start = b"".join(texts), i64(0, 5, 10, 15)

    def exact_rows(postcode=-2, town=None, ulen1=-1, limit=2, **changed):
        arrays = {"text_start": text_start, "text_rows": i32(0, 1, 2), "places": i32(0, 1, 1)}
        arrays.update(changed)
        return _trgm.exact_rows(
            buffer, arrays["text_start"], arrays["text_rows"], b"a 1 ", b"a 1!", arrays["places"],
            arrays.get("place_postcodes", i32(5, 6)), postcode, u32() if town is None else town, ulen1, 3, store,
            starts, i32(0, 1), 0.5, i32(1, 0), boxes, ids, limit, rows,
        )  # fmt: skip

    assert exact_rows() == 2 and rows.tolist() == [1, 0]  # place 1 before place 0 in place_order
    assert exact_rows(postcode=5) == 1 and rows[0] == 0
    assert exact_rows(postcode=-1) == 0  # a postcode the register does not hold
    # Town texts [0 1 2] (place 0) and [1 1] (place 1): a town of trigram 0 is place 0's alone; with a second
    # trigram the register does not hold, 1 of 2 still reaches the threshold (0.5); with two more, not.
    assert exact_rows(town=u32(0), ulen1=1) == 1 and rows[0] == 0
    assert exact_rows(town=u32(0), ulen1=2) == 1 and rows[0] == 0
    assert exact_rows(town=u32(0), ulen1=3) == 0
    with pytest.raises(IndexError, match="no such row"):
        exact_rows(text_rows=i32(0, 7, 2))
    with pytest.raises(IndexError, match="no such row"):
        exact_rows(places=i32(0, 9, 1))
    with pytest.raises(ValueError, match="outside the buffer"):
        exact_rows(text_start=i64(0, 5, 99, 15))
    with pytest.raises(ValueError, match="mismatched"):
        exact_rows(text_rows=i32(0, 1))
    with pytest.raises(ValueError, match="mismatched"):
        exact_rows(limit=5)
    with pytest.raises(ValueError, match="ulen1"):
        exact_rows(town=u32(0, 1), ulen1=1)
    with pytest.raises(ValueError, match="mismatched"):
        exact_rows(place_postcodes=i32(5, 6, 7))

    # Postcodes 0 (rows 2, 0) and 1 (row 1); rows: house numbers 0, 1, 1, boxes 0, 0, 1, ids 10, 11, 12.
    matches = np.zeros(2, dtype=np.uint8)

    def postcode_rows(postcodes, house_number=-2, numbers=(), boxes_=(), limit=2, **changed):
        arrays = {"by_postcode": i32(2, 0, 1), "start": i64(0, 2, 3), "ids": ids}
        arrays.update(changed)
        return _trgm.postcode_rows(
            arrays["by_postcode"], arrays["start"], postcodes, houses, boxes, arrays["ids"], house_number,
            i32(*numbers), i32(*boxes_), limit, rows, matches,
        )  # fmt: skip

    # No number typed: by house number, box, id; the matching (number 1, box 1) first when asked.
    assert postcode_rows(i32(0)) == 2 and rows.tolist() == [0, 2] and matches.tolist() == [0, 0]
    assert postcode_rows(i32(0), numbers=(1,), boxes_=(1,)) == 2 and rows.tolist() == [2, 0]
    assert matches.tolist() == [1, 0]
    assert postcode_rows(i32(0, 1), house_number=1, numbers=(1,), boxes_=(0,)) == 2 and rows.tolist() == [1, 2]
    assert postcode_rows(i32(0, 1), house_number=-1) == 0  # a house number the register does not hold
    assert postcode_rows(i32()) == 0
    with pytest.raises(IndexError, match="no such postcode"):
        postcode_rows(i32(2))
    with pytest.raises(IndexError, match="no such postcode"):
        postcode_rows(i32(0), start=i64(0, 5, 3))
    with pytest.raises(IndexError, match="no such row"):
        postcode_rows(i32(0), by_postcode=i32(2, 7, 1))
    with pytest.raises(ValueError, match="mismatched"):
        postcode_rows(i32(0), limit=3)
    with pytest.raises(ValueError, match="mismatched"):
        postcode_rows(i32(0), ids=i64(10, 11))
    with pytest.raises(ValueError, match="shares memory"):
        _trgm.postcode_rows(
            i32(2, 0, 1), i64(0, 2, 3), i32(0), houses, boxes, ids, -2, i32(), i32(), 2, rows, rows.view(np.uint8)
        )


def _can_reach(nh, ph, th, pd, ratio, ulen1, with_sizes) -> bool:
    """find_holding's bound, written out: a street holding nh, ph and th of the query's trigrams in its name,
    postcode (of pd distinct trigrams) and town."""
    minimum = ratio * ulen1
    if nh + ph + th < minimum:
        return False
    if not with_sizes or pd == 0 or nh + ph >= minimum or ph + th >= minimum:
        return True
    return nh + ph + th >= ratio * (ulen1 + pd - ph)


def test_holding_finds_every_street_that_can_reach_the_minimum():
    """The typo path's candidate streets: those whose name, postcode and town hold enough of the query's trigrams
    for some stretch of their text to reach the ratio, against a brute-force model over random registers (with and
    without the postcodes' sizes); and wrong arrays are refused."""
    rnd = random.Random(3)
    kept_by_sizes = 0
    for _ in range(600):
        n_names, n_postcodes, n_towns, n = rnd.randrange(1, 6), rnd.randrange(1, 4), rnd.randrange(1, 4), 30
        name = [rnd.randrange(n_names) for _ in range(n)]
        postcode = [rnd.randrange(n_postcodes) for _ in range(n)]
        town = [rnd.randrange(n_towns) for _ in range(n)]
        name_hits = np.array([rnd.randrange(8) for _ in range(n_names)], dtype=np.int32)
        postcode_hits = np.array([rnd.randrange(3) for _ in range(n_postcodes)], dtype=np.int32)
        town_hits = np.array([rnd.randrange(6) for _ in range(n_towns)], dtype=np.int32)
        sizes = np.array([rnd.choice([0, h, h + 1, h + 5]) for h in postcode_hits], dtype=np.int32)
        ratio, ulen1 = rnd.choice([0.0, 0.4, 0.6 - 1e-6, 0.6, 1.0]), rnd.randrange(0, 14)
        hits = [
            (name_hits[name[s]], postcode_hits[postcode[s]], town_hits[town[s]], sizes[postcode[s]]) for s in range(n)
        ]
        by_name = np.argsort(name, kind="stable").astype(np.int32)
        name_start = np.searchsorted(np.array(name)[by_name], np.arange(n_names + 1)).astype(np.int64)
        for with_sizes in (False, True):
            out = np.empty(n, dtype=np.int32)
            found = _trgm.holding(
                ratio, ulen1, int(postcode_hits.max() + town_hits.max()), name_hits, name_start, by_name,
                np.array(postcode, np.int32)[by_name], postcode_hits, np.array(town, np.int32)[by_name], town_hits,
                sizes if with_sizes else None, out,
            )  # fmt: skip
            expected = sorted(s for s in range(n) if _can_reach(*hits[s], ratio, ulen1, with_sizes))
            assert sorted(out[:found].tolist()) == expected
        kept_by_sizes += sum(
            _can_reach(*h, ratio, ulen1, False) and not _can_reach(*h, ratio, ulen1, True) for h in hits
        )
    assert kept_by_sizes > 100  # the postcodes' sizes do leave streets out
    i32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731

    def holding(most_rest=0, name_start=None, postcodes=None, out=None, sizes=None, ulen1=1):
        return _trgm.holding(
            1.0, ulen1, most_rest, i32(1), np.array([0, 1] if name_start is None else name_start, np.int64), i32(0),
            i32(0) if postcodes is None else postcodes, i32(0), i32(0), i32(0), sizes, i32(0) if out is None else out,
        )  # fmt: skip

    assert holding() == 1
    assert holding(sizes=i32(4)) == 1  # a name holding them all
    with pytest.raises(ValueError, match="outside the streets"):
        holding(name_start=[0, 5])
    with pytest.raises(IndexError, match="outside its hits"):
        holding(postcodes=i32(3))
    with pytest.raises(ValueError, match="mismatched"):
        holding(out=i32())
    with pytest.raises(ValueError, match="mismatched"):
        holding(sizes=i32(4, 4))
    with pytest.raises(ValueError, match="not negative"):
        holding(most_rest=-1)
    with pytest.raises(ValueError, match="not negative"):
        holding(ulen1=-1)
    # An infinite ratio (times ulen1 0: not a number) is refused, not cast to an integer.
    with pytest.raises(ValueError, match="finite"):
        _trgm.holding(
            float("inf"), 0, 0, i32(0), np.array([0, 1], np.int64), i32(0), i32(0), i32(0), i32(0), i32(0), None, i32(0)
        )


def test_holding_never_leaves_out_a_street_the_walk_scores_high_enough():
    """The bound find_holding puts on a street's stretches (name, postcode, town apart) against pg's walk itself:
    over random streets of random trigrams, every street whose word similarity reaches the threshold is kept."""
    rnd = random.Random(11)
    vocabulary, left_out = 12, 0
    i32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731
    for _ in range(4000):
        # A few words of trigram ids each: the name, the postcode ("7411 ab": two words) and the town.
        parts = [[rnd.randrange(vocabulary) for _ in range(rnd.randrange(1, 9))] for _ in range(3)]
        query = sorted(set(rnd.sample(range(vocabulary), rnd.randrange(1, 8))))
        ulen1 = len(query) + rnd.choice([0, 0, 1, 3])  # trigrams the register lacks count in ulen1 only
        held = [len(set(part) & set(query)) for part in parts]
        text = np.array(parts[0] + parts[1] + parts[2], dtype=np.uint32)
        score = _trgm.word_similarity(np.array(query, np.uint32), ulen1, text, vocabulary)
        for threshold in (0.4, 0.6):
            out = np.empty(1, dtype=np.int32)
            kept = _trgm.holding(
                threshold - 1e-6, ulen1, held[1] + held[2], i32(held[0]), np.array([0, 1], np.int64), i32(0),
                i32(0), i32(held[1]), i32(0), i32(held[2]), i32(len(set(parts[1]))), out,
            )  # fmt: skip
            if score >= threshold:
                assert kept == 1, (parts, query, ulen1, score)
            left_out += kept == 0 and held[0] + held[1] + held[2] >= threshold * ulen1
    assert left_out > 100  # streets the sum alone would have kept, and the walk does not


def test_word_similarities_of_a_head_and_a_tail_are_the_walk_over_both():
    """word_similarities scores a head alone where the tail holds none of the query's trigrams (and once for a
    run of equal heads): always what the walk over head + tail gives, on random id texts that repeat ids."""
    rnd = random.Random(8)
    vocabulary = 6
    for _ in range(400):
        texts = [[rnd.randrange(vocabulary) for _ in range(rnd.randrange(0, 8))] for _ in range(6)]
        store = np.array([i for text in texts for i in text], dtype=np.uint32)
        starts = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
        query = sorted(rnd.sample(range(vocabulary), rnd.randrange(0, 4)))
        ulen1 = len(query) + rnd.randrange(0, 3)  # trigrams the texts do not hold count too
        heads = sorted(rnd.randrange(-1, 6) for _ in range(10))  # runs of equal heads
        tails = [rnd.randrange(6) for _ in range(10)]
        out = np.zeros(10, dtype=np.float32)
        _trgm.word_similarities(
            np.array(query, np.uint32), ulen1, vocabulary, store, starts, np.array(heads, np.int32),
            np.array(tails, np.int32), out,
        )  # fmt: skip
        for h, t, got in zip(heads, tails, out.tolist(), strict=True):
            text = (texts[h] if h >= 0 else []) + texts[t]
            want = _trgm.word_similarity(np.array(query, np.uint32), ulen1, np.array(text, np.uint32), vocabulary)
            assert got == want, (query, ulen1, texts[h] if h >= 0 else None, texts[t])


def test_similar_streets_refuses_what_it_cannot_read_and_answers_right_after():
    """The typo path's streets in one call, on a register of one street (name [0 1], "postcode town" [2]); the
    scratch arrays it keeps between calls are left as found when a call fails, so the next answers right."""
    u32 = lambda *v: np.array(v, dtype=np.uint32)  # noqa: E731
    i32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    out = (np.zeros(12, np.int32), np.zeros(12, np.float32), np.zeros(12, np.float32))

    def similar_streets(street=None, name_postings=None, words=None, ulen1=2, postcode_sizes=None):
        street = u32(0, 1) if street is None else street
        name_postings = i32(0, 0) if name_postings is None else name_postings
        return _trgm.similar_streets(
            street, ulen1, street if words is None else words, ulen1 if words is None else 4, 3,
            u32(0, 1, 2), i64(0, 2, 3), i32(0), i32(1), i32(0), i64(7),
            name_postings, i64(0, 1, 2, 2), 1, i32(), i64(0, 0, 0, 0), 1, i32(0), i64(0, 0, 0, 1),
            i64(0, 1), i32(0), i32(0), i32(0), i32(0) if postcode_sizes is None else postcode_sizes,
            0.6, 0.4, 1e-6, 12, *out,
        )  # fmt: skip

    assert similar_streets() == 1 and out[0][0] == 0 and out[1][0] == 1.0 and out[2][0] == 1.0
    # The words "0 1 2" and a trigram the register lacks: 3 of 4 over the whole text.
    assert similar_streets(words=u32(0, 1, 2)) == 1 and out[1][0] == f4(3 / 4)
    # Only the town holds it: the street is found through its town's hits (its name holds none), as in pg.
    assert similar_streets(street=u32(2), ulen1=1) == 1 and out[1][0] == 1.0 and out[2][0] == 0.0
    with pytest.raises(IndexError, match="outside out"):
        similar_streets(name_postings=i32(0, 5))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        similar_streets(words=u32(0, 9))
    with pytest.raises(ValueError, match="ulen1"):
        similar_streets(ulen1=1)
    with pytest.raises(ValueError, match="mismatched"):
        similar_streets(postcode_sizes=i32(0, 0))
    assert similar_streets() == 1 and out[1][0] == 1.0 and out[2][0] == 1.0


def test_what_review_broke_is_refused():
    """Inputs a review of the C code used to break it (memory shared between an output and an input, sizes that
    overflowed or would have kept gigabytes, counts at INT32_MAX): each is now a Python exception."""
    u32 = lambda *v: np.array(v, dtype=np.uint32)  # noqa: E731
    i32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    shared = np.zeros(1, np.int32)  # an output that is also an input: checked, then overwritten
    with pytest.raises(ValueError, match="shares memory"):
        _trgm.count_hits(shared, i64(0, 1), u32(0), shared)
    query = u32(0, 1)
    with pytest.raises(ValueError, match="shares memory"):
        _trgm.word_similarities(query, 2, 3, u32(0, 1, 2), i64(0, 3), i32(0, 0), i32(0, 0), query.view(np.float32))
    with pytest.raises(OverflowError):
        _trgm.count_hits(i32(0), i64(0, 1), u32(0), i32(2**31 - 1))
    with pytest.raises(ValueError, match="ulen1"):
        _trgm.word_similarity(u32(0), 2**31 - 1, u32(0), 1)
    with pytest.raises(ValueError, match="vocabulary"):
        _trgm.similarities(u32(), 0, 300_000_000, u32(), i64(0), i32(), np.zeros(0, np.float32))
    out = np.zeros(12, np.int32), np.zeros(12, np.float32), np.zeros(12, np.float32)
    with pytest.raises(ValueError, match="out of range"):
        _trgm.similar_streets(
            u32(0), 1, u32(0), 1, 3, u32(0, 1, 2), i64(0, 2, 3), i32(0), i32(1), i32(0), i64(7), i32(0),
            i64(0, 1, 1, 1), 2**62 - 1, i32(), i64(0, 0, 0, 0), 1, i32(), i64(0, 0, 0, 0), i64(0, 1), i32(0),
            i32(0), i32(0), i32(0), 0.6, 0.4, 1e-6, 12, *out,
        )  # fmt: skip
    with pytest.raises(ValueError, match="not a number"):
        _trgm.exact_rows(
            b"a 1", i64(0, 3), i32(0), b"a 1", b"a 1!", i32(0), i32(0), -2, u32(), -1, 1, u32(), i64(0), i32(0),
            float("nan"), i32(0), i32(0), i64(1), 1, i32(0),
        )  # fmt: skip
