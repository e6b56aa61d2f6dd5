/* trace.c: placeholder until the trace work lands. */
#include "jsonin.h"

int bv_trace_from_json(const bv_jdoc *d, bv_trace **out)
{
  *out = NULL;
  return bv_error_set(BV_EFORMAT, "%s: this kind of file cannot be read yet", bv_jdoc_name(d));
}
