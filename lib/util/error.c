/* error.c: the last error message of this thread. */
#include "util/util.h"

#include <stdarg.h>

static _Thread_local char last_msg[1024];

const char *bv_error_last(void) { return last_msg; }

/* Messages carry text from the node (names, descriptions, printed reasons) and
 * from the user: cleaned here once (bv_text_clean), every message is one line
 * of plain text, with no control character a terminal would obey. Formatting
 * goes through raw first, so an argument may be bv_error_last() itself. */
int bv_error_set(int code, const char *fmt, ...)
{
  static _Thread_local char raw[sizeof last_msg];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0, raw[0] = 0;
  size_t len = (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
  if (len < (size_t)n) { /* cut by vsnprintf: drop a character cut in half */
    size_t k = len;
    while (k > 0 && len - k < 3 && ((unsigned char)raw[k - 1] & 0xC0) == 0x80)
      k--;
    unsigned lead = k > 0 ? (unsigned char)raw[k - 1] : 0;
    if (lead >= 0xC0 && len - (k - 1) < (lead >= 0xF0 ? 4u : lead >= 0xE0 ? 3u : 2u))
      len = k - 1;
  }
  bv_text_clean(last_msg, sizeof last_msg, raw, len);
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

const char *bv_version(void) { return BV_LIB_VERSION; }
