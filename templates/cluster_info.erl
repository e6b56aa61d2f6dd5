%% cluster_info.erl: this node's facts for the cluster map (beamviz cluster).
%% Bindings: none. Only BIFs and one read of application_controller's table;
%% no call to another process, no atom made, nothing started.
%% Value: {ok, Node, OtpRelease, Elixir, ProcessCount, MemoryTotal, UptimeMs,
%%         VisibleNodes, HiddenNodes}
{UptimeMs, _} = erlang:statistics(wall_clock),
{ok, node(), unicode:characters_to_binary(erlang:system_info(otp_release)),
 lists:keymember(elixir, 1, application:loaded_applications()),
 erlang:system_info(process_count), erlang:memory(total), UptimeMs,
 erlang:nodes(visible), erlang:nodes(hidden)}.
