# render_options.sh: `beamviz render` reads the file first and then takes exactly
# the options of its kind: --help lists them per kind (and no node option), an
# option of another kind or a node option is refused with exit 2 and no output,
# a format the kind cannot write names the ones it can, and the apps model file
# renders as text or JSON. Needs no node: the models are the fuzz corpus's real ones.
# ctest-timeout: 120
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
CORPUS=$BV_SRC/test/fuzz/corpus/model
# corpus files carry one leading byte (the fuzzer's option byte) before the JSON
for k in apps memory procs suptree-demo seqtrace-tasks; do
  tail -c +2 "$CORPUS/real_$k" >"$T/$k.json"
done

# --help: each kind with its view options; render's own; no node options
check "render --help" sh -c "'$BEAMVIZ' render --help >'$T/help.txt'"
for want in 'suptree model' '--max-children N' '--direction' 'seqtrace model' '--payload N' \
  '--max-shown N' 'procs model' '--x FIELD' '--top N' 'memory model' 'apps model' \
  '--max-input MB' '--width PX' '--font FAMILY' '--node NAME@HOST'; do
  grep -q -- "$want" "$T/help.txt" || fail "render --help does not list '$want'"
done
# --node NAME@HOST is render's own: a cluster snapshot's part (cluster_procs.sh)
for bad in '--cookie' '--cookie-file' '--timeout' '--local' '--max-message' \
  '--save' '--samples' '--eval' '--app'; do
  if grep -q -- "^  $bad " "$T/help.txt"; then fail "render --help lists $bad"; fi
done
# the apps model lists text first (its default), then json
grep -q '^apps model (from beamviz apps): text, json' "$T/help.txt" ||
  fail "apps formats not listed: $(grep apps "$T/help.txt")"

# an option of another kind: exit 2, no file, the options the kind takes
expect_exit 2 "render: --payload does not apply to a suptree model (it takes: --max-children" \
  "$T/o.svg" -- "$BEAMVIZ" render "$T/suptree-demo.json" --payload 3 -o "$T/o.svg"
expect_exit 2 "render: --max-children does not apply to a seqtrace model" \
  "$T/o.mmd" -- "$BEAMVIZ" render "$T/seqtrace-tasks.json" --max-children 3 -o "$T/o.mmd"
expect_exit 2 "render: --x does not apply to a memory model" \
  "$T/o.csv" -- "$BEAMVIZ" render "$T/memory.json" --x memory -o "$T/o.csv"
expect_exit 2 "render: --width does not apply to an apps model" \
  "$T/o.txt" -- "$BEAMVIZ" render "$T/apps.json" --width 100 -o "$T/o.txt"
# bad values of the tree view options (issue 11's --direction auto among them)
expect_exit 2 "--direction: 'diagonal' is not one of auto|TD|LR" "$T/o.mmd" -- \
  "$BEAMVIZ" render "$T/suptree-demo.json" --direction diagonal -o "$T/o.mmd"
expect_exit 2 "--max-children: 'many' is not a number" "$T/o.txt" -- \
  "$BEAMVIZ" render "$T/suptree-demo.json" --max-children many -o "$T/o.txt"
# the apps kind has no image and no Mermaid
expect_exit 2 "cannot write mermaid" "$T/o.mmd" -- "$BEAMVIZ" render "$T/apps.json" -o "$T/o.mmd"
# a collecting option is not a view option
expect_exit 2 "render: --samples does not apply to a memory model" \
  "$T/o.csv" -- "$BEAMVIZ" render "$T/memory.json" --samples 3 -o "$T/o.csv"
# node options mean nothing to render, before or after the command word; --node
# is one node's part of a cluster's model only (a single node's tree is not one)
expect_exit 2 "--node: this tree is of one node" "$T/o.mmd" -- \
  "$BEAMVIZ" render "$T/suptree-demo.json" --node x@127.0.0.1 -o "$T/o.mmd"
expect_exit 2 "render: --cookie does not apply" "$T/o.mmd" -- \
  "$BEAMVIZ" --cookie c render "$T/suptree-demo.json" -o "$T/o.mmd"
expect_exit 2 "render: --timeout does not apply" "$T/o.mmd" -- \
  "$BEAMVIZ" render "$T/suptree-demo.json" --timeout 10 -o "$T/o.mmd"

# a format the kind cannot write: the formats it can
expect_exit 2 "cannot write png output: an apps model can be written as text, json" \
  "$T/a.png" -- "$BEAMVIZ" render "$T/apps.json" -o "$T/a.png"
expect_exit 2 "a seqtrace model can be written as mermaid, md, json, png, svg, pdf" \
  "$T/s.csv" -- "$BEAMVIZ" render "$T/seqtrace-tasks.json" -o "$T/s.csv"
expect_exit 2 "a procs model can be written as vega-lite, json, csv, text, png, svg, pdf" \
  "$T/p.mmd" -- "$BEAMVIZ" render "$T/procs.json" -o "$T/p.mmd"

# render apps.json: the text table by default, the model file as JSON
check "render apps text" sh -c "'$BEAMVIZ' render '$T/apps.json' >'$T/apps.out'"
head -n 1 "$T/apps.out" | grep -q '^NAME  *VERSION  *TREE  *DESCRIPTION$' ||
  fail "render apps.json: no text table: $(head -n 2 "$T/apps.out")"
grep -q '^kernel .* yes ' "$T/apps.out" || fail "render apps.json: no kernel row"
check "render apps txt" "$BEAMVIZ" render "$T/apps.json" -o "$T/apps.txt"
cmp -s "$T/apps.out" "$T/apps.txt" || fail "apps: stdout and .txt differ"
check "render apps json" "$BEAMVIZ" render "$T/apps.json" -o "$T/apps2.json"
cmp -s "$T/apps.json" "$T/apps2.json" || fail "apps: the model file does not round-trip"

# the options of the kind still work, and one wording of a note for every format
check "suptree max-children" "$BEAMVIZ" render "$T/suptree-demo.json" --max-children 1 \
  --direction LR -o "$T/t.mmd"
grep -q 'graph LR' "$T/t.mmd" || fail "--direction LR not applied"
for f in mmd svg; do
  "$BEAMVIZ" render "$T/suptree-demo.json" --max-children 1 -o "$T/t1.$f" 2>"$T/t1.$f.err" ||
    fail "render --max-children 1 -o t1.$f failed: $(cat "$T/t1.$f.err")"
done
cmp -s "$T/t1.mmd.err" "$T/t1.svg.err" || fail "fold note differs by format: $(cat "$T"/t1.*.err)"
grep -q 'nodes folded (siblings beyond --max-children 1)' "$T/t1.svg.err" ||
  fail "no fold note: $(cat "$T/t1.svg.err")"
for f in md png; do
  "$BEAMVIZ" render "$T/seqtrace-tasks.json" --max-shown 2 -o "$T/s1.$f" 2>"$T/s1.$f.err" ||
    fail "render --max-shown 2 -o s1.$f failed: $(cat "$T/s1.$f.err")"
done
cmp -s "$T/s1.md.err" "$T/s1.png.err" || fail "left-out note differs by format: $(cat "$T"/s1.*.err)"
grep -q '2 of [0-9]* messages drawn (--max-shown 2' "$T/s1.png.err" ||
  fail "no left-out note: $(cat "$T/s1.png.err")"
pass
