/* cluster.c: whole clusters. The runner connects to each node of a list
 * directly and runs one job per node, at most `parallel` at once, each in a
 * thread of its own with its own connection (its own ei_cnode; errors are
 * per thread); the procs job collects each node's snapshot and they are
 * merged into one cluster snapshot with a node per row. */
#include "collect/collect.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BV_CLUSTER_PARALLEL 8
#define BV_CLUSTER_MAX_NODES 4096

typedef struct run_slot {
  int code;
  char reason[1024];
} run_slot;

typedef struct run_ctx {
  const bv_cluster_opts *o;
  bv_cluster_job job;
  void *ud;
  run_slot *slots;
  atomic_size_t next;
} run_ctx;

static void *run_worker(void *arg)
{
  run_ctx *r = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&r->next, 1);
    if (i >= r->o->n)
      break;
    bv_conn_opts co = {r->o->nodes[i], r->o->cookie, r->o->timeout_ms, r->o->max_message};
    bv_conn *c = NULL;
    int rc = bv_conn_open(&co, &c);
    if (!rc)
      rc = r->job(c, i, r->ud);
    r->slots[i].code = rc;
    if (rc) {
      const char *m = bv_error_last();
      snprintf(r->slots[i].reason, sizeof r->slots[i].reason, "%s",
               m && *m ? m : bv_error_name(rc));
    }
    bv_conn_free(c);
  }
  return NULL;
}

int bv_cluster_run(const bv_cluster_opts *o, bv_cluster_job job, void *ud, bv_arena *a,
                   bv_node_result *res)
{
  if (!o->n || o->n > BV_CLUSTER_MAX_NODES)
    return bv_error_set(BV_EINVAL, "%zu nodes: between 1 and %d nodes", o->n,
                        BV_CLUSTER_MAX_NODES);
  size_t par = o->parallel ? o->parallel : BV_CLUSTER_PARALLEL;
  if (par > o->n)
    par = o->n;
  run_ctx r = {o, job, ud, calloc(o->n, sizeof(run_slot)), 0};
  pthread_t *th = calloc(par, sizeof *th);
  if (!r.slots || !th) {
    free(r.slots);
    free(th);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  size_t started = 0;
  for (; started < par; started++)
    if (pthread_create(&th[started], NULL, run_worker, &r) != 0)
      break;
  if (!started) /* no thread at all: one after another in this one */
    run_worker(&r);
  for (size_t i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  free(th);
  int rc = 0;
  for (size_t i = 0; i < o->n && !rc; i++) {
    res[i].node = bv_arena_strdup(a, o->nodes[i]);
    res[i].code = r.slots[i].code;
    res[i].reason = r.slots[i].code ? bv_arena_strdup(a, r.slots[i].reason) : NULL;
    if (!res[i].node || (r.slots[i].code && !res[i].reason))
      rc = bv_error_set(BV_ENOMEM, "out of memory");
  }
  free(r.slots);
  return rc;
}

static int nodes_reply(bv_conn *c, const bv_term *r, const char ***names, size_t *n)
{
  const bv_term *self = bv_term_elem(r, 1), *l = bv_term_elem(r, 2);
  if (!bv_term_is_atom(bv_term_elem(r, 0), "ok") || !self || self->type != BV_T_ATOM || !l ||
      (l->type != BV_T_LIST && l->type != BV_T_NIL))
    return bv_error_set(BV_ETERM, "cluster: unexpected reply from node %s", bv_conn_node(c));
  size_t k = l->type == BV_T_LIST ? l->n : 0;
  if (k + 1 > BV_CLUSTER_MAX_NODES)
    return bv_error_set(BV_ETERM, "node %s is connected to %zu nodes (at most %d)",
                        bv_conn_node(c), k, BV_CLUSTER_MAX_NODES - 1);
  size_t len = strlen(self->v.s) + 1;
  for (size_t i = 0; i < k; i++) {
    if (l->v.items[i].type != BV_T_ATOM)
      return bv_error_set(BV_ETERM, "cluster: a node name from %s is not an atom",
                          bv_conn_node(c));
    len += strlen(l->v.items[i].v.s) + 1;
  }
  const char **v = malloc((k + 1) * sizeof *v + len);
  if (!v)
    return bv_error_set(BV_ENOMEM, "out of memory");
  char *d = (char *)(v + k + 1);
  for (size_t i = 0; i <= k; i++) {
    const char *t = i ? l->v.items[i - 1].v.s : self->v.s;
    size_t tl = strlen(t) + 1;
    memcpy(d, t, tl);
    v[i] = d;
    d += tl;
  }
  *names = v;
  *n = k + 1;
  return 0;
}

int bv_cluster_nodes(bv_conn *c, int hidden, const char ***names, size_t *n)
{
  *names = NULL;
  *n = 0;
  bv_binding b[] = {{"Hidden", BV_B_BOOL, hidden, NULL, 0}};
  bv_term *r;
  bv_arena *a = bv_arena_new();
  if (!a)
    return bv_error_set(BV_ENOMEM, "out of memory");
  int rc = bv_conn_eval(c, "cluster_nodes.erl", b, 1, bv_conn_timeout(c), a, &r);
  if (!rc)
    rc = nodes_reply(c, r, names, n);
  bv_arena_free(a);
  return rc;
}

/* --- procs, cluster-wide --------------------------------------------------- */

typedef struct procs_job {
  const bv_procs_opts *o;
  bv_snapshot **snaps;
} procs_job;

static int procs_one(bv_conn *c, size_t i, void *ud)
{
  procs_job *j = ud;
  bv_procs_opts o = *j->o;
  o.on_rows = NULL;
  o.ud = NULL;
  return bv_procs_collect(c, &o, &j->snaps[i]);
}

/* Copies node i's rows into m (strings into m's arena; repeated texts once). */
static int merge_one(bv_snapshot *m, bv_intern *in, const bv_snapshot *s, const char *node)
{
  for (size_t k = 0; k < s->n; k++) {
    const bv_proc *p = &s->procs[k];
    bv_proc *q = &m->procs[m->n];
    *q = *p;
    int oom[6] = {0};
    q->node = node;
    q->pid = bv_arena_strdup(m->arena, p->pid);
    q->name = bv_intern_str(in, m->arena, p->name, &oom[0]);
    q->status = bv_intern_str(in, m->arena, p->status, &oom[1]);
    q->current_function = bv_intern_str(in, m->arena, p->current_function, &oom[2]);
    q->initial_call = bv_intern_str(in, m->arena, p->initial_call, &oom[3]);
    q->label = bv_intern_str(in, m->arena, p->label, &oom[4]);
    if (!q->pid || oom[0] || oom[1] || oom[2] || oom[3] || oom[4])
      return bv_error_set(BV_ENOMEM, "out of memory");
    m->n++;
  }
  return 0;
}

int bv_procs_collect_cluster(const bv_cluster_opts *co, const bv_procs_opts *o,
                             bv_snapshot **out)
{
  *out = NULL;
  bv_snapshot **snaps = calloc(co->n ? co->n : 1, sizeof *snaps);
  bv_snapshot *m = calloc(1, sizeof *m);
  bv_intern in;
  int rc = bv_intern_init(&in);
  if (rc || !snaps || !m || !(m->arena = bv_arena_new()) ||
      !(m->nodes = bv_arena_alloc(m->arena, (co->n ? co->n : 1) * sizeof *m->nodes))) {
    if (!rc)
      bv_intern_dispose(&in);
    free(snaps);
    bv_snapshot_free(m);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  procs_job j = {o, snaps};
  m->nnodes = co->n;
  rc = bv_cluster_run(co, procs_one, &j, m->arena, m->nodes);
  size_t rows = 0, first_ok = co->n;
  for (size_t i = 0; i < co->n; i++)
    if (snaps[i]) {
      rows += snaps[i]->n;
      if (first_ok == co->n)
        first_ok = i;
    }
  if (!rc && !(m->procs = bv_arena_alloc(m->arena, (rows ? rows : 1) * sizeof *m->procs)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc && first_ok < co->n) {
    /* the snapshot's facts: the first collected node's syntax and release */
    const bv_snapshot *f = snaps[first_ok];
    m->elixir = f->elixir;
    m->otp_release = f->otp_release ? bv_arena_strdup(m->arena, f->otp_release) : NULL;
    m->window_ms = f->window_ms;
    m->window_measured_ms = f->window_measured_ms;
  }
  /* merged in the order asked, each node's snapshot freed once copied */
  for (size_t i = 0; i < co->n; i++) {
    bv_snapshot *s = snaps[i];
    if (!s)
      continue;
    bv_node_result *r = &m->nodes[i];
    r->total = s->total;
    r->skipped = s->skipped;
    r->window_measured_ms = s->window_measured_ms;
    if (!rc) {
      m->total += s->total;
      m->skipped += s->skipped;
      m->born += s->born;
      m->gone += s->gone;
      rc = merge_one(m, &in, s, r->node);
    }
    bv_snapshot_free(s);
    snaps[i] = NULL;
  }
  free(snaps);
  bv_intern_dispose(&in);
  if (!rc)
    rc = bv_snapshot_cluster_label(m);
  if (rc) {
    bv_snapshot_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
