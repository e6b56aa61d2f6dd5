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

/* --- traces across nodes ------------------------------------------------------ */

/* a@h calls kv_srv on b@h, which spawns a worker there and replies; an unknown
 * sender and a@h's <0.90.0> write to a_helper on a@h; c@h was not traced. The
 * participants are not grouped by node in the file (a_helper comes last). */
static bv_trace *cluster_sample(void)
{
  bv_trace *t = make(5, 6);
  t->node = "a@h";
  t->code = "kv:put(k, 1)";
  t->result = "ok";
  t->nnodes = 3;
  t->nodes = bv_arena_alloc(t->arena, 3 * sizeof *t->nodes);
  t->nodes[0] = (bv_node_result){"a@h", BV_OK, NULL, 0, 0, 0};
  t->nodes[1] = (bv_node_result){"b@h", BV_OK, NULL, 0, 0, 0};
  t->nodes[2] = (bv_node_result){"c@h", BV_ENONODE, "c is not registered on h", 0, 0, 0};
  t->parts[0] = (bv_participant){"<0.90.0>", NULL, 0, 0, NULL, NULL, NULL, 0, "a@h"};
  t->parts[1] = (bv_participant){"<0.120.0>", "kv_srv", 0, 0, NULL, NULL, NULL, 0, "b@h"};
  t->parts[2] = (bv_participant){"<0.121.0>", NULL, 1, 0, "normal", NULL, NULL, 0, "b@h"};
  t->parts[3] = (bv_participant){"?", "(unknown sender)", 0, 0, NULL, NULL, NULL, 0, NULL};
  t->parts[4] = (bv_participant){"<0.88.0>", "a_helper", 0, 0, NULL, NULL, NULL, 0, "a@h"};
  ev(t, 0, BV_EV_CALL, 0, 1, "CALL: put", "{'$gen_call',...}", -1);
  ev(t, 1, BV_EV_SPAWN, 1, 2, "SPAWN", "{spawn_request}", -1);
  ev(t, 2, BV_EV_SEND, 2, 1, "INFO: done", "done", -1);
  ev(t, 3, BV_EV_REPLY, 1, 0, "REPLY: ok", "{[alias|#Ref<0.1.2.3>],ok}", 0);
  ev(t, 4, BV_EV_SEND, 3, 4, "INFO: hello", "hello", -1);
  ev(t, 5, BV_EV_SEND, 0, 4, "INFO: bye", "bye", -1);
  return t;
}

static const char cluster_mmd[] =
    "sequenceDiagram\n"
    "  title message sequence across 2 of 3 nodes, entry node a@h\n"
    "  box rgba(128, 128, 128, 0.12) a@h\n"
    "    participant p0 as #60;0.90.0#62;\n"
    "    participant p1 as a_helper\n"
    "  end\n"
    "  box rgba(128, 128, 128, 0.12) b@h\n"
    "    participant p2 as kv_srv\n"
    "    participant p3 as #60;0.121.0#62;\n"
    "  end\n"
    "  participant p4 as (unknown sender)\n"
    "  p0->>p2: CALL#58; put\n"
    "  p2->>+p3: SPAWN\n"
    "  p3->>p2: INFO#58; done\n"
    "  deactivate p3\n"
    "  p2-->>p0: REPLY#58; ok\n"
    "  p4->>p1: INFO#58; hello\n"
    "  p0->>p1: INFO#58; bye\n"
    "  Note over p0,p4: not traced (no relay)#58; c@h (c is not registered on h)\n";

/* Each node's participants in a box (colour first, so the name is never read
 * as one), those of no node after; a title with the count; the nodes not
 * traced in a note; box and title text without what Mermaid reads as a
 * comment, a statement's end or the end of the colour. */
static void test_cluster_mermaid(void)
{
  bv_trace *t = cluster_sample();
  bv_emit_info info;
  char *s = mmd(t, 0, 0, 0, &info);
  CHECK_STR(s, cluster_mmd);
  CHECK_INT(info.shown, 6);
  free(s);
  /* Markdown: the same diagram in a fence */
  s = mmd_fmt(t, 0, 0, 0, BV_FMT_MD, NULL);
  CHECK(s && strncmp(s, "```mermaid\n", 11) == 0 && strstr(s, cluster_mmd + 0) != NULL);
  free(s);
  /* --max-shown 1: only the first message's participants, their boxes */
  s = mmd(t, 1, 0, 0, &info);
  CHECK_STR(s, "sequenceDiagram\n"
               "  title message sequence across 2 of 3 nodes, entry node a@h\n"
               "  box rgba(128, 128, 128, 0.12) a@h\n"
               "    participant p0 as #60;0.90.0#62;\n"
               "  end\n"
               "  box rgba(128, 128, 128, 0.12) b@h\n"
               "    participant p1 as kv_srv\n"
               "  end\n"
               "  p0->>p1: CALL#58; put\n"
               "  Note over p0,p1: 5 more messages not drawn (the model file has them all)\n"
               "  Note over p0,p1: not traced (no relay)#58; c@h (c is not registered on h)\n");
  free(s);
  /* every node traced: "N nodes", no note; hostile and colour-word names */
  t->nodes[2].code = BV_OK;
  t->nodes[2].reason = NULL;
  t->nodes[0].node = "red@h";
  t->nodes[1].node = "x;y#z)w:<b>&\"q\xc2\x85@h";
  t->parts[0].node = t->parts[4].node = "red@h";
  t->parts[1].node = t->parts[2].node = t->nodes[1].node;
  t->node = "red@h";
  s = mmd(t, 0, 0, 0, NULL);
  CHECK(strstr(s, "  title message sequence across 3 nodes, entry node red@h\n") != NULL);
  CHECK(strstr(s, "  box rgba(128, 128, 128, 0.12) red@h\n") != NULL);
  CHECK(strstr(s, "  box rgba(128, 128, 128, 0.12) x_y_z_w__b___q_@h\n") != NULL);
  CHECK(strstr(s, "Note") == NULL);
  free(s);
  bv_trace_free(t);

  /* a participant of a node the trace does not list: in no box */
  t = cluster_sample();
  t->parts[1].node = "elsewhere@h";
  s = mmd(t, 0, 0, 0, NULL);
  CHECK(strstr(s, "  box rgba(128, 128, 128, 0.12) b@h\n"
                  "    participant p2 as #60;0.121.0#62;\n"
                  "  end\n"
                  "  participant p3 as kv_srv\n"
                  "  participant p4 as (unknown sender)\n") != NULL);
  free(s);
  bv_trace_free(t);
}

/* The nodes and each participant's node survive the file, byte for byte; a
 * single node's file has neither. */
static void test_cluster_json(void)
{
  bv_trace *t = cluster_sample();
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TRACE, t, &b), 0);
  CHECK(strstr(b.data, "\"nodes\":[\n{\"node\":\"a@h\"},\n{\"node\":\"b@h\"},\n"
                       "{\"node\":\"c@h\",\"error\":\"node not registered\",\"reason\":"
                       "\"c is not registered on h\"}]") != NULL);
  CHECK(strstr(b.data, "{\"pid\":\"?\",\"name\":\"(unknown sender)\",\"spawned\":false,"
                       "\"system\":false,\"exit_reason\":null,\"label\":null,"
                       "\"initial_call\":null}") != NULL);
  bv_model m;
  CHECK_INT(bv_model_load_mem("c.json", b.data, b.len, &m), 0);
  bv_trace *u = m.u.trace;
  CHECK_INT(u->nnodes, 3);
  CHECK_STR(u->nodes[0].node, "a@h");
  CHECK_INT(u->nodes[1].code, BV_OK);
  CHECK_INT(u->nodes[2].code, BV_ENONODE);
  CHECK_STR(u->nodes[2].reason, "c is not registered on h");
  CHECK_STR(u->parts[1].node, "b@h");
  CHECK_STR(u->parts[4].node, "a@h");
  CHECK(u->parts[3].node == NULL);
  bv_buf c;
  bv_buf_init(&c);
  CHECK_INT(save_json(BV_MODEL_TRACE, u, &c), 0);
  CHECK_STR(c.data, b.data);
  /* the Mermaid of the file read back is the same */
  char *s = mmd(u, 0, 0, 0, NULL);
  CHECK_STR(s, cluster_mmd);
  free(s);
  bv_buf_dispose(&c);
  bv_model_dispose(&m);
  bv_buf_dispose(&b);
  /* one node's trace: no "nodes", no participant "node" */
  t->nnodes = 0;
  t->nodes = NULL;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_TRACE, t, &b), 0);
  CHECK(strstr(b.data, "\"node\":\"a@h\"") != NULL);
  CHECK(strstr(b.data, "\"nodes\"") == NULL && strstr(b.data, "b@h") == NULL);
  bv_buf_dispose(&b);
  bv_trace_free(t);
}

static void test_cluster_json_bad(void)
{
#define HDR "{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":\"a@h\","
#define P(n) "\"participants\":[{\"pid\":\"<0.1.0>\",\"node\":" n "}],\"events\":[]}"
  static const struct {
    const char *json;
    const char *msg;
  } cases[] = {
      {HDR P("\"a@h\""), "participants[0].node: a node on a single node's trace"},
      {HDR "\"nodes\":[{\"node\":\"a@h\"}]," P("\"b@h\""),
       "participants[0].node: not one of the nodes listed"},
      {HDR "\"nodes\":[{\"node\":\"a@h\"}]," P("7"), "participants[0].node: expected a string"},
      {HDR "\"nodes\":[]," P("null"), "nodes: empty"},
      {HDR "\"nodes\":[{\"node\":\"a@h\"},{\"node\":\"a@h\"}]," P("null"),
       "nodes[1].node: a node listed twice"},
      {HDR "\"nodes\":[{\"node\":\"a@h\",\"error\":\"timeout\",\"reason\":\"x\"}]," P("null"),
       "nodes: no node traced"},
      {HDR "\"nodes\":[{\"node\":\"a@h\",\"error\":\"bored\",\"reason\":\"x\"}]," P("null"),
       "nodes[0].error: not an error beamviz names"},
      {HDR "\"nodes\":[{\"node\":\"\"}]," P("null"), "nodes[0].node: empty node name"},
      {HDR "\"nodes\":{}," P("null"), "nodes: expected an array"},
  };
#undef P
#undef HDR
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

/* One node's part: its events (both ends kept, whatever their node), its
 * processes, the nodes they run on; replies follow their requests. */
static void test_cluster_select(void)
{
  bv_trace *t = cluster_sample();
  CHECK_INT(bv_trace_select_node(t, "b@h"), 0);
  CHECK_INT(t->nnodes, 2);
  CHECK_STR(t->nodes[0].node, "a@h");
  CHECK_STR(t->nodes[1].node, "b@h");
  CHECK_STR(t->node, "a@h");
  CHECK_INT(t->nparts, 3);
  CHECK_STR(t->parts[0].pid, "<0.90.0>");
  CHECK_STR(t->parts[1].name, "kv_srv");
  CHECK_STR(t->parts[2].pid, "<0.121.0>");
  CHECK_INT(t->n, 4);
  CHECK_STR(t->events[0].label, "CALL: put");
  CHECK_STR(t->events[3].label, "REPLY: ok");
  CHECK_INT(t->events[3].from, 1);
  CHECK_INT(t->events[3].to, 0);
  CHECK_INT(t->events[3].reply_to, 0);
  char *s = mmd(t, 0, 0, 0, NULL);
  CHECK_STR(s, "sequenceDiagram\n"
               "  title message sequence across 2 nodes, entry node a@h\n"
               "  box rgba(128, 128, 128, 0.12) a@h\n"
               "    participant p0 as #60;0.90.0#62;\n"
               "  end\n"
               "  box rgba(128, 128, 128, 0.12) b@h\n"
               "    participant p1 as kv_srv\n"
               "    participant p2 as #60;0.121.0#62;\n"
               "  end\n"
               "  p0->>p1: CALL#58; put\n"
               "  p1->>+p2: SPAWN\n"
               "  p2->>p1: INFO#58; done\n"
               "  deactivate p2\n"
               "  p1-->>p0: REPLY#58; ok\n");
  free(s);
  /* the part is still a trace across nodes: selected again, the same */
  CHECK_INT(bv_trace_select_node(t, "b@h"), 0);
  CHECK_INT(t->n, 4);
  CHECK_INT(t->nparts, 3);
  CHECK_INT(t->nnodes, 2);
  bv_trace_free(t);

  /* a@h: the unknown sender (no node) stays, b@h's worker goes; a reply whose
     request is left out stands alone */
  t = cluster_sample();
  t->events[3].from = 1;          /* kv_srv replies to a request the unknown */
  t->events[0].from = 3;          /* sender made */
  CHECK_INT(bv_trace_select_node(t, "a@h"), 0);
  CHECK_INT(t->nnodes, 2);        /* a@h, and b@h for kv_srv */
  CHECK_INT(t->nparts, 4);        /* <0.90.0>, kv_srv, ?, a_helper */
  CHECK_INT(t->n, 3);             /* the reply, hello, bye */
  CHECK_STR(t->events[0].label, "REPLY: ok");
  CHECK_INT(t->events[0].reply_to, -1);
  CHECK_STR(t->events[1].label, "INFO: hello");
  CHECK_STR(t->parts[t->events[1].from].pid, "?");
  CHECK_STR(t->parts[t->events[1].to].name, "a_helper");
  bv_trace_free(t);

  /* a node with nothing of its own to show keeps itself; the failures go */
  t = cluster_sample();
  t->parts[4].node = "b@h";
  t->events[5].to = 1;
  CHECK_INT(bv_trace_select_node(t, "b@h"), 0);
  CHECK_INT(t->nnodes, 2);
  bv_trace_free(t);
  t = cluster_sample();
  for (size_t i = 0; i < t->nparts; i++)
    t->parts[i].node = t->parts[i].node ? "a@h" : NULL;
  CHECK_INT(bv_trace_select_node(t, "b@h"), 0);
  CHECK_INT(t->nnodes, 1);
  CHECK_STR(t->nodes[0].node, "b@h");
  CHECK_INT(t->nparts, 0);
  CHECK_INT(t->n, 0);
  s = mmd(t, 0, 0, 0, NULL);
  CHECK(strstr(s, "Note over p0: no messages were traced\n") != NULL);
  free(s);
  bv_trace_free(t);

  /* errors: not a traced node (naming those traced), a single node's trace */
  t = cluster_sample();
  CHECK_INT(bv_trace_select_node(t, "x@h"), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(), "node 'x@h' is not in this trace (it traced: a@h, b@h)") !=
        NULL);
  CHECK_INT(bv_trace_select_node(t, "c@h"), BV_ENOTFOUND);
  CHECK(strstr(bv_error_last(),
               "node 'c@h' was not traced (c is not registered on h); the trace has: a@h, b@h") !=
        NULL);
  CHECK_INT(t->n, 6);
  CHECK_INT(t->nparts, 5);
  t->nnodes = 0;
  CHECK_INT(bv_trace_select_node(t, "a@h"), BV_EINVAL);
  CHECK(strstr(bv_error_last(), "this trace is of one node (a@h), not of a cluster") != NULL);
  bv_trace_free(t);
}

static int rect_inside(const bv_sitem *in, const bv_sitem *out)
{
  return in->x >= out->x && in->x + in->w <= out->x + out->w && in->y >= out->y &&
         in->y + in->h <= out->y + out->h;
}

/* Images: a frame per node around its participants' boxes (top and bottom),
 * titled with its name, apart from the other frames; the participant of no
 * node in none; a single node's trace has no frame and no title. */
static void test_cluster_layout(void)
{
  bv_measure ms;
  bv_fake_measure(&ms);
  bv_trace *t = cluster_sample();
  bv_model m = {BV_MODEL_TRACE, {.trace = t}};
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  bv_scene *s;
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  CHECK_INT(bv_layout_seq_model(&m, &o, &ms, &s, &info), 0);
  const bv_sitem *frames[4];
  const char *names[4];
  size_t nf = 0, nn = 0, titles = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (it->cls && strcmp(it->cls, "node-frame") == 0 && nf < 4)
      frames[nf++] = it;
    if (it->cls && strcmp(it->cls, "node-name") == 0 && nn < 4)
      names[nn++] = it->text;
    if (it->cls && strcmp(it->cls, "title") == 0) {
      titles++;
      CHECK_STR(it->text, "message sequence across 2 of 3 nodes, entry node a@h");
    }
  }
  CHECK_INT(nf, 2);
  CHECK_INT(nn, 2);
  CHECK_INT(titles, 1);
  if (nf == 2 && nn == 2) {
    CHECK_STR(names[0], "a@h");
    CHECK_STR(names[1], "b@h");
    CHECK(frames[0]->x + frames[0]->w < frames[1]->x);
    /* each participant's boxes in its node's frame, the unknown sender's in none */
    for (size_t i = 0; i < s->n; i++) {
      const bv_sitem *it = &s->items[i];
      if (!it->cls || (strcmp(it->cls, "participant") && strcmp(it->cls, "participant-bottom")))
        continue;
      const char *node = t->parts[it->ref].node;
      int in0 = rect_inside(it, frames[0]), in1 = rect_inside(it, frames[1]);
      CHECK_INT(in0, node && strcmp(node, "a@h") == 0);
      CHECK_INT(in1, node && strcmp(node, "b@h") == 0);
    }
    CHECK(frames[1]->x + frames[1]->w <= s->width);
  }
  CHECK(strstr(s->title, "message sequence across 2 of 3 nodes") == s->title);
  bv_scene_free(s);
  /* a node's name wider than its one participant: on two lines, split before
     its '@' (each line's hover text the whole name); without an '@', the frame
     grows to fit it; never shortened, always inside its frame */
  static const struct {
    const char *name, *l1, *l2;
  } longs[] = {{"a_long_node_name@somehost.example", "a_long_node_name", "@somehost.example"},
               {"a_long_node_name_with_no_host", "a_long_node_name_with_no_host", NULL}};
  t->events[1].to = 1; /* kv_srv spawns itself: b's only participant */
  t->events[2].from = 1;
  for (size_t c = 0; c < sizeof longs / sizeof *longs; c++) {
    t->nodes[1].node = longs[c].name;
    t->parts[1].node = t->parts[2].node = t->nodes[1].node;
    CHECK_INT(bv_layout_seq_model(&m, &o, &ms, &s, &info), 0);
    const bv_sitem *fr = NULL, *ln[3] = {NULL, NULL, NULL};
    size_t nl = 0;
    for (size_t i = 0; i < s->n; i++) {
      const bv_sitem *it = &s->items[i];
      if (it->cls && strcmp(it->cls, "node-frame") == 0)
        fr = it; /* the last frame: b's */
      if (it->cls && strcmp(it->cls, "node-name") == 0 && nl < 3 &&
          (strncmp(it->text, "a_", 2) == 0 || it->text[0] == '@'))
        ln[nl++] = it;
    }
    CHECK_INT(nl, longs[c].l2 ? 2 : 1);
    CHECK(fr != NULL && ln[0] != NULL);
    if (fr && ln[0]) {
      CHECK_STR(ln[0]->text, longs[c].l1);
      if (longs[c].l2 && ln[1]) {
        CHECK_STR(ln[1]->text, longs[c].l2);
        CHECK(ln[1]->y > ln[0]->y);
        CHECK_STR(ln[0]->full, longs[c].name);
        CHECK_STR(ln[1]->full, longs[c].name);
      }
      for (size_t k = 0; k < nl; k++)
        CHECK(ln[k]->x >= fr->x && ln[k]->x + ln[k]->w <= fr->x + fr->w);
    }
    bv_scene_free(s);
  }
  /* one node's trace: as before */
  t->nnodes = 0;
  CHECK_INT(bv_layout_seq_model(&m, &o, &ms, &s, &info), 0);
  for (size_t i = 0; i < s->n; i++)
    CHECK(!s->items[i].cls || (strcmp(s->items[i].cls, "node-frame") &&
                               strcmp(s->items[i].cls, "title")));
  CHECK(strncmp(s->title, "message sequence: ", 18) == 0);
  bv_scene_free(s);
  bv_trace_free(t);
}

/* Many nodes with long names: the boxes count in Mermaid's size budget, every
 * box opened is closed, and what is cut is said. */
static void test_cluster_size_cap(void)
{
  size_t nn = 600, n = nn;
  bv_trace *t = make(nn, n);
  t->nnodes = nn;
  t->nodes = bv_arena_alloc(t->arena, nn * sizeof *t->nodes);
  for (size_t i = 0; i < nn; i++) {
    char name[256];
    memset(name, 'n', 190);
    snprintf(name + 190, sizeof name - 190, "%zu@h", i);
    t->nodes[i] = (bv_node_result){bv_arena_strdup(t->arena, name), BV_OK, NULL, 0, 0, 0};
    t->parts[i] = (bv_participant){"<0.90.0>", NULL, 0, 0, NULL, NULL, NULL, 0, t->nodes[i].node};
  }
  for (size_t i = 0; i < n; i++)
    ev(t, i, BV_EV_SEND, (uint32_t)i, (uint32_t)((i + 1) % nn), "INFO: x", "x", -1);
  bv_emit_info info;
  char *s = mmd(t, 1000, 0, 0, &info);
  CHECK(strlen(s) < 50000);
  CHECK(info.shown > 10 && info.shown < n);
  CHECK_INT(info.shown + info.left_out, n);
  size_t boxes = 0, ends = 0;
  for (const char *p = s; (p = strstr(p, "\n  box ")); p++)
    boxes++;
  for (const char *p = s; (p = strstr(p, "\n  end\n")); p++)
    ends++;
  CHECK(boxes > 10);
  CHECK_INT(boxes, ends);
  CHECK(strstr(s, "more messages not drawn") != NULL);
  free(s);
  bv_trace_free(t);
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
  test_cluster_mermaid();
  test_cluster_json();
  test_cluster_json_bad();
  test_cluster_select();
  test_cluster_layout();
  test_cluster_size_cap();
  return check_report();
}
