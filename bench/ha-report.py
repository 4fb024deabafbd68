#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Summarise the records of bench/run-ha.sh into one JSON file and a
Markdown table on stdout.

usage: ha-report.py RECORDS.jsonl OUT.json [--meta KEY=VALUE ...]
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys


def mmm(xs):
    """min/median/max of a list of numbers."""
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs),
            "n": len(xs)} if xs else None


def machine():
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True,
                                   check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    return {"cpus": os.cpu_count(), "cpu_model": model, "mem_mib": mem,
            "kernel": platform.release()}


def main():
    recs = [json.loads(l) for l in open(sys.argv[1], encoding="ascii")]
    meta = {}
    if "--meta" in sys.argv:
        for kv in sys.argv[sys.argv.index("--meta") + 1:]:
            k, v = kv.split("=", 1)
            meta[k] = v
    anchor = [r["per_second"] for r in recs if r.get("phase") == "anchor"]
    a_med = statistics.median(anchor) if anchor else 0
    sizes = sorted({r["n"] for r in recs if r.get("phase") == "renew"})
    out = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": machine(), "meta": meta,
           "anchor": {"what": "bench/udp-echo on CPU 0, same recvmmsg/"
                              "sendmmsg batching as mip4d",
                      "per_second": mmm(anchor),
                      "latency_p50_us": mmm([r["latency_us"]["p50"] for r in recs
                                             if r.get("phase") == "anchor"]),
                      "latency_p99_us": mmm([r["latency_us"]["p99"] for r in recs
                                             if r.get("phase") == "anchor"]),
                      "loadgen_cpu_share": mmm([round(r["loadgen_cpu_s"] / r["seconds"], 3)
                                                for r in recs if r.get("phase") == "anchor"
                                                and r["seconds"] > 0])},
           "sizes": {}, "records": recs}
    base_cost = {}
    for n in sizes:
        s = {}
        for kind in ("renew", "move"):
            ren = sorted([r for r in recs if r.get("phase") == kind and r["n"] == n],
                         key=lambda r: r["trial"])
            if not ren:
                continue
            # each HA pass against the anchor pass just before it
            anc = sorted([r for r in recs if r.get("phase") == "anchor" and r["n"] == n],
                         key=lambda r: r["trial"])
            if kind == "move":
                anc = anc[len(anc) - len(ren):]
            else:
                anc = anc[:len(ren)]
            rates = [r["per_second"] for r in ren]
            cost = [r["server_cpu_ns"] / r["answered"] for r in ren if r["answered"]]
            wall = [1e9 / r["per_second"] for r in ren if r["per_second"]]
            k = {"per_second": mmm(rates),
                 "anchor_per_second": mmm([r["per_second"] for r in anc]),
                 "anchor_cpu_ns_per_reply": mmm([round(r["server_cpu_ns"] / r["answered"])
                                                 for r in anc if r["answered"]]),
                 "vs_anchor": mmm([round(r["per_second"] / a["per_second"], 3)
                                   for r, a in zip(ren, anc) if a["per_second"]]),
                 # the anchor's CPU per reply over the HA's CPU per
                 # registration: the HA's share of the anchor's rate when
                 # both are CPU-bound
                 "vs_anchor_cpu": mmm([round((a["server_cpu_ns"] / a["answered"]) /
                                             (r["server_cpu_ns"] / r["answered"]), 3)
                                       for r, a in zip(ren, anc)
                                       if r["answered"] and a["answered"] and r["server_cpu_ns"]]),
                 "latency_p50_us": mmm([r["latency_us"]["p50"] for r in ren]),
                 "latency_p99_us": mmm([r["latency_us"]["p99"] for r in ren]),
                 "ha_cpu_ns_per_registration": mmm([round(c) for c in cost]),
                 "wall_ns_per_registration": mmm([round(w) for w in wall]),
                 "loadgen_cpu_share": mmm([round(r["loadgen_cpu_s"] / r["seconds"], 3)
                                           for r in ren if r["seconds"] > 0])}
            if cost:
                med = statistics.median(cost)
                if kind not in base_cost:
                    base_cost[kind] = (n, med, statistics.median(wall))
                b = base_cost[kind]
                k["cost_vs_smallest_n"] = {"cpu": round(med / b[1], 3),
                                           "wall": round(statistics.median(wall) / b[2], 3),
                                           "smallest_n": b[0]}
            s[kind] = k
        fill = [r for r in recs if r.get("phase") == "fill" and r["n"] == n]
        idle = [r for r in recs if r.get("phase") == "idle" and r["n"] == n]
        mem = [r for r in recs if r.get("phase") == "memory" and r["n"] == n]
        if fill:
            f = fill[0]
            s["fill_per_second"] = f["per_second"]
            s["fill_ha_cpu_ns_per_registration"] = round(f["server_cpu_ns"] / max(f["answered"], 1))
        if idle:
            s["idle_latency_us"] = idle[0]["latency_us"]
        if mem:
            m = mem[0]
            for key in ("rss_kb_empty", "rss_kb_start", "rss_kb_filled", "parent_rss_kb_start",
                        "parent_rss_kb_filled", "pss_kb_start", "pss_kb_filled", "startup_s"):
                if key in m:
                    s[key] = m[key]
            s["rss_bytes_per_binding"] = round((m["rss_kb_filled"] - m["rss_kb_start"]) * 1024 / n)
            if "rss_kb_empty" in m:
                s["rss_bytes_per_configured_node"] = round(
                    (m["rss_kb_start"] - m["rss_kb_empty"]) * 1024 / n)
                s["rss_bytes_per_node_and_binding"] = round(
                    (m["rss_kb_filled"] - m["rss_kb_empty"]) * 1024 / n)
            s["state_db_bytes_per_binding"] = round(m["state_db_bytes"] / n)
        rel = {}
        for r in recs:
            if r.get("n") != n or not str(r.get("phase", "")).startswith("reload-"):
                continue
            if r["phase"] == "reload-done":
                rel.setdefault(r["kind"], {})["sighup_to_reloaded_s"] = r["sighup_to_reloaded_s"]
            elif r["phase"] == "reload-daemon-log":
                rel.setdefault(r["kind"], {})["daemon_log"] = r["lines"]
            else:
                kind = r["phase"][len("reload-"):]
                rel.setdefault(kind, {}).update({
                    "rate": r["per_second"], "answered": r["answered"], "sent": r["sent"],
                    "lost": r["lost"], "max_gap_us": r["max_gap_us"],
                    "latency_us": r["latency_us"]})
        if rel:
            s["reload"] = rel
        out["sizes"][str(n)] = s
    with open(sys.argv[2], "w", encoding="ascii") as f:
        json.dump(out, f, indent=1)
        f.write("\n")

    def f3(d):
        return f"{d['min']:.0f} / {d['median']:.0f} / {d['max']:.0f}"
    if anchor:
        print(f"anchor udp-echo: {f3(out['anchor']['per_second'])} req/s (min/median/max of "
              f"{len(anchor)}), loadgen CPU share {out['anchor']['loadgen_cpu_share']['median']}")
    print("| bindings | kind | req/s min/med/max | anchor req/s min/med/max | vs anchor: rate (med), CPU (med) "
          "| p50 / p99 us (median) | HA CPU ns/reg (median) | cost vs smallest N (CPU, wall) |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        s = out["sizes"][str(n)]
        for kind in ("renew", "move"):
            if kind not in s:
                continue
            k = s[kind]
            print(f"| {n} | {kind} | {f3(k['per_second'])} | {f3(k['anchor_per_second'])} | "
                  f"{k['vs_anchor']['median']:.2f}, {k['vs_anchor_cpu']['median']:.2f} | "
                  f"{k['latency_p50_us']['median']:.0f} / {k['latency_p99_us']['median']:.0f} | "
                  f"{k['ha_cpu_ns_per_registration']['median']:.0f} | "
                  f"{k['cost_vs_smallest_n']['cpu']:.2f}, {k['cost_vs_smallest_n']['wall']:.2f} |")
    print()
    print("| bindings | fill req/s | idle p50 us | B per configured node | B per binding | B both | parent RSS kB | Pss kB (start, filled) | db B/binding |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        s = out["sizes"][str(n)]
        print(f"| {n} | {s.get('fill_per_second', '-')} | "
              f"{s.get('idle_latency_us', {}).get('p50', '-')} | "
              f"{s.get('rss_bytes_per_configured_node', '-')} | {s.get('rss_bytes_per_binding', '-')} | "
              f"{s.get('rss_bytes_per_node_and_binding', '-')} | "
              f"{s.get('parent_rss_kb_start', '-')} -> {s.get('parent_rss_kb_filled', '-')} | "
              f"{s.get('pss_kb_start', '-')}, {s.get('pss_kb_filled', '-')} | "
              f"{s.get('state_db_bytes_per_binding', '-')} |")
    for n in sizes:
        for kind, r in out["sizes"][str(n)].get("reload", {}).items():
            print(f"reload at N={n} ({kind}): SIGHUP to reloaded {r.get('sighup_to_reloaded_s')} s, "
                  f"longest gap between replies {r.get('max_gap_us')} us, "
                  f"max latency {r.get('latency_us', {}).get('max')} us, lost {r.get('lost')}")
            for line in r.get("daemon_log", []):
                print(f"  {line}")


if __name__ == "__main__":
    main()
