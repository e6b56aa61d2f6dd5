%% who.erl: a process as the user names it, resolved on the target; prepended
%% to the templates of every option that takes one (suptree.erl for --sup,
%% seqtrace_attach.erl for --attach), so they accept the same forms and say
%% the same things. Every variable bound here starts with Who_ (one expression
%% sequence with its user's); only funs are bound (they carry little when a
%% later fun is spawned).
%%   Who_Resolve(W): W is "<0.1.0>" (beamviz wrote every pid spelling this way)
%%     or a registered name (with or without "Elixir.") ->
%%     {ok, Pid} | {port, W, Port} (a name registered by a port) |
%%     {dead, W} (a pid not alive, or a name gone meanwhile) |
%%     {remote, W} (a pid of another node) | {not_found, W, Similar}
%%   Who_Similar(W): registered names like W (compared as text, no atom made):
%%     the same ignoring case and "Elixir.", one containing the other, or a few
%%     edits apart; at most 3, closest first, "Elixir." taken off
Who_Low = fun(S) ->
              %% text that is not UTF-8 (a name typed in another encoding) is
              %% compared byte by byte, A-Z lowered
              L = case catch string:lowercase(S) of
                      Lb when is_binary(Lb) -> Lb;
                      _ -> << <<(case C >= $A andalso C =< $Z of
                                     true -> C + 32;
                                     false -> C
                                 end)>> || <<C>> <= S >>
                  end,
              case L of <<"elixir.", R/binary>> -> R; _ -> L end
          end,
Who_Dist = fun(A, B) ->
               %% edit distance of two short texts (rows of the table)
               Bl = binary_to_list(B),
               Row0 = lists:seq(0, length(Bl)),
               {_, Last} = lists:foldl(
                             fun(Ca, {I, Prev}) ->
                                     {Row, _} = lists:foldl(
                                                  fun({Cb, Pd, Pl}, {Acc = [Left | _], _}) ->
                                                          V = min(min(Left + 1, Pl + 1),
                                                                  Pd + case Ca =:= Cb of true -> 0; false -> 1 end),
                                                          {[V | Acc], ok}
                                                  end, {[I], ok},
                                                  lists:zip3(Bl, lists:droplast(Prev), tl(Prev))),
                                     {I + 1, lists:reverse(Row)}
                             end, {1, Row0}, binary_to_list(A)),
               lists:last(Last)
           end,
Who_Similar = fun(W) ->
                  Lw = Who_Low(W),
                  Scored = [{case binary:match(Ls, Lw) =/= nomatch orelse binary:match(Lw, Ls) =/= nomatch of
                                 true -> 0;
                                 false when byte_size(Lw) < 40, byte_size(Ls) < 40 -> Who_Dist(Lw, Ls);
                                 false -> 99
                             end, S}
                            || N <- registered(), S <- [atom_to_binary(N, utf8)],
                               Ls <- [Who_Low(S)], Ls =/= <<>>, byte_size(Lw) >= 2],
                  Max = max(1, min(3, byte_size(Lw) div 3)),
                  Close = lists:sort([{D, S} || {D, S} <- Scored, D =< Max]),
                  [case S of <<"Elixir.", R/binary>> -> R; _ -> S end
                   || {_, S} <- lists:sublist(Close, 3)]
              end,
Who_Resolve =
    fun(W) ->
        case W of
            <<"<", _/binary>> ->
                %% list_to_pid refuses numbers no pid can have: not alive either
                try list_to_pid(binary_to_list(W)) of
                    P when node(P) =:= node() ->
                        case is_process_alive(P) of
                            true -> {ok, P};
                            false -> {dead, W}
                        end;
                    _ -> {remote, W}
                catch _:_ -> {dead, W}
                end;
            _ ->
                Match = [N || N <- registered(), S <- [atom_to_binary(N, utf8)],
                              S =:= W orelse S =:= <<"Elixir.", W/binary>>],
                case Match of
                    [N | _] ->
                        case whereis(N) of
                            P when is_pid(P) -> {ok, P};
                            Port when is_port(Port) -> {port, W, Port};
                            _ -> {dead, W}
                        end;
                    [] -> {not_found, W, Who_Similar(W)}
                end
        end
    end,
