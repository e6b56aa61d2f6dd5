#!/usr/bin/env bash
# bench_seqtrace.sh: beamviz seqtrace --attach on a process handling a steady
# stream of messages. Prints figures, asserts nothing:
#   - events per second captured (attach for 3 s, no event cap);
#   - the traced process's throughput with and without the trace (overhead);
#   - end-to-end time of a 10,000-event trace (connect, trace, write JSON).
# Usage: BEAMVIZ=build/beamviz bash test/bench/bench_seqtrace.sh [BATCH]
#   BATCH: messages the producer sends per millisecond tick (default 5, 20 for a
#   harder load).
set -u
BV_SRC=${BV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BEAMVIZ=${BEAMVIZ:-$BV_SRC/build/beamviz}
export BV_SRC BEAMVIZ
. "$BV_SRC/test/e2e/lib.sh"
BATCH=${1:-5}

mkdir -p "$BV_TMP/ebin"
erlc -o "$BV_TMP/ebin" "$BV_SRC/test/e2e/erl/seq_load.erl" || fail "erlc"
start_node N erl -pa "$BV_TMP/ebin"
erl_eval "$N" "seq_load:start_sink(), seq_load:start_producer($BATCH), ok." >/dev/null
BV=("$BEAMVIZ" seqtrace --node "$N" --cookie "$BV_COOKIE")
sleep 1

base=$(erl_eval "$N" 'seq_load:rate(3000).')
"${BV[@]}" --attach seq_sink --duration 3000 --max-events 10000000 --max-queue 1000000 \
  -o "$BV_TMP/rate.json" 2>"$BV_TMP/rate.err" &
bvpid=$!
sleep 0.2
traced=$(erl_eval "$N" 'seq_load:rate(2500).')
wait $bvpid
events=$(grep -c '"kind":' "$BV_TMP/rate.json")
stop=$(grep -o '"stop_reason":"[^"]*"' "$BV_TMP/rate.json" | cut -d'"' -f4)

t0=$(date +%s.%N)
"${BV[@]}" --attach seq_sink --max-events 10000 --duration 60000 --max-queue 1000000 \
  -o "$BV_TMP/10k.json" 2>"$BV_TMP/10k.err"
t1=$(date +%s.%N)
n10k=$(grep -c '"kind":' "$BV_TMP/10k.json")
t0m=$(date +%s.%N)
"$BEAMVIZ" render "$BV_TMP/10k.json" -o "$BV_TMP/10k.mmd" 2>/dev/null
t1m=$(date +%s.%N)

echo "seqtrace --attach benchmark (producer: $BATCH messages per 1 ms tick)"
printf '  sink throughput without trace : %8d msg/s\n' "$base"
printf '  sink throughput while traced  : %8d msg/s\n' "$traced"
awk -v a="$base" -v b="$traced" 'BEGIN { if (b > 0) printf "  overhead ratio (without/with) : %8.2f\n", a / b }'
printf '  events captured in 3 s        : %8d (%d/s, stop: %s)\n' "$events" $((events / 3)) "$stop"
awk -v a="$t0" -v b="$t1" -v n="$n10k" 'BEGIN { printf "  10,000-event trace end to end : %8.2f s (%d events kept)\n", b - a, n }'
awk -v a="$t0m" -v b="$t1m" 'BEGIN { printf "  render 10,000 events to .mmd  : %8.3f s\n", b - a }'
pass >/dev/null
