# out_special.sh: outputs that are not regular files are written through, never
# replaced: /dev/null after -o and --save (also the Vega-Lite spec `procs` streams),
# /dev/stdout into a pipe and into a file the shell opened (> and >>), a process
# substitution (/dev/fd/N), FIFOs; a symlink to a file stays a symlink and its target
# gets the output; a FIFO nobody reads and a directory are one error line (exit 4).
# Devices are made in a private mount namespace (unshare -m, a tmpfs on /dev), so a
# beamviz that replaced them could not touch the host's /dev.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
[ "$(id -u)" = 0 ] || skip "a private mount namespace with device nodes needs root"
unshare -m true 2>/dev/null || skip "unshare -m is not allowed here"
start_node N
C=$BV_COOKIE
B=$BEAMVIZ

cat >"$T/p.json" <<'JSON'
{"format":"beamviz.procs","version":1,"node":"z@127.0.0.1","otp_release":"25","elixir":false,
 "total":3,"skipped":0,"procs":[
 {"pid":"<0.1.0>","name":"a","reductions":40,"memory":2000,"status":"waiting","message_queue_len":0,"current_function":"m:f/1","initial_call":null},
 {"pid":"<0.2.0>","name":null,"reductions":100,"memory":3000,"status":"running","message_queue_len":5,"current_function":"m:g/1","initial_call":"m:i/0"},
 {"pid":"<0.3.0>","name":"b","reductions":10,"memory":300,"status":"runnable","message_queue_len":0,"current_function":null,"initial_call":"m:i/0"}]}
JSON
E=$T/expected.json
check "render to a file" "$B" render "$T/p.json" -o "$E"
[ -s "$E" ] || fail "render wrote an empty $E"

# --- in a private mount namespace: /dev is a tmpfs with our own device nodes --------
cat >"$T/inner.sh" <<'INNER'
set -u
bad() { printf '%s\n' "$*"; fails=$((fails + 1)); }
fails=0
mount -t tmpfs -o mode=755,size=1m bvdev /dev || exit 77
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
  IFS=: read -r name ma mi <<<"$d"
  mknod -m 666 "/dev/$name" c "$ma" "$mi" || exit 77
done
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
D=$T/ns
mkdir -p "$D" && mount -t tmpfs -o size=4m bvns "$D" || exit 77
isnull() { [ -c "$1" ] && [ "$(stat -c %t:%T "$1")" = 1:3 ]; }
bv() { "$B" --node "$N" --cookie "$C" "$@"; }

"$B" render "$P" --format json -o /dev/null 2>"$D/err" || bad "render -o /dev/null: exit $?: $(cat "$D/err")"
isnull /dev/null || bad "render -o /dev/null replaced /dev/null: $(ls -l /dev/null)"
bv procs --format vega-lite -o /dev/null 2>"$D/err" || bad "procs -o /dev/null: exit $?: $(cat "$D/err")"
isnull /dev/null || bad "procs -o /dev/null (streamed spec) replaced /dev/null: $(ls -l /dev/null)"
bv procs -o "$D/a.csv" --save /dev/null 2>"$D/err"
rc=$?
[ "$rc" = 2 ] || bad "procs --save /dev/null: exit $rc, expected 2 (not a FILE.json): $(cat "$D/err")"
isnull /dev/null || bad "procs --save /dev/null replaced /dev/null: $(ls -l /dev/null)"
ln -s /dev/null "$D/null.json"
bv procs -o "$D/b.csv" --save "$D/null.json" 2>"$D/err" || bad "procs --save LINK-TO-/dev/null: exit $?: $(cat "$D/err")"
isnull /dev/null || bad "--save through a link replaced /dev/null: $(ls -l /dev/null)"
[ -L "$D/null.json" ] || bad "--save replaced the symlink to /dev/null: $(ls -l "$D/null.json")"
mknod -m 666 "$D/dev.json" c 1 3
bv procs -o "$D/c.csv" --save "$D/dev.json" 2>"$D/err" || bad "procs --save DEVICE.json: exit $?: $(cat "$D/err")"
isnull "$D/dev.json" || bad "--save replaced a device node: $(ls -l "$D/dev.json")"
[ -z "$(ls "$D" | grep -F .tmp-)" ] || bad "temporary files left: $(ls "$D")"

# /dev/stdout: a pipe, a file opened by > and by >>; the symlink stays
"$B" render "$P" --format json -o /dev/stdout 2>"$D/err" | cat >"$D/piped.json"
cmp -s "$E" "$D/piped.json" || bad "-o /dev/stdout into a pipe: got '$(head -c 200 "$D/piped.json")' $(cat "$D/err")"
"$B" render "$P" --format json -o /dev/stdout >"$D/redir.json" 2>"$D/err"
cmp -s "$E" "$D/redir.json" || bad "-o /dev/stdout >FILE: got '$(head -c 200 "$D/redir.json")' $(cat "$D/err")"
printf 'first line\n' >"$D/app.json"
"$B" render "$P" --format json -o /dev/stdout >>"$D/app.json" 2>"$D/err"
{ printf 'first line\n'; cat "$E"; } | cmp -s - "$D/app.json" ||
  bad "-o /dev/stdout >>FILE: got '$(head -c 200 "$D/app.json")' $(cat "$D/err")"
"$B" render "$P" --format svg -o /dev/stdout >"$D/x.svg" 2>"$D/err"
grep -q '<svg' "$D/x.svg" || bad "-o /dev/stdout --format svg: no SVG came out: $(cat "$D/err")"
[ -L /dev/stdout ] && [ "$(readlink /dev/stdout)" = /proc/self/fd/1 ] ||
  bad "/dev/stdout is no longer the symlink: $(ls -l /dev/stdout)"
"$B" render "$P" --format json -o >(cat >"$D/procsub.json") 2>"$D/err" || bad "-o >(cat): exit $?: $(cat "$D/err")"
wait $!
cmp -s "$E" "$D/procsub.json" || bad "-o >(cat) (/dev/fd/N): got '$(head -c 200 "$D/procsub.json")'"
[ -z "$(ls -a /dev | grep -F .tmp-)" ] || bad "temporary files left in /dev: $(ls -a /dev)"
exit $((fails ? 1 : 0))
INNER
out=$(T=$T B=$B N=$N C=$C P=$T/p.json E=$E unshare -m --propagation private bash "$T/inner.sh" 2>&1)
rc=$?
[ "$rc" = 77 ] && skip "no tmpfs or device nodes in a private mount namespace: $out"
[ "$rc" = 0 ] || fail "in a private mount namespace: $out"

# --- FIFOs (named pipes): with a reader, written through; without one, an error ------
# fifo_reader FIFO OUT: reads FIFO in the background into OUT until OUT.done exists
# (a FIFO reads as at end while no writer has it open: a plain `cat` could stop early).
fifo_reader() {
  python3 - "$1" "$2" <<'PY' &
import os, sys, time
fifo, out = sys.argv[1:3]
fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
open(out + ".ready", "w").close()
data = b""
while True:
    try:
        d = os.read(fd, 1 << 16)
    except BlockingIOError:
        d = None
    if d:
        data += d
    elif os.path.exists(out + ".done"):
        try:
            while True:
                d = os.read(fd, 1 << 16)
                if not d:
                    break
                data += d
        except BlockingIOError:
            pass
        break
    else:
        time.sleep(0.01)
open(out, "wb").write(data)
PY
  FIFO_READER=$!
  for _ in $(seq 200); do [ -e "$2.ready" ] && return 0; sleep 0.05; done
  fail "the FIFO reader did not start"
}
fifo_done() { : >"$1.done"; wait "$FIFO_READER"; }

mkfifo "$T/fifo.json"
fifo_reader "$T/fifo.json" "$T/from-fifo.json"
"$B" render "$T/p.json" -o "$T/fifo.json" 2>"$T/err"
rc=$?
fifo_done "$T/from-fifo.json"
[ "$rc" = 0 ] || fail "render -o FIFO: exit $rc: $(cat "$T/err")"
[ -p "$T/fifo.json" ] || fail "render -o FIFO replaced the FIFO: $(ls -l "$T/fifo.json")"
cmp -s "$E" "$T/from-fifo.json" || fail "the FIFO's reader got '$(head -c 200 "$T/from-fifo.json")'"
rm -f "$T"/from-fifo.json*
fifo_reader "$T/fifo.json" "$T/from-fifo.json"
"$B" --node "$N" --cookie "$C" procs -o "$T/d.csv" --save "$T/fifo.json" 2>"$T/err"
rc=$?
fifo_done "$T/from-fifo.json"
[ "$rc" = 0 ] || fail "procs --save FIFO: exit $rc: $(cat "$T/err")"
[ -p "$T/fifo.json" ] || fail "procs --save FIFO replaced the FIFO"
python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); assert m["format"] == "beamviz.procs" and m["procs"]' \
  "$T/from-fifo.json" || fail "the --save FIFO's reader got no model: '$(head -c 200 "$T/from-fifo.json")'"
# nobody reading: at once, one line, and still a FIFO
expect_exit 4 "$T/fifo.json: a FIFO that no process has open for reading" '' -- \
  timeout 20 "$B" render "$T/p.json" -o "$T/fifo.json"
[ -p "$T/fifo.json" ] || fail "a FIFO without a reader was replaced"

# --- a symlink to a regular file: the target gets the output, the link stays --------
mkdir "$T/sub"
printf 'old' >"$T/sub/real.json"
chmod 600 "$T/sub/real.json"
ln -s real.json "$T/sub/l1.json"
ln -s sub/l1.json "$T/link.json"
check "render -o LINK" "$B" render "$T/p.json" -o "$T/link.json"
[ -L "$T/link.json" ] && [ -L "$T/sub/l1.json" ] || fail "-o LINK replaced a link: $(ls -l "$T" "$T/sub")"
[ "$(readlink "$T/link.json")" = sub/l1.json ] || fail "the link changed: $(readlink "$T/link.json")"
cmp -s "$E" "$T/sub/real.json" || fail "the link's target did not get the output"
[ "$(stat -c %a "$T/sub/real.json")" = 600 ] || fail "the link's target lost its mode 600: $(stat -c %a "$T/sub/real.json")"
ln -s sub/new.json "$T/dangling.json"
check "render -o DANGLING-LINK" "$B" render "$T/p.json" -o "$T/dangling.json"
[ -L "$T/dangling.json" ] || fail "-o DANGLING-LINK replaced the link"
cmp -s "$E" "$T/sub/new.json" || fail "-o DANGLING-LINK did not create its target"
[ -z "$(ls -a "$T" "$T/sub" | grep -F .tmp-)" ] || fail "temporary files left: $(ls -a "$T" "$T/sub")"

# --- a directory: one line naming it ------------------------------------------------
mkdir "$T/adir.json"
expect_exit 4 "cannot write $T/adir.json: Is a directory" '' -- "$B" render "$T/p.json" -o "$T/adir.json"
expect_exit 4 "cannot write $T/adir.json: Is a directory" '' -- \
  "$B" --node "$N" --cookie "$C" procs -o "$T/e.csv" --save "$T/adir.json"
[ ! -e "$T/e.csv" ] || fail "procs wrote -o although --save named a directory"
[ -z "$(ls -A "$T/adir.json")" ] || fail "something was written into the directory: $(ls -A "$T/adir.json")"
pass
