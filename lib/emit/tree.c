/* emit/tree.c: a supervision tree as a Mermaid flowchart, always within
 * Mermaid's default limits. */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* Mermaid's defaults (MERMAID.md): 500 edges do not render, more than 50,000
 * characters render as an error picture. */
#define MMD_MAX_EDGES 499
#define MMD_MAX_CHARS 50000

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
