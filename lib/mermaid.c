/* mermaid.c: the one escaping rule for Mermaid labels (see MERMAID.md):
 * keep letters, digits, UTF-8 bytes >= 0x80 and a small set of safe
 * punctuation; newline -> <br/>; every other byte -> #<decimal>; */
#include "beamviz.h"

#include <string.h>

int bv_mmd_escape(bv_buf *b, const char *s, size_t n)
{
  static const char safe[] = " _-./,+=*!?@$%^~'()[]{}";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        c >= 0x80 || (c && strchr(safe, c)))
      bv_buf_putc(b, (char)c);
    else if (c == '\n')
      bv_buf_puts(b, "<br/>");
    else
      bv_buf_printf(b, "#%u;", c);
  }
  return b->failed ? BV_ENOMEM : 0;
}
