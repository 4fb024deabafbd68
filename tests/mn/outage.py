#!/usr/bin/env python3
"""Per-move outage table for mn_netns.sh.

  outage.py CN_UDP MN_UDP MOVES

CN_UDP, MN_UDP: the files mn_probe udp wrote on the correspondent and on the
mobile node ("S seq send_us errno" / "R seq send_us recv_us").
MOVES: one line per move, written by mn_netns.sh:
  from to mode encap t_down t_up t_addr t_reg since_move_ms
(times in microseconds since the epoch; t_down = carrier off, t_up = carrier
on, t_addr = the daemon's "moved" event (after the DHCP address, or on a
foreign agent's link after its advertisement), t_reg = its "registered" or
"deregistered" event).

Each move owns the time from its carrier-off to the next move's.  In it, per
direction: the largest gap between consecutive probes received (ms), the
probes sent and not received, and whether probes flowed again after the
registration.  Prints the table, then one "CHECK ok|fail TEXT" line per
assertion for the shell to count.
"""
import bisect
import sys


def load(path):
    sent, recv = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if p[0] == "S":
                sent.append((int(p[2]), int(p[1]), int(p[3])))
            elif p[0] == "R":
                recv.append((int(p[3]), int(p[1]), int(p[2])))
    sent.sort()
    recv.sort()
    return sent, recv


def direction(sent, recv, lo, hi, t_reg):
    """Largest gap (ms) ending in [lo, hi), lost probes sent in [lo, hi),
    probes received after t_reg in [lo, hi)."""
    got = direction.got.get(id(recv))
    if got is None:
        got = direction.got[id(recv)] = {seq for _, seq, _ in recv}
    times = [t for t, _, _ in recv]
    i = bisect.bisect_left(times, lo)
    j = bisect.bisect_left(times, hi)
    gap = 0
    for k in range(max(i, 1), j):
        gap = max(gap, times[k] - times[k - 1])
    lost = sum(1 for t, seq, _ in sent if lo <= t < hi and seq not in got)
    n_sent = sum(1 for t, _, _ in sent if lo <= t < hi)
    after = j - bisect.bisect_left(times, max(lo, t_reg))
    return gap / 1000.0, lost, n_sent, after


direction.got = {}


def main():
    cn_sent, cn_recv = load(sys.argv[1])
    mn_sent, mn_recv = load(sys.argv[2])
    moves = []
    with open(sys.argv[3]) as f:
        for line in f:
            p = line.split()
            if len(p) == 9:
                moves.append(p[:4] + [int(x) for x in p[4:]])
    end = max([t for t, _, _ in cn_sent] + [t for t, _, _ in mn_sent]) + 1
    checks = []
    hdr = ("move            mode        addr_ms  reg_ms  up->reg_ms"
           "  CN->MN gap_ms lost/sent  MN->CN gap_ms lost/sent")
    print(hdr)
    print("-" * len(hdr))
    # The steady state at home before the first move, for reference.
    if moves:
        first = min(t for t, _, _ in cn_sent)
        g1, l1, s1, _ = direction(cn_sent, mn_recv, first + 200000, moves[0][4], 0)
        g2, l2, s2, _ = direction(mn_sent, cn_recv, first + 200000, moves[0][4], 0)
        print(f"{'(home, steady)':15} {'':11} {'':>7}  {'':>6}  {'':>10}"
              f"  {g1:13.1f} {l1:>4}/{s1:<5}  {g2:13.1f} {l2:>4}/{s2:<5}")
    for n, m in enumerate(moves):
        frm, to, mode, encap, t_down, t_up, t_addr, t_reg, since = m
        hi = moves[n + 1][4] if n + 1 < len(moves) else end
        g1, l1, s1, a1 = direction(cn_sent, mn_recv, t_down, hi, t_reg)
        g2, l2, s2, a2 = direction(mn_sent, cn_recv, t_down, hi, t_reg)
        dhcp = (t_addr - t_up) / 1000.0
        upreg = (t_reg - t_up) / 1000.0
        label = f"{frm}->{to}"
        mname = mode if to == "H" else f"{mode}/{encap}"
        print(f"{label:15} {mname:11} {dhcp:7.1f}  {since:6d}  {upreg:10.1f}"
              f"  {g1:13.1f} {l1:>4}/{s1:<5}  {g2:13.1f} {l2:>4}/{s2:<5}")
        checks.append((a1 > 0, f"{label}: probes CN->MN flow after the move ({a1} received)"))
        checks.append((a2 > 0, f"{label}: probes MN->CN flow after the move ({a2} received)"))
    got_mn = {seq for _, seq, _ in mn_recv}
    got_cn = {seq for _, seq, _ in cn_recv}
    tl1 = sum(1 for _, seq, _ in cn_sent if seq not in got_mn)
    tl2 = sum(1 for _, seq, _ in mn_sent if seq not in got_cn)
    print(f"total: CN->MN {len(cn_sent)} sent {tl1} lost;"
          f" MN->CN {len(mn_sent)} sent {tl2} lost")
    for ok, text in checks:
        print(f"CHECK {'ok' if ok else 'fail'} {text}")


if __name__ == "__main__":
    main()
