#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The checks of ctl_scale.sh, against a home agent it filled with the
bindings described at the top of that script.

usage: ctl_scale.py --socket SOCK --mip4ctl MIP4CTL --renew "LOADGEN ..."

  (a) mip4ctl bindings --json: every binding once, in one line, the
      fields of a few checked; the same from a client that does not say
      "more-ok" (one answer line) and, in text, the count line
  (b) a client that says "more-ok" gets the listing in bounded parts
  (c) filters (--home, --coa, --nai, combined) give exactly the subset
      that filtering the whole listing gives; bad filters are refused
  (d) registrations are answered while listings stream (a fast reader
      and a slow one)
  (e) clients that stop reading: what waits for them in the daemon stays
      bounded, and they get their whole listing once they read
  (f) 64 idle connections: mip4ctl status still answers, the oldest idle
      one made room
  (g) idle connections and a monitor that stops reading are closed after
      the idle timeout; a monitor that reads stays, and so do listings
      whose readers pause (a pager) until every slot is taken: then the
      one stalled longest makes room
Prints PASS/FAIL lines; exit 1 when one failed.
"""
import argparse
import ipaddress
import json
import select
import shlex
import socket
import subprocess
import threading
import time

IDLE_TIMEOUT = 10  # CTL_IDLE_TIMEOUT_S in daemon/ctlsock.h
SLOTS = 64  # CTL_MAX_CLIENTS

ap = argparse.ArgumentParser()
ap.add_argument("--socket", required=True)
ap.add_argument("--mip4ctl", required=True)
ap.add_argument("--renew", required=True, help="load generator command line")
ap.add_argument("--name", default="ctl_scale")
args = ap.parse_args()
failed = 0


def log(msg):
    print(f"{args.name}: {msg}", flush=True)


def check(desc, ok):
    global failed
    log(("PASS  " if ok else "FAIL  ") + desc)
    failed += not ok
    return ok


# ---- the bindings ctl_scale.sh made

def addr(first, i):
    return str(ipaddress.IPv4Address(first) + i)


EXPECTED = {}
for i in range(6000):
    EXPECTED[addr("10.64.1.0", i)] = {"coa": "192.0.2.2", "spi": 0x10000 + i}
for i in range(4000):
    EXPECTED[addr("10.66.0.0", i)] = {"coa": "192.0.2.3", "spi": 0x20000 + i}
for i in range(12):
    EXPECTED[f"10.67.0.{i + 1}"] = {"coa": f"198.51.100.{i + 1}", "spi": 0x30000 + i,
                                    "nai": f"alice-{i}@corp.example"}
for i in range(8):
    EXPECTED[f"10.67.1.{i + 1}"] = {"coa": f"198.51.100.{i + 1}", "spi": 0x30100 + i,
                                    "nai": f"bob-{i}@lab.example"}
EXPECTED["10.67.0.1"]["coas"] = ["198.51.100.1", "203.0.113.77"]
N = len(EXPECTED)


# ---- talking to the socket

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(args.socket)
    return s


def request(s, command, more_ok=True, filt=None):
    req = {"version": 1, "command": command}
    if more_ok:
        req["more-ok"] = True
    if filt is not None:
        req["filter"] = filt
    s.sendall(json.dumps(req).encode() + b"\n")


def read_lines(s, slow=None):
    """Every answer line (bytes) until the last part or the end; while
    slow() is true, 2 KiB every 20 ms."""
    buf, lines = b"", []
    while True:
        pause = slow is not None and slow()
        data = s.recv(2048 if pause else 1 << 16)
        if not data:
            return lines
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            lines.append(line)
            if not json.loads(line).get("more"):
                return lines
        if pause:
            time.sleep(0.02)


def ask(command, more_ok=True, filt=None):
    with connect() as s:
        request(s, command, more_ok, filt)
        return [json.loads(x) for x in read_lines(s)]


def ctl(*argv):
    return subprocess.run([args.mip4ctl, "-s", args.socket, *argv],
                          capture_output=True, text=True)


def status():
    return json.loads(ctl("--json", "status").stdout)


def counter(name):
    return json.loads(ctl("--json", "counters").stdout)["daemon"][name]


def key(b):
    """What must not change between two listings a second apart."""
    return (b["home_addr"], b.get("nai"), b["coa"], b["peer"], b["spi"],
            b["encap"], b["lifetime"], len(b["coas"]))


# ---- (a), (b)

def phase_whole():
    r = ctl("bindings", "--json")
    lines = r.stdout.split("\n")
    full = json.loads(r.stdout) if r.returncode == 0 else []
    homes = [b["home_addr"] for b in full]
    check(f"(a) mip4ctl bindings --json: {len(full)} bindings of {N}, "
          f"{len(r.stdout)} bytes on one line, exit {r.returncode}",
          r.returncode == 0 and len(full) == N and lines[1:] == [""])
    check("(a) each binding once, exactly the registered ones",
          len(set(homes)) == len(homes) and set(homes) == set(EXPECTED))
    by = {b["home_addr"]: b for b in full}
    sample_ok = True
    for h in ("10.64.1.5", "10.64.24.111", "10.66.0.7", "10.67.0.4", "10.67.1.8", "10.67.0.1"):
        b, want = by.get(h, {}), EXPECTED[h]
        sample_ok &= (b.get("coa") == want["coa"] and b.get("spi") == want["spi"]
                      and b.get("nai") == want.get("nai") and b.get("lifetime") == 3600
                      and [c["coa"] for c in b.get("coas", [])] == want.get("coas", [want["coa"]])
                      and b.get("encap") == "ipip" and 0 < b.get("remaining", 0) <= 3600)
    check("(a) care-of addresses, SPI, NAI, lifetime, encapsulation of 6 bindings", sample_ok)

    old = ask("bindings", more_ok=False)
    old_result = old[0].get("result", []) if len(old) == 1 else []
    check(f"(a) a client without more-ok: one answer line with {len(old_result)} bindings",
          len(old) == 1 and old[0].get("ok") is True and "more" not in old[0]
          and sorted(map(key, old_result)) == sorted(map(key, full)))
    t = ctl("bindings")
    check(f"(a) mip4ctl bindings (text) ends with \"{N} bindings\"",
          t.returncode == 0 and t.stdout.splitlines()[-1:] == [f"{N} bindings"])

    with connect() as s:
        request(s, "bindings")
        raw = read_lines(s)
    parts = [json.loads(x) for x in raw]
    joined = [b for p in parts for b in p["result"]]
    biggest = max(len(x) for x in raw)
    check(f"(b) more-ok: {len(parts)} parts of at most {biggest} bytes, all but the "
          "last with more:true, joined the same listing",
          len(parts) > 10 and biggest < 256 * 1024
          and all(p.get("more") is True for p in parts[:-1]) and "more" not in parts[-1]
          and sorted(map(key, joined)) == sorted(map(key, full)))
    return full, len(r.stdout)


# ---- (c)

def in_net(a, net):
    return ipaddress.IPv4Address(a) in ipaddress.IPv4Network(net)


def any_coa(b, net):
    return any(in_net(c["coa"], net) for c in b["coas"])


def phase_filters(full):
    cases = [  # mip4ctl options, the same as a predicate, expected count
        (["--home", "10.66.0.0/16"], lambda b: in_net(b["home_addr"], "10.66.0.0/16"), 4000),
        (["--coa", "192.0.2.3"], lambda b: any_coa(b, "192.0.2.3/32"), 4000),
        (["--coa", "198.51.100.0/24"], lambda b: any_coa(b, "198.51.100.0/24"), 20),
        (["--coa", "203.0.113.77"], lambda b: any_coa(b, "203.0.113.77/32"), 1),
        (["--nai", "alice-"], lambda b: b.get("nai", "").startswith("alice-"), 12),
        (["--nai", "bob-1"], lambda b: b.get("nai", "").startswith("bob-1"), 1),
        (["--home", "10.64.0.0/14", "--coa", "192.0.2.2"],
         lambda b: in_net(b["home_addr"], "10.64.0.0/14") and any_coa(b, "192.0.2.2/32"), 6000),
        (["--home", "10.67.0.0/24", "--nai", "bob"], lambda b: False, 0),
        (["--home", "10.99.0.0/16"], lambda b: False, 0),
    ]
    for opts, pred, n in cases:
        r = ctl("bindings", "--json", *opts)
        got = json.loads(r.stdout) if r.returncode == 0 else None
        want = sorted(b["home_addr"] for b in full if pred(b))
        check(f"(c) bindings {' '.join(opts)}: {len(got) if got is not None else '-'} "
              f"of {n} expected, the same set as filtering the whole listing",
              got is not None and len(want) == n
              and sorted(b["home_addr"] for b in got) == want
              and (n > 0 or r.stdout == "[]\n"))
    t = ctl("bindings", "--nai", "alice-")
    check("(c) text: bindings --nai alice- ends with \"12 bindings\"",
          t.stdout.splitlines()[-1:] == ["12 bindings"])
    r = ctl("bindings", "--home", "10.64.1.5/16")
    check(f"(c) --home 10.64.1.5/16: host bits, usage error (exit {r.returncode})",
          r.returncode == 2 and "10.64.0.0/16" in r.stderr)
    for cmd, filt, want in (("bindings", {"home": "10.64.0.0/33"}, "is not an address"),
                            ("bindings", {"colour": "red"}, "unknown member"),
                            ("bindings", {"nai": ""}, "1 to 255 bytes"),
                            ("bindings", "10.64.0.0/16", "not an object"),
                            ("status", {"nai": "alice"}, "listings only")):
        a = ask(cmd, filt=filt)
        check(f"(c) protocol: {cmd} with filter {json.dumps(filt)} refused: "
              f"{a[0].get('error') if a else '-'}",
              len(a) == 1 and a[0].get("ok") is False and want in a[0].get("error", ""))


# ---- (d)

def listing_count(lines):
    return sum(len(json.loads(x)["result"]) for x in lines)


def phase_while_registering():
    slow = {}
    renewing = threading.Event()
    renewing.set()

    def slow_reader():  # slow while the renewals last, then fast
        with connect() as s:
            request(s, "bindings")
            slow["start"] = time.monotonic()
            lines = read_lines(s, slow=renewing.is_set)
            slow["end"] = time.monotonic()
            slow["n"] = listing_count(lines)

    th = threading.Thread(target=slow_reader)
    th.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    gen = subprocess.Popen(shlex.split(args.renew) + [
        "--requests", "20000", "--window", "8", "--order", "spread", "--label", "renew"],
        stdout=subprocess.PIPE, text=True)
    fast = []
    while gen.poll() is None:
        r = ctl("bindings", "--json")
        fast.append(len(json.loads(r.stdout)) if r.returncode == 0 else -1)
    t1 = time.monotonic()
    renewing.clear()
    out = gen.stdout.read()
    th.join()
    res = json.loads(out) if out.strip() else {}
    lat = res.get("latency_us", {})
    check(f"(d) {res.get('accepted')} of {res.get('requests')} renewals answered and "
          f"accepted in {t1 - t0:.1f} s (p99 {lat.get('p99')} us, max {lat.get('max')} us) "
          f"while {len(fast)} whole listings streamed", gen.returncode == 0
          and res.get("accepted") == 20000 and len(fast) >= 2 and all(n == N for n in fast))
    check(f"(d) a slow reader's listing ({slow.get('end', 0) - slow.get('start', 0):.1f} s) "
          f"spanned the renewals and came whole ({slow.get('n')})",
          slow.get("n") == N and slow["start"] < t0 and slow["end"] > t1)


# ---- (e)

def phase_stalled(size):
    socks = []
    for more_ok in (True, True, False, False):
        s = connect()
        request(s, "bindings", more_ok=more_ok)
        socks.append(s)
    time.sleep(1)
    st = status()["control"]
    check(f"(e) 4 clients that do not read a {size}-byte listing: "
          f"{st['queued_bytes']} bytes wait for them in the daemon ({st['listings']} listings)",
          st["listings"] == 4 and st["queued_bytes"] < 1024 * 1024
          and 4 * size > 10 * 1024 * 1024)
    counts = []
    for s in socks:
        lines = read_lines(s)
        counts.append(listing_count(lines) if len(lines) > 1
                      else len(json.loads(lines[0])["result"]))
        s.close()
    check(f"(e) once they read, each gets the whole listing: {counts}",
          counts == [N] * 4)


# ---- (f)

def closed(s, wait):
    """Did the daemon close s within wait seconds?"""
    r, _, _ = select.select([s], [], [], wait)
    if not r:
        return False
    try:
        return s.recv(1 << 16) == b""
    except ConnectionResetError:
        return True


def phase_slots():
    ev0 = counter("control-evicted")
    idle = [connect() for _ in range(SLOTS)]
    time.sleep(0.3)
    r = ctl("status")
    check(f"(f) {SLOTS} idle connections: mip4ctl status answers (exit {r.returncode})",
          r.returncode == 0 and "home_agent" in r.stdout)
    check("(f) the oldest idle connection made room (closed), the newest not",
          closed(idle[0], 2) and not closed(idle[-1], 0.1))
    ev = counter("control-evicted") - ev0
    check(f"(f) control-evicted counts it ({ev})", ev >= 1)
    for s in idle:
        s.close()


# ---- (g)

def drained_to_end(s, wait):
    """Read s until its end: did it come within wait seconds?"""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.monotonic()))
        try:
            if r and s.recv(1 << 20) == b"":
                return True
        except ConnectionResetError:
            return True
    return False


def raw_count(s):
    """Read a listing to its end (the daemon closes after the last part):
    how many entries it held."""
    n, tail, key = 0, b"", b'"home_addr"'
    while True:
        d = s.recv(1 << 20)
        if not d:
            return n
        w = tail + d
        n += w.count(key)
        tail = w[-(len(key) - 1):]


def phase_timeouts():
    to0, ev0 = counter("control-timeouts"), counter("control-evicted")
    reader = subprocess.Popen([args.mip4ctl, "-s", args.socket, "monitor", "--timeout",
                               str(IDLE_TIMEOUT + 8)], stdout=subprocess.DEVNULL)
    deaf = connect()
    request(deaf, "monitor")
    read_lines(deaf)  # its ok, then it reads no more until the end
    idle = [connect() for _ in range(3)]
    half = connect()
    half.sendall(b'{"version":1,')  # a request never completed
    # listings whose readers pause, as a pager's would (block B only: each
    # still far more than the socket and the daemon hold for it)
    block_b = {"home": "10.66.0.0/16"}
    paused = []
    for _ in range(SLOTS - 6):
        paused.append(connect())
        request(paused[-1], "bindings", filt=block_b)
    t0 = time.monotonic()
    # renewals: one event each for every monitor, far more than a socket
    # buffer and the daemon's backlog hold
    gen = subprocess.run(shlex.split(args.renew) + [
        "--requests", "20000", "--window", "32", "--order", "spread"],
        stdout=subprocess.PIPE, text=True)
    waiting = idle + [half]
    time.sleep(max(0, t0 + IDLE_TIMEOUT - 1 - time.monotonic()))
    before = [closed(s, 0) for s in waiting]
    late = [closed(s, max(0, t0 + IDLE_TIMEOUT + 3 - time.monotonic())) for s in waiting]
    # the deaf monitor's last write was after t0: read nothing of it
    # before its timeout is certainly over
    time.sleep(max(0, t0 + IDLE_TIMEOUT + 3 - time.monotonic()))
    st = status()["control"]
    deaf_closed = drained_to_end(deaf, 2)
    check(f"(g) {len(idle)} idle connections and a half request: open at "
          f"{IDLE_TIMEOUT - 1} s, closed by {IDLE_TIMEOUT + 3} s",
          gen.returncode == 0 and not any(before) and all(late))
    check("(g) a monitor that stopped reading, its events piling up, was closed too",
          deaf_closed)
    check(f"(g) a monitor that reads is still there ({st['monitors']} monitor)",
          st["monitors"] == 1 and reader.poll() is None)
    check(f"(g) {st['listings']} of {len(paused)} paused listings are still there past "
          "the timeout", st["listings"] == len(paused))
    # every slot taken, none waiting for its request: the listing
    # stalled longest makes room
    fresh = []
    for _ in range(SLOTS - 1 - len(paused)):
        fresh.append(connect())
        request(fresh[-1], "bindings", filt=block_b)
    time.sleep(0.3)
    r = ctl("status")
    counts = [raw_count(s) for s in paused + fresh]
    cut = [i for i, n in enumerate(counts) if n != 4000]
    check(f"(g) all {SLOTS} slots taken by listings: mip4ctl status answers (exit "
          f"{r.returncode}); one paused listing made room ({len(cut)} cut short: {cut}), "
          "every other one came whole once read",
          r.returncode == 0 and len(cut) == 1 and cut[0] < len(paused))
    reader.wait()
    to, ev = counter("control-timeouts") - to0, counter("control-evicted") - ev0
    check(f"(g) control-timeouts counts the 5 closed ({to}), control-evicted the "
          f"listing and the status's and counters' own room-making ({ev})",
          to == 5 and ev >= 1)
    for s in waiting + [deaf] + paused + fresh:
        s.close()


full, size = phase_whole()
phase_filters(full)
phase_while_registering()
phase_stalled(size)
phase_slots()
phase_timeouts()
raise SystemExit(1 if failed else 0)
