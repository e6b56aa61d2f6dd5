/* main.c: beamviz's command table, option parsing, errors and connection. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const cli_opt global_opts[] = {
    {"node", "NAME[@HOST]", "target node (default: start a throwaway local node)"},
    {"cookie", "VALUE",
     "cookie; other users see it in ps while beamviz starts, so prefer --cookie-file or "
     "$ERLANG_COOKIE (tried next, in that order, then ~/.erlang.cookie)"},
    {"cookie-file", "FILE", "read the cookie from FILE"},
    {"timeout", "MS", "bound on every step: connect, each remote call (default 10000)"},
    {"max-message", "MB", "largest message taken from the node, in MiB (default 256)"},
    {"local", "erl|elixir", "what the throwaway local node runs (default erl)"},
    {"cluster", NULL, "every node --node is connected to (nodes(visible)), collected in parallel "
                      "(procs, apps, memory, suptree --app; seqtrace traces across them)"},
    {"hidden", NULL, "with --cluster or the cluster command: hidden nodes and connections too "
                     "(nodes(hidden); never beamviz's own)"},
    {"nodes", "A@H,B@H,...",
     "these nodes, collected in parallel (procs, apps, memory, suptree --app; seqtrace: the "
     "first runs the code); replaces --node"},
    {"parallel", "N", "with --cluster, --nodes or the cluster command: at most N connections "
                      "at once (default 8)"},
    {"output", "FILE", "output file, '-' for stdout (short: -o)"},
    {"format", "FMT", "vega-lite|json|csv|mermaid|md|text|png|svg|pdf (default: by extension)"},
    {"save", "FILE.json", "also save the collected model, for `beamviz render`"},
    {"help", NULL, "show help (short: -h)"},
    {NULL, NULL, NULL}};

const cli_cmd cli_commands[] = {
    {"procs", cmd_procs, "snapshot of every process: scatter or top-N bars (Vega-Lite), JSON, CSV",
     "[options]", cmd_procs_opts, 1, 1},
    {"memory", cmd_memory, "sample erlang:memory() over time: line chart, JSON, CSV",
     "[--samples N] [--interval MS] [options]", cmd_memory_opts, 1, 1},
    {"apps", cmd_apps, "started applications: version, description, tree or library",
     "[options]", cmd_apps_opts, 1, 0},
    {"suptree", cmd_suptree, "supervision tree of an application or supervisor (Mermaid, JSON)",
     "--app APP | --sup WHO [options]", cmd_suptree_opts, 1, 1},
    {"seqtrace", cmd_seqtrace, "bounded message trace (Mermaid sequence diagram, JSON)",
     "--eval CODE | --elixir CODE | --attach WHO[,WHO] [options]", cmd_seqtrace_opts, 1, 1},
    {"cluster", cmd_cluster,
     "map of the cluster: nodes (OTP, processes, memory, uptime) and their connections",
     "[--hidden] [options]", cmd_cluster_opts, 1, 1},
    {"render", cmd_render, "re-render a saved model file without a node",
     "FILE.json -o OUT.ext [options]", cmd_render_opts, 0, 1},
    {"demo", cmd_demo, "start a local node with the example workload, write every output",
     "[-o DIR]", cmd_demo_opts, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, 0, 0}};

const cli_cmd *cli_find_cmd(const char *name)
{
  for (const cli_cmd *c = cli_commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

/* --- messages ------------------------------------------------------------ */

int cli_exit_code(int bv_code)
{
  switch (bv_code) {
  case BV_OK: return EXIT_OK;
  case BV_EINVAL: return EXIT_USAGE;
  case BV_EFORMAT: return EXIT_INPUT;
  case BV_EIO: return EXIT_IO;
  case BV_EEPMD: return EXIT_EPMD;
  case BV_ENONODE: return EXIT_NONODE;
  case BV_EAUTH: return EXIT_AUTH;
  case BV_ETIMEOUT: return EXIT_TIMEOUT;
  case BV_ECLOSED: return EXIT_CLOSED;
  case BV_EREMOTE: return EXIT_REMOTE;
  case BV_ENOTFOUND: return EXIT_NOTFOUND;
  case BV_ENOERL: return EXIT_NOERL;
  case BV_EREFUSED: return EXIT_REFUSED;
  case BV_ETERM: return EXIT_PROTOCOL;
  default: return EXIT_INTERNAL;
  }
}

/* Prints one "beamviz: ..." line. Messages quote the user's arguments and the
 * node's text: bv_text_clean makes them one line with no control character a
 * terminal would obey (library messages come cleaned already; cleaning again
 * changes nothing). */
static void say(const char *fmt, va_list ap)
{
  char raw[8192], line[4 * sizeof raw + 1];
  int n = vsnprintf(raw, sizeof raw, fmt, ap);
  size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
  bv_text_clean(line, sizeof line, raw, len);
  fprintf(stderr, "beamviz: %s\n", line);
}

int cli_fail(int bv_code)
{
  const char *m = bv_error_last();
  cli_note("%s", m && *m ? m : bv_error_name(bv_code));
  return cli_exit_code(bv_code);
}

int cli_error(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(fmt, ap);
  va_end(ap);
  return code;
}

void cli_note(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(fmt, ap);
  va_end(ap);
}

/* --- options ------------------------------------------------------------- */

static const cli_opt *find_opt(const cli_opt *t, const char *name, size_t n)
{
  for (; t && t->name; t++)
    if (strlen(t->name) == n && strncmp(t->name, name, n) == 0)
      return t;
  return NULL;
}

/* render accepts the view options of every kind here; once the file is read,
 * cli_render_check keeps those of its kind */
static const cli_opt *find_cmd_opt(const cli_cmd *cmd, const char *name, size_t n)
{
  const cli_opt *o = find_opt(cmd->opts, name, n);
  if (!o && cmd->fn == cmd_render)
    o = cli_render_find_opt(name, n);
  else if (!o && cmd->images)
    o = find_opt(cli_image_opts, name, n);
  return o;
}

/* Global options that name a node: render reads a file and takes none. */
static int node_opt(const char *name)
{
  static const char *const names[] = {"cookie", "cookie-file", "timeout", "max-message",
                                      "local", "cluster", "hidden", "nodes", "parallel", NULL};
  for (const char *const *p = names; *p; p++)
    if (strcmp(*p, name) == 0)
      return 1;
  return 0;
}

/* Whether word is one of the values an optional-value spec "[a|b|c]" names. */
static int optional_value_is(const char *spec, const char *word)
{
  size_t n = strlen(word);
  const char *p = spec + 1;
  while (*p && *p != ']') {
    size_t k = strcspn(p, "|]");
    if (k == n && strncmp(p, word, n) == 0)
      return 1;
    p += k;
    if (*p == '|')
      p++;
  }
  return 0;
}

int cli_parse(cli_ctx *ctx, int argc, char **argv)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-o") == 0)
      a = "--output";
    else if (strcmp(a, "-h") == 0)
      a = "--help";
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      if (ctx->npos >= CLI_MAX_POS)
        return cli_error(EXIT_USAGE, "too many arguments");
      ctx->pos[ctx->npos++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++) {
        if (ctx->npos >= CLI_MAX_POS)
          return cli_error(EXIT_USAGE, "too many arguments");
        ctx->pos[ctx->npos++] = argv[i];
      }
      break;
    }
    if (a[1] != '-')
      return cli_error(EXIT_USAGE, "unknown option '%s' (see beamviz %s --help)", a,
                       ctx->cmd->name);
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = find_opt(global_opts, name, n);
    if (o && ctx->cmd->fn == cmd_render && node_opt(o->name))
      return cli_error(EXIT_USAGE, "render: --%s does not apply (render reads a model file and "
                                   "uses no node)",
                       o->name);
    if (!o)
      o = find_cmd_opt(ctx->cmd, name, n);
    if (!o)
      return cli_error(EXIT_USAGE, "unknown option '--%.*s' for 'beamviz %s' (see --help)",
                       (int)n, name, ctx->cmd->name);
    const char *val = "";
    if (o->arg && o->arg[0] == '[') {
      /* optional value: =V, or the next argument when it is one of the values
         "[a|b|c]" names (so `--links tree.json` leaves the file alone) */
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc && optional_value_is(o->arg, argv[i + 1]))
        val = argv[++i];
    } else if (o->arg) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return cli_error(EXIT_USAGE, "option --%s needs a value (%s)", o->name, o->arg);
    } else if (eq) {
      return cli_error(EXIT_USAGE, "option --%s takes no value", o->name);
    }
    if (ctx->nkv >= CLI_MAX_KV)
      return cli_error(EXIT_USAGE, "too many options");
    ctx->kv[ctx->nkv].name = o->name;
    ctx->kv[ctx->nkv].val = val;
    ctx->nkv++;
  }
  return EXIT_OK;
}

const char *cli_get(const cli_ctx *ctx, const char *name)
{
  for (size_t i = ctx->nkv; i-- > 0;)
    if (strcmp(ctx->kv[i].name, name) == 0)
      return ctx->kv[i].val;
  return NULL;
}

int cli_flag(const cli_ctx *ctx, const char *name) { return cli_get(ctx, name) != NULL; }

int cli_uint(const cli_ctx *ctx, const char *name, unsigned long min, unsigned long max,
             unsigned long dflt, unsigned long *out)
{
  const char *v = cli_get(ctx, name);
  *out = dflt;
  if (!v)
    return EXIT_OK;
  char *end;
  errno = 0;
  if (!*v || *v == '-' || *v == '+')
    return cli_error(EXIT_USAGE, "--%s: '%s' is not a number", name, v);
  unsigned long x = strtoul(v, &end, 10);
  if (*end || errno)
    return cli_error(EXIT_USAGE, "--%s: '%s' is not a number", name, v);
  if (x < min || x > max)
    return cli_error(EXIT_USAGE, "--%s: %lu is out of range (%lu..%lu)", name, x, min, max);
  *out = x;
  return EXIT_OK;
}

int cli_choice(const cli_ctx *ctx, const char *name, const char *choices, const char *dflt,
               const char **out)
{
  const char *v = cli_get(ctx, name);
  *out = dflt;
  if (!v)
    return EXIT_OK;
  size_t n = strlen(v);
  for (const char *p = choices; *p;) {
    const char *e = strchr(p, '|');
    size_t k = e ? (size_t)(e - p) : strlen(p);
    if (k == n && strncmp(p, v, n) == 0) {
      *out = v;
      return EXIT_OK;
    }
    p += k + (e ? 1 : 0);
  }
  return cli_error(EXIT_USAGE, "--%s: '%s' is not one of %s", name, v, choices);
}

/* --- output -------------------------------------------------------------- */

int cli_save_path(const cli_ctx *ctx, const char *out_path, const char **save)
{
  const char *v = cli_get(ctx, "save");
  *save = v;
  if (!v)
    return EXIT_OK;
  if (!*v || strcmp(v, "-") == 0 || bv_format_from_path(v) != BV_FMT_JSON)
    return cli_error(EXIT_USAGE, "--save: '%s' must be a FILE.json (the model file)", v);
  if (out_path && strcmp(v, out_path) == 0)
    return cli_error(EXIT_USAGE, "--save: '%s' is also the -o output", v);
  return EXIT_OK;
}

int cli_save_begin(const char *save, int (*write)(bv_out *out, const void *arg), const void *arg,
                   bv_out **pending)
{
  *pending = NULL;
  if (!save)
    return EXIT_OK;
  bv_out *o;
  int rc = bv_out_open(save, &o);
  if (rc)
    return cli_fail(rc);
  if ((rc = write(o, arg))) {
    bv_out_abort(o);
    return cli_fail(rc);
  }
  *pending = o;
  return EXIT_OK;
}

int cli_save_end(bv_out *pending, int ec)
{
  if (!pending)
    return ec;
  if (ec != EXIT_OK) {
    bv_out_abort(pending);
    return ec;
  }
  int rc = bv_out_commit(pending);
  return rc ? cli_fail(rc) : EXIT_OK;
}

/* --- connection ---------------------------------------------------------- */

static int read_cookie_file(cli_ctx *ctx, const char *path, int must_exist)
{
  FILE *f = fopen(path, "r");
  if (!f) {
    if (!must_exist && errno == ENOENT)
      return 1;
    return cli_error(EXIT_IO, "cannot read cookie file %s: %s", path, strerror(errno));
  }
  size_t n = fread(ctx->cookie_store, 1, sizeof ctx->cookie_store - 1, f);
  fclose(f);
  while (n && (ctx->cookie_store[n - 1] == '\n' || ctx->cookie_store[n - 1] == '\r' ||
               ctx->cookie_store[n - 1] == ' '))
    n--;
  ctx->cookie_store[n] = 0;
  if (!n)
    return cli_error(EXIT_INPUT, "cookie file %s is empty", path);
  ctx->cookie = ctx->cookie_store;
  return EXIT_OK;
}

static int resolve_cookie(cli_ctx *ctx)
{
  if (ctx->cookie_arg) {
    if (!*ctx->cookie_arg)
      return cli_error(EXIT_USAGE, "--cookie: empty cookie");
    ctx->cookie = ctx->cookie_arg;
    return EXIT_OK;
  }
  if (ctx->cookie_file)
    return read_cookie_file(ctx, ctx->cookie_file, 1);
  const char *env = getenv("ERLANG_COOKIE");
  if (env && *env) {
    ctx->cookie = env;
    return EXIT_OK;
  }
  const char *home = getenv("HOME");
  char path[1024];
  snprintf(path, sizeof path, "%s/.erlang.cookie", home ? home : "");
  int rc = read_cookie_file(ctx, path, 0);
  if (rc == 1)
    return cli_error(EXIT_USAGE,
                     "no cookie for node %s: give --cookie, --cookie-file or $ERLANG_COOKIE "
                     "(%s does not exist)",
                     ctx->node, path);
  return rc;
}

int cli_connect(cli_ctx *ctx)
{
  if (ctx->conn)
    return EXIT_OK;
  int rc;
  if (!ctx->node) {
    bv_localnode_opts lo = {0};
    lo.elixir = ctx->local && strcmp(ctx->local, "elixir") == 0;
    lo.timeout_ms = ctx->timeout_ms > 20000 ? ctx->timeout_ms : 20000;
    if ((rc = bv_localnode_start(&lo, &ctx->localnode)))
      return cli_fail(rc);
    bv_conn_opts co = {bv_localnode_name(ctx->localnode), bv_localnode_cookie(ctx->localnode),
                       ctx->timeout_ms, ctx->max_message};
    if ((rc = bv_conn_open(&co, &ctx->conn))) {
      int ec = cli_fail(rc);
      bv_localnode_stop(ctx->localnode);
      ctx->localnode = NULL;
      return ec;
    }
    return EXIT_OK;
  }
  if ((rc = resolve_cookie(ctx)))
    return rc;
  bv_conn_opts co = {ctx->node, ctx->cookie, ctx->timeout_ms, ctx->max_message};
  if ((rc = bv_conn_open(&co, &ctx->conn)))
    return cli_fail(rc);
  return EXIT_OK;
}

void cli_disconnect(cli_ctx *ctx)
{
  if (ctx->shared)
    return;
  bv_conn_free(ctx->conn);
  ctx->conn = NULL;
  bv_localnode_stop(ctx->localnode);
  ctx->localnode = NULL;
}

/* --- help ---------------------------------------------------------------- */

static void print_opts(const cli_opt *o)
{
  for (; o && o->name; o++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    printf("  %-28s %s\n", left, o->help);
  }
}

static void usage_all(void)
{
  printf("beamviz %s: see inside a live Erlang/Elixir node\n\n"
         "usage: beamviz COMMAND [options]\n\ncommands:\n",
         bv_version());
  for (const cli_cmd *c = cli_commands; c->name; c++)
    printf("  %-10s %s\n", c->name, c->summary);
  printf("\nglobal options:\n");
  print_opts(global_opts);
  printf("\nexit codes: 0 ok, 1 internal, 2 usage, 3 bad input file, 4 file i/o,\n"
         "  5 epmd not running, 6 node not registered, 7 cookie rejected, 8 timeout,\n"
         "  9 node went away, 10 remote call failed, 11 not found on the target,\n"
         "  12 no erl for a local node, 13 refused to protect the target, 14 bad data "
         "from node,\n  15 partial: some nodes of a cluster failed, the others were written\n");
}

static void usage_render(const cli_cmd *c)
{
  printf("usage: beamviz render %s\n\n%s. The file's kind decides which options apply:\n"
         "the view options of the command that collected it, and the image options\n"
         "when it can be drawn.\n\noptions (every kind):\n",
         c->usage, c->summary);
  print_opts(c->opts);
  for (const cli_opt *o = global_opts; o->name; o++)
    if (strcmp(o->name, "output") == 0 || strcmp(o->name, "format") == 0 ||
        strcmp(o->name, "help") == 0) {
      cli_opt one[2] = {*o, {NULL, NULL, NULL}};
      print_opts(one);
    }
  cli_render_help(print_opts);
}

static void usage_cmd(const cli_cmd *c)
{
  if (c->fn == cmd_render) {
    usage_render(c);
    return;
  }
  printf("usage: beamviz %s %s\n\n%s\n\noptions:\n", c->name, c->usage, c->summary);
  print_opts(c->opts);
  if (c->images) {
    printf("\nimage options (png, svg, pdf):\n");
    print_opts(cli_image_opts);
  }
  printf("\nglobal options:\n");
  print_opts(global_opts);
}

/* --- run ----------------------------------------------------------------- */

/* A node name as beamviz connects to it: NAME@HOST, each part of letters,
 * digits and - _ . (the host may be an IPv4 address or a dotted name). */
int cli_node_name_ok(const char *s, size_t n)
{
  size_t at = 0, ats = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '@') {
      ats++;
      at = i;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '.')) {
      return 0;
    }
  }
  return ats == 1 && at > 0 && at + 1 < n && n < 256;
}

static int setup_cluster(cli_ctx *ctx)
{
  ctx->cluster = cli_flag(ctx, "cluster");
  ctx->hidden = cli_flag(ctx, "hidden");
  ctx->nodes = cli_get(ctx, "nodes");
  unsigned long par;
  int rc = cli_uint(ctx, "parallel", 1, 256, 8, &par);
  if (rc)
    return rc;
  ctx->parallel = (unsigned)par;
  if (ctx->cluster && ctx->nodes)
    return cli_error(EXIT_USAGE, "--cluster and --nodes: give one (the nodes --node is connected "
                                 "to, or a list)");
  if (ctx->hidden && !ctx->cluster && ctx->cmd->fn != cmd_cluster)
    return cli_error(EXIT_USAGE, "--hidden goes with --cluster (or the cluster command)");
  if (cli_get(ctx, "parallel") && !ctx->cluster && !ctx->nodes && ctx->cmd->fn != cmd_cluster)
    return cli_error(EXIT_USAGE, "--parallel goes with --cluster or --nodes (or the cluster "
                                 "command)");
  if (!ctx->cluster && !ctx->nodes)
    return EXIT_OK;
  if (ctx->cmd->fn == cmd_cluster)
    return cli_error(EXIT_USAGE, "--%s: the cluster command finds the nodes itself from --node",
                     ctx->cluster ? "cluster" : "nodes");
  if (ctx->cmd->fn != cmd_procs && ctx->cmd->fn != cmd_apps && ctx->cmd->fn != cmd_memory &&
      ctx->cmd->fn != cmd_suptree && ctx->cmd->fn != cmd_seqtrace)
    return cli_error(EXIT_USAGE,
                     "--%s: %s does not work on a cluster (procs, apps, memory, suptree --app "
                     "and seqtrace do)",
                     ctx->cluster ? "cluster" : "nodes", ctx->cmd->name);
  if (ctx->cmd->fn == cmd_seqtrace && cli_get(ctx, "parallel"))
    return cli_error(EXIT_USAGE, "--parallel: seqtrace holds a connection to every node at once "
                                 "for the whole trace");
  if (ctx->cluster && !ctx->node)
    return cli_error(EXIT_USAGE, "--cluster needs --node NAME@HOST: the entry node whose "
                                 "connections name the cluster");
  if (ctx->nodes && ctx->node)
    return cli_error(EXIT_USAGE, "--nodes replaces --node: give the nodes in --nodes only");
  if (ctx->nodes) {
    const char *p = ctx->nodes;
    if (!*p)
      return cli_error(EXIT_USAGE, "--nodes: empty list");
    for (;;) {
      size_t k = strcspn(p, ",");
      if (!cli_node_name_ok(p, k))
        return cli_error(EXIT_USAGE, "--nodes: '%.*s' is not a node name (NAME@HOST)",
                         (int)(k > 300 ? 300 : k), p);
      if (!p[k])
        break;
      p += k + 1;
    }
  }
  return EXIT_OK;
}

int cli_multi(const cli_ctx *ctx) { return ctx->cluster || ctx->nodes; }

int cli_cluster_opts(cli_ctx *ctx, bv_cluster_opts *co)
{
  memset(co, 0, sizeof *co);
  co->timeout_ms = ctx->timeout_ms;
  co->max_message = ctx->max_message;
  co->parallel = ctx->parallel;
  int rc;
  if (ctx->nodes) {
    if ((rc = resolve_cookie(ctx)))
      return rc;
    co->cookie = ctx->cookie;
    /* one block, as bv_cluster_nodes's: the pointers, then the texts; a node
       named twice is asked once */
    size_t n = 1, len = strlen(ctx->nodes) + 1;
    for (const char *p = ctx->nodes; *p; p++)
      n += *p == ',';
    const char **v = malloc((n + 1) * sizeof *v + len);
    if (!v)
      return cli_error(EXIT_INTERNAL, "out of memory");
    char *copy = (char *)(v + n + 1);
    memcpy(copy, ctx->nodes, len);
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      size_t j = 0;
      while (j < k && strcmp(v[j], t) != 0)
        j++;
      if (j == k)
        v[k++] = t;
    }
    co->nodes = v;
    co->n = k;
    return EXIT_OK;
  }
  /* --cluster: ask the entry node which nodes it is connected to */
  if ((rc = cli_connect(ctx)))
    return rc;
  co->cookie = ctx->cookie;
  const char **v;
  size_t n;
  if ((rc = bv_cluster_nodes(ctx->conn, ctx->hidden, &v, &n)))
    return cli_fail(rc);
  co->nodes = v;
  co->n = n;
  if (n == 1)
    cli_note("--cluster: %s is connected to no other node%s; collecting that one node", v[0],
             ctx->hidden ? "" : " (visible; --hidden adds hidden ones)");
  /* each node gets its own connection, the entry node too */
  cli_disconnect(ctx);
  return EXIT_OK;
}

void cli_cluster_free(bv_cluster_opts *co)
{
  free((void *)co->nodes); /* one block: the pointers, then the texts */
  memset(co, 0, sizeof *co);
}

int cli_cluster_report(const bv_node_result *r, size_t n)
{
  int failed = 0;
  for (size_t i = 0; i < n; i++)
    if (r[i].code != BV_OK) {
      cli_note("node %s failed (%s): %s", r[i].node, bv_error_name(r[i].code),
               r[i].reason ? r[i].reason : "?");
      failed = 1;
    }
  return failed ? EXIT_PARTIAL : EXIT_OK;
}

static int setup_globals(cli_ctx *ctx)
{
  unsigned long t;
  int rc = cli_uint(ctx, "timeout", 1, 3600000, 10000, &t);
  if (rc)
    return rc;
  ctx->timeout_ms = (unsigned)t;
  /* the wire's length field is 32 bits: at most 4095 MiB */
  if ((rc = cli_uint(ctx, "max-message", 1, 4095, BV_CONN_MAX_MESSAGE >> 20, &t)))
    return rc;
  ctx->max_message = (size_t)t << 20;
  ctx->node = cli_get(ctx, "node");
  if (ctx->node && !*ctx->node)
    return cli_error(EXIT_USAGE, "--node: empty node name");
  ctx->cookie_arg = cli_get(ctx, "cookie");
  ctx->cookie_file = cli_get(ctx, "cookie-file");
  if ((rc = cli_choice(ctx, "local", "erl|elixir", "erl", &ctx->local)))
    return rc;
  return setup_cluster(ctx);
}

int cli_run_sub(cli_ctx *parent, int argc, char **argv)
{
  cli_ctx sub;
  memset(&sub, 0, sizeof sub);
  sub.cmd = cli_find_cmd(argv[0]);
  if (!sub.cmd)
    return cli_error(EXIT_INTERNAL, "no command %s", argv[0]);
  int rc = cli_parse(&sub, argc - 1, argv + 1);
  if (rc || (rc = setup_globals(&sub)))
    return rc;
  sub.conn = parent->conn;
  sub.shared = 1;
  sub.timeout_ms = parent->timeout_ms;
  sub.max_message = parent->max_message;
  return sub.cmd->fn(&sub);
}

/* Interrupted (Ctrl-C, kill, a closed terminal): remove any output
 * still under its temporary name, then die of the same signal. The target
 * needs nothing from here: its workers, samplers and trace relays stop by
 * themselves once beamviz's connection is gone. */
static void on_fatal_signal(int sig)
{
  bv_out_unlink_pending();
  bv_localnode_unlink_pending();
  signal(sig, SIG_DFL);
  raise(sig);
}

static void catch_fatal_signals(void)
{
  /* a write to a closed socket or pipe is an error with its own message
   * (the node went away; cannot write standard output), not a silent death */
  signal(SIGPIPE, SIG_IGN);
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    /* a signal ignored when beamviz started (nohup, a shell's &) stays ignored */
    struct sigaction old;
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
      continue;
    sigaction(sigs[i], &sa, NULL);
  }
}

/* A --cookie value is readable by every local user in /proc/PID/cmdline for as
 * long as beamviz runs: keep a copy of the one that counts (the last) and blank
 * the argv bytes, so it shows only until here. Every kv value of --cookie
 * points into argv (after "--cookie" or "--cookie="). Returns the copy, or
 * NULL (nothing to hide, or out of memory: *oom set). */
static char *hide_cookie_arg(cli_ctx *ctx, int *oom)
{
  char *copy = NULL;
  int last = 1;
  *oom = 0;
  for (size_t i = ctx->nkv; i-- > 0;) {
    if (strcmp(ctx->kv[i].name, "cookie") != 0)
      continue;
    char *v = (char *)ctx->kv[i].val;
    ctx->kv[i].val = "";
    if (last) {
      copy = strdup(v);
      *oom = !copy;
      ctx->kv[i].val = copy ? copy : "";
      last = 0;
    }
    memset(v, 0, strlen(v));
  }
  return copy;
}

int main(int argc, char **argv)
{
  catch_fatal_signals();
  if (argc < 2) {
    usage_all();
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    if (argc > 2 && cli_find_cmd(argv[2]))
      usage_cmd(cli_find_cmd(argv[2]));
    else
      usage_all();
    return EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("beamviz %s\n", bv_version());
    return EXIT_OK;
  }
  /* the command is the first non-option word; global options may come first */
  int ci = 1;
  while (ci < argc && argv[ci][0] == '-') {
    if (strcmp(argv[ci], "-o") == 0) { /* short for --output: takes a value */
      ci += 2;
      continue;
    }
    const char *n = argv[ci] + 2;
    const cli_opt *o = argv[ci][1] == '-' ? find_opt(global_opts, n, strcspn(n, "=")) : NULL;
    ci += (o && o->arg && !strchr(n, '=')) ? 2 : 1;
  }
  if (ci >= argc)
    return cli_error(EXIT_USAGE, "no command given (see beamviz --help)");
  static cli_ctx ctx;
  ctx.cmd = cli_find_cmd(argv[ci]);
  if (!ctx.cmd)
    return cli_error(EXIT_USAGE, "unknown command '%s' (see beamviz --help)", argv[ci]);
  /* parse everything except the command word */
  char **rest = calloc((size_t)argc, sizeof *rest);
  if (!rest)
    return cli_error(EXIT_INTERNAL, "out of memory");
  int nrest = 0;
  for (int i = 1; i < argc; i++)
    if (i != ci)
      rest[nrest++] = argv[i];
  int rc = cli_parse(&ctx, nrest, rest);
  int oom;
  char *cookie_copy = hide_cookie_arg(&ctx, &oom);
  if (rc == EXIT_OK && oom)
    rc = cli_error(EXIT_INTERNAL, "out of memory");
  if (rc == EXIT_OK && cli_flag(&ctx, "help")) {
    usage_cmd(ctx.cmd);
    free(cookie_copy);
    free(rest);
    return EXIT_OK;
  }
  if (rc == EXIT_OK)
    rc = setup_globals(&ctx);
  if (rc == EXIT_OK)
    rc = ctx.cmd->fn(&ctx);
  cli_disconnect(&ctx);
  free(cookie_copy);
  free(rest);
  return rc;
}
