/* cmd_memory.c: placeholder until the memory work lands. */
#include "cli.h"

const cli_opt cmd_memory_opts[] = {{NULL, NULL, NULL}};

int cmd_memory(cli_ctx *ctx)
{
  (void)ctx;
  return cli_error(EXIT_INTERNAL, "memory is not built yet");
}

int memory_emit(cli_ctx *ctx, bv_memseries *m)
{
  (void)ctx;
  (void)m;
  return cli_error(EXIT_INTERNAL, "memory output is not built yet");
}
