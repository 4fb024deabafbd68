#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check `mip4ctl metrics` output with Debian's python3-prometheus-client.

usage: metrics_check.py METRICS [COUNTERS.json STATUS.json]
                        [--label NAME=VALUE]... [--expect 'NAME{L="V",...}=VALUE']...
                        [--expect-family NAME]...

The output must parse, every family must have HELP and TYPE, no sample may
repeat, and every sample must carry each --label.  Given the daemon's
counters and status answers (taken just before), the samples must be
exactly those that the rules written in docs/mip4ctl.8 (METRICS) give,
computed here independently: every counter and every status number once,
nothing else.  Values change between the answers and the metrics, so only
--expect compares values.
"""
import argparse
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

ALIAS = {"home-agent": "ha", "home_agent": "ha", "foreign-agent": "fa",
         "foreign_agent": "fa", "mobile-node": "mn", "mobile_node": "mn"}
LAYERS = ("inner", "outer")


def san(s):
    return re.sub(r"[^a-z0-9_]", "_", s.lower())


def label_name(s):
    n = san(s)
    return "k_" + n if not n or n[:1].isdigit() or n.startswith("__") else n


def is_number(v):
    return isinstance(v, (bool, int, float)) and v is not None


def where_labels(role, layer):
    lab = {}
    if role:
        lab["role"] = role
    if layer:
        lab["layer"] = layer
    return lab


def expected_counters(obj):
    out = []

    def walk(o, role, layer, dp, prefix):
        for k, v in o.items():
            if isinstance(v, dict):
                if role is None:
                    if k == "dataplane":
                        r, d = "ha", True
                    elif k.endswith("-dataplane") and len(k) > 10:
                        r, d = ALIAS.get(k[:-10], k[:-10]), True
                    else:
                        r, d = ALIAS.get(k, k), False
                    walk(v, r or "-", None, d, "")
                elif v and all(c.isdigit() and c.isascii() for c in v):
                    name = "mip4d_" + san(("dataplane_" if dp else "") + prefix + k) + "_total"
                    for code, n in v.items():
                        if is_number(n):
                            out.append((name, dict(where_labels(role, layer), code=code)))
                elif k in LAYERS and layer is None:
                    walk(v, role, k, dp, prefix)
                else:
                    walk(v, role, layer, dp, prefix + san(k) + "_")
                continue
            if not is_number(v):
                continue
            pre = "mip4d_" + ("dataplane_" if dp else "") + prefix
            lab = where_labels(role, layer)
            m = re.fullmatch(r"reject-([0-9x]+)-(.+)", k, re.S)
            if k.startswith("drop-") and len(k) > 5:
                out.append((san(pre + "drops") + "_total", dict(lab, reason=k[5:])))
            elif m:
                out.append((san(pre + "rejects") + "_total", dict(lab, code=m[1], reason=m[2])))
            else:
                out.append((san(pre + k) + "_total", lab))

    walk(obj, None, None, False, "")
    return out


def expected_status(obj, counter_names, extra):
    out = []

    def join(v):
        return ",".join(s if isinstance(s, str) else json.dumps(s)
                        for s in v if not isinstance(s, (dict, list)))

    def walk(o, role, layer, prefix, info):
        for k, v in o.items():
            if isinstance(v, dict):
                if role is None:
                    r = ALIAS.get(k, k) if k else "-"
                    sub = {}
                    walk(v, r, None, "", sub)
                    out.append(("mip4d_info", dict(where_labels(r, None), **sub)))
                elif k in LAYERS and layer is None:
                    sub = {}
                    walk(v, role, k, prefix, sub)
                    if sub:
                        out.append(("mip4d_info", dict(where_labels(role, k), **sub)))
                else:
                    walk(v, role, layer, prefix + san(k) + "_", info)
            elif isinstance(v, (str, list)):
                n = label_name(prefix + k)
                if n not in ("role", "layer") and n not in extra and n not in info:
                    info[n] = v if isinstance(v, str) else join(v)
            elif is_number(v):
                base = k
                if k.endswith("_ms") and len(k) > 3:
                    base = k[:-3] + "_seconds"
                elif k == "uptime":
                    base = "uptime_seconds"
                name = "mip4d_" + san(prefix) + san(base)
                if name + "_total" not in counter_names:
                    out.append((name, where_labels(role, layer)))

    top = {}
    walk(obj, None, None, "", top)
    if top:
        out.append(("mip4d_info", top))
    return out


def parse_expect(s):
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?=(.+)', s)
    if not m:
        raise SystemExit(f"bad --expect {s!r}")
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', m[2] or ""))
    return m[1], labels, float(m[3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("metrics")
    ap.add_argument("counters", nargs="?")
    ap.add_argument("status", nargs="?")
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--expect-family", action="append", default=[])
    a = ap.parse_args()
    text = open(a.metrics).read()
    errors = []

    fams = list(text_string_to_metric_families(text))
    names = [f.name for f in fams]
    if len(names) != len(set(names)):
        errors.append(f"a family appears twice: {sorted(n for n in names if names.count(n) > 1)}")
    # HELP and TYPE lines, one each per family, before its samples
    for f in fams:
        if not f.documentation:
            errors.append(f"{f.name}: no HELP")
        if f.type not in ("counter", "gauge"):
            errors.append(f"{f.name}: type {f.type}")
    for line in text.splitlines():
        if not line.startswith("#") and not re.match(r"^[a-z_][a-z0-9_]*(\{.*\})? \S+$", line):
            errors.append(f"not a sample line: {line!r}")
    extra = dict(x.split("=", 1) for x in a.label)
    seen = {}
    for f in fams:
        for s in f.samples:
            key = (s.name, frozenset(s.labels.items()))
            if key in seen:
                errors.append(f"repeated sample {s.name}{s.labels}")
            seen[key] = s.value
            for k, v in extra.items():
                if s.labels.get(k) != v:
                    errors.append(f"{s.name}{s.labels}: no label {k}={v}")
    got = {(n, frozenset((k, v) for k, v in lab if k not in extra)) for n, lab in seen}
    got.discard(("mip4d_up", frozenset()))

    if a.counters and a.status:
        counters = json.load(open(a.counters))
        status = json.load(open(a.status))
        ec = expected_counters(counters)
        cnames = {n for n, _ in ec}
        es = expected_status(status, cnames, extra)
        want = [(n, frozenset(lab.items())) for n, lab in ec + es]
        if len(want) != len(set(want)):
            dup = sorted({w for w in want if want.count(w) > 1})
            errors.append(f"the JSON maps twice onto {dup}")
        missing = set(want) - got
        unexpected = got - set(want)
        for n, lab in sorted(missing):
            errors.append(f"missing {n}{dict(lab)}")
        for n, lab in sorted(unexpected):
            errors.append(f"unexpected {n}{dict(lab)}")
        nleaves = len(ec)
        print(f"metrics_check: {len(fams)} families, {len(seen)} samples; "
              f"{nleaves} counters and {len(es)} status samples expected")

    for e in a.expect:
        name, labels, value = parse_expect(e)
        hits = [v for (n, lab), v in seen.items()
                if n == name and all(dict(lab).get(k) == x for k, x in labels.items())]
        if len(hits) != 1:
            errors.append(f"--expect {e}: {len(hits)} matching samples")
        elif not math.isclose(hits[0], value):
            errors.append(f"--expect {e}: value {hits[0]}")
    for fam in a.expect_family:
        if not any(n == fam for n, _ in seen):
            errors.append(f"no sample of {fam}")

    for e in errors:
        print(f"metrics_check: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
