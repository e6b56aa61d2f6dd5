%% seqtrace_attach.erl (after seqtrace_common.erl and who.erl): beamviz seqtrace --attach.
%% Bindings besides the common ones: Who (binary "name,<0.1.0>,..."), Duration (ms).
%% Value: {ok, Relay} | {not_found, Who, Similar} | {dead, Who} | {remote, Who} |
%% {traced, Who, Tracer} | timeout. beamviz writes every pid as "<0.1.0>".
%%
%% Names are compared as strings with registered() (no atom is made from user
%% input); pids must be alive on this node. The relay is the tracer of the
%% processes for --duration or --max-events, whichever comes first; it then
%% turns the flags off and waits for erlang:trace_delivered/1 so every event
%% generated before is in its mailbox. If beamviz goes away, the flags go too.
Items = [string:trim(X) || X <- binary:split(Who, <<",">>, [global])],
Wanted = [X || X <- Items, X =/= <<>>],
Check = fun C([], Acc) -> {ok, lists:reverse(Acc)};
            C([W | Ws], Acc) ->
                case Who_Resolve(W) of
                    {port, _, _} -> {dead, W};
                    {ok, P} ->
                        case erlang:trace_info(P, tracer) of
                            {tracer, []} -> C(Ws, [P | Acc]);
                            {tracer, T} -> {traced, W, BvPrint(T, 100)};
                            undefined -> {dead, W}
                        end;
                    Err -> Err
                end
        end,
case Wanted of
    [] -> {not_found, Who, []};
    _ ->
        case Check(Wanted, []) of
            {ok, Procs0} ->
                Procs = lists:usort(Procs0),
                Parent = self(),
                Flags = [send, 'receive', strict_monotonic_timestamp],
                Run = fun() ->
                    MonC = erlang:monitor(process, Self),
                    Me = self(),
                    On = [P || P <- Procs,
                               (catch erlang:trace(P, true, [{tracer, Me} | Flags])) =:= 1],
                    Off = fun() -> [catch erlang:trace(P, false, Flags) || P <- On] end,
                    case length(On) =:= length(Procs) of
                        false ->
                            Off(),
                            Parent ! {self(), {dead, BvPrint(Procs -- On, 200)}};
                        true ->
                            Parent ! {self(), started},
                            Traced = maps:from_list([{P, true} || P <- On]),
                            %% raw trace messages -> {Dir, From, To, Msg, Mono, U, -1, -1}; a
                            %% receive that timed out and spawn replies are no messages
                            NotSR = BvNotSR('$2'),
                            NormMs = ets:match_spec_compile(
                                       [{{trace_ts, '$1', What, '$2', '$3', {'$4', '$5'}}, [NotSR],
                                         [{{s, '$1', '$3', '$2', '$4', '$5', -1, -1}}]}
                                        || What <- [send, send_to_non_existing_process]] ++
                                       [{{trace_ts, '$1', 'receive', '$2', {'$4', '$5'}},
                                         [{'=/=', '$2', timeout}, NotSR],
                                         [{{r, '$1', '$1', '$2', '$4', '$5', -1, -1}}]}]),
                            %% sends that need the exact (interpreted) pass: to a
                            %% traced process, or to a name, alias, {Name, Node}
                            SlowMs = ets:match_spec_compile(
                                       [{{s, '_', '$1', '_', '_', '_', '_', '_'}, [{'not', {is_pid, '$1'}}], [true]} |
                                        [{{s, '_', P, '_', '_', '_', '_', '_'}, [], [true]} || P <- On]]),
                            %% who sent a message a traced process received: known
                            %% only for protocols whose message carries it: a
                            %% gen_server/gen_statem call {'$gen_call', {From, Tag}, _}
                            %% (Tag a reference or OTP 24+ [alias | Ref]), an exit
                            %% signal, a monitor's DOWN, a sys message and an I/O
                            %% request {io_request, From, _, _}
                            FTMs = ets:match_spec_compile(
                                     [{{s, '$1', '$2', '_', '_', '_', '_', '_'}, [], [{{'$1', '$2'}}]} |
                                      [{{r, '$1', '_', Pat, '_', '_', '_', '_'}, [{is_pid, '$2'}], [{{'$2', '$1'}}]}
                                       || Pat <- [{'$gen_call', {'$2', '_'}, '_'}, {'EXIT', '$2', '_'},
                                                  {'DOWN', '_', process, '$2', '_'},
                                                  {system, {'$2', '_'}, '_'},
                                                  {io_request, '$2', '_', '_'}]]] ++
                                     [{{r, '$1', '_', '_', '_', '_', '_', '_'}, [], [{{{const, <<"?">>}, '$1'}}]}]),
                            %% a message between two traced processes shows up
                            %% twice (send, receive): keep the send
                            Dedup =
                                fun(Norm, Ex0) ->
                                    {Ex9, Kept9} =
                                        lists:foldl(
                                          fun({s, _, To, Msg, _, _, _, _} = E, {Ex, Acc}) ->
                                                  To2 = BvNorm(To),
                                                  Ex2 = case is_pid(To2) andalso maps:is_key(To2, Traced) of
                                                            true ->
                                                                Key = {To2, erlang:phash2(Msg)},
                                                                Ex#{Key => maps:get(Key, Ex, 0) + 1};
                                                            false -> Ex
                                                        end,
                                                  {Ex2, [setelement(3, E, To2) | Acc]};
                                             ({r, P, _, Msg, _, _, _, _} = E, {Ex, Acc}) ->
                                                  Key = {P, erlang:phash2(Msg)},
                                                  case Ex of
                                                      #{Key := 1} -> {maps:remove(Key, Ex), Acc};
                                                      #{Key := N} -> {Ex#{Key := N - 1}, Acc};
                                                      _ -> {Ex, [E | Acc]}
                                                  end
                                          end, {Ex0, []}, Norm),
                                    {lists:reverse(Kept9), Ex9}
                                end,
                            Proc =
                                fun(Raw, St = #{expect := Ex}) ->
                                    Norm = ets:match_spec_run(Raw, NormMs),
                                    {Kept, Ex2} =
                                        case map_size(Ex) =:= 0 andalso
                                                 ets:match_spec_run(Norm, SlowMs) =:= [] of
                                            true -> {Norm, Ex};
                                            false -> Dedup(Norm, Ex)
                                        end,
                                    {Evs, St1} = BvChunk(Kept, ets:match_spec_run(Kept, FTMs), St),
                                    #{count := C, acc := Acc, nacc := NA} = St1,
                                    NE = length(Evs),
                                    St2 = St1#{expect := Ex2, count := C + NE, acc := [Evs | Acc],
                                               nacc := NA + NE},
                                    case NA + NE >= Batch of
                                        true -> BvFlush(St2);
                                        false -> St2
                                    end
                                end,
                            %% the attached processes are participants even
                            %% when they say nothing
                            St00 = BvState(#{expect => #{}, monc => MonC,
                                            dl => erlang:monotonic_time(millisecond) + Duration}),
                            AttIds = [{P, Nm, L, IC} || P <- On, {Nm, L, IC} <- [BvIdent(P)]],
                            St0 = St00#{seen := maps:from_list([{P, case is_atom(Nm) of true -> true; false -> 0 end}
                                                                || {P, Nm, _, _} <- AttIds]),
                                        names := [{P, atom_to_binary(Nm, utf8)} || {P, Nm, _, _} <- AttIds, is_atom(Nm)],
                                        idents := [{P, L, IC} || {P, _, L, IC} <- AttIds]},
                            try
                                %% the receive loop only takes raw messages: each
                                %% chunk is then handled by Proc (compiled code)
                                Loop = fun L(St = #{dl := Dl, nacc := NAcc, count := C}) ->
                                    Now = erlang:monotonic_time(millisecond),
                                    case Now >= Dl of
                                        true -> St#{stop := duration};
                                        false ->
                                            Wait = case NAcc of
                                                       0 -> Dl - Now;
                                                       _ -> min(Dl - Now, 50)
                                                   end,
                                            receive
                                                E ->
                                                    Raw = lists:reverse(
                                                            BvGrab([E], min(BvChunkMax, MaxEvents - C) - 1)),
                                                    case lists:keymember(MonC, 2, Raw) of
                                                        true -> St#{stop := gone};
                                                        false ->
                                                            case BvBound(Proc(Raw, St)) of
                                                                S3 = #{stop := undefined} -> L(S3);
                                                                S3 -> S3
                                                            end
                                                    end
                                            after Wait -> L(BvFlush(St))
                                            end
                                    end
                                end,
                                Fin = Loop(St0),
                                Off(),
                                case Fin of
                                    #{stop := gone} -> throw(gone);
                                    _ -> ok
                                end,
                                %% every trace message generated before the flags
                                %% went off is delivered before this answer
                                DRef = erlang:trace_delivered(all),
                                receive
                                    {trace_delivered, all, DRef} -> ok;
                                    {'DOWN', MonC, _, _, _} -> throw(gone)
                                after 5000 -> ok
                                end,
                                %% everything before the answer is in the mailbox:
                                %% keep what fits in the bound; the rest is only
                                %% counted (it goes away with the relay)
                                Drain = fun D(St = #{count := Cn}) when Cn >= MaxEvents -> St;
                                            D(St = #{count := Cn}) ->
                                                case BvGrab([], min(BvChunkMax, MaxEvents - Cn)) of
                                                    [] -> St;
                                                    Raw -> D(Proc(lists:reverse(Raw), St))
                                                end
                                        end,
                                Fin1 = Drain(Fin),
                                {message_queue_len, Left} = process_info(self(), message_queue_len),
                                #{dropped := Dr0} = Fin1,
                                Fin2 = BvFlush(BvLateNames(Fin1#{dropped := Dr0 + Left})),
                                #{stop := Stop, count := Count, dropped := Dropped} = Fin2,
                                Self ! {bv_seqtrace, self(), done, Stop, none,
                                        #{count => Count, dropped => Dropped, attached => On}}
                            catch
                                throw:gone -> Off();
                                Cls:Rsn:Stk ->
                                    Off(),
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
                end;
            Err -> Err
        end
end.
