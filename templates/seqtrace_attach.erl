%% seqtrace_attach.erl (after seqtrace_common.erl): beamviz seqtrace --attach.
%% Bindings besides the common ones: Who (binary "name,<0.1.0>,..."), Duration (ms).
%% Value: {ok, Relay} | {not_found, Who} | {dead, Who} | {traced, Who, Tracer} | timeout.
%%
%% Names are compared as strings with registered() (no atom is made from user
%% input); pids must be alive on this node. The relay is the tracer of the
%% processes for --duration or --max-events, whichever comes first; it then
%% turns the flags off and waits for erlang:trace_delivered/1 so every event
%% generated before is in its mailbox. If beamviz goes away, the flags go too.
Items = [string:trim(X) || X <- binary:split(Who, <<",">>, [global])],
Wanted = [X || X <- Items, X =/= <<>>],
Regs = [{atom_to_binary(N, utf8), N} || N <- registered()],
Resolve =
    fun(W) ->
        PidStr = case W of
                     <<"#PID", Rest/binary>> -> binary_to_list(Rest);
                     _ -> binary_to_list(W)
                 end,
        case PidStr of
            [$< | _] ->
                try list_to_pid(PidStr) of
                    P when node(P) =:= node() ->
                        case is_process_alive(P) of
                            true -> {ok, P};
                            false -> {dead, W}
                        end;
                    _ -> {not_found, W}
                catch _:_ -> {not_found, W}
                end;
            _ ->
                Match = [N || {S, N} <- Regs, S =:= W orelse S =:= <<"Elixir.", W/binary>>],
                case Match of
                    [N | _] ->
                        case whereis(N) of
                            P when is_pid(P) -> {ok, P};
                            _ -> {dead, W}
                        end;
                    [] -> {not_found, W}
                end
        end
    end,
Check = fun C([], Acc) -> {ok, lists:reverse(Acc)};
            C([W | Ws], Acc) ->
                case Resolve(W) of
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
    [] -> {not_found, Who};
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
                            %% who sent a message a traced process received: known
                            %% only for OTP's own message shapes
                            Sender = fun({'$gen_call', {F, _}, _}) when is_pid(F) -> F;
                                        ({'EXIT', F, _}) when is_pid(F) -> F;
                                        ({'DOWN', _, process, F, _}) when is_pid(F) -> F;
                                        ({system, {F, _}, _}) when is_pid(F) -> F;
                                        (_) -> <<"?">>
                                     end,
                            %% a message between two traced processes shows up
                            %% twice (send, receive): keep the send
                            TrEv =
                                fun({trace_ts, P, What, Msg, To, {Mono, U}}, St)
                                      when What =:= send; What =:= send_to_non_existing_process ->
                                        case BvClassify(Msg) of
                                            skip -> St;
                                            {K, D, Rq, Rp} ->
                                                To2 = BvNorm(To),
                                                St1 = case is_pid(To2) andalso maps:is_key(To2, Traced) of
                                                          true ->
                                                              #{expect := Ex} = St,
                                                              Key = {To2, erlang:phash2(Msg)},
                                                              St#{expect := Ex#{Key => maps:get(Key, Ex, 0) + 1}};
                                                          false -> St
                                                      end,
                                                BvAdd({K, -1, -1, BvUs(Mono, St), U, P, To2,
                                                       BvPrint(Msg, MaxText), D, Rq, Rp}, P, To2, St1)
                                        end;
                                   ({trace_ts, _, 'receive', timeout, _}, St) ->
                                        %% a receive ... after that timed out, not a message
                                        St;
                                   ({trace_ts, P, 'receive', Msg, {Mono, U}}, St = #{expect := Ex}) ->
                                        Key = {P, erlang:phash2(Msg)},
                                        case Ex of
                                            #{Key := 1} -> St#{expect := maps:remove(Key, Ex)};
                                            #{Key := N} -> St#{expect := Ex#{Key := N - 1}};
                                            _ ->
                                                case BvClassify(Msg) of
                                                    skip -> St;
                                                    {K, D, Rq, Rp} ->
                                                        From = Sender(Msg),
                                                        BvAdd({K, -1, -1, BvUs(Mono, St), U, From, P,
                                                               BvPrint(Msg, MaxText), D, Rq, Rp},
                                                              From, P, St)
                                                end
                                        end;
                                   (_, St) -> St
                                end,
                            St0 = BvState(#{expect => #{}, monc => MonC,
                                            dl => erlang:monotonic_time(millisecond) + Duration}),
                            try
                                Loop = fun L(St = #{dl := Dl, nacc := NAcc}) ->
                                    Now = erlang:monotonic_time(millisecond),
                                    case Now >= Dl of
                                        true -> St#{stop := duration};
                                        false ->
                                            Wait = case NAcc of
                                                       0 -> Dl - Now;
                                                       _ -> min(Dl - Now, 50)
                                                   end,
                                            receive
                                                {trace_ts, _, _, _, _} = E ->
                                                    case BvBound(TrEv(E, St)) of
                                                        S3 = #{stop := undefined} -> L(S3);
                                                        S3 -> S3
                                                    end;
                                                {trace_ts, _, _, _, _, _} = E ->
                                                    case BvBound(TrEv(E, St)) of
                                                        S3 = #{stop := undefined} -> L(S3);
                                                        S3 -> S3
                                                    end;
                                                {'DOWN', MonC, _, _, _} -> St#{stop := gone};
                                                _ -> L(St)
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
                                            D(St) ->
                                                receive
                                                    {trace_ts, _, _, _, _} = E -> D(TrEv(E, St));
                                                    {trace_ts, _, _, _, _, _} = E -> D(TrEv(E, St))
                                                after 0 -> St
                                                end
                                        end,
                                Fin1 = Drain(Fin),
                                {message_queue_len, Left} = process_info(self(), message_queue_len),
                                #{dropped := Dr0} = Fin1,
                                Fin2 = BvFlush(BvLateNames(Fin1#{dropped := Dr0 + Left})),
                                #{stop := Stop, count := Count, dropped := Dropped} = Fin2,
                                Self ! {bv_seqtrace, self(), done, Stop, none,
                                        #{count => Count, dropped => Dropped}}
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
