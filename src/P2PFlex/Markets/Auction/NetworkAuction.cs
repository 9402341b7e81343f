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
    /// peers' reach), or the phase-1 vertex is over a limit by more than the QP's start tolerance. The auction then
    /// maximises welfare among all trades of least total overflow (one outcome, whatever vertex the LP returns); the
    /// prices are not unique then (<see cref="NetworkAuctionResult.PriceAmbiguity"/>).
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
/// <param name="LimitUsedMw">The limit per line the auction cleared against: exactly F under an Optimal status; under
/// LeastOverflow the line's flow at the welfare-maximal least-overflow outcome where that is higher, so an independent
/// solver can re-solve the same QP.</param>
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
    double BalanceDualEurPerMwh)
{
    /// <summary>Under <see cref="NetworkAuctionStatus.LeastOverflow"/>: which prices are not unique (null otherwise).</summary>
    public NonUniquePrices? PriceAmbiguity { get; init; }
}

/// <summary>
/// In the least-overflow state the quantities, flows and welfare are unique but the prices are not: the least-overflow
/// problem's multipliers form an unbounded set (any non-negative multiple of the phase-1 LP's own overflow prices can be
/// added to them), so the nodal prices behind the lines that carry overflow and the mediator revenue are not determined
/// by the outcome. The reported prices are the multipliers of the auction with each overloaded line's limit raised to
/// its flow (<see cref="NetworkAuctionResult.LimitUsedMw"/>), the form the export re-solves.
/// </summary>
/// <param name="BusIndices">Buses whose nodal price moves along that unbounded direction (the phase-1 LP's nodal
/// overflow price is not zero there); their prices are not unique. Other buses' prices may be non-unique too where the
/// line limits are degenerate; these are the ones the least overflow itself makes ambiguous.</param>
/// <param name="RevenueRangeDetermined">Whether the LPs over the multipliers found the range (false: no multipliers
/// within their tolerances, which a least-overflow outcome should never give).</param>
/// <param name="MediatorRevenueMinEur">Lowest mediator revenue any set of optimal multipliers gives, € (null: no lower end).</param>
/// <param name="MediatorRevenueMaxEur">Highest, € (null: no upper end).</param>
public sealed record NonUniquePrices(ImmutableArray<int> BusIndices, bool RevenueRangeDetermined, double? MediatorRevenueMinEur, double? MediatorRevenueMaxEur);

/// <summary>The range of one bus's nodal price over every set of multipliers that proves a least-overflow outcome
/// optimal (<see cref="NetworkAuction.NodalPriceRanges"/>), €/MWh.</summary>
/// <param name="BusIndex">The bus (internal index).</param>
/// <param name="Determined">Whether the LPs found the range (false: an LP did not solve within its iteration limit).</param>
/// <param name="MinEurPerMwh">Lowest price (null: no lower end, or not determined).</param>
/// <param name="MaxEurPerMwh">Highest price (null: no upper end, or not determined).</param>
public sealed record NodalPriceRange(int BusIndex, bool Determined, double? MinEurPerMwh, double? MaxEurPerMwh);

/// <summary>
/// Clears the network-aware auction: maximise Σ utility − Σ cost subject to Σ G = Σ D, the peers' bounds and
/// −F_l ≤ f⁰_l + Σ_k H_lk Δp_k ≤ F_l for every line. Steps:
/// <list type="number">
/// <item>Clear the auction without the grid (<see cref="DoubleAuction"/>); if its flows respect every limit it is the
/// answer (the constraints are slack, so the same KKT point), with one price at every bus.</item>
/// <item>Otherwise find a feasible start with a phase-1 LP (GLOP) that minimises the total overflow; when that minimum
/// is above the tolerance the grid cannot be cleared by the peers (<see cref="NetworkAuctionStatus.LeastOverflow"/>):
/// the welfare-maximal trade of least total overflow is found first (<see cref="LeastOverflowQp"/>), and the overloaded
/// lines' limits are raised to their flows there.</item>
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
        var phaseOne = PhaseOne(problem, sign);
        var start = phaseOne.Start;
        var limits = problem.LimitMw.ToArray();
        bool beyondReach = phaseOne.LeastOverflowMw > problem.OverflowToleranceMw;
        if (!beyondReach)
        {
            // Within the tolerance every limit stays exactly F: GLOP's vertex meets it to rounding (~1e-15 MW), which the
            // active-set method accepts as a start (ActiveSetQpSolver.FeasibilityTolerance). A line the vertex leaves
            // further over than that is a least-overflow case after all (with a tiny overflow), never a raised limit
            // under an Optimal status.
            for (int l = 0; l < lines; l++)
                if (Math.Abs(phaseOne.FlowsMw[l]) - limits[l] > ActiveSetQpSolver.FeasibilityTolerance) beyondReach = true;
        }
        var status = beyondReach ? NetworkAuctionStatus.LeastOverflow : NetworkAuctionStatus.Optimal;
        if (beyondReach)
        {
            // The least total overflow can be split among the lines in many ways (a face of the phase-1 LP, not a
            // vertex), so the phase-1 vertex's split is not used: the auction maximises welfare over every trade that
            // reaches the least total overflow (one QP, see LeastOverflowQp), which has one minimiser since the objective
            // is strictly convex. Its flows then set the limits the auction clears against: each line over its limit
            // gets that flow as its limit, a subset of the least-overflow trades that contains the minimiser, so the
            // per-line auction below ends at the same trades and gives its multipliers (the nodal prices) in per-line form.
            var lex = LeastOverflowQp(problem, sign, phaseOne);
            var lexSolution = solveQp(lex, start);
            if (lexSolution.Status != QpStatus.Optimal)
                throw new InvalidOperationException($"network-aware auction: the least-overflow QP stopped after {lexSolution.Iterations} iterations without proving optimality");
            start = lexSolution.X;
            var lexNet = new double[n];
            for (int k = 0; k < n; k++) lexNet[k] = sign[k] * start[k];
            var lexFlows = Flows(problem, lexNet);
            for (int l = 0; l < lines; l++) limits[l] = Math.Max(limits[l], Math.Abs(lexFlows[l]));
        }

        var qp = BuildQp(problem, sign, limits);
        var solution = solveQp(qp, start);
        if (solution.Status != QpStatus.Optimal)
            throw new InvalidOperationException($"network-aware auction: the active-set QP stopped after {solution.Iterations} iterations without proving optimality");
        var q = solution.X;
        var net = new double[n];
        for (int k = 0; k < n; k++)
        {
            // A quantity within rounding of 0 is 0, so its net position carries no sign (and + 0.0 turns −0 into 0).
            q[k] = Math.Clamp(q[k], 0, peers[k].MaxVolumeMw);
            if (q[k] <= ZeroQuantityMw) q[k] = 0;
            net[k] = sign[k] * q[k] + 0.0;
        }
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
        NonUniquePrices? ambiguity = null;
        if (beyondReach)
        {
            var range = MediatorRevenueRange(problem, sign, q, flows, limits);
            var affected = Enumerable.Range(0, buses).Where(b => phaseOne.OverflowPricePerMw[b] != 0).ToImmutableArray();
            ambiguity = new NonUniquePrices(affected, range is not null, range?.Min, range?.Max);
        }
        return new NetworkAuctionResult(status, [.. q], [.. net], [.. nodalPrices], [.. mu], [.. flows], [.. surplus], traded,
            surplus.Sum(), revenue, overloaded.Sum(o => o.OverflowMw), [.. overloaded], solution.Iterations, unconstrained, [.. limits], nu)
        {
            PriceAmbiguity = ambiguity,
        };
    }

    /// <summary>A cleared quantity at most this far above 0 is 0 (rounding of the active-set steps, ~1e-15 MW), so
    /// a peer that does not trade has a net position of exactly 0.</summary>
    public const double ZeroQuantityMw = 1e-12;

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

    /// <summary>The phase-1 LP's answer: a vertex of least total overflow (a feasible start), its flows, the least
    /// total overflow, and per line the side on which the least-overflow face lets the flow exceed the limit.</summary>
    /// <param name="Start">Quantities at GLOP's vertex.</param>
    /// <param name="FlowsMw">Line flows there.</param>
    /// <param name="LeastOverflowMw">Σ_l max(0, |f_l| − F_l) there: the least total overflow.</param>
    /// <param name="OverflowSide">+1 where the upper side's overflow variable s⁺_l has zero reduced cost (its row's
    /// multiplier is at the bound of the overflow's unit price), −1 likewise for s⁻_l, 0 elsewhere. By complementary
    /// slackness with GLOP's dual solution, every least-overflow trade has s_l = 0 where the side is 0, and f_l ≥ F_l
    /// (f_l ≤ −F_l) where it is +1 (−1): the rows of <see cref="LeastOverflowQp"/>.</param>
    /// <param name="OverflowPricePerMw">Per bus, the phase-1 LP's own nodal price of overflow (−ν¹ − Σ_l y_l H_lk, in
    /// MW of total overflow per MW injected): adding any non-negative multiple of it to a least-overflow outcome's prices keeps
    /// every optimality condition, which is why those prices are not unique.</param>
    internal sealed record PhaseOneResult(double[] Start, double[] FlowsMw, double LeastOverflowMw, int[] OverflowSide, double[] OverflowPricePerMw);

    /// <summary>A reduced cost or dual below this is zero: the phase-1 LP's data are the PTDF (0 or ±1 on a radial feeder,
    /// O(1) on a meshed one) and unit costs, so its duals are O(1) numbers or exact zeros up to rounding.</summary>
    private const double PhaseOneDualZero = 1e-9;

    /// <summary>
    /// The least-overflow auction as one QP over the peers' quantities: maximise welfare (minimise the auction's
    /// objective) over every balanced trade whose total overflow is the least one, S*. With O⁺ (O⁻) the lines whose flow
    /// may exceed the upper (lower) limit at the least overflow (<see cref="PhaseOneResult.OverflowSide"/>): rows
    /// f_l ≥ F_l on O⁺, f_l ≤ −F_l on O⁻, −F_l ≤ f_l ≤ F_l elsewhere, and the total-overflow row
    /// Σ_O⁺ (f_l − F_l) + Σ_O⁻ (−f_l − F_l) ≤ S*. Every point of it has total overflow ≤ S* (the flows on O± are over
    /// their limits, the others within), so exactly S*; and every least-overflow trade satisfies it (complementary
    /// slackness with the phase-1 duals), so it is the whole least-overflow set, written with linear rows only. The
    /// phase-1 vertex is a feasible start. The per-line split of the overflow is a result, not the vertex's.
    /// </summary>
    internal static SeparableQp LeastOverflowQp(NetworkAuctionProblem problem, double[] sign, PhaseOneResult phaseOne)
    {
        var qp = BuildQp(problem, sign, problem.LimitMw);
        int n = problem.Peers.Count, lines = problem.LineCount;
        var rows = new double[qp.RowCount + 1][];
        var lo = new double[qp.RowCount + 1];
        var hi = new double[qp.RowCount + 1];
        Array.Copy(qp.Rows, rows, qp.RowCount);
        Array.Copy(qp.RowLower, lo, qp.RowCount);
        Array.Copy(qp.RowUpper, hi, qp.RowCount);
        var total = new double[n];
        double totalUpper = phaseOne.LeastOverflowMw;
        for (int l = 0; l < lines; l++)
        {
            int side = phaseOne.OverflowSide[l];
            if (side == 0) continue;
            double limit = problem.LimitMw[l], f0 = problem.BaseFlowMw[l];
            if (side > 0) hi[1 + l] = double.PositiveInfinity; else lo[1 + l] = double.NegativeInfinity;
            if (side > 0) lo[1 + l] = limit - f0; else hi[1 + l] = -limit - f0;
            var row = qp.Rows[1 + l];
            for (int k = 0; k < n; k++) total[k] += side * row[k];
            totalUpper += limit - side * f0;
        }
        rows[qp.RowCount] = total;
        lo[qp.RowCount] = double.NegativeInfinity;
        hi[qp.RowCount] = totalUpper;
        return qp with { Rows = rows, RowLower = lo, RowUpper = hi };
    }

    /// <summary>Activity tolerance of <see cref="MediatorRevenueRange"/>: a line within this of its limit, a quantity
    /// within this of its bound counts as there (the active-set method's solutions sit on them to rounding).</summary>
    private const double ActiveToleranceMw = 1e-7;

    /// <summary>Stationarity residual <see cref="MediatorRevenueRange"/> allows, €/MWh (rounding of the gradient at the
    /// solution; the prices themselves are O(10–100) €/MWh).</summary>
    private const double StationarityToleranceEurPerMwh = 1e-6;

    /// <summary>Box on every multiplier in <see cref="MediatorRevenueRange"/>, €/MWh: far beyond any price of the
    /// study (tens to hundreds of €/MWh), so a bounded end is never cut by it.</summary>
    private const double MultiplierBoxEurPerMwh = 1e6;

    /// <summary>Simplex iterations GLOP may spend on one of <see cref="MediatorRevenueRange"/>'s LPs. With the 1e6 box
    /// GLOP can stall on such an LP (a case141 Monte Carlo draw of cm3-v2-extreme ran for minutes without end); the
    /// range is a report, not part of the clearing, so past this it is given as unknown (null). An iteration count,
    /// not a time, so the outcome is the same on every machine.</summary>
    private const int RevenueRangeIterationLimit = 20_000;

    /// <summary>
    /// The range of the mediator revenue over every set of multipliers that proves the outcome optimal for the auction
    /// as cleared (line limits <paramref name="limits"/>, the ones <see cref="NetworkAuctionResult.LimitUsedMw"/>
    /// reports, so the reported prices are one of these sets): the revenue is
    /// Σ_k ρ_k(−net_k) Δt = Σ_l μ_l (f_l − f⁰_l) Δt + ν Σ_k net_k Δt with μ = λ⁺ − λ⁻, minimised and maximised over the
    /// multipliers' polytope (<see cref="MultiplierLp"/>). Null overall when no multipliers exist within the tolerances.
    /// </summary>
    internal static (double? Min, double? Max)? MediatorRevenueRange(NetworkAuctionProblem problem, double[] sign, double[] q, double[] flows, double[] limits)
    {
        double netSum = 0;
        for (int k = 0; k < problem.Peers.Count; k++) netSum += sign[k] * q[k];
        var lineCoefficient = new double[problem.LineCount];
        for (int l = 0; l < lineCoefficient.Length; l++) lineCoefficient[l] = (flows[l] - problem.BaseFlowMw[l]) * problem.IntervalHours;
        using var once = new MultiplierLp(problem, sign, q, flows, limits, MultiplierBoxEurPerMwh);
        using var twice = new MultiplierLp(problem, sign, q, flows, limits, 2 * MultiplierBoxEurPerMwh);
        var range = MultiplierLp.Range(once, twice, netSum * problem.IntervalHours, lineCoefficient);
        return range.Determined ? (range.Min, range.Max) : null;
    }

    /// <summary>
    /// Per bus of <paramref name="buses"/> (indices), the range of its nodal price ρ_b = −ν − Σ_l μ_l H[l, b] over every
    /// set of multipliers that proves <paramref name="result"/> optimal (the polytope of <see cref="MediatorRevenueRange"/>,
    /// the same box, tolerances and simplex iteration limit per LP): what the export reports where the prices are not
    /// unique (least overflow). Two LPs per bus at each of the two boxes, each warm-started from the previous bus's
    /// basis. Meant for reports (the export), not for every clearing.
    /// </summary>
    public static IReadOnlyList<NodalPriceRange> NodalPriceRanges(NetworkAuctionProblem problem, NetworkAuctionResult result, IReadOnlyList<int> buses)
    {
        problem = WithoutPtdfNoise(problem);
        var sign = problem.Peers.Select(p => p.Role == PeerRole.Seller ? 1.0 : -1.0).ToArray();
        double[] q = [.. result.QuantityMw], flows = [.. result.FlowMw], limits = [.. result.LimitUsedMw];
        using var once = new MultiplierLp(problem, sign, q, flows, limits, MultiplierBoxEurPerMwh);
        using var twice = new MultiplierLp(problem, sign, q, flows, limits, 2 * MultiplierBoxEurPerMwh);
        var ranges = new List<NodalPriceRange>(buses.Count);
        var lineCoefficient = new double[problem.LineCount];
        foreach (int b in buses)
        {
            for (int l = 0; l < lineCoefficient.Length; l++) lineCoefficient[l] = -problem.PtdfMwPerMw[l, b];
            var (determined, min, max) = MultiplierLp.Range(once, twice, -1, lineCoefficient);
            ranges.Add(new NodalPriceRange(b, determined, min, max));
        }
        return ranges;
    }

    /// <summary>
    /// The KKT multipliers of the auction as cleared, with the quantities fixed, as an LP (GLOP): free ν; λ⁺_l, λ⁻_l ≥ 0
    /// only on sides at their limit; bound multipliers only at bounds; stationarity in q to
    /// <see cref="StationarityToleranceEurPerMwh"/>. Any linear function c_ν ν + Σ_l c_l (λ⁺_l − λ⁻_l) is minimised and
    /// maximised over it (<see cref="Range"/>). GLOP's presolve reports an unbounded program as infeasible at times, so
    /// every multiplier is boxed to ± the box and the LPs are solved with <see cref="MultiplierBoxEurPerMwh"/> and twice
    /// it: an end that moves with the box (by more than 1e-6 of it) is unbounded (null); a bounded end is the one with
    /// the box, to the stationarity tolerance. Each solve may spend at most <see cref="RevenueRangeIterationLimit"/>
    /// simplex iterations (a count, not a time: the same outcome on every machine); past it, the end is unknown.
    /// </summary>
    private sealed class MultiplierLp : IDisposable
    {
        private readonly Solver _solver;
        private readonly Variable _nu;
        private readonly Variable[] _up, _down;

        public MultiplierLp(NetworkAuctionProblem problem, double[] sign, double[] q, double[] flows, double[] limits, double box)
        {
            int n = problem.Peers.Count, lines = problem.LineCount;
            _solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools GLOP is not available");
            _solver.SuppressOutput();
            if (!_solver.SetSolverSpecificParametersAsString($"max_number_of_iterations: {RevenueRangeIterationLimit}"))
                throw new InvalidOperationException("GLOP refused its iteration limit");
            _nu = _solver.MakeNumVar(-box, box, "");
            _up = new Variable[lines];
            _down = new Variable[lines];
            for (int l = 0; l < lines; l++)
            {
                _up[l] = _solver.MakeNumVar(0, flows[l] >= limits[l] - ActiveToleranceMw ? box : 0, "");
                _down[l] = _solver.MakeNumVar(0, flows[l] <= -limits[l] + ActiveToleranceMw ? box : 0, "");
            }
            for (int k = 0; k < n; k++)
            {
                var p = problem.Peers[k];
                double gradient = sign[k] > 0 ? p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * q[k] : -p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * q[k];
                bool atLower = q[k] <= ActiveToleranceMw, atUpper = q[k] >= p.MaxVolumeMw - ActiveToleranceMw;
                var z = _solver.MakeNumVar(atUpper ? -box : 0, atLower ? box : 0, "");
                var stationaryQ = _solver.MakeConstraint(-gradient - StationarityToleranceEurPerMwh, -gradient + StationarityToleranceEurPerMwh, "");
                stationaryQ.SetCoefficient(_nu, sign[k]);
                stationaryQ.SetCoefficient(z, -1);
                int bus = problem.PeerBusIndex[k];
                for (int l = 0; l < lines; l++)
                {
                    double h = problem.PtdfMwPerMw[l, bus] * sign[k];
                    if (h == 0) continue;
                    stationaryQ.SetCoefficient(_up[l], h);
                    stationaryQ.SetCoefficient(_down[l], -h);
                }
            }
        }

        /// <summary>The optimum of c_ν ν + Σ_l c_l (λ⁺_l − λ⁻_l); null when GLOP does not prove one (infeasible, or the
        /// iteration limit reached).</summary>
        public double? Optimise(double nuCoefficient, double[] lineCoefficient, bool maximise)
        {
            var objective = _solver.Objective();
            objective.SetCoefficient(_nu, nuCoefficient);
            for (int l = 0; l < _up.Length; l++)
            {
                objective.SetCoefficient(_up[l], lineCoefficient[l]);
                objective.SetCoefficient(_down[l], -lineCoefficient[l]);
            }
            if (maximise) objective.SetMaximization(); else objective.SetMinimization();
            return _solver.Solve() == Solver.ResultStatus.OPTIMAL ? objective.Value() : null;
        }

        /// <summary>The range of the function over the multipliers: each end from the two boxes (null: unbounded);
        /// not determined when an LP did not solve.</summary>
        public static (bool Determined, double? Min, double? Max) Range(MultiplierLp once, MultiplierLp twice, double nuCoefficient, double[] lineCoefficient)
        {
            double? End(bool maximise)
            {
                var a = once.Optimise(nuCoefficient, lineCoefficient, maximise);
                var b = twice.Optimise(nuCoefficient, lineCoefficient, maximise);
                if (a is null || b is null) return double.NaN;
                // Unbounded: the end moves with the box (by its slope × 1e6; 5.8e5 € for the revenue on case533mt_hi).
                // Bounded: it moves only through the stationarity tolerance, so a change of 1e-6 of the box separates them.
                return Math.Abs(b.Value - a.Value) > 1e-6 * MultiplierBoxEurPerMwh ? null : a;
            }
            var min = End(false);
            var max = End(true);
            if (min is double x && double.IsNaN(x) || max is double y && double.IsNaN(y)) return (false, null, null);
            return (true, min, max);
        }

        public void Dispose() => _solver.Dispose();
    }

    /// <summary>
    /// Least total overflow reachable by balanced trades (GLOP): minimise Σ (s⁺_l + s⁻_l) subject to the balance, the
    /// peers' bounds and −F − f⁰ ≤ Σ H s q − s⁺ + s⁻ ≤ F − f⁰. Its solution is a feasible start for the QP; its reduced
    /// costs say which lines may carry overflow at the least total (<see cref="PhaseOneResult.OverflowSide"/>).
    /// </summary>
    internal static PhaseOneResult PhaseOne(NetworkAuctionProblem problem, double[] sign)
    {
        int n = problem.Peers.Count, lines = problem.LineCount;
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools GLOP is not available");
        solver.SuppressOutput();
        var q = new Variable[n];
        for (int k = 0; k < n; k++) q[k] = solver.MakeNumVar(0, problem.Peers[k].MaxVolumeMw, "");
        var balance = solver.MakeConstraint(0, 0, "");
        for (int k = 0; k < n; k++) balance.SetCoefficient(q[k], sign[k]);
        var objective = solver.Objective();
        var ups = new Variable[lines];
        var downs = new Variable[lines];
        var lineRows = new Constraint[lines];
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
            ups[l] = up;
            downs[l] = down;
            lineRows[l] = row;
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
        var side = new int[lines];
        for (int l = 0; l < lines; l++)
            side[l] = Math.Abs(ups[l].ReducedCost()) <= PhaseOneDualZero ? 1 : Math.Abs(downs[l].ReducedCost()) <= PhaseOneDualZero ? -1 : 0;
        var overflowPrice = new double[problem.BusCount];
        double nu = balance.DualValue();
        for (int b = 0; b < overflowPrice.Length; b++)
        {
            double s = -nu;
            for (int l = 0; l < lines; l++) s -= lineRows[l].DualValue() * problem.PtdfMwPerMw[l, b];
            overflowPrice[b] = Math.Abs(s) <= PhaseOneDualZero ? 0 : s;
        }
        return new PhaseOneResult(x, flows, least, side, overflowPrice);
    }
}
