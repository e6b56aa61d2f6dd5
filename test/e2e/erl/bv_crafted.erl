%% bv_crafted: a test-only supervision tree with every awkward case beamviz's
%% walk must survive. Compiled by test/e2e/suptree*.sh into $BV_TMP and loaded
%% on the test node only (-pa); beamviz itself never loads anything.
%%
%% bv_top (one_for_one)
%%   bv_guard        gen_server declared as a worker child: must never get
%%                   which_children (it records every call it did not expect)
%%   bv_mid          one_for_all: w_a and w_b linked to each other, a worker that
%%                   spawn_links a helper and opens a port, a linker
%%   ignored         start returns ignore (pid undefined)
%%   bv_flappy_sup   its child fails every restart after the first: "restarting"
%%   bv_bridge       supervisor_bridge around a plain linked process
%%   bv_pool         simple_one_for_one, N children
%%   bv_stuck        a supervisor that make_stuck/0 blocks inside start_child
%%   hostile names   registered names full of Mermaid-hostile characters
-module(bv_crafted).
-behaviour(supervisor).
%% also a supervisor_bridge callback module (init(bridge), terminate/2)
-export([start/1, init/1, terminate/2, pool_child/0, worker/1, guard_start/0,
         flappy_child/0, ignore_child/0, helper_worker/0, bridge_start/0, stuck_child/0,
         make_stuck/0, unexpected/0, pids/0, hostile/0]).
-export([handle_call/3, handle_cast/2, handle_info/2]).

hostile() -> 'q"u(o)t#e;s|<x>&end \x{e9}\x{2713}'.

start(PoolSize) ->
    logger:set_module_level(supervisor, critical),
    {ok, Top} = supervisor:start_link({local, bv_top}, ?MODULE, top),
    unlink(Top),
    [{ok, _} = supervisor:start_child(bv_pool, []) || _ <- lists:seq(1, PoolSize)],
    %% the flappy child dies once; every restart after that fails slowly
    exit(whereis(bv_flappy), kill),
    ok.

%% --- supervisors ---------------------------------------------------------
init(top) ->
    {ok, {#{strategy => one_for_one, intensity => 1000, period => 1},
          [#{id => bv_guard, start => {?MODULE, guard_start, []}, type => worker},
           #{id => bv_mid, start => {supervisor, start_link, [{local, bv_mid}, ?MODULE, mid]},
             type => supervisor},
           #{id => ignored, start => {?MODULE, ignore_child, []}},
           #{id => bv_flappy_sup,
             start => {supervisor, start_link, [{local, bv_flappy_sup}, ?MODULE, flappy]},
             type => supervisor},
           #{id => bv_bridge, start => {?MODULE, bridge_start, []}, type => supervisor},
           #{id => bv_pool, start => {supervisor, start_link, [{local, bv_pool}, ?MODULE, pool]},
             type => supervisor},
           #{id => bv_stuck, start => {supervisor, start_link, [{local, bv_stuck}, ?MODULE, stuck]},
             type => supervisor},
           #{id => {'weird"id', "<end>|;#"}, start => {?MODULE, worker, [hostile()]}},
           #{id => end_name, start => {?MODULE, worker, ['end']}}]}};
init(mid) ->
    {ok, {#{strategy => one_for_all, intensity => 10, period => 1},
          [#{id => w_a, start => {?MODULE, worker, [bv_w_a]}},
           #{id => w_b, start => {?MODULE, worker, [bv_w_b]}},
           #{id => helper_worker, start => {?MODULE, helper_worker, []}},
           #{id => linker, start => {?MODULE, worker, [bv_linker]}}]}};
init(flappy) ->
    {ok, {#{strategy => one_for_one, intensity => 100000, period => 1},
          [#{id => flappy, start => {?MODULE, flappy_child, []}}]}};
init(pool) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 10, period => 1},
          [#{id => pooled, start => {?MODULE, pool_child, []}}]}};
init(stuck) ->
    {ok, {#{strategy => one_for_one}, []}};
%% supervisor_bridge
init(bridge) ->
    P = spawn_link(fun() -> receive stop -> ok end end),
    {ok, P, P};
%% gen_server (bv_guard)
init(guard) ->
    {ok, []}.

terminate(_, P) when is_pid(P) -> exit(P, kill);
terminate(_, _) -> ok.

%% --- children --------------------------------------------------------------
pool_child() -> {ok, spawn_link(fun() -> receive stop -> ok end end)}.

ignore_child() -> ignore.

%% a registered worker; bv_w_b links to bv_w_a, bv_linker links to whatever
%% {link_remote, Node} names
worker(Name) ->
    P = spawn_link(fun() ->
                           register(Name, self()),
                           case Name of
                               bv_w_b -> link(whereis(bv_w_a));
                               _ -> ok
                           end,
                           loop()
                   end),
    wait_registered(Name),
    {ok, P}.

wait_registered(Name) ->
    case whereis(Name) of
        undefined -> timer:sleep(1), wait_registered(Name);
        _ -> ok
    end.

loop() ->
    receive
        {link_remote, Node, From} ->
            R = (catch link(spawn(Node, timer, sleep, [infinity]))),
            From ! {linked, R},
            loop();
        _ -> loop()
    end.

%% spawn_links a helper (not a child) and opens a port: external links
helper_worker() ->
    P = spawn_link(fun() ->
                           register(bv_helper_owner, self()),
                           spawn_link(fun() -> receive stop -> ok end end),
                           _ = open_port({spawn, "cat"}, []),
                           loop()
                   end),
    wait_registered(bv_helper_owner),
    {ok, P}.

%% starts once; after that every start fails after 40 ms (the supervisor keeps
%% the child as `restarting` and tries again)
flappy_child() ->
    case get(bv_flappy_started) of
        undefined ->
            put(bv_flappy_started, true),
            P = spawn_link(fun() -> receive stop -> ok end end),
            register(bv_flappy, P),
            {ok, P};
        _ ->
            timer:sleep(40),
            {error, flappy}
    end.

bridge_start() -> supervisor_bridge:start_link({local, bv_bridge}, ?MODULE, bridge).

guard_start() -> gen_server:start_link({local, bv_guard}, ?MODULE, guard, []).

stuck_child() -> timer:sleep(infinity).

%% blocks bv_stuck inside start_child (from a process of its own)
make_stuck() ->
    spawn(fun() -> supervisor:start_child(bv_stuck, #{id => never,
                                                      start => {?MODULE, stuck_child, []}})
          end),
    timer:sleep(100),
    ok.

%% --- bv_guard: records every call it did not expect --------------------------
handle_call(get_unexpected, _From, S) -> {reply, lists:reverse(S), S};
handle_call(Other, _From, S) -> {reply, {error, unexpected}, [Other | S]}.
handle_cast(Other, S) -> {noreply, [{cast, Other} | S]}.
handle_info(_, S) -> {noreply, S}.

unexpected() -> gen_server:call(bv_guard, get_unexpected).

%% every pid of the crafted tree (for "nothing died, nothing left behind")
pids() ->
    lists:sort(walk(whereis(bv_top))).

walk(Sup) ->
    [Sup | lists:append([case T of
                             supervisor when is_pid(P) -> walk(P);
                             _ when is_pid(P) -> [P];
                             _ -> []
                         end || {_, P, T, _} <- children(Sup)])].

%% never asks bv_guard (not a supervisor) or bv_stuck (blocked)
children(Sup) ->
    case lists:member(Sup, [whereis(bv_guard), whereis(bv_stuck)]) of
        true -> [];
        false ->
            case (catch gen_server:call(Sup, which_children, 1000)) of
                L when is_list(L) -> L;
                _ -> []
            end
    end.
