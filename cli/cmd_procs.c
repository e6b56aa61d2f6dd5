/* cmd_procs.c: beamviz procs: one snapshot of every process, written as a
 * Vega-Lite scatter (the notebook's reductions against memory) or, with --top
 * or --chart bar, a bar chart of the largest, JSON, CSV or an image (the
 * scatter's Vega-Lite file streamed while the rows arrive). */
#include "cli.h"

#include <string.h>

const cli_opt cmd_procs_opts[] = {
    {"window", "MS", "busy now: two passes MS ms apart (1..600000) give reductions_per_sec, "
                     "memory_change, message_queue_len_change, window (both|born|gone); "
                     "--timeout is added to MS"},
    {"top", "N", "keep the N processes with the largest --by value (text: default 20)"},
    {"by", "FIELD", "reductions|memory|message_queue_len, with --window also reductions_per_sec|"
                    "memory_change|message_queue_len_change, for --top and text (default "
                    "reductions; with --window reductions_per_sec)"},
    {"chart", "KIND", "bar|scatter: labelled bars of the largest by --by (100 at most), or "
                      "every process x against y (default bar with --top)"},
    {"x", "FIELD", "x axis: reductions|memory|message_queue_len|reductions_per_sec (default "
                   "reductions; with --window reductions_per_sec)"},
    {"y", "FIELD", "y axis: reductions|memory|message_queue_len|reductions_per_sec (default memory)"},
    {"color", "FIELD", "status|name|label|current_function|initial_call|window|node (default "
                       "status; node with --cluster or --nodes)"},
    {"workers", "N", "processes on the node sharing the collection (default 2 per scheduler)"},
    {"chunk", "N", "processes per streamed message (default 2000; 500 with --cluster or --nodes: "
                   "each of the --parallel connections decodes one at a time)"},
    {NULL, NULL, NULL}};

int cli_procs_top(const cli_ctx *ctx, bv_snapshot *s)
{
  const char *by = cli_get(ctx, "by");
  unsigned long top;
  const char *path;
  bv_format fmt;
  /* a text table shows the top 20 unless told otherwise */
  int rc = cli_format(ctx, BV_MODEL_SNAPSHOT, &path, &fmt);
  if (rc || (rc = cli_uint(ctx, "top", 1, 100000000, fmt == BV_FMT_TEXT ? 20 : 0, &top)) ||
      !top)
    return rc;
  /* over a window: the busiest now */
  if ((rc = bv_snapshot_top(s, top, bv_snapshot_rank_field(s, by))))
    return cli_error(cli_exit_code(rc), "--by: %s", bv_error_last());
  return EXIT_OK;
}

static int stream_rows(void *ud, const bv_snapshot *s, const bv_proc *rows, size_t n)
{
  return bv_procs_vl_rows(ud, s, rows, n);
}

/* --cluster / --nodes: every node at once into one snapshot; the nodes that
 * failed are named, one line each, and the others written (EXIT_PARTIAL). */
static int procs_cluster(cli_ctx *ctx, const bv_procs_opts *o, const char *path,
                         const char *save)
{
  bv_cluster_opts co;
  int rc = cli_cluster_opts(ctx, &co);
  if (rc)
    return rc;
  /* more nodes than connections at once: the windows are taken in waves */
  unsigned par = co.parallel ? co.parallel : 8;
  if (o->window_ms && co.n > par)
    cli_note("--window: %zu nodes, %u at once (--parallel): later nodes' windows start when "
             "earlier ones end, so they cover different periods (--parallel %zu takes them "
             "together)",
             co.n, par, co.n > 256 ? (size_t)256 : co.n);
  bv_snapshot *s;
  rc = bv_procs_collect_cluster(&co, o, &s);
  cli_cluster_free(&co);
  if (rc)
    return cli_fail(rc);
  size_t ok = 0;
  const bv_node_result *first = NULL;
  for (size_t i = 0; i < s->nnodes; i++) {
    ok += s->nodes[i].code == BV_OK;
    if (!first && s->nodes[i].code != BV_OK)
      first = &s->nodes[i];
  }
  int partial = cli_cluster_report(s->nodes, s->nnodes);
  if (!ok) { /* nothing to write: the first node's failure is the exit code */
    rc = cli_error(cli_exit_code(first->code), "no node could be collected");
    bv_snapshot_free(s);
    return rc;
  }
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_SNAPSHOT;
  m.u.snapshot = s;
  bv_out *pending;
  if ((rc = cli_save_begin(save, cli_save_model, &m, &pending)) == EXIT_OK) {
    int ec = cli_procs_top(ctx, s);
    if (ec == EXIT_OK)
      ec = cli_emit(ctx, &m, path);
    rc = cli_save_end(pending, ec);
  }
  size_t asked = s->nnodes;
  bv_snapshot_free(s);
  if (rc == EXIT_OK && partial) {
    cli_note("partial: %zu of %zu nodes collected and written", ok, asked);
    rc = partial;
  }
  return rc;
}

int cmd_procs(cli_ctx *ctx)
{
  unsigned long workers, chunk, window;
  const char *path, *save;
  bv_format fmt;
  bv_emit_opts eo;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "procs takes no arguments ('%s'); see beamviz procs --help",
                     ctx->pos[0]);
  if ((rc = cli_format(ctx, BV_MODEL_SNAPSHOT, &path, &fmt)) ||
      (rc = cli_view_opts(ctx, BV_MODEL_SNAPSHOT, fmt, &eo)) ||
      (rc = cli_save_path(ctx, path, &save)) ||
      (rc = cli_uint(ctx, "workers", 1, 1024, 0, &workers)) ||
      (rc = cli_uint(ctx, "chunk", 100, 100000, cli_multi(ctx) ? 500 : 2000, &chunk)) ||
      (rc = cli_uint(ctx, "window", 1, 600000, 0, &window)))
    return rc;
  /* --y alone against x's default, which depends on the window */
  const char *dx = window ? "reductions_per_sec" : "reductions", *yv = cli_get(ctx, "y");
  if (!cli_get(ctx, "x") && yv && strcmp(yv, dx) == 0 && eo.chart != BV_CHART_BAR)
    return cli_error(EXIT_USAGE, "--x and --y: both are '%s'; pick two different fields", dx);
  /* the window's fields exist only with a window */
  static const char *const wopts[] = {"x", "y", "by", "color"};
  for (size_t i = 0; i < sizeof wopts / sizeof *wopts && !window; i++) {
    const char *v = cli_get(ctx, wopts[i]);
    if (v && bv_proc_field_window(bv_proc_field_from_name(v)))
      return cli_error(EXIT_USAGE, "--%s: '%s' needs --window MS (two passes MS ms apart)",
                       wopts[i], v);
  }
  /* a node per row only over several nodes */
  if (cli_get(ctx, "color") && strcmp(cli_get(ctx, "color"), "node") == 0 && !ctx->cluster &&
      !ctx->nodes)
    return cli_error(EXIT_USAGE, "--color: 'node' needs --cluster or --nodes");
  int top = cli_get(ctx, "top") != NULL;
  bv_procs_opts o = {ctx->timeout_ms, (unsigned)workers, (unsigned)chunk, NULL, NULL, 0,
                     (unsigned)window, 0};
  /* JSON, CSV, the --save model and a chart coloured by name (the identity
   * rule), label or initial call need the initial call and label; a chart
   * otherwise reads them only where that is cheap (OTP 26.2+): before that
   * it costs proc_lib and task processes a second signal */
  o.skip_initial_call = (fmt == BV_FMT_VEGALITE || fmt == BV_FMT_PNG || fmt == BV_FMT_SVG ||
                         fmt == BV_FMT_PDF) &&
                        !save && eo.chart != BV_CHART_BAR && /* bars name their processes */
                        !(eo.color && (strcmp(eo.color, "initial_call") == 0 ||
                                                strcmp(eo.color, "name") == 0 ||
                                                strcmp(eo.color, "label") == 0));
  if (cli_multi(ctx))
    return procs_cluster(ctx, &o, path, save);
  if ((rc = cli_connect(ctx)))
    return rc;
  /* The one exception to cli_emit, for speed: the Vega-Lite spec of every
   * process is written to its file while the node still works (--top must
   * see every row first): its data come first and reach the file in snapshot
   * order, so it is the same file as a later render. Not to stdout: a failure
   * must not leave half a spec in a pipe. Not over a window either: its
   * defaults and tooltip depend on the finished snapshot. */
  bv_out *out = NULL;
  bv_procs_vl *st = NULL;
  if (fmt == BV_FMT_VEGALITE && !top && !window && eo.chart != BV_CHART_BAR &&
      strcmp(path, "-") != 0) {
    if ((rc = bv_out_open(path, &out)))
      return cli_fail(rc);
    if ((rc = bv_procs_vl_open(&eo, out, &st))) {
      bv_out_abort(out);
      return cli_fail(rc);
    }
    o.on_rows = stream_rows;
    o.ud = st;
  }
  bv_snapshot *s;
  if ((rc = bv_procs_collect(ctx->conn, &o, &s))) {
    if (out) {
      bv_procs_vl_abort(st);
      bv_out_abort(out);
    }
    if (rc == BV_ETIMEOUT)
      return cli_error(EXIT_TIMEOUT, "%s (give a larger --timeout)", bv_error_last());
    return cli_fail(rc);
  }
  /* node work is over: rendering a big snapshot must not hold the connection
   * idle past the node's tick time */
  cli_disconnect(ctx);
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  if (out && (rc = bv_procs_vl_close(st, s, &info))) {
    bv_out_abort(out);
    bv_snapshot_free(s);
    return cli_fail(rc);
  }
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_SNAPSHOT;
  m.u.snapshot = s;
  bv_out *pending;
  if ((rc = cli_save_begin(save, cli_save_model, &m, &pending)) == EXIT_OK) {
    int ec = EXIT_OK;
    if (!out) {
      ec = cli_procs_top(ctx, s);
      if (ec == EXIT_OK)
        ec = cli_emit(ctx, &m, path);
    } else if ((rc = bv_out_commit(out))) {
      ec = cli_fail(rc);
    } else {
      cli_emit_notes(path, &m, fmt, &eo, &info); /* as cli_emit tells them */
    }
    out = NULL;
    rc = cli_save_end(pending, ec);
  }
  if (out)
    bv_out_abort(out);
  bv_snapshot_free(s);
  return rc;
}
