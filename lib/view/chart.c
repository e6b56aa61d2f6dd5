/* view/chart.c: the chart views. For the process scatter: which fields are
 * drawn (one check), the colour domain in one order with one legend rule, and
 * the zero marks; for the memory lines: the kinds, the unit and the axes.
 * Vega-Lite (emit/) and the images (layout/) both draw from here. */
#include "view/view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y)
{
  size_t z = 0;
  for (size_t i = 0; i < s->n; i++)
    z += bv_proc_num(&s->procs[i], x) <= 0 || bv_proc_num(&s->procs[i], y) <= 0;
  return z;
}


/* --- colours --------------------------------------------------------------- */

/* vega-scale's schemes (src/schemes.js), category10 and category20 */
static const uint32_t category10[10] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};
static const uint32_t category20[20] = {
    0x1F77B4, 0xAEC7E8, 0xFF7F0E, 0xFFBB78, 0x2CA02C, 0x98DF8A, 0xD62728,
    0xFF9896, 0x9467BD, 0xC5B0D5, 0x8C564B, 0xC49C94, 0xE377C2, 0xF7B6D2,
    0x7F7F7F, 0xC7C7C7, 0xBCBD22, 0xDBDB8D, 0x17BECF, 0x9EDAE5};

const char *bv_chart_scheme(size_t n)
{
  return n > BV_CHART_CAT10_MAX ? "category20" : "category10";
}

uint32_t bv_chart_rgb(size_t n, size_t i)
{
  return n > BV_CHART_CAT10_MAX ? category20[i % 20] : category10[i % 10];
}

/* --- axes ------------------------------------------------------------------- */

bv_scale_kind bv_chart_scale_for(const bv_snapshot *s, bv_proc_field f)
{
  if (f != BV_PF_MESSAGE_QUEUE_LEN || !s->n)
    return BV_SCALE_LOG;
  size_t low = 0;
  for (size_t i = 0; i < s->n; i++)
    low += bv_proc_value(&s->procs[i], f) <= 1;
  return 2 * low >= s->n ? BV_SCALE_SYMLOG : BV_SCALE_LOG;
}

static double fwd(bv_scale_kind k, double v)
{
  return k == BV_SCALE_SYMLOG ? copysign(log10(1 + fabs(v)), v) : log10(v);
}

void bv_chart_axis_make(bv_chart_axis *a, bv_scale_kind kind, double lo, double hi)
{
  memset(a, 0, sizeof *a);
  a->kind = kind;
  if (kind == BV_SCALE_LOG) {
    if (!(lo >= 1))
      lo = 1;
    if (!(hi >= lo))
      hi = lo;
    if (hi == lo) { /* one value: the decade around it */
      lo = pow(10, floor(log10(lo) + 1e-9));
      hi = lo * 10;
    }
  } else {
    if (!(lo >= 0))
      lo = 0;
    if (!(hi > lo))
      hi = lo + 1;
  }
  a->lo = lo, a->hi = hi;
  if (kind == BV_SCALE_SYMLOG && lo <= 0) {
    a->ticks[a->n] = 0;
    a->decade[a->n++] = 1;
  }
  double p = pow(10, floor(log10(lo > 1 ? lo : 1) + 1e-9));
  for (; p <= hi * 1.0000001 && a->n < BV_CHART_TICKS_MAX; p *= 10) {
    static const double mult[3] = {1, 2, 5};
    for (int k = 0; k < 3 && a->n < BV_CHART_TICKS_MAX; k++) {
      double v = p * mult[k];
      if (v > hi * 1.0000001)
        break;
      if (v < lo * 0.9999999)
        continue;
      a->decade[a->n] = k == 0;
      a->ticks[a->n++] = v;
    }
  }
}

double bv_chart_axis_t(const bv_chart_axis *a, double v)
{
  double l = fwd(a->kind, a->lo), h = fwd(a->kind, a->hi);
  return h > l ? (fwd(a->kind, v) - l) / (h - l) : 0;
}

void bv_chart_label_keep(const bv_chart_axis *a, const double *centre, const double *half,
                         double gap, unsigned char *keep)
{
  memset(keep, 0, a->n);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < a->n; i++) {
      if (keep[i] || (pass == 0) != (a->decade[i] != 0))
        continue;
      int clear = 1;
      for (size_t j = 0; j < a->n && clear; j++)
        if (keep[j] && fabs(centre[i] - centre[j]) < half[i] + half[j] + gap)
          clear = 0;
      keep[i] = (unsigned char)clear;
    }
}

/* --- process scatter ------------------------------------------------------ */

#define COLOR_FIELDS "status|name|label|current_function|initial_call|window|node"

static int color_field(bv_proc_field f)
{
  return f == BV_PF_STATUS || f == BV_PF_NAME || f == BV_PF_CURRENT_FUNCTION ||
         f == BV_PF_INITIAL_CALL || f == BV_PF_LABEL || f == BV_PF_WINDOW || f == BV_PF_NODE;
}

/* --- a process in the node's syntax ---------------------------------------- */

int bv_procs_disp_init(bv_procs_disp *d, int elixir)
{
  memset(d, 0, sizeof *d);
  d->elixir = elixir;
  bv_buf_init(&d->pid);
  bv_buf_init(&d->who);
  if (!(d->arena = bv_arena_new()) || bv_intern_init(&d->calls) || bv_intern_init(&d->whos)) {
    bv_procs_disp_dispose(d);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  return 0;
}

void bv_procs_disp_dispose(bv_procs_disp *d)
{
  bv_intern_dispose(&d->calls);
  bv_intern_dispose(&d->whos);
  bv_arena_free(d->arena);
  bv_buf_dispose(&d->pid);
  bv_buf_dispose(&d->who);
  memset(d, 0, sizeof *d);
}

const char *bv_procs_disp_call(bv_procs_disp *d, const char *t)
{
  if (!t || !d->elixir)
    return t;
  int fresh;
  const char **slot = bv_intern_lookup(&d->calls, &t, sizeof t, &fresh);
  if (!slot)
    return NULL;
  if (fresh) {
    bv_buf b;
    bv_buf_init(&b);
    bv_mfa_display(&b, t, 1);
    *slot = b.failed ? NULL : bv_arena_strndup(d->arena, b.data ? b.data : "", b.len);
    bv_buf_dispose(&b);
    if (!*slot) { /* not kept: asked again, it is tried again */
      *slot = t;
      return NULL;
    }
  }
  return *slot;
}

int bv_procs_disp_row(bv_procs_disp *d, const bv_proc *p, bv_proc *out)
{
  *out = *p;
  if (!d->elixir)
    return 0;
  d->pid.len = 0;
  bv_pid_display(&d->pid, p->pid, 1);
  out->pid = d->pid.data;
  out->current_function = bv_procs_disp_call(d, p->current_function);
  out->initial_call = bv_procs_disp_call(d, p->initial_call);
  if (d->pid.failed || (p->current_function && !out->current_function) ||
      (p->initial_call && !out->initial_call))
    return bv_error_set(BV_ENOMEM, "out of memory");
  return 0;
}

const char *bv_procs_disp_who(bv_procs_disp *d, const bv_proc *p)
{
  bv_ident id = {p->name, p->label, NULL, p->initial_call, p->pid};
  d->who.len = 0;
  bv_ident_display(&d->who, &id, d->elixir);
  return d->who.failed ? NULL : d->who.data ? d->who.data : "";
}

const char *bv_procs_view_text(bv_procs_view *v, const bv_proc *p)
{
  const char *t = NULL;
  switch (v->color) {
  case BV_PF_NAME: {
    const char *w = bv_procs_disp_who(v->disp, p);
    int fresh;
    const char **slot = w ? bv_intern_lookup(&v->disp->whos, w, strlen(w), &fresh) : NULL;
    if (slot && fresh && !(*slot = bv_arena_strdup(v->disp->arena, w)))
      slot = NULL;
    if (!slot) {
      v->oom = 1;
      return NULL;
    }
    return *slot;
  }
  case BV_PF_CURRENT_FUNCTION:
  case BV_PF_INITIAL_CALL:
    t = bv_proc_text(p, v->color);
    if (t && !(t = bv_procs_disp_call(v->disp, t)))
      v->oom = 1;
    return t;
  default: return bv_proc_text(p, v->color);
  }
}

const char *bv_procs_view_color_key(const bv_procs_view *v)
{
  return v->color == BV_PF_NAME ? "who" : bv_proc_field_name(v->color);
}

int bv_procs_view_fields_for(const bv_emit_opts *o, const bv_snapshot *s, bv_procs_view *v)
{
  memset(v, 0, sizeof *v);
  const char *xn = o ? o->x : NULL, *yn = o ? o->y : NULL, *cn = o ? o->color : NULL;
  /* over a window, x is what happened in it */
  v->x = xn ? bv_proc_field_from_name(xn)
            : s && s->window_ms ? BV_PF_REDUCTIONS_PER_SEC : BV_PF_REDUCTIONS;
  v->y = yn ? bv_proc_field_from_name(yn) : BV_PF_MEMORY;
  /* a cluster's points are coloured by node unless told otherwise */
  v->color = cn ? bv_proc_field_from_name(cn) : s && s->nnodes ? BV_PF_NODE : BV_PF_STATUS;
  int rc;
  if (!bv_proc_field_axis(v->x))
    return bv_error_set(BV_EINVAL, "x field '%s' is not one of " BV_PF_AXIS_NAMES, xn);
  if (!bv_proc_field_axis(v->y))
    return bv_error_set(BV_EINVAL, "y field '%s' is not one of " BV_PF_AXIS_NAMES, yn);
  if (!color_field(v->color))
    return bv_error_set(BV_EINVAL, "color field '%s' is not one of " COLOR_FIELDS, cn);
  if (v->x == v->y)
    return bv_error_set(BV_EINVAL, "x and y are both '%s'", bv_proc_field_name(v->x));
  if (s && ((rc = bv_snapshot_field_check(s, v->x)) || (rc = bv_snapshot_field_check(s, v->y)) ||
            (rc = bv_snapshot_field_check(s, v->color))))
    return rc;
  return 0;
}

int bv_procs_view_fields(const bv_emit_opts *o, bv_procs_view *v)
{
  return bv_procs_view_fields_for(o, NULL, v);
}

/* absent first, then byte order (Vega sorts a nominal domain so, null first) */
static int cmp_color(const void *a, const void *b)
{
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  if (!x || !y)
    return (x != NULL) - (y != NULL);
  return strcmp(x, y);
}

int bv_procs_view_make(const bv_snapshot *s, const bv_emit_opts *o, bv_procs_view *v)
{
  int rc = bv_procs_view_fields_for(o, s, v);
  if (rc)
    return rc;
  if (!(v->disp = malloc(sizeof *v->disp)))
    return bv_error_set(BV_ENOMEM, "out of memory (chart colours)");
  if ((rc = bv_procs_disp_init(v->disp, s->elixir))) {
    free(v->disp);
    v->disp = NULL;
    return rc;
  }
  /* One pass: zeros, and the distinct texts by pointer (texts the collector
   * and the loader intern share one pointer, so a million rows coloured by
   * status are a few hash lookups); equal texts at different addresses are
   * merged after sorting. */
  v->xscale = bv_chart_scale_for(s, v->x);
  v->yscale = bv_chart_scale_for(s, v->y);
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  bv_intern seen;
  if ((rc = bv_intern_init(&seen)))
    return rc;
  size_t cap = 16, n = 0;
  const char **dom = malloc(cap * sizeof *dom);
  const char *last = NULL;
  int any = 0;
  for (size_t i = 0; i < s->n && dom; i++) {
    const bv_proc *p = &s->procs[i];
    double xv = bv_proc_num(p, v->x), yv = bv_proc_num(p, v->y);
    v->zeros += (v->xscale == BV_SCALE_LOG && xv <= 0) || (v->yscale == BV_SCALE_LOG && yv <= 0);
    xlo = fmin(xlo, xv), xhi = fmax(xhi, xv), ylo = fmin(ylo, yv), yhi = fmax(yhi, yv);
    const char *t = bv_procs_view_text(v, p);
    if (v->oom) {
      free(dom);
      dom = NULL;
      break;
    }
    if (any && t == last)
      continue;
    last = t;
    any = 1;
    int fresh;
    if (!bv_intern_lookup(&seen, &t, sizeof t, &fresh)) {
      free(dom);
      dom = NULL;
      break;
    }
    if (!fresh)
      continue;
    if (n == cap) {
      const char **nd = realloc(dom, 2 * cap * sizeof *dom);
      if (!nd) {
        free(dom);
        dom = NULL;
        break;
      }
      dom = nd;
      cap *= 2;
    }
    dom[n++] = t;
  }
  bv_intern_dispose(&seen);
  if (!dom)
    return bv_error_set(BV_ENOMEM, "out of memory (chart colours)");
  qsort(dom, n, sizeof *dom, cmp_color);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!k || cmp_color(&dom[k - 1], &dom[i]) != 0)
      dom[k++] = dom[i];
  v->colors = dom;
  v->ncolors = k;
  /* the data's extent: zeros at 1 on a log axis (its floor) */
  if (!s->n)
    xlo = ylo = 1, xhi = yhi = 10;
  if (v->xscale == BV_SCALE_LOG)
    xlo = fmax(xlo, 1), xhi = fmax(xhi, 1);
  if (v->yscale == BV_SCALE_LOG)
    ylo = fmax(ylo, 1), yhi = fmax(yhi, 1);
  bv_chart_axis_make(&v->xaxis, v->xscale, xlo, xhi);
  bv_chart_axis_make(&v->yaxis, v->yscale, ylo, yhi);
  v->legend = k > BV_CHART_LEGEND_MAX ? BV_CHART_LEGEND_MAX : k;
  v->more = k - v->legend;
  return 0;
}

void bv_procs_view_dispose(bv_procs_view *v)
{
  if (v->disp) {
    bv_procs_disp_dispose(v->disp);
    free(v->disp);
    v->disp = NULL;
  }
  free(v->colors);
  v->colors = NULL;
  v->ncolors = v->legend = v->more = 0;
}

size_t bv_procs_view_color(const bv_procs_view *v, const char *t)
{
  size_t lo = 0, hi = v->ncolors;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_color(&v->colors[mid], &t) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

const char *bv_procs_view_label(const bv_procs_view *v, size_t i)
{
  return i < v->ncolors && v->colors[i] ? v->colors[i] : BV_CHART_NONE_LABEL;
}

int bv_procs_view_title(bv_buf *b, const bv_snapshot *s, const bv_procs_view *v)
{
  return bv_buf_printf(b, "Processes on %s: %s against %s", s->node ? s->node : "?",
                       bv_proc_field_name(v->y), bv_proc_field_name(v->x));
}

int bv_procs_view_nodes(bv_buf *b, const bv_snapshot *s)
{
  if (!s->nnodes)
    return 0;
  size_t ok = 0, failed = 0;
  for (size_t i = 0; i < s->nnodes; i++)
    ok += s->nodes[i].code == BV_OK;
  bv_buf_printf(b, "; %zu of %zu nodes", ok, s->nnodes);
  for (size_t i = 0; i < s->nnodes; i++)
    if (s->nodes[i].code != BV_OK)
      bv_buf_printf(b, "%s%s (%s)", failed++ ? ", " : "; failed: ", s->nodes[i].node,
                    bv_error_name(s->nodes[i].code));
  return b->failed ? BV_ENOMEM : 0;
}

int bv_procs_view_counts(bv_buf *b, const bv_snapshot *s)
{
  size_t listed = s->total > s->skipped ? s->total - s->skipped : s->n;
  if (s->n < listed)
    bv_buf_printf(b, "%zu of %zu processes", s->n, listed);
  else
    bv_buf_printf(b, "%zu processes", s->n);
  if (s->otp_release && *s->otp_release)
    bv_buf_printf(b, ", OTP %s", s->otp_release);
  if (s->window_ms)
    bv_buf_printf(b, "; over %.0f ms: %zu born, %zu gone", s->window_measured_ms, s->born,
                  s->gone);
  if (s->skipped)
    bv_buf_printf(b, "; %zu exited while being read (skipped)", s->skipped);
  bv_procs_view_nodes(b, s);
  return b->failed ? BV_ENOMEM : 0;
}

int bv_procs_view_zeros_note(bv_buf *b, const bv_procs_view *v)
{
  if (!v->zeros)
    return 0;
  int xl = v->xscale == BV_SCALE_LOG, yl = v->yscale == BV_SCALE_LOG;
  if (xl && yl)
    return bv_buf_printf(b, "%zu point%s with %s or %s = 0 drawn at 1 (the log axis floor) as squares",
                         v->zeros, v->zeros == 1 ? "" : "s", bv_proc_field_name(v->x),
                         bv_proc_field_name(v->y));
  return bv_buf_printf(b, "%zu point%s with %s = 0 drawn at 1 (the log axis floor) as squares",
                       v->zeros, v->zeros == 1 ? "" : "s", bv_proc_field_name(xl ? v->x : v->y));
}

int bv_procs_view_more(bv_buf *b, const bv_procs_view *v)
{
  return bv_buf_printf(b, "\xE2\x80\xA6 and %zu more", v->more);
}

/* --- top-N bars -------------------------------------------------------------- */

static void thousands(bv_buf *t, double v)
{
  char raw[64];
  snprintf(raw, sizeof raw, "%.0f", fabs(v) < 0.5 ? 0.0 : v);
  const char *p = raw;
  if (*p == '-')
    bv_buf_put(t, p++, 1);
  size_t n = strlen(p);
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0)
      bv_buf_puts(t, ",");
    bv_buf_put(t, p + i, 1);
  }
}

int bv_chart_value_text(bv_buf *t, bv_proc_field f, double v)
{
  /* a change says its sign */
  if ((f == BV_PF_MEMORY_CHANGE || f == BV_PF_MESSAGE_QUEUE_LEN_CHANGE) && v > 0)
    bv_buf_puts(t, "+");
  if (f == BV_PF_REDUCTIONS_PER_SEC && fabs(v) < 99.95) {
    bv_buf_printf(t, "%.1f", v);
    return t->failed ? BV_ENOMEM : 0;
  }
  if (f != BV_PF_MEMORY && f != BV_PF_MEMORY_CHANGE) {
    thousands(t, v);
    return t->failed ? BV_ENOMEM : 0;
  }
  static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double a = fabs(v);
  int u = 0;
  while (a >= 999.5 && u < 5) {
    a /= 1000;
    v /= 1000;
    u++;
  }
  if (!u)
    bv_buf_printf(t, "%.0f B", v);
  else
    bv_buf_printf(t, "%.*f %s", a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2, v, unit[u]);
  return t->failed ? BV_ENOMEM : 0;
}

int bv_procs_bars_make(const bv_snapshot *s, const bv_emit_opts *o, bv_procs_bars *b)
{
  memset(b, 0, sizeof *b);
  /* over a window: the busiest now */
  b->by = bv_snapshot_rank_field(s, o ? o->by : NULL);
  if (!bv_proc_field_numeric(b->by))
    return bv_error_set(BV_EINVAL, "by field '%s' is not one of " BV_PF_NUMERIC_NAMES, o->by);
  int rc = bv_snapshot_field_check(s, b->by);
  if (rc)
    return rc;
  rc = bv_procs_disp_init(&b->disp, s->elixir);
  if (rc)
    return rc;
  b->total = s->n;
  b->n = s->n < BV_CHART_BARS_MAX ? s->n : BV_CHART_BARS_MAX;
  size_t *ord = bv_snapshot_order(s, b->by);
  b->rows = bv_arena_alloc(b->disp.arena, (b->n ? b->n : 1) * sizeof *b->rows);
  b->who = bv_arena_alloc(b->disp.arena, (b->n ? b->n : 1) * sizeof *b->who);
  b->value = bv_arena_alloc(b->disp.arena, (b->n ? b->n : 1) * sizeof *b->value);
  if (!ord || !b->rows || !b->who || !b->value) {
    free(ord);
    return bv_error_set(BV_ENOMEM, "out of memory (bars)");
  }
  bv_buf t;
  bv_buf_init(&t);
  for (size_t i = 0; i < b->n; i++) {
    const bv_proc *p = &s->procs[ord[i]];
    b->rows[i] = p;
    const char *w = bv_procs_disp_who(&b->disp, p);
    /* across a cluster: who, on which node */
    b->who[i] = !w ? NULL
                : p->node ? bv_arena_printf(b->disp.arena, "%s on %s", w, p->node)
                          : bv_arena_strdup(b->disp.arena, w);
    /* one row per name (Vega-Lite's nominal axis would stack equal names):
     * a name met before gets the pid (two registered names are never equal
     * on one node, a model file may say so), then the rank */
    for (int pass = 0; pass < 2 && b->who[i]; pass++) {
      size_t j = 0;
      while (j < i && strcmp(b->who[j], b->who[i]) != 0)
        j++;
      if (j == i)
        break;
      t.len = 0;
      bv_buf_puts(&t, b->who[i]);
      if (pass == 0) {
        bv_buf_puts(&t, " ");
        bv_pid_display(&t, p->pid, s->elixir);
      } else {
        bv_buf_printf(&t, " (#%zu)", i + 1);
      }
      b->who[i] = t.failed ? NULL : bv_arena_strndup(b->disp.arena, t.data, t.len);
    }
    double v = bv_proc_num(p, b->by);
    b->max = fmax(b->max, v);
    t.len = 0;
    bv_chart_value_text(&t, b->by, v);
    b->value[i] = t.failed ? NULL : bv_arena_strndup(b->disp.arena, t.data ? t.data : "", t.len);
    if (!b->who[i] || !b->value[i]) {
      rc = bv_error_set(BV_ENOMEM, "out of memory (bars)");
      break;
    }
  }
  bv_buf_dispose(&t);
  free(ord);
  return rc;
}

void bv_procs_bars_dispose(bv_procs_bars *b)
{
  bv_procs_disp_dispose(&b->disp);
  memset(b, 0, sizeof *b);
}

int bv_procs_bars_title(bv_buf *t, const bv_snapshot *s, const bv_procs_bars *b)
{
  const char *node = s->node ? s->node : "?";
  if (b->by == BV_PF_REDUCTIONS_PER_SEC) {
    if (b->n == 1)
      return bv_buf_printf(t, "The busiest process on %s now: reductions per second over %u ms",
                           node, s->window_ms);
    return bv_buf_printf(t, "The %zu busiest processes on %s now: reductions per second over %u ms",
                         b->n, node, s->window_ms);
  }
  const char *what = b->by == BV_PF_MEMORY              ? "the most memory"
                     : b->by == BV_PF_MESSAGE_QUEUE_LEN ? "the longest message queues"
                     : b->by == BV_PF_MEMORY_CHANGE     ? "the most memory gained"
                     : b->by == BV_PF_MESSAGE_QUEUE_LEN_CHANGE ? "the fastest growing message queues"
                                                        : "the most reductions";
  const char *over = bv_proc_field_window(b->by) ? " over the window" : "";
  if (b->n == 1)
    return bv_buf_printf(t, "The process on %s with %s%s",  node,
                         b->by == BV_PF_MESSAGE_QUEUE_LEN ? "the longest message queue"
                         : b->by == BV_PF_MESSAGE_QUEUE_LEN_CHANGE ? "the fastest growing message queue"
                                                                   : what, over);
  return bv_buf_printf(t, "The %zu processes on %s with %s%s", b->n, node, what, over);
}

int bv_procs_bars_subtitle(bv_buf *t, const bv_snapshot *s, const bv_procs_bars *b)
{
  bv_procs_view_counts(t, s);
  if (b->n < b->total)
    bv_buf_printf(t, "; the %zu largest of %zu shown", b->n, b->total);
  return t->failed ? BV_ENOMEM : 0;
}

int bv_procs_bars_ticks(const bv_procs_bars *b)
{
  return b->max >= BV_BARS_TICKS ? BV_BARS_TICKS : b->max > 1 ? (int)ceil(b->max) : 1;
}

const char *bv_procs_bars_axis_title(const bv_procs_bars *b)
{
  return b->by == BV_PF_MEMORY          ? "memory (bytes)"
         : b->by == BV_PF_MEMORY_CHANGE ? "memory_change (bytes)"
                                        : bv_proc_field_name(b->by);
}

/* --- memory lines --------------------------------------------------------- */

/* a kind is small when its largest value * 100 < total's largest * PCT,
 * in integers (no rounding at the boundary) */
static int small_kind(uint64_t kmax, uint64_t tmax)
{
  const uint64_t div = 100 / BV_MEM_SMALL_PCT;
  uint64_t q = tmax / div, r = tmax % div;
  return kmax < q || (kmax == q && r > 0);
}

/* A cluster view's nodes: the first BV_MEM_MAX_NODES collected, each with
 * its own first sample's time and iteration. */
static void cluster_series(const bv_memseries *m, bv_memory_view *v)
{
  v->cluster = 1;
  for (size_t k = 0; k < m->nnodes; k++) {
    if (m->nodes[k].code != BV_OK) {
      v->failed++;
      continue;
    }
    if (v->nseries == BV_MEM_MAX_NODES) {
      v->left_out++;
      continue;
    }
    v->series[v->nseries] = m->nodes[k].node;
    v->node[v->nseries++] = (uint32_t)k;
  }
  int seen[BV_MEM_MAX_NODES] = {0};
  for (size_t i = 0; i < m->n; i++) {
    int j = bv_memory_view_line(v, m, i);
    if (j < 0)
      continue;
    const bv_memsample *s = &m->samples[i];
    if (!seen[j] || s->t_ms < v->t0s[j])
      v->t0s[j] = s->t_ms;
    if (!seen[j] || s->iter < v->iter0[j])
      v->iter0[j] = s->iter;
    seen[j]++;
  }
  /* scheduled: every node's samples have one time (a file without times) */
  int more = 0;
  v->scheduled = 1;
  for (size_t i = 0; i < m->n && v->scheduled; i++) {
    int j = bv_memory_view_line(v, m, i);
    if (j < 0)
      continue;
    more |= seen[j] > 1;
    v->scheduled = m->samples[i].t_ms == v->t0s[j];
  }
  v->scheduled = v->scheduled && more;
  size_t most = 0;
  for (size_t j = 0; j < v->nseries; j++)
    most = (size_t)seen[j] > most ? (size_t)seen[j] : most;
  v->points = most <= 60;
}

void bv_memory_view_make(const bv_memseries *m, bv_memory_view *v)
{
  memset(v, 0, sizeof *v);
  v->nkinds = BV_MEM_CHARTED;
  v->kinds = bv_mem_kinds;
  v->unit = 1e6;
  v->unit_name = "MB";
  v->y_title = "Memory usage (MB)";
  v->legend_title = "memory";
  if (m->nnodes) {
    cluster_series(m, v);
    v->legend_title = "node";
  } else {
    /* markers while there are few samples: a single sample has no line */
    v->points = m->n <= 60;
    /* time: the target's own clock; a model without times gets the schedule */
    /* from the earliest sample (a hand-made file may not be in time order) */
    v->t0 = m->n ? m->samples[0].t_ms : 0;
    for (size_t i = 1; i < m->n; i++)
      v->t0 = m->samples[i].t_ms < v->t0 ? m->samples[i].t_ms : v->t0;
    v->scheduled = m->n > 1;
    for (size_t i = 1; i < m->n && v->scheduled; i++)
      v->scheduled = m->samples[i].t_ms == v->t0;
  }
  v->x_ms = 1000;
  uint64_t span = 0;
  for (size_t i = 0; i < m->n; i++) {
    if (bv_memory_view_line(v, m, i) < 0)
      continue;
    uint64_t t = bv_memory_view_ms(v, m, i);
    span = t > span ? t : span;
  }
  if (span >= 5 * 3600 * 1000ull)
    v->x_ms = 3600000, v->x_field = "hours", v->x_title = "hours since the first sample";
  else if (span >= 300 * 1000ull)
    v->x_ms = 60000, v->x_field = "minutes", v->x_title = "minutes since the first sample";
  else
    v->x_field = "seconds", v->x_title = "seconds since the first sample";
  if (v->cluster)
    v->x_title = v->x_ms >= 3600000 ? "hours since each node's first sample"
                 : v->x_ms >= 60000 ? "minutes since each node's first sample"
                                    : "seconds since each node's first sample";
  v->x_max = span ? (double)span / v->x_ms : 1;
  bv_memory_panel *top = &v->panel[0], *low = &v->panel[1];
  if (v->cluster) {
    /* total above, processes below: one line per node in each */
    v->npanels = 2;
    top->nkinds = low->nkinds = 1;
    top->kinds[0] = 0;
    low->kinds[0] = 1;
    top->y_title = "total (MB)";
    low->y_title = "processes (MB)";
    top->height = 260;
    low->height = 180;
    low->x_labels = 1;
    return;
  }
  /* panels: total and the kinds that are not small on top, the small below */
  uint64_t kmax[BV_MEM_CHARTED] = {0};
  for (size_t i = 0; i < m->n; i++)
    for (size_t k = 0; k < BV_MEM_CHARTED; k++)
      if (m->samples[i].bytes[k] > kmax[k])
        kmax[k] = m->samples[i].bytes[k];
  for (size_t k = 0; k < BV_MEM_CHARTED; k++) {
    bv_memory_panel *p = k && m->n && small_kind(kmax[k], kmax[0]) ? low : top;
    p->kinds[p->nkinds++] = k;
  }
  top->y_title = v->y_title;
  if (low->nkinds) {
    v->npanels = 2;
    top->height = 280;
    low->height = 140;
    low->y_title = "Small kinds (MB)";
    low->x_labels = 1;
  } else {
    v->npanels = 1;
    top->height = 400;
    top->x_labels = 1;
  }
}

int bv_memory_view_line(const bv_memory_view *v, const bv_memseries *m, size_t i)
{
  if (!v->cluster)
    return 0;
  uint32_t node = m->samples[i].node;
  /* the drawn nodes are in model order: most samples hit the first test */
  for (size_t j = 0; j < v->nseries; j++)
    if (v->node[j] == node)
      return (int)j;
  return -1;
}

size_t bv_memory_view_nlines(const bv_memory_view *v, const bv_memory_panel *p)
{
  return v->cluster ? v->nseries : p->nkinds;
}

size_t bv_memory_view_line_kind(const bv_memory_view *v, const bv_memory_panel *p, size_t j)
{
  return v->cluster ? p->kinds[0] : p->kinds[j];
}

size_t bv_memory_view_line_color(const bv_memory_view *v, const bv_memory_panel *p, size_t j)
{
  return v->cluster ? j : p->kinds[j];
}

double bv_memory_view_value(const bv_memory_view *v, uint64_t bytes)
{
  return (double)bytes / v->unit;
}

uint64_t bv_memory_view_ms(const bv_memory_view *v, const bv_memseries *m, size_t i)
{
  const bv_memsample *s = &m->samples[i];
  uint64_t t0 = v->t0;
  uint32_t i0 = m->n ? m->samples[0].iter : 0;
  if (v->cluster) {
    int j = bv_memory_view_line(v, m, i);
    if (j < 0)
      return 0;
    t0 = v->t0s[j];
    i0 = v->iter0[j];
  }
  if (v->scheduled)
    return s->iter > i0 ? (uint64_t)(s->iter - i0) * m->interval_ms : 0;
  return s->t_ms > t0 ? s->t_ms - t0 : 0;
}

double bv_memory_view_x(const bv_memory_view *v, const bv_memseries *m, size_t i)
{
  return (double)bv_memory_view_ms(v, m, i) / v->x_ms;
}

/* the smallest of 1, 2, 5 times a power of ten that is at least r */
static double step125(double r)
{
  double p = pow(10, floor(log10(r)));
  static const double f[] = {1, 2, 5, 10};
  for (size_t i = 0; i < 4; i++)
    if (f[i] * p >= r * (1 - 1e-9))
      return f[i] * p;
  return 10 * p;
}

size_t bv_memory_view_xticks(const bv_memory_view *v, double width, double *ticks,
                             int *decimals)
{
  /* steps people read a clock by: below one unit 1-2-5, then the clock's */
  static const double secmin[] = {1, 2, 5, 10, 15, 30, 60};
  static const double hours[] = {1, 2, 3, 6, 12, 24};
  const double *list = v->x_ms >= 3600000 ? hours : secmin;
  size_t nlist = v->x_ms >= 3600000 ? 6 : 7;
  double count = width > 0 ? floor(width / 60) : 10;
  if (count < 2)
    count = 2;
  if (count > BV_MEM_MAX_XTICKS - 2)
    count = BV_MEM_MAX_XTICKS - 2;
  double max = v->x_max > 0 && isfinite(v->x_max) ? v->x_max : 1;
  double r = max / count, step = 0;
  if (r <= 1)
    step = step125(r);
  for (size_t i = 0; i < nlist && !step; i++)
    if (list[i] >= r)
      step = list[i];
  if (!step)
    step = step125(r);
  int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
  double scale = pow(10, dec);
  size_t n = 0;
  for (size_t k = 0; n < BV_MEM_MAX_XTICKS; k++) {
    double t = round((double)k * step * scale) / scale;
    if (t > max * (1 + 1e-9))
      break;
    ticks[n++] = t;
  }
  *decimals = dec;
  return n;
}

int bv_memory_view_title(bv_buf *b, const bv_memseries *m)
{
  return bv_buf_printf(b, "Memory of %s", m->node ? m->node : "?");
}

int bv_memory_view_subtitle(bv_buf *b, const bv_memseries *m)
{
  if (m->nnodes) {
    /* samples per node: the most any node gave */
    size_t most = 0, run = 0;
    for (size_t i = 0; i < m->n; i++) {
      run = i && m->samples[i].node == m->samples[i - 1].node ? run + 1 : 1;
      most = run > most ? run : most;
    }
    size_t ok = 0;
    for (size_t k = 0; k < m->nnodes; k++)
      ok += m->nodes[k].code == BV_OK;
    bv_buf_printf(b, "erlang:memory(), %zu sample%s every %u ms on each of %zu node%s", most,
                  most == 1 ? "" : "s", m->interval_ms, ok, ok == 1 ? "" : "s");
  } else {
    bv_buf_printf(b, "erlang:memory(), %zu sample%s every %u ms", m->n, m->n == 1 ? "" : "s",
                  m->interval_ms);
  }
  if (m->otp_release && *m->otp_release)
    bv_buf_printf(b, ", OTP %s", m->otp_release);
  return b->failed ? BV_ENOMEM : 0;
}

size_t bv_memory_view_nnotes(const bv_memory_view *v)
{
  if (v->cluster)
    return 1 + (v->failed != 0);
  return (v->npanels > 1) + (v->scheduled != 0);
}

/* a cluster view's notes: the time axis (and the nodes left out), the
 * nodes not sampled (three named at most) */
static int cluster_note(bv_buf *b, const bv_memory_view *v, const bv_memseries *m, size_t k)
{
  if (k == 0) {
    bv_buf_puts(b, v->scheduled ? "each node drawn at the interval (no sample times in the file)"
                                : "each node against the time since its own first sample");
    if (v->left_out)
      bv_buf_printf(b, "; the first %zu of %zu nodes drawn", v->nseries,
                    v->nseries + v->left_out);
  } else if (m) {
    size_t named = 0;
    bv_buf_puts(b, "not sampled: ");
    for (size_t i = 0; i < m->nnodes; i++)
      if (m->nodes[i].code != BV_OK && named++ < 3)
        bv_buf_printf(b, "%s%s", named > 1 ? ", " : "", m->nodes[i].node);
    if (named > 3)
      bv_buf_printf(b, " and %zu more", named - 3);
  }
  return b->failed ? BV_ENOMEM : 0;
}

int bv_memory_view_note(bv_buf *b, const bv_memory_view *v, const bv_memseries *m, size_t k)
{
  if (v->cluster)
    return cluster_note(b, v, m, k);
  if (k == 0 && v->npanels > 1) {
    const bv_memory_panel *p = &v->panel[1];
    for (size_t i = 0; i < p->nkinds; i++)
      bv_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == p->nkinds ? " and " : ", ",
                    v->kinds[p->kinds[i]]);
    bv_buf_printf(b, ": below %d%% of total, drawn below on %s own scale", BV_MEM_SMALL_PCT,
                  p->nkinds == 1 ? "its" : "their");
  } else if (k < bv_memory_view_nnotes(v)) {
    bv_buf_puts(b, "no sample times in the file: drawn at the interval");
  }
  return b->failed ? BV_ENOMEM : 0;
}
