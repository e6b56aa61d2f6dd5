#!/usr/bin/env bash
# seqtrace on an Elixir node: the notebook's Task.async_stream over 1..4 (four
# spawned tasks and their replies), the ping-pong in Elixir, an Agent call with
# its dotted reply, attach by an Elixir module name, Elixir errors.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

command -v elixir >/dev/null 2>&1 || skip "elixir is not installed"
# BV_ELIXIR_KIND=elixir-new: the same cases on the newer Elixir (the *_new.sh wrapper)
start_node N "${BV_ELIXIR_KIND:-elixir}"
BV=("$BEAMVIZ" seqtrace --node "$N" --cookie "$BV_COOKIE")
O=$BV_TMP
clean_target() {
  local r
  r=$(erl_eval "$N" 'lists:all(fun(P) -> case erlang:trace_info(P, flags) of {flags, []} -> true; undefined -> true; _ -> false end end, processes()) andalso seq_trace:get_system_tracer() =:= false.') ||
    fail "cannot read the target's trace state"
  [ "$r" = true ] || fail "$1: trace flags or the seq_trace system tracer left on the target"
}

# 1. Task.async_stream: four tasks spawned, four replies back to the caller
for run in 1 2 3; do
  check "async_stream" "${BV[@]}" --elixir '1..4 |> Task.async_stream(fn i -> Process.sleep(Enum.random(100..300)); i end) |> Stream.run()' \
    -o "$O/ts.mmd" --save "$O/ts.json"
  mmd_check "$O/ts.mmd"
  replies=$(grep -c -- '-->>p0: REPLY' "$O/ts.mmd")
  [ "$replies" = 4 ] || fail "async_stream run $run: $replies replies to the caller, expected 4"
  for i in 1 2 3 4; do
    grep -q -- "-->>p0: REPLY#58; $i\$" "$O/ts.mmd" || fail "async_stream run $run: no reply $i"
  done
  spawns=$(grep -c -- '->>+p[0-9]*: SPAWN' "$O/ts.mmd")
  [ "$spawns" -ge 4 ] || fail "async_stream run $run: $spawns spawns"
  opened=$(grep -c -- '->>+' "$O/ts.mmd")
  closed=$(grep -c '^  deactivate' "$O/ts.mmd")
  [ "$opened" = "$closed" ] || fail "async_stream: activations not balanced ($opened/$closed)"
  grep -q '"result":":ok"' "$O/ts.json" || fail "async_stream: result not stored"
done
clean_target "async_stream"

# 2. ping-pong in Elixir
check "ping-pong" "${BV[@]}" --elixir 'parent = self(); child = spawn(fn -> receive do :ping -> send(parent, :pong) end end); send(child, :ping); receive do :pong -> :ponged! end' \
  -o "$O/pp.mmd" --save "$O/pp.json"
mmd_check "$O/pp.mmd"
labels=$(grep -o '"label":"[^"]*"' "$O/pp.json" | tr '\n' ' ')
[ "$labels" = '"label":"SPAWN" "label":"INFO: ping" "label":"INFO: pong" ' ] || fail "ping-pong labels: $labels"
grep -q 'participant p0 as #35;PID#60;' "$O/pp.mmd" || fail "ping-pong: pids not in Elixir syntax"

# 3. Agent: call and dotted reply
check "agent" "${BV[@]}" --elixir '{:ok, a} = Agent.start(fn -> 41 end); Agent.update(a, &(&1 + 1)); Agent.get(a, & &1)' \
  -o "$O/ag.mmd" --save "$O/ag.json"
mmd_check "$O/ag.mmd"
grep -q 'p0->>+p1: SPAWN' "$O/ag.mmd" || fail "agent: no spawn"
[ "$(grep -c -- 'p0->>p1: CALL' "$O/ag.mmd")" = 2 ] || fail "agent: not two calls"
[ "$(grep -c -- 'p1-->>p0: REPLY' "$O/ag.mmd")" = 2 ] || fail "agent: not two dotted replies"
grep -q '"result":"42"' "$O/ag.json" || fail "agent: result"

# 4. attach by Elixir module name (Elixir. prefix implied)
ex_eval "$N" '{:ok, _} = Agent.start(fn -> 0 end, name: SeqFoo); spawn(fn -> Enum.each(1..100000, fn _ -> Agent.get(SeqFoo, & &1); Process.sleep(5) end) end); :ok' >/dev/null ||
  fail "cannot start the agent"
check "attach" "${BV[@]}" --attach SeqFoo --duration 500 -o "$O/at.mmd" --save "$O/at.json"
mmd_check "$O/at.mmd"
grep -q 'participant p[0-9] as SeqFoo' "$O/at.mmd" || fail "attach: agent not named SeqFoo"
grep -q -- '-->>p[0-9]*: REPLY' "$O/at.mmd" || fail "attach: no reply drawn"
clean_target "attach"

# 5. Elixir errors
expect_exit 2 'line 1' "$O/e.mmd" -- "${BV[@]}" --elixir '1 +' -o "$O/e.mmd"
expect_exit 10 'RuntimeError' "$O/e.mmd" -- "${BV[@]}" --elixir 'raise "boom"' -o "$O/e.mmd"
clean_target "errors"
pass
