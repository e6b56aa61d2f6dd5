/* tree.c: the supervision-tree model's text outputs: labels, folding,
 * Mermaid (always within Mermaid's default limits), and the JSON model file
 * (written here, read back through lib/jsonin.h). */
#include "view/view.h"

#include <stdlib.h>
#include <string.h>


/* --- labels ----------------------------------------------------------------- */

/* Appends s cut to max bytes at a UTF-8 boundary, "..." marking the cut. */
static void put_cut(bv_buf *b, const char *s, size_t max)
{
  size_t n = strlen(s);
  if (n <= max) {
    bv_buf_put(b, s, n);
    return;
  }
  size_t cut = max > 3 ? max - 3 : 0;
  while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
    cut--;
  bv_buf_put(b, s, cut);
  bv_buf_puts(b, "...");
}

static void put_count(bv_buf *b, uint32_t k, const char *one, const char *many)
{
  bv_buf_printf(b, "%u %s", k, k == 1 ? one : many);
}

static int is_sup_like(const bv_tnode *n)
{
  return n->kind == BV_TN_SUPERVISOR || n->kind == BV_TN_UNRESPONSIVE ||
         (n->kind == BV_TN_NOTSTARTED && n->type && strcmp(n->type, "supervisor") == 0);
}

int bv_tree_label(bv_buf *b, const bv_tree *t, const bv_tnode *n, size_t max_line)
{
  if (!max_line)
    max_line = 80;
  bv_buf line;
  bv_buf_init(&line);
  if (n->kind == BV_TN_FOLDED) {
    if (n->role && strcmp(n->role, "below") == 0) {
      put_count(&line, n->folded, "more below", "more below");
    } else {
      uint32_t s = n->folded_sups, e = n->folded_ext;
      uint32_t w = n->folded >= s + e ? n->folded - s - e : 0;
      bv_buf_puts(&line, "... and ");
      if ((w != 0) + (s != 0) + (e != 0) > 1) {
        bv_buf_printf(&line, "%u more (", n->folded);
        const char *sep = "";
        if (w) {
          put_count(&line, w, "worker", "workers");
          sep = ", ";
        }
        if (s) {
          bv_buf_puts(&line, sep);
          put_count(&line, s, "supervisor", "supervisors");
          sep = ", ";
        }
        if (e) {
          bv_buf_puts(&line, sep);
          bv_buf_printf(&line, "%u linked", e);
        }
        bv_buf_putc(&line, ')');
      } else if (s) {
        put_count(&line, s, "more supervisor", "more supervisors");
      } else if (e) {
        put_count(&line, e, "more linked process", "more linked processes");
      } else {
        put_count(&line, w, "more worker", "more workers");
      }
      if (n->folded_total > n->folded)
        bv_buf_printf(&line, "\n+%u below", n->folded_total - n->folded);
    }
    bv_buf_put(b, line.data ? line.data : "", line.len);
    bv_buf_dispose(&line);
    return b->failed ? BV_ENOMEM : 0;
  }
  bv_buf pid;
  bv_buf_init(&pid);
  if (n->pid)
    bv_pid_display(&pid, n->pid, t ? t->elixir : 0);
  if (n->name) {
    bv_buf_puts(&line, n->name);
  } else if (n->child_id) {
    bv_buf_puts(&line, n->child_id);
    if (pid.len)
      bv_buf_printf(&line, " %s", pid.data);
  } else if (n->role) {
    bv_buf_puts(&line, n->role);
    if (pid.len)
      bv_buf_printf(&line, " %s", pid.data);
  } else if (pid.len) {
    bv_buf_puts(&line, pid.data);
  } else {
    bv_buf_puts(&line, "?");
  }
  put_cut(b, line.data ? line.data : "?", max_line);
  if (n->kind == BV_TN_EXTERNAL && n->module && !n->state) {
    bv_buf_putc(b, '\n');
    put_cut(b, n->module, max_line);
  }
  if (n->state) {
    line.len = 0;
    bv_buf_printf(&line, "(%s)", n->state);
    bv_buf_putc(b, '\n');
    put_cut(b, line.data, max_line);
  }
  bv_buf_dispose(&line);
  bv_buf_dispose(&pid);
  return b->failed ? BV_ENOMEM : 0;
}

/* --- folding ---------------------------------------------------------------- */

int bv_tree_fold(const bv_tree *t, unsigned max_children, unsigned max_depth, bv_tree **out,
                 bv_tree_fold_info *info)
{
  *out = NULL;
  if (!t || t->n == 0)
    return bv_error_set(BV_EINVAL, "empty supervision tree");
  size_t n = t->n;
  uint32_t *size = calloc(n, sizeof *size), *depth = calloc(n, sizeof *depth);
  int32_t *map = malloc(n * sizeof *map);
  bv_tree *v = calloc(1, sizeof *v);
  bv_tnode *nodes = NULL;
  int32_t *orig = NULL;
  int rc = 0;
  if (!size || !depth || !map || !v || !(v->arena = bv_arena_new())) {
    rc = BV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    map[i] = -1;
    int p = t->nodes[i].parent;
    if (i && (p < 0 || (size_t)p >= i)) {
      rc = bv_error_set(BV_EINVAL, "supervision tree: node %zu has a bad parent", i);
      goto done;
    }
    depth[i] = i ? depth[p] + 1 : 0;
  }
  for (size_t i = n; i-- > 0;) {
    size[i] += 1;
    if (i)
      size[t->nodes[i].parent] += size[i];
  }
  /* at most every node, plus one fold per node */
  size_t cap = 2 * n + 1, m = 0;
  nodes = calloc(cap, sizeof *nodes);
  orig = malloc(cap * sizeof *orig);
  if (!nodes || !orig) {
    rc = BV_ENOMEM;
    goto done;
  }
  nodes[0] = t->nodes[0];
  nodes[0].parent = -1;
  orig[0] = 0;
  map[0] = 0;
  m = 1;
  for (size_t j = 0; j < m; j++) {
    int32_t o = orig[j];
    nodes[j].first_child = (uint32_t)m;
    nodes[j].nchildren = 0;
    if (o < 0)
      continue;
    const bv_tnode *src = &t->nodes[o];
    uint32_t k = src->nchildren;
    if (!k)
      continue;
    if (src->first_child + (size_t)k > n) {
      rc = bv_error_set(BV_EINVAL, "supervision tree: node %d has bad children", o);
      goto done;
    }
    bv_tnode f;
    memset(&f, 0, sizeof f);
    f.kind = BV_TN_FOLDED;
    f.parent = (int)j;
    if (max_depth && depth[o] >= max_depth) {
      f.role = "below";
      f.folded = f.folded_total = size[o] - 1;
      nodes[m] = f;
      orig[m++] = -1;
      if (info) {
        info->hidden_below += f.folded;
        info->folds++;
      }
    } else {
      uint32_t keep = (max_children && k > max_children) ? max_children : k;
      for (uint32_t c = 0; c < keep; c++) {
        uint32_t ci = src->first_child + c;
        nodes[m] = t->nodes[ci];
        nodes[m].parent = (int)j;
        map[ci] = (int32_t)m;
        orig[m++] = (int32_t)ci;
      }
      if (keep < k) {
        f.role = "siblings";
        for (uint32_t c = keep; c < k; c++) {
          const bv_tnode *cn = &t->nodes[src->first_child + c];
          f.folded++;
          f.folded_total += size[src->first_child + c];
          if (cn->kind == BV_TN_EXTERNAL)
            f.folded_ext++;
          else if (is_sup_like(cn))
            f.folded_sups++;
        }
        nodes[m] = f;
        orig[m++] = -1;
        if (info) {
          info->hidden_siblings += f.folded_total;
          info->folds++;
        }
      }
    }
    nodes[j].nchildren = (uint32_t)(m - nodes[j].first_child);
  }
  for (size_t j = 0; j < m; j++)
    if (!nodes[j].nchildren)
      nodes[j].first_child = 0;
  v->nodes = bv_arena_alloc(v->arena, m * sizeof *v->nodes);
  v->links = t->nlinks ? bv_arena_alloc(v->arena, t->nlinks * sizeof *v->links) : NULL;
  if (!v->nodes || (t->nlinks && !v->links)) {
    rc = BV_ENOMEM;
    goto done;
  }
  memcpy(v->nodes, nodes, m * sizeof *nodes);
  v->n = m;
  for (size_t l = 0; l < t->nlinks; l++) {
    uint32_t a = t->links[l].a, b = t->links[l].b;
    if (a >= n || b >= n || map[a] < 0 || map[b] < 0)
      continue;
    v->links[v->nlinks].a = (uint32_t)map[a];
    v->links[v->nlinks].b = (uint32_t)map[b];
    v->nlinks++;
  }
  v->node = t->node;
  v->otp_release = t->otp_release;
  v->elixir = t->elixir;
  v->title = t->title;
  v->mode = t->mode;
  v->walk_ms = t->walk_ms;
  if (info) {
    info->max_children = max_children;
    info->max_depth = max_depth;
  }
  *out = v;
  v = NULL;
done:
  if (rc == BV_ENOMEM)
    rc = bv_error_set(BV_ENOMEM, "out of memory folding the supervision tree");
  free(size);
  free(depth);
  free(map);
  free(nodes);
  free(orig);
  bv_tree_free(v);
  return rc;
}
