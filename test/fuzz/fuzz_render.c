/* fuzz_render.c: libFuzzer target for all that `beamviz render FILE.json` does with a
 * model file: load it, write every text format its kind has (Mermaid and Markdown,
 * Vega-Lite, JSON, CSV: into memory outputs), lay out its image and draw it as SVG,
 * PDF and PNG. The first byte chooses the options, the rest is the file:
 *   bit 0  dark theme                 bit 1  trees left to right
 *   bit 2  --all (system processes)   bit 3  small limits (3 children, depth 2,
 *                                            5 messages, --top 3, payload 10)
 *   bit 4  chart of memory against message_queue_len coloured by name
 * Images are drawn with the real font when fontconfig has it (the fake measurer
 * otherwise); the PNG is scaled to fit 256x256, SVG and PDF keep their natural size
 * (an input of a few kilobytes cannot describe a huge drawing; the renders bound
 * themselves anyway). The contract checked: a load fails only with BV_EFORMAT or
 * BV_ENOMEM naming the file; a model that loaded writes every format, its JSON loads
 * back as the same kind, its layout and every render succeed, and an SVG has one
 * <svg ...> ... </svg> with its title. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fontconfig keeps its configuration and caches until exit (the measurer stays
 * open for the whole run); LeakSanitizer would report them. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static void must(int ok)
{
  if (!ok)
    abort();
}

/* Runs write into a memory output and hands back its bytes (copied) or NULL. */
typedef int (*writer)(const void *model, const void *opt, bv_out *out);

static char *to_mem(writer w, const void *model, const void *opt, size_t *len)
{
  bv_out *o;
  if (bv_out_open_mem(&o))
    return NULL;
  int rc = w(model, opt, o);
  must(rc == 0 || rc == BV_ENOMEM);
  const char *p = bv_out_mem(o, len);
  char *copy = NULL;
  if (!rc && (copy = malloc(*len + 1))) {
    memcpy(copy, p, *len);
    copy[*len] = 0;
  }
  bv_out_abort(o);
  return copy;
}

static int w_snap_json(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  return bv_snapshot_write_json(m, o);
}
static int w_snap_csv(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  return bv_snapshot_write_csv(m, o);
}
static int w_snap_vl(const void *m, const void *opt, bv_out *o)
{
  return bv_snapshot_write_vegalite(m, opt, o);
}
static int w_mem_json(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  return bv_memseries_write_json(m, o);
}
static int w_mem_csv(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  return bv_memseries_write_csv(m, o);
}
static int w_mem_vl(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  return bv_memseries_write_vegalite(m, o);
}
static int w_tree_json(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_tree_json(&b, m);
  if (!rc)
    rc = bv_out_buf(o, &b);
  bv_buf_dispose(&b);
  return rc;
}
static int w_tree_mmd(const void *m, const void *opt, bv_out *o)
{
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_tree_mermaid(&b, m, opt, NULL);
  if (!rc)
    rc = bv_out_buf(o, &b);
  bv_buf_dispose(&b);
  return rc;
}
static int w_trace_json(const void *m, const void *opt, bv_out *o)
{
  (void)opt;
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_trace_json(&b, m);
  if (!rc)
    rc = bv_out_buf(o, &b);
  bv_buf_dispose(&b);
  return rc;
}
static int w_trace_mmd(const void *m, const void *opt, bv_out *o)
{
  bv_buf b;
  bv_buf_init(&b);
  int rc = bv_trace_mermaid(&b, m, opt, NULL);
  if (!rc)
    rc = bv_out_buf(o, &b);
  bv_buf_dispose(&b);
  return rc;
}

/* A format's output, freed at once; JSON is loaded back. */
static void emit(writer w, const void *model, const void *opt, bv_model_kind reload)
{
  size_t len = 0;
  char *p = to_mem(w, model, opt, &len);
  if (p && reload != BV_MODEL_NONE) {
    bv_model m;
    int rc = bv_model_load_mem("again.json", p, len, &m);
    must(rc == 0 || rc == BV_ENOMEM);
    must(rc || m.kind == reload);
    bv_model_dispose(&m);
  }
  free(p);
}

static bv_measure measure;

static const bv_measure *get_measure(void)
{
  static int opened;
  if (!opened) {
    opened = 1;
    if (bv_cairo_measure_open(NULL, &measure))
      bv_fake_measure(&measure);
  }
  return &measure;
}

static void draw(const bv_model *m, unsigned opt)
{
  bv_layout_opts lo;
  memset(&lo, 0, sizeof lo);
  lo.dark = opt & 1;
  lo.left_right = (opt >> 1) & 1;
  lo.show_system = (opt >> 2) & 1;
  if (opt & 8) {
    lo.max_children = 3;
    lo.max_depth = 2;
    lo.max_shown = 5;
  }
  if (opt & 16) {
    lo.x_field = "memory";
    lo.y_field = "message_queue_len";
    lo.color_field = "name";
  }
  bv_scene *s = NULL;
  int rc = 0;
  switch (m->kind) {
  case BV_MODEL_TREE: rc = bv_layout_tree(m->u.tree, &lo, get_measure(), &s); break;
  case BV_MODEL_TRACE: rc = bv_layout_seq(m->u.trace, &lo, get_measure(), &s); break;
  case BV_MODEL_SNAPSHOT: rc = bv_layout_scatter(m->u.snapshot, &lo, get_measure(), &s); break;
  case BV_MODEL_MEMORY: rc = bv_layout_memory(m->u.memory, &lo, get_measure(), &s); break;
  case BV_MODEL_APPS:
  case BV_MODEL_NONE: abort();
  }
  must(rc == 0 || rc == BV_ENOMEM);
  if (rc)
    return;
  static const bv_format fmts[] = {BV_FMT_SVG, BV_FMT_PDF, BV_FMT_PNG};
  for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
    bv_render_opts ro;
    memset(&ro, 0, sizeof ro);
    if (fmts[i] == BV_FMT_PNG)
      ro.fit_width = ro.fit_height = 256;
    ro.transparent = (opt >> 5) & 1;
    bv_out *o;
    if (bv_out_open_mem(&o))
      continue;
    rc = bv_render(s, fmts[i], &ro, o);
    must(rc == 0 || rc == BV_ENOMEM);
    if (!rc && fmts[i] == BV_FMT_SVG) {
      size_t len;
      const char *svg = bv_out_mem(o, &len);
      const char *open = strstr(svg, "<svg"), *close = strstr(svg, "</svg>");
      must(open && close && close > open && strstr(close + 6, "<svg") == NULL &&
           strstr(close + 1, "</svg>") == NULL);
      must(!s->title || strstr(svg, "<title>") != NULL);
    }
    bv_out_abort(o);
  }
  bv_scene_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned opt = data[0];
  size_t n = size - 1;
  char *doc = malloc(n ? n : 1); /* exact size: ASan sees a read past len */
  if (!doc)
    return 0;
  memcpy(doc, data + 1, n);
  bv_model m;
  int rc = bv_model_load_mem("fuzz.json", doc, n, &m);
  if (rc) {
    must(rc == BV_EFORMAT || rc == BV_ENOMEM);
    must(rc != BV_EFORMAT || strncmp(bv_error_last(), "fuzz.json", 9) == 0);
    must(m.kind == BV_MODEL_NONE);
    free(doc);
    return 0;
  }
  int small = (opt >> 3) & 1;
  switch (m.kind) {
  case BV_MODEL_SNAPSHOT: {
    bv_procs_chart chart = {BV_PF_NONE, BV_PF_NONE, BV_PF_NONE};
    if (opt & 16) {
      chart.x = BV_PF_MEMORY;
      chart.y = BV_PF_MESSAGE_QUEUE_LEN;
      chart.color = BV_PF_NAME;
    }
    emit(w_snap_json, m.u.snapshot, NULL, BV_MODEL_SNAPSHOT);
    emit(w_snap_csv, m.u.snapshot, NULL, BV_MODEL_NONE);
    emit(w_snap_vl, m.u.snapshot, &chart, BV_MODEL_NONE);
    if (small) /* --top 3 --by memory, then the same outputs */
      must(bv_snapshot_top(m.u.snapshot, 3, BV_PF_MEMORY) == 0);
    emit(w_snap_vl, m.u.snapshot, &chart, BV_MODEL_NONE);
    break;
  }
  case BV_MODEL_MEMORY:
    emit(w_mem_json, m.u.memory, NULL, BV_MODEL_MEMORY);
    emit(w_mem_csv, m.u.memory, NULL, BV_MODEL_NONE);
    emit(w_mem_vl, m.u.memory, NULL, BV_MODEL_NONE);
    break;
  case BV_MODEL_TREE: {
    bv_tree_mmd_opts mo = {small ? 3 : 12, small ? 2 : 0, (opt >> 1) & 1, 0};
    emit(w_tree_json, m.u.tree, NULL, BV_MODEL_TREE);
    emit(w_tree_mmd, m.u.tree, &mo, BV_MODEL_NONE);
    mo.max_children = 0; /* all: the automatic tightening has to do the work */
    mo.markdown = 1;
    emit(w_tree_mmd, m.u.tree, &mo, BV_MODEL_NONE);
    break;
  }
  case BV_MODEL_TRACE: {
    bv_seq_mmd_opts so = {small ? 5 : 0, small ? 10 : 0, (opt >> 2) & 1, (opt >> 1) & 1};
    emit(w_trace_json, m.u.trace, NULL, BV_MODEL_TRACE);
    emit(w_trace_mmd, m.u.trace, &so, BV_MODEL_NONE);
    break;
  }
  case BV_MODEL_APPS:
  case BV_MODEL_NONE: abort();
  }
  draw(&m, opt);
  bv_model_dispose(&m);
  free(doc);
  return 0;
}
