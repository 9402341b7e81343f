#!/usr/bin/python3
"""Times cvxopt's QP solver on the P2P market of a scenario export and compares it with P2PFlex.

Usage (from the repository root; needs Debian's python3-cvxopt; tools/cvxopt/run.sh does all of this in one command):

    dotnet run -c Release --project src/P2PFlex.Cli -- scenarios export 3-theta80 out/3-theta80
    /usr/bin/python3 tools/cvxopt/qp_compare.py out/3-theta80 [--runs 20] [--resolve-ms X]

The QP is rebuilt from the export's peers.csv, pairs.csv and scenario.json alone (docs/export.md): variables are
the trades q_p (0 <= q_p <= cap_p) and each peer's volume x_k (0 <= x_k <= V_k); a seller balances
sum of its trades = G, a buyer sum of its trades = D; the objective is
    sum_sellers (pi G + a/2 G^2) - sum_buyers (lambda D - b/2 D^2) + sum_p (c_ij + c_ji) q_p + eps/2 q_p^2
(the interval length only scales it). cvxopt's interior-point QP solver runs at tight tolerances
(abstol = reltol = feastol = 1e-10, sparse matrices), and its solution is compared with the export's
trades, net positions and prices. The ratio is cvxopt's median solve time over P2PFlex's median W re-solve time
(`p2pflex bench --only scenario3-resolve-w`, which re-solves the P2P market *and* re-runs the intervention, grid
check, LFM and AC check): pass it with --resolve-ms, or let the script run the bench (dotnet on the PATH, Release build).
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


def resolve_ms_from_bench():
    out = subprocess.run(
        ["dotnet", "run", "-c", "Release", "--project", "src/P2PFlex.Cli", "--",
         "bench", "--only", "scenario3-resolve-w", "--memory-runs", "0", "--json"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["median_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("export_dir")
    ap.add_argument("--runs", type=int, default=20, help="timed cvxopt solves (median reported)")
    ap.add_argument("--resolve-ms", type=float, help="P2PFlex's W re-solve median (ms); default: run the bench")
    args = ap.parse_args()

    P, q, G, h, A, b, peers, pairs = build_qp(args.export_dir)
    solvers.options.update({"show_progress": False, "abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10, "maxiters": 200})
    solvers.qp(P, q, G, h, A, b)  # warm-up (imports, first-call costs)
    times, sol = [], None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        sol = solvers.qp(P, q, G, h, A, b)
        times.append((time.perf_counter() - t0) * 1000)
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
    median = statistics.median(times)
    print(f"instance: {len(peers)} peers, {m} pairs, {P.size[0]} variables, {G.size[0]} bounds ({args.export_dir})")
    print(f"cvxopt {sol['iterations']} iterations, status {sol['status']}: median {median:.2f} ms "
          f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)")
    print(f"agreement with the export: trades {trade_diff:.1e} MW, net positions {net_diff:.1e} MW, prices {price_diff:.1e} EUR/MWh ({len(inside)} peers strictly inside their bounds)")
    resolve = args.resolve_ms if args.resolve_ms is not None else resolve_ms_from_bench()
    print(f"P2PFlex W re-solve (intervention + P2P + grid check + LFM + AC check) median {resolve:.3f} ms: cvxopt / P2PFlex = {median / resolve:.0f}x")


if __name__ == "__main__":
    main()
