/* emit/trace.c: a message trace as a Mermaid sequenceDiagram. */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* --- Mermaid ---------------------------------------------------------------- */

#define MMD_BUDGET 46000u  /* the diagram stays under Mermaid's 50,000 characters */
#define BOX_NAME_MAX 200u  /* bytes of a node's name in its box line */

/* A node's box: an explicit colour first, so that the rest of the line is the
 * title even when the name starts with a colour word ("red@h"); written as
 * browsers serialise it (with spaces), which is what Mermaid compares when
 * it has no CSS.supports. A light grey that lets the page through, so it
 * reads on light and dark themes. */
#define BOX_COLOUR "rgba(128, 128, 128, 0.12)"

/* Text of a box or title line, which Mermaid reads up to the first '#' (a
 * comment) or ';' and does not decode entities in: letters, digits, valid
 * UTF-8 (not C1 controls) and " _-./,+=*!?@$%^~'([]{}" as they are, every
 * other byte as '_' (a ')' would end the box colour's "rgba(...)", ':' could
 * read as a "wrap:" prefix, '<' '>' '&' are HTML to its sanitiser). */
static void line_text(bv_buf *b, const char *s, size_t n)
{
  static const char safe[] = " _-./,+=*!?@$%^~'([]{}";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    size_t l = 0;
    if (c >= 0x80 && (l = bv_utf8_len(s + i, n - i)) != 0 &&
        !(c == 0xC2 && (unsigned char)s[i + 1] < 0xA0)) {
      bv_buf_put(b, s + i, l);
      i += l - 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && c < 0x80 && strchr(safe, c))) {
      bv_buf_putc(b, (char)c);
    } else {
      bv_buf_putc(b, '_');
      if (l)
        i += l - 1;
    }
  }
}

/* bytes of s's first BOX_NAME_MAX bytes, never splitting a character */
static size_t box_len(const char *s)
{
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t l = bv_utf8_len(s + i, n - i);
    if (!l)
      l = 1;
    if (i + l > BOX_NAME_MAX)
      break;
    i += l;
  }
  return i;
}

/* Appends the diagram of v: participants p0, p1... in the view's order,
 * arrows with the view's labels (the payload after a line break), activation
 * bars, the view's notes over every participant. Cuts v to fit the budget. */
static int seq_mermaid(bv_buf *b, bv_trace_view *v, int markdown)
{
  const bv_trace *t = v->t;
  int rc = 0;
  /* last[p]: the last drawn event that involves p; active[p]: has a bar */
  size_t *last = calloc(t->nparts + 1, sizeof *last);
  unsigned char *active = calloc(t->nparts + 1, 1);
  if (!last || !active) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  /* Mermaid's size limit: the first messages that fit, never a sample; a
     line costs at most its escaped text (5 bytes per byte), a participant
     its escaped label */
  size_t budget = 500, fit = 0; /* room for a note on what is left out */
  for (size_t k = 0; k < v->nnotes; k++)
    budget += 40 + 5 * strlen(v->notes[k]);
  if (v->title)
    budget += 16 + strlen(v->title);
  unsigned char *seen = active; /* reused: reset below */
  /* a node's box costs its two lines, once */
  unsigned char *gseen = t->nnodes ? calloc(t->nnodes + 1, 1) : NULL;
  if (t->nnodes && !gseen) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  for (; fit < v->n; fit++) {
    const bv_event *e = &t->events[v->ev[fit]];
    size_t cost = 24 + 5 * strlen(v->label[fit]) +
                  (v->payload[fit] ? 5 * strlen(v->payload[fit]) + 5 : 0);
    uint32_t ends[2] = {e->from, e->to};
    for (int k = 0; k < 2; k++)
      if (!seen[ends[k]]) {
        seen[ends[k]] = 1;
        cost += 40 + 5 * strlen(v->part_label[v->col[ends[k]]]);
        uint32_t r = t->nnodes ? v->rank[ends[k]] : 0;
        if (t->nnodes && r < t->nnodes && !gseen[r]) {
          gseen[r] = 1;
          cost += 48 + box_len(t->nodes[r].node ? t->nodes[r].node : "");
        }
      }
    if (budget + cost > MMD_BUDGET)
      break;
    budget += cost;
  }
  free(gseen);
  memset(active, 0, t->nparts + 1);
  if ((rc = bv_trace_view_cut(v, fit)))
    goto done;
  for (size_t i = 0; i < v->n; i++) {
    const bv_event *e = &t->events[v->ev[i]];
    last[e->from] = last[e->to] = v->ev[i];
  }

  if (markdown)
    bv_buf_puts(b, "```mermaid\n");
  bv_buf_puts(b, "sequenceDiagram\n");
  if (v->title) {
    bv_buf_puts(b, "  title ");
    line_text(b, v->title, strlen(v->title));
    bv_buf_putc(b, '\n');
  }
  /* across nodes: each node's participants in its box; those of no node
     after, in none */
  size_t g = 0;
  for (size_t k = 0; k < v->nparts; k++) {
    const struct bv_trace_group *gr = g < v->ngroups ? &v->groups[g] : NULL;
    int in = gr && k >= gr->first && k < gr->first + gr->n;
    if (gr && k == gr->first) {
      const char *nm = gr->node ? gr->node : "?";
      bv_buf_puts(b, "  box " BOX_COLOUR " ");
      line_text(b, nm, box_len(nm));
      bv_buf_putc(b, '\n');
    }
    bv_buf_printf(b, in ? "    participant p%zu as " : "  participant p%zu as ", k);
    bv_mmd_escape(b, v->part_label[k], strlen(v->part_label[k]));
    bv_buf_putc(b, '\n');
    if (in && k + 1 == gr->first + gr->n) {
      bv_buf_puts(b, "  end\n");
      g++;
    }
  }
  if (v->nparts == 0)
    bv_buf_puts(b, "  participant p0 as beamviz\n");
  for (size_t s = 0; s < v->n; s++) {
    const bv_event *e = &t->events[v->ev[s]];
    int spawn_bar = e->kind == BV_EV_SPAWN && t->parts[e->to].spawned && !active[e->to] &&
                    e->from != e->to;
    bv_buf_printf(b, "  p%d%s%sp%d: ", (int)v->col[e->from],
                  e->kind == BV_EV_REPLY ? "-->>" : "->>", spawn_bar ? "+" : "",
                  (int)v->col[e->to]);
    bv_mmd_escape(b, v->label[s], strlen(v->label[s]));
    if (v->payload[s]) {
      bv_buf_puts(b, "<br/>");
      bv_mmd_escape(b, v->payload[s], strlen(v->payload[s]));
    }
    bv_buf_putc(b, '\n');
    if (spawn_bar)
      active[e->to] = 1;
    /* a spawned process that exited: its bar ends after its last message */
    uint32_t ends[2] = {e->from, e->to};
    for (int k = 0; k < (e->from == e->to ? 1 : 2); k++) {
      uint32_t p = ends[k];
      if (active[p] && t->parts[p].exit_reason && last[p] == v->ev[s]) {
        bv_buf_printf(b, "  deactivate p%d\n", (int)v->col[p]);
        active[p] = 0;
      }
    }
  }
  for (size_t k = 0; k < v->nparts; k++)
    if (active[v->parts[k]])
      bv_buf_printf(b, "  deactivate p%zu\n", k);
  for (size_t k = 0; k < v->nnotes; k++) {
    if (v->nparts > 1)
      bv_buf_printf(b, "  Note over p0,p%zu: ", v->nparts - 1);
    else
      bv_buf_puts(b, "  Note over p0: ");
    bv_mmd_escape(b, v->notes[k], strlen(v->notes[k]));
    bv_buf_putc(b, '\n');
  }
  if (markdown)
    bv_buf_puts(b, "```\n");
  if (b->failed)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
done:
  free(last);
  free(active);
  return rc;
}

static int trace_mermaid(bv_buf *b, const bv_trace *t, const bv_emit_opts *o, int markdown,
                         bv_emit_info *info)
{
  bv_trace_view *v;
  int rc = bv_trace_view_make(t, o, &v);
  if (rc)
    return rc;
  rc = seq_mermaid(b, v, markdown);
  if (!rc)
    bv_trace_view_info(v, info);
  bv_trace_view_free(v);
  return rc;
}

int bv_emit_seq_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                        bv_emit_info *info)
{
  if (m->kind != BV_MODEL_TRACE || !m->u.trace)
    return bv_error_set(BV_EINVAL, "a sequence diagram needs a message trace");
  if (fmt != BV_FMT_MERMAID && fmt != BV_FMT_MD)
    return bv_error_set(BV_EINVAL, "a sequence diagram is written as mermaid or md, not %s",
                        bv_format_name(fmt));
  bv_buf b;
  bv_buf_init(&b);
  int rc = trace_mermaid(&b, m->u.trace, o, fmt == BV_FMT_MD, info);
  if (!rc)
    rc = bv_out_buf(out, &b);
  bv_buf_dispose(&b);
  return rc;
}
