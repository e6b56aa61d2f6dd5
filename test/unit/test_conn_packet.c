/* test_conn_packet.c: the distribution header in front of each message
 * (bv_conn_packet): which packets hold a message for beamviz, where it starts,
 * which are dropped unread, and the one line for a packet it cannot read. The
 * packets are the ones a node sends, as term_to_binary writes their parts. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"
#include "node/conn_int.h"

#include <stdlib.h>
#include <string.h>

/* the pid <0.9.0> of nonode@nohost, NEW_PID_EXT */
#define PID 88, 100, 0, 13, 'n', 'o', 'n', 'o', 'd', 'e', '@', 'n', 'o', 'h', 'o', 's', 't', \
            0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0
/* a trace token {2, 7, 1, Pid, 0} */
#define TOKEN 104, 5, 97, 2, 97, 7, 97, 1, PID, 97, 0
#define EMPTY_ATOM 119, 0
#define REX 100, 0, 3, 'r', 'e', 'x'
#define MSG 131, 100, 0, 2, 'h', 'i' /* hi */

typedef struct {
  const char *what;
  unsigned char bytes[128];
  size_t n;
  int rc;          /* 1 message, 0 dropped, BV_ETERM */
  size_t off;      /* where the message starts */
  const char *err; /* the message for BV_ETERM */
} pcase;

#define P(...) {__VA_ARGS__}, sizeof((unsigned char[]){__VA_ARGS__})

static const pcase cases[] = {
    {"SEND", P('p', 131, 104, 3, 97, 2, EMPTY_ATOM, PID, MSG), 1, 37, NULL},
    {"REG_SEND", P('p', 131, 104, 4, 97, 6, PID, EMPTY_ATOM, REX, MSG), 1, 43, NULL},
    {"SEND_TT", P('p', 131, 104, 4, 97, 12, EMPTY_ATOM, PID, TOKEN, MSG), 1, 76, NULL},
    {"REG_SEND_TT", P('p', 131, 104, 5, 97, 16, PID, EMPTY_ATOM, REX, TOKEN, MSG), 1, 82, NULL},
    {"SEND_SENDER", P('p', 131, 104, 3, 97, 22, PID, PID, MSG), 1, 64, NULL},
    {"LINK: dropped unread", P('p', 131, 104, 3, 97, 1, PID, PID), 0, 0, NULL},
    {"EXIT with any reason: dropped unread", P('p', 131, 104, 4, 97, 3, PID, PID, 116, 0, 0, 0, 9),
     0, 0, NULL},
    {"ALIAS_SEND: not beamviz's", P('p', 131, 104, 3, 97, 33, PID, 106, MSG), 0, 0, NULL},
    {"not pass-through", P(131, 104, 3, 97, 2, EMPTY_ATOM, PID, MSG), BV_ETERM, 0,
     "node n@h sent a distribution packet beamviz cannot read"},
    {"too short", P('p', 131, 104, 3, 97), BV_ETERM, 0,
     "node n@h sent a distribution packet beamviz cannot read"},
    {"atom cut short", P('p', 131, 104, 3, 97, 2, 119, 9, 'a', 'b'), BV_ETERM, 0,
     "node n@h sent a malformed message header"},
    {"pid cut short", P('p', 131, 104, 3, 97, 2, EMPTY_ATOM, 88, 119, 1, 'n', 0, 0), BV_ETERM, 0,
     "node n@h sent a malformed message header"},
    {"a pid whose node is no atom", P('p', 131, 104, 3, 97, 2, EMPTY_ATOM, 88, 97, 1, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0, 0, 0, MSG),
     BV_ETERM, 0, "node n@h sent a malformed message header"},
    {"arity past the end", P('p', 131, 104, 9, 97, 2, EMPTY_ATOM, PID), BV_ETERM, 0,
     "node n@h sent a malformed message header"},
    {"a kind a header never holds", P('p', 131, 104, 3, 97, 2, 109, 0, 0, 0, 0, PID, MSG),
     BV_ETERM, 0, "node n@h sent a malformed message header"},
    {"no message", P('p', 131, 104, 3, 97, 2, EMPTY_ATOM, PID), BV_ETERM, 0,
     "node n@h sent a message header with no message"},
    {"no version byte", P('p', 131, 104, 3, 97, 2, EMPTY_ATOM, PID, 100, 0, 1, 'x'), BV_ETERM, 0,
     "node n@h sent a message header with no message"},
};

int main(void)
{
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const pcase *c = &cases[i];
    /* exactly n bytes on the heap: a read past the end is an ASan report */
    unsigned char *p = malloc(c->n);
    memcpy(p, c->bytes, c->n);
    size_t off = 0;
    bv_error_set(0, "%s", "");
    int rc = bv_conn_packet("n@h", p, c->n, &off);
    if (rc != c->rc)
      fprintf(stderr, "case %s\n", c->what);
    CHECK_INT(rc, c->rc);
    if (c->rc == 1) {
      CHECK_INT(off, c->off);
      CHECK(off < c->n && p[off] == 131);
    }
    if (c->err)
      CHECK_STR(bv_error_last(), c->err);
    free(p);
  }
  return check_report();
}
