/* fuzz_text.c: libFuzzer target for the writers of untrusted text: bv_buf_text and
 * bv_text_clean (tables, CSV cells, error lines), bv_error_set, bv_mmd_escape (Mermaid)
 * and bv_buf_json_str (JSON). The input is the text, any bytes.
 * The contract checked: no writer lets a control character (C0 but the ones JSON and
 * Mermaid encode, DEL, C1) or a byte that is not UTF-8 through; cleaning is
 * idempotent; bv_text_clean is bv_buf_text cut at a whole escape or character; an
 * error message is one clean line. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8 without C0 controls, DEL or C1 controls. */
static int clean(const char *s, size_t n)
{
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f)
        return 0;
      i++;
      continue;
    }
    size_t l = bv_utf8_len(s + i, n - i);
    if (!l || (c == 0xC2 && (unsigned char)s[i + 1] < 0xA0))
      return 0;
    i += l;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  bv_buf b, again;
  bv_buf_init(&b);
  bv_buf_init(&again);
  if (bv_buf_text(&b, s, size) || !clean(b.data ? b.data : "", b.len))
    abort();
  if (bv_buf_text(&again, b.data ? b.data : "", b.len) || again.len != b.len ||
      (b.len && memcmp(again.data, b.data, b.len) != 0))
    abort(); /* idempotent */
  char small[64];
  size_t k = bv_text_clean(small, sizeof small, s, size);
  if (k >= sizeof small || small[k] != 0 || k > b.len || (k && memcmp(small, b.data, k) != 0) ||
      (k < b.len && k + 10 < sizeof small - 1))
    abort(); /* a prefix, cut only when the next escape or character does not fit */

  /* error lines: the text as an argument, and cut by the message's size */
  bv_error_set(BV_EINVAL, "x %.*s y", (int)(size > 4096 ? 4096 : size), s);
  const char *m = bv_error_last();
  if (strncmp(m, "x ", 2) != 0 || !clean(m, strlen(m)))
    abort();

  /* Mermaid: nothing raw but printable ASCII and clean UTF-8 */
  b.len = 0;
  if (bv_mmd_escape(&b, s, size) || !clean(b.data ? b.data : "", b.len))
    abort();
  /* JSON: the same (control characters are \-escapes) */
  b.len = 0;
  if (bv_buf_json_str(&b, s, size) || !clean(b.data ? b.data : "", b.len))
    abort();
  bv_buf_dispose(&b);
  bv_buf_dispose(&again);
  return 0;
}
