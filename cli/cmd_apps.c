/* cmd_apps.c: beamviz apps: the started applications with version,
 * description and whether each has a supervision tree (text table or JSON);
 * with --cluster or --nodes, every node's at once as a node x application
 * matrix of versions. */
#include "cli.h"

#include <string.h>

const cli_opt cmd_apps_opts[] = {{NULL, NULL, NULL}};

static int emit_list(cli_ctx *ctx, bv_applist *l, const char *path)
{
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_APPS;
  m.u.apps = l;
  return cli_emit(ctx, &m, path);
}

/* --cluster / --nodes: every node at once into one list; the nodes that
 * failed are named, one line each, and the others written (EXIT_PARTIAL). */
static int apps_cluster(cli_ctx *ctx, const char *path)
{
  bv_cluster_opts co;
  int rc = cli_cluster_opts(ctx, &co);
  if (rc)
    return rc;
  bv_applist *l;
  rc = bv_apps_collect_cluster(&co, &l);
  cli_cluster_free(&co);
  if (rc)
    return cli_fail(rc);
  size_t ok = 0;
  const bv_node_result *first = NULL;
  for (size_t i = 0; i < l->nnodes; i++) {
    ok += l->nodes[i].code == BV_OK;
    if (!first && l->nodes[i].code != BV_OK)
      first = &l->nodes[i];
  }
  int partial = cli_cluster_report(l->nodes, l->nnodes);
  if (!ok) { /* nothing to write: the first node's failure is the exit code */
    rc = cli_error(cli_exit_code(first->code), "no node could be collected");
    bv_applist_free(l);
    return rc;
  }
  rc = emit_list(ctx, l, path);
  size_t asked = l->nnodes;
  bv_applist_free(l);
  if (rc == EXIT_OK && partial) {
    cli_note("partial: %zu of %zu nodes collected and written", ok, asked);
    rc = partial;
  }
  return rc;
}

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
  if (cli_multi(ctx))
    return apps_cluster(ctx, path);
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_applist *l;
  if ((rc = bv_apps_collect(ctx->conn, &l)))
    return cli_fail(rc);
  cli_disconnect(ctx);
  rc = emit_list(ctx, l, path);
  bv_applist_free(l);
  return rc;
}
