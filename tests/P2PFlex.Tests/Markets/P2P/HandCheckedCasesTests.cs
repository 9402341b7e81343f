using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// Small markets whose equilibrium follows in closed form, solved by both solvers. Tolerances: the
/// centralised solver is exact up to its 1e-9 MW balance tolerance; ADMM stops at 1e-8 MW copy mismatch
/// and 1e-6 €/MWh dual residual, which leaves volumes within about 1e-6 MW on these cases.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class HandCheckedCasesTests
{
    public static TheoryData<string> Solvers => new() { "centralised", "admm" };

    internal static P2PMarketResult Solve(string solver, P2PMarketProblem problem) => solver switch
    {
        "centralised" => CentralizedP2PSolver.Solve(problem),
        "admm" => AdmmP2PSolver.Solve(problem),
        _ => throw new ArgumentOutOfRangeException(nameof(solver)),
    };

    private static double VolumeTolerance(string solver) => solver == "centralised" ? 1e-9 : 1e-6;

    private static double PriceTolerance(string solver) => solver == "centralised" ? 1e-6 : 1e-4;

    [Theory]
    [MemberData(nameof(Solvers))]
    public void OneSellerOneBuyer_MatchesClosedForm(string solver)
    {
        // q = (λ − π − c_s − c_b)/(a + b + ε) = (110 − 50 − 10)/(2 + 4 + 0.001)
        var problem = P2PTestMarkets.OneToOne();
        var result = Solve(solver, problem);

        double q = 50 / 6.001;
        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(q, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(q, result.NetPositionMw[0], VolumeTolerance(solver));
        Assert.Equal(-q, result.NetPositionMw[1], VolumeTolerance(solver));
        Assert.Equal(q, result.TradedVolumeMw, VolumeTolerance(solver));
        Assert.Equal(50 + 2 * q, result.PriceEurPerMwh[0], PriceTolerance(solver)); // seller's marginal cost
        Assert.Equal(110 - 4 * q, result.PriceEurPerMwh[1], PriceTolerance(solver)); // buyer's marginal utility
        Assert.Equal(50 + 2 * q + 5 + 0.0005 * q, result.TradePriceEurPerMwh[0], PriceTolerance(solver));
        // welfare = Δt·[(λ − π − c) q − ½ (a + b + ε) q²] = ½·50²/6.001 for Δt = 1 h
        Assert.Equal(0.5 * 2500 / 6.001, result.WelfareEur, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void OneSellerOneBuyer_ClippedAtSellerVolume(string solver)
    {
        // Unclipped q = 8.33 MW exceeds the seller's 3 MW: the seller sells all of it; the buyer's marginal
        // utility sets the price and the seller's price is that minus the preferences and ε q.
        var problem = P2PTestMarkets.OneToOne(vSeller: 3);
        var result = Solve(solver, problem);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(3, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(110 - 4 * 3, result.PriceEurPerMwh[1], PriceTolerance(solver));
        Assert.Equal(98 - 10 - 0.003, result.PriceEurPerMwh[0], 1e-3);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void TwoSellersOneBuyer_CheaperSellerFillsFirst(string solver)
    {
        // s0: π = 20, a = 0.1, V = 5 (cheap); s1: π = 50, a = 1, V = 10; buyer λ = 70, b = 1, V = 20; c = 0.
        // s0 sells its full 5 MW; s1 covers the rest: 70 − (5 + q1) − (50 + q1) = ε q1 → q1 = 15/2.001.
        var problem = TwoSellers(lambda: 70);
        var result = Solve(solver, problem);

        double q1 = 15 / 2.001;
        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(5, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(q1, result.TradesMw[1], VolumeTolerance(solver));
        Assert.Equal(-(5 + q1), result.NetPositionMw[2], VolumeTolerance(solver));
        Assert.Equal(50 + q1, result.PriceEurPerMwh[1], PriceTolerance(solver));
        Assert.Equal(65 - q1, result.PriceEurPerMwh[2], PriceTolerance(solver));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void TwoSellersOneBuyer_ExpensiveSellerLeftOut(string solver)
    {
        // With λ = 40 the buyer's marginal utility after the cheap 5 MW is 35 €/MWh < π = 50 of s1.
        var problem = TwoSellers(lambda: 40);
        var result = Solve(solver, problem);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(5, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(0, result.TradesMw[1], VolumeTolerance(solver));
        Assert.Equal(0, result.NetPositionMw[1], VolumeTolerance(solver));
        Assert.Equal(35, result.PriceEurPerMwh[2], PriceTolerance(solver));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void BlockedPair_ForcesVolumeToTheOtherSeller(string solver)
    {
        // Same sellers, but the cheap seller may not sell to the buyer (pair absent): it is a 1-to-1 market
        // between s1 and the buyer, q = (70 − 50)/(1 + 1 + ε).
        var peers = TwoSellers(lambda: 70).Peers;
        var problem = new P2PMarketProblem(peers, [new TradePair(1, 2, 0, 0)]);
        var result = Solve(solver, problem);

        double q = 20 / 2.001;
        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(q, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(0, result.NetPositionMw[0], VolumeTolerance(solver));
        Assert.Equal(q, result.NetPositionMw[1], VolumeTolerance(solver));
        Assert.Equal(-q, result.NetPositionMw[2], VolumeTolerance(solver));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void BlockedPair_BuyerWithoutPairsGetsNothing(string solver)
    {
        // One seller, two identical buyers, only the pair to buyer 1 allowed: buyer 2 consumes nothing and
        // the rest is the 1-to-1 closed form.
        var problem = new P2PMarketProblem(
            [
                new Peer("s", PeerRole.Seller, 10, 50, 2),
                new Peer("b1", PeerRole.Buyer, 10, 110, 4),
                new Peer("b2", PeerRole.Buyer, 10, 110, 4),
            ],
            [new TradePair(0, 1, 5, 5)]);
        var result = Solve(solver, problem);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(50 / 6.001, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(0, result.NetPositionMw[2]);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void CapBinding_TradeStopsAtCapAndPricesSeparate(string solver)
    {
        // Unclipped 8.33 MW, cap 3 MW: both peers inside their bounds, each priced at its own margin.
        var problem = P2PTestMarkets.OneToOne(cap: 3);
        var result = Solve(solver, problem);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(3, result.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(50 + 2 * 3, result.PriceEurPerMwh[0], PriceTolerance(solver));
        Assert.Equal(110 - 4 * 3, result.PriceEurPerMwh[1], PriceTolerance(solver));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void ZeroTrade_WhenBuyerValuesLessThanCostPlusPreferences(string solver)
    {
        // λ = 55 < π + c_s + c_b = 60: no trade; also the boundary case λ = 60.
        foreach (double lambda in new[] { 55.0, 60.0 })
        {
            var result = Solve(solver, P2PTestMarkets.OneToOne(lambda: lambda));
            Assert.Equal(SolveStatus.Converged, result.Status);
            Assert.Equal(0, result.TradesMw[0], VolumeTolerance(solver));
            Assert.Equal(0, result.TradedVolumeMw, VolumeTolerance(solver));
            Assert.Equal(0, result.WelfareEur, 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void IntervalLength_ScalesWelfareOnly(string solver)
    {
        var hour = Solve(solver, P2PTestMarkets.OneToOne());
        var quarter = Solve(solver, P2PTestMarkets.OneToOne(intervalHours: 0.25));

        Assert.Equal(hour.TradesMw[0], quarter.TradesMw[0], VolumeTolerance(solver));
        Assert.Equal(hour.PriceEurPerMwh[1], quarter.PriceEurPerMwh[1], PriceTolerance(solver));
        Assert.Equal(0.25 * hour.WelfareEur, quarter.WelfareEur, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void HandCases_PassTheKktChecker(string solver)
    {
        var problems = new[]
        {
            P2PTestMarkets.OneToOne(),
            P2PTestMarkets.OneToOne(vSeller: 3),
            P2PTestMarkets.OneToOne(cap: 3),
            P2PTestMarkets.OneToOne(lambda: 55),
            TwoSellers(lambda: 70),
            TwoSellers(lambda: 40),
        };
        foreach (var problem in problems)
        {
            var report = P2PKktChecker.Check(problem, Solve(solver, problem), activeToleranceMw: 1e-7);
            Assert.True(report.IsSatisfied(1e-9, PriceTolerance(solver)), report.ToString());
        }
    }

    [Fact]
    public void Admm_AcceptsZeroEpsilon()
    {
        // ε = 0: q = (λ − π − c)/(a + b) = 50/6.
        var result = AdmmP2PSolver.Solve(P2PTestMarkets.OneToOne(epsilon: 0));

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(50 / 6.0, result.TradesMw[0], 1e-6);
    }

    internal static P2PMarketProblem TwoSellers(double lambda) => new(
        [
            new Peer("cheap", PeerRole.Seller, 5, 20, 0.1),
            new Peer("dear", PeerRole.Seller, 10, 50, 1),
            new Peer("buyer", PeerRole.Buyer, 20, lambda, 1),
        ],
        [new TradePair(0, 2, 0, 0), new TradePair(1, 2, 0, 0)]);
}
