/* model/procs.c: the process snapshot model: its fields, top-N, and its
 * model file (JSON, written streaming and read back). */
#include "model/model.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct rank {
  double v;
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
    r[i].v = bv_proc_num(&s->procs[i], by);
    r[i].i = i;
  }
  qsort(r, s->n, sizeof *r, cmp_rank);
  for (size_t i = 0; i < s->n; i++)
    idx[i] = r[i].i;
  free(r);
  return idx;
}

bv_proc_field bv_snapshot_rank_field(const bv_snapshot *s, const char *name)
{
  if (name)
    return bv_proc_field_from_name(name);
  return s && s->window_ms ? BV_PF_REDUCTIONS_PER_SEC : BV_PF_REDUCTIONS;
}

int bv_snapshot_field_check(const bv_snapshot *s, bv_proc_field f)
{
  if (bv_proc_field_window(f) && !s->window_ms)
    return bv_error_set(BV_EINVAL,
                        "'%s' needs a snapshot taken over a window; this one is a plain snapshot",
                        bv_proc_field_name(f));
  if (f == BV_PF_NODE && !s->nnodes)
    return bv_error_set(BV_EINVAL, "'node' needs a cluster snapshot; this one is of one node");
  return 0;
}

int bv_snapshot_select_node(bv_snapshot *s, const char *node)
{
  if (!s->nnodes)
    return bv_error_set(BV_EINVAL, "this snapshot is of one node (%s), not of a cluster",
                        s->node ? s->node : "?");
  const bv_node_result *r = NULL;
  for (size_t i = 0; i < s->nnodes && !r; i++)
    if (s->nodes[i].code == BV_OK && strcmp(s->nodes[i].node, node) == 0)
      r = &s->nodes[i];
  if (!r) {
    bv_buf b;
    bv_buf_init(&b);
    for (size_t i = 0; i < s->nnodes; i++)
      if (s->nodes[i].code == BV_OK)
        bv_buf_printf(&b, "%s%s", b.len ? ", " : "", s->nodes[i].node);
    int rc = bv_error_set(BV_ENOTFOUND, "node '%s' is not in this snapshot (it has: %s)", node,
                          b.data ? b.data : "none");
    bv_buf_dispose(&b);
    return rc;
  }
  size_t k = 0, born = 0, gone = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->procs[i].node == r->node || (s->procs[i].node && strcmp(s->procs[i].node, node) == 0)) {
      bv_proc p = s->procs[i];
      p.node = NULL;
      born += p.presence == BV_PRESENCE_BORN;
      gone += p.presence == BV_PRESENCE_GONE;
      s->procs[k++] = p;
    }
  s->n = k;
  s->born = born;
  s->gone = gone;
  s->total = r->total;
  s->skipped = r->skipped;
  if (s->window_ms)
    s->window_measured_ms = r->window_measured_ms;
  s->node = r->node;
  s->nnodes = 0;
  s->nodes = NULL;
  return 0;
}

int bv_snapshot_top(bv_snapshot *s, size_t n, bv_proc_field by)
{
  if (!bv_proc_field_numeric(by))
    return bv_error_set(BV_EINVAL, "'%s' is not one of " BV_PF_NUMERIC_NAMES,
                        bv_proc_field_name(by));
  int rc = bv_snapshot_field_check(s, by);
  if (rc)
    return rc;
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

int bv_snapshot_cluster_label(bv_snapshot *s)
{
  size_t ok = 0;
  for (size_t i = 0; i < s->nnodes; i++)
    ok += s->nodes[i].code == BV_OK;
  s->node = bv_nodes_label(s->arena, ok);
  return s->node ? 0 : bv_error_set(BV_ENOMEM, "out of memory");
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
                                                     "label",
                                                     "reductions_per_sec",
                                                     "memory_change",
                                                     "message_queue_len_change",
                                                     "window",
                                                     "node"};

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
  return f == BV_PF_REDUCTIONS || f == BV_PF_MEMORY || f == BV_PF_MESSAGE_QUEUE_LEN ||
         f == BV_PF_REDUCTIONS_PER_SEC || f == BV_PF_MEMORY_CHANGE ||
         f == BV_PF_MESSAGE_QUEUE_LEN_CHANGE;
}

int bv_proc_field_axis(bv_proc_field f)
{
  return f == BV_PF_REDUCTIONS || f == BV_PF_MEMORY || f == BV_PF_MESSAGE_QUEUE_LEN ||
         f == BV_PF_REDUCTIONS_PER_SEC;
}

int bv_proc_field_window(bv_proc_field f)
{
  return f == BV_PF_REDUCTIONS_PER_SEC || f == BV_PF_MEMORY_CHANGE ||
         f == BV_PF_MESSAGE_QUEUE_LEN_CHANGE || f == BV_PF_WINDOW;
}

/* b - a as a signed number (a uint64 difference wraps; the values are far
 * below 2^63) */
static int64_t change(uint64_t b, uint64_t a)
{
  return b >= a ? (int64_t)(b - a > INT64_MAX ? INT64_MAX : b - a)
                : -(int64_t)(a - b > INT64_MAX ? INT64_MAX : a - b);
}

int64_t bv_proc_change(const bv_proc *p, bv_proc_field f)
{
  switch (f) {
  case BV_PF_MEMORY_CHANGE: return change(p->memory, p->memory0);
  case BV_PF_MESSAGE_QUEUE_LEN_CHANGE: return change(p->message_queue_len, p->message_queue_len0);
  default: return 0;
  }
}

uint64_t bv_proc_value(const bv_proc *p, bv_proc_field f)
{
  switch (f) {
  case BV_PF_REDUCTIONS: return p->reductions;
  case BV_PF_MEMORY: return p->memory;
  case BV_PF_MESSAGE_QUEUE_LEN: return p->message_queue_len;
  case BV_PF_REDUCTIONS_PER_SEC:
    return p->reductions_per_sec > 0 ? (uint64_t)p->reductions_per_sec : 0;
  case BV_PF_MEMORY_CHANGE:
  case BV_PF_MESSAGE_QUEUE_LEN_CHANGE: {
    int64_t c = bv_proc_change(p, f);
    return c > 0 ? (uint64_t)c : 0;
  }
  default: return 0;
  }
}

double bv_proc_num(const bv_proc *p, bv_proc_field f)
{
  switch (f) {
  case BV_PF_REDUCTIONS_PER_SEC: return p->reductions_per_sec;
  case BV_PF_MEMORY_CHANGE:
  case BV_PF_MESSAGE_QUEUE_LEN_CHANGE: return (double)bv_proc_change(p, f);
  default: return (double)bv_proc_value(p, f);
  }
}

static const char *const presence_names[] = {NULL, "both", "born", "gone"};

const char *bv_presence_name(int presence)
{
  return presence > 0 && presence <= BV_PRESENCE_GONE ? presence_names[presence] : NULL;
}

void bv_proc_window_fill(bv_proc *p, double window_ms)
{
  double secs = window_ms / 1000.0;
  p->reductions_per_sec = 0;
  switch (p->presence) {
  case BV_PRESENCE_BOTH:
    /* less the one reduction the first reading cost the process itself
     * (process_info of memory is a signal it handles) */
    if (secs > 0 && p->reductions > p->reductions0)
      p->reductions_per_sec = (double)(p->reductions - p->reductions0 - 1) / secs;
    break;
  case BV_PRESENCE_BORN:
    p->reductions0 = p->memory0 = p->message_queue_len0 = 0;
    if (secs > 0)
      p->reductions_per_sec = (double)p->reductions / secs;
    break;
  case BV_PRESENCE_GONE:
    p->reductions = p->reductions0;
    p->memory = p->memory0;
    p->message_queue_len = p->message_queue_len0;
    break;
  default: break;
  }
}

int bv_fmt_num(char *d, const bv_proc *p, bv_proc_field f)
{
  if (f == BV_PF_REDUCTIONS_PER_SEC) {
    /* 3 decimals at most, trailing zeros dropped; none from 1000 on */
    double v = p->reductions_per_sec;
    /* at most 2^64 reductions over at least 1 us: below 1e26, 27 digits */
    int n = snprintf(d, 40, v >= 1000 ? "%.0f" : "%.3f", v >= 0 && v < 1e30 ? v : 0.0);
    if (n <= 0 || n >= 40)
      return snprintf(d, 40, "0");
    while (v < 1000 && n > 1 && d[n - 1] == '0')
      n--;
    if (d[n - 1] == '.')
      n--;
    d[n] = 0;
    return n;
  }
  if (f == BV_PF_MEMORY_CHANGE || f == BV_PF_MESSAGE_QUEUE_LEN_CHANGE)
    return snprintf(d, 40, "%lld", (long long)bv_proc_change(p, f));
  return snprintf(d, 40, "%llu", (unsigned long long)bv_proc_value(p, f));
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
  case BV_PF_WINDOW: return bv_presence_name(p->presence);
  case BV_PF_NODE: return p->node;
  default: return NULL;
  }
}

/* --- reading the model file ------------------------------------------------------ */

#define MAX_PROCS 50000000u
#define MAX_NODES 4096u

/* "nodes" of a cluster snapshot (absent: one node): each {"node", "total",
 * "skipped"[, "window_measured_us"]} or {"node", "error", "reason"}; map gets
 * each collected node's name (each once). */
static int read_nodes(const bv_jdoc *d, const bv_jv *root, bv_snapshot *s, bv_intern *map)
{
  const bv_jv *nv = bv_jv_get(root, "nodes");
  if (!nv || bv_jv_is_null(nv))
    return 0;
  int rc = bv_jv_arr(d, nv, "nodes", MAX_NODES);
  if (rc)
    return rc;
  size_t n = bv_jv_len(nv);
  if (!n)
    return bv_jv_fail(d, "nodes", "empty");
  if (!(s->nodes = bv_arena_alloc(s->arena, n * sizeof *s->nodes)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  char path[64];
  size_t collected = 0;
  bv_jit it;
  bv_jv_iter(nv, &it);
  for (size_t i = 0; i < n; i++) {
    const bv_jv *e = bv_jv_next(&it);
    bv_node_result *r = &s->nodes[i];
    bv_intern_slot *sl;
#define NPATH(f) (snprintf(path, sizeof path, "nodes[%zu]%s", i, f), path)
    if ((rc = bv_node_result_read(d, e, NPATH(""), s->arena, map, r, &sl)))
      return rc;
    sl->ptr = r;
    if (r->code)
      continue;
    collected++;
    uint64_t total = 0, skipped = 0, us = 0;
    if ((rc = bv_jv_u64(d, bv_jv_get(e, "total"), NPATH(".total"), &total)) ||
        (rc = bv_jv_u64(d, bv_jv_get(e, "skipped"), NPATH(".skipped"), &skipped)))
      return rc;
    const bv_jv *wu = bv_jv_get(e, "window_measured_us");
    if (wu && !bv_jv_is_null(wu) &&
        (rc = bv_jv_u64(d, wu, NPATH(".window_measured_us"), &us)))
      return rc;
    if (total > MAX_PROCS || skipped > total || us > (uint64_t)BV_MAX_WINDOW_MS * 10000u)
      return bv_jv_fail(d, NPATH(""), "total, skipped or window_measured_us out of range");
    r->total = (size_t)total;
    r->skipped = (size_t)skipped;
    r->window_measured_ms = (double)us / 1000.0;
#undef NPATH
  }
  s->nnodes = n;
  if (!collected)
    return bv_jv_fail(d, "nodes", "no node collected");
  return bv_snapshot_cluster_label(s);
}

int bv_snapshot_from_json(const bv_jdoc *d, bv_snapshot **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  bv_intern in, nodemap;
  size_t *per_node = NULL; /* rows per node of a cluster */
  memset(&nodemap, 0, sizeof nodemap);
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
  const bv_jv *wv = bv_jv_get(root, "window_ms");
  if (wv && !bv_jv_is_null(wv)) {
    uint64_t wms = 0, wus = 0;
    if ((rc = bv_jv_u64(d, wv, "window_ms", &wms)) ||
        (rc = bv_jv_u64(d, bv_jv_get(root, "window_measured_us"), "window_measured_us", &wus)))
      goto fail;
    if (wms < 1 || wms > BV_MAX_WINDOW_MS) {
      rc = bv_jv_fail(d, "window_ms", "out of range");
      goto fail;
    }
    if (wus > (uint64_t)BV_MAX_WINDOW_MS * 10000u) {
      rc = bv_jv_fail(d, "window_measured_us", "out of range");
      goto fail;
    }
    s->window_ms = (unsigned)wms;
    s->window_measured_ms = (double)wus / 1000.0;
  }
  if ((rc = read_nodes(d, root, s, &nodemap)))
    goto fail;
  if (s->nnodes && !(per_node = calloc(s->nnodes, sizeof *per_node))) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  size_t n = bv_jv_len(procs);
  /* the gone rows of a window are not in the second listing's total: checked
     once they are counted */
  if (total < n && !s->window_ms) {
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
    double measured = s->window_measured_ms;
    size_t row_node = 0;
    if (s->nnodes) {
      /* a cluster's row names one of the nodes collected */
      const char *nn = NULL;
      if ((rc = bv_jv_str(d, bv_jv_get(e, "node"), PATH(".node"), tmp, &nn)))
        goto fail;
      const bv_intern_slot *sl = bv_intern_get(&nodemap, nn, strlen(nn));
      const bv_node_result *r = sl ? sl->ptr : NULL;
      if (!r || r->code) {
        rc = bv_jv_fail(d, PATH(".node"), "not one of the nodes collected");
        goto fail;
      }
      p->node = r->node;
      measured = r->window_measured_ms;
      row_node = (size_t)(r - s->nodes);
    }
    if (s->window_ms) {
      const char *pr = NULL;
      if ((rc = bv_jv_str(d, bv_jv_get(e, "window"), PATH(".window"), tmp, &pr)) ||
          (rc = bv_jv_u64(d, bv_jv_get(e, "reductions0"), PATH(".reductions0"),
                          &p->reductions0)) ||
          (rc = bv_jv_u64(d, bv_jv_get(e, "memory0"), PATH(".memory0"), &p->memory0)) ||
          (rc = bv_jv_u64(d, bv_jv_get(e, "message_queue_len0"), PATH(".message_queue_len0"),
                          &p->message_queue_len0)))
        goto fail;
      for (int k = BV_PRESENCE_BOTH; k <= BV_PRESENCE_GONE; k++)
        if (strcmp(pr, bv_presence_name(k)) == 0)
          p->presence = k;
      if (!p->presence) {
        rc = bv_jv_fail(d, PATH(".window"), "not one of both|born|gone");
        goto fail;
      }
      bv_proc_window_fill(p, measured);
      s->born += p->presence == BV_PRESENCE_BORN;
      s->gone += p->presence == BV_PRESENCE_GONE;
    }
#undef PATH
    /* rows a node listed (a gone one was not in its second listing) */
    if (per_node)
      per_node[row_node] += p->presence != BV_PRESENCE_GONE;
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
  if (s->window_ms && total < n - s->gone) {
    rc = bv_jv_fail(d, "total", "smaller than the number of entries in procs not gone");
    goto fail;
  }
  for (size_t k = 0; per_node && k < s->nnodes; k++)
    if (per_node[k] > s->nodes[k].total) {
      snprintf(path, sizeof path, "nodes[%zu].total", k);
      rc = bv_jv_fail(d, path, "smaller than the node's rows in procs");
      goto fail;
    }
  free(per_node);
  per_node = NULL;
  s->n = n;
  bv_intern_dispose(&nodemap);
  bv_intern_dispose(&in);
  bv_arena_free(tmp);
  *out = s;
  return 0;
fail:
  free(per_node);
  bv_intern_dispose(&nodemap);
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
  if (s->window_ms) {
    /* the window asked for and the one measured (µs: the file has integers) */
    bv_wr_str(&w, ",\"window_ms\":");
    bv_wr_u64(&w, s->window_ms);
    bv_wr_str(&w, ",\"window_measured_us\":");
    double us = s->window_measured_ms * 1000.0 + 0.5;
    bv_wr_u64(&w, us > 0 && us < 1e15 ? (uint64_t)us : 0);
  }
  if (s->nnodes) {
    /* a cluster: every node asked, collected or failed with its reason */
    bv_wr_str(&w, ",\"nodes\":[");
    for (size_t i = 0; i < s->nnodes; i++) {
      const bv_node_result *r = &s->nodes[i];
      bv_node_result_write(&w, r, i);
      if (!r->code) {
        bv_wr_str(&w, ",\"total\":");
        bv_wr_u64(&w, r->total);
        bv_wr_str(&w, ",\"skipped\":");
        bv_wr_u64(&w, r->skipped);
        if (s->window_ms) {
          bv_wr_str(&w, ",\"window_measured_us\":");
          double us = r->window_measured_ms * 1000.0 + 0.5;
          bv_wr_u64(&w, us > 0 && us < 1e15 ? (uint64_t)us : 0);
        }
      }
      bv_wr_str(&w, "}");
    }
    bv_wr_str(&w, "]");
  }
  bv_wr_str(&w, ",\"procs\":[");
  bv_proc_fields fs;
  /* with a window: presence and the first pass's values after the fields */
  bv_proc_field wf[sizeof model_fields / sizeof *model_fields + 2];
  size_t nf = sizeof model_fields / sizeof *model_fields;
  memcpy(wf, model_fields, sizeof model_fields);
  if (s->window_ms)
    wf[nf++] = BV_PF_WINDOW;
  if (s->nnodes)
    wf[nf++] = BV_PF_NODE;
  bv_proc_fields_init(&fs, wf, nf);
  for (size_t i = 0; i < s->n; i++) {
    const bv_proc *p = &s->procs[i];
    bv_wr_str(&w, i ? ",\n" : "\n");
    bv_wr_proc(&w, p, NULL, &fs, 1);
    if (s->window_ms && !w.rc && w.b.len && w.b.data[w.b.len - 1] == '}') {
      w.b.len--;
      bv_wr_str(&w, ",\"reductions0\":");
      bv_wr_u64(&w, p->reductions0);
      bv_wr_str(&w, ",\"memory0\":");
      bv_wr_u64(&w, p->memory0);
      bv_wr_str(&w, ",\"message_queue_len0\":");
      bv_wr_u64(&w, p->message_queue_len0);
      bv_wr_str(&w, "}");
    }
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
      need += 40;
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
      if (num) {
        char t[40];
        bv_fmt_num(t, p, fs->f[i].f);
        bv_wr_str(w, t);
      } else
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
      bv_proc_field f = fs->f[i].f;
      if (f == BV_PF_REDUCTIONS || f == BV_PF_MEMORY || f == BV_PF_MESSAGE_QUEUE_LEN)
        d = put_u64(d, bv_proc_value(p, f));
      else
        d += bv_fmt_num(d, p, f);
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
