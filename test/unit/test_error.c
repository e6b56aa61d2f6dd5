/* test_error.c: bv_error_set, where every library message is made: text from the
 * node or the user (epmd's name list, an application's description, a printed
 * reason, a path) comes out as one line with no control character a terminal
 * would obey. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <string.h>

/* One line, printable ASCII or valid UTF-8 without C1 controls. */
static int clean_line(const char *s)
{
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f)
        return 0;
      i++;
      continue;
    }
    size_t l = bv_utf8_len(s + i, n - i);
    if (!l || (c == 0xC2 && (unsigned char)s[i + 1] < 0xA0))
      return 0;
    i += l;
  }
  return 1;
}

static void test_clean(void)
{
  /* what epmd could answer for NAMES: one registered name per line */
  const char *names = "name evil\x1b[2J\x1b]0;pwned\x07 at port 4369\nname x at port 1\r\n";
  CHECK_INT(bv_error_set(BV_ENONODE, "node bv not registered; epmd knows: %s", names),
            BV_ENONODE);
  CHECK(clean_line(bv_error_last()));
  CHECK_STR(bv_error_last(), "node bv not registered; epmd knows: name evil\\x1b[2J\\x1b]0;pwned"
                             "\\x07 at port 4369\\nname x at port 1\\r\\n");
  /* C1 controls and bytes that are not UTF-8 */
  bv_error_set(BV_EREMOTE, "raised: %s", "\xC2\x9B" "2J \x9b" "2J \xFF \xC3\xA9");
  CHECK(clean_line(bv_error_last()));
  CHECK_STR(bv_error_last(), "raised: \\u009b2J \\x9b2J \\xff \xC3\xA9");
  /* a plain message is written as it is */
  bv_error_set(BV_EIO, "cannot write %s: %s", "/tmp/x.json", "No space left on device");
  CHECK_STR(bv_error_last(), "cannot write /tmp/x.json: No space left on device");
}

/* A message may quote the previous one (wrapping an error). */
static void test_self(void)
{
  bv_error_set(BV_EIO, "inner \x1b failure");
  bv_error_set(BV_EIO, "outer: %s", bv_error_last());
  CHECK_STR(bv_error_last(), "outer: inner \\x1b failure");
}

/* A long message is cut, but never inside an escape or a character. */
static void test_long(void)
{
  char big[3000];
  for (size_t i = 0; i + 2 < sizeof big; i += 2)
    big[i] = '\xC3', big[i + 1] = '\xA9'; /* e-acute */
  big[sizeof big - 2] = 0;
  for (size_t shift = 0; shift < 4; shift++) {
    bv_error_set(BV_EINVAL, "%.*s%s", (int)shift, "xxx", big);
    const char *m = bv_error_last();
    CHECK(clean_line(m));
    CHECK(strlen(m) > 900 && strlen(m) < 1024);
  }
  char ctl[3000];
  memset(ctl, 0x1b, sizeof ctl - 1);
  ctl[sizeof ctl - 1] = 0;
  bv_error_set(BV_EINVAL, "x%s", ctl);
  const char *m = bv_error_last();
  CHECK(clean_line(m));
  size_t n = strlen(m);
  CHECK(n > 900 && n < 1024);
  CHECK(n >= 4 && strcmp(m + n - 4, "\\x1b") == 0); /* whole escapes only */
}

int main(void)
{
  test_clean();
  test_self();
  test_long();
  return check_report();
}
