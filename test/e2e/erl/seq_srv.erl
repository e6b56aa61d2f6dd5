%% seq_srv: test-only gen_server for the seqtrace e2e tests (loaded with -pa on
%% the test node; beamviz itself never loads anything).
-module(seq_srv).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start() ->
    {ok, Pid} = gen_server:start({local, seq_srv}, ?MODULE, [], []),
    Pid.

init([]) -> {ok, 0}.

handle_call({add, N}, _From, S) -> {reply, {ok, S + N}, S + N};
handle_call(get, _From, S) -> {reply, S, S}.

handle_cast(reset, _S) -> {noreply, 0}.

handle_info(_, S) -> {noreply, S}.
