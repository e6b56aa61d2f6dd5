#!/usr/bin/env bash
# node_names.sh: beamviz leaves no atom per run on the target. A node keeps every
# peer's node name as an atom for good, so beamviz connects as beamviz_0 ..
# beamviz_15, the first name the node does not have connected.
#
# Measuring atoms without making any: erl_call itself connects under a new name
# each time, so nothing is asked of the node while beamviz runs. A watcher process
# on the node (started before) notes erlang:system_info(atom_count) at every
# beamviz nodeup; a nodeup comes after the handshake made the name's atom. From the
# 2nd run's nodeup to the 20th's, the count may grow only by the pool names seen
# for the first time (a run that starts while the node still tears the previous
# connection down takes beamviz_1): no other atom per run (the first run may make
# a few of its own, e.g. modules its templates use loading). Then: four beamviz at
# once all work; with 16 connected a 17th is refused (exit 13, one line), and works
# again once they are gone.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

start_node N
BV=("$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" --timeout 20000)
OUT="$BV_TMP/out.csv"

[ "$(erl_eval "$N" '
  Me = self(),
  Watch = fun Loop(Log) ->
            receive
              {nodeup, Nd, _} -> Loop([{up, Nd, erlang:system_info(atom_count)} | Log]);
              {nodedown, _, _} -> Loop(Log);
              {get, From} -> From ! {bv_log, lists:reverse(Log)}, Loop(Log)
            end
          end,
  P = spawn(fun() ->
              ok = net_kernel:monitor_nodes(true, [{node_type, all}]),
              Me ! bv_ready,
              Watch([])
            end),
  register(bv_watch, P),
  receive bv_ready -> ok end.')" = ok ] || fail "cannot start the watcher"

# {Ups, AllInPool, AtomsAdded, NewPoolNames}: over the beamviz nodeups so far,
# atoms added from the 2nd nodeup to the last, and pool names first seen after
# the 2nd. Strings only: the check makes no atom of its own.
SUMMARY='
  bv_watch ! {get, self()},
  L = receive {bv_log, X} -> X after 5000 -> [] end,
  Ups = [{Nd, C} || {up, Nd, C} <- L, lists:prefix("beamviz", atom_to_list(Nd))],
  Pool = ["beamviz_" ++ integer_to_list(I) || I <- lists:seq(0, 15)],
  InPool = lists:all(fun({Nd, _}) -> lists:member(hd(string:split(atom_to_list(Nd), "@")), Pool) end, Ups),
  Seen = [Nd || {Nd, _} <- lists:sublist(Ups, 2)],
  New = lists:usort([Nd || {Nd, _} <- lists:nthtail(min(2, length(Ups)), Ups)]) -- Seen,
  {_, C2} = lists:nth(2, Ups),
  {_, CLast} = lists:last(Ups),
  {length(Ups), InPool, CLast - C2, length(New)}.'

for i in $(seq 20); do
  check "run $i" "${BV[@]}" procs -o "$OUT"
  rm -f "$OUT"
done
S=$(erl_eval "$N" "$SUMMARY") || fail "cannot read the watcher"
IFS=', ' read -r ups inpool added new <<<"${S//[\{\}]/}"
[ "$ups" = 20 ] || fail "the watcher saw $ups beamviz connections, not 20: $S"
[ "$inpool" = true ] || fail "beamviz connected under a name outside beamviz_0..15: $S"
[ "$added" = "$new" ] || fail "20 runs added $added atoms after the 2nd, $new of them new pool names: $S"

# --- several at once: each gets a name of its own
pids=()
for i in 1 2 3 4; do
  "${BV[@]}" procs -o "$BV_TMP/c$i.csv" >"$BV_TMP/c$i.out" 2>&1 </dev/null &
  pids+=($!)
done
for i in 1 2 3 4; do
  wait "${pids[$((i - 1))]}" || fail "concurrent run $i failed: $(cat "$BV_TMP/c$i.out")"
  [ -s "$BV_TMP/c$i.csv" ] || fail "concurrent run $i wrote nothing"
done
S=$(erl_eval "$N" "$SUMMARY") || fail "cannot read the watcher"
IFS=', ' read -r ups inpool added new <<<"${S//[\{\}]/}"
[ "$ups" = 24 ] && [ "$inpool" = true ] || fail "concurrent runs: $S"

# --- 16 connected: a 17th is refused, not given a new name
bvcount() {
  erl_eval "$N" 'length([X || X <- nodes(hidden), lists:prefix("beamviz", atom_to_list(X))]).'
}
held=()
for i in $(seq 16); do
  "${BV[@]}" memory --samples 300 --interval 100 -o "$BV_TMP/m$i.csv" >/dev/null 2>&1 </dev/null &
  held+=($!)
done
on_exit "kill ${held[*]} 2>/dev/null"
for _ in $(seq 100); do [ "$(bvcount)" = 16 ] && break; sleep 0.2; done
[ "$(bvcount)" = 16 ] || fail "16 beamviz did not all connect: $(bvcount)"
expect_exit 13 "has all 16 node names beamviz uses connected" "$OUT" -- "${BV[@]}" procs -o "$OUT"
grep -qF "$N" "$EXPECT_STDERR" || fail "17th: the node is not named: $(cat "$EXPECT_STDERR")"
kill "${held[@]}" 2>/dev/null
wait "${held[@]}" 2>/dev/null
for _ in $(seq 100); do [ "$(bvcount)" = 0 ] && break; sleep 0.2; done
check "a run after the 16 have gone" "${BV[@]}" procs -o "$OUT"
S=$(erl_eval "$N" "$SUMMARY") || fail "cannot read the watcher"
IFS=', ' read -r ups inpool added new <<<"${S//[\{\}]/}"
[ "$inpool" = true ] || fail "a name outside beamviz_0..15: $S"
pass
