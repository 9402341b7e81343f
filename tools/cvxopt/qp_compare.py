#!/usr/bin/python3
"""Times cvxopt's QP solver on the P2P market of a scenario export and compares it with P2PFlex.

Usage (from the repository root; needs Debian's python3-cvxopt; tools/cvxopt/run.sh does all of this in one command):

    dotnet build -c Release src/P2PFlex.Cli
    dotnet src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll scenarios export 3-theta80 out/3-theta80
    /usr/bin/python3 tools/cvxopt/qp_compare.py out/3-theta80 --p2pflex "dotnet src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll" \
        [--rounds 5] [--runs 30] [--warmup-calls 2000]

The QP is rebuilt from the export's peers.csv, pairs.csv and scenario.json alone (docs/export.md): variables are
the trades q_p (0 <= q_p <= cap_p) and each peer's volume x_k (0 <= x_k <= V_k); a seller balances
sum of its trades = G, a buyer sum of its trades = D; the objective is
    sum_sellers (pi G + a/2 G^2) - sum_buyers (lambda D - b/2 D^2) + sum_p (c_ij + c_ji) q_p + eps/2 q_p^2
(the interval length only scales it). cvxopt's interior-point QP solver runs at tight tolerances
(abstol = reltol = feastol = 1e-10, sparse matrices), and its solution is compared with the export's
trades, net positions and prices. The ratio is cvxopt's median solve time over P2PFlex's median W re-solve time
(`p2pflex bench --only scenario3-resolve-w`, which re-solves the P2P market *and* re-runs the intervention, grid
check, LFM and AC check).

Timing is done in rounds that alternate the two sides (cvxopt first in odd rounds, P2PFlex first in even ones), so a
change of the machine's load hits both alike. Each round times `--runs` cvxopt solves after a few untimed ones, and runs
the built P2PFlex binary's bench with `--warmup-calls` untimed re-solves first (a fresh process starts in unoptimised
tier-0 code; thousands of calls reach the optimised steady state) and `--runs` timed ones. The report gives, per side,
the median over rounds of the round medians with the range of round medians, the ratio per round, and the one-minute
load average before each round (from /proc/loadavg). With --resolve-ms X the P2PFlex side is not run.
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import time

try:
    from cvxopt import matrix, solvers, spmatrix
except ImportError:
    sys.exit("cvxopt is missing: apt-get install python3-cvxopt, and run with /usr/bin/python3")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_qp(export_dir):
    """Returns (P, q, G, h, A, b, peers, pairs) of the market in the export."""
    peers = read_csv(os.path.join(export_dir, "peers.csv"))
    pairs = read_csv(os.path.join(export_dir, "pairs.csv"))
    with open(os.path.join(export_dir, "scenario.json"), encoding="utf-8") as f:
        scenario = json.load(f)
    eps = float(scenario["epsilon_eur_per_mw2h"])
    index_of_bid = {p["bid_id"]: int(p["peer_index"]) for p in peers}
    m, n = len(pairs), len(peers)
    nv = m + n  # trades, then peer volumes

    p_diag, lin = [], []
    for pr in pairs:
        p_diag.append(eps)
        lin.append(float(pr["seller_preference_eur_per_mwh"]) + float(pr["buyer_preference_eur_per_mwh"]))
    for pe in peers:
        p_diag.append(float(pe["quadratic_cost_eur_per_mw2h"]))
        c = float(pe["linear_cost_eur_per_mwh"])
        lin.append(c if pe["role"] == "seller" else -c)
    P = spmatrix(p_diag, range(nv), range(nv))
    q = matrix(lin)

    # Balances: seller: sum q - G = 0; buyer: sum q - D = 0.
    a_val, a_row, a_col = [], [], []
    for p, pr in enumerate(pairs):
        for bid in (pr["seller_bid"], pr["buyer_bid"]):
            a_val.append(1.0)
            a_row.append(index_of_bid[bid])
            a_col.append(p)
    for k in range(n):
        a_val.append(-1.0)
        a_row.append(k)
        a_col.append(m + k)
    A = spmatrix(a_val, a_row, a_col, (n, nv))
    b = matrix(0.0, (n, 1))

    # Bounds: -v <= 0 for every variable; v <= upper where finite.
    g_val, g_row, g_col, h = [], [], [], []
    for v in range(nv):
        g_val.append(-1.0)
        g_row.append(len(h))
        g_col.append(v)
        h.append(0.0)
    uppers = [float(pr["cap_mw"]) if pr["cap_mw"] else math.inf for pr in pairs] + [float(pe["max_volume_mw"]) for pe in peers]
    for v, u in enumerate(uppers):
        if math.isfinite(u):
            g_val.append(1.0)
            g_row.append(len(h))
            g_col.append(v)
            h.append(u)
    G = spmatrix(g_val, g_row, g_col, (len(h), nv))
    return P, q, G, matrix(h), A, b, peers, pairs


def resolve_ms_from_bench(p2pflex, runs, warmup_calls):
    """Median W re-solve (ms) of one bench process of the built binary at steady state."""
    out = subprocess.run(
        p2pflex.split() + ["bench", "--only", "scenario3-resolve-w", "--runs", str(runs),
                           "--warmup", str(warmup_calls), "--memory-runs", "0", "--json"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["median_ms"]


def load_average():
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return float(f.read().split()[0])
    except OSError:
        return float("nan")


def cvxopt_median_ms(P, q, G, h, A, b, runs):
    for _ in range(3):
        solvers.qp(P, q, G, h, A, b)  # untimed: first-call costs, caches
    times, sol = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        sol = solvers.qp(P, q, G, h, A, b)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), sol


def spread(values):
    return f"median {statistics.median(values):.3f} (range {min(values):.3f} to {max(values):.3f} over {len(values)} rounds)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("export_dir")
    ap.add_argument("--runs", type=int, default=30, help="timed solves per side and round (default 30)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    ap.add_argument("--warmup-calls", type=int, default=2000, help="untimed P2PFlex re-solves per round before timing (default 2000)")
    ap.add_argument("--p2pflex", default="dotnet src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll",
                    help="command that runs the built CLI (default: the Release build's dll, from the repository root)")
    ap.add_argument("--resolve-ms", type=float, help="P2PFlex's W re-solve median (ms): skip running it")
    args = ap.parse_args()

    P, q, G, h, A, b, peers, pairs = build_qp(args.export_dir)
    solvers.options.update({"show_progress": False, "abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10, "maxiters": 200})
    cvx_rounds, p2p_rounds, loads, sol = [], [], [], None
    for r in range(args.rounds):
        loads.append(load_average())
        sides = ["cvxopt", "p2pflex"] if r % 2 == 0 else ["p2pflex", "cvxopt"]
        for side in sides:
            if side == "cvxopt":
                median_ms, sol = cvxopt_median_ms(P, q, G, h, A, b, args.runs)
                cvx_rounds.append(median_ms)
            elif args.resolve_ms is None:
                p2p_rounds.append(resolve_ms_from_bench(args.p2pflex, args.runs, args.warmup_calls))
        print(f"round {r + 1}/{args.rounds}: load {loads[-1]:.2f}, cvxopt {cvx_rounds[-1]:.2f} ms"
              + (f", P2PFlex {p2p_rounds[-1]:.3f} ms" if p2p_rounds else ""), file=sys.stderr)
    if sol["status"] != "optimal":
        sys.exit(f"cvxopt status: {sol['status']}")

    m = len(pairs)
    x = list(sol["x"])
    y = list(sol["y"])
    trade_diff = max(abs(x[p] - float(pr["trade_mw"])) for p, pr in enumerate(pairs))
    net = [x[m + k] if pe["role"] == "seller" else -x[m + k] for k, pe in enumerate(peers)]
    net_diff = max(abs(net[k] - float(pe["net_position_mw"])) for k, pe in enumerate(peers))
    # cvxopt's KKT conditions are P x + q + G'z + A'y = 0: for a seller's G, a G + pi - y = z, so y is its price;
    # for a buyer's D, b D - lambda - y = z, so -y is. A peer without a volume strictly inside (0, V) has no unique
    # price (docs/export.md), so only peers strictly inside are compared.
    inside = [k for k, pe in enumerate(peers) if 1e-6 < abs(net[k]) < float(pe["max_volume_mw"]) - 1e-6]
    price_diff = max((abs((y[k] if peers[k]["role"] == "seller" else -y[k]) - float(peers[k]["price_eur_per_mwh"]))
                      for k in inside), default=0.0)
    print(f"instance: {len(peers)} peers, {m} pairs, {P.size[0]} variables, {G.size[0]} bounds ({args.export_dir})")
    print(f"agreement with the export: trades {trade_diff:.1e} MW, net positions {net_diff:.1e} MW, prices {price_diff:.1e} EUR/MWh ({len(inside)} peers strictly inside their bounds)")
    print(f"load average (1 min) before each round: {', '.join(f'{x:.2f}' for x in loads)}")
    print(f"cvxopt QP ({sol['iterations']} iterations, status {sol['status']}), ms per solve: {spread(cvx_rounds)}")
    if args.resolve_ms is not None:
        p2p_rounds = [args.resolve_ms] * len(cvx_rounds)
    print(f"P2PFlex W re-solve (intervention + P2P + grid check + LFM + AC check), ms: {spread(p2p_rounds)}")
    ratios = [c / p for c, p in zip(cvx_rounds, p2p_rounds)]
    print(f"cvxopt / P2PFlex: {statistics.median(cvx_rounds) / statistics.median(p2p_rounds):.0f}x "
          f"(per round {min(ratios):.0f}x to {max(ratios):.0f}x)")


if __name__ == "__main__":
    main()
