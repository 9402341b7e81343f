using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class GridCheckTests
{
    // 3-bus radial feeder 1–2–3 (slack 1) with loads 0.6 MW at bus 2 and 0.5 MW at bus 3: flows 1.1 and 0.5 MW.
    private static GridNetwork ThreeBus() => GridNetwork.FromCase(MatpowerReader.Parse("""
        function mpc = three
        mpc.version = '2';
        mpc.baseMVA = 10;
        mpc.bus = [1 3 0 0 0 0 1 1 0 10 1 1.1 0.9; 2 1 0.6 0 0 0 1 1 0 10 1 1.1 0.9; 3 1 0.5 0 0 0 1 1 0 10 1 1.1 0.9];
        mpc.gen = [1 0 0 10 -10 1 100 1 10 0];
        mpc.branch = [1 2 0.01 0.02 0 0 0 0 0 0 1 -360 360; 2 3 0.01 0.02 0 0 0 0 0 0 1 -360 360];
        """, "three.m"));

    [Fact]
    public void Flows_occupancy_and_overflow_by_hand()
    {
        var net = ThreeBus();
        var h = Ptdf.Compute(net);
        var result = GridCheck.Evaluate(h, net.BaseInjectionMw, new LineLimits(net, [1.0, 0.4]));
        Assert.Equal(1.1, result.Lines[0].FlowMw, 1e-12);
        Assert.Equal(0.5, result.Lines[1].FlowMw, 1e-12);
        Assert.Equal(1.1, result.Lines[0].Occupancy, 1e-12);
        Assert.Equal(1.25, result.Lines[1].Occupancy, 1e-12);
        Assert.Equal(0.1, result.Lines[0].OverflowMw, 1e-12);
        Assert.Equal(0.1, result.Lines[1].OverflowMw, 1e-12);
        Assert.Equal(2, result.CongestedLineCount);
        Assert.Equal([1, 2], result.CongestedLines);
        Assert.Equal(0.2, result.OverflowSumMw, 1e-12);
        // Capacity-weighted: (1.0·0.1 + 0.4·0.1) / (1.0 + 0.4) = 0.1.
        Assert.Equal(0.1, result.OverflowWeightedAverageMw, 1e-12);
        Assert.Equal((1.1 + 1.25) / 2, result.AverageOccupancy, 1e-12);
    }

    [Fact]
    public void Weighted_average_weights_by_capacity_and_ignores_uncongested_lines()
    {
        var net = ThreeBus();
        var flows = new[] { 1.5, 0.3 };
        var result = GridCheck.FromFlows(net, flows, [1.0, 0.4]);
        Assert.Equal(1, result.CongestedLineCount);
        Assert.Equal(0.5, result.OverflowSumMw, 1e-12);
        Assert.Equal(0.5, result.OverflowWeightedAverageMw, 1e-12);

        var two = GridCheck.FromFlows(net, [1.5, 0.6], [1.0, 0.4]);
        // (1.0·0.5 + 0.4·0.2) / 1.4 = 0.58 / 1.4
        Assert.Equal(0.58 / 1.4, two.OverflowWeightedAverageMw, 1e-12);
    }

    [Fact]
    public void Reverse_flows_count_by_magnitude_and_tolerance_applies()
    {
        var net = ThreeBus();
        var result = GridCheck.FromFlows(net, [-1.2, 0.4 + 5e-7], [1.0, 0.4]);
        Assert.Equal(0.2, result.Lines[0].OverflowMw, 1e-12);
        Assert.True(result.Lines[0].Congested);
        Assert.False(result.Lines[1].Congested);      // 5e-7 MW over: below τ = 1e-6 MW
        Assert.Equal(1, result.CongestedLineCount);
    }

    [Fact]
    public void Uncongested_grid_has_zero_KPIs()
    {
        var net = ThreeBus();
        var result = GridCheck.FromFlows(net, [0.5, 0.1], [1.0, 0.4]);
        Assert.Equal(0, result.CongestedLineCount);
        Assert.Equal(0, result.OverflowSumMw);
        Assert.Equal(0, result.OverflowWeightedAverageMw);
    }

    [Fact]
    public void Bad_limits_are_refused()
    {
        var net = ThreeBus();
        Assert.Throws<ArgumentException>(() => new LineLimits(net, [1.0]));
        Assert.Throws<ArgumentException>(() => new LineLimits(net, [1.0, -0.1]));
        Assert.Throws<ArgumentException>(() => new LineLimits(net, [1.0, double.NaN]));
        Assert.Throws<ArgumentException>(() => GridCheck.FromFlows(net, [double.NaN, 0], [1, 1]));
    }
}
