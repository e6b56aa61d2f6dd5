/* procs_out.c: the process snapshot written as JSON (the model file), CSV
 * and Vega-Lite, and read back from its model file. Everything is streamed
 * through a 64 KiB buffer: a million points never become a tree in memory. */
#include "emit/emit.h"
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>



int bv_snapshot_write_csv(const bv_snapshot *s, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "pid,name,reductions,memory,status,message_queue_len,current_function,"
                "initial_call\r\n");
  for (size_t i = 0; i < s->n; i++) {
    const bv_proc *p = &s->procs[i];
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
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  return bv_wr_finish(&w);
}

/* --- Vega-Lite ------------------------------------------------------------------ */

typedef struct vl_ctx {
  const bv_snapshot *s;
  bv_procs_chart c;
  size_t zeros;
  size_t colors;           /* distinct values of the colour field */
  int fields[BV_PF_COUNT]; /* which fields each data point carries */
} vl_ctx;

static int is(const char *name, size_t n, const char *want)
{
  return strlen(want) == n && memcmp(name, want, n) == 0;
}

#define ZERO_LABEL "0, drawn at 1"
#define MAX_LEGEND 30
#define REAL_LABEL "as measured"

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const vl_ctx *v = ud;
  const bv_snapshot *s = v->s;
  const char *x = bv_proc_field_name(v->c.x), *y = bv_proc_field_name(v->c.y);
  bv_buf *b = &w->b;
  if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "Processes on %s: %s against %s", s->node ? s->node : "?", y, x);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_wr_str(w, "[");
    size_t listed = s->total > s->skipped ? s->total - s->skipped : s->n;
    if (s->n < listed)
      bv_buf_printf(&t, "%zu of %zu processes", s->n, listed);
    else
      bv_buf_printf(&t, "%zu processes", s->n);
    if (s->otp_release && *s->otp_release)
      bv_buf_printf(&t, ", OTP %s", s->otp_release);
    if (s->skipped)
      bv_buf_printf(&t, "; %zu exited while being read (skipped)", s->skipped);
    bv_wr_json(w, t.data);
    if (v->colors > MAX_LEGEND) {
      t.len = 0;
      bv_buf_printf(&t, "colour by %s: %zu values, too many for a legend (see the tooltip)",
                    bv_proc_field_name(v->c.color), v->colors);
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    if (v->zeros) {
      t.len = 0;
      bv_buf_printf(&t,
                    "%zu point%s with %s or %s = 0 drawn at 1 (the log axis floor) as "
                    "squares; the tooltip shows the real value",
                    v->zeros, v->zeros == 1 ? "" : "s", x, y);
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    bv_wr_str(w, "]");
    bv_buf_dispose(&t);
  } else if (is(name, n, "x_calc") || is(name, n, "y_calc")) {
    bv_buf_printf(b, "\"max(datum.%s, 1)\"", is(name, n, "x_calc") ? x : y);
  } else if (is(name, n, "zero_calc")) {
    bv_buf_printf(b, "\"datum.%s == 0 || datum.%s == 0 ? '%s' : '%s'\"", x, y, ZERO_LABEL,
                  REAL_LABEL);
  } else if (is(name, n, "x_title")) {
    bv_buf_printf(b, "\"%s (log)\"", x);
  } else if (is(name, n, "y_title")) {
    bv_buf_printf(b, "\"%s (log)\"", y);
  } else if (is(name, n, "color")) {
    bv_buf_printf(b, "\"%s\"", bv_proc_field_name(v->c.color));
  } else if (is(name, n, "legend")) {
    /* Vega filters (and warns about) legends longer than its symbol limit */
    bv_buf_puts(b, v->colors > MAX_LEGEND ? "null" : "{\"symbolLimit\": 30}");
  } else if (is(name, n, "shape")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"field\": \"plotted\", \"type\": \"nominal\", \"title\": \"value\", "
                     "\"scale\": {\"domain\": [\"" REAL_LABEL "\", \"" ZERO_LABEL "\"], "
                     "\"range\": [\"circle\", \"square\"]}}");
    else
      bv_buf_puts(b, "{\"value\": \"circle\"}");
  } else if (is(name, n, "opacity")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"condition\": {\"test\": \"datum.plotted == '" ZERO_LABEL "'\", "
                     "\"value\": 0.5}, \"value\": 0.8}");
    else
      bv_buf_puts(b, "{\"value\": 0.8}");
  } else if (is(name, n, "tooltip")) {
    bv_buf_puts(b, "[{\"field\": \"pid\", \"type\": \"nominal\"}");
    for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
      if (v->fields[f])
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
  vl_ctx v;
  bv_intern seen;             /* distinct colour values, counted up to MAX_LEGEND + 1 */
  const char *last_color;     /* the previous row's colour text (interned: compare pointers) */
  int any_color;
  const char *rest;           /* the skeleton after "@values@" */
  size_t rows;
  bv_proc_fields fs; /* what each data point carries, pid first */
  bv_buf pid;
};

#define VALUES_SLOT "\"@values@\""

void bv_procs_vl_abort(bv_procs_vl *st)
{
  if (!st)
    return;
  bv_buf_dispose(&st->w.b);
  bv_buf_dispose(&st->pid);
  bv_intern_dispose(&st->seen);
  free(st);
}

int bv_procs_vl_begin(const bv_procs_chart *chart, bv_out *out, bv_procs_vl **stp)
{
  *stp = NULL;
  bv_procs_vl *st = calloc(1, sizeof *st);
  if (!st)
    return bv_error_set(BV_ENOMEM, "out of memory");
  vl_ctx *v = &st->v;
  v->c.x = BV_PF_REDUCTIONS;
  v->c.y = BV_PF_MEMORY;
  v->c.color = BV_PF_STATUS;
  if (chart) {
    if (chart->x != BV_PF_NONE && chart->x != BV_PF_PID)
      v->c.x = chart->x;
    if (chart->y != BV_PF_NONE && chart->y != BV_PF_PID)
      v->c.y = chart->y;
    if (chart->color != BV_PF_NONE && chart->color != BV_PF_PID)
      v->c.color = chart->color;
  }
  int rc = bv_procs_chart_check(&v->c);
  if (rc) {
    free(st);
    return rc;
  }
  const char *tmpl = bv_template("procs.vl.json", NULL);
  const char *slot = tmpl ? strstr(tmpl, VALUES_SLOT) : NULL;
  if (!slot) {
    free(st);
    return bv_error_set(BV_EINVAL, "no embedded template procs.vl.json with " VALUES_SLOT);
  }
  if ((rc = bv_intern_init(&st->seen))) {
    free(st);
    return rc;
  }
  st->rest = slot + strlen(VALUES_SLOT);
  bv_buf_init(&st->pid);
  bv_wr_init(&st->w, out);
  /* What the tooltip shows (the notebook's pid, plus name, current function
   * and queue length), the axes and the colour. */
  v->fields[BV_PF_NAME] = v->fields[BV_PF_STATUS] = v->fields[BV_PF_CURRENT_FUNCTION] = 1;
  v->fields[BV_PF_MESSAGE_QUEUE_LEN] = v->fields[BV_PF_REDUCTIONS] = v->fields[BV_PF_MEMORY] = 1;
  v->fields[v->c.x] = v->fields[v->c.y] = v->fields[v->c.color] = 1;
  bv_proc_field fs[BV_PF_COUNT];
  size_t nf = 0;
  fs[nf++] = BV_PF_PID;
  for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
    if (v->fields[f])
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

int bv_procs_vl_rows(bv_procs_vl *st, const bv_snapshot *s, const bv_proc *p, size_t n)
{
  vl_ctx *v = &st->v;
  bv_wr *w = &st->w;
  for (size_t i = 0; i < n && !w->rc; i++, p++) {
    const char *shown = NULL;
    if (s->elixir) { /* #PID<0.1.0>, as the node's own shell prints it */
      st->pid.len = 0;
      bv_pid_display(&st->pid, p->pid, 1);
      if (st->pid.failed)
        return w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
      shown = st->pid.data;
    }
    bv_wr_str(w, st->rows++ ? ",\n" : "\n");
    /* absent texts have no key: the tooltip leaves them out */
    bv_wr_proc(w, p, shown, &st->fs, 0);
    v->zeros += bv_proc_value(p, v->c.x) == 0 || bv_proc_value(p, v->c.y) == 0;
    const char *t = bv_proc_text(p, v->c.color);
    if (v->colors <= MAX_LEGEND && (!st->any_color || t != st->last_color)) {
      int fresh;
      if (!bv_intern_lookup(&st->seen, t ? t : "", t ? strlen(t) + 1 : 0, &fresh))
        return w->rc = bv_error_set(BV_ENOMEM, "out of memory");
      v->colors += (size_t)fresh;
      st->last_color = t;
      st->any_color = 1;
    }
    if (bv_wr_maybe_flush(w))
      break;
  }
  return w->rc;
}

int bv_procs_vl_end(bv_procs_vl *st, const bv_snapshot *s)
{
  st->v.s = s;
  bv_wr_str(&st->w, "\n]");
  int rc = bv_wr_maybe_flush(&st->w);
  if (!rc)
    rc = bv_wr_template(&st->w, st->rest, vl_fill, &st->v);
  int rc2 = bv_wr_finish(&st->w); /* frees the buffer */
  bv_buf_dispose(&st->pid);
  bv_intern_dispose(&st->seen);
  free(st);
  return rc ? rc : rc2;
}

int bv_snapshot_write_vegalite(const bv_snapshot *s, const bv_procs_chart *chart, bv_out *out)
{
  bv_procs_vl *st;
  int rc = bv_procs_vl_begin(chart, out, &st);
  if (rc)
    return rc;
  if ((rc = bv_procs_vl_rows(st, s, s->procs, s->n))) {
    bv_procs_vl_abort(st);
    return rc;
  }
  return bv_procs_vl_end(st, s);
}

