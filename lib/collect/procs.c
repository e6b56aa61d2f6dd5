/* procs.c: the process snapshot: fields, collection from the node, top-N.
 * Output formats and the model file reader are in procs_out.c. */
#include "collect/collect.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* --- collection ------------------------------------------------------------ */

/* A chunk that came before an earlier one, held until its turn. */
typedef struct early {
  size_t k1;     /* chunk index + 1; 0 = free slot */
  bv_proc *rows; /* malloc'd, the chunk's stored rows */
  size_t n;
} early;

/* A process of a window's first pass. */
typedef struct w0row {
  const char *pid; /* in the snapshot's arena (the second pass's row reuses it) */
  uint64_t reductions, memory, message_queue_len;
  size_t pos;      /* position in the first listing */
  int seen;        /* in the second pass too */
} w0row;

/* Nothing here is sized by the setup's claims (a node can claim any Total):
 * the rows grow as chunks arrive, and a chunk that comes early waits in a
 * table that holds only the chunks that came. */
typedef struct collector {
  bv_snapshot *s;   /* s->procs[0..s->n): the rows of chunks 0..next-1 */
  const char *node; /* target node: its pids print as <0.X.Y> */
  bv_intern terms;  /* encoded status/MFA term -> text */
  bv_intern labels; /* encoded '$process_label' term -> text */
  int elixir;       /* labels are written the node's way */
  bv_buf tmp;
  size_t total;   /* processes listed (the setup's Total) */
  size_t cap;     /* rows s->procs has room for (<= total) */
  size_t chunk;   /* pids per chunk; chunk K starts at K * chunk */
  size_t nchunks;
  size_t read;          /* processes read so far, stored or skipped */
  size_t next;          /* first chunk not yet in s->procs */
  early *early;         /* open addressing by chunk index, ecap a power of 2 */
  size_t ecap, ecount;
  const bv_procs_opts *o;
  int initial_call; /* asked for: 2 always, 1 when cheap (bindings of procs.erl) */
  /* a window's first pass: pid text -> index + 1 into w0 (bounded like the
   * rows: its processes are at most the node's process limit, stored only as
   * chunks come) */
  unsigned window;   /* ms asked; 0 = plain */
  int pass2;         /* the second pass's setup came */
  bv_intern w0map;
  w0row *w0;
  size_t w0n, w0cap;
  size_t total0, nchunks0, chunks0, nworkers;
  unsigned char *got0; /* pass-1 chunks that came, a bit each (untouched pages
                          of calloc cost nothing until chunks come) */
} collector;

static int bad_row(const char *what)
{
  return bv_error_set(BV_ETERM, "unexpected process row from the node: %s", what);
}

/* "M:F/A" of an {M, F, A} term (Elixir. stripped from M), the atom's text for
 * an atom other than undefined, NULL for undefined, else the term printed. */
static int term_text(collector *c, const bv_term *t, const char **out)
{
  *out = NULL;
  if (!t || (t->type == BV_T_ATOM && t->n == 9 && memcmp(t->v.s, "undefined", 9) == 0))
    return 0;
  int fresh;
  const char **slot = bv_intern_lookup(&c->terms, t->raw, t->rawlen, &fresh);
  if (!slot)
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (fresh) {
    bv_buf *b = &c->tmp;
    b->len = 0;
    if (t->type == BV_T_TUPLE && t->n == 3 && t->v.items[0].type == BV_T_ATOM &&
        t->v.items[1].type == BV_T_ATOM && t->v.items[2].type == BV_T_INT) {
      bv_buf_puts(b, bv_strip_elixir(t->v.items[0].v.s));
      bv_buf_putc(b, ':');
      bv_buf_puts(b, t->v.items[1].v.s);
      bv_buf_printf(b, "/%lld", (long long)t->v.items[2].v.i);
    } else if (t->type == BV_T_ATOM) {
      bv_buf_puts(b, t->v.s);
    } else {
      bv_term_format(b, t, c->node, 200);
    }
    if (b->failed || !(*slot = bv_arena_strndup(c->s->arena, b->data ? b->data : "", b->len)))
      return bv_error_set(BV_ENOMEM, "out of memory");
  }
  *out = *slot;
  return 0;
}

/* The translated initial call of a '$initial_call' value: what proc_lib's
 * translate_initial_call gives ({supervisor, M, 1} is M:init/1), as
 * term_text writes it; *out unset when v is not an {M, F, A}. */
static int dict_call(collector *c, const bv_term *v, const char **out)
{
  if (!v || v->type != BV_T_TUPLE || v->n != 3 || v->v.items[0].type != BV_T_ATOM ||
      v->v.items[1].type != BV_T_ATOM || v->v.items[2].type != BV_T_INT)
    return 0;
  const bv_term *m = &v->v.items[0];
  if ((bv_term_is_atom(m, "supervisor") || bv_term_is_atom(m, "supervisor_bridge")) &&
      v->v.items[2].v.i == 1) {
    int fresh;
    const char **slot = bv_intern_lookup(&c->terms, v->raw, v->rawlen, &fresh);
    if (!slot)
      return bv_error_set(BV_ENOMEM, "out of memory");
    if (fresh) {
      c->tmp.len = 0;
      bv_buf_printf(&c->tmp, "%s:init/1", bv_strip_elixir(v->v.items[1].v.s));
      if (c->tmp.failed || !(*slot = bv_arena_strndup(c->s->arena, c->tmp.data, c->tmp.len)))
        return bv_error_set(BV_ENOMEM, "out of memory");
    }
    *out = *slot;
    return 0;
  }
  return term_text(c, v, out);
}

/* Labels are cut to this many bytes (at a UTF-8 character boundary). */
#define LABEL_MAX 80

/* A '$process_label' value as every view shows it (bv_term_label), interned;
 * NULL for undefined or an empty text. */
static int label_text(collector *c, const bv_term *t, const char **out)
{
  *out = NULL;
  if (!t || bv_term_is_atom(t, "undefined") || t->type == BV_T_NIL)
    return 0;
  int fresh;
  const char **slot = bv_intern_lookup(&c->labels, t->raw, t->rawlen, &fresh);
  if (!slot)
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (fresh) {
    bv_buf *b = &c->tmp;
    b->len = 0;
    bv_term_label(b, t, c->node, LABEL_MAX, c->elixir);
    if (b->failed || !(*slot = bv_arena_strndup(c->s->arena, b->data ? b->data : "", b->len)))
      return bv_error_set(BV_ENOMEM, "out of memory");
    if (!b->len)
      *slot = NULL;
  }
  *out = *slot;
  return 0;
}

static int same_pid(const bv_term *a, const bv_term *b)
{
  return a && b && a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0;
}

/* --- chunks that came early ------------------------------------------------ */

static early *early_find(const collector *c, size_t k)
{
  if (!c->ecount)
    return NULL;
  for (size_t i = k & (c->ecap - 1);; i = (i + 1) & (c->ecap - 1)) {
    if (!c->early[i].k1)
      return NULL;
    if (c->early[i].k1 == k + 1)
      return &c->early[i];
  }
}

static int early_put(collector *c, size_t k, bv_proc *rows, size_t n)
{
  if ((c->ecount + 1) * 2 > c->ecap) {
    size_t ncap = c->ecap ? c->ecap * 2 : 16;
    early *ne = calloc(ncap, sizeof *ne);
    if (!ne)
      return bv_error_set(BV_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->ecap; i++) {
      if (!c->early[i].k1)
        continue;
      size_t j = (c->early[i].k1 - 1) & (ncap - 1);
      while (ne[j].k1)
        j = (j + 1) & (ncap - 1);
      ne[j] = c->early[i];
    }
    free(c->early);
    c->early = ne;
    c->ecap = ncap;
  }
  size_t i = k & (c->ecap - 1);
  while (c->early[i].k1)
    i = (i + 1) & (c->ecap - 1);
  c->early[i] = (early){k + 1, rows, n};
  c->ecount++;
  return 0;
}

/* Empties slot e, moving back the entries after it that would no longer be
 * found past the hole (linear probing has no tombstones). */
static void early_drop(collector *c, early *e)
{
  size_t mask = c->ecap - 1, i = (size_t)(e - c->early), j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (!c->early[j].k1)
      break;
    size_t home = (c->early[j].k1 - 1) & mask;
    /* stays if its home lies cyclically in (i, j] */
    if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
      continue;
    c->early[i] = c->early[j];
    i = j;
  }
  c->early[i] = (early){0, NULL, 0};
  c->ecount--;
}

static void early_dispose(collector *c)
{
  for (size_t i = 0; i < c->ecap; i++)
    free(c->early[i].rows);
  free(c->early);
  c->early = NULL;
  c->ecap = c->ecount = 0;
}

/* Room in s->procs for n more rows: doubling, never past Total. */
static int room(collector *c, size_t n)
{
  bv_snapshot *s = c->s;
  if (s->n + n <= c->cap)
    return 0;
  size_t ncap = c->cap * 2 > s->n + n ? c->cap * 2 : s->n + n;
  if (ncap > c->total)
    ncap = c->total; /* s->n + n <= total: rows only come in chunks of it */
  bv_proc *np = bv_arena_realloc(s->arena, s->procs, c->cap * sizeof *np, ncap * sizeof *np);
  if (!np)
    return bv_error_set(BV_ENOMEM, "out of memory for %zu processes", ncap);
  s->procs = np;
  c->cap = ncap;
  return 0;
}

/* Appends n rows as the next chunk's and hands them to on_rows. */
static int next_done(collector *c, size_t n)
{
  bv_snapshot *s = c->s;
  size_t at = s->n;
  s->n += n;
  c->next++;
  if (n && c->o && c->o->on_rows) {
    int rc = c->o->on_rows(c->o->ud, s, &s->procs[at], n);
    if (c->o->handoff)
      s->n = at; /* handed over: the room is used again */
    return rc;
  }
  return 0;
}

/* Stores the chunk's rows of processes still alive in out[0..*fill), its
 * exited ones counted in skipped. Rows are 6-tuples (no initial call),
 * 7-tuples (initial call; the dictionary keys of some come in dict) or
 * 9-tuples (initial call, '$initial_call', '$process_label'). */
static int take_rows(collector *c, const bv_term *pids, const bv_term *rows, const bv_term *dict,
                     bv_proc *out, size_t *fill)
{
  bv_snapshot *s = c->s;
  uint32_t j = 0; /* next Dict entry: a subsequence of the rows, in order */
  const bv_term *prev[3] = {NULL, NULL, NULL};
  const char *prev_text[3] = {NULL, NULL, NULL};
  int rc;
  for (uint32_t i = 0; i < rows->n; i++) {
    const bv_term *r = &rows->v.items[i], *pid = &pids->v.items[i];
    if (r->type == BV_T_ATOM) { /* undefined: exited between listing and reading */
      s->skipped++;
      continue;
    }
    if (r->type != BV_T_TUPLE || (r->n != 6 && r->n != 7 && r->n != 9))
      return bad_row("not a 6, 7 or 9-tuple");
    if (pid->type != BV_T_PID)
      return bad_row("not a pid");
    const bv_term *f = r->v.items;
    bv_proc *p = &out[(*fill)++];
    c->tmp.len = 0;
    rc = bv_term_pid_str(&c->tmp, pid, c->node);
    if (rc || c->tmp.failed)
      return rc ? rc : bv_error_set(BV_ENOMEM, "out of memory");
    p->reductions0 = p->memory0 = p->message_queue_len0 = 0;
    p->reductions_per_sec = 0;
    p->presence = BV_PRESENCE_NONE;
    p->node = NULL; /* a cluster run sets it when it merges the nodes */
    w0row *first = NULL;
    if (c->window) {
      const bv_intern_slot *sl = bv_intern_get(&c->w0map, c->tmp.data, c->tmp.len);
      first = sl && sl->num > 0 && (size_t)sl->num <= c->w0n ? &c->w0[sl->num - 1] : NULL;
      p->presence = first && !first->seen ? BV_PRESENCE_BOTH : BV_PRESENCE_BORN;
    }
    if (p->presence == BV_PRESENCE_BOTH) {
      first->seen = 1;
      p->pid = first->pid;
      p->reductions0 = first->reductions;
      p->memory0 = first->memory;
      p->message_queue_len0 = first->message_queue_len;
    } else if (!(p->pid = bv_arena_strndup(s->arena, c->tmp.data, c->tmp.len))) {
      return bv_error_set(BV_ENOMEM, "out of memory");
    }
    s->born += p->presence == BV_PRESENCE_BORN;
    p->name = NULL;
    p->label = NULL;
    if (f[0].type == BV_T_ATOM) {
      if (!(p->name = bv_arena_strdup(s->arena, bv_strip_elixir(f[0].v.s))))
        return bv_error_set(BV_ENOMEM, "out of memory");
    }
    p->reductions = bv_term_u64(&f[1], 0);
    p->memory = bv_term_u64(&f[2], 0);
    p->message_queue_len = bv_term_u64(&f[4], 0);
    if (c->window)
      bv_proc_window_fill(p, s->window_measured_ms);
    /* neighbouring rows mostly share these: compare bytes before hashing */
    static const int col[3] = {3, 5, 6};
    const char **dst[3] = {&p->status, &p->current_function, &p->initial_call};
    p->initial_call = NULL;
    for (int q = 0; q < (r->n > 6 ? 3 : 2); q++) {
      const bv_term *v = &f[col[q]];
      if (prev[q] && prev[q]->rawlen == v->rawlen &&
          memcmp(prev[q]->raw, v->raw, v->rawlen) == 0) {
        *dst[q] = prev_text[q];
        continue;
      }
      if ((rc = term_text(c, v, dst[q])))
        return rc;
      prev[q] = v;
      prev_text[q] = *dst[q];
    }
    const bv_term *dic = NULL, *lab = NULL;
    if (r->n == 9) {
      dic = &f[7];
      lab = &f[8];
    } else if (r->n == 7 && j < dict->n) {
      const bv_term *e = &dict->v.items[j];
      if (e->type == BV_T_TUPLE && e->n == 3 && same_pid(&e->v.items[0], pid)) {
        dic = &e->v.items[1];
        lab = &e->v.items[2];
        j++;
      }
    }
    if (dic && dic->type == BV_T_TUPLE) {
      const char *ic = NULL;
      if ((rc = dict_call(c, dic, &ic)))
        return rc;
      if (ic)
        p->initial_call = ic;
    }
    if (lab && (rc = label_text(c, lab, &p->label)))
      return rc;
  }
  return 0;
}

/* {bv_procs, Ref, K, Pids, Rows, Dict}: chunk K, Rows aligned with Pids */
static int take_chunk(collector *c, const bv_term *m)
{
  int64_t k = bv_term_int(bv_term_elem(m, 2), -1);
  const bv_term *pids = bv_term_elem(m, 3), *rows = bv_term_elem(m, 4), *pl = bv_term_elem(m, 5);
  if (k < 0 || (size_t)k >= c->nchunks || !pids || !rows || !pl ||
      (pids->type != BV_T_LIST && pids->type != BV_T_NIL) ||
      (rows->type != BV_T_LIST && rows->type != BV_T_NIL) ||
      (pl->type != BV_T_LIST && pl->type != BV_T_NIL) || pids->n != rows->n)
    return bad_row("malformed chunk");
  bv_snapshot *s = c->s;
  size_t idx = (size_t)k, base = idx * c->chunk;
  size_t len = c->total - base < c->chunk ? c->total - base : c->chunk;
  /* a chunk comes once and whole: rows can only land inside it */
  if (idx < c->next || early_find(c, idx))
    return bad_row("a chunk came twice");
  if (rows->n != len)
    return bad_row("a chunk of the wrong length");
  /* the next chunk goes straight into the snapshot, an early one waits apart */
  bv_proc *out;
  int rc;
  if (idx == c->next) {
    if ((rc = room(c, len)))
      return rc;
    out = &s->procs[s->n];
  } else if (!(out = malloc(len * sizeof *out))) {
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  size_t fill = 0;
  rc = take_rows(c, pids, rows, pl, out, &fill);
  c->read += len;
  if (idx != c->next) {
    if (rc || (rc = early_put(c, idx, out, fill)))
      free(out);
    return rc;
  }
  if (rc || (rc = next_done(c, fill)))
    return rc;
  /* the chunks that came early and are next now */
  early *e;
  while ((e = early_find(c, c->next))) {
    if ((rc = room(c, e->n)))
      return rc;
    if (e->n)
      memcpy(&s->procs[s->n], e->rows, e->n * sizeof *e->rows);
    size_t n = e->n;
    free(e->rows);
    early_drop(c, e);
    if ((rc = next_done(c, n)))
      return rc;
  }
  return 0;
}

/* {bv_procs_w0, Ref, K, Pids, Rows0}: a window's first pass, chunk K; Rows0
 * aligned with Pids: {Reds, Mem, QueueLen} | undefined (exited). */
static int take_chunk0(collector *c, const bv_term *m)
{
  int64_t k = bv_term_int(bv_term_elem(m, 2), -1);
  const bv_term *pids = bv_term_elem(m, 3), *rows = bv_term_elem(m, 4);
  if (k < 0 || (size_t)k >= c->nchunks0 || !pids || !rows ||
      (pids->type != BV_T_LIST && pids->type != BV_T_NIL) ||
      (rows->type != BV_T_LIST && rows->type != BV_T_NIL) || pids->n != rows->n)
    return bad_row("malformed chunk of the first pass");
  size_t idx = (size_t)k, base = idx * c->chunk;
  size_t len = c->total0 - base < c->chunk ? c->total0 - base : c->chunk;
  if (c->got0[idx / 8] & (1u << (idx % 8)))
    return bad_row("a chunk of the first pass came twice");
  if (rows->n != len)
    return bad_row("a chunk of the first pass of the wrong length");
  c->got0[idx / 8] |= (unsigned char)(1u << (idx % 8));
  c->chunks0++;
  if (c->w0n + len > c->w0cap) {
    size_t ncap = c->w0cap * 2 > c->w0n + len ? c->w0cap * 2 : c->w0n + len;
    if (ncap > c->total0)
      ncap = c->total0; /* chunks tile the listing: w0n + len <= total0 */
    w0row *nw = realloc(c->w0, ncap * sizeof *nw);
    if (!nw)
      return bv_error_set(BV_ENOMEM, "out of memory for %zu processes", ncap);
    c->w0 = nw;
    c->w0cap = ncap;
  }
  for (uint32_t i = 0; i < rows->n; i++) {
    const bv_term *r = &rows->v.items[i], *pid = &pids->v.items[i];
    if (r->type == BV_T_ATOM) /* exited before it was read: not there */
      continue;
    if (r->type != BV_T_TUPLE || r->n != 3 || pid->type != BV_T_PID)
      return bad_row("not a pid and a 3-tuple in the first pass");
    c->tmp.len = 0;
    int rc = bv_term_pid_str(&c->tmp, pid, c->node);
    if (rc || c->tmp.failed)
      return rc ? rc : bv_error_set(BV_ENOMEM, "out of memory");
    int fresh;
    bv_intern_slot *sl = bv_intern_put(&c->w0map, c->tmp.data, c->tmp.len, &fresh);
    if (!sl)
      return bv_error_set(BV_ENOMEM, "out of memory");
    if (!fresh)
      return bad_row("a pid came twice in the first pass");
    w0row *w = &c->w0[c->w0n];
    if (!(w->pid = bv_arena_strndup(c->s->arena, c->tmp.data, c->tmp.len)))
      return bv_error_set(BV_ENOMEM, "out of memory");
    w->reductions = bv_term_u64(&r->v.items[0], 0);
    w->memory = bv_term_u64(&r->v.items[1], 0);
    w->message_queue_len = bv_term_u64(&r->v.items[2], 0);
    w->pos = base + i;
    w->seen = 0;
    sl->num = (int64_t)++c->w0n;
  }
  return 0;
}

static int cmp_pos(const void *a, const void *b)
{
  const w0row *x = *(const w0row *const *)a, *y = *(const w0row *const *)b;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The first pass's processes the second did not see, after the rows in the
 * first listing's order: gone, with their first values. */
static int add_gone(collector *c)
{
  bv_snapshot *s = c->s;
  size_t ngone = 0;
  for (size_t i = 0; i < c->w0n; i++)
    ngone += !c->w0[i].seen;
  if (!ngone)
    return 0;
  w0row **g = malloc(ngone * sizeof *g);
  if (!g)
    return bv_error_set(BV_ENOMEM, "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < c->w0n; i++)
    if (!c->w0[i].seen)
      g[k++] = &c->w0[i];
  qsort(g, ngone, sizeof *g, cmp_pos);
  bv_proc *np = bv_arena_realloc(s->arena, s->procs, c->cap * sizeof *np,
                                 (s->n + ngone) * sizeof *np);
  if (!np) {
    free(g);
    return bv_error_set(BV_ENOMEM, "out of memory for %zu processes", s->n + ngone);
  }
  s->procs = np;
  c->cap = s->n + ngone;
  size_t at = s->n;
  for (size_t i = 0; i < ngone; i++) {
    bv_proc *p = &s->procs[s->n++];
    memset(p, 0, sizeof *p);
    p->pid = g[i]->pid;
    p->reductions0 = g[i]->reductions;
    p->memory0 = g[i]->memory;
    p->message_queue_len0 = g[i]->message_queue_len;
    p->status = "exited"; /* not in the second listing, or exited as it was read */
    p->presence = BV_PRESENCE_GONE;
    bv_proc_window_fill(p, s->window_measured_ms);
  }
  free(g);
  s->gone = ngone;
  if (c->o && c->o->on_rows) {
    int rc = c->o->on_rows(c->o->ud, s, &s->procs[at], ngone);
    if (c->o->handoff)
      s->n = at;
    return rc;
  }
  return 0;
}

/* The deadline passed: say how far it got and what to do. */
static int late(const collector *c, unsigned timeout)
{
  return bv_error_set(BV_ETIMEOUT,
                      "collecting processes on %s did not finish within %u ms: %zu of %zu "
                      "read",
                      c->node, timeout, c->read, c->total);
}

/* {bv_procs_done, Ref, Index, Why} */
static int take_done(collector *c, const bv_term *m, const char *node, unsigned timeout,
                     size_t *done)
{
  const bv_term *why = bv_term_elem(m, 3);
  (*done)++;
  if (bv_term_is_atom(why, "done"))
    return 0;
  if (bv_term_is_atom(why, "stopped")) /* a worker reached the deadline first */
    return late(c, timeout);
  bv_buf b;
  bv_buf_init(&b);
  bv_term_format(&b, why, node, 300);
  int rc = bv_error_set(BV_EREMOTE, "collecting processes on %s failed: %s", node,
                        b.data ? b.data : "?");
  bv_buf_dispose(&b);
  return rc;
}

/* The next message of this snapshot ({Tag, Ref, ...}) before the deadline.
 * One message at a time: the arena holds only the current one. */
static int next_msg(collector *c, bv_conn *conn, uint64_t deadline, unsigned timeout,
                    bv_arena *tmp, const unsigned char *ref, size_t reflen, bv_term **m)
{
  bv_term k = {.raw = ref, .rawlen = reflen};
  int rc = bv_conn_await(conn, deadline, tmp, bv_await_ref, &k, m);
  return rc == BV_ETIMEOUT ? late(c, timeout) : rc;
}

/* The numbers of a setup message: a node has at most its process limit,
 * read in the same breath as the listing, so a count above it is a lie (the
 * rows are stored as chunks come, so even a claim below it costs nothing until
 * the data does); the chunks must tile [0, total) exactly: a chunk index past
 * the end would place rows outside the snapshot. */
static int check_setup(collector *c, int64_t nworkers, int64_t total, int64_t nchunks,
                       int64_t limit, unsigned chunk, int pass2)
{
  if (limit < 1 || limit > BV_MAX_PROCESS_LIMIT)
    return bv_error_set(BV_ETERM,
                        "unexpected setup of the snapshot from node %s: process limit %lld",
                        c->node, (long long)limit);
  if (total > limit)
    return bv_error_set(BV_ETERM,
                        "unexpected setup of the snapshot from node %s: %lld processes claimed, "
                        "more than its process limit %lld",
                        c->node, (long long)total, (long long)limit);
  /* the second pass has the first's workers, however few its chunks */
  if (total < 0 || nworkers < 1 || nworkers > 100000 ||
      nchunks != (total + (int64_t)chunk - 1) / (int64_t)chunk ||
      (pass2 ? (size_t)nworkers != c->nworkers : nworkers > (nchunks > 1 ? nchunks : 1)))
    return bad_row("unexpected setup of the snapshot");
  return 0;
}

/* {bv_procs_setup, Ref, {error, Class, Reason}}: the setup process failed */
static int setup_failed(collector *c, const bv_term *m)
{
  bv_buf eb;
  bv_buf_init(&eb);
  bv_term_format(&eb, bv_term_elem(m, 2), c->node, 300);
  int rc = bv_error_set(BV_EREMOTE, "listing processes on %s failed: %s", c->node,
                        eb.data ? eb.data : "?");
  bv_buf_dispose(&eb);
  return rc;
}

/* The second pass's setup (and the plain snapshot's): its counts, and with a
 * window the two listings' times {.., T0, T1} (µs). */
static int take_setup(collector *c, const bv_term *m, unsigned chunk)
{
  int64_t nworkers = bv_term_int(bv_term_elem(m, 2), -1);
  int64_t total = bv_term_int(bv_term_elem(m, 3), -1);
  int64_t nchunks = bv_term_int(bv_term_elem(m, 4), -1);
  int64_t limit = bv_term_int(bv_term_elem(m, 5), -1);
  int rc = check_setup(c, nworkers, total, nchunks, limit, chunk, c->window != 0);
  if (rc)
    return rc;
  if (c->window) {
    /* the coordinator lists again once every first-pass chunk was sent */
    if (c->chunks0 != c->nchunks0)
      return bad_row("the second pass began before the first ended");
    const bv_term *t0 = bv_term_elem(m, 6), *t1 = bv_term_elem(m, 7);
    if (!t0 || !t1 || t0->type != BV_T_INT || t1->type != BV_T_INT)
      return bad_row("unexpected times of the window");
    int64_t a = t0->v.i, b = t1->v.i;
    /* pass 2 starts after pass 1, within the deadline (far below this bound) */
    uint64_t us = b >= a ? (uint64_t)b - (uint64_t)a : UINT64_MAX;
    if (us > (uint64_t)BV_MAX_WINDOW_MS * 10000u)
      return bad_row("unexpected times of the window");
    c->s->window_measured_ms = (double)us / 1000.0;
  }
  c->total = (size_t)total;
  c->chunk = chunk;
  c->nchunks = (size_t)nchunks;
  c->nworkers = (size_t)nworkers;
  c->s->total = (size_t)total;
  c->pass2 = 1;
  return 0;
}

static int collect(collector *c, bv_conn *conn, const bv_procs_opts *o)
{
  unsigned timeout = o && o->timeout_ms ? o->timeout_ms : bv_conn_timeout(conn);
  unsigned workers = o && o->workers ? o->workers : 0;
  unsigned chunk = o && o->chunk ? o->chunk : 2000;
  unsigned window = c->window;
  /* the window comes on top of the collection's time */
  unsigned total_ms = window > UINT_MAX - timeout ? UINT_MAX : timeout + window;
  uint64_t deadline = bv_now_ms() + total_ms;
  bv_arena *tmp = bv_arena_new();
  unsigned char *ref = NULL;
  size_t reflen = 0, done = 0;
  int rc;
  if (!tmp)
    return bv_error_set(BV_ENOMEM, "out of memory");
  bv_binding b[] = {
      {"Self", BV_B_SELF, 0, NULL, 0},
      {"Workers", BV_B_INT, (int64_t)workers, NULL, 0},
      {"Chunk", BV_B_INT, (int64_t)chunk, NULL, 0},
      {"Timeout", BV_B_INT, (int64_t)total_ms, NULL, 0},
      {"InitialCall", BV_B_INT, o && o->skip_initial_call ? 1 : 2, NULL, 0},
      {"Window", BV_B_INT, (int64_t)window, NULL, 0},
  };
  bv_term *res;
  if ((rc = bv_conn_eval(conn, "procs.erl", b, sizeof b / sizeof *b, timeout, tmp, &res)))
    goto out;
  /* the value is a ref at once; the setup message follows */
  const bv_term *r0 = res;
  if (!r0 || r0->type != BV_T_REF) {
    rc = bad_row("unexpected reply to the snapshot request");
    goto out;
  }
  reflen = r0->rawlen;
  if (!(ref = malloc(reflen ? reflen : 1))) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto out;
  }
  memcpy(ref, r0->raw, reflen);
  /* {bv_procs_setup, Ref, NWorkers, Total, NChunks, ProcessLimit} comes
     before any chunk; with a window {bv_procs_w0_setup, ...} the same way */
  bv_term *m;
  if ((rc = next_msg(c, conn, deadline, total_ms, tmp, ref, reflen, &m)))
    goto out;
  const char *first = window ? "bv_procs_w0_setup" : "bv_procs_setup";
  if (bv_term_is_atom(bv_term_elem(m, 0), "bv_procs_setup") && m->n == 3) {
    rc = setup_failed(c, m);
    goto out;
  }
  if (!bv_term_is_atom(bv_term_elem(m, 0), first) || m->n != 6) {
    rc = bad_row("a message before the snapshot's setup");
    goto out;
  }
  if (!window) {
    if ((rc = take_setup(c, m, chunk)))
      goto out;
  } else {
    int64_t nworkers = bv_term_int(bv_term_elem(m, 2), -1);
    int64_t total = bv_term_int(bv_term_elem(m, 3), -1);
    int64_t nchunks = bv_term_int(bv_term_elem(m, 4), -1);
    int64_t limit = bv_term_int(bv_term_elem(m, 5), -1);
    if ((rc = check_setup(c, nworkers, total, nchunks, limit, chunk, 0)))
      goto out;
    c->total0 = (size_t)total;
    c->nchunks0 = (size_t)nchunks;
    c->chunk = chunk;
    c->nworkers = (size_t)nworkers;
    if (!(c->got0 = calloc(c->nchunks0 / 8 + 1, 1))) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
      goto out;
    }
  }
  while (done < c->nworkers) {
    if ((rc = next_msg(c, conn, deadline, total_ms, tmp, ref, reflen, &m)))
      goto out;
    const bv_term *tag = bv_term_elem(m, 0);
    if (bv_term_is_atom(tag, "bv_procs") && m->n == 6 && c->pass2) {
      rc = take_chunk(c, m);
    } else if (bv_term_is_atom(tag, "bv_procs_w0") && m->n == 5 && window) {
      rc = take_chunk0(c, m);
    } else if (bv_term_is_atom(tag, "bv_procs_setup") && m->n == 3) {
      rc = setup_failed(c, m);
    } else if (bv_term_is_atom(tag, "bv_procs_setup") && m->n == 8 && window && !c->pass2) {
      rc = take_setup(c, m, chunk);
    } else if (bv_term_is_atom(tag, "bv_procs_done") && m->n == 4) {
      rc = take_done(c, m, c->node, total_ms, &done);
    } else {
      rc = bad_row("unknown message");
    }
    if (rc)
      goto out;
  }
  if (!c->pass2 || c->next != c->nchunks || (window && c->chunks0 != c->nchunks0)) {
    rc = bad_row("the workers ended before every chunk came");
    goto out;
  }
  if (window && (rc = add_gone(c)))
    goto out;
  /* no process at all still gets an array */
  if (!c->s->procs && !(c->s->procs = bv_arena_alloc(c->s->arena, sizeof(bv_proc))))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
out:
  free(ref);
  bv_arena_free(tmp);
  return rc;
}

int bv_procs_collect(bv_conn *conn, const bv_procs_opts *o, bv_snapshot **out)
{
  *out = NULL;
  /* a model file holds a window up to this long: what is collected can be read back */
  if (o && o->window_ms > BV_MAX_WINDOW_MS)
    return bv_error_set(BV_EINVAL, "window of %u ms is longer than %u ms", o->window_ms,
                        BV_MAX_WINDOW_MS);
  collector c;
  memset(&c, 0, sizeof c);
  bv_buf_init(&c.tmp);
  int rc;
  bv_snapshot *s = calloc(1, sizeof *s);
  if (!s || !(s->arena = bv_arena_new())) {
    free(s);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  c.s = s;
  c.node = bv_conn_node(conn);
  c.o = o;
  c.initial_call = o && o->skip_initial_call ? 1 : 2;
  c.elixir = bv_conn_has_elixir(conn);
  c.window = o ? o->window_ms : 0;
  s->window_ms = c.window;
  if ((rc = bv_intern_init(&c.terms)) || (rc = bv_intern_init(&c.labels)) ||
      (c.window && (rc = bv_intern_init(&c.w0map))))
    goto fail;
  s->node = bv_arena_strdup(s->arena, c.node);
  s->otp_release = bv_arena_strdup(s->arena, bv_conn_otp_release(conn));
  s->elixir = bv_conn_has_elixir(conn);
  if (!s->node || !s->otp_release) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto fail;
  }
  if ((rc = collect(&c, conn, o)))
    goto fail;
  early_dispose(&c);
  bv_intern_dispose(&c.terms);
  bv_intern_dispose(&c.labels);
  bv_intern_dispose(&c.w0map);
  free(c.w0);
  free(c.got0);
  bv_buf_dispose(&c.tmp);
  *out = s;
  return 0;
fail:
  early_dispose(&c);
  bv_intern_dispose(&c.terms);
  bv_intern_dispose(&c.labels);
  bv_intern_dispose(&c.w0map);
  free(c.w0);
  free(c.got0);
  bv_buf_dispose(&c.tmp);
  bv_snapshot_free(s);
  return rc;
}

/* --- top N ----------------------------------------------------------------- */


