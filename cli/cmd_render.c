/* cmd_render.c: beamviz render FILE.json -o OUT.ext: re-render a saved model
 * without a node, with the options of the command that collected it. */
#include "cli.h"

const cli_opt cmd_render_opts[] = {
    {"max-input", "MB", "largest model file to read, in MiB (default 256, at most 4095)"},
    {NULL, NULL, NULL}};

int cmd_render(cli_ctx *ctx)
{
  if (ctx->npos != 1)
    return cli_error(EXIT_USAGE, "render needs exactly one model file (beamviz render FILE.json -o OUT.ext)");
  if (cli_get(ctx, "save"))
    return cli_error(EXIT_USAGE, "--save does not apply to render (the input is already saved)");
  unsigned long mb;
  int rc = cli_uint(ctx, "max-input", 1, 4095, BV_MODEL_MAX_BYTES >> 20, &mb);
  if (rc)
    return rc;
  bv_load_opts lo = {(size_t)mb << 20, 0};
  bv_model m;
  rc = bv_model_load(ctx->pos[0], &lo, &m);
  if (rc && lo.too_big)
    return cli_error(EXIT_INPUT, "%s: larger than %lu MiB, the limit for a model file (raise it with --max-input MB)",
                     ctx->pos[0], mb);
  if (rc)
    return cli_fail(rc);
  switch (m.kind) {
  case BV_MODEL_SNAPSHOT: rc = procs_emit(ctx, m.u.snapshot); break;
  case BV_MODEL_MEMORY: rc = memory_emit(ctx, m.u.memory); break;
  case BV_MODEL_TREE: rc = suptree_emit(ctx, m.u.tree); break;
  case BV_MODEL_TRACE: rc = seqtrace_emit(ctx, m.u.trace); break;
  case BV_MODEL_APPS:
  case BV_MODEL_NONE: rc = cli_error(EXIT_INPUT, "%s: empty model", ctx->pos[0]); break;
  }
  bv_model_dispose(&m);
  return rc;
}
