using P2PFlex.Grid;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class VoltageSensitivityTests
{
    // Stated tolerance (the issue's): S_V equals central finite differences of the AC power flow to 1e-6 p.u./MW. With
    // a step of 1e-4 MW and power flows solved to 1e-12 p.u., the differences themselves are exact to ~1e-8.
    private const double TolerancePuPerMw = 1e-6, StepMw = 1e-4;
    private static readonly AcPowerFlowOptions Tight = new(ToleranceMismatchPu: 1e-12, MaxIterations: 20);

    public static TheoryData<string, bool> Feeders => new()
    {
        { "chain4", false }, { "chain4", true }, { "case4_dist", false }, { "case4_dist", true },
    };

    [Theory]
    [MemberData(nameof(Feeders))]
    public void Sensitivities_equal_finite_differences_of_the_AC_power_flow(string feeder, bool atBasePowerFactor)
    {
        var network = feeder == "chain4" ? VoltageFeeders.Chain4() : GridNetwork.Load(TestData.CasePath(feeder));
        var pd = network.Buses.Select(b => b.PdMw).ToArray();
        var qd = network.Buses.Select(b => b.QdMvar).ToArray();
        var tanPhi = atBasePowerFactor ? AcGridCheck.ReactivePerActive(network) : new double[network.Buses.Count];
        var state = AcPowerFlow.Solve(network, pd, qd, Tight);
        Assert.True(state.Converged);
        var sv = VoltageSensitivity.Compute(network, state, tanPhi);

        int n = network.Buses.Count;
        int checkedNonZero = 0;
        for (int k = 0; k < n; k++)
        {
            double[] Vm(double dpMw)
            {
                var p = pd.ToArray();
                var q = qd.ToArray();
                p[k] -= dpMw; // an extra injection is a smaller load
                q[k] -= tanPhi[k] * dpMw;
                var r = AcPowerFlow.Solve(network, p, q, Tight);
                Assert.True(r.Converged);
                return r.Voltages.Select(v => v.VmPu).ToArray();
            }
            var up = Vm(StepMw);
            var down = Vm(-StepMw);
            for (int i = 0; i < n; i++)
            {
                double fd = (up[i] - down[i]) / (2 * StepMw);
                double analytic = sv[i, k];
                Assert.True(Math.Abs(fd - analytic) <= TolerancePuPerMw,
                    $"{feeder}: ∂|V_{network.Buses[i].Number}|/∂p_{network.Buses[k].Number} = {analytic:R}, finite difference {fd:R}");
                if (Math.Abs(analytic) > 1e-3) checkedNonZero++;
            }
        }
        // The comparison is not vacuous: most entries are far from zero.
        Assert.True(checkedNonZero >= 4, $"only {checkedNonZero} sizeable sensitivities");
    }

    [Fact]
    public void Slack_and_PV_voltages_do_not_move_and_injections_raise_voltages_on_a_radial_feeder()
    {
        var network = GridNetwork.Load(TestData.CasePath("case4_dist"));
        var sv = VoltageSensitivity.Compute(network, AcPowerFlow.Solve(network));
        int slack = network.SlackIndex, pv = network.IndexOfBus(400);
        for (int k = 0; k < network.Buses.Count; k++)
        {
            Assert.Equal(0.0, sv[slack, k]);
            Assert.Equal(0.0, sv[pv, k]);
            Assert.Equal(0.0, sv[k, slack]);
        }
        var chain = VoltageFeeders.Chain4();
        var s = VoltageSensitivity.Compute(chain, AcPowerFlow.Solve(chain));
        // Injecting at the far end lifts every downstream voltage most at the far end.
        Assert.True(s[3, 3] > s[2, 3] && s[2, 3] > s[1, 3] && s[1, 3] > 0);
    }

    [Fact]
    public void A_state_that_did_not_converge_is_refused_with_its_message()
    {
        var chain = VoltageFeeders.Chain4();
        var failed = AcPowerFlow.Solve(chain, new AcPowerFlowOptions(MaxIterations: 1));
        var e = Assert.Throws<ArgumentException>(() => VoltageSensitivity.Compute(chain, failed));
        Assert.Contains("converged power flow", e.Message);
    }
}
