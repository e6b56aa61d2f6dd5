# procs_identity.sh: every process named the way its users know it, in procs:
# labels ('$process_label'), the real initial call of tasks (Elixir 1.15+
# tasks are not started through proc_lib), the identity rule (registered name,
# else label, else the module of the initial call, with the pid) in the
# Vega-Lite tooltip/legend and the image legend, never null/undefined; one
# syntax per node: Elixir pids and calls in CSV/Vega-Lite/images, the model
# file in the machine form read back by render. Erlang node, Debian's Elixir
# (labels put in the dictionary directly) and a newer Elixir when there is one.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP

# check_out NAME LANG: the outputs of one node (T/NAME.*) against what its
# setup made (T/NAME.want: JSON {"labels": {...}, "tasks": [...]})
check_out() {
  python3 - "$T" "$1" "$2" <<'EOF' || fail "$1: outputs (see above)"
import csv, json, re, sys
t, name, lang = sys.argv[1:4]
ex = lang == "elixir"
want = json.load(open("%s/%s.want" % (t, name)))
d = json.load(open("%s/%s.json" % (t, name)))
assert d["elixir"] is ex, d["elixir"]
procs = d["procs"]
# the model file: one machine form (<0.1.0>, mod:fun/arity) whatever the node
assert all(re.fullmatch(r"<\d+\.\d+\.\d+>", p["pid"]) for p in procs), procs[:3]
assert all("label" in p for p in procs)
bypid = {p["pid"]: p for p in procs}
for pid, label in want["labels"].items():
    assert bypid[pid]["label"] == label, (pid, bypid[pid], label)
nolabel = [p for p in procs if p["pid"] not in want["labels"] and p["label"] is not None]
assert not nolabel, nolabel[:3]
for pid, ic in want.get("calls", {}).items():
    assert bypid[pid]["initial_call"] == ic, (pid, bypid[pid], ic)
    assert not bypid[pid]["initial_call"].startswith(("Task.Supervised:", "proc_lib:init_p")), bypid[pid]

def shown_pid(p):
    return "#PID" + p if ex else p

# CSV: the node's syntax
rows = list(csv.DictReader(open("%s/%s.csv" % (t, name), newline="")))
assert list(rows[0].keys())[-1] == "label", rows[0].keys()
bycsv = {r["pid"]: r for r in rows}
for pid, label in want["labels"].items():
    assert bycsv[shown_pid(pid)]["label"] == label, bycsv.get(shown_pid(pid))
for pid, ic in want.get("calls_shown", {}).items():
    assert bycsv[shown_pid(pid)]["initial_call"] == ic, (bycsv[shown_pid(pid)], ic)
if ex:
    assert all(r["pid"].startswith("#PID<") for r in rows), rows[:2]
    calls = [r[k] for r in rows for k in ("initial_call", "current_function") if r[k]]
    assert all(re.fullmatch(r"(:[a-z_0-9]+|[A-Z][\w.]*)\.\S+/\d+", c) for c in calls), \
        [c for c in calls if not re.fullmatch(r"(:[a-z_0-9]+|[A-Z][\w.]*)\.\S+/\d+", c)][:5]
else:
    assert all(r["pid"].startswith("<0.") for r in rows), rows[:2]
# render from the saved model writes the same CSV syntax
assert open("%s/%s.render.csv" % (t, name)).read().splitlines()[0] == \
    open("%s/%s.csv" % (t, name)).read().splitlines()[0]
rr = {r["pid"]: r for r in csv.DictReader(open("%s/%s.render.csv" % (t, name), newline=""))}
for pid in want["labels"]:
    a, b = rr[shown_pid(pid)], bycsv[shown_pid(pid)]
    assert [a[k] for k in ("name", "initial_call", "label")] == \
        [b[k] for k in ("name", "initial_call", "label")], (a, b)

# Vega-Lite coloured by name: the identity ("who") in every row, tooltip and legend
raw = open("%s/%s.name.vl.json" % (t, name)).read()
v = json.loads(raw)
e = v["encoding"]
assert e["color"]["field"] == "who" and e["color"]["title"] == "name", e["color"]
assert [x["field"] for x in e["tooltip"]][:2] == ["who", "pid"], e["tooltip"]
assert "label" in [x["field"] for x in e["tooltip"]], e["tooltip"]
vals = v["data"]["values"]
assert all(isinstance(p.get("who"), str) and p["who"] for p in vals)
for p in vals:
    assert "null" not in p["who"] and "undefined" not in p["who"], p
    assert p["pid"].startswith("#PID<" if ex else "<0."), p
    if p.get("name"):
        assert p["who"] == p["name"], p
    elif p.get("label"):
        assert p["who"] == "%s %s" % (p["label"], p["pid"]), p
    else:
        assert p["who"].endswith(" " + p["pid"]) or p["who"] == p["pid"], p
for pid, who in want["whos"].items():
    hit = [p for p in vals if p["pid"] == shown_pid(pid)]
    assert hit and hit[0]["who"] == who, (pid, hit, who)
assert "labelExpr" not in e["color"]["legend"], e["color"]["legend"]
lv = e["color"]["legend"].get("values")
if lv:
    listed = json.loads(lv["expr"])
    assert None not in listed, listed[:5]
# the image legend: the same identity texts, never null/undefined
svg = open("%s/%s.name.svg" % (t, name)).read()
texts = re.findall(r">([^<>]+)</text>", svg)
assert not any(x in ("null", "undefined") for x in texts), texts
EOF
}

# run NAME NODE: every output of node NODE into T/NAME.*
run_outputs() {
  local n=$1 node=$2 c=${BV_COOKIES[$2]}
  bv() { "$BEAMVIZ" --node "$node" --cookie "$c" "$@"; }
  check "$n: json + save" bv procs -o "$T/$n.json" --save "$T/$n.saved.json"
  check "$n: csv" bv procs -o "$T/$n.csv"
  check "$n: vl --color name" bv procs --color name -o "$T/$n.name.vl.json"
  vl_check "$T/$n.name.vl.json"
  check "$n: vl --color label" bv procs --color label -o "$T/$n.label.vl.json"
  vl_check "$T/$n.label.vl.json"
  check "$n: svg --color name" bv procs --color name -o "$T/$n.name.svg"
  check "$n: png --color name" bv procs --color name -o "$T/$n.name.png"
  check "$n: render csv" "$BEAMVIZ" render "$T/$n.saved.json" -o "$T/$n.render.csv"
  check "$n: render vl" "$BEAMVIZ" render "$T/$n.saved.json" --color name -o "$T/$n.render.vl.json"
  vl_check "$T/$n.render.vl.json"
  python3 - "$T/$n.render.vl.json" "$T/$n.label.vl.json" <<'EOF' || fail "$n: render/label vl"
import json, sys
r = json.load(open(sys.argv[1]))
assert all(p["who"] for p in r["data"]["values"])
l = json.load(open(sys.argv[2]))
e = l["encoding"]["color"]
assert e["field"] == "label", e
# an absent label is "(none)" in the legend, never null/undefined
assert "'(none)'" in e["legend"].get("labelExpr", ""), e["legend"]
EOF
}

# --- an Erlang node: labels put in the dictionary (OTP 27+ proc_lib:set_label) --
start_node N
# (the value is a binary written as it is)
W=$(bv__erl_call "$N" '
  Wait = fun() -> receive stop -> ok end end,
  A = proc_lib:spawn(fun() -> put('"'"'$process_label'"'"', <<"erl job">>), Wait() end),
  B = proc_lib:spawn(fun() -> put('"'"'$process_label'"'"', my_worker), Wait() end),
  C = proc_lib:spawn(fun() -> put('"'"'$process_label'"'"', {pool, 3}), Wait() end),
  {ok, G} = gen_event:start(),
  register(bv_named, proc_lib:spawn(fun() -> put('"'"'$process_label'"'"', <<"hidden by name">>), Wait() end)),
  Named = whereis(bv_named),
  S = fun(P) -> list_to_binary(pid_to_list(P)) end,
  iolist_to_binary(["{\"labels\": {\"", S(A), "\": \"erl job\", \"", S(B), "\": \"my_worker\", \"",
                    S(C), "\": \"{pool,3}\", \"", S(Named), "\": \"hidden by name\"},",
                    " \"calls\": {\"", S(G), "\": \"gen_event:init_it/6\"},",
                    " \"calls_shown\": {\"", S(G), "\": \"gen_event:init_it/6\"},",
                    " \"whos\": {\"", S(A), "\": \"erl job ", S(A), "\", \"", S(Named), "\": \"bv_named\", \"",
                    S(G), "\": \"gen_event ", S(G), "\"}}"]).' 'BvV__')
printf '%s\n' "$W" >"$T/erl.want"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/erl.want" || fail "erl setup: $W"
run_outputs erl "$N"
check_out erl erlang

# --- Debian's Elixir: the label put directly (Process.set_label is 1.17+) ----------
start_node E elixir
W=$(ex_eval "$E" '
  wait = fn -> receive do :stop -> :ok end end
  {:ok, a} = Agent.start(fn -> Process.put(:"$process_label", "queue 1"); 0 end)
  {:ok, b} = Agent.start(fn -> Process.put(:"$process_label", Bv.Label); 0 end)
  {:ok, c} = Agent.start(fn -> Process.put(:"$process_label", :worker); 0 end)
  {:ok, t} = Task.start(fn -> Process.put(:"$process_label", "task 1"); wait.() end)
  {:ok, g} = Agent.start(fn -> 0 end, name: Bv.Named)
  {:ok, u} = Agent.start(Kernel, :+, [1, 2])
  s = fn p -> p |> :erlang.pid_to_list() |> List.to_string() end
  e = fn p -> "#PID" <> s.(p) end
  ~s({"labels": {"#{s.(a)}": "queue 1", "#{s.(b)}": "Bv.Label", "#{s.(c)}": ":worker", "#{s.(t)}": "task 1"},) <>
  ~s( "calls": {"#{s.(u)}": "Kernel:+/2"}, "calls_shown": {"#{s.(u)}": "Kernel.+/2"},) <>
  ~s( "whos": {"#{s.(a)}": "queue 1 #{e.(a)}", "#{s.(g)}": "Bv.Named", "#{s.(u)}": "Kernel #{e.(u)}"}})
')
printf '%s\n' "$W" >"$T/ex.want"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/ex.want" || fail "elixir setup: $W"
run_outputs ex "$E"
check_out ex elixir

# --- a newer Elixir (1.17+: Process.set_label; 1.15+: tasks not via proc_lib) -------
if [ -z "$(new_elixir_home)" ]; then
  echo "SKIP the Elixir 1.15+/1.17+ checks: no newer Elixir (BV_ELIXIR_HOME / BV_ELIXIR_TARBALL)"
else
  start_node X elixir-new
  W=$(ex_eval "$X" '
    defmodule BvTest.Job do
      def run do
        Process.set_label("job one")
        receive do :stop -> :ok end
      end
      def quiet, do: (receive do :stop -> :ok end)
    end
    {:ok, t} = Task.start(&BvTest.Job.run/0)
    {:ok, q} = Task.start(&BvTest.Job.quiet/0)
    {:ok, sup} = Task.Supervisor.start_link()
    Process.unlink(sup)
    {:ok, st} = Task.Supervisor.start_child(sup, &BvTest.Job.quiet/0)
    {:ok, g} = Agent.start(fn -> Process.set_label({:pool, 3}); 0 end)
    {:ok, n} = Agent.start(fn -> Process.set_label(:ignored_by_name); 0 end, name: Bv.Named)
    Process.sleep(200)
    s = fn p -> p |> :erlang.pid_to_list() |> List.to_string() end
    e = fn p -> "#PID" <> s.(p) end
    ~s({"labels": {"#{s.(t)}": "job one", "#{s.(g)}": "{:pool, 3}", "#{s.(n)}": ":ignored_by_name"},) <>
    ~s( "calls": {"#{s.(t)}": "BvTest.Job:run/0", "#{s.(q)}": "BvTest.Job:quiet/0", "#{s.(st)}": "BvTest.Job:quiet/0"},) <>
    ~s( "calls_shown": {"#{s.(t)}": "BvTest.Job.run/0", "#{s.(st)}": "BvTest.Job.quiet/0"},) <>
    ~s( "whos": {"#{s.(t)}": "job one #{e.(t)}", "#{s.(q)}": "BvTest.Job #{e.(q)}", "#{s.(n)}": "Bv.Named"}})
  ')
  printf '%s\n' "$W" >"$T/new.want"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/new.want" || fail "new elixir setup: $W"
  run_outputs new "$X"
  check_out new elixir
fi

# --- labels of any size: a 3,000,000-element list and a 4 MB binary are cut on the
# target (no message grows with them); the snapshot still works
start_node B
check "big labels" erl_eval "$B" "
  Me = self(),
  proc_lib:spawn(fun() -> put('\$process_label', lists:seq(1, 3000000)), Me ! set, receive after infinity -> ok end end),
  proc_lib:spawn(fun() -> put('\$process_label', binary:copy(<<\"ab\">>, 2000000)), Me ! set, receive after infinity -> ok end end),
  [receive set -> ok after 20000 -> exit(not_set) end || _ <- [1, 2]], ok."
check "procs with big labels" "$BEAMVIZ" --node "$B" --cookie "$(node_cookie "$B")" procs --format csv -o "$T/big.csv"
grep -q ',(a label too large to show)' "$T/big.csv" || fail "big labels: the large term is not replaced: $(grep -c . "$T/big.csv") rows"
grep -q ',ababab[ab]*\.\.\.' "$T/big.csv" || fail "big labels: the long binary is not cut"
[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/big.csv")" -lt 400 ] || fail "big labels: a CSV row is too long"
pass
