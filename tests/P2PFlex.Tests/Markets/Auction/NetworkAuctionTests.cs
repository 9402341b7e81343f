using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// A 3-bus feeder: bus 0 the slack, line 0 from bus 0 to bus 1, line 1 from bus 1 to bus 2. A MW injected at bus 1
/// returns to the slack over line 0 (H = −1 there), one at bus 2 over both lines: H = [[0, −1, −1], [0, 0, −1]].
/// Base flows 1.0 and 0.5 MW outwards (the loads). A seller at bus 1 (π 10, a 10, V 2), a buyer at bus 2 (λ 50, b 10, V 3).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class NetworkAuctionTests
{
    private static readonly double[,] H = { { 0, -1, -1 }, { 0, 0, -1 } };
    private static readonly Peer S = new("s", PeerRole.Seller, 2, 10, 10);
    private static readonly Peer B = new("b", PeerRole.Buyer, 3, 50, 10);

    private static NetworkAuctionProblem Problem(double limit1, double baseFlow1 = 0.5, Peer[]? peers = null, int[]? buses = null) =>
        new(peers ?? [S, B], buses ?? [1, 2], H, [1.0, baseFlow1], [5.0, limit1]);

    /// <summary>
    /// Line 1 limited to 1 MW: the buyer downstream can take only 0.5 MW (0.5 + D ≤ 1). Seller marginal cost
    /// 10 + 10·0.5 = 15 = ρ₁, buyer marginal utility 50 − 10·0.5 = 45 = ρ₂; ρ₂ − ρ₁ = μ₁ = 30 (upper side binds),
    /// ρ₀ = ρ₁ = 15. Surpluses 7.5 − 6.25 = 1.25 each; the mediator keeps 45·0.5 − 15·0.5 = 15 = μ₁·(F − f⁰).
    /// </summary>
    [Fact]
    public void A_binding_line_splits_the_price_by_its_dual()
    {
        var r = NetworkAuction.Clear(Problem(1.0));
        Assert.Equal(NetworkAuctionStatus.Optimal, r.Status);
        Assert.Equal([0.5, 0.5], r.QuantityMw.ToArray(), new Tol(1e-10));
        Assert.Equal([15, 15, 45], r.NodalPriceEurPerMwh.ToArray(), new Tol(1e-9));
        Assert.Equal([0, 30], r.LineDualEurPerMwh.ToArray(), new Tol(1e-9));
        Assert.Equal(1.0, r.FlowMw[1], 1e-10);
        Assert.Equal([1.25, 1.25], r.SurplusEur.ToArray(), new Tol(1e-9));
        Assert.Equal(15, r.MediatorRevenueEur, 1e-9);
        Assert.Equal(0.5, r.TradedVolumeMw, 1e-10);
        // The unconstrained auction would trade 2 MW at 30 €/MWh.
        Assert.Equal(30, r.Unconstrained.PriceEurPerMwh!.Value, 1e-12);
    }

    [Fact]
    public void With_no_binding_line_it_equals_the_auction()
    {
        var r = NetworkAuction.Clear(Problem(10.0));
        var a = DoubleAuction.Clear(new AuctionProblem([S, B]));
        Assert.Equal(NetworkAuctionStatus.Optimal, r.Status);
        Assert.Equal(a.QuantityMw.ToArray(), r.QuantityMw.ToArray());
        Assert.All(r.NodalPriceEurPerMwh, p => Assert.Equal(a.PriceEurPerMwh!.Value, p));
        Assert.Equal(a.PeersWelfareEur, r.PeersWelfareEur);
        Assert.Equal(0, r.MediatorRevenueEur, 1e-12);
    }

    /// <summary>
    /// Line 1 already at 1.5 MW with a 1 MW limit, and the only seller downstream (bus 2) offers 0.2 MW: the peers can
    /// bring it to 1.3 MW at best. Status least overflow, residual 0.3 MW; the auction trades the 0.2 MW that gets
    /// there (the buyer at bus 1 takes it), never a crash.
    /// </summary>
    [Fact]
    public void Unremovable_base_congestion_is_a_status_with_the_least_residual_overflow()
    {
        var seller = new Peer("s", PeerRole.Seller, 0.2, 10, 10);
        var buyer = new Peer("b", PeerRole.Buyer, 3, 50, 10);
        var r = NetworkAuction.Clear(Problem(1.0, baseFlow1: 1.5, peers: [seller, buyer], buses: [2, 1]));
        Assert.Equal(NetworkAuctionStatus.LeastOverflow, r.Status);
        Assert.Equal(0.3, r.LeastTotalOverflowMw, 1e-9);
        Assert.Equal(1, r.Overloaded.Single().LineIndex);
        Assert.Equal([0.2, 0.2], r.QuantityMw.ToArray(), new Tol(1e-9));
    }

    /// <summary>On random radial feeders with random limits the QP's solution satisfies its KKT conditions and its
    /// total welfare (peers plus mediator) is minus the QP objective.</summary>
    [Fact]
    public void Random_feeders_give_KKT_points()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            int buses = 8, lines = buses - 1;
            var parent = new int[buses];
            for (int k = 1; k < buses; k++) parent[k] = rng.Next(k);
            // Line k−1 joins parent[k] → k; a MW at bus b crosses every line on b's path to the slack (H = −1).
            var h = new double[lines, buses];
            for (int b = 1; b < buses; b++) for (int k = b; k != 0; k = parent[k]) h[k - 1, b] = -1;
            var peers = Enumerable.Range(0, 10).Select(k => k % 2 == 0
                ? new Peer($"s{k}", PeerRole.Seller, 0.2 + rng.NextDouble(), 40 + 10 * rng.NextDouble(), 5 + 20 * rng.NextDouble())
                : new Peer($"b{k}", PeerRole.Buyer, 0.2 + rng.NextDouble(), 70 + 30 * rng.NextDouble(), 5 + 30 * rng.NextDouble())).ToArray();
            var at = peers.Select(_ => 1 + rng.Next(buses - 1)).ToArray();
            var f0 = Enumerable.Range(0, lines).Select(_ => 0.5 * rng.NextDouble()).ToArray();
            var limit = f0.Select(f => f + 0.05 + 0.3 * rng.NextDouble()).ToArray();
            var problem = new NetworkAuctionProblem(peers, at, h, f0, limit);
            var r = NetworkAuction.Clear(problem);
            Assert.Equal(NetworkAuctionStatus.Optimal, r.Status);
            var sign = peers.Select(p => p.Role == PeerRole.Seller ? 1.0 : -1.0).ToArray();
            var qp = NetworkAuction.BuildQp(problem, sign, limit);
            for (int l = 0; l < lines; l++) Assert.True(Math.Abs(r.FlowMw[l]) <= limit[l] + 1e-9);
            // Nodal-price KKT: an interior peer's marginal cost/utility equals its bus's price.
            for (int k = 0; k < peers.Length; k++)
            {
                double q = r.QuantityMw[k];
                double marginal = sign[k] > 0 ? peers[k].LinearCostEurPerMwh + peers[k].QuadraticCostEurPerMw2h * q : peers[k].LinearCostEurPerMwh - peers[k].QuadraticCostEurPerMw2h * q;
                if (q > 1e-9 && q < peers[k].MaxVolumeMw - 1e-9) Assert.Equal(r.NodalPriceEurPerMwh[at[k]], marginal, 1e-7);
            }
            Assert.Equal(-qp.Objective(r.QuantityMw.ToArray()), r.PeersWelfareEur + r.MediatorRevenueEur, 1e-7);
        }
    }
}
