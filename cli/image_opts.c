/* image_opts.c: the options every command that draws PNG/SVG/PDF accepts, and
 * cli_image_emit: check them, lay the model out by kind, render, write the
 * file whole (bv_out: temporary name, renamed on success) or not at all. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_image_opts[] = {
    {"width", "PX", "image width; charts are laid out to it, trees and sequences scaled to fit"},
    {"height", "PX", "image height (as --width)"},
    {"scale", "K", "PNG pixels per image pixel, for HiDPI screens (default 1, 0.1..8)"},
    {"theme", "light|dark", "colours (default light)"},
    {"background", "transparent|white", "page behind the drawing (default white; the dark "
                                        "theme's page is dark)"},
    {"font", "FAMILY", "font of every text, found through fontconfig (default DejaVu Sans)"},
    {NULL, NULL, NULL}};

typedef struct image_cfg {
  unsigned long width, height;
  double scale;
  int dark, transparent;
  const char *font;
} image_cfg;

static int image_config(const cli_ctx *ctx, image_cfg *c)
{
  memset(c, 0, sizeof *c);
  int rc;
  const char *theme, *bg;
  if ((rc = cli_uint(ctx, "width", 1, 1000000, 0, &c->width)) ||
      (rc = cli_uint(ctx, "height", 1, 1000000, 0, &c->height)) ||
      (rc = cli_choice(ctx, "theme", "light|dark", "light", &theme)) ||
      (rc = cli_choice(ctx, "background", "transparent|white", "white", &bg)))
    return rc;
  c->dark = strcmp(theme, "dark") == 0;
  c->transparent = strcmp(bg, "transparent") == 0;
  c->scale = 1;
  const char *sc = cli_get(ctx, "scale");
  if (sc) {
    char *end;
    errno = 0;
    double v = strtod(sc, &end);
    if (!*sc || *end || errno || !isfinite(v))
      return cli_error(EXIT_USAGE, "--scale: '%s' is not a number", sc);
    if (v < 0.1 || v > 8)
      return cli_error(EXIT_USAGE, "--scale: %s is out of range (0.1..8)", sc);
    c->scale = v;
  }
  c->font = cli_get(ctx, "font");
  if (c->font && !*c->font)
    return cli_error(EXIT_USAGE, "--font: empty font name");
  return EXIT_OK;
}

int cli_image_check(const cli_ctx *ctx)
{
  image_cfg c;
  return image_config(ctx, &c);
}

/* The view options of the command that made the model (suptree, seqtrace,
 * procs); `render` accepts them all. */
static int view_config(const cli_ctx *ctx, const bv_model *m, bv_layout_opts *o)
{
  int rc;
  unsigned long v;
  switch (m->kind) {
  case BV_MODEL_TREE: {
    const char *dir = cli_get(ctx, "direction");
    if (dir && strcmp(dir, "LR") != 0 && strcmp(dir, "TD") != 0 && strcmp(dir, "lr") != 0 &&
        strcmp(dir, "td") != 0 && strcmp(dir, "TB") != 0)
      return cli_error(EXIT_USAGE, "--direction: '%s' is not one of TD|LR", dir);
    o->left_right = dir && (dir[0] == 'L' || dir[0] == 'l');
    /* images have no edge limit: everything is drawn unless asked otherwise */
    if ((rc = cli_uint(ctx, "max-children", 0, 100000000, 0, &v)))
      return rc;
    o->max_children = (unsigned)v;
    if ((rc = cli_uint(ctx, "max-depth", 0, 100000000, 0, &v)))
      return rc;
    o->max_depth = (unsigned)v;
    break;
  }
  case BV_MODEL_TRACE:
    if ((rc = cli_uint(ctx, "max-shown", 0, 100000000, 0, &v)))
      return rc;
    o->max_shown = (unsigned)v;
    o->show_system = cli_flag(ctx, "all");
    break;
  case BV_MODEL_SNAPSHOT:
    o->x_field = cli_get(ctx, "x");
    o->y_field = cli_get(ctx, "y");
    o->color_field = cli_get(ctx, "color");
    break;
  default: break;
  }
  return EXIT_OK;
}

int cli_image_emit(cli_ctx *ctx, const bv_model *m, const char *path, bv_format fmt)
{
  image_cfg c;
  bv_layout_opts lo;
  memset(&lo, 0, sizeof lo);
  int rc = image_config(ctx, &c);
  if (rc || (rc = view_config(ctx, m, &lo)))
    return rc;
  if (fmt != BV_FMT_PNG && fmt != BV_FMT_SVG && fmt != BV_FMT_PDF)
    return cli_error(EXIT_USAGE, "images are png, svg or pdf, not %s", bv_format_name(fmt));
  bv_measure ms;
  if ((rc = bv_cairo_measure_open(c.font, &ms))) {
    if (c.font)
      return cli_error(EXIT_USAGE, "--font: %s", bv_error_last());
    return cli_error(EXIT_INTERNAL, "%s: install fonts-dejavu-core or pass --font FAMILY",
                     bv_error_last());
  }
  lo.dark = c.dark;
  int chart = m->kind == BV_MODEL_SNAPSHOT || m->kind == BV_MODEL_MEMORY;
  if (chart) {
    lo.width = (double)c.width;
    lo.height = (double)c.height;
  }
  bv_scene *s = NULL;
  switch (m->kind) {
  case BV_MODEL_TREE: rc = bv_layout_tree(m->u.tree, &lo, &ms, &s); break;
  case BV_MODEL_TRACE: rc = bv_layout_seq(m->u.trace, &lo, &ms, &s); break;
  case BV_MODEL_SNAPSHOT: rc = bv_layout_scatter(m->u.snapshot, &lo, &ms, &s); break;
  case BV_MODEL_MEMORY: rc = bv_layout_memory(m->u.memory, &lo, &ms, &s); break;
  default: rc = bv_error_set(BV_EINVAL, "nothing to draw (empty model)"); break;
  }
  bv_cairo_measure_close(&ms);
  if (rc)
    return cli_fail(rc);
  bv_render_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.scale = c.scale;
  ro.transparent = c.transparent;
  if (!chart) {
    ro.fit_width = (double)c.width;
    ro.fit_height = (double)c.height;
  }
  bv_out *o;
  if ((rc = bv_out_open(path, &o))) {
    bv_scene_free(s);
    return cli_fail(rc);
  }
  rc = bv_render(s, fmt, &ro, o);
  if (rc) {
    bv_out_abort(o);
    bv_scene_free(s);
    return cli_fail(rc);
  }
  if ((rc = bv_out_commit(o))) {
    bv_scene_free(s);
    return cli_fail(rc);
  }
  if (s->note)
    cli_note("%s", s->note);
  if (fmt == BV_FMT_PNG) {
    double want = c.scale;
    if (!chart) {
      double k = 1;
      if (c.width)
        k = (double)c.width / s->width;
      if (c.height && (!c.width || (double)c.height / s->height < k))
        k = (double)c.height / s->height;
      want *= k;
    }
    if (ro.scaled_to < want * 0.999)
      cli_note("%s: a %.0fx%.0f-pixel PNG is beyond cairo's limits (%d pixels a side, 128 "
               "megapixels): scaled to %.0f%% to fit; SVG or PDF keep full size",
               path, ceil(s->width * want), ceil(s->height * want), BV_PNG_MAX,
               100 * ro.scaled_to / want);
  }
  bv_scene_free(s);
  return EXIT_OK;
}
