# procs.sh: beamviz procs against a real erl node and an elixir node: every
# output format, -o -, --top/--by, chart fields, proc_lib translation, Elixir
# names, processes dying while read, a deadline that trips, bad input; the
# target keeps its process count and loads nothing.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node N
C=$BV_COOKIE
bv() { "$BEAMVIZ" --node "$N" --cookie "$C" "$@"; }
# same_count NODE COUNT: the node's process count settles back to COUNT (the
# connections of earlier erl_call and beamviz runs take a moment to go away), by
# target_settled's rule; the node's baseline is kept for the later checks
same_count() {
  local c=${BV_BASE_COUNT[$1]:-} r=${BV_BASE_REG[$1]:-}
  BV_BASE_COUNT[$1]=$2
  BV_BASE_REG[$1]=$(bv__registered "$1")
  target_settled "$1" "process count of $1"
  BV_BASE_COUNT[$1]=$c
  BV_BASE_REG[$1]=$r
}

# A registered process with an Elixir-style name, and one with a long queue.
check "setup" erl_eval "$N" '
  W = spawn(fun() -> receive stop -> ok end end), register('"'"'Elixir.Bv.Worker'"'"', W),
  Q = spawn(fun() -> receive stop -> ok end end), register(bv_queue, Q),
  [Q ! {hello, I} || I <- lists:seq(1, 250)], ok.'
sleep 1
BASE=$(proc_count "$N")
target_baseline "$N"
MODS=$(erl_eval "$N" 'length(code:all_loaded()).')

# --- Vega-Lite (the default format), JSON, CSV --------------------------------
check "procs -> .vl.json" bv procs -o "$T/p.vl.json" --save "$T/saved.json"
vl_check "$T/p.vl.json"
check "procs -> .json" bv procs -o "$T/p.json"
check "procs -> .csv" bv procs -o "$T/p.csv"
# a chart that does not show initial_call does not read it (nor proc_lib
# dictionaries); one coloured by it reads and translates it
check "procs -> plain .vl.json" bv procs -o "$T/plain.vl.json"
check "procs --color initial_call" bv procs --color initial_call -o "$T/ic.vl.json"
vl_check "$T/ic.vl.json"
python3 - "$T" "$BASE" <<'EOF' || fail "procs outputs: see above"
import csv, json, sys
t, base = sys.argv[1], int(sys.argv[2])
d = json.load(open(t + "/p.json"))
assert d["format"] == "beamviz.procs" and d["version"] == 1, d["format"]
assert d["elixir"] is False and d["otp_release"], d
procs = d["procs"]
# every process but beamviz's own short-lived evaluator
assert abs(len(procs) - base) <= 3, (len(procs), base)
assert d["total"] >= len(procs) and d["skipped"] == d["total"] - len(procs), d["total"]
keys = ["pid", "name", "reductions", "memory", "status", "message_queue_len",
        "current_function", "initial_call", "label"]
for p in procs:
    assert list(p.keys()) == keys, p
    assert p["pid"].startswith("<0.") and p["pid"].endswith(">"), p
    assert isinstance(p["memory"], int) and p["memory"] > 0, p
    assert p["status"] in ("waiting", "running", "runnable", "garbage_collecting",
                           "suspended", "exiting"), p
by = {p["name"]: p for p in procs if p["name"]}
assert "Bv.Worker" in by, sorted(by)          # Elixir. stripped
assert by["bv_queue"]["message_queue_len"] == 250, by["bv_queue"]
assert by["init"]["pid"] == "<0.0.0>"
# proc_lib translated: kernel_sup is a supervisor started through proc_lib,
# {supervisor, kernel, 1} in its dictionary: kernel:init/1
assert by["kernel_sup"]["initial_call"] == "kernel:init/1", by["kernel_sup"]
assert by["code_server"]["current_function"].startswith("code_server:"), by["code_server"]
assert all(p["initial_call"] != "proc_lib:init_p/5" for p in by.values())
# CSV: same processes, RFC 4180 (CRLF)
raw = open(t + "/p.csv", newline="").read()
assert raw.startswith("pid,name,reductions,memory,status,message_queue_len,"
                      "current_function,initial_call,label\r\n"), raw[:100]
rows = list(csv.DictReader(open(t + "/p.csv", newline="")))
assert abs(len(rows) - len(procs)) <= 3
assert any(r["name"] == "Bv.Worker" for r in rows)
# Vega-Lite: the notebook's scatter
v = json.load(open(t + "/p.vl.json"))
assert v["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
assert v["width"] == 600 and v["height"] == 400
e = v["encoding"]
# log axes on the data's extent (zeros at 1, the log floor), not rounded out to decades
vals = v["data"]["values"]
for ax, f in (("x", "reductions"), ("y", "memory")):
    xs = [max(p[f], 1) for p in vals]
    assert e[ax]["scale"] == {"type": "log", "domain": [min(xs), max(xs)], "nice": False}, e[ax]["scale"]
    # every decade inside it has a tick and a label
    ticks, lab = e[ax]["axis"]["values"], e[ax]["axis"]["labelExpr"]
    d = 1
    while d <= max(xs):
        if d >= min(xs):
            assert d in ticks and ("%d" % d) in lab, (ax, d, ticks, lab)
        d *= 10
assert e["color"]["field"] == "status"
tips = [x["field"] for x in e["tooltip"]]
for f in ("pid", "name", "current_function", "message_queue_len"):
    assert f in tips, tips
assert abs(len(v["data"]["values"]) - base) <= 3
plain = json.load(open(t + "/plain.vl.json"))["data"]["values"]
assert abs(len(plain) - base) <= 3 and not any("initial_call" in p for p in plain), plain[:3]
ic = {p.get("name"): p for p in json.load(open(t + "/ic.vl.json"))["data"]["values"]}
assert ic["kernel_sup"]["initial_call"] == "kernel:init/1", ic["kernel_sup"]
assert all("initial_call" in p for p in ic.values())
# the saved model is the same kind of file
s = json.load(open(t + "/saved.json"))
assert s["format"] == "beamviz.procs" and len(s["procs"]) > 10
EOF

# --- stdout ----------------------------------------------------------------------
bv procs -o - >"$T/stdout.vl.json" 2>"$T/stdout.err" || fail "procs -o -: $(cat "$T/stdout.err")"
[ ! -s "$T/stdout.err" ] || fail "procs -o - wrote to stderr: $(cat "$T/stdout.err")"
vl_check "$T/stdout.vl.json"
bv procs --format csv -o - >"$T/stdout.csv" || fail "procs --format csv -o -"
head -n 1 "$T/stdout.csv" | grep -q '^pid,name,' || fail "csv on stdout: $(head -n 2 "$T/stdout.csv")"
bv procs --format json >"$T/stdout.json" || fail "procs --format json (stdout by default)"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["format"] == "beamviz.procs"' \
  "$T/stdout.json" || fail "json on stdout"

# --- --top/--by and chart fields ---------------------------------------------------
check "top by queue" bv procs --top 1 --by message_queue_len -o "$T/top1.json"
check "top by memory" bv procs --top 5 --by memory -o "$T/top5.csv"
check "top by reductions" bv procs --top 7 -o "$T/top7.vl.json"
vl_check "$T/top7.vl.json"
python3 - "$T" <<'EOF' || fail "top outputs"
import csv, json, sys
t = sys.argv[1]
d = json.load(open(t + "/top1.json"))
assert len(d["procs"]) == 1 and d["procs"][0]["name"] == "bv_queue", d["procs"]
rows = list(csv.DictReader(open(t + "/top5.csv", newline="")))
mem = [int(r["memory"]) for r in rows]
assert len(rows) == 5 and mem == sorted(mem, reverse=True), mem
v = json.load(open(t + "/top7.vl.json"))
reds = [x["reductions"] for x in v["data"]["values"]]
assert len(reds) == 7 and reds == sorted(reds, reverse=True), reds
assert any(s.startswith("7 of ") for s in v["title"]["subtitle"]), v["title"]
EOF
# --- text tables: the top N like observer_cli's top view (default 20) ---------------
bv procs --format text -o - >"$T/top20.txt" || fail "procs --format text"
bv procs --top 4 --by message_queue_len --format text -o - --save "$T/top4.json" >"$T/top4.txt" ||
  fail "procs --top 4 --format text"
check "procs -> .txt" bv procs --by memory -o "$T/topmem.txt"
check "render saved -> .txt" "$BEAMVIZ" render "$T/top4.json" --top 4 --by message_queue_len -o "$T/top4r.txt"
python3 - "$T" <<'EOF' || fail "text tables"
import sys
t = sys.argv[1]
def table(name):
    raw = open(t + "/" + name, encoding="utf-8").read()
    assert raw.endswith("\n") and all(c >= " " for c in raw.replace("\n", "")), raw
    lines = raw.split("\n")[:-1]
    assert all(len(l) <= 120 for l in lines), [l for l in lines if len(l) > 120]
    head = lines[1].split()
    assert head == ["PID", "WHO", "REDUCTIONS", "MEMORY", "MSGQ", "STATUS", "CURRENT_FUNCTION"], head
    # numbers right-aligned: each number column ends where its header ends
    for h in ("REDUCTIONS", "MEMORY", "MSGQ"):
        end = lines[1].index(h) + len(h)
        for l in lines[2:]:
            assert l[end - 1].isdigit() and l[end] == " ", (h, l)
    return lines
l20 = table("top20.txt")
assert len(l20) == 1 + 1 + 20, len(l20)
assert "sorted by reductions" in l20[0] and ": 20 of " in l20[0], l20[0]
col = l20[1].index("REDUCTIONS") + len("REDUCTIONS")
reds = [int(l[:col].split()[-1]) for l in l20[2:]]
assert reds == sorted(reds, reverse=True), reds
l4 = table("top4.txt")
assert len(l4) == 1 + 1 + 4, l4
assert "sorted by message_queue_len (largest first)" in l4[0], l4[0]
assert l4[2].split()[1] == "bv_queue" and " 250 " in l4[2], l4[2]
lm = table("topmem.txt")
assert len(lm) == 22 and "sorted by memory" in lm[0], lm[0]
assert open(t + "/top4r.txt").read() == open(t + "/top4.txt").read(), "render differs"
EOF
# queue length on y: most processes have 0 (at most 1), so a symlog axis from 0
# draws them where they are: no zero marks, no note
check "x/y/color" bv procs --x memory --y message_queue_len --color current_function -o "$T/xy.vl.json"
vl_check "$T/xy.vl.json"
python3 - "$T/xy.vl.json" <<'EOF' || fail "xy.vl.json"
import json, sys
v = json.load(open(sys.argv[1]))
e = v["encoding"]
assert e["color"]["field"] == "current_function"
calc = {t["as"]: t["calculate"] for t in v["transform"]}
assert calc["x_plotted"] == "max(datum.memory, 1)", calc
assert calc["y_plotted"] == "max(datum.message_queue_len, 0)", calc
q = [p["message_queue_len"] for p in v["data"]["values"]]
assert sum(1 for x in q if x <= 1) * 2 >= len(q) and max(q) >= 250, q
assert e["y"]["scale"] == {"type": "symlog", "constant": 1, "domain": [min(q), max(q)], "nice": False}, e["y"]
assert e["y"]["title"] == "message_queue_len (symlog)"
assert 0 in e["y"]["axis"]["values"] and 100 in e["y"]["axis"]["values"]
assert not any(" = 0 drawn at 1" in s for s in v["title"]["subtitle"]), v["title"]
assert e["shape"] == {"value": "circle"}, e["shape"]
EOF

# --- processes that exit while being read are skipped, not errors ----------------
check "churn starts" erl_eval "$N" '
  C = spawn(fun() -> L = fun Loop(0) -> ok; Loop(K) -> spawn(fun() -> ok end),
                       receive stop -> ok after 0 -> Loop(K - 1) end end, L(2000000) end),
  register(bv_churn, C), ok.'
for i in 1 2 3; do
  check "procs under churn" bv procs -o "$T/churn$i.json"
done
check "churn stops" erl_eval "$N" 'bv_churn ! stop, ok.'
python3 - "$T" <<'EOF' || fail "churn outputs"
import json, sys
for i in (1, 2, 3):
    d = json.load(open("%s/churn%d.json" % (sys.argv[1], i)))
    assert d["skipped"] == d["total"] - len(d["procs"]), (d["total"], d["skipped"])
EOF

# --- a deadline that trips: exit 8, no file, workers end on their own -----------
check "many processes" erl_eval "$N" '
  H = spawn(fun() -> Ps = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, 60000)],
                     receive stop -> [P ! stop || P <- Ps] end end),
  register(bv_many, H), ok.'
MANY=$(proc_count "$N")
# one worker: at least ~1 us a process anywhere, so 60,000 take longer than 40 ms
expect_exit 8 "$N" "$T/late.json" -- "$BEAMVIZ" --node "$N" --cookie "$C" --timeout 40 procs --workers 1 -o "$T/late.json"
same_count "$N" "$MANY"
check "big snapshot" bv procs -o "$T/many.vl.json" --top 100
check "many stop" erl_eval "$N" 'bv_many ! stop, ok.'

# --- bad input: exit 2, one line, no output file ---------------------------------
O=$T/bad.vl.json
expect_exit 2 "--top: 0 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --top 0 -o "$O"
expect_exit 2 "--top: 'ten' is not a number" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --top ten -o "$O"
expect_exit 2 "--by: 'heap' is not one of reductions|memory|message_queue_len" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --top 3 --by heap -o "$O"
expect_exit 2 "--by: needs --top" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --by memory -o "$O"
# the main output fails after collection: the --save model file must not be left either
expect_exit 4 "cannot write $T/no-such-dir/x.csv" "$T/saved-too.json" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --save "$T/saved-too.json" -o "$T/no-such-dir/x.csv"
# -o may come before the command, as a global option
check "-o before the command" "$BEAMVIZ" --node "$N" --cookie "$C" -o "$T/early.csv" procs
[ -s "$T/early.csv" ] || fail "-o before the command: no output"
expect_exit 2 "--x: 'status' is not one of" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --x status -o "$O"
expect_exit 2 "--y: 'pid' is not one of" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --y pid -o "$O"
expect_exit 2 "--color: 'memory' is not one of status|name|label|current_function|initial_call" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --color memory -o "$O"
expect_exit 2 "--x and --y: both are 'memory'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --x memory -o "$O"
expect_exit 2 "cannot write mermaid output" "$T/bad.mmd" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs -o "$T/bad.mmd"
expect_exit 2 "unknown extension '.xyz'" "$T/bad.xyz" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs -o "$T/bad.xyz"
expect_exit 2 "--format: unknown format 'svgz'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --format svgz -o "$O"
expect_exit 2 "--save: '$T/s.csv' must be a FILE.json" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --save "$T/s.csv" -o "$O"
[ ! -e "$T/s.csv" ] || fail "--save left s.csv"
expect_exit 2 "--workers: 0 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --workers 0 -o "$O"
expect_exit 2 "--chunk: 5 is out of range" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --chunk 5 -o "$O"
expect_exit 2 "procs takes no arguments" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs extra -o "$O"
expect_exit 2 "unknown option '--samples'" "$O" -- "$BEAMVIZ" --node "$N" --cookie "$C" procs --samples 3 -o "$O"
expect_exit 7 "cookie" "$O" -- "$BEAMVIZ" --node "$N" --cookie wrong procs -o "$O"

# --- the target is unchanged ----------------------------------------------------
target_settled "$N" "procs on $N"
[ "$(erl_eval "$N" 'length(code:all_loaded()).')" = "$MODS" ] || fail "modules were loaded on the target"

# --- an Elixir node ------------------------------------------------------------------
start_node E elixir
EC=$BV_COOKIE
# an Agent started with {M, F, A} records that MFA as its '$initial_call'
check "elixir agent" ex_eval "$E" '{:ok, _} = Agent.start(Kernel, :+, [1, 2], name: Bv.Counter); :ok'
sleep 1
target_baseline "$E"
check "procs on elixir -> json" "$BEAMVIZ" --node "$E" --cookie "$EC" procs -o "$T/ex.json"
"$BEAMVIZ" --node "$E" --cookie "$EC" procs --top 100000 --format text -o - >"$T/ex.txt" ||
  fail "procs on elixir -> text"
python3 - "$T/ex.txt" <<'EOF' || fail "elixir text table"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
n = int(lines[0].split(": ")[1].split(" of ")[0])
assert n > 20 and len(lines) == 1 + 1 + n, (n, len(lines))
rows = lines[2:]
assert all(l.startswith("#PID<0.") for l in rows), rows
assert any(" Bv.Counter " in l for l in rows), rows
assert not any("Elixir." in l for l in rows), [l for l in rows if "Elixir." in l]
assert any(":gen_server.loop/" in l for l in rows), rows
EOF
check "procs on elixir -> vl" "$BEAMVIZ" --node "$E" --cookie "$EC" procs -o "$T/ex.vl.json"
vl_check "$T/ex.vl.json"
python3 - "$T" <<'EOF' || fail "elixir outputs"
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/ex.json"))
assert d["elixir"] is True
by = {p["name"]: p for p in d["procs"] if p["name"]}
assert "Bv.Counter" in by, sorted(by)
assert by["Bv.Counter"]["initial_call"] == "Kernel:+/2", by["Bv.Counter"]
assert not any(n.startswith("Elixir.") for n in by)
v = json.load(open(t + "/ex.vl.json"))
assert all(p["pid"].startswith("#PID<0.") for p in v["data"]["values"])
EOF
target_settled "$E" "procs on $E"
pass
