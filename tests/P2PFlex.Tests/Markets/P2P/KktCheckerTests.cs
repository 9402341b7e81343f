using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>The checker accepts exact optima and quantifies each kind of violation on wrong outcomes.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class KktCheckerTests
{
    private static readonly P2PMarketProblem OneToOne = P2PTestMarkets.OneToOne(); // q* = 50/6.001

    [Fact]
    public void ClosedFormOptimum_Passes_WithDerivedPrices()
    {
        double q = 50 / 6.001;
        var report = P2PKktChecker.Check(OneToOne, [q], [q, -q]);

        Assert.True(report.IsSatisfied(1e-12, 1e-10), report.ToString());
        Assert.Equal(50 + 2 * q, report.ImpliedPriceEurPerMwh[0], 1e-10);
        Assert.Equal(110 - 4 * q, report.ImpliedPriceEurPerMwh[1], 1e-10);
        Assert.Equal(1, report.InteriorTradeCount);
    }

    [Fact]
    public void TooMuchTrade_ReportsStationarityViolation_OfTheRightSize()
    {
        // q* + δ: ν − μ − c − ε q = −(a + b + ε) δ.
        double q = 50 / 6.001 + 0.1;
        var report = P2PKktChecker.Check(OneToOne, [q]);

        Assert.Equal(6.001 * 0.1, report.StationarityViolationEurPerMwh, 1e-9);
        Assert.Equal(0, report.WorstPairIndex);
        Assert.False(report.IsSatisfied(1e-9, 1e-6));
    }

    [Fact]
    public void MissingProfitableTrade_ReportsComplementarityViolation()
    {
        // No trade although λ − π − c = 50 €/MWh > 0: at q = 0 the prices are π and λ.
        var report = P2PKktChecker.Check(OneToOne, [0.0]);

        Assert.Equal(50, report.ComplementarityViolationEurPerMwh, 1e-12);
        Assert.Equal(0, report.StationarityViolationEurPerMwh);
    }

    [Fact]
    public void TradeAtCap_WhenCapNotWorthIt_ReportsComplementarityViolation()
    {
        // Cap 9 above the optimum 8.33: sitting at the cap needs ν − μ ≥ c + ε cap, which fails.
        var problem = P2PTestMarkets.OneToOne(cap: 9);
        var report = P2PKktChecker.Check(problem, [9.0]);

        Assert.Equal(6.001 * (9 - 50 / 6.001), report.ComplementarityViolationEurPerMwh, 1e-9);
    }

    [Fact]
    public void BoundAndBalanceViolations_AreMeasuredInMw()
    {
        var capped = P2PTestMarkets.OneToOne(cap: 3);
        var report = P2PKktChecker.Check(capped, [3.5], [3.0, -3.5]);

        Assert.Equal(0.5, report.BoundViolationMw, 1e-12);
        Assert.Equal(0.5, report.BalanceViolationMw, 1e-12);
    }

    [Fact]
    public void WrongSplitBetweenEquivalentSellers_IsDetected()
    {
        // Two identical sellers, one buyer: by symmetry (and ε > 0) the optimum splits evenly.
        var problem = new P2PMarketProblem(
            [
                new Peer("s1", PeerRole.Seller, 10, 50, 2),
                new Peer("s2", PeerRole.Seller, 10, 50, 2),
                new Peer("b", PeerRole.Buyer, 20, 110, 4),
            ],
            [new TradePair(0, 2, 5, 5), new TradePair(1, 2, 5, 5)]);
        var optimum = CentralizedP2PSolver.Solve(problem);
        double half = optimum.TradesMw[0];
        Assert.Equal(half, optimum.TradesMw[1], 1e-9);

        var even = P2PKktChecker.Check(problem, optimum);
        var skewed = P2PKktChecker.Check(problem, [half + 0.5, half - 0.5]);

        Assert.True(even.IsSatisfied(1e-9, 1e-6), even.ToString());
        Assert.True(skewed.StationarityViolationEurPerMwh > 0.5, skewed.ToString());
    }

    [Fact]
    public void SellerAtCapacity_PricedByBuyer_Passes()
    {
        // Seller V = 3 binds: the seller's price is only bounded below; the interior buyer fixes it.
        var problem = P2PTestMarkets.OneToOne(vSeller: 3);
        var report = P2PKktChecker.Check(problem, [3.0]);

        Assert.True(report.IsSatisfied(1e-12, 1e-10), report.ToString());
        Assert.Equal(98 - 10 - 0.003, report.ImpliedPriceEurPerMwh[0], 1e-10);
    }
}
