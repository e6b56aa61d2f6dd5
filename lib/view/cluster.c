/* view/cluster.c: what a cluster map shows: each node's label and class and
 * the title, the same in Mermaid, text and images. */
#include "view/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bv_cluster_fmt_count(char *d, size_t cap, uint64_t v)
{
  char raw[32];
  int n = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
  size_t k = 0;
  for (int i = 0; i < n && k + 2 < cap; i++) {
    if (i && (n - i) % 3 == 0)
      d[k++] = ',';
    d[k++] = raw[i];
  }
  d[k] = 0;
  return d;
}

const char *bv_cluster_fmt_bytes(char *d, size_t cap, uint64_t v)
{
  if (v >= 1000000000ull)
    snprintf(d, cap, "%.2f GB", (double)v / 1e9);
  else
    snprintf(d, cap, "%.1f MB", (double)v / 1e6);
  return d;
}

const char *bv_cluster_fmt_uptime(char *d, size_t cap, uint64_t ms)
{
  uint64_t s = ms / 1000, m = s / 60, h = m / 60, days = h / 24;
  if (s < 60)
    snprintf(d, cap, "%llu s", (unsigned long long)s);
  else if (m < 60)
    snprintf(d, cap, "%llu min", (unsigned long long)m);
  else if (h < 24)
    snprintf(d, cap, "%llu h %llu min", (unsigned long long)h, (unsigned long long)(m % 60));
  else
    snprintf(d, cap, "%llu d %llu h", (unsigned long long)days, (unsigned long long)(h % 24));
  return d;
}

/* s cut to at most max bytes at a character boundary, "..." marking the cut. */
static const char *cut(bv_arena *a, const char *s, size_t max)
{
  size_t n = strlen(s);
  if (n <= max)
    return bv_arena_strdup(a, s);
  size_t k = max - 3;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
    k--;
  return bv_arena_printf(a, "%.*s...", (int)k, s);
}

/* The reason a node is unreachable, as its box shows it: without the "node
 * NAME " the connection's message starts with (the box names the node), cut
 * to BV_CLUSTER_REASON_MAX bytes and wrapped at a space into lines of about
 * BV_CLUSTER_REASON_LINE characters. */
static const char *reason(bv_arena *a, const char *name, const char *error)
{
  const char *e = error && *error ? error : "no reason given";
  size_t len = strlen(name);
  if (strncmp(e, "node ", 5) == 0 && strncmp(e + 5, name, len) == 0 && e[5 + len] == ' ' &&
      e[6 + len])
    e += 6 + len;
  const char *c = cut(a, e, BV_CLUSTER_REASON_MAX);
  if (!c)
    return NULL;
  char *w = bv_arena_strdup(a, c);
  if (!w)
    return NULL;
  /* lines of about even length: as many as lines of BV_CLUSTER_REASON_LINE
     need, each up to the average plus a little */
  size_t chars = 0;
  for (size_t i = 0; w[i]; i++) {
    if ((unsigned char)w[i] < 0x20)
      w[i] = ' ';
    chars += ((unsigned char)w[i] & 0xC0) != 0x80;
  }
  size_t nl = (chars + BV_CLUSTER_REASON_LINE - 1) / BV_CLUSTER_REASON_LINE;
  size_t target = nl > 1 ? (chars + nl - 1) / nl + 4 : BV_CLUSTER_REASON_LINE;
  if (target > BV_CLUSTER_REASON_LINE)
    target = BV_CLUSTER_REASON_LINE;
  size_t col = 0, last_space = (size_t)-1, start = 0;
  for (size_t i = 0; w[i]; i++) {
    if (w[i] == ' ')
      last_space = i;
    if (((unsigned char)w[i] & 0xC0) != 0x80)
      col++;
    if (col > target && last_space != (size_t)-1 && last_space > start) {
      w[last_space] = '\n';
      start = last_space + 1;
      col = 0;
      for (size_t k = start; k <= i; k++)
        col += ((unsigned char)w[k] & 0xC0) != 0x80;
      last_space = (size_t)-1;
    }
  }
  return w;
}

int bv_cluster_view_make(const bv_clustermap *m, const bv_emit_opts *o, bv_cluster_view **out)
{
  (void)o;
  *out = NULL;
  bv_cluster_view *v = calloc(1, sizeof *v);
  if (!v || !(v->arena = bv_arena_new())) {
    free(v);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  v->map = m;
  size_t n = m->n ? m->n : 1;
  v->label = bv_arena_alloc(v->arena, n * sizeof *v->label);
  v->cls = bv_arena_alloc(v->arena, n * sizeof *v->cls);
  if (!v->label || !v->cls)
    goto oom;
  for (size_t i = 0; i < m->n; i++) {
    const bv_cnode *nd = &m->nodes[i];
    const char *name = nd->name ? nd->name : "?";
    if (!nd->reachable) {
      const char *why = reason(v->arena, name, nd->error);
      v->label[i] = why ? bv_arena_printf(v->arena, "%s\nunreachable\n%s", name, why) : NULL;
      v->cls[i] = "unreachable";
    } else {
      char procs[32], mem[32], up[32];
      v->label[i] = bv_arena_printf(
          v->arena, "%s\nOTP %s%s \xC2\xB7 %s process%s\n%s \xC2\xB7 up %s", name,
          nd->otp_release ? nd->otp_release : "?", nd->elixir ? " \xC2\xB7 Elixir" : "",
          bv_cluster_fmt_count(procs, sizeof procs, nd->processes),
          nd->processes == 1 ? "" : "es", bv_cluster_fmt_bytes(mem, sizeof mem, nd->memory),
          bv_cluster_fmt_uptime(up, sizeof up, nd->uptime_ms));
      v->cls[i] = nd->entry ? "entry" : nd->hidden ? "hiddennode" : "member";
    }
    if (!v->label[i])
      goto oom;
  }
  for (size_t k = 0; k < m->nedges; k++) {
    if (m->edges[k].hidden)
      v->hidden_edges++;
    else
      v->visible_edges++;
  }
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_printf(&b, "Cluster of %s: %zu node%s, %zu connection%s", m->node ? m->node : "?", m->n,
                m->n == 1 ? "" : "s", m->nedges, m->nedges == 1 ? "" : "s");
  if (v->hidden_edges)
    bv_buf_printf(&b, " (%zu hidden)", v->hidden_edges);
  if (m->unreachable)
    bv_buf_printf(&b, ", %zu unreachable", m->unreachable);
  if (m->left_out)
    bv_buf_printf(&b, ", %zu more not shown", m->left_out);
  v->title = !b.failed && b.data ? bv_arena_strdup(v->arena, b.data) : NULL;
  bv_buf_dispose(&b);
  if (!v->title)
    goto oom;
  *out = v;
  return 0;
oom:
  bv_cluster_view_free(v);
  return bv_error_set(BV_ENOMEM, "out of memory");
}

void bv_cluster_view_free(bv_cluster_view *v)
{
  if (v) {
    bv_arena_free(v->arena);
    free(v);
  }
}
