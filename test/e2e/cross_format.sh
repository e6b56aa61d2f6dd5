# cross_format.sh: one view, every format. Saved models (deep and folded trees, long and
# cut traces, charts with many colours; test/e2e/cross_format_models.py) are rendered
# without a node to Mermaid / Vega-Lite, PDF, SVG and PNG with several option sets, and
# the formats must agree: the labels, fold labels and notes of the Mermaid text are the
# texts the PDF draws (pdftotext), as many times and (for messages) in the same order;
# the counts in fold labels and notes add up to the CLI's note, which is the same line
# for every format; a label the picture shortens has its full text in an SVG <title>;
# the Vega-Lite legend entries, "... and N more" and subtitles are the PDF's.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
command -v pdftotext >/dev/null 2>&1 || fail "pdftotext not found (apt-get install poppler-utils)"
check "generate models" python3 "$BV_SRC/test/e2e/cross_format_models.py" "$T"

# render_set NAME MODEL 'EXTS' [view options...]: renders MODEL to $T/NAME.EXT for each
# extension; each must succeed, and the stderr notes must be the same for every format.
render_set() {
  local name=$1 model=$2 exts=$3 e first=
  shift 3
  for e in $exts; do
    "$BEAMVIZ" render "$T/$model" -o "$T/$name.$e" "$@" 2>"$T/$name.$e.err" </dev/null ||
      fail "render $model -o $name.$e $*: exit $?: $(head -c 2000 "$T/$name.$e.err")"
    [ -s "$T/$name.$e" ] || fail "render $model -o $name.$e $*: empty output"
    if [ -z "$first" ]; then
      first=$e
    elif ! cmp -s "$T/$name.$first.err" "$T/$name.$e.err"; then
      fail "render $model $*: the notes differ between $first and $e:
$first: $(cat "$T/$name.$first.err")
$e: $(cat "$T/$name.$e.err")"
    fi
  done
  printf '%s\n' "$name" >>"$T/sets"
}

DIAG='mmd md pdf svg png'
CHART='vl.json pdf svg png'
: >"$T/sets"
# trees: --links all (the links' default is each format's own: Mermaid none)
render_set tree-default tree.json "$DIAG" --links all
render_set tree-small tree.json "$DIAG" --max-children 5 --max-depth 2 --links all
render_set tree-all tree.json "$DIAG" --max-children 0 --links all
render_set tree-lr tree.json "$DIAG" --max-children 3 --direction LR --links all
render_set tree-members tree.json "$DIAG" --max-children 0 --links members
render_set trace-default trace-eval.json "$DIAG"
render_set trace-payload trace-eval.json "$DIAG" --max-shown 20 --payload 15
render_set trace-all trace-eval.json "$DIAG" --all
render_set trace-attach trace-attach.json "$DIAG"
render_set trace-max trace-max.json "$DIAG" --max-shown 300
render_set procs-status procs.json "$CHART"
render_set procs-name procs.json "$CHART" --color name
render_set procs-top procs.json "$CHART" --color name --top 12 --by memory --chart scatter
render_set memory memory.json "$CHART"

mmd_check "$T"/*.mmd "$T"/*.md
vl_check "$T"/*.vl.json

check "formats agree" python3 - "$T" <<'EOF'
import collections, html, json, re, subprocess, sys
import xml.etree.ElementTree as ET

T = sys.argv[1]
ELL = "\u2026"
errors = []


def err(name, msg):
    errors.append("%s: %s" % (name, msg))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def pdf_items(path, where=False):
    """The PDF's drawn texts, in drawing order (where: with their x, y): pdftotext's words
    joined when they sit on one baseline with at most a space between them."""
    out = subprocess.run(["pdftotext", "-bbox", path, "-"], check=True, capture_output=True,
                         text=True).stdout
    items, cur = [], None
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">(.*?)</word>', out):
        x0, y0, x1, y1 = (float(m.group(k)) for k in range(1, 5))
        w = html.unescape(m.group(5))
        h = y1 - y0
        if cur and abs(cur[1] - y0) < 0.5 and 0 <= x0 - cur[2] < 0.5 * h:
            cur[3] += " " + w
            cur[2] = x1
        else:
            if cur:
                items.append(cur)
            cur = [x0, y0, x1, w]
    if cur:
        items.append(cur)
    return [(i[0], i[1], i[3]) if where else i[3] for i in items]


def svg_titles(path):
    root = ET.parse(path).getroot()  # also: the SVG is well-formed XML
    return {"".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}title")}


def mmd_text(s):
    """A Mermaid label as drawn: #NNN; back to characters, <br/> to a line break."""
    s = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), s.replace("<br/>", "\n"))
    return s


def note_of(name):
    return read("%s/%s.mmd.err" % (T, name)).strip()


def match_drawn(name, want, drawn, titles):
    """want (texts from Mermaid) and drawn (PDF texts) must be the same multiset; a drawn
    text the picture shortened ("...<ellipsis>") stands for a wanted text it starts, whose
    full text must then be an SVG <title>. Returns the wanted texts in drawn order."""
    left = collections.Counter(want)
    order = []
    for d in drawn:
        if d in left and left[d] > 0:
            left[d] -= 1
            order.append(d)
            continue
        if d.endswith(ELL):
            stem = d[:-1].rstrip()
            full = [w for w in left if left[w] > 0 and w.startswith(stem)]
            if full:
                w = sorted(full)[0]
                left[w] -= 1
                order.append(w)
                # the hover title is the whole text: Mermaid's own, or, where
                # Mermaid cut a line at 80 bytes ("..."), one that it starts
                whole = w in titles or (w.endswith("...") and any(
                    t.startswith(w[:-3]) and len(t) > len(w) - 3 for t in titles))
                if not whole:
                    err(name, "shortened label %r has no SVG <title> with %r" % (d, w))
                continue
        err(name, "the PDF draws %r, which the Mermaid text does not have (or has fewer times)" % d)
    for w, k in left.items():
        if k > 0:
            err(name, "Mermaid has %r %d more time(s) than the PDF draws it" % (w, k))
    return order


def lines_of(texts):
    return [l for t in texts for l in t.split("\n")]


def check_md(name):
    md = read("%s/%s.md" % (T, name))
    body = read("%s/%s.mmd" % (T, name))
    if md != "```mermaid\n" + body + "```\n":
        err(name, "the .md is not the .mmd in a mermaid fence")


def check_images(name):
    png = open("%s/%s.png" % (T, name), "rb").read(8)
    if png != b"\x89PNG\r\n\x1a\n":
        err(name, "the PNG is not a PNG")
    return svg_titles("%s/%s.svg" % (T, name))


# --- trees ---------------------------------------------------------------------------
NODE = re.compile(r'^  n(\d+)\["(.*)"\]:::(\w+)$')
EDGE = re.compile(r"^  n(\d+) (-->|-\.-) n(\d+)$")
FOLD = re.compile(r"^\.\.\. and (\d+) (?:more|more \w+(?: \w+)?)(?: \(.*\))?(?:\n\+(\d+) below)?$")
BELOW = re.compile(r"^(\d+) more below$")


def check_tree(name, model):
    mmd = read("%s/%s.mmd" % (T, name))
    labels, classes, edges = {}, {}, []
    for line in mmd.splitlines():
        m = NODE.match(line)
        if m:
            labels[int(m.group(1))] = mmd_text(m.group(2))
            classes[int(m.group(1))] = m.group(3)
            continue
        m = EDGE.match(line)
        if m:
            edges.append((int(m.group(1)), m.group(2), int(m.group(3))))
    n = len(labels)
    if n < 2 or sorted(labels) != list(range(n)):
        err(name, "Mermaid nodes are not n0..n%d" % (n - 1))
        return
    # the parent edges come first, one per node but the root, dotted to a linked process
    if [b for a, k, b in edges[:n - 1]] != list(range(1, n)) or any(
            a >= b or (k == "-.-") != (classes[b] == "external") for a, k, b in edges[:n - 1]):
        err(name, "not every Mermaid node but the root has one parent edge")
    links = len(edges) - (n - 1)
    # the fold labels: their counts add up to the note's "X of Y nodes folded"
    folded, nfolds = 0, 0
    for i, l in labels.items():
        if classes[i] != "folded":
            continue
        nfolds += 1
        m = FOLD.match(l) or BELOW.match(l)
        if not m:
            err(name, "fold label %r has neither form" % l)
            continue
        folded += int(m.group(1)) + (int(m.group(2)) if m.re is FOLD and m.group(2) else 0)
    total = len(model["nodes"])
    note = note_of(name)
    if nfolds:
        m = re.match(r"^beamviz: (\d+) of (\d+) nodes folded", note)
        if not m:
            err(name, "fold nodes drawn but no fold note: %r" % note)
        elif (int(m.group(1)), int(m.group(2))) != (folded, total):
            err(name, "the fold labels count %d of %d nodes, the note says %s of %s"
                % (folded, total, m.group(1), m.group(2)))
    elif note:
        err(name, "nothing folded but a note: %r" % note)
    if n != total - folded + nfolds:
        err(name, "%d nodes drawn; the model has %d, %d folded into %d fold nodes"
            % (n, total, folded, nfolds))
    titles = check_images(name)
    want = lines_of(labels[i] for i in range(n))
    match_drawn(name, want, pdf_items("%s/%s.pdf" % (T, name)), titles)
    check_md(name)
    return n, folded, links


# --- traces --------------------------------------------------------------------------
PART = re.compile(r"^  participant p(\d+) as (.*)$")
MSG = re.compile(r"^  p(\d+)(-->>|->>)\+?p(\d+): (.*)$")
NOTE = re.compile(r"^  Note over p0(?:,p\d+)?: (.*)$")


def check_trace(name, model, payload=0):
    mmd = read("%s/%s.mmd" % (T, name))
    parts, msgs, notes = [], [], []
    for line in mmd.splitlines():
        for rx, dst in ((PART, parts), (MSG, msgs), (NOTE, notes)):
            m = rx.match(line)
            if m:
                dst.append(mmd_text(m.group(m.lastindex)))
    note = note_of(name)
    shown, total = len(msgs), None
    m = re.match(r"^beamviz: (\d+) of (\d+) messages drawn", note)
    if m:
        if int(m.group(1)) != shown:
            err(name, "the note says %s messages drawn, Mermaid has %d" % (m.group(1), shown))
        total = int(m.group(2))
    elif note:
        err(name, "unexpected note %r" % note)
    more = [re.match(r"^(\d+) more messages? not drawn", x) for x in notes]
    more = [int(x.group(1)) for x in more if x]
    if total is not None and more != [total - shown]:
        err(name, "note over the diagram says %s more, the CLI %d of %d" % (more, shown, total))
    if total is None and more:
        err(name, "a 'more messages' note over the diagram but no CLI note")
    if payload and not all("\n" in x and len(x.split("\n", 1)[1]) <= payload for x in msgs):
        err(name, "a message without its payload of at most %d characters" % payload)
    titles = check_images(name)
    drawn = pdf_items("%s/%s.pdf" % (T, name))
    # participants: each drawn the same number of times (heads, and feet)
    pc = collections.Counter(d for d in drawn if d in set(parts))
    k = pc[parts[0]] if parts else 0
    if k not in (1, 2) or any(pc[p] != k for p in parts):
        err(name, "participants drawn %s times, Mermaid has %s" % (dict(pc), parts))
    rest = [d for d in drawn if d not in set(parts)]
    want = lines_of(msgs) + lines_of(notes)
    order = match_drawn(name, want, rest, titles)
    if [x for x in order if x not in set(lines_of(notes))] != [x for x in lines_of(msgs) if x not in set(lines_of(notes))]:
        err(name, "the PDF draws the messages in another order than Mermaid")
    check_md(name)
    return parts, shown, notes


# --- charts --------------------------------------------------------------------------
def legend_in_pdf(name, path, title, stop):
    """The entries of the legend titled title, top down: the texts starting at most 30
    points right of the title's start, below it, up to one in stop (the next legend's
    title) or an "... and N more"."""
    items = pdf_items(path, where=True)
    at = [(x, y) for x, y, t in items if t == title]
    if len(at) != 1:
        err(name, "the PDF has %d legend titles %r" % (len(at), title))
        return []
    tx, ty = at[0]
    out = []
    for x, y, t in sorted((i for i in items if tx - 1 <= i[0] <= tx + 30 and i[1] > ty),
                          key=lambda i: i[1]):
        if t in stop or t.startswith(ELL + " and "):
            break
        out.append(t)
    return out


def check_procs(name, top=None):
    spec = json.loads(read("%s/%s.vl.json" % (T, name)))
    enc = spec["encoding"]
    field = enc["color"]["field"]
    data = spec["data"]["values"]
    if top is not None and len(data) != top:
        err(name, "--top %d: the spec has %d points" % (top, len(data)))
    domain = sorted({d.get(field) for d in data}, key=lambda v: (v is not None, v or ""))
    lv = enc["color"]["legend"].get("values")
    listed = json.loads(lv["expr"]) if lv else domain
    listed = ["(none)" if v is None else v for v in listed]
    subs = spec["title"]["subtitle"]
    subs = [subs] if isinstance(subs, str) else subs
    more = [re.search(ELL + r" and (\d+) more", s) for s in subs]
    more = [m.group(0) for m in more if m]
    if lv and len(more) != 1:
        err(name, "legend values listed but no '... and N more' subtitle")
    if more and int(more[0].split()[2]) + len(listed) != len(domain):
        err(name, "legend %d + %s != %d values" % (len(listed), more[0], len(domain)))
    pdf = "%s/%s.pdf" % (T, name)
    drawn = pdf_items(pdf)
    shape = enc["shape"].get("scale", {}).get("domain", [])
    got = legend_in_pdf(name, pdf, enc["color"]["title"], {enc["shape"].get("title", "")})
    if got != listed:
        err(name, "legend: Vega-Lite lists %s, the PDF %s" % (listed, got))
    pmore = [d for d in drawn if d.startswith(ELL + " and ")]
    if pmore != more:
        err(name, "'and N more': Vega-Lite says %s, the PDF %s" % (more, pmore))
    if shape and legend_in_pdf(name, pdf, enc["shape"]["title"], {spec["title"]["text"]}) != shape:
        err(name, "shape legend: Vega-Lite %s, the PDF differs" % shape)
    if spec["title"]["text"] not in drawn:
        err(name, "title %r not in the PDF" % spec["title"]["text"])
    for s in subs:
        if s.startswith("colour by "):
            continue  # the picture's legend says it with its own "... and N more"
        s = s.replace("; the tooltip shows the real value", "")
        if s not in drawn:
            err(name, "subtitle %r not in the PDF" % s)
    check_images(name)
    return listed, more


def check_memory(name):
    spec = json.loads(read("%s/%s.vl.json" % (T, name)))
    panels = spec["vconcat"]
    c = panels[0]["encoding"]["color"]
    pdf = "%s/%s.pdf" % (T, name)
    drawn = pdf_items(pdf)
    got = legend_in_pdf(name, pdf, c["title"], {spec["title"]["text"]})
    if got != c["scale"]["domain"]:
        err(name, "legend: Vega-Lite %s, the PDF %s" % (c["scale"]["domain"], got))
    if any(p["encoding"]["color"] != c for p in panels):
        err(name, "the panels' colour encodings differ: two legends")
    subs = spec["title"]["subtitle"]
    for s in [spec["title"]["text"]] + (subs if isinstance(subs, list) else [subs]):
        if s not in drawn:
            err(name, "title %r not in the PDF" % s)
    # the axes: one y title per panel (rotated: pdftotext's plain text finds
    # them), the x title and tick labels once (under the lowest panel)
    raw = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    titles = [p["encoding"]["y"]["title"] for p in panels]
    x = panels[-1]["encoding"]["x"]
    for t in titles + [x["title"]]:
        if raw.count(t) != titles.count(t) + (t == x["title"]):
            err(name, "axis title %r drawn %d times in the PDF" % (t, raw.count(t)))
    if any(p["encoding"]["x"]["title"] is not None for p in panels[:-1]):
        err(name, "an upper panel has an x title")
    want = ["{:,.{d}f}".format(v, d=int(x["axis"]["format"][2:-2])) for v in x["axis"]["values"]]
    want = [w.rstrip("0").rstrip(".") if "." in w else w for w in want]
    if not all(w in drawn for w in want):
        err(name, "x tick labels %s not all in the PDF" % want)
    check_images(name)


tree = json.loads(read(T + "/tree.json"))
r = {}
r["default"] = check_tree("tree-default", tree)
r["small"] = check_tree("tree-small", tree)
r["all"] = check_tree("tree-all", tree)
r["lr"] = check_tree("tree-lr", tree)
# --links members: the model without its external nodes, and only the links between
# members
ext = {i for i, n in enumerate(tree["nodes"]) if n["kind"] == "external"}
members = dict(tree, nodes=[n for n in tree["nodes"] if n["kind"] != "external"])
r["members"] = check_tree("tree-members", members)
if not ext or not tree["links"]:
    err("tree", "the model has no external nodes or no links to leave out")
if r["members"] and r["members"][2] != sum(1 for a, b in tree["links"] if a not in ext and b not in ext):
    err("tree-members", "%d links drawn; the model has %d between members"
        % (r["members"][2], sum(1 for a, b in tree["links"] if a not in ext and b not in ext)))
if r["all"] and r["all"][1] != 0:
    err("tree-all", "--max-children 0 folded %d nodes" % r["all"][1])
if r["all"] and r["all"][0] != len(tree["nodes"]):
    err("tree-all", "%d nodes drawn of %d" % (r["all"][0], len(tree["nodes"])))
if r["default"] and r["small"] and not r["small"][0] < r["default"][0] < r["all"][0]:
    err("tree", "node counts should grow: %s" % r)

ev = json.loads(read(T + "/trace-eval.json"))
visible = sum(1 for e in ev["events"] if not (ev["participants"][e["from"]]["system"] or
                                              ev["participants"][e["to"]]["system"]))
STOP_EARLY = "trace stopped early: the duration bound was reached"
p, n, notes = check_trace("trace-default", ev)
if n != 200 or notes != ["%d more messages not drawn (the model file has them all)" % (visible - 200), STOP_EARLY]:
    err("trace-default", "%d shown, notes %s (visible %d)" % (n, notes, visible))
if any(x in p for x in ("code_server", "logger")):
    err("trace-default", "system processes drawn without --all: %s" % p)
p, n, notes = check_trace("trace-payload", ev, payload=15)
if n != 20 or len(notes) != 2 or notes[1] != STOP_EARLY:
    err("trace-payload", "%d shown, notes %s" % (n, notes))
p, n, notes = check_trace("trace-all", ev)
if n != 200 or "code_server" not in p or notes[0] != "%d more messages not drawn (the model file has them all)" % (len(ev["events"]) - 200):
    err("trace-all", "%d shown, participants %s, notes %s" % (n, p, notes))
p, n, notes = check_trace("trace-attach", json.loads(read(T + "/trace-attach.json")))
if notes:
    err("trace-attach", "an attached trace ended by its duration has notes: %s" % notes)
p, n, notes = check_trace("trace-max", json.loads(read(T + "/trace-max.json")))
if notes != ["trace stopped at the event bound"]:
    err("trace-max", "notes %s" % notes)

listed, more = check_procs("procs-status")
if listed != ["runnable", "running", "waiting"] or more:
    err("procs-status", "legend %s %s" % (listed, more))
listed, more = check_procs("procs-name")
# coloured by name: every process named by the identity rule (the 5 unnamed
# ones by their initial call's module and pid), never null
if len(listed) != 30 or listed[0] != "proc_00" or more != [ELL + " and 15 more"]:
    err("procs-name", "legend %s %s" % (listed, more))
listed, more = check_procs("procs-top", top=12)
if len(listed) != 12 or more:
    err("procs-top", "legend %s %s" % (listed, more))
check_memory("memory")

if errors:
    print("\n".join(errors[:40]))
    sys.exit(1)
EOF
pass
