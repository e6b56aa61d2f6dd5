/* test_procs_cluster.c: a cluster snapshot (rows with their node, the nodes
 * asked with their failures): the model file's round trip, the reader's
 * checks of nodes and rows, one node's part (bv_snapshot_select_node), the
 * CSV's node column, the text table's and the subtitle's nodes, bars named
 * with their node, the default colour by node. */
#include "check.h"
#include "collect/collect.h"
#include "emit/emit.h"
#include "model/model.h"
#include "view/view.h"

#include <stdlib.h>
#include <string.h>

#define A "a@127.0.0.1"
#define B "b@127.0.0.1"
#define X "x@127.0.0.1"

static const char *file_text =
    "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"2 nodes\",\"otp_release\":\"25\","
    "\"elixir\":false,\"total\":5,\"skipped\":1,\"nodes\":["
    "{\"node\":\"" A "\",\"total\":3,\"skipped\":1},"
    "{\"node\":\"" X "\",\"error\":\"cookie rejected\",\"reason\":\"node " X " rejected the handshake\"},"
    "{\"node\":\"" B "\",\"total\":2,\"skipped\":0}],\"procs\":["
    "{\"pid\":\"<0.0.0>\",\"name\":\"init\",\"reductions\":10,\"memory\":100,\"status\":\"waiting\","
    "\"message_queue_len\":0,\"current_function\":null,\"initial_call\":null,\"label\":null,\"node\":\"" A "\"},"
    "{\"pid\":\"<0.5.0>\",\"name\":null,\"reductions\":30,\"memory\":300,\"status\":\"waiting\","
    "\"message_queue_len\":0,\"current_function\":null,\"initial_call\":null,\"label\":null,\"node\":\"" A "\"},"
    "{\"pid\":\"<0.0.0>\",\"name\":\"init\",\"reductions\":20,\"memory\":200,\"status\":\"running\","
    "\"message_queue_len\":1,\"current_function\":null,\"initial_call\":null,\"label\":null,\"node\":\"" B "\"}"
    "]}";

static char *write_with(const bv_model *m, bv_format fmt, const bv_emit_opts *eo)
{
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = fmt == BV_FMT_JSON ? bv_model_save(m, o) : bv_emit(m, fmt, eo, o, NULL);
  size_t len;
  const char *p = bv_out_mem(o, &len);
  char *copy = rc ? NULL : strndup(p ? p : "", len);
  bv_out_commit(o);
  return copy;
}

static void test_roundtrip(void)
{
  bv_model m;
  CHECK_INT(bv_model_load_mem("c.json", file_text, strlen(file_text), &m), 0);
  bv_snapshot *s = m.u.snapshot;
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK_INT(s->nnodes, 3);
  CHECK_INT(s->n, 3);
  CHECK_STR(s->node, "2 nodes");
  CHECK_STR(s->nodes[1].node, X);
  CHECK_INT(s->nodes[1].code, BV_EAUTH);
  CHECK(s->nodes[1].reason && strstr(s->nodes[1].reason, "rejected"));
  CHECK_INT(s->nodes[0].code, BV_OK);
  CHECK_INT(s->nodes[0].total, 3);
  CHECK_STR(s->procs[2].node, B);
  /* rows of one node share its name's string */
  CHECK(s->procs[0].node == s->procs[1].node);
  /* written again, read again: the same file */
  char *j1 = write_with(&m, BV_FMT_JSON, NULL);
  CHECK(j1 && strstr(j1, "\"error\":\"cookie rejected\"") && strstr(j1, "\"node\":\"" B "\"}"));
  bv_model m2;
  CHECK_INT(bv_model_load_mem("c2.json", j1, strlen(j1), &m2), 0);
  char *j2 = write_with(&m2, BV_FMT_JSON, NULL);
  CHECK(j1 && j2 && strcmp(j1, j2) == 0);
  free(j2);
  bv_model_dispose(&m2);

  bv_emit_opts eo;
  bv_emit_opts_init(&eo);
  /* CSV: the node first */
  char *csv = write_with(&m, BV_FMT_CSV, &eo);
  CHECK(csv && strncmp(csv, "node,pid,name,", 14) == 0);
  CHECK(csv && strstr(csv, "\r\n" B ",<0.0.0>,init,20,200,running,1,"));
  free(csv);
  /* text: a NODE column, the nodes and the failed one in the header */
  char *txt = write_with(&m, BV_FMT_TEXT, &eo);
  CHECK(txt && strstr(txt, "2 of 3 nodes; failed: " X " (cookie rejected)"));
  CHECK(txt && strstr(txt, "\nNODE "));
  free(txt);
  /* Vega-Lite: coloured by node by default, node in the tooltip and rows */
  char *vl = write_with(&m, BV_FMT_VEGALITE, &eo);
  CHECK(vl && strstr(vl, "\"node\":\"" A "\""));
  CHECK(vl && strstr(vl, "\"field\": \"node\", \"type\": \"nominal\""));
  CHECK(vl && strstr(vl, "2 of 3 nodes; failed: " X " (cookie rejected)"));
  free(vl);
  bv_procs_view v;
  CHECK_INT(bv_procs_view_fields_for(&eo, s, &v), 0);
  CHECK_INT(v.color, BV_PF_NODE);
  /* bars: who, on which node */
  eo.chart = BV_CHART_BAR;
  char *bars = write_with(&m, BV_FMT_VEGALITE, &eo);
  CHECK(bars && strstr(bars, "\"who\":\"init on " B "\""));
  free(bars);

  /* one node's part: a single-node snapshot of that node */
  CHECK_INT(bv_snapshot_select_node(s, X), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "it has: " A ", " B) != NULL);
  CHECK_INT(bv_snapshot_select_node(s, B), 0);
  CHECK_INT(s->n, 1);
  CHECK_INT(s->nnodes, 0);
  CHECK_STR(s->node, B);
  CHECK_INT(s->total, 2);
  CHECK(s->procs[0].node == NULL);
  char *one = write_with(&m, BV_FMT_CSV, &eo);
  CHECK(one && strncmp(one, "pid,name,", 9) == 0);
  free(one);
  char *j3 = write_with(&m, BV_FMT_JSON, NULL);
  CHECK(j3 && !strstr(j3, "\"nodes\"") && !strstr(j3, "\"node\":\"" B "\"}"));
  free(j3);
  CHECK_INT(bv_snapshot_select_node(s, B), BV_EINVAL);
  free(j1);
  bv_model_dispose(&m);

  /* a single-node snapshot: --color node is refused */
  bv_emit_opts_init(&eo);
  eo.color = "node";
  const char *single = "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n@h\",\"total\":0,"
                       "\"skipped\":0,\"procs\":[]}";
  CHECK_INT(bv_model_load_mem("s.json", single, strlen(single), &m), 0);
  CHECK_INT(bv_procs_view_fields_for(&eo, m.u.snapshot, &v), BV_EINVAL);
  bv_model_dispose(&m);
}

/* the text with the first `from` replaced by `to` */
static char *edit(const char *from, const char *to)
{
  const char *p = strstr(file_text, from);
  if (!p)
    return NULL;
  size_t a = (size_t)(p - file_text), fl = strlen(from), tl = strlen(to);
  char *r = malloc(strlen(file_text) - fl + tl + 1);
  memcpy(r, file_text, a);
  memcpy(r + a, to, tl);
  strcpy(r + a + tl, p + fl);
  return r;
}

static void test_bad(void)
{
  static const struct {
    const char *from, *to, *msg;
  } t[] = {
      {"\"node\":\"" B "\"}", "\"node\":\"" X "\"}", "procs[2].node: not one of the nodes collected"},
      {"\"node\":\"" B "\"}", "\"nodo\":1}", "procs[2].node"},
      {"\"error\":\"cookie rejected\"", "\"error\":\"bad luck\"", "nodes[1].error"},
      {"\"error\":\"cookie rejected\",\"reason\"", "\"error\":\"timeout\",\"reasons\"",
       "nodes[1].reason"},
      {"{\"node\":\"" B "\",\"total\":2", "{\"node\":\"" A "\",\"total\":2", "listed twice"},
      {"{\"node\":\"" A "\",\"total\":3,\"skipped\":1}", "{\"node\":\"" A "\",\"total\":3,\"skipped\":4}",
       "nodes[0]"},
      {"{\"node\":\"" A "\",\"total\":3", "{\"node\":\"\",\"total\":3", "nodes[0].node"},
      {"\"nodes\":[", "\"nodes\":{\"a\":1},\"x\":[", "nodes"},
      /* a node's rows beyond its own total; a failed node's name used twice, or on a row */
      {"{\"node\":\"" B "\",\"total\":2", "{\"node\":\"" B "\",\"total\":0",
       "nodes[2].total: smaller than the node's rows"},
      {"{\"node\":\"" B "\",\"total\":2", "{\"node\":\"" X "\",\"total\":2", "listed twice"},
      {"\"label\":null,\"node\":\"" B "\"}", "\"label\":null,\"node\":\"" X "\"}",
       "procs[2].node: not one of the nodes collected"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    char *text = edit(t[i].from, t[i].to);
    CHECK(text != NULL);
    if (!text)
      continue;
    bv_model m;
    int rc = bv_model_load_mem("bad.json", text, strlen(text), &m);
    CHECK_INT(rc, BV_EFORMAT);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, bv_error_last(), t[i].msg);
      CHECK(0);
    }
    if (!rc)
      bv_model_dispose(&m);
    free(text);
  }
  /* every node failed: no node collected, refused */
  const char *none = "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"0 nodes\",\"total\":0,"
                     "\"skipped\":0,\"nodes\":[{\"node\":\"" X "\",\"error\":\"timeout\","
                     "\"reason\":\"r\"}],\"procs\":[]}";
  bv_model m;
  CHECK_INT(bv_model_load_mem("none.json", none, strlen(none), &m), BV_EFORMAT);
}

/* rows of three nodes interleaved as they came; node 1 failed: the others in
 * node order, each in its own order, node 1's last */
static void test_regroup(void)
{
  /* node 0: a0 a1 a2; node 1 (failed): b0 b1; node 2: c0 c1 c2 c3 */
  static const char *const came[] = {"c0", "a0", "b0", "c1", "c2", "a1", "a2", "b1", "c3"};
  bv_proc rows[9];
  memset(rows, 0, sizeof rows);
  for (size_t i = 0; i < 9; i++)
    rows[i].pid = came[i];
  const bv_rows_seg segs[] = {{2, 0, 0, 1}, {0, 1, 0, 1}, {1, 2, 0, 1}, {2, 3, 1, 2},
                              {0, 5, 1, 2}, {1, 7, 1, 1}, {2, 8, 3, 1}};
  const size_t node_rows[] = {3, 2, 4};
  const int done[] = {1, 0, 1};
  size_t kept = 0;
  CHECK_INT(bv_rows_regroup(rows, 9, segs, 7, node_rows, done, 3, &kept), 0);
  CHECK_INT(kept, 7);
  static const char *const want[] = {"a0", "a1", "a2", "c0", "c1", "c2", "c3", "b0", "b1"};
  for (size_t i = 0; i < 9; i++)
    CHECK_STR(rows[i].pid, want[i]);
  /* every node done, already in order: unchanged */
  const bv_rows_seg one[] = {{0, 0, 0, 3}, {1, 3, 0, 6}};
  const size_t nr[] = {3, 6};
  const int all[] = {1, 1};
  CHECK_INT(bv_rows_regroup(rows, 9, one, 2, nr, all, 2, &kept), 0);
  CHECK_INT(kept, 9);
  for (size_t i = 0; i < 9; i++)
    CHECK_STR(rows[i].pid, want[i]);
}

int main(void)
{
  test_regroup();
  test_roundtrip();
  test_bad();
  return check_report();
}
