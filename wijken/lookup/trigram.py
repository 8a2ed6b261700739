"""pg_trgm's ``similarity()`` and ``word_similarity()`` in Python, value for value.

Why: the address search ranks its street candidates by ``word_similarity(query, search_text)`` and
``similarity(street, typed street)``. To rank them in memory instead of in PostgreSQL, without changing a single
answer, the scores must be the very float4 values PostgreSQL 15 computes, ties included. This module follows
contrib/pg_trgm/trgm_op.c of PostgreSQL 15 step by step (generate_trgm_only, make_trigrams, generate_trgm,
cnt_sml with DIVUNION, calc_word_similarity); its walk, iterate_word_similarity without the STRICT and
CHECK_ONLY flags, is transcribed line for line in C (_trgm.c), float4 arithmetic included.
tests/wijken/test_trigram.py compares both functions with the real PostgreSQL on thousands of pairs.

How pg_trgm sees a string (the defaults of trgm.h: KEEPONLYALNUM, IGNORECASE, LPADDING 2, RPADDING 1):

- It is lower-cased, then cut into words: maximal runs of alphanumeric characters (t_isalpha or t_isdigit under
  the database's LC_CTYPE, C.UTF-8 here). Everything else (blanks, '-', "'", '.', '/', ...) only separates
  words, so "sint-petrusstraat" is the two words "sint" and "petrusstraat".
- Each word is padded with two blanks in front and one behind, and gives the trigrams of that padded word:
  "kerk" -> "  k", " ke", "ker", "erk", "rk ". A word of n characters gives n + 1 trigrams; no trigram spans two
  words.
- similarity() uses the sorted, deduplicated set of trigrams; word_similarity() uses the trigrams in generation
  order, duplicates kept, because it looks for a stretch of consecutive trigrams of the second string that
  matches the first well (greedily: pg's lower bound only moves forward, see _trgm.c).

Trigrams are the 3-character Python strings themselves (numbered for the C functions).
PostgreSQL stores a trigram of three single-byte
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
import unicodedata
from array import array
from functools import lru_cache
from operator import itemgetter

import numpy as np

from . import _trgm

__all__ = [
    "as_fetched",
    "similarity",
    "trigram_set",
    "trigrams",
    "word_similarity",
]

_ASCII_WORDS = re.compile(r"[a-z0-9]+")


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
    """pg_trgm's ``similarity(a, b)``: shared distinct trigrams over the union of both sets, as float4 (computed
    in C, _trgm.similarities, as the address index computes it).

    Symmetric; 0.0 when either string has no trigram (cnt_sml's guard against 0/0).
    """
    query_ids, ulen1, text_ids, vocabulary = _as_ids(a, b)
    out = array("f", [0.0])
    _trgm.similarities(query_ids, ulen1, vocabulary, text_ids, array("q", [0, len(text_ids)]), array("i", [0]), out)
    return out[0]


def word_similarity(a: str, b: str) -> float:
    """pg_trgm's ``word_similarity(a, b)``: how well the typed query ``a`` matches the best stretch of ``b``.

    Not symmetric: ``a`` is the query, ``b`` the longer text (a street's search_text), as in PostgreSQL. pg's
    walk over the text (iterate_word_similarity) runs in C, on trigram ids (_trgm.c); the address index calls
    it directly, on the ids of its own vocabulary, to score many texts at once.
    """
    query_ids, ulen1, text_ids, vocabulary = _as_ids(a, b)
    return _trgm.word_similarity(query_ids, ulen1, text_ids, vocabulary)


def _as_ids(a: str, b: str) -> tuple[array, int, array, int]:
    """The trigrams of query ``a`` and text ``b`` as ids for _trgm: the query's distinct ids that occur in the
    text (the others match nothing), how many distinct trigrams the query has, the text's ids in generation order,
    and how many ids there are."""
    ids: dict[str, int] = {}
    text_ids = array("I", [ids.setdefault(t, len(ids)) for t in trigrams(b)])
    query = trigram_set(a)
    return array("I", [ids[t] for t in query if t in ids]), len(query), text_ids, len(ids)


@lru_cache(maxsize=65536)  # a float4 score has few values (ratios of small counts), and numpy's repr is slow
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
