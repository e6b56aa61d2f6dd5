/* api/compat.c: TEMPORARY adapters giving the registry's writer and layout
 * names over the older per-format functions, so this branch builds and runs
 * before the per-kind writers land. The merge replaces this file with them. */
#include "emit/emit.h"
#include "layout/layout.h"

#include <string.h>

static int chart_field(const char *name, bv_proc_field dflt, bv_proc_field *f)
{
  *f = dflt;
  if (!name)
    return 0;
  *f = bv_proc_field_from_name(name);
  if (*f == BV_PF_NONE)
    return bv_error_set(BV_EINVAL, "'%s' is not a field of a process", name);
  return 0;
}

int bv_emit_procs_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                           bv_emit_info *info)
{
  (void)fmt;
  bv_procs_chart c;
  int rc;
  if ((rc = chart_field(o->x, BV_PF_REDUCTIONS, &c.x)) ||
      (rc = chart_field(o->y, BV_PF_MEMORY, &c.y)) ||
      (rc = chart_field(o->color, BV_PF_STATUS, &c.color)))
    return rc;
  if (info && bv_proc_field_numeric(c.x) && bv_proc_field_numeric(c.y))
    info->zeros = bv_snapshot_zeros(m->u.snapshot, c.x, c.y);
  return bv_snapshot_write_vegalite(m->u.snapshot, &c, out);
}

int bv_emit_procs_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  return bv_snapshot_write_csv(m->u.snapshot, out);
}

int bv_emit_memory_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  return bv_memseries_write_vegalite(m->u.memory, out);
}

int bv_emit_memory_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  return bv_memseries_write_csv(m->u.memory, out);
}

static void layout_opts(const bv_emit_opts *o, bv_layout_opts *lo)
{
  memset(lo, 0, sizeof *lo);
  lo->dark = o->dark;
  lo->left_right = o->left_right;
  lo->max_children = o->max_children;
  lo->max_depth = o->max_depth;
  lo->max_shown = o->max_shown;
  lo->show_system = o->all;
  lo->x_field = o->x;
  lo->y_field = o->y;
  lo->color_field = o->color;
}

int bv_layout_scatter_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                            bv_scene **out, bv_emit_info *info)
{
  bv_layout_opts lo;
  layout_opts(o, &lo);
  lo.width = o->width;
  lo.height = o->height;
  int rc = bv_layout_scatter(m->u.snapshot, &lo, ms, out);
  if (!rc && info) {
    bv_proc_field x = o->x ? bv_proc_field_from_name(o->x) : BV_PF_REDUCTIONS;
    bv_proc_field y = o->y ? bv_proc_field_from_name(o->y) : BV_PF_MEMORY;
    if (bv_proc_field_numeric(x) && bv_proc_field_numeric(y))
      info->zeros = bv_snapshot_zeros(m->u.snapshot, x, y);
  }
  return rc;
}

int bv_layout_memory_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                           bv_scene **out, bv_emit_info *info)
{
  (void)info;
  bv_layout_opts lo;
  layout_opts(o, &lo);
  lo.width = o->width;
  lo.height = o->height;
  return bv_layout_memory(m->u.memory, &lo, ms, out);
}
