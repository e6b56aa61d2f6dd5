/* localnode.c: a throwaway local node for the embedded default.
 * The node reads its stdin (a pipe we hold) and halts at EOF, so it dies with
 * beamviz whatever way beamviz ends, kill -9 included. */
#include "beamviz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct bv_localnode {
  pid_t pid;
  int in_fd;          /* write end of the node's stdin */
  int epmd_was_up;
  char name[128];
  char cookie[40];
};

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int epmd_up(void)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  const char *e = getenv("ERL_EPMD_PORT");
  long port = e && *e ? strtol(e, NULL, 10) : 4369;
  sa.sin_port = htons((uint16_t)(port > 0 && port < 65536 ? port : 4369));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
  close(fd);
  return ok;
}

static int in_path(const char *exe)
{
  const char *path = getenv("PATH");
  if (!path)
    return 0;
  char buf[4096];
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, exe);
    if (access(buf, X_OK) == 0)
      return 1;
    p += n + (e ? 1 : 0);
  }
  return 0;
}

int bv_localnode_start(const bv_localnode_opts *o, bv_localnode **out)
{
  *out = NULL;
  const char *exe = o->elixir ? "elixir" : "erl";
  if (!in_path(exe))
    return bv_error_set(BV_ENOERL,
                        "cannot start a local node: '%s' is not on PATH (install %s, or "
                        "give --node)",
                        exe, o->elixir ? "elixir" : "erlang-base");
  bv_localnode *n = calloc(1, sizeof *n);
  if (!n)
    return bv_error_set(BV_ENOMEM, "out of memory");
  n->in_fd = -1;
  n->epmd_was_up = epmd_up();
  unsigned char rnd[16];
  int rf = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (rf < 0 || read(rf, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
    if (rf >= 0)
      close(rf);
    free(n);
    return bv_error_set(BV_EIO, "cannot read /dev/urandom for a cookie");
  }
  close(rf);
  for (int i = 0; i < 16; i++)
    snprintf(n->cookie + 2 * i, 3, "%02x", rnd[i]);
  snprintf(n->name, sizeof n->name, "bvtarget_%ld_%02x%02x@127.0.0.1", (long)getpid(), rnd[0],
           rnd[1]);

  int in[2], outp[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
    free(n);
    return bv_error_set(BV_EIO, "pipe: %s", strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  const char *erl_argv[] = {
      "erl", "-name", n->name, "-setcookie", n->cookie, "-noshell",
      "-kernel", "logger_level", "error",
      "-eval",
      "spawn(fun() -> _ = io:get_line(''), erlang:halt(0) end), "
      "io:format(\"beamviz-ready~n\").",
      NULL};
  const char *ex_argv[] = {
      "elixir", "--name", n->name, "--cookie", n->cookie, "--no-halt",
      /* Elixir 1.14 has no --logger-level: set the kernel's level through --erl */
      "--erl", "-kernel logger_level error",
      "-e",
      "spawn(fn -> IO.read(:line); System.halt(0) end); IO.puts(\"beamviz-ready\")",
      NULL};
  pid_t pid;
  int sr = posix_spawnp(&pid, exe, &fa, NULL,
                        (char *const *)(o->elixir ? ex_argv : erl_argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(outp[1]);
  if (sr != 0) {
    close(in[1]);
    close(outp[0]);
    free(n);
    return bv_error_set(BV_ENOERL, "cannot start %s: %s", exe, strerror(sr));
  }
  n->pid = pid;
  n->in_fd = in[1];
  /* wait for the ready line */
  unsigned ms = o->timeout_ms ? o->timeout_ms : 20000;
  uint64_t deadline = now_ms() + ms;
  char buf[512];
  size_t got = 0;
  int ready = 0;
  while (!ready) {
    uint64_t now = now_ms();
    if (now >= deadline)
      break;
    struct pollfd pf = {outp[0], POLLIN, 0};
    if (poll(&pf, 1, (int)(deadline - now)) <= 0)
      break;
    ssize_t k = read(outp[0], buf + got, sizeof buf - 1 - got);
    if (k <= 0)
      break;
    got += (size_t)k;
    buf[got] = 0;
    if (strstr(buf, "beamviz-ready"))
      ready = 1;
    else if (got > sizeof buf / 2) {
      memmove(buf, buf + got - 32, 32);
      got = 32;
    }
  }
  close(outp[0]);
  if (!ready) {
    bv_localnode_stop(n);
    return bv_error_set(BV_ENOERL, "local %s node did not start within %u ms", exe, ms);
  }
  *out = n;
  return 0;
}

const char *bv_localnode_name(const bv_localnode *n) { return n->name; }
const char *bv_localnode_cookie(const bv_localnode *n) { return n->cookie; }

void bv_localnode_stop(bv_localnode *n)
{
  if (!n)
    return;
  if (n->in_fd >= 0)
    close(n->in_fd); /* EOF on its stdin: the node halts */
  if (n->pid > 0) {
    uint64_t deadline = now_ms() + 5000;
    int st;
    for (;;) {
      pid_t r = waitpid(n->pid, &st, WNOHANG);
      if (r == n->pid || (r < 0 && errno != EINTR))
        break;
      if (now_ms() >= deadline) {
        kill(n->pid, SIGKILL);
        waitpid(n->pid, &st, 0);
        break;
      }
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  /* We started epmd (erl does so when none runs): stop it again. epmd -kill
   * refuses while other nodes are registered, so this harms no one. */
  if (!n->epmd_was_up && epmd_up()) {
    pid_t p;
    const char *argv[] = {"epmd", "-kill", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&p, "epmd", &fa, NULL, (char *const *)argv, environ) == 0) {
      int st;
      waitpid(p, &st, 0);
    }
    posix_spawn_file_actions_destroy(&fa);
  }
  free(n);
}
