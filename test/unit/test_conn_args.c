/* test_conn_args.c: what bv_conn_open decides before or without a real node, offline
 * (loopback only): argument checks, node-name syntax, and each epmd answer mapped to
 * its error class with a message naming the node and the cause. epmd is played by a
 * forked child on a port of its own, reached through ERL_EPMD_PORT. */
#include "collect/collect.h"
#include "emit/emit.h"
#include "render/render.h"
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int open_conn(const char *node, const char *cookie, unsigned ms)
{
  bv_conn_opts o = {node, cookie, ms, 0};
  bv_conn *c = (bv_conn *)1;
  int rc = bv_conn_open(&o, &c);
  CHECK(rc != 0 || c != NULL);
  if (rc == 0)
    bv_conn_free(c);
  else
    CHECK(c == NULL);
  return rc;
}

static void test_args(void)
{
  static const struct {
    const char *node;
    const char *err;
  } names[] = {
      {"", "no node name given"},
      {"@127.0.0.1", "bad node name '@127.0.0.1'"},
      {"a b@127.0.0.1", "bad node name 'a b@127.0.0.1': ' ' is not allowed before '@'"},
      {"a.b@127.0.0.1", "bad node name 'a.b@127.0.0.1': '.' is not allowed before '@'"},
      {"x@", "bad node name 'x@': empty or long host"},
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    CHECK_INT(open_conn(names[i].node, "c", 500), BV_EINVAL);
    CHECK_STR(bv_error_last(), names[i].err);
  }
  CHECK_INT(open_conn(NULL, "c", 500), BV_EINVAL);
  CHECK_INT(open_conn("n@127.0.0.1", NULL, 500), BV_EINVAL);
  CHECK_STR(bv_error_last(), "no cookie for node n@127.0.0.1");
  /* names too long for the protocol */
  char lng[400];
  memset(lng, 'a', 300);
  snprintf(lng + 300, sizeof lng - 300, "@127.0.0.1");
  CHECK_INT(open_conn(lng, "c", 500), BV_EINVAL);
  snprintf(lng, sizeof lng, "n@");
  memset(lng + 2, 'h', 300);
  lng[302] = 0;
  CHECK_INT(open_conn(lng, "c", 500), BV_EINVAL);
  CHECK(strstr(bv_error_last(), "empty or long host") != NULL);
}

/* --- a scripted epmd ------------------------------------------------------ */

typedef enum {
  EPMD_SILENT,   /* accepts, never answers */
  EPMD_NOTFOUND, /* PORT2_RESP with result 1; NAMES lists "other" */
  EPMD_PORT,     /* PORT2_RESP with a port nobody listens on */
  EPMD_HANGUP    /* accepts and closes at once */
} epmd_mode;

static int listen_any(int *port)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0)
    return -1;
  socklen_t l = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &l);
  *port = ntohs(sa.sin_port);
  return fd;
}

static void read_req(int c, unsigned char *req, size_t cap, size_t *n)
{
  unsigned char h[2];
  *n = 0;
  if (read(c, h, 2) != 2)
    return;
  size_t want = (size_t)h[0] << 8 | h[1];
  while (*n < want && *n < cap) {
    ssize_t k = read(c, req + *n, cap - *n);
    if (k <= 0)
      break;
    *n += (size_t)k;
  }
}

static pid_t fake_epmd(epmd_mode mode, int dead_port, int *port)
{
  int fd = listen_any(port);
  if (fd < 0)
    return -1;
  pid_t pid = fork();
  if (pid != 0) {
    close(fd);
    return pid;
  }
  alarm(20); /* never outlive the test */
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c < 0)
      _exit(0);
    if (mode == EPMD_SILENT) {
      continue; /* keep it open, say nothing */
    }
    if (mode == EPMD_HANGUP) {
      close(c);
      continue;
    }
    unsigned char req[512];
    size_t n;
    read_req(c, req, sizeof req, &n);
    if (n >= 1 && req[0] == 122) { /* PORT_PLEASE2_REQ */
      if (mode == EPMD_NOTFOUND) {
        unsigned char r[2] = {119, 1};
        (void)!write(c, r, 2);
      } else {
        unsigned char r[14] = {119,
                               0,
                               (unsigned char)(dead_port >> 8),
                               (unsigned char)dead_port,
                               77,
                               0,
                               0,
                               6,
                               0,
                               5,
                               0,
                               1,
                               'x',
                               0};
        (void)!write(c, r, 14);
      }
    } else if (n >= 1 && req[0] == 110) { /* NAMES_REQ */
      const char body[] = "\0\0\x11\x11name other at port 4242\n";
      (void)!write(c, body, sizeof body - 1);
    }
    close(c);
  }
}

static void stop(pid_t pid)
{
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
}

static void set_epmd_port(int port)
{
  char p[16];
  snprintf(p, sizeof p, "%d", port);
  setenv("ERL_EPMD_PORT", p, 1);
}

static long elapsed_ms(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_epmd(void)
{
  int port, dead;
  /* a port nobody listens on: bind, note it, close */
  int tmp = listen_any(&dead);
  close(tmp);

  /* epmd not running */
  set_epmd_port(dead);
  CHECK_INT(open_conn("n@127.0.0.1", "c", 1000), BV_EEPMD);
  CHECK(strstr(bv_error_last(), "epmd is not running on 127.0.0.1") != NULL);
  CHECK(strstr(bv_error_last(), "n@127.0.0.1") != NULL);

  /* epmd accepts and never answers: a timeout within the bound */
  pid_t p = fake_epmd(EPMD_SILENT, 0, &port);
  set_epmd_port(port);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_INT(open_conn("n@127.0.0.1", "c", 300), BV_ETIMEOUT);
  CHECK_STR(bv_error_last(), "epmd on 127.0.0.1 did not answer within 300 ms");
  CHECK(elapsed_ms(&t0) < 3000);
  stop(p);

  /* name not registered: the registered names are listed */
  p = fake_epmd(EPMD_NOTFOUND, 0, &port);
  set_epmd_port(port);
  CHECK_INT(open_conn("n@127.0.0.1", "c", 1000), BV_ENONODE);
  CHECK_STR(bv_error_last(),
            "node n@127.0.0.1 is not registered in epmd on 127.0.0.1 (registered: other)");
  stop(p);

  /* epmd hangs up without an answer */
  p = fake_epmd(EPMD_HANGUP, 0, &port);
  set_epmd_port(port);
  int rc = open_conn("n@127.0.0.1", "c", 1000);
  CHECK(rc == BV_ENONODE || rc == BV_EEPMD);
  CHECK(strstr(bv_error_last(), "127.0.0.1") != NULL);
  stop(p);

  /* epmd gives a port where nothing listens: a stale entry */
  p = fake_epmd(EPMD_PORT, dead, &port);
  set_epmd_port(port);
  CHECK_INT(open_conn("n@127.0.0.1", "c", 1000), BV_ENONODE);
  CHECK(strstr(bv_error_last(), "n@127.0.0.1 refused the connection") != NULL);
  stop(p);

  /* the node's port accepts and never answers the handshake: a timeout */
  int silent_port;
  int silent = listen_any(&silent_port);
  p = fake_epmd(EPMD_PORT, silent_port, &port);
  set_epmd_port(port);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_INT(open_conn("n@127.0.0.1", "c", 300), BV_ETIMEOUT);
  CHECK(strstr(bv_error_last(), "n@127.0.0.1") != NULL);
  CHECK(elapsed_ms(&t0) < 5000);
  stop(p);
  close(silent);
  unsetenv("ERL_EPMD_PORT");
}

int main(void)
{
  signal(SIGPIPE, SIG_IGN);
  test_args();
  test_epmd();
  /* the cookie never appears in any message */
  CHECK(strstr(bv_error_last(), "\"c\"") == NULL);
  return check_report();
}
