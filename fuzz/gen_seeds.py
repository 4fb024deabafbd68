#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer harnesses to fuzz/corpus/.

  python3 fuzz/gen_seeds.py [--pcap PATH] [--out DIR]

Synthetic seeds are valid messages built here (standard library only),
signed with the SA the harnesses use (SPI 0x100, key 00112233..eeff,
HMAC-MD5).  Real-world seeds come from the foreign capture (default
../shared/captures/foreign.pcap next to the repository): its 14
registration messages, some advertisements and solicitations, and whole
IPv4 packets.  Output is deterministic; each corpus directory is
rewritten from scratch.
"""
import argparse
import hashlib
import hmac
import os
import struct
import sys

SPI = 0x100
KEY = bytes.fromhex("00112233445566778899aabbccddeeff")

HOME, HA, COA, FA = 0x0A000105, 0x0A000001, 0xC0A80301, 0xC0A803FE
ID = 0xDDE7AFCE10775357  # NTP time, as in the capture


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---- registration messages (UDP port 434) ----

def rrq(flags=0, lifetime=1800, id_=ID):
    return u8(1) + u8(flags) + u16(lifetime) + u32(HOME) + u32(HA) + \
        u32(COA) + u64(id_)


def rrp(code=0, lifetime=1800, id_=ID):
    return u8(3) + u8(code) + u16(lifetime) + u32(HOME) + u32(HA) + u64(id_)


def tlv(t, data=b""):
    return u8(t) + u8(len(data)) + data


def short(t, sub, data=b""):
    return u8(t) + u8(len(data) + 1) + u8(sub) + data


def long_(t, sub, data=b""):
    return u8(t) + u8(sub) + u16(len(data)) + data


def auth(msg, t, spi=SPI, key=KEY, good=True):
    """msg with an authentication extension (32, 33, 34) appended."""
    hdr = u8(t) + u8(20) + u32(spi)
    mac = hmac.new(key, msg + hdr, hashlib.md5).digest()
    return msg + hdr + (mac if good else bytes(16))


def gen_auth(msg, sub=1, spi=SPI):
    hdr = u8(36) + u8(sub) + u16(20) + u32(spi)
    return msg + hdr + hmac.new(KEY, msg + hdr, hashlib.md5).digest()


PAD = b"\0"
NAI = tlv(131, b"mn1@example.net")
CHAL = tlv(132, bytes(range(1, 17)))
ENCAP = tlv(130)
UDP_REQ = short(144, 0, b"\0\x80\x04\0\0")         # F set, IP-in-IP
UDP_REP = short(44, 0, b"\0\x80\0\x00\x1e")         # forced, keepalive 30
REV = tlv(137, b"\x80\0" + u32(1234567))
DYN_HA_REQ = short(139, 1, u32(0))
DYN_HA_REDIR = short(139, 2, u32(0x0A000002))
MSG_STR = short(145, 1, b"welcome to the foreign network")
TNC = short(149, 0, b"\0")
CVSE = long_(38, 0, u32(5535) + u16(1) + b"critical")
NVSE = tlv(134, b"\0\0" + u32(5535) + u16(7) + b"normal")
SKIP200 = tlv(200, b"skip me")

T = 0x02  # reverse tunnelling


def msg_seeds():
    s = {}
    s["rrq_mnha"] = auth(rrq(), 32)
    s["rrq_dereg"] = auth(rrq(lifetime=0), 32)
    s["rrq_nai_mnha_chal_mnfa"] = auth(auth(rrq() + NAI, 32) + CHAL, 33)
    s["rrq_mnha_faha"] = auth(auth(rrq(), 32), 34)
    s["rrq_gen_auth"] = gen_auth(rrq() + NAI + CHAL)
    s["rrq_udp_req"] = auth(rrq() + UDP_REQ, 32)
    s["rrq_encap_delivery"] = auth(rrq(T) + NAI, 32) + ENCAP
    s["rrq_encap_delivery_mnfa"] = auth(auth(rrq(T), 32) + ENCAP + CHAL, 33)
    s["rrq_rev_support"] = auth(rrq() + REV, 32)
    s["rrq_dyn_ha"] = auth(rrq() + DYN_HA_REQ + NAI, 32)
    s["rrq_cvse_nvse"] = auth(rrq() + CVSE + NVSE, 32)
    s["rrq_tnc"] = auth(rrq() + TNC, 32)
    # RFC 3519 §3.1: non-zero "reserved 3" means not understood: skipped.
    udp_req_r3 = short(144, 0, b"\0\x80\x04\0\x01")
    s["rrq_udp_req_reserved3"] = auth(rrq() + udp_req_r3, 32)
    s["rrq_udp_req_reserved3_twice"] = auth(rrq() + udp_req_r3 * 2, 32)
    s["rrq_msg_string"] = auth(rrq() + MSG_STR, 32)
    s["rrq_pad"] = auth(rrq() + PAD + PAD, 32)
    s["rrq_skip200"] = auth(rrq() + SKIP200, 32)
    s["rrq_all"] = auth(auth(auth(
        rrq(0xFA) + NAI + UDP_REQ + REV + DYN_HA_REQ + CVSE + NVSE + TNC +
        PAD + SKIP200, 32) + ENCAP + CHAL, 33), 34)
    s["rrq_mnfa_before_mnha"] = auth(auth(rrq(), 33), 32)
    s["rrq_mnha_twice"] = auth(auth(rrq(), 32), 32)
    s["rrq_bad_mac"] = auth(rrq(), 32, good=False)
    s["rrq_other_spi"] = auth(rrq(), 32, spi=0x200)
    s["rrq_auth_len20"] = rrq() + tlv(32, u32(SPI) + bytes(20))
    s["rrq_no_ext"] = rrq()
    s["rrp_mnha"] = auth(rrp(), 32)
    s["rrp_udp_rep"] = auth(rrp() + UDP_REP, 32)
    s["rrp_msg_string"] = auth(rrp(0) + MSG_STR, 32)
    s["rrp_dyn_ha_redirect"] = auth(rrp(143, 0) + DYN_HA_REDIR, 32)
    s["rrp_dyn_ha_long"] = auth(rrp(143, 0) + long_(139, 2, u32(HA + 1)),
                                32)  # RFC 4433's drawing: long format
    s["rrp_rev_support"] = auth(rrp() + REV, 32)
    s["rrq_rev_support_len8"] = auth(rrq() + tlv(137, b"\x80\0" +
                                                 u32(7) + b"\xaa\xbb"), 32)
    s["rrp_fa_denied"] = rrp(70, 0)
    s["rrp_mnha_faha"] = auth(auth(rrp(), 32) + CHAL, 34)
    s["tunnel_data_ipip"] = u8(4) + u8(4) + u16(0) + ipv4(
        17, udp(1234, 5678, b"hello"), src=HOME, dst=0x08080808)
    s["tunnel_data_gre"] = u8(4) + u8(47) + u16(0) + b"\0\0\x08\0" + \
        ipv4(1, icmp_echo(), src=HOME, dst=0x08080808)
    s["revocation"] = auth(u8(7) + b"\0\xc0\0" + u32(HOME) + u32(HA) +
                           u32(FA) + u32(42) + REV, 34)
    s["revocation_ack"] = auth(u8(15) + b"\0\x80\0" + u32(HOME) + u32(42),
                               34)
    return s


# ---- agent discovery (ICMP) ----

def adv(routers=((FA, 0),), entry=2, exts=b"", code=0, lifetime=1800):
    body = b""
    for addr, pref in routers:
        body += u32(addr) + struct.pack(">i", pref) + bytes(4 * (entry - 2))
    m = u8(9) + u8(code) + u16(0) + u8(len(routers)) + u8(entry) + \
        u16(lifetime) + body + exts
    return m[:2] + u16(csum(m)) + m[4:]


def mobility(seq=1, life=1800, flags=0x9100, coas=(FA,)):
    return tlv(16, u16(seq) + u16(life) + u16(flags) +
               b"".join(u32(c) for c in coas))


def sol():
    m = u8(10) + u8(0) + u16(0) + u32(0)
    return m[:2] + u16(csum(m)) + m[4:]


def adv_seeds():
    s = {}
    s["adv_basic"] = adv(exts=mobility())
    s["adv_prefix_len"] = adv(exts=mobility() + tlv(19, b"\x18"))
    s["adv_challenge"] = adv(exts=mobility() + tlv(24, bytes(range(16))))
    s["adv_pad"] = adv(exts=mobility(flags=0x3100) + PAD)
    s["adv_all"] = adv(routers=((FA, 5), (0xC0A803FD, -1)),
                       exts=mobility(7, 600, 0xF1E0, (FA, 0xC0A803FD)) +
                       tlv(19, b"\x18\x18") + tlv(24, b"\x55" * 8) + PAD)
    s["adv_entry_size3"] = adv(entry=3, exts=mobility())
    s["adv_router_only"] = adv(routers=((FA, 0), (0xC0A80301, 10)))
    s["adv_multi_coa"] = adv(exts=mobility(flags=0x10E0, coas=(
        0xC0A80310, 0xC0A80311, 0xC0A80312, 0xC0A80313)))
    s["adv_no_routers"] = adv(routers=(), exts=mobility())
    s["adv_skip200"] = adv(exts=mobility() + SKIP200)
    s["adv_code16"] = adv(code=16, exts=mobility(flags=0x2000, coas=()))
    s["sol"] = sol()
    return s


# ---- IPv4 / UDP ----

def ipv4(proto, payload, src=HOME, dst=FA, ident=1, frag=0, ttl=64,
         options=b"", trailer=b""):
    ihl = 5 + len(options) // 4
    h = u8(0x40 | ihl) + u8(0) + u16(4 * ihl + len(payload)) + u16(ident) + \
        u16(frag) + u8(ttl) + u8(proto) + u16(0) + u32(src) + u32(dst) + \
        options
    return h[:10] + u16(csum(h)) + h[12:] + payload + trailer


def udp(sport, dport, payload, src=HOME, dst=FA, zero_csum=False):
    h = u16(sport) + u16(dport) + u16(8 + len(payload)) + u16(0)
    if zero_csum:
        return h + payload
    ph = u32(src) + u32(dst) + u8(0) + u8(17) + u16(8 + len(payload))
    c = csum(ph + h + payload) or 0xFFFF
    return h[:6] + u16(c) + payload


def icmp_echo():
    m = u8(8) + u8(0) + u16(0) + u32(0x00010001) + b"ping"
    return m[:2] + u16(csum(m)) + m[4:]


def ip_seeds():
    m = msg_seeds()
    s = {}
    s["ip_udp_rrq"] = ipv4(17, udp(434, 434, m["rrq_mnha"]))
    s["ip_udp_rrp"] = ipv4(17, udp(434, 434, m["rrp_mnha"], HA, HOME),
                           HA, HOME)
    s["ip_icmp_adv"] = ipv4(1, adv(exts=mobility()), FA, 0xFFFFFFFF,
                            ttl=1)
    s["ip_icmp_sol"] = ipv4(1, sol(), 0, 0xFFFFFFFF, ttl=1)
    s["ip_options_df"] = ipv4(17, udp(1000, 434, m["rrq_mnha"]),
                              frag=0x4000, options=b"\x94\x04\0\0")
    s["ip_fragment"] = ipv4(17, udp(434, 434, m["rrq_all"])[:48],
                            frag=0x2000)
    s["ip_ipip"] = ipv4(4, ipv4(17, udp(53, 53, b"inner")), HA, COA)
    s["ip_udp_zero_csum"] = ipv4(17, udp(434, 434, m["rrq_mnha"],
                                         zero_csum=True))
    s["ip_trailer"] = ipv4(17, udp(434, 434, m["rrp_fa_denied"]),
                           trailer=bytes(6))
    s["ip_udp_odd"] = ipv4(17, udp(7, 7, b"odd"))
    # A header whose computed checksum is 0x0000, sent as 0xffff (the
    # other one's complement zero: it verifies too).
    payload = udp(434, 434, m["rrq_mnha"])
    ident = next(i for i in range(65536)
                 if csum(ipv4(17, payload, ident=i)[:20]) == 0 and
                 ipv4(17, payload, ident=i)[10:12] == b"\0\0")
    pkt = ipv4(17, payload, ident=ident)
    s["ip_csum_ffff"] = pkt[:10] + b"\xff\xff" + pkt[12:]
    return s


SA_SPECS = [
    "256:00112233445566778899aabbccddeeff",
    "0x100:00112233445566778899AABBCCDDEEFF:hmac-md5",
    "1:abcd:keyed-md5",
    "4294967295:" + "ab" * 64,
    "0:00",
    "007:0102",          # octal SPI
    "256",               # no key
    "256:",              # empty key
    "256::hmac-md5",
    "256:0g",
    "256:abc",           # odd number of digits
    "x:aa",
    ":aa",
    "256:aa:sha1",
    "4294967296:aa",     # SPI too large
    "256:" + "00" * 65,  # key too long
]


# ---- the foreign capture ----

def pcap_packets(path):
    """IPv4 packets (bytes up to the IP total length) from an Ethernet
    pcap, in order."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("gen_seeds: %s: not Ethernet" % path)
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        eth = 14
        etype = struct.unpack(">H", frame[12:14])[0]
        if etype == 0x8100:
            etype = struct.unpack(">H", frame[16:18])[0]
            eth = 18
        if etype != 0x0800:
            continue
        ip = frame[eth:]
        yield ip[:struct.unpack(">H", ip[2:4])[0]]


def pcap_seeds(path):
    msg, adv_, ip = {}, {}, {}
    n_rrq = n_adv = n_sol = 0
    seen_ip = set()
    for i, pkt in enumerate(pcap_packets(path), 1):
        ihl = (pkt[0] & 15) * 4
        proto, payload = pkt[9], pkt[ihl:]
        kind = None
        if proto == 17 and 434 in struct.unpack(">HH", payload[:4]):
            msg["foreign_%03d_%s" % (i, "rrq" if payload[8] == 1 else
                                     "rrp")] = payload[8:]
            n_rrq += 1
            kind = "reg%d" % payload[8]
        elif proto == 1:
            kind = "icmp%d" % payload[0]
            if payload[0] == 9 and n_adv < 3 and payload not in adv_.values():
                adv_["foreign_%03d_adv" % i] = payload
                n_adv += 1
            elif payload[0] == 10 and n_sol < 1:
                adv_["foreign_%03d_sol" % i] = payload
                n_sol += 1
        if kind and kind not in seen_ip:
            seen_ip.add(kind)
            ip["foreign_%03d_ip_%s" % (i, kind)] = pkt
    if n_rrq != 14:
        sys.exit("gen_seeds: expected 14 registration messages, got %d"
                 % n_rrq)
    return msg, adv_, ip


def write(outdir, name, seeds):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for k, v in sorted(seeds.items()):
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)
    print("%-13s %3d seeds" % (name, len(seeds)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pcap", default=os.path.join(
        here, "..", "..", "shared", "captures", "foreign.pcap"))
    ap.add_argument("--out", default=os.path.join(here, "corpus"))
    a = ap.parse_args()

    msg, adv_, ip = msg_seeds(), adv_seeds(), ip_seeds()
    if os.path.exists(a.pcap):
        pm, pa, pi = pcap_seeds(a.pcap)
        msg.update(pm)
        adv_.update(pa)
        ip.update(pi)
    else:
        print("gen_seeds: %s missing: no capture seeds" % a.pcap,
              file=sys.stderr)
    sa = {"sa_%02d" % i: s.encode() for i, s in enumerate(SA_SPECS)}
    write(a.out, "fuzz_msg", msg)
    write(a.out, "fuzz_adv", adv_)
    write(a.out, "fuzz_ip", ip)
    write(a.out, "fuzz_sa_spec", sa)


if __name__ == "__main__":
    main()
