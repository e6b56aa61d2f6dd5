%% bv_bench_erpc: test-only code for test/bench/bench_procs.sh, loaded on a
%% second (client) node: the notebook's method, one erpc call per process
%% (plus the list of pids), reading the same seven items.
-module(bv_bench_erpc).
-export([run/1]).

run(Node) ->
    Items = [registered_name, reductions, memory, status, message_queue_len,
             current_function, initial_call],
    timer:tc(fun() ->
        Pids = erpc:call(Node, erlang, processes, []),
        length([erpc:call(Node, erlang, process_info, [P, Items]) || P <- Pids])
    end).
