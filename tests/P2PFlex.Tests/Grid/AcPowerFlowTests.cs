using P2PFlex.Grid;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class AcPowerFlowTests
{
    // Stated tolerances: bus voltages must agree with MATPOWER 8.1 to 1e-6 p.u. (the requirement) — in practice
    // they agree to ~1e-11 because both solve to the same 1e-8 p.u. mismatch from the same start; angles to 1e-6 degrees;
    // branch flows and losses to 1e-6 MW.
    private const double VoltageTolerancePu = 1e-6, AngleToleranceDeg = 1e-6, PowerToleranceMw = 1e-6;

    public static TheoryData<string> Cases => new(TestData.AllCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_MATPOWER_bus_by_bus_and_branch_by_branch(string name)
    {
        var network = GridNetwork.Load(TestData.CasePath(name));
        var result = AcPowerFlow.Solve(network);
        var summary = TestData.ReadFixture($"{name}_ac_summary.csv").Single();
        Assert.Equal(PowerFlowStatus.Converged, result.Status);
        Assert.Equal((int)summary["iterations"], result.Iterations);
        Assert.True(result.MaxMismatchPu < 1e-8);
        Assert.Equal(summary["losses_mw"], result.LossesMw, PowerToleranceMw);
        Assert.Equal(summary["vmin_pu"], result.MinimumVoltage.VmPu, VoltageTolerancePu);

        var buses = TestData.ReadFixture($"{name}_ac_buses.csv");
        Assert.Equal(buses.Count, result.Voltages.Count);
        for (int i = 0; i < buses.Count; i++)
        {
            Assert.Equal((int)buses[i]["bus"], result.Voltages[i].Bus);
            Assert.Equal(buses[i]["vm_pu"], result.Voltages[i].VmPu, VoltageTolerancePu);
            Assert.Equal(buses[i]["va_deg"], result.Voltages[i].VaDeg, AngleToleranceDeg);
        }
        var branches = TestData.ReadFixture($"{name}_ac_branches.csv");
        foreach (var flow in result.BranchFlows)
        {
            var row = branches.Single(r => (int)r["index"] == flow.CaseIndex);
            Assert.Equal(row["p_from_mw"], flow.PFromMw, PowerToleranceMw);
            Assert.Equal(row["q_from_mvar"], flow.QFromMvar, PowerToleranceMw);
            Assert.Equal(row["p_to_mw"], flow.PToMw, PowerToleranceMw);
            Assert.Equal(row["q_to_mvar"], flow.QToMvar, PowerToleranceMw);
        }
    }

    [Theory]
    [InlineData("case69", 4, 224.99169, 0.90918771, 65)]
    [InlineData("case33bw", 3, 202.677, 0.913090, 18)]
    [InlineData("case141", 3, 632.696, 0.927862, 87)]
    public void Reproduces_the_published_MATPOWER_figures(string name, int iterations, double lossesKw, double vmin, int vminBus)
    {
        var result = AcPowerFlow.Solve(GridNetwork.Load(TestData.CasePath(name)));
        Assert.Equal(iterations, result.Iterations);
        Assert.Equal(lossesKw, result.LossesMw * 1000, 0.001);   // published to 1e-3 kW (1e-5 for case69)
        Assert.Equal(vmin, result.MinimumVoltage.VmPu, 1e-6);
        Assert.Equal(vminBus, result.MinimumVoltage.Bus);
    }

    [Fact]
    public void Losses_equal_the_power_balance_of_the_slack()
    {
        // Physical identity: what the slack sends in equals load plus losses.
        var network = GridNetwork.Load(TestData.CasePath("case69"));
        var result = AcPowerFlow.Solve(network);
        double slackOut = result.BranchFlows.Where(f => f.FromBus == 1).Sum(f => f.PFromMw);
        Assert.Equal(network.Buses.Sum(b => b.PdMw) + result.LossesMw, slackOut, 1e-6);
    }

    [Fact]
    public void Non_convergence_is_a_status_with_iterations_and_mismatch()
    {
        var network = GridNetwork.Load(TestData.CasePath("case69"));
        var limited = AcPowerFlow.Solve(network, new AcPowerFlowOptions(MaxIterations: 2));
        Assert.Equal(PowerFlowStatus.MaxIterationsReached, limited.Status);
        Assert.Equal(2, limited.Iterations);
        Assert.True(limited.MaxMismatchPu > 1e-8);
        Assert.Contains("did not converge in 2 iterations", limited.Message);

        // Five times the feeder's load has no power-flow solution: reported, not thrown.
        var heavy = AcPowerFlow.Solve(network, network.Buses.Select(b => b.PdMw * 5).ToArray(), network.Buses.Select(b => b.QdMvar * 5).ToArray());
        Assert.NotEqual(PowerFlowStatus.Converged, heavy.Status);
        Assert.False(heavy.Converged);
    }
}
