/* conn.c: joining a node as a hidden C node, evaluating templates on it with
 * a deadline, and routing every other message into a queue.
 *
 * Remote evaluation is one rex request per call:
 *   erl_eval:expr(Outer, [{'Bs',Bs},{'Id',Id},{'Src',Src}], none, none, value)
 * where Outer, encoded here as abstract format, is
 *   {Id, element(2, erl_eval:exprs(element(2, erl_parse:parse_exprs(
 *            element(2, erl_scan:string(Src)))), Bs))}
 * so nothing is loaded on the target, the template's own bindings are not sent
 * back, and the Id pairs each reply with its request (a late reply of a call
 * that timed out is recognised and dropped). */
#include "beamviz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ei.h>

/* epmd's port: ERL_EPMD_PORT as erl and ei read it, else 4369 */
static int epmd_port(void)
{
  const char *e = getenv("ERL_EPMD_PORT");
  if (e && *e) {
    char *end;
    long p = strtol(e, &end, 10);
    if (!*end && p > 0 && p < 65536)
      return (int)p;
  }
  return 4369;
}
#define EPMD_PORT epmd_port()

typedef struct qmsg {
  struct qmsg *next;
  size_t len;
  unsigned char data[];
} qmsg;

struct bv_conn {
  ei_cnode ec;
  int fd;
  char node[512];       /* target node name */
  char otp[16];
  int elixir;
  unsigned timeout_ms;
  long next_id;
  unsigned long round_trips;
  qmsg *qhead, *qtail;
  ei_x_buff x;          /* receive buffer */
};

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- epmd ---------------------------------------------------------------- */

/* Connects a TCP socket to addr within ms. Returns fd or -errno. */
static int tcp_connect(const struct sockaddr *sa, socklen_t salen, unsigned ms)
{
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  if (connect(fd, sa, salen) != 0) {
    if (errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      return -e;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int pr = poll(&p, 1, (int)ms);
    if (pr <= 0) {
      close(fd);
      return pr == 0 ? -ETIMEDOUT : -errno;
    }
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
      close(fd);
      return -err;
    }
  }
  fcntl(fd, F_SETFL, fl);
  return fd;
}

static int io_all(int fd, void *p, size_t n, int wr, uint64_t deadline)
{
  unsigned char *c = p;
  while (n) {
    uint64_t now = now_ms();
    if (now >= deadline)
      return -ETIMEDOUT;
    struct pollfd pf = {fd, (short)(wr ? POLLOUT : POLLIN), 0};
    int pr = poll(&pf, 1, (int)(deadline - now));
    if (pr == 0)
      return -ETIMEDOUT;
    if (pr < 0)
      return -errno;
    ssize_t k = wr ? write(fd, c, n) : read(fd, c, n);
    if (k == 0)
      return -ECONNRESET;
    if (k < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return -errno;
    }
    c += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Reads everything until EOF (epmd closes after NAMES). */
static ssize_t read_to_eof(int fd, char *buf, size_t cap, uint64_t deadline)
{
  size_t n = 0;
  while (n < cap) {
    uint64_t now = now_ms();
    if (now >= deadline)
      break;
    struct pollfd pf = {fd, POLLIN, 0};
    if (poll(&pf, 1, (int)(deadline - now)) <= 0)
      break;
    ssize_t k = read(fd, buf + n, cap - n);
    if (k <= 0)
      break;
    n += (size_t)k;
  }
  return (ssize_t)n;
}

typedef struct target {
  char alive[256];
  char host[256];
  struct sockaddr_storage addr;
  socklen_t addrlen;
  int port;                  /* the node's distribution port from epmd */
  char local_ip[64];         /* our address as seen on the epmd connection */
} target;

static int resolve(target *t, unsigned ms)
{
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  int gr = getaddrinfo(t->host, NULL, &hints, &res);
  if (gr != 0 || !res)
    return bv_error_set(BV_EEPMD, "cannot resolve host '%s' of node %s@%s: %s", t->host,
                        t->alive, t->host, gai_strerror(gr));
  /* prefer IPv4: epmd listens on 0.0.0.0 by default */
  struct addrinfo *pick = res;
  for (struct addrinfo *r = res; r; r = r->ai_next)
    if (r->ai_family == AF_INET) {
      pick = r;
      break;
    }
  memcpy(&t->addr, pick->ai_addr, pick->ai_addrlen);
  t->addrlen = pick->ai_addrlen;
  freeaddrinfo(res);
  (void)ms;
  return 0;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
  if (ss->ss_family == AF_INET)
    ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
  else
    ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* Lists node names registered in epmd, for "not registered" messages. */
static void epmd_names(target *t, char *out, size_t cap, unsigned ms)
{
  out[0] = 0;
  struct sockaddr_storage ss = t->addr;
  set_port(&ss, EPMD_PORT);
  int fd = tcp_connect((struct sockaddr *)&ss, t->addrlen, ms);
  if (fd < 0)
    return;
  uint64_t dl = now_ms() + ms;
  unsigned char req[3] = {0, 1, 110}; /* NAMES_REQ */
  char buf[4096];
  if (io_all(fd, req, 3, 1, dl) == 0) {
    ssize_t n = read_to_eof(fd, buf, sizeof buf - 1, dl);
    if (n > 4) {
      buf[n] = 0;
      /* lines "name NAME at port N" */
      size_t k = 0;
      for (char *p = buf + 4; (p = strstr(p, "name ")) && k + 2 < cap;) {
        p += 5;
        char *e = strstr(p, " at port");
        if (!e)
          break;
        int w = snprintf(out + k, cap - k, "%s%.*s", k ? ", " : "", (int)(e - p), p);
        if (w < 0 || (size_t)w >= cap - k)
          break;
        k += (size_t)w;
        p = e;
      }
    }
  }
  close(fd);
}

/* Asks epmd for the node's port (PORT_PLEASE2). */
static int epmd_lookup(target *t, unsigned ms)
{
  struct sockaddr_storage ss = t->addr;
  set_port(&ss, EPMD_PORT);
  int fd = tcp_connect((struct sockaddr *)&ss, t->addrlen, ms);
  if (fd == -ETIMEDOUT)
    return bv_error_set(BV_ETIMEOUT, "connecting to epmd on %s timed out after %u ms (host down or firewalled?)",
                        t->host, ms);
  if (fd < 0)
    return bv_error_set(BV_EEPMD, "epmd is not running on %s (%s): is node %s@%s started?",
                        t->host, strerror(-fd), t->alive, t->host);
  /* our own address on this route, for a long node name of our own */
  struct sockaddr_storage me;
  socklen_t ml = sizeof me;
  if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0) {
    if (me.ss_family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)&me)->sin_addr, t->local_ip, sizeof t->local_ip);
    else
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&me)->sin6_addr, t->local_ip,
                sizeof t->local_ip);
  }
  size_t an = strlen(t->alive);
  unsigned char req[300];
  req[0] = (unsigned char)((an + 1) >> 8);
  req[1] = (unsigned char)(an + 1);
  req[2] = 122; /* PORT_PLEASE2_REQ */
  memcpy(req + 3, t->alive, an);
  uint64_t dl = now_ms() + ms;
  unsigned char resp[4];
  int rc = io_all(fd, req, an + 3, 1, dl);
  if (rc == 0)
    rc = io_all(fd, resp, 2, 0, dl);
  if (rc == 0 && resp[0] == 119 && resp[1] == 0)
    rc = io_all(fd, resp + 2, 2, 0, dl);
  close(fd);
  if (rc == -ETIMEDOUT)
    return bv_error_set(BV_ETIMEOUT, "epmd on %s did not answer within %u ms", t->host, ms);
  if (rc < 0 && rc != -ECONNRESET)
    return bv_error_set(BV_EEPMD, "epmd on %s: %s", t->host, strerror(-rc));
  if (rc == -ECONNRESET || resp[0] != 119 || resp[1] != 0) {
    char names[1024];
    epmd_names(t, names, sizeof names, ms);
    return bv_error_set(BV_ENONODE,
                        "node %s@%s is not registered in epmd on %s (registered: %s)",
                        t->alive, t->host, t->host, names[0] ? names : "none");
  }
  t->port = (int)(resp[2] << 8 | resp[3]);
  return 0;
}

/* --- encoding helpers ---------------------------------------------------- */

static void enc_atom(ei_x_buff *x, const char *a) { ei_x_encode_atom(x, a); }

/* {Tag, 1, ...} abstract-format nodes */
static void ast_atom(ei_x_buff *x, const char *a)
{
  ei_x_encode_tuple_header(x, 3);
  enc_atom(x, "atom");
  ei_x_encode_long(x, 1);
  enc_atom(x, a);
}

static void ast_var(ei_x_buff *x, const char *v)
{
  ei_x_encode_tuple_header(x, 3);
  enc_atom(x, "var");
  ei_x_encode_long(x, 1);
  enc_atom(x, v);
}

static void ast_int(ei_x_buff *x, long v)
{
  ei_x_encode_tuple_header(x, 3);
  enc_atom(x, "integer");
  ei_x_encode_long(x, 1);
  ei_x_encode_long(x, v);
}

/* header of a remote call M:F(...) with nargs args to follow */
static void ast_rcall(ei_x_buff *x, const char *m, const char *f, int nargs)
{
  ei_x_encode_tuple_header(x, 4);
  enc_atom(x, "call");
  ei_x_encode_long(x, 1);
  ei_x_encode_tuple_header(x, 4);
  enc_atom(x, "remote");
  ei_x_encode_long(x, 1);
  ast_atom(x, m);
  ast_atom(x, f);
  ei_x_encode_list_header(x, nargs);
}

/* element(2, <expr follows>) : caller encodes the expr then an empty list */
static void ast_element2_open(ei_x_buff *x)
{
  ast_rcall(x, "erlang", "element", 2);
  ast_int(x, 2);
}

static int enc_binding_value(bv_conn *c, ei_x_buff *x, const bv_binding *b)
{
  switch (b->kind) {
  case BV_B_INT:
    return ei_x_encode_longlong(x, b->i);
  case BV_B_BOOL:
    return ei_x_encode_boolean(x, b->i != 0);
  case BV_B_BIN:
    return ei_x_encode_binary(x, b->s, (int)b->len);
  case BV_B_STR:
    return ei_x_encode_string(x, b->s);
  case BV_B_RAW:
    return ei_x_append_buf(x, b->s, (int)b->len);
  case BV_B_SELF:
    return ei_x_encode_pid(x, ei_self(&c->ec));
  }
  return -1;
}

static int cmp_binding(const void *a, const void *b)
{
  return strcmp((*(const bv_binding *const *)a)->name, (*(const bv_binding *const *)b)->name);
}

/* --- receiving ----------------------------------------------------------- */

static int closed_error(bv_conn *c, int e)
{
  if (e == ETIMEDOUT)
    return bv_error_set(BV_ETIMEOUT, "node %s did not answer in time", c->node);
  return bv_error_set(BV_ECLOSED, "node %s went away (connection closed: %s)", c->node,
                      strerror(e ? e : EIO));
}

/* Receives one message (ticks answered inside ei). Returns 1 with the bytes in
 * c->x, 0 on timeout, <0 on error. */
static int recv_one(bv_conn *c, uint64_t deadline)
{
  for (;;) {
    uint64_t now = now_ms();
    if (now >= deadline)
      return 0;
    erlang_msg msg;
    c->x.index = 0;
    unsigned ms = (unsigned)(deadline - now);
    int r = ei_xreceive_msg_tmo(c->fd, &msg, &c->x, ms ? ms : 1);
    if (r == ERL_TICK)
      continue;
    if (r == ERL_ERROR) {
      if (erl_errno == ETIMEDOUT)
        return 0;
      return closed_error(c, erl_errno);
    }
    if (msg.msgtype == ERL_SEND || msg.msgtype == ERL_REG_SEND)
      return 1;
    /* links, exits, unlinks: not used by beamviz */
  }
}

static int enqueue(bv_conn *c, const char *p, size_t n)
{
  qmsg *m = malloc(sizeof *m + n);
  if (!m)
    return bv_error_set(BV_ENOMEM, "out of memory queueing a message");
  m->next = NULL;
  m->len = n;
  memcpy(m->data, p, n);
  if (c->qtail)
    c->qtail->next = m;
  else
    c->qhead = m;
  c->qtail = m;
  return 0;
}

/* Decodes bytes after copying them into the arena so raw pointers stay valid. */
static int decode_copy(bv_arena *a, const void *p, size_t n, bv_term **out)
{
  unsigned char *copy = bv_arena_alloc(a, n ? n : 1);
  if (!copy)
    return bv_error_set(BV_ENOMEM, "out of memory");
  memcpy(copy, p, n);
  size_t off = 0;
  return bv_term_decode(a, copy, n, &off, out);
}

/* Is the message at c->x a reply {rex, ...}? Cheap byte check, no decode. */
static int is_rex(const bv_conn *c)
{
  const unsigned char *p = (const unsigned char *)c->x.buff;
  size_t n = (size_t)c->x.index;
  size_t i = (n && p[0] == 131) ? 1 : 0;
  if (n < i + 2 + 5 || p[i] != 104 || p[i + 1] != 2)
    return 0;
  i += 2;
  if ((p[i] == 119 || p[i] == 115) && p[i + 1] == 3 && memcmp(p + i + 2, "rex", 3) == 0)
    return 1;
  if ((p[i] == 118 || p[i] == 100) && n >= i + 6 && p[i + 1] == 0 && p[i + 2] == 3 &&
      memcmp(p + i + 3, "rex", 3) == 0)
    return 1;
  return 0;
}

/* Is the message at c->x {bv_eval, Id, Result} (templates/eval_async.erl)? */
static int is_eval_reply(const bv_conn *c)
{
  const unsigned char *p = (const unsigned char *)c->x.buff;
  size_t n = (size_t)c->x.index;
  size_t i = (n && p[0] == 131) ? 1 : 0;
  if (n < i + 2 + 9 || p[i] != 104 || p[i + 1] != 3)
    return 0;
  i += 2;
  if ((p[i] == 119 || p[i] == 115) && p[i + 1] == 7 && memcmp(p + i + 2, "bv_eval", 7) == 0)
    return 1;
  if ((p[i] == 118 || p[i] == 100) && n >= i + 10 && p[i + 1] == 0 && p[i + 2] == 7 &&
      memcmp(p + i + 3, "bv_eval", 7) == 0)
    return 1;
  return 0;
}

/* "remote call on NODE failed: REASON" */
static int remote_failed(bv_conn *c, const bv_term *why)
{
  bv_buf b;
  bv_buf_init(&b);
  bv_term_format(&b, why, c->node, 300);
  int rc = bv_error_set(BV_EREMOTE, "remote call on %s failed: %s", c->node, b.data ? b.data : "?");
  bv_buf_dispose(&b);
  return rc;
}

/* --- public -------------------------------------------------------------- */

static int split_node(const char *node, target *t)
{
  const char *at = strchr(node, '@');
  size_t an = at ? (size_t)(at - node) : strlen(node);
  if (an == 0 || an >= sizeof t->alive)
    return bv_error_set(BV_EINVAL, "bad node name '%s'", node);
  for (size_t i = 0; i < an; i++) {
    unsigned char ch = (unsigned char)node[i];
    if (!(ch == '_' || ch == '-' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
          (ch >= 'A' && ch <= 'Z')))
      return bv_error_set(BV_EINVAL, "bad node name '%s': '%c' is not allowed before '@'", node,
                          ch);
  }
  memcpy(t->alive, node, an);
  t->alive[an] = 0;
  if (at) {
    if (!at[1] || strlen(at + 1) >= sizeof t->host)
      return bv_error_set(BV_EINVAL, "bad node name '%s': empty or long host", node);
    snprintf(t->host, sizeof t->host, "%s", at + 1);
  } else {
    if (gethostname(t->host, sizeof t->host) != 0)
      return bv_error_set(BV_EINVAL, "cannot get the local host name for node '%s'", node);
    t->host[sizeof t->host - 1] = 0;
    char *dot = strchr(t->host, '.');
    if (dot)
      *dot = 0;
  }
  return 0;
}

static int read_facts(bv_conn *c)
{
  bv_arena *a = bv_arena_new();
  if (!a)
    return bv_error_set(BV_ENOMEM, "out of memory");
  bv_term *r = NULL;
  int rc = bv_conn_eval_src(c,
                            "{erlang:system_info(otp_release),"
                            " lists:keymember(elixir, 1, application:loaded_applications())}.",
                            NULL, 0, 0, a, &r);
  if (rc == 0) {
    const char *otp = bv_term_text(bv_term_elem(r, 0));
    snprintf(c->otp, sizeof c->otp, "%s", otp ? otp : "?");
    c->elixir = bv_term_is_atom(bv_term_elem(r, 1), "true");
  }
  bv_arena_free(a);
  return rc;
}

int bv_conn_open(const bv_conn_opts *o, bv_conn **out)
{
  static int ei_ready;
  *out = NULL;
  if (!o->node || !*o->node)
    return bv_error_set(BV_EINVAL, "no node name given");
  if (!o->cookie)
    return bv_error_set(BV_EINVAL, "no cookie for node %s", o->node);
  if (!ei_ready) {
    if (ei_init() != 0)
      return bv_error_set(BV_EIO, "erl_interface failed to initialise");
    ei_ready = 1;
  }
  unsigned ms = o->timeout_ms ? o->timeout_ms : 5000;
  target t;
  memset(&t, 0, sizeof t);
  int rc = split_node(o->node, &t);
  if (rc)
    return rc;
  if ((rc = resolve(&t, ms)) || (rc = epmd_lookup(&t, ms)))
    return rc;

  bv_conn *c = calloc(1, sizeof *c);
  if (!c)
    return bv_error_set(BV_ENOMEM, "out of memory");
  c->fd = -1;
  c->timeout_ms = ms;
  snprintf(c->node, sizeof c->node, "%s@%s", t.alive, t.host);
  if (ei_x_new(&c->x) != 0) {
    free(c);
    return bv_error_set(BV_ENOMEM, "out of memory");
  }

  /* A unique hidden-node name: several beamviz may run at once. */
  static unsigned counter;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char alive[64], myhost[256], full[512];
  snprintf(alive, sizeof alive, "beamviz_%ld_%x", (long)getpid(),
           (unsigned)((ts.tv_nsec / 1000) ^ (counter++ << 20)) & 0xffffff);
  int longnames = strchr(t.host, '.') != NULL || strchr(t.host, ':') != NULL;
  if (longnames) {
    snprintf(myhost, sizeof myhost, "%s", t.local_ip[0] ? t.local_ip : "127.0.0.1");
  } else {
    if (gethostname(myhost, sizeof myhost) != 0)
      snprintf(myhost, sizeof myhost, "localhost");
    myhost[sizeof myhost - 1] = 0;
    char *dot = strchr(myhost, '.');
    if (dot)
      *dot = 0;
  }
  snprintf(full, sizeof full, "%s@%s", alive, myhost);
  unsigned creation = ((unsigned)ts.tv_sec ^ (unsigned)getpid()) & 0x7fffffffu;
  if (creation < 4)
    creation += 4;
  if (ei_connect_xinit(&c->ec, myhost, alive, full, NULL, o->cookie, creation) < 0) {
    bv_conn_free(c);
    return bv_error_set(BV_EIO, "erl_interface: cannot set up node name %s", full);
  }
  struct in_addr ip4;
  int fd;
  if (t.addr.ss_family == AF_INET) {
    ip4 = ((struct sockaddr_in *)&t.addr)->sin_addr;
    fd = ei_xconnect_host_port_tmo(&c->ec, &ip4, t.port, ms);
  } else {
    fd = ei_connect_host_port_tmo(&c->ec, t.host, t.port, ms);
  }
  if (fd < 0) {
    int e = erl_errno;
    bv_conn_free(c);
    /* ei reports a refused connect as EIO, like a refused handshake: look again, so a
       stale epmd entry is not blamed on the cookie */
    if (e != ETIMEDOUT) {
      struct sockaddr_storage ss = t.addr;
      set_port(&ss, t.port);
      int probe = tcp_connect((struct sockaddr *)&ss, t.addrlen, ms);
      if (probe == -ECONNREFUSED)
        e = ECONNREFUSED;
      else if (probe >= 0)
        close(probe);
    }
    if (e == ETIMEDOUT)
      return bv_error_set(BV_ETIMEOUT, "connecting to node %s@%s timed out after %u ms",
                          t.alive, t.host, ms);
    if (e == ECONNREFUSED)
      return bv_error_set(BV_ENONODE,
                          "node %s@%s refused the connection on port %d (stale epmd entry?)",
                          t.alive, t.host, t.port);
    return bv_error_set(BV_EAUTH,
                        "node %s@%s rejected the handshake: cookie rejected (or %s names "
                        "do not match the node's)",
                        t.alive, t.host, longnames ? "long" : "short");
  }
  c->fd = fd;
  if ((rc = read_facts(c))) {
    bv_conn_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

void bv_conn_free(bv_conn *c)
{
  if (!c)
    return;
  if (c->fd >= 0)
    ei_close_connection(c->fd);
  for (qmsg *m = c->qhead; m;) {
    qmsg *n = m->next;
    free(m);
    m = n;
  }
  ei_x_free(&c->x);
  free(c);
}

const char *bv_conn_node(const bv_conn *c) { return c->node; }
const char *bv_conn_self_node(const bv_conn *c) { return ei_thisnodename(&c->ec); }
unsigned bv_conn_timeout(const bv_conn *c) { return c->timeout_ms; }
const char *bv_conn_otp_release(const bv_conn *c) { return c->otp; }
int bv_conn_has_elixir(const bv_conn *c) { return c->elixir; }
unsigned long bv_conn_round_trips(const bv_conn *c) { return c->round_trips; }

/* Sends the rex request for Src (a charlist) or for a prebuilt inner AST. */
static int send_eval(bv_conn *c, long id, const char *src, const bv_binding *b, size_t nb,
                     unsigned ms)
{
  if (nb > 64)
    return bv_error_set(BV_EINVAL, "too many bindings");
  const bv_binding *sorted[64];
  for (size_t i = 0; i < nb; i++)
    sorted[i] = &b[i];
  qsort(sorted, nb, sizeof *sorted, cmp_binding);

  const char *wrap = bv_template("eval_async.erl", NULL);
  if (!wrap)
    return bv_error_set(BV_EINVAL, "no embedded template eval_async.erl");
  ei_x_buff x;
  if (ei_x_new_with_version(&x) != 0)
    return bv_error_set(BV_ENOMEM, "out of memory");
  /* {Self, {call, erl_eval, expr, [Outer, Bindings, none, none, value], user}} */
  ei_x_encode_tuple_header(&x, 2);
  ei_x_encode_pid(&x, ei_self(&c->ec));
  ei_x_encode_tuple_header(&x, 5);
  enc_atom(&x, "call");
  enc_atom(&x, "erl_eval");
  enc_atom(&x, "expr");
  ei_x_encode_list_header(&x, 5);
  /* Outer = {tuple,1,[{var,1,'Id'}, element(2, erl_eval:exprs(Parsed, {var,'Bs'}))]} */
  ei_x_encode_tuple_header(&x, 3);
  enc_atom(&x, "tuple");
  ei_x_encode_long(&x, 1);
  ei_x_encode_list_header(&x, 2);
  ast_var(&x, "Id");
  ast_element2_open(&x);
  ast_rcall(&x, "erl_eval", "exprs", 2);
  ast_element2_open(&x);
  ast_rcall(&x, "erl_parse", "parse_exprs", 1);
  ast_element2_open(&x);
  ast_rcall(&x, "erl_scan", "string", 1);
  ast_var(&x, "Src");
  ei_x_encode_empty_list(&x); /* scan args */
  ei_x_encode_empty_list(&x); /* element args */
  ei_x_encode_empty_list(&x); /* parse args */
  ei_x_encode_empty_list(&x); /* element args */
  ast_var(&x, "Bs");
  ei_x_encode_empty_list(&x); /* exprs args */
  ei_x_encode_empty_list(&x); /* element args */
  ei_x_encode_empty_list(&x); /* tuple elements */
  /* outer bindings, sorted: Bs, Id, Src. What rex evaluates is the wrapper
   * (templates/eval_async.erl), with Bs = its bindings, sorted: Bs (the
   * template's own), BvPid, Id, Src (the template's text). */
  ei_x_encode_list_header(&x, 3);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Bs");
  ei_x_encode_list_header(&x, 4);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Bs");
  if (nb)
    ei_x_encode_list_header(&x, (long)nb);
  for (size_t i = 0; i < nb; i++) {
    ei_x_encode_tuple_header(&x, 2);
    enc_atom(&x, sorted[i]->name);
    if (enc_binding_value(c, &x, sorted[i]) != 0) {
      ei_x_free(&x);
      return bv_error_set(BV_EINVAL, "cannot encode binding %s", sorted[i]->name);
    }
  }
  ei_x_encode_empty_list(&x);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "BvPid");
  ei_x_encode_pid(&x, ei_self(&c->ec));
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Id");
  ei_x_encode_long(&x, id);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Src");
  ei_x_encode_string(&x, src);
  ei_x_encode_empty_list(&x);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Id");
  ei_x_encode_long(&x, id);
  ei_x_encode_tuple_header(&x, 2);
  enc_atom(&x, "Src");
  ei_x_encode_string(&x, wrap);
  ei_x_encode_empty_list(&x);
  enc_atom(&x, "none");
  enc_atom(&x, "none");
  enc_atom(&x, "value");
  ei_x_encode_empty_list(&x);
  enc_atom(&x, "user");

  int r = ei_send_reg_encoded_tmo(c->fd, ei_self(&c->ec), "rex", x.buff, x.index, ms);
  ei_x_free(&x);
  if (r < 0)
    return closed_error(c, erl_errno);
  c->round_trips++;
  return 0;
}

/* rex answers {Id, async} at once; the template's value follows as
 * {bv_eval, Id, {ok, Value} | {error, Class, Reason}}. Other messages that
 * arrive meanwhile (a template's own streams) are queued for bv_conn_recv. */
static int wait_reply(bv_conn *c, long id, uint64_t deadline, bv_arena *a, bv_term **result)
{
  for (;;) {
    int r = recv_one(c, deadline);
    if (r < 0)
      return r;
    if (r == 0)
      return bv_error_set(BV_ETIMEOUT, "node %s did not answer within the timeout", c->node);
    int rex = is_rex(c), ev = !rex && is_eval_reply(c);
    if (!rex && !ev) {
      if ((r = enqueue(c, c->x.buff, (size_t)c->x.index)))
        return r;
      continue;
    }
    bv_term *t;
    if ((r = decode_copy(a, c->x.buff, (size_t)c->x.index, &t)))
      return r;
    if (ev) {
      if (bv_term_int(bv_term_elem(t, 1), -1) != id)
        continue; /* the late value of an earlier call that timed out */
      const bv_term *res = bv_term_elem(t, 2);
      if (res && res->type == BV_T_TUPLE && res->n == 2 && bv_term_is_atom(bv_term_elem(res, 0), "ok")) {
        *result = (bv_term *)bv_term_elem(res, 1);
        return 0;
      }
      if (res && res->type == BV_T_TUPLE && res->n == 3 &&
          bv_term_is_atom(bv_term_elem(res, 0), "error"))
        return remote_failed(c, bv_term_elem(res, 2));
      return bv_error_set(BV_ETERM, "unexpected answer from node %s to a call", c->node);
    }
    const bv_term *reply = bv_term_elem(t, 1);
    /* {Id, async}: the wrapper started the template; its value comes next */
    if (reply && reply->type == BV_T_TUPLE && reply->n == 2 &&
        bv_term_int(bv_term_elem(reply, 0), -1) == id)
      continue;
    /* {badrpc, Reason}: the wrapper itself failed */
    if (reply && reply->type == BV_T_TUPLE && reply->n == 2 &&
        bv_term_is_atom(bv_term_elem(reply, 0), "badrpc")) {
      const bv_term *why = bv_term_elem(reply, 1);
      /* {'EXIT', {Reason, Stack}}: keep the reason */
      if (why && why->type == BV_T_TUPLE && bv_term_is_atom(bv_term_elem(why, 0), "EXIT")) {
        const bv_term *rs = bv_term_elem(why, 1);
        why = (rs && rs->type == BV_T_TUPLE && rs->n == 2) ? bv_term_elem(rs, 0) : rs;
      }
      return remote_failed(c, why);
    }
    /* a late reply to an earlier call that timed out: drop it */
  }
}

int bv_conn_eval_src(bv_conn *c, const char *src, const bv_binding *b, size_t nb,
                     unsigned timeout_ms, bv_arena *a, bv_term **result)
{
  *result = NULL;
  unsigned ms = timeout_ms ? timeout_ms : c->timeout_ms;
  uint64_t deadline = now_ms() + ms;
  long id = ++c->next_id;
  int rc = send_eval(c, id, src, b, nb, ms);
  if (rc)
    return rc;
  return wait_reply(c, id, deadline, a, result);
}

int bv_conn_eval(bv_conn *c, const char *tmpl, const bv_binding *b, size_t nb,
                 unsigned timeout_ms, bv_arena *a, bv_term **result)
{
  const char *src = bv_template(tmpl, NULL);
  if (!src)
    return bv_error_set(BV_EINVAL, "no embedded template %s", tmpl);
  return bv_conn_eval_src(c, src, b, nb, timeout_ms, a, result);
}

int bv_conn_call(bv_conn *c, const char *mod, const char *fun, const bv_binding *args,
                 size_t nargs, unsigned timeout_ms, bv_arena *a, bv_term **result)
{
  /* M:F(A1, ..., An). evaluated with bindings A1..An */
  if (nargs > 9)
    return bv_error_set(BV_EINVAL, "too many arguments");
  char src[256];
  bv_binding named[9];
  if (strlen(mod) + strlen(fun) > 200)
    return bv_error_set(BV_EINVAL, "call: module or function name too long");
  int k = snprintf(src, sizeof src, "%s:%s(", mod, fun);
  static const char *names[] = {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"};
  for (size_t i = 0; i < nargs; i++) {
    named[i] = args[i];
    named[i].name = names[i];
    /* at most 200 + 2 + 9 * 3 + 2 bytes in all: within src */
    k += snprintf(src + k, sizeof src - (size_t)k, "%s%s", i ? "," : "", names[i]);
  }
  snprintf(src + k, sizeof src - (size_t)k, ").");
  return bv_conn_eval_src(c, src, named, nargs, timeout_ms, a, result);
}

int bv_conn_recv(bv_conn *c, unsigned timeout_ms, bv_arena *a, bv_term **msg)
{
  *msg = NULL;
  if (c->qhead) {
    qmsg *m = c->qhead;
    c->qhead = m->next;
    if (!c->qhead)
      c->qtail = NULL;
    int rc = decode_copy(a, m->data, m->len, msg);
    free(m);
    return rc;
  }
  uint64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int r = recv_one(c, deadline);
    if (r < 0)
      return r;
    if (r == 0)
      return bv_error_set(BV_ETIMEOUT, "no message from node %s within %u ms", c->node,
                          timeout_ms);
    if (is_rex(c) || is_eval_reply(c))
      continue; /* late reply or value of a timed-out call */
    return decode_copy(a, c->x.buff, (size_t)c->x.index, msg);
  }
}

int bv_conn_send(bv_conn *c, const bv_term *pid, const bv_binding *parts, size_t n)
{
  if (!pid || pid->type != BV_T_PID)
    return bv_error_set(BV_EINVAL, "send: not a pid");
  erlang_pid to;
  memset(&to, 0, sizeof to);
  snprintf(to.node, sizeof to.node, "%s", pid->v.pid.node);
  to.num = (unsigned)pid->v.pid.id;
  to.serial = pid->v.pid.serial;
  to.creation = pid->v.pid.creation;
  ei_x_buff x;
  if (ei_x_new_with_version(&x) != 0)
    return bv_error_set(BV_ENOMEM, "out of memory");
  if (n != 1)
    ei_x_encode_tuple_header(&x, (long)n);
  for (size_t i = 0; i < n; i++)
    enc_binding_value(c, &x, &parts[i]);
  int r = ei_send_tmo(c->fd, &to, x.buff, x.index, c->timeout_ms);
  ei_x_free(&x);
  return r < 0 ? closed_error(c, erl_errno) : 0;
}
