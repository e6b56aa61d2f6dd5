# cluster_memory.sh: beamviz memory over a whole cluster: three nodes on
# loopback with one cookie. --cluster samples every node at once: each node's
# series has every sample, near what the node says erlang:memory(total) is;
# the CSV's node column, the Vega-Lite (checked by Vega: one line per node,
# colour = node, total above and processes below), a PNG within 1000 px;
# render --node gives the single-node chart; a fourth node with another
# cookie is named on stderr with exit 15, the others written; so is a node
# killed in the middle of sampling.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node A
start_node B
start_node C
start_node D   # another cookie: stays out of the cluster
join_cluster "$A" "$B" "$C"
# different sizes, so that the lines are not on top of each other
check "B grows" erl_eval "$B" "ets:new(bv_fill_b, [named_table, public, {heir, whereis(init), x}]), [ets:insert(bv_fill_b, {I, lists:duplicate(40, I)}) || I <- lists:seq(1, 40000)], ok."
for n in "$A" "$B" "$C"; do target_baseline "$n"; done

bv() { "$BEAMVIZ" --cookie "$CK" "$@"; }

# --- --cluster: every node's series --------------------------------------------------
bv --node "$A" memory --cluster --samples 5 --interval 100 -o "$T/c.csv" --save "$T/c.json" 2>"$T/c.err" ||
  fail "memory --cluster: exit $?: $(cat "$T/c.err")"
[ ! -s "$T/c.err" ] || fail "memory --cluster: stderr: $(cat "$T/c.err")"
head -n 1 "$T/c.csv" | grep -q '^node,iter,t_ms,total,processes,' || fail "CSV header: $(head -n 1 "$T/c.csv")"
for n in "$A" "$B" "$C"; do
  [ "$(grep -c "^$n," "$T/c.csv")" = 5 ] || fail "node $n: not 5 samples: $(grep -c "^$n," "$T/c.csv")"
  # within sense of what the node says now: 0.5x .. 2x
  want=$(erl_eval "$n" 'erlang:memory(total).')
  grep "^$n," "$T/c.csv" | cut -d, -f4 | while read -r got; do
    [ "$got" -gt $((want / 2)) ] && [ "$got" -lt $((want * 2)) ] ||
      fail "node $n: total $got, the node says $want"
  done || exit 1
done
python3 - "$T/c.json" "$A" "$B" "$C" <<'PY' || fail "model file: nodes and samples"
import json, sys
m = json.load(open(sys.argv[1]))
names = [n["node"] for n in m["nodes"]]
assert sorted(names) == sorted(sys.argv[2:5]), names
assert names[0] == sys.argv[2], names
assert all("error" not in n for n in m["nodes"]), m["nodes"]
assert m["node"] == "3 nodes", m["node"]
for n in names:
    s = [x for x in m["samples"] if x["node"] == n]
    assert [x["iter"] for x in s] == [1, 2, 3, 4, 5], (n, s)
    # the node's own clock from its sampler's start (the first sample within a few ms)
    assert s[0]["t_ms"] <= 50 and s[-1]["t_ms"] - s[0]["t_ms"] >= 350, (n, s)
PY
# the saved file reads back to the same file
check "render json" "$BEAMVIZ" render "$T/c.json" -o "$T/c2.json"
cmp -s "$T/c.json" "$T/c2.json" || fail "the model file does not read back to itself"

# Vega-Lite: one line per node, colour = node, two panels (total, processes)
check "render vl" "$BEAMVIZ" render "$T/c.json" -o "$T/c.vl.json"
vl_check "$T/c.vl.json"
python3 - "$T/c.vl.json" "$A" "$B" "$C" <<'PY' || fail "Vega-Lite: lines by node"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["transform"][0]["fold"] == ["total", "processes"], s["transform"]
p = s["vconcat"]
assert len(p) == 2, len(p)
assert [x["transform"][0]["filter"]["oneOf"] for x in p] == [["total"], ["processes"]]
for x in p:
    c = x["encoding"]["color"]
    assert c["field"] == "node" and c["title"] == "node", c
    assert sorted(c["scale"]["domain"]) == sorted(sys.argv[2:5]), c
vals = s["data"]["values"]
assert len(vals) == 15 and {v["node"] for v in vals} == set(sys.argv[2:5])
assert "each node against the time since its own first sample" in json.dumps(s["title"])
assert "5 samples every 100 ms on each of 3 nodes" in json.dumps(s["title"])
PY
check "render png" "$BEAMVIZ" render "$T/c.json" -o "$T/c.png"
[ -z "${BV_KEEP_PNG:-}" ] || cp "$T/c.png" "$T/b.png" "$T/d.png" "$BV_KEEP_PNG/" 2>/dev/null
read -r pw ph < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[12:16]==b'IHDR'; print(*struct.unpack('>II', d[16:24]))" "$T/c.png")
[ "$pw" -le 1000 ] && [ "$ph" -le 1000 ] || fail "cluster memory png at default size is ${pw}x$ph"
check "render text" "$BEAMVIZ" render "$T/c.json" -o "$T/c.txt"
sed -n 2p "$T/c.txt" | grep -q "^node " || fail "text: no node column: $(head -n 2 "$T/c.txt")"

# render --node: that node's single-node chart
check "render --node json" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.json"
python3 - "$T/b.json" "$B" <<'PY' || fail "render --node: a single-node series"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["node"] == sys.argv[2] and "nodes" not in m, m.keys()
assert len(m["samples"]) == 5 and all("node" not in x for x in m["samples"])
PY
check "render --node vl" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.vl.json"
vl_check "$T/b.vl.json"
grep -q "\"Memory of $B\"" "$T/b.vl.json" || fail "render --node: title"
grep -q '"field": "kind", "type": "nominal", "title": "memory"' "$T/b.vl.json" || fail "render --node: colour by kind"
check "render --node png" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.png"
expect_exit 11 "it has: $A" "$T/x.csv" -- "$BEAMVIZ" render "$T/c.json" --node nope@127.0.0.1 -o "$T/x.csv"

# --- --nodes with another cookie: named, exit 15, the others written ---------------
bv memory --nodes "$A,$D,$C" --samples 3 --interval 50 -o "$T/d.vl.json" --save "$T/d.json" 2>"$T/d.err"
rc=$?
[ $rc = 15 ] || fail "other cookie: exit $rc: $(cat "$T/d.err")"
grep -q "node $D failed.*cookie" "$T/d.err" || fail "other cookie: stderr $(cat "$T/d.err")"
[ "$(grep -c "^beamviz: node " "$T/d.err")" = 1 ] || fail "other cookie: one line per failed node: $(cat "$T/d.err")"
vl_check "$T/d.vl.json"
grep -q "not sampled: $D" "$T/d.vl.json" || fail "subtitle: the node not sampled"
python3 - "$T/d.json" "$A" "$C" "$D" <<'PY' || fail "other cookie: model"
import json, sys
m = json.load(open(sys.argv[1]))
nd = {n["node"]: n for n in m["nodes"]}
assert "error" in nd[sys.argv[4]] and nd[sys.argv[4]]["reason"], nd
assert {x["node"] for x in m["samples"]} == {sys.argv[2], sys.argv[3]}
assert len(m["samples"]) == 6
PY
check "partial png" "$BEAMVIZ" render "$T/d.json" -o "$T/d.png"

# --- more nodes than drawn (a hand-made file): the first 10, a note, one legend -----
python3 - "$T/m12.json" <<'PY' || fail "write m12.json"
import json, sys
nodes = [{"node": "app%d@10.0.0.%d" % (k, k)} for k in range(12)]
samples = []
for k, n in enumerate(nodes):
    for i in range(4):
        t = 20000000 + k * 5000000 + i * 100000
        samples.append({"iter": i + 1, "node": n["node"], "t_ms": 500 * i, "total": t,
                        "processes": t // 3, "atom": 1, "binary": 1, "code": 1, "ets": 1,
                        "system": 1})
json.dump({"format": "beamviz.memory", "version": 1, "node": "12 nodes", "interval_ms": 500,
           "nodes": nodes, "samples": samples}, open(sys.argv[1], "w"))
PY
check "12 nodes vl" "$BEAMVIZ" render "$T/m12.json" -o "$T/m12.vl.json"
vl_check "$T/m12.vl.json"
grep -q "the first 10 of 12 nodes drawn" "$T/m12.vl.json" || fail "12 nodes: no note"
! grep -q '"app11@10.0.0.11"' "$T/m12.vl.json" || fail "12 nodes: the 12th is drawn"
check "12 nodes png" "$BEAMVIZ" render "$T/m12.json" -o "$T/m12.png"
read -r pw ph < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); print(*struct.unpack('>II', d[16:24]))" "$T/m12.png")
[ "$pw" -le 1000 ] && [ "$ph" -le 1000 ] || fail "12 nodes png is ${pw}x$ph"

# --- a node killed in the middle of sampling: named, exit 15, the others written -----
start_node E
check "E cookie" erl_eval "$E" "erlang:set_cookie(node(), '$CK'), ok."
BV_COOKIES[$E]=$CK
EPID=$BV_NODE_PID
bv memory --nodes "$A,$E,$C" --samples 15 --interval 200 -o "$T/k.csv" 2>"$T/k.err" &
BP=$!
sleep 1
kill -9 "$EPID"
wait $BP
rc=$?
[ $rc = 15 ] || fail "killed node: exit $rc: $(cat "$T/k.err")"
grep -q "node $E failed" "$T/k.err" || fail "killed node: stderr $(cat "$T/k.err")"
[ "$(grep -c "^beamviz: node " "$T/k.err")" = 1 ] || fail "killed node: one line per failed node: $(cat "$T/k.err")"
[ "$(grep -c "^$A," "$T/k.csv")" = 15 ] && [ "$(grep -c "^$C," "$T/k.csv")" = 15 ] ||
  fail "killed node: the others are not written whole"
! grep -q "^$E," "$T/k.csv" || fail "killed node: samples of $E"

for n in "$A" "$B" "$C"; do target_settled "$n" "cluster memory on $n"; done
pass
