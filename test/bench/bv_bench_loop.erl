%% bv_bench_loop: test-only code for test/bench/bench_procs.sh, loaded on the
%% benchmark node only (never by beamviz).
-module(bv_bench_loop).
-export([start/1, loop/0, loop_all/0]).

%% N idle processes, each blocked in receive; returns once they all exist.
start(N) ->
    Self = self(),
    Holder = spawn(fun() ->
                       Ps = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
                       Self ! {bv_bench_started, self()},
                       hold(Ps)
                   end),
    register(bv_bench_holder, Holder),
    receive {bv_bench_started, Holder} -> ok end.

idle() -> receive stop -> ok end.
hold(Ps) -> receive stop -> [P ! stop || P <- Ps], ok end.

%% (a) The node's own compiled loop over every process, reading what
%% `beamviz procs -o x.vl.json` reads: the six items the chart shows (the
%% chart does not show initial_call, so beamviz does not read it). Returns
%% {Microseconds, Processes}.
loop() ->
    Items = [registered_name, reductions, memory, status, message_queue_len,
             current_function],
    timer:tc(fun() -> length(read6(erlang:processes(), Items, [])) end).

read6([], _, Acc) -> Acc;
read6([P | Ps], Items, Acc) ->
    case erlang:process_info(P, Items) of
        undefined -> read6(Ps, Items, Acc);
        I -> read6(Ps, Items, [{P, I} | Acc])
    end.

%% (a') What `-o x.json`, CSV and --save read: the seven items, and the
%% dictionary's '$initial_call' for processes started through proc_lib.
loop_all() ->
    Items = [registered_name, reductions, memory, status, message_queue_len,
             current_function, initial_call],
    timer:tc(fun() -> length(read(erlang:processes(), Items, [])) end).

read([], _, Acc) -> Acc;
read([P | Ps], Items, Acc) ->
    case erlang:process_info(P, Items) of
        undefined -> read(Ps, Items, Acc);
        [_, _, _, _, _, _, {initial_call, {proc_lib, init_p, 5}}] = I ->
            D = case erlang:process_info(P, dictionary) of
                    {dictionary, Dict} -> proplists:get_value('$initial_call', Dict);
                    undefined -> undefined
                end,
            read(Ps, Items, [{P, I, D} | Acc]);
        I -> read(Ps, Items, [{P, I} | Acc])
    end.
