#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs wrk and matplotlib when missing (Debian),
# runs benches/side_by_side.rs (release build) and draws its charts next to results.json.
#
#   benches/run.sh                                  # full run (about 10 minutes on 2 cores)
#   BENCH_SECONDS=2 BENCH_ROUNDS=1 benches/run.sh   # quick check that everything works
#
# Other knobs: BENCH_WARMUP (s, default 1), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (1),
# BENCH_STORAGE_TASKS (8), BENCH_BACKENDS (sqlite-normal,sqlite-full,postgres),
# BENCH_SCALE_OUT (1; 0 skips the two-instance run), BENCH_PG_OPTIONS (extra postgres -c flags),
# BENCH_NICE (-10; 0 keeps normal priority), BENCH_OUT (output folder, default docs/benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }

missing=()
have wrk || missing+=(wrk)
have taskset || missing+=(util-linux)
# The plot needs Debian's matplotlib, so Debian's interpreter, whatever python3 PATH finds.
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: please install ${missing[*]} (apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(nproc --all)" -lt 2 ]; then
    echo "run.sh: the server is pinned to core 0 and wrk to core 1; this machine has one core" >&2
    exit 1
fi
if ! have initdb || ! have pg_ctl; then
    echo "run.sh: initdb/pg_ctl not on PATH, so PostgreSQL is left out" >&2
    export BENCH_BACKENDS="${BENCH_BACKENDS:-sqlite-normal,sqlite-full}"
fi

out="${BENCH_OUT:-docs/benchmarks}"
export BENCH_OUT="$out"
# Build at normal priority, then measure at a raised one (root only) so that other jobs on a
# shared machine disturb the runs less; the servers, wrk and PostgreSQL inherit it.
# BENCH_NICE=0 measures at normal priority.
cargo bench --bench side_by_side --no-run
nice_level="${BENCH_NICE:--10}"
if [ "$nice_level" != 0 ] && [ "$(id -u)" -eq 0 ]; then
    nice -n "$nice_level" cargo bench --bench side_by_side
else
    cargo bench --bench side_by_side
fi
/usr/bin/python3 benches/plot.py "$out"
