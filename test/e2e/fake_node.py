#!/usr/bin/env python3
"""fake_node.py PORTFILE MODE [COOKIE]: a hostile Erlang node for beamviz's tests.

It listens on loopback twice: as an epmd that answers every PORT_PLEASE2_REQ with
its node port, and as that node. Point beamviz at it with ERL_EPMD_PORT=<the port
written to PORTFILE> and any node name @127.0.0.1. MODE says how the node behaves:

  drip_handshake  reads beamviz's name, then sends the handshake's answer (status,
                  challenge) one byte every DRIP seconds
  drip_message    completes a real handshake with COOKIE (the distribution
                  protocol's MD5 digests), reads beamviz's first request, then sends
                  a message: its 4-byte length at once, its bytes one every DRIP s
  huge_claim      completes the handshake, reads the first request, then sends a
                  length of 0xfffffff0 and nothing more
  bad_header      completes the handshake, reads the first request, then sends a
                  message whose header (the control tuple) ends inside an atom

Every byte the node sends after the claim is real (a valid message, so a reader
that waits long enough gets a well-formed one). It never ends a connection itself;
it stops dripping when beamviz goes. It writes its epmd port to PORTFILE once
listening, and exits when its parent does. DRIP (env, seconds) defaults to 1.5.
"""
import hashlib
import os
import random
import socket
import struct
import sys
import threading
import time

portfile, mode = sys.argv[1], sys.argv[2]
cookie = sys.argv[3].encode() if len(sys.argv) > 3 else b""
drip = float(os.environ.get("DRIP", "1.5"))
parent = os.getppid()

DFLAG_HANDSHAKE_23 = 0x1000000


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        chunk = c.recv(n - len(b))
        if not chunk:
            raise EOFError
        b += chunk
    return b


def recv_hs(c):
    (n,) = struct.unpack(">H", recv_exact(c, 2))
    return recv_exact(c, n)


def send_hs(c, body):
    c.sendall(struct.pack(">H", len(body)) + body)


def digest(challenge):
    return hashlib.md5(cookie + str(challenge).encode()).digest()


def dripping(c, data):
    """Sends data one byte every `drip` seconds; False once the peer has gone."""
    for i in range(len(data)):
        try:
            c.sendall(data[i : i + 1])
        except OSError:
            return False
        time.sleep(drip)
    return True


def handshake(c):
    """The node's side of the handshake (version 6 if beamviz offers it)."""
    name = recv_hs(c)
    if name[:1] == b"N":
        (flags,) = struct.unpack(">Q", name[1:9])
        new = True
    else:  # 'n', version 5: flags are 32 bits, version 6 is offered by a flag
        (flags,) = struct.unpack(">I", name[3:7])
        new = bool(flags & DFLAG_HANDSHAKE_23)
    send_hs(c, b"sok")
    challenge = random.getrandbits(32)
    me = b"bvfake@127.0.0.1"
    if new:
        send_hs(c, b"N" + struct.pack(">QIIH", flags, challenge, 4242, len(me)) + me)
    else:
        send_hs(c, b"n" + struct.pack(">HII", 5, flags, challenge) + me)
    reply = recv_hs(c)
    if reply[:1] == b"c":  # complement: the high flags and creation, after an 'n'
        reply = recv_hs(c)
    if reply[:1] != b"r" or reply[5:21] != digest(challenge):
        raise EOFError  # wrong cookie: close, as a node does
    (theirs,) = struct.unpack(">I", reply[1:5])
    send_hs(c, b"a" + digest(theirs))


def read_packet(c):
    """One distribution packet after the handshake; ticks are skipped."""
    while True:
        (n,) = struct.unpack(">I", recv_exact(c, 4))
        if n:
            return recv_exact(c, n)


def a_message(size):
    """A SEND packet (pass-through 'p', control {2, '', Pid}, then a binary)
    of exactly `size` bytes after its 4-byte length."""
    node = b"beamviz_0@127.0.0.1"
    pid = b"\x58\x77" + bytes([len(node)]) + node + struct.pack(">III", 0, 0, 4)
    ctl = b"\x83\x68\x03\x61\x02\x77\x00" + pid
    head = b"p" + ctl + b"\x83\x6d"
    body = b"x" * (size - len(head) - 4)
    return struct.pack(">I", size) + head + struct.pack(">I", len(body)) + body


def serve_node(c):
    try:
        if mode == "drip_handshake":
            recv_hs(c)  # the name
            me = b"bvfake@127.0.0.1"
            answer = struct.pack(">H", 3) + b"sok"
            body = b"n" + struct.pack(">HII", 5, 0x3F7FD, 1) + me
            answer += struct.pack(">H", len(body)) + body
            dripping(c, answer)
        else:
            handshake(c)
            read_packet(c)  # beamviz's first request
            if mode == "drip_message":
                msg = a_message(2000)
                c.sendall(msg[:4])
                dripping(c, msg[4:])
            elif mode == "huge_claim":
                c.sendall(struct.pack(">I", 0xFFFFFFF0))
            elif mode == "bad_header":
                bad = b"p\x83\x68\x03\x61\x02\x77\x09abc"
                c.sendall(struct.pack(">I", len(bad)) + bad)
        # hold the connection until beamviz goes
        while c.recv(4096):
            pass
    except (EOFError, OSError):
        pass
    finally:
        c.close()


def serve_epmd(c, node_port):
    try:
        (n,) = struct.unpack(">H", recv_exact(c, 2))
        req = recv_exact(c, n)
        if req[:1] == b"z":  # PORT_PLEASE2_REQ
            name = req[1:]
            resp = struct.pack(">BBHBBHHH", 119, 0, node_port, 72, 0, 6, 5, len(name)) + name
            c.sendall(resp + struct.pack(">H", 0))
    except (EOFError, OSError):
        pass
    finally:
        c.close()


def accept_loop(srv, fn, *args):
    while True:
        c, _ = srv.accept()
        threading.Thread(target=fn, args=(c,) + args, daemon=True).start()


def watchdog():
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


epmd, node = listener(), listener()
node_port = node.getsockname()[1]
threading.Thread(target=watchdog, daemon=True).start()
threading.Thread(target=accept_loop, args=(node, serve_node), daemon=True).start()
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(epmd.getsockname()[1]))
os.rename(tmp, portfile)
accept_loop(epmd, serve_epmd, node_port)
