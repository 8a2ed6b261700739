/*
 * The covering wijk of a point, for the read model (readmodel.py): the same answer as shapely's STRtree query with
 * predicate covered_by and the lowest position, about ten times faster, or "unsure" where only an exact predicate
 * can tell.
 *
 * A grid over the wijken lists, per cell, the wijken whose bounding box meets it, in position order (the
 * tie-break). For each, the point's side of every ring is found by the crossing rule (even-odd over the
 * exterior and interior rings of all its polygons, which is inside-or-outside for valid polygons; an invalid one
 * is left to GEOS). That rule is
 * exact for a point at a distance from every edge larger than the rounding of the intersection (about 1e-15
 * degrees): a point closer to an edge than `tolerance` makes the answer "unsure" (-2), and the caller asks GEOS.
 * Points on a shared boundary are exactly those, so the tie-break between neighbours stays GEOS's.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

#include "_arrays.h"

#define OUTSIDE_ALL (-1)
#define UNSURE (-2)

/* Whether (x, y) lies inside the rings first_ring..last_ring (even-odd), or UNSURE within `tolerance` of an edge. */
static int
inside_rings(double x, double y, const double *xs, const double *ys, const int64_t *ring_start, int64_t first_ring,
             int64_t last_ring, double tolerance)
{
    int inside = 0;
    double tolerance2 = tolerance * tolerance;
    for (int64_t r = first_ring; r < last_ring; r++) {
        for (int64_t k = ring_start[r]; k + 1 < ring_start[r + 1]; k++) {
            double x1 = xs[k], y1 = ys[k], x2 = xs[k + 1], y2 = ys[k + 1];
            /* Near this edge? Only edges whose box, widened by the tolerance, holds the point need the distance. */
            if (y >= fmin(y1, y2) - tolerance && y <= fmax(y1, y2) + tolerance && x >= fmin(x1, x2) - tolerance
                && x <= fmax(x1, x2) + tolerance) {
                double dx = x2 - x1, dy = y2 - y1, length2 = dx * dx + dy * dy;
                double t = length2 > 0 ? ((x - x1) * dx + (y - y1) * dy) / length2 : 0.0;
                t = t < 0 ? 0 : (t > 1 ? 1 : t);
                double ex = x1 + t * dx - x, ey = y1 + t * dy - y;
                if (ex * ex + ey * ey <= tolerance2)
                    return UNSURE;
            }
            if ((y1 > y) != (y2 > y)) {
                /* An edge so nearly horizontal that its slope is below double precision (never in lon/lat data):
                 * the intersection cannot be trusted. */
                if (fabs(y2 - y1) < 1e-100)
                    return UNSURE;
                if (x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
                    inside = !inside;
            }
        }
    }
    return inside;
}

PyDoc_STRVAR(locate_doc,
"locate(x, y, tolerance, grid, cell_start, cell_wijken, bounds, valid, wijk_ring_start, ring_start, xs, ys) -> int\n\n"
"The lowest position of a wijk covering (x, y); -1 when none does; -2 when the point lies within `tolerance` of "
"an edge of a wijk that could decide it (ask an exact predicate). grid: float64 [x0, y0, cell width, cell "
"height, columns, rows (whole numbers)]; the wijken whose box meets cell c (row-major) are "
"cell_wijken[cell_start[c]:cell_start[c + 1]] (int32, ascending; starts int64); bounds: float64, 4 per wijk "
"(xmin, ymin, xmax, ymax); valid: uint8 per wijk, 0 where the crossing rule cannot be trusted (an invalid "
"geometry: the answer is -2 wherever it may matter); "
"wijk w's rings are wijk_ring_start[w]..wijk_ring_start[w + 1] (int64), ring r's closed vertices "
"xs/ys[ring_start[r]:ring_start[r + 1]] (float64; starts int64).");

static PyObject *
locate(PyObject *self, PyObject *args)
{
    double x, y, tolerance;
    PyObject *objs[9];
    Py_buffer grid, cell_start, cell_wijken, bounds, valid, wijk_ring_start, ring_start, xs, ys;
    Py_buffer *views[9] = {&grid, &cell_start, &cell_wijken, &bounds, &valid, &wijk_ring_start, &ring_start, &xs,
                           &ys};
    static const array_spec specs[9] = {
        {8, 'f', 0, "grid"},   {8, 'i', 0, "cell_start"},      {4, 'i', 0, "cell_wijken"},
        {8, 'f', 0, "bounds"}, {1, 'u', 0, "valid"},           {8, 'i', 0, "wijk_ring_start"},
        {8, 'i', 0, "ring_start"}, {8, 'f', 0, "xs"},          {8, 'f', 0, "ys"},
    };
    int got = 0;
    long found = OUTSIDE_ALL;

    if (!PyArg_ParseTuple(args, "dddOOOOOOOOO", &x, &y, &tolerance, &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6], &objs[7], &objs[8]))
        return NULL;
    if (!get_arrays(objs, views, specs, 9, &got)) goto done;
    const double *g = grid.buf, *box = bounds.buf;
    const int64_t *cells = cell_start.buf, *wijk_rings = wijk_ring_start.buf, *rings = ring_start.buf;
    const int32_t *candidates = cell_wijken.buf;
    const uint8_t *trusted = valid.buf;
    Py_ssize_t n_wijken = N_ITEMS(wijk_ring_start) - 1, n_rings = N_ITEMS(ring_start) - 1;
    if (N_ITEMS(grid) != 6 || n_wijken < 0 || n_rings < 0 || N_ITEMS(bounds) != 4 * n_wijken
        || N_ITEMS(valid) != n_wijken || N_ITEMS(xs) != N_ITEMS(ys)) {
        PyErr_SetString(PyExc_ValueError,
                        "grid, bounds, valid, wijk_ring_start, ring_start or xs/ys do not fit together");
        goto done;
    }
    /* Whole numbers of columns and rows, and not absurdly many: the cell is then computed in integers. */
    double columns_d = g[4], rows_d = g[5];
    if (!(g[2] > 0 && g[3] > 0 && isfinite(g[0]) && isfinite(g[1]) && isfinite(g[2]) && isfinite(g[3]))
        || !(columns_d >= 1 && rows_d >= 1 && columns_d <= 1e7 && rows_d <= 1e7) || columns_d != floor(columns_d)
        || rows_d != floor(rows_d)) {
        PyErr_SetString(PyExc_ValueError, "grid: the cell sizes, columns or rows are not usable");
        goto done;
    }
    if (!(tolerance >= 0 && isfinite(tolerance))) {
        PyErr_SetString(PyExc_ValueError, "tolerance: not a finite distance");
        goto done;
    }
    int64_t columns = (int64_t) columns_d, rows = (int64_t) rows_d;
    if (N_ITEMS(cell_start) != columns * rows + 1) {
        PyErr_SetString(PyExc_ValueError, "grid: cells and cell_start do not fit together");
        goto done;
    }
    if (!(isfinite(x) && isfinite(y)))
        goto done; /* no wijk covers a point that is not one */
    if (fabs(x) > 1e4 || fabs(y) > 1e4) {
        found = UNSURE; /* far outside lon/lat, where 1e-9 is finer than the coordinates' rounding */
        goto done;
    }
    double cx = floor((x - g[0]) / g[2]), cy = floor((y - g[1]) / g[3]);
    if (cx < 0 || cy < 0 || cx > columns_d || cy > rows_d)
        goto done; /* outside every wijk's box */
    /* The grid's last column and row also hold the points on its far edges. */
    int64_t column = (int64_t) cx < columns - 1 ? (int64_t) cx : columns - 1;
    int64_t row = (int64_t) cy < rows - 1 ? (int64_t) cy : rows - 1;
    Py_ssize_t cell = (Py_ssize_t) (row * columns + column);
    if (cells[cell] < 0 || cells[cell] > cells[cell + 1] || cells[cell + 1] > N_ITEMS(cell_wijken)) {
        PyErr_SetString(PyExc_ValueError, "cell_start: a cell outside cell_wijken");
        goto done;
    }
    for (int64_t k = cells[cell]; k < cells[cell + 1]; k++) {
        int32_t w = candidates[k];
        if (w < 0 || w >= n_wijken || wijk_rings[w] < 0 || wijk_rings[w] > wijk_rings[w + 1]
            || wijk_rings[w + 1] > n_rings) {
            PyErr_Format(PyExc_IndexError, "wijk %d: outside the wijken or its rings outside ring_start", (int) w);
            goto done;
        }
        const double *b = box + 4 * (Py_ssize_t) w;
        if (x < b[0] - tolerance || x > b[2] + tolerance || y < b[1] - tolerance || y > b[3] + tolerance)
            continue;
        if (!trusted[w]) {
            found = UNSURE;
            break;
        }
        for (int64_t r = wijk_rings[w]; r < wijk_rings[w + 1]; r++) {
            if (rings[r] < 0 || rings[r] > rings[r + 1] || rings[r + 1] > N_ITEMS(xs)) {
                PyErr_SetString(PyExc_ValueError, "ring_start: a ring outside xs and ys");
                goto done;
            }
        }
        int side = inside_rings(x, y, xs.buf, ys.buf, rings, wijk_rings[w], wijk_rings[w + 1], tolerance);
        if (side != 0) {
            found = side == UNSURE ? UNSURE : w;
            break;
        }
    }

done:
    return finish(views, got, PyErr_Occurred() ? NULL : PyLong_FromLong(found));
}

static PyMethodDef methods[] = {
    {"locate", locate, METH_VARARGS, locate_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_geo", "The covering wijk of a point, for the read model (see _geo.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__geo(void)
{
    return PyModule_Create(&module);
}
