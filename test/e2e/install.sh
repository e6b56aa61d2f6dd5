# install.sh: `cmake --install` puts bin/beamviz, share/man/man1/beamviz.1 and the
# library (include/beamviz.h, libbeamviz.a, beamviz.pc) under the prefix; a program
# using only <beamviz.h> (test/install/embed.c) builds with `pkg-config --cflags
# --libs beamviz` against that prefix, loads a model file and writes it back and
# through bv_emit, byte for byte; the installed binary, alone in an empty directory far from the source tree,
# runs `demo` (the templates and the example workload are embedded); the man page has
# no groff warnings and documents every exit code and command.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

[ -n "${BV_BUILD:-}" ] || fail "BV_BUILD (the build dir) is not set"
INST="$BV_TMP/inst"
check "cmake --install" cmake --install "$BV_BUILD" --prefix "$INST"
[ -x "$INST/bin/beamviz" ] || fail "no $INST/bin/beamviz after cmake --install"
MAN="$INST/share/man/man1/beamviz.1"
[ -f "$MAN" ] || fail "no $MAN after cmake --install"

# the man page: every exit code of the CLI and every command is there
for code in $(seq 0 14); do
  grep -q "^\.B $code\$" "$MAN" || fail "man page: exit code $code not documented"
done
for cmd in procs memory apps suptree seqtrace render demo; do
  grep -q "^\.B $cmd\$" "$MAN" || fail "man page: command $cmd not documented"
done
if command -v groff >/dev/null 2>&1; then
  warn=$(groff -man -ww -z "$MAN" 2>&1)
  [ -z "$warn" ] || fail "man page: groff warnings: $warn"
fi

# the binary alone: copy it into an empty dir, run from another empty dir
mkdir -p "$BV_TMP/alone/bin" "$BV_TMP/cwd"
cp "$INST/bin/beamviz" "$BV_TMP/alone/bin/"
check "installed beamviz --version" "$BV_TMP/alone/bin/beamviz" --version
(cd "$BV_TMP/cwd" && "$BV_TMP/alone/bin/beamviz" demo -o demo-out >"$BV_TMP/demo.log" 2>&1) ||
  fail "installed beamviz demo failed: $(tail -n 20 "$BV_TMP/demo.log")"
shopt -s nullglob
vls=("$BV_TMP"/cwd/demo-out/*.vl.json)
[ ${#vls[@]} -ge 1 ] || fail "installed demo wrote no Vega-Lite file"
vl_check "${vls[@]}"

# the library: a program that embeds it, built from the install alone
[ -f "$INST/include/beamviz.h" ] || fail "no include/beamviz.h after cmake --install"
libdir=$(dirname "$(find "$INST" -name libbeamviz.a | head -n 1)")
[ -f "$libdir/libbeamviz.a" ] || fail "no libbeamviz.a after cmake --install"
[ -f "$libdir/pkgconfig/beamviz.pc" ] || fail "no pkgconfig/beamviz.pc beside libbeamviz.a"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists beamviz || fail "pkg-config does not find beamviz: $(pkg-config --print-errors --exists beamviz 2>&1)"
case " $(pkg-config --cflags beamviz) " in
  *" -I$INST/include "*|*"/../../include "*) ;;
  *) fail "pkg-config --cflags beamviz does not point into the prefix: $(pkg-config --cflags beamviz)" ;;
esac
# only <beamviz.h>: the embedding program sees no lib/ header and no source tree
mkdir -p "$BV_TMP/embed"
cp "$BV_SRC/test/install/embed.c" "$BV_TMP/embed/"
# shellcheck disable=SC2046
(cd "$BV_TMP/embed" && cc -std=c11 -Wall -Wextra -Werror -o embed embed.c \
  $(pkg-config --cflags --libs beamviz)) 2>"$BV_TMP/embed/cc.log" ||
  fail "embed.c does not build against the install: $(cat "$BV_TMP/embed/cc.log")"
# a model file as beamviz writes it
printf '%s\n' '{"format":"beamviz.suptree","version":1,"node":"demo@127.0.0.1","otp_release":"26","elixir":false,"title":"demo_sup","mode":"sup","walk_ms":2,' \
  '"nodes":[' \
  '{"kind":"root","parent":-1,"pid":"<0.91.0>","name":"demo_sup","module":"beamviz_demo"},' \
  '{"kind":"worker","parent":0,"pid":"<0.92.0>","child_id":"task","type":"worker","module":"beamviz_demo"},' \
  '{"kind":"worker","parent":0,"pid":"<0.93.0>","child_id":"agent","type":"worker","module":"beamviz_demo"}],' \
  '"links":[]}' >"$BV_TMP/embed/tree.json"
(cd "$BV_TMP/cwd" && "$BV_TMP/embed/embed" "$BV_TMP/embed/tree.json") >"$BV_TMP/embed/run.log" 2>&1 ||
  fail "embed failed: $(cat "$BV_TMP/embed/run.log")"
grep -q '^embed: ok$' "$BV_TMP/embed/run.log" || fail "embed said: $(cat "$BV_TMP/embed/run.log")"
# and the checks can fail: a file one byte off is not written back the same
sed 's/"walk_ms":2/"walk_ms":02/' "$BV_TMP/embed/tree.json" >"$BV_TMP/embed/off.json"
"$BV_TMP/embed/embed" "$BV_TMP/embed/off.json" >/dev/null 2>&1 &&
  fail "embed passed on a file it does not write back byte for byte"
pass
