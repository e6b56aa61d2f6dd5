/* model/memory.c: the memory series model: its file (written and read back). */
#include "model/model.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* --- reading the model file ------------------------------------------------------ */

#define MAX_SAMPLES 10000000u
#define MAX_NODES 4096u


/* a sample's "node": one of the collected nodes (map: name to index) */
static int read_sample_node(const bv_jdoc *d, const bv_jv *v, const char *path,
                            const bv_intern *map, bv_arena *tmp, uint32_t *out)
{
  const char *name = NULL;
  int rc = bv_jv_str(d, v, path, tmp, &name);
  if (rc)
    return rc;
  const bv_intern_slot *sl = bv_intern_get(map, name, strlen(name));
  if (!sl || sl->num < 0)
    return bv_jv_fail(d, path, "not one of the nodes collected");
  *out = (uint32_t)sl->num;
  return 0;
}

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
  bv_intern nodemap;
  memset(&nodemap, 0, sizeof nodemap);
  bv_arena *tmp = bv_arena_new();
  if (!tmp) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
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
  if ((rc = bv_node_results_read(d, root, m->arena, MAX_NODES, "no node collected",
                                 &m->nodes, &m->nnodes, &nodemap)))
    goto fail;
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
    if (m->nnodes) {
      bv_arena_reset(tmp);
      snprintf(path, sizeof path, "samples[%zu].node", i);
      if ((rc = read_sample_node(d, bv_jv_get(e, "node"), path, &nodemap, tmp, &s->node)))
        goto fail;
    }
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
  bv_intern_dispose(&nodemap);
  bv_arena_free(tmp);
  *out = m;
  return 0;
fail:
  bv_intern_dispose(&nodemap);
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
  if (m->nnodes) {
    /* a cluster: every node asked, collected or failed with its reason */
    bv_wr_str(&w, ",\"nodes\":[");
    for (size_t i = 0; i < m->nnodes; i++) {
      const bv_node_result *r = &m->nodes[i];
      bv_node_result_write(&w, r, i);
      bv_wr_str(&w, "}");
    }
    bv_wr_str(&w, "]");
  }
  bv_wr_str(&w, ",\"units\":\"bytes\",\"samples\":[");
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
    bv_wr_str(&w, i ? ",\n{\"iter\":" : "\n{\"iter\":");
    bv_wr_u64(&w, s->iter);
    if (m->nnodes && s->node < m->nnodes) {
      bv_wr_str(&w, ",\"node\":");
      bv_wr_json(&w, m->nodes[s->node].node);
    }
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

int bv_memseries_select_node(bv_memseries *m, const char *node)
{
  if (!m->nnodes)
    return bv_error_set(BV_EINVAL, "this memory series is of one node (%s), not of a cluster",
                        m->node ? m->node : "?");
  size_t r = m->nnodes;
  for (size_t i = 0; i < m->nnodes && r == m->nnodes; i++)
    if (m->nodes[i].code == BV_OK && strcmp(m->nodes[i].node, node) == 0)
      r = i;
  if (r == m->nnodes) {
    bv_buf b;
    bv_buf_init(&b);
    for (size_t i = 0; i < m->nnodes; i++)
      if (m->nodes[i].code == BV_OK)
        bv_buf_printf(&b, "%s%s", b.len ? ", " : "", m->nodes[i].node);
    int rc = bv_error_set(BV_ENOTFOUND, "node '%s' is not in this memory series (it has: %s)",
                          node, b.data ? b.data : "none");
    bv_buf_dispose(&b);
    return rc;
  }
  size_t k = 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->samples[i].node == r) {
      bv_memsample s = m->samples[i];
      s.node = 0;
      m->samples[k++] = s;
    }
  m->n = k;
  m->node = m->nodes[r].node;
  m->nnodes = 0;
  m->nodes = NULL;
  return 0;
}
