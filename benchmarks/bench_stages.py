"""Where a lookup's CPU goes inside gunicorn, under load (docs/performance.md, "Where a request's CPU goes").

The in-process figures of bench_lookup (a) say what a stage costs in a warm loop of one process; under wrk, with
three workers, wrk and the kernel sharing two cores and their caches, the same code costs several times as much.
This runs each scenario of bench_lookup (b) on its own server started with gunicorn_stages.py, which measures
the thread CPU time of every request and of the lookup's stages in each worker, and reports them per request.

Knobs (environment): BENCH_STAGES_DURATION (s of wrk per scenario, default 8), BENCH_GUNICORN's first server
configuration (default sync:3), and those of bench_lookup (connections, threads, port).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import bench_lookup, common, dataset
from .gunicorn_stages import STAGES

NAME = "stages"
CONFIG = Path(__file__).with_name("gunicorn_stages.py")


class StagesServer(bench_lookup.Server):
    """bench_lookup's server, with the stage-measuring configuration and a directory for the workers' totals."""

    def __init__(self, config: str, port: int, stages_dir: Path):
        super().__init__(config, port)
        self.stages_dir = stages_dir
        self.extra_args = ["--config", str(CONFIG)]

    def env(self) -> dict:
        return {**super().env(), "BENCH_STAGES_DIR": str(self.stages_dir)}


def per_request(stages_dir: Path) -> dict:
    """The workers' totals, as ms of thread CPU per request (over all workers' requests)."""
    totals: dict[str, int] = {}
    for path in stages_dir.glob("worker-*.json"):
        for label, value in json.loads(path.read_text()).items():
            totals[label] = totals.get(label, 0) + value
    requests = totals.pop("requests", 0)
    return {"requests": requests, **{k: round(v / requests / 1e6, 3) for k, v in totals.items()}} if requests else {}


def main() -> None:
    common.setup_django()
    dataset.ensure_geography()
    dataset.ensure_addresses()
    samples = bench_lookup.build_samples()
    config = os.environ.get("BENCH_GUNICORN", "sync:3").split(",")[0].strip()
    port = int(common.env_float("BENCH_PORT", 8106))
    seconds = common.env_float("BENCH_STAGES_DURATION", 8)
    results = []
    for label, paths_file, cold in bench_lookup.scenarios(samples):
        lines = sum(1 for _ in paths_file.open())
        with tempfile.TemporaryDirectory() as stages_dir:
            with StagesServer(config, port, Path(stages_dir)) as server:
                bench_lookup.wrk(server, paths_file, 2, offset=int(lines * 0.9) if cold else 0)
                run = bench_lookup.wrk(server, paths_file, seconds)
            # The workers wrote their totals as they exited, warm-up included.
            results.append({"scenario": label, "rps": run["rps"], "cpu_ms": per_request(Path(stages_dir))})
    stages = ["request", *(label for _, _, label in STAGES)]
    common.print_table(
        f"thread CPU per request inside gunicorn {config} (ms; wrk {int(seconds)} s per scenario, fresh servers)",
        ["scenario", "req/s", *stages],
        [[r["scenario"], r["rps"], *(r["cpu_ms"].get(s, "") for s in stages)] for r in results],
    )
    common.write_results(NAME, {"server": config, "duration_s": seconds, "scenarios": results})


if __name__ == "__main__":
    main()
