/* layout/layout.h: scenes (display lists of pure geometry), text measuring and
 * the layouts that turn a view into a scene. */
#ifndef BV_LAYOUT_H
#define BV_LAYOUT_H

#include "view/view.h"

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

/* A deterministic fake for tests: width 0.6*size per code point (0.65 bold),
 * ascent 0.8*size, descent 0.2*size. */
void bv_fake_measure(bv_measure *m);

/* Each layout builds a new scene into *out (caller frees). BV_EINVAL for a
 * model it cannot draw (bad indices), BV_ENOMEM. */

/* One kind's layout for images: the registry's image writer (api/) measures
 * with o->font, calls it, and renders the scene. Draws from the same view as
 * the text formats. info may be NULL. */
typedef int (*bv_layout_fn)(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                            bv_scene **out, bv_emit_info *info);

/* A message trace (BV_MODEL_TRACE) drawn from its view (view/view.h): the
 * same participants, labels (payload on a second line), notes and counts as
 * the Mermaid. o NULL = defaults. info: shown, left_out, hidden, width, height. */
int bv_layout_seq_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                        bv_scene **out, bv_emit_info *info);

/* A supervision tree drawn from its view (bv_tree_view_make): the same shown
 * nodes, fold nodes, label texts and classes as the Mermaid output (images are
 * not tightened: no edge limit); labels wider than 320 px are shortened with
 * an ellipsis (the item's full text is the view's label). Each box and its
 * text items carry ref = the model node's index (-1 for folds). No note: info
 * has the counts (and the natural width and height). */
int bv_layout_tree_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                         bv_scene **out, bv_emit_info *info);

/* The charts (bv_layout_fn), drawn from the chart views as the Vega-Lite
 * writers are: the same fields (checked the same way), legend entries and
 * "... and N more", zero marks (info->zeros), memory kinds and units. They
 * use o's x, y, color, width, height and dark. */
int bv_layout_scatter_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                            bv_scene **out, bv_emit_info *info);
int bv_layout_memory_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                           bv_scene **out, bv_emit_info *info);
/* The top-N bars (layout/bar.c) from the bars view, as the Vega-Lite bar
 * chart draws them: 20 px a row, names cut with an ellipsis at
 * BV_BARS_LABEL_LIMIT px, the value after each bar. */
int bv_layout_bars_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                         bv_scene **out, bv_emit_info *info);

/* The cluster map (layout/cluster.c) from its view: the same labels, classes
 * and title as the Mermaid; boxes of one size on an ellipse (up to 8 nodes)
 * or in a grid about 1000 px wide at most, connections straight between box
 * centres behind the boxes (hidden ones dotted), a legend of the kinds of
 * connection drawn. Each box and its texts carry ref = the node's index,
 * each connection its edge index. */
int bv_layout_cluster_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                            bv_scene **out, bv_emit_info *info);

#endif
