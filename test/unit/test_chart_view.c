/* test_chart_view.c: the chart views agree across formats. A snapshot
 * coloured by label (25 and 40 distinct labels, some absent, some zeros) is
 * written as Vega-Lite (bv_emit_procs_vegalite, parsed back with the JSON
 * reader) and laid out for an image (bv_layout_scatter_model, fake measure):
 * the legend entries, the "... and N more" count, the zero marks and the
 * colours must be the same; bad fields are refused with the same message by
 * both; the memory chart shows the same kinds and titles in both. */
#include "check.h"
#include "emit/emit.h"
#include "layout/layout.h"
#include "util/jsonin.h"
#include "view/view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t category10[10] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};
/* vega-scale's category20 (its source: "1f77b4aec7e8ff7f0e...") */
static const uint32_t category20[20] = {
    0x1F77B4, 0xAEC7E8, 0xFF7F0E, 0xFFBB78, 0x2CA02C, 0x98DF8A, 0xD62728,
    0xFF9896, 0x9467BD, 0xC5B0D5, 0x8C564B, 0xC49C94, 0xE377C2, 0xF7B6D2,
    0x7F7F7F, 0xC7C7C7, 0xBCBD22, 0xDBDB8D, 0x17BECF, 0x9EDAE5};

/* The colour of domain value i among n: category20 past 10 values. */
static uint32_t want_rgb(size_t n, size_t i)
{
  return n > 10 ? category20[i % 20] : category10[i % 10];
}

/* n rows over `names` distinct names (every 7th row has none); rows 3, 11
 * and 19 have a zero on an axis. */
static bv_snapshot *mk(size_t n, size_t names)
{
  bv_snapshot *s = calloc(1, sizeof *s);
  s->arena = bv_arena_new();
  s->node = "demo@127.0.0.1";
  s->otp_release = "26";
  s->n = s->total = n;
  s->procs = bv_arena_alloc(s->arena, n * sizeof *s->procs);
  for (size_t i = 0; i < n; i++) {
    bv_proc *p = &s->procs[i];
    p->pid = bv_arena_printf(s->arena, "<0.%zu.0>", i);
    /* names in a scrambled order, so sorting matters */
    p->name = i % 7 == 0 ? NULL : bv_arena_printf(s->arena, "proc_%02zu", (i * 13) % names);
    p->label = p->name; /* coloured by label: an absent one is BV_CHART_NONE_LABEL */
    p->reductions = i == 3 || i == 19 ? 0 : 100 + 37 * i;
    p->memory = i == 11 || i == 19 ? 0 : 2000 + 101 * i;
    p->status = i % 2 ? "waiting" : "running";
  }
  return s;
}

static size_t expected_zeros(const bv_snapshot *s)
{
  size_t z = 0;
  for (size_t i = 0; i < s->n; i++)
    z += s->procs[i].reductions == 0 || s->procs[i].memory == 0;
  return z;
}

static size_t distinct_names(const bv_snapshot *s)
{
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++) {
    const char *t = s->procs[i].name;
    size_t j = 0;
    for (; j < i; j++) {
      const char *u = s->procs[j].name;
      if ((!t && !u) || (t && u && strcmp(t, u) == 0))
        break;
    }
    k += j == i;
  }
  return k;
}

/* What a chart shows, read back from either format. Absent values are
 * written "(none)" (the image's label, and Vega's with the spec's labelExpr). */
typedef struct shown {
  size_t n;
  const char *entries[64];
  size_t more;
  size_t zeros;      /* from the subtitle */
  size_t marks;      /* zero marks drawn (image) / data points with a zero (spec) */
} shown;

static size_t more_of(const char *t)
{
  const char *p = t ? strstr(t, "\xE2\x80\xA6 and ") : NULL;
  return p ? strtoul(p + strlen("\xE2\x80\xA6 and "), NULL, 10) : 0;
}

static int cmp_entry(const void *a, const void *b)
{
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  if (!x || !y)
    return (x != NULL) - (y != NULL);
  return strcmp(x, y);
}

static int read_spec_key(const char *vl, bv_arena *a, shown *sh, const char *key)
{
  memset(sh, 0, sizeof *sh);
  bv_jdoc *d = NULL;
  if (bv_jdoc_parse("chart.vl.json", vl, strlen(vl), &d)) {
    fprintf(stderr, "  %s\n", bv_error_last());
    return -1;
  }
  const bv_jv *root = bv_jdoc_root(d);
  const bv_jv *legend = bv_jv_get(bv_jv_get(bv_jv_get(root, "encoding"), "color"), "legend");
  const char *expr = NULL;
  bv_jv_opt_str(d, bv_jv_get(bv_jv_get(legend, "values"), "expr"), "expr", a, &expr);
  if (expr) {
    /* the listed entries: a Vega array literal of strings and null, which
     * the spec writes as JSON */
    bv_jdoc *e = NULL;
    CHECK_INT(bv_jdoc_parse("values", expr, strlen(expr), &e), 0);
    if (e) {
      const bv_jv *arr = bv_jdoc_root(e);
      for (size_t i = 0; i < bv_jv_len(arr) && sh->n < 64; i++) {
        const bv_jv *x = bv_jv_at(arr, i);
        const char *t = NULL;
        if (!bv_jv_is_null(x))
          CHECK_INT(bv_jv_str(e, x, "value", a, &t), 0);
        sh->entries[sh->n++] = t;
      }
      bv_jdoc_free(e);
    }
  } else {
    /* no list: Vega shows the whole domain, its values sorted, null first */
    const bv_jv *vals = bv_jv_get(bv_jv_get(root, "data"), "values");
    const char *all[256];
    size_t n = 0;
    for (size_t i = 0; i < bv_jv_len(vals) && n < 256; i++) {
      const char *t = NULL;
      bv_jv_opt_str(d, bv_jv_get(bv_jv_at(vals, i), key), "key", a, &t);
      all[n++] = t;
    }
    qsort(all, n, sizeof *all, cmp_entry);
    for (size_t i = 0; i < n && sh->n < 64; i++)
      if (!i || cmp_entry(&all[i - 1], &all[i]))
        sh->entries[sh->n++] = all[i];
  }
  for (size_t i = 0; i < sh->n; i++)
    if (!sh->entries[i]) /* labelExpr: null is labelled "(none)" */
      sh->entries[i] = BV_CHART_NONE_LABEL;
  CHECK(!sh->n || strcmp(sh->entries[0], BV_CHART_NONE_LABEL) != 0 ||
        (legend && bv_jv_get(legend, "labelExpr") != NULL));
  const bv_jv *sub = bv_jv_get(bv_jv_get(root, "title"), "subtitle");
  for (size_t i = 0; i < bv_jv_len(sub); i++) {
    const char *t = NULL;
    bv_jv_str(d, bv_jv_at(sub, i), "subtitle", a, &t);
    if (t && strstr(t, " more"))
      sh->more = more_of(t);
    if (t && strstr(t, " = 0 drawn at 1"))
      sh->zeros = strtoul(t, NULL, 10);
  }
  const bv_jv *vals = bv_jv_get(bv_jv_get(root, "data"), "values");
  for (size_t i = 0; i < bv_jv_len(vals); i++) {
    uint64_t r = 1, m = 1;
    bv_jv_u64(d, bv_jv_get(bv_jv_at(vals, i), "reductions"), "r", &r);
    bv_jv_u64(d, bv_jv_get(bv_jv_at(vals, i), "memory"), "m", &m);
    sh->marks += r == 0 || m == 0;
  }
  bv_jdoc_free(d);
  return 0;
}

static int read_spec(const char *vl, bv_arena *a, shown *sh)
{
  return read_spec_key(vl, a, sh, "label");
}

static void read_scene(const bv_scene *s, shown *sh)
{
  memset(sh, 0, sizeof *sh);
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (!it->cls)
      continue;
    if (!strcmp(it->cls, "zero"))
      sh->marks++;
    if (it->kind == BV_SI_TEXT && !strcmp(it->cls, "subtitle") && strstr(it->text, " = 0 drawn"))
      sh->zeros = strtoul(it->text, NULL, 10);
    if (it->kind != BV_SI_TEXT || strcmp(it->cls, "legend-label"))
      continue;
    const char *t = it->full ? it->full : it->text;
    if (!strcmp(t, BV_CHART_REAL_LABEL) || !strcmp(t, BV_CHART_ZERO_LABEL))
      continue; /* the shape legend */
    if (strstr(t, "\xE2\x80\xA6 and "))
      sh->more = more_of(t);
    else if (sh->n < 64)
      sh->entries[sh->n++] = t;
  }
}

static char *emit_vl(const bv_model *m, const bv_emit_opts *o, bv_emit_info *info, int *rc)
{
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  *rc = m->kind == BV_MODEL_MEMORY ? bv_emit_memory_vegalite(m, BV_FMT_VEGALITE, o, out, info)
                                   : bv_emit_procs_vegalite(m, BV_FMT_VEGALITE, o, out, info);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = *rc ? NULL : strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

static bv_color rgb(bv_color c) { return c & 0xFFFFFF; }

static void test_agree(const bv_measure *fake)
{
  static const struct {
    size_t rows, names;
    size_t entries, more; /* what the view's rule gives */
  } t[] = {
      {60, 25, 26, 0},  /* 25 names and absent: all in the legend */
      {90, 40, 30, 11}, /* 40 names and absent: 30 entries and 11 more */
      {70, 29, 30, 0},  /* exactly the limit */
      {40, 10, 11, 0},  /* 10 names and absent: 11 values, category20 */
      {40, 9, 10, 0},   /* 9 names and absent: 10 values, category10 */
  };
  bv_arena *a = bv_arena_new();
  for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
    bv_snapshot *sn = mk(t[k].rows, t[k].names);
    CHECK_INT(distinct_names(sn), t[k].entries + t[k].more);
    bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
    bv_emit_opts o;
    memset(&o, 0, sizeof o);
    o.color = "label";
    bv_emit_info vinfo, iinfo;
    memset(&vinfo, 0, sizeof vinfo);
    memset(&iinfo, 0, sizeof iinfo);
    int rc = -1;
    char *vl = emit_vl(&m, &o, &vinfo, &rc);
    CHECK_INT(rc, 0);
    bv_scene *sc = NULL;
    CHECK_INT(bv_layout_scatter_model(&m, &o, fake, &sc, &iinfo), 0);
    shown a1, a2;
    if (!vl || !sc || read_spec(vl, a, &a1)) {
      free(vl);
      bv_scene_free(sc);
      bv_snapshot_free(sn);
      continue;
    }
    read_scene(sc, &a2);
    /* the rule's numbers */
    CHECK_INT(a1.n, t[k].entries);
    CHECK_INT(a1.more, t[k].more);
    /* the same entries in the same order, the same "more" */
    CHECK_INT(a2.n, a1.n);
    for (size_t i = 0; i < a1.n && i < a2.n; i++)
      CHECK_STR(a2.entries[i], a1.entries[i]);
    CHECK_INT(a2.more, a1.more);
    CHECK_STR(a1.entries[0], BV_CHART_NONE_LABEL); /* absent first, as Vega's domain */
    /* zero marks: counted alike, drawn once each, told in info */
    size_t z = expected_zeros(sn);
    CHECK_INT(z, 3);
    CHECK_INT(a1.zeros, z);
    CHECK_INT(a1.marks, z);
    CHECK_INT(a2.zeros, z);
    CHECK_INT(a2.marks, z);
    CHECK_INT(vinfo.zeros, z);
    CHECK_INT(iinfo.zeros, z);
    /* colours: legend entry i has category10[i]; every point the colour of
     * its name's entry (Vega: the domain index) */
    size_t sym = 0;
    for (size_t i = 0; i < sc->n; i++) {
      const bv_sitem *it = &sc->items[i];
      if (!strcmp(it->cls, "legend-symbol") && sym < a2.n) {
        CHECK_INT(rgb(it->stroke), want_rgb(a1.n + a1.more, sym));
        sym++;
      }
      if ((!strcmp(it->cls, "point") || !strcmp(it->cls, "zero")) && it->ref >= 0) {
        const char *name = sn->procs[it->ref].label;
        size_t e = 0;
        while (e < a1.n && strcmp(a1.entries[e], name ? name : BV_CHART_NONE_LABEL))
          e++;
        if (e < a1.n)
          CHECK_INT(rgb(it->stroke), want_rgb(a1.n + a1.more, e));
      }
    }
    CHECK_INT(sym, a2.n);
    /* the spec names the same scheme */
    CHECK(strstr(vl, a1.n + a1.more > 10 ? "\"scheme\": \"category20\""
                                         : "\"scheme\": \"category10\"") != NULL);
    free(vl);
    bv_scene_free(sc);
    bv_snapshot_free(sn);
  }
  bv_arena_free(a);
}

/* Listed legend values are a Vega expression: quotes, backslashes and the
 * line separators a JavaScript string cannot hold raw are escaped, and the
 * list reads back as the names. */
static void test_expr(void)
{
  static const char odd[] = "a\"b\\c\xE2\x80\xA8" "d\xE2\x80\xA9";
  bv_snapshot *sn = mk(40, 35);
  sn->procs[1].label = odd; /* sorts first after absent: "a" < "proc_" */
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  o.color = "label";
  int rc = -1;
  char *vl = emit_vl(&m, &o, NULL, &rc);
  CHECK_INT(rc, 0);
  bv_arena *a = bv_arena_new();
  bv_jdoc *d = NULL;
  if (vl && bv_jdoc_parse("x.vl.json", vl, strlen(vl), &d) == 0) {
    const bv_jv *legend =
        bv_jv_get(bv_jv_get(bv_jv_get(bv_jdoc_root(d), "encoding"), "color"), "legend");
    const char *expr = NULL;
    CHECK_INT(bv_jv_str(d, bv_jv_get(bv_jv_get(legend, "values"), "expr"), "expr", a, &expr), 0);
    CHECK(expr && !strstr(expr, "\xE2\x80\xA8") && !strstr(expr, "\xE2\x80\xA9"));
    CHECK(expr && strncmp(expr, "[null, \"a\\\"b\\\\c\\u2028d\\u2029\", ", 30) == 0);
    bv_jdoc *e = NULL;
    CHECK_INT(expr ? bv_jdoc_parse("values", expr, strlen(expr), &e) : -1, 0);
    if (e) {
      const char *t = NULL;
      CHECK_INT(bv_jv_len(bv_jdoc_root(e)), 30);
      CHECK_INT(bv_jv_str(e, bv_jv_at(bv_jdoc_root(e), 1), "v", a, &t), 0);
      CHECK_STR(t, odd);
      bv_jdoc_free(e);
    }
    bv_jdoc_free(d);
  }
  bv_arena_free(a);
  free(vl);
  bv_snapshot_free(sn);
}

/* Bad fields: one check, one message, whichever format asks. */
static void test_fields(const bv_measure *fake)
{
  static const struct {
    const char *x, *y, *color, *msg;
  } t[] = {
      {"status", NULL, NULL, "x field 'status' is not one of reductions|memory|message_queue_len|reductions_per_sec"},
      {"heap", NULL, NULL, "x field 'heap' is not one of reductions|memory|message_queue_len|reductions_per_sec"},
      {NULL, "pid", NULL, "y field 'pid' is not one of reductions|memory|message_queue_len|reductions_per_sec"},
      {NULL, NULL, "memory",
       "color field 'memory' is not one of status|name|label|current_function|initial_call|window|node"},
      {"memory", NULL, NULL, "x and y are both 'memory'"},
  };
  bv_snapshot *sn = mk(10, 3);
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    bv_emit_opts o;
    memset(&o, 0, sizeof o);
    o.x = t[i].x, o.y = t[i].y, o.color = t[i].color;
    int rc = 0;
    CHECK(emit_vl(&m, &o, NULL, &rc) == NULL);
    CHECK_INT(rc, BV_EINVAL);
    CHECK_STR(bv_error_last(), t[i].msg);
    bv_scene *sc = (bv_scene *)1;
    CHECK_INT(bv_layout_scatter_model(&m, &o, fake, &sc, NULL), BV_EINVAL);
    CHECK(sc == NULL);
    CHECK_STR(bv_error_last(), t[i].msg);
    bv_out *out;
    CHECK_INT(bv_out_open_mem(&out), 0);
    CHECK_INT(bv_emit_procs_csv(&m, BV_FMT_CSV, &o, out, NULL), BV_EINVAL);
    CHECK_STR(bv_error_last(), t[i].msg);
    bv_out_abort(out);
  }
  /* a model of another kind */
  bv_model other = {BV_MODEL_MEMORY, {.memory = NULL}};
  bv_scene *sc = NULL;
  CHECK_INT(bv_layout_scatter_model(&other, NULL, fake, &sc, NULL), BV_EINVAL);
  int rc = 0;
  CHECK(emit_vl(&other, NULL, NULL, &rc) == NULL);
  CHECK_INT(rc, BV_EINVAL);
  bv_snapshot_free(sn);
}

/* The memory chart: the view's kinds, panels, unit and titles in both formats. */
static void test_memory(const bv_measure *fake)
{
  bv_memseries *ms;
  CHECK_INT(bv_memseries_new(&ms, 3), 0);
  ms->node = "demo@127.0.0.1";
  ms->interval_ms = 50;
  ms->n = 3;
  for (size_t i = 0; i < 3; i++) {
    ms->samples[i].iter = (uint32_t)i + 1;
    ms->samples[i].t_ms = 50 * i;
    for (int k = 0; k < BV_MEM_NKINDS; k++)
      ms->samples[i].bytes[k] = (uint64_t)(k + 1) * 1000000 + i * 250000;
  }
  /* total 30 MB: processes (2.5 MB at most) is the one small kind */
  for (size_t i = 0; i < 3; i++)
    ms->samples[i].bytes[0] = 30000000;
  bv_model m = {BV_MODEL_MEMORY, {.memory = ms}};
  int rc = -1;
  char *vl = emit_vl(&m, NULL, NULL, &rc);
  CHECK_INT(rc, 0);
  bv_scene *sc = NULL;
  CHECK_INT(bv_layout_memory_model(&m, NULL, fake, &sc, NULL), 0);
  bv_memory_view v;
  bv_memory_view_make(ms, &v);
  CHECK_INT(v.nkinds, 6);
  CHECK_INT(v.npanels, 2);
  CHECK_INT(v.panel[1].nkinds, 1);
  CHECK_STR(v.kinds[v.panel[1].kinds[0]], "processes");
  bv_arena *a = bv_arena_new();
  bv_jdoc *d = NULL;
  if (vl && sc && bv_jdoc_parse("m.vl.json", vl, strlen(vl), &d) == 0) {
    const bv_jv *root = bv_jdoc_root(d);
    const bv_jv *fold = bv_jv_get(bv_jv_at(bv_jv_get(root, "transform"), 0), "fold");
    const bv_jv *panels = bv_jv_get(root, "vconcat");
    CHECK_INT(bv_jv_len(panels), 2);
    const char *yt[2] = {NULL, NULL}, *xt = NULL, *lt = NULL;
    for (size_t p = 0; p < 2; p++) {
      const bv_jv *enc = bv_jv_get(bv_jv_at(panels, p), "encoding");
      bv_jv_str(d, bv_jv_get(bv_jv_get(enc, "y"), "title"), "y", a, &yt[p]);
      if (p == 1)
        bv_jv_str(d, bv_jv_get(bv_jv_get(enc, "x"), "title"), "x", a, &xt);
      bv_jv_str(d, bv_jv_get(bv_jv_get(enc, "color"), "title"), "c", a, &lt);
    }
    const bv_jv *sub = bv_jv_get(bv_jv_get(root, "title"), "subtitle");
    CHECK_INT(bv_jv_len(sub), 2);
    size_t labels = 0, ytitles = 0, xtitles = 0, subs = 0;
    for (size_t i = 0; i < sc->n; i++) {
      const bv_sitem *it = &sc->items[i];
      if (it->kind != BV_SI_TEXT)
        continue;
      if (!strcmp(it->cls, "legend-label")) {
        const char *f = NULL;
        bv_jv_str(d, bv_jv_at(fold, labels), "fold", a, &f);
        CHECK_STR(it->text, f);
        CHECK_STR(it->text, v.kinds[labels]);
        labels++;
      }
      if (!strcmp(it->cls, "ytitle") && ytitles < 2)
        CHECK_STR(it->text, yt[ytitles++]);
      if (!strcmp(it->cls, "xtitle")) {
        CHECK_STR(it->text, xt);
        xtitles++;
      }
      if (!strcmp(it->cls, "subtitle")) {
        const char *st = NULL;
        bv_jv_str(d, bv_jv_at(sub, subs++), "sub", a, &st);
        CHECK_STR(it->text, st);
      }
      if (!strcmp(it->cls, "legend-title"))
        CHECK_STR(it->text, lt);
    }
    CHECK_INT(labels, bv_jv_len(fold));
    CHECK_INT(labels, v.nkinds);
    CHECK_INT(ytitles, 2);
    CHECK_INT(xtitles, 1);
    CHECK_INT(subs, 2);
    CHECK_STR(yt[0], v.y_title);
    CHECK_STR(yt[1], "Small kinds (MB)");
    CHECK_STR(xt, "seconds since the first sample");
    /* values in the view's unit: code of sample 2 is 5.25 MB */
    double code = bv_memory_view_value(&v, ms->samples[1].bytes[4]);
    CHECK(code > 5.2499 && code < 5.2501);
    CHECK(strstr(vl, "\"code\":5.25") != NULL);
    bv_jdoc_free(d);
  }
  bv_arena_free(a);
  free(vl);
  bv_scene_free(sc);
  bv_memseries_free(ms);
}

/* A series of n samples t_ms apart (the first at t0), every kind at `kind`
 * bytes except total at `total`. */
static bv_memseries *mem_series(size_t n, uint64_t t0, uint64_t step, uint64_t total,
                                uint64_t kind)
{
  bv_memseries *ms;
  if (bv_memseries_new(&ms, n ? n : 1))
    return NULL;
  ms->node = "t@h";
  ms->interval_ms = (unsigned)step;
  ms->n = n;
  for (size_t i = 0; i < n; i++) {
    ms->samples[i].iter = (uint32_t)i + 1;
    ms->samples[i].t_ms = t0 + step * i;
    for (int k = 0; k < BV_MEM_NKINDS; k++)
      ms->samples[i].bytes[k] = k ? kind : total;
  }
  return ms;
}

/* The memory view's decisions: the panel rule at its boundary, x in seconds
 * from t_ms (minutes and hours for long series, the schedule for a file
 * without times), and ticks from 0 within the data, none empty. */
static void test_memory_view(void)
{
  /* the panel rule: small when max * 100 < total's max * 10, exactly */
  static const struct {
    uint64_t total, kind;
    size_t npanels;
  } rule[] = {
      {10000000, 999999, 2},   {10000000, 1000000, 1}, {10000001, 1000000, 2},
      {10000009, 1000001, 1},  {0, 0, 1},              {UINT64_MAX, UINT64_MAX / 10 + 1, 1},
      {UINT64_MAX, UINT64_MAX / 10, 2},
  };
  for (size_t i = 0; i < sizeof rule / sizeof *rule; i++) {
    bv_memseries *ms = mem_series(3, 0, 100, rule[i].total, rule[i].kind);
    bv_memory_view v;
    bv_memory_view_make(ms, &v);
    CHECK_INT(v.npanels, rule[i].npanels);
    CHECK_INT(v.panel[0].kinds[0], 0); /* total is always on top */
    CHECK_INT(v.panel[0].nkinds + (v.npanels > 1 ? v.panel[1].nkinds : 0), 6);
    CHECK_INT(v.panel[v.npanels - 1].x_labels, 1);
    if (v.npanels > 1)
      CHECK_INT(v.panel[0].x_labels, 0);
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_memory_view_nnotes(&v), v.npanels - 1);
    bv_memory_view_note(&b, &v, ms, 0);
    if (v.npanels > 1)
      CHECK_STR(b.data, "processes, atom, binary, code and ets: below 10% of total, drawn below "
                        "on their own scale");
    bv_buf_dispose(&b);
    bv_memseries_free(ms);
  }
  /* x: time since the first sample, in the unit for the span; ticks */
  static const struct {
    size_t n;
    uint64_t t0, step;
    const char *field;
    double x1, x_max;
    double width;
    size_t nticks;
    double tick1, tick_last;
    int dec;
  } tx[] = {
      {20, 5, 100, "seconds", 0.1, 1.9, 600, 10, 0.2, 1.8, 1},
      {20, 5, 100, "seconds", 0.1, 1.9, 200, 2, 1, 1, 0},
      {4, 7, 10, "seconds", 0.01, 0.03, 600, 7, 0.005, 0.03, 3},
      {61, 0, 1000, "seconds", 1, 60, 600, 7, 10, 60, 0},
      {60, 0, 5000, "seconds", 5, 295, 600, 10, 30, 270, 0},
      {61, 0, 5000, "minutes", 5 / 60.0, 5, 600, 11, 0.5, 5, 1},
      {121, 0, 60000, "minutes", 1, 120, 600, 9, 15, 120, 0},
      {11, 0, 1800000, "hours", 0.5, 5, 600, 11, 0.5, 5, 1},
      {49, 0, 3600000, "hours", 1, 48, 600, 9, 6, 48, 0},
      {1, 0, 100, "seconds", 0, 1, 600, 11, 0.1, 1, 1},
  };
  for (size_t i = 0; i < sizeof tx / sizeof *tx; i++) {
    bv_memseries *ms = mem_series(tx[i].n, tx[i].t0, tx[i].step, 30000000, 1000000);
    bv_memory_view v;
    bv_memory_view_make(ms, &v);
    CHECK_STR(v.x_field, tx[i].field);
    CHECK(strstr(v.x_title, tx[i].field) == v.x_title);
    CHECK(bv_memory_view_x(&v, ms, 0) == 0);
    if (tx[i].n > 1)
      CHECK(fabs(bv_memory_view_x(&v, ms, 1) - tx[i].x1) < 1e-9);
    CHECK(fabs(v.x_max - tx[i].x_max) < 1e-9);
    double t[BV_MEM_MAX_XTICKS];
    int dec = -1;
    size_t nt = bv_memory_view_xticks(&v, tx[i].width, t, &dec);
    CHECK_INT(nt, tx[i].nticks);
    CHECK_INT(dec, tx[i].dec);
    if (nt >= 2) {
      CHECK(t[0] == 0);
      CHECK(fabs(t[1] - tx[i].tick1) < 1e-12);
      CHECK(fabs(t[nt - 1] - tx[i].tick_last) < 1e-12);
      /* no tick beyond the last sample: none is empty */
      CHECK(t[nt - 1] <= v.x_max);
    }
    bv_memseries_free(ms);
  }
  /* a file without times (every t_ms 0): the schedule, said in a note */
  bv_memseries *ms = mem_series(4, 0, 0, 30000000, 9000000);
  ms->interval_ms = 250;
  bv_memory_view v;
  bv_memory_view_make(ms, &v);
  CHECK_INT(v.scheduled, 1);
  CHECK_INT(bv_memory_view_ms(&v, ms, 3), 750);
  CHECK(fabs(v.x_max - 0.75) < 1e-12);
  CHECK_INT(bv_memory_view_nnotes(&v), 1);
  bv_buf b;
  bv_buf_init(&b);
  bv_memory_view_note(&b, &v, ms, 0);
  CHECK_STR(b.data, "no sample times in the file: drawn at the interval");
  bv_buf_dispose(&b);
  /* a hand-made file out of time order: time runs from the earliest sample */
  ms->samples[0].t_ms = 500;
  ms->samples[1].t_ms = 100;
  ms->samples[2].t_ms = 700;
  ms->samples[3].t_ms = 900;
  bv_memory_view_make(ms, &v);
  CHECK_INT(v.scheduled, 0);
  CHECK_INT(bv_memory_view_ms(&v, ms, 1), 0);
  CHECK_INT(bv_memory_view_ms(&v, ms, 0), 400);
  CHECK(fabs(v.x_max - 0.8) < 1e-12);
  bv_memseries_free(ms);
}

/* Coloured by name, every process is named by the identity rule in both
 * formats, in the node's syntax: registered name, else label, else the
 * module of the initial call, each with the pid; never null/undefined. */
static void test_identity(const bv_measure *fake)
{
  bv_snapshot *sn = mk(4, 4);
  sn->elixir = 1;
  bv_proc *p = sn->procs;
  p[0].name = "DemoApp.Registry";
  p[0].label = NULL;
  p[1].name = NULL;
  p[1].label = "\"job 1\"";
  p[1].initial_call = "Task.Supervised:noreply/4";
  p[2].name = p[2].label = NULL;
  p[2].initial_call = "DemoApp.Worker:init/1";
  p[2].current_function = "gen_server:loop/7";
  p[3].name = p[3].label = NULL;
  p[3].initial_call = "proc_lib:init_p/5";
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
  bv_emit_opts o;
  memset(&o, 0, sizeof o);
  o.color = "name";
  int rc = -1;
  char *vl = emit_vl(&m, &o, NULL, &rc);
  CHECK_INT(rc, 0);
  bv_scene *sc = NULL;
  CHECK_INT(bv_layout_scatter_model(&m, &o, fake, &sc, NULL), 0);
  bv_arena *a = bv_arena_new();
  shown a1, a2;
  if (vl && sc && read_spec_key(vl, a, &a1, "who") == 0) {
    read_scene(sc, &a2);
    /* byte order, as Vega sorts the domain */
    static const char *const want[] = {"\"job 1\" #PID<0.1.0>", ":proc_lib #PID<0.3.0>",
                                       "DemoApp.Registry", "DemoApp.Worker #PID<0.2.0>"};
    CHECK_INT(a1.n, 4);
    CHECK_INT(a2.n, 4);
    for (size_t i = 0; i < 4 && i < a1.n && i < a2.n; i++) {
      CHECK_STR(a1.entries[i], want[i]);
      CHECK_STR(a2.entries[i], want[i]);
    }
    CHECK(!strstr(vl, "null") && !strstr(vl, "undefined"));
    /* the rows in Elixir syntax; the colour is the identity, titled name */
    CHECK(strstr(vl, "\"pid\":\"#PID<0.2.0>\"") != NULL);
    CHECK(strstr(vl, "\"current_function\":\":gen_server.loop/7\"") != NULL);
    CHECK(strstr(vl, "\"label\":\"\\\"job 1\\\"\"") != NULL);
    CHECK(strstr(vl, "\"field\": \"who\", \"type\": \"nominal\", \"title\": \"name\"") != NULL);
  }
  free(vl);
  bv_scene_free(sc);
  bv_arena_free(a);
  bv_snapshot_free(sn);
}


/* --- the top-N bars and the axes --------------------------------------------- */

/* Bars: largest first (ties in snapshot order), named by the identity rule,
 * the value written the same in the spec and the image; at most 100 bars, the
 * cap said in the subtitle; the spec's rows in the view's order. */
static void test_bars(const bv_measure *fake)
{
  bv_arena *a = bv_arena_new();
  bv_snapshot *sn = mk(150, 40);
  /* memory: a tie (rows 5 and 9) and values that read in B, kB, MB */
  sn->procs[5].memory = sn->procs[9].memory = 7000000;
  sn->procs[2].memory = 12345678;
  sn->procs[4].memory = 512;
  sn->procs[2].name = NULL;
  sn->procs[2].label = NULL;
  sn->procs[2].initial_call = "my_mod:init/1"; /* identity: the module with the pid */
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.by = "memory";
  o.chart = BV_CHART_BAR;
  bv_procs_bars b;
  CHECK_INT(bv_procs_bars_make(sn, &o, &b), 0);
  CHECK_INT(b.n, BV_CHART_BARS_MAX);
  CHECK_INT(b.total, 150);
  CHECK(b.rows[0] == &sn->procs[2]);
  CHECK_STR(b.who[0], "my_mod <0.2.0>");
  CHECK_STR(b.value[0], "12.3 MB");
  CHECK(b.rows[1] == &sn->procs[5] && b.rows[2] == &sn->procs[9]); /* tie: node order */
  CHECK_STR(b.value[1], "7.00 MB");
  for (size_t i = 1; i < b.n; i++)
    CHECK(b.rows[i - 1]->memory >= b.rows[i]->memory);
  bv_buf t;
  bv_buf_init(&t);
  bv_procs_bars_title(&t, sn, &b);
  CHECK_STR(t.data, "The 100 processes on demo@127.0.0.1 with the most memory");
  t.len = 0;
  bv_procs_bars_subtitle(&t, sn, &b);
  CHECK(strstr(t.data, "; the 100 largest of 150 shown") != NULL);
  /* values as written by a bar */
  static const struct {
    bv_proc_field f;
    double v;
    const char *want;
  } vt[] = {{BV_PF_MEMORY, 512, "512 B"},        {BV_PF_MEMORY, 999, "999 B"},
            {BV_PF_MEMORY, 1000, "1.00 kB"},     {BV_PF_MEMORY, 12345, "12.3 kB"},
            {BV_PF_MEMORY, 123456, "123 kB"},    {BV_PF_MEMORY, 999999, "1.00 MB"},
            {BV_PF_MEMORY, 2.5e9, "2.50 GB"},    {BV_PF_REDUCTIONS, 0, "0"},
            {BV_PF_REDUCTIONS, 1234567, "1,234,567"}, {BV_PF_MESSAGE_QUEUE_LEN, 999, "999"}};
  for (size_t i = 0; i < sizeof vt / sizeof *vt; i++) {
    t.len = 0;
    bv_chart_value_text(&t, vt[i].f, vt[i].v);
    CHECK_STR(t.data, vt[i].want);
  }
  bv_buf_dispose(&t);
  {
    /* two rows with one name (a model file can say so): one bar each, the
     * second named with its pid, a third equal one (the same pid) by its rank */
    bv_snapshot *dup = mk(4, 1);
    for (size_t i = 0; i < 3; i++) {
      dup->procs[i].name = "rex";
      dup->procs[i].memory = 1000 - i;
    }
    dup->procs[2].pid = dup->procs[1].pid;
    dup->procs[3].memory = 0;
    bv_procs_bars db;
    CHECK_INT(bv_procs_bars_make(dup, &o, &db), 0);
    CHECK_STR(db.who[0], "rex");
    bv_buf e;
    bv_buf_init(&e);
    bv_buf_printf(&e, "rex %s", dup->procs[1].pid);
    CHECK_STR(db.who[1], e.data);
    e.len = 0;
    bv_buf_printf(&e, "rex %s (#3)", dup->procs[1].pid);
    CHECK_STR(db.who[2], e.data);
    bv_buf_dispose(&e);
    bv_procs_bars_dispose(&db);
    bv_snapshot_free(dup);
  }

  /* the spec: one row a bar in the view's order, the same texts */
  bv_out *out;
  CHECK_INT(bv_out_open_mem(&out), 0);
  CHECK_INT(bv_emit_procs_bars_vegalite(&m, BV_FMT_VEGALITE, &o, out, NULL), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  bv_jdoc *d = NULL;
  CHECK_INT(bv_jdoc_parse("bars.vl.json", p, len, &d), 0);
  const bv_jv *vals = bv_jv_get(bv_jv_get(bv_jdoc_root(d), "data"), "values");
  CHECK_INT(bv_jv_len(vals), b.n);
  for (size_t i = 0; i < b.n && i < bv_jv_len(vals); i++) {
    const bv_jv *r = bv_jv_at(vals, i);
    const char *w = NULL, *vt2 = NULL;
    uint64_t rank = 999;
    bv_jv_str(d, bv_jv_get(r, "who"), "who", a, &w);
    bv_jv_str(d, bv_jv_get(r, "value_text"), "value_text", a, &vt2);
    bv_jv_u64(d, bv_jv_get(r, "rank"), "rank", &rank);
    CHECK_STR(w, b.who[i]);
    CHECK_STR(vt2, b.value[i]);
    CHECK_INT(rank, i);
  }
  bv_jdoc_free(d);
  bv_out_abort(out);

  /* the image: the same names top to bottom, the same values, bars from x0
   * with lengths in proportion to the values */
  bv_scene *sc = NULL;
  bv_emit_info info;
  memset(&info, 0, sizeof info);
  CHECK_INT(bv_layout_bars_model(&m, &o, fake, &sc, &info), 0);
  size_t nl = 0, nv = 0, nb = 0;
  double lasty = -1, x0 = -1, w0 = 0;
  for (size_t i = 0; sc && i < sc->n; i++) {
    const bv_sitem *it = &sc->items[i];
    if (!it->cls)
      continue;
    if (it->kind == BV_SI_TEXT && !strcmp(it->cls, "ylabel") && nl < b.n) {
      CHECK_STR(it->full ? it->full : it->text, b.who[nl]);
      CHECK(it->y > lasty);
      lasty = it->y;
      nl++;
    }
    if (it->kind == BV_SI_TEXT && !strcmp(it->cls, "value") && nv < b.n)
      CHECK_STR(it->text, b.value[nv++]);
    if (!strcmp(it->cls, "bar")) {
      if (!nb)
        x0 = it->x, w0 = it->w;
      CHECK(it->x == x0);
      if (nb < b.n && w0 > 0)
        CHECK(fabs(it->w / w0 - bv_proc_num(b.rows[nb], BV_PF_MEMORY) /
                                    bv_proc_num(b.rows[0], BV_PF_MEMORY)) < 1e-6);
      nb++;
    }
  }
  CHECK_INT(nl, b.n);
  CHECK_INT(nv, b.n);
  CHECK_INT(nb, b.n);
  CHECK(info.height >= b.n * BV_BARS_STEP);
  CHECK(info.width <= 1000);
  bv_scene_free(sc);
  bv_procs_bars_dispose(&b);

  /* few rows: all drawn, no cap note; one row: singular title */
  sn->n = 1;
  CHECK_INT(bv_procs_bars_make(sn, &o, &b), 0);
  bv_buf_init(&t);
  bv_procs_bars_title(&t, sn, &b);
  CHECK_STR(t.data, "The process on demo@127.0.0.1 with the most memory");
  t.len = 0;
  bv_procs_bars_subtitle(&t, sn, &b);
  CHECK(strstr(t.data, "shown") == NULL);
  bv_buf_dispose(&t);
  bv_procs_bars_dispose(&b);
  /* the value axis: 6 ticks, fewer for small counts, 1 when all are 0 */
  CHECK_INT(bv_procs_bars_make(sn, &o, &b), 0);
  CHECK_INT(bv_procs_bars_ticks(&b), 6);
  b.max = 3;
  CHECK_INT(bv_procs_bars_ticks(&b), 3);
  b.max = 0;
  CHECK_INT(bv_procs_bars_ticks(&b), 1);
  bv_procs_bars_dispose(&b);
  /* no processes: no bars, a spec and an image all the same */
  sn->n = 0;
  CHECK_INT(bv_procs_bars_make(sn, &o, &b), 0);
  CHECK_INT(b.n, 0);
  CHECK_INT(bv_out_open_mem(&out), 0);
  CHECK_INT(bv_emit_procs_bars_vegalite(&m, BV_FMT_VEGALITE, &o, out, NULL), 0);
  p = bv_out_mem(out, &len);
  CHECK(p && strstr(p, "\"domain\": [0, 1]") != NULL);
  bv_out_abort(out);
  CHECK_INT(bv_layout_bars_model(&m, &o, fake, &sc, &info), 0);
  bv_scene_free(sc);
  bv_procs_bars_dispose(&b);
  sn->n = 1;
  /* a bad --by is refused */
  o.by = "status";
  CHECK(bv_procs_bars_make(sn, &o, &b) == BV_EINVAL);
  bv_procs_bars_dispose(&b);
  bv_snapshot_free(sn);
  bv_arena_free(a);
}

/* Axes: the data's extent, 1-2-5 ticks, every decade labelled before a 2 or
 * a 5; the symlog rule; the spec gives the same values and labels. */
static void test_axes(const bv_measure *fake)
{
  bv_chart_axis ax;
  bv_chart_axis_make(&ax, BV_SCALE_LOG, 300, 2000000);
  CHECK(ax.lo == 300 && ax.hi == 2000000); /* not rounded out to 100 .. 10,000,000 */
  CHECK(ax.ticks[0] == 500);
  CHECK(ax.ticks[ax.n - 1] == 2000000);
  /* crowded labels: 500,000 / 1,000,000 / 2,000,000 with 1,000,000 kept */
  double centre[BV_CHART_TICKS_MAX], half[BV_CHART_TICKS_MAX];
  unsigned char keep[BV_CHART_TICKS_MAX];
  size_t i500k = 0, i1m = 0, i2m = 0;
  for (size_t i = 0; i < ax.n; i++) {
    centre[i] = bv_chart_axis_t(&ax, ax.ticks[i]) * 300; /* a narrow axis */
    half[i] = 25;
    if (ax.ticks[i] == 500000)
      i500k = i;
    if (ax.ticks[i] == 1000000)
      i1m = i;
    if (ax.ticks[i] == 2000000)
      i2m = i;
  }
  bv_chart_label_keep(&ax, centre, half, 3, keep);
  CHECK(keep[i1m]);
  CHECK(!keep[i500k] && !keep[i2m]); /* they would touch 1,000,000 */
  for (size_t i = 0; i < ax.n; i++)
    if (ax.decade[i])
      CHECK(keep[i]);
  /* wide: everything fits */
  for (size_t i = 0; i < ax.n; i++)
    centre[i] = bv_chart_axis_t(&ax, ax.ticks[i]) * 3000;
  bv_chart_label_keep(&ax, centre, half, 3, keep);
  CHECK(keep[i500k] && keep[i1m] && keep[i2m]);
  /* symlog from 0 */
  bv_chart_axis_make(&ax, BV_SCALE_SYMLOG, 0, 7);
  CHECK(ax.lo == 0 && ax.hi == 7 && ax.n == 4 && ax.ticks[0] == 0 && ax.ticks[3] == 5);
  CHECK(bv_chart_axis_t(&ax, 0) == 0 && fabs(bv_chart_axis_t(&ax, 7) - 1) < 1e-12);
  CHECK(fabs(bv_chart_axis_t(&ax, 1) - log10(2) / log10(8)) < 1e-12);

  /* the rule: message_queue_len with >= half its values <= 1 is symlog */
  bv_snapshot *sn = mk(10, 3);
  for (size_t i = 0; i < sn->n; i++)
    sn->procs[i].message_queue_len = i < 5 ? (i % 2) : 100 + i;
  CHECK(bv_chart_scale_for(sn, BV_PF_MESSAGE_QUEUE_LEN) == BV_SCALE_SYMLOG);
  sn->procs[0].message_queue_len = 2;
  CHECK(bv_chart_scale_for(sn, BV_PF_MESSAGE_QUEUE_LEN) == BV_SCALE_LOG);
  CHECK(bv_chart_scale_for(sn, BV_PF_MEMORY) == BV_SCALE_LOG);
  sn->procs[0].message_queue_len = 0;
  /* the spec and the image: symlog, zeros where they are (no square for them) */
  bv_model m = {BV_MODEL_SNAPSHOT, {.snapshot = sn}};
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  o.y = "message_queue_len";
  bv_procs_view v;
  CHECK_INT(bv_procs_view_make(sn, &o, &v), 0);
  CHECK(v.yscale == BV_SCALE_SYMLOG && v.xscale == BV_SCALE_LOG);
  CHECK(v.yaxis.lo == 0 && v.yaxis.hi == 109);
  CHECK(v.xaxis.lo == 100 + 37 * 1 || v.xaxis.lo == 1); /* reductions 0 at rows 3: floor 1 */
  size_t zr = 0;
  for (size_t i = 0; i < sn->n; i++)
    zr += sn->procs[i].reductions == 0;
  CHECK_INT(v.zeros, zr);
  bv_procs_view_dispose(&v);
  int rc = -1;
  bv_emit_info info;
  char *vl = emit_vl(&m, &o, &info, &rc);
  CHECK_INT(rc, 0);
  CHECK(vl && strstr(vl, "\"type\": \"symlog\", \"constant\": 1, \"domain\": [0, 109], \"nice\": false"));
  CHECK(vl && strstr(vl, "max(datum.message_queue_len, 0)"));
  CHECK(vl && strstr(vl, "message_queue_len (symlog)"));
  free(vl);
  bv_scene *sc = NULL;
  CHECK_INT(bv_layout_scatter_model(&m, &o, fake, &sc, &info), 0);
  size_t squares = 0, ylabels = 0;
  int has_title = 0;
  for (size_t i = 0; sc && i < sc->n; i++) {
    const bv_sitem *it = &sc->items[i];
    squares += it->cls && !strcmp(it->cls, "zero");
    ylabels += it->cls && !strcmp(it->cls, "ylabel");
    has_title |= it->kind == BV_SI_TEXT && it->cls && !strcmp(it->cls, "ytitle") &&
                 !strcmp(it->text, "message_queue_len (symlog)");
  }
  CHECK_INT(squares, zr);
  CHECK(ylabels >= 4); /* 0, 1, 10, 100 at least */
  CHECK(has_title);
  bv_scene_free(sc);
  /* reductions 300 .. 2,000,000 at the default size: 500,000, 1,000,000 and
   * 2,000,000 are 47 px apart, too close for all three: 1,000,000 is
   * labelled (a greedy thinning from the left kept 500,000 and 2,000,000) */
  for (size_t i = 0; i < sn->n; i++)
    sn->procs[i].reductions = i == 0 ? 300 : i == 1 ? 2000000 : 400 + 50000 * i;
  CHECK_INT(bv_layout_scatter_model(&m, &o, fake, &sc, &info), 0);
  int has1m = 0;
  for (size_t i = 0; sc && i < sc->n; i++) {
    const bv_sitem *it = &sc->items[i];
    if (it->kind == BV_SI_TEXT && it->cls && !strcmp(it->cls, "xlabel"))
      has1m |= !strcmp(it->text, "1,000,000");
  }
  CHECK(has1m);
  bv_scene_free(sc);
  bv_snapshot_free(sn);
}

int main(void)
{
  bv_measure fake;
  bv_fake_measure(&fake);
  test_identity(&fake);
  test_agree(&fake);
  test_expr();
  test_fields(&fake);
  test_memory(&fake);
  test_memory_view();
  test_bars(&fake);
  test_axes(&fake);
  return check_report();
}
