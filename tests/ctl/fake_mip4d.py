#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""A stand-in for mip4d's control socket, for mip4ctl's client tests.

usage: fake_mip4d.py SOCKET SCENARIO.json REQUESTS.log

SCENARIO maps a command name to the list of lines to answer it with, sent
as they are (one write per line, newline added), after which the
connection closes.  Every request line received is appended to
REQUESTS.log.  The socket exists once the server listens; SIGTERM ends it.
"""
import json
import os
import socket
import sys

sock_path, scenario_path, log_path = sys.argv[1:4]
scenario = json.load(open(scenario_path))


def answer(conn):
    buf = b""
    while b"\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
    line = buf.split(b"\n", 1)[0].decode()
    with open(log_path, "a") as log:
        log.write(line + "\n")
    try:
        cmd = json.loads(line).get("command", "")
    except ValueError:
        cmd = ""
    for out in scenario.get(cmd, []):
        conn.sendall(out.encode() + b"\n")


srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
tmp = sock_path + ".tmp"
srv.bind(tmp)
srv.listen(8)
os.rename(tmp, sock_path)  # appears only once it accepts
while True:
    conn, _ = srv.accept()
    with conn:
        try:
            answer(conn)
        except OSError:  # the client hung up early: on to the next
            pass
