using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Tests.Grid;

namespace P2PFlex.Tests.Markets.Lfm;

public class VoltageAwareLfmTests
{
    private static readonly VoltageBand Band = new(0.90, 1.10);
    private static readonly VoltageAwareLfmOptions Options = new(Band);

    private static (GridNetwork Network, Ptdf Ptdf, double[] Injection, double[] Limits) Chain()
    {
        var network = VoltageFeeders.Chain4();
        return (network, Ptdf.Compute(network), network.BaseInjectionMw.ToArray(), [10, 10, 10]);
    }

    [Fact]
    public void The_hand_made_chain_violates_the_band_at_its_far_end()
    {
        var (network, _, injection, limits) = Chain();
        var state = AcGridCheck.Evaluate(network, injection, limits, Band);
        Assert.True(state.Converged);
        Assert.Equal(4, state.MinimumVoltage.Bus);
        Assert.InRange(state.MinimumVoltage.VmPu, 0.85, 0.90);
    }

    [Fact]
    public void Converges_on_a_binding_voltage_limit_with_the_activation_a_bisection_of_the_AC_flow_finds()
    {
        var (network, ptdf, injection, limits) = Chain();
        FlexBid[] bids = [new("far", 3, BidDirection.Up, 0.6, 50.0)];
        var r = VoltageAwareLfm.Clear(network, ptdf, injection, limits, bids, requireBalance: false, intervalHours: 1.0, Options);

        Assert.Equal(VoltageAwareLfmStatus.Converged, r.Status);
        Assert.InRange(r.Iterations, 2, Options.MaxIterations); // the first linearisation is not exact: it re-linearises
        Assert.Equal(LfmStatus.Optimal, r.Lfm.Status);
        // The AC state holds the band within the loop's tolerance, and the limit binds (activation costs money).
        Assert.True(r.AcState.MaxViolationPu <= Options.VoltageTolerancePu, $"residual violation {r.AcState.MaxViolationPu:R} p.u.");
        Assert.Equal(0.90, r.AcState.MinimumVoltage.VmPu, 1e-5);

        // Bisection on the AC power flow alone: the smallest activation that lifts bus 4 to 0.90 p.u.
        double lo = 0, hi = 0.6;
        for (int i = 0; i < 60; i++)
        {
            double mid = (lo + hi) / 2;
            var s = AcGridCheck.Evaluate(network, VoltageAwareLfm.Apply(injection, bids, [mid]), limits, Band);
            if (s.MinimumVoltage.VmPu < 0.90) lo = mid; else hi = mid;
        }
        // 1e-5 p.u. of loop tolerance at ∂|V4|/∂p4 ≈ 0.1 p.u./MW is 1e-4 MW.
        Assert.Equal(hi, r.Lfm.Activations[0].ActivatedMw, 2e-4);
        Assert.Equal(50.0 * r.Lfm.Activations[0].ActivatedMw, r.Lfm.CostEur!.Value, 1e-9);
    }

    [Fact]
    public void Picks_the_cheapest_way_to_lift_the_voltage_among_buses()
    {
        var (network, ptdf, injection, limits) = Chain();
        // Per p.u. of lift at bus 4, bus 2 needs about three times the MW of bus 4; at a third of the price per MW... plus a bit, bus 4 wins.
        FlexBid[] bids = [new("near", 1, BidDirection.Up, 1.5, 20.0), new("far", 3, BidDirection.Up, 0.6, 50.0)];
        var r = VoltageAwareLfm.Clear(network, ptdf, injection, limits, bids, false, 1.0, Options);
        Assert.Equal(VoltageAwareLfmStatus.Converged, r.Status);
        var s = VoltageSensitivity.Compute(network, AcPowerFlow.Solve(network));
        bool nearCheaper = 20.0 / s[3, 1] < 50.0 / s[3, 3];
        Assert.True(r.Lfm.Activations[nearCheaper ? 0 : 1].ActivatedMw > 0);
        Assert.Equal(0.0, r.Lfm.Activations[nearCheaper ? 1 : 0].ActivatedMw, 1e-9);
        Assert.Equal(0.90, r.AcState.MinimumVoltage.VmPu, 1e-5);
    }

    [Fact]
    public void When_no_bid_can_lift_a_voltage_the_status_is_infeasible_and_names_the_bus()
    {
        var (network, ptdf, injection, limits) = Chain();
        // Only a down bid (it lowers voltages) and an up bid far too small.
        FlexBid[] bids = [new("down", 2, BidDirection.Down, 0.5, 5.0), new("tiny", 3, BidDirection.Up, 0.001, 50.0)];
        var r = VoltageAwareLfm.Clear(network, ptdf, injection, limits, bids, false, 1.0, Options);
        Assert.Equal(VoltageAwareLfmStatus.Infeasible, r.Status);
        Assert.Contains(4, r.InfeasibleBuses);
        Assert.Empty(r.InfeasibleLines);
        Assert.Contains("bus", r.Message);
        Assert.Contains("4", r.Message);
        Assert.Null(r.Lfm.CostEur);
    }

    [Fact]
    public void Relieves_an_AC_line_overload_that_the_reactive_flow_causes()
    {
        var (network, ptdf, injection, _) = Chain();
        // Line 3–4 carries 0.5 MW and 0.2 MVAr (+ losses): |S| ≈ 0.54 MVA against a 0.52 MW limit. A DC check sees 0.5 < 0.52.
        double[] limits = [10, 10, 0.52];
        var wide = new VoltageAwareLfmOptions(new VoltageBand(0.5, 1.5));
        FlexBid[] bids = [new("far", 3, BidDirection.Up, 0.6, 50.0)];
        var before = AcGridCheck.Evaluate(network, injection, limits, wide.Band);
        Assert.Equal([3], before.CongestedLines);
        var r = VoltageAwareLfm.Clear(network, ptdf, injection, limits, bids, false, 1.0, wide);
        Assert.Equal(VoltageAwareLfmStatus.Converged, r.Status);
        Assert.True(r.AcState.MaxOverloadMva <= wide.LineToleranceMva, $"residual overload {r.AcState.MaxOverloadMva:R} MVA");
        Assert.Equal(0.52, r.AcState.Lines[2].SMaxMva, 1e-5);
    }

    [Fact]
    public void Stops_after_N_iterations_with_the_residual_violations()
    {
        var (network, ptdf, injection, limits) = Chain();
        FlexBid[] bids = [new("far", 3, BidDirection.Up, 0.6, 50.0)];
        var r = VoltageAwareLfm.Clear(network, ptdf, injection, limits, bids, false, 1.0, Options with { MaxIterations = 1, VoltageTolerancePu = 1e-12 });
        Assert.Equal(VoltageAwareLfmStatus.NotConverged, r.Status);
        Assert.Equal(1, r.Iterations);
        Assert.Contains("after 1 LP solves", r.Message);
    }
}

[Trait(TestTiers.Category, TestTiers.Fast)]
public class LfmVoltageRowTests
{
    private static LinearVoltageLimits Rows(double offset) =>
        new(new double[,] { { 0.0, 0.0 }, { 0.0, 0.1 } }, [1.0, offset], 0.90, 1.10);

    [Fact]
    public void A_voltage_row_is_met_at_least_cost()
    {
        // Bus 1 sits at 0.88 p.u. and rises 0.1 p.u. per MW injected there: 0.2 MW of the up bid are needed.
        FlexBid[] bids = [new("up", 1, BidDirection.Up, 1.0, 10.0)];
        var r = LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [0.5], [1.0], bids, Voltage: Rows(0.88)));
        Assert.Equal(LfmStatus.Optimal, r.Status);
        Assert.Equal(0.2, r.Activations[0].ActivatedMw, 1e-9);
        Assert.Equal(2.0, r.CostEur!.Value, 1e-8);
    }

    [Fact]
    public void Without_the_voltage_row_nothing_is_bought()
    {
        FlexBid[] bids = [new("up", 1, BidDirection.Up, 1.0, 10.0)];
        var r = LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [0.5], [1.0], bids));
        Assert.Equal(0.0, r.CostEur);
    }

    [Fact]
    public void Phase_one_names_the_row_no_bid_can_lift()
    {
        FlexBid[] bids = [new("down", 1, BidDirection.Down, 1.0, 10.0)];
        var r = LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [0.5], [1.0], bids, Voltage: Rows(0.88)));
        Assert.Equal(LfmStatus.Infeasible, r.Status);
        var v = Assert.Single(r.Infeasibility!.VoltageViolations!);
        Assert.Equal(1, v.Row);
        Assert.Equal(0.02, v.ResidualViolationPu, 1e-9);
        Assert.Empty(r.Infeasibility.OverloadedLines);
    }

    [Fact]
    public void Malformed_voltage_rows_are_refused_naming_the_field()
    {
        FlexBid[] bids = [new("up", 1, BidDirection.Up, 1.0, 10.0)];
        var bad = new LinearVoltageLimits(new double[,] { { 0.0, 0.1, 0.0 } }, [0.95], 0.9, 1.1);
        var e = Assert.Throws<ArgumentException>(() => LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [0.5], [1.0], bids, Voltage: bad)));
        Assert.Contains("SensitivityPuPerMw", e.ParamName);
        var inverted = new LinearVoltageLimits(new double[,] { { 0.0, 0.1 } }, [0.95], 1.1, 0.9);
        Assert.ThrowsAny<ArgumentException>(() => LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [0.5], [1.0], bids, Voltage: inverted)));
    }
}
