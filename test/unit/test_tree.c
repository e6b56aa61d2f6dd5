/* test_tree.c: supervision-tree model: pid syntax, labels and escaping in
 * context, folding, Mermaid limits, JSON round trip, bad model files. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "save_util.h"

#include "tree_build.h"

/* The registry's writer (bv_emit_tree_mermaid) into memory: a malloc'd copy
 * of the text; info may be NULL. */
static char *mermaid_fmt(const bv_tree *t, const bv_emit_opts *o, bv_format fmt,
                         bv_emit_info *info)
{
  bv_model m = {BV_MODEL_TREE, {.tree = (bv_tree *)t}};
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  if (info)
    memset(info, 0, sizeof *info);
  CHECK_INT(bv_emit_tree_mermaid(&m, fmt, o, out, info), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

static char *mermaid(const bv_tree *t, unsigned mc, unsigned md, bv_emit_info *info)
{
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.max_children = mc;
  o.max_depth = md;
  o.links = BV_LINKS_ALL; /* Mermaid's default draws none; these count them */
  return mermaid_fmt(t, &o, BV_FMT_MERMAID, info);
}

static bv_tree_view *view(const bv_tree *t, unsigned mc, unsigned md)
{
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  o.max_children = mc;
  o.max_depth = md;
  bv_tree_view *v = NULL;
  CHECK_INT(bv_tree_view_make(t, &o, &v), 0);
  return v;
}

/* A plain loop, not strstr: ASan's strstr reads the whole rest of the text at
 * every call, which made counting the lines of a 50 MB deep text quadratic. */
static size_t count(const char *s, const char *needle)
{
  size_t k = 0, n = strlen(needle);
  for (const char *p = s; *p;)
    if (strncmp(p, needle, n) == 0) {
      k++;
      p += n;
    } else {
      p++;
    }
  return k;
}

/* --- --sup: the forms every option that takes a process accepts -------------- */

static void test_parse_pid(void)
{
  static const struct {
    const char *in;
    int rc;
    const char *out;
  } cases[] = {
      {"<0.123.0>", 1, "<0.123.0>"},
      {"#PID<0.12.3>", 1, "<0.12.3>"},
      {"0.5.0", 1, "<0.5.0>"},
      {"<3.1.0>", 1, "<3.1.0>"},
      {"kernel_sup", 0, "kernel_sup"},
      {"Elixir.MyApp.Sup", 0, "Elixir.MyApp.Sup"},
      {"MyApp.Supervisor", 0, "MyApp.Supervisor"},
      {":logger_sup", 0, "logger_sup"},
      {" kernel_sup ", 0, "kernel_sup"},
      {"", BV_EINVAL, NULL},
      {"<0.1>", BV_EINVAL, NULL},
      {"<0.x.1>", BV_EINVAL, NULL},
      {"#PID<0.1.0", BV_EINVAL, NULL},
      {"<0.1.0", BV_EINVAL, NULL},
      {"<>", BV_EINVAL, NULL},
      {"0.1.0.4", BV_EINVAL, NULL},
      {"1abc", BV_EINVAL, NULL},
      {"<0..1>", BV_EINVAL, NULL},
      {"<0.99999999999.0>", BV_EINVAL, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[64] = "";
    int rc = bv_who_parse(cases[i].in, out, sizeof out);
    CHECK_INT(rc, cases[i].rc);
    if (cases[i].out)
      CHECK_STR(out, cases[i].out);
  }
}

/* --- labels and escaping in context ----------------------------------------- */

static void test_labels(void)
{
  static const struct {
    bv_tnode_kind kind;
    const char *pid, *name, *id, *role, *state;
    int elixir;
    const char *label;
  } cases[] = {
      {BV_TN_WORKER, "<0.5.0>", "code_server", "code_server", NULL, NULL, 0, "code_server"},
      {BV_TN_WORKER, "<0.5.0>", NULL, "task", NULL, NULL, 0, "task <0.5.0>"},
      {BV_TN_WORKER, "<0.5.0>", NULL, "Task", NULL, NULL, 1, "Task #PID<0.5.0>"},
      {BV_TN_WORKER, "<0.5.0>", NULL, NULL, NULL, NULL, 0, "<0.5.0>"},
      {BV_TN_WORKER, "<0.5.0>", NULL, NULL, NULL, NULL, 1, "#PID<0.5.0>"},
      {BV_TN_ROOT, "<0.46.0>", NULL, NULL, "application master", NULL, 0,
       "application master <0.46.0>"},
      {BV_TN_NOTSTARTED, NULL, NULL, "net_sup", NULL, "undefined", 0, "net_sup\n(undefined)"},
      {BV_TN_NOTSTARTED, NULL, NULL, "w", NULL, "restarting", 0, "w\n(restarting)"},
      {BV_TN_UNRESPONSIVE, "<0.9.0>", "stuck", NULL, NULL, "no answer: timeout", 0,
       "stuck\n(no answer: timeout)"},
      {BV_TN_EXTERNAL, "#Port<0.5>", NULL, NULL, NULL, NULL, 1, "#Port<0.5>"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bv_tree t;
    memset(&t, 0, sizeof t);
    t.elixir = cases[i].elixir;
    bv_tnode n;
    memset(&n, 0, sizeof n);
    n.kind = cases[i].kind;
    n.pid = cases[i].pid;
    n.name = cases[i].name;
    n.child_id = cases[i].id;
    n.role = cases[i].role;
    n.state = cases[i].state;
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_tree_label(&b, &t, &n, 0), 0);
    CHECK_STR(b.data, cases[i].label);
    bv_buf_dispose(&b);
  }
  /* folded nodes */
  static const struct {
    const char *role;
    uint32_t folded, sups, ext, total;
    const char *label;
  } folds[] = {
      {"siblings", 5, 0, 0, 5, "... and 5 more workers"},
      {"siblings", 1, 0, 0, 1, "... and 1 more worker"},
      {"siblings", 2, 2, 0, 9, "... and 2 more supervisors\n+7 below"},
      {"siblings", 6, 2, 1, 6, "... and 6 more (3 workers, 2 supervisors, 1 linked)"},
      {"siblings", 3, 0, 3, 3, "... and 3 more linked processes"},
      {"below", 42, 0, 0, 42, "42 more below"},
  };
  for (size_t i = 0; i < sizeof folds / sizeof *folds; i++) {
    bv_tnode n;
    memset(&n, 0, sizeof n);
    n.kind = BV_TN_FOLDED;
    n.role = folds[i].role;
    n.folded = folds[i].folded;
    n.folded_sups = folds[i].sups;
    n.folded_ext = folds[i].ext;
    n.folded_total = folds[i].total;
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_tree_label(&b, NULL, &n, 0), 0);
    CHECK_STR(b.data, folds[i].label);
    bv_buf_dispose(&b);
  }
  /* long names are cut at a UTF-8 boundary */
  {
    bv_tnode n;
    memset(&n, 0, sizeof n);
    n.kind = BV_TN_WORKER;
    n.name = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  /* 6 x e-acute, 12 bytes */
    bv_buf b;
    bv_buf_init(&b);
    bv_tree_label(&b, NULL, &n, 8);
    CHECK_STR(b.data, "\xc3\xa9\xc3\xa9...");
    bv_buf_dispose(&b);
  }
}

/* Unnamed dynamic children and linked processes: the module of the child
 * spec (or the initial call) in the target's syntax. */
static void test_module_labels(void)
{
  static const struct {
    bv_tnode_kind kind;
    const char *pid, *name, *id, *module, *state;
    int elixir;
    const char *label;
  } cases[] = {
      {BV_TN_WORKER, "<0.152.0>", NULL, NULL, "demo_session", NULL, 0, "demo_session <0.152.0>"},
      {BV_TN_WORKER, "<0.152.0>", NULL, NULL, "DemoApp.Session", NULL, 1,
       "DemoApp.Session #PID<0.152.0>"},
      {BV_TN_WORKER, "<0.152.0>", NULL, NULL, "Elixir.DemoApp.Session", NULL, 1,
       "DemoApp.Session #PID<0.152.0>"},
      /* a child id, a name or "dynamic" modules go before / are not shown */
      {BV_TN_WORKER, "<0.5.0>", NULL, "task", "demo_task", NULL, 0, "task <0.5.0>"},
      {BV_TN_WORKER, "<0.5.0>", "reg", NULL, "demo_task", NULL, 0, "reg"},
      {BV_TN_WORKER, "<0.5.0>", NULL, NULL, "dynamic", NULL, 0, "<0.5.0>"},
      {BV_TN_NOTSTARTED, NULL, NULL, NULL, "demo_session", "restarting", 0,
       "demo_session\n(restarting)"},
      /* linked processes: the initial call on a second line, Elixir's way there */
      {BV_TN_EXTERNAL, "<0.160.0>", NULL, NULL, "proc_lib:init_p/5", NULL, 0,
       "<0.160.0>\nproc_lib:init_p/5"},
      {BV_TN_EXTERNAL, "<0.160.0>", NULL, NULL, "proc_lib:init_p/5", NULL, 1,
       "#PID<0.160.0>\n:proc_lib.init_p/5"},
      {BV_TN_EXTERNAL, "<0.160.0>", NULL, NULL, "DemoApp.Worker:init/1", NULL, 1,
       "#PID<0.160.0>\nDemoApp.Worker.init/1"},
      {BV_TN_EXTERNAL, "<0.160.0>", "cache", NULL, "Elixir.DemoApp.Cache", NULL, 1,
       "cache\nDemoApp.Cache"},
      {BV_TN_EXTERNAL, "#Port<0.7>", NULL, NULL, "sh -c a:b/1", NULL, 1,
       "#Port<0.7>\nsh -c a:b/1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bv_tree t;
    memset(&t, 0, sizeof t);
    t.elixir = cases[i].elixir;
    bv_tnode n;
    memset(&n, 0, sizeof n);
    n.kind = cases[i].kind;
    n.pid = cases[i].pid;
    n.name = cases[i].name;
    n.child_id = cases[i].id;
    n.module = cases[i].module;
    n.state = cases[i].state;
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_tree_label(&b, &t, &n, 0), 0);
    CHECK_STR(b.data, cases[i].label);
    bv_buf_dispose(&b);
  }
  /* the 80-byte cut still holds with a module */
  {
    bv_tree t;
    memset(&t, 0, sizeof t);
    bv_tnode n;
    memset(&n, 0, sizeof n);
    n.kind = BV_TN_WORKER;
    n.pid = "<0.152.0>";
    n.module = "a_module_name_that_is_long_enough_to_be_cut_somewhere_past_eighty_bytes_in_all";
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_tree_label(&b, &t, &n, 0), 0);
    CHECK_INT(b.len, 80);
    CHECK(b.len >= 3 && strcmp(b.data + 77, "...") == 0);
    bv_buf_dispose(&b);
  }
}

/* --format text: the registry's writer into memory. */
static char *text_fmt(const bv_tree *t, unsigned mc, bv_emit_info *info)
{
  bv_model m = {BV_MODEL_TREE, {.tree = (bv_tree *)t}};
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.max_children = mc;
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  CHECK_INT(bv_emit(&m, BV_FMT_TEXT, &o, out, info), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

static void tb_module(tb *b, uint32_t i, const char *module)
{
  b->t->nodes[i].module = bv_arena_strdup(b->t->arena, module);
}

static void test_text_tree(void)
{
  /* Elixir: a fold node, a dynamic child, a linked process, a state */
  tb b;
  tb_init(&b, 1);
  tb_add(&b, -1, BV_TN_ROOT, "<0.100.0>", "DemoApp.Supervisor", NULL);
  tb_add(&b, 0, BV_TN_WORKER, "<0.101.0>", "DemoApp.Cache", "DemoApp.Cache");
  tb_add(&b, 0, BV_TN_SUPERVISOR, "<0.102.0>", NULL, "DemoApp.Sessions");
  tb_add(&b, 0, BV_TN_WORKER, "<0.103.0>", NULL, "w3");
  tb_add(&b, 0, BV_TN_SUPERVISOR, "<0.104.0>", NULL, "s4");
  uint32_t d = tb_add(&b, 2, BV_TN_WORKER, "<0.152.0>", NULL, NULL);
  tb_module(&b, d, "DemoApp.Session");
  uint32_t e = tb_add(&b, 2, BV_TN_EXTERNAL, "<0.160.0>", NULL, NULL);
  tb_module(&b, e, "DemoApp.Worker:init/1");
  uint32_t r = tb_add(&b, 2, BV_TN_NOTSTARTED, NULL, NULL, NULL);
  tb_module(&b, r, "DemoApp.Session");
  b.t->nodes[r].state = "restarting";
  tb_add(&b, 4, BV_TN_WORKER, "<0.170.0>", NULL, "x");
  bv_tree *t = tb_done(&b);
  bv_emit_info info;
  char *s = text_fmt(t, 2, &info);
  /* the fold keeps the supervisors with subtrees; leaf workers fold first */
  CHECK_STR(s, "DemoApp.Supervisor [root]\n"
               "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 DemoApp.Sessions #PID<0.102.0> [supervisor]\n"
               "\xe2\x94\x82   \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 "
               "DemoApp.Session #PID<0.152.0> [worker]\n"
               "\xe2\x94\x82   \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 "
               "#PID<0.160.0> DemoApp.Worker.init/1 [external]\n"
               "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 ... and 1 more worker [folded]\n"
               "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 s4 #PID<0.104.0> [supervisor]\n"
               "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 x #PID<0.170.0> [worker]\n"
               "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 ... and 2 more workers [folded]\n");
  free(s);
  /* the same fold counts as every other format */
  CHECK_INT(info.folds, 2);
  CHECK_INT(info.hidden_siblings, 3);
  CHECK_INT(info.nodes, 9);
  /* whole (no fold): the last child's subtree is indented with spaces */
  s = text_fmt(t, 0, NULL);
  CHECK(s && strstr(s, "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 s4 #PID<0.104.0> [supervisor]\n"
                       "    \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 x #PID<0.170.0> [worker]\n") != NULL);
  CHECK(s && strstr(s, "DemoApp.Session (restarting) [notstarted]\n") != NULL);
  free(s);
  bv_tree_free(t);

  /* a deep chain is written without recursion; control characters escaped */
  tb_init(&b, 0);
  tb_add(&b, -1, BV_TN_ROOT, "<0.1.0>", "top\x1b[2J", NULL);
  for (int i = 1; i < 5000; i++)
    tb_add(&b, i - 1, BV_TN_SUPERVISOR, "<0.2.0>", "s", NULL);
  t = tb_done(&b);
  s = text_fmt(t, 0, NULL);
  CHECK(s && strncmp(s, "top\\x1b[2J [root]\n", 18) == 0);
  CHECK_INT(s ? count(s, "\n") : 0, 5000);
  free(s);
  bv_tree_free(t);
}

/* Hostile names inside a whole Mermaid document: each label stays one quoted
 * token, nothing that ends a label or statement survives unescaped. */
static void test_escaping_in_context(void)
{
  tb b;
  tb_init(&b, 1);
  tb_add(&b, -1, BV_TN_ROOT, "<0.80.0>", "a\"b(c)#d;e|f<g>h end \xc3\xa9\xe2\x9c\x93", NULL);
  tb_add(&b, 0, BV_TN_WORKER, "<0.81.0>", NULL, "{'x',\"q\"}`\\n:&");
  tb_add(&b, 0, BV_TN_WORKER, "<0.82.0>", "end", NULL);
  tb_add(&b, 0, BV_TN_NOTSTARTED, NULL, NULL, "line1\nline2");
  b.t->nodes[3].state = "restarting";
  bv_tree *t = tb_done(&b);
  char *m = mermaid(t, 12, 0, NULL);
  CHECK(strncmp(m, "graph TD\n", 9) == 0);
  CHECK(strstr(m, "  n0[\"a#34;b(c)#35;d#59;e#124;f#60;g#62;h end \xc3\xa9\xe2\x9c\x93\"]:::root\n") != NULL);
  CHECK(strstr(m, "  n1[\"{'x',#34;q#34;}#96;#92;n#58;#38; #35;PID#60;0.81.0#62;\"]:::worker\n") != NULL);
  CHECK(strstr(m, "  n2[\"end\"]:::worker\n") != NULL);
  CHECK(strstr(m, "  n3[\"line1<br/>line2<br/>(restarting)\"]:::notstarted\n") != NULL);
  CHECK(strstr(m, "  n0 --> n1\n  n0 --> n2\n  n0 --> n3\n") != NULL);
  /* every label line: exactly two double quotes, no raw ; # < > | outside entities */
  for (char *line = m; line && *line;) {
    char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    if (strncmp(line, "  n", 3) == 0 && memchr(line, '[', len)) {
      size_t q = 0;
      for (size_t i = 0; i < len; i++)
        q += line[i] == '"';
      CHECK_INT(q, 2);
      const char *open = memchr(line, '"', len);
      const char *close = memchr(open + 1, '"', len - (size_t)(open + 1 - line));
      for (const char *p = open + 1; p < close; p++) {
        if (*p == '<') {
          CHECK(strncmp(p, "<br/>", 5) == 0);
          p += 4;
          continue;
        }
        CHECK(*p != '|' && *p != '>' && *p != '\\' && *p != '`');
        if (*p == '#') {
          const char *e = p + 1;
          while (*e >= '0' && *e <= '9')
            e++;
          CHECK(e > p + 1 && *e == ';');
        }
        if (*p == ';')
          CHECK(p[-1] >= '0' && p[-1] <= '9');
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  /* deterministic */
  char *m2 = mermaid(t, 12, 0, NULL);
  CHECK_STR(m2, m);
  free(m);
  free(m2);
  /* markdown fence and direction */
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.left_right = 1;
  char *md = mermaid_fmt(t, &o, BV_FMT_MD, NULL);
  size_t len = md ? strlen(md) : 0;
  CHECK(md && strncmp(md, "```mermaid\ngraph LR\n", 20) == 0);
  CHECK(len > 4 && strcmp(md + len - 4, "```\n") == 0);
  free(md);
  bv_tree_free(t);
}

/* --- folding ------------------------------------------------------------------ */

static void test_fold(void)
{
  tb b;
  tb_init(&b, 0);
  tb_add(&b, -1, BV_TN_ROOT, "<0.1.0>", "top", NULL);
  char pid[32];
  /* 30 children: 0..24 workers, 25..28 supervisors, 29 external */
  for (int i = 0; i < 30; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 100 + i);
    tb_add(&b, 0, i < 25 ? BV_TN_WORKER : i < 29 ? BV_TN_SUPERVISOR : BV_TN_EXTERNAL, pid, NULL,
           NULL);
  }
  /* supervisor 26 (node 27) has 3 children, each with one child */
  for (int i = 0; i < 3; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 200 + i);
    tb_add(&b, 27, BV_TN_WORKER, pid, NULL, NULL);
  }
  for (int i = 0; i < 3; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 300 + i);
    tb_add(&b, 31 + i, BV_TN_WORKER, pid, NULL, NULL);
  }
  bv_tree *t = tb_done(&b);
  t->nlinks = 2;
  t->links = bv_arena_alloc(t->arena, 2 * sizeof *t->links);
  t->links[0] = (bv_tedge){1, 2};
  t->links[1] = (bv_tedge){2, 30};
  CHECK_INT(t->n, 37);

  /* no limits: identical shape, every label and class */
  bv_tree_view *vw = view(t, 0, 0);
  bv_tree *v = vw->tree;
  CHECK_INT(v->n, t->n);
  CHECK_INT(v->nlinks, 2);
  CHECK_INT(vw->folds, 0);
  CHECK_INT(vw->nodes, 37);
  CHECK_INT(vw->depth, 3);
  CHECK_INT(vw->model[5], 5);
  CHECK_STR(vw->label[0], "top");
  CHECK_STR(vw->label[1], "<0.100.0>");
  CHECK_STR(vw->cls[0], "root");
  CHECK_STR(vw->cls[27], "supervisor");
  CHECK_STR(vw->cls[30], "external");
  bv_tree_view_free(vw);

  /* max-children 12: the supervisor with a subtree (27), the childless
     supervisors (26, 28, 29), then the first 8 workers, in start order; one
     fold of the 18 others (17 workers, the external) */
  vw = view(t, 12, 0);
  v = vw->tree;
  CHECK_INT(v->n, 20);
  CHECK_INT(v->nodes[0].nchildren, 13);
  for (int i = 0; i < 8; i++)
    CHECK_INT(vw->model[1 + i], 1 + i);
  CHECK_INT(vw->model[9], 26);
  CHECK_INT(vw->model[10], 27);
  CHECK_INT(vw->model[11], 28);
  CHECK_INT(vw->model[12], 29);
  CHECK_INT(v->nodes[10].nchildren, 3);
  const bv_tnode *f = &v->nodes[13];
  CHECK_INT(f->kind, BV_TN_FOLDED);
  CHECK_STR(f->role, "siblings");
  CHECK_INT(f->folded, 18);
  CHECK_INT(f->folded_sups, 0);
  CHECK_INT(f->folded_ext, 1);
  CHECK_INT(f->folded_total, 18);
  CHECK_INT(vw->model[13], -1);
  CHECK_STR(vw->cls[13], "folded");
  CHECK_STR(vw->label[13], "... and 18 more (17 workers, 1 linked)");
  CHECK_INT(vw->hidden_siblings, 18);
  CHECK_INT(vw->max_children, 12);
  CHECK_INT(v->nlinks, 1);   /* 1-2 kept, 2-30 dropped (30 folded) */
  bv_tree_view_free(vw);

  /* max-children 2: the subtree first, then a childless supervisor; the fold
     counts 25 workers, 2 supervisors, 1 linked */
  vw = view(t, 2, 0);
  v = vw->tree;
  CHECK_INT(vw->model[1], 26);
  CHECK_INT(vw->model[2], 27);
  CHECK_STR(vw->label[3], "... and 28 more (25 workers, 2 supervisors, 1 linked)");
  bv_tree_view_free(vw);

  /* max-depth 1: supervisor 27's 6 descendants become "6 more below" */
  vw = view(t, 0, 1);
  v = vw->tree;
  CHECK_INT(v->n, 32);
  CHECK_INT(v->nodes[27].nchildren, 1);
  f = &v->nodes[v->nodes[27].first_child];
  CHECK_INT(f->kind, BV_TN_FOLDED);
  CHECK_STR(f->role, "below");
  CHECK_INT(f->folded, 6);
  CHECK_STR(vw->label[v->nodes[27].first_child], "6 more below");
  CHECK_INT(vw->hidden_below, 6);
  CHECK_INT(vw->max_depth, 1);
  /* the view is still a valid breadth-first tree */
  for (size_t i = 1; i < v->n; i++) {
    CHECK(v->nodes[i].parent >= 0 && (size_t)v->nodes[i].parent < i);
    CHECK(i < 2 || v->nodes[i].parent >= v->nodes[i - 1].parent);
  }
  bv_tree_view_free(vw);

  /* a depth limit at or past the deepest level folds nothing and says 0 */
  vw = view(t, 0, 3);
  CHECK_INT(vw->tree->n, t->n);
  CHECK_INT(vw->max_depth, 0);
  bv_tree_view_free(vw);

  /* max-children 1: the one child with a subtree stays, and its own first
     child (each has a subtree) with its child */
  vw = view(t, 1, 0);
  CHECK_INT(vw->tree->n, 6);
  CHECK_INT(vw->model[1], 27);
  bv_tree_view_free(vw);

  /* Mermaid: folded ids are generated like any other; links dotted */
  bv_emit_info fi;
  char *m = mermaid(t, 12, 0, &fi);
  CHECK(strstr(m, "  n13[\"... and 18 more (17 workers, 1 linked)\"]:::folded\n") != NULL);
  CHECK(strstr(m, "  n1 -.- n2\n") != NULL);
  CHECK_INT(fi.folds, 1);
  CHECK_INT(fi.reduced, 0);
  CHECK_INT(count(m, " --> ") + count(m, " -.- "), 20);
  free(m);
  bv_tree_free(t);
}

/* Indices that do not make a tree are errors of the view, whoever draws it. */
static void test_view_bad(void)
{
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  bv_tree_view *v = NULL;
  bv_tree t;
  memset(&t, 0, sizeof t);
  CHECK_INT(bv_tree_view_make(&t, &o, &v), BV_EINVAL);
  bv_tnode nodes[3];
  memset(nodes, 0, sizeof nodes);
  nodes[0].parent = -1;
  nodes[0].first_child = 1;
  nodes[0].nchildren = 2;
  nodes[1].parent = 0;
  nodes[2].parent = 0;
  t.n = 3;
  t.nodes = nodes;
  CHECK_INT(bv_tree_view_make(&t, &o, &v), 0);
  bv_tree_view_free(v);
  v = NULL;
  nodes[1].first_child = 0; /* a cycle back to the root */
  nodes[1].nchildren = 1;
  CHECK_INT(bv_tree_view_make(&t, &o, &v), BV_EINVAL);
  nodes[1].first_child = 2; /* a sibling as a child */
  CHECK_INT(bv_tree_view_make(&t, &o, &v), BV_EINVAL);
  nodes[1].nchildren = 0;
  nodes[0].nchildren = 7; /* past the end */
  CHECK_INT(bv_tree_view_make(&t, &o, &v), BV_EINVAL);
  nodes[0].nchildren = 2;
  nodes[2].parent = 2;
  CHECK_INT(bv_tree_view_make(&t, &o, &v), BV_EINVAL);
  CHECK(v == NULL);
  CHECK_INT(bv_tree_view_make(&t, NULL, &v), BV_EINVAL);
}

/* Trees too big for Mermaid are reduced automatically until they fit. */
static void test_mermaid_limits(void)
{
  /* 2,000 children, no folding asked */
  tb b;
  tb_init(&b, 0);
  tb_add(&b, -1, BV_TN_ROOT, "<0.1.0>", "big_sup", NULL);
  char pid[32];
  for (int i = 0; i < 2000; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 100 + i);
    tb_add(&b, 0, BV_TN_WORKER, pid, NULL, NULL);
  }
  bv_tree *t = tb_done(&b);
  bv_emit_info fi;
  char *m = mermaid(t, 0, 0, &fi);
  CHECK(count(m, " --> ") < 500);
  CHECK(strlen(m) <= 50000);
  CHECK_INT(fi.reduced, 1);
  CHECK(fi.max_children > 0 && fi.max_children < 500);
  /* the limit told draws what was written: max_children workers and a fold */
  CHECK_INT(count(m, " --> "), fi.max_children + 1);
  free(m);
  bv_tree_free(t);

  /* 300 nodes in 3 levels with 80-byte hostile names: characters, not edges */
  tb_init(&b, 0);
  tb_add(&b, -1, BV_TN_ROOT, "<0.1.0>", "root", NULL);
  char name[128];
  memset(name, ';', 80);
  name[80] = 0;
  for (int i = 0; i < 20; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 100 + i);
    tb_add(&b, 0, BV_TN_SUPERVISOR, pid, name, NULL);
  }
  for (int i = 0; i < 280; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 1000 + i);
    tb_add(&b, 1 + i / 14, BV_TN_WORKER, pid, name, NULL);
  }
  t = tb_done(&b);
  m = mermaid(t, 0, 0, &fi);
  CHECK(count(m, " --> ") + count(m, " -.- ") < 500);
  CHECK(strlen(m) <= 50000);
  CHECK_INT(fi.reduced, 1);
  free(m);
  bv_tree_free(t);
}

/* A chain deeper than any fixed number of tightening steps: the depth that fits is
 * found whatever the depth, and what info says is what was written. */
static void test_mermaid_deep(void)
{
  for (int links = 0; links < 2; links++) {
    tb b;
    tb_init(&b, 0);
    char pid[32];
    for (int i = 0; i < 700; i++) {
      snprintf(pid, sizeof pid, "<0.%d.0>", 100 + i);
      tb_add(&b, i - 1, i ? BV_TN_SUPERVISOR : BV_TN_ROOT, pid, NULL, NULL);
    }
    bv_tree *t = tb_done(&b);
    if (links) { /* a link from every node to the one three below */
      t->nlinks = 697;
      t->links = bv_arena_alloc(t->arena, t->nlinks * sizeof *t->links);
      for (uint32_t i = 0; i < t->nlinks; i++)
        t->links[i] = (bv_tedge){i, i + 3};
    }
    bv_emit_info fi;
    char *m = mermaid(t, 12, 0, &fi);
    size_t edges = count(m, " --> ") + count(m, " -.- ");
    CHECK(edges < 500);
    CHECK(strlen(m) <= 50000);
    CHECK_INT(fi.reduced, 1);
    /* the deepest that fits: depth D shows D + 1 nodes and one fold, D + 1 edges,
       and with the links (kept as long as a depth fits) D - 2 more */
    CHECK_INT(fi.max_depth, links ? 250 : 498);
    CHECK_INT(edges, fi.max_depth + 1 + (links ? fi.max_depth - 2 : 0));
    CHECK_INT(fi.links_dropped, 0);
    CHECK(strstr(m, "more below") != NULL);
    free(m);
    /* a depth asked for is tightened as well, never loosened */
    m = mermaid(t, 0, 600, &fi);
    CHECK(count(m, " --> ") + count(m, " -.- ") < 500);
    CHECK(fi.max_depth > 0 && fi.max_depth < 600);
    free(m);
    bv_tree_free(t);
  }
}

/* --- JSON --------------------------------------------------------------------- */

static void test_json_round_trip(void)
{
  tb b;
  tb_init(&b, 1);
  tb_add(&b, -1, BV_TN_ROOT, "<0.46.0>", NULL, NULL);
  b.t->nodes[0].role = "application master";
  b.t->nodes[0].module = "application_master";
  tb_add(&b, 0, BV_TN_SUPERVISOR, "<0.49.0>", "My.Sup \"q\" \xc3\xa9", NULL);
  tb_add(&b, 1, BV_TN_WORKER, "<0.50.0>", NULL, "{worker,1}");
  tb_add(&b, 1, BV_TN_NOTSTARTED, NULL, NULL, "ignored");
  tb_add(&b, 1, BV_TN_UNRESPONSIVE, "<0.52.0>", "stuck", "stuck");
  tb_add(&b, 1, BV_TN_EXTERNAL, "#Port<0.7>", NULL, NULL);
  b.t->nodes[2].type = "worker";
  b.t->nodes[3].state = "undefined";
  b.t->nodes[4].state = "no answer: timeout";
  b.t->nodes[5].module = "efile";
  bv_tree *t = tb_done(&b);
  t->walk_ms = 12;
  t->nlinks = 1;
  t->links = bv_arena_alloc(t->arena, sizeof *t->links);
  t->links[0] = (bv_tedge){2, 4};
  bv_buf j;
  bv_buf_init(&j);
  CHECK_INT(save_json(BV_MODEL_TREE, t, &j), 0);
  bv_model m;
  CHECK_INT(bv_model_load_mem("t.json", j.data, j.len, &m), 0);
  CHECK_INT(m.kind, BV_MODEL_TREE);
  bv_tree *u = m.u.tree;
  CHECK(u != NULL);
  if (u) {
    CHECK_INT(u->n, t->n);
    CHECK_INT(u->elixir, 1);
    CHECK_STR(u->node, "test@127.0.0.1");
    CHECK_INT(u->walk_ms, 12);
    CHECK_INT(u->nlinks, 1);
    CHECK_STR(u->nodes[1].name, "My.Sup \"q\" \xc3\xa9");
    CHECK_STR(u->nodes[0].role, "application master");
    CHECK_INT(u->nodes[1].first_child, 2);
    CHECK_INT(u->nodes[1].nchildren, 4);
    CHECK_INT(u->nodes[5].kind, BV_TN_EXTERNAL);
    CHECK(u->nodes[3].pid == NULL);
    bv_buf j2;
    bv_buf_init(&j2);
    save_json(BV_MODEL_TREE, u, &j2);
    CHECK_STR(j2.data, j.data);
    /* Mermaid from the loaded tree is the same as from the original */
    char *m1 = mermaid(t, 12, 0, NULL), *m2 = mermaid(u, 12, 0, NULL);
    CHECK_STR(m2, m1);
    free(m1);
    free(m2);
    bv_buf_dispose(&j2);
  }
  bv_model_dispose(&m);
  bv_buf_dispose(&j);
  bv_tree_free(t);
}

static void test_bad_files(void)
{
  static const struct {
    const char *json;
    const char *msg;
  } cases[] = {
      {"{\"format\":\"beamviz.suptree\",\"version\":1}", "node"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\"}", "nodes"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[]}", "nodes"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":{}}", "nodes"},
      {"{\"format\":\"beamviz.suptree\",\"version\":2,\"node\":\"n\",\"nodes\":[]}", "newer"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":0}]}",
       "nodes[0].parent"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1},{\"kind\":\"worker\",\"parent\":1}]}",
       "nodes[1].parent"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1},{\"kind\":\"worker\",\"parent\":0},{\"kind\":\"worker\",\"parent\":1},"
       "{\"kind\":\"worker\",\"parent\":0}]}",
       "nodes[3].parent"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"boss\","
       "\"parent\":-1}]}",
       "nodes[0].kind"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":\"x\"}]}",
       "nodes[0].parent"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1,\"name\":7}]}",
       "nodes[0].name"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1},{\"kind\":\"worker\",\"parent\":0}],\"links\":[[0,5]]}",
       "links[0]"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1},{\"kind\":\"worker\",\"parent\":0}],\"links\":[[1,1]]}",
       "links[0]"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1},{\"kind\":\"worker\",\"parent\":0}],\"links\":[[0]]}",
       "links[0]"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"folded\","
       "\"parent\":-1,\"folded\":-3}]}",
       "nodes[0].folded"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[7]}", "nodes[0]"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"n\",\"nodes\":[{\"kind\":\"root\","
       "\"parent\":-1}", "not valid JSON"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bv_model m;
    int rc = bv_model_load_mem("bad.json", cases[i].json, strlen(cases[i].json), &m);
    CHECK_INT(rc, BV_EFORMAT);
    CHECK(m.kind == BV_MODEL_NONE);
    const char *e = bv_error_last();
    if (!strstr(e, cases[i].msg) || !strstr(e, "bad.json"))
      fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, e, cases[i].msg);
    CHECK(strstr(e, cases[i].msg) != NULL);
    CHECK(strstr(e, "bad.json") != NULL);
  }
}

/* --max-depth counts supervision levels below an application's top
 * supervisor: the master and the start helper are not levels. */
static void test_depth_from_top(void)
{
  tb b;
  tb_init(&b, 0);
  b.t->mode = "app";
  uint32_t master = tb_add(&b, -1, BV_TN_ROOT, "<0.80.0>", NULL, NULL);
  b.t->nodes[master].role = "application master";
  uint32_t helper = tb_add(&b, 0, BV_TN_WORKER, "<0.81.0>", NULL, NULL);
  b.t->nodes[helper].role = "application start helper";
  tb_add(&b, 1, BV_TN_SUPERVISOR, "<0.82.0>", "top_sup", NULL);     /* 2: level 0 */
  tb_add(&b, 1, BV_TN_WORKER, "<0.83.0>", "early_worker", NULL);    /* 3: beside it */
  tb_add(&b, 2, BV_TN_SUPERVISOR, "<0.84.0>", "mid_sup", NULL);     /* 4: level 1 */
  tb_add(&b, 4, BV_TN_SUPERVISOR, "<0.85.0>", "low_sup", NULL);     /* 5: level 2 */
  tb_add(&b, 5, BV_TN_SUPERVISOR, "<0.86.0>", "leaf_sup", NULL);    /* 6: level 3 */
  tb_add(&b, 6, BV_TN_WORKER, "<0.87.0>", "w", NULL);               /* 7: level 4 */
  bv_tree *t = tb_done(&b);
  bv_tree_view *vw = view(t, 0, 0);
  CHECK_INT(vw->depth, 4);
  bv_tree_view_free(vw);
  /* depth 2: top_sup, mid_sup, low_sup shown; low_sup's 2 below folded */
  vw = view(t, 0, 2);
  CHECK_INT(vw->tree->n, 7);
  CHECK_INT(vw->max_depth, 2);
  CHECK_INT(vw->hidden_below, 2);
  CHECK_INT(vw->model[5], 5);
  CHECK_STR(vw->label[6], "2 more below");
  CHECK_INT(vw->tree->nodes[6].parent, 5);
  bv_tree_view_free(vw);
  /* depth 1 keeps the whole chain, the top supervisor and its child */
  vw = view(t, 0, 1);
  CHECK_INT(vw->tree->n, 6);
  CHECK_INT(vw->model[4], 4);
  CHECK_STR(vw->label[5], "3 more below");
  bv_tree_view_free(vw);
  /* depth 4 = the deepest level folds nothing */
  vw = view(t, 0, 4);
  CHECK_INT(vw->tree->n, t->n);
  CHECK_INT(vw->max_depth, 0);
  bv_tree_view_free(vw);
  /* the same chain under --sup (no application chain): levels from the root */
  b.t = NULL;
  t->nodes[0].role = NULL;
  t->nodes[1].role = NULL;
  vw = view(t, 0, 2);
  CHECK_INT(vw->depth, 6);
  CHECK_INT(vw->tree->n, 5);
  CHECK_STR(vw->label[4], "4 more below");
  bv_tree_view_free(vw);
  bv_tree_free(t);
}

/* Mermaid's direction: auto (the default) writes TD for a tree whose
 * estimated render fits, LR for 24 supervisors of 16 workers (TD would be far
 * wider than 3 times its height); TD and LR asked for are written as asked. */
static void test_mermaid_direction(void)
{
  tb b;
  tb_init(&b, 0);
  tb_add(&b, -1, BV_TN_ROOT, "<0.80.0>", "big_app_sup", NULL);
  char pid[32], name[32];
  for (int i = 0; i < 24; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 100 + i);
    snprintf(name, sizeof name, "conn_sup_%d", i);
    tb_add(&b, 0, BV_TN_SUPERVISOR, pid, name, NULL);
  }
  for (int i = 0; i < 24 * 16; i++) {
    snprintf(pid, sizeof pid, "<0.%d.0>", 200 + i);
    snprintf(name, sizeof name, "worker_%d", i % 16);
    tb_add(&b, 1 + i / 16, BV_TN_WORKER, pid, NULL, name);
  }
  bv_tree *t = tb_done(&b);
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  char *m = mermaid_fmt(t, &o, BV_FMT_MERMAID, NULL);
  CHECK(m && strncmp(m, "graph LR\n", 9) == 0);
  free(m);
  o.direction = BV_DIR_TD;
  m = mermaid_fmt(t, &o, BV_FMT_MERMAID, NULL);
  CHECK(m && strncmp(m, "graph TD\n", 9) == 0);
  free(m);
  /* a narrow tree: the root, a supervisor and a worker, each beside a fold
     node (6 boxes in a row, as max_children 2 gives, are already wider than
     3 times the height of 3 levels) */
  o.direction = BV_DIR_AUTO;
  o.max_children = 1;
  m = mermaid_fmt(t, &o, BV_FMT_MERMAID, NULL);
  CHECK(m && strncmp(m, "graph TD\n", 9) == 0);
  free(m);
  o.direction = BV_DIR_LR;
  m = mermaid_fmt(t, &o, BV_FMT_MERMAID, NULL);
  CHECK(m && strncmp(m, "graph LR\n", 9) == 0);
  free(m);
  bv_tree_free(t);
}

int main(void)
{
  test_parse_pid();
  test_labels();
  test_module_labels();
  test_text_tree();
  test_escaping_in_context();
  test_fold();
  test_depth_from_top();
  test_mermaid_direction();
  test_view_bad();
  test_mermaid_limits();
  test_mermaid_deep();
  test_json_round_trip();
  test_bad_files();
  return check_report();
}
