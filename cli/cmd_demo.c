/* cmd_demo.c: beamviz demo [-o DIR]: start a throwaway local node, load the
 * example workload (examples/beamviz_demo.erl: the notebook's scenarios),
 * and write every output beamviz can make into DIR (default out/). */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

const cli_opt cmd_demo_opts[] = {{NULL, NULL, NULL}};

/* Each row is one command run against the demo node; "@" stands for DIR.
 * Rows are separated by NULL, the table ends with two NULLs. */
static const char *const demo_runs[] = {
    "procs", "-o", "@/procs.vl.json", "--save", "@/procs.json", NULL,
    "render", "@/procs.json", "-o", "@/procs.csv", NULL,
    "procs", "--top", "20", "--by", "memory", "-o", "@/procs-top20.vl.json", NULL,
    "procs", "--top", "20", "--by", "memory", "-o", "@/procs-top20.png", NULL,
    "procs", "--window", "1000", "--top", "20", "-o", "@/procs-busy.vl.json", "--save",
    "@/procs-busy.json", NULL,
    "render", "@/procs-busy.json", "--top", "20", "-o", "@/procs-busy.png", NULL,
    "render", "@/procs-busy.json", "-o", "@/procs-busy.csv", NULL,
    "procs", "--format", "text", "-o", "@/procs.txt", NULL,
    "memory", "--samples", "20", "--interval", "100", "-o", "@/memory.vl.json", "--save",
    "@/memory.json", NULL,
    "render", "@/memory.json", "-o", "@/memory.csv", NULL,
    "render", "@/memory.json", "-o", "@/memory.txt", NULL,
    "render", "@/procs.json", "-o", "@/procs.png", NULL,
    "render", "@/procs.json", "-o", "@/procs.svg", NULL,
    "render", "@/procs.json", "-o", "@/procs.pdf", NULL,
    "render", "@/memory.json", "-o", "@/memory.png", NULL,
    "render", "@/memory.json", "-o", "@/memory.svg", NULL,
    "render", "@/memory.json", "-o", "@/memory.pdf", NULL,
    "suptree", "--app", "kernel", "-o", "@/suptree-kernel.mmd", NULL,
    "suptree", "--sup", "demo_sup", "-o", "@/suptree-demo.mmd", "--save", "@/suptree-demo.json",
    NULL,
    "suptree", "--sup", "demo_sup", "--format", "md", "-o", "@/suptree-demo.md", NULL,
    "apps", "-o", "@/apps.txt", NULL,
    "apps", "-o", "@/apps.json", NULL,
    "render", "@/suptree-demo.json", "-o", "@/suptree-demo.png", NULL,
    "render", "@/suptree-demo.json", "-o", "@/suptree-demo.svg", NULL,
    "render", "@/suptree-demo.json", "-o", "@/suptree-demo.pdf", NULL,
    "suptree", "--app", "kernel", "-o", "@/suptree-kernel.png", NULL,
    "seqtrace", "--eval",
    "Parent = self(), Child = spawn(fun() -> receive ping -> Parent ! pong end end), "
    "Child ! ping, receive pong -> ponged end",
    "-o", "@/seqtrace-pingpong.mmd", "--save", "@/seqtrace-pingpong.json", NULL,
    "seqtrace", "--eval",
    "Parent = self(), Workers = [spawn(fun() -> timer:sleep(100 + rand:uniform(200)), "
    "Parent ! {self(), {done, I}} end) || I <- lists:seq(1, 4)], "
    "[receive {W, R} -> R end || W <- Workers]",
    "-o", "@/seqtrace-tasks.mmd", "--save", "@/seqtrace-tasks.json", NULL,
    "seqtrace", "--attach", "demo_pong", "--duration", "1000", "-o", "@/seqtrace-attach.mmd",
    "--save", "@/seqtrace-attach.json", NULL,
    "render", "@/seqtrace-tasks.json", "-o", "@/seqtrace-tasks.md", "--payload", "30", NULL,
    "render", "@/seqtrace-pingpong.json", "-o", "@/seqtrace-pingpong.png", NULL,
    "render", "@/seqtrace-pingpong.json", "-o", "@/seqtrace-pingpong.svg", NULL,
    "render", "@/seqtrace-pingpong.json", "-o", "@/seqtrace-pingpong.pdf", NULL,
    "render", "@/seqtrace-tasks.json", "-o", "@/seqtrace-tasks.png", NULL,
    "render", "@/seqtrace-tasks.json", "-o", "@/seqtrace-tasks.svg", NULL,
    "render", "@/seqtrace-attach.json", "-o", "@/seqtrace-attach.png", NULL,
    NULL};

/* On an Elixir node (--local elixir) the traced code is Elixir, so the
 * diagrams and the printed results are in the node's language throughout. */
static const char *const demo_elixir[][2] = {
    {"Parent = self(), Child = spawn(fun() -> receive ping -> Parent ! pong end end), "
     "Child ! ping, receive pong -> ponged end",
     "parent = self(); child = spawn(fn -> receive do :ping -> send(parent, :pong) end end); "
     "send(child, :ping); receive do :pong -> :ponged end"},
    {"Parent = self(), Workers = [spawn(fun() -> timer:sleep(100 + rand:uniform(200)), "
     "Parent ! {self(), {done, I}} end) || I <- lists:seq(1, 4)], "
     "[receive {W, R} -> R end || W <- Workers]",
     "parent = self(); workers = for i <- 1..4, do: spawn(fn -> "
     "Process.sleep(100 + :rand.uniform(200)); send(parent, {self(), {:done, i}}) end); "
     "for w <- workers, do: (receive do {^w, r} -> r end)"},
};

static const char *demo_word(const char *w, int elixir)
{
  if (!elixir)
    return w;
  if (strcmp(w, "--eval") == 0)
    return "--elixir";
  for (size_t i = 0; i < sizeof demo_elixir / sizeof *demo_elixir; i++)
    if (strcmp(w, demo_elixir[i][0]) == 0)
      return demo_elixir[i][1];
  return w;
}

int cmd_demo(cli_ctx *ctx)
{
  const char *dir = cli_get(ctx, "output");
  if (!dir)
    dir = "out";
  if (ctx->npos)
    return cli_error(EXIT_USAGE, "demo takes no arguments (use -o DIR)");
  if (ctx->node)
    return cli_error(EXIT_USAGE, "demo starts its own node; --node is not used");
  int rc = cli_connect(ctx);
  if (rc)
    return rc;
  /* only once the node is up: a failed start leaves no empty DIR behind */
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return cli_error(EXIT_IO, "cannot create %s: %s", dir, strerror(errno));
  rc = bv_localnode_demo(ctx->localnode, ctx->conn);
  if (rc)
    return cli_fail(rc);
  cli_note("demo node %s started with the example workload; writing into %s/",
           bv_conn_node(ctx->conn), dir);
  char *argv[32];
  char store[32][512];
  int argc = 0, failures = 0;
  int elixir = ctx->local && strcmp(ctx->local, "elixir") == 0;
  for (size_t i = 0; demo_runs[i] || demo_runs[i + 1]; i++) {
    const char *w = demo_runs[i] ? demo_word(demo_runs[i], elixir) : NULL;
    if (w) {
      const char *at = strchr(w, '@');
      if (at)
        snprintf(store[argc], sizeof store[argc], "%.*s%s%s", (int)(at - w), w, dir, at + 1);
      else
        snprintf(store[argc], sizeof store[argc], "%s", w);
      argv[argc] = store[argc];
      argc++;
      continue;
    }
    int r = cli_run_sub(ctx, argc, argv);
    if (r) {
      cli_note("demo step 'beamviz %s' failed (exit %d)", argv[0], r);
      failures++;
    }
    argc = 0;
  }
  if (argc) {
    int r = cli_run_sub(ctx, argc, argv);
    failures += r != 0;
  }
  if (failures)
    return cli_error(EXIT_INTERNAL, "%d demo step(s) failed", failures);
  cli_note("done: outputs are in %s/", dir);
  return EXIT_OK;
}
