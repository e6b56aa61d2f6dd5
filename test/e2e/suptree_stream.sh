#!/usr/bin/env bash
# suptree_stream.sh: a big supervisor comes back in parts (issue 11, item 6).
# The walk sends at most 5,000 children per message; here a one_for_one
# supervisor has 12,000 static workers and, as its last child, a
# simple_one_for_one supervisor with 12,001 children: each comes in three parts
# or more. beamviz's tree must be exactly the node's own which_children, in
# order (static children in start order, dynamic ones in the order they were
# started), each under its own supervisor. Then a stand-in for rex
# (bv_sliar, below, on this TEST node only) answers the walk with parts that
# lie: too many children in one message, an item that is no {Sup, Result}, a
# child whose info does not match, a result twice, a part missing, a message
# of an unknown shape: each is exit 14 with one line naming the node's data,
# no output file; a walk that stops sending is exit 8 within the timeout.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

cat >"$BV_TMP/bv_stream.erl" <<'EOF'
-module(bv_stream).
-behaviour(supervisor).
-export([start/0, init/1, worker/0, expected/1]).

start() ->
    {ok, P} = supervisor:start_link({local, bv_big}, ?MODULE, big),
    unlink(P),
    Pool = whereis(bv_big_pool),
    Kids = [begin {ok, K} = supervisor:start_child(Pool, []), K end
            || _ <- lists:seq(1, 12001)],
    persistent_term:put(bv_stream_pool, Kids),
    ok.

init(big) ->
    {ok, {#{strategy => one_for_one, intensity => 0},
          [#{id => {w, I}, start => {?MODULE, worker, []}} || I <- lists:seq(1, 12000)] ++
          [#{id => pool, type => supervisor,
             start => {supervisor, start_link, [{local, bv_big_pool}, ?MODULE, pool]}}]}};
init(pool) ->
    {ok, {#{strategy => simple_one_for_one},
          [#{id => w, start => {?MODULE, worker, []}}]}}.

worker() -> {ok, spawn_link(fun() -> receive stop -> ok end end)}.

%% "Pid ParentPid" per node, in the order beamviz's tree should list them:
%% the root, its children in start order (which_children lists them in
%% reverse), then the pool's children in the order they were started.
expected(File) ->
    Root = whereis(bv_big),
    Pool = whereis(bv_big_pool),
    Static = lists:reverse([P || {_, P, _, _} <- supervisor:which_children(Root)]),
    Dyn = persistent_term:get(bv_stream_pool),
    Live = lists:sort([P || {_, P, _, _} <- supervisor:which_children(Pool)]),
    Live = lists:sort(Dyn),
    Lines = [[pid_to_list(Root), " -"]] ++
            [[pid_to_list(P), " ", pid_to_list(Root)] || P <- Static] ++
            [[pid_to_list(P), " ", pid_to_list(Pool)] || P <- Dyn],
    ok = file:write_file(File, [lists:join("\n", Lines), "\n"]).
EOF
erlc -o "$BV_TMP" "$BV_TMP/bv_stream.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_stream: $(cat "$BV_TMP/erlc.log")"
start_node T -pa "$BV_TMP"
BV=("$BEAMVIZ" --node "$T" --cookie "$BV_COOKIE")
check "big tree starts" erl_eval "$T" 'ok = bv_stream:start().'

J="$BV_TMP/big.json"
check "suptree --sup bv_big" "${BV[@]}" --timeout 30000 suptree --sup bv_big --format json -o "$J"
python3 - "$J" >"$BV_TMP/got.txt" <<'PYEOF'
import json, sys
ns = json.load(open(sys.argv[1]))["nodes"]
for n in ns:
    p = n.get("parent")
    print(n["pid"], ns[p]["pid"] if isinstance(p, int) and p >= 0 else "-")
PYEOF
[ "$(erl_eval "$T" "bv_stream:expected(\"$BV_TMP/want.txt\").")" = ok ] ||
  fail "the node's own list was not written"
[ "$(wc -l <"$BV_TMP/want.txt")" -eq 24003 ] || fail "expected list: $(head -c 300 "$BV_TMP/want.txt")"
cmp -s "$BV_TMP/got.txt" "$BV_TMP/want.txt" ||
  fail "beamviz's tree differs from the node's which_children: $(diff "$BV_TMP/want.txt" "$BV_TMP/got.txt" | head -n 5)"

# --- a node whose walk lies ---------------------------------------------------
cat >"$BV_TMP/bv_sliar.erl" <<'EOF'
%% Test-only: stands in for rex and answers beamviz's suptree walk with parts
%% that lie; every other call is served by the real rex.
-module(bv_sliar).
-export([install/0, mode/1, loop/1]).

install() ->
    Real = whereis(rex),
    unregister(rex),
    register(rex, spawn(fun() -> loop(Real) end)),
    ok.

mode(M) -> persistent_term:put(bv_sliar_mode, M), ok.

loop(Real) ->
    receive
        {From, {call, erl_eval, expr, [_, Bs, _, _, _], _}} = Req ->
            {'Bs', Wrap} = lists:keyfind('Bs', 1, Bs),
            {'Bs', Inner} = lists:keyfind('Bs', 1, Wrap),
            case lists:keyfind('SupTimeout', 1, Inner) of
                false -> Real ! Req;
                _ -> lie(From, Bs, Inner)
            end;
        Other -> Real ! Other
    end,
    loop(Real).

lie(From, Bs, Inner) ->
    {'Id', Id} = lists:keyfind('Id', 1, Bs),
    {'Self', Self} = lists:keyfind('Self', 1, Inner),
    {'Chunk', Chunk} = lists:keyfind('Chunk', 1, Inner),
    Ref = make_ref(),
    From ! {rex, {Id, async}},
    Self ! {bv_eval, Id, {ok, Ref}},
    Sup = whereis(bv_big),
    W = spawn(fun() -> receive stop -> ok end end),
    Kid = {x, W, worker, [m]},
    Info = [{registered_name, []}, {links, []}],
    Chain = [{Sup, root, Info}],
    Done = fun(N) -> Self ! {bv_suptree_done, Ref, {ok, node(), Chain, [], 1, N}} end,
    Part = fun(Items) -> Self ! {bv_suptree_part, Ref, Items} end,
    case persistent_term:get(bv_sliar_mode) of
        too_many ->        % one message over the chunk asked for
            N = Chunk + 1,
            Part([{Sup, {ok, lists:duplicate(N, Kid), lists:duplicate(N, W),
                         lists:duplicate(N, Info)}}]),
            Done(1);
        not_an_item ->
            Part([{not_a_pid, {ok, [], [], []}}]), Done(1);
        info_mismatch ->   % the info list names another process
            Part([{Sup, {ok, [Kid], [self()], [Info]}}]), Done(1);
        twice ->           % a result, then an error for the same supervisor
            Part([{Sup, {ok, [Kid], [W], [Info]}}]),
            Part([{Sup, {error, timeout}}]), Done(2);
        part_missing ->    % done says two parts, one came
            Part([{Sup, {ok, [Kid], [W], [Info]}}]), Done(2);
        unknown ->
            Self ! {bv_suptree_what, Ref, 1}, Done(0);
        after_last ->      % a slice after a supervisor's last (short) one
            Part([{Sup, {ok, [Kid], [W], [Info]}}]),
            Part([{Sup, {ok, [Kid], [W], [Info]}}]), Done(2);
        endless ->         % full slices of children without pids, forever
            Slice = [{Sup, {ok, lists:duplicate(Chunk, {x, undefined, worker, [m]}), [], []}}],
            BvNode = node(Self),
            spawn(fun() -> endless(Self, BvNode, Ref, Slice, 0) end);
        endless_sups ->    % one more supervisor each part, each a full slice
            Kids = lists:duplicate(Chunk, {x, undefined, worker, [m]}),
            BvNode = node(Self),
            spawn(fun() -> endless_sups(Self, BvNode, Ref, Kids, 0) end);
        silent ->          % the walk never ends
            Part([{Sup, {ok, [Kid], [W], [Info]}}])
    end.

%% Parts until beamviz is gone (or far more than any bound beamviz has).
endless(Self, BvNode, Ref, Slice, N) when N < 100000 ->
    case lists:member(BvNode, nodes(hidden)) of
        true ->
            erlang:send(Self, {bv_suptree_part, Ref, Slice}, [noconnect]),
            endless(Self, BvNode, Ref, Slice, N + 1);
        false -> persistent_term:put(bv_sliar_sent, N)
    end;
endless(_, _, _, _, N) -> persistent_term:put(bv_sliar_sent, N).

endless_sups(Self, BvNode, Ref, Kids, N) when N < 100000 ->
    case lists:member(BvNode, nodes(hidden)) of
        true ->
            Sup = spawn(fun() -> ok end),
            erlang:send(Self, {bv_suptree_part, Ref, [{Sup, {ok, Kids, [], []}}]}, [noconnect]),
            endless_sups(Self, BvNode, Ref, Kids, N + 1);
        false -> persistent_term:put(bv_sliar_sent, N)
    end;
endless_sups(_, _, _, _, N) -> persistent_term:put(bv_sliar_sent, N).
EOF
erlc -o "$BV_TMP" "$BV_TMP/bv_sliar.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_sliar: $(cat "$BV_TMP/erlc.log")"
check "load bv_sliar" erl_eval "$T" "code:add_patha(\"$BV_TMP\"), {module, _} = code:ensure_loaded(bv_sliar)."
[ "$(erl_eval "$T" 'bv_sliar:install().')" = ok ] || fail "cannot install the liar"
for mode in too_many not_an_item info_mismatch twice part_missing unknown after_last; do
  [ "$(erl_eval "$T" "bv_sliar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  OUT="$BV_TMP/$mode.mmd"
  expect_exit 14 "from node" "$OUT" -- "${BV[@]}" --timeout 5000 suptree --sup bv_big -o "$OUT"
done
# a walk that never stops sending full slices (of one supervisor, or one more
# supervisor each part): beamviz gives up at its bound on the walk's children,
# long before the timeout, and its memory stays bounded (1,000,000 children
# without a process: about 200 parts)
for mode in endless endless_sups; do
  [ "$(erl_eval "$T" "bv_sliar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  OUT="$BV_TMP/$mode.mmd"
  t0=$(date +%s%N)
  expect_exit 14 "more children than" "$OUT" -- \
    /usr/bin/time -f '%M' -o "$BV_TMP/$mode.rss" "${BV[@]}" --timeout 20000 suptree --sup bv_big -o "$OUT"
  el=$((($(date +%s%N) - t0) / 1000000))
  [ "$el" -lt 10000 ] || fail "$mode: beamviz took $el ms to refuse an endless walk"
  rss=$(tail -n 1 "$BV_TMP/$mode.rss")
  # ASan keeps freed memory in quarantine: a looser bound there
  lim=600000; grep -qa __asan_init "$BEAMVIZ" && lim=2000000
  [ "$rss" -lt "$lim" ] || fail "$mode: beamviz grew to $rss kB for an endless walk"
done
[ "$(erl_eval "$T" "bv_sliar:mode(silent).")" = ok ] || fail "cannot set mode silent"
t0=$(date +%s%N)
expect_exit 8 "did not finish within" "$BV_TMP/silent.mmd" -- \
  "${BV[@]}" --timeout 3000 suptree --sup bv_big -o "$BV_TMP/silent.mmd"
el=$((($(date +%s%N) - t0) / 1000000))
[ "$el" -lt 8000 ] || fail "a silent walk held beamviz for $el ms (--timeout 3000)"
pass
