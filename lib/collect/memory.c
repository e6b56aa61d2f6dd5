/* memory.c: erlang:memory() sampled over time: collection, JSON (the model
 * file), CSV and Vega-Lite, and the model file reader. */
#include "jsonin.h"
#include "procs_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int new_series(bv_memseries **out, size_t n)
{
  bv_memseries *m = calloc(1, sizeof *m);
  if (!m || !(m->arena = bv_arena_new()) ||
      !(m->samples = bv_arena_alloc(m->arena, (n ? n : 1) * sizeof(bv_memsample)))) {
    bv_memseries_free(m);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  *out = m;
  return 0;
}

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
    return bv_error_set(BV_EINVAL, "--samples: at least one sample");
  bv_memseries *m = NULL;
  int rc = new_series(&m, samples);
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
  uint64_t deadline = now_ms() + step;
  while (m->n < samples) {
    uint64_t now = now_ms();
    if (now >= deadline) {
      rc = bv_error_set(BV_ETIMEOUT, "sample %zu of erlang:memory() on %s did not arrive in time",
                        m->n + 1, node);
      goto fail;
    }
    bv_arena_reset(tmp);
    bv_term *msg;
    if ((rc = bv_conn_recv(c, (unsigned)(deadline - now), tmp, &msg))) {
      if (rc == BV_ETIMEOUT)
        rc = bv_error_set(BV_ETIMEOUT, "sample %zu of erlang:memory() on %s did not arrive in time",
                          m->n + 1, node);
      goto fail;
    }
    const bv_term *tag = bv_term_elem(msg, 0), *mref = bv_term_elem(msg, 1);
    if (!mref || mref->rawlen != reflen || memcmp(mref->raw, ref, reflen) != 0)
      continue; /* a message of an earlier command */
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
    deadline = now_ms() + interval_ms + step;
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

/* --- writers ------------------------------------------------------------------ */

int bv_memseries_write_json(const bv_memseries *m, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "{\"format\":\"beamviz.memory\",\"version\":1,\"node\":");
  bv_wr_json(&w, m->node);
  bv_wr_str(&w, ",\"otp_release\":");
  bv_wr_json(&w, m->otp_release);
  bv_wr_str(&w, ",\"interval_ms\":");
  bv_wr_u64(&w, m->interval_ms);
  bv_wr_str(&w, ",\"units\":\"bytes\",\"samples\":[");
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
    bv_wr_str(&w, i ? ",\n{\"iter\":" : "\n{\"iter\":");
    bv_wr_u64(&w, s->iter);
    bv_wr_str(&w, ",\"t_ms\":");
    bv_wr_u64(&w, s->t_ms);
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      bv_wr_str(&w, ",\"");
      bv_wr_str(&w, bv_mem_kinds[k]);
      bv_wr_str(&w, "\":");
      bv_wr_u64(&w, s->bytes[k]);
    }
    bv_wr_str(&w, "}");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  bv_wr_str(&w, "\n]}\n");
  return bv_wr_finish(&w);
}

int bv_memseries_write_csv(const bv_memseries *m, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "iter,t_ms");
  for (int k = 0; k < BV_MEM_NKINDS; k++) {
    bv_wr_str(&w, ",");
    bv_wr_str(&w, bv_mem_kinds[k]);
  }
  bv_wr_str(&w, "\r\n");
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
    bv_wr_u64(&w, s->iter);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, s->t_ms);
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      bv_wr_str(&w, ",");
      bv_wr_u64(&w, s->bytes[k]);
    }
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  return bv_wr_finish(&w);
}

static int is(const char *name, size_t n, const char *want)
{
  return strlen(want) == n && memcmp(name, want, n) == 0;
}

static void mb(bv_buf *b, uint64_t bytes) { bv_buf_double(b, (double)bytes / 1e6); }

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const bv_memseries *m = ud;
  bv_buf *b = &w->b;
  if (is(name, n, "values")) {
    bv_buf_puts(b, "[");
    for (size_t i = 0; i < m->n; i++) {
      const bv_memsample *s = &m->samples[i];
      bv_buf_puts(b, i ? ",\n{\"iter\":" : "\n{\"iter\":");
      bv_wr_u64(w, s->iter);
      bv_buf_puts(b, ",\"t_ms\":");
      bv_wr_u64(w, s->t_ms);
      /* the six charted kinds, in MB as the notebook plots them */
      for (int k = 0; k < 6; k++) {
        bv_buf_printf(b, ",\"%s\":", bv_mem_kinds[k]);
        mb(b, s->bytes[k]);
      }
      bv_buf_puts(b, "}");
      if (bv_wr_maybe_flush(w))
        return;
    }
    bv_buf_puts(b, "\n]");
  } else if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "Memory of %s", m->node ? m->node : "?");
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "erlang:memory(), %zu sample%s every %u ms", m->n, m->n == 1 ? "" : "s",
                  m->interval_ms);
    if (m->otp_release && *m->otp_release)
      bv_buf_printf(&t, ", OTP %s", m->otp_release);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "point")) {
    /* markers while there are few samples: a single sample has no line */
    bv_buf_puts(b, m->n <= 60 ? "true" : "false");
  } else {
    bv_buf_puts(b, "null");
  }
}

int bv_memseries_write_vegalite(const bv_memseries *m, bv_out *out)
{
  const char *tmpl = bv_template("memory.vl.json", NULL);
  if (!tmpl)
    return bv_error_set(BV_EINVAL, "no embedded template memory.vl.json");
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_template(&w, tmpl, vl_fill, (void *)m);
  return bv_wr_finish(&w);
}

/* --- reading the model file ------------------------------------------------------ */

#define MAX_SAMPLES 10000000u

int bv_memseries_from_json(const bv_jdoc *d, bv_memseries **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  const bv_jv *arr = bv_jv_get(root, "samples");
  int rc = bv_jv_arr(d, arr, "samples", MAX_SAMPLES);
  if (rc)
    return rc;
  size_t n = bv_jv_len(arr);
  bv_memseries *m = NULL;
  if ((rc = new_series(&m, n)))
    return rc;
  uint64_t interval = 0;
  if ((rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", m->arena, &m->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), "otp_release", m->arena,
                          &m->otp_release)) ||
      (rc = bv_jv_u64(d, bv_jv_get(root, "interval_ms"), "interval_ms", &interval)))
    goto fail;
  if (interval > UINT32_MAX) {
    rc = bv_jv_fail(d, "interval_ms", "out of range");
    goto fail;
  }
  m->interval_ms = (unsigned)interval;
  char path[96];
  bv_jit it;
  bv_jv_iter(arr, &it);
  for (size_t i = 0; i < n; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_memsample *s = &m->samples[i];
    uint64_t iter = 0;
    snprintf(path, sizeof path, "samples[%zu]", i);
    if ((rc = bv_jv_obj(d, e, path)))
      goto fail;
    snprintf(path, sizeof path, "samples[%zu].iter", i);
    if ((rc = bv_jv_u64(d, bv_jv_get(e, "iter"), path, &iter)))
      goto fail;
    if (iter < 1 || iter > UINT32_MAX) {
      rc = bv_jv_fail(d, path, "out of range (1..4294967295)");
      goto fail;
    }
    s->iter = (uint32_t)iter;
    snprintf(path, sizeof path, "samples[%zu].t_ms", i);
    if (bv_jv_get(e, "t_ms") && (rc = bv_jv_u64(d, bv_jv_get(e, "t_ms"), path, &s->t_ms)))
      goto fail;
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      snprintf(path, sizeof path, "samples[%zu].%s", i, bv_mem_kinds[k]);
      if ((rc = bv_jv_u64(d, bv_jv_get(e, bv_mem_kinds[k]), path, &s->bytes[k])))
        goto fail;
    }
  }
  m->n = n;
  *out = m;
  return 0;
fail:
  bv_memseries_free(m);
  return rc;
}
