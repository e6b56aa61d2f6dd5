/* jsonin.h (internal): the one bounds-checked reader of JSON files.
 * cJSON stays inside jsonin.c; model loaders walk bv_jv values and get errors
 * that name the file and the JSON path ("procs[12].memory"). */
#ifndef BV_JSONIN_H
#define BV_JSONIN_H

#include "beamviz.h"

typedef struct bv_jdoc bv_jdoc;
typedef struct bv_jv bv_jv; /* a value inside a document (borrowed) */

/* Parses data[0..len) (no NUL needed). Errors: BV_EFORMAT with line:column. */
int bv_jdoc_parse(const char *name, const char *data, size_t len, bv_jdoc **out);
void bv_jdoc_free(bv_jdoc *d);
const bv_jv *bv_jdoc_root(const bv_jdoc *d);
const char *bv_jdoc_name(const bv_jdoc *d);

int bv_jv_is_obj(const bv_jv *v);
int bv_jv_is_arr(const bv_jv *v);
int bv_jv_is_null(const bv_jv *v);
const bv_jv *bv_jv_get(const bv_jv *obj, const char *key);   /* NULL if absent */
size_t bv_jv_len(const bv_jv *arr);
const bv_jv *bv_jv_at(const bv_jv *arr, size_t i);

/* Typed reads that fail with BV_EFORMAT naming "<file>: <path>: expected ...".
 * `path` is the caller's description of where v is (e.g. "procs[3].memory").
 * opt variants accept an absent or null value and leave the default. */
int bv_jv_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a, const char **out);
int bv_jv_opt_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a,
                  const char **out);
int bv_jv_u64(const bv_jdoc *d, const bv_jv *v, const char *path, uint64_t *out);
int bv_jv_i64(const bv_jdoc *d, const bv_jv *v, const char *path, int64_t *out);
int bv_jv_bool(const bv_jdoc *d, const bv_jv *v, const char *path, int *out);
int bv_jv_obj(const bv_jdoc *d, const bv_jv *v, const char *path);
int bv_jv_arr(const bv_jdoc *d, const bv_jv *v, const char *path, size_t max);
/* An error at path (printf-style detail). */
int bv_jv_fail(const bv_jdoc *d, const char *path, const char *detail);

/* Per-kind loaders (each in its model's file). The header (format, version)
 * is checked by bv_model_load_mem before they run. */
int bv_snapshot_from_json(const bv_jdoc *d, bv_snapshot **out);
int bv_memseries_from_json(const bv_jdoc *d, bv_memseries **out);
int bv_tree_from_json(const bv_jdoc *d, bv_tree **out);
int bv_trace_from_json(const bv_jdoc *d, bv_trace **out);

#endif
