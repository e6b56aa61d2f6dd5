/* test_hmap.c: the one hash map: interning, and byte keys to a pointer or a
 * number (the collectors' tables), from a zeroed map, through growth. */
#include "util/util.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void test_generic(void)
{
  bv_intern m = {0}; /* a zeroed map is an empty map */
  CHECK(bv_intern_get(&m, "a", 1) == NULL);
  char key[32];
  int fresh;
  for (int i = 0; i < 5000; i++) { /* past several growths */
    snprintf(key, sizeof key, "<0.%d.0>", i);
    bv_intern_slot *s = bv_intern_put(&m, key, strlen(key), &fresh);
    CHECK(s && fresh);
    CHECK(s && s->num == 0); /* a fresh value is zeroed */
    if (s)
      s->num = i * 3;
  }
  CHECK_INT(m.count, 5000);
  for (int i = 0; i < 5000; i += 7) {
    snprintf(key, sizeof key, "<0.%d.0>", i);
    const bv_intern_slot *s = bv_intern_get(&m, key, strlen(key));
    CHECK(s && s->num == i * 3);
    bv_intern_slot *again = bv_intern_put(&m, key, strlen(key), &fresh);
    CHECK(again && !fresh && again->num == i * 3);
  }
  CHECK(bv_intern_get(&m, "<0.5000.0>", 10) == NULL);
  /* keys are bytes: a prefix, or the key with its NUL, is another key */
  CHECK(bv_intern_get(&m, "<0.1.0>", 6) == NULL);
  CHECK(bv_intern_get(&m, "<0.1.0>", 8) == NULL);
  /* the keys are copied: the caller's buffer may change */
  static int target;
  snprintf(key, sizeof key, "ptr");
  bv_intern_slot *p = bv_intern_put(&m, key, 3, &fresh);
  CHECK(p && fresh);
  if (p)
    p->ptr = &target;
  memset(key, 'x', 3);
  const bv_intern_slot *q = bv_intern_get(&m, "ptr", 3);
  CHECK(q && q->ptr == &target);
  bv_intern_dispose(&m);
  CHECK(m.slots == NULL && m.count == 0);
  bv_intern_dispose(&m); /* twice is harmless */
}

static void test_intern(void)
{
  bv_intern t;
  CHECK_INT(bv_intern_init(&t), 0);
  bv_arena *a = bv_arena_new();
  int oom;
  const char *x = bv_intern_str(&t, a, "running", &oom);
  const char *y = bv_intern_str(&t, a, "running", &oom);
  const char *z = bv_intern_str(&t, a, "waiting", &oom);
  CHECK_STR(x, "running");
  CHECK(x == y); /* one copy of each text */
  CHECK_STR(z, "waiting");
  CHECK(z != x);
  CHECK(bv_intern_str(&t, a, NULL, &oom) == NULL && !oom);
  bv_arena_free(a);
  bv_intern_dispose(&t);
}

int main(void)
{
  test_generic();
  test_intern();
  return check_report();
}
