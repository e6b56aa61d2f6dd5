/* test_trace.c: the trace model's file (write, read back, bad files) and its
 * Mermaid sequenceDiagram (escaping, replies, activation bars, system
 * processes, --max-shown and the size cap), as tables. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "save_util.h"

static bv_trace *make(size_t nparts, size_t n)
{
  bv_trace *t = calloc(1, sizeof *t);
  t->arena = bv_arena_new();
  t->node = "t@127.0.0.1";
  t->otp_release = "25";
  t->mode = "eval";
  t->code = "Parent = self(), ...";
  t->result = "ponged";
  t->stop_reason = "done";
  t->nparts = nparts;
  t->parts = bv_arena_alloc(t->arena, (nparts + 1) * sizeof *t->parts);
  t->n = n;
  t->events = bv_arena_alloc(t->arena, (n + 1) * sizeof *t->events);
  return t;
}

static void ev(bv_trace *t, size_t i, bv_ev_kind k, uint32_t from, uint32_t to,
               const char *label, const char *text, int32_t reply_to)
{
  bv_event *e = &t->events[i];
  e->kind = k;
  e->from = from;
  e->to = to;
  e->label = label;
  e->text = text;
  e->serial_prev = (int64_t)i;
  e->serial_cur = (int64_t)i + 1;
  e->ts_us = (int64_t)i * 10;
  e->reply_to = reply_to;
}

/* ping-pong with a spawned child and a gen_server call on a named server */
static bv_trace *sample(void)
{
  bv_trace *t = make(4, 6);
  t->parts[0] = (bv_participant){"<0.90.0>", NULL, 0, 0, NULL, NULL, NULL, 0, NULL};
  t->parts[1] = (bv_participant){"<0.91.0>", NULL, 1, 0, "normal", NULL, NULL, 0, NULL};
  t->parts[2] = (bv_participant){"<0.50.0>", "we;ird#name<>", 0, 0, NULL, NULL, NULL, 0, NULL};
  t->parts[3] = (bv_participant){"<0.40.0>", "code_server", 0, 1, NULL, NULL, NULL, 0, NULL};
  ev(t, 0, BV_EV_SPAWN, 0, 1, "SPAWN", "{spawn_request,...}", -1);
  ev(t, 1, BV_EV_SEND, 0, 1, "INFO: ping", "ping", -1);
  ev(t, 2, BV_EV_SEND, 1, 0, "INFO: pong", "pong", -1);
  ev(t, 3, BV_EV_CALL, 0, 2, "CALL: get", "{'$gen_call',{<0.90.0>,[alias|#Ref<0.1.2.3>]},get}", -1);
  ev(t, 4, BV_EV_REPLY, 2, 0, "REPLY: {ok,1;2}", "{[alias|#Ref<0.1.2.3>],{ok,\"1;2\"}}", 3);
  ev(t, 5, BV_EV_SEND, 0, 3, "INFO: io_request", "{io_request,...}", -1);
  return t;
}

/* The registry's writer (bv_emit_seq_mermaid) into memory: a malloc'd copy
 * of the text. max_shown 0 = the default; info may be NULL. */
static char *mmd_fmt(const bv_trace *t, unsigned max_shown, unsigned payload, int all,
                     bv_format fmt, bv_emit_info *info)
{
  bv_model m = {BV_MODEL_TRACE, {.trace = (bv_trace *)t}};
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  if (max_shown)
    o.max_shown = max_shown;
  o.payload = payload;
  o.all = all;
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  if (info)
    memset(info, 0, sizeof *info);
  CHECK_INT(bv_emit_seq_mermaid(&m, fmt, &o, out, info), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

static char *mmd(const bv_trace *t, unsigned max_shown, unsigned payload, int all,
                 bv_emit_info *info)
{
  return mmd_fmt(t, max_shown, payload, all, BV_FMT_MERMAID, info);
}

static void test_mermaid(void)
{
  bv_trace *t = sample();
  bv_emit_info info;
  char *s = mmd(t, 0, 0, 0, &info);
  CHECK_STR(s, "sequenceDiagram\n"
               "  participant p0 as #60;0.90.0#62;\n"
               "  participant p1 as #60;0.91.0#62;\n"
               "  participant p2 as we#59;ird#35;name#60;#62;\n"
               "  p0->>+p1: SPAWN\n"
               "  p0->>p1: INFO#58; ping\n"
               "  p1->>p0: INFO#58; pong\n"
               "  deactivate p1\n"
               "  p0->>p2: CALL#58; get\n"
               "  p2-->>p0: REPLY#58; {ok,1#59;2}\n");
  CHECK_INT(info.shown, 5);
  CHECK_INT(info.hidden, 1);
  CHECK_INT(info.left_out, 0);
  free(s);

  /* --all keeps code_server; --payload adds the text after a line break */
  s = mmd(t, 0, 4, 1, &info);
  CHECK(strstr(s, "participant p3 as code_server\n") != NULL);
  CHECK(strstr(s, "p0->>p1: INFO#58; ping<br/>ping\n") != NULL);
  CHECK(strstr(s, "p0->>p3: INFO#58; io_request<br/>{io_\n") != NULL);
  CHECK_INT(info.hidden, 0);
  free(s);

  /* --max-shown 2: the first two, bars closed, a note with the rest */
  s = mmd(t, 2, 0, 0, &info);
  CHECK_STR(s, "sequenceDiagram\n"
               "  participant p0 as #60;0.90.0#62;\n"
               "  participant p1 as #60;0.91.0#62;\n"
               "  p0->>+p1: SPAWN\n"
               "  p0->>p1: INFO#58; ping\n"
               "  deactivate p1\n"
               "  Note over p0,p1: 3 more messages not drawn (the model file has them "
               "all)\n");
  CHECK_INT(info.left_out, 3);
  free(s);

  /* a spawned process still alive at the end keeps its bar to the end */
  t->parts[1].exit_reason = NULL;
  s = mmd(t, 0, 0, 0, &info);
  CHECK(strstr(s, "  p2-->>p0: REPLY#58; {ok,1#59;2}\n  deactivate p1\n") != NULL);
  free(s);

  /* markdown fence; Elixir pids */
  t->elixir = 1;
  s = mmd_fmt(t, 0, 0, 0, BV_FMT_MD, NULL);
  size_t len = s ? strlen(s) : 0;
  CHECK(s && strncmp(s, "```mermaid\nsequenceDiagram\n", 27) == 0);
  CHECK(s && strstr(s, "  participant p0 as #35;PID#60;0.90.0#62;\n") != NULL);
  CHECK(len > 4 && strcmp(s + len - 4, "```\n") == 0);
  free(s);
  bv_trace_free(t);

  /* nothing to show: still a valid diagram */
  t = make(1, 1);
  t->parts[0] = (bv_participant){"<0.40.0>", "logger", 0, 1, NULL, NULL, NULL, 0, NULL};
  ev(t, 0, BV_EV_SEND, 0, 0, "INFO: log", "log", -1);
  s = mmd(t, 0, 0, 0, &info);
  CHECK_STR(s, "sequenceDiagram\n  participant p0 as beamviz\n"
               "  Note over p0: no messages to show (system processes hidden)\n");
  free(s);
  bv_trace_free(t);
}

/* Long hostile labels: the diagram stays under 50,000 characters. */
static void test_size_cap(void)
{
  size_t n = 400;
  bv_trace *t = make(2, n);
  t->parts[0] = (bv_participant){"<0.1.0>", NULL, 0, 0, NULL, NULL, NULL, 0, NULL};
  t->parts[1] = (bv_participant){"<0.2.0>", NULL, 0, 0, NULL, NULL, NULL, 0, NULL};
  char *label = bv_arena_alloc(t->arena, 301);
  memset(label, ';', 300);
  for (size_t i = 0; i < n; i++)
    ev(t, i, BV_EV_SEND, i % 2, (i + 1) % 2, label, label, -1);
  bv_emit_info info;
  char *s = mmd(t, 1000, 300, 0, &info);
  CHECK(strlen(s) < 50000);
  CHECK(info.shown > 0 && info.shown < n);
  CHECK_INT(info.shown + info.left_out, n);
  CHECK(strstr(s, "more messages not drawn") != NULL);
  CHECK(strstr(s, ";;") == NULL); /* every ';' of the labels entity-coded */
  free(s);
  bv_trace_free(t);
}

static void test_json_roundtrip(void)
{
  bv_trace *t = sample();
  t->dropped = 7;
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TRACE, t, &b), 0);
  bv_model m;
  CHECK_INT(bv_model_load_mem("t.json", b.data, b.len, &m), 0);
  CHECK_INT(m.kind, BV_MODEL_TRACE);
  bv_trace *u = m.u.trace;
  CHECK_INT(u->n, t->n);
  CHECK_INT(u->nparts, t->nparts);
  CHECK_INT(u->dropped, 7);
  CHECK_STR(u->result, "ponged");
  CHECK_STR(u->stop_reason, "done");
  CHECK_STR(u->parts[2].name, "we;ird#name<>");
  CHECK_STR(u->parts[1].exit_reason, "normal");
  CHECK_INT(u->parts[1].spawned, 1);
  CHECK_INT(u->parts[3].system, 1);
  for (size_t i = 0; i < t->n; i++) {
    CHECK_INT(u->events[i].kind, t->events[i].kind);
    CHECK_INT(u->events[i].from, t->events[i].from);
    CHECK_INT(u->events[i].to, t->events[i].to);
    CHECK_STR(u->events[i].label, t->events[i].label);
    CHECK_STR(u->events[i].text, t->events[i].text);
    CHECK_INT(u->events[i].serial_cur, t->events[i].serial_cur);
    CHECK_INT(u->events[i].reply_to, t->events[i].reply_to);
  }
  /* written again: the same bytes */
  bv_buf c;
  bv_buf_init(&c);
  CHECK_INT(save_json(BV_MODEL_TRACE, u, &c), 0);
  CHECK_STR(c.data, b.data);
  bv_buf_dispose(&c);
  bv_model_dispose(&m);
  bv_buf_dispose(&b);
  bv_trace_free(t);
}

static void test_json_bad(void)
{
  static const struct {
    const char *json;
    const char *msg;
  } cases[] = {
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":[],"
       "\"events\":[{\"kind\":\"send\",\"from\":0,\"to\":0,\"label\":\"x\"}]}",
       "events[0].from: not a participant index"},
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":"
       "[{\"pid\":\"<0.1.0>\"}],\"events\":[{\"kind\":\"yell\",\"from\":0,\"to\":0,"
       "\"label\":\"x\"}]}",
       "events[0].kind: expected send"},
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":"
       "[{\"pid\":\"<0.1.0>\"}],\"events\":[{\"kind\":\"reply\",\"from\":0,\"to\":0,"
       "\"label\":\"x\",\"reply_to\":0}]}",
       "events[0].reply_to: must be the index of an earlier event"},
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":"
       "[{\"name\":\"x\"}],\"events\":[]}",
       "participants[0].pid: missing"},
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":[],"
       "\"events\":{}}",
       "events: expected an array"},
      {"{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n\",\"participants\":"
       "[{\"pid\":\"<0.1.0>\"}],\"events\":[{\"kind\":\"send\",\"from\":0,\"to\":0,"
       "\"label\":\"x\",\"serial\":[1]}]}",
       "events[0].serial: expected [previous, current]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bv_model m;
    int rc = bv_model_load_mem("bad.json", cases[i].json, strlen(cases[i].json), &m);
    CHECK_INT(rc, BV_EFORMAT);
    if (!strstr(bv_error_last(), cases[i].msg)) {
      fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, bv_error_last(), cases[i].msg);
      CHECK(0);
    }
  }
}

static void test_names(void)
{
  static const struct {
    const char *name;
    int system;
  } cases[] = {{"code_server", 1}, {"user", 1}, {"Elixir.Logger", 1}, {"logger", 1},
               {"application_controller", 1}, {"demo_pong", 0}, {"Elixir.MyServer", 0},
               {NULL, 0}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    CHECK_INT(bv_trace_system_name(cases[i].name), cases[i].system);
  CHECK_STR(bv_ev_kind_name(BV_EV_REPLY), "reply");
  CHECK_STR(bv_ev_kind_name(BV_EV_SPAWN), "spawn");
}

/* Participants named by the identity rule, in the node's syntax; the label,
 * initial call and attached mark survive the model file; an attached process
 * with no messages is drawn (with a note), not a participant named beamviz. */
static void test_identity(void)
{
  bv_trace *t = make(4, 2);
  t->mode = "attach";
  t->parts[0] = (bv_participant){"<0.90.0>", NULL, 0, 0, NULL, "the caller", NULL, 0, NULL};
  t->parts[1] = (bv_participant){"<0.91.0>", NULL, 0, 0, NULL, NULL,
                                 "rabbit_prequeue:init/1", 1, NULL};
  t->parts[2] = (bv_participant){"<0.92.0>", "Elixir.MyServer", 0, 0, NULL, "ignored",
                                 "Elixir.MyServer:init/1", 0, NULL};
  t->parts[3] = (bv_participant){"<0.93.0>", NULL, 0, 0, NULL, NULL, "erlang:apply/2", 0, NULL};
  ev(t, 0, BV_EV_CALL, 0, 1, "CALL: get", "x", -1);
  ev(t, 1, BV_EV_SEND, 3, 2, "INFO: hi", "hi", -1);
  char *s = mmd(t, 0, 0, 0, NULL);
  CHECK_STR(s, "sequenceDiagram\n"
               "  participant p0 as the caller #60;0.90.0#62;\n"
               "  participant p1 as rabbit_prequeue #60;0.91.0#62;\n"
               "  participant p2 as #60;0.93.0#62;\n"
               "  participant p3 as MyServer\n"
               "  p0->>p1: CALL#58; get\n"
               "  p2->>p3: INFO#58; hi\n");
  free(s);
  t->elixir = 1;
  t->parts[1].initial_call = "Elixir.Agent.Server:init/1";
  s = mmd(t, 0, 0, 0, NULL);
  CHECK(strstr(s, "participant p1 as Agent.Server #35;PID#60;0.91.0#62;\n") != NULL);
  CHECK(strstr(s, "participant p0 as the caller #35;PID#60;0.90.0#62;\n") != NULL);
  free(s);
  /* the model file keeps them */
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TRACE, t, &b), 0);
  bv_model m;
  CHECK_INT(bv_model_load_mem("t.json", b.data, b.len, &m), 0);
  CHECK_STR(m.u.trace->parts[0].label, "the caller");
  CHECK_STR(m.u.trace->parts[1].initial_call, "Elixir.Agent.Server:init/1");
  CHECK_INT(m.u.trace->parts[1].attached, 1);
  CHECK_INT(m.u.trace->parts[0].attached, 0);
  CHECK(m.u.trace->parts[3].label == NULL);
  bv_model_dispose(&m);
  bv_buf_dispose(&b);
  /* nothing traced: the attached process and a note (an Erlang node writes
     the Elixir module as Erlang does) */
  t->n = 0;
  t->elixir = 0;
  s = mmd(t, 0, 0, 0, NULL);
  CHECK_STR(s, "sequenceDiagram\n"
               "  participant p0 as Elixir.Agent.Server #60;0.91.0#62;\n"
               "  Note over p0: no messages were traced#58; the attached processes sent and "
               "received none\n");
  free(s);
  bv_trace_free(t);
  /* a file written before these fields reads as before */
  const char *old = "{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"n@h\","
                    "\"participants\":[{\"pid\":\"<0.1.0>\",\"name\":null}],\"events\":[]}";
  CHECK_INT(bv_model_load_mem("o.json", old, strlen(old), &m), 0);
  CHECK(m.u.trace->parts[0].label == NULL && m.u.trace->parts[0].initial_call == NULL);
  CHECK_INT(m.u.trace->parts[0].attached, 0);
  bv_model_dispose(&m);
}

/* The one parser of a process as the user names it (--attach, --sup). */
static void test_who(void)
{
  static const struct {
    const char *in;
    int rc;
    const char *out;
  } cases[] = {
      {"<0.90.0>", 1, "<0.90.0>"},     {"#PID<0.90.0>", 1, "<0.90.0>"},
      {"0.90.0", 1, "<0.90.0>"},       {" 0.90.0 ", 1, "<0.90.0>"},
      {"<5.90.1>", 1, "<5.90.1>"},     {"seq_srv", 0, "seq_srv"},
      {"Elixir.Foo", 0, "Elixir.Foo"}, {"Foo.Bar", 0, "Foo.Bar"},
      {":logger", 0, "logger"},        {"0.90", BV_EINVAL, NULL},
      {"<0.90.0", BV_EINVAL, NULL},    {"#PID<0.x.0>", BV_EINVAL, NULL},
      {"", BV_EINVAL, NULL},           {"0.90.0.1", BV_EINVAL, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[64] = "";
    int rc = bv_who_parse(cases[i].in, out, sizeof out);
    CHECK_INT(rc, cases[i].rc);
    if (cases[i].out)
      CHECK_STR(out, cases[i].out);
  }
  char small[6];
  CHECK_INT(bv_who_parse("<0.900.0>", small, sizeof small), BV_EINVAL);
}

int main(void)
{
  test_mermaid();
  test_size_cap();
  test_json_roundtrip();
  test_json_bad();
  test_names();
  test_identity();
  test_who();
  return check_report();
}
