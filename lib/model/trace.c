/* trace.c: the message trace model: its file (JSON, written here and read back
 * through jsonin.h) and its Mermaid sequenceDiagram. Collection from a node is
 * in trace_collect.c. */
#include "jsonin.h"

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

/* --- JSON ------------------------------------------------------------------ */

static void json_s(bv_buf *b, const char *s)
{
  if (s)
    bv_buf_json_str(b, s, strlen(s));
  else
    bv_buf_puts(b, "null");
}

static void json_kv(bv_buf *b, const char *key, const char *s)
{
  bv_buf_printf(b, ",\"%s\":", key);
  json_s(b, s);
}

int bv_trace_json(bv_buf *b, const bv_trace *t)
{
  bv_buf_puts(b, "{\"format\":\"beamviz.seqtrace\",\"version\":1,\"node\":");
  json_s(b, t->node ? t->node : "");
  json_kv(b, "otp_release", t->otp_release);
  bv_buf_printf(b, ",\"elixir\":%s", t->elixir ? "true" : "false");
  json_kv(b, "mode", t->mode);
  json_kv(b, "code", t->code);
  json_kv(b, "result", t->result);
  json_kv(b, "stop_reason", t->stop_reason);
  bv_buf_puts(b, ",\"dropped\":");
  bv_buf_u64(b, t->dropped);
  bv_buf_puts(b, ",\n\"participants\":[");
  for (size_t i = 0; i < t->nparts; i++) {
    const bv_participant *p = &t->parts[i];
    bv_buf_puts(b, i ? ",\n{\"pid\":" : "\n{\"pid\":");
    json_s(b, p->pid ? p->pid : "");
    json_kv(b, "name", p->name);
    bv_buf_printf(b, ",\"spawned\":%s,\"system\":%s", p->spawned ? "true" : "false",
                  p->system ? "true" : "false");
    json_kv(b, "exit_reason", p->exit_reason);
    bv_buf_putc(b, '}');
  }
  bv_buf_puts(b, "],\n\"events\":[");
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    bv_buf_printf(b, "%s\n{\"kind\":\"%s\",\"from\":%u,\"to\":%u", i ? "," : "",
                  bv_ev_kind_name(e->kind), e->from, e->to);
    json_kv(b, "label", e->label ? e->label : "");
    json_kv(b, "text", e->text ? e->text : "");
    if (e->serial_cur >= 0)
      bv_buf_printf(b, ",\"serial\":[%lld,%lld]", (long long)e->serial_prev,
                    (long long)e->serial_cur);
    else
      bv_buf_puts(b, ",\"serial\":null");
    bv_buf_printf(b, ",\"ts_us\":%lld", (long long)e->ts_us);
    if (e->reply_to >= 0)
      bv_buf_printf(b, ",\"reply_to\":%d}", (int)e->reply_to);
    else
      bv_buf_puts(b, ",\"reply_to\":null}");
  }
  bv_buf_puts(b, "\n]}\n");
  return b->failed ? BV_ENOMEM : 0;
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

/* --- Mermaid ---------------------------------------------------------------- */

#define MMD_BUDGET 46000u  /* the diagram stays under Mermaid's 50,000 characters */

/* Length of the first n UTF-8 characters of s (never splits a character). */
static size_t utf8_prefix(const char *s, size_t n)
{
  size_t i = 0, k = 0;
  while (s[i] && k < n) {
    i++;
    while ((s[i] & 0xC0) == 0x80)
      i++;
    k++;
  }
  return i;
}

static int part_visible(const bv_trace *t, uint32_t p, const bv_seq_mmd_opts *o)
{
  return o->all || !t->parts[p].system;
}

static void part_label(bv_buf *b, const bv_trace *t, const bv_participant *p)
{
  bv_buf tmp;
  bv_buf_init(&tmp);
  if (p->name && *p->name)
    bv_buf_puts(&tmp, bv_strip_elixir(p->name));
  else
    bv_pid_display(&tmp, p->pid ? p->pid : "?", t->elixir);
  if (tmp.data)
    bv_mmd_escape(b, tmp.data, tmp.len);
  else
    bv_buf_puts(b, "?");
  bv_buf_dispose(&tmp);
}

int bv_trace_mermaid(bv_buf *b, const bv_trace *t, const bv_seq_mmd_opts *o,
                     bv_seq_mmd_info *info)
{
  bv_seq_mmd_opts dflt = {0};
  bv_seq_mmd_info dummy;
  if (!o)
    o = &dflt;
  if (!info)
    info = &dummy;
  memset(info, 0, sizeof *info);
  size_t max_shown = o->max_shown ? o->max_shown : 200;
  int rc = 0;
  /* alias[p]: mermaid index of participant p (-1 = not drawn yet);
     last[p]: the last drawn event that involves p; active[p]: has a bar */
  int32_t *alias = malloc((t->nparts + 1) * sizeof *alias);
  size_t *last = calloc(t->nparts + 1, sizeof *last);
  unsigned char *active = calloc(t->nparts + 1, 1);
  size_t *shown = malloc((t->n + 1) * sizeof *shown);
  if (!alias || !last || !active || !shown) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t->nparts; i++)
    alias[i] = -1;
  /* pass 1: which events are drawn and which participants they need */
  size_t nshown = 0, visible = 0, budget = 0;
  int full = 0;
  int32_t nalias = 0;
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    if (e->from >= t->nparts || e->to >= t->nparts) {
      rc = bv_error_set(BV_EINVAL, "trace: event %zu names a participant that does not exist",
                        i);
      goto done;
    }
    if (!part_visible(t, e->from, o) || !part_visible(t, e->to, o)) {
      info->hidden++;
      continue;
    }
    visible++;
    /* a message line costs at most its escaped label (5 bytes per byte) */
    size_t cost = 24 + 5 * strlen(e->label ? e->label : "") +
                  (o->payload ? 5 * utf8_prefix(e->text ? e->text : "", o->payload) + 5 : 0);
    if (full || nshown >= max_shown || budget + cost > MMD_BUDGET) {
      full = 1; /* the first messages only, never a sample */
      continue;
    }
    uint32_t ends[2] = {e->from, e->to};
    size_t pcost = 0;
    for (int k = 0; k < 2; k++)
      if (alias[ends[k]] < 0) {
        const bv_participant *p = &t->parts[ends[k]];
        pcost += 40 + 5 * strlen(p->name ? p->name : (p->pid ? p->pid : ""));
      }
    if (budget + cost + pcost > MMD_BUDGET) {
      full = 1;
      continue;
    }
    budget += cost + pcost;
    for (int k = 0; k < 2; k++)
      if (alias[ends[k]] < 0)
        alias[ends[k]] = nalias++;
    last[e->from] = last[e->to] = i;
    shown[nshown++] = i;
  }
  info->shown = nshown;
  info->left_out = visible - nshown;

  if (o->markdown)
    bv_buf_puts(b, "```mermaid\n");
  bv_buf_puts(b, "sequenceDiagram\n");
  /* participants in order of first appearance among drawn messages */
  for (int32_t k = 0; k < nalias; k++)
    for (size_t p = 0; p < t->nparts; p++)
      if (alias[p] == k) {
        bv_buf_printf(b, "  participant p%d as ", (int)k);
        part_label(b, t, &t->parts[p]);
        bv_buf_putc(b, '\n');
        break;
      }
  if (nalias == 0) {
    bv_buf_puts(b, "  participant p0 as beamviz\n");
    bv_buf_printf(b, "  Note over p0: no messages to show%s\n",
                  info->hidden ? " (system processes hidden, --all shows them)" : "");
  }
  for (size_t s = 0; s < nshown; s++) {
    const bv_event *e = &t->events[shown[s]];
    int spawn_bar = e->kind == BV_EV_SPAWN && t->parts[e->to].spawned && !active[e->to] &&
                    e->from != e->to;
    bv_buf_printf(b, "  p%d%s%sp%d: ", (int)alias[e->from],
                  e->kind == BV_EV_REPLY ? "-->>" : "->>", spawn_bar ? "+" : "",
                  (int)alias[e->to]);
    const char *label = e->label ? e->label : "";
    bv_mmd_escape(b, label, strlen(label));
    /* a SPAWN's message is OTP's internal spawn_request signal: the label says
       all there is to say (the JSON keeps the text) */
    if (o->payload && e->kind != BV_EV_SPAWN && e->text && *e->text) {
      bv_buf_puts(b, "<br/>");
      bv_mmd_escape(b, e->text, utf8_prefix(e->text, o->payload));
    }
    bv_buf_putc(b, '\n');
    if (spawn_bar)
      active[e->to] = 1;
    /* a spawned process that exited: its bar ends after its last message */
    uint32_t ends[2] = {e->from, e->to};
    for (int k = 0; k < (e->from == e->to ? 1 : 2); k++) {
      uint32_t p = ends[k];
      if (active[p] && t->parts[p].exit_reason && last[p] == shown[s]) {
        bv_buf_printf(b, "  deactivate p%d\n", (int)alias[p]);
        active[p] = 0;
      }
    }
  }
  for (size_t p = 0; p < t->nparts; p++)
    if (active[p])
      bv_buf_printf(b, "  deactivate p%d\n", (int)alias[p]);
  if (info->left_out && nalias > 0) {
    int32_t lastp = nalias - 1;
    bv_buf_printf(b, "  Note over p0%s", lastp > 0 ? "," : "");
    if (lastp > 0)
      bv_buf_printf(b, "p%d", (int)lastp);
    bv_buf_printf(b, ": %zu more message%s not drawn (--max-shown %zu), all in the JSON "
                     "(--save FILE.json)\n",
                  info->left_out, info->left_out == 1 ? "" : "s", max_shown);
  }
  if (o->markdown)
    bv_buf_puts(b, "```\n");
  if (b->failed)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
done:
  free(alias);
  free(last);
  free(active);
  free(shown);
  return rc;
}
