/* cmd_cluster.c: beamviz cluster: a map of the cluster the entry node (--node)
 * is in: its nodes as boxes (OTP release, processes, memory, uptime), their
 * connections as edges (Mermaid, JSON, text, PNG/SVG/PDF). beamviz connects to
 * every node itself, with the same cookie, at most --parallel at once; a node
 * it cannot read is drawn unreachable, named on stderr, and the exit code says
 * the map is partial. */
#include "cli.h"

#include <string.h>

const cli_opt cmd_cluster_opts[] = {
    {"max-nodes", "N", "nodes in the map at most (default 256)"},
    {NULL, NULL, NULL}};

int cmd_cluster(cli_ctx *ctx)
{
  const char *path, *save;
  bv_format fmt;
  bv_emit_opts eo;
  unsigned long max_nodes;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "cluster takes no arguments ('%s'); the entry node is --node",
                     ctx->pos[0]);
  if ((rc = cli_uint(ctx, "max-nodes", 1, 4096, 256, &max_nodes)) ||
      (rc = cli_format(ctx, BV_MODEL_CLUSTER, &path, &fmt)) ||
      (rc = cli_view_opts(ctx, BV_MODEL_CLUSTER, fmt, &eo)) ||
      (rc = cli_save_path(ctx, path, &save)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_clustermap_opts o;
  memset(&o, 0, sizeof o);
  /* the same cookie rules for every node: the one the entry node took */
  o.conn.cookie = ctx->localnode ? bv_localnode_cookie(ctx->localnode) : ctx->cookie;
  o.conn.timeout_ms = ctx->timeout_ms;
  o.conn.max_message = ctx->max_message;
  o.hidden = cli_flag(ctx, "hidden");
  o.max_nodes = (unsigned)max_nodes;
  o.parallel = ctx->parallel;
  bv_clustermap *map;
  rc = bv_clustermap_collect(ctx->conn, &o, &map);
  cli_disconnect(ctx);
  if (rc)
    return cli_fail(rc);
  for (size_t i = 0; i < map->n; i++)
    if (!map->nodes[i].reachable)
      cli_note("node %s is unreachable: %s", map->nodes[i].name,
               map->nodes[i].error ? map->nodes[i].error : "no reason given");
  if (map->n == 1)
    cli_note("node %s is connected to no other %snode: a map of one node", map->node,
             o.hidden ? "" : "visible ");
  if (map->left_out)
    cli_note("%zu more node%s found beyond --max-nodes %lu: not in the map", map->left_out,
             map->left_out == 1 ? " was" : "s were", max_nodes);
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_CLUSTER;
  m.u.cluster = map;
  rc = cli_write_model(ctx, &m, path, save);
  if (rc == EXIT_OK && map->unreachable) {
    cli_note("partial map: %zu of %zu nodes could not be read (drawn unreachable)",
             map->unreachable, map->n);
    rc = EXIT_PARTIAL;
  }
  bv_clustermap_free(map);
  return rc;
}
