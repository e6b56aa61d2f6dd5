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

static int apps_of(const bv_model *m, const bv_applist **l)
{
  if (!m || m->kind != BV_MODEL_APPS || !m->u.apps)
    return bv_error_set(BV_EINVAL, "not an applications model");
  *l = m->u.apps;
  return 0;
}

/* The registry's row for (apps x CSV): RFC 4180 (CRLF), header
 * name,version,tree,description; cells cleaned as in the process CSV
 * (bv_wr_csv: control characters escaped, formulas defused). */
int bv_emit_apps_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                     bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  const bv_applist *l = NULL;
  int rc = apps_of(m, &l);
  if (rc)
    return rc;
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "name,version,tree,description\r\n");
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    bv_wr_csv(&w, a->name);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, a->version);
    bv_wr_str(&w, a->has_tree ? ",yes," : ",no,");
    bv_wr_csv(&w, a->description);
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  return bv_wr_finish(&w);
}

/* A Markdown table cell: clean text (bv_buf_text), with the characters that
 * would end the cell or start markup (| \ ` < >) backslash-escaped. */
static void md_cell(bv_buf *b, bv_buf *tmp, const char *s)
{
  tmp->len = 0;
  if (s)
    bv_buf_text(tmp, s, strlen(s));
  bv_buf_putc(b, ' ');
  for (size_t i = 0; tmp->data && i < tmp->len; i++) {
    if (strchr("|\\`<>", tmp->data[i]))
      bv_buf_putc(b, '\\');
    bv_buf_putc(b, tmp->data[i]);
  }
  bv_buf_puts(b, " |");
}

/* The registry's row for (apps x Markdown): a table with the text table's
 * columns, one application a row (version "-" when there is none). */
int bv_emit_apps_md(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                    bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  const bv_applist *l = NULL;
  int rc = apps_of(m, &l);
  if (rc)
    return rc;
  bv_buf b, tmp;
  bv_buf_init(&b);
  bv_buf_init(&tmp);
  bv_buf_puts(&b, "| Name | Version | Tree | Description |\n|---|---|---|---|\n");
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    bv_buf_putc(&b, '|');
    md_cell(&b, &tmp, a->name);
    md_cell(&b, &tmp, a->version ? a->version : "-");
    md_cell(&b, &tmp, a->has_tree ? "yes" : "no");
    md_cell(&b, &tmp, a->description);
    bv_buf_putc(&b, '\n');
  }
  if (b.failed || tmp.failed)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  else
    rc = bv_out_buf(out, &b);
  bv_buf_dispose(&tmp);
  bv_buf_dispose(&b);
  return rc;
}
