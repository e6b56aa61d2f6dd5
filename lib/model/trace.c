/* trace.c: the message trace model: its file (JSON, written here and read back
 * through jsonin.h) and its Mermaid sequenceDiagram. Collection from a node is
 * in trace_collect.c. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"send", "call", "cast", "reply",
                                         "exit", "down", "spawn"};

const char *bv_ev_kind_name(bv_ev_kind k)
{
  return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "send";
}

static int kind_from_name(const char *s, bv_ev_kind *k)
{
  for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
    if (strcmp(s, kind_names[i]) == 0) {
      *k = (bv_ev_kind)i;
      return 1;
    }
  return 0;
}
/* --- JSON ------------------------------------------------------------------ */

static void trace_write(bv_wr *w, const bv_trace *t)
{
  bv_wr_str(w, "{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":");
  bv_wr_json(w, t->node ? t->node : "");
  bv_wr_kv(w, "otp_release", t->otp_release);
  bv_wr_str(w, ",\"elixir\":");
  bv_wr_bool(w, t->elixir);
  bv_wr_kv(w, "mode", t->mode);
  bv_wr_kv(w, "code", t->code);
  bv_wr_kv(w, "result", t->result);
  bv_wr_kv(w, "stop_reason", t->stop_reason);
  bv_wr_str(w, ",\"dropped\":");
  bv_wr_u64(w, t->dropped);
  bv_wr_str(w, ",\n\"participants\":[");
  for (size_t i = 0; i < t->nparts && !bv_wr_maybe_flush(w); i++) {
    const bv_participant *p = &t->parts[i];
    bv_wr_str(w, i ? ",\n{\"pid\":" : "\n{\"pid\":");
    bv_wr_json(w, p->pid ? p->pid : "");
    bv_wr_kv(w, "name", p->name);
    bv_wr_str(w, ",\"spawned\":");
    bv_wr_bool(w, p->spawned);
    bv_wr_str(w, ",\"system\":");
    bv_wr_bool(w, p->system);
    bv_wr_kv(w, "exit_reason", p->exit_reason);
    bv_wr_kv(w, "label", p->label);
    bv_wr_kv(w, "initial_call", p->initial_call);
    if (p->attached)
      bv_wr_str(w, ",\"attached\":true");
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "],\n\"events\":[");
  for (size_t i = 0; i < t->n && !bv_wr_maybe_flush(w); i++) {
    const bv_event *e = &t->events[i];
    bv_wr_str(w, i ? ",\n{\"kind\":\"" : "\n{\"kind\":\"");
    bv_wr_str(w, bv_ev_kind_name(e->kind));
    bv_wr_str(w, "\",\"from\":");
    bv_wr_u64(w, e->from);
    bv_wr_str(w, ",\"to\":");
    bv_wr_u64(w, e->to);
    bv_wr_kv(w, "label", e->label ? e->label : "");
    bv_wr_kv(w, "text", e->text ? e->text : "");
    if (e->serial_cur >= 0) {
      bv_wr_str(w, ",\"serial\":[");
      bv_wr_i64(w, e->serial_prev);
      bv_wr_str(w, ",");
      bv_wr_i64(w, e->serial_cur);
      bv_wr_str(w, "]");
    } else {
      bv_wr_str(w, ",\"serial\":null");
    }
    bv_wr_str(w, ",\"ts_us\":");
    bv_wr_i64(w, e->ts_us);
    if (e->reply_to >= 0) {
      bv_wr_str(w, ",\"reply_to\":");
      bv_wr_i64(w, e->reply_to);
      bv_wr_str(w, "}");
    } else {
      bv_wr_str(w, ",\"reply_to\":null}");
    }
  }
  bv_wr_str(w, "\n]}\n");
}

int bv_trace_write_json(const bv_trace *t, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  trace_write(&w, t);
  return bv_wr_finish(&w);
}


#define MAX_PARTS 10000000u
#define MAX_EVENTS 100000000u

int bv_trace_from_json(const bv_jdoc *d, bv_trace **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_trace *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  bv_arena *a = t->arena;
  int rc;
  const bv_jv *parts = bv_jv_get(root, "participants"), *evs = bv_jv_get(root, "events");
  const bv_jv *el = bv_jv_get(root, "elixir");
  uint64_t dropped = 0;
  if ((rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", a, &t->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), "otp_release", a,
                          &t->otp_release)) ||
      (el && (rc = bv_jv_bool(d, el, "elixir", &t->elixir))) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "mode"), "mode", a, &t->mode)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "code"), "code", a, &t->code)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "result"), "result", a, &t->result)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "stop_reason"), "stop_reason", a,
                          &t->stop_reason)) ||
      (!bv_jv_is_null(bv_jv_get(root, "dropped")) &&
       (rc = bv_jv_u64(d, bv_jv_get(root, "dropped"), "dropped", &dropped))) ||
      (rc = bv_jv_arr(d, parts, "participants", MAX_PARTS)) ||
      (rc = bv_jv_arr(d, evs, "events", MAX_EVENTS)))
    goto fail;
  t->dropped = dropped;
  t->nparts = bv_jv_len(parts);
  t->n = bv_jv_len(evs);
  t->parts = bv_arena_alloc(a, (t->nparts ? t->nparts : 1) * sizeof *t->parts);
  t->events = bv_arena_alloc(a, (t->n ? t->n : 1) * sizeof *t->events);
  if (!t->parts || !t->events) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  char path[96];
  bv_jit it;
  bv_jv_iter(parts, &it);
  for (size_t i = 0; i < t->nparts; i++) {
    const bv_jv *p = bv_jv_next(&it);
    bv_participant *q = &t->parts[i];
    const bv_jv *v;
    snprintf(path, sizeof path, "participants[%zu]", i);
    if ((rc = bv_jv_obj(d, p, path)))
      goto fail;
    snprintf(path, sizeof path, "participants[%zu].pid", i);
    if ((rc = bv_jv_str(d, bv_jv_get(p, "pid"), path, a, &q->pid)))
      goto fail;
    snprintf(path, sizeof path, "participants[%zu].name", i);
    if ((rc = bv_jv_opt_str(d, bv_jv_get(p, "name"), path, a, &q->name)))
      goto fail;
    snprintf(path, sizeof path, "participants[%zu].exit_reason", i);
    if ((rc = bv_jv_opt_str(d, bv_jv_get(p, "exit_reason"), path, a, &q->exit_reason)))
      goto fail;
    /* files written before labels and initial calls were read have neither */
    snprintf(path, sizeof path, "participants[%zu].label", i);
    if ((rc = bv_jv_opt_str(d, bv_jv_get(p, "label"), path, a, &q->label)))
      goto fail;
    snprintf(path, sizeof path, "participants[%zu].initial_call", i);
    if ((rc = bv_jv_opt_str(d, bv_jv_get(p, "initial_call"), path, a, &q->initial_call)))
      goto fail;
    if ((v = bv_jv_get(p, "attached")) && !bv_jv_is_null(v)) {
      snprintf(path, sizeof path, "participants[%zu].attached", i);
      if ((rc = bv_jv_bool(d, v, path, &q->attached)))
        goto fail;
    }
    if ((v = bv_jv_get(p, "spawned")) && !bv_jv_is_null(v)) {
      snprintf(path, sizeof path, "participants[%zu].spawned", i);
      if ((rc = bv_jv_bool(d, v, path, &q->spawned)))
        goto fail;
    }
    if ((v = bv_jv_get(p, "system")) && !bv_jv_is_null(v)) {
      snprintf(path, sizeof path, "participants[%zu].system", i);
      if ((rc = bv_jv_bool(d, v, path, &q->system)))
        goto fail;
    }
  }
  bv_jv_iter(evs, &it);
  for (size_t i = 0; i < t->n; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_event *x = &t->events[i];
    const char *kind = NULL;
    uint64_t from, to;
    int64_t ts = 0;
    snprintf(path, sizeof path, "events[%zu]", i);
    if ((rc = bv_jv_obj(d, e, path)))
      goto fail;
    snprintf(path, sizeof path, "events[%zu].kind", i);
    if ((rc = bv_jv_str(d, bv_jv_get(e, "kind"), path, a, &kind)))
      goto fail;
    if (!kind_from_name(kind, &x->kind)) {
      rc = bv_jv_fail(d, path, "expected send, call, cast, reply, exit, down or spawn");
      goto fail;
    }
    snprintf(path, sizeof path, "events[%zu].from", i);
    if ((rc = bv_jv_u64(d, bv_jv_get(e, "from"), path, &from)))
      goto fail;
    if (from >= t->nparts) {
      rc = bv_jv_fail(d, path, "not a participant index");
      goto fail;
    }
    snprintf(path, sizeof path, "events[%zu].to", i);
    if ((rc = bv_jv_u64(d, bv_jv_get(e, "to"), path, &to)))
      goto fail;
    if (to >= t->nparts) {
      rc = bv_jv_fail(d, path, "not a participant index");
      goto fail;
    }
    x->from = (uint32_t)from;
    x->to = (uint32_t)to;
    snprintf(path, sizeof path, "events[%zu].label", i);
    if ((rc = bv_jv_str(d, bv_jv_get(e, "label"), path, a, &x->label)))
      goto fail;
    snprintf(path, sizeof path, "events[%zu].text", i);
    x->text = "";
    if ((rc = bv_jv_opt_str(d, bv_jv_get(e, "text"), path, a, &x->text)))
      goto fail;
    const bv_jv *ser = bv_jv_get(e, "serial");
    x->serial_prev = x->serial_cur = -1;
    if (!bv_jv_is_null(ser)) {
      snprintf(path, sizeof path, "events[%zu].serial", i);
      if ((rc = bv_jv_arr(d, ser, path, 2)))
        goto fail;
      if (bv_jv_len(ser) != 2) {
        rc = bv_jv_fail(d, path, "expected [previous, current]");
        goto fail;
      }
      if ((rc = bv_jv_i64(d, bv_jv_at(ser, 0), path, &x->serial_prev)) ||
          (rc = bv_jv_i64(d, bv_jv_at(ser, 1), path, &x->serial_cur)))
        goto fail;
    }
    snprintf(path, sizeof path, "events[%zu].ts_us", i);
    if (!bv_jv_is_null(bv_jv_get(e, "ts_us")) &&
        (rc = bv_jv_i64(d, bv_jv_get(e, "ts_us"), path, &ts)))
      goto fail;
    x->ts_us = ts;
    x->reply_to = -1;
    const bv_jv *rt = bv_jv_get(e, "reply_to");
    if (!bv_jv_is_null(rt)) {
      uint64_t r;
      snprintf(path, sizeof path, "events[%zu].reply_to", i);
      if ((rc = bv_jv_u64(d, rt, path, &r)))
        goto fail;
      if (r >= i) {
        rc = bv_jv_fail(d, path, "must be the index of an earlier event");
        goto fail;
      }
      x->reply_to = (int32_t)r;
    }
  }
  *out = t;
  return 0;
fail:
  bv_trace_free(t);
  return rc;
}

/* Processes that take part in almost every trace (I/O, code loading, logging)
 * and say nothing about the code under trace. */
int bv_trace_system_name(const char *name)
{
  static const char *const sys[] = {
      "application_controller", "code_server", "erl_prim_loader", "erl_signal_server",
      "erts_code_purger", "error_logger", "file_server_2", "global_group",
      "global_group_check", "global_name_server", "inet_db", "init", "kernel_refc",
      "kernel_safe_sup", "kernel_sup", "logger", "logger_handler_watcher", "logger_proxy",
      "logger_std_h_default", "logger_sup", "net_kernel", "net_sup", "auth", "rex",
      "socket_registry", "standard_error", "standard_error_sup", "user", "user_drv",
      "timer_server", "erl_epmd", "elixir_config", "elixir_code_server", "elixir_sup",
      "Logger", "Logger.Supervisor", "Logger.BackendSupervisor", "IEx.Config",
      "IEx.Supervisor", "IEx.Broker", "IEx.Pry", NULL};
  if (!name)
    return 0;
  name = bv_strip_elixir(name);
  for (size_t i = 0; sys[i]; i++)
    if (strcmp(name, sys[i]) == 0)
      return 1;
  return 0;
}
