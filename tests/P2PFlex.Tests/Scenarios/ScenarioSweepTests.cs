using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class ScenarioSweepTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    [Fact]
    public void Sweep_points_equal_independent_runs()
    {
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        var points = ScenarioSweep.Run(s3, Context.Value, SweepParameter.W, [0.0, 0.1, 0.2]);
        Assert.Equal(3, points.Count);
        var cold = ScenarioRunner.Run(s3, Context.Value);   // W = 0.2 from the file
        // Warm-started from W = 0.1: the same equilibrium (solver tolerance 1e-9 MW) and so the same KPIs.
        Assert.Equal(cold.P2PVolumeMw, points[2].Result.P2PVolumeMw, 1e-7);
        Assert.Equal(cold.BeforeLfm.CongestedLines, points[2].Result.BeforeLfm.CongestedLines);
        Assert.Equal(cold.LfmCostEur!.Value, points[2].Result.LfmCostEur!.Value, 1e-5);
        // W = 0 is scenario 1 (no incentive at all).
        var s1 = ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == "1"), Context.Value);
        Assert.Equal(s1.P2PVolumeMw, points[0].Result.P2PVolumeMw, 1e-7);
    }

    [Fact]
    public void Range_and_parameter_errors()
    {
        Assert.Equal([0.0, 0.05, 0.1], ScenarioSweep.Range(0, 0.1, 0.05));
        Assert.Equal(20, ScenarioSweep.Range(0, 0.95, 0.05).Count);
        var s1 = StudyContext.LoadScenarios().Single(s => s.Name == "1");
        Assert.Throws<ArgumentException>(() => ScenarioSweep.With(s1, SweepParameter.W, 0.3));
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        Assert.Throws<ArgumentException>(() => ScenarioSweep.With(s3, SweepParameter.W, 1.0));
    }

    [Fact]
    public void The_least_DSO_total_is_the_smallest_total_of_the_sweep_not_the_cheapest_LFM()
    {
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        var points = ScenarioSweep.Run(s3, Context.Value, SweepParameter.W, ScenarioSweep.Range(0.05, 0.5, 0.05));
        var least = DsoTotalMinimum.Of(points, SweepParameter.W)!;
        var totals = points.Select(p => p.Kpis.Dso.TotalEur!.Value).ToArray();
        Assert.Equal(totals.Min(), least.Dso.TotalEur);
        Assert.Equal([points[Array.IndexOf(totals, totals.Min())].Value], least.Values);
        Assert.Empty(least.Unknown);
        foreach (var p in points)
        {
            var d = p.Kpis.Dso;
            Assert.Equal(d.TotalEur!.Value, d.LfmCostEur!.Value + d.IncentivesPaidEur - d.PenaltiesReceivedEur + d.CapacityPaymentsEur, 12);
        }
        // On the study data the two criteria disagree (issue 20): the cheapest LFM is at a larger W than the least total.
        double cheapestLfm = points.MinBy(p => p.Kpis.LfmCostEur!.Value)!.Value;
        Assert.True(cheapestLfm > least.Values[0], $"cheapest LFM at W = {cheapestLfm}, least total at W = {least.Values[0]}");
        Assert.StartsWith($"the DSO's total cost is least at W = {least.Values[0].ToString(System.Globalization.CultureInfo.InvariantCulture)}: ", least.Text);
        Assert.Null(DsoTotalMinimum.Of([], SweepParameter.W));
    }
}
