/* test_arena.c: the arena's accounting and bv_arena_realloc, which grows an array as
 * data arrives (the process snapshot's rows) instead of sizing it by a claim. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* used counts what is handed out, rounded to 16 (or exact with BV_ARENA_MALLOC) */
static void test_used(void)
{
  bv_arena *a = bv_arena_new();
  CHECK_INT(bv_arena_used(a), 0);
  CHECK(bv_arena_alloc(a, 1) != NULL);
  CHECK(bv_arena_used(a) >= 1 && bv_arena_used(a) <= 16);
  CHECK(bv_arena_alloc(a, 100000) != NULL);
  CHECK(bv_arena_used(a) >= 100001 && bv_arena_used(a) <= 100016 + 16);
  bv_arena_reset(a);
  CHECK_INT(bv_arena_used(a), 0);
  bv_arena_free(a);
}

/* An array grown from nothing to 8 MB by doubling keeps its contents, and the
 * arena counts only its current size, not every size it had. */
static void test_grow(void)
{
  bv_arena *a = bv_arena_new();
  char *small = bv_arena_strdup(a, "before"); /* other allocations stay put */
  uint32_t *v = NULL;
  size_t cap = 0, n = 0;
  int ok = 1;
  for (uint32_t i = 0; i < 2 * 1024 * 1024 && ok; i++) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      uint32_t *nv = bv_arena_realloc(a, v, cap * sizeof *v, ncap * sizeof *v);
      CHECK(nv != NULL);
      if (!nv)
        break;
      v = nv;
      cap = ncap;
    }
    v[n++] = i * 2654435761u;
  }
  for (size_t i = 0; i < n; i++)
    if (v[i] != (uint32_t)i * 2654435761u)
      ok = 0;
  CHECK(ok);
  CHECK_INT(n, 2 * 1024 * 1024);
  CHECK_STR(small, "before");
  /* 8 MB array + "before": not the 16 MB that every size it had would sum to */
  CHECK(bv_arena_used(a) <= cap * sizeof *v + 16);
  /* shrinking keeps the front */
  v = bv_arena_realloc(a, v, cap * sizeof *v, 1000 * sizeof *v);
  CHECK(v != NULL && v[999] == 999u * 2654435761u);
  CHECK(bv_arena_used(a) <= 1000 * sizeof *v + 16);
  /* more allocations after it land elsewhere */
  char *after = bv_arena_strdup(a, "after");
  CHECK_STR(after, "after");
  CHECK(v[0] == 0 && v[999] == 999u * 2654435761u);
  bv_arena_free(a);
}

/* p shared its block with other allocations: it is copied, they stay valid. */
static void test_copy(void)
{
  bv_arena *a = bv_arena_new();
  char *x = bv_arena_strdup(a, "x-first");
  char *p = bv_arena_alloc(a, 32);
  memcpy(p, "0123456789abcdef0123456789abcdef", 32);
  char *y = bv_arena_strdup(a, "y-after");
  char *q = bv_arena_realloc(a, p, 32, 64);
  CHECK(q != NULL && q != p);
  CHECK(q && memcmp(q, "0123456789abcdef0123456789abcdef", 32) == 0);
  CHECK_STR(x, "x-first");
  CHECK_STR(y, "y-after");
  /* from now on q has a block of its own: growing it again keeps it whole */
  char *r = bv_arena_realloc(a, q, 64, 1 << 20);
  CHECK(r && memcmp(r, "0123456789abcdef0123456789abcdef", 32) == 0);
  bv_arena_free(a);
}

/* a grown array is freed at once; anything else stays; an adopted arena's
 * allocations live on in the adopter */
static void test_release_adopt(void)
{
  bv_arena *a = bv_arena_new(), *b = bv_arena_new();
  char *x = bv_arena_strdup(a, "x");
  CHECK_INT(bv_arena_release(a, x), 0);
  char *big = bv_arena_alloc(a, 1 << 20);
  CHECK_INT(bv_arena_release(a, big), 0);
  char *arr = bv_arena_realloc(a, NULL, 0, 4096);
  size_t before = bv_arena_used(a);
  CHECK_INT(bv_arena_release(a, arr), 1);
  CHECK(bv_arena_used(a) < before);
  CHECK_INT(bv_arena_release(a, arr), 0);
  CHECK_STR(x, "x");
  char *y = bv_arena_strdup(b, "from b");
  char *barr = bv_arena_realloc(b, NULL, 0, 100000);
  memset(barr, 7, 100000);
  size_t ua = bv_arena_used(a), ub = bv_arena_used(b);
  bv_arena_adopt(a, b); /* b is freed */
  CHECK_INT(bv_arena_used(a), ua + ub);
  CHECK_STR(y, "from b");
  CHECK_INT(bv_arena_release(a, barr), 1);
  char *z = bv_arena_strdup(a, "after");
  CHECK_STR(z, "after");
  bv_arena *e = bv_arena_new();
  bv_arena_adopt(e, bv_arena_new()); /* empty into empty */
  CHECK_INT(bv_arena_used(e), 0);
  bv_arena_free(e);
  bv_arena_free(a);
}

int main(void)
{
  test_release_adopt();
  test_used();
  test_grow();
  test_copy();
  return check_report();
}
