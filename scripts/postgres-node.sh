#!/usr/bin/env bash
# A private PostgreSQL server for tests: its own port, its data under .run/postgres, never the
# system cluster. TCP on 127.0.0.1 asks for the password (scram-sha-256), as a town's server would.
# Usage: postgres-node.sh start|stop|env|psql ARGS…
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${MIMAMORI_POSTGRES_DIR:-$root/.run/postgres}
# initdb and postgres refuse to run as root: as root the server runs as the postgres user, which
# must be able to reach the data folder; where the checkout's parents are closed to it, the data
# goes to a folder named after the checkout.
if [ "$(id -u)" = 0 ] && [ -z "${MIMAMORI_POSTGRES_DIR:-}" ]; then
    mkdir -p "$root/.run"
    if ! runuser -u postgres -- test -x "$root/.run"; then
        dir=/var/tmp/mimamori-postgres-$(printf '%s' "$root" | md5sum | cut -c1-8)
    fi
fi
port=${MIMAMORI_POSTGRES_PORT:-56800}
password=mimamori-test
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -n "$bin" ] && [ -f "$dir/data/PG_VERSION" ] && as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

start() {
    [ -n "$bin" ] || { echo "postgres: no /usr/lib/postgresql/*/bin (make deps installs postgresql)" >&2; exit 1; }
    if running; then echo "postgres: already running on 127.0.0.1:$port"; return; fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server bash -c "umask 077; printf '%s\n' '$password' > '$dir/password'"
        as_server "$bin/initdb" -D "$dir/data" -U mimamori --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
            || { echo "postgres: initdb failed; see $dir/initdb.log" >&2; tail -20 "$dir/initdb.log" >&2; exit 1; }
    fi
    echo "postgres: starting on 127.0.0.1:$port, data in $dir"
    # The server outlives this script: it must not keep the caller's descriptors open (a test's
    # Process would wait for the server to stop, as it did with RabbitMQ).
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
        done
        as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start
    ) >"$dir/pg_ctl.log" 2>&1 </dev/null \
        || { echo "postgres: did not start; see $dir/server.log" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
    as_server psql -h "$dir" -p "$port" -U mimamori -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'mimamori'" | grep -q 1 \
        || as_server psql -h "$dir" -p "$port" -U mimamori -d postgres -qc "CREATE DATABASE mimamori" >/dev/null
    echo "postgres: ready"
}

stop() {
    if running; then
        as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
        echo "postgres: stopped"
    fi
}

env_lines() {
    cat <<ENV
MIMAMORI_TEST_POSTGRES_URL=postgres://mimamori:$password@127.0.0.1:$port/mimamori
MIMAMORI_TEST_POSTGRES_DATA=$dir/data
ENV
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    psql) shift; as_server psql -h "$dir" -p "$port" -U mimamori -d "${MIMAMORI_POSTGRES_DB:-postgres}" "$@" ;;
    env) env_lines ;;
    *) echo "usage: $0 start|stop|env|psql ARGS…" >&2; exit 2 ;;
esac
