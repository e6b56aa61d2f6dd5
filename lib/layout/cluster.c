/* layout/cluster.c: the cluster map as an image, from its view: one box per
 * node (the view's label lines and class), straight connections between box
 * centres drawn behind the boxes (hidden ones dotted). Up to 8 nodes sit on
 * an ellipse around the middle, more in a grid at most about 1000 px wide. */
#include "layout/scene_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FONT 13.0
#define TITLE_FONT 15.0
#define LINE_H 18.0
#define PAD 10.0
#define MARGIN 20.0
#define BOX_MIN_W 150.0
#define BOX_MAX_W 300.0
#define GAP_X 50.0
#define GAP_Y 40.0
#define PAGE_W 1000.0   /* grids are at most this wide */
#define CIRCLE_MAX 8    /* nodes on an ellipse; more go in a grid */

typedef struct box_style {
  bv_color fill, stroke, text;
  double lw;
  bv_dash dash;
} box_style;

static box_style style_of(const char *cls, const sc_theme *th)
{
  box_style s = {SC_RGB(0x66C2A5), SC_RGB(0x374151), SC_RGB(0x1F2937), 1, BV_DASH_SOLID};
  if (strcmp(cls, "entry") == 0) {
    s.fill = SC_RGB(0xC4B5FD);
    s.lw = 3;
  } else if (strcmp(cls, "hiddennode") == 0) {
    s.fill = th->page;
    s.stroke = th->line;
    s.text = th->text;
    s.dash = BV_DASH_DASHED;
  } else if (strcmp(cls, "unreachable") == 0) {
    s.fill = SC_RGB(0xFCA5A5);
    s.stroke = SC_RGB(0xB91C1C);
    s.text = SC_RGB(0x7F1D1D);
    s.lw = 2;
    s.dash = BV_DASH_DASHED;
  }
  return s;
}

/* Line k (from 0) of a '\n'-split label into buf; 0 if there is none. */
static int line_of(const char *label, size_t k, char *buf, size_t cap)
{
  const char *p = label;
  for (; k; k--) {
    p = strchr(p, '\n');
    if (!p)
      return 0;
    p++;
  }
  size_t n = strcspn(p, "\n");
  if (n >= cap)
    n = cap - 1;
  memcpy(buf, p, n);
  buf[n] = 0;
  return 1;
}

static size_t nlines(const char *label)
{
  size_t n = 1;
  for (; *label; label++)
    n += *label == '\n';
  return n;
}

/* Do boxes (w x h) centred at the points overlap (with a gap)? */
static int overlap(const double *cx, const double *cy, size_t n, double w, double h)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (fabs(cx[i] - cx[j]) < w + GAP_X && fabs(cy[i] - cy[j]) < h + GAP_Y)
        return 1;
  return 0;
}

static int layout(const bv_cluster_view *v, const bv_emit_opts *o, const bv_measure *ms,
                  bv_scene **out)
{
  const bv_clustermap *m = v->map;
  size_t n = m->n;
  const sc_theme *th = sc_theme_get(o->dark);
  bv_scene *s = NULL;
  int rc = bv_scene_new("cluster", &s);
  if (rc)
    return rc;
  double *cx = calloc(n ? 2 * n : 2, sizeof *cx), *cy = cx ? cx + (n ? n : 1) : NULL;
  if (!cx) {
    bv_scene_free(s);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  s->font = bv_arena_strdup(s->arena, ms->font ? ms->font : "DejaVu Sans");
  s->background = th->page;
  s->title = bv_arena_strdup(s->arena, v->title);
  if (!s->font || !s->title) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  /* one box size for all: the widest label line (within BOX_MAX_W) */
  double w = BOX_MIN_W;
  size_t lines = 1;
  char buf[512];
  for (size_t i = 0; i < n; i++) {
    size_t k = nlines(v->label[i]);
    lines = k > lines ? k : lines;
    for (size_t l = 0; l < k && line_of(v->label[i], l, buf, sizeof buf); l++) {
      bv_text_metrics tm;
      if ((rc = sc_measure(ms, buf, FONT, l == 0, &tm)))
        goto done;
      if (tm.width + 2 * PAD > w)
        w = tm.width + 2 * PAD;
    }
  }
  if (w > BOX_MAX_W)
    w = BOX_MAX_W;
  double h = (double)lines * LINE_H + 2 * PAD - 4;
  /* where the box centres go (from 0,0; shifted into the page below) */
  if (n <= 1) {
    /* one box */
  } else if (n == 2) {
    cx[1] = w + 2 * GAP_X;
  } else if (n <= CIRCLE_MAX) {
    /* the ellipse whose boxes keep their gaps with the smallest landscape
       page (max(width, 1.5 height)) within PAGE_W if any is */
    double best = -1, brx = w, bry = h;
    int best_fits = 0;
    for (double rx = w * 0.3; rx < w * 6; rx *= 1.05)
      for (double ry = h * 0.5; ry < h * 12; ry *= 1.05) {
        double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
        for (size_t i = 0; i < n; i++) {
          double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
          cx[i] = rx * cos(a);
          cy[i] = ry * sin(a);
          x0 = fmin(x0, cx[i]), x1 = fmax(x1, cx[i]), y0 = fmin(y0, cy[i]), y1 = fmax(y1, cy[i]);
        }
        double pw = x1 - x0 + w, ph = y1 - y0 + h, cost = fmax(pw, 1.5 * ph);
        int fits = pw <= PAGE_W - 2 * MARGIN;
        if ((best >= 0 && (best_fits > fits || (best_fits == fits && cost >= best))) ||
            overlap(cx, cy, n, w, h))
          continue;
        best = cost;
        best_fits = fits;
        brx = rx;
        bry = ry;
      }
    for (size_t i = 0; i < n; i++) {
      double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
      cx[i] = brx * cos(a);
      cy[i] = bry * sin(a);
    }
  } else {
    size_t cols = (size_t)((PAGE_W - 2 * MARGIN + GAP_X) / (w + GAP_X));
    size_t want = (size_t)ceil(sqrt((double)n));
    if (cols > want)
      cols = want;
    if (cols < 1)
      cols = 1;
    for (size_t i = 0; i < n; i++) {
      size_t r = i / cols, c = i % cols;
      /* odd rows half a step over: fewer connections run along a row through a box */
      cx[i] = (double)c * (w + GAP_X) + ((r & 1) && cols > 1 ? (w + GAP_X) / 2 : 0);
      cy[i] = (double)r * (h + GAP_Y);
    }
  }
  double minx = 0, maxx = 0, miny = 0, maxy = 0;
  for (size_t i = 0; i < n; i++) {
    minx = i == 0 || cx[i] < minx ? cx[i] : minx;
    maxx = i == 0 || cx[i] > maxx ? cx[i] : maxx;
    miny = i == 0 || cy[i] < miny ? cy[i] : miny;
    maxy = i == 0 || cy[i] > maxy ? cy[i] : maxy;
  }
  /* the title above, the legend below */
  bv_text_metrics tt;
  if ((rc = sc_measure(ms, v->title, TITLE_FONT, 1, &tt)))
    goto done;
  double top = MARGIN + TITLE_FONT + 16;
  double dx = MARGIN + w / 2 - minx, dy = top + h / 2 - miny;
  double width = maxx - minx + w + 2 * MARGIN, legend_y = maxy + dy + h / 2 + 28;
  if (tt.width + 2 * MARGIN > width)
    width = tt.width + 2 * MARGIN;
  double shift = (width - (maxx - minx + w + 2 * MARGIN)) / 2;
  dx += shift;
  if ((rc = sc_text(s, ms, "title", MARGIN, MARGIN + TITLE_FONT, BV_ANCHOR_START, TITLE_FONT, 1,
                    th->text, v->title, width - 2 * MARGIN, -1, NULL)))
    goto done;
  /* connections behind the boxes: a mesh of many is drawn light */
  int many = m->nedges > 40;
  bv_color lc = many ? (th->line & 0x00FFFFFFu) | 0x80000000u : th->line;
  for (size_t k = 0; k < m->nedges; k++) {
    const bv_cedge *e = &m->edges[k];
    double pts[4] = {cx[e->a] + dx, cy[e->a] + dy, cx[e->b] + dx, cy[e->b] + dy};
    if ((rc = sc_line(s, e->hidden ? "hidden-edge" : "edge", pts, 2, lc, many ? 0.8 : 1.5,
                      e->hidden ? BV_DASH_DOTTED : BV_DASH_SOLID, BV_ARROW_NONE, (int32_t)k)))
      goto done;
  }
  for (size_t i = 0; i < n; i++) {
    box_style st = style_of(v->cls[i], th);
    double x = cx[i] + dx - w / 2, y = cy[i] + dy - h / 2;
    if ((rc = sc_rect(s, v->cls[i], x, y, w, h, 6, st.fill, st.stroke, st.lw, st.dash,
                      (int32_t)i)))
      goto done;
    size_t k = nlines(v->label[i]);
    double ty = y + PAD + FONT + (double)(lines - k) * LINE_H / 2; /* centred */
    for (size_t l = 0; l < k && line_of(v->label[i], l, buf, sizeof buf); l++)
      if ((rc = sc_text(s, ms, l == 0 ? "name" : "facts", x + w / 2,
                        ty + (double)l * LINE_H, BV_ANCHOR_MIDDLE, FONT, l == 0,
                        st.text, buf, w - 2 * PAD, (int32_t)i, NULL)))
        goto done;
  }
  double height = maxy + dy + h / 2 + MARGIN;
  /* the legend: the kinds of connection drawn */
  if (m->nedges) {
    double x = MARGIN;
    for (int hid = 0; hid < 2; hid++) {
      if (hid ? !v->hidden_edges : !v->visible_edges)
        continue;
      double pts[4] = {x, legend_y - 4, x + 30, legend_y - 4};
      if ((rc = sc_line(s, "legend", pts, 2, th->line, 1.5, hid ? BV_DASH_DOTTED : BV_DASH_SOLID,
                        BV_ARROW_NONE, -1)))
        goto done;
      size_t idx;
      if ((rc = sc_text(s, ms, "legend", x + 38, legend_y, BV_ANCHOR_START, 12, 0, th->muted,
                        hid ? "hidden connection" : "visible connection", 0, -1, &idx)))
        goto done;
      x += 38 + s->items[idx].w + 24;
    }
    height = legend_y + MARGIN - 6;
  }
  s->width = ceil(width);
  s->height = ceil(height);
done:
  free(cx);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

int bv_layout_cluster_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                            bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (!m || m->kind != BV_MODEL_CLUSTER || !m->u.cluster)
    return bv_error_set(BV_EINVAL, "cluster: nothing to draw (not a cluster map)");
  bv_cluster_view *v = NULL;
  int rc = bv_cluster_view_make(m->u.cluster, o, &v);
  if (rc)
    return rc;
  rc = layout(v, o, ms, out);
  if (!rc && info) {
    info->nodes = m->u.cluster->n;
    info->width = (*out)->width;
    info->height = (*out)->height;
  }
  bv_cluster_view_free(v);
  return rc;
}
