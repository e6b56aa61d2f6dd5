/* emit/apps.c: the started applications as a text table. */
#include "emit/emit.h"

#include <string.h>

static size_t columns(const char *s, size_t n)
{
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* Appends s as clean text (bv_buf_text), padded with spaces to width columns. */
static void put_cell(bv_buf *b, bv_buf *tmp, const char *s, size_t width)
{
  tmp->len = 0;
  bv_buf_text(tmp, s, strlen(s));
  size_t w = tmp->data ? columns(tmp->data, tmp->len) : 0;
  bv_buf_put(b, tmp->data ? tmp->data : "", tmp->len);
  for (; w < width; w++)
    bv_buf_putc(b, ' ');
}

/* Every cell is written through bv_buf_text: names, versions and descriptions
 * come from the node, and a table is read on a terminal. */
int bv_apps_text(bv_buf *b, const bv_applist *l)
{
  size_t wn = 4, wv = 7;
  bv_buf tmp;
  bv_buf_init(&tmp);
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    tmp.len = 0;
    bv_buf_text(&tmp, a->name, strlen(a->name));
    size_t n = tmp.data ? columns(tmp.data, tmp.len) : 0;
    tmp.len = 0;
    bv_buf_text(&tmp, a->version ? a->version : "-", a->version ? strlen(a->version) : 1);
    size_t v = tmp.data ? columns(tmp.data, tmp.len) : 0;
    if (n > wn)
      wn = n;
    if (v > wv)
      wv = v;
  }
  bv_buf_printf(b, "%-*s  %-*s  %-4s  %s\n", (int)wn, "NAME", (int)wv, "VERSION", "TREE",
                "DESCRIPTION");
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    put_cell(b, &tmp, a->name, wn);
    bv_buf_puts(b, "  ");
    put_cell(b, &tmp, a->version ? a->version : "-", wv);
    bv_buf_printf(b, "  %-4s  ", a->has_tree ? "yes" : "no");
    put_cell(b, &tmp, a->description ? a->description : "", 0);
    bv_buf_putc(b, '\n');
  }
  int failed = tmp.failed;
  bv_buf_dispose(&tmp);
  return b->failed || failed ? bv_error_set(BV_ENOMEM, "out of memory") : 0;
}

/* The registry's row for (apps x text). */
int bv_emit_apps_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info)
{
  (void)fmt;
  (void)o;
  (void)info;
  if (m->kind != BV_MODEL_APPS || !m->u.apps)
    return bv_error_set(BV_EINVAL, "not an applications model");
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_apps_text(&b, m->u.apps);
  if (!rc)
    rc = bv_out_buf(out, &b);
  bv_buf_dispose(&b);
  return rc;
}
