%% seqtrace_common.erl: helpers shared by the seqtrace relays. beamviz puts this
%% text in front of seqtrace_eval.erl or seqtrace_attach.erl: together they are
%% one expression sequence evaluated with erl_eval (nothing is loaded).
%% Bindings: Self (beamviz's pid), MaxEvents, MaxQueue (relay mailbox cap),
%% MaxText (characters of each printed message kept), Depth (~P depth),
%% Batch (events per message to beamviz), Elixir (print with inspect/2).
%%
%% An event sent to beamviz is
%%   {Kind, Prev, Cur, TsUs, Uniq, From, To, Text, Detail, ReqRefs, ReplyRef}
%% Kind: send | call | cast | exit | down | spawn; Prev/Cur: the seq_trace
%% serial (-1 under erlang:trace); TsUs: microseconds since the trace began;
%% Uniq: strict order of the timestamps; From/To: pids (To a binary when it is
%% an unresolved alias or a name); Text: the message printed and capped;
%% Detail: the short part of the label; ReqRefs: references a reply may come
%% back with; ReplyRef: the reference this message answers, or <<>>.
BvPrint = fun(T, Max) ->
    S = case Elixir of
            true ->
                try 'Elixir.Kernel':inspect(T, [{limit, Depth}, {printable_limit, Max}])
                catch _:_ -> io_lib:format("~0tP", [T, Depth], [{chars_limit, Max + 3}])
                end;
            false -> io_lib:format("~0tP", [T, Depth], [{chars_limit, Max + 3}])
        end,
    B = case unicode:characters_to_binary(S) of
            Bin when is_binary(Bin) -> Bin;
            _ -> iolist_to_binary(io_lib:format("~0P", [T, Depth]))
        end,
    case byte_size(B) > Max andalso string:length(B) > Max of
        true -> <<(string:slice(B, 0, Max))/binary, "...">>;
        false -> B
    end
end,
BvRefBin = fun(R) -> list_to_binary(erlang:ref_to_list(R)) end,
BvTopRefs = fun(M) when is_tuple(M), tuple_size(M) < 16 ->
                    L = tuple_to_list(M),
                    [BvRefBin(R) || R <- L, is_reference(R)] ++
                        [BvRefBin(R) || [alias | R] <- L, is_reference(R)];
               (_) -> []
            end,
BvTag = fun(M) when is_atom(M) -> atom_to_binary(M, utf8);
           (M) when is_tuple(M), tuple_size(M) > 0, is_atom(element(1, M)) ->
                atom_to_binary(element(1, M), utf8);
           (M) -> BvPrint(M, 40)
        end,
BvClassify = fun
    ({spawn_request, _, _, _, _, _, spawn_reply, _}) -> {spawn, <<>>, [], <<>>};
    ({spawn_reply, _, _, _}) -> skip;
    ({'$gen_call', {_, [alias | R]}, Req}) when is_reference(R) ->
        {call, BvPrint(Req, 40), [BvRefBin(R)], <<>>};
    ({'$gen_call', {_, R}, Req}) when is_reference(R) ->
        {call, BvPrint(Req, 40), [BvRefBin(R)], <<>>};
    ({'$gen_call', _, Req}) -> {call, BvPrint(Req, 40), [], <<>>};
    ({'$gen_cast', Req}) -> {cast, BvPrint(Req, 40), [], <<>>};
    ({'EXIT', _, Why}) -> {exit, BvPrint(Why, 40), [], <<>>};
    ({'DOWN', _, process, _, Why}) -> {down, BvPrint(Why, 40), [], <<>>};
    ({[alias | R], V}) when is_reference(R) -> {send, BvPrint(V, 40), [], BvRefBin(R)};
    ({R, V}) when is_reference(R) -> {send, BvPrint(V, 40), [], BvRefBin(R)};
    ({{R, _}, V}) when is_reference(R) -> {send, BvPrint(V, 40), [], BvRefBin(R)};
    (M) -> {send, BvTag(M), BvTopRefs(M), <<>>}
end,
BvNorm = fun(To) when is_pid(To) -> To;
            (To) when is_reference(To) -> BvRefBin(To);
            (To) when is_atom(To) ->
                 case whereis(To) of
                     undefined -> atom_to_binary(To, utf8);
                     P -> P
                 end;
            (To) -> BvPrint(To, 60)
         end,
%% Names are read when a pid is first seen, so a process that dies keeps it.
%% A pid without a name is looked at again on its next few events (up to 4
%% looks): a process registered right after spawn(), the usual idiom, then
%% gets its name even if it dies before the trace ends.
BvName = fun(P, St = #{seen := Seen, names := Ns}) when is_pid(P) ->
                 case maps:get(P, Seen, 0) of
                     true -> St;
                     K when K >= 4 -> St;
                     K ->
                         case node(P) =:= node() andalso
                                  process_info(P, registered_name) of
                             {registered_name, N} ->
                                 St#{seen := Seen#{P => true},
                                     names := [{P, atom_to_binary(N, utf8)} | Ns]};
                             _ -> St#{seen := Seen#{P => K + 1}}
                         end
                 end;
            (_, St) -> St
         end,
%% At the end: processes that had no name when first seen but have one now
%% (registered right after they were spawned).
BvLateNames = fun(St = #{seen := Seen, names := Ns}) ->
                      Late = [{P, atom_to_binary(N, utf8)}
                              || {P, K} <- maps:to_list(Seen), is_integer(K), node(P) =:= node(),
                                 {registered_name, N} <- [process_info(P, registered_name)]],
                      St#{names := Late ++ Ns}
              end,
BvFlush = fun(St = #{acc := [], names := [], exits := []}) -> St;
             (St = #{acc := Acc, names := Ns, exits := Ex}) ->
                  Self ! {bv_seqtrace, self(), batch, lists:reverse(Acc), Ns, Ex},
                  St#{acc := [], names := [], exits := [], nacc := 0}
          end,
BvAdd = fun(Ev, From, To, St = #{count := C, acc := Acc, nacc := N}) ->
                St1 = BvName(To, BvName(From, St)),
                St2 = St1#{count := C + 1, acc := [Ev | Acc], nacc := N + 1},
                case N + 1 >= Batch of
                    true -> BvFlush(St2);
                    false -> St2
                end
        end,
BvUs = fun(Mono, #{t0 := T0}) -> erlang:convert_time_unit(Mono - T0, native, microsecond) end,
%% The bounds, checked after every kept event: max events exactly, and the
%% relay's own mailbox (read every 64 events: process_info is not free).
BvBound = fun(St = #{count := C}) when C >= MaxEvents -> St#{stop := max_events};
             (St = #{count := C}) when C rem 64 =/= 0 -> St;
             (St) ->
                  case process_info(self(), message_queue_len) of
                      {message_queue_len, Q} when Q > MaxQueue -> St#{stop := mailbox};
                      _ -> St
                  end
          end,
BvState = fun(Extra) ->
                  maps:merge(#{count => 0, acc => [], nacc => 0, names => [], seen => #{},
                               exits => [], dropped => 0, stop => undefined,
                               t0 => erlang:monotonic_time()}, Extra)
          end,
