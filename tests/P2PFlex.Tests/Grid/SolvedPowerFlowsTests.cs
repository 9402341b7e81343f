using P2PFlex.Grid;

namespace P2PFlex.Tests.Grid;

/// <summary>
/// <see cref="SolvedPowerFlows"/> hands back a stored power flow only for the same network instance, the same loads by
/// bits and the same options (every property of <see cref="AcPowerFlowOptions"/>, found by reflection, must count), and
/// the stored flow is the one <see cref="AcPowerFlow"/> solves.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public sealed class SolvedPowerFlowsTests
{
    private static readonly GridNetwork Case69 = GridNetwork.Load(TestData.CasePath("case69"));

    private static SolvedPowerFlows.PowerFlowInput Input(GridNetwork? network = null, double[]? loadMw = null, AcPowerFlowOptions? options = null) =>
        new(network ?? Case69, loadMw ?? Case69.Buses.Select(b => b.PdMw).ToArray(), Case69.Buses.Select(b => b.QdMvar).ToArray(), options ?? new AcPowerFlowOptions());

    [Fact]
    public void The_same_network_loads_and_options_are_identical_and_any_change_is_not()
    {
        Assert.True(SolvedPowerFlows.Identical(Input(), Input()));
        // Another instance of the same case: its Newton structure is its own, so it is not the same problem.
        Assert.False(SolvedPowerFlows.Identical(Input(), Input(network: GridNetwork.Load(TestData.CasePath("case69")))));
        var loads = Case69.Buses.Select(b => b.PdMw).ToArray();
        loads[5] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(loads[5]) + 1);
        Assert.False(SolvedPowerFlows.Identical(Input(), Input(loadMw: loads)));
        var zero = Case69.Buses.Select(b => b.PdMw).ToArray();
        var minusZero = (double[])zero.Clone();
        Assert.Equal(0.0, zero[0]);
        minusZero[0] = -0.0;
        Assert.False(SolvedPowerFlows.Identical(Input(loadMw: zero), Input(loadMw: minusZero)));
    }

    [Fact]
    public void Every_option_counts()
    {
        foreach (var property in RecordCopies.PropertiesOf<AcPowerFlowOptions>())
        {
            var options = RecordCopies.With(new AcPowerFlowOptions(), property, value => value switch
            {
                double d => (object)(d * 2),
                int i => (object)(i + 1),
                _ => throw RecordCopies.CannotMove(typeof(AcPowerFlowOptions), property.Name, value),
            });
            Assert.False(SolvedPowerFlows.Identical(Input(), Input(options: options)), $"AcPowerFlowOptions.{property.Name} changed, yet the flows count as identical");
        }
    }

    [Fact]
    public void The_stored_flow_is_the_solve_of_the_identical_loads()
    {
        var loadMw = Case69.Buses.Select(b => 1.1 * b.PdMw).ToArray();
        var loadMvar = Case69.Buses.Select(b => 1.1 * b.QdMvar).ToArray();
        var first = SolvedPowerFlows.Solve(Case69, loadMw, loadMvar, null);
        var again = SolvedPowerFlows.Solve(Case69, [.. loadMw], [.. loadMvar], null);
        var fresh = AcPowerFlow.Solve(Case69, loadMw, loadMvar);

        Assert.Same(first, again);
        Assert.Equal(fresh.Voltages.Select(v => v.VmPu), first.Voltages.Select(v => v.VmPu));
        Assert.Equal(fresh.BranchFlows.Select(f => f.PFromMw), first.BranchFlows.Select(f => f.PFromMw));
    }

    [Fact]
    public void A_caller_that_reuses_its_load_array_does_not_change_the_stored_flow()
    {
        // The caller solves at one state, then writes the next state into the same array and solves again: the second
        // flow must be that state's, and asking for the first state again must give the first flow back.
        var loadMw = Case69.Buses.Select(b => 1.2 * b.PdMw).ToArray();
        var loadMvar = Case69.Buses.Select(b => 1.2 * b.QdMvar).ToArray();
        var firstLoads = (double[])loadMw.Clone();
        var first = SolvedPowerFlows.Solve(Case69, loadMw, loadMvar, null);
        for (int i = 0; i < loadMw.Length; i++) loadMw[i] *= 0.5;
        var second = SolvedPowerFlows.Solve(Case69, loadMw, loadMvar, null);
        var again = SolvedPowerFlows.Solve(Case69, firstLoads, loadMvar, null);

        Assert.NotSame(first, second);
        Assert.Equal(AcPowerFlow.Solve(Case69, loadMw, loadMvar).Voltages.Select(v => v.VmPu), second.Voltages.Select(v => v.VmPu));
        Assert.Same(first, again);
        Assert.Equal(AcPowerFlow.Solve(Case69, firstLoads, loadMvar).Voltages.Select(v => v.VmPu), again.Voltages.Select(v => v.VmPu));
    }
}
