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

static void tree_write(bv_wr *w, const bv_tree *t)
{
  bv_wr_str(w, "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":");
  bv_wr_json(w, t->node ? t->node : "");
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

int bv_tree_from_json(const bv_jdoc *d, bv_tree **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_tree *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  bv_arena *a = t->arena;
  char path[96];
  int rc;
  int64_t walk = 0;
  if ((rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", a, &t->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), "otp_release", a, &t->otp_release)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "title"), "title", a, &t->title)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "mode"), "mode", a, &t->mode)))
    goto fail;
  if (!bv_jv_is_null(bv_jv_get(root, "elixir")) &&
      (rc = bv_jv_bool(d, bv_jv_get(root, "elixir"), "elixir", &t->elixir)))
    goto fail;
  if (!bv_jv_is_null(bv_jv_get(root, "walk_ms")) &&
      (rc = bv_jv_i64(d, bv_jv_get(root, "walk_ms"), "walk_ms", &walk)))
    goto fail;
  t->walk_ms = walk > 0 ? (uint64_t)walk : 0;
  const bv_jv *nodes = bv_jv_get(root, "nodes");
  if ((rc = bv_jv_arr(d, nodes, "nodes", TREE_MAX_NODES)))
    goto fail;
  t->n = bv_jv_len(nodes);
  if (t->n == 0) {
    rc = bv_jv_fail(d, "nodes", "a tree needs at least its root");
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
    snprintf(path, sizeof path, "nodes[%zu]", i);
    if ((rc = bv_jv_obj(d, v, path)))
      goto fail;
    const char *kind = NULL;
    snprintf(path, sizeof path, "nodes[%zu].kind", i);
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
    snprintf(path, sizeof path, "nodes[%zu].parent", i);
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
      snprintf(path, sizeof path, "nodes[%zu].%s", i, keys[f]);
      if ((rc = bv_jv_opt_str(d, bv_jv_get(v, keys[f]), path, a, dst[f])))
        goto fail;
    }
    static const char *const nkeys[] = {"folded", "folded_sups", "folded_ext", "folded_total"};
    uint32_t *ndst[] = {&n->folded, &n->folded_sups, &n->folded_ext, &n->folded_total};
    for (size_t f = 0; f < sizeof nkeys / sizeof *nkeys; f++) {
      snprintf(path, sizeof path, "nodes[%zu].%s", i, nkeys[f]);
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
    if ((rc = bv_jv_arr(d, links, "links", 50000000)))
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
      snprintf(path, sizeof path, "links[%zu]", l);
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
  *out = t;
  return 0;
fail:
  bv_tree_free(t);
  return rc;
}


const char *bv_tnode_kind_name(bv_tnode_kind k)
{
  return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "worker";
}
