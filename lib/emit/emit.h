/* emit/emit.h: the text formats (Mermaid, Vega-Lite, CSV, text), each drawn
 * from its view. */
#ifndef BV_EMIT_H
#define BV_EMIT_H

#include "view/view.h"

/* Appends s[0..n) escaped for a quoted Mermaid label, participant alias or
 * message text: letters, digits, UTF-8 and " _-./,+=*!?@$%^~'()[]{}" kept,
 * newline as <br/>, every other byte as #<decimal>; (MERMAID.md). C1 controls
 * (U+0080-U+009F) are written #<code point>; and bytes that are not valid UTF-8
 * #<byte>;, so no control character reaches the file. */
int bv_mmd_escape(bv_buf *b, const char *s, size_t n);


/* Process snapshots (bv_emit_fn rows), drawn from the chart view
 * (bv_procs_view): o's x, y and color are checked in every format.
 * CSV, RFC 4180 (CRLF, fields quoted when they hold , or "), header
 * pid,name,reductions,memory,status,message_queue_len,current_function,initial_call.
 * Text cells are for terminals and spreadsheets: control characters are written
 * as visible escapes (bv_buf_text), and a cell starting with = + - or @ gets a
 * ' in front (no formula runs); the JSON model file keeps the exact text.
 * Vega-Lite v5 scatter with the data inline (templates/procs.vl.json). Zero
 * values are drawn at 1 (the log axis floor) as hollow squares, the tooltip
 * shows the real value and the subtitle counts them (info->zeros). The legend
 * lists the view's entries; past BV_CHART_LEGEND_MAX the subtitle says
 * "... and N more". */
int bv_emit_procs_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info);
int bv_emit_procs_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                           bv_emit_info *info);
/* The top-N bar chart (templates/procs_bar.vl.json), drawn from the bars
 * view (bv_procs_bars): a layer of bars and their values, the identities on
 * the y axis in the view's order. */
int bv_emit_procs_bars_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                                bv_out *out, bv_emit_info *info);



/* Memory series, drawn from the memory view (bv_memory_view).
 * CSV: iter,t_ms,total,...,system in bytes (RFC 4180, CRLF).
 * Vega-Lite v5 line chart of the view's kinds in its unit (MB, 10^6 bytes)
 * against the time since the first sample, one panel (vconcat) per group of
 * kinds (templates/memory.vl.json, memory_panel.vl.json). */
int bv_emit_memory_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info);
int bv_emit_memory_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info);


/* A text table: NAME VERSION TREE DESCRIPTION, one application a line. */
int bv_apps_text(bv_buf *b, const bv_applist *l);

/* The trace view (view/view.h) as a Mermaid sequenceDiagram (BV_FMT_MERMAID,
 * or BV_FMT_MD: a fenced block): participants p0, p1... in the view's order,
 * labels escaped with bv_mmd_escape, the payload after a <br/>; `->>` for
 * messages, `-->>` for replies; activation bars (always balanced) for
 * processes spawned during the trace; the view's notes as `Note` lines over
 * every participant. A trace across nodes adds the view's title (`title`)
 * and puts each node's participants in a `box rgba(...) NODE ... end` (the
 * view's groups; those of no node after, in none). The view's messages, then
 * as many as fit in 50,000 characters (the rest counted in info->left_out).
 * Deterministic. */
int bv_emit_seq_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info);

/* A supervision tree as a Mermaid flowchart (fmt BV_FMT_MERMAID, or BV_FMT_MD
 * for a fenced ```mermaid block), drawn from its view (bv_tree_view_make):
 * ids n0, n1... in the view's order; every label quoted and escaped with
 * bv_mmd_escape; classes root, supervisor, worker, notstarted, unresponsive,
 * external, folded (Kino's colours); supervision edges solid, links dotted.
 * Then tightens the limits (and drops link edges last) until the text has
 * fewer than 500 edges and at most 50,000 characters: siblings halved down to
 * 2, then the deepest level count that fits, whatever the tree's depth;
 * info->reduced / links_dropped say so, and its limits draw the same picture
 * (when no link edges were dropped). Deterministic. */
int bv_emit_tree_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                         bv_emit_info *info);

/* One (model kind x text format) writer. The registry (api/registry.c) has a
 * row per pair and bv_emit calls it; fmt tells variants apart (Mermaid or a
 * Markdown block). Each draws from its kind's view (view/view.h), so every
 * format shows the same things. info may be NULL. */
typedef int (*bv_emit_fn)(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                          bv_emit_info *info);

/* The writers behind the registry's rows, one per (kind x text format). */
int bv_emit_tree_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                         bv_emit_info *info);  /* BV_FMT_MERMAID or BV_FMT_MD */
int bv_emit_seq_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info);   /* BV_FMT_MERMAID or BV_FMT_MD */
int bv_emit_procs_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                           bv_emit_info *info);
int bv_emit_procs_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info);
int bv_emit_memory_vegalite(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info);
int bv_emit_memory_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info);
int bv_emit_apps_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info);
/* CSV (RFC 4180, CRLF): name,version,tree,description, cells as in the
 * process CSV (bv_wr_csv). Markdown: a table of the same columns, cells clean
 * text with | \ ` < > backslash-escaped. */
int bv_emit_apps_csv(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                     bv_emit_info *info);
int bv_emit_apps_md(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                    bv_emit_info *info);
/* A supervision tree as an indented text tree like tree(1) (BV_FMT_TEXT),
 * drawn from its view: one node a line, "├── " / "└── " / "│   " before it,
 * its label (lines joined by a space, control characters escaped) and its
 * class in brackets ("kernel_sup [supervisor]"); folds as their fold label. */
int bv_emit_tree_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                      bv_emit_info *info);

/* Plain-text tables (BV_FMT_TEXT) for terminals and CI logs (emit/table_text.c).
 * Processes: a first line "Processes on NODE: N of M, sorted by F (largest
 * first)", a header PID WHO REDUCTIONS MEMORY MSGQ STATUS CURRENT_FUNCTION,
 * then every process of the snapshot, one a line, sorted largest first by
 * by (o->by in bv_emit: NULL = reductions; ties in snapshot order, so a
 * bv_snapshot_top by the same field keeps its order); BV_EINVAL for a field
 * that is not numeric. Pids, identities
 * (bv_procs_disp_who) and calls in the node's syntax; texts cleaned
 * (bv_buf_text) and cut on character boundaries with an ellipsis (who 32,
 * pid 20, status 10 columns, the call to what is left of 120); numbers right-
 * aligned. The CLI keeps the top 20 first. o's chart fields are checked as in
 * every format.
 * Memory: "Memory of NODE in MB (10^6 bytes), N samples every I ms", a header
 * (seconds and every kind), then one sample a line: seconds since the first
 * sample (from t_ms, 3 decimals) and each kind in MB (2 decimals), aligned. */
int bv_procs_text(bv_out *out, const bv_snapshot *s, bv_proc_field by);
int bv_memory_text(bv_out *out, const bv_memseries *m);
int bv_emit_procs_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                       bv_emit_info *info);
int bv_emit_memory_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info);

/* The cluster map, drawn from its view (bv_cluster_view_make). Mermaid
 * (BV_FMT_MERMAID, or BV_FMT_MD: a fenced block): `flowchart LR`, a %% comment
 * with the title, nodes n0, n1... in the map's order with their label lines
 * (escaped with bv_mmd_escape, lines as <br/>) and class (entry, member,
 * hiddennode, unreachable), visible connections `---`, hidden ones `-.-`
 * (visible first; past Mermaid's 499 edges the rest are left out, counted in
 * info->left_out and a %% comment); a text over Mermaid's 50,000 characters
 * is written again with the node names alone as labels (info->reduced).
 * Text: the title, then a table NODE OTP
 * PROCESSES MEMORY UPTIME CONNECTED TO (one node a line, "(hidden)" after a
 * hidden connection), then one line per unreachable node with its reason. */
int bv_cluster_mermaid(bv_buf *b, const bv_cluster_view *v, int names_only, size_t max_nodes,
                       size_t *dropped);
int bv_cluster_text(bv_buf *b, const bv_cluster_view *v);
int bv_emit_cluster_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info);
int bv_emit_cluster_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                         bv_emit_info *info);

#endif
