# render_procs.sh: beamviz render of saved procs and memory models without a
# node: same bytes as the live outputs, every format and option, and bad
# model files (exit 3 naming the file and where it went wrong).
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node N
C=$BV_COOKIE
check "procs live" "$BEAMVIZ" --node "$N" --cookie "$C" procs -o "$T/live.vl.json" --save "$T/p.json"
check "procs live csv" "$BEAMVIZ" --node "$N" --cookie "$C" procs --x memory --y reductions \
  --color initial_call -o "$T/live-xy.vl.json" --save "$T/p2.json"
check "memory live" "$BEAMVIZ" --node "$N" --cookie "$C" memory --samples 3 --interval 30 \
  -o "$T/live-m.vl.json" --save "$T/m.json"

R() { "$BEAMVIZ" render "$@"; }
# the same model gives the same bytes, live or rendered later
check "render procs vl" R "$T/p.json" -o "$T/r.vl.json"
cmp -s "$T/live.vl.json" "$T/r.vl.json" || fail "render differs from the live Vega-Lite output"
check "render procs options" R "$T/p2.json" --x memory --y reductions --color initial_call -o "$T/r-xy.vl.json"
cmp -s "$T/live-xy.vl.json" "$T/r-xy.vl.json" || fail "render with --x/--y/--color differs from live"
check "render procs json" R "$T/p.json" -o "$T/r.json"
cmp -s "$T/p.json" "$T/r.json" || fail "procs JSON does not round-trip byte for byte"
check "render memory vl" R "$T/m.json" -o "$T/r-m.vl.json"
cmp -s "$T/live-m.vl.json" "$T/r-m.vl.json" || fail "memory render differs from live"
check "render memory json" R "$T/m.json" -o "$T/r-m.json"
cmp -s "$T/m.json" "$T/r-m.json" || fail "memory JSON does not round-trip byte for byte"
check "render memory csv" R "$T/m.json" -o "$T/r-m.csv"
check "render procs csv top" R "$T/p.json" --top 4 --by memory -o "$T/r-top.csv"
check "render procs stdout" sh -c "'$BEAMVIZ' render '$T/p.json' --format csv -o - >'$T/r-stdout.csv'"
check "render procs svg" R "$T/p.json" -o "$T/r.svg"
check "render memory png" R "$T/m.json" -o "$T/r-m.png"
vl_check "$T/r.vl.json" "$T/r-xy.vl.json" "$T/r-m.vl.json"
python3 - "$T" <<'EOF' || fail "rendered outputs"
import csv, sys
t = sys.argv[1]
rows = list(csv.DictReader(open(t + "/r-top.csv", newline="")))
mem = [int(r["memory"]) for r in rows]
assert len(rows) == 4 and mem == sorted(mem, reverse=True), mem
assert open(t + "/r-stdout.csv").readline().startswith("pid,name,")
assert open(t + "/r.svg", "rb").read(200).lstrip().startswith(b"<")
assert open(t + "/r-m.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
m = list(csv.DictReader(open(t + "/r-m.csv", newline="")))
assert [r["iter"] for r in m] == ["1", "2", "3"]
EOF

# zeros on a log axis: drawn at 1 and counted, real value in the data
cat >"$T/zero.json" <<'EOF'
{"format":"beamviz.procs","version":1,"node":"z@127.0.0.1","otp_release":"25","elixir":false,
 "total":3,"skipped":0,"procs":[
 {"pid":"<0.1.0>","name":"a","reductions":0,"memory":2000,"status":"waiting","message_queue_len":0,"current_function":"m:f/1","initial_call":null},
 {"pid":"<0.2.0>","name":null,"reductions":100,"memory":3000,"status":"running","message_queue_len":5,"current_function":"m:g/1","initial_call":"m:i/0"},
 {"pid":"<0.3.0>","name":"b","reductions":10,"memory":300,"status":"runnable","message_queue_len":0,"current_function":null,"initial_call":"m:i/0"}]}
EOF
check "render zeros" R "$T/zero.json" -o "$T/zero.vl.json"
vl_check "$T/zero.vl.json"
grep -q '1 point with reductions or memory = 0 drawn at 1' "$T/zero.vl.json" || fail "zero subtitle"
check "render zeros y=queue" R "$T/zero.json" --y message_queue_len -o "$T/zero-q.vl.json"
vl_check "$T/zero-q.vl.json"
# a queue length mostly 0 gets a symlog axis: its zeros are drawn at 0, only
# the reductions' zero goes to the log floor
grep -q '1 point with reductions = 0 drawn at 1' "$T/zero-q.vl.json" || fail "zero subtitle (queue)"
grep -q '"type": "symlog"' "$T/zero-q.vl.json" || fail "symlog queue axis"

# bad model files: exit 3, the file and the place named, no output left
O=$T/out.vl.json
printf 'not json at all' >"$T/garbage.json"
expect_exit 3 "garbage.json: not valid JSON (line 1, column 1)" "$O" -- "$BEAMVIZ" render "$T/garbage.json" -o "$O"
: >"$T/empty.json"
expect_exit 3 "empty.json: empty file" "$O" -- "$BEAMVIZ" render "$T/empty.json" -o "$O"
printf '{"format":"beamviz.nope","version":1}' >"$T/kind.json"
expect_exit 3 "kind.json: format 'beamviz.nope' is not a beamviz model file" "$O" -- "$BEAMVIZ" render "$T/kind.json" -o "$O"
sed 's/"version":1/"version":9/' "$T/p.json" >"$T/newer.json"
expect_exit 3 "newer.json: version 9 of beamviz.procs is newer than this beamviz reads" "$O" -- "$BEAMVIZ" render "$T/newer.json" -o "$O"
sed '3s/"memory":[0-9]*/"memory":"big"/' "$T/p.json" >"$T/types.json"
expect_exit 3 "types.json: procs[1].memory: expected a number" "$O" -- "$BEAMVIZ" render "$T/types.json" -o "$O"
sed '2s/"status":"[a-z_]*",//' "$T/p.json" >"$T/missing.json"
expect_exit 3 "missing.json: procs[0].status: missing" "$O" -- "$BEAMVIZ" render "$T/missing.json" -o "$O"
sed 's/"interval_ms":30/"interval_ms":-30/' "$T/m.json" >"$T/mneg.json"
expect_exit 3 "mneg.json: interval_ms: expected a non-negative integer" "$O" -- "$BEAMVIZ" render "$T/mneg.json" -o "$O"
head -c 300 "$T/p.json" >"$T/cut.json"
expect_exit 3 "cut.json: not valid JSON" "$O" -- "$BEAMVIZ" render "$T/cut.json" -o "$O"
expect_exit 4 "cannot read $T/absent.json" "$O" -- "$BEAMVIZ" render "$T/absent.json" -o "$O"
expect_exit 2 "render needs exactly one model file" "$O" -- "$BEAMVIZ" render -o "$O"
expect_exit 2 "--x: 'name' is not one of" "$O" -- "$BEAMVIZ" render "$T/p.json" --x name -o "$O"
expect_exit 2 "--top: 0 is out of range" "$O" -- "$BEAMVIZ" render "$T/p.json" --top 0 -o "$O"
expect_exit 2 "cannot write mermaid output" "$T/o.mmd" -- "$BEAMVIZ" render "$T/m.json" -o "$T/o.mmd"
expect_exit 2 "--save does not apply to render" "$O" -- "$BEAMVIZ" render "$T/m.json" --save "$T/x.json" -o "$O"
pass
