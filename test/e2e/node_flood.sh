#!/usr/bin/env bash
# node_flood.sh: a node cannot make beamviz hold unbounded memory. On a TEST node,
# rex is replaced by test/e2e/erl/bv_flood.erl, which sends beamviz messages it did
# not ask for before each request is served: 200,000 messages of 4 KB (beamviz
# keeps at most 10,000 or 64 MiB of them: exit 14, one line, peak RSS far below
# the 800 MB the flood holds), or one 2 MB message (over --max-message 1: exit 14;
# --max-message 3 and the default take it). Bad --max-message values are usage
# errors.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

mkdir -p "$BV_TMP/ebin"
check "compile bv_flood" erlc -o "$BV_TMP/ebin" "$BV_SRC/test/e2e/erl/bv_flood.erl"
start_node N erl -pa "$BV_TMP/ebin"
BV=("$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" --timeout 20000)
OUT="$BV_TMP/out.csv"

check "procs works before the flood" "${BV[@]}" procs -o "$OUT"
rm -f "$OUT"
[ "$(erl_eval "$N" 'bv_flood:install().')" = ok ] || fail "cannot install the stand-in rex"

# peak RSS of a run in kB: /usr/bin/time if there is one, else VmHWM sampled
rss_run() {
  local rssf=$1 p k kb=0
  shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$rssf" "$@"
    return
  fi
  "$@" &
  p=$!
  while kill -0 $p 2>/dev/null; do
    k=$(awk '/VmHWM/ { print $2 }' /proc/$p/status 2>/dev/null)
    [ -n "$k" ] && [ "$k" -gt "$kb" ] && kb=$k
    sleep 0.01
  done
  echo "$kb" >"$rssf"
  wait $p
}

# --- a flood of unrelated messages during a call
[ "$(erl_eval "$N" 'bv_flood:mode({flood, 200000, 4096}).')" = ok ] || fail "cannot set flood mode"
expect_exit 14 "more than 10000 messages" "$OUT" -- rss_run "$BV_TMP/rss" "${BV[@]}" procs -o "$OUT"
grep -qF "$N" "$EXPECT_STDERR" || fail "flood: the node is not named: $(cat "$EXPECT_STDERR")"
kb=$(tail -n 1 "$BV_TMP/rss")
# 10,000 queued messages of 4 KB are 41 MB; the sanitizer build adds its own
limit=150000
if grep -qa __asan_init "$BEAMVIZ"; then limit=400000; fi
[ "$kb" -lt "$limit" ] || fail "flood: beamviz peaked at $kb kB (limit $limit kB)"

# --- one message over the limit on one message
[ "$(erl_eval "$N" 'bv_flood:mode({big, 2097152}).')" = ok ] || fail "cannot set big mode"
expect_exit 14 "more than the limit of 1 MiB on one message" "$OUT" -- \
  "${BV[@]}" --max-message 1 procs -o "$OUT"
check "a 2 MB message fits --max-message 3" "${BV[@]}" --max-message 3 procs -o "$OUT"
[ -s "$OUT" ] || fail "--max-message 3: no output"
rm -f "$OUT"
check "a 2 MB message fits the default limit" "${BV[@]}" procs -o "$OUT"
rm -f "$OUT"

# --- bad --max-message values
for bad in 0 4096 -1 abc 1.5 ''; do
  expect_exit 2 "--max-message" "$OUT" -- "${BV[@]}" --max-message "$bad" procs -o "$OUT"
done

[ "$(erl_eval "$N" 'bv_flood:mode(off).')" = ok ] || fail "cannot switch the flood off"
erl_eval "$N" 'bv_flood:restore().' >/dev/null
sleep 0.5
check "procs works again with the real rex" "${BV[@]}" procs -o "$OUT"
pass
