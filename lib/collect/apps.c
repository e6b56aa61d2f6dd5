/* apps.c: the started applications (beamviz apps): collect, text table, JSON. */
#include "beamviz.h"

#include <stdlib.h>
#include <string.h>

void bv_applist_free(bv_applist *l)
{
  if (l) {
    bv_arena_free(l->arena);
    free(l);
  }
}

static const char *dup_text(bv_arena *a, const bv_term *t)
{
  const char *s = bv_term_text(t);
  return s ? bv_arena_strdup(a, s) : NULL;
}

static const char *dup_pid(bv_arena *a, const bv_term *t, const char *node)
{
  if (!t || t->type != BV_T_PID)
    return NULL;
  bv_buf b;
  bv_buf_init(&b);
  bv_term_pid_str(&b, t, node);
  const char *s = b.data ? bv_arena_strndup(a, b.data, b.len) : NULL;
  bv_buf_dispose(&b);
  return s;
}

int bv_apps_collect(bv_conn *c, bv_applist **out)
{
  *out = NULL;
  bv_applist *l = calloc(1, sizeof *l);
  if (!l || !(l->arena = bv_arena_new())) {
    free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  unsigned ms = bv_conn_timeout(c);
  unsigned inner = ms > 2000 ? ms - 1000 : ms / 2;
  bv_binding b[] = {{"Timeout", BV_B_INT, inner, NULL, 0}};
  bv_term *r;
  int rc = bv_conn_eval(c, "apps.erl", b, 1, ms, l->arena, &r);
  if (rc) {
    bv_applist_free(l);
    return rc;
  }
  const bv_term *node = bv_term_elem(r, 1), *apps = bv_term_elem(r, 2);
  if (!bv_term_is_atom(bv_term_elem(r, 0), "ok") || !node || node->type != BV_T_ATOM || !apps ||
      (apps->type != BV_T_LIST && apps->type != BV_T_NIL)) {
    bv_applist_free(l);
    return bv_error_set(BV_ETERM, "apps: unexpected reply from node %s", bv_conn_node(c));
  }
  l->node = bv_arena_strdup(l->arena, node->v.s);
  l->otp_release = bv_arena_strdup(l->arena, bv_conn_otp_release(c));
  l->elixir = bv_conn_has_elixir(c);
  l->n = apps->type == BV_T_LIST ? apps->n : 0;
  l->apps = bv_arena_alloc(l->arena, (l->n ? l->n : 1) * sizeof *l->apps);
  if (!l->apps) {
    bv_applist_free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < l->n; i++) {
    const bv_term *e = &apps->v.items[i];
    bv_app *a = &l->apps[i];
    a->name = dup_text(l->arena, bv_term_elem(e, 0));
    a->version = dup_text(l->arena, bv_term_elem(e, 1));
    a->description = dup_text(l->arena, bv_term_elem(e, 2));
    a->master = dup_pid(l->arena, bv_term_elem(e, 3), l->node);
    a->top = dup_pid(l->arena, bv_term_elem(e, 4), l->node);
    const bv_term *tn = bv_term_elem(e, 5);
    if (tn && tn->type == BV_T_ATOM)
      a->top_name = bv_arena_strdup(l->arena, bv_strip_elixir(tn->v.s));
    a->has_tree = a->master && a->top;
    if (!a->name)
      a->name = "?";
  }
  *out = l;
  return 0;
}

/* Width in columns of clean text: one per character (wide characters are
 * rare in application names and versions). */
static size_t columns(const char *s, size_t n)
{
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* Appends s as clean text (bv_buf_text), padded with spaces to width columns. */
static void put_cell(bv_buf *b, bv_buf *tmp, const char *s, size_t width)
{
  tmp->len = 0;
  bv_buf_text(tmp, s, strlen(s));
  size_t w = tmp->data ? columns(tmp->data, tmp->len) : 0;
  bv_buf_put(b, tmp->data ? tmp->data : "", tmp->len);
  for (; w < width; w++)
    bv_buf_putc(b, ' ');
}

/* Every cell is written through bv_buf_text: names, versions and descriptions
 * come from the node, and a table is read on a terminal. */
int bv_apps_text(bv_buf *b, const bv_applist *l)
{
  size_t wn = 4, wv = 7;
  bv_buf tmp;
  bv_buf_init(&tmp);
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    tmp.len = 0;
    bv_buf_text(&tmp, a->name, strlen(a->name));
    size_t n = tmp.data ? columns(tmp.data, tmp.len) : 0;
    tmp.len = 0;
    bv_buf_text(&tmp, a->version ? a->version : "-", a->version ? strlen(a->version) : 1);
    size_t v = tmp.data ? columns(tmp.data, tmp.len) : 0;
    if (n > wn)
      wn = n;
    if (v > wv)
      wv = v;
  }
  bv_buf_printf(b, "%-*s  %-*s  %-4s  %s\n", (int)wn, "NAME", (int)wv, "VERSION", "TREE",
                "DESCRIPTION");
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    put_cell(b, &tmp, a->name, wn);
    bv_buf_puts(b, "  ");
    put_cell(b, &tmp, a->version ? a->version : "-", wv);
    bv_buf_printf(b, "  %-4s  ", a->has_tree ? "yes" : "no");
    put_cell(b, &tmp, a->description ? a->description : "", 0);
    bv_buf_putc(b, '\n');
  }
  int failed = tmp.failed;
  bv_buf_dispose(&tmp);
  return b->failed || failed ? bv_error_set(BV_ENOMEM, "out of memory") : 0;
}

static void json_field(bv_buf *b, const char *key, const char *v)
{
  bv_buf_printf(b, ",\"%s\":", key);
  if (v)
    bv_buf_json_str(b, v, strlen(v));
  else
    bv_buf_puts(b, "null");
}

int bv_apps_json(bv_buf *b, const bv_applist *l)
{
  bv_buf_puts(b, "{\"format\":\"beamviz.apps\",\"version\":1");
  json_field(b, "node", l->node);
  json_field(b, "otp_release", l->otp_release);
  bv_buf_printf(b, ",\"elixir\":%s,\"apps\":[", l->elixir ? "true" : "false");
  for (size_t i = 0; i < l->n; i++) {
    const bv_app *a = &l->apps[i];
    bv_buf_printf(b, "%s\n{\"name\":", i ? "," : "");
    bv_buf_json_str(b, a->name, strlen(a->name));
    json_field(b, "version", a->version);
    json_field(b, "description", a->description);
    bv_buf_printf(b, ",\"has_tree\":%s", a->has_tree ? "true" : "false");
    json_field(b, "master", a->master);
    json_field(b, "top", a->top);
    json_field(b, "top_name", a->top_name);
    bv_buf_putc(b, '}');
  }
  bv_buf_puts(b, "]}\n");
  return b->failed ? BV_ENOMEM : 0;
}
