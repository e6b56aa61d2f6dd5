/* cmd_memory.c: beamviz memory: sample erlang:memory() over time and write
 * the notebook's line chart (Vega-Lite), JSON, CSV or an image.
 * memory_emit also serves `beamviz render` for saved series. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

const cli_opt cmd_memory_opts[] = {
    {"samples", "N", "number of measurements (default 10, at most 100000)"},
    {"interval", "MS", "milliseconds between measurements (default 500)"},
    {NULL, NULL, NULL}};

static const bv_format memory_formats[] = {BV_FMT_VEGALITE, BV_FMT_JSON, BV_FMT_CSV, BV_FMT_PNG,
                                           BV_FMT_SVG,      BV_FMT_PDF,  BV_FMT_NONE};

typedef struct memory_cfg {
  const char *path;
  bv_format fmt;
  const char *save;
} memory_cfg;

static int memory_config(const cli_ctx *ctx, memory_cfg *c)
{
  memset(c, 0, sizeof *c);
  int rc = cli_output(ctx, BV_FMT_VEGALITE, memory_formats, &c->path, &c->fmt);
  if (rc)
    return rc;
  if ((rc = cli_save_path(ctx, c->path, &c->save)))
    return rc;
  return EXIT_OK;
}

static int write_json(bv_out *o, const void *m) { return bv_memseries_write_json(m, o); }
static int write_csv(bv_out *o, const void *m) { return bv_memseries_write_csv(m, o); }
static int write_vl(bv_out *o, const void *m) { return bv_memseries_write_vegalite(m, o); }

static int emit(cli_ctx *ctx, bv_memseries *m, const memory_cfg *c)
{
  int rc;
  switch (c->fmt) {
  case BV_FMT_JSON: rc = cli_write(c->path, write_json, m); break;
  case BV_FMT_CSV: rc = cli_write(c->path, write_csv, m); break;
  case BV_FMT_VEGALITE: rc = cli_write(c->path, write_vl, m); break;
  case BV_FMT_PNG:
  case BV_FMT_SVG:
  case BV_FMT_PDF:
    return cli_image_emit_of(ctx, BV_MODEL_MEMORY, m, c->path, c->fmt);
  default:
    return cli_error(EXIT_USAGE, "'beamviz memory' cannot write %s output", bv_format_name(c->fmt));
  }
  return rc ? cli_fail(rc) : EXIT_OK;
}

int memory_emit(cli_ctx *ctx, bv_memseries *m)
{
  memory_cfg c;
  int rc = memory_config(ctx, &c);
  return rc ? rc : emit(ctx, m, &c);
}

/* Progress on stderr, only for a person watching a terminal. */
static void progress(void *ud, size_t i, size_t n, const bv_memsample *last)
{
  (void)ud;
  fprintf(stderr, "\rbeamviz: sample %zu/%zu, total %.1f MB", i, n, (double)last->bytes[0] / 1e6);
  if (i == n)
    fputs("\r\033[K", stderr);
  fflush(stderr);
}

int cmd_memory(cli_ctx *ctx)
{
  memory_cfg c;
  unsigned long samples, interval;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "memory takes no arguments ('%s'); see beamviz memory --help",
                     ctx->pos[0]);
  if ((rc = cli_uint(ctx, "samples", 1, 100000, 10, &samples)) ||
      (rc = cli_uint(ctx, "interval", 1, 3600000, 500, &interval)) || (rc = memory_config(ctx, &c)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_memseries *m;
  int tty = isatty(STDERR_FILENO);
  rc = bv_memory_collect(ctx->conn, (unsigned)samples, (unsigned)interval, tty ? progress : NULL,
                         NULL, &m);
  if (rc) {
    if (tty)
      fputs("\r\033[K", stderr);
    return cli_fail(rc);
  }
  cli_disconnect(ctx);
  bv_out *pending;
  if ((rc = cli_save_begin(c.save, write_json, m, &pending)) == EXIT_OK)
    rc = cli_save_end(pending, emit(ctx, m, &c));
  bv_memseries_free(m);
  return rc;
}
