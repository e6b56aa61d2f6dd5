/* api/image.c: the image writer every (kind x PNG/SVG/PDF) row shares:
 * measure, lay out, render. */
#include "api/api.h"
#include "render/render.h"

#include <string.h>

int bv_emit_image(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_layout_fn layout,
                  bv_out *out, bv_emit_info *info)
{
  if (fmt != BV_FMT_PNG && fmt != BV_FMT_SVG && fmt != BV_FMT_PDF)
    return bv_error_set(BV_EINVAL, "images are png, svg or pdf, not %s", bv_format_name(fmt));
  /* at most 1,000,000 px a side, as the command line allows; NaN fails every test */
  if (!(o->width >= 0 && o->width <= 1e6) || !(o->height >= 0 && o->height <= 1e6) ||
      !(o->scale >= 0.1 && o->scale <= 8))
    return bv_error_set(BV_EINVAL, "image size %gx%g at scale %g is out of range", o->width,
                        o->height, o->scale);
  bv_measure ms;
  int rc = bv_cairo_measure_open(o->font, &ms);
  if (rc)
    return rc;
  bv_scene *s = NULL;
  rc = layout(m, o, &ms, &s, info);
  bv_cairo_measure_close(&ms);
  if (rc)
    return rc;
  /* charts are laid out to the asked size; trees and sequences have a
     natural size and are scaled down to fit it */
  int chart = m->kind == BV_MODEL_SNAPSHOT || m->kind == BV_MODEL_MEMORY;
  bv_render_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.scale = o->scale;
  ro.transparent = o->transparent;
  if (!chart) {
    ro.fit_width = o->width;
    ro.fit_height = o->height;
  }
  rc = bv_render(s, fmt, &ro, out);
  if (!rc && info) {
    info->width = s->width;
    info->height = s->height;
    info->scaled_to = ro.scaled_to;
  }
  bv_scene_free(s);
  return rc;
}
