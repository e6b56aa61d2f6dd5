#!/usr/bin/env bash
# cluster_seqtrace_elixir.sh: seqtrace --elixir across two Elixir nodes (the
# newer Elixir when there is one, else Debian's): an Agent on B called from A
# by {name, node} (CALL on A, the dotted REPLY sent on B, paired), and
# Node.spawn on B whose process sends back: B's participants in B's box, the
# payloads in Elixir's syntax, Mermaid through Mermaid's parser, both nodes
# clean afterwards.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

command -v elixir >/dev/null 2>&1 || skip "elixir is not installed"
kind=elixir
[ -n "$(new_elixir_home)" ] && kind=elixir-new
T=$BV_TMP
start_node A "$kind"
start_node B "$kind"
join_cluster "$A" "$B"
check "agent on B" ex_eval "$B" '{:ok, _} = Agent.start(fn -> 40 end, name: :bv_agent); :ok'
for n in "$A" "$B"; do target_baseline "$n"; done

CODE="Agent.update({:bv_agent, :\"$B\"}, &(&1 + 2)); me = self(); Node.spawn(:\"$B\", fn -> send(me, {:hi, 42}) end); receive do {:hi, _} -> :ok end; Agent.get({:bv_agent, :\"$B\"}, & &1)"
"$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --cluster --elixir "$CODE" -o "$T/e.mmd" --save "$T/e.json" 2>"$T/e.err" ||
  fail "seqtrace --cluster --elixir: exit $?: $(cat "$T/e.err")"
grep -q "result: 42" "$T/e.err" || fail "result: $(cat "$T/e.err")"
mmd_check "$T/e.mmd"
[ "$(grep -c '^  box ' "$T/e.mmd")" = 2 ] || fail "mermaid: not one box per node: $(cat "$T/e.mmd")"
python3 - "$T/e.json" "$A" "$B" <<'PY' || fail "elixir cluster trace model"
import json, sys
m = json.load(open(sys.argv[1]))
A, B = sys.argv[2:4]
assert m["elixir"] is True and m["node"] == A
parts = m["participants"]
agent = [i for i, p in enumerate(parts) if p.get("name") == "bv_agent"]
assert len(agent) == 1 and parts[agent[0]]["node"] == B, parts
ev = m["events"]
calls = [i for i, e in enumerate(ev) if e["label"].startswith("CALL") and e["to"] == agent[0]]
reps = [i for i, e in enumerate(ev) if e["label"].startswith("REPLY") and e["from"] == agent[0]]
assert len(calls) == 2 and len(reps) == 2, [e["label"] for e in ev]
assert [ev[r]["reply_to"] for r in reps] == calls, (reps, calls)
spawn = [e for e in ev if e["label"] == "SPAWN"]
assert spawn and parts[spawn[0]["to"]]["node"] == B, [e["label"] for e in ev]
child = spawn[0]["to"]
hi = [e for e in ev if e["from"] == child]
assert hi and hi[0]["text"] == "{:hi, 42}", hi
assert parts[hi[0]["to"]]["node"] == A
PY
for n in "$A" "$B"; do target_settled "$n" "--cluster --elixir on $n"; done
for n in "$A" "$B"; do
  r=$(erl_eval "$n" 'seq_trace:get_system_tracer() =:= false.')
  [ "$r" = true ] || fail "the seq_trace system tracer of $n was not put back"
done
pass
