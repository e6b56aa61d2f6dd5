%% procs.erl: one snapshot of every process, evaluated on the target with
%% erl_eval (kernel+stdlib only, nothing loaded, no atoms created).
%%
%% Bindings: Self (beamviz's pid), Workers (0 = 2 per scheduler),
%%           Chunk (rows per message), Timeout (ms, overall deadline),
%%           InitialCall (2: read the initial call and the dictionary keys
%%           '$initial_call' and '$process_label' of every process; 1: only
%%           when the node reads one dictionary key at a time (OTP 26.2+),
%%           so it costs no second signal; 0: never).
%% Value:    Ref, at once: the listing runs in a process of its own, the
%%           coordinator, which sends {bv_procs_setup, Ref, NWorkers, Total,
%%           NChunks, ProcessLimit} (or {bv_procs_setup, Ref, {error, Class,
%%           Reason}}) before it starts a worker, so it arrives first;
%%           ProcessLimit (erlang:system_info(process_limit)) lets beamviz
%%           check Total against what the node can have.
%%           erlang:processes() is cut into NChunks chunks of Chunk pids (the
%%           last may be shorter); chunk K covers positions K*Chunk ..
%%           K*Chunk+Chunk-1. The coordinator hands the chunks out in order,
%%           one at a time, to whichever worker asks next, so chunks arrive
%%           nearly in order (beamviz writes them out as they come) and a
%%           slow worker holds up nobody. Each chunk is one message
%%             {bv_procs, Ref, K, Pids, Rows, Dict}
%%           and each worker ends with {bv_procs_done, Ref, WorkerIndex, Why}.
%%   Pids    = the chunk's pids; Rows is aligned with them:
%%   Rows    = [{RegName | [], Reds, Mem, Status, QueueLen, CurFun}
%%              | undefined (the process exited before it was read)]
%%             with InitCall appended when the initial call is read, and
%%             on OTP 26.2+ also the dictionary's '$initial_call' and
%%             '$process_label' (undefined when absent): 6, 7 or 9-tuples
%%   Dict    = (7-tuples only: nodes that cannot read one dictionary key)
%%             [{Pid, '$initial_call' | undefined, '$process_label' |
%%             undefined}] for the rows whose initial_call is
%%             proc_lib:init_p/5 or /3 or a Task.Supervised function (the processes
%%             that carry '$initial_call'), in row order; else [].
%%
%% With a window (Window > 0) the same workers make two passes. Pass 1: the
%% coordinator lists erlang:processes(), sends
%%   {bv_procs_w0_setup, Ref, NWorkers, Total0, NChunks0, ProcessLimit}
%% and the workers read only reductions, memory and message_queue_len of
%% each chunk, sent as {bv_procs_w0, Ref, K, Pids, Rows0} with Rows0 aligned
%% with Pids: [{Reds, Mem, QueueLen} | undefined]. When every pass-1 chunk is
%% read (each worker asks for the next), the coordinator waits until pass-1
%% start + Window (never past the deadline), lists erlang:processes() again
%% (its workers left out) and sends
%%   {bv_procs_setup, Ref, NWorkers, Total, NChunks, ProcessLimit, T0, T1}
%% (T0, T1: the two listings' erlang:monotonic_time(microsecond)), then
%% pass 2 runs as a plain snapshot does, by the same workers. The deadline
%% (Timeout) covers both passes and the window.
%%
%% Why it is fast: this code is interpreted, so nothing here runs per process.
%% process_info/2 is applied by the compiled lists:zipwith through an external
%% fun, and rows are reshaped by a compiled match spec (ets:match_spec_run),
%% so dead processes (process_info -> undefined) need no interpreted test;
%% lists:keymember (a BIF) tells whether a chunk has proc_lib processes at
%% all. The chunks are shared by several workers: process_info of memory or
%% current_function makes the other process answer a signal, so more workers
%% than schedulers keep the schedulers busy while beamviz decodes.
%%
%% Why it is safe: the work is bounded (the chunks of one listing); every
%% worker checks a deadline and that beamviz is still connected before each
%% chunk, waits for the coordinator no longer than the deadline, and sends
%% with noconnect, so a vanished beamviz only makes the workers stop; the
%% coordinator monitors the workers and ends when the last one has.
%% One dictionary key per item (OTP 26.2+): checked once per run.
DictKey = try erlang:process_info(self(), [{dictionary, '$initial_call'}]) of
              [_] -> true;
              _ -> false
          catch error:_ -> false
          end,
IC = case InitialCall of
       2 -> true;
       1 -> DictKey;
       _ -> false
     end,
Base = [registered_name, reductions, memory, status, message_queue_len, current_function],
Items = case {IC, DictKey} of
          {false, _} -> Base;
          {true, false} -> Base ++ [initial_call];
          {true, true} -> Base ++ [initial_call, {dictionary, '$initial_call'},
                                   {dictionary, '$process_label'}]
        end,
RowMs = ets:match_spec_compile(
          [{[{'_', V} || V <- lists:sublist(['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8',
                                             '$9'], length(Items))],
            [], [{list_to_tuple(lists:sublist(['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8',
                                              '$9'], length(Items)))}]},
           {undefined, [], [undefined]}]),
%% The processes that carry '$initial_call': proc_lib ones and (Elixir 1.15+)
%% tasks, which are not started through proc_lib.
PlMs = ets:match_spec_compile(
         [{{'$1', {'_', '_', '_', '_', '_', '_', {proc_lib, init_p, 5}}}, [], ['$1']},
          {{'$1', {'_', '_', '_', '_', '_', '_', {proc_lib, init_p, 3}}}, [], ['$1']},
          {{'$1', {'_', '_', '_', '_', '_', '_', {'Elixir.Task.Supervised', '_', '_'}}}, [],
           ['$1']}]),
DictMs = ets:match_spec_compile([{{'$1', {dictionary, '$2'}}, [], [{{'$1', '$2'}}]}]),
%% Labels can be any term: a big one (more than 512 bytes in the external
%% format: a long binary is cut to 256 bytes, any other term replaced) is dealt
%% with here, so no message grows with it. Compiled steps only
%% (erlang:external_size through an external fun, match specs; no module is
%% loaded); a chunk without a big label is left as it is.
BigLbl = ets:match_spec_compile([{{'$1', '_'}, [{'>', '$1', 512}], [true]},
                                 {'_', [], [false]}]),
CutLbl = ets:match_spec_compile(
           [{{'$1', '$2'}, [{'>', '$1', 512}, {is_binary, '$2'}], [{binary_part, '$2', 0, 256}]},
            {{'$1', '_'}, [{'>', '$1', 512}], [{const, <<"(a label too large to show)">>}]},
            {{'_', '$2'}, [], ['$2']}]),
SafeLabels = fun(Ls) ->
                 Pairs = lists:zip(lists:map(fun erlang:external_size/1, Ls), Ls),
                 case lists:member(true, ets:match_spec_run(Pairs, BigLbl)) of
                   false -> Ls;
                   true -> ets:match_spec_run(Pairs, CutLbl)
                 end
             end,
%% the label of a 9-item row (OTP 26.2+), and the row with another label
RowLbl = ets:match_spec_compile([{{'_', '_', '_', '_', '_', '_', '_', '_', '$1'}, [], ['$1']},
                                 {'_', [], [undefined]}]),
RowSet = ets:match_spec_compile(
           [{{{'$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '_'}, '$9'}, [],
             [{{'$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9'}}]},
            {{'$1', '_'}, [], ['$1']}]),
SafeRows = fun(Rs) ->
               Ls = ets:match_spec_run(Rs, RowLbl),
               case SafeLabels(Ls) of
                 Ls -> Rs;
                 Ls2 -> ets:match_spec_run(lists:zip(Rs, Ls2), RowSet)
               end
           end,
OldDict = IC andalso not DictKey,
%% pass 1 of a window: three numbers per process
Items0 = [reductions, memory, message_queue_len],
Row0Ms = ets:match_spec_compile([{[{'_', '$1'}, {'_', '$2'}, {'_', '$3'}], [],
                                  [{{'$1', '$2', '$3'}}]},
                                 {undefined, [], [undefined]}]),
Ref = make_ref(),
Deadline = erlang:monotonic_time(millisecond) + Timeout,
Node = node(Self),
NW = case Workers of
       0 -> erlang:system_info(schedulers_online) * 2;
       _ -> Workers
     end,
%% Defined before the pid list is bound: an interpreted fun carries every
%% binding made before it, and spawning copies them.
Work = fun(Index, Coord) ->
  Send = fun(Msg) -> erlang:send(Self, Msg, [noconnect]) end,
  Loop = fun Loop() ->
               case erlang:monotonic_time(millisecond) < Deadline andalso
                    (Node =:= node() orelse lists:member(Node, nodes(hidden))) of
                 false -> stopped;
                 true ->
                   Coord ! {bv_next, self()},
                   receive
                     bv_none -> done;
                     {bv_chunk0, K, C} ->
                       Infos0 = lists:zipwith(fun erlang:process_info/2, C,
                                              lists:duplicate(length(C), Items0)),
                       Send({bv_procs_w0, Ref, K, C, ets:match_spec_run(Infos0, Row0Ms)}),
                       Loop();
                     {bv_chunk, K, C} ->
                       Infos = lists:zipwith(fun erlang:process_info/2, C,
                                             lists:duplicate(length(C), Items)),
                       %% no zip with the pids: rows stay aligned with C instead
                       Rows0 = ets:match_spec_run(Infos, RowMs),
                       Rows = case DictKey andalso IC of
                                true -> SafeRows(Rows0);
                                false -> Rows0
                              end,
                       Pl = case OldDict of
                              false -> [];
                              true ->
                                PlPids = ets:match_spec_run(lists:zip(C, Rows), PlMs),
                                Dicts = lists:zipwith(fun erlang:process_info/2, PlPids,
                                                      lists:duplicate(length(PlPids), dictionary)),
                                {APids, Ds} = lists:unzip(
                                                ets:match_spec_run(lists:zip(PlPids, Dicts), DictMs)),
                                lists:zip3(APids,
                                           lists:zipwith(fun proplists:get_value/2,
                                                         lists:duplicate(length(Ds), '$initial_call'),
                                                         Ds),
                                           SafeLabels(
                                             lists:zipwith(fun proplists:get_value/2,
                                                           lists:duplicate(length(Ds), '$process_label'),
                                                           Ds)))
                            end,
                       Send({bv_procs, Ref, K, C, Rows, Pl}),
                       Loop()
                   after max(0, Deadline - erlang:monotonic_time(millisecond)) -> stopped
                   end
               end
           end,
  Why = try Loop() catch Class:Reason -> {Class, Reason} end,
  Send({bv_procs_done, Ref, Index, Why})
end,
Evaluator = self(),
%% The coordinator: hands out chunk K, K+1... to each {bv_next, Worker}, cut
%% from the list as they are asked for (one interpreted step per chunk).
Serve = fun Serve(_, _, _, 0) -> ok;
            Serve(K, Ps, Left, Live) ->
              receive
                {bv_next, W} when Left > 0 ->
                  N = min(Chunk, Left),
                  {C, Rest} = lists:split(N, Ps),
                  W ! {bv_chunk, K, C},
                  Serve(K + 1, Rest, Left - N, Live);
                {bv_next, W} ->
                  W ! bv_none,
                  Serve(K, Ps, Left, Live);
                {'DOWN', _, process, _, _} ->
                  Serve(K, Ps, Left, Live - 1)
              after max(0, Deadline - erlang:monotonic_time(millisecond)) -> ok
              end
        end,
Limit = erlang:system_info(process_limit),
%% Pass 1 of a window: hands out every chunk, then holds the workers as they
%% ask for more (the last asks once its chunk is sent); returns them, or
%% {gone, Held} when beamviz went away (Mon: the monitor of beamviz).
Serve0 = fun Serve0(_, _, _, Live, Held, _) when length(Held) >= Live -> Held;
             Serve0(K, Ps, Left, Live, Held, Mon) ->
               receive
                 {'DOWN', Mon, process, _, _} ->
                   {gone, Held};
                 {bv_next, W} when Left > 0 ->
                   N = min(Chunk, Left),
                   {C, Rest} = lists:split(N, Ps),
                   W ! {bv_chunk0, K, C},
                   Serve0(K + 1, Rest, Left - N, Live, Held, Mon);
                 {bv_next, W} ->
                   Serve0(K, Ps, Left, Live, [W | Held], Mon);
                 {'DOWN', _, process, _, _} ->
                   Serve0(K, Ps, Left, Live - 1, Held, Mon)
               after max(0, Deadline - erlang:monotonic_time(millisecond)) -> Held
               end
         end,
%% Pass 2 of a window: the held workers get the first chunks (or bv_none).
Hand = fun Hand(K, Ps, Left, []) -> {K, Ps, Left};
           Hand(K, Ps, Left, [W | Ws]) when Left > 0 ->
             N = min(Chunk, Left),
             {C, Rest} = lists:split(N, Ps),
             W ! {bv_chunk, K, C},
             Hand(K + 1, Rest, Left - N, Ws);
           Hand(K, Ps, Left, [W | Ws]) ->
             W ! bv_none,
             Hand(K, Ps, Left, Ws)
       end,
Setup = fun() ->
  Me = self(),
  case Window of
    0 ->
      %% not this process nor the evaluator: both are gone soon
      Pids = erlang:processes() -- [self(), Evaluator],
      Total = length(Pids),
      NChunks = (Total + Chunk - 1) div Chunk,
      NH = max(1, min(NW, NChunks)),
      erlang:send(Self, {bv_procs_setup, Ref, NH, Total, NChunks, Limit}, [noconnect]),
      [spawn_monitor(erlang, apply, [Work, [I, Me]]) || I <- lists:seq(0, NH - 1)],
      Serve(0, Pids, Total, NH);
    _ ->
      %% beamviz going away ends the window at once (not at its end)
      Mon = erlang:monitor(process, Self),
      T0 = erlang:monotonic_time(microsecond),
      Pids0 = erlang:processes() -- [self(), Evaluator],
      Total0 = length(Pids0),
      NChunks0 = (Total0 + Chunk - 1) div Chunk,
      NH = max(1, min(NW, NChunks0)),
      erlang:send(Self, {bv_procs_w0_setup, Ref, NH, Total0, NChunks0, Limit}, [noconnect]),
      Ws = [spawn_monitor(erlang, apply, [Work, [I, Me]]) || I <- lists:seq(0, NH - 1)],
      {Gone0, Held} = case Serve0(0, Pids0, Total0, NH, [], Mon) of
                        {gone, H} -> {true, H};
                        H -> {false, H}
                      end,
      %% the window, bounded by the deadline, cut short when beamviz goes
      Wait = case Gone0 of
               true -> 0;
               false -> min(T0 div 1000 + Window, Deadline) - erlang:monotonic_time(millisecond)
             end,
      Gone = receive {'DOWN', Mon, process, _, _} -> true
             after max(0, Wait) -> Gone0
             end,
      erlang:demonitor(Mon, [flush]),
      T1 = erlang:monotonic_time(microsecond),
      %% beamviz gone: the workers get no more chunks (bv_none) and end
      Pids = case (not Gone) andalso (Node =:= node() orelse lists:member(Node, nodes(hidden))) of
               true -> erlang:processes() -- [self(), Evaluator | [W || {W, _} <- Ws]];
               false -> []
             end,
      Total = length(Pids),
      NChunks = (Total + Chunk - 1) div Chunk,
      erlang:send(Self, {bv_procs_setup, Ref, NH, Total, NChunks, Limit, T0, T1}, [noconnect]),
      {K1, Rest1, Left1} = Hand(0, Pids, Total, Held),
      Serve(K1, Rest1, Left1, length(Held))
  end
end,
spawn(fun() ->
        try Setup()
        catch Class:Reason ->
          erlang:send(Self, {bv_procs_setup, Ref, {error, Class, Reason}}, [noconnect])
        end
      end),
Ref.
