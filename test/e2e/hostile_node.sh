#!/usr/bin/env bash
# hostile_node.sh: bytes from a node are never trusted. On a TEST node, rex is
# replaced by test/e2e/erl/bv_liar.erl, which answers `beamviz procs` with
# malformed data (chunks past the end, too many chunks or rows, a chunk twice
# or never, non-pids, a bad setup, a value that is no ref, a chunk before the
# setup, short rows). Each case, for CSV (written at the end) and Vega-Lite
# (written while chunks arrive): exit 14, one stderr line naming the node
# data, no output file, no crash (the sanitizer build
# runs this too). Claims that would cost memory (more processes than the node
# can have, a list of [] decoding to a GB) also keep beamviz's peak RSS small.
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

# procs --window: a first pass's chunk twice, past the end, of bad rows, one
# pid many times, too long; the second listing's times backwards; the second
# pass before the first ended; the second pass claiming other workers
for mode in w0_chunk_twice w0_past_end w0_bad_row w0_dup_pid w0_too_many_rows w_bad_times \
  w_pass2_early w_workers_changed; do
  [ "$(erl_eval "$N" "bv_liar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  for ext in csv vl.json; do
    OUT="$BV_TMP/$mode.$ext"
    expect_exit 14 "from the node" "$OUT" -- "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" \
      --timeout 5000 procs --window 10 -o "$OUT"
  done
done

# --- memory the node cannot inflate (issue 9, item 5) -----------------------
# A claim costs nothing until data backs it, and one message costs at most its
# decoded budget (256 MB by default). Each run is watched: its peak RSS is
# recorded and it is killed past a ceiling, so a regression fails here instead
# of taking the machine (a beamviz that trusted claims allocated 3.1 GB for a
# setup claiming 50 million processes, 1.14 GB for a 20 MB list of []).
# peak_run CEILING_MB CMD...: runs CMD (stdio passed through), writes its peak
# RSS in MB to $BV_TMP/peak_mb, exits with CMD's status (128+N if killed).
peak_run() {
  python3 -c '
import resource, subprocess, sys, time
ceiling = int(sys.argv[1]) * 1024
p = subprocess.Popen(sys.argv[3:])
peak = 0
while p.poll() is None:
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    if peak > ceiling:
        p.kill()
        p.wait()
        break
    time.sleep(0.002)
peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % (peak // 1024))
sys.exit(128 - p.returncode if p.returncode < 0 else p.returncode)
' "$1" "$BV_TMP/peak_mb" "${@:2}"
}
# expect_small CEILING_MB 'substring' OUT MODE [TIMEOUT_MS]: beamviz against
# the liar in MODE is exit 14 with one line containing the substring, no file,
# peak RSS below the ceiling
expect_small() {
  local ceiling=$1 sub=$2 out=$3 mode=$4 peak
  [ "$(erl_eval "$N" "bv_liar:mode($mode).")" = ok ] || fail "cannot set mode $mode"
  expect_exit 14 "$sub" "$out" -- peak_run "$ceiling" "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" \
    --timeout "${5:-5000}" procs -o "$out"
  peak=$(cat "$BV_TMP/peak_mb")
  [ "$peak" -lt "$ceiling" ] || fail "$mode: beamviz peaked at $peak MB (ceiling $ceiling MB)"
}
for ext in csv vl.json; do
  # more processes than the node's process limit: refused at the setup,
  # before a row came
  expect_small 200 "more than its process limit" "$BV_TMP/claim50m.$ext" "{claim, 50000000}"
  expect_small 200 "more than its process limit" "$BV_TMP/claim200m.$ext" "{claim, 200000000}"
  # a limit above erl's maximum (+P 134217727) is no limit to believe
  expect_small 200 "process limit 200000000" "$BV_TMP/limit.$ext" "{claim, 150000000, 200000000}"
  # a claim no limit check can refuse (134,217,727, the most any node can
  # have), then the last chunk only: its 1727 rows are all that is stored
  expect_small 200 "before every chunk came" "$BV_TMP/lastchunk.$ext" last_chunk_only
done
# the template's value is a 20 MB list of [] (a bv_term each: 1.12 GB); the
# node takes some 10 s to encode and send it
expect_small 300 "too large" "$BV_TMP/nils.vl.json" "{nil_list, 20000000}" 60000
# a trace relay sending more events than asked for: the event array is
# bounded by --max-events, not by what the node sends
[ "$(erl_eval "$N" "bv_liar:mode(too_many_events).")" = ok ] || fail "cannot set mode too_many_events"
expect_exit 14 "more events than asked for" "$BV_TMP/events.json" -- \
  "$BEAMVIZ" --node "$N" --cookie "$BV_COOKIE" --timeout 5000 seqtrace --eval ok --max-events 10 \
  -o "$BV_TMP/events.json"
# a trace across nodes whose follower (the liar) sends a serial cycle, a name
# with '|', a pid of a node named 'a|b@h' and one of a node nobody asked: the
# merge ends, every event is kept, the odd pid has no node, c@h is named as
# not asked (exit 15) and the file reads back
start_node M
check "M takes N's cookie" erl_eval "$M" "erlang:set_cookie(node(), '$(node_cookie "$N")'), ok."
BV_COOKIES[$M]=$(node_cookie "$N")
[ "$(erl_eval "$N" "bv_liar:mode(serial_cycle).")" = ok ] || fail "cannot set mode serial_cycle"
"$BEAMVIZ" --cookie "$(node_cookie "$N")" --timeout 5000 seqtrace --nodes "$M,$N" \
  --eval 'self() ! hi, receive hi -> ok end' -o "$BV_TMP/cycle.json" 2>"$BV_TMP/cycle.err"
rc=$?
[ "$rc" = 15 ] || fail "a lying follower: exit $rc (want 15): $(cat "$BV_TMP/cycle.err")"
grep -q "node c@h failed (.*): not one of the nodes asked" "$BV_TMP/cycle.err" ||
  fail "a lying follower: c@h not named: $(cat "$BV_TMP/cycle.err")"
python3 - "$BV_TMP/cycle.json" <<'PY' || fail "a lying follower: model"
import json, sys
m = json.load(open(sys.argv[1]))
ev, parts = m["events"], m["participants"]
assert len(ev) == 6, [e["label"] for e in ev]
assert sorted(tuple(e["serial"]) for e in ev if e["label"] == "INFO: x") == [(1, 3), (1, 3), (2, 1), (3, 2)]
odd = [e for e in ev if e["label"] == "INFO: odd"]
assert len(odd) == 1 and "node" not in parts[odd[0]["from"]] and parts[odd[0]["to"]]["node"] == "c@h", (odd, parts)
assert [n["node"] for n in m["nodes"]][2:] == ["c@h"], m["nodes"]
PY
check "a lying follower's file reads back" "$BEAMVIZ" render "$BV_TMP/cycle.json" -o "$BV_TMP/cycle.mmd"
mmd_check "$BV_TMP/cycle.mmd"
# --- end of memory the node cannot inflate ----------------------------------

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
