/* procs_int.h (internal): pieces shared by procs.c, procs_out.c, memory.c. */
#ifndef BV_PROCS_INT_H
#define BV_PROCS_INT_H

#include "beamviz.h"

/* A set of interned strings keyed by bytes (see procs.c). */
typedef struct bv_intern_slot {
  uint64_t hash; /* 0 = empty */
  const void *key;
  size_t len;
  const char *text; /* the value, set by the caller for fresh keys */
} bv_intern_slot;

typedef struct bv_intern {
  bv_intern_slot *slots;
  size_t cap, count;
  bv_arena *keys; /* copies of the keys */
} bv_intern;

int bv_intern_init(bv_intern *t);
void bv_intern_dispose(bv_intern *t);
/* The value slot for key; *fresh = 1 when it was just added (value NULL).
 * NULL on out of memory. */
const char **bv_intern_lookup(bv_intern *t, const void *key, size_t n, int *fresh);
/* s interned as text (copied into a once); NULL for NULL s; *oom on failure. */
const char *bv_intern_str(bv_intern *t, bv_arena *a, const char *s, int *oom);

/* Streaming writer: a buffer flushed to a bv_out every 64 KiB. */
typedef struct bv_wr {
  bv_out *out;
  bv_buf b;
  int rc;
} bv_wr;

void bv_wr_init(bv_wr *w, bv_out *out);
/* Flushes what is left and frees the buffer; returns the first error. */
int bv_wr_finish(bv_wr *w);
int bv_wr_maybe_flush(bv_wr *w);
void bv_wr_u64(bv_wr *w, uint64_t v);
void bv_wr_str(bv_wr *w, const char *s);  /* raw bytes */
void bv_wr_json(bv_wr *w, const char *s); /* JSON string or null */
void bv_wr_csv(bv_wr *w, const char *s);  /* RFC 4180 field ("" for NULL) */
/* Copies the skeleton tmpl, replacing each "@name@" string literal (with its
 * quotes) by what fill(w, name, ud) writes. */
int bv_wr_template(bv_wr *w, const char *tmpl,
                   void (*fill)(bv_wr *w, const char *name, size_t n, void *ud), void *ud);

#endif
