# suptree_labels.sh: process labels ('$process_label': Elixir 1.17+ Process.set_label/1,
# OTP 27+ proc_lib:set_label/1) in supervision trees, by the identity rule: a
# registered name, else the label with the pid, else the child id with the pid.
# Erlang node (label put in the dictionary), Elixir 1.14 (Process.put) and, when
# there, the newer Elixir (Process.set_label/1). Mermaid (parsed by Mermaid 11),
# text and the model file's `label` field.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

# $1 file prefix, $2 tree root, then pairs of (expected Mermaid/text label, JSON label)
# checked by the callers
walk() {
  check "suptree --sup $2 (mermaid)" $BV suptree --sup "$2" -o "$BV_TMP/$1.mmd" --save "$BV_TMP/$1.json"
  mmd_check "$BV_TMP/$1.mmd"
  check "suptree --sup $2 (text)" $BV suptree --sup "$2" --format text -o "$BV_TMP/$1.txt"
}
# has FILE 'fixed text' DESC (in a .mmd file, # < > : as Mermaid escapes them)
mmd_esc() { case "$1" in *.mmd) sed 's/#/#35;/g; s/</#60;/g; s/>/#62;/g; s/:/#58;/g' <<<"$2" ;; *) printf '%s\n' "$2" ;; esac; }
has() { grep -qF -- "$(mmd_esc "$1" "$2")" "$1" || fail "$3: '$2' not in $1: $(cat "$1")"; }
hasnt() { grep -qF -- "$(mmd_esc "$1" "$2")" "$1" && fail "$3: '$2' in $1: $(cat "$1")"; return 0; }
# json_label FILE KEY VALUE WANT: the label field of the node whose child_id (or name) is VALUE
json_label() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for n in t["nodes"]:
    if n.get(sys.argv[2]) == sys.argv[3]:
        print(n.get("label", "-") + "|" + n.get("pid", "-"))
        break
else:
    print("missing")
PY
}

# --- Erlang
erlc -o "$BV_TMP" "$BV_SRC/test/e2e/erl/bv_labels.erl" 2>"$BV_TMP/erlc.log" ||
  fail "erlc bv_labels: $(cat "$BV_TMP/erlc.log")"
start_node T -pa "$BV_TMP"
BV="$BEAMVIZ --node $T --cookie $BV_COOKIE"
check "labelled tree starts" erl_eval "$T" 'ok = bv_labels:start().'
target_baseline "$T"
walk erl bv_lsup
target_settled "$T" "suptree of labelled workers"
IFS='|' read -r L P <<<"$(json_label "$BV_TMP/erl.json" child_id text_w)"
[ "$L" = "conn pool" ] || fail "erlang: text label in the model: $(json_label "$BV_TMP/erl.json" child_id text_w)"
case "$P" in "<0."*">") ;; *) fail "erlang: no pid for text_w: $P" ;; esac
[ "$(json_label "$BV_TMP/erl.json" child_id term_w | cut -d'|' -f1)" = "{conn,7}" ] ||
  fail "erlang: term label in the model: $(json_label "$BV_TMP/erl.json" child_id term_w)"
[ "$(json_label "$BV_TMP/erl.json" name bv_lnamed | cut -d'|' -f1)" = "named one" ] ||
  fail "erlang: the named worker's label is not in the model"
[ "$(json_label "$BV_TMP/erl.json" child_id plain_w | cut -d'|' -f1)" = "-" ] ||
  fail "erlang: an unlabelled worker has a label"
for f in "$BV_TMP/erl.mmd" "$BV_TMP/erl.txt"; do
  has "$f" "conn pool $P" "erlang: unnamed labelled worker"
  has "$f" "{conn,7} <0." "erlang: term label"
  has "$f" "bv_lnamed" "erlang: named worker"
  hasnt "$f" "named one" "erlang: a named worker is drawn by its name, not its label"
  has "$f" "plain_w <0." "erlang: unlabelled worker keeps its child id"
  hasnt "$f" "text_w" "erlang: a labelled worker is drawn by its label, not its child id"
done
python3 -c "import json; t=json.load(open('$BV_TMP/erl.json')); assert any(n.get('label')=='conn pool' for n in t['nodes'])" ||
  fail "erlang: the model file has no label 'conn pool'"

# the model file read back (render) keeps the labels
check "render the saved model" $BEAMVIZ render "$BV_TMP/erl.json" --format text -o "$BV_TMP/erl_r.txt"
has "$BV_TMP/erl_r.txt" "conn pool $P" "erlang: render of the saved model"

# --- Elixir 1.14 (Process.put) and the newer Elixir (Process.set_label/1)
elixir_case() { # $1 kind (elixir|elixir-new), $2 how a label is set
  start_node E "$1"
  BV="$BEAMVIZ --node $E --cookie $BV_COOKIE"
  check "$1: labelled supervisor" ex_eval "$E" "
{:ok, s} = Supervisor.start_link([
  Supervisor.child_spec({Agent, fn -> $2.(\"conn pool\"); 0 end}, id: :text_w),
  Supervisor.child_spec({Agent, fn -> $2.({:conn, 7}); 0 end}, id: :term_w),
  Supervisor.child_spec({Agent, fn -> $2.(\"named one\"); 0 end}, id: :named_w) |> Map.put(:start, {Agent, :start_link, [fn -> $2.(\"named one\"); 0 end, [name: BvL.Named]]}),
  Supervisor.child_spec({Agent, fn -> 0 end}, id: :plain_w)
], strategy: :one_for_one, name: BvL.Sup)
Process.unlink(s)
:ok"
  walk "$1" BvL.Sup
  IFS='|' read -r L P <<<"$(json_label "$BV_TMP/$1.json" child_id :text_w)"
  [ "$L" = "conn pool" ] || fail "$1: text label in the model: $(json_label "$BV_TMP/$1.json" child_id :text_w)"
  case "$P" in "<0."*">") ;; *) fail "$1: no pid for text_w: $P" ;; esac
  EP="#PID<${P#<}"
  [ "$(json_label "$BV_TMP/$1.json" child_id :term_w | cut -d'|' -f1)" = "{:conn, 7}" ] ||
    fail "$1: term label in the model (Elixir syntax): $(json_label "$BV_TMP/$1.json" child_id :term_w)"
  for f in "$BV_TMP/$1.mmd" "$BV_TMP/$1.txt"; do
    has "$f" "conn pool $EP" "$1: unnamed labelled worker"
    has "$f" "{:conn, 7} #PID<0." "$1: term label in Elixir syntax"
    has "$f" "BvL.Named" "$1: named worker"
    hasnt "$f" "named one" "$1: a named worker is drawn by its name, not its label"
    has "$f" ":plain_w #PID<0." "$1: unlabelled worker keeps its child id"
  done
}
if command -v elixir >/dev/null 2>&1; then
  elixir_case elixir 'fn l -> Process.put(:"$process_label", l) end'
else
  echo "elixir is not installed: the Elixir 1.14 case is skipped"
fi
if [ -n "$(new_elixir_home)" ]; then
  elixir_case elixir-new '(&Process.set_label/1)'
else
  echo "no newer Elixir (BV_ELIXIR_TARBALL): the Process.set_label/1 case is skipped"
fi
pass
