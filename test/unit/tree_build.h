/* tree_build.h: unit tests' builder of supervision trees by hand
 * (breadth-first: parents first, each node's children consecutive). */
#ifndef BV_TREE_BUILD_H
#define BV_TREE_BUILD_H

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* --- building trees by hand ------------------------------------------------- */

typedef struct tb {
  bv_tree *t;
  size_t cap;
} tb;

static inline void tb_init(tb *b, int elixir)
{
  b->t = calloc(1, sizeof *b->t);
  b->t->arena = bv_arena_new();
  b->t->node = "test@127.0.0.1";
  b->t->otp_release = "25";
  b->t->elixir = elixir;
  b->t->title = "t";
  b->t->mode = "sup";
  b->cap = 64;
  b->t->nodes = calloc(b->cap, sizeof *b->t->nodes);
}

/* Appends a node; nodes must be added in breadth-first order. */
static inline uint32_t tb_add(tb *b, int parent, bv_tnode_kind kind, const char *pid, const char *name,
                       const char *id)
{
  if (b->t->n == b->cap) {
    b->cap *= 2;
    b->t->nodes = realloc(b->t->nodes, b->cap * sizeof *b->t->nodes);
  }
  bv_tnode *n = &b->t->nodes[b->t->n];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->parent = parent;
  n->pid = pid ? bv_arena_strdup(b->t->arena, pid) : NULL;
  n->name = name ? bv_arena_strdup(b->t->arena, name) : NULL;
  n->child_id = id ? bv_arena_strdup(b->t->arena, id) : NULL;
  if (parent >= 0) {
    bv_tnode *p = &b->t->nodes[parent];
    if (!p->nchildren)
      p->first_child = (uint32_t)b->t->n;
    p->nchildren++;
  }
  return (uint32_t)b->t->n++;
}

/* moves the malloc'd arrays into the arena so bv_tree_free frees everything */
static inline bv_tree *tb_done(tb *b)
{
  bv_tnode *nodes = bv_arena_alloc(b->t->arena, b->t->n * sizeof *nodes);
  memcpy(nodes, b->t->nodes, b->t->n * sizeof *nodes);
  free(b->t->nodes);
  b->t->nodes = nodes;
  return b->t;
}

/* "<0.N.0>" in the tree's arena. */
static inline const char *tb_pid(tb *b, unsigned n)
{
  return n ? bv_arena_printf(b->t->arena, "<0.%u.0>", n) : NULL;
}

#endif
