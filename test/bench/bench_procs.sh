#!/usr/bin/env bash
# bench_procs.sh: how fast `beamviz procs` reads every process, compared with
#   (a) the node's own compiled loop over all processes reading the same fields
#       (test/bench/bv_bench_loop.erl, loaded on the benchmark node only): the
#       six the chart shows (beamviz does not read initial_call for it),
#   (b) `beamviz procs -o x.vl.json` end to end (process start to file written),
#   (c) the notebook's method: one erpc call per process, from a second node
#       (test/bench/bv_bench_erpc.erl, loaded on that client node only),
#       reading the same six items;
#   and, for the full model, (a') the loop reading all seven items plus the
#   dictionary of proc_lib processes, against (b') `beamviz procs -o x.json`.
# Prints the figures and b/a (target <= 1.0) and c/b (target >= 50); then a run
# at BIG processes (default 1,000,000) that must complete, with beamviz's peak
# RSS (target <= 400 MB). A benchmark, not a test: it asserts nothing.
#
# usage: test/bench/bench_procs.sh [path/to/beamviz]
#   env: N=100000 (processes), REPS=5 (runs of a and b, interleaved; medians
#        are compared), C_REPS=3 (runs of c, median), BIG=1000000 (0 skips the
#        big run), SKIP_C=1 skips (c), OLD=path/to/older/beamviz also runs (b)
#        with that build in every rep, interleaved, and prints new/old.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BEAMVIZ=${1:-${BEAMVIZ:-$SRC/build/beamviz}}
N=${N:-100000}
REPS=${REPS:-5}
BIG=${BIG:-1000000}
[ -x "$BEAMVIZ" ] || { echo "bench_procs: no beamviz at $BEAMVIZ (give its path)" >&2; exit 2; }
. "$SRC/test/bench/lib.sh"
erlc -o "$TMP" "$SRC/test/bench/bv_bench_loop.erl" "$SRC/test/bench/bv_bench_erpc.erl" || exit 1
# a beamviz run: prints "WALL_MS PEAK_KB". Each run writes a new file: the
# previous run's output is removed before the clock starts. Replacing a 13 MB
# file makes rename(2) free the old one's blocks, ~10 ms on this machine's
# ext4 (mounted with discard): the file system's work, not beamviz's, and (a)
# writes no file at all.
run_beamviz() {
  local node=$1 out=$2 t0 t1 kb BEAMVIZ=${3:-$BEAMVIZ}
  rm -f "$out"
  sync -f "$(dirname "$out")" 2>/dev/null
  t0=$(now_ns)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$TMP/rss" "$BEAMVIZ" --node "$node" --cookie "$COOKIE" --timeout 600000 \
      procs -o "$out" || return 1
    kb=$(tail -n 1 "$TMP/rss")
  else
    "$BEAMVIZ" --node "$node" --cookie "$COOKIE" --timeout 600000 procs -o "$out" &
    local p=$! k
    kb=0
    while kill -0 $p 2>/dev/null; do
      k=$(awk '/VmHWM/ { print $2 }' /proc/$p/status 2>/dev/null)
      [ -n "$k" ] && [ "$k" -gt "$kb" ] && kb=$k
      sleep 0.02
    done
    wait $p || return 1
  fi
  t1=$(now_ns)
  echo "$(ms "$t0" "$t1") $kb"
}

echo "bench_procs: load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "bench_procs: $(nproc) cores, OTP $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().'), beamviz $BEAMVIZ"

start_node BENCH "bvbench_$$" +P 2000000
call "$BENCH" "bv_bench_loop start [$N]" >/dev/null
sleep 1
PROCS=$(call "$BENCH" 'erlang system_info [process_count]')
echo "node $BENCH: $PROCS processes (${N} idle ones spawned)"

loop_ms() { call "$1" "bv_bench_loop $2 []" | sed -E 's/^\{([0-9]+),.*/\1/' | awk '{ printf "%.1f", $1 / 1000 }'; }
A=() B=() A2=() B2=() RSS=() BO=()
for ((r = 1; r <= REPS; r++)); do
  A+=("$(loop_ms "$BENCH" loop)")
  read -r b kb < <(run_beamviz "$BENCH" "$TMP/x.vl.json") || { echo "beamviz failed" >&2; exit 1; }
  B+=("$b")
  RSS+=("$kb")
  A2+=("$(loop_ms "$BENCH" loop_all)")
  read -r b2 _ < <(run_beamviz "$BENCH" "$TMP/x.json") || { echo "beamviz failed" >&2; exit 1; }
  B2+=("$b2")
  if [ -n "${OLD:-}" ]; then
    read -r bo _ < <(run_beamviz "$BENCH" "$TMP/o.vl.json" "$OLD") || { echo "old beamviz failed" >&2; exit 1; }
    BO+=("$bo")
    echo "  run $r: (b, old build $OLD) ${bo} ms"
  fi
  echo "  run $r: (a) node's own loop ${A[-1]} ms   (b) beamviz procs -o x.vl.json ${b} ms, peak RSS $((kb / 1024)) MB   (a') ${A2[-1]} ms   (b') -o x.json ${b2} ms"
done
MA=$(echo "${A[*]}" | median)
MB=$(echo "${B[*]}" | median)
echo "(a) median ${MA} ms   (b) median ${MB} ms   x.vl.json $(($(stat -c %s "$TMP/x.vl.json") / 1000000)) MB"
echo "b/a = $(awk -v a="$MA" -v b="$MB" 'BEGIN { printf "%.2f", b / a }')   (target <= 1.0)"
if [ -n "${OLD:-}" ]; then
  MBO=$(echo "${BO[*]}" | median)
  echo "(b, old build) median ${MBO} ms   new/old = $(awk -v o="$MBO" -v b="$MB" 'BEGIN { printf "%.2f", b / o }')   old b/a = $(awk -v a="$MA" -v b="$MBO" 'BEGIN { printf "%.2f", b / a }')"
fi
MA2=$(echo "${A2[*]}" | median)
MB2=$(echo "${B2[*]}" | median)
echo "(a') median ${MA2} ms   (b') median ${MB2} ms   b'/a' = $(awk -v a="$MA2" -v b="$MB2" 'BEGIN { printf "%.2f", b / a }')   (the full model: seven items and proc_lib dictionaries)"

if [ "${SKIP_C:-0}" != 1 ]; then
  start_node CLIENT "bvclient_$$"
  # (c) takes 10 s or so a run and moves by a fifth between runs on a shared
  # machine: the median of C_REPS runs, like (a) and (b)
  C=()
  for ((r = 1; r <= ${C_REPS:-3}; r++)); do
    c=$(call "$CLIENT" "bv_bench_erpc run ['$BENCH']" | sed -E 's/^\{([0-9]+),.*/\1/')
    C+=("$(awk -v u="$c" 'BEGIN { printf "%.1f", u / 1000 }')")
  done
  MC=$(echo "${C[*]}" | median)
  echo "(c) notebook's method, one erpc call per process: median ${MC} ms of ${C[*]}"
  echo "c/b = $(awk -v c="$MC" -v b="$MB" 'BEGIN { printf "%.1f", c / b }')   (target >= 50)"
  c=$(call "$CLIENT" "bv_bench_erpc run_notebook ['$BENCH']" | sed -E 's/^\{([0-9]+),.*/\1/')
  MC2=$(awk -v u="$c" 'BEGIN { printf "%.1f", u / 1000 }')
  echo "(c2) the notebook's cell as written, two erpc calls per process (info + pid text): ${MC2} ms, c2/b = $(awk -v c="$MC2" -v b="$MB" 'BEGIN { printf "%.1f", c / b }')"
fi

if [ "$BIG" -gt 0 ]; then
  call "$BENCH" 'erlang halt []' >/dev/null 2>&1
  sleep 1
  start_node BIGNODE "bvbig_$$" +P 4000000
  t0=$(now_ns)
  call "$BIGNODE" "bv_bench_loop start [$BIG]" >/dev/null
  echo "node $BIGNODE: $(call "$BIGNODE" 'erlang system_info [process_count]') processes (spawned in $(ms "$t0" "$(now_ns)") ms)"
  echo "  (a) node's own loop: $(loop_ms "$BIGNODE" loop) ms"
  read -r b kb < <(run_beamviz "$BIGNODE" "$TMP/big.vl.json") || { echo "beamviz failed at $BIG processes" >&2; exit 1; }
  echo "  (b) beamviz procs -o big.vl.json: ${b} ms, peak RSS $((kb / 1024)) MB (target <= 400 MB), x.vl.json $(($(stat -c %s "$TMP/big.vl.json") / 1000000)) MB"
fi
