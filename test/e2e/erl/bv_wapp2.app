{application, bv_wapp2,
 [{description, "beamviz test: its top is a gen_server"},
  {vsn, "1"}, {modules, [bv_walk]}, {registered, []},
  {applications, [kernel, stdlib]}, {mod, {bv_walk, gs_top}}]}.
