/* layout/bar.c: the top-N bar chart in Vega-Lite's default look, as
 * templates/procs_bar.vl.json renders in Vega: one horizontal bar (#4c78a8)
 * a process in a 20 px row (the band's step; bars 18 px: padding 0.1), the
 * identities on the left (10 px, cut with an ellipsis at BV_BARS_LABEL_LIMIT
 * px), the value after each bar (11 px, 3 px from its end), a linear value
 * axis from 0 with Vega's nice ticks and x grid lines, the view frame. The
 * rows, texts and order come from the bars view (view/chart.c), which the
 * Vega-Lite writer (emit/procs.c) draws from too. */
#include "layout/chart_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BAR_COLOR 0x4C78A8 /* Vega-Lite's default mark colour */
#define VALUE_FS 11.0      /* Vega's text mark */
#define VALUE_DX 3.0

static int draw_bars(chart *c, const bv_procs_bars *b)
{
  bv_scene *s = c->s;
  const sc_theme *th = c->th;
  double pts[4];
  int rc = 0;
  /* x grid, then the view frame */
  for (size_t i = 0; i < c->ax.n && !rc; i++) {
    double x = chart_axis_map(&c->ax, c->ax.ticks[i]);
    pts[0] = x, pts[1] = c->y0, pts[2] = x, pts[3] = c->y0 + c->h;
    rc = sc_line(s, "grid", pts, 2, th->grid, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  if (!rc)
    rc = sc_rect(s, "view", c->x0, c->y0, c->w, c->h, 0, SC_NONE, th->grid, 1, BV_DASH_SOLID, -1);
  for (size_t i = 0; i < b->n && !rc; i++) {
    double v = bv_proc_num(b->rows[i], b->by);
    double x1 = chart_axis_map(&c->ax, fmax(v, 0));
    double top = c->y0 + (double)i * BV_BARS_STEP + 0.05 * BV_BARS_STEP;
    double cy = c->y0 + ((double)i + 0.5) * BV_BARS_STEP;
    rc = sc_rect(s, "bar", c->x0, top, x1 - c->x0, 0.9 * BV_BARS_STEP, 0, SC_RGB(BAR_COLOR),
                 SC_NONE, 0, BV_DASH_SOLID, (int32_t)i);
    if (!rc)
      rc = sc_text(s, c->m, "value", x1 + VALUE_DX, cy + VALUE_FS * 0.35, BV_ANCHOR_START,
                   VALUE_FS, 0, th->text, b->value[i], 0, (int32_t)i, NULL);
  }
  /* the band axis: domain, a tick and the identity at each row's middle */
  if (!rc) {
    pts[0] = c->x0, pts[1] = c->y0, pts[2] = c->x0, pts[3] = c->y0 + c->h;
    rc = sc_line(s, "domain", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  for (size_t i = 0; i < b->n && !rc; i++) {
    double cy = c->y0 + ((double)i + 0.5) * BV_BARS_STEP;
    pts[0] = c->x0 - TICK, pts[1] = cy, pts[2] = c->x0, pts[3] = cy;
    rc = sc_line(s, "tick", pts, 2, th->domain, 1, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    if (!rc)
      rc = sc_text(s, c->m, "ylabel", c->x0 - TICK - LABEL_PAD, cy + LABEL_FS * 0.35,
                   BV_ANCHOR_END, LABEL_FS, 0, th->text, b->who[i], BV_BARS_LABEL_LIMIT,
                   (int32_t)i, NULL);
  }
  if (!rc)
    rc = chart_draw_xaxis(c);
  if (!rc)
    rc = chart_draw_xtitle(c);
  if (!rc)
    rc = chart_draw_titles(c);
  return rc;
}

int bv_layout_bars_model(const bv_model *mo, const bv_emit_opts *o, const bv_measure *m,
                         bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (!mo || mo->kind != BV_MODEL_SNAPSHOT || !mo->u.snapshot)
    return bv_error_set(BV_EINVAL, "not a process snapshot");
  const bv_snapshot *sn = mo->u.snapshot;
  bv_procs_view fields;
  bv_procs_bars b;
  int rc = bv_procs_view_fields_for(o, sn, &fields); /* refused alike whatever the chart */
  if (rc)
    return rc;
  if ((rc = bv_procs_bars_make(sn, o, &b))) {
    bv_procs_bars_dispose(&b);
    return rc;
  }
  chart c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.pad = 5;
  c.th = sc_theme_get(o ? o->dark : 0);
  if ((rc = bv_scene_new("bars", &c.s))) {
    bv_procs_bars_dispose(&b);
    return rc;
  }
  bv_scene *s = c.s;
  s->font = bv_arena_strdup(s->arena, m->font ? m->font : "DejaVu Sans");
  s->background = c.th->page;
  bv_buf t;
  bv_buf_init(&t);
  bv_procs_bars_title(&t, sn, &b);
  c.title = bv_arena_strdup(s->arena, t.data ? t.data : "");
  t.len = 0;
  bv_procs_bars_subtitle(&t, sn, &b);
  c.sub[c.nsub++] = bv_arena_strdup(s->arena, t.data ? t.data : "");
  int oom = t.failed;
  bv_buf_dispose(&t);
  c.xtitle = bv_procs_bars_axis_title(&b);
  s->title = c.title;
  if (oom || !c.title || !c.sub[0]) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (bars)");
    goto done;
  }
  /* widths: the identities (at most the label limit), the plot (600, or what
   * o->width leaves), the values past the longest bars */
  double lab = 0;
  for (size_t i = 0; i < b.n; i++)
    lab = fmax(lab, fmin(chart_text_w(&c, b.who[i], LABEL_FS, 0), BV_BARS_LABEL_LIMIT));
  c.x0 = c.pad + lab + LABEL_PAD + TICK;
  c.y0 = chart_title_block(&c, NULL);
  c.w = 600;
  c.h = (double)(b.n ? b.n : 1) * BV_BARS_STEP;
  for (int pass = 0; pass < 2; pass++) {
    chart_axis_linear(&c.ax, 0, b.max, bv_procs_bars_ticks(&b), 1);
    c.ax.r0 = c.x0, c.ax.r1 = c.x0 + c.w;
    double over = 0; /* how far the value texts reach past the plot */
    for (size_t i = 0; i < b.n; i++) {
      double x1 = chart_axis_map(&c.ax, fmax(bv_proc_num(b.rows[i], b.by), 0));
      over = fmax(over, x1 + VALUE_DX + chart_text_w(&c, b.value[i], VALUE_FS, 0) - (c.x0 + c.w));
    }
    if (pass == 0 && o && o->width > 0) {
      c.w = fmax(100, o->width - c.x0 - over - c.pad);
      continue;
    }
    s->width = ceil(c.x0 + c.w + over + c.pad);
    break;
  }
  if ((rc = chart_labels(&c, &c.ax)))
    goto done;
  /* the title and subtitle are not cut: the picture widens as Vega's does */
  s->width = fmax(s->width, ceil(2 * c.pad + chart_text_w(&c, c.title, CHART_TITLE_FS, 1)));
  s->width = fmax(s->width, ceil(2 * c.pad + chart_text_w(&c, c.sub[0], SUBTITLE_FS, 0)));
  s->height = ceil(c.y0 + c.h + TICK + LABEL_PAD + LABEL_FS * 1.2 + TITLE_PAD + TITLE_FS * 1.2 +
                   c.pad);
  if (o && o->width > 0)
    s->width = fmax(s->width, o->width);
  rc = draw_bars(&c, &b);
done:
  if (!rc && info) {
    info->width = s->width;
    info->height = s->height;
  }
  bv_procs_bars_dispose(&b);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  *out = s;
  return 0;
}
