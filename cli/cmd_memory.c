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

/* One progress line for a whole cluster: samples received over every node. */
static void progress_cluster(void *ud, size_t i, size_t n, const bv_memsample *last)
{
  size_t nodes = *(size_t *)ud;
  (void)last;
  fprintf(stderr, "\rbeamviz: %zu node%s, samples %zu/%zu", nodes, nodes == 1 ? "" : "s", i, n);
  if (i == n)
    fputs("\r\033[K", stderr);
  fflush(stderr);
}

/* --cluster / --nodes: every node sampled at once into one series; the nodes
 * that failed are named, one line each, and the others written (EXIT_PARTIAL). */
static int memory_cluster(cli_ctx *ctx, unsigned samples, unsigned interval, const char *path,
                          const char *save)
{
  bv_cluster_opts co;
  int rc = cli_cluster_opts(ctx, &co);
  if (rc)
    return rc;
  bv_memseries *ms;
  int tty = isatty(STDERR_FILENO);
  size_t nodes = co.n;
  rc = bv_memory_collect_cluster(&co, samples, interval, tty ? progress_cluster : NULL, &nodes,
                                 &ms);
  cli_cluster_free(&co);
  if (tty)
    fputs("\r\033[K", stderr);
  if (rc)
    return cli_fail(rc);
  size_t ok = 0;
  const bv_node_result *first = NULL;
  for (size_t i = 0; i < ms->nnodes; i++) {
    ok += ms->nodes[i].code == BV_OK;
    if (!first && ms->nodes[i].code != BV_OK)
      first = &ms->nodes[i];
  }
  int partial = cli_cluster_report(ms->nodes, ms->nnodes);
  if (!ok) { /* nothing to write: the first node's failure is the exit code */
    rc = cli_error(cli_exit_code(first->code), "no node could be sampled");
    bv_memseries_free(ms);
    return rc;
  }
  size_t asked = ms->nnodes;
  bv_model m;
  memset(&m, 0, sizeof m);
  m.kind = BV_MODEL_MEMORY;
  m.u.memory = ms;
  rc = cli_write_model(ctx, &m, path, save);
  bv_memseries_free(ms);
  if (rc == EXIT_OK && partial) {
    cli_note("partial: %zu of %zu nodes sampled and written", ok, asked);
    rc = partial;
  }
  return rc;
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
  if (cli_multi(ctx))
    return memory_cluster(ctx, (unsigned)samples, (unsigned)interval, path, save);
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
  rc = cli_write_model(ctx, &m, path, save);
  bv_memseries_free(ms);
  return rc;
}
