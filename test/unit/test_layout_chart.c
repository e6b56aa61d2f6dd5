/* test_layout_chart.c: the process scatter and the memory chart: Vega-Lite's
 * look (ticks, labels with thousands separators, legend, hollow points),
 * zero values as squares at 1, everything inside the plot, golden dumps. */
#include "layout_util.h"

static bv_snapshot *mk_snapshot(size_t n, int with_zero)
{
  bv_snapshot *s = calloc(1, sizeof *s);
  s->arena = bv_arena_new();
  s->node = "demo@127.0.0.1";
  s->otp_release = "25";
  s->n = s->total = n;
  s->procs = bv_arena_alloc(s->arena, (n ? n : 1) * sizeof *s->procs);
  static const char *const st[] = {"waiting", "running", "runnable", "garbage_collecting"};
  unsigned seed = 7;
  char pid[32];
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    bv_proc *p = &s->procs[i];
    snprintf(pid, sizeof pid, "<0.%zu.0>", i);
    p->pid = bv_arena_strdup(s->arena, pid);
    p->reductions = (uint64_t)pow(10, 1 + (seed >> 16) % 700 / 100.0);
    p->memory = 2600 + (uint64_t)pow(10, 2 + (seed >> 8) % 400 / 100.0);
    p->status = st[(seed >> 4) % (i < 4 ? 1 : 4)];
    p->name = i % 3 ? NULL : "a_name";
  }
  if (with_zero && n > 1)
    s->procs[1].reductions = 0;
  return s;
}

static int inside_a_view(const bv_scene *s, double x, double y)
{
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *v = &s->items[i];
    if (v->cls && strcmp(v->cls, "view") == 0 && x >= v->x - EPS && x <= v->x + v->w + EPS &&
        y >= v->y - EPS && y <= v->y + v->h + EPS)
      return 1;
  }
  return 0;
}

static void check_chart(const bv_scene *s, const char *what)
{
  CHECK_INT(lu_overlaps(s, BV_SI_TEXT, NULL, 1), 0);
  CHECK_INT(lu_outside(s), 0);
  /* every mark inside a plot frame (the memory chart may have two panels) */
  const bv_sitem *view = NULL;
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].cls && strcmp(s->items[i].cls, "view") == 0)
      view = &s->items[i];
  CHECK(view != NULL);
  if (!view)
    return;
  int out = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (!it->cls || (strcmp(it->cls, "point") && strcmp(it->cls, "zero")))
      continue;
    double x = it->kind == BV_SI_RECT ? it->x + it->w / 2 : it->x;
    double y = it->kind == BV_SI_RECT ? it->y + it->h / 2 : it->y;
    if (!inside_a_view(s, x, y))
      out++;
  }
  if (out)
    fprintf(stderr, "%s: %d marks outside the plot\n", what, out);
  CHECK_INT(out, 0);
}

static int has_text(const bv_scene *s, const char *cls, const char *text)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].kind == BV_SI_TEXT && strcmp(s->items[i].cls, cls) == 0 &&
        strcmp(s->items[i].text, text) == 0)
      return 1;
  return 0;
}

static size_t count_cls(const bv_scene *s, const char *cls)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++)
    n += s->items[i].cls && strcmp(s->items[i].cls, cls) == 0;
  return n;
}

/* The chart layouts on a model holding sn or ms, with o (NULL = the
 * defaults of bv_emit_opts_init). */
static int lay_scatter(const bv_snapshot *sn, const bv_emit_opts *o, const bv_measure *m,
                       bv_scene **s)
{
  bv_emit_opts dflt;
  bv_emit_opts_init(&dflt);
  bv_model mo = {BV_MODEL_SNAPSHOT, {.snapshot = (bv_snapshot *)sn}};
  return bv_layout_scatter_model(&mo, o ? o : &dflt, m, s, NULL);
}

static int lay_memory(const bv_memseries *ms, const bv_emit_opts *o, const bv_measure *m,
                      bv_scene **s)
{
  bv_emit_opts dflt;
  bv_emit_opts_init(&dflt);
  bv_model mo = {BV_MODEL_MEMORY, {.memory = (bv_memseries *)ms}};
  return bv_layout_memory_model(&mo, o ? o : &dflt, m, s, NULL);
}

static void test_scatter(const bv_measure *fake, const bv_measure *real)
{
  bv_snapshot *sn = mk_snapshot(12, 1);
  bv_scene *s = NULL;
  CHECK_INT(lay_scatter(sn, NULL, fake, &s), 0);
  if (s) {
    check_chart(s, "scatter");
    CHECK(lu_golden(s, "scatter_small.txt"));
    /* log ticks at 1, 2, 5 with thousands separators; legend titled by field */
    CHECK(has_text(s, "ylabel", "10,000"));
    CHECK(has_text(s, "xlabel", "1"));
    CHECK(has_text(s, "legend-title", "status"));
    CHECK(has_text(s, "legend-label", "waiting"));
    CHECK(has_text(s, "legend-title", "value"));
    CHECK(has_text(s, "xtitle", "reductions (log)"));
    CHECK_INT(count_cls(s, "zero"), 1);
    CHECK_INT(count_cls(s, "point"), 11);
    /* hollow circles with a stroke of 2 */
    for (size_t i = 0; i < s->n; i++)
      if (s->items[i].kind == BV_SI_CIRCLE && !strcmp(s->items[i].cls, "point")) {
        CHECK(!(s->items[i].fill >> 24));
        CHECK(s->items[i].line_width == 2);
        break;
      }
    bv_scene_free(s);
  }
  /* --x/--y/--color and an image size */
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.x = "memory";
  o.y = "message_queue_len";
  o.color = "name";
  o.width = 800;
  o.height = 300;
  CHECK_INT(lay_scatter(sn, &o, real, &s), 0);
  if (s) {
    check_chart(s, "scatter options");
    CHECK(s->width == 800 && s->height == 300);
    /* named by the identity rule: never null */
    CHECK(!has_text(s, "legend-label", "null"));
    CHECK(has_text(s, "legend-title", "name"));
    CHECK(lu_render_all(s, "scatter_opts"));
    bv_scene_free(s);
  }
  o.x = "status";
  CHECK_INT(lay_scatter(sn, &o, real, &s), BV_EINVAL);
  CHECK_STR(bv_error_last(), "x field 'status' is not one of reductions|memory|message_queue_len|reductions_per_sec");
  o.x = NULL;
  o.color = "reductions";
  CHECK_INT(lay_scatter(sn, &o, real, &s), BV_EINVAL);
  CHECK_STR(bv_error_last(),
            "color field 'reductions' is not one of status|name|label|current_function|initial_call|window|node");
  /* o NULL: the same scene (the golden), the zero count told */
  {
    bv_model mo = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
    bv_emit_info info;
    memset(&info, 0, sizeof info);
    CHECK_INT(bv_layout_scatter_model(&mo, NULL, fake, &s, &info), 0);
    if (s) {
      CHECK(lu_golden(s, "scatter_small.txt"));
      CHECK_INT(info.zeros, 1);
      CHECK(info.width == s->width && info.height == s->height);
      bv_scene_free(s);
    }
  }
  bv_snapshot_free(sn);

  /* a legend taller than the plot (29 values and the zero marks): the image
   * grows to hold it, nothing is cut off at the bottom */
  sn = mk_snapshot(29, 1);
  for (size_t i = 0; i < sn->n; i++)
    sn->procs[i].name = bv_arena_printf(sn->arena, "name_%02zu", i);
  bv_emit_opts tall;
  bv_emit_opts_init(&tall);
  tall.color = "name";
  CHECK_INT(lay_scatter(sn, &tall, real, &s), 0);
  if (s) {
    check_chart(s, "tall legend");
    CHECK(has_text(s, "legend-label", "name_28"));
    bv_scene_free(s);
  }
  bv_snapshot_free(sn);
  /* past 30 values: 30 entries, then "... and N more" (the Vega-Lite spec
   * lists the same 30) */
  sn = mk_snapshot(45, 0);
  for (size_t i = 0; i < sn->n; i++)
    sn->procs[i].name = bv_arena_printf(sn->arena, "name_%02zu", i);
  CHECK_INT(lay_scatter(sn, &tall, real, &s), 0);
  if (s) {
    check_chart(s, "long legend");
    CHECK(has_text(s, "legend-label", "name_29"));
    CHECK(!has_text(s, "legend-label", "name_30"));
    CHECK(has_text(s, "legend-label", "\xE2\x80\xA6 and 15 more"));
    bv_scene_free(s);
  }
  bv_snapshot_free(sn);

  /* many points and a dark theme */
  sn = mk_snapshot(20000, 0);
  bv_emit_opts d;
  bv_emit_opts_init(&d);
  d.dark = 1;
  CHECK_INT(lay_scatter(sn, &d, real, &s), 0);
  if (s) {
    check_chart(s, "scatter 20000");
    CHECK(lu_render_all(s, "scatter_dark"));
    bv_scene_free(s);
  }
  bv_snapshot_free(sn);
  /* empty snapshot still draws axes */
  sn = mk_snapshot(0, 0);
  CHECK_INT(lay_scatter(sn, NULL, real, &s), 0);
  if (s) {
    check_chart(s, "empty");
    bv_scene_free(s);
  }
  bv_snapshot_free(sn);
}

static bv_memseries *mk_memory(size_t n)
{
  bv_memseries *m = calloc(1, sizeof *m);
  m->arena = bv_arena_new();
  m->node = "demo@127.0.0.1";
  m->interval_ms = 100;
  m->n = n;
  m->samples = bv_arena_alloc(m->arena, (n ? n : 1) * sizeof *m->samples);
  for (size_t i = 0; i < n; i++) {
    bv_memsample *s = &m->samples[i];
    s->iter = (uint32_t)i + 1;
    s->bytes[1] = 5000000 + i * 100000;
    s->bytes[2] = 400000;
    s->bytes[3] = 1000000 + i * 250000;
    s->bytes[4] = 9000000;
    s->bytes[5] = 800000 + i * 50000;
    s->bytes[0] = s->bytes[1] + s->bytes[2] + s->bytes[3] + s->bytes[4] + s->bytes[5] + 12000000;
    s->bytes[6] = s->bytes[0] - s->bytes[1];
  }
  return m;
}

/* no NaN or infinite coordinate anywhere (one sample, equal times) */
static int finite_scene(const bv_scene *s)
{
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (!isfinite(it->x) || !isfinite(it->y) || !isfinite(it->w) || !isfinite(it->h))
      return 0;
    for (size_t k = 0; k < 2 * it->npts; k++)
      if (!isfinite(it->pts[k]))
        return 0;
  }
  return isfinite(s->width) && isfinite(s->height);
}

static void test_memory(const bv_measure *fake, const bv_measure *real)
{
  /* mk_memory has no sample times: drawn at the interval (100 ms), said in a
   * subtitle; atom and ets stay below 10% of total: the lower panel */
  bv_memseries *m = mk_memory(20);
  bv_scene *s = NULL;
  CHECK_INT(lay_memory(m, NULL, fake, &s), 0);
  if (s) {
    check_chart(s, "memory");
    CHECK(finite_scene(s));
    CHECK(lu_golden(s, "memory_small.txt"));
    CHECK_INT(count_cls(s, "series"), 6);
    CHECK_INT(count_cls(s, "point"), 6 * 20);
    CHECK_INT(count_cls(s, "view"), 2);
    CHECK_INT(count_cls(s, "ytitle"), 2);
    CHECK_INT(count_cls(s, "xtitle"), 1);
    CHECK(has_text(s, "legend-title", "memory"));
    CHECK_INT(count_cls(s, "legend-label"), 6);
    CHECK(has_text(s, "ylabel", "0"));
    CHECK(has_text(s, "ytitle", "Memory usage (MB)"));
    CHECK(has_text(s, "ytitle", "Small kinds (MB)"));
    CHECK(has_text(s, "xtitle", "seconds since the first sample"));
    CHECK(has_text(s, "subtitle", "atom and ets: below 10% of total, drawn below on their own scale"));
    CHECK(has_text(s, "subtitle", "no sample times in the file: drawn at the interval"));
    /* x labels 0 .. 1.8 s by 0.2, none beyond the last sample (1.9 s) */
    CHECK(has_text(s, "xlabel", "0"));
    CHECK(has_text(s, "xlabel", "0.2"));
    CHECK(has_text(s, "xlabel", "1.8"));
    CHECK(!has_text(s, "xlabel", "2"));
    CHECK_INT(count_cls(s, "xlabel"), 10);
    bv_scene_free(s);
  }
  CHECK_INT(lay_memory(m, NULL, real, &s), 0);
  if (s) {
    check_chart(s, "memory real");
    CHECK(lu_render_all(s, "memory"));
    bv_scene_free(s);
  }
  {
    bv_model mo = {BV_MODEL_MEMORY, {.memory = m}};
    bv_emit_info info;
    memset(&info, 0, sizeof info);
    CHECK_INT(bv_layout_memory_model(&mo, NULL, fake, &s, &info), 0);
    if (s) {
      CHECK(lu_golden(s, "memory_small.txt"));
      CHECK(info.width == s->width && info.height == s->height);
      /* a docs page: within 1000 px at the default size */
      CHECK(s->width <= 1000);
      bv_scene_free(s);
    }
    /* --width/--height: the size asked for, both panels in it */
    bv_emit_opts o;
    memset(&o, 0, sizeof o);
    o.width = 700;
    o.height = 500;
    CHECK_INT(bv_layout_memory_model(&mo, &o, real, &s, NULL), 0);
    if (s) {
      check_chart(s, "memory 700x500");
      CHECK(s->width == 700 && s->height == 500);
      bv_scene_free(s);
    }
    mo.kind = BV_MODEL_SNAPSHOT;
    CHECK_INT(bv_layout_memory_model(&mo, NULL, fake, &s, NULL), BV_EINVAL);
  }
  /* with times: x from t_ms */
  for (size_t i = 0; i < m->n; i++)
    m->samples[i].t_ms = 3 + 1000 * i;
  CHECK_INT(lay_memory(m, NULL, real, &s), 0);
  if (s) {
    check_chart(s, "memory with times");
    CHECK(!has_text(s, "subtitle", "no sample times in the file: drawn at the interval"));
    CHECK(has_text(s, "xlabel", "18"));
    CHECK(!has_text(s, "xlabel", "20"));
    bv_scene_free(s);
  }
  /* samples out of time order (a hand-made file): the lines run along x, as
   * Vega-Lite sorts a line's points by x */
  m->samples[3].t_ms = 15000;
  m->samples[7].t_ms = 500;
  CHECK_INT(lay_memory(m, NULL, real, &s), 0);
  if (s) {
    size_t lines = 0, back = 0;
    for (size_t i = 0; i < s->n; i++) {
      const bv_sitem *it = &s->items[i];
      if (!it->cls || strcmp(it->cls, "series"))
        continue;
      lines++;
      for (size_t k = 1; k < it->npts; k++)
        back += it->pts[2 * k] < it->pts[2 * k - 2];
    }
    CHECK_INT(lines, 6);
    CHECK_INT(back, 0);
    bv_scene_free(s);
  }
  bv_memseries_free(m);
  /* many samples: lines only; one sample: a point, no line; two samples */
  m = mk_memory(500);
  CHECK_INT(lay_memory(m, NULL, real, &s), 0);
  if (s) {
    check_chart(s, "memory 500");
    CHECK_INT(count_cls(s, "point"), 0);
    bv_scene_free(s);
  }
  bv_memseries_free(m);
  for (size_t n = 1; n <= 2; n++) {
    m = mk_memory(n);
    CHECK_INT(lay_memory(m, NULL, real, &s), 0);
    if (s) {
      check_chart(s, n == 1 ? "memory 1" : "memory 2");
      CHECK(finite_scene(s));
      CHECK_INT(count_cls(s, "series"), n == 1 ? 0 : 6);
      CHECK_INT(count_cls(s, "point"), 6 * n);
      CHECK(has_text(s, "xlabel", "0"));
      bv_scene_free(s);
    }
    bv_memseries_free(m);
  }
}

int main(void)
{
  bv_measure fake, real;
  bv_fake_measure(&fake);
  lu_measure(&real);
  test_scatter(&fake, &real);
  test_memory(&fake, &real);
  if (real.fn != fake.fn)
    bv_cairo_measure_close(&real);
  return check_report();
}
