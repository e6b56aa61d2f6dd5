/* model/clustermap.c: the cluster map model: its file (written and read back). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/* The most nodes a map file may hold (the collector's own limit). */
#define MAX_NODES 4096u

void bv_clustermap_free(bv_clustermap *m)
{
  if (m) {
    bv_arena_free(m->arena);
    free(m);
  }
}

static void map_write(bv_wr *w, const bv_clustermap *m)
{
  bv_wr_str(w, "{\"format\":\"beamviz.cluster_map\",\"version\":1");
  bv_wr_kv(w, "node", m->node);
  bv_wr_str(w, ",\"with_hidden\":");
  bv_wr_bool(w, m->with_hidden);
  bv_wr_str(w, ",\"left_out\":");
  bv_wr_u64(w, m->left_out);
  bv_wr_str(w, ",\"nodes\":[");
  for (size_t i = 0; i < m->n && !bv_wr_maybe_flush(w); i++) {
    const bv_cnode *nd = &m->nodes[i];
    bv_wr_str(w, i ? ",\n{\"name\":" : "\n{\"name\":");
    bv_wr_json(w, nd->name);
    bv_wr_str(w, ",\"entry\":");
    bv_wr_bool(w, nd->entry);
    bv_wr_str(w, ",\"reachable\":");
    bv_wr_bool(w, nd->reachable);
    bv_wr_str(w, ",\"hidden\":");
    bv_wr_bool(w, nd->hidden);
    bv_wr_kv(w, "error", nd->error);
    bv_wr_kv(w, "otp_release", nd->otp_release);
    bv_wr_str(w, ",\"elixir\":");
    bv_wr_bool(w, nd->elixir);
    bv_wr_str(w, ",\"processes\":");
    bv_wr_u64(w, nd->processes);
    bv_wr_str(w, ",\"memory\":");
    bv_wr_u64(w, nd->memory);
    bv_wr_str(w, ",\"uptime_ms\":");
    bv_wr_u64(w, nd->uptime_ms);
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "],\"edges\":[");
  for (size_t i = 0; i < m->nedges && !bv_wr_maybe_flush(w); i++) {
    const bv_cedge *e = &m->edges[i];
    bv_wr_str(w, i ? ",\n{\"a\":" : "\n{\"a\":");
    bv_wr_u64(w, e->a);
    bv_wr_str(w, ",\"b\":");
    bv_wr_u64(w, e->b);
    bv_wr_str(w, ",\"hidden\":");
    bv_wr_bool(w, e->hidden);
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "]}\n");
}

int bv_clustermap_write_json(const bv_clustermap *m, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  map_write(&w, m);
  return bv_wr_finish(&w);
}

static int opt_bool(const bv_jdoc *d, const bv_jv *obj, const char *key, const char *path,
                    int *out)
{
  const bv_jv *v = bv_jv_get(obj, key);
  return bv_jv_is_null(v) ? 0 : bv_jv_bool(d, v, path, out);
}

static int opt_u64(const bv_jdoc *d, const bv_jv *obj, const char *key, const char *path,
                   uint64_t *out)
{
  const bv_jv *v = bv_jv_get(obj, key);
  return bv_jv_is_null(v) ? 0 : bv_jv_u64(d, v, path, out);
}

int bv_clustermap_from_json(const bv_jdoc *d, bv_clustermap **out)
{
  *out = NULL;
  bv_intern names; /* no node name twice */
  memset(&names, 0, sizeof names);
  const bv_jv *root = bv_jdoc_root(d);
  const bv_jv *nodes = bv_jv_get(root, "nodes"), *edges = bv_jv_get(root, "edges");
  int rc = bv_jv_arr(d, nodes, "nodes", MAX_NODES);
  if (rc)
    return rc;
  size_t n = bv_jv_len(nodes);
  /* each pair once: at most n(n-1)/2 edges */
  if ((rc = bv_jv_arr(d, edges, "edges", n > 1 ? n * (n - 1) / 2 : 0)))
    return rc;
  size_t ne = bv_jv_len(edges);
  bv_clustermap *m = calloc(1, sizeof *m);
  if (!m || !(m->arena = bv_arena_new()) ||
      !(m->nodes = bv_arena_alloc(m->arena, (n ? n : 1) * sizeof *m->nodes)) ||
      !(m->edges = bv_arena_alloc(m->arena, (ne ? ne : 1) * sizeof *m->edges))) {
    bv_clustermap_free(m);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  uint64_t left = 0;
  if ((rc = bv_jv_opt_str(d, bv_jv_get(root, "node"), "node", m->arena, &m->node)) ||
      (rc = opt_bool(d, root, "with_hidden", "with_hidden", &m->with_hidden)) ||
      (rc = opt_u64(d, root, "left_out", "left_out", &left)))
    goto fail;
  m->left_out = (size_t)left;
  if ((rc = bv_intern_init(&names)))
    goto fail;
  size_t entries = 0;
  char path[64];
  bv_jit it;
  bv_jv_iter(nodes, &it);
  for (const bv_jv *e = bv_jv_next(&it); e; e = bv_jv_next(&it), m->n++) {
    bv_cnode *nd = &m->nodes[m->n];
#define P(key) (snprintf(path, sizeof path, "nodes[%zu].%s", m->n, key), path)
    snprintf(path, sizeof path, "nodes[%zu]", m->n);
    if ((rc = bv_jv_obj(d, e, path)) ||
        (rc = bv_jv_str(d, bv_jv_get(e, "name"), P("name"), m->arena, &nd->name)) ||
        (rc = opt_bool(d, e, "entry", P("entry"), &nd->entry)) ||
        (rc = opt_bool(d, e, "reachable", P("reachable"), &nd->reachable)) ||
        (rc = opt_bool(d, e, "hidden", P("hidden"), &nd->hidden)) ||
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "error"), P("error"), m->arena, &nd->error)) ||
        (rc = bv_jv_opt_str(d, bv_jv_get(e, "otp_release"), P("otp_release"), m->arena,
                            &nd->otp_release)) ||
        (rc = opt_bool(d, e, "elixir", P("elixir"), &nd->elixir)) ||
        (rc = opt_u64(d, e, "processes", P("processes"), &nd->processes)) ||
        (rc = opt_u64(d, e, "memory", P("memory"), &nd->memory)) ||
        (rc = opt_u64(d, e, "uptime_ms", P("uptime_ms"), &nd->uptime_ms)))
      goto fail;
#undef P
    snprintf(path, sizeof path, "nodes[%zu].name", m->n);
    size_t nl = strlen(nd->name);
    int fresh = 0;
    /* a node name is an atom: at most 255 characters, 1,020 bytes */
    if (!nl || nl > 1020) {
      rc = bv_jv_fail(d, path, "not a node name (1 to 1,020 bytes)");
    } else if (!bv_intern_lookup(&names, nd->name, nl, &fresh)) {
      rc = bv_error_set(BV_ENOMEM, "out of memory");
    } else if (!fresh) {
      rc = bv_jv_fail(d, path, "a node listed twice");
    }
    if (rc)
      goto fail;
    entries += nd->entry != 0;
    if (!nd->reachable)
      m->unreachable++;
  }
  bv_intern_dispose(&names);
  if (n && entries != 1) {
    rc = bv_jv_fail(d, "nodes", "expected exactly one entry node");
    goto fail;
  }
  bv_jv_iter(edges, &it);
  for (const bv_jv *e = bv_jv_next(&it); e; e = bv_jv_next(&it), m->nedges++) {
    bv_cedge *ed = &m->edges[m->nedges];
    uint64_t a, b;
#define P(key) (snprintf(path, sizeof path, "edges[%zu].%s", m->nedges, key), path)
    snprintf(path, sizeof path, "edges[%zu]", m->nedges);
    if ((rc = bv_jv_obj(d, e, path)) || (rc = bv_jv_u64(d, bv_jv_get(e, "a"), P("a"), &a)) ||
        (rc = bv_jv_u64(d, bv_jv_get(e, "b"), P("b"), &b)) ||
        (rc = opt_bool(d, e, "hidden", P("hidden"), &ed->hidden)))
      goto fail;
#undef P
    snprintf(path, sizeof path, "edges[%zu]", m->nedges);
    if (a >= n || b >= n || a >= b) {
      rc = bv_jv_fail(d, path, "expected two node indexes a < b below the number of nodes");
      goto fail;
    }
    ed->a = (uint32_t)a;
    ed->b = (uint32_t)b;
    /* sorted by (a, b), each pair once: what the writer writes */
    if (m->nedges && (m->edges[m->nedges - 1].a > ed->a ||
                      (m->edges[m->nedges - 1].a == ed->a && m->edges[m->nedges - 1].b >= ed->b))) {
      rc = bv_jv_fail(d, path, "edges must be sorted by (a, b), each pair once");
      goto fail;
    }
  }
  *out = m;
  return 0;
fail:
  bv_intern_dispose(&names);
  bv_clustermap_free(m);
  return rc;
}
