/* test_jsonin.c: the one reader of JSON files from the user. Errors name the file and
 * where it went wrong: line:column for bad JSON, the JSON path for bad values; model
 * files are checked for their format name and version before any loader runs. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "util/jsonin.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bad JSON: exact message with line and column (1-based) of where parsing stopped. */
static const struct {
  const char *in;
  const char *err;
} syntax[] = {
    {"", "f.json: empty file, not a beamviz JSON file"},
    {"{", "f.json: not valid JSON (cut short at line 1, column 2)"},
    {"{\"a\":1,}", "f.json: not valid JSON (line 1, column 8)"},
    {"{\n  \"a\": ,\n}", "f.json: not valid JSON (line 2, column 8)"},
    {"[1,\n2,\n\n  x]", "f.json: not valid JSON (line 4, column 3)"},
    {"{\"a\":\"unterminated}", "f.json: not valid JSON (cut short at line 1, column 20)"},
    {"nul", "f.json: not valid JSON (cut short at line 1, column 4)"},
    {"nulx", "f.json: not valid JSON (line 1, column 1)"},
    {"{} x", "f.json: not valid JSON (line 1, column 4)"}, /* data after the value */
    {"{}\n\n  {}", "f.json: not valid JSON (line 3, column 3)"},
    {"  \n ", "f.json: not valid JSON (cut short at line 2, column 2)"},
    /* RFC 8259, strictly */
    {"[01]", "f.json: not valid JSON (line 1, column 3)"},
    {"[1.]", "f.json: not valid JSON (line 1, column 4)"},
    {"[-]", "f.json: not valid JSON (line 1, column 3)"},
    {"[1e]", "f.json: not valid JSON (line 1, column 4)"},
    {"[+1]", "f.json: not valid JSON (line 1, column 2)"},
    {"[.5]", "f.json: not valid JSON (line 1, column 2)"},
    {"[\"a\tb\"]", "f.json: not valid JSON (line 1, column 4)"}, /* raw control character */
    {"[\"\\x\"]", "f.json: not valid JSON (line 1, column 4)"},  /* unknown escape */
    {"[\"\\u12G4\"]", "f.json: not valid JSON (line 1, column 7)"},
    {"{\"a\" 1}", "f.json: not valid JSON (line 1, column 6)"},
    {"{1:2}", "f.json: not valid JSON (line 1, column 2)"},
    {"[1 2]", "f.json: not valid JSON (line 1, column 4)"},
    {"[1,]", "f.json: not valid JSON (line 1, column 4)"},
    {"[1}", "f.json: not valid JSON (line 1, column 3)"},
    {"{\"a\":1]", "f.json: not valid JSON (line 1, column 7)"},
    {"[tru]", "f.json: not valid JSON (line 1, column 2)"},
    {"[True]", "f.json: not valid JSON (line 1, column 2)"},
    {"[1]\x00", "f.json: not valid JSON (line 1, column 4)"},
};

static void test_syntax(void)
{
  for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++) {
    bv_jdoc *d = (bv_jdoc *)1;
    size_t n = strlen(syntax[i].in);
    if (strcmp(syntax[i].in, "[1]") == 0)
      n = 4; /* the NUL after it */
    CHECK_INT(bv_jdoc_parse("f.json", syntax[i].in, n, &d), BV_EFORMAT);
    CHECK(d == NULL);
    CHECK_STR(bv_error_last(), syntax[i].err);
  }
  /* nesting is bounded (no recursion either way): 512 levels pass, 513 do not */
  for (size_t depth = 512; depth <= 513; depth++) {
    char *t = malloc(2 * depth);
    memset(t, '[', depth);
    memset(t + depth, ']', depth);
    bv_jdoc *d = NULL;
    int rc = bv_jdoc_parse("deep.json", t, 2 * depth, &d);
    CHECK_INT(rc, depth == 512 ? 0 : BV_EFORMAT);
    if (rc)
      CHECK_STR(bv_error_last(), "deep.json: not valid JSON (nested deeper than 512 levels)");
    bv_jdoc_free(d);
    free(t);
  }
}

/* Strings are decoded when read: escapes, surrogate pairs, keys with escapes. */
static void test_strings(void)
{
  const char *doc = "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\","
                    "\"lone\":\"x\\ud800y\\udc00\",\"nul\":\"a\\u0000b\",\"k\\u0069nd\":1,"
                    "\"q\\\"\":2,\"bs\\\\\":3,\"dup\":4,\"dup\":5,\"raw\":\"\xff\xfe\"}";
  bv_jdoc *d;
  CHECK_INT(bv_jdoc_parse("s.json", doc, strlen(doc), &d), 0);
  if (!d)
    return;
  const bv_jv *root = bv_jdoc_root(d);
  bv_arena *a = bv_arena_new();
  const char *s = NULL;
  CHECK_INT(bv_jv_str(d, bv_jv_get(root, "s"), "s", a, &s), 0);
  CHECK_STR(s, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  CHECK_INT(bv_jv_str(d, bv_jv_get(root, "lone"), "lone", a, &s), 0);
  CHECK_STR(s, "x\xef\xbf\xbdy\xef\xbf\xbd");
  CHECK_INT(bv_jv_str(d, bv_jv_get(root, "nul"), "nul", a, &s), BV_EFORMAT);
  CHECK_STR(bv_error_last(), "s.json: nul: a string with \\u0000 in it");
  CHECK_INT(bv_jv_str(d, bv_jv_get(root, "raw"), "raw", a, &s), 0);
  CHECK_STR(s, "\xff\xfe"); /* bytes kept as they are: drawing cleans them */
  uint64_t u = 0;
  CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "kind"), "kind", &u), 0); /* "k\u0069nd" */
  CHECK_INT(u, 1);
  CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "q\""), "q", &u), 0);
  CHECK_INT(u, 2);
  CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "bs\\"), "bs", &u), 0);
  CHECK_INT(u, 3);
  CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "dup"), "dup", &u), 0);
  CHECK_INT(u, 4); /* the first of duplicate keys */
  CHECK(bv_jv_get(root, "k") == NULL && bv_jv_get(root, "") == NULL);
  bv_arena_free(a);
  bv_jdoc_free(d);
  /* keys are found back from their values across any whitespace */
  const char *ws = " {\n\t\"a\" :\r\n 1 ,\"\\\\\"\n:\n[2] , \"c\\\"\\\\\":{ \"d\" : \"\" } } ";
  CHECK_INT(bv_jdoc_parse("w.json", ws, strlen(ws), &d), 0);
  if (d) {
    root = bv_jdoc_root(d);
    CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "a"), "a", &u), 0);
    CHECK_INT(u, 1);
    CHECK_INT(bv_jv_len(bv_jv_get(root, "\\")), 1);
    CHECK(bv_jv_is_obj(bv_jv_get(root, "c\"\\")));
    CHECK(bv_jv_get(bv_jv_get(root, "c\"\\"), "d") != NULL);
    bv_jdoc_free(d);
  }
}

/* Memory in proportion to the file: the index may take 4 bytes per byte of
 * text plus 16 MiB, so an array of millions of tiny values is refused at that
 * budget instead of taking 40 times the file (cJSON's tree: 805 MB for 20 MB). */
static void test_budget(void)
{
  size_t k = 4u << 20, n = 2 * k + 3; /* [0,0,...0]: 4M values of 16 bytes > 4 x 8 + 16 MiB */
  char *t = malloc(n);
  t[0] = '[';
  for (size_t i = 0; i < k; i++)
    t[1 + 2 * i] = '0', t[2 + 2 * i] = ',';
  memcpy(t + n - 2, "0]", 2);
  bv_jdoc *d = (bv_jdoc *)1;
  CHECK_INT(bv_jdoc_parse("zeros.json", t, n, &d), BV_EFORMAT);
  CHECK(d == NULL);
  CHECK_STR(bv_error_last(),
            "zeros.json: not a beamviz model file (too many JSON values for a file of 8388611 "
            "bytes)");
  /* the same count of values in a file twice the size (3-byte numbers) fits */
  size_t m = 4 * k + 5;
  char *u = malloc(m);
  u[0] = '[';
  for (size_t i = 0; i < k; i++)
    memcpy(u + 1 + 4 * i, "100,", 4);
  memcpy(u + m - 4, "100]", 4);
  CHECK_INT(bv_jdoc_parse("hundreds.json", u, m, &d), 0);
  if (d) {
    CHECK_INT(bv_jv_len(bv_jdoc_root(d)), k + 1);
    CHECK(bv_jdoc_index_bytes(d) <= 4 * m + (16u << 20));
  }
  bv_jdoc_free(d);
  free(u);
  free(t);
}

/* A trace of n events, each with its serial [prev, curr] (a nested array), as
 * beamviz writes it. */
static char *trace_doc(size_t n, size_t *len)
{
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_puts(&b, "{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"a@h\","
                  "\"participants\":[{\"pid\":\"<0.1.0>\"},{\"pid\":\"<0.2.0>\"}],\n"
                  "\"events\":[");
  for (size_t i = 0; i < n; i++)
    bv_buf_printf(&b, "%s\n{\"kind\":\"send\",\"from\":%zu,\"to\":%zu,\"label\":\"INFO: x\","
                      "\"text\":\"{x,%zu}\",\"serial\":[%zu,%zu],\"ts_us\":%zu,\"reply_to\":null}",
                  i ? "," : "", i % 2, (i + 1) % 2, i, i, i + 1, i);
  bv_buf_puts(&b, "]}\n");
  *len = b.len;
  return b.data;
}

/* A tree: a root with n children and n links between them ([a,b] pairs). */
static char *tree_doc(size_t n, size_t *len)
{
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_puts(&b, "{\"format\":\"beamviz.suptree\",\"version\":1,\"node\":\"a@h\",\n"
                  "\"nodes\":[{\"kind\":\"root\",\"parent\":-1,\"pid\":\"<0.1.0>\"}");
  for (size_t i = 1; i <= n; i++)
    bv_buf_printf(&b, ",\n{\"kind\":\"worker\",\"parent\":0,\"pid\":\"<0.%zu.0>\"}", i + 1);
  bv_buf_puts(&b, "],\n\"links\":[");
  for (size_t l = 0; l < n; l++)
    bv_buf_printf(&b, "%s[%zu,%zu]", l ? "," : "", l % n + 1, (l + 1) % n + 1);
  bv_buf_puts(&b, "]}\n");
  *len = b.len;
  return b.data;
}

static uint64_t load_steps(char *(*gen)(size_t, size_t *), size_t n)
{
  size_t len;
  char *doc = gen(n, &len);
  bv_model m;
  uint64_t before = bv_jv_steps();
  CHECK_INT(bv_model_load_mem("big.json", doc, len, &m), 0);
  uint64_t used = bv_jv_steps() - before;
  bv_model_dispose(&m);
  free(doc);
  return used;
}

/* Loading is linear in the file: four times the events (each holding a nested
 * array, which lost the earlier single cursor) or tree links take four times
 * the steps through the JSON, not sixteen. Counted, never timed. */
static void test_linear(void)
{
  char *(*gens[])(size_t, size_t *) = {trace_doc, tree_doc};
  for (size_t g = 0; g < 2; g++) {
    uint64_t s10 = load_steps(gens[g], 10000), s40 = load_steps(gens[g], 40000);
    CHECK(s10 > 10000);
    CHECK(s40 * 10 <= s10 * 41);
    if (s40 * 10 > s10 * 41)
      fprintf(stderr, "  %s: %llu steps for 10k, %llu for 40k\n", g ? "tree" : "trace",
              (unsigned long long)s10, (unsigned long long)s40);
  }
}

/* bv_jv_at walks from the start; iterators are independent of each other. */
static void test_iter(void)
{
  const char *doc = "[[1,2],[],[3],4]";
  bv_jdoc *d;
  CHECK_INT(bv_jdoc_parse("i.json", doc, strlen(doc), &d), 0);
  if (!d)
    return;
  const bv_jv *root = bv_jdoc_root(d);
  bv_jit outer, inner;
  bv_jv_iter(root, &outer);
  uint64_t sum = 0, x;
  size_t count = 0;
  for (const bv_jv *e = bv_jv_next(&outer); e; e = bv_jv_next(&outer), count++) {
    bv_jv_iter(e, &inner); /* 4 is not an array: no elements */
    for (const bv_jv *f = bv_jv_next(&inner); f; f = bv_jv_next(&inner))
      if (bv_jv_u64(d, f, "x", &x) == 0)
        sum += x;
  }
  CHECK_INT(count, 4);
  CHECK_INT(sum, 6);
  CHECK_INT(bv_jv_len(bv_jv_at(root, 0)), 2);
  CHECK_INT(bv_jv_len(bv_jv_at(root, 1)), 0);
  CHECK(bv_jv_at(root, 4) == NULL && bv_jv_at(bv_jv_at(root, 1), 0) == NULL);
  CHECK_INT(bv_jv_u64(d, bv_jv_at(root, 3), "[3]", &x), 0);
  CHECK_INT(x, 4);
  bv_jv_iter(NULL, &outer);
  CHECK(bv_jv_next(&outer) == NULL);
  bv_jdoc_free(d);
}

/* The size cap: at most max_bytes + 1 bytes are read, from any file. */
static void test_cap(void)
{
  bv_model m;
  bv_load_opts o = {1u << 20, 0};
  CHECK_INT(bv_model_load("/dev/zero", &o, &m), BV_EFORMAT);
  CHECK_INT(o.too_big, 1);
  CHECK_STR(bv_error_last(), "/dev/zero: larger than 1 MiB, the limit for a model file");
  CHECK_INT(m.kind, BV_MODEL_NONE);

  char path[600];
  const char *base = getenv("BV_TEST_TMP");
  snprintf(path, sizeof path, "%s/cap.json", base && *base ? base : "/tmp");
  if (base && *base) {
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", base);
    CHECK_INT(system(cmd), 0);
  }
  size_t len;
  char *doc = trace_doc(3, &len);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    fwrite(doc, 1, len, f);
    fclose(f);
  }
  o.max_bytes = len; /* exactly the file: read */
  CHECK_INT(bv_model_load(path, &o, &m), 0);
  CHECK_INT(o.too_big, 0);
  CHECK_INT(m.kind, BV_MODEL_TRACE);
  bv_model_dispose(&m);
  o.max_bytes = len - 1; /* one byte short: refused */
  CHECK_INT(bv_model_load(path, &o, &m), BV_EFORMAT);
  CHECK_INT(o.too_big, 1);
  CHECK(strstr(bv_error_last(), "bytes, the limit for a model file") != NULL);
  CHECK_INT(bv_model_load(path, NULL, &m), 0); /* default cap */
  bv_model_dispose(&m);
  unlink(path);
  free(doc);
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
     "m.json: not a beamviz model file (no \"format\" field)"},
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
    {"{\"format\":\"beamviz.procs\",", BV_EFORMAT,
     "m.json: not valid JSON (cut short at line 1, column 27)"},
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
  CHECK_INT(bv_model_load("/nonexistent/dir/x.json", NULL, &m), BV_EIO);
  CHECK(strstr(bv_error_last(), "/nonexistent/dir/x.json") != NULL);
  bv_model_dispose(&m);
  bv_model_dispose(NULL);
}

int main(void)
{
  test_syntax();
  test_length();
  test_typed();
  test_strings();
  test_iter();
  test_budget();
  test_linear();
  test_models();
  test_cap();
  return check_report();
}
