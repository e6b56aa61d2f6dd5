# connect.sh: the bad-input table for connecting. Each case checks the exact exit code,
# one stderr line naming the node or the cause, that no output file is left, that the
# target's process count is unchanged, and that the cookie never appears in the output.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

start_node T
COOKIE=$BV_COOKIE
OUT="$BV_TMP/out.vl.json"
printf '%s\n' "$COOKIE" >"$BV_TMP/cookie"

# after each case: nothing left on the target, nothing killed (target_settled), the
# cookie nowhere in the output
settled() {
  target_settled "$T" "$1" 5
  if grep -qF -- "$COOKIE" "$EXPECT_STDOUT" "$EXPECT_STDERR"; then
    fail "$1: the cookie appears in beamviz's output"
  fi
}

# --- the good case first: the table below means something only if this works
check "procs against the test node" "$BEAMVIZ" --node "$T" --cookie "$COOKIE" procs -o "$OUT"
check "procs wrote a valid chart" vl_check "$OUT"
rm -f "$OUT"
check "cookie file works" "$BEAMVIZ" --node "$T" --cookie-file "$BV_TMP/cookie" procs -o "$OUT"
rm -f "$OUT"
check "ERLANG_COOKIE works" env ERLANG_COOKIE="$COOKIE" "$BEAMVIZ" --node "$T" procs -o "$OUT"
rm -f "$OUT"
printf '%s' "$COOKIE" >"$HOME/.erlang.cookie"
chmod 400 "$HOME/.erlang.cookie"
check "~/.erlang.cookie works" "$BEAMVIZ" --node "$T" procs -o "$OUT"
rm -f "$OUT" "$HOME/.erlang.cookie"
target_baseline "$T"

# --- epmd not running: point ERL_EPMD_PORT at a port nobody listens on
P=$(free_port)
expect_exit 5 "epmd is not running" "$OUT" -- \
  env ERL_EPMD_PORT="$P" "$BEAMVIZ" --node "$T" --cookie "$COOKIE" procs -o "$OUT"
grep -qF "${T#*@}" "$EXPECT_STDERR" || fail "epmd case: the host is not named: $(cat "$EXPECT_STDERR")"
settled "epmd not running"

# --- name not registered in epmd
expect_exit 6 "bvnosuch@127.0.0.1" "$OUT" -- \
  "$BEAMVIZ" --node bvnosuch@127.0.0.1 --cookie "$COOKIE" procs -o "$OUT"
grep -qi "not registered\|not known\|no node" "$EXPECT_STDERR" || fail "unregistered: cause not named: $(cat "$EXPECT_STDERR")"
settled "name not registered"

# --- cookie rejected
expect_exit 7 "$T" "$OUT" -- "$BEAMVIZ" --node "$T" --cookie wrongcookie procs -o "$OUT"
grep -qi "cookie" "$EXPECT_STDERR" || fail "cookie rejected: cause not named: $(cat "$EXPECT_STDERR")"
grep -q wrongcookie "$EXPECT_STDERR" && fail "the rejected cookie is printed"
settled "cookie rejected"

# --- connection timed out, 1: epmd accepts and never answers
python3 "$BV_SRC/test/e2e/fake_listener.py" "$BV_TMP/silent.port" &
on_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$BV_TMP/silent.port" ] && break; sleep 0.1; done
SILENT=$(cat "$BV_TMP/silent.port") || fail "fake listener did not start"
START=$SECONDS
expect_exit 8 "127.0.0.1" "$OUT" -- \
  env ERL_EPMD_PORT="$SILENT" "$BEAMVIZ" --timeout 1000 --node "$T" --cookie "$COOKIE" procs -o "$OUT"
grep -qi "time\|did not answer" "$EXPECT_STDERR" || fail "silent epmd: cause not named: $(cat "$EXPECT_STDERR")"
[ $((SECONDS - START)) -le 10 ] || fail "silent epmd: --timeout 1000 took $((SECONDS - START)) s"
settled "silent epmd"

# --- connection timed out, 2: epmd answers with a node port that never answers
python3 "$BV_SRC/test/e2e/fake_listener.py" "$BV_TMP/epmd.port" epmd "$SILENT" &
on_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$BV_TMP/epmd.port" ] && break; sleep 0.1; done
FAKE_EPMD=$(cat "$BV_TMP/epmd.port") || fail "fake epmd did not start"
START=$SECONDS
expect_exit 8 "bvhung@127.0.0.1" "$OUT" -- \
  env ERL_EPMD_PORT="$FAKE_EPMD" "$BEAMVIZ" --timeout 1000 --node bvhung@127.0.0.1 --cookie "$COOKIE" procs -o "$OUT"
grep -qi "time\|did not answer" "$EXPECT_STDERR" || fail "silent node: cause not named: $(cat "$EXPECT_STDERR")"
[ $((SECONDS - START)) -le 10 ] || fail "silent node: --timeout 1000 took $((SECONDS - START)) s"
settled "silent node"

# --- remote call failed: on this (test) node, rex (the rpc server) is swapped for a
# stand-in that answers the next call with {badrpc, {'EXIT', ...}}, as a crashing rpc
# worker does, then puts the real rex back (or after 30 s, whatever happens)
start_node R
RC=$BV_COOKIE
RBASE=$(proc_count "$R")
erl_eval "$R" '
  Real = whereis(rex),
  Fake = spawn(fun() ->
    Restore = fun() -> catch unregister(rex), register(rex, Real) end,
    receive
      {From, {call, _, _, _, _}} when is_pid(From) ->
        From ! {rex, {badrpc, {'"'"'EXIT'"'"', {bv_simulated_failure, []}}}},
        Restore()
    after 30000 -> Restore()
    end
  end),
  unregister(rex), register(rex, Fake), ok.' >/dev/null || fail "cannot install the stand-in rex on $R"
expect_exit 10 "$R" "$OUT" -- "$BEAMVIZ" --node "$R" --cookie "$RC" procs -o "$OUT"
grep -q "bv_simulated_failure" "$EXPECT_STDERR" || fail "remote failure: reason not shown: $(cat "$EXPECT_STDERR")"
grep -qF -- "$RC" "$EXPECT_STDOUT" "$EXPECT_STDERR" && fail "remote failure: the cookie appears in the output"
for _ in $(seq 50); do [ "$(erl_eval "$R" 'whereis(rex) =/= undefined.' 2>/dev/null)" = true ] && break; sleep 0.1; done
now=$(wait_proc_count "$R" "$RBASE") || fail "remote failure: $R had $RBASE processes before, $now after"

# --- node went away mid-command: kill it while memory is sampling
start_node G
GC=$BV_COOKIE
GPID=$BV_NODE_PID
MOUT="$BV_TMP/mem.vl.json"
"$BEAMVIZ" --node "$G" --cookie "$GC" memory --samples 50 --interval 100 -o "$MOUT" \
  >"$BV_TMP/gone.out" 2>"$BV_TMP/gone.err" </dev/null &
BVPID=$!
sleep 1.5
kill -KILL "$GPID"
wait "$BVPID"
rc=$?
[ $rc = 9 ] || fail "node killed mid-command: exit $rc, expected 9; stderr: $(cat "$BV_TMP/gone.err")"
[ "$(wc -l <"$BV_TMP/gone.err")" = 1 ] || fail "node killed: stderr is not one line: $(cat "$BV_TMP/gone.err")"
grep -qF "$G" "$BV_TMP/gone.err" || fail "node killed: node not named: $(cat "$BV_TMP/gone.err")"
[ ! -e "$MOUT" ] || fail "node killed: $MOUT left behind"
ls "$MOUT".tmp-* >/dev/null 2>&1 && fail "node killed: temporary file left behind"
grep -qF -- "$GC" "$BV_TMP/gone.out" "$BV_TMP/gone.err" && fail "node killed: the cookie appears in the output"

# --- no cookie at all (empty HOME, no ERLANG_COOKIE)
expect_exit 2 "no cookie" "$OUT" -- "$BEAMVIZ" --node "$T" procs -o "$OUT"
grep -qF "$T" "$EXPECT_STDERR" || fail "no cookie: node not named"
settled "no cookie"

# --- --cookie-file missing
expect_exit 4 "$BV_TMP/nosuch.cookie" "$OUT" -- \
  "$BEAMVIZ" --node "$T" --cookie-file "$BV_TMP/nosuch.cookie" procs -o "$OUT"
settled "cookie file missing"

# --- bad --node values
for bad in 'a b@127.0.0.1' '@127.0.0.1' 'x@' 'na"me@host' ''; do
  expect_exit 2 "node" "$OUT" -- "$BEAMVIZ" --node "$bad" --cookie "$COOKIE" procs -o "$OUT"
done
settled "bad --node"

# --- bad --timeout values
for bad in 0 -5 abc 10x 99999999999999999999 ''; do
  expect_exit 2 "--timeout" "$OUT" -- "$BEAMVIZ" --node "$T" --cookie "$COOKIE" --timeout "$bad" procs -o "$OUT"
done
settled "bad --timeout"

# --- the target is still fine
check "procs still works after the table" "$BEAMVIZ" --node "$T" --cookie "$COOKIE" procs -o "$OUT"
pass
