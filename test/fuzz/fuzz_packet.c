/* fuzz_packet.c: libFuzzer target for bv_conn_packet, the reader of the
 * distribution header in front of every message from the node. The input is one
 * packet (the bytes after its 4-byte length). The reader's contract is checked:
 * a message starts within the packet with the version byte 131, a failure is
 * BV_ETERM naming the node; the message is then decoded as beamviz does. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "node/conn_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* a copy of exactly size bytes: a read past the end is an ASan report */
  unsigned char *p = malloc(size ? size : 1);
  if (!p)
    return 0;
  memcpy(p, data, size);
  size_t off = 0;
  int rc = bv_conn_packet("n@h", p, size, &off);
  if (rc == 1) {
    if (off >= size || p[off] != 131)
      abort();
    bv_arena *a = bv_arena_new();
    bv_term *t = NULL;
    size_t at = 0;
    if (a)
      (void)bv_term_decode(a, p + off, size - off, &at, &t);
    bv_arena_free(a);
  } else if (rc != 0) {
    if (rc != BV_ETERM || !strstr(bv_error_last(), "n@h"))
      abort();
  }
  free(p);
  return 0;
}
