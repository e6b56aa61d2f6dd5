# suptree.sh: beamviz suptree against a crafted tree (test/e2e/erl/bv_crafted.erl):
# nested supervisors, a restarting child, an ignored child, a supervisor_bridge, a
# simple_one_for_one with 2,000 children, linked workers, a spawn_link helper and a
# port, a gen_server that must never get which_children, a stuck supervisor, a pid on
# another node, and registered names full of Mermaid-hostile characters.
# Every Mermaid file is parsed by Mermaid 11; after each walk nothing on the target
# died or was left behind.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

erlc -o "$BV_TMP" "$BV_SRC/test/e2e/erl/bv_crafted.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_crafted: $(cat "$BV_TMP/erlc.log")"
start_node OTHER
OTHER_COOKIE=$BV_COOKIE
start_node T -pa "$BV_TMP"
C=$BV_COOKIE
BV="$BEAMVIZ --node $T --cookie $C"

check "crafted tree starts" erl_eval "$T" 'ok = bv_crafted:start(2000).'
check "bv_stuck blocked" erl_eval "$T" 'ok = bv_crafted:make_stuck().'
# a tree member linked to a process on another node
check "remote link" erl_eval "$T" "erlang:set_cookie('$OTHER', '$OTHER_COOKIE'),
  bv_linker ! {link_remote, '$OTHER', self()}, receive {linked, true} -> ok after 5000 -> timeout end."

# workers whose '$ancestors' name a process of OTHER (bv_remanc) and a
# "supervisor" that never answers (bv_slowkid's parent)
check "odd ancestors" erl_eval "$T" "R = rpc:call('$OTHER', erlang, whereis, [init]),
  true = is_pid(R) andalso node(R) =/= node(),
  register(bv_remanc, spawn(fun() -> put('\$ancestors', [R]), receive stop -> ok end end)),
  Par = spawn(fun() -> put('\$initial_call', {supervisor, bv_fake, 1}),
                       receive never -> ok end end),
  register(bv_slowkid, spawn(fun() -> put('\$ancestors', [Par]), receive stop -> ok end end)),
  ok."
PIDS0=$(erl_eval "$T" 'bv_crafted:pids().')
target_baseline "$T"
# after every walk: same processes, none new, bv_guard never asked anything
settled() {
  local pids unexpected
  target_settled "$T" "$1"
  pids=$(erl_eval "$T" 'bv_crafted:pids().')
  [ "$pids" = "$PIDS0" ] || fail "$1: crafted processes changed: before $PIDS0 after $pids"
  unexpected=$(erl_eval "$T" 'bv_crafted:unexpected().')
  [ "$unexpected" = "[]" ] || fail "$1: bv_guard got calls it must never get: $unexpected"
}

# --- the whole crafted tree, Mermaid
M="$BV_TMP/top.mmd"
START=$(date +%s%N)
check "suptree --sup bv_top" $BV suptree --sup bv_top --sup-timeout 500 -o "$M" --save "$BV_TMP/top.json"
ELAPSED=$((($(date +%s%N) - START) / 1000000))
mmd_check "$M"
settled "suptree --sup bv_top"
# the stuck supervisor is reported within the timeout, not waited for
[ "$ELAPSED" -lt 5000 ] || fail "walk with a stuck supervisor took $ELAPSED ms (--sup-timeout 500)"

J="$BV_TMP/top.json"
jq() { python3 -c "import json,sys; t=json.load(open('$J')); $1" ; }
node_of() { # prints kind and state of the node whose name or child id is $1
  python3 - "$J" "$1" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
for n in t["nodes"]:
    if n.get("name") == sys.argv[2] or n.get("child_id") == sys.argv[2]:
        print(n["kind"], n.get("state", "-"))
        break
else:
    print("missing")
EOF
}
expect_node() {
  local got
  got=$(node_of "$1")
  [ "$got" = "$2" ] || fail "node $1: got '$got', expected '$2'"
}
expect_node bv_top "root -"
expect_node bv_guard "worker -"
expect_node bv_mid "supervisor -"
expect_node ignored "notstarted undefined"
expect_node flappy "notstarted restarting"
expect_node bv_bridge "supervisor -"
expect_node bv_pool "supervisor -"
expect_node bv_stuck "unresponsive no answer: timeout"
expect_node bv_w_a "worker -"
expect_node end "worker -"
expect_node 'q"u(o)t#e;s|<x>&end é✓' "worker -"
# a child id as Erlang writes it (atoms quoted where Erlang quotes them)
expect_node '{'"'"'weird"id'"'"',"<end>|;#"}' "worker -"

# children in start order, the pool complete, the guard's type kept
python3 - "$J" <<'EOF' || fail "tree shape is wrong"
import json, sys
t = json.load(open(sys.argv[1]))
nodes = t["nodes"]
root = nodes[0]
kids = [n for n in nodes if n["parent"] == 0]
order = [n.get("child_id") for n in kids]
want = ["bv_guard", "bv_mid", "ignored", "bv_flappy_sup", "bv_bridge", "bv_pool", "bv_stuck"]
assert order[:7] == want, order
assert order[8] == "end_name", order
assert kids[0].get("type") == "worker", kids[0]
mid = nodes.index(kids[1])
assert [n.get("child_id") for n in nodes if n["parent"] == mid] == ["w_a", "w_b", "helper_worker", "linker"]
pool = nodes.index(kids[5])
pk = [n for n in nodes if n["parent"] == pool]
assert len(pk) == 2000, len(pk)
# pool children in creation order (pid order)
ids = [tuple(int(x) for x in n["pid"].strip("<>").split(".")) for n in pk]
assert ids == sorted(ids, key=lambda p: (p[2], p[1])), "pool not in start order"
# breadth-first with contiguous children
ps = [n["parent"] for n in nodes]
assert ps[0] == -1 and all(ps[i] < i for i in range(1, len(ps)))
assert all(ps[i] >= ps[i - 1] for i in range(2, len(ps)))
# w_a and w_b are linked: one dotted link between them, not parent-child
wa = next(i for i, n in enumerate(nodes) if n.get("name") == "bv_w_a")
wb = next(i for i, n in enumerate(nodes) if n.get("name") == "bv_w_b")
assert [min(wa, wb), max(wa, wb)] in t["links"], t["links"]
# no externals without --links
assert not any(n["kind"] == "external" for n in nodes)
EOF

# folded: 2,000 pool children fold into one node; stderr says so in one line
grep -q 'more workers' "$M" || fail "the pool was not folded in $M"
check "folded note" $BV suptree --sup bv_pool -o "$BV_TMP/pool.mmd"
mmd_check "$BV_TMP/pool.mmd"
settled "suptree --sup bv_pool"
N=$($BV suptree --sup bv_pool -o "$BV_TMP/pool2.mmd" 2>&1 >/dev/null | grep -c 'folded')
[ "$N" = 1 ] || fail "expected one 'folded' line on stderr, got $N"
cmp -s "$BV_TMP/pool.mmd" "$BV_TMP/pool2.mmd" || fail "two walks of the same tree differ"
grep -q '1988 more workers' "$BV_TMP/pool.mmd" || fail "pool fold count wrong: $(grep folded "$BV_TMP/pool.mmd")"

# everything unfolded: too big for Mermaid, reduced automatically and said so
check "max-children 0" $BV suptree --sup bv_top --max-children 0 -o "$BV_TMP/all.mmd"
mmd_check "$BV_TMP/all.mmd"
E=$(grep -c -- '-->\|-\.-' "$BV_TMP/all.mmd")
[ "$E" -lt 500 ] || fail "$E edges in all.mmd"
[ "$(wc -c <"$BV_TMP/all.mmd")" -le 50000 ] || fail "all.mmd is over 50,000 characters"
$BV suptree --sup bv_top --max-children 0 -o "$BV_TMP/all2.mmd" 2>"$BV_TMP/all.err"
grep -q 'too big for Mermaid' "$BV_TMP/all.err" || fail "no reduction note: $(cat "$BV_TMP/all.err")"

# --links: spawn_link helper, port, bridged process and the remote pid as externals
check "--links" $BV suptree --sup bv_top --links --max-children 0 --format json -o "$BV_TMP/links.json"
check "--links mermaid" $BV suptree --sup bv_top --links --direction LR -o "$BV_TMP/links.mmd"
mmd_check "$BV_TMP/links.mmd"
settled "suptree --links"
python3 - "$BV_TMP/links.json" <<'EOF' || fail "--links externals wrong"
import json, sys
t = json.load(open(sys.argv[1]))
nodes = t["nodes"]
ext = [n for n in nodes if n["kind"] == "external"]
owner = next(i for i, n in enumerate(nodes) if n.get("name") == "bv_helper_owner")
bridge = next(i for i, n in enumerate(nodes) if n.get("name") == "bv_bridge")
linker = next(i for i, n in enumerate(nodes) if n.get("name") == "bv_linker")
under = lambda i: [n for n in ext if n["parent"] == i]
assert any(n["pid"].startswith("#Port<") for n in under(owner)), under(owner)
assert any(n["pid"].startswith("<0.") for n in under(owner)), under(owner)
assert len(under(bridge)) >= 1, "bridged process missing"
assert any(not n["pid"].startswith("<0.") for n in under(linker)), under(linker)
ps = [n["parent"] for n in nodes]
assert all(ps[i] >= ps[i - 1] for i in range(2, len(ps)))
EOF
grep -q 'graph LR' "$BV_TMP/links.mmd" || fail "--direction LR ignored"

# markdown block, JSON re-render through render, every mermaid parses
check "md" $BV suptree --sup bv_mid --format md -o "$BV_TMP/mid.md"
head -n 1 "$BV_TMP/mid.md" | grep -q '^```mermaid$' || fail "md: no fenced mermaid block"
check "render saved tree" "$BEAMVIZ" render "$J" -o "$BV_TMP/render.mmd" --max-children 5 --max-depth 1
mmd_check "$BV_TMP/render.mmd"
grep -q 'more below' "$BV_TMP/render.mmd" || fail "render --max-depth 1 did not fold levels"
check "render json again" "$BEAMVIZ" render "$J" -o "$BV_TMP/again.json"
cmp -s "$J" "$BV_TMP/again.json" || fail "render of a saved tree to JSON is not the same file"

# --sup spellings of a pid
P=$(erl_eval "$T" 'pid_to_list(whereis(bv_mid)).' | tr -d '"')
BARE=${P#<}
for W2 in "$P" "#PID$P" "${BARE%>}"; do
  check "--sup $W2" $BV suptree --sup "$W2" -o "$BV_TMP/pid.mmd"
  mmd_check "$BV_TMP/pid.mmd"
  grep -q 'bv_w_a' "$BV_TMP/pid.mmd" || fail "--sup $W2: wrong tree"
done
settled "--sup by pid"

# --- errors: one line each, documented exit code, nothing written, nothing sent
O="$BV_TMP/err.mmd"
expect_exit 13 "not a supervisor" "$O" -- $BV suptree --sup bv_guard -o "$O"
expect_exit 13 "not a supervisor" "$O" -- $BV suptree --sup bv_w_a -o "$O"
# names and pids as --attach takes them, with its words (templates/who.erl)
expect_exit 11 "'bv_nosuch' is not registered on $T" "$O" -- $BV suptree --sup bv_nosuch -o "$O"
expect_exit 11 "'bv_pooll' is not registered on $T (similar registered names: bv_pool" "$O" -- \
  $BV suptree --sup bv_pooll -o "$O"
expect_exit 11 "'BV_MID' is not registered on $T (similar registered names: bv_mid" "$O" -- \
  $BV suptree --sup BV_MID -o "$O"
expect_exit 11 "process <0.99999.0> is not alive on $T" "$O" -- $BV suptree --sup '<0.99999.0>' -o "$O"
dead=$(erl_eval "$T" 'P = spawn(fun() -> ok end), timer:sleep(50), list_to_binary(pid_to_list(P)).' | tr -d '<>"')
for W2 in "<$dead>" "#PID<$dead>" "$dead"; do
  expect_exit 11 "process <$dead> is not alive on $T" "$O" -- $BV suptree --sup "$W2" -o "$O"
done
check "--sup :bv_mid" $BV suptree --sup :bv_mid -o "$BV_TMP/colon.mmd"
grep -q 'bv_mid' "$BV_TMP/colon.mmd" || fail "--sup :bv_mid: wrong tree: $(cat "$BV_TMP/colon.mmd")"
expect_exit 2 "another node" "$O" -- $BV suptree --sup '<3.1.0>' -o "$O"
# a name that is not UTF-8: not registered (the suggestions compare bytes),
# for --sup and --attach alike
expect_exit 11 "is not registered on $T" "$O" -- $BV suptree --sup $'bv_mi\xff' -o "$O"
expect_exit 11 "is not registered on $T" "$O" -- \
  $BEAMVIZ seqtrace --node $T --cookie $C --attach $'bv_mi\xff' -o "$O"
# a parent in '$ancestors' on another node: no parent here (not a crash)
expect_exit 13 "it has no parent in '\$ancestors'" "$O" -- $BV suptree --sup bv_remanc -o "$O"
# the parent is asked within the walk's time, not for a whole --sup-timeout
t0=$(date +%s%N)
expect_exit 13 "gave no child list in time" "$O" -- \
  $BV --timeout 3000 suptree --sup bv_slowkid --sup-timeout 20000 -o "$O"
el=$((($(date +%s%N) - t0) / 1000000))
[ "$el" -lt 4000 ] || fail "asking bv_slowkid's parent took $el ms (--timeout 3000)"
expect_exit 2 "not a pid" "$O" -- $BV suptree --sup '<0.1>' -o "$O"
expect_exit 11 "running: " "$O" -- $BV suptree --app bv_nosuch_app -o "$O"
expect_exit 11 "library application" "$O" -- $BV suptree --app stdlib -o "$O"
expect_exit 2 "exactly one of" "$O" -- $BV suptree -o "$O"
expect_exit 2 "exactly one of" "$O" -- $BV suptree --app kernel --sup bv_top -o "$O"
expect_exit 2 "cannot write" "$BV_TMP/x.csv" -- $BV suptree --app kernel -o "$BV_TMP/x.csv"
settled "errors"
# no atom was created from any name tried above
A=$(erl_eval "$T" "[N || N <- [\"bv_nosuch\", \"bv_nosuch_app\"], (catch list_to_existing_atom(N)) =:= list_to_atom(N)].")
[ "$A" = "[]" ] || fail "atoms created on the target: $A"

# --- --app kernel on this node
check "--app kernel" $BV suptree --app kernel -o "$BV_TMP/kernel.mmd" --save "$BV_TMP/kernel.json"
mmd_check "$BV_TMP/kernel.mmd"
python3 - "$BV_TMP/kernel.json" <<'EOF' || fail "--app kernel: wrong chain"
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
assert n[0]["kind"] == "root" and n[0]["role"] == "application master", n[0]
assert n[1]["role"] == "application start helper", n[1]
assert n[2]["name"] == "kernel_sup" and n[2]["kind"] == "supervisor", n[2]
EOF
settled "--app kernel"

# --- beamviz apps
check "apps" $BV apps -o "$BV_TMP/apps.txt"
grep -q '^kernel .* yes ' "$BV_TMP/apps.txt" || fail "apps: kernel row: $(cat "$BV_TMP/apps.txt")"
grep -q '^stdlib .* no ' "$BV_TMP/apps.txt" || fail "apps: stdlib row: $(cat "$BV_TMP/apps.txt")"
check "apps json" $BV apps --format json -o "$BV_TMP/apps.json"
python3 - "$BV_TMP/apps.json" <<'EOF' || fail "apps json wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "beamviz.apps"
a = {x["name"]: x for x in d["apps"]}
assert a["kernel"]["has_tree"] and a["kernel"]["top_name"] == "kernel_sup"
assert not a["stdlib"]["has_tree"]
EOF
settled "apps"

pass
