/* test_tree_formats.c: Mermaid and the image layout draw one tree view. The
 * same folded, deep and reduced trees go through bv_emit_tree_mermaid and
 * bv_layout_tree_model; the labels (read back out of the Mermaid text and out
 * of the scene's text items), classes, edge counts and bv_emit_info counts
 * must agree. */
#include "emit/emit.h"
#include "layout/layout.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "tree_build.h"

/* The root (an application master) with 30 children of every kind, one chain
 * 5 levels deep under child 1, and links. */
static bv_tree *mixed_tree(void)
{
  tb b;
  tb_init(&b, 0);
  b.t->title = "mixed";
  bv_tnode *r = &b.t->nodes[tb_add(&b, -1, BV_TN_ROOT, tb_pid(&b, 46), NULL, NULL)];
  r->role = "application master";
  static const bv_tnode_kind kinds[] = {BV_TN_WORKER,     BV_TN_SUPERVISOR, BV_TN_WORKER,
                                        BV_TN_NOTSTARTED, BV_TN_EXTERNAL,   BV_TN_UNRESPONSIVE};
  char name[32];
  for (int i = 0; i < 30; i++) {
    bv_tnode_kind k = kinds[i % 6];
    snprintf(name, sizeof name, "child_%d", i);
    bv_tnode *n = &b.t->nodes[tb_add(&b, 0, k, tb_pid(&b, k == BV_TN_NOTSTARTED ? 0 : 100u + (unsigned)i),
                                     i % 4 == 0 ? name : NULL, i % 4 == 1 ? name : NULL)];
    if (k == BV_TN_NOTSTARTED) {
      n->state = i % 12 == 3 ? "undefined" : "restarting";
      n->type = i % 12 == 3 ? "supervisor" : "worker";
    }
    if (k == BV_TN_UNRESPONSIVE)
      n->state = "no answer: timeout";
    if (k == BV_TN_EXTERNAL)
      n->module = "gen_tcp";
  }
  /* nodes 1..30 are the children; node 2 (a supervisor) heads a chain of 5
     levels, node 8 (a supervisor) has 4 workers */
  int parent = 2;
  for (int d = 0; d < 5; d++) {
    snprintf(name, sizeof name, "deep_%d", d);
    tb_add(&b, parent, d < 4 ? BV_TN_SUPERVISOR : BV_TN_WORKER, tb_pid(&b, 300u + (unsigned)d), name,
           NULL);
    parent = (int)b.t->n - 1;
    if (d == 0)
      for (int w = 0; w < 4; w++)
        tb_add(&b, 8, BV_TN_WORKER, tb_pid(&b, 400u + (unsigned)w), NULL, "pool");
  }
  bv_tree *t = tb_done(&b);
  t->nlinks = 3;
  t->links = bv_arena_alloc(t->arena, t->nlinks * sizeof *t->links);
  t->links[0] = (bv_tedge){1, 3};
  t->links[1] = (bv_tedge){3, 29};
  t->links[2] = (bv_tedge){2, 31};
  return t;
}

/* A supervisor with n workers under a root. */
static bv_tree *wide_tree(unsigned n)
{
  tb b;
  tb_init(&b, 0);
  b.t->title = "mixed";
  tb_add(&b, -1, BV_TN_ROOT, tb_pid(&b, 80), "top_sup", NULL);
  tb_add(&b, 0, BV_TN_SUPERVISOR, tb_pid(&b, 81), "pool_sup", NULL);
  for (unsigned i = 0; i < n; i++)
    tb_add(&b, 1, BV_TN_WORKER, tb_pid(&b, 100u + (unsigned)i), NULL, NULL);
  return tb_done(&b);
}

/* --- what each format shows ------------------------------------------------ */

typedef struct shown {
  char **label;   /* node labels in drawing order */
  char **cls;
  size_t n;
  size_t edges;   /* solid supervision edges */
  size_t dotted;  /* dotted: external children and links */
} shown;

static void shown_add(shown *s, const char *label, size_t llen, const char *cls)
{
  s->label = realloc(s->label, (s->n + 1) * sizeof *s->label);
  s->cls = realloc(s->cls, (s->n + 1) * sizeof *s->cls);
  s->label[s->n] = strndup(label, llen);
  s->cls[s->n] = strdup(cls);
  s->n++;
}

static void shown_free(shown *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->label[i]);
    free(s->cls[i]);
  }
  free(s->label);
  free(s->cls);
  memset(s, 0, sizeof *s);
}

/* Undoes bv_mmd_escape for ASCII labels: <br/> is a newline, #N; byte N. */
static size_t mmd_unescape(const char *p, size_t n, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    if (n - i >= 5 && memcmp(p + i, "<br/>", 5) == 0) {
      out[o++] = '\n';
      i += 5;
    } else if (p[i] == '#') {
      char *end;
      long v = strtol(p + i + 1, &end, 10);
      CHECK(*end == ';' && v > 0 && v < 128);
      out[o++] = (char)v;
      i = (size_t)(end + 1 - p);
    } else {
      out[o++] = p[i++];
    }
  }
  return o;
}

/* Node statements `  nK["label"]:::cls` and edges of a Mermaid flowchart. */
static void from_mermaid(const char *text, shown *s)
{
  for (const char *line = text; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    const char *open = memchr(line, '[', len);
    if (strncmp(line, "  n", 3) == 0 && open && open[1] == '"') {
      const char *close = NULL;
      for (const char *q = line + len - 1; q > open; q--)
        if (strncmp(q, "\"]:::", 5) == 0) {
          close = q;
          break;
        }
      CHECK(close != NULL);
      if (close) {
        char *lab = malloc((size_t)(close - open) + 1);
        size_t ll = mmd_unescape(open + 2, (size_t)(close - open - 2), lab);
        char cls[32];
        size_t cl = (size_t)(line + len - (close + 5));
        snprintf(cls, sizeof cls, "%.*s", (int)cl, close + 5);
        shown_add(s, lab, ll, cls);
        free(lab);
      }
    } else if (strncmp(line, "  n", 3) == 0 && strstr(line, " --> ") &&
               (size_t)(strstr(line, " --> ") - line) < len) {
      s->edges++;
    } else if (strncmp(line, "  n", 3) == 0 && strstr(line, " -.- ") &&
               (size_t)(strstr(line, " -.- ") - line) < len) {
      s->dotted++;
    }
    line = nl ? nl + 1 : NULL;
  }
}

/* Boxes in drawing order, each followed by its text items (lines). */
static void from_scene(const bv_scene *sc, shown *s)
{
  bv_buf lab;
  bv_buf_init(&lab);
  const char *cls = NULL;
  for (size_t i = 0; i <= sc->n; i++) {
    const bv_sitem *it = i < sc->n ? &sc->items[i] : NULL;
    if (!it || it->kind == BV_SI_RECT) {
      if (cls)
        shown_add(s, lab.data ? lab.data : "", lab.len, cls);
      lab.len = 0;
      cls = it ? it->cls : NULL;
    } else if (it->kind == BV_SI_TEXT && cls) {
      if (lab.len)
        bv_buf_putc(&lab, '\n');
      bv_buf_puts(&lab, it->full ? it->full : it->text);
    } else if (it->kind == BV_SI_LINE) {
      if (strcmp(it->cls, "edge") == 0)
        s->edges++;
      else if (strcmp(it->cls, "link") == 0)
        s->dotted++;
    }
  }
  bv_buf_dispose(&lab);
}

static char *mermaid(const bv_tree *t, const bv_emit_opts *o, bv_format fmt, bv_emit_info *info)
{
  bv_model m = {.kind = BV_MODEL_TREE, .u.tree = (bv_tree *)t};
  bv_out *out = NULL;
  CHECK_INT(bv_out_open_mem(&out), 0);
  int rc = bv_emit_tree_mermaid(&m, fmt, o, out, info);
  if (rc)
    fprintf(stderr, "mermaid: %s\n", bv_error_last());
  CHECK_INT(rc, 0);
  size_t len = 0;
  const char *p = bv_out_mem(out, &len);
  char *r = strndup(p ? p : "", len);
  bv_out_abort(out);
  return r;
}

static bv_scene *image(const bv_tree *t, const bv_emit_opts *o, bv_emit_info *info)
{
  bv_model m = {.kind = BV_MODEL_TREE, .u.tree = (bv_tree *)t};
  bv_measure ms;
  bv_fake_measure(&ms);
  bv_scene *s = NULL;
  int rc = bv_layout_tree_model(&m, o, &ms, &s, info);
  if (rc)
    fprintf(stderr, "layout: %s\n", bv_error_last());
  CHECK_INT(rc, 0);
  return s;
}

/* Renders t both ways with o and checks they agree. Returns the Mermaid
 * info in *mi. */
static void agree(const bv_tree *t, const bv_emit_opts *o, const char *what, bv_emit_info *mi)
{
  bv_emit_info ii;
  memset(mi, 0, sizeof *mi);
  memset(&ii, 0, sizeof ii);
  char *text = mermaid(t, o, BV_FMT_MERMAID, mi);
  bv_scene *sc = image(t, o, &ii);
  if (!text || !sc) {
    free(text);
    bv_scene_free(sc);
    return;
  }
  shown a = {0}, b = {0};
  from_mermaid(text, &a);
  from_scene(sc, &b);
  if (a.n != b.n)
    fprintf(stderr, "%s: %zu nodes in Mermaid, %zu in the image\n", what, a.n, b.n);
  CHECK_INT(a.n, b.n);
  CHECK(a.n > 1);
  int bad = 0;
  for (size_t i = 0; i < a.n && i < b.n; i++)
    if (strcmp(a.label[i], b.label[i]) != 0 || strcmp(a.cls[i], b.cls[i]) != 0) {
      if (bad++ < 3)
        fprintf(stderr, "%s: node %zu: Mermaid \"%s\" (%s), image \"%s\" (%s)\n", what, i,
                a.label[i], a.cls[i], b.label[i], b.cls[i]);
    }
  CHECK_INT(bad, 0);
  CHECK_INT(a.edges, b.edges);
  CHECK_INT(a.dotted, b.dotted);
  /* nodes the view draws from: the externals left out by --links none|members
     are not counted */
  size_t want = t->n;
  if (o->links == BV_LINKS_NONE || o->links == BV_LINKS_MEMBERS)
    for (size_t i = 0; i < t->n; i++)
      want -= t->nodes[i].kind == BV_TN_EXTERNAL;
  CHECK_INT(mi->nodes, want);
  CHECK_INT(ii.nodes, mi->nodes);
  CHECK_INT(ii.hidden_siblings, mi->hidden_siblings);
  CHECK_INT(ii.hidden_below, mi->hidden_below);
  CHECK_INT(ii.folds, mi->folds);
  CHECK_INT(ii.max_children, mi->max_children);
  CHECK_INT(ii.max_depth, mi->max_depth);
  CHECK_INT(ii.reduced, 0);
  CHECK_INT(ii.links_dropped, 0);
  size_t folded = 0;
  for (size_t i = 0; i < a.n; i++)
    folded += strcmp(a.cls[i], "folded") == 0;
  CHECK_INT(folded, mi->folds);
  /* what was hidden and what was shown add up to the model */
  CHECK_INT(a.n - folded + mi->hidden_siblings + mi->hidden_below, want);
  CHECK(sc->note == NULL);
  /* the Markdown block is the same flowchart fenced */
  char *md = mermaid(t, o, BV_FMT_MD, NULL);
  CHECK(md && strncmp(md, "```mermaid\n", 11) == 0 && strncmp(md + 11, text, strlen(text)) == 0 &&
        strcmp(md + 11 + strlen(text), "```\n") == 0);
  free(md);
  shown_free(&a);
  shown_free(&b);
  free(text);
  bv_scene_free(sc);
}

static bv_emit_opts opts(unsigned mc, unsigned md, int lr)
{
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.max_children = mc;
  o.max_depth = md;
  o.left_right = lr;
  o.links = BV_LINKS_ALL; /* the same links in both (each has its own default) */
  return o;
}

/* Looks for a label among the Mermaid text's nodes. */
static int has_label(const bv_tree *t, const bv_emit_opts *o, const char *label)
{
  char *text = mermaid(t, o, BV_FMT_MERMAID, NULL);
  shown a = {0};
  from_mermaid(text, &a);
  int found = 0;
  for (size_t i = 0; i < a.n; i++)
    found |= strcmp(a.label[i], label) == 0;
  shown_free(&a);
  free(text);
  return found;
}

static void test_mixed(void)
{
  bv_tree *t = mixed_tree();
  bv_emit_info mi;
  /* the one default: siblings beyond 12 fold, keeping the 2 supervisors with
     subtrees and 10 of the 11 childless ones (3 that answered, 5 that did not,
     3 not started whose spec says supervisor); 18 folded, counted by the one
     rule: 1 supervisor (the last that did not answer), 5 linked, 12 workers */
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.links = BV_LINKS_ALL; /* the links' default is each format's own (test_links) */
  agree(t, &o, "defaults", &mi);
  CHECK_INT(mi.folds, 1);
  CHECK_INT(mi.max_children, 12);
  CHECK_INT(mi.reduced, 0);
  CHECK(has_label(t, &o, "... and 18 more (12 workers, 1 supervisor, 5 linked)"));
  /* below folds, a chain cut 2 levels below the top: the root is an
     application master, not a level, so its children are level 0 and the
     chain keeps deep_0 and deep_1 */
  o = opts(0, 2, 0);
  agree(t, &o, "depth 2", &mi);
  CHECK_INT(mi.max_depth, 2);
  CHECK_INT(mi.hidden_siblings, 0);
  CHECK_INT(mi.hidden_below, 3);
  CHECK(has_label(t, &o, "3 more below"));
  /* both, left to right */
  o = opts(5, 3, 1);
  agree(t, &o, "5/3 LR", &mi);
  CHECK(mi.hidden_siblings > 0 && mi.hidden_below > 0);
  /* nothing folded: every node, every link */
  o = opts(0, 0, 0);
  agree(t, &o, "all", &mi);
  CHECK_INT(mi.folds, 0);
  CHECK(has_label(t, &o, "application master <0.46.0>"));
  CHECK(has_label(t, &o, "child_9\n(restarting)"));
  CHECK(has_label(t, &o, "<0.110.0>\ngen_tcp"));
  CHECK(has_label(t, &o, "deep_4"));
  /* one child a level */
  o = opts(1, 0, 0);
  agree(t, &o, "one child", &mi);
  bv_tree_free(t);
}

/* Too big for Mermaid: it tightens the limits; the image drawn with the limits
 * Mermaid reports shows the same thing. */
static void test_reduced(void)
{
  bv_tree *t = wide_tree(2000);
  bv_emit_opts o = opts(0, 0, 0);
  bv_emit_info mi;
  memset(&mi, 0, sizeof mi);
  char *text = mermaid(t, &o, BV_FMT_MERMAID, &mi);
  free(text);
  CHECK_INT(mi.reduced, 1);
  CHECK(mi.max_children > 0 && mi.max_children < 500);
  bv_emit_opts again = opts(mi.max_children, mi.max_depth, 0);
  bv_emit_info m2;
  agree(t, &again, "reduced", &m2);
  CHECK_INT(m2.reduced, 0);
  CHECK_INT(m2.hidden_siblings, mi.hidden_siblings);
  /* the default folds the pool the same way in both */
  bv_emit_opts_init(&o);
  agree(t, &o, "wide defaults", &m2);
  CHECK(has_label(t, &o, "... and 1988 more workers"));
  bv_tree_free(t);
}

static size_t count(const char *s, const char *sub)
{
  size_t k = 0;
  for (const char *p = s; (p = strstr(p, sub)) != NULL; p += strlen(sub))
    k++;
  return k;
}

/* --links: none, members and all draw the same in both formats; the default
 * is each format's own: Mermaid none, the image all the model holds. */
static void test_links(void)
{
  bv_tree *t = mixed_tree();
  bv_emit_info mi;
  /* every node shown: 2 links between members ([1,3], [2,31]); [3,29] and the
     5 external nodes' parent edges only with all */
  static const struct {
    bv_links links;
    const char *what;
    size_t dotted, external;
  } cases[] = {{BV_LINKS_NONE, "links none", 0, 0},
               {BV_LINKS_MEMBERS, "links members", 2, 0},
               {BV_LINKS_ALL, "links all", 8, 5}};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    bv_emit_opts o = opts(0, 0, 0);
    o.links = cases[c].links;
    agree(t, &o, cases[c].what, &mi);
    char *text = mermaid(t, &o, BV_FMT_MERMAID, NULL);
    CHECK_INT(count(text, " -.- "), cases[c].dotted);
    CHECK_INT(count(text, ":::external\n"), cases[c].external);
    free(text);
  }
  /* folding counts only what is drawn: no "linked" among the folded without
     the externals */
  bv_emit_opts o = opts(12, 0, 0);
  o.links = BV_LINKS_MEMBERS;
  agree(t, &o, "links members folded", &mi);
  CHECK(has_label(t, &o, "... and 13 more (12 workers, 1 supervisor)"));
  o.links = BV_LINKS_ALL;
  CHECK(has_label(t, &o, "... and 18 more (12 workers, 1 supervisor, 5 linked)"));
  /* the defaults: Mermaid draws no links and no externals, the image all */
  bv_emit_opts_init(&o);
  o.max_children = 0;
  char *text = mermaid(t, &o, BV_FMT_MERMAID, NULL);
  CHECK_INT(count(text, " -.- "), 0);
  CHECK_INT(count(text, ":::external"), 0);
  free(text);
  bv_emit_info ii;
  bv_scene *sc = image(t, &o, &ii);
  shown b = {0};
  from_scene(sc, &b);
  CHECK_INT(b.dotted, 8);
  CHECK_INT(ii.nodes, t->n);
  shown_free(&b);
  bv_scene_free(sc);
  bv_tree_free(t);
}

int main(void)
{
  test_mixed();
  test_links();
  test_reduced();
  return check_report();
}
