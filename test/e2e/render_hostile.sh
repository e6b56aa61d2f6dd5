# render_hostile.sh: model files whose strings carry control characters, invalid
# UTF-8 and XML's non-characters (U+FFFE, U+FFFF), in the document title (a tree's
# "title", a trace's "code", the node name of a chart) and in every drawn label. Every
# image format must come out: SVG well-formed XML (xmllint), PDF and PNG with exit 0,
# the PDF's title readable. Also the regression inputs of the render fuzz target
# (test/fuzz/corpus/render/) through the real binary.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

for t in xmllint pdfinfo python3; do
  command -v $t >/dev/null || skip "$t missing (apt-get install -y libxml2-utils poppler-utils python3)"
done
T=$BV_TMP

# Strings: C0 controls (raw bytes via \u escapes, as a JSON writer would put them),
# DEL and C1, U+FFFE/U+FFFF, and invalid UTF-8 bytes (raw in the file).
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
BAD = b'\\u0001\\u0008\\u000b\\u001f\\u007f\xc2\x85\xef\xbf\xbe\xef\xbf\xbf\xff\xfe\xc3(\xe2\x82'
def s(x):
    return b'"' + x + b'"'
def bad(prefix):
    return s(prefix.encode() + b' ' + BAD + b' end')
def w(name, parts):
    open(t + "/" + name, "wb").write(b"".join(parts))
w("tree.json", [
    b'{"format":"beamviz.suptree","version":1,"node":', bad("n@h"),
    b',"otp_release":"25","elixir":false,"title":', bad("app"), b',"mode":"app","walk_ms":1,\n"nodes":[',
    b'\n{"kind":"root","parent":-1,"pid":"<0.80.0>","name":', bad("root"), b'}',
    b',\n{"kind":"supervisor","parent":0,"pid":"<0.81.0>","child_id":', bad("sup"), b'}',
    b',\n{"kind":"worker","parent":0,"pid":', bad("<0.82.0>"), b',"module":', bad("m"), b'}',
    b',\n{"kind":"worker","parent":1,"pid":"<0.83.0>","name":', bad("x" * 300), b'}',
    b'],\n"links":[[2,3]]}\n'])
w("trace.json", [
    b'{"format":"beamviz.seqtrace","version":1,"node":', bad("n@h"),
    b',"otp_release":"25","elixir":false,"mode":"eval","code":', bad("code"),
    b',"result":', bad("res"), b',"stop_reason":"done","dropped":0,\n"participants":[',
    b'\n{"pid":"<0.90.0>","name":', bad("p0"), b',"spawned":false,"system":false,"exit_reason":null},',
    b'\n{"pid":', bad("<0.91.0>"), b',"name":null,"spawned":true,"system":false,"exit_reason":', bad("r"), b'}],',
    b'\n"events":[',
    b'\n{"kind":"spawn","from":0,"to":1,"label":', bad("SPAWN"), b',"text":', bad("t"),
    b',"serial":[0,1],"ts_us":1,"reply_to":null},',
    b'\n{"kind":"call","from":0,"to":1,"label":', bad("CALL: " + "y" * 300), b',"text":', bad("t"),
    b',"serial":[1,2],"ts_us":2,"reply_to":null},',
    b'\n{"kind":"reply","from":1,"to":0,"label":', bad("REPLY"), b',"text":', bad("t"),
    b',"serial":[2,3],"ts_us":3,"reply_to":1}\n]}\n'])
w("procs.json", [
    b'{"format":"beamviz.procs","version":1,"node":', bad("n@h"),
    b',"otp_release":"25","elixir":false,"total":2,"skipped":0,"procs":[',
    b'\n{"pid":"<0.1.0>","name":', bad("nm"), b',"reductions":10,"memory":2000,"status":', bad("st"),
    b',"message_queue_len":0,"current_function":', bad("cf"), b',"initial_call":', bad("ic"), b'},',
    b'\n{"pid":"<0.2.0>","name":null,"reductions":0,"memory":3000,"status":"waiting",'
    b'"message_queue_len":1,"current_function":null,"initial_call":null}]}\n'])
w("memory.json", [
    b'{"format":"beamviz.memory","version":1,"node":', bad("n@h"),
    b',"otp_release":"25","interval_ms":10,"samples":[',
    b'\n{"iter":1,"t_ms":0,"total":100,"processes":10,"atom":1,"binary":1,"code":1,"ets":1,"system":1},',
    b'\n{"iter":2,"t_ms":10,"total":120,"processes":12,"atom":1,"binary":1,"code":1,"ets":1,"system":1}]}\n'])
EOF

for m in tree trace procs memory; do
  check "$m.json svg" "$BEAMVIZ" render "$T/$m.json" -o "$T/$m.svg"
  xmllint --noout "$T/$m.svg" 2>"$T/$m.xmllint" ||
    fail "$m.svg is not well-formed XML: $(head -c 600 "$T/$m.xmllint")"
  grep -q '<title>' "$T/$m.svg" || fail "$m.svg has no <title>"
  check "$m.json pdf" "$BEAMVIZ" render "$T/$m.json" -o "$T/$m.pdf"
  pdfinfo "$T/$m.pdf" >"$T/$m.pdfinfo" 2>&1 || fail "$m.pdf: pdfinfo: $(head -c 600 "$T/$m.pdfinfo")"
  grep -q '^Title:' "$T/$m.pdfinfo" || fail "$m.pdf has no title: $(cat "$T/$m.pdfinfo")"
  check "$m.json png" "$BEAMVIZ" render "$T/$m.json" -o "$T/$m.png"
done
# the document title keeps its readable parts, the bad ones replaced
grep -q '<title>supervision tree: app ' "$T/tree.svg" || fail "tree.svg title lost: $(grep -m1 -o '<title>[^<]*' "$T/tree.svg")"
grep -q '^Title: *message sequence: code ' "$T/trace.pdfinfo" || fail "trace.pdf title: $(grep Title "$T/trace.pdfinfo")"
# shortened labels keep their full (cleaned) text in a hover <title>, well-formed too
[ "$(grep -c 'fill-opacity="0"' "$T/tree.svg")" -ge 1 ] || fail "tree.svg: no hover box for the long label"

# the text outputs of the same files are written too (Mermaid passes invalid UTF-8
# through as it is: not checked by Mermaid's parser here)
for m in tree trace; do
  check "$m mmd" "$BEAMVIZ" render "$T/$m.json" -o "$T/$m.mmd"
done
check "procs vl" "$BEAMVIZ" render "$T/procs.json" -o "$T/procs.vl.json"
check "memory csv" "$BEAMVIZ" render "$T/memory.json" -o "$T/memory.csv"

# the render fuzz corpus's model files, through the real binary: each either renders
# (SVG well-formed) or fails with one line and exit 3
for f in "$BV_SRC"/test/fuzz/corpus/render/*; do
  b=$(basename "$f")
  # the corpus files start with one option byte (see fuzz_render.c): drop it
  tail -c +2 "$f" >"$T/fz-$b.json"
  "$BEAMVIZ" render "$T/fz-$b.json" -o "$T/fz-$b.svg" >/dev/null 2>"$T/fz-$b.err"
  rc=$?
  case $rc in
    0) xmllint --noout --huge "$T/fz-$b.svg" 2>/dev/null || fail "corpus $b: SVG not well-formed" ;;
    3) [ "$(wc -l <"$T/fz-$b.err")" = 1 ] || fail "corpus $b: exit 3 without one line: $(cat "$T/fz-$b.err")" ;;
    *) fail "corpus $b: exit $rc: $(head -c 400 "$T/fz-$b.err")" ;;
  esac
done
pass
