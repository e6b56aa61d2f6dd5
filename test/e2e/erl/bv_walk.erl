%% bv_walk: test-only trees for suptree_real.sh (walk rule and --app root).
%% Compiled into $BV_TMP and loaded on the test node only; beamviz loads nothing.
%%
%% bv_wtop (OTP supervisor)
%%   bv_csup1   a supervisor of our own (a gen_server answering which_children;
%%              '$initial_call' is bv_walk:init/1), declared type supervisor
%%     bv_csup2 the same, declared supervisor by bv_csup1: workers bv_w2, bv_w3
%%     bv_w1    worker
%%   bv_wguard  gen_server declared worker: records every call, cast and message
%%   bv_silent  declared supervisor that never answers which_children
%%   bv_garbage declared supervisor answering a list that is not a child list
%%   bv_junk    declared supervisor answering an atom
%% Application bv_wapp: start/2 start_links bv_wapp_early, then the top
%% supervisor bv_wapp_sup (workers bv_wapp_a, bv_wapp_b). Application bv_wapp2:
%% start/2 returns a gen_server (bv_wapp2_top), which must never be asked.
-module(bv_walk).
-behaviour(supervisor).
-behaviour(application).
-export([start/0, init/1, handle_call/3, handle_cast/2, handle_info/2, csup/2, gs/2,
         calls/1, tree_pids/1, app_pids/1, start/2, stop/1]).

start() ->
    logger:set_module_level(supervisor, critical),
    {ok, Top} = supervisor:start_link({local, bv_wtop}, ?MODULE, wtop),
    unlink(Top),
    ok.

%% --- OTP supervisors ---------------------------------------------------------
init(wtop) ->
    {ok, {#{strategy => one_for_one},
          [#{id => csup1, type => supervisor,
             start => {?MODULE, csup, [bv_csup1,
                                       [{csup2, {?MODULE, csup, [bv_csup2,
                                                                 [{w2, {?MODULE, gs, [bv_w2, plain]}, worker},
                                                                  {w3, {?MODULE, gs, [bv_w3, plain]}, worker}]]},
                                         supervisor},
                                        {w1, {?MODULE, gs, [bv_w1, plain]}, worker}]]}},
           #{id => guard, type => worker, start => {?MODULE, gs, [bv_wguard, plain]}},
           #{id => silent, type => supervisor, start => {?MODULE, gs, [bv_silent, silent]}},
           #{id => garbage, type => supervisor, start => {?MODULE, gs, [bv_garbage, garbage]}},
           #{id => junk, type => supervisor, start => {?MODULE, gs, [bv_junk, junk]}}]}};
init(wapp_top) ->
    {ok, {#{strategy => one_for_one},
          [#{id => a, start => {?MODULE, gs, [bv_wapp_a, plain]}},
           #{id => b, start => {?MODULE, gs, [bv_wapp_b, plain]}}]}};
%% --- gen_servers ---------------------------------------------------------------
init({csup, Specs}) ->
    %% our own supervisor: starts its children in order, answers which_children
    %% (newest first, as OTP's supervisor does)
    Cs = lists:foldl(fun({Id, {M, F, A}, Type}, Acc) ->
                             {ok, P} = apply(M, F, A),
                             [{Id, P, Type, [M]} | Acc]
                     end, [], Specs),
    {ok, {csup, Cs}};
init(Kind) ->
    {ok, {Kind, []}}.

csup(Name, Specs) -> gen_server:start_link({local, Name}, ?MODULE, {csup, Specs}, []).
gs(Name, Kind) -> gen_server:start_link({local, Name}, ?MODULE, Kind, []).

handle_call(bv_get_calls, _From, {K, Seen} = S) -> {reply, {K, lists:reverse(Seen)}, S};
handle_call(which_children, _From, {csup, Cs} = S) -> {reply, Cs, S};
handle_call(which_children, _From, {silent, _} = S) -> {noreply, S};
handle_call(which_children, _From, {garbage, _} = S) -> {reply, [oops, 1, {a, b}], S};
handle_call(which_children, _From, {junk, _} = S) -> {reply, not_a_list, S};
handle_call(Req, _From, {K, Seen}) -> {reply, {error, unexpected}, {K, [{call, Req} | Seen]}}.
handle_cast(Req, {K, Seen}) -> {noreply, {K, [{cast, Req} | Seen]}}.
handle_info(Msg, {K, Seen}) -> {noreply, {K, [{info, Msg} | Seen]}}.

%% what a gen_server of ours was sent, and what is still queued
calls(Name) ->
    {message_queue_len, Q} = process_info(whereis(Name), message_queue_len),
    {_, Seen} = gen_server:call(Name, bv_get_calls),
    {Q, Seen}.

%% --- the node's own walk: descend into every child whose spec says supervisor --
tree_pids(Root) ->
    text(walk(whereis_or_pid(Root))).

whereis_or_pid(P) when is_pid(P) -> P;
whereis_or_pid(N) -> whereis(N).

walk(Sup) ->
    [Sup | lists:append([case T of
                             supervisor when is_pid(P) -> walk(P);
                             _ when is_pid(P) -> [P];
                             _ -> []
                         end || {_, P, T, _} <- children(Sup)])].

children(Sup) ->
    case catch gen_server:call(Sup, which_children, 500) of
        L when is_list(L) -> [C || C <- L, tuple_size(C) =:= 4];
        _ -> []
    end.

%% master, start helper, everything linked to the helper, the top's tree
app_pids(App) ->
    M = application_controller:get_master(App),
    {Top, _} = application_master:get_child(M),
    {links, ML} = process_info(M, links),
    [H] = [L || L <- ML, is_pid(L),
                process_info(L, initial_call) =:= {initial_call, {application_master, start_it, 4}}],
    {links, HL} = process_info(H, links),
    Linked = [L || L <- HL, is_pid(L), L =/= M, L =/= Top],
    text([M, H | Linked] ++ walk(Top)).

text(Pids) ->
    lists:flatten(lists:join(" ", [pid_to_list(P) || P <- lists:usort(Pids)])).

%% --- application bv_wapp ---------------------------------------------------------
start(_Type, gs_top) ->
    %% bv_wapp2: its "top" is a gen_server, not a supervisor
    gs(bv_wapp2_top, plain);
start(_Type, _Args) ->
    {ok, _Early} = gs(bv_wapp_early, plain),
    supervisor:start_link({local, bv_wapp_sup}, ?MODULE, wapp_top).

stop(_) -> ok.
