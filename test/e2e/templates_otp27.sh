#!/usr/bin/env bash
# templates_otp27.sh: every Erlang template beamviz evaluates on a target still
# scans and parses under OTP 27's rules, where `maybe` and `else` are reserved
# words by default. Run with the local erl (no node): erl_scan with OTP 27's
# reserved words, then erl_parse:parse_exprs, on each text exactly as beamviz
# sends it (templates are sent unchanged, values travel as bindings), and on
# the concatenations the collectors build (seqtrace_common.erl, then who.erl for
# attach, then seqtrace_eval.erl or seqtrace_attach.erl, lib/collect/trace.c; who.erl
# then suptree.erl, lib/collect/tree.c).
# examples/*.erl (module sources a local node loads) are checked form by form.
# The check is proved able to fail: a copy with a bare `maybe` atom planted in
# it, and one with a bare `else`, must be rejected.
. "$BV_SRC/test/e2e/lib.sh"

T=$BV_SRC/templates
O=$BV_TMP
mkdir -p "$O"

# what the collectors evaluate: single templates, and the seqtrace concatenations
units=()
for f in "$T"/*.erl; do
  case $(basename "$f") in
    seqtrace_common.erl | seqtrace_eval.erl | seqtrace_attach.erl | who.erl | suptree.erl) ;;
    *) units+=("$f") ;;
  esac
done
# (as lib/collect/trace.c and tree.c build them: who.erl is a prefix, never alone)
{ cat "$T/seqtrace_common.erl"; printf '\n\n'; cat "$T/seqtrace_eval.erl"; } >"$O/seqtrace_common+eval.erl"
{ cat "$T/seqtrace_common.erl"; printf '\n'; cat "$T/who.erl"; printf '\n'; cat "$T/seqtrace_attach.erl"; } >"$O/seqtrace_common+who+attach.erl"
{ cat "$T/who.erl"; printf '\n'; cat "$T/suptree.erl"; } >"$O/who+suptree.erl"
units+=("$O/seqtrace_common+eval.erl" "$O/seqtrace_common+who+attach.erl" "$O/who+suptree.erl")
[ "${#units[@]}" -ge 8 ] || fail "found only ${#units[@]} templates under $T"

# planted: a bare maybe atom, a bare else atom (each must fail); a quoted 'maybe'
# and 'else' (must pass: the quoted atom is how code keeps working on 27)
{ cat "$T/memory.erl"; } >"$O/ok_base.erl"
sed -e '0,/^\([A-Z][A-Za-z]* = \)/s//\1maybe, &/' "$T/memory.erl" >"$O/bad_maybe.erl"
printf 'X = else,\nX.\n' >"$O/bad_else.erl"
printf "X = {'maybe', 'else'},\nX.\n" >"$O/ok_quoted.erl"
cmp -s "$T/memory.erl" "$O/bad_maybe.erl" && fail "could not plant a bare maybe in a copy of memory.erl"

# check27 FILE KIND: exit 0 if FILE scans and parses with maybe/else reserved
# (KIND exprs: one expression sequence; forms: a module, form by form;
# exprs_old: an expression sequence where maybe/else are plain atoms, as before OTP 27)
cat >"$O/check27.erl" <<'EOF'
-module(check27).
-export([main/1]).
main([File, Kind]) ->
    Res = case Kind of
              "exprs_old" -> fun(W) -> erl_scan:f_reserved_word(W) andalso W =/= 'maybe' andalso W =/= 'else' end;
              _ -> fun(W) -> erl_scan:f_reserved_word(W) orelse W =:= 'maybe' orelse W =:= 'else' end
          end,
    {ok, Bin} = file:read_file(File),
    Text = unicode:characters_to_list(Bin),
    R = case erl_scan:string(Text, {1, 1}, [{reserved_word_fun, Res}]) of
            {ok, Toks, _} when Kind =/= "forms" -> erl_parse:parse_exprs(Toks);
            {ok, Toks, _} -> forms(Toks, []);
            {error, E, _} -> {error, E}
        end,
    case R of
        {ok, _} -> halt(0);
        {error, {Loc, Mod, Desc}} ->
            io:format("~ts:~p: ~ts~n", [File, Loc, Mod:format_error(Desc)]),
            halt(1);
        Other ->
            io:format("~ts: ~p~n", [File, Other]),
            halt(1)
    end.
forms([], _) -> {ok, done};
forms([{dot, _} = D | Rest], Acc) ->
    case erl_parse:parse_form(lists:reverse([D | Acc])) of
        {ok, _} -> forms(Rest, []);
        Err -> Err
    end;
forms([T | Rest], Acc) -> forms(Rest, [T | Acc]).
EOF
check "compile the checker" erlc -o "$O" "$O/check27.erl"
check27() { erl -noshell -pa "$O" -run check27 main "$1" "$2" </dev/null; }

# 1. the checker rejects bare maybe/else and accepts the quoted atoms; the planted
#    copies parse under the rules before OTP 27, so only the reserved
#    words make them fail
for b in bad_maybe bad_else; do
  check27 "$O/$b.erl" exprs_old >"$O/out" 2>&1 || fail "$b.erl does not parse even under the rules before OTP 27: $(cat "$O/out")"
done
check27 "$O/ok_base.erl" exprs >"$O/out" 2>&1 || fail "memory.erl copy rejected: $(cat "$O/out")"
check27 "$O/ok_quoted.erl" exprs >"$O/out" 2>&1 || fail "quoted 'maybe'/'else' rejected: $(cat "$O/out")"
check27 "$O/bad_maybe.erl" exprs >"$O/out" 2>&1 && fail "a bare maybe atom in a template was not caught"
grep -q 'bad_maybe.erl' "$O/out" || fail "the planted maybe: no parse error reported: $(cat "$O/out")"
check27 "$O/bad_else.erl" exprs >"$O/out" 2>&1 && fail "a bare else atom in a template was not caught"
grep -q 'bad_else.erl' "$O/out" || fail "the planted else: no parse error reported: $(cat "$O/out")"

# 2. every template and concatenation beamviz evaluates
for u in "${units[@]}"; do
  check27 "$u" exprs >"$O/out" 2>&1 || fail "$(basename "$u") does not parse under OTP 27 rules: $(cat "$O/out")"
done

# 3. example modules loaded into a local node
for f in "$BV_SRC"/examples/*.erl; do
  [ -e "$f" ] || continue
  check27 "$f" forms >"$O/out" 2>&1 || fail "$(basename "$f") does not parse under OTP 27 rules: $(cat "$O/out")"
done

pass
