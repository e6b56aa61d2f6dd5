%% demo_load.erl: evaluated on beamviz's own throwaway node only (never on a
%% user's node): compiles and loads the example workload, then starts it.
%% Bindings: Src (binary: examples/beamviz_demo.erl).
{ok, Toks, _} = erl_scan:string(unicode:characters_to_list(Src)),
SplitForms = fun Split([], Acc, Forms) -> lists:reverse(Forms, [lists:reverse(Acc) || Acc =/= []]);
                 Split([{dot, _} = D | Rest], Acc, Forms) -> Split(Rest, [], [lists:reverse([D | Acc]) | Forms]);
                 Split([T | Rest], Acc, Forms) -> Split(Rest, [T | Acc], Forms)
             end,
Forms = [begin {ok, F} = erl_parse:parse_form(Ts), F end || Ts <- SplitForms(Toks, [], [])],
{ok, Mod, Bin} = compile:forms(Forms, [binary, return_errors]),
{module, Mod} = code:load_binary(Mod, "beamviz_demo.erl", Bin),
{ok, _} = Mod:start(),
ok.
