/* test_jsonin.c: the one reader of JSON files from the user. Errors name the file and
 * where it went wrong: line:column for bad JSON, the JSON path for bad values; model
 * files are checked for their format name and version before any loader runs. */
#include "jsonin.h"
#include "check.h"

#include <string.h>

/* Bad JSON: exact message with line and column (1-based) of where parsing stopped. */
static const struct {
  const char *in;
  const char *err;
} syntax[] = {
    {"", "f.json: empty file, not a beamviz JSON file"},
    {"{", "f.json: not valid JSON (line 1, column 1)"}, /* cJSON: the last byte at EOF */
    {"{\"a\":1,}", "f.json: not valid JSON (line 1, column 8)"},
    {"{\n  \"a\": ,\n}", "f.json: not valid JSON (line 2, column 8)"},
    {"[1,\n2,\n\n  x]", "f.json: not valid JSON (line 4, column 3)"},
    {"{\"a\":\"unterminated}", "f.json: not valid JSON (line 1, column 7)"},
    {"nul", "f.json: not valid JSON (line 1, column 1)"},
    {"{} x", "f.json: not valid JSON (line 1, column 4)"}, /* data after the value */
    {"{}\n\n  {}", "f.json: not valid JSON (line 3, column 3)"},
};

static void test_syntax(void)
{
  for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++) {
    bv_jdoc *d = (bv_jdoc *)1;
    CHECK_INT(bv_jdoc_parse("f.json", syntax[i].in, strlen(syntax[i].in), &d), BV_EFORMAT);
    CHECK(d == NULL);
    CHECK_STR(bv_error_last(), syntax[i].err);
  }
}

/* The length is respected: no NUL needed, and bytes past len are never read. */
static void test_length(void)
{
  const char data[] = {'{', '"', 'a', '"', ':', '1', '}', 'J', 'U', 'N', 'K'};
  bv_jdoc *d;
  CHECK_INT(bv_jdoc_parse("f.json", data, 7, &d), 0);
  uint64_t v = 0;
  CHECK_INT(bv_jv_u64(d, bv_jv_get(bv_jdoc_root(d), "a"), "a", &v), 0);
  CHECK_INT(v, 1);
  CHECK_STR(bv_jdoc_name(d), "f.json");
  bv_jdoc_free(d);
  CHECK_INT(bv_jdoc_parse("f.json", data, 6, &d), BV_EFORMAT);
  bv_jdoc_free(NULL);
}

static void test_typed(void)
{
  const char *doc = "{\"procs\":[{\"pid\":\"<0.1.0>\",\"memory\":2832,\"neg\":-1,\"frac\":1.5,"
                    "\"big\":1e30,\"flag\":true,\"nil\":null,\"s\":7}],\"n\":-9}";
  bv_jdoc *d;
  CHECK_INT(bv_jdoc_parse("snap.json", doc, strlen(doc), &d), 0);
  const bv_jv *root = bv_jdoc_root(d);
  const bv_jv *procs = bv_jv_get(root, "procs");
  CHECK(bv_jv_is_obj(root) && bv_jv_is_arr(procs) && !bv_jv_is_arr(root));
  CHECK_INT(bv_jv_len(procs), 1);
  CHECK_INT(bv_jv_len(root), 0);
  CHECK(bv_jv_at(procs, 1) == NULL);
  const bv_jv *p = bv_jv_at(procs, 0);
  bv_arena *a = bv_arena_new();
  const char *s = NULL;
  uint64_t u = 0;
  int64_t i = 0;
  int b = -1;

  CHECK_INT(bv_jv_str(d, bv_jv_get(p, "pid"), "procs[0].pid", a, &s), 0);
  CHECK_STR(s, "<0.1.0>");
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "memory"), "procs[0].memory", &u), 0);
  CHECK_INT(u, 2832);
  CHECK_INT(bv_jv_bool(d, bv_jv_get(p, "flag"), "procs[0].flag", &b), 0);
  CHECK_INT(b, 1);
  CHECK_INT(bv_jv_i64(d, bv_jv_get(root, "n"), "n", &i), 0);
  CHECK_INT(i, -9);

  /* errors: file, JSON path, what was expected */
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "neg"), "procs[0].neg", &u), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].neg: expected a non-negative integer");
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "frac"), "procs[0].frac", &u), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].frac: expected a non-negative integer");
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "big"), "procs[0].big", &u), BV_EFORMAT);
  CHECK_INT(bv_jv_i64(d, bv_jv_get(p, "big"), "procs[0].big", &i), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].big: expected an integer");
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "pid"), "procs[0].pid", &u), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].pid: expected a number");
  CHECK_INT(bv_jv_u64(d, bv_jv_get(p, "nope"), "procs[0].nope", &u), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].nope: missing");
  CHECK_INT(bv_jv_str(d, bv_jv_get(p, "s"), "procs[0].s", a, &s), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].s: expected a string");
  CHECK_INT(bv_jv_bool(d, bv_jv_get(p, "s"), "procs[0].s", &b), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0].s: expected true or false");
  CHECK_INT(bv_jv_obj(d, procs, "procs"), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs: expected an object");
  CHECK_INT(bv_jv_arr(d, p, "procs[0]", 0), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: procs[0]: expected an array");
  CHECK_INT(bv_jv_arr(d, procs, "procs", 0), 0);
  CHECK_INT(bv_jv_arr(d, procs, "procs", 1), 0);
  CHECK_INT(bv_jv_arr(d, NULL, "links", 0), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: links: missing");

  /* optional strings: absent or null keep the default */
  s = "dflt";
  CHECK_INT(bv_jv_opt_str(d, bv_jv_get(p, "nil"), "procs[0].nil", a, &s), 0);
  CHECK_STR(s, "dflt");
  CHECK_INT(bv_jv_opt_str(d, bv_jv_get(p, "absent"), "procs[0].absent", a, &s), 0);
  CHECK_STR(s, "dflt");
  CHECK_INT(bv_jv_opt_str(d, bv_jv_get(p, "s"), "procs[0].s", a, &s), BV_EFORMAT);
  CHECK(bv_jv_is_null(bv_jv_get(p, "nil")) && bv_jv_is_null(NULL));
  CHECK(!bv_jv_is_null(p));
  CHECK_INT(bv_jv_fail(d, "x.y", "custom detail"), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "snap.json: x.y: custom detail");
  bv_arena_free(a);
  bv_jdoc_free(d);
}

/* Model files: the header is checked before any per-kind loader runs. */
static const struct {
  const char *in;
  int rc;
  const char *err; /* exact, or NULL to skip */
} models[] = {
    {"[]", BV_EFORMAT, "m.json: top level: expected an object"},
    {"{}", BV_EFORMAT,
     "m.json: not a beamviz model file (no \"format\" field; render reads the .json that "
     "--save or -o FILE.json wrote)"},
    {"{\"format\":1}", BV_EFORMAT, "m.json: format: expected a string"},
    {"{\"format\":\"vega-lite\",\"version\":1}", BV_EFORMAT,
     "m.json: format 'vega-lite' is not a beamviz model file"},
    {"{\"format\":\"beamviz.procs\"}", BV_EFORMAT, "m.json: version: missing"},
    {"{\"format\":\"beamviz.procs\",\"version\":\"1\"}", BV_EFORMAT,
     "m.json: version: expected a number"},
    {"{\"format\":\"beamviz.procs\",\"version\":2}", BV_EFORMAT,
     "m.json: version 2 of beamviz.procs is newer than this beamviz reads (1)"},
    {"{\"format\":\"beamviz.memory\",\"version\":99}", BV_EFORMAT,
     "m.json: version 99 of beamviz.memory is newer than this beamviz reads (1)"},
    {"{\"format\":\"beamviz.suptree\",\"version\":0}", BV_EFORMAT,
     "m.json: version 0 of beamviz.suptree is other than this beamviz reads (1)"},
    {"{\"format\":\"beamviz.procs\",\"version\":1.5}", BV_EFORMAT,
     "m.json: version: expected an integer"},
    {"{\"format\":\"beamviz.procs\",", BV_EFORMAT, "m.json: not valid JSON (line 1, column 26)"},
    /* the right header, a body the loader must reject (naming the file) */
    {"{\"format\":\"beamviz.procs\",\"version\":1,\"procs\":7}", BV_EFORMAT, NULL},
    {"{\"format\":\"beamviz.memory\",\"version\":1,\"samples\":{}}", BV_EFORMAT, NULL},
    {"{\"format\":\"beamviz.suptree\",\"version\":1,\"nodes\":\"x\"}", BV_EFORMAT, NULL},
    {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"events\":1}", BV_EFORMAT, NULL},
};

static void test_models(void)
{
  for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
    bv_model m;
    memset(&m, 0x55, sizeof m);
    int rc = bv_model_load_mem("m.json", models[i].in, strlen(models[i].in), &m);
    CHECK_INT(rc, models[i].rc);
    if (models[i].err)
      CHECK_STR(bv_error_last(), models[i].err);
    else
      CHECK(strncmp(bv_error_last(), "m.json", 6) == 0);
    CHECK_INT(m.kind, BV_MODEL_NONE); /* nothing half-loaded comes back */
    bv_model_dispose(&m);
  }
  /* a file that is not there */
  bv_model m;
  CHECK_INT(bv_model_load("/nonexistent/dir/x.json", &m), BV_EIO);
  CHECK(strstr(bv_error_last(), "/nonexistent/dir/x.json") != NULL);
  bv_model_dispose(&m);
  bv_model_dispose(NULL);
}

int main(void)
{
  test_syntax();
  test_length();
  test_typed();
  test_models();
  return check_report();
}
