# render_trace_cluster.sh: a trace across nodes re-rendered without a node, from a
# hand-made model file (3 nodes a@h, b@h, c@h with c's relay failed; a call from a@h
# to kv_srv on b@h with its reply, a spawn on b@h, an unknown sender writing to a@h):
# Mermaid with a box per node through Mermaid's parser, and through its sequence
# database (each box holds its node's participants, the unknown sender none); Markdown;
# the JSON byte for byte; PNG (light and dark), SVG and PDF with every node's name
# drawn and a width that fits a page; render --node (one node's part, what it talked
# to in its own box) and its errors; a file whose participant names a node not traced.
# ctest-timeout: 120
. "$BV_SRC/test/e2e/lib.sh"

for t in pdftotext node python3; do
  command -v $t >/dev/null || skip "$t missing (apt-get install -y poppler-utils nodejs python3)"
done
T=$BV_TMP
R() { "$BEAMVIZ" render "$@"; }

# as the writer writes it, so that re-rendering gives the same bytes
cat >"$T/cl.json" <<'EOF'
{"format":"beamviz.seqtrace","version":1,"node":"a@h","otp_release":"26","elixir":false,"mode":"eval","code":"kv:put(k, 1)","result":"ok","stop_reason":"done","dropped":0,"nodes":[
{"node":"a@h"},
{"node":"b@h"},
{"node":"c@h","error":"node not registered","reason":"c is not registered with epmd on h (address tried 127.0.0.1)"}],
"participants":[
{"pid":"<0.90.0>","name":null,"spawned":false,"system":false,"exit_reason":null,"label":null,"initial_call":null,"node":"a@h"},
{"pid":"<0.120.0>","name":"kv_srv","spawned":false,"system":false,"exit_reason":null,"label":null,"initial_call":null,"node":"b@h"},
{"pid":"<0.121.0>","name":null,"spawned":true,"system":false,"exit_reason":"normal","label":null,"initial_call":null,"node":"b@h"},
{"pid":"?","name":"(unknown sender)","spawned":false,"system":false,"exit_reason":null,"label":null,"initial_call":null},
{"pid":"<0.88.0>","name":"a_helper","spawned":false,"system":false,"exit_reason":null,"label":null,"initial_call":null,"node":"a@h"}],
"events":[
{"kind":"call","from":0,"to":1,"label":"CALL: {put,k,1}","text":"{'$gen_call',{<0.90.0>,[alias|#Ref<0.1.2.3>]},{put,k,1}}","serial":[0,1],"ts_us":10,"reply_to":null},
{"kind":"spawn","from":1,"to":2,"label":"SPAWN","text":"{spawn_request}","serial":[1,2],"ts_us":20,"reply_to":null},
{"kind":"send","from":2,"to":1,"label":"INFO: done","text":"done","serial":[2,3],"ts_us":30,"reply_to":null},
{"kind":"reply","from":1,"to":0,"label":"REPLY: ok","text":"{[alias|#Ref<0.1.2.3>],ok}","serial":[3,4],"ts_us":40,"reply_to":0},
{"kind":"send","from":3,"to":4,"label":"INFO: hello","text":"hello","serial":null,"ts_us":50,"reply_to":null},
{"kind":"send","from":0,"to":4,"label":"INFO: bye","text":"bye","serial":[4,5],"ts_us":60,"reply_to":null}
]}
EOF

# the model file: read and written back byte for byte, twice
check "json" R "$T/cl.json" -o "$T/r.json"
cmp -s "$T/cl.json" "$T/r.json" || fail "cluster trace JSON does not round-trip: $(diff "$T/cl.json" "$T/r.json" | head -5)"
check "json again" R "$T/r.json" -o "$T/r2.json"
cmp -s "$T/r.json" "$T/r2.json" || fail "cluster trace JSON differs on the second re-render"

# Mermaid and Markdown: the real parser
check "mmd" R "$T/cl.json" -o "$T/cl.mmd"
check "md" R "$T/cl.json" -o "$T/cl.md"
mmd_check "$T/cl.mmd" "$T/cl.md"
grep -qx '  title message sequence across 2 of 3 nodes, entry node a@h' "$T/cl.mmd" || fail "mmd title: $(head -3 "$T/cl.mmd")"
grep -q 'Note over p0,p4: not traced (no relay)#58; c@h (c is not registered with epmd on h (address tried 127.0.0.1))' "$T/cl.mmd" ||
  fail "mmd: no note naming c@h: $(cat "$T/cl.mmd")"
check "mmd from the re-rendered file" R "$T/r.json" -o "$T/r.mmd"
cmp -s "$T/cl.mmd" "$T/r.mmd" || fail "Mermaid of the re-rendered JSON differs"

# what Mermaid makes of the boxes: its own sequence database
cat >"$T/boxes.mjs" <<'EOF'
const v = process.env.BV_VALIDATORS + '/node_modules/';
const { JSDOM } = (await import(v + 'jsdom/lib/api.js')).default;
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.Option = dom.window.Option;
const mermaid = (await import(v + 'mermaid/dist/mermaid.core.mjs')).default;
mermaid.initialize({ startOnLoad: false });
const fs = await import('node:fs');
for (const f of process.argv.slice(2)) {
  const d = await mermaid.mermaidAPI.getDiagramFromText(fs.readFileSync(f, 'utf8'));
  const actors = d.db.getActors();
  const boxes = d.db.getBoxes().map((b) => ({
    name: b.name, fill: b.fill, parts: b.actorKeys.map((k) => actors.get(k).description) }));
  const boxed = new Set(d.db.getBoxes().flatMap((b) => b.actorKeys));
  const free = [...actors.keys()].filter((k) => !boxed.has(k)).map((k) => actors.get(k).description);
  console.log(JSON.stringify({ file: f, boxes, free }));
}
EOF
node "$T/boxes.mjs" "$T/cl.mmd" >"$T/boxes.out" 2>"$T/boxes.err" || fail "Mermaid's sequence database: $(head -c 800 "$T/boxes.err")"

# images: every node's name drawn (the failed one in the note), a page's width
check "png" R "$T/cl.json" -o "$T/cl.png"
check "png dark" R "$T/cl.json" -o "$T/cl-dark.png" --theme dark
check "svg" R "$T/cl.json" -o "$T/cl.svg"
check "pdf" R "$T/cl.json" -o "$T/cl.pdf"
[ -z "${BV_KEEP_PNG:-}" ] || cp "$T/cl.png" "$T/cl-dark.png" "$BV_KEEP_PNG/" 2>/dev/null
pdftotext -layout "$T/cl.pdf" "$T/cl.txt" || fail "pdftotext"

# one node's part
check "--node b@h mmd" R "$T/cl.json" --node b@h -o "$T/b.mmd"
check "--node b@h json" R "$T/cl.json" --node b@h -o "$T/b.json"
check "--node b@h png" R "$T/cl.json" --node b@h -o "$T/b.png"
check "--node a@h mmd" R "$T/cl.json" --node a@h -o "$T/a.mmd"
mmd_check "$T/b.mmd" "$T/a.mmd"
node "$T/boxes.mjs" "$T/b.mmd" "$T/a.mmd" >>"$T/boxes.out" 2>"$T/boxes.err" || fail "Mermaid's sequence database (--node): $(head -c 800 "$T/boxes.err")"
[ -z "${BV_KEEP_PNG:-}" ] || cp "$T/b.png" "$BV_KEEP_PNG/" 2>/dev/null
check "--node b@h json again" R "$T/b.json" -o "$T/b2.json"
cmp -s "$T/b.json" "$T/b2.json" || fail "the --node JSON does not round-trip"

python3 - "$T" <<'PY' || fail "cluster trace outputs"
import json, struct, sys
t = sys.argv[1]
out = [json.loads(l) for l in open(t + "/boxes.out")]
by = {o["file"].rsplit("/", 1)[1]: o for o in out}
grey = "rgba(128, 128, 128, 0.12)"
cl = by["cl.mmd"]
assert [(b["name"], b["fill"]) for b in cl["boxes"]] == [("a@h", grey), ("b@h", grey)], cl
assert [len(b["parts"]) for b in cl["boxes"]] == [2, 2], cl
assert cl["boxes"][0]["parts"][1] == "a_helper" and cl["boxes"][1]["parts"][0] == "kv_srv", cl
assert cl["free"] == ["(unknown sender)"], cl
# b@h's part: its processes and the caller on a@h (in a@h's box); nothing else
b = by["b.mmd"]
assert [x["name"] for x in b["boxes"]] == ["a@h", "b@h"], b
assert len(b["boxes"][0]["parts"]) == 1 and len(b["boxes"][1]["parts"]) == 2 and b["free"] == [], b
# a@h's part: its two processes, kv_srv (b@h) that it called, the unknown sender
a = by["a.mmd"]
assert [x["name"] for x in a["boxes"]] == ["a@h", "b@h"], a
assert [p for x in a["boxes"] for p in x["parts"]][1:] == ["a_helper", "kv_srv"], a
assert a["free"] == ["(unknown sender)"], a
bj = json.load(open(t + "/b.json"))
assert [n["node"] for n in bj["nodes"]] == ["a@h", "b@h"] and bj["node"] == "a@h", bj["nodes"]
assert len(bj["participants"]) == 3 and len(bj["events"]) == 4, bj
rep = [e for e in bj["events"] if e["kind"] == "reply"]
assert len(rep) == 1 and bj["events"][rep[0]["reply_to"]]["kind"] == "call", rep
# images: PNG sizes within a docs page; the PDF draws every name and the title
def png_size(p):
    d = open(p, "rb").read(24)
    assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR", p
    return struct.unpack(">II", d[16:24])
for p in ("cl.png", "cl-dark.png", "b.png"):
    w, h = png_size(t + "/" + p)
    assert 300 < w <= 1000 and 200 < h <= 1000, (p, w, h)
assert png_size(t + "/cl.png") == png_size(t + "/cl-dark.png")
txt = open(t + "/cl.txt").read()
for s in ("a@h", "b@h", "c@h", "message sequence across 2 of 3 nodes", "kv_srv", "a_helper",
          "(unknown sender)", "REPLY: ok", "not traced"):
    assert s in txt, (s, txt)
assert open(t + "/cl.svg", "rb").read(200).lstrip().startswith(b"<")
PY

# 40 nodes, some named so that Mermaid could misread them (a colour word first, a
# ')' that would end the box colour, '#' and ';', non-ASCII): every box parses with
# the grey colour and its name, holding its node's two participants
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
odd = ["red@h", "blue@h", "a)b@h", "c;d#e@h", "\u00fcn\u00ef@h", "wrap:x@h"]
nodes = [odd[i] if i < len(odd) else "n%d@h" % i for i in range(40)]
parts, evs = [], []
for i, n in enumerate(nodes):
    for k in range(2):
        parts.append({"pid": "<0.%d.0>" % (100 + k), "name": "s%d_%d" % (i, k), "spawned": False,
                      "system": False, "exit_reason": None, "node": n})
for i in range(len(parts) - 1):
    evs.append({"kind": "send", "from": i, "to": i + 1, "label": "INFO: m%d" % i, "text": "m",
                "serial": None, "ts_us": i, "reply_to": None})
d = {"format": "beamviz.seqtrace", "version": 1, "node": nodes[0], "mode": "eval", "code": "x",
     "stop_reason": "done", "nodes": [{"node": n} for n in nodes], "participants": parts,
     "events": evs}
json.dump(d, open(t + "/many.json", "w"))
PY
check "40 nodes mmd" R "$T/many.json" -o "$T/many.mmd"
mmd_check "$T/many.mmd"
node "$T/boxes.mjs" "$T/many.mmd" >"$T/many.out" 2>"$T/boxes.err" || fail "Mermaid's sequence database (40 nodes): $(head -c 800 "$T/boxes.err")"
python3 - "$T" <<'PY' || fail "40 nodes' boxes: $(head -c 1500 "$T/many.out")"
import json, sys
t = sys.argv[1]
o = json.loads(open(t + "/many.out").read())
names = [b["name"] for b in o["boxes"]]
assert names[:6] == ["red@h", "blue@h", "a_b@h", "c_d_e@h", "\u00fcn\u00ef@h", "wrap_x@h"], names[:6]
assert names[6:] == ["n%d@h" % i for i in range(6, 40)], names
assert all(b["fill"] == "rgba(128, 128, 128, 0.12)" for b in o["boxes"])
assert all(b["parts"] == ["s%d_0" % i, "s%d_1" % i] for i, b in enumerate(o["boxes"])), o["boxes"][:3]
assert o["free"] == []
PY

# errors: not a traced node (exit 11, naming those traced), one node's trace (2)
expect_exit 11 "--node: node 'x@h' is not in this trace (it traced: a@h, b@h)" "$T/x.mmd" -- \
  "$BEAMVIZ" render "$T/cl.json" --node x@h -o "$T/x.mmd"
expect_exit 11 "--node: node 'c@h' was not traced (c is not registered with epmd" "$T/x.mmd" -- \
  "$BEAMVIZ" render "$T/cl.json" --node c@h -o "$T/x.mmd"
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/cl.json"))
d.pop("nodes")
for p in d["participants"]:
    p.pop("node", None)
json.dump(d, open(t + "/one.json", "w"))
d = json.load(open(t + "/cl.json"))
d["participants"][4]["node"] = "c@h"
json.dump(d, open(t + "/failednode.json", "w"))
d["participants"][4]["node"] = "x@h"
json.dump(d, open(t + "/badnode.json", "w"))
PY
check "one node's trace" R "$T/one.json" -o "$T/one.mmd"
! grep -q '^  box\|title' "$T/one.mmd" || fail "a single node's trace drew boxes: $(cat "$T/one.mmd")"
expect_exit 2 "this trace is of one node (a@h), not of a cluster" "$T/x.mmd" -- \
  "$BEAMVIZ" render "$T/one.json" --node a@h -o "$T/x.mmd"
# a process on a node that was not traced (the trace reached it) keeps its node:
# drawn in that node's box, and --node of that node is refused as not traced
check "a process of a node not traced" R "$T/failednode.json" -o "$T/failed.mmd"
mmd_check "$T/failed.mmd"
grep -q '^  box .* c@h$' "$T/failed.mmd" || fail "no box for c@h's process: $(cat "$T/failed.mmd")"
check "its file round trip" R "$T/failednode.json" -o "$T/failed2.json"
check "and again" R "$T/failed2.json" -o "$T/failed3.json"
cmp -s "$T/failed2.json" "$T/failed3.json" || fail "a process of a node not traced: not written back the same"
expect_exit 3 "badnode.json: participants[4].node: not one of the nodes listed" "$T/x.mmd" -- \
  "$BEAMVIZ" render "$T/badnode.json" -o "$T/x.mmd"
pass
