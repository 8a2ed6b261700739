"""The mijn-buurt answer cache: Redis (the Django cache's pool and key prefix) with one version number that
any save of a wijk, assignment, wijkinspecteur, contactpunt, spreekuur, exception or zone bumps, and a small
per-process layer in front of it."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .. import models as wm

CACHE_TIMEOUT = 3600
VERSION_KEY = "mijnbuurt:version"

_redis = None


def redis_client():
    """The Django cache's Redis (same pool, same key prefix through cache.make_key), as one client object per
    process. Django builds a new client object for every call, and setting one up (it copies ~170 response
    callbacks) costs more than the round trip itself on this hot path. None when the cache is not Redis."""
    global _redis
    if _redis is None:
        backend = getattr(cache, "_cache", None)
        _redis = backend.get_client(write=True) if hasattr(backend, "get_client") else False
    return _redis or None


def cache_version() -> int:
    client = redis_client()
    if client is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, None)
        return int(version or 1)
    key = cache.make_key(VERSION_KEY)
    version = client.get(key)
    if version is None:
        client.set(key, 1, nx=True)
        return 1
    return int(version)


# A small per-process layer in front of Redis for the answers asked most (DESIGN §10: repeated addresses), checked
# against the version read from Redis at most once a second: a change shows everywhere within that second.
LOCAL_SIZE = 1000
LOCAL_VERSION_TTL = 1.0
_local: OrderedDict[str, tuple[int, str, float]] = OrderedDict()  # key: (version, text, expires at)
_local_lock = threading.Lock()
_version_seen: tuple[float, int] = (0.0, 0)


def _current_version() -> int:
    global _version_seen
    now = time.monotonic()
    seen_at, version = _version_seen
    if not version or now - seen_at > LOCAL_VERSION_TTL:
        version = cache_version()
        _version_seen = (now, version)
    return version


def invalidate(**_kwargs) -> None:
    """Forget every cached answer (bump the version the answers are stamped with)."""
    global _version_seen
    client = redis_client()
    if client is None:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, None)
            version = 2
    else:
        version = client.incr(cache.make_key(VERSION_KEY))
    with _local_lock:
        _local.clear()
        _version_seen = (time.monotonic(), int(version))


def _cached(key: str) -> str | None:
    version = _current_version()
    with _local_lock:
        hit = _local.get(key)
        if hit is not None and hit[0] == version and hit[2] > time.monotonic():
            _local.move_to_end(key)
            return hit[1]
    client = redis_client()
    if client is None:
        raw, ttl = cache.get(key, ""), CACHE_TIMEOUT
    else:
        redis_key = cache.make_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.get(redis_key)
        pipe.ttl(redis_key)
        raw, ttl = pipe.execute()
        raw = raw or b""
    stamp, _, text = (raw.encode() if isinstance(raw, str) else raw).partition(b"|")
    if not text or stamp != str(version).encode():
        return None  # absent, older than the last change, or not ours
    text = text.decode()
    _remember(key, version, text, min(max(int(ttl), 0), CACHE_TIMEOUT))
    return text


def _remember(key: str, version: int, text: str, timeout: float = CACHE_TIMEOUT) -> None:
    with _local_lock:
        _local[key] = (version, text, time.monotonic() + timeout)
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def _store(key: str, text: str, version: int, timeout: int = CACHE_TIMEOUT) -> None:
    client = redis_client()
    if client is None:
        cache.set(key, f"{version}|{text}", timeout)
    else:
        client.set(cache.make_key(key), f"{version}|{text}".encode(), ex=timeout)
    _remember(key, version, text, timeout)


_INVALIDATING_MODELS = (
    wm.Zone,
    wm.Wijk,
    wm.Wijkinspecteur,
    wm.Assignment,
    wm.Contactpunt,
    wm.Spreekuur,
    wm.SpreekuurException,
)
for _model in _INVALIDATING_MODELS:
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-save")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-delete")
