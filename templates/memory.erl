%% memory.erl: samples erlang:memory() on the target, evaluated with erl_eval
%% (kernel+stdlib only, nothing loaded).
%%
%% Bindings: Self (beamviz's pid), Samples, Interval (ms).
%% Value:    Ref. Then one process on the target sends
%%             {bv_mem, Ref, I, Ms, [{Kind, Bytes}]}   for I = 1..Samples
%%           (Ms: milliseconds since the first sample) and ends with
%%             {bv_mem_done, Ref, Why}.
%%
%% The sampler sleeps to an absolute schedule (Start + I*Interval), so the
%% intervals are the target's own and do not drift with transfer times. Its
%% work is bounded (Samples samples); it monitors beamviz and waits for the
%% next sample in a receive, so it stops as soon as beamviz goes away (even
%% with a long --interval), and it sends with noconnect.
Ref = make_ref(),
Node = node(Self),
Kinds = [total, processes, atom, binary, code, ets, system],
Sampler = fun() ->
  Mon = erlang:monitor(process, Self),
  Start = erlang:monotonic_time(millisecond),
  Loop = fun Loop(I) when I > Samples -> done;
             Loop(I) ->
               case Node =:= node() orelse lists:member(Node, nodes(hidden)) of
                 false -> stopped;
                 true ->
                   Now = erlang:monotonic_time(millisecond),
                   erlang:send(Self, {bv_mem, Ref, I, Now - Start, erlang:memory(Kinds)},
                               [noconnect]),
                   case I < Samples of
                     true ->
                       Wait = Start + I * Interval - erlang:monotonic_time(millisecond),
                       receive
                         {'DOWN', Mon, process, _, _} -> exit(beamviz_gone)
                       after max(0, Wait) -> ok
                       end;
                     false -> ok
                   end,
                   Loop(I + 1)
               end
           end,
  Why = try Loop(1) catch Class:Reason -> {Class, Reason} end,
  erlang:send(Self, {bv_mem_done, Ref, Why}, [noconnect])
end,
spawn(Sampler),
Ref.
