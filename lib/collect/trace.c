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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  int64_t prev, cur, ts, uniq;
  const char *from, *to;   /* pid keys ("<0.1.0>"), "?" or an alias "#Ref<...>" */
  const char *text, *detail, *replyref;
  const char **reqrefs;
  uint32_t nreq;
  int32_t reply_to;
} rawev;

typedef struct collector {
  bv_conn *conn;
  bv_trace *t;
  const char *node;
  rawev *ev;
  size_t n, cap;
  size_t max_events; /* the relay sends no more: more is a lie */
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

/* Participant key of a pid term (canonical pid) or of a binary ("?", alias). */
static const char *pid_key(collector *c, const bv_term *t)
{
  if (t && t->type == BV_T_PID) {
    c->tmp.len = 0;
    if (c->tmp.data)
      c->tmp.data[0] = 0;
    if (bv_term_pid_str(&c->tmp, t, c->node) || c->tmp.failed || !c->tmp.data)
      return NULL;
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
  if (c->n >= c->max_events)
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
    const bv_intern_slot *nm = map_get(&c->names, key);
    if (nm && nm->text) {
      p->name = nm->text;
      p->system = bv_trace_system_name(nm->text);
    } else if (strcmp(key, "?") == 0) {
      p->name = "(unknown sender)";
    } else if (is_alias_key(key)) {
      p->name = bv_arena_printf(t->arena, "alias %s", key);
    } else if (key[0] != '<') {
      p->name = key; /* a registered name nobody had */
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

static int build(collector *c)
{
  bv_trace *t = c->t;
  if (c->n)
    qsort(c->ev, c->n, sizeof *c->ev, cmp_ev);
  int rc = causal_fixup(c);
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
      const bv_intern_slot *x = map_get(&c->exits, p->pid);
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

static int start_error(collector *c, const bv_trace_opts *o, const bv_term *r)
{
  bv_buf b;
  bv_buf_init(&b);
  int rc;
  const bv_term *tag = bv_term_elem(r, 0);
  if (bv_term_is_atom(tag, "parse_error")) {
    const char *msg = bv_term_text(bv_term_elem(r, 3));
    int hint = strcmp(o->mode, "eval") == 0 && o->code && bare_reserved_word(o->code);
    rc = bv_error_set(BV_EINVAL, "the code does not parse on %s: line %lld, column %lld: %s%s",
                      c->node, (long long)bv_term_int(bv_term_elem(r, 1), 0),
                      (long long)bv_term_int(bv_term_elem(r, 2), 0), msg ? msg : "syntax error",
                      hint ? " (since OTP 27 'maybe' and 'else' are reserved words: quote them "
                             "as atoms, 'maybe')"
                           : "");
  } else if (bv_term_is_atom(tag, "refused")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    rc = bv_error_set(BV_EREFUSED,
                      "the seq_trace system tracer of %s is taken by %s (another tracing "
                      "tool?)",
                      c->node, who ? who : "another process");
  } else if (bv_term_is_atom(tag, "not_found")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    const bv_term *sim = bv_term_elem(r, 2);
    for (uint32_t i = 0; sim && sim->type == BV_T_LIST && i < sim->n && i < 3; i++) {
      const char *s = bv_term_text(&sim->v.items[i]);
      if (s)
        bv_buf_printf(&b, "%s%s", i ? ", " : "", s);
    }
    rc = bv_error_set(BV_ENOTFOUND, "'%s' is not registered on %s%s%s%s", who ? who : "?",
                      c->node, b.len ? " (similar registered names: " : "",
                      b.len && b.data ? b.data : "", b.len ? ")" : "");
  } else if (bv_term_is_atom(tag, "dead")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    bv_pid_display(&b, who ? who : "?", c->t->elixir);
    rc = bv_error_set(BV_ENOTFOUND, "process %s is not alive on %s", b.data ? b.data : "?",
                      c->node);
  } else if (bv_term_is_atom(tag, "remote")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    rc = bv_error_set(BV_EINVAL, "pid %s is on another node; give a pid of node %s (<0.N.M>)",
                      who ? who : "?", c->node);
  } else if (bv_term_is_atom(tag, "traced")) {
    const char *who = bv_term_text(bv_term_elem(r, 1));
    const char *by = bv_term_text(bv_term_elem(r, 2));
    rc = bv_error_set(BV_EREFUSED,
                      "process %s on %s is already traced by %s; beamviz does not "
                      "take a trace over",
                      who ? who : "?", c->node, by ? by : "another tracer");
  } else if (bv_term_is_atom(r, "timeout")) {
    rc = bv_error_set(BV_ETIMEOUT, "the trace relay on %s did not start within 5 s", c->node);
  } else {
    bv_term_format(&b, r, c->node, 200);
    rc = bv_error_set(BV_EREMOTE, "the trace relay on %s did not start: %s", c->node,
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

static int run(collector *c, const bv_trace_opts *o)
{
  bv_trace *t = c->t;
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
                              item, c->node);
        }
        bv_buf_printf(&who, "%s%s", who.len ? "," : "", norm);
        c->max_attached++;
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
  c->max_events = o->max_events ? o->max_events : DEFAULT_MAX_EVENTS;
  bv_binding b[] = {
      {"Self", BV_B_SELF, 0, NULL, 0},
      {"MaxEvents", BV_B_INT, o->max_events ? o->max_events : DEFAULT_MAX_EVENTS, NULL, 0},
      {"MaxQueue", BV_B_INT, o->max_queue ? o->max_queue : DEFAULT_MAX_QUEUE, NULL, 0},
      {"MaxText", BV_B_INT, o->max_text ? o->max_text : DEFAULT_MAX_TEXT, NULL, 0},
      {"Depth", BV_B_INT, PRINT_DEPTH, NULL, 0},
      {"Batch", BV_B_INT, BATCH, NULL, 0},
      /* payloads and labels in the node's syntax; the result in the code's */
      {"Elixir", BV_B_BOOL, elixir_code || t->elixir, NULL, 0},
      {"Duration", BV_B_INT, duration, NULL, 0},
      {attach ? "Who" : "Code", BV_B_BIN, 0, attach ? who.data : o->code,
       attach ? who.len : codelen},
      {"IsElixir", BV_B_BOOL, elixir_code, NULL, 0},
      {"Force", BV_B_BOOL, o->force, NULL, 0},
      {"Quiet", BV_B_INT, QUIET_MS, NULL, 0},
  };
  size_t nb = attach ? 9 : 12;
  bv_arena *tmp = bv_arena_new();
  if (!tmp) {
    bv_buf_dispose(&src);
    return oom();
  }
  bv_term *r;
  /* the template waits up to 5 s for its relay to start: wait longer than it,
     so beamviz never gives up on a relay that is still starting */
  unsigned start_ms = bv_conn_timeout(c->conn);
  if (start_ms < 7000)
    start_ms = 7000;
  int rc = bv_conn_eval_src(c->conn, src.data, b, nb, start_ms, tmp, &r);
  bv_buf_dispose(&src);
  bv_buf_dispose(&who);
  if (rc)
    goto done;
  if (!(r && r->type == BV_T_TUPLE && r->n == 2 && bv_term_is_atom(bv_term_elem(r, 0), "ok") &&
        bv_term_elem(r, 1)->type == BV_T_PID)) {
    rc = start_error(c, o, r);
    goto done;
  }
  /* the relay's pid, kept outside the per-message arena */
  bv_term relay = *bv_term_elem(r, 1);
  unsigned char *rawcopy = bv_arena_alloc(t->arena, relay.rawlen ? relay.rawlen : 1);
  if (!rawcopy) {
    rc = oom();
    goto done;
  }
  memcpy(rawcopy, relay.raw, relay.rawlen);
  relay.raw = rawcopy;
  /* the relay stops itself; this deadline only covers a relay that vanished
     without a word (the node went down) */
  uint64_t deadline = bv_now_ms() + 2ull * duration + 10000u + bv_conn_timeout(c->conn);
  bv_arena *msgs = bv_arena_new();
  if (!msgs) {
    rc = oom();
    goto done;
  }
  for (;;) {
    bv_term *m;
    if ((rc = bv_conn_await(c->conn, deadline, msgs, from_relay, &relay, &m))) {
      if (rc == BV_ETIMEOUT)
        rc = bv_error_set(BV_ETIMEOUT, "the trace relay on %s did not finish in time",
                          c->node);
      break;
    }
    const bv_term *what = bv_term_elem(m, 2);
    if (bv_term_is_atom(what, "batch")) {
      if ((rc = take_batch(c, m)))
        break;
    } else if (bv_term_is_atom(what, "done")) {
      const bv_term *stop = bv_term_elem(m, 3), *info = bv_term_elem(m, 5);
      const char *why = bv_term_text(stop);
      if (!(t->stop_reason = bv_arena_strdup(t->arena, why ? why : "done")))
        rc = oom();
      t->dropped = bv_term_u64(bv_term_get(info, "dropped"), 0);
      const bv_term *att = bv_term_get(info, "attached");
      if (!rc && att && att->type == BV_T_LIST && att->n > c->max_attached)
        rc = bv_error_set(BV_ETERM, "the trace relay on %s names %u attached processes; %zu "
                                    "were asked for",
                          c->node, att->n, c->max_attached);
      if (!rc && att && att->type == BV_T_LIST && att->n) {
        c->attached = bv_arena_alloc(t->arena, att->n * sizeof *c->attached);
        if (!c->attached)
          rc = oom();
        for (uint32_t i = 0; !rc && i < att->n; i++)
          if (!(c->attached[c->nattached++] = pid_key(c, &att->v.items[i])))
            rc = oom();
      }
      if (!rc)
        rc = take_result(c, o, bv_term_elem(m, 4));
      break;
    } else if (bv_term_is_atom(what, "crashed")) {
      const char *why = bv_term_text(bv_term_elem(m, 3));
      rc = bv_error_set(BV_EREMOTE, "the trace relay on %s failed: %s", c->node,
                        why ? why : "?");
      break;
    }
  }
  bv_arena_free(msgs);
done:
  bv_arena_free(tmp);
  return rc;
}

int bv_trace_collect(bv_conn *conn, const bv_trace_opts *o, bv_trace **out)
{
  *out = NULL;
  if (!o || !o->mode || !o->code)
    return bv_error_set(BV_EINVAL, "seqtrace: nothing to trace");
  if (strcmp(o->mode, "eval") != 0 && strcmp(o->mode, "elixir") != 0 &&
      strcmp(o->mode, "attach") != 0)
    return bv_error_set(BV_EINVAL, "seqtrace: unknown mode '%s'", o->mode);
  if (strcmp(o->mode, "elixir") == 0 && !bv_conn_has_elixir(conn))
    return bv_error_set(BV_ENOTFOUND,
                        "node %s does not run Elixir",
                        bv_conn_node(conn));
  bv_trace *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return oom();
  }
  collector c;
  memset(&c, 0, sizeof c);
  c.conn = conn;
  c.t = t;
  c.node = bv_conn_node(conn);
  bv_buf_init(&c.tmp);
  t->node = bv_arena_strdup(t->arena, c.node);
  t->otp_release = bv_arena_strdup(t->arena, bv_conn_otp_release(conn));
  t->elixir = bv_conn_has_elixir(conn);
  t->mode = bv_arena_strdup(t->arena, o->mode);
  t->code = bv_arena_strdup(t->arena, o->code);
  int rc = (!t->node || !t->otp_release || !t->mode || !t->code) ? oom() : 0;
  if (!rc)
    rc = run(&c, o);
  if (!rc)
    rc = build(&c);
  free(c.ev);
  bv_intern_dispose(&c.names);
  bv_intern_dispose(&c.exits);
  bv_intern_dispose(&c.labels);
  bv_intern_dispose(&c.calls);
  bv_buf_dispose(&c.tmp);
  if (rc) {
    bv_trace_free(t);
    return rc;
  }
  *out = t;
  return 0;
}
