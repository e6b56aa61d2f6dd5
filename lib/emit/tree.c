/* emit/tree.c: a supervision tree as a Mermaid flowchart drawn from its view
 * (view/tree.c), always within Mermaid's default limits. */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* Mermaid's defaults (MERMAID.md): 500 edges do not render, more than 50,000
 * characters render as an error picture. */
#define MMD_MAX_EDGES 499
#define MMD_MAX_CHARS 50000

/* Mermaid's own default for the links drawn (BV_LINKS_DEFAULT): links between
 * members are edges to its layout, so a Registry partition linked to the
 * processes registered under it pulls their supervisors out of their level;
 * without them its render keeps the supervision levels as the image does. */
#define MMD_LINKS_DEFAULT BV_LINKS_NONE

/* --- Mermaid ---------------------------------------------------------------- */

static const char mmd_classes[] =
    "  classDef root fill:#c4b5fd,stroke:#374151,stroke-width:4px\n"
    "  classDef supervisor fill:#c4b5fd,stroke:#374151,stroke-width:1px\n"
    "  classDef worker fill:#66c2a5,stroke:#374151,stroke-width:1px\n"
    "  classDef notstarted color:#777,fill:#d9d9d9,stroke:#777,stroke-width:1px\n"
    "  classDef unresponsive fill:#fca5a5,stroke:#b91c1c,stroke-width:2px\n"
    "  classDef external fill:#ffffff,stroke:#374151,stroke-width:1px,stroke-dasharray:3 3\n"
    "  classDef folded fill:#f3f4f6,stroke:#9ca3af,stroke-width:1px,stroke-dasharray:2 2\n";

/* Mermaid's render, estimated: a box per label (about 8 px a character at its
 * 16 px font, 24 px a line, padding), ranks 50 px apart and neighbours 50 px
 * apart, as its flowchart defaults. */
#define MMD_CHAR_W 8.0
#define MMD_LINE_H 24.0
#define MMD_PAD 30.0
#define MMD_SEP 50.0
#define MMD_MAX_ASPECT 3.0

/* 1 when BV_DIR_AUTO draws v left to right: top-down is wider than
 * MMD_MAX_ASPECT times its height and left to right is narrower for its
 * height. Levels of the estimate are the view's depths. */
static int mmd_auto_lr(const bv_tree_view *v)
{
  const bv_tree *s = v->tree;
  size_t n = s->n;
  uint32_t *depth = calloc(n, sizeof *depth);
  if (!depth)
    return 0; /* the estimate only picks a direction: top-down is always valid */
  uint32_t maxd = 0;
  for (size_t i = 1; i < n; i++) {
    depth[i] = depth[s->nodes[i].parent] + 1;
    if (depth[i] > maxd)
      maxd = depth[i];
  }
  /* per level: the sum and the largest of widths and heights */
  double *sw = calloc(4 * ((size_t)maxd + 1), sizeof *sw);
  if (!sw) {
    free(depth);
    return 0;
  }
  double *mw = sw + maxd + 1, *sh = mw + maxd + 1, *mh = sh + maxd + 1;
  for (size_t i = 0; i < n; i++) {
    size_t lines = 1, line = 0, widest = 0;
    for (const char *p = v->label[i]; *p; p++) {
      if (*p == '\n') {
        lines++;
        line = 0;
      } else if (((unsigned char)*p & 0xC0) != 0x80 && ++line > widest) {
        widest = line;
      }
    }
    double w = widest * MMD_CHAR_W + MMD_PAD, h = lines * MMD_LINE_H + MMD_PAD;
    uint32_t d = depth[i];
    sw[d] += w + (sw[d] > 0 ? MMD_SEP : 0);
    sh[d] += h + (sh[d] > 0 ? MMD_SEP : 0);
    if (w > mw[d])
      mw[d] = w;
    if (h > mh[d])
      mh[d] = h;
  }
  double td_w = 0, td_h = 0, lr_w = 0, lr_h = 0;
  for (uint32_t d = 0; d <= maxd; d++) {
    td_w = sw[d] > td_w ? sw[d] : td_w;
    td_h += mh[d] + (d ? MMD_SEP : 0);
    lr_w += mw[d] + (d ? MMD_SEP : 0);
    lr_h = sh[d] > lr_h ? sh[d] : lr_h;
  }
  free(sw);
  free(depth);
  return td_w > MMD_MAX_ASPECT * td_h && lr_w * td_h < td_w * lr_h ? 1 : 0;
}

/* Writes the view v; counts edges. pre: a prefix of every id and the body of
 * a subgraph (a direction line, no header, no classes), or NULL: a whole
 * flowchart. */
static int mmd_write(bv_buf *b, const bv_tree_view *v, int with_links, const char *pre,
                     size_t *edges)
{
  const bv_tree *s = v->tree;
  const char *p = pre ? pre : "";
  *edges = 0;
  if (pre)
    bv_buf_printf(b, "    direction %s\n", v->left_right ? "LR" : "TB");
  else
    bv_buf_printf(b, "graph %s\n", v->left_right ? "LR" : "TD");
  for (size_t i = 0; i < s->n; i++) {
    bv_buf_printf(b, "  %s%sn%zu[\"", pre ? "  " : "", p, i);
    bv_mmd_escape(b, v->label[i], strlen(v->label[i]));
    bv_buf_printf(b, "\"]:::%s\n", v->cls[i]);
  }
  for (size_t i = 1; i < s->n; i++) {
    const bv_tnode *nd = &s->nodes[i];
    bv_buf_printf(b, "  %s%sn%d %s %sn%zu\n", pre ? "  " : "", p, nd->parent,
                  nd->kind == BV_TN_EXTERNAL ? "-.-" : "-->", p, i);
    (*edges)++;
  }
  if (with_links)
    for (size_t l = 0; l < s->nlinks; l++) {
      bv_buf_printf(b, "  %s%sn%u -.- %sn%u\n", pre ? "  " : "", p, s->links[l].a, p,
                    s->links[l].b);
      (*edges)++;
    }
  if (!pre)
    bv_buf_puts(b, mmd_classes);
  return b->failed ? BV_ENOMEM : 0;
}

/* One try at writing t with limits (mc, md): the text (in text), the view's
 * counts and whether it is within Mermaid's limits. */
typedef struct mmd_try {
  const bv_tree *t;
  bv_emit_opts o;
  bv_buf text;
  bv_emit_info info;
  unsigned depth;         /* levels below the root in the model */
  size_t edges;
  int with_links, fits;
  const char *pre;        /* a subgraph's id prefix, or NULL (mmd_write) */
  size_t max_edges, max_chars;
} mmd_try;

static int mmd_attempt(mmd_try *m, unsigned mc, unsigned md)
{
  bv_tree_view *v = NULL;
  int rc;
  m->o.max_children = mc;
  m->o.max_depth = md;
  if ((rc = bv_tree_view_make(m->t, &m->o, &v)))
    return rc;
  memset(&m->info, 0, sizeof m->info);
  bv_tree_view_info(v, &m->info);
  m->depth = v->depth;
  if (m->o.direction == BV_DIR_AUTO && !v->left_right)
    v->left_right = mmd_auto_lr(v);
  m->text.len = 0;
  rc = mmd_write(&m->text, v, m->with_links, m->pre, &m->edges);
  bv_tree_view_free(v);
  m->fits = !rc && m->edges <= m->max_edges && m->text.len <= m->max_chars;
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

/* The Mermaid text of t (fenced when md_fence) appended to b; info, and the
 * edges and characters of the flowchart written (fence not counted). */
static int mmd_tree(bv_buf *b, const bv_tree *t, const bv_emit_opts *o, int md_fence,
                    const char *pre, size_t max_edges, size_t max_chars,
                    bv_emit_info *info, size_t *edges, size_t *chars)
{
  if (!o)
    return bv_error_set(BV_EINVAL, "supervision tree: no options");
  mmd_try m;
  memset(&m, 0, sizeof m);
  m.t = t;
  m.pre = pre;
  m.max_edges = max_edges;
  m.max_chars = max_chars;
  m.o = *o;
  if (m.o.links == BV_LINKS_DEFAULT)
    m.o.links = MMD_LINKS_DEFAULT;
  m.with_links = 1;
  bv_buf_init(&m.text);
  unsigned mc = o->max_children, md = o->max_depth;
  /* Tighten until it fits: fewer siblings (halving, down to 2), then the
     deepest level count that fits, then without dotted links (again the
     deepest that fits), then one child each. The last always fits: the root,
     one child and two folded nodes. */
  int rc = mmd_attempt(&m, mc, md), reduced = 0, found = 0;
  if (!rc && md >= m.depth)
    md = 0; /* folds nothing either way */
  while (!rc && !m.fits && (mc == 0 || mc > 2)) {
    mc = mc == 0 ? 64 : mc / 2 > 2 ? mc / 2 : 2;
    reduced = 1;
    rc = mmd_attempt(&m, mc, md);
  }
  unsigned hi = md ? md - 1 : m.depth ? m.depth - 1 : 0;
  if (!rc && !m.fits) {
    reduced = 1;
    rc = mmd_deepest(&m, mc, hi, &md, &found);
  }
  if (!rc && !found && !m.fits && t->nlinks && m.o.links != BV_LINKS_NONE) {
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
    m.info.reduced = reduced;
    m.info.links_dropped = !m.with_links;
    if (info)
      *info = m.info;
    *edges = m.edges;
    *chars = m.text.len;
    if (md_fence)
      bv_buf_puts(b, "```mermaid\n");
    bv_buf_put(b, m.text.data ? m.text.data : "", m.text.len);
    if (md_fence)
      bv_buf_puts(b, "```\n");
    rc = b->failed ? bv_error_set(BV_ENOMEM, "out of memory writing Mermaid") : 0;
  }
  bv_buf_dispose(&m.text);
  return rc;
}

/* A cluster's trees: one subgraph per node asked, titled with its name, ids
 * prefixed "cI_"; a node that does not run the application or failed is one
 * box saying so. The flowchart is top-down so the subgraphs, connected by no
 * edge, sit side by side on its first rank; each keeps its tree's own
 * direction inside ("direction TB|LR"). Each running node's tree gets an equal share of Mermaid's
 * limits (what the header, the subgraph lines and the classes take set
 * aside) and is folded into it as one node's tree is into the whole. info
 * sums the nodes and folds, and the widest limits used. */
static int mmd_cluster(bv_buf *b, const bv_tree *t, const bv_emit_opts *o, int md_fence,
                       bv_emit_info *info)
{
  size_t running = 0, names = 0;
  for (size_t i = 0; i < t->ntrees; i++) {
    running += !t->cnodes[i].code && t->trees[i].n;
    names += strlen(t->cnodes[i].node) * 6 + 200 +
             (t->cnodes[i].reason ? strlen(t->cnodes[i].reason) * 6 : 0);
  }
  size_t fixed = sizeof mmd_classes + 64 + names;
  if (fixed >= MMD_MAX_CHARS || (running && MMD_MAX_EDGES / running < 1))
    return bv_error_set(BV_EINVAL, "%zu nodes' trees do not fit in Mermaid's limits",
                        t->ntrees);
  size_t share_e = running ? MMD_MAX_EDGES / running : 0;
  size_t share_c = running ? (MMD_MAX_CHARS - fixed) / running : 0;
  if (md_fence)
    bv_buf_puts(b, "```mermaid\n");
  bv_buf_puts(b, "graph TD\n");
  int rc = 0;
  for (size_t i = 0; i < t->ntrees && !rc; i++) {
    const bv_node_result *r = &t->cnodes[i];
    bv_buf_printf(b, "  subgraph c%zu[\"", i);
    bv_mmd_escape(b, r->node, strlen(r->node));
    bv_buf_puts(b, "\"]\n");
    if (r->code || !t->trees[i].n) {
      bv_buf_printf(b, "    c%zu_none[\"", i);
      if (r->code) {
        bv_buf_puts(b, "not collected: ");
        bv_mmd_escape(b, r->reason ? r->reason : "?", strlen(r->reason ? r->reason : "?"));
      } else if (r->reason) {
        bv_mmd_escape(b, r->reason, strlen(r->reason));
      } else {
        bv_buf_puts(b, "not running ");
        bv_mmd_escape(b, t->title ? t->title : "?", strlen(t->title ? t->title : "?"));
      }
      bv_buf_printf(b, "\"]:::%s\n", r->code ? "unresponsive" : "notstarted");
    } else {
      char pre[32];
      snprintf(pre, sizeof pre, "c%zu_", i);
      bv_emit_info fi;
      memset(&fi, 0, sizeof fi);
      size_t edges = 0, chars = 0;
      rc = mmd_tree(b, &t->trees[i], o, 0, pre, share_e, share_c, &fi, &edges, &chars);
      if (!rc && info) {
        bv_tree_info_add(info, &fi);
        info->reduced |= fi.reduced;
        info->links_dropped |= fi.links_dropped;
      }
    }
    bv_buf_puts(b, "  end\n");
  }
  if (rc)
    return rc;
  bv_buf_puts(b, mmd_classes);
  if (md_fence)
    bv_buf_puts(b, "```\n");
  return b->failed ? bv_error_set(BV_ENOMEM, "out of memory writing Mermaid") : 0;
}

int bv_emit_tree_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                         bv_emit_info *info)
{
  if (!m || m->kind != BV_MODEL_TREE)
    return bv_error_set(BV_EINVAL, "not a supervision tree");
  if (fmt != BV_FMT_MERMAID && fmt != BV_FMT_MD)
    return bv_error_set(BV_EINVAL, "a supervision tree is written as Mermaid here, not %s",
                        bv_format_name(fmt));
  bv_buf b;
  bv_buf_init(&b);
  bv_emit_info fi;
  memset(&fi, 0, sizeof fi);
  size_t edges = 0, chars = 0;
  int rc = m->u.tree->ntrees
               ? mmd_cluster(&b, m->u.tree, o, fmt == BV_FMT_MD, &fi)
               : mmd_tree(&b, m->u.tree, o, fmt == BV_FMT_MD, NULL, MMD_MAX_EDGES,
                          MMD_MAX_CHARS, &fi, &edges, &chars);
  if (!rc)
    rc = bv_out_buf(out, &b);
  if (!rc && info) {
    info->nodes = fi.nodes;
    info->hidden_siblings = fi.hidden_siblings;
    info->hidden_below = fi.hidden_below;
    info->folds = fi.folds;
    info->max_children = fi.max_children;
    info->max_depth = fi.max_depth;
    info->reduced = fi.reduced;
    info->links_dropped = fi.links_dropped;
  }
  bv_buf_dispose(&b);
  return rc;
}
