/* mermaid.c: the one escaping rule for Mermaid labels (see MERMAID.md):
 * keep letters, digits, valid UTF-8 (but not the C1 controls) and a small
 * set of safe punctuation; newline -> <br/>; every other byte, and a C1
 * control's code point, -> #<decimal>; */
#include "emit/emit.h"

#include <string.h>

int bv_mmd_escape(bv_buf *b, const char *s, size_t n)
{
  static const char safe[] = " _-./,+=*!?@$%^~'()[]{}";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    size_t l = 0;
    if (c >= 0x80 && (l = bv_utf8_len(s + i, n - i)) != 0 &&
        !(c == 0xC2 && (unsigned char)s[i + 1] < 0xA0)) {
      bv_buf_put(b, s + i, l);
      i += l - 1;
    } else if (c >= 0x80 && l == 2) {
      bv_buf_printf(b, "#%u;", (unsigned char)s[++i]); /* C1 control U+0080-U+009F */
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && c < 0x80 && strchr(safe, c)))
      bv_buf_putc(b, (char)c);
    else if (c == '\n')
      bv_buf_puts(b, "<br/>");
    else
      bv_buf_printf(b, "#%u;", c);
  }
  return b->failed ? BV_ENOMEM : 0;
}
