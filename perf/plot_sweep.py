#!/usr/bin/env python3
"""Plots a `parallax-perf sweep` CSV: writes <prefix>-throughput.png
(parallel transactions per second against threads, one panel per workload,
one line per contention level, the sequential rate dashed) and
<prefix>-speedup.png (speedup over sequential against contention, one panel
per workload, one line per thread count); with several executors in the
CSV's `executor` column (sweep --executors), one line per executor as well.

Usage: python3 perf/plot_sweep.py SWEEP.csv [OUTPUT_PREFIX]
Needs matplotlib: pip install matplotlib, or apt-get install python3-matplotlib.
"""
import csv
import sys
from collections import defaultdict

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("plot_sweep.py needs matplotlib: pip install matplotlib, or apt-get install python3-matplotlib")


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{path}: no rows")
    for row in rows:
        row["threads"] = int(row["threads"])
        row.setdefault("executor", "parallel")
        for field in ("contention", "sequential_tps", "parallel_tps", "speedup"):
            row[field] = float(row[field])
    return rows


def panels(count):
    columns = min(3, count)
    rows = (count + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
    flat = [axis for line in axes for axis in line]
    for axis in flat[count:]:
        axis.set_visible(False)
    return figure, flat


def title(rows):
    first = rows[0]
    return f"{first['txns']} txns/block, work {first['work_ns']} ns, {first['accounts']} accounts"


def plot_throughput(rows, workloads, path):
    figure, axes = panels(len(workloads))
    for axis, workload in zip(axes, workloads):
        mine = [r for r in rows if r["workload"] == workload]
        levels = sorted({r["contention"] for r in mine})
        executors = list(dict.fromkeys(r["executor"] for r in mine))
        for level in levels:
            for executor in executors:
                points = sorted((r["threads"], r["parallel_tps"], r["sequential_tps"]) for r in mine
                                if r["contention"] == level and r["executor"] == executor)
                line, = axis.plot([p[0] for p in points], [p[1] / 1e3 for p in points], marker="o",
                                  label=f"{mine[0]['contention_kind']} {level:g}" + (f" {executor}" if len(executors) > 1 else ""))
                sequential = sum(p[2] for p in points) / len(points)
                axis.axhline(sequential / 1e3, linestyle="--", linewidth=0.8, color=line.get_color())
        axis.set_title(workload)
        axis.set_xlabel("threads")
        axis.set_ylabel("k tx/s (dashed: sequential)")
        axis.set_xticks(sorted({r["threads"] for r in mine}))
        axis.set_ylim(bottom=0)
        axis.legend(fontsize="small")
    figure.suptitle("Parallel throughput vs threads — " + title(rows))
    figure.tight_layout()
    figure.savefig(path, dpi=64)


def plot_speedup(rows, workloads, path):
    figure, axes = panels(len(workloads))
    for axis, workload in zip(axes, workloads):
        mine = [r for r in rows if r["workload"] == workload]
        executors = list(dict.fromkeys(r["executor"] for r in mine))
        for threads in sorted({r["threads"] for r in mine}):
            for executor in executors:
                points = sorted((r["contention"], r["speedup"]) for r in mine if r["threads"] == threads and r["executor"] == executor)
                axis.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                          label=f"{threads} threads" + (f" {executor}" if len(executors) > 1 else ""))
        axis.axhline(1, color="grey", linewidth=0.8)
        axis.set_title(workload)
        axis.set_xlabel(mine[0]["contention_kind"].replace("_", " "))
        axis.set_ylabel("speedup vs sequential")
        axis.set_ylim(bottom=0)
        axis.legend(fontsize="small")
    figure.suptitle("Speedup vs contention — " + title(rows))
    figure.tight_layout()
    figure.savefig(path, dpi=64)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    source = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) == 3 else (source[:-4] if source.endswith(".csv") else source)
    rows = load(source)
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    plot_throughput(rows, workloads, prefix + "-throughput.png")
    plot_speedup(rows, workloads, prefix + "-speedup.png")
    print(f"wrote {prefix}-throughput.png and {prefix}-speedup.png")


if __name__ == "__main__":
    main()
