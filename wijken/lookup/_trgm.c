/*
 * pg_trgm's word_similarity() and similarity() over trigram ids, and the address index's inner loops
 * (addressindex.py) that are too slow in CPython: the typo path's streets (similar_streets: posting counts, the
 * streets that can reach a threshold, their scores), and the rows the search statements of search.py select, in
 * their order (street_rows, exact_rows, postcode_rows). The smaller functions are what those are made of, callable
 * alone for the
 * tests.
 *
 * A trigram is an id (a uint32) here, given by the index's vocabulary: word_similarity() only ever asks whether
 * two trigrams are equal, so ids answer exactly what PostgreSQL's trigram bytes do. walk() is
 * iterate_word_similarity() of contrib/pg_trgm/trgm_op.c (PostgreSQL 15) without flags, line for line, float4
 * arithmetic included: tests/wijken/test_trigram.py compares it with the real PostgreSQL.
 *
 * Arrays come in through the buffer protocol (numpy arrays, bytes, array.array), checked by _arrays.h: no numpy
 * headers are needed to build this.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "_arrays.h"

/* The most trigram ids a vocabulary may have (the scratch arrays below are as long, for the life of the process;
 * the national register has about 14,000) and the most distinct trigrams a query may count (pg's ulen1; a query of
 * 200 characters has at most about 200): within these, no count below overflows an int. */
#define MAX_VOCABULARY (1 << 22)
#define MAX_ULEN1 (1 << 24)
/* The most postcodes or towns similar_streets counts hits for (kept, like the scratch arrays; about 25,600 and
 * 420 nationally). */
#define MAX_GROUPS (1 << 24)

/* pg_trgm's CALCSML: a float4 ratio, computed in float4 as PostgreSQL does. */
#define CALCSML(count, len1, len2) ((float) (count)) / ((float) ((len1) + (len2) - (count)))

/* iterate_word_similarity(trg2indexes, found, ulen1, len2, len, flags = 0, bounds = NULL). `lastpos` holds -1
 * for every trigram id on entry and is left so. */
static float
walk(const uint32_t *trg2indexes, Py_ssize_t len2, const uint8_t *found, int32_t *lastpos, int ulen1)
{
    int ulen2 = 0, count = 0, upper = -1, lower = -1;
    float smlr_cur, smlr_max = 0.0f;

    for (Py_ssize_t i = 0; i < len2; i++) {
        uint32_t trgindex = trg2indexes[i];

        /* Update last position of this trigram */
        if (lower >= 0 || found[trgindex]) {
            if (lastpos[trgindex] < 0) {
                ulen2++;
                if (found[trgindex])
                    count++;
            }
            lastpos[trgindex] = (int32_t) i;
        }

        /* Adjust upper bound if trigram is present in required substring */
        if (found[trgindex]) {
            int prev_lower, tmp_ulen2, tmp_lower, tmp_count;

            upper = (int) i;
            if (lower == -1) {
                lower = (int) i;
                ulen2 = 1;
            }
            smlr_cur = CALCSML(count, ulen1, ulen2);

            /* Also try to adjust lower bound for greater similarity */
            tmp_count = count;
            tmp_ulen2 = ulen2;
            prev_lower = lower;
            for (tmp_lower = lower; tmp_lower <= upper; tmp_lower++) {
                float smlr_tmp = CALCSML(tmp_count, ulen1, tmp_ulen2);
                uint32_t tmp_trgindex;

                if (smlr_tmp > smlr_cur) {
                    smlr_cur = smlr_tmp;
                    ulen2 = tmp_ulen2;
                    lower = tmp_lower;
                    count = tmp_count;
                }
                tmp_trgindex = trg2indexes[tmp_lower];
                if (lastpos[tmp_trgindex] == tmp_lower) {
                    tmp_ulen2--;
                    if (found[tmp_trgindex])
                        tmp_count--;
                }
            }

            smlr_max = smlr_max > smlr_cur ? smlr_max : smlr_cur;

            for (tmp_lower = prev_lower; tmp_lower < lower; tmp_lower++) {
                uint32_t tmp_trgindex = trg2indexes[tmp_lower];
                if (lastpos[tmp_trgindex] == tmp_lower)
                    lastpos[tmp_trgindex] = -1;
            }
        }
    }
    for (Py_ssize_t i = 0; i < len2; i++)
        lastpos[trg2indexes[i]] = -1;
    return smlr_max;
}

static int
check_ids(const uint32_t *ids, Py_ssize_t n, Py_ssize_t vocabulary, const char *name)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        if (ids[k] >= (uint32_t) vocabulary) {
            PyErr_Format(PyExc_ValueError, "%s: a trigram id outside the vocabulary", name);
            return 0;
        }
    }
    return 1;
}

/* --- Scratch arrays ---------------------------------------------------------------------------------------- */

/* Arrays as long as the vocabulary, kept for the life of the process so that no call allocates and clears them
 * (70-400 KB per search, nearly all of it never read, and evicting from the caches what the search needs). Each
 * user leaves them as it found them: flags 0, lastpos -1 (walk() restores it), marks below arena_mark, counts 0.
 * No function here releases the GIL, so calls never overlap and one set serves the process. */
static uint8_t *arena_found;
static int32_t *arena_lastpos;
static uint32_t *arena_seen, arena_mark;
static Py_ssize_t arena_size;

static int
arena_fit(Py_ssize_t vocabulary)
{
    size_t size = (size_t) vocabulary + 1, had = (size_t) arena_size;
    if ((Py_ssize_t) size <= arena_size)
        return 1;
    uint8_t *found = realloc(arena_found, size);
    if (found != NULL)
        arena_found = found;
    int32_t *lastpos = found ? realloc(arena_lastpos, sizeof(int32_t) * size) : NULL;
    if (lastpos != NULL)
        arena_lastpos = lastpos;
    uint32_t *seen = lastpos ? realloc(arena_seen, sizeof(uint32_t) * size) : NULL;
    if (seen == NULL) {
        PyErr_NoMemory();  /* what was grown stays grown; arena_size still says what is initialised */
        return 0;
    }
    arena_seen = seen;
    memset(arena_found + had, 0, size - had);
    memset(arena_lastpos + had, 0xff, sizeof(int32_t) * (size - had));
    memset(arena_seen + had, 0, sizeof(uint32_t) * (size - had));
    arena_size = (Py_ssize_t) size;
    return 1;
}

/* A new mark for arena_seen: above every mark in it. */
static uint32_t
next_mark(void)
{
    if (arena_mark == UINT32_MAX) {
        memset(arena_seen, 0, sizeof(uint32_t) * (size_t) arena_size);
        arena_mark = 0;
    }
    return ++arena_mark;
}

/* A query prepared for walks: its trigram ids flagged in `found` (the arena's), pg's lastpos scratch, its ulen1;
 * release() clears its flags. */
typedef struct {
    uint8_t *found;
    int32_t *lastpos;
    int ulen1;
    const uint32_t *ids;
    Py_ssize_t n_ids;
} prepared;

static void
release(prepared *q)
{
    if (q->found != NULL)
        for (Py_ssize_t k = 0; k < q->n_ids; k++)
            q->found[q->ids[k]] = 0;
    q->found = NULL;
}

static int
prepare_query(const Py_buffer *query, int ulen1, Py_ssize_t vocabulary, prepared *q)
{
    const uint32_t *ids = query->buf;
    q->ulen1 = ulen1;
    q->found = NULL;
    if (ulen1 < N_ITEMS(*query) || ulen1 > MAX_ULEN1) {
        PyErr_SetString(PyExc_ValueError, "ulen1: fewer than the query's trigrams given, or too many");
        return 0;
    }
    if (!check_ids(ids, N_ITEMS(*query), vocabulary, "query") || !arena_fit(vocabulary))
        return 0;
    for (Py_ssize_t k = 0; k < N_ITEMS(*query); k++)
        arena_found[ids[k]] = 1;
    q->found = arena_found;
    q->lastpos = arena_lastpos;
    q->ids = ids;
    q->n_ids = N_ITEMS(*query);
    return 1;
}

/* --- word_similarity ---------------------------------------------------------------------------------------- */

PyDoc_STRVAR(word_similarity_doc,
"word_similarity(query, ulen1, text, vocabulary) -> float\n\n"
"pg_trgm's word_similarity() of a query to a text, both given as trigram ids below `vocabulary` (uint32): "
"`query` the query's distinct trigrams that may occur in the text, `ulen1` the number of all its distinct "
"trigrams, `text` the text's trigrams in generation order. The float4 result, as a Python float.");

static PyObject *
word_similarity(PyObject *self, PyObject *args)
{
    static const array_spec specs[2] = {{4, 'u', 0, "query"}, {4, 'u', 0, "text"}};
    PyObject *objs[2];
    int ulen1;
    Py_ssize_t vocabulary;
    Py_buffer query, text;
    Py_buffer *views[2] = {&query, &text};
    int got = 0;
    prepared q = {0};
    float result = 0.0f;

    if (!PyArg_ParseTuple(args, "OiOn", &objs[0], &ulen1, &objs[1], &vocabulary))
        return NULL;
    if (vocabulary < 0 || vocabulary > MAX_VOCABULARY)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    if (!get_arrays(objs, views, specs, 2, &got)) goto done;
    if (check_ids(text.buf, N_ITEMS(text), vocabulary, "text") && prepare_query(&query, ulen1, vocabulary, &q)) {
        /* calc_word_similarity's guard: no trigram in either string gives 0 */
        if (ulen1 > 0 && N_ITEMS(text) > 0)
            result = walk(text.buf, N_ITEMS(text), q.found, q.lastpos, ulen1);
    }
    release(&q);

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyFloat_FromDouble((double) result));
}

static int
text_in_store(const int64_t *start, int32_t t, const Py_buffer *trigrams)
{
    return 0 <= start[t] && start[t] <= start[t + 1] && start[t + 1] <= N_ITEMS(*trigrams);
}

/* A store of texts as trigram ids: text t is ids[start[t]:start[t + 1]], every id below `vocabulary`. */
typedef struct {
    const uint32_t *ids;
    const int64_t *start;
    Py_ssize_t n_texts;
    Py_ssize_t vocabulary;
    const Py_buffer *trigrams;
} store;

/* Store text t: its ids and length, or 0 with an exception set (naming text `i` of the call). Its ids are not
 * checked against the vocabulary here: each reader checks those it reads, once (check_ids, or in its own loop). */
static int
store_text(const store *st, int32_t t, Py_ssize_t i, const uint32_t **ids, Py_ssize_t *len)
{
    if (t < 0 || t >= st->n_texts || !text_in_store(st->start, t, st->trigrams)) {
        PyErr_Format(PyExc_IndexError, "text %zd: no such store text (%d)", i, (int) t);
        return 0;
    }
    *ids = st->ids + st->start[t];
    *len = (Py_ssize_t) (st->start[t + 1] - st->start[t]);
    return 1;
}

/* Scratch space for joining a head and a tail. */
typedef struct {
    uint32_t *ids;
    Py_ssize_t capacity;
} joined;

/* word_similarity() of query q to the texts heads[k] + tails[k] for k = which[i] (i below n; which NULL: k = i),
 * into out[i]. Where the tail holds none of the query's trigrams, pg's walk finds nothing in it (a walk ends its
 * stretches at the query's trigrams; after the head it would only count others): the head alone is scored, once
 * for a run of texts with the same head. `tail_holds` (or NULL: the tails are searched): whether text i's tail holds
 * any of the query's trigrams, when the caller knows (from posting counts). */
static int
score_texts(const store *st, const prepared *q, const int32_t *heads, const int32_t *tails, const int32_t *which,
            const uint8_t *tail_holds, Py_ssize_t n, float *out, joined *scratch)
{
    int32_t last_head = -1;
    float last_head_score = 0.0f;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = which ? which[i] : i;
        int32_t h = heads[k];
        const uint32_t *head_ids = NULL, *tail_ids;
        Py_ssize_t head_len = 0, tail_len;
        if (h < -1 || (h >= 0 && !store_text(st, h, i, &head_ids, &head_len)) || !store_text(st, tails[k], i,
                                                                                            &tail_ids, &tail_len)) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_IndexError, "text %zd: no such store text (%d)", i, (int) h);
            return 0;
        }
        /* The tail's ids are checked as it is searched for the query's trigrams (or before it is walked, when the
         * caller knows it holds some); the head's when it is walked. */
        int tail_matters = h < 0 || (tail_holds != NULL && tail_holds[i]);
        if (tail_holds != NULL && tail_matters && !check_ids(tail_ids, tail_len, st->vocabulary, "trigrams"))
            return 0;
        for (Py_ssize_t j = 0; tail_holds == NULL && j < tail_len; j++) {
            if (tail_ids[j] >= (uint32_t) st->vocabulary) {
                PyErr_SetString(PyExc_ValueError, "trigrams: a trigram id outside the vocabulary");
                return 0;
            }
            if (q->found[tail_ids[j]]) {
                tail_matters = 1;
                if (!check_ids(tail_ids + j, tail_len - j, st->vocabulary, "trigrams"))
                    return 0;
                break;
            }
        }
        if (head_len && (tail_matters || h != last_head) && !check_ids(head_ids, head_len, st->vocabulary, "trigrams"))
            return 0;
        if (!tail_matters) {
            if (h != last_head) {
                last_head_score = (q->ulen1 > 0 && head_len > 0)
                                      ? walk(head_ids, head_len, q->found, q->lastpos, q->ulen1) : 0.0f;
                last_head = h;
            }
            out[i] = last_head_score;
            continue;
        }
        Py_ssize_t len = head_len + tail_len;
        if (len > scratch->capacity) {
            uint32_t *bigger = realloc(scratch->ids, sizeof(uint32_t) * (size_t) len);
            if (bigger == NULL) {
                PyErr_NoMemory();
                return 0;
            }
            scratch->ids = bigger;
            scratch->capacity = len;
        }
        if (head_len)
            memcpy(scratch->ids, head_ids, sizeof(uint32_t) * (size_t) head_len);
        if (tail_len)
            memcpy(scratch->ids + head_len, tail_ids, sizeof(uint32_t) * (size_t) tail_len);
        out[i] = (q->ulen1 > 0 && len > 0) ? walk(scratch->ids, len, q->found, q->lastpos, q->ulen1) : 0.0f;
    }
    return 1;
}

/* pg's similarity() of query q to store text t: the distinct trigrams both hold over those either holds (the
 * arena's marks tell which ids of the text were counted). */
static int
similarity_to(const store *st, const prepared *q, int32_t t, Py_ssize_t i, float *out)
{
    const uint32_t *ids;
    Py_ssize_t len;
    if (!store_text(st, t, i, &ids, &len) || !check_ids(ids, len, st->vocabulary, "trigrams"))
        return 0;
    uint32_t *seen = arena_seen, mark = next_mark();
    int len2 = 0, count = 0;
    for (Py_ssize_t k = 0; k < len; k++) {
        if (seen[ids[k]] != mark) {
            seen[ids[k]] = mark;
            len2++;
            count += q->found[ids[k]];
        }
    }
    /* cnt_sml's guard: no trigram in either string gives 0 */
    *out = (q->ulen1 > 0 && len2 > 0) ? CALCSML(count, q->ulen1, len2) : 0.0f;
    return 1;
}

/* For each id of `query`, add 1 to hits[p] for every p in its posting list postings[starts[id]:starts[id + 1]];
 * *most: the most any text it counted in holds. `touched` (or NULL): the texts whose count left 0, each once, in the
 * order they did (hits are 0 on entry), *n_touched of them; room for n_hits. */
static int
count_into(const int32_t *postings, Py_ssize_t n_postings, const int64_t *starts, Py_ssize_t n_ids,
           const uint32_t *query, Py_ssize_t n_query, int32_t *hits, Py_ssize_t n_hits, int32_t *most,
           int32_t *touched, Py_ssize_t *n_touched)
{
    *most = 0;
    if (touched)
        *n_touched = 0;
    for (Py_ssize_t k = 0; k < n_query; k++) {
        if (n_ids < 0 || (Py_ssize_t) query[k] >= n_ids) {
            PyErr_SetString(PyExc_ValueError, "query: a trigram id without a posting list");
            return 0;
        }
        int64_t from = starts[query[k]], to = starts[query[k] + 1];
        if (from < 0 || to < from || to > n_postings) {
            PyErr_SetString(PyExc_ValueError, "starts: a posting list outside the postings");
            return 0;
        }
        for (int64_t p = from; p < to; p++) {
            int32_t text = postings[p];
            if (text < 0 || text >= n_hits) {
                PyErr_SetString(PyExc_IndexError, "postings: a text outside out");
                return 0;
            }
            if (hits[text] == INT32_MAX) {
                PyErr_SetString(PyExc_OverflowError, "count_hits: a count would pass INT32_MAX");
                return 0;
            }
            if (touched && hits[text] == 0)
                touched[(*n_touched)++] = text;
            hits[text]++;
            *most = hits[text] > *most ? hits[text] : *most;
        }
    }
    return 1;
}

/* The streets by name, each with its postcode and town codes beside it (see holding). */
typedef struct {
    const int64_t *name_start;
    const int32_t *streets, *postcodes, *towns;
    Py_ssize_t n_names, n_streets;
} streets_by_name;

/* The streets whose word similarity to a query of `ulen1` distinct trigrams can reach `ratio` (a threshold less a
 * margin for float4's rounding), by how many of the query's trigrams their name, postcode and town hold: their
 * positions in the streets by name, appended to *out (grown as needed); *found counts them.
 *
 * pg's walk scores stretches of a text ending at a query trigram: count / (ulen1 + ulen2 - count), count the query's
 * distinct trigrams in the stretch and ulen2 all its distinct trigrams, so at most count / ulen1. A street's text is
 * its name, then its postcode, then its town (each a run of trigrams); it holds nh, ph and th of the query's trigrams
 * there. A stretch within the name scores at most nh / ulen1; from the name into the postcode (nh + ph) / ulen1; from
 * the postcode or town on (ph + th) / ulen1; and from the name into the town spans the whole postcode, whose other
 * pd - ph trigrams (pd = postcode_sizes[p], its distinct trigrams) add to ulen2: at most
 * (nh + ph + th) / (ulen1 + pd - ph). A street none of which reaches `ratio` cannot; without postcode_sizes (or where
 * pd is 0: a text not split into name, postcode and town) only nh + ph + th is compared.
 *
 * Only the names holding at least ratio * ulen1 less `most_rest` (the most any postcode and town hold together) are
 * visited: the fewest hits a name needs is an integer, and comparing integers is what makes that loop cheap.
 * `touched` (or NULL): the names holding any of the trigrams (count_into's), n_touched of them; when a name needs
 * at least one, only those are looked at (a third of the names, typically), in that order, else all in name order. */
static int
find_holding(const streets_by_name *by, double ratio, int ulen1, int64_t most_rest, const int32_t *name_hits,
             const int32_t *postcode_hits, Py_ssize_t n_postcodes, const int32_t *town_hits, Py_ssize_t n_towns,
             const int32_t *postcode_sizes, const int32_t *touched, Py_ssize_t n_touched, int32_t **out,
             Py_ssize_t *capacity, Py_ssize_t *found)
{
    if (!isfinite(ratio) || most_rest < 0 || ulen1 < 0) {
        PyErr_SetString(PyExc_ValueError, "holding: ratio must be a finite number, ulen1 and most_rest not negative");
        return 0;
    }
    double minimum = ratio * (double) ulen1;
    double needed = ceil(minimum - (double) most_rest);
    int32_t least = needed <= 0 ? 0 : (needed >= INT32_MAX ? INT32_MAX : (int32_t) needed);
    *found = 0;
    int visit_touched = touched != NULL && least > 0;
    Py_ssize_t n_visits = visit_touched ? n_touched : by->n_names;
    for (Py_ssize_t j = 0; j < n_visits; j++) {
        Py_ssize_t k = visit_touched ? touched[j] : j;
        if (k < 0 || k >= by->n_names) {
            PyErr_SetString(PyExc_IndexError, "holding: a touched name outside the names");
            return 0;
        }
        if (name_hits[k] < least)
            continue;
        int64_t from = by->name_start[k], to = by->name_start[k + 1];
        if (from < 0 || to < from || to > by->n_streets) {
            PyErr_SetString(PyExc_ValueError, "holding: a name's streets outside the streets");
            return 0;
        }
        int64_t nh = name_hits[k];
        for (int64_t i = from; i < to; i++) {
            int32_t p = by->postcodes[i], t = by->towns[i];
            if (p < 0 || p >= n_postcodes || t < 0 || t >= n_towns) {
                PyErr_Format(PyExc_IndexError, "street %lld: a code outside its hits", (long long) i);
                return 0;
            }
            int64_t ph = postcode_hits[p], th = town_hits[t];
            if ((double) (nh + ph + th) < minimum)
                continue;
            if (postcode_sizes != NULL && postcode_sizes[p] > 0 && (double) (nh + ph) < minimum
                && (double) (ph + th) < minimum) {
                int64_t others = postcode_sizes[p] > ph ? postcode_sizes[p] - ph : 0;
                if ((double) (nh + ph + th) < ratio * (double) (ulen1 + others))
                    continue;
            }
            if (*found == *capacity) {
                Py_ssize_t bigger_capacity = *capacity ? 2 * *capacity : 1024;
                int32_t *bigger = realloc(*out, sizeof(int32_t) * (size_t) bigger_capacity);
                if (bigger == NULL) {
                    PyErr_NoMemory();
                    return 0;
                }
                *out = bigger;
                *capacity = bigger_capacity;
            }
            (*out)[(*found)++] = (int32_t) i;
        }
    }
    return 1;
}

/* --- word_similarities: one query against many texts -------------------------------------------------------- */

PyDoc_STRVAR(word_similarities_doc,
"word_similarities(query, ulen1, vocabulary, trigrams, starts, heads, tails, out) -> None\n\n"
"word_similarity() of one query to many texts, into `out` (float32). A store holds texts as trigram ids: text t "
"is trigrams[starts[t]:starts[t + 1]] (uint32; starts int64). Text i is store text heads[i] followed by store "
"text tails[i] (int32; a head of -1: the tail alone). Where the tail holds none of the query's trigrams, pg's walk "
"finds nothing in it: the head alone is scored, once for a run of texts with the same head.");

static PyObject *
word_similarities(PyObject *self, PyObject *args)
{
    PyObject *objs[6];
    int ulen1;
    Py_ssize_t vocabulary;
    Py_buffer query, trigrams, starts, heads, tails, out;
    Py_buffer *views[6] = {&query, &trigrams, &starts, &heads, &tails, &out};
    int got = 0;
    prepared q = {0};
    joined scratch = {0};

    if (!PyArg_ParseTuple(args, "OinOOOOO", &objs[0], &ulen1, &vocabulary, &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5]))
        return NULL;
    if (vocabulary < 0 || vocabulary > MAX_VOCABULARY)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    static const array_spec specs[6] = {{4, 'u', 0, "query"}, {4, 'u', 0, "trigrams"}, {8, 'i', 0, "starts"},
                                        {4, 'i', 0, "heads"},  {4, 'i', 0, "tails"},    {4, 'f', 1, "out"}};
    if (!get_arrays(objs, views, specs, 6, &got)) goto done;
    Py_ssize_t n = N_ITEMS(out);
    if (N_ITEMS(heads) != n || N_ITEMS(tails) != n) {
        PyErr_SetString(PyExc_ValueError, "heads, tails and out must have the same length");
        goto done;
    }
    store st = {trigrams.buf, starts.buf, N_ITEMS(starts) - 1, vocabulary, &trigrams};
    if (prepare_query(&query, ulen1, vocabulary, &q))
        score_texts(&st, &q, heads.buf, tails.buf, NULL, NULL, n, out.buf, &scratch);

done:
    release(&q);
    free(scratch.ids);
    return finish(views, got, Py_NewRef(Py_None));
}

/* --- Posting lists ------------------------------------------------------------------------------------------ */

PyDoc_STRVAR(count_hits_doc,
"count_hits(postings, starts, query, out) -> int\n\n"
"For each trigram id in `query` (uint32), add 1 to out[p] (int32) for every p in its posting list "
"postings[starts[id]:starts[id + 1]] (int32; starts int64, one more than there are ids): how many of the "
"query's trigrams each text holds. Returns the most any text of out holds that this call counted in (0 when "
"none).");

static PyObject *
count_hits(PyObject *self, PyObject *args)
{
    PyObject *objs[4];
    Py_buffer postings, starts, query, out;
    Py_buffer *views[4] = {&postings, &starts, &query, &out};
    int got = 0;
    int32_t most = 0;

    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3]))
        return NULL;
    static const array_spec specs[4] = {
        {4, 'i', 0, "postings"}, {8, 'i', 0, "starts"}, {4, 'u', 0, "query"}, {4, 'i', 1, "out"}};
    if (get_arrays(objs, views, specs, 4, &got))
        count_into(postings.buf, N_ITEMS(postings), starts.buf, N_ITEMS(starts) - 1, query.buf, N_ITEMS(query),
                   out.buf, N_ITEMS(out), &most, NULL, NULL);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromLong(most));
}

PyDoc_STRVAR(holding_doc,
"holding(ratio, ulen1, most_rest, name_hits, name_start, streets, postcodes, postcode_hits, towns, town_hits, "
"postcode_sizes, out) -> int\n\n"
"The streets whose word similarity to a query of `ulen1` distinct trigrams can reach `ratio`, by how many of the "
"query's trigrams their name, postcode and town hold, written to the front of `out` (int32, at least as long as "
"`streets`); returns how many. The streets by name: those of name k are streets[name_start[k]:name_start[k + 1]] "
"(int32; name_start int64), each with its postcode and town code beside it (postcodes, towns: int32, as long as "
"streets); name k holds name_hits[k] of the query's trigrams, a postcode p postcode_hits[p], a town t town_hits[t]. "
"postcode_sizes (int32, per postcode: its distinct trigrams; 0 for a text not split into name, postcode and town) "
"or None: with them, the stretches of name, postcode and town are bounded apart (see find_holding), else only "
"their sum is compared. `most_rest`: at least the most that any postcode and any town hold together (what "
"count_hits returns for each, summed): only the names that hold at least ratio * ulen1 less `most_rest` are "
"visited.");

static PyObject *
holding(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objs[9];
    double ratio;
    int ulen1;
    long long most_rest;
    Py_buffer name_hits, name_start, streets, postcodes, postcode_hits, towns, town_hits, out, sizes;
    Py_buffer *views[9] = {&name_hits, &name_start, &streets, &postcodes, &postcode_hits, &towns, &town_hits, &out,
                           &sizes};
    int got = 0;
    int32_t *found_at = NULL;
    Py_ssize_t capacity = 0, found = 0;
    PyObject *postcode_sizes;

    if (!PyArg_ParseTuple(args, "diLOOOOOOOOO", &ratio, &ulen1, &most_rest, &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6], &postcode_sizes, &objs[7]))
        return NULL;
    objs[8] = postcode_sizes;
    static const array_spec specs[9] = {
        {4, 'i', 0, "name_hits"}, {8, 'i', 0, "name_start"}, {4, 'i', 0, "streets"}, {4, 'i', 0, "postcodes"},
        {4, 'i', 0, "postcode_hits"}, {4, 'i', 0, "towns"}, {4, 'i', 0, "town_hits"}, {4, 'i', 1, "out"},
        {4, 'i', 0, "postcode_sizes"},
    };
    if (!get_arrays(objs, views, specs, postcode_sizes == Py_None ? 8 : 9, &got)) goto done;
    streets_by_name by = {name_start.buf, streets.buf, postcodes.buf, towns.buf, N_ITEMS(name_hits),
                          N_ITEMS(streets)};
    if (N_ITEMS(name_start) != by.n_names + 1 || N_ITEMS(postcodes) != by.n_streets
        || N_ITEMS(towns) != by.n_streets || N_ITEMS(out) < by.n_streets
        || (got == 9 && N_ITEMS(sizes) != N_ITEMS(postcode_hits))) {
        PyErr_SetString(PyExc_ValueError, "holding: arrays of mismatched lengths");
        goto done;
    }
    if (find_holding(&by, ratio, ulen1, most_rest, name_hits.buf, postcode_hits.buf, N_ITEMS(postcode_hits),
                     town_hits.buf, N_ITEMS(town_hits), got == 9 ? sizes.buf : NULL, NULL, 0, &found_at, &capacity,
                     &found))
        for (Py_ssize_t i = 0; i < found; i++)
            ((int32_t *) out.buf)[i] = by.streets[found_at[i]];

done:
    free(found_at);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(found));
}


/* Counts per name, postcode and town for similar_streets, kept zeroed between calls like the arena above. */
typedef struct {
    int32_t *counts;
    Py_ssize_t size;
} hits_counts;

static hits_counts hits_arena[3];
/* The names count_into() found holding any of the typed street's trigrams (room for every name; kept too). */
static int32_t *touched_names;
static Py_ssize_t touched_size;

static int
hits_fit(Py_ssize_t n_names, Py_ssize_t n_postcodes, Py_ssize_t n_towns)
{
    if (n_names + 1 > touched_size) {
        int32_t *bigger = realloc(touched_names, sizeof(int32_t) * (size_t) (n_names + 1));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return 0;
        }
        touched_names = bigger;
        touched_size = n_names + 1;
    }
    Py_ssize_t wanted[3] = {n_names + 1, n_postcodes + 1, n_towns + 1};
    for (int k = 0; k < 3; k++) {
        if (wanted[k] <= hits_arena[k].size)
            continue;
        int32_t *bigger = realloc(hits_arena[k].counts, sizeof(int32_t) * (size_t) wanted[k]);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return 0;
        }
        memset(bigger + hits_arena[k].size, 0, sizeof(int32_t) * (size_t) (wanted[k] - hits_arena[k].size));
        hits_arena[k].counts = bigger;
        hits_arena[k].size = wanted[k];
    }
    return 1;
}

/* Zero what count_into() counted for `query` in `hits`; all of it when the postings are not as count_into() checked
 * them (it failed on them). */
static void
uncount(const int32_t *postings, Py_ssize_t n_postings, const int64_t *starts, Py_ssize_t n_ids,
        const uint32_t *query, Py_ssize_t n_query, hits_counts *hits)
{
    for (Py_ssize_t k = 0; k < n_query; k++) {
        int ok = n_ids >= 0 && (Py_ssize_t) query[k] < n_ids;
        int64_t from = ok ? starts[query[k]] : 0, to = ok ? starts[query[k] + 1] : 0;
        ok = ok && from >= 0 && to >= from && to <= n_postings;
        for (int64_t p = from; ok && p < to; p++)
            ok = postings[p] >= 0 && postings[p] < hits->size;
        if (!ok) {
            memset(hits->counts, 0, sizeof(int32_t) * (size_t) hits->size);
            return;
        }
        for (int64_t p = from; p < to; p++)
            hits->counts[postings[p]] = 0;
    }
}

/* The comparators below list their sort keys in order, each a line: the first key that differs decides. */
#define ASCENDING(key) if (a->key != b->key) return a->key < b->key ? -1 : 1
#define DESCENDING(key) if (a->key != b->key) return a->key > b->key ? -1 : 1

/* --- The typo path's streets ----------------------------------------------------------------------------- */

/* A chosen street with the trigram statement's order: score, street_score descending, then id. */
typedef struct {
    float score, street_score;
    int64_t id;
    int32_t street;
} chosen_street;

static int
compare_chosen(const void *pa, const void *pb)
{
    const chosen_street *a = pa, *b = pb;
    DESCENDING(score);
    DESCENDING(street_score);
    ASCENDING(id);
    return 0;
}

static int
compare_descending(const void *pa, const void *pb)
{
    float a = *(const float *) pa, b = *(const float *) pb;
    return (a < b) - (a > b);
}

PyDoc_STRVAR(similar_streets_doc,
"similar_streets(street, street_ulen1, words, words_ulen1, vocabulary, trigrams, starts, heads, tails, names, ids, "
"name_postings, name_posting_starts, n_postcodes, postcode_postings, postcode_posting_starts, n_towns, "
"town_postings, town_posting_starts, name_start, streets, postcodes, towns, postcode_sizes, strict, lenient, "
"epsilon, wanted, out_streets, out_scores, out_street_scores) -> int\n\n"
"The typo path's streets: search._SEARCH_SQL's `c` and `s`. `street` and `words`: the typed street's and the "
"typed words' trigram ids (as word_similarities) with their ulen1s. Street s's text is store text heads[s] + "
"tails[s] (its name, then \"postcode town\"), its name for similarity() store text names[s], its id ids[s] "
"(int64). The postings give, per trigram id, the names, postcodes and towns holding it (as count_hits); the "
"streets by name with their postcode and town codes and the postcodes' sizes, as holding. The streets whose word "
"similarity to the typed street reaches `strict`, or if none does `lenient`, scored by the words; the `wanted` "
"best by score, similarity of their name to the typed street, id, into out_streets (int32), out_scores, "
"out_street_scores (float32). Returns how many.");

static PyObject *
similar_streets(PyObject *self, PyObject *args)
{
    enum { N = 22 };
    PyObject *objs[N];
    int street_ulen1, words_ulen1;
    Py_ssize_t vocabulary, n_postcodes, n_towns, wanted;
    double strict, lenient, epsilon;
    Py_buffer arrays[N];
    Py_buffer *views[N];
    int got = 0;
    Py_ssize_t n_out = 0;
    prepared street_q = {0}, words_q = {0};
    joined scratch = {0};
    int32_t *candidates = NULL, *at = NULL;
    uint8_t *tail_holds = NULL;
    float *scores = NULL, *ranked = NULL;
    chosen_street *chosen = NULL;
    int counted = 0;

    for (int k = 0; k < N; k++)
        views[k] = &arrays[k];
    if (!PyArg_ParseTuple(args, "OiOinOOOOOOOOnOOnOOOOOOOdddnOOO", &objs[0], &street_ulen1, &objs[1], &words_ulen1,
                          &vocabulary, &objs[2], &objs[3], &objs[4], &objs[5], &objs[6], &objs[7], &objs[8], &objs[9],
                          &n_postcodes, &objs[10], &objs[11], &n_towns, &objs[12], &objs[13], &objs[14], &objs[15],
                          &objs[16], &objs[17], &objs[21], &strict, &lenient, &epsilon, &wanted, &objs[18], &objs[19],
                          &objs[20]))
        return NULL;
    if (vocabulary < 0 || vocabulary > MAX_VOCABULARY || n_postcodes < 0 || n_postcodes > MAX_GROUPS || n_towns < 0
        || n_towns > MAX_GROUPS || wanted < 1)
        return PyErr_Format(PyExc_ValueError, "similar_streets: vocabulary, counts or wanted out of range");
    static const array_spec specs[N] = {
        {4, 'u', 0, "street"},         {4, 'u', 0, "words"},         {4, 'u', 0, "trigrams"},
        {8, 'i', 0, "starts"},         {4, 'i', 0, "heads"},         {4, 'i', 0, "tails"},
        {4, 'i', 0, "names"},          {8, 'i', 0, "ids"},           {4, 'i', 0, "name_postings"},
        {8, 'i', 0, "name_posting_starts"}, {4, 'i', 0, "postcode_postings"}, {8, 'i', 0, "postcode_posting_starts"},
        {4, 'i', 0, "town_postings"},  {8, 'i', 0, "town_posting_starts"}, {8, 'i', 0, "name_start"},
        {4, 'i', 0, "streets"},        {4, 'i', 0, "postcodes"},     {4, 'i', 0, "towns"},
        {4, 'i', 1, "out_streets"},    {4, 'f', 1, "out_scores"},    {4, 'f', 1, "out_street_scores"},
        {4, 'i', 0, "postcode_sizes"},
    };
    if (!get_arrays(objs, views, specs, N, &got)) goto done;
    Py_buffer *street = &arrays[0], *words = &arrays[1], *trigrams = &arrays[2], *starts = &arrays[3];
    Py_ssize_t n_streets = N_ITEMS(arrays[4]);
    const int32_t *heads = arrays[4].buf, *tails = arrays[5].buf, *names = arrays[6].buf;
    const int64_t *ids = arrays[7].buf;
    streets_by_name by = {arrays[14].buf, arrays[15].buf, arrays[16].buf, arrays[17].buf, N_ITEMS(arrays[14]) - 1,
                          N_ITEMS(arrays[15])};
    if (N_ITEMS(arrays[5]) != n_streets || N_ITEMS(arrays[6]) != n_streets || N_ITEMS(arrays[7]) != n_streets
        || by.n_names < 0 || N_ITEMS(arrays[16]) != by.n_streets || N_ITEMS(arrays[17]) != by.n_streets
        || N_ITEMS(arrays[18]) < wanted || N_ITEMS(arrays[19]) < wanted || N_ITEMS(arrays[20]) < wanted
        || N_ITEMS(arrays[21]) != n_postcodes) {
        PyErr_SetString(PyExc_ValueError, "similar_streets: arrays of mismatched lengths");
        goto done;
    }
    if (street_ulen1 <= 0)
        goto done;  /* no trigram typed: no street */
    store st = {trigrams->buf, starts->buf, N_ITEMS(*starts) - 1, vocabulary, trigrams};
    if (!prepare_query(street, street_ulen1, vocabulary, &street_q)) goto done;

    /* How many of the typed street's trigrams each name, postcode and town holds. */
    int32_t most_name, most_postcode, most_town;
    if (!hits_fit(by.n_names, n_postcodes, n_towns)) goto done;
    int32_t *name_hits = hits_arena[0].counts, *postcode_hits = hits_arena[1].counts, *town_hits = hits_arena[2].counts;
    const uint32_t *street_ids = street->buf;
    Py_ssize_t n_street_ids = N_ITEMS(*street);
    counted = 1;
    Py_ssize_t n_touched = 0;
    if (!count_into(arrays[8].buf, N_ITEMS(arrays[8]), arrays[9].buf, N_ITEMS(arrays[9]) - 1, street_ids,
                    n_street_ids, name_hits, by.n_names, &most_name, touched_names, &n_touched)
        || !count_into(arrays[10].buf, N_ITEMS(arrays[10]), arrays[11].buf, N_ITEMS(arrays[11]) - 1, street_ids,
                       n_street_ids, postcode_hits, n_postcodes, &most_postcode, NULL, NULL)
        || !count_into(arrays[12].buf, N_ITEMS(arrays[12]), arrays[13].buf, N_ITEMS(arrays[13]) - 1, street_ids,
                       n_street_ids, town_hits, n_towns, &most_town, NULL, NULL))
        goto done;

    /* The strict threshold where any street reaches it, else the lenient one: only the streets whose name, postcode
     * and town hold enough of the typed street's trigrams can reach it (find_holding), and only those are scored;
     * the counts also say whose tail ("postcode town") holds any of them, and so must be walked with the name. */
    Py_ssize_t capacity = 0, n_candidates = 0, n_reaching = 0, scores_capacity = 0;
    const double thresholds[2] = {strict, lenient};
    const int32_t *postcode_sizes = arrays[21].buf;
    for (int pass = 0; pass < 2 && n_reaching == 0; pass++) {
        if (!find_holding(&by, thresholds[pass] - epsilon, street_ulen1, (int64_t) most_postcode + most_town,
                          name_hits, postcode_hits, n_postcodes, town_hits, n_towns, postcode_sizes, touched_names,
                          n_touched, &at, &capacity, &n_candidates))
            goto done;
        if (n_candidates > scores_capacity) {
            float *bigger = realloc(scores, sizeof(float) * (size_t) n_candidates);
            int32_t *more = bigger ? realloc(candidates, sizeof(int32_t) * (size_t) n_candidates) : NULL;
            uint8_t *flags = more ? realloc(tail_holds, (size_t) n_candidates) : NULL;
            scores = bigger ? bigger : scores;
            candidates = more ? more : candidates;
            tail_holds = flags ? flags : tail_holds;
            if (flags == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            scores_capacity = n_candidates;
        }
        for (Py_ssize_t i = 0; i < n_candidates; i++) {
            int32_t street = by.streets[at[i]];
            if (street < 0 || street >= n_streets) {
                PyErr_SetString(PyExc_IndexError, "similar_streets: a listed street outside the streets");
                goto done;
            }
            candidates[i] = street;
            tail_holds[i] = postcode_hits[by.postcodes[at[i]]] + town_hits[by.towns[at[i]]] > 0;
        }
        if (!score_texts(&st, &street_q, heads, tails, candidates, tail_holds, n_candidates, scores, &scratch))
            goto done;
        for (Py_ssize_t i = 0; i < n_candidates; i++) {
            if ((double) scores[i] >= thresholds[pass]) {
                candidates[n_reaching] = candidates[i];
                scores[n_reaching++] = scores[i];
            }
        }
    }
    if (n_reaching == 0)
        goto done;

    /* Scored by all the words typed (street, postcode, town), unless they are the street alone. */
    int same = words_ulen1 == street_ulen1 && N_ITEMS(*words) == n_street_ids
               && memcmp(words->buf, street_ids, sizeof(uint32_t) * (size_t) n_street_ids) == 0;
    if (!same) {
        /* One query's flags at a time in the arena: the street's again after the words'. */
        release(&street_q);
        if (!prepare_query(words, words_ulen1, vocabulary, &words_q)) goto done;
        if (!score_texts(&st, &words_q, heads, tails, candidates, NULL, n_reaching, scores, &scratch)) goto done;
        release(&words_q);
        if (!prepare_query(street, street_ulen1, vocabulary, &street_q)) goto done;
    }

    /* More than wanted: the wanted-th best score decides; ties at it go by street score and id. */
    if (n_reaching > wanted) {
        ranked = malloc(sizeof(float) * (size_t) n_reaching);
        if (ranked == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        memcpy(ranked, scores, sizeof(float) * (size_t) n_reaching);
        qsort(ranked, (size_t) n_reaching, sizeof(float), compare_descending);
        float at_least = ranked[wanted - 1];
        Py_ssize_t kept = 0;
        for (Py_ssize_t i = 0; i < n_reaching; i++) {
            if (scores[i] >= at_least) {
                candidates[kept] = candidates[i];
                scores[kept++] = scores[i];
            }
        }
        n_reaching = kept;
    }

    /* similarity(street name, typed street); then the statement's order. */
    chosen = malloc(sizeof(chosen_street) * (size_t) n_reaching);
    if (chosen == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_reaching; i++) {
        int32_t s = candidates[i];
        chosen[i] = (chosen_street) {scores[i], 0.0f, ids[s], s};
        if (!similarity_to(&st, &street_q, names[s], i, &chosen[i].street_score))
            goto done;
    }
    qsort(chosen, (size_t) n_reaching, sizeof(chosen_street), compare_chosen);
    n_out = n_reaching < wanted ? n_reaching : wanted;
    int32_t *out_streets = arrays[18].buf;
    float *out_scores = arrays[19].buf, *out_street_scores = arrays[20].buf;
    for (Py_ssize_t i = 0; i < n_out; i++) {
        out_streets[i] = chosen[i].street;
        out_scores[i] = chosen[i].score;
        out_street_scores[i] = chosen[i].street_score;
    }

done:
    release(&street_q);
    release(&words_q);
    if (counted) {
        /* Leave the counts as found: zero where the typed street's postings counted (all of them if that failed). */
        Py_buffer *postings[3][2] = {{&arrays[8], &arrays[9]}, {&arrays[10], &arrays[11]}, {&arrays[12], &arrays[13]}};
        for (int k = 0; k < 3; k++)
            uncount(postings[k][0]->buf, N_ITEMS(*postings[k][0]), postings[k][1]->buf, N_ITEMS(*postings[k][1]) - 1,
                    arrays[0].buf, N_ITEMS(arrays[0]), &hits_arena[k]);
    }
    free(scratch.ids);
    free(candidates);
    free(at);
    free(tail_holds);
    free(scores);
    free(ranked);
    free(chosen);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(n_out));
}

/* --- The exact path --------------------------------------------------------------------------------------- */

/* bisect_left over texts sorted by their bytes; -1 with an exception set when `starts` points outside. */
static Py_ssize_t
bisect_texts(const unsigned char *bytes, Py_ssize_t n_bytes, const int64_t *start, Py_ssize_t n_texts,
             const unsigned char *key, Py_ssize_t key_len)
{
    Py_ssize_t lo = 0, hi = n_texts;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        int64_t from = start[mid], to = start[mid + 1];
        if (from < 0 || to < from || to > n_bytes) {
            PyErr_SetString(PyExc_ValueError, "starts: a text outside the buffer");
            return -1;
        }
        size_t length = (size_t) (to - from), common = length < (size_t) key_len ? length : (size_t) key_len;
        int cmp = memcmp(bytes + from, key, common);
        if (cmp < 0 || (cmp == 0 && length < (size_t) key_len))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

PyDoc_STRVAR(first_at_least_doc,
"first_at_least(texts, starts, key) -> int\n\n"
"In texts sorted by their bytes (text i is texts[starts[i]:starts[i + 1]], starts int64), the position of the "
"first that is not below `key` (bytes), by binary search: bisect_left over the texts.");

static PyObject *
first_at_least(PyObject *self, PyObject *args)
{
    static const array_spec specs[3] = {{1, 'u', 0, "texts"}, {8, 'i', 0, "starts"}, {1, 'u', 0, "key"}};
    PyObject *objs[3];
    Py_buffer texts, starts, key;
    Py_buffer *views[3] = {&texts, &starts, &key};
    int got = 0;
    Py_ssize_t position = 0;

    if (!PyArg_ParseTuple(args, "OOO", &objs[0], &objs[1], &objs[2]))
        return NULL;
    if (get_arrays(objs, views, specs, 3, &got)) {
        Py_ssize_t n_texts = N_ITEMS(starts) - 1;
        position = bisect_texts(texts.buf, texts.len, starts.buf, n_texts < 0 ? 0 : n_texts, key.buf, key.len);
    }
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(position));
}

/* --- similarity: the street score ------------------------------------------------------------------------- */

PyDoc_STRVAR(similarities_doc,
"similarities(query, ulen1, vocabulary, trigrams, starts, texts, out) -> None\n\n"
"pg_trgm's similarity() of one query to store texts (see word_similarities), into `out` (float32): the distinct "
"trigrams both hold over those either holds. `query`: the query's distinct trigram ids in the vocabulary, "
"`ulen1` the number of all its distinct trigrams; `texts` (int32) the store texts.");

static PyObject *
similarities(PyObject *self, PyObject *args)
{
    PyObject *objs[5];
    int ulen1;
    Py_ssize_t vocabulary;
    Py_buffer query, trigrams, starts, texts, out;
    Py_buffer *views[5] = {&query, &trigrams, &starts, &texts, &out};
    int got = 0;
    prepared q = {0};

    if (!PyArg_ParseTuple(args, "OinOOOO", &objs[0], &ulen1, &vocabulary, &objs[1], &objs[2], &objs[3], &objs[4]))
        return NULL;
    if (vocabulary < 0 || vocabulary > MAX_VOCABULARY)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    static const array_spec specs[5] = {
        {4, 'u', 0, "query"}, {4, 'u', 0, "trigrams"}, {8, 'i', 0, "starts"}, {4, 'i', 0, "texts"}, {4, 'f', 1, "out"}};
    if (!get_arrays(objs, views, specs, 5, &got)) goto done;
    Py_ssize_t n = N_ITEMS(texts);
    const int32_t *text = texts.buf;
    float *result = out.buf;
    if (N_ITEMS(out) != n) {
        PyErr_SetString(PyExc_ValueError, "texts and out must have the same length");
        goto done;
    }
    if (!prepare_query(&query, ulen1, vocabulary, &q)) goto done;
    store st = {trigrams.buf, starts.buf, N_ITEMS(starts) - 1, vocabulary, &trigrams};
    for (Py_ssize_t i = 0; i < n; i++)
        if (!similarity_to(&st, &q, text[i], i, &result[i]))
            break;

done:
    release(&q);
    return finish(views, got, Py_NewRef(Py_None));
}

/* --- The statements' rows: which addresses, in which order ------------------------------------------------- */

/* One candidate address of the trigram path, with the trigram statement's sort key. */
typedef struct {
    int32_t no_match;      /* not number_match: the typed number's addresses first */
    float score;           /* the street's word similarity, descending */
    float street_score;    /* descending */
    int32_t street_order;  /* (street, postcode) in code-point order */
    int32_t box;           /* box code: code-point order */
    int64_t id;
    int32_t chosen;        /* which of the chosen streets */
    int32_t row;
} candidate;

static int
compare_candidates(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    ASCENDING(no_match);
    DESCENDING(score);
    DESCENDING(street_score);
    ASCENDING(street_order);
    ASCENDING(box);
    ASCENDING(id);
    ASCENDING(chosen);
    return 0;
}

/* The LATERAL's order within one street: number_match DESC, typed DESC, then the rows' own order. */
typedef struct {
    int32_t no_match, not_typed, row;
} first_row;

static int
compare_first(const void *pa, const void *pb)
{
    const first_row *a = pa, *b = pb;
    ASCENDING(no_match);
    ASCENDING(not_typed);
    ASCENDING(row);
    return 0;
}

static int
compare_int32(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *) pa, b = *(const int32_t *) pb;
    return (a > b) - (a < b);
}

PyDoc_STRVAR(street_rows_doc,
"street_rows(places, scores, street_scores, place_start, house_numbers, boxes, ids, street_order, number_houses, "
"number_boxes, typed_houses, limit, out_rows, out_chosen, out_match) -> int\n\n"
"search._SEARCH_SQL's rows for its chosen streets. Street c lies at place places[c] (int64; below 0: no "
"addresses) with word similarity scores[c] and similarity street_scores[c] (float32); a place's rows are "
"place_start[p]:place_start[p + 1] (int64), ordered by house number code, box code, id (house_numbers, boxes "
"int32; ids int64). Each street offers its first `limit` rows in the LATERAL's order: those matching the typed "
"number first (house number code number_houses[k] with box code number_boxes[k], -1 for any box), then those "
"whose house number stands among the words (typed_houses), then the rest. Of all these the first `limit` in the "
"statement's order (number_match, score, street_score, street_order[place], box code, id) are written to "
"out_rows, out_chosen (int32, the street c) and out_match (int32, 1 when the number matches); returns how many.");

static PyObject *
street_rows(PyObject *self, PyObject *args)
{
    PyObject *objs[14];
    Py_ssize_t limit;
    Py_buffer places, scores, street_scores, place_start, house_numbers, boxes, ids, street_order, number_houses,
        number_boxes, typed_houses, out_rows, out_chosen, out_match;
    Py_buffer *views[14] = {&places,        &scores,       &street_scores, &place_start,  &house_numbers,
                            &boxes,         &ids,          &street_order,  &number_houses, &number_boxes,
                            &typed_houses,  &out_rows,     &out_chosen,    &out_match};
    int got = 0;
    Py_ssize_t n_out = 0;
    candidate *all = NULL;
    first_row *first = NULL;
    int32_t *codes = NULL;

    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOnOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7], &objs[8], &objs[9], &objs[10], &limit, &objs[11], &objs[12], &objs[13]))
        return NULL;
    static const array_spec specs[14] = {
        {8, 'i', 0, "places"},        {4, 'f', 0, "scores"},        {4, 'f', 0, "street_scores"},
        {8, 'i', 0, "place_start"},   {4, 'i', 0, "house_numbers"}, {4, 'i', 0, "boxes"},
        {8, 'i', 0, "ids"},           {4, 'i', 0, "street_order"},  {4, 'i', 0, "number_houses"},
        {4, 'i', 0, "number_boxes"},  {4, 'i', 0, "typed_houses"},  {4, 'i', 1, "out_rows"},
        {4, 'i', 1, "out_chosen"},    {4, 'i', 1, "out_match"},
    };
    if (!get_arrays(objs, views, specs, 14, &got)) goto done;

    Py_ssize_t n_chosen = N_ITEMS(places), n_rows = N_ITEMS(house_numbers), n_places = N_ITEMS(place_start) - 1;
    Py_ssize_t n_numbers = N_ITEMS(number_houses), n_typed = N_ITEMS(typed_houses);
    if (limit < 0 || N_ITEMS(scores) != n_chosen || N_ITEMS(street_scores) != n_chosen
        || N_ITEMS(boxes) != n_rows || N_ITEMS(ids) != n_rows || N_ITEMS(street_order) != n_places || n_places < 0
        || N_ITEMS(number_boxes) != n_numbers || N_ITEMS(out_rows) < limit || N_ITEMS(out_chosen) < limit
        || N_ITEMS(out_match) < limit || n_chosen > INT32_MAX / (limit + 1)) {
        PyErr_SetString(PyExc_ValueError, "street_rows: arrays of mismatched lengths");
        goto done;
    }
    const int64_t *place = places.buf, *pstart = place_start.buf, *id = ids.buf;
    const float *score = scores.buf, *street_score = street_scores.buf;
    const int32_t *house = house_numbers.buf, *box = boxes.buf, *order = street_order.buf;
    const int32_t *match_house = number_houses.buf, *match_box = number_boxes.buf, *typed = typed_houses.buf;

    /* The house number codes to look for on every street: the typed number's and those among the words. */
    Py_ssize_t n_codes = 0;
    codes = malloc(sizeof(int32_t) * (size_t) (n_numbers + n_typed + 1));
    all = malloc(sizeof(candidate) * (size_t) (n_chosen * limit + 1));
    if (codes == NULL || all == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(codes, match_house, sizeof(int32_t) * (size_t) n_numbers);
    memcpy(codes + n_numbers, typed, sizeof(int32_t) * (size_t) n_typed);
    qsort(codes, (size_t) (n_numbers + n_typed), sizeof(int32_t), compare_int32);
    for (Py_ssize_t k = 0; k < n_numbers + n_typed; k++)
        if (n_codes == 0 || codes[n_codes - 1] != codes[k])
            codes[n_codes++] = codes[k];

    Py_ssize_t n_all = 0, first_capacity = 0;
    for (Py_ssize_t c = 0; c < n_chosen; c++) {
        int64_t p = place[c];
        if (p < 0)
            continue;
        if (p >= n_places || pstart[p] < 0 || pstart[p + 1] < pstart[p] || pstart[p + 1] > n_rows) {
            PyErr_Format(PyExc_IndexError, "street %zd: no such place (%lld)", c, (long long) p);
            goto done;
        }
        Py_ssize_t from = (Py_ssize_t) pstart[p], to = (Py_ssize_t) pstart[p + 1], n_first = 0;
        /* The rows of each looked-for house number: one run, the street's rows being by house number. */
        for (Py_ssize_t k = 0; k < n_codes; k++) {
            Py_ssize_t lo = from, hi = to;
            while (lo < hi) {
                Py_ssize_t mid = lo + (hi - lo) / 2;
                if (house[mid] < codes[k]) lo = mid + 1; else hi = mid;
            }
            for (Py_ssize_t r = lo; r < to && house[r] == codes[k]; r++) {
                int number_match = 0, is_typed = 0;
                for (Py_ssize_t m = 0; m < n_numbers; m++)
                    if (match_house[m] == codes[k] && (match_box[m] == -1 || match_box[m] == box[r]))
                        number_match = 1;
                for (Py_ssize_t m = 0; m < n_typed; m++)
                    if (typed[m] == codes[k])
                        is_typed = 1;
                if (!number_match && !is_typed)
                    continue;
                if (n_first == first_capacity) {
                    Py_ssize_t capacity = first_capacity ? 2 * first_capacity : 64;
                    first_row *bigger = realloc(first, sizeof(first_row) * (size_t) capacity);
                    if (bigger == NULL) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    first = bigger;
                    first_capacity = capacity;
                }
                first[n_first++] = (first_row) {!number_match, !is_typed, (int32_t) r};
            }
        }
        if (n_first > 1)
            qsort(first, (size_t) n_first, sizeof(first_row), compare_first);
        if (n_first > limit)
            n_first = limit;
        Py_ssize_t offered = 0;
        for (Py_ssize_t k = 0; k < n_first; k++, offered++) {
            int32_t r = first[k].row;
            all[n_all++] = (candidate) {first[k].no_match, score[c], street_score[c], order[p], box[r], id[r],
                                        (int32_t) c, r};
        }
        /* Then the street's other rows in their own order, as many as make `limit`. */
        for (Py_ssize_t r = from; r < to && offered < limit; r++) {
            int taken = 0;
            for (Py_ssize_t k = 0; k < n_first && !taken; k++)
                taken = first[k].row == r;
            if (taken)
                continue;
            all[n_all++] = (candidate) {1, score[c], street_score[c], order[p], box[r], id[r], (int32_t) c,
                                        (int32_t) r};
            offered++;
        }
    }
    qsort(all, (size_t) n_all, sizeof(candidate), compare_candidates);
    n_out = n_all < limit ? n_all : limit;
    int32_t *rows_out = out_rows.buf, *chosen_out = out_chosen.buf, *match_out = out_match.buf;
    for (Py_ssize_t k = 0; k < n_out; k++) {
        rows_out[k] = all[k].row;
        chosen_out[k] = all[k].chosen;
        match_out[k] = !all[k].no_match;
    }

done:
    free(codes);
    free(all);
    free(first);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(n_out));
}

/* One address of the exact path, with the exact statement's sort key. */
typedef struct {
    float town_score;  /* descending */
    int32_t place_order;  /* (postcode, municipality) in code-point order */
    int32_t box;
    int64_t id;
    int32_t row;
} exact_candidate;

static int
compare_exact(const void *pa, const void *pb)
{
    const exact_candidate *a = pa, *b = pb;
    DESCENDING(town_score);
    ASCENDING(place_order);
    ASCENDING(box);
    ASCENDING(id);
    return 0;
}

PyDoc_STRVAR(exact_rows_doc,
"exact_rows(texts, text_start, text_rows, low, high, places, place_postcodes, postcode, town, ulen1, vocabulary, "
"trigrams, starts, place_towns, town_threshold, place_order, boxes, ids, limit, out_rows) -> int\n\n"
"search._EXACT_SQL's rows: the addresses whose search text (texts sorted by their bytes, as first_at_least) lies "
"in [low, high), text i being address row text_rows[i] (int32) at place places[row] (int32). `postcode` >= 0: "
"only the places whose place_postcodes code (int32) is it; -1: none; -2: no postcode typed. `town` (a query's "
"trigram ids, as word_similarities; ulen1 -1 when no town was typed): only the places whose store text "
"place_towns[place] has a word similarity of at least town_threshold, best first. Then by "
"place_order[place] (int32: postcode and municipality in code-point order), box code, id (boxes int32, ids "
"int64). The first `limit` rows go to out_rows (int32); returns how many.");

static PyObject *
exact_rows(PyObject *self, PyObject *args)
{
    PyObject *objs[15];
    Py_ssize_t postcode, vocabulary, limit;
    int ulen1;
    double town_threshold;
    Py_buffer texts, text_start, text_rows, low, high, places, place_postcodes, town, trigrams, starts, place_towns,
        place_order, boxes, ids, out_rows;
    Py_buffer *views[15] = {&texts,  &text_start, &text_rows,   &low,         &high,  &places, &place_postcodes,
                            &town,   &trigrams,   &starts,      &place_towns, &place_order, &boxes, &ids, &out_rows};
    int got = 0;
    Py_ssize_t n_out = 0;
    exact_candidate *found_rows = NULL;
    prepared town_q = {0};

    if (!PyArg_ParseTuple(args, "OOOOOOOnOinOOOdOOOnO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &postcode, &objs[7], &ulen1, &vocabulary, &objs[8], &objs[9], &objs[10],
                          &town_threshold, &objs[11], &objs[12], &objs[13], &limit, &objs[14]))
        return NULL;
    if (vocabulary < 0 || vocabulary > MAX_VOCABULARY)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    if (isnan(town_threshold))
        return PyErr_Format(PyExc_ValueError, "town_threshold is not a number");
    static const array_spec specs[15] = {
        {1, 'u', 0, "texts"},       {8, 'i', 0, "text_start"},  {4, 'i', 0, "text_rows"},
        {1, 'u', 0, "low"},         {1, 'u', 0, "high"},        {4, 'i', 0, "places"},
        {4, 'i', 0, "place_postcodes"}, {4, 'u', 0, "town"},    {4, 'u', 0, "trigrams"},
        {8, 'i', 0, "starts"},      {4, 'i', 0, "place_towns"}, {4, 'i', 0, "place_order"},
        {4, 'i', 0, "boxes"},       {8, 'i', 0, "ids"},         {4, 'i', 1, "out_rows"},
    };
    if (!get_arrays(objs, views, specs, 15, &got)) goto done;

    Py_ssize_t n_texts = N_ITEMS(text_start) - 1, n_rows = N_ITEMS(places), n_places = N_ITEMS(place_postcodes);
    Py_ssize_t n_store = N_ITEMS(starts) - 1;
    if (n_texts < 0 || N_ITEMS(text_rows) != n_texts || N_ITEMS(boxes) != n_rows || N_ITEMS(ids) != n_rows
        || N_ITEMS(place_towns) != n_places || N_ITEMS(place_order) != n_places || limit < 0
        || N_ITEMS(out_rows) < limit) {
        PyErr_SetString(PyExc_ValueError, "exact_rows: arrays of mismatched lengths");
        goto done;
    }
    Py_ssize_t from = bisect_texts(texts.buf, texts.len, text_start.buf, n_texts, low.buf, low.len);
    Py_ssize_t to = from < 0 ? -1 : bisect_texts(texts.buf, texts.len, text_start.buf, n_texts, high.buf, high.len);
    if (from < 0 || to < 0) goto done;
    if (ulen1 >= 0 && !prepare_query(&town, ulen1, vocabulary, &town_q)) goto done;

    const int32_t *row_of = text_rows.buf, *place = places.buf, *place_postcode = place_postcodes.buf;
    const int32_t *place_town = place_towns.buf, *porder = place_order.buf, *box = boxes.buf;
    const int64_t *id = ids.buf, *start = starts.buf;
    const uint32_t *store = trigrams.buf;
    found_rows = malloc(sizeof(exact_candidate) * (size_t) (to > from ? to - from : 1));
    if (found_rows == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_found = 0;
    for (Py_ssize_t i = from; i < to; i++) {
        int32_t r = row_of[i];
        if (r < 0 || r >= n_rows || place[r] < 0 || place[r] >= n_places) {
            PyErr_Format(PyExc_IndexError, "text %zd: no such row or place", i);
            goto done;
        }
        int32_t p = place[r];
        if (postcode != -2 && place_postcode[p] != postcode)
            continue;
        float town_score = 0.0f;
        if (ulen1 >= 0) {
            int32_t t = place_town[p];
            if (t < 0 || t >= n_store || !text_in_store(start, t, &trigrams)) {
                PyErr_Format(PyExc_IndexError, "place %d: no such store text (%d)", (int) p, (int) t);
                goto done;
            }
            Py_ssize_t len = (Py_ssize_t) (start[t + 1] - start[t]);
            if (!check_ids(store + start[t], len, vocabulary, "trigrams")) goto done;
            town_score = (ulen1 > 0 && len > 0) ? walk(store + start[t], len, town_q.found, town_q.lastpos, ulen1) : 0.0f;
            if ((double) town_score < town_threshold)
                continue;
        }
        found_rows[n_found++] = (exact_candidate) {town_score, porder[p], box[r], id[r], r};
    }
    qsort(found_rows, (size_t) n_found, sizeof(exact_candidate), compare_exact);
    n_out = n_found < limit ? n_found : limit;
    int32_t *rows_out = out_rows.buf;
    for (Py_ssize_t k = 0; k < n_out; k++)
        rows_out[k] = found_rows[k].row;

done:
    free(found_rows);
    release(&town_q);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(n_out));
}

/* --- The postcode path ------------------------------------------------------------------------------------ */

/* One address of the postcode path, with the postcode statement's sort key. */
typedef struct {
    int32_t no_match;  /* number_match DESCENDING: 0 before 1 */
    int32_t house_number, box;
    int64_t id;
    int32_t row;
} postcode_candidate;

static int
compare_postcode(const void *pa, const void *pb)
{
    const postcode_candidate *a = pa, *b = pb;
    ASCENDING(no_match);
    ASCENDING(house_number);
    ASCENDING(box);
    ASCENDING(id);
    return 0;
}

static int
holds(const int32_t *codes, Py_ssize_t n, int32_t code)
{
    for (Py_ssize_t k = 0; k < n; k++)
        if (codes[k] == code)
            return 1;
    return 0;
}

PyDoc_STRVAR(postcode_rows_doc,
"postcode_rows(rows_by_postcode, postcode_start, postcodes, house_numbers, boxes, ids, house_number, "
"matching_house_numbers, matching_boxes, limit, out_rows, out_matches) -> int\n\n"
"search._POSTCODE_SQL's rows: the address rows of the postcodes with codes `postcodes` (int32; those of code p are "
"rows_by_postcode[postcode_start[p]:postcode_start[p + 1]], int32 and int64), only those whose house number code "
"(house_numbers, int32) is `house_number` when that is not -2 (-1: none). A row's number matches when its house "
"number code is among matching_house_numbers and its box code (boxes, int32) among matching_boxes (int32). The "
"matching rows first, then by house number code, box code and id (ids, int64; the codes are in code-point order). "
"The first `limit` rows go to out_rows (int32) and whether each matches to out_matches (uint8); returns how many.");

static PyObject *
postcode_rows(PyObject *Py_UNUSED(self), PyObject *args)
{
    enum { N = 10 };
    PyObject *objs[N];
    Py_buffer arrays[N];
    Py_buffer *views[N];
    Py_ssize_t house_number, limit;
    int got = 0;
    Py_ssize_t n_out = 0;
    postcode_candidate *found = NULL;

    for (int k = 0; k < N; k++)
        views[k] = &arrays[k];
    if (!PyArg_ParseTuple(args, "OOOOOOnOOnOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &house_number, &objs[6], &objs[7], &limit, &objs[8], &objs[9]))
        return NULL;
    static const array_spec specs[N] = {
        {4, 'i', 0, "rows_by_postcode"}, {8, 'i', 0, "postcode_start"},         {4, 'i', 0, "postcodes"},
        {4, 'i', 0, "house_numbers"},    {4, 'i', 0, "boxes"},                  {8, 'i', 0, "ids"},
        {4, 'i', 0, "matching_house_numbers"}, {4, 'i', 0, "matching_boxes"},   {4, 'i', 1, "out_rows"},
        {1, 'u', 1, "out_matches"},
    };
    if (!get_arrays(objs, views, specs, N, &got)) goto done;
    const int32_t *by_postcode = arrays[0].buf, *postcodes = arrays[2].buf, *numbers = arrays[3].buf;
    const int32_t *boxes = arrays[4].buf, *match_numbers = arrays[6].buf, *match_boxes = arrays[7].buf;
    const int64_t *start = arrays[1].buf, *ids = arrays[5].buf;
    Py_ssize_t n_postcodes = N_ITEMS(arrays[1]) - 1, n_rows = N_ITEMS(arrays[3]), n_by = N_ITEMS(arrays[0]);
    if (n_postcodes < 0 || N_ITEMS(arrays[4]) != n_rows || N_ITEMS(arrays[5]) != n_rows || limit < 0
        || N_ITEMS(arrays[8]) < limit || N_ITEMS(arrays[9]) < limit || house_number < -2 || house_number > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "postcode_rows: arrays of mismatched lengths or a wrong house number");
        goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < N_ITEMS(arrays[2]); k++) {
        int32_t p = postcodes[k];
        if (p < 0 || p >= n_postcodes || start[p] < 0 || start[p] > start[p + 1] || start[p + 1] > n_by) {
            PyErr_Format(PyExc_IndexError, "postcode_rows: no such postcode (%d)", (int) p);
            goto done;
        }
        total += (Py_ssize_t) (start[p + 1] - start[p]);
    }
    found = PyMem_Malloc(sizeof(postcode_candidate) * (size_t) (total ? total : 1));
    if (found == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_found = 0;
    for (Py_ssize_t k = 0; k < N_ITEMS(arrays[2]); k++) {
        for (int64_t i = start[postcodes[k]]; i < start[postcodes[k] + 1]; i++) {
            int32_t row = by_postcode[i];
            if (row < 0 || row >= n_rows) {
                PyErr_Format(PyExc_IndexError, "postcode_rows: no such row (%d)", (int) row);
                goto done;
            }
            if (house_number != -2 && numbers[row] != house_number)
                continue;
            int match = holds(match_numbers, N_ITEMS(arrays[6]), numbers[row])
                        && holds(match_boxes, N_ITEMS(arrays[7]), boxes[row]);
            found[n_found++] = (postcode_candidate) {!match, numbers[row], boxes[row], ids[row], row};
        }
    }
    if (n_found > 1)
        qsort(found, (size_t) n_found, sizeof(postcode_candidate), compare_postcode);
    n_out = n_found < limit ? n_found : limit;
    int32_t *out_rows = arrays[8].buf;
    uint8_t *out_matches = arrays[9].buf;
    for (Py_ssize_t i = 0; i < n_out; i++) {
        out_rows[i] = found[i].row;
        out_matches[i] = (uint8_t) !found[i].no_match;
    }

done:
    PyMem_Free(found);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(n_out));
}

static PyMethodDef methods[] = {
    {"first_at_least", first_at_least, METH_VARARGS, first_at_least_doc},
    {"word_similarity", word_similarity, METH_VARARGS, word_similarity_doc},
    {"word_similarities", word_similarities, METH_VARARGS, word_similarities_doc},
    {"count_hits", count_hits, METH_VARARGS, count_hits_doc},
    {"holding", holding, METH_VARARGS, holding_doc},
    {"similarities", similarities, METH_VARARGS, similarities_doc},
    {"similar_streets", similar_streets, METH_VARARGS, similar_streets_doc},
    {"street_rows", street_rows, METH_VARARGS, street_rows_doc},
    {"exact_rows", exact_rows, METH_VARARGS, exact_rows_doc},
    {"postcode_rows", postcode_rows, METH_VARARGS, postcode_rows_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_trgm",
    "pg_trgm's word_similarity() over trigram ids, and the address index's inner loops (see _trgm.c).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__trgm(void)
{
    return PyModule_Create(&module);
}
