#!/usr/bin/env bash
# cluster_seqtrace.sh: seqtrace --eval across nodes. Three nodes on loopback
# with one cookie, connected by net_kernel:connect_node; seq_srv (a test
# gen_server) on B. From the entry node A: a gen_server call to B's server
# (CALL on A, the dotted REPLY sent on B, paired by the reference) and a spawn
# on C whose process sends back (SPAWN, then its message): every node's
# participants in their own Mermaid box, events in causal order by the
# seq_trace serial, Mermaid through Mermaid's parser, the image framed per
# node, the saved model re-rendered byte for byte, render --node. Then --nodes
# (the first is the entry; a node it reaches but not asked is named "not
# traced"), a node with another cookie (named, exit 15, the rest traced),
# --attach NAME@NODE and {NAME, NODE} (traced on that node) and its refusals,
# kill -9 of beamviz in the middle of a trace (on every node no relay, no
# seq_trace system tracer, process counts back) and a node killed in the
# middle of a trace (named, exit 15, the rest written).
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
mkdir -p "$T/ebin"
check "compile test modules" erlc -o "$T/ebin" "$BV_SRC/test/e2e/erl/seq_srv.erl"
start_node A erl -pa "$T/ebin"
start_node B erl -pa "$T/ebin"
start_node C erl -pa "$T/ebin"
start_node D   # another cookie: stays out of the cluster
join_cluster "$A" "$B" "$C"
check "seq_srv on B" erl_eval "$B" 'seq_srv:start(), ok.'
# a process on C that only receives: named by C's relay all the same
check "bv_sink on C" erl_eval "$C" 'true = register(bv_sink, spawn(fun F() -> receive _ -> F() end end)), ok.'
for n in "$A" "$B" "$C"; do target_baseline "$n"; done

bv() { "$BEAMVIZ" --cookie "$CK" "$@"; }
clean_node() {
  local r
  r=$(erl_eval "$1" 'lists:all(fun(P) -> case erlang:trace_info(P, flags) of {flags, []} -> true; undefined -> true; _ -> false end end, processes()) andalso seq_trace:get_system_tracer() =:= false.') ||
    fail "cannot read the trace state of $1"
  [ "$r" = true ] || fail "$2: trace flags or the seq_trace system tracer left on $1"
}

CODE="{bv_sink, '$C'} ! hello, {ok, N} = gen_server:call({seq_srv, '$B'}, {add, 5}), Me = self(), P = spawn('$C', fun() -> Me ! {hello, node()} end), receive {hello, _} -> ok end, {N, node(P)}"

# --- --cluster from A: both remote nodes' participants and the reply ---------------
bv --node "$A" seqtrace --cluster --eval "$CODE" -o "$T/c.mmd" --save "$T/c.json" 2>"$T/c.err" ||
  fail "seqtrace --cluster: exit $?: $(cat "$T/c.err")"
grep -q "result: {5,'$C'}" "$T/c.err" || fail "seqtrace --cluster: result: $(cat "$T/c.err")"
cp "$T/c.json" "$T/c.mmd" "$T/c.err" /tmp/keep/ 2>/dev/null; mmd_check "$T/c.mmd"
python3 - "$T/c.json" "$A" "$B" "$C" <<'PY' || fail "cluster trace model"
import json, sys
m = json.load(open(sys.argv[1]))
A, B, C = sys.argv[2:5]
assert m["format"] == "beamviz.seqtrace" and m["node"] == A, (m["format"], m["node"])
assert [n["node"] for n in m["nodes"]] == [A, B, C], m["nodes"]
assert all("error" not in n for n in m["nodes"]), m["nodes"]
parts = m["participants"]
by = {}
for i, p in enumerate(parts):
    by.setdefault(p.get("node"), []).append(i)
# grouped by node, entry first
order = [p.get("node") for p in parts]
assert order == sorted(order, key=lambda n: [A, B, C].index(n)), order
sink = [p for p in parts if p.get("name") == "bv_sink"]
assert len(sink) == 1 and sink[0]["node"] == C and sink[0]["pid"].startswith("<0."), sink
srv = [i for i, p in enumerate(parts) if p.get("name") == "seq_srv"]
assert len(srv) == 1 and parts[srv[0]]["node"] == B, parts
ev = m["events"]
labels = [(e["label"], parts[e["from"]].get("node"), parts[e["to"]].get("node")) for e in ev]
call = [i for i, e in enumerate(ev) if e["label"].startswith("CALL") and e["to"] == srv[0]]
rep = [i for i, e in enumerate(ev) if e["label"].startswith("REPLY") and e["from"] == srv[0]]
assert call and rep, labels
assert ev[rep[0]]["reply_to"] == call[0], (ev[rep[0]], call)
assert call[0] < rep[0], labels
assert parts[ev[call[0]]["from"]]["node"] == A
spawn = [i for i, e in enumerate(ev) if e["label"] == "SPAWN"]
assert spawn and parts[ev[spawn[0]]["to"]]["node"] == C, labels
child = ev[spawn[0]]["to"]
hello = [i for i, e in enumerate(ev) if e["from"] == child and "hello" in e["label"]]
assert hello and hello[0] > spawn[0], labels
assert parts[ev[hello[0]]["to"]]["node"] == A, labels
# causal: a send by X whose serial prev is the cur of a message X received
# comes after that message
got = {(e["serial"][1], e["to"]): i for i, e in enumerate(ev)}
for i, e in enumerate(ev):
    j = got.get((e["serial"][0], e["from"]))
    assert j is None or j < i, (i, e, j)
PY
for n in "$A" "$B" "$C"; do
  grep -qF "$n" "$T/c.mmd" || fail "mermaid: no box for $n"
done
[ "$(grep -c '^  box ' "$T/c.mmd")" = 3 ] || fail "mermaid: not one box per node: $(grep '^  box' "$T/c.mmd")"
for n in "$A" "$B" "$C"; do clean_node "$n" "--cluster"; target_settled "$n" "--cluster on $n"; done

# --- images and re-render -------------------------------------------------------
check "render png" "$BEAMVIZ" render "$T/c.json" -o "$T/c.png"
cp "$T/c.png" "${BV_KEEP_PNG:-$T}/" 2>/dev/null
read -r pw ph < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[12:16]==b'IHDR'; print(*struct.unpack('>II', d[16:24]))" "$T/c.png")
[ "${pw:-0}" -gt 200 ] && [ "${pw:-0}" -le 2000 ] && [ "${ph:-0}" -gt 100 ] || fail "png: ${pw}x${ph}"
check "render pdf" "$BEAMVIZ" render "$T/c.json" -o "$T/c.pdf"
txt=$(pdftotext "$T/c.pdf" - 2>/dev/null)
for n in "$A" "$B" "$C"; do
  printf "%s" "$txt" | grep -qF "${n%@*}" || fail "pdf: node $n not named"
done
check "render json" "$BEAMVIZ" render "$T/c.json" -o "$T/c2.json"
cmp -s "$T/c.json" "$T/c2.json" || fail "saved model not written back byte for byte"
check "render mmd" "$BEAMVIZ" render "$T/c.json" -o "$T/c2.mmd"
cmp -s "$T/c.mmd" "$T/c2.mmd" || fail "live and re-rendered Mermaid differ"
# one node's part: B's messages (the call and its reply), not C's spawn
check "render --node B" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/cb.json"
python3 - "$T/cb.json" "$B" <<'PY' || fail "render --node B"
import json, sys
m = json.load(open(sys.argv[1]))
parts, B = m["participants"], sys.argv[2]
labels = sorted(e["label"].split(":")[0] for e in m["events"])
assert labels == ["CALL", "REPLY"], labels
assert all(B in (parts[e["from"]].get("node"), parts[e["to"]].get("node")) for e in m["events"])
PY

# --- --nodes: the first is the entry node ------------------------------------------
bv seqtrace --nodes "$A,$B" --eval "$CODE" -o "$T/n.json" 2>"$T/n.err"
rc=$?
# C was not asked: its participants are named, the trace is partial
[ "$rc" = 15 ] || fail "--nodes A,B: exit $rc (want 15: C not traced): $(cat "$T/n.err")"
grep -qF "$C" "$T/n.err" || fail "--nodes A,B: C not named: $(cat "$T/n.err")"
python3 - "$T/n.json" "$A" "$B" "$C" <<'PY' || fail "--nodes model"
import json, sys
m = json.load(open(sys.argv[1]))
A, B, C = sys.argv[2:5]
nodes = {n["node"]: n for n in m["nodes"]}
assert list(nodes)[:2] == [A, B] and "error" not in nodes[B], m["nodes"]
assert C in nodes and "error" in nodes[C], m["nodes"]
assert any(p.get("name") == "seq_srv" and p.get("node") == B for p in m["participants"])
# the process spawned on C keeps its node, in C's box
assert any(p.get("node") == C for p in m["participants"]), m["participants"]
PY
check "--nodes A,B: the file reads back" "$BEAMVIZ" render "$T/n.json" -o "$T/n.mmd"
mmd_check "$T/n.mmd"
grep -q "^  box .* $C\$" "$T/n.mmd" || fail "--nodes A,B: no box for C's process: $(cat "$T/n.mmd")"
for n in "$A" "$B" "$C"; do clean_node "$n" "--nodes"; done

# --- a node with another cookie: named, exit 15, the others traced ---------------
bv seqtrace --nodes "$A,$B,$D" --eval "gen_server:call({seq_srv, '$B'}, get)" -o "$T/d.mmd" 2>"$T/d.err"
rc=$?
[ "$rc" = 15 ] || fail "another cookie: exit $rc (want 15): $(cat "$T/d.err")"
grep -qF "$D" "$T/d.err" || fail "another cookie: $D not named: $(cat "$T/d.err")"
mmd_check "$T/d.mmd"
grep -q "seq_srv" "$T/d.mmd" || fail "another cookie: B's server not drawn"
for n in "$A" "$B" "$C"; do clean_node "$n" "another cookie"; done

# --- --attach NAME@NODE and {NAME, NODE}: the process traced on its own node -----
calls() { erl_eval "$A" "[begin gen_server:call({seq_srv, '$B'}, get), timer:sleep(40) end || _ <- lists:seq(1, 60)], ok." >/dev/null; }
calls &
cp=$!
bv --node "$A" seqtrace --cluster --attach "seq_srv@$B" --duration 1500 -o "$T/a1.json" 2>"$T/a1.err" ||
  fail "--attach seq_srv@B: exit $?: $(cat "$T/a1.err")"
wait "$cp"
calls &
cp=$!
bv seqtrace --nodes "$A,$B" --attach "{seq_srv, '$B'}" --duration 1500 -o "$T/a2.json" 2>"$T/a2.err" ||
  fail "--attach {seq_srv, B}: exit $?: $(cat "$T/a2.err")"
wait "$cp"
python3 - "$T/a1.json" "$T/a2.json" "$B" <<'PY' || fail "--attach on another node"
import json, sys
for f in sys.argv[1:3]:
    m = json.load(open(f))
    assert m["node"] == sys.argv[3] and m["mode"] == "attach" and m["code"] == "seq_srv", (f, m["node"], m["code"])
    srv = [p for p in m["participants"] if p.get("name") == "seq_srv"]
    assert srv and srv[0].get("attached"), m["participants"]
    calls = [e for e in m["events"] if e["label"].startswith("CALL")]
    assert len(calls) >= 5, (f, len(calls))
PY
for n in "$A" "$B"; do clean_node "$n" "--attach"; done

# --- refusals ----------------------------------------------------------------------
expect_exit 2 "--attach: processes on two nodes" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --cluster --attach "seq_srv@$B,seq_srv@$C" -o "$T/x.mmd"
expect_exit 2 "--attach: processes on two nodes" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --attach "seq_srv@$B,code_server" -o "$T/x.mmd"
expect_exit 2 "is not a node name" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --attach "{seq_srv, 'nohost'}" -o "$T/x.mmd"
expect_exit 11 "is not one of the 2 nodes" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" seqtrace --nodes "$A,$B" --attach "seq_srv@$C" -o "$T/x.mmd"
expect_exit 2 "--parallel: seqtrace holds a connection to every node" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --cluster --parallel 2 --eval ok -o "$T/x.mmd"

# --- the entry's code fails: nothing written, every node clean ----------------------
expect_exit 2 "does not parse" "$T/x.mmd" -- "$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --cluster --eval "1 +" -o "$T/x.mmd"
for n in "$A" "$B" "$C"; do clean_node "$n" "parse error"; target_settled "$n" "parse error on $n"; done

# --- kill -9 mid-trace: every node clean ----------------------------------------------
LOOP="L = fun Loop(0) -> ok; Loop(I) -> gen_server:call({seq_srv, '$B'}, get), timer:sleep(20), Loop(I - 1) end, L(100000)"
"$BEAMVIZ" --cookie "$CK" --node "$A" seqtrace --cluster --eval "$LOOP" --duration 60000 --max-events 10000000 -o "$T/k.mmd" 2>/dev/null &
k=$!
sleep 3
for n in "$A" "$B"; do
  r=$(erl_eval "$n" 'is_pid(seq_trace:get_system_tracer()).')
  [ "$r" = true ] || fail "kill -9: no relay is the system tracer of $n during the trace"
done
kill -9 "$k" 2>/dev/null
wait "$k" 2>/dev/null
[ ! -e "$T/k.mmd" ] || fail "kill -9: an output file was written"
sleep 1
for n in "$A" "$B" "$C"; do
  clean_node "$n" "kill -9"
  target_settled "$n" "kill -9 on $n" 15
done

# --- a node killed in the middle of a trace: named, exit 15, the rest written ------
start_node E erl -pa "$T/ebin"
check "E cookie" erl_eval "$E" "erlang:set_cookie(node(), '$CK'), ok."
BV_COOKIES[$E]=$CK
EPID=$BV_NODE_PID
check "E joins" erl_eval "$A" "true = net_kernel:connect_node('$E'), ok."
bv seqtrace --nodes "$A,$B,$E" --eval "gen_server:call({seq_srv, '$B'}, get), timer:sleep(3000), gen_server:call({seq_srv, '$B'}, get)" \
  -o "$T/e.mmd" 2>"$T/e.err" &
BP=$!
sleep 1.5
kill -9 "$EPID"
wait "$BP"
rc=$?
[ "$rc" = 15 ] || fail "killed node: exit $rc: $(cat "$T/e.err")"
grep -q "node $E failed" "$T/e.err" || fail "killed node: stderr $(cat "$T/e.err")"
mmd_check "$T/e.mmd"
[ "$(grep -c 'CALL' "$T/e.mmd")" = 2 ] || fail "killed node: the calls to B are not both drawn: $(cat "$T/e.mmd")"
for n in "$A" "$B"; do clean_node "$n" "killed node"; done
pass
