/* model/apps.c: the started-applications model: its file (written and read
 * back), one node's list or a cluster's (every node's list and failures). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/* "node","otp_release","elixir","apps":[...] of one node's list (after the
 * object's first member). */
static void list_write(bv_wr *w, const bv_applist *l)
{
  bv_wr_kv(w, "otp_release", l->otp_release);
  bv_wr_str(w, ",\"elixir\":");
  bv_wr_bool(w, l->elixir);
  bv_wr_str(w, ",\"apps\":[");
  for (size_t i = 0; i < l->n && !bv_wr_maybe_flush(w); i++) {
    const bv_app *a = &l->apps[i];
    bv_wr_str(w, i ? ",\n{\"name\":" : "\n{\"name\":");
    bv_wr_json(w, a->name);
    bv_wr_kv(w, "version", a->version);
    bv_wr_kv(w, "description", a->description);
    bv_wr_str(w, ",\"has_tree\":");
    bv_wr_bool(w, a->has_tree);
    bv_wr_kv(w, "master", a->master);
    bv_wr_kv(w, "top", a->top);
    bv_wr_kv(w, "top_name", a->top_name);
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "]");
}

/* One node: {"format","version","node","otp_release","elixir","apps"} as
 * always. A cluster: {"format","version","node":"N nodes","nodes":[...]},
 * each node {"node","otp_release","elixir","apps"} or {"node","error",
 * "reason"}, and no top-level "apps" (a reader that knows one node's file
 * only fails on it rather than showing nothing). */
static void apps_write(bv_wr *w, const bv_applist *l)
{
  bv_wr_str(w, "{\"format\":\"beamviz.apps\",\"version\":1");
  bv_wr_kv(w, "node", l->node);
  if (!l->nnodes) {
    list_write(w, l);
    bv_wr_str(w, "}\n");
    return;
  }
  bv_wr_str(w, ",\"nodes\":[");
  for (size_t i = 0; i < l->nnodes; i++) {
    const bv_node_result *r = &l->nodes[i];
    bv_node_result_write(w, r, i);
    if (!r->code)
      list_write(w, &l->lists[i]);
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "]}\n");
}

int bv_apps_write_json(const bv_applist *l, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  apps_write(&w, l);
  return bv_wr_finish(&w);
}

void bv_applist_free(bv_applist *l)
{
  if (l) {
    bv_arena_free(l->arena);
    free(l);
  }
}

int bv_applist_select_node(bv_applist *l, const char *node)
{
  if (!l->nnodes)
    return bv_error_set(BV_EINVAL, "this list is of one node (%s), not of a cluster",
                        l->node ? l->node : "?");
  for (size_t i = 0; i < l->nnodes; i++)
    if (l->nodes[i].code == BV_OK && strcmp(l->nodes[i].node, node) == 0) {
      const bv_applist *s = &l->lists[i];
      l->node = s->node ? s->node : l->nodes[i].node;
      l->otp_release = s->otp_release;
      l->elixir = s->elixir;
      l->n = s->n;
      l->apps = s->apps;
      l->nnodes = 0;
      l->nodes = NULL;
      l->lists = NULL;
      return 0;
    }
  bv_buf b;
  bv_buf_init(&b);
  for (size_t i = 0; i < l->nnodes; i++)
    if (l->nodes[i].code == BV_OK)
      bv_buf_printf(&b, "%s%s", b.len ? ", " : "", l->nodes[i].node);
  int rc = bv_error_set(BV_ENOTFOUND, "node '%s' is not in this list (it has: %s)", node,
                        b.data ? b.data : "none");
  bv_buf_dispose(&b);
  return rc;
}

#define MAX_APPS 100000u
#define MAX_NODES 4096u

/* One node's list from the object o (paths prefixed with pre): "otp_release",
 * "elixir", "apps"; node from "node" when with_node. */
static int list_read(const bv_jdoc *d, const bv_jv *o, const char *pre, int with_node,
                     bv_arena *arena, bv_applist *l)
{
  char path[96];
#define P(f) (snprintf(path, sizeof path, "%s%s", pre, f), path)
  const bv_jv *arr = bv_jv_get(o, "apps");
  int rc = bv_jv_arr(d, arr, P("apps"), MAX_APPS);
  if (rc)
    return rc;
  size_t n = bv_jv_len(arr);
  if (!(l->apps = bv_arena_alloc(arena, (n ? n : 1) * sizeof *l->apps)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  if ((with_node && (rc = bv_jv_opt_str(d, bv_jv_get(o, "node"), P("node"), arena, &l->node))) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(o, "otp_release"), P("otp_release"), arena,
                          &l->otp_release)))
    return rc;
  if (!bv_jv_is_null(bv_jv_get(o, "elixir")) &&
      (rc = bv_jv_bool(d, bv_jv_get(o, "elixir"), P("elixir"), &l->elixir)))
    return rc;
#undef P
  bv_jit it;
  bv_jv_iter(arr, &it);
  for (const bv_jv *e = bv_jv_next(&it); e; e = bv_jv_next(&it), l->n++) {
    bv_app *a = &l->apps[l->n];
    snprintf(path, sizeof path, "%sapps[%zu]", pre, l->n);
    if ((rc = bv_jv_obj(d, e, path)))
      return rc;
#define STR(key, dst, opt)                                                                     \
  do {                                                                                         \
    snprintf(path, sizeof path, "%sapps[%zu].%s", pre, l->n, key);                             \
    if ((rc = (opt ? bv_jv_opt_str : bv_jv_str)(d, bv_jv_get(e, key), path, arena, &dst)))     \
      return rc;                                                                               \
  } while (0)
    STR("name", a->name, 0);
    STR("version", a->version, 1);
    STR("description", a->description, 1);
    STR("master", a->master, 1);
    STR("top", a->top, 1);
    STR("top_name", a->top_name, 1);
#undef STR
    if (!bv_jv_is_null(bv_jv_get(e, "has_tree"))) {
      snprintf(path, sizeof path, "%sapps[%zu].has_tree", pre, l->n);
      if ((rc = bv_jv_bool(d, bv_jv_get(e, "has_tree"), path, &a->has_tree)))
        return rc;
    }
  }
  return 0;
}

/* "nodes" of a cluster's file: each node once, a failure with an error
 * beamviz names, at least one node collected. */
static int nodes_read(const bv_jdoc *d, const bv_jv *nv, bv_applist *l)
{
  int rc = bv_jv_arr(d, nv, "nodes", MAX_NODES);
  if (rc)
    return rc;
  size_t n = bv_jv_len(nv);
  if (!n)
    return bv_jv_fail(d, "nodes", "empty");
  if (!(l->nodes = bv_arena_alloc(l->arena, n * sizeof *l->nodes)) ||
      !(l->lists = bv_arena_alloc(l->arena, n * sizeof *l->lists)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  bv_intern seen;
  if ((rc = bv_intern_init(&seen)))
    return rc;
  char pre[48];
  size_t ok = 0;
  bv_jit it;
  bv_jv_iter(nv, &it);
  for (size_t i = 0; i < n && !rc; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_node_result *r = &l->nodes[i];
    snprintf(pre, sizeof pre, "nodes[%zu]", i);
    bv_intern_slot *sl;
    /* name once (failed or not), error and reason: one reader for every kind */
    if ((rc = bv_node_result_read(d, e, pre, l->arena, &seen, r, &sl)))
      break;
    if (r->code)
      continue;
    snprintf(pre, sizeof pre, "nodes[%zu].", i);
    if ((rc = list_read(d, e, pre, 0, l->arena, &l->lists[i])))
      break;
    l->lists[i].node = r->node;
    if (!ok++) {
      l->otp_release = l->lists[i].otp_release;
      l->elixir = l->lists[i].elixir;
    }
  }
  bv_intern_dispose(&seen);
  if (rc)
    return rc;
  l->nnodes = n;
  if (!ok)
    return bv_jv_fail(d, "nodes", "no node collected");
  /* the label is the collected count, whatever the file says */
  if (!(l->node = bv_nodes_label(l->arena, ok)) ||
      !(l->apps = bv_arena_alloc(l->arena, sizeof *l->apps)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  return 0;
}

int bv_applist_from_json(const bv_jdoc *d, bv_applist **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_applist *l = calloc(1, sizeof *l);
  if (!l || !(l->arena = bv_arena_new())) {
    bv_applist_free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  const bv_jv *nv = bv_jv_get(root, "nodes");
  int rc = nv && !bv_jv_is_null(nv) ? nodes_read(d, nv, l)
                                    : list_read(d, root, "", 1, l->arena, l);
  if (rc) {
    bv_applist_free(l);
    return rc;
  }
  *out = l;
  return 0;
}
