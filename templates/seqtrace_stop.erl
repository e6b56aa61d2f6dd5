%% seqtrace_stop.erl: beamviz seqtrace across nodes: tells a follower relay
%% (Relay) that the trace on the entry node is done. beamviz sends this on the
%% follower's own connection, so no node sends anything to another node for
%% beamviz. The follower then drains its events in flight and says done.
Relay ! {bv_follow_stop, Self},
ok.
