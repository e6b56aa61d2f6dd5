/* test_tree_cluster.c: a cluster's trees of one application (suptree --app
 * --cluster): the file's cluster form read back and written the same bytes,
 * the reader's checks each refused with a message naming the place, render
 * --node (bv_tree_select_node), and the Mermaid (a subgraph per node, ids
 * prefixed per node), text (a header per node) and image of it. */
#include "emit/emit.h"
#include "layout/layout.h"
#include "check.h"
#include "model/model.h"
#include "save_util.h"

#include <stdlib.h>
#include <string.h>

#define H "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"2 nodes\",\"title\":\"kernel\"," \
          "\"mode\":\"app\",\"trees\":["
#define T1 "{\"node\":\"a@h\",\"otp_release\":\"25\",\"elixir\":false,\"title\":\"kernel\"," \
           "\"mode\":\"app\",\"walk_ms\":1,\n\"nodes\":[\n{\"kind\":\"root\",\"parent\":-1," \
           "\"pid\":\"<0.46.0>\",\"role\":\"application master\"},\n{\"kind\":\"supervisor\"," \
           "\"parent\":0,\"pid\":\"<0.48.0>\",\"name\":\"kernel_sup\"},\n{\"kind\":\"worker\"," \
           "\"parent\":1,\"pid\":\"<0.49.0>\",\"name\":\"code_server\"}],\n\"links\":[]}"
#define T2 "{\"node\":\"b@h\",\"otp_release\":\"25\",\"elixir\":false,\"title\":\"kernel\"," \
           "\"mode\":\"app\",\"walk_ms\":1,\n\"nodes\":[\n{\"kind\":\"root\",\"parent\":-1," \
           "\"pid\":\"<0.46.0>\",\"role\":\"application master\"},\n{\"kind\":\"supervisor\"," \
           "\"parent\":0,\"pid\":\"<0.48.0>\",\"name\":\"kernel_sup\"}],\n\"links\":[]}"
#define ABSENT "{\"node\":\"c@h\",\"running\":false,\"why\":\"kernel loaded but not started\"}"
#define FAILED "{\"node\":\"d@h\",\"error\":\"cookie rejected\",\"reason\":\"node d@h rejected\"}"

static int load(const char *text, bv_model *m)
{
  return bv_model_load_mem("t.json", text, strlen(text), m);
}

static const char good[] = H "\n" T1 ",\n" ABSENT ",\n" T2 ",\n" FAILED "]}\n";

static void test_round_trip(void)
{
  bv_model m;
  CHECK_INT(load(good, &m), 0);
  if (m.kind != BV_MODEL_TREE)
    return;
  bv_tree *t = m.u.tree;
  CHECK_INT(t->ntrees, 4);
  CHECK_STR(t->node, "3 nodes"); /* the collected count, whatever the file says */
  CHECK_INT(t->trees[0].n, 3);
  CHECK_INT(t->trees[1].n, 0);
  CHECK_INT(t->cnodes[1].code, BV_OK);
  CHECK_INT(t->cnodes[3].code, bv_model_error_code("cookie rejected"));
  CHECK(t->cnodes[3].code != BV_OK);
  CHECK_STR(t->trees[2].node, "b@h");
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TREE, t, &b), 0);
  /* written as read, but the label */
  const char *want = strstr(good, "\"title\"");
  const char *got = b.data ? strstr(b.data, "\"title\"") : NULL;
  CHECK(got && strcmp(got, want) == 0);
  if (got && strcmp(got, want) != 0)
    fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
  bv_buf_dispose(&b);
  bv_model_dispose(&m);
}

static void test_reader(void)
{
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {H "]}", "trees"},
      {H T1 "," T1 "]}", "listed twice"},
      {H "{\"node\":\"\",\"running\":false}]}", "empty node name"},
      {H FAILED "]}", "no node collected"},
      {H "{\"node\":\"d@h\",\"error\":\"nope\",\"reason\":\"r\"}]}", "not an error"},
      {H "{\"node\":\"d@h\",\"error\":\"cookie rejected\"}]}", "trees[0].reason"},
      {H "{\"node\":\"c@h\",\"running\":false,\"nodes\":[]}]}", "trees[0].nodes"},
      {H "{\"node\":\"c@h\",\"running\":3}]}", "trees[0].running"},
      {H "{\"node\":\"c@h\",\"running\":false,\"why\":7}]}", "trees[0].why"},
      {H "{\"node\":\"c@h\"}]}", "trees[0].nodes"},
      {H "{\"node\":\"c@h\",\"nodes\":[]}]}", "trees[0].nodes"},
      {H T1 ",{\"node\":\"c@h\",\"nodes\":[{\"kind\":\"root\",\"parent\":0}]}]}",
       "trees[1].nodes[0].parent"},
      {H T1 ",{\"node\":\"c@h\",\"nodes\":[{\"kind\":\"root\",\"parent\":-1}],\"links\":[[0,5]]}]}",
       "trees[1].links[0]"},
      {H "7]}", "trees[0]"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"x\",\"mode\":\"sup\",\"title\":"
       "\"s\",\"trees\":[" T1 "]}", "mode"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"x\",\"trees\":[" T1 "]}", "title"},
      {"{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"x\",\"title\":\"k\",\"nodes\":[],"
       "\"trees\":[" T1 "]}", "nodes"},
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
}

static void test_select(void)
{
  bv_model m;
  CHECK_INT(load(good, &m), 0);
  if (m.kind != BV_MODEL_TREE)
    return;
  CHECK_INT(bv_tree_select_node(m.u.tree, "c@h"), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "has no tree of kernel (kernel loaded but not started)") != NULL);
  CHECK_INT(bv_tree_select_node(m.u.tree, "d@h"), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "not collected") != NULL);
  CHECK_INT(bv_tree_select_node(m.u.tree, "z@h"), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "a@h, c@h, b@h") != NULL);
  CHECK_INT(bv_tree_select_node(m.u.tree, "b@h"), 0);
  CHECK_INT(m.u.tree->ntrees, 0);
  CHECK_INT(m.u.tree->n, 2);
  CHECK_STR(m.u.tree->node, "b@h");
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TREE, m.u.tree, &b), 0);
  static const char head[] =
      "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"b@h\",\"otp_release\"";
  CHECK(b.data && strncmp(b.data, head, sizeof head - 1) == 0);
  CHECK(b.data && !strstr(b.data, "trees"));
  CHECK_INT(bv_tree_select_node(m.u.tree, "b@h"), BV_EINVAL);
  bv_buf_dispose(&b);
  bv_model_dispose(&m);
}

static char *emit(const bv_model *m, bv_format fmt)
{
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  o.max_children = 12;
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  int rc = fmt == BV_FMT_TEXT ? bv_emit_tree_text(m, fmt, &o, out, NULL)
                              : bv_emit_tree_mermaid(m, fmt, &o, out, NULL);
  size_t n;
  const char *s = bv_out_mem(out, &n);
  char *r = !rc && s ? strndup(s, n) : NULL;
  bv_out_abort(out);
  return r;
}

static void test_outputs(void)
{
  bv_model m;
  CHECK_INT(load(good, &m), 0);
  if (m.kind != BV_MODEL_TREE)
    return;
  char *mmd = emit(&m, BV_FMT_MERMAID);
  CHECK(mmd != NULL);
  if (mmd) {
    CHECK(strncmp(mmd, "graph TD\n  subgraph c0[\"a@h\"]\n    direction ", 44) == 0);
    CHECK(strstr(mmd, "  subgraph c1[\"c@h\"]\n    c1_none[\"kernel loaded but not started\"]:::notstarted\n"
                      "  end\n") != NULL);
    CHECK(strstr(mmd, "    c2_n0 --> c2_n1\n") != NULL);
    CHECK(strstr(mmd, "    c0_n1 --> c0_n2\n") != NULL);
    CHECK(strstr(mmd, "c3_none[\"not collected: node d@h rejected\"]:::unresponsive") != NULL);
    CHECK(strstr(mmd, " n0 ") == NULL); /* every id prefixed */
    CHECK(strstr(mmd, "classDef root") != NULL);
  }
  free(mmd);
  char *txt = emit(&m, BV_FMT_TEXT);
  CHECK(txt != NULL);
  if (txt) {
    CHECK(strncmp(txt, "== a@h ==\n", 10) == 0);
    CHECK(strstr(txt, "\n\n== c@h ==\nkernel loaded but not started\n\n== b@h ==\n") != NULL);
    CHECK(strstr(txt, "\n\n== d@h ==\nnot collected: node d@h rejected\n") != NULL);
    CHECK(strstr(txt, "code_server") != NULL);
  }
  free(txt);
  bv_measure ms;
  bv_fake_measure(&ms);
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  bv_scene *s = NULL;
  CHECK_INT(bv_layout_tree_model(&m, &o, &ms, &s, NULL), 0);
  if (s) {
    size_t frames = 0, names = 0, absent = 0;
    for (size_t i = 0; i < s->n; i++) {
      frames += strcmp(s->items[i].cls, "node-frame") == 0;
      names += strcmp(s->items[i].cls, "node-name") == 0;
      absent += strcmp(s->items[i].cls, "node-absent") == 0;
    }
    CHECK_INT(frames, 4);
    CHECK_INT(names, 4);
    CHECK_INT(absent, 1);
    CHECK(s->width > 0 && s->height > 0);
  }
  bv_scene_free(s);
  bv_model_dispose(&m);
}

/* Six nodes, each a tree of 600 workers with long names: the Mermaid stays
 * within Mermaid's limits (499 edges, 50,000 characters) with every node's
 * subgraph there, each tree folded into its share. */
static void test_mermaid_limits(void)
{
  bv_buf j;
  bv_buf_init(&j);
  bv_buf_puts(&j, "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"x\",\"title\":"
                  "\"big\",\"mode\":\"app\",\"trees\":[");
  for (int k = 0; k < 6; k++) {
    bv_buf_printf(&j, "%s{\"node\":\"node%d@host\",\"nodes\":[{\"kind\":\"root\",\"parent\":-1,"
                      "\"name\":\"big_sup\"}",
                  k ? "," : "", k);
    for (int i = 0; i < 600; i++)
      bv_buf_printf(&j, ",{\"kind\":\"worker\",\"parent\":0,\"pid\":\"<0.%d.0>\",\"name\":"
                        "\"a_rather_long_registered_worker_name_%d\"}",
                    100 + i, i);
    bv_buf_puts(&j, "]}");
  }
  bv_buf_puts(&j, "]}");
  bv_model m;
  CHECK_INT(bv_model_load_mem("big.json", j.data, j.len, &m), 0);
  bv_buf_dispose(&j);
  if (m.kind != BV_MODEL_TREE)
    return;
  bv_emit_opts o;
  memset(&o, 0, sizeof o); /* max_children 0: all, folded only to fit */
  bv_out *out;
  CHECK_INT(bv_out_open_mem(&out), 0);
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  CHECK_INT(bv_emit_tree_mermaid(&m, BV_FMT_MERMAID, &o, out, &info), 0);
  size_t n;
  const char *t = bv_out_mem(out, &n);
  CHECK(n <= 50000);
  size_t edges = 0, subgraphs = 0;
  for (const char *p = t; p && (p = strstr(p, " --> ")); p++)
    edges++;
  for (const char *p = t; p && (p = strstr(p, "  subgraph c")); p++)
    subgraphs++;
  CHECK(edges <= 499);
  CHECK(edges >= 6 * 10); /* each node still has a good part of its tree */
  CHECK_INT(subgraphs, 6);
  CHECK(info.reduced);
  bv_out_abort(out);
  bv_model_dispose(&m);
}

int main(void)
{
  test_mermaid_limits();
  test_round_trip();
  test_reader();
  test_select();
  test_outputs();
  return check_report();
}
