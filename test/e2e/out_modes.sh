# out_modes.sh: output permissions. A new output gets 0666 less the umask (077 makes
# it private: traces keep message contents), for -o and --save alike, also the spec
# `procs` streams while the node works; a replaced output keeps its mode (a 0600 file
# stays 0600) and, as root, its owner and group; through a symlink too.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_TMP
B=$BEAMVIZ
start_node N
C=$BV_COOKIE
mode() { stat -c %a "$1"; }

cat >"$T/p.json" <<'JSON'
{"format":"beamviz.procs","version":1,"node":"z@127.0.0.1","otp_release":"25","elixir":false,
 "total":2,"skipped":0,"procs":[
 {"pid":"<0.1.0>","name":"a","reductions":40,"memory":2000,"status":"waiting","message_queue_len":0,"current_function":"m:f/1","initial_call":null},
 {"pid":"<0.2.0>","name":null,"reductions":100,"memory":3000,"status":"running","message_queue_len":5,"current_function":"m:g/1","initial_call":"m:i/0"}]}
JSON

# new files: the umask decides, every writer (streamed spec, model, text, image)
check "procs, umask 077" sh -c "umask 077 && '$B' --node '$N' --cookie '$C' procs -o '$T/a.vl.json' --save '$T/a.json'"
[ "$(mode "$T/a.vl.json")" = 600 ] || fail "procs -o with umask 077: mode $(mode "$T/a.vl.json"), expected 600"
[ "$(mode "$T/a.json")" = 600 ] || fail "procs --save with umask 077: mode $(mode "$T/a.json"), expected 600"
check "memory csv, umask 077" sh -c "umask 077 && '$B' --node '$N' --cookie '$C' memory --samples 1 -o '$T/m.csv'"
[ "$(mode "$T/m.csv")" = 600 ] || fail "memory -o with umask 077: mode $(mode "$T/m.csv"), expected 600"
for um in 077:600 027:640 022:644 002:664; do
  u=${um%%:*} want=${um#*:}
  for ext in json png; do
    f=$T/r-$u.$ext
    check "render .$ext, umask $u" sh -c "umask $u && '$B' render '$T/p.json' -o '$f'"
    [ "$(mode "$f")" = "$want" ] || fail "render -o $f with umask $u: mode $(mode "$f"), expected $want"
  done
done

# a replaced file keeps its mode, whatever the umask
: >"$T/private.json"
chmod 600 "$T/private.json"
check "replace a 0600 file, umask 022" sh -c "umask 022 && '$B' render '$T/p.json' -o '$T/private.json'"
[ "$(mode "$T/private.json")" = 600 ] || fail "a replaced 0600 file became $(mode "$T/private.json")"
[ -s "$T/private.json" ] || fail "the replaced file is empty"
: >"$T/shared.json"
chmod 644 "$T/shared.json"
check "replace a 0644 file, umask 077" sh -c "umask 077 && '$B' render '$T/p.json' -o '$T/shared.json'"
[ "$(mode "$T/shared.json")" = 644 ] || fail "a replaced 0644 file became $(mode "$T/shared.json")"
ln -s private.json "$T/link.json"
check "replace through a symlink" sh -c "umask 022 && '$B' --node '$N' --cookie '$C' procs -o '$T/b.csv' --save '$T/link.json'"
[ -L "$T/link.json" ] || fail "--save replaced the symlink"
[ "$(mode "$T/private.json")" = 600 ] || fail "the symlink's 0600 target became $(mode "$T/private.json")"
grep -q '"beamviz.procs"' "$T/private.json" || fail "the symlink's target did not get the model"

# as root: the owner and group stay too (a file of nobody's stays nobody's)
if [ "$(id -u)" = 0 ]; then
  : >"$T/theirs.vl.json"
  chown 65534:65534 "$T/theirs.vl.json"
  chmod 640 "$T/theirs.vl.json"
  check "replace nobody's file as root" sh -c "umask 022 && '$B' --node '$N' --cookie '$C' procs -o '$T/theirs.vl.json'"
  got=$(stat -c %u:%g:%a "$T/theirs.vl.json")
  [ "$got" = 65534:65534:640 ] || fail "nobody's 0640 file replaced by root became $got, expected 65534:65534:640"
  [ -s "$T/theirs.vl.json" ] || fail "nobody's file is empty"
else
  echo "note: not root, the owner check is skipped"
fi
[ -z "$(ls -a "$T" | grep -F .tmp-)" ] || fail "temporary files left: $(ls -a "$T")"
pass
