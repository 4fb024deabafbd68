#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A stand-in foreign agent for the mobile node's agent discovery test.

Sends agent advertisements (RFC 5944 §2.1, the figure in §2.1.1) on one
interface of a namespace, answers agent solicitations (ICMP 10) and
records the registration requests mobile nodes send to it.  It relays
nothing.

usage: fake_fa.py IFACE FA_ADDR COA LOGFILE [--flags FTR] [--lifetime S]
                  [--interval S] [--prefix-len N] [--solicited-first]

Signals: USR1 stops advertising (algorithm 1: the MN loses the agent),
USR2 "reboots" (sequence number back to 0, RFC 5944 §2.4.4).
Log lines: "sol SRC TTL", "adv SEQ", "rrq SRC TTL FLAGS LIFETIME HOME HA COA".
"""
import argparse
import select
import signal
import socket
import struct
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip_hdr(src, dst, proto, ttl, plen):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, 0, 0, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


FLAGS = {"R": 0x8000, "B": 0x4000, "H": 0x2000, "F": 0x1000, "T": 0x0100,
         "U": 0x0080}


def advert(fa, coa, seq, lifetime, flags, reg_lifetime, plen):
    # ICMP router advertisement with one router address (the FA, pref 0)
    icmp = struct.pack("!BBHBBH", 9, 16, 0, 1, 2, lifetime)
    icmp += socket.inet_aton(fa) + struct.pack("!I", 0)
    ext = struct.pack("!HHH", seq, reg_lifetime, flags) + socket.inet_aton(coa)
    icmp += struct.pack("!BB", 16, len(ext)) + ext
    if plen is not None:
        icmp += struct.pack("!BBB", 19, 1, plen)
    if len(icmp) % 2:
        icmp += b"\0"  # one-byte padding extension
    return icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("fa")
    ap.add_argument("coa")
    ap.add_argument("log")
    ap.add_argument("--flags", default="FT")
    ap.add_argument("--lifetime", type=int, default=3)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--prefix-len", type=int)
    ap.add_argument("--solicited-first", action="store_true",
                    help="stay quiet until the first solicitation")
    a = ap.parse_args()
    flags = 0
    for c in a.flags:
        flags |= FLAGS[c]
    state = {"adv": True, "seq": 0, "quiet": a.solicited_first}

    def stop(*_):
        state["adv"] = False

    def reboot(*_):
        state["seq"] = 0

    signal.signal(signal.SIGUSR1, stop)
    signal.signal(signal.SIGUSR2, reboot)
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    pk.bind((a.iface, 0x0800))
    ud = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ud.setsockopt(socket.SOL_IP, getattr(socket, "IP_RECVTTL", 12), 1)
    ud.bind((a.fa, 434))
    log = open(a.log, "a", buffering=1)

    def send_adv():
        if not state["adv"]:
            return
        icmp = advert(a.fa, a.coa, state["seq"], a.lifetime, flags, 300,
                      a.prefix_len)
        pkt = ip_hdr(a.fa, "224.0.0.1", 1, 1, len(icmp)) + icmp
        pk.sendto(pkt, (a.iface, 0x0800, 0, 0, b"\x01\x00\x5e\x00\x00\x01"))
        log.write("adv %d\n" % state["seq"])
        state["seq"] = state["seq"] + 1 if state["seq"] < 0xffff else 256

    nxt = time.monotonic()
    while True:
        if not state["quiet"] and time.monotonic() >= nxt:
            send_adv()
            nxt = time.monotonic() + a.interval
        try:
            rd, _, _ = select.select([pk, ud], [], [], 0.05)
        except InterruptedError:
            continue
        if pk in rd:
            data, addr = pk.recvfrom(2048)
            if addr[2] != socket.PACKET_OUTGOING and len(data) >= 28 and \
                    data[9] == 1:
                ihl = (data[0] & 15) * 4
                if data[ihl] == 10:
                    log.write("sol %s %d\n" % (socket.inet_ntoa(data[12:16]),
                                               data[8]))
                    state["quiet"] = False
                    send_adv()
                    nxt = time.monotonic() + a.interval
        if ud in rd:
            data, anc, _, src = ud.recvmsg(2048, 64)
            ttl = -1
            for lvl, typ, d in anc:
                if lvl == socket.SOL_IP and typ == socket.IP_TTL:
                    ttl = struct.unpack("i", d[:4])[0]
            if len(data) >= 24 and data[0] == 1:
                fl, life = data[1], struct.unpack("!H", data[2:4])[0]
                home, ha, coa = (socket.inet_ntoa(data[i:i + 4])
                                 for i in (4, 8, 12))
                log.write("rrq %s %d 0x%02x %d %s %s %s\n" %
                          (src[0], ttl, fl, life, home, ha, coa))


if __name__ == "__main__":
    main()
