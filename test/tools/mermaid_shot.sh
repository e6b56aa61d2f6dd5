#!/usr/bin/env bash
# mermaid_shot.sh: a dev tool (not a test: chromium is not part of run.sh's
# setup): renders a Mermaid file with Mermaid's own renderer in headless
# chromium and writes a PNG screenshot, to look at what Mermaid (GitHub, docs
# sites) makes of beamviz's output.
#
#   test/tools/mermaid_shot.sh FILE.mmd OUT.png [WIDTHxHEIGHT]
#
# Needs chromium (apt-get install -y chromium) and the mermaid npm package:
# test/validate/node_modules/mermaid/dist/mermaid.min.js (test/validate/install.sh),
# or MERMAID_JS=/path/to/mermaid.min.js. Window size default 2400x1400; the
# drawing is drawn at its natural size (useMaxWidth off), so a window smaller
# than the drawing crops it.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 FILE.mmd OUT.png [WIDTHxHEIGHT]" >&2; exit 2; }
src=$1 out=$2 size=${3:-2400x1400}
here=$(cd "$(dirname "$0")/../.." && pwd)
js=${MERMAID_JS:-$here/test/validate/node_modules/mermaid/dist/mermaid.min.js}
[ -f "$js" ] || { echo "$0: no $js (run test/validate/install.sh or set MERMAID_JS)" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "$0: no chromium (apt-get install -y chromium)" >&2; exit 2; }
case "$size" in *x*) ;; *) echo "$0: size '$size' is not WIDTHxHEIGHT" >&2; exit 2 ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$js" "$dir/mermaid.min.js"
# a ```mermaid block of a .md file is rendered too: the fence lines are dropped
python3 - "$src" "$dir/page.html" <<'PY'
import html, sys
text = open(sys.argv[1], encoding="utf-8").read()
lines = [l for l in text.splitlines() if not l.startswith("```")]
page = """<!doctype html><html><head><meta charset="utf-8">
<style>body{margin:8px;background:#fff}</style></head><body>
<pre class="mermaid">%s</pre>
<script src="mermaid.min.js"></script>
<script>mermaid.initialize({startOnLoad: true, flowchart: {useMaxWidth: false}});</script>
</body></html>""" % html.escape("\n".join(lines))
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --allow-file-access-from-files --window-size="${size/x/,}" --virtual-time-budget=5000 \
  --screenshot="$dir/shot.png" "file://$dir/page.html" >/dev/null 2>&1
[ -s "$dir/shot.png" ] || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
mv "$dir/shot.png" "$out"
echo "$out"
