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
    base_cost = None
    for n in sizes:
        ren = sorted([r for r in recs if r.get("phase") == "renew" and r["n"] == n],
                     key=lambda r: r["trial"])
        anc = sorted([r for r in recs if r.get("phase") == "anchor" and r["n"] == n],
                     key=lambda r: r["trial"])
        fill = [r for r in recs if r.get("phase") == "fill" and r["n"] == n]
        idle = [r for r in recs if r.get("phase") == "idle" and r["n"] == n]
        mem = [r for r in recs if r.get("phase") == "memory" and r["n"] == n]
        rates = [r["per_second"] for r in ren]
        cost = [r["server_cpu_ns"] / r["answered"] for r in ren if r["answered"]]
        wall = [1e9 / r["per_second"] for r in ren if r["per_second"]]
        s = {"renew_per_second": mmm(rates),
             "anchor_per_second": mmm([r["per_second"] for r in anc]),
             "anchor_cpu_ns_per_reply": mmm([round(r["server_cpu_ns"] / r["answered"])
                                             for r in anc if r["answered"]]),
             # each HA pass against the anchor pass just before it
             "renew_vs_anchor": mmm([round(r["per_second"] / a["per_second"], 3)
                                     for r, a in zip(ren, anc) if a["per_second"]]),
             # the anchor's CPU per reply over the HA's CPU per registration:
             # the HA's share of the anchor's rate when both are CPU-bound
             "renew_vs_anchor_cpu": mmm([round((a["server_cpu_ns"] / a["answered"]) /
                                               (r["server_cpu_ns"] / r["answered"]), 3)
                                         for r, a in zip(ren, anc)
                                         if r["answered"] and a["answered"] and r["server_cpu_ns"]]),
             "renew_latency_p50_us": mmm([r["latency_us"]["p50"] for r in ren]),
             "renew_latency_p99_us": mmm([r["latency_us"]["p99"] for r in ren]),
             "ha_cpu_ns_per_registration": mmm([round(c) for c in cost]),
             "wall_ns_per_registration": mmm([round(w) for w in wall]),
             "loadgen_cpu_share": mmm([round(r["loadgen_cpu_s"] / r["seconds"], 3)
                                       for r in ren if r["seconds"] > 0])}
        if fill:
            f = fill[0]
            s["fill_per_second"] = f["per_second"]
            s["fill_ha_cpu_ns_per_registration"] = round(f["server_cpu_ns"] / max(f["answered"], 1))
        if idle:
            s["idle_latency_us"] = idle[0]["latency_us"]
        if mem:
            m = mem[0]
            s["rss_kb_start"] = m["rss_kb_start"]
            s["rss_kb_filled"] = m["rss_kb_filled"]
            s["rss_bytes_per_binding"] = round((m["rss_kb_filled"] - m["rss_kb_start"]) * 1024 / n)
            s["state_db_bytes_per_binding"] = round(m["state_db_bytes"] / n)
            s["config_gen_s"] = m["config_gen_s"]
            s["startup_s"] = m["startup_s"]
        if cost:
            med = statistics.median(cost)
            if base_cost is None:
                base_cost = (n, med, statistics.median(wall))
            s["cost_vs_smallest_n"] = {"cpu": round(med / base_cost[1], 3),
                                       "wall": round(statistics.median(wall) / base_cost[2], 3),
                                       "smallest_n": base_cost[0]}
        out["sizes"][str(n)] = s
    smallest = sizes[0] if sizes else None
    if len(sizes) > 1:
        st = out["sizes"][str(smallest)]
        for n in sizes[1:]:
            out["sizes"][str(n)]["config_rss_bytes_per_mn"] = round(
                (out["sizes"][str(n)]["rss_kb_start"] - st["rss_kb_start"]) * 1024 / (n - smallest))
    with open(sys.argv[2], "w", encoding="ascii") as f:
        json.dump(out, f, indent=1)
        f.write("\n")

    def f3(d):
        return f"{d['min']:.0f} / {d['median']:.0f} / {d['max']:.0f}"
    if anchor:
        print(f"anchor udp-echo: {f3(out['anchor']['per_second'])} req/s (min/median/max of "
              f"{len(anchor)}), loadgen CPU share {out['anchor']['loadgen_cpu_share']['median']}")
    print("| bindings | renew req/s min/med/max | anchor req/s min/med/max | vs anchor: rate (med), CPU (med) | p50 / p99 us (median) "
          "| idle p50 us | HA CPU ns/reg (median) | cost vs smallest N (CPU, wall) "
          "| fill req/s | RSS B/binding | db B/binding |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        s = out["sizes"][str(n)]
        print(f"| {n} | {f3(s['renew_per_second'])} | {f3(s['anchor_per_second'])} | "
              f"{s['renew_vs_anchor']['median']:.2f}, {s['renew_vs_anchor_cpu']['median']:.2f} | "
              f"{s['renew_latency_p50_us']['median']:.0f} / {s['renew_latency_p99_us']['median']:.0f} | "
              f"{s.get('idle_latency_us', {}).get('p50', '-')} | "
              f"{s['ha_cpu_ns_per_registration']['median']:.0f} | "
              f"{s['cost_vs_smallest_n']['cpu']:.2f}, {s['cost_vs_smallest_n']['wall']:.2f} | "
              f"{s.get('fill_per_second', '-')} | {s.get('rss_bytes_per_binding', '-')} | "
              f"{s.get('state_db_bytes_per_binding', '-')} |")


if __name__ == "__main__":
    main()
