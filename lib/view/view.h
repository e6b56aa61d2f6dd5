/* view/view.h: the format-free view step of each model kind: what is shown,
 * with which labels, folds, notes and counts. Every output draws from it. */
#ifndef BV_VIEW_H
#define BV_VIEW_H

#include "model/model.h"

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


/* --- message traces ---------------------------------------------------------- */

/* What a trace shows, whatever the format: Mermaid (emit/seq.c) and the image
 * layout (layout/seq.c) both draw exactly this. Everything lives in `arena`. */
typedef struct bv_trace_view {
  bv_arena *arena;
  const bv_trace *t;
  /* participants drawn: those of the messages drawn, in order of first
   * appearance; labels are plain UTF-8 (not escaped): the registered name
   * (Elixir. stripped), else the pid written the target's way */
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
  /* notes, in order: messages left out, nothing to show, why the trace stopped
   * when that is not its normal end */
  size_t nnotes;
  const char *notes[3];
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

#endif
