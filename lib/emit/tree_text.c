/* emit/tree_text.c: a supervision tree as an indented text tree (like
 * tree(1)) for terminals and CI logs, drawn from its view (view/tree.c). */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* The view's label on one line (its lines joined by a space, control
 * characters as visible escapes), then its class in brackets. */
static void put_node(bv_buf *b, const bv_tree_view *v, size_t i)
{
  const char *s = v->label[i];
  for (;;) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    bv_buf_text(b, s, n);
    if (!nl)
      break;
    bv_buf_putc(b, ' ');
    s = nl + 1;
  }
  bv_buf_printf(b, " [%s]\n", v->cls[i]);
}

/* Depth first in start order, without recursion (a tree may be a chain of any
 * depth): stack[d] is the node at depth d and next[d] its next child; last[d]
 * says whether it is its parent's last child (no more "│" below it). */
static int write_text(bv_out *out, const bv_tree_view *v)
{
  const bv_tree *s = v->tree;
  uint32_t *stack = malloc(s->n * sizeof *stack), *next = malloc(s->n * sizeof *next);
  unsigned char *last = malloc(s->n);
  bv_wr w;
  bv_wr_init(&w, out);
  if (!stack || !next || !last) {
    free(stack);
    free(next);
    free(last);
    bv_wr_finish(&w);
    return bv_error_set(BV_ENOMEM, "out of memory writing the supervision tree");
  }
  size_t d = 0;
  stack[0] = 0;
  next[0] = 0;
  last[0] = 1;
  put_node(&w.b, v, 0);
  while (!w.rc) {
    const bv_tnode *p = &s->nodes[stack[d]];
    if (next[d] >= p->nchildren) {
      if (d == 0)
        break;
      d--;
      continue;
    }
    uint32_t c = p->first_child + next[d]++;
    int is_last = next[d] == p->nchildren;
    for (size_t k = 1; k <= d; k++)
      bv_buf_puts(&w.b, last[k] ? "    " : "\xe2\x94\x82   ");        /* │ */
    bv_buf_puts(&w.b, is_last ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 "  /* └── */
                              : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 "); /* ├── */
    put_node(&w.b, v, c);
    d++;
    stack[d] = c;
    next[d] = 0;
    last[d] = (unsigned char)is_last;
    if (bv_wr_maybe_flush(&w))
      break;
  }
  free(stack);
  free(next);
  free(last);
  return bv_wr_finish(&w);
}

/* A cluster's trees one after another, each under a line "== NODE ==" (and
 * a blank line between), a node that does not run the application or failed
 * with one line saying so; info sums the trees' counts. */
static int cluster_text(const bv_tree *t, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info)
{
  int rc = 0;
  for (size_t i = 0; i < t->ntrees && !rc; i++) {
    const bv_node_result *r = &t->cnodes[i];
    bv_buf b;
    bv_buf_init(&b);
    bv_buf_puts(&b, i ? "\n== " : "== ");
    bv_buf_text(&b, r->node, strlen(r->node));
    bv_buf_puts(&b, " ==\n");
    if (r->code) {
      bv_buf_puts(&b, "not collected: ");
      bv_buf_text(&b, r->reason ? r->reason : "?", strlen(r->reason ? r->reason : "?"));
      bv_buf_puts(&b, "\n");
    } else if (!t->trees[i].n && r->reason) {
      bv_buf_text(&b, r->reason, strlen(r->reason));
      bv_buf_puts(&b, "\n");
    } else if (!t->trees[i].n) {
      bv_buf_puts(&b, "not running ");
      bv_buf_text(&b, t->title ? t->title : "?", strlen(t->title ? t->title : "?"));
      bv_buf_puts(&b, "\n");
    }
    rc = b.failed ? bv_error_set(BV_ENOMEM, "out of memory") : bv_out_buf(out, &b);
    bv_buf_dispose(&b);
    if (rc || r->code || !t->trees[i].n)
      continue;
    bv_tree_view *v = NULL;
    if ((rc = bv_tree_view_make(&t->trees[i], o, &v)))
      break;
    rc = write_text(out, v);
    if (!rc && info) {
      bv_emit_info fi;
      memset(&fi, 0, sizeof fi);
      bv_tree_view_info(v, &fi);
      bv_tree_info_add(info, &fi);
    }
    bv_tree_view_free(v);
  }
  return rc;
}

int bv_emit_tree_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info)
{
  (void)fmt;
  if (!m || m->kind != BV_MODEL_TREE || !m->u.tree)
    return bv_error_set(BV_EINVAL, "not a supervision tree");
  if (m->u.tree->ntrees)
    return cluster_text(m->u.tree, o, out, info);
  bv_tree_view *v = NULL;
  int rc = bv_tree_view_make(m->u.tree, o, &v);
  if (rc)
    return rc;
  rc = write_text(out, v);
  if (!rc)
    bv_tree_view_info(v, info);
  bv_tree_view_free(v);
  return rc;
}
