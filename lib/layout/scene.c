/* scene.c: the display list every layout produces and the cairo backend draws:
 * boxes, lines with dashes and arrow heads, circles and measured text. Also
 * the text dump used by the golden tests, and the helpers layouts share. */
#include "layout/scene_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int bv_scene_new(const char *kind, bv_scene **out)
{
  *out = NULL;
  bv_scene *s = calloc(1, sizeof *s);
  if (!s)
    return bv_error_set(BV_ENOMEM, "out of memory (scene)");
  s->arena = bv_arena_new();
  if (!s->arena) {
    free(s);
    return bv_error_set(BV_ENOMEM, "out of memory (scene)");
  }
  s->kind = kind;
  s->background = SC_RGB(0xFFFFFF);
  *out = s;
  return 0;
}

void bv_scene_free(bv_scene *s)
{
  if (!s)
    return;
  free(s->items);
  bv_arena_free(s->arena);
  free(s);
}

int bv_scene_add(bv_scene *s, const bv_sitem *item)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    bv_sitem *p = realloc(s->items, cap * sizeof *p);
    if (!p)
      return bv_error_set(BV_ENOMEM, "out of memory (scene of %zu items)", s->n);
    s->items = p;
    s->cap = cap;
  }
  bv_sitem it = *item;
  /* class names are mostly the same literal over and over: copy once per run */
  if (it.cls) {
    const char *prev = s->n ? s->items[s->n - 1].cls : NULL;
    if (prev && strcmp(prev, it.cls) == 0)
      it.cls = prev;
    else if (!(it.cls = bv_arena_strdup(s->arena, it.cls)))
      return bv_error_set(BV_ENOMEM, "out of memory (scene)");
  }
  /* every drawn string is cleaned here, whoever built the item: cairo and the
     SVG <title> boxes only ever see clean text */
  if (it.text && !(it.text = sc_clean_arena(s->arena, it.text, strlen(it.text))))
    return bv_error_set(BV_ENOMEM, "out of memory (scene)");
  if (it.full && !(it.full = sc_clean_arena(s->arena, it.full, strlen(it.full))))
    return bv_error_set(BV_ENOMEM, "out of memory (scene)");
  if (it.npts) {
    double *p = bv_arena_alloc(s->arena, it.npts * 2 * sizeof *p);
    if (!p)
      return bv_error_set(BV_ENOMEM, "out of memory (scene)");
    memcpy(p, it.pts, it.npts * 2 * sizeof *p);
    it.pts = p;
  } else {
    it.pts = NULL;
  }
  s->items[s->n++] = it;
  return 0;
}

/* --- dump ---------------------------------------------------------------- */

/* %.1f that never prints "-0.0", so dumps do not flicker on rounding */
static void num(bv_buf *b, const char *key, double v)
{
  double r = round(v * 10) / 10;
  if (r == 0)
    r = 0;
  bv_buf_printf(b, " %s=%.1f", key, r);
}

static void color(bv_buf *b, const char *key, bv_color c)
{
  if (!(c >> 24))
    bv_buf_printf(b, " %s=none", key);
  else if ((c >> 24) == 0xFF)
    bv_buf_printf(b, " %s=#%06x", key, (unsigned)(c & 0xFFFFFF));
  else
    bv_buf_printf(b, " %s=#%08x", key, (unsigned)c);
}

static const char *const dash_names[] = {"solid", "dotted", "dashed"};
static const char *const arrow_names[] = {"none", "filled", "open"};
static const char *const anchor_names[] = {"start", "middle", "end"};

int bv_scene_dump(const bv_scene *s, bv_buf *b)
{
  bv_buf_printf(b, "scene %s", s->kind ? s->kind : "?");
  num(b, "w", s->width);
  num(b, "h", s->height);
  color(b, "bg", s->background);
  bv_buf_printf(b, " font=\"%s\"\n", s->font ? s->font : "");
  if (s->title) {
    bv_buf_puts(b, "title ");
    bv_buf_json_str(b, s->title, strlen(s->title));
    bv_buf_putc(b, '\n');
  }
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    switch (it->kind) {
    case BV_SI_RECT:
      bv_buf_printf(b, "rect %s", it->cls ? it->cls : "-");
      num(b, "x", it->x), num(b, "y", it->y), num(b, "w", it->w), num(b, "h", it->h);
      if (it->r)
        num(b, "r", it->r);
      color(b, "fill", it->fill);
      color(b, "stroke", it->stroke);
      if (it->stroke >> 24)
        num(b, "lw", it->line_width);
      if (it->dash)
        bv_buf_printf(b, " dash=%s", dash_names[it->dash]);
      break;
    case BV_SI_LINE:
      bv_buf_printf(b, "line %s", it->cls ? it->cls : "-");
      color(b, "stroke", it->stroke);
      num(b, "lw", it->line_width);
      if (it->dash)
        bv_buf_printf(b, " dash=%s", dash_names[it->dash]);
      if (it->arrow)
        bv_buf_printf(b, " arrow=%s", arrow_names[it->arrow]);
      bv_buf_puts(b, " pts=");
      for (size_t k = 0; k < it->npts; k++) {
        double x = round(it->pts[2 * k] * 10) / 10, y = round(it->pts[2 * k + 1] * 10) / 10;
        bv_buf_printf(b, "%s%.1f,%.1f", k ? " " : "", x == 0 ? 0 : x, y == 0 ? 0 : y);
      }
      break;
    case BV_SI_CIRCLE:
      bv_buf_printf(b, "circle %s", it->cls ? it->cls : "-");
      num(b, "x", it->x), num(b, "y", it->y), num(b, "r", it->r);
      color(b, "fill", it->fill);
      color(b, "stroke", it->stroke);
      if (it->stroke >> 24)
        num(b, "lw", it->line_width);
      break;
    case BV_SI_TEXT:
      bv_buf_printf(b, "text %s", it->cls ? it->cls : "-");
      num(b, "x", it->x), num(b, "y", it->y), num(b, "w", it->w), num(b, "h", it->h);
      num(b, "size", it->size);
      bv_buf_printf(b, " anchor=%s", anchor_names[it->anchor]);
      if (it->bold)
        bv_buf_puts(b, " bold");
      if (it->vertical)
        bv_buf_puts(b, " vertical");
      color(b, "fill", it->fill);
      bv_buf_putc(b, ' ');
      bv_buf_json_str(b, it->text ? it->text : "", it->text ? strlen(it->text) : 0);
      if (it->full) {
        bv_buf_puts(b, " full=");
        bv_buf_json_str(b, it->full, strlen(it->full));
      }
      break;
    }
    if (it->ref >= 0)
      bv_buf_printf(b, " ref=%d", (int)it->ref);
    bv_buf_putc(b, '\n');
  }
  if (s->note) {
    bv_buf_puts(b, "note ");
    bv_buf_json_str(b, s->note, strlen(s->note));
    bv_buf_putc(b, '\n');
  }
  return b->failed ? BV_ENOMEM : 0;
}

/* --- fake measurer ------------------------------------------------------- */

size_t sc_utf8_count(const char *s, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      c++;
  return c;
}

static int fake_measure(void *ud, const char *text, size_t len, double size, int bold,
                        bv_text_metrics *m)
{
  (void)ud;
  m->width = (double)sc_utf8_count(text, len) * size * (bold ? 0.65 : 0.6);
  m->ascent = 0.8 * size;
  m->descent = 0.2 * size;
  return 0;
}

void bv_fake_measure(bv_measure *m)
{
  m->fn = fake_measure;
  m->ud = NULL;
  m->font = "Fake Sans";
}

/* --- helpers for layouts ------------------------------------------------- */

static const sc_theme light = {
    SC_RGB(0xFFFFFF), SC_RGB(0x000000), SC_RGB(0x6B7280), SC_RGB(0x374151), SC_RGB(0xDDDDDD),
    SC_RGB(0x888888), SC_RGB(0xFFF5AD), SC_RGB(0xAAAA33), SC_RGB(0x374151)};
static const sc_theme dark = {
    SC_RGB(0x1E1E1E), SC_RGB(0xE5E7EB), SC_RGB(0x9CA3AF), SC_RGB(0xD1D5DB), SC_RGB(0x3A3A3A),
    SC_RGB(0x888888), SC_RGB(0x4B4520), SC_RGB(0xAAAA33), SC_RGB(0x111827)};

const sc_theme *sc_theme_get(int is_dark) { return is_dark ? &dark : &light; }

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid; *cp
 * gets the code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp_out)
{
  unsigned c = p[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) {
    *cp_out = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  *cp_out = cp;
  return len;
}

/* The one text cleaner: writes the clean form of p[0..len) to out (NULL: only
 * counts) and returns its length. Invalid UTF-8 bytes become U+FFFD (cairo
 * refuses invalid UTF-8: a PDF title failed); control characters, C0, DEL and
 * C1, become a space, and U+FFFE and U+FFFF (not characters) U+FFFD (XML
 * refuses both: an SVG <title> was not well-formed). */
static size_t clean_into(char *out, const unsigned char *p, size_t len)
{
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    uint32_t cp = 0;
    size_t l = utf8_seq(p + i, len - i, &cp);
    if (!l || cp == 0xFFFE || cp == 0xFFFF) {
      if (out)
        memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i += l ? l : 1;
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      if (out)
        out[o] = ' ';
      o++;
      i += l;
    } else {
      if (out)
        memcpy(out + o, p + i, l);
      o += l;
      i += l;
    }
  }
  return o;
}

/* Whether clean_into would change p[0..len). */
static int needs_clean(const unsigned char *p, size_t len)
{
  for (size_t i = 0; i < len;) {
    uint32_t cp = 0;
    size_t l = utf8_seq(p + i, len - i, &cp);
    if (!l || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
      return 1;
    i += l;
  }
  return 0;
}

char *sc_clean_arena(bv_arena *a, const char *text, size_t len)
{
  const unsigned char *p = (const unsigned char *)text;
  size_t n = clean_into(NULL, p, len);
  char *out = bv_arena_alloc(a, n + 1);
  if (!out)
    return NULL;
  clean_into(out, p, len);
  out[n] = 0;
  return out;
}

const char *sc_clean(bv_scene *s, const char *text, size_t len)
{
  return sc_clean_arena(s->arena, text, len);
}

int sc_clean_buf(bv_buf *b, const char *text, size_t len)
{
  const unsigned char *p = (const unsigned char *)text;
  size_t n = clean_into(NULL, p, len);
  char *tmp = malloc(n + 1);
  if (!tmp)
    return bv_error_set(BV_ENOMEM, "out of memory (text)");
  clean_into(tmp, p, len);
  int rc = bv_buf_put(b, tmp, n);
  free(tmp);
  return rc;
}

int sc_measure(const bv_measure *m, const char *text, double size, int bold, bv_text_metrics *tm)
{
  memset(tm, 0, sizeof *tm);
  size_t len = strlen(text);
  /* layouts measure some texts (legend entries, axis labels) before drawing
     them: the measurer gets the clean text whatever the caller passed */
  if (!needs_clean((const unsigned char *)text, len))
    return m->fn(m->ud, text, len, size, bold, tm);
  char small[256], *clean = small;
  size_t n = clean_into(NULL, (const unsigned char *)text, len);
  if (n >= sizeof small && !(clean = malloc(n + 1)))
    return bv_error_set(BV_ENOMEM, "out of memory (measuring text)");
  clean_into(clean, (const unsigned char *)text, len);
  clean[n] = 0;
  int rc = m->fn(m->ud, clean, n, size, bold, tm);
  if (clean != small)
    free(clean);
  return rc;
}

int sc_fit(bv_scene *s, const bv_measure *m, const char *text, double size, int bold,
           double maxw, const char **shown, const char **full, bv_text_metrics *tm)
{
  *full = NULL;
  const char *clean = sc_clean(s, text ? text : "", text ? strlen(text) : 0);
  if (!clean)
    return bv_error_set(BV_ENOMEM, "out of memory (scene text)");
  *shown = clean;
  int rc = sc_measure(m, clean, size, bold, tm);
  if (rc || maxw <= 0 || tm->width <= maxw)
    return rc;
  /* binary search on the number of code points kept before the ellipsis */
  size_t len = strlen(clean), ncp = 0;
  size_t *cut = bv_arena_alloc(s->arena, (len + 1) * sizeof *cut);
  char *buf = bv_arena_alloc(s->arena, len + 4);
  if (!cut || !buf)
    return bv_error_set(BV_ENOMEM, "out of memory (scene text)");
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)clean[i] & 0xC0) != 0x80)
      cut[ncp++] = i; /* keeping k code points keeps bytes [0, cut[k]) */
  cut[ncp] = len;
  size_t lo = 0, hi = ncp; /* keeping lo always "fits" (an ellipsis alone is accepted) */
  bv_text_metrics best = {0}, t;
  memcpy(buf, "\xE2\x80\xA6", 4);
  if ((rc = sc_measure(m, buf, size, bold, &best)))
    return rc;
  while (lo < hi) {
    size_t mid = (lo + hi + 1) / 2;
    memcpy(buf, clean, cut[mid]);
    memcpy(buf + cut[mid], "\xE2\x80\xA6", 4);
    if ((rc = sc_measure(m, buf, size, bold, &t)))
      return rc;
    if (t.width <= maxw) {
      lo = mid;
      best = t;
    } else {
      hi = mid - 1;
    }
  }
  lo = cut[lo];
  /* drop trailing spaces before the ellipsis: "foo …" reads badly */
  size_t keep = lo;
  while (keep && clean[keep - 1] == ' ')
    keep--;
  memcpy(buf, clean, keep);
  memcpy(buf + keep, "\xE2\x80\xA6", 4);
  if (keep != lo && (rc = sc_measure(m, buf, size, bold, &best)))
    return rc;
  *shown = buf;
  *full = clean;
  *tm = best;
  return 0;
}

int sc_text(bv_scene *s, const bv_measure *m, const char *cls, double x, double y, bv_anchor a,
            double size, int bold, bv_color color_, const char *text, double maxw, int32_t ref,
            size_t *idx)
{
  const char *shown, *full;
  bv_text_metrics tm;
  int rc = sc_fit(s, m, text, size, bold, maxw, &shown, &full, &tm);
  if (rc)
    return rc;
  bv_sitem it = {0};
  it.kind = BV_SI_TEXT;
  it.cls = cls;
  it.x = x;
  it.y = y;
  it.w = tm.width;
  it.h = tm.ascent + tm.descent;
  it.ascent = tm.ascent;
  it.anchor = a;
  it.size = size;
  it.bold = bold;
  it.fill = color_;
  it.text = shown;
  it.full = full;
  it.ref = ref;
  if (idx)
    *idx = s->n;
  return bv_scene_add(s, &it);
}

int sc_rect(bv_scene *s, const char *cls, double x, double y, double w, double h, double r,
            bv_color fill, bv_color stroke, double lw, bv_dash dash, int32_t ref)
{
  bv_sitem it = {0};
  it.kind = BV_SI_RECT;
  it.cls = cls;
  it.x = x, it.y = y, it.w = w, it.h = h, it.r = r;
  it.fill = fill;
  it.stroke = stroke;
  it.line_width = lw;
  it.dash = dash;
  it.ref = ref;
  return bv_scene_add(s, &it);
}

int sc_line(bv_scene *s, const char *cls, const double *pts, size_t npts, bv_color stroke,
            double lw, bv_dash dash, bv_arrow arrow, int32_t ref)
{
  bv_sitem it = {0};
  it.kind = BV_SI_LINE;
  it.cls = cls;
  it.pts = pts;
  it.npts = npts;
  it.stroke = stroke;
  it.line_width = lw;
  it.dash = dash;
  it.arrow = arrow;
  it.ref = ref;
  return bv_scene_add(s, &it);
}

int sc_circle(bv_scene *s, const char *cls, double x, double y, double r, bv_color fill,
              bv_color stroke, double lw, int32_t ref)
{
  bv_sitem it = {0};
  it.kind = BV_SI_CIRCLE;
  it.cls = cls;
  it.x = x, it.y = y, it.r = r;
  it.fill = fill;
  it.stroke = stroke;
  it.line_width = lw;
  it.ref = ref;
  return bv_scene_add(s, &it);
}

double sc_text_left(const bv_sitem *it)
{
  switch (it->anchor) {
  case BV_ANCHOR_MIDDLE: return it->x - it->w / 2;
  case BV_ANCHOR_END: return it->x - it->w;
  default: return it->x;
  }
}
