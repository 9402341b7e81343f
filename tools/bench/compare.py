#!/usr/bin/python3
"""Back-to-back timings of two built P2PFlex checkouts (tools/bench/compare.sh builds them and calls this).

Each measurement runs in --rounds rounds that alternate the builds (old first in odd rounds, new first in even ones);
the report gives per build the median of the round values with their range, the ratio old/new, and the one-minute
load average (/proc/loadavg) before each round. See compare.sh for what each measurement is.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def cli(root):
    return ["dotnet", os.path.join(root, "src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll")]


def run(cmd, cwd):
    """Runs a command; returns (wall s, CPU s of the child: user + sys, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def bench(root, only):
    """Median ms of one bench operation at steady state (2000 untimed calls first)."""
    _, _, out = run(cli(root) + ["bench", "--only", only, "--json", "--warmup", "2000", "--memory-runs", "0"], root)
    return next(m for m in json.loads(out) if m["name"] == only)["median_ms"]


def mc533(root):
    """CPU s of one case533mt_hi draw of every shipped scenario on one core: (3 draws − 1 draw) / 2."""
    cpu = {}
    for draws in (1, 3):
        d = tempfile.mkdtemp(prefix="p2pflex-mc533-")
        try:
            _, cpu[draws], _ = run(cli(root) + ["montecarlo", "run", "--feeder", "case533mt_hi", "--draws", str(draws), "--cores", "1", "--out", d], root)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    return (cpu[3] - cpu[1]) / 2


def reproduce(root):
    """Wall s of a warm reproduce (the second of two runs)."""
    d = tempfile.mkdtemp(prefix="p2pflex-reproduce-")
    try:
        run(cli(root) + ["reproduce", "--out", os.path.join(d, "a")], root)
        wall, _, _ = run(cli(root) + ["reproduce", "--out", os.path.join(d, "b")], root)
        return wall
    finally:
        shutil.rmtree(d, ignore_errors=True)


MEASUREMENTS = [
    ("resolve-w", "W re-solve (bench scenario3-resolve-w), ms", lambda r: bench(r, "scenario3-resolve-w")),
    ("acpf-case69", "AC power flow case69 (bench acpf-case69), ms", lambda r: bench(r, "acpf-case69")),
    ("mc533", "case533mt_hi Monte Carlo draw, all scenario files, CPU s", mc533),
    ("reproduce", "reproduce warm, wall s", reproduce),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--label-old", default="old")
    ap.add_argument("--label-new", default="new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip", default="")
    ap.add_argument("--cvxopt", help="path of tools/cvxopt/qp_compare.py: also compare each build's W re-solve with cvxopt")
    a = ap.parse_args()
    skip = {s for s in a.skip.split(",") if s}
    sides = [("old", a.old), ("new", a.new)]
    rows = []
    for key, title, measure in MEASUREMENTS:
        if key in skip:
            continue
        values = {"old": [], "new": []}
        loads = []
        for r in range(a.rounds):
            loads.append(load())
            for side, root in (sides if r % 2 == 0 else sides[::-1]):
                v = measure(root)
                values[side].append(v)
                print(f"{key} round {r + 1}: {side} {v:.4g} (load {loads[-1]:.2f})", file=sys.stderr, flush=True)
        rows.append((title, values, loads))
    print()
    print(f"old = {a.label_old}, new = {a.label_new}; {a.rounds} alternating rounds; median of rounds [min – max]")
    print(f"{'measurement':<58} {'old':>22} {'new':>22} {'old/new':>8}  load before each round")
    for title, v, loads in rows:
        mo, mn = statistics.median(v["old"]), statistics.median(v["new"])
        fmt = lambda xs, m: f"{m:.4g} [{min(xs):.4g}–{max(xs):.4g}]"
        print(f"{title:<58} {fmt(v['old'], mo):>22} {fmt(v['new'], mn):>22} {mo / mn:>7.2f}×  {' '.join(f'{x:.2f}' for x in loads)}")
    if a.cvxopt:
        for side, root in sides:
            d = tempfile.mkdtemp(prefix="p2pflex-export-")
            try:
                run(cli(root) + ["scenarios", "export", "3-theta80", os.path.join(d, "3-theta80")], root)
                print(f"\n{side} against cvxopt (tools/cvxopt/qp_compare.py):", flush=True)
                subprocess.run(["/usr/bin/python3", a.cvxopt, os.path.join(d, "3-theta80"), "--p2pflex", " ".join(cli(root)),
                                "--rounds", str(a.rounds)], cwd=root, check=True)
            finally:
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
