# mermaid_deep.sh: a supervision tree deeper than any fixed number of tightening steps
# (a 700-deep chain, saved as a model file and re-rendered) is drawn within Mermaid's
# limits, Mermaid's own parser reads it, and the one stderr line tells what was done.
. "$BV_SRC/test/e2e/lib.sh"

python3 - "$BV_TMP/chain.json" 700 <<'EOF'
import json, sys
n = int(sys.argv[2])
nodes = [{"kind": "root" if i == 0 else "supervisor", "parent": i - 1, "pid": "<0.%d.0>" % (100 + i)}
         for i in range(n)]
json.dump({"format": "beamviz.suptree", "version": 1, "node": "deep@127.0.0.1",
           "otp_release": "25", "elixir": False, "title": "deep", "mode": "sup",
           "walk_ms": 1, "nodes": nodes, "links": []}, open(sys.argv[1], "w"))
EOF
for fmt in mmd md; do
  "$BEAMVIZ" render "$BV_TMP/chain.json" -o "$BV_TMP/chain.$fmt" 2>"$BV_TMP/$fmt.err" ||
    fail "render to .$fmt failed: $(cat "$BV_TMP/$fmt.err")"
  mmd_check "$BV_TMP/chain.$fmt"
  E=$(grep -c -- ' --> \| -\.- ' "$BV_TMP/chain.$fmt")
  [ "$E" -lt 500 ] || fail ".$fmt: $E edges, Mermaid draws fewer than 500"
  [ "$(wc -c <"$BV_TMP/chain.$fmt")" -le 50100 ] || fail ".$fmt: over 50,000 characters"
  # the note: one line, says the tree was reduced, and names the depth that was drawn
  [ "$(wc -l <"$BV_TMP/$fmt.err")" = 1 ] || fail ".$fmt: stderr: $(cat "$BV_TMP/$fmt.err")"
  grep -q 'too big for Mermaid' "$BV_TMP/$fmt.err" || fail ".$fmt: no reduction note: $(cat "$BV_TMP/$fmt.err")"
  D=$(sed -n 's/.*--max-depth \([0-9]*\).*/\1/p' "$BV_TMP/$fmt.err")
  [ -n "$D" ] && [ "$D" -gt 0 ] || fail ".$fmt: no depth in the note: $(cat "$BV_TMP/$fmt.err")"
  # drawing it again with the limits the note names gives the same picture
  "$BEAMVIZ" render "$BV_TMP/chain.json" -o "$BV_TMP/again.$fmt" --max-depth "$D" 2>/dev/null ||
    fail "render with --max-depth $D failed"
  cmp -s "$BV_TMP/chain.$fmt" "$BV_TMP/again.$fmt" || fail ".$fmt: --max-depth $D draws another picture"
  # and the note counts what was folded: every node but the D + 1 drawn
  grep -q "^beamviz: $((700 - D - 1)) of 700 nodes folded" "$BV_TMP/$fmt.err" ||
    fail ".$fmt: folded count wrong for depth $D: $(cat "$BV_TMP/$fmt.err")"
done
pass
