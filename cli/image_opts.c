/* image_opts.c: the options every command that draws PNG/SVG/PDF accepts,
 * read into bv_emit_opts (the registry's image writer draws; emit.c writes). */
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

int cli_image_config(const cli_ctx *ctx, bv_emit_opts *o)
{
  int rc;
  unsigned long w, h;
  const char *theme, *bg;
  if ((rc = cli_uint(ctx, "width", 1, 1000000, 0, &w)) ||
      (rc = cli_uint(ctx, "height", 1, 1000000, 0, &h)) ||
      (rc = cli_choice(ctx, "theme", "light|dark", "light", &theme)) ||
      (rc = cli_choice(ctx, "background", "transparent|white", "white", &bg)))
    return rc;
  o->width = (double)w;
  o->height = (double)h;
  o->dark = strcmp(theme, "dark") == 0;
  o->transparent = strcmp(bg, "transparent") == 0;
  const char *sc = cli_get(ctx, "scale");
  if (sc) {
    char *end;
    errno = 0;
    double v = strtod(sc, &end);
    if (!*sc || *end || errno || !isfinite(v))
      return cli_error(EXIT_USAGE, "--scale: '%s' is not a number", sc);
    if (v < 0.1 || v > 8)
      return cli_error(EXIT_USAGE, "--scale: %s is out of range (0.1..8)", sc);
    o->scale = v;
  }
  o->font = cli_get(ctx, "font");
  if (o->font && !*o->font)
    return cli_error(EXIT_USAGE, "--font: empty font name");
  return EXIT_OK;
}
