%% bv_labels: a supervisor whose workers carry process labels ('$process_label',
%% as OTP 27's proc_lib:set_label/1 writes it): an unnamed one labelled with a
%% text, an unnamed one labelled with a term, a named labelled one, and an
%% unlabelled unnamed one (child id shown).
-module(bv_labels).
-behaviour(supervisor).
-export([start/0, init/1, worker/2]).

start() ->
    {ok, P} = supervisor:start_link({local, bv_lsup}, ?MODULE, top),
    unlink(P),
    ok.

init(top) ->
    W = fun(Id, Name, Label) ->
                #{id => Id, start => {?MODULE, worker, [Name, Label]}}
        end,
    {ok, {#{strategy => one_for_one},
          [W(text_w, none, <<"conn pool">>), W(term_w, none, {conn, 7}),
           W(named_w, bv_lnamed, <<"named one">>), W(plain_w, none, undefined)]}}.

worker(Name, Label) ->
    proc_lib:start_link(erlang, apply,
                        [fun() ->
                                 case Name of none -> ok; _ -> register(Name, self()) end,
                                 case Label of undefined -> ok; _ -> put('$process_label', Label) end,
                                 proc_lib:init_ack({ok, self()}),
                                 receive stop -> ok end
                         end, []]).
