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
  if (t->nnodes) {
    /* across nodes: every node asked, traced or failed with its reason */
    bv_wr_str(w, ",\"nodes\":[");
    for (size_t i = 0; i < t->nnodes; i++) {
      const bv_node_result *r = &t->nodes[i];
      bv_node_result_write(w, r, i);
      bv_wr_str(w, "}");
    }
    bv_wr_str(w, "]");
  }
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
    if (t->nnodes && p->node)
      bv_wr_kv(w, "node", p->node);
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
#define MAX_NODES 4096u

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
  bv_intern nodemap;
  memset(&nodemap, 0, sizeof nodemap);
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
      (rc = bv_jv_arr(d, evs, "events", MAX_EVENTS)) ||
      (rc = bv_node_results_read(d, root, a, MAX_NODES, "no node traced", &t->nodes,
                                 &t->nnodes, &nodemap)))
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
    /* across nodes: the node it runs on, one of those listed */
    if ((v = bv_jv_get(p, "node")) && !bv_jv_is_null(v)) {
      const char *nm = NULL;
      snprintf(path, sizeof path, "participants[%zu].node", i);
      if (!t->nnodes) {
        rc = bv_jv_fail(d, path, "a node on a single node's trace (no \"nodes\" list)");
        goto fail;
      }
      if ((rc = bv_jv_str(d, v, path, a, &nm)))
        goto fail;
      /* a node that was not traced keeps its processes (the trace reached
         them: a message to one, or a spawn there) */
      if (!bv_intern_get(&nodemap, nm, strlen(nm))) {
        rc = bv_jv_fail(d, path, "not one of the nodes listed");
        goto fail;
      }
      q->node = nm;
    }
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
  bv_intern_dispose(&nodemap);
  *out = t;
  return 0;
fail:
  bv_intern_dispose(&nodemap);
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

/* --- one node's part of a trace across nodes -------------------------------- */

static int runs_on(const bv_participant *p, const char *node)
{
  return p->node && strcmp(p->node, node) == 0;
}

int bv_trace_select_node(bv_trace *t, const char *node)
{
  if (!t->nnodes)
    return bv_error_set(BV_EINVAL, "this trace is of one node (%s), not of a cluster",
                        t->node ? t->node : "?");
  size_t r = t->nnodes;
  const bv_node_result *failed = NULL;
  for (size_t i = 0; i < t->nnodes && r == t->nnodes; i++)
    if (t->nodes[i].node && strcmp(t->nodes[i].node, node) == 0) {
      if (t->nodes[i].code == BV_OK)
        r = i;
      else
        failed = &t->nodes[i];
    }
  if (r == t->nnodes) {
    bv_buf b;
    bv_buf_init(&b);
    for (size_t i = 0; i < t->nnodes; i++)
      if (t->nodes[i].code == BV_OK && t->nodes[i].node)
        bv_buf_printf(&b, "%s%s", b.len ? ", " : "", t->nodes[i].node);
    int rc = failed ? bv_error_set(BV_ENOTFOUND,
                                   "node '%s' was not traced (%s); the trace has: %s", node,
                                   failed->reason ? failed->reason : "its relay did not start",
                                   b.data ? b.data : "none")
                    : bv_error_set(BV_ENOTFOUND, "node '%s' is not in this trace (it traced: %s)",
                                   node, b.data ? b.data : "none");
    bv_buf_dispose(&b);
    return rc;
  }
  const char *nn = t->nodes[r].node;
  unsigned char *keep = calloc(t->nparts + 1, 1);
  int32_t *pmap = malloc((t->nparts + 1) * sizeof *pmap);
  int32_t *emap = malloc((t->n + 1) * sizeof *emap);
  if (!keep || !pmap || !emap) {
    free(keep);
    free(pmap);
    free(emap);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  /* the node's own processes, and every process one of its messages names */
  for (size_t p = 0; p < t->nparts; p++)
    keep[p] = (unsigned char)runs_on(&t->parts[p], nn);
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    int sel = e->from < t->nparts && e->to < t->nparts &&
              (runs_on(&t->parts[e->from], nn) || runs_on(&t->parts[e->to], nn));
    emap[i] = sel ? 0 : -1;
    if (sel)
      keep[e->from] = keep[e->to] = 1;
  }
  size_t np = 0;
  for (size_t p = 0; p < t->nparts; p++) {
    pmap[p] = keep[p] ? (int32_t)np : -1;
    if (keep[p])
      t->parts[np++] = t->parts[p];
  }
  size_t ne = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (emap[i] < 0)
      continue;
    bv_event e = t->events[i];
    e.from = (uint32_t)pmap[e.from];
    e.to = (uint32_t)pmap[e.to];
    /* a reply whose request was not kept stands alone */
    e.reply_to = e.reply_to >= 0 && (size_t)e.reply_to < i ? emap[e.reply_to] : -1;
    emap[i] = (int32_t)ne;
    t->events[ne++] = e;
  }
  /* the nodes the kept processes run on (traced or not), in their order; node itself
     always (keep[] is reused: one mark per node, found by name) */
  bv_intern names;
  memset(&names, 0, sizeof names);
  int rc = 0;
  memset(keep, 0, t->nparts + 1);
  unsigned char *used = t->nnodes <= t->nparts ? keep : calloc(t->nnodes + 1, 1);
  for (size_t i = 0; i < t->nnodes && used && !rc; i++) {
    int fresh;
    const char *nm = t->nodes[i].node;
    bv_intern_slot *sl = nm ? bv_intern_put(&names, nm, strlen(nm), &fresh) : NULL;
    if (nm && !sl)
      rc = bv_error_set(BV_ENOMEM, "out of memory");
    else if (sl && fresh)
      sl->num = (int64_t)i;
  }
  if (!used)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  for (size_t p = 0; p < np && !rc; p++) {
    const char *pn = t->parts[p].node;
    const bv_intern_slot *sl = pn ? bv_intern_get(&names, pn, strlen(pn)) : NULL;
    if (sl)
      used[sl->num] = 1;
  }
  size_t nk = 0;
  for (size_t i = 0; i < t->nnodes && !rc; i++)
    if (i == r || used[i])
      t->nodes[nk++] = t->nodes[i];
  bv_intern_dispose(&names);
  if (used != keep)
    free(used);
  free(keep);
  free(pmap);
  free(emap);
  /* out of memory: the node's part with every node still listed */
  t->nparts = np;
  t->n = ne;
  if (rc)
    return rc;
  t->nnodes = nk;
  return 0;
}
