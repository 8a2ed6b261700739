"""A gunicorn configuration for bench_stages.py: the project's gunicorn.conf.py, plus hooks that measure, in each
worker, the thread CPU time of every request (between gunicorn's pre_request and post_request hooks: the WSGI
application and the response's writing) and of the lookup's stages, wrapped by name (STAGES). Each worker writes
its totals to BENCH_STAGES_DIR when it exits. Thread CPU time, not wall time: a worker waiting for a core under
load counts nothing, so the figures say what each stage costs on a loaded machine, caches shared and all."""

import functools
import json
import os
import time
from importlib import import_module
from pathlib import Path

# The deployed hooks (read model and address index loaded in the master with --preload, gc.freeze()).
exec((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text())

# (module, attribute path, label): what a lookup spends its time in, outermost first.
STAGES = [
    ("wijken.api_public", "MijnBuurtAPIView._search_body", "search: candidates + answer"),
    ("wijken.lookup", "search_candidates", "search: candidates"),
    ("wijken.lookup.search", "parse_query", "search: parse"),
    ("wijken.lookup.search", "_search_in_index", "search: address index"),
    ("wijken.lookup", "neighbourhood_json_for_match", "search: answer"),
    ("wijken.lookup", "neighbourhood_json_at", "point: answer"),
    ("wijken.lookup.readmodel", "BoundaryIndex.covering", "covering wijk (both)"),
    ("wijken.lookup", "count_and_fetch", "throttle + cache round trip"),
]

_totals: dict[str, int] = {}
_started = [0]


def _measured(function, label):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.thread_time_ns()
        try:
            return function(*args, **kwargs)
        finally:
            _totals[label] = _totals.get(label, 0) + time.thread_time_ns() - started

    return wrapper


def post_fork(server, worker):
    for module_name, path, label in STAGES:
        owner = import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        raw = owner.__dict__[name]
        if isinstance(raw, staticmethod):
            setattr(owner, name, staticmethod(_measured(raw.__func__, label)))
        else:
            setattr(owner, name, _measured(raw, label))


def pre_request(worker, req):
    _started[0] = time.thread_time_ns()


def post_request(worker, req, environ, resp):
    _totals["request"] = _totals.get("request", 0) + time.thread_time_ns() - _started[0]
    _totals["requests"] = _totals.get("requests", 0) + 1


def worker_exit(server, worker):
    if _totals.get("requests"):
        out = Path(os.environ["BENCH_STAGES_DIR"]) / f"worker-{os.getpid()}.json"
        out.write_text(json.dumps(_totals))
