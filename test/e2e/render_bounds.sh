# render_bounds.sh: what a model file can make `beamviz render` read and take.
#  - --max-input MB (default 256 MiB): a larger file, a pipe or /dev/zero is refused
#    after reading one byte past the cap (exit 3, one line naming the option);
#  - memory in proportion to the file: a 20 MB array of tiny values (cJSON took
#    805 MB before refusing it) is refused within a small multiple of its size;
#  - a 50,000-child tree drawn as SVG takes a bounded amount of memory (cairo's
#    SVG surface keeps every operation of its page: drawn in pieces) and is one
#    well-formed document;
#  - model files in the layout beamviz writes, with nested arrays in every element
#    (trace serials, tree links), render.
# Peak memory is read with getrusage (RUSAGE_CHILDREN) around each command; sanitizer
# builds get a larger allowance (shadow memory, quarantine).
# ctest-timeout: 600
. "$BV_SRC/test/e2e/lib.sh"

for t in python3 xmllint; do
  command -v $t >/dev/null || skip "$t missing (apt-get install -y python3 libxml2-utils)"
done
T=$BV_TMP
GEN="$BV_SRC/test/bench/gen_models.py"
san=1
if ldd "$BEAMVIZ" 2>/dev/null | grep -q 'libasan'; then san=4; fi

# peak_mb OUTVAR cmd...: runs cmd (stdin /dev/null unless redirected by the caller's
# sh -c), sets OUTVAR to its peak RSS in MB and $PEAK_RC to its exit code
peak_mb() {
  local var=$1
  shift
  python3 - "$T/.peak" "$@" <<'EOF'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1] + ".err", "w"))
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write("%d %d\n" % (kb // 1024, rc))
EOF
  read -r "${var?}" PEAK_RC <"$T/.peak"
}

python3 "$GEN" trace 20000 "$T/t20k.json"   # about 2.8 MB
python3 "$GEN" tree 2000 "$T/links.json" 4000

# --- the size cap -----------------------------------------------------------------
expect_exit 3 "t20k.json: larger than 1 MiB, the limit for a model file (raise it with --max-input MB)" \
  "$T/o.mmd" -- "$BEAMVIZ" render "$T/t20k.json" --max-input 1 -o "$T/o.mmd"
check "--max-input 3 reads it" "$BEAMVIZ" render "$T/t20k.json" --max-input 3 -o "$T/o.mmd"
check "the default cap reads it" "$BEAMVIZ" render "$T/t20k.json" -o "$T/o2.mmd"
cmp -s "$T/o.mmd" "$T/o2.mmd" || fail "--max-input changed the output"
for bad in 0 4096 abc -1; do
  expect_exit 2 "--max-input" "$T/o3.mmd" -- "$BEAMVIZ" render "$T/t20k.json" --max-input "$bad" -o "$T/o3.mmd"
done
# no size to trust: a device, a pipe, a FIFO
peak_mb mb "$BEAMVIZ" render /dev/zero --max-input 8 -o "$T/z.mmd"
[ "$PEAK_RC" = 3 ] || fail "/dev/zero --max-input 8: exit $PEAK_RC: $(cat "$T/.peak.err")"
grep -q "/dev/zero: larger than 8 MiB, the limit for a model file" "$T/.peak.err" ||
  fail "/dev/zero: $(cat "$T/.peak.err")"
[ "$mb" -lt $((64 * san)) ] || fail "/dev/zero --max-input 8 took $mb MB"
[ ! -e "$T/z.mmd" ] || fail "/dev/zero left an output file"
expect_exit 3 "larger than 1 MiB" "$T/p.mmd" -- sh -c \
  "head -c 3000000 /dev/zero | '$BEAMVIZ' render /dev/stdin --max-input 1 -o '$T/p.mmd'"
mkfifo "$T/fifo"
(head -c 2000000 /dev/zero >"$T/fifo" 2>/dev/null &)
expect_exit 3 "fifo: larger than 1 MiB" "$T/f.mmd" -- "$BEAMVIZ" render "$T/fifo" --max-input 1 -o "$T/f.mmd"
# the default cap holds for /dev/zero too (256 MiB read, then refused)
peak_mb mb "$BEAMVIZ" render /dev/zero -o "$T/z.mmd"
[ "$PEAK_RC" = 3 ] || fail "/dev/zero: exit $PEAK_RC: $(cat "$T/.peak.err")"
grep -q "larger than 256 MiB, the limit for a model file (raise it with --max-input MB)" "$T/.peak.err" ||
  fail "/dev/zero: $(cat "$T/.peak.err")"
[ "$mb" -lt $((700 * san)) ] || fail "/dev/zero with the default cap took $mb MB"

# --- memory in proportion to the file ----------------------------------------------
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
head = '{"format":"beamviz.procs","version":1,"node":"n@h","total":0,"skipped":0,"procs":['
n = (20 * 1000 * 1000 - len(head)) // 2
with open(t + "/zeros.json", "w") as f:
    f.write(head + "0," * n + "0]}\n")
EOF
peak_mb mb "$BEAMVIZ" render "$T/zeros.json" -o "$T/zeros.csv"
[ "$PEAK_RC" = 3 ] || fail "zeros.json: exit $PEAK_RC: $(cat "$T/.peak.err")"
grep -q "zeros.json: not a beamviz model file (too many JSON values for a file of" "$T/.peak.err" ||
  fail "zeros.json: $(cat "$T/.peak.err")"
[ "$mb" -lt $((200 * san)) ] || fail "a 20 MB array of zeros took $mb MB before it was refused (cJSON: 805 MB)"

# --- nested arrays in every element: rendered (counted linear in unit.test_jsonin) ---
check "trace with serials" "$BEAMVIZ" render "$T/t20k.json" -o "$T/t20k.svg"
xmllint --noout "$T/t20k.svg" || fail "t20k.svg is not well-formed"
check "tree with links" "$BEAMVIZ" render "$T/links.json" -o "$T/links.mmd"
check "tree with links json" "$BEAMVIZ" render "$T/links.json" -o "$T/links2.json"
cmp -s "$T/links.json" "$T/links2.json" || fail "the tree with links does not round-trip byte for byte"

# --- a large SVG: bounded memory, one document --------------------------------------
python3 "$GEN" tree 50000 "$T/tree50k.json"
peak_mb mb "$BEAMVIZ" render "$T/tree50k.json" --max-children 0 -o "$T/tree50k.svg"
[ "$PEAK_RC" = 0 ] || fail "tree50k.svg: exit $PEAK_RC: $(cat "$T/.peak.err")"
[ "$mb" -lt $((250 * san)) ] || fail "a 50,000-child tree as SVG took $mb MB"
xmllint --noout --huge "$T/tree50k.svg" || fail "tree50k.svg is not well-formed"
[ "$(grep -c '^</svg>' "$T/tree50k.svg")" = 1 ] || fail "tree50k.svg: not exactly one </svg>"
[ "$(grep -c '<g id="surface' "$T/tree50k.svg")" -gt 1 ] || fail "tree50k.svg was not drawn in pieces"
dups=$(grep -o 'id="glyph[^"]*"' "$T/tree50k.svg" | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "tree50k.svg: duplicate glyph ids: $dups"
pass
