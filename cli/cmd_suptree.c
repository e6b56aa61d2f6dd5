/* cmd_suptree.c: placeholder until the suptree work lands. */
#include "cli.h"

const cli_opt cmd_suptree_opts[] = {{NULL, NULL, NULL}};

int cmd_suptree(cli_ctx *ctx)
{
  (void)ctx;
  return cli_error(EXIT_INTERNAL, "suptree is not built yet");
}

int suptree_emit(cli_ctx *ctx, bv_tree *m)
{
  (void)ctx;
  (void)m;
  return cli_error(EXIT_INTERNAL, "suptree output is not built yet");
}
