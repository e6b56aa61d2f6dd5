/* render_cairo.c: the one cairo backend. Draws any bv_scene to PNG, SVG or
 * PDF through cairo's *_for_stream functions into a bv_out, and measures text
 * with the same font (the only other place cairo is used). */
#include "render/render.h"
#include "layout/scene_priv.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_FONT "DejaVu Sans"

/* --- measuring ----------------------------------------------------------- */

typedef struct measurer {
  cairo_surface_t *surf;
  cairo_t *cr;
  char *family;
  double size;
  int bold;
} measurer;

static void select_font(cairo_t *cr, const char *family, double size, int bold)
{
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

static int cairo_measure(void *ud, const char *text, size_t len, double size, int bold,
                         bv_text_metrics *m)
{
  measurer *ms = ud;
  if (size != ms->size || bold != ms->bold) {
    select_font(ms->cr, ms->family, size, bold);
    ms->size = size;
    ms->bold = bold;
  }
  char small[256], *t = small;
  if (len >= sizeof small && !(t = malloc(len + 1)))
    return bv_error_set(BV_ENOMEM, "out of memory (measuring text)");
  memcpy(t, text, len);
  t[len] = 0;
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  cairo_text_extents(ms->cr, t, &te);
  cairo_font_extents(ms->cr, &fe);
  if (t != small)
    free(t);
  if (cairo_status(ms->cr) != CAIRO_STATUS_SUCCESS)
    return bv_error_set(BV_EINVAL, "cannot measure text: %s",
                        cairo_status_to_string(cairo_status(ms->cr)));
  m->width = te.x_advance;
  m->ascent = fe.ascent;
  m->descent = fe.descent;
  return 0;
}

static int generic_family(const char *f)
{
  static const char *const g[] = {"sans-serif", "sans", "serif", "monospace", "mono", NULL};
  for (int i = 0; g[i]; i++)
    if (strcasecmp(f, g[i]) == 0)
      return 1;
  return 0;
}

int bv_cairo_measure_open(const char *font, bv_measure *m)
{
  memset(m, 0, sizeof *m);
  if (!font || !*font)
    font = DEFAULT_FONT;
  measurer *ms = calloc(1, sizeof *ms);
  if (!ms || !(ms->family = strdup(font))) {
    free(ms);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  ms->surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  ms->cr = cairo_create(ms->surf);
  select_font(ms->cr, font, 12, 0);
  ms->size = 12;
  /* fontconfig never says "no such font": it substitutes. Ask which family
   * it really picked and refuse a silent substitution. */
  char got[256] = "";
  cairo_scaled_font_t *sf = cairo_get_scaled_font(ms->cr);
  if (cairo_scaled_font_get_type(sf) == CAIRO_FONT_TYPE_FT) {
    FT_Face face = cairo_ft_scaled_font_lock_face(sf);
    if (face && face->family_name)
      snprintf(got, sizeof got, "%s", face->family_name);
    cairo_ft_scaled_font_unlock_face(sf);
  }
  int rc = 0;
  if (cairo_status(ms->cr) != CAIRO_STATUS_SUCCESS)
    rc = bv_error_set(BV_ENOTFOUND, "font '%s': %s", font,
                      cairo_status_to_string(cairo_status(ms->cr)));
  else if (!*got)
    rc = bv_error_set(BV_ENOTFOUND, "font '%s' is not installed (no fonts found by fontconfig)",
                      font);
  else if (!generic_family(font) && strcasecmp(got, font) != 0)
    rc = bv_error_set(BV_ENOTFOUND, "font '%s' is not installed (fontconfig would use '%s')",
                      font, got);
  if (rc) {
    m->ud = ms;
    bv_cairo_measure_close(m);
    return rc;
  }
  m->fn = cairo_measure;
  m->ud = ms;
  m->font = ms->family;
  return 0;
}

void bv_cairo_measure_close(bv_measure *m)
{
  measurer *ms = m ? m->ud : NULL;
  if (ms) {
    cairo_destroy(ms->cr);
    cairo_surface_destroy(ms->surf);
    free(ms->family);
    free(ms);
  }
  if (m)
    memset(m, 0, sizeof *m);
}

/* --- drawing ------------------------------------------------------------- */

static void set_color(cairo_t *cr, bv_color c)
{
  cairo_set_source_rgba(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0,
                        (c & 0xFF) / 255.0, ((c >> 24) & 0xFF) / 255.0);
}

static void set_dash(cairo_t *cr, bv_dash d, double lw)
{
  static const double dotted[] = {2, 3}, dashed[] = {6, 4};
  double pat[2];
  if (d == BV_DASH_SOLID) {
    cairo_set_dash(cr, NULL, 0, 0);
    return;
  }
  const double *p = d == BV_DASH_DOTTED ? dotted : dashed;
  double k = lw > 1 ? lw : 1;
  pat[0] = p[0] * k;
  pat[1] = p[1] * k;
  cairo_set_dash(cr, pat, 2, 0);
}

static void rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
  if (r <= 0) {
    cairo_rectangle(cr, x, y, w, h);
    return;
  }
  if (r > w / 2)
    r = w / 2;
  if (r > h / 2)
    r = h / 2;
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

static void fill_stroke(cairo_t *cr, const bv_sitem *it)
{
  if (it->fill >> 24) {
    set_color(cr, it->fill);
    if (it->stroke >> 24 && it->line_width > 0)
      cairo_fill_preserve(cr);
    else
      cairo_fill(cr);
  }
  if (it->stroke >> 24 && it->line_width > 0) {
    set_color(cr, it->stroke);
    cairo_set_line_width(cr, it->line_width);
    set_dash(cr, it->dash, it->line_width);
    cairo_stroke(cr);
  }
  cairo_new_path(cr);
}

#define HEAD_LEN 8.0
#define HEAD_HALF 4.0

static void draw_line(cairo_t *cr, const bv_sitem *it)
{
  if (it->npts < 2 || !(it->stroke >> 24))
    return;
  const double *p = it->pts;
  size_t n = it->npts;
  double ex = p[2 * n - 2], ey = p[2 * n - 1];
  double dx = ex - p[2 * n - 4], dy = ey - p[2 * n - 3];
  double len = sqrt(dx * dx + dy * dy);
  double ux = len > 0 ? dx / len : 1, uy = len > 0 ? dy / len : 0;
  /* a filled head covers the last HEAD_LEN: stop the stroke inside it so the
     line's butt does not poke out around the tip */
  double cut = it->arrow == BV_ARROW_FILLED && len > HEAD_LEN ? HEAD_LEN * 0.8 : 0;
  cairo_move_to(cr, p[0], p[1]);
  for (size_t k = 1; k + 1 < n; k++)
    cairo_line_to(cr, p[2 * k], p[2 * k + 1]);
  cairo_line_to(cr, ex - ux * cut, ey - uy * cut);
  set_color(cr, it->stroke);
  cairo_set_line_width(cr, it->line_width > 0 ? it->line_width : 1);
  set_dash(cr, it->dash, it->line_width);
  cairo_stroke(cr);
  if (it->arrow == BV_ARROW_NONE)
    return;
  double bx = ex - ux * HEAD_LEN, by = ey - uy * HEAD_LEN;
  double px = -uy * HEAD_HALF, py = ux * HEAD_HALF;
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_move_to(cr, bx + px, by + py);
  cairo_line_to(cr, ex, ey);
  cairo_line_to(cr, bx - px, by - py);
  if (it->arrow == BV_ARROW_FILLED) {
    cairo_close_path(cr);
    cairo_fill(cr);
  } else {
    cairo_stroke(cr);
  }
}

typedef struct font_state {
  const char *family;
  double size;
  int bold;
} font_state;

static void draw_text(cairo_t *cr, const bv_sitem *it, font_state *fs)
{
  if (!it->text || !*it->text)
    return;
  if (it->size != fs->size || it->bold != fs->bold) {
    select_font(cr, fs->family, it->size, it->bold);
    fs->size = it->size;
    fs->bold = it->bold;
  }
  double off = it->anchor == BV_ANCHOR_MIDDLE ? it->w / 2 : it->anchor == BV_ANCHOR_END ? it->w : 0;
  set_color(cr, it->fill);
  if (it->vertical) {
    cairo_save(cr);
    cairo_translate(cr, it->x, it->y);
    cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, -off, 0);
    cairo_show_text(cr, it->text);
    cairo_restore(cr);
  } else {
    cairo_move_to(cr, it->x - off, it->y);
    cairo_show_text(cr, it->text);
  }
}

/* --- fast points for PNG -------------------------------------------------- */

/* A scatter of 100,000 points stroked one by one through cairo takes about a
 * second. For PNG, each distinct point style is drawn once by cairo into a
 * small sprite, and the sprite is blended into the image by hand (premultiplied
 * OVER) at the point's pixel, which is within half a pixel of the exact spot.
 * SVG and PDF keep real circles. */
typedef struct sprite {
  bv_color fill, stroke;
  double r, lw;
  int size;            /* sprite is size x size, centre at size/2 */
  uint32_t *px;        /* premultiplied ARGB */
} sprite;

#define MAX_SPRITES 32

typedef struct sprites {
  sprite v[MAX_SPRITES];
  int n;
} sprites;

static sprite *sprite_get(sprites *sp, const bv_sitem *it, double k)
{
  for (int i = 0; i < sp->n; i++)
    if (sp->v[i].fill == it->fill && sp->v[i].stroke == it->stroke && sp->v[i].r == it->r &&
        sp->v[i].lw == it->line_width)
      return &sp->v[i];
  if (sp->n == MAX_SPRITES)
    return NULL;
  int size = (int)ceil(2 * (it->r + it->line_width) * k) + 3;
  if (size > 64)
    return NULL;
  cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size, size);
  cairo_t *cr = cairo_create(surf);
  cairo_translate(cr, size / 2.0, size / 2.0);
  cairo_scale(cr, k, k);
  cairo_arc(cr, 0, 0, it->r, 0, 2 * M_PI);
  fill_stroke(cr, it);
  cairo_destroy(cr);
  cairo_surface_flush(surf);
  sprite *x = &sp->v[sp->n];
  x->px = malloc((size_t)size * (size_t)size * sizeof *x->px);
  if (!x->px || cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
    free(x->px);
    x->px = NULL;
    cairo_surface_destroy(surf);
    return NULL;
  }
  const unsigned char *data = cairo_image_surface_get_data(surf);
  int stride = cairo_image_surface_get_stride(surf);
  for (int y = 0; y < size; y++)
    memcpy(x->px + (size_t)y * (size_t)size, data + (size_t)y * (size_t)stride,
           (size_t)size * 4);
  cairo_surface_destroy(surf);
  x->fill = it->fill;
  x->stroke = it->stroke;
  x->r = it->r;
  x->lw = it->line_width;
  x->size = size;
  sp->n++;
  return x;
}

static void sprites_free(sprites *sp)
{
  for (int i = 0; i < sp->n; i++)
    free(sp->v[i].px);
  sp->n = 0;
}

static void blit(cairo_surface_t *img, const sprite *sp, double cx, double cy)
{
  int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
  int stride = cairo_image_surface_get_stride(img);
  unsigned char *data = cairo_image_surface_get_data(img);
  int x0 = (int)lround(cx - sp->size / 2.0), y0 = (int)lround(cy - sp->size / 2.0);
  for (int y = 0; y < sp->size; y++) {
    int dy = y0 + y;
    if (dy < 0 || dy >= h)
      continue;
    uint32_t *row = (uint32_t *)(void *)(data + (size_t)dy * (size_t)stride);
    const uint32_t *src = sp->px + (size_t)y * (size_t)sp->size;
    for (int x = 0; x < sp->size; x++) {
      int dx = x0 + x;
      uint32_t s = src[x];
      if (!s || dx < 0 || dx >= w)
        continue;
      uint32_t ia = 255 - (s >> 24), d = row[dx];
      /* premultiplied OVER per channel: s + d * (1 - sa) */
      uint32_t rb = ((d & 0x00FF00FFu) * ia + 0x00800080u);
      rb = ((rb + ((rb >> 8) & 0x00FF00FFu)) >> 8) & 0x00FF00FFu;
      uint32_t ag = (((d >> 8) & 0x00FF00FFu) * ia + 0x00800080u);
      ag = (ag + ((ag >> 8) & 0x00FF00FFu)) & 0xFF00FF00u;
      row[dx] = s + (rb | ag);
    }
  }
}

/* Draws items [from, to) of s (the background with the first). */
static int draw_scene(cairo_t *cr, const bv_scene *s, size_t from, size_t to, double k,
                      int transparent, int raster)
{
  if (!from && !transparent && (s->background >> 24)) {
    set_color(cr, s->background);
    cairo_paint(cr);
  }
  cairo_scale(cr, k, k);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  font_state fs = {s->font ? s->font : DEFAULT_FONT, 12, 0};
  select_font(cr, fs.family, fs.size, fs.bold);
  sprites sp;
  sp.n = 0;
  cairo_surface_t *img = raster ? cairo_get_target(cr) : NULL;
  int direct = 0; /* the image has been written to by hand since the last flush */
  for (size_t i = from; i < to; i++) {
    const bv_sitem *it = &s->items[i];
    if (img && it->kind == BV_SI_CIRCLE) {
      sprite *x = sprite_get(&sp, it, k);
      if (x) {
        if (!direct)
          cairo_surface_flush(img);
        direct = 1;
        blit(img, x, it->x * k, it->y * k);
        continue;
      }
    }
    if (direct) {
      cairo_surface_mark_dirty(img);
      direct = 0;
    }
    switch (it->kind) {
    case BV_SI_RECT:
      rounded_rect(cr, it->x, it->y, it->w, it->h, it->r);
      fill_stroke(cr, it);
      break;
    case BV_SI_CIRCLE:
      cairo_new_sub_path(cr);
      cairo_arc(cr, it->x, it->y, it->r, 0, 2 * M_PI);
      fill_stroke(cr, it);
      break;
    case BV_SI_LINE: draw_line(cr, it); break;
    case BV_SI_TEXT: draw_text(cr, it, &fs); break;
    }
  }
  if (direct)
    cairo_surface_mark_dirty(img);
  sprites_free(&sp);
  cairo_status_t st = cairo_status(cr);
  if (st != CAIRO_STATUS_SUCCESS)
    return bv_error_set(BV_EINVAL, "cannot draw the image: %s", cairo_status_to_string(st));
  return 0;
}

/* --- streams ------------------------------------------------------------- */

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
  return bv_out_write(closure, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void xml_text(bv_buf *b, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<': bv_buf_puts(b, "&lt;"); break;
    case '>': bv_buf_puts(b, "&gt;"); break;
    case '&': bv_buf_puts(b, "&amp;"); break;
    case '"': bv_buf_puts(b, "&quot;"); break;
    default: bv_buf_putc(b, *s);
    }
  }
}

/* cairo's SVG needs a few changes on its way out, made by a filter on the
 * stream cairo writes. cairo hands the page over in one write of any size, so
 * the filter never holds the document: it passes bytes through as they come
 * and keeps only a small tail between writes (a pattern cut in two, and the
 * end of the document).
 *  - cairo numbers surfaces with a process-wide counter (id="surface7"), so the
 *    second image of a process (demo) would differ from the same image made
 *    alone: they are renumbered 1, 2, ... in order of appearance;
 *  - cairo 1.16 cannot write <title>: the document title goes in after the
 *    <svg ...> tag;
 *  - before the closing </svg>, a transparent box at each shortened text carries
 *    its full text as a hover <title>.
 * cairo's SVG surface also records every drawing operation and keeps the page
 * until it is finished: a million-node tree took over 6 GB that way. A scene
 * of more than SVG_PIECE items is therefore drawn in pieces, each by a cairo
 * surface of its own, and the filter joins them into one document: the first
 * piece's header, then each piece's <defs> and page group with its glyph ids
 * made unique (glyph0-1 becomes glyph3_0-1 in piece 3), then one </svg>.
 * cairo checks each operation of a page against the region drawn so far (a
 * pixman region of every box); a page that starts with a paint of the whole
 * page keeps that region one rectangle. The first piece has the background
 * for that; the others start with a paint the filter takes out again (the
 * first <rect x="0" y="0" ...> of their page group), which saves a third of
 * the time of a large tree. */
#define SVG_HOLD 256    /* look-ahead kept between writes: longer than any pattern */
#define SVG_TAIL 4096   /* small writes are gathered up to this */
#ifndef BV_SVG_PIECE
#define BV_SVG_PIECE 16384 /* items drawn by one cairo surface */
#endif
#define SVG_PIECE BV_SVG_PIECE

typedef struct svg_filter {
  bv_out *out;
  const char *title; /* clean, or NULL */
  long piece;        /* piece being drawn, -1 when the scene is drawn whole */
  int head;          /* 0: before "<svg", 1: inside that tag, 2: past it */
  int marker;        /* 1: the piece starts with a paint to take out; 2: its page began */
  unsigned long map[64]; /* cairo's surface numbers seen in this piece */
  unsigned nmap, base;   /* ... numbered base + 1, base + 2, ... */
  char hist[4];      /* the last bytes written, for looking behind a pattern */
  char tail[SVG_TAIL + 2 * SVG_HOLD];
  size_t ntail;
  char end[SVG_HOLD + 8]; /* what followed the last piece's </svg> */
  size_t nend;
  int rc;
} svg_filter;

static void svg_put(svg_filter *f, const char *p, size_t n)
{
  if (!n || f->rc)
    return;
  if (n >= 4) {
    memcpy(f->hist, p + n - 4, 4);
  } else {
    memmove(f->hist, f->hist + n, 4 - n);
    memcpy(f->hist + 4 - n, p, n);
  }
  if (f->head < 2 && f->piece > 0)
    return; /* later pieces: their header is the first one's */
  f->rc = bv_out_write(f->out, p, n);
}

static void svg_put_buf(svg_filter *f, bv_buf *b)
{
  if (b->failed && !f->rc)
    f->rc = BV_ENOMEM;
  svg_put(f, b->data, b->len);
  b->len = 0;
}

/* The byte j (1..4) places before q, where buf starts right after what was
 * written. */
static char svg_before(const svg_filter *f, const char *buf, const char *q, size_t j)
{
  size_t have = (size_t)(q - buf);
  return j <= have ? q[-(ptrdiff_t)j] : f->hist[4 - (j - have)];
}

/* Is the word at q an id (id="word) or a reference (#word)? */
static int svg_is_ref(const svg_filter *f, const char *buf, const char *q)
{
  return svg_before(f, buf, q, 1) == '#' ||
         (svg_before(f, buf, q, 4) == 'i' && svg_before(f, buf, q, 3) == 'd' &&
          svg_before(f, buf, q, 2) == '=' && svg_before(f, buf, q, 1) == '"');
}

/* Writes buf[0..n) through the filter, acting on patterns that start before
 * limit (n - limit bytes of look-ahead: SVG_HOLD unless at the end). Returns
 * how many bytes it consumed: at least limit, more when a pattern ran on. */
static size_t svg_scan(svg_filter *f, const char *buf, size_t n, size_t limit)
{
  const char *p = buf, *end = buf + n, *lim = buf + limit;
  /* the next "surface", "glyph" and marker paint (end: none) */
  const char *ns = NULL, *ng = NULL, *nm = NULL;
  while (p < lim && !f->rc) {
    if (f->head < 2) {
      const char *g = p;
      if (f->head == 0) {
        g = memmem(p, (size_t)(end - p), "<svg", 4);
        if (!g || g >= lim)
          break;
        f->head = 1;
        g += 4;
      }
      const char *gt = memchr(g, '>', (size_t)(end - g));
      if (!gt || gt >= lim)
        break;
      svg_put(f, p, (size_t)(gt + 1 - p));
      p = gt + 1;
      f->head = 2;
      if (f->title && f->piece <= 0) {
        bv_buf t;
        bv_buf_init(&t);
        bv_buf_puts(&t, "\n<title>");
        xml_text(&t, f->title);
        bv_buf_puts(&t, "</title>");
        svg_put_buf(f, &t);
        bv_buf_dispose(&t);
      }
      continue;
    }
    if (!ns || ns < p) {
      ns = memmem(p, (size_t)(end - p), "surface", 7);
      ns = ns ? ns : end;
    }
    if (f->piece >= 0 && (!ng || ng < p)) {
      ng = memmem(p, (size_t)(end - p), "glyph", 5);
      ng = ng ? ng : end;
    }
    if (f->marker == 2 && (!nm || nm < p)) {
      nm = memmem(p, (size_t)(end - p), "<rect x=\"0\" y=\"0\" ", 18);
      nm = nm ? nm : end;
    }
    if (f->marker == 2 && nm <= ns && nm <= ng) {
      if (nm >= lim)
        break;
      const char *close = memmem(nm, (size_t)(end - nm), "/>\n", 3);
      if (!close) {
        f->rc = bv_error_set(BV_EINVAL, "cairo wrote an SVG piece of an unexpected form");
        break;
      }
      svg_put(f, p, (size_t)(nm - p));
      p = close + 3;
      f->marker = 0;
      continue;
    }
    int glyph = f->piece >= 0 && ng < ns;
    const char *q = glyph ? ng : ns;
    if (q >= lim)
      break;
    const char *d = q + (glyph ? 5 : 7), *e = d;
    unsigned long num = 0;
    while (e < end && *e >= '0' && *e <= '9' && e - d < 12)
      num = num * 10 + (unsigned long)(*e++ - '0');
    if (e == d || !svg_is_ref(f, buf, q)) {
      svg_put(f, p, (size_t)(d - p));
      p = d;
      continue;
    }
    char nb[24];
    int nl;
    if (glyph) { /* glyph0-1 -> glyph<piece>_0-1 */
      nl = snprintf(nb, sizeof nb, "%ld_", f->piece);
      e = d;
    } else {
      unsigned k;
      for (k = 0; k < f->nmap; k++)
        if (f->map[k] == num)
          break;
      if (k == f->nmap) {
        if (f->nmap == sizeof f->map / sizeof *f->map) {
          f->rc = bv_error_set(BV_EINVAL, "SVG with too many cairo surfaces");
          break;
        }
        f->map[f->nmap++] = num;
      }
      nl = snprintf(nb, sizeof nb, "%u", f->base + k + 1);
      if (f->marker == 1 && svg_before(f, buf, q, 1) == '"')
        f->marker = 2; /* <g id="surfaceN">: the page begins */
    }
    svg_put(f, p, (size_t)(d - p));
    svg_put(f, nb, (size_t)nl);
    p = e;
  }
  if (p < lim && !f->rc) {
    svg_put(f, p, (size_t)(lim - p));
    p = lim;
  }
  return (size_t)(p - buf);
}

static cairo_status_t svg_write(void *closure, const unsigned char *data, unsigned int len)
{
  svg_filter *f = closure;
  const char *p = (const char *)data;
  size_t n = len;
  if (f->rc)
    return CAIRO_STATUS_WRITE_ERROR;
  if (f->ntail + n <= SVG_TAIL) { /* gather small writes */
    memcpy(f->tail + f->ntail, p, n);
    f->ntail += n;
    if (f->ntail > SVG_TAIL / 2) {
      size_t c = svg_scan(f, f->tail, f->ntail, f->ntail - SVG_HOLD);
      memmove(f->tail, f->tail + c, f->ntail - c);
      f->ntail -= c;
    }
    return f->rc ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
  }
  /* a large write (the tail holds at most SVG_TAIL / 2, so n > SVG_TAIL / 2):
     finish the tail with the write's first bytes as look-ahead, then pass the
     write through where it lies */
  size_t skip = 0;
  if (f->ntail) {
    size_t old = f->ntail;
    memcpy(f->tail + old, p, 2 * SVG_HOLD);
    size_t c = svg_scan(f, f->tail, old + 2 * SVG_HOLD, old);
    skip = c - old;
    f->ntail = 0;
  }
  if (!f->rc) {
    size_t c = svg_scan(f, p + skip, n - skip, n - skip - SVG_HOLD);
    f->ntail = n - skip - c;
    memcpy(f->tail, p + skip + c, f->ntail);
  }
  return f->rc ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* The end of a piece's document: everything up to its last </svg> goes out;
 * the rest is kept for the end of the whole. */
static int svg_piece_end(svg_filter *f)
{
  if (f->rc)
    return f->rc;
  const char *close = NULL, *end = f->tail + f->ntail;
  for (const char *q = f->tail; (q = memmem(q, (size_t)(end - q), "</svg>", 6)); q++)
    close = q;
  if (!close || (size_t)(end - close) > sizeof f->end)
    return bv_error_set(BV_EINVAL, "cairo wrote an SVG without </svg> at its end");
  size_t at = (size_t)(close - f->tail);
  svg_scan(f, f->tail, at, at);
  if (f->rc)
    return f->rc;
  if (f->head < 2)
    return bv_error_set(BV_EINVAL, "cairo wrote an SVG without an <svg> element");
  if (f->marker)
    return bv_error_set(BV_EINVAL, "cairo wrote an SVG piece of an unexpected form");
  f->nend = (size_t)(end - close);
  memcpy(f->end, close, f->nend);
  f->ntail = 0;
  f->head = 0;
  f->base += f->nmap;
  f->nmap = 0;
  return 0;
}

/* The end of the document: the hover boxes, then the last </svg>. */
static int svg_end(svg_filter *f, const bv_scene *s, double k)
{
  bv_buf b;
  bv_buf_init(&b);
  int any = 0;
  f->head = 2;
  for (size_t i = 0; i < s->n && !f->rc; i++) {
    const bv_sitem *it = &s->items[i];
    if (it->kind != BV_SI_TEXT || !it->full || it->vertical)
      continue;
    if (!any)
      bv_buf_puts(&b, "<g fill=\"#000\" fill-opacity=\"0\">\n");
    any = 1;
    double x0 = it->anchor == BV_ANCHOR_MIDDLE ? it->x - it->w / 2
                : it->anchor == BV_ANCHOR_END  ? it->x - it->w
                                               : it->x;
    bv_buf_printf(&b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>",
                  x0 * k, (it->y - it->ascent) * k, it->w * k, it->h * k);
    xml_text(&b, it->full);
    bv_buf_puts(&b, "</title></rect>\n");
    svg_put_buf(f, &b);
  }
  if (any)
    bv_buf_puts(&b, "</g>\n");
  svg_put_buf(f, &b);
  bv_buf_dispose(&b);
  svg_put(f, f->end, f->nend);
  return f->rc;
}

static int surface_error(cairo_surface_t *surf, const char *what);

/* Items [from, to) of s through a cairo SVG surface of their own into f. */
static int svg_piece(const bv_scene *s, size_t from, size_t to, double k, int transparent,
                     svg_filter *f)
{
  cairo_surface_t *surf =
      cairo_svg_surface_create_for_stream(svg_write, f, s->width * k, s->height * k);
  int rc = surface_error(surf, "SVG image");
  cairo_t *cr = NULL;
  if (rc)
    goto done;
  cairo_svg_surface_restrict_to_version(surf, CAIRO_SVG_VERSION_1_1);
  cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PX);
  cr = cairo_create(surf);
  f->marker = 0;
  if (f->piece >= 0 && (from || transparent || !(s->background >> 24))) {
    cairo_paint(cr); /* black: the filter takes it out */
    f->marker = 1;
  }
  if ((rc = draw_scene(cr, s, from, to, k, transparent, 0)))
    goto done;
  cairo_destroy(cr);
  cr = NULL;
  cairo_surface_finish(surf);
  if (f->rc)
    rc = f->rc;
  else if (!(rc = surface_error(surf, "SVG image")))
    rc = svg_piece_end(f);
done:
  if (cr)
    cairo_destroy(cr);
  cairo_surface_destroy(surf);
  return rc;
}

static int surface_error(cairo_surface_t *surf, const char *what)
{
  cairo_status_t st = cairo_surface_status(surf);
  if (st == CAIRO_STATUS_SUCCESS)
    return 0;
  if (st == CAIRO_STATUS_NO_MEMORY)
    return bv_error_set(BV_ENOMEM, "out of memory drawing the %s", what);
  if (st == CAIRO_STATUS_WRITE_ERROR)
    return bv_error_last()[0] ? BV_EIO : bv_error_set(BV_EIO, "cannot write the %s", what);
  return bv_error_set(BV_EINVAL, "cannot draw the %s: %s", what, cairo_status_to_string(st));
}

/* Biggest image we are willing to allocate: cairo's side limit, and an area
 * cap so a huge drawing cannot take gigabytes (4 bytes a pixel). */
#define PNG_MAX_AREA (128.0 * 1024 * 1024)

int bv_render(const bv_scene *s, bv_format fmt, bv_render_opts *o, bv_out *out)
{
  bv_render_opts dflt = {0};
  if (!o)
    o = &dflt;
  if (!(s->width > 0) || !(s->height > 0))
    return bv_error_set(BV_EINVAL, "empty image (%gx%g)", s->width, s->height);
  if (o->scale < 0 || o->fit_width < 0 || o->fit_height < 0)
    return bv_error_set(BV_EINVAL, "negative image size or scale");
  double k = 1;
  if (o->fit_width > 0)
    k = o->fit_width / s->width;
  if (o->fit_height > 0 && (o->fit_width <= 0 || o->fit_height / s->height < k))
    k = o->fit_height / s->height;
  int rc = 0;
  cairo_surface_t *surf = NULL;
  cairo_t *cr = NULL;
  svg_filter *svg = NULL;
  /* the title is drawn text too: cleaned like every label (cairo refuses
     invalid UTF-8 in PDF metadata, XML refuses control characters) */
  bv_buf title;
  bv_buf_init(&title);
  if (s->title && (rc = sc_clean_buf(&title, s->title, strlen(s->title))))
    goto done;
  switch (fmt) {
  case BV_FMT_PNG: {
    double px = k * (o->scale > 0 ? o->scale : 1);
    double lim = BV_PNG_MAX / (s->width > s->height ? s->width : s->height);
    if (px > lim)
      px = lim;
    if (s->width * px * s->height * px > PNG_MAX_AREA)
      px = sqrt(PNG_MAX_AREA / (s->width * s->height));
    int w = (int)ceil(s->width * px - 1e-6), h = (int)ceil(s->height * px - 1e-6);
    if (w < 1)
      w = 1;
    if (h < 1)
      h = 1;
    if (w > BV_PNG_MAX)
      w = BV_PNG_MAX;
    if (h > BV_PNG_MAX)
      h = BV_PNG_MAX;
    o->scaled_to = px;
    surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if ((rc = surface_error(surf, "PNG image")))
      goto done;
    cr = cairo_create(surf);
    if ((rc = draw_scene(cr, s, 0, s->n, px, o->transparent, 1)))
      goto done;
    cairo_surface_flush(surf);
    cairo_status_t st = cairo_surface_write_to_png_stream(surf, write_out, out);
    if (st != CAIRO_STATUS_SUCCESS) {
      rc = st == CAIRO_STATUS_WRITE_ERROR && bv_error_last()[0]
               ? BV_EIO
               : bv_error_set(BV_EIO, "cannot write the PNG image: %s",
                              cairo_status_to_string(st));
      goto done;
    }
    break;
  }
  case BV_FMT_SVG: {
    o->scaled_to = k;
    svg = calloc(1, sizeof *svg);
    if (!svg) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto done;
    }
    svg->out = out;
    svg->title = title.len ? title.data : NULL;
    svg->piece = s->n > SVG_PIECE ? 0 : -1;
    size_t from = 0;
    do {
      size_t to = s->n - from > SVG_PIECE ? from + SVG_PIECE : s->n;
      if ((rc = svg_piece(s, from, to, k, o->transparent, svg)))
        goto done;
      from = to;
      if (svg->piece >= 0)
        svg->piece++;
    } while (from < s->n);
    rc = svg_end(svg, s, k);
    break;
  }
  case BV_FMT_PDF:
    o->scaled_to = k;
    surf = cairo_pdf_surface_create_for_stream(write_out, out, s->width * k, s->height * k);
    if ((rc = surface_error(surf, "PDF document")))
      goto done;
    /* cairo stamps the current time into every PDF: pin it for byte-stable output */
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "beamviz");
    if (title.len)
      cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title.data);
    cr = cairo_create(surf);
    if ((rc = draw_scene(cr, s, 0, s->n, k, o->transparent, 0)))
      goto done;
    cairo_show_page(cr);
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surf);
    rc = surface_error(surf, "PDF document");
    break;
  default:
    rc = bv_error_set(BV_EINVAL, "images are PNG, SVG or PDF, not %s", bv_format_name(fmt));
  }
done:
  if (cr)
    cairo_destroy(cr);
  if (surf)
    cairo_surface_destroy(surf);
  free(svg);
  bv_buf_dispose(&title);
  return rc;
}
