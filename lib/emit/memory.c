/* emit/memory.c: the memory series as CSV and as a Vega-Lite line chart. */
#include "emit/emit.h"
#include "util/util.h"

#include <string.h>

int bv_memseries_write_csv(const bv_memseries *m, bv_out *out)
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

static void mb(bv_buf *b, uint64_t bytes) { bv_buf_double(b, (double)bytes / 1e6); }

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const bv_memseries *m = ud;
  bv_buf *b = &w->b;
  if (is(name, n, "values")) {
    bv_buf_puts(b, "[");
    for (size_t i = 0; i < m->n; i++) {
      const bv_memsample *s = &m->samples[i];
      bv_buf_puts(b, i ? ",\n{\"iter\":" : "\n{\"iter\":");
      bv_wr_u64(w, s->iter);
      bv_buf_puts(b, ",\"t_ms\":");
      bv_wr_u64(w, s->t_ms);
      /* the six charted kinds, in MB as the notebook plots them */
      for (int k = 0; k < 6; k++) {
        bv_buf_printf(b, ",\"%s\":", bv_mem_kinds[k]);
        mb(b, s->bytes[k]);
      }
      bv_buf_puts(b, "}");
      if (bv_wr_maybe_flush(w))
        return;
    }
    bv_buf_puts(b, "\n]");
  } else if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "Memory of %s", m->node ? m->node : "?");
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "erlang:memory(), %zu sample%s every %u ms", m->n, m->n == 1 ? "" : "s",
                  m->interval_ms);
    if (m->otp_release && *m->otp_release)
      bv_buf_printf(&t, ", OTP %s", m->otp_release);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "point")) {
    /* markers while there are few samples: a single sample has no line */
    bv_buf_puts(b, m->n <= 60 ? "true" : "false");
  } else {
    bv_buf_puts(b, "null");
  }
}

int bv_memseries_write_vegalite(const bv_memseries *m, bv_out *out)
{
  const char *tmpl = bv_template("memory.vl.json", NULL);
  if (!tmpl)
    return bv_error_set(BV_EINVAL, "no embedded template memory.vl.json");
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_template(&w, tmpl, vl_fill, (void *)m);
  return bv_wr_finish(&w);
}
