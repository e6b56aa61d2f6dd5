/* util/util.h: what every stage uses: errors, arenas, byte buffers and text
 * cleaning, outputs, the clock, the hash map and the streaming JSON writer. */
#ifndef BV_UTIL_H
#define BV_UTIL_H

#include <beamviz.h>
#include <stdarg.h>
#include <stdio.h>

/* Sets the message (printf-style) and returns code, for `return bv_error_set(...)`. */
int bv_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* Arena: one per model. A build with BV_ARENA_MALLOC=1 (sanitizer builds)    */
/* turns every allocation into its own malloc so ASan sees each one.         */
/* ------------------------------------------------------------------------ */

bv_arena *bv_arena_new(void);                 /* NULL on OOM */
void bv_arena_free(bv_arena *a);              /* frees everything; NULL ok */
void bv_arena_reset(bv_arena *a);             /* frees all allocations, keeps a */
void *bv_arena_alloc(bv_arena *a, size_t n);  /* zeroed, 16-aligned; NULL on OOM */
/* Grows (or shrinks) p, an allocation of old bytes from a (NULL: none), to n
 * bytes, keeping the first min(old, n); the bytes past old are NOT zeroed.
 * For an array that grows as data arrives: after the first call p lives in a
 * block of its own, which later calls realloc. NULL on OOM (p unchanged). */
void *bv_arena_realloc(bv_arena *a, void *p, size_t old, size_t n);
char *bv_arena_strdup(bv_arena *a, const char *s);
char *bv_arena_strndup(bv_arena *a, const char *s, size_t n);
char *bv_arena_printf(bv_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t bv_arena_used(const bv_arena *a);      /* bytes handed out */
/* Frees p now if bv_arena_realloc made it (a block of its own); else it
 * stays until the arena goes. 1 if freed. */
int bv_arena_release(bv_arena *a, void *p);
/* Moves every allocation of child into a (freed with a) and frees child. */
void bv_arena_adopt(bv_arena *a, bv_arena *child);


/* ------------------------------------------------------------------------ */
/* Growable byte buffer with an optional size cap                             */
/* ------------------------------------------------------------------------ */

typedef struct bv_buf {
  char *data;   /* always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  size_t limit; /* 0 = no limit; appends past it fail with BV_ENOMEM */
  int failed;   /* sticky: an append failed */
} bv_buf;

void bv_buf_init(bv_buf *b);
void bv_buf_dispose(bv_buf *b);  /* caller-owned struct: frees data only */
int bv_buf_put(bv_buf *b, const void *p, size_t n);
int bv_buf_puts(bv_buf *b, const char *s);
int bv_buf_putc(bv_buf *b, char c);
int bv_buf_printf(bv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal with quotes; invalid UTF-8 becomes U+FFFD; every control
 * character (C0, DEL, C1) is escaped (\n, \u001b, \u009b). */
int bv_buf_json_str(bv_buf *b, const char *s, size_t n);
/* Text for a terminal or a text file (tables, CSV cells, error lines): valid
 * UTF-8 is kept except control characters, which become visible escapes: C0
 * controls and DEL \n \r \t or \xHH, C1 controls (U+0080-U+009F) \u00HH, a
 * byte that is not valid UTF-8 \xHH. Backslashes are kept (cleaning clean text
 * changes nothing; JSON outputs keep the exact text). */
int bv_buf_text(bv_buf *b, const char *s, size_t n);
/* Bytes of the valid UTF-8 character at s (n bytes left), 0 if s does not hold
 * one (overlong, surrogate, cut, stray continuation byte). */
size_t bv_utf8_len(const char *s, size_t n);
/* bv_text_clean (public) is the same into a fixed buffer. */
/* Number formatting in the C locale, shortest round-trip for doubles. */
int bv_buf_double(bv_buf *b, double v);
int bv_buf_u64(bv_buf *b, uint64_t v);


int bv_out_buf(bv_out *o, const bv_buf *b);       /* writes b's bytes */

/* The hash map: byte keys to a value (open addressing; util/hmap.c). The
 * keys are copied into the map; the value is the caller's: text for interning,
 * a pointer or a number for any other lookup table. A zeroed bv_intern is an
 * empty map too (its first insertion allocates). */
typedef struct bv_intern_slot {
  uint64_t hash; /* 0 = empty */
  const void *key;
  size_t len;
  union {
    const char *text; /* interning: the value, set by the caller for fresh keys */
    const void *ptr;
    int64_t num;
  };
} bv_intern_slot;

typedef struct bv_intern {
  bv_intern_slot *slots;
  size_t cap, count;
  bv_arena *keys; /* copies of the keys */
} bv_intern;

int bv_intern_init(bv_intern *t);
void bv_intern_dispose(bv_intern *t);
/* The slot of key, added (value zeroed, *fresh = 1) if it was not there;
 * NULL on out of memory. The slot is valid until the next insertion. */
bv_intern_slot *bv_intern_put(bv_intern *t, const void *key, size_t n, int *fresh);
/* The slot of key, or NULL if it is not there. */
const bv_intern_slot *bv_intern_get(const bv_intern *t, const void *key, size_t n);
/* The text value of key (bv_intern_put's slot's .text). */
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
/* Room for n more bytes in the buffer (sticky failure on OOM). */
int bv_wr_reserve(bv_buf *b, size_t n);
void bv_wr_u64(bv_wr *w, uint64_t v);
void bv_wr_str(bv_wr *w, const char *s);  /* raw bytes */
void bv_wr_i64(bv_wr *w, int64_t v);
void bv_wr_json(bv_wr *w, const char *s); /* JSON string or null */
/* ,"key":value with value a JSON string or null; key is a plain name (no
 * character that JSON escapes). */
void bv_wr_kv(bv_wr *w, const char *key, const char *s);
void bv_wr_bool(bv_wr *w, int v);          /* true or false */
void bv_wr_csv(bv_wr *w, const char *s);  /* RFC 4180 field ("" for NULL) */
/* Copies the skeleton tmpl, replacing each "@name@" string literal (with its
 * quotes) by what fill(w, name, ud) writes. */
int bv_wr_template(bv_wr *w, const char *tmpl,
                   void (*fill)(bv_wr *w, const char *name, size_t n, void *ud), void *ud);

/* The monotonic clock, in milliseconds (util/clock.c). */
uint64_t bv_now_ms(void);

/* ------------------------------------------------------------------------ */
/* Templates embedded at build time (templates/, examples/)                  */
/* ------------------------------------------------------------------------ */

/* Bytes of the embedded file `name` (base name, e.g. "procs.erl"), NUL-terminated;
 * NULL if there is none. Borrowed, static. */
const char *bv_template(const char *name, size_t *len);

#endif
