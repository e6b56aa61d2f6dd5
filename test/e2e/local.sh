# local.sh: the embedded default. With no --node, beamviz starts a throwaway node, runs
# the command and stops it: no bvtarget_<beamviz pid>_* beam left, epmd as it was (an
# epmd beamviz had to start is stopped again; one that was running stays). A missing
# erl is a clear error. `beamviz demo -o DIR` writes outputs that all validate.
# epmd runs on a port of this test's own (ERL_EPMD_PORT), so parallel tests do not
# change the state being checked.
# ctest-timeout: 400
. "$BV_SRC/test/e2e/lib.sh"

export ERL_EPMD_PORT
ERL_EPMD_PORT=$(free_port)

epmd_up() { python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))' "$ERL_EPMD_PORT"; }
# beam processes whose node name says beamviz pid $1 started them
# ("bvtarge[t]": the pattern must not match grep's own command line)
leftover() { grep -las -- "bvtarge[t]_$1_" /proc/[0-9]*/cmdline 2>/dev/null; }
on_exit 'epmd -port "$ERL_EPMD_PORT" -kill'

# run_bv DESC args...: runs beamviz in the background to know its pid; checks exit 0
# and that the throwaway node is gone
run_bv() {
  local desc=$1 rc left
  shift
  "$BEAMVIZ" "$@" >"$BV_TMP/run.out" 2>"$BV_TMP/run.err" </dev/null &
  BVPID=$!
  wait $BVPID
  rc=$?
  [ $rc = 0 ] || fail "$desc: exit $rc: $(head -c 2000 "$BV_TMP/run.err")"
  left=$(leftover $BVPID)
  [ -z "$left" ] || fail "$desc: throwaway node still running: $left"
}

# --- epmd not running before: beamviz starts it (through erl) and stops it again
epmd_up && fail "epmd already listening on the fresh port $ERL_EPMD_PORT"
run_bv "procs on the embedded default" procs -o "$BV_TMP/procs.vl.json"
vl_check "$BV_TMP/procs.vl.json"
epmd_up && fail "epmd left running on port $ERL_EPMD_PORT after beamviz (it was not running before)"

run_bv "memory on the embedded default" memory --samples 3 --interval 50 -o "$BV_TMP/mem.vl.json"
vl_check "$BV_TMP/mem.vl.json"
epmd_up && fail "epmd left running after memory"

if command -v elixir >/dev/null 2>&1; then
  run_bv "procs on an embedded Elixir node" --local elixir procs -o "$BV_TMP/ex.json"
  grep -q '"elixir": *true' "$BV_TMP/ex.json" || fail "--local elixir: the snapshot does not say elixir"
  epmd_up && fail "epmd left running after --local elixir"
  # results print in the language of the code; payloads in the node's
  run_bv "Elixir code traced on an embedded Elixir node" --local elixir seqtrace \
    --elixir 'p = self(); spawn(fn -> send(p, {:done, 1}) end); receive do m -> [m, done: 2] end' \
    -o "$BV_TMP/exs.mmd" --payload 20
  grep -q '^beamviz: result: \[done: 1, done: 2\]$' "$BV_TMP/run.err" ||
    fail "--local elixir: Elixir code's result not in Elixir syntax: $(cat "$BV_TMP/run.err")"
  grep -q '<br/>{#58;done, 1}' "$BV_TMP/exs.mmd" || fail "--local elixir: payload not in Elixir syntax: $(cat "$BV_TMP/exs.mmd")"
  run_bv "Erlang code traced on an embedded Elixir node" --local elixir seqtrace \
    --eval 'P = self(), spawn(fun() -> P ! {done, 1} end), receive M -> [M] end' -o "$BV_TMP/exs2.mmd"
  grep -q '^beamviz: result: \[{done,1}\]$' "$BV_TMP/run.err" ||
    fail "--local elixir: Erlang code's result not in Erlang syntax: $(cat "$BV_TMP/run.err")"
fi

# --- epmd running before: it stays
epmd -port "$ERL_EPMD_PORT" -daemon
for _ in $(seq 50); do epmd_up && break; sleep 0.1; done
epmd_up || fail "could not start epmd on $ERL_EPMD_PORT"
run_bv "procs with epmd already running" procs -o "$BV_TMP/procs2.json"
epmd_up || fail "beamviz stopped an epmd it had not started"
epmd -port "$ERL_EPMD_PORT" -kill >/dev/null
for _ in $(seq 50); do epmd_up || break; sleep 0.1; done

# --- beamviz killed mid-command: the node still goes (it halts when its stdin closes)
"$BEAMVIZ" memory --samples 200 --interval 100 -o "$BV_TMP/killed.vl.json" >/dev/null 2>&1 </dev/null &
BVPID=$!
for _ in $(seq 100); do [ -n "$(leftover $BVPID)" ] && break; sleep 0.1; done
[ -n "$(leftover $BVPID)" ] || fail "no throwaway node seen for beamviz pid $BVPID"
sleep 1
kill -KILL $BVPID
wait $BVPID 2>/dev/null
for _ in $(seq 100); do [ -z "$(leftover $BVPID)" ] && break; sleep 0.1; done
[ -z "$(leftover $BVPID)" ] || fail "kill -9 of beamviz left its node running: $(leftover $BVPID)"
[ ! -e "$BV_TMP/killed.vl.json" ] || fail "kill -9 mid-command left an output file"
epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1   # nobody was left to stop it

# --- no erl on PATH: a clear error, nothing written
expect_exit 12 "erl" "$BV_TMP/noerl.vl.json" -- \
  env PATH=/nonexistent "$BEAMVIZ" procs -o "$BV_TMP/noerl.vl.json"
grep -qi "PATH" "$EXPECT_STDERR" || fail "no erl: PATH not mentioned: $(cat "$EXPECT_STDERR")"
expect_exit 12 "erl" "$BV_TMP/demo-noerl" -- env PATH=/nonexistent "$BEAMVIZ" demo -o "$BV_TMP/demo-noerl"
# erl but no elixir for --local elixir
mkdir -p "$BV_TMP/onlyerl"
ln -s "$(command -v erl)" "$BV_TMP/onlyerl/erl"
expect_exit 12 "elixir" "$BV_TMP/noex.json" -- \
  env PATH="$BV_TMP/onlyerl" "$BEAMVIZ" --local elixir procs -o "$BV_TMP/noex.json"

# --- demo: every output, all valid, nothing left behind
run_bv "demo" demo -o "$BV_TMP/demo"
[ -d "$BV_TMP/demo" ] || fail "demo wrote no directory"
shopt -s nullglob
vls=("$BV_TMP"/demo/*.vl.json)
mmds=("$BV_TMP"/demo/*.mmd "$BV_TMP"/demo/*.md)
jsons=()
for f in "$BV_TMP"/demo/*.json; do case "$f" in *.vl.json) ;; *) jsons+=("$f") ;; esac; done
[ ${#vls[@]} -ge 2 ] || fail "demo wrote ${#vls[@]} Vega-Lite files, expected at least procs and memory"
vl_check "${vls[@]}"
[ ${#mmds[@]} -eq 0 ] || mmd_check "${mmds[@]}"
# the model files among them (apps.json, say, is output only) re-render offline
models=0
for f in "${jsons[@]}"; do
  grep -Eq '^\{"format": *"beamviz\.(procs|memory|suptree|seqtrace)"' "$f" || continue
  models=$((models + 1))
  check "demo model $f re-renders offline" "$BEAMVIZ" render "$f" -o "$BV_TMP/rerender.json"
done
[ $models -ge 2 ] || fail "demo wrote $models model files, expected at least procs and memory"
tmps=("$BV_TMP"/demo/*.tmp-*)
[ ${#tmps[@]} -eq 0 ] || fail "demo left temporary files: ${tmps[*]}"
epmd_up && fail "epmd left running after demo"
pass
