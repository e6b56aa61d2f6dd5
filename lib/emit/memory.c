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
  bv_wr_str(&w, "iter,t_ms");
  for (int k = 0; k < BV_MEM_NKINDS; k++) {
    bv_wr_str(&w, ",");
    bv_wr_str(&w, bv_mem_kinds[k]);
  }
  bv_wr_str(&w, "\r\n");
  for (size_t i = 0; i < m->n; i++) {
    const bv_memsample *s = &m->samples[i];
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
} vl_ctx;

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const vl_ctx *c = ud;
  const bv_memseries *m = c->m;
  const bv_memory_view *v = &c->v;
  bv_buf *b = &w->b;
  if (is(name, n, "values")) {
    bv_buf_puts(b, "[");
    for (size_t i = 0; i < m->n; i++) {
      const bv_memsample *s = &m->samples[i];
      bv_buf_printf(b, i ? ",\n{\"%s\":" : "\n{\"%s\":", v->x_field);
      bv_wr_u64(w, s->iter);
      bv_buf_puts(b, ",\"t_ms\":");
      bv_wr_u64(w, s->t_ms);
      for (size_t k = 0; k < v->nkinds; k++) {
        bv_buf_printf(b, ",\"%s\":", v->kinds[k]);
        bv_buf_double(b, bv_memory_view_value(v, s->bytes[k]));
      }
      bv_buf_puts(b, "}");
      if (bv_wr_maybe_flush(w))
        return;
    }
    bv_buf_puts(b, "\n]");
  } else if (is(name, n, "title") || is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    if (is(name, n, "title"))
      bv_memory_view_title(&t, m);
    else
      bv_memory_view_subtitle(&t, m);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "kinds")) {
    bv_buf_puts(b, "[");
    for (size_t k = 0; k < v->nkinds; k++)
      bv_buf_printf(b, "%s\"%s\"", k ? ", " : "", v->kinds[k]);
    bv_buf_puts(b, "]");
  } else if (is(name, n, "x_field")) {
    bv_wr_json(w, v->x_field);
  } else if (is(name, n, "x_title")) {
    bv_wr_json(w, v->x_title);
  } else if (is(name, n, "y_title")) {
    bv_wr_json(w, v->y_title);
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

static int write_vegalite(const bv_memseries *m, bv_out *out)
{
  const char *tmpl = bv_template("memory.vl.json", NULL);
  if (!tmpl)
    return bv_error_set(BV_EINVAL, "no embedded template memory.vl.json");
  vl_ctx c = {m, {0}};
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
