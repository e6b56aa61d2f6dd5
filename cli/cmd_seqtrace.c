/* cmd_seqtrace.c: beamviz seqtrace: a bounded message trace, written as a
 * Mermaid sequenceDiagram (or Markdown, JSON, an image). --eval/--elixir run
 * code in a fresh process under seq_trace; --attach traces running processes.
 * seqtrace_emit also serves `beamviz render` for saved traces. */
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

static const bv_format seq_formats[] = {BV_FMT_MERMAID, BV_FMT_MD,  BV_FMT_JSON, BV_FMT_PNG,
                                        BV_FMT_SVG,     BV_FMT_PDF, BV_FMT_NONE};

typedef struct seq_cfg {
  bv_seq_mmd_opts mmd;
  const char *path;
  bv_format fmt;
  const char *save;
} seq_cfg;

/* View and output options, checked before anything connects or is written. */
static int seq_config(const cli_ctx *ctx, seq_cfg *c)
{
  memset(c, 0, sizeof *c);
  unsigned long v;
  int rc;
  if ((rc = cli_uint(ctx, "max-shown", 1, 100000, 200, &v)))
    return rc;
  c->mmd.max_shown = (unsigned)v;
  if ((rc = cli_uint(ctx, "payload", 0, 10000, 0, &v)))
    return rc;
  c->mmd.payload = (unsigned)v;
  c->mmd.all = cli_flag(ctx, "all");
  if ((rc = cli_output(ctx, BV_FMT_MERMAID, seq_formats, &c->path, &c->fmt)))
    return rc;
  c->mmd.markdown = c->fmt == BV_FMT_MD;
  if ((rc = cli_save_path(ctx, c->path, &c->save)))
    return rc;
  return EXIT_OK;
}

static int write_json(bv_out *o, const void *p)
{
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_trace_json(&b, p);
  if (!rc)
    rc = bv_out_buf(o, &b);
  bv_buf_dispose(&b);
  return rc;
}

static int write_buf(bv_out *o, const void *p) { return bv_out_buf(o, p); }

static int emit(cli_ctx *ctx, bv_trace *t, const seq_cfg *c)
{
  int rc = 0;
  switch (c->fmt) {
  case BV_FMT_JSON: rc = cli_write(c->path, write_json, t); break;
  case BV_FMT_MERMAID:
  case BV_FMT_MD: {
    bv_buf b;
    bv_buf_init(&b);
    bv_seq_mmd_info info;
    rc = bv_trace_mermaid(&b, t, &c->mmd, &info);
    if (!rc)
      rc = cli_write(c->path, write_buf, &b);
    bv_buf_dispose(&b);
    if (!rc && info.left_out)
      cli_note("%zu of %zu messages drawn (--max-shown %u, Mermaid's 50,000-character "
               "limit); the JSON (--save) has them all",
               info.shown, info.shown + info.left_out, c->mmd.max_shown);
    break;
  }
  case BV_FMT_PNG:
  case BV_FMT_SVG:
  case BV_FMT_PDF:
    return cli_image_emit_of(ctx, BV_MODEL_TRACE, t, c->path, c->fmt);
  default:
    return cli_error(EXIT_USAGE, "'beamviz seqtrace' cannot write %s output",
                     bv_format_name(c->fmt));
  }
  return rc ? cli_fail(rc) : EXIT_OK;
}

int seqtrace_emit(cli_ctx *ctx, bv_trace *t)
{
  seq_cfg c;
  int rc = seq_config(ctx, &c);
  if (rc)
    return rc;
  return emit(ctx, t, &c);
}

static const char *const stop_words[][2] = {
    {"max_events", "--max-events reached"},
    {"duration", "--duration reached"},
    {"mailbox", "the relay's mailbox passed --max-queue (the traced processes send faster "
                "than the relay can forward)"},
};

int cmd_seqtrace(cli_ctx *ctx)
{
  seq_cfg c;
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
  if ((rc = seq_config(ctx, &c)) ||
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
  if (rc)
    return cli_fail(rc);
  for (size_t i = 0; i < sizeof stop_words / sizeof *stop_words; i++)
    if (t->stop_reason && strcmp(t->stop_reason, stop_words[i][0]) == 0)
      cli_note("tracing stopped: %s; %zu events kept%s", stop_words[i][1], t->n,
               t->dropped ? " (later ones dropped)" : "");
  if (t->result)
    cli_note("result: %s", t->result);
  bv_out *pending;
  if ((rc = cli_save_begin(c.save, write_json, t, &pending)) == EXIT_OK)
    rc = cli_save_end(pending, emit(ctx, t, &c));
  bv_trace_free(t);
  return rc;
}
