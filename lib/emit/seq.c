/* emit/seq.c: a message trace as a Mermaid sequenceDiagram. */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* --- Mermaid ---------------------------------------------------------------- */

#define MMD_BUDGET 46000u  /* the diagram stays under Mermaid's 50,000 characters */

/* Length of the first n UTF-8 characters of s (never splits a character). */
static size_t utf8_prefix(const char *s, size_t n)
{
  size_t i = 0, k = 0;
  while (s[i] && k < n) {
    i++;
    while ((s[i] & 0xC0) == 0x80)
      i++;
    k++;
  }
  return i;
}

static int part_visible(const bv_trace *t, uint32_t p, const bv_seq_mmd_opts *o)
{
  return o->all || !t->parts[p].system;
}

static void part_label(bv_buf *b, const bv_trace *t, const bv_participant *p)
{
  bv_buf tmp;
  bv_buf_init(&tmp);
  if (p->name && *p->name)
    bv_buf_puts(&tmp, bv_strip_elixir(p->name));
  else
    bv_pid_display(&tmp, p->pid ? p->pid : "?", t->elixir);
  if (tmp.data)
    bv_mmd_escape(b, tmp.data, tmp.len);
  else
    bv_buf_puts(b, "?");
  bv_buf_dispose(&tmp);
}

int bv_trace_mermaid(bv_buf *b, const bv_trace *t, const bv_seq_mmd_opts *o,
                     bv_seq_mmd_info *info)
{
  bv_seq_mmd_opts dflt = {0};
  bv_seq_mmd_info dummy;
  if (!o)
    o = &dflt;
  if (!info)
    info = &dummy;
  memset(info, 0, sizeof *info);
  size_t max_shown = o->max_shown ? o->max_shown : 200;
  int rc = 0;
  /* alias[p]: mermaid index of participant p (-1 = not drawn yet);
     last[p]: the last drawn event that involves p; active[p]: has a bar */
  int32_t *alias = malloc((t->nparts + 1) * sizeof *alias);
  size_t *last = calloc(t->nparts + 1, sizeof *last);
  unsigned char *active = calloc(t->nparts + 1, 1);
  size_t *shown = malloc((t->n + 1) * sizeof *shown);
  if (!alias || !last || !active || !shown) {
    rc = bv_error_set(BV_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t->nparts; i++)
    alias[i] = -1;
  /* pass 1: which events are drawn and which participants they need */
  size_t nshown = 0, visible = 0, budget = 0;
  int full = 0;
  int32_t nalias = 0;
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    if (e->from >= t->nparts || e->to >= t->nparts) {
      rc = bv_error_set(BV_EINVAL, "trace: event %zu names a participant that does not exist",
                        i);
      goto done;
    }
    if (!part_visible(t, e->from, o) || !part_visible(t, e->to, o)) {
      info->hidden++;
      continue;
    }
    visible++;
    /* a message line costs at most its escaped label (5 bytes per byte) */
    size_t cost = 24 + 5 * strlen(e->label ? e->label : "") +
                  (o->payload ? 5 * utf8_prefix(e->text ? e->text : "", o->payload) + 5 : 0);
    if (full || nshown >= max_shown || budget + cost > MMD_BUDGET) {
      full = 1; /* the first messages only, never a sample */
      continue;
    }
    uint32_t ends[2] = {e->from, e->to};
    size_t pcost = 0;
    for (int k = 0; k < 2; k++)
      if (alias[ends[k]] < 0) {
        const bv_participant *p = &t->parts[ends[k]];
        pcost += 40 + 5 * strlen(p->name ? p->name : (p->pid ? p->pid : ""));
      }
    if (budget + cost + pcost > MMD_BUDGET) {
      full = 1;
      continue;
    }
    budget += cost + pcost;
    for (int k = 0; k < 2; k++)
      if (alias[ends[k]] < 0)
        alias[ends[k]] = nalias++;
    last[e->from] = last[e->to] = i;
    shown[nshown++] = i;
  }
  info->shown = nshown;
  info->left_out = visible - nshown;

  if (o->markdown)
    bv_buf_puts(b, "```mermaid\n");
  bv_buf_puts(b, "sequenceDiagram\n");
  /* participants in order of first appearance among drawn messages */
  for (int32_t k = 0; k < nalias; k++)
    for (size_t p = 0; p < t->nparts; p++)
      if (alias[p] == k) {
        bv_buf_printf(b, "  participant p%d as ", (int)k);
        part_label(b, t, &t->parts[p]);
        bv_buf_putc(b, '\n');
        break;
      }
  if (nalias == 0) {
    bv_buf_puts(b, "  participant p0 as beamviz\n");
    bv_buf_printf(b, "  Note over p0: no messages to show%s\n",
                  info->hidden ? " (system processes hidden, --all shows them)" : "");
  }
  for (size_t s = 0; s < nshown; s++) {
    const bv_event *e = &t->events[shown[s]];
    int spawn_bar = e->kind == BV_EV_SPAWN && t->parts[e->to].spawned && !active[e->to] &&
                    e->from != e->to;
    bv_buf_printf(b, "  p%d%s%sp%d: ", (int)alias[e->from],
                  e->kind == BV_EV_REPLY ? "-->>" : "->>", spawn_bar ? "+" : "",
                  (int)alias[e->to]);
    const char *label = e->label ? e->label : "";
    bv_mmd_escape(b, label, strlen(label));
    /* a SPAWN's message is OTP's internal spawn_request signal: the label says
       all there is to say (the JSON keeps the text) */
    if (o->payload && e->kind != BV_EV_SPAWN && e->text && *e->text) {
      bv_buf_puts(b, "<br/>");
      bv_mmd_escape(b, e->text, utf8_prefix(e->text, o->payload));
    }
    bv_buf_putc(b, '\n');
    if (spawn_bar)
      active[e->to] = 1;
    /* a spawned process that exited: its bar ends after its last message */
    uint32_t ends[2] = {e->from, e->to};
    for (int k = 0; k < (e->from == e->to ? 1 : 2); k++) {
      uint32_t p = ends[k];
      if (active[p] && t->parts[p].exit_reason && last[p] == shown[s]) {
        bv_buf_printf(b, "  deactivate p%d\n", (int)alias[p]);
        active[p] = 0;
      }
    }
  }
  for (size_t p = 0; p < t->nparts; p++)
    if (active[p])
      bv_buf_printf(b, "  deactivate p%d\n", (int)alias[p]);
  if (info->left_out && nalias > 0) {
    int32_t lastp = nalias - 1;
    bv_buf_printf(b, "  Note over p0%s", lastp > 0 ? "," : "");
    if (lastp > 0)
      bv_buf_printf(b, "p%d", (int)lastp);
    bv_buf_printf(b, ": %zu more message%s not drawn (--max-shown %zu), all in the JSON "
                     "(--save FILE.json)\n",
                  info->left_out, info->left_out == 1 ? "" : "s", max_shown);
  }
  if (o->markdown)
    bv_buf_puts(b, "```\n");
  if (b->failed)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
done:
  free(alias);
  free(last);
  free(active);
  free(shown);
  return rc;
}
