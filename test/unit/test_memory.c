/* test_memory.c: the memory series model: JSON round trip, CSV, Vega-Lite
 * emission (parsed back and checked) and errors for bad files. */
#include "check.h"
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "util/jsonin.h"
#include "view/view.h"

#include <stdlib.h>
#include <string.h>

static bv_memseries *make(size_t n)
{
  bv_memseries *m = calloc(1, sizeof *m);
  m->arena = bv_arena_new();
  m->node = "mem@127.0.0.1";
  m->otp_release = "25";
  m->interval_ms = 200;
  m->n = n;
  m->samples = bv_arena_alloc(m->arena, (n ? n : 1) * sizeof(bv_memsample));
  for (size_t i = 0; i < n; i++) {
    bv_memsample *s = &m->samples[i];
    s->iter = (uint32_t)(i + 1);
    s->t_ms = 200 * i + (i ? 1 : 0);
    for (int k = 0; k < BV_MEM_NKINDS; k++)
      s->bytes[k] = 1000000u * (uint64_t)(k + 1) + 1234u * i + 7;
  }
  m->samples[0].bytes[1] = 0; /* zero stays zero */
  if (n > 1)
    m->samples[1].bytes[0] = 123456789012345ull; /* beyond 2^32 */
  return m;
}

static char *render(int (*wr)(const bv_memseries *, bv_out *), const bv_memseries *m)
{
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = wr(m, o);
  size_t len;
  const char *p = bv_out_mem(o, &len);
  char *copy = rc ? NULL : strndup(p ? p : "", len);
  bv_out_commit(o);
  return copy;
}

/* The registry's writers (bv_emit_fn) on a model holding m. */
static int emit_csv(const bv_memseries *m, bv_out *o)
{
  bv_model mo = {BV_MODEL_MEMORY, {.memory = (bv_memseries *)m}};
  return bv_emit_memory_csv(&mo, BV_FMT_CSV, NULL, o, NULL);
}

static int emit_vl(const bv_memseries *m, bv_out *o)
{
  bv_model mo = {BV_MODEL_MEMORY, {.memory = (bv_memseries *)m}};
  bv_emit_opts opts;
  memset(&opts, 0, sizeof opts);
  return bv_emit_memory_vegalite(&mo, BV_FMT_VEGALITE, &opts, o, NULL);
}

/* Another kind is refused. */
static void test_emit(void)
{
  bv_model other = {BV_MODEL_SNAPSHOT, {.snapshot = NULL}};
  bv_out *o;
  CHECK_INT(bv_out_open_mem(&o), 0);
  CHECK_INT(bv_emit_memory_vegalite(&other, BV_FMT_VEGALITE, NULL, o, NULL), BV_EINVAL);
  CHECK_INT(bv_emit_memory_csv(&other, BV_FMT_CSV, NULL, o, NULL), BV_EINVAL);
  bv_out_abort(o);
}

static void test_roundtrip(void)
{
  static const size_t sizes[] = {0, 1, 3, 500};
  for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
    bv_memseries *m = make(sizes[t]);
    char *j = render(bv_memseries_write_json, m);
    bv_model md;
    int rc = bv_model_load_mem("m.json", j, strlen(j), &md);
    CHECK_INT(rc, 0);
    CHECK_INT(md.kind, BV_MODEL_MEMORY);
    if (!rc) {
      const bv_memseries *r = md.u.memory;
      CHECK_STR(r->node, m->node);
      CHECK_STR(r->otp_release, m->otp_release);
      CHECK_INT(r->interval_ms, 200);
      CHECK_INT(r->n, m->n);
      CHECK(r->n == m->n && memcmp(r->samples, m->samples, m->n * sizeof *m->samples) == 0);
      char *j2 = render(bv_memseries_write_json, r);
      CHECK(j2 && strcmp(j, j2) == 0);
      free(j2);
      bv_model_dispose(&md);
    }
    free(j);
    bv_memseries_free(m);
  }
}

static void test_csv(void)
{
  bv_memseries *m = make(2);
  char *csv = render(emit_csv, m);
  CHECK_STR(csv, "iter,t_ms,total,processes,atom,binary,code,ets,system\r\n"
                 "1,0,1000007,0,3000007,4000007,5000007,6000007,7000007\r\n"
                 "2,201,123456789012345,2001241,3001241,4001241,5001241,6001241,7001241\r\n");
  free(csv);
  bv_memseries_free(m);
}

static const char *str_of(const bv_jdoc *d, const bv_jv *v, bv_arena *a)
{
  const char *s = NULL;
  return v && bv_jv_str(d, v, "x", a, &s) == 0 ? s : NULL;
}

/* occurrences of needle in hay */
static size_t count_of(const char *hay, const char *needle)
{
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* The spec: a fold of the six charted kinds, then one panel per group of
 * kinds (vconcat) against the seconds since the first sample. */
static void test_vegalite(void)
{
  bv_arena *a = bv_arena_new();
  static const struct {
    size_t n;
    int points; /* markers on the line */
    size_t npanels;
    const char *top, *low; /* the panels' kinds: processes is 0 in sample 1; total is
                              huge in sample 2 */
    const char *domain;    /* [0, the last sample's seconds] (1 s for one sample) */
    const char *ticks;     /* multiples of one step up to the last sample, from 0 */
    const char *first2;    /* the second sample's seconds */
  } t[] = {{1, 1, 2, "total,atom,binary,code,ets", "processes", "[0, 1]",
            "[0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]", NULL},
           {3, 1, 2, "total", "processes,atom,binary,code,ets", "[0, 0.401]",
            "[0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]",
            "{\"iter\":2,\"t_ms\":201,\"seconds\":0.201,"},
           {500, 0, 2, "total", "processes,atom,binary,code,ets", "[0, 99.801]",
            "[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]", NULL}};
  static const char *kinds[] = {"total", "processes", "atom", "binary", "code", "ets"};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_memseries *m = make(t[i].n);
    char *vl = render(emit_vl, m);
    bv_jdoc *d = NULL;
    int rc = bv_jdoc_parse("m.vl.json", vl, strlen(vl), &d);
    CHECK_INT(rc, 0);
    if (rc) {
      free(vl);
      bv_memseries_free(m);
      continue;
    }
    const bv_jv *root = bv_jdoc_root(d);
    CHECK_STR(str_of(d, bv_jv_get(root, "$schema"), a),
              "https://vega.github.io/schema/vega-lite/v5.json");
    /* one line per kind: a fold of the six charted kinds */
    const bv_jv *fold = bv_jv_get(bv_jv_at(bv_jv_get(root, "transform"), 0), "fold");
    CHECK_INT(bv_jv_len(fold), 6);
    for (size_t k = 0; k < 6; k++)
      CHECK_STR(str_of(d, bv_jv_at(fold, k), a), kinds[k]);
    const bv_jv *panels = bv_jv_get(root, "vconcat");
    CHECK_INT(bv_jv_len(panels), t[i].npanels);
    size_t seen = 0;
    for (size_t p = 0; p < bv_jv_len(panels); p++) {
      const bv_jv *pa = bv_jv_at(panels, p);
      int last = p + 1 == bv_jv_len(panels);
      const bv_jv *mark = bv_jv_get(pa, "mark");
      CHECK_STR(str_of(d, bv_jv_get(mark, "type"), a), "line");
      int pts = -1;
      CHECK_INT(bv_jv_bool(d, bv_jv_get(mark, "point"), "point", &pts), 0);
      CHECK_INT(pts, t[i].points);
      /* the panel's kinds, in legend order, each kind in one panel */
      const bv_jv *one =
          bv_jv_get(bv_jv_get(bv_jv_at(bv_jv_get(pa, "transform"), 0), "filter"), "oneOf");
      char got[128] = "";
      for (size_t k = 0; k < bv_jv_len(one); k++) {
        const char *kind = str_of(d, bv_jv_at(one, k), a);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "," : "",
                 kind ? kind : "?");
      }
      CHECK_STR(got, p == 0 ? t[i].top : t[i].low);
      seen += bv_jv_len(one);
      const bv_jv *enc = bv_jv_get(pa, "encoding");
      const bv_jv *x = bv_jv_get(enc, "x");
      CHECK_STR(str_of(d, bv_jv_get(x, "field"), a), "seconds");
      /* one x axis: labels and title under the lowest panel only */
      const bv_jv *xt = bv_jv_get(x, "title");
      if (last)
        CHECK_STR(str_of(d, xt, a), "seconds since the first sample");
      else
        CHECK(xt && bv_jv_is_null(xt));
      int labels = -1;
      CHECK_INT(bv_jv_bool(d, bv_jv_get(bv_jv_get(x, "axis"), "labels"), "labels", &labels), 0);
      CHECK_INT(labels, last);
      CHECK_STR(str_of(d, bv_jv_get(bv_jv_get(enc, "y"), "title"), a),
                p == 0 ? "Memory usage (MB)" : "Small kinds (MB)");
      const bv_jv *col = bv_jv_get(enc, "color");
      CHECK_STR(str_of(d, bv_jv_get(col, "field"), a), "kind");
      /* one colour scale over all kinds in every panel: one legend */
      CHECK_INT(bv_jv_len(bv_jv_get(bv_jv_get(col, "scale"), "domain")), 6);
    }
    CHECK_INT(seen, 6);
    /* values in MB (10^6 bytes), one per sample, with the seconds from t_ms */
    const bv_jv *vals = bv_jv_get(bv_jv_get(root, "data"), "values");
    CHECK_INT(bv_jv_len(vals), t[i].n);
    const bv_jv *v0 = bv_jv_at(vals, 0);
    uint64_t iter = 0, proc = 9;
    CHECK_INT(bv_jv_u64(d, bv_jv_get(v0, "iter"), "iter", &iter), 0);
    CHECK_INT(iter, 1);
    CHECK_INT(bv_jv_u64(d, bv_jv_get(v0, "processes"), "processes", &proc), 0);
    CHECK_INT(proc, 0);
    CHECK(strstr(vl, "{\"iter\":1,\"t_ms\":0,\"seconds\":0,") != NULL);
    if (t[i].first2)
      CHECK(strstr(vl, t[i].first2) != NULL);
    /* the x domain and ticks, the same in every panel */
    char want[256];
    snprintf(want, sizeof want, "\"domain\": %s, \"nice\": false", t[i].domain);
    CHECK_INT(count_of(vl, want), t[i].npanels);
    snprintf(want, sizeof want, "\"values\": %s,", t[i].ticks);
    CHECK_INT(count_of(vl, want), t[i].npanels);
    CHECK(bv_jv_get(v0, "system") == NULL); /* not charted */
    CHECK(strstr(vl, "\"atom\":3.000007") != NULL);
    bv_jdoc_free(d);
    free(vl);
    bv_memseries_free(m);
  }
  bv_arena_free(a);
}

static void test_bad_files(void)
{
  static const struct {
    const char *text, *msg;
  } t[] = {
      {"nope", "bad.json: not valid JSON"},
      {"{\"format\":\"beamviz.memory\",\"version\":7}", "version 7 of beamviz.memory is newer"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"samples\":3}",
       "bad.json: samples: expected an array"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"samples\":[]}", "bad.json: node: missing"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"node\":\"n\",\"interval_ms\":1,"
       "\"samples\":[{\"iter\":1,\"total\":1,\"processes\":1,\"atom\":1,\"binary\":1,"
       "\"code\":1,\"ets\":\"1\",\"system\":1}]}",
       "bad.json: samples[0].ets: expected a number"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"node\":\"n\",\"interval_ms\":1,"
       "\"samples\":[{\"iter\":0,\"total\":1}]}",
       "bad.json: samples[0].iter: out of range"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"node\":\"n\",\"interval_ms\":1,"
       "\"samples\":[{\"iter\":1,\"total\":1,\"processes\":1,\"atom\":1,\"binary\":1,"
       "\"code\":1,\"ets\":1}]}",
       "bad.json: samples[0].system: missing"},
      {"{\"format\":\"beamviz.memory\",\"version\":1,\"node\":\"n\",\"interval_ms\":-1,"
       "\"samples\":[]}",
       "bad.json: interval_ms: expected a non-negative integer"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_model m;
    CHECK_INT(bv_model_load_mem("bad.json", t[i].text, strlen(t[i].text), &m), BV_EFORMAT);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, bv_error_last(), t[i].msg);
      CHECK(0);
    }
  }
}

/* A cluster series: nodes nodes (node 1 failed when failed is set), each
 * with per samples, each node's clock starting at its own offset. */
static bv_memseries *make_cluster(size_t nodes, size_t per, int failed)
{
  bv_memseries *m = calloc(1, sizeof *m);
  m->arena = bv_arena_new();
  m->node = bv_arena_printf(m->arena, "%zu nodes", nodes);
  m->otp_release = "26";
  m->interval_ms = 100;
  m->nnodes = nodes;
  m->nodes = bv_arena_alloc(m->arena, nodes * sizeof *m->nodes);
  memset(m->nodes, 0, nodes * sizeof *m->nodes);
  m->samples = bv_arena_alloc(m->arena, (nodes * per > 0 ? nodes * per : 1) * sizeof(bv_memsample));
  for (size_t k = 0; k < nodes; k++) {
    m->nodes[k].node = bv_arena_printf(m->arena, "n%zu@h", k);
    if (failed && k == 1) {
      m->nodes[k].code = BV_EAUTH;
      m->nodes[k].reason = "cookie rejected, \"quoted\"";
      continue;
    }
    for (size_t i = 0; i < per; i++) {
      bv_memsample *s = &m->samples[m->n++];
      memset(s, 0, sizeof *s);
      s->node = (uint32_t)k;
      s->iter = (uint32_t)(i + 1);
      s->t_ms = 1000 * k + 100 * i; /* each node its own clock */
      for (int j = 0; j < BV_MEM_NKINDS; j++)
        s->bytes[j] = 1000000u * (k + 1) * (uint64_t)(j + 1) + i;
    }
  }
  return m;
}

static void test_cluster_roundtrip(void)
{
  bv_memseries *m = make_cluster(3, 4, 1);
  char *j = render(bv_memseries_write_json, m);
  CHECK(j && strstr(j, "\"nodes\":[\n{\"node\":\"n0@h\"},\n{\"node\":\"n1@h\",\"error\":"));
  CHECK(j && strstr(j, "{\"iter\":1,\"node\":\"n2@h\",\"t_ms\":2000,"));
  bv_model md;
  int rc = bv_model_load_mem("c.json", j, strlen(j), &md);
  CHECK_INT(rc, 0);
  if (!rc) {
    const bv_memseries *r = md.u.memory;
    CHECK_INT(r->nnodes, 3);
    CHECK_INT(r->n, 8);
    CHECK_INT(r->nodes[1].code, BV_EAUTH);
    CHECK_STR(r->nodes[1].reason, "cookie rejected, \"quoted\"");
    CHECK(r->n == m->n && memcmp(r->samples, m->samples, m->n * sizeof *m->samples) == 0);
    char *j2 = render(bv_memseries_write_json, r);
    CHECK(j2 && strcmp(j, j2) == 0);
    free(j2);
    /* CSV: the node first */
    char *csv = render(emit_csv, r);
    CHECK(csv && strncmp(csv, "node,iter,t_ms,total,", 21) == 0);
    CHECK(csv && strstr(csv, "\r\nn2@h,4,2300,3000003,"));
    free(csv);
    /* one node's part: a single-node series of that node */
    CHECK_INT(bv_memseries_select_node(md.u.memory, "n1@h"), BV_ENOTFOUND); /* failed */
    CHECK(strstr(bv_error_last(), "it has: n0@h, n2@h") != NULL);
    CHECK_INT(bv_memseries_select_node(md.u.memory, "n2@h"), 0);
    CHECK_INT(r->nnodes, 0);
    CHECK_STR(r->node, "n2@h");
    CHECK_INT(r->n, 4);
    CHECK(r->samples[0].t_ms == 2000 && r->samples[3].bytes[0] == 3000003);
    CHECK_INT(bv_memseries_select_node(md.u.memory, "n2@h"), BV_EINVAL);
    csv = render(emit_csv, r);
    CHECK(csv && strncmp(csv, "iter,t_ms,", 10) == 0);
    free(csv);
    bv_model_dispose(&md);
  }
  free(j);
  bv_memseries_free(m);
}

static void test_cluster_view(void)
{
  /* three nodes: one line each in two panels (total, processes), each
   * against its own first sample; the failed one in a note */
  bv_memseries *m = make_cluster(3, 4, 1);
  bv_memory_view v;
  bv_memory_view_make(m, &v);
  CHECK_INT(v.cluster, 1);
  CHECK_INT(v.nseries, 2);
  CHECK_STR(v.series[0], "n0@h");
  CHECK_STR(v.series[1], "n2@h");
  CHECK_INT(v.npanels, 2);
  CHECK_INT(bv_memory_view_nlines(&v, &v.panel[0]), 2);
  CHECK_INT(bv_memory_view_line_kind(&v, &v.panel[0], 1), 0);
  CHECK_INT(bv_memory_view_line_kind(&v, &v.panel[1], 1), 1);
  CHECK_INT(bv_memory_view_line_color(&v, &v.panel[1], 1), 1);
  CHECK_INT(bv_memory_view_line(&v, m, 5), 1);
  CHECK_INT(bv_memory_view_ms(&v, m, 5), 100); /* n2's second sample: 2100 - 2000 */
  CHECK(v.x_max > 0.299 && v.x_max < 0.301);
  CHECK_STR(v.legend_title, "node");
  CHECK_STR(v.x_title, "seconds since each node's first sample");
  CHECK_INT(bv_memory_view_nnotes(&v), 2);
  bv_buf b;
  bv_buf_init(&b);
  bv_memory_view_note(&b, &v, m, 0);
  CHECK_STR(b.data, "each node against the time since its own first sample");
  b.len = 0;
  bv_memory_view_note(&b, &v, m, 1);
  CHECK_STR(b.data, "not sampled: n1@h");
  b.len = 0;
  bv_memory_view_subtitle(&b, m);
  CHECK_STR(b.data, "erlang:memory(), 4 samples every 100 ms on each of 2 nodes, OTP 26");
  bv_buf_dispose(&b);
  /* Vega-Lite: colour by node, the drawn nodes' rows only */
  char *vl = render(emit_vl, m);
  CHECK(vl && strstr(vl, "\"fold\": [\"total\", \"processes\"]"));
  CHECK(vl && strstr(vl, "\"field\": \"node\", \"type\": \"nominal\", \"title\": \"node\""));
  CHECK(vl && strstr(vl, "\"domain\": [\"n0@h\", \"n2@h\"]"));
  CHECK_INT(count_of(vl ? vl : "", "{\"node\":"), 8);
  free(vl);
  bv_memseries_free(m);
  /* more nodes than drawn: the first BV_MEM_MAX_NODES, a note says so */
  m = make_cluster(BV_MEM_MAX_NODES + 2, 2, 0);
  bv_memory_view_make(m, &v);
  CHECK_INT(v.nseries, BV_MEM_MAX_NODES);
  CHECK_INT(v.left_out, 2);
  CHECK_INT(bv_memory_view_line(&v, m, 2 * BV_MEM_MAX_NODES), -1);
  bv_buf_init(&b);
  bv_memory_view_note(&b, &v, m, 0);
  CHECK(strstr(b.data, "; the first 10 of 12 nodes drawn") != NULL);
  bv_buf_dispose(&b);
  vl = render(emit_vl, m);
  CHECK_INT(count_of(vl ? vl : "", "{\"node\":"), 2 * BV_MEM_MAX_NODES);
  free(vl);
  bv_memseries_free(m);
  /* a file without times: each node at the interval from its own first */
  m = make_cluster(2, 3, 0);
  for (size_t i = 0; i < m->n; i++)
    m->samples[i].t_ms = 0;
  m->samples[4].iter = 7; /* n1: iters 1, 7, 3 */
  bv_memory_view_make(m, &v);
  CHECK_INT(v.scheduled, 1);
  CHECK_INT(bv_memory_view_ms(&v, m, 4), 600);
  CHECK_INT(bv_memory_view_ms(&v, m, 5), 200);
  bv_buf_init(&b);
  bv_memory_view_note(&b, &v, m, 0);
  CHECK_STR(b.data, "each node drawn at the interval (no sample times in the file)");
  bv_buf_dispose(&b);
  bv_memseries_free(m);
}

static void test_cluster_bad_files(void)
{
#define HEAD "{\"format\":\"beamviz.memory\",\"version\":1,\"node\":\"2 nodes\",\"interval_ms\":1,"
#define SAMPLE(n) "{\"iter\":1,\"node\":" n ",\"total\":1,\"processes\":1,\"atom\":1,\"binary\":1," \
                  "\"code\":1,\"ets\":1,\"system\":1}"
  static const struct {
    const char *text, *msg;
  } t[] = {
      {HEAD "\"nodes\":[],\"samples\":[]}", "nodes: empty"},
      {HEAD "\"nodes\":[{\"node\":\"\"}],\"samples\":[]}", "nodes[0].node: empty node name"},
      {HEAD "\"nodes\":[{\"node\":\"a\"},{\"node\":\"a\"}],\"samples\":[]}",
       "nodes[1].node: a node listed twice"},
      {HEAD "\"nodes\":[{\"node\":\"a\",\"error\":\"nope\",\"reason\":\"r\"}],\"samples\":[]}",
       "nodes[0].error: not an error beamviz names"},
      {HEAD "\"nodes\":[{\"node\":\"a\",\"error\":\"cookie rejected\",\"reason\":\"r\"}],"
            "\"samples\":[]}",
       "nodes: no node collected"},
      {HEAD "\"nodes\":[{\"node\":\"a\"}],\"samples\":[" SAMPLE("\"b\"") "]}",
       "samples[0].node: not one of the nodes collected"},
      {HEAD "\"nodes\":[{\"node\":\"a\"},{\"node\":\"b\",\"error\":\"cookie rejected\",\"reason\":"
            "\"r\"}],\"samples\":[" SAMPLE("\"b\"") "]}",
       "samples[0].node: not one of the nodes collected"},
      {HEAD "\"nodes\":[{\"node\":\"a\"}],\"samples\":[" SAMPLE("7") "]}",
       "samples[0].node: expected a string"},
      {HEAD "\"nodes\":[{\"node\":\"a\"}],\"samples\":[{\"iter\":1,\"total\":1}]}",
       "samples[0].node: missing"},
      {HEAD "\"nodes\":{},\"samples\":[]}", "nodes: expected an array"},
  };
#undef HEAD
#undef SAMPLE
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_model m;
    CHECK_INT(bv_model_load_mem("bad.json", t[i].text, strlen(t[i].text), &m), BV_EFORMAT);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "cluster case %zu: '%s' does not contain '%s'\n", i, bv_error_last(),
              t[i].msg);
      CHECK(0);
    }
  }
}

int main(void)
{
  test_cluster_roundtrip();
  test_cluster_view();
  test_cluster_bad_files();
  test_roundtrip();
  test_csv();
  test_vegalite();
  test_emit();
  test_bad_files();
  return check_report();
}
