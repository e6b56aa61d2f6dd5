/* api/registry.c: the one (model kind x format) registry behind bv_emit. */
#include "emit/emit.h"
#include "layout/layout.h"
#include "render/render.h"

#include <string.h>

void bv_emit_opts_init(bv_emit_opts *o)
{
  memset(o, 0, sizeof *o);
  o->max_children = 12;
  o->max_shown = 200;
  o->scale = 1;
}
