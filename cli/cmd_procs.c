/* cmd_procs.c: placeholder until the procs work lands. */
#include "cli.h"

const cli_opt cmd_procs_opts[] = {{NULL, NULL, NULL}};

int cmd_procs(cli_ctx *ctx)
{
  (void)ctx;
  return cli_error(EXIT_INTERNAL, "procs is not built yet");
}

int procs_emit(cli_ctx *ctx, bv_snapshot *m)
{
  (void)ctx;
  (void)m;
  return cli_error(EXIT_INTERNAL, "procs output is not built yet");
}
