/* test_ident.c: the one identity rule (bv_ident_display) and the target's
 * syntax for pids and calls (bv_pid_display, bv_mfa_display). */
#include "model/model.h"
#include "check.h"

#include <string.h>

static const char *show(const bv_ident *id, int elixir)
{
  static bv_buf b;
  bv_buf_dispose(&b);
  bv_buf_init(&b);
  CHECK_INT(bv_ident_display(&b, id, elixir), 0);
  return b.data ? b.data : "";
}

static void test_rule(void)
{
  /* a registered name is unique: alone */
  bv_ident a = {"rex", "lbl", "id", "rpc:init/1", "<0.50.0>"};
  CHECK_STR(show(&a, 0), "rex");
  /* else the label, with the pid */
  bv_ident b = {NULL, "worker 1", "id", "m:f/1", "<0.51.0>"};
  CHECK_STR(show(&b, 0), "worker 1 <0.51.0>");
  CHECK_STR(show(&b, 1), "worker 1 #PID<0.51.0>");
  /* else the child id (or a chain role) */
  bv_ident c = {NULL, NULL, "conn_sup", "ranch_conns_sup:init/7", "<0.52.0>"};
  CHECK_STR(show(&c, 0), "conn_sup <0.52.0>");
  /* else the module of the call, in the target's syntax */
  bv_ident d = {NULL, NULL, NULL, "rabbit_prequeue:init/1", "<0.930.0>"};
  CHECK_STR(show(&d, 0), "rabbit_prequeue <0.930.0>");
  CHECK_STR(show(&d, 1), ":rabbit_prequeue #PID<0.930.0>");
  bv_ident e = {NULL, NULL, NULL, "Elixir.DemoApp.Session", "<0.152.0>"};
  CHECK_STR(show(&e, 1), "DemoApp.Session #PID<0.152.0>");
  bv_ident e2 = {NULL, NULL, NULL, "DemoApp.Worker:init/1", "<0.153.0>"};
  CHECK_STR(show(&e2, 1), "DemoApp.Worker #PID<0.153.0>");
  /* a spawned fun says nothing: the pid alone */
  bv_ident f = {NULL, NULL, NULL, "erlang:apply/2", "<0.60.0>"};
  CHECK_STR(show(&f, 0), "<0.60.0>");
  /* empty texts count as absent; nothing at all is "?" (never null) */
  bv_ident g = {"", "", "", "", "<0.61.0>"};
  CHECK_STR(show(&g, 1), "#PID<0.61.0>");
  bv_ident h = {NULL, NULL, NULL, NULL, NULL};
  CHECK_STR(show(&h, 0), "?");
}

static void test_mfa(void)
{
  bv_buf b;
  bv_buf_init(&b);
  bv_mfa_display(&b, "Elixir.DemoApp.Worker:init/1", 1);
  CHECK_STR(b.data, "DemoApp.Worker.init/1");
  b.len = 0;
  bv_mfa_display(&b, "proc_lib:init_p/5", 1);
  CHECK_STR(b.data, ":proc_lib.init_p/5");
  b.len = 0;
  bv_mfa_display(&b, "proc_lib:init_p/5", 0);
  CHECK_STR(b.data, "proc_lib:init_p/5");
  b.len = 0;
  bv_mfa_display(&b, "Elixir.Supervisor.Default", 1);
  CHECK_STR(b.data, "Supervisor.Default");
  bv_buf_dispose(&b);
}

int main(void)
{
  test_rule();
  test_mfa();
  return check_report();
}
