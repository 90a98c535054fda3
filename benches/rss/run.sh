#!/usr/bin/env bash
# Resident memory of ticketd under the seed-body PUT load (docs/performance.md, "Memory under
# load"): starts `ticketd serve --demo` on core 0, PUTs the seed's sample body to messages 1-10
# with `wrk -t1 -c32` on core 1, samples /proc/PID/status every second, and prints the largest
# VmRSS, VmHWM, the thread count, req/s and what holds the memory (smaps by mapping).
#
#   benches/rss/run.sh [SECONDS] [DATABASE_URL]    # defaults: 20, a fresh SQLite file
#
# Environment passes through to ticketd, e.g. MALLOC_ARENA_MAX=2 or MALLOC_MMAP_THRESHOLD_=131072.
# TICKETD (default target/release/ticketd; run `cargo build --release` first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
url="${2:-sqlite://$work/rss.db}"
bin="${TICKETD:-$here/../../target/release/ticketd}"
port=$((20000 + RANDOM % 20000))
taskset -c 0 "$bin" serve --demo --listen "127.0.0.1:$port" --database-url "$url" \
    --sqlite-synchronous normal >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -s -o /dev/null "127.0.0.1:$port/" && break; sleep 0.1; done
status() { awk -v key="$1" '$1 == key":" {print $2}' "/proc/$pid/status"; }
echo "after start-up: VmRSS $(status VmRSS) kB"
( while kill -0 "$pid" 2>/dev/null; do status VmRSS; sleep 1; done ) >"$work/samples" &
sampler=$!
RSS_BODY="$here/seed-body.json" RSS_AUTH="Basic dGplMDpUamUw" taskset -c 1 \
    wrk -t1 -c32 -d"${seconds}s" -s "$here/seed.lua" "http://127.0.0.1:$port" >"$work/wrk.txt"
non2xx="$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")"
echo "req/s $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt"), non-2xx ${non2xx:-0}"
echo "VmRSS in load, largest: $(sort -n "$work/samples" | tail -1) kB; per second: $(tr '\n' ' ' <"$work/samples")"
echo "VmHWM $(status VmHWM) kB, threads $(status Threads)"
echo "resident kB by mapping:"
awk '/^[0-9a-f]+-/ {name = ($6 == "" ? "[anon]" : $6)} /^Rss:/ {rss[name] += $2}
     END {for (n in rss) if (rss[n] > 500) print "  " rss[n], n}' "/proc/$pid/smaps" | sort -rn
kill "$pid"; wait "$pid" 2>/dev/null || true; kill "$sampler" 2>/dev/null || true
