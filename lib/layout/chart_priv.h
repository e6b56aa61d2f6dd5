/* chart_priv.h (internal): the building blocks of the charts in Vega-Lite's
 * default look (layout/chart.c), shared by the scatter, the memory lines
 * (chart.c) and the top-N bars (bar.c). */
#ifndef BV_CHART_PRIV_H
#define BV_CHART_PRIV_H

#include "layout/scene_priv.h"
#include "view/view.h"

#define LABEL_FS 10.0
#define TITLE_FS 11.0
#define CHART_TITLE_FS 13.0
#define SUBTITLE_FS 12.0
#define TICK 5.0
#define LABEL_PAD 2.0
#define TITLE_PAD 4.0
#define LEGEND_OFFSET 18.0
#define LEGEND_ROW 16.0
#define POINT_R 3.0902      /* sqrt(30 / pi): Vega's default point size 30 */
#define SQUARE 5.4772       /* sqrt(30) */
#define PADDING (c->pad)

/* A numeric axis: linear (d3's nice ticks), or log / symlog from a view's
 * bv_chart_axis (the data's extent; decades labelled first). */
typedef struct axis {
  int log;           /* mapped by a view axis (view) */
  const bv_chart_axis *view;
  double lo, hi;     /* domain */
  double r0, r1;     /* range in px */
  size_t n;
  double ticks[128];
  const char *labels[128];
  int decimals;
} axis;

typedef struct chart {
  double pad;           /* Vega's padding around everything (5; memory spec: 20) */
  bv_scene *s;
  const bv_measure *m;
  const sc_theme *th;
  double x0, y0, w, h;  /* plot area */
  axis ax, ay;
  const char *xtitle, *ytitle;
  const char *title;
  const char *sub[3];
  size_t nsub;
  /* legend */
  const char *ltitle;
  size_t ncat;          /* entries drawn */
  const char *const *cats;
  size_t ncolors;       /* the colour domain's size (category10 or 20: bv_chart_rgb) */
  const char *more;     /* "... and N more" after them, or NULL */
  int line_legend;      /* entries are lines (with a point if .points) */
  int points;
  const char *l2title;  /* second legend: shapes (zero values) */
  const char *l2[2];
} chart;

/* v with `decimals` digits after the point and thousands separators. */
const char *chart_fmt_num(bv_arena *a, double v, int decimals);
void chart_axis_linear(axis *a, double mn, double mx, double count, double min_step);
void chart_axis_view(axis *a, const bv_chart_axis *v);
double chart_axis_map(const axis *a, double v);
int chart_labels(chart *c, axis *a);
double chart_text_w(chart *c, const char *t, double fs, int bold);
/* Height of the title and subtitles (baselines in base when not NULL). */
double chart_title_block(chart *c, double *base);
int chart_draw_titles(chart *c);
/* The x axis: domain line, ticks and labels (thinned); its title. */
int chart_draw_xaxis(chart *c);
int chart_draw_xtitle(chart *c);

#endif
