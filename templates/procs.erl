%% procs.erl: one snapshot of every process, evaluated on the target with
%% erl_eval (kernel+stdlib only, nothing loaded, no atoms created).
%%
%% Bindings: Self (beamviz's pid), Workers (0 = 2 per scheduler),
%%           Chunk (rows per message), Timeout (ms, overall deadline),
%%           InitialCall (false: the output does not show initial_call, so
%%           it is not read, nor the dictionary of proc_lib processes).
%% Value:    Ref, at once: the listing runs in a process of its own, which
%%           sends {bv_procs_setup, Ref, NWorkers, Total, NChunks}
%%           (or {bv_procs_setup, Ref, {error, Class, Reason}}) before it
%%           starts a worker, so it arrives first. erlang:processes() is cut
%%           into NChunks chunks of Chunk pids (the last may be shorter); chunk K
%%           covers positions K*Chunk .. K*Chunk+Chunk-1. Worker I reads the
%%           chunks I, I+NWorkers, I+2*NWorkers... in that order, so chunks
%%           arrive nearly in order and beamviz can write them out as they
%%           come. Each chunk is one message
%%             {bv_procs, Ref, K, Pids, Rows, ProcLib}
%%           and each worker ends with {bv_procs_done, Ref, WorkerIndex, Why}.
%%   Pids    = the chunk's pids; Rows is aligned with them:
%%   Rows    = [{RegName | [], Reds, Mem, Status, QueueLen, CurFun, InitCall}
%%              | undefined (the process exited before it was read)]
%%             (6-tuples without InitCall when InitialCall is false)
%%   ProcLib = [{Pid, '$initial_call' | undefined}] for the rows whose
%%             initial_call is proc_lib:init_p/5, in row order ([] when
%%             InitialCall is false).
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
%% Why it is safe: every worker handles a fixed list of chunks (bounded
%% work), checks a deadline and that beamviz is still connected before each
%% chunk, and sends with noconnect, so a vanished beamviz only makes the
%% workers stop.
Items = [registered_name, reductions, memory, status, message_queue_len, current_function]
        ++ case InitialCall of true -> [initial_call]; false -> [] end,
RowMs = ets:match_spec_compile(
          case InitialCall of
            true ->
              [{[{'_', '$1'}, {'_', '$2'}, {'_', '$3'}, {'_', '$4'}, {'_', '$5'}, {'_', '$6'},
                 {'_', '$7'}],
                [], [{{'$1', '$2', '$3', '$4', '$5', '$6', '$7'}}]},
               {undefined, [], [undefined]}];
            false ->
              [{[{'_', '$1'}, {'_', '$2'}, {'_', '$3'}, {'_', '$4'}, {'_', '$5'}, {'_', '$6'}],
                [], [{{'$1', '$2', '$3', '$4', '$5', '$6'}}]},
               {undefined, [], [undefined]}]
          end),
PlMs = ets:match_spec_compile(
         [{{'$1', {'_', '_', '_', '_', '_', '_', {proc_lib, init_p, 5}}}, [], ['$1']}]),
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
Work = fun(Index, Chunks) ->
  Send = fun(Msg) -> erlang:send(Self, Msg, [noconnect]) end,
  Loop = fun Loop([]) -> done;
             Loop([{K, C} | Rest]) ->
               case erlang:monotonic_time(millisecond) < Deadline andalso
                    (Node =:= node() orelse lists:member(Node, nodes(hidden))) of
                 false -> stopped;
                 true ->
                   Infos = lists:zipwith(fun erlang:process_info/2, C,
                                         lists:duplicate(length(C), Items)),
                   %% no zip with the pids: rows stay aligned with C instead
                   Rows = ets:match_spec_run(Infos, RowMs),
                   Pl = case InitialCall andalso
                             lists:keymember({proc_lib, init_p, 5}, 7, Rows) of
                          false -> [];
                          true ->
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
                   Send({bv_procs, Ref, K, C, Rows, Pl}),
                   Loop(Rest)
               end
           end,
  Why = try Loop(Chunks) catch Class:Reason -> {Class, Reason} end,
  Send({bv_procs_done, Ref, Index, Why})
end,
Evaluator = self(),
Setup = fun() ->
  %% not this process nor the evaluator: both are gone soon
  Pids = erlang:processes() -- [self(), Evaluator],
  Total = length(Pids),
  %% [{K, ChunkK}] for every chunk, in order (one interpreted step per chunk)
  Cut = fun CutAll(_, [], _) -> [];
            CutAll(K, Ps, Left) when Left =< Chunk -> [{K, Ps}];
            CutAll(K, Ps, Left) ->
              {A, B} = lists:split(Chunk, Ps),
              [{K, A} | CutAll(K + 1, B, Left - Chunk)]
        end,
  All = Cut(0, Pids, Total),
  NChunks = length(All),
  %% worker I gets the chunks I, I+NH, I+2NH...: they arrive nearly in order
  NH = max(1, min(NW, NChunks)),
  Hands = [[KC || {K, _} = KC <- All, K rem NH =:= I] || I <- lists:seq(0, NH - 1)],
  erlang:send(Self, {bv_procs_setup, Ref, NH, Total, NChunks}, [noconnect]),
  Spawn = fun SpawnAll(_, []) -> ok;
              SpawnAll(I, [H | Hs]) ->
                spawn(erlang, apply, [Work, [I, H]]),
                SpawnAll(I + 1, Hs)
          end,
  Spawn(0, Hands)
end,
spawn(fun() ->
        try Setup()
        catch Class:Reason ->
          erlang:send(Self, {bv_procs_setup, Ref, {error, Class, Reason}}, [noconnect])
        end
      end),
Ref.
