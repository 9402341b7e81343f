#!/usr/bin/python3
"""Times P2PFlex's AC power flow against MATPOWER's newtonpf under GNU Octave, case by case.

Usage (from the repository root; tools/matpower/run.sh builds the CLI and calls this):

    /usr/bin/python3 tools/matpower/acpf_compare.py --matpower DIR --p2pflex "dotnet .../p2pflex.dll" \\
        [--cases case69,case141,case533mt_hi] [--rounds 5] [--runs 200] [--warmup 200] [--warmup-calls 3000]

DIR is a MATPOWER folder holding lib/, mips/lib/, mp-opt-model/lib/ and mptest/lib/ (have_feature) (the user's own copy; nothing of it is part
of this repository). For every case, in rounds that alternate which side goes first, Octave runs newtonpf_time.m
(--warmup untimed, --runs timed newtonpf calls) and the built P2PFlex binary runs `bench --only acpf-<case>`
(--warmup-calls untimed solves to reach the optimised steady state, --runs timed). Printed per case: both medians with
the range of round medians, the ratio newtonpf / P2PFlex, the one-minute load average before each round, and the
largest voltage difference between the two solutions (|V| in p.u., angle in degrees; P2PFlex's from
`p2pflex powerflow <case> --json`). A benchmark, not a test: not part of CI.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load_average():
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return float(f.read().split()[0])
    except OSError:
        return float("nan")


def octave_round(matpower, case_file, runs, warmup, voltages_file):
    paths = [os.path.join(matpower, p) for p in ("lib", os.path.join("mips", "lib"), os.path.join("mp-opt-model", "lib"), os.path.join("mptest", "lib"))]
    for p in paths:
        if not os.path.isdir(p):
            sys.exit(f"acpf_compare: {p} is missing: --matpower (or MATPOWER_DIR) must be a MATPOWER folder with lib/, mips/lib/, mp-opt-model/lib/ and mptest/lib/")
    script = "".join(f"addpath('{p}');" for p in paths) + f"addpath('{HERE}');" \
        + f"newtonpf_time('{case_file}', {runs}, {warmup}, '{voltages_file}');"
    out = subprocess.run(["octave-cli", "--no-gui", "--quiet", "--eval", script], check=True, capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("newtonpf_ms=")]
    if not line:
        sys.exit(f"acpf_compare: Octave printed no timing line:\n{out}")
    fields = dict(kv.split("=") for kv in line[-1].split())
    if fields["success"] != "1":
        sys.exit(f"acpf_compare: newtonpf did not converge on {case_file}")
    return float(fields["newtonpf_ms"]), float(fields["full_ms"]), int(fields["iterations"])


def p2pflex_round(p2pflex, case, runs, warmup_calls):
    out = subprocess.run(p2pflex.split() + ["bench", "--only", f"acpf-{case}", "--runs", str(runs), "--warmup", str(warmup_calls),
                                            "--memory-runs", "0", "--json"], check=True, capture_output=True, text=True).stdout
    rows = [r for r in json.loads(out) if r["name"] == f"acpf-{case}"]
    if not rows:
        sys.exit(f"acpf_compare: the bench has no operation acpf-{case}")
    return rows[0]["median_ms"]


def voltage_difference(p2pflex, case_file, voltages_file):
    report = json.loads(subprocess.run(p2pflex.split() + ["powerflow", case_file, "--json"], check=True, capture_output=True, text=True).stdout)
    ours = {b["bus"]: (b["vm_pu"], b["va_deg"]) for b in report["buses"]}
    dv = da = 0.0
    with open(voltages_file, encoding="ascii") as f:
        for line in f:
            bus, vm, va = line.strip().split(",")
            mine = ours[int(bus)]
            dv = max(dv, abs(mine[0] - float(vm)))
            da = max(da, abs(mine[1] - float(va)))
    return dv, da


def spread(values, digits):
    return f"{statistics.median(values):.{digits}f} ms (rounds {min(values):.{digits}f} to {max(values):.{digits}f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--matpower", default=os.environ.get("MATPOWER_DIR"), help="MATPOWER folder (default: $MATPOWER_DIR)")
    ap.add_argument("--p2pflex", default=f"dotnet {REPO}/src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll")
    ap.add_argument("--cases", default="case69,case141,case533mt_hi")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200, help="timed solves per side and round")
    ap.add_argument("--warmup", type=int, default=50, help="untimed newtonpf calls per round")
    ap.add_argument("--warmup-calls", type=int, default=3000, help="untimed P2PFlex solves per round (steady state)")
    args = ap.parse_args()
    if not args.matpower:
        sys.exit("acpf_compare: give MATPOWER's folder with --matpower DIR or MATPOWER_DIR")
    for case in args.cases.split(","):
        case_file = os.path.join(REPO, "data", "cases", case + ".m")
        octave, octave_full, p2p, loads = [], [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            voltages = os.path.join(tmp, "v.csv")
            for r in range(args.rounds):
                loads.append(load_average())
                for side in (["octave", "p2pflex"] if r % 2 == 0 else ["p2pflex", "octave"]):
                    if side == "octave":
                        t, full, iterations = octave_round(args.matpower, case_file, args.runs, args.warmup, voltages)
                        octave.append(t)
                        octave_full.append(full)
                    else:
                        p2p.append(p2pflex_round(args.p2pflex, case, args.runs, args.warmup_calls))
                print(f"{case} round {r + 1}/{args.rounds}: load {loads[-1]:.2f}, newtonpf {octave[-1]:.3f} ms, P2PFlex {p2p[-1]:.4f} ms", file=sys.stderr)
            dv, da = voltage_difference(args.p2pflex, case_file, voltages)
        ratios = [o / p for o, p in zip(octave, p2p)]
        print(f"{case}: load average before each round {', '.join(f'{x:.2f}' for x in loads)}")
        print(f"  MATPOWER newtonpf ({iterations} iterations): {spread(octave, 3)}; with Ybus, Sbus and start voltages: {spread(octave_full, 3)}")
        print(f"  P2PFlex AcPowerFlow.Solve (admittances, injections and Newton): {spread(p2p, 4)}")
        print(f"  newtonpf / P2PFlex: {statistics.median(octave) / statistics.median(p2p):.0f}x (per round {min(ratios):.0f}x to {max(ratios):.0f}x); "
              f"(newtonpf + preparation) / P2PFlex: {statistics.median(octave_full) / statistics.median(p2p):.0f}x")
        print(f"  largest difference of the solutions: |V| {dv:.1e} p.u., angle {da:.1e} degrees")


if __name__ == "__main__":
    main()
