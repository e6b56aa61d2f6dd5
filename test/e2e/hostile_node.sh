#!/usr/bin/env bash
# hostile_node.sh: bytes from a node are never trusted. On a TEST node, rex is
# replaced by test/e2e/erl/bv_liar.erl, which answers `beamviz procs` with
# malformed data (slices past the end, too many rows, non-pids, a bad reply,
# short rows). Each case: exit 14, one stderr line naming the node data, no
# output file, no crash (the sanitizer build runs this too).
. "$BV_SRC/test/e2e/lib.sh"

mkdir -p "$BV_TMP/ebin"
check "compile bv_liar" erlc -o "$BV_TMP/ebin" "$BV_SRC/test/e2e/erl/bv_liar.erl"
start_node N erl -pa "$BV_TMP/ebin"
OUT="$BV_TMP/out.csv"
BV=("$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" --timeout 5000 procs -o "$OUT")

check "procs works before the liar" "${BV[@]}"
rm -f "$OUT"
[ "$(erl_eval "$N" 'bv_liar:install().')" = ok ] || fail "cannot install the liar"
for mode in slice_past_end too_many_rows not_a_pid bad_reply short_row; do
  [ "$(erl_eval "$N" "bv_liar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  expect_exit 14 "from the node" "$OUT" -- "${BV[@]}"
done
erl_eval "$N" 'bv_liar:restore().' >/dev/null
sleep 0.5
check "procs works again with the real rex" "${BV[@]}"
pass
