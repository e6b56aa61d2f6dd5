/* test_apps.c: the apps outputs with text from the node: the table carries no
 * control character (one application a line, nothing a terminal obeys) and
 * stays aligned; the JSON keeps the exact text as escaped data. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"
#include "util/jsonin.h"

#include <stdlib.h>
#include <string.h>

#include "save_util.h"

static bv_applist *make(void)
{
  bv_applist *l = calloc(1, sizeof *l);
  l->arena = bv_arena_new();
  l->node = "test@127.0.0.1";
  l->otp_release = "25";
  l->n = 3;
  l->apps = bv_arena_alloc(l->arena, l->n * sizeof *l->apps);
  l->apps[0] = (bv_app){"kernel", "8.5", "ERTS  CXC 138 10", 1, "<0.1.0>", "<0.2.0>",
                        "kernel_sup"};
  l->apps[1] = (bv_app){"bv\x1b[2Jevil", "1\r", "x\x1b[31mred\nline2\a \xC2\x9B" "2J \xFF",
                        0, NULL, NULL, NULL};
  l->apps[2] = (bv_app){"caf\xC3\xA9", NULL, NULL, 0, NULL, NULL, NULL};
  return l;
}

static void test_text(void)
{
  bv_applist *l = make();
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_apps_text(&b, l), 0);
  CHECK_STR(b.data, "NAME           VERSION  TREE  DESCRIPTION\n"
                    "kernel         8.5      yes   ERTS  CXC 138 10\n"
                    "bv\\x1b[2Jevil  1\\r      no    "
                    "x\\x1b[31mred\\nline2\\x07 \\u009b2J \\xff\n"
                    "caf\xC3\xA9           -        no    \n");
  /* no control byte at all but the line ends: four lines */
  size_t lines = 0;
  for (size_t i = 0; i < b.len; i++) {
    unsigned char c = (unsigned char)b.data[i];
    lines += c == '\n';
    CHECK(c == '\n' || (c >= 0x20 && c != 0x7f));
  }
  CHECK_INT(lines, 4);
  bv_buf_dispose(&b);
  bv_applist_free(l);
}

static void test_json(void)
{
  bv_applist *l = make();
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_APPS, l, &b), 0);
  /* data, escaped: \u001b, \n and \u009b, nothing raw */
  CHECK(strstr(b.data, "\"description\":\"x\\u001b[31mred\\nline2\\u0007 \\u009b2J "
                       "\xEF\xBF\xBD\"") != NULL);
  CHECK(strstr(b.data, "\xC2\x9B") == NULL);
  for (size_t i = 0; i < b.len; i++)
    CHECK(b.data[i] == '\n' || (unsigned char)b.data[i] >= 0x20);
  bv_jdoc *d = NULL;
  CHECK_INT(bv_jdoc_parse("apps.json", b.data, b.len, &d), 0);
  const bv_jv *apps = d ? bv_jv_get(bv_jdoc_root(d), "apps") : NULL;
  const char *desc = NULL;
  bv_arena *a = bv_arena_new();
  CHECK_INT(bv_jv_str(d, bv_jv_get(bv_jv_at(apps, 1), "description"), "description", a, &desc),
            0);
  CHECK_STR(desc, "x\x1b[31mred\nline2\a \xC2\x9B" "2J \xEF\xBF\xBD");
  bv_arena_free(a);
  bv_jdoc_free(d);
  bv_buf_dispose(&b);
  bv_applist_free(l);
}

/* bv_emit through the registry into memory: a malloc'd copy of the text. */
static char *emit(const bv_applist *l, bv_format fmt)
{
  bv_model m = {.kind = BV_MODEL_APPS};
  m.u.apps = (bv_applist *)l;
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  CHECK_INT(bv_emit(&m, fmt, NULL, out, NULL), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

/* CSV: RFC 4180 with CRLF, one row an application, cells cleaned as in the
 * process CSV (control characters escaped, quoted when they hold , or ",
 * a leading = + - @ defused). */
static void test_csv(void)
{
  bv_applist *l = make();
  l->apps[2].description = "=1+2, \"q\"";
  char *t = emit(l, BV_FMT_CSV);
  CHECK_STR(t, "name,version,tree,description\r\n"
               "kernel,8.5,yes,ERTS  CXC 138 10\r\n"
               "bv\\x1b[2Jevil,1\\r,no,x\\x1b[31mred\\nline2\\x07 \\u009b2J \\xff\r\n"
               "caf\xC3\xA9,,no,\"'=1+2, \"\"q\"\"\"\r\n");
  free(t);
  bv_applist_free(l);
}

/* Markdown: a table with the text table's columns; cells are clean text and
 * nothing in them ends a cell or starts markup. */
static void test_md(void)
{
  bv_applist *l = make();
  l->apps[2].description = "a|b <i>`c`</i>";
  char *t = emit(l, BV_FMT_MD);
  CHECK_STR(t, "| Name | Version | Tree | Description |\n"
               "|---|---|---|---|\n"
               "| kernel | 8.5 | yes | ERTS  CXC 138 10 |\n"
               "| bv\\\\x1b[2Jevil | 1\\\\r | no | "
               "x\\\\x1b[31mred\\\\nline2\\\\x07 \\\\u009b2J \\\\xff |\n"
               "| caf\xC3\xA9 | - | no | a\\|b \\<i\\>\\`c\\`\\</i\\> |\n");
  /* every row has its five cell borders */
  for (const char *p = t, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
    size_t bars = 0;
    for (const char *q = p; q < nl; q++)
      bars += *q == '|' && (q == p || q[-1] != '\\');
    CHECK_INT(bars, 5);
  }
  free(t);
  bv_applist_free(l);
}

/* --- a cluster's list ------------------------------------------------------ */

/* Three nodes asked: a@h (x 1.0, kernel 8.5), b@h failed (cookie), c@h
 * (x 2.0, kernel 8.5, only 1, a version-less y); all in one arena. */
static bv_applist *make_cluster(void)
{
  bv_applist *l = calloc(1, sizeof *l);
  l->arena = bv_arena_new();
  l->node = "2 nodes";
  l->nnodes = 3;
  l->nodes = bv_arena_alloc(l->arena, 3 * sizeof *l->nodes);
  l->lists = bv_arena_alloc(l->arena, 3 * sizeof *l->lists);
  l->nodes[0] = (bv_node_result){"a@h", 0, NULL, 0, 0, 0};
  l->nodes[1] = (bv_node_result){"b@h", BV_EAUTH, "node b@h rejected the handshake", 0, 0, 0};
  l->nodes[2] = (bv_node_result){"c@h", 0, NULL, 0, 0, 0};
  bv_applist *a = &l->lists[0], *c = &l->lists[2];
  a->node = "a@h";
  a->otp_release = "25";
  a->n = 2;
  a->apps = bv_arena_alloc(l->arena, 2 * sizeof *a->apps);
  a->apps[0] = (bv_app){"x", "1.0", "the x", 0, NULL, NULL, NULL};
  a->apps[1] = (bv_app){"kernel", "8.5", "ERTS", 1, "<0.1.0>", "<0.2.0>", "kernel_sup"};
  c->node = "c@h";
  c->otp_release = "26";
  c->n = 4;
  c->apps = bv_arena_alloc(l->arena, 4 * sizeof *c->apps);
  c->apps[0] = (bv_app){"kernel", "8.5", "ERTS", 1, "<0.1.0>", "<0.2.0>", "kernel_sup"};
  c->apps[1] = (bv_app){"x", "2.0", "the x", 0, NULL, NULL, NULL};
  c->apps[2] = (bv_app){"only", "1", NULL, 0, NULL, NULL, NULL};
  c->apps[3] = (bv_app){"y|z", NULL, NULL, 0, NULL, NULL, NULL};
  l->otp_release = "25";
  l->apps = bv_arena_alloc(l->arena, sizeof *l->apps);
  return l;
}

/* The matrix: rows by name, a column per collected node, "-" where not
 * running, "?" running without a version, "*" where versions differ; the
 * node not collected on a line of its own. */
static void test_cluster_matrix(void)
{
  bv_applist *l = make_cluster();
  char *t = emit(l, BV_FMT_TEXT);
  CHECK_STR(t, "APPLICATION  SKEW  a@h  c@h\n"
               "kernel             8.5  8.5\n"
               "only               -    1\n"
               "x            *     1.0  2.0\n"
               "y|z                -    ?\n"
               "not collected: b@h: node b@h rejected the handshake\n");
  free(t);
  t = emit(l, BV_FMT_CSV);
  CHECK_STR(t, "application,skew,a@h,c@h\r\n"
               "kernel,no,8.5,8.5\r\n"
               "only,no,,1\r\n"
               "x,yes,1.0,2.0\r\n"
               "y|z,no,,?\r\n");
  free(t);
  t = emit(l, BV_FMT_MD);
  CHECK_STR(t, "| Application | Skew | a@h | c@h |\n"
               "|---|---|---|---|\n"
               "| kernel |  | 8.5 | 8.5 |\n"
               "| only |  | - | 1 |\n"
               "| x | yes | 1.0 | 2.0 |\n"
               "| y\\|z |  | - | ? |\n"
               "\n- not collected: b@h (node b@h rejected the handshake)\n");
  free(t);
  bv_applist_free(l);
}

static int load(const char *text, bv_model *m)
{
  return bv_model_load_mem("a.json", text, strlen(text), m);
}

/* The file: written, read back, written again the same; render --node gives
 * one node's plain list. */
static void test_cluster_file(void)
{
  bv_applist *l = make_cluster();
  bv_buf b, b2;
  bv_buf_init(&b);
  bv_buf_init(&b2);
  CHECK_INT(save_json(BV_MODEL_APPS, l, &b), 0);
  CHECK(strstr(b.data, "\"nodes\":[") != NULL);
  CHECK(strstr(b.data, "{\"node\":\"b@h\",\"error\":\"cookie rejected\",\"reason\":\"node b@h "
                       "rejected the handshake\"}") != NULL);
  bv_buf_putc(&b, '\0');
  bv_model m;
  CHECK_INT(load(b.data, &m), 0);
  CHECK_INT(m.kind, BV_MODEL_APPS);
  if (m.kind == BV_MODEL_APPS) {
    bv_applist *r = m.u.apps;
    CHECK_INT(r->nnodes, 3);
    CHECK_STR(r->node, "2 nodes");
    CHECK_INT(r->nodes[1].code, BV_EAUTH);
    CHECK_INT(r->lists[2].n, 4);
    CHECK_STR(r->otp_release, "25");
    CHECK_INT(save_json(BV_MODEL_APPS, r, &b2), 0);
    bv_buf_putc(&b2, '\0');
    CHECK_STR(b2.data, b.data);
    CHECK_INT(bv_applist_select_node(r, "b@h"), BV_ENOTFOUND);
    CHECK(strstr(bv_error_last(), "it has: a@h, c@h") != NULL);
    CHECK_INT(bv_applist_select_node(r, "c@h"), 0);
    CHECK_INT(r->nnodes, 0);
    CHECK_STR(r->node, "c@h");
    CHECK_STR(r->otp_release, "26");
    char *t = emit(r, BV_FMT_CSV);
    CHECK_STR(t, "name,version,tree,description\r\n"
                 "kernel,8.5,yes,ERTS\r\n"
                 "x,2.0,no,the x\r\n"
                 "only,1,no,\r\n"
                 "y|z,,no,\r\n");
    free(t);
    CHECK_INT(bv_applist_select_node(r, "c@h"), BV_EINVAL);
    bv_model_dispose(&m);
  }
  bv_buf_dispose(&b);
  bv_buf_dispose(&b2);
  bv_applist_free(l);
}

/* The reader's checks on a cluster file: each refused with a message naming
 * the place. */
static void test_cluster_reader(void)
{
#define H "{\"format\":\"beamviz.apps\",\"version\":1,\"node\":\"x\",\"nodes\":"
#define OK1 "{\"node\":\"a@h\",\"apps\":[{\"name\":\"k\",\"version\":\"1\"}]}"
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {H "[]}", "nodes"},
      {H "{}}", "nodes"},
      {H "[" OK1 "," OK1 "]}", "listed twice"},
      {H "[{\"node\":\"\",\"apps\":[]}]}", "empty node name"},
      {H "[{\"node\":\"b@h\",\"error\":\"nope\",\"reason\":\"r\"}]}", "not an error"},
      {H "[{\"node\":\"b@h\",\"error\":\"cookie rejected\"}]}", "nodes[0].reason"},
      {H "[{\"node\":\"b@h\",\"error\":\"cookie rejected\",\"reason\":\"r\"}]}", "no node collected"},
      {H "[" OK1 ",{\"node\":\"c@h\",\"apps\":[{\"version\":\"1\"}]}]}", "nodes[1].apps[0].name"},
      {H "[" OK1 ",{\"node\":\"c@h\"}]}", "nodes[1].apps"},
      {H "[" OK1 ",{\"node\":\"c@h\",\"apps\":[],\"elixir\":3}]}", "nodes[1].elixir"},
      {H "[7]}", "nodes[0]"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    bv_model m;
    int rc = load(bad[i].text, &m);
    CHECK_INT(rc, BV_EFORMAT);
    CHECK(m.kind == BV_MODEL_NONE);
    if (!strstr(bv_error_last(), bad[i].msg))
      fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, bv_error_last(), bad[i].msg);
    CHECK(strstr(bv_error_last(), bad[i].msg) != NULL);
  }
  /* a failed node and a collected one: fine; the label is the count */
  bv_model m;
  CHECK_INT(load(H "[{\"node\":\"b@h\",\"error\":\"cookie rejected\",\"reason\":\"r\"}," OK1 "]}", &m), 0);
  if (m.kind == BV_MODEL_APPS) {
    CHECK_STR(m.u.apps->node, "1 node");
    CHECK_INT(m.u.apps->nnodes, 2);
    bv_model_dispose(&m);
  }
#undef H
#undef OK1
}

int main(void)
{
  test_text();
  test_json();
  test_csv();
  test_md();
  test_cluster_matrix();
  test_cluster_file();
  test_cluster_reader();
  return check_report();
}
