/* test_layout_tree.c: the tidy tree layout drawn from the tree view:
 * invariants on many shapes (no overlaps, parents centred, edges end on their
 * boxes, everything inside the image), folding with the one default, the
 * 2,000-child block, a golden dump, and the counts info tells. */
#include "layout_util.h"

typedef struct spec {
  int parent;
  bv_tnode_kind kind;
  const char *name, *child_id, *pid, *state;
} spec;

/* Builds a tree from nodes listed in breadth-first order (parents first,
 * each parent's children consecutive). */
static bv_tree *mk_tree(const spec *sp, size_t n, const char *title)
{
  bv_tree *t = calloc(1, sizeof *t);
  t->arena = bv_arena_new();
  t->title = title;
  t->n = n;
  t->nodes = bv_arena_alloc(t->arena, n * sizeof *t->nodes);
  for (size_t i = 0; i < n; i++) {
    bv_tnode *x = &t->nodes[i];
    x->kind = sp[i].kind;
    x->name = sp[i].name;
    x->child_id = sp[i].child_id;
    x->pid = sp[i].pid;
    x->state = sp[i].state;
    x->parent = sp[i].parent;
  }
  for (size_t i = 1; i < n; i++) {
    int p = sp[i].parent;
    if (p < 0)
      continue;
    if (!t->nodes[p].nchildren)
      t->nodes[p].first_child = (uint32_t)i;
    t->nodes[p].nchildren++;
  }
  return t;
}

/* Random tree of n nodes (BFS order): node i's parent is drawn from a window
 * of earlier nodes, so parents come first and children are consecutive. */
static bv_tree *random_tree(size_t n, unsigned seed, int labels)
{
  spec *sp = calloc(n, sizeof *sp);
  bv_tree *t;
  char **names = calloc(n, sizeof *names);
  sp[0] = (spec){-1, BV_TN_ROOT, "root_sup", NULL, "<0.80.0>", NULL};
  int p = 0;
  for (size_t i = 1; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    if ((seed >> 16) % 3 == 0 && (size_t)p + 1 < i)
      p++;
    sp[i].parent = p;
    names[i] = malloc(64);
    int len = labels ? (int)((seed >> 8) % 30) + 1 : 6;
    snprintf(names[i], 64, "%.*s", len, "proc_abcdefghijklmnopqrstuvwxyz_0123456789");
    sp[i].name = names[i];
    sp[i].kind = BV_TN_WORKER;
    sp[i].pid = "<0.1.0>";
  }
  for (size_t i = 1; i < n; i++)
    if (sp[i].parent > 0)
      sp[sp[i].parent].kind = BV_TN_SUPERVISOR;
  t = mk_tree(sp, n, "random");
  /* names must outlive the tree: copy them into its arena */
  for (size_t i = 1; i < n; i++) {
    t->nodes[i].name = bv_arena_strdup(t->arena, names[i]);
    free(names[i]);
  }
  free(names);
  free(sp);
  return t;
}

/* Box of a drawn model node (the rect item with ref == i), NULL if none. */
static const bv_sitem *box_of(const bv_scene *s, int32_t ref)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].kind == BV_SI_RECT && s->items[i].ref == ref)
      return &s->items[i];
  return NULL;
}

/* All invariants of a tree scene. */
static void check_tree_scene(const bv_scene *s, const bv_tree *t, int lr, const char *what)
{
  int over = lu_overlaps(s, BV_SI_RECT, NULL, 1);
  CHECK_INT(over, 0);
  CHECK_INT(lu_overlaps(s, BV_SI_TEXT, NULL, 1), 0);
  CHECK_INT(lu_outside(s), 0);
  /* index boxes by ref for speed */
  const bv_sitem **box = calloc(t->n, sizeof *box);
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].kind == BV_SI_RECT && s->items[i].ref >= 0 &&
        (size_t)s->items[i].ref < t->n)
      box[s->items[i].ref] = &s->items[i];
  /* every edge ends on its child's box (the arrow head touches the border) */
  int bad_edges = 0, nedges = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *e = &s->items[i];
    if (e->kind != BV_SI_LINE || strcmp(e->cls, "edge") != 0 || e->ref < 0)
      continue;
    nedges++;
    const bv_sitem *b = box[e->ref];
    if (!b || !lu_on_border(b, e->pts[2 * e->npts - 2], e->pts[2 * e->npts - 1]))
      bad_edges++;
    /* and starts on its parent's box, unless it hangs from a block's spine */
    int par = t->nodes[e->ref].parent;
    if (e->npts > 2 && par >= 0 && box[par] && !lu_on_border(box[par], e->pts[0], e->pts[1]))
      bad_edges++;
  }
  CHECK_INT(bad_edges, 0);
  CHECK(nedges > 0 || t->n == 1);
  /* parents centred over their drawn children (tidy tree rows; blocks hang
     centred as a whole, checked through their spread) */
  int bad_centre = 0;
  for (size_t i = 0; i < t->n; i++) {
    const bv_tnode *x = &t->nodes[i];
    if (!x->nchildren || !box[i])
      continue;
    const bv_sitem *f = box[x->first_child], *l = box[x->first_child + x->nchildren - 1];
    if (!f || !l)
      continue;
    double pc = lr ? box[i]->y + box[i]->h / 2 : box[i]->x + box[i]->w / 2;
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t c = 0; c < x->nchildren; c++) {
      const bv_sitem *b = box[x->first_child + c];
      if (!b)
        continue;
      lo = fmin(lo, lr ? b->y : b->x);
      hi = fmax(hi, lr ? b->y + b->h : b->x + b->w);
    }
    double fc = lr ? f->y + f->h / 2 : f->x + f->w / 2;
    double lc = lr ? l->y + l->h / 2 : l->x + l->w / 2;
    int in_row = lr ? fabs(f->x - l->x) < EPS : fabs(f->y - l->y) < EPS;
    if (in_row ? fabs(pc - (fc + lc) / 2) > EPS : (pc < lo - EPS || pc > hi + EPS)) {
      if (bad_centre < 3)
        fprintf(stderr, "%s: node %zu not centred: %g vs %g..%g\n", what, i, pc, fc, lc);
      bad_centre++;
    }
  }
  CHECK_INT(bad_centre, 0);
  /* every label inside its box */
  int bad_label = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *tx = &s->items[i];
    if (tx->kind != BV_SI_TEXT || tx->ref < 0 || (size_t)tx->ref >= t->n || !box[tx->ref])
      continue;
    const bv_sitem *b = box[tx->ref];
    double x0 = lu_text_left(tx);
    if (x0 < b->x - EPS || x0 + tx->w > b->x + b->w + EPS || tx->y - tx->ascent < b->y - EPS ||
        tx->y - tx->ascent + tx->h > b->y + b->h + EPS)
      bad_label++;
  }
  CHECK_INT(bad_label, 0);
  free(box);
}

/* Options as a program starts from them (bv_emit_opts_init), then the
 * limits and an explicit direction (auto is tested on its own). */
static bv_emit_opts opts(int lr, unsigned mc, unsigned md)
{
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.left_right = lr;
  o.direction = lr ? BV_DIR_LR : BV_DIR_TD;
  o.max_children = mc;
  o.max_depth = md;
  return o;
}

static bv_scene *lay_info(const bv_tree *t, const bv_emit_opts *o, const bv_measure *m,
                          bv_emit_info *info)
{
  bv_scene *s = NULL;
  bv_model model = {.kind = BV_MODEL_TREE, .u.tree = (bv_tree *)t};
  int rc = bv_layout_tree_model(&model, o, m, &s, info);
  if (rc)
    fprintf(stderr, "layout failed: %s\n", bv_error_last());
  CHECK_INT(rc, 0);
  /* the CLI words the notes from bv_emit_info: the scene has none */
  CHECK(!s || s->note == NULL);
  return s;
}

static bv_scene *lay(const bv_tree *t, const bv_emit_opts *o, const bv_measure *m)
{
  return lay_info(t, o, m, NULL);
}

static const spec small[] = {
    {-1, BV_TN_ROOT, "demo_sup", NULL, "<0.90.0>", NULL},
    {0, BV_TN_WORKER, NULL, "Task", "<0.91.0>", NULL},
    {0, BV_TN_SUPERVISOR, "inner_sup", NULL, "<0.92.0>", NULL},
    {0, BV_TN_NOTSTARTED, NULL, "ignored_child", NULL, "undefined"},
    {2, BV_TN_WORKER, "Elixir.Agent-ish (name) with \"quotes\"", NULL, "<0.93.0>", NULL},
    {2, BV_TN_UNRESPONSIVE, "stuck_sup", NULL, "<0.94.0>", "timeout"},
    {2, BV_TN_WORKER, NULL, NULL, "<0.95.0>", NULL},
};

static void test_small(const bv_measure *fake, const bv_measure *real)
{
  bv_tree *t = mk_tree(small, sizeof small / sizeof *small, "demo_sup");
  bv_tedge links[] = {{4, 6}, {1, 5}};
  t->links = links;
  t->nlinks = 2;
  for (int lr = 0; lr < 2; lr++) {
    bv_emit_opts o = opts(lr, 12, 0);
    bv_scene *s = lay(t, &o, fake);
    if (!s)
      continue;
    check_tree_scene(s, t, lr, lr ? "small LR" : "small TD");
    CHECK(lu_golden(s, lr ? "tree_small_lr.txt" : "tree_small_td.txt"));
    /* the root has the thick stroke; classes as in Kino */
    const bv_sitem *r = box_of(s, 0);
    CHECK(r && strcmp(r->cls, "root") == 0 && r->line_width == 4);
    CHECK_STR(box_of(s, 2)->cls, "supervisor");
    CHECK_STR(box_of(s, 3)->cls, "notstarted");
    CHECK_STR(box_of(s, 5)->cls, "unresponsive");
    int nlinks = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_LINE && strcmp(s->items[i].cls, "link") == 0) {
        nlinks++;
        CHECK_INT(s->items[i].dash, BV_DASH_DOTTED);
      }
    CHECK_INT(nlinks, 2);
    bv_scene_free(s);
    s = lay(t, &o, real);
    if (s) {
      check_tree_scene(s, t, lr, "small real");
      CHECK(lu_render_all(s, lr ? "tree_small_lr" : "tree_small_td"));
      bv_scene_free(s);
    }
  }
  bv_tree_free(t);
}

static void test_random(const bv_measure *m)
{
  static const size_t sizes[] = {1, 2, 3, 7, 40, 200, 1000};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
    for (unsigned seed = 1; seed <= 5; seed++)
      for (int lr = 0; lr < 2; lr++) {
        bv_tree *t = random_tree(sizes[k], seed * 7919u + (unsigned)k, 1);
        bv_emit_opts o = opts(lr, 0, 0);
        bv_scene *s = lay(t, &o, m);
        if (s) {
          char what[64];
          snprintf(what, sizeof what, "random n=%zu seed=%u lr=%d", sizes[k], seed, lr);
          check_tree_scene(s, t, lr, what);
          bv_scene_free(s);
        }
        bv_tree_free(t);
      }
}

/* A supervisor with 2,000 workers: a block of columns, readable, not one
 * row 200,000 px wide; every child drawn with max_children 0. */
static void test_big_block(const bv_measure *m)
{
  size_t n = 2003;
  spec *sp = calloc(n, sizeof *sp);
  sp[0] = (spec){-1, BV_TN_ROOT, "big_sup", NULL, "<0.80.0>", NULL};
  sp[1] = (spec){0, BV_TN_SUPERVISOR, "pool_sup", NULL, "<0.81.0>", NULL};
  sp[2] = (spec){0, BV_TN_WORKER, "other_worker", NULL, "<0.82.0>", NULL};
  for (size_t i = 3; i < n; i++)
    sp[i] = (spec){1, BV_TN_WORKER, NULL, NULL, NULL, NULL};
  bv_tree *t = mk_tree(sp, n, "big");
  char pid[32];
  for (size_t i = 3; i < n; i++) {
    snprintf(pid, sizeof pid, "<0.%zu.0>", 100 + i);
    t->nodes[i].pid = bv_arena_strdup(t->arena, pid);
  }
  for (int lr = 0; lr < 2; lr++) {
    bv_emit_opts o = opts(lr, 0, 0);
    bv_emit_info info;
    memset(&info, 0, sizeof info);
    bv_scene *s = lay_info(t, &o, m, &info);
    if (!s)
      continue;
    CHECK_INT(info.nodes, n);
    CHECK_INT(info.folds, 0);
    CHECK(info.width == s->width && info.height == s->height);
    check_tree_scene(s, t, lr, "block");
    size_t boxes = 0;
    for (size_t i = 0; i < s->n; i++)
      boxes += s->items[i].kind == BV_SI_RECT;
    CHECK_INT(boxes, n);
    /* readable at natural size, within the PNG limit on both sides */
    CHECK(s->width < BV_PNG_MAX && s->height < BV_PNG_MAX);
    CHECK(s->width < 8 * s->height && s->height < 8 * s->width);
    if (!lr)
      CHECK(lu_render_all(s, "tree_2000"));
    bv_scene_free(s);
  }
  /* folding with the one default (max_children 12): 12 + one "... and K more"
     node, the same text as Mermaid's */
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  bv_scene *s = lay_info(t, &o, m, &info);
  if (s) {
    size_t boxes = 0, folded = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_RECT) {
        boxes++;
        if (strcmp(s->items[i].cls, "folded") == 0)
          folded++;
      }
    CHECK_INT(boxes, 3 + 12 + 1);
    CHECK_INT(folded, 1);
    int found = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_TEXT && s->items[i].text &&
          strcmp(s->items[i].text, "... and 1988 more workers") == 0)
        found = 1;
    CHECK(found);
    CHECK_INT(info.folds, 1);
    CHECK_INT(info.hidden_siblings, 1988);
    CHECK_INT(info.hidden_below, 0);
    CHECK_INT(info.max_children, 12);
    bv_scene_free(s);
  }
  /* max_depth 1: the pool's children become "2000 more below" */
  o = opts(0, 0, 1);
  s = lay(t, &o, m);
  if (s) {
    int found = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_TEXT && s->items[i].text &&
          strcmp(s->items[i].text, "2000 more below") == 0)
        found = 1;
    CHECK(found);
    bv_scene_free(s);
  }
  bv_tree_free(t);
  free(sp);
}

/* A deep chain (no recursion anywhere) and long labels (ellipsis). */
static void test_deep_and_long(const bv_measure *m)
{
  size_t n = 3000;
  spec *sp = calloc(n, sizeof *sp);
  sp[0] = (spec){-1, BV_TN_ROOT, "r", NULL, NULL, NULL};
  for (size_t i = 1; i < n; i++)
    sp[i] = (spec){(int)i - 1, BV_TN_SUPERVISOR, "s", NULL, NULL, NULL};
  bv_tree *t = mk_tree(sp, n, "chain");
  bv_emit_opts o = opts(1, 12, 0);
  bv_scene *s = lay(t, &o, m);
  if (s) {
    CHECK_INT(lu_overlaps(s, BV_SI_RECT, NULL, 1), 0);
    bv_scene_free(s);
  }
  bv_tree_free(t);
  free(sp);

  char longname[600];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  spec two[] = {{-1, BV_TN_ROOT, longname, NULL, NULL, NULL},
                {0, BV_TN_WORKER, "caf\xC3\xA9 \xE2\x9C\x93 bad:\xFF", NULL, NULL, NULL}};
  t = mk_tree(two, 2, "long");
  o = opts(0, 12, 0);
  s = lay(t, &o, m);
  if (s) {
    check_tree_scene(s, t, 0, "long");
    const bv_sitem *lab = NULL;
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_TEXT && s->items[i].ref == 0)
        lab = &s->items[i];
    /* the image shortens the label to its width and keeps the whole name
       (not Mermaid's 80-byte cut) for the hover title */
    CHECK(lab && lab->full && strcmp(lab->full, longname) == 0);
    CHECK(lab && lab->w <= 320 + EPS);
    CHECK(lab && strstr(lab->text, "\xE2\x80\xA6") != NULL);
    CHECK(lu_render_all(s, "tree_long"));
    bv_scene_free(s);
  }
  bv_tree_free(t);
}

/* Bad models are errors, not crashes. */
static void test_bad(const bv_measure *m)
{
  bv_tree t = {0};
  bv_scene *s = NULL;
  bv_emit_opts o = opts(0, 12, 0);
  bv_model model = {.kind = BV_MODEL_TREE, .u.tree = &t};
  CHECK_INT(bv_layout_tree_model(&model, &o, m, &s, NULL), BV_EINVAL);
  bv_tnode nodes[2] = {{0}};
  nodes[0].parent = -1;
  nodes[0].first_child = 1;
  nodes[0].nchildren = 5; /* past the end */
  t.n = 2;
  t.nodes = nodes;
  CHECK_INT(bv_layout_tree_model(&model, &o, m, &s, NULL), BV_EINVAL);
  nodes[0].nchildren = 1;
  nodes[1].parent = 0;
  nodes[1].first_child = 0; /* a cycle back to the root */
  nodes[1].nchildren = 1;
  CHECK_INT(bv_layout_tree_model(&model, &o, m, &s, NULL), BV_EINVAL);
  CHECK(s == NULL);
  bv_model other = {.kind = BV_MODEL_TRACE};
  CHECK_INT(bv_layout_tree_model(&other, &o, m, &s, NULL), BV_EINVAL);
}

/* What was folded is counted in info (the CLI words the note): 39 workers
 * under one root, 12 shown, 27 in one fold; nothing folded without a limit. */
static void test_fold_counts(const bv_measure *m)
{
  size_t n = 40;
  spec *sp = calloc(n, sizeof *sp);
  sp[0] = (spec){-1, BV_TN_ROOT, "top", NULL, NULL, NULL};
  for (size_t i = 1; i < n; i++)
    sp[i] = (spec){0, BV_TN_WORKER, "w", NULL, NULL, NULL};
  bv_tree *t = mk_tree(sp, n, "folds");
  bv_emit_opts o = opts(0, 12, 0);
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  bv_scene *s = lay_info(t, &o, m, &info);
  CHECK(s != NULL);
  CHECK_INT(info.nodes, 40);
  CHECK_INT(info.hidden_siblings + info.hidden_below, 27);
  CHECK_INT(info.folds, 1);
  bv_scene_free(s);
  o.max_children = 0;
  memset(&info, 0, sizeof info);
  s = lay_info(t, &o, m, &info);
  CHECK(s != NULL);
  CHECK_INT(info.hidden_siblings + info.hidden_below, 0);
  CHECK_INT(info.folds, 0);
  bv_scene_free(s);
  bv_tree_free(t);
  free(sp);
}

/* A root over ns supervisors of nl workers each, named as a real
 * application's (names and pids in the tree's arena). */
static bv_tree *sups_of_leaves(size_t ns, size_t nl)
{
  size_t n = 1 + ns + ns * nl;
  spec *sp = calloc(n, sizeof *sp);
  sp[0] = (spec){-1, BV_TN_ROOT, "big_app_sup", NULL, "<0.80.0>", NULL};
  for (size_t i = 0; i < ns; i++)
    sp[1 + i] = (spec){0, BV_TN_SUPERVISOR, NULL, NULL, NULL, NULL};
  for (size_t i = 0; i < ns * nl; i++)
    sp[1 + ns + i] = (spec){(int)(1 + i / nl), BV_TN_WORKER, NULL, NULL, NULL, NULL};
  bv_tree *t = mk_tree(sp, n, "wide");
  free(sp);
  char buf[48];
  for (size_t i = 1; i < n; i++) {
    if (i <= ns) {
      snprintf(buf, sizeof buf, "conn_sup_%zu", i - 1);
      t->nodes[i].name = bv_arena_strdup(t->arena, buf);
    } else {
      snprintf(buf, sizeof buf, "worker_%zu", (i - 1 - ns) % nl);
      t->nodes[i].child_id = bv_arena_strdup(t->arena, buf);
    }
    snprintf(buf, sizeof buf, "<0.%zu.0>", 100 + i);
    t->nodes[i].pid = bv_arena_strdup(t->arena, buf);
  }
  return t;
}

/* Whether a scene of t was drawn left to right: the root's first child is to
 * its right. */
static int drawn_lr(const bv_scene *s, const bv_tree *t)
{
  const bv_sitem *r = box_of(s, 0), *c = box_of(s, (int32_t)t->nodes[0].first_child);
  return r && c && c->x >= r->x + r->w;
}

/* The default direction (auto) on t with max_children mc: no wider than 3
 * times the height, nor taller than 3 times the width, and a valid tree
 * drawing in the direction it picked. Returns that direction. */
static int check_auto(const bv_tree *t, unsigned mc, const bv_measure *m, const char *what)
{
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  CHECK_INT(o.direction, BV_DIR_AUTO);
  o.max_children = mc;
  bv_scene *s = lay(t, &o, m);
  if (!s)
    return -1;
  fprintf(stderr, "note: %s, auto: %.0f x %.0f px\n", what, s->width, s->height);
  CHECK(s->width <= 3 * s->height);
  CHECK(s->height <= 3 * s->width);
  int lr = drawn_lr(s, t);
  check_tree_scene(s, t, lr, what);
  bv_scene_free(s);
  return lr;
}

/* The width rule: a real wide tree (24 supervisors of 16 workers; a
 * supervisor of 2,000 workers) comes out no wider than 3 times its height by
 * default; TD and LR asked for are drawn as asked; a tree that fits top-down
 * is drawn exactly as TD draws it. */
static void test_auto_width(const bv_measure *fake, const bv_measure *real)
{
  bv_tree *t = sups_of_leaves(24, 16);
  check_auto(t, 12, real, "24 x 16, max_children 12");
  check_auto(t, 0, real, "24 x 16, max_children 0");
  check_auto(t, 12, fake, "24 x 16 (fake), max_children 12");
  bv_emit_opts o = opts(0, 12, 0);
  bv_scene *s = lay(t, &o, real);
  if (s) {
    /* TD asked for: one row of 12 subtrees of 13 boxes, far wider */
    CHECK(s->width > 10 * s->height);
    CHECK(!drawn_lr(s, t));
    bv_scene_free(s);
  }
  o = opts(1, 12, 0);
  s = lay(t, &o, real);
  if (s) {
    CHECK(drawn_lr(s, t));
    bv_scene_free(s);
  }
  bv_tree_free(t);
  t = sups_of_leaves(1, 2000);
  check_auto(t, 0, real, "2,000 workers, max_children 0");
  check_auto(t, 12, real, "2,000 workers, max_children 12");
  bv_tree_free(t);
  t = sups_of_leaves(3, 500);
  check_auto(t, 0, real, "3 x 500, max_children 0");
  bv_tree_free(t);
  /* the small tree fits top-down: auto draws the TD golden */
  t = mk_tree(small, sizeof small / sizeof *small, "demo_sup");
  bv_tedge links[] = {{4, 6}, {1, 5}};
  t->links = links;
  t->nlinks = 2;
  bv_emit_opts_init(&o);
  s = lay(t, &o, fake);
  if (s) {
    CHECK(lu_golden(s, "tree_small_td.txt"));
    bv_scene_free(s);
  }
  t->links = NULL;
  t->nlinks = 0;
  bv_tree_free(t);
}

int main(void)
{
  bv_measure fake, real;
  bv_fake_measure(&fake);
  if (!lu_measure(&real))
    fprintf(stderr, "note: DejaVu Sans not installed, using the fake measurer\n");
  test_small(&fake, &real);
  test_random(&fake);
  test_random(&real);
  test_big_block(&real);
  test_auto_width(&fake, &real);
  test_deep_and_long(&real);
  test_bad(&fake);
  test_fold_counts(&fake);
  if (real.fn != fake.fn)
    bv_cairo_measure_close(&real);
  return check_report();
}
