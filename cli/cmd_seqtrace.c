/* cmd_seqtrace.c: placeholder until the seqtrace work lands. */
#include "cli.h"

const cli_opt cmd_seqtrace_opts[] = {{NULL, NULL, NULL}};

int cmd_seqtrace(cli_ctx *ctx)
{
  (void)ctx;
  return cli_error(EXIT_INTERNAL, "seqtrace is not built yet");
}

int seqtrace_emit(cli_ctx *ctx, bv_trace *m)
{
  (void)ctx;
  (void)m;
  return cli_error(EXIT_INTERNAL, "seqtrace output is not built yet");
}
