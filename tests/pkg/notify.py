#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The readiness protocol of mip4d (sd_notify), without systemd.

usage: notify.py MIP4D MIP4CTL     (root; ~5 s)

In a network namespace of its own (lo up, 192.0.2.1/32 on it), mip4d runs
a home agent with NOTIFY_SOCKET pointing at a datagram socket of this
script, as systemd would give it to a Type=notify unit.  Checked:
  (a) READY=1 arrives, and at that moment the control socket answers
      (the first `mip4ctl status` after it succeeds, no retry), port 434
      is bound and the tunnel device is there;
  (b) nothing before READY=1 says READY, and MAINPID= names the process
      that was started (the privileged parent, which stays);
  (c) STATUS= is a one-line summary naming the role;
  (d) SIGHUP: RELOADING=1, then READY=1 again, and the daemon answers;
  (e) SIGTERM: STOPPING=1, and the daemon exits 0.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

MIP4D, MIP4CTL = sys.argv[1], sys.argv[2]
NS = "ntf-%d" % os.getpid()
passed = failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
        print("notify: PASS  " + what)
    else:
        failed += 1
        print("notify: FAIL  " + what)


def sh(*argv):
    subprocess.run(argv, check=True)


def recv_until(sock, want, timeout):
    """Messages (dicts) until one has want=1 set; [] on timeout."""
    msgs, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        m = dict(l.split("=", 1) for l in data.decode().splitlines() if "=" in l)
        msgs.append(m)
        if m.get(want) == "1":
            return msgs
    return msgs


def ctl_ok(sock_path):
    r = subprocess.run(["ip", "netns", "exec", NS, MIP4CTL, "status", "-s",
                        sock_path], capture_output=True)
    return r.returncode == 0


if os.geteuid() != 0:
    print("notify: SKIP: needs root")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="mip4d-notify.")
os.chmod(tmp, 0o711)  # the engine reaches its state in it
ctl_path = os.path.join(tmp, "ha.sock")
conf = os.path.join(tmp, "ha.conf")
with open(conf, "w") as f:
    f.write("control-socket %s\nstate-db %s/state/ha.db\n"
            "home-agent {\n\taddress 192.0.2.1\n\thome-network 10.66.0.0/24\n"
            "\ttunnel-device mip-ntf0\n"
            "\tmobile-node 10.66.0.100 { spi 256 key "
            "hex:00112233445566778899aabbccddeeff }\n}\n" % (ctl_path, tmp))
os.chmod(conf, 0o600)
nsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
npath = os.path.join(tmp, "notify")
nsock.bind(npath)
os.chmod(npath, 0o666)
proc = None
try:
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    sh("ip", "-n", NS, "addr", "add", "192.0.2.1/32", "dev", "lo")
    log = open(os.path.join(tmp, "mip4d.log"), "w")
    env = dict(os.environ, NOTIFY_SOCKET=npath)
    proc = subprocess.Popen(["ip", "netns", "exec", NS, MIP4D, "-F", "-f",
                             conf], env=env, stdout=log, stderr=log)
    msgs = recv_until(nsock, "READY", 15)
    ready = bool(msgs) and msgs[-1].get("READY") == "1"
    answered = ready and ctl_ok(ctl_path)
    check("(a) READY=1 arrives and the control socket answers at once", answered)
    bound = subprocess.run(["ip", "netns", "exec", NS, "ss", "-Hlun",
                            "sport = :434"], capture_output=True, text=True)
    check("(a) ... port 434 is bound", ready and bool(bound.stdout.strip()))
    tun = subprocess.run(["ip", "-n", NS, "link", "show", "mip-ntf0"],
                         capture_output=True)
    check("(a) ... the tunnel device is there", ready and tun.returncode == 0)
    check("(b) nothing before it says READY (%d message(s) before)"
          % (len(msgs) - 1), all("READY" not in m for m in msgs[:-1]))
    main_pid = msgs[-1].get("MAINPID") if msgs else None
    # `ip netns exec` execs mip4d: the pid we started is the daemon's
    check("(b) MAINPID=%s is the process started (%d)" % (main_pid, proc.pid),
          main_pid == str(proc.pid))
    status = msgs[-1].get("STATUS", "") if msgs else ""
    check("(c) STATUS=%r names the home agent" % status,
          "home agent" in status or "home-agent" in status)
    proc.send_signal(signal.SIGHUP)
    msgs = recv_until(nsock, "READY", 10)
    check("(d) SIGHUP: RELOADING=1 then READY=1",
          any(m.get("RELOADING") == "1" for m in msgs)
          and msgs and msgs[-1].get("READY") == "1"
          and [i for i, m in enumerate(msgs) if m.get("RELOADING") == "1"][0]
          < len(msgs) - 1)
    check("(d) it answers after the reload", ctl_ok(ctl_path))
    proc.send_signal(signal.SIGTERM)
    msgs = recv_until(nsock, "STOPPING", 10)
    check("(e) SIGTERM: STOPPING=1",
          any(m.get("STOPPING") == "1" for m in msgs))
    rc = proc.wait(timeout=10)
    check("(e) exit status %d" % rc, rc == 0)
    proc = None
finally:
    if proc:
        proc.kill()
        proc.wait()
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    if failed:
        with open(os.path.join(tmp, "mip4d.log")) as f:
            print("notify: ---- mip4d.log\n" + f.read()[-3000:])
    subprocess.run(["rm", "-rf", tmp])
print("notify: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
