#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into the markdown table of docs/benchmarks.md.

Input: a TSV of scenario, rep, contender, status (ok | failed | n/a), value, balancer CPU utilisation
(CPU-seconds per wall second), extra (latency percentiles, errors). Output: one row per scenario,
one column per contender; each cell is the median value, its ratio to the reference measured in the
same run (HAProxy for TCP, nginx for UDP, which HAProxy cannot proxy), and the balancer's CPU per unit.
"""
import statistics
import sys

TITLES = {
    "T1": "T1 TCP throughput, 1 stream (Gbit/s)",
    "T1x4": "T1 TCP throughput, 4 streams (Gbit/s)",
    "T2": "T2 new connections/s (pin none)",
    "T3": "T3 keep-alive requests/s",
    "U1": "U1 UDP packets/s delivered",
    "U2": "U2 UDP echo round trips/s",
}
# CPU per unit: (scale applied to utilisation / value, unit label)
CPU_UNITS = {
    "T1": (1e3, "ms/Gbit"),
    "T1x4": (1e3, "ms/Gbit"),
    "T2": (1e6, "µs/conn"),
    "T3": (1e6, "µs/req"),
    "U1": (1e6, "µs/pkt"),
    "U2": (1e6, "µs/rt"),
}
NAMES = {"haproxy": "HAProxy", "nginx": "nginx", "ferry": "ferry"}


def reference(scenario):
    return "nginx" if scenario.startswith("U") else "haproxy"


def fmt_value(scenario, value):
    if scenario.startswith("T1"):
        return f"{value:.2f}"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def median_row(rows):
    """The measurement with the median value (lower middle for an even count), so its extras match."""
    ordered = sorted(rows, key=lambda r: r["value"])
    return ordered[(len(ordered) - 1) // 2]


def main(raw_path, contenders):
    rows = []
    with open(raw_path, encoding="utf-8") as raw:
        for line in raw:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7:
                continue
            scenario, rep, contender, status, value, util, extra = parts[:7]
            rows.append({
                "scenario": scenario, "rep": rep, "contender": contender, "status": status,
                "value": float(value) if status == "ok" else None,
                "util": float(util) if status == "ok" and util else None,
                "extra": extra,
            })

    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    contenders = [c for c in contenders.split(",") if c]
    header = "| scenario | " + " | ".join(NAMES.get(c, c) for c in contenders) + " |"
    print(header)
    print("|" + "---|" * (len(contenders) + 1))
    for scenario in scenarios:
        medians = {}
        for contender in contenders:
            ok = [r for r in rows if r["scenario"] == scenario and r["contender"] == contender and r["status"] == "ok"]
            if ok:
                medians[contender] = (statistics.median(r["value"] for r in ok), ok)
        ref = medians.get(reference(scenario))
        cells = []
        for contender in contenders:
            mine = [r for r in rows if r["scenario"] == scenario and r["contender"] == contender]
            if contender not in medians:
                cells.append("n/a" if mine and all(r["status"] == "n/a" for r in mine) else "failed")
                continue
            value, ok = medians[contender]
            ratio = f"{value / ref[0]:.2f}" if ref and ref[0] > 0 else "–"
            utils = [r["util"] for r in ok if r["util"] is not None]
            scale, unit = CPU_UNITS[scenario]
            cpu = ""
            if utils and value > 0:
                util = statistics.median(utils)
                cpu = f" [{util * scale / value:.1f} {unit}, CPU {util * 100:.0f} %]"
            extra = median_row(ok)["extra"]
            extra = extra.replace("errors=0", "").strip()
            extra = f" {extra}" if extra else ""
            partial = f" ({len(ok)}/{len(mine)} ok)" if len(ok) < len(mine) else ""
            cells.append(f"{fmt_value(scenario, value)} ({ratio}){cpu}{extra}{partial}")
        print(f"| {TITLES.get(scenario, scenario)} | " + " | ".join(cells) + " |")

    print()
    print("Cell: median value (ratio to the same run's reference: HAProxy for T rows, nginx for U rows) "
          "[balancer CPU per unit, balancer CPU utilisation]. T3 adds wrk's p50/p99 latency.")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "haproxy,nginx,ferry")
