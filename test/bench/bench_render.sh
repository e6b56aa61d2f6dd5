#!/usr/bin/env bash
# bench_render.sh: `beamviz render` of large model files, the build before issue 9
# and this one side by side: wall time and peak RSS. Prints figures; asserts nothing.
#   1. traces of 100,000 and 1,000,000 events, each with its seq_trace serial (a
#      nested array: the earlier reader's single array cursor was lost on every
#      element, which made reading quadratic), written as beamviz writes them -> .mmd
#   2. a tree with 100,000 links ([a,b] pairs: nested arrays again) -> .mmd
#   3. (BV_BENCH_SVG=1) a tree of 1,000,000 children -> .svg: peak memory (cairo's
#      SVG surface keeps every operation of its page; the old build also held the
#      document twice). Minutes, and gigabytes for the old build.
# The old binary's runs are capped with `timeout` (BV_BENCH_CAP seconds, default 300
# for the 1,000,000-event trace and the SVG, 600 for the rest) and shown as "> N s".
# Usage: test/bench/bench_render.sh [NEW] [OLD]
#   (default build/beamviz and /work/baseline/beamviz)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
new=${1:-${BEAMVIZ:-$src/build/beamviz}}
old=${2:-/work/baseline/beamviz}
cap=${BV_BENCH_CAP:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bv-bench-render.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$new" ] || { echo "no beamviz at $new (pass its path)" >&2; exit 2; }
[ -x "$old" ] || { echo "no old beamviz at $old (pass its path as the second argument)" >&2; exit 2; }
gen="$src/test/bench/gen_models.py"

# run CAP OUT cmd...: wall time and peak RSS of one run, "> CAP s" when it was cut
run() {
  python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
cap, out, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
try:
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=cap).returncode
    t = "%.2f s" % (time.monotonic() - t0)
except subprocess.TimeoutExpired:
    rc, t = 0, "> %d s" % cap
mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
note = "" if rc == 0 else " (exit %d)" % rc
print("%-9s %6.0f MB%s" % (t, mb, note))
EOF
}

size_mb() { python3 -c "import os,sys; print('%.0f MB' % (os.path.getsize(sys.argv[1]) / 1e6))" "$1"; }

row() { # row LABEL FILE OUT CAP_OLD [ARGS for the new build]
  local label=$1 file=$2 out=$3 capold=$4 o n
  shift 4
  o=$(run "$capold" "$tmp/old.$out" "$old" render "$file" -o "$tmp/old.$out")
  n=$(run 3600 "$tmp/new.$out" "$new" render "$file" -o "$tmp/new.$out" "$@")
  printf '%-34s %7s   %-22s %-22s\n' "$label" "$(size_mb "$file")" "$o" "$n"
  rm -f "$tmp/old.$out" "$tmp/new.$out"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %7s   %-22s %-22s\n' "render" "file" "old (before issue 9)" "new"
python3 "$gen" trace 100000 "$tmp/t100k.json"
row "trace, 100,000 events -> .mmd" "$tmp/t100k.json" mmd 600
rm -f "$tmp/t100k.json"
python3 "$gen" trace 1000000 "$tmp/t1m.json"
row "trace, 1,000,000 events -> .mmd" "$tmp/t1m.json" mmd "$cap"
rm -f "$tmp/t1m.json"
python3 "$gen" tree 100000 "$tmp/links.json" 100000
row "tree, 100,000 links -> .mmd" "$tmp/links.json" mmd 600
rm -f "$tmp/links.json"
if [ "${BV_BENCH_SVG:-0}" = 1 ]; then
  python3 "$gen" tree 1000000 "$tmp/tree1m.json"
  # images fold at 12 children by default since issue 10; the old build drew all
  row "tree, 1,000,000 children -> .svg" "$tmp/tree1m.json" svg "$cap" --max-children 0
fi
