#!/usr/bin/env bash
# bench_cluster.sh: `beamviz procs` over a cluster against one node at a time.
#   8 nodes with N8 (default 20,000) idle processes each:
#     (a) eight single-node `procs -o x.csv` runs one after another,
#     (b) one `procs --nodes <the 8> -o x.csv`:
#   prints both times and b/a (target <= 0.8), and beamviz's peak RSS of (b)
#   against a single-node run of one node with 8 x N8 processes (target <= 1.5x).
#   Then 32 nodes with N32 (default 1,000) processes: time and peak RSS of
#   `procs --nodes` over the first 4, 8, 16 and 32 (a table).
# A benchmark, not a test: it asserts nothing. Every node it starts halts when
# the script ends (their stdin FIFOs close), also when it is killed.
#
# usage: test/bench/bench_cluster.sh [path/to/beamviz]
#   env: N8=20000, N32=1000, REPS=3 (runs of a and b, interleaved; medians),
#        PARALLEL (passed as --parallel to the cluster runs; default beamviz's),
#        SKIP32=1 skips the 32-node table, SKIP8=1 the 8-node comparison.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BEAMVIZ=${1:-${BEAMVIZ:-$SRC/build/beamviz}}
N8=${N8:-20000}
N32=${N32:-1000}
REPS=${REPS:-3}
[ -x "$BEAMVIZ" ] || { echo "bench_cluster: no beamviz at $BEAMVIZ (give its path)" >&2; exit 2; }
. "$SRC/test/bench/lib.sh"
BENCH_MS_DECIMALS=0
erlc -o "$TMP" "$SRC/test/bench/bv_bench_loop.erl" || exit 1
spawn_procs() { call "$1" "bv_bench_loop start [$2]" >/dev/null; }
# run_bv OUT ARGS...: one beamviz run, prints "WALL_MS PEAK_KB CPU_MS" (CPU:
# beamviz's own user + system time)
run_bv() {
  local out=$1 t0 t1
  shift
  rm -f "$out"
  t0=$(now_ns)
  /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$BEAMVIZ" --cookie "$COOKIE" --timeout 600000 "$@" \
    -o "$out" 2>"$TMP/err" || { echo "beamviz failed: $(cat "$TMP/err")" >&2; return 1; }
  t1=$(now_ns)
  echo "$(ms "$t0" "$t1") $(tail -n 1 "$TMP/rss" | awk '{ printf "%s %.0f", $1, ($2 + $3) * 1000 }')"
}
par=()
[ -n "${PARALLEL:-}" ] && par=(--parallel "$PARALLEL")

echo "bench_cluster: load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "bench_cluster: $(nproc) cores, OTP $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().'), beamviz $BEAMVIZ"

# --- 8 nodes x N8, and one node with 8 x N8 --------------------------------------
NODES=()
if [ "${SKIP8:-}" != 1 ]; then
for i in 1 2 3 4 5 6 7 8; do bench_start "bvc8_${i}_$$" +P 1000000; done
bench_start "bvcbig_$$" +P 2000000
for n in "${NODES[@]}"; do bench_wait "$n"; done
BIG=${NODES[8]}
EIGHT=("${NODES[@]:0:8}")
for n in "${EIGHT[@]}"; do spawn_procs "$n" "$N8"; done
spawn_procs "$BIG" $((8 * N8))
sleep 1
echo "8 nodes with $(call "${EIGHT[0]}" 'erlang system_info [process_count]') processes each; one node with $(call "$BIG" 'erlang system_info [process_count]')"
LIST=$(IFS=,; echo "${EIGHT[*]}")
A=() B=() RB=() RS=() CB=()
for ((r = 1; r <= REPS; r++)); do
  t0=$(now_ns)
  for n in "${EIGHT[@]}"; do run_bv "$TMP/a.csv" --node "$n" procs >/dev/null || exit 1; done
  t1=$(now_ns)
  A+=("$(ms "$t0" "$t1")")
  read -r b kb cb < <(run_bv "$TMP/b.csv" procs --nodes "$LIST" "${par[@]}") || exit 1
  B+=("$b")
  CB+=("$cb")
  RB+=("$kb")
  read -r _ ks _ < <(run_bv "$TMP/s.csv" --node "$BIG" procs) || exit 1
  RS+=("$ks")
  echo "  run $r: (a) ${A[-1]} ms, (b) $b ms (beamviz CPU $cb ms); peak RSS (b) $kb KB, single node of $((8 * N8)): $ks KB"
done
a=$(echo "${A[*]}" | median)
b=$(echo "${B[*]}" | median)
rb=$(echo "${RB[*]}" | median)
rs=$(echo "${RS[*]}" | median)
echo "(a) 8 single-node runs one after another: $a ms (median of $REPS)"
echo "(b) one run over the 8 nodes:              $b ms"
echo "b/a = $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }') (target <= 0.8)"
echo "peak RSS (b) $rb KB against $rs KB for one node of $((8 * N8)) processes: $(awk -v a="$rs" -v b="$rb" 'BEGIN { printf "%.2f", b / a }')x (target <= 1.5)"
rows=$(($(wc -l <"$TMP/b.csv") - 1))
echo "(b) wrote $rows rows; beamviz's own CPU in (b): $(echo "${CB[*]}" | median) ms (the rest of its time is the nodes' work, on this machine's cores too)"
# stop these nine before the 32
for fd in "${FDS[@]}"; do eval "exec $fd>&-" 2>/dev/null; done
FDS=()
sleep 2
fi

[ "${SKIP32:-}" = 1 ] && exit 0
# --- 32 nodes x N32 ----------------------------------------------------------------
NODES=()
for i in $(seq 1 32); do bench_start "bvc32_${i}_$$"; done
for n in "${NODES[@]}"; do bench_wait "$n"; done
for n in "${NODES[@]}"; do spawn_procs "$n" "$N32"; done
sleep 1
echo
echo "32 nodes with $(call "${NODES[0]}" 'erlang system_info [process_count]') processes each (--parallel ${PARALLEL:-default})"
echo "| nodes | time (ms, median of $REPS) | peak RSS (KB) | rows |"
echo "|---|---|---|---|"
for k in 4 8 16 32; do
  L=$(IFS=,; echo "${NODES[*]:0:$k}")
  T=() R=()
  for ((r = 1; r <= REPS; r++)); do
    read -r t kb _ < <(run_bv "$TMP/c.csv" procs --nodes "$L" "${par[@]}") || exit 1
    T+=("$t")
    R+=("$kb")
  done
  echo "| $k | $(echo "${T[*]}" | median) | $(echo "${R[*]}" | median) | $(($(wc -l <"$TMP/c.csv") - 1)) |"
done
