/* layout/tree.c: supervision trees as a tidy tree, top-down or left-right,
 * drawn from the tree view (view/tree.c): the same shown nodes, fold nodes
 * and label texts as the Mermaid output.
 *
 * Walker's algorithm with Buchheim, Jünger and Leipert's linear-time fix
 * ("Improving Walker's Algorithm to Run in Linear Time", 2002), with boxes of
 * different sizes: the distance between two neighbours on a level is half
 * of each one's breadth plus a gap. Levels are aligned; a level is as deep as
 * its deepest box. Nothing recurses: nodes are kept in breadth-first order,
 * so walking the array backwards visits children before parents.
 *
 * A node with many leaf children (a simple_one_for_one with 2,000 workers)
 * gets them as a block of columns hanging from a bus ("comb"), not as one
 * row 200,000 pixels wide: the image stays readable at its natural size.
 *
 * With BV_DIR_AUTO the layout tries, in order: top-down; top-down with every
 * row of more than WRAP_MIN leaf siblings wrapped into a block, first about
 * 1.5 times as wide as tall, then narrower, then one column; left to right,
 * then with its leaf rows wrapped. It keeps the first drawing no wider than
 * MAX_ASPECT times its height, else the least wide for its height. Every
 * label is measured once for all the candidates, and each candidate is laid
 * out "dry" (its size computed, nothing drawn): only the chosen one becomes a
 * scene. */
#include "layout/scene_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAD_X 10.0      /* text to box edge */
#define PAD_Y 7.0
#define SIB_GAP 16.0    /* between neighbouring boxes on a level */
#define SUB_GAP 28.0    /* between neighbouring subtrees (not siblings) */
#define LEVEL_GAP_TD 48.0
#define LEVEL_GAP_LR 64.0
#define MARGIN 20.0
#define BLOCK_TD 24     /* more leaf children than this: a block of columns */
#define BLOCK_LR 48
#define SPINE 16.0      /* room left of each block column for its spine */
#define COL_GAP 14.0
#define ROW_GAP 8.0
#define BUS 16.0        /* band above a block for its bus */
#define WRAP_MIN 4      /* auto: more leaf children than this may be wrapped */
#define MAX_ASPECT 3.0  /* auto: width at most this many times the height */
#define AIM_ASPECT 1.5  /* auto: of the shapes that fit, the nearest to this */

/* One measured line of a label: the text drawn (shortened to the box's width
 * if need be), its whole text when shortened, and its metrics. */
typedef struct lline {
  const char *shown, *full;
  bv_text_metrics tm;
} lline;

/* The measured label box of one of the view's nodes; the same in every
 * candidate layout. */
typedef struct lbox {
  const lline *lines;
  uint32_t nlines;
  double bw, bh;
} lbox;

typedef struct ln {
  int32_t vi;             /* index in the view's shown tree, -1 for a block */
  int32_t ref;            /* index in the model's nodes, -1 for folds and blocks */
  bv_tnode_kind kind;
  const lline *lines;     /* the view's label, measured, one a line */
  uint32_t nlines;
  int32_t parent;
  uint32_t first, nch;    /* tidy-tree children: kids[first .. +nch) */
  uint32_t depth;
  uint32_t number;        /* position among siblings */
  int role;               /* 0 normal, 1 block pseudo-node, 2 member of a block */
  uint32_t bfirst, bn;    /* block pseudo-node: its members kids[bfirst .. +bn) */
  uint32_t cols, rows;    /* block grid */
  double cw, chh;         /* block cell: widest member, tallest member */
  double bw, bh;          /* box (or block) width and height */
  double bsz, dsz;        /* breadth and depth along the layout axes */
  double prelim, mod, shift, change, mid, acc;
  int32_t thread, anc;
  double x, y;            /* final top-left corner */
} ln;

typedef struct lt {
  const bv_tree_view *view;
  const bv_tree *t;       /* the view's shown tree */
  int dark;
  const lbox *boxes;      /* the measured labels, by view index */
  bv_scene *s;            /* NULL when dry: only the size is computed */
  double extw, exth;      /* dry: the far edges of everything drawn */
  ln *v;
  size_t n, cap;
  uint32_t *kids;
  size_t nkids, kcap;
  int lr;
  unsigned block_min;     /* more leaf children than this: a block */
  double block_aspect;    /* a block's width over its height (0: one column) */
  double fs;
} lt;

static int push_node(lt *L, int32_t vi, bv_tnode_kind kind, int32_t parent, uint32_t depth)
{
  if (L->n == L->cap) {
    size_t cap = L->cap ? L->cap * 2 : 64;
    ln *p = realloc(L->v, cap * sizeof *p);
    if (!p)
      return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
    L->v = p;
    L->cap = cap;
  }
  ln *x = &L->v[L->n];
  memset(x, 0, sizeof *x);
  x->vi = vi;
  x->ref = vi >= 0 ? L->view->model[vi] : -1;
  x->kind = kind;
  x->parent = parent;
  x->depth = depth;
  x->thread = -1;
  x->anc = (int32_t)L->n;
  L->n++;
  return 0;
}

static int push_kid(lt *L, uint32_t k)
{
  if (L->nkids == L->kcap) {
    size_t cap = L->kcap ? L->kcap * 2 : 64;
    uint32_t *p = realloc(L->kids, cap * sizeof *p);
    if (!p)
      return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
    L->kids = p;
    L->kcap = cap;
  }
  L->kids[L->nkids++] = k;
  return 0;
}

/* --- labels -------------------------------------------------------------- */

/* Height of the text of a box of n lines: the first line, then smaller ones. */
static double text_height(double fs, uint32_t n)
{
  double lh = fs * 1.25;
  return lh + (n > 1 ? (n - 1) * lh * 0.9 : 0);
}

/* Measures the view's uncut label of every node, split into lines, each
 * shortened to maxw when drawn (its whole text kept for the hover title),
 * and sizes its box. Strings live in a's arena. */
static int measure_labels(const bv_tree_view *v, double fs, double maxw, const bv_measure *m,
                          bv_scene *a, lbox **out)
{
  const bv_tree *t = v->tree;
  lbox *bx = bv_arena_alloc(a->arena, (t->n ? t->n : 1) * sizeof *bx);
  if (!bx)
    return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
  for (size_t q = 0; q < t->n; q++) {
    const char *label = v->full[q];
    uint32_t n = 1;
    for (const char *p = label; *p; p++)
      n += *p == '\n';
    lline *ls = bv_arena_alloc(a->arena, n * sizeof *ls);
    if (!ls)
      return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
    uint32_t k = 0;
    double w = 0;
    for (const char *p = label;; k++) {
      const char *nl = strchr(p, '\n');
      size_t len = nl ? (size_t)(nl - p) : strlen(p);
      char *line = bv_arena_strndup(a->arena, p, len);
      if (!line)
        return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
      int rc = sc_fit(a, m, line, k ? fs * 0.85 : fs, 0, maxw, &ls[k].shown, &ls[k].full,
                      &ls[k].tm);
      if (rc)
        return rc;
      if (ls[k].tm.width > w)
        w = ls[k].tm.width;
      if (!nl)
        break;
      p = nl + 1;
    }
    bx[q].lines = ls;
    bx[q].nlines = k + 1;
    bx[q].bw = ceil(w + 2 * PAD_X);
    if (bx[q].bw < 40)
      bx[q].bw = 40;
    bx[q].bh = ceil(text_height(fs, k + 1) + 2 * PAD_Y);
  }
  *out = bx;
  return 0;
}

static void size_box(lt *L, ln *x)
{
  const lbox *b = &L->boxes[x->vi];
  x->lines = b->lines;
  x->nlines = b->nlines;
  x->bw = b->bw;
  x->bh = b->bh;
  x->bsz = L->lr ? x->bh : x->bw;
  x->dsz = L->lr ? x->bw : x->bh;
}

/* What is drawn: into the scene, or when dry only the far edges. */
static int rect(lt *L, const char *cls, double x, double y, double w, double h, double r,
                bv_color fill, bv_color stroke, double lw, bv_dash dash, int32_t ref)
{
  if (L->s)
    return sc_rect(L->s, cls, x, y, w, h, r, fill, stroke, lw, dash, ref);
  L->extw = fmax(L->extw, x + w);
  L->exth = fmax(L->exth, y + h);
  return 0;
}

static int line(lt *L, const char *cls, const double *pts, size_t npts, bv_color stroke,
                double lw, bv_dash dash, bv_arrow arrow, int32_t ref)
{
  if (L->s)
    return sc_line(L->s, cls, pts, npts, stroke, lw, dash, arrow, ref);
  for (size_t k = 0; k < npts; k++) {
    L->extw = fmax(L->extw, pts[2 * k]);
    L->exth = fmax(L->exth, pts[2 * k + 1]);
  }
  return 0;
}

/* A label line, measured and shortened already (sc_text without measuring
 * again). */
static int text(lt *L, const char *cls, double x, double y, double size, bv_color color,
                const lline *ll, int32_t ref)
{
  bv_sitem it = {0};
  it.kind = BV_SI_TEXT;
  it.cls = cls;
  it.x = x;
  it.y = y;
  it.w = ll->tm.width;
  it.h = ll->tm.ascent + ll->tm.descent;
  it.ascent = ll->tm.ascent;
  it.anchor = BV_ANCHOR_MIDDLE;
  it.size = size;
  it.bold = 0;
  it.fill = color;
  it.text = ll->shown;
  it.full = ll->full;
  it.ref = ref;
  return bv_scene_add(L->s, &it);
}

/* --- the drawn tree: the view's shown tree, node for node ------------------ */

static int build(lt *L)
{
  const bv_tree *t = L->t;
  int rc;
  for (size_t i = 0; i < t->n; i++) {
    int p = t->nodes[i].parent;
    if ((rc = push_node(L, (int32_t)i, t->nodes[i].kind, i ? p : -1,
                        i ? L->v[p].depth + 1 : 0)))
      return rc;
  }
  /* children are contiguous in the view; their layout nodes have the same
     indices */
  for (size_t q = 0; q < t->n; q++) {
    const bv_tnode *tn = &t->nodes[q];
    L->v[q].first = (uint32_t)L->nkids;
    L->v[q].nch = tn->nchildren;
    for (uint32_t c = 0; c < tn->nchildren; c++)
      if ((rc = push_kid(L, tn->first_child + c)))
        return rc;
  }
  return 0;
}

/* Turns every node whose (many) children are all leaves into a node with one
 * block pseudo-child that holds them. */
static int make_blocks(lt *L)
{
  size_t n0 = L->n;
  unsigned limit = L->block_min;
  for (size_t q = 0; q < n0; q++) {
    ln *x = &L->v[q];
    if (x->nch <= limit || x->role)
      continue;
    int leaves = 1;
    for (uint32_t c = 0; c < x->nch && leaves; c++)
      leaves = L->v[L->kids[x->first + c]].nch == 0;
    if (!leaves)
      continue;
    uint32_t bfirst = x->first, bn = x->nch, depth = x->depth + 1;
    int rc = push_node(L, -1, BV_TN_WORKER, (int32_t)q, depth);
    if (rc || (rc = push_kid(L, (uint32_t)(L->n - 1))))
      return rc;
    x = &L->v[q]; /* push_node may have moved the array */
    ln *b = &L->v[L->n - 1];
    b->role = 1;
    b->bfirst = bfirst;
    b->bn = bn;
    x->first = (uint32_t)L->nkids - 1;
    x->nch = 1;
    double cw = 0, chh = 0;
    for (uint32_t c = 0; c < bn; c++) {
      ln *k = &L->v[L->kids[bfirst + c]];
      k->role = 2;
      if (k->bw > cw)
        cw = k->bw;
      if (k->bh > chh)
        chh = k->bh;
    }
    /* columns so the block is about block_aspect times as wide as tall */
    double cellw = SPINE + cw + COL_GAP, cellh = chh + ROW_GAP;
    uint32_t cols = (uint32_t)ceil(sqrt(L->block_aspect * bn * cellh / cellw));
    if (cols < 1)
      cols = 1;
    if (cols > bn)
      cols = bn;
    uint32_t rows = (bn + cols - 1) / cols;
    cols = (bn + rows - 1) / rows;
    b->cols = cols;
    b->rows = rows;
    b->cw = cw;
    b->chh = chh;
    b->bw = cols * cellw - COL_GAP;
    b->bh = BUS + rows * cellh - ROW_GAP;
    b->bsz = L->lr ? b->bh : b->bw;
    b->dsz = L->lr ? b->bw : b->bh;
  }
  return 0;
}

/* --- Buchheim ------------------------------------------------------------ */

/* i-th tidy-tree child of node q */
static int32_t K(const lt *L, size_t q, uint32_t i) { return (int32_t)L->kids[L->v[q].first + i]; }

static double dist(const lt *L, int32_t a, int32_t b)
{
  int sib = L->v[a].parent == L->v[b].parent;
  return (L->v[a].bsz + L->v[b].bsz) / 2 + (sib ? SIB_GAP : SUB_GAP);
}

static int32_t next_left(const lt *L, int32_t v)
{
  return L->v[v].nch ? K(L, v, 0) : L->v[v].thread;
}

static int32_t next_right(const lt *L, int32_t v)
{
  return L->v[v].nch ? K(L, v, L->v[v].nch - 1) : L->v[v].thread;
}

static void move_subtree(lt *L, int32_t wl, int32_t wr, double shift)
{
  double subtrees = (double)L->v[wr].number - (double)L->v[wl].number;
  if (subtrees <= 0)
    subtrees = 1;
  L->v[wr].change -= shift / subtrees;
  L->v[wr].shift += shift;
  L->v[wl].change += shift / subtrees;
  L->v[wr].prelim += shift;
  L->v[wr].mod += shift;
}

static void apportion(lt *L, int32_t v, int32_t *dflt_anc)
{
  ln *V = L->v;
  if (!V[v].number)
    return;
  int32_t p = V[v].parent;
  int32_t w = K(L, p, V[v].number - 1);
  int32_t vir = v, vor = v, vil = w, vol = K(L, p, 0);
  double sir = V[vir].mod, sor = V[vor].mod, sil = V[vil].mod, sol = V[vol].mod;
  while (next_right(L, vil) >= 0 && next_left(L, vir) >= 0) {
    vil = next_right(L, vil);
    vir = next_left(L, vir);
    vol = next_left(L, vol);
    vor = next_right(L, vor);
    V[vor].anc = v;
    double shift = (V[vil].prelim + sil) - (V[vir].prelim + sir) + dist(L, vil, vir);
    if (shift > 0) {
      int32_t a = V[V[vil].anc].parent == p ? V[vil].anc : *dflt_anc;
      move_subtree(L, a, v, shift);
      sir += shift;
      sor += shift;
    }
    sil += V[vil].mod;
    sir += V[vir].mod;
    sol += V[vol].mod;
    sor += V[vor].mod;
  }
  if (next_right(L, vil) >= 0 && next_right(L, vor) < 0) {
    V[vor].thread = next_right(L, vil);
    V[vor].mod += sil - sor;
  }
  if (next_left(L, vir) >= 0 && next_left(L, vol) < 0) {
    V[vol].thread = next_left(L, vir);
    V[vol].mod += sir - sol;
    *dflt_anc = v;
  }
}

static void tidy(lt *L)
{
  ln *V = L->v;
  for (size_t q = 0; q < L->n; q++)
    for (uint32_t c = 0; c < V[q].nch; c++)
      V[K(L, q, c)].number = c;
  /* first walk, children before parents (breadth-first array backwards) */
  for (size_t q = L->n; q-- > 0;) {
    ln *x = &V[q];
    if (x->role == 2 || !x->nch)
      continue;
    int32_t dflt_anc = K(L, q, 0);
    for (uint32_t c = 0; c < x->nch; c++) {
      int32_t w = K(L, q, c);
      /* the last step of firstwalk(w), which needs w's left sibling */
      if (c == 0) {
        V[w].prelim = V[w].nch ? V[w].mid : 0;
      } else {
        int32_t l = K(L, q, c - 1);
        V[w].prelim = V[l].prelim + dist(L, l, w);
        if (V[w].nch)
          V[w].mod = V[w].prelim - V[w].mid;
      }
      apportion(L, w, &dflt_anc);
    }
    /* execute shifts */
    double shift = 0, change = 0;
    for (uint32_t c = x->nch; c-- > 0;) {
      int32_t w = K(L, q, c);
      V[w].prelim += shift;
      V[w].mod += shift;
      change += V[w].change;
      shift += V[w].shift + change;
    }
    x->mid = (V[K(L, q, 0)].prelim + V[K(L, q, x->nch - 1)].prelim) / 2;
  }
  V[0].prelim = V[0].nch ? V[0].mid : 0;
  /* second walk, parents before children */
  V[0].acc = 0;
  for (size_t q = 0; q < L->n; q++)
    for (uint32_t c = 0; c < V[q].nch; c++)
      V[K(L, q, c)].acc = V[q].acc + V[q].mod;
}

/* --- geometry and drawing ------------------------------------------------ */

typedef struct kind_style {
  const char *cls;
  bv_color fill, text;
  double lw;
  bv_dash dash;
} kind_style;

/* Kino's classes (MERMAID.md "Familiar look"), plus ours for the rest. */
static kind_style style_of(bv_tnode_kind k)
{
  switch (k) {
  case BV_TN_ROOT: return (kind_style){"root", SC_RGB(0xC4B5FD), SC_RGB(0x000000), 4, BV_DASH_SOLID};
  case BV_TN_SUPERVISOR:
    return (kind_style){"supervisor", SC_RGB(0xC4B5FD), SC_RGB(0x000000), 1, BV_DASH_SOLID};
  case BV_TN_NOTSTARTED:
    return (kind_style){"notstarted", SC_RGB(0xD9D9D9), SC_RGB(0x6B7280), 1, BV_DASH_SOLID};
  case BV_TN_UNRESPONSIVE:
    return (kind_style){"unresponsive", SC_RGB(0xFCA5A5), SC_RGB(0x000000), 2, BV_DASH_DASHED};
  case BV_TN_EXTERNAL:
    return (kind_style){"external", SC_RGB(0xFFFFFF), SC_RGB(0x000000), 1, BV_DASH_DASHED};
  case BV_TN_FOLDED:
    return (kind_style){"folded", SC_RGB(0xF3F4F6), SC_RGB(0x374151), 1, BV_DASH_DOTTED};
  case BV_TN_WORKER:
  default: return (kind_style){"worker", SC_RGB(0x66C2A5), SC_RGB(0x000000), 1, BV_DASH_SOLID};
  }
}

static int draw_box(lt *L, ln *x)
{
  kind_style st = style_of(x->kind);
  int32_t ref = x->ref;
  int rc = rect(L, st.cls, x->x, x->y, x->bw, x->bh, 5, st.fill, SC_RGB(0x374151), st.lw,
                st.dash, ref);
  if (rc || !L->s)
    return rc;
  double lh = L->fs * 1.25;
  double cx = x->x + x->bw / 2;
  double top = x->y + (x->bh - text_height(L->fs, x->nlines)) / 2;
  /* baseline of a line: its top plus the ascent, centred in the line height */
  rc = text(L, "label", cx, top + lh / 2 + L->fs * 0.35, L->fs, st.text, &x->lines[0], ref);
  for (uint32_t i = 1; !rc && i < x->nlines; i++)
    rc = text(L, "label2", cx, top + lh + (i - 1) * lh * 0.9 + lh * 0.45 + L->fs * 0.3,
              L->fs * 0.85,
              x->kind == BV_TN_WORKER || x->kind == BV_TN_SUPERVISOR ? SC_RGB(0x1F2937) : st.text,
              &x->lines[i], ref);
  return rc;
}

/* Point on the layout axes (breadth b, depth d) -> x, y */
static void put(const lt *L, double *p, double b, double d)
{
  p[0] = L->lr ? d : b;
  p[1] = L->lr ? b : d;
}

static int edge(lt *L, const ln *par, const ln *ch, double bus_d)
{
  /* parent exit at the middle of its far side, child entry at the middle of
     its near side, an elbow through the bus between the levels */
  double pb = L->lr ? par->y + par->bh / 2 : par->x + par->bw / 2;
  double pd = L->lr ? par->x + par->bw : par->y + par->bh;
  double cb = L->lr ? ch->y + ch->bh / 2 : ch->x + ch->bw / 2;
  double cd = L->lr ? ch->x : ch->y;
  double pts[8];
  size_t n = 0;
  put(L, pts + 2 * n++, pb, pd);
  if (fabs(pb - cb) > 0.05) {
    put(L, pts + 2 * n++, pb, bus_d);
    put(L, pts + 2 * n++, cb, bus_d);
  }
  put(L, pts + 2 * n++, cb, cd);
  /* an external process hangs under a member it is linked to: a link, not
     supervision (dotted, no arrow) */
  int ext = ch->kind == BV_TN_EXTERNAL;
  return line(L, ext ? "link" : "edge", pts, n,
              ext ? sc_theme_get(L->dark)->muted : sc_theme_get(L->dark)->line, 1.5,
              ext ? BV_DASH_DOTTED : BV_DASH_SOLID, ext ? BV_ARROW_NONE : BV_ARROW_FILLED,
              ch->ref);
}

/* Places the members of a block and draws its bus, spines and ticks. */
static int draw_block(lt *L, ln *par, ln *b)
{
  bv_color lc = sc_theme_get(L->dark)->line;
  double cellw = SPINE + b->cw + COL_GAP, cellh = b->chh + ROW_GAP;
  double bus_y = b->y + BUS / 2;
  int rc = 0;
  double spine0 = b->x + SPINE / 2, spine_last = spine0 + (b->cols - 1) * cellw;
  double pts[8];
  /* the parent's trunk */
  if (L->lr) {
    double py = par->y + par->bh / 2;
    pts[0] = par->x + par->bw, pts[1] = py, pts[2] = spine0, pts[3] = py;
    rc = line(L, "trunk", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  } else {
    double px = par->x + par->bw / 2;
    pts[0] = px, pts[1] = par->y + par->bh, pts[2] = px, pts[3] = bus_y;
    rc = line(L, "trunk", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    if (!rc && (px < spine0 || px > spine_last)) {
      pts[0] = px, pts[1] = bus_y, pts[2] = px < spine0 ? spine0 : spine_last, pts[3] = bus_y;
      rc = line(L, "trunk", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_NONE, -1);
    }
  }
  if (!rc && b->cols > 1) {
    pts[0] = spine0, pts[1] = bus_y, pts[2] = spine_last, pts[3] = bus_y;
    rc = line(L, "bus", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  for (uint32_t c = 0; !rc && c < b->cols; c++) {
    uint32_t last = (c + 1) * b->rows;
    if (last > b->bn)
      last = b->bn;
    if (last <= c * b->rows)
      break;
    double sx = spine0 + c * cellw;
    double ly = b->y + BUS + (last - c * b->rows - 1) * cellh + b->chh / 2;
    pts[0] = sx, pts[1] = bus_y, pts[2] = sx, pts[3] = ly;
    rc = line(L, "bus", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_NONE, -1);
  }
  for (uint32_t i = 0; !rc && i < b->bn; i++) {
    ln *k = &L->v[L->kids[b->bfirst + i]];
    uint32_t c = i / b->rows, r = i % b->rows;
    k->x = b->x + c * cellw + SPINE;
    k->y = b->y + BUS + r * cellh + (b->chh - k->bh) / 2;
    double sx = spine0 + c * cellw, cy = k->y + k->bh / 2;
    pts[0] = sx, pts[1] = cy, pts[2] = k->x, pts[3] = cy;
    rc = line(L, "edge", pts, 2, lc, 1.5, BV_DASH_SOLID, BV_ARROW_FILLED, k->ref);
  }
  return rc;
}

/* Dotted link a-b: out of the first box's far side a quarter off centre (the
 * supervision edge uses the centre), along a channel just past that level
 * (the bus runs halfway between levels), into the second box the same way. */
static int link(lt *L, const ln *a, const ln *b, const double *lvl_end, double gap, size_t i)
{
  if (a->depth > b->depth || (a->depth == b->depth &&
                              (L->lr ? a->y > b->y : a->x > b->x))) {
    const ln *t = a;
    a = b;
    b = t;
  }
  double ab = L->lr ? a->y + a->bh * 0.75 : a->x + a->bw * 0.75;
  double ad = L->lr ? a->x + a->bw : a->y + a->bh;
  double bb = L->lr ? b->y + b->bh * 0.75 : b->x + b->bw * 0.25;
  double bd_near = L->lr ? b->x : b->y;
  double bd_far = L->lr ? b->x + b->bw : b->y + b->bh;
  double ch = lvl_end[a->depth] + gap * 0.25 + (double)(i % 3) * 3;
  double pts[8];
  put(L, pts, ab, ad);
  put(L, pts + 2, ab, ch);
  put(L, pts + 4, bb, ch);
  put(L, pts + 6, bb, b->depth == a->depth ? bd_far : bd_near);
  return line(L, "link", pts, 4, sc_theme_get(L->dark)->muted, 1.5, BV_DASH_DOTTED,
              BV_ARROW_NONE, -1);
}

static int layout(lt *L)
{
  int rc;
  const bv_tree *t = L->t;
  if ((rc = build(L)))
    return rc;
  for (size_t q = 0; q < L->n; q++)
    size_box(L, &L->v[q]);
  if ((rc = make_blocks(L)))
    return rc;
  tidy(L);
  /* levels: depth offsets */
  uint32_t maxdepth = 0;
  for (size_t q = 0; q < L->n; q++)
    if (L->v[q].role != 2 && L->v[q].depth > maxdepth)
      maxdepth = L->v[q].depth;
  double *lvl = calloc(maxdepth + 2, sizeof *lvl), *lvl_pos = calloc(maxdepth + 2, sizeof *lvl);
  if (!lvl || !lvl_pos) {
    free(lvl);
    free(lvl_pos);
    return bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
  }
  for (size_t q = 0; q < L->n; q++)
    if (L->v[q].role != 2 && L->v[q].dsz > lvl[L->v[q].depth])
      lvl[L->v[q].depth] = L->v[q].dsz;
  double gap = L->lr ? LEVEL_GAP_LR : LEVEL_GAP_TD;
  for (uint32_t d = 1; d <= maxdepth; d++)
    lvl_pos[d] = lvl_pos[d - 1] + lvl[d - 1] + (lvl[d - 1] > 0 ? gap : 0);
  double *lvl_end = lvl; /* reuse: far edge of each level */
  for (uint32_t d = 0; d <= maxdepth; d++)
    lvl_end[d] = lvl_pos[d] + lvl[d];
  /* coordinates; normalise so the drawing starts at the margin */
  double minb = INFINITY;
  for (size_t q = 0; q < L->n; q++) {
    ln *x = &L->v[q];
    if (x->role == 2)
      continue;
    double b = x->prelim + x->acc - x->bsz / 2;
    if (b < minb)
      minb = b;
  }
  if (!isfinite(minb))
    minb = 0;
  for (size_t q = 0; q < L->n; q++) {
    ln *x = &L->v[q];
    if (x->role == 2)
      continue;
    double b = x->prelim + x->acc - x->bsz / 2 - minb + MARGIN;
    double d = lvl_pos[x->depth] + MARGIN;
    x->x = L->lr ? d : b;
    x->y = L->lr ? b : d;
  }
  /* drawing: edges first, boxes over them */
  for (size_t q = 0; q < L->n && !rc; q++) {
    ln *x = &L->v[q];
    if (x->role == 2)
      continue;
    for (uint32_t c = 0; c < x->nch && !rc; c++) {
      ln *ch = &L->v[K(L, q, c)];
      if (ch->role == 1)
        rc = draw_block(L, x, ch);
      else
        rc = edge(L, x, ch, lvl_end[x->depth] + MARGIN + gap / 2);
    }
  }
  /* links route along channels next to the level ends, in drawing coordinates
     (lvl_pos is not needed any more: reuse it) */
  for (uint32_t d = 0; d <= maxdepth; d++)
    lvl_pos[d] = lvl_end[d] + MARGIN;
  for (size_t i = 0; i < t->nlinks && !rc; i++) {
    uint32_t a = t->links[i].a, b = t->links[i].b;
    if (a >= t->n || b >= t->n || a == b)
      continue;
    /* layout nodes 0 .. t->n are the view's nodes, in its order */
    const ln *na = &L->v[a], *nb = &L->v[b];
    if (na->role == 2 || nb->role == 2) {
      /* a block member: straight dotted line between the two boxes' centres
         would cross its neighbours; go around the left of the block instead */
      double pts[8];
      const ln *m1 = na, *m2 = nb;
      pts[0] = m1->x, pts[1] = m1->y + m1->bh / 2;
      pts[2] = fmin(m1->x, m2->x) - SPINE * 0.25, pts[3] = pts[1];
      pts[4] = pts[2], pts[5] = m2->y + m2->bh / 2;
      pts[6] = m2->x, pts[7] = pts[5];
      rc = line(L, "link", pts, 4, sc_theme_get(L->dark)->muted, 1.5, BV_DASH_DOTTED,
                BV_ARROW_NONE, -1);
      continue;
    }
    rc = link(L, na, nb, lvl_pos, gap, i);
  }
  for (size_t q = 0; q < L->n && !rc; q++) {
    ln *x = &L->v[q];
    if (x->role == 1)
      continue;
    rc = draw_box(L, x);
  }
  free(lvl);
  free(lvl_pos);
  if (rc)
    return rc;
  /* size: everything drawn plus the margin */
  double w = 0, h = 0;
  if (!L->s) {
    L->extw = ceil(L->extw + MARGIN);
    L->exth = ceil(L->exth + MARGIN);
    return 0;
  }
  for (size_t i = 0; i < L->s->n; i++) {
    const bv_sitem *it = &L->s->items[i];
    if (it->kind == BV_SI_RECT) {
      w = fmax(w, it->x + it->w);
      h = fmax(h, it->y + it->h);
    } else if (it->kind == BV_SI_LINE) {
      for (size_t k = 0; k < it->npts; k++) {
        w = fmax(w, it->pts[2 * k]);
        h = fmax(h, it->pts[2 * k + 1]);
      }
    }
  }
  L->s->width = ceil(w + MARGIN);
  L->s->height = ceil(h + MARGIN);
  return 0;
}

/* How one drawing is laid out: the direction and when and how leaf rows
 * become blocks. */
typedef struct shape {
  int lr;
  unsigned block_min;
  double block_aspect;
} shape;

/* Lays out the view v with its measured labels bx (font size fs, labels
 * measured and shortened already) into a new scene, or when out is NULL (dry) only
 * computes the size the scene would have. */
static int layout_view(const bv_tree_view *v, const lbox *bx, shape sh, int dark, double fs,
                       const bv_measure *m, bv_scene **out, double *w, double *h)
{
  const bv_tree *t = v->tree;
  lt L = {0};
  L.view = v;
  L.t = t;
  L.dark = dark;
  L.boxes = bx;
  L.lr = sh.lr;
  L.block_min = sh.block_min;
  L.block_aspect = sh.block_aspect;
  L.fs = fs;
  int rc = 0;
  if (out) {
    *out = NULL;
    if ((rc = bv_scene_new("tree", &L.s)))
      return rc;
    L.s->font = bv_arena_strdup(L.s->arena, m->font ? m->font : "DejaVu Sans");
    L.s->background = sc_theme_get(dark)->page;
    L.s->title = bv_arena_printf(L.s->arena, "supervision tree%s%s", t->title ? ": " : "",
                                 t->title ? t->title : "");
    if (!L.s->font || !L.s->title)
      rc = bv_error_set(BV_ENOMEM, "out of memory (tree layout)");
  }
  if (!rc)
    rc = layout(&L);
  free(L.v);
  free(L.kids);
  if (rc) {
    bv_scene_free(L.s);
    return rc;
  }
  if (out) {
    *out = L.s;
    *w = L.s->width;
    *h = L.s->height;
  } else {
    *w = L.extw;
    *h = L.exth;
  }
  return 0;
}

/* How far a drawing's width over height is from the one auto aims for. */
static double off_aim(double aspect)
{
  return fabs(log(aspect / AIM_ASPECT));
}

/* The drawing of v in the direction o asks for; BV_DIR_AUTO tries the shapes
 * described at the top of this file, each dry, then draws the one it keeps. */
static int layout_auto(const bv_tree_view *v, const bv_emit_opts *o, const bv_measure *ms,
                       bv_scene **out)
{
  static const shape tries[] = {
      {0, BLOCK_TD, 1.5}, {0, WRAP_MIN, 1.5}, {0, WRAP_MIN, 0.5}, {0, WRAP_MIN, 0},
      {1, BLOCK_LR, 1.5}, {1, WRAP_MIN, 1.5}, {1, WRAP_MIN, 6},   {1, WRAP_MIN, 40},
  };
  const double fs = 12, maxw = 320;
  *out = NULL;
  /* the labels' strings and measures, shared by every try */
  bv_scene *scratch = NULL;
  lbox *bx = NULL;
  int rc = bv_scene_new("tree", &scratch);
  if (!rc)
    rc = measure_labels(v, fs, maxw, ms, scratch, &bx);
  shape pick = {v->left_right, v->left_right ? BLOCK_LR : BLOCK_TD, 1.5};
  double w, h;
  if (!rc && !v->left_right && o->direction != BV_DIR_TD) {
    double best_aspect = INFINITY;
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
      if ((rc = layout_view(v, bx, tries[i], o->dark, fs, ms, NULL, &w, &h)))
        break;
      double aspect = h > 0 ? w / h : INFINITY;
      /* the first that fits, else the nearest to the aim of those that fit,
         else the least wide */
      int better = best_aspect > MAX_ASPECT
                       ? aspect < best_aspect
                       : aspect <= MAX_ASPECT && off_aim(aspect) < off_aim(best_aspect);
      if (better) {
        pick = tries[i];
        best_aspect = aspect;
      }
      if (i == 0 && best_aspect <= MAX_ASPECT)
        break; /* top-down as it is fits: every tree that fits keeps its shape */
    }
  }
  if (!rc)
    rc = layout_view(v, bx, pick, o->dark, fs, ms, out, &w, &h);
  bv_scene_free(scratch);
  return rc;
}

/* --- a cluster's trees ------------------------------------------------------- */

#define CL_PAD 14.0        /* inside a node's frame */
#define CL_GAP 24.0        /* between frames */
#define CL_NAME_FONT 15.0  /* the node's name above its tree */
#define CL_MAX_ROW 1000.0  /* frames side by side up to this width, else stacked */

/* Copies src's items into dst moved by (dx, dy). */
static int scene_place(bv_scene *dst, const bv_scene *src, double dx, double dy)
{
  int rc = 0;
  double *pts = NULL;
  size_t cap = 0;
  for (size_t i = 0; i < src->n && !rc; i++) {
    bv_sitem it = src->items[i];
    it.x += dx;
    it.y += dy;
    if (it.kind == BV_SI_LINE && it.npts) {
      if (it.npts > cap) {
        double *p = realloc(pts, 2 * it.npts * sizeof *p);
        if (!p) {
          rc = bv_error_set(BV_ENOMEM, "out of memory (scene)");
          break;
        }
        pts = p;
        cap = it.npts;
      }
      for (size_t k = 0; k < it.npts; k++) {
        pts[2 * k] = it.pts[2 * k] + dx;
        pts[2 * k + 1] = it.pts[2 * k + 1] + dy;
      }
      it.pts = pts;
    }
    rc = bv_scene_add(dst, &it);
  }
  free(pts);
  return rc;
}

/* Each node's tree laid out as one node's (same view, folds, direction), or
 * a line saying it does not run the application or was not collected; each
 * in a frame with the node's name above it; the frames side by side, or
 * stacked one under another when side by side would pass CL_MAX_ROW px. */
static int layout_cluster(const bv_tree *t, const bv_emit_opts *o, const bv_measure *ms,
                          bv_scene **out, bv_emit_info *info)
{
  size_t k = t->ntrees;
  bv_scene **sub = calloc(k, sizeof *sub);
  const char **msg = calloc(k, sizeof *msg);
  double *fw = calloc(2 * k, sizeof *fw), *fh = fw ? fw + k : NULL;
  bv_scene *s = NULL;
  int rc = !sub || !msg || !fw ? bv_error_set(BV_ENOMEM, "out of memory (scene)") : 0;
  if (!rc)
    rc = bv_scene_new("tree", &s);
  const sc_theme *th = sc_theme_get(o && o->dark);
  double row_w = 0, row_h = 0, col_w = 0, col_h = 0;
  bv_text_metrics nt;
  memset(&nt, 0, sizeof nt);
  for (size_t i = 0; i < k && !rc; i++) {
    const bv_node_result *r = &t->cnodes[i];
    double w, h;
    bv_text_metrics name;
    if ((rc = sc_measure(ms, r->node, CL_NAME_FONT, 1, &name)))
      break;
    if (!r->code && t->trees[i].n) {
      bv_model one;
      memset(&one, 0, sizeof one);
      one.kind = BV_MODEL_TREE;
      one.u.tree = (bv_tree *)&t->trees[i];
      bv_emit_info fi;
      memset(&fi, 0, sizeof fi);
      if ((rc = bv_layout_tree_model(&one, o, ms, &sub[i], &fi)))
        break;
      if (info) {
        bv_tree_info_add(info, &fi);
      }
      s->background = sub[i]->background;
      if (!s->font && sub[i]->font && !(s->font = bv_arena_strdup(s->arena, sub[i]->font))) {
        rc = bv_error_set(BV_ENOMEM, "out of memory (scene)");
        break;
      }
      w = sub[i]->width;
      h = sub[i]->height;
    } else {
      msg[i] = r->code ? bv_arena_printf(s->arena, "not collected: %s", r->reason ? r->reason : "?")
                       : r->reason ? bv_arena_strdup(s->arena, r->reason)
                       : bv_arena_printf(s->arena, "not running %s", t->title ? t->title : "?");
      if (!msg[i] || (rc = sc_measure(ms, msg[i], 13.0, 0, &nt)))
        break;
      w = (nt.width < 600 ? nt.width : 600) + 2 * CL_PAD;
      h = 13.0 * 2.5;
    }
    double nw = name.width + 2 * CL_PAD;
    fw[i] = (w > nw ? w : nw);
    fh[i] = h + CL_NAME_FONT + CL_PAD;
    row_w += fw[i] + (i ? CL_GAP : 0);
    row_h = fh[i] > row_h ? fh[i] : row_h;
    col_w = fw[i] > col_w ? fw[i] : col_w;
    col_h += fh[i] + (i ? CL_GAP : 0);
  }
  int stacked = row_w > CL_MAX_ROW;
  double x = CL_GAP, y = CL_GAP;
  for (size_t i = 0; i < k && !rc; i++) {
    rc = sc_rect(s, "node-frame", x, y, fw[i], fh[i], 6, SC_NONE, th->muted, 1.5,
                 BV_DASH_SOLID, -1);
    if (!rc)
      rc = sc_text(s, ms, "node-name", x + CL_PAD, y + CL_PAD + CL_NAME_FONT * 0.8,
                   BV_ANCHOR_START, CL_NAME_FONT, 1, th->text, t->cnodes[i].node,
                   fw[i] - 2 * CL_PAD, -1, NULL);
    double top = y + CL_NAME_FONT + CL_PAD;
    if (!rc && sub[i])
      rc = scene_place(s, sub[i], x, top);
    else if (!rc)
      rc = sc_text(s, ms, t->cnodes[i].code ? "node-failed" : "node-absent", x + CL_PAD,
                   top + 13.0 * 1.4, BV_ANCHOR_START, 13.0, 0, th->muted, msg[i],
                   fw[i] - 2 * CL_PAD, -1, NULL);
    if (stacked)
      y += fh[i] + CL_GAP;
    else
      x += fw[i] + CL_GAP;
  }
  if (!rc) {
    s->width = (stacked ? col_w : row_w) + 2 * CL_GAP;
    s->height = (stacked ? col_h : row_h) + 2 * CL_GAP;
    if (!s->font && ms->font && !(s->font = bv_arena_strdup(s->arena, ms->font)))
      rc = bv_error_set(BV_ENOMEM, "out of memory (scene)");
    if (!rc && !(s->title = bv_arena_printf(s->arena, "%s on %s", t->title ? t->title : "?",
                                     t->node ? t->node : "?")))
      rc = bv_error_set(BV_ENOMEM, "out of memory (scene)");
    if (!rc && info) {
      info->width = s->width;
      info->height = s->height;
    }
  }
  for (size_t i = 0; sub && i < k; i++)
    bv_scene_free(sub[i]);
  free(sub);
  free(msg);
  free(fw);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

int bv_layout_tree_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                         bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (!m || m->kind != BV_MODEL_TREE || !m->u.tree)
    return bv_error_set(BV_EINVAL, "tree: nothing to draw (not a supervision tree)");
  if (m->u.tree->ntrees)
    return layout_cluster(m->u.tree, o, ms, out, info);
  bv_tree_view *v = NULL;
  int rc = bv_tree_view_make(m->u.tree, o, &v);
  if (rc)
    return rc;
  rc = layout_auto(v, o, ms, out);
  if (!rc && info) {
    bv_tree_view_info(v, info);
    info->width = (*out)->width;
    info->height = (*out)->height;
  }
  bv_tree_view_free(v);
  return rc;
}
