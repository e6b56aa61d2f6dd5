/* collect/clustermap.c: the map of a cluster (beamviz cluster). The entry
 * node's facts and node lists through the existing connection, then every
 * node it lists through a connection of its own (bv_cluster_run: at most
 * `parallel` at once, each step within the connection timeout), in rounds
 * that follow the nodes those list. A node that cannot be read stays in the
 * map, unreachable, with why. */
#include "collect/collect.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_NODES 256u
#define MAX_MAX_NODES 4096u

int bv_clustermap_is_beamviz(const char *name)
{
  if (!name || strncmp(name, "beamviz_", 8) != 0)
    return 0;
  size_t d = strspn(name + 8, "0123456789");
  return d > 0 && name[8 + d] == '@';
}

/* "a lists b" in its nodes(visible) (hidden 0) or nodes(hidden) (hidden 1). */
typedef struct claim {
  uint32_t a, b;
  int hidden;
} claim;

typedef struct st {
  bv_clustermap *m;
  size_t cap;
  bv_intern index; /* name -> index + 1 */
  claim *claims;
  size_t nclaims, capclaims;
  unsigned max_nodes;
  int with_hidden;
  int *seen_visible; /* some node lists it in nodes(visible) */
} st;

/* The index of name, added (not yet read) if new; -1 past max_nodes (counted
 * in left_out), -2 out of memory. */
static int64_t node_index(st *s, const char *name)
{
  const bv_intern_slot *g = bv_intern_get(&s->index, name, strlen(name));
  if (g)
    return g->num - 1;
  if (s->m->n >= s->max_nodes) {
    s->m->left_out++;
    /* count each name once: remember it with index 0 (num 0 = left out) */
    int fresh;
    if (!bv_intern_put(&s->index, name, strlen(name), &fresh))
      return -2;
    return -1;
  }
  if (s->m->n == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 16;
    bv_cnode *nn = bv_arena_realloc(s->m->arena, s->m->nodes, s->cap * sizeof *nn, nc * sizeof *nn);
    int *sv = realloc(s->seen_visible, nc * sizeof *sv);
    if (sv)
      s->seen_visible = sv;
    if (!nn || !sv)
      return -2;
    s->m->nodes = nn;
    s->cap = nc;
  }
  int fresh;
  bv_intern_slot *slot = bv_intern_put(&s->index, name, strlen(name), &fresh);
  if (!slot)
    return -2;
  size_t i = s->m->n++;
  slot->num = (int64_t)i + 1;
  memset(&s->m->nodes[i], 0, sizeof s->m->nodes[i]);
  s->seen_visible[i] = 0;
  if (!(s->m->nodes[i].name = bv_arena_strdup(s->m->arena, name)))
    return -2;
  return (int64_t)i;
}

static int add_claim(st *s, uint32_t a, uint32_t b, int hidden)
{
  if (s->nclaims == s->capclaims) {
    size_t nc = s->capclaims ? 2 * s->capclaims : 64;
    claim *c = realloc(s->claims, nc * sizeof *c);
    if (!c)
      return bv_error_set(BV_ENOMEM, "out of memory");
    s->claims = c;
    s->capclaims = nc;
  }
  s->claims[s->nclaims++] = (claim){a, b, hidden};
  return 0;
}

/* A node list as a node must send it: a list of atoms (checked before any of
 * a reply is taken, so a bad reply leaves nothing behind). */
static int check_list(const bv_term *l, const char *from)
{
  if (!l || l->type == BV_T_NIL)
    return 0;
  if (l->type != BV_T_LIST)
    return bv_error_set(BV_ETERM, "cluster: node %s sent a node list that is not a list", from);
  for (uint32_t k = 0; k < l->n; k++)
    if (l->v.items[k].type != BV_T_ATOM)
      return bv_error_set(BV_ETERM, "cluster: node %s listed a node that is not an atom", from);
  return 0;
}

/* NAME@HOST, as --nodes takes them: one '@', text on both sides. */
static int node_name(const char *n)
{
  const char *at = strchr(n, '@');
  return at && at != n && at[1] && !strchr(at + 1, '@');
}

/* Takes node i's list of nodes (visible or hidden), checked by check_list. */
static int take_list(st *s, uint32_t i, const bv_term *l, int hidden, const char *from)
{
  (void)from;
  if (!l || l->type != BV_T_LIST)
    return 0;
  for (uint32_t k = 0; k < l->n; k++) {
    const bv_term *e = &l->v.items[k];
    if (bv_clustermap_is_beamviz(e->v.s) || !node_name(e->v.s))
      continue;
    int64_t j = node_index(s, e->v.s);
    if (j == -2)
      return bv_error_set(BV_ENOMEM, "out of memory");
    if (j < 0 || (uint32_t)j == i)
      continue;
    if (!hidden)
      s->seen_visible[j] = 1;
    int rc = add_claim(s, i, (uint32_t)j, hidden);
    if (rc)
      return rc;
  }
  return 0;
}

/* Fills node i from a cluster_info.erl reply. */
static int take_facts(st *s, uint32_t i, const bv_term *r, const char *from)
{
  const bv_term *otp = bv_term_elem(r, 2), *vis = bv_term_elem(r, 7), *hid = bv_term_elem(r, 8);
  if (!bv_term_is_atom(bv_term_elem(r, 0), "ok") || r->n != 9 || !bv_term_text(otp))
    return bv_error_set(BV_ETERM, "cluster: unexpected reply from node %s", from);
  int rc0 = check_list(vis, from);
  if (rc0 || (s->with_hidden && (rc0 = check_list(hid, from))))
    return rc0;
  bv_cnode *nd = &s->m->nodes[i];
  nd->reachable = 1;
  nd->error = NULL;
  if (!(nd->otp_release = bv_arena_strdup(s->m->arena, bv_term_text(otp))))
    return bv_error_set(BV_ENOMEM, "out of memory");
  nd->elixir = bv_term_is_atom(bv_term_elem(r, 3), "true");
  nd->processes = bv_term_u64(bv_term_elem(r, 4), 0);
  nd->memory = bv_term_u64(bv_term_elem(r, 5), 0);
  nd->uptime_ms = bv_term_u64(bv_term_elem(r, 6), 0);
  int rc = take_list(s, i, vis, 0, from);
  if (!rc && s->with_hidden)
    rc = take_list(s, i, hid, 1, from);
  return rc;
}

static int ask(bv_conn *c, bv_arena *a, bv_term **r)
{
  bv_arena_reset(a);
  return bv_conn_eval(c, "cluster_info.erl", NULL, 0, 0, a, r);
}

static int cmp_claim(const void *x, const void *y)
{
  const claim *p = x, *q = y;
  if (p->a != q->a)
    return p->a < q->a ? -1 : 1;
  if (p->b != q->b)
    return p->b < q->b ? -1 : 1;
  return p->hidden - q->hidden;
}

/* The entry node first, then by name: the map's order, and its edges. */
static int finish(st *s)
{
  bv_clustermap *m = s->m;
  size_t n = m->n;
  uint32_t *order = malloc((n ? n : 1) * sizeof *order), *pos = malloc((n ? n : 1) * sizeof *pos);
  bv_cnode *sorted = bv_arena_alloc(m->arena, (n ? n : 1) * sizeof *sorted);
  if (!order || !pos || !sorted) {
    free(order);
    free(pos);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++)
    order[i] = (uint32_t)i;
  /* insertion sort of 1..n by name (n is at most a few thousand) */
  for (size_t i = 2; i < n; i++) {
    uint32_t x = order[i];
    size_t k = i;
    while (k > 1 && strcmp(m->nodes[order[k - 1]].name, m->nodes[x].name) > 0) {
      order[k] = order[k - 1];
      k--;
    }
    order[k] = x;
  }
  for (size_t i = 0; i < n; i++) {
    sorted[i] = m->nodes[order[i]];
    sorted[i].hidden = i > 0 && !s->seen_visible[order[i]];
    pos[order[i]] = (uint32_t)i;
    if (!sorted[i].reachable)
      m->unreachable++;
  }
  m->nodes = sorted;
  for (size_t k = 0; k < s->nclaims; k++) {
    uint32_t a = pos[s->claims[k].a], b = pos[s->claims[k].b];
    s->claims[k].a = a < b ? a : b;
    s->claims[k].b = a < b ? b : a;
  }
  free(order);
  free(pos);
  if (s->nclaims)
    qsort(s->claims, s->nclaims, sizeof *s->claims, cmp_claim);
  m->edges = bv_arena_alloc(m->arena, (s->nclaims ? s->nclaims : 1) * sizeof *m->edges);
  if (!m->edges)
    return bv_error_set(BV_ENOMEM, "out of memory");
  for (size_t k = 0; k < s->nclaims; k++) {
    const claim *c = &s->claims[k];
    if (m->nedges && m->edges[m->nedges - 1].a == c->a && m->edges[m->nedges - 1].b == c->b)
      continue; /* sorted visible first: a visible claim wins */
    m->edges[m->nedges++] = (bv_cedge){c->a, c->b, c->hidden};
  }
  return 0;
}

/* One node's answer, read on its own connection in a thread of its own:
 * its slot only. */
typedef struct round_slot {
  bv_arena *a;
  bv_term *r;
} round_slot;

static int ask_one(bv_conn *c, size_t i, void *ud)
{
  round_slot *sl = ud;
  if (!(sl[i].a = bv_arena_new()))
    return bv_error_set(BV_ENOMEM, "out of memory");
  return ask(c, sl[i].a, &sl[i].r);
}

/* Marks node i unreachable, with why. */
static int unreachable(st *s, size_t i, const char *why, int code)
{
  bv_cnode *nd = &s->m->nodes[i];
  nd->reachable = 0;
  nd->otp_release = NULL;
  nd->processes = nd->memory = nd->uptime_ms = 0;
  if (!(nd->error = bv_arena_strdup(s->m->arena, why && *why ? why : bv_error_name(code))))
    return bv_error_set(BV_ENOMEM, "out of memory");
  return 0;
}

/* Reads nodes [from, to) at once, then takes their answers in order. */
static int read_round(st *s, const bv_clustermap_opts *o, size_t from, size_t to)
{
  size_t k = to - from;
  const char **names = calloc(k, sizeof *names);
  round_slot *sl = calloc(k, sizeof *sl);
  bv_node_result *res = calloc(k, sizeof *res);
  bv_arena *a = bv_arena_new();
  int rc = 0;
  if (!names || !sl || !res || !a)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  /* the names are copied: take_facts grows the node array */
  for (size_t i = 0; i < k && !rc; i++)
    if (!(names[i] = bv_arena_strdup(a, s->m->nodes[from + i].name)))
      rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc) {
    bv_cluster_opts co = {names, k, o->conn.cookie, o->conn.timeout_ms, o->conn.max_message,
                          o->parallel};
    rc = bv_cluster_run(&co, ask_one, sl, a, res);
  }
  for (size_t i = 0; i < k && !rc; i++) {
    int nrc = res[i].code;
    if (nrc == BV_ENOMEM) {
      rc = bv_error_set(BV_ENOMEM, "%s", res[i].reason);
      break;
    }
    if (!nrc) {
      nrc = take_facts(s, (uint32_t)(from + i), sl[i].r, names[i]);
      if (nrc == BV_ENOMEM) {
        rc = nrc;
        break;
      }
      if (nrc)
        rc = unreachable(s, from + i, bv_error_last(), nrc);
    } else {
      rc = unreachable(s, from + i, res[i].reason, nrc);
    }
  }
  for (size_t i = 0; sl && i < k; i++)
    bv_arena_free(sl[i].a);
  free(names);
  free(sl);
  free(res);
  bv_arena_free(a);
  return rc;
}

int bv_clustermap_collect(bv_conn *c, const bv_clustermap_opts *o, bv_clustermap **out)
{
  *out = NULL;
  /* no cookie (an embedding program's lone node): any other node is unreachable
     with bv_conn_open's "no cookie" */
  if (!o)
    return bv_error_set(BV_EINVAL, "cluster: no options");
  if (o->max_nodes > MAX_MAX_NODES)
    return bv_error_set(BV_EINVAL, "cluster: at most %u nodes in a map, not %u", MAX_MAX_NODES,
                        o->max_nodes);
  st s;
  memset(&s, 0, sizeof s);
  s.max_nodes = o->max_nodes ? o->max_nodes : DEFAULT_MAX_NODES;
  s.with_hidden = o->hidden;
  bv_arena *tmp = bv_arena_new();
  s.m = calloc(1, sizeof *s.m);
  int rc = 0;
  if (!tmp || !s.m || !(s.m->arena = bv_arena_new()) || bv_intern_init(&s.index)) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  s.m->with_hidden = o->hidden;
  bv_term *r;
  if ((rc = ask(c, tmp, &r)))
    goto done;
  const bv_term *me = bv_term_elem(r, 1);
  if (!me || me->type != BV_T_ATOM) {
    rc = bv_error_set(BV_ETERM, "cluster: unexpected reply from node %s", bv_conn_node(c));
    goto done;
  }
  int64_t e = node_index(&s, me->v.s);
  if (e < 0) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  s.m->nodes[0].entry = 1;
  if (!(s.m->node = bv_arena_strdup(s.m->arena, me->v.s)) ||
      (rc = take_facts(&s, 0, r, bv_conn_node(c))))
    goto done;
  /* every node found, in rounds: the nodes not yet read are read at once
     (bv_cluster_run, at most o->parallel connections), then their answers
     are taken in the order the nodes were found, which adds the nodes they
     list for the next round: the same nodes, found in the same order, as
     reading them one after another */
  for (size_t from = 1; from < s.m->n && !rc;) {
    size_t to = s.m->n;
    rc = read_round(&s, o, from, to);
    from = to;
  }
  if (rc)
    goto done;
  rc = finish(&s);
done:
  bv_intern_dispose(&s.index);
  free(s.claims);
  free(s.seen_visible);
  bv_arena_free(tmp);
  if (rc) {
    bv_clustermap_free(s.m);
    return rc;
  }
  *out = s.m;
  return 0;
}
