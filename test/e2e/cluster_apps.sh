# cluster_apps.sh: beamviz apps over a whole cluster: three nodes on loopback
# with one cookie, connected by net_kernel:connect_node; an application
# bv_skew (a library application from a crafted resource: no module) runs at
# 1.0 on A and 2.0 on B, not on C. --cluster gives the node x application
# matrix: every cell is that node's own application:which_applications()
# version ("-" where not running), the skewed row marked, in text, CSV,
# Markdown (through Mermaid-free parsing) and the JSON model; render of the
# saved model gives the same bytes; render --node gives one node's plain list
# (the same as a single-node run's); a node with another cookie is named on
# stderr with exit 15 and the others written; usage errors; every node left
# as it was.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node A
start_node B
start_node C
start_node D   # another cookie: stays out of the cluster
join_cluster "$A" "$B" "$C"
skew() {
  check "bv_skew $2 on $1" erl_eval "$1" "ok = application:load({application, bv_skew, [{description, \"version skew\"}, {vsn, \"$2\"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}), ok = application:start(bv_skew)."
}
skew "$A" 1.0
skew "$B" 2.0
for n in "$A" "$B" "$C"; do target_baseline "$n"; done

bv() { "$BEAMVIZ" --cookie "$CK" "$@"; }
# a node's own view: {"app": "vsn", ...} as JSON
own() {
  bv__erl_call "$1" 'lists:flatten(["{", lists:join(",", [io_lib:format("~p:~p", [atom_to_list(A), V]) || {A, _, V} <- application:which_applications()]), "}"]).' 'BvV__'
}
for n in "$A" "$B" "$C"; do own "$n" >"$T/own.$n.json" || fail "which_applications on $n"; done

# --- --cluster: the matrix -----------------------------------------------------------
bv --node "$A" apps --cluster -o "$T/c.json" 2>"$T/c.err" || fail "apps --cluster: exit $?: $(cat "$T/c.err")"
[ ! -s "$T/c.err" ] || fail "apps --cluster: stderr: $(cat "$T/c.err")"
check "text" bv --node "$A" apps --cluster -o "$T/c.txt"
check "csv" bv --node "$A" apps --cluster -o "$T/c.csv"
check "md" bv --node "$A" apps --cluster -o "$T/c.md"
python3 - "$T" "$A" "$B" "$C" <<'PY' || fail "matrix: $(cat "$T/c.txt")"
import csv, json, sys
T, nodes = sys.argv[1], sys.argv[2:5]
own = {n: json.load(open(f"{T}/own.{n}.json")) for n in nodes}
assert own[nodes[0]]["bv_skew"] == "1.0" and own[nodes[1]]["bv_skew"] == "2.0"
assert "bv_skew" not in own[nodes[2]]
m = json.load(open(f"{T}/c.json"))
assert m["format"] == "beamviz.apps" and m["node"] == "3 nodes" and "apps" not in m, m.keys()
assert [n["node"] for n in m["nodes"]][0] == nodes[0]
assert sorted(n["node"] for n in m["nodes"]) == sorted(nodes)
for n in m["nodes"]:
    assert {a["name"]: a["version"] for a in n["apps"]} == own[n["node"]], n["node"]
cols = [n["node"] for n in m["nodes"]]
names = sorted(set().union(*[set(o) for o in own.values()]))
def cell(app, node, none):
    return own[node].get(app, none)
def skewed(app):
    return len({own[n][app] for n in nodes if app in own[n]}) > 1
# CSV: application,skew,<node>...; empty where not running
rows = list(csv.reader(open(f"{T}/c.csv", newline="")))
assert rows[0] == ["application", "skew"] + cols, rows[0]
assert [r[0] for r in rows[1:]] == names, [r[0] for r in rows[1:]]
for r in rows[1:]:
    assert r[1] == ("yes" if skewed(r[0]) else "no"), r
    assert r[2:] == [cell(r[0], n, "") for n in cols], r
assert [r[0] for r in rows[1:] if r[1] == "yes"] == ["bv_skew"], rows
# text: APPLICATION SKEW <node>...; "-" where not running, "*" on the skewed row
txt = open(f"{T}/c.txt").read().splitlines()
assert txt[0].split() == ["APPLICATION", "SKEW"] + cols, txt[0]
body = {l.split()[0]: l for l in txt[1:]}
assert sorted(body) == names
for app in names:
    f = body[app].split()
    want = [cell(app, n, "-") for n in cols]
    assert f == [app] + (["*"] if skewed(app) else []) + want, (f, want)
assert not any(l != l.rstrip() for l in txt), "trailing spaces"
# Markdown: the same cells
md = open(f"{T}/c.md").read().splitlines()
assert md[0] == "| Application | Skew | " + " | ".join(cols) + " |", md[0]
assert md[1] == "|---|---|" + "---|" * len(cols), md[1]
for l in md[2:]:
    c = [x.strip() for x in l.strip("|").split("|")]
    app = c[0].replace("\\_", "_")
    assert c[1] == ("yes" if skewed(app) else ""), c
    assert c[2:] == [cell(app, n, "-") for n in cols], c
PY

# the saved model renders to the same bytes
for f in txt csv md; do
  check "render $f" "$BEAMVIZ" render "$T/c.json" -o "$T/r.$f"
  cmp -s "$T/c.$f" "$T/r.$f" || fail "render $f differs from the collected $f"
done
check "render json" "$BEAMVIZ" render "$T/c.json" -o "$T/r.json"
cmp -s "$T/c.json" "$T/r.json" || fail "the model read back and written differs"

# render --node: one node's plain list, the same as a single-node run
check "single B" bv --node "$B" apps -o "$T/b1.txt"
check "render --node" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b2.txt"
cmp -s "$T/b1.txt" "$T/b2.txt" || fail "render --node B: $(diff "$T/b1.txt" "$T/b2.txt")"
check "render --node json" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b2.json"
check "single B json" bv --node "$B" apps -o "$T/b1.json"
python3 - "$T/b1.json" "$T/b2.json" <<'PY' || fail "render --node json"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert "nodes" not in b and a["node"] == b["node"]
strip = lambda m: [(x["name"], x["version"], x["has_tree"]) for x in m["apps"]]
assert strip(a) == strip(b)
PY
expect_exit 11 "it has: $A" "$T/x.txt" -- "$BEAMVIZ" render "$T/c.json" --node nope@127.0.0.1 -o "$T/x.txt"
expect_exit 2 "not of a cluster" "$T/x.txt" -- "$BEAMVIZ" render "$T/b1.json" --node "$B" -o "$T/x.txt"

# --- --nodes, a node with another cookie: named, exit 15, the others written ----------
bv apps --nodes "$A,$D,$B" -o "$T/d.csv" 2>"$T/d.err"
rc=$?
[ $rc = 15 ] || fail "other cookie: exit $rc: $(cat "$T/d.err")"
grep -q "node $D failed.*cookie" "$T/d.err" || fail "other cookie: stderr $(cat "$T/d.err")"
[ "$(grep -c "^beamviz: node " "$T/d.err")" = 1 ] || fail "other cookie: one line per failed node: $(cat "$T/d.err")"
[ "$(head -n 1 "$T/d.csv" | tr -d '\r')" = "application,skew,$A,$B" ] || fail "other cookie: columns $(head -n 1 "$T/d.csv")"
grep -q '^bv_skew,yes,1.0,2.0' "$T/d.csv" || fail "other cookie: bv_skew row $(cat "$T/d.csv")"
bv apps --nodes "$A,$D" -o "$T/d.txt" 2>/dev/null
grep -q "^not collected: $D: .*cookie" "$T/d.txt" || fail "text: the failed node: $(cat "$T/d.txt")"
bv apps --nodes "$A,$D" -o "$T/d.json" 2>/dev/null
check "render failed" "$BEAMVIZ" render "$T/d.json" -o "$T/d2.txt"
cmp -s "$T/d.txt" "$T/d2.txt" || fail "failed node: render differs"

# --- usage errors, no node at all --------------------------------------------------
expect_exit 2 "'foo' is not a node name" "$T/u.txt" -- bv apps --nodes "$A,foo" -o "$T/u.txt"
expect_exit 2 "--cluster needs --node" "$T/u.txt" -- bv apps --cluster -o "$T/u.txt"
bv apps --nodes "nope$$@127.0.0.1" -o "$T/none.txt" 2>"$T/none.err"
rc=$?
[ $rc = 6 ] || fail "no node: exit $rc: $(cat "$T/none.err")"
[ ! -e "$T/none.txt" ] || fail "no node: a file was written"

for n in "$A" "$B" "$C"; do target_settled "$n" "cluster apps on $n"; done
pass
