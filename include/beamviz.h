/* beamviz.h: the public interface of libbeamviz.
 *
 * libbeamviz joins a running Erlang/Elixir node as a hidden C node, collects a
 * snapshot or a bounded trace into a model, and writes the model as Mermaid,
 * Vega-Lite, JSON, CSV or (through a layout and the cairo backend) PNG/SVG/PDF.
 *
 * Conventions (see ../shared/design/STYLE.md):
 *  - Functions return 0 (BV_OK) or a negative BV_E* code and then leave a
 *    message naming the thing that failed, readable with bv_error_last().
 *  - The library never prints, never exits, never aborts on bad input or OOM.
 *  - What comes back through an out-parameter belongs to the caller, who frees
 *    it with the matching _free; a pointer returned as a value is borrowed.
 *  - Every model owns one arena; all its strings live there.
 *  - Text outputs are deterministic: same model, same bytes.
 */
#ifndef BEAMVIZ_H
#define BEAMVIZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

enum {
  BV_OK = 0,
  BV_ENOMEM = -1,    /* out of memory */
  BV_EINVAL = -2,    /* bad argument or option value */
  BV_EIO = -3,       /* local file or stream error (read/write/rename) */
  BV_EFORMAT = -4,   /* input file malformed / wrong kind / newer version */
  BV_EEPMD = -5,     /* epmd not reachable on the node's host */
  BV_ENONODE = -6,   /* node name not registered in epmd */
  BV_EAUTH = -7,     /* handshake refused: cookie rejected */
  BV_ETIMEOUT = -8,  /* a step did not finish within its timeout */
  BV_ECLOSED = -9,   /* the node went away mid-command */
  BV_EREMOTE = -10,  /* a remote call failed / raised on the target */
  BV_ENOTFOUND = -11,/* named thing (app, process, name) not on the target */
  BV_ENOERL = -12,   /* no erl (or elixir) executable to start a local node */
  BV_EREFUSED = -13, /* refused to protect the target (not a supervisor,
                        system tracer taken, ...) */
  BV_ETERM = -14     /* malformed external term from the node */
};

/* Message of the last failure in this thread ("" if none). Borrowed. */
const char *bv_error_last(void);
/* Sets the message (printf-style) and returns code, for `return bv_error_set(...)`. */
int bv_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Short name of a code, e.g. "timeout". */
const char *bv_error_name(int code);

/* ------------------------------------------------------------------------ */
/* Arena: one per model. A build with BV_ARENA_MALLOC=1 (sanitizer builds)    */
/* turns every allocation into its own malloc so ASan sees each one.         */
/* ------------------------------------------------------------------------ */

typedef struct bv_arena bv_arena;

bv_arena *bv_arena_new(void);                 /* NULL on OOM */
void bv_arena_free(bv_arena *a);              /* frees everything; NULL ok */
void bv_arena_reset(bv_arena *a);             /* frees all allocations, keeps a */
void *bv_arena_alloc(bv_arena *a, size_t n);  /* zeroed, 16-aligned; NULL on OOM */
/* Grows (or shrinks) p, an allocation of old bytes from a (NULL: none), to n
 * bytes, keeping the first min(old, n); the bytes past old are NOT zeroed.
 * For an array that grows as data arrives: after the first call p lives in a
 * block of its own, which later calls realloc. NULL on OOM (p unchanged). */
void *bv_arena_realloc(bv_arena *a, void *p, size_t old, size_t n);
char *bv_arena_strdup(bv_arena *a, const char *s);
char *bv_arena_strndup(bv_arena *a, const char *s, size_t n);
char *bv_arena_printf(bv_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t bv_arena_used(const bv_arena *a);      /* bytes handed out */

/* ------------------------------------------------------------------------ */
/* Growable byte buffer with an optional size cap                             */
/* ------------------------------------------------------------------------ */

typedef struct bv_buf {
  char *data;   /* always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  size_t limit; /* 0 = no limit; appends past it fail with BV_ENOMEM */
  int failed;   /* sticky: an append failed */
} bv_buf;

void bv_buf_init(bv_buf *b);
void bv_buf_dispose(bv_buf *b);  /* caller-owned struct: frees data only */
int bv_buf_put(bv_buf *b, const void *p, size_t n);
int bv_buf_puts(bv_buf *b, const char *s);
int bv_buf_putc(bv_buf *b, char c);
int bv_buf_printf(bv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal with quotes; invalid UTF-8 becomes U+FFFD; every control
 * character (C0, DEL, C1) is escaped (\n, \u001b, \u009b). */
int bv_buf_json_str(bv_buf *b, const char *s, size_t n);
/* Text for a terminal or a text file (tables, CSV cells, error lines): valid
 * UTF-8 is kept except control characters, which become visible escapes: C0
 * controls and DEL \n \r \t or \xHH, C1 controls (U+0080-U+009F) \u00HH, a
 * byte that is not valid UTF-8 \xHH. Backslashes are kept (cleaning clean text
 * changes nothing; JSON outputs keep the exact text). */
int bv_buf_text(bv_buf *b, const char *s, size_t n);
/* Bytes of the valid UTF-8 character at s (n bytes left), 0 if s does not hold
 * one (overlong, surrogate, cut, stray continuation byte). */
size_t bv_utf8_len(const char *s, size_t n);
/* The same into dst[0..cap), NUL-terminated, cut (if it must be) before a whole
 * character or escape; returns the length written. */
size_t bv_text_clean(char *dst, size_t cap, const char *s, size_t n);
/* Number formatting in the C locale, shortest round-trip for doubles. */
int bv_buf_double(bv_buf *b, double v);
int bv_buf_u64(bv_buf *b, uint64_t v);

/* ------------------------------------------------------------------------ */
/* Output: a file written to a temporary name and renamed on commit, stdout   */
/* ("-"), or memory. A failed or aborted output leaves no file behind.        */
/* ------------------------------------------------------------------------ */

typedef struct bv_out bv_out;

/* A device, FIFO or /dev/fd/N is written through at commit, never replaced; a
 * symlink's target is replaced, not the link (out.c has the whole table). */
int bv_out_open(const char *path, bv_out **out);  /* "-" = stdout */
int bv_out_open_mem(bv_out **out);
int bv_out_write(bv_out *o, const void *p, size_t n);
int bv_out_puts(bv_out *o, const char *s);
int bv_out_printf(bv_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bv_out_buf(bv_out *o, const bv_buf *b);       /* writes b's bytes */
/* Commit: flush, fsync-free rename into place; frees o. */
int bv_out_commit(bv_out *o);
/* Abort: removes the temporary file; frees o. NULL ok. */
void bv_out_abort(bv_out *o);
/* Memory outputs only: the bytes written so far (borrowed, NUL-terminated). */
const char *bv_out_mem(const bv_out *o, size_t *len);
/* Removes the temporary file of every output neither committed nor aborted
 * yet. Async-signal-safe (only unlink(2)): for a program's handler of
 * SIGINT/SIGTERM, so an interrupted run leaves no half-written file. */
void bv_out_unlink_pending(void);
const char *bv_out_path(const bv_out *o);

/* Output formats, chosen by --format or by the -o extension. */
typedef enum {
  BV_FMT_NONE = 0,
  BV_FMT_VEGALITE, /* .vl.json */
  BV_FMT_JSON,     /* .json (the model itself, versioned) */
  BV_FMT_CSV,      /* .csv */
  BV_FMT_MERMAID,  /* .mmd */
  BV_FMT_MD,       /* .md: fenced mermaid block */
  BV_FMT_TEXT,     /* .txt: plain text table */
  BV_FMT_PNG,
  BV_FMT_SVG,
  BV_FMT_PDF
} bv_format;

bv_format bv_format_from_name(const char *name);  /* "vega-lite", "json", ... */
bv_format bv_format_from_path(const char *path);  /* by extension */
const char *bv_format_name(bv_format f);

/* ------------------------------------------------------------------------ */
/* Templates embedded at build time (templates/, examples/)                  */
/* ------------------------------------------------------------------------ */

/* Bytes of the embedded file `name` (base name, e.g. "procs.erl"), NUL-terminated;
 * NULL if there is none. Borrowed, static. */
const char *bv_template(const char *name, size_t *len);

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
/* Writes "<0.ID.SERIAL>" for a pid of local_node (else "<N.ID.SERIAL>" with
 * N a stable per-node index > 0 chosen by hashing the node name). */
int bv_term_pid_str(bv_buf *b, const bv_term *t, const char *local_node);

/* ------------------------------------------------------------------------ */
/* Connection to a node                                                       */
/* ------------------------------------------------------------------------ */

typedef struct bv_conn bv_conn;

/* Default bound on one message from the node (bytes on the wire): room for
 * the biggest single answer beamviz asks for (a supervision tree is one
 * message: 18.4 MB for a supervisor of 100,000 workers, so about 185 MB for a
 * million), while a node cannot make beamviz hold more. */
#define BV_CONN_MAX_MESSAGE ((size_t)256 << 20)

typedef struct bv_conn_opts {
  const char *node;        /* NAME[@HOST]; bare name gets the local host */
  const char *cookie;      /* required; never printed */
  unsigned timeout_ms;     /* bound on each step (connect, each call), whatever
                              the node does: one deadline, not one per read */
  size_t max_message;      /* bytes one message may hold (0 = BV_CONN_MAX_MESSAGE) */
} bv_conn_opts;

/* Connects as a hidden C node named beamviz_N (N = 0..15, the first name the
 * node does not have connected: each name the node sees stays there as an
 * atom). Distinguishes: BV_EEPMD, BV_ENONODE, BV_EAUTH, BV_ETIMEOUT,
 * BV_EREFUSED (all 16 names connected). Messages over max_message, or more
 * than 10,000 messages (64 MiB) the node sends before beamviz asks for them,
 * are BV_ETERM. */
int bv_conn_open(const bv_conn_opts *o, bv_conn **out);
void bv_conn_free(bv_conn *c);                 /* closes; NULL ok */
const char *bv_conn_node(const bv_conn *c);    /* full target node name */
const char *bv_conn_self_node(const bv_conn *c);
unsigned bv_conn_timeout(const bv_conn *c);
/* Facts read once after connecting. */
const char *bv_conn_otp_release(const bv_conn *c);  /* e.g. "25" */
int bv_conn_has_elixir(const bv_conn *c);           /* Elixir app loaded */
/* Number of request/response round trips made so far (benchmarks). */
unsigned long bv_conn_round_trips(const bv_conn *c);

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
 * reply (streamed chunks, trace batches) are queued for bv_conn_recv.
 * A raise on the target is BV_EREMOTE with the printed reason. */
int bv_conn_eval(bv_conn *c, const char *tmpl, const bv_binding *b, size_t nb,
                 unsigned timeout_ms, bv_arena *a, bv_term **result);
/* Same with source text instead of a template name. */
int bv_conn_eval_src(bv_conn *c, const char *src, const bv_binding *b, size_t nb,
                     unsigned timeout_ms, bv_arena *a, bv_term **result);
/* Plain rpc of an existing exported function with already-decoded args given as
 * bindings-like values (encoded as a list in order). */
int bv_conn_call(bv_conn *c, const char *mod, const char *fun, const bv_binding *args,
                 size_t nargs, unsigned timeout_ms, bv_arena *a, bv_term **result);
/* Next message sent to the C node's pid (not an rpc reply), queued or fresh;
 * BV_ETIMEOUT if none within timeout_ms. */
int bv_conn_recv(bv_conn *c, unsigned timeout_ms, bv_arena *a, bv_term **msg);
/* Sends an encoded term to a pid given as a decoded pid term. */
int bv_conn_send(bv_conn *c, const bv_term *pid, const bv_binding *msg_parts, size_t n);

/* ------------------------------------------------------------------------ */
/* A throwaway local node (the embedded default)                             */
/* ------------------------------------------------------------------------ */

typedef struct bv_localnode bv_localnode;

typedef struct bv_localnode_opts {
  int elixir;          /* start with `elixir` instead of `erl` */
  unsigned timeout_ms; /* how long to wait for it to come up */
} bv_localnode_opts;

/* Starts erl (or elixir) with a unique long name on 127.0.0.1 and a random
 * cookie. The node halts when its stdin (a pipe held by this process) closes,
 * so it cannot outlive beamviz even on kill -9. The cookie is in no argv or
 * environment: it is in the .erlang.cookie (0400) of a private HOME, a
 * directory $TMPDIR/beamviz-node-XXXXXX (0700; /tmp without TMPDIR) that is
 * also the node's working directory. The node gets a short allow-list of
 * this process's environment (PATH, LANG, LANGUAGE, LC_*, TZ, TMPDIR,
 * ERL_EPMD_PORT), listens on 127.0.0.1 only, and so does an epmd it starts
 * (epmd adds ::1). At EOF on its stdin the node removes its private HOME,
 * then halts. */
int bv_localnode_start(const bv_localnode_opts *o, bv_localnode **out);
const char *bv_localnode_name(const bv_localnode *n);
const char *bv_localnode_cookie(const bv_localnode *n);
/* Stops the node (halt, then wait; kill after a grace period), removes its
 * private HOME; frees n. */
void bv_localnode_stop(bv_localnode *n);
/* Removes the cookie file and the (then empty) private HOME of a node not yet
 * stopped. Async-signal-safe (unlink(2), rmdir(2)): for a program's handler
 * of SIGINT/SIGTERM; the node itself halts once this process is gone. */
void bv_localnode_unlink_pending(void);

/* Appends s[0..n) escaped for a quoted Mermaid label, participant alias or
 * message text: letters, digits, UTF-8 and " _-./,+=*!?@$%^~'()[]{}" kept,
 * newline as <br/>, every other byte as #<decimal>; (MERMAID.md). C1 controls
 * (U+0080-U+009F) are written #<code point>; and bytes that are not valid UTF-8
 * #<byte>;, so no control character reaches the file. */
int bv_mmd_escape(bv_buf *b, const char *s, size_t n);

/* ======================================================================== */
/* Models. Each model owns `arena`; strings in it live there.                 */
/* Pids are kept in canonical Erlang syntax "<0.123.0>"; `elixir` says the    */
/* target writes them as "#PID<0.123.0>" (bv_pid_display applies it).        */
/* ======================================================================== */

/* Writes pid (canonical "<a.b.c>") as the target's language writes it. */
int bv_pid_display(bv_buf *b, const char *pid, int elixir);
/* Strips the "Elixir." prefix of module/registered names (borrowed suffix). */
const char *bv_strip_elixir(const char *name);

/* --- process snapshot (beamviz procs) ------------------------------------ */

typedef struct bv_proc {
  const char *pid;               /* "<0.123.0>" */
  const char *name;              /* registered name, Elixir. stripped; NULL if none */
  uint64_t reductions;
  uint64_t memory;               /* bytes */
  uint64_t message_queue_len;
  const char *status;            /* running, runnable, waiting, ... (interned) */
  const char *current_function;  /* "M:F/A" (interned), NULL if unknown */
  const char *initial_call;      /* proc_lib-translated "M:F/A" (interned) */
} bv_proc;

typedef struct bv_snapshot {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  size_t n;          /* processes kept */
  size_t total;      /* processes on the node when listed */
  size_t skipped;    /* died between listing and reading */
  bv_proc *procs;
} bv_snapshot;

/* --- memory series (beamviz memory) -------------------------------------- */

/* erlang:memory() categories, in this order. */
#define BV_MEM_NKINDS 7
extern const char *const bv_mem_kinds[BV_MEM_NKINDS];
/* {"total","processes","atom","binary","code","ets","system"} */

typedef struct bv_memsample {
  uint32_t iter;                    /* measurement number, from 1 */
  uint64_t bytes[BV_MEM_NKINDS];
  uint64_t t_ms;                    /* ms since the first sample, on the target */
} bv_memsample;

typedef struct bv_memseries {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  unsigned interval_ms;
  size_t n;
  bv_memsample *samples;
} bv_memseries;

/* --- supervision tree (beamviz suptree) ---------------------------------- */

typedef enum {
  BV_TN_ROOT,          /* the root supervisor, or the application master */
  BV_TN_SUPERVISOR,
  BV_TN_WORKER,
  BV_TN_NOTSTARTED,    /* child pid undefined / restarting / died during walk */
  BV_TN_UNRESPONSIVE,  /* supervisor that did not answer which_children */
  BV_TN_EXTERNAL,      /* outside the tree, linked to a member (--links) */
  BV_TN_FOLDED         /* "... and K more" / "K more below" (renderers only) */
} bv_tnode_kind;

typedef struct bv_tnode {
  bv_tnode_kind kind;
  const char *pid;       /* canonical pid, or port "#Port<0.5>", or NULL */
  const char *name;      /* registered name (Elixir. stripped) or NULL */
  const char *child_id;  /* supervisor child id as printed, or NULL */
  const char *state;     /* "undefined", "restarting", timeout reason, ... or NULL */
  const char *module;    /* from the child spec / initial call, or NULL */
  int parent;            /* index of the parent node, -1 for the root */
  uint32_t first_child;  /* children are nodes[first_child .. +nchildren) */
  uint32_t nchildren;    /* in start order */
  uint32_t folded;       /* BV_TN_FOLDED: how many nodes it stands for */
  /* added by the suptree work: */
  const char *role;      /* chain nodes: "application master", "application start
                            helper"; BV_TN_FOLDED: "siblings" or "below"; else NULL */
  const char *type;      /* child spec type from which_children ("worker",
                            "supervisor"), or NULL */
  uint32_t folded_sups;  /* BV_TN_FOLDED siblings: how many of `folded` are supervisors */
  uint32_t folded_ext;   /* BV_TN_FOLDED siblings: how many of `folded` are external */
  uint32_t folded_total; /* BV_TN_FOLDED: processes hidden, descendants included */
} bv_tnode;

typedef struct bv_tedge {   /* a link between two nodes (dotted) */
  uint32_t a, b;
} bv_tedge;

typedef struct bv_tree {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  const char *title;     /* e.g. "kernel" or the --sup argument */
  size_t n;
  bv_tnode *nodes;       /* nodes[0] is the root; children contiguous (BFS) */
  size_t nlinks;
  bv_tedge *links;
  /* added by the suptree work: */
  const char *mode;      /* "app" or "sup" */
  uint64_t walk_ms;      /* time the walk took on the target */
} bv_tree;

/* --- message trace (beamviz seqtrace) ------------------------------------ */

typedef enum {
  BV_EV_SEND,    /* plain message; label "INFO: tag" */
  BV_EV_CALL,    /* gen_server/gen_statem call request */
  BV_EV_CAST,
  BV_EV_REPLY,   /* reply to a call (dotted) */
  BV_EV_EXIT,    /* exit signal */
  BV_EV_DOWN,    /* monitor DOWN message */
  BV_EV_SPAWN    /* process spawned */
} bv_ev_kind;

typedef struct bv_participant {
  const char *pid;       /* canonical */
  const char *name;      /* registered name at trace time, or NULL */
  int spawned;           /* spawned during the trace */
  int system;            /* a system process (hidden unless --all) */
  const char *exit_reason; /* spawned during the trace and exited: its reason
                              (printed), else NULL */
} bv_participant;

typedef struct bv_event {
  bv_ev_kind kind;
  uint32_t from, to;     /* participant indices */
  const char *label;     /* "CALL: req", "INFO: pong", ... */
  const char *text;      /* printed message, up to the size cap */
  int64_t serial_prev, serial_cur;  /* seq_trace Lamport serial, -1 if none */
  int64_t ts_us;         /* timestamp, microseconds */
  int32_t reply_to;      /* REPLY: index of the request event, else -1 */
} bv_event;

typedef struct bv_trace {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  const char *mode;        /* "eval", "elixir" or "attach" */
  const char *code;        /* evaluated code, or attached names */
  const char *result;      /* printed result of the code, or NULL */
  const char *stop_reason; /* "done", "max_events", "duration", "mailbox" ... */
  size_t nparts;
  bv_participant *parts;
  size_t n;
  bv_event *events;        /* causal order */
  uint64_t dropped;        /* events that arrived after a bound tripped (not kept) */
} bv_trace;

/* Frees a model and its arena; NULL ok. */
void bv_snapshot_free(bv_snapshot *s);
void bv_memseries_free(bv_memseries *m);
void bv_tree_free(bv_tree *t);
void bv_trace_free(bv_trace *t);

/* ------------------------------------------------------------------------ */
/* Scenes, layouts and drawing (PNG/SVG/PDF).                                 */
/* model --bv_layout_*--> bv_scene (pure geometry, no cairo) --bv_render-->   */
/* png|svg|pdf. Coordinates are CSS pixels, origin top left, y down.          */
/* ------------------------------------------------------------------------ */

/* Colours are 0xAARRGGBB; alpha 0 means "none" (no fill / no stroke). */
typedef uint32_t bv_color;

typedef enum {
  BV_SI_RECT,     /* x,y,w,h box, corner radius r */
  BV_SI_LINE,     /* polyline pts[0..npts) (x,y pairs), arrow head at the end if .arrow */
  BV_SI_CIRCLE,   /* centre x,y, radius r */
  BV_SI_TEXT      /* text at x (per .anchor), baseline y; w = measured width,
                     h = ascent + descent (the box is x0,y-ascent,w,h) */
} bv_sitem_kind;

typedef enum { BV_DASH_SOLID, BV_DASH_DOTTED, BV_DASH_DASHED } bv_dash;
typedef enum { BV_ARROW_NONE, BV_ARROW_FILLED, BV_ARROW_OPEN } bv_arrow;
typedef enum { BV_ANCHOR_START, BV_ANCHOR_MIDDLE, BV_ANCHOR_END } bv_anchor;

typedef struct bv_sitem {
  bv_sitem_kind kind;
  const char *cls;      /* class for dumps and tests: "supervisor", "edge", ... */
  double x, y, w, h, r;
  bv_color fill, stroke;
  double line_width;
  bv_dash dash;
  bv_arrow arrow;       /* LINE: head at the last point */
  bv_anchor anchor;     /* TEXT */
  int bold;             /* TEXT */
  double size;          /* TEXT: font size in px */
  double ascent;        /* TEXT: measured ascent (box top is y - ascent) */
  int vertical;         /* TEXT: rotated -90 degrees around (x,y) (y axis titles) */
  const char *text;     /* TEXT: what is drawn (maybe shortened with an ellipsis) */
  const char *full;     /* TEXT: the full text when shortened, else NULL */
  size_t npts;
  const double *pts;    /* LINE: x0,y0,x1,y1,... (2*npts doubles) */
  int32_t ref;          /* model index this item stands for (node, event), or -1 */
} bv_sitem;

/* A display list. Items are drawn in order. Owned by the caller of the layout;
 * free with bv_scene_free. Strings and points live in the scene's arena. */
typedef struct bv_scene {
  bv_arena *arena;
  const char *kind;     /* "tree", "sequence", "scatter", "memory" */
  const char *title;    /* document title (SVG <title>, PDF Title) or NULL */
  const char *font;     /* font family every text item is drawn with */
  double width, height; /* natural size in px */
  bv_color background;  /* theme page colour (drawn unless transparent) */
  size_t n, cap;
  bv_sitem *items;
  const char *note;     /* something the CLI should tell the user (folded, cut), or NULL */
} bv_scene;

int bv_scene_new(const char *kind, bv_scene **out);
void bv_scene_free(bv_scene *s);   /* NULL ok */
/* Appends an item (copied; text and pts are copied into the scene's arena). */
int bv_scene_add(bv_scene *s, const bv_sitem *item);
/* A line-per-item text dump for golden tests: stable, numbers rounded to 0.1. */
int bv_scene_dump(const bv_scene *s, bv_buf *b);

/* Text measuring, passed to layouts so tests can use a fake measurer. */
typedef struct bv_text_metrics {
  double width, ascent, descent;
} bv_text_metrics;
typedef int (*bv_text_measure_fn)(void *ud, const char *text, size_t len, double size, int bold,
                                  bv_text_metrics *m);
typedef struct bv_measure {
  bv_text_measure_fn fn;
  void *ud;
  const char *font;   /* family the measurer measures (copied into scenes) */
} bv_measure;

/* The real measurer: cairo with `font` (NULL = "DejaVu Sans") found through
 * fontconfig. Fails with BV_ENOTFOUND when fontconfig has no such family (it
 * would silently substitute another). Close with bv_cairo_measure_close. */
int bv_cairo_measure_open(const char *font, bv_measure *m);
void bv_cairo_measure_close(bv_measure *m);
/* A deterministic fake for tests: width 0.6*size per code point (0.65 bold),
 * ascent 0.8*size, descent 0.2*size. */
void bv_fake_measure(bv_measure *m);

/* Layout options; zero means default everywhere. */
typedef struct bv_layout_opts {
  double width, height;     /* charts: image size (default 600x400 plot + axes);
                               trees/sequences: natural size (ignored here) */
  int dark;                 /* dark theme */
  double font_size;         /* default 12 (charts: Vega-Lite's 10/11) */
  double max_label;         /* labels wider than this are shortened (default 320) */
  /* trees */
  int left_right;           /* --direction LR */
  unsigned max_children;    /* fold siblings beyond N (0 = draw all) */
  unsigned max_depth;       /* cut levels deeper than D (0 = draw all) */
  /* sequences */
  unsigned max_shown;       /* show the first N messages (0 = default 1000) */
  int show_system;          /* --all: keep system processes */
  /* process scatter: field names (default reductions, memory, status) */
  const char *x_field, *y_field, *color_field;
} bv_layout_opts;

/* Each layout builds a new scene into *out (caller frees). BV_EINVAL for a
 * model it cannot draw (bad indices), BV_ENOMEM. */
int bv_layout_tree(const bv_tree *t, const bv_layout_opts *o, const bv_measure *m,
                   bv_scene **out);
int bv_layout_seq(const bv_trace *t, const bv_layout_opts *o, const bv_measure *m,
                  bv_scene **out);
int bv_layout_scatter(const bv_snapshot *s, const bv_layout_opts *o, const bv_measure *m,
                      bv_scene **out);
int bv_layout_memory(const bv_memseries *ms, const bv_layout_opts *o, const bv_measure *m,
                     bv_scene **out);

/* Drawing. PNG is limited to BV_PNG_MAX pixels a side (cairo's image limit):
 * larger images are scaled down to fit and `scaled_to` says by how much. */
#define BV_PNG_MAX 32767
typedef struct bv_render_opts {
  double scale;         /* PNG pixels per px (HiDPI); default 1 */
  int transparent;      /* no background */
  double fit_width, fit_height; /* scale the drawing down to fit (0 = natural) */
  double scaled_to;     /* out: the scale actually used (PNG: after the limit) */
} bv_render_opts;

/* Draws scene as BV_FMT_PNG, _SVG or _PDF into out (through cairo's stream
 * functions, so stdout and memory work). Output is deterministic: no dates in
 * PDFs, stable ids in SVGs. Shortened texts keep their full text in an SVG
 * <title> (a transparent hover box at the text's place). */
int bv_render(const bv_scene *s, bv_format fmt, bv_render_opts *o, bv_out *out);

/* ------------------------------------------------------------------------ */
/* procs & memory: collecting a process snapshot or a memory series, and     */
/* writing them as JSON (the model file), CSV and Vega-Lite v5.              */
/* ------------------------------------------------------------------------ */

/* Fields of a bv_proc, for --top/--by, --x/--y/--color and output columns. */
typedef enum {
  BV_PF_NONE = -1,
  BV_PF_PID = 0,
  BV_PF_NAME,
  BV_PF_REDUCTIONS,
  BV_PF_MEMORY,
  BV_PF_STATUS,
  BV_PF_MESSAGE_QUEUE_LEN,
  BV_PF_CURRENT_FUNCTION,
  BV_PF_INITIAL_CALL,
  BV_PF_COUNT
} bv_proc_field;

/* "reductions" -> BV_PF_REDUCTIONS; BV_PF_NONE for an unknown name. */
bv_proc_field bv_proc_field_from_name(const char *name);
const char *bv_proc_field_name(bv_proc_field f);  /* "memory"; "?" if out of range */
int bv_proc_field_numeric(bv_proc_field f);       /* reductions, memory, queue length */
/* Value of a numeric field of p (0 for the others). */
uint64_t bv_proc_value(const bv_proc *p, bv_proc_field f);
/* Text of a text field of p (NULL when absent or numeric). */
const char *bv_proc_text(const bv_proc *p, bv_proc_field f);

typedef struct bv_procs_opts {
  unsigned timeout_ms;  /* overall deadline for the whole collection (0 = the
                           connection's timeout); enforced on the target too */
  unsigned workers;     /* target processes sharing the work (0 = 2 per
                           online scheduler, measured fastest) */
  unsigned chunk;       /* rows per streamed message (0 = 2000: measured faster
                           than 5000-10000, smaller heaps on the target) */
  /* Called while the collection goes on with each run of rows as soon as
   * every row before it has arrived, so the calls see the rows in snapshot
   * order: an output can be written while the node still works. Non-zero
   * stops the collection and is returned. NULL: not called. */
  int (*on_rows)(void *ud, const bv_snapshot *s, const bv_proc *rows, size_t n);
  void *ud;
  /* The output will not show initial_call (the default Vega-Lite chart, an
   * image not coloured by it): it is not read, nor, for processes started
   * through proc_lib, their dictionary, which costs the target a second
   * signal per such process (most of a typical node's). initial_call is
   * NULL in every row then. */
  int skip_initial_call;
} bv_procs_opts;

/* One snapshot of every process on the node behind c, in erlang:processes()
 * order. One template evaluation (templates/procs.erl): workers on the target
 * stream chunks of rows while this decodes them chunk by chunk; nothing runs
 * per process on the target but BIFs. Processes that die between listing and
 * reading are counted in skipped. Errors: BV_ETIMEOUT (deadline passed),
 * BV_ECLOSED, BV_EREMOTE, BV_ETERM (a row of unexpected shape), BV_ENOMEM. */
int bv_procs_collect(bv_conn *c, const bv_procs_opts *o, bv_snapshot **out);
/* The largest process limit an Erlang node can have (erl +P): a node that
 * reports more, or more processes than its limit, is not believed. */
#define BV_MAX_PROCESS_LIMIT 134217727

/* Keeps the n processes with the largest `by` (a numeric field), largest
 * first, ties in snapshot order; n >= s->n keeps all, sorted. In place.
 * BV_EINVAL if `by` is not numeric. */
int bv_snapshot_top(bv_snapshot *s, size_t n, bv_proc_field by);

/* Points a log-log chart of x against y cannot place (x or y is 0). */
size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y);

/* Chart options for the Vega-Lite scatter; zero/BV_PF_NONE fields mean the
 * notebook's chart: x reductions, y memory, color status. */
typedef struct bv_procs_chart {
  bv_proc_field x, y;   /* numeric fields, log scale base 10 */
  bv_proc_field color;  /* a text field (status, name, current_function, initial_call) */
} bv_procs_chart;

/* Checks chart fields (BV_EINVAL naming the --x/--y/--color option). */
int bv_procs_chart_check(const bv_procs_chart *c);

/* The model file {"format":"beamviz.procs","version":1,...}, streamed. */
int bv_snapshot_write_json(const bv_snapshot *s, bv_out *out);
/* CSV, RFC 4180 (CRLF, fields quoted when they hold , or "), header
 * pid,name,reductions,memory,status,message_queue_len,current_function,initial_call.
 * Text cells are for terminals and spreadsheets: control characters are written
 * as visible escapes (bv_buf_text), and a cell starting with = + - or @ gets a
 * ' in front (no formula runs); the JSON model file keeps the exact text. */
int bv_snapshot_write_csv(const bv_snapshot *s, bv_out *out);
/* Vega-Lite v5 scatter with the data inline (templates/procs.vl.json). Zero
 * values are drawn at 1 (the log axis floor) as hollow squares, the tooltip
 * shows the real value and the subtitle counts them. chart NULL = defaults. */
int bv_snapshot_write_vegalite(const bv_snapshot *s, const bv_procs_chart *chart, bv_out *out);

/* The same spec written while the rows arrive (bv_procs_opts.on_rows): the
 * skeleton puts the data first, so everything after them (the subtitle's
 * counts, the legend, the zero marks) is written by _end from the finished
 * snapshot. _begin checks chart and writes the part before the data; _rows
 * appends points (s is the snapshot being filled: its elixir flag); _end
 * writes the rest and frees st whatever it returns; _abort frees st after a
 * failure (the caller aborts the bv_out). */
typedef struct bv_procs_vl bv_procs_vl;
int bv_procs_vl_begin(const bv_procs_chart *chart, bv_out *out, bv_procs_vl **st);
int bv_procs_vl_rows(bv_procs_vl *st, const bv_snapshot *s, const bv_proc *rows, size_t n);
int bv_procs_vl_end(bv_procs_vl *st, const bv_snapshot *s);
void bv_procs_vl_abort(bv_procs_vl *st);

/* Progress of bv_memory_collect: called after each sample (i from 1). */
typedef void (*bv_memory_progress_fn)(void *ud, size_t i, size_t samples,
                                      const bv_memsample *last);

/* Samples erlang:memory() `samples` times, `interval_ms` apart, in one
 * template evaluation (templates/memory.erl): a process on the target sleeps
 * to an absolute schedule and streams each sample, so intervals are the
 * target's. Each sample must arrive within interval + the connection timeout.
 * progress may be NULL. */
int bv_memory_collect(bv_conn *c, unsigned samples, unsigned interval_ms,
                      bv_memory_progress_fn progress, void *ud, bv_memseries **out);

/* {"format":"beamviz.memory","version":1,...} */
int bv_memseries_write_json(const bv_memseries *m, bv_out *out);
/* CSV: iter,t_ms,total,...,system in bytes (RFC 4180, CRLF). */
int bv_memseries_write_csv(const bv_memseries *m, bv_out *out);
/* Vega-Lite v5 line chart, MB (10^6 bytes) of total, processes, atom, binary,
 * code and ets against the measurement number (templates/memory.vl.json). */
int bv_memseries_write_vegalite(const bv_memseries *m, bv_out *out);

/* ------------------------------------------------------------------------ */
/* Supervision trees (beamviz suptree, beamviz apps): lib/tree_collect.c      */
/* walks, lib/tree.c folds and writes Mermaid/JSON, lib/apps.c lists apps.    */
/*                                                                          */
/* Tree shape (bv_tree): nodes[0] is the root (the supervisor of --sup, or    */
/* the application master of --app, then its start helper, then the top      */
/* supervisor). Children are in start order. BV_TN_EXTERNAL nodes (--links)  */
/* hang under the first member (in node order) they are linked to, after its  */
/* real children: the edge to their parent is a link (draw it dotted), not    */
/* supervision. links[] holds the other links between nodes (a < b, sorted),  */
/* never a parent-child pair.                                                 */
/* ------------------------------------------------------------------------ */

typedef struct bv_tree_opts {
  const char *app;         /* --app: an application name, or NULL */
  const char *sup;         /* --sup: a registered name, or a pid written <0.1.0>,
                              #PID<0.1.0> or 0.1.0; or NULL (exactly one of app/sup) */
  unsigned sup_timeout_ms; /* bound on each which_children (0 = 2000) */
  unsigned budget_ms;      /* bound on the whole walk on the target; supervisors not
                              reached in time are marked "not walked" (0 = from the
                              connection timeout) */
  int links;               /* also collect processes and ports outside the tree
                              that are linked to its members (BV_TN_EXTERNAL) */
} bv_tree_opts;

/* Walks the tree on the target in one evaluation (templates/suptree.erl) and
 * builds *out (caller frees with bv_tree_free). which_children goes only to
 * processes whose '$initial_call' is supervisor or supervisor_bridge, each with
 * sup_timeout_ms; one that does not answer is BV_TN_UNRESPONSIVE with the
 * reason in `state`. Errors: BV_ENOTFOUND (unknown or library application,
 * name not registered, pid not alive; the message lists running applications),
 * BV_EREFUSED (--sup names a process that is not a supervisor: nothing was sent
 * to it), BV_EINVAL (bad pid syntax, pid of another node), connection errors. */
int bv_tree_collect(bv_conn *c, const bv_tree_opts *o, bv_tree **out);

/* Parses a --sup argument. Returns 1 and writes the canonical "<A.B.C>" into
 * out[0..cap) if who is a pid in one of the accepted spellings, 0 if it is not
 * pid-shaped (a name), BV_EINVAL for a malformed pid ("<0.1>", "<0.x.1>"). */
int bv_tree_parse_pid(const char *who, char *out, size_t cap);

/* The text a node is drawn with (UTF-8, lines separated by '\n', not escaped):
 * registered name, else child id and pid, else role and pid, else pid; a second
 * line with the state (restarting, undefined, no answer: timeout ...); folded
 * nodes read "... and K more workers" / "K more below". Pids are written the
 * target's way (bv_pid_display); each line is cut to max_line bytes (0 = 80). */
int bv_tree_label(bv_buf *b, const bv_tree *t, const bv_tnode *n, size_t max_line);

/* What folding did (for the one stderr line the CLI prints). */
typedef struct bv_tree_fold_info {
  unsigned max_children;   /* limits actually applied (after automatic reduction) */
  unsigned max_depth;
  size_t hidden_siblings;  /* processes hidden in "... and K more" nodes */
  size_t hidden_below;     /* processes hidden in "K more below" nodes */
  size_t folds;            /* folded nodes made */
  int reduced;             /* limits were tightened to fit Mermaid's limits */
  int links_dropped;       /* dotted link edges left out to fit */
  size_t edges;            /* edges written (Mermaid) */
  size_t chars;            /* characters written (Mermaid) */
} bv_tree_fold_info;

/* Makes a view of t for drawing (caller frees *out): siblings beyond
 * max_children become one BV_TN_FOLDED node (role "siblings"), children of
 * nodes at depth max_depth become one "below" node (0 = no limit for either);
 * links keep only edges between shown nodes. info may be NULL. */
int bv_tree_fold(const bv_tree *t, unsigned max_children, unsigned max_depth,
                 bv_tree **out, bv_tree_fold_info *info);

typedef struct bv_tree_mmd_opts {
  unsigned max_children;   /* 0 = no limit (the CLI's default is 12) */
  unsigned max_depth;      /* 0 = no limit */
  int left_right;          /* graph LR instead of TD */
  int markdown;            /* a fenced ```mermaid block */
} bv_tree_mmd_opts;

/* Appends the tree as a Mermaid flowchart: ids n0, n1...; every label quoted
 * and escaped with bv_mmd_escape; each node declared once; classes root,
 * supervisor, worker, notstarted, unresponsive, external, folded (Kino's
 * colours); supervision edges solid, links dotted. Folds with the given limits,
 * then tightens them (and drops link edges last) until the text has fewer than
 * 500 edges and at most 50,000 characters: siblings halved down to 2, then the
 * deepest level count that fits, whatever the tree's depth. info (may be NULL)
 * says what was folded; its limits draw the same picture (when no link edges
 * were dropped). Deterministic. */
int bv_tree_mermaid(bv_buf *b, const bv_tree *t, const bv_tree_mmd_opts *o,
                    bv_tree_fold_info *info);

/* Appends the full tree (never folded) as the model file
 * {"format":"beamviz.suptree","version":1,...}; bv_model_load reads it back. */
int bv_tree_json(bv_buf *b, const bv_tree *t);

/* Kind names as written in JSON and used as Mermaid classes. */
const char *bv_tnode_kind_name(bv_tnode_kind k);

/* --- started applications (beamviz apps) --------------------------------- */

typedef struct bv_app {
  const char *name;
  const char *version;
  const char *description;
  int has_tree;            /* has an application master and a top process */
  const char *master;      /* canonical pid of the application master, or NULL */
  const char *top;         /* canonical pid of the top supervisor, or NULL */
  const char *top_name;    /* its registered name (Elixir. stripped), or NULL */
} bv_app;

typedef struct bv_applist {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  size_t n;
  bv_app *apps;            /* in the order application:which_applications/1 gives */
} bv_applist;

/* Lists started applications (templates/apps.erl, one evaluation; finite
 * timeouts on the target). Caller frees with bv_applist_free. */
int bv_apps_collect(bv_conn *c, bv_applist **out);
void bv_applist_free(bv_applist *l);   /* NULL ok */
/* A text table: NAME VERSION TREE DESCRIPTION, one application a line. */
int bv_apps_text(bv_buf *b, const bv_applist *l);
/* {"format":"beamviz.apps","version":1,"node":...,"apps":[{...}]} */
int bv_apps_json(bv_buf *b, const bv_applist *l);

/* ------------------------------------------------------------------------ */
/* Message traces (beamviz seqtrace): collection, model file, Mermaid         */
/* ------------------------------------------------------------------------ */

/* What to trace and the bounds the relay on the target enforces. */
typedef struct bv_trace_opts {
  const char *mode;       /* "eval" (Erlang code), "elixir" (Elixir code) or "attach" */
  const char *code;       /* the code, or "WHO[,WHO...]" (registered names or pids) */
  unsigned max_events;    /* events kept, then tracing stops (0 = 1000) */
  unsigned duration_ms;   /* trace length; bounds the code's run too (0 = 5000) */
  unsigned max_queue;     /* the relay's own mailbox cap (0 = 20000 messages) */
  unsigned max_text;      /* characters of each printed message kept (0 = 500) */
  int force;              /* eval: take the seq_trace system tracer even when another
                             tool holds it (its events are passed on to it) */
} bv_trace_opts;

/* Traces on the node behind c. A relay process is started from template source
 * (templates/seqtrace_*.erl; no module is loaded): it is the seq_trace system
 * tracer (eval: the previous one is saved and put back) or the erlang:trace
 * tracer of the attached processes (attach: flags removed at the end), forwards
 * events in batches, enforces the bounds in o, drains events in flight before
 * it stops, and undoes everything if beamviz dies or disconnects (it monitors
 * beamviz's pid). eval/elixir run the code in a fresh process carrying a token
 * of our own; the printed value goes to t->result.
 * Errors: BV_EINVAL (the code does not parse: "line L, column C: ..."),
 * BV_EREMOTE (the code raised: "error:badarith ..."), BV_ENOTFOUND (no Elixir
 * on the node for "elixir", unknown name, dead pid), BV_EREFUSED (system tracer
 * taken without force, process traced by another tracer), connection errors.
 * A bound reached is not an error: t->stop_reason says which ("done",
 * "max_events", "duration", "mailbox"). The caller frees *out (bv_trace_free). */
int bv_trace_collect(bv_conn *c, const bv_trace_opts *o, bv_trace **out);

/* Kind names as written in the model file: send, call, cast, reply, exit, down,
 * spawn. */
const char *bv_ev_kind_name(bv_ev_kind k);
/* 1 if a registered name (Elixir. stripped or not) is a system process that
 * is hidden unless asked for: code_server, logger, user, application_controller... */
int bv_trace_system_name(const char *name);

typedef struct bv_seq_mmd_opts {
  unsigned max_shown;     /* messages drawn at most (0 = 200); a Note tells the rest */
  unsigned payload;       /* add the first N characters of each message's text */
  int all;                /* keep system processes */
  int markdown;           /* a fenced ```mermaid block */
} bv_seq_mmd_opts;

typedef struct bv_seq_mmd_info {
  size_t shown;           /* messages drawn */
  size_t left_out;        /* visible messages not drawn (max_shown or the size cap) */
  size_t hidden;          /* messages to or from hidden system processes */
} bv_seq_mmd_info;

/* Appends t as a Mermaid sequenceDiagram: participants p0, p1... in order of
 * first appearance, aliases and texts escaped with bv_mmd_escape; `->>` for
 * messages, `-->>` for replies; activation bars (always balanced) for
 * processes spawned during the trace; at most max_shown messages and 50,000
 * characters, then a Note saying how many more are in the model file.
 * Deterministic. info may be NULL. */
int bv_trace_mermaid(bv_buf *b, const bv_trace *t, const bv_seq_mmd_opts *o,
                     bv_seq_mmd_info *info);

/* Appends the whole trace as the model file {"format":"beamviz.seqtrace",
 * "version":1,...}: every event (kind, from, to, label, text, serial, ts_us,
 * reply_to) and participant; bv_model_load reads it back. */
int bv_trace_json(bv_buf *b, const bv_trace *t);

/* ------------------------------------------------------------------------ */
/* Model files: versioned JSON, one reader of untrusted JSON.                 */
/* Every file is {"format":"beamviz.<kind>","version":N, ...}.               */
/* ------------------------------------------------------------------------ */

#define BV_FILE_VERSION 1

typedef enum { BV_MODEL_NONE, BV_MODEL_SNAPSHOT, BV_MODEL_MEMORY, BV_MODEL_TREE,
               BV_MODEL_TRACE } bv_model_kind;

/* A loaded model of any kind. */
typedef struct bv_model {
  bv_model_kind kind;
  union {
    bv_snapshot *snapshot;
    bv_memseries *memory;
    bv_tree *tree;
    bv_trace *trace;
  } u;
} bv_model;

/* Model files larger than this are refused unless the caller raises it. */
#define BV_MODEL_MAX_BYTES ((size_t)256 << 20)

typedef struct bv_load_opts {
  size_t max_bytes;  /* refuse larger files (0 = BV_MODEL_MAX_BYTES) */
  int too_big;       /* out: the file was refused for its size */
} bv_load_opts;

/* Reads a model file (path for messages; o may be NULL). At most max_bytes + 1
 * bytes are read, whatever the file is (pipes and /dev/zero too); a larger
 * file is BV_EFORMAT. Reading a file of N bytes takes at most N (the text) +
 * 4N + 16 MiB (the JSON index, see lib/jsonin.h) + the model. Errors name the
 * file and where it went wrong (BV_EFORMAT, BV_EIO). */
int bv_model_load(const char *path, bv_load_opts *o, bv_model *out);
int bv_model_load_mem(const char *name, const char *data, size_t len, bv_model *out);
void bv_model_dispose(bv_model *m);   /* frees the model inside; m is caller's */

#ifdef __cplusplus
}
#endif
#endif /* BEAMVIZ_H */
