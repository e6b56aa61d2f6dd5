/* view/chart.c: the chart view of a process snapshot: fields, zero marks. */
#include "view/view.h"

size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y)
{
  size_t z = 0;
  for (size_t i = 0; i < s->n; i++)
    z += bv_proc_value(&s->procs[i], x) == 0 || bv_proc_value(&s->procs[i], y) == 0;
  return z;
}

int bv_procs_chart_check(const bv_procs_chart *c)
{
  if (!bv_proc_field_numeric(c->x))
    return bv_error_set(BV_EINVAL, "--x: '%s' is not one of reductions|memory|message_queue_len",
                        bv_proc_field_name(c->x));
  if (!bv_proc_field_numeric(c->y))
    return bv_error_set(BV_EINVAL, "--y: '%s' is not one of reductions|memory|message_queue_len",
                        bv_proc_field_name(c->y));
  if (c->color != BV_PF_STATUS && c->color != BV_PF_NAME && c->color != BV_PF_CURRENT_FUNCTION &&
      c->color != BV_PF_INITIAL_CALL)
    return bv_error_set(BV_EINVAL,
                        "--color: '%s' is not one of status|name|current_function|initial_call",
                        bv_proc_field_name(c->color));
  return 0;
}
