# cluster_suptree.sh: beamviz suptree --app over a whole cluster: three nodes
# on loopback with one cookie, connected by net_kernel:connect_node;
# runtime_tools (it has a top supervisor) started on B only. --app kernel
# --cluster: every node's tree, each node's member pids those of that node's
# own single-node walk; Mermaid (a subgraph per node) through Mermaid's parser;
# text with a header per node; the PNG drawn; render --node equals the
# single-node JSON's tree; the saved model written back byte for byte;
# --app runtime_tools: B's tree, A and C "not running runtime_tools" (not a
# failure); a node with another cookie: named, exit 15, the others written;
# every node left as it was.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node A
start_node B
start_node C
start_node D   # another cookie: stays out of the cluster
join_cluster "$A" "$B" "$C"
check "runtime_tools on B" erl_eval "$B" "{ok, _} = application:ensure_all_started(runtime_tools), ok."
# a library application (a crafted resource, no module, no processes) started on C
check "bv_lib on C" erl_eval "$C" "ok = application:load({application, bv_lib, [{description, \"lib\"}, {vsn, \"1\"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}), ok = application:start(bv_lib)."
for n in "$A" "$B" "$C"; do target_baseline "$n"; done

bv() { "$BEAMVIZ" --cookie "$CK" "$@"; }

# --- --cluster: kernel's tree on every node ------------------------------------------
bv --node "$A" suptree --app kernel --cluster -o "$T/c.json" 2>"$T/c.err" ||
  fail "suptree --cluster: exit $?: $(cat "$T/c.err")"
[ ! -s "$T/c.err" ] || fail "suptree --cluster: stderr: $(cat "$T/c.err")"
for n in "$A" "$B" "$C"; do
  check "single $n" bv --node "$n" suptree --app kernel -o "$T/one.$n.json"
done
python3 - "$T" "$A" "$B" "$C" <<'PY' || fail "cluster model"
import json, sys
T, nodes = sys.argv[1], sys.argv[2:5]
m = json.load(open(f"{T}/c.json"))
assert m["format"] == "beamviz.suptree" and m["node"] == "3 nodes" and "nodes" not in m, m.keys()
assert m["title"] == "kernel" and m["mode"] == "app"
assert sorted(t["node"] for t in m["trees"]) == sorted(nodes)
key = lambda p: tuple(int(x) for x in p.strip("<>").split("."))
pids = lambda t: sorted({n["pid"] for n in t["nodes"] if n.get("pid") and n["kind"] != "external"}, key=key)
for t in m["trees"]:
    one = json.load(open(f"{T}/one.{t['node']}.json"))
    assert one["node"] == t["node"]
    assert pids(t) == pids(one), (t["node"], pids(t), pids(one))
    assert len(pids(t)) > 5
PY
check "mermaid" bv --node "$A" suptree --app kernel --cluster -o "$T/c.mmd"
mmd_check "$T/c.mmd"
[ "$(grep -c '^  subgraph c[0-9]*\[' "$T/c.mmd")" = 3 ] || fail "mermaid: a subgraph per node: $(head -n 3 "$T/c.mmd")"
for n in "$A" "$B" "$C"; do grep -qF "[\"$n\"]" "$T/c.mmd" || fail "mermaid: no subgraph titled $n"; done
# ids never collide: every box id is prefixed by its node's subgraph
python3 - "$T/c.mmd" <<'PY' || fail "mermaid ids"
import re, sys
ids = re.findall(r'^\s+(\S+?)\["', open(sys.argv[1]).read(), re.M)
boxes = [i for i in ids if not i.startswith("c") or "_" in i]
assert len(boxes) == len(set(boxes)), "duplicate ids"
assert all(re.match(r"c\d+_n\d+$", i) for i in boxes), boxes[:5]
PY
check "text" bv --node "$A" suptree --app kernel --cluster -o "$T/c.txt"
[ "$(grep -c '^== .* ==$' "$T/c.txt")" = 3 ] || fail "text: a header per node: $(cat "$T/c.txt")"
for n in "$A" "$B" "$C"; do grep -qx "== $n ==" "$T/c.txt" || fail "text: no header for $n"; done
check "png" bv --node "$A" suptree --app kernel --cluster -o "$T/c.png"
[ -z "${BV_KEEP_PNG:-}" ] || cp "$T/c.png" "$BV_KEEP_PNG/" 2>/dev/null
read -r pw ph < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[12:16]==b'IHDR'; print(*struct.unpack('>II', d[16:24]))" "$T/c.png")
[ "${pw:-0}" -gt 200 ] && [ "${ph:-0}" -gt 100 ] || fail "png: ${pw}x${ph}"

# the saved model: written back byte for byte, renders to the same bytes
check "render json" "$BEAMVIZ" render "$T/c.json" -o "$T/r.json"
cmp -s "$T/c.json" "$T/r.json" || fail "the model read back and written differs"
for f in txt mmd; do
  check "render $f" "$BEAMVIZ" render "$T/c.json" -o "$T/r.$f"
  cmp -s "$T/c.$f" "$T/r.$f" || fail "render $f differs from the collected $f"
done
# --save beside another format: the same cluster model
check "save" bv --nodes "$A,$B,$C" suptree --app kernel -o "$T/s.mmd" --save "$T/s.json"
mmd_check "$T/s.mmd"
python3 - "$T/c.json" "$T/s.json" <<'PY' || fail "--save: not the cluster's model"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
size = lambda m: {t["node"]: len(t["nodes"]) for t in m["trees"]}
assert size(a) == size(b), (size(a), size(b))
PY
# render --node: one node's plain tree, the same as the single-node JSON's
check "render --node" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.json"
python3 - "$T/one.$B.json" "$T/b.json" <<'PY' || fail "render --node json"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert "trees" not in b and a["node"] == b["node"] and a["title"] == b["title"]
strip = lambda m: [(x["kind"], x["parent"], x.get("pid"), x.get("name")) for x in m["nodes"]]
assert strip(a) == strip(b), (strip(a), strip(b))
PY
check "render --node txt" "$BEAMVIZ" render "$T/c.json" --node "$B" -o "$T/b.txt"
check "render one txt" "$BEAMVIZ" render "$T/one.$B.json" -o "$T/b1.txt"
cmp -s "$T/b.txt" "$T/b1.txt" || fail "render --node txt: $(diff "$T/b.txt" "$T/b1.txt")"
expect_exit 11 "no node nope@127.0.0.1" "$T/x.txt" -- "$BEAMVIZ" render "$T/c.json" --node nope@127.0.0.1 -o "$T/x.txt"
expect_exit 2 "not of a cluster" "$T/x.txt" -- "$BEAMVIZ" render "$T/b.json" --node "$B" -o "$T/x.txt"

# --- an application on one node only: the others say so, no failure ----------------
bv --nodes "$A,$B,$C" suptree --app runtime_tools -o "$T/rt.txt" 2>"$T/rt.err" ||
  fail "runtime_tools: exit $?: $(cat "$T/rt.err")"
grep -q "$A: not running runtime_tools" "$T/rt.err" || fail "runtime_tools: stderr $(cat "$T/rt.err")"
grep -q "$C: not running runtime_tools" "$T/rt.err" || fail "runtime_tools: stderr $(cat "$T/rt.err")"
! grep -q "$B: not running" "$T/rt.err" || fail "runtime_tools: B runs it"
python3 - "$T/rt.txt" "$A" "$B" "$C" <<'PY' || fail "runtime_tools text: $(cat "$T/rt.txt")"
import sys
txt, (a, b, c) = open(sys.argv[1]).read(), sys.argv[2:5]
parts = {}
cur = None
for l in txt.splitlines():
    if l.startswith("== ") and l.endswith(" =="):
        cur = l[3:-3]; parts[cur] = []
    elif l:
        parts[cur].append(l)
assert list(parts) == [a, b, c], list(parts)
assert parts[a] == ["not running runtime_tools"] and parts[c] == ["not running runtime_tools"]
assert any("runtime_tools_sup" in l for l in parts[b]), parts[b]
PY
check "runtime_tools mmd" bv --nodes "$A,$B,$C" suptree --app runtime_tools -o "$T/rt.mmd"
mmd_check "$T/rt.mmd"
[ "$(grep -c 'not running runtime_tools' "$T/rt.mmd")" = 2 ] || fail "mermaid: not running"
check "runtime_tools png" bv --nodes "$A,$B,$C" suptree --app runtime_tools -o "$T/rt.png"
[ -z "${BV_KEEP_PNG:-}" ] || cp "$T/rt.png" "$BV_KEEP_PNG/" 2>/dev/null
check "runtime_tools json" bv --nodes "$A,$B,$C" suptree --app runtime_tools -o "$T/rt.json"
check "render rt" "$BEAMVIZ" render "$T/rt.json" -o "$T/rt2.json"
cmp -s "$T/rt.json" "$T/rt2.json" || fail "runtime_tools: read back differs"
expect_exit 11 "has no tree of runtime_tools (not running runtime_tools)" "$T/x.txt" -- "$BEAMVIZ" render "$T/rt.json" --node "$A" -o "$T/x.txt"

# a library application on C: C says so, A and B do not run it; none is a failure
bv --nodes "$A,$B,$C" suptree --app bv_lib -o "$T/lib.txt" 2>"$T/lib.err" ||
  fail "bv_lib: exit $?: $(cat "$T/lib.err")"
grep -qx "beamviz: $C: bv_lib is a library application: no tree" "$T/lib.err" || fail "bv_lib: stderr $(cat "$T/lib.err")"
[ "$(grep -c "not running bv_lib" "$T/lib.err")" = 2 ] || fail "bv_lib: stderr $(cat "$T/lib.err")"
grep -qx "bv_lib is a library application: no tree" "$T/lib.txt" || fail "bv_lib text: $(cat "$T/lib.txt")"
check "bv_lib json" bv --nodes "$A,$B,$C" suptree --app bv_lib -o "$T/lib.json"
grep -q '"why":"bv_lib is a library application: no tree"' "$T/lib.json" || fail "bv_lib json: $(cat "$T/lib.json")"

# --- a node with another cookie: named, exit 15, the others written ------------------
bv suptree --app kernel --nodes "$A,$D,$B" -o "$T/d.txt" 2>"$T/d.err"
rc=$?
[ $rc = 15 ] || fail "other cookie: exit $rc: $(cat "$T/d.err")"
grep -q "node $D failed.*cookie" "$T/d.err" || fail "other cookie: stderr $(cat "$T/d.err")"
grep -qx "== $A ==" "$T/d.txt" && grep -qx "== $B ==" "$T/d.txt" || fail "other cookie: the others: $(cat "$T/d.txt")"
grep -q "^not collected: .*cookie" "$T/d.txt" || fail "text: the failed node: $(cat "$T/d.txt")"
expect_exit 2 "a cluster's trees are of an application" "$T/u.txt" -- bv suptree --sup kernel_sup --nodes "$A,$B" -o "$T/u.txt"

for n in "$A" "$B" "$C"; do target_settled "$n" "cluster suptree on $n"; done
pass
