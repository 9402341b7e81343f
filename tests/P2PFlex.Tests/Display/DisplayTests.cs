using Plotly.NET;
using P2PFlex.Display;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Display;

public class DisplayTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    private static string Html(GenericChart chart) => GenericChart.toChartHTML(chart);

    [Fact]
    public void Charts_carry_titles_axis_labels_and_units()
    {
        var feeder = Context.Value.BaseFeeder;
        var check = feeder.Check();
        var occupancy = Html(StudyCharts.OccupancyPerLine(check, "Occupancy per line, base state"));
        Assert.Contains("Plotly.newPlot", occupancy);
        Assert.Contains("Occupancy per line, base state", occupancy);
        Assert.Contains("occupancy |f| / F (%)", occupancy);
        Assert.Contains("44 (44–45)", occupancy);

        var diagram = Html(StudyCharts.FeederDiagram(feeder, check, "case69"));
        Assert.Contains("congested line", diagram);
        var voltages = Html(StudyCharts.Voltages(AcPowerFlow.Solve(feeder.Network), "Voltages"));
        Assert.Contains("voltage magnitude (p.u.)", voltages);
        Assert.Contains("number of lines", Html(StudyCharts.OccupancyDistribution(check, "Distribution")));
    }

    [Fact]
    public void Charts_do_not_change_their_inputs_and_are_deterministic()
    {
        var check = Context.Value.BaseFeeder.Check();
        string a = Html(StudyCharts.OccupancyPerLine(check, "t"));
        string b = Html(StudyCharts.OccupancyPerLine(check, "t"));
        // The div id is a fresh GUID per render; everything else is identical.
        string Strip(string s) => System.Text.RegularExpressions.Regex.Replace(s, "[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", "ID");
        Assert.Equal(Strip(a), Strip(b));
    }

    [Fact]
    public void Feeder_layout_puts_the_substation_at_the_origin_and_the_trunk_on_one_row()
    {
        var layout = FeederLayout.Compute(Context.Value.BaseFeeder.Network);
        Assert.Equal((0.0, 0.0), layout[1]);
        Assert.Equal(69, layout.Count);
        Assert.Equal(layout[2].Y, layout[3].Y);
        Assert.Equal(1.0, layout[2].X);
    }

    [Fact]
    public void Tables_have_one_row_per_item()
    {
        var scenarios = StudyContext.LoadScenarios().Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name)).ToArray();
        var results = scenarios.Select(s => ScenarioRunner.Run(s, Context.Value)).ToArray();
        var table8 = StudyTables.Table8(results);
        Assert.Equal(8, table8.Rows.Count);
        Assert.Contains(table8.Columns, c => c.Group == "congested lines" && c.Header == "study");
        Assert.Equal(12, StudyTables.Pattern(results.ToDictionary(r => r.Name)).Rows.Count);
        Assert.Equal(68, StudyTables.Lines(Context.Value.BaseFeeder.Check()).Rows.Count);
        Assert.Equal(2, StudyTables.Lines(Context.Value.BaseFeeder.Check(), congestedOnly: true).Rows.Count);
    }
}
