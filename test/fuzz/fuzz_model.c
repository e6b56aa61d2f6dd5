/* fuzz_model.c: libFuzzer target for bv_model_load_mem, the reader of model JSON files
 * given by the user (`beamviz render FILE.json`). First byte chooses the options:
 *   byte % 5 == 0: the rest is the whole file
 *   byte % 5 == 1..4: the rest follows a valid header for procs, memory, suptree or
 *     seqtrace ('{"format":"beamviz.<kind>","version":1,'), so the fuzzer spends its
 *     time in the per-kind loaders instead of rediscovering the header
 * The contract checked: success gives a model of a known kind; failure is BV_EFORMAT
 * (or BV_ENOMEM) with a message that names the file. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const headers[] = {
    "",
    "{\"format\":\"beamviz.procs\",\"version\":1,",
    "{\"format\":\"beamviz.memory\",\"version\":1,",
    "{\"format\":\"beamviz.suptree\",\"version\":1,",
    "{\"format\":\"beamviz.seqtrace\",\"version\":1,",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const char *hdr = headers[data[0] % 5];
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
