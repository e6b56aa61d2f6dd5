/* view/tree.c: the view of a supervision tree that every format draws: which
 * nodes are shown, the fold nodes standing for the rest (one label text, one
 * counting rule), each node's label and class, and the counts. Mermaid
 * (emit/tree.c) and the image layout (layout/tree.c) both draw from it. */
#include "view/view.h"

#include <stdlib.h>
#include <string.h>

/* A line no label reaches (names and pids are far shorter; the model's text
 * is bounded by the model file's size): the uncut label for tooltips. */
#define FULL_LINE ((size_t)1 << 20)


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

/* A module or initial call in the target's syntax (bv_mfa_display); ports
 * keep their name (a command line may hold anything). */
static void put_module(bv_buf *b, const bv_tnode *n, const char *mod, int elixir)
{
  bv_mfa_display(b, mod, elixir && !(n->pid && strncmp(n->pid, "#Port", 5) == 0));
}

int bv_tree_label(bv_buf *b, const bv_tree *t, const bv_tnode *n, size_t max_line)
{
  int elixir = t ? t->elixir : 0;
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
  /* the identity rule (bv_ident_display); an unnamed dynamic child is its
     child spec's module; a linked process outside the tree is its pid, its
     initial call on a second line */
  const char *mod = n->kind != BV_TN_EXTERNAL && n->module && strcmp(n->module, "dynamic") != 0
                        ? n->module : NULL;
  bv_ident id = {n->name, n->label, n->child_id ? n->child_id : n->role, mod, n->pid};
  /* a bare number says nothing (PartitionSupervisor's partitions 0, 1, ...):
     the child spec's module before it */
  bv_buf idb;
  bv_buf_init(&idb);
  if (n->child_id && mod && n->child_id[0] &&
      strspn(n->child_id, "0123456789") == strlen(n->child_id)) {
    bv_mfa_display(&idb, mod, elixir);
    bv_buf_printf(&idb, " %s", n->child_id);
    if (!idb.failed)
      id.child_id = idb.data;
  }
  bv_ident_display(&line, &id, elixir);
  bv_buf_dispose(&idb);
  put_cut(b, line.data ? line.data : "?", max_line);
  if (n->kind == BV_TN_EXTERNAL && n->module && !n->state) {
    line.len = 0;
    put_module(&line, n, n->module, elixir);
    bv_buf_putc(b, '\n');
    put_cut(b, line.data ? line.data : "?", max_line);
  }
  if (n->state) {
    line.len = 0;
    bv_buf_printf(&line, "(%s)", n->state);
    bv_buf_putc(b, '\n');
    put_cut(b, line.data, max_line);
  }
  bv_buf_dispose(&line);
  return b->failed ? BV_ENOMEM : 0;
}

/* --- classes ---------------------------------------------------------------- */

const char *bv_tree_class(bv_tnode_kind k)
{
  const char *c = bv_tnode_kind_name(k);
  return c ? c : "worker";
}

/* --- the view ----------------------------------------------------------------- */

/* Checks what the walk below relies on, whoever made the tree (a model file
 * is checked when read; a tree built in memory is not): the root first, every
 * parent before its children, and each node's children are nodes naming it as
 * their parent, so every node is reached once and the walk ends. */
static int check_shape(const bv_tree *t)
{
  size_t n = t->n;
  if (t->nodes[0].parent != -1)
    return bv_error_set(BV_EINVAL, "supervision tree: the root has a parent");
  for (size_t i = 0; i < n; i++) {
    const bv_tnode *x = &t->nodes[i];
    if (i && (x->parent < 0 || (size_t)x->parent >= i))
      return bv_error_set(BV_EINVAL, "supervision tree: node %zu has a bad parent", i);
    if (!x->nchildren)
      continue;
    if (x->first_child <= i || x->first_child >= n || x->nchildren > n - x->first_child)
      return bv_error_set(BV_EINVAL, "supervision tree: node %zu has children outside the tree",
                          i);
    for (uint32_t c = 0; c < x->nchildren; c++)
      if (t->nodes[x->first_child + c].parent != (int)i)
        return bv_error_set(BV_EINVAL, "supervision tree: node %u is not a child of node %zu",
                            x->first_child + c, i);
  }
  return 0;
}

/* One counting rule for a folded sibling: linked (external), else a
 * supervisor (one that answered, one that did not, or one not started whose
 * child spec says supervisor), else a worker. */
static void count_folded(bv_tnode *f, const bv_tnode *cn)
{
  if (cn->kind == BV_TN_EXTERNAL)
    f->folded_ext++;
  else if (is_sup_like(cn))
    f->folded_sups++;
}

/* A node of an application's chain (master, start helper): drawn, never
 * counted as a supervision level. */
static int is_chain(const bv_tnode *n)
{
  return n->kind != BV_TN_FOLDED && n->role &&
         (strcmp(n->role, "application master") == 0 ||
          strcmp(n->role, "application start helper") == 0);
}

/* Which siblings a fold keeps first: those with a subtree (0), then childless
 * supervisors (one that did not answer, an empty or not-started one: 1), then
 * leaf workers and linked processes (2). */
static int keep_tier(const bv_tnode *n, uint32_t kids)
{
  if (kids)
    return 0;
  return is_sup_like(n) ? 1 : 2;
}

/* Builds the shown tree of t into v (external nodes and links left out as
 * `links` says; siblings beyond mc fold into one
 * "siblings" node, keeping subtrees before leaves and start order among the
 * kept; children of nodes mc supervision levels below the top supervisor into
 * one "below" node; 0 = no limit) and v->model, the model index of each shown
 * node. Levels count from the first node below the application's chain
 * (master, start helper), the root of a tree without one. */
static int fold(const bv_tree *t, unsigned mc, unsigned md, bv_links links, bv_tree_view *v)
{
  size_t n = t->n;
  uint32_t *size = calloc(n, sizeof *size);
  int32_t *depth = calloc(n, sizeof *depth);
  int32_t *map = malloc(n * sizeof *map);
  unsigned char *gone = calloc(n ? n : 1, 1);
  uint32_t *kids = calloc(n ? n : 1, sizeof *kids); /* children not gone */
  bv_tnode *nodes = NULL;
  int32_t *orig = NULL;
  bv_tree *s = v->tree;
  int rc = 0;
  if (!size || !depth || !map || !gone || !kids) {
    rc = BV_ENOMEM;
    goto done;
  }
  /* gone[i]: left out by the links option (an external node, and anything
     under one), neither drawn nor counted */
  for (size_t i = 1; i < n; i++)
    if (gone[t->nodes[i].parent] || (links != BV_LINKS_ALL && t->nodes[i].kind == BV_TN_EXTERNAL)) {
      gone[i] = 1;
      v->nodes--;
    } else {
      kids[t->nodes[i].parent]++;
    }
  /* depth[i]: supervision levels below the top supervisor; -1 for the chain
     (a chain node's children are at level 0) */
  for (size_t i = 0; i < n; i++) {
    map[i] = -1;
    int32_t d = i ? depth[t->nodes[i].parent] + 1 : 0;
    if (is_chain(&t->nodes[i]))
      d = -1;
    depth[i] = d;
    if (d > 0 && !gone[i] && (unsigned)d > v->depth)
      v->depth = (unsigned)d;
  }
  for (size_t i = n; i-- > 0;) {
    if (gone[i])
      continue;
    size[i] += 1;
    if (i)
      size[t->nodes[i].parent] += size[i];
  }
  if (md >= v->depth)
    md = 0; /* folds nothing either way */
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
    if (!kids[o])
      continue;
    bv_tnode f;
    memset(&f, 0, sizeof f);
    f.kind = BV_TN_FOLDED;
    f.parent = (int)j;
    if (md && depth[o] >= (int32_t)md) {
      f.role = "below";
      f.folded = f.folded_total = size[o] - 1;
      nodes[m] = f;
      orig[m++] = -1;
      v->hidden_below += f.folded;
      v->folds++;
    } else {
      /* quota[r]: how many of tier r are kept, filling mc tier by tier */
      uint32_t quota[3] = {k, k, k}, taken[3] = {0, 0, 0};
      if (mc && kids[o] > mc) {
        uint32_t count[3] = {0, 0, 0}, left = mc;
        for (uint32_t c = 0; c < k; c++)
          if (!gone[src->first_child + c])
            count[keep_tier(&t->nodes[src->first_child + c], kids[src->first_child + c])]++;
        for (int r = 0; r < 3; r++) {
          quota[r] = count[r] < left ? count[r] : left;
          left -= quota[r];
        }
      }
      for (uint32_t c = 0; c < k; c++) {
        uint32_t ci = src->first_child + c;
        if (gone[ci])
          continue;
        int r = keep_tier(&t->nodes[ci], kids[ci]);
        if (taken[r] >= quota[r]) {
          f.folded++;
          f.folded_total += size[ci];
          count_folded(&f, &t->nodes[ci]);
          continue;
        }
        taken[r]++;
        nodes[m] = t->nodes[ci];
        nodes[m].parent = (int)j;
        map[ci] = (int32_t)m;
        orig[m++] = (int32_t)ci;
      }
      if (f.folded) {
        f.role = "siblings";
        nodes[m] = f;
        orig[m++] = -1;
        v->hidden_siblings += f.folded_total;
        v->folds++;
      }
    }
    nodes[j].nchildren = (uint32_t)(m - nodes[j].first_child);
  }
  for (size_t j = 0; j < m; j++)
    if (!nodes[j].nchildren)
      nodes[j].first_child = 0;
  s->nodes = bv_arena_alloc(s->arena, m * sizeof *s->nodes);
  v->model = bv_arena_alloc(s->arena, m * sizeof *v->model);
  s->links = t->nlinks ? bv_arena_alloc(s->arena, t->nlinks * sizeof *s->links) : NULL;
  if (!s->nodes || !v->model || (t->nlinks && !s->links)) {
    rc = BV_ENOMEM;
    goto done;
  }
  memcpy(s->nodes, nodes, m * sizeof *nodes);
  memcpy(v->model, orig, m * sizeof *orig);
  s->n = m;
  for (size_t l = 0; l < t->nlinks && links != BV_LINKS_NONE; l++) {
    uint32_t a = t->links[l].a, b = t->links[l].b;
    if (a >= n || b >= n || map[a] < 0 || map[b] < 0)
      continue;
    s->links[s->nlinks].a = (uint32_t)map[a];
    s->links[s->nlinks].b = (uint32_t)map[b];
    s->nlinks++;
  }
  v->max_children = mc;
  v->max_depth = md;
done:
  free(size);
  free(depth);
  free(map);
  free(gone);
  free(kids);
  free(nodes);
  free(orig);
  return rc;
}

int bv_tree_view_make(const bv_tree *t, const bv_emit_opts *o, bv_tree_view **out)
{
  *out = NULL;
  if (!o)
    return bv_error_set(BV_EINVAL, "supervision tree view: no options");
  if (!t || t->n == 0 || !t->nodes)
    return bv_error_set(BV_EINVAL, "empty supervision tree");
  if (t->n > 0x7FFFFFFF)
    return bv_error_set(BV_EINVAL, "supervision tree: too many nodes (%zu)", t->n);
  int rc = check_shape(t);
  if (rc)
    return rc;
  bv_tree_view *v = calloc(1, sizeof *v);
  bv_buf label;
  bv_buf_init(&label);
  if (!v || !(v->tree = calloc(1, sizeof *v->tree)) || !(v->tree->arena = bv_arena_new())) {
    rc = BV_ENOMEM;
    goto done;
  }
  bv_tree *s = v->tree;
  s->node = t->node;
  s->otp_release = t->otp_release;
  s->elixir = t->elixir;
  s->title = t->title;
  s->mode = t->mode;
  s->walk_ms = t->walk_ms;
  v->nodes = t->n;
  v->left_right = o->left_right || o->direction == BV_DIR_LR;
  /* the view's own default: all the model holds (Mermaid picks its own before) */
  if ((rc = fold(t, o->max_children, o->max_depth,
                 o->links == BV_LINKS_DEFAULT ? BV_LINKS_ALL : o->links, v)))
    goto done;
  v->label = bv_arena_alloc(s->arena, s->n * sizeof *v->label);
  v->full = bv_arena_alloc(s->arena, s->n * sizeof *v->full);
  v->cls = bv_arena_alloc(s->arena, s->n * sizeof *v->cls);
  if (!v->label || !v->full || !v->cls) {
    rc = BV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < s->n; i++) {
    label.len = 0;
    if ((rc = bv_tree_label(&label, s, &s->nodes[i], 80)) ||
        !(v->label[i] = bv_arena_strdup(s->arena, label.data ? label.data : ""))) {
      rc = BV_ENOMEM;
      goto done;
    }
    label.len = 0;
    if ((rc = bv_tree_label(&label, s, &s->nodes[i], FULL_LINE)) ||
        !(v->full[i] = bv_arena_strdup(s->arena, label.data ? label.data : ""))) {
      rc = BV_ENOMEM;
      goto done;
    }
    v->cls[i] = bv_tree_class(s->nodes[i].kind);
  }
  *out = v;
  v = NULL;
done:
  bv_buf_dispose(&label);
  bv_tree_view_free(v);
  if (rc == BV_ENOMEM)
    rc = bv_error_set(BV_ENOMEM, "out of memory making the supervision tree view");
  return rc;
}

void bv_tree_view_free(bv_tree_view *v)
{
  if (!v)
    return;
  bv_tree_free(v->tree);
  free(v);
}

void bv_tree_info_add(bv_emit_info *sum, const bv_emit_info *one)
{
  sum->nodes += one->nodes;
  sum->hidden_siblings += one->hidden_siblings;
  sum->hidden_below += one->hidden_below;
  sum->folds += one->folds;
  if (one->max_children > sum->max_children)
    sum->max_children = one->max_children;
  if (one->max_depth > sum->max_depth)
    sum->max_depth = one->max_depth;
}

void bv_tree_view_info(const bv_tree_view *v, bv_emit_info *info)
{
  if (!info)
    return;
  info->nodes = v->nodes;
  info->hidden_siblings = v->hidden_siblings;
  info->hidden_below = v->hidden_below;
  info->folds = v->folds;
  info->max_children = v->max_children;
  info->max_depth = v->max_depth;
}
