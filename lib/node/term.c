/* term.c: the one bounds-checked reader of Erlang's external term format.
 * ei_decode_* take no buffer length, so beamviz decodes node bytes here and
 * nowhere else. Every length read from the input is checked against what is
 * left before anything is allocated; nesting depth is capped. A byte on the
 * wire can cost 56 decoded ([] in a list is one byte and one bv_term), so
 * every allocation is also charged, before it is made, against a budget of
 * decoded bytes for the whole message. */
#include "node/node.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

/* A message repeats the same few atoms (a node name in every pid, a status
 * in every row): a small direct-mapped cache, keyed by the encoded bytes,
 * hands out the text decoded the first time instead of a new copy. */
#define ATOM_CACHE 64

typedef struct atom_slot {
  const unsigned char *src; /* the encoded text inside the input */
  const char *s;            /* its decoded UTF-8 text in the arena */
  uint32_t n, outn;
  int latin1;
} atom_slot;

typedef struct rd {
  bv_arena *a;
  const unsigned char *p;
  size_t len, off;
  size_t budget, left; /* decoded bytes allowed, and not yet charged */
  atom_slot cache[ATOM_CACHE];
} rd;

static int fail(const rd *r, const char *what)
{
  return bv_error_set(BV_ETERM, "malformed term from node at byte %zu: %s", r->off, what);
}

static int need(const rd *r, size_t n)
{
  return r->len - r->off >= n ? 0 : fail(r, "truncated");
}

/* Charges an allocation of n bytes as the arena hands it out (rounded up to
 * its 16-byte alignment), before it is made. */
static int charge(rd *r, size_t n)
{
  size_t c = (n + 15) & ~(size_t)15;
  if (c >= n && c <= r->left) {
    r->left -= c;
    return 0;
  }
  if (r->budget >= 1024 * 1024)
    return bv_error_set(BV_ETERM,
                        "term from node too large at byte %zu: decoding it takes more than "
                        "%zu MB, the cap on one message",
                        r->off, r->budget / (1024 * 1024));
  return bv_error_set(BV_ETERM,
                      "term from node too large at byte %zu: decoding it takes more than "
                      "%zu bytes, the cap on one message",
                      r->off, r->budget);
}

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int decode(rd *r, bv_term *t, int depth);

/* Atom text: Latin-1 atoms are widened to UTF-8 so every atom is UTF-8. */
static int read_atom_text(rd *r, size_t n, int latin1, const char **s, uint32_t *outn)
{
  if (need(r, n))
    return BV_ETERM;
  const unsigned char *src = r->p + r->off;
  /* a cheap key (length, first, middle and last byte); memcmp decides */
  uint32_t h = (uint32_t)n * 2654435761u ^ (uint32_t)latin1;
  if (n)
    h += (uint32_t)src[0] * 31u + (uint32_t)src[n / 2] * 131u + (uint32_t)src[n - 1] * 7919u;
  atom_slot *slot = &r->cache[(h ^ h >> 16) & (ATOM_CACHE - 1)];
  if (slot->src && slot->n == n && slot->latin1 == latin1 && memcmp(slot->src, src, n) == 0) {
    *s = slot->s;
    *outn = slot->outn;
    r->off += n;
    return 0;
  }
  size_t extra = 0;
  if (latin1)
    for (size_t i = 0; i < n; i++)
      extra += src[i] >= 0x80;
  if (charge(r, n + extra + 1))
    return BV_ETERM;
  char *d = bv_arena_alloc(r->a, n + extra + 1);
  if (!d)
    return bv_error_set(BV_ENOMEM, "out of memory decoding term");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = src[i];
    if (latin1 && c >= 0x80) {
      d[k++] = (char)(0xC0 | (c >> 6));
      d[k++] = (char)(0x80 | (c & 0x3F));
    } else {
      d[k++] = (char)c;
    }
  }
  d[k] = 0;
  *s = d;
  *outn = (uint32_t)k;
  r->off += n;
  slot->src = src;
  slot->n = (uint32_t)n;
  slot->latin1 = latin1;
  slot->s = d;
  slot->outn = (uint32_t)k;
  return 0;
}

/* A node name inside a pid/port/ref: any atom encoding. */
static int read_node(rd *r, const char **node, int depth)
{
  bv_term t;
  int rc = decode(r, &t, depth + 1);
  if (rc)
    return rc;
  if (t.type != BV_T_ATOM)
    return fail(r, "node name is not an atom");
  *node = t.v.s;
  return 0;
}

static int alloc_items(rd *r, bv_term *t, uint64_t count, size_t min_bytes_each)
{
  if (count > (r->len - r->off) / (min_bytes_each ? min_bytes_each : 1))
    return fail(r, "element count larger than the data");
  /* a size past SIZE_MAX (a 32-bit size_t) is charged as SIZE_MAX: refused */
  size_t bytes = count > SIZE_MAX / sizeof(bv_term) ? SIZE_MAX : (size_t)count * sizeof(bv_term);
  if (count && charge(r, bytes))
    return BV_ETERM;
  t->v.items = count ? bv_arena_alloc(r->a, (size_t)count * sizeof(bv_term)) : NULL;
  if (count && !t->v.items)
    return bv_error_set(BV_ENOMEM, "out of memory decoding term");
  return 0;
}

static int decode(rd *r, bv_term *t, int depth)
{
  int rc;
  memset(t, 0, sizeof *t);
  if (depth > MAX_DEPTH)
    return fail(r, "nested too deeply");
  if (need(r, 1))
    return BV_ETERM;
  size_t start = r->off;
  unsigned tag = r->p[r->off++];
  switch (tag) {
  case 97: /* SMALL_INTEGER_EXT */
    if (need(r, 1))
      return BV_ETERM;
    t->type = BV_T_INT;
    t->v.i = r->p[r->off++];
    break;
  case 98: /* INTEGER_EXT */
    if (need(r, 4))
      return BV_ETERM;
    t->type = BV_T_INT;
    t->v.i = (int32_t)be32(r->p + r->off);
    r->off += 4;
    break;
  case 70: { /* NEW_FLOAT_EXT */
    if (need(r, 8))
      return BV_ETERM;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
      bits = bits << 8 | r->p[r->off + i];
    memcpy(&t->v.f, &bits, 8);
    t->type = BV_T_FLOAT;
    r->off += 8;
    break;
  }
  case 99: { /* FLOAT_EXT: 31 bytes of printed float */
    if (need(r, 31))
      return BV_ETERM;
    char tmp[32];
    memcpy(tmp, r->p + r->off, 31);
    tmp[31] = 0;
    t->type = BV_T_FLOAT;
    t->v.f = strtod(tmp, NULL);
    r->off += 31;
    break;
  }
  case 110:   /* SMALL_BIG_EXT */
  case 111: { /* LARGE_BIG_EXT */
    size_t n;
    if (tag == 110) {
      if (need(r, 1))
        return BV_ETERM;
      n = r->p[r->off++];
    } else {
      if (need(r, 4))
        return BV_ETERM;
      n = be32(r->p + r->off);
      r->off += 4;
    }
    if (need(r, 1) || (r->off++, need(r, n)))
      return BV_ETERM;
    int neg = r->p[r->off - 1] != 0;
    const unsigned char *d = r->p + r->off;
    uint64_t u = 0;
    int fits = 1;
    for (size_t i = n; i-- > 0;) {
      if (i >= 8 && d[i]) {
        fits = 0;
        break;
      }
    }
    if (fits) {
      for (size_t i = n < 8 ? n : 8; i-- > 0;)
        u = u << 8 | d[i];
      if (!neg && u <= (uint64_t)INT64_MAX) {
        t->type = BV_T_INT;
        t->v.i = (int64_t)u;
      } else if (neg && u <= (uint64_t)INT64_MAX + 1) {
        t->type = BV_T_INT;
        t->v.i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
      } else {
        t->type = BV_T_BIG;
        t->v.f = neg ? -(double)u : (double)u;
      }
    } else {
      double f = 0;
      for (size_t i = n; i-- > 0;)
        f = f * 256.0 + d[i];
      t->type = BV_T_BIG;
      t->v.f = neg ? -f : f;
    }
    r->off += n;
    break;
  }
  case 100: /* ATOM_EXT (Latin-1) */
  case 118: /* ATOM_UTF8_EXT */
    if (need(r, 2))
      return BV_ETERM;
    r->off += 2;
    t->type = BV_T_ATOM;
    if ((rc = read_atom_text(r, be16(r->p + r->off - 2), tag == 100, &t->v.s, &t->n)))
      return rc;
    break;
  case 115: /* SMALL_ATOM_EXT (Latin-1) */
  case 119: /* SMALL_ATOM_UTF8_EXT */
    if (need(r, 1))
      return BV_ETERM;
    r->off += 1;
    t->type = BV_T_ATOM;
    if ((rc = read_atom_text(r, r->p[r->off - 1], tag == 115, &t->v.s, &t->n)))
      return rc;
    break;
  case 104: /* SMALL_TUPLE_EXT */
  case 105: { /* LARGE_TUPLE_EXT */
    uint64_t n;
    if (tag == 104) {
      if (need(r, 1))
        return BV_ETERM;
      n = r->p[r->off++];
    } else {
      if (need(r, 4))
        return BV_ETERM;
      n = be32(r->p + r->off);
      r->off += 4;
    }
    t->type = BV_T_TUPLE;
    if ((rc = alloc_items(r, t, n, 1)))
      return rc;
    t->n = (uint32_t)n;
    for (uint64_t i = 0; i < n; i++)
      if ((rc = decode(r, &t->v.items[i], depth + 1)))
        return rc;
    break;
  }
  case 106: /* NIL_EXT */
    t->type = BV_T_NIL;
    break;
  case 107: { /* STRING_EXT */
    if (need(r, 2))
      return BV_ETERM;
    size_t n = be16(r->p + r->off);
    r->off += 2;
    if (need(r, n))
      return BV_ETERM;
    t->type = BV_T_STRING;
    if (charge(r, n + 1))
      return BV_ETERM;
    t->v.s = bv_arena_strndup(r->a, (const char *)r->p + r->off, n);
    if (!t->v.s)
      return bv_error_set(BV_ENOMEM, "out of memory decoding term");
    t->n = (uint32_t)n;
    r->off += n;
    break;
  }
  case 108: { /* LIST_EXT */
    if (need(r, 4))
      return BV_ETERM;
    uint64_t n = be32(r->p + r->off);
    r->off += 4;
    t->type = BV_T_LIST;
    if ((rc = alloc_items(r, t, n, 1)))
      return rc;
    t->n = (uint32_t)n;
    for (uint64_t i = 0; i < n; i++)
      if ((rc = decode(r, &t->v.items[i], depth + 1)))
        return rc;
    bv_term tail;
    if ((rc = decode(r, &tail, depth + 1)))
      return rc;
    if (tail.type != BV_T_NIL) {
      if (charge(r, sizeof(bv_term)))
        return BV_ETERM;
      t->tail = bv_arena_alloc(r->a, sizeof(bv_term));
      if (!t->tail)
        return bv_error_set(BV_ENOMEM, "out of memory decoding term");
      *t->tail = tail;
    }
    break;
  }
  case 109: { /* BINARY_EXT */
    if (need(r, 4))
      return BV_ETERM;
    size_t n = be32(r->p + r->off);
    r->off += 4;
    if (need(r, n))
      return BV_ETERM;
    t->type = BV_T_BINARY;
    if (charge(r, n + 1))
      return BV_ETERM;
    t->v.s = bv_arena_strndup(r->a, (const char *)r->p + r->off, n);
    if (!t->v.s)
      return bv_error_set(BV_ENOMEM, "out of memory decoding term");
    t->n = (uint32_t)n;
    r->off += n;
    break;
  }
  case 77: { /* BIT_BINARY_EXT */
    if (need(r, 5))
      return BV_ETERM;
    size_t n = be32(r->p + r->off);
    r->off += 5;
    if (need(r, n))
      return BV_ETERM;
    t->type = BV_T_BITS;
    t->n = (uint32_t)n;
    r->off += n;
    break;
  }
  case 116: { /* MAP_EXT */
    if (need(r, 4))
      return BV_ETERM;
    uint64_t n = be32(r->p + r->off);
    r->off += 4;
    t->type = BV_T_MAP;
    if ((rc = alloc_items(r, t, n * 2, 1)))
      return rc;
    t->n = (uint32_t)n;
    for (uint64_t i = 0; i < n * 2; i++)
      if ((rc = decode(r, &t->v.items[i], depth + 1)))
        return rc;
    break;
  }
  case 103: /* PID_EXT */
  case 88:  /* NEW_PID_EXT */
    t->type = BV_T_PID;
    if ((rc = read_node(r, &t->v.pid.node, depth)))
      return rc;
    if (need(r, tag == 88 ? 12 : 9))
      return BV_ETERM;
    t->v.pid.id = be32(r->p + r->off);
    t->v.pid.serial = be32(r->p + r->off + 4);
    t->v.pid.creation = tag == 88 ? be32(r->p + r->off + 8) : r->p[r->off + 8];
    r->off += tag == 88 ? 12 : 9;
    break;
  case 102: /* PORT_EXT */
  case 89:  /* NEW_PORT_EXT */
  case 120: { /* V4_PORT_EXT */
    t->type = BV_T_PORT;
    if ((rc = read_node(r, &t->v.pid.node, depth)))
      return rc;
    size_t idlen = tag == 120 ? 8 : 4, crlen = tag == 102 ? 1 : 4;
    if (need(r, idlen + crlen))
      return BV_ETERM;
    uint64_t id = 0;
    for (size_t i = 0; i < idlen; i++)
      id = id << 8 | r->p[r->off + i];
    t->v.pid.id = id;
    r->off += idlen + crlen;
    break;
  }
  case 101: /* REFERENCE_EXT */
    t->type = BV_T_REF;
    if ((rc = read_node(r, &t->v.pid.node, depth)) || need(r, 5))
      return rc ? rc : BV_ETERM;
    r->off += 5;
    break;
  case 114: /* NEW_REFERENCE_EXT */
  case 90: { /* NEWER_REFERENCE_EXT */
    if (need(r, 2))
      return BV_ETERM;
    size_t n = be16(r->p + r->off);
    r->off += 2;
    t->type = BV_T_REF;
    if ((rc = read_node(r, &t->v.pid.node, depth)))
      return rc;
    size_t skip = (tag == 90 ? 4 : 1) + 4 * n;
    if (n > 5 || need(r, skip))
      return n > 5 ? fail(r, "reference too long") : BV_ETERM;
    r->off += skip;
    break;
  }
  case 113: { /* EXPORT_EXT: M, F, Arity */
    t->type = BV_T_FUN;
    bv_term x;
    for (int i = 0; i < 3; i++)
      if ((rc = decode(r, &x, depth + 1)))
        return rc;
    break;
  }
  case 112: { /* NEW_FUN_EXT: Size covers the whole fun after the tag */
    if (need(r, 4))
      return BV_ETERM;
    size_t size = be32(r->p + r->off);
    if (size < 4 || need(r, size))
      return size < 4 ? fail(r, "bad fun size") : BV_ETERM;
    t->type = BV_T_FUN;
    r->off += size;
    break;
  }
  default: {
    char what[48];
    snprintf(what, sizeof what, "unsupported tag %u", tag);
    r->off--;
    return fail(r, what);
  }
  }
  t->raw = r->p + start;
  t->rawlen = r->off - start;
  return 0;
}

int bv_term_decode_max(bv_arena *a, const unsigned char *buf, size_t len, size_t *off,
                       size_t budget, bv_term **out)
{
  rd r;
  memset(&r, 0, sizeof r);
  r.a = a;
  r.p = buf;
  r.len = len;
  r.off = off ? *off : 0;
  r.budget = r.left = budget ? budget : BV_TERM_BUDGET_DEFAULT;
  *out = NULL;
  if (r.off < len && buf[r.off] == 131)
    r.off++;
  if (charge(&r, sizeof(bv_term)))
    return BV_ETERM;
  bv_term *t = bv_arena_alloc(a, sizeof *t);
  if (!t)
    return bv_error_set(BV_ENOMEM, "out of memory decoding term");
  int rc = decode(&r, t, 0);
  if (rc)
    return rc;
  if (off)
    *off = r.off;
  *out = t;
  return 0;
}

int bv_term_decode(bv_arena *a, const unsigned char *buf, size_t len, size_t *off,
                   bv_term **out)
{
  return bv_term_decode_max(a, buf, len, off, 0, out);
}

/* --- accessors ----------------------------------------------------------- */

int bv_term_is_atom(const bv_term *t, const char *name)
{
  return t && t->type == BV_T_ATOM && strcmp(t->v.s, name) == 0;
}

const bv_term *bv_term_elem(const bv_term *t, uint32_t i)
{
  if (!t || (t->type != BV_T_TUPLE && t->type != BV_T_LIST) || i >= t->n)
    return NULL;
  return &t->v.items[i];
}

const bv_term *bv_term_get(const bv_term *t, const char *key)
{
  if (!t)
    return NULL;
  if (t->type == BV_T_MAP) {
    for (uint32_t i = 0; i < t->n; i++)
      if (bv_term_is_atom(&t->v.items[2 * i], key))
        return &t->v.items[2 * i + 1];
    return NULL;
  }
  if (t->type != BV_T_LIST)
    return NULL;
  for (uint32_t i = 0; i < t->n; i++) {
    const bv_term *e = &t->v.items[i];
    if (e->type == BV_T_TUPLE && e->n == 2 && bv_term_is_atom(&e->v.items[0], key))
      return &e->v.items[1];
  }
  return NULL;
}

int64_t bv_term_int(const bv_term *t, int64_t dflt)
{
  return t && t->type == BV_T_INT ? t->v.i : dflt;
}

uint64_t bv_term_u64(const bv_term *t, uint64_t dflt)
{
  if (t && t->type == BV_T_INT && t->v.i >= 0)
    return (uint64_t)t->v.i;
  if (t && t->type == BV_T_BIG && t->v.f > 0)
    return t->v.f >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)t->v.f;
  return dflt;
}

const char *bv_term_text(const bv_term *t)
{
  if (t && (t->type == BV_T_ATOM || t->type == BV_T_STRING || t->type == BV_T_BINARY))
    return t->v.s;
  if (t && t->type == BV_T_NIL)
    return "";
  return NULL;
}

/* --- printing ------------------------------------------------------------ */

static unsigned node_index(const char *node, const char *local)
{
  if (!node || !local || strcmp(node, local) == 0)
    return 0;
  uint32_t h = 2166136261u;
  for (const char *p = node; *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  return 1 + h % 9999;
}

int bv_term_pid_str(bv_buf *b, const bv_term *t, const char *local_node)
{
  if (!t || (t->type != BV_T_PID && t->type != BV_T_PORT))
    return bv_error_set(BV_EINVAL, "not a pid");
  if (t->type == BV_T_PORT)
    return bv_buf_printf(b, "#Port<%u.%" PRIu64 ">", node_index(t->v.pid.node, local_node),
                         t->v.pid.id);
  /* by hand: a snapshot formats a million of these */
  char tmp[64], *d = tmp + sizeof tmp;
  uint64_t parts[3] = {node_index(t->v.pid.node, local_node), t->v.pid.id, t->v.pid.serial};
  *--d = '>';
  for (int i = 2; i >= 0; i--) {
    uint64_t v = parts[i];
    do {
      *--d = (char)('0' + v % 10);
      v /= 10;
    } while (v);
    *--d = i ? '.' : '<';
  }
  return bv_buf_put(b, d, (size_t)(tmp + sizeof tmp - d));
}

static int atom_needs_quotes(const char *s)
{
  if (!(*s >= 'a' && *s <= 'z'))
    return 1;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_' || *p == '@'))
      return 1;
  return 0;
}

static void put_quoted(bv_buf *b, const char *s, size_t n, char q)
{
  bv_buf_putc(b, q);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)q || c == '\\') {
      bv_buf_putc(b, '\\');
      bv_buf_putc(b, (char)c);
    } else if (c == '\n') {
      bv_buf_puts(b, "\\n");
    } else if (c < 0x20 || c == 0x7f) {
      bv_buf_printf(b, "\\x{%X}", c);
    } else {
      bv_buf_putc(b, (char)c);
    }
  }
  bv_buf_putc(b, q);
}

static int printable(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return 0;
  }
  return 1;
}

/* --- map keys in Erlang term order ------------------------------------------
 * Since OTP 26 a map's keys can arrive in an order that differs between VM
 * runs, so the printers sort them: number < atom < reference < fun < port <
 * pid < tuple < map < nil < list < binary; numbers by value, atoms by text,
 * tuples by size then elements, lists and binaries element by element.
 * References, funs, bitstrings, maps as keys, and anything nested deeper than
 * CMP_DEPTH compare by their encoded bytes: a fixed order, not Erlang's. */
#define CMP_DEPTH 16

static const bv_term nil_term = {.type = BV_T_NIL};

static int term_class(const bv_term *t)
{
  switch (t->type) {
  case BV_T_INT:
  case BV_T_BIG:
  case BV_T_FLOAT:
    return 0;
  case BV_T_ATOM:
    return 1;
  case BV_T_REF:
    return 2;
  case BV_T_FUN:
    return 3;
  case BV_T_PORT:
    return 4;
  case BV_T_PID:
    return 5;
  case BV_T_TUPLE:
    return 6;
  case BV_T_MAP:
    return 7;
  case BV_T_NIL:
    return 8;
  case BV_T_STRING:
    return t->n ? 9 : 8;
  case BV_T_LIST:
    return t->n || t->tail ? 9 : 8;
  case BV_T_BINARY:
  case BV_T_BITS:
    return 10;
  }
  return 11;
}

static int cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
  size_t n = an < bn ? an : bn;
  int r = n ? memcmp(a, b, n) : 0;
  if (r)
    return r < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

static int cmp_raw(const bv_term *a, const bv_term *b)
{
  return cmp_bytes(a->raw ? (const void *)a->raw : "", a->raw ? a->rawlen : 0,
                   b->raw ? (const void *)b->raw : "", b->raw ? b->rawlen : 0);
}

#define CMP3(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

static int term_cmp(const bv_term *a, const bv_term *b, int depth);

/* element i of a list (a STRING_EXT's elements are small integers) */
static const bv_term *list_elem(const bv_term *t, uint32_t i, bv_term *tmp)
{
  if (t->type != BV_T_STRING)
    return &t->v.items[i];
  memset(tmp, 0, sizeof *tmp);
  tmp->type = BV_T_INT;
  tmp->v.i = (unsigned char)t->v.s[i];
  return tmp;
}

static int list_cmp(const bv_term *a, const bv_term *b, int depth)
{
  bv_term ta, tb;
  uint32_t n = a->n < b->n ? a->n : b->n;
  for (uint32_t i = 0; i < n; i++) {
    int r = term_cmp(list_elem(a, i, &ta), list_elem(b, i, &tb), depth + 1);
    if (r)
      return r;
  }
  /* what follows the common prefix: the tail ([] if proper) or more elements */
  const bv_term *ra = a->type == BV_T_LIST && a->tail ? a->tail : &nil_term;
  const bv_term *rb = b->type == BV_T_LIST && b->tail ? b->tail : &nil_term;
  if (a->n == b->n)
    return term_cmp(ra, rb, depth + 1);
  if (a->n < b->n)
    return term_class(ra) == 9 ? cmp_raw(a, b) : CMP3(term_class(ra), 9);
  return term_class(rb) == 9 ? cmp_raw(a, b) : CMP3(9, term_class(rb));
}

static int term_cmp(const bv_term *a, const bv_term *b, int depth)
{
  if (depth > CMP_DEPTH)
    return cmp_raw(a, b);
  int ca = term_class(a), cb = term_class(b), r;
  if (ca != cb)
    return CMP3(ca, cb);
  switch (ca) {
  case 0: /* numbers by value; an integer before the float equal to it */
    if (a->type == BV_T_INT && b->type == BV_T_INT)
      return CMP3(a->v.i, b->v.i);
    {
      double x = a->type == BV_T_INT ? (double)a->v.i : a->v.f;
      double y = b->type == BV_T_INT ? (double)b->v.i : b->v.f;
      if (x < y)
        return -1;
      if (x > y)
        return 1;
      int fa = a->type == BV_T_FLOAT, fb = b->type == BV_T_FLOAT;
      if (fa != fb)
        return CMP3(fa, fb);
      return cmp_raw(a, b);
    }
  case 1:
    return cmp_bytes(a->v.s, a->n, b->v.s, b->n);
  case 4:
  case 5:
    if ((r = strcmp(a->v.pid.node ? a->v.pid.node : "", b->v.pid.node ? b->v.pid.node : "")))
      return r < 0 ? -1 : 1;
    if ((r = CMP3(a->v.pid.serial, b->v.pid.serial)))
      return r;
    if ((r = CMP3(a->v.pid.id, b->v.pid.id)))
      return r;
    return CMP3(a->v.pid.creation, b->v.pid.creation);
  case 6:
    if (a->n != b->n)
      return CMP3(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++)
      if ((r = term_cmp(&a->v.items[i], &b->v.items[i], depth + 1)))
        return r;
    return 0;
  case 7:
    return a->n != b->n ? CMP3(a->n, b->n) : cmp_raw(a, b);
  case 8:
    return 0;
  case 9:
    return list_cmp(a, b, depth);
  case 10:
    if (a->type == BV_T_BINARY && b->type == BV_T_BINARY)
      return cmp_bytes(a->v.s, a->n, b->v.s, b->n);
    return cmp_raw(a, b);
  default:
    return cmp_raw(a, b);
  }
}

/* the order of two keys; equal in term order (1 and 1.0 excepted, never in
 * one map): their bytes decide, so the order is total */
static int key_cmp(const bv_term *a, const bv_term *b)
{
  int r = term_cmp(a, b, 0);
  return r ? r : cmp_raw(a, b);
}

static int key_qcmp(const void *x, const void *y)
{
  return key_cmp(*(const bv_term *const *)x, *(const bv_term *const *)y);
}

/* max-heap of keys: the largest at the root */
static void heap_down(const bv_term **h, size_t n, size_t i)
{
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < n && key_cmp(h[l], h[m]) > 0)
      m = l;
    if (l + 1 < n && key_cmp(h[l + 1], h[m]) > 0)
      m = l + 1;
    if (m == i)
      return;
    const bv_term *x = h[i];
    h[i] = h[m];
    h[m] = x;
    i = m;
  }
}

#define MAP_STACK 32

/* The keys of map t to print, smallest first, in keys[0..*count): all of them,
 * or (with a budget: max, the offset in b where printing stops) only as many
 * of the smallest as can be printed before it, each pair taking at least 4
 * bytes: selected in O(n log k) with k pointers. keys is stack (MAP_STACK
 * entries) or a heap array the caller frees; NULL when out of memory. */
static const bv_term **map_keys(const bv_term *t, const bv_buf *b, size_t max,
                                const bv_term **stack, uint32_t *count)
{
  size_t n = t->n, k = n;
  if (max) {
    size_t room = max > b->len ? max - b->len : 0;
    if (room / 4 + 2 < k)
      k = room / 4 + 2;
  }
  const bv_term **keys = k <= MAP_STACK ? stack : malloc(k * sizeof *keys);
  *count = 0;
  if (!keys)
    return NULL;
  if (k == n) {
    for (size_t i = 0; i < n; i++)
      keys[i] = &t->v.items[2 * i];
  } else {
    for (size_t i = 0; i < k; i++)
      keys[i] = &t->v.items[2 * i];
    for (size_t i = k / 2; i-- > 0;)
      heap_down(keys, k, i);
    for (size_t i = k; i < n; i++)
      if (k && key_cmp(&t->v.items[2 * i], keys[0]) < 0) {
        keys[0] = &t->v.items[2 * i];
        heap_down(keys, k, 0);
      }
  }
  qsort(keys, k, sizeof *keys, key_qcmp);
  *count = (uint32_t)k;
  return keys;
}

/* Bytes as numbers, sep between them, stopping once max is passed. */
static void put_bytes(bv_buf *b, const bv_term *t, size_t max, const char *sep)
{
  for (uint32_t i = 0; i < t->n && !(max && b->len > max); i++)
    bv_buf_printf(b, "%s%u", i ? sep : "", (unsigned char)t->v.s[i]);
}

static void fmt(bv_buf *b, const bv_term *t, const char *local, size_t max, int depth)
{
  if (max && b->len > max)
    return;
  if (depth > 64) {
    bv_buf_puts(b, "...");
    return;
  }
  switch (t->type) {
  case BV_T_INT:
    bv_buf_printf(b, "%" PRId64, t->v.i);
    break;
  case BV_T_BIG:
  case BV_T_FLOAT:
    bv_buf_double(b, t->v.f);
    break;
  case BV_T_ATOM:
    if (atom_needs_quotes(t->v.s))
      put_quoted(b, t->v.s, t->n, '\'');
    else
      bv_buf_puts(b, t->v.s);
    break;
  case BV_T_STRING:
    /* a list of small integers: a string only if it prints as one */
    if (printable(t->v.s, t->n)) {
      put_quoted(b, t->v.s, t->n, '"');
    } else {
      bv_buf_putc(b, '[');
      put_bytes(b, t, max, ",");
      bv_buf_putc(b, ']');
    }
    break;
  case BV_T_BINARY:
    bv_buf_puts(b, "<<");
    if (t->n && printable(t->v.s, t->n)) { /* <<>>, as Erlang prints it */
      put_quoted(b, t->v.s, t->n, '"');
    } else {
      put_bytes(b, t, max, ",");
    }
    bv_buf_puts(b, ">>");
    break;
  case BV_T_BITS:
    bv_buf_puts(b, "<<...>>");
    break;
  case BV_T_TUPLE:
  case BV_T_LIST:
  case BV_T_NIL:
    bv_buf_putc(b, t->type == BV_T_TUPLE ? '{' : '[');
    for (uint32_t i = 0; i < t->n && !(max && b->len > max); i++) {
      if (i)
        bv_buf_putc(b, ',');
      fmt(b, &t->v.items[i], local, max, depth + 1);
    }
    if (t->tail) {
      bv_buf_putc(b, '|');
      fmt(b, t->tail, local, max, depth + 1);
    }
    bv_buf_putc(b, t->type == BV_T_TUPLE ? '}' : ']');
    break;
  case BV_T_MAP: {
    const bv_term *stack[MAP_STACK];
    uint32_t nk;
    const bv_term **keys = map_keys(t, b, max, stack, &nk);
    if (!keys) {
      b->failed = 1;
      return;
    }
    bv_buf_puts(b, "#{");
    for (uint32_t i = 0; i < nk && !(max && b->len > max); i++) {
      if (i)
        bv_buf_putc(b, ',');
      fmt(b, keys[i], local, max, depth + 1);
      bv_buf_puts(b, " => ");
      fmt(b, keys[i] + 1, local, max, depth + 1);
    }
    if (nk < t->n)
      bv_buf_puts(b, ",...");
    bv_buf_putc(b, '}');
    if (keys != stack)
      free(keys);
    break;
  }
  case BV_T_PID:
  case BV_T_PORT:
    bv_term_pid_str(b, t, local);
    break;
  case BV_T_REF:
    bv_buf_printf(b, "#Ref<%u...>", node_index(t->v.pid.node, local));
    break;
  case BV_T_FUN:
    bv_buf_puts(b, "#Fun<...>");
    break;
  }
}

/* --- the same terms as Elixir's inspect writes them ------------------------- */

/* An atom Elixir writes bare after ':' (or as a keyword key): an identifier
 * ([a-z_][A-Za-z0-9_@]*, then one ? or !), not nil/true/false. */
static int ex_ident(const char *s, size_t n)
{
  if (!n || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++) {
    char c = s[i];
    if ((c == '?' || c == '!') && i == n - 1)
      break;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '@'))
      return 0;
  }
  return 1;
}

/* "Elixir.Foo.Bar" whose rest is an alias (Foo, Foo.Bar): the length of the
 * prefix to skip (7), else 0. */
static size_t ex_alias(const char *s, size_t n)
{
  if (n <= 7 || strncmp(s, "Elixir.", 7) != 0)
    return 0;
  int start = 1;
  for (size_t i = 7; i < n; i++) {
    char c = s[i];
    if (start) {
      if (!(c >= 'A' && c <= 'Z'))
        return 0;
      start = 0;
    } else if (c == '.') {
      start = 1;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_')) {
      return 0;
    }
  }
  return start ? 0 : 7;
}

/* Valid UTF-8 without control characters other than \n \t \r: a binary
 * Elixir prints as a string. */
static int ex_printable(const char *s, size_t n)
{
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return 0;
    if (c == 0x7f)
      return 0;
    size_t l = bv_utf8_len(s + i, n - i);
    if (!l)
      return 0;
    i += l;
  }
  return 1;
}

/* "..." with Elixir's escapes (\" \\ \#{ \n \t \r). */
static void ex_string(bv_buf *b, const char *s, size_t n)
{
  bv_buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"' || c == '\\')
      bv_buf_putc(b, '\\'), bv_buf_putc(b, c);
    else if (c == '#' && i + 1 < n && s[i + 1] == '{')
      bv_buf_puts(b, "\\#");
    else if (c == '\n')
      bv_buf_puts(b, "\\n");
    else if (c == '\t')
      bv_buf_puts(b, "\\t");
    else if (c == '\r')
      bv_buf_puts(b, "\\r");
    else
      bv_buf_putc(b, c);
  }
  bv_buf_putc(b, '"');
}

static void ex_atom(bv_buf *b, const char *s, size_t n)
{
  size_t skip = ex_alias(s, n);
  if (skip)
    bv_buf_put(b, s + skip, n - skip);
  else if ((n == 3 && memcmp(s, "nil", 3) == 0) || (n == 4 && memcmp(s, "true", 4) == 0) ||
           (n == 5 && memcmp(s, "false", 5) == 0))
    bv_buf_put(b, s, n);
  else if (ex_ident(s, n))
    bv_buf_putc(b, ':'), bv_buf_put(b, s, n);
  else
    bv_buf_putc(b, ':'), ex_string(b, s, n);
}

/* A keyword key: "ok: ", "\"my key\": " */
static void ex_key(bv_buf *b, const bv_term *k)
{
  if (ex_ident(k->v.s, k->n))
    bv_buf_put(b, k->v.s, k->n);
  else
    ex_string(b, k->v.s, k->n);
  bv_buf_puts(b, ": ");
}

static int ex_keyword(const bv_term *t)
{
  if (t->type != BV_T_LIST || t->tail || !t->n)
    return 0;
  for (uint32_t i = 0; i < t->n; i++) {
    const bv_term *e = &t->v.items[i];
    if (e->type != BV_T_TUPLE || e->n != 2 || e->v.items[0].type != BV_T_ATOM ||
        ex_alias(e->v.items[0].v.s, e->v.items[0].n)) /* [{Foo, 1}] is no keyword list */
      return 0;
  }
  return 1;
}

static void fmt_ex(bv_buf *b, const bv_term *t, const char *local, size_t max, int depth)
{
  if (max && b->len > max)
    return;
  if (depth > 64) {
    bv_buf_puts(b, "...");
    return;
  }
  switch (t->type) {
  case BV_T_INT:
  case BV_T_BIG:
  case BV_T_FLOAT:
  case BV_T_BITS:
    fmt(b, t, local, max, depth);
    break;
  case BV_T_ATOM:
    ex_atom(b, t->v.s, t->n);
    break;
  case BV_T_STRING:
    if (printable(t->v.s, t->n)) {
      bv_buf_puts(b, "~c");
      ex_string(b, t->v.s, t->n);
    } else {
      bv_buf_putc(b, '[');
      put_bytes(b, t, max, ", ");
      bv_buf_putc(b, ']');
    }
    break;
  case BV_T_BINARY:
    if (ex_printable(t->v.s, t->n)) {
      ex_string(b, t->v.s, t->n);
    } else {
      bv_buf_puts(b, "<<");
      put_bytes(b, t, max, ", ");
      bv_buf_puts(b, ">>");
    }
    break;
  case BV_T_TUPLE:
    bv_buf_putc(b, '{');
    for (uint32_t i = 0; i < t->n && !(max && b->len > max); i++) {
      if (i)
        bv_buf_puts(b, ", ");
      fmt_ex(b, &t->v.items[i], local, max, depth + 1);
    }
    bv_buf_putc(b, '}');
    break;
  case BV_T_LIST:
  case BV_T_NIL: {
    int kw = ex_keyword(t);
    bv_buf_putc(b, '[');
    for (uint32_t i = 0; i < t->n && !(max && b->len > max); i++) {
      if (i)
        bv_buf_puts(b, ", ");
      if (kw) {
        ex_key(b, &t->v.items[i].v.items[0]);
        fmt_ex(b, &t->v.items[i].v.items[1], local, max, depth + 1);
      } else {
        fmt_ex(b, &t->v.items[i], local, max, depth + 1);
      }
    }
    if (t->tail) {
      bv_buf_puts(b, " | ");
      fmt_ex(b, t->tail, local, max, depth + 1);
    }
    bv_buf_putc(b, ']');
    break;
  }
  case BV_T_MAP: {
    /* a struct: %Mod{k: v} without __struct__; all atom keys: %{a: 1} */
    const bv_term *st = NULL;
    int atoms = 1;
    for (uint32_t i = 0; i < t->n; i++) {
      const bv_term *k = &t->v.items[2 * i];
      if (k->type != BV_T_ATOM)
        atoms = 0;
      else if (strcmp(k->v.s, "__struct__") == 0 && t->v.items[2 * i + 1].type == BV_T_ATOM &&
               ex_alias(t->v.items[2 * i + 1].v.s, t->v.items[2 * i + 1].n))
        st = &t->v.items[2 * i + 1];
    }
    bv_buf_putc(b, '%');
    if (st)
      ex_atom(b, st->v.s, st->n);
    bv_buf_putc(b, '{');
    const bv_term *stack[MAP_STACK];
    uint32_t nk;
    const bv_term **keys = map_keys(t, b, max, stack, &nk);
    if (!keys) {
      b->failed = 1;
      return;
    }
    int first = 1;
    for (uint32_t i = 0; i < nk && !(max && b->len > max); i++) {
      const bv_term *k = keys[i];
      if (st && k->type == BV_T_ATOM && strcmp(k->v.s, "__struct__") == 0)
        continue;
      if (!first)
        bv_buf_puts(b, ", ");
      first = 0;
      if (atoms) {
        ex_key(b, k);
      } else {
        fmt_ex(b, k, local, max, depth + 1);
        bv_buf_puts(b, " => ");
      }
      fmt_ex(b, k + 1, local, max, depth + 1);
    }
    if (nk < t->n)
      bv_buf_puts(b, ", ...");
    bv_buf_putc(b, '}');
    if (keys != stack)
      free(keys);
    break;
  }
  case BV_T_PID:
    bv_buf_puts(b, "#PID");
    bv_term_pid_str(b, t, local);
    break;
  case BV_T_PORT:
    bv_term_pid_str(b, t, local);
    break;
  case BV_T_REF:
    bv_buf_printf(b, "#Reference<%u...>", node_index(t->v.pid.node, local));
    break;
  case BV_T_FUN:
    bv_buf_puts(b, "#Function<...>");
    break;
  }
}

int bv_term_format(bv_buf *b, const bv_term *t, const char *local_node, size_t max)
{
  return bv_term_format_lang(b, t, local_node, max, 0);
}

int bv_term_format_lang(bv_buf *b, const bv_term *t, const char *local_node, size_t max,
                        int elixir)
{
  size_t start = b->len;
  if (!t)
    return bv_buf_puts(b, elixir ? "nil" : "undefined");
  if (elixir)
    fmt_ex(b, t, local_node, max ? start + max : 0, 0);
  else
    fmt(b, t, local_node, max ? start + max : 0, 0);
  if (max && b->len - start > max) {
    /* cut at a UTF-8 boundary */
    size_t cut = start + max;
    while (cut > start && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
      cut--;
    b->len = cut;
    b->data[cut] = 0;
    bv_buf_puts(b, "...");
  }
  return b->failed ? BV_ENOMEM : 0;
}

int bv_term_label(bv_buf *b, const bv_term *t, const char *local_node, size_t max, int elixir)
{
  if (!t || bv_term_is_atom(t, "undefined") || t->type == BV_T_NIL)
    return 0;
  size_t start = b->len;
  if (t->type == BV_T_BINARY && ex_printable(t->v.s, t->n)) {
    /* UTF-8 text: as it is, cut at a character boundary */
    size_t n = t->n;
    if (max && n > max) {
      n = max > 3 ? max - 3 : 0;
      while (n && ((unsigned char)t->v.s[n] & 0xC0) == 0x80)
        n--;
    }
    bv_buf_put(b, t->v.s, n);
    if (n < t->n)
      bv_buf_puts(b, "...");
    return b->failed ? BV_ENOMEM : 0;
  }
  if (t->type == BV_T_STRING && printable(t->v.s, t->n)) {
    /* a charlist of code points below 256: each one UTF-8 encoded */
    for (uint32_t i = 0; i < t->n; i++) {
      unsigned char c = (unsigned char)t->v.s[i];
      size_t before = b->len;
      if (c < 0x80) {
        bv_buf_putc(b, (char)c);
      } else {
        bv_buf_putc(b, (char)(0xC0 | (c >> 6)));
        bv_buf_putc(b, (char)(0x80 | (c & 0x3F)));
      }
      if (max && b->len - start > (max > 3 ? max - 3 : 0) && i + 1 < t->n) {
        b->len = before;
        bv_buf_puts(b, "...");
        break;
      }
    }
    return b->failed ? BV_ENOMEM : 0;
  }
  /* anything else (bytes that are not text included) as the language writes it */
  return bv_term_format_lang(b, t, local_node, max, elixir);
}
