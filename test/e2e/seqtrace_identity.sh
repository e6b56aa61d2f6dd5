#!/usr/bin/env bash
# seqtrace says who is who: participants named by the identity rule (registered
# name, else label, else the module of the initial call, with the pid), the
# sender of an attached gen_server call is its caller, an empty attached trace
# shows the attached processes, every pid spelling is taken by --attach and a
# dead pid / unknown name is said as such (with similar names); on Elixir nodes
# pids, modules and payloads are written the Elixir way.
# ctest-timeout: 600
. "$BV_SRC/test/e2e/lib.sh"

mkdir -p "$BV_TMP/ebin"
check "compile test modules" erlc -o "$BV_TMP/ebin" "$BV_SRC/test/e2e/erl/seq_srv.erl"
start_node N erl -pa "$BV_TMP/ebin"
BV=("$BEAMVIZ" seqtrace --node "$N" --cookie "$BV_COOKIE")
O=$BV_TMP

# an unregistered gen_server, called every 5 ms by a labelled process
srv=$(erl_eval "$N" '{ok, S} = gen_server:start(seq_srv, [], []), Me = self(), spawn(fun() -> put('\''$process_label'\'', <<"the caller">>), Me ! go, (fun L() -> gen_server:call(S, get), timer:sleep(5), L() end)() end), receive go -> ok end, pid_to_list(S).' | tr -d '"')
case "$srv" in "<0."*">") ;; *) fail "cannot start the unregistered server: $srv" ;; esac
num=${srv#<}
num=${num%>}

# 1. attach by pid: both sides named, the call's sender is the caller
check "attach by pid" "${BV[@]}" --attach "$srv" --duration 500 -o "$O/id.mmd" --save "$O/id.json"
mmd_check "$O/id.mmd"
srvp=$(grep -o "participant p[0-9]* as seq_srv #60;$num#62;" "$O/id.mmd" | awk '{print $2}')
[ -n "$srvp" ] || fail "the unregistered server is not 'seq_srv <pid>': $(grep participant "$O/id.mmd")"
callp=$(grep -o 'participant p[0-9]* as the caller #60;0\.[0-9]*\.[0-9]*#62;' "$O/id.mmd" | awk '{print $2}')
[ -n "$callp" ] || fail "the labelled caller is not named by its label: $(grep participant "$O/id.mmd")"
grep -q -- "^  $callp->>$srvp: CALL#58; get" "$O/id.mmd" || fail "the call does not come from its caller: $(head -n 12 "$O/id.mmd")"
grep -q -- "^  $srvp-->>$callp: REPLY" "$O/id.mmd" || fail "no reply to the caller"
grep -q 'unknown sender' "$O/id.mmd" && fail "a gen_server call drawn from an unknown sender"
grep -q '"initial_call":"seq_srv:init/1"' "$O/id.json" || fail "the server's initial call is not in the model"
grep -q '"label":"the caller"' "$O/id.json" || fail "the caller's label is not in the model"
grep -q '"attached":true' "$O/id.json" || fail "the attached process is not marked"
check "render the model" "$BEAMVIZ" render "$O/id.json" -o "$O/id2.mmd"
cmp -s "$O/id.mmd" "$O/id2.mmd" || fail "render of the model differs from the live diagram"
check "image" "$BEAMVIZ" render "$O/id.json" -o "$O/id.png" --max-shown 8

# 2. every pid spelling
check "attach 0.X.0" "${BV[@]}" --attach "$num" --duration 200 -o "$O/p1.json"
check "attach #PID<>" "${BV[@]}" --attach "#PID<$num>" --duration 200 -o "$O/p2.json"
for f in p1 p2; do
  grep -q "\"pid\":\"<$num>\".*\"attached\":true" "$O/$f.json" || fail "$f: the pid spelling did not attach to $srv"
done

# 3. errors: a dead pid is not alive (in every spelling), an unknown name is
# not registered, with similar names when there are some
dead=$(erl_eval "$N" 'P = spawn(fun() -> ok end), timer:sleep(50), list_to_binary(pid_to_list(P)).' | tr -d '<>"')
expect_exit 11 "process <$dead> is not alive" "$O/e.mmd" -- "${BV[@]}" --attach "<$dead>" -o "$O/e.mmd"
expect_exit 11 "process <$dead> is not alive" "$O/e.mmd" -- "${BV[@]}" --attach "$dead" -o "$O/e.mmd"
expect_exit 11 "process <$dead> is not alive" "$O/e.mmd" -- "${BV[@]}" --attach "#PID<$dead>" -o "$O/e.mmd"
erl_eval "$N" 'seq_srv:start(), ok.' >/dev/null || fail "cannot start the registered server"
expect_exit 11 "'seq_sr' is not registered on $N (similar registered names: seq_srv)" "$O/e.mmd" -- \
  "${BV[@]}" --attach seq_sr -o "$O/e.mmd"
expect_exit 11 "'SEQ_SRV' is not registered on $N (similar registered names: seq_srv)" "$O/e.mmd" -- \
  "${BV[@]}" --attach SEQ_SRV -o "$O/e.mmd"
expect_exit 11 "'seq_srb' is not registered on $N (similar registered names: seq_srv)" "$O/e.mmd" -- \
  "${BV[@]}" --attach seq_srb -o "$O/e.mmd"
expect_exit 11 "'zzqqxx_nothing' is not registered on $N" "$O/e.mmd" -- "${BV[@]}" --attach zzqqxx_nothing -o "$O/e.mmd"
grep -q similar "$EXPECT_STDERR" && fail "suggestions for a name like no other: $(cat "$EXPECT_STDERR")"
expect_exit 2 "'0.1' is not a pid" "$O/e.mmd" -- "${BV[@]}" --attach 0.1 -o "$O/e.mmd"

# 4. an attached process that says nothing: drawn, with a note
check "idle attach" "${BV[@]}" --attach seq_srv --duration 200 -o "$O/idle.mmd" --save "$O/idle.json"
mmd_check "$O/idle.mmd"
grep -q '^  participant p0 as seq_srv$' "$O/idle.mmd" || fail "idle attach: the attached process is not drawn: $(cat "$O/idle.mmd")"
grep -q 'beamviz' "$O/idle.mmd" && fail "idle attach: a participant named beamviz"
grep -q 'Note over p0: no messages were traced' "$O/idle.mmd" || fail "idle attach: no note"
check "idle image" "$BEAMVIZ" render "$O/idle.json" -o "$O/idle.svg"
grep -q 'seq_srv' "$O/idle.svg" || fail "idle attach: the image does not name the attached process"

# 5. Elixir: pids, modules, labels and payloads the Elixir way
ex_checks() {
  local node=$1 tag=$2 setlabel=$3
  local EX=("$BEAMVIZ" seqtrace --node "$node" --cookie "$BV_COOKIE")
  local a
  a=$(ex_eval "$node" "{:ok, a} = Agent.start(Map, :new, []); me = self(); spawn(fn -> $setlabel; send(me, :go); Stream.repeatedly(fn -> Agent.get(a, fn s -> {:ok, map_size(s)} end); Process.sleep(5) end) |> Stream.run() end); receive do :go -> :ok end; a |> :erlang.pid_to_list() |> List.to_string()" | tr -d '"')
  case "$a" in "<0."*">") ;; *) fail "$tag: cannot start the agent: $a" ;; esac
  check "$tag: attach" "${EX[@]}" --attach "#PID$a" --duration 500 --payload 40 -o "$O/$tag.mmd" --save "$O/$tag.json"
  mmd_check "$O/$tag.mmd"
  local ap an=${a#<}
  an=${an%>}
  ap=$(grep -o "participant p[0-9]* as Map #35;PID#60;$an#62;" "$O/$tag.mmd" | awk '{print $2}')
  [ -n "$ap" ] || fail "$tag: the agent is not 'Map #PID<...>' (its initial call Map.new/0): $(grep participant "$O/$tag.mmd")"
  grep -q "participant p[0-9]* as #58;worker #35;PID#60;0\." "$O/$tag.mmd" || fail "$tag: the labelled caller is not ':worker #PID<...>': $(grep participant "$O/$tag.mmd")"
  grep -q 'unknown sender' "$O/$tag.mmd" && fail "$tag: an Agent call from an unknown sender"
  grep -q '"text":"{\[:alias | #Reference<[0-9.]*>\], {:ok, 0}}"' "$O/$tag.json" || fail "$tag: reply payload not in Elixir syntax: $(grep -o '"text":"[^"]*"' "$O/$tag.json" | sort -u | head -5)"
  grep -q '"elixir":true' "$O/$tag.json" || fail "$tag: the model does not say elixir"
  # Erlang code on an Elixir node: payloads in the node's syntax, the result in the code's
  check "$tag: eval" "${EX[@]}" --eval 'P = self(), spawn(fun() -> P ! {ok, 1} end), receive M -> [{done, 1}, M] end' -o "$O/$tag-ev.json"
  grep -q '"text":"{:ok, 1}"' "$O/$tag-ev.json" || fail "$tag: eval payload not in Elixir syntax"
  grep -q '"result":"\[{done,1},{ok,1}\]"' "$O/$tag-ev.json" || fail "$tag: Erlang code's result not in Erlang syntax"
  check "$tag: elixir" "${EX[@]}" --elixir 'p = self(); spawn(fn -> send(p, {:ok, 1}) end); receive do m -> [done: 1, msg: m] end' -o "$O/$tag-ex.json"
  grep -q '"result":"\[done: 1, msg: {:ok, 1}\]"' "$O/$tag-ex.json" || fail "$tag: Elixir code's result not in Elixir syntax"
}
if command -v elixir >/dev/null 2>&1; then
  start_node E elixir
  ex_checks "$E" ex14 'Process.put(:"$process_label", :worker)'
  if [ -n "$(new_elixir_home)" ]; then
    start_node E2 elixir-new
    ex_checks "$E2" ex18 'Process.set_label(:worker)'
  else
    echo "note: no newer Elixir: the Process.set_label/1 case is skipped"
  fi
else
  echo "note: elixir is not installed: the Elixir cases are skipped"
fi
pass
