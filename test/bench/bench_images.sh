#!/usr/bin/env bash
# bench_images.sh: how fast beamviz draws, next to the tools people would use
# otherwise. Prints figures; asserts nothing.
#   1. a 100,000-point process scatter: `beamviz render snap.json -o x.png`
#      (and the layout + PNG alone, test/bench/bench_draw.c, without the JSON read)
#      against the same Vega-Lite spec (beamviz's own .vl.json) through
#      vega-lite + vega (node, SVG) and rsvg-convert (PNG). Target: >= 30x, < 0.3 s.
#   2. a 1,000-node supervision tree: `beamviz render tree.json -o t.png`
#      against Mermaid's own CLI (mmdc, headless Debian chromium) on the same tree.
# Usage: test/bench/bench_images.sh [BEAMVIZ] (default build/beamviz); OLD=path/to/older/beamviz
#   also renders the scatter with that build, best of 5 each, interleaved, and prints new/old.
# Needs: python3, node, rsvg-convert; the pinned npm packages of
# /work/shared/validators (install: its `install` script), chromium for mmdc.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
bv=${1:-${BEAMVIZ:-$src/build/beamviz}}
val=${BV_VALIDATORS:-$HOME/.cache/beamviz-validators}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bv-bench-img.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$bv" ] || { echo "no beamviz at $bv (pass its path)" >&2; exit 2; }
now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
best_of() { # best_of N cmd...: best wall time of N runs, in seconds
  local n=$1 best='' t0 t1 d; shift
  for _ in $(seq "$n"); do
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); d=$(secs "$t0" "$t1")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$d" "$best"; then best=$d; fi
  done
  echo "$best"
}
ratio() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

python3 - "$tmp" <<'EOF'
import json, random, sys
t = sys.argv[1]
r = random.Random(1)
st = ["waiting"] * 8 + ["running", "runnable", "garbage_collecting"]
procs = []
for i in range(100000):
    procs.append({"pid": "<0.%d.0>" % i, "name": ("proc_%d" % i) if i % 50 == 0 else None,
                  "reductions": int(10 ** r.uniform(0, 8)) if i % 997 else 0,
                  "memory": int(2600 + 10 ** r.uniform(2, 7)), "status": r.choice(st),
                  "message_queue_len": r.randrange(3), "current_function": "gen_server:loop/7",
                  "initial_call": "proc_lib:init_p/5"})
json.dump({"format": "beamviz.procs", "version": 1, "node": "bench@127.0.0.1", "otp_release": "25",
           "elixir": False, "total": len(procs), "skipped": 0, "procs": procs}, open(t + "/snap.json", "w"))
# 1,000 nodes: 10 supervisors of 9 supervisors of 10 workers (+ root)
nodes = [{"kind": "root", "parent": -1, "pid": "<0.80.0>", "name": "bench_sup"}]
lvl1 = []
for a in range(10):
    nodes.append({"kind": "supervisor", "parent": 0, "pid": "<0.%d.0>" % (100 + a), "name": "sup_%d" % a})
    lvl1.append(len(nodes) - 1)
lvl2 = []
for p in lvl1:
    for b in range(9):
        nodes.append({"kind": "supervisor", "parent": p, "pid": "<0.%d.0>" % (1000 + len(nodes)), "child_id": "pool_%d" % b})
        lvl2.append(len(nodes) - 1)
for p in lvl2:
    for c in range(10):
        if len(nodes) < 1000:
            nodes.append({"kind": "worker", "parent": p, "pid": "<0.%d.0>" % (5000 + len(nodes))})
json.dump({"format": "beamviz.suptree", "version": 1, "node": "bench@127.0.0.1", "title": "bench_sup",
           "elixir": False, "nodes": nodes, "links": []}, open(t + "/tree.json", "w"))
# the same tree as a Mermaid flowchart with Kino's classes
out = ["flowchart TD",
       "classDef root fill:#c4b5fd,stroke:#374151,stroke-width:4px",
       "classDef supervisor fill:#c4b5fd,stroke:#374151",
       "classDef worker fill:#66c2a5,stroke:#374151"]
for i, n in enumerate(nodes):
    label = n.get("name") or ((n.get("child_id") + " " + n["pid"]) if n.get("child_id") else n["pid"])
    label = label.replace("<", "#60;").replace(">", "#62;")
    out.append('n%d["%s"]:::%s' % (i, label, n["kind"]))
for i, n in enumerate(nodes):
    if n["parent"] >= 0:
        out.append("n%d --> n%d" % (n["parent"], i))
open(t + "/tree.mmd", "w").write("\n".join(out) + "\n")
json.dump({"maxEdges": 5000, "maxTextSize": 1000000}, open(t + "/mmd-config.json", "w"))
EOF

echo "== 1. process scatter, 100,000 points"
"$bv" render "$tmp/snap.json" -o "$tmp/snap.vl.json"
# the picture pipeline alone (layout + cairo PNG), built against this build's library
best=""
bdir=$(dirname "$bv")
ei=$(erl -noshell -eval 'io:format("~s", [code:lib_dir(erl_interface)]), halt().' 2>/dev/null || true)
draw=''
if [ -f "$bdir/libbeamviz.a" ] && cc -O2 -I"$src/include" -I"$src/lib" -o "$tmp/bench_draw" "$src/test/bench/bench_draw.c" \
     "$bdir/libbeamviz.a" $(pkg-config --libs cairo) "$ei/lib/libei.a" -lpthread -lm 2>"$tmp/cc.err"; then
  best=''
  for _ in 1 2 3; do
    read -r lay ren < <("$tmp/bench_draw" 100000 "$tmp/draw.png")
    tot=$(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) + float(sys.argv[2])))" "$lay" "$ren")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$tot" "$best"; then
      best=$tot; draw="layout ${lay} s + PNG ${ren} s"
    fi
  done
  echo "beamviz layout + PNG (in memory):    ${best} s (best of 3: $draw)"
else
  echo "beamviz layout + PNG: skipped (cannot build bench_draw: $(head -c 200 "$tmp/cc.err"))"
fi
b=$(best_of 1 "$bv" render "$tmp/snap.json" -o "$tmp/snap.png")
echo "beamviz render snap.json -> PNG:     ${b} s (reading the JSON model included)"
if [ -n "${OLD:-}" ]; then
  bn='' bo=''
  for _ in 1 2 3 4 5; do
    t=$(best_of 1 "$bv" render "$tmp/snap.json" -o "$tmp/snap.png")
    if [ -z "$bn" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$t" "$bn"; then bn=$t; fi
    t=$(best_of 1 "$OLD" render "$tmp/snap.json" -o "$tmp/snap_old.png")
    if [ -z "$bo" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$t" "$bo"; then bo=$t; fi
  done
  echo "render -> PNG, best of 5 interleaved: this build ${bn} s, old build ${bo} s, new/old $(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$bn" "$bo")"
fi
if [ -d "$val/node_modules/vega-lite" ] && command -v rsvg-convert >/dev/null; then
  cp "$src/test/bench/vega_render.mjs" "$val/.bench_vega_render.mjs"
  vega_png() { node "$val/.bench_vega_render.mjs" "$tmp/snap.vl.json" "$tmp/vega.svg" &&
               rsvg-convert -b white "$tmp/vega.svg" -o "$tmp/vega.png"; }
  v=$(best_of 1 vega_png)
  [ -s "$tmp/vega.png" ] || echo "(vega run failed)"
  echo "vega-lite + vega (SVG) + rsvg-convert: ${v} s"
  echo "ratio vega/beamviz render:            $(ratio "$v" "$b")x   (target >= 30x; beamviz target < 0.3 s)"
  [ -n "$best" ] && echo "ratio vega/beamviz layout+PNG:        $(ratio "$v" "$best")x"
  rm -f "$val/.bench_vega_render.mjs"
else
  echo "vega: skipped (no pinned npm packages in $val or no rsvg-convert)"
fi

echo "== 2. supervision tree, $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['nodes']))" "$tmp/tree.json") nodes"
b=$(best_of 3 "$bv" render "$tmp/tree.json" -o "$tmp/tree.png" --max-children 0)
echo "beamviz render -> PNG:               ${b} s (best of 3)"
mmdc=$val/node_modules/.bin/mmdc
if [ -x "$mmdc" ] && [ -x /usr/bin/chromium ]; then
  m=$(best_of 1 "$mmdc" -q -p "$val/puppeteer-config.json" -c "$tmp/mmd-config.json" \
        -i "$tmp/tree.mmd" -o "$tmp/mmdc.png")
  [ -s "$tmp/mmdc.png" ] || echo "(mmdc run failed)"
  echo "mmdc (Mermaid CLI, chromium) -> PNG: ${m} s"
  echo "ratio mmdc/beamviz:                   $(ratio "$m" "$b")x"
else
  echo "mmdc: skipped (needs $mmdc and /usr/bin/chromium: apt-get install -y chromium)"
fi
