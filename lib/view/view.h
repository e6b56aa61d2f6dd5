/* view/view.h: the format-free view step of each model kind: what is shown,
 * with which labels, folds, notes and counts. Every output draws from it. */
#ifndef BV_VIEW_H
#define BV_VIEW_H

#include "model/model.h"

/* Points a log-log chart of x against y cannot place (x or y is 0). */
size_t bv_snapshot_zeros(const bv_snapshot *s, bv_proc_field x, bv_proc_field y);

/* Chart fields as enums (the streaming Vega-Lite's callers); BV_PF_NONE or
 * BV_PF_PID means the default (x reductions, y memory, color status). */
typedef struct bv_procs_chart {
  bv_proc_field x, y;   /* numeric fields, log scale base 10 */
  bv_proc_field color;  /* a text field (status, name, current_function, initial_call) */
} bv_procs_chart;

/* --- the process chart view (Vega-Lite scatter and the image) ------------ */

/* Colour values that get a legend entry; the rest are one "... and N more". */
#define BV_CHART_LEGEND_MAX 30

typedef struct bv_procs_view {
  bv_proc_field x, y;     /* numeric axis fields, log scale */
  bv_proc_field color;    /* text field the points are coloured by */
  size_t zeros;           /* points with x or y = 0: drawn at 1 as hollow squares */
  /* The colour domain in Vega's order (a nominal scale sorts its values):
   * absent first (NULL, labelled "null"), then texts in byte order. Value i
   * gets category10 colour i % 10. */
  size_t ncolors;
  const char **colors;
  size_t legend;          /* entries in the legend: colors[0..legend) */
  size_t more;            /* the rest, shown as "... and N more" */
} bv_procs_view;

/* Resolves and checks the chart fields of o (NULL or NULL names = defaults)
 * into v (no snapshot needed): BV_EINVAL naming the field and the value. */
int bv_procs_view_fields(const bv_emit_opts *o, bv_procs_view *v);
/* The whole view of s: fields as above, zeros, colour domain and legend.
 * Dispose with bv_procs_view_dispose (also after a failure). */
int bv_procs_view_make(const bv_snapshot *s, const bv_emit_opts *o, bv_procs_view *v);
void bv_procs_view_dispose(bv_procs_view *v);
/* Index of a colour value in the domain (t NULL = absent). */
size_t bv_procs_view_color(const bv_procs_view *v, const char *t);
/* A domain value as the legend shows it ("null" for absent). */
const char *bv_procs_view_label(const bv_procs_view *v, size_t i);
/* "Processes on NODE: Y against X" */
int bv_procs_view_title(bv_buf *b, const bv_snapshot *s, const bv_procs_view *v);
/* "N of M processes, OTP R; K exited while being read (skipped)" */
int bv_procs_view_counts(bv_buf *b, const bv_snapshot *s);
/* "N points with X or Y = 0 drawn at 1 (the log axis floor) as squares"
 * (nothing when there are none). */
int bv_procs_view_zeros_note(bv_buf *b, const bv_procs_view *v);
/* "... and N more" (with an ellipsis character). */
int bv_procs_view_more(bv_buf *b, const bv_procs_view *v);

/* Labels of the shape legend for zero marks, and the value it tests. */
#define BV_CHART_ZERO_LABEL "0, drawn at 1"
#define BV_CHART_REAL_LABEL "as measured"

/* --- the memory chart view ------------------------------------------------ */

/* The kinds drawn (total, processes, atom, binary, code, ets: not system),
 * in legend order, each in MB (10^6 bytes) against the measurement number. */
#define BV_MEM_CHARTED 6
typedef struct bv_memory_view {
  size_t nkinds;                /* BV_MEM_CHARTED */
  const char *const *kinds;     /* bv_mem_kinds[0..nkinds) */
  double unit;                  /* bytes per unit: 1e6 */
  const char *unit_name;        /* "MB" */
  const char *x_field;          /* "iter" */
  const char *x_title;          /* "Measurement" */
  const char *y_title;          /* "Memory usage (MB)" */
  const char *legend_title;     /* "memory" */
  int points;                   /* markers on the lines (few samples) */
} bv_memory_view;

void bv_memory_view_make(const bv_memseries *m, bv_memory_view *v);
/* bytes in the view's unit */
double bv_memory_view_value(const bv_memory_view *v, uint64_t bytes);
/* "Memory of NODE" */
int bv_memory_view_title(bv_buf *b, const bv_memseries *m);
/* "erlang:memory(), N samples every I ms, OTP R" */
int bv_memory_view_subtitle(bv_buf *b, const bv_memseries *m);

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




#endif
