/* memory.c: placeholder until the memory work lands. */
#include "jsonin.h"

int bv_memseries_from_json(const bv_jdoc *d, bv_memseries **out)
{
  *out = NULL;
  return bv_error_set(BV_EFORMAT, "%s: this kind of file cannot be read yet", bv_jdoc_name(d));
}
