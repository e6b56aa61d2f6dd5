#!/usr/bin/env bash
# bench_window.sh: what `beamviz procs --window 1000` costs next to plain
# snapshots, at N processes (default 100,000), measured side by side in one
# run (the runs interleaved, REPS times; medians compared):
#   (p)  one plain `procs -o x.csv`
#   (pp) two plain `procs -o x.csv` back to back (two beamviz runs)
#   (w)  `procs --window 1000 -o x.csv` (two passes 1000 ms apart, one run)
# Prints the figures and (w - 1000 ms) / pp (target <= 1.0: the window costs
# no more than two plain snapshots plus the window). A benchmark, not a test:
# it asserts nothing.
#
# usage: test/bench/bench_window.sh [path/to/beamviz]
#   env: N=100000 (processes), REPS=5, WINDOW=1000 (ms)
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BEAMVIZ=${1:-${BEAMVIZ:-$SRC/build/beamviz}}
N=${N:-100000}
REPS=${REPS:-5}
WINDOW=${WINDOW:-1000}
[ -x "$BEAMVIZ" ] || { echo "bench_window: no beamviz at $BEAMVIZ (give its path)" >&2; exit 2; }
. "$SRC/test/bench/lib.sh"
erlc -o "$TMP" "$SRC/test/bench/bv_bench_loop.erl" || exit 1
bv() { "$BEAMVIZ" --node "$BENCH" --cookie "$COOKIE" --timeout 600000 procs "$@"; }

echo "bench_window: load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "bench_window: $(nproc) cores, OTP $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().'), beamviz $BEAMVIZ"
start_node BENCH "bvbenchw_$$" +P 2000000
call "$BENCH" "bv_bench_loop start [$N]" >/dev/null
sleep 1
echo "node $BENCH: $(call "$BENCH" 'erlang system_info [process_count]') processes (${N} idle ones spawned)"

P=() PP=() W=()
for ((r = 1; r <= REPS; r++)); do
  rm -f "$TMP"/*.csv
  t0=$(now_ns)
  bv -o "$TMP/p.csv" || { echo "plain run failed" >&2; exit 1; }
  t1=$(now_ns)
  bv -o "$TMP/p1.csv" && bv -o "$TMP/p2.csv" || { echo "plain runs failed" >&2; exit 1; }
  t2=$(now_ns)
  bv --window "$WINDOW" -o "$TMP/w.csv" || { echo "window run failed" >&2; exit 1; }
  t3=$(now_ns)
  P+=("$(ms "$t0" "$t1")")
  PP+=("$(ms "$t1" "$t2")")
  W+=("$(ms "$t2" "$t3")")
  echo "  run $r: (p) one plain ${P[-1]} ms   (pp) two plain ${PP[-1]} ms   (w) --window $WINDOW ${W[-1]} ms   rows: $(($(wc -l <"$TMP/p.csv") - 1)) / $(($(wc -l <"$TMP/w.csv") - 1))"
done
MP=$(echo "${P[*]}" | median)
MPP=$(echo "${PP[*]}" | median)
MW=$(echo "${W[*]}" | median)
echo "(p) median ${MP} ms   (pp) median ${MPP} ms   (w) median ${MW} ms"
echo "(w - $WINDOW) / pp = $(awk -v w="$MW" -v pp="$MPP" -v d="$WINDOW" 'BEGIN { printf "%.2f", (w - d) / pp }')   (target <= 1.0)   (w - $WINDOW) / p = $(awk -v w="$MW" -v p="$MP" -v d="$WINDOW" 'BEGIN { printf "%.2f", (w - d) / p }')"
