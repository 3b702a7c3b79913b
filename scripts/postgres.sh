#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 server for the tests (Debian's postgresql package).
#   eval "$(scripts/postgres.sh start)"   # exports PG_URL
#   scripts/postgres.sh stop
set -euo pipefail
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
DATA="${PGDATA_DIR:-/tmp/openidv-pg}"
PORT="${PGPORT_TEST:-54329}"
RUN=()
if [ "$(id -u)" -eq 0 ]; then RUN=(runuser -u postgres --); fi

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
      "${RUN[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
    fi
    echo "export PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
