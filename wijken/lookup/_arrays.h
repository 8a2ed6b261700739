/*
 * The address index's C extensions (_trgm.c, _geo.c) take their arrays through the buffer protocol: numpy arrays,
 * bytes, array.array. These helpers check them (C-contiguous, one dimension, item size, kind, native byte order)
 * and release them, so that no wrong array is ever read as another: a wrong one is a Python exception.
 */
#ifndef WIJKEN_LOOKUP_ARRAYS_H
#define WIJKEN_LOOKUP_ARRAYS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The buffer of `obj` as a C-contiguous array of `itemsize`-byte items of `kind` ('i' signed, 'u' unsigned,
 * 'f' floating). Returns 0 with an exception set when it is not one. */
static int
get_array(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, char kind, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return 0;
    const char *format = view->format ? view->format : "B";
    /* Native byte order only: '=' and '@' say so, '<' does on a little-endian machine; the items are read as
     * this machine's integers and floats. */
    const uint16_t probe = 1;
    const int little_endian = *(const uint8_t *) &probe == 1;
    if (*format == '=' || *format == '@' || (*format == '<' && little_endian))
        format++;
    char c = *format;
    char got = 0;
    if (c == 'b' || c == 'h' || c == 'i' || c == 'l' || c == 'q' || c == 'n')
        got = 'i';
    else if (c == 'B' || c == 'H' || c == 'I' || c == 'L' || c == 'Q' || c == 'N' || c == '?')
        got = 'u';
    else if (c == 'f' || c == 'd')
        got = 'f';
    if (view->itemsize != itemsize || got != kind || view->ndim > 1) {
        PyErr_Format(PyExc_TypeError, "%s: expected a 1-d array of %zd-byte %s items, got format '%s'", name,
                     itemsize, kind == 'f' ? "float" : (kind == 'u' ? "unsigned" : "signed"), view->format);
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

#define N_ITEMS(view) ((view).len / (view).itemsize)

/* What one argument must be: its item size and kind ('i', 'u', 'f'), whether it is written, its name. */
typedef struct {
    Py_ssize_t itemsize;
    char kind;
    int writable;
    const char *name;
} array_spec;

/* get_array() for each of `n` arguments in turn; `*got` counts those held, for finish() to release. An array
 * written to may share no memory with another argument: a function that checked an input and then wrote its
 * output over it would read what it did not check. */
static int
get_arrays(PyObject **objs, Py_buffer **views, const array_spec *specs, int n, int *got)
{
    for (int k = 0; k < n; k++) {
        if (!get_array(objs[k], views[k], specs[k].itemsize, specs[k].kind, specs[k].writable, specs[k].name))
            return 0;
        (*got)++;
    }
    for (int k = 0; k < n; k++) {
        if (!specs[k].writable || views[k]->len == 0)
            continue;
        const char *start = views[k]->buf, *end = start + views[k]->len;
        for (int j = 0; j < n; j++) {
            const char *other = views[j]->buf;
            if (j != k && views[j]->len > 0 && other < end && start < other + views[j]->len) {
                PyErr_Format(PyExc_ValueError, "%s shares memory with %s", specs[k].name, specs[j].name);
                return 0;
            }
        }
    }
    return 1;
}

/* Release the first `got` of `views` and say whether the call failed: the common end of the functions that take
 * arrays. */
static PyObject *
finish(Py_buffer **views, int got, PyObject *result)
{
    for (int k = 0; k < got; k++)
        PyBuffer_Release(views[k]);
    if (PyErr_Occurred()) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

#endif
