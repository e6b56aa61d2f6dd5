#!/usr/bin/env bash
# bench_tree_layout.sh: how long `beamviz render` takes to draw supervision trees as
# images with `--direction auto` (the default: it tries several shapes and keeps one)
# and with `--direction TD` and `LR` (one layout each). Prints figures; asserts nothing.
# The auto drawing is a different picture from TD's (for big, 1,936 x 73,012 px with
# leaf rows wrapped, against TD's 1,360,828 x 223), so its drawing costs differ too.
# Trees (model files in the shape beamviz saves, written by python3):
#   big      1,000 supervisors x 10 workers under one root (11,001 nodes)
#   wide     a 24-child root with 16-leaf supervisors under each (409 nodes)
#   flat     2,000 workers under one supervisor
#   kernel   a kernel-sized small tree (about 15 nodes)
# each drawn whole (--max-children 0) to SVG and PNG.
# Usage: test/bench/bench_tree_layout.sh [BEAMVIZ] (default build/beamviz);
#   OLD=path/to/older/beamviz also times that build, figure after figure, prints new/old,
#   and compares the SVG bytes of both builds for auto, TD and LR ("identical: yes/no"),
#   whole and with the default fold. RUNS=n sets the runs per figure (best of n, default 3).
#   The layout alone is timed in process too (a small C program built against
#   BUILD/libbeamviz.a); OLDBUILD=dir (an older build directory inside its source
#   tree) times that build's layout next to it.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
bv=${1:-${BEAMVIZ:-$src/build/beamviz}}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bv-bench-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$bv" ] || { echo "no beamviz at $bv (pass its path)" >&2; exit 2; }
[ -z "${OLD:-}" ] || [ -x "$OLD" ] || { echo "OLD=$OLD is not an executable" >&2; exit 2; }

python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
def save(name, nodes, title):
    with open("%s/%s.json" % (t, name), "w") as f:
        f.write('{"format":"beamviz.suptree","version":1,"node":"bench@127.0.0.1",'
                '"otp_release":"25","elixir":false,"title":%s,"mode":"sup","walk_ms":1,\n'
                '"nodes":[' % json.dumps(title))
        f.write(",".join("\n" + json.dumps(n, separators=(",", ":")) for n in nodes))
        f.write('],\n"links":[]}\n')
pid = [100]
def node(kind, parent, **kw):
    pid[0] += 1
    n = {"kind": kind, "parent": parent, "pid": "<0.%d.0>" % pid[0],
         "type": "supervisor" if kind in ("root", "supervisor") else "worker"}
    n.update(kw)
    return n
# 1,000 supervisors x 10 workers
nodes = [node("root", -1, name="big_sup", module="big_sup")]
# (nodes in breadth-first order, as beamviz saves them)
for a in range(1000):
    nodes.append(node("supervisor", 0, child_id="pool_%d" % a, module="pool_sup"))
for a in range(1000):
    for c in range(10):
        nodes.append(node("worker", 1 + a, child_id="w%d" % c, module="pool_worker"))
save("big", nodes, "big_sup")
# 24-child root, 16-leaf supervisors under each
nodes = [node("root", -1, name="wide_sup", module="wide_sup")]
for a in range(24):
    nodes.append(node("supervisor", 0, name="part_%d_sup" % a, module="part_sup"))
for a in range(24):
    for c in range(16):
        nodes.append(node("worker", 1 + a, child_id="worker_%d" % c, module="part_worker"))
save("wide", nodes, "wide_sup")
# 2,000 workers under one supervisor
nodes = [node("root", -1, name="flat_sup", module="flat_sup")]
for c in range(2000):
    nodes.append(node("worker", 0, child_id="undefined", module="conn"))
save("flat", nodes, "flat_sup")
# kernel-sized
nodes = [node("root", -1, name="kernel_sup", module="kernel")]
for nm in ["code_server", "file_server_2", "global_name_server", "erl_signal_server",
           "inet_db", "global_group", "rex", "kernel_refc", "erts_code_purger"]:
    nodes.append(node("worker", 0, name=nm, module=nm))
for nm in ["logger_sup", "kernel_safe_sup"]:
    nodes.append(node("supervisor", 0, name=nm, module="supervisor"))
nodes.append(node("worker", len(nodes) - 2, child_id="default", module="logger_std_h"))
nodes.append(node("worker", len(nodes) - 2, child_id="disk_log_sup", module="disk_log"))
save("kernel", nodes, "kernel_sup")
# for the byte comparison only: every kind, long and odd labels, links (also
# between members of a wrapped block and to processes outside the tree)
nodes = [node("root", -1, name="misc_sup", module="misc_sup")]
for c in range(30):
    nodes.append(node("worker", 0, child_id="w%d" % c, module="misc_worker"))
for a in range(3):
    nodes.append(node("supervisor", 0, name="sub_%d_sup_" % a + "x" * (20 * a), module="sub_sup"))
nodes.append(node("notstarted", 0, child_id="later"))
nodes.append(node("unresponsive", 0, name="stuck_sup"))
nodes.append(node("worker", 0, name="caf\u00e9 \u2603 tab\there " + "long " * 30, module="m"))
for a in range(3):
    for c in range((5, 9, 30)[a]):
        nodes.append(node("worker", 31 + a, child_id="c%d" % c, module="m", state="running"))
nodes.append(node("external", 36, pid="#Port<0.7>"))
n = len(nodes)
links = [[1, 2], [3, 29], [5, n - 1], [31, 32], [36, n - 2], [2, 40], [n - 3, n - 12]]
with open("%s/misc.json" % t, "w") as f:
    f.write('{"format":"beamviz.suptree","version":1,"node":"bench@127.0.0.1",'
            '"otp_release":"25","elixir":false,"title":"misc_sup","mode":"sup","walk_ms":1,\n'
            '"nodes":[')
    f.write(",".join("\n" + json.dumps(x, separators=(",", ":")) for x in nodes))
    f.write('],\n"links":%s}\n' % json.dumps(links))
PY

# best of $runs runs of one command: "wall cpu" in seconds (cpu = user + sys of the child;
# the wall time is noisy on a loaded machine, the cpu time much less)
best() {
  python3 - "$runs" "$@" <<'PY'
import os, resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
bw = bc = None
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    w = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc:
        print("FAILED FAILED")
        sys.exit(0)
    c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    bw = w if bw is None else min(bw, w)
    bc = c if bc is None else min(bc, c)
print("%.3f %.3f" % (bw, bc))
PY
}
div() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2" 2>/dev/null || echo "-"; }

echo "beamviz render <tree>.json -o x.{svg,png} --max-children 0, best of $runs (seconds: wall, cpu)"
if [ -n "${OLD:-}" ]; then
  printf '%-7s %-4s %-5s %8s %8s %8s %8s %8s\n' tree fmt dir wall cpu old-wall old-cpu cpu-new/old
else
  printf '%-7s %-4s %-5s %8s %8s\n' tree fmt dir wall cpu
fi
for tr in big wide flat kernel; do
  for fmt in svg png; do
    for dir in auto TD LR; do
      read -r nw nc < <(best "$bv" render "$tmp/$tr.json" -o "$tmp/new.$fmt" --max-children 0 --direction $dir)
      if [ -n "${OLD:-}" ]; then
        read -r ow oc < <(best "$OLD" render "$tmp/$tr.json" -o "$tmp/old.$fmt" --max-children 0 --direction $dir)
        printf '%-7s %-4s %-5s %8s %8s %8s %8s %8s\n' "$tr" "$fmt" "$dir" "$nw" "$nc" "$ow" "$oc" "$(div "$nc" "$oc")"
      else
        printf '%-7s %-4s %-5s %8s %8s\n' "$tr" "$fmt" "$dir" "$nw" "$nc"
      fi
    done
  done
done

# the layout alone (cairo's text measurer, no rendering, no file read), in process,
# built against this build's library and, with OLDBUILD=dir, an older build's
cat > "$tmp/lay.c" <<'C'
#include "layout/layout.h"
#include "render/render.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
int main(int argc, char **argv) /* lay FILE auto|TD|LR RUNS: best seconds */
{
  bv_model m;
  memset(&m, 0, sizeof m);
  if (argc < 4 || bv_model_load(argv[1], NULL, &m))
    return 1;
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.max_children = 0;
  o.direction = !strcmp(argv[2], "TD") ? BV_DIR_TD : !strcmp(argv[2], "LR") ? BV_DIR_LR : BV_DIR_AUTO;
  o.left_right = o.direction == BV_DIR_LR;
  bv_measure ms;
  if (bv_cairo_measure_open(NULL, &ms))
    return 1;
  double best = 1e9;
  for (int i = 0; i < atoi(argv[3]); i++) {
    bv_scene *s = NULL;
    double t0 = now();
    if (bv_layout_tree_model(&m, &o, &ms, &s, NULL))
      return 1;
    double t = now() - t0;
    best = t < best ? t : best;
    bv_scene_free(s);
  }
  printf("%.3f\n", best);
  return 0;
}
C
ei=$(erl -noshell -eval 'io:format("~s", [code:lib_dir(erl_interface)]), halt().' 2>/dev/null || true)
mklay() { # mklay BUILDDIR SRCDIR OUT
  cc -O2 -include stdlib.h -I"$2/include" -I"$2/lib" -o "$3" "$tmp/lay.c" "$1/libbeamviz.a" \
     $(pkg-config --libs cairo) "$ei/lib/libei.a" -lpthread -lm 2>"$tmp/cc.err"
}
bdir=$(dirname "$bv")
if mklay "$bdir" "$src" "$tmp/lay_new"; then
  lay_old=''
  if [ -n "${OLDBUILD:-}" ] && mklay "$OLDBUILD" "$OLDBUILD/.." "$tmp/lay_old"; then lay_old=$tmp/lay_old; fi
  echo "layout alone (bv_layout_tree_model, --max-children 0), best of $runs (seconds):"
  printf '%-7s %-5s %8s %8s %8s\n' tree dir new old new/old
  for tr in big wide flat kernel; do
    for dir in auto TD LR; do
      n=$("$tmp/lay_new" "$tmp/$tr.json" $dir "$runs" || echo FAILED)
      o=-
      [ -z "$lay_old" ] || o=$("$lay_old" "$tmp/$tr.json" $dir "$runs" || echo FAILED)
      printf '%-7s %-5s %8s %8s %8s\n' "$tr" "$dir" "$n" "$o" "$(div "$n" "$o")"
    done
  done
else
  echo "layout alone: skipped (cannot build against $bdir/libbeamviz.a: $(head -c 200 "$tmp/cc.err"))"
fi

if [ -n "${OLD:-}" ]; then
  echo "SVG bytes, this build vs OLD:"
  for tr in big wide flat kernel misc; do
    for mc in 0 12 3; do
      for dir in auto TD LR; do
        for th in light dark; do
          if "$bv" render "$tmp/$tr.json" -o "$tmp/n.svg" --max-children $mc --direction $dir --theme $th 2>/dev/null &&
             "$OLD" render "$tmp/$tr.json" -o "$tmp/o.svg" --max-children $mc --direction $dir --theme $th 2>/dev/null &&
             cmp -s "$tmp/n.svg" "$tmp/o.svg"; then same=yes; else same=no; fi
          printf '%-7s --max-children %-2s --direction %-4s --theme %-5s identical: %s\n' "$tr" "$mc" "$dir" "$th" "$same"
        done
      done
    done
  done
fi
