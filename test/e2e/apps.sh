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
target_settled "$T" "apps"

expect_exit 2 "cannot write" "$BV_TMP/apps.csv" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps -o "$BV_TMP/apps.csv"
expect_exit 2 "no arguments" "$BV_TMP/x.txt" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps kernel -o "$BV_TMP/x.txt"
expect_exit 2 "--save" "$BV_TMP/x.txt" -- "$BEAMVIZ" --node "$T" --cookie "$C" apps --save "$BV_TMP/s.json" -o "$BV_TMP/x.txt"
pass
