#!/usr/bin/env python3
"""Byte-exact TCP transfer check for dp_netns.sh.

  tcp_check.py serve ADDR PORT READYFILE
      accept one connection, read to EOF, answer "<bytes> <sha256>\n"
  tcp_check.py send ADDR PORT NBYTES [SRCADDR]
      send NBYTES of random data, half-close, compare the server's answer
      with what was sent; exit 0 when equal
"""
import hashlib
import os
import socket
import sys


def serve(addr, port, ready):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(60)
    open(ready, "w").close()
    c, _ = ls.accept()
    c.settimeout(60)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(f"{n} {h.hexdigest()}\n".encode())
    c.close()


def send(addr, port, nbytes, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(60)
    if src:
        s.bind((src, 0))
    s.connect((addr, port))
    h, left = hashlib.sha256(), nbytes
    while left:
        b = os.urandom(min(left, 1 << 16))
        h.update(b)
        s.sendall(b)
        left -= len(b)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while not reply.endswith(b"\n"):
        b = s.recv(256)
        if not b:
            break
        reply += b
    want = f"{nbytes} {h.hexdigest()}"
    got = reply.decode().strip()
    if got != want:
        print(f"tcp_check: mismatch: sent {want}, server got {got}")
        return 1
    return 0


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 5 and a[1] == "serve":
        serve(a[2], int(a[3]), a[4])
    elif len(a) in (5, 6) and a[1] == "send":
        sys.exit(send(a[2], int(a[3]), int(a[4]), a[5] if len(a) == 6 else None))
    else:
        sys.exit(__doc__)
