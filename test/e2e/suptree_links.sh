# suptree_links.sh: suptree --links none|members|all (and --links alone = all) on a
# crafted tree (bv_mid of test/e2e/erl/bv_crafted.erl: bv_w_a and bv_w_b linked to
# each other, a worker that spawn_links a helper and opens a port, bv_mid linked to
# its own parent bv_top outside the tree). For each value and the default: the
# dotted links and external nodes in the Mermaid (through Mermaid's parser), the
# text tree and the SVG agree; only all collects the processes outside the tree;
# render of a saved all model with --links none|members drops them; a bad value
# is one usage line and no file.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

erlc -o "$BV_TMP" "$BV_SRC/test/e2e/erl/bv_crafted.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_crafted: $(cat "$BV_TMP/erlc.log")"
start_node T -pa "$BV_TMP"
BV="$BEAMVIZ --node $T --cookie $BV_COOKIE"
check "crafted tree starts" erl_eval "$T" 'ok = bv_crafted:start(2).'

# counts of one drawing set NAME.{mmd,txt,svg,json}:
#   "MEMBERLINKS EXTERNALS" from the Mermaid, the text tree and the SVG, each as
#   "mmd=L/E txt=E svg=D" (D: dashed or dotted paths in the SVG: a member link is one
#   dotted path, an external node a dashed box and a dotted edge)
counts() {
  python3 - "$BV_TMP/$1" <<'PYEOF'
import re, sys
base = sys.argv[1]
mmd = open(base + ".mmd").read().splitlines()
cls = {}
for l in mmd:
    m = re.match(r'^  n(\d+)\[".*"\]:::(\w+)$', l)
    if m:
        cls[int(m.group(1))] = m.group(2)
dotted = [l for l in mmd if re.match(r"^  n\d+ -\.- n\d+$", l)]
ext = sum(1 for c in cls.values() if c == "external")
# a dotted edge to an external node is its parent edge; the others are member links
member = sum(1 for l in dotted if cls[int(l.split()[2][1:])] != "external")
txt = open(base + ".txt").read()
text_ext = len(re.findall(r" \[external\]$", txt, re.M))
svg = open(base + ".svg").read()
dash = len(re.findall(r"stroke-dasharray", svg))
print("mmd=%d/%d txt=%d svg=%d" % (member, ext, text_ext, dash))
PYEOF
}
# draws the tree as NAME.{mmd,txt,svg} with the given options (live, or render FILE)
draw() { # name cmd...
  local name=$1
  shift
  for f in mmd txt svg; do
    check "$name.$f" "$@" -o "$BV_TMP/$name.$f"
  done
}
model_counts() { # json -> "links=N externals=E"
  python3 - "$1" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))
print("links=%d externals=%d" % (len(t["links"]), sum(1 for n in t["nodes"] if n["kind"] == "external")))
PYEOF
}

# --- the model: member links always, externals only with all
check "all json" $BV suptree --sup bv_mid --links all --format json -o "$BV_TMP/all.json"
check "members json" $BV suptree --sup bv_mid --links members --format json -o "$BV_TMP/members.json"
check "none json" $BV suptree --sup bv_mid --links=none --format json -o "$BV_TMP/none.json"
check "bare json" $BV suptree --sup bv_mid --format json -o "$BV_TMP/bare.json" --links
check "default json" $BV suptree --sup bv_mid --format json -o "$BV_TMP/default.json"
ALL=$(model_counts "$BV_TMP/all.json")
case "$ALL" in
  "links=1 externals="[3-9]) ;;
  *) fail "--links all model: $ALL (want the bv_w_a/bv_w_b link, bv_top, the helper and the port)" ;;
esac
E=${ALL#*externals=}
[ "$(model_counts "$BV_TMP/bare.json")" = "$ALL" ] || fail "--links alone collects other than all"
for v in members none default; do
  [ "$(model_counts "$BV_TMP/$v.json")" = "links=1 externals=0" ] ||
    fail "--links $v collected: $(model_counts "$BV_TMP/$v.json")"
done
python3 - "$BV_TMP/all.json" <<'EOF' || fail "the member link is not bv_w_a - bv_w_b"
import json, sys
t = json.load(open(sys.argv[1])); n = t["nodes"]
a, b = t["links"][0]
assert {n[a].get("name"), n[b].get("name")} == {"bv_w_a", "bv_w_b"}, (n[a], n[b])
EOF
# bv_top (bv_mid's parent, a supervisor outside this tree) by its callback's
# init/1 as procs names it, not supervisor:bv_crafted/1
python3 - "$BV_TMP/all.json" <<'EOF' || fail "the external bv_top is not bv_crafted:init/1"
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
top = [x for x in n if x["kind"] == "external" and x.get("name") == "bv_top"]
assert len(top) == 1 and top[0].get("module") == "bv_crafted:init/1", top
EOF
check "all text" $BV suptree --sup bv_mid --links all --format text -o "$BV_TMP/all.txt"
grep -q ' bv_top bv_crafted:init/1 \[external\]$' "$BV_TMP/all.txt" ||
  fail "text: bv_top not shown as bv_crafted:init/1: $(cat "$BV_TMP/all.txt")"
grep -q 'supervisor:' "$BV_TMP/all.txt" && fail "text: supervisor:M/1 shown: $(cat "$BV_TMP/all.txt")"

# --- each value, live: Mermaid, text and SVG agree
want() { # name expected
  local got
  got=$(counts "$1")
  [ "$got" = "$2" ] || fail "$1: $got, want $2"
}
draw live-none $BV suptree --sup bv_mid --links none
want live-none "mmd=0/0 txt=0 svg=0"
draw live-members $BV suptree --sup bv_mid --links=members
want live-members "mmd=1/0 txt=0 svg=1"
draw live-all $BV suptree --sup bv_mid --links all
want live-all "mmd=1/$E txt=$E svg=$((1 + 2 * E))"
# --links alone, followed by another option, and last
draw live-bare $BV suptree --links --sup bv_mid
want live-bare "mmd=1/$E txt=$E svg=$((1 + 2 * E))"
check "bare last" $BV suptree --sup bv_mid -o "$BV_TMP/bare-last.mmd" --links
cmp -s "$BV_TMP/bare-last.mmd" "$BV_TMP/live-bare.mmd" || fail "--links last differs from --links first"
# the default: Mermaid none (its render keeps the supervision levels), text and
# images what the model holds (member links; no externals collected)
draw live-default $BV suptree --sup bv_mid
want live-default "mmd=0/0 txt=0 svg=1"

# --- render of the saved all model
for v in none members all; do
  draw "render-$v" "$BEAMVIZ" render "$BV_TMP/all.json" --links "$v"
done
want render-none "mmd=0/0 txt=0 svg=0"
want render-members "mmd=1/0 txt=0 svg=1"
want render-all "mmd=1/$E txt=$E svg=$((1 + 2 * E))"
draw render-default "$BEAMVIZ" render "$BV_TMP/all.json"
want render-default "mmd=0/0 txt=$E svg=$((1 + 2 * E))"
cmp -s "$BV_TMP/render-none.mmd" "$BV_TMP/live-none.mmd" || fail "render --links none differs from the live drawing"
cmp -s "$BV_TMP/render-all.txt" "$BV_TMP/live-all.txt" || fail "render --links all differs from the live text"
check "render --links alone" "$BEAMVIZ" render "$BV_TMP/all.json" --links -o "$BV_TMP/render-bare.mmd"
# a bare --links before the model file leaves the file alone (only none|members|all are its values)
check "render --links FILE" "$BEAMVIZ" render --links "$BV_TMP/all.json" -o "$BV_TMP/render-bare2.mmd"
cmp -s "$BV_TMP/render-bare.mmd" "$BV_TMP/render-bare2.mmd" || fail "render --links FILE differs from render FILE --links"
cmp -s "$BV_TMP/render-bare.mmd" "$BV_TMP/render-all.mmd" || fail "render --links alone is not all"
# the JSON model stays the full model whatever --links says
check "render json" "$BEAMVIZ" render "$BV_TMP/all.json" --links none -o "$BV_TMP/again.json"
cmp -s "$BV_TMP/all.json" "$BV_TMP/again.json" || fail "render --links none changed the JSON model"

# every Mermaid file drawn, through Mermaid's parser (one run)
mmd_check "$BV_TMP"/live-*.mmd "$BV_TMP"/render-*.mmd "$BV_TMP/bare-last.mmd"

# --- bad values: one usage line, no file
expect_exit 2 "--links: 'some' is not one of none|members|all" "$BV_TMP/bad.mmd" -- \
  $BV suptree --sup bv_mid --links some -o "$BV_TMP/bad.mmd"
expect_exit 2 "--links: 'ALL' is not one of none|members|all" "$BV_TMP/bad.mmd" -- \
  $BV suptree --sup bv_mid --links=ALL -o "$BV_TMP/bad.mmd"
expect_exit 2 "--links: 'x' is not one of none|members|all" "$BV_TMP/bad.svg" -- \
  "$BEAMVIZ" render "$BV_TMP/all.json" --links=x -o "$BV_TMP/bad.svg"
check "procs json" $BV procs --format json -o "$BV_TMP/procs.json"
expect_exit 2 "render: --links does not apply to a procs model" "$BV_TMP/bad.vl.json" -- \
  "$BEAMVIZ" render "$BV_TMP/procs.json" --links none -o "$BV_TMP/bad.vl.json"
pass
