/* test_memory.c: the memory series model: JSON round trip, CSV, Vega-Lite
 * emission (parsed back and checked) and errors for bad files. */
#include "check.h"
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "util/jsonin.h"

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

static void test_vegalite(void)
{
  bv_arena *a = bv_arena_new();
  static const struct {
    size_t n;
    int points; /* markers on the line */
  } t[] = {{1, 1}, {3, 1}, {500, 0}};
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
    const bv_jv *mark = bv_jv_get(root, "mark");
    CHECK_STR(str_of(d, bv_jv_get(mark, "type"), a), "line");
    int pts = -1;
    CHECK_INT(bv_jv_bool(d, bv_jv_get(mark, "point"), "point", &pts), 0);
    CHECK_INT(pts, t[i].points);
    /* one line per kind: a fold of the six charted kinds, colour by kind */
    const bv_jv *fold = bv_jv_get(bv_jv_at(bv_jv_get(root, "transform"), 0), "fold");
    static const char *kinds[] = {"total", "processes", "atom", "binary", "code", "ets"};
    CHECK_INT(bv_jv_len(fold), 6);
    for (size_t k = 0; k < 6; k++)
      CHECK_STR(str_of(d, bv_jv_at(fold, k), a), kinds[k]);
    const bv_jv *enc = bv_jv_get(root, "encoding");
    CHECK_STR(str_of(d, bv_jv_get(bv_jv_get(enc, "x"), "field"), a), "iter");
    CHECK_STR(str_of(d, bv_jv_get(bv_jv_get(enc, "x"), "title"), a), "Measurement");
    CHECK_STR(str_of(d, bv_jv_get(bv_jv_get(enc, "y"), "title"), a), "Memory usage (MB)");
    CHECK_STR(str_of(d, bv_jv_get(bv_jv_get(enc, "color"), "field"), a), "kind");
    /* values in MB (10^6 bytes), one per sample */
    const bv_jv *vals = bv_jv_get(bv_jv_get(root, "data"), "values");
    CHECK_INT(bv_jv_len(vals), t[i].n);
    const bv_jv *v0 = bv_jv_at(vals, 0);
    uint64_t iter = 0, proc = 9;
    CHECK_INT(bv_jv_u64(d, bv_jv_get(v0, "iter"), "iter", &iter), 0);
    CHECK_INT(iter, 1);
    CHECK_INT(bv_jv_u64(d, bv_jv_get(v0, "processes"), "processes", &proc), 0);
    CHECK_INT(proc, 0);
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

int main(void)
{
  test_roundtrip();
  test_csv();
  test_vegalite();
  test_emit();
  test_bad_files();
  return check_report();
}
