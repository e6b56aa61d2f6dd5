/* model.c: helpers shared by every model. */
#include "beamviz.h"

#include <stdlib.h>
#include <string.h>

const char *const bv_mem_kinds[BV_MEM_NKINDS] = {"total", "processes", "atom", "binary",
                                                 "code",  "ets",       "system"};

int bv_pid_display(bv_buf *b, const char *pid, int elixir)
{
  if (!pid)
    return bv_buf_puts(b, "?");
  if (elixir && pid[0] == '<')
    return bv_buf_printf(b, "#PID%s", pid);
  return bv_buf_puts(b, pid);
}

const char *bv_strip_elixir(const char *name)
{
  if (name && strncmp(name, "Elixir.", 7) == 0 && name[7])
    return name + 7;
  return name;
}

#define FREE_MODEL(type, fn)                                                                 \
  void fn(type *m)                                                                           \
  {                                                                                          \
    if (m) {                                                                                 \
      bv_arena_free(m->arena);                                                               \
      free(m);                                                                               \
    }                                                                                        \
  }
FREE_MODEL(bv_snapshot, bv_snapshot_free)
FREE_MODEL(bv_memseries, bv_memseries_free)
FREE_MODEL(bv_tree, bv_tree_free)
FREE_MODEL(bv_trace, bv_trace_free)

void bv_model_dispose(bv_model *m)
{
  if (!m)
    return;
  switch (m->kind) {
  case BV_MODEL_SNAPSHOT: bv_snapshot_free(m->u.snapshot); break;
  case BV_MODEL_MEMORY: bv_memseries_free(m->u.memory); break;
  case BV_MODEL_TREE: bv_tree_free(m->u.tree); break;
  case BV_MODEL_TRACE: bv_trace_free(m->u.trace); break;
  case BV_MODEL_NONE: break;
  }
  memset(m, 0, sizeof *m);
}
