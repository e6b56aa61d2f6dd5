#!/usr/bin/env bash
# bench_suptree.sh: beamviz suptree on big trees, next to a Kino-style walk (one
# remote call per supervisor for which_children and one per process for its name
# and links, from an Erlang client node) on the same node. Prints figures, asserts
# nothing (a benchmark, not a test).
#
#   BEAMVIZ=build/beamviz test/bench/bench_suptree.sh [RUNS]
#
# Trees: (a) one simple_one_for_one supervisor with 10,000 children;
#        (b) five levels: 1 + 6 + 36 + 216 supervisors, 23 workers under each of
#            the 216 (5,227 processes).
# Targets (issue 3): (a) under 0.3 s end to end; >= 20x fewer round trips than the
# per-process walk.
set -u
BV_SRC=${BV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BEAMVIZ=${BEAMVIZ:-$BV_SRC/build/beamviz}
RUNS=${1:-5}
export BV_SRC BEAMVIZ
. "$BV_SRC/test/e2e/lib.sh"

cat >"$BV_TMP/bv_bench_tree.erl" <<'EOF'
-module(bv_bench_tree).
-behaviour(supervisor).
-export([start/0, init/1, worker/0, kino_walk/2]).

start() ->
    {ok, P} = supervisor:start_link({local, bench_pool}, ?MODULE, pool),
    unlink(P),
    [{ok, _} = supervisor:start_child(bench_pool, []) || _ <- lists:seq(1, 10000)],
    {ok, D} = supervisor:start_link({local, bench_deep}, ?MODULE, {level, 1}),
    unlink(D),
    ok.

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
start_node T -pa "$BV_TMP" +P 1000000
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
pass
