# suptree_elixir.sh: beamviz suptree on an Elixir node: the notebook's Task+Agent
# supervisor (by #PID<...>), a named supervisor (Elixir. prefix), a Task.Supervisor
# (DynamicSupervisor) with children, --app logger and --app elixir, and apps.
# Pids are written #PID<...>; every Mermaid file parses; nothing is harmed.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

command -v elixir >/dev/null 2>&1 || skip "elixir is not installed"
# BV_ELIXIR_KIND=elixir-new: the same cases on the newer Elixir (the *_new.sh wrapper)
start_node T "${BV_ELIXIR_KIND:-elixir}"
C=$BV_COOKIE
BV="$BEAMVIZ --node $T --cookie $C"

# The notebook's supervisor (unlinked from the evaluating process so it stays up)
SUP=$(ex_eval "$T" '{:ok, sup} = Supervisor.start_link([
    {Task, fn -> Process.sleep(:infinity) end},
    {Agent, fn -> [] end}
  ], strategy: :one_for_one)
Process.unlink(sup)
inspect(sup)')
case "$SUP" in "#PID<"*) ;; *) fail "could not start the notebook's supervisor: $SUP" ;; esac
# A supervised GenServer linked to a GenServer and a Task outside the tree
# (external processes: their translated initial call, in Elixir syntax)
check "linked worker" ex_eval "$T" '
defmodule BvTest.Worker do
  use GenServer
  def start_link(a), do: GenServer.start_link(__MODULE__, a)
  def init(a), do: {:ok, a}
  def handle_call({:link, p}, _, s), do: {:reply, Process.link(p), s}
end
{:ok, s} = Supervisor.start_link([%{id: :bv_w, start: {BvTest.Worker, :start_link, [1]}}], strategy: :one_for_one, name: BvTest.LSup)
Process.unlink(s)
[{_, w, _, _}] = Supervisor.which_children(s)
{:ok, ext} = GenServer.start(BvTest.Worker, 2)
true = GenServer.call(w, {:link, ext})
{:ok, _} = Task.start(fn -> Process.link(w); Process.sleep(:infinity) end)
:ok'
check "named supervisor and Task.Supervisor" ex_eval "$T" '
{:ok, s} = Supervisor.start_link([{Task.Supervisor, name: BvTest.Tasks}], strategy: :one_for_one, name: BvTest.Sup)
Process.unlink(s)
for _ <- 1..3, do: Task.Supervisor.start_child(BvTest.Tasks, fn -> Process.sleep(:infinity) end)
:ok'
# Child ids that are no atom: a string, a map, a tuple with a binary and a
# keyword list (written as inspect/1 does); its first Agent linked to a
# supervisor outside the tree ({supervisor, Supervisor.Default, 1})
check "odd child ids" ex_eval "$T" '
{:ok, s} = Supervisor.start_link([
    %{id: "worker-1", start: {Agent, :start_link, [fn -> 1 end]}},
    %{id: %{k: 1}, start: {Agent, :start_link, [fn -> 2 end]}},
    %{id: {:a, "b", [x: 1]}, start: {Agent, :start_link, [fn -> 3 end]}},
    %{id: :cache, start: {Agent, :start_link, [fn -> 4 end]}}
  ], strategy: :one_for_one, name: BvTest.Ids)
Process.unlink(s)
{:ok, o} = Supervisor.start_link([], strategy: :one_for_one)
Process.unlink(o)
a = Enum.find_value(Supervisor.which_children(s), fn {id, p, _, _} -> id == "worker-1" && p end)
true = Agent.get(a, fn _ -> Process.link(o) end)
:ok'
PIDS=$(erl_eval "$T" "lists:sort([P || S <- ['Elixir.BvTest.Sup', 'Elixir.BvTest.Tasks'], {_, P, _, _} <- supervisor:which_children(S)]).")
target_baseline "$T"
settled() {
  target_settled "$T" "$1"
  [ "$(erl_eval "$T" "lists:sort([P || S <- ['Elixir.BvTest.Sup', 'Elixir.BvTest.Tasks'], {_, P, _, _} <- supervisor:which_children(S)]).")" = "$PIDS" ] ||
    fail "$1: supervised processes changed"
}

# --- the notebook's Task+Agent supervisor by its Elixir pid
check "--sup #PID" $BV suptree --sup "$SUP" -o "$BV_TMP/notebook.mmd" --save "$BV_TMP/notebook.json"
mmd_check "$BV_TMP/notebook.mmd"
settled "--sup #PID"
python3 - "$BV_TMP/notebook.json" <<'EOF' || fail "notebook tree wrong: $(cat "$BV_TMP/notebook.mmd")"
import json, sys
t = json.load(open(sys.argv[1]))
assert t["elixir"] is True
kids = [n for n in t["nodes"] if n["parent"] == 0]
assert [k.get("child_id") for k in kids] == ["Task", "Agent"], kids
assert all(k["kind"] == "worker" for k in kids)
EOF
grep -q 'Task #35;PID#60;0\.' "$BV_TMP/notebook.mmd" || fail "labels: Elixir pids not written #PID<...>: $(cat "$BV_TMP/notebook.mmd")"
grep -q 'Elixir' "$BV_TMP/notebook.mmd" && fail "Elixir. prefix not stripped"

# --- a named supervisor, by its Elixir name (no Elixir. prefix) and the full atom
for W in BvTest.Sup Elixir.BvTest.Sup; do
  check "--sup $W" $BV suptree --sup "$W" -o "$BV_TMP/named.mmd" --save "$BV_TMP/named.json"
  mmd_check "$BV_TMP/named.mmd"
done
python3 - "$BV_TMP/named.json" <<'EOF' || fail "named tree wrong"
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
assert n[0]["name"] == "BvTest.Sup", n[0]
assert n[1]["name"] == "BvTest.Tasks" and n[1]["kind"] == "supervisor", n[1]
tasks = [x for x in n if x["parent"] == 1]
assert len(tasks) == 3 and all(x["kind"] == "worker" for x in tasks), tasks
EOF
settled "--sup BvTest.Sup"

# --- processes linked from outside: translated initial calls, Elixir syntax;
# a worker refused with its initial call in Elixir syntax
check "--links" $BV suptree --sup BvTest.LSup --links --format text -o "$BV_TMP/links.txt"
grep -q ' BvTest.Worker.init/1 \[external\]$' "$BV_TMP/links.txt" ||
  fail "--links: the linked GenServer is not shown by its translated initial call: $(cat "$BV_TMP/links.txt")"
grep -q 'proc_lib' "$BV_TMP/links.txt" && fail "--links: proc_lib initial call shown: $(cat "$BV_TMP/links.txt")"
[ "$(grep -c '\[external\]$' "$BV_TMP/links.txt")" = 2 ] || fail "--links: want 2 external processes: $(cat "$BV_TMP/links.txt")"
W=$(ex_eval "$T" '[{_, w, _, _}] = Supervisor.which_children(BvTest.LSup); inspect(w)')
expect_exit 13 "its initial call is BvTest.Worker.init/1; its parent lists it as worker" "$BV_TMP/x.mmd" -- \
  $BV suptree --sup "$W" -o "$BV_TMP/x.mmd"
grep -q 'Elixir\.' "$EXPECT_STDERR" && fail "Elixir. prefix in the refusal: $(cat "$EXPECT_STDERR")"

# --- child ids in Elixir syntax, in the JSON and the text; the supervisor
# linked from outside by its callback module's init/1
check "--sup BvTest.Ids" $BV suptree --sup BvTest.Ids --links --format json -o "$BV_TMP/ids.json"
check "--sup BvTest.Ids text" $BV suptree --sup BvTest.Ids --links --format text -o "$BV_TMP/ids.txt"
python3 - "$BV_TMP/ids.json" <<'EOF' || fail "child ids not in Elixir syntax: $(cat "$BV_TMP/ids.txt")"
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
ids = [x.get("child_id") for x in n if x["parent"] == 0 and x["kind"] != "external"]
assert ids == ['"worker-1"', '%{k: 1}', '{:a, "b", [x: 1]}', ':cache'], ids
EOF
for id in '"worker-1"' '%{k: 1}' '{:a, "b", [x: 1]}' ':cache'; do
  grep -qF "$id" "$BV_TMP/ids.txt" || fail "text: no child id $id: $(cat "$BV_TMP/ids.txt")"
done
grep -qF '<<' "$BV_TMP/ids.txt" && fail "text: a binary in Erlang syntax: $(cat "$BV_TMP/ids.txt")"
grep -q ' Supervisor.Default.init/1 \[external\]$' "$BV_TMP/ids.txt" ||
  fail "--links: the linked supervisor is not shown by its callback's init/1: $(cat "$BV_TMP/ids.txt")"
grep -q ':supervisor' "$BV_TMP/ids.txt" && fail "--links: :supervisor initial call shown: $(cat "$BV_TMP/ids.txt")"

# --- applications
for A in logger elixir; do
  check "--app $A" $BV suptree --app "$A" -o "$BV_TMP/$A.mmd" --save "$BV_TMP/$A.json"
  mmd_check "$BV_TMP/$A.mmd"
  python3 - "$BV_TMP/$A.json" <<'EOF' || fail "--app $A: wrong chain"
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
assert n[0]["role"] == "application master" and n[1]["role"] == "application start helper"
assert n[2]["kind"] in ("supervisor", "worker"), n[2]
EOF
done
check "--app elixir md" $BV suptree --app elixir --format md -o "$BV_TMP/elixir.md"
settled "--app"
expect_exit 11 "running: " "$BV_TMP/x.mmd" -- $BV suptree --app Logger -o "$BV_TMP/x.mmd"
expect_exit 13 "not a supervisor" "$BV_TMP/x.mmd" -- $BV suptree --sup logger -o "$BV_TMP/x.mmd"
check "apps" $BV apps -o "$BV_TMP/apps.txt"
grep -q '^elixir ' "$BV_TMP/apps.txt" || fail "apps: no elixir row"
grep -q '^logger ' "$BV_TMP/apps.txt" || fail "apps: no logger row"
settled "apps"
pass
