#!/usr/bin/env bash
# hostile_node.sh: bytes from a node are never trusted. On a TEST node, rex is
# replaced by test/e2e/erl/bv_liar.erl, which answers `beamviz procs` with
# malformed data (chunks past the end, too many chunks or rows, a chunk twice
# or never, non-pids, a bad setup, a value that is no ref, a chunk before the
# setup, short rows). Each case, for CSV (written at the end) and Vega-Lite
# (written while chunks arrive): exit 14, one stderr line naming the node
# data, no output file, no crash (the sanitizer build
# runs this too).
. "$BV_SRC/test/e2e/lib.sh"

mkdir -p "$BV_TMP/ebin"
check "compile bv_liar" erlc -o "$BV_TMP/ebin" "$BV_SRC/test/e2e/erl/bv_liar.erl"
start_node N erl -pa "$BV_TMP/ebin"
BV=("$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" --timeout 5000 procs -o)

check "procs works before the liar" "${BV[@]}" "$BV_TMP/before.vl.json"
[ "$(erl_eval "$N" 'bv_liar:install().')" = ok ] || fail "cannot install the liar"
for mode in chunk_past_end too_many_chunks too_many_rows chunk_twice chunk_missing not_a_pid \
  bad_reply not_a_ref chunk_before_setup short_row; do
  [ "$(erl_eval "$N" "bv_liar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  for ext in csv vl.json; do
    OUT="$BV_TMP/$mode.$ext"
    expect_exit 14 "from the node" "$OUT" -- "${BV[@]}" "$OUT"
  done
done
# to stdout nothing at all, though a whole chunk (2000 rows, more than the
# writer's buffer) came before the failure: half a spec in a pipe would be
# worse than none
[ "$(erl_eval "$N" "bv_liar:mode(chunk_missing).")" = ok ] || fail "cannot set mode chunk_missing"
expect_exit 14 "from the node" - -- "${BV[@]}" -
[ ! -s "$EXPECT_STDOUT" ] || fail "a failed run wrote $(wc -c <"$EXPECT_STDOUT") bytes to stdout"
# nothing half-written next to the outputs either
ls "$BV_TMP"/*.tmp-* >/dev/null 2>&1 && fail "a temporary output file was left: $(ls "$BV_TMP"/*.tmp-*)"
erl_eval "$N" 'bv_liar:restore().' >/dev/null
sleep 0.5
check "procs works again with the real rex" "${BV[@]}" "$BV_TMP/after.vl.json"
pass
