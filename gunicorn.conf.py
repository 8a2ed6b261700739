"""gunicorn reads this file from the working directory (its default config path): the settings on the command
line (Dockerfile, docker-compose.yml) still apply; this adds what cannot be said there."""

import gc


def _load_read_model(log, where: str) -> None:
    """Load the mijn-buurt read model and the address index now, so that no citizen waits for them (at national
    scale about 2 s for 20,000 wijken in 200 zones and 6 s for a million addresses, docs/performance.md). A
    database that is not there yet only delays it to the first lookup."""
    from django.db import connections

    from wijken.lookup import readmodel

    try:
        loaded = readmodel.warm()
    except Exception as exc:  # noqa: BLE001 - any failure here must not keep gunicorn from serving
        log.warning("mijn buurt: read model not loaded %s (%s); the first lookup loads it", where, exc)
    else:
        log.info(
            "mijn buurt: read model loaded (%s wijken, %s zones; %s addresses indexed)",
            loaded["wijken"],
            loaded["zones"],
            loaded["addresses"],
        )
    finally:
        connections.close_all()  # no database connection may cross a fork
    # What is loaded now stays out of the garbage collector's sight: collections neither walk it (pauses at the
    # tail of the latency) nor write to its pages (which would make each worker copy what the master loaded).
    gc.freeze()


def when_ready(server):
    """With --preload (as deployed) the application is loaded in the master before it forks the workers: load
    the read model there too, so that the workers share its pages."""
    if server.cfg.preload_app:
        _load_read_model(server.log, "in the master")


def post_worker_init(worker):
    """Without --preload each worker loads its own; with it, this finds everything loaded already."""
    _load_read_model(worker.log, "in the worker")
