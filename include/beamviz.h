/* beamviz.h: the public interface of libbeamviz.
 *
 * libbeamviz joins a running Erlang/Elixir node as a hidden C node, collects
 * one snapshot or one bounded trace into a model, and writes the model as
 * Mermaid, Vega-Lite, JSON, CSV, text or (through a layout and cairo)
 * PNG/SVG/PDF. A program that embeds it does four things:
 *
 *   connect   bv_conn_open (or bv_localnode_start for a throwaway node)
 *   collect   bv_procs_collect, bv_memory_collect, bv_tree_collect,
 *             bv_trace_collect, bv_apps_collect: each gives one model
 *   save/load bv_model_save, bv_model_load: versioned JSON model files
 *   emit      bv_emit(model, format, options, output): every format of a
 *             model kind behind one call (bv_emit_formats lists them)
 *
 * Conventions:
 *  - Functions return 0 (BV_OK) or a negative BV_E* code and then leave a
 *    message naming the thing that failed, readable with bv_error_last().
 *  - The library never prints, never exits, never aborts on bad input or OOM.
 *  - What comes back through an out-parameter belongs to the caller, who frees
 *    it with the matching _free; a pointer returned as a value is borrowed.
 *  - Every model owns one arena; all its strings live there.
 *  - Text outputs are deterministic: same model and options, same bytes.
 */
#ifndef BEAMVIZ_H
#define BEAMVIZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (the same as `beamviz --version`). */
const char *bv_version(void);

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
/* Short name of a code, e.g. "timeout". */
const char *bv_error_name(int code);
/* Text for a terminal or a log line: valid UTF-8 kept except control
 * characters, which become visible escapes (\n, \x1b, \u009b), into
 * dst[0..cap), NUL-terminated, cut before a whole character or escape; returns
 * the length written. Messages from bv_error_last() are already clean. */
size_t bv_text_clean(char *dst, size_t cap, const char *s, size_t n);


/* Every model's strings live in its arena (opaque). */
typedef struct bv_arena bv_arena;

/* ------------------------------------------------------------------------ */
/* Output: a file written to a temporary name and renamed on commit, stdout   */
/* ("-"), or memory. A failed or aborted output leaves no file behind.        */
/* ------------------------------------------------------------------------ */

typedef struct bv_out bv_out;

/* A device, FIFO or /dev/fd/N is written through at commit, never replaced; a
 * symlink's target is replaced, not the link. */
int bv_out_open(const char *path, bv_out **out);  /* "-" = stdout */
int bv_out_open_mem(bv_out **out);
int bv_out_write(bv_out *o, const void *p, size_t n);
int bv_out_puts(bv_out *o, const char *s);
int bv_out_printf(bv_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* Output formats, by name or by a file name's extension. */
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
/* Number of request/response round trips made so far (benchmarks). */
unsigned long bv_conn_round_trips(const bv_conn *c);


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
/* Starts beamviz's example workload (a supervision
 * tree, servers that call each other, tasks) on n, through c, a connection
 * to n. It compiles and loads a module, which beamviz never does on a node it
 * did not start: BV_EREFUSED when c is connected to another node. */
int bv_localnode_demo(const bv_localnode *n, bv_conn *c);


/* ======================================================================== */
/* Models. Each model owns `arena`; strings in it live there.                 */
/* Pids are kept in canonical Erlang syntax "<0.123.0>"; `elixir` says the    */
/* target writes them as "#PID<0.123.0>", and its outputs do too.          */
/* ======================================================================== */


/* --- process snapshot (beamviz procs) ------------------------------------ */

typedef struct bv_proc {
  const char *pid;               /* "<0.123.0>" */
  const char *name;              /* registered name, Elixir. stripped; NULL if none */
  uint64_t reductions;
  uint64_t memory;               /* bytes */
  uint64_t message_queue_len;
  const char *status;            /* running, runnable, waiting, ... (interned) */
  const char *current_function;  /* "M:F/A" (interned), NULL if unknown */
  const char *initial_call;      /* translated "M:F/A" (interned): '$initial_call'
                                    when the dictionary has one (proc_lib, Elixir
                                    tasks), {supervisor, M, 1} as M:init/1 */
  const char *label;             /* '$process_label' in the node's syntax (a text
                                    as itself, cut at 80 bytes); NULL if none */
  /* A snapshot over a window (bv_snapshot.window_ms > 0) only (zero in a
   * plain one): the first pass's values (0 for a process born in the window;
   * a gone one keeps them in reductions, memory and message_queue_len too),
   * reductions per second over the measured window (born: all its reductions
   * were made in it; gone: 0), and where the process was (bv_presence). */
  uint64_t reductions0;
  uint64_t memory0;
  uint64_t message_queue_len0;
  double reductions_per_sec;
  int presence;
  /* A cluster snapshot (bv_snapshot.nnodes > 0) only: the node the process
   * runs on (one string per node, shared by its rows); NULL in a single-node
   * snapshot. */
  const char *node;
} bv_proc;

/* Where a process of a windowed snapshot was: in both passes, only in the
 * second (born during the window), only in the first (gone: exited before or
 * while the second pass read it). NONE in a plain snapshot. */
typedef enum bv_presence {
  BV_PRESENCE_NONE = 0,
  BV_PRESENCE_BOTH,
  BV_PRESENCE_BORN,
  BV_PRESENCE_GONE
} bv_presence;

typedef struct bv_snapshot {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  size_t n;          /* processes kept */
  size_t total;      /* processes on the node when listed */
  size_t skipped;    /* died between listing and reading */
  bv_proc *procs;
  /* Two passes a window apart (bv_procs_opts.window_ms): the window asked for
   * and the one measured between the two listings, ms (both 0 = one plain
   * snapshot); the rows are the second pass's in erlang:processes() order,
   * then the gone ones in the first pass's order. */
  unsigned window_ms;
  double window_measured_ms;
  size_t born, gone; /* rows of each presence */
  /* A cluster snapshot (bv_procs_collect_cluster): every node asked, in the
   * order asked, each collected (code BV_OK) or failed with its reason; the
   * rows carry their node (bv_proc.node), grouped by node in this order.
   * node is then a label ("3 nodes"). nnodes 0 = a single-node snapshot. */
  size_t nnodes;
  struct bv_node_result *nodes;
} bv_snapshot;

/* One node of a cluster run: BV_OK, or the failure's code and its one-line
 * reason (unreachable with the address tried, cookie rejected, went away,
 * timeout). total, skipped and the measured window are that node's. */
typedef struct bv_node_result {
  const char *node;
  int code;
  const char *reason;   /* NULL when code is BV_OK */
  size_t total, skipped;
  double window_measured_ms;
} bv_node_result;

/* --- memory series (beamviz memory) -------------------------------------- */

/* erlang:memory() categories, in this order. */
#define BV_MEM_NKINDS 7
extern const char *const bv_mem_kinds[BV_MEM_NKINDS];
/* {"total","processes","atom","binary","code","ets","system"} */

typedef struct bv_memsample {
  uint32_t iter;                    /* measurement number, from 1 */
  uint64_t bytes[BV_MEM_NKINDS];
  uint64_t t_ms;                    /* ms since the first sample, on the target */
  uint32_t node;                    /* a cluster series only: index into nodes */
} bv_memsample;

typedef struct bv_memseries {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  unsigned interval_ms;
  size_t n;
  bv_memsample *samples;
  /* A cluster series (bv_memory_collect_cluster): every node asked, in the
   * order asked, each collected or failed with its reason; the samples are
   * grouped by node in this order, each with its node's index, and each
   * node's t_ms is its own clock (from its own sampler's start). node is then a
   * label ("3 nodes"). nnodes 0 = a single-node series. */
  size_t nnodes;
  struct bv_node_result *nodes;
} bv_memseries;

/* Keeps the samples of one node of a cluster series, which becomes that
 * node's single-node series: BV_ENOTFOUND naming the collected nodes if node
 * is not one of them; BV_EINVAL for a single-node series. In place. */
int bv_memseries_select_node(bv_memseries *m, const char *node);

/* --- supervision tree (beamviz suptree) ---------------------------------- */

typedef enum {
  BV_TN_ROOT,          /* the root supervisor, or the application master */
  BV_TN_SUPERVISOR,
  BV_TN_WORKER,
  BV_TN_NOTSTARTED,    /* child pid undefined / restarting / died during walk */
  BV_TN_UNRESPONSIVE,  /* supervisor that did not answer which_children */
  BV_TN_EXTERNAL,      /* outside the tree, linked to a member (bv_tree_opts.links) */
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
  const char *role;      /* chain nodes: "application master", "application start
                            helper"; BV_TN_FOLDED: "siblings" or "below"; else NULL */
  const char *type;      /* child spec type from which_children ("worker",
                            "supervisor"), or NULL */
  uint32_t folded_sups;  /* BV_TN_FOLDED siblings: how many of `folded` are supervisors */
  uint32_t folded_ext;   /* BV_TN_FOLDED siblings: how many of `folded` are external */
  uint32_t folded_total; /* BV_TN_FOLDED: processes hidden, descendants included */
  const char *label;     /* the process's label ('$process_label': Elixir 1.17+
                            Process.set_label/1, OTP 27+ proc_lib:set_label/1) in
                            the node's syntax, at most 80 bytes, or NULL */
} bv_tnode;

typedef struct bv_tedge {   /* a link between two nodes (dotted) */
  uint32_t a, b;
} bv_tedge;

typedef struct bv_tree {
  bv_arena *arena;
  const char *node;
  const char *otp_release;
  int elixir;
  const char *title;     /* the application or the supervisor asked for, e.g. "kernel" */
  size_t n;
  bv_tnode *nodes;       /* nodes[0] is the root; children contiguous (BFS) */
  size_t nlinks;
  bv_tedge *links;
  const char *mode;      /* "app" or "sup" */
  uint64_t walk_ms;      /* time the walk took on the target */
  /* A cluster's trees of one application (ntrees > 0): every node asked, in
   * the order asked, collected or failed with its reason (cnodes[i]), and
   * each collected node's own tree (trees[i]: arena NULL, its strings are in
   * this tree's arena; n 0 when the node does not run the application, or
   * failed). A node without a tree of the application has code BV_OK and
   * reason saying why ("not running A", "A loaded but not started", "A is a
   * library application: no tree", "A has no top process"). node is then a label ("3 nodes"), title and mode the asked
   * application's, n 0. ntrees 0 = a single node's tree. */
  size_t ntrees;
  struct bv_node_result *cnodes;
  struct bv_tree *trees;
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
  int system;            /* a system process (hidden unless bv_emit_opts.all) */
  const char *exit_reason; /* spawned during the trace and exited: its reason
                              (printed), else NULL */
  const char *label;     /* '$process_label' in the node's syntax, or NULL */
  const char *initial_call; /* "mod:fun/arity" ('$initial_call', else
                               initial_call; "Elixir." kept), or NULL */
  int attached;          /* attach mode: one of the processes asked for */
  const char *node;      /* a cluster trace (bv_trace.nnodes > 0): the node the
                            process runs on (pid is then relative to it,
                            "<0.N.S>"); NULL for a single node's trace and for
                            participants of no known node ("?", a name nobody
                            had) */
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
  /* A trace across nodes (seqtrace --cluster/--nodes): every node asked, the
   * entry node (where the code ran, node above) first; a node whose relay
   * could not start is a failure here and is not traced. Participants are
   * grouped by node in this order (those of no node last). nnodes 0 = a
   * single node's trace. */
  size_t nnodes;
  struct bv_node_result *nodes;
} bv_trace;

/* Keeps one node's part of a trace across nodes: the events whose sender or
 * receiver runs on node, and the participants they name (processes of other
 * nodes that talked to it stay, with their node) plus node's own; from, to
 * and reply_to follow (a reply whose request was left out gets -1). nodes
 * keeps node and the traced nodes some kept participant runs on, in their
 * order; the others and the failures go. The result is still a trace across
 * nodes (node, the entry node, unchanged). BV_ENOTFOUND naming the traced
 * nodes if node is not one of them (or was not traced, with its reason);
 * BV_EINVAL for a single node's trace. In place. */
int bv_trace_select_node(bv_trace *t, const char *node);

/* Frees a model and its arena; NULL ok. */
void bv_snapshot_free(bv_snapshot *s);
void bv_memseries_free(bv_memseries *m);
void bv_tree_free(bv_tree *t);
void bv_trace_free(bv_trace *t);


/* ------------------------------------------------------------------------ */
/* procs & memory: collecting a process snapshot or a memory series         */
/* ------------------------------------------------------------------------ */

/* Fields of a bv_proc: what bv_snapshot_top sorts by, chart axes and colours
 * (bv_emit_opts x, y, color), output columns. */
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
  BV_PF_LABEL,
  /* a snapshot over a window only (bv_snapshot.window_ms > 0) */
  BV_PF_REDUCTIONS_PER_SEC,         /* "reductions_per_sec" (fractional) */
  BV_PF_MEMORY_CHANGE,              /* "memory_change": bytes, signed */
  BV_PF_MESSAGE_QUEUE_LEN_CHANGE,   /* "message_queue_len_change": signed */
  BV_PF_WINDOW,                     /* "window": text both|born|gone */
  BV_PF_NODE,                       /* "node": a cluster snapshot only */
  BV_PF_COUNT
} bv_proc_field;

/* "reductions" -> BV_PF_REDUCTIONS; BV_PF_NONE for an unknown name. */
bv_proc_field bv_proc_field_from_name(const char *name);
const char *bv_proc_field_name(bv_proc_field f);  /* "memory"; "?" if out of range */
int bv_proc_field_numeric(bv_proc_field f);       /* reductions, memory, queue length,
                                                     and the window's three */
/* A numeric field that is never negative: what a chart axis (log) can draw:
 * reductions, memory, message_queue_len, reductions_per_sec. */
int bv_proc_field_axis(bv_proc_field f);
/* A field only a snapshot over a window has (reductions_per_sec,
 * memory_change, message_queue_len_change, window). */
int bv_proc_field_window(bv_proc_field f);

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
  /* The output can do without initial_call and label (the default Vega-Lite
   * chart, an image not coloured by them): they are read only where that
   * costs no second signal (OTP 26.2+ reads one dictionary key); on older
   * nodes reading them means reading the dictionary of every proc_lib or
   * task process (most of a typical node's), so initial_call and label are
   * NULL in every row there. */
  int skip_initial_call;
  /* ms between two passes (0 = one plain snapshot): the first reads
   * reductions, memory and queue length of every process, the second is the
   * plain snapshot; rows get their first values, reductions per second and
   * presence (bv_proc). The deadline (timeout_ms) is for the collection; the
   * window is added to it. on_rows sees the second pass's rows, then the gone
   * ones. */
  unsigned window_ms;
  /* With on_rows: the rows are on_rows's to keep (copy them there): the
   * snapshot keeps none of them (n is 0 at the end; total, skipped, born,
   * gone and the window are set), so memory holds one chunk of rows at a
   * time. */
  int handoff;
} bv_procs_opts;

/* One snapshot of every process on the node behind c, in erlang:processes()
 * order. One evaluation of an Erlang template embedded in the library: workers on the target
 * stream chunks of rows while this decodes them chunk by chunk; nothing runs
 * per process on the target but BIFs. Processes that die between listing and
 * reading are counted in skipped. Errors: BV_ETIMEOUT (deadline passed),
 * BV_ECLOSED, BV_EREMOTE, BV_ETERM (a row of unexpected shape), BV_ENOMEM. */
int bv_procs_collect(bv_conn *c, const bv_procs_opts *o, bv_snapshot **out);

/* Keeps the n processes with the largest `by` (a numeric field), largest
 * first, ties in snapshot order; n >= s->n keeps all, sorted. In place.
 * BV_EINVAL if `by` is not numeric, or a window field of a plain snapshot. */
int bv_snapshot_top(bv_snapshot *s, size_t n, bv_proc_field by);
/* The field a snapshot is ranked by (--top, bars, the text table): the field
 * named (BV_PF_NONE for an unknown name), else reductions_per_sec over a
 * window (who is busy now), else reductions. */
bv_proc_field bv_snapshot_rank_field(const bv_snapshot *s, const char *name);
/* Keeps the rows of one node of a cluster snapshot, which becomes that node's
 * single-node snapshot (its total, skipped and window). BV_ENOTFOUND, naming
 * the nodes the snapshot has, if node is not one of its collected nodes;
 * BV_EINVAL for a single-node snapshot. In place. */
int bv_snapshot_select_node(bv_snapshot *s, const char *node);

/* --- whole clusters -------------------------------------------------------- */

/* Nodes of a cluster run, and how to reach them: the connection options of
 * every node (cookie, timeouts, message bound) as for one node. */
typedef struct bv_cluster_opts {
  const char *const *nodes;  /* full node names */
  size_t n;
  const char *cookie;
  unsigned timeout_ms;       /* each connect and step, per node */
  size_t max_message;
  unsigned parallel;         /* at most this many connections at once (0 = 8) */
} bv_cluster_opts;

/* A job run on each node with its own connection (in a thread of its own:
 * it must touch only its node's state, i). Returns BV_OK or a BV_E code with
 * the error set. */
typedef int (*bv_cluster_job)(bv_conn *c, size_t i, void *ud);

/* Connects to each node directly and runs job on it, at most o->parallel at
 * once; each connection is closed once its job returns. res (o->n entries)
 * gets each node's name, code and reason (strings in a, which is used only by
 * the calling thread). Returns BV_OK (per-node failures are in res) or
 * BV_ENOMEM / BV_EINVAL. */
int bv_cluster_run(const bv_cluster_opts *o, bv_cluster_job job, void *ud, bv_arena *a,
                   bv_node_result *res);

/* The nodes c's node is connected to: itself first, then nodes(visible), and
 * nodes(hidden) when hidden is set, leaving out beamviz's own connections
 * (beamviz_N). One template evaluation; no atoms made. *names is one
 * malloc'd block (the n pointers, then the texts): free(*names). */
int bv_cluster_nodes(bv_conn *c, int hidden, const char ***names, size_t *n);

/* bv_procs_collect on every node (on_rows is not called), merged into one
 * cluster snapshot (bv_snapshot.nodes): BV_OK whichever nodes failed (each
 * failure is in nodes; none collected: no rows); errors only for beamviz's
 * own (BV_ENOMEM, BV_EINVAL). */
int bv_procs_collect_cluster(const bv_cluster_opts *co, const bv_procs_opts *o,
                             bv_snapshot **out);


/* Progress of bv_memory_collect: called after each sample (i from 1). */
typedef void (*bv_memory_progress_fn)(void *ud, size_t i, size_t samples,
                                      const bv_memsample *last);

/* Samples erlang:memory() `samples` times, `interval_ms` apart, in one
 * evaluation of an embedded Erlang template: a process on the target sleeps
 * to an absolute schedule and streams each sample, so intervals are the
 * target's. Each sample must arrive within interval + the connection timeout.
 * progress may be NULL. */
int bv_memory_collect(bv_conn *c, unsigned samples, unsigned interval_ms,
                      bv_memory_progress_fn progress, void *ud, bv_memseries **out);

/* bv_memory_collect on every node at once (one connection each, the same
 * samples and interval), merged into one cluster series (bv_memseries.nodes).
 * progress (may be NULL) is called under a lock with the samples received so
 * far over every node (i) of samples * nodes. BV_OK whichever nodes failed
 * (each failure is in nodes; a node that failed part way keeps no samples);
 * errors only for beamviz's own (BV_ENOMEM, BV_EINVAL). */
int bv_memory_collect_cluster(const bv_cluster_opts *co, unsigned samples, unsigned interval_ms,
                              bv_memory_progress_fn progress, void *ud, bv_memseries **out);


/* ------------------------------------------------------------------------ */
/* Supervision trees (beamviz suptree) and started applications (apps)       */
/*                                                                          */
/* Tree shape (bv_tree): nodes[0] is the root (the supervisor asked for, or  */
/* the application master of the application, then its start helper, the top */
/* supervisor, as the application master names it; other processes linked  */
/* to the start helper follow the top supervisor as children of the helper,  */
/* role "linked to the start helper"). Children are in start order.          */
/* BV_TN_EXTERNAL nodes (links)                                              */
/* hang under the first member (in node order) they are linked to, after its  */
/* real children: the edge to their parent is a link (draw it dotted), not    */
/* supervision. links[] holds the other links between nodes (a < b, sorted),  */
/* never a parent-child pair.                                                 */
/* ------------------------------------------------------------------------ */

typedef struct bv_tree_opts {
  const char *app;         /* an application name, or NULL */
  const char *sup;         /* a supervisor: a registered name, or a pid written <0.1.0>,
                              #PID<0.1.0> or 0.1.0; or NULL (exactly one of app/sup) */
  unsigned sup_timeout_ms; /* bound on each which_children (0 = 2000) */
  unsigned budget_ms;      /* bound on the whole walk on the target; supervisors not
                              reached in time are marked "not walked" (0 = from the
                              connection timeout) */
  int links;               /* also collect processes and ports outside the tree
                              that are linked to its members (BV_TN_EXTERNAL) */
} bv_tree_opts;

/* Walks the tree on the target in one evaluation of an embedded Erlang template and
 * builds *out (caller frees with bv_tree_free). which_children goes only to
 * processes whose '$initial_call' is supervisor or supervisor_bridge or whose
 * parent's which_children lists them with type supervisor, each with
 * sup_timeout_ms; one that does not answer, or answers something that is not a
 * child list, is BV_TN_UNRESPONSIVE with the reason in `state`. An application
 * of unexpected shape (no top supervisor named by its master, a top process
 * that is not a supervisor) has the reason in its start helper's `state`. Errors: BV_ENOTFOUND (unknown or library application,
 * name not registered, pid not alive; the message lists running applications),
 * BV_EREFUSED (sup names a process that is not a supervisor: nothing was sent
 * to it), BV_EINVAL (bad pid syntax, pid of another node), connection errors. */
int bv_tree_collect(bv_conn *c, const bv_tree_opts *o, bv_tree **out);
/* bv_tree_collect of o->app on every node of co (bv_cluster_run), into one
 * cluster tree (bv_tree.trees): a node that does not run the application
 * (BV_ENOTFOUND there) has an empty tree and BV_OK. BV_OK whichever nodes
 * failed (each failure is in cnodes); errors only for beamviz's own
 * (BV_ENOMEM, BV_EINVAL: o->app not set). */
int bv_tree_collect_cluster(const bv_cluster_opts *co, const bv_tree_opts *o, bv_tree **out);
/* Turns a cluster tree into node's own tree (a single node's, ntrees 0).
 * BV_EINVAL if t is a single node's; BV_ENOTFOUND if node is not one of the
 * collected nodes or does not run the application. */
int bv_tree_select_node(bv_tree *t, const char *node);



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
  /* A cluster's applications (nnodes > 0): every node asked, in the order
   * asked, collected or failed with its reason (nodes[i]), and each collected
   * node's own list (lists[i]: node, otp_release, elixir, n, apps; arena NULL,
   * its strings are in this list's arena; a failed node's is empty). node is
   * then a label ("3 nodes"), otp_release and elixir the first collected
   * node's, n 0. nnodes 0 = a single node's list. */
  size_t nnodes;
  struct bv_node_result *nodes;
  struct bv_applist *lists;
} bv_applist;

/* Lists started applications (one evaluation of an embedded Erlang template; finite
 * timeouts on the target). Caller frees with bv_applist_free. */
int bv_apps_collect(bv_conn *c, bv_applist **out);
/* bv_apps_collect on every node of co (bv_cluster_run), into one cluster
 * list: BV_OK whichever nodes failed (each failure is in nodes); errors only
 * for beamviz's own (BV_ENOMEM, BV_EINVAL). */
int bv_apps_collect_cluster(const bv_cluster_opts *co, bv_applist **out);
/* Turns a cluster list into node's own list (a single node's, nnodes 0).
 * BV_EINVAL if l is a single node's; BV_ENOTFOUND, naming the collected
 * nodes, if node is not one of them. */
int bv_applist_select_node(bv_applist *l, const char *node);
void bv_applist_free(bv_applist *l);   /* NULL ok */

/* --- a map of the cluster (beamviz cluster) ------------------------------ */

/* One node of the map: its facts as it reported them (reachable), or only its
 * name and why beamviz could not read it (unreachable: the other nodes' lists
 * still give its connections). */
typedef struct bv_cnode {
  const char *name;        /* "a@host" */
  int reachable;           /* beamviz connected and read its facts */
  const char *error;       /* unreachable: why (the connection's message), else NULL */
  int entry;               /* the node beamviz was pointed at */
  int hidden;              /* seen only in nodes(hidden) lists (a hidden node) */
  const char *otp_release; /* "25"; NULL when unreachable */
  int elixir;              /* the Elixir application is loaded */
  uint64_t processes;      /* erlang:system_info(process_count) */
  uint64_t memory;         /* erlang:memory(total), bytes */
  uint64_t uptime_ms;      /* since the node started (statistics(wall_clock)) */
} bv_cnode;

/* A connection between two nodes of the map, each pair once (a < b). Visible
 * when either side lists the other in nodes(visible), else hidden (only in
 * nodes(hidden) lists). */
typedef struct bv_cedge {
  uint32_t a, b;
  int hidden;
} bv_cedge;

typedef struct bv_clustermap {
  bv_arena *arena;
  const char *node;        /* the entry node */
  int with_hidden;         /* hidden nodes and connections were collected */
  size_t n;
  bv_cnode *nodes;         /* the entry node first, then by name */
  size_t nedges;
  bv_cedge *edges;         /* sorted by (a, b) */
  size_t unreachable;      /* nodes with reachable == 0 */
  size_t left_out;         /* nodes found beyond max_nodes (not in the map) */
} bv_clustermap;

typedef struct bv_clustermap_opts {
  /* the connections to the other nodes: cookie, timeout_ms and max_message
     (node is ignored); each node gets its own connection (bv_cluster_run),
     opened, read and closed, every step within timeout_ms */
  bv_conn_opts conn;
  int hidden;              /* also follow nodes(hidden) (beamviz's own C nodes,
                              beamviz_N, are always left out) */
  unsigned max_nodes;      /* nodes in the map at most (0 = 256) */
  unsigned parallel;       /* at most this many connections at once (0 = 8) */
} bv_clustermap_opts;

/* Reads the entry node's facts and node lists through c (one evaluation of an
 * embedded template, templates/cluster_info.erl), then connects to every node
 * listed, directly, and reads the same facts there, at most o->parallel at
 * once; nodes those list are followed too (each once, in rounds: the nodes a
 * round found are read in the next), up to max_nodes. A node that cannot be reached or
 * read stays in the map, unreachable, with the reason in its error; that is
 * not a failure of the call (m->unreachable counts them). Errors: the entry
 * node's (connection errors, BV_ETERM), BV_EINVAL, BV_ENOMEM. Caller frees
 * with bv_clustermap_free. */
int bv_clustermap_collect(bv_conn *c, const bv_clustermap_opts *o, bv_clustermap **out);
void bv_clustermap_free(bv_clustermap *m);   /* NULL ok */
/* 1 when name is one of beamviz's own node names (beamviz_N@host). */
int bv_clustermap_is_beamviz(const char *name);

/* ------------------------------------------------------------------------ */
/* Message traces (beamviz seqtrace): collection                            */
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
 * (embedded Erlang templates; no module is loaded): it is the seq_trace system
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

/* bv_trace_collect across nodes (eval/elixir): co->nodes[0] is the entry node,
 * where the code runs. A follower relay is started on every other node first
 * (the seq_trace system tracer there, for this run's label: a token travels
 * with messages between nodes, and each node gives its events to its own
 * tracer), all connections at once (co->parallel does not apply; at most 256
 * nodes). The entry's relay tells the followers to stop when its trace is
 * done; each follower also has its own deadline and monitors beamviz. Events
 * are merged in causal order by the seq_trace serial (each node's own in its
 * clock's order; clocks of different nodes are never compared); pids are
 * relative to their own node (bv_participant.node); participants grouped by
 * node. A follower that could not start or failed is a failure in t->nodes
 * and the rest is kept (BV_OK); the entry's failure is the call's error.
 * attach is BV_EINVAL (not built across nodes). */
int bv_trace_collect_cluster(const bv_cluster_opts *co, const bv_trace_opts *o,
                             bv_trace **out);

/* A process as the user names it, the same for every option that takes one
 * (--attach, --sup): "<0.1.0>", "#PID<0.1.0>" or "0.1.0" returns 1 with the
 * canonical "<0.1.0>" in out[0..cap); a registered name (with or without
 * "Elixir.", or Elixir's ":name") returns 0 with the name in out (":" taken
 * off); BV_EINVAL for a malformed pid ("<0.1>", "0.x.1") or an empty text. */
int bv_who_parse(const char *who, char *out, size_t cap);


/* ------------------------------------------------------------------------ */
/* Model files: versioned JSON, one reader of untrusted JSON.                 */
/* Every file is {"format":"beamviz.<kind>","version":N, ...}.               */
/* ------------------------------------------------------------------------ */

#define BV_FILE_VERSION 1

typedef enum { BV_MODEL_NONE, BV_MODEL_SNAPSHOT, BV_MODEL_MEMORY, BV_MODEL_TREE,
               BV_MODEL_TRACE, BV_MODEL_APPS, BV_MODEL_CLUSTER } bv_model_kind;

/* A loaded model of any kind. */
typedef struct bv_model {
  bv_model_kind kind;
  union {
    bv_snapshot *snapshot;
    bv_memseries *memory;
    bv_tree *tree;
    bv_trace *trace;
    bv_applist *apps;
    bv_clustermap *cluster;
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
 * 4N + 16 MiB (the JSON index) + the model. Errors name the
 * file and where it went wrong (BV_EFORMAT, BV_EIO). */
int bv_model_load(const char *path, bv_load_opts *o, bv_model *out);
int bv_model_load_mem(const char *name, const char *data, size_t len, bv_model *out);
void bv_model_dispose(bv_model *m);   /* frees the model inside; m is caller's */

/* "procs", "memory", "suptree", "seqtrace", "apps", "cluster_map" (the file's format is
 * "beamviz." and this); NULL for BV_MODEL_NONE. */
const char *bv_model_kind_name(bv_model_kind k);
/* Writes m as its model file (the JSON bv_model_load reads back). */
int bv_model_save(const bv_model *m, bv_out *out);

/* ------------------------------------------------------------------------ */
/* Emitting: every (model kind x format) pair behind one call.                */
/* ------------------------------------------------------------------------ */

/* How a model is shown. The same options give the same nodes, labels, notes
 * and counts in every format. Start from bv_emit_opts_init: it sets the
 * defaults (a zero field is not always the default). */
/* The chart of a process snapshot (Vega-Lite and images). */
typedef enum bv_chart_kind {
  BV_CHART_AUTO = 0,  /* the scatter (a program picks bars for its top-N itself) */
  BV_CHART_SCATTER,   /* every process, x against y, coloured */
  BV_CHART_BAR        /* one labelled bar per process by `by`, largest first (at
                         most the 100 largest, said in the subtitle) */
} bv_chart_kind;

/* Direction of a supervision tree drawing. */
typedef enum bv_direction {
  BV_DIR_AUTO = 0,  /* images: top-down, leaf rows wrapped into columns, or left to
                       right, whichever first comes out no wider than 3 times its
                       height; Mermaid: top-down unless left to right is narrower by
                       that rule (estimated) */
  BV_DIR_TD,        /* top down */
  BV_DIR_LR         /* left to right */
} bv_direction;

/* Which dotted links a supervision tree drawing shows (the model keeps what was
 * collected; the view leaves out the rest). */
typedef enum bv_links {
  BV_LINKS_DEFAULT = 0, /* each format's own: Mermaid none (links between members
                           pull supervisors out of their level in Mermaid's
                           render); text and images all the model holds */
  BV_LINKS_NONE,        /* supervision edges only: no links, no external nodes */
  BV_LINKS_MEMBERS,     /* links between tree members, no external nodes */
  BV_LINKS_ALL          /* members' links and the processes and ports outside the
                           tree linked to them (BV_TN_EXTERNAL, when collected) */
} bv_links;

typedef struct bv_emit_opts {
  /* supervision trees */
  unsigned max_children;  /* siblings beyond N fold into one node, leaf workers first
                             (0 = all; default 12) */
  unsigned max_depth;     /* supervision levels below the top supervisor (an
                             application's master and start helper not counted)
                             beyond D fold into one node (0 = all; default 0) */
  int left_right;         /* lay out left to right (same as direction BV_DIR_LR) */
  bv_direction direction; /* default BV_DIR_AUTO */
  bv_links links;         /* dotted links drawn (default BV_LINKS_DEFAULT) */
  /* message traces */
  unsigned max_shown;     /* messages drawn (default 200; the model keeps all) */
  unsigned payload;       /* first N characters of each message's text in its label */
  int all;                /* keep system processes (code_server, logger, ...) */
  /* process charts: field names (NULL = reductions, memory, status) */
  const char *x, *y, *color;
  const char *by;         /* text table and bars: rows sorted by it, largest first
                             (NULL = reductions); the bars' value */
  bv_chart_kind chart;    /* scatter or bars (default BV_CHART_AUTO: the scatter) */
  /* images (PNG, SVG, PDF) */
  double width, height;   /* px: charts are laid out to it, trees and sequences
                             scaled to fit (0 = natural size) */
  double scale;           /* PNG pixels per px, for HiDPI screens (default 1) */
  int dark;               /* dark theme */
  int transparent;        /* no page behind the drawing */
  const char *font;       /* font family, through fontconfig (NULL = DejaVu Sans) */
} bv_emit_opts;

void bv_emit_opts_init(bv_emit_opts *o);

/* What an emit left out or changed, for the one line a program tells its user. */
typedef struct bv_emit_info {
  /* trees */
  size_t nodes;            /* nodes in the model */
  size_t hidden_siblings;  /* processes hidden in "... and K more" nodes */
  size_t hidden_below;     /* processes hidden in "K more below" nodes */
  size_t folds;            /* folded nodes drawn */
  unsigned max_children;   /* limits applied (Mermaid may tighten them to fit) */
  unsigned max_depth;
  int reduced;             /* limits were tightened to fit the format */
  int links_dropped;       /* link edges left out to fit */
  /* traces */
  size_t shown;            /* messages drawn */
  size_t left_out;         /* visible messages not drawn; cluster map: connections
                              Mermaid leaves out */
  size_t nodes_left_out;   /* cluster map Mermaid: nodes left out to fit its size */
  size_t hidden;           /* messages to or from hidden system processes */
  /* process charts */
  size_t zeros;            /* points a log axis cannot place (drawn at 1) */
  /* images */
  double width, height;    /* natural size of the drawing, px */
  double scaled_to;        /* PNG: the scale used (below the asked one when the
                              image would pass cairo's limit) */
} bv_emit_info;

/* Writes m in format fmt to out (out stays the caller's: commit or abort it).
 * o NULL = defaults; info may be NULL. BV_EINVAL when m's kind cannot be
 * written as fmt (the message names the formats it can) or an option value is
 * wrong for it (the message names the value); BV_ENOTFOUND when an image's font
 * is not installed; BV_ENOMEM; BV_EIO from the output. */
int bv_emit(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
            bv_emit_info *info);
/* The formats a kind can be written as, its default first, BV_FMT_NONE-ended. */
const bv_format *bv_emit_formats(bv_model_kind kind);

/* A process snapshot's Vega-Lite chart written while the rows arrive
 * (bv_procs_opts.on_rows), the same bytes bv_emit writes afterwards: the
 * skeleton puts the data first, so everything after them (the subtitle's
 * counts, the legend, the zero marks) is written by _close from the view of
 * the finished snapshot. _open checks o's fields and writes the part before
 * the data; _rows appends points (s is the snapshot being filled: its elixir
 * flag); _close writes the rest and frees st whatever it returns (info may
 * be NULL); _abort frees st after a failure (the caller aborts the bv_out). */
typedef struct bv_procs_vl bv_procs_vl;
int bv_procs_vl_open(const bv_emit_opts *o, bv_out *out, bv_procs_vl **st);
int bv_procs_vl_rows(bv_procs_vl *st, const bv_snapshot *s, const bv_proc *rows, size_t n);
int bv_procs_vl_close(bv_procs_vl *st, const bv_snapshot *s, bv_emit_info *info);
void bv_procs_vl_abort(bv_procs_vl *st);

/* PNG images are at most this many pixels a side (cairo's limit): a larger
 * drawing is scaled down to fit (bv_emit_info.scaled_to says by how much). */
#define BV_PNG_MAX 32767

#ifdef __cplusplus
}
#endif
#endif /* BEAMVIZ_H */
