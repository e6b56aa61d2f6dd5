/* memory.c: erlang:memory() sampled over time: collection, JSON (the model
 * file), CSV and Vega-Lite, and the model file reader. */
#include "collect/collect.h"

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
