/*
 * The search candidates' JSON text, written straight from the address index's arrays (addressindex.py,
 * AddressIndex.candidates_json): what search._candidates() makes of the same rows, passed through
 * json.dumps(separators=(",", ":")), byte for byte (tests/wijken/test_addressindex.py compares the two). A new
 * search spent more on building a dict per candidate and encoding them than on finding them.
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

/* A growing output buffer. */
typedef struct {
    char *data;
    Py_ssize_t len, capacity;
} out_buffer;

static int
put(out_buffer *out, const char *text, Py_ssize_t len)
{
    if (out->len + len > out->capacity) {
        Py_ssize_t capacity = out->capacity ? out->capacity : 4096;
        while (capacity < out->len + len)
            capacity *= 2;
        char *bigger = PyMem_Realloc(out->data, (size_t) capacity);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return 0;
        }
        out->data = bigger;
        out->capacity = capacity;
    }
    memcpy(out->data + out->len, text, (size_t) len);
    out->len += len;
    return 1;
}

#define PUT_LITERAL(out, literal) put((out), (literal), (Py_ssize_t) (sizeof(literal) - 1))

/* repr(x), as json.dumps writes a finite float. */
static int
put_float(out_buffer *out, double x)
{
    if (!isfinite(x)) {
        PyErr_SetString(PyExc_ValueError, "records_json: a coordinate or score is not finite");
        return 0;
    }
    char *text = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL)
        return 0;
    int ok = put(out, text, (Py_ssize_t) strlen(text));
    PyMem_Free(text);
    return ok;
}

/* repr(round(x, 3)). round() rounds the exact binary value correctly (half to even) to 3 decimals and reads that
 * decimal back; its repr is the decimal without trailing zeros (no shorter decimal reads back as the same double).
 * Where x * 1000 lies clearly off a half, that is the nearest integer k to it, written as k / 1000; close to a
 * half, where the product's own rounding could decide, the decimal is made as round() makes it (dtoa mode 3, as
 * the 'f' format does). Scores lie in [0, 1] and are mostly 1.0. */
static int
put_rounded(out_buffer *out, double x)
{
    if (x == 1.0)
        return PUT_LITERAL(out, "1.0");
    if (!isfinite(x)) {
        PyErr_SetString(PyExc_ValueError, "records_json: a coordinate or score is not finite");
        return 0;
    }
    double scaled = x * 1000.0, below = floor(scaled);
    if (x >= 0.0 && scaled < 1e9 && fabs(scaled - below - 0.5) > 1e-6) {
        long long k = (long long) (scaled - below > 0.5 ? below + 1.0 : below);
        char text[32];
        int n = snprintf(text, sizeof text, "%lld.%03lld", k / 1000, k % 1000);
        while (n > 0 && text[n - 1] == '0' && text[n - 2] != '.')
            n--;  /* "0.500" -> "0.5", "0.000" -> "0.0" */
        return put(out, text, n);
    }
    char *fixed = PyOS_double_to_string(x, 'f', 3, 0, NULL);
    if (fixed == NULL)
        return 0;
    double rounded = PyOS_string_to_double(fixed, NULL, NULL);
    PyMem_Free(fixed);
    if (rounded == -1.0 && PyErr_Occurred())
        return 0;
    return put_float(out, rounded);
}

typedef struct {
    const char *texts;
    const int64_t *start;
    Py_ssize_t n_texts, texts_len;
} text_table;

/* Escaped text t of the table, without quotes. */
static int
put_text(out_buffer *out, const text_table *table, int32_t t)
{
    if (t < 0 || t >= table->n_texts || table->start[t] < 0 || table->start[t] > table->start[t + 1]
        || table->start[t + 1] > table->texts_len) {
        PyErr_Format(PyExc_IndexError, "records_json: no such text (%d)", (int) t);
        return 0;
    }
    return put(out, table->texts + table->start[t], (Py_ssize_t) (table->start[t + 1] - table->start[t]));
}

static int
put_quoted(out_buffer *out, const text_table *table, int32_t t)
{
    return PUT_LITERAL(out, "\"") && put_text(out, table, t) && PUT_LITERAL(out, "\"");
}

static int
text_is_empty(const text_table *table, int32_t t)
{
    return table->start[t] == table->start[t + 1];
}

/* One candidate: {"id":..,"country":..,"street":..,"house_number":..,"box":..,"postcode":..,"municipality":..,
 * "lat":..,"lon":..,"score":..,"number_match":..,"street_score":..,"label":..,"exact":..}, the keys in the order
 * search._candidates() leaves them. */
static int
put_record(out_buffer *out, const text_table *table, int64_t id, const int32_t *place_text, int32_t number_text,
           int32_t box_text, double lat, double lon, double score, double street_score, uint8_t flags)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long) id);
    int32_t country = place_text[0], street = place_text[1], postcode = place_text[2], municipality = place_text[3];
    return PUT_LITERAL(out, "{\"id\":") && put(out, digits, n)
        && PUT_LITERAL(out, ",\"country\":") && put_quoted(out, table, country)
        && PUT_LITERAL(out, ",\"street\":") && put_quoted(out, table, street)
        && PUT_LITERAL(out, ",\"house_number\":") && put_quoted(out, table, number_text)
        && PUT_LITERAL(out, ",\"box\":") && put_quoted(out, table, box_text)
        && PUT_LITERAL(out, ",\"postcode\":") && put_quoted(out, table, postcode)
        && PUT_LITERAL(out, ",\"municipality\":") && put_quoted(out, table, municipality)
        && PUT_LITERAL(out, ",\"lat\":") && put_float(out, lat)
        && PUT_LITERAL(out, ",\"lon\":") && put_float(out, lon)
        && PUT_LITERAL(out, ",\"score\":") && put_rounded(out, score)
        && (flags & 1 ? PUT_LITERAL(out, ",\"number_match\":true") : PUT_LITERAL(out, ",\"number_match\":false"))
        && PUT_LITERAL(out, ",\"street_score\":") && put_rounded(out, street_score)
        /* search._label(): "street number[ box], postcode municipality" */
        && PUT_LITERAL(out, ",\"label\":\"") && put_text(out, table, street) && PUT_LITERAL(out, " ")
        && put_text(out, table, number_text)
        && (text_is_empty(table, box_text) || (PUT_LITERAL(out, " ") && put_text(out, table, box_text)))
        && PUT_LITERAL(out, ", ") && put_text(out, table, postcode) && PUT_LITERAL(out, " ")
        && put_text(out, table, municipality)
        && (flags & 2 ? PUT_LITERAL(out, "\",\"exact\":true}") : PUT_LITERAL(out, "\",\"exact\":false}"));
}

PyDoc_STRVAR(records_json_doc,
"records_json(rows, scores, street_scores, flags, ids, places, house_numbers, boxes, lats, lons, place_texts, "
"number_texts, box_texts, texts, text_start) -> str\n\n"
"The candidates at address rows `rows` (int32), in that order, as search._candidates() and json.dumps with "
"separators (',', ':') write them. Per candidate: its score and street score (float64, written rounded to 3 "
"decimals) and flags (uint8: 1 number_match, 2 exact). Per address row: ids (int64), places, house_numbers and "
"boxes (int32 codes), lats and lons (float64). place_texts (int32, 4 per place: country, street, postcode, "
"municipality), number_texts and box_texts (int32, per code) name texts of the table: text t is "
"texts[text_start[t]:text_start[t + 1]] (ASCII bytes, JSON-escaped, without quotes; text_start int64).");

static PyObject *
records_json(PyObject *self, PyObject *args)
{
    PyObject *objs[15];
    Py_buffer rows, scores, street_scores, flags, ids, places, house_numbers, boxes, lats, lons, place_texts,
        number_texts, box_texts, texts, text_start;
    Py_buffer *views[15] = {&rows,   &scores, &street_scores, &flags,       &ids,          &places,
                            &house_numbers, &boxes, &lats, &lons, &place_texts, &number_texts,
                            &box_texts, &texts, &text_start};
    int got = 0;
    out_buffer out = {0};
    PyObject *result = NULL;

    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7], &objs[8], &objs[9], &objs[10], &objs[11], &objs[12], &objs[13],
                          &objs[14]))
        return NULL;
    static const array_spec specs[15] = {
        {4, 'i', 0, "rows"},          {8, 'f', 0, "scores"},       {8, 'f', 0, "street_scores"},
        {1, 'u', 0, "flags"},         {8, 'i', 0, "ids"},          {4, 'i', 0, "places"},
        {4, 'i', 0, "house_numbers"}, {4, 'i', 0, "boxes"},        {8, 'f', 0, "lats"},
        {8, 'f', 0, "lons"},          {4, 'i', 0, "place_texts"},  {4, 'i', 0, "number_texts"},
        {4, 'i', 0, "box_texts"},     {1, 'u', 0, "texts"},        {8, 'i', 0, "text_start"},
    };
    if (!get_arrays(objs, views, specs, 15, &got)) goto done;

    Py_ssize_t n = N_ITEMS(rows), n_rows = N_ITEMS(ids), n_places = N_ITEMS(place_texts) / 4;
    text_table table = {texts.buf, text_start.buf, N_ITEMS(text_start) - 1, texts.len};
    if (N_ITEMS(scores) != n || N_ITEMS(street_scores) != n || N_ITEMS(flags) != n || N_ITEMS(places) != n_rows
        || N_ITEMS(house_numbers) != n_rows || N_ITEMS(boxes) != n_rows || N_ITEMS(lats) != n_rows
        || N_ITEMS(lons) != n_rows || N_ITEMS(place_texts) % 4 != 0 || table.n_texts < 0) {
        PyErr_SetString(PyExc_ValueError, "records_json: arrays of mismatched lengths");
        goto done;
    }
    const int32_t *row = rows.buf, *place = places.buf, *number = house_numbers.buf, *box = boxes.buf;
    const int32_t *place_text = place_texts.buf, *number_text = number_texts.buf, *box_text = box_texts.buf;
    const int64_t *id = ids.buf;
    const double *score = scores.buf, *street_score = street_scores.buf, *lat = lats.buf, *lon = lons.buf;
    const uint8_t *flag = flags.buf;
    if (!PUT_LITERAL(&out, "[")) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t r = row[i];
        if (r < 0 || r >= n_rows || place[r] < 0 || place[r] >= n_places || number[r] < 0
            || number[r] >= N_ITEMS(number_texts) || box[r] < 0 || box[r] >= N_ITEMS(box_texts)) {
            PyErr_Format(PyExc_IndexError, "records_json: candidate %zd: no such row, place or code", i);
            goto done;
        }
        if ((i > 0 && !PUT_LITERAL(&out, ","))
            || !put_record(&out, &table, id[r], place_text + 4 * (Py_ssize_t) place[r], number_text[number[r]],
                           box_text[box[r]], lat[r], lon[r], score[i], street_score[i], flag[i]))
            goto done;
    }
    if (!PUT_LITERAL(&out, "]")) goto done;
    /* ASCII by construction; decoding as ASCII refuses a table that is not. */
    result = PyUnicode_DecodeASCII(out.data, out.len, "strict");

done:
    PyMem_Free(out.data);
    return finish(views, got, result);
}

static PyMethodDef methods[] = {
    {"records_json", records_json, METH_VARARGS, records_json_doc},
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
