/* fuzz_term.c: libFuzzer target for bv_term_decode, the one reader of bytes from the node.
 * First byte chooses the options, the rest is the input:
 *   bit 0: decode a sequence of terms until the end (else one term)
 *   bit 1: pass the local node name "n@h" to the printers (else NULL)
 *   bits 2-6: byte cap for bv_term_format and its Elixir mode (0 = no cap), times 4
 *   bit 7: decode with a tight budget, 16 bytes per input byte (else the default)
 * Every decoded term is walked with the accessors and printed, and the reader's
 * contract is checked: on success the offset advanced within the input; on failure the
 * message names a byte offset within the input; either way the decode allocated no more
 * than its budget. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const bv_term *t, int depth)
{
  if (!t || depth > 600)
    return;
  (void)bv_term_text(t);
  (void)bv_term_int(t, -1);
  (void)bv_term_u64(t, 0);
  (void)bv_term_get(t, "a");
  (void)bv_term_is_atom(t, "ok");
  if (t->raw == NULL || t->rawlen == 0)
    abort(); /* every decoded term records its bytes */
  switch (t->type) {
  case BV_T_TUPLE:
  case BV_T_LIST:
    for (uint32_t i = 0; i < t->n; i++)
      walk(bv_term_elem(t, i), depth + 1);
    walk(t->tail, depth + 1);
    break;
  case BV_T_MAP:
    for (uint32_t i = 0; i < 2 * t->n; i++)
      walk(&t->v.items[i], depth + 1);
    break;
  case BV_T_ATOM:
  case BV_T_STRING:
  case BV_T_BINARY:
    if (t->v.s[t->n] != 0)
      abort(); /* text is NUL-terminated at .n */
    break;
  default: break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned opt = data[0];
  const unsigned char *buf = data + 1;
  size_t len = size - 1;
  const char *local = (opt & 2) ? "n@h" : NULL;
  size_t cap = (size_t)((opt >> 2) & 31) * 4;
  size_t budget = (opt & 128) ? 16 * len + 16 : 0;
  bv_arena *a = bv_arena_new();
  if (!a)
    return 0;
  size_t off = 0;
  do {
    bv_term *t = NULL;
    size_t before = off, used = bv_arena_used(a);
    int rc = bv_term_decode_max(a, buf, len, &off, budget, &t);
    if (bv_arena_used(a) - used > (budget ? budget : BV_TERM_BUDGET_DEFAULT))
      abort(); /* allocated past its budget */
    if (rc) {
      const char *m = bv_error_last();
      if (rc != BV_ETERM && rc != BV_ENOMEM)
        abort();
      if (rc == BV_ETERM && !strstr(m, "at byte "))
        abort();
      if (off != before)
        abort(); /* a failed decode leaves the offset alone */
      break;
    }
    if (!t || off <= before || off > len)
      abort();
    walk(t, 0);
    bv_buf b;
    bv_buf_init(&b);
    bv_term_format(&b, t, local, cap);
    if (!b.failed && cap && b.len > cap + 3)
      abort(); /* the cap holds, plus "..." */
    /* the Elixir mode of the same printer holds the same cap */
    b.len = 0;
    bv_term_format_lang(&b, t, local, cap, 1);
    if (!b.failed && cap && b.len > cap + 3)
      abort();
    if (t->type == BV_T_PID || t->type == BV_T_PORT)
      bv_term_pid_str(&b, t, local);
    bv_buf_dispose(&b);
  } while ((opt & 1) && off < len);
  bv_arena_free(a);
  return 0;
}
