/* cmd_suptree.c: beamviz suptree --app APP | --sup WHO: the supervision tree
 * as Mermaid (default), a markdown block, JSON (the full model) or an image. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cmd_suptree_opts[] = {
    {"app", "APP", "the tree of a started application (master, helper, top supervisor)"},
    {"sup", "WHO", "the tree under a supervisor: registered name, <0.1.0>, #PID<0.1.0>, 0.1.0"},
    {"sup-timeout", "MS", "how long each supervisor may take to answer (default 2000)"},
    {"links", "[none|members|all]",
     "dotted links drawn: none, those between tree members, or all (--links alone) which "
     "also collects the processes and ports outside the tree linked to it; default: "
     "Mermaid none, text and images what the model holds"},
    {"max-children", "N", "fold siblings beyond N into one node, leaf workers first (default "
                          "12, 0 = all)"},
    {"max-depth", "D", "fold what is more than D supervision levels below the top supervisor "
                       "(--app: master and helper not counted; default 0 = all)"},
    {"direction", "auto|TD|LR", "top-down, left-right, or auto (default): images top-down, long "
                                "rows of leaves wrapped into columns, or left-right, no wider "
                                "than 3 times their height; Mermaid TD unless LR is narrower"},
    {NULL, NULL, NULL}};

/* Supervisors that were not walked: worth a line, the walk went on without them.
 * And what the target said about an application of unexpected shape. */
static void unresponsive_note(const bv_tree *t, unsigned sup_ms)
{
  size_t k = 0;
  const char *first = NULL;
  for (size_t i = 0; i < t->n; i++)
    if (t->nodes[i].kind == BV_TN_UNRESPONSIVE ||
        (t->nodes[i].kind == BV_TN_ROOT && t->nodes[i].state)) {
      if (!first)
        first = t->nodes[i].name ? t->nodes[i].name
                : t->nodes[i].pid ? t->nodes[i].pid : "?";
      k++;
    }
  if (k)
    cli_note("%zu supervisor%s not walked: no child list within %u ms, or a reply that is "
             "not one (first: %s); drawn as unresponsive",
             k, k == 1 ? "" : "s", sup_ms, first);
  for (size_t i = 0; i < t->n; i++)
    if (t->nodes[i].role && strcmp(t->nodes[i].role, "application start helper") == 0 &&
        t->nodes[i].state && strcmp(t->nodes[i].state, "dead") != 0)
      cli_note("application %s: %s", t->title ? t->title : "?", t->nodes[i].state);
}

/* --cluster / --nodes: the application's tree on every node at once; a node
 * that does not run it is said so (in the outputs and on stderr), the nodes
 * that failed are named, one line each, and the others written
 * (EXIT_PARTIAL). */
static int suptree_cluster(cli_ctx *ctx, const bv_tree_opts *o, const char *path,
                           const char *save)
{
  bv_cluster_opts co;
  int rc = cli_cluster_opts(ctx, &co);
  if (rc)
    return rc;
  bv_tree *t;
  rc = bv_tree_collect_cluster(&co, o, &t);
  cli_cluster_free(&co);
  if (rc)
    return cli_fail(rc);
  size_t ok = 0, running = 0;
  const bv_node_result *first = NULL;
  for (size_t i = 0; i < t->ntrees; i++) {
    const bv_node_result *r = &t->cnodes[i];
    ok += r->code == BV_OK;
    running += r->code == BV_OK && t->trees[i].n;
    if (!first && r->code != BV_OK)
      first = r;
    if (r->code == BV_OK && !t->trees[i].n)
      cli_note("%s: %s", r->node, r->reason ? r->reason : "not running");
  }
  int partial = cli_cluster_report(t->cnodes, t->ntrees);
  if (!ok) { /* nothing to write: the first node's failure is the exit code */
    rc = cli_error(cli_exit_code(first->code), "no node could be collected");
    bv_tree_free(t);
    return rc;
  }
  if (!running)
    cli_note("no node collected has a tree of %s", o->app);
  for (size_t i = 0; i < t->ntrees; i++)
    if (t->trees[i].n)
      unresponsive_note(&t->trees[i], o->sup_timeout_ms);
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_TREE;
  m.u.tree = t;
  rc = cli_write_model(ctx, &m, path, save);
  size_t asked = t->ntrees;
  bv_tree_free(t);
  if (rc == EXIT_OK && partial) {
    cli_note("partial: %zu of %zu nodes collected and written", ok, asked);
    rc = partial;
  }
  return rc;
}

int cmd_suptree(cli_ctx *ctx)
{
  unsigned long sup_ms;
  const char *path, *save;
  bv_format fmt;
  bv_emit_opts eo;
  int rc;
  const char *links = cli_get(ctx, "links");
  if (ctx->npos && links && !*links) /* `--links some`: a value it does not know */
    return cli_error(EXIT_USAGE, "--links: '%s' is not one of none|members|all", ctx->pos[0]);
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "suptree takes no arguments ('%s'); use --app APP or --sup WHO",
                     ctx->pos[0]);
  bv_tree_opts o;
  memset(&o, 0, sizeof o);
  o.app = cli_get(ctx, "app");
  o.sup = cli_get(ctx, "sup");
  if (!o.app == !o.sup)
    return cli_error(EXIT_USAGE, "suptree needs exactly one of --app APP or --sup WHO");
  if ((o.app && !*o.app) || (o.sup && !*o.sup))
    return cli_error(EXIT_USAGE, "--%s: empty name", o.app ? "app" : "sup");
  if ((rc = cli_uint(ctx, "sup-timeout", 1, 600000, 2000, &sup_ms)) ||
      (rc = cli_format(ctx, BV_MODEL_TREE, &path, &fmt)) ||
      (rc = cli_view_opts(ctx, BV_MODEL_TREE, fmt, &eo)) ||
      (rc = cli_save_path(ctx, path, &save)))
    return rc;
  if (o.sup) {
    char who[300];
    int p = bv_who_parse(o.sup, who, sizeof who);
    if (p < 0)
      return cli_error(cli_exit_code(p), "--sup: %s", bv_error_last());
  }
  o.sup_timeout_ms = (unsigned)sup_ms;
  o.links = eo.links == BV_LINKS_ALL; /* only all collects the processes outside */
  if (cli_multi(ctx)) {
    if (o.sup)
      return cli_error(EXIT_USAGE, "--sup names a process of one node: a cluster's trees are "
                                   "of an application (--app APP)");
    return suptree_cluster(ctx, &o, path, save);
  }
  if ((rc = cli_connect(ctx)))
    return rc;
  unsigned long rt0 = bv_conn_round_trips(ctx->conn);
  bv_tree *t;
  rc = bv_tree_collect(ctx->conn, &o, &t);
  if (rc == BV_EINVAL)
    return cli_error(EXIT_USAGE, "--%s: %s", o.app ? "app" : "sup", bv_error_last());
  if (rc)
    return cli_fail(rc);
  if (getenv("BEAMVIZ_STATS"))
    fprintf(stderr, "beamviz: stats: %lu round trips (walk), %lu in all, %zu nodes, walk %llu ms "
                    "on the target\n",
            bv_conn_round_trips(ctx->conn) - rt0, bv_conn_round_trips(ctx->conn), t->n,
            (unsigned long long)t->walk_ms);
  cli_disconnect(ctx);
  unresponsive_note(t, o.sup_timeout_ms);
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_TREE;
  m.u.tree = t;
  rc = cli_write_model(ctx, &m, path, save);
  bv_tree_free(t);
  return rc;
}
