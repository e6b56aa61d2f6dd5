/* cmd_seqtrace.c: beamviz seqtrace: a bounded message trace, written as a
 * Mermaid sequenceDiagram (or Markdown, JSON, an image). --eval/--elixir run
 * code in a fresh process under seq_trace; --attach traces running processes. */
#include "cli.h"

#include <string.h>

const cli_opt cmd_seqtrace_opts[] = {
    {"eval", "CODE", "Erlang expressions to run and trace (in a fresh process)"},
    {"elixir", "CODE", "Elixir code to run and trace (nodes that run Elixir)"},
    {"attach", "WHO[,WHO]", "trace running processes: registered names or pids"},
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
  if ((rc = cli_connect(ctx)))
    return rc;
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
  rc = bv_trace_collect(ctx->conn, &o, &t);
  /* node work is over: render offline */
  cli_disconnect(ctx);
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
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_TRACE;
  m.u.trace = t;
  bv_out *pending;
  if ((rc = cli_save_begin(save, cli_save_model, &m, &pending)) == EXIT_OK)
    rc = cli_save_end(pending, cli_emit(ctx, &m, path));
  bv_trace_free(t);
  return rc;
}
