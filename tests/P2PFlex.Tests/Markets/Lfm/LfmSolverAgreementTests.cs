using P2PFlex.Markets.Lfm;
using P2PFlex.Scenarios;
using static P2PFlex.Tests.Markets.Lfm.LfmTestGrids;

namespace P2PFlex.Tests.Markets.Lfm;

/// <summary>
/// The LFM cleared by our dual simplex (the default) and by GLOP alone agree: same status, the same minimum cost
/// (to 1e-9 relative: the LP's optimum is unique even where its minimiser is not), every limit kept — on every scenario
/// file's market on three feeders, on seeded random radial feeders with and without the balance row, and with
/// linearised voltage rows.
/// </summary>
public class LfmSolverAgreementTests
{
    private static readonly LfmOptions Glop = new(SkipLpWhenUncongested: false, LpSolver: LfmLpSolver.Glop);
    private static readonly LfmOptions DualSimplex = new(SkipLpWhenUncongested: false);

    [Theory]
    [InlineData("case69")]
    [InlineData("case33bw")]
    [InlineData("case141")]
    public void EveryScenarioFilesMarket_SameStatusAndCost(string feeder)
    {
        var context = StudyContext.Load(feeder: feeder);
        int bothOptimal = 0;
        foreach (var scenario in StudyContext.LoadScenarios().Where(s => !s.Lfm.VoltageAware))
        {
            var run = ScenarioRunner.Run(scenario, context, acCheck: false);
            if (run.Lfm.Status == LfmStatus.NotRun) continue;
            var problem = ScenarioLfm.Problem(scenario, run.Feeder, run.BeforeLfm, ScenarioLfm.ToFlexBids(run.Feeder.Network, run.LfmBids));

            var ours = LocalFlexibilityMarket.Clear(problem, DualSimplex);
            var glop = LocalFlexibilityMarket.Clear(problem, Glop);

            bothOptimal += AssertAgree(problem, ours, glop, $"{feeder}/{scenario.Name}");
        }

        Assert.True(bothOptimal >= 5, $"only {bothOptimal} markets cleared: the comparison would say little");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomRadialFeeders_SameStatusAndCost(bool requireBalance)
    {
        int bothOptimal = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            int buses = 8 + seed % 40;
            var problem = RandomRadialFeeder(buses, 2 * (buses - 1) + 4 + seed % 30, seed, requireBalance);
            bothOptimal += AssertAgree(problem, LocalFlexibilityMarket.Clear(problem, DualSimplex), LocalFlexibilityMarket.Clear(problem, Glop), $"seed {seed}");
        }

        Assert.True(bothOptimal >= 30, $"only {bothOptimal} random markets cleared");
    }

    [Fact]
    public void WithVoltageRows_SameStatusAndCost()
    {
        int bothOptimal = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var problem = RandomRadialFeeder(20, 50, 500 + seed);
            problem = problem with { Voltage = VoltageRows(problem, seed) };
            bothOptimal += AssertAgree(problem, LocalFlexibilityMarket.Clear(problem, DualSimplex), LocalFlexibilityMarket.Clear(problem, Glop), $"voltage seed {seed}");
        }

        Assert.True(bothOptimal >= 10, $"only {bothOptimal} voltage-constrained markets cleared");
    }

    [Fact]
    public void InfeasibleMarket_FallsBackToGlopAndReportsTheLeastOverflow()
    {
        // 1.5 MW over a 1 MW limit with 0.2 MW of relief: our solver proves infeasibility, GLOP measures the residual.
        var problem = TwoBus(1.5, 1.0, Up("a", 1, 0.2, 30.0));

        var result = LocalFlexibilityMarket.Clear(problem);

        Assert.Equal(LfmStatus.Infeasible, result.Status);
        Assert.Equal(LfmSolvePath.LinearProgram, result.Path);
        Assert.Equal(0.3, result.Infeasibility!.LeastTotalOverflowMw, 1e-9);
    }

    /// <summary>Returns 1 when both cleared (and asserts the agreement), 0 when both reported the same non-optimal status.</summary>
    private static int AssertAgree(LfmProblem problem, LfmResult ours, LfmResult glop, string what)
    {
        Assert.True(glop.Status == ours.Status, $"{what}: GLOP {glop.Status}, dual simplex {ours.Status}");
        if (glop.Status != LfmStatus.Optimal)
        {
            Assert.Equal(LfmSolvePath.LinearProgram, ours.Path);
            return 0;
        }

        Assert.True(ours.Path is LfmSolvePath.DualSimplex, $"{what}: solved by {ours.Path}, not the dual simplex");
        double cost = glop.CostEur!.Value;
        Assert.True(Math.Abs(ours.CostEur!.Value - cost) <= 1e-9 * Math.Max(1.0, Math.Abs(cost)), $"{what}: cost {ours.CostEur} vs GLOP {cost}");
        for (int l = 0; l < problem.LimitMw.Length; l++)
            Assert.True(Math.Abs(ours.PostLfmFlowMw[l]) <= problem.LimitMw[l] + 1e-7, $"{what}: line {l} at {ours.PostLfmFlowMw[l]} MW over {problem.LimitMw[l]} MW");
        return 1;
    }

    /// <summary>
    /// A plausible voltage sensitivity for a radial feeder: |V| at bus r rises with injection at bus k in proportion to
    /// the lines their paths to the slack share (0.004 p.u./MW per line), offsets so that a few buses start below 0.95.
    /// </summary>
    private static LinearVoltageLimits VoltageRows(LfmProblem problem, int seed)
    {
        var ptdf = problem.PtdfMwPerMw;
        int lines = problem.LineCount, buses = problem.BusCount;
        var s = new double[buses, buses];
        var offset = new double[buses];
        var rng = new Random(seed);
        for (int r = 0; r < buses; r++)
        {
            for (int k = 0; k < buses; k++)
            {
                double shared = 0.0;
                for (int l = 0; l < lines; l++) shared += ptdf[l, r] * ptdf[l, k];
                s[r, k] = 0.004 * shared;
            }

            offset[r] = 0.94 + 0.06 * rng.NextDouble();
        }

        return new LinearVoltageLimits(s, offset, 0.95, 1.05);
    }
}
