/* view/view.h: the format-free view step of each model kind: what is shown,
 * with which labels, folds, notes and counts. Every output draws from it. */
#ifndef BV_VIEW_H
#define BV_VIEW_H

#include "model/model.h"

/* Points a log-log chart of x against y cannot place (x or y is 0). */
size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y);

/* --- colours and axes of the process charts --------------------------------- */

/* A colour domain of more than this many values is drawn with Vega's
 * category20 (20 colours), else category10: the same in every format. */
#define BV_CHART_CAT10_MAX 10
/* Vega's name of the scheme for a domain of n values. */
const char *bv_chart_scheme(size_t n);
/* Colour i (0xRRGGBB) of the scheme for a domain of n values: Vega's exact
 * category10 / category20, repeating past their ends. */
uint32_t bv_chart_rgb(size_t n, size_t i);

/* How a numeric axis maps its values. log: zeros are drawn at 1 (the floor);
 * symlog (Vega's "symlog", constant 1: sign(v) log10(1 + |v|)): chosen for a
 * count-like field whose values are mostly 0 or 1, zeros drawn where they are. */
typedef enum { BV_SCALE_LOG, BV_SCALE_SYMLOG } bv_scale_kind;
/* The rule: message_queue_len with at least half of its values <= 1. */
bv_scale_kind bv_chart_scale_for(const bv_snapshot *s, bv_proc_field f);

/* A numeric axis: the data's extent (no rounding out to whole decades: the
 * domain is [lo, hi] as measured, zeros at 1 on a log axis), and the ticks:
 * 1, 2 and 5 of each decade inside it (0 first on a symlog axis from 0). */
#define BV_CHART_TICKS_MAX 96
typedef struct bv_chart_axis {
  bv_scale_kind kind;
  double lo, hi;
  size_t n;
  double ticks[BV_CHART_TICKS_MAX];
  unsigned char decade[BV_CHART_TICKS_MAX]; /* a power of ten (or 0): labelled first */
} bv_chart_axis;
void bv_chart_axis_make(bv_chart_axis *a, bv_scale_kind kind, double lo, double hi);
/* v's place on the axis in [0, 1] (lo -> 0, hi -> 1). */
double bv_chart_axis_t(const bv_chart_axis *a, double v);
/* Which tick labels to draw, given each label's centre and half width along
 * the axis (any unit, increasing with the value) and the gap two labels
 * need: decades first (greedily, lowest first), then the others where they
 * clear every label kept. keep[i] = 1 for a label drawn. */
void bv_chart_label_keep(const bv_chart_axis *a, const double *centre, const double *half,
                         double gap, unsigned char *keep);

/* --- the process chart view (Vega-Lite scatter and the image) ------------ */

/* Colour values that get a legend entry; the rest are one "... and N more". */
#define BV_CHART_LEGEND_MAX 30

/* A process as the procs outputs other than the model file write it: in the
 * node's syntax (Elixir: #PID<0.1.0>, DemoApp.Worker.init/1,
 * :proc_lib.init_p/5; Erlang: as the model keeps them), and its identity
 * (bv_ident_display: registered name, else label, else the module of its
 * initial call, with the pid; never empty). */
typedef struct bv_procs_disp {
  int elixir;
  bv_arena *arena;        /* call texts in the node's syntax, identities */
  bv_intern calls;        /* model text pointer -> text in the node's syntax */
  bv_intern whos;         /* identity text -> its one copy (bv_procs_view_text) */
  bv_buf pid, who;
} bv_procs_disp;
int bv_procs_disp_init(bv_procs_disp *d, int elixir);
void bv_procs_disp_dispose(bv_procs_disp *d);    /* also of a zeroed one */
/* A call ("mod:fun/arity") or module text in the node's syntax: a stable
 * pointer (one per distinct pointer given); NULL for NULL. */
const char *bv_procs_disp_call(bv_procs_disp *d, const char *t);
/* *out = *p with pid, current_function and initial_call in the node's syntax
 * (the pid text lives until the next call). BV_ENOMEM. */
int bv_procs_disp_row(bv_procs_disp *d, const bv_proc *p, bv_proc *out);
/* p's identity in the node's syntax, valid until the next call; NULL only
 * when out of memory. */
const char *bv_procs_disp_who(bv_procs_disp *d, const bv_proc *p);

typedef struct bv_procs_view {
  bv_proc_field x, y;     /* numeric axis fields, log scale */
  bv_proc_field color;    /* text field the points are coloured by; name
                             colours by the identity (bv_procs_disp_who) */
  bv_procs_disp *disp;    /* the texts coloured by (bv_procs_view_make) */
  bv_scale_kind xscale, yscale; /* bv_chart_scale_for (log unless a count field is mostly 0/1) */
  size_t zeros;           /* points with x or y = 0 on a log axis: drawn at 1 as hollow squares */
  /* The colour domain in Vega's order (a nominal scale sorts its values):
   * absent first (NULL, labelled BV_CHART_NONE_LABEL), then texts in byte order
   * (texts in the node's syntax: bv_procs_view_text). Value i
   * gets colour bv_chart_rgb(ncolors, i). */
  size_t ncolors;
  const char **colors;
  size_t legend;          /* entries in the legend: colors[0..legend) */
  size_t more;            /* the rest, shown as "... and N more" */
  int oom;                /* bv_procs_view_text ran out of memory */
  bv_chart_axis xaxis, yaxis; /* the data's extent and ticks (bv_procs_view_make) */
} bv_procs_view;

/* Resolves and checks the chart fields of o (NULL or NULL names = defaults)
 * into v (no snapshot needed): BV_EINVAL naming the field and the value. */
int bv_procs_view_fields(const bv_emit_opts *o, bv_procs_view *v);
/* The same for snapshot s (NULL: unknown): x defaults to reductions_per_sec
 * over a window; a window field of a plain snapshot is refused. */
int bv_procs_view_fields_for(const bv_emit_opts *o, const bv_snapshot *s, bv_procs_view *v);
/* The whole view of s: fields as above, zeros, colour domain and legend.
 * Dispose with bv_procs_view_dispose (also after a failure). */
int bv_procs_view_make(const bv_snapshot *s, const bv_emit_opts *o, bv_procs_view *v);
void bv_procs_view_dispose(bv_procs_view *v);
/* The colour text of p (NULL = absent): the field in the node's syntax, the
 * identity for name (never absent); equal texts share one pointer, valid
 * until the view is disposed. NULL also when out of memory: check v->oom. */
const char *bv_procs_view_text(bv_procs_view *v, const bv_proc *p);
/* The colour field's key in the Vega-Lite data: "who" (the identity) for
 * name, else the field's name. */
const char *bv_procs_view_color_key(const bv_procs_view *v);
/* Index of a colour value in the domain (t NULL = absent). */
size_t bv_procs_view_color(const bv_procs_view *v, const char *t);
/* Legend text of an absent value (a process without a label...). */
#define BV_CHART_NONE_LABEL "(none)"
/* A domain value as the legend shows it (BV_CHART_NONE_LABEL for absent). */
const char *bv_procs_view_label(const bv_procs_view *v, size_t i);
/* "Processes on NODE: Y against X" */
int bv_procs_view_title(bv_buf *b, const bv_snapshot *s, const bv_procs_view *v);
/* "N of M processes, OTP R; K exited while being read (skipped)" */
/* "; N of M nodes; failed: x@h (reason)" of a cluster snapshot (nothing for one node). */
int bv_procs_view_nodes(bv_buf *b, const bv_snapshot *s);
int bv_procs_view_counts(bv_buf *b, const bv_snapshot *s);
/* "N points with X or Y = 0 drawn at 1 (the log axis floor) as squares"
 * (nothing when there are none). */
int bv_procs_view_zeros_note(bv_buf *b, const bv_procs_view *v);
/* "... and N more" (with an ellipsis character). */
int bv_procs_view_more(bv_buf *b, const bv_procs_view *v);

/* Labels of the shape legend for zero marks, and the value it tests. */
#define BV_CHART_ZERO_LABEL "0, drawn at 1"
#define BV_CHART_REAL_LABEL "as measured"

/* --- the top-N bar chart --------------------------------------------------- */

/* Bars drawn at most: a bar chart of more processes shows the largest
 * BV_CHART_BARS_MAX and says so in its subtitle. */
#define BV_CHART_BARS_MAX 100
/* Widest identity on the bars' axis, px (longer ones end with an ellipsis),
 * and a bar's row (Vega-Lite's band step). */
#define BV_BARS_LABEL_LIMIT 200
#define BV_BARS_STEP 20
/* Ticks of the value axis (d3's count: the domain is niced to them too),
 * fewer for small counts so that no tick falls between two integers. */
#define BV_BARS_TICKS 6

typedef struct bv_procs_bars {
  bv_proc_field by;       /* the value drawn (bv_emit_opts.by; default reductions) */
  size_t n;               /* bars, largest first */
  size_t total;           /* processes in the snapshot */
  const bv_proc **rows;   /* the process of each bar */
  const char **who;       /* its identity (bv_procs_disp_who), in the node's syntax */
  const char **value;     /* the value as written by the bar (bv_chart_value_text) */
  double max;             /* the largest value (0 when none) */
  bv_procs_disp disp;
} bv_procs_bars;
/* The bars of s: its processes in decreasing order of o->by (ties: snapshot
 * order), at most BV_CHART_BARS_MAX. Dispose also after a failure. */
int bv_procs_bars_make(const bv_snapshot *s, const bv_emit_opts *o, bv_procs_bars *b);
void bv_procs_bars_dispose(bv_procs_bars *b);
/* "The 20 processes on NODE with the most memory" */
int bv_procs_bars_title(bv_buf *t, const bv_snapshot *s, const bv_procs_bars *b);
/* The counts line (bv_procs_view_counts), then "; the 100 largest of N shown"
 * when the bars were capped. */
int bv_procs_bars_subtitle(bv_buf *t, const bv_snapshot *s, const bv_procs_bars *b);
/* The value axis title: "memory (bytes)", "reductions", "message_queue_len". */
const char *bv_procs_bars_axis_title(const bv_procs_bars *b);
/* The value axis' tick count: BV_BARS_TICKS, fewer below 6 (1 for all zeros). */
int bv_procs_bars_ticks(const bv_procs_bars *b);
/* A value as a bar is labelled: memory in bytes with SI units, three
 * significant digits ("512 B", "12.3 kB", "1.25 MB"), other fields as
 * integers with thousands separators ("1,234,567"). */
int bv_chart_value_text(bv_buf *t, bv_proc_field f, double v);

/* --- the memory chart view ------------------------------------------------ */

/* The kinds drawn (total, processes, atom, binary, code, ets: not system),
 * in legend order, each in MB (10^6 bytes), against the time since the first
 * sample. Kinds that stay small next to total get a panel of their own below
 * (their own y scale, the same x axis), so they do not lie flat under total:
 * a kind is small when its largest value is below BV_MEM_SMALL_PCT percent of
 * total's largest value (decided once, over the whole series). One legend
 * and one colour per kind (its index in kinds) for both panels. */
#define BV_MEM_CHARTED 6
#define BV_MEM_SMALL_PCT 10 /* a divisor of 100 */
#define BV_MEM_MAX_XTICKS 64
/* A cluster series (bv_memseries.nnodes > 0) is drawn as one line per node
 * (colour = node, legend = the nodes) in two panels: total above, processes
 * below, each node against the time since its own first sample. At most
 * BV_MEM_MAX_NODES nodes are drawn (the first collected, in the order
 * asked; a note says how many were left out). */
#define BV_MEM_MAX_NODES 10

typedef struct bv_memory_panel {
  size_t nkinds;
  size_t kinds[BV_MEM_CHARTED]; /* indexes into the view's kinds, in legend order */
  const char *y_title;          /* "Memory usage (MB)"; the small kinds: "Small kinds (MB)" */
  double height;                /* plot height in px at the default size */
  int x_labels;                 /* the x axis' labels and title (the lowest panel) */
} bv_memory_panel;

typedef struct bv_memory_view {
  size_t nkinds;                /* BV_MEM_CHARTED */
  const char *const *kinds;     /* bv_mem_kinds[0..nkinds) */
  double unit;                  /* bytes per unit: 1e6 */
  const char *unit_name;        /* "MB" */
  /* x: time since the first sample, in seconds, or minutes or hours for long
   * series (x_ms ms per unit); domain [0, x_max], no tick outside it */
  const char *x_field;          /* "seconds", "minutes" or "hours" */
  const char *x_title;          /* "seconds since the first sample" */
  double x_ms;                  /* 1000, 60000 or 3600000 */
  double x_max;                 /* the latest sample's time (1 unit when that is 0) */
  uint64_t t0;                  /* t_ms of the first sample */
  int scheduled;                /* no sample times in the model (all equal): the schedule,
                                   (iter - first iter) * interval_ms */
  size_t npanels;               /* 1, or 2 with small kinds */
  bv_memory_panel panel[2];     /* top to bottom */
  const char *y_title;          /* "Memory usage (MB)" */
  const char *legend_title;     /* "memory" */
  int points;                   /* markers on the lines (few samples) */
  /* a cluster series: the lines are the nodes drawn (nseries), series[j] the
   * node's name, node[j] its index in the model's nodes; each panel has one
   * kind (kinds[0]); t0 and iter0 are per node */
  int cluster;
  size_t nseries;
  const char *series[BV_MEM_MAX_NODES];
  uint32_t node[BV_MEM_MAX_NODES];
  uint64_t t0s[BV_MEM_MAX_NODES];
  uint32_t iter0[BV_MEM_MAX_NODES];
  size_t left_out;              /* collected nodes not drawn (over BV_MEM_MAX_NODES) */
  size_t failed;                /* nodes that could not be sampled */
} bv_memory_view;

void bv_memory_view_make(const bv_memseries *m, bv_memory_view *v);
/* The line sample i is drawn on in a cluster view (its node's index in
 * series), or -1 when its node is not drawn; 0 in a single-node view. */
int bv_memory_view_line(const bv_memory_view *v, const bv_memseries *m, size_t i);
/* Lines in panel p: its kinds, or in a cluster view the nodes drawn. Line j
 * of panel p: its kind (into kinds) and its colour (legend entry). */
size_t bv_memory_view_nlines(const bv_memory_view *v, const bv_memory_panel *p);
size_t bv_memory_view_line_kind(const bv_memory_view *v, const bv_memory_panel *p, size_t j);
size_t bv_memory_view_line_color(const bv_memory_view *v, const bv_memory_panel *p, size_t j);
/* bytes in the view's unit */
double bv_memory_view_value(const bv_memory_view *v, uint64_t bytes);
/* ms since the first sample of sample i (0 before it; the schedule when the
 * model has no times) */
uint64_t bv_memory_view_ms(const bv_memory_view *v, const bv_memseries *m, size_t i);
/* sample i's x: its time in the view's x unit */
double bv_memory_view_x(const bv_memory_view *v, const bv_memseries *m, size_t i);
/* The x ticks for a plot `width` px wide: multiples of one step (1, 2 or 5
 * times a power of ten; 10, 15, 30, 60 s or min; 3, 6, 12, 24 h) from 0 to
 * x_max, about one per 60 px (at least 2). Writes at most BV_MEM_MAX_XTICKS
 * values to ticks, returns how many, and the decimals their labels need. */
size_t bv_memory_view_xticks(const bv_memory_view *v, double width, double *ticks,
                             int *decimals);
/* "Memory of NODE" ("Memory of 3 nodes") */
int bv_memory_view_title(bv_buf *b, const bv_memseries *m);
/* "erlang:memory(), N samples every I ms, OTP R" */
int bv_memory_view_subtitle(bv_buf *b, const bv_memseries *m);
/* Further subtitle lines (0, 1 or 2): with a lower panel, "atom, binary and
 * ets: below 10% of total, drawn below on their own scale"; for a model
 * without sample times, "no sample times in the file: drawn at the interval".
 * A cluster view: "each node against the time since its own first sample"
 * (with the nodes left out), and the nodes not sampled.
 * bv_memory_view_note writes line k < bv_memory_view_nnotes. */
size_t bv_memory_view_nnotes(const bv_memory_view *v);
int bv_memory_view_note(bv_buf *b, const bv_memory_view *v, const bv_memseries *m, size_t k);

/* The text a node is drawn with (UTF-8, lines separated by '\n', not escaped):
 * registered name, else child id and pid, else role and pid, else (an unnamed
 * dynamic child) the module of its child spec and pid, else pid; a linked
 * process outside the tree gets its module or initial call as a second line;
 * modules and calls in the target's syntax (on Elixir nodes DemoApp.Session,
 * DemoApp.Worker.init/1, :proc_lib.init_p/5); a second
 * line with the state (restarting, undefined, no answer: timeout ...); folded
 * nodes read "... and K more workers" / "K more below". Pids are written the
 * target's way (bv_pid_display); each line is cut to max_line bytes (0 = 80). */
int bv_tree_label(bv_buf *b, const bv_tree *t, const bv_tnode *n, size_t max_line);

/* CSS-like class of a node kind (the Mermaid classDefs and the image styles):
 * root, supervisor, worker, notstarted, unresponsive, external, folded. */
const char *bv_tree_class(bv_tnode_kind k);

/* What every format of a supervision tree draws. tree holds the shown nodes
 * (breadth-first, the root first, children contiguous): siblings beyond
 * max_children become one BV_TN_FOLDED node (role "siblings"; folded counts
 * them, folded_sups/folded_ext by one rule: linked, else supervisor (also one
 * that did not answer or a not-started one whose spec says supervisor), else
 * worker; folded_total adds their descendants). The kept siblings are those
 * with subtrees first, then childless supervisors, then leaf workers and
 * linked processes, shown in start order. The children of a node max_depth
 * supervision levels below the top supervisor become one (role "below"):
 * levels count from the first node under an application's chain (its master
 * and start helper, never counted), the root of a tree without one; 0 = no
 * limit for either. Links keep only edges between shown nodes. */
typedef struct bv_tree_view {
  bv_tree *tree;           /* the shown tree (owned by the view) */
  int32_t *model;          /* shown node -> its index in the model, -1 for a fold */
  const char **label;      /* shown node's text (bv_tree_label, 80 bytes a line;
                              lines split by '\n'), the same in every format */
  const char **full;       /* the same text with no line cut: what a picture
                              draws (shortened by width) and shows in full on hover */
  const char **cls;        /* shown node's class (bv_tree_class) */
  int left_right;          /* drawn left to right (asked for; BV_DIR_AUTO leaves it 0
                              and each format picks) */
  unsigned depth;          /* supervision levels below the top supervisor in the model */
  /* counts (bv_tree_view_info copies them into bv_emit_info) */
  size_t nodes;            /* nodes in the model the view draws from (external
                              ones left out by links none|members not counted) */
  size_t hidden_siblings;  /* processes hidden in "... and K more" nodes */
  size_t hidden_below;     /* processes hidden in "K more below" nodes */
  size_t folds;            /* fold nodes made */
  unsigned max_children;   /* limits applied; max_depth 0 when it folds nothing */
  unsigned max_depth;
} bv_tree_view;

/* Makes the view of t with o's max_children, max_depth, left_right and links
 * (o is not NULL: bv_emit passes bv_emit_opts_init's defaults). links: none
 * drops links[] and the external nodes, members the external nodes (and links
 * to them), all (and BV_LINKS_DEFAULT: a format with its own default sets it
 * before) keeps what the model holds; what is dropped is neither drawn nor
 * counted in folds. BV_EINVAL for a tree
 * whose indices do not make a tree. The caller frees *out. */
int bv_tree_view_make(const bv_tree *t, const bv_emit_opts *o, bv_tree_view **out);
void bv_tree_view_free(bv_tree_view *v);   /* NULL ok */
/* Sets info's tree counts (nodes, hidden_*, folds, max_*) from v; NULL ok. */
void bv_tree_view_info(const bv_tree_view *v, bv_emit_info *info);
/* Across nodes: adds one tree's counts (nodes, hidden, folds) to sum and keeps
 * the largest max_children and max_depth. */
void bv_tree_info_add(bv_emit_info *sum, const bv_emit_info *one);

/* --- message traces ---------------------------------------------------------- */

/* What a trace shows, whatever the format: Mermaid (emit/trace.c) and the image
 * layout (layout/trace.c) both draw exactly this. Everything lives in `arena`. */
typedef struct bv_trace_view {
  bv_arena *arena;
  const bv_trace *t;
  /* participants drawn: those of the messages drawn (or, when none is, the
   * attached processes), in order of first appearance; labels are plain UTF-8
   * (not escaped), by the identity rule (bv_ident_display): the registered name
   * alone (Elixir. stripped), else the process label, else the module of its
   * (translated) initial call, each followed by the pid, else the pid alone;
   * pids and modules written the target's way; a participant known only by a
   * name (no pid) is that name */
  size_t nparts;
  uint32_t *parts;          /* indices in t->parts */
  const char **part_label;
  int32_t *col;             /* per t->parts entry: its place among parts, or -1 */
  /* messages drawn: the first ones between shown participants, never a sample */
  size_t n;
  uint32_t *ev;             /* indices in t->events */
  const char **label;       /* the event's label ("?" when empty) */
  const char **payload;     /* the first o->payload characters of its text (a
                               SPAWN's text is OTP's internal signal: none), or NULL */
  /* a trace across nodes (t->nnodes > 0): the participants are grouped by
   * the node they run on, in the order of t->nodes (stable: in order of first
   * appearance inside a node); those of no node, or of a node the trace does
   * not list, come last and are in no group. A group is a run of parts. */
  size_t ngroups;
  struct bv_trace_group {
    const char *node;       /* t->nodes[..].node */
    size_t first, n;        /* parts[first .. first + n) */
  } *groups;
  /* across nodes: "message sequence across N nodes, entry node E" ("N of M
   * nodes" when some were not traced), else NULL */
  const char *title;
  uint32_t *rank;           /* per t->parts entry: its node's index in t->nodes,
                               t->nnodes for none (set once by bv_trace_view_make) */
  /* notes, in order: messages left out, nothing to show, why the trace stopped
   * when that is not its normal end, the nodes that were not traced */
  size_t nnotes;
  const char *notes[4];
  /* counts (bv_emit_info) */
  size_t visible;           /* messages between shown participants */
  size_t left_out;          /* visible messages not drawn (visible - n) */
  size_t hidden;            /* messages to or from hidden system processes */
} bv_trace_view;

/* Makes the view of t under o (NULL: bv_emit_opts_init's defaults): system
 * processes hidden unless o->all; at most o->max_shown messages (0 = all);
 * o->payload characters of text, cut at a UTF-8 boundary. BV_EINVAL when an
 * event names a participant that does not exist. Free with bv_trace_view_free. */
int bv_trace_view_make(const bv_trace *t, const bv_emit_opts *o, bv_trace_view **out);
/* Keeps only the first n messages drawn (a format's own size limit):
 * participants, counts and notes follow. n >= v->n changes nothing. */
int bv_trace_view_cut(bv_trace_view *v, size_t n);
void bv_trace_view_free(bv_trace_view *v);  /* NULL ok */
/* Copies the view's counts into info (shown, left_out, hidden); NULL ok. */
void bv_trace_view_info(const bv_trace_view *v, bv_emit_info *info);

/* --- the cluster map --------------------------------------------------------- */

/* What a cluster map shows, whatever the format (Mermaid, text, images): each
 * node's label lines and class, the title. Everything lives in `arena`. */
typedef struct bv_cluster_view {
  bv_arena *arena;
  const bv_clustermap *map;
  /* node i's label, lines split by '\n': its name; "OTP 25 · Elixir ·
   * 1,234 processes"; "45.6 MB · up 3 h 12 min". Unreachable: its name;
   * "unreachable"; the reason (the connection's message without its leading
   * "node NAME ", at most BV_CLUSTER_REASON_MAX bytes, cut at a character with
   * "...", wrapped at spaces into lines of even length, at most about
   * BV_CLUSTER_REASON_LINE characters). Plain UTF-8, not escaped. */
  const char **label;
  const char **cls;      /* "entry", "member", "hiddennode" (a hidden node), "unreachable" (Mermaid classes: not "node", Mermaid's own) */
  const char *title;     /* "Cluster of a@h: 3 nodes, 2 connections (1 hidden), 1 unreachable" */
  size_t visible_edges, hidden_edges;
} bv_cluster_view;
#define BV_CLUSTER_REASON_MAX 90
#define BV_CLUSTER_REASON_LINE 36

int bv_cluster_view_make(const bv_clustermap *m, const bv_emit_opts *o, bv_cluster_view **out);
void bv_cluster_view_free(bv_cluster_view *v);  /* NULL ok */
/* Texts the view writes (d: at least 32 bytes; return d): "1,234,567";
 * "45.6 MB" (10^6 bytes; GB from 10^9); "3 h 12 min" (s, min, h min, d h). */
const char *bv_cluster_fmt_count(char *d, size_t cap, uint64_t v);
const char *bv_cluster_fmt_bytes(char *d, size_t cap, uint64_t v);
const char *bv_cluster_fmt_uptime(char *d, size_t cap, uint64_t ms);

#endif
