/* layout_util.h: checks shared by the layout unit tests (test_layout_*.c,
 * test_scene.c): geometry invariants of a scene, golden dumps, and rendering
 * to every format. BV_UPDATE_GOLDEN=1 rewrites the golden files;
 * BV_IMG_DIR=dir also writes real PNG/SVG/PDF files there to look at. */
#ifndef BV_LAYOUT_UTIL_H
#define BV_LAYOUT_UTIL_H

#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 0.51

/* fontconfig keeps its configuration and caches until exit (beamviz never
 * calls FcFini: cairo may still use them); LeakSanitizer would report them. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static inline int lu_box_overlap(const bv_sitem *a, const bv_sitem *b)
{
  return a->x < b->x + b->w - EPS && b->x < a->x + a->w - EPS && a->y < b->y + b->h - EPS &&
         b->y < a->y + a->h - EPS;
}

static inline double lu_text_left(const bv_sitem *t)
{
  return t->anchor == BV_ANCHOR_MIDDLE ? t->x - t->w / 2
         : t->anchor == BV_ANCHOR_END  ? t->x - t->w
                                       : t->x;
}

/* No two items of kind `kind` whose class is in `classes` (space separated,
 * NULL = all) overlap. Sort-and-sweep on x so 2,000 boxes stay cheap.
 * Returns the number of overlapping pairs. */
static int lu_cls_in(const char *cls, const char *classes)
{
  if (!classes)
    return 1;
  size_t n = strlen(cls);
  for (const char *p = classes; (p = strstr(p, cls)); p += n)
    if ((p == classes || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
      return 1;
  return 0;
}

typedef struct lu_box {
  double x0, y0, x1, y1;
  size_t i;
} lu_box;

static int lu_cmp_box(const void *a, const void *b)
{
  double d = ((const lu_box *)a)->x0 - ((const lu_box *)b)->x0;
  return d < 0 ? -1 : d > 0;
}

static inline lu_box lu_item_box(const bv_sitem *it, size_t i)
{
  lu_box b;
  if (it->kind == BV_SI_TEXT && it->vertical) {
    /* rotated -90 degrees around (x, y): the run goes up the page */
    double off = it->anchor == BV_ANCHOR_MIDDLE ? it->w / 2 : it->anchor == BV_ANCHOR_END ? it->w : 0;
    b.x0 = it->x - it->ascent, b.x1 = b.x0 + it->h;
    b.y1 = it->y + off, b.y0 = b.y1 - it->w;
  } else if (it->kind == BV_SI_TEXT) {
    b.x0 = lu_text_left(it), b.x1 = b.x0 + it->w;
    b.y0 = it->y - it->ascent, b.y1 = b.y0 + it->h;
  } else if (it->kind == BV_SI_CIRCLE) {
    b.x0 = it->x - it->r, b.x1 = it->x + it->r, b.y0 = it->y - it->r, b.y1 = it->y + it->r;
  } else {
    b.x0 = it->x, b.x1 = it->x + it->w, b.y0 = it->y, b.y1 = it->y + it->h;
  }
  b.i = i;
  return b;
}

static inline int lu_overlaps(const bv_scene *s, bv_sitem_kind kind, const char *classes,
                              int verbose)
{
  lu_box *v = malloc((s->n + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].kind == kind && s->items[i].cls && lu_cls_in(s->items[i].cls, classes))
      v[n++] = lu_item_box(&s->items[i], i);
  qsort(v, n, sizeof *v, lu_cmp_box);
  int bad = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n && v[j].x0 < v[i].x1 - EPS; j++)
      if (v[i].y0 < v[j].y1 - EPS && v[j].y0 < v[i].y1 - EPS) {
        if (verbose && bad < 5)
          fprintf(stderr, "overlap: item %zu (%s %s) and %zu (%s %s)\n", v[i].i,
                  s->items[v[i].i].cls, s->items[v[i].i].text ? s->items[v[i].i].text : "",
                  v[j].i, s->items[v[j].i].cls,
                  s->items[v[j].i].text ? s->items[v[j].i].text : "");
        bad++;
      }
  free(v);
  return bad;
}

/* Every item lies inside the image. Returns how many do not. */
static inline int lu_outside(const bv_scene *s)
{
  int bad = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (it->kind == BV_SI_LINE) {
      for (size_t k = 0; k < it->npts; k++)
        if (it->pts[2 * k] < -EPS || it->pts[2 * k] > s->width + EPS ||
            it->pts[2 * k + 1] < -EPS || it->pts[2 * k + 1] > s->height + EPS)
          bad++;
      continue;
    }
    if (it->kind == BV_SI_TEXT && it->vertical) {
      /* rotated: the box runs up from y */
      double y0 = it->y - (it->anchor == BV_ANCHOR_MIDDLE ? it->w / 2 : 0);
      if (it->x - it->ascent < -EPS || y0 - it->w < -EPS - it->w || it->y > s->height + EPS)
        bad++;
      continue;
    }
    lu_box b = lu_item_box(it, i);
    if (b.x0 < -EPS || b.y0 < -EPS || b.x1 > s->width + EPS || b.y1 > s->height + EPS) {
      if (bad < 5)
        fprintf(stderr, "outside %gx%g: item %zu %s (%g,%g)-(%g,%g) %s\n", s->width, s->height,
                i, it->cls, b.x0, b.y0, b.x1, b.y1, it->text ? it->text : "");
      bad++;
    }
  }
  return bad;
}

/* Point (x,y) lies on the border of rect r. */
static inline int lu_on_border(const bv_sitem *r, double x, double y)
{
  int inx = x > r->x - EPS && x < r->x + r->w + EPS;
  int iny = y > r->y - EPS && y < r->y + r->h + EPS;
  return (inx && (fabs(y - r->y) < EPS || fabs(y - r->y - r->h) < EPS)) ||
         (iny && (fabs(x - r->x) < EPS || fabs(x - r->x - r->w) < EPS));
}

/* Compares a dump with test/golden/NAME (or rewrites it with BV_UPDATE_GOLDEN=1). */
static inline int lu_golden(const bv_scene *s, const char *name)
{
  bv_buf b;
  bv_buf_init(&b);
  bv_scene_dump(s, &b);
  char path[1024];
  snprintf(path, sizeof path, "%s/test/golden/%s", BV_SOURCE_DIR, name);
  const char *upd = getenv("BV_UPDATE_GOLDEN");
  int ok = 0;
  if (upd && *upd == '1') {
    FILE *f = fopen(path, "wb");
    if (f) {
      fwrite(b.data, 1, b.len, f);
      fclose(f);
      ok = 1;
    }
  } else {
    FILE *f = fopen(path, "rb");
    if (f) {
      bv_buf g;
      bv_buf_init(&g);
      char chunk[4096];
      size_t k;
      while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        bv_buf_put(&g, chunk, k);
      fclose(f);
      ok = g.len == b.len && memcmp(g.data, b.data, b.len) == 0;
      if (!ok) {
        /* show the first differing line */
        size_t i = 0, line = 1;
        while (i < g.len && i < b.len && g.data[i] == b.data[i]) {
          if (g.data[i] == '\n')
            line++;
          i++;
        }
        fprintf(stderr, "golden %s differs at line %zu (BV_UPDATE_GOLDEN=1 to accept):\n", name,
                line);
        size_t ls = i;
        while (ls > 0 && b.data[ls - 1] != '\n')
          ls--;
        const char *e = strchr(b.data + ls, '\n');
        fprintf(stderr, "  got: %.*s\n", (int)(e ? e - (b.data + ls) : 200), b.data + ls);
      }
      bv_buf_dispose(&g);
    } else {
      fprintf(stderr, "golden %s missing (BV_UPDATE_GOLDEN=1 to create)\n", path);
    }
  }
  bv_buf_dispose(&b);
  return ok;
}

/* Renders to each format in memory and checks the magic bytes; with
 * BV_IMG_DIR set also writes NAME.png/.svg/.pdf there. */
static inline int lu_render_all(const bv_scene *s, const char *name)
{
  static const struct {
    bv_format f;
    const char *ext, *magic;
    size_t mlen;
  } fm[] = {{BV_FMT_PNG, "png", "\x89PNG\r\n\x1a\n", 8},
            {BV_FMT_SVG, "svg", "<?xml", 5},
            {BV_FMT_PDF, "pdf", "%PDF-", 5}};
  const char *dir = getenv("BV_IMG_DIR");
  int ok = 1;
  for (size_t i = 0; i < 3; i++) {
    bv_out *o;
    bv_render_opts ro = {0};
    if (bv_out_open_mem(&o))
      return 0;
    int rc = bv_render(s, fm[i].f, &ro, o);
    size_t len;
    const char *d = bv_out_mem(o, &len);
    if (rc || len < fm[i].mlen || memcmp(d, fm[i].magic, fm[i].mlen) != 0) {
      fprintf(stderr, "render %s.%s failed: %s\n", name, fm[i].ext, bv_error_last());
      ok = 0;
    } else if (dir && *dir) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s.%s", dir, name, fm[i].ext);
      FILE *f = fopen(path, "wb");
      if (f) {
        fwrite(d, 1, len, f);
        fclose(f);
      }
    }
    bv_out_commit(o);
  }
  return ok;
}

/* Real measurer if DejaVu Sans is installed, else the fake one. */
static inline int lu_measure(bv_measure *m)
{
  if (bv_cairo_measure_open(NULL, m) == 0)
    return 1;
  bv_fake_measure(m);
  return 0;
}

#endif
