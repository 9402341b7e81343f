using System.Collections.Immutable;
using Google.OrTools.LinearSolver;
using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Auction;

/// <summary>
/// A network-aware double auction (the study's CM3): the double auction of <see cref="AuctionProblem"/> subject to every
/// line limit, with the grid given in PTDF form as in the LFM (<c>LfmProblem</c>): the flow on line l is
/// f⁰_l + Σ_k H_lk Δp_k, where Δp_k is the peers' net injection at bus k.
/// </summary>
/// <param name="Peers">Sellers and buyers.</param>
/// <param name="PeerBusIndex">Bus (PTDF column) of each peer.</param>
/// <param name="PtdfMwPerMw">H, lines × buses.</param>
/// <param name="BaseFlowMw">f⁰ per line without the auction's trades (MW, signed).</param>
/// <param name="LimitMw">F per line (MW, &gt; 0), symmetric.</param>
/// <param name="IntervalHours">Δt &gt; 0.</param>
/// <param name="OverflowToleranceMw">A line is overloaded when |f| exceeds F by more than this.</param>
public sealed record NetworkAuctionProblem(
    IReadOnlyList<Peer> Peers,
    IReadOnlyList<int> PeerBusIndex,
    double[,] PtdfMwPerMw,
    double[] BaseFlowMw,
    double[] LimitMw,
    double IntervalHours = 1.0,
    double OverflowToleranceMw = 1e-6)
{
    public int LineCount => PtdfMwPerMw.GetLength(0);
    public int BusCount => PtdfMwPerMw.GetLength(1);

    public void Validate()
    {
        new AuctionProblem(Peers, IntervalHours).Validate();
        if (PeerBusIndex.Count != Peers.Count) throw new ArgumentException("PeerBusIndex needs one bus per peer", nameof(PeerBusIndex));
        for (int k = 0; k < PeerBusIndex.Count; k++)
            if (PeerBusIndex[k] < 0 || PeerBusIndex[k] >= BusCount) throw new ArgumentException($"PeerBusIndex[{k}] = {PeerBusIndex[k]} is not a bus (0..{BusCount - 1})", $"PeerBusIndex[{k}]");
        if (BaseFlowMw.Length != LineCount) throw new ArgumentException($"BaseFlowMw needs {LineCount} entries", nameof(BaseFlowMw));
        if (LimitMw.Length != LineCount) throw new ArgumentException($"LimitMw needs {LineCount} entries", nameof(LimitMw));
        for (int l = 0; l < LineCount; l++)
        {
            if (!double.IsFinite(BaseFlowMw[l])) throw new ArgumentException($"BaseFlowMw[{l}] must be finite", $"BaseFlowMw[{l}]");
            if (!(LimitMw[l] > 0) || !double.IsFinite(LimitMw[l])) throw new ArgumentException($"LimitMw[{l}] must be > 0 and finite", $"LimitMw[{l}]");
            for (int b = 0; b < BusCount; b++)
                if (!double.IsFinite(PtdfMwPerMw[l, b])) throw new ArgumentException($"PtdfMwPerMw[{l},{b}] must be finite", $"PtdfMwPerMw[{l},{b}]");
        }
        if (!(OverflowToleranceMw >= 0) || !double.IsFinite(OverflowToleranceMw)) throw new ArgumentException("OverflowToleranceMw must be ≥ 0 and finite", nameof(OverflowToleranceMw));
    }
}

/// <summary>How a network-aware auction ended.</summary>
public enum NetworkAuctionStatus
{
    /// <summary>Welfare-maximal trades that respect every line limit.</summary>
    Optimal,
    /// <summary>
    /// No balanced trade of the peers brings every line within its limit (the base state's congestions are beyond the
    /// peers' reach). The auction then clears with each still-overloaded line's limit raised to its flow at the least
    /// total overflow, so the trades reach that least overflow and maximise welfare among such trades.
    /// </summary>
    LeastOverflow,
}

/// <summary>A line over its limit after the auction, with how much, MW.</summary>
public sealed record AuctionLineOverflow(int LineIndex, double FlowMw, double OverflowMw);

/// <summary>
/// Outcome of a network-aware auction.
/// </summary>
/// <param name="Status">Optimal, or least overflow when the limits cannot all be met.</param>
/// <param name="QuantityMw">Per peer: generation or consumption, MW.</param>
/// <param name="NetPositionMw">Per peer: +G (seller), −D (buyer).</param>
/// <param name="NodalPriceEurPerMwh">Per bus: ρ_k = −ν − Σ_l μ_l H_lk, where ν is the balance multiplier and μ_l the signed
/// line-limit multiplier (&gt; 0 when the upper side binds). A peer at bus k sells or buys at ρ_k; every bus has one.</param>
/// <param name="LineDualEurPerMwh">μ_l per line (0 for lines not at their limit).</param>
/// <param name="FlowMw">f⁰ + H Δp per line after the auction.</param>
/// <param name="SurplusEur">Per peer surplus at its nodal price, € for the interval.</param>
/// <param name="TradedVolumeMw">Σ G.</param>
/// <param name="PeersWelfareEur">Σ surpluses.</param>
/// <param name="MediatorRevenueEur">Σ_buyers ρ D − Σ_sellers ρ G: the congestion rent the mediator collects (negative
/// when the auction has to pay peers to relieve congestions that were there before it).</param>
/// <param name="LeastTotalOverflowMw">Σ overflow after the auction (0 when optimal).</param>
/// <param name="Overloaded">Lines over their limit after the auction.</param>
/// <param name="Iterations">Active-set iterations (0 when the unconstrained auction already respected every limit).</param>
/// <param name="Unconstrained">The same peers' auction without the grid (CM1), for comparison.</param>
/// <param name="LimitUsedMw">The limit per line the auction cleared against: F, or the least-overflow flow where that is
/// higher (and within the tolerance of F when feasible), so an independent solver can re-solve the same QP.</param>
/// <param name="BalanceDualEurPerMwh">ν, the multiplier of the balance row (−ν is the price at the slack bus).</param>
public sealed record NetworkAuctionResult(
    NetworkAuctionStatus Status,
    ImmutableArray<double> QuantityMw,
    ImmutableArray<double> NetPositionMw,
    ImmutableArray<double> NodalPriceEurPerMwh,
    ImmutableArray<double> LineDualEurPerMwh,
    ImmutableArray<double> FlowMw,
    ImmutableArray<double> SurplusEur,
    double TradedVolumeMw,
    double PeersWelfareEur,
    double MediatorRevenueEur,
    double LeastTotalOverflowMw,
    ImmutableArray<AuctionLineOverflow> Overloaded,
    int Iterations,
    AuctionResult Unconstrained,
    ImmutableArray<double> LimitUsedMw,
    double BalanceDualEurPerMwh);

/// <summary>
/// Clears the network-aware auction: maximise Σ utility − Σ cost subject to Σ G = Σ D, the peers' bounds and
/// −F_l ≤ f⁰_l + Σ_k H_lk Δp_k ≤ F_l for every line. Steps:
/// <list type="number">
/// <item>Clear the auction without the grid (<see cref="DoubleAuction"/>); if its flows respect every limit it is the
/// answer (the constraints are slack, so the same KKT point), with one price at every bus.</item>
/// <item>Otherwise find a feasible start with a phase-1 LP (GLOP) that minimises the total overflow; when that minimum
/// is above the tolerance the grid cannot be cleared by the peers and the overloaded lines' limits are raised to their
/// phase-1 flows (<see cref="NetworkAuctionStatus.LeastOverflow"/>).</item>
/// <item>Solve the QP exactly from that start with the primal active-set method (<see cref="ActiveSetQpSolver"/>); the
/// multipliers of the balance row and of the line rows give the nodal prices.</item>
/// </list>
/// Deterministic: GLOP is single-threaded on a model built in a fixed order, and the active-set method is sequential.
/// </summary>
public static class NetworkAuction
{
    public static NetworkAuctionResult Clear(NetworkAuctionProblem problem) => Clear(problem, (qp, start) => ActiveSetQpSolver.Solve(qp, start));

    /// <summary>As <see cref="Clear(NetworkAuctionProblem)"/> with the QP solved by <paramref name="solveQp"/> (from the
    /// phase-1 start): the tests pass a reference solver, or one that keeps the QP to check its KKT conditions.</summary>
    internal static NetworkAuctionResult Clear(NetworkAuctionProblem problem, Func<SeparableQp, double[], QpSolution> solveQp)
    {
        problem.Validate();
        problem = WithoutPtdfNoise(problem);
        var peers = problem.Peers;
        int n = peers.Count, lines = problem.LineCount, buses = problem.BusCount;
        var unconstrained = DoubleAuction.Clear(new AuctionProblem(peers, problem.IntervalHours));
        var flows0 = Flows(problem, unconstrained.NetPositionMw.AsSpan());
        if (Overflows(problem, flows0, problem.LimitMw).Count == 0)
        {
            double price = unconstrained.PriceEurPerMwh ?? 0;
            var nodal = Enumerable.Repeat(price, buses).ToArray();
            return new NetworkAuctionResult(NetworkAuctionStatus.Optimal, unconstrained.QuantityMw, unconstrained.NetPositionMw,
                [.. nodal], [.. new double[lines]], [.. flows0], unconstrained.SurplusEur, unconstrained.TradedVolumeMw,
                unconstrained.PeersWelfareEur, unconstrained.MediatorRevenueEur, 0, [], 0, unconstrained, [.. problem.LimitMw], -price);
        }

        // Sign of each peer's injection per MW of its quantity.
        var sign = peers.Select(p => p.Role == PeerRole.Seller ? 1.0 : -1.0).ToArray();
        var (start, phase1Flows, leastOverflow) = PhaseOne(problem, sign);
        var status = leastOverflow > problem.OverflowToleranceMw ? NetworkAuctionStatus.LeastOverflow : NetworkAuctionStatus.Optimal;
        // Lines the phase-1 point leaves over their limit get that flow as their limit, so the start is feasible. When
        // the least overflow is within the tolerance this moves limits by GLOP's rounding only (≤ the tolerance).
        var limits = problem.LimitMw.ToArray();
        for (int l = 0; l < lines; l++) limits[l] = Math.Max(limits[l], Math.Abs(phase1Flows[l]));

        var qp = BuildQp(problem, sign, limits);
        var solution = solveQp(qp, start);
        if (solution.Status != QpStatus.Optimal)
            throw new InvalidOperationException($"network-aware auction: the active-set QP stopped after {solution.Iterations} iterations without proving optimality");
        var q = solution.X;
        var net = new double[n];
        for (int k = 0; k < n; k++) net[k] = sign[k] * q[k];
        var flows = Flows(problem, net);
        double nu = solution.RowDual[0];
        var mu = new double[lines];
        for (int l = 0; l < lines; l++) mu[l] = solution.RowDual[1 + l];
        var nodalPrices = new double[buses];
        for (int b = 0; b < buses; b++)
        {
            double s = -nu;
            for (int l = 0; l < lines; l++) s -= mu[l] * problem.PtdfMwPerMw[l, b];
            nodalPrices[b] = s;
        }
        var surplus = new double[n];
        double revenue = 0, traded = 0;
        for (int k = 0; k < n; k++)
        {
            double rho = nodalPrices[problem.PeerBusIndex[k]];
            surplus[k] = DoubleAuction.SurplusPerHour(peers[k], q[k], rho) * problem.IntervalHours;
            revenue -= rho * net[k] * problem.IntervalHours;
            if (sign[k] > 0) traded += q[k];
        }
        var overloaded = Overflows(problem, flows, problem.LimitMw);
        return new NetworkAuctionResult(status, [.. q], [.. net], [.. nodalPrices], [.. mu], [.. flows], [.. surplus], traded,
            surplus.Sum(), revenue, overloaded.Sum(o => o.OverflowMw), [.. overloaded], solution.Iterations, unconstrained, [.. limits], nu);
    }

    /// <summary>
    /// PTDF entries below <see cref="Lfm.LineBidSensitivity.NoiseMwPerMw"/> in magnitude are solver round-off (a radial
    /// feeder's entries are exactly 0 or −1) and, kept, give GLOP badly scaled rows; they are set to 0, as the LFM does.
    /// </summary>
    private static NetworkAuctionProblem WithoutPtdfNoise(NetworkAuctionProblem problem)
    {
        var h = (double[,])problem.PtdfMwPerMw.Clone();
        for (int l = 0; l < h.GetLength(0); l++)
            for (int b = 0; b < h.GetLength(1); b++)
                if (Math.Abs(h[l, b]) <= Lfm.LineBidSensitivity.NoiseMwPerMw) h[l, b] = 0;
        return problem with { PtdfMwPerMw = h };
    }

    /// <summary>The QP in <see cref="SeparableQp"/> form: variables are the peers' quantities; row 0 the balance
    /// Σ s_k q_k = 0, row 1 + l line l's flow change Σ_k H_l,bus(k) s_k q_k within [−F_l − f⁰_l, F_l − f⁰_l].</summary>
    public static SeparableQp BuildQp(NetworkAuctionProblem problem, double[] sign, double[] limits)
    {
        var peers = problem.Peers;
        int n = peers.Count, lines = problem.LineCount;
        var rows = new double[1 + lines][];
        var lo = new double[1 + lines];
        var hi = new double[1 + lines];
        rows[0] = sign.ToArray();
        for (int l = 0; l < lines; l++)
        {
            var row = new double[n];
            for (int k = 0; k < n; k++) row[k] = problem.PtdfMwPerMw[l, problem.PeerBusIndex[k]] * sign[k];
            rows[1 + l] = row;
            lo[1 + l] = -limits[l] - problem.BaseFlowMw[l];
            hi[1 + l] = limits[l] - problem.BaseFlowMw[l];
        }
        // Objective per hour: seller π q + ½ a q², buyer −(λ q − ½ b q²).
        var quad = peers.Select(p => p.QuadraticCostEurPerMw2h).ToArray();
        var lin = peers.Select(p => p.Role == PeerRole.Seller ? p.LinearCostEurPerMwh : -p.LinearCostEurPerMwh).ToArray();
        return new SeparableQp(quad, lin, new double[n], peers.Select(p => p.MaxVolumeMw).ToArray(), rows, lo, hi);
    }

    private static double[] Flows(NetworkAuctionProblem problem, ReadOnlySpan<double> net)
    {
        var f = problem.BaseFlowMw.ToArray();
        for (int l = 0; l < f.Length; l++)
            for (int k = 0; k < net.Length; k++)
                f[l] += problem.PtdfMwPerMw[l, problem.PeerBusIndex[k]] * net[k];
        return f;
    }

    private static List<AuctionLineOverflow> Overflows(NetworkAuctionProblem problem, double[] flows, double[] limits)
    {
        var list = new List<AuctionLineOverflow>();
        for (int l = 0; l < flows.Length; l++)
        {
            double o = Math.Abs(flows[l]) - limits[l];
            if (o > problem.OverflowToleranceMw) list.Add(new AuctionLineOverflow(l, flows[l], o));
        }
        return list;
    }

    /// <summary>
    /// Least total overflow reachable by balanced trades (GLOP): minimise Σ (s⁺_l + s⁻_l) subject to the balance, the
    /// peers' bounds and −F − f⁰ ≤ Σ H s q − s⁺ + s⁻ ≤ F − f⁰. Its solution is a feasible start for the QP (with the
    /// limits raised to its flows when the minimum is positive).
    /// </summary>
    private static (double[] Start, double[] Flows, double LeastOverflowMw) PhaseOne(NetworkAuctionProblem problem, double[] sign)
    {
        int n = problem.Peers.Count, lines = problem.LineCount;
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools GLOP is not available");
        solver.SuppressOutput();
        var q = new Variable[n];
        for (int k = 0; k < n; k++) q[k] = solver.MakeNumVar(0, problem.Peers[k].MaxVolumeMw, "");
        var balance = solver.MakeConstraint(0, 0, "");
        for (int k = 0; k < n; k++) balance.SetCoefficient(q[k], sign[k]);
        var objective = solver.Objective();
        for (int l = 0; l < lines; l++)
        {
            var up = solver.MakeNumVar(0, double.PositiveInfinity, "");
            var down = solver.MakeNumVar(0, double.PositiveInfinity, "");
            var row = solver.MakeConstraint(-problem.LimitMw[l] - problem.BaseFlowMw[l], problem.LimitMw[l] - problem.BaseFlowMw[l], "");
            for (int k = 0; k < n; k++)
            {
                double h = problem.PtdfMwPerMw[l, problem.PeerBusIndex[k]];
                if (h != 0) row.SetCoefficient(q[k], h * sign[k]);
            }
            row.SetCoefficient(up, -1);
            row.SetCoefficient(down, 1);
            objective.SetCoefficient(up, 1);
            objective.SetCoefficient(down, 1);
        }
        objective.SetMinimization();
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL)
            throw new InvalidOperationException($"network-aware auction: GLOP returned {status} for the least-overflow LP");
        var x = new double[n];
        for (int k = 0; k < n; k++) x[k] = Math.Clamp(q[k].SolutionValue(), 0, problem.Peers[k].MaxVolumeMw);
        var net = new double[n];
        for (int k = 0; k < n; k++) net[k] = sign[k] * x[k];
        var flows = Flows(problem, net);
        double least = 0;
        for (int l = 0; l < lines; l++) least += Math.Max(0, Math.Abs(flows[l]) - problem.LimitMw[l]);
        return (x, flows, least);
    }
}
