/* jsonin.h (internal): the one bounds-checked reader of JSON files. Model
 * loaders walk bv_jv values and get errors that name the file and the JSON
 * path ("procs[12].memory"). */
#ifndef BV_JSONIN_H
#define BV_JSONIN_H

#include "util/util.h"

typedef struct bv_jdoc bv_jdoc;
typedef struct bv_jv bv_jv; /* a value inside a document (borrowed) */

/* Limits of a document: nesting, and the index of its values (16 bytes a
 * value) may take at most INDEX_PER_BYTE bytes per byte of text plus
 * INDEX_FLOOR; a file with more values than that (an array of millions of
 * single digits) is refused before it takes more. Files beamviz writes stay
 * far below (their values average over 10 bytes of text). */
#define BV_JSON_MAX_DEPTH 512
#define BV_JSON_INDEX_PER_BYTE 4
#define BV_JSON_INDEX_FLOOR (16u << 20)

/* Parses data[0..len) (no NUL needed; at most 4 GiB). The document indexes
 * data without copying it: data must stay until bv_jdoc_free. Errors:
 * BV_EFORMAT with line:column, the nesting limit or the index budget;
 * BV_ENOMEM. */
int bv_jdoc_parse(const char *name, const char *data, size_t len, bv_jdoc **out);
void bv_jdoc_free(bv_jdoc *d);
const bv_jv *bv_jdoc_root(const bv_jdoc *d);
const char *bv_jdoc_name(const bv_jdoc *d);
size_t bv_jdoc_index_bytes(const bv_jdoc *d); /* memory of the index (tests) */

int bv_jv_is_obj(const bv_jv *v);
int bv_jv_is_arr(const bv_jv *v);
int bv_jv_is_null(const bv_jv *v);
const bv_jv *bv_jv_get(const bv_jv *obj, const char *key);   /* NULL if absent */
size_t bv_jv_len(const bv_jv *arr);                          /* 0 if not an array */
/* Element i: walks from the first element, O(i). For a few fixed indexes
 * ("serial":[prev, curr]); loops over an array use bv_jit. */
const bv_jv *bv_jv_at(const bv_jv *arr, size_t i);

/* An iterator over an array's elements, one per array being walked (nested
 * walks do not disturb each other): constant time a step.
 *   bv_jit it; bv_jv_iter(arr, &it); for (e = bv_jv_next(&it); e; e = bv_jv_next(&it)) */
typedef struct bv_jit {
  const void *next; /* the element bv_jv_next returns next, NULL at the end */
} bv_jit;
void bv_jv_iter(const bv_jv *arr, bv_jit *it); /* not an array: no elements */
const bv_jv *bv_jv_next(bv_jit *it);           /* NULL after the last */

/* Nodes this thread has stepped over walking arrays and objects (bv_jv_at,
 * bv_jv_next, bv_jv_get): a counted-operations hook, so tests can check that
 * a loader's work grows linearly with its file without timing it. */
uint64_t bv_jv_steps(void);

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


#endif
