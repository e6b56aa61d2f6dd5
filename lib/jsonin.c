/* jsonin.c: JSON files from the user, read through cJSON with lengths. */
#include "jsonin.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bv_jdoc {
  cJSON *root;
  char *name;
};

#define CJ(v) ((const cJSON *)(const void *)(v))
#define JV(c) ((const bv_jv *)(const void *)(c))

/* cJSON arrays are linked lists: indexing from the head each time makes a
 * loop over a 100,000-element array quadratic. A cursor per thread remembers
 * the last element handed out, so the usual i, i+1, ... loop is linear. */
static _Thread_local struct {
  const cJSON *arr, *item;
  size_t i;
} cursor;

int bv_jdoc_parse(const char *name, const char *data, size_t len, bv_jdoc **out)
{
  *out = NULL;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
  /* cJSON stops after the first value: anything but whitespace after it is an error */
  while (root && end && end < data + len &&
         (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
    end++;
  if (root && end && end < data + len) {
    cJSON_Delete(root);
    root = NULL;
  }
  if (!root) {
    size_t off = (end && end >= data && end <= data + len) ? (size_t)(end - data) : 0;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
      if (data[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    if (len == 0)
      return bv_error_set(BV_EFORMAT, "%s: empty file, not a beamviz JSON file", name);
    return bv_error_set(BV_EFORMAT, "%s: not valid JSON (line %zu, column %zu)", name, line, col);
  }
  bv_jdoc *d = calloc(1, sizeof *d);
  if (!d || !(d->name = strdup(name))) {
    free(d);
    cJSON_Delete(root);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  d->root = root;
  *out = d;
  return 0;
}

void bv_jdoc_free(bv_jdoc *d)
{
  if (!d)
    return;
  cursor.arr = NULL; /* the next document may reuse the address */
  cursor.item = NULL;
  cJSON_Delete(d->root);
  free(d->name);
  free(d);
}

const bv_jv *bv_jdoc_root(const bv_jdoc *d) { return JV(d->root); }
const char *bv_jdoc_name(const bv_jdoc *d) { return d->name; }

int bv_jv_is_obj(const bv_jv *v) { return v && cJSON_IsObject(CJ(v)); }
int bv_jv_is_arr(const bv_jv *v) { return v && cJSON_IsArray(CJ(v)); }
int bv_jv_is_null(const bv_jv *v) { return !v || cJSON_IsNull(CJ(v)); }

const bv_jv *bv_jv_get(const bv_jv *obj, const char *key)
{
  if (!bv_jv_is_obj(obj))
    return NULL;
  return JV(cJSON_GetObjectItemCaseSensitive(CJ(obj), key));
}

size_t bv_jv_len(const bv_jv *arr)
{
  return bv_jv_is_arr(arr) ? (size_t)cJSON_GetArraySize(CJ(arr)) : 0;
}

const bv_jv *bv_jv_at(const bv_jv *arr, size_t i)
{
  if (!bv_jv_is_arr(arr) || i > (size_t)INT32_MAX)
    return NULL;
  const cJSON *a = CJ(arr), *it;
  if (cursor.arr == a && cursor.item && i == cursor.i)
    return JV(cursor.item);
  if (cursor.arr == a && cursor.item && i == cursor.i + 1)
    it = cursor.item->next;
  else
    it = cJSON_GetArrayItem(a, (int)i);
  cursor.arr = it ? a : NULL;
  cursor.item = it;
  cursor.i = i;
  return JV(it);
}

int bv_jv_fail(const bv_jdoc *d, const char *path, const char *detail)
{
  return bv_error_set(BV_EFORMAT, "%s: %s: %s", d->name, path, detail);
}

int bv_jv_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a, const char **out)
{
  if (!v || !cJSON_IsString(CJ(v)))
    return bv_jv_fail(d, path, v ? "expected a string" : "missing");
  *out = bv_arena_strdup(a, CJ(v)->valuestring);
  return *out ? 0 : bv_error_set(BV_ENOMEM, "out of memory");
}

int bv_jv_opt_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a,
                  const char **out)
{
  if (bv_jv_is_null(v))
    return 0;
  return bv_jv_str(d, v, path, a, out);
}

int bv_jv_u64(const bv_jdoc *d, const bv_jv *v, const char *path, uint64_t *out)
{
  if (!v || !cJSON_IsNumber(CJ(v)))
    return bv_jv_fail(d, path, v ? "expected a number" : "missing");
  double x = CJ(v)->valuedouble;
  if (!(x >= 0) || x > 18446744073709549568.0 || x != floor(x))
    return bv_jv_fail(d, path, "expected a non-negative integer");
  *out = (uint64_t)x;
  return 0;
}

int bv_jv_i64(const bv_jdoc *d, const bv_jv *v, const char *path, int64_t *out)
{
  if (!v || !cJSON_IsNumber(CJ(v)))
    return bv_jv_fail(d, path, v ? "expected a number" : "missing");
  double x = CJ(v)->valuedouble;
  if (!(x >= -9.2e18 && x <= 9.2e18) || x != floor(x))
    return bv_jv_fail(d, path, "expected an integer");
  *out = (int64_t)x;
  return 0;
}

int bv_jv_bool(const bv_jdoc *d, const bv_jv *v, const char *path, int *out)
{
  if (!v || !cJSON_IsBool(CJ(v)))
    return bv_jv_fail(d, path, v ? "expected true or false" : "missing");
  *out = cJSON_IsTrue(CJ(v));
  return 0;
}

int bv_jv_obj(const bv_jdoc *d, const bv_jv *v, const char *path)
{
  return bv_jv_is_obj(v) ? 0 : bv_jv_fail(d, path, v ? "expected an object" : "missing");
}

int bv_jv_arr(const bv_jdoc *d, const bv_jv *v, const char *path, size_t max)
{
  if (!bv_jv_is_arr(v))
    return bv_jv_fail(d, path, v ? "expected an array" : "missing");
  if (max && bv_jv_len(v) > max)
    return bv_jv_fail(d, path, "too many elements");
  return 0;
}

/* --- model files ---------------------------------------------------------- */

static const struct {
  const char *format;
  bv_model_kind kind;
} kinds[] = {
    {"beamviz.procs", BV_MODEL_SNAPSHOT},
    {"beamviz.memory", BV_MODEL_MEMORY},
    {"beamviz.suptree", BV_MODEL_TREE},
    {"beamviz.seqtrace", BV_MODEL_TRACE},
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
                      "%s: not a beamviz model file (no \"format\" field; render reads the "
                      ".json that --save or -o FILE.json wrote)",
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
  case BV_MODEL_NONE: break;
  }
  if (rc)
    memset(out, 0, sizeof *out);
done:
  bv_arena_free(tmp);
  bv_jdoc_free(d);
  return rc;
}

int bv_model_load(const char *path, bv_model *out)
{
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f)
    return bv_error_set(BV_EIO, "cannot read %s: %s", path, strerror(errno));
  bv_buf b;
  bv_buf_init(&b);
  char chunk[65536];
  size_t k;
  int rc = 0;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
    if ((rc = bv_buf_put(&b, chunk, k)))
      break;
  if (!rc && ferror(f))
    rc = bv_error_set(BV_EIO, "cannot read %s: %s", path, strerror(errno));
  fclose(f);
  if (!rc)
    rc = bv_model_load_mem(path, b.data ? b.data : "", b.len, out);
  bv_buf_dispose(&b);
  return rc;
}
