# lib.sh: helpers for beamviz end-to-end tests. Source it first thing:
#
#     . "$BV_SRC/test/e2e/lib.sh"
#
# Each test/e2e/<name>.sh is a ctest `e2e.<name>`, run as `bash <name>.sh` with:
#   BEAMVIZ        the beamviz binary under test
#   BV_SRC         the source tree
#   BV_TMP         a scratch dir for this test (emptied here when it is ours; kept
#                  afterwards for post-mortems; default: a new mktemp -d)
#   BV_VALIDATORS  a dir with executable `vl-check` and `mmd-check` (pinned npm packages)
#   BV_BUILD       the build dir (set by ctest; e.g. for `cmake --install` or test binaries)
# Header lines a script may carry (read by test/CMakeLists.txt at configure time):
#   # ctest-timeout: SECONDS      (default 300)
#   # ctest-serial                (run alone: the script disturbs shared state)
# For hermetic runs lib.sh also sets HOME=$BV_TMP/home (empty: no ~/.erlang.cookie) and
# unsets ERLANG_COOKIE, so a test gets a cookie only where it passes one.
#
# Functions (quiet on success; on failure they print what failed and the script ends 1):
#   start_node VAR [erl|elixir|elixir-new] [extra erl args...]
#       (elixir-new: the Elixir of new_elixir_home, 1.15+; check that it is non-empty first)
#       Starts a node named bvtest_<random>@127.0.0.1 with its own random cookie, waits
#       until it answers erl_call, sets $VAR to its name and exports BV_COOKIE (the cookie
#       of the node started last; `node_cookie NODE` gives any node's). Extra args go to
#       erl (for elixir: passed through --erl). Every node started is stopped at exit,
#       also when the script is killed (its stdin is a FIFO this shell holds open).
#       Log: $BV_TMP/<name>.log. $BV_NODE_PID (OS pid of the last node) for kill tests.
#   node_cookie NODE            prints the cookie of a node started by start_node
#   erl_eval NODE 'Erlang exprs.'
#       Evaluates on the node (via erl_call) and prints the value as ~tp prints it, on one
#       line: `42`, `foo`, `"abc"`, `<<"bin">>`, `<0.85.0>`. Returns 1, printing the error
#       to stderr, if the code does not parse or raises. The final dot is optional.
#   ex_eval NODE 'Elixir code'  Code.eval_string on the node; prints a string result as
#       is, anything else as inspect/1 does (`42`, `:ok`, `#PID<0.85.0>`).
#   proc_count NODE             number of processes, read until two reads 200 ms apart
#       agree (connections from earlier calls take a moment to go away).
#   wait_proc_count NODE N [SECONDS]  waits (default 5 s) until NODE has N processes; on
#       timeout prints the last count and returns 1 (connections just closed, workers that
#       are finishing: give them a moment instead of sleeping a fixed time).
#   join_cluster NODE...        one fresh cookie (CK) for all, the first connected to the rest
#   target_baseline NODE        records NODE's process count and registered names
#   tree_pids FILE.json         the member pids of a saved supervision tree, sorted
#   target_settled NODE DESC [SECONDS]
#       waits until NODE is back at its baseline count; fails with DESC if the count rose
#       (something beamviz started was left behind) or a registered process is gone. A
#       lower count with every registered process still there passes and becomes the new
#       baseline: an unnamed short-lived process of the node itself ending late (seen
#       under parallel load), which nothing beamviz does can cause without killing.
#   vl_check FILE...            Vega-Lite v5: official JSON schema, compile, headless render
#       to SVG (not written). Warnings fail (strict); `vl_check --lax FILE...` allows them.
#   mmd_check FILE...           Mermaid 11's own parser (under jsdom); a .md file has each
#       ```mermaid block checked.
#   expect_exit CODE 'substring' OUTFILE -- cmd args...
#       Runs cmd; checks the exit code is CODE, stderr is exactly one line containing the
#       substring (and, for beamviz, starting with "beamviz: "), and OUTFILE (unless '' or
#       '-') does not exist, nor any OUTFILE.tmp-* left by an interrupted write. The
#       command's output is kept in $EXPECT_STDOUT and $EXPECT_STDERR (files).
#   check DESCRIPTION cmd args...   runs cmd; if it fails, fails the test with DESCRIPTION
#       and the command's output.
#   fail MSG                    fails the test now.
#   skip MSG                    ends the test as skipped (exit 77).
#   pass                        ends the test successfully. A script that ends without
#                               calling pass (or skip) fails.
#   on_exit 'shell code'        extra cleanup, run at exit before nodes are stopped.
#   free_port                   prints a loopback TCP port nobody listens on.
#   ERL_CALL                    the erl_call binary.

if [ -n "${BV_LIB_LOADED:-}" ]; then return 0; fi
BV_LIB_LOADED=1

BV_TEST_NAME=$(basename "${0:-test}" .sh)

bv__die() {
  printf 'FAIL %s: %s\n' "$BV_TEST_NAME" "$*" >&2
  BV_EXIT_OK=1
  exit 1
}

for bv__v in BEAMVIZ BV_SRC; do
  if [ -z "${!bv__v:-}" ]; then bv__die "environment variable $bv__v is not set"; fi
done
if [ ! -x "$BEAMVIZ" ]; then bv__die "BEAMVIZ=$BEAMVIZ is not an executable"; fi

# Scratch dir: a dir that lib.sh made earlier (marker file) is emptied so every run
# starts fresh; a foreign non-empty dir is left alone and a fresh subdir used instead.
if [ -z "${BV_TMP:-}" ]; then
  BV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bv-e2e.XXXXXX") || bv__die "mktemp failed"
elif [ -e "$BV_TMP/.bv-scratch" ]; then
  find "$BV_TMP" -mindepth 1 -delete 2>/dev/null || rm -rf "${BV_TMP:?}"/* "$BV_TMP"/.[!.]*
elif [ -d "$BV_TMP" ] && [ -n "$(ls -A "$BV_TMP" 2>/dev/null)" ]; then
  BV_TMP=$(mktemp -d "$BV_TMP/run.XXXXXX") || bv__die "mktemp failed"
fi
mkdir -p "$BV_TMP" || bv__die "cannot create BV_TMP=$BV_TMP"
: >"$BV_TMP/.bv-scratch"
BV_TMP=$(cd "$BV_TMP" && pwd -P)
export BV_TMP

export HOME="$BV_TMP/home"
mkdir -p "$HOME"
unset ERLANG_COOKIE

ERL_CALL=$(ls -d /usr/lib/erlang/lib/erl_interface-*/bin/erl_call 2>/dev/null | tail -n 1)
if [ -z "$ERL_CALL" ] && command -v erl >/dev/null 2>&1; then
  ERL_CALL="$(erl -noshell -eval 'io:format("~s",[code:lib_dir(erl_interface)]),halt().' 2>/dev/null)/bin/erl_call"
fi
BV_EVAL_TIMEOUT=${BV_EVAL_TIMEOUT:-60}

BV_NODES=()       # node names
BV_NODE_PIDS=()   # OS pids, same order
BV_NODE_FDS=()    # write ends of the nodes' stdin FIFOs
declare -A BV_COOKIES=()
BV_ON_EXIT=()
BV_EXIT_OK=

on_exit() { BV_ON_EXIT+=("$1"); }

bv__cleanup() {
  local rc=$? i fd pid deadline
  trap - EXIT
  if [ "$rc" = 0 ] && [ -z "$BV_EXIT_OK" ]; then
    printf 'FAIL %s: script ended without calling pass\n' "$BV_TEST_NAME" >&2
    rc=1
  fi
  for ((i = ${#BV_ON_EXIT[@]} - 1; i >= 0; i--)); do
    eval "${BV_ON_EXIT[$i]}" >/dev/null 2>&1 || true
  done
  # Closing a node's stdin makes it halt; TERM then KILL whatever is still there.
  for fd in "${BV_NODE_FDS[@]}"; do eval "exec $fd>&-" 2>/dev/null || true; done
  for pid in "${BV_NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 5))
  for pid in "${BV_NODE_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  exit "$rc"
}
trap bv__cleanup EXIT

# Watchdog for a script killed with SIGKILL (a ctest timeout): its running children may
# still hold the nodes' stdin FIFOs open, so once this shell is gone the watchdog kills
# the nodes listed in $BV_TMP/.nodes ("pid name" lines; checked against the command line
# so a recycled pid is never hit). It is not our child (setsid -f): `wait` never waits for it.
BV_NODE_LIST="$BV_TMP/.nodes.$$"
: >"$BV_NODE_LIST"
bv__watchdog='while kill -0 "$1" 2>/dev/null; do sleep 1; done
while read -r p n; do
  grep -qa -- "$n" "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
done <"$2"'
if command -v setsid >/dev/null 2>&1; then
  setsid -f bash -c "$bv__watchdog" bv-watchdog "$$" "$BV_NODE_LIST" </dev/null >/dev/null 2>&1
else
  bash -c "$bv__watchdog" bv-watchdog "$$" "$BV_NODE_LIST" </dev/null >/dev/null 2>&1 &
  disown $! 2>/dev/null || true
fi
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { bv__die "$*"; }

pass() {
  printf 'PASS %s\n' "$BV_TEST_NAME"
  BV_EXIT_OK=1
  exit 0
}

skip() {
  printf 'SKIP %s: %s\n' "$BV_TEST_NAME" "$*"
  BV_EXIT_OK=1
  exit 77
}

bv__rand() { od -An -N"${1:-6}" -tx1 /dev/urandom | tr -d ' \n'; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

node_cookie() {
  local c=${BV_COOKIES[$1]:-}
  [ -n "$c" ] || bv__die "node_cookie: $1 was not started by start_node"
  printf '%s\n' "$c"
}

# erl_call prints {ok, Value} or {error, Reason} (exit 0 for both) and writes binaries as
# #Bin<...>, so the node formats the value itself and sends it back as hex digits.
# bv__erl_call NODE 'exprs.' ['Erlang expr of BvV__ giving chardata']
bv__erl_call() {
  local node=$1 code=$2 fmt=${3:-'io_lib:format("~1000000tp", [BvV__])'} cookie out rc
  cookie=${BV_COOKIES[$node]:-${BV_COOKIE:-}}
  [ -n "$cookie" ] || { echo "erl_eval: no cookie known for $node" >&2; return 1; }
  [ -x "$ERL_CALL" ] || { echo "erl_eval: erl_call not found" >&2; return 1; }
  # The code travels hex-encoded too: no quoting problems, and UTF-8 survives (erl_call
  # would hand the node its bytes as Latin-1 characters).
  code=$(printf '%s' "$code" | sed -e 's/[[:space:]]*$//')
  case "$code" in *.) ;; *) code="$code." ;; esac
  code=$(printf '%s' "$code" | perl -0777 -ne 'print unpack("H*", $_)')
  code="{ok, BvT__, _} = erl_scan:string(unicode:characters_to_list(binary:decode_hex(<<\"$code\">>))),
{ok, BvE__} = erl_parse:parse_exprs(BvT__),
{value, BvV__, _} = erl_eval:exprs(BvE__, []),
binary_to_list(binary:encode_hex(unicode:characters_to_binary($fmt)))."
  out=$(printf '%s\n' "$code" | "$ERL_CALL" -name "$node" -c "$cookie" -timeout "$BV_EVAL_TIMEOUT" -e 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then
    printf 'erl_call on %s failed (exit %s): %s\n' "$node" "$rc" "$out" >&2
    return 1
  fi
  case "$out" in
    '{ok, "'*'"}')
      out=${out#\{ok, \"}
      printf '%s' "${out%\"\}}" | perl -ne 'print pack("H*", $_)'
      printf '\n'
      ;;
    '{ok, []}') printf '\n' ;;
    *)
      printf 'eval on %s failed: %s\n' "$node" "$out" >&2
      return 1
      ;;
  esac
}

erl_eval() {
  [ $# -eq 2 ] || bv__die "usage: erl_eval NODE 'exprs.'"
  bv__erl_call "$1" "$2"
}

ex_eval() {
  [ $# -eq 2 ] || bv__die "usage: ex_eval NODE 'elixir code'"
  local esc
  esc=$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
  bv__erl_call "$1" "case 'Elixir.Code':eval_string(<<\"$esc\"/utf8>>) of {BvR__, _} -> BvR__ end." \
    "case is_binary(BvV__) of true -> BvV__; false -> 'Elixir.Kernel':inspect(BvV__, [{limit, infinity}, {printable_limit, infinity}]) end"
}

# The processes of the node that belong to it, not to whoever is looking: every
# erl_call (used to count) and every beamviz run opens a distribution connection,
# one *_dist:do_accept/do_setup process on the target, torn down asynchronously
# after the peer leaves. Counting them made "count unchanged" checks flaky.
BV__COUNT_EXPR='length([P || P <- processes(), P =/= self(), case process_info(P, initial_call) of {initial_call, {M, F, _}} when F =:= do_accept; F =:= do_setup -> not lists:suffix("_dist", atom_to_list(M)); _ -> true end]).'

proc_count() {
  [ $# -eq 1 ] || bv__die "usage: proc_count NODE"
  local prev='' cur i
  for ((i = 0; i < 25; i++)); do
    cur=$(bv__erl_call "$1" "$BV__COUNT_EXPR") || bv__die "proc_count $1: cannot reach the node"
    if [ "$cur" = "$prev" ]; then
      printf '%s\n' "$cur"
      return 0
    fi
    prev=$cur
    sleep 0.2
  done
  printf '%s\n' "$cur"
}

wait_proc_count() {
  [ $# -ge 2 ] || bv__die "usage: wait_proc_count NODE N [SECONDS]"
  local deadline=$((SECONDS + ${3:-5})) cur
  while :; do
    cur=$(bv__erl_call "$1" "$BV__COUNT_EXPR") || bv__die "wait_proc_count $1: cannot reach the node"
    [ "$cur" = "$2" ] && return 0
    [ $SECONDS -ge $deadline ] && break
    sleep 0.2
  done
  printf '%s\n' "$cur"
  return 1
}

declare -A BV_BASE_COUNT BV_BASE_REG
bv__registered() { bv__erl_call "$1" 'lists:sort(registered()).'; }

target_baseline() {
  [ $# -eq 1 ] || bv__die "usage: target_baseline NODE"
  BV_BASE_COUNT[$1]=$(proc_count "$1")
  BV_BASE_REG[$1]=$(bv__registered "$1") || bv__die "target_baseline $1: cannot reach the node"
}

target_settled() {
  [ $# -ge 2 ] || bv__die "usage: target_settled NODE DESC [SECONDS]"
  local base=${BV_BASE_COUNT[$1]:-} now
  [ -n "$base" ] || bv__die "target_settled: no target_baseline for $1"
  now=$(wait_proc_count "$1" "$base" "${3:-10}") && return 0
  [ "$now" -lt "$base" ] || bv__die "$2: target had $base processes before, $now after"
  [ "$(bv__registered "$1")" = "${BV_BASE_REG[$1]}" ] ||
    bv__die "$2: target had $base processes before, $now after, and a registered one is gone"
  BV_BASE_COUNT[$1]=$now
}

# A newer Elixir than Debian's (1.15+ changed Task and labels; see the README's
# tested versions): $BV_ELIXIR_HOME if it has bin/elixir, else the tarball
# $BV_ELIXIR_TARBALL (default: the workplace's ../shared/elixir build beside this
# checkout or beside the one it was cloned from, when it is there) unpacked once
# into $BV_BUILD/elixir-new. Prints the home, or
# nothing when there is none (tests then skip what needs it).
new_elixir_home() {
  if [ -n "${BV_ELIXIR_HOME:-}" ] && [ -x "$BV_ELIXIR_HOME/bin/elixir" ]; then
    printf '%s\n' "$BV_ELIXIR_HOME"
    return 0
  fi
  local f=shared/elixir/elixir-1.18.4-otp25.tar.gz tb origin
  local home=${BV_BUILD:-$BV_TMP}/elixir-new tmp
  [ -x "$home/bin/elixir" ] && { printf '%s\n' "$home"; return 0; }
  # the tarball: as given, else beside this checkout, else beside the checkout this
  # one was cloned from (CI runs in a fresh clone of the workplace's main)
  origin=$(git -C "$BV_SRC" config --get remote.origin.url 2>/dev/null) || origin=
  case "$origin" in /*) ;; *) origin= ;; esac
  for tb in ${BV_ELIXIR_TARBALL:-} "$BV_SRC/../$f" ${origin:+"$origin/../$f"}; do
    [ -f "$tb" ] && break
  done
  [ -f "$tb" ] || return 0
  tmp=$(mktemp -d "${home}.tmp-XXXXXX") || return 0
  if tar -xzf "$tb" -C "$tmp" && [ -x "$tmp/bin/elixir" ]; then
    # concurrent tests: the first rename wins, the others use it
    mv -T "$tmp" "$home" 2>/dev/null || rm -rf "$tmp"
  else
    rm -rf "$tmp"
  fi
  [ -x "$home/bin/elixir" ] && printf '%s\n' "$home"
  return 0
}

# tree_pids FILE.json: the pids of a saved supervision tree's members (no external
# linked processes), sorted, space separated: to compare with the node's own walk.
tree_pids() {
  python3 - "$1" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))
ps = sorted({n["pid"] for n in t["nodes"] if n.get("pid") and n["kind"] != "external"},
            key=lambda p: tuple(int(x) for x in p.strip("<>").split(".")))
print(" ".join(ps))
PYEOF
}

# join_cluster NODE...  one fresh cookie for every node (in BV_COOKIES, and in CK for
#   the caller's beamviz runs), then the first node connects to each other one
#   (net_kernel:connect_node): a loopback cluster as the cluster tests use it.
join_cluster() {
  [ $# -ge 1 ] || bv__die "usage: join_cluster NODE..."
  local n first=$1
  CK=bvcluster$(bv__rand 8)
  for n in "$@"; do
    [ "$(erl_eval "$n" "erlang:set_cookie(node(), '$CK'), ok.")" = ok ] ||
      bv__die "join_cluster: cannot set the cookie of $n"
    BV_COOKIES[$n]=$CK
  done
  shift
  for n in "$@"; do
    [ "$(erl_eval "$first" "net_kernel:connect_node('$n').")" = true ] ||
      bv__die "join_cluster: $first cannot connect to $n"
  done
}

start_node() {
  [ $# -ge 1 ] || bv__die "usage: start_node VAR [erl|elixir|elixir-new] [extra erl args...]"
  local var=$1 kind=erl exe=elixir
  shift
  case "${1:-}" in erl | elixir) kind=$1; shift ;; esac
  if [ "${1:-}" = elixir-new ]; then
    shift
    kind=elixir
    exe=$(new_elixir_home)
    [ -n "$exe" ] || bv__die "start_node: no newer Elixir (new_elixir_home is empty)"
    exe=$exe/bin/elixir
  fi
  local name cookie fifo log fd pid i
  name="bvtest_$(bv__rand 5)@127.0.0.1"
  cookie=$(bv__rand 16)
  fifo="$BV_TMP/.${name%@*}.stdin"
  log="$BV_TMP/${name%@*}.log"
  [ "$kind" = elixir ] && [ "$exe" != elixir ] ||
    command -v "$kind" >/dev/null 2>&1 || bv__die "start_node: $kind is not on PATH"
  mkfifo "$fifo" || bv__die "start_node: mkfifo $fifo failed"
  # The node halts at EOF on its stdin. The write end is held by this shell only (the
  # child closes the other nodes' write ends), so a killed test takes its nodes along.
  (
    for f in "${BV_NODE_FDS[@]}"; do eval "exec $f>&-"; done
    if [ "$kind" = elixir ]; then
      # Elixir 1.14 has no --logger-level: the kernel flag goes through --erl.
      exec "$exe" --name "$name" --cookie "$cookie" --no-halt \
        --erl "-kernel logger_level error $*" \
        -e 'spawn(fn -> IO.gets(""); System.halt(0) end); IO.puts("bvtest-ready")' \
        <"$fifo" >"$log" 2>&1
    else
      exec erl -name "$name" -setcookie "$cookie" -noshell -kernel logger_level error "$@" \
        -eval 'spawn(fun() -> _ = io:get_line(""), erlang:halt(0) end), io:format("bvtest-ready~n").' \
        <"$fifo" >"$log" 2>&1
    fi
  ) &
  pid=$!
  # not a job: bash would print "Killed" when a test kills its node on purpose
  disown "$pid" 2>/dev/null || true
  # Read-write open: does not block even if the child failed before opening its end.
  exec {fd}<>"$fifo"
  BV_NODES+=("$name")
  BV_NODE_PIDS+=("$pid")
  printf '%s %s\n' "$pid" "$name" >>"$BV_NODE_LIST"
  BV_NODE_FDS+=("$fd")
  BV_COOKIES[$name]=$cookie
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      bv__die "start_node: $kind node $name exited during start-up; log: $(tail -n 20 "$log" 2>/dev/null)"
    fi
    if grep -q bvtest-ready "$log" 2>/dev/null &&
      [ "$(BV_COOKIE=$cookie bv__erl_call "$name" '1.' 2>/dev/null)" = 1 ]; then
      rm -f "$fifo"
      printf -v "$var" '%s' "$name"
      export BV_COOKIE=$cookie
      BV_NODE_PID=$pid
      return 0
    fi
    sleep 0.1
  done
  bv__die "start_node: $kind node $name did not answer within 30 s; log: $(tail -n 20 "$log" 2>/dev/null)"
}

bv__validator() {
  local tool=$1
  [ -n "${BV_VALIDATORS:-}" ] || bv__die "$tool: BV_VALIDATORS is not set"
  [ -x "$BV_VALIDATORS/$tool" ] || bv__die "$tool: $BV_VALIDATORS/$tool is missing (npm ci in test/validate failed?)"
}

vl_check() {
  bv__validator vl-check
  local mode=--strict out
  if [ "${1:-}" = --lax ]; then mode=; shift; fi
  [ $# -ge 1 ] || bv__die "usage: vl_check [--lax] FILE..."
  if ! out=$("$BV_VALIDATORS/vl-check" $mode --no-svg "$@" 2>&1); then
    bv__die "vl_check: $(printf '%s' "$out" | grep -v '^OK ' | head -n 30)"
  fi
}

mmd_check() {
  bv__validator mmd-check
  local out
  [ $# -ge 1 ] || bv__die "usage: mmd_check FILE..."
  if ! out=$("$BV_VALIDATORS/mmd-check" "$@" 2>&1); then
    bv__die "mmd_check: $(printf '%s' "$out" | grep -v '^OK ' | head -n 30)"
  fi
}

EXPECT_STDOUT="$BV_TMP/.expect.stdout"
EXPECT_STDERR="$BV_TMP/.expect.stderr"

expect_exit() {
  [ $# -ge 5 ] && [ "$4" = -- ] || bv__die "usage: expect_exit CODE 'substring' OUTFILE -- cmd args..."
  local code=$1 sub=$2 outfile=$3 rc nl line a isbv=
  shift 4
  for a in "$@"; do [ "$a" = "$BEAMVIZ" ] && isbv=1; done
  "$@" >"$EXPECT_STDOUT" 2>"$EXPECT_STDERR" </dev/null
  rc=$?
  local what="'$*'"
  if [ "$rc" != "$code" ]; then
    bv__die "$what: exit $rc, expected $code; stderr: $(head -c 2000 "$EXPECT_STDERR")"
  fi
  nl=$(wc -l <"$EXPECT_STDERR")
  line=$(head -n 1 "$EXPECT_STDERR")
  if [ "$nl" != 1 ] || [ -z "$line" ]; then
    bv__die "$what: stderr should be exactly one line, got $nl: $(head -c 2000 "$EXPECT_STDERR")"
  fi
  case "$line" in
    *"$sub"*) ;;
    *) bv__die "$what: stderr '$line' does not contain '$sub'" ;;
  esac
  if [ -n "$isbv" ] && [ "${line#beamviz: }" = "$line" ]; then
    bv__die "$what: stderr '$line' does not start with 'beamviz: '"
  fi
  if [ -n "$outfile" ] && [ "$outfile" != - ]; then
    [ ! -e "$outfile" ] || bv__die "$what: output file $outfile was left behind"
    for a in "$outfile".tmp-*; do
      [ ! -e "$a" ] || bv__die "$what: temporary file $a was left behind"
    done
  fi
  return 0
}

check() {
  [ $# -ge 2 ] || bv__die "usage: check DESCRIPTION cmd args..."
  local desc=$1 out rc
  shift
  out=$("$@" 2>&1)
  rc=$?
  [ $rc -eq 0 ] || bv__die "$desc (exit $rc from '$*'): $(printf '%s' "$out" | tail -n 20)"
  return 0
}
