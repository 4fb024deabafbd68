#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Summarise the flood passes of bench/run-ha.sh --flood into one JSON file
and a Markdown table on stdout: per binary and target rate, the medians
over the trials (rates per second of flood; renewals summed).

usage: flood-report.py RECORDS.jsonl OUT.json [--meta KEY=VALUE ...]
"""
import datetime
import json
import statistics
import sys


def med(xs):
    return statistics.median(xs) if xs else 0


def summary(passes):
    """The medians of one binary at one target rate."""
    # per second of flood: the counters span the renewals' run, which
    # starts with the flood and ends a second after it
    def per_s(r, x):
        return x / r["flood"]["seconds"] if r["flood"]["seconds"] else 0

    def c(r, name):
        return r["ha_counters"].get(name, 0)
    return {
        "trials": len(passes),
        "flood_per_second": med([r["flood"]["per_second"] for r in passes]),
        "generator_cpu_us_per_packet": med([r["flood"]["loadgen_cpu_s"] * 1e6 /
                                            r["flood"]["sent"] for r in passes
                                            if r["flood"]["sent"]]),
        "legit_sent": sum(r["legit"]["sent"] for r in passes),
        "legit_accepted": sum(r["legit"]["accepted"] for r in passes),
        "legit_accepted_share": med([r["legit"]["accepted"] / r["legit"]["sent"]
                                     for r in passes if r["legit"]["sent"]]),
        "legit_p50_us": med([r["legit"]["latency_us"]["p50"] for r in passes]),
        "legit_p99_us": med([r["legit"]["latency_us"]["p99"] for r in passes]),
        "ha_seen_per_second": med([per_s(r, c(r, "requests")) for r in passes]),
        "ha_131_per_second": med([per_s(r, c(r, "reject-131-mn-auth")) for r in passes]),
        "ha_unverified_per_second": med([per_s(r, c(r, "drop-unverified-rate-limited"))
                                         for r in passes]),
        "queue_drops_per_second": med([per_s(r, r["rcvbuf_errors"]) for r in passes]),
        "ha_cpu_us_per_request": med([r["ha_cpu_ns"] / 1e3 / c(r, "requests")
                                      for r in passes if c(r, "requests")]),
        "ha_cpu_share": med([per_s(r, r["ha_cpu_ns"] / 1e9) for r in passes]),
    }


def main():
    recs = [json.loads(line) for line in open(sys.argv[1], encoding="ascii")]
    recs = [r for r in recs if r.get("phase") == "flood"]
    meta = {}
    if "--meta" in sys.argv:
        for kv in sys.argv[sys.argv.index("--meta") + 1:]:
            k, v = kv.split("=", 1)
            meta[k] = v
    rates = []
    for r in recs:
        if r["target_rate"] not in rates:
            rates.append(r["target_rate"])
    out = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "meta": meta, "summary": {}, "records": recs}
    for b in ("this", "baseline"):
        for rate in rates:
            ps = [r for r in recs if r["binary"] == b and r["target_rate"] == rate]
            if ps:
                out["summary"].setdefault(b, {})[rate] = summary(ps)
    with open(sys.argv[2], "w", encoding="ascii") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("| mip4d | flood target /s | flood sent /s | renewals accepted | "
          "renewal p50 / p99 ms | HA saw /s | 131 sent /s | dropped before HMAC /s | "
          "socket queue drops /s | HA CPU us per request | HA CPU share | "
          "generator CPU us per packet |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rate in rates:
        for b in ("this", "baseline"):
            s = out["summary"].get(b, {}).get(rate)
            if not s:
                continue
            print(f"| {b} | {rate} | {s['flood_per_second']:.0f} | "
                  f"{s['legit_accepted']} of {s['legit_sent']} "
                  f"({100 * s['legit_accepted'] / max(s['legit_sent'], 1):.1f} %) | "
                  f"{s['legit_p50_us'] / 1e3:.1f} / {s['legit_p99_us'] / 1e3:.1f} | "
                  f"{s['ha_seen_per_second']:.0f} | {s['ha_131_per_second']:.0f} | "
                  f"{s['ha_unverified_per_second']:.0f} | {s['queue_drops_per_second']:.0f} | "
                  f"{s['ha_cpu_us_per_request']:.2f} | {s['ha_cpu_share']:.2f} | "
                  f"{s['generator_cpu_us_per_packet']:.2f} |")


if __name__ == "__main__":
    main()
