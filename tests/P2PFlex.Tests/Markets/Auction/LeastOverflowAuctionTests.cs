using Google.OrTools.LinearSolver;
using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;
using P2PFlex.Data;
using P2PFlex.Numerics;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// CM3 when the peers cannot clear the grid: the outcome maximises welfare among all trades of least total overflow,
/// whatever vertex the phase-1 LP returns. Checked by an optimality certificate of the least-overflow problem (its KKT
/// conditions, found by an LP over the multipliers: an independent proof, not the solver's own multipliers), and by
/// clearing the same auction with the peers in another order (GLOP then starts from other vertices and duals).
/// </summary>
public class LeastOverflowAuctionTests
{
    /// <summary>Stated tolerance between two clearings of the same auction (peers in another order), MW: the active-set
    /// method ends at the exact minimiser up to rounding (~1e-12), the rest is margin.</summary>
    private const double SameOutcomeToleranceMw = 1e-7;

    /// <summary>
    /// Two feeders off the slack (bus 0): line 0 to bus 1, line 1 to bus 2, each with 1.5 MW of load and a 1 MW limit.
    /// A seller at bus 1 (π 10) and one at bus 2 (π 20), 0.3 MW each, and a buyer at the slack wanting 0.4 MW. The
    /// overflow is 1 − D whatever the split, so the least overflow 0.6 MW (D = 0.4) is reached by every split with
    /// g₁ + g₂ = 0.4, g₁ ∈ [0.1, 0.3]; the cheaper seller sells all it can: g₁ = 0.3, g₂ = 0.1, lines at 1.2 and 1.4 MW.
    /// Clearing with the limits raised to a phase-1 vertex's flows would keep g₂ = 0.3 at the vertex g₁ = 0.1.
    /// </summary>
    [Fact]
    [Trait(TestTiers.Category, TestTiers.Fast)]
    public void The_least_overflow_split_is_the_welfare_maximal_one_not_the_vertex()
    {
        var h = new double[,] { { 0, -1, 0 }, { 0, 0, -1 } };
        Peer[] peers = [new("s1", PeerRole.Seller, 0.3, 10, 10), new("s2", PeerRole.Seller, 0.3, 20, 10), new("b", PeerRole.Buyer, 0.4, 100, 1)];
        var problem = new NetworkAuctionProblem(peers, [1, 2, 0], h, [1.5, 1.5], [1.0, 1.0]);
        var r = NetworkAuction.Clear(problem);
        Assert.Equal(NetworkAuctionStatus.LeastOverflow, r.Status);
        Assert.Equal([0.3, 0.1, 0.4], r.QuantityMw.ToArray(), new Tol(1e-10));
        Assert.Equal(0.6, r.LeastTotalOverflowMw, 1e-10);
        Assert.Equal([1.2, 1.4], r.FlowMw.ToArray(), new Tol(1e-10));
        // The limits it cleared against are the outcome's flows (the export re-solves with them), never below F.
        Assert.Equal([1.2, 1.4], r.LimitUsedMw.ToArray(), new Tol(1e-10));
        Assert.True(LeastOverflowCertificate.Exists(problem, r.QuantityMw.ToArray(), r.LeastTotalOverflowMw));

        // The other least-overflow vertex is a feasible point but not optimal: the certificate rejects it.
        Assert.False(LeastOverflowCertificate.Exists(problem, [0.1, 0.3, 0.4], 0.6));
        // Peers in another order: the same outcome.
        AssertSameOutcomeReordered(problem, r);

        // The prices are not unique there: the revenue has no lower end, and the reported one is within the range.
        var a = r.PriceAmbiguity!;
        Assert.True(a.RevenueRangeDetermined);
        Assert.Null(a.MediatorRevenueMinEur);
        Assert.True(a.MediatorRevenueMaxEur is null || r.MediatorRevenueEur <= a.MediatorRevenueMaxEur + 1e-4);
        Assert.NotEmpty(a.BusIndices);
    }

    /// <summary>Random radial feeders whose base flows are beyond the peers' reach: every outcome carries the
    /// certificate, and the peers in reverse order give the same quantities.</summary>
    [Fact]
    [Trait(TestTiers.Category, TestTiers.Fast)]
    public void Random_unclearable_feeders_give_certified_and_order_independent_outcomes()
    {
        var rng = new Random(29);
        int leastOverflow = 0;
        for (int trial = 0; trial < 25; trial++)
        {
            int buses = 10, lines = buses - 1;
            var parent = new int[buses];
            for (int k = 1; k < buses; k++) parent[k] = rng.Next(k);
            var h = new double[lines, buses];
            for (int b = 1; b < buses; b++) for (int k = b; k != 0; k = parent[k]) h[k - 1, b] = -1;
            var peers = Enumerable.Range(0, 14).Select(k => k % 2 == 0
                ? new Peer($"s{k}", PeerRole.Seller, 0.05 + 0.3 * rng.NextDouble(), 40 + 10 * rng.NextDouble(), 5 + 20 * rng.NextDouble())
                : new Peer($"b{k}", PeerRole.Buyer, 0.05 + 0.3 * rng.NextDouble(), 70 + 30 * rng.NextDouble(), 5 + 30 * rng.NextDouble())).ToArray();
            var at = peers.Select(_ => rng.Next(buses)).ToArray();
            var f0 = Enumerable.Range(0, lines).Select(_ => 0.3 + rng.NextDouble()).ToArray();
            // Limits well below the base flows on some lines: often beyond the peers' reach.
            var limit = f0.Select(f => rng.NextDouble() < 0.5 ? f * (0.5 + 0.3 * rng.NextDouble()) : f + 0.5).ToArray();
            var problem = new NetworkAuctionProblem(peers, at, h, f0, limit);
            var r = NetworkAuction.Clear(problem);
            if (r.Status != NetworkAuctionStatus.LeastOverflow) continue;
            leastOverflow++;
            Assert.True(LeastOverflowCertificate.Exists(problem, r.QuantityMw.ToArray(), r.LeastTotalOverflowMw), $"trial {trial}: no certificate");
            AssertSameOutcomeReordered(problem, r);
            Assert.All(r.LimitUsedMw.Select((u, l) => u - problem.LimitMw[l]), d => Assert.True(d >= 0));
        }
        Assert.True(leastOverflow >= 10, $"only {leastOverflow} least-overflow trials");
    }

    /// <summary>
    /// The study's feeders on the extreme state (the CM3 auction of cm3-v2-extreme, cleared as in cm3-v1 without the LFM
    /// and the AC check, which do not touch it): the outcome is certified welfare-maximal among the
    /// least-overflow trades, and the same with the peers in reverse order. On case533mt_hi the welfare (peers and
    /// mediator, −objective) is 548.94 €; a phase-1 vertex's split (the former clearing) gave 529.0 €, and the
    /// certificate rejects that outcome.
    /// </summary>
    [Theory]
    [InlineData("case69", null)]
    [InlineData("case141", null)]
    [InlineData("case533mt_hi", 548.9402)]
    public void The_study_feeders_least_overflow_outcome_is_certified(string feeder, double? welfareEur)
    {
        var context = StudyContext.Load(feeder: feeder);
        var scenario = StudyContext.LoadScenarios().Single(s => s.Name == "cm3-v1") with { State = StudyState.Extreme, Expected = null };
        var stage = Assert.IsType<NetworkAuctionStage>(NetworkAuctionDesign.OutcomeOf(ScenarioRunner.Run(scenario, context, acCheck: false)));
        var problem = stage.Problem;
        var r = stage.Result;
        Assert.Equal(NetworkAuctionStatus.LeastOverflow, r.Status);
        var q = r.QuantityMw.ToArray();
        Assert.True(LeastOverflowCertificate.Exists(problem, q, r.LeastTotalOverflowMw));
        AssertSameOutcomeReordered(problem, r);
        double welfare = r.PeersWelfareEur + r.MediatorRevenueEur;
        var sign = problem.Peers.Select(p => p.Role == PeerRole.Seller ? 1.0 : -1.0).ToArray();
        Assert.Equal(-NetworkAuction.BuildQp(problem, sign, problem.LimitMw).Objective(q) * problem.IntervalHours, welfare, 1e-7);
        if (welfareEur is double expected) Assert.Equal(expected, welfare, 1e-4);
        // The prices are not unique: the revenue has no lower end and the reported one is within its range.
        var ambiguity = r.PriceAmbiguity!;
        Assert.True(ambiguity.RevenueRangeDetermined);
        Assert.Null(ambiguity.MediatorRevenueMinEur);
        Assert.True(r.MediatorRevenueEur <= (ambiguity.MediatorRevenueMaxEur ?? double.PositiveInfinity) + 1e-4);
        Assert.NotEmpty(ambiguity.BusIndices);

        // The former clearing (limits raised to the phase-1 vertex's flows) as a foil: never better, and on
        // case533mt_hi worse and rejected by the certificate, so the certificate can fail.
        var vertex = NetworkAuction.PhaseOne(problem with { PtdfMwPerMw = Denoised(problem.PtdfMwPerMw) }, sign);
        var limits = problem.LimitMw.Select((f, l) => Math.Max(f, Math.Abs(vertex.FlowsMw[l]))).ToArray();
        var former = ActiveSetQpSolver.Solve(NetworkAuction.BuildQp(problem with { PtdfMwPerMw = Denoised(problem.PtdfMwPerMw) }, sign, limits), vertex.Start);
        double formerWelfare = -NetworkAuction.BuildQp(problem, sign, problem.LimitMw).Objective(former.X) * problem.IntervalHours;
        Assert.True(formerWelfare <= welfare + 1e-7);
        if (welfareEur is not null)
        {
            Assert.Equal(529.0, formerWelfare, 0.05);
            Assert.False(LeastOverflowCertificate.Exists(problem, former.X, r.LeastTotalOverflowMw));
        }
    }

    private static double[,] Denoised(double[,] h)
    {
        var d = (double[,])h.Clone();
        for (int l = 0; l < d.GetLength(0); l++)
            for (int b = 0; b < d.GetLength(1); b++)
                if (Math.Abs(d[l, b]) <= P2PFlex.Markets.Lfm.LineBidSensitivity.NoiseMwPerMw) d[l, b] = 0;
        return d;
    }

    /// <summary>Clears the same auction with the peers in reverse order and compares quantities and welfare.</summary>
    private static void AssertSameOutcomeReordered(NetworkAuctionProblem problem, NetworkAuctionResult r)
    {
        int n = problem.Peers.Count;
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        var reordered = problem with { Peers = order.Select(k => problem.Peers[k]).ToArray(), PeerBusIndex = order.Select(k => problem.PeerBusIndex[k]).ToArray() };
        var other = NetworkAuction.Clear(reordered);
        Assert.Equal(r.Status, other.Status);
        for (int i = 0; i < n; i++) Assert.Equal(r.QuantityMw[order[i]], other.QuantityMw[i], SameOutcomeToleranceMw);
        Assert.Equal(r.PeersWelfareEur + r.MediatorRevenueEur, other.PeersWelfareEur + other.MediatorRevenueEur, 1e-6);
        Assert.Equal(r.LeastTotalOverflowMw, other.LeastTotalOverflowMw, SameOutcomeToleranceMw);
    }

    [Fact]
    public async Task A_draw_whose_revenue_range_stalls_the_LP_solver_still_clears_in_seconds()
    {
        // case141, Monte Carlo draw 1 of cm3-v2-extreme: GLOP ran for minutes without end on the mediator-revenue range
        // LP (1e6 multiplier box) until the range LPs got an iteration limit; the clearing itself never depended on it.
        var scenarios = StudyContext.LoadScenarios().Where(s => s.Name == "cm3-v2-extreme").ToArray();
        var job = new P2PFlex.MonteCarlo.MonteCarloJob("case141", 2, P2PFlex.MonteCarlo.MonteCarloJob.DefaultSeed, ["cm3-v2-extreme"]);
        var context = StudyContext.Load(feeder: "case141");
        var run = Task.Run(() => P2PFlex.MonteCarlo.MonteCarloRunner.Run(job, context, scenarios, 0, 2, maxDegreeOfParallelism: 1));
        var rows = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(2, rows.Count);
    }
}

/// <summary>
/// An optimality certificate for "maximise welfare subject to total overflow ≤ S*" at given quantities: the problem in
/// slack form (min −welfare s.t. balance, bounds, f_l − s_l ≤ F_l, −f_l − s_l ≤ F_l, s ≥ 0, Σ s ≤ S*, convex) is at
/// its optimum iff KKT multipliers exist; an LP (GLOP) looks for them, with each multiplier allowed only where its
/// constraint is active. Tolerances: activity 1e-7 MW, stationarity 1e-6 €/MWh, multipliers boxed at 1e4 €/MWh (the
/// study's prices are tens to hundreds of €/MWh), total overflow within 1e-7 MW of S*.
/// </summary>
internal static class LeastOverflowCertificate
{
    public static bool Exists(NetworkAuctionProblem problem, IReadOnlyList<double> q, double leastOverflowMw)
    {
        const double active = 1e-7, stationarity = 1e-6, box = 1e4;
        int n = problem.Peers.Count, lines = problem.LineCount;
        var sign = problem.Peers.Select(p => p.Role == PeerRole.Seller ? 1.0 : -1.0).ToArray();
        var flows = problem.BaseFlowMw.ToArray();
        for (int l = 0; l < lines; l++)
            for (int k = 0; k < n; k++) flows[l] += problem.PtdfMwPerMw[l, problem.PeerBusIndex[k]] * sign[k] * q[k];
        double total = 0, balance = 0;
        for (int l = 0; l < lines; l++) total += Math.Max(0, Math.Abs(flows[l]) - problem.LimitMw[l]);
        for (int k = 0; k < n; k++) balance += sign[k] * q[k];
        if (Math.Abs(total - leastOverflowMw) > active || Math.Abs(balance) > active) return false;

        using var solver = Solver.CreateSolver("GLOP")!;
        var nu = solver.MakeNumVar(-box, box, "nu");
        var t = solver.MakeNumVar(0, box, "t");
        var up = new Variable[lines];
        var down = new Variable[lines];
        for (int l = 0; l < lines; l++)
        {
            double limit = problem.LimitMw[l];
            up[l] = solver.MakeNumVar(0, flows[l] >= limit - active ? box : 0, "");
            down[l] = solver.MakeNumVar(0, flows[l] <= -limit + active ? box : 0, "");
            var sigma = solver.MakeNumVar(0, Math.Abs(flows[l]) - limit <= active ? box : 0, "");
            var s = solver.MakeConstraint(0, 0, "");
            s.SetCoefficient(t, 1);
            s.SetCoefficient(up[l], -1);
            s.SetCoefficient(down[l], -1);
            s.SetCoefficient(sigma, -1);
        }
        for (int k = 0; k < n; k++)
        {
            var p = problem.Peers[k];
            // d(−welfare)/dq: a seller's marginal cost, minus a buyer's marginal utility.
            double g = sign[k] > 0 ? p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * q[k] : -(p.LinearCostEurPerMwh - p.QuadraticCostEurPerMw2h * q[k]);
            var z = solver.MakeNumVar(q[k] >= p.MaxVolumeMw - active ? -box : 0, q[k] <= active ? box : 0, "");
            var c = solver.MakeConstraint(-g - stationarity, -g + stationarity, "");
            c.SetCoefficient(nu, sign[k]);
            c.SetCoefficient(z, -1);
            for (int l = 0; l < lines; l++)
            {
                double a = problem.PtdfMwPerMw[l, problem.PeerBusIndex[k]] * sign[k];
                if (a == 0) continue;
                c.SetCoefficient(up[l], a);
                c.SetCoefficient(down[l], -a);
            }
        }
        return solver.Solve() == Solver.ResultStatus.OPTIMAL;
    }
}
