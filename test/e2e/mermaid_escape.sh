# mermaid_escape.sh: bv_mmd_escape against Mermaid 11's own parser. test_mermaid writes
# a flowchart and a sequence diagram whose labels, aliases and messages hold every ASCII
# byte and the hostile names of the issues (quotes, parens, #, ;, |, <, >, end, ...);
# both must parse.
. "$BV_SRC/test/e2e/lib.sh"

[ -n "${BV_BUILD:-}" ] || fail "BV_BUILD is not set"
T="$BV_BUILD/test/test_mermaid"
[ -x "$T" ] || fail "$T not built"
check "test_mermaid writes the diagrams" "$T" "$BV_TMP"
[ -s "$BV_TMP/escape-flow.mmd" ] && [ -s "$BV_TMP/escape-seq.mmd" ] || fail "diagrams not written"
mmd_check "$BV_TMP/escape-flow.mmd" "$BV_TMP/escape-seq.mmd"
pass
