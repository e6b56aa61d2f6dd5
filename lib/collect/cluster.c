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

/* Each node's snapshot is merged as soon as it is collected (under the
 * lock): its rows copied to the end of the cluster's, its row array freed at
 * once, its strings (its arena) adopted as they are. Peak memory is the
 * cluster's rows plus the rows of the nodes still being collected. */
typedef struct procs_job {
  const bv_procs_opts *o;
  pthread_mutex_t lock;
  bv_snapshot *m;       /* rows in the order the nodes finished */
  size_t cap;           /* rows m->procs has room for */
  size_t *seg_start;    /* per node asked: where its rows start in m, its count */
  size_t *seg_n;
  int *done;
  const char **otp;     /* per node: its release and syntax (first collected wins) */
  int *elixir;
  int rc;               /* out of memory while merging */
} procs_job;

static int merge_locked(procs_job *j, size_t i, bv_snapshot *s)
{
  bv_snapshot *m = j->m;
  if (m->n + s->n > j->cap) {
    size_t ncap = m->n + s->n, grow = j->cap + j->cap / 4;
    if (ncap < grow)
      ncap = grow;
    bv_proc *np = bv_arena_realloc(m->arena, m->procs, j->cap * sizeof *np, ncap * sizeof *np);
    if (!np)
      return bv_error_set(BV_ENOMEM, "out of memory");
    m->procs = np;
    j->cap = ncap;
  }
  const char *node = bv_arena_strdup(m->arena, j->m->nodes[i].node);
  if (!node)
    return bv_error_set(BV_ENOMEM, "out of memory");
  memcpy(m->procs + m->n, s->procs, s->n * sizeof *s->procs);
  for (size_t k = 0; k < s->n; k++)
    m->procs[m->n + k].node = node;
  j->seg_start[i] = m->n;
  j->seg_n[i] = s->n;
  j->done[i] = 1;
  m->n += s->n;
  m->total += s->total;
  m->skipped += s->skipped;
  m->born += s->born;
  m->gone += s->gone;
  bv_node_result *r = &m->nodes[i];
  r->node = node;
  r->total = s->total;
  r->skipped = s->skipped;
  r->window_measured_ms = s->window_measured_ms;
  j->otp[i] = s->otp_release;
  j->elixir[i] = s->elixir;
  if (!i || !m->window_ms) {
    m->window_ms = s->window_ms;
    m->window_measured_ms = s->window_measured_ms;
  }
  /* the rows' array is copied: freed now; the strings stay (adopted) */
  bv_arena_release(s->arena, s->procs);
  s->procs = NULL;
  bv_arena_adopt(m->arena, s->arena);
  s->arena = NULL;
  return 0;
}

static int procs_one(bv_conn *c, size_t i, void *ud)
{
  procs_job *j = ud;
  bv_procs_opts o = *j->o;
  o.on_rows = NULL;
  o.ud = NULL;
  bv_snapshot *s;
  int rc = bv_procs_collect(c, &o, &s);
  if (rc)
    return rc;
  pthread_mutex_lock(&j->lock);
  if (!j->rc && (rc = merge_locked(j, i, s)))
    j->rc = rc;
  pthread_mutex_unlock(&j->lock);
  bv_snapshot_free(s);
  return 0;
}

/* Puts m's rows in the order the nodes were asked (each node's rows kept in
 * their order): every row moved once, following the cycles of the move. */
static int reorder(procs_job *j, size_t nn)
{
  bv_snapshot *m = j->m;
  size_t *dst = calloc(nn ? nn : 1, sizeof *dst); /* where each node's rows go */
  unsigned char *seen = calloc(m->n / 8 + 1, 1);
  size_t *order = calloc(nn ? nn : 1, sizeof *order); /* nodes by their rows' start */
  if (!dst || !seen || !order) {
    free(dst);
    free(seen);
    free(order);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  size_t at = 0, k = 0;
  for (size_t i = 0; i < nn; i++)
    if (j->done[i]) {
      dst[i] = at;
      at += j->seg_n[i];
      order[k++] = i;
    }
  /* order: the done nodes by where their rows are now (insertion sort: few) */
  for (size_t a = 1; a < k; a++)
    for (size_t b = a; b > 0 && j->seg_start[order[b - 1]] > j->seg_start[order[b]]; b--) {
      size_t t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
  for (size_t start = 0; start < m->n; start++) {
    if (seen[start / 8] & (1u << (start % 8)))
      continue;
    bv_proc carry = m->procs[start];
    size_t cur = start;
    do {
      /* the node whose rows hold cur: the last with start <= cur */
      size_t lo = 0, hi = k;
      while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (j->seg_start[order[mid]] <= cur)
          lo = mid;
        else
          hi = mid;
      }
      size_t nd = order[lo];
      size_t d = dst[nd] + (cur - j->seg_start[nd]);
      bv_proc t = m->procs[d];
      m->procs[d] = carry;
      carry = t;
      seen[d / 8] |= (unsigned char)(1u << (d % 8));
      cur = d;
    } while (cur != start);
  }
  free(dst);
  free(seen);
  free(order);
  return 0;
}

int bv_procs_collect_cluster(const bv_cluster_opts *co, const bv_procs_opts *o,
                             bv_snapshot **out)
{
  *out = NULL;
  size_t nn = co->n ? co->n : 1;
  procs_job j;
  memset(&j, 0, sizeof j);
  j.o = o;
  bv_snapshot *m = calloc(1, sizeof *m);
  j.m = m;
  j.seg_start = calloc(nn, sizeof *j.seg_start);
  j.seg_n = calloc(nn, sizeof *j.seg_n);
  j.done = calloc(nn, sizeof *j.done);
  j.otp = calloc(nn, sizeof *j.otp);
  j.elixir = calloc(nn, sizeof *j.elixir);
  int rc = 0;
  if (!m || !j.seg_start || !j.seg_n || !j.done || !j.otp || !j.elixir ||
      !(m->arena = bv_arena_new()) ||
      !(m->nodes = bv_arena_alloc(m->arena, nn * sizeof *m->nodes)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    for (size_t i = 0; i < co->n; i++) /* the name a merge gives its rows */
      m->nodes[i].node = co->nodes[i];
    m->nnodes = co->n;
    pthread_mutex_init(&j.lock, NULL);
    rc = bv_cluster_run(co, procs_one, &j, m->arena, m->nodes);
    pthread_mutex_destroy(&j.lock);
    if (!rc)
      rc = j.rc;
  }
  if (!rc && !m->procs && !(m->procs = bv_arena_alloc(m->arena, sizeof *m->procs)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc)
    rc = reorder(&j, co->n);
  if (!rc) {
    /* the snapshot's release and syntax: the first collected node's (in the
       order asked); each row points at its node's name in nodes */
    for (size_t i = 0; i < co->n; i++)
      if (j.done[i]) {
        m->otp_release = j.otp[i];
        m->elixir = j.elixir[i];
        break;
      }
    for (size_t i = 0; i < co->n; i++)
      if (j.done[i] && j.seg_n[i]) {
        /* the runner wrote its own copy of the name: the rows' one is kept */
        size_t at = 0;
        for (size_t k = 0; k < i; k++)
          at += j.done[k] ? j.seg_n[k] : 0;
        m->nodes[i].node = m->procs[at].node;
      }
    rc = bv_snapshot_cluster_label(m);
  }
  free(j.seg_start);
  free(j.seg_n);
  free(j.done);
  free(j.otp);
  free(j.elixir);
  if (rc) {
    bv_snapshot_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
