/* cli.h: the beamviz command's shared pieces. Library calls return BV_E*
 * codes; this layer turns them into one stderr line and an exit code. */
#ifndef BV_CLI_H
#define BV_CLI_H

#include <beamviz.h>

#include <stdio.h>

/* Exit codes (documented in README.md and beamviz.1). */
enum {
  EXIT_OK = 0,
  EXIT_INTERNAL = 1,   /* out of memory, unexpected failure */
  EXIT_USAGE = 2,      /* bad command line */
  EXIT_INPUT = 3,      /* input file malformed / wrong kind / newer version */
  EXIT_IO = 4,         /* cannot read or write a local file */
  EXIT_EPMD = 5,       /* epmd not running / host not resolvable */
  EXIT_NONODE = 6,     /* node name not registered in epmd */
  EXIT_AUTH = 7,       /* cookie rejected */
  EXIT_TIMEOUT = 8,    /* connection or call timed out */
  EXIT_CLOSED = 9,     /* node went away mid-command */
  EXIT_REMOTE = 10,    /* remote call failed / code raised on the target */
  EXIT_NOTFOUND = 11,  /* app, process or name not on the target */
  EXIT_NOERL = 12,     /* no erl/elixir to start a local node */
  EXIT_REFUSED = 13,   /* refused to protect the target */
  EXIT_PROTOCOL = 14,  /* malformed data from the node */
  EXIT_PARTIAL = 15    /* some nodes of a cluster failed; the others were written */
};

typedef struct cli_opt {
  const char *name;  /* long name without dashes */
  const char *arg;   /* argument name for --help, NULL for a flag; one written
                        "[a|b|c]" takes an optional value: --opt=V, or --opt V
                        when the next argument is one of a, b, c; else "" */
  const char *help;
} cli_opt;

typedef struct cli_ctx cli_ctx;

typedef struct cli_cmd {
  const char *name;
  int (*fn)(cli_ctx *ctx);
  const char *summary;
  const char *usage;       /* after "beamviz NAME " */
  const cli_opt *opts;     /* terminated by {NULL} */
  int needs_node;          /* connects (embedded default without --node) */
  int images;              /* also accepts cli_image_opts (PNG/SVG/PDF) */
} cli_cmd;

#define CLI_MAX_KV 64
#define CLI_MAX_POS 16

struct cli_ctx {
  const cli_cmd *cmd;
  /* global options */
  const char *node;
  const char *cookie;      /* resolved cookie; never printed */
  const char *cookie_arg, *cookie_file;
  unsigned timeout_ms;
  size_t max_message;      /* bytes; --max-message */
  const char *local;       /* "erl" or "elixir" for the embedded default */
  /* whole clusters: --cluster (the nodes --node is connected to, hidden
   * ones too with --hidden) or --nodes a@h,b@h; at most parallel at once */
  int cluster, hidden;
  const char *nodes;
  unsigned parallel;
  /* command options, in order given */
  struct {
    const char *name;
    const char *val;       /* "" for flags */
  } kv[CLI_MAX_KV];
  size_t nkv;
  const char *pos[CLI_MAX_POS];
  size_t npos;
  /* connection (opened by cli_connect, or shared by demo) */
  bv_conn *conn;
  bv_localnode *localnode;
  int shared;              /* conn belongs to a parent (demo) */
  char cookie_store[256];
};

/* Commands */
int cmd_procs(cli_ctx *ctx);
int cmd_memory(cli_ctx *ctx);
int cmd_render(cli_ctx *ctx);
int cmd_demo(cli_ctx *ctx);
int cmd_apps(cli_ctx *ctx);
int cmd_suptree(cli_ctx *ctx);
int cmd_seqtrace(cli_ctx *ctx);
int cmd_cluster(cli_ctx *ctx);
extern const cli_opt cmd_procs_opts[], cmd_memory_opts[], cmd_render_opts[], cmd_demo_opts[],
    cmd_apps_opts[], cmd_suptree_opts[], cmd_seqtrace_opts[], cmd_cluster_opts[];

/* The command table (main.c). */
extern const cli_cmd cli_commands[];
const cli_cmd *cli_find_cmd(const char *name);

/* Parses argv (after the command name) into ctx; prints and returns
 * EXIT_USAGE on unknown options. ctx->cmd must be set. */
int cli_parse(cli_ctx *ctx, int argc, char **argv);
/* Runs a command with argv (argv[0] = command name), sharing parent's
 * connection. Used by demo. */
int cli_run_sub(cli_ctx *parent, int argc, char **argv);

/* Option values: last occurrence wins. NULL if absent. */
const char *cli_get(const cli_ctx *ctx, const char *name);
int cli_flag(const cli_ctx *ctx, const char *name);
/* Parses an unsigned integer option within [min, max]; absent -> dflt.
 * On error prints "beamviz: --NAME: ..." and returns EXIT_USAGE. */
int cli_uint(const cli_ctx *ctx, const char *name, unsigned long min, unsigned long max,
             unsigned long dflt, unsigned long *out);
/* Checks that a string option is one of the |-separated choices. */
int cli_choice(const cli_ctx *ctx, const char *name, const char *choices, const char *dflt,
               const char **out);

/* Prints "beamviz: <last error>" and returns the exit code for a BV_E* code. */
int cli_fail(int bv_code);
/* Prints "beamviz: <message>" and returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Informational line on stderr ("beamviz: ..."), e.g. what was folded. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_exit_code(int bv_code);

/* A node name as beamviz connects to it: NAME@HOST, each part of letters,
 * digits and - _ . (the host may be an IPv4 address or a dotted name). */
int cli_node_name_ok(const char *s, size_t n);

/* Whether this run asks for several nodes (--cluster or --nodes). */
int cli_multi(const cli_ctx *ctx);
/* The nodes of a cluster run into *co (names in a malloc'd array the caller
 * frees with cli_cluster_free): --nodes as given, or --cluster: the entry
 * node --node and every node it is connected to. Prints the error and
 * returns the exit code. */
int cli_cluster_opts(cli_ctx *ctx, bv_cluster_opts *co);
void cli_cluster_free(bv_cluster_opts *co);
/* One stderr line per failed node of a cluster result; EXIT_PARTIAL if any
 * failed, else EXIT_OK. */
int cli_cluster_report(const bv_node_result *r, size_t n);

/* Connects to --node, or starts the embedded default node. */
int cli_connect(cli_ctx *ctx);
void cli_disconnect(cli_ctx *ctx);

/* Output destination: -o PATH (default "-") and format from --format, else
 * the extension, else the kind's default (the first of bv_emit_formats).
 * Prints the error (naming the formats the kind can be written as) and
 * returns EXIT_USAGE if the kind cannot be written so. */
int cli_format(const cli_ctx *ctx, bv_model_kind kind, const char **path, bv_format *fmt);
/* Reads the view options of kind (and the image options when fmt is an
 * image) into o, from bv_emit_opts_init's defaults. Commands call it before
 * connecting, so a bad value fails before any node work. Prints the error and
 * returns EXIT_USAGE. */
int cli_view_opts(const cli_ctx *ctx, bv_model_kind kind, bv_format fmt, bv_emit_opts *o);
/* The one emit of every command: view options and format as above, bv_emit
 * into path (NULL = the -o output) committed whole or not at all, then the
 * stderr notes (what was folded or left out, a PNG scaled down) in one
 * wording per kind. Returns the exit code. */
int cli_emit(cli_ctx *ctx, const bv_model *m, const char *path);
/* cli_emit's stderr notes for m written as fmt to path with o, from what
 * info says (for a writer called without cli_emit: procs' streamed spec). */
void cli_emit_notes(const char *path, const bv_model *m, bv_format fmt, const bv_emit_opts *o,
                    const bv_emit_info *info);
/* A collected model's outputs: --save (when save is not NULL) and -o path,
 * the model file kept only if the output was written. Returns the exit code. */
int cli_write_model(cli_ctx *ctx, const bv_model *m, const char *path, const char *save);
/* cli_save_begin's writer for a model (arg: const bv_model *). */
int cli_save_model(bv_out *out, const void *m);
/* 1 if the kind can be drawn as PNG/SVG/PDF. */
int cli_kind_images(bv_model_kind kind);
/* render: every option given must be one of the kind's (view options,
 * -o/--format/--max-input, image options when it draws); else prints
 * "render: --X does not apply to a K model (it takes: ...)", EXIT_USAGE. */
int cli_render_check(const cli_ctx *ctx, bv_model_kind kind);
/* Any collecting command's or image option `name` (n bytes), for render's
 * parser (cli_render_check then keeps those of the file's kind). */
const cli_opt *cli_render_find_opt(const char *name, size_t n);
/* render --help: the options of each kind. */
void cli_render_help(void (*print_opts)(const cli_opt *));
/* --top/--by of a snapshot (procs and render): keeps the N largest, in place. */
int cli_procs_top(const cli_ctx *ctx, bv_snapshot *s);
/* The --save FILE.json of a collecting command (NULL in *save if absent):
 * must name a .json model file that is not the -o output. Prints the error
 * and returns EXIT_USAGE, or EXIT_OK. */
int cli_save_path(const cli_ctx *ctx, const char *out_path, const char **save);
/* --save in two parts, so that a failed command leaves no file behind: begin
 * writes the model file under its temporary name (*pending; NULL when save is
 * NULL); end renames it into place if the main output succeeded (ec ==
 * EXIT_OK), else removes it. Both print their error; end returns the exit code. */
int cli_save_begin(const char *save, int (*write)(bv_out *out, const void *arg), const void *arg,
                   bv_out **pending);
int cli_save_end(bv_out *pending, int ec);

/* Reads the image options (--width, --height, --scale, --theme,
 * --background, --font) into o. Prints the error and returns EXIT_USAGE. */
int cli_image_config(const cli_ctx *ctx, bv_emit_opts *o);

/* Options every image-capable command accepts (filled in by the images work). */
extern const cli_opt cli_image_opts[];

#endif
