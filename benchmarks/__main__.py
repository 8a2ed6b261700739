"""Run the benchmarks: `python -m benchmarks [NAME ...] [--scale tiny|small|medium|full] [--list]`.

Every module `benchmarks/bench_<name>.py` with a `main()` is discovered and run in name order; each prints a
table and writes benchmarks/results/<name>.json. Environment: BENCH_SCALE (default full), BENCH_ONLY
(comma-separated names, like the positional arguments), BENCH_DATABASE_URL (default: DATABASE_URL's database
with `_bench` appended), BENCH_SEED, BENCH_PORT and the knobs described in docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

from . import common


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--scale", choices=sorted(common.SCALES), help="data set size (env BENCH_SCALE)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    if args.scale:
        os.environ["BENCH_SCALE"] = args.scale
    wanted = args.names or [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()] or available
    wanted = [n.strip().removeprefix("bench_") for n in wanted]
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")

    scale = common.scale()
    print(f"benchmarks: {', '.join(wanted)} · scale {scale.name} · database {common.database_url()}")
    common.ensure_database()
    common.setup_django()

    failed = []
    for name in wanted:
        print(f"\n=== {name} " + "=" * max(0, 70 - len(name)))
        started = time.monotonic()
        try:
            importlib.import_module(f"benchmarks.bench_{name}").main()
        except KeyboardInterrupt:
            raise
        except BaseException:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        print(f"=== {name} took {time.monotonic() - started:.0f} s")
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
