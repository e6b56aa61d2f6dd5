/* test_procs.c: the process snapshot model: JSON round trip, CSV quoting (text
 * cleaned, formulas neutralised), Vega-Lite emission (parsed back and checked),
 * top-N, zero handling, field names, and errors for bad snapshot files. */
#include "check.h"
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "util/jsonin.h"

#include <stdlib.h>
#include <string.h>

/* --- helpers --------------------------------------------------------------- */

typedef struct row {
  const char *pid, *name;
  uint64_t reds, mem;
  const char *status;
  uint64_t mql;
  const char *cf, *ic;
  const char *label;
} row;

static bv_snapshot *make(const row *rows, size_t n, int elixir)
{
  bv_snapshot *s = calloc(1, sizeof *s);
  s->arena = bv_arena_new();
  s->node = "test@127.0.0.1";
  s->otp_release = "25";
  s->elixir = elixir;
  s->n = n;
  s->total = n + 1;
  s->skipped = 1;
  s->procs = bv_arena_alloc(s->arena, (n ? n : 1) * sizeof(bv_proc));
  for (size_t i = 0; i < n; i++) {
    bv_proc *p = &s->procs[i];
    p->pid = rows[i].pid;
    p->name = rows[i].name;
    p->reductions = rows[i].reds;
    p->memory = rows[i].mem;
    p->status = rows[i].status;
    p->message_queue_len = rows[i].mql;
    p->current_function = rows[i].cf;
    p->initial_call = rows[i].ic;
    p->label = rows[i].label;
  }
  return s;
}

/* Runs a writer into memory; returns a malloc'd NUL-terminated copy. */
static char *render(int (*wr)(const bv_snapshot *, bv_out *), const bv_snapshot *s)
{
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = wr(s, o);
  size_t len;
  const char *p = bv_out_mem(o, &len);
  char *copy = rc ? NULL : strndup(p ? p : "", len);
  bv_out_commit(o);
  return copy;
}

/* Chart fields by name (NULL = the default). */
typedef struct chart {
  const char *x, *y, *color;
} chart;

static bv_emit_opts chart_opts(const chart *c)
{
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  if (c) {
    o.x = c->x;
    o.y = c->y;
    o.color = c->color;
  }
  return o;
}

/* The registry's writers (bv_emit_fn) on a model holding s. */
static int write_csv(const bv_snapshot *s, bv_out *o)
{
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = (bv_snapshot *)s}};
  bv_emit_opts eo = chart_opts(NULL);
  return bv_emit_procs_csv(&m, BV_FMT_CSV, &eo, o, NULL);
}

static const chart *cur_chart;
static bv_emit_info vl_info;
static int write_vl(const bv_snapshot *s, bv_out *o)
{
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = (bv_snapshot *)s}};
  bv_emit_opts eo = chart_opts(cur_chart);
  memset(&vl_info, 0, sizeof vl_info);
  return bv_emit_procs_vegalite(&m, BV_FMT_VEGALITE, &eo, o, &vl_info);
}

static const row sample[] = {
    {"<0.0.0>", "init", 5000, 13704, "waiting", 0, "init:loop/1", "erl_init:start/2", NULL},
    {"<0.10.0>", NULL, 0, 2640, "running", 3, "gen_server:loop/7", "proc_lib:init_p/5",
     "\"job\" 1"},
    {"<0.11.0>", "My.Server", 120, 0, "waiting", 0, NULL, NULL, NULL},
    {"<0.12.0>", "a,b \"q\"\nx", 7, 9000, "runnable", 12, "Elixir.Foo:bar/2", "m:f/0", NULL},
    {"<0.13.0>", "caf\xc3\xa9", 7, 9000, "garbage_collecting", 1, "m:f/1", "m:f/0", NULL},
};
#define NSAMPLE (sizeof sample / sizeof *sample)

static int same_str(const char *a, const char *b)
{
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* --- tests ----------------------------------------------------------------- */

static void test_fields(void)
{
  static const struct {
    const char *name;
    bv_proc_field f;
    int numeric;
  } t[] = {
      {"pid", BV_PF_PID, 0},
      {"name", BV_PF_NAME, 0},
      {"reductions", BV_PF_REDUCTIONS, 1},
      {"memory", BV_PF_MEMORY, 1},
      {"status", BV_PF_STATUS, 0},
      {"message_queue_len", BV_PF_MESSAGE_QUEUE_LEN, 1},
      {"current_function", BV_PF_CURRENT_FUNCTION, 0},
      {"initial_call", BV_PF_INITIAL_CALL, 0},
      {"label", BV_PF_LABEL, 0},
      {"Memory", BV_PF_NONE, 0},
      {"", BV_PF_NONE, 0},
      {"mem", BV_PF_NONE, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    CHECK_INT(bv_proc_field_from_name(t[i].name), t[i].f);
    CHECK_INT(bv_proc_field_numeric(t[i].f), t[i].numeric);
    if (t[i].f != BV_PF_NONE)
      CHECK_STR(bv_proc_field_name(t[i].f), t[i].name);
  }
  CHECK_INT(bv_proc_field_from_name(NULL), BV_PF_NONE);
}

static void test_json_roundtrip(void)
{
  for (int elixir = 0; elixir <= 1; elixir++) {
    bv_snapshot *s = make(sample, NSAMPLE, elixir);
    char *j1 = render(bv_snapshot_write_json, s);
    CHECK(j1 != NULL);
    bv_model m;
    int rc = bv_model_load_mem("rt.json", j1, strlen(j1), &m);
    CHECK_INT(rc, 0);
    if (rc) {
      fprintf(stderr, "  %s\n", bv_error_last());
      free(j1);
      bv_snapshot_free(s);
      continue;
    }
    CHECK_INT(m.kind, BV_MODEL_SNAPSHOT);
    const bv_snapshot *r = m.u.snapshot;
    CHECK_STR(r->node, s->node);
    CHECK_STR(r->otp_release, s->otp_release);
    CHECK_INT(r->elixir, elixir);
    CHECK_INT(r->n, s->n);
    CHECK_INT(r->total, s->total);
    CHECK_INT(r->skipped, s->skipped);
    for (size_t i = 0; i < s->n && i < r->n; i++) {
      const bv_proc *a = &s->procs[i], *b = &r->procs[i];
      CHECK(same_str(a->pid, b->pid));
      CHECK(same_str(a->name, b->name));
      CHECK_INT(a->reductions, b->reductions);
      CHECK_INT(a->memory, b->memory);
      CHECK(same_str(a->status, b->status));
      CHECK_INT(a->message_queue_len, b->message_queue_len);
      CHECK(same_str(a->current_function, b->current_function));
      CHECK(same_str(a->initial_call, b->initial_call));
      CHECK(same_str(a->label, b->label));
    }
    CHECK(strstr(j1, "\"label\":\"\\\"job\\\" 1\"") != NULL);
    /* interned on load: equal texts share one string */
    CHECK(r->procs[0].status == r->procs[2].status);
    /* written again: the same bytes */
    char *j2 = render(bv_snapshot_write_json, r);
    CHECK(j2 && strcmp(j1, j2) == 0);
    free(j1);
    free(j2);
    bv_model_dispose(&m);
    bv_snapshot_free(s);
  }
  /* a file written before labels were read (no "label" key) still reads */
  {
    static const char old[] =
        "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"a@b\",\"otp_release\":\"25\","
        "\"total\":1,\"skipped\":0,\"procs\":[{\"pid\":\"<0.1.0>\",\"name\":null,"
        "\"reductions\":1,\"memory\":2,\"status\":\"waiting\",\"message_queue_len\":0,"
        "\"current_function\":null,\"initial_call\":\"m:f/0\"}]}";
    bv_model m;
    CHECK_INT(bv_model_load_mem("old.json", old, strlen(old), &m), 0);
    CHECK(m.u.snapshot && m.u.snapshot->n == 1 && m.u.snapshot->procs[0].label == NULL);
    bv_model_dispose(&m);
  }
  /* an empty snapshot round-trips too */
  bv_snapshot *e = make(NULL, 0, 0);
  char *j = render(bv_snapshot_write_json, e);
  bv_model m;
  CHECK_INT(bv_model_load_mem("empty.json", j, strlen(j), &m), 0);
  CHECK_INT(m.u.snapshot ? m.u.snapshot->n : 99, 0);
  bv_model_dispose(&m);
  free(j);
  bv_snapshot_free(e);
}

static void test_csv(void)
{
  static const struct {
    const char *name;
    const char *want; /* the name column as written */
  } t[] = {
      {"plain", "plain"},
      {NULL, ""},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"", ""},
      /* control characters: visible escapes, never raw (one record a line, nothing a
         terminal obeys) */
      {"two\nlines", "two\\nlines"},
      {"cr\rhere", "cr\\rhere"},
      {"x\x1b[31mred\a", "x\\x1b[31mred\\x07"},
      {"c1\xc2\x9b" "2J", "c1\\u009b2J"},
      {"bad\xff", "bad\\xff"},
      {"a,\x1b", "\"a,\\x1b\""},
      /* formulas: a ' in front (OWASP), also when quoted; only at the start */
      {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
      {"+1+1", "'+1+1"},
      {"-12", "'-12"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"=1,2", "\"'=1,2\""},
      {"\t=1", "\\t=1"},
      {"\r=1", "\\r=1"},
      {"a=b-c", "a=b-c"},
      {"'=x", "'=x"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    row r = {"<0.1.0>", t[i].name, 1, 2, "waiting", 0, "m:f/1", "a:b/0", NULL};
    bv_snapshot *s = make(&r, 1, 0);
    char *csv = render(write_csv, s);
    char want[256];
    snprintf(want, sizeof want,
             "pid,name,reductions,memory,status,message_queue_len,current_function,"
             "initial_call,label\r\n<0.1.0>,%s,1,2,waiting,0,m:f/1,a:b/0,\r\n",
             t[i].want);
    CHECK_STR(csv, want);
    free(csv);
    bv_snapshot_free(s);
  }
  /* every text column is cleaned and neutralised; numbers are written as numbers */
  row r = {"<0.1.0>", "-n", 0, 18446744073709551615u, "=st", 12, "-m:f/1", "@a:b/0", NULL};
  bv_snapshot *s = make(&r, 1, 0);
  char *csv = render(write_csv, s);
  CHECK_STR(csv, "pid,name,reductions,memory,status,message_queue_len,current_function,"
                 "initial_call,label\r\n<0.1.0>,'-n,0,18446744073709551615,'=st,12,'-m:f/1,'@a:b/0,"
                 "\r\n");
  free(csv);
  bv_snapshot_free(s);
  /* an Elixir node's CSV: pids and calls as Elixir writes them, the label */
  row ex[] = {{"<0.9.0>", NULL, 1, 2, "waiting", 0, "gen_server:loop/7", "Elixir.Demo.W:init/1",
               "job 1"},
              {"<0.8.0>", "Demo.Reg", 1, 2, "waiting", 0, "Demo.Reg:loop/0", NULL, NULL}};
  s = make(ex, 2, 1);
  csv = render(write_csv, s);
  CHECK_STR(csv, "pid,name,reductions,memory,status,message_queue_len,current_function,"
                 "initial_call,label\r\n#PID<0.9.0>,,1,2,waiting,0,:gen_server.loop/7,"
                 "Demo.W.init/1,job 1\r\n#PID<0.8.0>,Demo.Reg,1,2,waiting,0,Demo.Reg.loop/0,,\r\n");
  free(csv);
  bv_snapshot_free(s);
}

/* Finds an object in an array by a string field. */
static const bv_jv *find_by(const bv_jv *arr, const char *key, const char *val, bv_arena *a,
                            const bv_jdoc *d)
{
  for (size_t i = 0; i < bv_jv_len(arr); i++) {
    const char *s = NULL;
    const bv_jv *e = bv_jv_at(arr, i);
    if (bv_jv_get(e, key) && bv_jv_str(d, bv_jv_get(e, key), key, a, &s) == 0 &&
        strcmp(s, val) == 0)
      return e;
  }
  return NULL;
}

static const char *str_at(const bv_jdoc *d, const bv_jv *v, bv_arena *a)
{
  const char *s = NULL;
  if (!v || bv_jv_str(d, v, "x", a, &s))
    return NULL;
  return s;
}

static void test_vegalite(void)
{
  bv_arena *a = bv_arena_new();
  static const struct {
    chart chart;
    const char *x, *y, *color;
    int zeros; /* points with x or y = 0 in `sample` */
    const char *yscale; /* message_queue_len, mostly 0 in `sample`: symlog */
    int drawn_at_1;     /* zeros on the log axes only (a symlog axis draws 0 at 0) */
  } t[] = {
      {{NULL, NULL, NULL}, "reductions", "memory", "status", 2, "log", 2},
      {{"memory", "message_queue_len", "initial_call"},
       "memory",
       "message_queue_len",
       "initial_call",
       2, "symlog", 1},
      {{"reductions", "message_queue_len", "name"},
       "reductions",
       "message_queue_len",
       "name",
       3, "symlog", 1},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_snapshot *s = make(sample, NSAMPLE, 0);
    cur_chart = &t[i].chart;
    char *vl = render(write_vl, s);
    CHECK(vl != NULL);
    bv_jdoc *d = NULL;
    int rc = vl ? bv_jdoc_parse("out.vl.json", vl, strlen(vl), &d) : -1;
    CHECK_INT(rc, 0);
    if (rc) {
      fprintf(stderr, "  %s\n", bv_error_last());
      free(vl);
      bv_snapshot_free(s);
      continue;
    }
    const bv_jv *root = bv_jdoc_root(d);
    CHECK_STR(str_at(d, bv_jv_get(root, "$schema"), a),
              "https://vega.github.io/schema/vega-lite/v5.json");
    uint64_t w = 0, h = 0;
    CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "width"), "width", &w), 0);
    CHECK_INT(bv_jv_u64(d, bv_jv_get(root, "height"), "height", &h), 0);
    CHECK_INT(w, 600);
    CHECK_INT(h, 400);
    const bv_jv *enc = bv_jv_get(root, "encoding");
    const bv_jv *x = bv_jv_get(enc, "x"), *y = bv_jv_get(enc, "y");
    CHECK_STR(str_at(d, bv_jv_get(bv_jv_get(x, "scale"), "type"), a), "log");
    CHECK_STR(str_at(d, bv_jv_get(bv_jv_get(y, "scale"), "type"), a), t[i].yscale);
    /* the data's extent, not rounded out to decades */
    CHECK(bv_jv_get(bv_jv_get(x, "scale"), "domain") != NULL);
    CHECK(bv_jv_get(bv_jv_get(x, "scale"), "nice") != NULL);
    /* name colours by the identity: the rows' "who" */
    CHECK_STR(str_at(d, bv_jv_get(bv_jv_get(enc, "color"), "field"), a),
              strcmp(t[i].color, "name") ? t[i].color : "who");
    CHECK_STR(str_at(d, bv_jv_get(bv_jv_get(enc, "color"), "title"), a), t[i].color);
    /* the plotted fields come from calculate transforms on the real fields */
    const bv_jv *tr = bv_jv_get(root, "transform");
    char want[128];
    snprintf(want, sizeof want, "max(datum.%s, 1)", t[i].x);
    CHECK_STR(str_at(d, bv_jv_get(find_by(tr, "as", "x_plotted", a, d), "calculate"), a), want);
    snprintf(want, sizeof want, "max(datum.%s, %d)", t[i].y, !strcmp(t[i].yscale, "log"));
    CHECK_STR(str_at(d, bv_jv_get(find_by(tr, "as", "y_plotted", a, d), "calculate"), a), want);
    /* tooltip: pid, name, current function, queue length */
    const bv_jv *tt = bv_jv_get(enc, "tooltip");
    CHECK(find_by(tt, "field", "who", a, d) != NULL);
    CHECK(find_by(tt, "field", "pid", a, d) != NULL);
    CHECK(find_by(tt, "field", "name", a, d) != NULL);
    CHECK(find_by(tt, "field", "label", a, d) != NULL);
    CHECK(find_by(tt, "field", "current_function", a, d) != NULL);
    CHECK(find_by(tt, "field", "message_queue_len", a, d) != NULL);
    CHECK(find_by(tt, "field", t[i].x, a, d) != NULL);
    /* data inline, one value per process, real values kept */
    const bv_jv *vals = bv_jv_get(bv_jv_get(root, "data"), "values");
    CHECK_INT(bv_jv_len(vals), NSAMPLE);
    const bv_jv *p1 = find_by(vals, "pid", "<0.10.0>", a, d);
    uint64_t reds = 99;
    CHECK_INT(bv_jv_u64(d, bv_jv_get(p1, "reductions"), "r", &reds), 0);
    CHECK_INT(reds, 0);
    CHECK(bv_jv_get(p1, "name") == NULL); /* absent, not "null" text */
    /* who: the label with the pid (the identity rule) */
    CHECK_STR(str_at(d, bv_jv_get(p1, "who"), a), "\"job\" 1 <0.10.0>");
    CHECK_STR(str_at(d, bv_jv_get(p1, "label"), a), "\"job\" 1");
    CHECK_STR(str_at(d, bv_jv_get(find_by(vals, "pid", "<0.11.0>", a, d), "who"), a),
              "My.Server");
    CHECK_STR(str_at(d, bv_jv_get(find_by(vals, "pid", "<0.12.0>", a, d), "name"), a),
              "a,b \"q\"\nx");
    /* zeros: squares in a legend, counted in the subtitle */
    const bv_jv *shape = bv_jv_get(enc, "shape");
    CHECK_STR(str_at(d, bv_jv_get(shape, "field"), a), "plotted");
    const bv_jv *sub = bv_jv_get(bv_jv_get(root, "title"), "subtitle");
    CHECK_INT(bv_jv_len(sub), 2);
    const char *z = str_at(d, bv_jv_at(sub, 1), a);
    char zs[32];
    snprintf(zs, sizeof zs, "%d point%s with", t[i].drawn_at_1, t[i].drawn_at_1 == 1 ? "" : "s");
    CHECK(z && strstr(z, zs) != NULL);
    CHECK_INT(bv_snapshot_zeros(s, bv_proc_field_from_name(t[i].x),
                                bv_proc_field_from_name(t[i].y)),
              t[i].zeros);
    CHECK_INT(vl_info.zeros, t[i].drawn_at_1);
    bv_jdoc_free(d);
    free(vl);
    bv_snapshot_free(s);
  }
  /* no zeros: a constant shape, one subtitle line */
  {
    row r[] = {{"<0.1.0>", NULL, 5, 6, "waiting", 0, "m:f/1", "a:b/0", NULL}};
    bv_snapshot *s = make(r, 1, 1);
    cur_chart = NULL;
    char *vl = render(write_vl, s);
    bv_jdoc *d = NULL;
    CHECK_INT(bv_jdoc_parse("one.vl.json", vl, strlen(vl), &d), 0);
    const bv_jv *root = bv_jdoc_root(d);
    CHECK_STR(str_at(d, bv_jv_get(bv_jv_get(bv_jv_get(root, "encoding"), "shape"), "value"), a),
              "circle");
    CHECK_INT(bv_jv_len(bv_jv_get(bv_jv_get(root, "title"), "subtitle")), 1);
    /* elixir pids are shown the Elixir way */
    const bv_jv *v0 = bv_jv_at(bv_jv_get(bv_jv_get(root, "data"), "values"), 0);
    CHECK_STR(str_at(d, bv_jv_get(v0, "pid"), a), "#PID<0.1.0>");
    bv_jdoc_free(d);
    free(vl);
    bv_snapshot_free(s);
  }
  /* a colour field with more values than a legend can hold: the legend
   * lists the first 30 (as the image does), the subtitle says how many more */
  {
    row r[40];
    char names[40][16];
    for (int i = 0; i < 40; i++) {
      snprintf(names[i], sizeof names[i], "n%02d", i);
      r[i] = (row){"<0.1.0>", names[i], 5, 6, "waiting", 0, "m:f/1", "a:b/0", NULL};
    }
    static const chart by_name = {NULL, NULL, "name"};
    for (int n = 30; n <= 40; n += 10) {
      bv_snapshot *s = make(r, (size_t)n, 0);
      cur_chart = &by_name;
      char *vl = render(write_vl, s);
      bv_jdoc *d = NULL;
      CHECK_INT(bv_jdoc_parse("legend.vl.json", vl, strlen(vl), &d), 0);
      const bv_jv *root = bv_jdoc_root(d);
      const bv_jv *legend = bv_jv_get(bv_jv_get(bv_jv_get(root, "encoding"), "color"), "legend");
      CHECK(legend != NULL && !bv_jv_is_null(legend));
      uint64_t limit = 0;
      CHECK_INT(bv_jv_u64(d, bv_jv_get(legend, "symbolLimit"), "symbolLimit", &limit), 0);
      CHECK_INT(limit, 30);
      const char *values = str_at(d, bv_jv_get(bv_jv_get(legend, "values"), "expr"), a);
      const bv_jv *sub = bv_jv_get(bv_jv_get(root, "title"), "subtitle");
      CHECK_INT(bv_jv_len(sub), n > 30 ? 2 : 1);
      if (n > 30) {
        CHECK(values && strncmp(values, "[\"n00\", \"n01\", ", 15) == 0 &&
              strstr(values, "\"n29\"]") != NULL && !strstr(values, "n30"));
        CHECK_STR(str_at(d, bv_jv_at(sub, 1), a),
                  "colour by name: 40 values, the legend shows 30, \xE2\x80\xA6 and 10 more "
                  "(see the tooltip)");
      } else {
        CHECK(values == NULL);
      }
      bv_jdoc_free(d);
      free(vl);
      bv_snapshot_free(s);
    }
  }
  /* bad chart fields are refused naming the field and the value (the CLI
   * adds its option's name) */
  {
    bv_snapshot *s = make(sample, NSAMPLE, 0);
    static const struct {
      chart c;
      const char *msg;
    } bad[] = {
        {{"status", "memory", "status"},
         "x field 'status' is not one of reductions|memory|message_queue_len|reductions_per_sec"},
        {{"memory", "name", "status"},
         "y field 'name' is not one of reductions|memory|message_queue_len|reductions_per_sec"},
        {{"memory", "reductions", "memory"},
         "color field 'memory' is not one of status|name|label|current_function|initial_call|window|node"},
        {{"memory", "memory", "status"}, "x and y are both 'memory'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
      cur_chart = &bad[i].c;
      CHECK(render(write_vl, s) == NULL);
      CHECK_STR(bv_error_last(), bad[i].msg);
      CHECK(strstr(bv_error_last(), "--") == NULL);
    }
    bv_snapshot_free(s);
  }
  bv_arena_free(a);
}

/* Written in pieces as rows arrive (bv_procs_vl_*), the spec is the same
 * bytes (and info the same zeros) as written at once: for every split of the
 * rows, with and without Elixir pids, zeros and colours counted across pieces. */
static void test_vegalite_stream(void)
{
  static const chart charts[] = {
      {NULL, NULL, NULL},
      {"memory", "message_queue_len", "name"},
  };
  for (int elixir = 0; elixir <= 1; elixir++)
    for (size_t c = 0; c < sizeof charts / sizeof *charts; c++) {
      bv_snapshot *s = make(sample, NSAMPLE, elixir);
      cur_chart = &charts[c];
      char *whole = render(write_vl, s);
      CHECK(whole != NULL);
      /* every way to cut the rows in two places: a | b | c */
      for (size_t i = 0; i <= NSAMPLE; i++)
        for (size_t j = i; j <= NSAMPLE; j++) {
          bv_out *o;
          CHECK_INT(bv_out_open_mem(&o), 0);
          bv_procs_vl *st;
          bv_emit_opts eo = chart_opts(&charts[c]);
          CHECK_INT(bv_procs_vl_open(&eo, o, &st), 0);
          CHECK_INT(bv_procs_vl_rows(st, s, s->procs, i), 0);
          CHECK_INT(bv_procs_vl_rows(st, s, s->procs + i, j - i), 0);
          CHECK_INT(bv_procs_vl_rows(st, s, s->procs + j, NSAMPLE - j), 0);
          bv_emit_info info;
          memset(&info, 0, sizeof info);
          CHECK_INT(bv_procs_vl_close(st, s, &info), 0);
          CHECK_INT(info.zeros, vl_info.zeros);
          size_t len;
          const char *p = bv_out_mem(o, &len);
          CHECK(whole && p && len == strlen(whole) && memcmp(p, whole, len) == 0);
          bv_out_commit(o);
        }
      free(whole);
      bv_snapshot_free(s);
    }
  /* a bad chart is refused before anything is written */
  bv_out *o;
  CHECK_INT(bv_out_open_mem(&o), 0);
  bv_procs_vl *st = (bv_procs_vl *)1;
  static const chart same = {"status", "memory", "status"};
  bv_emit_opts eo = chart_opts(&same);
  CHECK_INT(bv_procs_vl_open(&eo, o, &st), BV_EINVAL);
  CHECK(st == NULL);
  size_t len = 1;
  bv_out_mem(o, &len);
  CHECK_INT(len, 0);
  bv_out_abort(o);
  /* abort frees what begin made (ASan sees a leak otherwise) */
  CHECK_INT(bv_out_open_mem(&o), 0);
  CHECK_INT(bv_procs_vl_open(NULL, o, &st), 0);
  bv_procs_vl_abort(st);
  bv_procs_vl_abort(NULL);
  bv_out_abort(o);
}

static void test_top(void)
{
  static const struct {
    size_t n;
    bv_proc_field by;
    const char *want; /* pids in order, space-separated */
  } t[] = {
      {2, BV_PF_REDUCTIONS, "<0.0.0> <0.11.0>"},
      {3, BV_PF_MEMORY, "<0.0.0> <0.12.0> <0.13.0>"}, /* tie kept in snapshot order */
      {1, BV_PF_MESSAGE_QUEUE_LEN, "<0.12.0>"},
      {100, BV_PF_MESSAGE_QUEUE_LEN, "<0.12.0> <0.10.0> <0.13.0> <0.0.0> <0.11.0>"},
      {0, BV_PF_MEMORY, ""},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_snapshot *s = make(sample, NSAMPLE, 0);
    CHECK_INT(bv_snapshot_top(s, t[i].n, t[i].by), 0);
    char got[256] = "";
    size_t k = 0;
    for (size_t j = 0; j < s->n; j++)
      k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", j ? " " : "", s->procs[j].pid);
    CHECK_STR(got, t[i].want);
    bv_snapshot_free(s);
  }
  bv_snapshot *s = make(sample, NSAMPLE, 0);
  CHECK_INT(bv_snapshot_top(s, 2, BV_PF_STATUS), BV_EINVAL);
  CHECK(strstr(bv_error_last(), "'status' is not one of") != NULL);
  CHECK_INT(s->n, NSAMPLE);
  bv_snapshot_free(s);
}

static void test_bad_files(void)
{
  static const struct {
    const char *text;
    const char *msg; /* substring of the error */
  } t[] = {
      {"", "bad.json: empty file"},
      {"garbage", "bad.json: not valid JSON (line 1"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,", "bad.json: not valid JSON"},
      {"[1,2]", "bad.json: top level: expected an object"},
      {"{\"format\":\"beamviz.suptre\",\"version\":1}", "not a beamviz model file"},
      {"{\"format\":\"beamviz.procs\",\"version\":2,\"node\":\"n\"}",
       "version 2 of beamviz.procs is newer"},
      {"{\"format\":\"beamviz.procs\",\"version\":1}", "bad.json: node: missing"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":1,\"skipped\":0,"
       "\"procs\":{}}",
       "bad.json: procs: expected an array"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":\"1\",\"skipped\":0,"
       "\"procs\":[]}",
       "bad.json: total: expected a number"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":0,\"skipped\":0,"
       "\"procs\":[{\"pid\":\"<0.1.0>\",\"reductions\":1,\"memory\":1,\"status\":\"x\","
       "\"message_queue_len\":0}]}",
       "bad.json: total: smaller than"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[{\"pid\":\"<0.1.0>\",\"reductions\":1,\"memory\":1,\"status\":\"x\","
       "\"message_queue_len\":0},{\"pid\":\"<0.2.0>\",\"reductions\":1,\"memory\":-5,"
       "\"status\":\"x\",\"message_queue_len\":0}]}",
       "bad.json: procs[1].memory: expected a non-negative integer"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[{\"pid\":\"<0.1.0>\",\"reductions\":1.5,\"memory\":1,\"status\":\"x\","
       "\"message_queue_len\":0}]}",
       "bad.json: procs[0].reductions: expected a non-negative integer"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[{\"pid\":7,\"reductions\":1,\"memory\":1,\"status\":\"x\","
       "\"message_queue_len\":0}]}",
       "bad.json: procs[0].pid: expected a string"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[{\"pid\":\"<0.1.0>\",\"reductions\":1,\"memory\":1,"
       "\"message_queue_len\":0}]}",
       "bad.json: procs[0].status: missing"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[5]}",
       "bad.json: procs[0]: expected an object"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"elixir\":\"yes\",\"procs\":[]}",
       "bad.json: elixir: expected true or false"},
      {"{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":9,\"skipped\":0,"
       "\"procs\":[{\"pid\":\"<0.1.0>\",\"name\":[],\"reductions\":1,\"memory\":1,"
       "\"status\":\"x\",\"message_queue_len\":0}]}",
       "bad.json: procs[0].name: expected a string"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_model m;
    int rc = bv_model_load_mem("bad.json", t[i].text, strlen(t[i].text), &m);
    CHECK_INT(rc, BV_EFORMAT);
    CHECK_INT(m.kind, BV_MODEL_NONE);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, bv_error_last(), t[i].msg);
      CHECK(0);
    }
  }
}

int main(void)
{
  test_fields();
  test_json_roundtrip();
  test_csv();
  test_vegalite();
  test_vegalite_stream();
  test_top();
  test_bad_files();
  return check_report();
}
