/* view/chart.c: the chart views. For the process scatter: which fields are
 * drawn (one check), the colour domain in one order with one legend rule, and
 * the zero marks; for the memory lines: the kinds, the unit and the axes.
 * Vega-Lite (emit/) and the images (layout/) both draw from here. */
#include "view/view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y)
{
  size_t z = 0;
  for (size_t i = 0; i < s->n; i++)
    z += bv_proc_num(&s->procs[i], x) <= 0 || bv_proc_num(&s->procs[i], y) <= 0;
  return z;
}

/* --- process scatter ------------------------------------------------------ */

#define COLOR_FIELDS "status|name|label|current_function|initial_call|window"

static int color_field(bv_proc_field f)
{
  return f == BV_PF_STATUS || f == BV_PF_NAME || f == BV_PF_CURRENT_FUNCTION ||
         f == BV_PF_INITIAL_CALL || f == BV_PF_LABEL || f == BV_PF_WINDOW;
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
  v->color = cn ? bv_proc_field_from_name(cn) : BV_PF_STATUS;
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
  bv_intern seen;
  if ((rc = bv_intern_init(&seen)))
    return rc;
  size_t cap = 16, n = 0;
  const char **dom = malloc(cap * sizeof *dom);
  const char *last = NULL;
  int any = 0;
  for (size_t i = 0; i < s->n && dom; i++) {
    const bv_proc *p = &s->procs[i];
    v->zeros += bv_proc_num(p, v->x) <= 0 || bv_proc_num(p, v->y) <= 0;
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
  return b->failed ? BV_ENOMEM : 0;
}

int bv_procs_view_zeros_note(bv_buf *b, const bv_procs_view *v)
{
  if (!v->zeros)
    return 0;
  return bv_buf_printf(b, "%zu point%s with %s or %s = 0 drawn at 1 (the log axis floor) as squares",
                       v->zeros, v->zeros == 1 ? "" : "s", bv_proc_field_name(v->x),
                       bv_proc_field_name(v->y));
}

int bv_procs_view_more(bv_buf *b, const bv_procs_view *v)
{
  return bv_buf_printf(b, "\xE2\x80\xA6 and %zu more", v->more);
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

void bv_memory_view_make(const bv_memseries *m, bv_memory_view *v)
{
  memset(v, 0, sizeof *v);
  v->nkinds = BV_MEM_CHARTED;
  v->kinds = bv_mem_kinds;
  v->unit = 1e6;
  v->unit_name = "MB";
  v->y_title = "Memory usage (MB)";
  v->legend_title = "memory";
  /* markers while there are few samples: a single sample has no line */
  v->points = m->n <= 60;
  /* time: the target's own clock; a model without times gets the schedule */
  v->t0 = m->n ? m->samples[0].t_ms : 0;
  v->scheduled = m->n > 1;
  for (size_t i = 1; i < m->n && v->scheduled; i++)
    v->scheduled = m->samples[i].t_ms == v->t0;
  v->x_ms = 1000;
  uint64_t span = 0;
  for (size_t i = 0; i < m->n; i++) {
    uint64_t t = bv_memory_view_ms(v, m, i);
    span = t > span ? t : span;
  }
  if (span >= 5 * 3600 * 1000ull)
    v->x_ms = 3600000, v->x_field = "hours", v->x_title = "hours since the first sample";
  else if (span >= 300 * 1000ull)
    v->x_ms = 60000, v->x_field = "minutes", v->x_title = "minutes since the first sample";
  else
    v->x_field = "seconds", v->x_title = "seconds since the first sample";
  v->x_max = span ? (double)span / v->x_ms : 1;
  /* panels: total and the kinds that are not small on top, the small below */
  uint64_t kmax[BV_MEM_CHARTED] = {0};
  for (size_t i = 0; i < m->n; i++)
    for (size_t k = 0; k < BV_MEM_CHARTED; k++)
      if (m->samples[i].bytes[k] > kmax[k])
        kmax[k] = m->samples[i].bytes[k];
  bv_memory_panel *top = &v->panel[0], *low = &v->panel[1];
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

double bv_memory_view_value(const bv_memory_view *v, uint64_t bytes)
{
  return (double)bytes / v->unit;
}

uint64_t bv_memory_view_ms(const bv_memory_view *v, const bv_memseries *m, size_t i)
{
  const bv_memsample *s = &m->samples[i];
  if (v->scheduled) {
    uint32_t i0 = m->samples[0].iter;
    return s->iter > i0 ? (uint64_t)(s->iter - i0) * m->interval_ms : 0;
  }
  return s->t_ms > v->t0 ? s->t_ms - v->t0 : 0;
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
  bv_buf_printf(b, "erlang:memory(), %zu sample%s every %u ms", m->n, m->n == 1 ? "" : "s",
                m->interval_ms);
  if (m->otp_release && *m->otp_release)
    bv_buf_printf(b, ", OTP %s", m->otp_release);
  return b->failed ? BV_ENOMEM : 0;
}

size_t bv_memory_view_nnotes(const bv_memory_view *v)
{
  return (v->npanels > 1) + (v->scheduled != 0);
}

int bv_memory_view_note(bv_buf *b, const bv_memory_view *v, size_t k)
{
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
