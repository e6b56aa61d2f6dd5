/* test_apps.c: the apps outputs with text from the node: the table carries no
 * control character (one application a line, nothing a terminal obeys) and
 * stays aligned; the JSON keeps the exact text as escaped data. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"
#include "util/jsonin.h"

#include <stdlib.h>
#include <string.h>

#include "save_util.h"

static bv_applist *make(void)
{
  bv_applist *l = calloc(1, sizeof *l);
  l->arena = bv_arena_new();
  l->node = "test@127.0.0.1";
  l->otp_release = "25";
  l->n = 3;
  l->apps = bv_arena_alloc(l->arena, l->n * sizeof *l->apps);
  l->apps[0] = (bv_app){"kernel", "8.5", "ERTS  CXC 138 10", 1, "<0.1.0>", "<0.2.0>",
                        "kernel_sup"};
  l->apps[1] = (bv_app){"bv\x1b[2Jevil", "1\r", "x\x1b[31mred\nline2\a \xC2\x9B" "2J \xFF",
                        0, NULL, NULL, NULL};
  l->apps[2] = (bv_app){"caf\xC3\xA9", NULL, NULL, 0, NULL, NULL, NULL};
  return l;
}

static void test_text(void)
{
  bv_applist *l = make();
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(bv_apps_text(&b, l), 0);
  CHECK_STR(b.data, "NAME           VERSION  TREE  DESCRIPTION\n"
                    "kernel         8.5      yes   ERTS  CXC 138 10\n"
                    "bv\\x1b[2Jevil  1\\r      no    "
                    "x\\x1b[31mred\\nline2\\x07 \\u009b2J \\xff\n"
                    "caf\xC3\xA9           -        no    \n");
  /* no control byte at all but the line ends: four lines */
  size_t lines = 0;
  for (size_t i = 0; i < b.len; i++) {
    unsigned char c = (unsigned char)b.data[i];
    lines += c == '\n';
    CHECK(c == '\n' || (c >= 0x20 && c != 0x7f));
  }
  CHECK_INT(lines, 4);
  bv_buf_dispose(&b);
  bv_applist_free(l);
}

static void test_json(void)
{
  bv_applist *l = make();
  bv_buf b;
  bv_buf_init(&b);
  CHECK_INT(save_json(BV_MODEL_APPS, l, &b), 0);
  /* data, escaped: \u001b, \n and \u009b, nothing raw */
  CHECK(strstr(b.data, "\"description\":\"x\\u001b[31mred\\nline2\\u0007 \\u009b2J "
                       "\xEF\xBF\xBD\"") != NULL);
  CHECK(strstr(b.data, "\xC2\x9B") == NULL);
  for (size_t i = 0; i < b.len; i++)
    CHECK(b.data[i] == '\n' || (unsigned char)b.data[i] >= 0x20);
  bv_jdoc *d = NULL;
  CHECK_INT(bv_jdoc_parse("apps.json", b.data, b.len, &d), 0);
  const bv_jv *apps = d ? bv_jv_get(bv_jdoc_root(d), "apps") : NULL;
  const char *desc = NULL;
  bv_arena *a = bv_arena_new();
  CHECK_INT(bv_jv_str(d, bv_jv_get(bv_jv_at(apps, 1), "description"), "description", a, &desc),
            0);
  CHECK_STR(desc, "x\x1b[31mred\nline2\a \xC2\x9B" "2J \xEF\xBF\xBD");
  bv_arena_free(a);
  bv_jdoc_free(d);
  bv_buf_dispose(&b);
  bv_applist_free(l);
}

/* bv_emit through the registry into memory: a malloc'd copy of the text. */
static char *emit(const bv_applist *l, bv_format fmt)
{
  bv_model m = {.kind = BV_MODEL_APPS};
  m.u.apps = (bv_applist *)l;
  bv_out *out;
  if (bv_out_open_mem(&out))
    return NULL;
  CHECK_INT(bv_emit(&m, fmt, NULL, out, NULL), 0);
  size_t len;
  const char *p = bv_out_mem(out, &len);
  char *copy = strndup(p ? p : "", len);
  bv_out_abort(out);
  return copy;
}

/* CSV: RFC 4180 with CRLF, one row an application, cells cleaned as in the
 * process CSV (control characters escaped, quoted when they hold , or ",
 * a leading = + - @ defused). */
static void test_csv(void)
{
  bv_applist *l = make();
  l->apps[2].description = "=1+2, \"q\"";
  char *t = emit(l, BV_FMT_CSV);
  CHECK_STR(t, "name,version,tree,description\r\n"
               "kernel,8.5,yes,ERTS  CXC 138 10\r\n"
               "bv\\x1b[2Jevil,1\\r,no,x\\x1b[31mred\\nline2\\x07 \\u009b2J \\xff\r\n"
               "caf\xC3\xA9,,no,\"'=1+2, \"\"q\"\"\"\r\n");
  free(t);
  bv_applist_free(l);
}

/* Markdown: a table with the text table's columns; cells are clean text and
 * nothing in them ends a cell or starts markup. */
static void test_md(void)
{
  bv_applist *l = make();
  l->apps[2].description = "a|b <i>`c`</i>";
  char *t = emit(l, BV_FMT_MD);
  CHECK_STR(t, "| Name | Version | Tree | Description |\n"
               "|---|---|---|---|\n"
               "| kernel | 8.5 | yes | ERTS  CXC 138 10 |\n"
               "| bv\\\\x1b[2Jevil | 1\\\\r | no | "
               "x\\\\x1b[31mred\\\\nline2\\\\x07 \\\\u009b2J \\\\xff |\n"
               "| caf\xC3\xA9 | - | no | a\\|b \\<i\\>\\`c\\`\\</i\\> |\n");
  /* every row has its five cell borders */
  for (const char *p = t, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
    size_t bars = 0;
    for (const char *q = p; q < nl; q++)
      bars += *q == '|' && (q == p || q[-1] != '\\');
    CHECK_INT(bars, 5);
  }
  free(t);
  bv_applist_free(l);
}

int main(void)
{
  test_text();
  test_json();
  test_csv();
  test_md();
  return check_report();
}
