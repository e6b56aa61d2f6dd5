# procs_window.sh: beamviz procs --window MS on a real node: a process busy
# now but idle for most of its life comes first, one that was busy long ago
# and idles now does not; a process born in the window is marked born, one that
# exits in it gone (each once); CSV columns, the model file's round trip
# (render gives the same CSV), the Vega-Lite (checked by Vega), the text
# table; bad values of --window; the node keeps its process count.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node N
C=$BV_COOKIE
bv() { "$BEAMVIZ" --node "$N" --cookie "$C" "$@"; }

# bv_old_busy: busy for 2 s (many reductions), idle since.
check "old busy" erl_eval "$N" '
  Spin = fun Spin(Until) -> case erlang:monotonic_time(millisecond) < Until of
                               true -> lists:sum(lists:seq(1, 100000)), Spin(Until);
                               false -> ok end end,
  P = spawn(fun() -> Spin(erlang:monotonic_time(millisecond) + 2000),
                     receive stop -> ok end end),
  register(bv_old_busy, P), ok.'
sleep 3
target_baseline "$N"
BASE=${BV_BASE_COUNT[$N]}

# arm: a fresh bv_now_busy (idle until beamviz connects, then busy for 3 s), a
# process that exits 400 ms after beamviz connects (gone; its pid printed) and
# one spawned then (bv_born, lives 3 s). A watcher waits for beamviz's hidden
# node (none first, then one) to trigger them, so the window holds them.
arm() {
  local out
  out=$(erl_eval "$N" '
  Spin = fun Spin(Until) -> case erlang:monotonic_time(millisecond) < Until of
                               true -> lists:sum(lists:seq(1, 100000)), Spin(Until);
                               false -> ok end end,
  case whereis(bv_now_busy) of undefined -> ok; Old -> unregister(bv_now_busy), Old ! stop end,
  Now = spawn(fun() -> receive {spin, U} -> Spin(U), receive stop -> ok end;
                               stop -> ok end end),
  true = register(bv_now_busy, Now),
  Gone = spawn(fun() -> receive stop -> ok end end),
  IsBv = fun() -> [X || X <- nodes(hidden), lists:prefix("beamviz_", atom_to_list(X))] end,
  spawn(fun() ->
    W = fun W(Want, K) when K > 0 ->
              case (IsBv() =/= []) =:= Want of
                true -> ok;
                false -> receive after 5 -> W(Want, K - 1) end
              end;
            W(_, _) -> timeout end,
    W(false, 4000), W(true, 4000),
    Now ! {spin, erlang:monotonic_time(millisecond) + 3000},
    receive after 400 -> ok end,
    Gone ! stop,
    spawn(fun() -> register(bv_born, self()), receive after 3000 -> ok end end)
  end),
  pid_to_list(Gone).') || return 1
  printf '%s\n' "$out" | tr -d '"'
}

# --- one windowed snapshot: CSV, its model, born and gone ---------------------
GONE=$(arm) || fail "arm"
check "procs --window 1000 -> csv" bv procs --window 1000 -o "$T/w.csv" --save "$T/w.json"
python3 - "$T/w.csv" "$GONE" <<'EOF' || fail "windowed CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
gone_pid = sys.argv[2]
head = open(sys.argv[1]).readline().strip().split(",")
assert head[-7:] == ["reductions0", "memory0", "message_queue_len0", "reductions_per_sec",
                     "memory_change", "message_queue_len_change", "window"], head
pids = [r["pid"] for r in rows]
assert len(pids) == len(set(pids)), "a pid appears twice"
by = {r["name"]: r for r in rows if r["name"]}
now, old = by["bv_now_busy"], by["bv_old_busy"]
# the formerly busy one made more reductions in its life, the busy one more now
assert int(old["reductions"]) > int(now["reductions"]), (old, now)
assert float(now["reductions_per_sec"]) > 1000 * max(1.0, float(old["reductions_per_sec"])), (old, now)
assert now["window"] == "both" and old["window"] == "both"
# idle in the window: the reduction the first reading cost it is not counted
assert float(old["reductions_per_sec"]) == 0, old
# rate = change over the window (about 1 s)
d = int(now["reductions"]) - int(now["reductions0"])
assert 0.5 * d < float(now["reductions_per_sec"]) < 1.5 * d, now
born = by["bv_born"]
assert born["window"] == "born", born
assert born["reductions0"] == "0" and born["memory_change"] == born["memory"], born
g = [r for r in rows if r["pid"] == gone_pid]
assert len(g) == 1, ("gone row", gone_pid, g)
g = g[0]
assert g["window"] == "gone" and g["reductions_per_sec"] == "0" and g["memory_change"] == "0", g
assert g["reductions"] == g["reductions0"], g
# gone rows come last
ws = [r["window"] for r in rows]
assert min(i for i, w in enumerate(ws) if w == "gone") > max(i for i, w in enumerate(ws) if w != "gone"), ws
assert all(w in ("both", "born", "gone") for w in ws)
EOF
python3 - "$T/w.json" <<'EOF' || fail "windowed model file"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["window_ms"] == 1000 and m["window_measured_us"] >= 1000000, m["window_measured_us"]
for p in m["procs"]:
    assert p["window"] in ("both", "born", "gone") and "reductions0" in p and "memory0" in p
EOF

# render of the saved model gives the same CSV
check "render window model -> csv" "$BEAMVIZ" render "$T/w.json" -o "$T/w2.csv"
cmp -s "$T/w.csv" "$T/w2.csv" || fail "render of the saved window model gives another CSV"
# --top 5 of the saved model: busiest now first (the default --by)
check "render --top 5" "$BEAMVIZ" render "$T/w.json" --top 5 -o "$T/top.csv"
python3 - "$T/top.csv" <<'EOF' || fail "render --top 5: bv_now_busy first, bv_old_busy absent"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 5 and rows[0]["name"] == "bv_now_busy", [r["name"] for r in rows]
assert "bv_old_busy" not in [r["name"] for r in rows]
rates = [float(r["reductions_per_sec"]) for r in rows]
assert rates == sorted(rates, reverse=True)
EOF
# the Vega-Lite: x is reductions per second, the tooltip has the window fields
check "render window -> vl" "$BEAMVIZ" render "$T/w.json" -o "$T/w.vl.json"
check "render window -> vl, color window" "$BEAMVIZ" render "$T/w.json" --color window --by memory_change --top 10 -o "$T/w-c.vl.json"
# --top over a window: bars of the busiest now
check "render window --top 5 -> bars vl" "$BEAMVIZ" render "$T/w.json" --top 5 -o "$T/bars.vl.json"
check "render window --top 5 -> bars pdf" "$BEAMVIZ" render "$T/w.json" --top 5 -o "$T/bars.pdf"
vl_check "$T/w.vl.json" "$T/w-c.vl.json" "$T/bars.vl.json"
python3 - "$T/bars.vl.json" <<'EOF' || fail "window bars: bv_now_busy first, by reductions_per_sec"
import json, sys
s = json.load(open(sys.argv[1]))
d = s["data"]["values"]
assert [l["mark"]["type"] for l in s["layer"]] == ["bar", "text"]
assert len(d) == 5 and d[0]["who"] == "bv_now_busy", [x["who"] for x in d]
assert "bv_old_busy" not in [x["who"] for x in d]
assert s["encoding"]["x"]["title"] == "reductions_per_sec"
assert [x["bar"] for x in d] == [x["reductions_per_sec"] for x in d], d
assert d[0]["reductions_per_sec"] > 1000 and d[0]["window"] == "both", d[0]
assert "busiest" in s["title"]["text"], s["title"]["text"]
EOF
if command -v pdftotext >/dev/null; then
  pdftotext "$T/bars.pdf" - | grep -q "bv_now_busy" || fail "window bars: the picture does not name bv_now_busy"
fi
python3 - "$T/w.vl.json" <<'EOF' || fail "windowed Vega-Lite"
import json, sys
s = json.dumps(json.load(open(sys.argv[1])))
assert "reductions_per_sec (log)" in s, "x title"
for f in ("reductions_per_sec", "memory_change", "message_queue_len_change", '"window"'):
    assert f in s, f
EOF
# a plain model refuses the window fields
check "plain snapshot" bv procs -o "$T/plain.json"
expect_exit 2 "needs a snapshot taken over a window" "$T/o.csv" -- "$BEAMVIZ" render "$T/plain.json" --top 3 --by reductions_per_sec -o "$T/o.csv"
python3 - "$T/plain.json" <<'EOF' || fail "plain model file has no window keys"
import json, sys
m = json.load(open(sys.argv[1]))
assert "window_ms" not in m and all("window" not in p and "reductions0" not in p for p in m["procs"])
EOF

# --- live --top 5 as text: busy now first, the formerly busy one not there -----
sleep 4
arm >/dev/null || fail "arm 2"
bv procs --window 1000 --top 5 --format text >"$T/top.txt" || fail "procs --window --top 5 text"
sed -n 3p "$T/top.txt" | grep -q "bv_now_busy" || fail "text: bv_now_busy is not first: $(cat "$T/top.txt")"
grep -q "bv_old_busy" "$T/top.txt" && fail "text: bv_old_busy in the top 5: $(cat "$T/top.txt")"
head -n 1 "$T/top.txt" | grep -q "sorted by reductions_per_sec" || fail "text: not sorted by reductions_per_sec"
head -n 2 "$T/top.txt" | tail -n 1 | grep -q "REDS/S.*MEM_CHANGE" || fail "text: no window columns"
# a live Vega-Lite with a window
sleep 4
check "procs --window -> vl" bv procs --window 200 -o "$T/live.vl.json"
vl_check "$T/live.vl.json"
grep -q '"reductions_per_sec (log)"' "$T/live.vl.json" || fail "live Vega-Lite x is not reductions_per_sec"

# --- bad input -------------------------------------------------------------------
O=$T/bad.csv
expect_exit 2 "--window: 0 is out of range (1..600000)" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --window 0 -o "$O"
expect_exit 2 "--window: 'abc' is not a number" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --window abc -o "$O"
expect_exit 2 "--by: 'reductions_per_sec' needs --window MS" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --top 3 --by reductions_per_sec -o "$O"
expect_exit 2 "--color: 'window' needs --window MS" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --color window -o "$O"
expect_exit 2 "--x and --y: both are 'reductions_per_sec'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --window 100 --y reductions_per_sec -o "$O"
expect_exit 2 "--x and --y: both are 'reductions'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --y reductions -o "$O"
expect_exit 2 "--x: 'memory_change' is not one of" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --window 100 --x memory_change -o "$O"

# --- beamviz killed mid-window: its processes on the target end at once, not
# when the window would have ended
# the processes armed for the text run end first (bv_born lives 3 s; the watcher
# and a gone process may end late under the sanitizers), then the baseline
for _ in $(seq 50); do
  [ "$(bv__erl_call "$N" 'whereis(bv_born).')" = undefined ] && break
  sleep 0.2
done
target_baseline "$N"
kb=${BV_BASE_COUNT[$N]}
"$BEAMVIZ" --node "$N" --cookie "$C" procs --window 60000 -o "$T/killed.csv" 2>/dev/null &
KP=$!
sleep 2
[ "$(bv__erl_call "$N" "$BV__COUNT_EXPR")" -gt "$kb" ] || fail "killed mid-window: no collector on the target 2 s into a 60 s window"
kill -9 "$KP"
wait "$KP" 2>/dev/null || true
target_settled "$N" "killed mid-window (the window was 60 s)" 8
[ ! -e "$T/killed.csv" ] || fail "killed mid-window: an output file was left"

# --- the node is left as it was ----------------------------------------------------
erl_eval "$N" 'bv_now_busy ! stop, bv_old_busy ! stop, ok.' >/dev/null
sleep 4
BV_BASE_COUNT[$N]=$((BASE - 1))
target_settled "$N" "process count after procs --window" 15
[ -z "$(erl_eval "$N" '[X || X <- [bv_now_busy, bv_old_busy, bv_born], whereis(X) =/= undefined].' | tr -d '[]')" ] ||
  fail "test processes left on the node"
pass
