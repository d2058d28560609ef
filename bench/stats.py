#!/usr/bin/env python3
"""Summarise a bench/run.sh CSV.

    stats.py table RESULTS.csv   medians per N and flag set, ratios ours/ss and ours/net-tools
    stats.py dat RESULTS.csv     whitespace table for plot.gp (one line per N)
"""

import csv
import statistics
import sys
from collections import defaultdict

TOOLS = ("ss", "net-tools", "ours")
FLAGS = ("-tan", "-tanp", "filtered", "-s")


class Cell:
    """All runs of one tool with one flag set at one N."""

    def __init__(self):
        self.walls = []
        self.rss = []
        self.capped = None  # wall time of a run that hit the cap
        self.skipped = False  # not run: it hit the cap at a smaller N
        self.failed = []  # exit codes other than 0 (and not the cap)

    def median(self):
        return statistics.median(self.walls) if self.walls else None

    def rss_mib(self):
        return statistics.median(self.rss) / 1024 if self.rss else None

    def text(self):
        if self.capped is not None:
            return f"> {self.capped:.0f} s"
        if self.skipped:
            return "> cap"
        m = self.median()
        if m is None:
            return "-"
        return f"{m:.3f}" + (" !" if self.failed else "")


def load(path):
    cells = defaultdict(Cell)
    info = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            n = int(row["n_conn"])
            info.setdefault(n, {"sockets": row["sockets"]})
            if row["tool"] == "load":
                info[n]["build"] = float(row["wall_s"])
                info[n]["slab"] = int(row["maxrss_kb"]) / 1024
                continue
            # Other namespaces' sockets and the load average at each run (shared machine).
            if row.get("tcp_alloc_all"):
                foreign = int(row["tcp_alloc_all"]) - int(row["sockets"])
                info[n]["foreign"] = max(info[n].get("foreign", 0), foreign)
                info[n]["load"] = max(info[n].get("load", 0.0), float(row["loadavg1"]))
            cell = cells[(n, row["tool"], row["args"])]
            if row["capped"] == "skipped":
                cell.skipped = True
            elif row["capped"] == "1":
                cell.capped = float(row["wall_s"])
            else:
                cell.walls.append(float(row["wall_s"]))
                if row["maxrss_kb"]:
                    cell.rss.append(int(row["maxrss_kb"]))
                if row["rc"] != "0":
                    cell.failed.append(row["rc"])
    return cells, info


def ratio(ours, other):
    if ours.median() is None:
        return "-"
    if other.capped is not None:  # the baseline took at least the cap: an upper bound
        return f"< {ours.median() / other.capped:.3f}"
    if other.skipped:
        return "-"
    if other.median() is None or other.median() == 0:
        return "-"
    return f"{ours.median() / other.median():.2f}"


def table(path):
    cells, info = load(path)
    for n in sorted(info):
        i = info[n]
        floor = cells[(n, "none", "true")].median()
        head = f"N = {n} connections, {i['sockets']} TCP sockets"
        if "build" in i:
            head += f"; load built in {i['build']:.1f} s, kernel Slab +{i['slab']:.0f} MiB"
        if floor is not None:
            head += f"; launch floor {floor * 1000:.1f} ms"
        print(head)
        if "load" in i:
            warn = "  WARNING: shared machine" if i["foreign"] > 1000 or i["load"] > 3 else ""
            print(
                f"  other namespaces' TCP sockets: up to {i['foreign']};"
                f" 1-min load average up to {i['load']:.2f}{warn}"
            )
        print(
            f"  {'flags':<8} {'ss s':>10} {'net-tools s':>12} {'ours s':>10}"
            f" {'ours/ss':>8} {'ours/nt':>8} {'ss MiB':>7} {'nt MiB':>7} {'ours MiB':>8}"
        )
        for flags in FLAGS:
            ss, nt, ours = (cells[(n, t, flags)] for t in TOOLS)
            mib = [c.rss_mib() for c in (ss, nt, ours)]
            mib = [f"{m:.1f}" if m is not None else "-" for m in mib]
            print(
                f"  {flags:<8} {ss.text():>10} {nt.text():>12} {ours.text():>10}"
                f" {ratio(ours, ss):>8} {ratio(ours, nt):>8} {mib[0]:>7} {mib[1]:>7} {mib[2]:>8}"
            )
        print()
    print("seconds: median wall time; '> N s': hit the timeout cap; '> cap': skipped after a cap")
    print("at a smaller N; '!': a run exited non-zero. MiB: median peak RSS.")


def dat(path):
    cells, info = load(path)
    cols = [(t, f) for f in ("-tan", "-tanp") for t in TOOLS]
    print("# sockets " + " ".join(f"{t}{f}" for t, f in cols) + " (then the same, capped runs only)")
    for n in sorted(info):
        vals, caps = [], []
        for key in cols:
            c = cells[(n,) + key]
            m = c.median() if c.capped is None else None
            vals.append("NaN" if m is None else f"{m:.4f}")
            caps.append("NaN" if c.capped is None else f"{c.capped:.4f}")
        print(info[n]["sockets"], *vals, *caps)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("table", "dat"):
        sys.exit(__doc__)
    {"table": table, "dat": dat}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
