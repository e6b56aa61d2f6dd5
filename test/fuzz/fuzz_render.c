/* fuzz_render.c: libFuzzer target for all that `beamviz render FILE.json` does with a
 * model file: load it, write every text format its kind has (Mermaid and Markdown,
 * Vega-Lite, JSON, CSV: into memory outputs), lay out its image and draw it as SVG,
 * PDF and PNG. The first byte chooses the options, the rest is the file:
 *   bit 0  dark theme                 bit 1  trees left to right
 *   bit 2  --all (system processes)   bit 3  small limits (3 children, depth 2,
 *                                            5 messages, --top 3, payload 10)
 *   bit 4  chart of memory against message_queue_len coloured by name
 *   bit 6  the top-N bars by memory (the image; the bar Vega-Lite is always written)
 *   bit 7  a trace across nodes: first its last traced node's part (render --node)
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

/* Runs a writer (bv_emit_fn) into a memory output and hands back its bytes
 * (copied) or NULL. */
static char *to_mem(bv_emit_fn w, const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                    size_t *len)
{
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  int rc = w(m, fmt, o, out, NULL);
  must(rc == 0 || rc == BV_ENOMEM);
  const char *p = bv_out_mem(out, len);
  char *copy = NULL;
  if (!rc && (copy = malloc(*len + 1))) {
    memcpy(copy, p, *len);
    copy[*len] = 0;
  }
  bv_out_abort(out);
  return copy;
}

/* The model file (the registry's JSON row). */
static int w_json(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                  bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  return bv_model_save(m, out);
}

/* A format's output, freed at once; JSON is loaded back as the same kind. */
static void emit(bv_emit_fn w, const bv_model *m, bv_format fmt, const bv_emit_opts *o)
{
  size_t len = 0;
  char *p = to_mem(w, m, fmt, o, &len);
  if (p && fmt == BV_FMT_JSON) {
    bv_model again;
    int rc = bv_model_load_mem("again.json", p, len, &again);
    must(rc == 0 || rc == BV_ENOMEM);
    must(rc || again.kind == m->kind);
    bv_model_dispose(&again);
  }
  free(p);
}

/* The view options the first byte chooses (see the top). */
static void opts_of(unsigned opt, bv_emit_opts *o)
{
  bv_emit_opts_init(o);
  o->dark = opt & 1;
  o->left_right = (opt >> 1) & 1;
  o->all = (opt >> 2) & 1;
  if (opt & 8) {
    o->max_children = 3;
    o->max_depth = 2;
    o->max_shown = 5;
    o->payload = 10;
  }
  if (opt & 16) {
    o->x = "memory";
    o->y = "message_queue_len";
    o->color = "name";
  }
  if (opt & 64) {
    o->chart = BV_CHART_BAR;
    o->by = "memory";
  }
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
  bv_emit_opts eo;
  opts_of(opt, &eo);
  if (!(opt & 8))
    eo.max_children = 0; /* images draw every node unless limited */
  bv_layout_fn lay = NULL;
  switch (m->kind) {
  case BV_MODEL_TREE: lay = bv_layout_tree_model; break;
  case BV_MODEL_TRACE: lay = bv_layout_seq_model; break;
  case BV_MODEL_SNAPSHOT:
    lay = eo.chart == BV_CHART_BAR ? bv_layout_bars_model : bv_layout_scatter_model;
    break;
  case BV_MODEL_MEMORY: lay = bv_layout_memory_model; break;
  case BV_MODEL_CLUSTER: lay = bv_layout_cluster_model; break;
  case BV_MODEL_APPS: return; /* no image */
  case BV_MODEL_NONE: abort();
  }
  bv_scene *s = NULL;
  int rc = lay(m, &eo, get_measure(), &s, NULL);
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
  bv_emit_opts o;
  opts_of(opt, &o);
  switch (m.kind) {
  case BV_MODEL_SNAPSHOT:
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_procs_csv, &m, BV_FMT_CSV, &o);
    emit(bv_emit_procs_vegalite, &m, BV_FMT_VEGALITE, &o);
    emit(bv_emit_procs_bars_vegalite, &m, BV_FMT_VEGALITE, &o);
    if (opt & 8) /* --top 3 --by memory, then the same outputs */
      must(bv_snapshot_top(m.u.snapshot, 3, BV_PF_MEMORY) == 0);
    emit(bv_emit_procs_vegalite, &m, BV_FMT_VEGALITE, &o);
    break;
  case BV_MODEL_MEMORY:
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_memory_csv, &m, BV_FMT_CSV, &o);
    emit(bv_emit_memory_vegalite, &m, BV_FMT_VEGALITE, &o);
    break;
  case BV_MODEL_TREE:
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_tree_mermaid, &m, BV_FMT_MERMAID, &o);
    o.max_children = 0; /* all: the automatic tightening has to do the work */
    emit(bv_emit_tree_mermaid, &m, BV_FMT_MD, &o);
    break;
  case BV_MODEL_TRACE:
    if ((opt & 128) && m.u.trace->nnodes) {
      const char *node = NULL;
      for (size_t i = 0; i < m.u.trace->nnodes; i++)
        if (m.u.trace->nodes[i].code == BV_OK)
          node = m.u.trace->nodes[i].node;
      int rc2 = node ? bv_trace_select_node(m.u.trace, node) : -1;
      must(rc2 == 0 || rc2 == BV_ENOMEM);
      must(bv_trace_select_node(m.u.trace, "") == BV_ENOTFOUND);
    }
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_seq_mermaid, &m, (opt >> 1) & 1 ? BV_FMT_MD : BV_FMT_MERMAID, &o);
    break;
  case BV_MODEL_CLUSTER:
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_cluster_mermaid, &m, (opt >> 1) & 1 ? BV_FMT_MD : BV_FMT_MERMAID, &o);
    emit(bv_emit_cluster_text, &m, BV_FMT_TEXT, &o);
    break;
  case BV_MODEL_APPS:
    emit(w_json, &m, BV_FMT_JSON, &o);
    emit(bv_emit_apps_text, &m, BV_FMT_TEXT, &o);
    break;
  case BV_MODEL_NONE: abort();
  }
  draw(&m, opt);
  bv_model_dispose(&m);
  free(doc);
  return 0;
}
