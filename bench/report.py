#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into the markdown table of docs/benchmarks.md.

Input: a TSV of scenario, rep, contender, status (ok | failed | n/a | skipped), value, balancer process
CPU utilisation (CPU-seconds per wall second), extra (latency percentiles, errors), and (newer runs)
system-wide CPU utilisation (all CPUs, from /proc/stat) and the balancer CPU's utilisation. Output: one
row per scenario, one column per contender; each cell is the median value, its ratio to the reference
measured in the same run, and the balancer's CPU per unit.

  report.py [--topology loopback|netns] RAW.tsv [CONTENDERS]

loopback (the default): reference HAProxy for TCP, nginx for UDP (which HAProxy cannot proxy); the
balancer process's CPU per unit. netns: reference the direct path when it was measured; the process's
CPU per unit and the system-wide CPU per unit (all CPUs: client, backends, balancer and its softirq).
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
NAMES = {"haproxy": "HAProxy", "nginx": "nginx", "ferry": "ferry", "direct": "direct (no balancer)",
         "ferry-kernel": "ferry-kernel"}


def reference(scenario, contenders, topology):
    if topology == "netns" and "direct" in contenders:
        return "direct"
    return "nginx" if scenario.startswith("U") else "haproxy"


def optional_float(status, text):
    return float(text) if status == "ok" and text else None


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


def cpu_figure(utils, value, scenario):
    """'X unit, Y %' for the median utilisation of the measurements, or None."""
    utils = [u for u in utils if u is not None]
    if not utils or value <= 0:
        return None
    util = statistics.median(utils)
    scale, unit = CPU_UNITS[scenario]
    return f"{util * scale / value:.1f} {unit}, {util * 100:.0f} %"


def main(raw_path, contenders, topology="loopback"):
    rows = []
    with open(raw_path, encoding="utf-8") as raw:
        for line in raw:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7:
                continue
            parts += [""] * (9 - len(parts))
            scenario, rep, contender, status, value, util, extra, sys_util, core_util = parts[:9]
            rows.append({
                "scenario": scenario, "rep": rep, "contender": contender, "status": status,
                "value": float(value) if status == "ok" else None,
                "util": optional_float(status, util),
                "extra": extra,
                "sys_util": optional_float(status, sys_util),
                "core_util": optional_float(status, core_util),
            })

    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    contenders = [c for c in contenders.split(",") if c]
    names = dict(NAMES, direct="direct (routed, no balancer)") if topology == "netns" else NAMES
    header = "| scenario | " + " | ".join(names.get(c, c) for c in contenders) + " |"
    print(header)
    print("|" + "---|" * (len(contenders) + 1))
    for scenario in scenarios:
        medians = {}
        for contender in contenders:
            ok = [r for r in rows if r["scenario"] == scenario and r["contender"] == contender and r["status"] == "ok"]
            if ok:
                medians[contender] = (statistics.median(r["value"] for r in ok), ok)
        ref = medians.get(reference(scenario, contenders, topology))
        cells = []
        for contender in contenders:
            mine = [r for r in rows if r["scenario"] == scenario and r["contender"] == contender]
            if contender not in medians:
                statuses = {r["status"] for r in mine}
                cells.append(statuses.pop() if len(statuses) == 1 and statuses <= {"n/a", "skipped"} else "failed")
                continue
            value, ok = medians[contender]
            ratio = f"{value / ref[0]:.2f}" if ref and ref[0] > 0 else "–"
            cpu = ""
            if topology == "netns":
                process = cpu_figure([r["util"] for r in ok], value, scenario)
                system = cpu_figure([r["sys_util"] for r in ok], value, scenario)
                cores = [r["core_util"] for r in ok if r["core_util"] is not None]
                core = f"; balancer CPU {statistics.median(cores) * 100:.0f} %" if cores else ""
                cpu = f" [process {process or '–'}] [system {system or '–'}{core}]"
            else:
                utils = [r["util"] for r in ok if r["util"] is not None]
                scale, unit = CPU_UNITS[scenario]
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
    if topology == "netns":
        ref = "the direct path (routed, no balancer)" if "direct" in contenders else "HAProxy for T rows, nginx for U rows"
        print(f"Cell: median value (ratio to the same run's reference: {ref}) "
              "[process: the balancer process's CPU per unit, its CPU utilisation] "
              "[system: CPU per unit of all CPUs together (user+nice+system+irq+softirq from /proc/stat: client, "
              "backends, balancer, the kernel's packet work and anything else running), their utilisation in % of one CPU; "
              "balancer CPU: utilisation of the CPU the balancer and its namespace's packets are pinned to]. "
              "T3 adds wrk's p50/p99 latency; ferry-kernel adds the connection tracking entries left at the end.")
    else:
        print("Cell: median value (ratio to the same run's reference: HAProxy for T rows, nginx for U rows) "
              "[balancer CPU per unit, balancer CPU utilisation]. T3 adds wrk's p50/p99 latency.")
    if any(r["status"] == "skipped" for r in rows):
        print()
        print("skipped: the contender could not run with this build (see the run's log), e.g. ferry-kernel "
              "before `ferry proxy --data-plane` exists.")


if __name__ == "__main__":
    args = sys.argv[1:]
    topology = "loopback"
    if len(args) >= 2 and args[0] == "--topology":
        topology, args = args[1], args[2:]
    main(args[0], args[1] if len(args) > 1 else "haproxy,nginx,ferry", topology)
