#!/bin/bash
# run.sh: the two set-up commands of the README, for a fresh Debian 12 machine (as root,
# or as a user with sudo). Each installs only the apt packages that are missing.
#
#   ./run.sh demo [DIR]   build packages; build into build/; run `build/beamviz demo -o DIR`
#                         (default out/): a throwaway local node with the example workload,
#                         every output beamviz can make
#   ./run.sh test         build + test packages (elixir, node/npm, checkers) and the pinned
#                         npm packages (`npm ci` in test/validate); builds build/ and, with
#                         -DBV_SANITIZE=ON (ASan+UBSan), build-asan/; runs the whole ctest
#                         suite in both; exits non-zero if anything failed
#
# Env: JOBS (default: number of CPUs), CTEST_TIMEOUT (seconds per test, default 600),
#      BV_SKIP_APT=1 (never call apt-get; fail if something is missing).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
src=$(pwd)

BUILD_PKGS=(build-essential cmake pkg-config erlang-dev erlang-base erlang-nox
  libcairo2-dev fonts-dejavu-core)
# ca-certificates: npm's https; procps: ps/pgrep in tests; the rest check outputs.
TEST_PKGS=(elixir librsvg2-bin libxml2-utils poppler-utils python3 ca-certificates procps)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CTEST_TIMEOUT=${CTEST_TIMEOUT:-600}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# apt_need PKG...: installs the packages dpkg does not know as installed.
apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "${BV_SKIP_APT:-}" = 1 ] && die "missing packages (BV_SKIP_APT=1): ${missing[*]}"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {  # build DIR [cmake args...]
  local dir=$1
  shift
  say "building $dir $*"
  cmake -S "$src" -B "$src/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$src/$dir" -j "$JOBS"
}

cmd_demo() {
  apt_need "${BUILD_PKGS[@]}"
  build build
  local out=${1:-out}
  say "build/beamviz demo -o $out"
  "$src/build/beamviz" demo -o "$out"
  say "outputs in $out/:"
  ls -l "$out"
}

npm_packages() {
  # node/npm may come from outside Debian (e.g. NodeSource, whose nodejs bundles npm):
  # only ask apt for them when the commands are missing.
  if ! command -v node >/dev/null 2>&1; then
    apt_need nodejs npm
  elif ! command -v npm >/dev/null 2>&1; then
    apt_need npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || say "warning: node $(node --version) is older than the pinned jsdom wants (20.19+)"
  local v=test/validate
  if ! cmp -s "$v/package-lock.json" "$v/node_modules/.bv-lock-copy" 2>/dev/null; then
    say "npm ci in $v (pinned checkers)"
    (cd "$v" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp "$v/package-lock.json" "$v/node_modules/.bv-lock-copy"
  fi
}

run_ctest() {  # run_ctest DIR LABEL
  local dir=$1 label=$2 rc=0
  say "ctest in $dir ($label)"
  ctest --test-dir "$src/$dir" --output-on-failure -j "$JOBS" --timeout "$CTEST_TIMEOUT" \
    || rc=$?
  return $rc
}

cmd_test() {
  apt_need "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
  npm_packages
  build build
  build build-asan -DBV_SANITIZE=ON
  # ASan: report leaks too; UBSan: stop at the first report with a stack.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  local rc1=0 rc2=0
  run_ctest build normal || rc1=$?
  run_ctest build-asan "ASan+UBSan" || rc2=$?
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
    say "FAILED: normal build ctest exit $rc1, sanitizer build ctest exit $rc2"
    exit 1
  fi
  say "all tests passed in build/ and build-asan/"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  *)
    echo "usage: ./run.sh demo [DIR] | ./run.sh test" >&2
    exit 2
    ;;
esac
