/* node/node.h: talking to a node: the embedded templates, the one reader of
 * terms from the node, and the connection's calls. */
#ifndef BV_NODE_H
#define BV_NODE_H

#include "util/util.h"



/* ------------------------------------------------------------------------ */
/* Terms from the node: one bounds-checked reader of the external term format  */
/* (nothing else in beamviz decodes bytes from the node).                     */
/* ------------------------------------------------------------------------ */

typedef enum {
  BV_T_INT,    /* fits int64: .v.i */
  BV_T_BIG,    /* larger integer: .v.f approximates it */
  BV_T_FLOAT,  /* .v.f */
  BV_T_ATOM,   /* .v.s (NUL-terminated UTF-8), .n = length */
  BV_T_STRING, /* STRING_EXT (list of bytes): .v.s, .n = length */
  BV_T_BINARY, /* .v.s (NUL-terminated copy), .n = length */
  BV_T_TUPLE,  /* .v.items[0..n) */
  BV_T_LIST,   /* .v.items[0..n), proper lists; .tail non-NULL if improper */
  BV_T_NIL,    /* [] */
  BV_T_MAP,    /* .v.items[0..2n): key, value, key, value... */
  BV_T_PID,    /* .v.pid */
  BV_T_PORT,   /* .v.pid (node, id) */
  BV_T_REF,    /* .v.pid.node; raw bytes for comparison */
  BV_T_FUN,    /* opaque; raw bytes */
  BV_T_BITS    /* bitstring: opaque */
} bv_term_type;

typedef struct bv_term bv_term;
struct bv_term {
  bv_term_type type;
  uint32_t n;
  union {
    int64_t i;
    double f;
    const char *s;
    bv_term *items;
    struct {
      const char *node;
      uint64_t id;
      uint32_t serial;
      uint32_t creation;
    } pid;
  } v;
  bv_term *tail;              /* improper list tail, else NULL */
  const unsigned char *raw;   /* the term's encoded bytes (no version byte) */
  size_t rawlen;
};

/* Decodes one term (with or without a leading version byte 131) from
 * buf[*off..len), allocating in a. Advances *off. Depth and sizes are
 * checked against len; errors are BV_ETERM with the byte offset.
 * raw pointers point into buf: they live as long as buf does.
 * Memory: what one decode may allocate in a (a bv_term per element, copies of
 * atom, string and binary text, each as the arena rounds it) is charged
 * against `budget` bytes before it is allocated; past it the decode stops
 * with BV_ETERM ("too large"), having allocated at most budget bytes.
 * budget 0 = BV_TERM_BUDGET_DEFAULT. */
int bv_term_decode_max(bv_arena *a, const unsigned char *buf, size_t len, size_t *off,
                       size_t budget, bv_term **out);
/* bv_term_decode_max with the default budget. */
int bv_term_decode(bv_arena *a, const unsigned char *buf, size_t len, size_t *off,
                   bv_term **out);
/* The default decoded budget of one message. A wire byte can cost up to 56
 * decoded bytes ([] in a list); real messages cost 5 to 9 (a procs chunk of
 * 2000 rows: 0.23 MB on the wire, 1.9 MB decoded; a supervisor's 10,000
 * children: 1.7 MB and 8.6 MB). A cap on one message's wire size can serve
 * as its budget too: one number bounds both. */
#define BV_TERM_BUDGET_DEFAULT ((size_t)256 << 20)

/* Accessors that tolerate NULL and wrong types (they return 0/NULL/default). */
int bv_term_is_atom(const bv_term *t, const char *name);
const bv_term *bv_term_elem(const bv_term *t, uint32_t i);   /* tuple/list item */
/* proplist/map lookup by atom key; NULL if absent */
const bv_term *bv_term_get(const bv_term *t, const char *key);
int64_t bv_term_int(const bv_term *t, int64_t dflt);
uint64_t bv_term_u64(const bv_term *t, uint64_t dflt);
/* atom, string or binary text; NULL otherwise */
const char *bv_term_text(const bv_term *t);
/* Prints a term in Erlang syntax (pids as <0.1.0> relative to `local_node`),
 * at most `max` bytes (0 = no cap; "..." marks a cut). */
int bv_term_format(bv_buf *b, const bv_term *t, const char *local_node, size_t max);
/* The same, in Elixir syntax when elixir is set (as inspect/1 writes it:
 * :ok, nil, Foo for Elixir.Foo, "text" or <<1, 2>>, ~c"chars", [a: 1],
 * %{a: 1}, %{"k" => 1}, %Mod{...}, #PID<0.1.0>, #Reference<...>,
 * #Function<...>); bounded the same way. */
int bv_term_format_lang(bv_buf *b, const bv_term *t, const char *local_node, size_t max,
                        int elixir);
/* A process label ('$process_label') as every view shows it: a binary or a
 * string as its text, any other term as the node's language writes it
 * (Elixir: :atom, Mod, {:worker, 1}), at most max bytes cut at a UTF-8
 * boundary ("..." marks a cut). Writes nothing for undefined, [] or "". */
int bv_term_label(bv_buf *b, const bv_term *t, const char *local_node, size_t max, int elixir);
/* Writes "<0.ID.SERIAL>" for a pid of local_node (else "<N.ID.SERIAL>" with
 * N a stable per-node index > 0 chosen by hashing the node name). */
int bv_term_pid_str(bv_buf *b, const bv_term *t, const char *local_node);


/* Facts of a connection the collectors put in their models, and its timeout
 * (the default deadline of each step). */
unsigned bv_conn_timeout(const bv_conn *c);
const char *bv_conn_otp_release(const bv_conn *c);  /* e.g. "25" */
int bv_conn_has_elixir(const bv_conn *c);           /* Elixir app loaded */

/* A binding for a template evaluated on the target. User text is always sent
 * as a binary (BV_B_BIN), never as an atom. */
typedef enum {
  BV_B_INT,   /* .i */
  BV_B_BIN,   /* .s, .len (binary) */
  BV_B_STR,   /* .s (charlist) */
  BV_B_RAW,   /* .s, .len: an encoded term (no version byte), e.g. a pid's raw */
  BV_B_SELF,  /* the C node's own pid */
  BV_B_BOOL   /* .i != 0 -> true */
} bv_binding_kind;

typedef struct bv_binding {
  const char *name;  /* Erlang variable name, e.g. "Timeout" */
  bv_binding_kind kind;
  int64_t i;
  const char *s;
  size_t len;
} bv_binding;

/* Evaluates the embedded template `tmpl` (a name for bv_template()) on the target
 * with kernel+stdlib only (erl_scan/erl_parse/erl_eval; no module loaded), in
 * one round trip. The template's value is decoded into *result (allocated in a).
 * Waits at most timeout_ms (0 = connection timeout). Messages that are not the
 * reply (streamed chunks, trace batches) are queued for bv_conn_await.
 * A raise on the target is BV_EREMOTE with the printed reason. */
int bv_conn_eval(bv_conn *c, const char *tmpl, const bv_binding *b, size_t nb,
                 unsigned timeout_ms, bv_arena *a, bv_term **result);
/* Same with source text instead of a template name. */
int bv_conn_eval_src(bv_conn *c, const char *src, const bv_binding *b, size_t nb,
                     unsigned timeout_ms, bv_arena *a, bv_term **result);
/* What a step awaits: 1 takes msg, 0 drops it (a late message of an earlier
 * command), <0 fails the step with that error. */
typedef int (*bv_await_fn)(const bv_term *msg, void *ud);
/* The one "await my message before the deadline" loop of every streaming
 * step: receives (queued messages first) until match takes a message or the
 * deadline (bv_now_ms clock) passes. a is reset before each message, so it
 * holds only the taken one. Returns 0 with *msg, BV_ETIMEOUT at the deadline
 * (the caller words what did not arrive), or match's or the connection's
 * error. match NULL takes any message. */
int bv_conn_await(bv_conn *c, uint64_t deadline, bv_arena *a, bv_await_fn match, void *ud,
                  bv_term **msg);
/* A bv_await_fn for {Tag, Ref, ...} messages: takes the one whose Ref is
 * encoded as the bv_term ref (its raw bytes) is. */
int bv_await_ref(const bv_term *msg, void *ref);

#endif
