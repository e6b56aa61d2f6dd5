# suptree_exapp.sh: beamviz suptree on a real Elixir application (test/e2e/ex/bv_exapp.ex:
# a Registry with 4 partitions and 20 processes registered in it, a DynamicSupervisor of
# 20, a Task.Supervisor with 4 tasks, a PartitionSupervisor of 4 DynamicSupervisors with
# 40 Agents, a Supervisor of 4 Supervisors of 60 workers; 322 processes). --app and --sup
# draw exactly the pids of the node's own walk (descend into every child whose spec says
# supervisor); every Mermaid file parses; the default PNG and SVG are no wider than 3
# times their height (README, --direction auto), as is a 24-child root with 16 workers
# under each child on an Erlang node; nothing on the target is harmed.
# Runs on the Elixir on PATH and again on a newer one when there is one
# (new_elixir_home in lib.sh: BV_ELIXIR_HOME, or the BV_ELIXIR_TARBALL build).
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

command -v elixir >/dev/null 2>&1 || skip "elixir is not installed"

# the node's own walk (BvExApp.own_walk/1, sub_walk/1), in the same order
node_pids() {
  ex_eval "$T" "$1" | tr ' ' '\n' | grep . | sort -t. -k2,2n -k3,3n | tr '\n' ' ' | sed -e 's/ $//'
}
same_pids() { # what json elixir-expr
  local got want
  got=$(tree_pids "$2")
  want=$(node_pids "$3")
  [ -n "$want" ] || fail "$1: the node's own walk is empty"
  [ "$got" = "$want" ] && return 0
  fail "$1 ($ELIXIR_VSN): beamviz's pids differ from the node's own walk:
  only beamviz: $(comm -23 <(tr ' ' '\n' <<<"$got" | sort) <(tr ' ' '\n' <<<"$want" | sort) | tr '\n' ' ')
  only node:    $(comm -13 <(tr ' ' '\n' <<<"$got" | sort) <(tr ' ' '\n' <<<"$want" | sort) | tr '\n' ' ')"
}
png_size() { python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[12:16]==b'IHDR'; print(*struct.unpack('>II', d[16:24]))" "$1"; }
svg_size() {
  python3 - "$1" <<'PYEOF'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r'<svg\b[^>]*>', s).group(0)
w = float(re.search(r'\bwidth="([0-9.]+)(pt|px)?"', m).group(1))
h = float(re.search(r'\bheight="([0-9.]+)(pt|px)?"', m).group(1))
vb = re.search(r'\bviewBox="([-0-9. ]+)"', m)
if vb:
    x, y, vw, vh = map(float, vb.group(1).split())
    assert abs(vw / vh - w / h) < 0.01, (w, h, vw, vh)
print(int(round(w)), int(round(h)))
PYEOF
}
# README, --direction auto: "keeps a tree no wider than about three times its height"
width_rule() { # what w h
  [ "$2" -le $((3 * $3)) ] || fail "$1 ($ELIXIR_VSN): ${2}x$3 is wider than 3 times its height (README's --direction auto)"
  echo "note: $1: ${2}x$3"
}

run_checks() {
  start_node T "$1"
  BV="$BEAMVIZ --node $T --cookie $BV_COOKIE"
  ELIXIR_VSN=$(ex_eval "$T" 'System.version()')
  local O="$BV_TMP/$ELIXIR_VSN"
  mkdir -p "$O"
  check "compile bv_exapp.ex" ex_eval "$T" "Code.compile_file(\"$BV_SRC/test/e2e/ex/bv_exapp.ex\"); :ok"
  local started
  started=$(ex_eval "$T" ':ok = :application.load({:application, :bv_exapp, [description: ~c"beamviz test app", vsn: ~c"0.1.0", modules: [BvExApp], registered: [], applications: [:kernel, :stdlib, :elixir], mod: {BvExApp, []}]})
Application.ensure_all_started(:bv_exapp)')
  [ "$started" = "{:ok, [:bv_exapp]}" ] || fail "bv_exapp did not start on $ELIXIR_VSN: $started"
  local n
  n=$(ex_eval "$T" 'BvExApp.own_walk(:bv_exapp) |> String.split(" ") |> length()')
  [ "$n" = 324 ] || fail "bv_exapp on $ELIXIR_VSN: expected 324 processes (322 and master, helper), the walk finds $n"
  # what the app supervises, for "unchanged" afterwards
  local kids
  kids=$(ex_eval "$T" 'BvExApp.own_walk(:bv_exapp)')
  target_baseline "$T"
  settled() {
    target_settled "$T" "$1"
    [ "$(ex_eval "$T" 'BvExApp.own_walk(:bv_exapp)')" = "$kids" ] ||
      fail "$1 ($ELIXIR_VSN): the application's supervised processes changed"
  }

  # --- the whole application, nothing folded: the node's own walk
  local J="$O/app.json"
  $BV suptree --app bv_exapp --max-children 0 --format json -o "$J" 2>"$O/app.err" ||
    fail "suptree --app bv_exapp --format json: exit $?: $(cat "$O/app.err")"
  [ ! -s "$O/app.err" ] || fail "--app bv_exapp json ($ELIXIR_VSN): unexpected stderr: $(cat "$O/app.err")"
  same_pids "--app bv_exapp" "$J" 'BvExApp.own_walk(:bv_exapp)'
  python3 - "$J" <<'PYEOF' || fail "--app bv_exapp ($ELIXIR_VSN): tree shape or labels wrong"
import json, sys
t = json.load(open(sys.argv[1]))
ns = t["nodes"]
assert t["elixir"] is True
assert ns[0]["role"] == "application master" and ns[1]["role"] == "application start helper", ns[:2]
byname = {n.get("name"): i for i, n in enumerate(ns) if n.get("name")}
top = byname["BvExApp.Supervisor"]
assert ns[top]["parent"] == 1 and ns[top]["kind"] == "supervisor", ns[top]
kids = lambda i: [n for n in ns if n["parent"] == i]
names = sorted(n.get("name") for n in kids(top))
assert names == ["BvExApp.Pools", "BvExApp.Registry", "BvExApp.Sessions", "BvExApp.Shards", "BvExApp.Tasks"], names
assert all(n["kind"] == "supervisor" for n in kids(top)), kids(top)
sizes = {ns[i]["name"]: len(kids(i)) for i in (byname[k] for k in names)}
assert sizes == {"BvExApp.Pools": 4, "BvExApp.Registry": 4, "BvExApp.Sessions": 20,
                 "BvExApp.Shards": 4, "BvExApp.Tasks": 4}, sizes
# Registry partitions: registered names, Elixir syntax, workers
parts = sorted(n.get("name") for n in kids(byname["BvExApp.Registry"]))
assert parts == ["BvExApp.Registry.PIDPartition%d" % i for i in range(4)], parts
# PartitionSupervisor: 4 DynamicSupervisors holding 40 agents in all
shards = [i for i, n in enumerate(ns) if n["parent"] == byname["BvExApp.Shards"]]
assert all(ns[i]["kind"] == "supervisor" for i in shards), [ns[i] for i in shards]
assert sum(len(kids(i)) for i in shards) == 40
pools = [i for i, n in enumerate(ns) if n["parent"] == byname["BvExApp.Pools"]]
assert [len(kids(i)) for i in pools] == [60] * 4
# no Erlang spelling of Elixir modules anywhere
for n in ns:
    for k, v in n.items():
        assert not (isinstance(v, str) and "Elixir." in v), (k, n)
PYEOF
  settled "--app json"

  # --- --save and Mermaid (default options) through Mermaid's parser
  check "--app mmd" $BV suptree --app bv_exapp -o "$O/app.mmd" --save "$O/app-save.json"
  mmd_check "$O/app.mmd"
  same_pids "--save of --app" "$O/app-save.json" 'BvExApp.own_walk(:bv_exapp)'
  grep -q 'BvExApp.Supervisor' "$O/app.mmd" || fail "Mermaid ($ELIXIR_VSN) has no BvExApp.Supervisor: $(head -c 2000 "$O/app.mmd")"
  # a partition's bare number says nothing: the child spec's module before it
  grep -q '"DynamicSupervisor 0 #35;PID#60;' "$O/app.mmd" ||
    fail "Mermaid ($ELIXIR_VSN): PartitionSupervisor's partition 0 is not labelled 'DynamicSupervisor 0 #PID<...>': $(grep -o '"[^"]*0 #35;PID[^"]*"' "$O/app.mmd" | head -n 3)"
  grep -q 'Elixir\.' "$O/app.mmd" && fail "Mermaid ($ELIXIR_VSN): an Elixir. prefix is left: $(grep 'Elixir\.' "$O/app.mmd" | head -n 3)"
  check "--app md" $BV suptree --app bv_exapp --format md -o "$O/app.md"
  mmd_check "$O/app.md"
  settled "--app mermaid"

  # --- images with the default options, and the width rule
  check "--app png" $BV suptree --app bv_exapp -o "$O/app.png"
  check "--app svg" $BV suptree --app bv_exapp -o "$O/app.svg"
  check "render the saved tree" "$BEAMVIZ" render "$O/app-save.json" -o "$O/render.png"
  local w h
  read -r w h < <(png_size "$O/app.png")
  width_rule "--app png" "$w" "$h"
  cmp -s "$O/app.png" "$O/render.png" || fail "PNG of --app and render of its --save differ ($ELIXIR_VSN)"
  read -r w h < <(svg_size "$O/app.svg")
  width_rule "--app svg" "$w" "$h"
  check "--app png, nothing folded" $BV suptree --app bv_exapp --max-children 0 -o "$O/app-all.png"
  read -r w h < <(png_size "$O/app-all.png")
  width_rule "--app png --max-children 0" "$w" "$h"
  settled "--app images"

  # --- --sup on the PartitionSupervisor and on the Registry
  local S
  for S in BvExApp.Shards BvExApp.Registry; do
    check "--sup $S" $BV suptree --sup "$S" --max-children 0 -o "$O/$S.mmd" --save "$O/$S.json"
    mmd_check "$O/$S.mmd"
    same_pids "--sup $S" "$O/$S.json" "BvExApp.sub_walk($S)"
    check "--sup $S png" $BV suptree --sup "$S" -o "$O/$S.png"
    read -r w h < <(png_size "$O/$S.png")
    width_rule "--sup $S png" "$w" "$h"
  done
  python3 - "$O/BvExApp.Shards.json" "$O/BvExApp.Registry.json" <<'PYEOF' || fail "--sup roots ($ELIXIR_VSN) wrong"
import json, sys
for f, name in zip(sys.argv[1:], ["BvExApp.Shards", "BvExApp.Registry"]):
    ns = json.load(open(f))["nodes"]
    assert ns[0]["kind"] == "root" and ns[0].get("name") == name, ns[0]
PYEOF
  settled "--sup"

  # --- Elixir syntax of child ids that are terms (issue 11: "on Elixir nodes everything is
  # in Elixir syntax"); checked last and reported at the end so the checks above run on
  # every Elixir version first
  local ids
  ids=$(python3 - "$J" <<'PYEOF'
import json, sys
ns = json.load(open(sys.argv[1]))["nodes"]
want = ["{:pool, %d}" % i for i in range(1, 5)] + ["{:worker, 1}"]
got = set(n.get("child_id") for n in ns)
print(" ".join(w for w in want if w not in got))
PYEOF
  )
  [ -z "$ids" ] || SYNTAX_BUGS+="  $ELIXIR_VSN: child ids $ids missing; the JSON has $(grep -o '"child_id":"{pool,1}"' "$J" | head -n 1), the Mermaid $(grep -o '"{pool,1} [^"]*"' "$O/app.mmd" | head -n 1)
"
}
SYNTAX_BUGS=

run_checks elixir
if [ -n "$(new_elixir_home)" ]; then
  run_checks elixir-new
else
  echo "note: no newer Elixir (new_elixir_home): checked on $(elixir --version 2>/dev/null | tail -1) only"
fi

# --- README's figure: a 24-child root with 16 workers under each child, Erlang node
cat >"$BV_TMP/bv_wide.erl" <<'EOF'
-module(bv_wide).
-behaviour(supervisor).
-export([start/0, init/1, worker/0]).
start() ->
    {ok, P} = supervisor:start_link({local, big_app_sup}, ?MODULE, top),
    unlink(P),
    ok.
init(top) ->
    {ok, {#{}, [#{id => I, type => supervisor,
                  start => {supervisor, start_link,
                            [{local, list_to_atom("conn_sup_" ++ integer_to_list(I))}, ?MODULE, leaf]}}
                || I <- lists:seq(0, 23)]}};
init(leaf) ->
    {ok, {#{}, [#{id => list_to_atom("worker_" ++ integer_to_list(I)), start => {?MODULE, worker, []}}
                || I <- lists:seq(0, 15)]}}.
worker() -> {ok, proc_lib:spawn_link(fun() -> receive stop -> ok end end)}.
EOF
erlc -o "$BV_TMP" "$BV_TMP/bv_wide.erl" 2>"$BV_TMP/erlc.log" || fail "erlc bv_wide: $(cat "$BV_TMP/erlc.log")"
start_node E -pa "$BV_TMP"
check "24 x 16 tree starts" erl_eval "$E" 'ok = bv_wide:start().'
ELIXIR_VSN=erlang
target_baseline "$E"
BVE="$BEAMVIZ --node $E --cookie $BV_COOKIE"
for mc in 12 0; do
  check "--sup big_app_sup --max-children $mc png" $BVE suptree --sup big_app_sup --max-children "$mc" -o "$BV_TMP/wide$mc.png"
  check "--sup big_app_sup --max-children $mc svg" $BVE suptree --sup big_app_sup --max-children "$mc" -o "$BV_TMP/wide$mc.svg"
  read -r w h < <(png_size "$BV_TMP/wide$mc.png")
  width_rule "24 x 16, --max-children $mc, png" "$w" "$h"
  read -r w h < <(svg_size "$BV_TMP/wide$mc.svg")
  width_rule "24 x 16, --max-children $mc, svg" "$w" "$h"
done
check "--sup big_app_sup json" $BVE suptree --sup big_app_sup --format json -o "$BV_TMP/wide.json"
n=$(tree_pids "$BV_TMP/wide.json" | wc -w)
[ "$n" = $((1 + 24 + 24 * 16)) ] || fail "24 x 16 tree: beamviz drew $n pids, not 409"
target_settled "$E" "24 x 16 tree"
[ -z "$SYNTAX_BUGS" ] || fail "tuple child ids are not in Elixir syntax on an Elixir node:
$SYNTAX_BUGS"
pass
