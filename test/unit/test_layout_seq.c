/* test_layout_seq.c: the sequence layout: labels never overlap, arrows end on
 * their lifelines (or activation bars), replies dotted, self-messages loop,
 * truncation note, system processes hidden, golden dump of a small trace. */
#include "layout_util.h"

typedef struct ev_spec {
  bv_ev_kind kind;
  int from, to;
  const char *label;
} ev_spec;

static bv_trace *mk_trace(const char *const *names, const int *spawned, const int *sys,
                          size_t np, const ev_spec *ev, size_t n)
{
  bv_trace *t = calloc(1, sizeof *t);
  t->arena = bv_arena_new();
  t->mode = "eval";
  t->code = "demo:ping_pong().";
  t->stop_reason = "done";
  t->nparts = np;
  t->parts = bv_arena_alloc(t->arena, np * sizeof *t->parts);
  char pid[32];
  for (size_t i = 0; i < np; i++) {
    snprintf(pid, sizeof pid, "<0.%zu.0>", 100 + i);
    t->parts[i].pid = bv_arena_strdup(t->arena, pid);
    t->parts[i].name = names[i] ? bv_arena_strdup(t->arena, names[i]) : NULL;
    t->parts[i].spawned = spawned ? spawned[i] : 0;
    t->parts[i].system = sys ? sys[i] : 0;
  }
  t->n = n;
  t->events = bv_arena_alloc(t->arena, (n ? n : 1) * sizeof *t->events);
  for (size_t i = 0; i < n; i++) {
    bv_event *e = &t->events[i];
    e->kind = ev[i].kind;
    e->from = (uint32_t)ev[i].from;
    e->to = (uint32_t)ev[i].to;
    e->label = bv_arena_strdup(t->arena, ev[i].label);
    e->text = e->label;
    e->serial_prev = (int64_t)i;
    e->serial_cur = (int64_t)i + 1;
    e->reply_to = -1;
  }
  return t;
}

static const bv_sitem *find_ref(const bv_scene *s, const char *cls, int32_t ref)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].ref == ref && s->items[i].cls && strcmp(s->items[i].cls, cls) == 0)
      return &s->items[i];
  return NULL;
}

/* Arrows end on the target's lifeline or on the edge of its activation bar;
 * labels never overlap each other or the participant boxes. */
/* bv_layout_seq_model on a model holding t, with o (NULL = the defaults of
 * bv_emit_opts_init). */
static int lay_seq(const bv_trace *t, const bv_emit_opts *o, const bv_measure *m, bv_scene **s)
{
  bv_emit_opts dflt;
  bv_emit_opts_init(&dflt);
  bv_model md = {.kind = BV_MODEL_TRACE, .u.trace = (bv_trace *)t};
  return bv_layout_seq_model(&md, o ? o : &dflt, m, s, NULL);
}

static void check_seq(const bv_scene *s, const bv_trace *t, const char *what)
{
  CHECK_INT(lu_overlaps(s, BV_SI_TEXT, NULL, 1), 0);
  CHECK_INT(lu_overlaps(s, BV_SI_RECT, "participant participant-bottom note", 1), 0);
  CHECK_INT(lu_outside(s), 0);
  int bad = 0;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *a = &s->items[i];
    if (a->kind != BV_SI_LINE || (strcmp(a->cls, "message") && strcmp(a->cls, "reply")))
      continue;
    const bv_event *ev = &t->events[a->ref];
    CHECK_INT(a->dash, ev->kind == BV_EV_REPLY ? BV_DASH_DOTTED : BV_DASH_SOLID);
    const bv_sitem *life = find_ref(s, "lifeline", (int32_t)ev->to);
    const bv_sitem *bar = find_ref(s, "activation", (int32_t)ev->to);
    double ex = a->pts[2 * a->npts - 2], ey = a->pts[2 * a->npts - 1];
    int ok = life && fabs(ex - life->pts[0]) < EPS;
    if (!ok && bar && ey >= bar->y - EPS && ey <= bar->y + bar->h + EPS)
      ok = fabs(ex - bar->x) < EPS || fabs(ex - bar->x - bar->w) < EPS;
    if (!ok) {
      if (bad < 3)
        fprintf(stderr, "%s: arrow of event %d ends at %g, not on participant %u\n", what,
                a->ref, ex, ev->to);
      bad++;
    }
    if (ev->from == ev->to)
      CHECK(a->npts == 4); /* a loop */
  }
  CHECK_INT(bad, 0);
}

static const char *const pp_names[] = {NULL, "ping", "pong"};
static const int pp_spawned[] = {0, 1, 1};
static const ev_spec pp[] = {
    {BV_EV_SPAWN, 0, 1, "SPAWN"},     {BV_EV_SPAWN, 0, 2, "SPAWN"},
    {BV_EV_SEND, 1, 2, "INFO: ping"}, {BV_EV_SEND, 2, 1, "INFO: pong"},
    {BV_EV_CALL, 0, 2, "CALL: {get_state, a_rather_long_request_name_to_push_columns_apart}"},
    {BV_EV_REPLY, 2, 0, "REPLY: ok"}, {BV_EV_SEND, 1, 1, "INFO: tick"},
    {BV_EV_EXIT, 2, 1, "EXIT: normal"},
};

static void test_small(const bv_measure *fake, const bv_measure *real)
{
  bv_trace *t = mk_trace(pp_names, pp_spawned, NULL, 3, pp, sizeof pp / sizeof *pp);
  bv_scene *s = NULL;
  CHECK_INT(lay_seq(t, NULL, fake, &s), 0);
  if (s) {
    check_seq(s, t, "small");
    CHECK(lu_golden(s, "seq_small.txt"));
    /* spawned participants get activation bars */
    CHECK(find_ref(s, "activation", 1) != NULL);
    CHECK(find_ref(s, "activation", 0) == NULL);
    /* top and bottom boxes */
    CHECK(find_ref(s, "participant", 2) && find_ref(s, "participant-bottom", 2));
    bv_scene_free(s);
  }
  CHECK_INT(lay_seq(t, NULL, real, &s), 0);
  if (s) {
    check_seq(s, t, "small real");
    CHECK(lu_render_all(s, "seq_small"));
    bv_scene_free(s);
  }
  bv_trace_free(t);
}

/* 200 messages among 8 processes (calls, replies, casts, self-messages,
 * spawns, long labels) and then 1,500 with the default cap of 200 (the
 * Mermaid's: one default); then with payload lines under the labels. */
static void test_big(const bv_measure *m)
{
  const char *names[8] = {NULL, "Elixir.MyApp.Server", "demo_ping", "demo_pong", NULL,
                          "a_process_with_a_really_long_registered_name_that_goes_on",
                          "logger", NULL};
  int spawned[8] = {0, 0, 0, 0, 1, 0, 0, 1};
  int sys[8] = {0, 0, 0, 0, 0, 0, 1, 0};
  for (int big = 0; big < 2; big++) {
    size_t n = big ? 1500 : 200;
    ev_spec *ev = calloc(n, sizeof *ev);
    char (*labels)[96] = calloc(n, sizeof *labels);
    unsigned seed = 42;
    for (size_t i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      int a = (int)((seed >> 16) % 8), b = (int)((seed >> 8) % 8);
      static const bv_ev_kind kinds[] = {BV_EV_SEND, BV_EV_CALL, BV_EV_REPLY, BV_EV_CAST,
                                         BV_EV_SEND, BV_EV_DOWN};
      bv_ev_kind k = kinds[(seed >> 4) % 6];
      if (i == 3)
        a = 0, b = 4, k = BV_EV_SPAWN;
      if (i == 9)
        a = 1, b = 7, k = BV_EV_SPAWN;
      snprintf(labels[i], sizeof labels[i], "%s: msg_%zu%s",
               k == BV_EV_CALL ? "CALL" : k == BV_EV_REPLY ? "REPLY" : "INFO", i,
               i % 17 == 0 ? "_with_a_payload_{some, [nested, terms], <<\"and text\">>}" : "");
      ev[i] = (ev_spec){k, a, b, labels[i]};
    }
    bv_trace *t = mk_trace(names, spawned, sys, 8, ev, n);
    bv_scene *s = NULL;
    CHECK_INT(lay_seq(t, NULL, m, &s), 0);
    if (s) {
      check_seq(s, t, big ? "1500" : "200");
      /* logger (system) is hidden by default */
      CHECK(find_ref(s, "participant", 6) == NULL);
      size_t arrows = 0;
      for (size_t i = 0; i < s->n; i++)
        arrows += s->items[i].kind == BV_SI_LINE && (!strcmp(s->items[i].cls, "message") ||
                                                     !strcmp(s->items[i].cls, "reply"));
      CHECK(arrows <= 200);
      CHECK((s->note != NULL) == big);
      if (!big)
        CHECK(lu_render_all(s, "seq_200"));
      bv_scene_free(s);
    }
    /* payload: a second line under each label, still no overlap */
    bv_emit_opts eo;
    bv_emit_opts_init(&eo);
    eo.payload = 40;
    bv_model md = {.kind = BV_MODEL_TRACE, .u.trace = t};
    bv_emit_info info;
    CHECK_INT(bv_layout_seq_model(&md, &eo, m, &s, &info), 0);
    if (s) {
      check_seq(s, t, big ? "1500 payload" : "200 payload");
      CHECK(find_ref(s, "msg-payload", 1) != NULL);
      CHECK(find_ref(s, "msg-payload", 3) == NULL); /* a SPAWN has none */
      CHECK_INT(info.shown + info.left_out + info.hidden, n);
      CHECK(info.shown <= 200);
      bv_scene_free(s);
    }
    bv_emit_opts o;
    bv_emit_opts_init(&o);
    o.all = 1;
    o.max_shown = 50;
    CHECK_INT(lay_seq(t, &o, m, &s), 0);
    if (s) {
      check_seq(s, t, "all");
      CHECK(find_ref(s, "participant", 6) != NULL);
      CHECK(s->note != NULL);
      CHECK(find_ref(s, "note", -1) != NULL);
      bv_scene_free(s);
    }
    bv_trace_free(t);
    free(ev);
    free(labels);
  }
}

static void test_edge_cases(const bv_measure *m)
{
  /* no events at all; a stopped trace; bad indices */
  const char *names[1] = {"lonely"};
  bv_trace *t = mk_trace(names, NULL, NULL, 1, NULL, 0);
  t->stop_reason = "max_events";
  bv_scene *s = NULL;
  CHECK_INT(lay_seq(t, NULL, m, &s), 0);
  if (s) {
    CHECK_INT(lu_outside(s), 0);
    CHECK(find_ref(s, "note", -1) != NULL);
    CHECK(lu_render_all(s, "seq_empty"));
    bv_scene_free(s);
  }
  bv_trace_free(t);
  ev_spec bad[] = {{BV_EV_SEND, 0, 5, "INFO: x"}};
  t = mk_trace(names, NULL, NULL, 1, bad, 1);
  CHECK_INT(lay_seq(t, NULL, m, &s), BV_EINVAL);
  bv_trace_free(t);
}

int main(void)
{
  bv_measure fake, real;
  bv_fake_measure(&fake);
  lu_measure(&real);
  test_small(&fake, &real);
  test_big(&real);
  test_edge_cases(&real);
  if (real.fn != fake.fn)
    bv_cairo_measure_close(&real);
  return check_report();
}
