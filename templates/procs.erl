%% procs.erl: one snapshot of every process, evaluated on the target with
%% erl_eval (kernel+stdlib only, nothing loaded, no atoms created).
%%
%% Bindings: Self (beamviz's pid), Workers (0 = schedulers_online),
%%           Chunk (rows per message), Timeout (ms, overall deadline).
%% Value:    {Ref, NWorkers, Total, Per} (worker I reads erlang:processes()
%%           positions I*Per .. I*Per+Per-1). Then each worker streams
%%             {bv_procs, Ref, WorkerIndex, Pids, Rows, ProcLib}
%%           per chunk and ends with {bv_procs_done, Ref, WorkerIndex, Why}.
%%   Pids    = the chunk's pids; Rows is aligned with them:
%%   Rows    = [{RegName | [], Reds, Mem, Status, QueueLen, CurFun, InitCall}
%%              | undefined (the process exited before it was read)]
%%   ProcLib = [{Pid, '$initial_call' | undefined}] for the rows whose
%%             initial_call is proc_lib:init_p/5, in row order.
%%
%% Why it is fast: this code is interpreted, so nothing here runs per process.
%% process_info/2 is applied by the compiled lists:zipwith through an external
%% fun, and rows are filtered and reshaped by a compiled match spec
%% (ets:match_spec_run), so dead processes (process_info -> undefined) drop
%% out natively. The pid list is split across several workers: process_info
%% on another process waits for that process to answer a signal, so more
%% workers than schedulers keep the schedulers busy while beamviz decodes.
%%
%% Why it is safe: every worker handles a fixed slice (bounded work), checks
%% a deadline and that beamviz is still connected before each chunk, and
%% sends with noconnect, so a vanished beamviz only makes the workers stop.
Items = [registered_name, reductions, memory, status, message_queue_len,
         current_function, initial_call],
RowMs = ets:match_spec_compile(
          [{[{'_', '$1'}, {'_', '$2'}, {'_', '$3'}, {'_', '$4'}, {'_', '$5'}, {'_', '$6'},
             {'_', '$7'}],
            [], [{{'$1', '$2', '$3', '$4', '$5', '$6', '$7'}}]},
           {undefined, [], [undefined]}]),
PlMs = ets:match_spec_compile(
         [{{'$1', {'_', '_', '_', '_', '_', '_', {proc_lib, init_p, 5}}}, [], ['$1']}]),
PlAnyMs = ets:match_spec_compile(
            [{{'_', '_', '_', '_', '_', '_', {proc_lib, init_p, 5}}, [], [true]}]),
DictMs = ets:match_spec_compile([{{'$1', {dictionary, '$2'}}, [], [{{'$1', '$2'}}]}]),
Ref = make_ref(),
Deadline = erlang:monotonic_time(millisecond) + Timeout,
Node = node(Self),
NW = case Workers of
       0 -> erlang:system_info(schedulers_online) * 2;
       _ -> Workers
     end,
%% Defined before the pid list is bound: an interpreted fun carries every
%% binding made before it, and spawning copies them.
Work = fun(Index, Slice, Len) ->
  Send = fun(Msg) -> erlang:send(Self, Msg, [noconnect]) end,
  Loop = fun Loop([], _) -> done;
             Loop(Ps, Left) ->
               case erlang:monotonic_time(millisecond) < Deadline andalso
                    (Node =:= node() orelse lists:member(Node, nodes(hidden))) of
                 false -> stopped;
                 true ->
                   {C, Rest, N} = case Left > Chunk of
                                    true -> {A, B} = lists:split(Chunk, Ps), {A, B, Chunk};
                                    false -> {Ps, [], Left}
                                  end,
                   Infos = lists:zipwith(fun erlang:process_info/2, C,
                                         lists:duplicate(N, Items)),
                   %% no zip with the pids: rows stay aligned with C instead
                   Rows = ets:match_spec_run(Infos, RowMs),
                   Pl = case ets:match_spec_run(Rows, PlAnyMs) of
                          [] -> [];
                          _ ->
                            PlPids = ets:match_spec_run(lists:zip(C, Rows), PlMs),
                            Dicts = lists:zipwith(fun erlang:process_info/2, PlPids,
                                                  lists:duplicate(length(PlPids), dictionary)),
                            {APids, Ds} = lists:unzip(
                                            ets:match_spec_run(lists:zip(PlPids, Dicts), DictMs)),
                            lists:zip(APids,
                                      lists:zipwith(fun proplists:get_value/2,
                                                    lists:duplicate(length(Ds), '$initial_call'),
                                                    Ds))
                        end,
                   Send({bv_procs, Ref, Index, C, Rows, Pl}),
                   Loop(Rest, Left - N)
               end
           end,
  Why = try Loop(Slice, Len) catch Class:Reason -> {Class, Reason} end,
  Send({bv_procs_done, Ref, Index, Why})
end,
Pids = lists:delete(self(), erlang:processes()),  % not this evaluator: it is gone soon
Total = length(Pids),
Per = (Total + NW - 1) div NW,
Spawn = fun SpawnAll(_, [], _) -> ok;
            SpawnAll(I, Ps, Left) ->
              {S, Rest, N} = case Left > Per of
                               true -> {A, B} = lists:split(Per, Ps), {A, B, Per};
                               false -> {Ps, [], Left}
                             end,
              spawn(erlang, apply, [Work, [I, S, N]]),
              SpawnAll(I + 1, Rest, Left - N)
        end,
Spawn(0, Pids, Total),
{Ref, case Total of 0 -> 0; _ -> (Total + Per - 1) div Per end, Total, Per}.
