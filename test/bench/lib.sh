# test/bench/lib.sh: what the node benchmarks share (sourced after SRC is set).
# Local nodes on loopback with one fresh cookie, each halting when this
# script's end of its stdin FIFO closes, so nothing outlives the benchmark
# (also when it is killed); timing helpers.
#   bench_start NAME [erl args]  starts NAME@127.0.0.1 in the background (-pa $TMP),
#                                appends it to NODES
#   bench_wait NODE              waits until NODE answers (60 s), else exits 1
#   start_node VAR NAME [args]   bench_start + bench_wait, the node's name in VAR
#   call NODE 'mod fun [args]'   erl_call -a on NODE
#   now_ns; ms T0 T1 (ms between two now_ns, BENCH_MS_DECIMALS decimals, default 1);
#   median (of the numbers on stdin)
BENCH_NAME=$(basename "$0" .sh)
ERL_CALL=$(ls -d /usr/lib/erlang/lib/erl_interface-*/bin/erl_call 2>/dev/null | tail -n 1)
if [ -z "$ERL_CALL" ]; then
  ERL_CALL="$(erl -noshell -eval 'io:format("~s",[code:lib_dir(erl_interface)]),halt().')/bin/erl_call"
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bv-$BENCH_NAME.XXXXXX")
COOKIE=bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
FDS=()
PIDS=()
NODES=()
bench_cleanup() {
  for fd in "${FDS[@]}"; do eval "exec $fd>&-" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap bench_cleanup EXIT

bench_start() {
  local name=$1@127.0.0.1 fifo fd
  shift
  fifo="$TMP/${name%@*}.in"
  mkfifo "$fifo"
  erl -name "$name" -setcookie "$COOKIE" -noshell -kernel logger_level error -pa "$TMP" "$@" \
    -eval 'spawn(fun() -> _ = io:get_line(""), erlang:halt(0) end).' <"$fifo" >"$TMP/${name%@*}.log" 2>&1 &
  PIDS+=($!)
  exec {fd}<>"$fifo"
  FDS+=("$fd")
  NODES+=("$name")
}
bench_wait() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$("$ERL_CALL" -name "$1" -c "$COOKIE" -a 'erlang node []' 2>/dev/null)" = "'$1'" ] && return 0
    sleep 0.1
  done
  echo "$BENCH_NAME: node $1 did not start" >&2
  exit 1
}
start_node() {
  local var=$1
  shift
  bench_start "$@"
  bench_wait "$1@127.0.0.1"
  printf -v "$var" '%s' "$1@127.0.0.1"
}
call() { "$ERL_CALL" -name "$1" -c "$COOKIE" -timeout 3600 -a "$2"; }
now_ns() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" -v d="${BENCH_MS_DECIMALS:-1}" 'BEGIN { printf "%.*f", d, (b - a) / 1e6 }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
