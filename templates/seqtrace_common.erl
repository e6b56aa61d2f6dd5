%% seqtrace_common.erl: helpers shared by the seqtrace relays. beamviz puts this
%% text in front of seqtrace_eval.erl or seqtrace_attach.erl: together they are
%% one expression sequence evaluated with erl_eval (nothing is loaded).
%% Bindings: Self (beamviz's pid), MaxEvents, MaxQueue (relay mailbox cap),
%% MaxText (characters of each printed message kept), Depth (~P depth),
%% Batch (events per message to beamviz, at least; or after 50 ms without
%% events), Elixir (print with inspect/2: the node runs Elixir, so every
%% payload is written in its syntax), Qualify (a trace across nodes:
%% references written with their node's name).
%%
%% An event sent to beamviz is
%%   {Kind, Prev, Cur, TsUs, Uniq, From, To, Text, Detail, ReqRefs, ReplyRef}
%% Kind: send | call | cast | exit | down | spawn; Prev/Cur: the seq_trace
%% serial (-1 under erlang:trace); TsUs: microseconds since the trace began;
%% Uniq: strict order of the timestamps; From/To: pids (To a binary when it is
%% an unresolved alias or a name); Text: the message printed and capped;
%% Detail: the short part of the label; ReqRefs: references a reply may come
%% back with; ReplyRef: the reference this message answers, or <<>>.
%%
%% Speed: this code is interpreted (a microsecond or more per expression), so
%% the relays do almost no interpreted work per event: their receive loop only
%% conses raw messages (BvGrab, defined first so its closure holds few
%% bindings), and each chunk of up to BvChunkMax messages is then reshaped and
%% filtered by compiled match specs, printed by compiled stdlib functions
%% applied through external funs (BvPrintAll, BvChunk), and named with one
%% process_info per distinct pid.
BvGrab = fun G(Acc, 0) -> Acc;
             G(Acc, K) -> receive E -> G([E | Acc], K - 1) after 0 -> Acc end
         end,
%% Map keys in sorted order (OTP 26+ keeps maps in an order that can change
%% between VM runs): the k modifier on 26+, Elixir's sort_maps option.
BvFmt = case catch list_to_integer(erlang:system_info(otp_release)) >= 26 of
            true -> "~0tkP";
            _ -> "~0tP"
        end,
BvInspect = [{limit, Depth}, {custom_options, [{sort_maps, true}]}],
BvPrintL = fun(T, Max, Ex) ->
    S = case Ex of
            true ->
                try 'Elixir.Kernel':inspect(T, [{printable_limit, Max} | BvInspect])
                catch _:_ -> io_lib:format(BvFmt, [T, Depth], [{chars_limit, Max + 3}])
                end;
            false -> io_lib:format(BvFmt, [T, Depth], [{chars_limit, Max + 3}])
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
BvPrint = fun(T, Max) -> BvPrintL(T, Max, Elixir) end,
%% A reference as text. Across nodes (Qualify) every node writes it the same
%% way, "#Ref<a@host.1.2.3>" (ref_to_list writes the creator node as a number
%% local to the printing node), so a reply seen on one node pairs with the
%% request seen on another.
BvRefBin = case Qualify of
               false -> fun(R) -> list_to_binary(erlang:ref_to_list(R)) end;
               true ->
                   fun(R) ->
                           "#Ref<" ++ L = erlang:ref_to_list(R),
                           {_, Rest} = lists:splitwith(fun(Ch) -> Ch =/= $. end, L),
                           iolist_to_binary(["#Ref<", atom_to_binary(node(R), utf8), Rest])
                   end
           end,
BvNorm = fun(To) when is_pid(To) -> To;
            (To) when is_reference(To) -> BvRefBin(To);
            (To) when is_atom(To) ->
                 case whereis(To) of
                     undefined -> atom_to_binary(To, utf8);
                     P -> P
                 end;
            ({Nm, Nd}) when Qualify, is_atom(Nm), is_atom(Nd), Nd =/= node() ->
                 %% {Name, Node} across nodes: "Node|Name", resolved by beamviz
                 %% with the names Node's relay reports
                 iolist_to_binary([atom_to_binary(Nd, utf8), $|, atom_to_binary(Nm, utf8)]);
            ({Nm, Nd}) when is_atom(Nm), Nd =:= node() ->
                 case whereis(Nm) of
                     undefined -> BvPrint({Nm, Nd}, 60);
                     P -> P
                 end;
            (To) -> BvPrint(To, 60)
         end,
%% At the end: processes that had no name when first seen but have one now
%% (registered right after they were spawned).
BvLateNames = fun(St = #{seen := Seen, names := Ns}) ->
                      Late = [{P, atom_to_binary(N, utf8)}
                              || {P, K} <- maps:to_list(Seen), is_integer(K), node(P) =:= node(),
                                 {registered_name, N} <- [process_info(P, registered_name)]],
                      St#{names := Late ++ Ns}
              end,
%% Who a process is, read once per participant: {Name | [], Label, InitialCall}.
%% Label: '$process_label' (Elixir 1.17+ Process.set_label/1, OTP 27+
%% proc_lib:set_label/1) as a term, printed by beamviz in the node's syntax
%% (a large one printed here, short), or undefined; InitialCall: <<"m:f/a">>
%% of '$initial_call' (proc_lib, Elixir 1.15+ tasks), else of initial_call,
%% or <<>>. OTP 26.2+ reads the two dictionary keys alone; older nodes read
%% the dictionary.
BvDictKey = try process_info(self(), {dictionary, '$process_label'}) of _ -> true
            catch _:_ -> false
            end,
BvIdent = fun(P) ->
    Info = case BvDictKey of
               true ->
                   process_info(P, [registered_name, initial_call,
                                    {dictionary, '$initial_call'}, {dictionary, '$process_label'}]);
               false ->
                   case process_info(P, [registered_name, initial_call, dictionary]) of
                       [Rn, Ic, {dictionary, D}] ->
                           [Rn, Ic, {ic, proplists:get_value('$initial_call', D)},
                            {label, proplists:get_value('$process_label', D)}];
                       Other -> Other
                   end
           end,
    case Info of
        [{registered_name, Nm}, {initial_call, IC0}, {_, DIC}, {_, Lbl0}] ->
            %% a supervisor is its callback module's init/1, as in procs
            IC = case DIC of
                     {Sv, SvM, _} when Sv =:= supervisor orelse Sv =:= supervisor_bridge,
                                       is_atom(SvM) -> {SvM, init, 1};
                     {_, _, A} when is_integer(A) -> DIC;
                     _ -> IC0
                 end,
            ICB = case IC of
                      {M, F, A2} when is_atom(M), is_atom(F), is_integer(A2) ->
                          iolist_to_binary([atom_to_binary(M, utf8), $:, atom_to_binary(F, utf8),
                                            $/, integer_to_binary(A2)]);
                      _ -> <<>>
                  end,
            %% a big label is cut here (erlang:external_size: no module to load)
            Lbl = case erlang:external_size(Lbl0) > 512 of
                      true when is_binary(Lbl0) -> binary_part(Lbl0, 0, 256);
                      true -> BvPrint(Lbl0, 60);
                      false -> Lbl0
                  end,
            {Nm, Lbl, ICB};
        _ -> {[], undefined, <<>>}
    end
end,
BvUs = fun(Mono, #{t0 := T0}) -> erlang:convert_time_unit(Mono - T0, native, microsecond) end,
BvState = fun(Extra) ->
                  maps:merge(#{count => 0, acc => [], nacc => 0, names => [], idents => [],
                               seen => #{}, extra => [],
                               exits => [], dropped => 0, stop => undefined,
                               t0 => erlang:monotonic_time()}, Extra)
          end,
%% The same as [BvPrint(T, Max) || T <- Ts], printed by compiled code; falls
%% back to BvPrint for the whole list if anything is unusual (a printer raised,
%% invalid Unicode) and per text for the rare one that needs capping.
BvArgsMs = ets:match_spec_compile([{'$1', [], [['$1', Depth]]}]),
BvPrintAll = fun([], _) -> [];
                (Ts, Max) ->
                     N = length(Ts),
                     Bins =
                         try
                             Strs = case Elixir of
                                        true ->
                                            lists:zipwith(fun 'Elixir.Kernel':inspect/2, Ts,
                                                          lists:duplicate(N, [{printable_limit, Max}
                                                                              | BvInspect]));
                                        false ->
                                            lists:zipwith3(fun io_lib:format/3,
                                                           lists:duplicate(N, BvFmt),
                                                           ets:match_spec_run(Ts, BvArgsMs),
                                                           lists:duplicate(N, [{chars_limit, Max + 3}]))
                                    end,
                             Bs = lists:map(fun unicode:characters_to_binary/1, Strs),
                             true = lists:all(fun erlang:is_binary/1, Bs),
                             Bs
                         catch _:_ -> [BvPrint(T, Max) || T <- Ts]
                         end,
                     LongMs = ets:match_spec_compile([{'$1', [{'>', {byte_size, '$1'}, Max}], [true]}]),
                     case ets:match_spec_run(Bins, LongMs) of
                         [] -> Bins;
                         _ -> [case byte_size(B) > Max andalso string:length(B) > Max of
                                   true -> <<(string:slice(B, 0, Max))/binary, "...">>;
                                   false -> B
                               end || B <- Bins]
                     end
             end,
%% Columns of a chunk of kept events {Dir, From, To, Msg, Mono, U, Prev, Cur}
%% (Dir: s for a send, r for a receive; Prev, Cur: the seq_trace serial or
%% -1), each computed by a compiled match spec.
%% BvClsMs classifies the message (element 4) by OTP's message shapes:
%% {Kind, How, Detail, ReqRefs, ReplyRef}; How: p (print Detail, 40
%% characters), a (Detail is an atom: its text), e (no detail); ReqRefs: a list
%% of references, or top (the references among the message's elements, and
%% R of its [alias | R] elements); ReplyRef: a reference or none.
BvClsMs = ets:match_spec_compile(
  [{{'_', '_', '_', {spawn_request, '_', '_', '_', '_', '_', spawn_reply, '_'}, '_', '_', '_', '_'},
    [], [{{spawn, e, none, [], none}}]},
   %% a spawn on another node: {spawn_request, Ref, Parent, GroupLeader, MFA,
   %% Opts} sent to the node's name (its arguments follow in a message of
   %% their own; beamviz pairs both with the new process)
   {{'_', '_', '$1', {spawn_request, '_', '_', '_', '_', '_'}, '_', '_', '_', '_'}, [{is_binary, '$1'}],
    [{{spawn, e, none, [], none}}]},
   {{'_', '_', '_', {'$gen_call', {'_', [alias | '$1']}, '$2'}, '_', '_', '_', '_'}, [{is_reference, '$1'}],
    [{{call, p, '$2', ['$1'], none}}]},
   {{'_', '_', '_', {'$gen_call', {'_', '$1'}, '$2'}, '_', '_', '_', '_'}, [{is_reference, '$1'}],
    [{{call, p, '$2', ['$1'], none}}]},
   {{'_', '_', '_', {'$gen_call', '_', '$2'}, '_', '_', '_', '_'}, [], [{{call, p, '$2', [], none}}]},
   {{'_', '_', '_', {'$gen_cast', '$2'}, '_', '_', '_', '_'}, [], [{{cast, p, '$2', [], none}}]},
   {{'_', '_', '_', {'EXIT', '_', '$2'}, '_', '_', '_', '_'}, [], [{{exit, p, '$2', [], none}}]},
   {{'_', '_', '_', {'DOWN', '_', process, '_', '$2'}, '_', '_', '_', '_'}, [], [{{down, p, '$2', [], none}}]},
   {{'_', '_', '_', {[alias | '$1'], '$2'}, '_', '_', '_', '_'}, [{is_reference, '$1'}],
    [{{send, p, '$2', [], '$1'}}]},
   {{'_', '_', '_', {'$1', '$2'}, '_', '_', '_', '_'}, [{is_reference, '$1'}], [{{send, p, '$2', [], '$1'}}]},
   {{'_', '_', '_', {{'$1', '_'}, '$2'}, '_', '_', '_', '_'}, [{is_reference, '$1'}],
    [{{send, p, '$2', [], '$1'}}]},
   {{'_', '_', '_', '$2', '_', '_', '_', '_'}, [{is_atom, '$2'}], [{{send, a, '$2', [], none}}]},
   {{'_', '_', '_', '$2', '_', '_', '_', '_'}, [{is_atom, {element, 1, '$2'}}],
    [{{send, a, {element, 1, '$2'}, top, none}}]},
   {{'_', '_', '_', '$2', '_', '_', '_', '_'}, [], [{{send, p, '$2', top, none}}]}]),
BvIdxMs = fun(How) -> ets:match_spec_compile([{{'$1', {'_', How, '$2', '_', '_'}}, [], [{{'$1', '$2'}}]}]) end,
BvIdxA = BvIdxMs(a), BvIdxP = BvIdxMs(p), BvIdxE = BvIdxMs(e),
BvCol = fun(I) -> ets:match_spec_compile([{'$1', [], [{element, I, '$1'}]}]) end,
BvCol2 = BvCol(2), BvCol4 = BvCol(4), BvCol5 = BvCol(5),
%% {ReqRefs, Event} -> the message if ReqRefs is top and it is a small tuple, else {}
BvTopMs = ets:match_spec_compile(
            [{{top, {'_', '_', '_', '$1', '_', '_', '_', '_'}},
              [{is_tuple, '$1'}, {'<', {size, '$1'}, 16}], ['$1']},
             {'_', [], [{{}}]}]),
BvAliasMs = ets:match_spec_compile([{[alias | '$1'], [{is_reference, '$1'}], ['$1']}]),
BvPickMs = ets:match_spec_compile([{{top, '$1'}, [], ['$1']}, {{'$1', '_'}, [], ['$1']}]),
BvLocalMs = ets:match_spec_compile([{'$1', [{is_pid, '$1'}, {'=:=', {node, '$1'}, {node}}], ['$1']}]),
BvUsMs = fun(T0) -> ets:match_spec_compile([{{'_', '_', '_', '_', '$1', '_', '_', '_'}, [], [{'-', '$1', {const, T0}}]}]) end,
BvFTList = ets:match_spec_compile([{{'$1', '$2'}, [], [['$1', '$2']]}]),
BvRowMs = ets:match_spec_compile(
            [{{{{'_', '_', '_', '_', '_', '$5', '$2', '$3'}, {'$6', '$7'}, {'$1', '_', '_', '_', '_'}},
               {'$4', '$8', '$9'}, {'$10', '$11'}},
              [], [{{'$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', '$10', '$11'}}]}]),
%% Chunk of kept events + their {From, To} pairs -> {Events, St}. Names are
%% read when a pid is first seen, so a process that dies keeps it; a pid
%% without a name is looked at again in its next few chunks (up to 4 looks):
%% a process registered right after spawn(), the usual idiom, then gets its
%% name even if it dies before the trace ends.
BvChunk = fun([], _, St = #{extra := []}) -> {[], St};
             (Kept, FT, St = #{t0 := T0}) ->
    N = length(Kept),
    Cls = ets:match_spec_run(Kept, BvClsMs),
    IC = lists:zip(lists:seq(1, N), Cls),
    {AI, AT} = lists:unzip(ets:match_spec_run(IC, BvIdxA)),
    {PI, PT} = lists:unzip(ets:match_spec_run(IC, BvIdxP)),
    EI = ets:match_spec_run(IC, BvIdxE),
    Dets = ets:match_spec_run(
             lists:merge([lists:zip(AI, lists:zipwith(fun erlang:atom_to_binary/2, AT,
                                                      lists:duplicate(length(AT), utf8))),
                          lists:zip(PI, BvPrintAll(PT, 40)),
                          [{I, <<>>} || {I, _} <- EI]]), BvCol2),
    Texts = BvPrintAll(ets:match_spec_run(Kept, BvCol4), MaxText),
    Us = lists:zipwith3(fun erlang:convert_time_unit/3, ets:match_spec_run(Kept, BvUsMs(T0)),
                        lists:duplicate(N, native), lists:duplicate(N, microsecond)),
    Rq0 = ets:match_spec_run(Cls, BvCol4),
    Rq1 = case lists:member(top, Rq0) of
              false -> Rq0;
              true ->
                  %% the references among a message's elements, and [alias | R]
                  Ls = lists:map(fun erlang:tuple_to_list/1,
                                 ets:match_spec_run(lists:zip(Rq0, Kept), BvTopMs)),
                  Refs = lists:zipwith(fun lists:filter/2,
                                       lists:duplicate(N, fun erlang:is_reference/1), Ls),
                  Lists = lists:zipwith(fun lists:filter/2,
                                        lists:duplicate(N, fun erlang:is_list/1), Ls),
                  Top = case lists:append(Lists) of
                            [] -> Refs;
                            _ -> lists:zipwith(fun erlang:'++'/2, Refs,
                                               lists:zipwith(fun ets:match_spec_run/2, Lists,
                                                             lists:duplicate(N, BvAliasMs)))
                        end,
                  ets:match_spec_run(lists:zip(Rq0, Top), BvPickMs)
          end,
    Rq = case lists:append(Rq1) of
             [] -> Rq1;
             _ -> [[BvRefBin(R) || R <- L] || L <- Rq1]
         end,
    Rp0 = ets:match_spec_run(Cls, BvCol5),
    Rp = case lists:usort(Rp0) of
             [none] -> lists:duplicate(N, <<>>);
             _ -> [case R of none -> <<>>; _ -> BvRefBin(R) end || R <- Rp0]
         end,
    Evs = ets:match_spec_run(lists:zip3(lists:zip3(Kept, FT, Cls), lists:zip3(Us, Texts, Dets),
                                        lists:zip(Rq, Rp)), BvRowMs),
    %% names: once per distinct pid of the chunk
    #{seen := Seen, names := Ns, idents := Ids} = St,
    %% extra: local receivers of messages from other nodes (across nodes), who
    %% may send nothing this node's relay sees
    #{extra := Extra} = St,
    Pids = [P || P <- lists:usort(ets:match_spec_run(
                                    Extra ++ lists:append(ets:match_spec_run(FT, BvFTList)),
                                    BvLocalMs)),
                 case Seen of #{P := K} -> is_integer(K) andalso K < 4; _ -> true end],
    %% a pid seen for the first time: its whole identity, once
    New = [P || P <- Pids, not is_map_key(P, Seen)],
    Ids2 = [{P, L, IC} || {P, {_, L, IC}} <- lists:zip(New, lists:map(BvIdent, New))] ++ Ids,
    Infos = lists:zipwith(fun erlang:process_info/2, Pids,
                          lists:duplicate(length(Pids), registered_name)),
    {Seen2, Ns2} = lists:foldl(fun({P, {registered_name, Nm}}, {Se, Na}) ->
                                       {Se#{P => true}, [{P, atom_to_binary(Nm, utf8)} | Na]};
                                  ({P, _}, {Se, Na}) -> {Se#{P => maps:get(P, Se, 0) + 1}, Na}
                               end, {Seen, Ns}, lists:zip(Pids, Infos)),
    {Evs, St#{seen := Seen2, names := Ns2, idents := Ids2, extra := []}}
end,
%% acc holds the chunks' event lists, newest first. The bounds are checked
%% after every chunk: max events exactly (the receive loop takes at most
%% MaxEvents - count raw messages, and each gives at most one event), and the
%% relay's own mailbox (process_info is not free: once a chunk).
BvFlush = fun(St = #{acc := [], names := [], exits := [], idents := []}) -> St;
             (St = #{acc := Acc, names := Ns, exits := Ex, idents := Ids}) ->
                  Self ! {bv_seqtrace, self(), batch, lists:append(lists:reverse(Acc)), Ns, Ex,
                          Ids},
                  St#{acc := [], names := [], exits := [], idents := [], nacc := 0}
          end,
BvBound = fun(St = #{count := C}) when C >= MaxEvents -> St#{stop := max_events};
             (St) ->
                  case process_info(self(), message_queue_len) of
                      {message_queue_len, Q} when Q > MaxQueue -> St#{stop := mailbox};
                      _ -> St
                  end
          end,
BvChunkMax = 500,
%% match spec guard: V (a match variable) is not a spawn reply
BvNotSR = fun(V) -> {'not', {'andalso', {is_tuple, V}, {'=:=', {size, V}, 4},
                             {'=:=', {element, 1, V}, spawn_reply}}}
          end,
