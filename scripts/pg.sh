#!/usr/bin/env bash
# A PostgreSQL cluster for ClaimDesk development and tests, owned by the project.
#
#   scripts/pg.sh [--dir DIR] [--port PORT] [--watch-pid PID] start|stop|status|url|psql
#
# - Installs Debian's `postgresql` package when its binaries are missing.
# - Creates the cluster with initdb in DIR (default: $CLAIMDESK_PG_DIR, else
#   $XDG_DATA_HOME/claimdesk/pg for a normal user, /var/lib/claimdesk/pg for
#   root: PostgreSQL refuses to run as root, so as root the server processes
#   run as the `postgres` system user, which cannot enter /root).
# - Listens on 127.0.0.1 only (default port $CLAIMDESK_PG_PORT or 54329) and
#   on a unix socket inside DIR. Authentication is `trust` for the bootstrap
#   superuser `claimdesk`: a development cluster, never a production one.
# - `start` prints the connection URL (database `claimdesk`); so does `url`.
# - `--watch-pid PID` (tests): a watchdog stops the cluster and removes DIR
#   when process PID ends, however it ends.
set -euo pipefail

PG_VERSION="${CLAIMDESK_PG_VERSION:-15}"
PORT="${CLAIMDESK_PG_PORT:-54329}"
DIR="${CLAIMDESK_PG_DIR:-}"
WATCH_PID=""
CMD=""

while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --watch-pid) WATCH_PID="$2"; shift 2 ;;
        start|stop|status|url|psql) CMD="$1"; shift; break ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "pg.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[ -n "$CMD" ] || { echo "usage: scripts/pg.sh [--dir DIR] [--port PORT] start|stop|status|url|psql" >&2; exit 2; }

if [ -z "$DIR" ]; then
    if [ "$(id -u)" = 0 ]; then
        DIR=/var/lib/claimdesk/pg
    else
        DIR="${XDG_DATA_HOME:-$HOME/.local/share}/claimdesk/pg"
    fi
fi
DATA="$DIR/data"
SOCK="$DIR/run"
LOG="$DIR/postgres.log"
URL="postgres://claimdesk@127.0.0.1:$PORT/claimdesk"

find_bin() {
    for d in "/usr/lib/postgresql/$PG_VERSION/bin" /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then BIN="$d"; return 0; fi
    done
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        BIN="$(pg_config --bindir)"; return 0
    fi
    return 1
}

if ! find_bin; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "pg.sh: installing Debian's postgresql package" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        # Debian's package starts its own cluster on 5432; the project does not use it.
        (command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read -r v n _; do
            pg_ctlcluster "$v" "$n" stop 2>/dev/null || true; done) || true
        find_bin || { echo "pg.sh: postgresql installed but initdb not found" >&2; exit 1; }
    else
        echo "pg.sh: PostgreSQL binaries not found; install Debian's 'postgresql' package (apt-get install postgresql)" >&2
        exit 1
    fi
fi

# As root, the cluster belongs to the `postgres` system user (or $CLAIMDESK_PG_USER).
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
    PGUSER_OS="${CLAIMDESK_PG_USER:-postgres}"
    if ! id "$PGUSER_OS" >/dev/null 2>&1; then
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$PGUSER_OS"
    fi
    RUN_AS=(runuser -u "$PGUSER_OS" --)
fi
as_owner() { "${RUN_AS[@]}" "$@"; }

is_running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init_cluster() {
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then
        chown "$PGUSER_OS" "$DIR"
        chmod 700 "$DIR"
        if ! as_owner test -w "$DIR"; then
            echo "pg.sh: user '$PGUSER_OS' cannot write $DIR (a parent directory is closed to it); choose another --dir" >&2
            exit 1
        fi
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_owner "$BIN/initdb" -D "$DATA" -U claimdesk --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; exit 1; }
        cat >>"$DATA/postgresql.conf" <<EOF
# claimdesk (scripts/pg.sh): loopback only, socket in the cluster directory
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
max_connections = 300
shared_buffers = 128MB
EOF
    fi
    as_owner mkdir -p "$SOCK"
}

case "$CMD" in
    start)
        init_cluster
        if ! is_running; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $PORT" -w -t 60 start >/dev/null \
                || { tail -n 30 "$LOG" >&2; exit 1; }
        fi
        if ! as_owner "$BIN/psql" -h "$SOCK" -p "$PORT" -U claimdesk -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'claimdesk'" | grep -q 1; then
            as_owner "$BIN/createdb" -h "$SOCK" -p "$PORT" -U claimdesk claimdesk
        fi
        if [ -n "$WATCH_PID" ]; then
            # Stop and remove the throwaway cluster when the owner process ends.
            nohup setsid bash -c '
                while kill -0 "$0" 2>/dev/null; do sleep 0.5; done
                '"${RUN_AS[*]:-}"' "$1/pg_ctl" -D "$2" -m immediate stop >/dev/null 2>&1
                rm -rf "$3"
            ' "$WATCH_PID" "$BIN" "$DATA" "$DIR" >/dev/null 2>&1 </dev/null &
        fi
        echo "$URL"
        ;;
    stop)
        if is_running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
        echo "stopped ($DATA)" >&2
        ;;
    status)
        if is_running; then echo "running: $URL (data $DATA)"; else echo "not running (data $DATA)"; exit 3; fi
        ;;
    url)
        echo "$URL"
        ;;
    psql)
        exec "$BIN/psql" "$URL" "$@"
        ;;
esac
