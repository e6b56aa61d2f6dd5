/* test_seq_formats.c: a trace drawn as Mermaid (bv_emit_seq_mermaid) and as
 * an image (bv_layout_seq_model) shows the same participants, the same
 * message labels (payload included), the same notes and the same counts,
 * because both draw the one trace view. Traces: long (500 messages), with
 * payload, with system processes, eval stopped by the duration, attach ended
 * by the duration, stopped at the event bound. */
#include "layout_util.h"

#define MAXN 600

typedef struct drawn {
  size_t nparts, nmsg, nnotes;
  char *parts[16];
  char *label[MAXN];
  char *payload[MAXN]; /* NULL: none */
  char *notes[4];
  bv_emit_info info;
} drawn;

static void drawn_free(drawn *d)
{
  for (size_t i = 0; i < d->nparts; i++)
    free(d->parts[i]);
  for (size_t i = 0; i < d->nmsg; i++) {
    free(d->label[i]);
    free(d->payload[i]);
  }
  for (size_t i = 0; i < d->nnotes; i++)
    free(d->notes[i]);
}

/* Mermaid text back to what was escaped: #N; is a byte (N < 128) or a code
 * point, <br/> a newline. */
static char *unescape(const char *s, size_t n)
{
  bv_buf b;
  bv_buf_init(&b);
  for (size_t i = 0; i < n;) {
    if (s[i] == '#') {
      size_t j = i + 1;
      unsigned long cp = 0;
      while (j < n && s[j] >= '0' && s[j] <= '9')
        cp = cp * 10 + (unsigned long)(s[j++] - '0');
      if (j < n && s[j] == ';' && j > i + 1) {
        if (cp < 0x80) {
          bv_buf_putc(&b, (char)cp);
        } else {
          bv_buf_putc(&b, (char)(0xC0 | (cp >> 6)));
          bv_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
        }
        i = j + 1;
        continue;
      }
    }
    bv_buf_putc(&b, s[i++]);
  }
  bv_buf_putc(&b, 0);
  return b.data;
}

static char *dup_n(const char *s, size_t n)
{
  char *r = malloc(n + 1);
  memcpy(r, s, n);
  r[n] = 0;
  return r;
}

/* What the Mermaid draws. */
static void from_mermaid(const bv_trace *t, const bv_emit_opts *o, drawn *d)
{
  memset(d, 0, sizeof *d);
  bv_model m = {.kind = BV_MODEL_TRACE, .u.trace = (bv_trace *)t};
  bv_out *out;
  CHECK_INT(bv_out_open_mem(&out), 0);
  CHECK_INT(bv_emit_seq_mermaid(&m, BV_FMT_MERMAID, o, out, &d->info), 0);
  size_t len;
  const char *text = bv_out_mem(out, &len);
  CHECK(len < 50000);
  for (const char *l = text; l && *l;) {
    const char *nl = strchr(l, '\n');
    size_t ll = nl ? (size_t)(nl - l) : strlen(l);
    const char *colon = memchr(l, ':', ll);
    if (ll > 14 && strncmp(l, "  participant ", 14) == 0) {
      const char *as = strstr(l, " as ");
      if (as && as < l + ll && d->nparts < 16 && strncmp(as + 4, "beamviz", 7))
        d->parts[d->nparts++] = unescape(as + 4, (size_t)(l + ll - as - 4));
    } else if (ll > 12 && strncmp(l, "  Note over ", 12) == 0 && colon) {
      if (d->nnotes < 4)
        d->notes[d->nnotes++] = unescape(colon + 2, (size_t)(l + ll - colon - 2));
    } else if (ll > 3 && strncmp(l, "  p", 3) == 0 && colon && d->nmsg < MAXN) {
      const char *x = colon + 2, *end = l + ll;
      const char *br = strstr(x, "<br/>");
      if (br && br < end) {
        d->label[d->nmsg] = unescape(x, (size_t)(br - x));
        d->payload[d->nmsg] = unescape(br + 5, (size_t)(end - br - 5));
      } else {
        d->label[d->nmsg] = unescape(x, (size_t)(end - x));
      }
      d->nmsg++;
    }
    l = nl ? nl + 1 : NULL;
  }
  bv_out_abort(out);
}

static const char *full_text(const bv_sitem *it) { return it->full ? it->full : it->text; }

/* What the image draws. */
static void from_scene(const bv_trace *t, const bv_emit_opts *o, const bv_measure *ms, drawn *d)
{
  memset(d, 0, sizeof *d);
  bv_model m = {.kind = BV_MODEL_TRACE, .u.trace = (bv_trace *)t};
  bv_scene *s = NULL;
  CHECK_INT(bv_layout_seq_model(&m, o, ms, &s, &d->info), 0);
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    const bv_sitem *it = &s->items[i];
    if (it->kind != BV_SI_TEXT)
      continue;
    if (!strcmp(it->cls, "participant-label") && i > 0 &&
        !strcmp(s->items[i - 1].cls, "participant") && it->ref >= 0 && d->nparts < 16)
      d->parts[d->nparts++] = dup_n(full_text(it), strlen(full_text(it)));
    else if (!strcmp(it->cls, "msg-label") && d->nmsg < MAXN)
      d->label[d->nmsg++] = dup_n(full_text(it), strlen(full_text(it)));
    else if (!strcmp(it->cls, "msg-payload") && d->nmsg > 0)
      d->payload[d->nmsg - 1] = dup_n(full_text(it), strlen(full_text(it)));
    else if (!strcmp(it->cls, "note-label") && d->nnotes < 4)
      d->notes[d->nnotes++] = dup_n(full_text(it), strlen(full_text(it)));
  }
  CHECK_INT(lu_overlaps(s, BV_SI_TEXT, NULL, 1), 0);
  bv_scene_free(s);
}

static int same_str(const char *a, const char *b)
{
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Mermaid and image agree; returns the Mermaid's view for more checks. */
static void agree(const char *what, const bv_trace *t, const bv_emit_opts *o,
                  const bv_measure *ms, drawn *mm)
{
  drawn im;
  from_mermaid(t, o, mm);
  from_scene(t, o, ms, &im);
  int bad = 0;
  if (mm->nparts != im.nparts || mm->nmsg != im.nmsg || mm->nnotes != im.nnotes) {
    fprintf(stderr, "%s: mermaid %zu parts %zu msgs %zu notes, image %zu %zu %zu\n", what,
            mm->nparts, mm->nmsg, mm->nnotes, im.nparts, im.nmsg, im.nnotes);
    bad++;
  }
  for (size_t i = 0; i < mm->nparts && i < im.nparts; i++)
    if (!same_str(mm->parts[i], im.parts[i]) && bad++ < 5)
      fprintf(stderr, "%s: participant %zu: '%s' vs '%s'\n", what, i, mm->parts[i],
              im.parts[i]);
  for (size_t i = 0; i < mm->nmsg && i < im.nmsg; i++) {
    if (!same_str(mm->label[i], im.label[i]) && bad++ < 5)
      fprintf(stderr, "%s: label %zu: '%s' vs '%s'\n", what, i, mm->label[i], im.label[i]);
    if (!same_str(mm->payload[i], im.payload[i]) && bad++ < 5)
      fprintf(stderr, "%s: payload %zu: '%s' vs '%s'\n", what, i,
              mm->payload[i] ? mm->payload[i] : "(none)",
              im.payload[i] ? im.payload[i] : "(none)");
  }
  for (size_t i = 0; i < mm->nnotes && i < im.nnotes; i++)
    if (!same_str(mm->notes[i], im.notes[i]) && bad++ < 5)
      fprintf(stderr, "%s: note %zu: '%s' vs '%s'\n", what, i, mm->notes[i], im.notes[i]);
  if (mm->info.shown != im.info.shown || mm->info.left_out != im.info.left_out ||
      mm->info.hidden != im.info.hidden) {
    fprintf(stderr, "%s: counts mermaid %zu/%zu/%zu image %zu/%zu/%zu\n", what, mm->info.shown,
            mm->info.left_out, mm->info.hidden, im.info.shown, im.info.left_out,
            im.info.hidden);
    bad++;
  }
  CHECK_INT(mm->nmsg, mm->info.shown);
  CHECK_INT(bad, 0);
  drawn_free(&im);
}

/* --- traces ------------------------------------------------------------------ */

static bv_trace *mk(const char *mode, const char *stop, size_t np, size_t n)
{
  bv_trace *t = calloc(1, sizeof *t);
  t->arena = bv_arena_new();
  t->node = "t@127.0.0.1";
  t->mode = mode;
  t->code = "demo:run().";
  t->stop_reason = stop;
  t->nparts = np;
  t->parts = bv_arena_alloc(t->arena, (np + 1) * sizeof *t->parts);
  char pid[32];
  for (size_t i = 0; i < np; i++) {
    snprintf(pid, sizeof pid, "<0.%zu.0>", 100 + i);
    t->parts[i].pid = bv_arena_strdup(t->arena, pid);
  }
  t->n = n;
  t->events = bv_arena_alloc(t->arena, (n + 1) * sizeof *t->events);
  return t;
}

static void ev(bv_trace *t, size_t i, bv_ev_kind k, uint32_t from, uint32_t to,
               const char *label, const char *text)
{
  bv_event *e = &t->events[i];
  e->kind = k;
  e->from = from;
  e->to = to;
  e->label = bv_arena_strdup(t->arena, label);
  e->text = text ? bv_arena_strdup(t->arena, text) : NULL;
  e->serial_prev = e->serial_cur = -1;
  e->reply_to = -1;
}

/* ping-pong plus a call on a named server and a message to code_server */
static bv_trace *small(const char *mode, const char *stop)
{
  bv_trace *t = mk(mode, stop, 4, 7);
  t->parts[1].spawned = 1;
  t->parts[1].exit_reason = "normal";
  t->parts[2].name = "Elixir.MyApp.Server";
  t->parts[3].name = "code_server";
  t->parts[3].system = 1;
  ev(t, 0, BV_EV_SPAWN, 0, 1, "SPAWN", "{spawn_request,...}");
  ev(t, 1, BV_EV_SEND, 0, 1, "INFO: ping", "h\xC3\xA9llo w\xC3\xB6rld");
  ev(t, 2, BV_EV_SEND, 1, 0, "INFO: pong", "pong");
  ev(t, 3, BV_EV_CALL, 0, 2, "CALL: get", "{'$gen_call',{<0.100.0>,tag},get}");
  ev(t, 4, BV_EV_REPLY, 2, 0, "REPLY: {ok,1}", "{tag,{ok,1}}");
  ev(t, 5, BV_EV_SEND, 0, 3, "INFO: io_request", "{io_request,x}");
  ev(t, 6, BV_EV_SEND, 2, 2, "INFO: tick", "");
  return t;
}

static bv_trace *long_trace(void)
{
  bv_trace *t = mk("eval", "done", 4, 500);
  t->parts[2].name = "worker";
  char lab[48];
  for (size_t i = 0; i < 500; i++) {
    snprintf(lab, sizeof lab, "INFO: msg_%zu", i);
    ev(t, i, i % 7 == 3 ? BV_EV_REPLY : BV_EV_SEND, (uint32_t)(i % 4), (uint32_t)((i + 1) % 4),
       lab, "payload text");
  }
  return t;
}

static int has_note(const drawn *d, const char *text)
{
  for (size_t i = 0; i < d->nnotes; i++)
    if (strstr(d->notes[i], text))
      return 1;
  return 0;
}

static void test_cases(const bv_measure *ms)
{
  bv_emit_opts o;
  drawn d;

  /* long: the default max_shown is 200 in both */
  bv_trace *t = long_trace();
  bv_emit_opts_init(&o);
  agree("long", t, &o, ms, &d);
  CHECK_INT(d.info.shown, 200);
  CHECK_INT(d.info.left_out, 300);
  CHECK_INT(d.nnotes, 1);
  CHECK(has_note(&d, "300 more messages not drawn (the model file has them all)"));
  CHECK(!has_note(&d, "--"));
  drawn_free(&d);
  agree("long, NULL options", t, NULL, ms, &d);
  CHECK_INT(d.info.shown, 200);
  drawn_free(&d);
  o.max_shown = 0; /* all */
  agree("long, all", t, &o, ms, &d);
  CHECK_INT(d.info.shown, 500);
  CHECK_INT(d.nnotes, 0);
  drawn_free(&d);
  o.max_shown = 1;
  agree("long, one", t, &o, ms, &d);
  CHECK(has_note(&d, "499 more messages not drawn"));
  drawn_free(&d);
  bv_trace_free(t);

  /* payload: the first N characters, cut at a character; none for a SPAWN */
  t = small("eval", "done");
  bv_emit_opts_init(&o);
  o.payload = 2;
  agree("payload", t, &o, ms, &d);
  CHECK_INT(d.nmsg, 6);
  CHECK(d.payload[0] == NULL);
  CHECK(d.payload[1] && strcmp(d.payload[1], "h\xC3\xA9") == 0);
  CHECK_STR(d.label[1], "INFO: ping");
  CHECK(d.payload[4] && strcmp(d.payload[4], "{t") == 0);
  CHECK(d.payload[5] == NULL); /* empty text */
  CHECK_INT(d.nnotes, 0);
  drawn_free(&d);
  o.payload = 1000;
  agree("payload 1000", t, &o, ms, &d);
  CHECK(d.payload[1] && strcmp(d.payload[1], "h\xC3\xA9llo w\xC3\xB6rld") == 0);
  drawn_free(&d);

  /* system processes: hidden by default, kept with all */
  bv_emit_opts_init(&o);
  agree("system hidden", t, &o, ms, &d);
  CHECK_INT(d.info.hidden, 1);
  CHECK_INT(d.nparts, 3);
  CHECK_STR(d.parts[0], "<0.100.0>");
  CHECK_STR(d.parts[2], "MyApp.Server");
  drawn_free(&d);
  o.all = 1;
  agree("system shown", t, &o, ms, &d);
  CHECK_INT(d.info.hidden, 0);
  CHECK_INT(d.nparts, 4);
  CHECK_STR(d.parts[3], "code_server");
  drawn_free(&d);
  /* Elixir pids */
  t->elixir = 1;
  agree("elixir", t, &o, ms, &d);
  CHECK_STR(d.parts[0], "#PID<0.100.0>");
  drawn_free(&d);
  bv_trace_free(t);

  /* stop reasons: the same note in both, worded per mode */
  static const struct {
    const char *mode, *stop, *note; /* note NULL: none */
  } stops[] = {
      {"eval", "duration", "trace stopped early: the duration bound was reached"},
      {"elixir", "duration", "trace stopped early: the duration bound was reached"},
      {"attach", "duration", NULL},
      {"eval", "max_events", "trace stopped at the event bound"},
      {"attach", "max_events", "trace stopped at the event bound"},
      {"eval", "mailbox", "trace stopped early: the relay's mailbox bound was reached"},
      {"attach", "done", NULL},
  };
  for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
    t = small(stops[i].mode, stops[i].stop);
    bv_emit_opts_init(&o);
    char what[64];
    snprintf(what, sizeof what, "%s + %s", stops[i].mode, stops[i].stop);
    agree(what, t, &o, ms, &d);
    if (stops[i].note) {
      CHECK_INT(d.nnotes, 1);
      CHECK(has_note(&d, stops[i].note));
    } else {
      CHECK_INT(d.nnotes, 0);
    }
    CHECK(!has_note(&d, "early") || strcmp(stops[i].mode, "attach") != 0 ||
          strcmp(stops[i].stop, "duration") != 0);
    drawn_free(&d);
    /* with messages left out too: both notes, left-out first */
    o.max_shown = 2;
    agree(what, t, &o, ms, &d);
    CHECK_INT(d.nnotes, stops[i].note ? 2 : 1);
    CHECK(d.nnotes > 0 && strstr(d.notes[0], "4 more messages not drawn") != NULL);
    drawn_free(&d);
    bv_trace_free(t);
  }

  /* nothing to show: the same note */
  t = mk("eval", "done", 1, 1);
  t->parts[0].name = "logger";
  t->parts[0].system = 1;
  ev(t, 0, BV_EV_SEND, 0, 0, "INFO: log", "log");
  bv_emit_opts_init(&o);
  agree("all hidden", t, &o, ms, &d);
  CHECK_INT(d.nparts, 0);
  CHECK(has_note(&d, "no messages to show (system processes hidden)"));
  drawn_free(&d);
  bv_trace_free(t);
  t = mk("attach", "max_events", 1, 0);
  agree("empty", t, &o, ms, &d);
  CHECK_INT(d.nnotes, 2);
  CHECK(has_note(&d, "no messages were traced"));
  CHECK(has_note(&d, "trace stopped at the event bound"));
  drawn_free(&d);
  bv_trace_free(t);
}

/* Mermaid's size cap leaves out more than the view: the counts and the note
 * say so, and the image (no cap) draws the view. */
static void test_cap(const bv_measure *ms)
{
  bv_trace *t = mk("eval", "done", 2, 300);
  char *label = bv_arena_alloc(t->arena, 301);
  memset(label, ';', 300);
  for (size_t i = 0; i < 300; i++)
    ev(t, i, BV_EV_SEND, (uint32_t)(i % 2), (uint32_t)((i + 1) % 2), label, NULL);
  bv_emit_opts o;
  bv_emit_opts_init(&o);
  drawn d;
  from_mermaid(t, &o, &d);
  CHECK(d.info.shown > 0 && d.info.shown < 200);
  CHECK_INT(d.info.shown + d.info.left_out, 300);
  CHECK_INT(d.nmsg, d.info.shown);
  char want[64];
  snprintf(want, sizeof want, "%zu more messages not drawn", d.info.left_out);
  CHECK(has_note(&d, want));
  drawn_free(&d);
  from_scene(t, &o, ms, &d);
  CHECK_INT(d.info.shown, 200);
  CHECK_INT(d.info.left_out, 100);
  drawn_free(&d);
  bv_trace_free(t);
}

static void test_bad(const bv_measure *ms)
{
  bv_model m = {.kind = BV_MODEL_TREE};
  bv_out *out;
  CHECK_INT(bv_out_open_mem(&out), 0);
  CHECK_INT(bv_emit_seq_mermaid(&m, BV_FMT_MERMAID, NULL, out, NULL), BV_EINVAL);
  bv_scene *s = NULL;
  CHECK_INT(bv_layout_seq_model(&m, NULL, ms, &s, NULL), BV_EINVAL);
  CHECK(s == NULL);
  bv_trace *t = small("eval", "done");
  m.kind = BV_MODEL_TRACE;
  m.u.trace = t;
  CHECK_INT(bv_emit_seq_mermaid(&m, BV_FMT_SVG, NULL, out, NULL), BV_EINVAL);
  /* md: a fenced block */
  CHECK_INT(bv_emit_seq_mermaid(&m, BV_FMT_MD, NULL, out, NULL), 0);
  size_t len;
  const char *text = bv_out_mem(out, &len);
  CHECK(strncmp(text, "```mermaid\nsequenceDiagram\n", 27) == 0);
  CHECK(len > 4 && strcmp(text + len - 4, "```\n") == 0);
  bv_out_abort(out);
  t->events[0].to = 9;
  CHECK_INT(bv_layout_seq_model(&m, NULL, ms, &s, NULL), BV_EINVAL);
  bv_trace_free(t);
}

int main(void)
{
  bv_measure fake;
  bv_fake_measure(&fake);
  test_cases(&fake);
  test_cap(&fake);
  test_bad(&fake);
  return check_report();
}
