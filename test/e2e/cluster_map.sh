# cluster_map.sh: beamviz cluster on a local cluster on loopback: three nodes with one
# cookie connected with net_kernel:connect_node, a hidden node, a node with another
# cookie and a frozen node (both unreachable: exit 15, named on stderr, the rest
# drawn), a lone node. JSON facts against each node's own, edges, Mermaid through the
# real parser, PNG/SVG width, render of the saved JSON.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
# a lone node: one box, no connection
start_node L
check "lone node" "$BEAMVIZ" --node "$L" --cookie "$BV_COOKIE" cluster -o "$T/lone.json"
python3 - "$T/lone.json" "$L" <<'PY' || fail "lone map: $(cat "$T/lone.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "beamviz.cluster_map" and d["version"] == 1
assert [n["name"] for n in d["nodes"]] == [sys.argv[2]] and d["edges"] == []
assert d["nodes"][0]["entry"] and d["nodes"][0]["reachable"]
PY
check "lone node mermaid" "$BEAMVIZ" render "$T/lone.json" -o "$T/lone.mmd"
mmd_check "$T/lone.mmd"

start_node A
CA=$BV_COOKIE
start_node B
start_node C
# one cookie for the cluster: B and C take A's
for N in "$B" "$C"; do
  check "cookie of $N" erl_eval "$N" "true = erlang:set_cookie(node(), list_to_atom(\"$CA\"))."
  BV_COOKIES[$N]=$CA
done
check "connect" erl_eval "$A" "true = net_kernel:connect_node('$B'), true = net_kernel:connect_node('$C')."
# global connects B and C itself (a fully connected cluster); wait for it
for ((i = 0; i < 50; i++)); do
  [ "$(erl_eval "$B" "lists:member('$C', nodes()).")" = true ] && break
  sleep 0.1
done
[ "$(erl_eval "$B" "lists:member('$C', nodes()).")" = true ] || check "B-C" erl_eval "$B" "true = net_kernel:connect_node('$C')."

# the map from A: three nodes, three visible connections, facts near each node's own
check "cluster json" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster -o "$T/map.json"
PA=$(erl_eval "$A" 'erlang:system_info(process_count).')
PB=$(erl_eval "$B" 'erlang:system_info(process_count).')
PC=$(erl_eval "$C" 'erlang:system_info(process_count).')
python3 - "$T/map.json" "$A" "$B" "$C" "$PA" "$PB" "$PC" <<'PY' || fail "map: $(cat "$T/map.json")"
import json, sys
d = json.load(open(sys.argv[1]))
a, b, c = sys.argv[2:5]
procs = dict(zip((a, b, c), map(int, sys.argv[5:8])))
names = [n["name"] for n in d["nodes"]]
assert names == [a] + sorted([b, c]), names
assert d["node"] == a and d["nodes"][0]["entry"]
for n in d["nodes"]:
    assert n["reachable"] and not n["hidden"] and n["error"] is None, n
    assert n["otp_release"].isdigit() and not n["elixir"], n
    assert abs(n["processes"] - procs[n["name"]]) <= 15, (n, procs)
    assert 5e6 < n["memory"] < 5e9 and 0 < n["uptime_ms"] < 600000, n
edges = {(names[e["a"]], names[e["b"]], e["hidden"]) for e in d["edges"]}
want = {tuple(sorted((x, y), key=names.index)) + (False,) for x, y in ((a, b), (a, c), (b, c))}
assert edges == want, (edges, want)
assert not any("beamviz_" in n for n in names)
PY

# the nodes are read in parallel (--parallel, default 8): one at a time gives the
# same nodes, connections and reachability
check "cluster --parallel 1" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster --parallel 1 -o "$T/p1.json"
python3 - "$T/map.json" "$T/p1.json" <<'PY' || fail "--parallel 1: $(cat "$T/p1.json")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda d: ([(n["name"], n["reachable"], n["hidden"], n["entry"]) for n in d["nodes"]],
                 d["edges"], d["left_out"])
assert key(a) == key(b), (key(a), key(b))
PY
expect_exit 2 "--parallel" "$T/p0.json" -- "$BEAMVIZ" --node "$A" --cookie "$CA" cluster --parallel 0 -o "$T/p0.json"

# Mermaid (the real parser), text, PNG and SVG within 1000 px wide; render of the JSON
check "cluster mermaid" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster -o "$T/map.mmd" --save "$T/saved.json"
mmd_check "$T/map.mmd"
grep -q '^  n0 --- n1$' "$T/map.mmd" || fail "visible edge: $(cat "$T/map.mmd")"
grep -q ':::entry$' "$T/map.mmd" || fail "entry class: $(cat "$T/map.mmd")"
check "render saved json as mermaid" "$BEAMVIZ" render "$T/saved.json" -o "$T/render.mmd"
cmp -s "$T/map.mmd" "$T/render.mmd" || fail "render of the saved map differs: $(diff "$T/map.mmd" "$T/render.mmd")"
check "render saved json as markdown" "$BEAMVIZ" render "$T/saved.json" -o "$T/map.md"
mmd_check "$T/map.md"
check "cluster text" "$BEAMVIZ" render "$T/saved.json" -o "$T/map.txt"
grep -q '^NODE  *OTP  *PROCESSES  *MEMORY  *UPTIME  *CONNECTED TO$' "$T/map.txt" || fail "text: $(cat "$T/map.txt")"
grep -q "^$A  .*  $(printf '%s\n' "$B" "$C" | sort | head -n 1), " "$T/map.txt" || fail "text row: $(cat "$T/map.txt")"
check "cluster png" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster -o "$T/map.png"
check "cluster svg" "$BEAMVIZ" render "$T/saved.json" -o "$T/map.svg"
python3 - "$T/map.png" "$T/map.svg" <<'PY' || fail "images"
import struct, sys, xml.etree.ElementTree as ET
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
w, h = struct.unpack('>II', d[16:24])
assert 200 < w <= 1000 and 100 < h <= 1000, (w, h)
root = ET.parse(sys.argv[2]).getroot()
assert float(root.get('width').rstrip('pt').rstrip('px')) <= 1000, root.get('width')
PY

# --max-nodes: the map stops there and says how many it left out
"$BEAMVIZ" --node "$A" --cookie "$CA" cluster --max-nodes 2 -o "$T/max2.json" 2>"$T/max2.err" ||
  fail "--max-nodes 2: $(cat "$T/max2.err")"
grep -q '^beamviz: 1 more node was found beyond --max-nodes 2: not in the map$' "$T/max2.err" || fail "max-nodes note: $(cat "$T/max2.err")"
python3 -c "
import json
d = json.load(open('$T/max2.json'))
assert len(d['nodes']) == 2 and d['left_out'] == 1 and len(d['edges']) == 1, d
" || fail "max2: $(cat "$T/max2.json")"

# a hidden node connected to A: shown with --hidden only, its connection hidden
start_node H erl -hidden
check "cookie of H" erl_eval "$H" "true = erlang:set_cookie(node(), list_to_atom(\"$CA\"))."
BV_COOKIES[$H]=$CA
check "connect H" erl_eval "$H" "true = net_kernel:connect_node('$A')."
check "cluster without --hidden" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster -o "$T/nohidden.json"
python3 -c "
import json, sys
d = json.load(open('$T/nohidden.json'))
assert len(d['nodes']) == 3 and '$H' not in [n['name'] for n in d['nodes']], d
" || fail "the hidden node without --hidden: $(cat "$T/nohidden.json")"
"$BEAMVIZ" --node "$A" --cookie "$CA" cluster --hidden -o "$T/hidden.json" 2>"$T/hidden.err"
rc=$?
# other hidden peers of A (an erl_call still connected) may be unreachable: 0 or 15
[ $rc = 0 ] || [ $rc = 15 ] || fail "cluster --hidden: exit $rc: $(cat "$T/hidden.err")"
python3 - "$T/hidden.json" "$A" "$H" <<'PY' || fail "hidden map: $(cat "$T/hidden.json")"
import json, sys
d = json.load(open(sys.argv[1]))
a, h = sys.argv[2:4]
names = [n["name"] for n in d["nodes"]]
node = d["nodes"][names.index(h)]
assert node["hidden"] and node["reachable"], node
edges = {(names[e["a"]], names[e["b"]]): e["hidden"] for e in d["edges"]}
assert edges.get((a, h)) is True, edges
assert not any(n.startswith("beamviz_") for n in names), names
assert d["with_hidden"]
PY
check "hidden mermaid" "$BEAMVIZ" render "$T/hidden.json" -o "$T/hidden.mmd"
mmd_check "$T/hidden.mmd"
grep -q -- '-\.- ' "$T/hidden.mmd" || fail "no dotted edge: $(cat "$T/hidden.mmd")"

# an Elixir node in the cluster: its box says so (when the Elixir of the tests is there)
if command -v elixir >/dev/null 2>&1; then
  start_node E elixir
  check "cookie of E" erl_eval "$E" "true = erlang:set_cookie(node(), list_to_atom(\"$CA\"))."
  BV_COOKIES[$E]=$CA
  check "connect E" erl_eval "$A" "true = net_kernel:connect_node('$E')."
  check "cluster with elixir" "$BEAMVIZ" --node "$A" --cookie "$CA" cluster -o "$T/elixir.json"
  python3 - "$T/elixir.json" "$E" <<'PY' || fail "elixir map: $(cat "$T/elixir.json")"
import json, sys
d = json.load(open(sys.argv[1]))
by = {n["name"]: n for n in d["nodes"]}
assert by[sys.argv[2]]["elixir"] and by[sys.argv[2]]["reachable"], by[sys.argv[2]]
assert sum(1 for n in d["nodes"] if n["elixir"]) == 1, d["nodes"]
PY
  check "elixir text" "$BEAMVIZ" render "$T/elixir.json" -o "$T/elixir.txt"
  grep -q "^$E  *[0-9]* (Elixir) " "$T/elixir.txt" || fail "elixir row: $(cat "$T/elixir.txt")"
fi

# a node connected to A with another cookie (A connects with it; beamviz cannot; hidden,
# or global would drop it from the fully connected cluster), and a frozen node
# (SIGSTOP: A still lists it, its connection does not answer): both drawn unreachable
# with their reasons, the others drawn, exit 15
start_node X erl -hidden
CX=$BV_COOKIE
check "A knows X's cookie" erl_eval "$A" "true = erlang:set_cookie('$X', list_to_atom(\"$CX\")), true = net_kernel:connect_node('$X')."
start_node F
check "cookie of F" erl_eval "$F" "true = erlang:set_cookie(node(), list_to_atom(\"$CA\"))."
BV_COOKIES[$F]=$CA
check "connect F" erl_eval "$A" "true = net_kernel:connect_node('$F')."
FPID=$BV_NODE_PID
kill -STOP "$FPID"
on_exit "kill -CONT $FPID 2>/dev/null"
"$BEAMVIZ" --node "$A" --cookie "$CA" --timeout 2000 cluster --hidden -o "$T/partial.json" 2>"$T/partial.err"
rc=$?
[ $rc = 15 ] || fail "partial map: exit $rc, expected 15: $(cat "$T/partial.err")"
grep -q "^beamviz: node $X is unreachable: .*cookie" "$T/partial.err" || fail "X on stderr: $(cat "$T/partial.err")"
grep -Eq "^beamviz: node $F is unreachable: .*(timed out|did not answer)" "$T/partial.err" || fail "F on stderr: $(cat "$T/partial.err")"
grep -q "^beamviz: partial map: 2 of " "$T/partial.err" || fail "partial line: $(cat "$T/partial.err")"
python3 - "$T/partial.json" "$A" "$X" "$F" <<'PY' || fail "partial map: $(cat "$T/partial.json")"
import json, sys
d = json.load(open(sys.argv[1]))
a, x, f = sys.argv[2:5]
names = [n["name"] for n in d["nodes"]]
by = {n["name"]: n for n in d["nodes"]}
for u in (x, f):
    assert not by[u]["reachable"] and by[u]["error"] and by[u]["otp_release"] is None, by[u]
edges = {(names[e["a"]], names[e["b"]]) for e in d["edges"]}
assert (a, x) in edges or (x, a) in edges, edges   # A's view of X is still known
assert sum(1 for n in d["nodes"] if n["reachable"]) >= 3
PY
check "partial png" "$BEAMVIZ" render "$T/partial.json" -o "$T/partial.png"
check "partial mermaid" "$BEAMVIZ" render "$T/partial.json" -o "$T/partial.mmd"
mmd_check "$T/partial.mmd"
grep -q ':::unreachable$' "$T/partial.mmd" || fail "unreachable class: $(cat "$T/partial.mmd")"
kill -CONT "$FPID"
pass
