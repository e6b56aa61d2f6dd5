#!/usr/bin/env bash
# bench_suptree.sh: beamviz suptree on big trees, next to a Kino-style walk (one
# remote call per supervisor for which_children and one per process for its name
# and links, from an Erlang client node) on the same node. Prints figures, asserts
# nothing (a benchmark, not a test).
#
#   BEAMVIZ=build/beamviz [OLD=/path/to/older/beamviz] test/bench/bench_suptree.sh [RUNS]
#
# Trees: (a) one simple_one_for_one supervisor with 10,000 children;
#        (b) five levels: 1 + 6 + 36 + 216 supervisors, 23 workers under each of
#            the 216 (5,227 processes);
#        (c) one simple_one_for_one supervisor with 100,000 and then 1,000,000
#            children (BIG="100000 1000000"; the node runs with +P 2000000).
# Targets (issue 3): (a) under 0.3 s end to end; >= 20x fewer round trips than the
# per-process walk.
# (c) measures the collection: `suptree --sup POOL -o x.mmd` with the default
# fold (12 children drawn), so writing costs little and the time and peak RSS
# are those of the walk, its messages and the model. Peak RSS is beamviz's
# (/usr/bin/time -f %M, else VmHWM polled from /proc). With OLD set, the same
# run with that build, side by side, and new/old of the peak RSS (issue 11:
# the walk comes back in parts of 5,000 children instead of one reply; an old
# build may fail at 1,000,000: its one reply is over the 256 MB a message may
# cost decoded).
set -u
BV_SRC=${BV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BEAMVIZ=${BEAMVIZ:-$BV_SRC/build/beamviz}
RUNS=${1:-5}
export BV_SRC BEAMVIZ
. "$BV_SRC/test/e2e/lib.sh"

cat >"$BV_TMP/bv_bench_tree.erl" <<'EOF'
-module(bv_bench_tree).
-behaviour(supervisor).
-export([start/0, init/1, worker/0, kino_walk/2, pool/2, stop_pool/1]).

start() ->
    {ok, P} = supervisor:start_link({local, bench_pool}, ?MODULE, pool),
    unlink(P),
    [{ok, _} = supervisor:start_child(bench_pool, []) || _ <- lists:seq(1, 10000)],
    {ok, D} = supervisor:start_link({local, bench_deep}, ?MODULE, {level, 1}),
    unlink(D),
    ok.

%% A simple_one_for_one supervisor Name with N children (for the big runs).
pool(Name, N) ->
    {ok, P} = supervisor:start_link({local, Name}, ?MODULE, pool),
    unlink(P),
    start_children(Name, N).

start_children(_Name, 0) -> ok;
start_children(Name, N) -> {ok, _} = supervisor:start_child(Name, []), start_children(Name, N - 1).

%% killed, not shut down (a shutdown of 1,000,000 children takes minutes):
%% its children die with their links; returns when they are gone
stop_pool(Name) ->
    N0 = erlang:system_info(process_count),
    Kids = length(supervisor:which_children(Name)),
    exit(whereis(Name), kill),
    wait_count(N0 - Kids - 1).

wait_count(N) ->
    case erlang:system_info(process_count) > N of
        true -> timer:sleep(100), wait_count(N);
        false -> ok
    end.

init(pool) ->
    {ok, {#{strategy => simple_one_for_one},
          [#{id => w, start => {?MODULE, worker, []}}]}};
init({level, 4}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => {w, I}, start => {?MODULE, worker, []}} || I <- lists:seq(1, 23)]}};
init({level, L}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => {s, I}, start => {supervisor, start_link, [?MODULE, {level, L + 1}]},
             type => supervisor} || I <- lists:seq(1, 6)]}}.

worker() -> {ok, spawn_link(fun() -> receive stop -> ok end end)}.

%% Kino-style: runs on a client node, one erpc call per supervisor and per process.
kino_walk(Node, Root) ->
    T0 = erlang:monotonic_time(microsecond),
    Sup = erpc:call(Node, erlang, whereis, [Root]),
    N = walk(Node, [Sup], 1),
    T = erlang:monotonic_time(microsecond) - T0,
    {T, N}.

walk(_Node, [], Calls) -> Calls;
walk(Node, [S | Rest], Calls) ->
    Kids = erpc:call(Node, supervisor, which_children, [S]),
    Pids = [P || {_, P, _, _} <- Kids, is_pid(P)],
    _ = [erpc:call(Node, erlang, process_info, [P, [registered_name, links]]) || P <- Pids],
    Subs = [P || {_, P, supervisor, _} <- Kids, is_pid(P)],
    walk(Node, Subs ++ Rest, Calls + 1 + length(Pids)).
EOF
erlc -o "$BV_TMP" "$BV_TMP/bv_bench_tree.erl" || fail "erlc failed"
start_node T -pa "$BV_TMP" +P 2000000
C=$BV_COOKIE
check "bench trees start" erl_eval "$T" 'ok = bv_bench_tree:start().'
echo "node: $T, $(proc_count "$T") processes, OTP $(erl_eval "$T" 'erlang:system_info(otp_release).')"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

bench() { # NAME ROOT
  local name=$1 root=$2 best=999999 t s rt walk i
  for ((i = 0; i < RUNS; i++)); do
    s=$(date +%s%N)
    BEAMVIZ_STATS=1 "$BEAMVIZ" --node "$T" --cookie "$C" suptree --sup "$root" \
      -o "$BV_TMP/$name.mmd" 2>"$BV_TMP/$name.err" || fail "beamviz: $(cat "$BV_TMP/$name.err")"
    t=$(ms "$s")
    [ "$t" -lt "$best" ] && best=$t
  done
  rt=$(sed -n 's/.*stats: [0-9]* round trips (walk), \([0-9]*\) in all.*/\1/p' "$BV_TMP/$name.err")
  walk=$(sed -n 's/.*walk \([0-9]*\) ms on the target.*/\1/p' "$BV_TMP/$name.err")
  nodes=$(sed -n 's/.*in all, \([0-9]*\) nodes.*/\1/p' "$BV_TMP/$name.err")
  # JSON too: the full tree is written (not folded), the cost of a complete output
  s=$(date +%s%N)
  "$BEAMVIZ" --node "$T" --cookie "$C" suptree --sup "$root" -o "$BV_TMP/$name.json" 2>/dev/null ||
    fail "beamviz json"
  local tjson
  tjson=$(ms "$s")
  # Kino-style walk from a client node (its own start-up not counted)
  local kino
  kino=$(erl -noshell -name "bvbench_$(bv__rand 3)@127.0.0.1" -setcookie "$C" -pa "$BV_TMP" -eval "
    {T, N} = bv_bench_tree:kino_walk('$T', $root),
    io:format(\"~b ~b~n\", [T div 1000, N]), halt()." 2>&1 | tail -n 1)
  local kms=${kino% *} kcalls=${kino#* }
  printf '%-28s %6s nodes | beamviz: %5s ms end to end (best of %s), JSON %5s ms, walk on target %4s ms, %s round trips | Kino-style: %6s ms, %6s round trips | %5sx fewer round trips, %sx faster\n' \
    "$name" "$nodes" "$best" "$RUNS" "$tjson" "$walk" "$rt" "$kms" "$kcalls" \
    "$((kcalls / (rt > 0 ? rt : 1)))" \
    "$(awk -v k="$kms" -v b="$best" 'BEGIN { printf "%.1f", (b > 0 ? k / b : 0) }')"
}

bench "10,000 children" bench_pool
bench "five levels, ~5,000 procs" bench_deep

# --- (c) big supervisors: time, round trips and peak RSS, new next to OLD -----
OLD=${OLD:-}
BIG=${BIG:-100000 1000000}
# peak BIN OUT ERR: runs beamviz on bench_big; prints "ms rss_kb rc"
peak() {
  local bin=$1 out=$2 err=$3 s t rc kb
  s=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    BEAMVIZ_STATS=1 /usr/bin/time -f %M -o "$BV_TMP/rss" "$bin" --node "$T" --cookie "$C" \
      --timeout 120000 suptree --sup bench_big --sup-timeout 60000 -o "$out" 2>"$err"
    rc=$?
    t=$(ms "$s")
    kb=$(tail -n 1 "$BV_TMP/rss")
  else
    python3 -c '
import subprocess, sys, time
p = subprocess.Popen(sys.argv[3:], stderr=open(sys.argv[2], "w"))
peak = 0
while p.poll() is None:
    try:
        for line in open("/proc/%d/status" % p.pid):
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.005)
open(sys.argv[1], "w").write("%d\n" % peak)
sys.exit(p.returncode)' "$BV_TMP/rss" "$err" env BEAMVIZ_STATS=1 "$bin" --node "$T" --cookie "$C" \
      --timeout 120000 suptree --sup bench_big --sup-timeout 60000 -o "$out"
    rc=$?
    t=$(ms "$s")
    kb=$(cat "$BV_TMP/rss")
  fi
  echo "$t $kb $rc"
}
export BV_EVAL_TIMEOUT=600 # starting and stopping 1,000,000 children takes a while
for n in $BIG; do
  check "start $n children" erl_eval "$T" "ok = bv_bench_tree:pool(bench_big, $n)."
  read -r t kb rc < <(peak "$BEAMVIZ" "$BV_TMP/big_new.mmd" "$BV_TMP/big_new.err")
  rt=$(sed -n 's/.*stats: [0-9]* round trips (walk), \([0-9]*\) in all.*/\1/p' "$BV_TMP/big_new.err")
  nodes=$(sed -n 's/.*in all, \([0-9]*\) nodes.*/\1/p' "$BV_TMP/big_new.err")
  walk=$(sed -n 's/.*walk \([0-9]*\) ms on the target.*/\1/p' "$BV_TMP/big_new.err")
  [ "$rc" = 0 ] || echo "  new build failed: $(tail -n 1 "$BV_TMP/big_new.err")"
  line=$(printf '%-28s %8s nodes | new: %6s ms end to end, walk on target %5s ms, %s round trips, peak RSS %5d MB' \
    "$(printf "%'d children" "$n")" "${nodes:-?}" "$t" "${walk:-?}" "${rt:-?}" "$((kb / 1024))")
  if [ -n "$OLD" ]; then
    read -r ot okb orc < <(peak "$OLD" "$BV_TMP/big_old.mmd" "$BV_TMP/big_old.err")
    ort=$(sed -n 's/.*stats: [0-9]* round trips (walk), \([0-9]*\) in all.*/\1/p' "$BV_TMP/big_old.err")
    if [ "$orc" = 0 ]; then
      line+=$(printf ' | old: %6s ms, %s round trips, peak RSS %5d MB | RSS new/old %s' "$ot" \
        "${ort:-?}" "$((okb / 1024))" "$(awk -v a="$kb" -v b="$okb" 'BEGIN { printf "%.2f", a / b }')")
    else
      line+=$(printf ' | old: failed after %s ms (exit %s, peak RSS %d MB): %s' "$ot" "$orc" \
        "$((okb / 1024))" "$(tail -n 1 "$BV_TMP/big_old.err")")
    fi
  fi
  echo "$line"
  check "stop $n children" erl_eval "$T" "ok = bv_bench_tree:stop_pool(bench_big)."
done
pass
