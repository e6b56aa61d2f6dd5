/* test_cluster.c: the cluster map: its model file read back (and bad files
 * refused with where), the view's texts and labels, the Mermaid ids, classes
 * and escaping, the text table, beamviz's own node names. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "layout/layout.h"
#include "check.h"
#include "util/jsonin.h"

#include <stdlib.h>
#include <string.h>

#include "save_util.h"

static bv_clustermap *make(void)
{
  bv_clustermap *m = calloc(1, sizeof *m);
  m->arena = bv_arena_new();
  m->node = "a@h";
  m->with_hidden = 1;
  m->n = 3;
  m->nodes = bv_arena_alloc(m->arena, m->n * sizeof *m->nodes);
  m->nodes[0] = (bv_cnode){"a@h", 1, NULL, 1, 0, "25", 1, 1234, 45600000, 11520000};
  m->nodes[1] = (bv_cnode){"b\"]end@h", 1, NULL, 0, 1, "26", 0, 1, 999999, 59999};
  m->nodes[2] = (bv_cnode){"c@h", 0,
                           "node c@h rejected the handshake: cookie rejected (or long names "
                           "do not match the node's)",
                           0, 0, NULL, 0, 0, 0, 0};
  m->unreachable = 1;
  m->nedges = 2;
  m->edges = bv_arena_alloc(m->arena, m->nedges * sizeof *m->edges);
  m->edges[0] = (bv_cedge){0, 1, 1};
  m->edges[1] = (bv_cedge){0, 2, 0};
  return m;
}

static void test_fmt(void)
{
  static const struct {
    uint64_t v;
    const char *count, *bytes, *up;
  } t[] = {
      {0, "0", "0.0 MB", "0 s"},
      {999, "999", "0.0 MB", "0 s"},
      {59999, "59,999", "0.1 MB", "59 s"},
      {60000, "60,000", "0.1 MB", "1 min"},
      {1234567, "1,234,567", "1.2 MB", "20 min"},
      {11520000, "11,520,000", "11.5 MB", "3 h 12 min"},
      {1500000000, "1,500,000,000", "1.50 GB", "17 d 8 h"},
      {UINT64_MAX, "18,446,744,073,709,551,615", "18446744073.71 GB", "213503982334 d 14 h"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    char d[64];
    CHECK_STR(bv_cluster_fmt_count(d, sizeof d, t[i].v), t[i].count);
    CHECK_STR(bv_cluster_fmt_bytes(d, sizeof d, t[i].v), t[i].bytes);
    CHECK_STR(bv_cluster_fmt_uptime(d, sizeof d, t[i].v), t[i].up);
  }
  char small[4];
  CHECK_STR(bv_cluster_fmt_count(small, sizeof small, 123456), "12"); /* cut, terminated */
}

static void test_view(void)
{
  bv_clustermap *m = make();
  bv_cluster_view *v;
  CHECK_INT(bv_cluster_view_make(m, NULL, &v), 0);
  CHECK_STR(v->label[0], "a@h\nOTP 25 \xC2\xB7 Elixir \xC2\xB7 1,234 processes\n"
                         "45.6 MB \xC2\xB7 up 3 h 12 min");
  CHECK_STR(v->label[1], "b\"]end@h\nOTP 26 \xC2\xB7 1 process\n1.0 MB \xC2\xB7 up 59 s");
  /* the reason without "node c@h ", wrapped at a space */
  CHECK_STR(v->label[2], "c@h\nunreachable\nrejected the handshake: cookie\n"
                         "rejected (or long names do not\nmatch the node's)");
  CHECK_STR(v->cls[0], "entry");
  CHECK_STR(v->cls[1], "hiddennode");
  CHECK_STR(v->cls[2], "unreachable");
  CHECK_STR(v->title, "Cluster of a@h: 3 nodes, 2 connections (1 hidden), 1 unreachable");
  CHECK_INT(v->visible_edges, 1);
  CHECK_INT(v->hidden_edges, 1);
  bv_cluster_view_free(v);
  /* a long reason is cut at BV_CLUSTER_REASON_MAX bytes with "..." */
  char longer[300];
  memset(longer, 'x', sizeof longer - 1);
  longer[sizeof longer - 1] = 0;
  m->nodes[2].error = longer;
  CHECK_INT(bv_cluster_view_make(m, NULL, &v), 0);
  const char *r = strstr(v->label[2], "unreachable\n") + strlen("unreachable\n");
  CHECK_INT(strlen(r), BV_CLUSTER_REASON_MAX);
  CHECK(strcmp(r + BV_CLUSTER_REASON_MAX - 3, "...") == 0);
  bv_cluster_view_free(v);
  bv_clustermap_free(m);
}

static void test_mermaid(void)
{
  bv_clustermap *m = make();
  bv_cluster_view *v;
  CHECK_INT(bv_cluster_view_make(m, NULL, &v), 0);
  bv_buf b;
  bv_buf_init(&b);
  size_t dropped = 9;
  CHECK_INT(bv_cluster_mermaid(&b, v, 0, 0, &dropped), 0);
  CHECK_INT(dropped, 0);
  /* generated ids, quoted labels, the quote and brackets of a name as entities */
  CHECK(strncmp(b.data, "flowchart LR\n  %% Cluster of a@h#58; 3 nodes", 44) == 0);
  CHECK(strstr(b.data, "\n  n0[\"a@h<br/>OTP 25 \xC2\xB7 Elixir \xC2\xB7 1,234 processes<br/>"
                       "45.6 MB \xC2\xB7 up 3 h 12 min\"]:::entry\n") != NULL);
  CHECK(strstr(b.data, "\n  n1[\"b#34;]end@h<br/>") != NULL);
  CHECK(strstr(b.data, "\"]:::hiddennode\n") != NULL);
  CHECK(strstr(b.data, "\"]:::unreachable\n") != NULL);
  /* visible connections first, solid; hidden dotted */
  const char *vis = strstr(b.data, "\n  n0 --- n2\n"), *hid = strstr(b.data, "\n  n0 -.- n1\n");
  CHECK(vis && hid && vis < hid);
  CHECK(strstr(b.data, "classDef unreachable ") != NULL);
  CHECK(strstr(b.data, "classDef node") == NULL); /* "node" is Mermaid's own class */
  bv_buf_dispose(&b);
  bv_cluster_view_free(v);

  /* past Mermaid's 499 edges the rest are left out and said so */
  bv_clustermap *big = calloc(1, sizeof *big);
  big->arena = bv_arena_new();
  big->node = "n0@h";
  big->n = 40;
  big->nodes = bv_arena_alloc(big->arena, big->n * sizeof *big->nodes);
  for (size_t i = 0; i < big->n; i++)
    big->nodes[i] = (bv_cnode){bv_arena_printf(big->arena, "n%zu@h", i), 1, NULL, i == 0, 0,
                               "25", 0, 10, 10, 10};
  big->edges = bv_arena_alloc(big->arena, 780 * sizeof *big->edges);
  for (uint32_t a = 0; a < 40; a++)
    for (uint32_t c = a + 1; c < 40; c++)
      big->edges[big->nedges++] = (bv_cedge){a, c, 0};
  CHECK_INT(big->nedges, 780);
  CHECK_INT(bv_cluster_view_make(big, NULL, &v), 0);
  bv_buf_init(&b);
  CHECK_INT(bv_cluster_mermaid(&b, v, 0, 0, &dropped), 0);
  CHECK_INT(dropped, 780 - 499);
  size_t edges = 0;
  for (const char *p = b.data; (p = strstr(p, " --- ")); p++)
    edges++;
  CHECK_INT(edges, 499);
  CHECK(strstr(b.data, "%% 281 connections left out") != NULL);
  bv_buf_dispose(&b);
  bv_cluster_view_free(v);
  /* over 50,000 characters with the facts: the names alone, said in info */
  bv_model bm = {.kind = BV_MODEL_CLUSTER, .u.cluster = big};
  for (size_t i = 0; i < big->n; i++)
    big->nodes[i].name = bv_arena_printf(big->arena, "%01040zu@h", i);
  bv_out *o;
  bv_emit_info info;
  CHECK_INT(bv_out_open_mem(&o), 0);
  CHECK_INT(bv_emit(&bm, BV_FMT_MERMAID, NULL, o, &info), 0);
  size_t len;
  const char *text = bv_out_mem(o, &len);
  CHECK(len <= 50000);
  CHECK_INT(info.reduced, 1);
  CHECK(text && strstr(text, "OTP 25") == NULL && strstr(text, "@h\"]:::entry\n") != NULL);
  bv_out_abort(o);
  bv_clustermap_free(big);
  bv_clustermap_free(m);
}

static void test_text(void)
{
  bv_clustermap *m = make();
  bv_cluster_view *v;
  CHECK_INT(bv_cluster_view_make(m, NULL, &v), 0);
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_cluster_text(&b, v), 0);
  CHECK_STR(b.data,
            "Cluster of a@h: 3 nodes, 2 connections (1 hidden), 1 unreachable\n"
            "NODE      OTP          PROCESSES   MEMORY      UPTIME  CONNECTED TO\n"
            "a@h       25 (Elixir)      1,234  45.6 MB  3 h 12 min  b\"]end@h (hidden), c@h\n"
            "b\"]end@h  26                   1   1.0 MB        59 s  a@h (hidden)\n"
            "c@h       unreachable          -        -           -  a@h\n"
            "\n"
            "c@h is unreachable: node c@h rejected the handshake: cookie rejected (or long "
            "names do not match the node's)\n");
  bv_buf_dispose(&b);
  bv_cluster_view_free(v);
  bv_clustermap_free(m);
}

static int load(const char *json, bv_model *out)
{
  return bv_model_load_mem("t.json", json, strlen(json), out);
}

static void test_roundtrip(void)
{
  bv_clustermap *m = make();
  bv_buf a, b;
  bv_buf_init(&a);
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_CLUSTER, m, &a), 0);
  bv_model l;
  CHECK_INT(load(a.data, &l), 0);
  CHECK_INT(l.kind, BV_MODEL_CLUSTER);
  const bv_clustermap *r = l.u.cluster;
  CHECK_INT(r->n, 3);
  CHECK_INT(r->nedges, 2);
  CHECK_INT(r->unreachable, 1);
  CHECK_STR(r->nodes[1].name, "b\"]end@h");
  CHECK_INT(r->nodes[0].memory, 45600000);
  CHECK_INT(r->nodes[0].entry, 1);
  CHECK_INT(r->nodes[1].hidden, 1);
  CHECK(r->nodes[2].otp_release == NULL && !r->nodes[2].reachable && r->nodes[2].error);
  CHECK_INT(r->edges[0].hidden, 1);
  CHECK_INT(save_json(BV_MODEL_CLUSTER, r, &b), 0);
  CHECK_STR(b.data, a.data); /* the same bytes again */
  bv_model_dispose(&l);
  bv_buf_dispose(&a);
  bv_buf_dispose(&b);
  bv_clustermap_free(m);
  CHECK_STR(bv_model_kind_name(BV_MODEL_CLUSTER), "cluster_map");
}

static void test_bad_files(void)
{
#define H "{\"format\":\"beamviz.cluster_map\",\"version\":1,"
#define N2 "\"nodes\":[{\"name\":\"a@h\",\"entry\":true},{\"name\":\"b@h\"}]"
  static const struct {
    const char *json, *msg;
  } t[] = {
      {H "\"edges\":[]}", "t.json: nodes: "},
      {H "\"nodes\":{},\"edges\":[]}", "t.json: nodes: "},
      {H "\"nodes\":[{}],\"edges\":[]}", "t.json: nodes[0].name: missing"},
      {H "\"nodes\":[{\"name\":1}],\"edges\":[]}", "t.json: nodes[0].name: expected a string"},
      {H "\"nodes\":[{\"name\":\"a\",\"processes\":-1}],\"edges\":[]}", "t.json: nodes[0].processes"},
      {H "\"nodes\":[{\"name\":\"a\",\"reachable\":1}],\"edges\":[]}", "t.json: nodes[0].reachable"},
      {H N2 "}", "t.json: edges: "},
      {H N2 ",\"edges\":[{\"a\":0,\"b\":2}]}", "t.json: edges[0]: expected two node indexes"},
      {H N2 ",\"edges\":[{\"a\":1,\"b\":0}]}", "t.json: edges[0]: expected two node indexes"},
      {H N2 ",\"edges\":[{\"a\":0,\"b\":0}]}", "t.json: edges[0]: expected two node indexes"},
      {H N2 ",\"edges\":[{\"a\":0}]}", "t.json: edges[0].b: "},
      {H N2 ",\"edges\":[{\"a\":0,\"b\":1,\"hidden\":\"no\"}]}", "t.json: edges[0].hidden"},
      /* one pair at most once, and no more edges than pairs */
      {H N2 ",\"edges\":[{\"a\":0,\"b\":1},{\"a\":0,\"b\":1}]}", "t.json: edges: "},
      {H "\"nodes\":[{\"name\":\"a\",\"entry\":true},{\"name\":\"b\"},{\"name\":\"c\"}],\"edges\":[{\"a\":0,"
         "\"b\":2},{\"a\":0,\"b\":1}]}",
       "t.json: edges[1]: edges must be sorted"},
      {H "\"nodes\":[{\"name\":\"a\",\"entry\":true},{\"name\":\"b\"},{\"name\":\"c\"}],\"edges\":[{\"a\":0,"
         "\"b\":1},{\"a\":0,\"b\":1}]}",
       "t.json: edges[1]: edges must be sorted"},
      /* names: each once, not empty, an entry node exactly once */
      {H "\"nodes\":[{\"name\":\"a\",\"entry\":true},{\"name\":\"a\"}],\"edges\":[]}",
       "t.json: nodes[1].name: a node listed twice"},
      {H "\"nodes\":[{\"name\":\"\",\"entry\":true}],\"edges\":[]}",
       "t.json: nodes[0].name: not a node name"},
      {H "\"nodes\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"edges\":[]}",
       "t.json: nodes: expected exactly one entry node"},
      {H "\"nodes\":[{\"name\":\"a\",\"entry\":true},{\"name\":\"b\",\"entry\":true}],"
         "\"edges\":[]}",
       "t.json: nodes: expected exactly one entry node"},
      {"{\"format\":\"beamviz.cluster_map\",\"version\":2,\"nodes\":[],\"edges\":[]}",
       "newer than this beamviz reads"},
  };
#undef H
#undef N2
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_model m;
    int rc = load(t[i].json, &m);
    CHECK_INT(rc, BV_EFORMAT);
    CHECK_INT(m.kind, BV_MODEL_NONE);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, bv_error_last(), t[i].msg);
      CHECK(0);
    }
  }
  /* an empty map loads, and every format writes it */
  bv_model m;
  CHECK_INT(load("{\"format\":\"beamviz.cluster_map\",\"version\":1,\"nodes\":[],\"edges\":[]}",
                 &m), 0);
  for (const bv_format *f = bv_emit_formats(BV_MODEL_CLUSTER); *f != BV_FMT_NONE; f++) {
    if (*f == BV_FMT_PNG || *f == BV_FMT_SVG || *f == BV_FMT_PDF)
      continue;
    bv_out *o;
    CHECK_INT(bv_out_open_mem(&o), 0);
    CHECK_INT(bv_emit(&m, *f, NULL, o, NULL), 0);
    bv_out_abort(o);
  }
  bv_model_dispose(&m);
}

static void test_beamviz_names(void)
{
  static const struct {
    const char *name;
    int yes;
  } t[] = {{"beamviz_0@h", 1},   {"beamviz_15@host.example", 1}, {"beamviz_@h", 0},
           {"beamviz_x@h", 0},   {"beamvizz_1@h", 0},           {"beamviz_1", 0},
           {"xbeamviz_1@h", 0},  {"beamviz_1x@h", 0},           {NULL, 0}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    CHECK_INT(bv_clustermap_is_beamviz(t[i].name), t[i].yes);
}

/* The image's layout with the fake measurer, 1 to 40 nodes of typical names,
 * full meshes: one box per node (ref = its index), no two boxes overlap, every
 * connection drawn (hidden ones dotted), at most 1000 px wide. */
static void test_layout(void)
{
  bv_measure ms;
  bv_fake_measure(&ms);
  for (size_t n = 1; n <= 40; n += n < 10 ? 1 : 7) {
    bv_clustermap *m = calloc(1, sizeof *m);
    m->arena = bv_arena_new();
    m->node = "app00@host-0.example.com";
    m->n = n;
    m->nodes = bv_arena_alloc(m->arena, n * sizeof *m->nodes);
    for (size_t i = 0; i < n; i++)
      m->nodes[i] = (bv_cnode){bv_arena_printf(m->arena, "app%02zu@host-%zu.example.com", i, i % 4),
                               i != 2, i == 2 ? "node app02 did not answer" : NULL, i == 0, i == 3,
                               i == 2 ? NULL : "26", 0, 1000 * i, 50000000, 3600000 * i};
    m->edges = bv_arena_alloc(m->arena, (n * n / 2 + 1) * sizeof *m->edges);
    for (uint32_t a = 0; a < n; a++)
      for (uint32_t c = a + 1; c < n; c++)
        m->edges[m->nedges++] = (bv_cedge){a, c, a == 3 || c == 3};
    bv_model mod = {.kind = BV_MODEL_CLUSTER, .u.cluster = m};
    bv_emit_opts o;
    bv_emit_opts_init(&o);
    bv_scene *s = NULL;
    CHECK_INT(bv_layout_cluster_model(&mod, &o, &ms, &s, NULL), 0);
    if (!s)
      continue;
    CHECK(s->width <= 1000);
    size_t boxes = 0, lines = 0, dotted = 0;
    const bv_sitem **box = calloc(n, sizeof *box);
    for (size_t k = 0; k < s->n; k++) {
      const bv_sitem *it = &s->items[k];
      if (it->kind == BV_SI_RECT && it->ref >= 0 && (size_t)it->ref < n) {
        CHECK(box[it->ref] == NULL);
        box[it->ref] = it;
        boxes++;
      } else if (it->kind == BV_SI_LINE && it->ref >= 0) {
        lines++;
        dotted += it->dash == BV_DASH_DOTTED;
      }
    }
    CHECK_INT(boxes, n);
    CHECK_INT(lines, m->nedges);
    CHECK_INT(dotted, n > 3 ? n - 1 : 0);
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n && box[i] && box[j]; j++) {
        const bv_sitem *p = box[i], *q = box[j];
        int apart = p->x + p->w <= q->x || q->x + q->w <= p->x || p->y + p->h <= q->y ||
                    q->y + q->h <= p->y;
        if (!apart)
          fprintf(stderr, "n=%zu: boxes %zu and %zu overlap\n", n, i, j);
        CHECK(apart);
      }
    CHECK_STR(box[0]->cls, "entry");
    free(box);
    bv_scene_free(s);
    bv_clustermap_free(m);
  }
}

int main(void)
{
  test_layout();
  test_fmt();
  test_view();
  test_mermaid();
  test_text();
  test_roundtrip();
  test_bad_files();
  test_beamviz_names();
  return check_report();
}
