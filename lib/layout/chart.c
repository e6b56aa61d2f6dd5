/* layout_chart.c: the process scatter and the memory lines in Vega-Lite's
 * default look, so a beamviz PNG and the spec beamviz writes (procs.vl.json,
 * memory.vl.json) rendered by Vega look like the same chart: a 600x400 plot,
 * light grey grid and view frame, #888 axis lines and ticks, 10 px labels,
 * 11 px bold titles, hollow circles (size 30, stroke 2) for points, 2 px
 * lines, a legend on the right titled by the field, category10 colours.
 * Log axes tick at 1, 2 and 5 per decade; labels carry thousands separators
 * and are thinned greedily when they would overlap (Vega's labelOverlap).
 * Zero values on the log axes are drawn at 1 as hollow squares at half
 * opacity, as the Vega-Lite spec does. The memory chart stacks its panels as
 * the spec's vconcat does (280 and 140 px, 20 px apart, one x axis under the
 * lowest, one legend), with the view's time ticks. Fields, legend entries, zero marks,
 * memory kinds and units come from the chart views (view/chart.c), which the
 * Vega-Lite writers (emit/procs.c, emit/memory.c) draw from too. */
#include "layout/chart_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- numbers ------------------------------------------------------------- */

/* v with `decimals` digits after the point and thousands separators. */
const char *chart_fmt_num(bv_arena *a, double v, int decimals)
{
  char raw[64], out[96];
  if (decimals < 0)
    decimals = 0;
  if (decimals > 10)
    decimals = 10;
  snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v) < 1e-12 ? 0.0 : v);
  const char *p = raw;
  size_t o = 0;
  if (*p == '-')
    out[o++] = *p++;
  const char *dot = strchr(p, '.');
  size_t ilen = dot ? (size_t)(dot - p) : strlen(p);
  for (size_t i = 0; i < ilen; i++) {
    if (i && (ilen - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = p[i];
  }
  if (dot) {
    /* trim trailing zeros (d3's ~ flag) */
    size_t e = strlen(dot);
    while (e > 1 && dot[e - 1] == '0')
      e--;
    if (e > 1) {
      memcpy(out + o, dot, e);
      o += e;
    }
  }
  out[o] = 0;
  return bv_arena_strdup(a, out);
}

/* d3's tickIncrement: a step of 1, 2 or 5 times a power of ten giving about
 * `count` ticks over [lo, hi]. */
static double nice_step(double lo, double hi, double count)
{
  double span = hi - lo;
  if (!(span > 0) || count < 1)
    return 1;
  double step0 = span / count;
  double power = pow(10, floor(log10(step0)));
  double err = step0 / power;
  double f = err >= sqrt(50) ? 10 : err >= sqrt(10) ? 5 : err >= sqrt(2) ? 2 : 1;
  return f * power;
}

/* --- axes ---------------------------------------------------------------- */


double chart_axis_map(const axis *a, double v)
{
  double t;
  if (a->view)
    t = bv_chart_axis_t(a->view, v);
  else
    t = (v - a->lo) / (a->hi - a->lo);
  return a->r0 + t * (a->r1 - a->r0);
}

/* A log or symlog axis as the view made it: its extent and ticks. */
void chart_axis_view(axis *a, const bv_chart_axis *v)
{
  a->log = 1;
  a->view = v;
  a->lo = v->lo, a->hi = v->hi;
  a->n = v->n;
  memcpy(a->ticks, v->ticks, v->n * sizeof *v->ticks);
  a->decimals = 0;
}

void chart_axis_linear(axis *a, double mn, double mx, double count, double min_step)
{
  a->log = 0;
  a->view = NULL;
  if (mn > 0)
    mn = 0; /* Vega-Lite's scale.zero: quantitative x/y include zero */
  if (mx < 0)
    mx = 0;
  if (!(mx > mn))
    mx = mn + 1;
  double step = nice_step(mn, mx, count);
  if (step < min_step)
    step = min_step;
  /* nice the domain to the step, then recompute once as d3 does */
  mn = floor(mn / step) * step;
  mx = ceil(mx / step) * step;
  step = nice_step(mn, mx, count);
  if (step < min_step)
    step = min_step;
  a->lo = floor(mn / step + 1e-9) * step;
  a->hi = ceil(mx / step - 1e-9) * step;
  a->n = 0;
  for (double v = a->lo; v <= a->hi + step * 1e-6 && a->n < 126; v += step)
    a->ticks[a->n++] = fabs(v) < step * 1e-9 ? 0 : v;
  a->decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
}

/* --- building blocks ----------------------------------------------------- */


/* a memory kind's colour: the palette of its few kinds (the view's, as Vega-Lite's) */
static bv_color cat_color(size_t i) { return SC_RGB(bv_chart_rgb(BV_MEM_CHARTED, i)); }

/* colour i of a chart coloured by a view domain (category10 or 20) */
static bv_color dom_color(const chart *c, size_t i) { return SC_RGB(bv_chart_rgb(c->ncolors, i)); }

double chart_text_w(chart *c, const char *t, double fs, int bold)
{
  bv_text_metrics tm;
  if (sc_measure(c->m, t, fs, bold, &tm))
    return 0;
  return tm.width;
}

/* Widths the decorations need around the plot, from the labels. */
typedef struct margins {
  double left, right, top, bottom, legend_w;
  double legend_h; /* from the plot's top; may reach below the plot (the
                      image then grows, as Vega pads to fit its legends) */
} margins;

int chart_labels(chart *c, axis *a)
{
  for (size_t i = 0; i < a->n; i++) {
    const char *l = chart_fmt_num(c->s->arena, a->ticks[i], a->decimals);
    if (!l)
      return bv_error_set(BV_ENOMEM, "out of memory (chart)");
    a->labels[i] = l;
  }
  return 0;
}


static margins measure_margins(chart *c)
{
  margins mg = {0, 0, 0, 0, 0, 0};
  double ylab = 0;
  for (size_t i = 0; i < c->ay.n; i++)
    ylab = fmax(ylab, chart_text_w(c, c->ay.labels[i], LABEL_FS, 0));
  mg.left = PADDING + TITLE_FS * 1.2 + TITLE_PAD + ylab + LABEL_PAD + TICK;
  mg.bottom = TICK + LABEL_PAD + LABEL_FS * 1.2 + TITLE_PAD + TITLE_FS * 1.2 + PADDING;
  mg.top = chart_title_block(c, NULL);
  double lw = 0;
  if (c->ltitle)
    lw = chart_text_w(c, c->ltitle, TITLE_FS, 1);
  size_t shown = c->ncat;
  double sym = c->line_legend && !c->points ? 20 : 2 * 5.64;
  for (size_t i = 0; i < shown; i++)
    lw = fmax(lw, sym + 5 + fmin(chart_text_w(c, c->cats[i], LABEL_FS, 0), 200));
  if (c->more)
    lw = fmax(lw, chart_text_w(c, c->more, LABEL_FS, 0));
  if (c->l2title) {
    lw = fmax(lw, chart_text_w(c, c->l2title, TITLE_FS, 1));
    for (int i = 0; i < 2; i++)
      lw = fmax(lw, sym + 5 + chart_text_w(c, c->l2[i], LABEL_FS, 0));
  }
  mg.legend_w = lw;
  mg.right = (lw > 0 ? LEGEND_OFFSET + lw : 0) + PADDING;
  /* the same steps as draw_legend */
  double lh = 0;
  if (c->ltitle && c->ncat)
    lh += TITLE_FS * 0.9 + 6 + (double)(shown + (c->more != NULL)) * LEGEND_ROW;
  if (c->l2title)
    lh += 12 + TITLE_FS * 0.9 + 6 + 2 * LEGEND_ROW;
  mg.legend_h = lh;
  return mg;
}

static int draw_frame(chart *c)
{
  bv_scene *s = c->s;
  const sc_theme *th = c->th;
  int rc = 0;
  double pts[4];
  /* grid under everything */
  for (size_t i = 0; i < c->ax.n && !rc; i++) {
    double x = chart_axis_map(&c->ax, c->ax.ticks[i]);
    pts[0] = x, pts[1] = c->y0, pts[2] = x, pts[3] = c->y0 + c->h;
    rc = sc_line(s, "grid", pts, 2, th->grid, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  for (size_t i = 0; i < c->ay.n && !rc; i++) {
    double y = chart_axis_map(&c->ay, c->ay.ticks[i]);
    pts[0] = c->x0, pts[1] = y, pts[2] = c->x0 + c->w, pts[3] = y;
    rc = sc_line(s, "grid", pts, 2, th->grid, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  if (!rc)
    rc = sc_rect(s, "view", c->x0, c->y0, c->w, c->h, 0, SC_NONE, th->grid, 1, BV_DASH_SOLID, -1);
  return rc;
}

/* Which labels of an axis are drawn, from their spans along it: on a view's
 * log or symlog axis decades first, then 1-2-5 labels where they fit
 * (bv_chart_label_keep); on a linear axis greedily, each label clearing the
 * last one kept (Vega's labelOverlap). */
static void keep_labels(const axis *a, const double *lo, const double *hi, double gap,
                        unsigned char *keep)
{
  if (a->view) {
    double centre[128], half[128];
    for (size_t i = 0; i < a->n; i++)
      centre[i] = (lo[i] + hi[i]) / 2, half[i] = (hi[i] - lo[i]) / 2;
    bv_chart_label_keep(a->view, centre, half, gap, keep);
    return;
  }
  double last = -INFINITY;
  int up = a->n < 2 || lo[1] >= lo[0];
  for (size_t i = 0; i < a->n; i++) {
    double l = up ? lo[i] : -hi[i], h = up ? hi[i] : -lo[i];
    keep[i] = l >= last + gap;
    if (keep[i])
      last = h;
  }
}

int chart_draw_xaxis(chart *c)
{
  bv_scene *s = c->s;
  const sc_theme *th = c->th;
  double pts[4], lo[128] = {0}, hi[128] = {0};
  bv_anchor an[128];
  unsigned char keep[128];
  double yb = c->y0 + c->h;
  pts[0] = c->x0, pts[1] = yb, pts[2] = c->x0 + c->w, pts[3] = yb;
  int rc = sc_line(s, "domain", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  for (size_t i = 0; i < c->ax.n; i++) {
    double x = chart_axis_map(&c->ax, c->ax.ticks[i]);
    double lw = chart_text_w(c, c->ax.labels[i], LABEL_FS, 0);
    /* the end labels are kept inside the plot's span, as Vega's labelBound */
    lo[i] = x - lw / 2;
    an[i] = BV_ANCHOR_MIDDLE;
    if (i == 0 && lo[i] < c->x0 - 1) {
      an[i] = BV_ANCHOR_START;
      lo[i] = x;
    } else if (i + 1 == c->ax.n && x + lw / 2 > c->x0 + c->w + 1) {
      an[i] = BV_ANCHOR_END;
      lo[i] = x - lw;
    }
    hi[i] = lo[i] + lw;
  }
  keep_labels(&c->ax, lo, hi, 3, keep);
  for (size_t i = 0; i < c->ax.n && !rc; i++) {
    double x = chart_axis_map(&c->ax, c->ax.ticks[i]);
    pts[0] = x, pts[1] = yb, pts[2] = x, pts[3] = yb + TICK;
    rc = sc_line(s, "tick", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    if (!rc && keep[i])
      rc = sc_text(s, c->m, "xlabel", x, yb + TICK + LABEL_PAD + LABEL_FS * 0.9, an[i], LABEL_FS,
                   0, th->text, c->ax.labels[i], 0, -1, NULL);
  }
  return rc;
}

int chart_draw_xtitle(chart *c)
{
  return sc_text(c->s, c->m, "xtitle", c->x0 + c->w / 2,
                 c->y0 + c->h + TICK + LABEL_PAD + LABEL_FS * 1.2 + TITLE_PAD + TITLE_FS * 0.9,
                 BV_ANCHOR_MIDDLE, TITLE_FS, 1, c->th->text, c->xtitle, c->w, -1, NULL);
}

static int draw_axes(chart *c)
{
  bv_scene *s = c->s;
  const sc_theme *th = c->th;
  double pts[4], lo[128] = {0}, hi[128] = {0}, base[128] = {0};
  unsigned char keep[128];
  double yb = c->y0 + c->h;
  int rc = chart_draw_xaxis(c);
  if (!rc) {
    pts[0] = c->x0, pts[1] = c->y0, pts[2] = c->x0, pts[3] = yb;
    rc = sc_line(s, "domain", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  for (size_t i = 0; i < c->ay.n; i++) {
    double y = chart_axis_map(&c->ay, c->ay.ticks[i]);
    base[i] = y + LABEL_FS * 0.35;
    if (i + 1 == c->ay.n && base[i] - LABEL_FS * 0.8 < c->y0 - 1)
      base[i] = c->y0 + LABEL_FS * 0.8;
    if (i == 0 && base[i] > yb + 1)
      base[i] = yb;
    lo[i] = base[i] - LABEL_FS;
    hi[i] = base[i];
  }
  keep_labels(&c->ay, lo, hi, 2, keep);
  for (size_t i = 0; i < c->ay.n && !rc; i++) {
    double y = chart_axis_map(&c->ay, c->ay.ticks[i]);
    pts[0] = c->x0 - TICK, pts[1] = y, pts[2] = c->x0, pts[3] = y;
    rc = sc_line(s, "tick", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    if (!rc && keep[i])
      rc = sc_text(s, c->m, "ylabel", c->x0 - TICK - LABEL_PAD, base[i], BV_ANCHOR_END, LABEL_FS,
                   0, th->text, c->ay.labels[i], 0, -1, NULL);
  }
  /* axis titles: x centred below, y rotated at the left */
  if (!rc)
    rc = chart_draw_xtitle(c);
  if (!rc) {
    size_t idx;
    rc = sc_text(s, c->m, "ytitle", PADDING + TITLE_FS * 0.9, c->y0 + c->h / 2, BV_ANCHOR_MIDDLE,
                 TITLE_FS, 1, th->text, c->ytitle, c->h, -1, &idx);
    if (!rc)
      s->items[idx].vertical = 1;
  }
  return rc;
}

/* Title and subtitle lines stacked by their measured extents. */
double chart_title_block(chart *c, double *base)
{
  bv_text_metrics t, u;
  double y = PADDING;
  size_t k = 0;
  if (sc_measure(c->m, "Ag", CHART_TITLE_FS, 1, &t) || sc_measure(c->m, "Ag", SUBTITLE_FS, 0, &u))
    return y;
  if (c->title) {
    if (base)
      base[k] = y + t.ascent;
    k++;
    y += t.ascent + t.descent + 2;
  }
  for (size_t i = 0; i < c->nsub; i++) {
    if (base)
      base[k] = y + u.ascent;
    k++;
    y += u.ascent + u.descent + 1;
  }
  return c->title || c->nsub ? y + 10 : y;
}

int chart_draw_titles(chart *c)
{
  double base[4];
  chart_title_block(c, base);
  size_t k = 0;
  int rc = 0;
  if (c->title)
    rc = sc_text(c->s, c->m, "title", PADDING, base[k++], BV_ANCHOR_START, CHART_TITLE_FS, 1,
                 c->th->text, c->title, c->s->width - 2 * PADDING, -1, NULL);
  for (size_t i = 0; i < c->nsub && !rc; i++)
    rc = sc_text(c->s, c->m, "subtitle", PADDING, base[k++], BV_ANCHOR_START, SUBTITLE_FS, 0,
                 c->th->text, c->sub[i], c->s->width - 2 * PADDING, -1, NULL);
  return rc;
}

static int legend_symbol(chart *c, double x, double cy, bv_color col, int square, double opacity)
{
  bv_color sc = (col & 0xFFFFFF) | ((bv_color)(opacity * 255 + 0.5) << 24);
  if (c->line_legend && c->points) /* Vega: a line with points gets filled circles */
    return sc_circle(c->s, "legend-symbol", x + 5.64, cy, 4.9, col, SC_NONE, 0, -1);
  if (c->line_legend) {
    double pts[4] = {x, cy, x + 20, cy};
    return sc_line(c->s, "legend-line", pts, 2, col, 2, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  if (square)
    return sc_rect(c->s, "legend-symbol", x + 5.64 - 4.5, cy - 4.5, 9, 9, 0, SC_NONE, sc, 1.5,
                   BV_DASH_SOLID, -1);
  return sc_circle(c->s, "legend-symbol", x + 5.64, cy, 4.9, SC_NONE, sc, 1.5, -1);
}

static int draw_legend(chart *c, double lx, double maxw)
{
  int rc = 0;
  double y = c->y0;
  double sym = c->line_legend && !c->points ? 20 : 2 * 5.64;
  if (c->ltitle && c->ncat) {
    y += TITLE_FS * 0.9;
    rc = sc_text(c->s, c->m, "legend-title", lx, y, BV_ANCHOR_START, TITLE_FS, 1, c->th->text,
                 c->ltitle, maxw, -1, NULL);
    y += 6;
    for (size_t i = 0; i < c->ncat && !rc; i++) {
      double cy = y + LEGEND_ROW / 2;
      rc = legend_symbol(c, lx, cy, dom_color(c, i), 0, 1);
      if (!rc)
        rc = sc_text(c->s, c->m, "legend-label", lx + sym + 5, cy + LABEL_FS * 0.35,
                     BV_ANCHOR_START, LABEL_FS, 0, c->th->text, c->cats[i], maxw - sym - 5,
                     -1, NULL);
      y += LEGEND_ROW;
    }
    if (!rc && c->more) {
      rc = sc_text(c->s, c->m, "legend-label", lx, y + LEGEND_ROW / 2 + LABEL_FS * 0.35,
                   BV_ANCHOR_START, LABEL_FS, 0, c->th->muted, c->more, maxw, -1, NULL);
      y += LEGEND_ROW;
    }
  }
  if (!rc && c->l2title) {
    y += 12 + TITLE_FS * 0.9;
    rc = sc_text(c->s, c->m, "legend-title", lx, y, BV_ANCHOR_START, TITLE_FS, 1, c->th->text,
                 c->l2title, maxw, -1, NULL);
    y += 6;
    for (int i = 0; i < 2 && !rc; i++) {
      double cy = y + LEGEND_ROW / 2;
      int save = c->line_legend;
      c->line_legend = 0;
      rc = legend_symbol(c, lx, cy, c->th->text, i == 1, i == 1 ? 0.5 : 0.8);
      c->line_legend = save;
      if (!rc)
        rc = sc_text(c->s, c->m, "legend-label", lx + 2 * 5.64 + 5, cy + LABEL_FS * 0.35,
                     BV_ANCHOR_START, LABEL_FS, 0, c->th->text, c->l2[i], maxw, -1, NULL);
      y += LEGEND_ROW;
    }
  }
  return rc;
}

/* Lays out the plot area from the options (image size) and the margins. */
static int place(chart *c, double width, double height, double xcount_per_px, int xlog, int ylog,
                 double xmin, double xmax, double ymin, double ymax, double x_min_step)
{
  /* Vega-Lite's width/height in the specs: 600x400 plot */
  double w = 600, h = 400;
  int rc;
  for (int pass = 0; pass < 2; pass++) {
    /* a log axis is a view's, set by the caller (chart_axis_view) */
    if (!ylog)
      chart_axis_linear(&c->ay, ymin, ymax, ceil(h / 40), 0);
    if (!xlog)
      chart_axis_linear(&c->ax, xmin, xmax, ceil(w * xcount_per_px), x_min_step);
    if ((rc = chart_labels(c, &c->ax)) || (rc = chart_labels(c, &c->ay)))
      return rc;
    margins mg = measure_margins(c);
    if (pass == 0 && (width > 0 || height > 0)) {
      if (width > 0)
        w = fmax(60, width - mg.left - mg.right);
      if (height > 0)
        h = fmax(60, height - mg.top - mg.bottom);
      continue;
    }
    c->x0 = mg.left;
    c->y0 = mg.top;
    c->w = w;
    c->h = h;
    c->s->width = ceil(mg.left + w + mg.right);
    c->s->height = ceil(fmax(mg.top + h + mg.bottom, mg.top + mg.legend_h + PADDING));
    if (width > 0)
      c->s->width = fmax(c->s->width, width);
    if (height > 0)
      c->s->height = fmax(c->s->height, height);
    c->ax.r0 = c->x0, c->ax.r1 = c->x0 + w;
    c->ay.r0 = c->y0 + h, c->ay.r1 = c->y0;
    return 0;
  }
  return 0;
}

static int finish(chart *c)
{
  double lx = c->x0 + c->w + LEGEND_OFFSET;
  int rc = draw_axes(c);
  if (!rc)
    rc = draw_legend(c, lx, c->s->width - lx - PADDING);
  if (!rc)
    rc = chart_draw_titles(c);
  return rc;
}

/* --- process scatter ----------------------------------------------------- */

int bv_layout_scatter_model(const bv_model *mo, const bv_emit_opts *o, const bv_measure *m,
                            bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (!mo || mo->kind != BV_MODEL_SNAPSHOT || !mo->u.snapshot)
    return bv_error_set(BV_EINVAL, "not a process snapshot");
  const bv_snapshot *sn = mo->u.snapshot;
  bv_procs_view v;
  int rc = bv_procs_view_make(sn, o, &v);
  if (rc) {
    bv_procs_view_dispose(&v);
    return rc;
  }
  chart c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.pad = 5;
  c.th = sc_theme_get(o ? o->dark : 0);
  const char **labels = NULL;
  if ((rc = bv_scene_new("scatter", &c.s))) {
    bv_procs_view_dispose(&v);
    return rc;
  }
  bv_scene *s = c.s;
  s->font = bv_arena_strdup(s->arena, m->font ? m->font : "DejaVu Sans");
  s->background = c.th->page;
  /* the legend: the view's entries, then "... and N more" */
  labels = malloc((v.legend ? v.legend : 1) * sizeof *labels);
  if (!labels) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (scatter)");
    goto done;
  }
  for (size_t i = 0; i < v.legend; i++)
    labels[i] = bv_procs_view_label(&v, i);
  c.cats = labels;
  c.ncat = v.legend;
  bv_buf t;
  bv_buf_init(&t);
  if (v.more) {
    bv_procs_view_more(&t, &v);
    c.more = bv_arena_strdup(s->arena, t.data ? t.data : "");
  }
  c.ltitle = bv_proc_field_name(v.color);
  if (v.zeros) {
    c.l2title = "value";
    c.l2[0] = BV_CHART_REAL_LABEL;
    c.l2[1] = BV_CHART_ZERO_LABEL;
  }
  c.xtitle = bv_arena_printf(s->arena, "%s (%s)", bv_proc_field_name(v.x),
                             v.xscale == BV_SCALE_LOG ? "log" : "symlog");
  c.ytitle = bv_arena_printf(s->arena, "%s (%s)", bv_proc_field_name(v.y),
                             v.yscale == BV_SCALE_LOG ? "log" : "symlog");
  c.ncolors = v.ncolors;
  t.len = 0;
  bv_procs_view_title(&t, sn, &v);
  c.title = bv_arena_strdup(s->arena, t.data ? t.data : "");
  t.len = 0;
  bv_procs_view_counts(&t, sn);
  c.sub[c.nsub++] = bv_arena_strdup(s->arena, t.data ? t.data : "");
  if (v.zeros) {
    t.len = 0;
    bv_procs_view_zeros_note(&t, &v);
    c.sub[c.nsub++] = bv_arena_strdup(s->arena, t.data ? t.data : "");
  }
  int oom = t.failed;
  bv_buf_dispose(&t);
  if (oom || !c.title || !c.xtitle || !c.ytitle || (v.more && !c.more)) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (scatter)");
    goto done;
  }
  s->title = c.title;
  /* the axes as the view made them: the data's extent, decades labelled first */
  chart_axis_view(&c.ax, &v.xaxis);
  chart_axis_view(&c.ay, &v.yaxis);
  if ((rc = place(&c, o ? o->width : 0, o ? o->height : 0, 1.0 / 40, 1, 1, 0, 0, 0, 0, 0)) ||
      (rc = draw_frame(&c)))
    goto done;
  /* points, in data order (Vega draws them so), coloured by their index in
   * the view's domain (the last row's index reused while the text repeats) */
  const char *last = NULL;
  size_t ci = 0;
  for (size_t i = 0; i < sn->n && !rc; i++) {
    const bv_proc *p = &sn->procs[i];
    const char *ct = bv_procs_view_text(&v, p);
    if (v.oom) {
      rc = bv_error_set(BV_ENOMEM, "out of memory (scatter)");
      break;
    }
    if (!i || ct != last)
      ci = bv_procs_view_color(&v, ct);
    last = ct;
    double xv = bv_proc_num(p, v.x), yv = bv_proc_num(p, v.y);
    int xl = v.xscale == BV_SCALE_LOG, yl = v.yscale == BV_SCALE_LOG;
    int zero = (xl && xv <= 0) || (yl && yv <= 0);
    double px = chart_axis_map(&c.ax, xl ? fmax(xv, 1) : fmax(xv, 0));
    double py = chart_axis_map(&c.ay, yl ? fmax(yv, 1) : fmax(yv, 0));
    bv_color col = (dom_color(&c, ci) & 0xFFFFFF) | ((bv_color)(zero ? 128 : 204) << 24);
    if (zero)
      rc = sc_rect(s, "zero", px - SQUARE / 2, py - SQUARE / 2, SQUARE, SQUARE, 0, SC_NONE, col,
                   2, BV_DASH_SOLID, (int32_t)i);
    else
      rc = sc_circle(s, "point", px, py, POINT_R, SC_NONE, col, 2, (int32_t)i);
  }
  if (!rc)
    rc = finish(&c);
done:
  free(labels);
  if (!rc && info) {
    info->zeros = v.zeros;
    info->width = s->width;
    info->height = s->height;
  }
  bv_procs_view_dispose(&v);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

/* --- memory lines -------------------------------------------------------- */

/* Vega-Lite's vconcat spacing between the panels (below the upper panel's ticks) */
#define MEM_SPACING 20.0

/* The x axis of the memory view: its own ticks from 0 to x_max (no nice domain). */
static int mem_xaxis(chart *c, const bv_memory_view *v, double w)
{
  double t[BV_MEM_MAX_XTICKS];
  int dec = 0;
  size_t n = bv_memory_view_xticks(v, w, t, &dec);
  axis *a = &c->ax;
  a->log = 0;
  a->lo = 0;
  a->hi = v->x_max;
  a->n = n < 126 ? n : 126;
  memcpy(a->ticks, t, a->n * sizeof *t);
  a->decimals = dec;
  return chart_labels(c, a);
}

/* One panel's axes: as draw_axes, but the x labels and title only on the
 * lowest panel (the upper ones keep their ticks and grid, as the spec's
 * "labels": false with no title). */
static int mem_axes(chart *c, int xlabels)
{
  bv_scene *s = c->s;
  const sc_theme *th = c->th;
  double pts[4];
  double yb = c->y0 + c->h;
  pts[0] = c->x0, pts[1] = yb, pts[2] = c->x0 + c->w, pts[3] = yb;
  int rc = sc_line(s, "domain", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  double last_end = -INFINITY;
  for (size_t i = 0; i < c->ax.n && !rc; i++) {
    double x = chart_axis_map(&c->ax, c->ax.ticks[i]);
    pts[0] = x, pts[1] = yb, pts[2] = x, pts[3] = yb + TICK;
    rc = sc_line(s, "tick", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    if (rc || !xlabels)
      continue;
    double lw = chart_text_w(c, c->ax.labels[i], LABEL_FS, 0);
    /* Vega's labelFlush: the first label starts at the plot's left edge, and
     * a label that would pass the right edge ends there */
    double left = x - lw / 2;
    bv_anchor an = BV_ANCHOR_MIDDLE;
    if (i == 0 && x <= c->x0 + 0.5) {
      an = BV_ANCHOR_START;
      left = x;
    } else if (x + lw / 2 > c->x0 + c->w + 1) {
      an = BV_ANCHOR_END;
      left = x - lw;
    }
    if (left >= last_end + 3) {
      rc = sc_text(s, c->m, "xlabel", x, yb + TICK + LABEL_PAD + LABEL_FS * 0.9, an, LABEL_FS, 0,
                   th->text, c->ax.labels[i], 0, -1, NULL);
      last_end = left + lw;
    }
  }
  if (!rc) {
    pts[0] = c->x0, pts[1] = c->y0, pts[2] = c->x0, pts[3] = yb;
    rc = sc_line(s, "domain", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  double last_top = INFINITY;
  for (size_t i = 0; i < c->ay.n && !rc; i++) {
    double y = chart_axis_map(&c->ay, c->ay.ticks[i]);
    pts[0] = c->x0 - TICK, pts[1] = y, pts[2] = c->x0, pts[3] = y;
    rc = sc_line(s, "tick", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    double base = y + LABEL_FS * 0.35;
    if (i + 1 == c->ay.n && base - LABEL_FS * 0.8 < c->y0 - 1)
      base = c->y0 + LABEL_FS * 0.8;
    if (i == 0 && base > yb + 1)
      base = yb;
    if (!rc && base < last_top - 2) {
      rc = sc_text(s, c->m, "ylabel", c->x0 - TICK - LABEL_PAD, base, BV_ANCHOR_END, LABEL_FS, 0,
                   th->text, c->ay.labels[i], 0, -1, NULL);
      last_top = base - LABEL_FS;
    }
  }
  if (!rc && xlabels)
    rc = sc_text(s, c->m, "xtitle", c->x0 + c->w / 2,
                 yb + TICK + LABEL_PAD + LABEL_FS * 1.2 + TITLE_PAD + TITLE_FS * 0.9,
                 BV_ANCHOR_MIDDLE, TITLE_FS, 1, th->text, c->xtitle, c->w, -1, NULL);
  if (!rc) {
    size_t idx;
    rc = sc_text(s, c->m, "ytitle", PADDING + TITLE_FS * 0.9, c->y0 + c->h / 2, BV_ANCHOR_MIDDLE,
                 TITLE_FS, 1, th->text, c->ytitle, c->h, -1, &idx);
    if (!rc)
      s->items[idx].vertical = 1;
  }
  return rc;
}

/* The panels of the memory view stacked like the spec's vconcat: one x axis
 * (labels and title under the lowest panel), each panel its own y axis from
 * 0, one legend beside the upper panel. ay[i], y0[i], h[i] per panel. */
typedef struct mem_panels {
  size_t n;
  axis ay[2];
  double y0[2], h[2];
} mem_panels;

/* A panel's y axis as Vega draws it: the domain [0, ymax] niced to the
 * default 10 ticks (scale.nice), the ticks at the axis' own count (one per
 * 40 px of height), so a short panel keeps Vega's domain. */
static void mem_yaxis(axis *a, double ymax, double h)
{
  double lo = 0, hi = ymax > 0 && isfinite(ymax) ? ymax : 1, prev = 0;
  for (int it = 0; it < 10; it++) { /* d3's linear nice() */
    double step = nice_step(lo, hi, 10);
    if (step == prev)
      break;
    hi = ceil(hi / step - 1e-9) * step;
    prev = step;
  }
  a->log = 0;
  a->lo = 0;
  a->hi = hi;
  double step = nice_step(0, hi, ceil(h / 40));
  a->n = 0;
  for (size_t k = 0; a->n < 126 && (double)k * step <= hi + step * 1e-6; k++)
    a->ticks[a->n++] = (double)k * step;
  a->decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
}

/* The y labels as Vega formats a linear axis (d3's ",f" at the step's
 * precision): thousands separators, trailing zeros kept ("1.0" beside "0.5"). */
static int mem_ylabels(chart *c, axis *a)
{
  for (size_t i = 0; i < a->n; i++) {
    const char *l = chart_fmt_num(c->s->arena, a->ticks[i], a->decimals);
    if (l && a->decimals > 0) {
      const char *dot = strchr(l, '.');
      size_t have = dot ? strlen(dot + 1) : 0;
      l = bv_arena_printf(c->s->arena, "%s%s%.*s", l, dot ? "" : ".",
                          (int)((size_t)a->decimals - have), "0000000000");
    }
    if (!l)
      return bv_error_set(BV_ENOMEM, "out of memory (chart)");
    a->labels[i] = l;
  }
  return 0;
}

static void mem_ymax(const bv_memseries *ms, const bv_memory_view *v, const bv_memory_panel *p,
                     double *ymax)
{
  *ymax = 0;
  for (size_t i = 0; i < ms->n; i++)
    for (size_t k = 0; k < p->nkinds; k++)
      if (bv_memory_view_line(v, ms, i) >= 0) /* a cluster's nodes not drawn: not scaled */
        *ymax = fmax(*ymax, bv_memory_view_value(v, ms->samples[i].bytes[p->kinds[k]]));
}

static int mem_place(chart *c, mem_panels *mp, const bv_memseries *ms, const bv_memory_view *v,
                     double width, double height)
{
  double w = 600, hs[2] = {v->panel[0].height, v->panel[1].height};
  mp->n = v->npanels;
  int rc;
  for (int pass = 0; pass < 2; pass++) {
    double left = 0;
    margins mg = {0, 0, 0, 0, 0, 0};
    if ((rc = mem_xaxis(c, v, w)))
      return rc;
    for (size_t i = 0; i < mp->n; i++) {
      double ymax;
      mem_ymax(ms, v, &v->panel[i], &ymax);
      mem_yaxis(&mp->ay[i], ymax, hs[i]);
      c->ay = mp->ay[i];
      if ((rc = mem_ylabels(c, &c->ay)))
        return rc;
      mp->ay[i] = c->ay;
      mg = measure_margins(c);
      left = fmax(left, mg.left);
    }
    mg.left = left;
    double gaps = (double)(mp->n - 1) * (TICK + MEM_SPACING);
    if (pass == 0 && (width > 0 || height > 0)) {
      if (width > 0)
        w = fmax(60, width - mg.left - mg.right);
      if (height > 0) {
        double avail = height - mg.top - mg.bottom - gaps, sum = hs[0] + (mp->n > 1 ? hs[1] : 0);
        for (size_t i = 0; i < mp->n; i++)
          hs[i] = fmax(40, avail * hs[i] / sum);
      }
      continue;
    }
    double y = mg.top;
    for (size_t i = 0; i < mp->n; i++) {
      mp->y0[i] = y;
      mp->h[i] = hs[i];
      mp->ay[i].r0 = y + hs[i], mp->ay[i].r1 = y;
      y += hs[i] + TICK + MEM_SPACING;
    }
    double plots = y - TICK - MEM_SPACING - mg.top;
    c->x0 = mg.left;
    c->y0 = mg.top;
    c->w = w;
    c->h = plots;
    c->s->width = ceil(mg.left + w + mg.right);
    c->s->height = ceil(fmax(mg.top + plots + mg.bottom, mg.top + mg.legend_h + PADDING));
    if (width > 0)
      c->s->width = fmax(c->s->width, width);
    if (height > 0)
      c->s->height = fmax(c->s->height, height);
    c->ax.r0 = c->x0, c->ax.r1 = c->x0 + w;
    return 0;
  }
  return 0;
}

typedef struct mem_order {
  double x;
  size_t i;
} mem_order;

static int mem_order_cmp(const void *a, const void *b)
{
  const mem_order *p = a, *q = b;
  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  return p->i < q->i ? -1 : p->i > q->i;
}

int bv_layout_memory_model(const bv_model *mo, const bv_emit_opts *o, const bv_measure *m,
                           bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (!mo || mo->kind != BV_MODEL_MEMORY || !mo->u.memory)
    return bv_error_set(BV_EINVAL, "not a memory series");
  const bv_memseries *ms = mo->u.memory;
  bv_memory_view v;
  bv_memory_view_make(ms, &v);
  chart c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.pad = 20;
  c.th = sc_theme_get(o ? o->dark : 0);
  int rc = bv_scene_new("memory", &c.s);
  if (rc)
    return rc;
  bv_scene *s = c.s;
  s->font = bv_arena_strdup(s->arena, m->font ? m->font : "DejaVu Sans");
  s->background = c.th->page;
  c.cats = v.cluster ? v.series : v.kinds;
  c.ncat = v.cluster ? v.nseries : v.nkinds;
  c.ltitle = v.legend_title;
  c.line_legend = 1;
  c.points = v.points;
  c.xtitle = v.x_title;
  bv_buf t;
  bv_buf_init(&t);
  bv_memory_view_title(&t, ms);
  c.title = bv_arena_strdup(s->arena, t.data ? t.data : "");
  t.len = 0;
  bv_memory_view_subtitle(&t, ms);
  c.sub[c.nsub++] = bv_arena_strdup(s->arena, t.data ? t.data : "");
  int oom = !c.sub[0];
  for (size_t k = 0; k < bv_memory_view_nnotes(&v) && c.nsub < 3; k++) {
    t.len = 0;
    bv_memory_view_note(&t, &v, ms, k);
    c.sub[c.nsub] = bv_arena_strdup(s->arena, t.data ? t.data : "");
    oom |= !c.sub[c.nsub++];
  }
  oom |= t.failed;
  bv_buf_dispose(&t);
  s->title = c.title;
  mem_panels mp;
  memset(&mp, 0, sizeof mp);
  double *pts = malloc((ms->n ? ms->n : 1) * 2 * sizeof *pts);
  mem_order *ord = malloc((ms->n ? ms->n : 1) * sizeof *ord);
  if (!pts || !ord || oom || !c.title) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (memory chart)");
    goto done;
  }
  /* Vega-Lite draws a line through its points sorted by x (ties in data
   * order); samples from a node are in time order, a hand-made file may not be */
  for (size_t i = 0; i < ms->n; i++) {
    ord[i].x = bv_memory_view_x(&v, ms, i);
    ord[i].i = i;
  }
  qsort(ord, ms->n, sizeof *ord, mem_order_cmp);
  if ((rc = mem_place(&c, &mp, ms, &v, o ? o->width : 0, o ? o->height : 0)))
    goto done;
  double top = c.y0;
  for (size_t pi = 0; pi < mp.n && !rc; pi++) {
    const bv_memory_panel *p = &v.panel[pi];
    c.ay = mp.ay[pi];
    c.y0 = mp.y0[pi];
    c.h = mp.h[pi];
    c.ytitle = p->y_title;
    if ((rc = draw_frame(&c)))
      break;
    for (size_t j = 0; j < bv_memory_view_nlines(&v, p) && !rc; j++) {
      size_t k = bv_memory_view_line_kind(&v, p, j), col = bv_memory_view_line_color(&v, p, j);
      size_t np = 0; /* the line's samples: a cluster's node's own */
      for (size_t i = 0; i < ms->n; i++) {
        if (v.cluster && bv_memory_view_line(&v, ms, ord[i].i) != (int)j)
          continue;
        pts[2 * np] = chart_axis_map(&c.ax, ord[i].x);
        pts[2 * np + 1] =
            chart_axis_map(&c.ay, bv_memory_view_value(&v, ms->samples[ord[i].i].bytes[k]));
        np++;
      }
      if (np > 1)
        rc = sc_line(s, "series", pts, np, cat_color(col), 2, BV_DASH_SOLID, BV_ARROW_NONE,
                     (int32_t)col);
      for (size_t i = 0; i < np && c.points && !rc; i++)
        rc = sc_circle(s, "point", pts[2 * i], pts[2 * i + 1], POINT_R, cat_color(col), SC_NONE, 0,
                       (int32_t)col);
    }
    if (!rc)
      rc = mem_axes(&c, p->x_labels);
  }
  if (!rc) {
    double lx = c.x0 + c.w + LEGEND_OFFSET;
    c.y0 = top;
    rc = draw_legend(&c, lx, c.s->width - lx - c.pad);
  }
  if (!rc)
    rc = chart_draw_titles(&c);
done:
  free(pts);
  free(ord);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  if (info) {
    info->width = s->width;
    info->height = s->height;
  }
  *out = s;
  return 0;
}
