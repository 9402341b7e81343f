using System.Globalization;
using System.Text.Json.Nodes;
using P2PFlex.Data;
using P2PFlex.Notebooks;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>
/// Notebook 10 ("A year of the study's chain") run on the representative day (<c>window = day</c>, as a reader would pass
/// it) with its default scenarios: its numbers are the library's, computed here directly with
/// <see cref="TimeSeriesRunner"/> and <see cref="TimeSeriesSummary"/> on the same window, and its day slider carries every
/// step in the HTML report. The run is the study run's (<see cref="StudyNotebooksFixture"/>, which gives notebook 10 this
/// window), not one of its own.
/// </summary>
[Collection(StudyNotebooksCollection.Name)]
public sealed class TimeSeriesNotebookTests(StudyNotebooksFixture fixture)
{
    /// <summary>The notebook's default <c>scenario_names</c>, which the study run keeps.</summary>
    private static readonly string[] Chosen = ["0", "1", "2", "3-theta80"];

    private static string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => (string?)x)) : (string?)n ?? "";

    [Fact]
    public void Notebook_10_on_a_day_gives_the_library_s_totals_blocking_share_and_a_slider_that_needs_no_kernel()
    {
        var run = Assert.Single(fixture.Result.Notebooks, n => n.Name == "10-timeseries.ipynb");
        Assert.True(run.Succeeded, run.Describe());
        var doc = JsonNode.Parse(File.ReadAllText(run.ExecutedNotebookPath!))!;
        // the window and scenarios computed below are the ones the run had
        var given = NotebookRunner.RunMetadata(NotebookJson.Read(run.ExecutedNotebookPath!))["parameters"]!;
        Assert.Equal("day", given["window"]!.GetValue<string>());
        Assert.Null(given["scenario_names"]);
        var outputs = doc["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).OfType<JsonObject>().ToArray();
        string stdout = string.Concat(outputs.Where(o => (string?)o["output_type"] == "stream").Select(o => Text(o["text"])));

        // The same window computed directly.
        var network = FeederResolver.LoadNetwork(FeederSetup.CasePath(FeederSetup.StudyFeederName), FeederSetup.StudyFeederName);
        var states = IntervalStates.ForFeeder(StudyProfiles.Default(network));
        var catalog = StudyContext.LoadScenarios();
        var scenarios = Chosen.Select(n => catalog.Single(s => s.Name == n)).ToArray();
        int peak = TimeSeriesWindow.PeakInterval(states);
        var (first, count) = TimeSeriesWindow.Resolve(states.Axis, WindowKind.Day, null, peak);
        Assert.Equal(96, count);
        var rows = new TimeSeriesRunner(states, scenarios).Run(first, count);
        var summary = new TimeSeriesSummary(Chosen, scenarios.Select(s => s.Market.IntervalHours).ToArray(), states.Axis.StepHours);
        summary.Add(rows);
        var years = summary.Result();

        // The table per scenario, as `timeseries merge` prints it.
        Assert.Contains(TimeSeriesSummary.Text(years).Replace("\r\n", "\n"), stdout.Replace("\r\n", "\n"));
        // §5.4.2.3 counted from the rows themselves, not from the summary.
        var s2 = rows.Where(r => r.Scenario == "2").ToArray();
        int blocking = s2.Count(r => r.BlockedPairs > 0);
        Assert.True(blocking > 0 && blocking < count, $"{blocking} blocking intervals: the day should have both kinds");
        string share = (100.0 * (count - blocking) / count).ToString("F2", CultureInfo.InvariantCulture);
        Assert.Contains($"scenario 2 blocks nothing in {count - blocking} of {count} intervals ({share} %) and at least one pair in {blocking}", stdout);

        // The slider: one precomputed step per quarter-hour of the day, each carrying that interval's occupancy per line.
        var slider = outputs.Select(o => o["data"]?[P2PFlex.Display.PlotlyCharts.MimeType]).OfType<JsonObject>()
            .Single(f => f["layout"]?["sliders"] is not null);
        var steps = slider["layout"]!["sliders"]![0]!["steps"]!.AsArray();
        Assert.Equal(count, steps.Count);
        Assert.Equal(peak - first, (int)slider["layout"]!["sliders"]![0]!["active"]!);
        var atPeak = ScenarioRunner.Run(catalog.Single(s => s.Name == "1"), states.At(peak)).BeforeLfm;
        var stepY = steps[peak - first]!["args"]![0]!["y"]!.AsArray();
        var bars = atPeak.Lines.Select(l => l.Congested ? 0 : P2PFlex.Display.TimeSeriesCharts.Percent(l.Occupancy)).ToArray();
        Assert.Equal(bars, stepY[0]!.AsArray().Select(v => (double)v!).ToArray());
        Assert.Equal(states.Axis.TimeAt(peak).ToString("HH:mm", CultureInfo.InvariantCulture), (string?)steps[peak - first]!["label"]);
        // ... and the report page holds the steps themselves: plotly.js alone moves the slider, no kernel.
        string report = File.ReadAllText(run.ReportPath!);
        Assert.Contains("\"sliders\":[{", report);
        foreach (var step in steps) Assert.Contains($"\"label\":\"{(string?)step!["label"]}\"", report);

        // The SimBench part is skipped with a note when no folder is given; the W policy states its saving.
        Assert.Contains("Part 2 skipped: no SimBench grid folder given", stdout);
        Assert.Contains("choosing W per interval: saving", stdout);
    }
}
