/* buf.c: growable byte buffer with a cap, JSON string and number writers. */
#include "util/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void bv_buf_init(bv_buf *b) { memset(b, 0, sizeof *b); }

void bv_buf_dispose(bv_buf *b)
{
  if (!b)
    return;
  free(b->data);
  memset(b, 0, sizeof *b);
}

static int grow(bv_buf *b, size_t extra)
{
  if (b->failed)
    return BV_ENOMEM;
  size_t need = b->len + extra + 1;
  if (need < b->len || (b->limit && need > b->limit + 1)) {
    b->failed = 1;
    return bv_error_set(BV_ENOMEM, "buffer limit of %zu bytes reached", b->limit);
  }
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap = cap * 2 > cap ? cap * 2 : need;
  char *p = realloc(b->data, cap);
  if (!p) {
    b->failed = 1;
    return bv_error_set(BV_ENOMEM, "out of memory (buffer of %zu bytes)", cap);
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

int bv_buf_put(bv_buf *b, const void *p, size_t n)
{
  int rc = grow(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

int bv_buf_puts(bv_buf *b, const char *s) { return bv_buf_put(b, s, strlen(s)); }

int bv_buf_putc(bv_buf *b, char c) { return bv_buf_put(b, &c, 1); }

int bv_buf_printf(bv_buf *b, const char *fmt, ...)
{
  char small[256];
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  int rc;
  if (n < 0) {
    rc = bv_error_set(BV_EINVAL, "bad format");
  } else if ((size_t)n < sizeof small) {
    rc = bv_buf_put(b, small, (size_t)n);
  } else if (!(rc = grow(b, (size_t)n))) {
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
  return rc;
}

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
  unsigned c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

size_t bv_utf8_len(const char *s, size_t n)
{
  return n ? utf8_len((const unsigned char *)s, n) : 0;
}

/* One step of the text cleaner at s (n > 0 bytes left): returns how many bytes
 * the character there takes, and leaves esc empty if they are kept as they are,
 * else writes the visible escape that replaces them. C0 controls and DEL are
 * \n \r \t or \xHH, C1 controls (U+0080-U+009F) \u00HH, and every byte that
 * is not part of valid UTF-8 \xHH. A backslash is kept: cleaning is
 * idempotent, and the JSON outputs are the exact form. */
static size_t text_char(const unsigned char *s, size_t n, char esc[8])
{
  static const char hex[] = "0123456789abcdef";
  unsigned c = s[0];
  size_t l = 1;
  esc[0] = 0;
  if (c >= 0x20 && c < 0x7f)
    return 1;
  if (c == '\n' || c == '\r' || c == '\t') {
    esc[0] = '\\', esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't', esc[2] = 0;
    return 1;
  }
  if (c >= 0x80 && (l = utf8_len(s, n)) != 0) {
    if (l != 2 || c != 0xC2 || s[1] >= 0xA0)
      return l;
    c = s[1]; /* U+0080-U+009F */
    esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0';
    esc[4] = hex[c >> 4], esc[5] = hex[c & 15], esc[6] = 0;
    return 2;
  }
  esc[0] = '\\', esc[1] = 'x', esc[2] = hex[c >> 4], esc[3] = hex[c & 15], esc[4] = 0;
  return 1;
}

int bv_buf_text(bv_buf *b, const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t run = 0; /* start of a run of bytes copied as they are */
  for (size_t i = 0; i < n;) {
    char esc[8];
    size_t l = text_char(s + i, n - i, esc);
    if (esc[0]) {
      bv_buf_put(b, s + run, i - run);
      bv_buf_puts(b, esc);
      run = i + l;
    }
    i += l;
  }
  bv_buf_put(b, s + run, n - run);
  return b->failed ? BV_ENOMEM : 0;
}

size_t bv_text_clean(char *dst, size_t cap, const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t o = 0;
  if (!cap)
    return 0;
  for (size_t i = 0; i < n;) {
    char esc[8];
    size_t l = text_char(s + i, n - i, esc);
    const char *p = esc[0] ? esc : str + i;
    size_t k = esc[0] ? strlen(esc) : l;
    if (o + k >= cap)
      break; /* a whole character or escape, or none */
    memcpy(dst + o, p, k);
    o += k;
    i += l;
  }
  dst[o] = 0;
  return o;
}

int bv_buf_json_str(bv_buf *b, const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *)str;
  static const char hex[] = "0123456789abcdef";
  if (grow(b, n + 2))
    return BV_ENOMEM;
  bv_buf_putc(b, '"');
  size_t run = 0; /* start of a run of bytes copied as they are */
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    const char *esc = NULL;
    char u[7];
    size_t l = 1;
    if (c == '"')
      esc = "\\\"";
    else if (c == '\\')
      esc = "\\\\";
    else if (c == '\n')
      esc = "\\n";
    else if (c == '\r')
      esc = "\\r";
    else if (c == '\t')
      esc = "\\t";
    else if (c < 0x20 || c == 0x7f) {
      u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = hex[c >> 4], u[5] = hex[c & 15];
      u[6] = 0;
      esc = u;
    } else if (c >= 0x80) {
      l = utf8_len(s + i, n - i);
      if (!l) {
        esc = "\xEF\xBF\xBD";
        l = 1;
      } else if (l == 2 && c == 0xC2 && s[i + 1] < 0xA0) {
        /* C1 control: valid JSON raw, but a terminal showing the file obeys it */
        u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
        u[4] = hex[s[i + 1] >> 4], u[5] = hex[s[i + 1] & 15], u[6] = 0;
        esc = u;
      }
    }
    if (esc) {
      bv_buf_put(b, s + run, i - run);
      bv_buf_puts(b, esc);
      i += l;
      run = i;
    } else {
      i += l;
    }
  }
  bv_buf_put(b, s + run, n - run);
  return bv_buf_putc(b, '"');
}

int bv_buf_u64(bv_buf *b, uint64_t v)
{
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
  return bv_buf_put(b, tmp, (size_t)n);
}

int bv_buf_double(bv_buf *b, double v)
{
  char tmp[40];
  if (!isfinite(v))
    return bv_buf_puts(b, "null");
  if (fabs(v) < 1e15 && v == (double)(int64_t)v) { /* range first: the cast is UB */
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, (int64_t)v);
    return bv_buf_put(b, tmp, (size_t)n);
  }
  /* shortest representation that reads back the same: try growing precision.
     snprintf with %g is locale-dependent only in the decimal point, which the
     C locale (never changed by beamviz) fixes as '.'. */
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (strtod(tmp, NULL) == v)
      break;
  }
  return bv_buf_puts(b, tmp);
}
