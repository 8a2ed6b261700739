"""What every benchmark shares: the benchmark database, the scale, Django set-up, tables and JSON results.

The benchmarks never touch the development database: they work in their own database (BENCH_DATABASE_URL,
by default the DATABASE_URL's database name with `_bench` appended), because the national data set adds a
million addresses and hundreds of synthetic zones that nobody wants in a demo.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATABASE_URL = "postgis://postgres@127.0.0.1:5432/wijkwerk"


@dataclass(frozen=True)
class Scale:
    name: str
    addresses: int
    wijken: int
    zones: int


SCALES = {
    "tiny": Scale("tiny", 10_000, 200, 8),
    "small": Scale("small", 50_000, 1_000, 20),
    "medium": Scale("medium", 250_000, 5_000, 60),
    "full": Scale("full", 1_000_000, 20_000, 200),
}


def scale() -> Scale:
    """BENCH_SCALE=tiny|small|medium|full (default full, the figures the issue asks for)."""
    name = os.environ.get("BENCH_SCALE", "full").strip().lower()
    if name not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {name!r}")
    return SCALES[name]


def seed() -> int:
    return int(os.environ.get("BENCH_SEED", "20261121"))


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError as exc:
        raise SystemExit(f"{name} must be a number") from exc


def database_url() -> str:
    """The benchmark database: BENCH_DATABASE_URL, else DATABASE_URL's database + `_bench`."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    url = urlparse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    name = url.path.lstrip("/") or "wijkwerk"
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    return urlunparse(url._replace(path=f"/{name}"))


def libpq_dsn(url: str | None = None) -> str:
    """A psycopg connection string for the benchmark database (postgis:// is Django's scheme, not libpq's)."""
    parsed = urlparse(url or database_url())
    return urlunparse(parsed._replace(scheme="postgresql"))


def ensure_database() -> None:
    """Create the benchmark database if missing and migrate it (a no-op when it is current)."""
    import psycopg

    parsed = urlparse(database_url())
    name = parsed.path.lstrip("/")
    admin_dsn = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"creating the benchmark database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    run_manage(["migrate", "--noinput", "-v0"])


def cache_prefix() -> str:
    return f"bench-{urlparse(database_url()).path.lstrip('/')}-{os.getpid()}"


def bench_env(**extra: str) -> dict[str, str]:
    """The environment for subprocesses (manage.py, gunicorn): the benchmark database, quiet logs."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url()
    env.setdefault("LOG_LEVEL", "WARNING")
    # Redis is shared with development servers: never read or write their cached answers.
    env.setdefault("CACHE_KEY_PREFIX", cache_prefix())
    env.update(extra)
    return env


def run_manage(args: list[str], **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=bench_env(**extra_env), check=True, text=True
    )


_django_ready = False


def setup_django() -> None:
    """Django in this process, pointed at the benchmark database (for selectors and ORM-level figures)."""
    global _django_ready
    if _django_ready:
        return
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CACHE_KEY_PREFIX", cache_prefix())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    _django_ready = True


def machine() -> dict:
    """What the figures were measured on."""
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
        info["loadavg_1_5_15_min_when_written"] = os.getloadavg()
    except OSError:
        pass
    return info


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").replace("%", "").replace("x", "").isdigit()


def write_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {
        "benchmark": name,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": scale().name,
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nresults written to {path.relative_to(BASE_DIR)}")
    return path


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
