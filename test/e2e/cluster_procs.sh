# cluster_procs.sh: beamviz procs over a whole cluster: three nodes on
# loopback with one cookie, connected by net_kernel:connect_node. --cluster
# from the entry node has every node's rows (each node's row count is its own
# process count), the CSV's node column, the Vega-Lite (checked by Vega) and
# a PNG coloured by node; --nodes with two; a fourth node with another cookie
# is named on stderr (cookie) with exit 15, the others written; a node killed
# in the middle of a --window collection is named, the rest written; render
# --node draws one node's part (and names the nodes a file has); usage errors;
# every node left as it was.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node A
start_node B
start_node C
start_node D   # another cookie: stays out of the cluster
DC=$BV_COOKIE
join_cluster "$A" "$B" "$C"
check "connected" erl_eval "$A" "2 = length(nodes()), ok."
for n in "$A" "$B" "$C"; do target_baseline "$n"; done

bv() { "$BEAMVIZ" --cookie "$CK" "$@"; }

# --- --cluster from the entry node: every node's rows --------------------------
bv --node "$A" procs --cluster -o "$T/c.csv" --save "$T/c.json" 2>"$T/c.err" ||
  fail "procs --cluster: exit $?: $(cat "$T/c.err")"
[ ! -s "$T/c.err" ] || fail "procs --cluster: stderr: $(cat "$T/c.err")"
head -n 1 "$T/c.csv" | grep -q '^node,pid,name,reductions,' || fail "CSV header: $(head -n 1 "$T/c.csv")"
for n in "$A" "$B" "$C"; do
  rows=$(grep -c "^$n," "$T/c.csv")
  want=$(erl_eval "$n" 'length(processes()).')
  # the count asked now against the rows of a moment ago: each node's own
  # distribution helpers for beamviz and erl_call come and go (a few)
  d=$((rows - want)); [ ${d#-} -le 4 ] ||
    fail "node $n: $rows rows, the node has $want processes"
  [ "$rows" -gt 20 ] || fail "node $n: only $rows rows"
done
total=$(($(wc -l <"$T/c.csv") - 1))
[ "$(grep -c '^bvtest_' "$T/c.csv")" = "$total" ] || fail "a CSV row without a node of the cluster"
python3 - "$T/c.json" "$A" "$B" "$C" <<'PY' || fail "model file: nodes and rows"
import json, sys
m = json.load(open(sys.argv[1]))
names = [n["node"] for n in m["nodes"]]
assert names[0] == sys.argv[2] and sorted(names) == sorted(sys.argv[2:5]), names
assert all("error" not in n for n in m["nodes"]), m["nodes"]
assert {p["node"] for p in m["procs"]} == set(sys.argv[2:5])
assert m["node"] == "3 nodes", m["node"]
# each node's rows: exactly what it listed less what exited while read
for n in m["nodes"]:
    rows = sum(1 for p in m["procs"] if p["node"] == n["node"])
    assert rows == n["total"] - n["skipped"], (n, rows)
# grouped by node, in the order asked
seen = []
for p in m["procs"]:
    if not seen or seen[-1] != p["node"]:
        seen.append(p["node"])
assert seen == names, seen
PY

# outputs from the saved file: Vega-Lite coloured by node, PNG, text, bars
check "render vl" "$BEAMVIZ" render "$T/c.json" -o "$T/c.vl.json"
vl_check "$T/c.vl.json"
python3 - "$T/c.vl.json" <<'PY' || fail "Vega-Lite: colour by node, tooltip has node, subtitle nodes"
import json, sys
s = json.load(open(sys.argv[1]))
enc = s["encoding"] if "encoding" in s else s["layer"][0]["encoding"]
txt = json.dumps(s)
assert '"field": "node"' in txt, "no node field"
assert "3 of 3 nodes" in txt, "subtitle"
def find(o):
    if isinstance(o, dict):
        if "color" in o and isinstance(o["color"], dict) and o["color"].get("field") == "node":
            return True
        return any(find(v) for v in o.values())
    if isinstance(o, list):
        return any(find(v) for v in o)
    return False
assert find(s), "colour is not by node"
assert all("node" in v for v in s["data"]["values"])
PY
check "render png" "$BEAMVIZ" render "$T/c.json" -o "$T/c.png"
[ "$(head -c 8 "$T/c.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG"
check "render bars" "$BEAMVIZ" render "$T/c.json" --top 10 -o "$T/bars.vl.json"
vl_check "$T/bars.vl.json"
grep -q " on bvtest_" "$T/bars.vl.json" || fail "bars: not named by node"
check "bars png" "$BEAMVIZ" render "$T/c.json" --top 10 -o "$T/bars.png"
check "render text" "$BEAMVIZ" render "$T/c.json" -o "$T/c.txt"
head -n 2 "$T/c.txt" | grep -q "^NODE " || fail "text table: no NODE column: $(head -n 2 "$T/c.txt")"
check "color status" "$BEAMVIZ" render "$T/c.json" --color status -o "$T/st.vl.json"
vl_check "$T/st.vl.json"
# --color node, asked for (the default of a cluster, and refused on one node)
check "color node" "$BEAMVIZ" render "$T/c.json" --color node -o "$T/cn.vl.json"
vl_check "$T/cn.vl.json"
grep -q '"field": "node"' "$T/cn.vl.json" || fail "--color node: the colour is not the node"

# render --node: one node's part
check "render --node" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.csv"
head -n 1 "$T/b.csv" | grep -q '^pid,' || fail "render --node: a one-node CSV starts with pid"
[ "$(($(wc -l <"$T/b.csv") - 1))" = "$(grep -c "^$B," "$T/c.csv")" ] || fail "render --node: row count"
expect_exit 11 "it has: $A" "$T/x.csv" -- "$BEAMVIZ" render "$T/c.json" --node nope@127.0.0.1 -o "$T/x.csv"

# --- --hidden: hidden nodes too, never beamviz's own connections ------------------
# (an erl_call of this script may be a hidden node for a moment: 0 or 15)
bv --node "$A" procs --cluster --hidden -o "$T/h.json" 2>"$T/h.err"
rc=$?
[ $rc = 0 ] || [ $rc = 15 ] || fail "--hidden: exit $rc: $(cat "$T/h.err")"
python3 - "$T/h.json" "$A" "$B" "$C" <<'PY' || fail "--hidden: nodes"
import json, sys
m = json.load(open(sys.argv[1]))
names = [n["node"] for n in m["nodes"]]
assert not [n for n in names if n.startswith("beamviz_")], names
assert set(sys.argv[2:5]) <= set(names), names
PY

# --- --nodes with two --------------------------------------------------------------
check "--nodes" bv procs --nodes "$B,$C" -o "$T/n.csv"
cut -d, -f1 "$T/n.csv" | tail -n +2 | sort -u >"$T/n.nodes"
[ "$(cat "$T/n.nodes")" = "$(printf '%s\n' "$B" "$C" | sort)" ] || fail "--nodes: nodes $(cat "$T/n.nodes")"

# --- a node with another cookie: named, exit 15, the others written ---------------
bv procs --nodes "$A,$D,$B" -o "$T/d.csv" 2>"$T/d.err"
rc=$?
[ $rc = 15 ] || fail "other cookie: exit $rc: $(cat "$T/d.err")"
grep -q "node $D failed.*cookie" "$T/d.err" || fail "other cookie: stderr $(cat "$T/d.err")"
[ "$(grep -c "^beamviz: node " "$T/d.err")" = 1 ] || fail "other cookie: one line per failed node: $(cat "$T/d.err")"
grep -q "^$A," "$T/d.csv" && grep -q "^$B," "$T/d.csv" || fail "other cookie: the others are not written"
! grep -q "^$D," "$T/d.csv" || fail "other cookie: rows of $D"
bv procs --nodes "$A,$D" -o "$T/d.vl.json" 2>/dev/null
grep -q "1 of 2 nodes; failed: $D (cookie rejected)" "$T/d.vl.json" || fail "subtitle: failed node"
vl_check "$T/d.vl.json"

# --- usage errors ------------------------------------------------------------------
expect_exit 2 "'foo' is not a node name" "$T/u.csv" -- bv procs --nodes "$A,foo" -o "$T/u.csv"
expect_exit 2 "--cluster needs --node" "$T/u.csv" -- bv procs --cluster -o "$T/u.csv"
expect_exit 2 "--color: 'node' needs --cluster or --nodes" "$T/u.csv" -- bv --node "$A" procs --color node -o "$T/u.csv"
expect_exit 2 "does not work on a cluster (procs" "$T/u.txt" -- bv --node "$A" demo --cluster -o "$T/u.txt"
expect_exit 2 "the cluster command finds the nodes itself" "$T/u.txt" -- bv cluster --nodes "$A,$B" -o "$T/u.txt"
expect_exit 2 "--parallel" "$T/u.csv" -- bv --node "$A" procs --parallel 0 --cluster -o "$T/u.csv"

# --- no node at all: the first failure's exit code, no file -------------------------
bv procs --nodes "nope$$@127.0.0.1" -o "$T/none.csv" 2>"$T/none.err"
rc=$?
[ $rc = 6 ] || fail "no node: exit $rc: $(cat "$T/none.err")"
grep -q "node nope$$@127.0.0.1 failed (node not registered): .*not registered in epmd on 127.0.0.1" "$T/none.err" ||
  fail "no node: stderr $(cat "$T/none.err")"
[ ! -e "$T/none.csv" ] || fail "no node: a file was written"

# --- --window with more nodes than --parallel: the waves are said ----------------
bv procs --nodes "$A,$B,$C" --parallel 2 --window 200 -o "$T/waves.csv" 2>"$T/waves.err" ||
  fail "waves: exit $?: $(cat "$T/waves.err")"
grep -q -- "--window: 3 nodes, 2 at once (--parallel)" "$T/waves.err" || fail "waves: no note: $(cat "$T/waves.err")"

# --- a lone node: --cluster is that node -------------------------------------------
DCK=$DC
"$BEAMVIZ" --cookie "$DCK" --node "$D" procs --cluster -o "$T/lone.csv" 2>"$T/lone.err" ||
  fail "lone: exit $?"
grep -q "connected to no other node" "$T/lone.err" || fail "lone: $(cat "$T/lone.err")"
[ "$(cut -d, -f1 "$T/lone.csv" | tail -n +2 | sort -u)" = "$D" ] || fail "lone: rows"

# --- a node killed in the middle of a --window collection --------------------------
start_node E
check "E cookie" erl_eval "$E" "erlang:set_cookie(node(), '$CK'), ok."
BV_COOKIES[$E]=$CK
EPID=$BV_NODE_PID
bv procs --nodes "$A,$E,$C" --window 3000 -o "$T/k.csv" 2>"$T/k.err" &
BP=$!
sleep 1
kill -9 "$EPID"
wait $BP
rc=$?
[ $rc = 15 ] || fail "killed node: exit $rc: $(cat "$T/k.err")"
grep -q "node $E failed" "$T/k.err" || fail "killed node: stderr $(cat "$T/k.err")"
grep -q "^$A," "$T/k.csv" && grep -q "^$C," "$T/k.csv" || fail "killed node: the others are not written"
head -n 1 "$T/k.csv" | grep -q ',reductions_per_sec,' || fail "killed node: window columns"

# every node as it was
for n in "$A" "$B" "$C"; do target_settled "$n" "cluster runs on $n"; done
pass
