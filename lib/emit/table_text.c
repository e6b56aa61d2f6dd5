/* emit/table_text.c: aligned plain-text tables for terminals and CI logs: the
 * top processes of a snapshot (like observer_cli's top view) and a memory
 * series, one sample a line. Texts are cleaned (control characters as
 * visible escapes, bv_buf_text) and cut on character boundaries. */
#include "emit/emit.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Columns of UTF-8 text s[0..n): one per character (the text is clean, so
 * valid UTF-8; a stray byte counts as one). Wide characters count one. */
static size_t cols(const char *s, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; c++) {
    size_t l = bv_utf8_len(s + i, n - i);
    i += l ? l : 1;
  }
  return c;
}

/* Appends t (NULL = "-") cleaned and cut to at most max columns (the last
 * one an ellipsis when cut), padded with spaces to width when pad; returns
 * the columns written before padding. */
static size_t put_cell(bv_buf *b, bv_buf *tmp, const char *t, size_t max, size_t width, int pad)
{
  tmp->len = 0;
  if (!t)
    t = "-";
  bv_buf_text(tmp, t, strlen(t));
  const char *s = tmp->data ? tmp->data : "";
  size_t n = tmp->failed ? 0 : tmp->len, c = cols(s, n), keep = n;
  if (c > max) {
    /* keep max - 1 characters, then "…" */
    size_t i = 0;
    for (size_t k = 0; k + 1 < max && i < n; k++) {
      size_t l = bv_utf8_len(s + i, n - i);
      i += l ? l : 1;
    }
    keep = i;
    c = max;
  }
  if (b) {
    bv_buf_put(b, s, keep);
    if (keep < n)
      bv_buf_puts(b, "\xe2\x80\xa6");
    for (size_t k = c; pad && k < width; k++)
      bv_buf_putc(b, ' ');
  }
  return c;
}

static void pad_to(bv_buf *b, size_t have, size_t width)
{
  for (; have < width; have++)
    bv_buf_putc(b, ' ');
}

/* --- processes ------------------------------------------------------------- */

#define W_NODE 40
#define W_PID 20
#define W_WHO 32
#define W_STATUS 10
#define W_LINE 120
#define W_CALL_MIN 12

/* The columns of the process table: numbers right-aligned; over a window
 * also reductions per second, the change in memory and where it was. */
enum { C_NODE, C_PID, C_WHO, C_RPS, C_REDS, C_MEM, C_MEMCH, C_MSGQ, C_WIN, C_STATUS, C_CALL, C_N };
static const char *const head[C_N] = {"NODE", "PID",    "WHO",  "REDS/S", "REDUCTIONS", "MEMORY",
                                      "MEM_CHANGE", "MSGQ", "WINDOW", "STATUS",
                                      "CURRENT_FUNCTION"};

/* A number cell's text into t (40 bytes); 0 for a text column. */
static int num_cell(int k, const bv_proc *q, char *t)
{
  switch (k) {
  case C_RPS: return bv_fmt_num(t, q, BV_PF_REDUCTIONS_PER_SEC);
  case C_REDS: return bv_fmt_num(t, q, BV_PF_REDUCTIONS);
  case C_MEM: return bv_fmt_num(t, q, BV_PF_MEMORY);
  case C_MEMCH: {
    int n = bv_fmt_num(t, q, BV_PF_MEMORY_CHANGE);
    if (n > 0 && t[0] != '-' && strcmp(t, "0") != 0) { /* +N: grew */
      memmove(t + 1, t, (size_t)n + 1);
      t[0] = '+';
      n++;
    }
    return n;
  }
  case C_MSGQ: return bv_fmt_num(t, q, BV_PF_MESSAGE_QUEUE_LEN);
  default: return 0;
  }
}

int bv_procs_text(bv_out *out, const bv_snapshot *s, bv_proc_field by)
{
  if (!bv_proc_field_numeric(by))
    return bv_error_set(BV_EINVAL, "'%s' is not one of " BV_PF_NUMERIC_NAMES,
                        bv_proc_field_name(by));
  int rc = bv_snapshot_field_check(s, by);
  if (rc)
    return rc;
  size_t *r = bv_snapshot_order(s, by);
  bv_procs_disp d;
  if (!r)
    return bv_error_set(BV_ENOMEM, "out of memory writing the process table");
  if ((rc = bv_procs_disp_init(&d, s->elixir))) {
    free(r);
    return rc;
  }
  /* the columns shown, in order */
  int cols_on[C_N], nc = 0;
  for (int k = 0; k < C_N; k++)
    if ((s->window_ms || (k != C_RPS && k != C_MEMCH && k != C_WIN)) &&
        (s->nnodes || k != C_NODE)) /* a cluster's rows name their node */
      cols_on[nc++] = k;
  size_t w[C_N];
  for (int k = 0; k < C_N; k++)
    w[k] = strlen(head[k]);
  bv_buf tmp;
  bv_buf_init(&tmp);
  char t[48];
  /* pass 1: column widths */
  for (size_t j = 0; j < s->n && !rc; j++) {
    bv_proc q;
    const bv_proc *p = &s->procs[r[j]];
    const char *who = bv_procs_disp_who(&d, p);
    size_t c = who ? put_cell(NULL, &tmp, who, W_WHO, 0, 0) : 0;
    if (!who || (rc = bv_procs_disp_row(&d, p, &q))) {
      rc = rc ? rc : bv_error_set(BV_ENOMEM, "out of memory");
      break;
    }
    if (c > w[C_WHO])
      w[C_WHO] = c;
    if ((c = put_cell(NULL, &tmp, q.pid, W_PID, 0, 0)) > w[C_PID])
      w[C_PID] = c;
    if (q.node && (c = put_cell(NULL, &tmp, q.node, W_NODE, 0, 0)) > w[C_NODE])
      w[C_NODE] = c;
    for (int k = 0; k < C_N; k++) {
      int n = num_cell(k, &q, t);
      if (n > 0 && (size_t)n > w[k])
        w[k] = (size_t)n;
    }
    if ((c = put_cell(NULL, &tmp, q.status, W_STATUS, 0, 0)) > w[C_STATUS])
      w[C_STATUS] = c;
  }
  size_t used = 0;
  for (int i = 0; i + 1 < nc; i++)
    used += w[cols_on[i]] + 2;
  size_t wcall = used + W_CALL_MIN < W_LINE ? W_LINE - used : W_CALL_MIN;

  bv_wr wr;
  bv_wr_init(&wr, out);
  if (rc) {
    wr.rc = rc;
  } else {
    bv_buf *b = &wr.b;
    bv_buf_puts(b, "Processes on ");
    bv_buf_text(b, s->node ? s->node : "?", s->node ? strlen(s->node) : 1);
    bv_buf_printf(b, ": %zu of %zu", s->n, s->total > s->n ? s->total : s->n);
    if (s->window_ms)
      bv_buf_printf(b, ", over a window of %.0f ms (%zu born, %zu gone)", s->window_measured_ms,
                    s->born, s->gone);
    bv_buf_printf(b, ", sorted by %s (largest first)", bv_proc_field_name(by));
    bv_procs_view_nodes(b, s);
    bv_buf_putc(b, '\n');
    for (int i = 0; i < nc; i++) {
      int k = cols_on[i];
      int right = num_cell(k, &(bv_proc){0}, t) > 0;
      if (i)
        bv_buf_puts(b, "  ");
      if (right)
        pad_to(b, strlen(head[k]), w[k]);
      bv_buf_puts(b, head[k]);
      if (!right && i + 1 < nc)
        pad_to(b, strlen(head[k]), w[k]);
    }
    bv_buf_putc(b, '\n');
  }
  /* pass 2: the rows */
  for (size_t j = 0; j < s->n && !wr.rc; j++) {
    bv_buf *b = &wr.b;
    bv_proc q;
    const bv_proc *p = &s->procs[r[j]];
    const char *who = bv_procs_disp_who(&d, p);
    if (!who) {
      wr.rc = bv_error_set(BV_ENOMEM, "out of memory");
      break;
    }
    /* who lives until the next bv_procs_disp_who; the row uses another buffer */
    if ((rc = bv_procs_disp_row(&d, p, &q))) {
      wr.rc = rc;
      break;
    }
    for (int i = 0; i < nc; i++) {
      int k = cols_on[i], n;
      if (i)
        bv_buf_puts(b, "  ");
      if ((n = num_cell(k, &q, t)) > 0) {
        pad_to(b, (size_t)n, w[k]);
        bv_buf_put(b, t, (size_t)n);
      } else if (k == C_PID) {
        put_cell(b, &tmp, q.pid, W_PID, w[k], 1);
      } else if (k == C_NODE) {
        put_cell(b, &tmp, q.node, W_NODE, w[k], 1);
      } else if (k == C_WHO) {
        put_cell(b, &tmp, who, W_WHO, w[k], 1);
      } else if (k == C_WIN) {
        put_cell(b, &tmp, bv_presence_name(q.presence), w[k], w[k], 1);
      } else if (k == C_STATUS) {
        put_cell(b, &tmp, q.status, W_STATUS, w[k], 1);
      } else {
        put_cell(b, &tmp, q.current_function, wcall, 0, 0);
      }
    }
    bv_buf_putc(b, '\n');
    if (b->failed)
      wr.rc = bv_error_set(BV_ENOMEM, "out of memory");
    else
      bv_wr_maybe_flush(&wr);
  }
  bv_buf_dispose(&tmp);
  bv_procs_disp_dispose(&d);
  free(r);
  return bv_wr_finish(&wr);
}

int bv_emit_procs_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info)
{
  (void)fmt, (void)info;
  bv_procs_view v;
  int rc;
  if (!m || m->kind != BV_MODEL_SNAPSHOT || !m->u.snapshot)
    return bv_error_set(BV_EINVAL, "not a process snapshot");
  /* the same fields are refused whatever the format */
  const bv_snapshot *s = m->u.snapshot;
  if ((rc = bv_procs_view_fields_for(o, s, &v)))
    return rc;
  /* over a window: who is busy now */
  return bv_procs_text(out, s, bv_snapshot_rank_field(s, o ? o->by : NULL));
}

/* --- memory ------------------------------------------------------------------ */

/* "S.mmm" seconds from ms */
static int put_secs(bv_buf *b, uint64_t ms)
{
  return bv_buf_printf(b, "%llu.%03llu", (unsigned long long)(ms / 1000),
                       (unsigned long long)(ms % 1000));
}

/* bytes as MB (10^6 bytes) with two decimals, rounded half up */
static int put_mb(bv_buf *b, uint64_t bytes)
{
  uint64_t c = bytes / 10000 + (bytes % 10000 >= 5000);
  return bv_buf_printf(b, "%llu.%02llu", (unsigned long long)(c / 100),
                       (unsigned long long)(c % 100));
}

int bv_memory_text(bv_out *out, const bv_memseries *m)
{
  size_t w[1 + BV_MEM_NKINDS];
  bv_buf tmp;
  bv_buf_init(&tmp);
  w[0] = strlen("seconds");
  for (int k = 0; k < BV_MEM_NKINDS; k++)
    w[1 + k] = strlen(bv_mem_kinds[k]);
  /* the chart's times: ms since the first sample (the schedule for a file
   * without times) */
  bv_memory_view v;
  bv_memory_view_make(m, &v);
  /* a cluster's rows start with their node (each its own time axis) */
  size_t wn = strlen("node");
  for (size_t i = 0; i < m->nnodes; i++)
    if (m->nodes[i].code == BV_OK && strlen(m->nodes[i].node) > wn)
      wn = strlen(m->nodes[i].node);
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
    tmp.len = 0;
    put_secs(&tmp, bv_memory_view_ms(&v, m, i));
    if (tmp.len > w[0])
      w[0] = tmp.len;
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      tmp.len = 0;
      put_mb(&tmp, s->bytes[k]);
      if (tmp.len > w[1 + k])
        w[1 + k] = tmp.len;
    }
  }
  bv_wr wr;
  bv_wr_init(&wr, out);
  bv_buf *b = &wr.b;
  bv_buf_puts(b, "Memory of ");
  bv_buf_text(b, m->node ? m->node : "?", m->node ? strlen(m->node) : 1);
  if (m->nnodes)
    bv_buf_printf(b, " in MB (10^6 bytes), %zu samples every %u ms, each node's seconds since "
                     "its own first sample\n", m->n, m->interval_ms);
  else
    bv_buf_printf(b, " in MB (10^6 bytes), %zu samples every %u ms\n", m->n, m->interval_ms);
  if (m->nnodes)
    bv_buf_printf(b, "%-*s  ", (int)wn, "node");
  for (size_t k = 0; k < 1 + BV_MEM_NKINDS; k++) {
    const char *h = k ? bv_mem_kinds[k - 1] : "seconds";
    if (k)
      bv_buf_puts(b, "  ");
    pad_to(b, strlen(h), w[k]);
    bv_buf_puts(b, h);
  }
  bv_buf_putc(b, '\n');
  for (size_t i = 0; i < m->n && !wr.rc; i++) {
    const bv_memsample *s = &m->samples[i];
    if (m->nnodes) {
      const char *nn = s->node < m->nnodes ? m->nodes[s->node].node : "?";
      bv_buf_text(b, nn, strlen(nn));
      bv_buf_printf(b, "%*s  ", (int)(wn - strlen(nn)), "");
    }
    tmp.len = 0;
    put_secs(&tmp, bv_memory_view_ms(&v, m, i));
    pad_to(b, tmp.len, w[0]);
    bv_buf_put(b, tmp.data, tmp.len);
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      tmp.len = 0;
      put_mb(&tmp, s->bytes[k]);
      bv_buf_puts(b, "  ");
      pad_to(b, tmp.len, w[1 + k]);
      bv_buf_put(b, tmp.data, tmp.len);
    }
    bv_buf_putc(b, '\n');
    if (tmp.failed || b->failed)
      wr.rc = bv_error_set(BV_ENOMEM, "out of memory");
    else
      bv_wr_maybe_flush(&wr);
  }
  for (size_t i = 0; i < m->nnodes && !wr.rc; i++)
    if (m->nodes[i].code != BV_OK) {
      bv_buf_puts(b, "not sampled: ");
      bv_buf_text(b, m->nodes[i].node, strlen(m->nodes[i].node));
      bv_buf_printf(b, " (%s)\n", bv_error_name(m->nodes[i].code));
    }
  bv_buf_dispose(&tmp);
  return bv_wr_finish(&wr);
}

int bv_emit_memory_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  if (!m || m->kind != BV_MODEL_MEMORY || !m->u.memory)
    return bv_error_set(BV_EINVAL, "not a memory series");
  return bv_memory_text(out, m->u.memory);
}
