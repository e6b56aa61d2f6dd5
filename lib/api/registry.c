/* api/registry.c: the one (model kind x format) registry behind bv_emit.
 * A new text format is a writer (a bv_emit_fn) and a row here; a new image
 * format is a case in render/ and a row per kind. */
#include "api/api.h"

#include <pthread.h>
#include <string.h>

void bv_emit_opts_init(bv_emit_opts *o)
{
  memset(o, 0, sizeof *o);
  o->max_children = 12;
  o->links = BV_LINKS_DEFAULT; /* each format's own */
  o->max_shown = 200;
  o->scale = 1;
}

/* The model file itself: the JSON every kind is saved as. */
static int emit_json(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                     bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  return bv_model_save(m, out);
}

/* A snapshot's chart: the scatter, or the top-N bars (o->chart). */
static int emit_procs_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                               bv_out *out, bv_emit_info *info)
{
  return o && o->chart == BV_CHART_BAR ? bv_emit_procs_bars_vegalite(m, fmt, o, out, info)
                                       : bv_emit_procs_vegalite(m, fmt, o, out, info);
}

static int layout_procs(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                        bv_scene **out, bv_emit_info *info)
{
  return o && o->chart == BV_CHART_BAR ? bv_layout_bars_model(m, o, ms, out, info)
                                       : bv_layout_scatter_model(m, o, ms, out, info);
}

/* Rows per kind in the order bv_emit_formats lists them: the default first.
 * A row has a text writer, or a layout for the image writer. */
typedef struct row {
  bv_model_kind kind;
  bv_format fmt;
  bv_emit_fn emit;
  bv_layout_fn layout;
} row;

#define IMAGES(k, fn)                                                                            \
  {k, BV_FMT_PNG, NULL, fn}, {k, BV_FMT_SVG, NULL, fn}, { k, BV_FMT_PDF, NULL, fn }

static const row rows[] = {
    {BV_MODEL_SNAPSHOT, BV_FMT_VEGALITE, emit_procs_vegalite, NULL},
    {BV_MODEL_SNAPSHOT, BV_FMT_JSON, emit_json, NULL},
    {BV_MODEL_SNAPSHOT, BV_FMT_CSV, bv_emit_procs_csv, NULL},
    {BV_MODEL_SNAPSHOT, BV_FMT_TEXT, bv_emit_procs_text, NULL},
    IMAGES(BV_MODEL_SNAPSHOT, layout_procs),
    {BV_MODEL_MEMORY, BV_FMT_VEGALITE, bv_emit_memory_vegalite, NULL},
    {BV_MODEL_MEMORY, BV_FMT_JSON, emit_json, NULL},
    {BV_MODEL_MEMORY, BV_FMT_CSV, bv_emit_memory_csv, NULL},
    {BV_MODEL_MEMORY, BV_FMT_TEXT, bv_emit_memory_text, NULL},
    IMAGES(BV_MODEL_MEMORY, bv_layout_memory_model),
    {BV_MODEL_TREE, BV_FMT_MERMAID, bv_emit_tree_mermaid, NULL},
    {BV_MODEL_TREE, BV_FMT_MD, bv_emit_tree_mermaid, NULL},
    {BV_MODEL_TREE, BV_FMT_JSON, emit_json, NULL},
    {BV_MODEL_TREE, BV_FMT_TEXT, bv_emit_tree_text, NULL},
    IMAGES(BV_MODEL_TREE, bv_layout_tree_model),
    {BV_MODEL_TRACE, BV_FMT_MERMAID, bv_emit_seq_mermaid, NULL},
    {BV_MODEL_TRACE, BV_FMT_MD, bv_emit_seq_mermaid, NULL},
    {BV_MODEL_TRACE, BV_FMT_JSON, emit_json, NULL},
    IMAGES(BV_MODEL_TRACE, bv_layout_seq_model),
    {BV_MODEL_APPS, BV_FMT_TEXT, bv_emit_apps_text, NULL},
    {BV_MODEL_APPS, BV_FMT_JSON, emit_json, NULL},
    {BV_MODEL_APPS, BV_FMT_CSV, bv_emit_apps_csv, NULL},
    {BV_MODEL_APPS, BV_FMT_MD, bv_emit_apps_md, NULL},
    {BV_MODEL_CLUSTER, BV_FMT_MERMAID, bv_emit_cluster_mermaid, NULL},
    {BV_MODEL_CLUSTER, BV_FMT_MD, bv_emit_cluster_mermaid, NULL},
    {BV_MODEL_CLUSTER, BV_FMT_JSON, emit_json, NULL},
    {BV_MODEL_CLUSTER, BV_FMT_TEXT, bv_emit_cluster_text, NULL},
    IMAGES(BV_MODEL_CLUSTER, bv_layout_cluster_model),
};
#define NROWS (sizeof rows / sizeof *rows)

/* Each kind's formats, BV_FMT_NONE-ended, filled from rows[] once
 * (pthread_once: bv_emit may be called from several threads). */
#define NKINDS (BV_MODEL_CLUSTER + 1)
static bv_format formats[NKINDS][NROWS + 1];
static pthread_once_t formats_once = PTHREAD_ONCE_INIT;

static void fill_formats(void)
{
  size_t n[NKINDS] = {0};
  for (size_t i = 0; i < NROWS; i++)
    if ((int)rows[i].kind >= 0 && rows[i].kind < NKINDS)
      formats[rows[i].kind][n[rows[i].kind]++] = rows[i].fmt;
}

const bv_format *bv_emit_formats(bv_model_kind kind)
{
  static const bv_format none[] = {BV_FMT_NONE};
  if ((int)kind < 0 || kind >= NKINDS)
    return none;
  pthread_once(&formats_once, fill_formats);
  return formats[kind];
}

static const row *find(bv_model_kind kind, bv_format fmt)
{
  for (size_t i = 0; i < NROWS; i++)
    if (rows[i].kind == kind && rows[i].fmt == fmt)
      return &rows[i];
  return NULL;
}

static int no_row(bv_model_kind kind, bv_format fmt)
{
  const char *k = bv_model_kind_name(kind);
  if (!k)
    return bv_error_set(BV_EINVAL, "nothing to write (empty model)");
  bv_buf b;
  bv_buf_init(&b);
  for (const bv_format *f = bv_emit_formats(kind); *f != BV_FMT_NONE; f++)
    bv_buf_printf(&b, "%s%s", f == bv_emit_formats(kind) ? "" : ", ", bv_format_name(*f));
  int rc = bv_error_set(BV_EINVAL, "%s %s model cannot be written as %s; it can be written as %s",
                        strchr("aeiou", k[0]) ? "an" : "a", k, fmt == BV_FMT_NONE ? "nothing" : bv_format_name(fmt),
                        b.data && !b.failed ? b.data : "?");
  bv_buf_dispose(&b);
  return rc;
}

int bv_emit(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
            bv_emit_info *info)
{
  if (info)
    memset(info, 0, sizeof *info);
  if (!m || !out)
    return bv_error_set(BV_EINVAL, "bv_emit: no model or no output");
  const row *r = find(m->kind, fmt);
  if (!r)
    return no_row(m->kind, fmt);
  bv_emit_opts dflt;
  if (!o) {
    bv_emit_opts_init(&dflt);
    o = &dflt;
  }
  if (r->emit)
    return r->emit(m, fmt, o, out, info);
  return bv_emit_image(m, fmt, o, r->layout, out, info);
}
