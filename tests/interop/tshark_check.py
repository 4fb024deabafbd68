#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hold tshark (the independent oracle) and mip4ctl to gen_pcap's manifest.

usage: tshark_check.py [--tshark PATH] [--mip4ctl PATH] CAPTURE.pcap MANIFEST.json

For every frame: tshark must dissect it as Mobile IP (or an ICMP agent
advertisement / solicitation) with good IP/UDP/ICMP checksums, no malformed
packet and no expert info of severity warning or error, and must show the
field values the manifest says we encoded.  mip4ctl decode --json must show
the same values and the intended authentication verdicts.  Authenticators
are also recomputed here (hmac/hashlib) over the bytes RFC 5944 §3.5.1 names.

tshark is read as PDML: it keeps field order and repeated fields (one group
per extension), and gives each field's raw bytes and offset.
"""

import argparse
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PI_WARN = 0x00600000  # epan/proto.h expert severities
PI_ERROR = 0x00800000

# RFC 5944 §3.3 request flags and §2.1.1 advertisement flags, MSB first.
RRQ_FLAGS = "SBDMGrTx"
ADV_FLAGS = "RBHFMGrTUXI"
# tshark 4.0 field per request flag bit.  0x04 is 'r' (reserved) in RFC
# 5944 §3.3; tshark still calls it "Van Jacobson" (RFC 2002's V bit).
TSHARK_RRQ_BITS = [("mip.s", 0x80), ("mip.b", 0x40), ("mip.d", 0x20),
                   ("mip.m", 0x10), ("mip.g", 0x08), ("mip.v", 0x04),
                   ("mip.t", 0x02), ("mip.x", 0x01)]
# Advertisement flags.  tshark 4.0 names no 'I' bit (0x0020, RFC 5944
# §2.1.1, regional registration): its icmp.mip.reserved covers 0x003f, so
# I shows up there and is checked through it.  0x0200 is 'r' (tshark: "VJ
# Comp").
TSHARK_ADV_BITS = [("icmp.mip.r", 0x8000), ("icmp.mip.b", 0x4000),
                   ("icmp.mip.h", 0x2000), ("icmp.mip.f", 0x1000),
                   ("icmp.mip.m", 0x0800), ("icmp.mip.g", 0x0400),
                   ("icmp.mip.v", 0x0200), ("icmp.mip.rt", 0x0100),
                   ("icmp.mip.u", 0x0080), ("icmp.mip.x", 0x0040)]

# Checks known to fail, with the reason.  A listed check that passes is an
# error too (XPASS): remove its entry once the bug is fixed.
XFAIL = {}


def rfc_length_field(e):
    """Value of an extension's Length field, from its RFC's format."""
    t = e["type"]
    if t in (32, 33, 34, 36):  # RFC 5944 §3.5.1, RFC 4721 §5: SPI + auth
        return 4 + e["auth_len"]
    if t == 38:  # RFC 3115 CVSE (long): vendor 4 + type 2 + value
        return 6 + len(bytes.fromhex(e["value"]))
    if t == 134:  # RFC 3115 NVSE: reserved 2 + vendor 4 + type 2 + value
        return 8 + len(bytes.fromhex(e["value"]))
    if t in (44, 144, 137):  # RFC 3519 §3.1/§3.2, RFC 3543 §3.2
        return 6
    if t == 130:  # RFC 3024 §3.3: no data
        return 0
    if t == 131:  # RFC 2794 §2
        return len(e["nai"])
    if t == 132:  # RFC 4721 §4
        return len(bytes.fromhex(e["challenge"]))
    if t == 139:
        # Short format (Length 5 = sub-type + address): libmip4 and tshark
        # 4.0 agree.  RFC 4433 §3.4's figure draws the long format (Type,
        # Sub-Type, 16-bit Length = 4), which RFC 5944 §1.10 rules out for
        # a skippable type such as 139.
        return 5
    if t == 145:  # RFC 4917: sub-type + text
        return 1 + len(e["text"])
    if t == 149:  # RFC 5265 §3.4: sub-type + reserved
        return 2
    raise ValueError("no length rule for extension %d" % t)


def header_len(t):
    return 1 if t == 0 else 4 if t in (36, 38) else 2


class Report:
    def __init__(self):
        self.passed = self.failed = self.xfailed = 0

    def check(self, frame, who, what, got, want):
        ok = got == want
        xf = XFAIL.get((who, frame["desc"], what))
        where = "frame %d (%s) [%s] %s" % (frame["frame"], frame["desc"], who, what)
        if xf and not ok:
            self.xfailed += 1
            print("XFAIL %s: got %r, want %r -- %s" % (where, got, want, xf))
        elif xf:
            self.failed += 1
            print("XPASS %s: known failure fixed, remove it from XFAIL" % where)
        elif ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: got %r, want %r" % (where, got, want))
        return ok

    def known(self, frame, who, text):
        print("KNOWN frame %d (%s) [%s] %s" % (frame["frame"], frame["desc"], who, text))


# ---- capture bytes (for the authenticator recomputation) ----

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit("%s: not a pcap file" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    skip = {1: 14, 101: 0, 228: 0}.get(linktype)
    if skip is None:
        raise SystemExit("%s: unsupported link type %d" % (path, linktype))
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def mac(key, alg, data):
    if alg == "keyed-md5":  # prefix+suffix, RFC 5944 §5.1
        return hashlib.md5(key + data + key).digest()
    return hmac.new(key, data, hashlib.md5).digest()  # RFC 2104


# ---- PDML helpers ----

def collect(node, skip_ext=True):
    """name -> [field elements] below node, not entering nested protocols
    (a tunnelled packet) or, if skip_ext, the Extensions subtree."""
    out = {}
    for ch in (node if node is not None else []):
        if ch.tag != "field":
            continue
        if skip_ext and ch.get("name") == "" and ch.get("show") == "Extensions":
            continue
        if ch.get("name"):
            out.setdefault(ch.get("name"), []).append(ch)
        for k, v in collect(ch, skip_ext).items():
            out.setdefault(k, []).extend(v)
    return out


def show(d, name, i=0):
    v = d.get(name)
    return v[i].get("show") if v and len(v) > i else None


def num(d, name, i=0):
    s = show(d, name, i)
    if s is None:
        return None
    if s in ("True", "False"):
        return int(s == "True")
    try:
        return int(s, 0)
    except ValueError:
        return s


def raw(d, name, i=0):
    v = d.get(name)
    return v[i].get("value") if v and len(v) > i else None


def proto(pkt, name):
    for p in pkt.iter("proto"):
        if p.get("name") == name:
            return p
    return None


def tshark_packets(tshark, pcap):
    with tempfile.TemporaryDirectory() as cfg:
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=cfg)  # no user prefs
        r = subprocess.run(
            [tshark, "-n", "-r", pcap, "-T", "pdml",
             "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False)
    if r.returncode != 0:
        raise SystemExit("tshark failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    return ET.fromstring(r.stdout).findall("packet")


# ---- tshark checks ----

def tshark_expert(rep, fr, pkt, pad_known):
    """No malformed packet, no expert info of warning or error severity.
    With pad_known (type 0 padding, see tshark_mip) the malformed
    exception alone is excused.  Returns whether tshark said malformed."""
    malformed = proto(pkt, "_ws.malformed") is not None
    excuse = pad_known and malformed
    bad = []
    for e in pkt.iter("field"):
        if e.get("name") != "_ws.expert":
            continue
        d = collect(e)
        if excuse and "_ws.malformed.expert" in d:
            continue
        sev = num(d, "_ws.expert.severity") or 0
        if sev >= PI_WARN:
            bad.append("%s: %s" % ("error" if sev >= PI_ERROR else "warning",
                                    show(d, "_ws.expert.message") or e.get("showname")))
    if not excuse:
        rep.check(fr, "tshark", "malformed", malformed, False)
    rep.check(fr, "tshark", "expert warnings/errors", bad, [])
    return malformed


def tshark_ip(rep, fr, pkt):
    ip = proto(pkt, "ip")
    d = collect(ip) if ip is not None else {}
    rep.check(fr, "tshark", "ip.src", show(d, "ip.src"), fr["src"])
    rep.check(fr, "tshark", "ip.dst", show(d, "ip.dst"), fr["dst"])
    rep.check(fr, "tshark", "ip.checksum.status", num(d, "ip.checksum.status"), 1)
    if fr["kind"] == "mip":
        u = collect(proto(pkt, "udp"))
        rep.check(fr, "tshark", "udp.srcport", num(u, "udp.srcport"), fr["sport"])
        rep.check(fr, "tshark", "udp.dstport", num(u, "udp.dstport"), fr["dport"])
        rep.check(fr, "tshark", "udp.checksum.status", num(u, "udp.checksum.status"), 1)


def tshark_auth(rep, fr, ext_d, e, pkt_bytes, mip_pos, keys, corrupted):
    rep.check(fr, "tshark", "ext %d spi" % e["type"], num(ext_d, "mip.auth.spi"), e["spi"])
    f = ext_d.get("mip.auth.auth")
    if not f:
        rep.check(fr, "tshark", "ext %d authenticator" % e["type"], None, "present")
        return
    pos, size = int(f[0].get("pos")), int(f[0].get("size"))
    rep.check(fr, "tshark", "ext %d authenticator length" % e["type"], size, e["auth_len"])
    k = keys[e["spi"]]
    want = mac(bytes.fromhex(k["key"]), k["alg"], pkt_bytes[mip_pos:pos])
    # Recomputed here over the message and every byte before the
    # authenticator (RFC 5944 §3.5.1, RFC 4721 §6).
    rep.check(fr, "python", "ext %d %s authenticator matches" % (e["type"], k["alg"]),
              f[0].get("value") == want.hex(), not corrupted)


def tshark_ext(rep, fr, e, d):
    t = e["type"]
    rep.check(fr, "tshark", "ext %d mip.ext.len" % t, num(d, "mip.ext.len"), rfc_length_field(e))
    if t == 36:
        rep.check(fr, "tshark", "ext 36 subtype", num(d, "mip.ext.auth.subtype"), e["subtype"])
    elif t == 131:
        rep.check(fr, "tshark", "ext 131 nai", show(d, "mip.nai"), e["nai"])
    elif t == 132:
        # tshark 4.0 has no fields for the MN-FA challenge (packet-mip.c
        # "case MF_CHALLENGE_EXT: default:"): compare its raw bytes.
        rep.check(fr, "tshark", "ext 132 challenge bytes", raw(d, "mip.extension"), e["challenge"])
    elif t == 130:
        # Named but not dissected by tshark 4.0; it has no data anyway.
        rep.check(fr, "tshark", "ext 130 data", raw(d, "mip.extension") or "", "")
    elif t == 149:
        # TNC: named but not dissected by tshark 4.0; raw sub-type and
        # reserved octets (RFC 5265 §3.4).
        rep.check(fr, "tshark", "ext 149 bytes", raw(d, "mip.extension"),
                  "%02x00" % e["subtype"])
    elif t == 144:
        rep.check(fr, "tshark", "ext 144 subtype", num(d, "mip.ext.utrq.subtype"), e["subtype"])
        rep.check(fr, "tshark", "ext 144 F", num(d, "mip.ext.utrq.f"), int(e["force"]))
        rep.check(fr, "tshark", "ext 144 R", num(d, "mip.ext.utrq.r"), int(e["fa_required"]))
        rep.check(fr, "tshark", "ext 144 encap", num(d, "mip.ext.utrq.encaptype"), e["encap"])
        rep.check(fr, "tshark", "ext 144 reserved 3", num(d, "mip.ext.utrq.reserved3"), 0)
    elif t == 44:
        rep.check(fr, "tshark", "ext 44 subtype", num(d, "mip.ext.utrp.subtype"), e["subtype"])
        rep.check(fr, "tshark", "ext 44 code", num(d, "mip.ext.utrp.code"), e["code"])
        rep.check(fr, "tshark", "ext 44 F", num(d, "mip.ext.utrp.f"), int(e["forced"]))
        rep.check(fr, "tshark", "ext 44 keepalive", num(d, "mip.ext.utrp.keepalive"), e["keepalive"])
    elif t == 137:
        rep.check(fr, "tshark", "ext 137 I", num(d, "mip.ext.rev.i"), int(e["i_bit"]))
        rep.check(fr, "tshark", "ext 137 timestamp", num(d, "mip.ext.rev.tstamp"), e["timestamp"])
    elif t == 139:
        rep.check(fr, "tshark", "ext 139 subtype", num(d, "mip.ext.dynha.subtype"), e["subtype"])
        rep.check(fr, "tshark", "ext 139 ha", show(d, "mip.ext.dynha.ha"), e["ha"])
    elif t == 145:
        rep.check(fr, "tshark", "ext 145 subtype", num(d, "mip.ext.msgstr.subtype"), e["subtype"])
        rep.check(fr, "tshark", "ext 145 text", show(d, "mip.ext.msgstr.text"), e["text"])
    elif t == 38:
        rep.check(fr, "tshark", "ext 38 vendor", num(d, "mip.ext.cvse.vendor_id"), e["vendor"])
        rep.check(fr, "tshark", "ext 38 type", num(d, "mip.ext.cvse.vendor_type"), e["vendor_type"])
        rep.check(fr, "tshark", "ext 38 value", raw(d, "mip.ext.cvse.vendor_value"), e["value"])
    elif t == 134:
        rep.check(fr, "tshark", "ext 134 vendor", num(d, "mip.ext.nvse.vendor_id"), e["vendor"])
        rep.check(fr, "tshark", "ext 134 type", num(d, "mip.ext.nvse.vendor_type"), e["vendor_type"])
        rep.check(fr, "tshark", "ext 134 value", raw(d, "mip.ext.nvse.vendor_value"), e["value"])


def tshark_mip(rep, fr, pkt, pkt_bytes, keys, malformed):
    p = proto(pkt, "mip")
    if not rep.check(fr, "tshark", "dissected as Mobile IP", p is not None, True):
        return
    d = collect(p)
    t = fr["type"]
    rep.check(fr, "tshark", "mip.type", num(d, "mip.type"), t)
    if t == 1:
        flags = bits(fr["flags"], RRQ_FLAGS, 8)
        rep.check(fr, "tshark", "mip.flags", num(d, "mip.flags"), flags)
        for name, bit in TSHARK_RRQ_BITS:
            rep.check(fr, "tshark", name, num(d, name), int(bool(flags & bit)))
        rep.check(fr, "tshark", "mip.coa", show(d, "mip.coa"), fr["coa"])
    if t == 3:
        rep.check(fr, "tshark", "mip.code", num(d, "mip.code"), fr["code"])
    if t in (1, 3):
        rep.check(fr, "tshark", "mip.life", num(d, "mip.life"), fr["lifetime"])
        rep.check(fr, "tshark", "mip.haaddr", show(d, "mip.haaddr"), fr["ha_addr"])
        rep.check(fr, "tshark", "mip.ident", int(raw(d, "mip.ident") or "-1", 16), int(fr["id"], 16))
    if t in (1, 3, 7, 15):
        rep.check(fr, "tshark", "mip.homeaddr", show(d, "mip.homeaddr"), fr["home_addr"])
    if t == 7:
        rep.check(fr, "tshark", "mip.rev.a", num(d, "mip.rev.a"), int(fr["a_bit"]))
        rep.check(fr, "tshark", "mip.rev.i", num(d, "mip.rev.i"), int(fr["i_bit"]))
        rep.check(fr, "tshark", "mip.rev.hda", show(d, "mip.rev.hda"), fr["home_domain"])
        rep.check(fr, "tshark", "mip.rev.fda", show(d, "mip.rev.fda"), fr["foreign_domain"])
    if t == 15:
        rep.check(fr, "tshark", "mip.ack.i", num(d, "mip.ack.i"), int(fr["i_bit"]))
    if t in (7, 15):
        rep.check(fr, "tshark", "mip.revid", num(d, "mip.revid"), fr["revocation_id"])
    if t == 4:
        tshark_tunnel(rep, fr, pkt, p, d)
        return

    exts = [collect(g, False) for g in p.iter("field")
            if g.get("name") == "" and (g.get("show") or "").startswith("Extension: ")]
    mip_pos = int(p.get("pos"))
    if malformed and any(e["type"] == 0 for e in fr["ext"]):
        # tshark 4.0 does not know the One-byte Padding extension of
        # registration messages (RFC 5944 §1.8 and §6.3: type 0, no Length):
        # dissect_mip_extensions() in packet-mip.c reads every type but
        # 36/38/47 as Type-Length-Value, takes the next octet as a length
        # and runs off the end.  Check where the pad octet sits; mip4ctl
        # covers the extensions.  A tshark that gets it right is compared in
        # full below.
        area = [g.get("value") for g in p if g.get("show") == "Extensions"]
        rep.check(fr, "tshark", "extension area starts with the pad octet",
                  (area[0] if area else "")[:2], "00")
        rep.known(fr, "tshark", "type 0 padding not understood by tshark 4.0: "
                  "malformed, extensions not compared")
        return
    rep.check(fr, "tshark", "extension types",
              [num(x, "mip.ext.type") for x in exts], [e["type"] for e in fr["ext"]])
    last_auth = max([i for i, e in enumerate(fr["ext"]) if e["type"] in (32, 33, 34, 36)],
                    default=-1)
    for i, (e, x) in enumerate(zip(fr["ext"], exts)):
        tshark_ext(rep, fr, e, x)
        if e["type"] in (32, 33, 34, 36):
            tshark_auth(rep, fr, x, e, pkt_bytes, mip_pos, keys,
                        fr.get("corrupted", False) and i == last_auth)


def tshark_tunnel(rep, fr, pkt, p, d):
    rep.check(fr, "tshark", "mip.nattt.nexthdr", num(d, "mip.nattt.nexthdr"), fr["next_header"])
    rep.check(fr, "tshark", "mip.nattt.reserved", num(d, "mip.nattt.reserved"), 0)
    inner, want = proto(p, "ip"), fr["inner"]
    if not rep.check(fr, "tshark", "inner IPv4 dissected", inner is not None, True):
        return
    i = collect(inner)
    rep.check(fr, "tshark", "inner ip.src", show(i, "ip.src"), want["src"])
    rep.check(fr, "tshark", "inner ip.dst", show(i, "ip.dst"), want["dst"])
    rep.check(fr, "tshark", "inner ip.proto", num(i, "ip.proto"), want["proto"])
    rep.check(fr, "tshark", "inner ip.len", num(i, "ip.len"), want["len"])
    rep.check(fr, "tshark", "inner ip.checksum.status", num(i, "ip.checksum.status"), 1)
    u = collect(proto(p, "udp")) if proto(p, "udp") is not None else {}
    rep.check(fr, "tshark", "inner udp.srcport", num(u, "udp.srcport"), want["sport"])
    rep.check(fr, "tshark", "inner udp.dstport", num(u, "udp.dstport"), want["dport"])
    rep.check(fr, "tshark", "inner udp.checksum.status", num(u, "udp.checksum.status"), 1)
    data = [f.get("value") for f in pkt.iter("field") if f.get("name") == "data.data"]
    rep.check(fr, "tshark", "inner payload", data, [want["payload"]])


def tshark_icmp(rep, fr, pkt):
    p = proto(pkt, "icmp")
    if not rep.check(fr, "tshark", "dissected as ICMP", p is not None, True):
        return
    d = collect(p)
    rep.check(fr, "tshark", "icmp.type", num(d, "icmp.type"), fr["icmp_type"])
    rep.check(fr, "tshark", "icmp.code", num(d, "icmp.code"), fr["icmp_code"])
    rep.check(fr, "tshark", "icmp.checksum.status", num(d, "icmp.checksum.status"), 1)
    if fr["kind"] != "adv":
        return
    groups = [g for g in p if g.tag == "field" and (g.get("show") or "").startswith("Ext: ")]
    rep.check(fr, "tshark", "dissected as agent advertisement",
              (p.find("field[@name='icmp.type']").get("showname") or "").endswith("(Mobile IP Advertisement)")
              and any("Mobility Agent Advertisement" in g.get("show") for g in groups), True)
    rep.check(fr, "tshark", "icmp.num_addrs", num(d, "icmp.num_addrs"), len(fr["routers"]))
    rep.check(fr, "tshark", "icmp.addr_entry_size", num(d, "icmp.addr_entry_size"), 2)
    rep.check(fr, "tshark", "icmp.lifetime", num(d, "icmp.lifetime"), fr["lifetime"])
    rep.check(fr, "tshark", "routers",
              [(show(d, "icmp.router_address", k), num(d, "icmp.pref_level", k))
               for k in range(len(d.get("icmp.router_address", [])))],
              [(r["addr"], r["pref"]) for r in fr["routers"]])
    want_types = [16] + ([19] if "prefix_lengths" in fr else []) + [0] * fr["padding"]
    got = [collect(g, False) for g in groups]
    rep.check(fr, "tshark", "extension types", [num(g, "icmp.mip.type") for g in got], want_types)
    m = got[0] if got else {}
    rep.check(fr, "tshark", "icmp.mip.length", num(m, "icmp.mip.length"), 6 + 4 * len(fr["coa"]))
    rep.check(fr, "tshark", "icmp.mip.seq", num(m, "icmp.mip.seq"), fr["seq"])
    rep.check(fr, "tshark", "icmp.mip.life", num(m, "icmp.mip.life"), fr["reg_lifetime"])
    flags = bits(fr["flags"], ADV_FLAGS, 16)
    rep.check(fr, "tshark", "icmp.mip.flags", num(m, "icmp.mip.flags"), flags)
    for name, bit in TSHARK_ADV_BITS:
        rep.check(fr, "tshark", name, num(m, name), int(bool(flags & bit)))
    rep.check(fr, "tshark", "icmp.mip.reserved (I bit 0x20 lands here)",
              num(m, "icmp.mip.reserved"), flags & 0x3f)
    rep.check(fr, "tshark", "icmp.mip.coa",
              [c.get("show") for c in m.get("icmp.mip.coa", [])], fr["coa"])
    if "prefix_lengths" in fr:
        pl = got[1] if len(got) > 1 else {}
        rep.check(fr, "tshark", "icmp.mip.prefixlength",
                  [int(x.get("show")) for x in pl.get("icmp.mip.prefixlength", [])],
                  fr["prefix_lengths"])


# ---- mip4ctl checks ----

def letters(flags, names, width):
    return "".join(c for i, c in enumerate(names) if flags & (1 << (width - 1 - i)))


def bits(flags, names, width):
    """The manifest gives flags as RFC 5944 letters; their bit values."""
    return sum(1 << (width - 1 - names.index(c)) for c in flags)


def ctl_ext(rep, fr, e, x, corrupted):
    t = e["type"]
    who = "mip4ctl"
    rep.check(fr, who, "ext %d type" % t, x.get("type"), t)
    rep.check(fr, who, "ext %d length" % t, x.get("length"),
              1 if t == 0 else header_len(t) + rfc_length_field(e))
    if t in (32, 33, 34, 36):
        rep.check(fr, who, "ext %d spi" % t, x.get("spi"), e["spi"])
        rep.check(fr, who, "ext %d authenticator length" % t,
                  len(x.get("authenticator", "")) // 2, e["auth_len"])
        rep.check(fr, who, "ext %d verdict" % t, x.get("verdict"), "bad" if corrupted else "ok")
    if t in (36, 139, 145, 149):
        rep.check(fr, who, "ext %d subtype" % t, x.get("subtype"), e["subtype"])
    if t == 131:
        rep.check(fr, who, "ext 131 nai", x.get("nai"), e["nai"])
    elif t == 132:
        rep.check(fr, who, "ext 132 challenge", x.get("challenge"), e["challenge"])
    elif t == 144:
        rep.check(fr, who, "ext 144 force", x.get("force"), e["force"])
        rep.check(fr, who, "ext 144 fa_required", x.get("fa_required"), e["fa_required"])
        rep.check(fr, who, "ext 144 encapsulation", x.get("encapsulation"), e["encap"])
    elif t == 44:
        rep.check(fr, who, "ext 44 code", x.get("code"), e["code"])
        rep.check(fr, who, "ext 44 forced", x.get("forced"), e["forced"])
        rep.check(fr, who, "ext 44 keepalive", x.get("keepalive"), e["keepalive"])
    elif t == 137:
        rep.check(fr, who, "ext 137 i_bit", x.get("i_bit"), e["i_bit"])
        rep.check(fr, who, "ext 137 timestamp", x.get("timestamp"), e["timestamp"])
    elif t == 139:
        rep.check(fr, who, "ext 139 ha", x.get("ha"), e["ha"])
    elif t == 145:
        rep.check(fr, who, "ext 145 text", x.get("text"), e["text"])
    elif t in (38, 134):
        rep.check(fr, who, "ext %d vendor" % t, x.get("vendor"), e["vendor"])
        rep.check(fr, who, "ext %d vendor_type" % t, x.get("vendor_type"), e["vendor_type"])
        rep.check(fr, who, "ext %d value" % t, x.get("value"), e["value"])


def ctl_frame(rep, fr, o, tshark_auths):
    who = "mip4ctl"
    if fr["kind"] == "sol":
        rep.check(fr, who, "type", o.get("type"), "agent-solicitation")
        rep.check(fr, who, "checksum_ok", o.get("checksum_ok"), True)
        return
    if fr["kind"] == "adv":
        rep.check(fr, who, "type", o.get("type"), "agent-advertisement")
        rep.check(fr, who, "checksum_ok", o.get("checksum_ok"), True)
        rep.check(fr, who, "code", o.get("code"), fr["icmp_code"])
        rep.check(fr, who, "lifetime", o.get("lifetime"), fr["lifetime"])
        rep.check(fr, who, "routers", [(r["addr"], r["preference"]) for r in o.get("routers", [])],
                  [(r["addr"], r["pref"]) for r in fr["routers"]])
        rep.check(fr, who, "seq", o.get("seq"), fr["seq"])
        rep.check(fr, who, "reg_lifetime", o.get("reg_lifetime"), fr["reg_lifetime"])
        rep.check(fr, who, "flags", o.get("flags"),
                  letters(bits(fr["flags"], ADV_FLAGS, 16), ADV_FLAGS, 16))
        rep.check(fr, who, "coa", o.get("coa"), fr["coa"])
        rep.check(fr, who, "prefix_lengths", o.get("prefix_lengths"), fr.get("prefix_lengths"))
        rep.check(fr, who, "padding", o.get("padding", 0), fr["padding"])
        return
    t = fr["type"]
    rep.check(fr, who, "src", o.get("src"), fr["src"])
    rep.check(fr, who, "dst", o.get("dst"), fr["dst"])
    rep.check(fr, who, "sport", o.get("sport"), fr["sport"])
    rep.check(fr, who, "dport", o.get("dport"), fr["dport"])
    rep.check(fr, who, "type_num", o.get("type_num"), t)
    if t == 1:
        rep.check(fr, who, "flags", o.get("flags"),
                  letters(bits(fr["flags"], RRQ_FLAGS, 8), RRQ_FLAGS, 8))
        rep.check(fr, who, "coa", o.get("coa"), fr["coa"])
    if t == 3:
        rep.check(fr, who, "code", o.get("code"), fr["code"])
    if t in (1, 3):
        rep.check(fr, who, "lifetime", o.get("lifetime"), fr["lifetime"])
        rep.check(fr, who, "ha_addr", o.get("ha_addr"), fr["ha_addr"])
        rep.check(fr, who, "id", o.get("id"), fr["id"])
    if t in (1, 3, 7, 15):
        rep.check(fr, who, "home_addr", o.get("home_addr"), fr["home_addr"])
    if t == 7:
        rep.check(fr, who, "a_bit", o.get("a_bit"), fr["a_bit"])
        rep.check(fr, who, "home_domain", o.get("home_domain"), fr["home_domain"])
        rep.check(fr, who, "foreign_domain", o.get("foreign_domain"), fr["foreign_domain"])
    if t in (7, 15):
        rep.check(fr, who, "i_bit", o.get("i_bit"), fr["i_bit"])
        rep.check(fr, who, "revocation_id", o.get("revocation_id"), fr["revocation_id"])
    if t == 4:
        rep.check(fr, who, "next_header", o.get("next_header"), fr["next_header"])
        rep.check(fr, who, "payload_len", o.get("payload_len"), fr["inner"]["len"])
    exts = o.get("extensions", [])
    rep.check(fr, who, "extension types", [x.get("type") for x in exts], [e["type"] for e in fr["ext"]])
    auth_idx = [i for i, e in enumerate(fr["ext"]) if e["type"] in (32, 33, 34, 36)]
    for i, (e, x) in enumerate(zip(fr["ext"], exts)):
        ctl_ext(rep, fr, e, x, fr.get("corrupted", False) and auth_idx and i == auth_idx[-1])
    # Both decoders read the same authenticator bytes.
    ours = [x.get("authenticator") for x in exts if x.get("type") in (32, 33, 34, 36)]
    if tshark_auths is not None:
        rep.check(fr, "mip4ctl~tshark", "authenticators", ours, tshark_auths)
    rep.check(fr, who, "auth", o.get("auth"), fr["auth"])


def run_ctl(mip4ctl, pcap, sas):
    cmd = [mip4ctl, "decode", "--json", pcap]
    for s in sas:
        cmd += ["--sa", s]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    objs = {}
    for line in r.stdout.decode().splitlines():
        o = json.loads(line)
        objs[o["frame"]] = o
    return r.returncode, r.stderr.decode(), objs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--mip4ctl", default="mip4ctl")
    ap.add_argument("pcap")
    ap.add_argument("manifest")
    a = ap.parse_args()

    with open(a.manifest) as f:
        man = json.load(f)
    frames = man["frames"]
    keys = {k["spi"]: k for k in man["keys"]}
    raw_frames = read_pcap(a.pcap)
    pkts = tshark_packets(a.tshark, a.pcap)
    rep = Report()
    glob = {"frame": 0, "desc": "capture"}
    rep.check(glob, "pcap", "frames", len(raw_frames), len(frames))
    rep.check(glob, "tshark", "packets", len(pkts), len(frames))

    tshark_auths = {}
    for fr, pkt, b in zip(frames, pkts, raw_frames):
        padded = fr["kind"] == "mip" and any(e["type"] == 0 for e in fr["ext"])
        malformed = tshark_expert(rep, fr, pkt, padded)
        tshark_ip(rep, fr, pkt)
        if fr["kind"] == "mip":
            tshark_mip(rep, fr, pkt, b, keys, malformed)
            if not malformed:
                p = proto(pkt, "mip")
                tshark_auths[fr["frame"]] = [
                    raw(collect(g, False), "mip.auth.auth") for g in (p.iter("field") if p is not None else [])
                    if g.get("name") == "" and (g.get("show") or "").startswith("Extension: ")
                    and num(collect(g, False), "mip.ext.type") in (32, 33, 34, 36)]
        else:
            tshark_icmp(rep, fr, pkt)

    rc, err, objs = run_ctl(a.mip4ctl, a.pcap, man["sa"])
    rep.check(glob, "mip4ctl", "exit status", rc, 0)
    rep.check(glob, "mip4ctl", "messages", len(objs), len(frames))
    for fr in frames:
        o = objs.get(fr["frame"])
        if rep.check(fr, "mip4ctl", "decoded", o is not None, True):
            ctl_frame(rep, fr, o, tshark_auths.get(fr["frame"]))
    n_bad = sum(1 for fr in frames if fr.get("auth") == "bad")
    rep.check(glob, "manifest", "frames with a corrupted authenticator", n_bad, 1)

    print("%d passed, %d failed%s" % (rep.passed, rep.failed,
                                      ", %d expected failures" % rep.xfailed if rep.xfailed else ""))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
