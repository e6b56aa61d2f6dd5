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
#include "node/node.h"
#include "node/conn_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
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

/* beamviz joins as beamviz_0 .. beamviz_15, the first the target does not
 * have connected: the target keeps every peer's node name as an atom for
 * good, so a new name per run would leak one atom per run. */
#define BV_NAMES 16

/* Messages the target sends that beamviz has not asked for yet (a stream that
 * started before the call that started it has answered) wait in a queue, up
 * to this many and this many bytes. Streams in normal use queue a few
 * chunks at most. */
#define BV_QUEUE_MAX 10000
#define BV_QUEUE_MAX_BYTES ((size_t)64 << 20)

/* Bytes read from the socket at once: several small messages per read. */
#define BV_IBUF 65536

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
  size_t max_message;   /* bytes one distribution packet may hold */
  long next_id;
  unsigned long round_trips;
  qmsg *qhead, *qtail;
  size_t qcount, qbytes;
  /* The deadline of the step under way (CLOCK_MONOTONIC ms). ei's socket
   * callbacks cut every wait to it: ei's own timeouts apply per read. */
  uint64_t deadline;
  /* What the current connection attempt saw, to tell why it failed. */
  int hs_active;        /* handshake under way: reads are recorded */
  int hs_connected;     /* the TCP connection was made */
  int hs_errno;         /* why the TCP connection failed */
  int hs_timed_out;     /* a callback gave up at the deadline */
  unsigned char hs_in[40];
  size_t hs_inn;        /* first bytes read in the handshake (the status) */
  size_t hs_read;       /* all bytes read in the handshake */
  /* The packet being read: length, then body. Reading resumes where a
   * timeout left it, so a message that was still arriving is not lost. */
  unsigned char hdr[4];
  size_t hdr_got;
  size_t pkt_len, pkt_got, pkt_cap;
  unsigned char *pkt;   /* grows as bytes arrive, never to a claimed length */
  const unsigned char *msg; /* the last message's payload (inside pkt) */
  size_t msglen;
  size_t ipos, iend;    /* unread bytes in ibuf */
  unsigned char ibuf[BV_IBUF];
};

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
    uint64_t now = bv_now_ms();
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
    uint64_t now = bv_now_ms();
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

/* Milliseconds left until deadline (0 once it has passed). */
static unsigned left_ms(uint64_t deadline)
{
  uint64_t now = bv_now_ms();
  return now < deadline ? (unsigned)(deadline - now) : 0;
}

/* Lists node names registered in epmd, for "not registered" messages. */
static void epmd_names(target *t, char *out, size_t cap, uint64_t dl)
{
  out[0] = 0;
  struct sockaddr_storage ss = t->addr;
  set_port(&ss, EPMD_PORT);
  unsigned ms = left_ms(dl);
  int fd = ms ? tcp_connect((struct sockaddr *)&ss, t->addrlen, ms) : -ETIMEDOUT;
  if (fd < 0)
    return;
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

/* Asks epmd for the node's port (PORT_PLEASE2), by dl, the deadline of the
 * whole connection step (ms long). */
static int epmd_lookup(target *t, uint64_t dl, unsigned ms)
{
  struct sockaddr_storage ss = t->addr;
  set_port(&ss, EPMD_PORT);
  int fd = tcp_connect((struct sockaddr *)&ss, t->addrlen, left_ms(dl));
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
    epmd_names(t, names, sizeof names, dl);
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

/* --- ei's socket ---------------------------------------------------------- */

/* ei applies its timeouts to each read and write, so a peer that sends a byte
 * now and then holds a handshake or a send for ever. ei lets the caller supply
 * the socket (its "user supplied socket implementation"); these callbacks
 * wait at most until the connection's deadline (c->deadline, set for each
 * step), whatever ei's own timeout says, and say ETIMEDOUT once it has passed.
 * EI_SCLBK_FLG_FULL_IMPL: they implement the waiting themselves; the socket
 * stays in blocking mode, each call uses MSG_DONTWAIT. */
typedef struct sock {
  bv_conn *c;
  int fd;
} sock;

/* poll timeout for a callback: ei's tmo cut to the step's deadline */
static int cb_wait_ms(const bv_conn *c, unsigned tmo)
{
  long long w = tmo == EI_SCLBK_INF_TMO ? -1 : (long long)tmo;
  if (c->deadline) {
    long long left = (long long)left_ms(c->deadline);
    if (w < 0 || left < w)
      w = left;
  }
  return w > INT_MAX ? INT_MAX : (int)w;
}

static int cb_poll(sock *s, short ev, unsigned tmo)
{
  for (;;) {
    struct pollfd p = {s->fd, ev, 0};
    int pr = poll(&p, 1, cb_wait_ms(s->c, tmo));
    if (pr > 0)
      return 0; /* ready, or an error the next call reports */
    if (pr == 0) {
      s->c->hs_timed_out = 1;
      return ETIMEDOUT;
    }
    if (errno != EINTR)
      return errno;
  }
}

static int cb_socket(void **ctx, void *setup)
{
  sock *s = calloc(1, sizeof *s);
  if (!s)
    return ENOMEM;
  s->c = setup;
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->fd < 0) {
    int e = errno;
    free(s);
    return e;
  }
  /* requests are small and answered at once: no Nagle delay */
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  *ctx = s;
  return 0;
}

static int cb_close(void *ctx)
{
  sock *s = ctx;
  int rc = close(s->fd) == 0 ? 0 : errno;
  free(s);
  return rc;
}

/* beamviz never listens */
static int cb_listen(void *ctx, void *addr, int *len, int backlog) { return EOPNOTSUPP; }
static int cb_accept(void **ctx, void *addr, int *len, unsigned tmo) { return EOPNOTSUPP; }

static int cb_connect(void *ctx, void *addr, int len, unsigned tmo)
{
  sock *s = ctx;
  int fl = fcntl(s->fd, F_GETFL);
  if (fl < 0 || fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return errno;
  int e = 0;
  if (connect(s->fd, addr, (socklen_t)len) != 0) {
    e = errno;
    if (e == EINPROGRESS || e == EINTR) {
      e = cb_poll(s, POLLOUT, tmo);
      socklen_t el = sizeof e;
      if (!e && getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
        e = errno;
    }
  }
  fcntl(s->fd, F_SETFL, fl);
  if (e)
    s->c->hs_errno = e;
  else
    s->c->hs_connected = 1;
  return e;
}

static int cb_writev(void *ctx, const void *iov, int iovcnt, ssize_t *len, unsigned tmo)
{
  sock *s = ctx;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = (struct iovec *)iov;
  m.msg_iovlen = (size_t)iovcnt;
  for (;;) {
    ssize_t k = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (k >= 0) {
      *len = k;
      return 0;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return errno;
    int e = errno == EINTR ? 0 : cb_poll(s, POLLOUT, tmo);
    if (e)
      return e;
  }
}

static int cb_write(void *ctx, const char *buf, ssize_t *len, unsigned tmo)
{
  struct iovec v = {(void *)buf, (size_t)*len};
  return cb_writev(ctx, &v, 1, len, tmo);
}

static int cb_read(void *ctx, char *buf, ssize_t *len, unsigned tmo)
{
  sock *s = ctx;
  bv_conn *c = s->c;
  for (;;) {
    ssize_t k = recv(s->fd, buf, (size_t)*len, MSG_DONTWAIT);
    if (k >= 0) {
      /* the handshake's first bytes hold the status: why a name was refused */
      if (c->hs_active)
        c->hs_read += (size_t)k;
      if (c->hs_active && c->hs_inn < sizeof c->hs_in) {
        size_t n = sizeof c->hs_in - c->hs_inn;
        if ((size_t)k < n)
          n = (size_t)k;
        memcpy(c->hs_in + c->hs_inn, buf, n);
        c->hs_inn += n;
      }
      *len = k;
      return 0;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return errno;
    int e = errno == EINTR ? 0 : cb_poll(s, POLLIN, tmo);
    if (e)
      return e;
  }
}

/* the plain distribution protocol: 2-byte handshake packet lengths */
static int cb_hs_header_size(void *ctx, int *sz)
{
  *sz = 2;
  return 0;
}

static int cb_hs_complete(void *ctx)
{
  ((sock *)ctx)->c->hs_active = 0;
  return 0;
}

static int cb_get_fd(void *ctx, int *fd)
{
  *fd = ((sock *)ctx)->fd;
  return 0;
}

static ei_socket_callbacks sock_cbs = {
    EI_SCLBK_FLG_FULL_IMPL, cb_socket, cb_close, cb_listen, cb_accept, cb_connect, cb_writev,
    cb_write, cb_read, cb_hs_header_size, cb_hs_complete, cb_hs_complete, cb_get_fd};

/* --- receiving ----------------------------------------------------------- */

static int closed_error(bv_conn *c, int e)
{
  if (e == ETIMEDOUT)
    return bv_error_set(BV_ETIMEOUT, "node %s did not answer in time", c->node);
  if (e == EPIPE || e == ECONNRESET || e == 0)
    return bv_error_set(BV_ECLOSED, "node %s went away (connection closed)", c->node);
  return bv_error_set(BV_ECLOSED, "node %s went away (connection closed: %s)", c->node,
                      strerror(e));
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads 1..n bytes of the stream into dst: what is buffered, else from the
 * socket, waiting until the deadline. Returns the count, -ETIMEDOUT, -EPIPE
 * at the end of the stream, or -errno. */
static ssize_t get_some(bv_conn *c, unsigned char *dst, size_t n, uint64_t deadline)
{
  if (c->ipos < c->iend) {
    size_t k = c->iend - c->ipos < n ? c->iend - c->ipos : n;
    memcpy(dst, c->ibuf + c->ipos, k);
    c->ipos += k;
    return (ssize_t)k;
  }
  /* big reads go straight to their place, small ones through ibuf */
  int direct = n >= sizeof c->ibuf;
  for (;;) {
    ssize_t k = recv(c->fd, direct ? dst : c->ibuf, direct ? n : sizeof c->ibuf, MSG_DONTWAIT);
    if (k > 0) {
      if (direct)
        return k;
      c->ipos = 0;
      c->iend = (size_t)k;
      return get_some(c, dst, n, deadline);
    }
    if (k == 0)
      return -EPIPE;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    uint64_t now = bv_now_ms();
    if (now >= deadline)
      return -ETIMEDOUT;
    uint64_t w = deadline - now;
    struct pollfd p = {c->fd, POLLIN, 0};
    if (poll(&p, 1, w > INT_MAX ? INT_MAX : (int)w) < 0 && errno != EINTR)
      return -errno;
  }
}

/* Writes all n bytes by the deadline (answers to ticks). */
static int put_all(bv_conn *c, const unsigned char *p, size_t n, uint64_t deadline)
{
  while (n) {
    ssize_t k = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (k > 0) {
      p += k;
      n -= (size_t)k;
      continue;
    }
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    uint64_t now = bv_now_ms();
    if (now >= deadline)
      return -ETIMEDOUT;
    uint64_t w = deadline - now;
    struct pollfd pf = {c->fd, POLLOUT, 0};
    if (poll(&pf, 1, w > INT_MAX ? INT_MAX : (int)w) < 0 && errno != EINTR)
      return -errno;
  }
  return 0;
}

/* Reads the next distribution packet (4-byte length, then that many bytes)
 * into c->pkt, answering ticks (length 0). The length is checked against
 * c->max_message before anything is allocated, and the buffer grows only as
 * bytes arrive. Returns 1 with a packet, 0 at the deadline (what has arrived
 * stays for the next call), <0 on error. */
static int read_packet(bv_conn *c, uint64_t deadline)
{
  for (;;) {
    while (c->hdr_got < 4) {
      ssize_t k = get_some(c, c->hdr + c->hdr_got, 4 - c->hdr_got, deadline);
      if (k == -ETIMEDOUT)
        return 0;
      if (k < 0)
        return closed_error(c, (int)-k);
      c->hdr_got += (size_t)k;
    }
    uint32_t len = be32(c->hdr);
    if (len == 0) {
      static const unsigned char tock[4];
      int r = put_all(c, tock, sizeof tock, deadline);
      if (r == -ETIMEDOUT)
        return 0;
      if (r < 0)
        return closed_error(c, -r);
      c->hdr_got = 0;
      if (bv_now_ms() >= deadline) /* a stream of ticks cannot hold the step either */
        return 0;
      continue;
    }
    if (len > c->max_message)
      return bv_error_set(BV_ETERM,
                          "node %s sent a message of %lu bytes, more than the limit of %zu "
                          "MiB on one message",
                          c->node, (unsigned long)len, c->max_message >> 20);
    c->pkt_len = len;
    while (c->pkt_got < len) {
      if (c->pkt_got == c->pkt_cap) {
        size_t want = c->pkt_cap ? c->pkt_cap * 2 : sizeof c->ibuf;
        if (want > len)
          want = len;
        unsigned char *p = realloc(c->pkt, want);
        if (!p)
          return bv_error_set(BV_ENOMEM, "out of memory reading a message of %lu bytes from %s",
                              (unsigned long)len, c->node);
        c->pkt = p;
        c->pkt_cap = want;
      }
      size_t room = (c->pkt_cap < len ? c->pkt_cap : len) - c->pkt_got;
      ssize_t k = get_some(c, c->pkt + c->pkt_got, room, deadline);
      if (k == -ETIMEDOUT)
        return 0;
      if (k < 0)
        return closed_error(c, (int)-k);
      c->pkt_got += (size_t)k;
    }
    c->hdr_got = 0;
    c->pkt_got = 0;
    return 1;
  }
}

/* Skips one term of a control message: the few kinds one holds (integers,
 * atoms, pids, tuples of them: a trace token). -1 for anything else. */
static int ctl_skip(const unsigned char *p, size_t n, size_t *i, int depth)
{
  size_t k = *i, arity = 0;
  if (k >= n || depth > 3)
    return -1;
  switch (p[k]) {
  case 97: k += 2; break;                                     /* SMALL_INTEGER */
  case 98: k += 5; break;                                     /* INTEGER */
  case 106: k += 1; break;                                    /* NIL */
  case 110: if (k + 1 >= n) return -1; k += 3 + (size_t)p[k + 1]; break;  /* SMALL_BIG */
  case 115: case 119:                                         /* small atoms */
    if (k + 1 >= n) return -1;
    k += 2 + (size_t)p[k + 1];
    break;
  case 100: case 118:                                         /* atoms */
    if (k + 2 >= n) return -1;
    k += 3 + ((size_t)p[k + 1] << 8 | p[k + 2]);
    break;
  case 103: case 88: {                                        /* PID, NEW_PID */
    size_t j = k + 1;
    if (j >= n || !(p[j] == 100 || p[j] == 118 || p[j] == 115 || p[j] == 119) ||
        ctl_skip(p, n, &j, depth + 1) < 0)
      return -1;
    k = j + (p[k] == 103 ? 9 : 12); /* id, serial, creation */
    break;
  }
  case 104:                                                   /* SMALL_TUPLE */
    if (k + 1 >= n) return -1;
    arity = p[k + 1];
    k += 2;
    for (size_t e = 0; e < arity; e++) {
      *i = k;
      if (ctl_skip(p, n, i, depth + 1) < 0)
        return -1;
      k = *i;
    }
    break;
  default:
    return -1;
  }
  if (k > n)
    return -1;
  *i = k;
  return 0;
}

int bv_conn_packet(const char *node, const unsigned char *p, size_t n, size_t *off)
{
  if (n < 6 || p[0] != 112 || p[1] != 131 || p[2] != 104 || p[4] != 97)
    return bv_error_set(BV_ETERM, "node %s sent a distribution packet beamviz cannot read",
                        node);
  switch (p[5]) {
  case 2:  /* SEND */
  case 6:  /* REG_SEND */
  case 12: /* SEND_TT */
  case 16: /* REG_SEND_TT */
  case 22: /* SEND_SENDER */
  case 23: /* SEND_SENDER_TT */
    break;
  default:
    return 0;
  }
  size_t arity = p[3], i = 4;
  for (size_t e = 0; e < arity; e++)
    if (ctl_skip(p, n, &i, 0) < 0)
      return bv_error_set(BV_ETERM, "node %s sent a malformed message header", node);
  if (i >= n || p[i] != 131)
    return bv_error_set(BV_ETERM, "node %s sent a message header with no message", node);
  *off = i;
  return 1;
}

/* The message in the packet at c->pkt, at c->msg: 1, 0 for a signal, <0. */
static int packet_message(bv_conn *c)
{
  size_t off = 0;
  int r = bv_conn_packet(c->node, c->pkt, c->pkt_len, &off);
  if (r == 1) {
    c->msg = c->pkt + off;
    c->msglen = c->pkt_len - off;
  }
  return r;
}

/* Receives one message. Returns 1 with its bytes at c->msg, 0 at the
 * deadline, <0 on error. The deadline is checked before each packet too: a
 * peer that never stops sending what beamviz drops cannot hold it. */
static int recv_one(bv_conn *c, uint64_t deadline)
{
  for (;;) {
    if (bv_now_ms() >= deadline) /* whatever is buffered: data always waiting holds no step */
      return 0;
    int r = read_packet(c, deadline);
    if (r <= 0)
      return r;
    if ((r = packet_message(c)) != 0)
      return r;
    if (bv_now_ms() >= deadline)
      return 0;
  }
}

/* "... within N ms", and whether a message was still arriving */
static int late_answer(bv_conn *c, const char *what, unsigned ms)
{
  return bv_error_set(BV_ETIMEOUT, "node %s did not %s within %u ms%s", c->node, what, ms,
                      c->hdr_got ? " (a message was still arriving)" : "");
}

static int enqueue(bv_conn *c, const unsigned char *p, size_t n)
{
  if (c->qcount >= BV_QUEUE_MAX)
    return bv_error_set(BV_ETERM,
                        "node %s sent more than %d messages beamviz had not asked for yet",
                        c->node, BV_QUEUE_MAX);
  if (n > BV_QUEUE_MAX_BYTES - c->qbytes)
    return bv_error_set(BV_ETERM,
                        "node %s sent more than %zu MiB of messages beamviz had not asked for yet",
                        c->node, BV_QUEUE_MAX_BYTES >> 20);
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
  c->qcount++;
  c->qbytes += n;
  return 0;
}

/* Decodes bytes after copying them into the arena so raw pointers stay valid.
 * The decoded terms are charged against the same cap as the wire bytes, so one
 * number (max_message) bounds what a message may cost. */
static int decode_copy(const bv_conn *c, bv_arena *a, const void *p, size_t n, bv_term **out)
{
  unsigned char *copy = bv_arena_alloc(a, n ? n : 1);
  if (!copy)
    return bv_error_set(BV_ENOMEM, "out of memory");
  memcpy(copy, p, n);
  size_t off = 0;
  return bv_term_decode_max(a, copy, n, &off, c->max_message, out);
}

/* Is the message at c->msg a reply {rex, ...}? Cheap byte check, no decode. */
static int is_rex(const bv_conn *c)
{
  const unsigned char *p = c->msg;
  size_t n = c->msglen;
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

/* Is the message at c->msg {bv_eval, Id, Result} (templates/eval_async.erl)? */
static int is_eval_reply(const bv_conn *c)
{
  const unsigned char *p = c->msg;
  size_t n = c->msglen;
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

/* Random bits, for this run's creation and first request id. */
static uint32_t random32(void)
{
  uint32_t r;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
    return r;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)getpid() << 16;
}

/* The status the target answered the last connection attempt with ("ok",
 * "alive", "nok", "not_allowed" ...; "" if none came): the first handshake
 * packet read, 2-byte length then 's' and the status. */
static void hs_status(const bv_conn *c, char *st, size_t cap)
{
  st[0] = 0;
  size_t len = c->hs_inn >= 3 ? (size_t)c->hs_in[0] << 8 | c->hs_in[1] : 0;
  if (len < 2 || c->hs_in[2] != 's')
    return;
  size_t n = len - 1;
  if (n > c->hs_inn - 3)
    n = c->hs_inn - 3;
  if (n >= cap)
    n = cap - 1;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = c->hs_in[3 + i];
    st[i] = (char)(ch >= 32 && ch < 127 ? ch : '?');
  }
  st[n] = 0;
}

/* Did the packet after the status (the challenge) arrive whole? Only then
 * has beamviz sent its digest, and only then can a close mean that the
 * cookie was rejected. */
static int hs_challenge_came(const bv_conn *c)
{
  if (c->hs_inn < 2)
    return 0;
  size_t st = 2 + ((size_t)c->hs_in[0] << 8 | c->hs_in[1]);
  if (c->hs_inn < st + 2)
    return 0;
  return c->hs_read >= st + 2 + ((size_t)c->hs_in[st] << 8 | c->hs_in[st + 1]);
}

/* Connects and shakes hands as beamviz_0, or the next name if the target has
 * that one connected (it answers "alive", or "nok" while that name's own
 * handshake is under way, or closes at once while it settles the previous
 * one): each name is one atom on the target, and 16 of them for good is the
 * whole cost. The target never replaces the connection already there (ei
 * does not confirm "alive"). One deadline for everything. */
static int shake_hands(bv_conn *c, const target *t, const char *cookie, int longnames,
                       unsigned ms)
{
  char myhost[256], alive[32], full[512];
  if (longnames) {
    snprintf(myhost, sizeof myhost, "%s", t->local_ip[0] ? t->local_ip : "127.0.0.1");
  } else {
    if (gethostname(myhost, sizeof myhost) != 0)
      snprintf(myhost, sizeof myhost, "localhost");
    myhost[sizeof myhost - 1] = 0;
    char *dot = strchr(myhost, '.');
    if (dot)
      *dot = 0;
  }
  /* A new creation each run: pids of an earlier run under the same name are
   * not this run's, so nothing still addressed to them reaches this one. */
  unsigned creation = random32() & 0x7fffffffu;
  if (creation < 4)
    creation += 4;
  int ok_closed = 0, busy = 0;
  for (int n = 0; n < BV_NAMES; n++) {
    snprintf(alive, sizeof alive, "beamviz_%d", n);
    snprintf(full, sizeof full, "%s@%s", alive, myhost);
    if (ei_connect_xinit_ussi(&c->ec, myhost, alive, full, NULL, cookie, creation, &sock_cbs,
                              sizeof sock_cbs, c) < 0)
      return bv_error_set(BV_EIO, "erl_interface: cannot set up node name %s", full);
    c->hs_active = 1;
    c->hs_connected = c->hs_errno = c->hs_timed_out = 0;
    c->hs_inn = c->hs_read = 0;
    unsigned left = left_ms(c->deadline);
    int fd = -1, e = ETIMEDOUT;
    if (left) {
      if (t->addr.ss_family == AF_INET) {
        struct in_addr ip4 = ((const struct sockaddr_in *)&t->addr)->sin_addr;
        fd = ei_xconnect_host_port_tmo(&c->ec, &ip4, t->port, left);
      } else {
        char host[256];
        snprintf(host, sizeof host, "%s", t->host);
        fd = ei_connect_host_port_tmo(&c->ec, host, t->port, left);
      }
      e = erl_errno;
    }
    c->hs_active = 0;
    if (fd >= 0) {
      c->fd = fd;
      return 0;
    }
    if (c->hs_timed_out || e == ETIMEDOUT || !left) {
      if (!c->hs_connected)
        return bv_error_set(BV_ETIMEOUT, "connecting to node %s timed out after %u ms", c->node,
                            ms);
      return bv_error_set(BV_ETIMEOUT, "node %s did not %s the handshake within %u ms", c->node,
                          c->hs_inn ? "complete" : "answer", ms);
    }
    if (!c->hs_connected) {
      if (c->hs_errno == ECONNREFUSED)
        return bv_error_set(BV_ENONODE,
                            "node %s refused the connection on port %d (stale epmd entry?)",
                            c->node, t->port);
      return bv_error_set(BV_ENONODE, "cannot connect to node %s on port %d: %s", c->node,
                          t->port, strerror(c->hs_errno ? c->hs_errno : e));
    }
    char st[24];
    hs_status(c, st, sizeof st);
    if (strcmp(st, "alive") == 0 || strcmp(st, "nok") == 0) {
      busy++;
      continue;
    }
    if (!st[0] && c->hs_inn == 0)
      continue;
    if (strcmp(st, "not_allowed") == 0)
      return bv_error_set(BV_EAUTH,
                          "node %s does not allow a connection from %s (not_allowed: its "
                          "net_kernel:allow/1 list, or distribution flags)",
                          c->node, full);
    /* "ok", then closed: another beamviz connecting as the same name at the
     * same moment made the target drop this attempt (of two at once it keeps
     * one when its own name sorts first), or the cookie was rejected: that
     * only once the challenge has come (and so the digest has gone). The
     * first time, take the next name. */
    if (strncmp(st, "ok", 2) == 0 && (!hs_challenge_came(c) || ok_closed++ == 0))
      continue;
    if (strncmp(st, "ok", 2) == 0)
      return bv_error_set(BV_EAUTH,
                          "node %s rejected the handshake: cookie rejected (or %s names do "
                          "not match the node's)",
                          c->node, longnames ? "long" : "short");
    return bv_error_set(BV_EAUTH, "node %s rejected the handshake (status \"%s\")", c->node,
                        st[0] ? st : "?");
  }
  if (!busy)
    return bv_error_set(BV_EAUTH, "node %s closed every connection during the handshake",
                        c->node);
  return bv_error_set(BV_EREFUSED,
                      "node %s has all %d node names beamviz uses connected (beamviz_0 .. "
                      "beamviz_%d: %d beamviz at once?); beamviz takes no other name, as each "
                      "new name stays on the node as an atom",
                      c->node, BV_NAMES, BV_NAMES - 1, BV_NAMES);
}

static pthread_once_t ei_once = PTHREAD_ONCE_INIT;
static int ei_init_rc;
static void ei_init_once(void) { ei_init_rc = ei_init(); }

int bv_conn_open(const bv_conn_opts *o, bv_conn **out)
{
  *out = NULL;
  if (!o->node || !*o->node)
    return bv_error_set(BV_EINVAL, "no node name given");
  if (!o->cookie)
    return bv_error_set(BV_EINVAL, "no cookie for node %s", o->node);
  /* once per process, whichever thread connects first (cluster runs
   * connect from several threads) */
  pthread_once(&ei_once, ei_init_once);
  if (ei_init_rc != 0)
    return bv_error_set(BV_EIO, "erl_interface failed to initialise");
  unsigned ms = o->timeout_ms ? o->timeout_ms : 5000;
  /* one deadline for the whole step: epmd, connecting, the handshake */
  uint64_t deadline = bv_now_ms() + ms;
  target t;
  memset(&t, 0, sizeof t);
  int rc = split_node(o->node, &t);
  if (rc)
    return rc;
  if ((rc = resolve(&t, ms)) || (rc = epmd_lookup(&t, deadline, ms)))
    return rc;

  bv_conn *c = calloc(1, sizeof *c);
  if (!c)
    return bv_error_set(BV_ENOMEM, "out of memory");
  c->fd = -1;
  c->timeout_ms = ms;
  c->max_message = o->max_message ? o->max_message : BV_CONN_MAX_MESSAGE;
  if (c->max_message > UINT32_MAX)
    c->max_message = UINT32_MAX;
  /* requests are told apart by id; a random start keeps a late reply to an
   * earlier run under the same name from matching one of this run's */
  c->next_id = (long)(random32() >> 2);
  c->deadline = deadline;
  snprintf(c->node, sizeof c->node, "%s@%s", t.alive, t.host);
  int longnames = strchr(t.host, '.') != NULL || strchr(t.host, ':') != NULL;
  if ((rc = shake_hands(c, &t, o->cookie, longnames, ms)) || (rc = read_facts(c))) {
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
  free(c->pkt);
  free(c);
}

const char *bv_conn_node(const bv_conn *c) { return c->node; }
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

  int r = ei_send_reg_encoded_tmo(c->fd, ei_self(&c->ec), "rex", x.buff, x.index, ms ? ms : 1);
  ei_x_free(&x);
  if (r < 0 && erl_errno == ETIMEDOUT)
    return late_answer(c, "take a request", ms);
  if (r < 0)
    return closed_error(c, erl_errno);
  c->round_trips++;
  return 0;
}

/* The one "await my message before the deadline" loop. A step that awaits a
 * call's reply takes rex and template values (replies) and queues everything
 * else for a later step; a step that awaits a message takes the queued ones
 * first and drops late replies of calls that timed out. Each candidate is
 * decoded into a (reset first when reset is set, so a holds only the current
 * one) and shown to match, which takes it (1), drops it (0: not this step's)
 * or fails (<0); match NULL takes any. Returns 1 with *msg, 0 at the
 * deadline (the caller says what did not arrive), <0 on error. */
static int await_msg(bv_conn *c, int replies, uint64_t deadline, int reset, bv_arena *a,
                     bv_await_fn match, void *ud, bv_term **msg)
{
  for (;;) {
    int r;
    if (!replies && c->qhead) {
      qmsg *m = c->qhead;
      c->qhead = m->next;
      if (!c->qhead)
        c->qtail = NULL;
      c->qcount--;
      c->qbytes -= m->len;
      if (reset)
        bv_arena_reset(a);
      r = decode_copy(c, a, m->data, m->len, msg);
      free(m);
    } else {
      if ((r = recv_one(c, deadline)) <= 0)
        return r;
      int reply = is_rex(c) || is_eval_reply(c);
      if (reply != replies) {
        if (replies && (r = enqueue(c, c->msg, c->msglen)))
          return r;
        continue; /* queued for later, or a late reply of a call that timed out */
      }
      if (reset)
        bv_arena_reset(a);
      r = decode_copy(c, a, c->msg, c->msglen, msg);
    }
    if (r)
      return r;
    if ((r = match ? match(*msg, ud) : 1) != 0)
      return r;
    if (bv_now_ms() >= deadline)
      return 0; /* a stream of messages that are not this step's holds no step */
  }
}

int bv_conn_await(bv_conn *c, uint64_t deadline, bv_arena *a, bv_await_fn match, void *ud,
                  bv_term **msg)
{
  *msg = NULL;
  if (bv_now_ms() >= deadline)
    return bv_error_set(BV_ETIMEOUT, "no message from node %s in time", c->node);
  int r = await_msg(c, 0, deadline, 1, a, match, ud, msg);
  if (r == 0) {
    *msg = NULL;
    return bv_error_set(BV_ETIMEOUT, "no message from node %s in time%s", c->node,
                        c->hdr_got ? " (a message was still arriving)" : "");
  }
  return r < 0 ? r : 0;
}

int bv_await_ref(const bv_term *msg, void *ref)
{
  const bv_term *want = ref, *mref = bv_term_elem(msg, 1);
  return mref && mref->rawlen == want->rawlen && memcmp(mref->raw, want->raw, want->rawlen) == 0;
}

typedef struct reply_ctx {
  bv_conn *c;
  long id;
  bv_term *result;
} reply_ctx;

/* Is t the reply of request ctx->id? Takes {bv_eval, Id, {ok, Value}} (the
 * value in ctx->result), fails on {bv_eval, Id, {error, ...}} and on rex's
 * {badrpc, Reason}, drops rex's {Id, async} and late replies of earlier
 * calls. */
static int match_reply(const bv_term *t, void *ud)
{
  reply_ctx *x = ud;
  bv_conn *c = x->c;
  if (!bv_term_is_atom(bv_term_elem(t, 0), "rex")) {
    if (bv_term_int(bv_term_elem(t, 1), -1) != x->id)
      return 0; /* the late value of an earlier call that timed out */
    const bv_term *res = bv_term_elem(t, 2);
    if (res && res->type == BV_T_TUPLE && res->n == 2 && bv_term_is_atom(bv_term_elem(res, 0), "ok")) {
      x->result = (bv_term *)bv_term_elem(res, 1);
      return 1;
    }
    if (res && res->type == BV_T_TUPLE && res->n == 3 &&
        bv_term_is_atom(bv_term_elem(res, 0), "error"))
      return remote_failed(c, bv_term_elem(res, 2));
    return bv_error_set(BV_ETERM, "unexpected answer from node %s to a call", c->node);
  }
  const bv_term *reply = bv_term_elem(t, 1);
  /* {Id, async}: the wrapper started the template; its value comes next */
  if (reply && reply->type == BV_T_TUPLE && reply->n == 2 &&
      bv_term_int(bv_term_elem(reply, 0), -1) == x->id)
    return 0;
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
  return 0; /* a late reply to an earlier call that timed out: drop it */
}

/* rex answers {Id, async} at once; the template's value follows as
 * {bv_eval, Id, {ok, Value} | {error, Class, Reason}}. Other messages that
 * arrive meanwhile (a template's own streams) are queued for a later bv_conn_await. */
static int wait_reply(bv_conn *c, long id, uint64_t deadline, unsigned ms, bv_arena *a,
                      bv_term **result)
{
  reply_ctx x = {c, id, NULL};
  bv_term *t;
  int r = await_msg(c, 1, deadline, 0, a, match_reply, &x, &t);
  if (r == 0)
    return late_answer(c, "answer", ms);
  if (r < 0)
    return r;
  *result = x.result;
  return 0;
}

int bv_conn_eval_src(bv_conn *c, const char *src, const bv_binding *b, size_t nb,
                     unsigned timeout_ms, bv_arena *a, bv_term **result)
{
  *result = NULL;
  unsigned ms = timeout_ms ? timeout_ms : c->timeout_ms;
  uint64_t deadline = bv_now_ms() + ms;
  c->deadline = deadline; /* the request is sent within the call's deadline too */
  long id = ++c->next_id;
  int rc = send_eval(c, id, src, b, nb, ms);
  if (rc)
    return rc;
  return wait_reply(c, id, deadline, ms, a, result);
}

int bv_conn_eval(bv_conn *c, const char *tmpl, const bv_binding *b, size_t nb,
                 unsigned timeout_ms, bv_arena *a, bv_term **result)
{
  const char *src = bv_template(tmpl, NULL);
  if (!src)
    return bv_error_set(BV_EINVAL, "no embedded template %s", tmpl);
  return bv_conn_eval_src(c, src, b, nb, timeout_ms, a, result);
}
