# memory.sh: beamviz memory against a real erl node and an elixir node:
# Vega-Lite line chart (seconds since the first sample; small kinds in a
# lower panel), the image and render of saved models (1 and 2 samples, no
# times), JSON, CSV, stdout, progress only on a terminal, bad input; the
# sampler ends on its own.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node N
C=$BV_COOKIE
bv() { "$BEAMVIZ" --node "$N" --cookie "$C" "$@"; }
sleep 1
BASE=$(proc_count "$N")

bv memory --samples 4 --interval 100 -o "$T/m.vl.json" --save "$T/m.json" 2>"$T/m.err" ||
  fail "memory: $(cat "$T/m.err")"
[ ! -s "$T/m.err" ] || fail "progress printed while stderr is not a terminal: $(cat "$T/m.err")"
vl_check "$T/m.vl.json"
check "memory -> csv" bv memory --samples 2 --interval 10 -o "$T/m.csv"
check "memory -> json on stdout" sh -c "'$BEAMVIZ' --node '$N' --cookie '$C' memory --samples 1 --format json -o - >'$T/stdout.json'"
python3 - "$T" <<'EOF' || fail "memory outputs"
import csv, json, sys
t = sys.argv[1]
d = json.load(open(t + "/m.json"))
assert d["format"] == "beamviz.memory" and d["version"] == 1 and d["interval_ms"] == 100
s = d["samples"]
assert [x["iter"] for x in s] == [1, 2, 3, 4], s
kinds = ["total", "processes", "atom", "binary", "code", "ets", "system"]
for x in s:
    assert all(isinstance(x[k], int) and x[k] > 0 for k in kinds), x
    assert x["total"] >= x["processes"] + x["system"] - 1, x
# the target's own schedule: sample i is taken at (i-1)*100 ms, never early
ts = [x["t_ms"] for x in s]
assert all(i * 100 - 1 <= t <= i * 100 + 300 for i, t in enumerate(ts)), ts
v = json.load(open(t + "/m.vl.json"))
assert v["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
assert v["transform"][0]["fold"] == kinds[:6], v["transform"]
vals = v["data"]["values"]
assert len(vals) == 4
# MB = bytes / 10^6; x: seconds since the first sample, from t_ms
assert abs(vals[0]["total"] - s[0]["total"] / 1e6) < 1e-9, (vals[0], s[0])
secs = [(x["t_ms"] - s[0]["t_ms"]) / 1000 for x in s]
assert [x["seconds"] for x in vals] == secs and [x["iter"] for x in vals] == [1, 2, 3, 4], vals
# panels: total and the kinds whose max is at least 10% of total's on top,
# the smaller ones below on their own scale; each kind in one panel
tmax = max(x["total"] for x in s)
small = [k for k in kinds[1:6] if max(x[k] for x in s) * 100 < tmax * 10]
panels = v["vconcat"]
want = [[k for k in kinds[:6] if k not in small]] + ([small] if small else [])
got = [p["transform"][0]["filter"]["oneOf"] for p in panels]
assert got == want, (got, want)
for i, p in enumerate(panels):
    last = i == len(panels) - 1
    assert p["mark"]["type"] == "line"
    x = p["encoding"]["x"]
    assert x["field"] == "seconds" and x["title"] == ("seconds since the first sample" if last else None), x
    assert x["axis"]["labels"] == last
    # the x axis spans the samples: ticks from 0 by one step, none past the last sample
    assert x["scale"]["domain"] == [0, secs[-1]], x["scale"]
    ticks = x["axis"]["values"]
    assert ticks[0] == 0 and ticks[-1] <= secs[-1] and len(ticks) >= 2, ticks
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1, ticks
    c = p["encoding"]["color"]
    assert c["field"] == "kind" and c["scale"]["domain"] == kinds[:6], c
    tips = [tt["field"] for tt in p["encoding"]["tooltip"]]
    assert tips == ["iter", "seconds", "kind", "mb"], tips
sub = v["title"]["subtitle"]
if small:
    assert sub[1].endswith("below 10%% of total, drawn below on %s own scale"
                           % ("its" if len(small) == 1 else "their")), sub
rows = list(csv.DictReader(open(t + "/m.csv", newline="")))
assert [r["iter"] for r in rows] == ["1", "2"] and list(rows[0].keys())[:3] == ["iter", "t_ms", "total"]
assert json.load(open(t + "/stdout.json"))["samples"][0]["iter"] == 1
EOF

# render of the saved model: the same chart; the image within a docs page
check "render saved memory -> vl" "$BEAMVIZ" render "$T/m.json" -o "$T/mr.vl.json"
cmp -s "$T/m.vl.json" "$T/mr.vl.json" || fail "render of the saved memory model gives another spec"
check "memory -> png" bv memory --samples 6 --interval 50 -o "$T/live.png" --save "$T/live.json"
check "render saved memory -> png" "$BEAMVIZ" render "$T/live.json" -o "$T/liver.png"
cmp -s "$T/live.png" "$T/liver.png" || fail "render of the saved memory model draws another image"
read -r pw ph < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[12:16]==b'IHDR'; print(*struct.unpack('>II', d[16:24]))" "$T/live.png")
[ "$pw" -le 1000 ] && [ "$ph" -le 1000 ] || fail "memory png at default size is ${pw}x$ph"
# one and two samples still draw (a point; a segment), in both formats
for n in 1 2; do
  check "memory --samples $n" bv memory --samples $n --interval 100 -o "$T/n$n.vl.json" --save "$T/n$n.json"
  vl_check "$T/n$n.vl.json"
  for ext in png svg; do
    check "render $n sample(s) -> $ext" "$BEAMVIZ" render "$T/n$n.json" -o "$T/n$n.$ext"
  done
  ! grep -qi "nan" "$T/n$n.svg" || fail "NaN in the $n-sample svg"
done
# a file written before the time axis, or by hand, without t_ms: drawn at the
# interval and said so
python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/m.json"))
for x in d["samples"]:
    del x["t_ms"]
json.dump(d, open(t + "/old.json", "w"))
EOF
check "render a model without times -> vl" "$BEAMVIZ" render "$T/old.json" -o "$T/old.vl.json"
check "render a model without times -> png" "$BEAMVIZ" render "$T/old.json" -o "$T/old.png"
vl_check "$T/mr.vl.json" "$T/old.vl.json"
python3 - "$T" <<'EOF' || fail "a model without times"
import json, sys
v = json.load(open(sys.argv[1] + "/old.vl.json"))
assert [x["seconds"] for x in v["data"]["values"]] == [0, 0.1, 0.2, 0.3], v["data"]["values"]
assert "no sample times in the file: drawn at the interval" in v["title"]["subtitle"], v["title"]
EOF

# progress: one updating line on a terminal (script gives the command a pty)
if script -qec "true" /dev/null >/dev/null 2>&1; then
  script -qec "'$BEAMVIZ' --node '$N' --cookie '$C' memory --samples 3 --interval 20 -o '$T/tty.json'" \
    "$T/tty.log" >/dev/null 2>&1 || fail "memory on a terminal: $(cat "$T/tty.log")"
  grep -q "sample 3/3" "$T/tty.log" || fail "no progress on a terminal: $(cat -v "$T/tty.log")"
  [ -s "$T/tty.json" ] || fail "memory on a terminal wrote no file"
fi

# bad input: exit 2, one line, no output file
O=$T/bad.vl.json
expect_exit 2 "--samples: 0 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --samples 0 -o "$O"
expect_exit 2 "--samples: 'many' is not a number" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --samples many -o "$O"
expect_exit 2 "--samples: '-3' is not a number" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --samples -3 -o "$O"
expect_exit 2 "--interval: 0 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --interval 0 -o "$O"
expect_exit 2 "--interval: 3600001 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --interval 3600001 -o "$O"
expect_exit 2 "--interval: '1s' is not a number" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --interval 1s -o "$O"
expect_exit 2 "cannot write mermaid output" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --format mermaid -o "$O"
expect_exit 2 "--save: '$T/s.vl.json' must be a FILE.json" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --save "$T/s.vl.json" -o "$O"
expect_exit 2 "unknown option '--top'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory --top 3 -o "$O"
expect_exit 2 "memory takes no arguments" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" memory 5 -o "$O"
# beamviz killed mid-sampling: the sampler on the target notices and stops
"$BEAMVIZ" --node "$N" --cookie "$C" memory --samples 1000 --interval 100 -o "$T/killed.json" &
BVPID=$!
sleep 1
kill -KILL "$BVPID"
wait "$BVPID" 2>/dev/null
sleep 0.5
[ ! -e "$T/killed.json" ] || fail "a killed memory run left its output"
for ((i = 0; i < 40; i++)); do
  [ "$(proc_count "$N")" = "$BASE" ] && break
  sleep 0.25
done
[ "$(proc_count "$N")" = "$BASE" ] || fail "process count changed: $BASE before, $(proc_count "$N") after"

# a text table: one sample a line, seconds from the first sample, MB
bv memory --samples 3 --interval 200 --format text -o - --save "$T/mt.json" >"$T/mt.txt" ||
  fail "memory --format text"
check "render saved memory -> .txt" "$BEAMVIZ" render "$T/mt.json" -o "$T/mtr.txt"
python3 - "$T" <<'EOF' || fail "memory text"
import json, sys
t = sys.argv[1]
lines = open(t + "/mt.txt").read().split("\n")
assert lines[-1] == "" and len(lines) == 1 + 1 + 3 + 1, lines
lines = lines[:-1]
assert lines[0].startswith("Memory of ") and "3 samples every 200 ms" in lines[0], lines[0]
head = lines[1].split()
assert head == ["seconds", "total", "processes", "atom", "binary", "code", "ets", "system"], head
assert len({len(l) for l in lines[1:]}) == 1, "not aligned"
d = json.load(open(t + "/mt.json"))
s = d["samples"]
t0 = s[0]["t_ms"]
for l, smp in zip(lines[2:], s):
    v = l.split()
    assert abs(float(v[0]) - (smp["t_ms"] - t0) / 1000) < 1e-9, (v[0], smp)
    assert abs(float(v[1]) - smp["total"] / 1e6) <= 0.005 + 1e-9, (v[1], smp)
secs = [float(l.split()[0]) for l in lines[2:]]
assert secs[0] == 0 and secs[1] >= 0.15 and secs[2] > secs[1], secs
assert open(t + "/mtr.txt").read() == open(t + "/mt.txt").read(), "render differs"
EOF

# an Elixir node
start_node E elixir
check "memory on elixir" "$BEAMVIZ" --node "$E" --cookie "$BV_COOKIE" memory --samples 2 --interval 50 -o "$T/ex.vl.json"
vl_check "$T/ex.vl.json"
pass
