using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.Auction;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class DoubleAuctionTests
{
    private static Peer Seller(string id, double pi, double a, double v) => new(id, PeerRole.Seller, v, pi, a);
    private static Peer Buyer(string id, double lambda, double b, double v) => new(id, PeerRole.Buyer, v, lambda, b);

    /// <summary>
    /// Two sellers (π 10, a 10, V 2; π 20, a 20, V 2), two buyers (λ 50, b 10, V 3; λ 40, b 20, V 3). With all four
    /// interior, (p−10)/10 + (p−20)/20 = (50−p)/10 + (40−p)/20 gives 3p − 40 = 140 − 3p, p = 30: G = (2, 0.5),
    /// D = (2, 0.5); surpluses 60 − 40 = 20, 15 − 12.5 = 2.5, 100 − 20 − 60 = 20, 20 − 2.5 − 15 = 2.5.
    /// </summary>
    [Fact]
    public void Four_peers_clear_at_the_hand_computed_price()
    {
        var r = DoubleAuction.Clear(new AuctionProblem([Seller("s1", 10, 10, 2), Seller("s2", 20, 20, 2), Buyer("b1", 50, 10, 3), Buyer("b2", 40, 20, 3)]));
        Assert.Equal(30, r.PriceEurPerMwh!.Value, 1e-12);
        Assert.Equal([2, 0.5, 2, 0.5], r.QuantityMw.ToArray(), new Tol(1e-12));
        Assert.Equal([2, 0.5, -2, -0.5], r.NetPositionMw.ToArray(), new Tol(1e-12));
        Assert.Equal([20, 2.5, 20, 2.5], r.SurplusEur.ToArray(), new Tol(1e-10));
        Assert.Equal(2.5, r.TradedVolumeMw, 1e-12);
        Assert.Equal(45, r.PeersWelfareEur, 1e-10);
        Assert.Equal(0, r.MediatorRevenueEur, 1e-10);
    }

    /// <summary>A seller at its volume bound: S = 1 for p ≥ 11, D = 100 − p on [95, 100]; the root of 1 = 100 − p is
    /// p = 99. Seller surplus 99 − 10.5 = 88.5, buyer 100 − 0.5 − 99 = 0.5.</summary>
    [Fact]
    public void A_peer_at_its_bound_leaves_the_price_to_the_other_side()
    {
        var r = DoubleAuction.Clear(new AuctionProblem([Seller("s", 10, 1, 1), Buyer("b", 100, 1, 5)]));
        Assert.Equal(99, r.PriceEurPerMwh!.Value, 1e-12);
        Assert.Equal([1, 1], r.QuantityMw.ToArray(), new Tol(1e-12));
        Assert.Equal([88.5, 0.5], r.SurplusEur.ToArray(), new Tol(1e-10));
    }

    /// <summary>Seller's cost 60 above the buyer's value 50: every price in [50, 60] clears (nothing trades); the
    /// midpoint 55 is reported with the interval.</summary>
    [Fact]
    public void No_trade_reports_the_midpoint_of_the_clearing_interval()
    {
        var r = DoubleAuction.Clear(new AuctionProblem([Seller("s", 60, 1, 1), Buyer("b", 50, 1, 1)]));
        Assert.Equal(55, r.PriceEurPerMwh!.Value, 1e-12);
        Assert.Equal(50, r.PriceLowEurPerMwh!.Value, 1e-12);
        Assert.Equal(60, r.PriceHighEurPerMwh!.Value, 1e-12);
        Assert.Equal(0, r.TradedVolumeMw);
    }

    [Fact]
    public void One_sided_market_has_no_price()
    {
        var r = DoubleAuction.Clear(new AuctionProblem([Seller("s", 10, 1, 1)]));
        Assert.Null(r.PriceEurPerMwh);
        Assert.Equal(0, r.TradedVolumeMw);
    }

    [Fact]
    public void Bad_slope_names_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => DoubleAuction.Clear(new AuctionProblem([Seller("s", 10, 0, 1), Buyer("b", 50, 1, 1)])));
        Assert.Equal("Peers[0].QuadraticCostEurPerMw2h", e.ParamName);
    }

    /// <summary>The auction price maximises welfare: moving any volume between the sides at the margin lowers it.</summary>
    [Fact]
    public void Auction_is_the_welfare_maximum_of_a_random_market()
    {
        var rng = new Random(3);
        var peers = Enumerable.Range(0, 40).Select(k => k % 2 == 0
            ? Seller($"s{k}", 40 + 20 * rng.NextDouble(), 5 + 20 * rng.NextDouble(), 0.1 + rng.NextDouble())
            : Buyer($"b{k}", 60 + 50 * rng.NextDouble(), 5 + 40 * rng.NextDouble(), 0.1 + rng.NextDouble())).ToArray();
        var r = DoubleAuction.Clear(new AuctionProblem(peers));
        double p = r.PriceEurPerMwh!.Value;
        // KKT: every interior peer's marginal cost/utility equals p; peers at 0 or V are on the right side of p.
        for (int k = 0; k < peers.Length; k++)
        {
            var peer = peers[k];
            double q = r.QuantityMw[k];
            double marginal = peer.Role == PeerRole.Seller ? peer.LinearCostEurPerMwh + peer.QuadraticCostEurPerMw2h * q : peer.LinearCostEurPerMwh - peer.QuadraticCostEurPerMw2h * q;
            if (q > 1e-12 && q < peer.MaxVolumeMw - 1e-12) Assert.Equal(p, marginal, 1e-9);
            else if (q <= 1e-12) Assert.True(peer.Role == PeerRole.Seller ? marginal >= p - 1e-9 : marginal <= p + 1e-9);
            else Assert.True(peer.Role == PeerRole.Seller ? marginal <= p + 1e-9 : marginal >= p - 1e-9);
        }
        Assert.Equal(0, r.NetPositionMw.Sum(), 1e-9);
    }
}

internal sealed class Tol(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
