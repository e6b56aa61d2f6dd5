%% seq_load: test-only workloads for the seqtrace e2e tests and benchmark.
%%  - sink/0: a registered process `seq_sink` that counts {work, N} messages;
%%  - producer/1: keeps sending {work, N} to seq_sink, Batch messages a
%%    millisecond (registered `seq_producer`);
%%  - ring/2: NProcs processes in a ring, each sending Hops {hop, K} messages to
%%    the next one; returns when all have received theirs (NProcs * Hops).
-module(seq_load).
-export([start_sink/0, start_producer/1, sink_count/0, ring/2, rate/1]).

start_sink() ->
    Pid = spawn(fun() -> sink(0) end),
    register(seq_sink, Pid),
    Pid.

sink(N) ->
    receive
        {work, _} -> sink(N + 1);
        {count, From} -> From ! {count, N}, sink(N)
    end.

sink_count() ->
    seq_sink ! {count, self()},
    receive {count, N} -> N after 5000 -> timeout end.

start_producer(Batch) ->
    Pid = spawn(fun() -> produce(Batch, 0) end),
    register(seq_producer, Pid),
    Pid.

produce(Batch, N) ->
    [seq_sink ! {work, N + I} || I <- lists:seq(1, Batch)],
    receive stop -> ok after 1 -> produce(Batch, N + Batch) end.

%% messages per second seq_sink handles, over Ms milliseconds
rate(Ms) ->
    A = sink_count(),
    timer:sleep(Ms),
    B = sink_count(),
    (B - A) * 1000 div Ms.

ring(NProcs, Hops) ->
    Parent = self(),
    Pids = [spawn(fun() -> ring_wait(Parent, Hops) end) || _ <- lists:seq(1, NProcs)],
    Next = tl(Pids) ++ [hd(Pids)],
    [P ! {next, N} || {P, N} <- lists:zip(Pids, Next)],
    [receive {done, P} -> ok end || P <- Pids],
    NProcs * Hops.

ring_wait(Parent, Hops) ->
    receive {next, N} -> ring_run(Parent, N, Hops, Hops) end.

ring_run(Parent, _N, 0, 0) -> Parent ! {done, self()};
ring_run(Parent, N, ToSend, ToGet) when ToSend > 0 ->
    N ! {hop, ToSend},
    ring_run(Parent, N, ToSend - 1, ToGet);
ring_run(Parent, N, 0, ToGet) ->
    receive {hop, _} -> ring_run(Parent, N, 0, ToGet - 1) end.
