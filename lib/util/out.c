/* out.c: outputs. A file is written to a temporary name beside it and renamed
 * on commit, so a failure never leaves half a file. A special file (a device,
 * a FIFO, a descriptor of this process such as /dev/stdout) is written through
 * instead: renaming over it would replace it. Also stdout ("-") and memory.
 *
 * What the path names when the output is opened decides (README.md has the
 * table):
 *  - nothing: a new file, mode 0666 less the umask (the kernel applies the
 *    umask and any default ACL to the temporary, as to any new file);
 *  - a regular file: replaced whole by one with its permission bits and,
 *    where allowed, its owner and group;
 *  - a symlink: followed here to the end of its chain, which is then treated
 *    as above (a link to nothing creates its target), so the link stays;
 *  - /dev/fd/N, /proc/self/fd/N (what /dev/stdout links to): descriptor N
 *    itself, shared as a shell redirection shares it (its offset, O_APPEND);
 *  - a character or block device, a FIFO, anything else under /proc: opened
 *    and written through, never created, truncated or replaced;
 *  - a directory or a socket: an error; so is a symlink, file or FIFO that
 *    someone else put in a sticky world-writable directory such as /tmp.
 * What is written through is held in memory until commit and then written
 * at once: a command that fails (or is interrupted) before it has written
 * nothing there, as with a file; only a write error while committing (a
 * reader gone, a full device) can leave part of it. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A temporary file is written in pieces of about this much. */
#define HOLD (1 << 16)
/* Symlinks followed for one path at most (the kernel's limit for a walk). */
#define MAX_LINKS 40

/* Temporary files not yet committed or aborted, for bv_out_unlink_pending
 * (a signal handler's cleanup). Slots hold the bv_out's own tmp string. */
#define MAX_PENDING 16
static char *volatile pending[MAX_PENDING];

static void pending_add(char *tmp)
{
  for (int i = 0; i < MAX_PENDING; i++)
    if (!pending[i]) {
      pending[i] = tmp;
      return;
    }
}

static void pending_drop(const char *tmp)
{
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i] == tmp)
      pending[i] = NULL;
}

void bv_out_unlink_pending(void)
{
  for (int i = 0; i < MAX_PENDING; i++) {
    char *t = pending[i];
    if (t)
      unlink(t);
  }
}

struct bv_out {
  FILE *f;     /* stdout ("-") only */
  int fd;      /* a file: its temporary, or the file written through; else -1 */
  char *path;  /* as given, for messages; NULL for stdout/memory */
  char *final; /* what the temporary is renamed to: the end of any symlink chain */
  char *tmp;   /* temporary path; NULL when written through */
  bv_buf mem;  /* memory output: its bytes; a file: bytes not yet written */
  int is_mem;
  int failed;
  int trunc;   /* a regular file reached under /proc: cut to what was written */
};

static bv_out *out_new(void)
{
  bv_out *o = calloc(1, sizeof *o);
  if (o) {
    o->fd = -1;
    bv_buf_init(&o->mem);
  }
  return o;
}

static int fail_path(const char *path, int err)
{
  return bv_error_set(BV_EIO, "cannot write %s: %s", path, strerror(err));
}

/* N if p names descriptor N of this process (/dev/fd/N, /proc/self/fd/N,
 * /proc/thread-self/fd/N, /proc/<our pid>/fd/N), else -1. */
static int own_fd(const char *p)
{
  const char *q;
  if (strncmp(p, "/dev/fd/", 8) == 0)
    q = p + 8;
  else if (strncmp(p, "/proc/", 6) == 0) {
    q = p + 6;
    if (strncmp(q, "self/", 5) == 0)
      q += 5;
    else if (strncmp(q, "thread-self/", 12) == 0)
      q += 12;
    else {
      char *end;
      long pid = strtol(q, &end, 10);
      if (end == q || *end != '/' || pid != (long)getpid())
        return -1;
      q = end + 1;
    }
    if (strncmp(q, "fd/", 3) != 0)
      return -1;
    q += 3;
  } else
    return -1;
  if (*q < '0' || *q > '9')
    return -1;
  char *end;
  errno = 0;
  long n = strtol(q, &end, 10);
  if (*end || errno || n > INT_MAX)
    return -1;
  return (int)n;
}

/* Whether the entry st at p belongs to someone else than us and than the owner
 * of its sticky, world-writable directory (/tmp): another user may have put it
 * there for us to follow or to write into. The kernel refuses the same when
 * fs.protected_symlinks, _regular and _fifos are on; here it holds whatever
 * they are set to. */
static int foreign_in_sticky_dir(const char *p, const struct stat *st)
{
  if (st->st_uid == geteuid())
    return 0;
  char dir[PATH_MAX];
  const char *slash = strrchr(p, '/');
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else if (slash == p)
    snprintf(dir, sizeof dir, "/");
  else
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - p), p);
  struct stat ds;
  if (stat(dir, &ds) != 0)
    return 0; /* p was just found in it: what follows fails the same way */
  return (ds.st_mode & S_ISVTX) && (ds.st_mode & S_IWOTH) && st->st_uid != ds.st_uid;
}

/* n letters and digits, unguessable where getrandom can say so: the name is
 * created exclusively anyway, this only keeps others from taking it first. */
static void random_name(char *s, size_t n)
{
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static unsigned counter;
  unsigned char r[16];
  if (n > sizeof r)
    n = sizeof r;
  if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)++counter * 0x9E3779B97F4A7C15u) ^ (uint64_t)getpid();
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      r[i] = (unsigned char)x;
    }
  }
  for (size_t i = 0; i < n; i++)
    s[i] = chars[r[i] % (sizeof chars - 1)];
  s[n] = 0;
}

/* The new file takes the place of old: its owner and group where we may give
 * them (root; a group we are in), its permission bits. A group it cannot have
 * gets no more than others get, so a replaced file is never opened wider. */
static void keep_owner_mode(int fd, const struct stat *old)
{
  struct stat now;
  if (fstat(fd, &now) != 0)
    return; /* stays 0600 */
  if (now.st_uid != old->st_uid || now.st_gid != old->st_gid) {
    if (fchown(fd, old->st_uid, old->st_gid) != 0 && fchown(fd, (uid_t)-1, old->st_gid) != 0) {
      /* EPERM: not root and not in its group; handled by the mode below */
    }
    if (fstat(fd, &now) != 0)
      return;
  }
  mode_t mode = old->st_mode & 0777;
  if (now.st_gid != old->st_gid)
    mode = (mode & ~(mode_t)070) | ((mode & 07) << 3);
  if (fchmod(fd, mode) != 0) {
    /* stays 0600 */
  }
}

/* Opens the temporary beside final, which replaces old (NULL: a new file). */
static int open_tmp(bv_out *o, const char *final, const struct stat *old)
{
  size_t n = strlen(final) + 48;
  o->final = strdup(final);
  o->tmp = malloc(n);
  if (!o->final || !o->tmp)
    return bv_error_set(BV_ENOMEM, "out of memory");
  /* a file being replaced may be private: 0600 until it has its owner */
  mode_t mode = old ? 0600 : 0666;
  int fd = -1, e = EEXIST;
  for (int tries = 0; fd < 0 && e == EEXIST && tries < 100; tries++) {
    char name[7];
    random_name(name, 6);
    snprintf(o->tmp, n, "%s.tmp-%ld-%s", final, (long)getpid(), name);
    fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    e = errno;
  }
  if (fd < 0) {
    free(o->tmp);
    o->tmp = NULL;
    return fail_path(o->path, e);
  }
  o->fd = fd;
  pending_add(o->tmp);
  if (old)
    keep_owner_mode(fd, old);
  return 0;
}

/* Opens p to write through it: no O_CREAT, no O_TRUNC. O_NONBLOCK so that a
 * FIFO nobody reads is an error now instead of a wait without end (and a
 * serial line does not wait for its carrier); cleared once open. seen: what
 * lstat found at p, which must still be there (NULL: under /proc, followed). */
static int open_through(bv_out *o, const char *p, const struct stat *seen)
{
  int fd = open(p, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (seen ? O_NOFOLLOW : 0));
  if (fd < 0) {
    int e = errno;
    if (e == ENXIO && seen && S_ISFIFO(seen->st_mode))
      return bv_error_set(BV_EIO, "cannot write %s: a FIFO that no process has open for reading",
                          o->path);
    return fail_path(o->path, e);
  }
  struct stat st;
  int e = 0;
  if (fstat(fd, &st) != 0)
    e = errno;
  else if (S_ISDIR(st.st_mode))
    e = EISDIR;
  else if (seen && (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino))
    e = EAGAIN; /* replaced between the look and the open: look again next time */
  else {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
      e = errno;
  }
  if (e) {
    close(fd);
    return fail_path(o->path, e);
  }
  o->fd = fd;
  o->trunc = !seen && S_ISREG(st.st_mode);
  return 0;
}

/* Descriptor n of this process, shared (a dup), as a shell redirection to
 * /dev/stdout shares it: a pipe, a terminal, or a file the shell opened and
 * perhaps truncated or set to append. */
static int open_own_fd(bv_out *o, int n)
{
  int fl = fcntl(n, F_GETFL);
  if (fl < 0)
    return fail_path(o->path, errno);
  if ((fl & O_ACCMODE) == O_RDONLY || (fl & O_PATH))
    return bv_error_set(BV_EIO, "cannot write %s: descriptor %d is not open for writing", o->path,
                        n);
  int fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return fail_path(o->path, errno);
  o->fd = fd;
  return 0;
}

static int open_file(bv_out *o)
{
  char p[PATH_MAX];
  size_t len = strlen(o->path);
  if (len >= sizeof p)
    return fail_path(o->path, ENAMETOOLONG);
  memcpy(p, o->path, len + 1);
  for (int links = 0;; links++) {
    int n = own_fd(p);
    if (n >= 0)
      return open_own_fd(o, n);
    if (strncmp(p, "/proc/", 6) == 0)
      return open_through(o, p, NULL);
    struct stat st;
    if (lstat(p, &st) != 0) {
      if (errno == ENOENT)
        return open_tmp(o, p, NULL);
      return fail_path(o->path, errno);
    }
    if (foreign_in_sticky_dir(p, &st))
      return bv_error_set(BV_EIO,
                          "cannot write %s: %s belongs to another user in a sticky "
                          "world-writable directory",
                          o->path, strcmp(p, o->path) ? p : "it");
    if (S_ISREG(st.st_mode))
      return open_tmp(o, p, &st);
    if (S_ISDIR(st.st_mode))
      return fail_path(o->path, EISDIR);
    if (S_ISSOCK(st.st_mode))
      return bv_error_set(BV_EIO, "cannot write %s: a socket, not a file", o->path);
    if (!S_ISLNK(st.st_mode))
      return open_through(o, p, &st);
    /* A link another user owns could point us anywhere (root writing into a
       user's directory would replace /etc/shadow): only ours or root's are
       followed, wherever they are. */
    if (st.st_uid != geteuid() && st.st_uid != 0)
      return bv_error_set(BV_EIO,
                          "cannot write %s: %s is a symlink owned by another user (uid %lu); "
                          "write to its target instead",
                          o->path, strcmp(p, o->path) ? p : "it", (unsigned long)st.st_uid);
    /* a symlink: its target, relative to the link's directory */
    if (links == MAX_LINKS)
      return fail_path(o->path, ELOOP);
    char t[PATH_MAX];
    ssize_t k = readlink(p, t, sizeof t);
    if (k < 0)
      return fail_path(o->path, errno);
    if ((size_t)k >= sizeof t)
      return fail_path(o->path, ENAMETOOLONG);
    t[k] = 0;
    const char *slash = strrchr(p, '/');
    size_t dir = t[0] == '/' || !slash ? 0 : (size_t)(slash - p) + 1;
    if (dir + (size_t)k >= sizeof p)
      return fail_path(o->path, ENAMETOOLONG);
    memcpy(p + dir, t, (size_t)k + 1);
  }
}

int bv_out_open(const char *path, bv_out **out)
{
  *out = NULL;
  if (!path || !*path)
    return bv_error_set(BV_EINVAL, "empty output path");
  bv_out *o = out_new();
  if (!o)
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (strcmp(path, "-") == 0) {
    o->f = stdout;
    *out = o;
    return 0;
  }
  o->path = strdup(path);
  int rc = o->path ? open_file(o) : bv_error_set(BV_ENOMEM, "out of memory");
  if (rc) {
    bv_out_abort(o);
    return rc;
  }
  *out = o;
  return 0;
}

int bv_out_open_mem(bv_out **out)
{
  bv_out *o = out_new();
  if (!o)
    return bv_error_set(BV_ENOMEM, "out of memory");
  o->is_mem = 1;
  *out = o;
  return 0;
}

/* 0 or an errno. A descriptor shared with someone who made it non-blocking
 * (our stdout, say) may say EAGAIN: wait until it takes more. */
static int write_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        if (poll(&pf, 1, -1) < 0 && errno != EINTR)
          return errno;
        continue;
      }
      return errno;
    }
    if (k == 0)
      return EIO;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static int write_held(bv_out *o)
{
  int e = write_all(o->fd, o->mem.data, o->mem.len);
  o->mem.len = 0;
  if (o->mem.data)
    o->mem.data[0] = 0;
  return e;
}

int bv_out_write(bv_out *o, const void *p, size_t n)
{
  if (o->failed)
    return BV_EIO;
  if (o->is_mem)
    return bv_buf_put(&o->mem, p, n) ? (o->failed = 1, BV_ENOMEM) : 0;
  if (o->f) {
    if (n && fwrite(p, 1, n, o->f) != n) {
      o->failed = 1;
      return bv_error_set(BV_EIO, "cannot write standard output: %s", strerror(errno));
    }
    return 0;
  }
  int e = 0;
  if (o->tmp && o->mem.len + n > HOLD) {
    e = write_held(o);
    if (!e && n >= HOLD) {
      e = write_all(o->fd, p, n);
      n = 0;
    }
  }
  if (e) {
    o->failed = 1;
    return fail_path(o->path, e);
  }
  if (n && bv_buf_put(&o->mem, p, n)) {
    o->failed = 1;
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  return 0;
}
int bv_out_puts(bv_out *o, const char *s) { return bv_out_write(o, s, strlen(s)); }

int bv_out_buf(bv_out *o, const bv_buf *b) { return bv_out_write(o, b->data, b->len); }

int bv_out_printf(bv_out *o, const char *fmt, ...)
{
  char small[512];
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  int rc;
  if (n < 0)
    rc = bv_error_set(BV_EINVAL, "bad format");
  else if ((size_t)n < sizeof small)
    rc = bv_out_write(o, small, (size_t)n);
  else {
    char *big = malloc((size_t)n + 1);
    if (!big) {
      va_end(ap2);
      return bv_error_set(BV_ENOMEM, "out of memory");
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap2);
    rc = bv_out_write(o, big, (size_t)n);
    free(big);
  }
  va_end(ap2);
  return rc;
}

int bv_out_commit(bv_out *o)
{
  int rc = 0;
  if (!o)
    return bv_error_set(BV_EINVAL, "no output");
  if (o->is_mem) {
    rc = o->failed ? BV_ENOMEM : 0;
    bv_buf_dispose(&o->mem);
    free(o);
    return rc;
  }
  if (o->failed) {
    bv_out_abort(o);
    return BV_EIO;
  }
  if (o->f == stdout) {
    if (fflush(stdout) != 0)
      rc = bv_error_set(BV_EIO, "cannot write standard output: %s", strerror(errno));
    free(o);
    return rc;
  }
  int e = write_held(o);
  if (!e && o->trunc) {
    off_t end = lseek(o->fd, 0, SEEK_CUR);
    if (end < 0 || ftruncate(o->fd, end) != 0)
      e = errno;
  }
  int fd = o->fd;
  o->fd = -1;
  if (close(fd) != 0 && !e && errno != EINTR)
    e = errno;
  if (!e && o->tmp && rename(o->tmp, o->final) != 0)
    e = errno;
  if (e) {
    rc = fail_path(o->path, e);
    bv_out_abort(o);
    return rc;
  }
  if (o->tmp)
    pending_drop(o->tmp); /* after the rename: a signal in between finds no file */
  free(o->tmp);
  free(o->final);
  free(o->path);
  bv_buf_dispose(&o->mem);
  free(o);
  return 0;
}

/* What was held back for a file written through is dropped: it gets nothing. */
void bv_out_abort(bv_out *o)
{
  if (!o)
    return;
  if (o->fd >= 0)
    close(o->fd);
  if (o->tmp) {
    unlink(o->tmp);
    pending_drop(o->tmp);
  }
  free(o->tmp);
  free(o->final);
  free(o->path);
  bv_buf_dispose(&o->mem);
  free(o);
}

const char *bv_out_mem(const bv_out *o, size_t *len)
{
  if (len)
    *len = o->is_mem ? o->mem.len : 0;
  return o->is_mem ? (o->mem.data ? o->mem.data : "") : NULL;
}

const char *bv_out_path(const bv_out *o) { return o->path ? o->path : "-"; }

/* --- formats ------------------------------------------------------------- */

static const struct {
  bv_format f;
  const char *name;
  const char *ext;
} formats[] = {
    {BV_FMT_VEGALITE, "vega-lite", ".vl.json"}, {BV_FMT_JSON, "json", ".json"},
    {BV_FMT_CSV, "csv", ".csv"},                {BV_FMT_MERMAID, "mermaid", ".mmd"},
    {BV_FMT_MD, "md", ".md"},                   {BV_FMT_TEXT, "text", ".txt"},
    {BV_FMT_PNG, "png", ".png"},                {BV_FMT_SVG, "svg", ".svg"},
    {BV_FMT_PDF, "pdf", ".pdf"},
};

bv_format bv_format_from_name(const char *name)
{
  if (!name)
    return BV_FMT_NONE;
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
    if (strcmp(name, formats[i].name) == 0)
      return formats[i].f;
  if (strcmp(name, "vl") == 0 || strcmp(name, "vegalite") == 0)
    return BV_FMT_VEGALITE;
  if (strcmp(name, "mmd") == 0)
    return BV_FMT_MERMAID;
  if (strcmp(name, "txt") == 0)
    return BV_FMT_TEXT;
  return BV_FMT_NONE;
}

bv_format bv_format_from_path(const char *path)
{
  if (!path)
    return BV_FMT_NONE;
  size_t n = strlen(path);
  /* formats[] lists .vl.json before .json so the longer suffix wins */
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    size_t e = strlen(formats[i].ext);
    if (n > e && strcmp(path + n - e, formats[i].ext) == 0)
      return formats[i].f;
  }
  return BV_FMT_NONE;
}

const char *bv_format_name(bv_format f)
{
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
    if (formats[i].f == f)
      return formats[i].name;
  return "none";
}
