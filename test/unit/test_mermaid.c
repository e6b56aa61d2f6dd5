/* test_mermaid.c: bv_mmd_escape, the one escaping rule for Mermaid labels, aliases and
 * message texts (../shared/design/MERMAID.md): letters, digits, UTF-8 and
 * " _-./,+=*!?@$%^~'()[]{}" kept; newline -> <br/>; every other byte -> #<decimal>;
 * (C1 controls by code point, bytes that are not UTF-8 each on its own)
 *
 * With a directory argument (test/e2e/mermaid_escape.sh passes one) it also writes a
 * flowchart and a sequence diagram whose labels hold every ASCII byte and the hostile
 * strings below, so Mermaid 11's own parser can check that the escaping survives. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <string.h>

static const struct {
  const char *in;
  size_t n; /* 0: strlen */
  const char *out;
} cases[] = {
    {"", 0, ""},
    {"demo_sup", 0, "demo_sup"},
    {"Elixir.MyApp.Worker", 0, "Elixir.MyApp.Worker"},
    {"<0.85.0>", 0, "#60;0.85.0#62;"},
    {"#PID<0.85.0>", 0, "#35;PID#60;0.85.0#62;"},
    {"say \"hi\"", 0, "say #34;hi#34;"},
    {"a;b", 0, "a#59;b"},
    {"a:b", 0, "a#58;b"},
    {"a&amp;b", 0, "a#38;amp#59;b"},
    {"x|y", 0, "x#124;y"},
    {"back\\slash", 0, "back#92;slash"},
    {"`code`", 0, "#96;code#96;"},
    {"%%comment", 0, "%%comment"},
    {"end", 0, "end"},
    {"line1\nline2", 0, "line1<br/>line2"},
    {"tab\there", 0, "tab#9;here"},
    {"cr\r", 0, "cr#13;"},
    {"nul\0x", 5, "nul#0;x"},
    {" _-./,+=*!?@$%^~'()[]{}", 0, " _-./,+=*!?@$%^~'()[]{}"},
    {"\xC3\xBC\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", 0,
     "\xC3\xBC\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"},
    {"{ok, <<\"bin\">>}", 0, "{ok, #60;#60;#34;bin#34;#62;#62;}"},
    {"\x7f", 0, "#127;"},
    /* C1 controls by code point, bytes that are not UTF-8 one by one: nothing a
       terminal obeys reaches the file */
    {"\xC2\x9B" "2J", 0, "#155;2J"},
    {"\xC2\x80\xC2\x9F\xC2\xA0", 0, "#128;#159;\xC2\xA0"},
    {"\x9B" "2J", 0, "#155;2J"},
    {"a\xFFz", 0, "a#255;z"},
    {"\xC0\x80", 0, "#192;#128;"},
    {"\xE6\x97", 0, "#230;#151;"},
};

/* Hostile names from the issues: quotes, parens, #, ;, |, <, >, end, non-ASCII. */
static const char *const hostile[] = {"end",
                                      "\"quoted\"",
                                      "paren(s)",
                                      "#hash",
                                      "semi;colon",
                                      "pi|pe",
                                      "<lt>",
                                      "a-->b",
                                      "x---o",
                                      "%% not a comment",
                                      "click",
                                      "style",
                                      "\xC3\xA9l\xC3\xA8ve",
                                      "a\nb",
                                      "graph TD",
                                      "participant",
                                      "Note over a",
                                      "-->>",
                                      "&lt;",
                                      "#59;",
                                      "\\n",
                                      "c1 \xC2\x9B" "2J \xC2\x85",
                                      "not utf-8 \xFF\xC0\x80\x9B"};

static void test_table(void)
{
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bv_buf b;
    bv_buf_init(&b);
    size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);
    CHECK_INT(bv_mmd_escape(&b, cases[i].in, n), 0);
    CHECK_STR(b.data ? b.data : "", cases[i].out);
    bv_buf_dispose(&b);
  }
}

/* Every byte: the output only ever holds safe characters, and each unsafe byte
 * becomes exactly "#<decimal>;". */
static void test_every_byte(void)
{
  for (int c = 0; c < 256; c++) {
    char in = (char)c;
    bv_buf b;
    bv_buf_init(&b);
    bv_mmd_escape(&b, &in, 1);
    const char *o = b.data ? b.data : "";
    int kept = strcmp(o, (char[]){in, 0}) == 0 && c != 0;
    char ent[8];
    snprintf(ent, sizeof ent, "#%d;", c);
    if (c == '\n')
      CHECK_STR(o, "<br/>");
    else if (!kept)
      CHECK_STR(o, ent);
    /* nothing that ends a statement, starts a comment or quotes survives raw */
    if (kept)
      CHECK(c >= 0x80 || strchr("\";|<>`\\:&#\r\t\n", c) == NULL);
    bv_buf_dispose(&b);
  }
}

/* A failed buffer is reported. */
static void test_limit(void)
{
  bv_buf b;
  bv_buf_init(&b);
  b.limit = 4;
  CHECK_INT(bv_mmd_escape(&b, "<<<<", 4), BV_ENOMEM);
  bv_buf_dispose(&b);
}

static int write_file(const char *path, const bv_buf *b)
{
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t w = fwrite(b->data, 1, b->len, f);
  return fclose(f) == 0 && w == b->len ? 0 : -1;
}

/* Labels for the parser check: each ASCII byte 1..127 between two letters, and the
 * hostile strings (C1 controls and bytes that are not UTF-8 among them). */
static void write_diagrams(const char *dir)
{
  bv_buf flow, seq;
  bv_buf_init(&flow);
  bv_buf_init(&seq);
  bv_buf_puts(&flow, "flowchart TD\n");
  bv_buf_puts(&seq, "sequenceDiagram\n");
  int id = 0;
  for (int c = 1; c < 128; c++) {
    char s[4] = {'a', (char)c, 'z', 0};
    bv_buf_printf(&flow, "  n%d[\"", id);
    bv_mmd_escape(&flow, s, 3);
    bv_buf_puts(&flow, "\"]\n");
    if (id)
      bv_buf_printf(&flow, "  n%d --> n%d\n", id - 1, id);
    bv_buf_printf(&seq, "  participant p%d as ", id);
    bv_mmd_escape(&seq, s, 3);
    bv_buf_puts(&seq, "\n");
    id++;
  }
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    bv_buf_printf(&flow, "  n%d[\"", id);
    bv_mmd_escape(&flow, hostile[i], strlen(hostile[i]));
    bv_buf_printf(&flow, "\"]\n  n%d -.-> n%d\n", id - 1, id);
    bv_buf_printf(&seq, "  participant p%d as ", id);
    bv_mmd_escape(&seq, hostile[i], strlen(hostile[i]));
    bv_buf_puts(&seq, "\n");
    id++;
  }
  /* messages: every byte 1..127 once more, and the hostile strings */
  for (int c = 1; c < 128; c++) {
    char s[4] = {'m', (char)c, '.', 0};
    bv_buf_printf(&seq, "  p%d->>p%d: ", c % id, (c * 7) % id);
    bv_mmd_escape(&seq, s, 3);
    bv_buf_puts(&seq, "\n");
  }
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    bv_buf_printf(&seq, "  p0-->>p%zu: ", i + 1);
    bv_mmd_escape(&seq, hostile[i], strlen(hostile[i]));
    bv_buf_puts(&seq, "\n");
  }
  /* UTF-8 text in both */
  bv_buf_printf(&flow, "  n%d[\"", id);
  const char *utf8 = "\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xC3\xBC";
  bv_mmd_escape(&flow, utf8, strlen(utf8));
  bv_buf_printf(&flow, "\"]\n  n%d --> n%d\n", id - 1, id);
  char path[1024];
  snprintf(path, sizeof path, "%s/escape-flow.mmd", dir);
  CHECK_INT(write_file(path, &flow), 0);
  snprintf(path, sizeof path, "%s/escape-seq.mmd", dir);
  CHECK_INT(write_file(path, &seq), 0);
  bv_buf_dispose(&flow);
  bv_buf_dispose(&seq);
}

int main(int argc, char **argv)
{
  test_table();
  test_every_byte();
  test_limit();
  if (argc > 1)
    write_diagrams(argv[1]);
  return check_report();
}
