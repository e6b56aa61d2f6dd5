%% bv_liar: test-only. Stands in for rex (the rpc server) on a TEST node and
%% answers beamviz's snapshot request with malformed data, to check that bytes
%% from a node are never trusted: beamviz must fail with one line (exit 14),
%% write nothing, and not crash. Every other call is served as rex would.
-module(bv_liar).
-export([install/0, restore/0, mode/1, loop/1]).

install() ->
    Real = whereis(rex),
    persistent_term:put(bv_liar_real, Real),
    unregister(rex),
    P = spawn(fun() -> loop(Real) end),
    register(rex, P),
    ok.

restore() ->
    Real = persistent_term:get(bv_liar_real),
    Me = self(),
    %% runs inside the liar (called through rex): hand the name back, then stop
    spawn(fun() -> timer:sleep(100), catch unregister(rex), register(rex, Real), exit(Me, kill) end),
    ok.

mode(M) -> persistent_term:put(bv_liar_mode, M), ok.

loop(Real) ->
    receive
        {From, {call, erl_eval, expr, [Outer, Bs, _, _, _], _}} = Req ->
            %% beamviz's wrapper (templates/eval_async.erl) has the template's
            %% own bindings in its Bs
            {'Bs', Wrap} = lists:keyfind('Bs', 1, Bs),
            {'Bs', Inner} = lists:keyfind('Bs', 1, Wrap),
            case lists:keyfind('Chunk', 1, Inner) of
                false ->
                    case {lists:keyfind('MaxEvents', 1, Inner),
                          persistent_term:get(bv_liar_mode, none)} of
                        {{_, Max}, too_many_events} -> lie_events(From, Bs, Inner, Max);
                        {{_, _}, serial_cycle} -> lie_cycle(From, Bs, Inner);
                        _ -> Real ! Req           % not the snapshot: the real rex answers
                    end;
                _ -> lie(From, Bs, Inner, Outer)
            end;
        Other -> Real ! Other
    end,
    loop(Real).

lie(From, Bs, Inner, _Outer) ->
    {'Id', Id} = lists:keyfind('Id', 1, Bs),
    {'Self', Self} = lists:keyfind('Self', 1, Inner),
    %% rex answers {Id, async}; the template's value follows as {bv_eval, Id, {ok, V}}
    Value = fun(V) -> From ! {rex, {Id, async}}, Self ! {bv_eval, Id, {ok, V}} end,
    Ref = make_ref(),
    Pids = lists:sublist(erlang:processes(), 10),
    %% rows as beamviz asked for them: without initial_call for a chart
    Row = case lists:keyfind('InitialCall', 1, Inner) of
              {_, false} -> {[], 1, 2, running, 0, {a, b, 0}};
              _ -> {[], 1, 2, running, 0, {a, b, 0}, {a, b, 0}}
          end,
    Rows = lists:duplicate(10, Row),
    Done = fun(N) -> [Self ! {bv_procs_done, Ref, I, done} || I <- lists:seq(0, N - 1)] end,
    %% the value is the ref; the setup message comes next, in the shape the
    %% template asked for says (so an older beamviz is lied to in its own terms)
    {'Bs', Wrap} = lists:keyfind('Bs', 1, Bs),
    {'Src', TSrc} = lists:keyfind('Src', 1, Wrap),
    WithLimit = string:find(TSrc, "process_limit") =/= nomatch,
    SetupL = fun(W, T, C, L) when WithLimit -> Value(Ref), Self ! {bv_procs_setup, Ref, W, T, C, L};
                (W, T, C, _) -> Value(Ref), Self ! {bv_procs_setup, Ref, W, T, C}
             end,
    Setup = fun(W, T, C) -> SetupL(W, T, C, erlang:system_info(process_limit)) end,
    %% a window's first pass: one worker, one chunk of the 10 processes
    PLimit = erlang:system_info(process_limit),
    Rows0 = lists:duplicate(10, {1, 2, 0}),
    W0Setup = fun() -> Value(Ref), Self ! {bv_procs_w0_setup, Ref, 1, 10, 1, PLimit} end,
    %% the true setup for 10 processes: one worker, one chunk (1, 10, 1)
    case persistent_term:get(bv_liar_mode, chunk_past_end) of
        chunk_past_end ->          % chunk 3 of a snapshot that has one
            Setup(1, 10, 1),
            Self ! {bv_procs, Ref, 3, Pids, Rows, []},
            Done(1);
        too_many_chunks ->         % 5 chunks claimed for 10 processes
            Setup(5, 10, 5),
            Self ! {bv_procs, Ref, 4, Pids, Rows, []},
            Done(5);
        too_many_rows ->           % more rows in a chunk than it holds
            Setup(1, 10, 1),
            Self ! {bv_procs, Ref, 0, Pids ++ Pids, Rows ++ Rows, []},
            Done(1);
        chunk_twice ->             % a whole chunk, then the same chunk again
            Setup(1, 10, 1),
            Self ! {bv_procs, Ref, 0, Pids, Rows, []},
            Self ! {bv_procs, Ref, 0, Pids, Rows, []},
            Done(1);
        chunk_missing ->           % the workers end before chunk 1 came
            Setup(2, 4010, 3),
            Self ! {bv_procs, Ref, 0, lists:duplicate(2000, hd(Pids)), lists:duplicate(2000, Row), []},
            Done(2);
        not_a_pid ->
            Setup(1, 10, 1),
            Self ! {bv_procs, Ref, 0, lists:duplicate(10, not_a_pid), Rows, []},
            Done(1);
        bad_reply ->
            Setup(-1, 10, 1);
        not_a_ref ->               % the value is not a ref
            Value({Ref, 1, 10, 1});
        chunk_before_setup ->      % a chunk where the setup should be
            Value(Ref),
            Self ! {bv_procs, Ref, 0, Pids, Rows, []},
            Done(1);
        short_row ->
            Setup(1, 10, 1),
            Self ! {bv_procs, Ref, 0, Pids, lists:duplicate(10, {x}), []},
            Done(1);
        %% --- claims that would cost memory (issue 9, item 5) ---
        %% the setup claims more processes than the node can have; nothing
        %% follows (a beamviz that believed it waits for chunks)
        {claim, Total} ->
            {'Chunk', Chunk} = lists:keyfind('Chunk', 1, Inner),
            Setup(1, Total, (Total + Chunk - 1) div Chunk);
        %% ... or a process limit no node can have
        {claim, Total, Limit} ->
            {'Chunk', Chunk} = lists:keyfind('Chunk', 1, Inner),
            SetupL(1, Total, (Total + Chunk - 1) div Chunk, Limit);
        %% a claim as large as any node's limit can be, then only the last
        %% chunk, whole and well-formed, and the worker says it is done
        last_chunk_only ->
            {'Chunk', Chunk} = lists:keyfind('Chunk', 1, Inner),
            Max = 134217727,
            NC = (Max + Chunk - 1) div Chunk,
            Len = Max - (NC - 1) * Chunk,
            SetupL(1, Max, NC, Max),
            Self ! {bv_procs, Ref, NC - 1, lists:duplicate(Len, hd(Pids)),
                    lists:duplicate(Len, Row), []},
            Done(1);
        %% --- procs --window: the first pass and the second's setup ---
        w0_chunk_twice ->
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, Pids, Rows0},
            Self ! {bv_procs_w0, Ref, 0, Pids, Rows0},
            Done(1);
        w0_past_end ->             % chunk 2 of a first pass that has one
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 2, Pids, Rows0},
            Done(1);
        w0_bad_row ->
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, Pids, lists:duplicate(10, {x, y})},
            Done(1);
        w0_dup_pid ->              % one pid ten times
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, lists:duplicate(10, hd(Pids)), Rows0},
            Done(1);
        w0_too_many_rows ->
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, Pids ++ Pids, Rows0 ++ Rows0},
            Done(1);
        w_bad_times ->             % the second listing before the first
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, Pids, Rows0},
            Self ! {bv_procs_setup, Ref, 1, 10, 1, PLimit, 1000000, 5},
            Done(1);
        w_pass2_early ->           % the second pass before the first's chunks
            W0Setup(),
            Self ! {bv_procs_setup, Ref, 1, 10, 1, PLimit, 0, 1000},
            Done(1);
        w_workers_changed ->       % the second pass claims other workers
            W0Setup(),
            Self ! {bv_procs_w0, Ref, 0, Pids, Rows0},
            Self ! {bv_procs_setup, Ref, 2, 10, 1, PLimit, 0, 1000},
            Done(2);
        %% the value is a list of N [] (N bytes on the wire, a bv_term each)
        %% (built and sent by a process of its own, whose heap goes with it)
        {nil_list, N} ->
            spawn(fun() -> Value(lists:duplicate(N, [])) end)
    end.

%% A seqtrace relay that sends one event more than beamviz asked for (the real
%% relay stops at MaxEvents exactly), then says it is done.
lie_events(From, Bs, Inner, Max) ->
    {'Id', Id} = lists:keyfind('Id', 1, Bs),
    {'Self', Self} = lists:keyfind('Self', 1, Inner),
    Relay = spawn(fun() ->
                          receive go -> ok end,
                          Me = self(),
                          Ev = fun(I) -> {send, I, I + 1, I, I, Me, Me, <<"m">>, <<>>, [], <<>>} end,
                          Self ! {bv_seqtrace, Me, batch, [Ev(I) || I <- lists:seq(1, Max + 1)], [], []},
                          Self ! {bv_seqtrace, Me, done, done, none, []}
                  end),
    From ! {rex, {Id, async}},
    Self ! {bv_eval, Id, {ok, {ok, Relay}}},
    Relay ! go.

%% A follower relay of a trace across nodes whose events' serials form a cycle
%% (each one's prev is the cur of the next), with a registered name holding
%% beamviz's key separator '|', a pid whose node name has one ('a|b@h': no
%% node), and a pid of a node nobody asked (c@h): the merge must end and keep
%% every event.
fake_pid(Node) ->
    N = atom_to_binary(Node, utf8),
    binary_to_term(<<131, 88, 119, (byte_size(N)), N/binary, 7:32, 0:32, 1:32>>).

lie_cycle(From, Bs, Inner) ->
    {'Id', Id} = lists:keyfind('Id', 1, Bs),
    {'Self', Self} = lists:keyfind('Self', 1, Inner),
    Relay = spawn(fun() ->
                          receive go -> ok end,
                          Me = self(),
                          Ev = fun(P, C) -> {send, P, C, C, C, Me, Me, <<"m">>, <<"x">>, [], <<>>} end,
                          Odd = {send, 1, 4, 4, 4, fake_pid('a|b@h'), fake_pid('c@h'), <<"m">>,
                                 <<"odd">>, [], <<>>},
                          Self ! {bv_seqtrace, Me, batch, [Ev(2, 1), Ev(3, 2), Ev(1, 3), Ev(1, 3), Odd],
                                  [{Me, <<"a|b">>}], []},
                          receive {bv_follow_stop, _} -> ok after 30000 -> ok end,
                          Self ! {bv_seqtrace, Me, done, done, none, #{}}
                  end),
    From ! {rex, {Id, async}},
    Self ! {bv_eval, Id, {ok, {ok, Relay}}},
    Relay ! go.
