"""The mijn-buurt read model (wijken/lookup/readmodel.py): its boundary index agrees with the SQL predicate on
every kind of point, its distances with PostGIS, and it reloads what changed, when it changed, and no more."""

from __future__ import annotations

import datetime
import gc
import math
import random

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from tests import factories as f
from tests.wijken.test_lookup_support import clean_slate, make_address  # noqa: F401
from wijken import lookup
from wijken.lookup import caching, readmodel
from wijken.models import Assignment, Wijk

pytestmark = pytest.mark.usefixtures("clean_slate")


def _jittered_grid(rng: random.Random, size: int, x0: float, y0: float, step: float) -> dict:
    """A (size+1)² grid of vertices moved a little at random, so that the cells are irregular quadrilaterals
    sharing their edges exactly, as the wijken of one zone do."""
    return {
        (i, j): (x0 + i * step + rng.uniform(-0.3, 0.3) * step, y0 + j * step + rng.uniform(-0.3, 0.3) * step)
        for i in range(size + 1)
        for j in range(size + 1)
    }


@pytest.fixture
def tiled_zone(db):
    """16 wijken tiling a zone, coded in an order unrelated to their ids, plus an ended and a future one
    lying over them (which must not count)."""
    rng = random.Random(4)
    grid = _jittered_grid(rng, 4, 3.0, 51.0, 0.01)
    codes = [f"W{n:02d}" for n in rng.sample(range(16), 16)]
    today = timezone.localdate()
    with scopes_disabled():
        zone = f.ZoneFactory(boundary=MultiPolygon(Polygon.from_bbox((2.9, 50.9, 3.2, 51.2)), srid=4326))
        for n, (i, j) in enumerate((i, j) for i in range(4) for j in range(4)):
            ring = [grid[i, j], grid[i + 1, j], grid[i + 1, j + 1], grid[i, j + 1], grid[i, j]]
            f.WijkFactory(zone=zone, code=codes[n], boundary=MultiPolygon(Polygon(ring), srid=4326))
        everything = MultiPolygon(Polygon.from_bbox((2.9, 50.9, 3.2, 51.2)), srid=4326)
        f.WijkFactory(zone=zone, code="A-OLD", boundary=everything, valid_until=today)
        f.WijkFactory(zone=zone, code="A-NEW", boundary=everything, valid_from=today + datetime.timedelta(days=1))
    return zone, grid


def test_the_index_agrees_with_the_sql_predicate_on_vertices_edges_and_anywhere(tiled_zone):
    _zone, grid = tiled_zone
    rng = random.Random(5)
    points = list(grid.values())  # shared corners: up to four wijken cover each
    for (i, j), (x, y) in grid.items():  # shared edges: two wijken cover each
        if (i + 1, j) in grid:
            x2, y2 = grid[i + 1, j]
            points.append(((x + x2) / 2, (y + y2) / 2))
    points += [(rng.uniform(2.99, 3.05), rng.uniform(50.99, 51.05)) for _ in range(500)]  # in wijken, and not
    index = lookup.boundary_index()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE pts (n int, lon float8, lat float8)")
        cursor.executemany("INSERT INTO pts VALUES (%s, %s, %s)", [(n, x, y) for n, (x, y) in enumerate(points)])
        covering = lookup.COVERING_WIJK_SQL.format(point="ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)")
        cursor.execute(
            f"SELECT p.n, cw.id FROM pts p LEFT JOIN LATERAL ({covering}) cw ON true ORDER BY p.n",
            {"today": timezone.localdate()},
        )
        by_sql = [row[1] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE pts")
    in_memory = [index.covering(x, y)[0] for x, y in points]
    assert in_memory == by_sql
    assert list(index.covering_many(*zip(*points, strict=True))) == [-1 if w is None else w for w in by_sql]
    assert sum(w is not None for w in by_sql) > 200 and None in by_sql  # both kinds of point were asked


def test_distances_agree_with_postgis_geodesic(db):
    rng = random.Random(6)
    pairs = []
    for _ in range(300):
        lat, lon = rng.uniform(49.5, 53.5), rng.uniform(2.5, 7.2)
        metres, bearing = rng.uniform(0, 30_000), rng.uniform(0, 2 * math.pi)
        pairs.append(
            (
                lon,
                lat,
                lon + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat))),
                lat + metres * math.cos(bearing) / 110_570,
            )
        )
    with connection.cursor() as cursor:
        for lon1, lat1, lon2, lat2 in pairs:
            cursor.execute(
                "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, "
                "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)",
                [lon1, lat1, lon2, lat2],
            )
            assert abs(cursor.fetchone()[0] - lookup.distance_m(lon1, lat1, lon2, lat2)) < 0.1


def test_a_bundle_older_than_the_index_is_reloaded_when_it_lacks_the_wijk(db):
    """Another process added a wijk: the boundary index (rebuilt) names it before this zone's bundle was
    reloaded. The answer loads the bundle again rather than say no wijk covers the point."""
    with scopes_disabled():
        zone = f.ZoneFactory(boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.2, 51.2)), srid=4326))
        f.WijkFactory(zone=zone, code="W1", boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.1, 51.2))))
    assert lookup.neighbourhood_at((51.1, 3.15))["found"] is False
    with scopes_disabled():  # no signal: as another process's rows look to this one
        Wijk.objects.bulk_create(
            [
                Wijk(
                    zone=zone,
                    code="W2",
                    name="Nieuw",
                    boundary=MultiPolygon(Polygon.from_bbox((3.1, 51.0, 3.2, 51.2)), srid=4326),
                    valid_from=datetime.date(2020, 1, 1),
                )
            ]
        )
    caching.redis_client().hincrby(caching._make_key(caching.VERSIONS_KEY), "geo", 1)
    caching._versions_seen = (0.0, {})  # read the versions again now
    answer = lookup.neighbourhood_at((51.1, 3.15))
    assert answer["found"] is True and answer["wijk"]["name"] == "Nieuw"


def test_at_midnight_the_read_model_moves_to_the_new_day(db, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with scopes_disabled():
        zone = f.ZoneFactory(boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.2, 51.2)), srid=4326))
        w = f.WijkFactory(zone=zone, code="W1", boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.2, 51.2))))
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur__display_name="Anna", ends_on=timezone.localdate())
        f.AssignmentFactory(
            zone=zone,
            wijk=w,
            wijkinspecteur__display_name="Bart",
            role=Assignment.AssignmentRole.WIJKINSPECTEUR,
            starts_on=tomorrow,
        )
    assert [o["name"] for o in lookup.neighbourhood_at((51.1, 3.1))["officers"]] == ["Anna"]
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    monkeypatch.setattr(readmodel, "_today", (0, ""))  # the clock moved on: today_iso() asks again
    assert [o["name"] for o in lookup.neighbourhood_at((51.1, 3.1))["officers"]] == ["Bart"]


def test_an_empty_index_covers_nothing(db):
    index = lookup.boundary_index()
    assert len(index) == 0
    assert index.covering(3.1, 51.1) == (None, None)
    assert list(index.covering_many([3.1, 4.2], [51.1, 50.9])) == [-1, -1]
    assert lookup.neighbourhood_at((51.1, 3.1))["national_numbers"] is True


def test_a_contactpunt_far_away_is_not_among_the_nearest(db):
    with scopes_disabled():
        zone = f.ZoneFactory(boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.4, 51.2)), srid=4326))
        for n, lon in enumerate([3.39, 3.01, 3.2, 3.11]):
            f.ContactpuntFactory(zone=zone, wijk=None, name=f"Post {n}", point=Point(lon, 51.1, srid=4326))
    near = lookup.neighbourhood_at((51.1, 3.1))["contactpunten"]
    assert [c["name"] for c in near] == ["Post 3", "Post 1", "Post 2"]
    assert [c["distance_m"] for c in near] == sorted(c["distance_m"] for c in near)
    assert 680 < near[0]["distance_m"] < 720  # 0.01° of longitude at 51.1° N is about 700 m


def test_a_starting_worker_loads_everything_before_its_first_request(db, django_assert_num_queries):
    """gunicorn.conf.py: the master (with --preload) or else each worker loads the read model before the first
    request; after it, no lookup in any zone runs SQL."""
    import importlib.util

    from django.conf import settings

    with scopes_disabled():
        for n, lon in enumerate((3.0, 4.0)):
            zone = f.ZoneFactory(boundary=MultiPolygon(Polygon.from_bbox((lon, 51.0, lon + 0.2, 51.2)), srid=4326))
            f.WijkFactory(
                zone=zone, code=f"W{n}", boundary=MultiPolygon(Polygon.from_bbox((lon, 51.0, lon + 0.1, 51.2)))
            )
    make_address("Kerkstraat", "1", 3.05, 51.1)
    make_address("Kerkstraat", "2", 4.05, 51.1, postcode="9000", municipality="Gent")
    spec = importlib.util.spec_from_file_location("gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py")
    gunicorn_conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gunicorn_conf)

    class Log:
        def __init__(self):
            self.messages = []

        def info(self, message, *args):
            self.messages.append(message % args)

        warning = info

    master = type("Arbiter", (), {"log": Log(), "cfg": type("Config", (), {"preload_app": True})()})()
    gunicorn_conf.when_ready(master)  # --preload: loaded in the master, shared by the workers it forks
    assert master.log.messages == ["mijn buurt: read model loaded (2 wijken, 2 zones; 2 addresses indexed)"]
    assert connection.connection is None or connection.connection.closed  # no connection crosses the fork
    worker = type("Worker", (), {"log": Log()})()
    with django_assert_num_queries(0):  # inherited from the master: nothing to load
        gunicorn_conf.post_worker_init(worker)
    gc.unfreeze()  # the hooks froze this test process's objects, as they do a worker's
    with django_assert_num_queries(0):
        assert lookup.neighbourhood_at((51.1, 3.05))["wijk"]["code"] == "W0"
        assert lookup.neighbourhood_at((51.1, 4.05))["wijk"]["code"] == "W1"
        assert lookup.neighbourhood_at((51.1, 4.15))["found"] is False  # the zone, no wijk
        assert [c["label"] for c in lookup.search_addresses("kerkstraat 2")] == ["Kerkstraat 2, 9000 Gent"]


def test_the_grid_locator_answers_as_geos_or_says_it_is_unsure():
    """_geo.c's crossing rule over a grid, against GEOS's covered_by with the lowest position: on a wijk with a
    hole that holds another wijk, a wijk in two parts, overlapping wijken (the tie-break), and points on, near
    and far from their edges. Where it answers it must answer what GEOS does; it may only be unsure near an
    edge."""
    from shapely import MultiPolygon as MP
    from shapely import Polygon as P
    from shapely import STRtree, box

    ring = [(3.0, 51.0), (3.1, 51.0), (3.1, 51.1), (3.0, 51.1)]
    hole = [(3.03, 51.03), (3.07, 51.03), (3.05, 51.07)]
    geometries = np.array(
        [
            MP([P(ring, [hole])]),  # 0: a square with a triangular hole
            MP([P(hole)]),  # 1: the hole's island
            MP([box(3.1, 51.0, 3.2, 51.05), box(3.15, 51.08, 3.2, 51.1)]),  # 2: two parts, touching 0
            MP([box(3.08, 51.08, 3.12, 51.12)]),  # 3: overlapping 0 and nothing else: 0 wins where both cover
        ]
    )
    locator = readmodel._Locator(geometries)
    tree = STRtree(geometries)
    rng = random.Random(7)
    points = [(rng.uniform(2.98, 3.22), rng.uniform(50.98, 51.13)) for _ in range(3000)]
    vertices = [tuple(c) for g in geometries for c in shapely.get_coordinates(g)]
    points += vertices
    for (x1, y1), (x2, y2) in zip(vertices, vertices[1:], strict=False):
        for t in (0.25, 0.5):
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            points += [(x + d, y + e) for d in (0, 1e-12, 1e-8, -1e-6) for e in (0, 1e-11, -1e-7)]
    answered = unsure = 0
    for x, y in points:
        hits = tree.query(shapely.Point(x, y), predicate="covered_by")
        expected = int(hits.min()) if hits.size else -1
        found = locator.locate(x, y)
        if found == readmodel._geo_UNSURE:
            unsure += 1
            distances = shapely.distance(shapely.boundary(geometries), shapely.Point(x, y))
            assert distances.min() <= 2 * readmodel.LOCATE_TOLERANCE, (x, y)  # unsure only near an edge
        else:
            answered += 1
            assert found == expected, (x, y, found, expected)
    assert answered > 3000 and unsure > 50  # both kinds were asked


def test_the_grid_locator_refuses_arrays_that_do_not_fit():
    from wijken.lookup import _geo

    locator = readmodel._Locator(np.array([shapely.box(0, 0, 1, 1)]))
    arrays = [locator.grid, locator.cell_start, locator.cell_wijken, locator.bounds, locator.valid]
    rest = [locator.wijk_ring_start, locator.ring_start, locator.xs, locator.ys]
    assert _geo.locate(0.5, 0.5, 1e-9, *arrays, *rest) == 0
    assert _geo.locate(5.0, 0.5, 1e-9, *arrays, *rest) == -1
    assert _geo.locate(float("nan"), 0.5, 1e-9, *arrays, *rest) == -1
    with pytest.raises(ValueError, match="do not fit"):
        _geo.locate(0.5, 0.5, 1e-9, *arrays, locator.wijk_ring_start, locator.ring_start, locator.xs, locator.ys[:-1])
    with pytest.raises(IndexError):
        bad = np.full_like(locator.cell_wijken, 7)
        _geo.locate(0.5, 0.5, 1e-9, locator.grid, locator.cell_start, bad, *arrays[3:], *rest)
    with pytest.raises(TypeError):
        wide = locator.cell_wijken.astype(np.int64)
        _geo.locate(0.5, 0.5, 1e-9, locator.grid, locator.cell_start, wide, *arrays[3:], *rest)
    # Found in review: columns and rows that are not whole numbers once read past the cell starts.
    fractional = locator.grid.copy()
    fractional[4] += 0.5
    with pytest.raises(ValueError, match="not usable"):
        _geo.locate(0.5, 0.5, 1e-9, fractional, *arrays[1:], *rest)
    with pytest.raises(ValueError, match="tolerance"):
        _geo.locate(0.5, 0.5, float("nan"), *arrays, *rest)


def test_the_grid_locator_leaves_what_it_cannot_trust_to_geos():
    """Found in review: an empty boundary (the admin could save one) no longer breaks the index; an invalid one
    (overlapping parts, where even-odd would say outside) and coordinates far outside lon/lat go to GEOS."""
    from shapely import MultiPolygon as MP

    empty = shapely.from_wkt("MULTIPOLYGON EMPTY")
    overlapping = MP([shapely.box(10, 10, 12, 12), shapely.box(11, 11, 13, 13)])  # invalid: the parts overlap
    locator = readmodel._Locator(np.array([shapely.box(0, 0, 1, 1), empty, overlapping]))
    assert locator.locate(0.5, 0.5) == 0
    assert locator.locate(11.5, 11.5) == readmodel._geo_UNSURE  # GEOS says covered; even-odd would say no
    assert locator.locate(5.0, 5.0) == -1
    assert locator.locate(1e8, 0.5) == readmodel._geo_UNSURE
    assert readmodel._Locator(np.array([empty])).locate(0.5, 0.5) == -1
    # An edge whose slope is below double precision: no definite answer from the crossing rule.
    sliver = shapely.Polygon([(0, 0), (0.3, 1.5e-323), (0.3, 0.5), (1, 0.5), (1, 1), (-1, 1)])
    assert readmodel._Locator(np.array([sliver])).locate(0.32, 1e-323) in (-1, readmodel._geo_UNSURE)
