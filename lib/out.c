/* out.c: outputs that never leave half a file: written to a temporary name
 * beside the target and renamed on commit. Also stdout ("-") and memory. */
#include "beamviz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  FILE *f;         /* file or stdout; NULL for memory */
  char *path;      /* final path, NULL for stdout/memory */
  char *tmp;       /* temporary path */
  bv_buf mem;
  int is_mem;
  int failed;
};

int bv_out_open(const char *path, bv_out **out)
{
  *out = NULL;
  if (!path || !*path)
    return bv_error_set(BV_EINVAL, "empty output path");
  bv_out *o = calloc(1, sizeof *o);
  if (!o)
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (strcmp(path, "-") == 0) {
    o->f = stdout;
    *out = o;
    return 0;
  }
  size_t n = strlen(path);
  o->path = strdup(path);
  o->tmp = malloc(n + 32);
  if (!o->path || !o->tmp) {
    bv_out_abort(o);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  snprintf(o->tmp, n + 32, "%s.tmp-%ld-XXXXXX", path, (long)getpid());
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    bv_out_abort(o);
    return bv_error_set(BV_EIO, "cannot write %s: %s", path, strerror(e));
  }
  pending_add(o->tmp);
  fchmod(fd, 0644);
  o->f = fdopen(fd, "wb");
  if (!o->f) {
    close(fd);
    bv_out_abort(o);
    return bv_error_set(BV_EIO, "cannot write %s: %s", path, strerror(errno));
  }
  setvbuf(o->f, NULL, _IOFBF, 1 << 16);
  *out = o;
  return 0;
}

int bv_out_open_mem(bv_out **out)
{
  bv_out *o = calloc(1, sizeof *o);
  if (!o)
    return bv_error_set(BV_ENOMEM, "out of memory");
  o->is_mem = 1;
  bv_buf_init(&o->mem);
  *out = o;
  return 0;
}

int bv_out_write(bv_out *o, const void *p, size_t n)
{
  if (o->failed)
    return BV_EIO;
  if (o->is_mem)
    return bv_buf_put(&o->mem, p, n) ? (o->failed = 1, BV_ENOMEM) : 0;
  if (n && fwrite(p, 1, n, o->f) != n) {
    o->failed = 1;
    return bv_error_set(BV_EIO, "cannot write %s: %s", o->path ? o->path : "standard output",
                        strerror(errno));
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
  if (fflush(o->f) != 0 || ferror(o->f)) {
    rc = bv_error_set(BV_EIO, "cannot write %s: %s", o->path, strerror(errno));
    bv_out_abort(o);
    return rc;
  }
  FILE *f = o->f;
  o->f = NULL;
  if (fclose(f) != 0) {
    rc = bv_error_set(BV_EIO, "cannot write %s: %s", o->path, strerror(errno));
    bv_out_abort(o);
    return rc;
  }
  if (rename(o->tmp, o->path) != 0) {
    rc = bv_error_set(BV_EIO, "cannot write %s: %s", o->path, strerror(errno));
    bv_out_abort(o);
    return rc;
  }
  pending_drop(o->tmp); /* after the rename: a signal in between finds no file */
  free(o->tmp);
  free(o->path);
  free(o);
  return 0;
}

void bv_out_abort(bv_out *o)
{
  if (!o)
    return;
  if (o->f && o->f != stdout)
    fclose(o->f);
  if (o->tmp) {
    unlink(o->tmp);
    pending_drop(o->tmp);
  }
  free(o->tmp);
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
