/* test_table_text.c: the plain-text tables (emit/table_text.c): the process
 * top table (order, alignment, cutting on character boundaries, escaping,
 * Elixir syntax, the registry row) and the memory table (seconds from t_ms,
 * MB, alignment). */
#include "check.h"
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

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

/* Emits m as text through the registry; a malloc'd copy, NULL on failure. */
static char *emit_opts(const bv_model *m, const bv_emit_opts *eo)
{
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = bv_emit(m, BV_FMT_TEXT, eo, o, NULL);
  size_t len;
  const char *p = bv_out_mem(o, &len);
  char *copy = rc ? NULL : strndup(p ? p : "", len);
  bv_out_commit(o);
  return copy;
}

static char *emit_text(const bv_model *m) { return emit_opts(m, NULL); }

static char *procs_text(bv_snapshot *s)
{
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_SNAPSHOT;
  m.u.snapshot = s;
  return emit_text(&m);
}

static void free_snap(bv_snapshot *s)
{
  bv_arena_free(s->arena);
  free(s);
}

static size_t nlines(const char *t)
{
  size_t n = 0;
  for (; *t; t++)
    n += *t == '\n';
  return n;
}

/* the i-th line (from 0) as a malloc'd string */
static char *line(const char *t, size_t i)
{
  for (; i && t; i--)
    if ((t = strchr(t, '\n')))
      t++;
  if (!t)
    return strdup("");
  const char *e = strchr(t, '\n');
  return strndup(t, e ? (size_t)(e - t) : strlen(t));
}

static size_t cols(const char *s)
{
  size_t c = 0;
  for (; *s; s++)
    c += ((unsigned char)*s & 0xc0) != 0x80;
  return c;
}

static void test_procs_table(void)
{
  static const row rows[] = {
      {"<0.10.0>", "rex", 50, 2000, "waiting", 0, "gen_server:loop/7", "proc_lib:init_p/5", NULL},
      {"<0.2.0>", NULL, 7000, 300, "running", 12, "erlang:hibernate/3", "my_worker:init/1", NULL},
      {"<0.300.0>", NULL, 600, 1000000, "waiting", 0, NULL, "proc_lib:init_p/5", "job 1"},
  };
  bv_snapshot *s = make(rows, 3, 0);
  char *t = procs_text(s);
  CHECK(t != NULL);
  if (t) {
    CHECK_STR(t, "Processes on test@127.0.0.1: 3 of 4, sorted by reductions (largest first)\n"
                 "PID        WHO                REDUCTIONS   MEMORY  MSGQ  STATUS   CURRENT_FUNCTION\n"
                 "<0.2.0>    my_worker <0.2.0>        7000      300    12  running  erlang:hibernate/3\n"
                 "<0.300.0>  job 1 <0.300.0>           600  1000000     0  waiting  -\n"
                 "<0.10.0>   rex                        50     2000     0  waiting  gen_server:loop/7\n");
    CHECK_INT(nlines(t), 5);
  }
  free(t);
  /* by memory: the table says so and sorts by it; after a top by the same
   * field (ties in snapshot order) the same table */
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_SNAPSHOT;
  m.u.snapshot = s;
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.by = "memory";
  char *t1 = emit_opts(&m, &o);
  CHECK(t1 != NULL);
  if (t1) {
    char *l0 = line(t1, 0), *l2 = line(t1, 2), *l4 = line(t1, 4);
    CHECK_STR(l0, "Processes on test@127.0.0.1: 3 of 4, sorted by memory (largest first)");
    CHECK(strncmp(l2, "<0.300.0>", 9) == 0);
    CHECK(strncmp(l4, "<0.2.0>", 7) == 0);
    CHECK_INT(nlines(t1), 5);
    free(l0);
    free(l2);
    free(l4);
  }
  CHECK_INT(bv_snapshot_top(s, 3, BV_PF_MEMORY), 0);
  char *t2 = emit_opts(&m, &o);
  CHECK(t1 && t2 && strcmp(t1, t2) == 0);
  free(t1);
  free(t2);
  /* a field that is not a number is refused */
  o.by = "status";
  CHECK(emit_opts(&m, &o) == NULL);
  o.by = NULL;
  CHECK_INT(bv_snapshot_top(s, 2, BV_PF_MEMORY), 0);
  t = emit_opts(&m, &o);
  CHECK(t && strstr(t, "2 of 4, sorted by reductions") && nlines(t) == 4);
  free(t);
  free_snap(s);
}

static void test_procs_cut_escape(void)
{
  char longname[200] = "", longcall[300] = "m:";
  for (int i = 0; i < 40; i++)
    memcpy(longname + 2 * i, "\xc3\xa9", 2); /* é */
  memset(longcall + 2, 'f', 200);
  memcpy(longcall + 202, "/1", 3);
  row rows[] = {
      {"<0.5.0>", longname, 10, 10, "waiting", 0, longcall, NULL, NULL},
      {"<0.6.0>", "bad\x1b[31m\nname", 5, 10, "wait\ting", 0, "m:f/0", NULL, NULL},
  };
  bv_snapshot *s = make(rows, 2, 0);
  char *t = procs_text(s);
  CHECK(t != NULL);
  if (t) {
    CHECK_INT(nlines(t), 4);
    for (size_t i = 0; i < 4; i++) {
      char *l = line(t, i);
      CHECK(cols(l) <= 120);
      for (const char *p = l; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
      free(l);
    }
    char *l2 = line(t, 2), *l3 = line(t, 3);
    /* 31 é then the ellipsis: cut on a character boundary */
    char want[100] = "<0.5.0>  ";
    for (int i = 0; i < 31; i++)
      memcpy(want + 9 + 2 * i, "\xc3\xa9", 2);
    memcpy(want + 9 + 62, "\xe2\x80\xa6  ", 6);
    CHECK(strncmp(l2, want, strlen(want)) == 0);
    CHECK(strstr(l2, "fff\xe2\x80\xa6") != NULL);
    CHECK_INT(cols(l2), 120);
    CHECK(strstr(l3, "bad\\x1b[31m\\nname") != NULL);
    CHECK(strstr(l3, "wait\\ting") != NULL);
    free(l2);
    free(l3);
  }
  free(t);
  free_snap(s);
}

static void test_procs_elixir(void)
{
  static const row rows[] = {
      {"<0.90.0>", NULL, 10, 10, "waiting", 0, "Elixir.DemoApp.Worker:loop/2",
       "Elixir.DemoApp.Worker:init/1", NULL},
      {"<0.91.0>", "Elixir.DemoApp.Registry", 5, 10, "waiting", 0, "gen_server:loop/7", NULL, NULL},
  };
  bv_snapshot *s = make(rows, 2, 1);
  char *t = procs_text(s);
  CHECK(t != NULL);
  if (t) {
    char *l2 = line(t, 2), *l3 = line(t, 3);
    CHECK(strncmp(l2, "#PID<0.90.0>  DemoApp.Worker #PID<0.90.0>", 41) == 0);
    CHECK(strstr(l2, "DemoApp.Worker.loop/2") != NULL);
    CHECK(strstr(l3, ":gen_server.loop/7") != NULL);
    CHECK(strstr(l3, "Elixir.") == NULL || strstr(l3, "DemoApp.Registry") != NULL);
    free(l2);
    free(l3);
  }
  free(t);
  /* an unknown chart field is refused as in every format */
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_SNAPSHOT;
  m.u.snapshot = s;
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.x = "nope";
  bv_out *out;
  CHECK_INT(bv_out_open_mem(&out), 0);
  CHECK(bv_emit(&m, BV_FMT_TEXT, &o, out, NULL) == BV_EINVAL);
  bv_out_abort(out);
  free_snap(s);
}

static void test_memory_table(void)
{
  bv_memseries ms;
  memset(&ms, 0, sizeof ms);
  bv_memsample sm[3];
  memset(sm, 0, sizeof sm);
  ms.node = "n@h\x1b";
  ms.interval_ms = 500;
  ms.n = 3;
  ms.samples = sm;
  uint64_t t[3] = {1000, 1500, 3250};
  for (int i = 0; i < 3; i++) {
    sm[i].iter = (uint32_t)i + 1;
    sm[i].t_ms = t[i];
    for (int k = 0; k < BV_MEM_NKINDS; k++)
      sm[i].bytes[k] = (uint64_t)(k + 1) * 1234567u;
  }
  sm[2].bytes[0] = 123456789012u;
  sm[1].bytes[6] = 1235000; /* 1.235 MB: half up */
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_MEMORY;
  m.u.memory = &ms;
  char *x = emit_text(&m);
  CHECK(x != NULL);
  if (x)
    CHECK_STR(x, "Memory of n@h\\x1b in MB (10^6 bytes), 3 samples every 500 ms\n"
                 "seconds      total  processes  atom  binary  code   ets  system\n"
                 "  0.000       1.23       2.47  3.70    4.94  6.17  7.41    8.64\n"
                 "  0.500       1.23       2.47  3.70    4.94  6.17  7.41    1.24\n"
                 "  2.250  123456.79       2.47  3.70    4.94  6.17  7.41    8.64\n");
  free(x);
  /* a file without times (every t_ms equal): the schedule, as the chart */
  for (int i = 0; i < 3; i++)
    sm[i].t_ms = 0;
  x = emit_text(&m);
  CHECK(x && strstr(x, "\n  0.000 ") && strstr(x, "\n  0.500 ") && strstr(x, "\n  1.000 "));
  free(x);
  /* no samples: the title and the header */
  ms.n = 0;
  x = emit_text(&m);
  CHECK(x && nlines(x) == 2);
  free(x);
}

static void test_registry(void)
{
  int procs = 0, mem = 0;
  for (const bv_format *f = bv_emit_formats(BV_MODEL_SNAPSHOT); *f != BV_FMT_NONE; f++)
    procs += *f == BV_FMT_TEXT;
  for (const bv_format *f = bv_emit_formats(BV_MODEL_MEMORY); *f != BV_FMT_NONE; f++)
    mem += *f == BV_FMT_TEXT;
  CHECK_INT(procs, 1);
  CHECK_INT(mem, 1);
  CHECK(bv_format_from_path("top.txt") == BV_FMT_TEXT);
}

int main(void)
{
  test_procs_table();
  test_procs_cut_escape();
  test_procs_elixir();
  test_memory_table();
  test_registry();
  return check_report();
}
