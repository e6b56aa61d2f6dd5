/* cmd_memory.c: beamviz memory: sample erlang:memory() over time and write
 * the notebook's line chart (Vega-Lite), JSON, CSV or an image. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

const cli_opt cmd_memory_opts[] = {
    {"samples", "N", "number of measurements (default 10, at most 100000)"},
    {"interval", "MS", "milliseconds between measurements (default 500)"},
    {NULL, NULL, NULL}};

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
  unsigned long samples, interval;
  const char *path, *save;
  bv_format fmt;
  bv_emit_opts eo;
  int rc;
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "memory takes no arguments ('%s'); see beamviz memory --help",
                     ctx->pos[0]);
  if ((rc = cli_uint(ctx, "samples", 1, 100000, 10, &samples)) ||
      (rc = cli_uint(ctx, "interval", 1, 3600000, 500, &interval)) ||
      (rc = cli_format(ctx, BV_MODEL_MEMORY, &path, &fmt)) ||
      (rc = cli_view_opts(ctx, BV_MODEL_MEMORY, fmt, &eo)) ||
      (rc = cli_save_path(ctx, path, &save)))
    return rc;
  if ((rc = cli_connect(ctx)))
    return rc;
  bv_memseries *ms;
  int tty = isatty(STDERR_FILENO);
  rc = bv_memory_collect(ctx->conn, (unsigned)samples, (unsigned)interval, tty ? progress : NULL,
                         NULL, &ms);
  if (rc) {
    if (tty)
      fputs("\r\033[K", stderr);
    if (rc == BV_EINVAL)
      return cli_error(EXIT_USAGE, "--samples: %s", bv_error_last());
    return cli_fail(rc);
  }
  cli_disconnect(ctx);
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_MEMORY;
  m.u.memory = ms;
  bv_out *pending;
  if ((rc = cli_save_begin(save, cli_save_model, &m, &pending)) == EXIT_OK)
    rc = cli_save_end(pending, cli_emit(ctx, &m, path));
  bv_memseries_free(ms);
  return rc;
}
