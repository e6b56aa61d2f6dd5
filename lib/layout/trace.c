/* layout/trace.c: message sequences, drawn from the trace view (view/trace.c:
 * the same participants, labels, payloads and notes as the Mermaid).
 * Participant boxes at the top and bottom, dashed lifelines, one row per
 * message with its label (and payload line) above the arrow (rows never share
 * a line, so labels cannot overlap), solid arrows for messages and dotted ones
 * for replies, activation bars for processes spawned during the trace,
 * self-messages as loops, and the view's notes.
 * Columns are spaced so every label fits between the lifelines it spans:
 * width grows with participants and labels, height with messages.
 * A trace across nodes adds the view's title line and a frame per node group
 * (the theme's muted grey, full height, the node's name in its top band, on
 * two lines split before the '@' when that keeps the frame narrower); frames
 * take only their padding beside their outer boxes, and grow evenly when the
 * name needs it. */
#include "layout/scene_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 20.0
#define BOX_PAD_X 12.0
#define BOX_PAD_Y 8.0
#define MIN_BOX 70.0
#define COL_GAP 36.0      /* between neighbouring participant boxes */
#define LABEL_ROOM 24.0   /* around a label between two lifelines */
#define LOOP_W 34.0       /* self-message loop */
#define LOOP_H 18.0
#define BAR_W 10.0        /* activation bar */
#define ROW_GAP 10.0
#define FONT_SIZE 12.0
#define MAX_LABEL 320.0   /* wider labels are shortened */
/* a trace across nodes: a frame around each node's participants */
#define FR_PAD 10.0       /* inside a frame, beside its outer boxes */
#define FR_HEAD 22.0      /* the frame's band above its boxes, for the node's name */
#define FR_FOOT 8.0       /* below the bottom boxes */
#define FR_FONT 12.0      /* the node's name */
#define TITLE_H 26.0      /* the title line ("message sequence across N nodes ...") */
#define TITLE_FONT 13.0

static const bv_color PART_FILL = SC_RGB(0xECECFF), PART_STROKE = SC_RGB(0x9370DB);

typedef struct row {
  uint32_t ev;        /* event index in the trace */
  int a, b;           /* visible participant columns */
  const char *label, *full;
  bv_text_metrics tm;
  const char *pay, *pay_full; /* payload line, or NULL */
  bv_text_metrics ptm;
  double y;           /* top of the row */
  double arrow_y;
} row;

typedef struct col {
  uint32_t part;
  const char *label;
  double w, cx;
  double pad_l, pad_r; /* room beside the box: a frame's side (0 if none) */
  int first_row, last_row, spawn_row; /* activation */
} col;

/* Rows in the order their label room is settled: shortest span first, then
 * in trace order. The span is in the key (qsort has no context argument, and
 * a file-scope one would race between threads drawing at once). */
typedef struct order_key {
  int span;
  size_t i;
} order_key;

static int cmp_rows(const void *x, const void *y)
{
  const order_key *a = x, *b = y;
  if (a->span != b->span)
    return a->span < b->span ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

static double bar_edge(const col *c, size_t r, int right)
{
  int active = c->spawn_row >= 0 && (int)r >= c->spawn_row && (int)r <= c->last_row;
  return c->cx + (active ? (right ? BAR_W / 2 : -BAR_W / 2) : 0);
}

static int seq_layout(const bv_trace_view *v, const bv_emit_opts *o, const bv_measure *m,
                      bv_scene **out)
{
  *out = NULL;
  const bv_trace *t = v->t;
  const sc_theme *th = sc_theme_get(o->dark);
  double fs = FONT_SIZE;
  double maxw = MAX_LABEL;
  bv_scene *s;
  int rc = bv_scene_new("sequence", &s);
  if (rc)
    return rc;
  s->font = bv_arena_strdup(s->arena, m->font ? m->font : "DejaVu Sans");
  s->background = th->page;
  s->title = bv_arena_printf(s->arena, "%s%s%s", v->title ? v->title : "message sequence",
                             t->code ? ": " : "", t->code ? t->code : "");
  size_t ncols = v->nparts, nrows = v->n;
  col *cols = calloc(ncols + 1, sizeof *cols);
  row *rows = calloc(nrows + 1, sizeof *rows);
  order_key *order = NULL;
  double *gap = NULL;
  /* frames (v->groups): the node's name as drawn and its width */
  size_t ng = v->ngroups;
  bv_text_metrics *gname = calloc(ng + 1, sizeof *gname);
  /* a name wider than its frame's participants goes on two lines, split
     before its '@' ("name" above "@host"): gl1, gl2 (NULL: one line) */
  const char **gl1 = calloc(2 * (ng + 1), sizeof *gl1), **gl2 = gl1 ? gl1 + ng + 1 : NULL;
  int split_any = 0;
  if (!cols || !rows || !gname || !gl1) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (sequence layout)");
    goto done;
  }
  /* the view's participants and messages, in its order */
  for (size_t c = 0; c < ncols; c++) {
    cols[c].part = v->parts[c];
    cols[c].label = v->part_label[c];
    cols[c].first_row = cols[c].spawn_row = -1;
  }
  for (size_t r = 0; r < nrows; r++) {
    const bv_event *ev = &t->events[v->ev[r]];
    rows[r].ev = v->ev[r];
    rows[r].a = v->col[ev->from];
    rows[r].b = v->col[ev->to];
  }
  if (!ncols) {
    /* nothing at all: one note-only picture */
    cols[0].part = 0;
    cols[0].label = "(no messages)";
    cols[0].first_row = cols[0].spawn_row = -1;
  }
  /* labels and widths */
  double boxh = ceil(fs * 1.25 + 2 * BOX_PAD_Y);
  for (size_t c = 0; c < (ncols ? ncols : 1); c++) {
    const char *sh, *full;
    bv_text_metrics tm;
    if ((rc = sc_fit(s, m, cols[c].label, fs, 0, maxw, &sh, &full, &tm)))
      goto done;
    cols[c].w = fmax(MIN_BOX, ceil(tm.width + 2 * BOX_PAD_X));
    cols[c].last_row = -1;
  }
  for (size_t r = 0; r < nrows; r++) {
    const bv_event *ev = &t->events[rows[r].ev];
    if ((rc = sc_fit(s, m, v->label[r], fs * 0.92, 0, maxw, &rows[r].label, &rows[r].full,
                     &rows[r].tm)))
      goto done;
    if (v->payload[r]) {
      if ((rc = sc_fit(s, m, v->payload[r], fs * 0.85, 0, maxw, &rows[r].pay,
                       &rows[r].pay_full, &rows[r].ptm)))
        goto done;
      rows[r].tm.width = fmax(rows[r].tm.width, rows[r].ptm.width);
    }
    for (int k = 0; k < 2; k++) {
      col *c = &cols[k ? rows[r].b : rows[r].a];
      if (c->first_row < 0)
        c->first_row = (int)r;
      c->last_row = (int)r;
    }
    if (ev->kind == BV_EV_SPAWN && cols[rows[r].b].spawn_row < 0 &&
        t->parts[cols[rows[r].b].part].spawned)
      cols[rows[r].b].spawn_row = (int)r;
  }
  /* spawned during the trace but its spawn is not shown: active from its
     first message */
  for (size_t c = 0; c < ncols; c++)
    if (cols[c].spawn_row < 0 && t->parts[cols[c].part].spawned && cols[c].first_row >= 0)
      cols[c].spawn_row = cols[c].first_row;
  /* column spacing: boxes apart, then every label between its lifelines */
  size_t nc = ncols ? ncols : 1;
  gap = calloc(nc + 1, sizeof *gap);
  order = malloc((nrows + 1) * sizeof *order);
  if (!gap || !order) {
    rc = bv_error_set(BV_ENOMEM, "out of memory (sequence layout)");
    goto done;
  }
  /* a frame's sides: its name fits in it (the frame grows evenly beside its
     outer boxes, so its participants stay as close as they are) */
  for (size_t g = 0; g < ng; g++) {
    const struct bv_trace_group *gr = &v->groups[g];
    cols[gr->first].pad_l += FR_PAD;
    cols[gr->first + gr->n - 1].pad_r += FR_PAD;
    if ((rc = sc_measure(m, gr->node ? gr->node : "?", FR_FONT, 1, &gname[g])))
      goto done;
  }
  for (size_t c = 0; c + 1 < nc; c++)
    gap[c] = (cols[c].w + cols[c + 1].w) / 2 + COL_GAP + cols[c].pad_r + cols[c + 1].pad_l;
  double right_extra = 0;
  for (size_t r = 0; r < nrows; r++)
    order[r] = (order_key){abs(rows[r].a - rows[r].b), r};
  qsort(order, nrows, sizeof *order, cmp_rows);
  for (size_t k = 0; k < nrows; k++) {
    const row *rw = &rows[order[k].i];
    double need = rw->tm.width + LABEL_ROOM + BAR_W;
    if (rw->a == rw->b) {
      /* self-message: the label sits right of the lifeline, above the loop */
      need = fmax(LOOP_W, rw->tm.width) + LABEL_ROOM / 2 + BAR_W;
      if ((size_t)rw->a + 1 < nc)
        gap[rw->a] = fmax(gap[rw->a], need);
      else
        right_extra = fmax(right_extra, need);
      continue;
    }
    int lo = rw->a < rw->b ? rw->a : rw->b, hi = rw->a < rw->b ? rw->b : rw->a;
    double have = 0;
    for (int c = lo; c < hi; c++)
      have += gap[c];
    if (have < need)
      for (int c = lo; c < hi; c++)
        gap[c] += (need - have) / (hi - lo);
  }
  for (size_t g = 0; g < ng; g++) {
    const struct bv_trace_group *gr = &v->groups[g];
    size_t lo = gr->first, hi = gr->first + gr->n - 1;
    double have = cols[lo].w / 2 + cols[lo].pad_l + cols[hi].w / 2 + cols[hi].pad_r;
    for (size_t c = lo; c < hi; c++)
      have += gap[c];
    double need = fmin(gname[g].width, MAX_LABEL) + 2 * FR_PAD;
    const char *nm = gr->node ? gr->node : "?", *at = strchr(nm, '@');
    if (have < need && at && at > nm) {
      bv_text_metrics a, b;
      const char *l1 = bv_arena_strndup(s->arena, nm, (size_t)(at - nm));
      if (!l1) {
        rc = bv_error_set(BV_ENOMEM, "out of memory (sequence layout)");
        goto done;
      }
      if ((rc = sc_measure(m, l1, FR_FONT, 1, &a)) || (rc = sc_measure(m, at, FR_FONT, 1, &b)))
        goto done;
      double need2 = fmin(fmax(a.width, b.width), MAX_LABEL) + 2 * FR_PAD;
      if (need2 < need) {
        gl1[g] = l1;
        gl2[g] = at;
        need = need2;
        split_any = 1;
      }
    }
    if (have < need) {
      double half = (need - have) / 2;
      cols[lo].pad_l += half;
      cols[hi].pad_r += half;
      if (lo > 0)
        gap[lo - 1] += half;
      if (hi + 1 < nc)
        gap[hi] += half;
    }
  }
  double x = MARGIN + cols[0].w / 2 + cols[0].pad_l;
  for (size_t c = 0; c < nc; c++) {
    cols[c].cx = x;
    x += gap[c];
  }
  double width =
      cols[nc - 1].cx + fmax(cols[nc - 1].w / 2 + cols[nc - 1].pad_r, right_extra) + MARGIN;
  for (size_t c = 0; c < nc; c++)
    width = fmax(width, cols[c].cx + cols[c].w / 2 + cols[c].pad_r + MARGIN);
  /* across nodes: the title line, and the frames' band above the boxes */
  bv_text_metrics ttm;
  memset(&ttm, 0, sizeof ttm);
  const char *title = NULL;
  if (v->title) {
    const char *full;
    if ((rc = sc_fit(s, m, v->title, TITLE_FONT, 1, 2 * MAX_LABEL, &title, &full, &ttm)))
      goto done;
    width = fmax(width, MARGIN + ttm.width + MARGIN);
  }
  double head = ng ? FR_HEAD + (split_any ? FR_FONT * 1.25 : 0) : 0;
  double top = MARGIN + (title ? TITLE_H : 0) + head;
  /* rows */
  double y = top + boxh + 16;
  double lh = fs * 1.25;
  for (size_t r = 0; r < nrows; r++) {
    rows[r].y = y;
    rows[r].arrow_y = y + lh * (rows[r].pay ? 2 : 1) + 4;
    y = rows[r].arrow_y + (rows[r].a == rows[r].b ? LOOP_H : 0) + ROW_GAP;
  }
  /* the view's notes */
  const char *const *notes = v->notes;
  size_t nnotes = v->nnotes;
  double note_y0 = y + 4;
  double note_h = ceil(lh + 12);
  y = note_y0 + (double)nnotes * (note_h + 8);
  double bottom_y = y + 8;
  s->height = ceil(bottom_y + boxh + (ng ? FR_FOOT : 0) + MARGIN);
  /* notes may need more width than the columns */
  for (size_t k = 0; k < nnotes; k++) {
    bv_text_metrics tm;
    if ((rc = sc_measure(m, notes[k], fs * 0.92, 0, &tm)))
      goto done;
    width = fmax(width, MARGIN + tm.width + 24 + MARGIN);
  }
  s->width = ceil(width);
  /* drawing: title, frames, lifelines, activation bars, arrows and labels,
     boxes, notes */
  if (title)
    rc = sc_text(s, m, "title", MARGIN, MARGIN + TITLE_FONT, BV_ANCHOR_START, TITLE_FONT, 1,
                 th->text, title, 0, -1, NULL);
  for (size_t g = 0; g < ng && !rc; g++) {
    const struct bv_trace_group *gr = &v->groups[g];
    const col *lo = &cols[gr->first], *hi = &cols[gr->first + gr->n - 1];
    double x0 = lo->cx - lo->w / 2 - lo->pad_l, x1 = hi->cx + hi->w / 2 + hi->pad_r;
    double y0 = top - head, y1 = bottom_y + boxh + FR_FOOT;
    rc = sc_rect(s, "node-frame", x0, y0, x1 - x0, y1 - y0, 6, SC_NONE, th->muted, 1.5,
                 BV_DASH_SOLID, -1);
    const char *nm = gr->node ? gr->node : "?";
    for (int k = 0; k < (gl1[g] ? 2 : 1) && !rc; k++) {
      size_t idx = 0;
      rc = sc_text(s, m, "node-name", x0 + FR_PAD,
                   y0 + FR_HEAD / 2 + FR_FONT * 0.35 + k * FR_FONT * 1.25, BV_ANCHOR_START,
                   FR_FONT, 1, th->text, gl1[g] ? (k ? gl2[g] : gl1[g]) : nm,
                   x1 - x0 - 2 * FR_PAD, -1, &idx);
      /* a name on two lines: each line's hover text is the whole name */
      if (!rc && gl1[g] && !s->items[idx].full &&
          !(s->items[idx].full = bv_arena_strdup(s->arena, nm)))
        rc = bv_error_set(BV_ENOMEM, "out of memory (sequence layout)");
    }
  }
  double top_line = top + boxh, bottom_line = bottom_y;
  for (size_t c = 0; c < nc && !rc; c++) {
    double pts[4] = {cols[c].cx, top_line, cols[c].cx, bottom_line};
    rc = sc_line(s, "lifeline", pts, 2, th->muted, 1, BV_DASH_DASHED, BV_ARROW_NONE,
                 ncols ? (int32_t)cols[c].part : -1);
  }
  for (size_t c = 0; c < ncols && !rc; c++) {
    if (cols[c].spawn_row < 0)
      continue;
    double y0 = rows[cols[c].spawn_row].arrow_y - 4;
    double y1 = rows[cols[c].last_row].arrow_y + (rows[cols[c].last_row].a ==
                                                          rows[cols[c].last_row].b
                                                      ? LOOP_H
                                                      : 0) + 6;
    rc = sc_rect(s, "activation", cols[c].cx - BAR_W / 2, y0, BAR_W, y1 - y0, 0,
                 SC_RGB(0xF4F4F4), th->muted, 1, BV_DASH_SOLID, (int32_t)cols[c].part);
  }
  for (size_t r = 0; r < nrows && !rc; r++) {
    const row *rw = &rows[r];
    const bv_event *ev = &t->events[rw->ev];
    int reply = ev->kind == BV_EV_REPLY;
    const col *ca = &cols[rw->a], *cb = &cols[rw->b];
    double ay = rw->arrow_y;
    double lift = rw->pay ? lh : 0; /* the label goes above the payload line */
    size_t ti = 0, pi = 0;
    if (rw->a == rw->b) {
      double x0 = bar_edge(ca, r, 1);
      double pts[8] = {x0, ay, x0 + LOOP_W, ay, x0 + LOOP_W, ay + LOOP_H, x0, ay + LOOP_H};
      rc = sc_line(s, reply ? "reply" : "message", pts, 4, th->line, 1.5,
                   reply ? BV_DASH_DOTTED : BV_DASH_SOLID, BV_ARROW_FILLED, (int32_t)rw->ev);
      if (!rc)
        rc = sc_text(s, m, "msg-label", x0 + 4, ay - 5 - lift, BV_ANCHOR_START, fs * 0.92, 0,
                     th->text, rw->label, 0, (int32_t)rw->ev, &ti);
      if (!rc && rw->pay)
        rc = sc_text(s, m, "msg-payload", x0 + 4, ay - 5, BV_ANCHOR_START, fs * 0.85, 0,
                     th->text, rw->pay, 0, (int32_t)rw->ev, &pi);
    } else {
      int right = rw->b > rw->a;
      double x0 = bar_edge(ca, r, right), x1 = bar_edge(cb, r, !right);
      double pts[4] = {x0, ay, x1, ay};
      rc = sc_line(s, reply ? "reply" : "message", pts, 2, th->line, 1.5,
                   reply ? BV_DASH_DOTTED : BV_DASH_SOLID, BV_ARROW_FILLED, (int32_t)rw->ev);
      if (!rc)
        rc = sc_text(s, m, "msg-label", (x0 + x1) / 2, ay - 5 - lift, BV_ANCHOR_MIDDLE,
                     fs * 0.92, 0, th->text, rw->label, 0, (int32_t)rw->ev, &ti);
      if (!rc && rw->pay)
        rc = sc_text(s, m, "msg-payload", (x0 + x1) / 2, ay - 5, BV_ANCHOR_MIDDLE, fs * 0.85, 0,
                     th->text, rw->pay, 0, (int32_t)rw->ev, &pi);
    }
    if (!rc && rw->full)
      s->items[ti].full = bv_arena_strdup(s->arena, rw->full);
    if (!rc && rw->pay && rw->pay_full)
      s->items[pi].full = bv_arena_strdup(s->arena, rw->pay_full);
  }
  for (size_t c = 0; c < nc && !rc; c++) {
    for (int k = 0; k < 2 && !rc; k++) {
      double by = k ? bottom_y : top;
      int32_t ref = ncols ? (int32_t)cols[c].part : -1;
      rc = sc_rect(s, k ? "participant-bottom" : "participant", cols[c].cx - cols[c].w / 2, by,
                   cols[c].w, boxh, 3, PART_FILL, PART_STROKE, 1, BV_DASH_SOLID, ref);
      if (!rc)
        rc = sc_text(s, m, "participant-label", cols[c].cx, by + boxh / 2 + fs * 0.35,
                     BV_ANCHOR_MIDDLE, fs, 0, SC_RGB(0x000000), cols[c].label, maxw, ref, NULL);
    }
  }
  for (size_t k = 0; k < nnotes && !rc; k++) {
    double ny = note_y0 + (double)k * (note_h + 8);
    double nx0 = MARGIN, nx1 = s->width - MARGIN;
    if (nc > 1) {
      nx0 = fmin(cols[0].cx - cols[0].w / 2, nx0);
      nx1 = fmax(cols[nc - 1].cx + cols[nc - 1].w / 2, nx1);
    }
    rc = sc_rect(s, "note", nx0, ny, nx1 - nx0, note_h, 0, th->note_fill, th->note_stroke, 1,
                 BV_DASH_SOLID, -1);
    if (!rc)
      rc = sc_text(s, m, "note-label", (nx0 + nx1) / 2, ny + note_h / 2 + fs * 0.92 * 0.35,
                   BV_ANCHOR_MIDDLE, fs * 0.92, 0, o->dark ? th->text : SC_RGB(0x000000),
                   notes[k], nx1 - nx0 - 8, -1, NULL);
  }
  if (!rc && v->left_out)
    s->note = bv_arena_printf(s->arena, "image shows the first %zu of %zu messages", v->n,
                              v->visible);
done:
  free(cols);
  free(rows);
  free(order);
  free(gap);
  free(gname);
  free(gl1);
  if (rc) {
    bv_scene_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

int bv_layout_seq_model(const bv_model *m, const bv_emit_opts *o, const bv_measure *ms,
                        bv_scene **out, bv_emit_info *info)
{
  *out = NULL;
  if (m->kind != BV_MODEL_TRACE || !m->u.trace)
    return bv_error_set(BV_EINVAL, "a sequence diagram needs a message trace");
  bv_emit_opts dflt;
  if (!o) {
    bv_emit_opts_init(&dflt);
    o = &dflt;
  }
  bv_trace_view *v;
  int rc = bv_trace_view_make(m->u.trace, o, &v);
  if (rc)
    return rc;
  rc = seq_layout(v, o, ms, out);
  if (!rc) {
    bv_trace_view_info(v, info);
    if (info) {
      info->width = (*out)->width;
      info->height = (*out)->height;
    }
  }
  bv_trace_view_free(v);
  return rc;
}
