/* test_out.c: outputs never leave half a file. Written to PATH.tmp-PID-XXXXXX beside
 * the target, renamed on commit; abort (or a failed write) removes the temporary and
 * leaves any older file at PATH untouched. Also memory outputs and format names. */
#include "beamviz.h"
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];

static void make_dir(void)
{
  const char *base = getenv("BV_TEST_TMP");
  if (base && *base) {
    snprintf(dir, sizeof dir, "%s", base);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK_INT(system(cmd), 0);
  } else {
    snprintf(dir, sizeof dir, "/tmp/bv-test-out-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
  }
}

/* Number of directory entries (other than . and ..), and whether one contains `part`. */
static int entries(const char *part, int *found)
{
  DIR *d = opendir(dir);
  int n = 0;
  *found = 0;
  if (!d)
    return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    n++;
    if (part && strstr(e->d_name, part))
      *found = 1;
  }
  closedir(d);
  return n;
}

static char *slurp(const char *path)
{
  static char buf[4096];
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return buf;
}

static void test_commit(void)
{
  char path[600];
  snprintf(path, sizeof path, "%s/a.json", dir);
  bv_out *o;
  int found;
  CHECK_INT(bv_out_open(path, &o), 0);
  CHECK_STR(bv_out_path(o), path);
  CHECK_INT(bv_out_puts(o, "{\"x\":"), 0);
  CHECK_INT(bv_out_printf(o, "%d}", 42), 0);
  /* before commit: only the temporary exists */
  CHECK(access(path, F_OK) != 0);
  CHECK_INT(entries(".tmp-", &found), 1);
  CHECK(found);
  CHECK_INT(bv_out_commit(o), 0);
  CHECK_STR(slurp(path), "{\"x\":42}");
  CHECK_INT(entries(".tmp-", &found), 1);
  CHECK(!found);
  struct stat st;
  CHECK_INT(stat(path, &st), 0);
  CHECK_INT(st.st_mode & 0777, 0644);
}

static void test_abort_keeps_old(void)
{
  char path[600];
  snprintf(path, sizeof path, "%s/a.json", dir); /* exists from test_commit */
  bv_out *o;
  int found;
  CHECK_INT(bv_out_open(path, &o), 0);
  CHECK_INT(bv_out_puts(o, "half a fi"), 0);
  bv_out_abort(o);
  CHECK_STR(slurp(path), "{\"x\":42}");
  CHECK_INT(entries(".tmp-", &found), 1);
  CHECK(!found);
  /* a new file aborted: nothing at all */
  snprintf(path, sizeof path, "%s/b.vl.json", dir);
  CHECK_INT(bv_out_open(path, &o), 0);
  bv_out_printf(o, "%s", "{");
  bv_out_abort(o);
  CHECK(access(path, F_OK) != 0);
  CHECK_INT(entries(NULL, &found), 1);
  bv_out_abort(NULL);
  /* commit replaces the old file whole */
  snprintf(path, sizeof path, "%s/a.json", dir);
  CHECK_INT(bv_out_open(path, &o), 0);
  bv_out_puts(o, "new");
  CHECK_INT(bv_out_commit(o), 0);
  CHECK_STR(slurp(path), "new");
}

static void test_errors(void)
{
  bv_out *o = (bv_out *)1;
  char path[700];
  snprintf(path, sizeof path, "%s/no/such/dir/x.csv", dir);
  CHECK_INT(bv_out_open(path, &o), BV_EIO);
  CHECK(o == NULL);
  CHECK(strstr(bv_error_last(), path) != NULL);
  CHECK(strstr(bv_error_last(), strerror(ENOENT)) != NULL);
  CHECK_INT(bv_out_open("", &o), BV_EINVAL);
  CHECK_INT(bv_out_open(NULL, &o), BV_EINVAL);
  /* a directory in the way of the rename: commit fails, nothing left behind */
  snprintf(path, sizeof path, "%s/isdir", dir);
  CHECK_INT(mkdir(path, 0755), 0);
  CHECK_INT(bv_out_open(path, &o), 0);
  bv_out_puts(o, "x");
  CHECK_INT(bv_out_commit(o), BV_EIO);
  CHECK(strstr(bv_error_last(), path) != NULL);
  int found;
  entries(".tmp-", &found);
  CHECK(!found);
  rmdir(path);
  CHECK_INT(bv_out_commit(NULL), BV_EINVAL);
}

static void test_mem(void)
{
  bv_out *o;
  size_t len = 99;
  CHECK_INT(bv_out_open_mem(&o), 0);
  CHECK_STR(bv_out_mem(o, &len), "");
  CHECK_INT(len, 0);
  bv_out_write(o, "ab\0c", 4);
  bv_out_printf(o, "%05d", 42);
  const char *m = bv_out_mem(o, &len);
  CHECK_INT(len, 9);
  CHECK(memcmp(m, "ab\0c00042", 9) == 0);
  CHECK_STR(bv_out_path(o), "-");
  bv_buf b;
  bv_buf_init(&b);
  bv_buf_puts(&b, "!");
  CHECK_INT(bv_out_buf(o, &b), 0);
  bv_buf_dispose(&b);
  CHECK_INT(bv_out_commit(o), 0);
  /* a file output has no memory */
  char path[600];
  snprintf(path, sizeof path, "%s/m.txt", dir);
  CHECK_INT(bv_out_open(path, &o), 0);
  CHECK(bv_out_mem(o, &len) == NULL);
  CHECK_INT(len, 0);
  bv_out_abort(o);
}

static const struct {
  const char *path;
  bv_format f;
} by_path[] = {
    {"x.vl.json", BV_FMT_VEGALITE},
    {"dir.d/x.json", BV_FMT_JSON},
    {"x.csv", BV_FMT_CSV},
    {"x.mmd", BV_FMT_MERMAID},
    {"x.md", BV_FMT_MD},
    {"x.txt", BV_FMT_TEXT},
    {"x.png", BV_FMT_PNG},
    {"x.svg", BV_FMT_SVG},
    {"x.pdf", BV_FMT_PDF},
    {"x", BV_FMT_NONE},
    {".json", BV_FMT_NONE},
    {"x.PNG", BV_FMT_NONE},
    {"x.json.bak", BV_FMT_NONE},
    {"-", BV_FMT_NONE},
    {"", BV_FMT_NONE},
};

static const struct {
  const char *name;
  bv_format f;
} by_name[] = {
    {"vega-lite", BV_FMT_VEGALITE},
    {"vl", BV_FMT_VEGALITE},
    {"json", BV_FMT_JSON},
    {"csv", BV_FMT_CSV},
    {"mermaid", BV_FMT_MERMAID},
    {"mmd", BV_FMT_MERMAID},
    {"md", BV_FMT_MD},
    {"text", BV_FMT_TEXT},
    {"txt", BV_FMT_TEXT},
    {"png", BV_FMT_PNG},
    {"svg", BV_FMT_SVG},
    {"pdf", BV_FMT_PDF},
    {"jpeg", BV_FMT_NONE},
    {"", BV_FMT_NONE},
    {"JSON", BV_FMT_NONE},
};

static void test_formats(void)
{
  for (size_t i = 0; i < sizeof by_path / sizeof *by_path; i++)
    CHECK_INT(bv_format_from_path(by_path[i].path), by_path[i].f);
  CHECK_INT(bv_format_from_path(NULL), BV_FMT_NONE);
  for (size_t i = 0; i < sizeof by_name / sizeof *by_name; i++)
    CHECK_INT(bv_format_from_name(by_name[i].name), by_name[i].f);
  CHECK_INT(bv_format_from_name(NULL), BV_FMT_NONE);
  /* name -> format -> name round trip */
  for (int f = BV_FMT_VEGALITE; f <= BV_FMT_PDF; f++)
    CHECK_INT(bv_format_from_name(bv_format_name((bv_format)f)), f);
  CHECK_STR(bv_format_name(BV_FMT_NONE), "none");
}

int main(void)
{
  make_dir();
  test_commit();
  test_abort_keeps_old();
  test_errors();
  test_mem();
  test_formats();
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  return check_report();
}
