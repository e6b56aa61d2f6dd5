# suptree_real.sh: the walk rule on real trees (test/e2e/erl/bv_walk.erl).
# A supervisor of our own (not OTP's supervisor) two levels deep, declared
# supervisor by its parents, is walked; a gen_server declared worker never gets
# which_children; declared supervisors that never answer or answer garbage are
# drawn unresponsive and the walk goes on; --app finds the top supervisor the
# application master knows and draws the worker start/2 linked before it under the
# start helper. Each tree's pids equal the node's own walk.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

erlc -o "$BV_TMP" "$BV_SRC/test/e2e/erl/bv_walk.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_walk: $(cat "$BV_TMP/erlc.log")"
cp "$BV_SRC/test/e2e/erl/bv_wapp.app" "$BV_SRC/test/e2e/erl/bv_wapp2.app" "$BV_TMP/" ||
  fail "copy the .app files"
start_node T -pa "$BV_TMP"
BV="$BEAMVIZ --node $T --cookie $BV_COOKIE"

check "walk tree starts" erl_eval "$T" 'ok = bv_walk:start().'
check "bv_wapp starts" erl_eval "$T" 'ok = application:start(bv_wapp).'
check "bv_wapp2 starts" erl_eval "$T" 'ok = application:start(bv_wapp2).'

# the node's own walk, in the same order
node_pids() {
  erl_eval "$T" "$1" | tr -d '"' | tr ' ' '\n' | grep . |
    sort -t. -k2,2n -k3,3n | tr '\n' ' ' | sed -e 's/ $//'
}
same_pids() { # what json node-expr
  local got want
  got=$(tree_pids "$2")
  want=$(node_pids "$3")
  [ -n "$want" ] || fail "$1: the node's own walk is empty"
  [ "$got" = "$want" ] || fail "$1: beamviz's pids differ from the node's own walk:
  beamviz: $got
  node:    $want"
}
node_field() { # json name -> "kind|state|parent name|role"
  python3 - "$1" "$2" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1])); ns = t["nodes"]
for n in ns:
    if n.get("name") == sys.argv[2]:
        p = ns[n["parent"]] if n["parent"] >= 0 else {}
        print("%s|%s|%s|%s" % (n["kind"], n.get("state", "-"), p.get("name") or p.get("role") or "-",
                               n.get("role", "-")))
        break
else:
    print("missing")
PYEOF
}
expect() { # json name pattern (shell glob)
  local got
  got=$(node_field "$1" "$2")
  case "$got" in $3) ;; *) fail "node $2 in $1: got '$got', expected '$3'" ;; esac
}
guard_untouched() {
  local calls
  calls=$(erl_eval "$T" 'bv_walk:calls(bv_wguard).')
  [ "$calls" = "{0,[]}" ] || fail "$1: bv_wguard (a worker) was sent something: $calls"
}

# --- (i)-(iii): the whole tree
J="$BV_TMP/wtop.json"
$BV suptree --sup bv_wtop --sup-timeout 500 --format json -o "$J" 2>"$BV_TMP/wtop.err" ||
  fail "suptree --sup bv_wtop: exit $?: $(cat "$BV_TMP/wtop.err")"
grep -q "3 supervisors not walked" "$BV_TMP/wtop.err" ||
  fail "stderr does not say 3 supervisors were not walked: $(cat "$BV_TMP/wtop.err")"
expect "$J" bv_wtop 'root|-|-|-'
expect "$J" bv_csup1 'supervisor|-|bv_wtop|-'
expect "$J" bv_csup2 'supervisor|-|bv_csup1|-'
expect "$J" bv_w1 'worker|-|bv_csup1|-'
expect "$J" bv_w2 'worker|-|bv_csup2|-'
expect "$J" bv_w3 'worker|-|bv_csup2|-'
expect "$J" bv_wguard 'worker|-|bv_wtop|-'
expect "$J" bv_silent 'unresponsive|*timeout*|bv_wtop|-'
expect "$J" bv_garbage 'unresponsive|*bad_reply*|bv_wtop|-'
expect "$J" bv_junk 'unresponsive|*bad_reply*|bv_wtop|-'
same_pids "--sup bv_wtop" "$J" 'bv_walk:tree_pids(bv_wtop).'
guard_untouched "--sup bv_wtop"
M="$BV_TMP/wtop.mmd"
check "suptree --sup bv_wtop mermaid" $BV suptree --sup bv_wtop --sup-timeout 500 -o "$M"
mmd_check "$M"
grep -q bv_w3 "$M" || fail "mermaid misses bv_w3 (under our own supervisor two levels down)"
guard_untouched "mermaid walk"

# --- --sup on our own supervisors: accepted (parent declares them supervisor)
for s in bv_csup1 bv_csup2; do
  J2="$BV_TMP/$s.json"
  check "--sup $s" $BV suptree --sup "$s" --format json -o "$J2"
  same_pids "--sup $s" "$J2" "bv_walk:tree_pids($s)."
done
P2=$(erl_eval "$T" 'pid_to_list(whereis(bv_csup2)).' | tr -d '"')
check "--sup pid of bv_csup2" $BV suptree --sup "$P2" --format json -o "$BV_TMP/p2.json"
same_pids "--sup $P2" "$BV_TMP/p2.json" 'bv_walk:tree_pids(bv_csup2).'
# the worker gen_server: refused, saying why and its initial call
O="$BV_TMP/refused.mmd"
expect_exit 13 "not a supervisor" "$O" -- $BV suptree --sup bv_wguard -o "$O"
grep -q "bv_walk:init/1" "$EXPECT_STDERR" || fail "refusal does not name the initial call: $(cat "$EXPECT_STDERR")"
grep -q "lists it as worker" "$EXPECT_STDERR" || fail "refusal does not say why: $(cat "$EXPECT_STDERR")"
expect_exit 13 "not a supervisor" "$O" -- $BV suptree --sup bv_w2 -o "$O"
guard_untouched "--sup bv_wguard refused"

# --- (iv): the application whose start/2 links a worker before its top supervisor
J="$BV_TMP/wapp.json"
$BV suptree --app bv_wapp --format json -o "$J" 2>"$BV_TMP/wapp.err" ||
  fail "suptree --app bv_wapp: exit $?: $(cat "$BV_TMP/wapp.err")"
[ ! -s "$BV_TMP/wapp.err" ] || fail "--app bv_wapp: unexpected stderr: $(cat "$BV_TMP/wapp.err")"
expect "$J" bv_wapp_sup 'supervisor|-|application start helper|-'
expect "$J" bv_wapp_early 'worker|-|application start helper|linked to the start helper'
expect "$J" bv_wapp_a 'worker|-|bv_wapp_sup|-'
expect "$J" bv_wapp_b 'worker|-|bv_wapp_sup|-'
same_pids "--app bv_wapp" "$J" 'bv_walk:app_pids(bv_wapp).'
python3 - "$J" <<'PYEOF' || fail "--app bv_wapp: the top supervisor is not the helper's first child"
import json, sys
ns = json.load(open(sys.argv[1]))["nodes"]
h = [i for i, n in enumerate(ns) if n.get("role") == "application start helper"][0]
kids = [n.get("name") for n in ns if n["parent"] == h]
assert kids == ["bv_wapp_sup", "bv_wapp_early"], kids
PYEOF
M="$BV_TMP/wapp.mmd"
check "suptree --app bv_wapp mermaid" $BV suptree --app bv_wapp -o "$M"
mmd_check "$M"
grep -q bv_wapp_early "$M" || fail "mermaid misses bv_wapp_early"
# an application whose top is a gen_server: drawn, not asked, and stderr says so
J="$BV_TMP/wapp2.json"
$BV suptree --app bv_wapp2 --format json -o "$J" 2>"$BV_TMP/wapp2.err" ||
  fail "suptree --app bv_wapp2: exit $?: $(cat "$BV_TMP/wapp2.err")"
grep -q "application bv_wapp2: its top process is not a supervisor by its initial call ({bv_walk,init,1}): not walked" \
  "$BV_TMP/wapp2.err" || fail "--app bv_wapp2: no note on the top's shape: $(cat "$BV_TMP/wapp2.err")"
expect "$J" bv_wapp2_top 'worker|-|application start helper|-'
calls=$(erl_eval "$T" 'bv_walk:calls(bv_wapp2_top).')
[ "$calls" = "{0,[]}" ] || fail "bv_wapp2_top (not a supervisor) was sent something: $calls"
# the same in kernel: the real top supervisors, no note
check "suptree --app kernel" $BV suptree --app kernel --format json -o "$BV_TMP/kernel.json"
expect "$BV_TMP/kernel.json" kernel_sup 'supervisor|-|application start helper|-'
pass
