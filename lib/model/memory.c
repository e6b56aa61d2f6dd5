/* model/memory.c: the memory series model: its file (written and read back). */
#include "model/model.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

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
  if ((rc = bv_memseries_new(&m, n)))
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

int bv_memseries_new(bv_memseries **out, size_t n)
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
