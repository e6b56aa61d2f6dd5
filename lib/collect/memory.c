/* memory.c: erlang:memory() sampled over time: collection, JSON (the model
 * file), CSV and Vega-Lite, and the model file reader. */
#include "collect/collect.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>


/* {bv_mem, Ref, I, Ms, [{Kind, Bytes}]} into sample */
static int take_sample(const bv_term *msg, bv_memsample *s, const char *node)
{
  const bv_term *kinds = bv_term_elem(msg, 4);
  int64_t iter = bv_term_int(bv_term_elem(msg, 2), -1);
  int64_t ms = bv_term_int(bv_term_elem(msg, 3), -1);
  if (iter < 1 || iter > UINT32_MAX || ms < 0 || !kinds || kinds->type != BV_T_LIST)
    return bv_error_set(BV_ETERM, "unexpected memory sample from node %s", node);
  s->iter = (uint32_t)iter;
  s->t_ms = (uint64_t)ms;
  for (int k = 0; k < BV_MEM_NKINDS; k++) {
    const bv_term *v = bv_term_get(kinds, bv_mem_kinds[k]);
    if (!v || (v->type != BV_T_INT && v->type != BV_T_BIG))
      return bv_error_set(BV_ETERM, "memory sample from node %s has no '%s'", node,
                          bv_mem_kinds[k]);
    s->bytes[k] = bv_term_u64(v, 0);
  }
  return 0;
}

int bv_memory_collect(bv_conn *c, unsigned samples, unsigned interval_ms,
                      bv_memory_progress_fn progress, void *ud, bv_memseries **out)
{
  *out = NULL;
  const char *node = bv_conn_node(c);
  if (samples < 1)
    return bv_error_set(BV_EINVAL, "at least one sample is needed");
  bv_memseries *m = NULL;
  int rc = bv_memseries_new(&m, samples);
  if (rc)
    return rc;
  m->node = bv_arena_strdup(m->arena, node);
  m->otp_release = bv_arena_strdup(m->arena, bv_conn_otp_release(c));
  m->interval_ms = interval_ms;
  bv_arena *tmp = bv_arena_new();
  unsigned char *ref = NULL;
  size_t reflen = 0;
  if (!tmp || !m->node || !m->otp_release) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  bv_binding b[] = {
      {"Self", BV_B_SELF, 0, NULL, 0},
      {"Samples", BV_B_INT, (int64_t)samples, NULL, 0},
      {"Interval", BV_B_INT, (int64_t)interval_ms, NULL, 0},
  };
  bv_term *res;
  if ((rc = bv_conn_eval(c, "memory.erl", b, sizeof b / sizeof *b, 0, tmp, &res)))
    goto fail;
  if (!res || res->type != BV_T_REF) {
    rc = bv_error_set(BV_ETERM, "unexpected reply to the memory request from node %s", node);
    goto fail;
  }
  reflen = res->rawlen;
  if (!(ref = malloc(reflen ? reflen : 1))) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  memcpy(ref, res->raw, reflen);
  /* each sample is due one interval after the previous one */
  unsigned step = bv_conn_timeout(c);
  uint64_t deadline = bv_now_ms() + step;
  while (m->n < samples) {
    bv_term *msg;
    bv_term k = {.raw = ref, .rawlen = reflen};
    if ((rc = bv_conn_await(c, deadline, tmp, bv_await_ref, &k, &msg))) {
      if (rc == BV_ETIMEOUT)
        rc = bv_error_set(BV_ETIMEOUT, "sample %zu of erlang:memory() on %s did not arrive in time",
                          m->n + 1, node);
      goto fail;
    }
    const bv_term *tag = bv_term_elem(msg, 0);
    if (bv_term_is_atom(tag, "bv_mem_done")) {
      bv_buf why;
      bv_buf_init(&why);
      bv_term_format(&why, bv_term_elem(msg, 2), node, 300);
      rc = bv_error_set(BV_EREMOTE, "sampling memory on %s stopped after %zu of %u samples: %s",
                        node, m->n, samples, why.data ? why.data : "?");
      bv_buf_dispose(&why);
      goto fail;
    }
    if (!bv_term_is_atom(tag, "bv_mem") || msg->n != 5) {
      rc = bv_error_set(BV_ETERM, "unexpected message from node %s while sampling memory", node);
      goto fail;
    }
    if ((rc = take_sample(msg, &m->samples[m->n], node)))
      goto fail;
    m->n++;
    if (progress)
      progress(ud, m->n, samples, &m->samples[m->n - 1]);
    deadline = bv_now_ms() + interval_ms + step;
  }
  free(ref);
  bv_arena_free(tmp);
  *out = m;
  return 0;
fail:
  free(ref);
  bv_arena_free(tmp);
  bv_memseries_free(m);
  return rc;
}

/* --- every node of a cluster at once ---------------------------------------- */

typedef struct mem_job {
  unsigned samples, interval_ms;
  bv_memory_progress_fn progress;
  void *ud;
  pthread_mutex_t lock;
  size_t done, all;  /* samples received over every node, of samples * nodes */
  bv_memseries **per; /* each node's series (NULL when it failed) */
} mem_job;

static void mem_progress(void *ud, size_t i, size_t n, const bv_memsample *last)
{
  (void)i, (void)n;
  mem_job *j = ud;
  pthread_mutex_lock(&j->lock);
  j->done++;
  if (j->progress)
    j->progress(j->ud, j->done, j->all, last);
  pthread_mutex_unlock(&j->lock);
}

static int mem_one(bv_conn *c, size_t i, void *ud)
{
  mem_job *j = ud;
  return bv_memory_collect(c, j->samples, j->interval_ms, mem_progress, j, &j->per[i]);
}

int bv_memory_collect_cluster(const bv_cluster_opts *co, unsigned samples, unsigned interval_ms,
                              bv_memory_progress_fn progress, void *ud, bv_memseries **out)
{
  *out = NULL;
  if (samples < 1)
    return bv_error_set(BV_EINVAL, "at least one sample is needed");
  size_t nn = co->n ? co->n : 1;
  mem_job j;
  memset(&j, 0, sizeof j);
  j.samples = samples;
  j.interval_ms = interval_ms;
  j.progress = progress;
  j.ud = ud;
  j.all = (size_t)samples * co->n;
  j.per = calloc(nn, sizeof *j.per);
  bv_memseries *m = NULL;
  int rc = j.per ? bv_memseries_new(&m, 1) : bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc && !(m->nodes = bv_arena_alloc(m->arena, nn * sizeof *m->nodes)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    memset(m->nodes, 0, nn * sizeof *m->nodes);
    m->nnodes = co->n;
    m->interval_ms = interval_ms;
    pthread_mutex_init(&j.lock, NULL);
    rc = bv_cluster_run(co, mem_one, &j, m->arena, m->nodes);
    pthread_mutex_destroy(&j.lock);
    for (size_t i = 0; i < co->n && !rc; i++)
      if (m->nodes[i].code == BV_ENOMEM)
        rc = bv_error_set(BV_ENOMEM, "%s", m->nodes[i].reason);
  }
  size_t total = 0;
  for (size_t i = 0; i < co->n && !rc; i++)
    if (j.per[i])
      total += j.per[i]->n;
  if (!rc && total && !(m->samples = bv_arena_alloc(m->arena, total * sizeof *m->samples)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  for (size_t i = 0; i < co->n && !rc; i++) {
    bv_memseries *p = j.per[i];
    if (!p)
      continue;
    /* the name the node gave (as asked, unless it answered by another) */
    const char *name = bv_arena_strdup(m->arena, p->node);
    if (!name) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      break;
    }
    m->nodes[i].node = name;
    if (!m->otp_release && p->otp_release &&
        !(m->otp_release = bv_arena_strdup(m->arena, p->otp_release)))
      rc = bv_error_set(BV_ENOMEM, "out of memory");
    for (size_t k = 0; k < p->n; k++) {
      m->samples[m->n] = p->samples[k];
      m->samples[m->n++].node = (uint32_t)i;
    }
  }
  if (!rc && !(m->node = bv_nodes_label(m->arena, co->n)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  for (size_t i = 0; i < co->n && j.per; i++)
    bv_memseries_free(j.per[i]);
  free(j.per);
  if (rc) {
    bv_memseries_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
