using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class AcGridCheckTests
{
    [Fact]
    public void At_the_base_injections_it_is_the_case_files_power_flow()
    {
        var network = GridNetwork.Load(TestData.CasePath("case69"));
        var limits = Enumerable.Repeat(10.0, network.Branches.Count).ToArray();
        var state = AcGridCheck.Evaluate(network, network.BaseInjectionMw, limits);
        var reference = AcPowerFlow.Solve(network);
        Assert.Equal(reference.Voltages.Select(v => v.VmPu), state.Buses.Select(b => b.VmPu));
        Assert.Equal(65, state.MinimumVoltage.Bus);
        Assert.Equal(0.90918771, state.MinimumVoltage.VmPu, 1e-6); // MATPOWER 8.1
        Assert.Equal(0.22499169, state.LossesMw, 1e-6);
        Assert.Equal(0, state.BusesOutside());
        Assert.Equal(9, state.BusesOutside(VoltageBand.Tight));
    }

    [Fact]
    public void Reactive_loads_keep_each_buses_base_power_factor()
    {
        var network = VoltageFeeders.Chain4();
        var injection = network.BaseInjectionMw.ToArray();
        injection[1] += 0.2; // bus 2 consumes 0.2 MW less
        injection[3] += 0.7; // bus 4 exports 0.2 MW
        var (p, q) = AcGridCheck.Loads(network, injection);
        double[] expectedP = [0, 0.3, 0.5, -0.2], expectedQ = [0, 0.12, 0.2, -0.08];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expectedP[i], p[i], 1e-12);
            Assert.Equal(expectedQ[i], q[i], 1e-12);
        }
    }

    [Fact]
    public void Loading_is_the_larger_apparent_power_of_the_two_ends_over_the_limit_in_MVA()
    {
        var network = VoltageFeeders.Chain4();
        double[] limits = [2.0, 1.2, 0.52];
        var state = AcGridCheck.Evaluate(network, network.BaseInjectionMw, limits);
        for (int l = 0; l < 3; l++)
        {
            var line = state.Lines[l];
            double s = Math.Max(Math.Sqrt(line.PFromMw * line.PFromMw + line.QFromMvar * line.QFromMvar), Math.Sqrt(line.PToMw * line.PToMw + line.QToMvar * line.QToMvar));
            Assert.Equal(s, line.SMaxMva, 1e-12);
            Assert.Equal(s / limits[l], line.Loading, 1e-12);
        }
        // Line 3–4 carries 0.5 MW: within 0.52 MW in DC, above 0.52 MVA in AC (its 0.2 MVAr count too).
        Assert.Equal([3], state.CongestedLines);
        var dc = GridCheck.Evaluate(Ptdf.Compute(network), network.BaseInjectionMw, new LineLimits(network, limits));
        var comparison = new DcAcComparison(dc.CongestedLines, state.CongestedLines);
        Assert.Equal([3], comparison.AcOnly);
        Assert.Empty(comparison.DcOnly);
        Assert.Equal([3], comparison.Disagreeing);
    }

    [Fact]
    public void A_state_that_does_not_converge_is_a_status_not_a_crash()
    {
        var network = VoltageFeeders.Chain4(loadMw: 8.0);
        var state = AcGridCheck.Evaluate(network, network.BaseInjectionMw, [1, 1, 1]);
        Assert.False(state.Converged);
        Assert.Empty(state.CongestedLines);
        var kpis = AcStateKpis.Of(state, new DcAcComparison([1], state.CongestedLines));
        Assert.NotEqual("Converged", kpis.PowerFlowStatus);
        Assert.Null(kpis.MinVmPu);
        Assert.Null(kpis.LossesMw);
        Assert.Null(kpis.DcAcDisagreements);
    }

    [Fact]
    public void The_band_is_checked()
    {
        var network = VoltageFeeders.Chain4();
        Assert.Throws<ArgumentException>(() => AcGridCheck.Evaluate(network, network.BaseInjectionMw, [1, 1, 1], new VoltageBand(1.1, 0.9)));
        Assert.Equal(0.05, new VoltageBand(0.9, 1.1).ViolationPu(0.85), 1e-12);
        Assert.Equal(0.02, new VoltageBand(0.9, 1.1).ViolationPu(1.12), 1e-12);
        Assert.Equal(0.0, new VoltageBand(0.9, 1.1).ViolationPu(1.0));
    }
}
