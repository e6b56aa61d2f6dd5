# local_secrets.sh: the throwaway node (no --node) gives other local users nothing.
# While beamviz runs a long command on it, with secrets in beamviz's environment
# ($ERLANG_COOKIE and an unrelated variable), for every process beamviz started (its
# descendants: beam.smp, erl_child_setup, ...; and the epmd erl started, which is no
# descendant: erl daemonizes it):
#  - neither the node's cookie nor those secrets are in /proc/PID/cmdline or environ;
#  - the cookie is in .erlang.cookie of a private HOME: a 0700 directory that is not the
#    user's HOME, the file owner-only; user nobody cannot read it (as root; else skipped);
#  - every listening TCP socket of theirs is on loopback (epmd always adds ::1 beside an
#    ERL_EPMD_ADDRESS of 127.0.0.1: loopback too);
#  - the node does not read the user's ~/.erlang nor create anything in the user's HOME.
# Then: a run that ends normally leaves no private HOME and no epmd; SIGTERM and kill -9
# of beamviz leave no private HOME either (the node removes it as it halts); with the
# node killed -9 too, the leftover private HOME is 0700 with a 0400 cookie file. The same with --local elixir when elixir is on
# PATH. epmd runs on a port of this test's own (ERL_EPMD_PORT), so only an epmd that
# beamviz started is ever stopped here.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

export ERL_EPMD_PORT
ERL_EPMD_PORT=$(free_port)
on_exit 'epmd -port "$ERL_EPMD_PORT" -kill'

SECRET="bv-env-cookie-$(bv__rand 8)"
SECRET2="bv-unrelated-$(bv__rand 8)"

# private HOMEs go to $TMPDIR: a sticky world-writable dir here, so that a readable
# cookie file would really be readable by nobody (BV_TMP itself is 0700)
PUB=$(mktemp -d "/tmp/bv-local-secrets.XXXXXX") || fail "mktemp failed"
chmod 1777 "$PUB"
on_exit 'rm -rf "$PUB"'

# the user's HOME: a .erlang that leaves a mark if any node evaluates it
MARK="$BV_TMP/dot-erlang-was-read"
printf 'file:write_file("%s", <<"x">>).\n' "$MARK" >"$HOME/.erlang"

cat >"$BV_TMP/procs.py" <<'EOF'
import os, sys

def ppids():
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        out[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
    return out

def descendants(root):
    pp = ppids()
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        for c, parent in pp.items():
            if parent == p:
                found.append(c)
                todo.append(c)
    return found

def listeners():
    """(inode -> 'addr:port') for every listening TCP socket"""
    out = {}
    for fam in ("tcp", "tcp6"):
        try:
            lines = open("/proc/net/" + fam).read().splitlines()[1:]
        except OSError:
            continue
        for ln in lines:
            f = ln.split()
            if f[3] != "0A":
                continue
            a, port = f[1].split(":")
            raw = bytes.fromhex(a)
            if fam == "tcp":
                addr = ".".join(str(b) for b in raw[::-1])
            else:  # four host-order 32-bit words
                words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
                b = b"".join(words)
                if b[:12] == b"\0" * 10 + b"\xff\xff":
                    addr = "::ffff:" + ".".join(str(x) for x in b[12:])
                else:
                    addr = ":".join(b[i:i + 2].hex() for i in range(0, 16, 2))
            out[f[9]] = "%s:%d" % (addr, int(port, 16))
    return out

def sockets(pid):
    inodes = []
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith("socket:["):
                inodes.append(t[8:-1])
    except OSError:
        pass
    return inodes

cmd = sys.argv[1]
if cmd == "tree":        # tree PID: every descendant
    print(" ".join(str(p) for p in descendants(int(sys.argv[2]))))
elif cmd == "listen":    # listen PID...: "PID ADDR:PORT" per listening socket
    ls = listeners()
    for p in sys.argv[2:]:
        for i in sockets(int(p)):
            if i in ls:
                print(p, ls[i])
elif cmd == "port":      # port N: pids listening on TCP port N
    ls = listeners()
    want = {i for i, a in ls.items() if a.rsplit(":", 1)[1] == sys.argv[2]}
    pids = set()
    for d in os.listdir("/proc"):
        if d.isdigit() and want & set(sockets(int(d))):
            pids.add(d)
    print(" ".join(sorted(pids)))
EOF
procs() { python3 "$BV_TMP/procs.py" "$@"; }
epmd_up() { python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))' "$ERL_EPMD_PORT"; }
# a failed check leaves a long-running beamviz: end it (its node halts as it goes)
BVPID= NODE=
stop_left() {
  [ -n "$BVPID" ] && kill -KILL "$BVPID" 2>/dev/null
  for _ in $(seq 50); do [ -n "$NODE" ] && kill -0 "$NODE" 2>/dev/null || break; sleep 0.1; done
}
on_exit stop_left
is_loopback() { case "$1" in 127.*:* | 0000:0000:0000:0000:0000:0000:0000:0001:* | ::ffff:127.*:*) return 0 ;; esac; return 1; }

AS_NOBODY=()
if [ "$(id -u)" != 0 ]; then
  echo "not root: the checks as user nobody are skipped"
elif command -v setpriv >/dev/null 2>&1; then
  AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
elif command -v runuser >/dev/null 2>&1; then
  AS_NOBODY=(runuser -u nobody --)
else
  echo "neither setpriv nor runuser: the checks as user nobody are skipped"
fi
if [ ${#AS_NOBODY[@]} -gt 0 ]; then
  # control: nobody can read a world-readable file beside the private HOMEs, so a
  # refusal below comes from the cookie file's own modes
  echo control >"$PUB/control"
  chmod 0644 "$PUB/control"
  "${AS_NOBODY[@]}" cat "$PUB/control" >/dev/null 2>&1 ||
    fail "control: user nobody cannot read $PUB/control; the nobody checks would prove nothing"
  rm -f "$PUB/control"
fi

run_env=(env ERLANG_COOKIE="$SECRET" BV_UNRELATED_SECRET="$SECRET2" TMPDIR="$PUB")

# node_of BVPID: the pid of the throwaway beam.smp beamviz BVPID started
node_of() {
  local p
  for p in $(procs tree "$1"); do
    grep -qa -- "bvtarge[t]_$1_" "/proc/$p/cmdline" 2>/dev/null &&
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = beam.smp ] && { echo "$p"; return 0; }
  done
  return 1
}

# node_cookie_of PID: sets COOKIE to the cookie the node runs with (its private HOME's
# .erlang.cookie; a cookie given on its command line instead, -setcookie or --cookie, is
# taken from there, to report the leak) and COOKIE_SRC to where it was found
node_cookie_of() {
  local pid=$1 home args i
  COOKIE= COOKIE_SRC=
  home=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^HOME=//p')
  if [ -n "$home" ] && [ -f "$home/.erlang.cookie" ]; then
    COOKIE_SRC="$home/.erlang.cookie"
    COOKIE=$(cat "$home/.erlang.cookie")
    return 0
  fi
  mapfile -d '' args <"/proc/$pid/cmdline"
  for ((i = 0; i + 1 < ${#args[@]}; i++)); do
    case "${args[$i]}" in
    -setcookie | --cookie) COOKIE_SRC="the node's command line" COOKIE=${args[$((i + 1))]}; return 0 ;;
    esac
  done
  return 1
}

# check_running DESC BVPID: every check on a beamviz that is running a long command
check_running() {
  local desc=$1 bv=$2 node= pid cookie home epmd all listens f s n_node=0 n_epmd=0 addr
  for _ in $(seq 300); do
    node=$(node_of "$bv") && epmd_up && break
    kill -0 "$bv" 2>/dev/null || fail "$desc: beamviz ended early: $(head -c 2000 "$BV_TMP/run.err")"
    sleep 0.1
  done
  [ -n "$node" ] || fail "$desc: no throwaway node seen for beamviz pid $bv"
  epmd_up || fail "$desc: no epmd on port $ERL_EPMD_PORT while the node runs"
  node_cookie_of "$node" || fail "$desc: cannot find the cookie of the node (pid $node)"
  cookie=$COOKIE
  [ ${#cookie} -ge 16 ] || fail "$desc: the node's cookie '$cookie' is short"
  sleep 1 # let the node settle (port programs it starts lazily)
  epmd=$(procs port "$ERL_EPMD_PORT")
  [ -n "$epmd" ] || fail "$desc: nobody listens on the epmd port $ERL_EPMD_PORT"
  all="$(procs tree "$bv") $epmd"
  for pid in $all; do
    for f in cmdline environ; do
      [ -r "/proc/$pid/$f" ] || continue
      for s in "$cookie" "$SECRET" "$SECRET2"; do
        if grep -qaF -- "$s" "/proc/$pid/$f"; then
          case "$s" in "$cookie") what="the node's cookie (from $COOKIE_SRC)" ;;
            "$SECRET") what='the $ERLANG_COOKIE of beamviz' ;; *) what="an unrelated variable of beamviz's environment" ;; esac
          fail "$desc: $what is in /proc/$pid/$f ($(cat "/proc/$pid/comm"))"
        fi
      done
    done
  done
  # the private HOME
  home=$(tr '\0' '\n' <"/proc/$node/environ" | sed -n 's/^HOME=//p')
  [ -n "$home" ] && [ "$home" != "$HOME" ] || fail "$desc: the node runs with the user's HOME ($home)"
  [ "$(stat -c '%a %u' "$home")" = "700 $(id -u)" ] ||
    fail "$desc: private HOME $home is $(stat -c '%a, owner %u' "$home"), not 700 and ours"
  [ $((0$(stat -c '%a' "$home/.erlang.cookie") & 077)) = 0 ] ||
    fail "$desc: $home/.erlang.cookie is mode $(stat -c '%a' "$home/.erlang.cookie")"
  if [ ${#AS_NOBODY[@]} -gt 0 ]; then
    "${AS_NOBODY[@]}" cat "$home/.erlang.cookie" >/dev/null 2>&1 &&
      fail "$desc: user nobody can read $home/.erlang.cookie"
    "${AS_NOBODY[@]}" ls "$home" >/dev/null 2>&1 && fail "$desc: user nobody can list $home"
  fi
  # listening sockets
  listens=$(procs listen $all)
  while read -r pid addr; do
    [ -n "$pid" ] || continue
    is_loopback "$addr" || fail "$desc: $(cat "/proc/$pid/comm") (pid $pid) listens on $addr, beyond loopback"
    if [ "$pid" = "$node" ]; then n_node=$((n_node + 1)); fi
    case " $epmd " in *" $pid "*) n_epmd=$((n_epmd + 1)) ;; esac
  done <<<"$listens"
  [ $n_node -ge 1 ] || fail "$desc: no listening socket of the node found (the check saw nothing)"
  [ $n_epmd -ge 1 ] || fail "$desc: no listening socket of epmd found (the check saw nothing)"
  # the user's HOME
  [ ! -e "$MARK" ] || fail "$desc: the node evaluated the user's ~/.erlang"
  [ "$(ls -A "$HOME")" = .erlang ] || fail "$desc: the user's HOME changed: $(ls -A "$HOME" | tr '\n' ' ')"
  NODE=$node PRIV_HOME=$home
}

# wait_gone PID DESC: the node halts once beamviz is gone
wait_gone() {
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  fail "$2: the node (pid $1) is still running"
}

modes=(erl)
command -v elixir >/dev/null 2>&1 && modes+=(elixir) || echo "elixir is not on PATH: --local elixir not checked"
for mode in "${modes[@]}"; do
  epmd_up && fail "epmd already listening on this test's port $ERL_EPMD_PORT"

  # a run that ends normally: nothing left in $TMPDIR, epmd stopped again
  "${run_env[@]}" "$BEAMVIZ" --local "$mode" procs -o "$BV_TMP/procs-$mode.json" >/dev/null 2>"$BV_TMP/run.err" </dev/null ||
    fail "$mode: procs on the throwaway node: $(head -c 2000 "$BV_TMP/run.err")"
  [ -z "$(ls -A "$PUB")" ] || fail "$mode: a finished run left in \$TMPDIR: $(ls -A "$PUB" | tr '\n' ' ')"
  epmd_up && fail "$mode: epmd left running after a finished run"

  # SIGTERM mid-command: the private HOME goes with beamviz, the node halts
  "${run_env[@]}" "$BEAMVIZ" --local "$mode" memory --samples 600 --interval 100 \
    -o "$BV_TMP/mem-$mode.vl.json" >/dev/null 2>"$BV_TMP/run.err" </dev/null &
  BVPID=$!
  check_running "$mode" $BVPID
  kill -TERM $BVPID
  wait $BVPID 2>/dev/null
  wait_gone "$NODE" "$mode, SIGTERM"
  [ ! -e "$PRIV_HOME" ] || fail "$mode: SIGTERM of beamviz left the private HOME $PRIV_HOME"
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 # ours; beamviz died before stopping it
  for _ in $(seq 50); do epmd_up || break; sleep 0.1; done

  # kill -9 of beamviz: the node removes its private HOME and halts
  "${run_env[@]}" "$BEAMVIZ" --local "$mode" memory --samples 600 --interval 100 \
    -o "$BV_TMP/mem9-$mode.vl.json" >/dev/null 2>"$BV_TMP/run.err" </dev/null &
  BVPID=$!
  check_running "$mode (second run)" $BVPID
  kill -KILL $BVPID
  wait $BVPID 2>/dev/null
  wait_gone "$NODE" "$mode, kill -9"
  [ ! -e "$PRIV_HOME" ] || fail "$mode: kill -9 of beamviz left the private HOME $PRIV_HOME"

  # beamviz and its node both killed with -9 (the node stopped first, so neither
  # cleans up): the private HOME stays, owner-only
  "${run_env[@]}" "$BEAMVIZ" --local "$mode" memory --samples 600 --interval 100 \
    -o "$BV_TMP/mem99-$mode.vl.json" >/dev/null 2>"$BV_TMP/run.err" </dev/null &
  BVPID=$!
  check_running "$mode (third run)" $BVPID
  kill -STOP "$NODE"
  for _ in $(seq 50); do
    # every thread stopped, the one that reads stdin included
    [ -z "$(sed 's/.*) \(.\).*/\1/' /proc/"$NODE"/task/*/stat 2>/dev/null | grep -v T)" ] && break
    sleep 0.1
  done
  kill -KILL $BVPID
  wait $BVPID 2>/dev/null
  kill -KILL "$NODE"
  wait_gone "$NODE" "$mode, kill -9 of both"
  [ -e "$PRIV_HOME/.erlang.cookie" ] || fail "$mode: no leftover $PRIV_HOME/.erlang.cookie (the check saw nothing)"
  [ "$(stat -c '%a' "$PRIV_HOME")" = 700 ] || fail "$mode: leftover $PRIV_HOME is mode $(stat -c '%a' "$PRIV_HOME")"
  [ "$(stat -c '%a' "$PRIV_HOME/.erlang.cookie")" = 400 ] ||
    fail "$mode: leftover $PRIV_HOME/.erlang.cookie is mode $(stat -c '%a' "$PRIV_HOME/.erlang.cookie")"
  if [ ${#AS_NOBODY[@]} -gt 0 ]; then
    "${AS_NOBODY[@]}" cat "$PRIV_HOME/.erlang.cookie" >/dev/null 2>&1 &&
      fail "$mode: user nobody can read the leftover $PRIV_HOME/.erlang.cookie"
  fi
  rm -rf "$PRIV_HOME"
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 # ours: nobody was left to stop it
  for _ in $(seq 50); do epmd_up || break; sleep 0.1; done
done
pass
