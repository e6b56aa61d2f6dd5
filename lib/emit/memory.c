/* emit/memory.c: the memory series as CSV and as a Vega-Lite line chart
 * drawn from the memory view (view/chart.c). */
#include "emit/emit.h"
#include "util/util.h"

#include <string.h>

static int memory_of(const bv_model *m, const bv_memseries **ms)
{
  if (!m || m->kind != BV_MODEL_MEMORY || !m->u.memory)
    return bv_error_set(BV_EINVAL, "not a memory series");
  *ms = m->u.memory;
  return 0;
}

/* every kind, in bytes: the CSV is the data, not the chart */
static int write_csv(const bv_memseries *m, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  /* a cluster's rows start with their node */
  bv_wr_str(&w, m->nnodes ? "node,iter,t_ms" : "iter,t_ms");
  for (int k = 0; k < BV_MEM_NKINDS; k++) {
    bv_wr_str(&w, ",");
    bv_wr_str(&w, bv_mem_kinds[k]);
  }
  bv_wr_str(&w, "\r\n");
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
    if (m->nnodes) {
      bv_wr_csv(&w, s->node < m->nnodes ? m->nodes[s->node].node : "");
      bv_wr_str(&w, ",");
    }
    bv_wr_u64(&w, s->iter);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, s->t_ms);
    for (int k = 0; k < BV_MEM_NKINDS; k++) {
      bv_wr_str(&w, ",");
      bv_wr_u64(&w, s->bytes[k]);
    }
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  return bv_wr_finish(&w);
}

static int is(const char *name, size_t n, const char *want)
{
  return strlen(want) == n && memcmp(name, want, n) == 0;
}

typedef struct vl_ctx {
  const bv_memseries *m;
  bv_memory_view v;
  const char *panel_tmpl;
  const bv_memory_panel *p; /* the panel being written */
} vl_ctx;

static void put_kinds(bv_buf *b, const bv_memory_view *v, const size_t *idx, size_t n)
{
  bv_buf_puts(b, "[");
  for (size_t k = 0; k < n; k++)
    bv_buf_printf(b, "%s\"%s\"", k ? ", " : "", v->kinds[idx ? idx[k] : k]);
  bv_buf_puts(b, "]");
}

static void put_nodes(bv_wr *w, const bv_memory_view *v)
{
  bv_buf_puts(&w->b, "[");
  for (size_t j = 0; j < v->nseries; j++) {
    bv_buf_puts(&w->b, j ? ", " : "");
    bv_wr_json(w, v->series[j]);
  }
  bv_buf_puts(&w->b, "]");
}

/* the slots of one panel (templates/memory_panel.vl.json) */
static void panel_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const vl_ctx *c = ud;
  const bv_memory_view *v = &c->v;
  const bv_memory_panel *p = c->p;
  bv_buf *b = &w->b;
  if (is(name, n, "height")) {
    bv_buf_double(b, p->height);
  } else if (is(name, n, "panel_kinds")) {
    put_kinds(b, v, p->kinds, p->nkinds);
  } else if (is(name, n, "kinds")) {
    /* the colour domain: the kinds, or a cluster's nodes */
    if (v->cluster)
      put_nodes(w, v);
    else
      put_kinds(b, v, NULL, v->nkinds);
  } else if (is(name, n, "color_field")) {
    bv_wr_json(w, v->cluster ? "node" : "kind");
  } else if (is(name, n, "x_field")) {
    bv_wr_json(w, v->x_field);
  } else if (is(name, n, "x_title")) {
    if (p->x_labels)
      bv_wr_json(w, v->x_title);
    else
      bv_buf_puts(b, "null");
  } else if (is(name, n, "x_domain")) {
    bv_buf_puts(b, "[0, ");
    bv_buf_double(b, v->x_max);
    bv_buf_puts(b, "]");
  } else if (is(name, n, "x_ticks")) {
    /* the image's ticks at the spec's width: both draw the same axis */
    double t[BV_MEM_MAX_XTICKS];
    int dec = 0;
    size_t nt = bv_memory_view_xticks(v, 600, t, &dec);
    bv_buf_puts(b, "[");
    for (size_t i = 0; i < nt; i++) {
      if (i)
        bv_buf_puts(b, ", ");
      bv_buf_double(b, t[i]);
    }
    bv_buf_puts(b, "]");
  } else if (is(name, n, "x_format")) {
    double t[BV_MEM_MAX_XTICKS];
    int dec = 0;
    bv_memory_view_xticks(v, 600, t, &dec);
    bv_buf_printf(b, "\",.%d~f\"", dec);
  } else if (is(name, n, "x_labels")) {
    bv_buf_puts(b, p->x_labels ? "true" : "false");
  } else if (is(name, n, "y_title")) {
    bv_wr_json(w, p->y_title);
  } else if (is(name, n, "legend_title")) {
    bv_wr_json(w, v->legend_title);
  } else if (is(name, n, "unit")) {
    bv_wr_json(w, v->unit_name);
  } else if (is(name, n, "point")) {
    bv_buf_puts(b, v->points ? "true" : "false");
  } else {
    bv_buf_puts(b, "null");
  }
}

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  vl_ctx *c = ud;
  const bv_memseries *m = c->m;
  const bv_memory_view *v = &c->v;
  bv_buf *b = &w->b;
  if (is(name, n, "values")) {
    bv_buf_puts(b, "[");
    size_t row = 0;
    for (size_t i = 0; i < m->n; i++) {
      const bv_memsample *s = &m->samples[i];
      int line = bv_memory_view_line(v, m, i);
      if (line < 0) /* a node not drawn */
        continue;
      bv_buf_puts(b, row++ ? ",\n{" : "\n{");
      if (v->cluster) {
        bv_buf_puts(b, "\"node\":");
        bv_wr_json(w, v->series[line]);
        bv_buf_puts(b, ",");
      }
      bv_buf_puts(b, "\"iter\":");
      bv_wr_u64(w, s->iter);
      bv_buf_puts(b, ",\"t_ms\":");
      bv_wr_u64(w, s->t_ms);
      bv_buf_printf(b, ",\"%s\":", v->x_field);
      bv_buf_double(b, bv_memory_view_x(v, m, i));
      for (size_t k = 0; k < v->nkinds; k++) {
        bv_buf_printf(b, ",\"%s\":", v->kinds[k]);
        bv_buf_double(b, bv_memory_view_value(v, s->bytes[k]));
      }
      bv_buf_puts(b, "}");
      if (bv_wr_maybe_flush(w))
        return;
    }
    bv_buf_puts(b, "\n]");
  } else if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_memory_view_title(&t, m);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    /* one line, or an array of lines with the view's notes */
    size_t nn = bv_memory_view_nnotes(v);
    bv_buf t;
    bv_buf_init(&t);
    bv_memory_view_subtitle(&t, m);
    if (nn)
      bv_buf_puts(b, "[");
    bv_wr_json(w, t.data);
    for (size_t k = 0; k < nn; k++) {
      t.len = 0;
      bv_memory_view_note(&t, v, m, k);
      bv_buf_puts(b, ", ");
      bv_wr_json(w, t.data);
    }
    if (nn)
      bv_buf_puts(b, "]");
    bv_buf_dispose(&t);
  } else if (is(name, n, "kinds")) {
    /* the kinds folded: a cluster's panels draw total and processes */
    if (v->cluster)
      put_kinds(b, v, (const size_t[]){0, 1}, 2);
    else
      put_kinds(b, v, NULL, v->nkinds);
  } else if (is(name, n, "panels")) {
    bv_buf_puts(b, "[");
    for (size_t i = 0; i < v->npanels && !w->rc; i++) {
      bv_buf_puts(b, i ? ", " : "");
      c->p = &v->panel[i];
      bv_wr_template(w, c->panel_tmpl, panel_fill, c);
    }
    bv_buf_puts(b, "]");
  } else {
    bv_buf_puts(b, "null");
  }
}

static int write_vegalite(const bv_memseries *m, bv_out *out)
{
  const char *tmpl = bv_template("memory.vl.json", NULL);
  const char *panel = bv_template("memory_panel.vl.json", NULL);
  if (!tmpl || !panel)
    return bv_error_set(BV_EINVAL, "no embedded template memory.vl.json");
  vl_ctx c = {m, {0}, panel, NULL};
  bv_memory_view_make(m, &c.v);
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_template(&w, tmpl, vl_fill, &c);
  return bv_wr_finish(&w);
}

int bv_emit_memory_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  const bv_memseries *ms = NULL;
  int rc = memory_of(m, &ms);
  return rc ? rc : write_csv(ms, out);
}

int bv_emit_memory_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info)
{
  (void)fmt, (void)o, (void)info;
  const bv_memseries *ms = NULL;
  int rc = memory_of(m, &ms);
  return rc ? rc : write_vegalite(ms, out);
}
