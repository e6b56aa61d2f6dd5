%% apps.erl: the started applications, with version, description and whether
%% each has a supervision tree (library applications have no master process).
%% Bindings: Timeout (ms: bound on application_controller's answer).
%% Reads application_controller's table for masters (no call to the master),
%% and the links of each master's start helper for the top process.
%% Value: {ok, Node, [{App, Vsn, Desc, Master | undefined, Top | undefined,
%%                     TopName | []}]}
Bin = fun(S) -> try unicode:characters_to_binary(S) of
                    B when is_binary(B) -> B;
                    _ -> <<>>
                catch _:_ -> <<>>
                end
      end,
LinksOf = fun(P) -> case erlang:process_info(P, links) of
                        {links, Ls} -> Ls;
                        _ -> []
                    end
          end,
TopOf = fun(Master) ->
            Helpers = [L || L <- LinksOf(Master), is_pid(L), node(L) =:= node(),
                            erlang:process_info(L, initial_call) =:=
                                {initial_call, {application_master, start_it, 4}}],
            case Helpers of
                [] -> undefined;
                [Helper | _] ->
                    Tops = [L || L <- LinksOf(Helper), is_pid(L), L =/= Master,
                                 node(L) =:= node()],
                    Mine = [L || L <- Tops,
                                 case erlang:process_info(L, dictionary) of
                                     {dictionary, D} ->
                                         case lists:keyfind('$ancestors', 1, D) of
                                             {_, [Helper | _]} -> true;
                                             _ -> false
                                         end;
                                     _ -> false
                                 end],
                    case Mine ++ Tops of
                        [T | _] -> T;
                        [] -> undefined
                    end
            end
        end,
Apps = application:which_applications(Timeout),
{ok, node(),
 [begin
      Master = application_controller:get_master(A),
      Top = case Master of
                undefined -> undefined;
                _ -> TopOf(Master)
            end,
      TopName = case Top of
                    undefined -> [];
                    _ -> case erlang:process_info(Top, registered_name) of
                             {registered_name, N} -> N;
                             _ -> []
                         end
                end,
      {A, Bin(Vsn), Bin(Desc), Master, Top, TopName}
  end || {A, Desc, Vsn} <- Apps]}.
