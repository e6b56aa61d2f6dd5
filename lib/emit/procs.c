/* emit/procs.c: the process snapshot as CSV and as a Vega-Lite scatter drawn
 * from the chart view (view/chart.c). Everything is streamed through a 64 KiB
 * buffer: a million points never become a tree in memory. */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

static int snapshot_of(const bv_model *m, const bv_snapshot **s)
{
  if (!m || m->kind != BV_MODEL_SNAPSHOT || !m->u.snapshot)
    return bv_error_set(BV_EINVAL, "not a process snapshot");
  *s = m->u.snapshot;
  return 0;
}

/* Pids and calls in the node's syntax (the model file keeps the machine form). */
static int write_csv(const bv_snapshot *s, bv_out *out)
{
  bv_procs_disp d;
  int rc = bv_procs_disp_init(&d, s->elixir);
  if (rc)
    return rc;
  bv_wr w;
  bv_wr_init(&w, out);
  /* a cluster's rows start with their node */
  if (s->nnodes)
    bv_wr_str(&w, "node,");
  bv_wr_str(&w, "pid,name,reductions,memory,status,message_queue_len,current_function,"
                "initial_call,label");
  /* over a window: the first pass's values, what changed, where it was */
  bv_wr_str(&w, s->window_ms ? ",reductions0,memory0,message_queue_len0,reductions_per_sec,"
                               "memory_change,message_queue_len_change,window\r\n"
                             : "\r\n");
  for (size_t i = 0; i < s->n; i++) {
    bv_proc q;
    if ((rc = bv_procs_disp_row(&d, &s->procs[i], &q))) {
      w.rc = rc;
      break;
    }
    const bv_proc *p = &q;
    if (s->nnodes) {
      bv_wr_csv(&w, p->node);
      bv_wr_str(&w, ",");
    }
    bv_wr_csv(&w, p->pid);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->name);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->reductions);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->memory);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->status);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->message_queue_len);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->current_function);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->initial_call);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->label);
    if (s->window_ms) {
      char t[40];
      bv_wr_str(&w, ",");
      bv_wr_u64(&w, p->reductions0);
      bv_wr_str(&w, ",");
      bv_wr_u64(&w, p->memory0);
      bv_wr_str(&w, ",");
      bv_wr_u64(&w, p->message_queue_len0);
      static const bv_proc_field wf[] = {BV_PF_REDUCTIONS_PER_SEC, BV_PF_MEMORY_CHANGE,
                                         BV_PF_MESSAGE_QUEUE_LEN_CHANGE};
      for (size_t k = 0; k < sizeof wf / sizeof *wf; k++) {
        bv_fmt_num(t, p, wf[k]);
        bv_wr_str(&w, ",");
        bv_wr_str(&w, t);
      }
      bv_wr_str(&w, ",");
      bv_wr_csv(&w, bv_presence_name(p->presence));
    }
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  bv_procs_disp_dispose(&d);
  return bv_wr_finish(&w);
}

int bv_emit_procs_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info)
{
  (void)fmt;
  (void)info;
  const bv_snapshot *s = NULL;
  bv_procs_view v;
  int rc = snapshot_of(m, &s);
  /* the same fields are refused whatever the format */
  if (rc || (rc = bv_procs_view_fields_for(o, s, &v)))
    return rc;
  return write_csv(s, out);
}

/* --- Vega-Lite ------------------------------------------------------------------ */

typedef struct vl_ctx {
  const bv_snapshot *s;
  bv_procs_view v;         /* fields at _open; the rest at _close from the snapshot */
  int fields[BV_PF_COUNT]; /* which fields each data point carries */
} vl_ctx;

static int is(const char *name, size_t n, const char *want)
{
  return strlen(want) == n && memcmp(name, want, n) == 0;
}

/* A colour value as a Vega expression literal: a JSON string is a valid one,
 * except that a raw U+2028/U+2029 would end the expression's string. */
static void expr_str(bv_buf *b, const char *t)
{
  if (!t) {
    bv_buf_puts(b, "null");
    return;
  }
  bv_buf j;
  bv_buf_init(&j);
  bv_buf_json_str(&j, t, strlen(t));
  const unsigned char *d = (const unsigned char *)j.data;
  for (size_t i = 0, run = 0; !j.failed && i <= j.len; i++) {
    int sep = i + 2 < j.len && d[i] == 0xE2 && d[i + 1] == 0x80 && (d[i + 2] | 1) == 0xA9;
    if (i < j.len && !sep)
      continue;
    bv_buf_put(b, j.data + run, i - run);
    if (sep) {
      bv_buf_puts(b, d[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
      i += 2;
      run = i + 1;
    }
  }
  if (j.failed)
    b->failed = 1;
  bv_buf_dispose(&j);
}

/* The axis of a log or symlog field, as the image draws it: the data's
 * extent (no nicing), ticks at 1, 2 and 5 of each decade, labels on every
 * decade and on the others where they fit (bv_chart_label_keep with widths
 * estimated for Vega's 10 px labels on the 600x400 plot). */
static void vl_scale(bv_buf *b, const bv_chart_axis *a)
{
  bv_buf_printf(b, "{\"type\": \"%s\", ", a->kind == BV_SCALE_LOG ? "log" : "symlog");
  if (a->kind == BV_SCALE_SYMLOG)
    bv_buf_puts(b, "\"constant\": 1, ");
  bv_buf_printf(b, "\"domain\": [%.15g, %.15g], \"nice\": false}", a->lo, a->hi);
}

static void vl_axis(bv_buf *b, const bv_chart_axis *a, double px, int horizontal)
{
  double centre[BV_CHART_TICKS_MAX], half[BV_CHART_TICKS_MAX];
  unsigned char keep[BV_CHART_TICKS_MAX];
  for (size_t i = 0; i < a->n; i++) {
    char t[64];
    int len = snprintf(t, sizeof t, "%.0f", a->ticks[i]);
    double w = 6.4 * len + 3.2 * ((len - 1) / 3); /* digits and commas, DejaVu Sans 10 px */
    centre[i] = bv_chart_axis_t(a, a->ticks[i]) * px;
    half[i] = horizontal ? w / 2 : 5;
    /* the end labels are kept inside the plot (labelBound) */
    if (horizontal && centre[i] - half[i] < 0)
      centre[i] = half[i];
    if (horizontal && centre[i] + half[i] > px)
      centre[i] = px - half[i];
  }
  bv_chart_label_keep(a, centre, half, horizontal ? 3 : 2, keep);
  bv_buf_puts(b, "{\"format\": \",\", \"labelOverlap\": false, \"values\": [");
  for (size_t i = 0; i < a->n; i++)
    bv_buf_printf(b, "%s%.15g", i ? ", " : "", a->ticks[i]);
  bv_buf_puts(b, "], \"labelExpr\": \"indexof([");
  for (size_t i = 0, k = 0; i < a->n; i++)
    if (keep[i])
      bv_buf_printf(b, "%s%.15g", k++ ? ", " : "", a->ticks[i]);
  bv_buf_puts(b, "], datum.value) >= 0 ? datum.label : ''\"}");
}

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const vl_ctx *c = ud;
  const bv_procs_view *v = &c->v;
  const bv_snapshot *s = c->s;
  const char *x = bv_proc_field_name(v->x), *y = bv_proc_field_name(v->y);
  bv_buf *b = &w->b;
  if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_procs_view_title(&t, s, v);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_wr_str(w, "[");
    bv_procs_view_counts(&t, s);
    bv_wr_json(w, t.data);
    if (v->more) {
      /* the legend lists the view's entries; what it leaves out is said here */
      t.len = 0;
      bv_buf_printf(&t, "colour by %s: %zu values, the legend shows %zu, ",
                    bv_proc_field_name(v->color), v->ncolors, v->legend);
      bv_procs_view_more(&t, v);
      bv_buf_puts(&t, " (see the tooltip)");
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    if (v->zeros) {
      t.len = 0;
      bv_procs_view_zeros_note(&t, v);
      bv_buf_puts(&t, "; the tooltip shows the real value");
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    bv_wr_str(w, "]");
    bv_buf_dispose(&t);
  } else if (is(name, n, "x_calc") || is(name, n, "y_calc")) {
    /* a log axis draws 0 at 1 (its floor); a symlog one draws it at 0 */
    int isx = is(name, n, "x_calc");
    bv_buf_printf(b, "\"max(datum.%s, %d)\"", isx ? x : y,
                  (isx ? v->xscale : v->yscale) == BV_SCALE_LOG);
  } else if (is(name, n, "zero_calc")) {
    int xl = v->xscale == BV_SCALE_LOG, yl = v->yscale == BV_SCALE_LOG;
    if (xl && yl)
      bv_buf_printf(b, "\"datum.%s == 0 || datum.%s == 0 ? '%s' : '%s'\"", x, y,
                    BV_CHART_ZERO_LABEL, BV_CHART_REAL_LABEL);
    else if (xl || yl)
      bv_buf_printf(b, "\"datum.%s == 0 ? '%s' : '%s'\"", xl ? x : y, BV_CHART_ZERO_LABEL,
                    BV_CHART_REAL_LABEL);
    else
      bv_buf_puts(b, "\"'" BV_CHART_REAL_LABEL "'\"");
  } else if (is(name, n, "x_title")) {
    bv_buf_printf(b, "\"%s (%s)\"", x, v->xscale == BV_SCALE_LOG ? "log" : "symlog");
  } else if (is(name, n, "y_title")) {
    bv_buf_printf(b, "\"%s (%s)\"", y, v->yscale == BV_SCALE_LOG ? "log" : "symlog");
  } else if (is(name, n, "x_scale") || is(name, n, "y_scale")) {
    vl_scale(b, is(name, n, "x_scale") ? &v->xaxis : &v->yaxis);
  } else if (is(name, n, "x_axis")) {
    vl_axis(b, &v->xaxis, 600, 1);
  } else if (is(name, n, "y_axis")) {
    vl_axis(b, &v->yaxis, 400, 0);
  } else if (is(name, n, "scheme")) {
    bv_buf_printf(b, "\"%s\"", bv_chart_scheme(v->ncolors));
  } else if (is(name, n, "color_title")) {
    bv_buf_printf(b, "\"%s\"", bv_proc_field_name(v->color));
  } else if (is(name, n, "color")) {
    bv_buf_printf(b, "\"%s\"", bv_procs_view_color_key(v));
  } else if (is(name, n, "legend")) {
    /* Vega filters (and warns about) legends longer than its symbol limit:
     * past the view's count its entries are listed (an expression: an absent
     * value is null, which a list of strings cannot hold) */
    bv_buf_printf(b, "{\"symbolLimit\": %d", BV_CHART_LEGEND_MAX);
    if (v->more) {
      bv_buf e;
      bv_buf_init(&e);
      bv_buf_puts(&e, "[");
      for (size_t i = 0; i < v->legend; i++) {
        if (i)
          bv_buf_puts(&e, ", ");
        expr_str(&e, v->colors[i]);
      }
      bv_buf_puts(&e, "]");
      bv_buf_puts(b, ", \"values\": {\"expr\": ");
      if (e.failed)
        b->failed = 1;
      else
        bv_buf_json_str(b, e.data, e.len);
      bv_buf_puts(b, "}");
      bv_buf_dispose(&e);
    }
    /* an absent value is labelled as the image labels it (Vega: "undefined") */
    if (v->ncolors && !v->colors[0])
      bv_buf_puts(b, ", \"labelExpr\": \"datum.value == null ? '" BV_CHART_NONE_LABEL
                     "' : datum.label\"");
    bv_buf_puts(b, "}");
  } else if (is(name, n, "shape")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"field\": \"plotted\", \"type\": \"nominal\", \"title\": \"value\", "
                     "\"scale\": {\"domain\": [\"" BV_CHART_REAL_LABEL "\", \"" BV_CHART_ZERO_LABEL
                     "\"], \"range\": [\"circle\", \"square\"]}}");
    else
      bv_buf_puts(b, "{\"value\": \"circle\"}");
  } else if (is(name, n, "opacity")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"condition\": {\"test\": \"datum.plotted == '" BV_CHART_ZERO_LABEL "'\", "
                     "\"value\": 0.5}, \"value\": 0.8}");
    else
      bv_buf_puts(b, "{\"value\": 0.8}");
  } else if (is(name, n, "tooltip")) {
    /* who the process is (the identity rule), then its pid and fields */
    bv_buf_puts(b, "[{\"field\": \"who\", \"type\": \"nominal\"}, "
                   "{\"field\": \"pid\", \"type\": \"nominal\"}");
    for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
      if (c->fields[f])
        bv_buf_printf(b, ", {\"field\": \"%s\", \"type\": \"%s\"}",
                      bv_proc_field_name((bv_proc_field)f),
                      bv_proc_field_numeric((bv_proc_field)f) ? "quantitative" : "nominal");
    bv_buf_puts(b, "]");
  } else {
    bv_buf_puts(b, "null");
  }
}

struct bv_procs_vl {
  bv_wr w;
  vl_ctx c;
  bv_emit_opts o;             /* the fields asked for (names are static) */
  const char *rest;           /* the skeleton after "@values@" */
  size_t rows;
  bv_proc_fields fs;          /* what each data point carries, pid first */
  bv_procs_disp d;            /* rows in the node's syntax (at the first row) */
  int disp;                   /* d is set up */
};

#define VALUES_SLOT "\"@values@\""

void bv_procs_vl_abort(bv_procs_vl *st)
{
  if (!st)
    return;
  bv_buf_dispose(&st->w.b);
  if (st->disp)
    bv_procs_disp_dispose(&st->d);
  free(st);
}

/* s: the finished snapshot when known (its window decides the defaults and
 * the window fields), NULL while streaming. */
static int vl_open(const bv_emit_opts *o, const bv_snapshot *s, bv_out *out, bv_procs_vl **stp)
{
  *stp = NULL;
  bv_procs_vl *st = calloc(1, sizeof *st);
  if (!st)
    return bv_error_set(BV_ENOMEM, "out of memory");
  vl_ctx *c = &st->c;
  int rc = bv_procs_view_fields_for(o, s, &c->v);
  if (rc) {
    free(st);
    return rc;
  }
  /* keep the fields for _close (its view is made again from the snapshot) */
  st->o.x = bv_proc_field_name(c->v.x);
  st->o.y = bv_proc_field_name(c->v.y);
  st->o.color = bv_proc_field_name(c->v.color);
  const char *tmpl = bv_template("procs.vl.json", NULL);
  const char *slot = tmpl ? strstr(tmpl, VALUES_SLOT) : NULL;
  if (!slot) {
    free(st);
    return bv_error_set(BV_EINVAL, "no embedded template procs.vl.json with " VALUES_SLOT);
  }
  st->rest = slot + strlen(VALUES_SLOT);
  bv_wr_init(&st->w, out);
  /* What the tooltip shows (who, the notebook's pid, plus name, label,
   * current function and queue length), the axes and the colour; "who" is
   * added to every row after these. */
  c->fields[BV_PF_NAME] = c->fields[BV_PF_STATUS] = c->fields[BV_PF_CURRENT_FUNCTION] = 1;
  c->fields[BV_PF_LABEL] = 1;
  c->fields[BV_PF_MESSAGE_QUEUE_LEN] = c->fields[BV_PF_REDUCTIONS] = c->fields[BV_PF_MEMORY] = 1;
  c->fields[c->v.x] = c->fields[c->v.y] = c->fields[c->v.color] = 1;
  /* over a window: what changed in it and where the process was */
  if (s && s->nnodes)
    c->fields[BV_PF_NODE] = 1;
  if (s && s->window_ms)
    c->fields[BV_PF_REDUCTIONS_PER_SEC] = c->fields[BV_PF_MEMORY_CHANGE] =
        c->fields[BV_PF_MESSAGE_QUEUE_LEN_CHANGE] = c->fields[BV_PF_WINDOW] = 1;
  bv_proc_field fs[BV_PF_COUNT];
  size_t nf = 0;
  fs[nf++] = BV_PF_PID;
  for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
    if (c->fields[f])
      fs[nf++] = (bv_proc_field)f;
  bv_proc_fields_init(&st->fs, fs, nf);
  /* the data come first in the skeleton: nothing before them depends on them */
  bv_buf_put(&st->w.b, tmpl, (size_t)(slot - tmpl));
  bv_wr_str(&st->w, "[");
  if ((rc = bv_wr_maybe_flush(&st->w))) {
    bv_procs_vl_abort(st);
    return rc;
  }
  *stp = st;
  return 0;
}

int bv_procs_vl_open(const bv_emit_opts *o, bv_out *out, bv_procs_vl **stp)
{
  return vl_open(o, NULL, out, stp);
}

int bv_procs_vl_rows(bv_procs_vl *st, const bv_snapshot *s, const bv_proc *p, size_t n)
{
  bv_wr *w = &st->w;
  if (!st->disp) {
    if ((w->rc = bv_procs_disp_init(&st->d, s->elixir)))
      return w->rc;
    st->disp = 1;
  }
  for (size_t i = 0; i < n && !w->rc; i++, p++) {
    /* the identity (the rule of every view), then the row in the node's syntax */
    const char *who = bv_procs_disp_who(&st->d, p);
    bv_proc q;
    int rc = who ? bv_procs_disp_row(&st->d, p, &q) : BV_ENOMEM;
    if (rc)
      return w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
    bv_wr_str(w, st->rows++ ? ",\n" : "\n");
    /* absent texts have no key: the tooltip leaves them out */
    bv_wr_proc(w, &q, NULL, &st->fs, 0);
    /* ...,"who":"..."} */
    if (!w->rc && w->b.len && w->b.data[w->b.len - 1] == '}') {
      w->b.len--;
      bv_wr_str(w, ",\"who\":");
      bv_wr_json(w, who);
      bv_wr_str(w, "}");
    }
    if (bv_wr_maybe_flush(w))
      break;
  }
  return w->rc;
}

int bv_procs_vl_close(bv_procs_vl *st, const bv_snapshot *s, bv_emit_info *info)
{
  st->c.s = s;
  bv_wr_str(&st->w, "\n]");
  int rc = bv_wr_maybe_flush(&st->w);
  /* the zeros, colour domain and legend of the finished snapshot */
  bv_procs_view_dispose(&st->c.v);
  if (!rc)
    rc = bv_procs_view_make(s, &st->o, &st->c.v);
  if (!rc)
    rc = bv_wr_template(&st->w, st->rest, vl_fill, &st->c);
  if (!rc && info)
    info->zeros = st->c.v.zeros;
  int rc2 = bv_wr_finish(&st->w); /* frees the buffer */
  bv_procs_view_dispose(&st->c.v);
  if (st->disp)
    bv_procs_disp_dispose(&st->d);
  free(st);
  return rc ? rc : rc2;
}

static int write_vegalite(const bv_snapshot *s, const bv_emit_opts *o, bv_out *out,
                          bv_emit_info *info)
{
  bv_procs_vl *st;
  int rc = vl_open(o, s, out, &st);
  if (rc)
    return rc;
  if ((rc = bv_procs_vl_rows(st, s, s->procs, s->n))) {
    bv_procs_vl_abort(st);
    return rc;
  }
  return bv_procs_vl_close(st, s, info);
}

int bv_emit_procs_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                           bv_emit_info *info)
{
  (void)fmt;
  const bv_snapshot *s = NULL;
  int rc = snapshot_of(m, &s);
  return rc ? rc : write_vegalite(s, o, out, info);
}

/* --- the top-N bars --------------------------------------------------------- */

typedef struct bars_ctx {
  const bv_snapshot *s;
  bv_procs_bars *b;
} bars_ctx;

static void bars_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  bars_ctx *c = ud;
  bv_procs_bars *bars = c->b;
  bv_buf *b = &w->b;
  if (is(name, n, "values")) {
    /* one row a bar, in the view's order: rank, identity, pid, the fields
     * the tooltip shows, the value as written on the bar */
    bv_wr_str(w, "[");
    for (size_t i = 0; i < bars->n && !w->rc; i++) {
      bv_proc q;
      if (bv_procs_disp_row(&bars->disp, bars->rows[i], &q)) {
        w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
        break;
      }
      bv_buf_printf(b, "%s\n{\"rank\":%zu,\"who\":", i ? "," : "", i);
      bv_wr_json(w, bars->who[i]);
      bv_wr_str(w, ",\"pid\":");
      bv_wr_json(w, q.pid);
      /* the numbers as every output writes them; over a window its fields too */
      static const bv_proc_field nums[] = {BV_PF_MEMORY, BV_PF_REDUCTIONS,
                                           BV_PF_MESSAGE_QUEUE_LEN, BV_PF_REDUCTIONS_PER_SEC,
                                           BV_PF_MEMORY_CHANGE,
                                           BV_PF_MESSAGE_QUEUE_LEN_CHANGE};
      for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
        if (bv_proc_field_window(nums[k]) && !c->s->window_ms)
          continue;
        char d[40];
        int dl = bv_fmt_num(d, &q, nums[k]);
        bv_buf_printf(b, ",\"%s\":%.*s", bv_proc_field_name(nums[k]), dl, d);
      }
      if (c->s->window_ms) {
        bv_wr_str(w, ",\"window\":");
        bv_wr_json(w, bv_presence_name(q.presence));
      }
      if (q.current_function) {
        bv_wr_str(w, ",\"current_function\":");
        bv_wr_json(w, q.current_function);
      }
      if (q.node) {
        bv_wr_str(w, ",\"node\":");
        bv_wr_json(w, q.node);
      }
      /* the bar's length: a negative change draws no bar (as the image) */
      char bar[40];
      int bl = bv_proc_num(&q, bars->by) > 0 ? bv_fmt_num(bar, &q, bars->by)
                                             : snprintf(bar, sizeof bar, "0");
      bv_buf_printf(b, ",\"bar\":%.*s", bl, bar);
      bv_wr_str(w, ",\"value_text\":");
      bv_wr_json(w, bars->value[i]);
      bv_wr_str(w, "}");
      if (bv_wr_maybe_flush(w))
        break;
    }
    bv_wr_str(w, "\n]");
  } else if (is(name, n, "title") || is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    if (is(name, n, "title"))
      bv_procs_bars_title(&t, c->s, bars);
    else
      bv_procs_bars_subtitle(&t, c->s, bars);
    if (t.failed)
      b->failed = 1;
    int sub = is(name, n, "subtitle"); /* a list, as the scatter's */
    bv_wr_str(w, sub ? "[" : "");
    bv_wr_json(w, t.data ? t.data : "");
    bv_wr_str(w, sub ? "]" : "");
    bv_buf_dispose(&t);
  } else if (is(name, n, "x_scale")) {
    /* from 0, niced to the axis' ticks; no bars: 0 .. 1 (as the image) */
    if (bars->max > 0)
      bv_buf_printf(b, "{\"zero\": true, \"nice\": %d}", bv_procs_bars_ticks(bars));
    else
      bv_buf_puts(b, "{\"domain\": [0, 1]}");
  } else if (is(name, n, "ticks")) {
    bv_buf_printf(b, "%d", bv_procs_bars_ticks(bars));
  } else if (is(name, n, "step")) {
    bv_buf_printf(b, "%d", BV_BARS_STEP);
  } else if (is(name, n, "label_limit")) {
    bv_buf_printf(b, "%d", BV_BARS_LABEL_LIMIT);
  } else if (is(name, n, "by")) {
    bv_buf_puts(b, "\"bar\"");
  } else if (is(name, n, "x_title")) {
    bv_wr_json(w, bv_procs_bars_axis_title(bars));
  } else if (is(name, n, "tooltip")) {
    bv_buf_puts(b, "[{\"field\": \"who\", \"type\": \"nominal\"}, "
                   "{\"field\": \"pid\", \"type\": \"nominal\"}");
    static const bv_proc_field tip[] = {BV_PF_MEMORY, BV_PF_REDUCTIONS,
                                        BV_PF_MESSAGE_QUEUE_LEN, BV_PF_REDUCTIONS_PER_SEC,
                                        BV_PF_MEMORY_CHANGE, BV_PF_MESSAGE_QUEUE_LEN_CHANGE};
    /* the bars' field first, then the others the rows carry */
    bv_proc_field order[1 + sizeof tip / sizeof *tip];
    size_t no = 0;
    order[no++] = bars->by;
    for (size_t i = 0; i < sizeof tip / sizeof *tip; i++)
      if (tip[i] != bars->by && (c->s->window_ms || !bv_proc_field_window(tip[i])))
        order[no++] = tip[i];
    for (size_t i = 0; i < no; i++)
      bv_buf_printf(b, ", {\"field\": \"%s\", \"type\": \"quantitative\", \"format\": \"%s\"}",
                    bv_proc_field_name(order[i]),
                    order[i] == BV_PF_REDUCTIONS_PER_SEC ? ",.3~f" : ",d");
    if (c->s->window_ms)
      bv_buf_puts(b, ", {\"field\": \"window\", \"type\": \"nominal\"}");
    if (c->s->nnodes)
      bv_buf_puts(b, ", {\"field\": \"node\", \"type\": \"nominal\"}");
    bv_buf_puts(b, ", {\"field\": \"current_function\", \"type\": \"nominal\"}]");
  } else {
    bv_buf_puts(b, "null");
  }
}

int bv_emit_procs_bars_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                                bv_out *out, bv_emit_info *info)
{
  (void)fmt;
  (void)info;
  const bv_snapshot *s = NULL;
  bv_procs_bars bars;
  bv_procs_view v;
  int rc = snapshot_of(m, &s);
  /* the scatter's fields are refused alike whatever the chart */
  if (rc || (rc = bv_procs_view_fields_for(o, s, &v)))
    return rc;
  if ((rc = bv_procs_bars_make(s, o, &bars))) {
    bv_procs_bars_dispose(&bars);
    return rc;
  }
  const char *tmpl = bv_template("procs_bar.vl.json", NULL);
  if (!tmpl) {
    bv_procs_bars_dispose(&bars);
    return bv_error_set(BV_EINVAL, "no embedded template procs_bar.vl.json");
  }
  bars_ctx c = {s, &bars};
  bv_wr w;
  bv_wr_init(&w, out);
  rc = bv_wr_template(&w, tmpl, bars_fill, &c);
  int rc2 = bv_wr_finish(&w);
  bv_procs_bars_dispose(&bars);
  return rc ? rc : rc2;
}
