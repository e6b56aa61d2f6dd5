/* util/hmap.c: the hash map (open addressing keyed by bytes). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Open addressing keyed by bytes, linear probing, at most half full. Used for
 * interning (a term's encoding while collecting, the text itself while
 * loading; a million processes share a few hundred distinct statuses and
 * functions) and for the collectors' lookup tables (pid text to a term or
 * an index). */

static uint64_t hash_bytes(const void *p, size_t n)
{
  const unsigned char *s = p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ s[i]) * 1099511628211ull;
  return h ? h : 1;
}

int bv_intern_init(bv_intern *t)
{
  memset(t, 0, sizeof *t);
  t->keys = bv_arena_new();
  t->cap = 256;
  t->slots = calloc(t->cap, sizeof *t->slots);
  if (!t->keys || !t->slots) {
    bv_intern_dispose(t);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  return 0;
}

void bv_intern_dispose(bv_intern *t)
{
  bv_arena_free(t->keys);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

static bv_intern_slot *find_slot(bv_intern_slot *slots, size_t cap, uint64_t h, const void *key,
                                 size_t n)
{
  size_t i = (size_t)h & (cap - 1);
  for (;;) {
    bv_intern_slot *s = &slots[i];
    if (!s->hash || (s->hash == h && s->len == n && memcmp(s->key, key, n) == 0))
      return s;
    i = (i + 1) & (cap - 1);
  }
}

static int grow(bv_intern *t)
{
  size_t ncap = t->cap ? t->cap * 2 : 256;
  bv_intern_slot *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    return BV_ENOMEM;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i].hash)
      *find_slot(ns, ncap, t->slots[i].hash, t->slots[i].key, t->slots[i].len) = t->slots[i];
  free(t->slots);
  t->slots = ns;
  t->cap = ncap;
  return 0;
}

bv_intern_slot *bv_intern_put(bv_intern *t, const void *key, size_t n, int *fresh)
{
  *fresh = 0;
  if ((t->count + 1) * 2 > t->cap && grow(t))
    return NULL;
  if (!t->keys && !(t->keys = bv_arena_new()))
    return NULL;
  uint64_t h = hash_bytes(key, n);
  bv_intern_slot *s = find_slot(t->slots, t->cap, h, key, n);
  if (!s->hash) {
    void *k = bv_arena_alloc(t->keys, n ? n : 1);
    if (!k)
      return NULL;
    memcpy(k, key, n);
    memset(s, 0, sizeof *s);
    s->hash = h;
    s->key = k;
    s->len = n;
    t->count++;
    *fresh = 1;
  }
  return s;
}

const bv_intern_slot *bv_intern_get(const bv_intern *t, const void *key, size_t n)
{
  if (!t->cap)
    return NULL;
  const bv_intern_slot *s = find_slot(t->slots, t->cap, hash_bytes(key, n), key, n);
  return s->hash ? s : NULL;
}

const char **bv_intern_lookup(bv_intern *t, const void *key, size_t n, int *fresh)
{
  bv_intern_slot *s = bv_intern_put(t, key, n, fresh);
  return s ? &s->text : NULL;
}

const char *bv_intern_str(bv_intern *t, bv_arena *a, const char *s, int *oom)
{
  *oom = 0;
  if (!s)
    return NULL;
  int fresh;
  size_t n = strlen(s);
  const char **v = bv_intern_lookup(t, s, n, &fresh);
  if (v && fresh)
    *v = bv_arena_strndup(a, s, n);
  if (!v || !*v) {
    *oom = 1;
    return NULL;
  }
  return *v;
}
