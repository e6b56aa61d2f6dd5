/* arena.c: bump allocator owned by a model. With BV_ARENA_MALLOC every
 * allocation is a separate malloc chained in a list, so ASan sees overflows. */
#include "util/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN (64 * 1024)

typedef struct block {
  struct block *next;
  size_t size, used;
  int own; /* made by bv_arena_realloc: p alone in its block */
  _Alignas(16) unsigned char mem[];
} block;

struct bv_arena {
  block *head;
  size_t used;
};

bv_arena *bv_arena_new(void) { return calloc(1, sizeof(bv_arena)); }

void bv_arena_reset(bv_arena *a)
{
  if (!a)
    return;
  block *b = a->head;
  while (b) {
    block *n = b->next;
    free(b);
    b = n;
  }
  a->head = NULL;
  a->used = 0;
}

void bv_arena_free(bv_arena *a)
{
  bv_arena_reset(a);
  free(a);
}

void *bv_arena_alloc(bv_arena *a, size_t n)
{
  if (!a)
    return NULL;
  size_t need = (n + 15) & ~(size_t)15;
  if (need < n)
    return NULL;
#if defined(BV_ARENA_MALLOC) && BV_ARENA_MALLOC
  block *b = calloc(1, sizeof(block) + (n ? n : 1));
  if (!b)
    return NULL;
  b->size = b->used = n;
  b->next = a->head;
  a->head = b;
  a->used += n;
  return b->mem;
#else
  block *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t sz = need > BLOCK_MIN ? need : BLOCK_MIN;
    if (b && b->size * 2 > sz && b->size < 8 * 1024 * 1024)
      sz = b->size * 2 > need ? b->size * 2 : need;
    block *nb = malloc(sizeof(block) + sz);
    if (!nb)
      return NULL;
    nb->size = sz;
    nb->used = 0;
    nb->own = 0;
    /* A large one-off allocation goes behind the current block so the
       current block's free space is not wasted. */
    if (b && need > BLOCK_MIN && b->size - b->used > 1024) {
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = b->mem + b->used;
  b->used += need;
  a->used += need;
  memset(p, 0, n);
  return p;
#endif
}

/* A growing array gets a block of its own, so growing it is realloc of that
 * block (no copy once glibc serves it with mmap) instead of a new allocation
 * that leaves the old one behind in the arena. */
void *bv_arena_realloc(bv_arena *a, void *p, size_t old, size_t n)
{
  if (!a)
    return NULL;
  size_t need = (n + 15) & ~(size_t)15;
  if (need < n || sizeof(block) + need < need)
    return NULL;
  block **link = &a->head;
  while (p && *link && (*link)->mem != (unsigned char *)p)
    link = &(*link)->next;
  block *b = p ? *link : NULL;
  /* p alone in its block: a block of its own (or, with BV_ARENA_MALLOC, any) */
  if (b && b->used <= ((old + 15) & ~(size_t)15)) {
    block *nb = realloc(b, sizeof(block) + need);
    if (!nb)
      return NULL;
    a->used = a->used - nb->used + need;
    nb->size = nb->used = need;
    nb->own = 1;
    *link = nb;
    return nb->mem;
  }
  block *nb = malloc(sizeof(block) + need);
  if (!nb)
    return NULL;
  nb->size = nb->used = need;
  nb->own = 1;
  /* behind the head: the head keeps serving small allocations */
  if (a->head) {
    nb->next = a->head->next;
    a->head->next = nb;
  } else {
    nb->next = NULL;
    a->head = nb;
  }
  a->used += need;
  if (p && old)
    memcpy(nb->mem, p, old < n ? old : n);
  return nb->mem;
}

char *bv_arena_strndup(bv_arena *a, const char *s, size_t n)
{
  char *p = bv_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *bv_arena_strdup(bv_arena *a, const char *s)
{
  return s ? bv_arena_strndup(a, s, strlen(s)) : NULL;
}

char *bv_arena_printf(bv_arena *a, const char *fmt, ...)
{
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = NULL;
  if (n >= 0 && (p = bv_arena_alloc(a, (size_t)n + 1)))
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

size_t bv_arena_used(const bv_arena *a) { return a ? a->used : 0; }

int bv_arena_release(bv_arena *a, void *p)
{
  if (!a || !p)
    return 0;
  block **link = &a->head;
  while (*link && (*link)->mem != (unsigned char *)p)
    link = &(*link)->next;
  block *b = *link;
  /* only a block p fills alone: nothing else lives in it */
  if (!b || !b->own)
    return 0;
  *link = b->next;
  a->used -= b->used;
  free(b);
  return 1;
}

void bv_arena_adopt(bv_arena *a, bv_arena *child)
{
  if (!a || !child)
    return;
  if (child->head) {
    /* behind a's head: the head keeps serving small allocations */
    block *last = child->head;
    while (last->next)
      last = last->next;
    if (a->head) {
      last->next = a->head->next;
      a->head->next = child->head;
    } else {
      a->head = child->head;
    }
    a->used += child->used;
  }
  child->head = NULL;
  child->used = 0;
  free(child);
}
