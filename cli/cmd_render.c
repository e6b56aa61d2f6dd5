/* cmd_render.c: beamviz render FILE.json -o OUT.ext: re-render a saved model
 * without a node. The file is read first: its kind decides which options
 * apply (the view options of the command that collected it, the image options
 * when the kind draws images), and any other option is refused. */
#include "cli.h"

#include <string.h>

const cli_opt cmd_render_opts[] = {
    {"max-input", "MB", "largest model file to read, in MiB (default 256, at most 4095)"},
    {"node", "NAME@HOST",
     "a cluster's process snapshot, application list, memory series, trees or trace: that node's part only"},
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
  if (rc == BV_EFORMAT && strstr(bv_error_last(), "(no \"format\" field)"))
    return cli_error(EXIT_INPUT, "%s; render reads the .json that --save or -o FILE.json wrote",
                     bv_error_last());
  if (rc)
    return cli_fail(rc);
  const char *path;
  bv_format fmt;
  bv_emit_opts eo;
  /* every option is checked before anything is written */
  if ((rc = cli_render_check(ctx, m.kind)) == EXIT_OK &&
      (rc = cli_format(ctx, m.kind, &path, &fmt)) == EXIT_OK &&
      (rc = cli_view_opts(ctx, m.kind, fmt, &eo)) == EXIT_OK) {
    /* --node NAME: one node's part of a cluster snapshot */
    if (m.kind == BV_MODEL_SNAPSHOT && ctx->node &&
        (rc = bv_snapshot_select_node(m.u.snapshot, ctx->node)))
      rc = cli_error(cli_exit_code(rc), "--node: %s", bv_error_last());
    if (m.kind == BV_MODEL_APPS && ctx->node && rc == EXIT_OK &&
        (rc = bv_applist_select_node(m.u.apps, ctx->node)))
      rc = cli_error(cli_exit_code(rc), "--node: %s", bv_error_last());
    if (m.kind == BV_MODEL_TREE && ctx->node && rc == EXIT_OK &&
        (rc = bv_tree_select_node(m.u.tree, ctx->node)))
      rc = cli_error(cli_exit_code(rc), "--node: %s", bv_error_last());
    if (m.kind == BV_MODEL_MEMORY && ctx->node && rc == EXIT_OK &&
        (rc = bv_memseries_select_node(m.u.memory, ctx->node)))
      rc = cli_error(cli_exit_code(rc), "--node: %s", bv_error_last());
    if (m.kind == BV_MODEL_TRACE && ctx->node && rc == EXIT_OK &&
        (rc = bv_trace_select_node(m.u.trace, ctx->node)))
      rc = cli_error(cli_exit_code(rc), "--node: %s", bv_error_last());
    if (m.kind == BV_MODEL_SNAPSHOT && rc == EXIT_OK)
      rc = cli_procs_top(ctx, m.u.snapshot);
    if (rc == EXIT_OK)
      rc = cli_emit(ctx, &m, path);
  }
  bv_model_dispose(&m);
  return rc;
}
