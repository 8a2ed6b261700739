#!/usr/bin/env bash
# Makes sure PostgreSQL (with PostGIS) and Redis answer at the configured addresses (DATABASE_URL, REDIS_URL;
# the local servers by default). When nothing answers, it starts project-local ones under .local/ (git-ignored)
# on those same addresses, then creates the database if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOCAL="$PWD/.local"
read -r DB_HOST DB_PORT DB_USER DB_NAME REDIS_HOST REDIS_PORT < <($PY - <<'PYEOF'
import os
from urllib.parse import urlparse
db = urlparse(os.environ.get("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/wijkwerk"))
r = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
print(db.hostname or "127.0.0.1", db.port or 5432, db.username or "postgres", (db.path or "/wijkwerk").lstrip("/"),
      r.hostname or "127.0.0.1", r.port or 6379)
PYEOF
)
export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER" PGCONNECT_TIMEOUT=3
[ -n "${DATABASE_URL:-}" ] && export PGPASSWORD="$($PY -c 'import os;from urllib.parse import urlparse;print(urlparse(os.environ["DATABASE_URL"]).password or "")')"

pg_ok() { pg_isready -q -h "$DB_HOST" -p "$DB_PORT" 2>/dev/null; }
redis_ok() { $PY -c "import redis,sys; redis.Redis(host='$REDIS_HOST', port=$REDIS_PORT, socket_connect_timeout=2).ping()" 2>/dev/null; }

if ! pg_ok; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bindir" ] || { echo "services: no PostgreSQL answers at $DB_HOST:$DB_PORT and none is installed" >&2; exit 1; }
  echo "services: starting a project-local PostgreSQL in .local/pg on port $DB_PORT"
  mkdir -p "$LOCAL"
  run=(); [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)   # initdb refuses to run as root
  if [ ! -d "$LOCAL/pg/data" ]; then
    mkdir -p "$LOCAL/pg"; [ "$(id -u)" = 0 ] && chown postgres "$LOCAL/pg"
    "${run[@]}" "$bindir/initdb" -D "$LOCAL/pg/data" -U "$DB_USER" --auth=trust -E UTF8 >/dev/null
  fi
  "${run[@]}" "$bindir/pg_ctl" -D "$LOCAL/pg/data" -l "$LOCAL/pg/server.log" -w \
    -o "-p $DB_PORT -k $LOCAL/pg -c listen_addresses=$DB_HOST" start >/dev/null
fi
pg_ok || { echo "services: PostgreSQL still does not answer at $DB_HOST:$DB_PORT" >&2; exit 1; }
psql -d postgres -tAc "select 1 from pg_database where datname='$DB_NAME'" | grep -q 1 \
  || { echo "services: creating database $DB_NAME"; createdb "$DB_NAME"; }
psql -d "$DB_NAME" -tAc "select 1 from pg_available_extensions where name='postgis'" | grep -q 1 \
  || { echo "services: the PostgreSQL server at $DB_HOST:$DB_PORT has no PostGIS; install postgresql-15-postgis-3" >&2; exit 1; }

if ! redis_ok; then
  command -v redis-server >/dev/null || { echo "services: no Redis answers at $REDIS_HOST:$REDIS_PORT and none is installed" >&2; exit 1; }
  echo "services: starting a project-local Redis in .local/redis on port $REDIS_PORT"
  mkdir -p "$LOCAL/redis"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$LOCAL/redis" --logfile "$LOCAL/redis/redis.log" --pidfile "$LOCAL/redis/redis.pid"
  for _ in $(seq 20); do redis_ok && break; sleep 0.25; done
fi
redis_ok || { echo "services: Redis still does not answer at $REDIS_HOST:$REDIS_PORT" >&2; exit 1; }
