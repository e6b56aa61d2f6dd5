/* model/model.h: helpers every model shares, each model's file (written and
 * read back), and its kind names. */
#ifndef BV_MODEL_H
#define BV_MODEL_H

#include "util/util.h"
#include "util/jsonin.h"

/* Writes pid (canonical "<a.b.c>") as the target's language writes it. */
int bv_pid_display(bv_buf *b, const char *pid, int elixir);
/* Strips the "Elixir." prefix of module/registered names (borrowed suffix). */
const char *bv_strip_elixir(const char *name);
/* Writes a module or a "mod:fun/arity" call (the models' machine form) as the
 * target's language writes it: on Elixir nodes without "Elixir." and as
 * Mod.fun/arity, an Erlang module there as :mod.fun/arity; as it is on
 * Erlang nodes. */
int bv_mfa_display(bv_buf *b, const char *mfa, int elixir);

/* The identity rule, one for every view (procs, trees, sequences): what a
 * process is called. Registered name (unique: alone); else its label
 * ('$process_label'), else (trees) its child id or role, else a module (a
 * child spec's, or the module of its translated initial call; not erlang's
 * apply), each followed by the pid; else the pid. Never empty, never
 * "null"/"undefined". Texts are the models' forms: name and module without
 * "Elixir.", label already in the target's syntax, pid canonical "<a.b.c>";
 * written in the target's syntax (elixir: #PID<...>, Mod, :mod). */
typedef struct bv_ident {
  const char *name;      /* registered name, or NULL */
  const char *label;     /* process label text, or NULL */
  const char *child_id;  /* tree child id or chain role, or NULL */
  const char *module;    /* a module or a "mod:fun/arity" call, or NULL */
  const char *pid;       /* "<0.1.0>", or NULL */
} bv_ident;
int bv_ident_display(bv_buf *b, const bv_ident *id, int elixir);


/* The snapshot's rows in order of a numeric field, largest first (ties in
 * node order): a malloc'd array of s->n indexes, NULL (error set) when out of
 * memory. */
size_t *bv_snapshot_order(const bv_snapshot *s, bv_proc_field by);
/* Value of a numeric field of p (0 for the others). */
uint64_t bv_proc_value(const bv_proc *p, bv_proc_field f);
/* Value of a numeric field as a number: what charts and bars draw (a field
 * that can be negative or fractional reads right only here). */
double bv_proc_num(const bv_proc *p, bv_proc_field f);
/* A signed change (memory_change, message_queue_len_change; 0 for others). */
int64_t bv_proc_change(const bv_proc *p, bv_proc_field f);
/* A numeric field's text as the outputs write it (d: 40 bytes): integers,
 * signed changes, reductions_per_sec with at most 3 decimals. Its length. */
int bv_fmt_num(char *d, const bv_proc *p, bv_proc_field f);
/* "both", "born", "gone"; NULL for BV_PRESENCE_NONE. */
const char *bv_presence_name(int presence);
/* Sets p's reductions_per_sec from its presence and first values, over the
 * measured window (ms): born starts from 0, gone keeps its first values. */
void bv_proc_window_fill(bv_proc *p, double window_ms);
/* BV_EINVAL when f is a window field and s a plain snapshot. */
int bv_snapshot_field_check(const bv_snapshot *s, bv_proc_field f);
#define BV_PF_NUMERIC_NAMES \
  "reductions|memory|message_queue_len|reductions_per_sec|memory_change|message_queue_len_change"
/* the longest window a snapshot can have (ms) */
#define BV_MAX_WINDOW_MS 600000u
#define BV_PF_AXIS_NAMES "reductions|memory|message_queue_len|reductions_per_sec"

/* Text of a text field of p (NULL when absent or numeric). */
const char *bv_proc_text(const bv_proc *p, bv_proc_field f);


/* The model file {"format":"beamviz.procs","version":1,...}, streamed. */
int bv_snapshot_write_json(const bv_snapshot *s, bv_out *out);

/* {"format":"beamviz.memory","version":1,...} */
int bv_memseries_write_json(const bv_memseries *m, bv_out *out);

/* The full tree (never folded) as the model file
 * {"format":"beamviz.suptree","version":1,...}, streamed; bv_model_load reads
 * it back. */
int bv_tree_write_json(const bv_tree *t, bv_out *out);

/* Kind names as written in JSON and used as Mermaid classes. */
const char *bv_tnode_kind_name(bv_tnode_kind k);


/* {"format":"beamviz.apps","version":1,"node":...,"apps":[{...}]}, streamed;
 * a cluster's: "nodes":[{"node",...one node's fields} or {"node","error",
 * "reason"}] in place of the node's fields. */
int bv_apps_write_json(const bv_applist *l, bv_out *out);


/* {"format":"beamviz.cluster_map","version":1,"node":...,"with_hidden":...,
 * "left_out":N,"nodes":[{name, entry, reachable, hidden, error, otp_release,
 * elixir, processes, memory, uptime_ms}],"edges":[{a, b, hidden}]}, streamed */
int bv_clustermap_write_json(const bv_clustermap *m, bv_out *out);

/* Kind names as written in the model file: send, call, cast, reply, exit, down,
 * spawn. */
const char *bv_ev_kind_name(bv_ev_kind k);

/* The whole trace as the model file {"format":"beamviz.seqtrace",
 * "version":1,...}, streamed: every event (kind, from, to, label, text,
 * serial, ts_us, reply_to) and participant; bv_model_load reads it back. */
int bv_trace_write_json(const bv_trace *t, bv_out *out);



/* Per-kind loaders (each in its model's file). The header (format, version)
 * is checked by bv_model_load_mem before they run. */
int bv_snapshot_from_json(const bv_jdoc *d, bv_snapshot **out);
int bv_memseries_from_json(const bv_jdoc *d, bv_memseries **out);
int bv_tree_from_json(const bv_jdoc *d, bv_tree **out);
int bv_trace_from_json(const bv_jdoc *d, bv_trace **out);
int bv_applist_from_json(const bv_jdoc *d, bv_applist **out);
/* The code a cluster file's failure name stands for (bv_error_name), 0 if
 * none: the "error" of a node that was not collected. */
int bv_model_error_code(const char *name);
/* One entry e of a cluster file's "nodes" list (path: "nodes[i]"): its name
 * (not empty) into r->node and, for a node that was not collected, its
 * "error" (r->code) and "reason"; strings in a. The name goes into names,
 * failed or not, so no node is listed twice; *slot is its entry there (the
 * caller records what it needs in it). BV_EFORMAT naming the place. */
int bv_node_result_read(const bv_jdoc *d, const bv_jv *e, const char *path, bv_arena *a,
                        bv_intern *names, bv_node_result *r, bv_intern_slot **slot);
/* The opening of a cluster model's node entry i: a separator, then
 * {"node":NAME and, for a node that failed, "error" and "reason"; the caller
 * adds its own fields and the closing brace. */
void bv_node_result_write(bv_wr *w, const bv_node_result *r, size_t i);
/* A cluster model's label, "N nodes" (N those collected), in a. */
const char *bv_nodes_label(bv_arena *a, size_t n);
/* A cluster model's "nodes" array (absent or null: *n 0, one node's model):
 * each entry by bv_node_result_read, at most max, names into names with the
 * slot's num the node's index, -1 for a node that failed; BV_EFORMAT "empty"
 * or `none` (e.g. "no node collected") when no node succeeded. */
int bv_node_results_read(const bv_jdoc *d, const bv_jv *root, bv_arena *a, size_t max,
                         const char *none, bv_node_result **out, size_t *n, bv_intern *names);
int bv_clustermap_from_json(const bv_jdoc *d, bv_clustermap **out);

/* A cluster snapshot's label, s->node: "N nodes" (those collected). */
int bv_snapshot_cluster_label(bv_snapshot *s);

/* A memory series with room for n samples (none filled yet). */
int bv_memseries_new(bv_memseries **out, size_t n);

/* 1 if a registered name (Elixir. stripped or not) is a system process that
 * is hidden unless asked for: code_server, logger, user, application_controller... */
int bv_trace_system_name(const char *name);

/* The fields of a written row, each with its key text worked out once. */
typedef struct bv_proc_fields {
  size_t n;
  struct {
    bv_proc_field f;
    int numeric;
    const char *key; /* "name": with quotes and colon */
    size_t keylen;
  } f[BV_PF_COUNT];
  char keys[BV_PF_COUNT][32];
} bv_proc_fields;
void bv_proc_fields_init(bv_proc_fields *w, const bv_proc_field *fs, size_t n);
/* {"pid":..., "field":value...}: fields in the order given; an absent text is
 * null when nulls is set, else left out. pid replaces p->pid when non-NULL. */
void bv_wr_proc(bv_wr *w, const bv_proc *p, const char *pid, const bv_proc_fields *fs, int nulls);

#endif
