/* view/trace.c: the trace view: which participants and messages are shown,
 * their labels (payload included), the notes and the counts. Mermaid and the
 * image layout both draw from it, so they cannot disagree. */
#include "view/view.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of the first n UTF-8 characters of s (never splits a character: a
 * byte that is not valid UTF-8 counts as one character). */
static size_t utf8_prefix(const char *s, size_t n)
{
  size_t len = strlen(s), i = 0;
  for (size_t k = 0; i < len && k < n; k++) {
    size_t l = bv_utf8_len(s + i, len - i);
    i += l ? l : 1;
  }
  return i;
}

static int part_visible(const bv_trace *t, uint32_t p, int all)
{
  return all || !t->parts[p].system;
}

/* The identity rule (bv_ident_display): registered name, else label, else
 * the module of the initial call, each with the pid, in the node's syntax;
 * the collector's own names ("(unknown sender)", "alias #Ref<...>") as they
 * are. */
static const char *part_label(bv_arena *a, const bv_trace *t, const bv_participant *p)
{
  if (p->name && *p->name && !(p->pid && p->pid[0] == '<'))
    return bv_strip_elixir(p->name);
  bv_ident id = {p->name && *p->name ? bv_strip_elixir(p->name) : NULL, p->label, NULL,
                 p->initial_call, p->pid && *p->pid ? p->pid : "?"};
  bv_buf b;
  bv_buf_init(&b);
  bv_ident_display(&b, &id, t->elixir);
  const char *r = bv_arena_strdup(a, b.data && b.len ? b.data : "?");
  bv_buf_dispose(&b);
  return r;
}

/* Why the trace stopped, when that is worth a note: NULL for its normal end.
 * The duration is the normal end of an attached trace (it runs until then),
 * and cuts evaluated code short. */
static const char *stop_note(bv_arena *a, const bv_trace *t)
{
  const char *r = t->stop_reason;
  if (!r || !*r || strcmp(r, "done") == 0)
    return NULL;
  if (strcmp(r, "duration") == 0)
    return t->mode && strcmp(t->mode, "attach") == 0
               ? NULL
               : "trace stopped early: the duration bound was reached";
  if (strcmp(r, "max_events") == 0)
    return "trace stopped at the event bound";
  if (strcmp(r, "mailbox") == 0)
    return "trace stopped early: the relay's mailbox bound was reached (messages came "
           "faster than they could be forwarded)";
  /* a reason this version does not know (a model file): said as it is, short */
  return bv_arena_printf(a, "trace stopped: %.*s", (int)utf8_prefix(r, 60), r);
}

/* Across nodes: the shown participants ordered by their node's rank (stable:
 * a counting sort over the t->nnodes + 1 ranks), cols renumbered, and the
 * groups: each run of one node's participants. */
static int group_by_node(bv_trace_view *v)
{
  const bv_trace *t = v->t;
  size_t k = t->nnodes + 1;
  size_t *start = calloc(k + 1, sizeof *start);
  uint32_t *sorted = malloc((v->nparts + 1) * sizeof *sorted);
  const char **labels = malloc((v->nparts + 1) * sizeof *labels);
  if (!start || !sorted || !labels) {
    free(start);
    free(sorted);
    free(labels);
    return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
  }
  for (size_t c = 0; c < v->nparts; c++)
    start[v->rank[v->parts[c]] + 1]++;
  for (size_t r = 1; r <= k; r++)
    start[r] += start[r - 1];
  for (size_t c = 0; c < v->nparts; c++) {
    size_t at = start[v->rank[v->parts[c]]]++;
    sorted[at] = v->parts[c];
    labels[at] = v->part_label[c];
  }
  v->ngroups = 0;
  for (size_t c = 0; c < v->nparts; c++) {
    uint32_t p = sorted[c], r = v->rank[p];
    v->parts[c] = p;
    v->part_label[c] = labels[c];
    v->col[p] = (int32_t)c;
    if (r >= t->nnodes)
      continue;
    if (v->ngroups && v->groups[v->ngroups - 1].node == t->nodes[r].node &&
        v->groups[v->ngroups - 1].first + v->groups[v->ngroups - 1].n == c)
      v->groups[v->ngroups - 1].n++;
    else
      v->groups[v->ngroups++] = (struct bv_trace_group){t->nodes[r].node, c, 1};
  }
  free(start);
  free(sorted);
  free(labels);
  return 0;
}

/* The note naming the nodes that were not traced (at most 3 by name, each
 * reason cut to 100 characters), or NULL when every node was. */
static const char *failed_note(bv_arena *a, const bv_trace *t, int *oom)
{
  size_t nf = 0, named = 0;
  for (size_t i = 0; i < t->nnodes; i++)
    nf += t->nodes[i].code != BV_OK;
  if (!nf)
    return NULL;
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_printf(&b, "not traced (no relay): ");
  for (size_t i = 0; i < t->nnodes && named < 3; i++) {
    const bv_node_result *r = &t->nodes[i];
    if (r->code == BV_OK)
      continue;
    const char *why = r->reason && *r->reason ? r->reason : bv_error_name(r->code);
    const char *nm = r->node ? r->node : "?";
    bv_buf_printf(&b, "%s%.*s (%.*s)", named ? "; " : "", (int)utf8_prefix(nm, 100), nm,
                  (int)utf8_prefix(why, 100), why);
    named++;
  }
  if (nf > named)
    bv_buf_printf(&b, "; and %zu more", nf - named);
  const char *s = b.failed ? NULL : bv_arena_strndup(a, b.data, b.len);
  *oom = !s;
  bv_buf_dispose(&b);
  return s;
}

/* Participants and notes for the first v->n messages. */
static int finish(bv_trace_view *v)
{
  const bv_trace *t = v->t;
  bv_arena *a = v->arena;
  for (size_t p = 0; p < t->nparts; p++)
    v->col[p] = -1;
  v->nparts = 0;
  for (size_t i = 0; i < v->n; i++) {
    const bv_event *e = &t->events[v->ev[i]];
    uint32_t ends[2] = {e->from, e->to};
    for (int k = 0; k < 2; k++)
      if (v->col[ends[k]] < 0) {
        v->col[ends[k]] = (int32_t)v->nparts;
        v->parts[v->nparts] = ends[k];
        if (!(v->part_label[v->nparts] = part_label(a, t, &t->parts[ends[k]])))
          return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
        v->nparts++;
      }
  }
  /* nothing drawn: the attached processes still say who was watched */
  for (size_t p = 0; !v->n && p < t->nparts; p++)
    if (t->parts[p].attached && v->col[p] < 0) {
      v->col[p] = (int32_t)v->nparts;
      v->parts[v->nparts] = (uint32_t)p;
      if (!(v->part_label[v->nparts] = part_label(a, t, &t->parts[p])))
        return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
      v->nparts++;
    }
  if (t->nnodes) {
    int rc = group_by_node(v);
    if (rc)
      return rc;
  }
  v->left_out = v->visible - v->n;
  v->nnotes = 0;
  if (v->left_out)
    v->notes[v->nnotes++] = bv_arena_printf(
        a, "%zu more message%s not drawn (the model file has them all)", v->left_out,
        v->left_out == 1 ? "" : "s");
  else if (!v->n)
    v->notes[v->nnotes++] = !t->n && v->nparts ? "no messages were traced: the attached "
                                                 "processes sent and received none"
                            : !t->n         ? "no messages were traced"
                            : v->hidden ? "no messages to show (system processes hidden)"
                                        : "no messages to show";
  const char *sn = stop_note(a, t);
  if (sn)
    v->notes[v->nnotes++] = sn;
  int oom = 0;
  const char *fn = failed_note(a, t, &oom);
  if (fn || oom)
    v->notes[v->nnotes++] = fn;
  for (size_t k = 0; k < v->nnotes; k++)
    if (!v->notes[k])
      return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
  return 0;
}

/* Across nodes: each participant's node rank (v->rank), the groups' room
 * and the title. Nonzero when out of memory. */
static int node_ranks(bv_trace_view *v)
{
  const bv_trace *t = v->t;
  bv_arena *a = v->arena;
  bv_intern map;
  memset(&map, 0, sizeof map);
  int rc = 0;
  size_t traced = 0;
  v->rank = bv_arena_alloc(a, (t->nparts + 1) * sizeof *v->rank);
  v->groups = bv_arena_alloc(a, (t->nparts + 1) * sizeof *v->groups);
  if (!v->rank || !v->groups)
    return 1;
  for (size_t i = 0; i < t->nnodes && !rc; i++) {
    int fresh;
    const char *nm = t->nodes[i].node ? t->nodes[i].node : "";
    bv_intern_slot *sl = bv_intern_put(&map, nm, strlen(nm), &fresh);
    if (!sl)
      rc = 1;
    else if (fresh)
      sl->num = (int64_t)i;
    traced += t->nodes[i].code == BV_OK;
  }
  for (size_t p = 0; p < t->nparts && !rc; p++) {
    const char *nm = t->parts[p].node;
    const bv_intern_slot *sl = nm ? bv_intern_get(&map, nm, strlen(nm)) : NULL;
    v->rank[p] = sl ? (uint32_t)sl->num : (uint32_t)t->nnodes;
  }
  bv_intern_dispose(&map);
  if (rc)
    return rc;
  const char *entry = t->node && *t->node ? t->node : "?";
  if (traced == t->nnodes)
    v->title = bv_arena_printf(a, "message sequence across %zu node%s, entry node %.*s", traced,
                               traced == 1 ? "" : "s", (int)utf8_prefix(entry, 100), entry);
  else
    v->title = bv_arena_printf(a, "message sequence across %zu of %zu nodes, entry node %.*s",
                               traced, t->nnodes, (int)utf8_prefix(entry, 100), entry);
  return !v->title;
}

int bv_trace_view_make(const bv_trace *t, const bv_emit_opts *o, bv_trace_view **out)
{
  *out = NULL;
  bv_emit_opts dflt;
  if (!o) {
    bv_emit_opts_init(&dflt);
    o = &dflt;
  }
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    if (e->from >= t->nparts || e->to >= t->nparts)
      return bv_error_set(BV_EINVAL, "trace: event %zu names participant %u of %zu", i,
                          (unsigned)(e->from >= t->nparts ? e->from : e->to), t->nparts);
  }
  bv_arena *a = bv_arena_new();
  bv_trace_view *v = a ? bv_arena_alloc(a, sizeof *v) : NULL;
  if (!v) {
    bv_arena_free(a);
    return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
  }
  v->arena = a;
  v->t = t;
  size_t max = o->max_shown ? o->max_shown : (size_t)-1;
  size_t cap = t->n < max ? t->n : max;
  v->parts = bv_arena_alloc(a, (t->nparts + 1) * sizeof *v->parts);
  v->part_label = bv_arena_alloc(a, (t->nparts + 1) * sizeof *v->part_label);
  v->col = bv_arena_alloc(a, (t->nparts + 1) * sizeof *v->col);
  v->ev = bv_arena_alloc(a, (cap + 1) * sizeof *v->ev);
  v->label = bv_arena_alloc(a, (cap + 1) * sizeof *v->label);
  v->payload = bv_arena_alloc(a, (cap + 1) * sizeof *v->payload);
  if (!v->parts || !v->part_label || !v->col || !v->ev || !v->label || !v->payload)
    goto oom;
  if (t->nnodes && node_ranks(v))
    goto oom;
  for (size_t i = 0; i < t->n; i++) {
    const bv_event *e = &t->events[i];
    if (!part_visible(t, e->from, o->all) || !part_visible(t, e->to, o->all)) {
      v->hidden++;
      continue;
    }
    v->visible++;
    if (v->n >= cap)
      continue; /* the first messages only, never a sample */
    v->ev[v->n] = (uint32_t)i;
    v->label[v->n] = e->label && *e->label ? e->label : "?";
    if (o->payload && e->kind != BV_EV_SPAWN && e->text && *e->text &&
        !(v->payload[v->n] = bv_arena_strndup(a, e->text, utf8_prefix(e->text, o->payload))))
      goto oom;
    v->n++;
  }
  int rc = finish(v);
  if (rc) {
    bv_arena_free(a);
    return rc;
  }
  *out = v;
  return 0;
oom:
  bv_arena_free(a);
  return bv_error_set(BV_ENOMEM, "out of memory (trace view)");
}

int bv_trace_view_cut(bv_trace_view *v, size_t n)
{
  if (n >= v->n)
    return 0;
  v->n = n;
  return finish(v);
}

void bv_trace_view_free(bv_trace_view *v)
{
  if (v)
    bv_arena_free(v->arena);
}

void bv_trace_view_info(const bv_trace_view *v, bv_emit_info *info)
{
  if (!info)
    return;
  info->shown = v->n;
  info->left_out = v->left_out;
  info->hidden = v->hidden;
}
