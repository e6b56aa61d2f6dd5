/* collect/collect.h: what the collectors share: the node calls and the models
 * they fill. Each collector (procs, memory, tree, trace, apps) is one file. */
#ifndef BV_COLLECT_H
#define BV_COLLECT_H

#include "model/model.h"
#include "node/node.h"

#endif
