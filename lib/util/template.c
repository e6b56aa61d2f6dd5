/* template.c: access to the files embedded at build time. */
#include "util/util.h"

#include <string.h>

struct bv_template_entry {
  const char *name;
  const char *text;
  size_t len;
};
extern const struct bv_template_entry bv_template_table[];

const char *bv_template(const char *name, size_t *len)
{
  for (const struct bv_template_entry *e = bv_template_table; e->name; e++)
    if (strcmp(e->name, name) == 0) {
      if (len)
        *len = e->len;
      return e->text;
    }
  return NULL;
}
