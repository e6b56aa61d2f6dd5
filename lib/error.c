/* error.c: the last error message of this thread. */
#include "beamviz.h"

#include <stdarg.h>

static _Thread_local char last_msg[1024];

const char *bv_error_last(void) { return last_msg; }

int bv_error_set(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_msg, sizeof last_msg, fmt, ap);
  va_end(ap);
  return code;
}

const char *bv_error_name(int code)
{
  switch (code) {
  case BV_OK: return "ok";
  case BV_ENOMEM: return "out of memory";
  case BV_EINVAL: return "invalid argument";
  case BV_EIO: return "i/o error";
  case BV_EFORMAT: return "bad input file";
  case BV_EEPMD: return "epmd unreachable";
  case BV_ENONODE: return "node not registered";
  case BV_EAUTH: return "cookie rejected";
  case BV_ETIMEOUT: return "timeout";
  case BV_ECLOSED: return "node went away";
  case BV_EREMOTE: return "remote call failed";
  case BV_ENOTFOUND: return "not found";
  case BV_ENOERL: return "erl not found";
  case BV_EREFUSED: return "refused";
  case BV_ETERM: return "malformed term";
  default: return "error";
  }
}
