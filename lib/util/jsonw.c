/* util/jsonw.c: the streaming writer: a buffer flushed to a bv_out every
 * 64 KiB, with JSON and CSV text and templates with @name@ holes. */
#include "util/util.h"

#include <string.h>

/* --- streaming writer ------------------------------------------------------- */

#define WR_FLUSH (64 * 1024)

void bv_wr_init(bv_wr *w, bv_out *out)
{
  w->out = out;
  w->rc = 0;
  bv_buf_init(&w->b);
}

int bv_wr_maybe_flush(bv_wr *w)
{
  if (w->rc == 0 && w->b.failed)
    w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
  if (w->rc == 0 && w->b.len >= WR_FLUSH) {
    w->rc = bv_out_write(w->out, w->b.data, w->b.len);
    w->b.len = 0;
  }
  return w->rc;
}

int bv_wr_finish(bv_wr *w)
{
  if (w->rc == 0 && w->b.failed)
    w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
  if (w->rc == 0 && w->b.len)
    w->rc = bv_out_write(w->out, w->b.data, w->b.len);
  bv_buf_dispose(&w->b);
  return w->rc;
}

/* Makes room for n more bytes so the appends below are plain copies. */
int bv_wr_reserve(bv_buf *b, size_t n)
{
  static const char zeros[256];
  if (b->failed)
    return BV_ENOMEM;
  if (b->cap > b->len + n)
    return 0;
  size_t len = b->len;
  while (b->len < len + n && !b->failed)
    bv_buf_put(b, zeros, len + n - b->len < sizeof zeros ? len + n - b->len : sizeof zeros);
  b->len = len;
  if (b->data)
    b->data[len] = 0;
  return b->failed ? BV_ENOMEM : 0;
}

void bv_wr_u64(bv_wr *w, uint64_t v)
{
  char tmp[24];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (bv_wr_reserve(&w->b, sizeof tmp - i))
    return;
  memcpy(w->b.data + w->b.len, tmp + i, sizeof tmp - i);
  w->b.len += sizeof tmp - i;
  w->b.data[w->b.len] = 0;
}

void bv_wr_i64(bv_wr *w, int64_t v)
{
  if (v < 0) {
    bv_wr_str(w, "-");
    bv_wr_u64(w, 0 - (uint64_t)v);
  } else {
    bv_wr_u64(w, (uint64_t)v);
  }
}

void bv_wr_bool(bv_wr *w, int v) { bv_wr_str(w, v ? "true" : "false"); }

void bv_wr_str(bv_wr *w, const char *s)
{
  size_t n = strlen(s);
  if (bv_wr_reserve(&w->b, n))
    return;
  memcpy(w->b.data + w->b.len, s, n);
  w->b.len += n;
  w->b.data[w->b.len] = 0;
}

void bv_wr_json(bv_wr *w, const char *s)
{
  if (!s) {
    bv_wr_str(w, "null");
    return;
  }
  /* Most strings (pids, statuses, M:F/A) need no escaping: copy them. */
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
    if (*p < 0x20 || *p == '"' || *p == '\\' || *p >= 0x7f) {
      bv_buf_json_str(&w->b, s, strlen(s));
      return;
    }
  if (bv_wr_reserve(&w->b, n + 2))
    return;
  char *d = w->b.data + w->b.len;
  d[0] = '"';
  memcpy(d + 1, s, n);
  d[n + 1] = '"';
  w->b.len += n + 2;
  w->b.data[w->b.len] = 0;
}

void bv_wr_kv(bv_wr *w, const char *key, const char *s)
{
  bv_wr_str(w, ",\"");
  bv_wr_str(w, key);
  bv_wr_str(w, "\":");
  bv_wr_json(w, s);
}

/* A text cell. CSV files are read on terminals and opened in spreadsheets:
 * control characters become visible escapes (bv_buf_text; CR, LF and TAB
 * too), and a cell that starts with = + - @ gets a ' in front so that no
 * spreadsheet runs it as a formula (OWASP's advice). Numbers never come here. */
void bv_wr_csv(bv_wr *w, const char *s)
{
  if (!s)
    return;
  const unsigned char *p = (const unsigned char *)s;
  int formula = *p && strchr("=+-@", *p) != NULL, plain = !formula;
  size_t n = 0;
  for (; p[n]; n++)
    if (p[n] < 0x20 || p[n] >= 0x7f || p[n] == ',' || p[n] == '"')
      plain = 0;
  if (plain) {
    bv_buf_put(&w->b, s, n);
    return;
  }
  bv_buf t;
  bv_buf_init(&t);
  if (formula)
    bv_buf_putc(&t, '\'');
  bv_buf_text(&t, s, n);
  if (t.failed) {
    w->b.failed = 1;
  } else if (!strpbrk(t.data, ",\"")) {
    bv_buf_put(&w->b, t.data, t.len);
  } else {
    bv_buf_putc(&w->b, '"');
    for (size_t i = 0; i < t.len; i++) {
      if (t.data[i] == '"')
        bv_buf_putc(&w->b, '"');
      bv_buf_putc(&w->b, t.data[i]);
    }
    bv_buf_putc(&w->b, '"');
  }
  bv_buf_dispose(&t);
}


int bv_wr_template(bv_wr *w, const char *tmpl,
                   void (*fill)(bv_wr *w, const char *name, size_t n, void *ud), void *ud)
{
  const char *p = tmpl;
  for (;;) {
    const char *q = strstr(p, "\"@");
    const char *e = q ? strchr(q + 2, '@') : NULL;
    if (!q || !e || e[1] != '"') {
      if (!q) {
        bv_buf_puts(&w->b, p);
        break;
      }
      bv_buf_put(&w->b, p, (size_t)(q - p) + 2);
      p = q + 2;
      continue;
    }
    bv_buf_put(&w->b, p, (size_t)(q - p));
    fill(w, q + 2, (size_t)(e - (q + 2)), ud);
    if (bv_wr_maybe_flush(w))
      return w->rc;
    p = e + 2;
  }
  return bv_wr_maybe_flush(w);
}
