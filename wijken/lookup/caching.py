"""The mijn-buurt caches and their invalidation.

What a lookup needs lives in three places (docs/architecture.md, "mijn buurt"):

- each worker's read model (readmodel.py): the boundaries of every current wijk and zone, and per zone its
  officers, contactpunten and spreekuren, built from PostgreSQL when first asked for and rebuilt when they change;
- Redis, for the answers that need the address register (search candidates, an address by id), shared by all
  workers, with a small per-process layer in front of it;
- version counters in one Redis hash, read at most once a second per process, that say when any of it is stale:
  ``all`` (everything: imports, tests), ``geo`` (the boundaries of wijken and zones), ``addr`` (the address
  register) and ``z<id>`` (one zone's officers, contactpunten and spreekuren). A save bumps only what it touches,
  so an officer edited in one zone does not make the other two hundred zones reload.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections import OrderedDict

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .. import models as wm

CACHE_TIMEOUT = 3600
VERSIONS_KEY = "mijnbuurt:versions"

_redis = None


def redis_client() -> redis.Redis:
    """The Django cache's Redis (same pool, same key prefix through cache.make_key), as one client object per
    process. Django builds a new client object for every call, and setting one up (it copies ~170 response
    callbacks) costs more than the round trip itself on this hot path."""
    global _redis
    if _redis is None:
        _redis = cache._cache.get_client(write=True)  # settings.CACHES is Redis everywhere (DESIGN §7)
    return _redis


def _make_key(key: str) -> str:
    return _key_maker()(key)


_key_maker_cached = None


def _key_maker():
    """The cache backend's make_key, looked up once: the `cache` proxy finds the backend per call (~5 us)."""
    global _key_maker_cached
    if _key_maker_cached is None:
        _key_maker_cached = caches[DEFAULT_CACHE_ALIAS].make_key
    return _key_maker_cached


# --- Versions ------------------------------------------------------------------------------------------------

# A change shows in every process within this many seconds.
LOCAL_VERSION_TTL = 1.0
_versions_seen: tuple[float, dict[str, int]] = (0.0, {})


def _parse_versions(flat) -> dict[str, int]:
    """HGETALL's reply (a dict from redis-py, a flat list from the hot path's script) as {field: int}."""
    items = flat.items() if isinstance(flat, dict) else zip(flat[::2], flat[1::2], strict=True)
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in items}


def versions() -> dict[str, int]:
    """The version counters, read from Redis at most once every LOCAL_VERSION_TTL seconds per process."""
    global _versions_seen
    seen_at, seen = _versions_seen
    now = time.monotonic()
    if not seen_at or now - seen_at > LOCAL_VERSION_TTL:
        seen = _parse_versions(redis_client().hgetall(_make_key(VERSIONS_KEY)))
        _versions_seen = (now, seen)
    return seen


# The stamps made from the versions last seen (a request asks for the same few three or four times): `seen` is
# replaced, never changed in place, when the versions change.
_stamps_made: tuple[dict[str, int], dict[tuple[str, ...], str]] = ({}, {})


def _stamp_of(seen: dict[str, int], fields: tuple[str, ...]) -> str:
    global _stamps_made
    made_from, made = _stamps_made
    if made_from is not seen:
        made = {}
        _stamps_made = (seen, made)
    text = made.get(fields)
    if text is None:
        text = made[fields] = ".".join(str(seen.get(field, 0)) for field in fields)
    return text


def stamp(*fields: str) -> str:
    """The versions an entry depends on, as one string ("3.0.12"): an entry stamped otherwise is stale."""
    return _stamp_of(versions(), fields)


ADDRESS_FIELDS = ("all", "addr")  # search candidates and addresses by id
GEO_FIELDS = ("all", "geo")  # the boundaries


def _bump(fields: tuple[str, ...]) -> None:
    global _versions_seen
    client = redis_client()
    key = _make_key(VERSIONS_KEY)
    pipe = client.pipeline(transaction=False)
    for field in fields:
        pipe.hincrby(key, field, 1)
    bumped = dict(zip(fields, (int(v) for v in pipe.execute()), strict=True))
    with _local_lock:
        seen_at, seen = _versions_seen
        if seen_at:  # this process sees its own change at once; the others' within LOCAL_VERSION_TTL
            _versions_seen = (seen_at, {**seen, **bumped})
        if "all" in fields:
            _local.clear()


def _bump_now_and_on_commit(fields: tuple[str, ...]) -> None:
    """Bump now, so that this process and its open transaction see the change at once, and again after the
    commit: another process may have reloaded in between and read the rows as they were before it."""
    _bump(fields)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(fields))


def invalidate(**_kwargs) -> None:
    """Everything is stale: imports of boundaries or addresses, and tests."""
    _bump_now_and_on_commit(("all",))


def invalidate_addresses() -> None:
    """The address register changed (search candidates, addresses by id)."""
    _bump_now_and_on_commit(("addr",))


def _invalidate_for(sender, instance, **_kwargs) -> None:
    """A save or delete of one of the models the answer is built from: stale for its zone, and for everyone's
    boundaries when it is a wijk or a zone."""
    zone_id = instance.pk if sender is wm.Zone else instance.zone_id
    fields = (f"z{zone_id}",) + (("geo",) if sender in (wm.Zone, wm.Wijk) else ())
    _bump_now_and_on_commit(fields)


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
    post_save.connect(_invalidate_for, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-save")
    post_delete.connect(_invalidate_for, sender=_model, dispatch_uid=f"mijnbuurt-{_model.__name__}-delete")


def _address_saved(sender, instance, raw=False, **_kwargs) -> None:
    """An address saved through the ORM (the admin) gets what the importer gives every address, its search
    columns, and every process's address index and cached candidates are stale."""
    if not raw:  # a fixture brings its rows whole
        from ..importers.addresses import index_saved_address

        index_saved_address(instance.pk)
    invalidate_addresses()


post_save.connect(_address_saved, sender=wm.Address, dispatch_uid="mijnbuurt-Address-save")
post_delete.connect(
    lambda **_kwargs: invalidate_addresses(), sender=wm.Address, weak=False, dispatch_uid="mijnbuurt-Address-delete"
)

# --- Texts in Redis, with a per-process layer in front ---------------------------------------------------------

# The per-process layer keeps the texts asked most (DESIGN §10: repeated addresses and searches).
LOCAL_SIZE = 1000
_local: OrderedDict[str, tuple[str, str, float]] = OrderedDict()  # key: (stamp, text, expires at)
_local_lock = threading.Lock()


def _from_local(key: str, current: str) -> str | None:
    with _local_lock:
        hit = _local.get(key)
        if hit is not None and hit[0] == current and hit[2] > time.monotonic():
            _local.move_to_end(key)
            return hit[1]
    return None


def _remember(key: str, current: str, text: str, timeout: float) -> None:
    with _local_lock:
        _local[key] = (current, text, time.monotonic() + timeout)
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def _accept(key: str, current: str, raw: bytes | None, ttl: int) -> str | None:
    """A text read from Redis ("<stamp>|<text>"), when its stamp is current; it then joins the local layer."""
    stored, _, text = (raw or b"").partition(b"|")
    if not text or stored != current.encode():
        return None  # absent, older than the last change, or not ours
    text = text.decode()
    _remember(key, current, text, min(max(int(ttl), 0), CACHE_TIMEOUT))
    return text


def cached(key: str, fields: tuple[str, ...]) -> str | None:
    """The text stored under `key`, if nothing in `fields` changed since it was stored."""
    current = stamp(*fields)
    text = _from_local(key, current)
    if text is not None:
        return text
    pipe = redis_client().pipeline(transaction=False)
    pipe.get(_make_key(key))
    pipe.ttl(_make_key(key))
    raw, ttl = pipe.execute()
    return _accept(key, current, raw, ttl)


def store_computed(key: str, fields: tuple[str, ...], compute, timeout: int = CACHE_TIMEOUT) -> str:
    """compute() (a text), stored under `key` with the versions read before it ran: a change while it runs
    leaves the text stamped as older, never a stale text stamped as current."""
    current = stamp(*fields)
    text = compute()
    if text is not None:
        redis_client().set(_make_key(key), f"{current}|{text}".encode(), ex=timeout)
        _remember(key, current, text, timeout)
    return text


def cached_or_computed(key: str, fields: tuple[str, ...], compute, timeout: int = CACHE_TIMEOUT) -> str | None:
    text = cached(key, fields)
    return text if text is not None else store_computed(key, fields, compute, timeout)


# --- The public API's hot path ----------------------------------------------------------------------------------

# Counting requests per client without a Redis round trip for each (docs/performance.md, "The throttle"). Each
# process adds up the requests it served and sends the sums at most every SYNC_INTERVAL seconds, in the same round
# trip that reads the versions or a cached text when one is needed anyway. A client is counted exactly, in Redis
# and on every request, once it has used EXACT_FROM of its window's budget as last seen: before that, each
# process can let through at most that share unsent, for at most SYNC_INTERVAL, so with up to 1 / EXACT_FROM
# processes the limit holds, and a refusal (429) is always decided on the exact count.
SYNC_INTERVAL = 0.1
EXACT_FROM = 0.25
PRUNE_INTERVAL = 10.0

# One script, one reply: add the counts, and, only when asked, read the versions and a cached text.
# KEYS: the versions hash, the text's key (the versions hash again when none), then the counters.
# ARGV: read the versions (1/0), read the text (1/0), then per counter its increment and its lifetime.
_HOT_PATH_LUA = """
local counts = {}
for i = 3, #KEYS do
    local by = tonumber(ARGV[2 * i - 3])
    local n = redis.call('INCRBY', KEYS[i], by)
    if n == by then redis.call('EXPIRE', KEYS[i], ARGV[2 * i - 2]) end
    counts[#counts + 1] = n
end
local versions = {}
if ARGV[1] == '1' then versions = redis.call('HGETALL', KEYS[1]) end
local text, ttl = '', -2
if ARGV[2] == '1' then
    text = redis.call('GET', KEYS[2]) or ''
    if text ~= '' then ttl = redis.call('TTL', KEYS[2]) end
end
return {versions, text, ttl, counts}
"""
_hot_path_script = None
_HOT_PATH_SHA = hashlib.sha1(_HOT_PATH_LUA.encode()).hexdigest().encode()


class _Counters:
    """This process's view of the per-client counters: what Redis said at the last sync, and what it has
    served since. The hot path runs in one thread per process under sync workers; the lock is for gthread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, list[int]] = {}  # counter key: [requests not yet sent, lifetime in seconds]
        self.known: dict[str, tuple[int, float]] = {}  # counter key: (count in Redis at the last sync, expires at)
        self.synced_at = self.pruned_at = 0.0

    def take(self, key: str, lifetime: int, allowed: int, now: float) -> bool:
        """Count one request locally; True when it may go without a round trip (the client is far below its
        limit and the last sync is recent)."""
        with self.lock:
            entry = self.pending.setdefault(key, [0, lifetime])
            entry[0] += 1
            known = self.known.get(key)
            seen = known[0] if known is not None and known[1] > now else 0
            return now - self.synced_at <= SYNC_INTERVAL and seen + entry[0] <= allowed * EXACT_FROM

    def drain(self) -> list[tuple[str, int, int]]:
        with self.lock:
            sent = [(key, by, lifetime) for key, (by, lifetime) in self.pending.items()]
            self.pending = {}
            return sent

    def synced(self, sent: list[tuple[str, int, int]], counts: list, now: float) -> None:
        with self.lock:
            self.synced_at = now
            if now - self.pruned_at > PRUNE_INTERVAL:  # forget the windows that ended (not on every sync)
                self.known = {k: v for k, v in self.known.items() if v[1] > now}
                self.pruned_at = now
            for (key, _by, lifetime), count in zip(sent, counts, strict=True):
                self.known[key] = (int(count), now + lifetime)

    def forget(self) -> None:
        """Start afresh (tests that reset the limits in Redis)."""
        with self.lock:
            self.pending, self.known, self.synced_at, self.pruned_at = {}, {}, 0.0, 0.0

    def unsent(self, sent: list[tuple[str, int, int]]) -> None:
        """A round trip failed: keep its counts for the next one."""
        with self.lock:
            for key, by, lifetime in sent:
                self.pending.setdefault(key, [0, lifetime])[0] += by


_counters = _Counters()


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


def _run_hot_path_script(keys: list[str], args: list) -> list:
    encoded = [str(a).encode() for a in args]
    client = redis_client()
    numkeys = str(len(keys)).encode()
    try:
        return _raw.call(client, [b"EVALSHA", _HOT_PATH_SHA, numkeys, *(k.encode() for k in keys), *encoded])
    except (OSError, ValueError):
        global _hot_path_script
        if _hot_path_script is None:
            _hot_path_script = client.register_script(_HOT_PATH_LUA)
        return _hot_path_script(keys=keys, args=args)


def count_and_fetch(
    throttle_name: str,
    throttle_seconds: int,
    allowed: int,
    key: str | None = None,
    fields: tuple[str, ...] = ADDRESS_FIELDS,
) -> tuple[bool, str | None]:
    """Count one request under `throttle_name` (a fixed window that expires after `throttle_seconds`, `allowed`
    requests in it) and, when `key` is given, find the text cached under it if nothing in `fields` changed since
    (per-process layer first, then Redis). At most one Redis round trip, and none when the client is far below
    its limit, the versions and the counts were synced recently and the text (if any) is in this process.
    Returns (within the limit, the text or None)."""
    global _versions_seen
    seen_at, seen = _versions_seen
    now = time.monotonic()
    versions_due = not seen_at or now - seen_at > LOCAL_VERSION_TTL
    local_text = None
    if key is not None and not versions_due:
        local_text = _from_local(key, _stamp_of(seen, fields))
    make_key = _key_maker()
    counter = make_key(throttle_name)
    may_skip = _counters.take(counter, throttle_seconds, allowed, now)
    fetch = key is not None and local_text is None
    if may_skip and not versions_due and not fetch:
        return True, local_text
    sent = _counters.drain()
    versions_key = make_key(VERSIONS_KEY)
    try:
        raw_versions, raw, ttl, counts = _run_hot_path_script(
            [versions_key, make_key(key) if fetch else versions_key, *(k for k, _, _ in sent)],
            [int(versions_due), int(fetch), *(x for _, by, lifetime in sent for x in (by, lifetime))],
        )
    except BaseException:
        _counters.unsent(sent)
        raise
    _counters.synced(sent, counts, now)
    if versions_due:
        seen = _parse_versions(raw_versions or [])
        _versions_seen = (now, seen)
    within = next(int(count) for (k, _, _), count in zip(sent, counts, strict=True) if k == counter) <= allowed
    if key is None or local_text is not None:
        return within, local_text
    return within, _accept(key, _stamp_of(seen, fields), raw, ttl)
