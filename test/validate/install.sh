#!/bin/sh
# install.sh DEST: puts the output checkers (vl-check, mmd-check) and the pinned npm
# packages of this directory into DEST (the build's validators dir), running `npm ci`
# (or copying test/validate/node_modules when `npm ci` already ran there) only when DEST's
# packages are missing or were installed from another package-lock.json. Run by ctest as
# the fixture every e2e test requires. Prints nothing on success when up to date.
set -eu
src=$(cd "$(dirname "$0")" && pwd -P)
dest=${1:?usage: install.sh DEST}
mkdir -p "$dest"
command -v node >/dev/null 2>&1 || { echo "install.sh: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "install.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
exec 9>"$dest/.install.lock"
flock 9
for f in package.json package-lock.json vl-check vl-check.mjs mmd-check mmd-check.mjs; do
  cmp -s "$src/$f" "$dest/$f" || cp "$src/$f" "$dest/$f"
done
chmod +x "$dest/vl-check" "$dest/mmd-check"
stamp="$dest/node_modules/.bv-lock-copy"
if [ ! -d "$dest/node_modules/vega-lite" ] || ! cmp -s "$src/package-lock.json" "$stamp"; then
  rm -rf "$dest/node_modules"
  if cmp -s "$src/package-lock.json" "$src/node_modules/.bv-lock-copy" 2>/dev/null; then
    # `./run.sh test` already ran npm ci in the source tree: copy, no network needed
    cp -a "$src/node_modules" "$dest/node_modules"
  else
    echo "install.sh: npm ci in $dest" >&2
    (cd "$dest" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline --loglevel=error >&2)
  fi
  cp "$src/package-lock.json" "$stamp"
fi
# Smoke test: both checkers load their packages.
printf '{"$schema":"https://vega.github.io/schema/vega-lite/v5.json","data":{"values":[{"a":1}]},"mark":"point","encoding":{"x":{"field":"a","type":"quantitative"}}}' >"$dest/.smoke.vl.json"
printf 'sequenceDiagram\n  A->>B: hi\n' >"$dest/.smoke.mmd"
"$dest/vl-check" --strict --no-svg "$dest/.smoke.vl.json" >/dev/null
"$dest/mmd-check" "$dest/.smoke.mmd" >/dev/null
