using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>Bad input raises an <see cref="ArgumentException"/> whose ParamName names the field.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class InputValidationTests
{
    private static readonly Peer GoodSeller = new("s", PeerRole.Seller, 1, 50, 2);
    private static readonly Peer GoodBuyer = new("b", PeerRole.Buyer, 1, 110, 4);
    private static readonly TradePair GoodPair = new(0, 1, 5, 5);

    private static P2PMarketProblem With(Peer? seller = null, Peer? buyer = null, TradePair? pair = null,
        double epsilon = 1e-3, double interval = 1) =>
        new([seller ?? GoodSeller, buyer ?? GoodBuyer], [pair ?? GoodPair], epsilon, interval);

    public static TheoryData<string, P2PMarketProblem> BadProblems => new()
    {
        { "Peers[0].MaxVolumeMw", With(seller: GoodSeller with { MaxVolumeMw = double.NaN }) },
        { "Peers[1].MaxVolumeMw", With(buyer: GoodBuyer with { MaxVolumeMw = -0.1 }) },
        { "Peers[0].MaxVolumeMw", With(seller: GoodSeller with { MaxVolumeMw = double.PositiveInfinity }) },
        { "Peers[0].LinearCostEurPerMwh", With(seller: GoodSeller with { LinearCostEurPerMwh = double.NaN }) },
        { "Peers[1].QuadraticCostEurPerMw2h", With(buyer: GoodBuyer with { QuadraticCostEurPerMw2h = 0 }) },
        { "Peers[0].QuadraticCostEurPerMw2h", With(seller: GoodSeller with { QuadraticCostEurPerMw2h = -1 }) },
        { "Peers[0].Role", With(seller: GoodSeller with { Role = (PeerRole)7 }) },
        { "Pairs[0].BuyerIndex", With(pair: GoodPair with { BuyerIndex = 5 }) },
        { "Pairs[0].SellerIndex", With(pair: GoodPair with { SellerIndex = -1 }) },
        { "Pairs[0].SellerIndex", With(pair: new TradePair(1, 1, 0, 0)) },
        { "Pairs[0].BuyerIndex", With(pair: new TradePair(0, 0, 0, 0)) },
        { "Pairs[0].SellerPreferenceEurPerMwh", With(pair: GoodPair with { SellerPreferenceEurPerMwh = double.NaN }) },
        { "Pairs[0].BuyerPreferenceEurPerMwh", With(pair: GoodPair with { BuyerPreferenceEurPerMwh = double.NegativeInfinity }) },
        { "Pairs[0].CapMw", With(pair: GoodPair with { CapMw = -1 }) },
        { "Pairs[0].CapMw", With(pair: GoodPair with { CapMw = double.NaN }) },
        { "EpsilonEurPerMw2h", With(epsilon: -1e-3) },
        { "EpsilonEurPerMw2h", With(epsilon: double.NaN) },
        { "IntervalHours", With(interval: 0) },
    };

    [Theory]
    [MemberData(nameof(BadProblems))]
    public void BadProblem_ErrorNamesTheField_InEveryEntryPoint(string field, P2PMarketProblem problem)
    {
        Assert.Equal(field, Assert.ThrowsAny<ArgumentException>(problem.Validate).ParamName);
        Assert.Equal(field, Assert.ThrowsAny<ArgumentException>(() => CentralizedP2PSolver.Solve(problem)).ParamName);
        Assert.Equal(field, Assert.ThrowsAny<ArgumentException>(() => AdmmP2PSolver.Solve(problem)).ParamName);
        Assert.Equal(field, Assert.ThrowsAny<ArgumentException>(() => P2PKktChecker.Check(problem, [0.0])).ParamName);
    }

    [Fact]
    public void DuplicatePair_IsRejected()
    {
        var problem = new P2PMarketProblem([GoodSeller, GoodBuyer], [GoodPair, GoodPair with { CapMw = 1 }]);
        Assert.Equal("Pairs[1]", Assert.ThrowsAny<ArgumentException>(problem.Validate).ParamName);
    }

    [Theory]
    [InlineData(3)]  // few pairs among 80 peers: the check uses a hash set
    [InlineData(60)] // many pairs: the check uses a bit per (seller, buyer)
    public void DuplicatePair_IsRejected_AtItsSecondListing_HoweverManyPairs(int pairCount)
    {
        var peers = Enumerable.Range(0, 80).Select(k => k < 40 ? GoodSeller : GoodBuyer).ToArray();
        var pairs = Enumerable.Range(0, pairCount - 1).Select(p => new TradePair(p % 40, 40 + (p * 7 + p / 40) % 40, 5, 5)).ToList();
        Assert.Equal(pairs.Count, pairs.Select(p => (p.SellerIndex, p.BuyerIndex)).Distinct().Count());
        new P2PMarketProblem(peers, pairs).Validate();
        pairs.Add(pairs[pairCount / 2] with { CapMw = 1 });
        Assert.Equal($"Pairs[{pairCount - 1}]", Assert.ThrowsAny<ArgumentException>(new P2PMarketProblem(peers, pairs).Validate).ParamName);
    }

    [Fact]
    public void Centralised_RejectsZeroEpsilon_WithClearMessage()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => CentralizedP2PSolver.Solve(With(epsilon: 0)));
        Assert.Equal("EpsilonEurPerMw2h", ex.ParamName);
        Assert.Contains("ε > 0", ex.Message);
    }

    [Fact]
    public void Centralised_RejectsBadWarmStart()
    {
        var problem = With();
        Assert.Equal("warmStartPricesEurPerMwh",
            Assert.ThrowsAny<ArgumentException>(() => CentralizedP2PSolver.Solve(problem, null, [50.0])).ParamName);
        Assert.Equal("warmStartPricesEurPerMwh[1]",
            Assert.ThrowsAny<ArgumentException>(() => CentralizedP2PSolver.Solve(problem, null, [50.0, double.NaN])).ParamName);
    }

    [Fact]
    public void Admm_RejectsBadWarmStart()
    {
        var problem = With();
        var other = AdmmP2PSolver.Solve(P2PTestMarkets.Medium(), new AdmmSolverOptions(MaxIterations: 1));
        Assert.Equal("warmStart", Assert.ThrowsAny<ArgumentException>(() => AdmmP2PSolver.Solve(problem, null, other)).ParamName);
    }

    [Fact]
    public void BadOptions_ErrorNamesTheField()
    {
        var problem = With();
        Assert.Equal("BalanceToleranceMw", Assert.ThrowsAny<ArgumentException>(
            () => CentralizedP2PSolver.Solve(problem, new CentralizedSolverOptions(BalanceToleranceMw: 0))).ParamName);
        Assert.Equal("MaxIterations", Assert.ThrowsAny<ArgumentException>(
            () => CentralizedP2PSolver.Solve(problem, new CentralizedSolverOptions(MaxIterations: -1))).ParamName);
        Assert.Equal("PrimalToleranceMw", Assert.ThrowsAny<ArgumentException>(
            () => AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(PrimalToleranceMw: -1))).ParamName);
        Assert.Equal("DualToleranceEurPerMwh", Assert.ThrowsAny<ArgumentException>(
            () => AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(DualToleranceEurPerMwh: double.NaN))).ParamName);
        Assert.Equal("InitialRhoEurPerMw2h", Assert.ThrowsAny<ArgumentException>(
            () => AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(InitialRhoEurPerMw2h: 0))).ParamName);
        Assert.Equal("BalancingFactor", Assert.ThrowsAny<ArgumentException>(
            () => AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(BalancingFactor: 0.5))).ParamName);
    }

    [Fact]
    public void KktChecker_RejectsBadTrades()
    {
        var problem = With();
        Assert.Equal("tradesMw", Assert.ThrowsAny<ArgumentException>(() => P2PKktChecker.Check(problem, [1.0, 2.0])).ParamName);
        Assert.Equal("tradesMw[0]", Assert.ThrowsAny<ArgumentException>(() => P2PKktChecker.Check(problem, [double.NaN])).ParamName);
        Assert.Equal("netPositionMw", Assert.ThrowsAny<ArgumentException>(() => P2PKktChecker.Check(problem, [1.0], [1.0])).ParamName);
        Assert.Equal("activeToleranceMw", Assert.ThrowsAny<ArgumentException>(() => P2PKktChecker.Check(problem, [1.0], null, -1)).ParamName);
    }

    [Fact]
    public void NullLists_AreRejected()
    {
        var problem = new P2PMarketProblem(null!, [GoodPair]);
        Assert.Equal("Peers", Assert.ThrowsAny<ArgumentException>(problem.Validate).ParamName);
    }
}
