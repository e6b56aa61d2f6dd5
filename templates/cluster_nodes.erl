%% cluster_nodes.erl: the nodes this node is connected to, for --cluster.
%% Bindings: Hidden (true: nodes(hidden) too).
%% Leaves out beamviz's own connections (hidden C nodes named beamviz_N@...):
%% their names are read as text, no atom is made.
%% Value: {ok, Node, [Node]}
Mine = fun(N) -> lists:prefix("beamviz_", atom_to_list(N)) end,
Others = erlang:nodes(visible) ++ case Hidden of
                                      true -> erlang:nodes(hidden);
                                      _ -> []
                                  end,
{ok, erlang:node(), [N || N <- Others, not Mine(N)]}.
