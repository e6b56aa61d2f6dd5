/* bench_draw.c: times the picture pipeline alone (layout + cairo PNG) on a
 * 100,000-point process scatter built in memory, so the figure does not
 * include reading the model file. Built and run by bench_images.sh:
 *   bench_draw N OUT.png */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
  const char *path = argc > 2 ? argv[2] : "/dev/null";
  static const char *const st[] = {"waiting", "waiting", "waiting", "waiting", "waiting",
                                   "running", "runnable", "garbage_collecting"};
  bv_snapshot s = {0};
  s.arena = bv_arena_new();
  s.node = "bench@127.0.0.1";
  s.otp_release = "25";
  s.n = s.total = n;
  s.procs = bv_arena_alloc(s.arena, n * sizeof *s.procs);
  unsigned seed = 1;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    s.procs[i].pid = "<0.1.0>";
    s.procs[i].reductions = i % 997 ? (uint64_t)pow(10, (seed >> 16) % 800 / 100.0) : 0;
    s.procs[i].memory = 2600 + (uint64_t)pow(10, 2 + (seed >> 4) % 500 / 100.0);
    s.procs[i].status = st[(seed >> 8) % 8];
  }
  double t0 = now();
  bv_measure m;
  if (bv_cairo_measure_open(NULL, &m))
    return fprintf(stderr, "%s\n", bv_error_last()), 1;
  bv_scene *sc;
  bv_emit_opts eo;
  bv_emit_opts_init(&eo);
  bv_model mo = {BV_MODEL_SNAPSHOT, {.snapshot = &s}};
  if (bv_layout_scatter_model(&mo, &eo, &m, &sc, NULL))
    return fprintf(stderr, "%s\n", bv_error_last()), 1;
  double t1 = now();
  bv_out *o;
  bv_render_opts ro = {0};
  if (bv_out_open(path, &o) || bv_render(sc, BV_FMT_PNG, &ro, o) || bv_out_commit(o))
    return fprintf(stderr, "%s\n", bv_error_last()), 1;
  double t2 = now();
  printf("%.3f %.3f\n", t1 - t0, t2 - t1);
  bv_scene_free(sc);
  bv_cairo_measure_close(&m);
  bv_arena_free(s.arena);
  return 0;
}
