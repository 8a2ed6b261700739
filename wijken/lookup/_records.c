/*
 * The search candidates' JSON text, written straight from the address index's arrays (addressindex.py,
 * AddressIndex.candidates_json): what search._candidates() makes of the rows a search path found, passed through
 * json.dumps(separators=(",", ":")), byte for byte, and the candidate search._unambiguous() would answer for
 * (tests/wijken/test_addressindex.py compares both with the statements' candidates). A new search spent more on
 * building a dict per candidate and encoding them than on finding them.
 *
 * The texts (countries, streets, postcodes, municipalities, house numbers, boxes) arrive already escaped as
 * json.dumps escapes them (ensure_ascii: ASCII only), without their quotes. JSON escapes each character on its
 * own, so the label ("street number box, postcode municipality") is the escaped parts put together.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "_arrays.h"
#include "_text.h"

/* repr(x), as json.dumps writes a finite float. Where a decimal of at most 9 places reads back as x, that decimal
 * without its trailing zeros is repr's: two such decimals lie at least 1e-9 apart, more than x's spacing (below
 * 1.2e-10 under 1e6), so no other decimal as short reads back as x, and repr writes x between 1e-4 and 1e16 without
 * an exponent. Coordinates and rounded scores are such decimals; the others go to CPython's own repr. */
static int
put_float(text_buffer *out, double x)
{
    if (!isfinite(x)) {
        PyErr_SetString(PyExc_ValueError, "candidates_json: a coordinate or score is not finite");
        return 0;
    }
    if (x == 0.0)
        return signbit(x) ? PUT_LITERAL(out, "-0.0") : PUT_LITERAL(out, "0.0");
    double magnitude = fabs(x), units = nearbyint(magnitude * 1e9);
    if (magnitude >= 1e-3 && magnitude < 1e6 && units / 1e9 == magnitude) {
        /* Written from the right: the 9 places, less their trailing zeros but one, the point, the whole part. */
        long long k = (long long) units, whole = k / 1000000000LL, places = k % 1000000000LL;
        char text[32], *end = text + sizeof text, *at = end;
        int kept = 0;
        for (int i = 0; i < 9; i++, places /= 10) {
            int digit = (int) (places % 10);
            if (digit || kept || i == 8) {
                *--at = (char) ('0' + digit);
                kept = 1;
            }
        }
        *--at = '.';
        do {
            *--at = (char) ('0' + whole % 10);
            whole /= 10;
        } while (whole);
        if (x < 0)
            *--at = '-';
        return put(out, at, end - at);
    }
    char *text = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL)
        return 0;
    int ok = put(out, text, (Py_ssize_t) strlen(text));
    PyMem_Free(text);
    return ok;
}

/* round(x, 3) into *rounded. round() rounds the exact binary value correctly (half to even) to 3 decimals and reads
 * that decimal back. Where x * 1000 lies clearly off a half, that decimal is the nearest integer k to it, and k / 1000
 * reads back as the double k / 1000.0 (one correctly rounded division); close to a half, where the product's own
 * rounding could decide, the decimal is made as round() makes it (dtoa mode 3, as the 'f' format does). */
static int
rounded3(double x, double *rounded)
{
    if (!isfinite(x)) {
        PyErr_SetString(PyExc_ValueError, "candidates_json: a coordinate or score is not finite");
        return 0;
    }
    double scaled = x * 1000.0, below = floor(scaled);
    if (fabs(scaled) < 1e12 && fabs(scaled - below - 0.5) > 1e-6) {
        *rounded = copysign((scaled - below > 0.5 ? below + 1.0 : below) / 1000.0, x);  /* round(-0.0001, 3): -0.0 */
        return 1;
    }
    char *fixed = PyOS_double_to_string(x, 'f', 3, 0, NULL);
    if (fixed == NULL)
        return 0;
    *rounded = PyOS_string_to_double(fixed, NULL, NULL);
    PyMem_Free(fixed);
    return !(*rounded == -1.0 && PyErr_Occurred());
}

typedef struct {
    const char *texts;
    const int64_t *start;
    Py_ssize_t n_texts, texts_len;
} text_table;

/* Escaped text t of the table, without quotes. */
static int
put_text(text_buffer *out, const text_table *table, int32_t t)
{
    if (t < 0 || t >= table->n_texts || table->start[t] < 0 || table->start[t] > table->start[t + 1]
        || table->start[t + 1] > table->texts_len) {
        PyErr_Format(PyExc_IndexError, "candidates_json: no such text (%d)", (int) t);
        return 0;
    }
    return put(out, table->texts + table->start[t], (Py_ssize_t) (table->start[t + 1] - table->start[t]));
}

static int
put_quoted(text_buffer *out, const text_table *table, int32_t t)
{
    return PUT_LITERAL(out, "\"") && put_text(out, table, t) && PUT_LITERAL(out, "\"");
}

static int
text_is_empty(const text_table *table, int32_t t)
{
    return table->start[t] == table->start[t + 1];
}

/* An id, its digits written from the right (snprintf costs more than the rest of a record). */
static int
put_id(text_buffer *out, int64_t id)
{
    char digits[24], *end = digits + sizeof digits, *at = end;
    unsigned long long magnitude = id < 0 ? 0ULL - (unsigned long long) id : (unsigned long long) id;
    do {
        *--at = (char) ('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (id < 0)
        *--at = '-';
    return put(out, at, end - at);
}

/* search._label(), inside its quotes: "street number[ box], postcode municipality". */
static int
put_label(text_buffer *out, const text_table *table, const int32_t *place_text, int32_t number_text, int32_t box_text)
{
    return put_text(out, table, place_text[1]) && PUT_LITERAL(out, " ") && put_text(out, table, number_text)
        && (text_is_empty(table, box_text) || (PUT_LITERAL(out, " ") && put_text(out, table, box_text)))
        && PUT_LITERAL(out, ", ") && put_text(out, table, place_text[2]) && PUT_LITERAL(out, " ")
        && put_text(out, table, place_text[3]);
}

/* One candidate: {"id":..,"country":..,"street":..,"house_number":..,"box":..,"postcode":..,"municipality":..,
 * "lat":..,"lon":..,"score":..,"number_match":..,"street_score":..,"label":..,"exact":..}, the keys in the order
 * search._candidates() leaves them; the scores already rounded. place_text: country, street, postcode,
 * municipality. */
static int
put_record(text_buffer *out, const text_table *table, int64_t id, const int32_t *place_text, int32_t number_text,
           int32_t box_text, double lat, double lon, double score, double street_score, int number_match, int exact)
{
    return PUT_LITERAL(out, "{\"id\":") && put_id(out, id)
        && PUT_LITERAL(out, ",\"country\":") && put_quoted(out, table, place_text[0])
        && PUT_LITERAL(out, ",\"street\":") && put_quoted(out, table, place_text[1])
        && PUT_LITERAL(out, ",\"house_number\":") && put_quoted(out, table, number_text)
        && PUT_LITERAL(out, ",\"box\":") && put_quoted(out, table, box_text)
        && PUT_LITERAL(out, ",\"postcode\":") && put_quoted(out, table, place_text[2])
        && PUT_LITERAL(out, ",\"municipality\":") && put_quoted(out, table, place_text[3])
        && PUT_LITERAL(out, ",\"lat\":") && put_float(out, lat)
        && PUT_LITERAL(out, ",\"lon\":") && put_float(out, lon)
        && PUT_LITERAL(out, ",\"score\":") && put_float(out, score)
        && (number_match ? PUT_LITERAL(out, ",\"number_match\":true") : PUT_LITERAL(out, ",\"number_match\":false"))
        && PUT_LITERAL(out, ",\"street_score\":") && put_float(out, street_score)
        && PUT_LITERAL(out, ",\"label\":\"") && put_label(out, table, place_text, number_text, box_text)
        && (exact ? PUT_LITERAL(out, "\",\"exact\":true}") : PUT_LITERAL(out, "\",\"exact\":false}"));
}

/* The address of an answer, as neighbourhood.address_json() writes a candidate's: json.dumps with its default
 * separators, the keys of ADDRESS_PUBLIC_FIELDS and the label. */
static int
put_answer_address(text_buffer *out, const text_table *table, int64_t id, const int32_t *place_text,
                   int32_t number_text, int32_t box_text)
{
    return PUT_LITERAL(out, "{\"id\": ") && put_id(out, id)
        && PUT_LITERAL(out, ", \"street\": ") && put_quoted(out, table, place_text[1])
        && PUT_LITERAL(out, ", \"house_number\": ") && put_quoted(out, table, number_text)
        && PUT_LITERAL(out, ", \"box\": ") && put_quoted(out, table, box_text)
        && PUT_LITERAL(out, ", \"postcode\": ") && put_quoted(out, table, place_text[2])
        && PUT_LITERAL(out, ", \"municipality\": ") && put_quoted(out, table, place_text[3])
        && PUT_LITERAL(out, ", \"country\": ") && put_quoted(out, table, place_text[0])
        && PUT_LITERAL(out, ", \"label\": \"") && put_label(out, table, place_text, number_text, box_text)
        && PUT_LITERAL(out, "\"}");
}

/* search._street_typed(): " street " (the street's normalised name) occurs in `typed`, which is " text " (the typed
 * text, normalised, between spaces). */
static int
street_typed(const char *typed, Py_ssize_t typed_len, const char *street, Py_ssize_t street_len)
{
    Py_ssize_t needle = street_len + 2;
    for (Py_ssize_t at = 0; at + needle <= typed_len; at++) {
        if (typed[at] == ' ' && typed[at + needle - 1] == ' '
            && (street_len == 0 || memcmp(typed + at + 1, street, (size_t) street_len) == 0))
            return 1;
    }
    return 0;
}

/* search._unambiguous(): the candidate to answer for without asking, or -1. The only one; else the first exact one
 * when all exact ones lie at one point (boxes of one building); else, with none exact, the one with the typed
 * number whose (rounded) street score is the highest, the first of equals, when it reaches min_street_score and
 * beats every other one with the typed number by more than street_margin. */
static Py_ssize_t
unambiguous(Py_ssize_t n, const uint8_t *exact, const uint8_t *number_match, const double *street_score,
            const double *lat, const double *lon, double min_street_score, double street_margin)
{
    if (n == 1)
        return 0;
    Py_ssize_t first_exact = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!exact[i])
            continue;
        if (first_exact < 0)
            first_exact = i;
        else if (lat[i] != lat[first_exact] || lon[i] != lon[first_exact])
            return -1;
    }
    if (first_exact >= 0)
        return first_exact;
    Py_ssize_t best = -1;
    for (Py_ssize_t i = 0; i < n; i++)
        if (number_match[i] && (best < 0 || street_score[i] > street_score[best]))
            best = i;
    if (best < 0)
        return -1;
    double runner_up = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (number_match[i] && i != best && street_score[i] > runner_up)
            runner_up = street_score[i];
    return street_score[best] >= min_street_score && street_score[best] - runner_up > street_margin ? best : -1;
}

PyDoc_STRVAR(candidates_json_doc,
"candidates_json(rows, scores, street_scores, number_match, street_match, has_number, typed, ids, places, "
"house_numbers, boxes, lats, lons, place_texts, number_texts, box_texts, texts, text_start, place_streets, streets, "
"street_start, min_street_score, street_margin) -> (str, tuple | None)\n\n"
"What search._candidates() makes of the rows a search path found, as json.dumps with separators (',', ':') writes "
"it, and search._unambiguous()'s choice among them. The rows: address rows `rows` (int32), in that order, with "
"the path's score and street score (float64, written rounded to 3 decimals), number_match and street_match "
"(uint8). number_match counts only when a number was typed (`has_number`); a candidate is exact when its number "
"matches and its street does, or its street's normalised name stands as whole words in `typed` (bytes: the typed "
"text, normalised, between spaces). Per address row: ids (int64), places, house_numbers and boxes (int32 codes), "
"lats and lons (float64). place_texts (int32, 4 per place: country, street, postcode, municipality), number_texts "
"and box_texts (int32, per code) name texts of the JSON table: text t is texts[text_start[t]:text_start[t + 1]] "
"(ASCII bytes, JSON-escaped, without quotes; text_start int64). place_streets (int32, per place) names the place's "
"normalised street name in streets (bytes) by street_start (int64). Returns the JSON text and, for the candidate "
"to answer for, (its position, lat, lon, its address as an answer shows it: search.answer_address_json); else "
"None.");

static PyObject *
candidates_json(PyObject *Py_UNUSED(self), PyObject *args)
{
    enum { N = 20 };
    PyObject *objs[N];
    Py_buffer arrays[N];
    Py_buffer *views[N];
    int has_number, got = 0;
    double min_street_score, street_margin;
    text_buffer out = {0};
    uint8_t *flags = NULL;
    double *rounded = NULL;
    PyObject *result = NULL;

    for (int k = 0; k < N; k++)
        views[k] = &arrays[k];
    if (!PyArg_ParseTuple(args, "OOOOOpOOOOOOOOOOOOOOOdd", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &has_number, &objs[5], &objs[6], &objs[7], &objs[8], &objs[9], &objs[10], &objs[11],
                          &objs[12], &objs[13], &objs[14], &objs[15], &objs[16], &objs[17], &objs[18], &objs[19],
                          &min_street_score, &street_margin))
        return NULL;
    static const array_spec specs[N] = {
        {4, 'i', 0, "rows"},         {8, 'f', 0, "scores"},       {8, 'f', 0, "street_scores"},
        {1, 'u', 0, "number_match"}, {1, 'u', 0, "street_match"}, {1, 'u', 0, "typed"},
        {8, 'i', 0, "ids"},          {4, 'i', 0, "places"},       {4, 'i', 0, "house_numbers"},
        {4, 'i', 0, "boxes"},        {8, 'f', 0, "lats"},         {8, 'f', 0, "lons"},
        {4, 'i', 0, "place_texts"},  {4, 'i', 0, "number_texts"}, {4, 'i', 0, "box_texts"},
        {1, 'u', 0, "texts"},        {8, 'i', 0, "text_start"},   {4, 'i', 0, "place_streets"},
        {1, 'u', 0, "streets"},      {8, 'i', 0, "street_start"},
    };
    if (!get_arrays(objs, views, specs, N, &got)) goto done;

    Py_buffer *rows = &arrays[0], *typed = &arrays[5];
    Py_ssize_t n = N_ITEMS(*rows), n_rows = N_ITEMS(arrays[6]), n_places = N_ITEMS(arrays[12]) / 4;
    text_table table = {arrays[15].buf, arrays[16].buf, N_ITEMS(arrays[16]) - 1, arrays[15].len};
    const int64_t *street_start = arrays[19].buf;
    Py_ssize_t n_streets = N_ITEMS(arrays[19]) - 1;
    if (N_ITEMS(arrays[1]) != n || N_ITEMS(arrays[2]) != n || N_ITEMS(arrays[3]) != n || N_ITEMS(arrays[4]) != n
        || N_ITEMS(arrays[7]) != n_rows || N_ITEMS(arrays[8]) != n_rows || N_ITEMS(arrays[9]) != n_rows
        || N_ITEMS(arrays[10]) != n_rows || N_ITEMS(arrays[11]) != n_rows || N_ITEMS(arrays[12]) % 4 != 0
        || N_ITEMS(arrays[17]) != n_places || table.n_texts < 0 || n_streets < 0) {
        PyErr_SetString(PyExc_ValueError, "candidates_json: arrays of mismatched lengths");
        goto done;
    }
    const int32_t *row = rows->buf, *place = arrays[7].buf, *number = arrays[8].buf, *box = arrays[9].buf;
    const int32_t *place_text = arrays[12].buf, *number_text = arrays[13].buf, *box_text = arrays[14].buf;
    const int32_t *place_street = arrays[17].buf;
    const int64_t *id = arrays[6].buf;
    const double *score = arrays[1].buf, *street_score = arrays[2].buf, *lat = arrays[10].buf, *lon = arrays[11].buf;
    const uint8_t *number_matched = arrays[3].buf, *street_matched = arrays[4].buf;
    const char *streets = arrays[18].buf;

    /* Per candidate: number_match (flags) and exact, its rounded scores, and its point, for unambiguous(). */
    flags = PyMem_Malloc((size_t) (n ? n : 1) * 2);
    rounded = PyMem_Malloc(sizeof(double) * (size_t) (n ? n : 1) * 4);
    if (flags == NULL || rounded == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    uint8_t *exact = flags + n;
    double *score3 = rounded, *street_score3 = rounded + n, *row_lat = rounded + 2 * n, *row_lon = rounded + 3 * n;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t r = row[i];
        if (r < 0 || r >= n_rows || place[r] < 0 || place[r] >= n_places || number[r] < 0
            || number[r] >= N_ITEMS(arrays[13]) || box[r] < 0 || box[r] >= N_ITEMS(arrays[14])) {
            PyErr_Format(PyExc_IndexError, "candidates_json: candidate %zd: no such row, place or code", i);
            goto done;
        }
        int32_t s = place_street[place[r]];
        if (s < 0 || s >= n_streets || street_start[s] < 0 || street_start[s] > street_start[s + 1]
            || street_start[s + 1] > arrays[18].len) {
            PyErr_Format(PyExc_IndexError, "candidates_json: candidate %zd: no such street name", i);
            goto done;
        }
        flags[i] = has_number && number_matched[i];
        exact[i] = flags[i]
                   && (street_matched[i]
                       || street_typed(typed->buf, typed->len, streets + street_start[s],
                                       (Py_ssize_t) (street_start[s + 1] - street_start[s])));
        if (!rounded3(score[i], &score3[i]) || !rounded3(street_score[i], &street_score3[i]))
            goto done;
        row_lat[i] = lat[r];
        row_lon[i] = lon[r];
    }
    Py_ssize_t at = unambiguous(n, exact, flags, street_score3, row_lat, row_lon, min_street_score, street_margin);
    if (!reserve(&out, 400 * n + 2) || !PUT_LITERAL(&out, "[")) goto done;  /* a record is 300-400 bytes */
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t r = row[i];
        if ((i > 0 && !PUT_LITERAL(&out, ","))
            || !put_record(&out, &table, id[r], place_text + 4 * (Py_ssize_t) place[r], number_text[number[r]],
                           box_text[box[r]], lat[r], lon[r], score3[i], street_score3[i], flags[i], exact[i]))
            goto done;
    }
    if (!PUT_LITERAL(&out, "]")) goto done;
    /* ASCII by construction; decoding as ASCII refuses a table that is not. */
    PyObject *text = PyUnicode_DecodeASCII(out.data, out.len, "strict");
    if (text == NULL || at < 0) {
        result = text ? Py_BuildValue("(NO)", text, Py_None) : NULL;
        goto done;
    }
    int32_t r = row[at];
    out.len = 0;
    if (!put_answer_address(&out, &table, id[r], place_text + 4 * (Py_ssize_t) place[r], number_text[number[r]],
                            box_text[box[r]])) {
        Py_DECREF(text);
        goto done;
    }
    result = Py_BuildValue("(N(nddN))", text, at, lat[r], lon[r], PyUnicode_DecodeASCII(out.data, out.len, "strict"));

done:
    PyMem_Free(out.data);
    PyMem_Free(flags);
    PyMem_Free(rounded);
    return finish(views, got, result);
}

static PyMethodDef methods[] = {
    {"candidates_json", candidates_json, METH_VARARGS, candidates_json_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_records",
    "The search candidates' JSON text, written from the address index's arrays (see _records.c).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__records(void)
{
    return PyModule_Create(&module);
}
