/* test_buf.c: the growable buffer: JSON string escaping (invalid UTF-8 becomes U+FFFD,
 * never passes through), clean text (controls as visible escapes), C-locale numbers,
 * the size cap and its sticky failure. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

static const struct {
  const char *in;
  size_t n; /* 0: strlen(in) */
  const char *out;
} json_cases[] = {
    {"", 0, "\"\""},
    {"abc", 0, "\"abc\""},
    {"a\"b\\c", 0, "\"a\\\"b\\\\c\""},
    {"l1\nl2\r\tx", 0, "\"l1\\nl2\\r\\tx\""},
    {"\x01\x1f\x7f", 0, "\"\\u0001\\u001f\\u007f\""},
    {"a\0b", 3, "\"a\\u0000b\""},
    {"/<script>", 0, "\"/<script>\""},
    /* valid UTF-8 passes through: 2, 3 and 4 bytes, the extremes of each */
    {"\xC3\xA9", 0, "\"\xC3\xA9\""},
    {"\xE2\x82\xAC", 0, "\"\xE2\x82\xAC\""},
    {"\xF0\x9F\x98\x80", 0, "\"\xF0\x9F\x98\x80\""},
    {"\xC2\xA0", 0, "\"\xC2\xA0\""},
    /* C1 controls (U+0080-U+009F) escaped like C0 ones */
    {"\xC2\x80\xC2\x9B" "2J", 0, "\"\\u0080\\u009b2J\""},
    {"\xEF\xBF\xBF", 0, "\"\xEF\xBF\xBF\""},
    {"\xF4\x8F\xBF\xBF", 0, "\"\xF4\x8F\xBF\xBF\""},
    /* invalid: each bad byte becomes one U+FFFD and the scan goes on */
    {"\x80", 0, "\"" FFFD "\""},
    {"a\xFFz", 0, "\"a" FFFD "z\""},
    {"\xC0\x80", 0, "\"" FFFD FFFD "\""},                   /* overlong NUL */
    {"\xC1\xBF", 0, "\"" FFFD FFFD "\""},                   /* overlong */
    {"\xE0\x80\xAF", 0, "\"" FFFD FFFD FFFD "\""},          /* overlong '/' */
    {"\xED\xA0\x80", 0, "\"" FFFD FFFD FFFD "\""},          /* surrogate D800 */
    {"\xF4\x90\x80\x80", 0, "\"" FFFD FFFD FFFD FFFD "\""}, /* > U+10FFFF */
    {"\xF5\x80", 0, "\"" FFFD FFFD "\""},
    {"\xE2\x82", 0, "\"" FFFD FFFD "\""},   /* cut short at the end */
    {"\xE2\x82x", 0, "\"" FFFD FFFD "x\""}, /* cut short by ASCII */
    {"\xC3\xA9\xC3", 0, "\"\xC3\xA9" FFFD "\""},
    {"\xC3\"", 0, "\"" FFFD "\\\"\""},
};

static void test_json_str(void)
{
  for (size_t i = 0; i < sizeof json_cases / sizeof *json_cases; i++) {
    bv_buf b;
    bv_buf_init(&b);
    size_t n = json_cases[i].n ? json_cases[i].n : strlen(json_cases[i].in);
    CHECK_INT(bv_buf_json_str(&b, json_cases[i].in, n), 0);
    CHECK_STR(b.data, json_cases[i].out);
    CHECK_INT(b.len, strlen(json_cases[i].out));
    bv_buf_dispose(&b);
  }
}

static const struct {
  double v;
  const char *out;
} doubles[] = {
    {0, "0"},
    {-0.0, "0"},
    {1, "1"},
    {-2, "-2"},
    {1.5, "1.5"},
    {0.1, "0.1"},
    {1.0 / 3, "0.3333333333333333"},
    {2.5e-7, "2.5e-07"},
    {123456789012345.0, "123456789012345"},
    {1e15, "1e+15"},
    {9007199254740993.0, "9007199254740992"},
    {1e300, "1e+300"},
    {-1e300, "-1e+300"},
    {1.8446744073709552e19, "1.8446744073709552e+19"},
    {5e-324, "4.94066e-324"}, /* reads back as the same denormal */
};

static void test_double(void)
{
  for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++) {
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_buf_double(&b, doubles[i].v), 0);
    /* 9007199254740993 is not a double: it reads back as ...992 */
    CHECK_STR(b.data, doubles[i].out);
    bv_buf_dispose(&b);
  }
  /* not numbers in JSON */
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_double(&b, NAN);
  bv_buf_putc(&b, ' ');
  bv_buf_double(&b, INFINITY);
  bv_buf_putc(&b, ' ');
  bv_buf_double(&b, -INFINITY);
  CHECK_STR(b.data, "null null null");
  bv_buf_dispose(&b);
}

/* A locale with a decimal comma must not change the output. */
static void test_locale(void)
{
  const char *locs[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", NULL};
  int set = 0;
  for (int i = 0; locs[i] && !set; i++)
    set = setlocale(LC_NUMERIC, locs[i]) != NULL;
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_double(&b, 1.5);
  bv_buf_putc(&b, ' ');
  bv_buf_double(&b, 2.5e-7);
  if (set)
    CHECK_STR(b.data, "1.5 2.5e-07"); /* documents the C-locale promise (see buf.c) */
  bv_buf_dispose(&b);
  setlocale(LC_NUMERIC, "C");
}

static void test_u64_printf(void)
{
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_buf_u64(&b, 0), 0);
  bv_buf_putc(&b, ',');
  CHECK_INT(bv_buf_u64(&b, UINT64_MAX), 0);
  CHECK_STR(b.data, "0,18446744073709551615");
  /* printf longer than its 256-byte fast path */
  b.len = 0;
  char big[1000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  CHECK_INT(bv_buf_printf(&b, "[%s]%d", big, 7), 0);
  CHECK_INT(b.len, 1002);
  CHECK(b.data[0] == '[' && b.data[1000] == ']' && b.data[1001] == '7' && b.data[1002] == 0);
  bv_buf_dispose(&b);
}

static void test_limit(void)
{
  bv_buf b;
  bv_buf_init(&b);
  b.limit = 10;
  CHECK_INT(bv_buf_puts(&b, "0123456789"), 0); /* exactly the limit */
  CHECK_INT(b.len, 10);
  CHECK_INT(bv_buf_putc(&b, 'x'), BV_ENOMEM);
  CHECK(b.failed);
  CHECK(strstr(bv_error_last(), "10 bytes") != NULL);
  CHECK_INT(b.len, 10);
  CHECK_STR(b.data, "0123456789"); /* what fitted stays intact and terminated */
  /* sticky: even an empty append fails now */
  CHECK_INT(bv_buf_put(&b, "", 0), BV_ENOMEM);
  CHECK_INT(bv_buf_json_str(&b, "a", 1), BV_ENOMEM);
  bv_buf_dispose(&b);
  CHECK(b.data == NULL && b.len == 0 && !b.failed);
  /* dispose of NULL and of an unused buffer */
  bv_buf_dispose(NULL);
  bv_buf_init(&b);
  bv_buf_dispose(&b);
}

/* Growth across many small appends keeps the bytes and the terminator. */
static void test_growth(void)
{
  bv_buf b;
  bv_buf_init(&b);
  for (int i = 0; i < 100000; i++)
    bv_buf_putc(&b, (char)('a' + i % 26));
  CHECK_INT(b.len, 100000);
  CHECK(!b.failed);
  CHECK(b.data[99999] == (char)('a' + 99999 % 26) && b.data[100000] == 0);
  CHECK(b.cap > b.len);
  bv_buf_dispose(&b);
}

/* Clean text (tables, CSV cells, error lines): no control character a terminal
 * would obey, no invalid UTF-8; everything else as it is. */
static const struct {
  const char *in;
  size_t n; /* 0: strlen(in) */
  const char *out;
} text_cases[] = {
    {"", 0, ""},
    {"plain text, punctuation !\"#$%&'()*+,-./:;<=>?@[]^_`{|}~", 0,
     "plain text, punctuation !\"#$%&'()*+,-./:;<=>?@[]^_`{|}~"},
    {"back\\slash \\x1b", 0, "back\\slash \\x1b"}, /* kept: cleaning is idempotent */
    {"x\x1b[31mred\nline2\a", 0, "x\\x1b[31mred\\nline2\\x07"},
    {"cr\r tab\t", 0, "cr\\r tab\\t"},
    {"a\0b", 3, "a\\x00b"},
    {"\x01\x1f\x7f", 0, "\\x01\\x1f\\x7f"},
    {"\x1b]0;title\x07", 0, "\\x1b]0;title\\x07"}, /* OSC: set the window title */
    /* UTF-8 kept, C1 controls (U+0080-U+009F) escaped by code point */
    {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 0, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
    {"\xC2\x9B" "31m", 0, "\\u009b31m"}, /* CSI */
    {"\xC2\x80\xC2\x9F\xC2\xA0", 0, "\\u0080\\u009f\xC2\xA0"},
    /* bytes that are not UTF-8: each one escaped */
    {"\x9b" "31m", 0, "\\x9b31m"},
    {"a\xFFz", 0, "a\\xffz"},
    {"\xC0\x80", 0, "\\xc0\\x80"},
    {"\xED\xA0\x80", 0, "\\xed\\xa0\\x80"},
    {"\xE2\x82", 0, "\\xe2\\x82"},
};

static void test_text(void)
{
  for (size_t i = 0; i < sizeof text_cases / sizeof *text_cases; i++) {
    size_t n = text_cases[i].n ? text_cases[i].n : strlen(text_cases[i].in);
    bv_buf b;
    bv_buf_init(&b);
    CHECK_INT(bv_buf_text(&b, text_cases[i].in, n), 0);
    CHECK_STR(b.data ? b.data : "", text_cases[i].out);
    /* cleaning clean text changes nothing */
    bv_buf again;
    bv_buf_init(&again);
    bv_buf_text(&again, b.data ? b.data : "", b.len);
    CHECK_STR(again.data ? again.data : "", text_cases[i].out);
    char dst[256];
    CHECK_INT(bv_text_clean(dst, sizeof dst, text_cases[i].in, n), strlen(text_cases[i].out));
    CHECK_STR(dst, text_cases[i].out);
    bv_buf_dispose(&b);
    bv_buf_dispose(&again);
  }
  /* every byte value: no control (C0, DEL, C1) and no invalid UTF-8 comes out */
  for (unsigned c = 0; c < 256; c++) {
    char in[3] = {'a', (char)c, 'z'};
    char dst[32];
    size_t len = bv_text_clean(dst, sizeof dst, in, 3);
    for (size_t k = 0; k < len; k++)
      CHECK((unsigned char)dst[k] >= 0x20 && (unsigned char)dst[k] < 0x7f);
  }
  /* a short destination is cut before a whole escape or character, never inside */
  char dst[8];
  CHECK_INT(bv_text_clean(dst, sizeof dst, "abcde\x1bz", 7), 5);
  CHECK_STR(dst, "abcde");
  CHECK_INT(bv_text_clean(dst, sizeof dst, "abcdef\xC3\xA9", 8), 6);
  CHECK_STR(dst, "abcdef");
  CHECK_INT(bv_text_clean(dst, 1, "abc", 3), 0);
  CHECK_STR(dst, "");
}

int main(void)
{
  test_text();
  test_json_str();
  test_double();
  test_locale();
  test_u64_printf();
  test_limit();
  test_growth();
  return check_report();
}
