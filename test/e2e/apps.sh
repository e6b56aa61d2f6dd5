# apps.sh: beamviz apps on the embedded default and on a node with an extra
# application started: text table, JSON, errors; nothing left on the target.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

# embedded default (a throwaway local node, stopped afterwards)
check "apps on the embedded default" "$BEAMVIZ" apps -o "$BV_TMP/default.txt"
head -n 1 "$BV_TMP/default.txt" | grep -q '^NAME  *VERSION  *TREE  *DESCRIPTION$' ||
  fail "header: $(head -n 1 "$BV_TMP/default.txt")"
grep -q '^kernel .* yes ' "$BV_TMP/default.txt" || fail "kernel row: $(cat "$BV_TMP/default.txt")"

start_node T
C=$BV_COOKIE
check "sasl starts" erl_eval "$T" 'ok = application:ensure_started(sasl).'
target_baseline "$T"
check "apps" "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.txt"
grep -q '^sasl .* yes ' "$BV_TMP/apps.txt" || fail "sasl row: $(cat "$BV_TMP/apps.txt")"
grep -q '^stdlib .* no ' "$BV_TMP/apps.txt" || fail "stdlib row: $(cat "$BV_TMP/apps.txt")"
check "apps json" "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.json"
python3 - "$BV_TMP/apps.json" <<'EOF' || fail "apps.json: $(cat "$BV_TMP/apps.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "beamviz.apps" and d["version"] == 1
a = {x["name"]: x for x in d["apps"]}
assert a["sasl"]["has_tree"] and a["sasl"]["top_name"] == "sasl_sup", a["sasl"]
assert a["sasl"]["master"].startswith("<0.") and a["sasl"]["version"]
assert not a["stdlib"]["has_tree"] and a["stdlib"]["master"] is None
EOF
# deterministic
check "apps again" "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps2.json"
cmp -s "$BV_TMP/apps.json" "$BV_TMP/apps2.json" || fail "two runs differ"
# every application with a tree can be drawn
for A in $(python3 -c "import json; print(' '.join(x['name'] for x in json.load(open('$BV_TMP/apps.json'))['apps'] if x['has_tree']))"); do
  check "suptree --app $A" "$BEAMVIZ" --node "$T" --cookie "$C" suptree --app "$A" -o "$BV_TMP/$A.mmd"
  mmd_check "$BV_TMP/$A.mmd"
done
# suptree --format text: an indented tree; the same as the saved model rendered as .txt
check "suptree text" "$BEAMVIZ" --node "$T" --cookie "$C" suptree --app kernel --format text \
  -o "$BV_TMP/kernel.txt" --save "$BV_TMP/kernel.json"
grep -q '^    └── kernel_sup \[supervisor\]$' "$BV_TMP/kernel.txt" || fail "kernel text: $(cat "$BV_TMP/kernel.txt")"
grep -q '^application master <0\.[0-9]*\.0> \[root\]$' "$BV_TMP/kernel.txt" || fail "kernel text root: $(cat "$BV_TMP/kernel.txt")"
check "render kernel.json as text" "$BEAMVIZ" render "$BV_TMP/kernel.json" -o "$BV_TMP/kernel2.txt"
cmp -s "$BV_TMP/kernel.txt" "$BV_TMP/kernel2.txt" || fail "suptree text differs from the saved tree rendered as text"
target_settled "$T" "apps"

# CSV and Markdown (by extension), parsed; the same rows as the JSON
check "apps csv" "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.csv"
check "apps md" "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.md"
check "render apps.json as csv" "$BEAMVIZ" render "$BV_TMP/apps.json" -o "$BV_TMP/apps2.csv"
cmp -s "$BV_TMP/apps.csv" "$BV_TMP/apps2.csv" || fail "apps.csv differs from apps.json rendered as CSV"
python3 - "$BV_TMP/apps.json" "$BV_TMP/apps.csv" "$BV_TMP/apps.md" <<'EOF' || fail "apps csv/md: $(cat "$BV_TMP/apps.csv" "$BV_TMP/apps.md")"
import csv, json, sys
apps = json.load(open(sys.argv[1]))["apps"]
raw = open(sys.argv[2], newline="").read()
assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", ""), "CRLF lines"
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["name", "version", "tree", "description"], rows[0]
assert [r[0] for r in rows[1:]] == [a["name"] for a in apps]
for r, a in zip(rows[1:], apps):
    assert r[2] == ("yes" if a["has_tree"] else "no") and r[1] == (a["version"] or ""), (r, a)
md = open(sys.argv[3]).read().splitlines()
assert md[0] == "| Name | Version | Tree | Description |" and md[1] == "|---|---|---|---|", md[:2]
cells = [[c.strip() for c in l.strip("|").split("|")] for l in md[2:]]
assert [c[0] for c in cells] == [a["name"] for a in apps], cells
assert all(len(c) == 4 for c in cells)
assert ["sasl", "yes"] == [cells[[c[0] for c in cells].index("sasl")][i] for i in (0, 2)]
EOF
expect_exit 2 "cannot write" "$BV_TMP/apps.png" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.png"
expect_exit 2 "no arguments" "$BV_TMP/x.txt" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps kernel -o "$BV_TMP/x.txt"
expect_exit 2 "--save" "$BV_TMP/x.txt" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps --save "$BV_TMP/s.json" -o "$BV_TMP/x.txt"
pass
