# cookie_argv.sh: a cookie given with --cookie is not left in beamviz's command line,
# which every local user can read (/proc/PID/cmdline, ps) for the whole run: once beamviz
# has joined the node, its cmdline no longer holds the cookie, in both forms
# (--cookie VALUE, --cookie=VALUE) and with --cookie given twice (the last one counts and
# both are blanked); the run still works with the cookie it was given. --help points to
# the safer ways, --cookie-file and $ERLANG_COOKIE.
. "$BV_SRC/test/e2e/lib.sh"

start_node T
C=$(node_cookie "$T")
WRONG="wrong-$(bv__rand 8)"

# run_hidden DESC OUT args...: runs beamviz in the background; once it has joined T,
# its command line must not hold the cookie (nor an earlier --cookie's value); then it
# must end with exit 0 and OUT written
run_hidden() {
  local desc=$1 out=$2 bv joined= rc
  shift 2
  "$BEAMVIZ" "$@" >/dev/null 2>"$BV_TMP/run.err" </dev/null &
  bv=$!
  for _ in $(seq 100); do
    joined=$(erl_eval "$T" "[N || N <- nodes(hidden), lists:prefix(\"beamviz_\", atom_to_list(N))]") &&
      [ "$joined" != "[]" ] && break
    joined=
    kill -0 $bv 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$joined" ]; then
    kill -KILL $bv 2>/dev/null
    fail "$desc: beamviz (pid $bv) never joined $T: $(head -c 2000 "$BV_TMP/run.err")"
  fi
  tr '\0' ' ' <"/proc/$bv/cmdline" >"$BV_TMP/cmdline"
  grep -q -- '--cookie' "$BV_TMP/cmdline" || { kill -KILL $bv; fail "$desc: read the wrong process: $(cat "$BV_TMP/cmdline")"; }
  if grep -qF -- "$C" "$BV_TMP/cmdline"; then
    kill -KILL $bv
    fail "$desc: the cookie is in beamviz's /proc/$bv/cmdline while it runs: $(cat "$BV_TMP/cmdline")"
  fi
  if grep -qF -- "$WRONG" "$BV_TMP/cmdline"; then
    kill -KILL $bv
    fail "$desc: an earlier --cookie value is in /proc/$bv/cmdline: $(cat "$BV_TMP/cmdline")"
  fi
  wait $bv
  rc=$?
  [ $rc = 0 ] || fail "$desc: exit $rc: $(head -c 2000 "$BV_TMP/run.err")"
  [ -s "$out" ] || fail "$desc: no output $out"
}

run_hidden "--cookie VALUE" "$BV_TMP/m1.json" \
  --node "$T" --cookie "$C" memory --samples 20 --interval 100 -o "$BV_TMP/m1.json"
run_hidden "--cookie=VALUE after the command" "$BV_TMP/m2.json" \
  memory --node "$T" --samples 20 --interval 100 --cookie="$C" -o "$BV_TMP/m2.json"
run_hidden "--cookie twice" "$BV_TMP/m3.json" \
  --cookie "$WRONG" memory --node "$T" --cookie "$C" --samples 20 --interval 100 -o "$BV_TMP/m3.json"

"$BEAMVIZ" --help >"$BV_TMP/help.txt" || fail "--help failed"
line=$(grep -E -- '^ *--cookie VALUE' "$BV_TMP/help.txt")
case "$line" in *--cookie-file*'$ERLANG_COOKIE'*) ;; *) fail "--help's --cookie line does not point to --cookie-file and \$ERLANG_COOKIE: $line" ;; esac
pass
