/* test_term.c: the external term reader (bv_term_decode), its accessors and printer.
 * Inputs are term_to_binary/1 output of OTP 25 written as hex, so the tables read like
 * what the node sends. Malformed inputs check the exact byte offset in the message. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#define LOCAL "hx@127.0.0.1"

/* Hex to bytes into a static buffer (tests only: inputs are short). */
static const unsigned char *unhex(const char *h, size_t *len)
{
  static unsigned char buf[4096];
  size_t n = 0;
  for (; h[0] && h[1] && n < sizeof buf; h += 2) {
    char pair[3] = {h[0], h[1], 0};
    buf[n++] = (unsigned char)strtoul(pair, NULL, 16);
  }
  *len = n;
  return buf;
}

/* Decodes hex, returns the term printed (or "ERR:<message>") in a static buffer. */
static const char *decode_fmt(const char *hex, size_t *consumed, bv_term_type *type)
{
  static char out[1024];
  size_t len, off = 0;
  const unsigned char *p = unhex(hex, &len);
  bv_arena *a = bv_arena_new();
  bv_term *t = NULL;
  int rc = bv_term_decode(a, p, len, &off, &t);
  if (rc) {
    snprintf(out, sizeof out, "ERR:%s", bv_error_last());
  } else {
    bv_buf b;
    bv_buf_init(&b);
    bv_term_format(&b, t, LOCAL, 0);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    bv_buf_dispose(&b);
    if (type)
      *type = t->type;
  }
  if (consumed)
    *consumed = off;
  bv_arena_free(a);
  return out;
}

static const struct {
  const char *hex;
  bv_term_type type;
  const char *text;
} good[] = {
    {"8368026400026F6B6101", BV_T_TUPLE, "{ok,1}"},
    {"8362FFFFFFFF", BV_T_INT, "-1"},
    {"8361FF", BV_T_INT, "255"},
    {"836200000100", BV_T_INT, "256"},
    {"836280000000", BV_T_INT, "-2147483648"},
    {"836E040000000080", BV_T_INT, "2147483648"},
    {"836E0800FFFFFFFFFFFFFF7F", BV_T_INT, "9223372036854775807"},
    {"836E08010000000000000080", BV_T_INT, "-9223372036854775808"},
    {"836E0900000000000000000001", BV_T_BIG, "1.8446744073709552e+19"},
    {"83463FF8000000000000", BV_T_FLOAT, "1.5"},
    {"8346BFD0000000000000", BV_T_FLOAT, "-0.25"},
    {"8363312E3530303030303030303030303030303030303030652B30300000000000", BV_T_FLOAT, "1.5"},
    {"83640003666F6F", BV_T_ATOM, "foo"},
    {"83640007466F6F20626172", BV_T_ATOM, "'Foo bar'"},
    {"8364000469742773", BV_T_ATOM, "'it\\'s'"},
    {"83640001FC", BV_T_ATOM, "'\xC3\xBC'"}, /* Latin-1 atom widened to UTF-8 */
    {"8377026869", BV_T_ATOM, "hi"},         /* SMALL_ATOM_UTF8_EXT */
    {"836A", BV_T_NIL, "[]"},
    {"836B0003616263", BV_T_STRING, "\"abc\""},
    {"836B00066122625C630A", BV_T_STRING, "\"a\\\"b\\\\c\\n\""},
    {"836B0003010203", BV_T_STRING, "[1,2,3]"}, /* bytes, not text */
    {"836C00000002610161026103", BV_T_LIST, "[1,2|3]"},
    {"836C00000002640001616C00000001640001626A6A", BV_T_LIST, "[a,[b]]"},
    {"836D000000026869", BV_T_BINARY, "<<\"hi\">>"},
    {"836D00000003010203", BV_T_BINARY, "<<1,2,3>>"},
    {"836D00000000", BV_T_BINARY, "<<>>"},
    {"836D00000002C3A9", BV_T_BINARY, "<<\"\xC3\xA9\">>"},
    {"837400000001640001616101", BV_T_MAP, "#{a => 1}"},
    {"836800", BV_T_TUPLE, "{}"},
    {"8368026A6D0000000178", BV_T_TUPLE, "{[],<<\"x\">>}"},
    {"835864000C6878403132372E302E302E3100000055000000006B062D41", BV_T_PID, "<0.85.0>"},
    {"835A000364000C6878403132372E302E302E316B062D41000308ACCB5C0002E4DA3A95", BV_T_REF,
     "#Ref<0...>"},
    {"835964000C6878403132372E302E302E31000000006B062D41", BV_T_PORT, "#Port<0.0>"},
    {"837164000665726C616E6764000473656C666100", BV_T_FUN, "#Fun<...>"},
    {"834D000000010320", BV_T_BITS, "<<...>>"},
    /* no version byte: also accepted (terms inside a message) */
    {"68026400026F6B6101", BV_T_TUPLE, "{ok,1}"},
};

/* Malformed input: exact message, including the byte offset. */
static const struct {
  const char *hex;
  const char *err;
} bad[] = {
    {"", "malformed term from node at byte 0: truncated"},
    {"83", "malformed term from node at byte 1: truncated"},
    {"8361", "malformed term from node at byte 2: truncated"},
    {"8362000001", "malformed term from node at byte 2: truncated"},
    {"83C8", "malformed term from node at byte 1: unsupported tag 200"},
    {"836C00000002610161", "malformed term from node at byte 9: truncated"},
    {"836CFFFFFFFF6A", "malformed term from node at byte 6: element count larger than the data"},
    {"837480000000", "malformed term from node at byte 6: element count larger than the data"},
    {"8368FF", "malformed term from node at byte 3: element count larger than the data"},
    {"836D000000056162", "malformed term from node at byte 6: truncated"},
    {"8377056162", "malformed term from node at byte 3: truncated"},
    {"83640005616263", "malformed term from node at byte 4: truncated"},
    {"836B0005616263", "malformed term from node at byte 4: truncated"},
    {"8358610100000001000000020000000300", "malformed term from node at byte 4: node name is "
                                           "not an atom"},
    {"835A000677016E", "malformed term from node at byte 7: reference too long"},
    {"837000000002", "malformed term from node at byte 2: bad fun size"},
    {"83700000FFFF00", "malformed term from node at byte 2: truncated"},
    {"836E08000102", "malformed term from node at byte 4: truncated"},
    {"834D0000000503", "malformed term from node at byte 7: truncated"},
};

static void test_good(void)
{
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    size_t used = 0, len;
    bv_term_type type = (bv_term_type)-1;
    const char *got = decode_fmt(good[i].hex, &used, &type);
    CHECK_STR(got, good[i].text);
    CHECK_INT(type, good[i].type);
    unhex(good[i].hex, &len);
    CHECK_INT(used, len); /* the whole input, nothing more */
  }
}

static void test_bad(void)
{
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    size_t used = 99;
    const char *got = decode_fmt(bad[i].hex, &used, NULL);
    char want[512];
    snprintf(want, sizeof want, "ERR:%s", bad[i].err);
    CHECK_STR(got, want);
    CHECK_INT(used, 0); /* a failed decode leaves the offset where it was */
  }
}

/* Nested deeper than the cap (512): refused with the offset of the level that broke it. */
static void test_depth(void)
{
  char hex[2 * (1 + 2 * 600 + 1) + 1];
  size_t k = 0;
  k += (size_t)snprintf(hex + k, sizeof hex - k, "83");
  for (int i = 0; i < 600; i++)
    k += (size_t)snprintf(hex + k, sizeof hex - k, "6801");
  snprintf(hex + k, sizeof hex - k, "6A");
  CHECK_STR(decode_fmt(hex, NULL, NULL),
            "ERR:malformed term from node at byte 1027: nested too deeply");
  /* 500 levels are fine, and printing stops at its own depth cap */
  k = (size_t)snprintf(hex, sizeof hex, "83");
  for (int i = 0; i < 500; i++)
    k += (size_t)snprintf(hex + k, sizeof hex - k, "6801");
  snprintf(hex + k, sizeof hex - k, "6A");
  const char *s = decode_fmt(hex, NULL, NULL);
  CHECK(strncmp(s, "{{{{", 4) == 0);
  CHECK(strstr(s, "...") != NULL);
}

/* Several terms back to back: the offset walks from one to the next. */
static void test_sequence(void)
{
  size_t len, off = 0;
  const unsigned char *p = unhex("83610183640002686983"
                                 "6A",
                                 &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode(a, p, len, &off, &t), 0);
  CHECK_INT(off, 3);
  CHECK_INT(bv_term_int(t, -1), 1);
  CHECK_INT(bv_term_decode(a, p, len, &off, &t), 0);
  CHECK_INT(off, 9);
  CHECK(bv_term_is_atom(t, "hi"));
  CHECK_INT(bv_term_decode(a, p, len, &off, &t), 0);
  CHECK_INT(off, 11);
  CHECK_INT(t->type, BV_T_NIL);
  CHECK_INT(bv_term_decode(a, p, len, &off, &t), BV_ETERM);
  CHECK_INT(off, 11);
  /* NULL offset: decode from the start */
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_INT(bv_term_int(t, -1), 1);
  bv_arena_free(a);
}

static void test_accessors(void)
{
  size_t len;
  /* [{registered_name,demo_ping},{memory,2832}] */
  const unsigned char *p =
      unhex("836C00000002680264000F726567697374657265645F6E616D6564000964656D6F5F70696E67680264"
            "00066D656D6F72796200000B106A",
            &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_STR(bv_term_text(bv_term_get(t, "registered_name")), "demo_ping");
  CHECK_INT(bv_term_int(bv_term_get(t, "memory"), -1), 2832);
  CHECK_INT(bv_term_u64(bv_term_get(t, "memory"), 0), 2832);
  CHECK(bv_term_get(t, "reductions") == NULL);
  CHECK_INT(bv_term_int(bv_term_get(t, "reductions"), -7), -7);
  CHECK(bv_term_elem(t, 2) == NULL);
  CHECK(bv_term_elem(NULL, 0) == NULL);
  CHECK(bv_term_text(NULL) == NULL);
  CHECK(!bv_term_is_atom(NULL, "x"));
  CHECK_INT(bv_term_u64(NULL, 5), 5);
  /* raw bytes of an element: exactly its encoding */
  const bv_term *e = bv_term_elem(t, 1);
  CHECK_INT(e->rawlen, 16);
  CHECK_INT(e->raw[0], 104);

  /* map lookup; negative int is not a u64; a big is */
  p = unhex("837400000002640001616101640001626E0900000000000000000001", &len);
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_INT(bv_term_int(bv_term_get(t, "a"), 0), 1);
  CHECK_INT(bv_term_u64(bv_term_get(t, "b"), 0) == UINT64_MAX, 1);
  p = unhex("8362FFFFFFFF", &len);
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_INT(bv_term_u64(t, 42), 42);
  /* [] is the empty text (an empty charlist) */
  p = unhex("836A", &len);
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_STR(bv_term_text(t), "");
  bv_arena_free(a);
}

static void test_pids(void)
{
  size_t len;
  const unsigned char *p =
      unhex("835864000C6878403132372E302E302E3100000055000000006B062D41", &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  CHECK_STR(t->v.pid.node, LOCAL);
  CHECK_INT(t->v.pid.id, 85);
  CHECK_INT(t->v.pid.serial, 0);
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_term_pid_str(&b, t, LOCAL), 0);
  CHECK_STR(b.data, "<0.85.0>");
  /* another node: a stable index > 0, the same every time */
  b.len = 0;
  CHECK_INT(bv_term_pid_str(&b, t, "other@host"), 0);
  char first[64];
  snprintf(first, sizeof first, "%s", b.data);
  CHECK(strncmp(first, "<0.", 3) != 0 && first[0] == '<');
  b.len = 0;
  bv_term_pid_str(&b, t, "other@host");
  CHECK_STR(b.data, first);
  /* not a pid */
  bv_term n = {0};
  n.type = BV_T_INT;
  CHECK_INT(bv_term_pid_str(&b, &n, LOCAL), BV_EINVAL);
  bv_buf_dispose(&b);
  bv_arena_free(a);
}

/* bv_term_format's cap: cut at a UTF-8 boundary, marked with "...". */
static void test_format_cap(void)
{
  size_t len;
  /* <<"aaaaaaaaaa">> and "ééééé" (as a binary) */
  const unsigned char *p = unhex("836D0000000A61616161616161616161", &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  bv_buf b;
  bv_buf_init(&b);
  bv_term_format(&b, t, NULL, 8);
  CHECK_STR(b.data, "<<\"aaaaa...");
  b.len = 0;
  p = unhex("836D0000000AC3A9C3A9C3A9C3A9C3A9", &len);
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  bv_term_format(&b, t, NULL, 6);
  CHECK_STR(b.data, "<<\"\xC3\xA9...");
  b.len = 0;
  bv_term_format(&b, NULL, NULL, 0);
  CHECK_STR(b.data, "undefined");
  bv_buf_dispose(&b);
  bv_arena_free(a);
}

/* The Elixir mode of the one printer: the same terms as inspect/1 writes them
 * (hex: term_to_binary of the Erlang term in the comment). */
static const struct {
  const char *hex;
  const char *text;
} elixir[] = {
    {"8368026400026F6B6101", "{:ok, 1}"},                          /* {ok,1} */
    {"836C000000026802640004646F6E6561016802640004646F6E6561026A", /* [{done,1},{done,2}] */
     "[done: 1, done: 2]"},
    {"836C00000002680264000161610161026A", "[{:a, 1}, 2]"},         /* not a keyword list */
    {"836C0000000168026400066D79206B657961016A", "[\"my key\": 1]"},
    {"837400000001640001616101", "%{a: 1}"},
    {"8374000000016D000000016B6101", "%{\"k\" => 1}"},
    {"83740000000161016102", "%{1 => 2}"},
    {"83740000000264000A5F5F7374727563745F5F64000A456C697869722E555249640004686F73746D0000000178",
     "%URI{host: \"x\"}"},
    {"836D0000000474657874", "\"text\""},
    {"836D000000020102", "<<1, 2>>"},
    {"836C000000016D00000001FF6A", "[<<255>>]"}, /* not UTF-8: bytes */
    {"836D000000076122237B627D0A", "\"a\\\"\\#{b}\\n\""},
    {"836B0003616263", "~c\"abc\""},
    {"836B0003010203", "[1, 2, 3]"},
    {"836C00000002610161026103", "[1, 2 | 3]"},
    {"836A", "[]"},
    {"836800", "{}"},
    {"836400036E696C", "nil"},
    {"8364000474727565", "true"},
    {"83640009756E646566696E6564", ":undefined"},
    {"8364000E456C697869722E466F6F2E426172", "Foo.Bar"},
    {"8364000A456C697869722E666F6F", ":\"Elixir.foo\""}, /* not an alias */
    {"8364000B68656C6C6F20776F726C64", ":\"hello world\""},
    {"836400036F6B3F", ":ok?"},
    {"83463FF8000000000000", "1.5"},
    {"835864000C6878403132372E302E302E3100000055000000006B062D41", "#PID<0.85.0>"},
    {"835A000364000C6878403132372E302E302E316B062D41000308ACCB5C0002E4DA3A95",
     "#Reference<0...>"},
    {"835964000C6878403132372E302E302E31000000006B062D41", "#Port<0.0>"},
    {"837164000665726C616E6764000473656C666100", "#Function<...>"},
};

static void test_elixir(void)
{
  bv_buf b;
  bv_buf_init(&b);
  for (size_t i = 0; i < sizeof elixir / sizeof *elixir; i++) {
    size_t len, off = 0;
    const unsigned char *p = unhex(elixir[i].hex, &len);
    bv_arena *a = bv_arena_new();
    bv_term *t = NULL;
    CHECK_INT(bv_term_decode(a, p, len, &off, &t), 0);
    b.len = 0;
    if (t) {
      bv_term_format_lang(&b, t, LOCAL, 0, 1);
      CHECK_STR(b.data, elixir[i].text);
    }
    bv_arena_free(a);
  }
  /* bounded like the Erlang mode: a cut keeps UTF-8 whole and says "..." */
  size_t len;
  const unsigned char *p = unhex("836D0000000AC3A9C3A9C3A9C3A9C3A9", &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  b.len = 0;
  bv_term_format_lang(&b, t, NULL, 4, 1);
  CHECK_STR(b.data, "\"\xC3\xA9...");
  b.len = 0;
  bv_term_format_lang(&b, NULL, NULL, 0, 1);
  CHECK_STR(b.data, "nil");
  /* the Erlang mode is bv_term_format */
  b.len = 0;
  p = unhex("836C000000026802640004646F6E6561016802640004646F6E6561026A", &len);
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  bv_term_format_lang(&b, t, NULL, 0, 0);
  CHECK_STR(b.data, "[{done,1},{done,2}]");
  bv_buf_dispose(&b);
  bv_arena_free(a);
}

/* --- the decoded budget ---------------------------------------------------- */

static unsigned char *put_list_head(unsigned char *d, uint32_t n)
{
  *d++ = 108;
  *d++ = (unsigned char)(n >> 24);
  *d++ = (unsigned char)(n >> 16);
  *d++ = (unsigned char)(n >> 8);
  *d++ = (unsigned char)n;
  return d;
}

/* [[] x inner] x outer, or [] x inner when outer is 0 */
static unsigned char *nil_lists(uint32_t outer, uint32_t inner, size_t *len)
{
  size_t one = 5 + (size_t)inner + 1;
  size_t n = 1 + (outer ? 5 + (size_t)outer * one + 1 : one);
  unsigned char *buf = malloc(n), *d = buf;
  if (!buf)
    return NULL;
  *d++ = 131;
  if (outer)
    d = put_list_head(d, outer);
  for (uint32_t k = 0; k < (outer ? outer : 1); k++) {
    d = put_list_head(d, inner);
    memset(d, 106, (size_t)inner + 1); /* the elements and the tail */
    d += inner + 1;
  }
  if (outer)
    *d++ = 106;
  *len = (size_t)(d - buf);
  return buf;
}

/* A 20 MB list of []: 20 million bv_terms (1.12 GB) asked by its first five
 * bytes. Refused before anything is allocated, under any budget below that. */
static void test_budget_flat(void)
{
  size_t len;
  unsigned char *buf = nil_lists(0, 20000000, &len);
  CHECK(buf != NULL);
  if (!buf)
    return;
  CHECK_INT(len, 20000007);
  bv_arena *a = bv_arena_new();
  bv_term *t = NULL;
  size_t off = 0;
  CHECK_INT(bv_term_decode_max(a, buf, len, &off, (size_t)64 << 20, &t), BV_ETERM);
  CHECK(t == NULL);
  CHECK_INT(off, 0);
  CHECK(strstr(bv_error_last(), "too large at byte 6") != NULL);
  CHECK(strstr(bv_error_last(), "more than 64 MB") != NULL);
  CHECK(bv_arena_used(a) <= 64); /* the top term only */
  /* the default budget (256 MB) refuses it as well */
  bv_arena_reset(a);
  CHECK_INT(bv_term_decode(a, buf, len, &off, &t), BV_ETERM);
  CHECK(strstr(bv_error_last(), "more than 256 MB") != NULL);
  CHECK(bv_arena_used(a) <= 64);
  bv_arena_free(a);
  free(buf);
  /* with room for it, a list of [] decodes: 64 (the list) + 56 per element */
  buf = nil_lists(0, 100000, &len);
  a = bv_arena_new();
  size_t need = 64 + (size_t)100000 * sizeof(bv_term);
  CHECK_INT(bv_term_decode_max(a, buf, len, &off, need, &t), 0);
  CHECK(t && t->type == BV_T_LIST && t->n == 100000);
  CHECK_INT(off, len);
  CHECK(bv_arena_used(a) <= need);
  bv_arena_reset(a);
  off = 0;
  CHECK_INT(bv_term_decode_max(a, buf, len, &off, need - 1, &t), BV_ETERM);
  bv_arena_free(a);
  free(buf);
}

/* The same 20 MB as 1000 lists of 20,000 []: each list is small, the sum is
 * not. The decode stops when the budget is spent, not before, not after. */
static void test_budget_nested(void)
{
  size_t len;
  unsigned char *buf = nil_lists(1000, 20000, &len);
  CHECK(buf != NULL);
  if (!buf)
    return;
  size_t budget = (size_t)64 << 20;
  bv_arena *a = bv_arena_new();
  bv_term *t = NULL;
  size_t off = 0;
  CHECK_INT(bv_term_decode_max(a, buf, len, &off, budget, &t), BV_ETERM);
  CHECK(strstr(bv_error_last(), "too large") != NULL);
  CHECK_INT(off, 0);
  size_t used = bv_arena_used(a);
  CHECK(used <= budget);
  CHECK(used > budget - ((size_t)2 << 20)); /* it went as far as the budget let it */
  bv_arena_free(a);
  free(buf);
}

/* What a decode is charged: every allocation as the arena rounds it (16),
 * cached atoms once. The least budget that decodes a term is its cost. */
static size_t least_budget(const char *hex)
{
  size_t len;
  const unsigned char *p = unhex(hex, &len);
  size_t lo = 1, hi = 1 << 20;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    bv_arena *a = bv_arena_new();
    bv_term *t;
    int rc = bv_term_decode_max(a, p, len, NULL, mid, &t);
    if (!rc)
      CHECK(bv_arena_used(a) <= mid);
    else
      CHECK_INT(rc, BV_ETERM);
    bv_arena_free(a);
    if (rc)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static void test_budget_cost(void)
{
  /* {ok,<<"abc">>,"xy",[1|2]}: term 64, 4 items 224, 'ok' 16, <<"abc">> 16,
     "xy" 16, [1|2]: 1 item 64 and its tail 64 */
  CHECK_INT(least_budget("8368046400026F6B6D000000036162636B000278796C0000000161016102"), 464);
  /* [ok,ok,ok]: term 64, 3 items 176 (168 rounded), the atom's text made once 16 */
  CHECK_INT(least_budget("836C000000036400026F6B6400026F6B6400026F6B6A"), 64 + 176 + 16);
  /* a budget below 1 MB is named in bytes */
  size_t len;
  const unsigned char *p = unhex("836C000000036400026F6B6400026F6B6400026F6B6A", &len);
  bv_arena *a = bv_arena_new();
  bv_term *t;
  CHECK_INT(bv_term_decode_max(a, p, len, NULL, 100, &t), BV_ETERM);
  CHECK(strstr(bv_error_last(), "more than 100 bytes") != NULL);
  bv_arena_free(a);
}

/* --- map keys in term order, whatever order they arrive in ------------------ */

/* MAP_EXT hex from pairs (key hex, value hex, no version byte) taken in the
 * order perm gives; into out (static-size) */
static void map_hex(char *out, size_t cap, const char *const (*pairs)[2], size_t n,
                    const size_t *perm)
{
  size_t len = (size_t)snprintf(out, cap, "8374%08zX", n);
  for (size_t i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(out + len, cap - len, "%s%s", pairs[perm[i]][0], pairs[perm[i]][1]);
}

/* the map printed in both syntaxes, with budget max */
static void map_fmt(const char *hex, size_t max, char *erl, char *ex, size_t cap)
{
  size_t len;
  const unsigned char *p = unhex(hex, &len);
  bv_arena *a = bv_arena_new();
  bv_term *t = NULL;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  bv_buf b;
  bv_buf_init(&b);
  for (int lang = 0; lang < 2 && t; lang++) {
    b.len = 0;
    CHECK_INT(bv_term_format_lang(&b, t, LOCAL, max, lang), 0);
    snprintf(lang ? ex : erl, cap, "%s", b.data ? b.data : "");
  }
  bv_buf_dispose(&b);
  bv_arena_free(a);
}

static void test_map_order(void)
{
  /* every class of key, as term_to_binary/1 of OTP 25 writes it */
  static const char *const pairs[][2] = {
      {"62FFFFFFFD", "6101"},                                               /* -3 */
      {"6101", "6102"},                                                     /* 1 */
      {"464004000000000000", "6103"},                                       /* 2.5 */
      {"64000161", "6104"},                                                 /* a */
      {"6400026262", "6105"},                                               /* bb */
      {"5864000C6878403132372E302E302E3100000055000000006B062D41", "6106"}, /* pid */
      {"680164000178", "6107"},                                             /* {x} */
      {"68026400016164000161", "6108"},                                     /* {a,a} */
      {"6A", "6109"},                                                       /* [] */
      {"6C0000000161016102", "610E"},                                       /* [1|2] */
      {"6B00020102", "610F"},                                               /* [1,2] */
      {"6B00026162", "610A"},                                               /* "ab" */
      {"6C000000036161616261636A", "610B"}, /* "abc" as LIST_EXT (printed as a list) */
      {"6D00000000", "610C"},               /* <<>> */
      {"6D0000000162", "610D"},             /* <<"b">> */
  };
  enum { N = sizeof pairs / sizeof *pairs };
  static const size_t orders[3][N] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
      {14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
      {7, 3, 12, 0, 9, 14, 5, 1, 11, 8, 2, 13, 6, 10, 4},
  };
  static char hex[2048], erl[3][512], ex[3][512];
  for (int o = 0; o < 3; o++) {
    map_hex(hex, sizeof hex, pairs, N, orders[o]);
    map_fmt(hex, 0, erl[o], ex[o], sizeof erl[o]);
  }
  /* Erlang's own order (io:format("~w") of the map on OTP 25) */
  CHECK_STR(erl[0], "#{-3 => 1,1 => 2,2.5 => 3,a => 4,bb => 5,<0.85.0> => 6,{x} => 7,"
                    "{a,a} => 8,[] => 9,[1|2] => 14,[1,2] => 15,\"ab\" => 10,[97,98,99] => 11,"
                    "<<>> => 12,<<\"b\">> => 13}");
  CHECK_STR(ex[0], "%{-3 => 1, 1 => 2, 2.5 => 3, :a => 4, :bb => 5, #PID<0.85.0> => 6, "
                   "{:x} => 7, {:a, :a} => 8, [] => 9, [1 | 2] => 14, [1, 2] => 15, "
                   "~c\"ab\" => 10, [97, 98, 99] => 11, \"\" => 12, \"b\" => 13}");
  for (int o = 1; o < 3; o++) {
    CHECK_STR(erl[o], erl[0]);
    CHECK_STR(ex[o], ex[0]);
  }

  /* all atom keys (Elixir's keyword form) and a struct, two orders each */
  static const char *const atoms[][2] = {
      {"64000162", "6102"},                                   /* b */
      {"64000161", "6101"},                                   /* a */
      {"64000A5F5F7374727563745F5F", "640008456C697869722E53"}, /* __struct__ => 'Elixir.S' */
  };
  static const size_t fwd[3] = {0, 1, 2}, back[3] = {2, 1, 0};
  char e1[512], x1[512], e2[512], x2[512];
  map_hex(hex, sizeof hex, atoms, 2, fwd);
  map_fmt(hex, 0, e1, x1, sizeof e1);
  map_hex(hex, sizeof hex, atoms, 2, (const size_t[]){1, 0});
  map_fmt(hex, 0, e2, x2, sizeof e2);
  CHECK_STR(e1, "#{a => 1,b => 2}");
  CHECK_STR(x1, "%{a: 1, b: 2}");
  CHECK_STR(e2, e1);
  CHECK_STR(x2, x1);
  map_hex(hex, sizeof hex, atoms, 3, fwd);
  map_fmt(hex, 0, e1, x1, sizeof e1);
  map_hex(hex, sizeof hex, atoms, 3, back);
  map_fmt(hex, 0, e2, x2, sizeof e2);
  CHECK_STR(x1, "%S{a: 1, b: 2}");
  CHECK_STR(x2, x1);
  CHECK_STR(e2, e1);

  /* a large map under a print budget: the smallest keys, whatever the order;
   * #{0 => 0, ..., 1999 => 1999} forwards and backwards */
  enum { BIG = 2000 };
  size_t cap = 16 + (size_t)BIG * 24;
  char *h1 = malloc(cap), *h2 = malloc(cap);
  if (!h1 || !h2) {
    free(h1);
    free(h2);
    CHECK_INT(1, 0);
    return;
  }
  size_t l1 = (size_t)snprintf(h1, cap, "8374%08X", BIG), l2 = l1;
  memcpy(h2, h1, l1 + 1);
  for (int i = 0; i < BIG; i++) {
    l1 += (size_t)snprintf(h1 + l1, cap - l1, "62%08X62%08X", i, i);
    l2 += (size_t)snprintf(h2 + l2, cap - l2, "62%08X62%08X", BIG - 1 - i, BIG - 1 - i);
  }
  /* unhex has a 4096-byte buffer: decode by hand */
  unsigned char *b1 = malloc(l1 / 2), *b2 = malloc(l2 / 2);
  for (size_t i = 0; b1 && b2 && i < l1 / 2; i++) {
    char pr[3] = {h1[2 * i], h1[2 * i + 1], 0}, pr2[3] = {h2[2 * i], h2[2 * i + 1], 0};
    b1[i] = (unsigned char)strtoul(pr, NULL, 16);
    b2[i] = (unsigned char)strtoul(pr2, NULL, 16);
  }
  bv_arena *a = bv_arena_new();
  bv_term *t1 = NULL, *t2 = NULL;
  CHECK_INT(b1 && b2 ? bv_term_decode(a, b1, l1 / 2, NULL, &t1) : -1, 0);
  CHECK_INT(b1 && b2 ? bv_term_decode(a, b2, l2 / 2, NULL, &t2) : -1, 0);
  bv_buf p1, p2;
  bv_buf_init(&p1);
  bv_buf_init(&p2);
  for (int lang = 0; lang < 2 && t1 && t2; lang++) {
    p1.len = p2.len = 0;
    CHECK_INT(bv_term_format_lang(&p1, t1, LOCAL, 40, lang), 0);
    CHECK_INT(bv_term_format_lang(&p2, t2, LOCAL, 40, lang), 0);
    CHECK_STR(p2.data, p1.data);
    CHECK_STR(p1.data, lang ? "%{0 => 0, 1 => 1, 2 => 2, 3 => 3, 4 => 4..."
                            : "#{0 => 0,1 => 1,2 => 2,3 => 3,4 => 4,5 =...");
    /* no budget: all 2000, the last one last */
    p1.len = p2.len = 0;
    CHECK_INT(bv_term_format_lang(&p1, t1, LOCAL, 0, lang), 0);
    CHECK_INT(bv_term_format_lang(&p2, t2, LOCAL, 0, lang), 0);
    CHECK_STR(p2.data, p1.data);
    CHECK_INT(p1.len > 20 && strcmp(p1.data + p1.len - 14, lang ? ", 1999 => 1999}" + 1
                                                              : ",1999 => 1999}") == 0, 1);
  }
  bv_buf_dispose(&p1);
  bv_buf_dispose(&p2);
  bv_arena_free(a);
  free(b1);
  free(b2);
  free(h1);
  free(h2);
}

/* bv_term_label: UTF-8 text as it is; a charlist's code points UTF-8 encoded;
 * bytes that are not text, and every other term, as the language writes it. */
static void test_labels(void)
{
  static const struct {
    const char *hex;
    int elixir;
    const char *text;
  } cases[] = {
      {"836D0000000668C3A96C6C6F", 1, "h\xC3\xA9llo"},  /* <<"héllo"/utf8>> */
      {"836D00000003FF000A", 1, "<<255, 0, 10>>"},     /* not text: no raw bytes */
      {"836D00000003FF000A", 0, "<<255,0,10>>"},
      {"836B0004636166E9", 1, "caf\xC3\xA9"},           /* ~c"café": latin-1 code points */
      {"836B0004636166E9", 0, "caf\xC3\xA9"},
      /* [{Foo, 1}]: an alias key makes no keyword list */
      {"836C00000001680264000A456C697869722E466F6F61016A", 1, "[{Foo, 1}]"},
      {"83640009756E646566696E6564", 1, ""},              /* undefined: nothing */
  };
  bv_buf b;
  bv_buf_init(&b);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    if (!cases[i].text)
      continue;
    size_t len;
    const unsigned char *p = unhex(cases[i].hex, &len);
    bv_arena *a = bv_arena_new();
    bv_term *t = NULL;
    CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
    b.len = 0;
    bv_buf_puts(&b, "");
    if (t) {
      CHECK_INT(bv_term_label(&b, t, LOCAL, 80, cases[i].elixir), 0);
      CHECK_STR(b.data ? b.data : "", cases[i].text);
    }
    bv_arena_free(a);
  }
  /* a long charlist is cut at 80 bytes, whole characters, "..." after */
  char hex[2 * 300 + 16];
  int w = snprintf(hex, sizeof hex, "836B%04X", 200);
  for (int i = 0; i < 200; i++)
    w += snprintf(hex + w, sizeof hex - (size_t)w, "E9");
  size_t len;
  const unsigned char *p = unhex(hex, &len);
  bv_arena *a = bv_arena_new();
  bv_term *t = NULL;
  CHECK_INT(bv_term_decode(a, p, len, NULL, &t), 0);
  b.len = 0;
  if (t) {
    bv_term_label(&b, t, LOCAL, 80, 0);
    CHECK(b.len <= 80);
    CHECK(b.len >= 3 && memcmp(b.data + b.len - 3, "...", 3) == 0);
    CHECK(((unsigned char)b.data[b.len - 4] & 0xC0) == 0x80); /* ends after a whole é */
  }
  bv_arena_free(a);
  bv_buf_dispose(&b);
}

int main(void)
{
  test_good();
  test_bad();
  test_depth();
  test_sequence();
  test_accessors();
  test_pids();
  test_format_cap();
  test_elixir();
  test_budget_flat();
  test_budget_nested();
  test_budget_cost();
  test_map_order();
  test_labels();
  return check_report();
}
