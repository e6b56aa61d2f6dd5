# install.sh: `cmake --install` puts bin/beamviz and share/man/man1/beamviz.1 under the
# prefix; the installed binary, alone in an empty directory far from the source tree,
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
pass
