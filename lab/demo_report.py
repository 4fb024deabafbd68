#!/usr/bin/env python3
"""Turn the records of `mip4-lab demo` into results.json, tables, a verdict
against RFC 4093 section 5 and a timeline plot.

  demo_report.py --out OUT STACKDIR...

Each STACKDIR holds what one run of the itinerary left (see mip4-lab,
demo_stack): meta.json, moves.jsonl (one object per move, times in us since
the epoch), end.json, udp-mn.out / udp-cn.out (mn_probe udp: "S seq send_us
errno" and "R seq send_us recv_us"), tcp-mn.out / tcp-cn.out (mn_probe tcp),
gw-charon.log / mn-charon.log (charon filelogs), gw-vpn.log (the gateway
VPN server's own log, whatever the product), mn-events.json (the MN's
monitor), dead-daemons and the captures E1..E4.pcap, uplink.pcap.

Per move (the window from its carrier-off to the next move's):
  outage_ms      largest gap between consecutive probes received, the larger
                 of the two directions (outage_up_ms: MN -> CN, received at
                 the CN; outage_down_ms: CN -> MN)
  lost_up/down   probes sent in the window and never received
  ike_exchanges  IKE exchanges the VPN gateway's charon took part in: every
                 distinct request it parsed (MN-initiated) or generated
                 (gateway-initiated), keyed by IKE_SA and message ID so a
                 retransmission is not counted twice
  ike_requests_on_wire  IKEv2 requests seen in uplink.pcap (cross-check;
                 retransmissions included)
  vpn_handshakes the VPN's own handshakes and renegotiations during the move,
                 as its gateway logs them: strongSwan's IKE exchanges,
                 OpenVPN's new TLS sessions and soft resets, ocserv's TLS
                 and DTLS handshakes, wireguard-go's handshake initiations
                 (vpn_handshake_types: per kind, with non-handshake events
                 such as OpenVPN floats)
  tcp_alive      the TCP session moved bytes both ways during the window and
                 (for the last move) ended cleanly with every byte right
  plaintext_leak a frame on an outside link carried an intranet address
                 (10.10.0.0/16) in an IP header, ARP or a Mobile IP home
                 address / home agent field, i.e. outside ESP -- except
                 the direct Mobile IP registrations with the i-HA that
                 RFC 5265 §3.3 sends to detect "inside" (UDP 434 between
                 the care-of address or a foreign agent and the i-HA): §6.1
                 says they reveal the i-HA's address and the node's home
                 address; they carry no user data and are counted
                 separately as detection_frames
Exit 1 if any TCP session broke, any leak or malformed frame was found, a
move is missing, or a daemon died.
"""
import argparse
import bisect
import ipaddress
import json
import os
import re
import subprocess
import sys

INTRANET = "10.10.0.0/16"
NET = ipaddress.ip_network(INTRANET)
IHA = "10.10.1.10"            # the i-HA
MIP_PORT = "434"
INSIDE = {"I1", "I2"}
CAPTURES = ["E1", "E2", "E3", "E4", "uplink"]
LEAK_FILTER = ("ip.addr == {n} || arp.src.proto_ipv4 == {n} || arp.dst.proto_ipv4 == {n}"
               " || mip.homeaddr == {n} || mip.haaddr == {n}").format(n=INTRANET)


def where(net):
    return "inside" if net in INSIDE else "outside"


def load_probe(path):
    sent, recv = [], []
    if not os.path.exists(path):
        return sent, recv
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            if p[0] == "S":
                sent.append((int(p[2]), int(p[1])))
            elif p[0] == "R":
                recv.append((int(p[3]), int(p[1])))
    sent.sort()
    recv.sort()
    return sent, recv


def direction(sent, recv, got, lo, hi):
    """Largest gap (ms) between probes received in [lo, hi), counting from
    the last one received before lo and up to hi, and the probes sent in
    [lo, hi) that never arrived."""
    times = [t for t, _ in recv]
    i = bisect.bisect_left(times, lo)
    j = bisect.bisect_left(times, hi)
    pts = ([times[i - 1]] if i > 0 else [lo]) + times[i:j] + [hi]
    gap = max(b - a for a, b in zip(pts, pts[1:]))
    lost = sum(1 for t, seq in sent if lo <= t < hi and seq not in got)
    n_sent = sum(1 for t, _ in sent if lo <= t < hi)
    return round(gap / 1000.0, 1), lost, n_sent


def tcp_result(path):
    r = {}
    stalls = []
    if not os.path.exists(path):
        return None, stalls
    with open(path) as f:
        first = f.readline().split()
        for i in range(0, len(first) - 1, 2):
            r[first[i]] = int(first[i + 1])
        for line in f:
            p = line.split()
            if p and p[0] == "stall":
                stalls.append((int(p[1]), int(p[2])))
    return r, stalls


LOG_RE = re.compile(r"^(\S+) \d+\[ENC\] <(?:[^|>]*\|)?(\d+)> (parsed|generating) (\S+) request (\d+)")


def ike_exchanges(log, lo, hi):
    """Distinct IKE requests in lines [lo, hi) of a charon log."""
    seen = set()
    kinds = {}
    for line in log[lo:hi]:
        m = LOG_RE.match(line)
        if not m:
            continue
        key = (m.group(2), m.group(3), m.group(5))
        if key in seen:
            continue
        seen.add(key)
        kinds[m.group(4)] = kinds.get(m.group(4), 0) + 1
    return len(seen), kinds


# The VPN's own renegotiations, counted in its gateway log (gw-vpn.log):
# per product, (kind, pattern, is a handshake).  strongSwan's are the IKE
# exchanges above.
VPN_LOG = {
    "openvpn": [("tls-session", re.compile(r"Peer Connection Initiated"), True),
                ("renegotiation", re.compile(r"TLS: soft reset"), True),
                ("float", re.compile(r"floated from"), False)],
    "openconnect": [("tls", re.compile(r"client certificate verification succeeded"), True),
                    ("dtls", re.compile(r"setting up DTLS"), True),
                    ("session-reuse", re.compile(r"re-using session"), False)],
    "wireguard": [("handshake-received", re.compile(r"Received handshake initiation"), True),
                  ("handshake-sent", re.compile(r"Sending handshake initiation"), True)],
}
VPN_DESC = {
    "strongswan": "stock strongSwan charon, only configured (IKEv2, PSK, virtual-IP pool); "
                  "the MN's VPN client is stock charon driven by swanctl/vici",
    "openvpn": "stock OpenVPN 2.6 (TLS over UDP, certificates, address pool); the MN's "
               "client is stock OpenVPN driven through its management socket",
    "openconnect": "stock ocserv (AnyConnect protocol: TLS + DTLS, certificates); the MN's "
                   "client is stock openconnect driven by its command line and --script hook",
    "wireguard": "stock wireguard-go + wg on both ends (user space: no kernel module here); "
                 "the MN's interface is wg-quick's, driven by wg-quick and wg show",
}


def vpn_handshakes(vpn, log, lo, hi):
    """The VPN's handshakes (and other events) in lines [lo, hi) of its log."""
    kinds, n = {}, 0
    for line in log[lo:hi]:
        for kind, rx, hs in VPN_LOG.get(vpn, []):
            if rx.search(line):
                kinds[kind] = kinds.get(kind, 0) + 1
                n += hs
    return n, kinds


def tshark(path, dfilter, fields):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return []
    cmd = ["tshark", "-n", "-r", path, "-Y", dfilter, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0 and not res.stdout:
        sys.stderr.write("tshark %s: %s\n" % (path, res.stderr.strip()))
    return [l.split("\t") for l in res.stdout.splitlines() if l.strip()]


def intranet(field):
    for a in field.split(","):
        try:
            if a and ipaddress.ip_address(a) in NET:
                return True
        except ValueError:
            pass
    return False


def scan_captures(d):
    """One tshark pass per capture: leaks, malformed frames, IKE requests."""
    leaks, malformed, ike, detection = [], [], [], []
    flt = "({}) || _ws.malformed || isakmp".format(LEAK_FILTER)
    fields = ["frame.time_epoch", "frame.number", "frame.protocols", "_ws.malformed",
              "isakmp.flag_r", "ip.src", "ip.dst", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
              "mip.homeaddr", "mip.haaddr", "udp.srcport", "udp.dstport"]
    counts, frames = {}, {}
    for cap in CAPTURES:
        path = os.path.join(d, cap + ".pcap")
        counts[cap] = 0
        for r in tshark(path, flt, fields):
            r += [""] * (len(fields) - len(r))
            t = int(float(r[0]) * 1e6)
            desc = "%s #%s %s %s>%s" % (cap, r[1], r[2].split(":")[-1], r[5], r[6])
            if any(intranet(x) for x in r[5:11]):
                if is_detection(r):
                    detection.append((t, desc))
                else:
                    leaks.append((t, desc))
                    counts[cap] += 1
            if r[3]:
                malformed.append((t, desc))
            if "isakmp" in r[2] and cap == "uplink" and r[4] in ("0", "False", "false"):
                ike.append(t)
        if os.path.exists(path):
            res = subprocess.run(["capinfos", "-c", "-M", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            m = re.search(r"Number of packets:\s*(\d+)", res.stdout)
            frames[cap] = int(m.group(1)) if m else None
    return leaks, malformed, sorted(ike), counts, frames, detection


def is_detection(r):
    """A registration request or reply between the node (or a foreign
    agent) and the i-HA, not encapsulated: RFC 5265 §3.3's direct attempt.
    Its only intranet addresses are the i-HA's and the home address in
    it."""
    protos = r[2].split(":")
    if "mip" not in protos or "ipip" in protos or protos.count("ip") != 1:
        return False
    if MIP_PORT not in (r[11], r[12]):
        return False
    src, dst = r[5], r[6]
    ends = [a for a in (src, dst) if intranet(a)]
    # via a foreign agent the node sends from its home address (§3.5)
    return all(a in (IHA, r[9]) for a in ends) and r[10] in ("", IHA)


def analyse(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    moves = []
    if os.path.exists(os.path.join(d, "moves.jsonl")):
        with open(os.path.join(d, "moves.jsonl")) as f:
            moves = [json.loads(l) for l in f if l.strip()]
    end = {}
    if os.path.exists(os.path.join(d, "end.json")):
        end = json.load(open(os.path.join(d, "end.json")))
    itin = meta["itinerary"].split()
    expected = list(zip(itin, itin[1:]))
    cn_sent, cn_recv = load_probe(os.path.join(d, "udp-cn.out"))   # CN -> MN sent; MN -> CN received
    mn_sent, mn_recv = load_probe(os.path.join(d, "udp-mn.out"))
    got_at_mn = {s for _, s in mn_recv}
    got_at_cn = {s for _, s in cn_recv}
    gwlog = open(os.path.join(d, "gw-charon.log"), errors="replace").read().splitlines() \
        if os.path.exists(os.path.join(d, "gw-charon.log")) else []
    mnlog = open(os.path.join(d, "mn-charon.log"), errors="replace").read().splitlines() \
        if os.path.exists(os.path.join(d, "mn-charon.log")) else []
    vpn = meta.get("vpn", "strongswan")
    vpnlog = open(os.path.join(d, "gw-vpn.log"), errors="replace").read().splitlines() \
        if os.path.exists(os.path.join(d, "gw-vpn.log")) else []
    events = []
    if os.path.exists(os.path.join(d, "mn-events.json")):
        for l in open(os.path.join(d, "mn-events.json")):
            try:
                events.append(json.loads(l))
            except ValueError:
                pass
    tcp_mn, stalls_mn = tcp_result(os.path.join(d, "tcp-mn.out"))
    tcp_cn, stalls_cn = tcp_result(os.path.join(d, "tcp-cn.out"))
    tcp_final_ok = bool(tcp_mn and tcp_cn and tcp_mn.get("err") == 0 and tcp_cn.get("err") == 0
                        and tcp_mn.get("bad") == 0 and tcp_cn.get("bad") == 0
                        and tcp_cn.get("sent", 0) > 0 and tcp_mn.get("sent", 0) > 0
                        and tcp_cn.get("sent") == tcp_mn.get("recv")
                        and tcp_mn.get("sent") == tcp_cn.get("recv"))
    leaks, malformed, ike_wire, leak_counts, frames, detection = scan_captures(d)
    dead = [l.strip() for l in open(os.path.join(d, "dead-daemons"))] \
        if os.path.exists(os.path.join(d, "dead-daemons")) else []
    dead = [x for x in dead if x]
    t_end = end.get("t_end", max([t for t, _ in cn_sent + mn_sent] or [0]) + 1)
    results = []
    broken = False
    for n, m in enumerate(moves):
        lo = m["t_down"]
        hi = moves[n + 1]["t_down"] if n + 1 < len(moves) else t_end
        g_down, l_down, s_down = direction(cn_sent, mn_recv, got_at_mn, lo, hi)
        g_up, l_up, s_up = direction(mn_sent, cn_recv, got_at_cn, lo, hi)
        log_hi = moves[n + 1]["gw_log_off"] if n + 1 < len(moves) else end.get("gw_log_off", len(gwlog))
        mlog_hi = moves[n + 1]["mn_log_off"] if n + 1 < len(moves) else end.get("mn_log_off", len(mnlog))
        ev_hi = moves[n + 1]["ev_off"] if n + 1 < len(moves) else end.get("ev_off", len(events))
        ike, ike_kinds = ike_exchanges(gwlog, m["gw_log_off"], log_hi)
        ike_mn, _ = ike_exchanges(mnlog, m["mn_log_off"], mlog_hi)
        if vpn == "strongswan":
            hs, hs_kinds = ike, ike_kinds
        else:
            vlog_hi = moves[n + 1]["vpn_log_off"] if n + 1 < len(moves) \
                else end.get("vpn_log_off", len(vpnlog))
            hs, hs_kinds = vpn_handshakes(vpn, vpnlog, m.get("vpn_log_off", 0), vlog_hi)
        wire = sum(1 for t in ike_wire if lo <= t < hi)
        mleaks = [desc for t, desc in leaks if lo <= t < hi]
        mdet = [desc for t, desc in detection if lo <= t < hi]
        mmal = [desc for t, desc in malformed if lo <= t < hi]
        stall = max([(b - a) / 1000.0 for a, b in stalls_mn + stalls_cn if lo <= b < hi] or [0])
        alive = bool(m.get("tcp_flowing")) and not broken
        if n + 1 == len(moves) and not tcp_final_ok:
            alive = False
        if not alive:
            broken = True
        evnames = [e.get("event") for e in events[m["ev_off"]:ev_hi]]
        results.append({
            "stack": meta["stack"], "vpn": vpn, "rtt": meta["rtt"], "move": n + 1,
            "from": m["from"], "to": m["to"],
            "prev_mode": m["prev_mode"], "mode": m["mode"],
            "kind": "%s->%s" % (where(m["from"]), where(m["to"])),
            "outage_ms": max(g_up, g_down), "outage_up_ms": g_up, "outage_down_ms": g_down,
            "lost_up": l_up, "lost_down": l_down, "sent_up": s_up, "sent_down": s_down,
            "recovered": m["recovered"],
            "traffic_after_ms": round((m["t_recovered"] - lo) / 1000.0, 1) if m["recovered"] else None,
            "link_to_addr_ms": round((m["t_addr"] - lo) / 1000.0, 1),
            "ike_exchanges": ike, "ike_exchange_types": ike_kinds,
            "ike_exchanges_mn_log": ike_mn, "ike_requests_on_wire": wire,
            "gw_ike_sas_before": m["gw_sas_before"], "gw_ike_sas_after": m["gw_sas_after"],
            "vpn_handshakes": hs, "vpn_handshake_types": hs_kinds,
            "tcp_alive": alive, "tcp_stall_ms": round(stall, 1),
            "plaintext_leak": bool(mleaks), "leak_frames": len(mleaks), "leak_examples": mleaks[:5],
            "detection_frames": len(mdet),
            "malformed_frames": len(mmal), "malformed_examples": mmal[:5],
            "mn_events": evnames,
        })
    got_pairs = [(r["from"], r["to"]) for r in results]
    summary = {
        "stack": meta["stack"], "vpn": vpn, "rtt": meta["rtt"], "itinerary": meta["itinerary"],
        "moves_expected": len(expected), "moves_done": len(results),
        "missing_moves": ["%s->%s" % p for p in expected if p not in got_pairs],
        "tcp_final_ok": tcp_final_ok, "tcp_mn": tcp_mn, "tcp_cn": tcp_cn,
        "leak_frames_total": len(leaks), "leak_frames_per_capture": leak_counts,
        "leak_examples": [d for _, d in leaks[:5]],
        "detection_frames_total": len(detection),
        "detection_examples": [d for _, d in detection[:3]],
        "malformed_total": len(malformed), "malformed_examples": [d for _, d in malformed[:5]],
        "frames_per_capture": frames, "dead_daemons": dead,
        "probes": {"up_sent": len(mn_sent), "up_lost": sum(1 for _, s in mn_sent if s not in got_at_cn),
                   "down_sent": len(cn_sent), "down_lost": sum(1 for _, s in cn_sent if s not in got_at_mn)},
    }
    json.dump(results, open(os.path.join(d, "results-%s.json" % meta["stack"]), "w"), indent=1)
    json.dump(summary, open(os.path.join(d, "summary-%s.json" % meta["stack"]), "w"), indent=1)
    plot_data(d, meta, cn_recv, mn_recv, moves, t_end)
    return results, summary


def plot_data(d, meta, cn_recv, mn_recv, moves, t_end):
    t0 = moves[0]["t_down"] - 3000000 if moves else min([t for t, _ in cn_recv + mn_recv] or [0])
    for name, recv in (("down", mn_recv), ("up", cn_recv)):   # down: CN -> MN, received at the MN
        recv = [(t, s) for t, s in recv if t0 <= t <= t_end]
        with open(os.path.join(d, "plot-%s.dat" % name), "w") as f:
            for t, s in recv[::4]:
                f.write("%.4f %d\n" % ((t - t0) / 1e6, s))
        # inter-arrival gaps over 3 ms: the outages stand out
        with open(os.path.join(d, "plot-%s-gap.dat" % name), "w") as f:
            for (a, _), (b, _) in zip(recv, recv[1:]):
                if b - a > 3000:
                    f.write("%.4f %.1f\n" % ((b - t0) / 1e6, (b - a) / 1000.0))
    with open(os.path.join(d, "plot-moves.dat"), "w") as f:
        for m in moves:
            f.write("%.4f %s->%s\n" % ((m["t_down"] - t0) / 1e6, m["from"], m["to"]))


def plot(out, dirs):
    if not dirs:
        return
    panels = []
    for d in dirs:
        meta = json.load(open(os.path.join(d, "meta.json")))
        panels.append((d, meta))
    gp = ["set terminal pngcairo size 1400,%d font 'sans,10'" % (600 * len(panels) + 40),
          "set output '%s'" % os.path.join(out, "timeline.png"),
          "set multiplot layout %d,1" % (2 * len(panels))]
    for d, meta in panels:
        mv = os.path.join(d, "plot-moves.dat")
        marks = ["unset arrow", "unset label"]
        if os.path.exists(mv):
            for line in open(mv):
                t, lab = line.split()
                marks.append("set arrow from %s, graph 0 to %s, graph 1 nohead lc rgb '#aa0000' dt 2" % (t, t))
                marks.append("set label '%s' at %s, graph 0.96 left offset 0.3,0 tc rgb '#aa0000'" % (lab, t))
        gp += marks + [
            "unset logscale y", "set yrange [*:*]",
            "set title 'stack %s, added RTT %s ms: probe sequence vs arrival time (1 ms probes each way; dashed: moves)'"
            % (meta["stack"], meta["rtt"]),
            "set xlabel 'time (s)'", "set ylabel 'probe sequence'", "set key bottom right", "set grid"]
        gp.append("plot '%s' using 1:2 with points pt 7 ps 0.2 lc rgb '#1060c0' title 'CN -> MN (received at the MN)', "
                  "'%s' using 1:2 with points pt 7 ps 0.2 lc rgb '#20a020' title 'MN -> CN (received at the CN)'"
                  % (os.path.join(d, "plot-down.dat"), os.path.join(d, "plot-up.dat")))
        gp += marks + [
            "set title 'stack %s: gaps between consecutive probes received (> 3 ms)' " % meta["stack"],
            "set ylabel 'gap (ms)'", "set logscale y", "set yrange [1:*]", "set key top right"]
        gp.append("plot '%s' using 1:2 with impulses lw 2 lc rgb '#1060c0' title 'CN -> MN', "
                  "'%s' using 1:2 with points pt 7 ps 0.6 lc rgb '#20a020' title 'MN -> CN'"
                  % (os.path.join(d, "plot-down-gap.dat"), os.path.join(d, "plot-up-gap.dat")))
    gp.append("unset multiplot")
    res = subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        sys.stderr.write("gnuplot failed: %s\n" % res.stderr.strip())


def table(results):
    hdr = ("  #  move      kind               mode        outage ms (up/down)   lost up/down"
           "  IKE gw(wire)  VPN hs  TCP    leak")
    print(hdr)
    print("  " + "-" * (len(hdr) - 2))
    for r in results:
        print("  %-2d %-3s->%-3s  %-17s  %-5s>%-5s %7.1f (%6.1f/%6.1f)  %5d/%-5d  %4d (%3d)     %4d    %-5s  %s" % (
            r["move"], r["from"], r["to"], r["kind"], r["prev_mode"], r["mode"],
            r["outage_ms"], r["outage_up_ms"], r["outage_down_ms"], r["lost_up"], r["lost_down"],
            r["ike_exchanges"], r["ike_requests_on_wire"], r["vpn_handshakes"],
            "alive" if r["tcp_alive"] else "BROKE", "LEAK" if r["plaintext_leak"] else "none"))


def verdict(results, summary):
    st = summary["stack"]
    oo = [r for r in results if r["kind"] == "outside->outside"]
    io = [r for r in results if r["kind"] == "inside->outside"]
    nat = [r for r in results if r["to"] in ("E3", "E4")]
    lines = []

    def line(ok, text):
        lines.append("  [%s] %s" % ("ok" if ok else ("--" if ok is None else "NO"), text))
    vpn = summary.get("vpn", "strongswan")
    what = "IKE exchanges" if vpn == "strongswan" else "%s handshakes" % vpn
    line(True, "5.1-5.3 existing VPN: the gateway is " + VPN_DESC.get(vpn, vpn))
    ike_oo = sum(r["vpn_handshakes"] for r in oo)
    if oo:
        line(ike_oo == 0 if st == "cvc" else None,
             "5.6 handoff overhead: %d %s over %d outside->outside moves (max outage %.0f ms)%s"
             % (ike_oo, what, len(oo), max(r["outage_ms"] for r in oo),
                "" if st == "cvc" else " - the VPN's own roaming (%s)" % st))
    if io:
        line(all(r["recovered"] for r in io),
             "inside->outside: %d %s, outage %s ms" % (
                 sum(r["vpn_handshakes"] for r in io), what, "/".join("%.0f" % r["outage_ms"] for r in io)))
    if nat:
        line(all(r["recovered"] and r["tcp_alive"] for r in nat),
             "5.9 NAT traversal: moves into E3 (NAT) and E4 (two NATs) %s"
             % ("recovered with TCP alive" if all(r["recovered"] and r["tcp_alive"] for r in nat) else "FAILED"))
    line(summary["leak_frames_total"] == 0,
         "5.10 security: %d frames with an intranet address outside ESP on the outside links "
         "(besides %d direct registration frames with the i-HA, RFC 5265 §3.3/§6.1)"
         % (summary["leak_frames_total"], summary["detection_frames_total"]))
    line(summary["tcp_final_ok"] and all(r["tcp_alive"] for r in results),
         "session continuity: the TCP session %s" % ("survived every move, every byte right"
                                                     if summary["tcp_final_ok"] else "BROKE"))
    line(summary["malformed_total"] == 0, "%d malformed frames in the captures" % summary["malformed_total"])
    if summary["missing_moves"]:
        line(False, "moves missing: %s" % ", ".join(summary["missing_moves"]))
    if summary["dead_daemons"]:
        line(False, "daemons died: %s" % ", ".join(summary["dead_daemons"]))
    return lines


def failures(results, summary):
    f = []
    if summary["missing_moves"]:
        f.append("missing moves %s" % summary["missing_moves"])
    if not all(r["tcp_alive"] for r in results) or not summary["tcp_final_ok"]:
        f.append("TCP session broke")
    if summary["leak_frames_total"] or any(r["plaintext_leak"] for r in results):
        f.append("plaintext leak (%d frames): %s" % (summary["leak_frames_total"], summary["leak_examples"][:3]))
    if summary["malformed_total"]:
        f.append("%d malformed frames: %s" % (summary["malformed_total"], summary["malformed_examples"][:3]))
    if summary["dead_daemons"]:
        f.append("daemons died: %s" % summary["dead_daemons"])
    return f


def side_by_side(all_results):
    stacks = []
    for r in all_results:
        if r["stack"] not in stacks:
            stacks.append(r["stack"])
    print("\nSide by side (outage ms / the VPN's handshakes at the gateway: IKE exchanges for strongSwan):")
    print("  %-12s" % "move" + "".join("  %-16s" % s for s in stacks))
    moves = []
    for r in all_results:
        k = (r["move"], r["from"], r["to"])
        if k not in moves:
            moves.append(k)
    for k in moves:
        row = "  %-12s" % ("%s->%s" % (k[1], k[2]))
        for s in stacks:
            r = [x for x in all_results if x["stack"] == s and (x["move"], x["from"], x["to"]) == k]
            row += "  %-16s" % (("%7.1f / %-3d%s" % (r[0]["outage_ms"], r[0]["vpn_handshakes"],
                                                    "" if r[0]["tcp_alive"] else " X")) if r else "-")
        print(row)
    print("  per kind (max outage ms / total handshakes):")
    kinds = []
    for r in all_results:
        if r["kind"] not in kinds:
            kinds.append(r["kind"])
    for kd in kinds:
        row = "  %-18s" % kd
        for s in stacks:
            rs = [x for x in all_results if x["stack"] == s and x["kind"] == kd]
            row += "  %-16s" % (("%7.1f / %-3d" % (max(x["outage_ms"] for x in rs),
                                                  sum(x["vpn_handshakes"] for x in rs))) if rs else "-")
        print(row)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    all_results, bad = [], []
    for d in a.dirs:
        if not os.path.exists(os.path.join(d, "meta.json")):
            bad.append("%s: no records (the run did not start)" % d)
            continue
        results, summary = analyse(d)
        all_results += results
        print("\nStack %s on %s (added RTT %s ms), itinerary %s:" % (summary["stack"], summary["vpn"], summary["rtt"], summary["itinerary"]))
        table(results)
        pr = summary["probes"]
        print("  probes: MN->CN %d sent, %d lost; CN->MN %d sent, %d lost; TCP: CN sent %s, MN got %s; MN sent %s, CN got %s"
              % (pr["up_sent"], pr["up_lost"], pr["down_sent"], pr["down_lost"],
                 (summary["tcp_cn"] or {}).get("sent"), (summary["tcp_mn"] or {}).get("recv"),
                 (summary["tcp_mn"] or {}).get("sent"), (summary["tcp_cn"] or {}).get("recv")))
        print("  captures (frames): %s" % ", ".join("%s %s" % kv for kv in summary["frames_per_capture"].items()))
        print("Verdict against RFC 4093 section 5 (stack %s):" % summary["stack"])
        print("\n".join(verdict(results, summary)))
        bad += ["%s: %s" % (summary["stack"], x) for x in failures(results, summary)]
    json.dump(all_results, open(os.path.join(a.out, "results.json"), "w"), indent=1)
    if len(a.dirs) > 1:
        side_by_side(all_results)
    plot(a.out, [d for d in a.dirs if os.path.exists(os.path.join(d, "plot-down.dat"))
                 and os.path.getsize(os.path.join(d, "plot-down.dat")) > 0])
    for b in bad:
        print("FAIL: %s" % b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
