using P2PFlex.Markets.Lfm;
using static P2PFlex.Tests.Markets.Lfm.LfmTestGrids;

namespace P2PFlex.Tests.Markets.Lfm;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class LocalFlexibilityMarketTests
{
    private const double Tol = 1e-9;
    private static readonly LfmOptions ForceLp = new(SkipLpWhenUncongested: false);

    private static double Activation(LfmResult result, string bidId) =>
        result.Activations.Single(a => a.BidId == bidId).ActivatedMw;

    [Fact]
    public void UncongestedGrid_FastPath_ActivatesNothingAndCostsZero()
    {
        var problem = TwoBus(0.8, 1.0, Up("a", 1, 1.0, 45.0), Down("b", 1, 1.0, 10.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(LfmSolvePath.FastPathUncongested, result.Path);
        Assert.Equal(0.0, result.CostEur);
        Assert.All(result.Activations, a => Assert.Equal(0.0, a.ActivatedMw));
        Assert.Equal([0.8], result.PostLfmFlowMw.ToArray());
        Assert.Equal([0.0], result.LineLimitDualEurPerMwhPerMw.ToArray());
        Assert.Equal(0.0, result.UpwardTotalMw);
        Assert.Equal(0.0, result.DownwardTotalMw);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UncongestedGrid_ForcedLp_ActivatesNothingAndCostsZero(bool requireBalance)
    {
        var problem = TwoBus(0.8, 1.0, Up("a", 1, 1.0, 45.0), Down("b", 1, 1.0, 10.0)) with
        {
            RequireBalance = requireBalance,
        };

        var result = LocalFlexibilityMarket.Clear(problem, ForceLp);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(LfmSolvePath.DualSimplex, result.Path);
        Assert.Equal(0.0, result.CostEur);
        Assert.All(result.Activations, a => Assert.Equal(0.0, a.ActivatedMw));
        Assert.Equal(0.8, result.PostLfmFlowMw[0], Tol);
        Assert.Equal(0.0, result.LineLimitDualEurPerMwhPerMw[0]);
    }

    [Fact]
    public void UncongestedRandomFeeder_ForcedLpAgreesWithFastPath()
    {
        var congested = RandomRadialFeeder(busCount: 69, bidCount: 172, seed: 7);
        var problem = congested with { LimitMw = congested.BaseFlowMw.Select(f => Math.Abs(f) + 0.1).ToArray() };

        var fast = LocalFlexibilityMarket.Clear(problem);
        var lp = LocalFlexibilityMarket.Clear(problem, ForceLp);

        Assert.Equal(LfmSolvePath.FastPathUncongested, fast.Path);
        Assert.Equal(LfmSolvePath.DualSimplex, lp.Path);
        Assert.Equal(LfmStatus.Optimal, lp.Status);
        Assert.Equal(0.0, lp.CostEur);
        Assert.All(lp.Activations, a => Assert.Equal(0.0, a.ActivatedMw));
        Assert.All(lp.LineLimitDualEurPerMwhPerMw, d => Assert.Equal(0.0, d));
    }

    [Fact]
    public void TwoBus_CheapestUpBidRelievesExactlyTheOverflow()
    {
        // 1.2 MW towards the load at bus 2, limit 1.0: 0.2 MW more injection at bus 2 is needed.
        // The 45 €/MWh bid covers it alone: 0.2 MW × 45 €/MWh × 1 h = 9 €.
        var problem = TwoBus(1.2, 1.0, Up("p50", 1, 1.0, 50.0), Up("p45", 1, 1.0, 45.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(LfmSolvePath.DualSimplex, result.Path);
        Assert.Equal(0.2, Activation(result, "p45"), Tol);
        Assert.Equal(0.0, Activation(result, "p50"), Tol);
        Assert.Equal(9.0, result.CostEur!.Value, Tol);
        Assert.Equal(1.0, result.PostLfmFlowMw[0], Tol);
        Assert.Equal(0.2, result.UpwardTotalMw, Tol);
        Assert.Equal(0.0, result.DownwardTotalMw);
        Assert.Null(result.Infeasibility);
        Assert.Null(result.SolverMessage);
    }

    [Fact]
    public void TwoBus_WhenCheapBidIsTooSmallTheNextOneFillsTheRest()
    {
        // 0.1 MW at 45 plus 0.1 MW at 50: 4.5 + 5 = 9.5 €.
        var problem = TwoBus(1.2, 1.0, Up("p50", 1, 1.0, 50.0), Up("p45", 1, 0.1, 45.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(0.1, Activation(result, "p45"), Tol);
        Assert.Equal(0.1, Activation(result, "p50"), Tol);
        Assert.Equal(9.5, result.CostEur!.Value, Tol);
    }

    [Fact]
    public void TwoBus_DualOfBindingLimitIsTheMarginalBidPrice()
    {
        // One more MW of limit saves one MW of the marginal (45 €/MWh) bid: shadow price +45 €/MWh per MW
        // (reported non-negative: the cost decrease per MW of extra limit).
        var single = LocalFlexibilityMarket.Clear(TwoBus(1.2, 1.0, Up("p50", 1, 1.0, 50.0), Up("p45", 1, 1.0, 45.0)));
        Assert.Equal(45.0, single.LineLimitDualEurPerMwhPerMw[0], Tol);

        // When the 45 bid is exhausted, the 50 bid is marginal.
        var exhausted = LocalFlexibilityMarket.Clear(TwoBus(1.2, 1.0, Up("p50", 1, 1.0, 50.0), Up("p45", 1, 0.1, 45.0)));
        Assert.Equal(50.0, exhausted.LineLimitDualEurPerMwhPerMw[0], Tol);

        // Cross-check by finite difference of the cost.
        var relaxed = LocalFlexibilityMarket.Clear(TwoBus(1.2, 1.01, Up("p50", 1, 1.0, 50.0), Up("p45", 1, 1.0, 45.0)));
        Assert.Equal(45.0, (single.CostEur!.Value - relaxed.CostEur!.Value) / 0.01, 1e-6);
    }

    [Fact]
    public void TwoBus_ReverseFlowUsesDownBidAndLowerSideDualIsPositive()
    {
        // PV export: f⁰ = −1.3 MW (bus 2 → bus 1), limit 1.0. 0.3 MW less injection at bus 2 at 25 €/MWh = 7.5 €.
        var problem = TwoBus(-1.3, 1.0, Down("curtail", 1, 0.5, 25.0), Up("up", 1, 1.0, 1.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(0.3, Activation(result, "curtail"), Tol);
        Assert.Equal(0.0, Activation(result, "up"), Tol);
        Assert.Equal(7.5, result.CostEur!.Value, Tol);
        Assert.Equal(-1.0, result.PostLfmFlowMw[0], Tol);
        Assert.Equal(25.0, result.LineLimitDualEurPerMwhPerMw[0], Tol);
        Assert.Equal(0.3, result.DownwardTotalMw, Tol);
    }

    [Fact]
    public void Interval_length_scales_cost_but_not_the_dual()
    {
        var problem = TwoBus(1.2, 1.0, Up("p45", 1, 1.0, 45.0)) with { IntervalHours = 0.25 };

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(0.2, Activation(result, "p45"), Tol);
        Assert.Equal(2.25, result.CostEur!.Value, Tol); // 0.2 MW × 45 €/MWh × 0.25 h
        Assert.Equal(45.0, result.LineLimitDualEurPerMwhPerMw[0], Tol);
    }

    [Fact]
    public void TwoBus_BalanceCanBeMetByADownBidAtTheSlack()
    {
        // Balance on: the 0.2 MW up at bus 2 (45) must be matched by 0.2 MW down; the slack column of H is
        // zero, so down at bus 1 (30) does not touch the line. Cost 0.2 × (45 + 30) = 15 €.
        var problem = TwoBus(1.2, 1.0, Up("up2", 1, 1.0, 45.0), Down("down1", 0, 1.0, 30.0)) with { RequireBalance = true };

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(0.2, Activation(result, "up2"), Tol);
        Assert.Equal(0.2, Activation(result, "down1"), Tol);
        Assert.Equal(15.0, result.CostEur!.Value, Tol);
        Assert.Equal(result.UpwardTotalMw, result.DownwardTotalMw, Tol);
        Assert.Equal(75.0, result.LineLimitDualEurPerMwhPerMw[0], Tol);
    }

    [Fact]
    public void ThreeBusRadial_WithBalance_PicksCheapestFeasibleCombination()
    {
        // Chain 0 (slack) — 1 — 2; loads 0.5 MW at bus 1 and 1.5 MW at bus 2, so f⁰ = [2.0, 1.5];
        // limits [1.6, 1.0]: both lines overloaded. With Δp_k the net injection change:
        //   line 1: 1.5 − Δp2 ≤ 1.0          → Δp2 ≥ 0.5
        //   line 0: 2.0 − Δp1 − Δp2 ≤ 1.6    → Δp2 ≥ 0.4 + d1   (d1 = down at bus 1, Δp1 = −d1)
        //   balance: up total = down total.
        // Up: 0.5 MW at bus 2 = 0.3 × 40 + 0.2 × 60 = 24 €. Down 0.5 MW: bus 1 is cheapest (10) but
        // line 0 allows only d1 = 0.1; the rest, 0.4, at the slack bus (30): 1 + 12 = 13 €. Total 37 €.
        // Down at bus 2 (5 €/MWh) would cancel up at bus 2 and is unused.
        // Duals: +ε on line 1's limit lets U and d1 both drop by ε: 60 + 10 = 70 €/MWh per MW;
        //        +ε on line 0's limit moves ε of down from the slack (30) to bus 1 (10): 20 €/MWh per MW.
        var problem = new LfmProblem(
            ThreeBusChainPtdf(),
            [2.0, 1.5],
            [1.6, 1.0],
            [
                Up("U2a", 2, 0.3, 40.0),
                Up("U2b", 2, 1.0, 60.0),
                Down("D0", 0, 1.0, 30.0),
                Down("D1", 1, 1.0, 10.0),
                Down("D2", 2, 1.0, 5.0),
            ],
            RequireBalance: true);

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(0.3, Activation(result, "U2a"), Tol);
        Assert.Equal(0.2, Activation(result, "U2b"), Tol);
        Assert.Equal(0.4, Activation(result, "D0"), Tol);
        Assert.Equal(0.1, Activation(result, "D1"), Tol);
        Assert.Equal(0.0, Activation(result, "D2"), Tol);
        Assert.Equal(0.5, result.UpwardTotalMw, Tol);
        Assert.Equal(0.5, result.DownwardTotalMw, Tol);
        Assert.Equal(37.0, result.CostEur!.Value, Tol);
        Assert.Equal(1.6, result.PostLfmFlowMw[0], Tol);
        Assert.Equal(1.0, result.PostLfmFlowMw[1], Tol);
        Assert.Equal(20.0, result.LineLimitDualEurPerMwhPerMw[0], Tol);
        Assert.Equal(70.0, result.LineLimitDualEurPerMwhPerMw[1], Tol);
    }

    [Fact]
    public void ActivationMustNotOverloadAnotherLine_CostlierBidIsUsed()
    {
        // Chain 0 (slack) — 1 — 2; loads 1.5 MW at bus 1 and 0.2 MW at bus 2: f⁰ = [1.7, 0.2].
        // Line 0 (limit 0.8) needs Δp1 + Δp2 ≥ 0.9. The battery at bus 2 (30 €/MWh) could do it alone
        // for 27 €, but then line 1 would carry 0.2 − 0.9 = −0.7 MW against its 0.5 MW limit. So the battery
        // is capped at 0.7 MW (line 1 at −0.5, lower side binding) and 0.2 MW comes from bus 1 at 70:
        // 21 + 14 = 35 €. Duals: line 0 → 70 (the marginal bid); line 1 → 70 − 30 = 40 (each MW more
        // reverse capacity swaps 1 MW from the 70 bid to the 30 one).
        var bids = new[] { Up("battery2", 2, 2.0, 30.0), Up("load1", 1, 2.0, 70.0) };
        var problem = new LfmProblem(ThreeBusChainPtdf(), [1.7, 0.2], [0.8, 0.5], bids);

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, result.Status);
        Assert.Equal(0.7, Activation(result, "battery2"), Tol);
        Assert.Equal(0.2, Activation(result, "load1"), Tol);
        Assert.Equal(35.0, result.CostEur!.Value, Tol);
        Assert.Equal(0.8, result.PostLfmFlowMw[0], Tol);
        Assert.Equal(-0.5, result.PostLfmFlowMw[1], Tol);
        Assert.Equal(70.0, result.LineLimitDualEurPerMwhPerMw[0], Tol);
        Assert.Equal(40.0, result.LineLimitDualEurPerMwhPerMw[1], Tol);

        // With a generous limit on line 1 the cheap battery does everything and line 1's dual is 0.
        var loose = LocalFlexibilityMarket.Clear(problem with { LimitMw = [0.8, 5.0] });
        Assert.Equal(0.9, Activation(loose, "battery2"), Tol);
        Assert.Equal(0.0, Activation(loose, "load1"), Tol);
        Assert.Equal(27.0, loose.CostEur!.Value, Tol);
        Assert.Equal(0.0, loose.LineLimitDualEurPerMwhPerMw[1]);
    }

    [Fact]
    public void InsufficientOrderBook_IsInfeasibleWithLeastResidualOverflow()
    {
        // Overflow 0.5 MW (1.5 on a 1.0 line); only 0.1 + 0.1 MW of up at bus 2 exists, the down bid only
        // makes it worse. Least overflow 0.5 − 0.2 = 0.3 MW on line 0.
        var problem = TwoBus(1.5, 1.0, Up("a", 1, 0.1, 40.0), Up("b", 1, 0.1, 50.0), Down("c", 1, 1.0, 10.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Infeasible, result.Status);
        Assert.Null(result.CostEur);
        Assert.All(result.Activations, a => Assert.Equal(0.0, a.ActivatedMw));
        Assert.Equal([1.5], result.PostLfmFlowMw.ToArray());
        var infeasibility = Assert.IsType<LfmInfeasibility>(result.Infeasibility);
        Assert.Equal(0.3, infeasibility.LeastTotalOverflowMw, Tol);
        var line = Assert.Single(infeasibility.OverloadedLines);
        Assert.Equal(0, line.LineIndex);
        Assert.Equal(0.3, line.ResidualOverflowMw, Tol);
        Assert.Equal(1.3, line.FlowMw, Tol);
        Assert.Equal(0.1, infeasibility.Phase1Activations.Single(a => a.BidId == "a").ActivatedMw, Tol);
        Assert.Equal(0.1, infeasibility.Phase1Activations.Single(a => a.BidId == "b").ActivatedMw, Tol);
        Assert.Equal(0.0, infeasibility.Phase1Activations.Single(a => a.BidId == "c").ActivatedMw, Tol);
    }

    [Fact]
    public void BalanceWithoutAnyDownBid_IsInfeasibleWithFullOverflow()
    {
        // The up bid would suffice, but with balance required and no down bid nothing can be activated.
        var problem = TwoBus(1.2, 1.0, Up("a", 1, 1.0, 45.0)) with { RequireBalance = true };

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Infeasible, result.Status);
        Assert.Null(result.CostEur);
        Assert.Equal(0.2, result.Infeasibility!.LeastTotalOverflowMw, Tol);
        Assert.Equal(0, Assert.Single(result.Infeasibility.OverloadedLines).LineIndex);
    }

    [Fact]
    public void CongestionWithEmptyOrderBook_IsInfeasible()
    {
        var problem = new LfmProblem(ThreeBusChainPtdf(), [2.0, 1.5], [2.5, 1.0], []);

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Infeasible, result.Status);
        Assert.Null(result.CostEur);
        Assert.Empty(result.Activations);
        Assert.Equal(0.5, result.Infeasibility!.LeastTotalOverflowMw, Tol);
        Assert.Equal(1, Assert.Single(result.Infeasibility.OverloadedLines).LineIndex);
    }

    [Fact]
    public void Negative_price_bid_skips_fast_path_and_is_activated_within_limits()
    {
        // No congestion, but the bidder pays 10 €/MWh to be activated, so zero activation is no longer
        // optimal and the LP must run. Line 0 would allow up to 1.8 MW of up at bus 2 (0.8 → −1.0), so the
        // full 0.5 MW volume is taken: flow 0.3 MW, cost −5 €.
        var problem = TwoBus(0.8, 1.0, Up("neg", 1, 0.5, -10.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmSolvePath.DualSimplex, result.Path);
        Assert.Equal(0.5, Activation(result, "neg"), Tol);
        Assert.Equal(-5.0, result.CostEur!.Value, Tol);
        Assert.Equal(0.3, result.PostLfmFlowMw[0], Tol);
    }

    [Fact]
    public void Overflow_within_tolerance_takes_fast_path()
    {
        var problem = TwoBus(1.0 + 1e-7, 1.0, Up("a", 1, 1.0, 45.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmSolvePath.FastPathUncongested, result.Path);
        Assert.Equal(0.0, result.CostEur);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomFeeder_RespectsAllLimitsAndIsBitIdenticalAcrossSolves(bool requireBalance)
    {
        var problem = RandomRadialFeeder(busCount: 69, bidCount: 172, seed: 42, requireBalance);
        Assert.Contains(problem.BaseFlowMw.Select((f, l) => Math.Abs(f) - problem.LimitMw[l]), excess => excess > 1e-3);

        var first = LocalFlexibilityMarket.Clear(problem);
        var second = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Optimal, first.Status);
        for (int l = 0; l < problem.LimitMw.Length; l++)
        {
            Assert.True(Math.Abs(first.PostLfmFlowMw[l]) <= problem.LimitMw[l] + 1e-7, $"line {l} over its limit");
        }

        if (requireBalance)
        {
            Assert.Equal(first.UpwardTotalMw, first.DownwardTotalMw, 1e-7);
        }

        Assert.Equal(first.Status, second.Status);
        Assert.Equal(Bits(first.CostEur!.Value), Bits(second.CostEur!.Value));
        Assert.Equal(first.Activations.Select(a => Bits(a.ActivatedMw)), second.Activations.Select(a => Bits(a.ActivatedMw)));
        Assert.Equal(first.PostLfmFlowMw.Select(Bits), second.PostLfmFlowMw.Select(Bits));
        Assert.Equal(first.LineLimitDualEurPerMwhPerMw.Select(Bits), second.LineLimitDualEurPerMwhPerMw.Select(Bits));
        Assert.Equal(Bits(first.UpwardTotalMw), Bits(second.UpwardTotalMw));
        Assert.Equal(Bits(first.DownwardTotalMw), Bits(second.DownwardTotalMw));
    }

    [Fact]
    public void Infeasible_result_is_bit_identical_across_solves()
    {
        var problem = TwoBus(1.5, 1.0, Up("a", 1, 0.1, 40.0), Up("b", 1, 0.1, 50.0));

        var first = LocalFlexibilityMarket.Clear(problem);
        var second = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(
            Bits(first.Infeasibility!.LeastTotalOverflowMw), Bits(second.Infeasibility!.LeastTotalOverflowMw));
        Assert.Equal(first.Infeasibility.OverloadedLines.ToArray(), second.Infeasibility.OverloadedLines.ToArray());
    }

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
