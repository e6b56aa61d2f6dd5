/* cmd_suptree.c: beamviz suptree --app APP | --sup WHO: the supervision tree
 * as Mermaid (default), a markdown block, JSON (the full model) or an image.
 * suptree_emit also serves `beamviz render` for saved trees. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cmd_suptree_opts[] = {
    {"app", "APP", "the tree of a started application (master, helper, top supervisor)"},
    {"sup", "WHO", "the tree under a supervisor: registered name, <0.1.0>, #PID<0.1.0>, 0.1.0"},
    {"sup-timeout", "MS", "how long each supervisor may take to answer (default 2000)"},
    {"links", NULL, "also draw processes and ports outside the tree linked to it"},
    {"max-children", "N", "fold siblings beyond N into one node (default 12, 0 = all)"},
    {"max-depth", "D", "fold levels below D into one node (default 0 = all)"},
    {"direction", "TD|LR", "top-down (default) or left-right"},
    {NULL, NULL, NULL}};

static const bv_format suptree_formats[] = {BV_FMT_MERMAID, BV_FMT_MD,  BV_FMT_JSON, BV_FMT_PNG,
                                            BV_FMT_SVG,     BV_FMT_PDF, BV_FMT_NONE};

typedef struct suptree_cfg {
  const char *path;
  bv_format fmt;
  const char *save;
  bv_tree_mmd_opts mmd;
} suptree_cfg;

static int suptree_config(const cli_ctx *ctx, suptree_cfg *c)
{
  memset(c, 0, sizeof *c);
  unsigned long mc, md;
  const char *dir;
  int rc;
  if ((rc = cli_output(ctx, BV_FMT_MERMAID, suptree_formats, &c->path, &c->fmt)) ||
      (rc = cli_uint(ctx, "max-children", 0, 1000000, 12, &mc)) ||
      (rc = cli_uint(ctx, "max-depth", 0, 10000, 0, &md)) ||
      (rc = cli_choice(ctx, "direction", "TD|LR", "TD", &dir)))
    return rc;
  c->mmd.max_children = (unsigned)mc;
  c->mmd.max_depth = (unsigned)md;
  c->mmd.left_right = strcmp(dir, "LR") == 0;
  c->mmd.markdown = c->fmt == BV_FMT_MD;
  if ((rc = cli_save_path(ctx, c->path, &c->save)))
    return rc;
  return EXIT_OK;
}

static int write_buf(bv_out *o, const void *b) { return bv_out_buf(o, b); }

/* One stderr line saying what was left out of the picture and how to see it. */
static void fold_note(const bv_tree *t, const bv_tree_fold_info *fi, const suptree_cfg *c)
{
  if (!fi->folds && !fi->links_dropped)
    return;
  size_t hidden = fi->hidden_siblings + fi->hidden_below;
  if (fi->reduced)
    cli_note("%zu of %zu nodes folded: the tree is too big for Mermaid (under 500 edges, "
             "50,000 characters), so it was drawn with --max-children %u --max-depth %u%s; "
             "see all with --format json (or png/svg)",
             hidden, t->n, fi->max_children, fi->max_depth,
             fi->links_dropped ? " and without link edges" : "");
  else if (fi->hidden_below && fi->hidden_siblings)
    cli_note("%zu of %zu nodes folded (--max-children %u, --max-depth %u); see all with "
             "--max-children 0 --max-depth 0, or --format json",
             hidden, t->n, c->mmd.max_children, c->mmd.max_depth);
  else if (fi->hidden_below)
    cli_note("%zu of %zu nodes folded below depth %u (--max-depth); see all with "
             "--max-depth 0, or --format json",
             hidden, t->n, c->mmd.max_depth);
  else
    cli_note("%zu of %zu nodes folded (siblings beyond --max-children %u); see all with "
             "--max-children 0, or --format json",
             hidden, t->n, c->mmd.max_children);
}

static int emit(cli_ctx *ctx, bv_tree *t, const suptree_cfg *c)
{
  bv_buf b;
  int rc;
  bv_tree_fold_info fi;
  memset(&fi, 0, sizeof fi);
  switch (c->fmt) {
  case BV_FMT_MERMAID:
  case BV_FMT_MD:
  case BV_FMT_JSON:
    bv_buf_init(&b);
    rc = c->fmt == BV_FMT_JSON ? bv_tree_json(&b, t) : bv_tree_mermaid(&b, t, &c->mmd, &fi);
    if (!rc)
      rc = cli_write(c->path, write_buf, &b);
    bv_buf_dispose(&b);
    if (rc)
      return cli_fail(rc);
    if (c->fmt != BV_FMT_JSON)
      fold_note(t, &fi, c);
    return EXIT_OK;
  case BV_FMT_PNG:
  case BV_FMT_SVG:
  case BV_FMT_PDF:
    return cli_image_emit_of(ctx, BV_MODEL_TREE, t, c->path, c->fmt);
  default:
    return cli_error(EXIT_USAGE, "'beamviz suptree' cannot write %s output",
                     bv_format_name(c->fmt));
  }
}

int suptree_emit(cli_ctx *ctx, bv_tree *t)
{
  suptree_cfg c;
  int rc = suptree_config(ctx, &c);
  return rc ? rc : emit(ctx, t, &c);
}

/* Supervisors that did not answer: worth a line, the walk went on without them. */
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
    cli_note("%zu supervisor%s did not answer which_children within %u ms (first: %s); drawn "
             "as unresponsive",
             k, k == 1 ? "" : "s", sup_ms, first);
}

int cmd_suptree(cli_ctx *ctx)
{
  suptree_cfg c;
  unsigned long sup_ms;
  int rc;
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
      (rc = suptree_config(ctx, &c)))
    return rc;
  if (o.sup) {
    char pid[64];
    int p = bv_tree_parse_pid(o.sup, pid, sizeof pid);
    if (p < 0)
      return cli_fail(p);
  }
  o.sup_timeout_ms = (unsigned)sup_ms;
  o.links = cli_flag(ctx, "links");
  if ((rc = cli_connect(ctx)))
    return rc;
  unsigned long rt0 = bv_conn_round_trips(ctx->conn);
  bv_tree *t;
  rc = bv_tree_collect(ctx->conn, &o, &t);
  if (rc)
    return cli_fail(rc);
  if (getenv("BEAMVIZ_STATS"))
    fprintf(stderr, "beamviz: stats: %lu round trips (walk), %lu in all, %zu nodes, walk %llu ms "
                    "on the target\n",
            bv_conn_round_trips(ctx->conn) - rt0, bv_conn_round_trips(ctx->conn), t->n,
            (unsigned long long)t->walk_ms);
  cli_disconnect(ctx);
  unresponsive_note(t, o.sup_timeout_ms);
  bv_out *pending = NULL;
  if (c.save) {
    bv_buf b;
    bv_buf_init(&b);
    if ((rc = bv_tree_json(&b, t)))
      rc = cli_fail(rc);
    else
      rc = cli_save_begin(c.save, write_buf, &b, &pending);
    bv_buf_dispose(&b);
  }
  if (rc == EXIT_OK)
    rc = cli_save_end(pending, emit(ctx, t, &c));
  bv_tree_free(t);
  return rc;
}
