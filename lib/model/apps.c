/* model/apps.c: the started-applications model: its file (written and read back). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

static void apps_write(bv_wr *w, const bv_applist *l)
{
  bv_wr_str(w, "{\"format\":\"beamviz.apps\",\"version\":1");
  bv_wr_kv(w, "node", l->node);
  bv_wr_kv(w, "otp_release", l->otp_release);
  bv_wr_str(w, ",\"elixir\":");
  bv_wr_bool(w, l->elixir);
  bv_wr_str(w, ",\"apps\":[");
  for (size_t i = 0; i < l->n && !bv_wr_maybe_flush(w); i++) {
    const bv_app *a = &l->apps[i];
    bv_wr_str(w, i ? ",\n{\"name\":" : "\n{\"name\":");
    bv_wr_json(w, a->name);
    bv_wr_kv(w, "version", a->version);
    bv_wr_kv(w, "description", a->description);
    bv_wr_str(w, ",\"has_tree\":");
    bv_wr_bool(w, a->has_tree);
    bv_wr_kv(w, "master", a->master);
    bv_wr_kv(w, "top", a->top);
    bv_wr_kv(w, "top_name", a->top_name);
    bv_wr_str(w, "}");
  }
  bv_wr_str(w, "]}\n");
}

int bv_apps_write_json(const bv_applist *l, bv_out *out)
{
  bv_wr w;
  bv_wr_init(&w, out);
  apps_write(&w, l);
  return bv_wr_finish(&w);
}


void bv_applist_free(bv_applist *l)
{
  if (l) {
    bv_arena_free(l->arena);
    free(l);
  }
}

#define MAX_APPS 100000u

int bv_applist_from_json(const bv_jdoc *d, bv_applist **out)
{
  *out = NULL;
  const bv_jv *root = bv_jdoc_root(d);
  const bv_jv *arr = bv_jv_get(root, "apps");
  int rc = bv_jv_arr(d, arr, "apps", MAX_APPS);
  if (rc)
    return rc;
  bv_applist *l = calloc(1, sizeof *l);
  if (!l || !(l->arena = bv_arena_new())) {
    bv_applist_free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  size_t n = bv_jv_len(arr);
  if (!(l->apps = bv_arena_alloc(l->arena, (n ? n : 1) * sizeof *l->apps))) {
    bv_applist_free(l);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  if ((rc = bv_jv_opt_str(d, bv_jv_get(root, "node"), "node", l->arena, &l->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(root, "otp_release"), "otp_release", l->arena,
                          &l->otp_release)))
    goto fail;
  if (!bv_jv_is_null(bv_jv_get(root, "elixir")) &&
      (rc = bv_jv_bool(d, bv_jv_get(root, "elixir"), "elixir", &l->elixir)))
    goto fail;
  bv_jit it;
  bv_jv_iter(arr, &it);
  char path[64];
  for (const bv_jv *e = bv_jv_next(&it); e; e = bv_jv_next(&it), l->n++) {
    bv_app *a = &l->apps[l->n];
    snprintf(path, sizeof path, "apps[%zu]", l->n);
    if ((rc = bv_jv_obj(d, e, path)))
      goto fail;
#define STR(key, dst, opt)                                                                     \
  do {                                                                                         \
    snprintf(path, sizeof path, "apps[%zu].%s", l->n, key);                                    \
    if ((rc = (opt ? bv_jv_opt_str : bv_jv_str)(d, bv_jv_get(e, key), path, l->arena, &dst))) \
      goto fail;                                                                               \
  } while (0)
    STR("name", a->name, 0);
    STR("version", a->version, 1);
    STR("description", a->description, 1);
    STR("master", a->master, 1);
    STR("top", a->top, 1);
    STR("top_name", a->top_name, 1);
#undef STR
    if (!bv_jv_is_null(bv_jv_get(e, "has_tree"))) {
      snprintf(path, sizeof path, "apps[%zu].has_tree", l->n);
      if ((rc = bv_jv_bool(d, bv_jv_get(e, "has_tree"), path, &a->has_tree)))
        goto fail;
    }
  }
  *out = l;
  return 0;
fail:
  bv_applist_free(l);
  return rc;
}
