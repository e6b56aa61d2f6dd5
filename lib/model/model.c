/* model.c: helpers shared by every model. */
#include "model/model.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

const char *const bv_mem_kinds[BV_MEM_NKINDS] = {"total", "processes", "atom", "binary",
                                                 "code",  "ets",       "system"};

int bv_pid_display(bv_buf *b, const char *pid, int elixir)
{
  if (!pid)
    return bv_buf_puts(b, "?");
  if (elixir && pid[0] == '<')
    return bv_buf_printf(b, "#PID%s", pid);
  return bv_buf_puts(b, pid);
}

const char *bv_strip_elixir(const char *name)
{
  if (name && strncmp(name, "Elixir.", 7) == 0 && name[7])
    return name + 7;
  return name;
}

int bv_mfa_display(bv_buf *b, const char *mod, int elixir)
{
  if (!mod)
    return bv_buf_puts(b, "?");
  const char *colon = strrchr(mod, ':'), *slash = colon ? strrchr(colon, '/') : NULL;
  int mfa = colon && colon > mod && slash && slash > colon + 1 && slash[1] &&
            strspn(slash + 1, "0123456789") == strlen(slash + 1);
  if (!elixir)
    return bv_buf_puts(b, mod);
  mod = bv_strip_elixir(mod);
  if (!mfa)
    return bv_buf_puts(b, mod);
  colon = strrchr(mod, ':');
  if (!(mod[0] >= 'A' && mod[0] <= 'Z'))
    bv_buf_putc(b, ':');
  bv_buf_put(b, mod, (size_t)(colon - mod));
  bv_buf_putc(b, '.');
  return bv_buf_puts(b, colon + 1);
}

int bv_ident_display(bv_buf *b, const bv_ident *id, int elixir)
{
  const char *first = id->name && *id->name       ? NULL
                      : id->label && *id->label   ? id->label
                      : id->child_id && *id->child_id ? id->child_id
                                                  : NULL;
  if (id->name && *id->name)
    return bv_buf_puts(b, id->name);
  if (first) {
    bv_buf_puts(b, first);
  } else if (id->module && *id->module && strncmp(id->module, "erlang:", 7) != 0 &&
             strcmp(id->module, "erlang") != 0) {
    /* the module alone: "mod:fun/arity" loses ":fun/arity" */
    const char *colon = strrchr(id->module, ':');
    const char *slash = colon ? strchr(colon, '/') : NULL;
    size_t n = colon && slash && colon > id->module ? (size_t)(colon - id->module)
                                                    : strlen(id->module);
    char mod[256];
    if (n >= sizeof mod)
      n = sizeof mod - 1;
    memcpy(mod, id->module, n);
    mod[n] = 0;
    const char *m = elixir ? bv_strip_elixir(mod) : mod;
    if (elixir && !(m[0] >= 'A' && m[0] <= 'Z'))
      bv_buf_putc(b, ':');
    bv_buf_puts(b, m);
  } else {
    return bv_pid_display(b, id->pid, elixir);
  }
  if (id->pid) {
    bv_buf_putc(b, ' ');
    bv_pid_display(b, id->pid, elixir);
  }
  return b->failed ? BV_ENOMEM : 0;
}

#define FREE_MODEL(type, fn)                                                                 \
  void fn(type *m)                                                                           \
  {                                                                                          \
    if (m) {                                                                                 \
      bv_arena_free(m->arena);                                                               \
      free(m);                                                                               \
    }                                                                                        \
  }
FREE_MODEL(bv_snapshot, bv_snapshot_free)
FREE_MODEL(bv_memseries, bv_memseries_free)
FREE_MODEL(bv_tree, bv_tree_free)
FREE_MODEL(bv_trace, bv_trace_free)

void bv_model_dispose(bv_model *m)
{
  if (!m)
    return;
  switch (m->kind) {
  case BV_MODEL_SNAPSHOT: bv_snapshot_free(m->u.snapshot); break;
  case BV_MODEL_MEMORY: bv_memseries_free(m->u.memory); break;
  case BV_MODEL_TREE: bv_tree_free(m->u.tree); break;
  case BV_MODEL_TRACE: bv_trace_free(m->u.trace); break;
  case BV_MODEL_APPS: bv_applist_free(m->u.apps); break;
  case BV_MODEL_CLUSTER: bv_clustermap_free(m->u.cluster); break;
  case BV_MODEL_NONE: break;
  }
  memset(m, 0, sizeof *m);
}

/* --- model files ---------------------------------------------------------- */

int bv_model_error_code(const char *name)
{
  for (int c = -1; c >= -64; c--)
    if (strcmp(bv_error_name(c), name) == 0 && strcmp(name, "error") != 0)
      return c;
  return 0;
}

int bv_node_result_read(const bv_jdoc *d, const bv_jv *e, const char *path, bv_arena *a,
                        bv_intern *names, bv_node_result *r, bv_intern_slot **slot)
{
  char p[96];
  const char *err = NULL;
#define SUB(f) (snprintf(p, sizeof p, "%s%s", path, f), p)
  int rc;
  if ((rc = bv_jv_obj(d, e, path)) ||
      (rc = bv_jv_str(d, bv_jv_get(e, "node"), SUB(".node"), a, &r->node)) ||
      (rc = bv_jv_opt_str(d, bv_jv_get(e, "error"), SUB(".error"), a, &err)))
    return rc;
  if (!*r->node)
    return bv_jv_fail(d, SUB(".node"), "empty node name");
  int fresh;
  if (!(*slot = bv_intern_put(names, r->node, strlen(r->node), &fresh)))
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (!fresh)
    return bv_jv_fail(d, SUB(".node"), "a node listed twice");
  r->code = 0;
  if (err) {
    if (!(r->code = bv_model_error_code(err)))
      return bv_jv_fail(d, SUB(".error"), "not an error beamviz names");
    if ((rc = bv_jv_str(d, bv_jv_get(e, "reason"), SUB(".reason"), a, &r->reason)))
      return rc;
  }
#undef SUB
  return 0;
}

void bv_node_result_write(bv_wr *w, const bv_node_result *r, size_t i)
{
  bv_wr_str(w, i ? ",\n{\"node\":" : "\n{\"node\":");
  bv_wr_json(w, r->node ? r->node : "");
  if (r->code) {
    bv_wr_str(w, ",\"error\":");
    bv_wr_json(w, bv_error_name(r->code));
    bv_wr_str(w, ",\"reason\":");
    bv_wr_json(w, r->reason ? r->reason : "");
  }
}

const char *bv_nodes_label(bv_arena *a, size_t n)
{
  return bv_arena_printf(a, "%zu node%s", n, n == 1 ? "" : "s");
}

int bv_node_results_read(const bv_jdoc *d, const bv_jv *root, bv_arena *a, size_t max,
                         const char *none, bv_node_result **out, size_t *n, bv_intern *names)
{
  const bv_jv *nv = bv_jv_get(root, "nodes");
  *out = NULL;
  *n = 0;
  if (!nv || bv_jv_is_null(nv))
    return 0;
  int rc = bv_jv_arr(d, nv, "nodes", max);
  if (rc)
    return rc;
  size_t k = bv_jv_len(nv), ok = 0;
  if (!k)
    return bv_jv_fail(d, "nodes", "empty");
  bv_node_result *v = bv_arena_alloc(a, k * sizeof *v);
  if (!v)
    return bv_error_set(BV_ENOMEM, "out of memory");
  memset(v, 0, k * sizeof *v);
  char path[64];
  bv_jit it;
  bv_jv_iter(nv, &it);
  for (size_t i = 0; i < k; i++) {
    bv_intern_slot *sl;
    snprintf(path, sizeof path, "nodes[%zu]", i);
    if ((rc = bv_node_result_read(d, bv_jv_next(&it), path, a, names, &v[i], &sl)))
      return rc;
    /* a failed node's name is known (never twice), but nothing names it */
    sl->num = v[i].code ? -1 : (int64_t)i;
    ok += !v[i].code;
  }
  *out = v;
  *n = k;
  return ok ? 0 : bv_jv_fail(d, "nodes", none);
}

static const struct {
  const char *format;
  bv_model_kind kind;
} kinds[] = {
    {"beamviz.procs", BV_MODEL_SNAPSHOT},
    {"beamviz.memory", BV_MODEL_MEMORY},
    {"beamviz.suptree", BV_MODEL_TREE},
    {"beamviz.seqtrace", BV_MODEL_TRACE},
    {"beamviz.apps", BV_MODEL_APPS},
    {"beamviz.cluster_map", BV_MODEL_CLUSTER},
};

int bv_model_load_mem(const char *name, const char *data, size_t len, bv_model *out)
{
  memset(out, 0, sizeof *out);
  bv_jdoc *d;
  int rc = bv_jdoc_parse(name, data, len, &d);
  if (rc)
    return rc;
  const bv_jv *root = bv_jdoc_root(d);
  const char *fmt = NULL;
  bv_arena *tmp = bv_arena_new();
  int64_t version = 0;
  if (!tmp) {
    bv_jdoc_free(d);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  if ((rc = bv_jv_obj(d, root, "top level")))
    goto done;
  if (!bv_jv_get(root, "format")) {
    rc = bv_error_set(BV_EFORMAT,
                      "%s: not a beamviz model file (no \"format\" field)",
                      name);
    goto done;
  }
  if ((rc = bv_jv_str(d, bv_jv_get(root, "format"), "format", tmp, &fmt)))
    goto done;
  bv_model_kind kind = BV_MODEL_NONE;
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (strcmp(fmt, kinds[i].format) == 0)
      kind = kinds[i].kind;
  if (kind == BV_MODEL_NONE) {
    rc = bv_error_set(BV_EFORMAT, "%s: format '%.60s' is not a beamviz model file", name, fmt);
    goto done;
  }
  if ((rc = bv_jv_i64(d, bv_jv_get(root, "version"), "version", &version)))
    goto done;
  if (version > BV_FILE_VERSION || version < 1) {
    rc = bv_error_set(BV_EFORMAT,
                      "%s: version %lld of %s is %s than this beamviz reads (%d)", name,
                      (long long)version, fmt, version > BV_FILE_VERSION ? "newer" : "other",
                      BV_FILE_VERSION);
    goto done;
  }
  out->kind = kind;
  switch (kind) {
  case BV_MODEL_SNAPSHOT: rc = bv_snapshot_from_json(d, &out->u.snapshot); break;
  case BV_MODEL_MEMORY: rc = bv_memseries_from_json(d, &out->u.memory); break;
  case BV_MODEL_TREE: rc = bv_tree_from_json(d, &out->u.tree); break;
  case BV_MODEL_TRACE: rc = bv_trace_from_json(d, &out->u.trace); break;
  case BV_MODEL_APPS: rc = bv_applist_from_json(d, &out->u.apps); break;
  case BV_MODEL_CLUSTER: rc = bv_clustermap_from_json(d, &out->u.cluster); break;
  case BV_MODEL_NONE: break;
  }
  if (rc)
    memset(out, 0, sizeof *out);
done:
  bv_arena_free(tmp);
  bv_jdoc_free(d);
  return rc;
}

int bv_model_load(const char *path, bv_load_opts *o, bv_model *out)
{
  memset(out, 0, sizeof *out);
  size_t max = o && o->max_bytes ? o->max_bytes : BV_MODEL_MAX_BYTES;
  if (o)
    o->too_big = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return bv_error_set(BV_EIO, "cannot read %s: %s", path, strerror(errno));
  /* read at most max + 1 bytes, whatever the file claims to be: pipes and
     devices (/dev/zero) have no size to trust */
  bv_buf b;
  bv_buf_init(&b);
  char chunk[65536];
  size_t k;
  int rc = 0;
  while (b.len <= max) {
    size_t want = max + 1 - b.len < sizeof chunk ? max + 1 - b.len : sizeof chunk;
    if (!(k = fread(chunk, 1, want, f)))
      break;
    if ((rc = bv_buf_put(&b, chunk, k)))
      break;
  }
  if (!rc && ferror(f))
    rc = bv_error_set(BV_EIO, "cannot read %s: %s", path, strerror(errno));
  fclose(f);
  if (!rc && b.len > max) {
    if (o)
      o->too_big = 1;
    if (max % (1u << 20) == 0)
      rc = bv_error_set(BV_EFORMAT, "%s: larger than %zu MiB, the limit for a model file", path,
                        max >> 20);
    else
      rc = bv_error_set(BV_EFORMAT, "%s: larger than %zu bytes, the limit for a model file",
                        path, max);
  }
  if (!rc)
    rc = bv_model_load_mem(path, b.data ? b.data : "", b.len, out);
  bv_buf_dispose(&b);
  return rc;
}

const char *bv_model_kind_name(bv_model_kind k)
{
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (kinds[i].kind == k)
      return kinds[i].format + sizeof "beamviz." - 1;
  return NULL;
}

int bv_model_save(const bv_model *m, bv_out *out)
{
  switch (m->kind) {
  case BV_MODEL_SNAPSHOT: return bv_snapshot_write_json(m->u.snapshot, out);
  case BV_MODEL_MEMORY: return bv_memseries_write_json(m->u.memory, out);
  case BV_MODEL_TREE: return bv_tree_write_json(m->u.tree, out);
  case BV_MODEL_TRACE: return bv_trace_write_json(m->u.trace, out);
  case BV_MODEL_APPS: return bv_apps_write_json(m->u.apps, out);
  case BV_MODEL_CLUSTER: return bv_clustermap_write_json(m->u.cluster, out);
  case BV_MODEL_NONE: break;
  }
  return bv_error_set(BV_EINVAL, "nothing to save (empty model)");
}

