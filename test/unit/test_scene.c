/* test_scene.c: the display list (dump, text fitting, UTF-8 cleaning) and the
 * cairo backend (formats, determinism, SVG titles, HiDPI scale, the PNG size
 * limit, transparent background, errors). */
#include "layout_util.h"
#include "layout/scene_priv.h"

static bv_scene *demo_scene(const bv_measure *m)
{
  bv_scene *s;
  bv_scene_new("test", &s);
  s->font = m->font;
  s->title = "a <title> & more";
  s->width = 300;
  s->height = 120;
  double pts[6] = {10, 10, 100, 10, 100, 60};
  sc_rect(s, "box", 20, 20, 100, 40, 5, SC_RGB(0xC4B5FD), SC_RGB(0x374151), 1, BV_DASH_SOLID, 0);
  sc_line(s, "edge", pts, 3, SC_RGB(0x374151), 1.5, BV_DASH_DOTTED, BV_ARROW_FILLED, -1);
  sc_circle(s, "point", 200, 60, 3, SC_NONE, SC_RGB(0x1F77B4), 2, 3);
  sc_text(s, m, "label", 150, 100, BV_ANCHOR_MIDDLE, 12, 0, SC_RGB(0),
          "a label much too long to fit in eighty pixels", 80, -1, NULL);
  return s;
}

static char *render_mem(const bv_scene *s, bv_format f, bv_render_opts *ro, size_t *len)
{
  bv_out *o;
  bv_out_open_mem(&o);
  int rc = bv_render(s, f, ro, o);
  const char *d = bv_out_mem(o, len);
  char *copy = rc ? NULL : malloc(*len + 1);
  if (copy) {
    memcpy(copy, d, *len);
    copy[*len] = 0;
  }
  bv_out_commit(o);
  return copy;
}

static unsigned png_dim(const char *png, int h)
{
  const unsigned char *p = (const unsigned char *)png + 16 + (h ? 4 : 0);
  return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static void test_dump_and_fit(void)
{
  bv_measure fake;
  bv_fake_measure(&fake);
  bv_scene *s = demo_scene(&fake);
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_scene_dump(s, &b), 0);
  CHECK(strstr(b.data, "rect box x=20.0 y=20.0 w=100.0 h=40.0 r=5.0 fill=#c4b5fd") != NULL);
  CHECK(strstr(b.data, "line edge stroke=#374151 lw=1.5 dash=dotted arrow=filled "
                       "pts=10.0,10.0 100.0,10.0 100.0,60.0") != NULL);
  CHECK(strstr(b.data, "full=\"a label much too long to fit in eighty pixels\"") != NULL);
  bv_buf_dispose(&b);
  /* fitting: 7.2 px a character at 12 px: 80 px hold 11 characters, the ellipsis included */
  const bv_sitem *t = &s->items[s->n - 1];
  CHECK(t->w <= 80);
  CHECK_STR(t->text, "a label mu\xE2\x80\xA6");
  /* a trailing space before the ellipsis is dropped */
  const char *shown, *full;
  bv_text_metrics tm;
  CHECK_INT(sc_fit(s, &fake, "abcd efgh", 10, 0, 36, &shown, &full, &tm), 0);
  CHECK_STR(shown, "abcd\xE2\x80\xA6");
  /* nothing to cut */
  CHECK_INT(sc_fit(s, &fake, "short", 10, 0, 100, &shown, &full, &tm), 0);
  CHECK_STR(shown, "short");
  CHECK(full == NULL);
  /* invalid UTF-8 and control characters are made drawable */
  CHECK_STR(sc_clean(s, "a\xFF" "b\tc\xE2\x82", 7), "a\xEF\xBF\xBD" "b c\xEF\xBF\xBD\xEF\xBF\xBD");
  bv_scene_free(s);
}

static void test_render(void)
{
  bv_measure m;
  if (!lu_measure(&m)) {
    fprintf(stderr, "note: DejaVu Sans missing; render tests use the fake measurer\n");
  }
  bv_scene *s = demo_scene(&m);
  size_t l1, l2;
  bv_render_opts ro = {0};
  /* SVG: deterministic even within one process (demo renders many), with
     the document title and the full text of a shortened label */
  char *a = render_mem(s, BV_FMT_SVG, &ro, &l1);
  char *b = render_mem(s, BV_FMT_SVG, &ro, &l2);
  CHECK(a && b && l1 == l2 && memcmp(a, b, l1) == 0);
  CHECK(a && strstr(a, "<title>a &lt;title&gt; &amp; more</title>") != NULL);
  CHECK(a && strstr(a, "<title>a label much too long to fit in eighty pixels</title>") != NULL);
  CHECK(a && strstr(a, "width=\"300px\"") != NULL);
  free(a);
  free(b);
  /* PDF: byte-identical (no creation date of today) */
  a = render_mem(s, BV_FMT_PDF, &ro, &l1);
  b = render_mem(s, BV_FMT_PDF, &ro, &l2);
  CHECK(a && b && l1 == l2 && memcmp(a, b, l1) == 0);
  CHECK(a && memmem(a, l1, "20000101000000", 14) != NULL);
  free(a);
  free(b);
  /* PNG at --scale 2 */
  ro.scale = 2;
  a = render_mem(s, BV_FMT_PNG, &ro, &l1);
  CHECK(a && png_dim(a, 0) == 600 && png_dim(a, 1) == 240);
  free(a);
  /* fit to a width */
  ro.scale = 1;
  ro.fit_width = 150;
  a = render_mem(s, BV_FMT_PNG, &ro, &l1);
  CHECK(a && png_dim(a, 0) == 150 && png_dim(a, 1) == 60);
  free(a);
  /* transparent: colour type 6 (RGBA); opaque white: cairo writes RGB (2) */
  ro.fit_width = 0;
  ro.transparent = 1;
  a = render_mem(s, BV_FMT_PNG, &ro, &l1);
  CHECK(a && (unsigned char)a[25] == 6);
  free(a);
  ro.transparent = 0;
  /* beyond cairo's 32,767 pixels: scaled to fit */
  s->width = 40000;
  a = render_mem(s, BV_FMT_PNG, &ro, &l1);
  CHECK(a && png_dim(a, 0) <= BV_PNG_MAX);
  CHECK(ro.scaled_to < 1);
  free(a);
  s->width = 300;
  /* not an image format; an empty scene */
  bv_out *o;
  bv_out_open_mem(&o);
  CHECK_INT(bv_render(s, BV_FMT_CSV, &ro, o), BV_EINVAL);
  s->width = 0;
  CHECK_INT(bv_render(s, BV_FMT_PNG, &ro, o), BV_EINVAL);
  bv_out_abort(o);
  bv_scene_free(s);
  if (m.fn != NULL && strcmp(m.font, "Fake Sans") != 0)
    bv_cairo_measure_close(&m);
}

static void test_fonts(void)
{
  bv_measure m;
  CHECK_INT(bv_cairo_measure_open("No Such Font Family 12345", &m), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "No Such Font Family 12345") != NULL);
  if (bv_cairo_measure_open("sans-serif", &m) == 0) {
    bv_text_metrics tm;
    CHECK_INT(m.fn(m.ud, "abc", 3, 12, 0, &tm), 0);
    CHECK(tm.width > 10 && tm.width < 30);
    bv_cairo_measure_close(&m);
  }
}

/* Whether p[0..n) is valid UTF-8 without C0 controls (bar newline), DEL, C1
 * or U+FFFE/U+FFFF: what an XML document may hold. */
static int xml_chars_ok(const char *p, size_t n)
{
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    unsigned c = u[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7F)
        return 0;
      i++;
      continue;
    }
    size_t l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!l || i + l > n)
      return 0;
    uint32_t cp = c & (0x7F >> l);
    for (size_t k = 1; k < l; k++) {
      if ((u[i + k] & 0xC0) != 0x80)
        return 0;
      cp = cp << 6 | (u[i + k] & 0x3F);
    }
    if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
      return 0;
    i += l;
  }
  return 1;
}

#define BAD_TEXT "ctl\x01\x1f\x7f c1\xc2\x85 nc\xef\xbf\xbe\xef\xbf\xbf bad\xff\xc3( cut\xe2\x82"

/* Every string that reaches cairo or an SVG <title> is cleaned: the document
 * title (SVG <title>, PDF metadata: invalid UTF-8 failed the PDF), items added
 * straight through bv_scene_add, and texts a layout only measures. */
static void test_clean_text(void)
{
  bv_measure m;
  lu_measure(&m);
  bv_scene *s;
  bv_scene_new("test", &s);
  s->font = m.font;
  s->title = BAD_TEXT;
  s->width = 400;
  s->height = 100;
  bv_sitem it = {0};
  it.kind = BV_SI_TEXT;
  it.x = 10, it.y = 50, it.w = 100, it.h = 14, it.ascent = 11, it.size = 12;
  it.fill = SC_RGB(0);
  it.text = BAD_TEXT;
  it.full = "full " BAD_TEXT;
  it.ref = -1;
  CHECK_INT(bv_scene_add(s, &it), 0);
  const bv_sitem *t = &s->items[0];
  CHECK(xml_chars_ok(t->text, strlen(t->text)) && xml_chars_ok(t->full, strlen(t->full)));
  CHECK_STR(t->text, "ctl    c1  nc\xEF\xBF\xBD\xEF\xBF\xBD bad\xEF\xBF\xBD\xEF\xBF\xBD( "
                     "cut\xEF\xBF\xBD\xEF\xBF\xBD");
  bv_text_metrics tm;
  CHECK_INT(sc_measure(&m, BAD_TEXT, 12, 0, &tm), 0);
  CHECK(tm.width > 0);
  bv_render_opts ro = {0};
  size_t len = 0;
  char *svg = render_mem(s, BV_FMT_SVG, &ro, &len);
  CHECK(svg != NULL);
  CHECK(svg && xml_chars_ok(svg, len));
  CHECK(svg && strstr(svg, "<title>ctl    c1  nc\xEF\xBF\xBD") != NULL);
  CHECK(svg && strstr(svg, "<title>full ctl ") != NULL);
  free(svg);
  char *pdf = render_mem(s, BV_FMT_PDF, &ro, &len);
  CHECK(pdf != NULL);
  free(pdf);
  char *png = render_mem(s, BV_FMT_PNG, &ro, &len);
  CHECK(png != NULL);
  free(png);
  bv_scene_free(s);
  if (m.fn != NULL && strcmp(m.font, "Fake Sans") != 0)
    bv_cairo_measure_close(&m);
}

/* memmem, not strstr: ASan's strstr measures the whole haystack every call */
static const char *find(const char *from, const char *end, const char *needle)
{
  return memmem(from, (size_t)(end - from), needle, strlen(needle));
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;
  const char *end = hay + strlen(hay);
  for (const char *p = hay; (p = find(p, end, needle)); p++)
    n++;
  return n;
}

/* A large scene goes to SVG in pieces of 16,384 items, each drawn by a cairo
 * surface of its own (cairo keeps a whole page's operations in memory) and
 * joined into one document: one <svg> and </svg>, the title once, surface
 * groups numbered in order, glyph ids unique across pieces and every glyph
 * used defined, and no trace of the paint each later piece starts with. */
static void test_svg_pieces(void)
{
  bv_measure m;
  lu_measure(&m);
  bv_scene *s;
  bv_scene_new("test", &s);
  s->font = m.font;
  s->title = "pieces";
  s->width = 2000;
  s->height = 2000;
  char label[32];
  for (int i = 0; i < 20000; i++) { /* 40,000 items: three pieces */
    double x = (i % 100) * 20, y = (i / 100) * 10;
    sc_rect(s, "box", x, y, 18, 8, 0, SC_RGB(0xC4B5FD), SC_NONE, 0, BV_DASH_SOLID, i);
    snprintf(label, sizeof label, "%c%d", 'a' + i % 26, i);
    sc_text(s, &m, "label", x, y + 8, BV_ANCHOR_START, 6, i % 2, SC_RGB(0), label, 0, i, NULL);
  }
  bv_render_opts ro = {0};
  for (int transparent = 0; transparent <= 1; transparent++) {
    ro.transparent = transparent;
    size_t len = 0, len2 = 0;
    char *svg = render_mem(s, BV_FMT_SVG, &ro, &len);
    if (!transparent) { /* deterministic across pieces too */
      char *again = render_mem(s, BV_FMT_SVG, &ro, &len2);
      CHECK(svg && again && len == len2 && memcmp(svg, again, len) == 0);
      free(again);
    }
    if (!svg)
      continue;
    CHECK(strlen(svg) == len);
    CHECK_INT(count(svg, "<svg"), 1);
    CHECK_INT(count(svg, "</svg>"), 1);
    CHECK(len > 7 && strcmp(svg + len - 7, "</svg>\n") == 0);
    CHECK_INT(count(svg, "<title>pieces</title>"), 1);
    CHECK_INT(count(svg, "<g id=\"surface"), 3);
    CHECK(strstr(svg, "<g id=\"surface1\">") && strstr(svg, "<g id=\"surface2\">") &&
          strstr(svg, "<g id=\"surface3\">"));
    CHECK(strstr(svg, "<g id=\"surface1\">") < strstr(svg, "<g id=\"surface3\">"));
    /* the background is painted once (by the first piece), or not at all */
    CHECK_INT(count(svg, "<rect x=\"0\" y=\"0\""), transparent ? 0 : 1);
    /* glyph ids: defined once each, every use defined */
    size_t ndef = 0, nuse = 0, undefined = 0, dup = 0;
    char id[64], *ids = calloc(1, len + 1);
    size_t idl = 0;
    const char *end = svg + len;
    for (const char *p = svg; (p = find(p, end, "id=\"glyph")); p++) {
      size_t k = strcspn(p + 4, "\"");
      snprintf(id, sizeof id, "|%.*s|", (int)k, p + 4);
      if (strstr(ids, id))
        dup++;
      memcpy(ids + idl, id, strlen(id));
      idl += strlen(id);
      ndef++;
    }
    for (const char *p = svg; (p = find(p, end, "href=\"#glyph")); p++) {
      size_t k = strcspn(p + 7, "\"");
      snprintf(id, sizeof id, "|%.*s|", (int)k, p + 7);
      if (!strstr(ids, id))
        undefined++;
      nuse++;
    }
    free(ids);
    CHECK(ndef > 10 && nuse >= 20000);
    CHECK_INT(dup, 0);
    CHECK_INT(undefined, 0);
    CHECK(strstr(svg, "id=\"glyph2_") != NULL); /* the third piece's */
    free(svg);
  }
  bv_scene_free(s);
  if (m.fn != NULL && strcmp(m.font, "Fake Sans") != 0)
    bv_cairo_measure_close(&m);
}

int main(void)
{
  test_dump_and_fit();
  test_render();
  test_fonts();
  test_clean_text();
  test_svg_pieces();
  return check_report();
}
