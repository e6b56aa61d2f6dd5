/* jsonin.c: JSON files from the user. One pass checks the whole text against
 * RFC 8259 and builds an index of its values: 16 bytes a value, pointing into
 * the text, children right after their container, each linked to its next
 * sibling. Strings and numbers are decoded only when a loader asks for them.
 * A general JSON tree (cJSON's: a 64-byte node and a key copy per value, one
 * malloc each) took 40 times the file for arrays of small elements; this index
 * is bounded by a budget proportional to the file (see jsonin.h). */
#include "util/jsonin.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct jnode {
  const char *p; /* first byte of the value in the text */
  uint32_t next; /* nodes from this one to its next sibling; 0 = the last */
  uint32_t n;    /* arrays, objects: elements or members; strings: bytes between the
                    quotes; numbers: bytes of the number; else 0 */
} jnode;

struct bv_jdoc {
  const char *text;
  size_t len;
  jnode *nodes;
  size_t n, cap, max;
  char *name;
};

#define NODE(v) ((const jnode *)(const void *)(v))
#define JV(c) ((const bv_jv *)(const void *)(c))
#define NONE UINT32_MAX

/* Nodes visited by walks over containers (the counted-operations hook). */
static _Thread_local uint64_t steps;

uint64_t bv_jv_steps(void) { return steps; }

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* --- parsing -------------------------------------------------------------- */

/* A string at t[*i] == '"': on success *i is past the closing quote; on error
 * at the offending byte (len at the end of the text). */
static int scan_string(const char *t, size_t len, size_t *i)
{
  size_t k = *i + 1;
  for (;;) {
    while (k < len && (unsigned char)t[k] >= 0x20 && t[k] != '"' && t[k] != '\\')
      k++;
    if (k >= len)
      break;
    if (t[k] == '"') {
      *i = k + 1;
      return 0;
    }
    if (t[k] != '\\') { /* a raw control character */
      *i = k;
      return -1;
    }
    if (k + 1 >= len) {
      k = len;
      break;
    }
    char e = t[k + 1];
    if (e == 'u') {
      for (size_t h = 2; h < 6; h++)
        if (k + h >= len || !is_hex(t[k + h])) {
          *i = k + h < len ? k + h : len;
          return -1;
        }
      k += 6;
    } else if (e && strchr("\"\\/bfnrt", e)) {
      k += 2;
    } else {
      *i = k + 1;
      return -1;
    }
  }
  *i = len;
  return -1;
}

static int scan_number(const char *t, size_t len, size_t *i)
{
  size_t k = *i;
  if (t[k] == '-')
    k++;
  if (k >= len || !is_digit(t[k]))
    goto bad;
  if (t[k] == '0')
    k++;
  else
    while (k < len && is_digit(t[k]))
      k++;
  if (k < len && t[k] == '.') {
    if (++k >= len || !is_digit(t[k]))
      goto bad;
    while (k < len && is_digit(t[k]))
      k++;
  }
  if (k < len && (t[k] == 'e' || t[k] == 'E')) {
    k++;
    if (k < len && (t[k] == '+' || t[k] == '-'))
      k++;
    if (k >= len || !is_digit(t[k]))
      goto bad;
    while (k < len && is_digit(t[k]))
      k++;
  }
  *i = k;
  return 0;
bad:
  *i = k;
  return -1;
}

static int add_node(bv_jdoc *d, size_t at, uint32_t *idx)
{
  if (d->n == d->cap) {
    if (d->cap == d->max)
      return bv_error_set(BV_EFORMAT,
                          "%s: not a beamviz model file (too many JSON values for a file of %zu "
                          "bytes)",
                          d->name, d->len);
    size_t cap = d->cap ? d->cap * 2 : 1024;
    if (cap > d->max)
      cap = d->max;
    jnode *nn = realloc(d->nodes, cap * sizeof *nn);
    if (!nn)
      return bv_error_set(BV_ENOMEM, "out of memory reading %s", d->name);
    d->nodes = nn;
    d->cap = cap;
  }
  jnode *x = &d->nodes[d->n];
  x->p = d->text + at;
  x->next = 0;
  x->n = 0;
  *idx = (uint32_t)d->n++;
  return 0;
}

static int syntax_error(const bv_jdoc *d, size_t off)
{
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off && i < d->len; i++) {
    if (d->text[i] == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  if (off >= d->len)
    return bv_error_set(BV_EFORMAT, "%s: not valid JSON (cut short at line %zu, column %zu)",
                        d->name, line, col);
  return bv_error_set(BV_EFORMAT, "%s: not valid JSON (line %zu, column %zu)", d->name, line,
                      col);
}

typedef struct frame {
  uint32_t node, last; /* the open container, its latest child (NONE before the first) */
} frame;

/* Checks the text and fills d->nodes, in one pass without recursion. */
static int build(bv_jdoc *d)
{
  const char *t = d->text;
  size_t len = d->len, i = 0;
  frame st[BV_JSON_MAX_DEPTH];
  size_t depth = 0;
  enum { VALUE, MEMBER, AFTER } want = VALUE;
  int rc;
  while (i < len && is_ws(t[i]))
    i++;
  for (;;) {
    if (want == MEMBER) { /* "key" : then a value */
      if (i >= len || t[i] != '"' || scan_string(t, len, &i))
        return syntax_error(d, i);
      while (i < len && is_ws(t[i]))
        i++;
      if (i >= len || t[i] != ':')
        return syntax_error(d, i);
      i++;
      while (i < len && is_ws(t[i]))
        i++;
      want = VALUE;
    }
    if (want == VALUE) {
      if (i >= len)
        return syntax_error(d, i);
      uint32_t idx = 0;
      if ((rc = add_node(d, i, &idx)))
        return rc;
      if (depth) {
        frame *f = &st[depth - 1];
        if (f->last != NONE)
          d->nodes[f->last].next = idx - f->last;
        f->last = idx;
        d->nodes[f->node].n++;
      }
      char c = t[i];
      size_t start = i;
      if (c == '{' || c == '[') {
        if (depth == BV_JSON_MAX_DEPTH)
          return bv_error_set(BV_EFORMAT, "%s: not valid JSON (nested deeper than %d levels)",
                              d->name, BV_JSON_MAX_DEPTH);
        st[depth].node = idx;
        st[depth].last = NONE;
        depth++;
        i++;
        while (i < len && is_ws(t[i]))
          i++;
        if (i < len && t[i] == (c == '{' ? '}' : ']')) {
          depth--;
          i++;
          want = AFTER;
        } else {
          want = c == '{' ? MEMBER : VALUE;
        }
        continue;
      }
      if (c == '"') {
        if (scan_string(t, len, &i))
          return syntax_error(d, i);
        d->nodes[idx].n = (uint32_t)(i - start - 2);
      } else if (c == '-' || is_digit(c)) {
        if (scan_number(t, len, &i))
          return syntax_error(d, i);
        d->nodes[idx].n = (uint32_t)(i - start);
      } else {
        const char *lit = c == 't' ? "true" : c == 'f' ? "false" : c == 'n' ? "null" : NULL;
        size_t k = 0;
        while (lit && lit[k] && i + k < len && t[i + k] == lit[k])
          k++;
        if (!lit || lit[k])
          return syntax_error(d, lit && i + k >= len ? len : i);
        i += k;
      }
      want = AFTER;
    }
    /* after a value: the end, a comma or the container's close */
    while (i < len && is_ws(t[i]))
      i++;
    if (!depth)
      return i == len ? 0 : syntax_error(d, i);
    if (i >= len)
      return syntax_error(d, i);
    int obj = *d->nodes[st[depth - 1].node].p == '{';
    if (t[i] == ',') {
      i++;
      while (i < len && is_ws(t[i]))
        i++;
      want = obj ? MEMBER : VALUE;
    } else if (t[i] == (obj ? '}' : ']')) {
      depth--;
      i++;
      want = AFTER;
    } else {
      return syntax_error(d, i);
    }
  }
}

int bv_jdoc_parse(const char *name, const char *data, size_t len, bv_jdoc **out)
{
  *out = NULL;
  if (len == 0)
    return bv_error_set(BV_EFORMAT, "%s: empty file, not a beamviz JSON file", name);
  if (len > UINT32_MAX)
    return bv_error_set(BV_EFORMAT, "%s: larger than 4 GiB, not a beamviz model file", name);
  bv_jdoc *d = calloc(1, sizeof *d);
  if (!d || !(d->name = strdup(name))) {
    free(d);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }
  d->text = data;
  d->len = len;
  d->max = (BV_JSON_INDEX_PER_BYTE * len + BV_JSON_INDEX_FLOOR) / sizeof(jnode);
  int rc = build(d);
  if (rc) {
    bv_jdoc_free(d);
    return rc;
  }
  *out = d;
  return 0;
}

void bv_jdoc_free(bv_jdoc *d)
{
  if (!d)
    return;
  free(d->nodes);
  free(d->name);
  free(d);
}

const bv_jv *bv_jdoc_root(const bv_jdoc *d) { return JV(d->nodes); }
const char *bv_jdoc_name(const bv_jdoc *d) { return d->name; }
size_t bv_jdoc_index_bytes(const bv_jdoc *d) { return d->n * sizeof(jnode); }

/* --- values --------------------------------------------------------------- */

static char type_of(const bv_jv *v) { return v ? *NODE(v)->p : 0; }

int bv_jv_is_obj(const bv_jv *v) { return type_of(v) == '{'; }
int bv_jv_is_arr(const bv_jv *v) { return type_of(v) == '['; }
int bv_jv_is_null(const bv_jv *v) { return !v || type_of(v) == 'n'; }
static int is_str(const bv_jv *v) { return type_of(v) == '"'; }
static int is_num(const bv_jv *v) { return type_of(v) == '-' || is_digit(type_of(v)); }

static const jnode *first_child(const jnode *c) { return c->n ? c + 1 : NULL; }

static const jnode *sibling(const jnode *c)
{
  steps++;
  return c->next ? c + c->next : NULL;
}

static uint32_t hex4(const char *h)
{
  uint32_t v = 0;
  for (int k = 0; k < 4; k++)
    v = v << 4 | (uint32_t)(is_digit(h[k]) ? h[k] - '0' : (h[k] | 0x20) - 'a' + 10);
  return v;
}

/* Decodes a string's body raw[0..rlen) (checked by the parser) into out, which
 * has room for rlen bytes: the text never grows. Lone surrogates become
 * U+FFFD. Returns the length, or -1 for a \u0000 (no C string can hold it). */
static long decode(const char *raw, size_t rlen, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < rlen;) {
    if (raw[i] != '\\') {
      out[o++] = raw[i++];
      continue;
    }
    char e = raw[i + 1];
    i += 2;
    if (e != 'u') {
      static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
      out[o++] = to[strchr(from, e) - from];
      continue;
    }
    uint32_t cp = hex4(raw + i);
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= rlen && raw[i] == '\\' && raw[i + 1] == 'u') {
      uint32_t lo = hex4(raw + i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 6;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
      cp = 0xFFFD;
    if (cp == 0)
      return -1;
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else if (cp < 0x800) {
      out[o++] = (char)(0xC0 | (cp >> 6));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[o++] = (char)(0xE0 | (cp >> 12));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[o++] = (char)(0xF0 | (cp >> 18));
      out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    }
  }
  return (long)o;
}

/* The key of an object member: the string before the ':' before its value.
 * The parser checked the text, so the walk back stays inside it. */
static void member_key(const jnode *m, const char **key, size_t *klen)
{
  const char *q = m->p - 1;
  while (is_ws(*q))
    q--;
  q--; /* the ':' */
  while (is_ws(*q))
    q--;
  const char *close = q, *b = q - 1;
  for (;; b--) {
    if (*b != '"')
      continue;
    size_t bs = 0; /* a quote inside a string is escaped: an odd run of backslashes */
    while (b[-1 - (ptrdiff_t)bs] == '\\')
      bs++;
    if (!(bs & 1))
      break;
  }
  *key = b + 1;
  *klen = (size_t)(close - b - 1);
}

static int key_eq(const char *raw, size_t rlen, const char *key, size_t klen)
{
  if (!memchr(raw, '\\', rlen))
    return rlen == klen && memcmp(raw, key, klen) == 0;
  /* an escape decodes to at least one byte per 6 of text */
  if (rlen > 6 * klen)
    return 0;
  char small[256], *buf = rlen <= sizeof small ? small : malloc(rlen);
  if (!buf)
    return 0;
  long n = decode(raw, rlen, buf);
  int eq = n >= 0 && (size_t)n == klen && memcmp(buf, key, klen) == 0;
  if (buf != small)
    free(buf);
  return eq;
}

const bv_jv *bv_jv_get(const bv_jv *obj, const char *key)
{
  if (!bv_jv_is_obj(obj))
    return NULL;
  size_t klen = strlen(key);
  for (const jnode *m = first_child(NODE(obj)); m; m = sibling(m)) {
    const char *raw;
    size_t rlen;
    member_key(m, &raw, &rlen);
    if (key_eq(raw, rlen, key, klen))
      return JV(m);
  }
  return NULL;
}

size_t bv_jv_len(const bv_jv *arr) { return bv_jv_is_arr(arr) ? NODE(arr)->n : 0; }

const bv_jv *bv_jv_at(const bv_jv *arr, size_t i)
{
  if (!bv_jv_is_arr(arr) || i >= NODE(arr)->n)
    return NULL;
  const jnode *e = first_child(NODE(arr));
  while (i--)
    e = sibling(e);
  return JV(e);
}

void bv_jv_iter(const bv_jv *arr, bv_jit *it)
{
  it->next = bv_jv_is_arr(arr) ? (const void *)first_child(NODE(arr)) : NULL;
}

const bv_jv *bv_jv_next(bv_jit *it)
{
  const jnode *e = it->next;
  if (e)
    it->next = sibling(e);
  return JV(e);
}

int bv_jv_fail(const bv_jdoc *d, const char *path, const char *detail)
{
  return bv_error_set(BV_EFORMAT, "%s: %s: %s", d->name, path, detail);
}

int bv_jv_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a, const char **out)
{
  if (!is_str(v))
    return bv_jv_fail(d, path, v ? "expected a string" : "missing");
  const jnode *s = NODE(v);
  char *buf = bv_arena_alloc(a, (size_t)s->n + 1);
  if (!buf)
    return bv_error_set(BV_ENOMEM, "out of memory");
  long n = decode(s->p + 1, s->n, buf);
  if (n < 0)
    return bv_jv_fail(d, path, "a string with \\u0000 in it");
  buf[n] = 0;
  *out = buf;
  return 0;
}

int bv_jv_opt_str(const bv_jdoc *d, const bv_jv *v, const char *path, bv_arena *a,
                  const char **out)
{
  if (bv_jv_is_null(v))
    return 0;
  return bv_jv_str(d, v, path, a, out);
}

/* The number's value as strtod reads it (the C locale: beamviz never sets one). */
static int num_of(const bv_jdoc *d, const bv_jv *v, const char *path, double *x)
{
  if (!is_num(v))
    return bv_jv_fail(d, path, v ? "expected a number" : "missing");
  const jnode *nd = NODE(v);
  /* most numbers in model files are small integers: exact without strtod */
  if (nd->n <= 16) {
    size_t k = nd->p[0] == '-';
    uint64_t u = 0;
    while (k < nd->n && is_digit(nd->p[k]))
      u = u * 10 + (uint64_t)(nd->p[k++] - '0');
    if (k == nd->n) {
      *x = nd->p[0] == '-' ? -(double)u : (double)u;
      return 0;
    }
  }
  char small[64], *buf = nd->n < sizeof small ? small : malloc((size_t)nd->n + 1);
  if (!buf)
    return bv_error_set(BV_ENOMEM, "out of memory");
  memcpy(buf, nd->p, nd->n);
  buf[nd->n] = 0;
  *x = strtod(buf, NULL);
  if (buf != small)
    free(buf);
  return 0;
}

int bv_jv_u64(const bv_jdoc *d, const bv_jv *v, const char *path, uint64_t *out)
{
  double x;
  int rc = num_of(d, v, path, &x);
  if (rc)
    return rc;
  if (!(x >= 0) || x > 18446744073709549568.0 || x != floor(x))
    return bv_jv_fail(d, path, "expected a non-negative integer");
  *out = (uint64_t)x;
  return 0;
}

int bv_jv_i64(const bv_jdoc *d, const bv_jv *v, const char *path, int64_t *out)
{
  double x;
  int rc = num_of(d, v, path, &x);
  if (rc)
    return rc;
  if (!(x >= -9.2e18 && x <= 9.2e18) || x != floor(x))
    return bv_jv_fail(d, path, "expected an integer");
  *out = (int64_t)x;
  return 0;
}

int bv_jv_bool(const bv_jdoc *d, const bv_jv *v, const char *path, int *out)
{
  if (type_of(v) != 't' && type_of(v) != 'f')
    return bv_jv_fail(d, path, v ? "expected true or false" : "missing");
  *out = type_of(v) == 't';
  return 0;
}

int bv_jv_obj(const bv_jdoc *d, const bv_jv *v, const char *path)
{
  return bv_jv_is_obj(v) ? 0 : bv_jv_fail(d, path, v ? "expected an object" : "missing");
}

int bv_jv_arr(const bv_jdoc *d, const bv_jv *v, const char *path, size_t max)
{
  if (!bv_jv_is_arr(v))
    return bv_jv_fail(d, path, v ? "expected an array" : "missing");
  if (max && bv_jv_len(v) > max)
    return bv_jv_fail(d, path, "too many elements");
  return 0;
}
