%% bv_flood: test-only. Stands in for rex (the rpc server) on a TEST node and,
%% before it hands each request to the real rex, sends beamviz messages it did
%% not ask for: many (a flood) or one big one. beamviz must bound what it
%% keeps: one line, exit 14, its memory bounded. Every request is then served
%% by the real rex, so with the bounds raised the command works.
-module(bv_flood).
-export([install/0, restore/0, mode/1, loop/1]).

install() ->
    Real = whereis(rex),
    persistent_term:put(bv_flood_real, Real),
    unregister(rex),
    register(rex, spawn(fun() -> loop(Real) end)),
    ok.

restore() ->
    Real = persistent_term:get(bv_flood_real),
    Me = self(),
    %% runs inside the stand-in (called through rex): hand the name back, then stop
    spawn(fun() -> timer:sleep(100), catch unregister(rex), register(rex, Real), exit(Me, kill) end),
    ok.

%% off | {flood, Count, Bytes} | {big, Bytes}
mode(M) -> persistent_term:put(bv_flood_mode, M), ok.

loop(Real) ->
    receive
        {From, {call, erl_eval, expr, [_, Bs | _], _}} = Req when is_pid(From), is_list(Bs) ->
            %% beamviz's requests only (its wrapper binds BvPid): erl_call,
            %% which the test uses to set the mode, goes through rex too
            Mode = case lists:keyfind('Bs', 1, Bs) of
                       {'Bs', W} when is_list(W) ->
                           case lists:keymember('BvPid', 1, W) of
                               true -> persistent_term:get(bv_flood_mode, off);
                               false -> off
                           end;
                       _ -> off
                   end,
            Sent = case Mode of
                       {flood, N, Size} -> flood(From, N, binary:copy(<<0>>, Size));
                       {big, Size} -> erlang:send(From, {bv_big, binary:copy(<<1>>, Size)},
                                                  [noconnect]);
                       off -> ok
                   end,
            %% a beamviz that has gone gets no answer (rex would connect back)
            Sent =:= ok andalso (Real ! Req);
        Other ->
            Real ! Other
    end,
    loop(Real).

%% noconnect: once beamviz has gone, stop (and never connect back to it)
flood(_, 0, _) -> ok;
flood(To, N, B) ->
    case erlang:send(To, {bv_flood, N, B}, [noconnect]) of
        ok -> flood(To, N - 1, B);
        noconnect -> noconnect
    end.
