"""The mijn-buurt answer cache: Redis (the Django cache's pool and key prefix) with one version number that
any save of a wijk, assignment, wijkinspecteur, contactpunt, spreekuur, exception or zone bumps, and a small
per-process layer in front of it."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections import OrderedDict

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
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


def store_computed(key: str, compute, timeout: int = CACHE_TIMEOUT) -> str:
    """compute() (text), cached under `key` with the version read before it ran: a change while it runs leaves
    the text stamped as older, never a stale text stamped as current."""
    version = _current_version()
    text = compute()
    _store(key, text, version, timeout)
    return text


# The public API's hot path in one Redis round trip (docs/performance.md §3): count the request in the client's
# fixed window, and, only when needed, read the version (at most once a second per process) and the cached
# answer. A script rather than a pipeline: one command to encode and one reply to parse.
_HOT_PATH_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local version = ''
if ARGV[2] == '1' then version = redis.call('GET', KEYS[2]) or '' end
local answer, ttl = '', -2
if ARGV[3] == '1' then
    answer = redis.call('GET', KEYS[3]) or ''
    if answer ~= '' then ttl = redis.call('TTL', KEYS[3]) end
end
return {n, version, answer, ttl}
"""
_hot_path_script = None
_HOT_PATH_SHA = hashlib.sha1(_HOT_PATH_LUA.encode()).hexdigest().encode()


class _RawRedis(threading.local):
    """The hot path's own connection per thread: the script's one command written and its reply read on a plain
    socket. redis-py spends ~150 us of Python per command (pool, retries, encoders, parser) where the round trip
    itself takes ~30 us on loopback; this costs ~20 us. Plain TCP only (host, port, db, optional AUTH); anything
    else, and any error, goes through redis-py."""

    pid = 0
    sock = None
    reader = None

    def call(self, client, args: list[bytes]) -> list:
        if self.sock is None or self.pid != os.getpid():
            self.connect(client)
        try:
            self.sock.sendall(self.encode(args))
            reply = self.read()
            if isinstance(reply, _RedisError) and reply.message.startswith(b"NOSCRIPT"):
                self.sock.sendall(self.encode([b"EVAL", _HOT_PATH_LUA.encode(), *args[2:]]))
                reply = self.read()
        except BaseException:
            self.close()
            raise
        if isinstance(reply, _RedisError):
            raise OSError(reply.message.decode(errors="replace"))
        return reply

    def connect(self, client) -> None:
        self.close()
        pool = client.connection_pool
        kwargs = pool.connection_kwargs
        if pool.connection_class is not redis.connection.Connection:
            raise OSError("not plain TCP")
        sock = socket.create_connection((kwargs.get("host", "127.0.0.1"), kwargs.get("port", 6379)), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.reader, self.pid = sock, sock.makefile("rb"), os.getpid()
        setup = []
        if kwargs.get("password"):
            user = kwargs.get("username")
            setup.append([b"AUTH", *([str(user).encode()] if user else []), str(kwargs["password"]).encode()])
        if kwargs.get("db"):
            setup.append([b"SELECT", str(kwargs["db"]).encode()])
        for command in setup:
            sock.sendall(self.encode(command))
            if isinstance(self.read(), _RedisError):
                self.close()
                raise OSError("redis refused the connection set-up")

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = self.reader = None

    @staticmethod
    def encode(args: list[bytes]) -> bytes:
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
        return b"".join(out)

    def read(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise OSError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self.reader.read(size + 2)[:-2]
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self.read() for _ in range(size)]
        if kind == b"+":
            return rest
        if kind == b"-":
            return _RedisError(rest)
        raise OSError(f"unexpected reply {line[:20]!r}")


class _RedisError:
    def __init__(self, message: bytes):
        self.message = message


_raw = _RawRedis()


def _run_hot_path_script(client, keys: list[str], args: list) -> list:
    encoded = [str(a).encode() for a in args]
    try:
        return _raw.call(client, [b"EVALSHA", _HOT_PATH_SHA, b"3", *(k.encode() for k in keys), *encoded])
    except (OSError, ValueError):
        global _hot_path_script
        if _hot_path_script is None:
            _hot_path_script = client.register_script(_HOT_PATH_LUA)
        return _hot_path_script(keys=keys, args=args)


_make_key = None


def _key_maker():
    """The cache backend's make_key, looked up once: the `cache` proxy finds the backend per call (~5 us)."""
    global _make_key
    if _make_key is None:
        _make_key = caches[DEFAULT_CACHE_ALIAS].make_key
    return _make_key


def count_and_fetch(throttle_name: str, throttle_seconds: int, key: str) -> tuple[int, str | None] | None:
    """Count one request under `throttle_name` (a fixed window that expires after `throttle_seconds`) and find
    the cached text under `key` (per-process layer first, then Redis), in at most one Redis round trip. Returns
    (the count in the window, the text or None); None when the cache is not Redis (the caller takes the
    portable path)."""
    global _version_seen
    client = redis_client()
    if client is None:
        return None
    seen_at, version = _version_seen
    now = time.monotonic()
    version_due = not version or now - seen_at > LOCAL_VERSION_TTL
    with _local_lock:
        hit = _local.get(key)
    local_ok = hit is not None and hit[2] > now
    fetch = not local_ok or version_due or hit[0] != version
    make_key = _key_maker()
    count, raw_version, raw, ttl = _run_hot_path_script(
        client,
        [make_key(throttle_name), make_key(VERSION_KEY), make_key(key)],
        [throttle_seconds, int(version_due), int(fetch)],
    )
    if version_due:
        if not raw_version:
            return int(count), None  # no version yet: the caller's lookup sets it
        version = int(raw_version)
        _version_seen = (now, version)
    if local_ok and hit[0] == version:
        with _local_lock:
            if key in _local:
                _local.move_to_end(key)
        return int(count), hit[1]
    stamp, _, text = (raw or b"").partition(b"|")
    if text and stamp == str(version).encode():
        text = text.decode()
        _remember(key, version, text, min(max(int(ttl), 0), CACHE_TIMEOUT))
        return int(count), text
    return int(count), None


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
