/* collect/collect.h: what the collectors share: the node calls and the models
 * they fill. Each collector (procs, memory, tree, trace, apps) is one file. */
#ifndef BV_COLLECT_H
#define BV_COLLECT_H

#include "model/model.h"
#include "node/node.h"

/* The largest process limit an Erlang node can have (erl +P): a node that
 * reports more, or more processes than its limit, is not believed. */
#define BV_MAX_PROCESS_LIMIT 134217727

/* Rows of a cluster as they came: rows [start, start+n) are node's rows
 * [off, off+n); segments in row order, tiling [0, n). */
typedef struct bv_rows_seg {
  size_t node, start, off, n;
} bv_rows_seg;
/* Puts rows in node order (0..nn-1), each node's in its own order, the nodes
 * done first and the others' rows after them; *kept = the rows of the nodes
 * done (the rest is to be cut). node_rows: each node's row count. Every row
 * is moved once and none is read but copied. */
int bv_rows_regroup(bv_proc *rows, size_t n, const bv_rows_seg *segs, size_t nsegs,
                    const size_t *node_rows, const int *done, size_t nn, size_t *kept);

#endif
