%% seqtrace_eval.erl (after seqtrace_common.erl): beamviz seqtrace --eval/--elixir.
%% Bindings besides the common ones: Code (binary), IsElixir, Force, Duration (ms),
%% Quiet (ms without events that ends a finished trace), LabelIn (the token's
%% label, an integer beamviz chose), Follow.
%% Value: {ok, Relay} | {parse_error, Line, Col, Msg} | {refused, Tracer} | timeout.
%%
%% Across nodes: every other node gets a follower relay first (Follow true: no
%% code, no worker; it relays the events of LabelIn that reach its node, since
%% a token travels with messages between nodes and each node sends its events
%% to its own system tracer). When the entry's relay says done, beamviz tells
%% each follower to stop on the follower's own connection (seqtrace_stop.erl:
%% {bv_follow_stop, _}); a follower then drains its events in flight like the
%% entry does. Each follower has its own deadline (Duration) and monitors
%% beamviz on its own connection, so kill -9 of beamviz cleans every node.
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
    case Follow =:= false andalso IsElixir of
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
        false when Follow -> follow;
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
                                {ok, Val} -> {ok, BvPrintL(Val, 2000, IsElixir)};
                                {raised, C, E, S} when IsElixir ->
                                    {raised, atom_to_binary(C, utf8),
                                     try unicode:characters_to_binary(
                                           'Elixir.Exception':format_banner(C, E, S))
                                     catch _:_ -> BvPrint(E, 500)
                                     end};
                                {raised, C, E, _} ->
                                    {raised, atom_to_binary(C, utf8), BvPrintL(E, 500, IsElixir)}
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
                            Label = LabelIn,
                            St0 = BvState(#{label => Label, old => Old, monc => MonC,
                                            result => case Follow of
                                                          true -> none;
                                                          false -> undefined
                                                      end,
                                            quiet => undefined,
                                            pending => #{},
                                            dl => erlang:monotonic_time(millisecond) + Duration}),
                            {W, MonW} = case Follow of
                                            true -> {none, none};
                                            false -> spawn_monitor(Worker(self(), Label))
                                        end,
                            KillW = fun() when is_pid(W) -> exit(W, kill);
                                       () -> ok
                                    end,
                            Parent ! {self(), started},
                            Restore = fun() ->
                                case seq_trace:get_system_tracer() =:= self() of
                                    true -> seq_trace:set_system_tracer(Old);
                                    false -> ok
                                end
                            end,
                            try
                                St1 = St0#{w => W, monw => MonW},
                                %% raw messages -> this trace's sends {s, From, To, Msg,
                                %% Mono, U, Prev, Cur} and receives {r, Serial, To} (used
                                %% only to resolve a send to an alias); spawn replies are
                                %% no messages
                                EvMs = ets:match_spec_compile(
                                         [{{seq_trace, Label, {send, {'$1', '$2'}, '$3', '$4', '$5'},
                                            {'$6', '$7'}}, [BvNotSR('$5')],
                                           [{{s, '$3', '$4', '$5', '$6', '$7', '$1', '$2'}}]},
                                          {{seq_trace, Label, {'receive', '$1', '_', '$2', '_'}, '_'},
                                           [{is_pid, '$2'}], [{{r, '$1', '$2'}}]}]),
                                OurMs = ets:match_spec_compile([{{seq_trace, Label, '_', '_'}, [], [true]}]),
                                OtherMs = ets:match_spec_compile(
                                            [{'$1', [{'not', {'andalso', {is_tuple, '$1'},
                                                              {'=:=', {size, '$1'}, 4},
                                                              {'=:=', {element, 1, '$1'}, seq_trace},
                                                              {'=:=', {element, 2, '$1'}, Label}}}],
                                              ['$1']}]),
                                %% sends that need the exact (interpreted) pass: to an
                                %% alias, a name, {Name, Node}
                                SlowMs = ets:match_spec_compile(
                                           [{{s, '_', '$1', '_', '_', '_', '_', '_'},
                                             [{'not', {is_pid, '$1'}}], [true]}]),
                                SendsMs = ets:match_spec_compile(
                                            [{{s, '_', '_', '_', '_', '_', '_', '_'}, [], ['$_']}]),
                                SpawnMs = ets:match_spec_compile(
                                            [{{s, '_', '$1', {spawn_request, '_', '_', '_', '_', '_',
                                                              spawn_reply, '_'}, '_', '_', '_', '_'},
                                              [{is_pid, '$1'}], ['$1']}]),
                                RecvMs = ets:match_spec_compile([{{r, '_', '$1'}, [], ['$1']}]),
                                FTMs = ets:match_spec_compile(
                                         [{{'_', '$1', '$2', '_', '_', '_', '_', '_'}, [], [{{'$1', '$2'}}]}]),
                                %% a send whose target is an alias waits for its
                                %% receive event, which names the receiving pid
                                Resolve =
                                    fun(Evs, Pd0) ->
                                        {Pd9, Kept9} =
                                            lists:foldl(
                                              fun({s, _, To, _, _, _, Pv, Cu} = E, {Pd, Acc}) ->
                                                      E2 = setelement(3, E, BvNorm(To)),
                                                      case is_reference(To) of
                                                          true -> {Pd#{{Pv, Cu} => E2}, Acc};
                                                          false -> {Pd, [E2 | Acc]}
                                                      end;
                                                 ({r, Serial, To}, {Pd, Acc}) when map_size(Pd) > 0 ->
                                                      case maps:take(Serial, Pd) of
                                                          {E, Pd2} -> {Pd2, [setelement(3, E, To) | Acc]};
                                                          error -> {Pd, Acc}
                                                      end;
                                                 (_, PA) -> PA
                                              end, {Pd0, []}, Evs),
                                        {lists:reverse(Kept9), Pd9}
                                    end,
                                %% a chunk of raw messages: this trace's events (the
                                %% count includes sends waiting for their receive)
                                Proc =
                                    fun(Raw, St = #{pending := Pd0, count := C0, quiet := Q}, Now) ->
                                        Evs = ets:match_spec_run(Raw, EvMs),
                                        _ = case ets:match_spec_run(Evs, SpawnMs) of
                                                [] -> ok;
                                                Sp -> lists:zipwith(fun erlang:monitor/2,
                                                                    lists:duplicate(length(Sp), process), Sp)
                                            end,
                                        {Kept, Pd} =
                                            case map_size(Pd0) =:= 0 andalso
                                                     ets:match_spec_run(Evs, SlowMs) =:= [] of
                                                true -> {ets:match_spec_run(Evs, SendsMs), Pd0};
                                                false -> Resolve(Evs, Pd0)
                                            end,
                                        %% across nodes: the receivers here of the
                                        %% trace's messages are named too
                                        St0x = case Qualify of
                                                   true -> St#{extra := ets:match_spec_run(Evs, RecvMs)};
                                                   false -> St
                                               end,
                                        {Out, SC} = BvChunk(Kept, ets:match_spec_run(Kept, FTMs), St0x),
                                        #{acc := Acc, nacc := NA} = SC,
                                        NE = length(Out),
                                        Q2 = case Q =/= undefined andalso
                                                      ets:match_spec_run(Raw, OurMs) =/= [] of
                                                 true -> Now + Quiet;
                                                 false -> Q
                                             end,
                                        SC2 = SC#{pending := Pd, acc := [Out | Acc], nacc := NA + NE,
                                                   count := C0 + NE + map_size(Pd) - map_size(Pd0),
                                                   quiet := Q2},
                                        case NA + NE >= Batch of
                                            true -> BvFlush(SC2);
                                            false -> SC2
                                        end
                                    end,
                                %% the chunk's other messages, in order (few: results,
                                %% monitors, another tool's events); exits of spawned
                                %% processes are recorded while the trace runs
                                Other =
                                    fun(Msgs, St, Now, Exits) ->
                                        lists:foldl(
                                          fun(_, S = #{stop := gone}) -> S;
                                             ({seq_trace, _, _, _} = Foreign, S) ->
                                                  %% another tool's events (--force): pass on
                                                  case is_pid(Old) of
                                                      true -> Old ! Foreign;
                                                      false -> ok
                                                  end,
                                                  S;
                                             ({bv_follow_stop, _}, S) when Follow ->
                                                  S#{quiet := Now + Quiet};
                                             ({bv_result, W0, R}, S) when W0 =:= W ->
                                                  S#{result := R, quiet := Now + Quiet};
                                             ({'DOWN', M, _, _, _}, S) when M =:= MonC ->
                                                  S#{stop := gone};
                                             ({'DOWN', M, _, _, Why}, S) when M =:= MonW ->
                                                  case S of
                                                      #{result := undefined} ->
                                                          S#{result := {exited, BvPrint(Why, 500)},
                                                             quiet := Now + Quiet};
                                                      _ -> S
                                                  end;
                                             ({'DOWN', _, process, P, Why}, S) when Exits ->
                                                  #{exits := Ex} = S,
                                                  S#{exits := [{P, BvPrint(Why, 200),
                                                                BvUs(erlang:monotonic_time(), S)} | Ex]};
                                             (_, S) -> S
                                          end, St, Msgs)
                                    end,
                                %% the receive loop only takes raw messages: each
                                %% chunk is then handled by Proc (compiled code)
                                Loop = fun L(St = #{dl := Dl, quiet := Q, nacc := NAcc, count := C}) ->
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
                                                E ->
                                                    Raw = lists:reverse(
                                                            BvGrab([E], min(BvChunkMax, MaxEvents - C) - 1)),
                                                    S1 = Other(ets:match_spec_run(Raw, OtherMs),
                                                               Proc(Raw, St, Now), Now, true),
                                                    case S1 of
                                                        #{stop := gone} -> S1;
                                                        _ ->
                                                            case BvBound(S1) of
                                                                S3 = #{stop := undefined} -> L(S3);
                                                                S3 -> S3
                                                            end
                                                    end
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
                                Drain = fun D(St = #{count := Cn}) ->
                                    receive
                                        E ->
                                            Room = case Cn >= MaxEvents of
                                                       true -> BvChunkMax;
                                                       false -> min(BvChunkMax, MaxEvents - Cn)
                                                   end,
                                            Raw = lists:reverse(BvGrab([E], Room - 1)),
                                            Now = erlang:monotonic_time(millisecond),
                                            S1 = case Cn >= MaxEvents of
                                                     true ->
                                                         #{dropped := Dr} = St,
                                                         St#{dropped := Dr + length(ets:match_spec_run(Raw, OurMs))};
                                                     false -> Proc(Raw, St, Now)
                                                 end,
                                            case Other(ets:match_spec_run(Raw, OtherMs), S1, Now, false) of
                                                #{stop := gone} -> throw(gone);
                                                S2 -> D(S2)
                                            end
                                    after Quiet -> St
                                    end
                                end,
                                Fin2 = Drain(Fin),
                                %% sends to an alias never received: kept, drawn to the alias
                                Fin3 = case maps:values(maps:get(pending, Fin2)) of
                                           [] -> Fin2;
                                           PV ->
                                               {Out3, S3} = BvChunk(PV, ets:match_spec_run(PV, FTMs), Fin2),
                                               #{acc := A3, nacc := NA3} = S3,
                                               S3#{pending := #{}, acc := [Out3 | A3],
                                                   nacc := NA3 + length(Out3)}
                                       end,
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
                                                KillW(),
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
                                        KillW();
                                Cls:Rsn:Stk ->
                                    Restore(),
                                        KillW(),
                                    Self ! {bv_seqtrace, self(), crashed,
                                            BvPrint({Cls, Rsn, Stk}, 1000)}
                            end
                    end
                end,
                PrevTracer = seq_trace:get_system_tracer(),
                Relay = spawn_opt(Run, [{message_queue_data, off_heap}]),
                receive
                    {Relay, Reply} ->
                        case Reply of
                            started -> {ok, Relay};
                            _ -> Reply
                        end
                after 5000 ->
                    %% a relay killed after it took the system tracer slot
                    %% cannot put the previous tracer back: do it here, once
                    %% it is surely dead
                    MonR = erlang:monitor(process, Relay),
                    exit(Relay, kill),
                    receive {'DOWN', MonR, process, _, _} -> ok end,
                    case seq_trace:get_system_tracer() of
                        Relay -> _ = seq_trace:set_system_tracer(PrevTracer), ok;
                        _ -> ok
                    end,
                    timeout
                end
        end
end.
