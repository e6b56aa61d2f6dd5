/* embed.c: a program that embeds libbeamviz through the installed header and
 * beamviz.pc only (test/e2e/install.sh builds it against a fresh install).
 * It loads a model file, writes it back (bv_model_save) and through bv_emit as
 * JSON and Mermaid into memory, and checks the bytes.
 * Usage: embed MODEL.json   (a suptree model file with a supervisor demo_sup) */
#include <beamviz.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define EXPECT(cond, ...)                                                                    \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "embed: " __VA_ARGS__);                                                \
      fputc('\n', stderr);                                                                   \
      failures++;                                                                            \
    }                                                                                        \
  } while (0)

/* The whole file at path, NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *p = malloc(1 << 20);
  size_t n = p ? fread(p, 1, (1 << 20) - 1, f) : 0;
  fclose(f);
  if (p)
    p[n] = 0;
  *len = n;
  return p;
}

/* m written by bv_emit as fmt into memory; NULL (and a failure) on error. */
static char *emit(const bv_model *m, bv_format fmt, size_t *len)
{
  bv_out *o;
  bv_emit_opts opts;
  bv_emit_opts_init(&opts);
  if (bv_out_open_mem(&o) != BV_OK)
    return NULL;
  char *copy = NULL;
  int rc = bv_emit(m, fmt, &opts, o, NULL);
  EXPECT(rc == BV_OK, "bv_emit as %s: %s", bv_format_name(fmt), bv_error_last());
  if (rc == BV_OK) {
    const char *p = bv_out_mem(o, len);
    if ((copy = malloc(*len + 1)))
      memcpy(copy, p, *len + 1);
  }
  bv_out_abort(o);
  return copy;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: embed MODEL.json\n");
    return 2;
  }
  size_t flen = 0;
  char *file = slurp(argv[1], &flen);
  EXPECT(file != NULL, "cannot read %s", argv[1]);

  bv_model m;
  int rc = bv_model_load(argv[1], NULL, &m);
  EXPECT(rc == BV_OK, "bv_model_load: %s", bv_error_last());
  if (rc != BV_OK || !file)
    return 1;
  EXPECT(m.kind == BV_MODEL_TREE, "kind %d, expected a supervision tree", (int)m.kind);
  EXPECT(strcmp(bv_model_kind_name(m.kind), "suptree") == 0, "kind name %s",
         bv_model_kind_name(m.kind));
  if (m.kind == BV_MODEL_TREE)
    EXPECT(m.u.tree->n == 3 && strcmp(m.u.tree->nodes[0].name, "demo_sup") == 0,
           "tree of %zu nodes, root %s", m.u.tree->n, m.u.tree->nodes[0].name);

  /* the model file written back is the file read */
  bv_out *o;
  size_t n;
  if (bv_out_open_mem(&o) == BV_OK) {
    EXPECT(bv_model_save(&m, o) == BV_OK, "bv_model_save: %s", bv_error_last());
    const char *p = bv_out_mem(o, &n);
    EXPECT(n == flen && memcmp(p, file, n) == 0, "bv_model_save wrote other bytes:\n%s", p);
    bv_out_abort(o);
  }

  /* JSON through bv_emit is the model file too */
  char *json = emit(&m, BV_FMT_JSON, &n);
  EXPECT(json && n == flen && memcmp(json, file, n) == 0, "bv_emit JSON differs:\n%s",
         json ? json : "");
  /* Mermaid: a top-down flowchart with the root and both workers */
  char *mmd = emit(&m, BV_FMT_MERMAID, &n);
  EXPECT(mmd && strncmp(mmd, "graph TD\n", 9) == 0, "Mermaid does not start with graph TD:\n%s",
         mmd ? mmd : "");
  EXPECT(mmd && strstr(mmd, "demo_sup") && strstr(mmd, "task") && strstr(mmd, "agent"),
         "Mermaid lacks a node:\n%s", mmd ? mmd : "");
  /* the kind's formats list both */
  int has_json = 0, has_mmd = 0;
  for (const bv_format *f = bv_emit_formats(BV_MODEL_TREE); f && *f != BV_FMT_NONE; f++) {
    has_json |= *f == BV_FMT_JSON;
    has_mmd |= *f == BV_FMT_MERMAID;
  }
  EXPECT(has_json && has_mmd, "bv_emit_formats(suptree) lacks JSON or Mermaid");
  free(json);
  free(mmd);

  bv_model_dispose(&m);
  free(file);
  if (failures)
    return 1;
  printf("embed: ok\n");
  return 0;
}
