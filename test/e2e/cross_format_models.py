#!/usr/bin/env python3
"""cross_format_models.py DIR: the saved models test/e2e/cross_format.sh renders to every
format, written in the layouts beamviz reads (lib/model/tree.c, trace.c, procs.c,
memory.c):

  tree.json         a root with 30 children of every kind (supervisors with subtrees, named
                    and child-id workers, linked processes, not-started children,
                    unresponsive supervisors), 6 levels deep under its first child, links
  trace-eval.json   500 messages among 6 processes (code_server and logger among them),
                    eval mode stopped by the duration bound
  trace-attach.json 40 messages, attach mode ended by its duration (its normal end)
  trace-max.json    300 messages stopped at the event bound
  procs.json        45 processes, 40 distinct names and 5 unnamed, some with 0 reductions
  memory.json       a memory series of 5 samples
"""
import json
import os
import random
import sys


def tree():
    # (kind, fields, children) built as a nested tree, then written breadth-first
    def n(kind, children=(), **f):
        return (kind, f, list(children))

    pid = [200]

    def p():
        pid[0] += 1
        return "<0.%d.0>" % pid[0]

    chain = n("worker", name="deepest_worker", pid=p())
    for lvl in (5, 4, 3):
        chain = n("supervisor", [chain, n("worker", child_id="w%d" % lvl, pid=p())],
                  name="level%d_sup" % lvl, pid=p())
    # level 2: 14 children, folded at 12 by default
    lvl2 = n("supervisor", [chain] + [n("worker", child_id="conn_%d" % k, pid=p()) for k in range(13)],
             name="level2_sup", pid=p())
    kids = []
    for i in range(30):
        if i == 0:
            kids.append(n("supervisor", [lvl2, n("worker", name="deep_cache", pid=p())],
                          name="deep_sup", pid=p(), module="deep_sup"))
        elif i == 1:
            kids.append(n("supervisor", [n("worker", name="pool_%d" % k, pid=p()) for k in range(3)],
                          name="pool_sup", pid=p()))
        elif i in (4, 27):
            kids.append(n("external", pid="<0.%d.0>" % (900 + i), module="ext_mod_%d" % i))
        elif i in (5, 28):
            kids.append(n("notstarted", child_id="lazy_%d" % i, type="worker", state="dead"))
        elif i in (6, 24):
            kids.append(n("unresponsive", name="stuck_sup_%d" % i, pid=p(), type="supervisor",
                          state="no answer: timeout"))
        elif i == 7:
            kids.append(n("notstarted", child_id="lazy_sup", type="supervisor", state="dead"))
        elif i == 8:
            kids.append(n("worker", name="w\u00e9ird<name>&\"q\" #1", pid=p()))
        elif i == 9:
            kids.append(n("worker", name="a_very_long_registered_name_" + "x" * 70, pid=p()))
        elif i in (20, 25):
            kids.append(n("supervisor", [n("worker", child_id="job_%d" % k, pid=p()) for k in range(4)],
                          name="late_sup_%d" % i, pid=p()))
        elif i % 3 == 0:
            kids.append(n("worker", child_id="child_%d" % i, pid=p()))
        else:
            kids.append(n("worker", name="worker_%d" % i, pid=p()))
    root = n("root", kids, name="big_sup", pid="<0.80.0>", module="big_sup")
    nodes, queue = [], [(root, -1)]
    while queue:
        (kind, f, ch), parent = queue.pop(0)
        me = len(nodes)
        d = {"kind": kind, "parent": parent}
        d.update(f)
        nodes.append(d)
        queue.extend((c, me) for c in ch)
    # links between shown siblings (2, 3), a shown and a folded one (10, 29), deep nodes
    links = [[3, 10], [11, 12], [12, 40]]
    return {"format": "beamviz.suptree", "version": 1, "node": "cross@127.0.0.1",
            "otp_release": "25", "elixir": False, "title": "big_sup", "mode": "sup",
            "walk_ms": 3, "nodes": nodes, "links": links}


PARTS = [("<0.90.0>", None, False), ("<0.91.0>", "my_server", False),
         ("<0.92.0>", "db_pool", False), ("<0.95.0>", None, False),
         ("<0.40.0>", "code_server", True), ("<0.44.0>", "logger", True)]


def trace(n, mode, stop, seed):
    r = random.Random(seed)
    parts = [{"pid": pid, "name": name, "spawned": i == 3, "system": sysp,
              "exit_reason": "normal" if i == 3 else None}
             for i, (pid, name, sysp) in enumerate(PARTS)]
    evs, calls = [], []
    ts = 0
    for i in range(n):
        ts += r.randrange(1, 40)
        # one message in ten to or from a system process (hidden unless --all)
        a = r.randrange(len(PARTS) if r.random() < 0.1 else 4)
        b = (a + 1 + r.randrange(3)) % 4
        reply = None
        if calls and r.random() < 0.4:
            j, x, y = calls.pop()
            a, b = y, x
            kind, label, text, reply = "reply", "REPLY: ok", "{ok,%d,<<\"v&%d\">>}" % (j, j), j
        elif r.random() < 0.4:
            kind, label = "call", "CALL: get"
            text = "{'$gen_call',{%s,#Ref<0.1.2.%d>},{get,%d}}" % (PARTS[a][0], i, i)
            calls.append((i, a, b))
        elif r.random() < 0.5:
            kind, label, text = "cast", "CAST: put", "{'$gen_cast',{put,k%d,\"%d\"}}" % (i, i)
        else:
            kind, label, text = "send", "INFO: ping", "{ping,%d}" % i
        evs.append({"kind": kind, "from": a, "to": b, "label": label, "text": text,
                    "serial": [i, i + 1], "ts_us": ts, "reply_to": reply})
    return {"format": "beamviz.seqtrace", "version": 1, "node": "cross@127.0.0.1",
            "otp_release": "25", "elixir": False, "mode": mode,
            "code": "cross:run()" if mode == "eval" else None,
            "result": "ok" if mode == "eval" else None, "stop_reason": stop, "dropped": 0,
            "participants": parts, "events": evs}


def procs():
    r = random.Random(5)
    st = ["waiting", "running", "runnable"]
    out = []
    for i in range(45):
        out.append({"pid": "<0.%d.0>" % (100 + i), "name": "proc_%02d" % i if i < 40 else None,
                    "reductions": 0 if i % 9 == 4 else r.randrange(1, 10 ** 7),
                    "memory": r.randrange(2000, 10 ** 6), "status": st[i % 3],
                    "message_queue_len": i % 4, "current_function": "gen_server:loop/7",
                    "initial_call": "proc_lib:init_p/5"})
    return {"format": "beamviz.procs", "version": 1, "node": "cross@127.0.0.1",
            "otp_release": "25", "elixir": False, "total": len(out), "skipped": 0, "procs": out}


def memory():
    # total ~30 MB; atom and ets stay below a tenth of it: the lower panel
    base = {"processes": 6000000, "atom": 450000, "binary": 3500000, "code": 9000000,
            "ets": 1200000, "system": 20000000}
    samples = []
    for i in range(5):
        s = {"iter": i + 1, "t_ms": 100 * i}
        for name, b in base.items():
            s[name] = b + i * 250000
        s["total"] = s["processes"] + s["system"]
        samples.append(s)
    return {"format": "beamviz.memory", "version": 1, "node": "cross@127.0.0.1",
            "otp_release": "25", "interval_ms": 100, "units": "bytes", "samples": samples}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    d = argv[1]
    files = {"tree.json": tree(),
             "trace-eval.json": trace(500, "eval", "duration", 3),
             "trace-attach.json": trace(40, "attach", "duration", 4),
             "trace-max.json": trace(300, "eval", "max_events", 6),
             "procs.json": procs(), "memory.json": memory()}
    for name, m in files.items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            json.dump(m, f, ensure_ascii=False)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
