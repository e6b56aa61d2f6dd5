/* tree.c: the supervision-tree model's text outputs: labels, folding,
 * Mermaid (always within Mermaid's default limits), and the JSON model file
 * (written here, read back through lib/jsonin.h). */
#include "jsonin.h"

#include <stdlib.h>
#include <string.h>

/* Mermaid's defaults (MERMAID.md): 500 edges do not render, more than 50,000
 * characters render as an error picture. */
#define MMD_MAX_EDGES 499
#define MMD_MAX_CHARS 50000

static const char *const kind_names[] = {"root",         "supervisor", "worker", "notstarted",
                                         "unresponsive", "external",   "folded"};

const char *bv_tnode_kind_name(bv_tnode_kind k)
{
  return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "worker";
}

/* --- labels ----------------------------------------------------------------- */

/* Appends s cut to max bytes at a UTF-8 boundary, "..." marking the cut. */
static void put_cut(bv_buf *b, const char *s, size_t max)
{
  size_t n = strlen(s);
  if (n <= max) {
    bv_buf_put(b, s, n);
    return;
  }
  size_t cut = max > 3 ? max - 3 : 0;
  while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
    cut--;
  bv_buf_put(b, s, cut);
  bv_buf_puts(b, "...");
}

static void put_count(bv_buf *b, uint32_t k, const char *one, const char *many)
{
  bv_buf_printf(b, "%u %s", k, k == 1 ? one : many);
}

static int is_sup_like(const bv_tnode *n)
{
  return n->kind == BV_TN_SUPERVISOR || n->kind == BV_TN_UNRESPONSIVE ||
         (n->kind == BV_TN_NOTSTARTED && n->type && strcmp(n->type, "supervisor") == 0);
}

int bv_tree_label(bv_buf *b, const bv_tree *t, const bv_tnode *n, size_t max_line)
{
  if (!max_line)
    max_line = 80;
  bv_buf line;
  bv_buf_init(&line);
  if (n->kind == BV_TN_FOLDED) {
    if (n->role && strcmp(n->role, "below") == 0) {
      put_count(&line, n->folded, "more below", "more below");
    } else {
      uint32_t s = n->folded_sups, e = n->folded_ext;
      uint32_t w = n->folded >= s + e ? n->folded - s - e : 0;
      bv_buf_puts(&line, "... and ");
      if ((w != 0) + (s != 0) + (e != 0) > 1) {
        bv_buf_printf(&line, "%u more (", n->folded);
        const char *sep = "";
        if (w) {
          put_count(&line, w, "worker", "workers");
          sep = ", ";
        }
        if (s) {
          bv_buf_puts(&line, sep);
          put_count(&line, s, "supervisor", "supervisors");
          sep = ", ";
        }
        if (e) {
          bv_buf_puts(&line, sep);
          bv_buf_printf(&line, "%u linked", e);
        }
        bv_buf_putc(&line, ')');
      } else if (s) {
        put_count(&line, s, "more supervisor", "more supervisors");
      } else if (e) {
        put_count(&line, e, "more linked process", "more linked processes");
      } else {
        put_count(&line, w, "more worker", "more workers");
      }
      if (n->folded_total > n->folded)
        bv_buf_printf(&line, "\n+%u below", n->folded_total - n->folded);
    }
    bv_buf_put(b, line.data ? line.data : "", line.len);
    bv_buf_dispose(&line);
    return b->failed ? BV_ENOMEM : 0;
  }
  bv_buf pid;
  bv_buf_init(&pid);
  if (n->pid)
    bv_pid_display(&pid, n->pid, t ? t->elixir : 0);
  if (n->name) {
    bv_buf_puts(&line, n->name);
  } else if (n->child_id) {
    bv_buf_puts(&line, n->child_id);
    if (pid.len)
      bv_buf_printf(&line, " %s", pid.data);
  } else if (n->role) {
    bv_buf_puts(&line, n->role);
    if (pid.len)
      bv_buf_printf(&line, " %s", pid.data);
  } else if (pid.len) {
    bv_buf_puts(&line, pid.data);
  } else {
    bv_buf_puts(&line, "?");
  }
  put_cut(b, line.data ? line.data : "?", max_line);
  if (n->kind == BV_TN_EXTERNAL && n->module && !n->state) {
    bv_buf_putc(b, '\n');
    put_cut(b, n->module, max_line);
  }
  if (n->state) {
    line.len = 0;
    bv_buf_printf(&line, "(%s)", n->state);
    bv_buf_putc(b, '\n');
    put_cut(b, line.data, max_line);
  }
  bv_buf_dispose(&line);
  bv_buf_dispose(&pid);
  return b->failed ? BV_ENOMEM : 0;
}

/* --- folding ---------------------------------------------------------------- */

int bv_tree_fold(const bv_tree *t, unsigned max_children, unsigned max_depth, bv_tree **out,
                 bv_tree_fold_info *info)
{
  *out = NULL;
  if (!t || t->n == 0)
    return bv_error_set(BV_EINVAL, "empty supervision tree");
  size_t n = t->n;
  uint32_t *size = calloc(n, sizeof *size), *depth = calloc(n, sizeof *depth);
  int32_t *map = malloc(n * sizeof *map);
  bv_tree *v = calloc(1, sizeof *v);
  bv_tnode *nodes = NULL;
  int32_t *orig = NULL;
  int rc = 0;
  if (!size || !depth || !map || !v || !(v->arena = bv_arena_new())) {
    rc = BV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    map[i] = -1;
    int p = t->nodes[i].parent;
    if (i && (p < 0 || (size_t)p >= i)) {
      rc = bv_error_set(BV_EINVAL, "supervision tree: node %zu has a bad parent", i);
      goto done;
    }
    depth[i] = i ? depth[p] + 1 : 0;
  }
  for (size_t i = n; i-- > 0;) {
    size[i] += 1;
    if (i)
      size[t->nodes[i].parent] += size[i];
  }
  /* at most every node, plus one fold per node */
  size_t cap = 2 * n + 1, m = 0;
  nodes = calloc(cap, sizeof *nodes);
  orig = malloc(cap * sizeof *orig);
  if (!nodes || !orig) {
    rc = BV_ENOMEM;
    goto done;
  }
  nodes[0] = t->nodes[0];
  nodes[0].parent = -1;
  orig[0] = 0;
  map[0] = 0;
  m = 1;
  for (size_t j = 0; j < m; j++) {
    int32_t o = orig[j];
    nodes[j].first_child = (uint32_t)m;
    nodes[j].nchildren = 0;
    if (o < 0)
      continue;
    const bv_tnode *src = &t->nodes[o];
    uint32_t k = src->nchildren;
    if (!k)
      continue;
    if (src->first_child + (size_t)k > n) {
      rc = bv_error_set(BV_EINVAL, "supervision tree: node %d has bad children", o);
      goto done;
    }
    bv_tnode f;
    memset(&f, 0, sizeof f);
    f.kind = BV_TN_FOLDED;
    f.parent = (int)j;
    if (max_depth && depth[o] >= max_depth) {
      f.role = "below";
      f.folded = f.folded_total = size[o] - 1;
      nodes[m] = f;
      orig[m++] = -1;
      if (info) {
        info->hidden_below += f.folded;
        info->folds++;
      }
    } else {
      uint32_t keep = (max_children && k > max_children) ? max_children : k;
      for (uint32_t c = 0; c < keep; c++) {
        uint32_t ci = src->first_child + c;
        nodes[m] = t->nodes[ci];
        nodes[m].parent = (int)j;
        map[ci] = (int32_t)m;
        orig[m++] = (int32_t)ci;
      }
      if (keep < k) {
        f.role = "siblings";
        for (uint32_t c = keep; c < k; c++) {
          const bv_tnode *cn = &t->nodes[src->first_child + c];
          f.folded++;
          f.folded_total += size[src->first_child + c];
          if (cn->kind == BV_TN_EXTERNAL)
            f.folded_ext++;
          else if (is_sup_like(cn))
            f.folded_sups++;
        }
        nodes[m] = f;
        orig[m++] = -1;
        if (info) {
          info->hidden_siblings += f.folded_total;
          info->folds++;
        }
      }
    }
    nodes[j].nchildren = (uint32_t)(m - nodes[j].first_child);
  }
  for (size_t j = 0; j < m; j++)
    if (!nodes[j].nchildren)
      nodes[j].first_child = 0;
  v->nodes = bv_arena_alloc(v->arena, m * sizeof *v->nodes);
  v->links = t->nlinks ? bv_arena_alloc(v->arena, t->nlinks * sizeof *v->links) : NULL;
  if (!v->nodes || (t->nlinks && !v->links)) {
    rc = BV_ENOMEM;
    goto done;
  }
  memcpy(v->nodes, nodes, m * sizeof *nodes);
  v->n = m;
  for (size_t l = 0; l < t->nlinks; l++) {
    uint32_t a = t->links[l].a, b = t->links[l].b;
    if (a >= n || b >= n || map[a] < 0 || map[b] < 0)
      continue;
    v->links[v->nlinks].a = (uint32_t)map[a];
    v->links[v->nlinks].b = (uint32_t)map[b];
    v->nlinks++;
  }
  v->node = t->node;
  v->otp_release = t->otp_release;
  v->elixir = t->elixir;
  v->title = t->title;
  v->mode = t->mode;
  v->walk_ms = t->walk_ms;
  if (info) {
    info->max_children = max_children;
    info->max_depth = max_depth;
  }
  *out = v;
  v = NULL;
done:
  if (rc == BV_ENOMEM)
    rc = bv_error_set(BV_ENOMEM, "out of memory folding the supervision tree");
  free(size);
  free(depth);
  free(map);
  free(nodes);
  free(orig);
  bv_tree_free(v);
  return rc;
}

/* --- Mermaid ---------------------------------------------------------------- */

static const char mmd_classes[] =
    "  classDef root fill:#c4b5fd,stroke:#374151,stroke-width:4px\n"
    "  classDef supervisor fill:#c4b5fd,stroke:#374151,stroke-width:1px\n"
    "  classDef worker fill:#66c2a5,stroke:#374151,stroke-width:1px\n"
    "  classDef notstarted color:#777,fill:#d9d9d9,stroke:#777,stroke-width:1px\n"
    "  classDef unresponsive fill:#fca5a5,stroke:#b91c1c,stroke-width:2px\n"
    "  classDef external fill:#ffffff,stroke:#374151,stroke-width:1px,stroke-dasharray:3 3\n"
    "  classDef folded fill:#f3f4f6,stroke:#9ca3af,stroke-width:1px,stroke-dasharray:2 2\n";

/* Writes the already folded view v; counts edges. */
static int mmd_write(bv_buf *b, const bv_tree *v, int lr, int with_links, size_t *edges)
{
  bv_buf label;
  bv_buf_init(&label);
  *edges = 0;
  bv_buf_printf(b, "graph %s\n", lr ? "LR" : "TD");
  for (size_t i = 0; i < v->n; i++) {
    const bv_tnode *nd = &v->nodes[i];
    label.len = 0;
    if (bv_tree_label(&label, v, nd, 80)) {
      bv_buf_dispose(&label);
      return BV_ENOMEM;
    }
    bv_buf_printf(b, "  n%zu[\"", i);
    bv_mmd_escape(b, label.data ? label.data : "", label.len);
    bv_buf_printf(b, "\"]:::%s\n", bv_tnode_kind_name(nd->kind));
  }
  for (size_t i = 1; i < v->n; i++) {
    const bv_tnode *nd = &v->nodes[i];
    bv_buf_printf(b, "  n%d %s n%zu\n", nd->parent, nd->kind == BV_TN_EXTERNAL ? "-.-" : "-->", i);
    (*edges)++;
  }
  if (with_links)
    for (size_t l = 0; l < v->nlinks; l++) {
      bv_buf_printf(b, "  n%u -.- n%u\n", v->links[l].a, v->links[l].b);
      (*edges)++;
    }
  bv_buf_puts(b, mmd_classes);
  bv_buf_dispose(&label);
  return b->failed ? BV_ENOMEM : 0;
}

static unsigned tree_depth(const bv_tree *t)
{
  unsigned *d = calloc(t->n ? t->n : 1, sizeof *d), max = 0;
  if (!d)
    return 1;
  for (size_t i = 1; i < t->n; i++) {
    int p = t->nodes[i].parent;
    d[i] = (p >= 0 && (size_t)p < i) ? d[p] + 1 : 1;
    if (d[i] > max)
      max = d[i];
  }
  free(d);
  return max;
}

/* One try at writing t folded with (mc, md): the text (in text) and whether it
 * is within Mermaid's limits. */
typedef struct mmd_try {
  const bv_tree *t;
  int lr;
  bv_buf text;
  bv_tree_fold_info fi;
  size_t edges;
  int with_links, fits;
} mmd_try;

static int mmd_attempt(mmd_try *m, unsigned mc, unsigned md)
{
  bv_tree *v = NULL;
  int rc;
  memset(&m->fi, 0, sizeof m->fi);
  if ((rc = bv_tree_fold(m->t, mc, md, &v, &m->fi)))
    return rc;
  m->text.len = 0;
  rc = mmd_write(&m->text, v, m->lr, m->with_links, &m->edges);
  bv_tree_free(v);
  m->fits = !rc && m->edges <= MMD_MAX_EDGES && m->text.len <= MMD_MAX_CHARS;
  return rc;
}

/* The deepest md in [1, hi] that fits with mc, by bisection: folding one level
 * more never adds a node, an edge or a link (a "K more below" label can be a
 * few characters longer than the one child it replaces, so in a corner case
 * the answer may be a level short of the deepest, but it always fits).
 * *found = 0 if no md tried fits. Leaves m holding the try of the answer. */
static int mmd_deepest(mmd_try *m, unsigned mc, unsigned hi, unsigned *md, int *found)
{
  unsigned lo = 1, best = 0;
  int rc;
  *found = 0;
  while (lo <= hi) {
    unsigned mid = lo + (hi - lo) / 2;
    if ((rc = mmd_attempt(m, mc, mid)))
      return rc;
    if (m->fits) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (!best)
    return 0;
  *md = best;
  *found = 1;
  return m->fits ? 0 : mmd_attempt(m, mc, best);
}

int bv_tree_mermaid(bv_buf *b, const bv_tree *t, const bv_tree_mmd_opts *o,
                    bv_tree_fold_info *info)
{
  bv_tree_fold_info dummy;
  if (!info)
    info = &dummy;
  memset(info, 0, sizeof *info);
  unsigned mc = o ? o->max_children : 12, md = o ? o->max_depth : 0;
  int md_fence = o ? o->markdown : 0;
  if (!t || t->n == 0)
    return bv_error_set(BV_EINVAL, "empty supervision tree");
  unsigned full_depth = tree_depth(t);
  if (md >= full_depth)
    md = 0; /* folds nothing either way */
  mmd_try m;
  memset(&m, 0, sizeof m);
  m.t = t;
  m.lr = o ? o->left_right : 0;
  m.with_links = 1;
  bv_buf_init(&m.text);
  /* Tighten until it fits: fewer siblings (halving, down to 2), then the
     deepest level count that fits, then without dotted links (again the
     deepest that fits), then one child each. The last always fits: the root,
     one child and two folded nodes. */
  int rc = mmd_attempt(&m, mc, md), reduced = 0, found = 0;
  while (!rc && !m.fits && (mc == 0 || mc > 2)) {
    mc = mc == 0 ? 64 : mc / 2 > 2 ? mc / 2 : 2;
    reduced = 1;
    rc = mmd_attempt(&m, mc, md);
  }
  unsigned hi = md ? md - 1 : full_depth ? full_depth - 1 : 0;
  if (!rc && !m.fits) {
    reduced = 1;
    rc = mmd_deepest(&m, mc, hi, &md, &found);
  }
  if (!rc && !found && !m.fits && t->nlinks) {
    m.with_links = 0;
    rc = mmd_deepest(&m, mc, hi + 1, &md, &found);
  }
  if (!rc && !found && !m.fits && mc > 1) {
    mc = 1;
    rc = mmd_deepest(&m, mc, hi + 1, &md, &found);
  }
  if (!rc && !m.fits)
    rc = bv_error_set(BV_EINVAL, "the supervision tree does not fit in Mermaid's limits even "
                                 "folded to one child a level (%zu edges, %zu characters)",
                      m.edges, m.text.len);
  if (!rc) {
    *info = m.fi;
    if (info->max_depth >= full_depth)
      info->max_depth = 0;
    info->reduced = reduced;
    info->links_dropped = !m.with_links;
    info->edges = m.edges;
    info->chars = m.text.len;
    if (md_fence)
      bv_buf_puts(b, "```mermaid\n");
    bv_buf_put(b, m.text.data ? m.text.data : "", m.text.len);
    if (md_fence)
      bv_buf_puts(b, "```\n");
    rc = b->failed ? BV_ENOMEM : 0;
  }
  bv_buf_dispose(&m.text);
  return rc;
}

/* --- JSON ------------------------------------------------------------------- */

static void json_opt(bv_buf *b, const char *key, const char *v)
{
  if (!v)
    return;
  bv_buf_printf(b, ",\"%s\":", key);
  bv_buf_json_str(b, v, strlen(v));
}

int bv_tree_json(bv_buf *b, const bv_tree *t)
{
  bv_buf_puts(b, "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":");
  bv_buf_json_str(b, t->node ? t->node : "", t->node ? strlen(t->node) : 0);
  json_opt(b, "otp_release", t->otp_release);
  bv_buf_printf(b, ",\"elixir\":%s", t->elixir ? "true" : "false");
  json_opt(b, "title", t->title);
  json_opt(b, "mode", t->mode);
  bv_buf_puts(b, ",\"walk_ms\":");
  bv_buf_u64(b, t->walk_ms);
  bv_buf_puts(b, ",\n\"nodes\":[");
  for (size_t i = 0; i < t->n; i++) {
    const bv_tnode *n = &t->nodes[i];
    bv_buf_printf(b, "%s\n{\"kind\":\"%s\",\"parent\":%d", i ? "," : "",
                  bv_tnode_kind_name(n->kind), n->parent);
    json_opt(b, "pid", n->pid);
    json_opt(b, "name", n->name);
    json_opt(b, "child_id", n->child_id);
    json_opt(b, "type", n->type);
    json_opt(b, "module", n->module);
    json_opt(b, "state", n->state);
    json_opt(b, "role", n->role);
    if (n->kind == BV_TN_FOLDED)
      bv_buf_printf(b, ",\"folded\":%u,\"folded_sups\":%u,\"folded_ext\":%u,\"folded_total\":%u",
                    n->folded, n->folded_sups, n->folded_ext, n->folded_total);
    bv_buf_putc(b, '}');
  }
  bv_buf_puts(b, "],\n\"links\":[");
  for (size_t l = 0; l < t->nlinks; l++)
    bv_buf_printf(b, "%s[%u,%u]", l ? "," : "", t->links[l].a, t->links[l].b);
  bv_buf_puts(b, "]}\n");
  return b->failed ? BV_ENOMEM : 0;
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
    static const char *const keys[] = {"pid", "name", "child_id", "type", "module", "state", "role"};
    const char **dst[] = {&n->pid, &n->name, &n->child_id, &n->type, &n->module, &n->state, &n->role};
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
