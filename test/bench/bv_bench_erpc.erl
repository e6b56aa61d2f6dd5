%% bv_bench_erpc: test-only code for test/bench/bench_procs.sh, loaded on a
%% second (client) node: the notebook's method, one erpc call per process
%% (plus the list of pids), reading the same six items as (a) and (b).
-module(bv_bench_erpc).
-export([run/1, run_notebook/1]).

run(Node) ->
    Items = [registered_name, reductions, memory, status, message_queue_len,
             current_function],
    timer:tc(fun() ->
        Pids = erpc:call(Node, erlang, processes, []),
        length([erpc:call(Node, erlang, process_info, [P, Items]) || P <- Pids])
    end).

%% The notebook literally makes two calls per process: Process.info/2 and
%% Kernel.inspect/1 of the pid on the remote node (here erlang:pid_to_list/1,
%% the same job on a node without Elixir).
run_notebook(Node) ->
    Items = [reductions, memory, status],
    timer:tc(fun() ->
        Pids = erpc:call(Node, erlang, processes, []),
        length([{erpc:call(Node, erlang, process_info, [P, Items]),
                 erpc:call(Node, erlang, pid_to_list, [P])} || P <- Pids])
    end).
