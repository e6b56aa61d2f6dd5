%% beamviz_demo: the notebook's scenarios as a workload for `beamviz demo`.
%% Loaded only on beamviz's own throwaway node (never on a user's node).
%%  - demo_sup: a one_for_one supervisor with a "task" (sleeps forever) and an
%%    "agent" (holds a list), as in the notebook's Task+Agent example;
%%  - demo_ping / demo_pong: a pair exchanging ping/pong every 200 ms;
%%  - demo_grow: allocates binaries and fills an ETS table, then releases them,
%%    so `beamviz memory` has something to show.
-module(beamviz_demo).
-behaviour(supervisor).
-export([start/0, init/1, start_task/0, start_agent/0, agent_loop/1,
         ping_loop/0, pong_loop/0, grow/1]).

start() ->
    {ok, Sup} = supervisor:start_link({local, demo_sup}, beamviz_demo, []),
    unlink(Sup),
    Pong = spawn(fun pong_loop/0),
    register(demo_pong, Pong),
    Ping = spawn(fun ping_loop/0),
    register(demo_ping, Ping),
    Grow = spawn(fun() -> grow(0) end),
    register(demo_grow, Grow),
    {ok, Sup}.

init([]) ->
    Children = [#{id => task, start => {beamviz_demo, start_task, []}},
                #{id => agent, start => {beamviz_demo, start_agent, []}}],
    {ok, {#{strategy => one_for_one, intensity => 3, period => 5}, Children}}.

start_task() ->
    {ok, proc_lib:spawn_link(fun() -> timer:sleep(infinity) end)}.

start_agent() ->
    {ok, proc_lib:spawn_link(beamviz_demo, agent_loop, [[]])}.

agent_loop(State) ->
    receive
        {get, From, Ref} -> From ! {Ref, State}, agent_loop(State);
        {put, X} -> agent_loop([X | State])
    end.

ping_loop() ->
    demo_pong ! {ping, self()},
    receive pong -> ok after 1000 -> ok end,
    timer:sleep(200),
    ping_loop().

pong_loop() ->
    receive {ping, From} -> From ! pong end,
    pong_loop().

%% Binary and ETS growth in steps, then release, repeated.
grow(Step) when Step >= 40 ->
    erase(bins),
    catch ets:delete(demo_users),
    garbage_collect(),
    timer:sleep(200),
    grow(0);
grow(Step) ->
    T = case ets:whereis(demo_users) of
            undefined -> ets:new(demo_users, [set, public, named_table]);
            Tid -> Tid
        end,
    ets:insert(T, [{I, <<"User ", (integer_to_binary(I))/binary>>}
                   || I <- lists:seq(Step * 5000, Step * 5000 + 4999)]),
    Bins = case get(bins) of undefined -> []; B -> B end,
    put(bins, [binary:copy(<<"cat">>, 20000 + Step * 1000) | Bins]),
    timer:sleep(50),
    grow(Step + 1).
