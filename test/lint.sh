#!/bin/bash
# lint.sh [SRCDIR]: house rules that a compiler does not check (ctest `lint`).
#  1. banned functions anywhere in lib/ and cli/: sprintf strcpy strcat strtok atoi atol gets
#     (use snprintf, bv_buf, strtol with an end pointer and range checks)
#  2. lib/ never prints or ends the process: no printf fprintf puts fputs putchar perror
#     vprintf vfprintf exit _exit _Exit abort assert (errors go through bv_error_set)
# Comments and string/char literals are blanked first (line numbers kept), so
# "IO.puts(...)" inside an Erlang template string is not a call.
set -u
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

if [ $status -ne 0 ]; then
  echo "lint: FAILED" >&2
else
  echo "lint: OK ($(ls "$src"/lib/*/*.[ch] "$src"/cli/*.[ch] | wc -l) files)"
fi
exit $status
