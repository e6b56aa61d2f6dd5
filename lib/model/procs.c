/* model/procs.c: the process snapshot model: its fields, top-N, and its
 * model file (JSON, written streaming and read back). */
#include "model/model.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct rank {
  uint64_t v;
  size_t i;
} rank;

static int cmp_rank(const void *a, const void *b)
{
  const rank *x = a, *y = b;
  if (x->v != y->v)
    return x->v > y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

size_t *bv_snapshot_order(const bv_snapshot *s, bv_proc_field by)
{
  rank *r = malloc((s->n ? s->n : 1) * sizeof *r);
  size_t *idx = malloc((s->n ? s->n : 1) * sizeof *idx);
  if (!r || !idx) {
    free(r);
    free(idx);
    bv_error_set(BV_ENOMEM, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < s->n; i++) {
    r[i].v = bv_proc_value(&s->procs[i], by);
    r[i].i = i;
  }
  qsort(r, s->n, sizeof *r, cmp_rank);
  for (size_t i = 0; i < s->n; i++)
    idx[i] = r[i].i;
  free(r);
  return idx;
}

int bv_snapshot_top(bv_snapshot *s, size_t n, bv_proc_field by)
{
  if (!bv_proc_field_numeric(by))
    return bv_error_set(BV_EINVAL, "'%s' is not one of reductions|memory|message_queue_len",
                        bv_proc_field_name(by));
  if (s->n == 0)
    return 0;
  size_t *r = bv_snapshot_order(s, by);
  if (!r)
    return BV_ENOMEM;
  size_t keep = n < s->n ? n : s->n;
  bv_proc *sorted = malloc((keep ? keep : 1) * sizeof *sorted);
  if (!sorted) {
    free(r);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < keep; i++)
    sorted[i] = s->procs[r[i]];
  memcpy(s->procs, sorted, keep * sizeof *sorted);
  s->n = keep;
  free(sorted);
  free(r);
  return 0;
}

/* --- fields -------------------------------------------------------------- */

static const char *const field_names[BV_PF_COUNT] = {"pid",
                                                     "name",
                                                     "reductions",
                                                     "memory",
                                                     "status",
                                                     "message_queue_len",
                                                     "current_function",
                                                     "initial_call",
                                                     "label"};

bv_proc_field bv_proc_field_from_name(const char *name)
{
  if (!name)
    return BV_PF_NONE;
  for (int i = 0; i < BV_PF_COUNT; i++)
    if (strcmp(name, field_names[i]) == 0)
      return (bv_proc_field)i;
  return BV_PF_NONE;
}

const char *bv_proc_field_name(bv_proc_field f)
{
  return f >= 0 && f < BV_PF_COUNT ? field_names[f] : "?";
}

int bv_proc_field_numeric(bv_proc_field f)
{
  return f == BV_PF_REDUCTIONS || f == BV_PF_MEMORY || f == BV_PF_MESSAGE_QUEUE_LEN;
}

uint64_t bv_proc_value(const bv_proc *p, bv_proc_field f)
{
  switch (f) {
  case BV_PF_REDUCTIONS: return p->reductions;
  case BV_PF_MEMORY: return p->memory;
  case BV_PF_MESSAGE_QUEUE_LEN: return p->message_queue_len;
  default: return 0;
  }
}

double bv_proc_num(const bv_proc *p, bv_proc_field f)
{
  return (double)bv_proc_value(p, f);
}

const char *bv_proc_text(const bv_proc *p, bv_proc_field f)
{
  switch (f) {
  case BV_PF_PID: return p->pid;
  case BV_PF_NAME: return p->name;
  case BV_PF_STATUS: return p->status;
  case BV_PF_CURRENT_FUNCTION: return p->current_function;
  case BV_PF_INITIAL_CALL: return p->initial_call;
  case BV_PF_LABEL: return p->label;
  default: return NULL;
  }
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
    memset(p, 0, sizeof *p);
    const char *status = NULL, *cf = NULL, *ic = NULL, *label = NULL;
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
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "initial_call"), PATH(".initial_call"), tmp, &ic)) ||
        /* absent in files written before labels were read */
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "label"), PATH(".label"), tmp, &label)))
      goto fail;
    if (!*p->pid) {
      rc = bv_jv_fail(d, PATH(".pid"), "empty pid");
      goto fail;
    }
#undef PATH
    int oom1, oom2, oom3, oom4;
    p->status = bv_intern_str(&in, s->arena, status, &oom1);
    p->current_function = bv_intern_str(&in, s->arena, cf, &oom2);
    p->initial_call = bv_intern_str(&in, s->arena, ic, &oom3);
    p->label = bv_intern_str(&in, s->arena, label && *label ? label : NULL, &oom4);
    if (oom1 || oom2 || oom3 || oom4) {
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

/* --- JSON model file ---------------------------------------------------------- */

static const bv_proc_field model_fields[] = {
    BV_PF_PID,    BV_PF_NAME,       BV_PF_REDUCTIONS,       BV_PF_MEMORY,
    BV_PF_STATUS, BV_PF_MESSAGE_QUEUE_LEN, BV_PF_CURRENT_FUNCTION, BV_PF_INITIAL_CALL,
    BV_PF_LABEL};

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
  bv_proc_fields fs;
  bv_proc_fields_init(&fs, model_fields, sizeof model_fields / sizeof *model_fields);
  for (size_t i = 0; i < s->n; i++) {
    bv_wr_str(&w, i ? ",\n" : "\n");
    bv_wr_proc(&w, &s->procs[i], NULL, &fs, 1);
    if (bv_wr_maybe_flush(&w))
      break;
  }
  bv_wr_str(&w, "\n]}\n");
  return bv_wr_finish(&w);
}

/* --- CSV ------------------------------------------------------------------------ */

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


void bv_proc_fields_init(bv_proc_fields *w, const bv_proc_field *fs, size_t n)
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
void bv_wr_proc(bv_wr *w, const bv_proc *p, const char *pid, const bv_proc_fields *fs, int nulls)
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
  if (bv_wr_reserve(&w->b, need))
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
