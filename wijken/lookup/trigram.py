"""pg_trgm's ``similarity()`` and ``word_similarity()`` in Python, value for value.

Why: the address search ranks its street candidates by ``word_similarity(query, search_text)`` and
``similarity(street, typed street)``. To rank them in memory instead of in PostgreSQL, without changing a single
answer, the scores must be the very float4 values PostgreSQL 15 computes, ties included. This module follows
contrib/pg_trgm/trgm_op.c of PostgreSQL 15 step by step (generate_trgm_only, make_trigrams, generate_trgm,
cnt_sml with DIVUNION, calc_word_similarity, make_positional_trgm, iterate_word_similarity without the STRICT
and CHECK_ONLY flags); tests/wijken/test_trigram.py compares it with the real PostgreSQL on thousands of pairs.

How pg_trgm sees a string (the defaults of trgm.h: KEEPONLYALNUM, IGNORECASE, LPADDING 2, RPADDING 1):

- It is lower-cased, then cut into words: maximal runs of alphanumeric characters (t_isalpha or t_isdigit under
  the database's LC_CTYPE, C.UTF-8 here). Everything else (blanks, '-', "'", '.', '/', ...) only separates
  words, so "sint-petrusstraat" is the two words "sint" and "petrusstraat".
- Each word is padded with two blanks in front and one behind, and gives the trigrams of that padded word:
  "kerk" -> "  k", " ke", "ker", "erk", "rk ". A word of n characters gives n + 1 trigrams; no trigram spans two
  words.
- similarity() uses the sorted, deduplicated set of trigrams; word_similarity() uses the trigrams in generation
  order, duplicates kept, because it looks for a stretch of consecutive trigrams of the second string that
  matches the first well (greedily: see _iterate_word_similarity).

Trigrams are the 3-character Python strings themselves. PostgreSQL stores a trigram of three single-byte
characters as those bytes, but one with a multibyte character (é, ß, ...) as 3 bytes of a CRC32 of it
(compact_trigram). Only equality of trigrams matters to both functions, so strings give the same results, except
in the astronomically rare case of two different multibyte trigrams whose CRCs share their 3 bytes (pg would
count them as one). The order trigrams are sorted in never changes a result.

Character classes outside ASCII: glibc (C.UTF-8, the database's LC_CTYPE) counts Unicode's Alphabetic property
and decimal digits as alphanumeric; Python's unicodedata has no Alphabetic, so this module takes ``str.isalnum()``
without category No (superscripts, fractions: '²', '½' separate words in PostgreSQL). That equals PostgreSQL for
every character of the Latin blocks (U+0080-U+024F), the combining diacritics (U+0300-U+036F, separators in both)
except U+0345 (a Greek combining mark pg keeps in words) and general punctuation (U+2000-U+206F); it also
differs for the combining vowel signs of Hebrew, Arabic and Indic scripts and for circled letters, which are
Alphabetic. The callers unaccent first, so in practice the input is ASCII, where the classification is exactly
PostgreSQL's (tests/wijken/test_trigram.py checks these ranges against the database).
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter

import numpy as np

__all__ = [
    "as_fetched",
    "similarity",
    "to_float4",
    "trigram_set",
    "trigrams",
    "word_similarity",
    "word_similarity_with",
]

_ASCII_WORDS = re.compile(r"[a-z0-9]+")

# Below this many trigrams (query's unique ones plus the text's), comparing the ratios as Python floats (doubles)
# gives exactly the decisions PostgreSQL takes on float4 values: two different fractions with denominators under
# 2**12 differ by more than 1/2**24, more than float4 rounding (at most half an ulp, 2**-25 below 1) can close,
# and equal fractions are equal in both. Longer input goes to the literal float4 transcription.
_EXACT_DOUBLE_LIMIT = 4096


_FLOAT4 = struct.Struct("f")


def to_float4(value: float) -> float:
    """The float4 PostgreSQL computes, as a Python float holding exactly that value (what float(numpy.float32())
    gives, twice as fast). Rounding the double quotient of two ints to float4 equals pg's float4 division
    (float4) count / (float4) n: a double has at least 2 * 24 + 2 bits, so the double rounding is innocuous."""
    return _FLOAT4.unpack(_FLOAT4.pack(value))[0]


@lru_cache(maxsize=4096)
def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and unicodedata.category(ch) != "No"


def _words(text: str) -> list[str]:
    """The words of ``text`` as find_word() cuts them, then lower-cased as lowerstr_with_len() does (towlower,
    one character to one; str.lower() differs only for 'İ', which gives 'i' plus a combining dot)."""
    if text.isascii():
        return _ASCII_WORDS.findall(text.lower())
    return "".join(ch.lower()[:1] if _is_word_char(ch) else " " for ch in text).split()


def trigrams(text: str) -> list[str]:
    """The trigrams of ``text`` in pg_trgm's generation order (generate_trgm_only), duplicates kept.

    This is what word_similarity() works on: the order decides which stretches of the text are compared with
    the query, and a repeated trigram counts once per stretch. ``trigrams("kerk")`` is
    ``["  k", " ke", "ker", "erk", "rk "]``.
    """
    out: list[str] = []
    for word in _words(text):
        length = len(word)
        cut = _CUTS[length] if length < len(_CUTS) else _cut(length)
        out += cut("  " + word + " ")
    return out


def _cut(length: int) -> itemgetter:
    """What cuts the length + 1 trigrams out of a padded word of ``length`` characters, in C (twice as fast as
    slicing in a comprehension). A word gives at least two trigrams, so the getter always returns a tuple."""
    return itemgetter(*[slice(i, i + 3) for i in range(length + 1)])


_CUTS = [None] + [_cut(length) for length in range(1, 64)]


@lru_cache(maxsize=1024)
def trigram_set(text: str) -> frozenset[str]:
    """The distinct trigrams of ``text``: what pg's show_trgm() lists (up to hashing, see the module docstring),
    what similarity() compares and what a GIN trigram index holds.

    Cached (1,024 strings): a search scores one query against hundreds of texts, and the query's trigrams are
    then made once."""
    return frozenset(trigrams(text))


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``: shared distinct trigrams over the union of both sets, as float4.

    Symmetric; 0.0 when either string has no trigram (cnt_sml's guard against 0/0).
    """
    set1 = trigram_set(a)
    set2 = trigram_set(b)
    if not set1 or not set2:
        return 0.0
    count = len(set1 & set2)
    return to_float4(count / (len(set1) + len(set2) - count))


def word_similarity(a: str, b: str) -> float:
    """pg_trgm's ``word_similarity(a, b)``: how well the typed query ``a`` matches the best stretch of ``b``.

    Not symmetric: ``a`` is the query, ``b`` the longer text (a street's search_text), as in PostgreSQL. To
    score one query against many texts, compute the query's trigrams once and call word_similarity_with().
    """
    query = trigram_set(a)
    return word_similarity_with(query, b)


def word_similarity_with(query: frozenset[str] | set[str], text: str | Sequence[str]) -> float:
    """word_similarity() with the query's trigrams already made: ``query`` is ``trigram_set(typed query)``;
    ``text`` is the text, or its ``trigrams(text)`` list when the caller keeps those.

    Only the query's distinct trigrams matter (calc_word_similarity counts them as ulen1), so a set is enough.
    """
    trg2 = trigrams(text) if isinstance(text, str) else text
    ulen1 = len(query)
    if not ulen1 or not trg2:
        return 0.0
    if ulen1 + len(trg2) >= _EXACT_DOUBLE_LIMIT:
        return _iterate_word_similarity_float4(query, trg2)
    return to_float4(_iterate_word_similarity(query, ulen1, trg2))


def as_fetched(score: float) -> float:
    """``score`` as psycopg returns the float4 column that holds it (Django reads results as text): the shortest
    decimal that reads back as the same float4, as a double (0.88235295, not 0.8823529481887817).

    Why: the functions above return the float4's exact value, which is what PostgreSQL orders by and compares
    with thresholds (float4 >= float8 widens exactly), and orders and ties the same as the fetched values. But
    the two doubles differ, and can even round differently: round(x, 3) of word similarity 47/80 is 0.587 for
    the exact float4 and 0.588 for the fetched 0.5875. Whatever must equal what the SQL path returned (scores
    shown to people, compared with stored ones) goes through this; numpy prints the same shortest decimal as
    PostgreSQL's float4out."""
    return float(str(np.float32(score)))


def _iterate_word_similarity(query: frozenset[str] | set[str], ulen1: int, trg2: Sequence[str]) -> float:
    """iterate_word_similarity() without flags, as doubles (exact for short input, see _EXACT_DOUBLE_LIMIT).

    pg walks the text's trigrams; at each one that is also in the query (an "upper" bound) it tries every lower
    bound from the current one up to it and keeps the first that gives the highest ratio
        count / (ulen1 + ulen2 - count)
    with count the distinct query trigrams and ulen2 the distinct trigrams in the stretch [lower, upper]. The
    lower bound never moves back: a greedy search, so its result is not always the best stretch there is, and
    this function must take exactly the same steps.
    """
    found_at = [trg in query for trg in trg2]
    if True not in found_at:
        return 0.0
    # Not in pg, same result: pg counts nothing before the first trigram the query has (its lower bound is -1
    # until then), and what comes after the last one is counted but never used. Skip both.
    first = found_at.index(True)
    end = len(found_at) - found_at[::-1].index(True)
    lastpos: dict[str, int] = {}  # last position of each trigram seen since `lower` (-1: forgotten)
    lower = first
    ulen2 = count = 0
    best = 0.0
    for i in range(first, end):
        trg = trg2[i]
        if lastpos.get(trg, -1) < 0:
            ulen2 += 1
            if found_at[i]:
                count += 1
        lastpos[trg] = i
        if not found_at[i]:
            continue
        current = count / (ulen1 + ulen2 - count)
        tmp_count = count
        tmp_ulen2 = ulen2
        prev_lower = lower
        for tmp_lower in range(lower, i + 1):
            # Not in pg, same result: no later lower bound can beat `current` once tmp_count / ulen1 cannot
            # (count only falls as the bound moves up, and ulen2 >= count), so stop looking. This makes a
            # good match cost about as many steps as it has trigrams, not their square.
            if tmp_count / ulen1 <= current:
                break
            ratio = tmp_count / (ulen1 + tmp_ulen2 - tmp_count)
            if ratio > current:
                current = ratio
                ulen2 = tmp_ulen2
                lower = tmp_lower
                count = tmp_count
            tmp_trg = trg2[tmp_lower]
            if lastpos[tmp_trg] == tmp_lower:
                tmp_ulen2 -= 1
                if found_at[tmp_lower]:
                    tmp_count -= 1
        if current > best:
            best = current
        for tmp_lower in range(prev_lower, lower):
            tmp_trg = trg2[tmp_lower]
            if lastpos[tmp_trg] == tmp_lower:
                lastpos[tmp_trg] = -1
    return best


def _iterate_word_similarity_float4(query: frozenset[str] | set[str], trg2: Sequence[str]) -> float:
    """calc_word_similarity() + iterate_word_similarity() transcribed literally, every ratio a numpy float32.

    Slow; used for input too long for the double shortcut, and by the tests as a second opinion."""
    # make_positional_trgm + qsort + the merge loop: one index per distinct trigram of either string,
    # found[j] when the query has it; ulen1 counts the query's distinct trigrams.
    merged = sorted([(t, -1) for t in query] + [(t, i) for i, t in enumerate(trg2)])
    trg2indexes = [0] * len(trg2)
    found = [False] * len(merged)
    ulen1 = 0
    j = 0
    for k, (trg, index) in enumerate(merged):
        if k > 0 and merged[k - 1][0] != trg:
            if found[j]:
                ulen1 += 1
            j += 1
        if index >= 0:
            trg2indexes[index] = j
        else:
            found[j] = True
    if merged and found[j]:
        ulen1 += 1

    f4 = np.float32
    lastpos = [-1] * len(merged)
    ulen2 = count = 0
    upper = lower = -1
    smlr_max = f4(0.0)
    for i in range(len(trg2)):
        trgindex = trg2indexes[i]
        if lower >= 0 or found[trgindex]:
            if lastpos[trgindex] < 0:
                ulen2 += 1
                if found[trgindex]:
                    count += 1
            lastpos[trgindex] = i
        if found[trgindex]:
            upper = i
            if lower == -1:
                lower = i
                ulen2 = 1
            smlr_cur = f4(count) / f4(ulen1 + ulen2 - count)
            tmp_count = count
            tmp_ulen2 = ulen2
            prev_lower = lower
            for tmp_lower in range(lower, upper + 1):
                smlr_tmp = f4(tmp_count) / f4(ulen1 + tmp_ulen2 - tmp_count)
                if smlr_tmp > smlr_cur:
                    smlr_cur = smlr_tmp
                    ulen2 = tmp_ulen2
                    lower = tmp_lower
                    count = tmp_count
                tmp_trgindex = trg2indexes[tmp_lower]
                if lastpos[tmp_trgindex] == tmp_lower:
                    tmp_ulen2 -= 1
                    if found[tmp_trgindex]:
                        tmp_count -= 1
            smlr_max = max(smlr_max, smlr_cur)
            for tmp_lower in range(prev_lower, lower):
                tmp_trgindex = trg2indexes[tmp_lower]
                if lastpos[tmp_trgindex] == tmp_lower:
                    lastpos[tmp_trgindex] = -1
    return float(smlr_max)
