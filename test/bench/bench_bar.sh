#!/usr/bin/env bash
# bench_bar.sh: the top-20 bar chart of a 100,000-process snapshot against the
# scatter of the same saved model: `beamviz render snap.json` to PNG, SVG and
# Vega-Lite, best of 5 wall times each, side by side. Also the bars of the
# whole set (--chart bar without --top: the 100 largest). Prints figures;
# asserts nothing.
# Usage: test/bench/bench_bar.sh [BEAMVIZ] (default build/beamviz); N=processes (100000)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
bv=${1:-${BEAMVIZ:-$src/build/beamviz}}
n=${N:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bv-bench-bar.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$bv" ] || { echo "no beamviz at $bv (pass its path)" >&2; exit 2; }
best_of() { # best_of N cmd...: best wall time of N runs, in seconds
  python3 - "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(n):
    t0 = time.monotonic()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    d = time.monotonic() - t0
    if rc:
        print("exit %d" % rc)
        sys.exit(0)
    best = d if best is None or d < best else best
print("%.3f s" % best)
PY
}
python3 "$src/test/bench/gen_models.py" procs "$n" "$tmp/snap.json" 30
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "model: $n processes, $(python3 -c "import os,sys; print('%.1f MB' % (os.path.getsize(sys.argv[1]) / 1e6))" "$tmp/snap.json")"
printf '%-8s %-14s %-22s %-22s\n' "format" "scatter" "top-20 bars (--top 20)" "bars of all (--chart bar)"
for ext in png svg vl.json; do
  s=$(best_of 5 "$bv" render "$tmp/snap.json" -o "$tmp/s.$ext")
  b=$(best_of 5 "$bv" render "$tmp/snap.json" --top 20 --by memory -o "$tmp/b.$ext")
  a=$(best_of 5 "$bv" render "$tmp/snap.json" --chart bar --by memory -o "$tmp/a.$ext")
  printf '%-8s %-14s %-22s %-22s\n' "$ext" "$s" "$b" "$a"
done
