#!/usr/bin/env python3
"""gen_models.py: large beamviz model files for the render benchmarks, written in the
exact layout beamviz itself writes (lib/trace.c bv_trace_json, lib/tree.c bv_tree_json:
compact JSON, one participant, event or node a line).

  gen_models.py trace N FILE      an --eval trace of N events among 40 processes, each
                                  event with its seq_trace serial [prev, curr]
  gen_models.py tree N FILE [L]   a root supervisor with N worker children and L links
                                  between them (dotted links, [a,b] pairs)
  gen_models.py procs N FILE [C]  a process snapshot of N processes (log-normal memory
                                  and reductions, queues mostly 0, C registered names
                                  spread over the first processes; default 30)
"""
import json
import random
import sys


def s(v):
    return "null" if v is None else json.dumps(v, ensure_ascii=False)


def trace(n, path):
    r = random.Random(9)
    nparts = 40
    with open(path, "w") as f:
        f.write('{"format":"beamviz.seqtrace","version":1,"node":"bench@127.0.0.1",'
                '"otp_release":"25","elixir":false,"mode":"eval",'
                '"code":"bench:run(%d)","result":"ok","stop_reason":"max_events","dropped":0,\n'
                '"participants":[' % n)
        for i in range(nparts):
            f.write('%s\n{"pid":"<0.%d.0>","name":%s,"spawned":%s,"system":false,'
                    '"exit_reason":%s}' % ("," if i else "", 90 + i,
                                           s("worker_%d" % i if i % 5 == 0 else None),
                                           "true" if i else "false",
                                           s("normal" if i else None)))
        f.write('],\n"events":[')
        ts = 0
        calls = []
        for i in range(n):
            a = r.randrange(nparts)
            b = (a + 1 + r.randrange(nparts - 1)) % nparts
            ts += r.randrange(1, 30)
            reply = "null"
            if calls and r.random() < 0.3:
                j, a, b = calls.pop()
                a, b = b, a
                kind, label, text, reply = "reply", "REPLY: ok", "{ok,%d}" % j, str(j)
            elif r.random() < 0.3:
                kind, label, text = "call", "CALL: get", "{'$gen_call',{<0.%d.0>,#Ref<0.1.2.%d>},get}" % (90 + a, i)
                calls.append((i, a, b))
            else:
                kind, label, text = "send", "INFO: ping", "{ping,%d}" % i
            f.write('%s\n{"kind":"%s","from":%d,"to":%d,"label":%s,"text":%s,"serial":[%d,%d],'
                    '"ts_us":%d,"reply_to":%s}' % ("," if i else "", kind, a, b, s(label),
                                                  s(text), i, i + 1, ts, reply))
        f.write('\n]}\n')


def tree(n, path, links=0):
    r = random.Random(7)
    with open(path, "w") as f:
        f.write('{"format":"beamviz.suptree","version":1,"node":"bench@127.0.0.1",'
                '"otp_release":"25","elixir":false,"title":"bench_sup","mode":"sup",'
                '"walk_ms":1,\n"nodes":[')
        f.write('\n{"kind":"root","parent":-1,"pid":"<0.80.0>","name":"bench_sup",'
                '"module":"bench_sup"}')
        for i in range(1, n + 1):
            f.write(',\n{"kind":"worker","parent":0,"pid":"<0.%d.0>","type":"worker",'
                    '"module":"bench_worker"}' % (100 + i))
        f.write('],\n"links":[')
        for l in range(links):
            a = r.randrange(1, n + 1)
            b = r.randrange(1, n)
            if b >= a:
                b += 1
            f.write('%s[%d,%d]' % ("," if l else "", a, b))
        f.write(']}\n')


def procs(n, path, names=30):
    r = random.Random(11)
    status = ["waiting", "running", "runnable", "garbage_collecting"]
    with open(path, "w") as f:
        f.write('{"format":"beamviz.procs","version":1,"node":"bench@127.0.0.1",'
                '"otp_release":"26","elixir":false,"total":%d,"skipped":0,"procs":[' % n)
        for i in range(n):
            name = "bench_server_%02d" % i if i < names else None
            mem = int(r.lognormvariate(9.5, 1.2))
            red = int(r.lognormvariate(7, 3)) if i % 13 else 0
            mql = 0 if r.random() < 0.8 else int(r.expovariate(0.2))
            f.write('%s\n{"pid":"<0.%d.0>","name":%s,"reductions":%d,"memory":%d,'
                    '"status":"%s","message_queue_len":%d,"current_function":"gen_server:loop/7",'
                    '"initial_call":"proc_lib:init_p/5","label":null}'
                    % ("," if i else "", 100 + i, s(name), red, mem, status[i % 4], mql))
        f.write(']}\n')


def main(argv):
    if len(argv) >= 4 and argv[1] == "trace":
        trace(int(argv[2]), argv[3])
    elif len(argv) >= 4 and argv[1] == "tree":
        tree(int(argv[2]), argv[3], int(argv[4]) if len(argv) > 4 else 0)
    elif len(argv) >= 4 and argv[1] == "procs":
        procs(int(argv[2]), argv[3], int(argv[4]) if len(argv) > 4 else 30)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
