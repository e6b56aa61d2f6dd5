/* emit/cluster.c: the cluster map as a Mermaid flowchart and as a text
 * table, both drawn from its view (view/cluster.c). */
#include "emit/emit.h"

#include <stdlib.h>
#include <string.h>

/* Mermaid's default limit (MERMAID.md): 500 edges do not render. */
#define MMD_MAX_EDGES 499
#define MMD_MAX_CHARS 50000

static const char mmd_classes[] =
    "  classDef entry fill:#c4b5fd,stroke:#374151,stroke-width:3px\n"
    "  classDef member fill:#66c2a5,stroke:#374151,stroke-width:1px\n"
    "  classDef hiddennode fill:#ffffff,stroke:#374151,stroke-width:1px,stroke-dasharray:3 3\n"
    "  classDef unreachable color:#7f1d1d,fill:#fca5a5,stroke:#b91c1c,stroke-width:2px,"
    "stroke-dasharray:5 3\n";

static int map_of(const bv_model *m, const bv_clustermap **c)
{
  if (!m || m->kind != BV_MODEL_CLUSTER || !m->u.cluster)
    return bv_error_set(BV_EINVAL, "not a cluster map model");
  *c = m->u.cluster;
  return 0;
}

int bv_cluster_mermaid(bv_buf *b, const bv_cluster_view *v, int names_only, size_t max_nodes,
                       size_t *dropped)
{
  const bv_clustermap *m = v->map;
  size_t nn = max_nodes && max_nodes < m->n ? max_nodes : m->n;
  *dropped = 0;
  bv_buf_puts(b, "flowchart LR\n");
  /* escaped as a label is, and no '%' at all: Mermaid reads %%{init: ...}%%
   * even in a comment */
  bv_buf_puts(b, "  %% ");
  bv_buf t;
  bv_buf_init(&t);
  bv_mmd_escape(&t, v->title, strlen(v->title));
  for (size_t i = 0; i < t.len; i++)
    if (t.data[i] == '%')
      bv_buf_puts(b, "#37;");
    else
      bv_buf_putc(b, t.data[i]);
  if (t.failed)
    b->failed = 1;
  bv_buf_dispose(&t);
  bv_buf_puts(b, "\n");
  if (nn < m->n)
    bv_buf_printf(b, "  %%%% %zu nodes left out: Mermaid reads at most %d characters\n",
                  m->n - nn, MMD_MAX_CHARS);
  for (size_t i = 0; i < nn; i++) {
    bv_buf_printf(b, "  n%zu[\"", i);
    bv_mmd_escape(b, v->label[i], names_only ? strcspn(v->label[i], "\n") : strlen(v->label[i]));
    bv_buf_printf(b, "\"]:::%s\n", v->cls[i]);
  }
  /* visible connections first: when Mermaid's limit cuts, hidden ones go first */
  size_t drawn = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < m->nedges; k++) {
      const bv_cedge *e = &m->edges[k];
      if (e->hidden != pass || e->a >= nn || e->b >= nn)
        continue;
      if (drawn >= MMD_MAX_EDGES) {
        (*dropped)++;
        continue;
      }
      bv_buf_printf(b, "  n%u %s n%u\n", e->a, e->hidden ? "-.-" : "---", e->b);
      drawn++;
    }
  if (*dropped)
    bv_buf_printf(b, "  %%%% %zu connections left out: Mermaid draws at most %d edges\n",
                  *dropped, MMD_MAX_EDGES);
  bv_buf_puts(b, mmd_classes);
  return b->failed ? BV_ENOMEM : 0;
}

int bv_emit_cluster_mermaid(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                            bv_emit_info *info)
{
  const bv_clustermap *c = NULL;
  int rc = map_of(m, &c);
  if (rc)
    return rc;
  bv_cluster_view *v;
  if ((rc = bv_cluster_view_make(c, o, &v)))
    return rc;
  bv_buf b;
  bv_buf_init(&b);
  size_t dropped = 0;
  /* past Mermaid's 50,000 characters (about 400 nodes), the names alone;
   * past it still, the first nodes only (the entry first), fewer each try */
  int names_only = 0;
  size_t max_nodes = 0;
  for (;;) {
    if (fmt == BV_FMT_MD)
      bv_buf_puts(&b, "```mermaid\n");
    rc = bv_cluster_mermaid(&b, v, names_only, max_nodes, &dropped);
    if (!rc && fmt == BV_FMT_MD)
      bv_buf_puts(&b, "```\n");
    if (rc || b.failed || b.len <= MMD_MAX_CHARS)
      break;
    if (names_only) {
      size_t have = max_nodes ? max_nodes : c->n;
      if (have <= 1)
        break;
      /* in proportion, 10% under, and always fewer */
      size_t want = (size_t)((double)have * MMD_MAX_CHARS / (double)b.len * 0.9);
      max_nodes = want < have ? (want ? want : 1) : have - 1;
    }
    names_only = 1;
    b.len = 0;
    if (b.data)
      b.data[0] = 0;
  }
  if (!rc && b.failed)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (!rc)
    rc = bv_out_buf(out, &b);
  if (info) {
    info->nodes = c->n;
    info->links_dropped = dropped > 0;
    info->left_out = dropped;
    info->reduced = names_only;
    info->nodes_left_out = max_nodes && max_nodes < c->n ? c->n - max_nodes : 0;
  }
  bv_buf_dispose(&b);
  bv_cluster_view_free(v);
  return rc;
}

/* Display width of clean UTF-8 text: one column a character. */
static size_t cols(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static void pad(bv_buf *b, size_t n)
{
  while (n--)
    bv_buf_putc(b, ' ');
}

/* A cell: text cleaned (no control character reaches a terminal), then
 * padded to w columns (left) or right-aligned. */
static void cell(bv_buf *b, const char *s, size_t w, int right, int last)
{
  bv_buf t;
  bv_buf_init(&t);
  bv_buf_text(&t, s, strlen(s));
  const char *c = t.data ? t.data : "";
  size_t k = cols(c);
  if (right)
    pad(b, w > k ? w - k : 0);
  bv_buf_puts(b, c);
  if (!right && !last)
    pad(b, w > k ? w - k : 0);
  if (!last)
    bv_buf_puts(b, "  ");
  if (t.failed)
    b->failed = 1;
  bv_buf_dispose(&t);
}

/* A name as the table shows it: at most NAME_MAX_TEXT bytes, cut at a
 * character with an ellipsis (a file's names can be any length). */
#define NAME_MAX_TEXT 64
static const char *short_name(bv_arena *a, const char *s)
{
  if (!s)
    return "?";
  size_t n = strlen(s);
  if (n <= NAME_MAX_TEXT)
    return s;
  n = NAME_MAX_TEXT;
  while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  const char *t = bv_arena_printf(a, "%.*s\xE2\x80\xA6", (int)n, s);
  return t ? t : "?";
}

/* Neighbours listed in a row before "+ N more". */
#define NEIGHBOURS_SHOWN 8

int bv_cluster_text(bv_buf *b, const bv_cluster_view *v)
{
  const bv_clustermap *m = v->map;
  size_t n = m->n;
  /* each node's first neighbours and their count, in one pass over the edges */
  size_t *ncon = calloc(n ? n : 1, sizeof *ncon);
  uint32_t *first = calloc((n ? n : 1) * NEIGHBOURS_SHOWN, sizeof *first);
  unsigned char *hid = calloc((n ? n : 1) * NEIGHBOURS_SHOWN, 1);
  if (!ncon || !first || !hid) {
    free(ncon);
    free(first);
    free(hid);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  for (size_t k = 0; k < m->nedges; k++) {
    const bv_cedge *e = &m->edges[k];
    uint32_t end[2] = {e->a, e->b};
    for (int s2 = 0; s2 < 2; s2++) {
      uint32_t x = end[s2], y = end[!s2];
      if (x >= n || y >= n)
        continue;
      if (ncon[x] < NEIGHBOURS_SHOWN) {
        first[x * NEIGHBOURS_SHOWN + ncon[x]] = y;
        hid[x * NEIGHBOURS_SHOWN + ncon[x]] = (unsigned char)e->hidden;
      }
      ncon[x]++;
    }
  }
  enum { NCOL = 6 };
  static const char *const head[NCOL] = {"NODE", "OTP", "PROCESSES", "MEMORY", "UPTIME",
                                         "CONNECTED TO"};
  static const int right[NCOL] = {0, 0, 1, 1, 1, 0};
  char ***cellv = calloc(n ? n : 1, sizeof *cellv);
  if (!cellv)
    return bv_error_set(BV_ENOMEM, "out of memory");
  bv_arena *a = bv_arena_new();
  size_t w[NCOL];
  for (int c = 0; c < NCOL; c++)
    w[c] = strlen(head[c]);
  int oom = !a;
  for (size_t i = 0; i < n && !oom; i++) {
    const bv_cnode *nd = &m->nodes[i];
    char **r = cellv[i] = bv_arena_alloc(a, NCOL * sizeof *r);
    if (!r) {
      oom = 1;
      break;
    }
    char t[32];
    r[0] = bv_arena_strdup(a, short_name(a, nd->name));
    if (nd->reachable) {
      r[1] = bv_arena_printf(a, "%s%s", nd->otp_release ? nd->otp_release : "?",
                             nd->elixir ? " (Elixir)" : "");
      r[2] = bv_arena_strdup(a, bv_cluster_fmt_count(t, sizeof t, nd->processes));
      r[3] = bv_arena_strdup(a, bv_cluster_fmt_bytes(t, sizeof t, nd->memory));
      r[4] = bv_arena_strdup(a, bv_cluster_fmt_uptime(t, sizeof t, nd->uptime_ms));
    } else {
      r[1] = bv_arena_strdup(a, "unreachable");
      r[2] = r[3] = r[4] = bv_arena_strdup(a, "-");
    }
    bv_buf nb;
    bv_buf_init(&nb);
    for (size_t k = 0; k < ncon[i] && k < NEIGHBOURS_SHOWN; k++) {
      const bv_cnode *o = &m->nodes[first[i * NEIGHBOURS_SHOWN + k]];
      bv_buf_printf(&nb, "%s%s%s", nb.len ? ", " : "", short_name(a, o->name),
                    hid[i * NEIGHBOURS_SHOWN + k] ? " (hidden)" : "");
    }
    if (ncon[i] > NEIGHBOURS_SHOWN)
      bv_buf_printf(&nb, " + %zu more", ncon[i] - NEIGHBOURS_SHOWN);
    r[5] = bv_arena_strdup(a, nb.data && nb.len ? nb.data : "-");
    oom |= nb.failed;
    bv_buf_dispose(&nb);
    for (int c = 0; c < NCOL; c++) {
      if (!r[c]) {
        oom = 1;
        break;
      }
      size_t k = cols(r[c]);
      if (c < NCOL - 1 && k > w[c])
        w[c] = k;
    }
  }
  if (!oom) {
    bv_buf_text(b, v->title, strlen(v->title));
    bv_buf_putc(b, '\n');
    for (int c = 0; c < NCOL; c++)
      cell(b, head[c], w[c], right[c], c == NCOL - 1);
    bv_buf_putc(b, '\n');
    for (size_t i = 0; i < n; i++) {
      for (int c = 0; c < NCOL; c++)
        cell(b, cellv[i][c], w[c], right[c], c == NCOL - 1);
      bv_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < n; i++)
      if (!m->nodes[i].reachable) {
        bv_buf_puts(b, "\n");
        const char *nm = short_name(a, m->nodes[i].name);
        bv_buf_text(b, nm ? nm : "?", nm ? strlen(nm) : 1);
        bv_buf_puts(b, " is unreachable: ");
        const char *why = m->nodes[i].error ? m->nodes[i].error : "no reason given";
        bv_buf_text(b, why, strlen(why));
      }
    if (m->unreachable)
      bv_buf_putc(b, '\n');
  }
  bv_arena_free(a);
  free(cellv);
  free(ncon);
  free(first);
  free(hid);
  if (oom || b->failed)
    return bv_error_set(BV_ENOMEM, "out of memory");
  return 0;
}

int bv_emit_cluster_text(const bv_model *m, bv_format fmt, const bv_emit_opts *o, bv_out *out,
                         bv_emit_info *info)
{
  (void)fmt;
  const bv_clustermap *c = NULL;
  int rc = map_of(m, &c);
  if (rc)
    return rc;
  bv_cluster_view *v;
  if ((rc = bv_cluster_view_make(c, o, &v)))
    return rc;
  bv_buf b;
  bv_buf_init(&b);
  rc = bv_cluster_text(&b, v);
  if (!rc)
    rc = bv_out_buf(out, &b);
  if (info)
    info->nodes = c->n;
  bv_buf_dispose(&b);
  bv_cluster_view_free(v);
  return rc;
}
