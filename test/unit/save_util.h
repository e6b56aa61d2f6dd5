/* save_util.h: unit tests' helper: a model's file appended to a bv_buf. */
#ifndef BV_SAVE_UTIL_H
#define BV_SAVE_UTIL_H

#include "util/util.h"

/* The model file of one model, appended to b (through a memory output). */
static inline int save_json(bv_model_kind kind, const void *p, bv_buf *b)
{
  bv_model m = {.kind = kind};
  switch (kind) {
  case BV_MODEL_TREE: m.u.tree = (bv_tree *)p; break;
  case BV_MODEL_TRACE: m.u.trace = (bv_trace *)p; break;
  case BV_MODEL_APPS: m.u.apps = (bv_applist *)p; break;
  case BV_MODEL_CLUSTER: m.u.cluster = (bv_clustermap *)p; break;
  default: return BV_EINVAL;
  }
  bv_out *o;
  int rc = bv_out_open_mem(&o);
  if (rc)
    return rc;
  if (!(rc = bv_model_save(&m, o))) {
    size_t n;
    const char *d = bv_out_mem(o, &n);
    rc = bv_buf_put(b, d, n);
  }
  bv_out_abort(o);
  return rc;
}

#endif
