"""The national-scale synthetic data set: deterministic (seeded), built in SQL with PostGIS for speed.

- Zones and wijken tile two boxes that cover Belgium (lon 2.55-6.40, lat 49.50-51.30) and the Netherlands
  (lon 3.36-7.20, lat 51.30-53.50), minus the real zones already in the database (Oostende, Deventer from
  load_demo), so that a point belongs to exactly one wijk, as in real data. Zones are Voronoi cells of ~200
  seeds; each zone is cut into Voronoi cells of the wijk seeds inside it (half of them clustered around
  "cities", so that wijken are small in towns and large in the country), clipped to the zone and
  segmentized to ~100 m, which gives the 50-600 vertices per polygon real boundaries have.
- Each wijk gets a wijkinspecteur and an assignment, each zone a politiekantoor with two spreekuren, so that
  the mijn-buurt answer does the joins it does in production.
- Addresses: ST_GeneratePoints inside each wijk (about 50 per wijk, so dense in towns), grouped into
  streets with Flemish/Dutch names (benchmarks/names.py) and house numbers, written as a CSV in the Oostende
  CRAB layout that `manage.py import_adressen` reads. The generated wijk code is kept in the CSV (wijk_code),
  which is the ground truth the lookup benchmark checks answers against.

Everything synthetic is marked: zone slugs start with `bench-`, addresses carry source `bench-synthetic`.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import common, names

GENERATOR_VERSION = 1
BE_BOX = (2.55, 49.50, 6.40, 51.30)
NL_BOX = (3.36, 51.30, 7.20, 53.50)
SEGMENT_DEGREES = 0.0015  # ~100-170 m between boundary vertices
ADDRESS_SOURCE = "bench-synthetic"
REAL_ADDRESSES = common.BASE_DIR / "data" / "oostende_adressen_crab2014.csv"


@dataclass
class Dataset:
    fingerprint: str
    zones: int
    wijken: int
    csv_path: Path
    addresses_in_csv: int


def fingerprint(scale: common.Scale | None = None) -> str:
    """Generator version, scale, seed and the real zones the tiling is cut around: what the data depends on."""
    ensure_real_data()
    return f"v{GENERATOR_VERSION}-{(scale or common.scale()).name}-{common.seed()}-{real_zones_signature()}"


def _in_area(lon: float, lat: float) -> bool:
    return any(box[0] <= lon <= box[2] and box[1] <= lat <= box[3] for box in (BE_BOX, NL_BOX))


def _uniform_point(rng: random.Random) -> tuple[float, float]:
    # Area-weighted choice of box, then uniform inside it.
    be_area = (BE_BOX[2] - BE_BOX[0]) * (BE_BOX[3] - BE_BOX[1])
    nl_area = (NL_BOX[2] - NL_BOX[0]) * (NL_BOX[3] - NL_BOX[1])
    box = BE_BOX if rng.random() < be_area / (be_area + nl_area) else NL_BOX
    return rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])


def seeds(scale: common.Scale) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    rng = random.Random(common.seed())
    zone_seeds = [_uniform_point(rng) for _ in range(scale.zones)]
    cities = [_uniform_point(rng) for _ in range(max(10, scale.zones // 3))]
    wijk_seeds = []
    # 1% more than asked: the few seeds that fall inside a real zone are dropped.
    while len(wijk_seeds) < int(scale.wijken * 1.01) + 5:
        if rng.random() < 0.55:
            lon0, lat0 = rng.choice(cities)
            sigma = rng.uniform(0.015, 0.08)
            lon, lat = rng.gauss(lon0, sigma * 1.6), rng.gauss(lat0, sigma)
            if not _in_area(lon, lat):
                continue
        else:
            lon, lat = _uniform_point(rng)
        wijk_seeds.append((lon, lat))
    return zone_seeds, wijk_seeds


# --- bookkeeping -----------------------------------------------------------------------------------------


def _meta_table(cursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_dataset (key text PRIMARY KEY, fingerprint text NOT NULL, "
        "info jsonb NOT NULL DEFAULT '{}', built_at timestamptz NOT NULL DEFAULT now())"
    )


def _meta(key: str) -> tuple[str, dict] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        _meta_table(cursor)
        cursor.execute("SELECT fingerprint, info FROM bench_dataset WHERE key = %s", [key])
        row = cursor.fetchone()
    if not row:
        return None
    info = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return row[0], info


def _set_meta(key: str, fp: str, info: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        _meta_table(cursor)
        cursor.execute(
            "INSERT INTO bench_dataset (key, fingerprint, info) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, info = EXCLUDED.info, "
            "built_at = now()",
            [key, fp, json.dumps(info)],
        )


def _insert_select(model, explicit: dict[str, str], source_sql: str, params: list | None = None) -> int:
    """INSERT INTO <model's table> SELECT ... FROM <source>: the explicit columns from SQL expressions, every
    other column from the model field's default, so that a field added later does not break the benchmark."""
    from django.db import connection, models

    columns, expressions, fill = [], [], []
    for field in model._meta.concrete_fields:
        if getattr(field, "generated", False):
            continue  # PostgreSQL computes it
        if field.column in explicit:
            columns.append(field.column)
            expressions.append(explicit[field.column])
        elif field.primary_key:
            continue
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append(field.column)
            expressions.append("now()")
        elif field.has_default():
            columns.append(field.column)
            expressions.append("%s")
            fill.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            continue
        elif field.blank and isinstance(field, models.CharField | models.TextField | models.FileField):
            columns.append(field.column)
            expressions.append("''")
        else:
            raise RuntimeError(f"benchmarks/dataset.py does not know how to fill {model.__name__}.{field.name}")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {source_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, fill + list(params or []))
        return cursor.rowcount


# --- real data ---------------------------------------------------------------------------------------------


_real_data_checked = False
REAL_WIJKEN = [
    ("oostende", "oostende_wijken.geojson", "naam", "code", None),
    ("deventer", "deventer_wijken_2024.geojson", "wijknaam", "wijkcode", "aantal_inwoners"),
]


def ensure_real_data() -> None:
    """The real Oostende and Deventer zones (load_demo) and their real wijken (load_demo's, or imported from
    data/ with the real import_wijken command when the demo does not load them)."""
    global _real_data_checked
    if _real_data_checked:
        return
    from django_scopes import scope

    from wijken.models import Wijk, Zone

    if not Zone.objects.filter(slug__in=[slug for slug, *_ in REAL_WIJKEN]).exists():
        print("loading the demo data (the real zones)")
        result = subprocess.run(
            [sys.executable, "manage.py", "load_demo"],
            cwd=common.BASE_DIR,
            env=common.bench_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"load_demo failed:\n{result.stderr[-2000:]}")
    for slug, filename, name_field, code_field, inhabitants_field in REAL_WIJKEN:
        zone = Zone.objects.filter(slug=slug).first()  # zones themselves are not scoped
        if zone is None:
            continue
        with scope(zone=zone.pk):
            if Wijk.objects.filter(zone=zone).exists():
                continue
        print(f"importing the real wijken of {slug}")
        args = ["import_wijken", str(common.BASE_DIR / "data" / filename), "--zone", slug]
        args += ["--name-field", name_field, "--code-field", code_field]
        if inhabitants_field:
            args += ["--inhabitants-field", inhabitants_field]
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=common.BASE_DIR, env=common.bench_env(), check=True,
            capture_output=True,
        )  # fmt: skip
    _real_data_checked = True


def real_zones_signature() -> str:
    """Changes when the real zones' boundaries change: the synthetic tiling is cut around them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(COALESCE(string_agg(slug || ':' || md5(ST_AsBinary(boundary)), ',' ORDER BY slug), '')) "
            "FROM wijken_zone WHERE slug NOT LIKE 'bench-%%' AND boundary IS NOT NULL",
            [],
        )
        return cursor.fetchone()[0][:8]


def import_addresses(path: Path, source: str | None = None) -> subprocess.CompletedProcess:
    """Through the real management command, as an operator would run it."""
    args = [sys.executable, "manage.py", "import_adressen", str(path)]
    if source:
        args += ["--source", source]
    return subprocess.run(args, cwd=common.BASE_DIR, env=common.bench_env(), check=True, text=True)


# --- synthetic geography -----------------------------------------------------------------------------------


def _drop_synthetic_geography() -> None:
    from django.db import connection

    from wijken.models import Assignment, Contactpunt, Spreekuur, Wijk, Wijkinspecteur, Zone

    bench = f"SELECT id FROM {Zone._meta.db_table} WHERE slug LIKE 'bench-%%'"
    with connection.cursor() as cursor:
        for model in (Spreekuur, Contactpunt, Assignment, Wijkinspecteur, Wijk):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE zone_id IN ({bench})")
        cursor.execute(f"DELETE FROM {Zone._meta.db_table} WHERE slug LIKE 'bench-%%'")


def ensure_geography(scale: common.Scale | None = None) -> dict:
    """Zones, wijken, wijkinspecteurs, assignments, contactpunten and spreekuren; rebuilt only when the
    fingerprint (generator version, scale, seed) changed."""
    from django.db import connection, transaction

    scale = scale or common.scale()
    fp = fingerprint(scale)
    current = _meta("geography")
    if current and current[0] == fp:
        return current[1]

    from wijken.models import Assignment, Contactpunt, Spreekuur, Wijk, Wijkinspecteur, Zone

    print(f"building the synthetic geography {fp}: {scale.zones} zones, {scale.wijken:,} wijken")
    zone_seeds, wijk_seeds = seeds(scale)
    with common.Timer() as timer, transaction.atomic(), connection.cursor() as cursor:
        _drop_synthetic_geography()
        cursor.execute(
            "CREATE TEMP TABLE bench_zone_seed (idx int PRIMARY KEY, geom geometry(Point, 4326)) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_wijk_seed (idx int PRIMARY KEY, zidx int, geom geometry(Point, 4326)) "
            "ON COMMIT DROP"
        )
        _copy_points(cursor, "bench_zone_seed", zone_seeds)
        _copy_points(cursor, "bench_wijk_seed", wijk_seeds)
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_area ON COMMIT DROP AS
            SELECT ST_Difference(
                ST_Union(ST_MakeEnvelope({BE_BOX[0]}, {BE_BOX[1]}, {BE_BOX[2]}, {BE_BOX[3]}, 4326),
                         ST_MakeEnvelope({NL_BOX[0]}, {NL_BOX[1]}, {NL_BOX[2]}, {NL_BOX[3]}, 4326)),
                COALESCE((SELECT ST_Union(boundary) FROM {Zone._meta.db_table}
                          WHERE slug NOT LIKE 'bench-%%' AND boundary IS NOT NULL),
                         'SRID=4326;POLYGON EMPTY'::geometry)) AS geom
            """
        )
        # Seeds inside a real zone would give wijken clipped to nothing.
        cursor.execute("DELETE FROM bench_wijk_seed s USING bench_area a WHERE NOT ST_Covers(a.geom, s.geom)")
        cursor.execute("DELETE FROM bench_zone_seed s USING bench_area a WHERE NOT ST_Covers(a.geom, s.geom)")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_zone_cell ON COMMIT DROP AS
            SELECT s.idx, s.geom AS seed,
                   ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(v.cell, a.geom)), 3)) AS geom
            FROM (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(geom), 0,
                                  ST_Expand((SELECT ST_Envelope(geom) FROM bench_area), 1)))).geom AS cell
                  FROM bench_zone_seed) v
            JOIN bench_zone_seed s ON ST_Covers(v.cell, s.geom)
            CROSS JOIN bench_area a;
            CREATE INDEX ON bench_zone_cell USING gist (geom);
            UPDATE bench_wijk_seed s SET zidx = z.idx FROM bench_zone_cell z WHERE ST_Covers(z.geom, s.geom);
            DELETE FROM bench_wijk_seed WHERE zidx IS NULL;
            """
        )
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_wijk_cell ON COMMIT DROP AS
            WITH counted AS (
                SELECT z.idx AS zidx, count(s.idx) AS n FROM bench_zone_cell z
                LEFT JOIN bench_wijk_seed s ON s.zidx = z.idx GROUP BY z.idx
            ), vor AS (
                SELECT z.idx AS zidx,
                       (ST_Dump(ST_VoronoiPolygons(ST_Collect(s.geom), 0, ST_Expand(ST_Envelope(z.geom), 0.1)))).geom
                       AS cell
                FROM bench_zone_cell z JOIN bench_wijk_seed s ON s.zidx = z.idx
                JOIN counted c ON c.zidx = z.idx AND c.n >= 2
                GROUP BY z.idx, z.geom
            ), cells AS (
                SELECT s.idx, s.zidx,
                       ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(v.cell, z.geom)), 3)) AS geom
                FROM vor v
                JOIN bench_wijk_seed s ON s.zidx = v.zidx AND ST_Covers(v.cell, s.geom)
                JOIN bench_zone_cell z ON z.idx = v.zidx
                UNION ALL  -- a zone with one seed is one wijk; a zone without seeds too
                SELECT COALESCE(s.idx, 10000000 + z.idx), z.idx, z.geom
                FROM bench_zone_cell z JOIN counted c ON c.zidx = z.idx AND c.n < 2
                LEFT JOIN bench_wijk_seed s ON s.zidx = z.idx
            )
            SELECT idx, zidx, ST_Multi(ST_Segmentize(geom, {SEGMENT_DEGREES})) AS geom,
                   row_number() OVER (PARTITION BY zidx ORDER BY idx) AS n
            FROM cells WHERE NOT ST_IsEmpty(geom)
            """
        )
        zone_table = Zone._meta.db_table
        _insert_select(
            Zone,
            {
                "name": "'Bench zone ' || lpad(idx::text, 3, '0')",
                "slug": "'bench-' || lpad(idx::text, 3, '0')",
                "code": "'B' || lpad(idx::text, 3, '0')",
                "country": f"CASE WHEN ST_Y(seed) < {BE_BOX[3]} THEN 'BE' ELSE 'NL' END",
                "boundary": f"ST_Multi(ST_Segmentize(geom, {SEGMENT_DEGREES}))",
                "languages": "ARRAY['nl']::varchar[]",
            },
            "bench_zone_cell ORDER BY idx",
        )
        zone_join = f"JOIN {zone_table} z ON z.slug = 'bench-' || lpad(c.zidx::text, 3, '0')"
        code = "'B' || lpad(c.zidx::text, 3, '0') || '-' || lpad(c.n::text, 3, '0')"
        _insert_select(
            Wijk,
            {
                "zone_id": "z.id",
                "name": f"'Wijk ' || {code}",
                "code": code,
                "kind": "'wijk'",
                "boundary": "c.geom",
                "inhabitants": "4000 + (c.idx * 7919) %% 6000",
                "valid_from": "DATE '2000-01-01'",
            },
            f"bench_wijk_cell c {zone_join} ORDER BY c.zidx, c.n",
        )
        wijk_table = Wijk._meta.db_table
        _insert_select(
            Wijkinspecteur,
            {
                "zone_id": "w.zone_id",
                "display_name": "'Inspecteur ' || w.code",
                "rank": "'Inspecteur'",
                "phone": "'+32 59 00 00 00'",
                "email": "lower(replace(w.code, '-', '.')) || '@bench.wijkwerk.local'",
                "introduction": "'Uw wijkinspecteur voor ' || w.name",
                "is_active": "true",
            },
            f"{wijk_table} w JOIN {zone_table} z ON z.id = w.zone_id AND z.slug LIKE 'bench-%%' ORDER BY w.id",
        )
        inspecteur_table = Wijkinspecteur._meta.db_table
        _insert_select(
            Assignment,
            {
                "zone_id": "w.zone_id",
                "wijkinspecteur_id": "i.id",
                "wijk_id": "w.id",
                "role": "'wijkinspecteur'",
                "starts_on": "DATE '2020-01-01'",
            },
            f"{wijk_table} w JOIN {inspecteur_table} i ON i.zone_id = w.zone_id "
            f"AND i.display_name = 'Inspecteur ' || w.code "
            f"JOIN {zone_table} z ON z.id = w.zone_id AND z.slug LIKE 'bench-%%'",
        )
        _insert_select(
            Contactpunt,
            {
                "zone_id": "z.id",
                "kind": "'politiekantoor'",
                "name": "'Politiekantoor ' || z.name",
                "street": "'Stationsstraat'",
                "house_number": "'1'",
                "point": "ST_PointOnSurface(z.boundary)",
                "phone": "'+32 59 00 00 00'",
                "is_active": "true",
            },
            f"{zone_table} z WHERE z.slug LIKE 'bench-%%'",
        )
        contactpunt_table = Contactpunt._meta.db_table
        for weekday, hours in ((1, ("09:00", "12:00")), (3, ("14:00", "18:00"))):
            _insert_select(
                Spreekuur,
                {
                    "zone_id": "c.zone_id",
                    "contactpunt_id": "c.id",
                    "weekday": str(weekday),
                    "starts_at": f"TIME '{hours[0]}'",
                    "ends_at": f"TIME '{hours[1]}'",
                    "by_appointment": "false",
                },
                f"{contactpunt_table} c JOIN {zone_table} z ON z.id = c.zone_id AND z.slug LIKE 'bench-%%'",
            )
        cursor.execute(
            f"SELECT count(*), sum(ST_NPoints(w.boundary)) FROM {wijk_table} w "
            f"JOIN {zone_table} z ON z.id = w.zone_id AND z.slug LIKE 'bench-%%'"
        )
        wijken, vertices = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {zone_table} WHERE slug LIKE 'bench-%%'")
        zones = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        for model in (Zone, Wijk, Wijkinspecteur, Assignment):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    info = {
        "zones": zones,
        "wijken": wijken,
        "mean_vertices_per_wijk": round(vertices / max(wijken, 1)),
        "seconds": round(timer.seconds, 1),
    }
    _set_meta("geography", fp, info)
    print(
        f"geography: {zones} zones, {wijken:,} wijken, {info['mean_vertices_per_wijk']} vertices per wijk on average, "
        f"{timer.seconds:.1f} s"
    )
    return info


def _copy_points(cursor, table: str, points: list[tuple[float, float]]) -> None:
    # Django's cursor wraps psycopg 3's; COPY goes through the raw one.
    with cursor.cursor.copy(f"COPY {table} (idx, geom) FROM STDIN") as copy:
        for idx, (lon, lat) in enumerate(points, start=1):
            copy.write_row((idx, f"SRID=4326;POINT({lon:.6f} {lat:.6f})"))


# --- synthetic addresses ----------------------------------------------------------------------------------


def csv_paths(scale: common.Scale | None = None) -> dict[str, Path]:
    """One file per country, in the layout each country's register exports: CRAB (BE) and BAG (NL)."""
    fp = fingerprint(scale or common.scale())
    return {country: common.DATA_DIR / f"adressen-{fp}-{country.lower()}.csv" for country in ("BE", "NL")}


def ensure_csv(scale: common.Scale | None = None) -> dict[str, Path]:
    """The address CSVs for this scale and seed (generated from the wijken in the database when missing)."""
    scale = scale or common.scale()
    paths = csv_paths(scale)
    if all(p.exists() for p in paths.values()):
        return paths
    from django.db import connection

    from wijken.models import Wijk, Zone

    ensure_geography(scale)
    rng = random.Random(common.seed() + 1)
    print(f"generating {scale.addresses:,} addresses into {common.DATA_DIR.relative_to(common.BASE_DIR)}/")
    with common.Timer() as timer, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id, w.code, w.name, z.id, z.country FROM {Wijk._meta.db_table} w "
            f"JOIN {Zone._meta.db_table} z ON z.id = w.zone_id AND z.slug LIKE 'bench-%%' ORDER BY w.id"
        )
        wijken = cursor.fetchall()
        # About the same number of addresses per wijk (wijken are drawn around people), +-50%.
        weights = [rng.uniform(0.5, 1.5) for _ in wijken]
        total = sum(weights)
        counts = [max(1, int(scale.addresses * w / total)) for w in weights]
        for i in range(scale.addresses - sum(counts)):
            counts[i % len(counts)] += 1
        cursor.execute("CREATE TEMP TABLE bench_alloc (wijk_id bigint PRIMARY KEY, n int, seed int)")
        with cursor.cursor.copy("COPY bench_alloc (wijk_id, n, seed) FROM STDIN") as copy:
            for (wijk_id, *_), n in zip(wijken, counts, strict=True):
                copy.write_row((wijk_id, n, 1 + (wijk_id * 7919 + common.seed()) % 2_000_000_000))
        points: dict[int, list[tuple[float, float]]] = {}
        with cursor.cursor.copy(
            f"COPY (SELECT w.id, round(ST_X(g.geom)::numeric, 6), round(ST_Y(g.geom)::numeric, 6) "
            f"FROM {Wijk._meta.db_table} w JOIN bench_alloc a ON a.wijk_id = w.id "
            f"CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(w.boundary, a.n, a.seed)) g ORDER BY w.id, g.path) "
            f"TO STDOUT"
        ) as copy:
            for wijk_id, lon, lat in copy.rows():
                points.setdefault(int(wijk_id), []).append((float(lon), float(lat)))
        cursor.execute("DROP TABLE bench_alloc")

    # Each zone has 1-4 municipalities, each with its postcode and its own set of street names.
    zone_towns: dict[int, list[dict]] = {}
    used_postcodes: set = set()
    written = 0
    common.DATA_DIR.mkdir(parents=True, exist_ok=True)
    handles = {c: p.with_suffix(".tmp").open("w", newline="") for c, p in paths.items()}
    writers = {c: csv.writer(h) for c, h in handles.items()}
    writers["BE"].writerow(["street", "housenumber", "postcode", "municipality", "lon", "lat", "wijk_code"])
    writers["NL"].writerow(["postcode", "huisnummer", "straat", "woonplaats", "lon", "lat", "wijk_code"])
    for wijk_id, code, _wijk_name, zone_id, country in wijken:
        if zone_id not in zone_towns:
            zone_towns[zone_id] = [
                {"name": names.municipality_name(rng), "postcode": _postcode(rng, country, used_postcodes),
                 "streets": set()}
                for _ in range(rng.randint(1, 4))
            ]  # fmt: skip
        town = rng.choice(zone_towns[zone_id])
        pts = sorted(points.get(wijk_id, []))
        writer = writers[country]
        i = 0
        while i < len(pts):
            size = rng.randint(6, 40)
            street_pts = sorted(pts[i : i + size], key=lambda p: p[1])
            i += size
            street = names.street_name(rng)
            for _ in range(20):
                if street not in town["streets"]:
                    break
                street = names.street_name(rng)
            else:
                street = f"{street} {len(town['streets'])}"
            town["streets"].add(street)
            number, step = rng.choice((1, 2)), rng.choice((1, 2, 2))
            # A Dutch postcode covers one side of a street segment: digits of the town, letters per street.
            postcode = town["postcode"]
            if country == "NL":
                postcode += chr(65 + rng.randrange(26)) + chr(65 + rng.randrange(26))
            for lon, lat in street_pts:
                if country == "NL":
                    writer.writerow([postcode, number, street, town["name"], f"{lon:.6f}", f"{lat:.6f}", code])
                else:
                    writer.writerow([street, number, postcode, town["name"], f"{lon:.6f}", f"{lat:.6f}", code])
                number += step
                written += 1
    for country, handle in handles.items():
        handle.close()
        paths[country].with_suffix(".tmp").rename(paths[country])
    print(f"{written:,} addresses written ({timer.seconds:.1f} s for the points)")
    return paths


def _postcode(rng: random.Random, country: str, used: set[str]) -> str:
    while True:
        code = str(rng.randint(1000, 9999))
        if (country, code) not in used:
            used.add((country, code))
            return code


def synthetic_address_count() -> int:
    from wijken.models import Address

    return Address.objects.filter(source=ADDRESS_SOURCE).count()


def ensure_addresses(scale: common.Scale | None = None) -> dict:
    """The synthetic addresses in the database (imported when the fingerprint changed)."""
    scale = scale or common.scale()
    fp = fingerprint(scale)
    paths = ensure_csv(scale)
    current = _meta("addresses")
    if current and current[0] == fp and synthetic_address_count() >= scale.addresses * 0.99:
        return current[1]
    return import_synthetic(paths, fp)


def import_synthetic(paths: dict[str, Path], fp: str) -> dict:
    """Empty the address table, put the real addresses back, then import the synthetic CSVs through the real
    command, timed as a whole (process start, parsing, COPY, merge, indexes, ANALYZE)."""
    from django.db import connection

    from wijken.models import Address

    table = Address._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f'", [table])
        referenced = cursor.fetchone()[0]
        # An empty table is the state of a first national load; TRUNCATE only when nothing points at it.
        cursor.execute(f"TRUNCATE {table}" if not referenced else f"DELETE FROM {table}")
        # The search's street table, which the importer fills in the same statement (migration 0004), too.
        cursor.execute("SELECT to_regclass('wijken_addressstreet') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("TRUNCATE wijken_addressstreet")
    import_addresses(REAL_ADDRESSES, source="CRAB 2014 (Oostende)")
    seconds = {}
    for country, path in paths.items():
        with common.Timer() as timer:
            import_addresses(path, source=ADDRESS_SOURCE)
        seconds[country] = round(timer.seconds, 1)
    count = synthetic_address_count()
    info = {
        "import_seconds": round(sum(seconds.values()), 1),
        "import_seconds_by_file": seconds,
        "addresses": count,
        "rows_per_second": round(count / max(sum(seconds.values()), 0.001)),
        "files": [p.name for p in paths.values()],
    }
    _set_meta("addresses", fp, info)
    return info
