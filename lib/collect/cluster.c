/* cluster.c: whole clusters. The runner connects to each node of a list
 * directly and runs one job per node, at most `parallel` at once, each in a
 * thread of its own with its own connection (its own ei_cnode; errors are
 * per thread); the procs job takes each node's rows over as they come into
 * one cluster snapshot with a node per row. */
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
    /* no reason left over from the node before on this thread */
    bv_error_set(BV_OK, "%s", "");
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
  for (size_t i = 0; i <= k; i++) {
    const bv_term *t = i ? &l->v.items[i - 1] : self;
    const char *at = t->type == BV_T_ATOM ? strchr(t->v.s, '@') : NULL;
    /* NAME@HOST, as --nodes takes them */
    if (!at || at == t->v.s || !at[1] || strchr(at + 1, '@'))
      return bv_error_set(BV_ETERM, "cluster: %s names a node that is not NAME@HOST",
                          bv_conn_node(c));
    if (i)
      len += strlen(t->v.s) + 1;
  }
  const char **v = malloc((k + 1) * sizeof *v + len);
  if (!v)
    return bv_error_set(BV_ENOMEM, "out of memory");
  char *d = (char *)(v + k + 1);
  bv_intern seen; /* each node once, whatever the node says */
  if (bv_intern_init(&seen)) {
    free(v);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  size_t m = 0;
  for (size_t i = 0; i <= k; i++) {
    const char *t = i ? l->v.items[i - 1].v.s : self->v.s;
    size_t tl = strlen(t) + 1;
    int fresh = 0;
    if (!bv_intern_lookup(&seen, t, tl - 1, &fresh)) {
      bv_intern_dispose(&seen);
      free(v);
      return bv_error_set(BV_ENOMEM, "out of memory");
    }
    if (!fresh)
      continue;
    memcpy(d, t, tl);
    v[m++] = d;
    d += tl;
  }
  bv_intern_dispose(&seen);
  *names = v;
  *n = m;
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

/* Each node's rows are merged as they come (the collector hands each run
 * of rows over and keeps none: bv_procs_opts.handoff): appended to the
 * cluster's under the lock, as one segment of that node. Memory holds the
 * cluster's rows, the strings and one chunk per node being collected. At the
 * end the rows are put in the order the nodes were asked, and a node that
 * failed part way loses the rows it had sent. */
typedef bv_rows_seg seg;

typedef struct procs_job procs_job;
typedef struct node_ud {
  procs_job *j;
  size_t i;
} node_ud;

struct procs_job {
  const bv_procs_opts *o;
  pthread_mutex_t lock;
  bv_snapshot *m;       /* rows in the order they came */
  size_t cap;           /* rows m->procs has room for */
  seg *segs;
  size_t nsegs, segcap;
  size_t *rows;         /* per node asked: rows sent so far */
  const char **name;    /* per node: the name its rows point at (in m's arena) */
  int *done;            /* per node: collected whole */
  const char **otp;     /* per node: its release and syntax */
  int *elixir;
  node_ud *uds;
};

static int node_rows(void *ud, const bv_snapshot *s, const bv_proc *rows, size_t n)
{
  node_ud *u = ud;
  procs_job *j = u->j;
  bv_snapshot *m = j->m;
  int rc = 0;
  (void)s;
  pthread_mutex_lock(&j->lock);
  if (m->n + n > j->cap) {
    size_t ncap = m->n + n, grow = j->cap + j->cap / 2;
    if (ncap < grow)
      ncap = grow;
    bv_proc *np = bv_arena_realloc(m->arena, m->procs, j->cap * sizeof *np, ncap * sizeof *np);
    if (!np) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto out;
    }
    m->procs = np;
    j->cap = ncap;
  }
  if (j->nsegs == j->segcap) {
    size_t nc = j->segcap ? j->segcap * 2 : 64;
    seg *ns = realloc(j->segs, nc * sizeof *ns);
    if (!ns) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto out;
    }
    j->segs = ns;
    j->segcap = nc;
  }
  if (!j->name[u->i] && !(j->name[u->i] = bv_arena_strdup(m->arena, m->nodes[u->i].node))) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto out;
  }
  /* the texts the rows point at live in the node's snapshot arena, which the
     cluster's adopts when the node is done (or frees with its rows' segment
     when it fails) */
  memcpy(m->procs + m->n, rows, n * sizeof *rows);
  for (size_t k = 0; k < n; k++)
    m->procs[m->n + k].node = j->name[u->i];
  j->segs[j->nsegs++] = (seg){u->i, m->n, j->rows[u->i], n};
  j->rows[u->i] += n;
  m->n += n;
out:
  pthread_mutex_unlock(&j->lock);
  return rc;
}

static int procs_one(bv_conn *c, size_t i, void *ud)
{
  procs_job *j = ud;
  bv_procs_opts o = *j->o;
  j->uds[i] = (node_ud){j, i};
  o.on_rows = node_rows;
  o.ud = &j->uds[i];
  o.handoff = 1;
  bv_snapshot *s = NULL;
  int rc = bv_procs_collect(c, &o, &s);
  pthread_mutex_lock(&j->lock);
  if (!rc) {
    bv_snapshot *m = j->m;
    bv_node_result *r = &m->nodes[i];
    r->total = s->total;
    r->skipped = s->skipped;
    r->window_measured_ms = s->window_measured_ms;
    m->total += s->total;
    m->skipped += s->skipped;
    m->born += s->born;
    m->gone += s->gone;
    j->otp[i] = s->otp_release;
    j->elixir[i] = s->elixir;
    if (!m->window_ms || i == 0) {
      m->window_ms = s->window_ms;
      m->window_measured_ms = s->window_measured_ms;
    }
    j->done[i] = 1;
    /* the rows' texts (and the chunk buffer, small) stay with the cluster */
    bv_arena_release(s->arena, s->procs);
    s->procs = NULL;
    bv_arena_adopt(m->arena, s->arena);
    s->arena = NULL;
  }
  /* a failed node's rows point at texts freed with its snapshot: bv_rows_regroup
     moves them last, reading none of them, and cuts them */
  pthread_mutex_unlock(&j->lock);
  bv_snapshot_free(s);
  return rc;
}

/* The segment holding row cur (segments are in row order). */
static const seg *seg_of(const seg *segs, size_t nsegs, size_t cur)
{
  size_t lo = 0, hi = nsegs;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (segs[mid].start <= cur)
      lo = mid;
    else
      hi = mid;
  }
  return &segs[lo];
}

int bv_rows_regroup(bv_proc *rows, size_t n, const bv_rows_seg *segs, size_t nsegs,
                    const size_t *node_rows, const int *done, size_t nn, size_t *kept)
{
  size_t *dst = calloc(nn ? nn : 1, sizeof *dst);
  unsigned char *seen = calloc(n / 8 + 1, 1);
  if (!dst || !seen) {
    free(dst);
    free(seen);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  /* the nodes collected in their order, then the failed ones */
  size_t at = 0, keep = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < nn; i++)
      if ((done[i] == 0) == (pass == 1)) {
        dst[i] = at;
        at += node_rows[i];
        keep += pass ? 0 : node_rows[i];
      }
  for (size_t start = 0; start < n; start++) {
    if (seen[start / 8] & (1u << (start % 8)))
      continue;
    bv_proc carry = rows[start];
    size_t cur = start;
    do {
      const seg *g = seg_of(segs, nsegs, cur);
      size_t d = dst[g->node] + g->off + (cur - g->start);
      bv_proc t = rows[d];
      rows[d] = carry;
      carry = t;
      seen[d / 8] |= (unsigned char)(1u << (d % 8));
      cur = d;
    } while (cur != start);
  }
  *kept = keep;
  free(dst);
  free(seen);
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
  j.rows = calloc(nn, sizeof *j.rows);
  j.name = calloc(nn, sizeof *j.name);
  j.done = calloc(nn, sizeof *j.done);
  j.otp = calloc(nn, sizeof *j.otp);
  j.elixir = calloc(nn, sizeof *j.elixir);
  j.uds = calloc(nn, sizeof *j.uds);
  int rc = 0;
  if (!m || !j.rows || !j.name || !j.done || !j.otp || !j.elixir || !j.uds ||
      !(m->arena = bv_arena_new()) ||
      !(m->nodes = bv_arena_alloc(m->arena, nn * sizeof *m->nodes)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    for (size_t i = 0; i < co->n; i++) /* the name node_rows copies for its rows */
      m->nodes[i].node = co->nodes[i];
    m->nnodes = co->n;
    pthread_mutex_init(&j.lock, NULL);
    rc = bv_cluster_run(co, procs_one, &j, m->arena, m->nodes);
    pthread_mutex_destroy(&j.lock);
    /* beamviz's own failure on a node (out of memory) is the run's */
    for (size_t i = 0; i < co->n && !rc; i++)
      if (m->nodes[i].code == BV_ENOMEM)
        rc = bv_error_set(BV_ENOMEM, "%s", m->nodes[i].reason);
  }
  if (!rc && !m->procs && !(m->procs = bv_arena_alloc(m->arena, sizeof *m->procs)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc)
    rc = bv_rows_regroup(m->procs, m->n, j.segs, j.nsegs, j.rows, j.done, co->n, &m->n);
  if (!rc) {
    /* the snapshot's release and syntax: the first collected node's (in the
       order asked); each node's name is the one its rows point at */
    for (size_t i = 0; i < co->n; i++)
      if (j.done[i]) {
        m->otp_release = j.otp[i];
        m->elixir = j.elixir[i];
        break;
      }
    for (size_t i = 0; i < co->n; i++)
      if (j.name[i])
        m->nodes[i].node = j.name[i];
    rc = bv_snapshot_cluster_label(m);
  }
  free(j.segs);
  free(j.rows);
  free(j.name);
  free(j.done);
  free(j.otp);
  free(j.elixir);
  free(j.uds);
  if (rc) {
    bv_snapshot_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
