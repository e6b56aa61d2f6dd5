/* cmd_seqtrace.c: beamviz seqtrace: a bounded message trace, written as a
 * Mermaid sequenceDiagram (or Markdown, JSON, an image). --eval/--elixir run
 * code in a fresh process under seq_trace; --attach traces running processes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cmd_seqtrace_opts[] = {
    {"eval", "CODE", "Erlang expressions to run and trace (in a fresh process)"},
    {"elixir", "CODE", "Elixir code to run and trace (nodes that run Elixir)"},
    {"attach", "WHO[,WHO]", "trace running processes: registered names or pids; NAME@NODE or "
                            "{NAME, NODE} for a process of another node"},
    {"max-events", "N", "stop after N events (default 1000)"},
    {"duration", "MS", "stop after MS milliseconds; bounds the code too (default 5000)"},
    {"max-queue", "N", "stop if the relay's mailbox passes N messages (default 20000)"},
    {"max-text", "N", "characters of each message kept in the JSON (default 500)"},
    {"force", NULL, "take the seq_trace system tracer even if another tool holds it"},
    {"payload", "N", "add the first N characters of each message to its label"},
    {"max-shown", "N", "messages drawn in the diagram (default 200; the JSON keeps all)"},
    {"all", NULL, "keep system processes (code_server, logger, user, ...)"},
    {NULL, NULL, NULL}};

static const char *const stop_words[][2] = {
    {"max_events", "--max-events reached"},
    {"duration", "--duration reached"},
    {"mailbox", "the relay's mailbox passed --max-queue (the traced processes send faster "
                "than the relay can forward)"},
};

/* Trims blanks, then one pair of matching quotes (' or "), then an Elixir
 * atom's ':' (:name, :"a@h"), in place. */
static char *unquote(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = 0;
  if (*s == ':' && (s[1] == '"' || s[1] == '\''))
    s++, n--;
  if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
    s[n - 1] = 0;
    s++;
  }
  return s;
}

/* --attach items qualified with their node, on any node of the cluster:
 * NAME@NODE (NODE is NAME@HOST: the first '@' splits) or {NAME, NODE} in
 * Erlang or Elixir spelling ({seq_srv, 'a@h'}, {:seq_srv, :"a@h"}). Items are
 * split at commas outside braces. names gets the items without their node,
 * comma-joined; node the one node they name ("" if none names one). A
 * process of one node is traced there (across nodes only --eval/--elixir
 * traces). Prints the error and returns the exit code. */
static int attach_items(const char *at, const char *dflt, char *names, char *node, size_t cap)
{
  node[0] = 0;
  names[0] = 0;
  size_t len = strlen(at), plain = 0, nl = 0;
  char *copy = malloc(len + 1);
  if (!copy)
    return cli_error(EXIT_INTERNAL, "out of memory");
  memcpy(copy, at, len + 1);
  int rc = EXIT_OK, depth = 0;
  char *item = copy;
  for (char *p = copy;; p++) {
    if (*p == '{')
      depth++;
    else if (*p == '}' && depth)
      depth--;
    if (*p && !(*p == ',' && !depth))
      continue;
    int last = !*p;
    *p = 0;
    char *it = unquote(item), *nd = NULL;
    size_t n = strlen(it);
    if (n >= 2 && it[0] == '{' && it[n - 1] == '}') {
      it[n - 1] = 0;
      char *comma = strrchr(it + 1, ',');
      if (!comma) {
        rc = cli_error(EXIT_USAGE, "--attach: '%s}' is not {NAME, NODE}", it);
        break;
      }
      *comma = 0;
      nd = unquote(comma + 1);
      it = unquote(it + 1);
    } else {
      /* the first '@' outside quotes: 'my@name'@b@h keeps its name whole */
      char *a = it;
      for (char q = 0; *a && (q || *a != '@'); a++)
        q = q ? (*a == q ? 0 : q) : (*a == '\'' || *a == '"' ? *a : 0);
      if (*a && strchr(a + 1, '@')) {
        *a = 0;
        nd = unquote(a + 1);
        it = unquote(it);
      }
    }
    if (nd && !cli_node_name_ok(nd, strlen(nd))) {
      rc = cli_error(EXIT_USAGE, "--attach: '%s' is not a node name (NAME@HOST)", nd);
      break;
    }
    if (nd && node[0] && strcmp(nd, node) != 0) {
      rc = cli_error(EXIT_USAGE, "--attach: processes on two nodes (%s, %s): --attach traces "
                                 "the processes of one node (--eval/--elixir trace across "
                                 "nodes)", node, nd);
      break;
    }
    if (nd)
      snprintf(node, cap, "%s", nd);
    else if (*it)
      plain++;
    if (*it) { /* names has room for all of at */
      if (nl)
        names[nl++] = ',';
      size_t k = strlen(it);
      memcpy(names + nl, it, k + 1);
      nl += k;
    }
    if (last)
      break;
    item = p + 1;
  }
  if (!rc && plain && node[0] && dflt && strcmp(node, dflt) != 0)
    rc = cli_error(EXIT_USAGE, "--attach: processes on two nodes (%s, %s): --attach traces the "
                               "processes of one node (--eval/--elixir trace across nodes)",
                   dflt, node);
  free(copy);
  return rc;
}

/* --attach with --cluster/--nodes, or naming another node: the node whose
 * processes are traced must be one of the cluster's; it becomes --node. */
static int attach_route(cli_ctx *ctx, const char *target, char *keep, size_t cap)
{
  if (cli_multi(ctx)) {
    bv_cluster_opts co;
    int rc = cli_cluster_opts(ctx, &co);
    if (rc)
      return rc;
    const char *want = target[0] ? target : co.nodes[0];
    size_t i = 0;
    while (i < co.n && strcmp(co.nodes[i], want) != 0)
      i++;
    if (i == co.n) {
      rc = cli_error(cli_exit_code(BV_ENOTFOUND), "--attach: node %s is not one of the %zu "
                                                  "nodes of the cluster (first: %s)",
                     want, co.n, co.nodes[0]);
      cli_cluster_free(&co);
      return rc;
    }
    snprintf(keep, cap, "%s", want);
    cli_cluster_free(&co);
    ctx->node = keep;
  } else if (target[0]) {
    snprintf(keep, cap, "%s", target);
    ctx->node = keep;
  }
  return cli_connect(ctx);
}

int cmd_seqtrace(cli_ctx *ctx)
{
  const char *path, *save;
  bv_format fmt;
  bv_emit_opts eo;
  unsigned long max_events, duration, max_queue, max_text;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "seqtrace takes no arguments ('%s'); quote the code: --eval '...'",
                     ctx->pos[0]);
  const char *ev = cli_get(ctx, "eval"), *ex = cli_get(ctx, "elixir"),
             *at = cli_get(ctx, "attach");
  if ((ev != NULL) + (ex != NULL) + (at != NULL) != 1)
    return cli_error(EXIT_USAGE, "seqtrace needs exactly one of --eval CODE, --elixir CODE, "
                                 "--attach WHO[,WHO]");
  const char *code = ev ? ev : ex ? ex : at;
  if (!*code)
    return cli_error(EXIT_USAGE, "--%s: empty", ev ? "eval" : ex ? "elixir" : "attach");
  if ((rc = cli_format(ctx, BV_MODEL_TRACE, &path, &fmt)) ||
      (rc = cli_view_opts(ctx, BV_MODEL_TRACE, fmt, &eo)) ||
      (rc = cli_save_path(ctx, path, &save)) ||
      (rc = cli_uint(ctx, "max-events", 1, 10000000, 1000, &max_events)) ||
      (rc = cli_uint(ctx, "duration", 1, 3600000, 5000, &duration)) ||
      (rc = cli_uint(ctx, "max-queue", 100, 10000000, 20000, &max_queue)) ||
      (rc = cli_uint(ctx, "max-text", 10, 1000000, 500, &max_text)))
    return rc;
  if (at && cli_flag(ctx, "force"))
    return cli_error(EXIT_USAGE, "--force applies to --eval/--elixir (the seq_trace system "
                                 "tracer); --attach never takes over another tracer");
  char *names = NULL;
  char target[256], keep[256];
  if (at) {
    /* items without a node: the entry node (--node, else the first of --nodes) */
    char first[256];
    const char *dflt = ctx->node;
    if (ctx->nodes) {
      snprintf(first, sizeof first, "%.*s", (int)strcspn(ctx->nodes, ","), ctx->nodes);
      dflt = first;
    }
    if (!(names = malloc(strlen(at) + 1)))
      return cli_error(EXIT_INTERNAL, "out of memory");
    if ((rc = attach_items(at, dflt, names, target, sizeof target)) ||
        (rc = attach_route(ctx, target, keep, sizeof keep))) {
      free(names);
      return rc;
    }
    code = names;
  } else if (!cli_multi(ctx) && (rc = cli_connect(ctx))) {
    return rc;
  }
  bv_trace_opts o;
  memset(&o, 0, sizeof o);
  o.mode = ev ? "eval" : ex ? "elixir" : "attach";
  o.code = code;
  o.max_events = (unsigned)max_events;
  o.duration_ms = (unsigned)duration;
  o.max_queue = (unsigned)max_queue;
  o.max_text = (unsigned)max_text;
  o.force = cli_flag(ctx, "force");
  bv_trace *t;
  if (cli_multi(ctx) && !at) {
    /* across nodes: the entry node (--node with --cluster, else the first of
       --nodes) runs the code; every other node gets a follower relay */
    bv_cluster_opts co;
    if ((rc = cli_cluster_opts(ctx, &co)))
      return rc;
    rc = bv_trace_collect_cluster(&co, &o, &t);
    cli_cluster_free(&co);
  } else {
    rc = bv_trace_collect(ctx->conn, &o, &t);
  }
  /* node work is over: render offline */
  cli_disconnect(ctx);
  free(names);
  /* the code's own failure (not the connection's): about --eval/--elixir */
  int code_failed = rc == BV_EREMOTE && (strncmp(bv_error_last(), "the code ", 9) == 0 ||
                                         strncmp(bv_error_last(), "the process running", 19) == 0);
  if (rc == BV_EINVAL || rc == BV_ENOTFOUND || rc == BV_EREFUSED || code_failed) {
    /* the library names no option: say which one the message is about */
    const char *hint = "";
    if (rc == BV_EREFUSED && !at)
      hint = "; --force takes it over for the trace and gives it back";
    else if (rc == BV_ENOTFOUND && ex)
      hint = " (use --eval with Erlang code)";
    return cli_error(cli_exit_code(rc), "--%s: %s%s", o.mode, bv_error_last(), hint);
  }
  if (rc)
    return cli_fail(rc);
  for (size_t i = 0; i < sizeof stop_words / sizeof *stop_words; i++)
    if (t->stop_reason && strcmp(t->stop_reason, stop_words[i][0]) == 0)
      cli_note("tracing stopped: %s; %zu events kept%s", stop_words[i][1], t->n,
               t->dropped ? " (later ones dropped)" : "");
  if (t->result)
    cli_note("result: %s", t->result);
  /* across nodes: each node whose relay could not start or failed, one line */
  int partial = t->nnodes ? cli_cluster_report(t->nodes, t->nnodes) : EXIT_OK;
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_TRACE;
  m.u.trace = t;
  rc = cli_write_model(ctx, &m, path, save);
  if (rc == EXIT_OK && partial) {
    size_t ok = 0;
    for (size_t i = 0; i < t->nnodes; i++)
      ok += t->nodes[i].code == BV_OK;
    cli_note("partial: traced on %zu of %zu nodes", ok, t->nnodes);
    rc = partial;
  }
  bv_trace_free(t);
  return rc;
}
