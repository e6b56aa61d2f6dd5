/* apps.c: the started applications (beamviz apps): one node's, or every
 * node's of a cluster at once (bv_cluster_run: one connection and one
 * evaluation of templates/apps.erl per node, in parallel). */
#include "collect/collect.h"

#include <stdlib.h>
#include <string.h>

static const char *dup_text(bv_arena *a, const bv_term *t)
{
  const char *s = bv_term_text(t);
  return s ? bv_arena_strdup(a, s) : NULL;
}

static const char *dup_pid(bv_arena *a, const bv_term *t, const char *node)
{
  if (!t || t->type != BV_T_PID)
    return NULL;
  bv_buf b;
  bv_buf_init(&b);
  bv_term_pid_str(&b, t, node);
  const char *s = b.data ? bv_arena_strndup(a, b.data, b.len) : NULL;
  bv_buf_dispose(&b);
  return s;
}

int bv_apps_collect(bv_conn *c, bv_applist **out)
{
  *out = NULL;
  bv_applist *l = calloc(1, sizeof *l);
  if (!l || !(l->arena = bv_arena_new())) {
    free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  unsigned ms = bv_conn_timeout(c);
  unsigned inner = ms > 2000 ? ms - 1000 : ms / 2;
  bv_binding b[] = {{"Timeout", BV_B_INT, inner, NULL, 0}};
  bv_term *r;
  int rc = bv_conn_eval(c, "apps.erl", b, 1, ms, l->arena, &r);
  if (rc) {
    bv_applist_free(l);
    return rc;
  }
  const bv_term *node = bv_term_elem(r, 1), *apps = bv_term_elem(r, 2);
  if (!bv_term_is_atom(bv_term_elem(r, 0), "ok") || !node || node->type != BV_T_ATOM || !apps ||
      (apps->type != BV_T_LIST && apps->type != BV_T_NIL)) {
    bv_applist_free(l);
    return bv_error_set(BV_ETERM, "apps: unexpected reply from node %s", bv_conn_node(c));
  }
  l->node = bv_arena_strdup(l->arena, node->v.s);
  l->otp_release = bv_arena_strdup(l->arena, bv_conn_otp_release(c));
  l->elixir = bv_conn_has_elixir(c);
  l->n = apps->type == BV_T_LIST ? apps->n : 0;
  l->apps = bv_arena_alloc(l->arena, (l->n ? l->n : 1) * sizeof *l->apps);
  if (!l->apps) {
    bv_applist_free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < l->n; i++) {
    const bv_term *e = &apps->v.items[i];
    bv_app *a = &l->apps[i];
    a->name = dup_text(l->arena, bv_term_elem(e, 0));
    a->version = dup_text(l->arena, bv_term_elem(e, 1));
    a->description = dup_text(l->arena, bv_term_elem(e, 2));
    a->master = dup_pid(l->arena, bv_term_elem(e, 3), l->node);
    a->top = dup_pid(l->arena, bv_term_elem(e, 4), l->node);
    const bv_term *tn = bv_term_elem(e, 5);
    if (tn && tn->type == BV_T_ATOM)
      a->top_name = bv_arena_strdup(l->arena, bv_strip_elixir(tn->v.s));
    a->has_tree = a->master && a->top;
    if (!a->name)
      a->name = "?";
  }
  *out = l;
  return 0;
}

/* Width in columns of clean text: one per character (wide characters are
 * rare in application names and versions). */
/* --- apps, cluster-wide ------------------------------------------------------ */

/* Each node's job fills its own slot: nothing shared while the threads run. */
static int apps_one(bv_conn *c, size_t i, void *ud)
{
  bv_applist **per = ud;
  return bv_apps_collect(c, &per[i]);
}

int bv_apps_collect_cluster(const bv_cluster_opts *co, bv_applist **out)
{
  *out = NULL;
  size_t nn = co->n ? co->n : 1;
  bv_applist **per = calloc(nn, sizeof *per);
  bv_applist *m = calloc(1, sizeof *m);
  int rc = 0;
  if (!per || !m || !(m->arena = bv_arena_new()) ||
      !(m->nodes = bv_arena_alloc(m->arena, nn * sizeof *m->nodes)) ||
      !(m->lists = bv_arena_alloc(m->arena, nn * sizeof *m->lists)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    memset(m->lists, 0, nn * sizeof *m->lists);
    m->nnodes = co->n;
    rc = bv_cluster_run(co, apps_one, per, m->arena, m->nodes);
  }
  size_t ok = 0;
  for (size_t i = 0; i < co->n && per; i++) {
    if (!rc && m->nodes[i].code == BV_ENOMEM) /* beamviz's own failure is the run's */
      rc = bv_error_set(BV_ENOMEM, "%s", m->nodes[i].reason);
    if (!per[i])
      continue;
    if (!rc && m->nodes[i].code == BV_OK) {
      /* the node's strings stay with the cluster's list, no copy */
      bv_applist *l = &m->lists[i];
      *l = *per[i];
      l->arena = NULL;
      bv_arena_adopt(m->arena, per[i]->arena);
      per[i]->arena = NULL;
      if (!ok++) {
        m->otp_release = l->otp_release;
        m->elixir = l->elixir;
      }
    }
    bv_applist_free(per[i]);
  }
  free(per);
  if (!rc && !(m->node = bv_nodes_label(m->arena, ok)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc && !(m->apps = bv_arena_alloc(m->arena, sizeof *m->apps)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (rc) {
    bv_applist_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
