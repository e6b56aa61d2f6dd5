# text_control.sh: text from the node is data, never terminal control. A node with an
# application whose description holds escape sequences, a newline, BEL and a C1 CSI,
# an application and processes whose names hold them too, and names made to be
# spreadsheet formulas: the apps table, the procs CSV and every error line carry no
# control character (visible escapes instead) and formulas are neutralised; the JSON
# keeps the exact text as escaped data. epmd's name list (a fake epmd) and the user's
# own arguments in an error line are cleaned the same way.
# ctest-timeout: 240
. "$BV_SRC/test/e2e/lib.sh"

# Fails unless FILE holds one-line records of printable text: valid UTF-8, no C0 control
# but the line end (\n, and \r before it for CSV), no DEL, no C1 control.
clean_text() {
  python3 - "$1" <<'EOF' || fail "$2: control characters in $1: $(od -c "$1" | head -n 20)"
import sys
b = open(sys.argv[1], "rb").read()
t = b.decode("utf-8")  # raises on invalid UTF-8
for i, c in enumerate(t):
    o = ord(c)
    if c == "\n" or (c == "\r" and t[i + 1:i + 2] == "\n"):
        continue
    if o < 0x20 or 0x7f <= o <= 0x9f:
        sys.exit("U+%04X at %d" % (o, i))
EOF
}

start_node T
C=$BV_COOKIE
BV="$BEAMVIZ --node $T --cookie $C"
# Loading an application from its spec tuple loads no module and writes no file.
check "hostile applications start" erl_eval "$T" '
  Desc = "x\e[31mred\nline2\^G" ++ [16#9b] ++ "2J",
  ok = application:load({application, bvevil, [{description, Desc}, {vsn, "1\r"},
         {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}),
  ok = application:start(bvevil),
  ok = application:load({application, list_to_atom("bv\e[2Jname"), [{description, "d"},
         {vsn, "2"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}),
  ok = application:start(list_to_atom("bv\e[2Jname")).'
check "hostile names registered" erl_eval "$T" '
  [register(list_to_atom(N), spawn(fun() -> receive stop -> ok end end))
   || N <- ["=HYPERLINK(\"http://x/\",\"y\")", "+1+1", "-12", "@SUM(A1)", "bv\e]0;t\^G\nx"]],
  ok.'
target_baseline "$T"

# --- apps: the text table, to a file and to stdout
check "apps" $BV apps -o "$BV_TMP/apps.txt"
clean_text "$BV_TMP/apps.txt" "apps table"
grep -qF 'bvevil ' "$BV_TMP/apps.txt" || fail "no bvevil row: $(cat "$BV_TMP/apps.txt")"
grep -F 'bvevil ' "$BV_TMP/apps.txt" | grep -qF '1\r ' || fail "version not escaped"
grep -F 'bvevil ' "$BV_TMP/apps.txt" | grep -qF 'x\x1b[31mred\nline2\x07\u009b2J' ||
  fail "description not shown escaped: $(grep -F bvevil "$BV_TMP/apps.txt")"
grep -qF 'bv\x1b[2Jname ' "$BV_TMP/apps.txt" || fail "name not shown escaped"
$BV apps -o - >"$BV_TMP/apps.stdout" 2>"$BV_TMP/apps.stderr" || fail "apps -o - failed"
clean_text "$BV_TMP/apps.stdout" "apps -o -"
cmp -s "$BV_TMP/apps.txt" "$BV_TMP/apps.stdout" || fail "apps -o - differs from the file"
[ ! -s "$BV_TMP/apps.stderr" ] || fail "apps -o - wrote to stderr: $(cat "$BV_TMP/apps.stderr")"

# --- apps JSON: valid, the exact text as data, one row a line in the table
check "apps json" $BV apps -o "$BV_TMP/apps.json"
python3 - "$BV_TMP/apps.json" "$BV_TMP/apps.txt" <<'EOF' || fail "apps.json: $(cat "$BV_TMP/apps.json")"
import json, re, sys
raw = open(sys.argv[1], "rb").read()
assert not any(c < 0x20 and c != 0x0a for c in raw), "raw control byte in the JSON"
assert not re.search(rb"\xc2[\x80-\x9f]", raw), "raw C1 control in the JSON"
d = json.loads(raw)
a = {x["name"]: x for x in d["apps"]}
assert a["bvevil"]["description"] == "x\x1b[31mred\nline2\x07\x9b2J", a["bvevil"]
assert a["bvevil"]["version"] == "1\r"
assert "bv\x1b[2Jname" in a
rows = open(sys.argv[2], encoding="utf-8").read().split("\n")
assert rows[-1] == "" and len(rows) - 2 == len(d["apps"]), (len(rows), len(d["apps"]))
EOF
target_settled "$T" "apps"

# --- procs CSV: names cleaned, formulas neutralised, numbers left as numbers
check "procs csv" $BV procs -o "$BV_TMP/procs.csv"
clean_text "$BV_TMP/procs.csv" "procs csv"
check "procs json" $BV procs -o "$BV_TMP/procs.json"
python3 - "$BV_TMP/procs.csv" "$BV_TMP/procs.json" <<'EOF' || fail "procs.csv: $(head -c 3000 "$BV_TMP/procs.csv")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
names = {r["name"] for r in rows}
for want in ["'=HYPERLINK(\"http://x/\",\"y\")", "'+1+1", "'-12", "'@SUM(A1)",
             "bv\\x1b]0;t\\x07\\nx"]:
    assert want in names, (want, sorted(n for n in names if n))
for r in rows:
    for k in ("reductions", "memory", "message_queue_len"):
        assert r[k].isdigit(), (k, r)
    for k in ("name", "status", "current_function", "initial_call"):
        assert not r[k][:1] in ("=", "+", "-", "@"), (k, r)
j = {p["name"] for p in json.load(open(sys.argv[2]))["procs"] if p.get("name")}
assert "=HYPERLINK(\"http://x/\",\"y\")" in j and "bv\x1b]0;t\x07\nx" in j, "JSON is not exact"
EOF
target_settled "$T" "procs"

# --- error lines: the node's text (running applications) and the user's arguments
expect_exit 11 "not" "$BV_TMP/x.mmd" -- $BV suptree --app nosuch -o "$BV_TMP/x.mmd"
clean_text "$EXPECT_STDERR" "suptree error"
grep -qF 'bv\x1b[2Jname' "$EXPECT_STDERR" || fail "running applications not listed escaped: $(cat "$EXPECT_STDERR")"
expect_exit 11 "no$(printf '\\x1b')[31msuch" "$BV_TMP/x.mmd" -- \
  $BV suptree --app "$(printf 'no\033[31msuch\nline2')" -o "$BV_TMP/x.mmd"
clean_text "$EXPECT_STDERR" "suptree error with the user's name"
expect_exit 2 "no arguments" "$BV_TMP/x.txt" -- $BV apps "$(printf 'x\033[2J\n\a')" -o "$BV_TMP/x.txt"
clean_text "$EXPECT_STDERR" "usage error"
expect_exit 2 "unknown option" "" -- "$BEAMVIZ" apps "$(printf -- '--\033]0;t\a')"
clean_text "$EXPECT_STDERR" "unknown option error"
target_settled "$T" "errors"

# --- epmd's name list in the "not registered" line (a fake epmd on loopback)
python3 - "$BV_TMP/epmd.port" <<'EOF' &
import os, socket, struct, sys, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(1)
open(sys.argv[1] + ".tmp", "w").write(str(srv.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
parent, end = os.getppid(), time.time() + 60
while time.time() < end and os.getppid() == parent:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    c.settimeout(5)
    try:
        n = struct.unpack(">H", c.recv(2))[0]
        req = c.recv(n)
        if req[:1] == b"z":    # PORT_PLEASE2_REQ: not registered
            c.sendall(bytes([119, 1]))
        elif req[:1] == b"n":  # NAMES_REQ
            c.sendall(struct.pack(">I", 4369) +
                      b"name evil\x1b[2J\x1b]0;pwned\x07 at port 1234\n"
                      b"name split\nbeamviz: fake\x9b at port 5\n")
    except OSError:
        pass
    c.close()
EOF
on_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$BV_TMP/epmd.port" ] && break; sleep 0.1; done
[ -s "$BV_TMP/epmd.port" ] || fail "fake epmd did not start"
ERL_EPMD_PORT=$(cat "$BV_TMP/epmd.port") expect_exit 6 "not registered" "$BV_TMP/x.txt" -- \
  "$BEAMVIZ" --node bvnone@127.0.0.1 --cookie x --timeout 3000 apps -o "$BV_TMP/x.txt"
clean_text "$EXPECT_STDERR" "epmd names"
grep -qF 'evil\x1b[2J\x1b]0;pwned\x07' "$EXPECT_STDERR" || fail "names not shown escaped: $(cat "$EXPECT_STDERR")"
pass
