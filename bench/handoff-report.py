#!/usr/bin/env python3
"""Aggregate the runs of bench/run-handoff.sh (issue #8 section 1).

  handoff-report.py --out OUT.json [--smoke] [--meta k=v ...] RUNDIR...

Each RUNDIR is one `mip4-lab demo --out RUNDIR` (one stack, one added RTT)
plus bench-run.json (run-handoff.sh).  From demo's results.json (per move:
outage, lost probes, IKE exchanges at the gateway, TCP, leaks) and from the
raw records demo leaves (udp-mn.out / udp-cn.out: every probe's send and
receive time; moves.jsonl: t_addr, the kernel's notification of the new
address; mn-events.json: the MN daemon's monitor events; mn-charon.log) this
adds per move:

  t_off           the link going: the start of the largest probe gap (the
                  earlier of the two directions).  demo's t_down is taken
                  before `mip4-lab move` starts its address monitor, i.e.
                  typically 40-160 ms before the carrier really goes, so
                  demo's link_to_addr_ms and traffic_after_ms include that
                  lab overhead; the figures below do not.
  t_usable        the new care-of address is usable: the earlier of the
                  kernel's address notification (co-located address from
                  DHCP: t_addr) and the MN's first `moved` event carrying a
                  care-of address (for a foreign agent: its advertisement
                  heard -- there t_addr, the DHCP address, comes later and is
                  not needed)
  link_to_usable_ms  t_usable - t_off: DHCP or agent discovery (the lab's)
  usable_to_first_up_ms / _down_ms  first probe received after t_usable
                  (and sent after t_off, so no straggler of the old path
                  counts), minus t_usable: MN -> CN (at the CN), CN -> MN
  usable_to_first_ms  the larger of the two: both directions deliver again.
                  This is the mobility stack's share of the outage (its
                  signalling plus one one-way trip of the probe); the
                  target "<= 1 RTT + 2 ms" is judged on it.
  mn_moved_ms     the MN daemon's first `moved` event with the new care-of
                  address, ms after t_usable (its netlink reaction; 0 when
                  that event is t_usable itself: a foreign agent)
  decided_ms      the MN's first `inside` / `outside` event (RFC 5265
                  detection done; the lab gives mc and naive a 300 ms
                  detect-timeout for the direct i-HA answer)
  x_reg_ms, i_reg_ms, vpn_up_ms  the MN's `registered` (layer x / i) and
                  `vpn-up` events after t_usable, ms after t_usable
  charon_*        from the MN's charon log (HH:MM:SS.mmm): roam_delay_ms
                  (charon's "old path is not available" / "requesting
                  address change" after the old address "disappeared": its
                  roam delay; MOBIKE only), roam_after_usable_ms,
                  first_ike_req_ms (any request, e.g. the DELETE of a
                  terminate), ike_init_ms (IKE_SA_INIT), child_up_ms (first
                  CHILD_SA established); ms after t_usable

Writes OUT.json (meta, every move, the summary per stack x kind x RTT, the
target verdicts) and prints the markdown table.  Exit 1 on breakage only:
a move missing or never recovered, TCP broken, a plaintext leak, a daemon
dead, IKE on a cvc outside->outside move.  demo's exit status and malformed
frames are warnings.
"""
import argparse
import bisect
import datetime
import json
import os
import re
import statistics
import sys

KINDS = ["outside->outside", "inside->outside", "outside->inside", "inside->inside"]
STACKS = ["cvc", "mc", "naive"]


def load_recv(path):
    """[(recv_us, send_us)] sorted by receive time."""
    r = []
    if not os.path.exists(path):
        return r
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[0] == "R":
                r.append((int(p[3]), int(p[2])))
    r.sort()
    return r


def largest_gap(recv, lo, hi):
    """(start, end) of the largest gap between receptions in [lo, hi)."""
    times = [t for t, _ in recv]
    i = bisect.bisect_left(times, lo)
    j = bisect.bisect_left(times, hi)
    pts = ([times[i - 1]] if i > 0 else [lo]) + times[i:j] + [hi]
    best = max(zip(pts, pts[1:]), key=lambda ab: ab[1] - ab[0])
    return best


def first_after(recv, t, t_sent_min, hi):
    times = [x for x, _ in recv]
    i = bisect.bisect_right(times, t)
    while i < len(recv) and recv[i][0] < hi:
        if recv[i][1] >= t_sent_min:
            return recv[i][0]
        i += 1
    return None


CH_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) ")


def charon_times(lines, ref_us):
    """[(epoch_us, line)] for charon filelog lines (HH:MM:SS.mmm, local
    time of the machine), dated the day of ref_us (nearest)."""
    ref = datetime.datetime.fromtimestamp(ref_us / 1e6)
    out = []
    for l in lines:
        m = CH_TIME.match(l)
        if not m:
            continue
        h, mi, s, ms = (int(x) for x in m.groups())
        d = ref.replace(hour=h, minute=mi, second=s, microsecond=ms * 1000)
        dt = (d - ref).total_seconds()
        if dt > 43200:
            d -= datetime.timedelta(days=1)
        elif dt < -43200:
            d += datetime.timedelta(days=1)
        out.append((int(d.timestamp() * 1e6), l))
    return out


def ms(a, b):
    return None if a is None or b is None else round((a - b) / 1000.0, 1)


def analyse_run(d):
    bench = json.load(open(os.path.join(d, "bench-run.json")))
    rpath = os.path.join(d, "results.json")
    results = json.load(open(rpath)) if os.path.exists(rpath) else []
    moves = []
    if os.path.exists(os.path.join(d, "moves.jsonl")):
        moves = [json.loads(l) for l in open(os.path.join(d, "moves.jsonl")) if l.strip()]
    end = json.load(open(os.path.join(d, "end.json"))) if os.path.exists(os.path.join(d, "end.json")) else {}
    summ_path = os.path.join(d, "summary-%s.json" % bench["stack"])
    summary = json.load(open(summ_path)) if os.path.exists(summ_path) else {}
    down = load_recv(os.path.join(d, "udp-mn.out"))   # CN -> MN, received at the MN
    up = load_recv(os.path.join(d, "udp-cn.out"))     # MN -> CN, received at the CN
    events = []
    if os.path.exists(os.path.join(d, "mn-events.json")):
        for l in open(os.path.join(d, "mn-events.json")):
            try:
                events.append(json.loads(l))
            except ValueError:
                pass
    mnlog = open(os.path.join(d, "mn-charon.log"), errors="replace").read().splitlines() \
        if os.path.exists(os.path.join(d, "mn-charon.log")) else []
    t_end = end.get("t_end", 0)
    out = []
    for n, (r, m) in enumerate(zip(results, moves)):
        lo = m["t_down"]
        hi = moves[n + 1]["t_down"] if n + 1 < len(moves) else t_end
        gu = largest_gap(up, lo, hi)
        gd = largest_gap(down, lo, hi)
        t_off = min(gu[0], gd[0])
        ev_hi = moves[n + 1]["ev_off"] if n + 1 < len(moves) else end.get("ev_off", len(events))
        evs = [e for e in events[m["ev_off"]:ev_hi]]
        t_move = None
        for e in evs:
            if e.get("event") == "moved" and e.get("coa") and e.get("to") not in ("detached", "home") \
                    and e["time"] * 1e6 >= t_off:
                t_move = int(e["time"] * 1e6)
                break
        cands = [t for t in (m.get("t_addr"), t_move) if t and t >= t_off]
        t_usable = min(cands) if cands else None
        src = None
        if t_usable is not None:
            src = "addr" if t_usable == m.get("t_addr") else "mn-event"
        fu = first_after(up, t_usable, t_off, hi) if t_usable else None
        fd = first_after(down, t_usable, t_off, hi) if t_usable else None

        def ev_after(name, layer=None):
            for e in evs:
                if e.get("event") == name and (layer is None or e.get("layer") == layer) \
                        and t_usable and e["time"] * 1e6 >= t_usable:
                    return int(e["time"] * 1e6)
            return None
        mlog_hi = moves[n + 1]["mn_log_off"] if n + 1 < len(moves) else end.get("mn_log_off", len(mnlog))
        cl = charon_times(mnlog[m["mn_log_off"]:mlog_hi], lo)
        t_gone = next((t for t, l in cl if "disappeared from wlan0" in l and t >= t_off - 5000), None)
        t_roam = next((t for t, l in cl if ("old path is not available" in l or "requesting address change" in l
                                            or "checking path" in l) and t >= t_off - 5000), None)
        t_req = next((t for t, l in cl if re.search(r"\[ENC\] .*generating \S+ request", l)
                      and t >= t_off - 5000), None)
        t_init = next((t for t, l in cl if "generating IKE_SA_INIT request" in l and t >= t_off - 5000), None)
        t_child = next((t for t, l in cl if re.search(r"CHILD_SA \S+ established", l) and t >= t_off - 5000), None)
        rec = {k: v for k, v in r.items() if k not in ("mn_events", "malformed_examples")}
        rec.update({
            "t_off_us": t_off, "t_usable_us": t_usable, "usable_from": src,
            "off_lab_delay_ms": ms(t_off, lo),
            "link_to_usable_ms": ms(t_usable, t_off),
            "usable_to_first_up_ms": ms(fu, t_usable), "usable_to_first_down_ms": ms(fd, t_usable),
            "usable_to_first_ms": (max(ms(fu, t_usable), ms(fd, t_usable))
                                   if fu is not None and fd is not None else None),
            "outage_gap_up": [ms(gu[0], t_off), ms(gu[1], t_off)],
            "outage_gap_down": [ms(gd[0], t_off), ms(gd[1], t_off)],
            "mn_moved_ms": ms(t_move, t_usable),
            "decided_ms": ms(min([x for x in (ev_after("inside"), ev_after("outside")) if x] or [None],
                                 key=lambda x: x or 0), t_usable),
            "x_reg_ms": ms(ev_after("registered", "x"), t_usable),
            "i_reg_ms": ms(ev_after("registered", "i"), t_usable),
            "vpn_up_ms": ms(ev_after("vpn-up"), t_usable),
            "charon_addr_gone_ms": ms(t_gone, t_off),
            "charon_roam_ms": ms(t_roam, t_off),
            "charon_roam_delay_ms": ms(t_roam, t_gone),
            "charon_roam_after_usable_ms": ms(t_roam, t_usable),
            "charon_first_ike_req_ms": ms(t_req, t_usable),
            "charon_ike_init_ms": ms(t_init, t_usable),
            "charon_child_up_ms": ms(t_child, t_usable),
        })
        out.append(rec)
    return bench, summary, results, out


def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"min": round(min(xs), 1), "median": round(statistics.median(xs), 1), "max": round(max(xs), 1), "n": len(xs)}


def fmt(s, key="median"):
    return "–" if not s else "%.1f" % s[key]


def mmm(s):
    return "–" if not s else "%.1f / %.1f / %.1f" % (s["min"], s["median"], s["max"])


def summarise(moves):
    groups = {}
    for r in moves:
        groups.setdefault((r["stack"], r["kind"], r["rtt"]), []).append(r)
    summ = []
    for (st, kd, rtt), rs in sorted(groups.items(), key=lambda kv: (
            STACKS.index(kv[0][0]) if kv[0][0] in STACKS else 9, KINDS.index(kv[0][1]), kv[0][2])):
        summ.append({
            "stack": st, "kind": kd, "rtt": rtt, "moves": len(rs),
            "transitions": sorted({"%s>%s" % (r["prev_mode"], r["mode"]) for r in rs}),
            "outage_ms": stats([r["outage_ms"] for r in rs]),
            "outage_up_ms": stats([r["outage_up_ms"] for r in rs]),
            "outage_down_ms": stats([r["outage_down_ms"] for r in rs]),
            "lost_up": stats([r["lost_up"] for r in rs]), "lost_down": stats([r["lost_down"] for r in rs]),
            "lost_up_total": sum(r["lost_up"] for r in rs), "lost_down_total": sum(r["lost_down"] for r in rs),
            "ike_exchanges_total": sum(r["ike_exchanges"] for r in rs),
            "ike_exchanges_per_move": round(sum(r["ike_exchanges"] for r in rs) / len(rs), 2),
            "ike_requests_on_wire_total": sum(r["ike_requests_on_wire"] for r in rs),
            "usable_to_first_ms": stats([r["usable_to_first_ms"] for r in rs]),
            "usable_to_first_up_ms": stats([r["usable_to_first_up_ms"] for r in rs]),
            "usable_to_first_down_ms": stats([r["usable_to_first_down_ms"] for r in rs]),
            "link_to_usable_ms": stats([r["link_to_usable_ms"] for r in rs]),
            "off_lab_delay_ms": stats([r["off_lab_delay_ms"] for r in rs]),
            "mn_moved_ms": stats([r["mn_moved_ms"] for r in rs]),
            "decided_ms": stats([r["decided_ms"] for r in rs]),
            "x_reg_ms": stats([r["x_reg_ms"] for r in rs]),
            "i_reg_ms": stats([r["i_reg_ms"] for r in rs]),
            "vpn_up_ms": stats([r["vpn_up_ms"] for r in rs]),
            "charon_roam_ms": stats([r["charon_roam_ms"] for r in rs]),
            "charon_roam_delay_ms": stats([r["charon_roam_delay_ms"] for r in rs]),
            "charon_roam_after_usable_ms": stats([r["charon_roam_after_usable_ms"] for r in rs]),
            "charon_first_ike_req_ms": stats([r["charon_first_ike_req_ms"] for r in rs]),
            "charon_ike_init_ms": stats([r["charon_ike_init_ms"] for r in rs]),
            "charon_child_up_ms": stats([r["charon_child_up_ms"] for r in rs]),
            "tcp_alive": all(r["tcp_alive"] for r in rs), "tcp_stall_ms_max": max(r["tcp_stall_ms"] for r in rs),
            "recovered": all(r["recovered"] for r in rs),
            "leak_frames": sum(r["leak_frames"] for r in rs),
            "by_move": {k: stats([r["outage_ms"] for r in rs if "%s->%s" % (r["from"], r["to"]) == k])
                        for k in sorted({"%s->%s" % (r["from"], r["to"]) for r in rs})},
        })
    return summ


def targets(summ):
    """cvc outside->outside per RTT: usable->first <= RTT + 2 ms; outage <=
    1/10 of mc's; 0 IKE."""
    out = []
    by = {(s["stack"], s["kind"], s["rtt"]): s for s in summ}
    for rtt in sorted({s["rtt"] for s in summ}):
        c = by.get(("cvc", "outside->outside", rtt))
        if not c:
            continue
        mc = by.get(("mc", "outside->outside", rtt))
        lim = rtt + 2
        u = c["usable_to_first_ms"]
        t = {"rtt": rtt,
             "usable_to_first_limit_ms": lim,
             "usable_to_first_median_ms": u and u["median"], "usable_to_first_max_ms": u and u["max"],
             "usable_to_first_met_median": bool(u and u["median"] <= lim),
             "usable_to_first_met_all": bool(u and u["max"] <= lim),
             "outage_median_ms": c["outage_ms"]["median"], "outage_max_ms": c["outage_ms"]["max"],
             "outage_met_median_vs_rtt": c["outage_ms"]["median"] <= lim,
             "ike_total": c["ike_exchanges_total"], "ike_met": c["ike_exchanges_total"] == 0}
        if mc:
            t.update({"mc_outage_median_ms": mc["outage_ms"]["median"],
                      "ratio_median": round(c["outage_ms"]["median"] / mc["outage_ms"]["median"], 3),
                      "ratio_max": round(c["outage_ms"]["max"] / mc["outage_ms"]["max"], 3),
                      "tenth_of_mc_met_median": c["outage_ms"]["median"] <= mc["outage_ms"]["median"] / 10,
                      "tenth_of_mc_met_max": c["outage_ms"]["max"] <= mc["outage_ms"]["max"] / 10})
        out.append(t)
    return out


def breakage(bench, summary, results, n_expected):
    f = []
    tag = "%s rtt %s" % (bench["stack"], bench["rtt"])
    # demo's own exit status is recorded (runs[].demo_rc) but not taken as
    # breakage by itself: the checks below are demo's, minus malformed
    # frames (a warning), plus IKE on cvc outside->outside moves
    if len(results) != n_expected:
        f.append("%s: %d moves of %d" % (tag, len(results), n_expected))
    if summary.get("missing_moves"):
        f.append("%s: missing moves %s" % (tag, summary["missing_moves"]))
    if not all(r["recovered"] for r in results):
        f.append("%s: no traffic after moves %s" % (tag, [r["move"] for r in results if not r["recovered"]]))
    if not all(r["tcp_alive"] for r in results) or not summary.get("tcp_final_ok", False):
        f.append("%s: TCP session broke" % tag)
    if any(r["plaintext_leak"] for r in results) or summary.get("leak_frames_total"):
        f.append("%s: plaintext leak %s" % (tag, summary.get("leak_examples", [])[:3]))
    if summary.get("dead_daemons"):
        f.append("%s: daemons died %s" % (tag, summary["dead_daemons"]))
    if bench["stack"] == "cvc":
        ike = [r["move"] for r in results if r["kind"] == "outside->outside" and r["ike_exchanges"]]
        if ike:
            f.append("%s: IKE on outside->outside moves %s" % (tag, ike))
    return f


def table(summ):
    lines = [
        "| stack | move kind | RTT ms | moves | modes | outage ms min / median / max | up: median (max) | down: median (max) "
        "| probes lost up / down (median per move; total) | IKE exchanges total (per move) "
        "| usable → first packet ms min / median / max | link → usable ms (median) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summ:
        lines.append("| %s | %s | %s | %d | %s | %s | %s (%s) | %s (%s) | %s / %s; %d / %d | %d (%.2f) | %s | %s |" % (
            s["stack"], s["kind"], s["rtt"], s["moves"], ", ".join(s["transitions"]),
            mmm(s["outage_ms"]), fmt(s["outage_up_ms"]), fmt(s["outage_up_ms"], "max"),
            fmt(s["outage_down_ms"]), fmt(s["outage_down_ms"], "max"),
            fmt(s["lost_up"]), fmt(s["lost_down"]), s["lost_up_total"], s["lost_down_total"],
            s["ike_exchanges_total"], s["ike_exchanges_per_move"],
            mmm(s["usable_to_first_ms"]), fmt(s["link_to_usable_ms"])))
    return "\n".join(lines)


def components(summ):
    lines = ["| stack | kind | RTT | link→usable | MN moved | inside/outside decided | x-reg | vpn-up | i-reg | charon: addr gone→roam | roam after usable | first IKE request | IKE_SA_INIT | CHILD_SA up | usable→first |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summ:
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            s["stack"], s["kind"], s["rtt"], fmt(s["link_to_usable_ms"]), fmt(s["mn_moved_ms"]), fmt(s["decided_ms"]), fmt(s["x_reg_ms"]), fmt(s["vpn_up_ms"]),
            fmt(s["i_reg_ms"]), fmt(s["charon_roam_delay_ms"]), fmt(s["charon_roam_after_usable_ms"]),
            fmt(s["charon_first_ike_req_ms"]), fmt(s["charon_ike_init_ms"]), fmt(s["charon_child_up_ms"]), fmt(s["usable_to_first_ms"])))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--meta", nargs="*", default=[])
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    # --meta k=v ... may run into the directories: a word without "=" is one
    a.dirs = [x for x in a.meta if "=" not in x] + a.dirs
    meta = dict(kv.split("=", 1) for kv in a.meta if "=" in kv)
    if not a.dirs:
        ap.error("no run directories")
    try:
        meta["machine"] = {"nproc": os.cpu_count(), "uname": " ".join(os.uname()),
                           "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                        if l.startswith("model name")), "?")}
    except OSError:
        pass
    moves, runs, bad, warn = [], [], [], []
    for d in a.dirs:
        if not os.path.exists(os.path.join(d, "bench-run.json")):
            bad.append("%s: no records" % d)
            continue
        bench, summary, results, recs = analyse_run(d)
        n_expected = len(bench["itinerary"].split()) - 1
        bad += breakage(bench, summary, results, n_expected)
        if bench.get("demo_rc"):
            warn.append("%s rtt %s: mip4-lab demo exited %s (see %s/demo.log)"
                        % (bench["stack"], bench["rtt"], bench["demo_rc"], d))
        if summary.get("malformed_total"):
            warn.append("%s rtt %s: %d malformed frames" % (bench["stack"], bench["rtt"], summary["malformed_total"]))
        runs.append(dict(bench, dir=d, moves_done=len(results), moves_expected=n_expected,
                         tcp_final_ok=summary.get("tcp_final_ok"), probes=summary.get("probes"),
                         detection_frames_total=summary.get("detection_frames_total"),
                         malformed_total=summary.get("malformed_total")))
        moves += recs
    summ = summarise(moves)
    tg = targets(summ)
    doc = {"meta": meta, "runs": runs, "summary": summ, "targets": tg, "failures": bad, "warnings": warn,
           "moves": moves}
    json.dump(doc, open(a.out, "w"), indent=1)
    print("\n" + table(summ))
    print("\nWhat the time goes to (medians, ms; link→usable from the link going, the rest from the address usable):\n")
    print(components(summ))
    if tg:
        print("\nTargets (cvc outside->outside):")
        for t in tg:
            print("  RTT %s: usable->first median %s / max %s ms (limit %s: %s); outage median %s ms; "
                  "vs mc median %s ms: ratio %s (<= 0.1: %s); IKE %d (%s)" % (
                      t["rtt"], t["usable_to_first_median_ms"], t["usable_to_first_max_ms"],
                      t["usable_to_first_limit_ms"],
                      "met" if t["usable_to_first_met_all"] else ("median met" if t["usable_to_first_met_median"] else "MISSED"),
                      t["outage_median_ms"], t.get("mc_outage_median_ms"), t.get("ratio_median"),
                      t.get("tenth_of_mc_met_median"), t["ike_total"], "met" if t["ike_met"] else "MISSED"))
    print("\nloadavg %s -> %s; JSON %s" % (meta.get("loadavg_start"), meta.get("loadavg_end"), a.out))
    for w in warn:
        print("warning: %s" % w)
    for b in bad:
        print("FAIL: %s" % b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
