/* scene_priv.h (internal): helpers shared by the layouts (layout_*.c) on top
 * of the public bv_scene: measured and shortened text, boxes, lines, themes. */
#ifndef BV_SCENE_PRIV_H
#define BV_SCENE_PRIV_H

#include "layout/layout.h"

/* Colours of one theme (light or dark). */
typedef struct sc_theme {
  bv_color page, text, muted, line, grid, domain, note_fill, note_stroke, box_stroke;
} sc_theme;

const sc_theme *sc_theme_get(int dark);

#define SC_RGB(hex) ((bv_color)(0xFF000000u | (uint32_t)(hex)))
#define SC_NONE ((bv_color)0)

/* The one cleaner of drawn text (labels, titles, hover texts): a valid UTF-8
 * copy of text[0..len) where invalid bytes and U+FFFE/U+FFFF become U+FFFD and
 * control characters (C0, DEL, C1) a space: cairo refuses invalid UTF-8, XML
 * refuses control characters. In the scene's arena, in an arena, or appended
 * to b. bv_scene_add cleans every text item; bv_render cleans the title. */
const char *sc_clean(bv_scene *s, const char *text, size_t len);
char *sc_clean_arena(bv_arena *a, const char *text, size_t len);
int sc_clean_buf(bv_buf *b, const char *text, size_t len);

/* Measures text (cleaned first if it is not clean). */
int sc_measure(const bv_measure *m, const char *text, double size, int bold, bv_text_metrics *tm);

/* Text that fits in maxw (0 = no limit): the clean text itself, or a prefix
 * ended with an ellipsis. *full is set to the clean full text when shortened,
 * else NULL. *tm gets the metrics of what is returned. */
int sc_fit(bv_scene *s, const bv_measure *m, const char *text, double size, int bold,
           double maxw, const char **shown, const char **full, bv_text_metrics *tm);

/* Adds a text item (text is cleaned and fitted to maxw). Returns the item's
 * index in *idx (may be NULL). */
int sc_text(bv_scene *s, const bv_measure *m, const char *cls, double x, double y, bv_anchor a,
            double size, int bold, bv_color color, const char *text, double maxw, int32_t ref,
            size_t *idx);
int sc_rect(bv_scene *s, const char *cls, double x, double y, double w, double h, double r,
            bv_color fill, bv_color stroke, double lw, bv_dash dash, int32_t ref);
int sc_line(bv_scene *s, const char *cls, const double *pts, size_t npts, bv_color stroke,
            double lw, bv_dash dash, bv_arrow arrow, int32_t ref);
int sc_circle(bv_scene *s, const char *cls, double x, double y, double r, bv_color fill,
              bv_color stroke, double lw, int32_t ref);

/* Left edge of a text item's box (anchor applied). */
double sc_text_left(const bv_sitem *it);

/* Number of UTF-8 code points in s[0..n). */
size_t sc_utf8_count(const char *s, size_t n);

#endif
