#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The manual pages against the programs they describe.

usage: docs_check.py SRC_DIR MIP4D MIP4CTL

  (a) every mip4ctl subcommand (from `mip4ctl --help`, i.e. its command
      table) has an entry `.It Cm NAME` in mip4ctl(8), is in its
      SYNOPSIS, and is offered by the bash completion;
  (b) mip4d(8) names the three roles in its NAME line and lists every
      control-socket command (the subcommands that talk to the daemon,
      minus metrics, which mip4ctl builds from status and counters) in
      CONTROL SOCKET;
  (c) every option that `mip4d -n` prints (it prints every default) for
      configurations of each role has an `.It Ic NAME` entry in the section
      of mip4d.conf(5) for its block; each such entry says "Required" or
      gives a "Default:", and a default of one word is the value `mip4d -n`
      prints for a configuration that leaves the option out.
"""
import os
import re
import subprocess
import sys
import tempfile

SRC, MIP4D, MIP4CTL = sys.argv[1:4]
errors = []
checked = []


def err(msg):
    errors.append(msg)


def read(rel):
    with open(os.path.join(SRC, rel)) as f:
        return f.read()


def section(text, start, stop=r"^\.Sh "):
    """Lines from the .Sh/.Ss line matching start up to the next stop."""
    lines = text.splitlines()
    out, on = [], False
    for line in lines:
        if on and re.match(stop, line):
            break
        if re.match(start, line):
            on = True
        if on:
            out.append(line)
    return out


# ---- (a) mip4ctl subcommands

help_out = subprocess.run([MIP4CTL, "--help"], capture_output=True, text=True).stdout
subcommands = re.findall(r"^  ([a-z]+)\b", help_out.split("commands:", 1)[-1], re.M)
if len(subcommands) < 5:
    err(f"mip4ctl --help lists only {subcommands}")
man_ctl = read("docs/mip4ctl.8")
entries = set(re.findall(r"^\.It Cm ([a-z]+)", man_ctl, re.M))
synopsis = " ".join(section(man_ctl, r"^\.Sh SYNOPSIS"))
completion = subprocess.run(
    ["bash", "-c", '. "$1"; COMP_WORDS=(mip4ctl ""); COMP_CWORD=1; _mip4ctl; '
     'printf "%s\\n" "${COMPREPLY[@]}"', "-", os.path.join(SRC, "ctl/mip4ctl.bash")],
    capture_output=True, text=True).stdout.split()
for c in subcommands:
    if c not in entries:
        err(f"mip4ctl(8): no '.It Cm {c}' entry for the subcommand {c}")
    if not re.search(rf"\b{c}\b", synopsis):
        err(f"mip4ctl(8): {c} is not in the SYNOPSIS")
    if c not in completion:
        err(f"ctl/mip4ctl.bash does not offer {c}")
for c in entries - set(subcommands):
    err(f"mip4ctl(8) describes '{c}', which mip4ctl does not have")
checked.append(f"{len(subcommands)} mip4ctl subcommands")

# ---- (b) mip4d(8)

man_d = read("docs/mip4d.8")
nd = re.search(r"^\.Nd (.*)$", man_d, re.M)
for role in ("home agent", "foreign agent", "mobile node"):
    if not nd or role not in nd.group(1):
        err(f"mip4d(8): the NAME line does not say '{role}'")
ctl_sec = " ".join(section(man_d, r"^\.Sh CONTROL SOCKET"))
daemon_cmds = [c for c in subcommands if c not in ("decode", "metrics")]
for c in daemon_cmds:
    if not re.search(rf"\.Cm {c}\b", ctl_sec):
        err(f"mip4d(8): CONTROL SOCKET does not list the command {c}")
checked.append(f"{len(daemon_cmds)} control-socket commands in mip4d(8)")

# ---- (c) mip4d.conf(5) against mip4d -n

FULL = [
    "home-agent { address 10.0.0.1 mobile-node 10.0.0.2 { spi 300 key x }"
    " foreign-agent 10.0.0.3 { spi 301 key y } }\n"
    "foreign-agent { interface eth0 care-of-address 192.0.2.1"
    " home-agent 10.0.0.9 { spi 400 key z } mobile-node 10.0.0.8 { spi 401 key w } }\n",
    "mobile-node { home-address 10.1.0.2 home-agent 10.1.0.1 interface wlan0"
    " security { spi 300 key x } vpn { gateway 192.0.2.4 ike a child b"
    " external-home-agent { home-address 192.0.2.8 home-agent 192.0.2.1"
    " security { spi 301 key y } } } }\n",
]


def printed(conf_text):
    """{(block path, option): value} from `mip4d -n` of conf_text."""
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(conf_text)
    os.chmod(f.name, 0o600)
    r = subprocess.run([MIP4D, "-n", "-f", f.name], capture_output=True, text=True)
    os.unlink(f.name)
    if r.returncode != 0:
        err(f"mip4d -n refused {conf_text!r}: {r.stderr.strip()}")
        return {}
    out, stack = {}, []
    for line in r.stdout.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line == "}":
            stack.pop()
            continue
        words = line.split()
        if line.endswith("{"):
            out[(tuple(stack), words[0])] = "{"
            stack.append(words[0])
            continue
        if "{" in words:  # a one-line block: NAME [ARG] { opt val ... }
            i = words.index("{")
            out[(tuple(stack), words[0])] = "{"
            inner = words[i + 1:-1]
            for k in range(0, len(inner) - 1, 2):
                out[(tuple(stack) + (words[0],), inner[k])] = inner[k + 1]
            continue
        out[(tuple(stack), words[0])] = " ".join(words[1:]).strip('"')
    return out


# The sections of mip4d.conf(5) per block of `mip4d -n`; SA options are
# documented once for every association block.
SECTIONS = {
    (): r"^\.Sh GLOBAL OPTIONS",
    ("home-agent",): r"^\.Sh HOME AGENT",
    ("foreign-agent",): r"^\.Sh FOREIGN AGENT",
    ("mobile-node",): r"^\.Sh MOBILE NODE",
    ("mobile-node", "vpn"): r"^\.Ss The RFC 5265 mobile node",
    ("mobile-node", "vpn", "external-home-agent"): r"^\.Sh MOBILE NODE",
}
SA_SECTION = r"^\.Ss Security association options"
# Defaults written as words, checked by eye: what -n prints for them.
PROSE_DEFAULTS = {"advertise-lifetime": "three intervals (the printed 3 is 3 x 1)",
                  "strongswan-conf": "swanctl's own", "vici": "swanctl's own"}
man_conf = read("docs/mip4d.conf.5")


def doc_entries(start):
    """{option: entry text} for the .It Ic entries of a section."""
    stop = r"^\.S[hs] " if start.startswith(r"^\.Ss") else r"^\.Sh "
    lines = section(man_conf, start, stop)
    ents, cur = {}, None
    for line in lines[1:]:
        m = re.match(r"^\.It (Ic .*)$", line)
        if m:
            cur = re.findall(r"\bIc ([a-z][a-z0-9-]*)", m.group(1))
            for n in cur:
                ents[n] = ""
            continue
        if line.startswith(".It ") or line.startswith(".Sh"):
            cur = None
        elif cur:
            for n in cur:
                ents[n] += line + "\n"
    return ents


def documented_default(text):
    m = re.search(r"Default:(.*)", text, re.S)
    if not m:
        return None
    rest = m.group(1)
    rest = re.sub(r"^\s*\n", "", rest)
    first = rest.strip().splitlines()[0] if rest.strip() else ""
    first = re.sub(r"^\.(Cm|Pa|Ar|Ic)\s+", "", first)
    tok = first.split()[0] if first.split() else ""
    return tok.rstrip(".,;")


def is_sa(path):
    """An association block: security { }, or a mobile-node / foreign-agent
    / home-agent block inside an agent's block."""
    return bool(path) and (path[-1] == "security" or (
        len(path) >= 2 and path[0] in ("home-agent", "foreign-agent")))


full = {}
for conf in FULL:
    full.update(printed(conf))
entries_cache = {}
n_opts = n_defaults = 0
for (path, opt), value in sorted(full.items()):
    if path == () and value == "{" or path + (opt,) == ("mobile-node", "vpn"):
        continue  # a role block, the vpn block: sections of their own
    sec = SA_SECTION if is_sa(path) else SECTIONS.get(path)
    if sec is None:
        err(f"no mip4d.conf(5) section known for block {'/'.join(path)}")
        continue
    ents = entries_cache.setdefault(sec, doc_entries(sec))
    if opt not in ents:
        err(f"mip4d.conf(5) {sec[6:]}: no '.It Ic {opt}' for the option "
            f"{'/'.join(path + (opt,))} that mip4d -n prints")
        continue
    n_opts += 1
    if value == "{":
        continue
    text = ents[opt]
    default = documented_default(text)
    if default is None and "Required" not in text:
        err(f"mip4d.conf(5): {'/'.join(path + (opt,))}: neither 'Required' nor "
            f"'Default:' (mip4d -n prints {value!r})")
        continue
    if default is None or opt in PROSE_DEFAULTS or "Required" in text:
        continue
    if path[-1:] == ("external-home-agent",) and opt == "tunnel-device":
        # the x-MIP layer's own default, in the external-home-agent entry
        ehx = doc_entries(SECTIONS[path[:-1]]).get("external-home-agent", "")
        if not re.search(rf"Default tunnel device:\s*\n?\.Cm {re.escape(value)}\b", ehx):
            err(f"mip4d.conf(5): external-home-agent does not give {value} "
                "as its default tunnel device")
        continue
    # A required option prints what the test configuration gave; the others
    # print their default, since the configuration leaves them out.
    n_defaults += 1
    if value.split()[0] != default:
        err(f"mip4d.conf(5): {'/'.join(path + (opt,))}: documented default "
            f"{default!r}, mip4d -n prints {value!r}")
checked.append(f"{n_opts} configuration options documented, {n_defaults} defaults equal")

for e in errors:
    print(f"docs_check: FAIL  {e}")
print(f"docs_check: {'; '.join(checked)}; {len(errors)} problems")
sys.exit(1 if errors else 0)
