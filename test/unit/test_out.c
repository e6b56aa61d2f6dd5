/* test_out.c: outputs never leave half a file. Written to PATH.tmp-PID-XXXXXX beside
 * the target, renamed on commit; abort (or a failed write) removes the temporary and
 * leaves any older file at PATH untouched. Also memory outputs and format names.
 * What is at PATH decides: a new file gets 0666 less the umask, a replaced file keeps
 * its mode and owner, a symlink stays a symlink (its target is replaced), special files
 * (devices, FIFOs, /dev/fd/N) are written through and never replaced, a directory or
 * a socket is an error when opening. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
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
  /* a directory: an error when opening (before any work), naming it; nothing made */
  snprintf(path, sizeof path, "%s/isdir", dir);
  CHECK_INT(mkdir(path, 0755), 0);
  o = (bv_out *)1;
  CHECK_INT(bv_out_open(path, &o), BV_EIO);
  CHECK(o == NULL);
  CHECK(strstr(bv_error_last(), path) != NULL);
  CHECK(strstr(bv_error_last(), strerror(EISDIR)) != NULL);
  if (o && o != (bv_out *)1)
    bv_out_abort(o);
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

/* dir/name, in one of a few rotating buffers */
static const char *P(const char *name)
{
  static char bufs[8][700];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

static int put(const char *path, const char *s)
{
  bv_out *o;
  int rc = bv_out_open(path, &o);
  if (rc)
    return rc;
  bv_out_puts(o, s);
  return bv_out_commit(o);
}

static void make_file(const char *path, const char *s, mode_t mode)
{
  unlink(path);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs(s, f);
    fclose(f);
  }
  CHECK_INT(chmod(path, mode), 0);
}

/* S_IFMT bits of what is at path itself (0 if nothing) */
static unsigned kind(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & S_IFMT) : 0u;
}

static unsigned mode_of(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0u;
}

static int count_tmp(const char *in)
{
  DIR *d = opendir(in);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".tmp-"))
      n++;
  if (d)
    closedir(d);
  return n;
}

static void test_umask(void)
{
  static const struct {
    mode_t mask;
    unsigned want;
  } t[] = {{022, 0644}, {077, 0600}, {002, 0664}, {027, 0640}, {0, 0666}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    umask(t[i].mask);
    unlink(P("new.txt"));
    CHECK_INT(put(P("new.txt"), "x"), 0);
    CHECK_INT(mode_of(P("new.txt")), t[i].want);
  }
  /* a replaced file keeps its mode whatever the umask: a private file stays private */
  static const struct {
    mode_t mask;
    unsigned mode;
  } r[] = {{022, 0600}, {0, 0600}, {077, 0640}, {022, 0604}, {077, 0755}};
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
    umask(022);
    make_file(P("old.txt"), "old", r[i].mode);
    umask(r[i].mask);
    CHECK_INT(put(P("old.txt"), "new"), 0);
    CHECK_INT(mode_of(P("old.txt")), r[i].mode);
    CHECK_STR(slurp(P("old.txt")), "new");
  }
  umask(022);
}

/* root keeps the owner and group of a file it replaces */
static void test_owner(void)
{
  if (geteuid() != 0) {
    fprintf(stderr, "note: not root, owner and sticky-directory checks skipped\n");
    return;
  }
  make_file(P("owned.txt"), "old", 0640);
  CHECK_INT(chown(P("owned.txt"), 65534, 65534), 0);
  CHECK_INT(put(P("owned.txt"), "new"), 0);
  struct stat st;
  CHECK_INT(stat(P("owned.txt"), &st), 0);
  CHECK_INT(st.st_uid, 65534);
  CHECK_INT(st.st_gid, 65534);
  CHECK_INT(st.st_mode & 07777, 0640);
  CHECK_STR(slurp(P("owned.txt")), "new");

  /* in a sticky world-writable directory (/tmp), a file or a link someone else put
   * there is neither written into nor followed */
  CHECK_INT(mkdir(P("sticky"), 0700), 0);
  CHECK_INT(chmod(P("sticky"), 01777), 0);
  make_file(P("sticky/f.txt"), "theirs", 0666);
  CHECK_INT(chown(P("sticky/f.txt"), 65534, 65534), 0);
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(P("sticky/f.txt"), &o), BV_EIO);
  CHECK(strstr(bv_error_last(), "another user") != NULL);
  if (o)
    bv_out_abort(o);
  CHECK_STR(slurp(P("sticky/f.txt")), "theirs");
  CHECK_INT(symlink("../owned.txt", P("sticky/l.txt")), 0);
  CHECK_INT(lchown(P("sticky/l.txt"), 65534, 65534), 0);
  o = NULL;
  CHECK_INT(bv_out_open(P("sticky/l.txt"), &o), BV_EIO);
  if (o)
    bv_out_abort(o);
  CHECK_STR(slurp(P("owned.txt")), "new");
  CHECK_INT(kind(P("sticky/l.txt")), S_IFLNK);
  /* a link another user owns is not followed in a plain directory either (root
   * writing into a user's directory must not replace what the link names) */
  CHECK_INT(mkdir(P("plain"), 0755), 0);
  CHECK_INT(symlink("../owned.txt", P("plain/l.txt")), 0);
  CHECK_INT(lchown(P("plain/l.txt"), 65534, 65534), 0);
  o = NULL;
  CHECK_INT(bv_out_open(P("plain/l.txt"), &o), BV_EIO);
  CHECK(strstr(bv_error_last(), "symlink owned by another user") != NULL);
  if (o)
    bv_out_abort(o);
  CHECK_STR(slurp(P("owned.txt")), "new");
  CHECK_INT(kind(P("plain/l.txt")), S_IFLNK);
  /* ours there: fine */
  CHECK_INT(put(P("sticky/mine.txt"), "mine"), 0);
  CHECK_INT(put(P("sticky/mine.txt"), "mine again"), 0);
  CHECK_STR(slurp(P("sticky/mine.txt")), "mine again");
}

static void test_symlinks(void)
{
  char buf[700];
  CHECK_INT(mkdir(P("sub"), 0755), 0);
  make_file(P("sub/target.txt"), "old", 0600);
  /* a chain whose last link is relative to its own directory (sub), not to the first */
  CHECK_INT(symlink("target.txt", P("sub/t1")), 0);
  CHECK_INT(symlink("sub/t1", P("l1")), 0);
  CHECK_INT(symlink("l1", P("l2")), 0);
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(P("l2"), &o), 0);
  if (o) {
    bv_out_puts(o, "half");
    /* the temporary sits beside the target, so the rename stays on its filesystem;
     * a signal handler's cleanup finds it there */
    CHECK_INT(count_tmp(P("sub")), 1);
    bv_out_unlink_pending();
    CHECK_INT(count_tmp(P("sub")), 0);
    bv_out_abort(o);
  }
  CHECK_STR(slurp(P("sub/target.txt")), "old");
  CHECK_INT(put(P("l2"), "new"), 0);
  CHECK_INT(kind(P("l2")), S_IFLNK);
  CHECK_INT(kind(P("l1")), S_IFLNK);
  CHECK_INT(kind(P("sub/t1")), S_IFLNK);
  CHECK_INT(kind(P("sub/target.txt")), S_IFREG);
  CHECK_INT(kind(P("target.txt")), 0);
  ssize_t k = readlink(P("l1"), buf, sizeof buf - 1);
  buf[k > 0 ? k : 0] = 0;
  CHECK_STR(buf, "sub/t1");
  CHECK_STR(slurp(P("sub/target.txt")), "new");
  CHECK_INT(mode_of(P("sub/target.txt")), 0600);
  CHECK_INT(count_tmp(dir) + count_tmp(P("sub")), 0);

  /* absolute */
  snprintf(buf, sizeof buf, "%s", P("sub/target.txt"));
  CHECK_INT(symlink(buf, P("abs")), 0);
  CHECK_INT(put(P("abs"), "abs"), 0);
  CHECK_INT(kind(P("abs")), S_IFLNK);
  CHECK_STR(slurp(P("sub/target.txt")), "abs");

  /* dangling: the target is made (as editors do), a new file with the umask's mode */
  CHECK_INT(symlink("sub/made.json", P("dangling")), 0);
  umask(077);
  CHECK_INT(put(P("dangling"), "made"), 0);
  umask(022);
  CHECK_INT(kind(P("dangling")), S_IFLNK);
  CHECK_INT(kind(P("sub/made.json")), S_IFREG);
  CHECK_INT(mode_of(P("sub/made.json")), 0600);
  CHECK_STR(slurp(P("sub/made.json")), "made");

  /* dangling into a directory that does not exist: an error naming the path */
  CHECK_INT(symlink("nodir/x.json", P("dangling2")), 0);
  o = NULL;
  CHECK_INT(bv_out_open(P("dangling2"), &o), BV_EIO);
  CHECK(strstr(bv_error_last(), P("dangling2")) != NULL);
  CHECK(strstr(bv_error_last(), strerror(ENOENT)) != NULL);
  if (o)
    bv_out_abort(o);
  CHECK_INT(kind(P("dangling2")), S_IFLNK);

  /* a loop, and a link to a directory: errors, links untouched */
  CHECK_INT(symlink("loop2", P("loop1")), 0);
  CHECK_INT(symlink("loop1", P("loop2")), 0);
  o = NULL;
  CHECK_INT(bv_out_open(P("loop1"), &o), BV_EIO);
  CHECK(strstr(bv_error_last(), strerror(ELOOP)) != NULL);
  if (o)
    bv_out_commit(o);
  CHECK_INT(kind(P("loop1")), S_IFLNK);
  CHECK_INT(symlink("sub", P("ldir")), 0);
  o = NULL;
  CHECK_INT(bv_out_open(P("ldir"), &o), BV_EIO);
  CHECK(strstr(bv_error_last(), strerror(EISDIR)) != NULL);
  if (o)
    bv_out_abort(o);
  CHECK_INT(kind(P("ldir")), S_IFLNK);
}

static void test_fifo(void)
{
  const char *fifo = P("fifo");
  CHECK_INT(mkfifo(fifo, 0600), 0);
  /* nobody reading: an error at once, not a wait without end */
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(fifo, &o), BV_EIO);
  CHECK(strstr(bv_error_last(), fifo) != NULL);
  CHECK(strstr(bv_error_last(), "reading") != NULL);
  if (o)
    bv_out_commit(o);
  CHECK_INT(kind(fifo), S_IFIFO);
  /* a reader: written through, still a FIFO */
  int rfd = open(fifo, O_RDONLY | O_NONBLOCK);
  CHECK(rfd >= 0);
  CHECK_INT(put(fifo, "through a fifo"), 0);
  char buf[64] = {0};
  ssize_t n = read(rfd, buf, sizeof buf - 1);
  CHECK_INT(n, 14);
  CHECK_STR(buf, "through a fifo");
  CHECK_INT(kind(fifo), S_IFIFO);
  CHECK_INT(count_tmp(dir), 0);
  /* aborted (a command that failed): nothing reaches the reader, however much was
   * written before (more than a pipe holds) */
  static char big[300000];
  memset(big, 'x', sizeof big);
  o = NULL;
  CHECK_INT(bv_out_open(fifo, &o), 0);
  if (o) {
    CHECK_INT(bv_out_write(o, big, sizeof big), 0);
    bv_out_abort(o);
  }
  CHECK_INT(read(rfd, buf, sizeof buf), 0);
  close(rfd);
  /* through a symlink */
  CHECK_INT(symlink("fifo", P("lfifo")), 0);
  rfd = open(fifo, O_RDONLY | O_NONBLOCK);
  CHECK_INT(put(P("lfifo"), "linked"), 0);
  memset(buf, 0, sizeof buf);
  CHECK_INT(read(rfd, buf, sizeof buf - 1), 6);
  CHECK_STR(buf, "linked");
  close(rfd);
  CHECK_INT(kind(P("lfifo")), S_IFLNK);
  CHECK_INT(kind(fifo), S_IFIFO);
}

static void test_socket(void)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  const char *path = P("sock");
  if (strlen(path) >= sizeof sa.sun_path) {
    fprintf(stderr, "note: %s too long for a socket, socket check skipped\n", path);
    return;
  }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(s >= 0);
  CHECK_INT(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(path, &o), BV_EIO);
  CHECK(strstr(bv_error_last(), "socket") != NULL);
  if (o)
    bv_out_commit(o);
  CHECK_INT(kind(path), S_IFSOCK);
  close(s);
}

/* Character devices: null and full. Made here as root (a real /dev/null must not be
 * risked by a test of code that could replace it), the system's otherwise. */
static void test_devices(void)
{
  char null[700], full[700];
  if (geteuid() == 0) {
    snprintf(null, sizeof null, "%s", P("null"));
    snprintf(full, sizeof full, "%s", P("full"));
    int fd = -1;
    if (mknod(null, S_IFCHR | 0666, makedev(1, 3)) != 0 ||
        mknod(full, S_IFCHR | 0666, makedev(1, 7)) != 0 || (fd = open(null, O_WRONLY)) < 0) {
      fprintf(stderr, "note: no device nodes in %s, device checks skipped\n", dir);
      return;
    }
    close(fd);
  } else {
    snprintf(null, sizeof null, "/dev/null");
    snprintf(full, sizeof full, "/dev/full");
  }
  struct stat st;
  CHECK_INT(put(null, "gone"), 0);
  CHECK_INT(lstat(null, &st), 0);
  CHECK(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
  /* a write that fails: one error naming the device and why; still the device */
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(full, &o), 0);
  if (o) {
    CHECK_INT(bv_out_puts(o, "x"), 0);
    CHECK_INT(bv_out_commit(o), BV_EIO);
    CHECK(strstr(bv_error_last(), full) != NULL);
    CHECK(strstr(bv_error_last(), strerror(ENOSPC)) != NULL);
  }
  CHECK_INT(lstat(full, &st), 0);
  CHECK(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 7));
  /* all of it is written at commit, however big */
  static char big[200000];
  o = NULL;
  CHECK_INT(bv_out_open(full, &o), 0);
  if (o) {
    CHECK_INT(bv_out_write(o, big, sizeof big), 0);
    CHECK_INT(bv_out_commit(o), BV_EIO);
  }
  CHECK_INT(kind(full), S_IFCHR);
  CHECK_INT(count_tmp(dir), 0);
}

/* /dev/fd/N, /proc/self/fd/N and links to them (/dev/stdout): the descriptor itself */
static void test_own_fds(void)
{
  char path[80];
  char buf[64];
  int pfd[2];
  CHECK_INT(pipe(pfd), 0);
  fcntl(pfd[0], F_SETFL, O_NONBLOCK); /* an output that went elsewhere: no wait */
  snprintf(path, sizeof path, "/dev/fd/%d", pfd[1]);
  CHECK_INT(put(path, "dev fd|"), 0);
  snprintf(path, sizeof path, "/proc/self/fd/%d", pfd[1]);
  CHECK_INT(put(path, "proc self|"), 0);
  snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)getpid(), pfd[1]);
  CHECK_INT(put(path, "proc pid|"), 0);
  /* like /dev/stdout -> /proc/self/fd/1 */
  snprintf(path, sizeof path, "/proc/self/fd/%d", pfd[1]);
  CHECK_INT(symlink(path, P("stdout")), 0);
  CHECK_INT(put(P("stdout"), "link"), 0);
  CHECK_INT(kind(P("stdout")), S_IFLNK);
  memset(buf, 0, sizeof buf);
  CHECK_INT(read(pfd[0], buf, sizeof buf - 1), 30);
  CHECK_STR(buf, "dev fd|proc self|proc pid|link");
  /* the pipe is still ours and open */
  CHECK_INT(write(pfd[1], "!", 1), 1);
  CHECK_INT(read(pfd[0], buf, 1), 1);
  close(pfd[0]);
  close(pfd[1]);

  /* a file the shell opened: `> f` (truncated) and `>> f` (appended) */
  make_file(P("redir.txt"), "old content", 0600);
  int fd = open(P("redir.txt"), O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  snprintf(path, sizeof path, "/dev/fd/%d", fd);
  CHECK_INT(put(path, "fresh"), 0);
  close(fd);
  CHECK_STR(slurp(P("redir.txt")), "fresh");
  struct stat before, after;
  CHECK_INT(stat(P("redir.txt"), &before), 0);
  fd = open(P("redir.txt"), O_WRONLY | O_APPEND);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  CHECK_INT(put(path, "+more"), 0);
  close(fd);
  CHECK_STR(slurp(P("redir.txt")), "fresh+more");
  CHECK_INT(stat(P("redir.txt"), &after), 0);
  CHECK(before.st_ino == after.st_ino);
  CHECK_INT(count_tmp(dir), 0);

  /* open only for reading, or not open: an error naming the path */
  fd = open(P("redir.txt"), O_RDONLY);
  snprintf(path, sizeof path, "/dev/fd/%d", fd);
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(path, &o), BV_EIO);
  CHECK(strstr(bv_error_last(), path) != NULL);
  CHECK(strstr(bv_error_last(), "not open for writing") != NULL);
  if (o)
    bv_out_abort(o);
  close(fd);
  CHECK_STR(slurp(P("redir.txt")), "fresh+more");
  o = NULL;
  CHECK_INT(bv_out_open("/dev/fd/987", &o), BV_EIO);
  CHECK(strstr(bv_error_last(), strerror(EBADF)) != NULL);
  if (o)
    bv_out_abort(o);
}

/* Writes smaller and bigger than what an output holds back come out in order, to a
 * file and through a pipe (read by a child as it comes). */
/* a regular file reached through /proc (not a descriptor of ours) is written
 * through and cut to what was written: no tail of a longer old file stays */
static void test_proc_regular(void)
{
  make_file(P("proc.txt"), "a much longer old content", 0644);
  char via[PATH_MAX];
  snprintf(via, sizeof via, "/proc/self/root%s", P("proc.txt"));
  CHECK_INT(put(via, "new"), 0);
  CHECK_STR(slurp(P("proc.txt")), "new");
}

static void test_big(void)
{
  static char data[500000];
  static const size_t chunks[] = {1000, 70000, 100, 65000, 300000, 7, 63893};
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
  bv_out *o = NULL;
  CHECK_INT(bv_out_open(P("big.bin"), &o), 0);
  if (!o)
    return;
  size_t at = 0;
  for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
    CHECK_INT(bv_out_write(o, data + at, chunks[i]), 0);
    at += chunks[i];
  }
  CHECK_INT(at, sizeof data);
  CHECK_INT(bv_out_commit(o), 0);
  FILE *f = fopen(P("big.bin"), "rb");
  static char back[sizeof data + 1];
  size_t n = f ? fread(back, 1, sizeof back, f) : 0;
  if (f)
    fclose(f);
  CHECK_INT(n, sizeof data);
  CHECK(memcmp(back, data, sizeof data) == 0);

  int pfd[2];
  CHECK_INT(pipe(pfd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(pfd[1]);
    size_t got = 0;
    ssize_t k;
    int same = 1;
    while ((k = read(pfd[0], back, sizeof back)) > 0) {
      if (got + (size_t)k > sizeof data || memcmp(back, data + got, (size_t)k) != 0)
        same = 0;
      got += (size_t)k;
    }
    _exit(same && got == sizeof data ? 0 : 1);
  }
  close(pfd[0]);
  char path[40];
  snprintf(path, sizeof path, "/dev/fd/%d", pfd[1]);
  int rc = bv_out_open(path, &o);
  CHECK_INT(rc, 0);
  at = 0;
  for (size_t i = 0; !rc && i < sizeof chunks / sizeof *chunks; i++) {
    CHECK_INT(bv_out_write(o, data + at, chunks[i]), 0);
    at += chunks[i];
  }
  if (!rc)
    CHECK_INT(bv_out_commit(o), 0);
  close(pfd[1]);
  int status = -1;
  CHECK_INT(waitpid(pid, &status, 0), pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
  umask(022);
  make_dir();
  test_commit();
  test_abort_keeps_old();
  test_errors();
  test_mem();
  test_formats();
  test_umask();
  test_owner();
  test_symlinks();
  test_fifo();
  test_socket();
  test_devices();
  test_own_fds();
  test_big();
  test_proc_regular();
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  return check_report();
}
