/*
 * pg_trgm's word_similarity() over trigram ids, and the address index's inner loops (addressindex.py) that are
 * too slow in CPython: scoring the candidate streets of a typo, counting posting lists, the exact path's binary
 * search.
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

/* The query's trigram ids marked in a zeroed array of `vocabulary` flags, and a lastpos array of -1s. */
static int
prepare(const Py_buffer *query, Py_ssize_t vocabulary, uint8_t **found, int32_t **lastpos)
{
    const uint32_t *ids = query->buf;
    *found = calloc((size_t) vocabulary + 1, 1);
    *lastpos = malloc(sizeof(int32_t) * ((size_t) vocabulary + 1));
    if (*found == NULL || *lastpos == NULL) {
        free(*found);
        free(*lastpos);
        *found = NULL;
        *lastpos = NULL;
        PyErr_NoMemory();
        return 0;
    }
    memset(*lastpos, 0xff, sizeof(int32_t) * ((size_t) vocabulary + 1));
    for (Py_ssize_t k = 0; k < N_ITEMS(*query); k++) {
        if (ids[k] >= (uint32_t) vocabulary) {
            free(*found);
            free(*lastpos);
            *found = NULL;  /* the caller frees what it holds: nothing twice */
            *lastpos = NULL;
            PyErr_SetString(PyExc_ValueError, "query: a trigram id outside the vocabulary");
            return 0;
        }
        (*found)[ids[k]] = 1;
    }
    return 1;
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
    uint8_t *found;
    int32_t *lastpos;
    float result = 0.0f;

    if (!PyArg_ParseTuple(args, "OiOn", &objs[0], &ulen1, &objs[1], &vocabulary))
        return NULL;
    if (vocabulary < 0 || vocabulary >= INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    if (!get_arrays(objs, views, specs, 2, &got)) goto done;
    if (ulen1 < N_ITEMS(query)) {
        PyErr_SetString(PyExc_ValueError, "ulen1: fewer than the query's trigrams given");
    } else if (check_ids(text.buf, N_ITEMS(text), vocabulary, "text")
               && prepare(&query, vocabulary, &found, &lastpos)) {
        /* calc_word_similarity's guard: no trigram in either string gives 0 */
        if (ulen1 > 0 && N_ITEMS(text) > 0)
            result = walk(text.buf, N_ITEMS(text), found, lastpos, ulen1);
        free(found);
        free(lastpos);
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyFloat_FromDouble((double) result));
}

static int
text_in_store(const int64_t *start, int32_t t, const Py_buffer *trigrams)
{
    return 0 <= start[t] && start[t] <= start[t + 1] && start[t + 1] <= N_ITEMS(*trigrams);
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
    uint8_t *found = NULL;
    int32_t *lastpos = NULL;
    uint32_t *text = NULL;
    Py_ssize_t text_capacity = 0;
    int32_t last_head = -1;  /* the head scored alone last, and its score */
    float last_head_score = 0.0f;

    if (!PyArg_ParseTuple(args, "OinOOOOO", &objs[0], &ulen1, &vocabulary, &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5]))
        return NULL;
    if (vocabulary < 0 || vocabulary >= INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    static const array_spec specs[6] = {{4, 'u', 0, "query"}, {4, 'u', 0, "trigrams"}, {8, 'i', 0, "starts"},
                                        {4, 'i', 0, "heads"},  {4, 'i', 0, "tails"},    {4, 'f', 1, "out"}};
    if (!get_arrays(objs, views, specs, 6, &got)) goto done;

    Py_ssize_t n = N_ITEMS(out), n_texts = N_ITEMS(starts) - 1;
    const int64_t *start = starts.buf;
    const int32_t *head = heads.buf, *tail = tails.buf;
    const uint32_t *store = trigrams.buf;
    float *result = out.buf;
    if (N_ITEMS(heads) != n || N_ITEMS(tails) != n) {
        PyErr_SetString(PyExc_ValueError, "heads, tails and out must have the same length");
        goto done;
    }
    if (ulen1 < N_ITEMS(query)) {
        PyErr_SetString(PyExc_ValueError, "ulen1: fewer than the query's trigrams given");
        goto done;
    }
    if (!prepare(&query, vocabulary, &found, &lastpos)) goto done;

    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t h = head[i], t = tail[i];
        /* Only the texts asked for are checked: the store is large, and a search asks for few of them. */
        if (h < -1 || h >= n_texts || t < 0 || t >= n_texts || (h >= 0 && !text_in_store(start, h, &trigrams))
            || !text_in_store(start, t, &trigrams)) {
            PyErr_Format(PyExc_IndexError, "text %zd: no such store text (%d, %d)", i, (int) h, (int) t);
            goto done;
        }
        Py_ssize_t head_len = h < 0 ? 0 : (Py_ssize_t) (start[h + 1] - start[h]);
        Py_ssize_t tail_len = (Py_ssize_t) (start[t + 1] - start[t]);
        if (!check_ids(store + start[t], tail_len, vocabulary, "trigrams")) goto done;
        int tail_matters = h < 0;
        for (Py_ssize_t k = 0; k < tail_len && !tail_matters; k++)
            tail_matters = found[store[start[t] + k]];
        if (!tail_matters) {
            /* A walk ends its stretches at the query's trigrams: after the head it would only count others. */
            if (h != last_head) {
                if (!check_ids(store + start[h], head_len, vocabulary, "trigrams")) goto done;
                last_head_score = (ulen1 > 0 && head_len > 0) ? walk(store + start[h], head_len, found, lastpos, ulen1)
                                                               : 0.0f;
                last_head = h;
            }
            result[i] = last_head_score;
            continue;
        }
        Py_ssize_t len = head_len + tail_len;
        if (len > text_capacity) {
            uint32_t *bigger = realloc(text, sizeof(uint32_t) * (size_t) len);
            if (bigger == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            text = bigger;
            text_capacity = len;
        }
        if (head_len)
            memcpy(text, store + start[h], sizeof(uint32_t) * (size_t) head_len);
        if (len > head_len)
            memcpy(text + head_len, store + start[t], sizeof(uint32_t) * (size_t) (len - head_len));
        if (!check_ids(text, len, vocabulary, "trigrams")) goto done;
        result[i] = (ulen1 > 0 && len > 0) ? walk(text, len, found, lastpos, ulen1) : 0.0f;
    }

done:
    free(found);
    free(lastpos);
    free(text);
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

    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3]))
        return NULL;
    static const array_spec specs[4] = {
        {4, 'i', 0, "postings"}, {8, 'i', 0, "starts"}, {4, 'u', 0, "query"}, {4, 'i', 1, "out"}};
    if (!get_arrays(objs, views, specs, 4, &got)) goto done;

    const int32_t *posting = postings.buf;
    const int64_t *start = starts.buf;
    const uint32_t *ids = query.buf;
    int32_t *hits = out.buf, most = 0;
    Py_ssize_t n_ids = N_ITEMS(starts) - 1, n_out = N_ITEMS(out), n_postings = N_ITEMS(postings);
    for (Py_ssize_t k = 0; k < N_ITEMS(query); k++) {
        if (n_ids < 0 || (Py_ssize_t) ids[k] >= n_ids) {
            PyErr_SetString(PyExc_ValueError, "query: a trigram id without a posting list");
            goto done;
        }
        int64_t from = start[ids[k]], to = start[ids[k] + 1];
        if (from < 0 || to < from || to > n_postings) {
            PyErr_SetString(PyExc_ValueError, "starts: a posting list outside the postings");
            goto done;
        }
        for (int64_t p = from; p < to; p++) {
            if (posting[p] < 0 || posting[p] >= n_out) {
                PyErr_SetString(PyExc_IndexError, "postings: a text outside out");
                goto done;
            }
            hits[posting[p]]++;
            most = hits[posting[p]] > most ? hits[posting[p]] : most;
        }
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromLong(most));
}

PyDoc_STRVAR(holding_doc,
"holding(minimum, most_rest, name_hits, name_start, streets, postcodes, postcode_hits, towns, town_hits, out) "
"-> int\n\n"
"The streets whose name, postcode and town hold at least `minimum` of the query's trigrams together, written to "
"the front of `out` (int32, at least as long as `streets`); returns how many. The streets by name: those of name k "
"are streets[name_start[k]:name_start[k + 1]] (int32; name_start int64), each with its postcode and town code "
"beside it (postcodes, towns: int32, as long as streets); name k holds name_hits[k] of the query's trigrams, a "
"postcode p postcode_hits[p], a town t town_hits[t]. `most_rest`: at least the most that any postcode and any "
"town hold together (what count_hits returns for each, summed): only the names that hold at least `minimum` less "
"`most_rest` are visited.");

static PyObject *
holding(PyObject *self, PyObject *args)
{
    PyObject *objs[8];
    double minimum;
    long long most_rest;
    Py_buffer name_hits, name_start, streets, postcodes, postcode_hits, towns, town_hits, out;
    Py_buffer *views[8] = {&name_hits, &name_start, &streets, &postcodes, &postcode_hits, &towns, &town_hits, &out};
    int got = 0;
    Py_ssize_t found = 0;

    if (!PyArg_ParseTuple(args, "dLOOOOOOOO", &minimum, &most_rest, &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5], &objs[6], &objs[7]))
        return NULL;
    static const array_spec specs[8] = {
        {4, 'i', 0, "name_hits"}, {8, 'i', 0, "name_start"}, {4, 'i', 0, "streets"}, {4, 'i', 0, "postcodes"},
        {4, 'i', 0, "postcode_hits"}, {4, 'i', 0, "towns"}, {4, 'i', 0, "town_hits"}, {4, 'i', 1, "out"},
    };
    if (!get_arrays(objs, views, specs, 8, &got)) goto done;
    Py_ssize_t n = N_ITEMS(streets), n_names = N_ITEMS(name_hits);
    Py_ssize_t n_postcodes = N_ITEMS(postcode_hits), n_towns = N_ITEMS(town_hits);
    if (N_ITEMS(name_start) != n_names + 1 || N_ITEMS(postcodes) != n || N_ITEMS(towns) != n || N_ITEMS(out) < n) {
        PyErr_SetString(PyExc_ValueError, "holding: arrays of mismatched lengths");
        goto done;
    }
    if (isnan(minimum) || most_rest < 0) {
        PyErr_SetString(PyExc_ValueError, "holding: minimum must be a number and most_rest not negative");
        goto done;
    }
    const int32_t *nh = name_hits.buf, *street = streets.buf, *postcode = postcodes.buf, *town = towns.buf;
    const int32_t *ph = postcode_hits.buf, *th = town_hits.buf;
    const int64_t *start = name_start.buf;
    int32_t *result = out.buf;
    /* A street reaches the minimum only if its name holds at least the minimum less the most any postcode and
     * any town hold: only those names' streets are visited (a few thousand of 55,000 streets at national scale),
     * and each street's codes lie beside it. The fewest hits a name needs is an integer: comparing integers is
     * what makes the loop over the names cheap. */
    double needed = ceil(minimum - (double) most_rest);
    int32_t least = needed <= 0 ? 0 : (needed >= INT32_MAX ? INT32_MAX : (int32_t) needed);
    for (Py_ssize_t k = 0; k < n_names; k++) {
        if (nh[k] < least)
            continue;
        int64_t from = start[k], to = start[k + 1];
        if (from < 0 || to < from || to > n) {
            PyErr_SetString(PyExc_ValueError, "holding: a name's streets outside the streets");
            goto done;
        }
        for (int64_t i = from; i < to; i++) {
            if (postcode[i] < 0 || postcode[i] >= n_postcodes || town[i] < 0 || town[i] >= n_towns) {
                PyErr_Format(PyExc_IndexError, "street %lld: a code outside its hits", (long long) i);
                goto done;
            }
            if ((double) ((int64_t) nh[k] + ph[postcode[i]] + th[town[i]]) < minimum)
                continue;
            if (found == N_ITEMS(out)) {
                PyErr_SetString(PyExc_ValueError, "holding: more streets than out holds");
                goto done;
            }
            result[found++] = street[i];
        }
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(found));
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
    uint8_t *found = NULL;
    int32_t *seen = NULL;  /* the last text (its position + 1) in which each trigram id was counted */

    if (!PyArg_ParseTuple(args, "OinOOOO", &objs[0], &ulen1, &vocabulary, &objs[1], &objs[2], &objs[3], &objs[4]))
        return NULL;
    if (vocabulary < 0 || vocabulary >= INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
    static const array_spec specs[5] = {
        {4, 'u', 0, "query"}, {4, 'u', 0, "trigrams"}, {8, 'i', 0, "starts"}, {4, 'i', 0, "texts"}, {4, 'f', 1, "out"}};
    if (!get_arrays(objs, views, specs, 5, &got)) goto done;

    Py_ssize_t n = N_ITEMS(texts), n_texts = N_ITEMS(starts) - 1;
    const int64_t *start = starts.buf;
    const int32_t *text = texts.buf;
    const uint32_t *store = trigrams.buf;
    float *result = out.buf;
    if (N_ITEMS(out) != n) {
        PyErr_SetString(PyExc_ValueError, "texts and out must have the same length");
        goto done;
    }
    if (ulen1 < N_ITEMS(query)) {
        PyErr_SetString(PyExc_ValueError, "ulen1: fewer than the query's trigrams given");
        goto done;
    }
    if (!prepare(&query, vocabulary, &found, &seen)) goto done;
    memset(seen, 0, sizeof(int32_t) * ((size_t) vocabulary + 1));
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t t = text[i];
        if (t < 0 || t >= n_texts || !text_in_store(start, t, &trigrams)) {
            PyErr_Format(PyExc_IndexError, "text %zd: no such store text (%d)", i, (int) t);
            goto done;
        }
        if (!check_ids(store + start[t], (Py_ssize_t) (start[t + 1] - start[t]), vocabulary, "trigrams")) goto done;
        int len2 = 0, count = 0;
        for (int64_t k = start[t]; k < start[t + 1]; k++) {
            uint32_t id = store[k];
            if (seen[id] != (int32_t) (i + 1)) {
                seen[id] = (int32_t) (i + 1);
                len2++;
                count += found[id];
            }
        }
        /* cnt_sml's guard: no trigram in either string gives 0 */
        result[i] = (ulen1 > 0 && len2 > 0) ? CALCSML(count, ulen1, len2) : 0.0f;
    }

done:
    free(found);
    free(seen);
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
    if (a->no_match != b->no_match) return a->no_match < b->no_match ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->street_score != b->street_score) return a->street_score > b->street_score ? -1 : 1;
    if (a->street_order != b->street_order) return a->street_order < b->street_order ? -1 : 1;
    if (a->box != b->box) return a->box < b->box ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return (a->chosen > b->chosen) - (a->chosen < b->chosen);
}

/* The LATERAL's order within one street: number_match DESC, typed DESC, then the rows' own order. */
typedef struct {
    int32_t no_match, not_typed, row;
} first_row;

static int
compare_first(const void *pa, const void *pb)
{
    const first_row *a = pa, *b = pb;
    if (a->no_match != b->no_match) return a->no_match < b->no_match ? -1 : 1;
    if (a->not_typed != b->not_typed) return a->not_typed < b->not_typed ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
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
    if (a->town_score != b->town_score) return a->town_score > b->town_score ? -1 : 1;
    if (a->place_order != b->place_order) return a->place_order < b->place_order ? -1 : 1;
    if (a->box != b->box) return a->box < b->box ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
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
    uint8_t *found = NULL;
    int32_t *lastpos = NULL;

    if (!PyArg_ParseTuple(args, "OOOOOOOnOinOOOdOOOnO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &postcode, &objs[7], &ulen1, &vocabulary, &objs[8], &objs[9], &objs[10],
                          &town_threshold, &objs[11], &objs[12], &objs[13], &limit, &objs[14]))
        return NULL;
    if (vocabulary < 0 || vocabulary >= INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "vocabulary: %zd is out of range", vocabulary);
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
    if (ulen1 >= 0 && ulen1 < N_ITEMS(town)) {
        PyErr_SetString(PyExc_ValueError, "ulen1: fewer than the town's trigrams given");
        goto done;
    }
    Py_ssize_t from = bisect_texts(texts.buf, texts.len, text_start.buf, n_texts, low.buf, low.len);
    Py_ssize_t to = from < 0 ? -1 : bisect_texts(texts.buf, texts.len, text_start.buf, n_texts, high.buf, high.len);
    if (from < 0 || to < 0) goto done;
    if (ulen1 >= 0 && !prepare(&town, vocabulary, &found, &lastpos)) goto done;

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
            town_score = (ulen1 > 0 && len > 0) ? walk(store + start[t], len, found, lastpos, ulen1) : 0.0f;
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
    free(found);
    free(lastpos);
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(n_out));
}

static PyMethodDef methods[] = {
    {"first_at_least", first_at_least, METH_VARARGS, first_at_least_doc},
    {"word_similarity", word_similarity, METH_VARARGS, word_similarity_doc},
    {"word_similarities", word_similarities, METH_VARARGS, word_similarities_doc},
    {"count_hits", count_hits, METH_VARARGS, count_hits_doc},
    {"holding", holding, METH_VARARGS, holding_doc},
    {"similarities", similarities, METH_VARARGS, similarities_doc},
    {"street_rows", street_rows, METH_VARARGS, street_rows_doc},
    {"exact_rows", exact_rows, METH_VARARGS, exact_rows_doc},
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
