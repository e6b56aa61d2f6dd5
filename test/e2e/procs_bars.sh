# procs_bars.sh: procs --top N draws a labelled bar chart. On a live node
# `procs --top 20 --by memory -o top.png` names its 20 processes: the PDF of
# the same saved snapshot draws each identity (by the identity rule, computed
# here from the CSV of that snapshot) largest first, with its value; the live
# PNG is the same picture as the render of the saved model; the bar Vega-Lite
# passes vl_check and carries the same rows in the same order; --chart
# scatter|bar chooses explicitly; render of a saved model with --top 5 draws
# bars; --chart bar of a whole snapshot shows at most 100 bars and says so.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

for t in pdftotext python3; do
  command -v $t >/dev/null || skip "$t missing (apt-get install -y poppler-utils)"
done
T=$BV_TMP
start_node N
C=$BV_COOKIE
bv() { "$BEAMVIZ" --node "$N" --cookie "$C" "$@"; }
R() { "$BEAMVIZ" render "$@"; }

# processes that hold memory (a registered one, plain ones) and 120 idle ones:
# more than the 100 bars a chart draws
check "holders" erl_eval "$N" '
  register(bv_big_holder, spawn(fun() -> B = lists:seq(1, 200000), receive stop -> length(B) end end)),
  [spawn(fun() -> L = lists:seq(1, 20000 * I), receive stop -> length(L) end end) || I <- lists:seq(1, 5)],
  [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, 120)],
  ok.'

check "top 20 png" bv procs --top 20 --by memory -o "$T/top.png" --save "$T/top.json"
check "render csv" R "$T/top.json" -o "$T/top.csv"
check "render top 20 png" R "$T/top.json" --top 20 --by memory -o "$T/top-r.png"
cmp -s "$T/top.png" "$T/top-r.png" || fail "the live bar PNG differs from the render of its saved model"
check "render top 20 pdf" R "$T/top.json" --top 20 --by memory -o "$T/top.pdf"
check "render top 20 svg" R "$T/top.json" --top 20 --by memory -o "$T/top.svg"
check "render top 20 vl" R "$T/top.json" --top 20 --by memory -o "$T/top.vl.json"
check "render top 5 vl" R "$T/top.json" --top 5 --by reductions -o "$T/top5.vl.json"
check "render top 5 png" R "$T/top.json" --top 5 -o "$T/top5.png"
check "chart scatter" R "$T/top.json" --top 20 --by memory --chart scatter -o "$T/top-scatter.vl.json"
check "chart bar, whole set" R "$T/top.json" --chart bar --by memory -o "$T/all.vl.json"
check "chart bar, whole set png" R "$T/top.json" --chart bar -o "$T/all.png"
pdftotext -layout "$T/top.pdf" "$T/top.txt" || fail "pdftotext"
vl_check "$T/top.vl.json" "$T/top5.vl.json" "$T/all.vl.json"
# BV_KEEP_EXAMPLES=DIR keeps the pictures to look at
if [ -n "${BV_KEEP_EXAMPLES:-}" ]; then cp "$T/top.png" "$T/top.vl.json" "$T/all.png" "$BV_KEEP_EXAMPLES/"; fi

python3 - "$T" <<'PY' || fail "bar charts"
import csv, json, re, struct, sys, xml.etree.ElementTree as ET
t = sys.argv[1]
ELL = "\u2026"
rows = list(csv.DictReader(open(t + "/top.csv", newline="")))
total = len(rows)
assert total > 100, "a node has more than 100 processes: %d" % total
# the 20 largest by memory, ties in node order (a stable sort, as beamviz)
top = sorted(rows, key=lambda r: -int(r["memory"]))[:20]

def who(r):  # the identity rule, Erlang syntax
    if r["name"]:
        return r["name"]
    if r["label"]:
        return r["label"] + " " + r["pid"]
    ic = r["initial_call"]
    if ic and not ic.startswith("erlang:"):
        return ic.rsplit(":", 1)[0] + " " + r["pid"]
    return r["pid"]

want = [who(r) for r in top]
assert "bv_big_holder" in want, want

spec = json.load(open(t + "/top.vl.json"))
data = spec["data"]["values"]
assert [d["who"] for d in data] == want, ([d["who"] for d in data], want)
assert [d["memory"] for d in data] == [int(r["memory"]) for r in top]
assert [d["rank"] for d in data] == list(range(20))
marks = [l["mark"]["type"] for l in spec["layer"]]
assert marks == ["bar", "text"], marks
assert spec["encoding"]["y"]["field"] == "who" and spec["encoding"]["x"]["field"] == "bar"
assert [d["bar"] for d in data] == [d["memory"] for d in data]  # the bar's length
tips = [x["field"] for x in spec["encoding"]["tooltip"]]
for f in ("who", "pid", "memory", "reductions", "message_queue_len", "current_function"):
    assert f in tips, (f, tips)
title = spec["title"]["text"]
assert title.startswith("The 20 processes on ") and title.endswith(" with the most memory"), title
assert spec["title"]["subtitle"][0].startswith("20 of "), spec["title"]["subtitle"]
# the value on each bar: SI bytes, three significant digits
for d in data:
    assert re.fullmatch(r"\d+(\.\d+)? (B|kB|MB|GB)", d["value_text"]), d["value_text"]

# the picture names them, largest first: each identity (or its start with an
# ellipsis, whose whole text is the SVG <title>) in the PDF's text, in order
txt = open(t + "/top.txt").read()
titles = {"".join(e.itertext()) for e in ET.parse(t + "/top.svg").getroot().iter("{http://www.w3.org/2000/svg}title")}
pos = 0
for w, d in zip(want, data):
    at = txt.find(w, pos)
    if at < 0:
        stems = [m for m in re.finditer(r"(\S[^\n" + ELL + r"]*)" + ELL, txt[pos:]) if w.startswith(m.group(1).strip())]
        assert stems and w in titles, "the picture does not name %r" % w
        at = pos + stems[0].start()
    pos = at + 1
    assert d["value_text"] in txt, d["value_text"]
assert title in txt, title

# the image stays on a docs page
def png_size(f):
    b = open(f, "rb").read(24)
    return struct.unpack(">II", b[16:24])
w, h = png_size(t + "/top.png")
assert w <= 1000 and h > 20 * 20, (w, h)
w5, h5 = png_size(t + "/top5.png")
assert h5 < h, (h5, h)  # height grows with N

s5 = json.load(open(t + "/top5.vl.json"))
reds = [d["reductions"] for d in s5["data"]["values"]]
assert len(reds) == 5 and reds == sorted(reds, reverse=True), reds
assert s5["encoding"]["x"]["field"] == "bar" and s5["encoding"]["x"]["title"] == "reductions"
assert [d["bar"] for d in s5["data"]["values"]] == reds
sc = json.load(open(t + "/top-scatter.vl.json"))
assert sc["mark"]["type"] == "point" and len(sc["data"]["values"]) == 20
# a bar chart of the whole snapshot: the 100 largest, said in the subtitle
al = json.load(open(t + "/all.vl.json"))
assert len(al["data"]["values"]) == 100, len(al["data"]["values"])
assert "the 100 largest of %d shown" % total in al["title"]["subtitle"][0], al["title"]["subtitle"]
PY

# live: --chart bar without --top, and an explicit scatter with --top
check "live chart bar" bv procs --chart bar --by message_queue_len -o "$T/live-q.png"
check "live top scatter" bv procs --top 10 --chart scatter -o "$T/live-s.vl.json"
vl_check "$T/live-s.vl.json"
O=$T/bad.png
expect_exit 2 "--chart" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --chart pie -o "$O"
# the scatter's options ask for the scatter; --chart bar refuses them; no chart in csv
O=$T/bad.png
expect_exit 2 "--chart bar: --x, --y and --color draw the scatter" "$O" -- R "$T/top.json" --top 5 --chart bar --color name -o "$O"
expect_exit 2 "--chart: csv output has no chart" "$T/bad.csv" -- R "$T/top.json" --chart bar -o "$T/bad.csv"
check "render --top 5 --color name: a scatter" R "$T/top.json" --top 5 --color name -o "$T/top5-c.vl.json"
grep -q '"type": "point"' "$T/top5-c.vl.json" || fail "--top 5 --color name is not the scatter"

pass
