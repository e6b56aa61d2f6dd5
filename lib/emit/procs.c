/* procs_out.c: the process snapshot written as JSON (the model file), CSV
 * and Vega-Lite, and read back from its model file. Everything is streamed
 * through a 64 KiB buffer: a million points never become a tree in memory. */
#include "jsonin.h"
#include "procs_int.h"

#include <stdlib.h>
#include <string.h>

/* --- streaming writer ------------------------------------------------------- */

#define WR_FLUSH (64 * 1024)

void bv_wr_init(bv_wr *w, bv_out *out)
{
  w->out = out;
  w->rc = 0;
  bv_buf_init(&w->b);
}

int bv_wr_maybe_flush(bv_wr *w)
{
  if (w->rc == 0 && w->b.failed)
    w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
  if (w->rc == 0 && w->b.len >= WR_FLUSH) {
    w->rc = bv_out_write(w->out, w->b.data, w->b.len);
    w->b.len = 0;
  }
  return w->rc;
}

int bv_wr_finish(bv_wr *w)
{
  if (w->rc == 0 && w->b.failed)
    w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
  if (w->rc == 0 && w->b.len)
    w->rc = bv_out_write(w->out, w->b.data, w->b.len);
  bv_buf_dispose(&w->b);
  return w->rc;
}

/* Makes room for n more bytes so the appends below are plain copies. */
static int reserve(bv_buf *b, size_t n)
{
  static const char zeros[256];
  if (b->failed)
    return BV_ENOMEM;
  if (b->cap > b->len + n)
    return 0;
  size_t len = b->len;
  while (b->len < len + n && !b->failed)
    bv_buf_put(b, zeros, len + n - b->len < sizeof zeros ? len + n - b->len : sizeof zeros);
  b->len = len;
  if (b->data)
    b->data[len] = 0;
  return b->failed ? BV_ENOMEM : 0;
}

void bv_wr_u64(bv_wr *w, uint64_t v)
{
  char tmp[24];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (reserve(&w->b, sizeof tmp - i))
    return;
  memcpy(w->b.data + w->b.len, tmp + i, sizeof tmp - i);
  w->b.len += sizeof tmp - i;
  w->b.data[w->b.len] = 0;
}

void bv_wr_str(bv_wr *w, const char *s)
{
  size_t n = strlen(s);
  if (reserve(&w->b, n))
    return;
  memcpy(w->b.data + w->b.len, s, n);
  w->b.len += n;
  w->b.data[w->b.len] = 0;
}

void bv_wr_json(bv_wr *w, const char *s)
{
  if (!s) {
    bv_wr_str(w, "null");
    return;
  }
  /* Most strings (pids, statuses, M:F/A) need no escaping: copy them. */
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
    if (*p < 0x20 || *p == '"' || *p == '\\' || *p >= 0x7f) {
      bv_buf_json_str(&w->b, s, strlen(s));
      return;
    }
  if (reserve(&w->b, n + 2))
    return;
  char *d = w->b.data + w->b.len;
  d[0] = '"';
  memcpy(d + 1, s, n);
  d[n + 1] = '"';
  w->b.len += n + 2;
  w->b.data[w->b.len] = 0;
}

/* A text cell. CSV files are read on terminals and opened in spreadsheets:
 * control characters become visible escapes (bv_buf_text; CR, LF and TAB
 * too), and a cell that starts with = + - @ gets a ' in front so that no
 * spreadsheet runs it as a formula (OWASP's advice). Numbers never come here. */
void bv_wr_csv(bv_wr *w, const char *s)
{
  if (!s)
    return;
  const unsigned char *p = (const unsigned char *)s;
  int formula = *p && strchr("=+-@", *p) != NULL, plain = !formula;
  size_t n = 0;
  for (; p[n]; n++)
    if (p[n] < 0x20 || p[n] >= 0x7f || p[n] == ',' || p[n] == '"')
      plain = 0;
  if (plain) {
    bv_buf_put(&w->b, s, n);
    return;
  }
  bv_buf t;
  bv_buf_init(&t);
  if (formula)
    bv_buf_putc(&t, '\'');
  bv_buf_text(&t, s, n);
  if (t.failed) {
    w->b.failed = 1;
  } else if (!strpbrk(t.data, ",\"")) {
    bv_buf_put(&w->b, t.data, t.len);
  } else {
    bv_buf_putc(&w->b, '"');
    for (size_t i = 0; i < t.len; i++) {
      if (t.data[i] == '"')
        bv_buf_putc(&w->b, '"');
      bv_buf_putc(&w->b, t.data[i]);
    }
    bv_buf_putc(&w->b, '"');
  }
  bv_buf_dispose(&t);
}

/* --- one process as a JSON object ------------------------------------------------ */

/* The length of s if it needs no JSON escaping (the usual case: pids,
 * statuses, M:F/A), else 0 with *plain unset. */
static int plain_len(const char *s, size_t *n)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  for (; p[i]; i++)
    if (p[i] < 0x20 || p[i] == '"' || p[i] == '\\' || p[i] >= 0x7f)
      return 0;
  *n = i;
  return 1;
}

static char *put_u64(char *d, uint64_t v)
{
  char tmp[24];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  memcpy(d, tmp + i, sizeof tmp - i);
  return d + (sizeof tmp - i);
}

/* The fields of a written row, each with its key text worked out once. */
typedef struct wr_fields {
  size_t n;
  struct {
    bv_proc_field f;
    int numeric;
    const char *key; /* "name": with quotes and colon */
    size_t keylen;
  } f[BV_PF_COUNT];
  char keys[BV_PF_COUNT][32];
} wr_fields;

static void wr_fields_init(wr_fields *w, const bv_proc_field *fs, size_t n)
{
  w->n = n;
  for (size_t i = 0; i < n; i++) {
    w->f[i].f = fs[i];
    w->f[i].numeric = bv_proc_field_numeric(fs[i]);
    int k = snprintf(w->keys[i], sizeof w->keys[i], "\"%s\":", bv_proc_field_name(fs[i]));
    w->f[i].key = w->keys[i];
    w->f[i].keylen = k > 0 && (size_t)k < sizeof w->keys[i] ? (size_t)k : 0;
  }
}

/* {"pid":..., "field":value...}: fields in the order given; an absent text is
 * null when nulls is set, else left out. pid replaces p->pid when non-NULL.
 * One reserve per row and plain copies, unless a text needs escaping. */
static void wr_proc(bv_wr *w, const bv_proc *p, const char *pid, const wr_fields *fs, int nulls)
{
  const char *txt[BV_PF_COUNT];
  size_t len[BV_PF_COUNT], need = 2;
  int slow = 0;
  for (size_t i = 0; i < fs->n; i++) {
    need += fs->f[i].keylen + 1;
    if (fs->f[i].numeric) {
      need += 20;
      continue;
    }
    txt[i] = fs->f[i].f == BV_PF_PID && pid ? pid : bv_proc_text(p, fs->f[i].f);
    if (!txt[i])
      need += 4;
    else if (plain_len(txt[i], &len[i]))
      need += len[i] + 2;
    else
      slow = 1;
  }
  if (slow) {
    bv_wr_str(w, "{");
    int first = 1;
    for (size_t i = 0; i < fs->n; i++) {
      int num = fs->f[i].numeric;
      if (!num && !txt[i] && !nulls)
        continue;
      if (!first)
        bv_wr_str(w, ",");
      first = 0;
      bv_wr_str(w, fs->f[i].key);
      if (num)
        bv_wr_u64(w, bv_proc_value(p, fs->f[i].f));
      else
        bv_wr_json(w, txt[i]);
    }
    bv_wr_str(w, "}");
    return;
  }
  if (reserve(&w->b, need))
    return;
  char *d = w->b.data + w->b.len;
  *d++ = '{';
  int first = 1;
  for (size_t i = 0; i < fs->n; i++) {
    int num = fs->f[i].numeric;
    if (!num && !txt[i] && !nulls)
      continue;
    if (!first)
      *d++ = ',';
    first = 0;
    memcpy(d, fs->f[i].key, fs->f[i].keylen);
    d += fs->f[i].keylen;
    if (num) {
      d = put_u64(d, bv_proc_value(p, fs->f[i].f));
    } else if (!txt[i]) {
      memcpy(d, "null", 4);
      d += 4;
    } else {
      *d++ = '"';
      memcpy(d, txt[i], len[i]);
      d += len[i];
      *d++ = '"';
    }
  }
  *d++ = '}';
  w->b.len = (size_t)(d - w->b.data);
  w->b.data[w->b.len] = 0;
}

int bv_wr_template(bv_wr *w, const char *tmpl,
                   void (*fill)(bv_wr *w, const char *name, size_t n, void *ud), void *ud)
{
  const char *p = tmpl;
  for (;;) {
    const char *q = strstr(p, "\"@");
    const char *e = q ? strchr(q + 2, '@') : NULL;
    if (!q || !e || e[1] != '"') {
      if (!q) {
        bv_buf_puts(&w->b, p);
        break;
      }
      bv_buf_put(&w->b, p, (size_t)(q - p) + 2);
      p = q + 2;
      continue;
    }
    bv_buf_put(&w->b, p, (size_t)(q - p));
    fill(w, q + 2, (size_t)(e - (q + 2)), ud);
    if (bv_wr_maybe_flush(w))
      return w->rc;
    p = e + 2;
  }
  return bv_wr_maybe_flush(w);
}

/* --- JSON model file ---------------------------------------------------------- */

static const bv_proc_field model_fields[] = {
    BV_PF_PID,    BV_PF_NAME,       BV_PF_REDUCTIONS,       BV_PF_MEMORY,
    BV_PF_STATUS, BV_PF_MESSAGE_QUEUE_LEN, BV_PF_CURRENT_FUNCTION, BV_PF_INITIAL_CALL};

int bv_snapshot_write_json(const bv_snapshot *s, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "{\"format\":\"beamviz.procs\",\"version\":1,\"node\":");
  bv_wr_json(&w, s->node);
  bv_wr_str(&w, ",\"otp_release\":");
  bv_wr_json(&w, s->otp_release);
  bv_wr_str(&w, s->elixir ? ",\"elixir\":true" : ",\"elixir\":false");
  bv_wr_str(&w, ",\"total\":");
  bv_wr_u64(&w, s->total);
  bv_wr_str(&w, ",\"skipped\":");
  bv_wr_u64(&w, s->skipped);
  bv_wr_str(&w, ",\"procs\":[");
  wr_fields fs;
  wr_fields_init(&fs, model_fields, sizeof model_fields / sizeof *model_fields);
  for (size_t i = 0; i < s->n; i++) {
    bv_wr_str(&w, i ? ",\n" : "\n");
    wr_proc(&w, &s->procs[i], NULL, &fs, 1);
    if (bv_wr_maybe_flush(&w))
      break;
  }
  bv_wr_str(&w, "\n]}\n");
  return bv_wr_finish(&w);
}

/* --- CSV ------------------------------------------------------------------------ */

int bv_snapshot_write_csv(const bv_snapshot *s, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  bv_wr_str(&w, "pid,name,reductions,memory,status,message_queue_len,current_function,"
                "initial_call\r\n");
  for (size_t i = 0; i < s->n; i++) {
    const bv_proc *p = &s->procs[i];
    bv_wr_csv(&w, p->pid);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->name);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->reductions);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->memory);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->status);
    bv_wr_str(&w, ",");
    bv_wr_u64(&w, p->message_queue_len);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->current_function);
    bv_wr_str(&w, ",");
    bv_wr_csv(&w, p->initial_call);
    bv_wr_str(&w, "\r\n");
    if (bv_wr_maybe_flush(&w))
      break;
  }
  return bv_wr_finish(&w);
}

/* --- Vega-Lite ------------------------------------------------------------------ */

typedef struct vl_ctx {
  const bv_snapshot *s;
  bv_procs_chart c;
  size_t zeros;
  size_t colors;           /* distinct values of the colour field */
  int fields[BV_PF_COUNT]; /* which fields each data point carries */
} vl_ctx;

static int is(const char *name, size_t n, const char *want)
{
  return strlen(want) == n && memcmp(name, want, n) == 0;
}

#define ZERO_LABEL "0, drawn at 1"
#define MAX_LEGEND 30
#define REAL_LABEL "as measured"

static void vl_fill(bv_wr *w, const char *name, size_t n, void *ud)
{
  const vl_ctx *v = ud;
  const bv_snapshot *s = v->s;
  const char *x = bv_proc_field_name(v->c.x), *y = bv_proc_field_name(v->c.y);
  bv_buf *b = &w->b;
  if (is(name, n, "title")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_buf_printf(&t, "Processes on %s: %s against %s", s->node ? s->node : "?", y, x);
    bv_wr_json(w, t.data);
    bv_buf_dispose(&t);
  } else if (is(name, n, "subtitle")) {
    bv_buf t;
    bv_buf_init(&t);
    bv_wr_str(w, "[");
    size_t listed = s->total > s->skipped ? s->total - s->skipped : s->n;
    if (s->n < listed)
      bv_buf_printf(&t, "%zu of %zu processes", s->n, listed);
    else
      bv_buf_printf(&t, "%zu processes", s->n);
    if (s->otp_release && *s->otp_release)
      bv_buf_printf(&t, ", OTP %s", s->otp_release);
    if (s->skipped)
      bv_buf_printf(&t, "; %zu exited while being read (skipped)", s->skipped);
    bv_wr_json(w, t.data);
    if (v->colors > MAX_LEGEND) {
      t.len = 0;
      bv_buf_printf(&t, "colour by %s: %zu values, too many for a legend (see the tooltip)",
                    bv_proc_field_name(v->c.color), v->colors);
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    if (v->zeros) {
      t.len = 0;
      bv_buf_printf(&t,
                    "%zu point%s with %s or %s = 0 drawn at 1 (the log axis floor) as "
                    "squares; the tooltip shows the real value",
                    v->zeros, v->zeros == 1 ? "" : "s", x, y);
      bv_wr_str(w, ",");
      bv_wr_json(w, t.data);
    }
    bv_wr_str(w, "]");
    bv_buf_dispose(&t);
  } else if (is(name, n, "x_calc") || is(name, n, "y_calc")) {
    bv_buf_printf(b, "\"max(datum.%s, 1)\"", is(name, n, "x_calc") ? x : y);
  } else if (is(name, n, "zero_calc")) {
    bv_buf_printf(b, "\"datum.%s == 0 || datum.%s == 0 ? '%s' : '%s'\"", x, y, ZERO_LABEL,
                  REAL_LABEL);
  } else if (is(name, n, "x_title")) {
    bv_buf_printf(b, "\"%s (log)\"", x);
  } else if (is(name, n, "y_title")) {
    bv_buf_printf(b, "\"%s (log)\"", y);
  } else if (is(name, n, "color")) {
    bv_buf_printf(b, "\"%s\"", bv_proc_field_name(v->c.color));
  } else if (is(name, n, "legend")) {
    /* Vega filters (and warns about) legends longer than its symbol limit */
    bv_buf_puts(b, v->colors > MAX_LEGEND ? "null" : "{\"symbolLimit\": 30}");
  } else if (is(name, n, "shape")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"field\": \"plotted\", \"type\": \"nominal\", \"title\": \"value\", "
                     "\"scale\": {\"domain\": [\"" REAL_LABEL "\", \"" ZERO_LABEL "\"], "
                     "\"range\": [\"circle\", \"square\"]}}");
    else
      bv_buf_puts(b, "{\"value\": \"circle\"}");
  } else if (is(name, n, "opacity")) {
    if (v->zeros)
      bv_buf_puts(b, "{\"condition\": {\"test\": \"datum.plotted == '" ZERO_LABEL "'\", "
                     "\"value\": 0.5}, \"value\": 0.8}");
    else
      bv_buf_puts(b, "{\"value\": 0.8}");
  } else if (is(name, n, "tooltip")) {
    bv_buf_puts(b, "[{\"field\": \"pid\", \"type\": \"nominal\"}");
    for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
      if (v->fields[f])
        bv_buf_printf(b, ", {\"field\": \"%s\", \"type\": \"%s\"}",
                      bv_proc_field_name((bv_proc_field)f),
                      bv_proc_field_numeric((bv_proc_field)f) ? "quantitative" : "nominal");
    bv_buf_puts(b, "]");
  } else {
    bv_buf_puts(b, "null");
  }
}

struct bv_procs_vl {
  bv_wr w;
  vl_ctx v;
  bv_intern seen;             /* distinct colour values, counted up to MAX_LEGEND + 1 */
  const char *last_color;     /* the previous row's colour text (interned: compare pointers) */
  int any_color;
  const char *rest;           /* the skeleton after "@values@" */
  size_t rows;
  wr_fields fs; /* what each data point carries, pid first */
  bv_buf pid;
};

#define VALUES_SLOT "\"@values@\""

void bv_procs_vl_abort(bv_procs_vl *st)
{
  if (!st)
    return;
  bv_buf_dispose(&st->w.b);
  bv_buf_dispose(&st->pid);
  bv_intern_dispose(&st->seen);
  free(st);
}

int bv_procs_vl_begin(const bv_procs_chart *chart, bv_out *out, bv_procs_vl **stp)
{
  *stp = NULL;
  bv_procs_vl *st = calloc(1, sizeof *st);
  if (!st)
    return bv_error_set(BV_ENOMEM, "out of memory");
  vl_ctx *v = &st->v;
  v->c.x = BV_PF_REDUCTIONS;
  v->c.y = BV_PF_MEMORY;
  v->c.color = BV_PF_STATUS;
  if (chart) {
    if (chart->x != BV_PF_NONE && chart->x != BV_PF_PID)
      v->c.x = chart->x;
    if (chart->y != BV_PF_NONE && chart->y != BV_PF_PID)
      v->c.y = chart->y;
    if (chart->color != BV_PF_NONE && chart->color != BV_PF_PID)
      v->c.color = chart->color;
  }
  int rc = bv_procs_chart_check(&v->c);
  if (rc) {
    free(st);
    return rc;
  }
  const char *tmpl = bv_template("procs.vl.json", NULL);
  const char *slot = tmpl ? strstr(tmpl, VALUES_SLOT) : NULL;
  if (!slot) {
    free(st);
    return bv_error_set(BV_EINVAL, "no embedded template procs.vl.json with " VALUES_SLOT);
  }
  if ((rc = bv_intern_init(&st->seen))) {
    free(st);
    return rc;
  }
  st->rest = slot + strlen(VALUES_SLOT);
  bv_buf_init(&st->pid);
  bv_wr_init(&st->w, out);
  /* What the tooltip shows (the notebook's pid, plus name, current function
   * and queue length), the axes and the colour. */
  v->fields[BV_PF_NAME] = v->fields[BV_PF_STATUS] = v->fields[BV_PF_CURRENT_FUNCTION] = 1;
  v->fields[BV_PF_MESSAGE_QUEUE_LEN] = v->fields[BV_PF_REDUCTIONS] = v->fields[BV_PF_MEMORY] = 1;
  v->fields[v->c.x] = v->fields[v->c.y] = v->fields[v->c.color] = 1;
  bv_proc_field fs[BV_PF_COUNT];
  size_t nf = 0;
  fs[nf++] = BV_PF_PID;
  for (int f = BV_PF_NAME; f < BV_PF_COUNT; f++)
    if (v->fields[f])
      fs[nf++] = (bv_proc_field)f;
  wr_fields_init(&st->fs, fs, nf);
  /* the data come first in the skeleton: nothing before them depends on them */
  bv_buf_put(&st->w.b, tmpl, (size_t)(slot - tmpl));
  bv_wr_str(&st->w, "[");
  if ((rc = bv_wr_maybe_flush(&st->w))) {
    bv_procs_vl_abort(st);
    return rc;
  }
  *stp = st;
  return 0;
}

int bv_procs_vl_rows(bv_procs_vl *st, const bv_snapshot *s, const bv_proc *p, size_t n)
{
  vl_ctx *v = &st->v;
  bv_wr *w = &st->w;
  for (size_t i = 0; i < n && !w->rc; i++, p++) {
    const char *shown = NULL;
    if (s->elixir) { /* #PID<0.1.0>, as the node's own shell prints it */
      st->pid.len = 0;
      bv_pid_display(&st->pid, p->pid, 1);
      if (st->pid.failed)
        return w->rc = bv_error_set(BV_ENOMEM, "out of memory writing output");
      shown = st->pid.data;
    }
    bv_wr_str(w, st->rows++ ? ",\n" : "\n");
    /* absent texts have no key: the tooltip leaves them out */
    wr_proc(w, p, shown, &st->fs, 0);
    v->zeros += bv_proc_value(p, v->c.x) == 0 || bv_proc_value(p, v->c.y) == 0;
    const char *t = bv_proc_text(p, v->c.color);
    if (v->colors <= MAX_LEGEND && (!st->any_color || t != st->last_color)) {
      int fresh;
      if (!bv_intern_lookup(&st->seen, t ? t : "", t ? strlen(t) + 1 : 0, &fresh))
        return w->rc = bv_error_set(BV_ENOMEM, "out of memory");
      v->colors += (size_t)fresh;
      st->last_color = t;
      st->any_color = 1;
    }
    if (bv_wr_maybe_flush(w))
      break;
  }
  return w->rc;
}

int bv_procs_vl_end(bv_procs_vl *st, const bv_snapshot *s)
{
  st->v.s = s;
  bv_wr_str(&st->w, "\n]");
  int rc = bv_wr_maybe_flush(&st->w);
  if (!rc)
    rc = bv_wr_template(&st->w, st->rest, vl_fill, &st->v);
  int rc2 = bv_wr_finish(&st->w); /* frees the buffer */
  bv_buf_dispose(&st->pid);
  bv_intern_dispose(&st->seen);
  free(st);
  return rc ? rc : rc2;
}

int bv_snapshot_write_vegalite(const bv_snapshot *s, const bv_procs_chart *chart, bv_out *out)
{
  bv_procs_vl *st;
  int rc = bv_procs_vl_begin(chart, out, &st);
  if (rc)
    return rc;
  if ((rc = bv_procs_vl_rows(st, s, s->procs, s->n))) {
    bv_procs_vl_abort(st);
    return rc;
  }
  return bv_procs_vl_end(st, s);
}

/* --- reading the model file ------------------------------------------------------ */

#define MAX_PROCS 50000000u

int bv_snapshot_from_json(const bv_jdoc *d, bv_snapshot **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_intern in;
  int rc = bv_intern_init(&in);
  if (rc)
    return rc;
  bv_arena *tmp = bv_arena_new();
  bv_snapshot *s = calloc(1, sizeof *s);
  if (!tmp || !s || !(s->arena = bv_arena_new())) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  uint64_t total = 0, skipped = 0;
  const bv_jv *procs = bv_jv_get(root, "procs");
  if ((rc = bv_jv_str(d, bv_jv_get(root, "node"), "node", s->arena, &s->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), "otp_release", s->arena,
                          &s->otp_release)) ||
      (rc = bv_jv_u64(d, bv_jv_get(root, "total"), "total", &total)) ||
      (rc = bv_jv_u64(d, bv_jv_get(root, "skipped"), "skipped", &skipped)) ||
      (rc = bv_jv_arr(d, procs, "procs", MAX_PROCS)))
    goto fail;
  if (bv_jv_get(root, "elixir") && !bv_jv_is_null(bv_jv_get(root, "elixir")) &&
      (rc = bv_jv_bool(d, bv_jv_get(root, "elixir"), "elixir", &s->elixir)))
    goto fail;
  size_t n = bv_jv_len(procs);
  if (total < n) {
    rc = bv_jv_fail(d, "total", "smaller than the number of entries in procs");
    goto fail;
  }
  if (total > MAX_PROCS || skipped > total) {
    rc = bv_jv_fail(d, total > MAX_PROCS ? "total" : "skipped", "out of range");
    goto fail;
  }
  s->total = (size_t)total;
  s->skipped = (size_t)skipped;
  s->procs = bv_arena_alloc(s->arena, (n ? n : 1) * sizeof(bv_proc));
  if (!s->procs) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  char path[64];
  bv_jit it;
  bv_jv_iter(procs, &it);
  for (size_t i = 0; i < n; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_proc *p = &s->procs[i];
    const char *status = NULL, *cf = NULL, *ic = NULL;
    bv_arena_reset(tmp);
#define PATH(f) (snprintf(path, sizeof path, "procs[%zu]%s", i, f), path)
    if ((rc = bv_jv_obj(d, e, PATH(""))) ||
        (rc = bv_jv_str(d, bv_jv_get(e, "pid"), PATH(".pid"), s->arena, &p->pid)) ||
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "name"), PATH(".name"), s->arena, &p->name)) ||
        (rc = bv_jv_u64(d, bv_jv_get(e, "reductions"), PATH(".reductions"), &p->reductions)) ||
        (rc = bv_jv_u64(d, bv_jv_get(e, "memory"), PATH(".memory"), &p->memory)) ||
        (rc = bv_jv_str(d, bv_jv_get(e, "status"), PATH(".status"), tmp, &status)) ||
        (rc = bv_jv_u64(d, bv_jv_get(e, "message_queue_len"), PATH(".message_queue_len"),
                        &p->message_queue_len)) ||
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "current_function"), PATH(".current_function"), tmp,
                            &cf)) ||
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "initial_call"), PATH(".initial_call"), tmp, &ic)))
      goto fail;
    if (!*p->pid) {
      rc = bv_jv_fail(d, PATH(".pid"), "empty pid");
      goto fail;
    }
#undef PATH
    int oom1, oom2, oom3;
    p->status = bv_intern_str(&in, s->arena, status, &oom1);
    p->current_function = bv_intern_str(&in, s->arena, cf, &oom2);
    p->initial_call = bv_intern_str(&in, s->arena, ic, &oom3);
    if (oom1 || oom2 || oom3) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto fail;
    }
  }
  s->n = n;
  bv_intern_dispose(&in);
  bv_arena_free(tmp);
  *out = s;
  return 0;
fail:
  bv_intern_dispose(&in);
  bv_arena_free(tmp);
  bv_snapshot_free(s);
  return rc;
}
