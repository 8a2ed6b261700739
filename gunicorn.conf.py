"""gunicorn reads this file from the working directory (its default config path): the settings on the command
line (Dockerfile, docker-compose.yml) still apply; this adds what cannot be said there."""


def when_ready(server):
    """With --preload the application is loaded in the master before it forks the workers: load the read model
    there too, so that the workers share its pages (memory, and the processor's caches) until they reload."""
    if not server.cfg.preload_app:
        return
    from django.db import connections

    from wijken.lookup import readmodel

    try:
        loaded = readmodel.warm()
        server.log.info("mijn buurt: read model loaded (%s wijken, %s zones)", loaded["wijken"], loaded["zones"])
    except Exception as exc:  # noqa: BLE001 - the workers load it themselves then
        server.log.warning("mijn buurt: read model not loaded in the master (%s)", exc)
    finally:
        connections.close_all()  # no database connection may cross the fork


def post_worker_init(worker):
    """Load the mijn-buurt read model before the worker takes its first request, so that no citizen waits for
    it (about 3 s for 20,000 wijken in 200 zones, docs/performance.md). A database that is not there yet only
    delays it to the first lookup."""
    from wijken.lookup import readmodel

    try:
        loaded = readmodel.warm()
    except Exception as exc:  # noqa: BLE001 - any failure here must not keep the worker from serving
        worker.log.warning("mijn buurt: read model not loaded at start (%s); the first lookup loads it", exc)
    else:
        worker.log.info("mijn buurt: read model loaded (%s wijken, %s zones)", loaded["wijken"], loaded["zones"])
