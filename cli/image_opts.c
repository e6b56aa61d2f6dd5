/* image_opts.c: placeholder until the images work lands: options shared by
 * every command that draws PNG/SVG/PDF, and the drawing entry point. */
#include "cli.h"

const cli_opt cli_image_opts[] = {{NULL, NULL, NULL}};

int cli_image_emit(cli_ctx *ctx, const bv_model *m, const char *path, bv_format fmt)
{
  (void)ctx;
  (void)m;
  (void)path;
  return cli_error(EXIT_INTERNAL, "%s images are not built yet", bv_format_name(fmt));
}
