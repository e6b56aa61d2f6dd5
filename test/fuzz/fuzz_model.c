/* fuzz_model.c: libFuzzer target for bv_model_load_mem, the reader of model JSON files
 * given by the user (`beamviz render FILE.json`). First byte chooses the options:
 *   byte % 6 == 0: the rest is the whole file
 *   byte % 6 == 1..5: the rest follows a valid header for procs, memory, suptree,
 *     seqtrace or cluster_map ('{"format":"beamviz.<kind>","version":1,'), so the fuzzer spends its
 *     time in the per-kind loaders instead of rediscovering the header
 * The contract checked: success gives a model of a known kind; failure is BV_EFORMAT
 * (or BV_ENOMEM) with a message that names the file. A loaded model is then emitted
 * in every format bv_emit_formats lists for its kind, into memory (images only up to
 * 2000 nodes, events or points, to stay fast): each succeeds or fails with a message. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t model_size(const bv_model *m)
{
  switch (m->kind) {
  case BV_MODEL_SNAPSHOT: return m->u.snapshot->n;
  case BV_MODEL_MEMORY: return m->u.memory->n;
  case BV_MODEL_TREE: {
    size_t n = m->u.tree->n; /* a cluster's: every node's tree */
    for (size_t i = 0; i < m->u.tree->ntrees; i++)
      n += m->u.tree->trees[i].n;
    return n;
  }
  case BV_MODEL_TRACE: return m->u.trace->n + m->u.trace->nparts;
  case BV_MODEL_APPS: return m->u.apps->n;
  case BV_MODEL_CLUSTER: return m->u.cluster->n + m->u.cluster->nedges;
  case BV_MODEL_NONE: break;
  }
  return 0;
}

/* Every format of the model's kind, with the defaults. A loaded model must be
 * writable: only running out of memory, or no font for an image, may fail. */
static void emit_all(const bv_model *m)
{
  int small = model_size(m) <= 2000;
  for (const bv_format *f = bv_emit_formats(m->kind); *f != BV_FMT_NONE; f++) {
    int image = *f == BV_FMT_PNG || *f == BV_FMT_SVG || *f == BV_FMT_PDF;
    if (image && !small)
      continue;
    bv_out *out;
    if (bv_out_open_mem(&out))
      abort();
    bv_emit_info info;
    int rc = bv_emit(m, *f, NULL, out, &info);
    size_t len = 0;
    const char *bytes = bv_out_mem(out, &len);
    if (rc == 0 && (!bytes || len == 0))
      abort(); /* every format writes something */
    if (rc != 0 && rc != BV_ENOMEM && !(image && rc == BV_ENOTFOUND))
      abort();
    if (rc != 0 && !*bv_error_last())
      abort();
    bv_out_abort(out);
  }
}

static const char *const headers[] = {
    "",
    "{\"format\":\"beamviz.procs\",\"version\":1,",
    "{\"format\":\"beamviz.memory\",\"version\":1,",
    "{\"format\":\"beamviz.suptree\",\"version\":1,",
    "{\"format\":\"beamviz.seqtrace\",\"version\":1,",
    "{\"format\":\"beamviz.cluster_map\",\"version\":1,",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const char *hdr = headers[data[0] % 6];
  size_t hl = strlen(hdr), n = size - 1;
  char *doc = malloc(hl + n ? hl + n : 1); /* exact size: ASan sees a read past len */
  if (!doc)
    return 0;
  memcpy(doc, hdr, hl);
  memcpy(doc + hl, data + 1, n);
  /* no NUL terminator is passed: the reader must stop at len */
  bv_model m;
  int rc = bv_model_load_mem("fuzz.json", doc, hl + n, &m);
  if (rc == 0) {
    if (m.kind == BV_MODEL_NONE)
      abort();
    emit_all(&m);
    bv_model_dispose(&m);
  } else {
    if (rc != BV_EFORMAT && rc != BV_ENOMEM)
      abort();
    if (rc == BV_EFORMAT && strncmp(bv_error_last(), "fuzz.json", 9) != 0)
      abort();
    if (m.kind != BV_MODEL_NONE)
      abort(); /* nothing half-loaded is handed back */
  }
  free(doc);
  return 0;
}
