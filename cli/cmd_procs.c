/* cmd_procs.c: beamviz procs: one snapshot of every process, written as a
 * Vega-Lite scatter (the notebook's reductions against memory), JSON, CSV or
 * an image. procs_emit also serves `beamviz render` for saved snapshots. */
#include "cli.h"

#include <string.h>

const cli_opt cmd_procs_opts[] = {
    {"top", "N", "keep the N processes with the largest --by value"},
    {"by", "FIELD", "reductions|memory|message_queue_len for --top (default reductions)"},
    {"x", "FIELD", "x axis: reductions|memory|message_queue_len (default reductions)"},
    {"y", "FIELD", "y axis: reductions|memory|message_queue_len (default memory)"},
    {"color", "FIELD", "status|name|current_function|initial_call (default status)"},
    {"workers", "N", "processes on the node sharing the collection (default 2 per scheduler)"},
    {"chunk", "N", "processes per streamed message (default 2000)"},
    {NULL, NULL, NULL}};

static const bv_format procs_formats[] = {BV_FMT_VEGALITE, BV_FMT_JSON, BV_FMT_CSV, BV_FMT_PNG,
                                          BV_FMT_SVG,      BV_FMT_PDF,  BV_FMT_NONE};

typedef struct procs_cfg {
  unsigned long top; /* 0 = all */
  bv_proc_field by;
  bv_procs_chart chart;
  const char *path;
  bv_format fmt;
  const char *save;
} procs_cfg;

static int field_opt(const cli_ctx *ctx, const char *opt, int numeric, bv_proc_field dflt,
                     bv_proc_field *out)
{
  const char *v = cli_get(ctx, opt);
  *out = dflt;
  if (!v)
    return EXIT_OK;
  bv_proc_field f = bv_proc_field_from_name(v);
  int ok = numeric ? bv_proc_field_numeric(f)
                   : (f == BV_PF_STATUS || f == BV_PF_NAME || f == BV_PF_CURRENT_FUNCTION ||
                      f == BV_PF_INITIAL_CALL);
  if (!ok)
    return cli_error(EXIT_USAGE, "--%s: '%s' is not one of %s", opt, v,
                     numeric ? "reductions|memory|message_queue_len"
                             : "status|name|current_function|initial_call");
  *out = f;
  return EXIT_OK;
}

/* Every option is checked here, before anything connects or is written. */
static int procs_config(const cli_ctx *ctx, procs_cfg *c)
{
  memset(c, 0, sizeof *c);
  int rc;
  if ((rc = cli_uint(ctx, "top", 1, 100000000, 0, &c->top)) ||
      (rc = field_opt(ctx, "by", 1, BV_PF_REDUCTIONS, &c->by)) ||
      (rc = field_opt(ctx, "x", 1, BV_PF_REDUCTIONS, &c->chart.x)) ||
      (rc = field_opt(ctx, "y", 1, BV_PF_MEMORY, &c->chart.y)) ||
      (rc = field_opt(ctx, "color", 0, BV_PF_STATUS, &c->chart.color)))
    return rc;
  if (cli_get(ctx, "by") && !cli_get(ctx, "top"))
    return cli_error(EXIT_USAGE, "--by: needs --top N (keep the N largest by FIELD)");
  if (c->chart.x == c->chart.y)
    return cli_error(EXIT_USAGE, "--x and --y: both are '%s'; pick two different fields",
                     bv_proc_field_name(c->chart.x));
  if ((rc = cli_output(ctx, BV_FMT_VEGALITE, procs_formats, &c->path, &c->fmt)))
    return rc;
  if ((rc = cli_save_path(ctx, c->path, &c->save)))
    return rc;
  return EXIT_OK;
}

static int write_json(bv_out *o, const void *s) { return bv_snapshot_write_json(s, o); }
static int write_csv(bv_out *o, const void *s) { return bv_snapshot_write_csv(s, o); }

typedef struct vl_arg {
  const bv_snapshot *s;
  const bv_procs_chart *chart;
} vl_arg;

static int write_vl(bv_out *o, const void *p)
{
  const vl_arg *a = p;
  return bv_snapshot_write_vegalite(a->s, a->chart, o);
}

static int emit(cli_ctx *ctx, bv_snapshot *s, const procs_cfg *c)
{
  int rc = 0;
  if (c->top && (rc = bv_snapshot_top(s, c->top, c->by)))
    return cli_fail(rc);
  switch (c->fmt) {
  case BV_FMT_JSON: rc = cli_write(c->path, write_json, s); break;
  case BV_FMT_CSV: rc = cli_write(c->path, write_csv, s); break;
  case BV_FMT_VEGALITE: {
    vl_arg a = {s, &c->chart};
    rc = cli_write(c->path, write_vl, &a);
    break;
  }
  case BV_FMT_PNG:
  case BV_FMT_SVG:
  case BV_FMT_PDF:
    return cli_image_emit_of(ctx, BV_MODEL_SNAPSHOT, s, c->path, c->fmt);
  default:
    return cli_error(EXIT_USAGE, "'beamviz procs' cannot write %s output", bv_format_name(c->fmt));
  }
  return rc ? cli_fail(rc) : EXIT_OK;
}

int procs_emit(cli_ctx *ctx, bv_snapshot *s)
{
  procs_cfg c;
  int rc = procs_config(ctx, &c);
  if (rc)
    return rc;
  return emit(ctx, s, &c);
}

static int stream_rows(void *ud, const bv_snapshot *s, const bv_proc *rows, size_t n)
{
  return bv_procs_vl_rows(ud, s, rows, n);
}

int cmd_procs(cli_ctx *ctx)
{
  procs_cfg c;
  unsigned long workers, chunk;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "procs takes no arguments ('%s'); see beamviz procs --help",
                     ctx->pos[0]);
  if ((rc = procs_config(ctx, &c)) || (rc = cli_uint(ctx, "workers", 1, 1024, 0, &workers)) ||
      (rc = cli_uint(ctx, "chunk", 100, 100000, 2000, &chunk)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_procs_opts o = {ctx->timeout_ms, (unsigned)workers, (unsigned)chunk, NULL, NULL, 0};
  /* only JSON, CSV, the --save model and a chart coloured by it show the
   * initial call; reading it costs proc_lib processes a second signal */
  o.skip_initial_call = (c.fmt == BV_FMT_VEGALITE || c.fmt == BV_FMT_PNG || c.fmt == BV_FMT_SVG ||
                         c.fmt == BV_FMT_PDF) &&
                        !c.save && c.chart.color != BV_PF_INITIAL_CALL;
  /* The Vega-Lite spec of every process is written to its file while the
   * node still works (--top must see every row first): its data come first
   * and reach the file in snapshot order, so it is the same file as a later
   * render. Not to stdout: a failure must not leave half a spec in a pipe. */
  bv_out *out = NULL;
  bv_procs_vl *st = NULL;
  if (c.fmt == BV_FMT_VEGALITE && !c.top && strcmp(c.path, "-") != 0) {
    if ((rc = bv_out_open(c.path, &out)))
      return cli_fail(rc);
    if ((rc = bv_procs_vl_begin(&c.chart, out, &st))) {
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
    return cli_fail(rc);
  }
  /* node work is over: rendering a big snapshot must not hold the connection
   * idle past the node's tick time */
  cli_disconnect(ctx);
  if (out && (rc = bv_procs_vl_end(st, s))) {
    bv_out_abort(out);
    bv_snapshot_free(s);
    return cli_fail(rc);
  }
  bv_out *pending;
  if ((rc = cli_save_begin(c.save, write_json, s, &pending)) == EXIT_OK) {
    int ec = EXIT_OK;
    if (!out)
      ec = emit(ctx, s, &c);
    else if ((rc = bv_out_commit(out)))
      ec = cli_fail(rc);
    out = NULL;
    rc = cli_save_end(pending, ec);
  }
  if (out)
    bv_out_abort(out);
  bv_snapshot_free(s);
  return rc;
}
