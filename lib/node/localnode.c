/* localnode.c: a throwaway local node for the embedded default.
 * The node reads its stdin (a pipe we hold) and halts at EOF, so it dies with
 * beamviz whatever way beamviz ends, kill -9 included; before it halts it
 * removes its private HOME (below), so a beamviz killed with -9 leaves none.
 *
 * Other local users must not be able to take the node over (it runs as the
 * user running beamviz, often root) nor learn beamviz's own secrets, so:
 * - the cookie is never in an argv or environment: it is in .erlang.cookie of a
 *   private HOME (mkdtemp, 0700; the file 0400), which Erlang's auth reads at
 *   boot. /proc/PID/cmdline is world-readable; the directory is not.
 * - the child's environment is a short allow-list plus what we set, so neither
 *   $ERLANG_COOKIE nor anything else of beamviz's reaches the node or the epmd
 *   it may start (erl starts epmd with its own environment).
 * - the node's distribution listener and any epmd it starts listen on
 *   loopback only.
 * - the private HOME and working directory keep the node away from the real
 *   user's ~/.erlang, ~/.erlang.cookie and ~/.config/erlang, and from .beam
 *   files in beamviz's working directory ("." heads the code path). */
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define LN_PATH_MAX 4096
#define LN_ENV_MAX 64

struct bv_localnode {
  pid_t pid;
  int in_fd;          /* write end of the node's stdin */
  int epmd_was_up;
  char name[128];
  char cookie[40];
  char home[LN_PATH_MAX];             /* private HOME; "" before it exists */
  char cookie_path[LN_PATH_MAX + 32]; /* home/.erlang.cookie; "" before it exists */
  char *env[LN_ENV_MAX + 1];          /* the child's environment (strings owned) */
};

/* The private HOME of the running node, for bv_localnode_unlink_pending (a
 * signal handler's cleanup): paths are set before pending_set is raised. */
static char pending_home[LN_PATH_MAX], pending_cookie[LN_PATH_MAX + 32];
static volatile sig_atomic_t pending_set;

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

/* Finds exe on PATH; writes an absolute path to out (the node starts in its
 * private directory, where a relative PATH entry would mean something else). */
static int in_path(const char *exe, char *out, size_t outsz)
{
  const char *path = getenv("PATH");
  if (!path)
    return 0;
  char buf[LN_PATH_MAX];
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    int w = snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, exe);
    if (w > 0 && (size_t)w < sizeof buf && access(buf, X_OK) == 0) {
      char cwd[LN_PATH_MAX];
      if (buf[0] == '/')
        w = snprintf(out, outsz, "%s", buf);
      else if (getcwd(cwd, sizeof cwd))
        w = snprintf(out, outsz, "%s/%s", cwd, buf);
      else
        w = -1;
      if (w > 0 && (size_t)w < outsz)
        return 1;
    }
    p += n + (e ? 1 : 0);
  }
  return 0;
}

/* Variables of beamviz's environment the node may see: what erl and elixir
 * need to run and to find epmd. Everything else (ERLANG_COOKIE, ERL_FLAGS,
 * ERL_AFLAGS, ELIXIR_ERL_OPTIONS, XDG_CONFIG_HOME, credentials of any kind) stays
 * here. */
static int env_allowed(const char *kv)
{
  static const char *const names[] = {"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR",
                                      "ERL_EPMD_PORT", NULL};
  if (strncmp(kv, "LC_", 3) == 0 && strchr(kv, '='))
    return 1;
  for (int i = 0; names[i]; i++) {
    size_t n = strlen(names[i]);
    if (strncmp(kv, names[i], n) == 0 && kv[n] == '=')
      return 1;
  }
  return 0;
}

static int env_add(bv_localnode *n, size_t *k, const char *a, const char *b)
{
  if (*k >= LN_ENV_MAX)
    return -1;
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (!s)
    return -1;
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  n->env[(*k)++] = s;
  return 0;
}

static int env_build(bv_localnode *n)
{
  size_t k = 0;
  /* room is kept for the three set below; allowed variables beyond that (dozens
   * of LC_*) are left out */
  for (char **e = environ; e && *e && k < LN_ENV_MAX - 3; e++)
    if (env_allowed(*e) && env_add(n, &k, *e, ""))
      return -1;
  if (env_add(n, &k, "HOME=", n->home) ||
      /* read by an epmd that erl starts: no port for it beyond loopback */
      env_add(n, &k, "ERL_EPMD_ADDRESS=", "127.0.0.1") ||
      /* a crash dump holds the atom table, and so the cookie */
      env_add(n, &k, "ERL_CRASH_DUMP_SECONDS=", "0"))
    return -1;
  n->env[k] = NULL;
  return 0;
}

static void env_free(bv_localnode *n)
{
  for (size_t i = 0; i < LN_ENV_MAX && n->env[i]; i++) {
    free(n->env[i]);
    n->env[i] = NULL;
  }
}

/* Makes the private HOME and its cookie file. */
static int home_make(bv_localnode *n)
{
  const char *tmp = getenv("TMPDIR");
  if (!tmp || tmp[0] != '/')
    tmp = "/tmp";
  int w = snprintf(n->home, sizeof n->home, "%s/beamviz-node-XXXXXX", tmp);
  if (w < 0 || (size_t)w >= sizeof n->home) {
    n->home[0] = 0;
    return bv_error_set(BV_EIO, "cannot make a private directory for the local node: "
                                "temporary directory path too long");
  }
  if (!mkdtemp(n->home)) {
    int err = errno;
    n->home[0] = 0;
    return bv_error_set(BV_EIO, "cannot make a private directory for the local node in %s: %s",
                        tmp, strerror(err));
  }
  /* 0700 whatever the umask: the cookie file inside is the node's only secret */
  if (chmod(n->home, 0700) != 0)
    return bv_error_set(BV_EIO, "chmod %s: %s", n->home, strerror(errno));
  snprintf(n->cookie_path, sizeof n->cookie_path, "%s/.erlang.cookie", n->home);
  memcpy(pending_home, n->home, sizeof pending_home);
  memcpy(pending_cookie, n->cookie_path, sizeof pending_cookie);
  atomic_signal_fence(memory_order_release); /* a handler sees whole paths or none */
  pending_set = 1;
  int fd = open(n->cookie_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
  if (fd < 0)
    return bv_error_set(BV_EIO, "cannot write %s: %s", n->cookie_path, strerror(errno));
  size_t len = strlen(n->cookie);
  ssize_t k = write(fd, n->cookie, len);
  /* Erlang refuses a cookie file that group or others may read */
  int ok = k == (ssize_t)len && fchmod(fd, 0400) == 0;
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = 0;
    err = errno;
  }
  if (!ok)
    return bv_error_set(BV_EIO, "cannot write %s: %s", n->cookie_path, strerror(err));
  return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  (void)st;
  (void)ftw;
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

/* Removes the private HOME with whatever the node left in it. */
static void home_remove(bv_localnode *n)
{
  pending_set = 0;
  if (!n->home[0])
    return;
  if (n->cookie_path[0])
    unlink(n->cookie_path);
  nftw(n->home, rm_entry, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  n->home[0] = 0;
  n->cookie_path[0] = 0;
}

void bv_localnode_unlink_pending(void)
{
  if (!pending_set)
    return;
  unlink(pending_cookie);
  rmdir(pending_home);
}

int bv_localnode_start(const bv_localnode_opts *o, bv_localnode **out)
{
  *out = NULL;
  const char *exe = o->elixir ? "elixir" : "erl";
  char exe_path[LN_PATH_MAX];
  if (!in_path(exe, exe_path, sizeof exe_path))
    return bv_error_set(BV_ENOERL,
                        "cannot start a local node: '%s' is not on PATH (install %s, or "
                        "name a running node)",
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
  int rc = home_make(n);
  if (rc == 0 && env_build(n) != 0)
    rc = bv_error_set(BV_ENOMEM, "out of memory");
  if (rc) {
    home_remove(n);
    env_free(n);
    free(n);
    return rc;
  }

  int in[2], outp[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    rc = bv_error_set(BV_EIO, "pipe: %s", strerror(errno));
  } else if (pipe2(outp, O_CLOEXEC) != 0) {
    rc = bv_error_set(BV_EIO, "pipe: %s", strerror(errno));
    close(in[0]);
    close(in[1]);
  }
  if (rc) {
    home_remove(n);
    env_free(n);
    free(n);
    return rc;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&fa, n->home);
  const char *erl_argv[] = {
      "erl", "-name", n->name, "-noshell",
      "-kernel", "logger_level", "error",
      "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
      "-eval",
      "spawn(fun() -> _ = io:get_line(''), "
      "_ = (catch begin H = os:getenv(\"HOME\"), "
      "file:delete(filename:join(H, \".erlang.cookie\")), file:del_dir(H) end), "
      "erlang:halt(0) end), "
      "io:format(\"beamviz-ready~n\").",
      NULL};
  /* the elixir launcher's own flags (not beamviz options) */
  const char *ex_argv[] = {
      "elixir", "--name", n->name, "--no-halt",
      /* Elixir 1.14 has no --logger-level: set the kernel's level through --erl
       * (the elixir script splits this on spaces) */
      "--erl", "-kernel logger_level error -kernel inet_dist_use_interface {127,0,0,1}",
      "-e",
      "spawn(fn -> IO.read(:line); "
      "try do h = System.fetch_env!(\"HOME\"); File.rm(Path.join(h, \".erlang.cookie\")); "
      "File.rmdir(h) rescue _ -> :ok end; "
      "System.halt(0) end); IO.puts(\"beamviz-ready\")",
      NULL};
  pid_t pid;
  int sr = posix_spawn(&pid, exe_path, &fa, NULL,
                       (char *const *)(o->elixir ? ex_argv : erl_argv), n->env);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(outp[1]);
  if (sr != 0) {
    close(in[1]);
    close(outp[0]);
    home_remove(n);
    env_free(n);
    free(n);
    return bv_error_set(BV_ENOERL, "cannot start %s: %s", exe, strerror(sr));
  }
  n->pid = pid;
  n->in_fd = in[1];
  /* wait for the ready line */
  unsigned ms = o->timeout_ms ? o->timeout_ms : 20000;
  uint64_t deadline = bv_now_ms() + ms;
  char buf[512];
  size_t got = 0;
  int ready = 0;
  while (!ready) {
    uint64_t now = bv_now_ms();
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
    uint64_t deadline = bv_now_ms() + 5000;
    int st;
    for (;;) {
      pid_t r = waitpid(n->pid, &st, WNOHANG);
      if (r == n->pid || (r < 0 && errno != EINTR))
        break;
      if (bv_now_ms() >= deadline) {
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
    if (posix_spawnp(&p, "epmd", &fa, NULL, (char *const *)argv, n->env) == 0) {
      int st;
      waitpid(p, &st, 0);
    }
    posix_spawn_file_actions_destroy(&fa);
  }
  home_remove(n);
  env_free(n);
  free(n);
}

int bv_localnode_demo(const bv_localnode *n, bv_conn *c)
{
  if (!n || !c || strcmp(bv_conn_node(c), n->name) != 0)
    return bv_error_set(BV_EREFUSED, "the example workload runs only on a node beamviz "
                                     "started itself");
  size_t len;
  const char *src = bv_template("beamviz_demo.erl", &len);
  if (!src)
    return bv_error_set(BV_EINVAL, "the example workload is not embedded in this build");
  bv_arena *a = bv_arena_new();
  if (!a)
    return bv_error_set(BV_ENOMEM, "out of memory");
  bv_term *res;
  bv_binding b[] = {{"Src", BV_B_BIN, 0, src, len}};
  int rc = bv_conn_eval(c, "demo_load.erl", b, 1, 0, a, &res);
  bv_arena_free(a);
  return rc;
}
