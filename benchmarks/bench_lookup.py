"""The public mijn-buurt lookup at national scale: the database floor, the selector in-process, and the API under
gunicorn loaded with wrk on loopback, against the same server's bare /healthz/ (issue 3, DESIGN §10).

Knobs (environment): BENCH_DURATION (s per wrk run, default 15), BENCH_WARMUP (s, default 3),
BENCH_CONNECTIONS (default 32), BENCH_WRK_THREADS (default 2), BENCH_FLOOR_SECONDS (default 5),
BENCH_GUNICORN (comma-separated server configurations, default "sync:3,sync:2", sync:3 as deployed:
worker class : workers x threads),
BENCH_PORT (default 8106), BENCH_LOOKUP_PATH (default /api/v1/mijn-buurt/), BENCH_CONN_MAX_AGE (default 600),
BENCH_SERVER_ENV (extra environment for gunicorn, "NAME=value,..."), BENCH_SKIP_HTTP (only the floor),
BENCH_ROUNDS (default 3: every scenario once per round, ratios against the same round's bare endpoint).
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import random
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from . import common, dataset

NAME = "lookup"
COLD_PATHS = 100_000  # per cold scenario: more than one run sends, so nothing repeats within a run
WARM_PATHS = 50
TARGET_RATIO = 0.70
TARGET_P99_MS = 25.0

# The simplest point-in-polygon equivalent of the selector's covering-wijk query (the floor).
FLOOR_POINT_SQL = """
SELECT w.id, w.zone_id, w.code FROM wijken_wijk w
WHERE w.kind = 'wijk' AND w.valid_from <= %(today)s AND (w.valid_until IS NULL OR w.valid_until > %(today)s)
  AND ST_Covers(w.boundary, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
ORDER BY w.code, w.id LIMIT 1
"""
# Fallback for the search floor when wijken.lookup is not there (yet).
FLOOR_SEARCH_SQL = """
SELECT a.id, a.street, a.house_number, a.postcode, a.municipality,
       word_similarity(unaccent(lower(%(text)s)), a.search_text) AS score
FROM wijken_address a WHERE unaccent(lower(%(street)s)) <%% a.search_text
ORDER BY score DESC, a.id LIMIT %(limit)s
"""


# --- samples -------------------------------------------------------------------------------------------


def sample_addresses(n: int, rng: random.Random) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM wijken_address")
        low, high = cursor.fetchone()
        if low is None:
            raise RuntimeError("no addresses in the benchmark database")
        ids = rng.sample(range(low, high + 1), min(high - low + 1, int(n * 1.1) + 10))
        cursor.execute(
            "SELECT id, country, street, house_number, box, postcode, municipality, ST_X(point), ST_Y(point), source "
            "FROM wijken_address WHERE id = ANY(%s) ORDER BY id",
            [ids],
        )
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    rng.shuffle(rows)
    return rows[:n]


def query_for(address: dict, rng: random.Random) -> str:
    """What a citizen types: full address, street + number, lower case, a typo, an abbreviation, or (NL) the
    postcode and number."""
    street, number, town = address["street"], address["house_number"], address["municipality"]
    postcode = address["postcode"]
    roll = rng.random()
    if address["country"] == "NL" and roll < 0.4:
        return f"{postcode[:4]} {postcode[4:]} {number}"
    if roll < 0.45:
        return f"{street} {number}, {postcode} {town}"
    if roll < 0.70:
        return f"{street} {number} {town}"
    if roll < 0.85:
        return f"{street.lower()} {number}"
    if roll < 0.95 and len(street) > 6:
        cut = rng.randrange(1, len(street) - 1)
        return f"{street[:cut]}{street[cut + 1 :]} {number} {town}"
    return f"{street.replace('straat', 'str.').replace('Sint-', 'St ')} {number}"


def random_point(rng: random.Random, addresses: list[dict]) -> tuple[float, float]:
    """Half near where people live (an address, jittered ~20 m), half anywhere in the two countries."""
    if addresses and rng.random() < 0.5:
        a = rng.choice(addresses)
        return round(a["st_y"] + rng.gauss(0, 0.0002), 5), round(a["st_x"] + rng.gauss(0, 0.0003), 5)
    lon, lat = dataset._uniform_point(rng)
    return round(lat, 5), round(lon, 5)


def build_samples() -> dict:
    rng = random.Random(common.seed() + 7)
    addresses = sample_addresses(COLD_PATHS, rng)
    points = [random_point(rng, addresses) for _ in range(COLD_PATHS)]
    queries = [(query_for(a, rng), a["id"]) for a in addresses]
    return {"addresses": addresses, "points": points, "queries": queries}


# --- the database floor ----------------------------------------------------------------------------------


def _lookup_module():
    try:
        from wijken import lookup
    except ImportError:
        return None
    return lookup


def search_statement(q: str) -> list[tuple[str, dict]]:
    """The SQL statements the selector tries for a typed query, in its order; the first that finds rows
    answers (postcode, then exact prefix, then trigram). The trigram statement runs at pg_trgm's default
    threshold; the selector's lenient retry and its SET LOCAL round trips are not part of the floor."""
    import re

    lookup = _lookup_module()
    if lookup is None or not hasattr(lookup, "_SEARCH_SQL"):
        text = q.lower()
        street = re.sub(r"\d+\w*", " ", text).strip()
        return [(FLOOR_SEARCH_SQL, {"text": text, "street": street, "limit": 8})]
    parsed = lookup.parse_query(q)
    limit = lookup.DEFAULT_LIMIT
    tries = []
    if parsed.nl_postcode:
        digits = re.match(r"\d*", parsed.number).group(0)
        postcode = {
            "postcode": parsed.nl_postcode,
            "postcode_spaced": f"{parsed.nl_postcode[:4]} {parsed.nl_postcode[4:]}",
            "number": parsed.number,
            "number_digits": digits,
            "limit": limit,
        }
        tries.append((lookup._POSTCODE_SQL, postcode))
    has_street = len(re.sub(r"\W", "", parsed.street)) >= 2
    if hasattr(lookup, "exact_params"):
        if parsed.number and len(re.sub(r"\W", "", parsed.exact_street)) >= 2:
            tries.append((lookup._EXACT_SQL, lookup.exact_params(parsed, limit)))
    elif has_street and parsed.number and hasattr(lookup, "_EXACT_SQL"):
        tries.append((lookup._EXACT_SQL, {"prefix": f"{parsed.street} {parsed.number}", "limit": limit}))
    if has_street and hasattr(lookup, "search_params"):
        trigram = {**lookup.search_params(parsed, limit), "strict": 0.6}
        tries.append((lookup._SEARCH_SQL, trigram))
    elif has_street:
        trigram = {"text": parsed.text, "street": parsed.street, "number": parsed.number, "limit": limit}
        tries.append((lookup._SEARCH_SQL, trigram))
    return tries


def _run(conn, item, prepare: bool) -> None:
    """One lookup: a (sql, params) pair, or a list of them tried in order until one finds rows."""
    for sql, params in [item] if isinstance(item, tuple) else item:
        if conn.execute(sql, params, prepare=prepare).fetchall():
            return


def _floor_worker(args) -> dict:
    """One process: run statements on one connection (prepared after the first run) for `seconds`."""
    import psycopg

    dsn, statements, seconds, prepare, session_sql = args
    latencies = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        if session_sql:
            conn.execute(session_sql)
        for item in statements[:50]:  # warm the plan cache and the buffer cache a little
            _run(conn, item, prepare)
        started = time.perf_counter()
        deadline = started + seconds
        i = 0
        while True:
            t0 = time.perf_counter()
            _run(conn, statements[i % len(statements)], prepare)
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            i += 1
            if t1 >= deadline:
                break
    return {"queries": i, "seconds": t1 - started, "latencies": latencies}


def floor(
    label: str, statements: list, seconds: float, processes: int = 1, prepare: bool = True, session_sql: str = ""
) -> dict:
    from django.db import connections

    connections.close_all()  # no Django connection crosses the fork
    dsn = common.libpq_dsn()
    chunks = [statements[i::processes] for i in range(processes)]
    if processes == 1:
        results = [_floor_worker((dsn, chunks[0], seconds, prepare, session_sql))]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = pool.map(_floor_worker, [(dsn, chunk, seconds, prepare, session_sql) for chunk in chunks])
    latencies = sorted(x for r in results for x in r["latencies"])
    rate = sum(r["queries"] / r["seconds"] for r in results)
    return {
        "label": label,
        "processes": processes,
        "prepared": prepare,
        "queries": sum(r["queries"] for r in results),
        "per_second": round(rate, 1),
        "p50_ms": round(_pct(latencies, 50) * 1000, 3),
        "p99_ms": round(_pct(latencies, 99) * 1000, 3),
    }


def _pct(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * pct / 100))]


def in_process(label: str, func, args_list: list, seconds: float, *, once: bool = False) -> dict:
    """The selector called in this process (Django, cache and SQL, no HTTP), one call after another; with
    `once`, each argument at most once (nothing answered from a cache)."""
    latencies = []
    started = time.perf_counter()
    deadline = started + seconds
    i = 0
    while True:
        t0 = time.perf_counter()
        func(*args_list[i % len(args_list)])
        t1 = time.perf_counter()
        latencies.append(t1 - t0)
        i += 1
        if t1 >= deadline or (once and i == len(args_list)):
            break
    latencies.sort()
    return {
        "label": label,
        "processes": 1,
        "queries": i,
        "per_second": round(i / (t1 - started), 1),
        "p50_ms": round(_pct(latencies, 50) * 1000, 3),
        "p99_ms": round(_pct(latencies, 99) * 1000, 3),
    }


def queries_per_call(func, args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func(*args)
    return len(ctx.captured_queries)


def measure_floor(samples: dict) -> tuple[list[dict], dict]:
    seconds = common.env_float("BENCH_FLOOR_SECONDS", 5)
    today = datetime.date.today()
    point_statements = [(FLOOR_POINT_SQL, {"lat": lat, "lon": lon, "today": today}) for lat, lon in samples["points"]]
    search_statements = [search_statement(q) for q, _ in samples["queries"][:20_000]]
    rows = [
        floor("point-in-polygon SQL, unprepared", point_statements, seconds, 1, prepare=False),
        floor("point-in-polygon SQL", point_statements, seconds, 1),
        floor("point-in-polygon SQL", point_statements, seconds, 2),
    ]
    lookup = _lookup_module()
    checks: dict = {}
    rows += measure_read_model(seconds, checks)
    # The selector switches sequential scans off around its trigram query (the planner underrates
    # word_similarity() and would scan the table); the floor does the same for the whole session.
    no_seqscan = "SET enable_seqscan = off"
    label = "address search SQL (selector's, in its order)"
    rows.append(floor(label, search_statements, seconds, 1, session_sql=no_seqscan))
    rows.append(floor(label, search_statements, seconds, 2, session_sql=no_seqscan))
    trigram_only = [tries[-1:] for tries in search_statements if tries and "word_similarity" in tries[-1][0]]
    rows.append(floor("address search, trigram SQL only", trigram_only, seconds, 1, session_sql=no_seqscan))

    points = samples["points"]
    rows.append(
        in_process(
            "selector neighbourhood_json_at, 100,000 different points", lookup.neighbourhood_json_at, points, seconds
        )
    )
    checks["queries_per_point_lookup"] = queries_per_call(lookup.neighbourhood_json_at, (50.9, 4.1234))
    if lookup is not None and hasattr(lookup, "search_addresses"):
        qs = [(q,) for q, _ in samples["queries"]]
        label = f"selector search_addresses, {len(qs):,} different queries"
        rows.append(in_process(label, lookup.search_addresses, qs, seconds, once=True))
        checks["queries_per_search"] = queries_per_call(lookup.search_addresses, ("Kerkstrat 12",))
        checks["search_quality"] = search_quality(lookup, samples["queries"][:500])
    return rows, checks


def rss_mb(pid: int | str = "self") -> dict:
    """Resident memory of a process in MB: all of it (RSS), and its fair share of pages shared with others (PSS:
    gunicorn's workers share what the master loaded before forking)."""
    out = {}
    for name, path in (("rss_mb", f"/proc/{pid}/status"), ("pss_mb", f"/proc/{pid}/smaps_rollup")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(("VmRSS:", "Pss:")):
                    out[name] = round(int(line.split()[1]) / 1024, 1)
                    break
        except OSError:
            pass
    return out


def measure_read_model(seconds: float, checks: dict) -> list[dict]:
    """What a worker pays to build its read model (wijken/lookup/readmodel.py), and what it holds."""
    from django.db import connection

    from wijken.lookup import readmodel

    before = rss_mb()
    started = time.perf_counter()
    index = readmodel.boundary_index()
    index_seconds = time.perf_counter() - started
    after_index = rss_mb()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM wijken_zone ORDER BY id")
        zone_ids = [row[0] for row in cursor.fetchall()]
    started = time.perf_counter()
    for zone_id in zone_ids:
        readmodel.zone_bundle(zone_id)
    bundles_seconds = time.perf_counter() - started
    after_bundles = rss_mb()
    checks["read_model"] = {
        "wijken": len(index),
        "zones": len(zone_ids),
        "index_build_s": round(index_seconds, 2),
        "index_mb": round(after_index["rss_mb"] - before["rss_mb"], 1),
        "all_bundles_s": round(bundles_seconds, 2),
        "bundle_ms_mean": round(1000 * bundles_seconds / max(len(zone_ids), 1), 1),
        "bundles_mb": round(after_bundles["rss_mb"] - after_index["rss_mb"], 1),
        "process_rss_mb": after_bundles["rss_mb"],
    }
    from wijken.lookup import addressindex

    started = time.perf_counter()
    addresses = addressindex.address_index()
    checks["address_index"] = {
        "addresses": len(addresses),
        "streets": len(addresses.street_ids),
        "build_s": round(time.perf_counter() - started, 2),
        "mb": round(rss_mb()["rss_mb"] - after_bundles["rss_mb"], 1),
    }
    today = datetime.date.today()
    bundle_statements = [(readmodel._ZONE_SQL, {"zone": zone_id, "today": today}) for zone_id in zone_ids]
    return [floor("read model: one zone's bundle SQL", bundle_statements, seconds, 1)]


def search_quality(lookup, queries: list[tuple[str, int]]) -> dict:
    """How often the address a query was made from comes back first, or at all, among the candidates."""
    first = anywhere = 0
    for q, address_id in queries:
        ids = [c["id"] for c in lookup.search_addresses(q)]
        first += bool(ids) and ids[0] == address_id
        anywhere += address_id in ids
    n = len(queries)
    return {"queries": n, "first": round(first / n, 3), "in_candidates": round(anywhere / n, 3)}


# --- HTTP under gunicorn -----------------------------------------------------------------------------------


def cpu_times(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (and their reaped children) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / tick


def machine_busy() -> tuple[float, float]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def children_of(pid: int) -> list[int]:
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


def backend_pids() -> list[int]:
    import psycopg

    with psycopg.connect(common.libpq_dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


def server_env_overrides() -> dict[str, str]:
    """BENCH_SERVER_ENV="NAME=value,NAME=value": extra environment for the server, to measure a setting."""
    pairs = [p.strip() for p in os.environ.get("BENCH_SERVER_ENV", "").split(",") if p.strip()]
    try:
        return dict(p.split("=", 1) for p in pairs)
    except ValueError as exc:
        raise SystemExit("BENCH_SERVER_ENV must look like NAME=value,NAME=value") from exc


class Server:
    def __init__(self, config: str, port: int):
        kind, _, size = config.partition(":")
        workers, _, threads = size.partition("x")
        self.config = config
        self.kind = kind
        self.workers = int(workers or 2)
        self.threads = int(threads or 1)
        self.port = port
        self.prefix = f"bench-{os.getpid()}-{int(time.time())}"
        self.log = common.RESULTS_DIR / f"gunicorn-{config.replace(':', '-')}.log"
        self.extra_args: list[str] = []  # more gunicorn options (bench_stages: its --config)

    def env(self) -> dict:
        return common.bench_env(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=f"bench-throwaway-{secrets.token_hex(16)}",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_HSTS_SECONDS="0",
            # The public API's throttle would otherwise answer most benchmark requests with 429.
            PUBLIC_THROTTLE_RATE="100000000/s",
            DJANGO_CONN_MAX_AGE=os.environ.get("BENCH_CONN_MAX_AGE", "600"),
            CACHE_KEY_PREFIX=self.prefix,
            # As behind one reverse proxy: the throttle takes the client from X-Forwarded-For (if the settings
            # read this variable; see docs/performance.md, NUM_PROXIES).
            DJANGO_NUM_PROXIES="1",
            LOG_LEVEL="WARNING",
            **server_env_overrides(),
        )

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.kind,
            "--threads",
            str(self.threads),
            "--backlog",
            "2048",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
            # As deployed (Dockerfile): the application and the mijn-buurt read model are loaded once, in the
            # master, and shared by the workers (gunicorn.conf.py).
            "--preload",
            *self.extra_args,
        ]
        common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self.log_handle = self.log.open("w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=common.BASE_DIR,
            env=self.env(),
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                # Every worker forked (the CPU columns count the processes listed when a run starts).
                if self.get("/healthz/")[0] == 200 and len(children_of(self.proc.pid)) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within 60 s")

    def __exit__(self, *exc) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log_handle.close()
        clear_cache_prefix(self.prefix)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def worker_pids(self) -> list[int]:
        return [self.proc.pid, *children_of(self.proc.pid)]


def clear_cache_prefix(prefix: str) -> None:
    """Remove this run's cached answers from the shared Redis (only keys under our own unique prefix)."""
    import redis

    client = redis.Redis.from_url(
        os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    batch = []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.unlink(*batch)
            batch = []
    if batch:
        client.unlink(*batch)


def wrk(server: Server, paths_file: Path, seconds: float, offset: int = 0) -> dict:
    connections = int(common.env_float("BENCH_CONNECTIONS", 32))
    threads = int(common.env_float("BENCH_WRK_THREADS", 2))
    script = Path(__file__).with_name("wrk_paths.lua")
    cmd = [
        shutil.which("wrk"), f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "5s",
        "-s", str(script), f"http://127.0.0.1:{server.port}", "--", str(paths_file), str(offset), str(threads),
    ]  # fmt: skip
    gunicorn_pids = server.worker_pids()
    pg_pids = backend_pids()
    cpu0 = (cpu_times(gunicorn_pids), cpu_times(pg_pids), machine_busy())
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    cpu1 = (cpu_times(gunicorn_pids), cpu_times(pg_pids), machine_busy())
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    line = next((x for x in out.splitlines() if x.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out}\n{err}")
    data = json.loads(line)
    elapsed = data["duration_us"] / 1e6
    busy = cpu1[2][0] - cpu0[2][0]
    total = cpu1[2][1] - cpu0[2][1]
    cores = os.cpu_count() or 1
    errors = sum(data["errors"].values())
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / elapsed, 1),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(data["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(data["latency_us"]["max"] / 1000, 2),
        "errors": errors,
        "error_detail": data["errors"],
        "kb_per_request": round(data["bytes"] / max(data["requests"], 1) / 1024, 2),
        "cpu": {
            "machine_busy_pct": round(100 * busy / max(total, 1), 1),
            "gunicorn_cores": round((cpu1[0] - cpu0[0]) / elapsed, 2),
            "postgres_cores": round((cpu1[1] - cpu0[1]) / elapsed, 2),
            "machine_cores_busy": round(cores * busy / max(total, 1), 2),
            "wrk_cores": round(wrk_cpu / elapsed, 2),
            # Redis and the other users of this shared machine.
            "other_cores": round(
                cores * busy / max(total, 1) - (cpu1[0] - cpu0[0] + cpu1[1] - cpu0[1] + wrk_cpu) / elapsed, 2
            ),
        },
    }


def write_paths(name: str, paths: list[str]) -> Path:
    path = common.RESULTS_DIR / f"paths-{name}.txt"
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(paths) + "\n")
    return path


def scenarios(samples: dict) -> list[tuple[str, Path, bool]]:
    base = os.environ.get("BENCH_LOOKUP_PATH", "/api/v1/mijn-buurt/")
    point_paths = [f"{base}?{urlencode({'lat': lat, 'lon': lon})}" for lat, lon in samples["points"]]
    search_paths = [f"{base}?{urlencode({'q': q})}" for q, _ in samples["queries"]]
    return [
        ("healthz (bare endpoint)", write_paths("healthz", ["/healthz/"]), False),
        ("point lookup, warm (50 points repeated)", write_paths("point-warm", point_paths[:WARM_PATHS]), False),
        ("point lookup, cold (no point repeated)", write_paths("point-cold", point_paths), True),
        ("address search, warm (50 queries repeated)", write_paths("search-warm", search_paths[:WARM_PATHS]), False),
        ("address search, cold (no query repeated)", write_paths("search-cold", search_paths), True),
    ]


class ZoneChanges:
    """While running, tell the server that ZONE_CHANGES_PER_SECOND zones changed each second (their version
    bumped in Redis, as a save of an officer or a spreekuur does): the workers reload those zones' bundles."""

    def __init__(self, server: Server, per_second: float):
        import threading

        import redis
        from django.db import connection

        self.client = redis.Redis.from_url(
            os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        )
        self.key = f"{server.prefix}:1:mijnbuurt:versions"  # Django's make_key: prefix:version:key
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM wijken_zone")
            self.zone_ids = [row[0] for row in cursor.fetchall()]
        self.interval = 1 / per_second
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.bumps = 0

    def run(self) -> None:
        rng = random.Random(11)
        while not self.stop.wait(self.interval):
            self.client.hincrby(self.key, f"z{rng.choice(self.zone_ids)}", 1)
            self.bumps += 1

    def __enter__(self) -> ZoneChanges:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


ZONE_CHANGES_PER_SECOND = 5


def check_answers(server: Server, samples: dict) -> dict:
    """Before loading: the API answers 200 with the wijk the database says covers the point."""
    import psycopg

    base = os.environ.get("BENCH_LOOKUP_PATH", "/api/v1/mijn-buurt/")
    agree = checked = 0
    statuses: dict[str, int] = {}
    with psycopg.connect(common.libpq_dsn(), autocommit=True) as conn:
        for lat, lon in samples["points"][:40]:
            status, body = server.get(f"{base}?{urlencode({'lat': lat, 'lon': lon})}")
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status != 200:
                continue
            expected = conn.execute(
                FLOOR_POINT_SQL, {"lat": lat, "lon": lon, "today": datetime.date.today()}
            ).fetchone()
            payload = json.loads(body)
            # {"candidates": ..., "answer": {...}} from the mijn-buurt API; a bare answer is accepted too.
            answer = payload.get("answer", payload) or {}
            wijk = (answer.get("wijk") or {}).get("code")
            checked += 1
            agree += wijk == (expected[2] if expected else None)
    for q, _ in samples["queries"][:20]:
        status, _body = server.get(f"{base}?{urlencode({'q': q})}")
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"point_answers_checked": checked, "point_answers_agreeing": agree, "statuses": statuses}


def measure_http(samples: dict) -> tuple[list[dict], list[dict]]:
    configs = [c.strip() for c in os.environ.get("BENCH_GUNICORN", "sync:3,sync:2").split(",") if c.strip()]
    port = int(common.env_float("BENCH_PORT", 8106))
    seconds = common.env_float("BENCH_DURATION", 15)
    warmup = common.env_float("BENCH_WARMUP", 3)
    rounds = int(common.env_float("BENCH_ROUNDS", 3))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk); BENCH_SKIP_HTTP=1 runs the floor only")
    runs, checks = [], []
    plan = scenarios(samples)
    for config in configs:
        with Server(config, port) as server:
            # First, a server that has never answered: its workers build their read model under load.
            fresh = wrk(server, plan[2][1], 10, offset=int(COLD_PATHS * 0.5))
            fresh.update({"server": config, "scenario": "point lookup, cold, fresh server (first 10 s)"})
            check = check_answers(server, samples)
            check["server"] = config
            checks.append(check)
            print(f"server {config}: answers {check}")
            results = [fresh]
            # Rounds, each every scenario once: the machine's load drifts, so each ratio compares a scenario
            # with the bare endpoint of its own round, and the summary gives the median over the rounds.
            for round_number in range(rounds):
                for label, paths_file, cold in plan:
                    lines = sum(1 for _ in paths_file.open())
                    # The warm-up reads from the far end of a cold file, so the measured run meets new points.
                    offset = int(lines * 0.9) if cold else 0
                    wrk(server, paths_file, warmup, offset=offset)
                    result = wrk(server, paths_file, seconds, offset=(round_number * lines // 3) if cold else 0)
                    result.update({"server": config, "scenario": label, "round": round_number})
                    results.append(result)
            with ZoneChanges(server, ZONE_CHANGES_PER_SECOND) as changes:
                churn = wrk(server, plan[2][1], seconds, offset=int(COLD_PATHS * 0.3))
            churn.update(
                {
                    "server": config,
                    "scenario": f"point lookup, cold, {ZONE_CHANGES_PER_SECOND} zones changing per second",
                    "zone_changes": changes.bumps,
                }
            )
            results.append(churn)
            memory = [{"pid": pid, **rss_mb(pid)} for pid in children_of(server.proc.pid)]
            for result in results:
                result["workers_memory"] = memory
                print(
                    f"  {result['scenario']:<52} {result['rps']:>8,.0f} req/s  p50 {result['p50_ms']:.1f} ms  "
                    f"p99 {result['p99_ms']:.1f} ms  errors {result['errors']}"
                )
            print(f"  workers' memory: {memory}")
            runs += results
    return runs, checks


def summarise(runs: list[dict]) -> list[dict]:
    """One row per server and scenario: medians over the rounds, and the ratio to the bare endpoint of the
    same round (the median, and the lowest and highest of the rounds)."""
    out = []
    for server in dict.fromkeys(r["server"] for r in runs):
        mine = [r for r in runs if r["server"] == server]
        bare = {r["round"]: r["rps"] for r in mine if r["scenario"].startswith("healthz")}
        bare_median = statistics.median(bare.values()) if bare else 0
        for scenario in dict.fromkeys(r["scenario"] for r in mine):
            rows = [r for r in mine if r["scenario"] == scenario]
            ratios = [r["rps"] / (bare.get(r.get("round")) or bare_median or 1) for r in rows]
            row = {
                "server": server,
                "scenario": scenario,
                "rounds": len(rows),
                "rps": round(statistics.median(r["rps"] for r in rows), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in rows), 2),
                "p99_ms": round(statistics.median(r["p99_ms"] for r in rows), 2),
                "p99_ms_worst": max(r["p99_ms"] for r in rows),
                "errors": sum(r["errors"] for r in rows),
                "cpu": {k: round(statistics.median(r["cpu"][k] for r in rows), 2) for k in rows[0]["cpu"]},
            }
            if not scenario.startswith("healthz"):
                row.update(
                    {
                        "ratio_to_bare": round(statistics.median(ratios), 3),
                        "ratio_min": round(min(ratios), 3),
                        "ratio_max": round(max(ratios), 3),
                        "meets_ratio_target": statistics.median(ratios) >= TARGET_RATIO and row["errors"] == 0,
                        "meets_p99_target": row["p99_ms"] < TARGET_P99_MS and row["errors"] == 0,
                    }
                )
            out.append(row)
    return out


def summary_table(summary: list[dict]) -> tuple[list[str], list[list]]:
    """The summary as printed here and pasted into docs/performance.md (benchmarks/report.py)."""
    header = ["server", "scenario", "rounds", "req/s", "p50 ms", "p99 ms", "worst p99", "errors", "vs bare",
              "(lowest–highest)", "gunicorn cores", "pg cores", "wrk cores", "other cores"]  # fmt: skip
    rows = []
    for r in summary:
        ratio = f"{r['ratio_to_bare']:.0%}" if "ratio_to_bare" in r else "(c)"
        spread = f"{r['ratio_min']:.0%}–{r['ratio_max']:.0%}" if r.get("rounds", 1) > 1 and "ratio_min" in r else ""
        rows.append([r["server"], r["scenario"], r["rounds"], f"{r['rps']:,.0f}", r["p50_ms"], r["p99_ms"],
                     r["p99_ms_worst"], r["errors"], ratio, spread, r["cpu"]["gunicorn_cores"],
                     r["cpu"]["postgres_cores"], r["cpu"]["wrk_cores"], r["cpu"]["other_cores"]])  # fmt: skip
    return header, rows


def main() -> None:
    common.setup_django()
    geography = dataset.ensure_geography()
    addresses = dataset.ensure_addresses()
    print("building the request samples")
    samples = build_samples()

    floor_rows, floor_checks = measure_floor(samples)
    common.print_table(
        "(a) database floor and selector, one client after another",
        ["what", "processes", "per second", "p50 ms", "p99 ms"],
        [[r["label"], r["processes"], r["per_second"], r["p50_ms"], r["p99_ms"]] for r in floor_rows],
    )
    if floor_checks:
        print(f"checks: {floor_checks}")

    clear_cache_prefix(os.environ["CACHE_KEY_PREFIX"])  # what the in-process selector runs cached
    runs, http_checks = ([], []) if os.environ.get("BENCH_SKIP_HTTP") else measure_http(samples)
    summary = summarise(runs)
    if runs:
        header, rows = summary_table(summary)
        connections = int(common.env_float("BENCH_CONNECTIONS", 32))
        common.print_table(f"(b)/(c) API under gunicorn, wrk {connections} connections on loopback", header, rows)
    common.write_results(
        NAME,
        {
            "dataset": {"geography": geography, "addresses": addresses},
            "floor": floor_rows,
            "checks": {"floor": floor_checks, "http": http_checks},
            "http": runs,
            "summary": summary,
            "settings": {
                "duration_s": common.env_float("BENCH_DURATION", 15),
                "warmup_s": common.env_float("BENCH_WARMUP", 3),
                "connections": int(common.env_float("BENCH_CONNECTIONS", 32)),
                "wrk_threads": int(common.env_float("BENCH_WRK_THREADS", 2)),
                "rounds": int(common.env_float("BENCH_ROUNDS", 3)),
                "conn_max_age": os.environ.get("BENCH_CONN_MAX_AGE", "600"),
                "public_throttle_rate": "100000000/s (the throttle runs, but never refuses)",
                "client_addresses": "X-Forwarded-For from a pool of 65,536 per request (many citizens)",
                "server_env": server_env_overrides(),
            },
            "targets": {"ratio_to_bare": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        },
    )


if __name__ == "__main__":
    main()
