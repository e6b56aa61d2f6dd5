%% eval_async.erl: how every template runs on the target. rex evaluates
%% this wrapper, which answers at once; the template itself runs in a
%% process of its own and its value comes back as one more message.
%%
%% Why: rex replies with a plain send. A reply that finds beamviz gone (it
%% timed out, or was interrupted) makes the target try to connect back to
%% beamviz's node name: a host lookup (which starts kernel's resolver
%% processes the first time) and a failed connection attempt, on a node
%% beamviz promised to leave as it was. This wrapper's reply leaves within
%% a millisecond of the request; the real value is sent with noconnect, so
%% a beamviz that is gone is simply not told.
%%
%% Bindings: Src (the template's text), Bs (its bindings), Id (the request
%%           number), BvPid (beamviz's pid).
%% Value:    async. Then {bv_eval, Id, {ok, Value} | {error, Class, Reason}}.
spawn(fun() ->
        R = try
              {ok, Toks, _} = erl_scan:string(Src),
              {ok, Exprs} = erl_parse:parse_exprs(Toks),
              {value, V, _} = erl_eval:exprs(Exprs, Bs),
              {ok, V}
            catch
              Class:Reason -> {error, Class, Reason}
            end,
        erlang:send(BvPid, {bv_eval, Id, R}, [noconnect])
      end),
async.
