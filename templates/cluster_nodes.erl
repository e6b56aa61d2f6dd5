%% cluster_nodes.erl: the nodes this node is connected to, for --cluster.
%% Bindings: Hidden (true: nodes(hidden) too).
%% Leaves out beamviz's own connections (hidden C nodes named beamviz_<digits>@...):
%% their names are read as text, no atom is made.
%% Value: {ok, Node, [Node]}
%% beamviz_ then digits then @: a real node named beamviz_web@h is kept
Digit = fun(C) -> C >= $0 andalso C =< $9 end,
Mine = fun(N) ->
           case lists:splitwith(fun(C) -> C =/= $@ end, atom_to_list(N)) of
             {"beamviz_" ++ Ds, [$@ | _]} -> Ds =/= [] andalso lists:all(Digit, Ds);
             _ -> false
           end
       end,
Others = erlang:nodes(visible) ++ case Hidden of
                                      true -> erlang:nodes(hidden);
                                      _ -> []
                                  end,
{ok, erlang:node(), [N || N <- Others, not Mine(N)]}.
