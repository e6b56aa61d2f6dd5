{application, bv_wapp,
 [{description, "beamviz test: start/2 links a worker before its top supervisor"},
  {vsn, "1"}, {modules, [bv_walk]}, {registered, []},
  {applications, [kernel, stdlib]}, {mod, {bv_walk, []}}]}.
