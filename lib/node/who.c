/* who.c: a process as the user names it (--attach, --sup): a registered name
 * or a pid in any of the spellings people copy from a shell or a log. One
 * parser, so every option accepts the same forms. */
#include "node/node.h"

#include <stdio.h>
#include <string.h>

static int digits(const char *s, size_t n)
{
  if (!n || n > 10)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

int bv_who_parse(const char *who, char *out, size_t cap)
{
  if (!who || !cap)
    return bv_error_set(BV_EINVAL, "no process given");
  const char *s = who;
  size_t n = strlen(s);
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (!n)
    return bv_error_set(BV_EINVAL, "no process given (a registered name or a pid)");
  int open = 0;
  if (n >= 5 && strncmp(s, "#PID<", 5) == 0) {
    s += 5, n -= 5;
    open = 1;
  } else if (s[0] == '<') {
    s++, n--;
    open = 1;
  }
  if (open) {
    if (n == 0 || s[n - 1] != '>')
      return bv_error_set(BV_EINVAL, "'%s' is not a pid (write <0.123.0>)", who);
    n--;
  }
  if (!open && !(s[0] >= '0' && s[0] <= '9')) {
    /* a name: Elixir's :name spelling of an atom is the atom */
    if (s[0] == ':' && n > 1)
      s++, n--;
    if (n >= cap || n > 255)
      return bv_error_set(BV_EINVAL, "'%s' is too long for a registered name", who);
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
  }
  /* a name never starts with a digit (atoms would need quotes), so anything
     digit-and-dot shaped is meant as a pid */
  const char *d1 = memchr(s, '.', n);
  const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s)) : NULL;
  if (!d1 || !d2 || !digits(s, (size_t)(d1 - s)) || !digits(d1 + 1, (size_t)(d2 - d1 - 1)) ||
      !digits(d2 + 1, n - (size_t)(d2 + 1 - s)))
    return bv_error_set(BV_EINVAL, "'%s' is not a pid (write <0.123.0>)", who);
  int w = snprintf(out, cap, "<%.*s>", (int)n, s);
  if (w < 0 || (size_t)w >= cap)
    return bv_error_set(BV_EINVAL, "'%s' is too long for a pid", who);
  return 1;
}
