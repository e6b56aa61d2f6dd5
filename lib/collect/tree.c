/* tree_collect.c: walking a supervision tree on the target (one evaluation of
 * templates/who.erl + suptree.erl) and building the bv_tree model from its reply.
 *
 * The target does all the waiting (each which_children bounded, the whole walk
 * bounded, one level at a time in parallel) and sends back raw facts: the root
 * chain, every supervisor's which_children with its children's name and links,
 * and (with --links) the processes and ports linked from outside. Everything
 * about shape, order and labels is decided here, where it is cheap and testable. */
#include "collect/collect.h"

#include <stdlib.h>
#include <string.h>

/* Children per message from the walk (templates/suptree.erl's Chunk): a
 * message of 5,000 children is about 1 MB on the wire, 4 MB decoded. */
#define BV_TREE_CHUNK 5000

/* Children without a process of the node (undefined, restarting, pids of
 * other nodes) a walk may report: children with one are bounded by the
 * node's process limit, these only by this (a node that sends slice after
 * slice of them would otherwise grow beamviz until the deadline). */
#define BV_TREE_MAX_NOPROC 1000000

/* --- text keys (pid strings) to an index or a term, in util's hash map ---- */

/* Inserts key -> val unless key is there; returns 1 if inserted, 0 if present. */
static int map_put(bv_intern *m, const char *key, const void *val)
{
  int fresh;
  bv_intern_slot *s = bv_intern_put(m, key, strlen(key), &fresh);
  if (!s)
    return BV_ENOMEM;
  if (fresh)
    s->ptr = val;
  return fresh;
}

static const void *map_get(const bv_intern *m, const char *key, int *found)
{
  const bv_intern_slot *s = bv_intern_get(m, key, strlen(key));
  *found = s != NULL;
  return s ? s->ptr : NULL;
}

/* --- reading the reply ---------------------------------------------------- */

/* What the builder keeps of the walk's messages: each message is turned into
 * these as it arrives and then dropped, so beamviz holds the model being built
 * and one message, never the whole walk as terms. */
typedef struct pinfo {   /* a live process's name and links (from its info) */
  const char *name;      /* registered name (Elixir. stripped) or NULL */
  const char *label;     /* '$process_label' in the node's syntax, or NULL */
  const char **links;    /* pid/port strings, interned in the builder's scratch */
  uint32_t nlinks;
} pinfo;

typedef struct kid {     /* one which_children entry */
  const char *child_id, *type, *module;
  const char *pid;       /* pid string, or NULL (restarting, undefined) */
  const char *state;     /* non-pid entries and pids of other nodes */
  const pinfo *info;     /* pids of the node: NULL when it had exited */
  uint64_t id;           /* pid order for dynamic children */
  uint32_t serial;
  uint8_t kind, local;   /* local: a pid of the target node */
} kid;

typedef struct supres {  /* a supervisor's walk result */
  int ok;                /* 1: its children came (kids); 0: an error */
  int why;               /* 0 noproc, 1 not_walked, 2 other (why_text) */
  const char *why_text;
  int dynamic;           /* every child id so far is undefined */
  int closed;            /* its last slice came (one shorter than a chunk) */
  kid *kids;             /* malloc'd, in which_children order; freed once placed */
  size_t nkids, cap;
} supres;

typedef struct builder {
  bv_tree *t;
  const char *node;   /* the target's own node name, as its pids carry it */
  bv_buf tmp;
  bv_arena *scratch;   /* what is dropped after the build (infos, link strings) */
  bv_intern strs;      /* link strings (scratch) */
  bv_intern texts;     /* child types and modules (tree arena), one copy each */
  bv_intern sups;      /* pid string -> supres */
  bv_intern members;   /* pid string -> (index + 1) once placed, or NULL before */
  bv_intern ext;       /* pid/port string -> ext term ({P, RegName, Extra}) */
  bv_intern placed_ext; /* external string -> node index + 1 */
  bv_intern expanded;  /* supervisors whose children are placed (a pid twice in
                         a tree would otherwise be expanded twice) */
  bv_tnode *nodes;    /* growing (malloc); copied into the arena at the end */
  const pinfo **ninfo; /* info of each node, or NULL */
  size_t n, cap;
  bv_tedge *links;
  size_t nlinks, lcap;
  int pid_err;        /* why pid_str last returned NULL: BV_ETERM or BV_ENOMEM */
  size_t chunk;       /* children per message asked for */
  size_t nsups, max_sups; /* supervisors reported; at most the process limit */
  size_t nlocal, max_local;   /* children that are processes of the node */
  size_t nother, max_other;   /* the other children (BV_TREE_MAX_NOPROC) */
} builder;

/* NULL with bd->pid_err set (and a message) when p is not a pid/port from the
 * node (BV_ETERM) or memory ran out (BV_ENOMEM). */
static const char *pid_str(builder *bd, const bv_term *p)
{
  bd->tmp.len = 0;
  if (!p || (p->type != BV_T_PID && p->type != BV_T_PORT)) {
    bd->pid_err = bv_error_set(BV_ETERM, "suptree: malformed walk result from the node "
                                         "(a pid expected)");
    return NULL;
  }
  const char *s = NULL;
  if (bv_term_pid_str(&bd->tmp, p, bd->node) == 0 && !bd->tmp.failed)
    s = bv_arena_strndup(bd->t->arena, bd->tmp.data, bd->tmp.len);
  if (!s)
    bd->pid_err = bv_error_set(BV_ENOMEM, "out of memory building the tree");
  return s;
}

static const char *atom_name(bv_arena *a, const bv_term *t)
{
  if (!t || t->type != BV_T_ATOM)
    return NULL;
  return bv_arena_strdup(a, bv_strip_elixir(t->v.s));
}

/* Child ids in the target's syntax, as every term beamviz shows: on Erlang
 * nodes as Erlang writes them ({pool,1}); on Elixir nodes as inspect/1 does
 * ({:pool, 1}, "worker-1", %{k: 1}, an alias without Elixir.); at most
 * TERM_MAX bytes ("..." marks a cut). */
#define TERM_MAX 200

static const char *term_text(builder *bd, const bv_term *t)
{
  bd->tmp.len = 0;
  bv_term_format_lang(&bd->tmp, t, bd->node, TERM_MAX, bd->t->elixir);
  if (bd->tmp.failed || !bd->tmp.data)
    return NULL;
  return bv_arena_strndup(bd->t->arena, bd->tmp.data, bd->tmp.len);
}

static int add_node(builder *bd, const bv_tnode *nd, const pinfo *info)
{
  if (bd->n == bd->cap) {
    size_t cap = bd->cap ? bd->cap * 2 : 256;
    bv_tnode *nn = realloc(bd->nodes, cap * sizeof *nn);
    if (!nn)
      return BV_ENOMEM;
    bd->nodes = nn;
    const pinfo **ni = realloc((void *)bd->ninfo, cap * sizeof *ni);
    if (!ni)
      return BV_ENOMEM;
    bd->ninfo = ni;
    bd->cap = cap;
  }
  bd->nodes[bd->n] = *nd;
  bd->ninfo[bd->n] = info;
  bd->n++;
  return 0;
}

static int add_link(builder *bd, uint32_t a, uint32_t b)
{
  if (a == b)
    return 0;
  if (bd->nlinks == bd->lcap) {
    size_t cap = bd->lcap ? bd->lcap * 2 : 64;
    bv_tedge *nl = realloc(bd->links, cap * sizeof *nl);
    if (!nl)
      return BV_ENOMEM;
    bd->links = nl;
    bd->lcap = cap;
  }
  bd->links[bd->nlinks].a = a < b ? a : b;
  bd->links[bd->nlinks].b = a < b ? b : a;
  bd->nlinks++;
  return 0;
}

static const bv_term *info_item(const bv_term *info, const char *key)
{
  if (!info || info->type != BV_T_LIST)
    return NULL;
  for (uint32_t i = 0; i < info->n; i++) {
    const bv_term *kv = &info->v.items[i];
    if (kv->type == BV_T_TUPLE && kv->n == 2 && bv_term_is_atom(&kv->v.items[0], key))
      return &kv->v.items[1];
  }
  return NULL;
}

/* Module of a process from its '$initial_call' (chain nodes only). */
static const char *info_module(builder *bd, const bv_term *info)
{
  const bv_term *ic = NULL;
  const bv_term *d = info_item(info, "dictionary");
  if (d && d->type == BV_T_LIST) {
    for (uint32_t i = 0; i < d->n; i++) {
      const bv_term *kv = &d->v.items[i];
      if (kv->type == BV_T_TUPLE && kv->n == 2 && bv_term_is_atom(&kv->v.items[0], "$initial_call"))
        ic = &kv->v.items[1];
    }
  }
  /* OTP 26+: {{dictionary,'$initial_call'}, Value} */
  if (!ic && info && info->type == BV_T_LIST)
    for (uint32_t i = 0; i < info->n; i++) {
      const bv_term *kv = &info->v.items[i];
      if (kv->type == BV_T_TUPLE && kv->n == 2 && kv->v.items[0].type == BV_T_TUPLE &&
          bv_term_is_atom(bv_term_elem(&kv->v.items[0], 1), "$initial_call"))
        ic = &kv->v.items[1];
    }
  if (ic && ic->type == BV_T_TUPLE && ic->n == 3) {
    const bv_term *m = &ic->v.items[0];
    if (bv_term_is_atom(m, "supervisor") || bv_term_is_atom(m, "supervisor_bridge"))
      m = &ic->v.items[1];
    return atom_name(bd->t->arena, m);
  }
  return NULL;
}

/* Kind and state of a supervisor-like child from its walk result. */
static void apply_sup_result(builder *bd, bv_tnode *nd, const supres *res)
{
  if (!res || res->ok)
    return;
  if (res->why == 0) {
    nd->kind = BV_TN_NOTSTARTED;
    nd->state = "dead";
  } else if (res->why == 1) {
    nd->kind = nd->kind == BV_TN_ROOT ? BV_TN_ROOT : BV_TN_UNRESPONSIVE;
    nd->state = "not walked: time limit";
  } else {
    nd->kind = nd->kind == BV_TN_ROOT ? BV_TN_ROOT : BV_TN_UNRESPONSIVE;
    nd->state = bv_arena_printf(bd->t->arena, "no answer: %s", res->why_text ? res->why_text : "?");
  }
}

static int malformed(builder *bd, const char *what)
{
  return bv_error_set(BV_ETERM, "suptree: malformed walk result from node %s: %s", bd->node, what);
}

/* The pid/port string of p, interned in the scratch arena (links). */
static const char *link_str(builder *bd, const bv_term *p)
{
  bd->tmp.len = 0;
  if (bv_term_pid_str(&bd->tmp, p, bd->node) || bd->tmp.failed)
    return NULL;
  int fresh;
  const char **slot = bv_intern_lookup(&bd->strs, bd->tmp.data, bd->tmp.len, &fresh);
  if (!slot)
    return NULL;
  if (fresh)
    *slot = bv_arena_strndup(bd->scratch, bd->tmp.data, bd->tmp.len);
  return *slot;
}

/* An atom's text (Elixir. stripped), one copy per distinct text. */
static const char *atom_text(builder *bd, const bv_term *t, int *oom)
{
  if (!t || t->type != BV_T_ATOM)
    return NULL;
  return bv_intern_str(&bd->texts, bd->t->arena, bv_strip_elixir(t->v.s), oom);
}

/* Labels are cut to this many bytes (at a UTF-8 character boundary). */
#define LABEL_MAX 80

/* A process's '$process_label' from its info: {{dictionary,'$process_label'},
 * V} (OTP 26.2+), {label, V} (children on older nodes: taken out of the
 * dictionary on the target) or the whole dictionary (the chain on older
 * nodes); NULL when absent. */
static const bv_term *info_label(const bv_term *info)
{
  const bv_term *l = info_item(info, "label");
  if (l)
    return l;
  const bv_term *d = info_item(info, "dictionary");
  if (d && d->type == BV_T_LIST) {
    for (uint32_t i = 0; i < d->n; i++) {
      const bv_term *kv = &d->v.items[i];
      if (kv->type == BV_T_TUPLE && kv->n == 2 &&
          bv_term_is_atom(&kv->v.items[0], "$process_label"))
        return &kv->v.items[1];
    }
    return NULL;
  }
  for (uint32_t i = 0; info && info->type == BV_T_LIST && i < info->n; i++) {
    const bv_term *kv = &info->v.items[i];
    if (kv->type == BV_T_TUPLE && kv->n == 2 && kv->v.items[0].type == BV_T_TUPLE &&
        bv_term_is_atom(bv_term_elem(&kv->v.items[0], 1), "$process_label"))
      return &kv->v.items[1];
  }
  return NULL;
}

/* A label as every view shows it (bv_term_label); NULL for none (undefined,
 * an empty text). */
static int label_text(builder *bd, const bv_term *t, const char **out)
{
  *out = NULL;
  if (!t || bv_term_is_atom(t, "undefined") || t->type == BV_T_NIL)
    return 0;
  bv_buf *b = &bd->tmp;
  b->len = 0;
  bv_term_label(b, t, bd->node, LABEL_MAX, bd->t->elixir);
  if (b->failed)
    return BV_ENOMEM;
  if (!b->len)
    return 0;
  if (!(*out = bv_arena_strndup(bd->t->arena, b->data, b->len)))
    return BV_ENOMEM;
  return 0;
}

/* A process_info list: its name and links; NULL (no error) when info is not a
 * list (the process had exited). */
static int take_info(builder *bd, const bv_term *info, const pinfo **out)
{
  *out = NULL;
  if (!info || info->type != BV_T_LIST)
    return 0;
  pinfo *pi = bv_arena_alloc(bd->scratch, sizeof *pi);
  if (!pi)
    return BV_ENOMEM;
  pi->name = atom_name(bd->t->arena, info_item(info, "registered_name"));
  pi->label = NULL;
  int rc = label_text(bd, info_label(info), &pi->label);
  if (rc)
    return rc;
  const bv_term *ls = info_item(info, "links");
  if (ls && ls->type == BV_T_LIST && ls->n) {
    if (!(pi->links = bv_arena_alloc(bd->scratch, ls->n * sizeof *pi->links)))
      return BV_ENOMEM;
    for (uint32_t k = 0; k < ls->n; k++) {
      const bv_term *l = &ls->v.items[k];
      if (l->type != BV_T_PID && l->type != BV_T_PORT)
        continue;
      if (!(pi->links[pi->nlinks++] = link_str(bd, l)))
        return BV_ENOMEM;
    }
  }
  *out = pi;
  return 0;
}

/* One slice of a supervisor's children: Cs (which_children entries), Ps (the
 * slice's pids of the node, in order) and Is (their infos, aligned). */
static int take_kids(builder *bd, supres *sr, const bv_term *cs, const bv_term *ps,
                     const bv_term *is)
{
  if (!cs || !ps || !is || (cs->type != BV_T_LIST && cs->type != BV_T_NIL) ||
      (ps->type != BV_T_LIST && ps->type != BV_T_NIL) ||
      (is->type != BV_T_LIST && is->type != BV_T_NIL) || ps->n != is->n)
    return malformed(bd, "a slice of children");
  if (cs->n > bd->chunk)
    return malformed(bd, "a slice larger than asked for");
  /* a supervisor's list comes in slices of exactly a chunk, the last one
     shorter (maybe empty): nothing may follow a short slice */
  if (sr->closed)
    return malformed(bd, "more slices of a supervisor's children after its last one");
  if (cs->n < bd->chunk)
    sr->closed = 1;
  /* the children of the whole walk: those that are processes at most as many
     as the node can have, the others at most max_other */
  if (ps->n > cs->n)
    return malformed(bd, "more infos than children");
  size_t nl = ps->n, no = cs->n - ps->n;
  if (nl > bd->max_local - bd->nlocal)
    return malformed(bd, "more children than the node can have processes");
  if (no > bd->max_other - bd->nother)
    return bv_error_set(BV_ETERM,
                        "suptree: malformed walk result from node %s: more children than "
                        "%zu without a process of the node",
                        bd->node, bd->max_other);
  bd->nlocal += nl;
  bd->nother += no;
  if (sr->nkids + cs->n > sr->cap) {
    size_t cap = sr->cap ? sr->cap * 2 : 16;
    while (cap < sr->nkids + cs->n)
      cap *= 2;
    kid *nk = realloc(sr->kids, cap * sizeof *nk);
    if (!nk)
      return BV_ENOMEM;
    sr->kids = nk;
    sr->cap = cap;
  }
  uint32_t j = 0; /* next of Ps/Is */
  int oom = 0, rc;
  for (uint32_t i = 0; i < cs->n; i++) {
    const bv_term *c = &cs->v.items[i];
    const bv_term *id = bv_term_elem(c, 0);
    if (!bv_term_is_atom(id, "undefined"))
      sr->dynamic = 0;
    if (c->type != BV_T_TUPLE || c->n != 4)
      continue;
    kid *k = &sr->kids[sr->nkids];
    memset(k, 0, sizeof *k);
    const bv_term *p = bv_term_elem(c, 1);
    const bv_term *type = bv_term_elem(c, 2), *mods = bv_term_elem(c, 3);
    if (!bv_term_is_atom(id, "undefined"))
      k->child_id = term_text(bd, id);
    k->type = atom_text(bd, type, &oom);
    if (mods && mods->type == BV_T_LIST && mods->n > 0)
      k->module = atom_text(bd, &mods->v.items[0], &oom);
    else if (bv_term_is_atom(mods, "dynamic"))
      k->module = "dynamic";
    if (oom)
      return BV_ENOMEM;
    k->kind = BV_TN_WORKER;
    k->serial = UINT32_MAX;
    k->id = UINT64_MAX;
    if (p && p->type == BV_T_PID) {
      k->serial = p->v.pid.serial;
      k->id = p->v.pid.id;
      if (!(k->pid = pid_str(bd, p)))
        return bd->pid_err;
      if (strcmp(p->v.pid.node, bd->node) != 0) {
        k->state = bv_arena_printf(bd->t->arena, "on %s", p->v.pid.node);
      } else {
        /* Ps lists exactly the slice's pids of the node, in order */
        const bv_term *q = j < ps->n ? &ps->v.items[j] : NULL;
        if (!q || q->rawlen != p->rawlen || memcmp(q->raw, p->raw, p->rawlen) != 0)
          return malformed(bd, "a child's info does not match its pid");
        k->local = 1;
        if ((rc = take_info(bd, &is->v.items[j], &k->info)))
          return rc;
        j++;
      }
    } else {
      k->kind = BV_TN_NOTSTARTED;
      k->state = bv_term_is_atom(p, "restarting") ? "restarting" : "undefined";
    }
    sr->nkids++;
  }
  if (j != ps->n)
    return malformed(bd, "more infos than children");
  return 0;
}

/* One {Sup, {ok, Cs, Ps, Is} | {error, Reason}} of a part message; its
 * weight (children, at least 1) is added to *weight. */
static int take_item(builder *bd, const bv_term *it, size_t *weight)
{
  const bv_term *sp = bv_term_elem(it, 0), *res = bv_term_elem(it, 1);
  if (!it || it->type != BV_T_TUPLE || it->n != 2 || !sp || sp->type != BV_T_PID || !res ||
      res->type != BV_T_TUPLE)
    return malformed(bd, "an item that is not {Supervisor, Result}");
  bd->tmp.len = 0;
  if (bv_term_pid_str(&bd->tmp, sp, bd->node) || bd->tmp.failed)
    return BV_ENOMEM;
  int fresh;
  bv_intern_slot *slot = bv_intern_put(&bd->sups, bd->tmp.data, bd->tmp.len, &fresh);
  if (!slot)
    return BV_ENOMEM;
  supres *sr = (supres *)slot->ptr;
  int ok = bv_term_is_atom(bv_term_elem(res, 0), "ok") && res->n == 4;
  if (!ok && !(bv_term_is_atom(bv_term_elem(res, 0), "error") && res->n == 2))
    return malformed(bd, "a supervisor's result");
  if (!fresh && (!ok || !sr->ok))
    return malformed(bd, "a supervisor's result came twice");
  if (fresh) {
    if (!(sr = bv_arena_alloc(bd->scratch, sizeof *sr)))
      return BV_ENOMEM;
    slot->ptr = sr;
    sr->ok = ok;
    sr->dynamic = 1;
    if (bd->nsups++ >= bd->max_sups)
      return malformed(bd, "more supervisors than the node can have");
  }
  if (!ok) {
    const bv_term *why = bv_term_elem(res, 1);
    *weight += 1;
    if (bv_term_is_atom(why, "noproc"))
      sr->why = 0;
    else if (bv_term_is_atom(why, "not_walked"))
      sr->why = 1;
    else {
      sr->why = 2;
      const char *txt = bv_term_text(why);
      sr->why_text = txt ? bv_arena_strdup(bd->scratch, txt) : NULL;
    }
    return 0;
  }
  const bv_term *cs = bv_term_elem(res, 1);
  *weight += cs && cs->n ? cs->n : 1;
  return take_kids(bd, sr, cs, bv_term_elem(res, 2), bv_term_elem(res, 3));
}

/* The order children started in: which_children lists static children in
 * reverse start order; dynamic ones (simple_one_for_one, DynamicSupervisor:
 * every id undefined) come from a map, so pid order (creation order) is used. */
typedef struct kidkey {  /* what the comparator needs: no shared state */
  uint64_t id;
  uint32_t serial, i;
} kidkey;

static int cmp_kid(const void *a, const void *b)
{
  const kidkey *x = a, *y = b;
  if (x->serial != y->serial)
    return x->serial < y->serial ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return x->i < y->i ? -1 : (x->i > y->i);
}

static int place_children(builder *bd, uint32_t parent, supres *sr)
{
  size_t n = sr->nkids;
  if (!n)
    return 0;
  kidkey *ord = malloc(n * sizeof *ord);
  if (!ord)
    return BV_ENOMEM;
  for (size_t k = 0; k < n; k++) {
    ord[k].i = (uint32_t)(sr->dynamic ? k : n - 1 - k);
    ord[k].serial = sr->kids[ord[k].i].serial;
    ord[k].id = sr->kids[ord[k].i].id;
  }
  if (sr->dynamic)
    qsort(ord, n, sizeof *ord, cmp_kid);
  int rc = 0;
  for (size_t k = 0; k < n && !rc; k++) {
    const kid *c = &sr->kids[ord[k].i];
    bv_tnode nd;
    memset(&nd, 0, sizeof nd);
    nd.parent = (int)parent;
    nd.kind = (bv_tnode_kind)c->kind;
    nd.child_id = c->child_id;
    nd.type = c->type;
    nd.module = c->module;
    nd.pid = c->pid;
    nd.state = c->state;
    if (c->local) {
      if (!c->info) {
        nd.kind = BV_TN_NOTSTARTED;
        nd.state = "dead";
      } else {
        nd.name = c->info->name;
        nd.label = c->info->label;
        int found;
        const supres *res2 = map_get(&bd->sups, nd.pid, &found);
        if (found) {
          nd.kind = BV_TN_SUPERVISOR;
          apply_sup_result(bd, &nd, res2);
        }
      }
    }
    rc = add_node(bd, &nd, c->local ? c->info : NULL);
  }
  free(ord);
  free(sr->kids);
  sr->kids = NULL;
  sr->nkids = sr->cap = 0;
  return rc;
}

static int place_externals(builder *bd, uint32_t i)
{
  const pinfo *pi = bd->ninfo[i];
  if (!pi)
    return 0;
  for (uint32_t k = 0; k < pi->nlinks; k++) {
    const char *key = pi->links[k];
    int found;
    map_get(&bd->members, key, &found);
    if (found)
      continue;
    const void *at = map_get(&bd->placed_ext, key, &found);
    if (found) {
      int rc = add_link(bd, i, (uint32_t)((uintptr_t)at - 1));
      if (rc)
        return rc;
      continue;
    }
    const bv_term *e = map_get(&bd->ext, key, &found);
    if (!found)
      continue; /* not reported by the target (linked after it looked) */
    bv_tnode nd;
    memset(&nd, 0, sizeof nd);
    nd.kind = BV_TN_EXTERNAL;
    nd.parent = (int)i;
    if (!(nd.pid = bv_arena_strdup(bd->t->arena, key)))
      return BV_ENOMEM;
    nd.name = atom_name(bd->t->arena, bv_term_elem(e, 1));
    const bv_term *extra = bv_term_elem(e, 2);
    if (extra && extra->type == BV_T_TUPLE && bv_term_is_atom(bv_term_elem(extra, 0), "port"))
      nd.module = bv_arena_strdup(bd->t->arena, bv_term_text(bv_term_elem(extra, 1)) ?
                                                     bv_term_text(bv_term_elem(extra, 1)) : "port");
    else if (extra && extra->type == BV_T_TUPLE && extra->n == 3 &&
             (bv_term_is_atom(bv_term_elem(extra, 0), "supervisor") ||
              bv_term_is_atom(bv_term_elem(extra, 0), "supervisor_bridge")) &&
             bv_term_text(bv_term_elem(extra, 1)))
      /* {supervisor, M, 1}: the callback module's init/1, as procs writes it */
      nd.module = bv_arena_printf(bd->t->arena, "%s:init/1",
                                  bv_strip_elixir(bv_term_text(bv_term_elem(extra, 1))));
    else if (extra && extra->type == BV_T_TUPLE && extra->n == 3 &&
             !bv_term_is_atom(bv_term_elem(extra, 0), "erlang")) /* funs: erlang:apply/2 */
      nd.module = bv_arena_printf(bd->t->arena, "%s:%s/%lld",
                                  bv_strip_elixir(bv_term_text(bv_term_elem(extra, 0))
                                                      ? bv_term_text(bv_term_elem(extra, 0)) : "?"),
                                  bv_term_text(bv_term_elem(extra, 1))
                                      ? bv_term_text(bv_term_elem(extra, 1)) : "?",
                                  (long long)bv_term_int(bv_term_elem(extra, 2), 0));
    else if (bv_term_is_atom(extra, "dead"))
      nd.state = "dead";
    else if (bv_term_is_atom(extra, "closed"))
      nd.state = "closed";
    const bv_term *ep = bv_term_elem(e, 0);
    if (ep && ep->type == BV_T_PID && strcmp(ep->v.pid.node, bd->node) != 0)
      nd.state = bv_arena_printf(bd->t->arena, "on %s", ep->v.pid.node);
    int rc = map_put(&bd->placed_ext, key, (const void *)(uintptr_t)(bd->n + 1));
    if (rc < 0 || (rc = add_node(bd, &nd, NULL)))
      return rc < 0 ? rc : BV_ENOMEM;
  }
  return 0;
}

static int cmp_edge(const void *a, const void *b)
{
  const bv_tedge *x = a, *y = b;
  if (x->a != y->a)
    return x->a < y->a ? -1 : 1;
  return x->b < y->b ? -1 : (x->b > y->b);
}

/* Links between members that are not a parent-child pair. */
static int member_links(builder *bd)
{
  size_t n = bd->n;
  for (size_t i = 0; i < n; i++) {
    if (bd->nodes[i].kind == BV_TN_EXTERNAL)
      continue;
    const pinfo *pi = bd->ninfo[i];
    if (!pi)
      continue;
    for (uint32_t k = 0; k < pi->nlinks; k++) {
      int found; /* ports are never members */
      const void *at = map_get(&bd->members, pi->links[k], &found);
      if (!found || !at)
        continue;
      uint32_t j = (uint32_t)((uintptr_t)at - 1);
      if (j == i || bd->nodes[i].parent == (int)j || bd->nodes[j].parent == (int)i)
        continue;
      int rc = add_link(bd, (uint32_t)i, j);
      if (rc)
        return rc;
    }
  }
  if (bd->nlinks) {
    qsort(bd->links, bd->nlinks, sizeof *bd->links, cmp_edge);
    size_t w = 0;
    for (size_t r = 0; r < bd->nlinks; r++)
      if (!w || cmp_edge(&bd->links[w - 1], &bd->links[r]) != 0)
        bd->links[w++] = bd->links[r];
    bd->nlinks = w;
  }
  return 0;
}

/* Room for n nodes at once (a supervisor of 1,000,000 children would
 * otherwise leave the doubled array half empty). */
static int reserve(builder *bd, size_t n)
{
  if (n <= bd->cap)
    return 0;
  bv_tnode *nn = realloc(bd->nodes, n * sizeof *nn);
  if (!nn)
    return BV_ENOMEM;
  bd->nodes = nn;
  const pinfo **ni = realloc((void *)bd->ninfo, n * sizeof *ni);
  if (!ni)
    return BV_ENOMEM;
  bd->ninfo = ni;
  bd->cap = n;
  return 0;
}

static int build(builder *bd, const bv_term *chain, const bv_term *ext, int links)
{
  int rc = 0;
  size_t total = chain->n;
  for (size_t i = 0; i < bd->sups.cap; i++)
    if (bd->sups.slots[i].hash && bd->sups.slots[i].ptr)
      total += ((const supres *)bd->sups.slots[i].ptr)->nkids;
  if ((rc = reserve(bd, total)))
    return rc;
  if (links && ext && ext->type == BV_T_LIST)
    for (uint32_t i = 0; i < ext->n; i++) {
      const char *key = pid_str(bd, bv_term_elem(&ext->v.items[i], 0));
      if (!key)
        return bd->pid_err;
      if (map_put(&bd->ext, key, &ext->v.items[i]) < 0)
        return BV_ENOMEM;
    }
  /* the chain: root first, each the parent of the next (master, helper, top);
     then the processes linked to the start helper, children of the helper */
  int helper = -1;
  uint32_t nmain = 0;
  for (uint32_t i = 0; i < chain->n; i++) {
    const bv_term *role = bv_term_elem(&chain->v.items[i], 1);
    if (bv_term_is_atom(role, "helper"))
      helper = (int)i;
    if (!bv_term_is_atom(role, "linked"))
      nmain = i + 1;
  }
  for (uint32_t i = 0; i < chain->n; i++) {
    const bv_term *c = &chain->v.items[i];
    const bv_term *info = bv_term_elem(c, 2);
    const pinfo *pi = NULL;
    bv_tnode nd;
    memset(&nd, 0, sizeof nd);
    nd.parent = (int)i - 1;
    if (i >= nmain) {
      if (helper < 0)
        return bv_error_set(BV_ETERM, "suptree: malformed walk result from the node");
      nd.parent = helper;
    }
    nd.pid = pid_str(bd, bv_term_elem(c, 0));
    if (!nd.pid)
      return bd->pid_err;
    const bv_term *role = bv_term_elem(c, 1);
    nd.kind = i == 0 ? BV_TN_ROOT : BV_TN_WORKER;
    if (bv_term_is_atom(role, "master")) {
      nd.role = "application master";
      nd.module = "application_master";
    } else if (bv_term_is_atom(role, "helper")) {
      nd.role = "application start helper";
      nd.module = "application_master";
    } else if (bv_term_is_atom(role, "linked")) {
      nd.role = "linked to the start helper";
    }
    if (!info || info->type != BV_T_LIST) {
      info = NULL;
      if (i)
        nd.kind = BV_TN_NOTSTARTED;
      nd.state = "dead";
    } else {
      if ((rc = take_info(bd, info, &pi)))
        return rc;
      nd.name = pi->name;
      nd.label = pi->label;
      if (!nd.module)
        nd.module = info_module(bd, info);
      /* the target's note on an unexpected shape (application master, helper) */
      const bv_term *note = c->n == 4 ? bv_term_elem(c, 3) : NULL;
      if (note && note->type == BV_T_BINARY) {
        nd.state = bv_term_text(note);
        nd.state = nd.state ? bv_arena_strdup(bd->t->arena, nd.state) : NULL;
      }
    }
    int found;
    const supres *res = map_get(&bd->sups, nd.pid, &found);
    if (found) {
      if (i)
        nd.kind = BV_TN_SUPERVISOR;
      apply_sup_result(bd, &nd, res);
    }
    if (map_put(&bd->members, nd.pid, NULL) < 0 || (rc = add_node(bd, &nd, pi)))
      return BV_ENOMEM;
  }
  /* breadth first: each dequeued node appends its children (contiguous) */
  for (size_t i = 0; i < bd->n; i++) {
    bv_tnode *nd = &bd->nodes[i];
    if ((int)i == helper) {
      nd->first_child = (uint32_t)(i + 1);
      nd->nchildren = chain->n - (i + 1);
      if (!nd->nchildren)
        nd->first_child = (uint32_t)bd->n;
      continue;
    }
    if (i + 1 < nmain) {
      nd->first_child = (uint32_t)(i + 1);
      nd->nchildren = 1;
      continue;
    }
    nd->first_child = (uint32_t)bd->n;
    rc = 0;
    if (nd->pid && nd->kind != BV_TN_EXTERNAL) {
      int found;
      supres *res = (supres *)map_get(&bd->sups, nd->pid, &found);
      if (found && res->ok &&
          (rc = map_put(&bd->expanded, nd->pid, NULL)) == 1 &&
          (rc = place_children(bd, (uint32_t)i, res)))
        return rc;
      if (rc < 0)
        return rc;
    }
    bd->nodes[i].nchildren = (uint32_t)(bd->n - bd->nodes[i].first_child);
  }
  return 0;
}

/* map_put does not overwrite: members map values are set by a second pass. */
static int index_members(builder *bd)
{
  bv_intern_dispose(&bd->members);
  for (size_t i = 0; i < bd->n; i++)
    if (bd->nodes[i].pid && bd->nodes[i].kind != BV_TN_EXTERNAL &&
        map_put(&bd->members, bd->nodes[i].pid, (const void *)(uintptr_t)(i + 1)) < 0)
      return BV_ENOMEM;
  return 0;
}

/* With --links, externals are placed after the member tree is complete: they
 * hang under the first member linked to them, so the node array is rebuilt in
 * breadth-first order with each member's externals after its children. */
static int add_externals(builder *bd)
{
  size_t n0 = bd->n;
  /* parent of each external, in member order */
  for (size_t i = 0; i < n0; i++) {
    int rc = place_externals(bd, (uint32_t)i);
    if (rc)
      return rc;
  }
  if (bd->n == n0)
    return 0;
  /* reorder: BFS over members, each member's children then its externals */
  size_t n = bd->n;
  uint32_t *order = malloc(n * sizeof *order), *newidx = malloc(n * sizeof *newidx);
  uint32_t *extstart = calloc(n0 + 1, sizeof *extstart);
  if (!order || !newidx || !extstart) {
    free(order);
    free(newidx);
    free(extstart);
    return BV_ENOMEM;
  }
  /* externals were appended grouped by parent in increasing parent order */
  for (size_t k = n0; k < n; k++)
    extstart[bd->nodes[k].parent + 1]++;
  for (size_t i = 1; i <= n0; i++)
    extstart[i] += extstart[i - 1];
  /* extstart[p] = offset (from n0) of parent p's first external */
  size_t w = 0;
  order[w++] = 0;
  for (size_t r = 0; r < w; r++) {
    uint32_t i = order[r];
    if (i >= n0)
      continue;
    bv_tnode *nd = &bd->nodes[i];
    for (uint32_t c = 0; c < nd->nchildren; c++)
      order[w++] = nd->first_child + c;
    for (uint32_t e = extstart[i]; e < extstart[i + 1]; e++)
      order[w++] = (uint32_t)(n0 + e);
  }
  if (w != n) {
    free(order);
    free(newidx);
    free(extstart);
    return bv_error_set(BV_EINVAL, "suptree: internal error ordering external nodes");
  }
  for (size_t k = 0; k < n; k++)
    newidx[order[k]] = (uint32_t)k;
  bv_tnode *nn = malloc(n * sizeof *nn);
  const pinfo **ni = malloc(n * sizeof *ni);
  if (!nn || !ni) {
    free(nn);
    free((void *)ni);
    free(order);
    free(newidx);
    free(extstart);
    return BV_ENOMEM;
  }
  for (size_t k = 0; k < n; k++) {
    nn[k] = bd->nodes[order[k]];
    ni[k] = bd->ninfo[order[k]];
    if (nn[k].parent >= 0)
      nn[k].parent = (int)newidx[nn[k].parent];
    nn[k].nchildren = 0;
    nn[k].first_child = 0;
  }
  for (size_t k = 1; k < n; k++) {
    bv_tnode *p = &nn[nn[k].parent];
    if (!p->nchildren)
      p->first_child = (uint32_t)k;
    p->nchildren++;
  }
  for (size_t k = 0; k < n; k++)
    if (!nn[k].nchildren)
      nn[k].first_child = (uint32_t)n;
  for (size_t l = 0; l < bd->nlinks; l++) {
    bd->links[l].a = newidx[bd->links[l].a];
    bd->links[l].b = newidx[bd->links[l].b];
    if (bd->links[l].a > bd->links[l].b) {
      uint32_t x = bd->links[l].a;
      bd->links[l].a = bd->links[l].b;
      bd->links[l].b = x;
    }
  }
  free(bd->nodes);
  free((void *)bd->ninfo);
  bd->nodes = nn;
  bd->ninfo = ni;
  bd->cap = n;
  free(order);
  free(newidx);
  free(extstart);
  return 0;
}

static void fmt_running(bv_buf *b, const bv_term *list)
{
  if (!list || list->type != BV_T_LIST) {
    bv_buf_puts(b, "none");
    return;
  }
  for (uint32_t i = 0; i < list->n; i++) {
    const char *s = bv_term_text(&list->v.items[i]);
    bv_buf_printf(b, "%s%s", i ? ", " : "", s ? s : "?");
  }
}

/* Why the application asked for has no tree on this thread's last walk
 * (BV_ENOTFOUND): "not running", "loaded but not started", ... or NULL. One per
 * thread: a cluster's jobs run one per thread. */
static _Thread_local const char *app_absent;
static const char ABSENT_NOT_RUNNING[] = "not running", ABSENT_NOT_STARTED[] = "loaded but not started",
                  ABSENT_LIBRARY[] = "library", ABSENT_NO_TOP[] = "no top";

static int remote_error(bv_conn *c, const bv_tree_opts *o, const char *who, const bv_term *r)
{
  const bv_term *kind = bv_term_elem(r, 1), *d = bv_term_elem(r, 2);
  const char *node = bv_conn_node(c);
  bv_buf b;
  bv_buf_init(&b);
  int rc;
  if (bv_term_is_atom(kind, "unknown_app") || bv_term_is_atom(kind, "not_started")) {
    fmt_running(&b, d);
    app_absent = bv_term_is_atom(kind, "not_started") ? ABSENT_NOT_STARTED : ABSENT_NOT_RUNNING;
    rc = bv_error_set(BV_ENOTFOUND, "application '%s' is %s on node %s (running: %s)", o->app,
                      app_absent, node, b.data ? b.data : "none");
  } else if (bv_term_is_atom(kind, "library_app")) {
    app_absent = ABSENT_LIBRARY;
    rc = bv_error_set(BV_ENOTFOUND,
                      "application '%s' on node %s is a library application: it has no "
                      "processes, so no supervision tree",
                      o->app, node);
  } else if (bv_term_is_atom(kind, "no_top")) {
    app_absent = ABSENT_NO_TOP;
    rc = bv_error_set(BV_ENOTFOUND,
                      "application '%s' on node %s has no top process (starting or stopping?)",
                      o->app, node);
  } else if (bv_term_is_atom(kind, "not_registered")) {
    /* the words of every option that takes a process (seqtrace --attach) */
    for (uint32_t i = 0; d && d->type == BV_T_LIST && i < d->n && i < 3; i++) {
      const char *s = bv_term_text(&d->v.items[i]);
      if (s)
        bv_buf_printf(&b, "%s%s", b.len ? ", " : "", s);
    }
    rc = bv_error_set(BV_ENOTFOUND, "'%s' is not registered on %s%s%s%s", who, node,
                      b.len ? " (similar registered names: " : "", b.len && b.data ? b.data : "",
                      b.len ? ")" : "");
  } else if (bv_term_is_atom(kind, "not_alive")) {
    bv_pid_display(&b, who, bv_conn_has_elixir(c));
    rc = bv_error_set(BV_ENOTFOUND, "process %s is not alive on %s", b.data ? b.data : who,
                      node);
  } else if (bv_term_is_atom(kind, "not_supervisor")) {
    const bv_term *ic = bv_term_elem(d, 1);
    int elixir = bv_conn_has_elixir(c);
    bv_buf tb;
    bv_buf_init(&tb);
    if (ic && ic->type == BV_T_TUPLE && ic->n == 3) {
      /* the machine form, then the target's syntax (DemoApp.Worker.init/1) */
      bv_buf_printf(&tb, "%s:%s/%lld",
                    bv_term_text(bv_term_elem(ic, 0)) ? bv_term_text(bv_term_elem(ic, 0)) : "?",
                    bv_term_text(bv_term_elem(ic, 1)) ? bv_term_text(bv_term_elem(ic, 1)) : "?",
                    (long long)bv_term_int(bv_term_elem(ic, 2), 0));
      bv_buf_puts(&b, "its initial call is ");
      bv_mfa_display(&b, tb.data ? tb.data : "?", elixir);
    } else if (ic && ic->type == BV_T_TUPLE && bv_term_is_atom(bv_term_elem(ic, 0), "port"))
      bv_buf_puts(&b, "it is a port");
    else
      bv_buf_puts(&b, "it has no '$initial_call'");
    const bv_term *why = bv_term_elem(d, 2), *w0 = bv_term_elem(why, 0);
    bv_buf pb;
    bv_buf_init(&pb);
    tb.len = 0;
    if (why)
      bv_term_format(&tb, bv_term_elem(why, 1) ? bv_term_elem(why, 1) : why, node, 80);
    bv_pid_display(&pb, tb.data && tb.len ? tb.data : "?", elixir);
    const char *par = pb.data ? pb.data : "?";
    if (bv_term_is_atom(why, "no_parent"))
      bv_buf_puts(&b, "; it has no parent in '$ancestors'");
    else if (bv_term_is_atom(w0, "declared"))
      bv_buf_printf(&b, "; its parent lists it as %s", bv_term_text(bv_term_elem(why, 1))
                                                          ? bv_term_text(bv_term_elem(why, 1))
                                                          : "?");
    else if (bv_term_is_atom(w0, "not_listed"))
      bv_buf_printf(&b, "; its parent %s does not list it among its children", par);
    else if (bv_term_is_atom(w0, "parent_not_supervisor"))
      bv_buf_printf(&b, "; its parent %s is not a supervisor", par);
    else if (bv_term_is_atom(w0, "parent_no_answer") || bv_term_is_atom(w0, "parent_not_asked"))
      bv_buf_printf(&b, "; its parent %s gave no child list in time", par);
    bv_buf_dispose(&tb);
    bv_buf_dispose(&pb);
    rc = bv_error_set(BV_EREFUSED,
                      "'%s' on node %s is not a supervisor (%s): beamviz sends which_children "
                      "only to supervisors and to children their parent declares supervisor",
                      o->sup, node, b.data ? b.data : "?");
  } else {
    bv_term_format(&b, r, node, 200);
    rc = bv_error_set(BV_EREMOTE, "suptree walk on %s failed: %s", node, b.data ? b.data : "?");
  }
  bv_buf_dispose(&b);
  return rc;
}

/* The supervisors' results (in the scratch arena) and the kids of those never
 * placed (a pid under no placed parent). Before the scratch arena goes. */
static void free_sups(builder *bd)
{
  for (size_t i = 0; i < bd->sups.cap; i++)
    if (bd->sups.slots && bd->sups.slots[i].hash && bd->sups.slots[i].ptr)
      free(((supres *)bd->sups.slots[i].ptr)->kids);
  bv_intern_dispose(&bd->sups);
}

int bv_tree_collect(bv_conn *c, const bv_tree_opts *o, bv_tree **out)
{
  *out = NULL;
  app_absent = NULL;
  if (!o || (!o->app == !o->sup))
    return bv_error_set(BV_EINVAL, "give exactly one of an application or a supervisor");
  const char *who = o->app ? o->app : o->sup;
  if (!*who)
    return bv_error_set(BV_EINVAL, "empty %s name", o->app ? "application" : "supervisor");
  /* --sup: a name or a pid in any spelling (bv_who_parse), given to the
     target as "<0.1.0>" or the bare name; pids of another node refused here */
  char whobuf[300];
  if (o->sup) {
    int is_pid = bv_who_parse(o->sup, whobuf, sizeof whobuf);
    if (is_pid < 0)
      return is_pid;
    if (is_pid && strncmp(whobuf, "<0.", 3) != 0)
      return bv_error_set(BV_EINVAL,
                          "pid %s is on another node; give a pid of node %s "
                          "(<0.N.M>)",
                          o->sup, bv_conn_node(c));
    who = whobuf;
  }
  unsigned conn_ms = bv_conn_timeout(c);
  unsigned sup_ms = o->sup_timeout_ms ? o->sup_timeout_ms : 2000;
  unsigned budget = o->budget_ms;
  if (!budget)
    budget = conn_ms > 2000 ? conn_ms - (conn_ms / 4 > 1000 ? conn_ms / 4 : 1000) : conn_ms / 2;
  unsigned wait = budget + (conn_ms > budget ? conn_ms - budget : 1000);
  if (wait < budget + 1000)
    wait = budget + 1000;

  bv_tree *t = calloc(1, sizeof *t);
  if (!t || !(t->arena = bv_arena_new())) {
    free(t);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  builder bd;
  memset(&bd, 0, sizeof bd);
  bd.t = t;
  t->elixir = bv_conn_has_elixir(c); /* child ids are written in the node's syntax as parts come */
  bv_buf_init(&bd.tmp);
  bd.node = bv_conn_node(c); /* the reply must name the same node */
  bd.chunk = BV_TREE_CHUNK;
  bd.max_sups = BV_MAX_PROCESS_LIMIT;
  bd.max_local = BV_MAX_PROCESS_LIMIT;
  bd.max_other = BV_TREE_MAX_NOPROC;
  bv_binding b[] = {
      {"Mode", BV_B_BIN, 0, o->app ? "app" : "sup", 3},
      {"Who", BV_B_BIN, 0, who, strlen(who)},
      {"SupTimeout", BV_B_INT, sup_ms, NULL, 0},
      {"Budget", BV_B_INT, budget, NULL, 0},
      {"Links", BV_B_BOOL, o->links != 0, NULL, 0},
      {"Self", BV_B_SELF, 0, NULL, 0},
      {"Chunk", BV_B_INT, BV_TREE_CHUNK, NULL, 0},
  };
  /* one deadline for the whole walk: the call that starts it and every
     message after it */
  uint64_t deadline = bv_now_ms() + wait;
  bv_arena *tmp = bv_arena_new();
  unsigned char *ref = NULL;
  bv_term *r = NULL;
  size_t parts = 0;
  int rc = 0;
  if (!tmp || !(bd.scratch = bv_arena_new())) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  {
    /* who.erl first: --sup resolves names and pids as --attach does */
    const char *w = bv_template("who.erl", NULL), *st = bv_template("suptree.erl", NULL);
    if (!w || !st) {
      rc = bv_error_set(BV_EINVAL, "the suptree templates are not embedded in this beamviz");
      goto done;
    }
    bv_buf src;
    bv_buf_init(&src);
    bv_buf_puts(&src, w);
    bv_buf_puts(&src, "\n");
    bv_buf_puts(&src, st);
    if (src.failed) {
      bv_buf_dispose(&src);
      rc = BV_ENOMEM;
      goto done;
    }
    rc = bv_conn_eval_src(c, src.data, b, sizeof b / sizeof *b, wait, tmp, &r);
    bv_buf_dispose(&src);
    if (rc)
      goto done;
  }
  if (!r || r->type != BV_T_REF) {
    rc = bv_error_set(BV_ETERM, "suptree: unexpected reply from node %s", bv_conn_node(c));
    goto done;
  }
  bv_term refk = {.raw = NULL, .rawlen = r->rawlen};
  if (!(ref = malloc(r->rawlen ? r->rawlen : 1))) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  memcpy(ref, r->raw, r->rawlen);
  refk.raw = ref;
  /* the parts as the walk sends them, each turned into the builder's own
     records and dropped (the arena is reset before each message), then
     {bv_suptree_done, Ref, Result} */
  for (;;) {
    bv_term *m;
    rc = bv_conn_await(c, deadline, tmp, bv_await_ref, &refk, &m);
    if (rc == BV_ETIMEOUT)
      rc = bv_error_set(BV_ETIMEOUT,
                        "the supervision tree walk on %s did not finish within %u ms (%zu "
                        "parts came)",
                        bv_conn_node(c), wait, parts);
    if (rc)
      goto done;
    const bv_term *tag = bv_term_elem(m, 0), *items = bv_term_elem(m, 2);
    if (bv_term_is_atom(tag, "bv_suptree_part") && m->n == 3 && items &&
        (items->type == BV_T_LIST || items->type == BV_T_NIL)) {
      size_t weight = 0;
      for (uint32_t i = 0; i < items->n && !rc; i++)
        rc = take_item(&bd, &items->v.items[i], &weight);
      if (!rc && weight > bd.chunk)
        rc = malformed(&bd, "a part larger than asked for");
      parts++;
      if (rc)
        goto done;
    } else if (bv_term_is_atom(tag, "bv_suptree_done") && m->n == 3) {
      r = (bv_term *)items;
      break;
    } else {
      rc = malformed(&bd, "an unknown message");
      goto done;
    }
  }
  if (bv_term_is_atom(bv_term_elem(r, 0), "error")) {
    rc = remote_error(c, o, who, r);
    goto done;
  }
  const bv_term *node = bv_term_elem(r, 1), *chain = bv_term_elem(r, 2);
  const bv_term *ext = bv_term_elem(r, 3);
  if (!bv_term_is_atom(bv_term_elem(r, 0), "ok") || r->n != 6 || !node ||
      node->type != BV_T_ATOM || !chain || chain->type != BV_T_LIST || chain->n == 0 ||
      strcmp(node->v.s, bd.node) != 0) {
    rc = bv_error_set(BV_ETERM, "suptree: unexpected reply from node %s", bv_conn_node(c));
    goto done;
  }
  if (bv_term_int(bv_term_elem(r, 5), -1) != (int64_t)parts) {
    rc = malformed(&bd, "the walk ended before every part came");
    goto done;
  }
  t->node = bv_arena_strdup(t->arena, node->v.s);
  t->otp_release = bv_arena_strdup(t->arena, bv_conn_otp_release(c));
  t->elixir = bv_conn_has_elixir(c);
  t->title = bv_arena_strdup(t->arena, o->app ? o->app : o->sup);
  t->mode = o->app ? "app" : "sup";
  t->walk_ms = (uint64_t)bv_term_int(bv_term_elem(r, 4), 0);
  bd.node = t->node;
  rc = build(&bd, chain, ext, o->links);
  if (!rc)
    rc = index_members(&bd);
  if (!rc && o->links)
    rc = add_externals(&bd);
  if (!rc)
    rc = index_members(&bd);
  if (!rc)
    rc = member_links(&bd);
  /* the lookups and the infos are done with: gone before the model's copy */
  bv_intern_dispose(&bd.members);
  bv_intern_dispose(&bd.placed_ext);
  bv_intern_dispose(&bd.expanded);
  bv_intern_dispose(&bd.strs);
  free_sups(&bd);
  bv_arena_free(bd.scratch);
  bd.scratch = NULL;
  free((void *)bd.ninfo);
  bd.ninfo = NULL;
  if (!rc) {
    t->n = bd.n;
    t->nodes = bv_arena_alloc(t->arena, bd.n * sizeof *t->nodes);
    t->nlinks = bd.nlinks;
    t->links = bd.nlinks ? bv_arena_alloc(t->arena, bd.nlinks * sizeof *t->links) : NULL;
    if (!t->nodes || (bd.nlinks && !t->links))
      rc = BV_ENOMEM;
    else {
      memcpy(t->nodes, bd.nodes, bd.n * sizeof *t->nodes);
      for (size_t i = 0; i < bd.n; i++)
        if (!t->nodes[i].nchildren)
          t->nodes[i].first_child = 0;
      if (bd.nlinks)
        memcpy(t->links, bd.links, bd.nlinks * sizeof *t->links);
    }
  }
done:
  free(ref);
  if (rc == BV_ENOMEM)
    rc = bv_error_set(BV_ENOMEM, "out of memory building the supervision tree");
  free(bd.nodes);
  free((void *)bd.ninfo);
  free(bd.links);
  free_sups(&bd);
  bv_intern_dispose(&bd.strs);
  bv_intern_dispose(&bd.texts);
  bv_arena_free(bd.scratch);
  bv_arena_free(tmp);
  bv_intern_dispose(&bd.members);
  bv_intern_dispose(&bd.ext);
  bv_intern_dispose(&bd.placed_ext);
  bv_intern_dispose(&bd.expanded);
  bv_buf_dispose(&bd.tmp);
  if (rc) {
    bv_tree_free(t);
    return rc;
  }
  *out = t;
  return 0;
}

/* --- one application's tree on every node of a cluster ----------------------- */

typedef struct tree_cl {
  const bv_tree_opts *o;
  bv_tree **per;        /* each node's job fills its own slot */
  const char **absent;  /* the node has no tree of the application: why */
} tree_cl;

static int tree_one(bv_conn *c, size_t i, void *ud)
{
  tree_cl *tc = ud;
  int rc = bv_tree_collect(c, tc->o, &tc->per[i]);
  if (rc == BV_ENOTFOUND && app_absent) { /* an answer, not a failure */
    tc->absent[i] = app_absent;
    return 0;
  }
  return rc;
}

int bv_tree_collect_cluster(const bv_cluster_opts *co, const bv_tree_opts *o, bv_tree **out)
{
  *out = NULL;
  if (!o || !o->app || o->sup)
    return bv_error_set(BV_EINVAL, "a cluster's trees are of an application (app set)");
  size_t nn = co->n ? co->n : 1;
  tree_cl tc = {o, calloc(nn, sizeof(bv_tree *)), calloc(nn, sizeof(const char *))};
  bv_tree *m = calloc(1, sizeof *m);
  int rc = 0;
  if (!tc.per || !tc.absent || !m || !(m->arena = bv_arena_new()) ||
      !(m->cnodes = bv_arena_alloc(m->arena, nn * sizeof *m->cnodes)) ||
      !(m->trees = bv_arena_alloc(m->arena, nn * sizeof *m->trees)))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    memset(m->trees, 0, nn * sizeof *m->trees);
    m->ntrees = co->n;
    rc = bv_cluster_run(co, tree_one, &tc, m->arena, m->cnodes);
  }
  size_t ok = 0;
  for (size_t i = 0; i < co->n && tc.per; i++) {
    if (!rc && m->cnodes[i].code == BV_ENOMEM) /* beamviz's own failure is the run's */
      rc = bv_error_set(BV_ENOMEM, "%s", m->cnodes[i].reason);
    bv_tree *t = &m->trees[i];
    if (!rc && m->cnodes[i].code == BV_OK) {
      ok++;
      const char *w = tc.absent[i];
      if (w && !(m->cnodes[i].reason =
                     w == ABSENT_NOT_RUNNING ? bv_arena_printf(m->arena, "not running %s", o->app)
                     : w == ABSENT_NOT_STARTED
                         ? bv_arena_printf(m->arena, "%s loaded but not started", o->app)
                     : w == ABSENT_LIBRARY
                         ? bv_arena_printf(m->arena, "%s is a library application: no tree", o->app)
                         : bv_arena_printf(m->arena, "%s has no top process", o->app)))
        rc = bv_error_set(BV_ENOMEM, "out of memory");
      t->node = m->cnodes[i].node;
      t->title = o->app;
      t->mode = "app";
    }
    if (!tc.per[i])
      continue;
    if (!rc && m->cnodes[i].code == BV_OK && !tc.absent[i] && tc.per[i]->n) {
      /* the node's strings stay with the cluster's tree, no copy */
      *t = *tc.per[i];
      t->arena = NULL;
      bv_arena_adopt(m->arena, tc.per[i]->arena);
      tc.per[i]->arena = NULL;
      if (!m->otp_release) {
        m->otp_release = t->otp_release;
        m->elixir = t->elixir;
      }
    }
    bv_tree_free(tc.per[i]);
  }
  free(tc.per);
  free((void *)tc.absent);
  if (!rc && (!(m->node = bv_nodes_label(m->arena, ok)) ||
              !(m->title = bv_arena_strdup(m->arena, o->app))))
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    m->mode = "app";
    for (size_t i = 0; i < co->n; i++)
      if (m->cnodes[i].code == BV_OK)
        m->trees[i].title = m->title;
  }
  if (rc) {
    bv_tree_free(m);
    return rc;
  }
  *out = m;
  return 0;
}
