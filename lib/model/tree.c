/* model/tree.c: the supervision tree model: its file (written and read back). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"root",         "supervisor", "worker", "notstarted",
                                         "unresponsive", "external",   "folded"};

/* --- JSON ------------------------------------------------------------------- */

/* ,"key":"v", left out when v is NULL */
static void kv_opt(bv_wr *w, const char *key, const char *v)
{
  if (v)
    bv_wr_kv(w, key, v);
}

/* One tree's members after "node": otp_release ... links (no closing brace). */
static void tree_body(bv_wr *w, const bv_tree *t)
{
  kv_opt(w, "otp_release", t->otp_release);
  bv_wr_str(w, ",\"elixir\":");
  bv_wr_bool(w, t->elixir);
  kv_opt(w, "title", t->title);
  kv_opt(w, "mode", t->mode);
  bv_wr_str(w, ",\"walk_ms\":");
  bv_wr_u64(w, t->walk_ms);
  bv_wr_str(w, ",\n\"nodes\":[");
  for (size_t i = 0; i < t->n && !bv_wr_maybe_flush(w); i++) {
    const bv_tnode *n = &t->nodes[i];
    bv_wr_str(w, i ? ",\n{\"kind\":\"" : "\n{\"kind\":\"");
    bv_wr_str(w, bv_tnode_kind_name(n->kind));
    bv_wr_str(w, "\",\"parent\":");
    bv_wr_i64(w, n->parent);
    kv_opt(w, "pid", n->pid);
    kv_opt(w, "name", n->name);
    kv_opt(w, "child_id", n->child_id);
    kv_opt(w, "type", n->type);
    kv_opt(w, "module", n->module);
    kv_opt(w, "state", n->state);
    kv_opt(w, "role", n->role);
    kv_opt(w, "label", n->label);
    if (n->kind == BV_TN_FOLDED) {
      bv_wr_str(w, ",\"folded\":");
      bv_wr_u64(w, n->folded);
      bv_wr_str(w, ",\"folded_sups\":");
      bv_wr_u64(w, n->folded_sups);
      bv_wr_str(w, ",\"folded_ext\":");
      bv_wr_u64(w, n->folded_ext);
      bv_wr_str(w, ",\"folded_total\":");
      bv_wr_u64(w, n->folded_total);
    }
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "],\n\"links\":[");
  for (size_t l = 0; l < t->nlinks && !bv_wr_maybe_flush(w); l++) {
    bv_wr_str(w, l ? ",[" : "[");
    bv_wr_u64(w, t->links[l].a);
    bv_wr_str(w, ",");
    bv_wr_u64(w, t->links[l].b);
    bv_wr_str(w, "]");
  }
  bv_wr_str(w, "]");
}

/* One node: as always. A cluster: {"format","version","node":"N nodes",
 * "title","mode","trees":[...]}, each node {"node", one tree's members},
 * {"node","running":false,"why"} (no tree of the application there: why,
 * optional) or {"node",
 * "error","reason"}; no top-level "nodes" (a reader that knows one node's
 * file only fails on it rather than showing nothing). */
static void tree_write(bv_wr *w, const bv_tree *t)
{
  bv_wr_str(w, "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":");
  bv_wr_json(w, t->node ? t->node : "");
  if (!t->ntrees) {
    tree_body(w, t);
    bv_wr_str(w, "}\n");
    return;
  }
  kv_opt(w, "title", t->title);
  kv_opt(w, "mode", t->mode);
  bv_wr_str(w, ",\"trees\":[");
  for (size_t i = 0; i < t->ntrees && !bv_wr_maybe_flush(w); i++) {
    const bv_node_result *r = &t->cnodes[i];
    bv_node_result_write(w, r, i);
    if (!r->code && !t->trees[i].n) {
      bv_wr_str(w, ",\"running\":false");
      kv_opt(w, "why", r->reason);
    } else if (!r->code) {
      tree_body(w, &t->trees[i]);
    }
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "]}\n");
}

int bv_tree_write_json(const bv_tree *t, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  tree_write(&w, t);
  return bv_wr_finish(&w);
}


#define TREE_MAX_NODES 10000000u

static int read_u32(const bv_jdoc *d, const bv_jv *v, const char *path, uint32_t *out)
{
  uint64_t x = 0;
  int rc = bv_jv_is_null(v) ? 0 : bv_jv_u64(d, v, path, &x);
  if (rc)
    return rc;
  if (x > UINT32_MAX)
    return bv_jv_fail(d, path, "number too large");
  *out = (uint32_t)x;
  return 0;
}

/* One tree's members of object root (paths prefixed with pre), strings in a;
 * with_node: its "node" too. */
static int tree_read(const bv_jdoc *d, const bv_jv *root, const char *pre, int with_node,
                     bv_arena *a, bv_tree *t)
{
  char path[128];
  int rc;
#define P(...) (snprintf(path, sizeof path, "%s", pre), \
                snprintf(path + strlen(path), sizeof path - strlen(path), __VA_ARGS__), path)
  int64_t walk = 0;
  if ((with_node && (rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", a, &t->node))) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), P("otp_release"), a,
                          &t->otp_release)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "title"), P("title"), a, &t->title)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "mode"), P("mode"), a, &t->mode)))
    goto fail;
  if (!bv_jv_is_null(bv_jv_get(root, "elixir")) &&
      (rc = bv_jv_bool(d, bv_jv_get(root, "elixir"), P("elixir"), &t->elixir)))
    goto fail;
  if (!bv_jv_is_null(bv_jv_get(root, "walk_ms")) &&
      (rc = bv_jv_i64(d, bv_jv_get(root, "walk_ms"), P("walk_ms"), &walk)))
    goto fail;
  t->walk_ms = walk > 0 ? (uint64_t)walk : 0;
  const bv_jv *nodes = bv_jv_get(root, "nodes");
  if ((rc = bv_jv_arr(d, nodes, P("nodes"), TREE_MAX_NODES)))
    goto fail;
  t->n = bv_jv_len(nodes);
  if (t->n == 0) {
    rc = bv_jv_fail(d, P("nodes"), "a tree needs at least its root");
    goto fail;
  }
  t->nodes = bv_arena_alloc(a, t->n * sizeof *t->nodes);
  if (!t->nodes) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  bv_jit it;
  bv_jv_iter(nodes, &it);
  for (size_t i = 0; i < t->n; i++) {
    const bv_jv *v = bv_jv_next(&it);
    bv_tnode *n = &t->nodes[i];
    P("nodes[%zu]", i);
    if ((rc = bv_jv_obj(d, v, path)))
      goto fail;
    const char *kind = NULL;
    P("nodes[%zu].kind", i);
    if ((rc = bv_jv_str(d, bv_jv_get(v, "kind"), path, a, &kind)))
      goto fail;
    size_t k;
    for (k = 0; k < sizeof kind_names / sizeof *kind_names; k++)
      if (strcmp(kind, kind_names[k]) == 0)
        break;
    if (k == sizeof kind_names / sizeof *kind_names) {
      rc = bv_jv_fail(d, path, "unknown kind (root, supervisor, worker, notstarted, "
                               "unresponsive, external, folded)");
      goto fail;
    }
    n->kind = (bv_tnode_kind)k;
    int64_t parent;
    P("nodes[%zu].parent", i);
    if ((rc = bv_jv_i64(d, bv_jv_get(v, "parent"), path, &parent)))
      goto fail;
    /* breadth-first with contiguous children: parents come first and never
       decrease along the array */
    if (i == 0 ? parent != -1
               : (parent < 0 || (uint64_t)parent >= i ||
                  (i > 1 && parent < t->nodes[i - 1].parent))) {
      rc = bv_jv_fail(d, path,
                      i == 0 ? "the root's parent must be -1"
                             : "must be an earlier node, in breadth-first order");
      goto fail;
    }
    n->parent = (int)parent;
    static const char *const keys[] = {"pid",  "name",  "child_id", "type",
                                       "module", "state", "role", "label"};
    const char **dst[] = {&n->pid,    &n->name,  &n->child_id, &n->type,
                          &n->module, &n->state, &n->role,     &n->label};
    for (size_t f = 0; f < sizeof keys / sizeof *keys; f++) {
      P("nodes[%zu].%s", i, keys[f]);
      if ((rc = bv_jv_opt_str(d, bv_jv_get(v, keys[f]), path, a, dst[f])))
        goto fail;
    }
    static const char *const nkeys[] = {"folded", "folded_sups", "folded_ext", "folded_total"};
    uint32_t *ndst[] = {&n->folded, &n->folded_sups, &n->folded_ext, &n->folded_total};
    for (size_t f = 0; f < sizeof nkeys / sizeof *nkeys; f++) {
      P("nodes[%zu].%s", i, nkeys[f]);
      if ((rc = read_u32(d, bv_jv_get(v, nkeys[f]), path, ndst[f])))
        goto fail;
    }
    if (i) {
      bv_tnode *p = &t->nodes[parent];
      if (!p->nchildren)
        p->first_child = (uint32_t)i;
      p->nchildren++;
    }
  }
  const bv_jv *links = bv_jv_get(root, "links");
  if (!bv_jv_is_null(links)) {
    if ((rc = bv_jv_arr(d, links, P("links"), 50000000)))
      goto fail;
    t->nlinks = bv_jv_len(links);
    t->links = t->nlinks ? bv_arena_alloc(a, t->nlinks * sizeof *t->links) : NULL;
    if (t->nlinks && !t->links) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto fail;
    }
    bv_jv_iter(links, &it);
    for (size_t l = 0; l < t->nlinks; l++) {
      const bv_jv *e = bv_jv_next(&it);
      P("links[%zu]", l);
      uint64_t x, y;
      if ((rc = bv_jv_arr(d, e, path, 2)))
        goto fail;
      if (bv_jv_len(e) != 2) {
        rc = bv_jv_fail(d, path, "expected a pair [a,b]");
        goto fail;
      }
      if ((rc = bv_jv_u64(d, bv_jv_at(e, 0), path, &x)) ||
          (rc = bv_jv_u64(d, bv_jv_at(e, 1), path, &y)))
        goto fail;
      if (x >= t->n || y >= t->n || x == y) {
        rc = bv_jv_fail(d, path, "node index out of range (or a self link)");
        goto fail;
      }
      t->links[l].a = (uint32_t)x;
      t->links[l].b = (uint32_t)y;
    }
  }
  return 0;
#undef P
fail:
  return rc;
}

#define MAX_CLUSTER_NODES 4096u

/* "trees" of a cluster's file: each node once, a failure with an error
 * beamviz names, at least one node collected. */
static int trees_read(const bv_jdoc *d, const bv_jv *tv, bv_tree *t)
{
  int rc = bv_jv_arr(d, tv, "trees", MAX_CLUSTER_NODES);
  if (rc)
    return rc;
  size_t n = bv_jv_len(tv);
  if (!n)
    return bv_jv_fail(d, "trees", "empty");
  if (!(t->cnodes = bv_arena_alloc(t->arena, n * sizeof *t->cnodes)) ||
      !(t->trees = bv_arena_alloc(t->arena, n * sizeof *t->trees)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  memset(t->cnodes, 0, n * sizeof *t->cnodes);
  memset(t->trees, 0, n * sizeof *t->trees);
  bv_intern seen;
  if ((rc = bv_intern_init(&seen)))
    return rc;
  char pre[48], path[80];
  size_t ok = 0;
  bv_jit it;
  bv_jv_iter(tv, &it);
  for (size_t i = 0; i < n && !rc; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_node_result *r = &t->cnodes[i];
    snprintf(pre, sizeof pre, "trees[%zu]", i);
#define NPATH(f) (snprintf(path, sizeof path, "%s%s", pre, f), path)
    bv_intern_slot *sl;
    /* name once (failed or not), error and reason: one reader for every kind */
    if ((rc = bv_node_result_read(d, e, pre, t->arena, &seen, r, &sl)))
      break;
    if (r->code)
      continue;
    ok++;
    bv_tree *s = &t->trees[i];
    s->node = r->node;
    s->title = t->title;
    s->mode = t->mode;
    const bv_jv *run = bv_jv_get(e, "running");
    if (!bv_jv_is_null(run)) {
      int running = 1;
      if ((rc = bv_jv_bool(d, run, NPATH(".running"), &running)))
        break;
      if (!running) {
        if ((rc = bv_jv_opt_str(d, bv_jv_get(e, "why"), NPATH(".why"), t->arena, &r->reason)))
          break;
        if (!bv_jv_is_null(bv_jv_get(e, "nodes")))
          rc = bv_jv_fail(d, NPATH(".nodes"), "a node not running the application has no tree");
        continue;
      }
    }
#undef NPATH
    snprintf(pre, sizeof pre, "trees[%zu].", i);
    if ((rc = tree_read(d, e, pre, 0, t->arena, s)))
      break;
    s->node = r->node;
    if (!t->otp_release) {
      t->otp_release = s->otp_release;
      t->elixir = s->elixir;
    }
  }
  bv_intern_dispose(&seen);
  if (rc)
    return rc;
  t->ntrees = n;
  if (!ok)
    return bv_jv_fail(d, "trees", "no node collected");
  /* the label is the collected count, whatever the file says */
  if (!(t->node = bv_nodes_label(t->arena, ok)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  return 0;
}

int bv_tree_from_json(const bv_jdoc *d, bv_tree **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_tree *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  const bv_jv *tv = bv_jv_get(root, "trees");
  int rc;
  if (tv && !bv_jv_is_null(tv)) {
    const char *ignored;
    if (!(rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", t->arena, &ignored)) &&
        !(rc = bv_jv_str(d, bv_jv_get(root, "title"), "title", t->arena, &t->title)) &&
        !(rc = bv_jv_opt_str(d, bv_jv_get(root, "mode"), "mode", t->arena, &t->mode)) &&
        !bv_jv_is_null(bv_jv_get(root, "nodes")))
      rc = bv_jv_fail(d, "nodes", "a cluster's file has its trees under \"trees\"");
    if (!rc && t->mode && strcmp(t->mode, "app") != 0)
      rc = bv_jv_fail(d, "mode", "a cluster's trees are of an application (\"app\")");
    if (!rc)
      rc = trees_read(d, tv, t);
  } else {
    rc = tree_read(d, root, "", 1, t->arena, t);
  }
  if (rc) {
    bv_tree_free(t);
    return rc;
  }
  *out = t;
  return 0;
}

int bv_tree_select_node(bv_tree *t, const char *node)
{
  if (!t->ntrees)
    return bv_error_set(BV_EINVAL, "this tree is of one node (%s), not of a cluster",
                        t->node ? t->node : "?");
  for (size_t i = 0; i < t->ntrees; i++)
    if (t->cnodes[i].node && strcmp(t->cnodes[i].node, node) == 0) {
      if (t->cnodes[i].code)
        return bv_error_set(BV_ENOTFOUND, "node %s was not collected (%s)", node,
                            t->cnodes[i].reason ? t->cnodes[i].reason : "?");
      if (!t->trees[i].n)
        return bv_error_set(BV_ENOTFOUND, "node %s has no tree of %s (%s)", node,
                            t->title ? t->title : "the application",
                            t->cnodes[i].reason ? t->cnodes[i].reason : "not running");
      bv_arena *a = t->arena;
      *t = t->trees[i];
      t->arena = a;
      t->ntrees = 0;
      t->cnodes = NULL;
      t->trees = NULL;
      return 0;
    }
  bv_buf b;
  bv_buf_init(&b);
  for (size_t i = 0; i < t->ntrees; i++)
    if (!t->cnodes[i].code)
      bv_buf_printf(&b, "%s%s", b.len ? ", " : "", t->cnodes[i].node);
  int rc = bv_error_set(BV_ENOTFOUND, "no node %s in this file (nodes: %s)", node,
                        b.data ? b.data : "");
  bv_buf_dispose(&b);
  return rc;
}




const char *bv_tnode_kind_name(bv_tnode_kind k)
{
  return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "worker";
}
