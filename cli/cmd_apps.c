/* cmd_apps.c: beamviz apps: the started applications with version,
 * description and whether each has a supervision tree (text table or JSON). */
#include "cli.h"

#include <string.h>

const cli_opt cmd_apps_opts[] = {{NULL, NULL, NULL}};

static const bv_format apps_formats[] = {BV_FMT_TEXT, BV_FMT_JSON, BV_FMT_NONE};

static int write_buf(bv_out *o, const void *b) { return bv_out_buf(o, b); }

int cmd_apps(cli_ctx *ctx)
{
  const char *path;
  bv_format fmt;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "apps takes no arguments ('%s')", ctx->pos[0]);
  if (cli_get(ctx, "save"))
    return cli_error(EXIT_USAGE, "--save does not apply to apps (use --format json)");
  if ((rc = cli_output(ctx, BV_FMT_TEXT, apps_formats, &path, &fmt)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_applist *l;
  if ((rc = bv_apps_collect(ctx->conn, &l)))
    return cli_fail(rc);
  cli_disconnect(ctx);
  bv_buf b;
  bv_buf_init(&b);
  rc = fmt == BV_FMT_JSON ? bv_apps_json(&b, l) : bv_apps_text(&b, l);
  if (!rc)
    rc = cli_write(path, write_buf, &b);
  bv_buf_dispose(&b);
  bv_applist_free(l);
  return rc ? cli_fail(rc) : EXIT_OK;
}
