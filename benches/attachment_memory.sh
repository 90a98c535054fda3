#!/usr/bin/env bash
# Peak server memory (VmHWM) while eight clients upload a 20 MB attachment each at once, and
# while eight clients download those at once, on SQLite and on a PostgreSQL server this script
# starts itself. Each phase runs in a freshly started server, so its peak is its own.
#
#   cargo build --release --bin ticketd && benches/attachment_memory.sh [path/to/ticketd]
#
# The clients sign in once with a SoTicket, so the peak is not that of eight concurrent Argon2
# password checks (each takes its own 19 MiB), and the peak recorded while the server started and
# signed in is reset (`/proc/<pid>/clear_refs`, root or the server's owner) before each phase.
#
# Knobs: CLIENTS (8), SIZE_MB (20), BACKENDS ("sqlite postgres").
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$(realpath "${1:-target/release/ticketd}")"
clients="${CLIENTS:-8}"
size_mb="${SIZE_MB:-20}"
backends="${BACKENDS:-sqlite postgres}"
work="$(mktemp -d /tmp/ticketd-attachment-bench-XXXXXX)"
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
pg_data=""
server=""

cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
    if [ -n "$pg_data" ]; then "${as_postgres[@]}" pg_ctl -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Sets $url (and $pg_data, which the clean-up needs: so not called in a subshell).
start_postgres() {
    chmod 755 "$work"
    mkdir "$work/pg" && [ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
    pg_data="$work/pg/data"
    "${as_postgres[@]}" initdb -A trust -U postgres -E UTF8 --locale=C --no-sync -D "$pg_data" >/dev/null
    local port; port="$(free_port)"
    "${as_postgres[@]}" pg_ctl -w -D "$pg_data" -l "$work/pg/log" \
        -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
    psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE ticketd_bench"
    url="postgres://postgres@127.0.0.1:$port/ticketd_bench"
}

# Starts the server on $1, waits for it to answer and signs in; sets $server, $base and $auth,
# and forgets the peak memory so far.
start_server() {
    local port; port="$(free_port)"
    "$bin" serve --listen "127.0.0.1:$port" --database-url "$1" --demo >"$work/server.log" 2>&1 &
    server=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 300); do
        curl -sf -o /dev/null "$base/health/live" 2>/dev/null && break
        sleep 0.1
    done
    local ticket
    ticket="$(curl -sf -H 'Content-Type: application/json' -H 'Accept: application/json' \
        -d '{"Username":"tje0","Password":"Tje0"}' "$base/api/v1/session" |
        sed -n 's/.*"Ticket":"\([^"]*\)".*/\1/p')"
    [ -n "$ticket" ] || { echo "could not sign in:" >&2; cat "$work/server.log" >&2; exit 1; }
    auth="Authorization: SOTicket $ticket"
    echo 5 >"/proc/$server/clear_refs"
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

elapsed() { awk -v now="$(date +%s.%N)" -v then="$started" 'BEGIN { printf "%.1f", now - then }'; }

peak_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }

head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$work/upload.bin"
# Starts the server on `$1` afresh, so its peak RSS counts only what follows, and prints the
# idle row. The first start seeds the demo data (Argon2-hashing its passwords); measure from the next.
fresh_server() {
    start_server "$1"
    stop_server
    start_server "$1"
    echo "| $backend | (signed in, idle) | $(peak_mb) MB | |"
}

printf '| backend | %s concurrent | server peak RSS (VmHWM) | wall time |\n|---|---|--:|--:|\n' "$clients"
for backend in $backends; do
    case "$backend" in
        sqlite) url="sqlite://$work/ticketd.db" ;;
        postgres) start_postgres ;;
        *) echo "unknown backend $backend" >&2; exit 1 ;;
    esac
    fresh_server "$url"
    started="$(date +%s.%N)"
    pids=()
    for i in $(seq "$clients"); do
        curl -sf -H "$auth" -H 'Accept: application/json' -H 'Content-Type: application/octet-stream' \
            --data-binary "@$work/upload.bin" "$base/api/v1/Attachment?name=upload$i.bin" >"$work/up$i.json" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    echo "| $backend | uploads of $size_mb MB | $(peak_mb) MB | $(elapsed) s |"
    ids=$(sed -n 's/.*"AttachmentId":\([0-9]*\).*/\1/p' "$work"/up*.json)
    stop_server

    fresh_server "$url"
    started="$(date +%s.%N)"
    pids=()
    for id in $ids; do
        curl -sf -H "$auth" -o "$work/down$id.bin" "$base/api/v1/Attachment/$id/Content" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    echo "| $backend | downloads of $size_mb MB | $(peak_mb) MB | $(elapsed) s |"
    for id in $ids; do cmp -s "$work/upload.bin" "$work/down$id.bin" || echo "download $id differs" >&2; done
    rm -f "$work"/down*.bin
    stop_server
done
