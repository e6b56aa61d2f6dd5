/* render/render.h: drawing a scene with cairo, and cairo's text measurer. */
#ifndef BV_RENDER_H
#define BV_RENDER_H

#include "util/util.h"
#include "layout/layout.h"

/* The real measurer: cairo with `font` (NULL = "DejaVu Sans") found through
 * fontconfig. Fails with BV_ENOTFOUND when fontconfig has no such family (it
 * would silently substitute another). Close with bv_cairo_measure_close. */
int bv_cairo_measure_open(const char *font, bv_measure *m);
void bv_cairo_measure_close(bv_measure *m);

/* Drawing. PNG is limited to BV_PNG_MAX pixels a side (beamviz.h): larger
 * images are scaled down to fit and `scaled_to` says by how much. */
typedef struct bv_render_opts {
  double scale;         /* PNG pixels per px (HiDPI); default 1 */
  int transparent;      /* no background */
  double fit_width, fit_height; /* scale the drawing down to fit (0 = natural) */
  double scaled_to;     /* out: the scale actually used (PNG: after the limit) */
} bv_render_opts;

/* Draws scene as BV_FMT_PNG, _SVG or _PDF into out (through cairo's stream
 * functions, so stdout and memory work). Output is deterministic: no dates in
 * PDFs, stable ids in SVGs. Shortened texts keep their full text in an SVG
 * <title> (a transparent hover box at the text's place). */
int bv_render(const bv_scene *s, bv_format fmt, bv_render_opts *o, bv_out *out);


#endif
