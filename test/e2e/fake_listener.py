#!/usr/bin/env python3
"""fake_listener.py PORTFILE [epmd NODEPORT]: a loopback TCP listener for connect.sh.

Without 'epmd' it accepts connections and never answers (a hung host or node).
With 'epmd NODEPORT' it acts as an epmd that answers every PORT_PLEASE2_REQ with
NODEPORT (so the node "lives" on a port that never answers).
It writes its own port to PORTFILE once listening, and exits when its parent dies.
"""
import os
import socket
import struct
import sys
import threading
import time

portfile = sys.argv[1]
epmd_port = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "epmd" else None
parent = os.getppid()

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(tmp, portfile)

held = []


def serve_epmd(conn):
    try:
        hdr = conn.recv(2)
        if len(hdr) < 2:
            return
        (n,) = struct.unpack(">H", hdr)
        req = b""
        while len(req) < n:
            chunk = conn.recv(n - len(req))
            if not chunk:
                return
            req += chunk
        if req[:1] != b"z":  # PORT_PLEASE2_REQ only
            return
        name = req[1:]
        resp = struct.pack(">BBHBBHHH", 119, 0, epmd_port, 77, 0, 6, 5, len(name)) + name
        resp += struct.pack(">H", 0)
        conn.sendall(resp)
    finally:
        conn.close()


def watchdog():
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=watchdog, daemon=True).start()
while True:
    c, _ = srv.accept()
    if epmd_port is None:
        held.append(c)  # accept, never answer, never close
    else:
        threading.Thread(target=serve_epmd, args=(c,), daemon=True).start()
