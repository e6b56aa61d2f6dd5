/* emit.c: the one way every command writes a model: the view options of its
 * kind into bv_emit_opts, the format, bv_emit into a bv_out committed whole
 * or not at all, then the stderr notes (the CLI's words, with option names)
 * from what bv_emit_info says was left out. Also what `render` accepts per
 * kind and its --help. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Each model kind: the command that collects it and the names of its view
 * options (in that command's option table), which `render` accepts too. */
static const char *const procs_view[] = {"top", "by", "chart", "x", "y", "color", NULL};
static const char *const no_view[] = {NULL};
static const char *const suptree_view[] = {"max-children", "max-depth", "direction", "links",
                                           NULL};
static const char *const seqtrace_view[] = {"payload", "max-shown", "all", NULL};

static const struct {
  bv_model_kind kind;
  const char *cmd;
  const cli_opt *opts;
  const char *const *view;
} kinds[] = {
    {BV_MODEL_SNAPSHOT, "procs", cmd_procs_opts, procs_view},
    {BV_MODEL_MEMORY, "memory", cmd_memory_opts, no_view},
    {BV_MODEL_TREE, "suptree", cmd_suptree_opts, suptree_view},
    {BV_MODEL_TRACE, "seqtrace", cmd_seqtrace_opts, seqtrace_view},
    {BV_MODEL_APPS, "apps", cmd_apps_opts, no_view},
    {BV_MODEL_CLUSTER, "cluster", cmd_cluster_opts, no_view},
};
#define NKINDS (sizeof kinds / sizeof *kinds)

/* Options render itself takes, whatever the kind. */
static const char *const render_own[] = {"output", "format", "max-input", "help", NULL};

static int in(const char *const *names, const char *name)
{
  for (; *names; names++)
    if (strcmp(*names, name) == 0)
      return 1;
  return 0;
}

static int kind_index(bv_model_kind k)
{
  for (size_t i = 0; i < NKINDS; i++)
    if (kinds[i].kind == k)
      return (int)i;
  return -1;
}

static int is_image(bv_format f) { return f == BV_FMT_PNG || f == BV_FMT_SVG || f == BV_FMT_PDF; }

int cli_kind_images(bv_model_kind kind)
{
  for (const bv_format *f = bv_emit_formats(kind); *f != BV_FMT_NONE; f++)
    if (is_image(*f))
      return 1;
  return 0;
}

/* "vega-lite, json, csv, png, svg, pdf" */
static void format_list(bv_model_kind kind, char *out, size_t cap)
{
  size_t k = 0;
  out[0] = 0;
  for (const bv_format *f = bv_emit_formats(kind); *f != BV_FMT_NONE && k < cap; f++) {
    int w = snprintf(out + k, cap - k, "%s%s", k ? ", " : "", bv_format_name(*f));
    if (w < 0)
      break;
    k += (size_t)w;
  }
}

int cli_format(const cli_ctx *ctx, bv_model_kind kind, const char **path, bv_format *fmt)
{
  const char *p = cli_get(ctx, "output");
  const char *f = cli_get(ctx, "format");
  *path = p ? p : "-";
  bv_format x;
  if (f) {
    x = bv_format_from_name(f);
    if (x == BV_FMT_NONE)
      return cli_error(EXIT_USAGE, "--format: unknown format '%s'", f);
  } else if (p && strcmp(p, "-") != 0) {
    x = bv_format_from_path(p);
    if (x == BV_FMT_NONE) {
      const char *dot = strrchr(p, '.');
      return cli_error(EXIT_USAGE,
                       "-o %s: unknown extension '%s' (use --format, or one of .vl.json "
                       ".json .csv .mmd .md .txt .png .svg .pdf)",
                       p, dot ? dot : "");
    }
  } else {
    x = bv_emit_formats(kind)[0];
  }
  for (const bv_format *a = bv_emit_formats(kind); *a != BV_FMT_NONE; a++)
    if (*a == x) {
      *fmt = x;
      return EXIT_OK;
    }
  char list[128];
  format_list(kind, list, sizeof list);
  const char *k = bv_model_kind_name(kind);
  return cli_error(EXIT_USAGE, "'beamviz %s' cannot write %s output: %s %s model can be written as %s",
                   ctx->cmd->name, bv_format_name(x), strchr("aeiou", k[0]) ? "an" : "a", k, list);
}

static int field_opt(const cli_ctx *ctx, const char *opt, int numeric, const char **out)
{
  const char *v = cli_get(ctx, opt);
  if (!v)
    return EXIT_OK;
  bv_proc_field f = bv_proc_field_from_name(v);
  /* numeric 1: any number (--by); 2: a chart axis (never negative) */
  int ok = numeric == 2 ? bv_proc_field_axis(f)
           : numeric  ? bv_proc_field_numeric(f)
                      : (f == BV_PF_STATUS || f == BV_PF_NAME || f == BV_PF_CURRENT_FUNCTION ||
                         f == BV_PF_INITIAL_CALL || f == BV_PF_LABEL || f == BV_PF_WINDOW ||
                         f == BV_PF_NODE);
  if (!ok)
    return cli_error(EXIT_USAGE, "--%s: '%s' is not one of %s", opt, v,
                     numeric == 2 ? "reductions|memory|message_queue_len|reductions_per_sec"
                     : numeric    ? "reductions|memory|message_queue_len|reductions_per_sec|"
                                    "memory_change|message_queue_len_change"
                                  : "status|name|label|current_function|initial_call|window|node");
  *out = v;
  return EXIT_OK;
}

int cli_view_opts(const cli_ctx *ctx, bv_model_kind kind, bv_format fmt, bv_emit_opts *o)
{
  bv_emit_opts_init(o);
  unsigned long v;
  const char *s;
  int rc;
  switch (kind) {
  case BV_MODEL_SNAPSHOT:
    if ((rc = cli_uint(ctx, "top", 1, 100000000, 0, &v)) || (rc = field_opt(ctx, "by", 1, &o->by)) ||
        (rc = field_opt(ctx, "x", 2, &o->x)) || (rc = field_opt(ctx, "y", 2, &o->y)) ||
        (rc = field_opt(ctx, "color", 0, &o->color)))
      return rc;
    /* the chart: bars of the top N when --top is given, else the scatter;
     * the scatter's own options (axes, colour) ask for the scatter */
    int scatter = cli_get(ctx, "x") || cli_get(ctx, "y") || cli_get(ctx, "color");
    if ((rc = cli_choice(ctx, "chart", "scatter|bar",
                         cli_get(ctx, "top") && !scatter ? "bar" : "scatter", &s)))
      return rc;
    o->chart = strcmp(s, "bar") == 0 ? BV_CHART_BAR : BV_CHART_SCATTER;
    if (o->chart == BV_CHART_BAR && scatter)
      return cli_error(EXIT_USAGE, "--chart bar: --x, --y and --color draw the scatter "
                                   "(--chart scatter); bars are named, sorted by --by");
    if (cli_get(ctx, "chart") && (fmt == BV_FMT_CSV || fmt == BV_FMT_JSON || fmt == BV_FMT_TEXT))
      return cli_error(EXIT_USAGE, "--chart: %s output has no chart (vega-lite, png, svg, pdf)",
                       bv_format_name(fmt));
    /* a text table keeps the top 20 by --by unless told otherwise; bars
     * are sorted by it */
    if (cli_get(ctx, "by") && !cli_get(ctx, "top") && fmt != BV_FMT_TEXT &&
        o->chart != BV_CHART_BAR)
      return cli_error(EXIT_USAGE, "--by: needs --top N (keep the N largest by FIELD) or --chart bar");
    /* x's default depends on the snapshot (reductions_per_sec over a window):
       --y alone is checked when the model is known */
    if (o->x && strcmp(o->x, o->y ? o->y : "memory") == 0)
      return cli_error(EXIT_USAGE, "--x and --y: both are '%s'; pick two different fields",
                       o->x);
    break;
  case BV_MODEL_TREE:
    if ((rc = cli_uint(ctx, "max-children", 0, 1000000, o->max_children, &v)))
      return rc;
    o->max_children = (unsigned)v;
    if ((rc = cli_uint(ctx, "max-depth", 0, 10000, o->max_depth, &v)))
      return rc;
    o->max_depth = (unsigned)v;
    if ((rc = cli_choice(ctx, "direction", "auto|TD|LR", "auto", &s)))
      return rc;
    o->left_right = strcmp(s, "LR") == 0;
    o->direction = strcmp(s, "LR") == 0 ? BV_DIR_LR : strcmp(s, "TD") == 0 ? BV_DIR_TD
                                                                           : BV_DIR_AUTO;
    /* --links alone means all */
    s = cli_get(ctx, "links");
    if (s && *s && (rc = cli_choice(ctx, "links", "none|members|all", "all", &s)))
      return rc;
    if (s)
      o->links = !*s || strcmp(s, "all") == 0 ? BV_LINKS_ALL
                 : strcmp(s, "members") == 0  ? BV_LINKS_MEMBERS
                                              : BV_LINKS_NONE;
    break;
  case BV_MODEL_TRACE:
    if ((rc = cli_uint(ctx, "max-shown", 1, 100000, o->max_shown, &v)))
      return rc;
    o->max_shown = (unsigned)v;
    if ((rc = cli_uint(ctx, "payload", 0, 10000, 0, &v)))
      return rc;
    o->payload = (unsigned)v;
    o->all = cli_flag(ctx, "all");
    break;
  default: break;
  }
  /* image options count only for an image: a bad --width fails here, before
     any node work */
  if (is_image(fmt))
    return cli_image_config(ctx, o);
  return EXIT_OK;
}

/* --- notes: one wording per kind, whatever the format --------------------- */

static void tree_note(const bv_emit_info *fi, const bv_emit_opts *o)
{
  if (!fi->folds && !fi->links_dropped)
    return;
  size_t hidden = fi->hidden_siblings + fi->hidden_below;
  if (fi->reduced)
    cli_note("%zu of %zu nodes folded: the tree is too big for Mermaid (under 500 edges, "
             "50,000 characters), so it was drawn with --max-children %u --max-depth %u%s; "
             "see all with --format json, or in an image with both limits set to 0",
             hidden, fi->nodes, fi->max_children, fi->max_depth,
             fi->links_dropped ? " and without link edges" : "");
  else if (fi->hidden_below && fi->hidden_siblings)
    cli_note("%zu of %zu nodes folded (--max-children %u, --max-depth %u); see all with "
             "--max-children 0 --max-depth 0, or --format json",
             hidden, fi->nodes, o->max_children, o->max_depth);
  else if (fi->hidden_below)
    cli_note("%zu of %zu nodes folded below depth %u (--max-depth); see all with "
             "--max-depth 0, or --format json",
             hidden, fi->nodes, o->max_depth);
  else if (fi->hidden_siblings)
    cli_note("%zu of %zu nodes folded (siblings beyond --max-children %u); see all with "
             "--max-children 0, or --format json",
             hidden, fi->nodes, o->max_children);
}

static void trace_note(const bv_emit_info *i, const bv_emit_opts *o)
{
  /* fewer than --max-shown drawn: Mermaid's size limit cut the rest */
  if (i->left_out)
    cli_note("%zu of %zu messages drawn (--max-shown %u%s); every one is in the JSON model "
             "(--format json)",
             i->shown, i->shown + i->left_out, o->max_shown,
             o->max_shown && i->shown < o->max_shown ? "; Mermaid stops at 50,000 characters"
                                                     : "");
}

static void png_note(const char *path, const bv_model *m, const bv_emit_info *i,
                     const bv_emit_opts *o)
{
  double want = o->scale;
  int chart = m->kind == BV_MODEL_SNAPSHOT || m->kind == BV_MODEL_MEMORY;
  if (!chart && i->width > 0 && i->height > 0) {
    double k = 1;
    if (o->width)
      k = o->width / i->width;
    if (o->height && (!o->width || o->height / i->height < k))
      k = o->height / i->height;
    want *= k;
  }
  if (i->scaled_to > 0 && i->scaled_to < want * 0.999)
    cli_note("%s: a %.0fx%.0f-pixel PNG is beyond cairo's limits (%d pixels a side, 128 "
             "megapixels): scaled to %.0f%% to fit; SVG or PDF keep full size",
             path, ceil(i->width * want), ceil(i->height * want), BV_PNG_MAX,
             100 * i->scaled_to / want);
}

int cli_emit(cli_ctx *ctx, const bv_model *m, const char *path)
{
  const char *p;
  bv_format fmt;
  bv_emit_opts o;
  int rc = cli_format(ctx, m->kind, &p, &fmt);
  if (rc || (rc = cli_view_opts(ctx, m->kind, fmt, &o)))
    return rc;
  if (path)
    p = path;
  bv_out *out;
  if ((rc = bv_out_open(p, &out)))
    return cli_fail(rc);
  bv_emit_info info;
  rc = bv_emit(m, fmt, &o, out, &info);
  if (rc) {
    bv_out_abort(out);
    if (is_image(fmt) && rc == BV_ENOTFOUND) {
      if (o.font)
        return cli_error(EXIT_USAGE, "--font: %s", bv_error_last());
      return cli_error(EXIT_INTERNAL, "%s: install fonts-dejavu-core or pass --font FAMILY",
                       bv_error_last());
    }
    return cli_fail(rc);
  }
  if ((rc = bv_out_commit(out)))
    return cli_fail(rc);
  cli_emit_notes(p, m, fmt, &o, &info);
  return EXIT_OK;
}

void cli_emit_notes(const char *path, const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                    const bv_emit_info *info)
{
  switch (m->kind) {
  case BV_MODEL_TREE: tree_note(info, o); break;
  case BV_MODEL_TRACE: trace_note(info, o); break;
  case BV_MODEL_CLUSTER:
    if (info->left_out && (fmt == BV_FMT_MERMAID || fmt == BV_FMT_MD))
      cli_note("%zu connections left out of the Mermaid (it draws at most 499 edges); every "
               "one is in the JSON model (--format json) and the images",
               info->left_out);
    if (info->reduced && (fmt == BV_FMT_MERMAID || fmt == BV_FMT_MD))
      cli_note("node names alone in the Mermaid: with their facts it passes Mermaid's 50,000 "
               "characters; the text table (--format text) and the images have them");
    if (info->nodes_left_out && (fmt == BV_FMT_MERMAID || fmt == BV_FMT_MD))
      cli_note("%zu nodes left out of the Mermaid to keep it under Mermaid's 50,000 "
               "characters; every one is in the JSON model and the images",
               info->nodes_left_out);
    break;
  default: break;
  }
  if (fmt == BV_FMT_PNG)
    png_note(path, m, info, o);
}

int cli_save_model(bv_out *out, const void *m) { return bv_model_save(m, out); }

int cli_write_model(cli_ctx *ctx, const bv_model *m, const char *path, const char *save)
{
  bv_out *pending;
  int rc = cli_save_begin(save, cli_save_model, m, &pending);
  return rc == EXIT_OK ? cli_save_end(pending, cli_emit(ctx, m, path)) : rc;
}

/* --- render: exactly the options of the kind it loaded -------------------- */

static void takes_list(bv_model_kind kind, char *out, size_t cap)
{
  int i = kind_index(kind);
  size_t k = 0;
  out[0] = 0;
#define ADD(...)                                                                                 \
  do {                                                                                           \
    int w_ = k < cap ? snprintf(out + k, cap - k, __VA_ARGS__) : -1;                             \
    if (w_ > 0)                                                                                  \
      k += (size_t)w_;                                                                           \
  } while (0)
  for (const char *const *v = i >= 0 ? kinds[i].view : no_view; *v; v++)
    ADD("--%s, ", *v);
  ADD("-o/--output, --format, --max-input");
  if (cli_kind_images(kind))
    for (const cli_opt *io = cli_image_opts; io->name; io++)
      ADD(", --%s", io->name);
#undef ADD
}

int cli_render_check(const cli_ctx *ctx, bv_model_kind kind)
{
  int i = kind_index(kind);
  for (size_t j = 0; j < ctx->nkv; j++) {
    const char *name = ctx->kv[j].name;
    if (in(render_own, name) || (i >= 0 && in(kinds[i].view, name)))
      continue;
    /* one node's part of a cluster's snapshot, application list, memory series,
       trees or trace */
    if (strcmp(name, "node") == 0 &&
        (kind == BV_MODEL_SNAPSHOT || kind == BV_MODEL_APPS || kind == BV_MODEL_MEMORY ||
         kind == BV_MODEL_TREE || kind == BV_MODEL_TRACE))
      continue;
    int image = 0;
    for (const cli_opt *io = cli_image_opts; io->name; io++)
      image |= strcmp(io->name, name) == 0;
    if (image && cli_kind_images(kind))
      continue;
    char list[512];
    takes_list(kind, list, sizeof list);
    const char *k = bv_model_kind_name(kind);
    return cli_error(EXIT_USAGE, "render: --%s does not apply to %s %s model (it takes: %s)",
                     name, strchr("aeiou", k[0]) ? "an" : "a", k, list);
  }
  return EXIT_OK;
}

const cli_opt *cli_render_find_opt(const char *name, size_t n)
{
  /* any command's option parses, so that one of another kind is told apart
     from a typo once the file is read */
  for (size_t i = 0; i < NKINDS; i++)
    for (const cli_opt *o = kinds[i].opts; o->name; o++)
      if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
        return o;
  for (const cli_opt *o = cli_image_opts; o->name; o++)
    if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
      return o;
  return NULL;
}

void cli_render_help(void (*print_opts)(const cli_opt *))
{
  for (size_t i = 0; i < NKINDS; i++) {
    char list[128];
    format_list(kinds[i].kind, list, sizeof list);
    printf("\n%s model (from beamviz %s): %s (the first is the default)\n",
           bv_model_kind_name(kinds[i].kind), kinds[i].cmd, list);
    if (!kinds[i].view[0])
      printf("  no view options\n");
    for (const char *const *v = kinds[i].view; *v; v++)
      for (const cli_opt *o = kinds[i].opts; o->name; o++)
        if (strcmp(o->name, *v) == 0) {
          cli_opt one[2] = {*o, {NULL, NULL, NULL}};
          print_opts(one);
        }
  }
  printf("\nimage options (png, svg, pdf; every kind but apps):\n");
  print_opts(cli_image_opts);
}
