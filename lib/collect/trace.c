/* trace_collect.c: beamviz seqtrace's collection. Starts the relay on the
 * target (templates/seqtrace_common.erl + seqtrace_eval.erl or
 * seqtrace_attach.erl, evaluated with erl_eval: nothing is loaded), receives
 * its batches until it says it is done, then builds the model: events in
 * causal order (seq_trace serial, then timestamp), replies paired with their
 * requests by reference, participants in order of first appearance with the
 * names they had when first seen.
 *
 * The bounds (events, duration, relay mailbox, message size) are enforced by
 * the relay itself; this side only waits for it with a deadline. If beamviz
 * dies, the relay sees its monitor fire and undoes the trace on its own. */
#include "collect/collect.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_EVENTS 1000u
#define DEFAULT_DURATION 5000u
#define DEFAULT_MAX_QUEUE 20000u
#define DEFAULT_MAX_TEXT 500u
#define PRINT_DEPTH 30
#define BATCH 200
#define QUIET_MS 100

/* --- text keys to an index (-1 until set) or a text, in util's hash map ---- */

static bv_intern_slot *index_put(bv_intern *m, const char *key)
{
  int fresh;
  bv_intern_slot *s = bv_intern_put(m, key, strlen(key), &fresh);
  if (s && fresh)
    s->num = -1;
  return s;
}

static const bv_intern_slot *map_get(const bv_intern *m, const char *key)
{
  return bv_intern_get(m, key, strlen(key));
}

/* --- raw events as the relay sends them ------------------------------------- */

typedef struct rawev {
  bv_ev_kind kind;
  uint32_t node;           /* index of the node whose relay sent it (cluster) */
  int64_t prev, cur, ts, uniq;
  const char *from, *to;   /* pid keys ("<0.1.0>"), "?" or an alias "#Ref<...>" */
  const char *text, *detail, *replyref;
  const char **reqrefs;
  uint32_t nreq;
  int32_t reply_to;
} rawev;

/* What every relay's messages are taken into. Across nodes one collector is
 * shared by the nodes' threads: each takes a message under mu (take_begin)
 * after setting the node it came from. */
typedef struct collector {
  bv_conn *conn;
  bv_trace *t;
  const char *node;  /* the node whose message is being taken */
  uint32_t cur;      /* its index (cluster) */
  size_t *nev;       /* events taken from that node so far */
  int cluster;       /* pid keys are "node|<0.N.S>" */
  pthread_mutex_t *mu;
  rawev *ev;
  size_t n, cap;
  size_t max_events; /* a relay sends no more: more is a lie */
  bv_intern names; /* pid key -> registered name */
  bv_intern exits; /* pid key -> exit reason */
  bv_intern labels; /* pid key -> label text (node's syntax) */
  bv_intern calls;  /* pid key -> "mod:fun/arity" */
  const char **attached; /* pid keys of the attached processes */
  size_t nattached;
  size_t max_attached; /* how many beamviz asked for: more is a lie */
  bv_buf tmp;
} collector;

static int oom(void) { return bv_error_set(BV_ENOMEM, "out of memory"); }

static int bad(const collector *c, const char *what)
{
  return bv_error_set(BV_ETERM, "unexpected message from the trace relay on %s: %s", c->node,
                      what);
}

/* Text of a binary/atom/string term copied into the model, or "" */
static const char *dup_text(collector *c, const bv_term *t)
{
  const char *s = bv_term_text(t);
  if (!s)
    return "";
  return bv_arena_strndup(c->t->arena, s, t->n);
}

/* NAME@HOST: one '@', neither first nor last, no '|' (the key's separator),
 * shorter than an atom may be. */
static int node_name_ok(const char *n)
{
  const char *at = n ? strchr(n, '@') : NULL;
  return at && at != n && at[1] && !strchr(at + 1, '@') && !strchr(n, '|') && strlen(n) < 256;
}

/* Participant key of a pid term (canonical pid) or of a binary ("?", alias). */
static const char *pid_key(collector *c, const bv_term *t)
{
  if (t && t->type == BV_T_PID) {
    c->tmp.len = 0;
    if (c->tmp.data)
      c->tmp.data[0] = 0;
    /* across nodes: "node|<0.N.S>", the pid as its own node writes it; a
       node name that is not NAME@HOST (only a lying node sends one) gives a
       pid of no node */
    int own = c->cluster && node_name_ok(t->v.pid.node);
    if (bv_term_pid_str(&c->tmp, t, own ? t->v.pid.node : c->node) || c->tmp.failed ||
        !c->tmp.data)
      return NULL;
    if (own)
      return bv_arena_printf(c->t->arena, "%s|%.*s", t->v.pid.node ? t->v.pid.node : "?",
                             (int)c->tmp.len, c->tmp.data);
    return bv_arena_strndup(c->t->arena, c->tmp.data, c->tmp.len);
  }
  const char *s = bv_term_text(t);
  return bv_arena_strdup(c->t->arena, s && *s ? s : "?");
}

static int kind_of(const bv_term *k, bv_ev_kind *out)
{
  static const struct {
    const char *name;
    bv_ev_kind kind;
  } kinds[] = {{"send", BV_EV_SEND}, {"call", BV_EV_CALL}, {"cast", BV_EV_CAST},
               {"exit", BV_EV_EXIT}, {"down", BV_EV_DOWN}, {"spawn", BV_EV_SPAWN}};
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (bv_term_is_atom(k, kinds[i].name)) {
      *out = kinds[i].kind;
      return 1;
    }
  return 0;
}

/* {Kind, Prev, Cur, TsUs, Uniq, From, To, Text, Detail, ReqRefs, ReplyRef} */
static int take_event(collector *c, const bv_term *e)
{
  if (!e || e->type != BV_T_TUPLE || e->n != 11)
    return bad(c, "an event is not an 11-tuple");
  const bv_term *f = e->v.items;
  if (*c->nev >= c->max_events)
    return bad(c, "more events than asked for");
  if (c->n == c->cap) {
    size_t ncap = c->cap ? c->cap * 2 : 1024;
    rawev *nv = realloc(c->ev, ncap * sizeof *nv);
    if (!nv)
      return oom();
    c->ev = nv;
    c->cap = ncap;
  }
  rawev *r = &c->ev[c->n];
  memset(r, 0, sizeof *r);
  r->node = c->cur;
  if (!kind_of(&f[0], &r->kind))
    return bad(c, "unknown event kind");
  r->prev = bv_term_int(&f[1], -1);
  r->cur = bv_term_int(&f[2], -1);
  r->ts = bv_term_int(&f[3], 0);
  r->uniq = bv_term_int(&f[4], 0);
  r->reply_to = -1;
  if (!(r->from = pid_key(c, &f[5])) || !(r->to = pid_key(c, &f[6])) ||
      !(r->text = dup_text(c, &f[7])) || !(r->detail = dup_text(c, &f[8])) ||
      !(r->replyref = dup_text(c, &f[10])))
    return oom();
  (*c->nev)++;
  const bv_term *rq = &f[9];
  if (rq->type == BV_T_LIST && rq->n) {
    r->reqrefs = bv_arena_alloc(c->t->arena, rq->n * sizeof *r->reqrefs);
    if (!r->reqrefs)
      return oom();
    for (uint32_t i = 0; i < rq->n; i++)
      if (!(r->reqrefs[r->nreq++] = dup_text(c, &rq->v.items[i])))
        return oom();
  }
  c->n++;
  return 0;
}

/* Labels are cut to this many bytes (at a UTF-8 character boundary). */
#define LABEL_MAX 80

/* A '$process_label' value as every view shows it (bv_term_label); NULL for
 * undefined or an empty text. */
static const char *label_text(collector *c, const bv_term *t)
{
  if (!t || bv_term_is_atom(t, "undefined") || t->type == BV_T_NIL)
    return NULL;
  bv_buf *b = &c->tmp;
  b->len = 0;
  bv_term_label(b, t, c->node, LABEL_MAX, c->t->elixir);
  if (b->failed || !b->data || !b->len)
    return NULL;
  return bv_arena_strndup(c->t->arena, b->data, b->len);
}

static int put_text(collector *c, bv_intern *m, const char *key, const char *text)
{
  int fresh;
  const char **v = bv_intern_lookup(m, key, strlen(key), &fresh);
  if (!v || !(*v = bv_arena_strdup(c->t->arena, text)))
    return oom();
  return 0;
}

/* [{Pid, Label, <<"m:f/a">>}]: who each participant is, read once. */
static int take_idents(collector *c, const bv_term *ids)
{
  for (uint32_t i = 0; ids && ids->type == BV_T_LIST && i < ids->n; i++) {
    const bv_term *e = &ids->v.items[i];
    const char *key = pid_key(c, bv_term_elem(e, 0));
    if (!key)
      continue;
    const char *label = label_text(c, bv_term_elem(e, 1));
    const char *ic = bv_term_text(bv_term_elem(e, 2));
    int rc;
    if ((label && (rc = put_text(c, &c->labels, key, label))) ||
        (ic && *ic && (rc = put_text(c, &c->calls, key, ic))))
      return rc;
  }
  return 0;
}

/* {bv_seqtrace, Relay, batch, Events, Names, Exits, Idents} */
static int take_batch(collector *c, const bv_term *m)
{
  const bv_term *evs = bv_term_elem(m, 3), *names = bv_term_elem(m, 4),
                *exits = bv_term_elem(m, 5);
  if (!evs || !names || !exits || (evs->type != BV_T_LIST && evs->type != BV_T_NIL))
    return bad(c, "malformed batch");
  int rc;
  for (uint32_t i = 0; evs->type == BV_T_LIST && i < evs->n; i++)
    if ((rc = take_event(c, &evs->v.items[i])))
      return rc;
  for (uint32_t i = 0; names->type == BV_T_LIST && i < names->n; i++) {
    const bv_term *p = bv_term_elem(&names->v.items[i], 0);
    const char *name = bv_term_text(bv_term_elem(&names->v.items[i], 1));
    const char *key = pid_key(c, p);
    if (!key || !name)
      continue;
    int fresh;
    const char **v = bv_intern_lookup(&c->names, key, strlen(key), &fresh);
    if (!v || !(*v = bv_arena_strdup(c->t->arena, name)))
      return oom();
  }
  for (uint32_t i = 0; exits->type == BV_T_LIST && i < exits->n; i++) {
    const bv_term *p = bv_term_elem(&exits->v.items[i], 0);
    const char *why = bv_term_text(bv_term_elem(&exits->v.items[i], 1));
    const char *key = pid_key(c, p);
    if (!key || !why)
      continue;
    int fresh;
    const char **v = bv_intern_lookup(&c->exits, key, strlen(key), &fresh);
    if (!v || !(*v = bv_arena_strdup(c->t->arena, why)))
      return oom();
  }
  return take_idents(c, bv_term_elem(m, 6));
}

/* --- building the model ------------------------------------------------------- */

/* Events are ordered by the target's strict monotonic timestamps, which on one
 * node agree with causality and show concurrent processes as they really
 * interleaved (the seq_trace serial alone is a Lamport clock: it would put a
 * reply sent 300 ms later right after the spawn it depends on). */
static int cmp_ev(const void *x, const void *y)
{
  const rawev *a = x, *b = y;
  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->uniq != b->uniq)
    return a->uniq < b->uniq ? -1 : 1;
  if (a->cur != b->cur)
    return a->cur < b->cur ? -1 : 1;
  return 0;
}

/* The serial still rules: a send whose Prev is another event's Cur comes after
 * that event (clocks of different nodes can disagree). Moves each violating
 * event right after the one it depends on; a few passes settle any chain. */
static int causal_fixup(collector *c)
{
  bv_intern pos = {0};
  char key[32];
  int rc = 0;
  for (int pass = 0; pass < 4; pass++) {
    int moved = 0;
    bv_intern_dispose(&pos);
    for (size_t i = 0; i < c->n && !rc; i++) {
      if (c->ev[i].cur < 0)
        continue;
      snprintf(key, sizeof key, "%lld", (long long)c->ev[i].cur);
      bv_intern_slot *s = index_put(&pos, key);
      if (!s)
        rc = oom();
      else if (s->num < 0)
        s->num = (int64_t)i;
    }
    for (size_t i = 0; i < c->n && !rc; i++) {
      if (c->ev[i].prev <= 0)
        continue;
      snprintf(key, sizeof key, "%lld", (long long)c->ev[i].prev);
      const bv_intern_slot *d = map_get(&pos, key);
      if (d && (size_t)d->num > i) {
        size_t j = (size_t)d->num;
        rawev e = c->ev[i];
        memmove(&c->ev[i], &c->ev[i + 1], (j - i) * sizeof e);
        c->ev[j] = e;
        moved = 1;
        break; /* positions changed: recompute */
      }
    }
    if (rc || !moved)
      break;
  }
  bv_intern_dispose(&pos);
  return rc;
}

static int is_alias_key(const char *k) { return strncmp(k, "#Ref<", 5) == 0; }

/* A reply is a message {Ref, Value} (or {[alias|Ref], Value}) sent back to the
 * process that made a request carrying Ref; an alias target takes the
 * requester's pid. */
static int pair_replies(collector *c)
{
  bv_intern reqs = {0};
  for (size_t i = 0; i < c->n; i++) {
    rawev *r = &c->ev[i];
    if (*r->replyref) {
      const bv_intern_slot *s = map_get(&reqs, r->replyref);
      if (s && s->num >= 0) {
        const rawev *q = &c->ev[s->num];
        if (strcmp(r->to, q->from) == 0 || is_alias_key(r->to)) {
          r->kind = BV_EV_REPLY;
          r->reply_to = (int32_t)s->num;
          r->to = q->from;
        }
      }
    }
    for (uint32_t k = 0; k < r->nreq; k++) {
      bv_intern_slot *s = index_put(&reqs, r->reqrefs[k]);
      if (!s) {
        bv_intern_dispose(&reqs);
        return oom();
      }
      s->num = (int64_t)i;
    }
  }
  bv_intern_dispose(&reqs);
  return 0;
}

static const char *make_label(bv_arena *a, const rawev *r)
{
  switch (r->kind) {
  case BV_EV_CALL: return bv_arena_printf(a, "CALL: %s", r->detail);
  case BV_EV_CAST: return bv_arena_printf(a, "CAST: %s", r->detail);
  case BV_EV_REPLY: return bv_arena_printf(a, "REPLY: %s", r->detail);
  case BV_EV_EXIT: return bv_arena_printf(a, "EXIT: %s", r->detail);
  case BV_EV_DOWN: return bv_arena_printf(a, "DOWN: %s", r->detail);
  case BV_EV_SPAWN: return bv_arena_strdup(a, "SPAWN");
  case BV_EV_SEND: break;
  }
  return bv_arena_printf(a, "INFO: %s", r->detail);
}

static int part_index(collector *c, bv_intern *parts, const char *key, uint32_t *out)
{
  bv_trace *t = c->t;
  bv_intern_slot *s = index_put(parts, key);
  if (!s)
    return oom();
  if (s->num < 0) {
    bv_participant *p = &t->parts[t->nparts];
    memset(p, 0, sizeof *p);
    p->pid = key;
    const char *bar = c->cluster ? strrchr(key, '|') : NULL;
    if (bar) {
      /* "node|<0.N.S>": the pid on its own node */
      if (!(p->node = bv_arena_strndup(t->arena, key, (size_t)(bar - key))))
        return oom();
      p->pid = bar + 1;
    }
    const bv_intern_slot *nm = map_get(&c->names, key);
    if (nm && nm->text) {
      p->name = nm->text;
      p->system = bv_trace_system_name(nm->text);
    } else if (strcmp(key, "?") == 0) {
      p->name = "(unknown sender)";
    } else if (is_alias_key(key)) {
      p->name = bv_arena_printf(t->arena, "alias %s", key);
    } else if (p->pid[0] != '<') {
      p->name = p->pid; /* a registered name nobody had */
    }
    const bv_intern_slot *lb = map_get(&c->labels, key), *ic = map_get(&c->calls, key);
    p->label = lb ? lb->text : NULL;
    p->initial_call = ic ? ic->text : NULL;
    for (size_t k = 0; k < c->nattached; k++)
      if (strcmp(c->attached[k], key) == 0)
        p->attached = 1;
    s->num = (int64_t)t->nparts++;
  }
  *out = (uint32_t)s->num;
  return 0;
}

/* Across nodes: each node's events in its own clock's order, by node */
static int cmp_node_ev(const void *x, const void *y)
{
  const rawev *a = x, *b = y;
  if (a->node != b->node)
    return a->node < b->node ? -1 : 1;
  return cmp_ev(x, y);
}

/* Counts of events not yet merged, by text key (the serial, or the serial and
 * the receiver). */
static int count_add(bv_intern *m, const char *key, int64_t d)
{
  bv_intern_slot *s = index_put(m, key);
  if (!s)
    return oom();
  s->num = (s->num < 0 ? 0 : s->num) + d;
  return 0;
}

/* Events of several nodes in causal order without comparing their clocks:
 * each node's events keep their own order (one node's strict monotonic
 * timestamps agree with causality), and a send by X whose serial Prev is the
 * Cur of a message X received comes after that message. seq_trace serials are
 * not unique (a fan-out gives two sends the same Cur), so a dependency is
 * keyed by the serial and the receiver ("cur|to" against "prev|from"); a
 * message whose receiver is not known as a pid here (an alias, a spawn on
 * another node) falls back to every event of that serial. Of the nodes' next
 * events that are ready, the one with the lowest serial goes first (a
 * Lamport order; ties by node). A cycle, which only a lying node can make, is
 * cut at the lowest serial. */
static int causal_merge(collector *c, size_t nnodes)
{
  for (size_t i = 0; i < c->n; i++)
    if (c->ev[i].node >= nnodes)
      c->ev[i].node = (uint32_t)nnodes - 1;
  qsort(c->ev, c->n, sizeof *c->ev, cmp_node_ev);
  size_t *head = calloc(2 * nnodes, sizeof *head), *end = head ? head + nnodes : NULL;
  rawev *out = malloc((c->n ? c->n : 1) * sizeof *out);
  bv_intern byto = {0}, bycur = {0}; /* unmerged events: by "cur|to", by "cur" */
  bv_buf key;
  bv_buf_init(&key);
  int rc = 0;
  if (!head || !out) {
    rc = oom();
    goto done;
  }
#define KEY(serial, who)                                                                       \
  (key.len = 0, bv_buf_printf(&key, "%lld|%s", (long long)(serial), (who)),                    \
   key.failed ? NULL : key.data)
#define SKEY(serial) (key.len = 0, bv_buf_printf(&key, "%lld", (long long)(serial)),           \
                      key.failed ? NULL : key.data)
  for (size_t i = 0; i < c->n && !rc; i++) {
    end[c->ev[i].node] = i + 1;
    const rawev *e = &c->ev[i];
    if (e->cur < 0)
      continue;
    const char *k1 = KEY(e->cur, e->to);
    if (!k1 || (rc = count_add(&byto, k1, 1)))
      break;
    const char *k2 = SKEY(e->cur);
    if (!k2 || (rc = count_add(&bycur, k2, 1)))
      break;
  }
  if (key.failed && !rc)
    rc = oom();
  if (rc)
    goto done;
  /* each node's first event */
  for (size_t k = 0, i = 0; k < nnodes; k++) {
    head[k] = i;
    if (end[k] > i)
      i = end[k];
    else
      end[k] = i;
  }
  for (size_t o = 0; o < c->n; o++) {
    size_t best = nnodes, any = nnodes;
    for (size_t k = 0; k < nnodes; k++) {
      if (head[k] >= end[k])
        continue;
      const rawev *e = &c->ev[head[k]];
      if (any == nnodes || e->cur < c->ev[head[any]].cur)
        any = k;
      int ready = 1;
      if (e->prev > 0) {
        const char *k1 = KEY(e->prev, e->from);
        const bv_intern_slot *d = k1 ? map_get(&byto, k1) : NULL;
        if (!d) {
          const char *k2 = SKEY(e->prev);
          d = k2 ? map_get(&bycur, k2) : NULL;
        }
        ready = !d || d->num <= 0;
      }
      if (ready && (best == nnodes || e->cur < c->ev[head[best]].cur))
        best = k;
    }
    if (best == nnodes)
      best = any;
    rawev *e = &c->ev[head[best]++];
    if (e->cur >= 0) {
      const char *k1 = KEY(e->cur, e->to);
      if (!k1 || (rc = count_add(&byto, k1, -1)))
        break;
      const char *k2 = SKEY(e->cur);
      if (!k2 || (rc = count_add(&bycur, k2, -1)))
        break;
    }
    out[o] = *e;
  }
#undef KEY
#undef SKEY
  if (key.failed && !rc)
    rc = oom();
  if (!rc)
    memcpy(c->ev, out, c->n * sizeof *out);
done:
  free(head);
  free(out);
  bv_buf_dispose(&key);
  bv_intern_dispose(&byto);
  bv_intern_dispose(&bycur);
  return rc;
}

/* Each participant's node's rank in t->nodes (nnodes for none), by a map. */
static int node_ranks(const bv_trace *t, uint32_t *rank)
{
  bv_intern m = {0};
  int rc = 0;
  for (size_t j = 0; j < t->nnodes && !rc; j++) {
    bv_intern_slot *s = index_put(&m, t->nodes[j].node);
    if (!s)
      rc = oom();
    else if (s->num < 0)
      s->num = (int64_t)j;
  }
  for (size_t i = 0; i < t->nparts && !rc; i++) {
    const char *pn = t->parts[i].node;
    const bv_intern_slot *s = pn ? map_get(&m, pn) : NULL;
    rank[i] = s ? (uint32_t)s->num : (uint32_t)t->nnodes;
  }
  bv_intern_dispose(&m);
  return rc;
}

/* Across nodes: participants grouped by node in the order of t->nodes (the
 * entry node first), those of no node last; within a node, order of first
 * appearance (a stable counting sort). Event indices follow. */
static int group_by_node(bv_trace *t)
{
  if (!t->nnodes || t->nparts < 2)
    return 0;
  size_t np = t->nparts, nr = t->nnodes + 1;
  uint32_t *rank = malloc(np * sizeof *rank), *where = malloc(np * sizeof *where);
  size_t *start = calloc(nr + 1, sizeof *start);
  bv_participant *copy = malloc(np * sizeof *copy);
  int rc = rank && where && start && copy ? node_ranks(t, rank) : oom();
  if (!rc) {
    for (size_t i = 0; i < np; i++)
      start[rank[i] + 1]++;
    for (size_t g = 1; g <= nr; g++)
      start[g] += start[g - 1];
    for (size_t i = 0; i < np; i++) {
      size_t at = start[rank[i]]++;
      copy[at] = t->parts[i];
      where[i] = (uint32_t)at;
    }
    memcpy(t->parts, copy, np * sizeof *copy);
    for (size_t i = 0; i < t->n; i++) {
      t->events[i].from = where[t->events[i].from];
      t->events[i].to = where[t->events[i].to];
    }
  }
  free(rank);
  free(where);
  free(start);
  free(copy);
  return rc;
}

/* Nodes added as not traced at most: past them a process keeps no node. */
#define MAX_UNTRACED_NODES 64

/* Across nodes: a participant on a node that was not traced (not asked, or
 * its relay did not start) still has its node; an asked one is already in
 * t->nodes, another is added as not traced (up to MAX_UNTRACED_NODES). */
static int add_untraced_nodes(bv_trace *t)
{
  if (!t->nnodes)
    return 0;
  bv_node_result *nn = bv_arena_alloc(t->arena, (t->nnodes + MAX_UNTRACED_NODES) * sizeof *nn);
  if (!nn)
    return oom();
  memcpy(nn, t->nodes, t->nnodes * sizeof *nn);
  size_t n = t->nnodes;
  bv_intern known = {0};
  int rc = 0;
  for (size_t j = 0; j < n && !rc; j++)
    if (!index_put(&known, nn[j].node))
      rc = oom();
  for (size_t i = 0; i < t->nparts && !rc; i++) {
    const char *pn = t->parts[i].node;
    if (!pn || map_get(&known, pn))
      continue;
    if (n == t->nnodes + MAX_UNTRACED_NODES) {
      t->parts[i].node = NULL;
      continue;
    }
    if (!index_put(&known, pn)) {
      rc = oom();
      break;
    }
    memset(&nn[n], 0, sizeof nn[n]);
    nn[n].node = pn;
    nn[n].code = BV_ENOTFOUND;
    nn[n].reason = "not one of the nodes asked";
    n++;
  }
  bv_intern_dispose(&known);
  t->nodes = nn;
  t->nnodes = n;
  return rc;
}

/* The node part of a cluster key "node|..." (length), or 0. */
static size_t key_node_len(const char *k)
{
  const char *bar = strrchr(k, '|');
  return bar ? (size_t)(bar - k) : 0;
}

/* Across nodes, before the merge: a send to {Name, Node} ("Node|Name") goes to
 * the process Node's relay named Name (a name nobody had stays a name on that
 * node). */
static int resolve_names(collector *c)
{
  bv_intern rev = {0}; /* "node|name" -> the pid key */
  int rc = 0;
  for (size_t i = 0; i < c->names.cap && !rc; i++) {
    const bv_intern_slot *s = &c->names.slots[i];
    if (!s->hash || !s->text)
      continue;
    /* the map's keys are bytes, not NUL-terminated */
    const char *key = s->key;
    size_t nl = s->len;
    while (nl && key[nl - 1] != '|')
      nl--;
    if (nl < 2 || nl >= s->len || key[nl] != '<')
      continue;
    nl--; /* the node's part, before the '|' */
    char *rk = bv_arena_printf(c->t->arena, "%.*s|%s", (int)nl, key, s->text);
    int fresh;
    bv_intern_slot *r = rk ? bv_intern_put(&rev, rk, strlen(rk), &fresh) : NULL;
    if (!r)
      rc = oom();
    else if (!(r->text = bv_arena_strndup(c->t->arena, key, s->len)))
      rc = oom();
  }
  for (size_t i = 0; i < c->n && !rc; i++) {
    rawev *r = &c->ev[i];
    size_t nl = key_node_len(r->to);
    if (nl && r->to[nl + 1] != '<') {
      const bv_intern_slot *p = map_get(&rev, r->to);
      if (p && p->text)
        r->to = p->text;
    }
  }
  bv_intern_dispose(&rev);
  return rc;
}

/* How far after a spawn on another node its new process's first message is
 * looked for. */
#define SPAWN_LOOKAHEAD 4096

/* Across nodes, after the merge: a spawn on another node (a spawn request sent
 * to the node's name, then its arguments in a message of their own) is one
 * SPAWN to the new process: the first process of that node whose send
 * follows either message by its serial, else "a new process" on that node. */
static int pair_remote_spawns(collector *c)
{
  unsigned char *drop = calloc(c->n ? c->n : 1, 1);
  if (!drop)
    return oom();
  for (size_t i = 0; i < c->n; i++) {
    rawev *r = &c->ev[i];
    if (drop[i] || r->kind != BV_EV_SPAWN || r->to[0] == '<' || key_node_len(r->to) ||
        r->cur < 0)
      continue;
    /* its arguments: the sender's next message to the same node */
    int64_t args = -1;
    for (size_t j = i + 1; j < c->n && j < i + 64; j++)
      if (!drop[j] && c->ev[j].kind == BV_EV_SEND && strcmp(c->ev[j].from, r->from) == 0 &&
          strcmp(c->ev[j].to, r->to) == 0 && c->ev[j].prev == r->prev) {
        args = c->ev[j].cur;
        drop[j] = 1;
        break;
      }
    size_t tl = strlen(r->to);
    const char *child = NULL;
    for (size_t j = i + 1; j < c->n && j < i + SPAWN_LOOKAHEAD && !child; j++) {
      const rawev *e = &c->ev[j];
      if ((e->prev == r->cur || (args >= 0 && e->prev == args)) &&
          key_node_len(e->from) == tl && strncmp(e->from, r->to, tl) == 0)
        child = e->from;
    }
    /* not seen (it sent nothing traced, or its node is not traced): a new
       process on that node */
    if (!child && !(child = bv_arena_printf(c->t->arena, "%s|(new process)", r->to))) {
      free(drop);
      return oom();
    }
    r->to = child;
  }
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++)
    if (!drop[i])
      c->ev[k++] = c->ev[i];
  c->n = k;
  free(drop);
  return 0;
}

static int build(collector *c)
{
  bv_trace *t = c->t;
  int rc = 0;
  if (c->cluster && (rc = resolve_names(c)))
    return rc;
  if (c->cluster && t->nnodes > 1) {
    rc = causal_merge(c, t->nnodes);
  } else {
    if (c->n)
      qsort(c->ev, c->n, sizeof *c->ev, cmp_ev);
    rc = causal_fixup(c);
  }
  if (!rc && c->cluster)
    rc = pair_remote_spawns(c);
  if (!rc)
    rc = pair_replies(c);
  if (rc)
    return rc;
  t->events = bv_arena_alloc(t->arena, (c->n ? c->n : 1) * sizeof *t->events);
  t->parts = bv_arena_alloc(t->arena, (2 * c->n + c->nattached + 1) * sizeof *t->parts);
  if (!t->events || !t->parts)
    return oom();
  bv_intern parts = {0};
  for (size_t i = 0; i < c->n; i++) {
    const rawev *r = &c->ev[i];
    bv_event *e = &t->events[i];
    if ((rc = part_index(c, &parts, r->from, &e->from)) ||
        (rc = part_index(c, &parts, r->to, &e->to)))
      break;
    e->kind = r->kind;
    e->serial_prev = r->prev;
    e->serial_cur = r->cur;
    e->ts_us = r->ts;
    e->text = r->text;
    e->reply_to = r->reply_to;
    if (!(e->label = make_label(t->arena, r))) {
      rc = oom();
      break;
    }
    if (r->kind == BV_EV_SPAWN) {
      bv_participant *p = &t->parts[e->to];
      p->spawned = 1;
      const bv_intern_slot *x = map_get(&c->exits, r->to);
      if (x)
        p->exit_reason = x->text;
    }
  }
  /* the attached processes are participants even when they said nothing */
  uint32_t idx;
  for (size_t k = 0; k < c->nattached && !rc; k++)
    rc = part_index(c, &parts, c->attached[k], &idx);
  t->n = rc ? 0 : c->n;
  bv_intern_dispose(&parts);
  if (!rc && c->cluster && !(rc = add_untraced_nodes(t)))
    rc = group_by_node(t);
  return rc;
}

/* --- the relay ------------------------------------------------------------------ */

/* 1 if Erlang code has `maybe` or `else` as a bare word: not inside a string,
 * a quoted atom, a character literal or a comment, not part of a longer atom
 * or variable. OTP 27+ reads them as reserved words, so such code that does
 * not parse there may only need them quoted. */
static int bare_reserved_word(const char *s)
{
  const char *p = s;
  while (*p) {
    unsigned char ch = (unsigned char)*p;
    if (ch == '"' || ch == '\'') {
      char q = *p++;
      while (*p && *p != q) {
        if (*p == '\\' && p[1])
          p++;
        p++;
      }
      if (*p)
        p++;
    } else if (ch == '$') {
      /* a character literal: $x, $\x (the rest of an escape is not a word) */
      p++;
      if (*p == '\\' && p[1])
        p++;
      if (*p)
        p++;
    } else if (ch == '%') {
      while (*p && *p != '\n')
        p++;
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
               ch >= 0x80) {
      const char *w = p;
      while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '_' || *p == '@' ||
                    (unsigned char)*p >= 0x80))
        p++;
      size_t n = (size_t)(p - w);
      if ((n == 5 && memcmp(w, "maybe", 5) == 0) || (n == 4 && memcmp(w, "else", 4) == 0))
        return 1;
    } else if (ch >= '0' && ch <= '9') {
      /* numbers, with their base and exponent letters (16#else is one number) */
      while (*p && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '#' || *p == '.'))
        p++;
    } else {
      p++;
    }
  }
  return 0;
}

static int start_error(const char *node, int elixir, const bv_trace_opts *o, const bv_term *r)
{
  bv_buf b;
  bv_buf_init(&b);
  int rc;
  const bv_term *tag = bv_term_elem(r, 0);
  if (bv_term_is_atom(tag, "parse_error")) {
    const char *msg = bv_term_text(bv_term_elem(r, 3));
    int hint = strcmp(o->mode, "eval") == 0 && o->code && bare_reserved_word(o->code);
    rc = bv_error_set(BV_EINVAL, "the code does not parse on %s: line %lld, column %lld: %s%s",
                      node, (long long)bv_term_int(bv_term_elem(r, 1), 0),
                      (long long)bv_term_int(bv_term_elem(r, 2), 0), msg ? msg : "syntax error",
                      hint ? " (since OTP 27 'maybe' and 'else' are reserved words: quote them "
                             "as atoms, 'maybe')"
                           : "");
  } else if (bv_term_is_atom(tag, "refused")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    rc = bv_error_set(BV_EREFUSED,
                      "the seq_trace system tracer of %s is taken by %s (another tracing "
                      "tool?)",
                      node, who ? who : "another process");
  } else if (bv_term_is_atom(tag, "not_found")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    const bv_term *sim = bv_term_elem(r, 2);
    for (uint32_t i = 0; sim && sim->type == BV_T_LIST && i < sim->n && i < 3; i++) {
      const char *s = bv_term_text(&sim->v.items[i]);
      if (s)
        bv_buf_printf(&b, "%s%s", i ? ", " : "", s);
    }
    rc = bv_error_set(BV_ENOTFOUND, "'%s' is not registered on %s%s%s%s", who ? who : "?",
                      node, b.len ? " (similar registered names: " : "",
                      b.len && b.data ? b.data : "", b.len ? ")" : "");
  } else if (bv_term_is_atom(tag, "dead")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    bv_pid_display(&b, who ? who : "?", elixir);
    rc = bv_error_set(BV_ENOTFOUND, "process %s is not alive on %s", b.data ? b.data : "?",
                      node);
  } else if (bv_term_is_atom(tag, "remote")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    rc = bv_error_set(BV_EINVAL, "pid %s is on another node; give a pid of node %s (<0.N.M>)",
                      who ? who : "?", node);
  } else if (bv_term_is_atom(tag, "traced")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    const char *by = bv_term_text(bv_term_elem(r, 2));
    rc = bv_error_set(BV_EREFUSED,
                      "process %s on %s is already traced by %s; beamviz does not "
                      "take a trace over",
                      who ? who : "?", node, by ? by : "another tracer");
  } else if (bv_term_is_atom(r, "timeout")) {
    rc = bv_error_set(BV_ETIMEOUT, "the trace relay on %s did not start within 5 s", node);
  } else {
    bv_term_format(&b, r, node, 200);
    rc = bv_error_set(BV_EREMOTE, "the trace relay on %s did not start: %s", node,
                      b.data ? b.data : "?");
  }
  bv_buf_dispose(&b);
  return rc;
}

static int same_pid(const bv_term *a, const bv_term *b)
{
  return a && b && a->type == BV_T_PID && b->type == BV_T_PID && a->rawlen == b->rawlen &&
         memcmp(a->raw, b->raw, a->rawlen) == 0;
}

/* Is m {bv_seqtrace, Relay, What, ...} from this run's relay (not a late
 * message of an earlier command)? */
static int from_relay(const bv_term *m, void *relay)
{
  return m && m->type == BV_T_TUPLE && m->n >= 3 &&
         bv_term_is_atom(bv_term_elem(m, 0), "bv_seqtrace") && same_pid(bv_term_elem(m, 1), relay);
}

/* The result of the evaluated code: {ok, Printed} | {raised, Class, Printed} |
 * {exited, Reason} | timeout | none (attach). */
static int take_result(collector *c, const bv_trace_opts *o, const bv_term *res)
{
  bv_trace *t = c->t;
  const bv_term *tag = bv_term_elem(res, 0);
  if (bv_term_is_atom(res, "none"))
    return 0;
  if (bv_term_is_atom(res, "timeout")) {
    t->result = bv_arena_printf(t->arena, "(still running after %u ms: stopped)",
                                o->duration_ms ? o->duration_ms : DEFAULT_DURATION);
    return t->result ? 0 : oom();
  }
  if (bv_term_is_atom(tag, "ok")) {
    t->result = dup_text(c, bv_term_elem(res, 1));
    return t->result ? 0 : oom();
  }
  if (bv_term_is_atom(tag, "raised")) {
    const char *cls = bv_term_text(bv_term_elem(res, 1));
    const char *why = bv_term_text(bv_term_elem(res, 2));
    return bv_error_set(BV_EREMOTE, "the code raised %s%s%s",
                        cls && why && strncmp(why, "** ", 3) != 0 ? cls : "",
                        cls && why && strncmp(why, "** ", 3) != 0 ? ":" : "",
                        why ? why : "?");
  }
  if (bv_term_is_atom(tag, "exited")) {
    const char *why = bv_term_text(bv_term_elem(res, 1));
    return bv_error_set(BV_EREMOTE, "the process running the code exited: %s",
                        why ? why : "?");
  }
  return bad(c, "malformed result");
}

/* How one relay is started besides the options. */
typedef struct relay_args {
  int64_t label;                     /* the token's label (eval) */
  int follow;                        /* a follower: no code; relays what reaches its node */
  unsigned duration_ms;              /* the relay's own deadline */
} relay_args;

/* One node's relay, driven by one thread. */
typedef struct nodectx {
  bv_conn *conn;
  const char *node;
  uint32_t idx;
  size_t nev;           /* events taken from it */
  size_t max_attached;  /* attach: how many were asked for */
  unsigned char *raw;   /* its relay's pid (encoded), malloc'd */
  size_t rawlen;
  const char *stop;     /* its stop reason (in the trace's arena) */
  uint64_t dropped;
} nodectx;

/* Signals between the nodes' threads of a trace across nodes. */
typedef struct tc_signal {
  atomic_int abort;            /* the entry failed: followers leave at once */
  _Atomic uint64_t entry_done; /* when the entry's relay said done (bv_now_ms), or 0 */
} tc_signal;

/* A follower whose relay has not said done this long after the entry's did
   is given up (its relay was told to stop by the entry's) */
#define FOLLOW_GRACE_MS 5000u

static void take_begin(collector *c, nodectx *x)
{
  if (c->mu)
    pthread_mutex_lock(c->mu);
  c->node = x->node;
  c->cur = x->idx;
  c->nev = &x->nev;
}

static void take_end(collector *c)
{
  if (c->mu)
    pthread_mutex_unlock(c->mu);
}

/* Starts the relay on x's node: its pid in x->raw. */
static int relay_start(collector *c, nodectx *x, const bv_trace_opts *o, const relay_args *ra)
{
  int attach = strcmp(o->mode, "attach") == 0;
  int elixir_code = strcmp(o->mode, "elixir") == 0;
  unsigned duration = o->duration_ms ? o->duration_ms : DEFAULT_DURATION;
  const char *common = bv_template("seqtrace_common.erl", NULL);
  const char *mode = bv_template(attach ? "seqtrace_attach.erl" : "seqtrace_eval.erl", NULL);
  /* attach: the names and pids resolved the way every option does (who.erl) */
  const char *who_src = attach ? bv_template("who.erl", NULL) : "";
  if (!common || !mode || !who_src)
    return bv_error_set(BV_EINVAL, "the seqtrace templates are not embedded in this beamviz");
  bv_buf src;
  bv_buf_init(&src);
  bv_buf_puts(&src, common);
  bv_buf_puts(&src, "\n");
  bv_buf_puts(&src, who_src);
  bv_buf_puts(&src, "\n");
  bv_buf_puts(&src, mode);
  if (src.failed) {
    bv_buf_dispose(&src);
    return oom();
  }
  size_t codelen = strlen(o->code);
  /* attach: every item in the one spelling the relay reads ("<0.1.0>" or a
     name), so each option takes the same forms (bv_who_parse) */
  bv_buf who;
  bv_buf_init(&who);
  if (attach) {
    const char *p = o->code;
    while (*p) {
      const char *e = strchr(p, ',');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      char item[300], norm[300];
      if (n >= sizeof item) {
        bv_buf_dispose(&src);
        bv_buf_dispose(&who);
        return bv_error_set(BV_EINVAL, "'%.40s...' is too long for a process", p);
      }
      memcpy(item, p, n);
      item[n] = 0;
      int k = 0;
      for (size_t i = 0; i < n; i++)
        k |= item[i] != ' ' && item[i] != '\t';
      if (k) {
        int rc0 = bv_who_parse(item, norm, sizeof norm);
        if (rc0 < 0) {
          bv_buf_dispose(&src);
          bv_buf_dispose(&who);
          return rc0;
        }
        if (rc0 == 1 && strncmp(norm, "<0.", 3) != 0) {
          bv_buf_dispose(&src);
          bv_buf_dispose(&who);
          return bv_error_set(BV_EINVAL,
                              "pid %s is on another node; give a pid of node %s (<0.N.M>)",
                              item, x->node);
        }
        bv_buf_printf(&who, "%s%s", who.len ? "," : "", norm);
        x->max_attached++;
      }
      p += n;
      if (*p == ',')
        p++;
    }
    bv_buf_puts(&who, "");
    if (who.failed) {
      bv_buf_dispose(&src);
      bv_buf_dispose(&who);
      return oom();
    }
  }
  bv_binding b[] = {
      {"Self", BV_B_SELF, 0, NULL, 0},
      {"MaxEvents", BV_B_INT, o->max_events ? o->max_events : DEFAULT_MAX_EVENTS, NULL, 0},
      {"MaxQueue", BV_B_INT, o->max_queue ? o->max_queue : DEFAULT_MAX_QUEUE, NULL, 0},
      {"MaxText", BV_B_INT, o->max_text ? o->max_text : DEFAULT_MAX_TEXT, NULL, 0},
      {"Depth", BV_B_INT, PRINT_DEPTH, NULL, 0},
      {"Batch", BV_B_INT, BATCH, NULL, 0},
      /* payloads and labels in the node's syntax; the result in the code's */
      {"Elixir", BV_B_BOOL, (elixir_code && !ra->follow) || bv_conn_has_elixir(x->conn), NULL,
       0},
      {"Duration", BV_B_INT, ra->duration_ms ? ra->duration_ms : duration, NULL, 0},
      {"Qualify", BV_B_BOOL, c->cluster, NULL, 0},
      {attach ? "Who" : "Code", BV_B_BIN, 0, attach ? who.data : o->code,
       attach ? who.len : codelen},
      {"IsElixir", BV_B_BOOL, elixir_code, NULL, 0},
      {"Force", BV_B_BOOL, o->force, NULL, 0},
      {"Quiet", BV_B_INT, QUIET_MS, NULL, 0},
      {"LabelIn", BV_B_INT, ra->label, NULL, 0},
      {"Follow", BV_B_BOOL, ra->follow, NULL, 0},
  };
  size_t nb = attach ? 10 : sizeof b / sizeof *b;
  bv_arena *tmp = bv_arena_new();
  if (!tmp) {
    bv_buf_dispose(&src);
    return oom();
  }
  bv_term *r;
  /* the template waits up to 5 s for its relay to start: wait longer than it,
     so beamviz never gives up on a relay that is still starting */
  unsigned start_ms = bv_conn_timeout(x->conn);
  if (start_ms < 7000)
    start_ms = 7000;
  int rc = bv_conn_eval_src(x->conn, src.data, b, nb, start_ms, tmp, &r);
  bv_buf_dispose(&src);
  bv_buf_dispose(&who);
  if (rc)
    goto done;
  if (!(r && r->type == BV_T_TUPLE && r->n == 2 && bv_term_is_atom(bv_term_elem(r, 0), "ok") &&
        bv_term_elem(r, 1)->type == BV_T_PID)) {
    rc = start_error(x->node, bv_conn_has_elixir(x->conn), o, r);
    goto done;
  }
  /* the relay's pid, kept outside the per-message arena */
  const bv_term *relay = bv_term_elem(r, 1);
  if (!(x->raw = malloc(relay->rawlen ? relay->rawlen : 1))) {
    rc = oom();
    goto done;
  }
  memcpy(x->raw, relay->raw, relay->rawlen);
  x->rawlen = relay->rawlen;
done:
  bv_arena_free(tmp);
  return rc;
}

/* Takes x's relay's messages until it says done (or crashed, or the
 * deadline). sig: a follower's signals (NULL for the entry or a lone node). */
static int relay_wait(collector *c, nodectx *x, const bv_trace_opts *o, const tc_signal *sig)
{
  bv_trace *t = c->t;
  unsigned duration = o->duration_ms ? o->duration_ms : DEFAULT_DURATION;
  /* the relay stops itself; this deadline only covers a relay that vanished
     without a word (the node went down) */
  uint64_t deadline = bv_now_ms() + 2ull * duration + 10000u + bv_conn_timeout(x->conn);
  bv_arena *msgs = bv_arena_new();
  if (!msgs)
    return oom();
  bv_term relay;
  memset(&relay, 0, sizeof relay);
  relay.type = BV_T_PID;
  relay.raw = x->raw;
  relay.rawlen = x->rawlen;
  int rc, told = 0;
  for (;;) {
    bv_term *m;
    uint64_t dl = deadline, now = bv_now_ms();
    if (sig) {
      /* a follower: looks up every 200 ms whether the entry failed, and once
         the entry's trace is done tells its relay to stop (on its own
         connection) and gives it a grace period */
      if (atomic_load(&sig->abort)) {
        rc = bv_error_set(BV_ECLOSED, "the trace was stopped: it failed on the entry node");
        break;
      }
      uint64_t ed = atomic_load(&sig->entry_done);
      if (ed && !told) {
        told = 1;
        bv_binding sb[] = {{"Self", BV_B_SELF, 0, NULL, 0},
                           {"Relay", BV_B_RAW, 0, (const char *)x->raw, x->rawlen}};
        bv_term *ok;
        if ((rc = bv_conn_eval(x->conn, "seqtrace_stop.erl", sb, 2, 0, msgs, &ok)))
          break;
      }
      if (ed && ed + FOLLOW_GRACE_MS + bv_conn_timeout(x->conn) < dl)
        dl = ed + FOLLOW_GRACE_MS + bv_conn_timeout(x->conn);
      if (dl > now + 200)
        dl = now + 200;
    }
    if ((rc = bv_conn_await(x->conn, dl, msgs, from_relay, &relay, &m))) {
      if (rc == BV_ETIMEOUT && sig && bv_now_ms() < deadline &&
          !(atomic_load(&sig->entry_done) &&
            bv_now_ms() >= atomic_load(&sig->entry_done) + FOLLOW_GRACE_MS +
                               bv_conn_timeout(x->conn)))
        continue;
      if (rc == BV_ETIMEOUT)
        rc = bv_error_set(BV_ETIMEOUT, "the trace relay on %s did not finish in time",
                          x->node);
      break;
    }
    take_begin(c, x);
    const bv_term *what = bv_term_elem(m, 2);
    if (bv_term_is_atom(what, "batch")) {
      rc = take_batch(c, m);
    } else if (bv_term_is_atom(what, "done")) {
      const bv_term *stop = bv_term_elem(m, 3), *info = bv_term_elem(m, 5);
      const char *why = bv_term_text(stop);
      if (!(x->stop = bv_arena_strdup(t->arena, why ? why : "done")))
        rc = oom();
      x->dropped = bv_term_u64(bv_term_get(info, "dropped"), 0);
      const bv_term *att = bv_term_get(info, "attached");
      if (!rc && att && att->type == BV_T_LIST && att->n > x->max_attached)
        rc = bv_error_set(BV_ETERM, "the trace relay on %s names %u attached processes; %zu "
                                    "were asked for",
                          x->node, att->n, x->max_attached);
      if (!rc && att && att->type == BV_T_LIST && att->n) {
        c->attached = bv_arena_alloc(t->arena, att->n * sizeof *c->attached);
        if (!c->attached)
          rc = oom();
        for (uint32_t i = 0; !rc && i < att->n; i++)
          if (!(c->attached[c->nattached++] = pid_key(c, &att->v.items[i])))
            rc = oom();
      }
      /* a follower runs no code: only the entry's relay has a result */
      if (!rc && sig && !bv_term_is_atom(bv_term_elem(m, 4), "none"))
        rc = bad(c, "a follower's relay names a result");
      else if (!rc && !sig)
        rc = take_result(c, o, bv_term_elem(m, 4));
      take_end(c);
      break;
    } else if (bv_term_is_atom(what, "crashed")) {
      const char *why = bv_term_text(bv_term_elem(m, 3));
      rc = bv_error_set(BV_EREMOTE, "the trace relay on %s failed: %s", x->node,
                        why ? why : "?");
      take_end(c);
      break;
    }
    take_end(c);
    if (rc)
      break;
  }
  bv_arena_free(msgs);
  return rc;
}


/* A label of the token nobody else uses: an integer (no atom), new per run. */
static int64_t new_label(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 21) ^ ((uint64_t)getpid() << 7);
  v ^= v >> 29;
  return (int64_t)(v & 0x3fffffff) + 1;
}

static int check_opts(const bv_trace_opts *o)
{
  if (!o || !o->mode || !o->code)
    return bv_error_set(BV_EINVAL, "seqtrace: nothing to trace");
  if (strcmp(o->mode, "eval") != 0 && strcmp(o->mode, "elixir") != 0 &&
      strcmp(o->mode, "attach") != 0)
    return bv_error_set(BV_EINVAL, "seqtrace: unknown mode '%s'", o->mode);
  return 0;
}

static int check_elixir(bv_conn *conn, const bv_trace_opts *o)
{
  if (strcmp(o->mode, "elixir") == 0 && !bv_conn_has_elixir(conn))
    return bv_error_set(BV_ENOTFOUND, "node %s does not run Elixir", bv_conn_node(conn));
  return 0;
}

/* The trace's facts from the entry node's connection. */
static int trace_facts(bv_trace *t, bv_conn *conn)
{
  t->node = bv_arena_strdup(t->arena, bv_conn_node(conn));
  t->otp_release = bv_arena_strdup(t->arena, bv_conn_otp_release(conn));
  t->elixir = bv_conn_has_elixir(conn);
  return t->node && t->otp_release ? 0 : oom();
}

static int collector_init(collector *c, const bv_trace_opts *o, bv_trace **tp)
{
  memset(c, 0, sizeof *c);
  bv_trace *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return oom();
  }
  c->t = t;
  c->max_events = o->max_events ? o->max_events : DEFAULT_MAX_EVENTS;
  bv_buf_init(&c->tmp);
  t->mode = bv_arena_strdup(t->arena, o->mode);
  t->code = bv_arena_strdup(t->arena, o->code);
  *tp = t;
  return !t->mode || !t->code ? oom() : 0;
}

static void collector_dispose(collector *c)
{
  free(c->ev);
  bv_intern_dispose(&c->names);
  bv_intern_dispose(&c->exits);
  bv_intern_dispose(&c->labels);
  bv_intern_dispose(&c->calls);
  bv_buf_dispose(&c->tmp);
}

int bv_trace_collect(bv_conn *conn, const bv_trace_opts *o, bv_trace **out)
{
  *out = NULL;
  int rc = check_opts(o);
  if (rc || (rc = check_elixir(conn, o)))
    return rc;
  collector c;
  bv_trace *t = NULL;
  nodectx x;
  memset(&x, 0, sizeof x);
  x.conn = conn;
  x.node = bv_conn_node(conn);
  rc = collector_init(&c, o, &t);
  c.nev = &x.nev;
  c.conn = conn;
  c.node = x.node;
  relay_args ra = {new_label(), 0, 0};
  if (!rc)
    rc = trace_facts(t, conn);
  if (!rc)
    rc = relay_start(&c, &x, o, &ra);
  if (!rc)
    rc = relay_wait(&c, &x, o, NULL);
  if (!rc) {
    t->stop_reason = x.stop;
    t->dropped = x.dropped;
    rc = build(&c);
  }
  free(x.raw);
  collector_dispose(&c);
  if (rc) {
    bv_trace_free(t);
    return rc;
  }
  *out = t;
  return 0;
}

/* --- across nodes ---------------------------------------------------------------- */

#define TC_MAX_NODES 256

typedef struct tc_run {
  const bv_cluster_opts *co;
  const bv_trace_opts *o;
  collector *c;
  nodectx *x;
  int *state;     /* 0 starting, 1 relay running, 2 gone (failed, or too late) */
  int *code;      /* each node's result */
  char (*reason)[512];
  pthread_mutex_t mu;
  pthread_cond_t cv;
  tc_signal sig;
  int64_t label;
} tc_run;

static void tc_set_state(tc_run *r, size_t i, int st)
{
  pthread_mutex_lock(&r->mu);
  if (r->state[i] == 0)
    r->state[i] = st;
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

/* How long the entry waits for the followers' relays to start. */
static unsigned tc_wait_ms(const bv_cluster_opts *co)
{
  return 2u * (co->timeout_ms ? co->timeout_ms : 5000u) + 7000u;
}

static int tc_follower(tc_run *r, nodectx *x)
{
  relay_args ra = {r->label, 1, 0};
  /* its own deadline: the entry's trace, and the time the entry takes to
     start after it */
  unsigned duration = r->o->duration_ms ? r->o->duration_ms : DEFAULT_DURATION;
  ra.duration_ms = duration + tc_wait_ms(r->co) + 8000u + bv_conn_timeout(x->conn);
  int rc = relay_start(r->c, x, r->o, &ra);
  pthread_mutex_lock(&r->mu);
  int late = r->state[x->idx] != 0;
  if (!late)
    r->state[x->idx] = rc ? 2 : 1;
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
  if (rc)
    return rc;
  if (late) /* closing the connection ends the relay (it monitors beamviz) */
    return bv_error_set(BV_ETIMEOUT, "the trace relay on %s started after the trace had begun",
                        x->node);
  return relay_wait(r->c, x, r->o, &r->sig);
}

static int tc_entry(tc_run *r, nodectx *x)
{
  int rc = check_elixir(x->conn, r->o);
  if (!rc) {
    pthread_mutex_lock(&r->mu);
    rc = trace_facts(r->c->t, x->conn);
    pthread_mutex_unlock(&r->mu);
  }
  if (rc) {
    atomic_store(&r->sig.abort, 1);
    return rc;
  }
  /* every follower's relay is running (or gone) before the code starts; one
     still starting after its connect and start steps is left out */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  uint64_t wait_ms = tc_wait_ms(r->co);
  until.tv_sec += (time_t)(wait_ms / 1000);
  until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&r->mu);
  for (;;) {
    size_t waiting = 0;
    for (size_t i = 1; i < r->co->n; i++)
      waiting += r->state[i] == 0;
    if (!waiting || pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0)
      break;
  }
  for (size_t i = 1; i < r->co->n; i++)
    if (r->state[i] == 0)
      r->state[i] = 2; /* too late: it leaves when it sees this */
  pthread_mutex_unlock(&r->mu);
  if (atomic_load(&r->sig.abort)) /* beamviz could not start every thread */
    return bv_error_set(BV_ENOMEM, "the trace did not start: beamviz could not start a "
                                   "thread for each node");
  relay_args ra = {r->label, 0, 0};
  rc = relay_start(r->c, x, r->o, &ra);
  if (!rc)
    rc = relay_wait(r->c, x, r->o, NULL);
  if (rc)
    atomic_store(&r->sig.abort, 1);
  else
    atomic_store(&r->sig.entry_done, bv_now_ms());
  return rc;
}

typedef struct tc_thread {
  tc_run *r;
  size_t i;
} tc_thread;

static void *tc_node(void *arg)
{
  tc_thread *th = arg;
  tc_run *r = th->r;
  size_t i = th->i;
  const bv_cluster_opts *co = r->co;
  bv_conn_opts opts = {co->nodes[i], co->cookie, co->timeout_ms, co->max_message};
  bv_conn *conn = NULL;
  bv_error_set(BV_OK, "%s", "");
  int rc = bv_conn_open(&opts, &conn);
  if (!rc) {
    nodectx *x = &r->x[i];
    x->conn = conn;
    x->node = bv_conn_node(conn);
    x->idx = (uint32_t)i;
    rc = i == 0 ? tc_entry(r, x) : tc_follower(r, x);
  } else if (i == 0) {
    atomic_store(&r->sig.abort, 1);
  }
  if (i)
    tc_set_state(r, i, 2);
  r->code[i] = rc;
  if (rc) {
    const char *m = bv_error_last();
    snprintf(r->reason[i], sizeof r->reason[i], "%s", m && *m ? m : bv_error_name(rc));
  }
  bv_conn_free(conn);
  return NULL;
}

int bv_trace_collect_cluster(const bv_cluster_opts *co, const bv_trace_opts *o,
                             bv_trace **out)
{
  *out = NULL;
  int rc = check_opts(o);
  if (rc)
    return rc;
  if (!co->n || co->n > TC_MAX_NODES)
    return bv_error_set(BV_EINVAL,
                        "%zu nodes: a trace across nodes holds a connection to every node at "
                        "once, for 1 to %d nodes",
                        co->n, TC_MAX_NODES);
  if (strcmp(o->mode, "attach") == 0)
    return bv_error_set(BV_EINVAL, "attaching across nodes is not built: trace the "
                                   "processes of one node");
  collector c;
  bv_trace *t = NULL;
  tc_run r;
  memset(&r, 0, sizeof r);
  rc = collector_init(&c, o, &t);
  c.cluster = 1;
  c.mu = &r.mu;
  r.co = co;
  r.o = o;
  r.c = &c;
  r.label = new_label();
  r.x = calloc(co->n, sizeof *r.x);
  r.state = calloc(co->n, sizeof *r.state);
  r.code = calloc(co->n, sizeof *r.code);
  r.reason = calloc(co->n, sizeof *r.reason);
  tc_thread *th = calloc(co->n, sizeof *th);
  pthread_t *tid = calloc(co->n, sizeof *tid);
  int mu_ok = 0, cv_ok = 0;
  if (!rc && (!r.x || !r.state || !r.code || !r.reason || !th || !tid))
    rc = oom();
  if (!rc) {
    mu_ok = pthread_mutex_init(&r.mu, NULL) == 0;
    cv_ok = pthread_cond_init(&r.cv, NULL) == 0;
    if (!mu_ok || !cv_ok)
      rc = oom();
  }
  /* every node at once: the followers' relays must run before the code does */
  size_t started = 0;
  if (!rc) {
    atomic_init(&r.sig.abort, 0);
    atomic_init(&r.sig.entry_done, 0);
    for (; started < co->n; started++) {
      th[started] = (tc_thread){&r, started};
      if (pthread_create(&tid[started], NULL, tc_node, &th[started]) != 0)
        break;
    }
    if (started < co->n) {
      atomic_store(&r.sig.abort, 1);
      pthread_mutex_lock(&r.mu);
      pthread_cond_broadcast(&r.cv);
      pthread_mutex_unlock(&r.mu);
      rc = bv_error_set(BV_ENOMEM, "cannot start a thread for each of %zu nodes", co->n);
    }
  }
  for (size_t i = 0; i < started; i++)
    pthread_join(tid[i], NULL);
  if (!rc && r.code[0]) /* the code did not run: no trace */
    rc = bv_error_set(r.code[0], "%s", r.reason[0]);
  if (!rc) {
    t->nnodes = co->n;
    t->nodes = bv_arena_alloc(t->arena, co->n * sizeof *t->nodes);
    if (!t->nodes)
      rc = oom();
    for (size_t i = 0; !rc && i < co->n; i++) {
      bv_node_result *nr = &t->nodes[i];
      memset(nr, 0, sizeof *nr);
      nr->node = bv_arena_strdup(t->arena, co->nodes[i]);
      nr->code = r.code[i];
      nr->reason = r.code[i] ? bv_arena_strdup(t->arena, r.reason[i]) : NULL;
      nr->total = r.x[i].nev;
      if (!nr->node || (r.code[i] && !nr->reason))
        rc = oom();
    }
  }
  if (!rc) {
    /* the entry's stop reason, unless a follower hit a bound */
    t->stop_reason = r.x[0].stop;
    for (size_t i = 0; i < co->n; i++) {
      t->dropped += r.x[i].dropped;
      if (i && !r.code[i] && r.x[i].stop && strcmp(r.x[i].stop, "done") != 0 &&
          t->stop_reason && strcmp(t->stop_reason, "done") == 0)
        t->stop_reason = r.x[i].stop;
    }
    rc = build(&c);
  }
  if (mu_ok)
    pthread_mutex_destroy(&r.mu);
  if (cv_ok)
    pthread_cond_destroy(&r.cv);
  for (size_t i = 0; r.x && i < co->n; i++)
    free(r.x[i].raw);
  free(r.x);
  free(r.state);
  free(r.code);
  free(r.reason);
  free(th);
  free(tid);
  collector_dispose(&c);
  if (rc) {
    bv_trace_free(t);
    return rc;
  }
  *out = t;
  return 0;
}
