/* conn_int.h (internal): conn.c's reader of distribution packets, for its
 * unit test and fuzz target. */
#ifndef BV_CONN_INT_H
#define BV_CONN_INT_H

#include "node/node.h"

/* Finds the message in one distribution packet from node (the bytes after
 * its 4-byte length): 'p' (pass-through), the control message {Op, ...},
 * then the message. Returns 1 with the message at p + *off (it starts with
 * 131) for a send to a pid or a name, with or without a trace token; 0 for
 * the signals beamviz never asks for (links, exits, monitors), which are not
 * read further; BV_ETERM naming the node for a packet it cannot read. Reads
 * nothing outside p[0..n). */
int bv_conn_packet(const char *node, const unsigned char *p, size_t n, size_t *off);

#endif
