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
"text tails[i] (int32; a head of -1: the tail alone).");

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
        Py_ssize_t len = head_len + (Py_ssize_t) (start[t + 1] - start[t]);
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
"count_hits(postings, starts, query, out) -> None\n\n"
"For each trigram id in `query` (uint32), add 1 to out[p] (int32) for every p in its posting list "
"postings[starts[id]:starts[id + 1]] (int32; starts int64, one more than there are ids): how many of the "
"query's trigrams each text holds.");

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
    int32_t *hits = out.buf;
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
        }
    }

done:
    return finish(views, got, Py_NewRef(Py_None));
}

PyDoc_STRVAR(holding_doc,
"holding(minimum, name_hits, names, postcode_hits, postcodes, town_hits, towns, out) -> int\n\n"
"The streets i whose name, postcode and town hold at least `minimum` of the query's trigrams together "
"(name_hits[names[i]] + postcode_hits[postcodes[i]] + town_hits[towns[i]], all int32), written to the front of "
"`out` (int32, as long as names) in order; returns how many.");

static PyObject *
holding(PyObject *self, PyObject *args)
{
    PyObject *objs[7];
    double minimum;
    Py_buffer name_hits, names, postcode_hits, postcodes, town_hits, towns, out;
    Py_buffer *views[7] = {&name_hits, &names, &postcode_hits, &postcodes, &town_hits, &towns, &out};
    int got = 0;
    Py_ssize_t found = 0;

    if (!PyArg_ParseTuple(args, "dOOOOOOO", &minimum, &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6]))
        return NULL;
    static const array_spec specs[7] = {
        {4, 'i', 0, "name_hits"}, {4, 'i', 0, "names"}, {4, 'i', 0, "postcode_hits"}, {4, 'i', 0, "postcodes"},
        {4, 'i', 0, "town_hits"}, {4, 'i', 0, "towns"}, {4, 'i', 1, "out"},
    };
    if (!get_arrays(objs, views, specs, 7, &got)) goto done;
    Py_ssize_t n = N_ITEMS(names);
    if (N_ITEMS(postcodes) != n || N_ITEMS(towns) != n || N_ITEMS(out) < n) {
        PyErr_SetString(PyExc_ValueError, "names, postcodes, towns and out must have the same length");
        goto done;
    }
    const int32_t *nh = name_hits.buf, *ph = postcode_hits.buf, *th = town_hits.buf;
    const int32_t *name = names.buf, *postcode = postcodes.buf, *town = towns.buf;
    Py_ssize_t n_names = N_ITEMS(name_hits), n_postcodes = N_ITEMS(postcode_hits), n_towns = N_ITEMS(town_hits);
    int32_t *result = out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (name[i] < 0 || name[i] >= n_names || postcode[i] < 0 || postcode[i] >= n_postcodes || town[i] < 0
            || town[i] >= n_towns) {
            PyErr_Format(PyExc_IndexError, "street %zd: a code outside its hits", i);
            goto done;
        }
        if ((double) ((int64_t) nh[name[i]] + ph[postcode[i]] + th[town[i]]) >= minimum)
            result[found++] = (int32_t) i;
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(found));
}

/* --- The exact path --------------------------------------------------------------------------------------- */

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
    Py_ssize_t lo = 0, hi;

    if (!PyArg_ParseTuple(args, "OOO", &objs[0], &objs[1], &objs[2]))
        return NULL;
    if (!get_arrays(objs, views, specs, 3, &got)) goto done;
    const unsigned char *bytes = texts.buf, *wanted = key.buf;
    const int64_t *start = starts.buf;
    hi = N_ITEMS(starts) - 1;
    if (hi < 0)
        hi = 0;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        int64_t from = start[mid], to = start[mid + 1];
        if (from < 0 || to < from || to > texts.len) {
            PyErr_SetString(PyExc_ValueError, "starts: a text outside the buffer");
            break;
        }
        size_t length = (size_t) (to - from), common = length < (size_t) key.len ? length : (size_t) key.len;
        int cmp = memcmp(bytes + from, wanted, common);
        if (cmp < 0 || (cmp == 0 && length < (size_t) key.len))
            lo = mid + 1;
        else
            hi = mid;
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromSsize_t(lo));
}

static PyMethodDef methods[] = {
    {"first_at_least", first_at_least, METH_VARARGS, first_at_least_doc},
    {"word_similarity", word_similarity, METH_VARARGS, word_similarity_doc},
    {"word_similarities", word_similarities, METH_VARARGS, word_similarities_doc},
    {"count_hits", count_hits, METH_VARARGS, count_hits_doc},
    {"holding", holding, METH_VARARGS, holding_doc},
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
