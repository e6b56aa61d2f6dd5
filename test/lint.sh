#!/bin/bash
# lint.sh [SRCDIR]: house rules that a compiler does not check (ctest `lint`).
#  1. banned functions anywhere in lib/ and cli/: sprintf strcpy strcat strtok atoi atol gets
#     (use snprintf, bv_buf, strtol with an end pointer and range checks)
#  2. lib/ never prints or ends the process: no printf fprintf puts fputs putchar perror
#     vprintf vfprintf exit _exit _Exit abort assert (errors go through bv_error_set)
#  3. include direction: a lib/<stage>/ file includes only the stages below it
#     (the table `allowed` below); cli/ includes only <beamviz.h> and its own cli.h
#  4. no string literal in lib/ names a command-line option ("--max-shown"): the
#     names are read from the cli_opt tables in cli/*.c; the library states facts and
#     the CLI words them
# Comments and string/char literals are blanked first (line numbers kept), so
# "IO.puts(...)" inside an Erlang template string is not a call.
#
# lint.sh --self-test: plants one violation of each rule in a copy of lib/ and cli/
# and checks that lint.sh reports each (ctest `lint.selftest`).
set -u
if [ "${1:-}" = --self-test ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  src=$(cd "$here/.." && pwd)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$src/lib" "$src/cli" "$tmp/"
  ok=1
  expect() { # expect WHAT PATTERN: lint on $tmp fails and its report matches PATTERN
    local out
    if out=$(bash "$here/lint.sh" "$tmp" 2>&1); then
      echo "lint self-test: $1 planted, lint passed" >&2; ok=0
    elif ! grep -q -- "$2" <<<"$out"; then
      echo "lint self-test: $1 planted, not reported; lint said:" >&2; echo "$out" >&2; ok=0
    fi
  }
  printf '#include "render/render.h"\n' >>"$tmp/lib/util/buf.c"
  expect "util/ including render/" 'lib/util/buf.c:[0-9]*: lib/util/ may not include render/'
  cp "$src/lib/util/buf.c" "$tmp/lib/util/buf.c"
  printf 'static const char *bv_planted = "use --max-shown";\n' >>"$tmp/lib/model/model.c"
  expect "an option name in a lib string" 'lib/model/model.c:[0-9]*: names the command-line option --max-shown'
  cp "$src/lib/model/model.c" "$tmp/lib/model/model.c"
  printf 'static const char *bv_planted = "--%%s: failed";\n' >>"$tmp/lib/model/model.c"
  expect "an option name filled into a lib string" 'lib/model/model.c:[0-9]*: names the command-line option --%s'
  cp "$src/lib/model/model.c" "$tmp/lib/model/model.c"
  printf 'static char planted[8]; static void f(void) { sprintf(planted, "x"); }\n' >>"$tmp/lib/view/tree.c"
  expect "sprintf" 'lib/view/tree.c:[0-9]*: banned function'
  cp "$src/lib/view/tree.c" "$tmp/lib/view/tree.c"
  printf '#include "util/util.h"\n' >>"$tmp/cli/main.c"
  out=$(bash "$here/lint.sh" "$tmp" 2>&1)
  grep -q 'cli/main.c:[0-9]*: cli/ includes only <beamviz.h> and cli.h' <<<"$out" ||
    { echo "lint self-test: cli/ including util/util.h not reported" >&2; ok=0; }
  [ $ok = 1 ] && echo "lint self-test: every planted violation reported"
  [ $ok = 1 ]
  exit
fi
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
status=0

strip() {
  perl -0777 -pe '
    s{/\*(.*?)\*/}{ my $c = $1; $c =~ tr/\n//cd; " $c " }gse;
    s{//[^\n]*}{}g;
    s{"(?:\\.|[^"\\\n])*"}{""}g;
    s{\x27(?:\\.|[^\x27\\\n])*\x27}{\x27\x27}g;
  ' "$1"
}

scan() {  # scan REGEX WHY FILES...
  local re=$1 why=$2 f hits
  shift 2
  for f in "$@"; do
    [ -f "$f" ] || continue
    hits=$(strip "$f" | grep -nP "$re") || continue
    while IFS= read -r h; do
      printf '%s:%s: %s\n' "${f#$src/}" "${h%%:*}" "$why" >&2
      printf '    %s\n' "$(sed -n "${h%%:*}p" "$f" | sed 's/^[[:space:]]*//')" >&2
    done <<<"$hits"
    status=1
  done
}

shopt -s nullglob
scan '(?<![\w.>])(sprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\(' \
  'banned function (STYLE.md: use snprintf, bv_buf, strtol)' \
  "$src"/lib/*/*.[ch] "$src"/cli/*.[ch]
scan '(?<![\w.>])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror|exit|_exit|_Exit|abort|assert)\s*\(' \
  'lib/ never prints or exits (return a BV_E* code with bv_error_set)' \
  "$src"/lib/*/*.[ch]

# 3. include direction
declare -A allowed=(
  [util]="util" [node]="util node" [model]="util model" [collect]="util node model collect"
  [view]="util model view" [emit]="util model view emit" [layout]="util model view layout"
  [render]="util layout render" [api]="util node model collect view emit layout render api"
)
for f in "$src"/lib/*/*.[ch]; do
  stage=$(basename "$(dirname "$f")")
  [ -n "${allowed[$stage]+x}" ] || {
    printf '%s: lib/%s/ is not in lint.sh'"'"'s table of stages\n' "${f#$src/}" "$stage" >&2
    status=1
    continue
  }
  while IFS=: read -r line inc; do
    to=${inc%%/*}
    case " ${allowed[$stage]} " in *" $to "*) continue ;; esac
    printf '%s:%s: lib/%s/ may not include %s/ (it may include: %s)\n' "${f#$src/}" "$line" \
      "$stage" "$to" "${allowed[$stage]}" >&2
    status=1
  done < <(grep -noP '^\s*#\s*include\s*"\K[^"/]+/[^"]+' "$f")
done
for f in "$src"/cli/*.[ch]; do
  while IFS=: read -r line inc; do
    case $inc in beamviz.h|cli.h) continue ;; esac
    printf '%s:%s: cli/ includes only <beamviz.h> and cli.h, not %s\n' "${f#$src/}" "$line" "$inc" >&2
    status=1
  done < <(grep -noP '^\s*#\s*include\s*"\K[^"]+' "$f")
done

# 4. no option names in lib/ string literals (nor "--%s", an option name filled in)
opts=$(perl -0777 -ne 'while (/cli_opt\s+\w+\[\]\s*=\s*\{(.*?)\};/sg) { my $b = $1;
  print "$1\n" while $b =~ /\{\s*"([a-z][a-z0-9-]*)"\s*,\s*(?:"|NULL)/g }' "$src"/cli/*.c | sort -u)
if [ -n "$opts" ]; then
  re=$(paste -sd'|' <<<"$opts")
  for f in "$src"/lib/*/*.[ch]; do
    # comments blanked, literals kept; each line's literals only
    hits=$(perl -0777 -pe 's{/\*(.*?)\*/}{ my $c = $1; $c =~ tr/\n//cd; " $c " }gse; s{//[^\n]*}{}g' "$f" |
      perl -ne 'my $n = $.; while (/"((?:\\.|[^"\\\n])*)"/g) { my $l = $1;
        while ($l =~ /(?<![\w-])--('"$re"'|%[-0-9.*]*s)(?![\w-])/g) { print "$n:--$1\n" } }')
    [ -n "$hits" ] || continue
    while IFS=: read -r line opt; do
      printf '%s:%s: names the command-line option %s (library messages state facts; the CLI words them)\n' \
        "${f#$src/}" "$line" "$opt" >&2
      printf '    %s\n' "$(sed -n "${line}p" "$f" | sed 's/^[[:space:]]*//')" >&2
    done <<<"$hits"
    status=1
  done
fi

if [ $status -ne 0 ]; then
  echo "lint: FAILED" >&2
else
  echo "lint: OK ($(ls "$src"/lib/*/*.[ch] "$src"/cli/*.[ch] | wc -l) files)"
fi
exit $status
