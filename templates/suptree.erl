%% suptree.erl (after who.erl): the whole supervision-tree walk, in one
%% evaluation on the target.
%% Bindings:
%%   Mode       <<"app">> | <<"sup">>
%%   Who        binary: an application name, a registered name, or a pid
%%              "<0.A.B>" (every spelling written this way by beamviz)
%%   SupTimeout ms for each supervisor's which_children
%%   Budget     ms for the whole walk (levels not reached in time are reported
%%              as not_walked, never waited for)
%%   Links      boolean: also report processes/ports outside the tree that are
%%              linked to tree members
%% Never harms the node: which_children is sent only to processes whose
%% '$initial_call' says supervisor or supervisor_bridge, or whose parent's
%% which_children lists them with type supervisor (the rule OTP's
%% release_handler relies on), through
%% gen_server:call with a finite timeout, from short-lived workers that are
%% killed if they overrun (one level of the tree at a time, in parallel);
%% user text is compared to existing names, never made into an atom.
%%   Self       beamviz's pid: the walk's results are sent there
%%   Chunk      children per message (a supervisor's child list is cut into
%%              slices of at most Chunk children)
%% Value: Ref, at once. The walk runs in a process of its own, which sends
%% beamviz, in this order (one sender, so they arrive in order):
%%   {bv_suptree_part, Ref, Items}  as each level of the tree is walked; the
%%          Items of one message weigh at most Chunk (a slice weighs its
%%          children, at least 1):
%%          [{SupPid, {ok, ChildrenSlice, LocalPids, Infos}} | {SupPid, {error, Reason}}]
%%          one supervisor's slices come in which_children order, each with
%%          the slice's local child pids and their infos (aligned)
%%   {bv_suptree_done, Ref, {ok, Node, Chain, Ext, Ms, NParts} | {error, Kind, Detail}}
%%   Chain: [{Pid, Role, Info} | {Pid, Role, Info, Note}] root first (app: master,
%%          helper, top, then Role linked: other processes linked to the helper)
%%   Ext:   [{PidOrPort, RegisteredName | [], Extra}]
%%   NParts: how many bv_suptree_part messages were sent
%% The sender checks before each message that beamviz is still connected and
%% sends with noconnect: a vanished beamviz makes it stop (its walk is bounded
%% by Budget anyway, each which_children by SupTimeout).
Deadline = erlang:monotonic_time(millisecond) + Budget,
Ref = make_ref(),
BvNode = node(Self),
%% A child list cut into slices of at most Chunk (N = its length): [[]] for none.
Split = fun Split(L, N) when N =< Chunk -> [L];
            Split(L, N) -> {A, B} = lists:split(Chunk, L), [A | Split(B, N - Chunk)]
        end,
%% Chain processes (root, application master...): name, links, initial call.
%% Children: name and links only (reading every dictionary is the slow part);
%% children whose spec says supervisor get their initial call checked apart.
%% Labels ('$process_label': Elixir 1.17+ Process.set_label/1, OTP 27+
%% proc_lib:set_label/1) of everyone: on OTP 26.2+ one dictionary key read in
%% the same process_info call as the name and links; older nodes can only read
%% the whole dictionary, done for the children of supervisors of at most
%% DictMax children, the label taken out on the target (compiled helpers) and
%% added to the info as {label, L} (test/bench/bench_suptree.sh: its cost).
DictKey = try erlang:process_info(self(), [{dictionary, '$initial_call'}]) of
              [_] -> true;
              _ -> false
          catch error:_ -> false
          end,
Items = case DictKey of
            true -> [registered_name, links, {dictionary, '$initial_call'},
                     {dictionary, '$process_label'}];
            false -> [registered_name, links, dictionary]
        end,
ChildItems = case DictKey of
                 true -> [registered_name, links, {dictionary, '$process_label'}];
                 false -> [registered_name, links]
             end,
DictMax = 10000,
DictMs = ets:match_spec_compile([{{dictionary, '$1'}, [], ['$1']}, {'_', [], [[]]}]),
LabelMs = ets:match_spec_compile([{{'$1', undefined}, [], ['$1']},
                                  {{'$1', '$2'}, [{is_list, '$1'}], [[{{label, '$2'}} | '$1']]},
                                  {{'$1', '_'}, [], ['$1']}]),
%% Old nodes: the children's infos with {label, L} added where there is one.
OldLabels = fun(Pids, Infos) ->
                Ds = ets:match_spec_run(lists:zipwith(fun erlang:process_info/2, Pids,
                                                      lists:duplicate(length(Pids), dictionary)),
                                        DictMs),
                Ls = lists:zipwith(fun proplists:get_value/2,
                                   lists:duplicate(length(Ds), '$process_label'), Ds),
                ets:match_spec_run(lists:zip(Infos, Ls), LabelMs)
            end,
Fmt = fun(T) -> iolist_to_binary(io_lib:format("~0P", [T, 6])) end,
InitCall = fun(undefined) -> undefined;
              (Info) ->
                  case lists:keyfind({dictionary, '$initial_call'}, 1, Info) of
                      {_, V} -> V;
                      false ->
                          case lists:keyfind(dictionary, 1, Info) of
                              {dictionary, D} ->
                                  case lists:keyfind('$initial_call', 1, D) of
                                      {_, V} -> V;
                                      false -> undefined
                                  end;
                              false -> undefined
                          end
                  end
           end,
IsSup = fun(Info) ->
            case InitCall(Info) of
                {supervisor, _, _} -> true;
                {supervisor_bridge, _, _} -> true;
                _ -> false
            end
        end,
PInfo = fun(P) when is_pid(P) -> case node(P) =:= node() of
                                     true -> erlang:process_info(P, Items);
                                     false -> undefined
                                 end;
           (_) -> undefined
        end,
%% One supervisor: which_children with a timeout (ms), then the children's info.
Ask = fun(Sup, AskMs) ->
          R = try gen_server:call(Sup, which_children, AskMs) of
                  Cs when is_list(Cs) ->
                      %% a child list is a list of 4-tuples (compiled helpers)
                      case catch lists:usort(lists:map(fun erlang:tuple_size/1, Cs)) of
                          [4] -> {ok, Cs};
                          [] -> {ok, Cs};
                          _ -> {error, Fmt({bad_reply, Cs})}
                      end;
                  Other -> {error, Fmt({bad_reply, Other})}
              catch
                  exit:{timeout, _} -> {error, timeout};
                  exit:{noproc, _} -> {error, noproc};
                  exit:{normal, _} -> {error, noproc};
                  exit:{shutdown, _} -> {error, noproc};
                  Class:Why -> {error, Fmt({Class, Why})}
              end,
          case R of
              {ok, Children} ->
                  %% compiled helpers (zipwith, filter) instead of interpreted
                  %% comprehensions: a supervisor may have 100,000 children
                  Here = node(),
                  Labels = not DictKey andalso length(Children) =< DictMax,
                  Part = fun(Cs) ->
                      Pids0 = try lists:filter(fun erlang:is_pid/1,
                                               lists:zipwith(fun erlang:element/2,
                                                             lists:duplicate(length(Cs), 2),
                                                             Cs))
                              catch _:_ -> [P || {_, P, _, _} <- Cs, is_pid(P)]
                              end,
                      Pids = case lists:usort(lists:map(fun erlang:node/1, Pids0)) of
                                 [] -> [];
                                 [Here] -> Pids0;
                                 _ -> [P || P <- Pids0, node(P) =:= Here]
                             end,
                      Infos = lists:zipwith(fun erlang:process_info/2, Pids,
                                            lists:duplicate(length(Pids), ChildItems)),
                      {Cs, Pids, case Labels of
                                     true -> OldLabels(Pids, Infos);
                                     false -> Infos
                                 end}
                  end,
                  Parts = lists:map(Part, Split(Children, length(Children))),
                  Subs = case lists:keymember(supervisor, 3, Children) of
                             false -> [];
                             true -> [P || {_, P, supervisor, _} <- Children, is_pid(P),
                                           node(P) =:= Here]
                         end,
                  {ok, Children, Parts, Subs};
              Err -> Err
          end
      end,
%% Ask in a worker of its own. Defined here, before the funs below: an
%% interpreted fun carries every binding made before it, and spawning copies
%% them (nested funs flattened), so the workers' funs stay small.
AskIn = fun(Me, S) ->
            spawn_monitor(fun() -> Me ! {bv_suptree_wc, self(), Ask(S, SupTimeout)} end)
        end,
Collect = fun Collect([], _End, Acc) -> Acc;
              Collect(Ws, End, Acc) ->
                  Left = max(0, End - erlang:monotonic_time(millisecond)),
                  receive
                      {bv_suptree_wc, W, Res} ->
                          case lists:keytake(W, 1, Ws) of
                              {value, {W, M, S}, Rest} ->
                                  erlang:demonitor(M, [flush]),
                                  Collect(Rest, End, [{S, Res} | Acc]);
                              false -> Collect(Ws, End, Acc)
                          end;
                      {'DOWN', _, process, W, Why} ->
                          case lists:keytake(W, 1, Ws) of
                              {value, {W, _, S}, Rest} ->
                                  Collect(Rest, End, [{S, {error, Fmt(Why)}} | Acc]);
                              false -> Collect(Ws, End, Acc)
                          end
                  after Left ->
                      [exit(W, kill) || {W, _, _} <- Ws],
                      [erlang:demonitor(M, [flush]) || {_, M, _} <- Ws],
                      [{S, {error, timeout}} || {_, _, S} <- Ws] ++ Acc
                  end
          end,
%% To beamviz, while it is still connected (else the walk stops).
Send = fun(Msg) ->
           case BvNode =:= node() orelse lists:member(BvNode, nodes(hidden)) of
               true -> erlang:send(Self, Msg, [noconnect]);
               false -> throw(bv_gone)
           end
       end,
%% One level's results, in messages of at most Chunk children each.
Emit = fun(Res) ->
           EItems = lists:append(
                     [case R of
                          {ok, _, Parts, _} -> [{S, {ok, Cs, Ps, Is}} || {Cs, Ps, Is} <- Parts];
                          _ -> [{S, R}]
                      end || {S, R} <- Res]),
           Flush = fun([]) -> ok;
                      (Batch) ->
                          Send({bv_suptree_part, Ref, lists:reverse(Batch)}),
                          put(bv_suptree_parts, get(bv_suptree_parts) + 1)
                   end,
           {Last, _} = lists:foldl(
                         fun(It, {Batch, W}) ->
                                 IW = case It of
                                          {_, {ok, Cs, _, _}} -> max(1, length(Cs));
                                          _ -> 1
                                      end,
                                 case W + IW > Chunk of
                                     true -> Flush(Batch), {[It], IW};
                                     false -> {[It | Batch], W + IW}
                                 end
                         end, {[], 0}, EItems),
           Flush(Last)
       end,
Walk = fun Walk([], _Seen, Acc) -> Acc;
           Walk(Sups0, Seen, Acc) ->
               Sups = [S || S <- lists:usort(Sups0), not maps:is_key(S, Seen)],
               Seen2 = maps:merge(Seen, maps:from_list([{S, true} || S <- Sups])),
               Now = erlang:monotonic_time(millisecond),
               case Now >= Deadline of
                   true ->
                       NotWalked = [{S, {error, not_walked}} || S <- Sups],
                       Emit(NotWalked),
                       NotWalked ++ Acc;
                   false ->
                       Me = self(),
                       Ws = [begin
                                 {W, M} = AskIn(Me, S),
                                 {W, M, S}
                             end || S <- Sups],
                       Res = Collect(Ws, min(Deadline, Now + SupTimeout + 2000), []),
                       Emit(Res),
                       Next = lists:append([Subs || {_, {ok, _, _, Subs}} <- Res]),
                       Walk(Next, Seen2, Res ++ Acc)
               end
       end,
LinksOf = fun(P) -> case erlang:process_info(P, links) of
                      {links, Ls} -> Ls;
                      _ -> []
                  end
        end,
PortName = fun(Port) -> case erlang:port_info(Port, name) of
                              {name, PN} -> {port, unicode:characters_to_binary(PN)};
                              _ -> closed
                          end
           end,
%% The parent named first in '$ancestors' (a pid or a registered name) when it
%% is a process of this node (a parent on another node: none here).
AncParent = fun(P) ->
                case node(P) =:= node() andalso erlang:process_info(P, dictionary) of
                    {dictionary, D} ->
                        case lists:keyfind('$ancestors', 1, D) of
                            {_, [A | _]} when is_pid(A), node(A) =:= node() -> A;
                            {_, [A | _]} when is_atom(A) ->
                                case erlang:whereis(A) of
                                    Q when is_pid(Q) -> Q;
                                    _ -> undefined
                                end;
                            _ -> undefined
                        end;
                    _ -> undefined
                end
            end,
%% Rule (b) for one process: yes, or {no, Why}. The parent is asked only if it
%% passes the rule itself (a, or b up its own ancestors, a few levels).
Declared = fun Declared(P, Depth) ->
               case AncParent(P) of
                   undefined -> {no, no_parent};
                   Par ->
                       ParOk = case IsSup(PInfo(Par)) of
                                   true -> true;
                                   false when Depth > 0 -> Declared(Par, Depth - 1) =:= yes;
                                   false -> false
                               end,
                       %% each ask within what is left of the walk's time
                       Left = min(SupTimeout,
                                  max(0, Deadline - erlang:monotonic_time(millisecond))),
                       case ParOk of
                           false -> {no, {parent_not_supervisor, Par}};
                           true when Left =< 0 -> {no, {parent_not_asked, Par}};
                           true ->
                               case Ask(Par, Left) of
                                   {ok, Cs, _, _} ->
                                       case [T || {_, Q, T, _} <- Cs, Q =:= P] of
                                           [supervisor | _] -> yes;
                                           [T | _] -> {no, {declared, T, Par}};
                                           [] -> {no, {not_listed, Par}}
                                       end;
                                   {error, R} -> {no, {parent_no_answer, Par, R}}
                               end
                       end
               end
           end,
SupRoot = fun(P, Desc) ->
              case PInfo(P) of
                  undefined -> {error, not_alive, Desc};
                  Info ->
                      case IsSup(Info) of
                          true -> {ok, [{P, root, Info}], [P]};
                          false ->
                              case Declared(P, 4) of
                                  yes -> {ok, [{P, root, Info}], [P]};
                                  {no, Why} ->
                                      {error, not_supervisor, {Desc, InitCall(Info), Why}}
                              end
                      end
              end
          end,
FindRoot = fun() -> case Mode of
    <<"sup">> ->
        %% Who_Resolve: who.erl, prepended (the same forms and answers as --attach)
        case Who_Resolve(Who) of
            {ok, P} -> SupRoot(P, Who);
            {port, _, Port} -> {error, not_supervisor, {Who, {port, Port}, port}};
            {not_found, _, Similar} -> {error, not_registered, Similar};
            _ -> {error, not_alive, Who}
        end;
    <<"app">> ->
        Running = try application:which_applications(SupTimeout) of
                      L when is_list(L) -> [A || {A, _, _} <- L]
                  catch _:_ -> []
                  end,
        case [A || A <- Running, atom_to_binary(A, utf8) =:= Who] of
            [] ->
                Loaded = [A || {A, _, _} <- application:loaded_applications(),
                               atom_to_binary(A, utf8) =:= Who],
                {error, case Loaded of [] -> unknown_app; _ -> not_started end,
                 lists:sort(Running)};
            [App | _] ->
                case application_controller:get_master(App) of
                    undefined -> {error, library_app, App};
                    Master ->
                        Helpers = [L || L <- LinksOf(Master), is_pid(L), node(L) =:= node(),
                                        erlang:process_info(L, initial_call) =:=
                                            {initial_call, {application_master, start_it, 4}}],
                        case Helpers of
                            [] -> {error, no_top, App};
                            [Helper | _] ->
                                %% the top supervisor as the master knows it:
                                %% application_master:get_child/1 waits forever,
                                %% so it runs in a helper killed on timeout
                                Me = self(),
                                {GW, GM} = spawn_monitor(fun() ->
                                    Me ! {bv_suptree_child, self(),
                                          catch application_master:get_child(Master)}
                                end),
                                Got = receive
                                          {bv_suptree_child, GW, G} ->
                                              erlang:demonitor(GM, [flush]), G;
                                          {'DOWN', GM, process, GW, Why} -> {'EXIT', Why}
                                      after SupTimeout ->
                                          exit(GW, kill),
                                          erlang:demonitor(GM, [flush]),
                                          timeout
                                      end,
                                {Top, Note0} =
                                    case Got of
                                        {T, _} when is_pid(T), node(T) =:= node() -> {T, []};
                                        timeout ->
                                            {undefined, <<"the application master did not name "
                                                          "its top supervisor in time">>};
                                        Other ->
                                            {undefined,
                                             iolist_to_binary(
                                               ["the application master named no top "
                                                "supervisor: ", Fmt(Other)])}
                                    end,
                                HInfo = PInfo(Helper),
                                TInfo = case Top of undefined -> undefined; _ -> PInfo(Top) end,
                                Note = case Top of
                                           undefined -> Note0;
                                           _ -> case IsSup(TInfo) of
                                                    true -> [];
                                                    false ->
                                                        iolist_to_binary(
                                                          ["its top process is not a supervisor "
                                                           "by its initial call (",
                                                           Fmt(InitCall(TInfo)),
                                                           "): not walked"])
                                                end
                                       end,
                                Linked = [L || L <- LinksOf(Helper), is_pid(L), L =/= Master,
                                               L =/= Top, node(L) =:= node()],
                                LInfos = [{L, linked, PInfo(L)} || L <- lists:usort(Linked)],
                                HelperE = case Note of
                                              [] -> {Helper, helper, HInfo};
                                              _ -> {Helper, helper, HInfo, Note}
                                          end,
                                TopE = case Top of
                                           undefined -> [];
                                           _ -> [{Top, top, TInfo}]
                                       end,
                                AppRoots = [P || {P, _, I} <- TopE ++ LInfos, IsSup(I)],
                                {ok, [{Master, master, PInfo(Master)}, HelperE] ++ TopE ++ LInfos,
                                 AppRoots}
                        end
                end
        end
end end,
Run = fun() ->
case FindRoot() of
    {ok, Chain, WalkRoots} ->
        put(bv_suptree_parts, 0),
        Sups = Walk(WalkRoots, #{}, []),
        Ext = case Links of
                  false -> [];
                  true ->
                      Members = maps:from_list(
                                  [{element(1, C), true} || C <- Chain] ++
                                  [{P, true} || {_, {ok, _, Parts, _}} <- Sups,
                                                {_, Ps, _} <- Parts, P <- Ps]),
                      AllInfos = [element(3, C) || C <- Chain] ++
                                 lists:append([Is || {_, {ok, _, Parts, _}} <- Sups,
                                                     {_, _, Is} <- Parts]),
                      Outside = lists:usort([L || I <- AllInfos, I =/= undefined,
                                                  {links, Ls} <- [lists:keyfind(links, 1, I)],
                                                  L <- Ls, not maps:is_key(L, Members)]),
                      [case L of
                           _ when is_pid(L), node(L) =:= node() ->
                               %% the translated initial call: '$initial_call'
                               %% (proc_lib, Elixir tasks) before initial_call
                               case erlang:process_info(L, [registered_name, initial_call |
                                                            tl(tl(Items))]) of
                                   [{registered_name, RN}, {initial_call, IC0} | _] = EI ->
                                       IC = case InitCall(EI) of
                                                {_, _, _} = ICt -> ICt;
                                                _ -> IC0
                                            end,
                                       {L, RN, IC};
                                   _ -> {L, [], dead}
                               end;
                           _ when is_port(L), node(L) =:= node() ->
                               case erlang:port_info(L, registered_name) of
                                   {registered_name, RN} -> {L, RN, PortName(L)};
                                   _ -> {L, [], PortName(L)}
                               end;
                           _ -> {L, [], remote}
                       end || L <- Outside]
              end,
        {ok, node(), Chain, Ext,
         Budget - (Deadline - erlang:monotonic_time(millisecond)), get(bv_suptree_parts)};
    Error -> Error
end
end,
%% The value is Ref at once; finding the root and the walk go on in a process
%% of its own that ends when it has sent its last message.
spawn(fun() ->
          try Run() of
              Done -> Send({bv_suptree_done, Ref, Done})
          catch
              throw:bv_gone -> ok;
              Class:Reason ->
                  catch Send({bv_suptree_done, Ref, {error, walk_failed, Fmt({Class, Reason})}})
          end
      end),
Ref.
