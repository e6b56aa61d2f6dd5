#!/usr/bin/env bash
# interrupt.sh: beamviz stopped by a signal in the middle of its work: the
# target never tries to connect back to it afterwards, and the
# Vega-Lite spec of `procs` is written while the node still collects, so an
# interrupt finds a temporary file open: SIGINT and SIGTERM must remove it
# (no output, no *.tmp-* file), beamviz must die of that signal, and the
# target's workers and samplers must stop (its process count comes back).
# A closed stdout is one clear error line (exit 4), not a silent death, and
# a SIGINT that was ignored when beamviz started stays ignored (nohup, &).
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
start_node N
bv() { "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" "$@"; }

# Interrupted while its template still runs: the template's value must not
# make the target connect back to a beamviz that is gone (rex replies with a
# plain send: an auto-connect, whose host lookup starts kernel's resolver the
# first time). bv_stuck looks like a supervisor (its '$initial_call' says so)
# but never answers, so the walk waits --sup-timeout for it.
resolver='erlang:whereis(inet_gethost_native_sup).'
[ "$(erl_eval "$N" "$resolver")" = undefined ] || fail "the fresh node already runs inet_gethost_native"
check "a supervisor that never answers" erl_eval "$N" '
  S = spawn(fun() -> put('"'"'$initial_call'"'"', {supervisor, bv_stuck, 1}), receive stop -> ok end end),
  register(bv_stuck, S), ok.'
target_baseline "$N"
env --default-signal=INT "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" suptree --sup bv_stuck \
  --sup-timeout 2000 -o "$T/walk.mmd" 2>"$T/stderr" &
pid=$!
sleep 0.7
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "suptree: exit $rc after SIGINT, expected 130; stderr: $(cat "$T/stderr")"
sleep 3 # the walk gives up on bv_stuck and its value is sent
[ "$(erl_eval "$N" "$resolver")" = undefined ] ||
  fail "the target looked up a host after beamviz was gone (it tried to connect back)"
target_settled "$N" "after the interrupted walk" 10
[ ! -e "$T/walk.mmd" ] || fail "suptree: an output was left"

# Enough idle processes that one worker reading 100 at a time takes a while.
check "spawn 200,000 idle processes" erl_eval "$N" '
  H = spawn(fun() -> Ps = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, 200000)],
                     receive stop -> [P ! stop || P <- Ps] end end),
  register(bv_idle_holder, H), ok.'
sleep 2
target_baseline "$N"

# interrupted SIG OUT CMD...: starts CMD in the background, waits until OUT's
# temporary file has rows in it (so the signal lands mid-write), sends SIG, and checks
# the outcome.
interrupted() {
  local sig=$1 out=$2 pid i rc
  shift 2
  # a script's background job starts with SIGINT ignored, and beamviz (like
  # any program) leaves an inherited "ignore" alone: give it the default back
  env --default-signal=INT "$@" 2>"$T/stderr" &
  pid=$!
  # rows already flowing into the file: the workers run, the eval has
  # answered (killed before that, rex's late reply makes the target try to
  # connect back once, and its first host lookup starts kernel's resolver)
  for ((i = 0; i < 500; i++)); do
    [ -n "$(find "$T" -name "${out##*/}.tmp-*" -size +0 2>/dev/null)" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  [ -n "$(find "$T" -name "${out##*/}.tmp-*" -size +0 2>/dev/null)" ] ||
    fail "$sig: $out was not being written (beamviz done too soon?)"
  kill "-$sig" "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" = $((128 + $(kill -l "$sig"))) ] || fail "$sig: exit $rc, expected death by SIG$sig; stderr: $(cat "$T/stderr")"
  [ ! -e "$out" ] || fail "$sig: $out was written"
  ! compgen -G "$out.tmp-*" >/dev/null || fail "$sig: left $(compgen -G "$out.tmp-*")"
  ! compgen -G "$T/*.tmp-*" >/dev/null || fail "$sig: left $(compgen -G "$T/*.tmp-*")"
}

interrupted INT "$T/i.vl.json" "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" procs --workers 1 --chunk 100 -o "$T/i.vl.json"
target_settled "$N" "after SIGINT (workers left running?)" 20
interrupted TERM "$T/t.vl.json" "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" procs --workers 1 --chunk 100 -o "$T/t.vl.json" --save "$T/t.json"
[ ! -e "$T/t.json" ] || fail "TERM: the --save file was written"
target_settled "$N" "after SIGTERM" 20

# memory writes at the end: an interrupt while sampling leaves nothing, and
# the sampler on the target stops
env --default-signal=INT "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" \
  memory --samples 1000 --interval 20 -o "$T/m.vl.json" 2>"$T/stderr" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "memory: exit $rc after SIGINT, expected 130"
[ ! -e "$T/m.vl.json" ] && ! compgen -G "$T/m.vl.json.tmp-*" >/dev/null || fail "memory: an output was left"
target_settled "$N" "after SIGINT of memory" 20

# a reader that goes away: one line, exit 4
set +o pipefail
bv procs -o - --format csv 2>"$T/stderr" | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 4 ] || fail "stdout closed early: exit $rc, expected 4; stderr: $(cat "$T/stderr")"
[ "$(wc -l <"$T/stderr")" = 1 ] && grep -q "cannot write standard output" "$T/stderr" ||
  fail "stdout closed early: stderr was: $(cat "$T/stderr")"

# started with SIGINT ignored (as a script's background job is): it stays
# ignored and the run completes
bv procs -o "$T/ign.vl.json" &
pid=$!
sleep 0.2
kill -INT "$pid" 2>/dev/null
wait "$pid" || fail "an ignored SIGINT stopped beamviz (exit $?)"
vl_check "$T/ign.vl.json"

# the node is still fine: a full snapshot afterwards
check "procs after the interrupts" bv procs -o "$T/after.vl.json"
vl_check "$T/after.vl.json"
pass
