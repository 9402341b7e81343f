using System.Text.Json;
using Plotly.NET;
using P2PFlex.Display;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Display;

public class OccupancySliderTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    [Fact]
    public void Slider_has_one_step_per_sweep_value_with_that_points_bars()
    {
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        var values = ScenarioSweep.Range(0, 0.3, 0.1);
        var sweep = ScenarioSweep.Run(s3, Context.Value, SweepParameter.W, values);
        var chart = StudyCharts.OccupancySlider(sweep, "W", "Occupancy per line against W");

        string html = GenericChart.toChartHTML(chart);
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"sliders\"", html);
        Assert.Contains("Occupancy per line against W", html);

        using var figure = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        var sliders = figure.RootElement.GetProperty("layout").GetProperty("sliders");
        Assert.Equal(1, sliders.GetArrayLength());
        var steps = sliders[0].GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(values.Count, steps.Length);
        Assert.Equal(new[] { "0", "0.1", "0.2", "0.3" }, steps.Select(s => s.GetProperty("label").GetString()!).ToArray());
        Assert.Equal("W = ", sliders[0].GetProperty("currentvalue").GetProperty("prefix").GetString());
        for (int k = 0; k < steps.Length; k++)
        {
            Assert.Equal("update", steps[k].GetProperty("method").GetString());
            var y = steps[k].GetProperty("args")[0].GetProperty("y");
            Assert.Equal(3, y.GetArrayLength());   // within limit, congested, limit line
            var lines = sweep[k].Result.BeforeLfm.Lines;
            Assert.Equal(lines.Count, y[0].GetArrayLength());
            for (int l = 0; l < lines.Count; l++)
            {
                double expected = lines[l].Occupancy * 100;
                Assert.Equal(lines[l].Congested ? 0 : expected, y[0][l].GetDouble(), 12);
                Assert.Equal(lines[l].Congested ? expected : 0, y[1][l].GetDouble(), 12);
            }
            string stepTitle = steps[k].GetProperty("args")[1].GetProperty("title.text").GetString()!;
            Assert.Contains($"{sweep[k].Kpis.CongestedLines} congested lines", stepTitle);
            Assert.Contains($"DSO total {sweep[k].Kpis.Dso.TotalEur!.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} EUR", stepTitle);
        }
        // Three traces, showing the first point.
        var data = figure.RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
    }

    [Fact]
    public void Slider_refuses_an_empty_sweep()
    {
        Assert.Throws<ArgumentException>(() => StudyCharts.OccupancySlider([], "W", "t"));
    }

    [Fact]
    public void The_DSO_cost_chart_draws_the_total_and_its_parts_and_stars_the_least_total()
    {
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        var sweep = ScenarioSweep.Run(s3, Context.Value, SweepParameter.W, ScenarioSweep.Range(0.1, 0.4, 0.1));
        var chart = StudyFigures.DsoCostAgainstW(sweep, 0.8);
        using var figure = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        var traces = figure.RootElement.GetProperty("data").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        double[] Y(string name) => traces[name].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var (total, lfm, incentives, penalties) = (Y("DSO total"), Y("LFM activation"), Y("incentives paid"), Y("penalties received (subtracted)"));
        Assert.Equal(sweep.Count, total.Length);
        for (int k = 0; k < sweep.Count; k++)
        {
            Assert.Equal(sweep[k].Kpis.Dso.TotalEur!.Value, total[k], 12);
            Assert.Equal(total[k], lfm[k] + incentives[k] - penalties[k], 9);
        }
        Assert.DoesNotContain("capacity payments", traces.Keys);   // scenario 3 buys no capacity
        string star = Assert.Single(traces.Keys, n => n.StartsWith("least total: W = ", StringComparison.Ordinal));
        int at = Array.IndexOf(total, total.Min());
        Assert.Equal([sweep[at].Value], traces[star].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        Assert.Equal("What the DSO pays against W (θ = 0.8)", figure.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }
}
