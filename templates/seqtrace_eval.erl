%% seqtrace_eval.erl (after seqtrace_common.erl): beamviz seqtrace --eval/--elixir.
%% Bindings besides the common ones: Code (binary), IsElixir, Force, Duration (ms),
%% Quiet (ms without events that ends a finished trace).
%% Value: {ok, Relay} | {parse_error, Line, Col, Msg} | {refused, Tracer} | timeout.
%%
%% The code runs in a fresh process (the worker) that carries a seq_trace token
%% with a label of our own; the relay holds the node's one system tracer slot
%% for the trace and puts the previous tracer back when it stops, whatever the
%% reason (done, a bound, beamviz gone). Tokens are set and cleared only by the
%% worker on itself: seq_trace:reset_trace/0 is never called.
BvLoc = fun({L, C}) when is_integer(L), is_integer(C) -> {L, C};
           (L) when is_integer(L) -> {L, 0};
           (_) -> {0, 0}
        end,
Parsed =
    case IsElixir of
        true ->
            case 'Elixir.Code':string_to_quoted(Code, [{columns, true}]) of
                {ok, _} -> ok;
                {error, {Meta, MsgInfo, Token}} ->
                    {Ln, Cl} = case Meta of
                                   L0 when is_integer(L0) -> {L0, 0};
                                   _ when is_list(Meta) ->
                                       {proplists:get_value(line, Meta, 0),
                                        proplists:get_value(column, Meta, 0)};
                                   _ -> {0, 0}
                               end,
                    Text = case MsgInfo of
                               {A, B} -> [A, B];
                               _ -> MsgInfo
                           end,
                    {parse_error, Ln, Cl,
                     unicode:characters_to_binary(io_lib:format("~ts~ts", [Text, Token]))}
            end;
        false ->
            case erl_scan:string(unicode:characters_to_list(Code), {1, 1}) of
                {ok, [], _} -> {parse_error, 1, 1, <<"no expression to evaluate">>};
                {ok, Toks, End} ->
                    Toks2 = case lists:last(Toks) of
                                {dot, _} -> Toks;
                                _ -> Toks ++ [{dot, End}]
                            end,
                    case erl_parse:parse_exprs(Toks2) of
                        {ok, Exprs} -> {ok, Exprs};
                        {error, {Loc, Mod, Desc}} ->
                            {Ln, Cl} = BvLoc(Loc),
                            {parse_error, Ln, Cl,
                             unicode:characters_to_binary(Mod:format_error(Desc))}
                    end;
                {error, {Loc, Mod, Desc}, _} ->
                    {Ln, Cl} = BvLoc(Loc),
                    {parse_error, Ln, Cl, unicode:characters_to_binary(Mod:format_error(Desc))}
            end
    end,
Taken = fun(false) -> false; (undefined) -> false; ([]) -> false; (_) -> true end,
case Parsed of
    {parse_error, _, _, _} -> Parsed;
    _ ->
        case Taken(seq_trace:get_system_tracer()) andalso not Force of
            true -> {refused, BvPrint(seq_trace:get_system_tracer(), 100)};
            false ->
                Parent = self(),
                Worker = fun(Relay, Label) ->
                    fun() ->
                        seq_trace:set_token(label, Label),
                        seq_trace:set_token(send, true),
                        seq_trace:set_token('receive', true),
                        seq_trace:set_token(strict_monotonic_timestamp, true),
                        R = try
                                case Parsed of
                                    ok -> {ok, element(1, 'Elixir.Code':eval_string(Code))};
                                    {ok, Es} ->
                                        {value, V, _} = erl_eval:exprs(Es, []),
                                        {ok, V}
                                end
                            catch
                                Class:Reason:Stack -> {raised, Class, Reason, Stack}
                            end,
                        %% untraced from here: the result goes to the relay
                        seq_trace:set_token([]),
                        Printed =
                            case R of
                                {ok, Val} -> {ok, BvPrint(Val, 2000)};
                                {raised, C, E, S} when IsElixir ->
                                    {raised, atom_to_binary(C, utf8),
                                     try unicode:characters_to_binary(
                                           'Elixir.Exception':format_banner(C, E, S))
                                     catch _:_ -> BvPrint(E, 500)
                                     end};
                                {raised, C, E, _} ->
                                    {raised, atom_to_binary(C, utf8), BvPrint(E, 500)}
                            end,
                        Relay ! {bv_result, self(), Printed}
                    end
                end,
                Run = fun() ->
                    MonC = erlang:monitor(process, Self),
                    Old = seq_trace:set_system_tracer(self()),
                    case Taken(Old) andalso not Force of
                        true ->
                            %% someone took the slot between the check and now
                            _ = seq_trace:set_system_tracer(Old),
                            Parent ! {self(), {refused, BvPrint(Old, 100)}};
                        false ->
                            Label = erlang:unique_integer([positive]),
                            St0 = BvState(#{label => Label, old => Old, monc => MonC,
                                            result => undefined, quiet => undefined,
                                            pending => #{},
                                            dl => erlang:monotonic_time(millisecond) + Duration}),
                            {W, MonW} = spawn_monitor(Worker(self(), Label)),
                            Parent ! {self(), started},
                            Restore = fun() ->
                                case seq_trace:get_system_tracer() =:= self() of
                                    true -> seq_trace:set_system_tracer(Old);
                                    false -> ok
                                end
                            end,
                            try
                                St1 = St0#{w => W, monw => MonW},
                                %% a send whose target is an alias waits for its
                                %% receive event, which names the receiving pid
                                SeqEv =
                                    fun({send, {Pv, Cu}, From, To, Msg}, {Mono, U}, St) ->
                                            case BvClassify(Msg) of
                                                skip -> St;
                                                {K, D, Rq, Rp} ->
                                                    Ev = {K, Pv, Cu, BvUs(Mono, St), U, From,
                                                          BvNorm(To), BvPrint(Msg, MaxText), D,
                                                          Rq, Rp},
                                                    case K of
                                                        spawn when is_pid(To) ->
                                                            erlang:monitor(process, To);
                                                        _ -> ok
                                                    end,
                                                    case is_reference(To) of
                                                        true ->
                                                            #{pending := Pd, count := Cn} = St,
                                                            BvName(From, St#{pending := Pd#{{Pv, Cu} => Ev},
                                                                             count := Cn + 1});
                                                        false -> BvAdd(Ev, From, To, St)
                                                    end
                                            end;
                                       ({'receive', Serial, _, To, _}, _, St = #{pending := Pd})
                                          when is_pid(To), map_size(Pd) > 0 ->
                                            case maps:take(Serial, Pd) of
                                                {Ev, Pd2} ->
                                                    From = element(6, Ev),
                                                    #{count := Cn} = St,
                                                    BvAdd(setelement(7, Ev, To), From, To,
                                                          St#{pending := Pd2, count := Cn - 1});
                                                error -> St
                                            end;
                                       (_, _, St) -> St
                                    end,
                                Loop = fun L(St = #{dl := Dl, quiet := Q, nacc := NAcc}) ->
                                    Now = erlang:monotonic_time(millisecond),
                                    if
                                        Now >= Dl -> St#{stop := duration};
                                        Q =/= undefined, Now >= Q -> St#{stop := done};
                                        true ->
                                            Wait0 = case Q of
                                                        undefined -> Dl - Now;
                                                        _ -> min(Dl, Q) - Now
                                                    end,
                                            Wait = case NAcc of
                                                       0 -> Wait0;
                                                       _ -> min(Wait0, 50)
                                                   end,
                                            receive
                                                {seq_trace, Label, Info, Ts} ->
                                                    S1 = SeqEv(Info, Ts, St),
                                                    S2 = case Q of
                                                             undefined -> S1;
                                                             _ -> S1#{quiet := Now + Quiet}
                                                         end,
                                                    case BvBound(S2) of
                                                        S3 = #{stop := undefined} -> L(S3);
                                                        S3 -> S3
                                                    end;
                                                {seq_trace, _, _, _} = Foreign ->
                                                    %% another tool's events (--force): pass on
                                                    case is_pid(Old) of
                                                        true -> Old ! Foreign;
                                                        false -> ok
                                                    end,
                                                    L(St);
                                                {bv_result, W, R} ->
                                                    L(St#{result := R, quiet := Now + Quiet});
                                                {'DOWN', MonC, _, _, _} -> St#{stop := gone};
                                                {'DOWN', MonW, _, _, Why} ->
                                                    case St of
                                                        #{result := undefined} ->
                                                            L(St#{result := {exited, BvPrint(Why, 500)},
                                                                  quiet := Now + Quiet});
                                                        _ -> L(St)
                                                    end;
                                                {'DOWN', _, process, P, Why} ->
                                                    #{exits := Ex} = St,
                                                    L(St#{exits := [{P, BvPrint(Why, 200),
                                                                     BvUs(erlang:monotonic_time(), St)} | Ex]});
                                                _ -> L(St)
                                            after Wait -> L(BvFlush(St))
                                            end
                                    end
                                end,
                                Fin = Loop(St1),
                                Restore(),
                                case Fin of
                                    #{stop := gone} -> throw(gone);
                                    _ -> ok
                                end,
                                %% Drain: events of the trace still on their way
                                %% arrive within a quiet period; past the bound
                                %% they are counted as dropped.
                                Drain = fun D(St) ->
                                    receive
                                        {seq_trace, Label, Info, Ts} ->
                                            case St of
                                                #{count := Cn} when Cn >= MaxEvents ->
                                                    #{dropped := Dr} = St,
                                                    D(St#{dropped := Dr + 1});
                                                _ -> D(SeqEv(Info, Ts, St))
                                            end;
                                        {bv_result, W, R} -> D(St#{result := R});
                                        {'DOWN', MonC, _, _, _} -> throw(gone);
                                        {'DOWN', MonW, _, _, Why} ->
                                            case St of
                                                #{result := undefined} ->
                                                    D(St#{result := {exited, BvPrint(Why, 500)}});
                                                _ -> D(St)
                                            end
                                    after Quiet -> St
                                    end
                                end,
                                Fin2 = Drain(Fin),
                                #{pending := Pend} = Fin2,
                                Fin3 = maps:fold(fun(_, Ev, S) ->
                                                         #{count := Cn} = S,
                                                         BvAdd(Ev, element(6, Ev), element(7, Ev),
                                                               S#{count := Cn - 1})
                                                 end, Fin2#{pending := #{}}, Pend),
                                Fin4 = BvFlush(BvLateNames(Fin3)),
                                %% a bound stopped the trace, not the code: it keeps
                                %% the rest of --duration to finish
                                Result =
                                    case Fin4 of
                                        #{result := undefined} ->
                                            #{dl := Dl4} = Fin4,
                                            Left = max(0, Dl4 - erlang:monotonic_time(millisecond)),
                                            receive
                                                {bv_result, W, R4} -> R4;
                                                {'DOWN', MonW, _, _, Why4} -> {exited, BvPrint(Why4, 500)};
                                                {'DOWN', MonC, _, _, _} -> throw(gone)
                                            after Left ->
                                                exit(W, kill),
                                                timeout
                                            end;
                                        #{result := R5} -> R5
                                    end,
                                #{stop := Stop, count := Count, dropped := Dropped} = Fin4,
                                Self ! {bv_seqtrace, self(), done, Stop, Result,
                                        #{count => Count, dropped => Dropped}}
                            catch
                                throw:gone ->
                                    Restore(),
                                    exit(W, kill);
                                Cls:Rsn:Stk ->
                                    Restore(),
                                    exit(W, kill),
                                    Self ! {bv_seqtrace, self(), crashed,
                                            BvPrint({Cls, Rsn, Stk}, 1000)}
                            end
                    end
                end,
                Relay = spawn_opt(Run, [{message_queue_data, off_heap}]),
                receive
                    {Relay, Reply} ->
                        case Reply of
                            started -> {ok, Relay};
                            _ -> Reply
                        end
                after 5000 -> exit(Relay, kill), timeout
                end
        end
end.
