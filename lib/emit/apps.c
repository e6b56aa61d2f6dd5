/* emit/apps.c: the started applications as a text table, CSV or Markdown;
 * a cluster's as a matrix: one row per application (by name), one column per
 * collected node, the version in each cell, "-" where it is not running, and
 * the rows whose running versions differ marked (skew). */
#include "emit/emit.h"

#include <stdlib.h>
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

/* --- a cluster's matrix -------------------------------------------------- */

#define MAX_CELLS (64u << 20)

typedef struct matrix {
  size_t nrows, ncols;
  const char **rows;   /* application names, sorted (byte order), each once */
  const char **cols;   /* the collected nodes, in the order asked */
  const char **cells;  /* nrows x ncols: the version ("?" running without one),
                          NULL where not running */
  unsigned char *skew; /* the row's running versions are not all the same */
} matrix;

static void matrix_free(matrix *m)
{
  free(m->rows);
  free(m->cols);
  free(m->cells);
  free(m->skew);
  memset(m, 0, sizeof *m);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int matrix_build(const bv_applist *l, matrix *m)
{
  memset(m, 0, sizeof *m);
  size_t total = 0;
  for (size_t i = 0; i < l->nnodes; i++)
    if (l->nodes[i].code == BV_OK) {
      m->ncols++;
      total += l->lists[i].n;
    }
  m->rows = malloc((total ? total : 1) * sizeof *m->rows);
  m->cols = malloc((m->ncols ? m->ncols : 1) * sizeof *m->cols);
  size_t *src = malloc((m->ncols ? m->ncols : 1) * sizeof *src);
  if (!m->rows || !m->cols || !src)
    goto oom;
  size_t k = 0, c = 0;
  for (size_t i = 0; i < l->nnodes; i++)
    if (l->nodes[i].code == BV_OK) {
      src[c] = i;
      m->cols[c++] = l->nodes[i].node;
      for (size_t j = 0; j < l->lists[i].n; j++)
        m->rows[k++] = l->lists[i].apps[j].name ? l->lists[i].apps[j].name : "?";
    }
  if (total)
    qsort(m->rows, total, sizeof *m->rows, cmp_str);
  for (size_t i = 0; i < total; i++)
    if (!m->nrows || strcmp(m->rows[m->nrows - 1], m->rows[i]) != 0)
      m->rows[m->nrows++] = m->rows[i];
  if (m->ncols && m->nrows > MAX_CELLS / m->ncols) {
    free(src);
    matrix_free(m);
    return bv_error_set(BV_ENOMEM, "a matrix of %zu applications by %zu nodes is too large",
                        m->nrows, m->ncols);
  }
  size_t ncells = m->nrows * m->ncols;
  m->cells = calloc(ncells ? ncells : 1, sizeof *m->cells);
  m->skew = calloc(m->nrows ? m->nrows : 1, 1);
  if (!m->cells || !m->skew)
    goto oom;
  for (c = 0; c < m->ncols; c++) {
    const bv_applist *n = &l->lists[src[c]];
    for (size_t j = 0; j < n->n; j++) {
      const char *name = n->apps[j].name ? n->apps[j].name : "?";
      const char **r = bsearch(&name, m->rows, m->nrows, sizeof *m->rows, cmp_str);
      if (r)
        m->cells[(size_t)(r - m->rows) * m->ncols + c] =
            n->apps[j].version ? n->apps[j].version : "?";
    }
  }
  for (size_t r = 0; r < m->nrows; r++) {
    const char *first = NULL;
    for (c = 0; c < m->ncols; c++) {
      const char *v = m->cells[r * m->ncols + c];
      if (!v)
        continue;
      if (!first)
        first = v;
      else if (strcmp(first, v) != 0)
        m->skew[r] = 1;
    }
  }
  free(src);
  return 0;
oom:
  free(src);
  matrix_free(m);
  return bv_error_set(BV_ENOMEM, "out of memory");
}

static size_t text_width(bv_buf *tmp, const char *s)
{
  tmp->len = 0;
  bv_buf_text(tmp, s, strlen(s));
  return tmp->data ? columns(tmp->data, tmp->len) : 0;
}

/* The matrix as a text table: APPLICATION SKEW node... ("*" on a skewed
 * row), then one line per node that was not collected. */
static int matrix_text(bv_buf *b, const bv_applist *l)
{
  matrix m;
  int rc = matrix_build(l, &m);
  if (rc)
    return rc;
  bv_buf tmp;
  bv_buf_init(&tmp);
  size_t nw = m.ncols + 2;
  size_t *w = calloc(nw, sizeof *w);
  if (!w) {
    matrix_free(&m);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  w[0] = strlen("APPLICATION");
  w[1] = strlen("SKEW");
  for (size_t c = 0; c < m.ncols; c++)
    w[c + 2] = text_width(&tmp, m.cols[c]);
  for (size_t r = 0; r < m.nrows; r++) {
    size_t x = text_width(&tmp, m.rows[r]);
    if (x > w[0])
      w[0] = x;
    for (size_t c = 0; c < m.ncols; c++) {
      const char *v = m.cells[r * m.ncols + c];
      x = v ? text_width(&tmp, v) : 1;
      if (x > w[c + 2])
        w[c + 2] = x;
    }
  }
  /* the last column is not padded: no trailing spaces */
  put_cell(b, &tmp, "APPLICATION", w[0]);
  bv_buf_puts(b, "  ");
  put_cell(b, &tmp, "SKEW", m.ncols ? w[1] : 0);
  for (size_t c = 0; c < m.ncols; c++) {
    bv_buf_puts(b, "  ");
    put_cell(b, &tmp, m.cols[c], c + 1 < m.ncols ? w[c + 2] : 0);
  }
  bv_buf_putc(b, '\n');
  for (size_t r = 0; r < m.nrows; r++) {
    put_cell(b, &tmp, m.rows[r], w[0]);
    bv_buf_puts(b, "  ");
    put_cell(b, &tmp, m.skew[r] ? "*" : "", m.ncols ? w[1] : 0);
    for (size_t c = 0; c < m.ncols; c++) {
      const char *v = m.cells[r * m.ncols + c];
      bv_buf_puts(b, "  ");
      put_cell(b, &tmp, v ? v : "-", c + 1 < m.ncols ? w[c + 2] : 0);
    }
    /* a row ending in an empty SKEW cell of a node-less matrix: none here,
       nodes >= 1 whenever the list loaded */
    bv_buf_putc(b, '\n');
  }
  for (size_t i = 0; i < l->nnodes; i++)
    if (l->nodes[i].code != BV_OK) {
      bv_buf_puts(b, "not collected: ");
      put_cell(b, &tmp, l->nodes[i].node, 0);
      bv_buf_puts(b, ": ");
      put_cell(b, &tmp, l->nodes[i].reason ? l->nodes[i].reason : bv_error_name(l->nodes[i].code),
               0);
      bv_buf_putc(b, '\n');
    }
  int failed = tmp.failed;
  bv_buf_dispose(&tmp);
  free(w);
  matrix_free(&m);
  return b->failed || failed ? bv_error_set(BV_ENOMEM, "out of memory") : 0;
}

/* Every cell is written through bv_buf_text: names, versions and descriptions
 * come from the node, and a table is read on a terminal. */
int bv_apps_text(bv_buf *b, const bv_applist *l)
{
  if (l->nnodes)
    return matrix_text(b, l);
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
  if (l->nnodes) {
    /* a cluster: application,skew,<node>...; a cell is the version, empty
       where the application is not running ("?" running without one) */
    matrix mx;
    if ((rc = matrix_build(l, &mx))) {
      bv_wr_finish(&w);
      return rc;
    }
    bv_wr_str(&w, "application,skew");
    for (size_t c = 0; c < mx.ncols; c++) {
      bv_wr_str(&w, ",");
      bv_wr_csv(&w, mx.cols[c]);
    }
    bv_wr_str(&w, "\r\n");
    for (size_t r = 0; r < mx.nrows && !bv_wr_maybe_flush(&w); r++) {
      bv_wr_csv(&w, mx.rows[r]);
      bv_wr_str(&w, mx.skew[r] ? ",yes" : ",no");
      for (size_t c = 0; c < mx.ncols; c++) {
        bv_wr_str(&w, ",");
        bv_wr_csv(&w, mx.cells[r * mx.ncols + c]);
      }
      bv_wr_str(&w, "\r\n");
    }
    matrix_free(&mx);
    return bv_wr_finish(&w);
  }
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

/* Markdown text: clean text (bv_buf_text), with the characters that would
 * end a table cell or start markup (| \ ` < >) backslash-escaped. */
static void md_text(bv_buf *b, bv_buf *tmp, const char *s)
{
  tmp->len = 0;
  if (s)
    bv_buf_text(tmp, s, strlen(s));
  for (size_t i = 0; tmp->data && i < tmp->len; i++) {
    if (strchr("|\\`<>", tmp->data[i]))
      bv_buf_putc(b, '\\');
    bv_buf_putc(b, tmp->data[i]);
  }
}

/* A Markdown table cell (md_text). */
static void md_cell(bv_buf *b, bv_buf *tmp, const char *s)
{
  bv_buf_putc(b, ' ');
  md_text(b, tmp, s);
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
  if (l->nnodes) {
    /* a cluster: | Application | Skew | <node>... |, "-" where not running,
       then a line per node not collected */
    matrix mx;
    if ((rc = matrix_build(l, &mx)))
      return rc;
    bv_buf_puts(&b, "| Application | Skew |");
    for (size_t c = 0; c < mx.ncols; c++)
      md_cell(&b, &tmp, mx.cols[c]);
    bv_buf_puts(&b, "\n|---|---|");
    for (size_t c = 0; c < mx.ncols; c++)
      bv_buf_puts(&b, "---|");
    bv_buf_putc(&b, '\n');
    for (size_t r = 0; r < mx.nrows; r++) {
      bv_buf_putc(&b, '|');
      md_cell(&b, &tmp, mx.rows[r]);
      md_cell(&b, &tmp, mx.skew[r] ? "yes" : "");
      for (size_t c = 0; c < mx.ncols; c++) {
        const char *v = mx.cells[r * mx.ncols + c];
        md_cell(&b, &tmp, v ? v : "-");
      }
      bv_buf_putc(&b, '\n');
    }
    int first = 1;
    for (size_t i = 0; i < l->nnodes; i++)
      if (l->nodes[i].code != BV_OK) {
        bv_buf_puts(&b, first ? "\n- not collected: " : "- not collected: ");
        md_text(&b, &tmp, l->nodes[i].node);
        bv_buf_puts(&b, " (");
        md_text(&b, &tmp, l->nodes[i].reason ? l->nodes[i].reason
                                             : bv_error_name(l->nodes[i].code));
        bv_buf_puts(&b, ")\n");
        first = 0;
      }
    matrix_free(&mx);
  } else
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
