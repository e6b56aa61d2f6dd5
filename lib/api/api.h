/* api/api.h: the registry's pieces that are not public. */
#ifndef BV_API_H
#define BV_API_H

#include "emit/emit.h"
#include "layout/layout.h"

/* Draws m as PNG, SVG or PDF: measures text with o->font, lays the model out
 * with layout, renders (trees and sequences scaled down to fit o->width and
 * o->height, charts laid out to them) and fills info's width, height and
 * scaled_to. */
int bv_emit_image(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_layout_fn layout,
                  bv_out *out, bv_emit_info *info);

#endif
