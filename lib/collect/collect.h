/* collect/collect.h: what the collectors share: the node calls and the models
 * they fill. Each collector (procs, memory, tree, trace, apps) is one file. */
#ifndef BV_COLLECT_H
#define BV_COLLECT_H

#include "model/model.h"
#include "node/node.h"

/* The largest process limit an Erlang node can have (erl +P): a node that
 * reports more, or more processes than its limit, is not believed. */
#define BV_MAX_PROCESS_LIMIT 134217727

#endif
