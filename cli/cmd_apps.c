/* cmd_apps.c: beamviz apps: the started applications with version,
 * description and whether each has a supervision tree (text table or JSON). */
#include "cli.h"

#include <string.h>

const cli_opt cmd_apps_opts[] = {{NULL, NULL, NULL}};

int cmd_apps(cli_ctx *ctx)
{
  const char *path;
  bv_format fmt;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "apps takes no arguments ('%s')", ctx->pos[0]);
  if (cli_get(ctx, "save"))
    return cli_error(EXIT_USAGE, "--save does not apply to apps (use --format json)");
  if ((rc = cli_format(ctx, BV_MODEL_APPS, &path, &fmt)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_applist *l;
  if ((rc = bv_apps_collect(ctx->conn, &l)))
    return cli_fail(rc);
  cli_disconnect(ctx);
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_APPS;
  m.u.apps = l;
  rc = cli_emit(ctx, &m, path);
  bv_applist_free(l);
  return rc;
}
