/* cmd_apps.c: placeholder until the apps work lands. */
#include "cli.h"

const cli_opt cmd_apps_opts[] = {{NULL, NULL, NULL}};

int cmd_apps(cli_ctx *ctx)
{
  (void)ctx;
  return cli_error(EXIT_INTERNAL, "apps is not built yet");
}
