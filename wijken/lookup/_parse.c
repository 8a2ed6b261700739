/*
 * search.parse_query() for plain ASCII text, in C: what a citizen typed, taken apart into street, house number,
 * Dutch postcode, a postcode and a town typed after the number. search.py's regular expressions define it; this
 * follows them step by step for ASCII text (Python's \w is [A-Za-z0-9_] there, \d [0-9], \s the ASCII blanks), and
 * tests/wijken/test_parse.py compares the two on every address of a register typed in every way the benchmark types
 * them and on random text. Text that is not ASCII once lower-cased and unaccented is parsed by search.py itself.
 *
 * Each function names the pattern of search.py it follows. A regular expression may try several ways to match;
 * where the first way it tries always succeeds, or none of the others could, the comments say why, and only that
 * way is followed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_text.h"

/* Python's \s, \d and \w of a str pattern, for ASCII characters. */
static int
is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int
is_letter(unsigned char c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int
is_word(unsigned char c)
{
    return is_letter(c) || is_digit(c) || c == '_';
}

/* \b at position i of s[0:n]. */
static int
boundary(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    int before = i > 0 && is_word((unsigned char) s[i - 1]), after = i < n && is_word((unsigned char) s[i]);
    return before != after;
}

/* " ".join(s.split()), into out (emptied first). */
static int
collapse(const char *s, Py_ssize_t n, text_buffer *out)
{
    out->len = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        while (i < n && is_space((unsigned char) s[i]))
            i++;
        Py_ssize_t start = i;
        while (i < n && !is_space((unsigned char) s[i]))
            i++;
        if (i > start && ((out->len > 0 && !put(out, " ", 1)) || !put(out, s + start, i - start)))
            return 0;
    }
    return 1;
}

/* --- NL_POSTCODE: ^\s*(\d{4})\s*([a-z]{2})\b[\s,-]*(?:(\d+)\s*[-\s]?\s*([a-z0-9]{1,4})?)?\s*$ ---------------
 *
 * Followed greedily. Each greedy run (\s*, [\s,-]*, \d+) stops before a character the next step needs and cannot
 * take from it: giving back blanks, commas or digits leaves a character that \d{4}, [a-z]{2}, the number or the
 * final \s*$ refuses. The addition takes at most 4 characters, and the end must follow: fewer never helps. */
typedef struct {
    Py_ssize_t digits, letters, number, number_len, addition, addition_len;
} nl_match;

static int
match_nl_postcode(const char *s, Py_ssize_t n, nl_match *m)
{
    Py_ssize_t i = 0;
    while (i < n && is_space((unsigned char) s[i]))
        i++;
    for (int k = 0; k < 4; k++)
        if (i + k >= n || !is_digit((unsigned char) s[i + k]))
            return 0;
    m->digits = i;
    i += 4;
    while (i < n && is_space((unsigned char) s[i]))
        i++;
    if (i + 2 > n || !is_lower((unsigned char) s[i]) || !is_lower((unsigned char) s[i + 1]) || !boundary(s, n, i + 2))
        return 0;
    m->letters = i;
    i += 2;
    while (i < n && (is_space((unsigned char) s[i]) || s[i] == ',' || s[i] == '-'))
        i++;
    m->number = m->addition = i;
    m->number_len = m->addition_len = 0;
    if (i < n && is_digit((unsigned char) s[i])) {
        while (i < n && is_digit((unsigned char) s[i]))
            i++;
        m->number_len = i - m->number;
        while (i < n && is_space((unsigned char) s[i]))
            i++;
        if (i < n && s[i] == '-')  /* [-\s]? after \s*: only a hyphen is left for it */
            i++;
        while (i < n && is_space((unsigned char) s[i]))
            i++;
        m->addition = i;
        while (i < n && i - m->addition < 4 && (is_lower((unsigned char) s[i]) || is_digit((unsigned char) s[i])))
            i++;
        m->addition_len = i - m->addition;
    }
    while (i < n && is_space((unsigned char) s[i]))
        i++;
    return i == n;
}

/* --- _ABBREVIATION: \b(st|o\.?\s?l\.?\s?v|str|ln|pl)\b\.?, replaced by ABBREVIATIONS -------------------------
 *
 * At a word boundary, the alternatives in their order, each followed by \b; "o.l.v"'s optional dots and blanks
 * between its letters are taken when present (leaving one out leaves that character for the next letter, which it
 * is not). */
static const struct {
    const char *letters;
    int dotted;  /* a dot and a blank may follow each letter but the last: o\.?\s?l\.?\s?v */
} ABBREVIATED[] = {{"st", 0}, {"olv", 1}, {"str", 0}, {"ln", 0}, {"pl", 0}};

/* The length of the abbreviation at s[i:], its dot included, and which one (*which); 0 when none is there. */
static Py_ssize_t
abbreviation_at(const char *s, Py_ssize_t n, Py_ssize_t i, int *which)
{
    if (!boundary(s, n, i))
        return 0;
    for (int k = 0; k < 5; k++) {
        Py_ssize_t j = i;
        const char *letter = ABBREVIATED[k].letters;
        for (; *letter && j < n && s[j] == *letter; letter++) {
            j++;
            if (ABBREVIATED[k].dotted && letter[1]) {
                if (j < n && s[j] == '.')
                    j++;
                if (j < n && is_space((unsigned char) s[j]))
                    j++;
            }
        }
        if (*letter || !boundary(s, n, j))
            continue;
        if (j < n && s[j] == '.')
            j++;
        *which = k;
        return j - i;
    }
    return 0;
}

/* _expanded(): the abbreviations written out, then " ".join(split()). */
static int
expand(const char *s, Py_ssize_t n, const char *const *written, text_buffer *scratch, text_buffer *out)
{
    scratch->len = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        int which;
        Py_ssize_t len = abbreviation_at(s, n, i, &which);
        if (len) {
            if (!put(scratch, written[which], (Py_ssize_t) strlen(written[which])))
                return 0;
            i += len;
        }
        else if (!put(scratch, s + i++, 1))
            return 0;
    }
    return collapse(scratch->data, scratch->len, out);
}

/* --- NUMBER: (?<![\w])(\d+)\s*(?:(?:bus|bte|boite)\s*)?([a-z]{1,2}\b|\d*), ignoring case ------------------------
 *
 * Its last alternative, \d*, matches anywhere, even nothing: the first way tried always succeeds, so the greedy
 * runs stand and the box word is taken whenever it is there. */
typedef struct {
    Py_ssize_t start, end, digits_len, suffix, suffix_len;
} number_match;

static int
box_word_at(const char *s, Py_ssize_t n, Py_ssize_t i, int ignore_case)
{
    static const char *const words[] = {"bus", "bte", "boite"};
    for (int k = 0; k < 3; k++) {
        Py_ssize_t len = (Py_ssize_t) strlen(words[k]);
        if (i + len > n)
            continue;
        Py_ssize_t j = 0;
        while (j < len && (s[i + j] == words[k][j] || (ignore_case && s[i + j] == words[k][j] - 'a' + 'A')))
            j++;
        if (j == len)
            return (int) len;
    }
    return 0;
}

/* The match of NUMBER starting at i, if any. */
static int
number_at(const char *s, Py_ssize_t n, Py_ssize_t i, number_match *m)
{
    if (!is_digit((unsigned char) s[i]) || (i > 0 && is_word((unsigned char) s[i - 1])))
        return 0;
    Py_ssize_t j = i;
    while (j < n && is_digit((unsigned char) s[j]))
        j++;
    m->start = i;
    m->digits_len = j - i;
    while (j < n && is_space((unsigned char) s[j]))
        j++;
    int box = box_word_at(s, n, j, 1);
    if (box) {
        j += box;
        while (j < n && is_space((unsigned char) s[j]))
            j++;
    }
    m->suffix = j;
    if (j + 2 <= n && is_letter((unsigned char) s[j]) && is_letter((unsigned char) s[j + 1]) && boundary(s, n, j + 2))
        j += 2;
    else if (j + 1 <= n && is_letter((unsigned char) s[j]) && boundary(s, n, j + 1))
        j += 1;
    else
        while (j < n && is_digit((unsigned char) s[j]))
            j++;
    m->suffix_len = j - m->suffix;
    m->end = j;
    return 1;
}

/* NUMBER.finditer(s): the matches, left to right, none overlapping, *found of them (out has room for n / 2 + 1). */
static void
find_numbers(const char *s, Py_ssize_t n, number_match *out, Py_ssize_t *found)
{
    *found = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        if (number_at(s, n, i, &out[*found]))
            i = out[(*found)++].end;
        else
            i++;
    }
}

/* --- _words(): NOT_A_WORD.sub(" ", BOX_WORD.sub(" ", NUMBER.sub(" ", s))), " ".join(split()), strip(" -") ---- */

static int
words(const char *s, Py_ssize_t n, text_buffer *a, text_buffer *b, text_buffer *out)
{
    /* NUMBER.sub(" ", s): s as a string of its own (the look-behind sees nothing before it). */
    a->len = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        number_match m;
        if (number_at(s, n, i, &m)) {
            if (!put(a, " ", 1))
                return 0;
            i = m.end;
        }
        else if (!put(a, s + i++, 1))
            return 0;
    }
    /* BOX_WORD.sub(" ", ...): \b(bus|bte|boite)\b, case as typed; and NOT_A_WORD.sub(" ", ...): [^\w\s'-]. */
    b->len = 0;
    i = 0;
    while (i < a->len) {
        int len = boundary(a->data, a->len, i) ? box_word_at(a->data, a->len, i, 0) : 0;
        if (len && boundary(a->data, a->len, i + len)) {
            if (!put(b, " ", 1))
                return 0;
            i += len;
            continue;
        }
        unsigned char c = (unsigned char) a->data[i++];
        char kept = (is_word(c) || is_space(c) || c == '\'' || c == '-') ? (char) c : ' ';
        if (!put(b, &kept, 1))
            return 0;
    }
    if (!collapse(b->data, b->len, out))
        return 0;
    Py_ssize_t from = 0, to = out->len;
    while (from < to && (out->data[from] == ' ' || out->data[from] == '-'))
        from++;
    while (to > from && (out->data[to - 1] == ' ' || out->data[to - 1] == '-'))
        to--;
    if (from > 0 && to > from)  /* nothing to move from an empty text, whose buffer may be NULL */
        memmove(out->data, out->data + from, (size_t) (to - from));
    out->len = to - from;
    return 1;
}

static PyObject *
as_str(const text_buffer *t)
{
    return PyUnicode_DecodeASCII(t->len ? t->data : "", t->len, "strict");
}

PyDoc_STRVAR(parse_doc,
"parse(plain, abbreviations) -> tuple | None\n\n"
"search.parse_query() of text as search._plain() leaves it (lower case, single blanks), when that text is ASCII: "
"(text, street, number, nl_postcode, exact_street, postcode, town), the fields of search.ParsedQuery. "
"`abbreviations`: what st, olv, str, ln and pl are written out as, in that order (search.ABBREVIATIONS). None "
"for text that is not ASCII.");

static PyObject *
parse(PyObject *Py_UNUSED(self), PyObject *args)
{
    const char *s, *written[5];
    Py_ssize_t n;
    PyObject *plain, *abbreviations;
    if (!PyArg_ParseTuple(args, "UO!", &plain, &PyTuple_Type, &abbreviations))
        return NULL;
    if (PyTuple_GET_SIZE(abbreviations) != 5)
        return PyErr_Format(PyExc_ValueError, "abbreviations: 5 texts expected");
    for (int k = 0; k < 5; k++) {
        written[k] = PyUnicode_Check(PyTuple_GET_ITEM(abbreviations, k))
                         ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(abbreviations, k)) : NULL;
        if (written[k] == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "abbreviations: texts expected");
            return NULL;
        }
    }
    if (!PyUnicode_IS_ASCII(plain))
        Py_RETURN_NONE;
    s = (const char *) PyUnicode_DATA(plain);
    n = PyUnicode_GET_LENGTH(plain);

    nl_match nl;
    if (match_nl_postcode(s, n, &nl)) {
        /* A Dutch postcode's letters are no abbreviation ("1315 ST"): matched before they would be written out. */
        char postcode[6] = {s[nl.digits], s[nl.digits + 1], s[nl.digits + 2], s[nl.digits + 3],
                            (char) (s[nl.letters] - 'a' + 'A'), (char) (s[nl.letters + 1] - 'a' + 'A')};
        PyObject *number = PyUnicode_New(nl.number_len + nl.addition_len, 127);
        if (number == NULL)
            return NULL;
        memcpy(PyUnicode_DATA(number), s + nl.number, (size_t) nl.number_len);
        memcpy((char *) PyUnicode_DATA(number) + nl.number_len, s + nl.addition, (size_t) nl.addition_len);
        return Py_BuildValue("(OsNs#sss)", plain, "", number, postcode, (Py_ssize_t) 6, "", "", "");
    }

    PyObject *result = NULL;
    text_buffer expanded = {0}, scratch = {0}, a = {0}, b = {0}, street = {0}, exact_street = {0}, town = {0};
    number_match *numbers = NULL;
    if (!expand(s, n, written, &scratch, &expanded))
        goto done;
    const char *t = expanded.data ? expanded.data : "";
    Py_ssize_t tn = expanded.len, found;
    /* Each match takes a digit after a character that is not one of \w: at most (tn + 1) / 2 of them. */
    numbers = PyMem_Malloc(sizeof(number_match) * (size_t) (tn / 2 + 1));
    if (numbers == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    find_numbers(t, tn, numbers, &found);
    /* The house number: the first number that is not a 4-digit postcode, else the first. */
    const number_match *chosen = NULL, *postcode = NULL;
    for (Py_ssize_t k = 0; k < found && chosen == NULL; k++)
        if (numbers[k].digits_len != 4)
            chosen = &numbers[k];
    if (chosen == NULL && found)
        chosen = &numbers[0];
    /* The street is what comes before a postcode: a 4-digit number, not the house number, not at the start. */
    for (Py_ssize_t k = 0; k < found && postcode == NULL; k++)
        if (numbers[k].digits_len == 4 && &numbers[k] != chosen && numbers[k].start > 0)
            postcode = &numbers[k];
    if (!words(t, postcode ? postcode->start : tn, &a, &b, &street))
        goto done;
    int exact_is_street = 1;
    char typed_postcode[6];
    Py_ssize_t typed_postcode_len = 0;
    if (chosen != NULL && chosen->start > 0) {
        /* "Kerkstraat 9, 9440 Heerdedam": the street before the number; the postcode and town after it. */
        exact_is_street = 0;
        if (!words(t, chosen->start, &a, &b, &exact_street) || !words(t + chosen->end, tn - chosen->end, &a, &b, &town))
            goto done;
        if (postcode != NULL && postcode->start > chosen->start) {
            Py_ssize_t suffix_len = postcode->suffix_len;
            const char *suffix = t + postcode->suffix;
            /* Belgian "9440", Dutch "7411 ab": no suffix, or two letters */
            if (suffix_len == 0 || (suffix_len == 2 && is_letter((unsigned char) suffix[0])
                                    && is_letter((unsigned char) suffix[1]))) {
                memcpy(typed_postcode, t + postcode->start, 4);
                for (Py_ssize_t k = 0; k < suffix_len; k++)
                    typed_postcode[4 + k] = (char) (is_lower((unsigned char) suffix[k]) ? suffix[k] - 'a' + 'A'
                                                                                        : suffix[k]);
                typed_postcode_len = 4 + suffix_len;
            }
        }
    }
    PyObject *number = PyUnicode_New(chosen ? chosen->digits_len + chosen->suffix_len : 0, 127);
    if (number == NULL)
        goto done;
    if (chosen) {
        memcpy(PyUnicode_DATA(number), t + chosen->start, (size_t) chosen->digits_len);
        memcpy((char *) PyUnicode_DATA(number) + chosen->digits_len, t + chosen->suffix, (size_t) chosen->suffix_len);
    }
    result = Py_BuildValue("(NNNsNs#N)", as_str(&expanded), as_str(&street), number, "",
                           as_str(exact_is_street ? &street : &exact_street), typed_postcode, typed_postcode_len,
                           as_str(&town));

done:
    PyMem_Free(numbers);
    PyMem_Free(expanded.data);
    PyMem_Free(scratch.data);
    PyMem_Free(a.data);
    PyMem_Free(b.data);
    PyMem_Free(street.data);
    PyMem_Free(exact_street.data);
    PyMem_Free(town.data);
    return result;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS, parse_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_parse", "search.parse_query() for plain ASCII text (see _parse.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__parse(void)
{
    return PyModule_Create(&module);
}
