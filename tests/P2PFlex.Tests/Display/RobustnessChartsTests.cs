using Plotly.NET;
using P2PFlex.Display;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Display;

/// <summary>Notebook 08's charts and tables: titles, axis labels with units, one box per scenario, hold rates in %.</summary>
public class RobustnessChartsTests
{
    private static readonly Lazy<(IReadOnlyList<MonteCarloRow> Rows, MonteCarloSummary Summary, ScenarioResult[] Shipped)> Data = new(() =>
    {
        var scenarios = StudyContext.LoadScenarios();
        var context = TestData.Study.Value;
        var job = new MonteCarloJob("case69", 6, 3, ScenarioReport.StudyScenarioNames);
        var rows = MonteCarloRunner.Run(job, context, scenarios, 0, 6);
        var shipped = scenarios.Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name)).Select(s => ScenarioRunner.Run(s, context)).ToArray();
        return (rows, MonteCarloSummary.Compute("case69", job.Scenarios, rows), shipped);
    });

    private static string Html(GenericChart chart) => GenericChart.toChartHTML(chart);

    [Fact]
    public void Kpi_boxes_have_one_box_per_scenario_a_title_and_the_unit()
    {
        var html = Html(RobustnessCharts.KpiBoxes(Data.Value.Rows, "lfm_cost_eur", ScenarioReport.StudyScenarioNames));
        Assert.Contains("LFM cost (€) per scenario over 6 draws (case69)", html);   // a title for people, not the column name
        Assert.Contains("\"LFM cost (€)\"", html);
        Assert.DoesNotContain("lfm_cost_eur", html);
        Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(html, "\"type\":\"box\"").Count);
        Assert.Contains("P2P volume (MW)", Html(RobustnessCharts.KpiBoxes(Data.Value.Rows, "p2p_volume_mw")));
        Assert.Contains("Total cost to the DSO (€) per scenario", Html(RobustnessCharts.KpiBoxes(Data.Value.Rows, "dso_total_eur")));
    }

    [Fact]
    public void Hold_rates_are_percentages_of_draws_per_check()
    {
        var summary = Data.Value.Summary;
        var html = Html(RobustnessCharts.HoldRates(summary));
        Assert.Contains("How often each finding of the study holds: case69, 6 draws", html);
        Assert.Contains("draws in which it holds (%)", html);
        Assert.Contains("pattern check", html);
        var table = RobustnessCharts.HoldRateTable(summary);
        Assert.Equal(12, table.RowCount);
        Assert.Equal(100.0, table.GetColumn<double>("SharePercent").Get(0));   // 0-congestions holds on every draw
        var feeders = Html(RobustnessCharts.HoldRatesByFeeder([summary, summary with { Feeder = "other" }]));
        Assert.Contains("other (6 draws)", feeders);
    }

    [Fact]
    public void The_studys_values_are_placed_in_our_distributions()
    {
        var frame = RobustnessCharts.StudyInDistribution(Data.Value.Rows, Data.Value.Shipped);
        Assert.Contains("StudyPercentile", frame.ColumnKeys);
        Assert.True(frame.RowCount >= 20, $"{frame.RowCount} rows");
        var percentiles = frame.GetColumn<double>("StudyPercentile").Values.ToArray();
        Assert.All(percentiles, p => Assert.InRange(p, 0, 100));
        var html = Html(RobustnessCharts.KpiBoxesWithStudy(Data.Value.Rows, "lfm_cost_eur", Data.Value.Shipped));
        Assert.Contains("study (Table 8)", html);
        Assert.Contains("shipped draw (notebooks 01–06)", html);
    }
}
