using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>Status reporting, determinism, warm starts and edge cases of both solvers.</summary>
public class SolverBehaviourTests
{
    [Fact]
    public void Admm_WithThreeIterations_ReportsMaxIterationsReached()
    {
        var result = AdmmP2PSolver.Solve(P2PTestMarkets.Study70(), new AdmmSolverOptions(MaxIterations: 3));

        Assert.Equal(SolveStatus.MaxIterationsReached, result.Status);
        Assert.Equal(3, result.Iterations);
        Assert.True(result.PrimalResidualMw > 1e-8 || result.DualResidualEurPerMwh > 1e-6);
        Assert.Equal(AdmmP2PSolver.Name, result.Solver);
    }

    [Fact]
    public void Centralised_WithOneIteration_ReportsMaxIterationsReached()
    {
        var result = CentralizedP2PSolver.Solve(P2PTestMarkets.Study70(), new CentralizedSolverOptions(MaxIterations: 1));

        Assert.Equal(SolveStatus.MaxIterationsReached, result.Status);
        Assert.Equal(1, result.Iterations);
        Assert.True(result.PrimalResidualMw > 1e-9);
    }

    [Fact]
    public void Centralised_ZeroIterations_ReturnsTheColdStartEvaluation()
    {
        var result = CentralizedP2PSolver.Solve(P2PTestMarkets.OneToOne(), new CentralizedSolverOptions(MaxIterations: 0));

        Assert.Equal(SolveStatus.MaxIterationsReached, result.Status);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(50, result.PriceEurPerMwh[0]);
        Assert.Equal(110, result.PriceEurPerMwh[1]);
    }

    [Fact]
    public void Admm_ZeroIterations_ReturnsFiniteStartingPoint()
    {
        var result = AdmmP2PSolver.Solve(P2PTestMarkets.OneToOne(), new AdmmSolverOptions(MaxIterations: 0));

        Assert.Equal(SolveStatus.MaxIterationsReached, result.Status);
        Assert.Equal(0, result.Iterations);
        Assert.All(result.PriceEurPerMwh, price => Assert.True(double.IsFinite(price)));
        Assert.Equal(0, result.TradedVolumeMw);
    }

    [Fact]
    public void Admm_WithoutResidualBalancing_StillConverges()
    {
        var options = new AdmmSolverOptions(BalancingThreshold: double.PositiveInfinity, InitialRhoEurPerMw2h: 10);
        var result = AdmmP2PSolver.Solve(P2PTestMarkets.OneToOne(), options);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(50 / 6.001, result.TradesMw[0], 1e-6);
    }

    public static TheoryData<string> Solvers => HandCheckedCasesTests.Solvers;

    [Theory]
    [MemberData(nameof(Solvers))]
    public void SolvingTwice_GivesBitIdenticalResults(string solver)
    {
        var problem = P2PTestMarkets.Medium();
        var first = HandCheckedCasesTests.Solve(solver, problem);
        var second = HandCheckedCasesTests.Solve(solver, problem);

        Assert.Equal(first.Status, second.Status);
        Assert.Equal(first.Iterations, second.Iterations);
        AssertBits(first.TradesMw, second.TradesMw);
        AssertBits(first.NetPositionMw, second.NetPositionMw);
        AssertBits(first.PriceEurPerMwh, second.PriceEurPerMwh);
        AssertBits(first.TradePriceEurPerMwh, second.TradePriceEurPerMwh);
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.WelfareEur), BitConverter.DoubleToInt64Bits(second.WelfareEur));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.PrimalResidualMw), BitConverter.DoubleToInt64Bits(second.PrimalResidualMw));
    }

    [Fact]
    public void Centralised_WarmStartAfterLocalPreferenceChange_NeedsFewerIterations_AndGivesTheSameResult()
    {
        var study = P2PTestMarkets.Study70();
        var before = CentralizedP2PSolver.Solve(study);
        // Callers re-solve after small changes of the preference costs: five pairs become 1 €/MWh dearer.
        var changed = study with
        {
            Pairs = study.Pairs.Select((p, n) => n % 245 == 0 ? p with { BuyerPreferenceEurPerMwh = 21 } : p).ToList(),
        };

        var cold = CentralizedP2PSolver.Solve(changed);
        var warm = CentralizedP2PSolver.Solve(changed, null, before.PriceEurPerMwh);

        Assert.Equal(SolveStatus.Converged, cold.Status);
        Assert.Equal(SolveStatus.Converged, warm.Status);
        Assert.True(warm.Iterations <= 3, $"warm {warm.Iterations} vs cold {cold.Iterations}");
        Assert.True(warm.Iterations < cold.Iterations, $"warm {warm.Iterations} vs cold {cold.Iterations}");
        for (int k = 0; k < changed.Peers.Count; k++)
            Assert.Equal(cold.NetPositionMw[k], warm.NetPositionMw[k], 1e-8);
    }

    [Fact]
    public void Centralised_WarmStartAfterGlobalPreferenceChange_FallsBackAndStillConverges()
    {
        // Every buyer preference +0.5 €/MWh: at the old prices all trades switch off (0.5 ≫ ε q), so the
        // warm start is abandoned for the cold start after a few slow steps.
        var study = P2PTestMarkets.Study70();
        var before = CentralizedP2PSolver.Solve(study);
        var changed = P2PTestMarkets.AllPairs(35, 35, (_, _) => (20, 20.5));

        var cold = CentralizedP2PSolver.Solve(changed);
        var warm = CentralizedP2PSolver.Solve(changed, null, before.PriceEurPerMwh);

        Assert.Equal(SolveStatus.Converged, warm.Status);
        Assert.True(warm.Iterations <= cold.Iterations + 5, $"warm {warm.Iterations} vs cold {cold.Iterations}");
        for (int k = 0; k < changed.Peers.Count; k++)
            Assert.Equal(cold.NetPositionMw[k], warm.NetPositionMw[k], 1e-8);
    }

    [Fact]
    public void Admm_WarmStartFromPreviousResult_Converges()
    {
        var problem = P2PTestMarkets.OneToOne();
        var first = AdmmP2PSolver.Solve(problem);
        var again = AdmmP2PSolver.Solve(problem, null, first);

        Assert.Equal(SolveStatus.Converged, again.Status);
        Assert.True(again.Iterations <= first.Iterations);
        Assert.Equal(first.TradesMw[0], again.TradesMw[0], 1e-6);
    }

    [Fact]
    public void CappedStudyCase_UsesInteriorPointPhase_AndStillConvergesExactly()
    {
        // Caps well below the unconstrained trades: many trades must leave the active set from above.
        var study = P2PTestMarkets.Study70();
        var pairs = study.Pairs.Select((p, n) => p with { CapMw = 0.002 * (1 + P2PTestMarkets.Frac(0.37 * n)) }).ToList();
        var problem = study with { Pairs = pairs };

        var result = CentralizedP2PSolver.Solve(problem);
        var report = P2PKktChecker.Check(problem, result);

        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(CentralizedP2PSolver.NameWithInteriorPoint, result.Solver);
        Assert.True(report.IsSatisfied(1e-9, 1e-6), report.ToString());
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void EmptyAndDegenerateMarkets_AreHandled(string solver)
    {
        var empty = HandCheckedCasesTests.Solve(solver, new P2PMarketProblem([], []));
        Assert.Equal(SolveStatus.Converged, empty.Status);
        Assert.Empty(empty.TradesMw);

        // A peer with V = 0 and a zero cap: everything is pinned at zero.
        var pinned = new P2PMarketProblem(
            [new Peer("s", PeerRole.Seller, 0, 50, 2), new Peer("b", PeerRole.Buyer, 1, 110, 4), new Peer("s2", PeerRole.Seller, 1, 50, 2)],
            [new TradePair(0, 1, 0, 0), new TradePair(2, 1, 0, 0, CapMw: 0)]);
        var result = HandCheckedCasesTests.Solve(solver, pinned);
        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(0, result.TradedVolumeMw);
    }

    private static void AssertBits(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[k]), BitConverter.DoubleToInt64Bits(actual[k]));
    }
}
