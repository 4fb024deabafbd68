#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Summarise the records of bench/run-dp.sh into one JSON file and a
Markdown table on stdout.

usage: dp-report.py RECORDS.jsonl OUT.json [--meta KEY=VALUE ...]
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
    out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release()}


def main():
    recs = [json.loads(l) for l in open(sys.argv[1], encoding="ascii")]
    meta = {}
    if "--meta" in sys.argv:
        for kv in sys.argv[sys.argv.index("--meta") + 1:]:
            k, v = kv.split("=", 1)
            meta[k] = v
    modes = []
    for r in recs:
        if r["kind"] != "spread" and r["mode"] not in modes:
            modes.append(r["mode"])
    out = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": machine(), "meta": meta, "modes": {}, "records": recs}
    for m in modes:
        tcp = [r for r in recs if r["mode"] == m and r["kind"] == "tcp"]
        udp = [r for r in recs if r["mode"] == m and r["kind"] == "udp"]
        mtu = [r for r in recs if r["mode"] == m and r["kind"] == "mtu"]
        info = [r for r in recs if r["mode"] == m and r["kind"] == "info"]
        out["modes"][m] = {
            "tcp_mbit_s": mmm([r["mbit_s"] for r in tcp]),
            "tcp_min_interval_mbit_s": mmm([r["min_interval_mbit_s"] for r in tcp]),
            "tcp_retransmits": mmm([r["retransmits"] for r in tcp]),
            "udp64_rx_pps": mmm([r["rx_pps"] for r in udp]),
            "udp64_lost_percent": mmm([r["lost_percent"] for r in udp]),
            "path_mtu": mtu[0]["path_mtu"] if mtu else None,
            "cn_learnt_mtu": mtu[0]["cn_learnt_mtu"] if mtu else None,
        }
        if info:
            out["modes"][m]["cipher"] = info[0].get("cipher")
    plain = out["modes"].get("plain")
    for m, s in out["modes"].items():
        if plain and plain["tcp_mbit_s"] and s["tcp_mbit_s"]:
            s["tcp_vs_plain"] = round(s["tcp_mbit_s"]["median"] / plain["tcp_mbit_s"]["median"], 3)
        if plain and plain["udp64_rx_pps"] and s["udp64_rx_pps"]:
            s["udp_pps_vs_plain"] = round(s["udp64_rx_pps"]["median"] / plain["udp64_rx_pps"]["median"], 3)
    out["modes"]["cvc"] = {"note": "full MIP + VPN + MIP stack: measured by lab/mip4-lab, not here"}
    spread = [r for r in recs if r["kind"] == "spread"]
    out["spread"] = {}
    for m in dict.fromkeys(r["mode"] for r in spread):
        rs = [r for r in spread if r["mode"] == m]
        d = {"cost": rs[0]["cost"], "runs": rs, "ns_per_pkt": {}}
        # keys "N/K": N bindings, traffic spread over K of them
        for nk in sorted({(r["bindings"], r.get("targets", r["bindings"])) for r in rs}):
            d["ns_per_pkt"][f"{nk[0]}/{nk[1]}"] = mmm(
                [r["ns_per_pkt"] for r in rs
                 if (r["bindings"], r.get("targets", r["bindings"])) == nk and r["ns_per_pkt"]])
        one = d["ns_per_pkt"].get("1/1")
        for key, c in d["ns_per_pkt"].items():
            if one and c and key != "1/1":
                d.setdefault("ratio", {})[key] = round(c["median"] / one["median"], 3)
        big = [k for k in d.get("ratio", {}) if k.split("/")[0] == k.split("/")[1]]
        if big:
            d["cost_ratio"] = d["ratio"][big[0]]
        out["spread"][m] = d
    # issue #13's targets, for the eBPF modes
    tg = []
    for m, s in out["modes"].items():
        if m.startswith("ebpf-"):
            if "tcp_vs_plain" in s:
                tg.append({"target": "one HA tunnel TCP >= 0.9 x plain", "mode": m,
                           "measured": s["tcp_vs_plain"], "met": s["tcp_vs_plain"] >= 0.9})
            if "udp_pps_vs_plain" in s:
                tg.append({"target": "64-byte UDP >= 0.8 x plain pps", "mode": m,
                           "measured": s["udp_pps_vs_plain"], "met": s["udp_pps_vs_plain"] >= 0.8})
    for m, d in out["spread"].items():
        if m.startswith("ebpf-") and "cost_ratio" in d:
            n = max(r["bindings"] for r in d["runs"])
            tg.append({"target": f"{n:,} bindings, traffic spread: per-packet cost within 5 % of one",
                       "mode": m, "measured": d["cost_ratio"], "met": d["cost_ratio"] <= 1.05})
    out["targets"] = tg
    with open(sys.argv[2], "w", encoding="ascii") as f:
        json.dump(out, f, indent=1)
        f.write("\n")

    def f3(d, fmt="{:.0f}"):
        return " / ".join(fmt.format(d[k]) for k in ("min", "median", "max")) if d else "-"
    print("| path | TCP Mbit/s min/med/max | TCP vs plain | worst 1-s interval Mbit/s (min) "
          "| UDP 64 B rx pps min/med/max | pps vs plain | path MTU | CN learnt MTU |")
    print("|---|---|---|---|---|---|---|---|")
    for m, s in out["modes"].items():
        if "note" in s:
            print(f"| {m} | {s['note']} | | | | | | |")
            continue
        print(f"| {m} | {f3(s['tcp_mbit_s'])} | {s.get('tcp_vs_plain', '-')} | "
              f"{s['tcp_min_interval_mbit_s']['min'] if s['tcp_min_interval_mbit_s'] else '-':.0f} | "
              f"{f3(s['udp64_rx_pps'])} | {s.get('udp_pps_vs_plain', '-')} | "
              f"{s['path_mtu']} | {s['cn_learnt_mtu'] or 'none'} |")
    if out["spread"]:
        print()
        print("| spread | bindings / traffic to | packets sent by the HA (per trial) | cost per packet ns min/med/max | what | vs 1 binding (medians) |")
        print("|---|---|---|---|---|---|")
        for m, d in out["spread"].items():
            for key, c in d["ns_per_pkt"].items():
                n, k = (int(x) for x in key.split("/"))
                pk = ", ".join(str(r["pkts"]) for r in d["runs"]
                               if (r["bindings"], r.get("targets", r["bindings"])) == (n, k))
                print(f"| {m} | {n} / {k} | {pk} | {f3(c, '{:.0f}')} | {d['cost']} | "
                      f"{d.get('ratio', {}).get(key, '1')} |")
    if out["targets"]:
        print()
        print("| target | mode | measured | met |")
        print("|---|---|---|---|")
        for t in out["targets"]:
            print(f"| {t['target']} | {t['mode']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")


if __name__ == "__main__":
    main()
