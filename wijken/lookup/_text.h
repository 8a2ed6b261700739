/*
 * A growing byte buffer for the lookup's C extensions that write text (_records.c: JSON; _parse.c: a query's
 * parts): put() appends, PUT_LITERAL() appends a string literal, reserve() makes room ahead. The memory is PyMem's; the owner frees `data`.
 */
#ifndef WIJKEN_LOOKUP_TEXT_H
#define WIJKEN_LOOKUP_TEXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct {
    char *data;
    Py_ssize_t len, capacity;
} text_buffer;

/* Room for at least `capacity` bytes in all; 0 with MemoryError set when the buffer cannot grow. */
static int
reserve(text_buffer *out, Py_ssize_t capacity)
{
    if (capacity <= out->capacity)
        return 1;
    Py_ssize_t grown = out->capacity ? out->capacity : 256;
    while (grown < capacity)
        grown *= 2;
    char *bigger = PyMem_Realloc(out->data, (size_t) grown);
    if (bigger == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    out->data = bigger;
    out->capacity = grown;
    return 1;
}

/* Append len bytes of s. */
static int
put(text_buffer *out, const char *s, Py_ssize_t len)
{
    if (!reserve(out, out->len + len))
        return 0;
    if (len)
        memcpy(out->data + out->len, s, (size_t) len);
    out->len += len;
    return 1;
}

#define PUT_LITERAL(out, literal) put((out), (literal), (Py_ssize_t) (sizeof(literal) - 1))

#endif
