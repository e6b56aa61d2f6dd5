/* test_procs_window.c: a snapshot over a window (procs --window): rates and
 * changes of processes in both passes, born and gone; signed fields sorted
 * largest first; the model file's round trip with a window (and a plain one
 * without its keys); CSV columns; the text table's columns; the Vega-Lite's
 * defaults and tooltip; window fields refused on a plain snapshot; bad files. */
#include "check.h"
#include "emit/emit.h"
#include "model/model.h"
#include "util/jsonin.h"
#include "view/view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* pid, name, r, m, q, r0, m0, q0, presence */
typedef struct row {
  const char *pid, *name;
  uint64_t r, m, q, r0, m0, q0;
  int presence;
} row;

static const row rows[] = {
    {"<0.1.0>", "both", 1101, 500, 2, 100, 1000, 5, BV_PRESENCE_BOTH},
    {"<0.2.0>", "born", 300, 2000, 1, 0, 0, 0, BV_PRESENCE_BORN},
    {"<0.3.0>", "idle", 10, 700, 0, 10, 700, 0, BV_PRESENCE_BOTH},
    {"<0.4.0>", NULL, 0, 0, 0, 50, 800, 4, BV_PRESENCE_GONE},
};
#define NROWS (sizeof rows / sizeof *rows)

static bv_snapshot *make(int window)
{
  bv_snapshot *s = calloc(1, sizeof *s);
  s->arena = bv_arena_new();
  s->node = "w@127.0.0.1";
  s->otp_release = "26";
  s->n = NROWS;
  s->total = NROWS - 1;
  s->window_ms = window ? 500 : 0;
  s->window_measured_ms = window ? 500.0 : 0;
  s->procs = bv_arena_alloc(s->arena, NROWS * sizeof(bv_proc));
  for (size_t i = 0; i < NROWS; i++) {
    bv_proc *p = &s->procs[i];
    memset(p, 0, sizeof *p);
    p->pid = rows[i].pid;
    p->name = rows[i].name;
    p->reductions = rows[i].r;
    p->memory = rows[i].m;
    p->message_queue_len = rows[i].q;
    p->status = "waiting";
    if (window) {
      p->reductions0 = rows[i].r0;
      p->memory0 = rows[i].m0;
      p->message_queue_len0 = rows[i].q0;
      p->presence = rows[i].presence;
      bv_proc_window_fill(p, s->window_measured_ms);
      s->born += p->presence == BV_PRESENCE_BORN;
      s->gone += p->presence == BV_PRESENCE_GONE;
    }
  }
  return s;
}

static char *emit(const bv_snapshot *s, bv_format fmt, const bv_emit_opts *eo)
{
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = (bv_snapshot *)s}};
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = fmt == BV_FMT_JSON ? bv_snapshot_write_json(s, o) : bv_emit(&m, fmt, eo, o, NULL);
  size_t len;
  const char *p = bv_out_mem(o, &len);
  char *copy = rc ? NULL : strndup(p ? p : "", len);
  if (rc)
    fprintf(stderr, "  emit: %s\n", bv_error_last());
  bv_out_commit(o);
  return copy;
}

static void test_rates(void)
{
  bv_snapshot *s = make(1);
  const bv_proc *both = &s->procs[0], *born = &s->procs[1], *gone = &s->procs[3];
  /* 1000 reductions in 0.5 s; born: all 300 in the window; gone: 0 */
  CHECK(fabs(both->reductions_per_sec - 2000.0) < 1e-9);
  CHECK(fabs(born->reductions_per_sec - 600.0) < 1e-9);
  CHECK(gone->reductions_per_sec == 0.0);
  CHECK(fabs(bv_proc_num(both, BV_PF_REDUCTIONS_PER_SEC) - 2000.0) < 1e-9);
  /* signed changes; a gone one keeps its first values and changed nothing */
  CHECK(bv_proc_num(both, BV_PF_MEMORY_CHANGE) == -500.0);
  CHECK(bv_proc_num(both, BV_PF_MESSAGE_QUEUE_LEN_CHANGE) == -3.0);
  CHECK(bv_proc_num(born, BV_PF_MEMORY_CHANGE) == 2000.0);
  CHECK(bv_proc_num(gone, BV_PF_MEMORY_CHANGE) == 0.0);
  CHECK_INT((int)gone->reductions, 50);
  CHECK_INT((int)gone->memory, 800);
  CHECK_INT((int)gone->message_queue_len, 4);
  CHECK_INT((int)bv_proc_value(both, BV_PF_MEMORY_CHANGE), 0); /* negative: 0 as unsigned */
  CHECK_STR(bv_proc_text(born, BV_PF_WINDOW), "born");
  CHECK_STR(bv_proc_text(gone, BV_PF_WINDOW), "gone");
  char t[40];
  bv_fmt_num(t, both, BV_PF_MEMORY_CHANGE);
  CHECK_STR(t, "-500");
  bv_fmt_num(t, both, BV_PF_REDUCTIONS_PER_SEC);
  CHECK_STR(t, "2000");
  bv_proc q = *both;
  q.reductions_per_sec = 1.5;
  bv_fmt_num(t, &q, BV_PF_REDUCTIONS_PER_SEC);
  CHECK_STR(t, "1.5");
  q.reductions_per_sec = 0.9985;
  bv_fmt_num(t, &q, BV_PF_REDUCTIONS_PER_SEC);
  CHECK_STR(t, "0.999");
  /* an idle process: the one reduction the first reading cost it is not
   * counted (rate 0, not 1 per window) */
  q = *both;
  q.reductions = q.reductions0 + 1;
  bv_proc_window_fill(&q, 500);
  CHECK(q.reductions_per_sec == 0.0);
  q.reductions = q.reductions0 + 2;
  bv_proc_window_fill(&q, 500);
  CHECK(fabs(q.reductions_per_sec - 2.0) < 1e-9);
  /* reductions that went down (never on a real node): rate 0 */
  q = *both;
  q.reductions = 10;
  bv_proc_window_fill(&q, 500);
  CHECK(q.reductions_per_sec == 0.0);
  /* a measured window of 0: no rate rather than a division by 0 */
  q = *born;
  bv_proc_window_fill(&q, 0);
  CHECK(q.reductions_per_sec == 0.0);
  bv_snapshot_free(s);
}

static void order_is(bv_proc_field by, const char *want)
{
  bv_snapshot *s = make(1);
  size_t *r = bv_snapshot_order(s, by);
  char got[128] = "";
  size_t k = 0;
  for (size_t i = 0; r && i < s->n; i++)
    k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", i ? " " : "", s->procs[r[i]].pid);
  if (strcmp(got, want) != 0)
    fprintf(stderr, "  order by %s\n", bv_proc_field_name(by));
  CHECK_STR(got, want);
  free(r);
  bv_snapshot_free(s);
}

static void test_order(void)
{
  /* largest first, negatives last, ties in snapshot order */
  order_is(BV_PF_REDUCTIONS_PER_SEC, "<0.1.0> <0.2.0> <0.3.0> <0.4.0>");
  order_is(BV_PF_MEMORY_CHANGE, "<0.2.0> <0.3.0> <0.4.0> <0.1.0>");
  order_is(BV_PF_MESSAGE_QUEUE_LEN_CHANGE, "<0.2.0> <0.3.0> <0.4.0> <0.1.0>");
  bv_snapshot *s = make(1);
  CHECK_INT(bv_snapshot_top(s, 2, BV_PF_MEMORY_CHANGE), 0);
  CHECK_INT((int)s->n, 2);
  CHECK_STR(s->procs[0].pid, "<0.2.0>");
  CHECK_STR(s->procs[1].pid, "<0.3.0>");
  bv_snapshot_free(s);
  /* a plain snapshot has no window fields */
  s = make(0);
  CHECK_INT(bv_snapshot_top(s, 2, BV_PF_REDUCTIONS_PER_SEC), BV_EINVAL);
  CHECK(strstr(bv_error_last(), "'reductions_per_sec' needs a snapshot taken over a window"));
  CHECK_INT((int)s->n, (int)NROWS);
  bv_snapshot_free(s);
}

static void test_fields(void)
{
  static const struct {
    const char *name;
    bv_proc_field f;
    int numeric, axis;
  } t[] = {
      {"reductions_per_sec", BV_PF_REDUCTIONS_PER_SEC, 1, 1},
      {"memory_change", BV_PF_MEMORY_CHANGE, 1, 0},
      {"message_queue_len_change", BV_PF_MESSAGE_QUEUE_LEN_CHANGE, 1, 0},
      {"window", BV_PF_WINDOW, 0, 0},
      {"reductions", BV_PF_REDUCTIONS, 1, 1},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    CHECK_INT(bv_proc_field_from_name(t[i].name), t[i].f);
    CHECK_INT(bv_proc_field_numeric(t[i].f), t[i].numeric);
    CHECK_INT(bv_proc_field_axis(t[i].f), t[i].axis);
    CHECK_INT(bv_proc_field_window(t[i].f), t[i].f != BV_PF_REDUCTIONS);
  }
  /* chart axes: never a signed field; window fields need a window */
  bv_snapshot *w = make(1), *p = make(0);
  bv_procs_view v;
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  CHECK_INT(bv_procs_view_fields_for(&o, w, &v), 0);
  CHECK_INT(v.x, BV_PF_REDUCTIONS_PER_SEC); /* the default over a window */
  CHECK_INT(bv_procs_view_fields_for(&o, p, &v), 0);
  CHECK_INT(v.x, BV_PF_REDUCTIONS);
  o.x = "memory_change";
  CHECK_INT(bv_procs_view_fields_for(&o, w, &v), BV_EINVAL);
  CHECK(strstr(bv_error_last(), "x field 'memory_change' is not one of"));
  o.x = "reductions_per_sec";
  CHECK_INT(bv_procs_view_fields_for(&o, p, &v), BV_EINVAL);
  o.x = NULL;
  o.color = "window";
  CHECK_INT(bv_procs_view_fields_for(&o, w, &v), 0);
  CHECK_INT(bv_procs_view_fields_for(&o, p, &v), BV_EINVAL);
  bv_snapshot_free(w);
  bv_snapshot_free(p);
}

static void test_json(void)
{
  bv_snapshot *s = make(1);
  s->window_measured_ms = 501.25;
  for (size_t i = 0; i < s->n; i++)
    bv_proc_window_fill(&s->procs[i], s->window_measured_ms);
  char *j = emit(s, BV_FMT_JSON, NULL);
  CHECK(j && strstr(j, "\"window_ms\":500,\"window_measured_us\":501250"));
  CHECK(j && strstr(j, "\"window\":\"gone\",\"reductions0\":50,\"memory0\":800,"
                       "\"message_queue_len0\":4}"));
  bv_model m;
  int rc = j ? bv_model_load_mem("w.json", j, strlen(j), &m) : -1;
  CHECK_INT(rc, 0);
  if (!rc) {
    const bv_snapshot *t = m.u.snapshot;
    CHECK_INT((int)t->window_ms, 500);
    CHECK(fabs(t->window_measured_ms - 501.25) < 1e-9);
    CHECK_INT((int)t->n, (int)NROWS);
    CHECK_INT((int)t->born, 1);
    CHECK_INT((int)t->gone, 1);
    for (size_t i = 0; i < NROWS; i++) {
      const bv_proc *a = &s->procs[i], *b = &t->procs[i];
      CHECK_STR(a->pid, b->pid);
      CHECK_INT(a->presence, b->presence);
      CHECK(a->reductions0 == b->reductions0 && a->memory0 == b->memory0 &&
            a->message_queue_len0 == b->message_queue_len0);
      CHECK(a->reductions == b->reductions && a->memory == b->memory);
      CHECK(fabs(a->reductions_per_sec - b->reductions_per_sec) < 1e-9);
    }
    /* written again: the same bytes */
    char *j2 = emit(t, BV_FMT_JSON, NULL);
    CHECK(j2 && strcmp(j, j2) == 0);
    free(j2);
    bv_model_dispose(&m);
  }
  free(j);
  bv_snapshot_free(s);
  /* a plain snapshot's file has no window keys */
  s = make(0);
  j = emit(s, BV_FMT_JSON, NULL);
  CHECK(j && !strstr(j, "window") && !strstr(j, "reductions0"));
  free(j);
  bv_snapshot_free(s);
}

static void test_csv_text_vl(void)
{
  bv_snapshot *s = make(1);
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  char *c = emit(s, BV_FMT_CSV, &o);
  CHECK(c && strncmp(c,
                     "pid,name,reductions,memory,status,message_queue_len,current_function,"
                     "initial_call,label,reductions0,memory0,message_queue_len0,"
                     "reductions_per_sec,memory_change,message_queue_len_change,window\r\n",
                     strlen("pid,name,reductions,memory,status,message_queue_len,"
                            "current_function,initial_call,label,reductions0,memory0,"
                            "message_queue_len0,reductions_per_sec,memory_change,"
                            "message_queue_len_change,window\r\n")) == 0);
  CHECK(c && strstr(c, "\r\n<0.1.0>,both,1101,500,waiting,2,,,,100,1000,5,2000,-500,-3,both\r\n"));
  CHECK(c && strstr(c, "\r\n<0.4.0>,,50,800,waiting,4,,,,50,800,4,0,0,0,gone\r\n"));
  free(c);
  c = emit(s, BV_FMT_TEXT, &o);
  CHECK(c && strstr(c, "sorted by reductions_per_sec"));
  CHECK(c && strstr(c, "REDS/S") && strstr(c, "MEM_CHANGE") && strstr(c, "WINDOW"));
  CHECK(c && strstr(c, "(1 born, 1 gone)"));
  /* busiest first; a change written with its sign */
  const char *a = c ? strstr(c, "<0.1.0>") : NULL, *b = c ? strstr(c, "<0.2.0>") : NULL;
  CHECK(a && b && a < b);
  CHECK(c && strstr(c, "-500") && strstr(c, "+2000"));
  free(c);
  c = emit(s, BV_FMT_VEGALITE, &o);
  CHECK(c && strstr(c, "\"reductions_per_sec (log)\""));
  CHECK(c && strstr(c, "{\"field\": \"memory_change\", \"type\": \"quantitative\"}"));
  CHECK(c && strstr(c, "{\"field\": \"window\", \"type\": \"nominal\"}"));
  CHECK(c && strstr(c, "\"memory_change\":-500"));
  free(c);
  bv_snapshot_free(s);
  /* plain: no window columns anywhere */
  s = make(0);
  c = emit(s, BV_FMT_CSV, &o);
  CHECK(c && strstr(c, "label\r\n") && !strstr(c, "window"));
  free(c);
  c = emit(s, BV_FMT_VEGALITE, &o);
  CHECK(c && !strstr(c, "reductions_per_sec") && !strstr(c, "\"window\""));
  free(c);
  c = emit(s, BV_FMT_TEXT, &o);
  CHECK(c && !strstr(c, "REDS/S") && !strstr(c, "WINDOW"));
  free(c);
  bv_snapshot_free(s);
}

static void test_bad_files(void)
{
#define HEAD "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":\"n\",\"total\":1,\"skipped\":0,"
#define ROW "{\"pid\":\"<0.1.0>\",\"reductions\":1,\"memory\":1,\"status\":\"x\",\"message_queue_len\":0"
  static const struct {
    const char *text, *msg;
  } t[] = {
      {HEAD "\"window_ms\":0,\"window_measured_us\":0,\"procs\":[]}", "window_ms: out of range"},
      {HEAD "\"window_ms\":600001,\"window_measured_us\":0,\"procs\":[]}",
       "window_ms: out of range"},
      {HEAD "\"window_ms\":-5,\"window_measured_us\":0,\"procs\":[]}",
       "window_ms: expected a non-negative integer"},
      {HEAD "\"window_ms\":100,\"procs\":[]}", "window_measured_us: missing"},
      {HEAD "\"window_ms\":100,\"window_measured_us\":99999999999999,\"procs\":[]}",
       "window_measured_us: out of range"},
      {HEAD "\"window_ms\":100,\"window_measured_us\":100000,\"procs\":[" ROW "}]}",
       "procs[0].window: missing"},
      {HEAD "\"window_ms\":100,\"window_measured_us\":100000,\"procs\":[" ROW
            ",\"window\":\"new\",\"reductions0\":0,\"memory0\":0,\"message_queue_len0\":0}]}",
       "procs[0].window: not one of both|born|gone"},
      {HEAD "\"window_ms\":100,\"window_measured_us\":100000,\"procs\":[" ROW
            ",\"window\":\"both\",\"memory0\":0,\"message_queue_len0\":0}]}",
       "procs[0].reductions0: missing"},
      {HEAD "\"window_ms\":100,\"window_measured_us\":100000,\"procs\":[" ROW
            ",\"window\":\"both\",\"reductions0\":1,\"memory0\":0,\"message_queue_len0\":0},"
            ROW ",\"window\":\"born\",\"reductions0\":0,\"memory0\":0,\"message_queue_len0\":0}]}",
       "total: smaller than the number of entries in procs not gone"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_model m;
    int rc = bv_model_load_mem("bad.json", t[i].text, strlen(t[i].text), &m);
    CHECK_INT(rc, BV_EFORMAT);
    if (!strstr(bv_error_last(), t[i].msg)) {
      fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, bv_error_last(), t[i].msg);
      CHECK(0);
    }
  }
  /* gone rows may pass the second listing's total */
  const char *ok = HEAD "\"window_ms\":100,\"window_measured_us\":100000,\"procs\":[" ROW
                        ",\"window\":\"both\",\"reductions0\":1,\"memory0\":0,"
                        "\"message_queue_len0\":0},{\"pid\":\"<0.2.0>\",\"reductions\":5,"
                        "\"memory\":1,\"status\":\"exited\",\"message_queue_len\":0,"
                        "\"window\":\"gone\",\"reductions0\":5,\"memory0\":1,"
                        "\"message_queue_len0\":0}]}";
  bv_model m;
  CHECK_INT(bv_model_load_mem("ok.json", ok, strlen(ok), &m), 0);
  if (m.kind == BV_MODEL_SNAPSHOT) {
    CHECK_INT((int)m.u.snapshot->gone, 1);
    bv_model_dispose(&m);
  }
#undef HEAD
#undef ROW
}

int main(void)
{
  test_rates();
  test_order();
  test_fields();
  test_json();
  test_csv_text_vl();
  test_bad_files();
  return check_report();
}
