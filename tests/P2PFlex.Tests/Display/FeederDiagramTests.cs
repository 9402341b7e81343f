using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;
using P2PFlex.Display;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Display;

/// <summary>
/// Figure 19 as a feeder diagram: drawn from the topology with no axes, every bus and every line labelled (line numbers,
/// docs/grid.md), the congested lines red with bold red numbers and named in the legend; a layout where no lines cross.
/// </summary>
public class FeederDiagramTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    private static JsonObject Figure(GenericChart chart) => JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();

    private static (double X, double Y)[] Points(JsonObject trace) =>
        trace["x"]!.AsArray().Zip(trace["y"]!.AsArray(), (x, y) => (Number(x), Number(y))).ToArray();

    /// <summary>A coordinate; NaN for the gap between two segments (written as null or "NaN").</summary>
    private static double Number(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : double.NaN;

    private static string[] Texts(JsonObject trace) => trace["text"]!.AsArray().Select(t => (string)t!).ToArray();

    public static TheoryData<string> States => ["base", "1"];

    /// <summary>The base state (lines 44 and 67 congested) and scenario 1 before its LFM (more lines congested).</summary>
    private static GridCheckResult Check(string state) => state == "base"
        ? Context.Value.BaseFeeder.Check()
        : ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == state), Context.Value).BeforeLfm;

    [Theory]
    [MemberData(nameof(States))]
    public void Every_line_has_its_number_at_its_middle_and_every_congested_line_a_bold_red_label_and_a_legend_entry(string state)
    {
        var feeder = Context.Value.BaseFeeder;
        var check = Check(state);
        var layout = FeederLayout.Compute(feeder.Network);
        var figure = Figure(StudyCharts.FeederDiagram(feeder, check, "t"));
        var traces = figure["data"]!.AsArray().Select(t => t!.AsObject()).ToArray();
        var labels = traces.Where(t => (string?)t["mode"] == "text").ToArray();
        Assert.Equal(2, labels.Length);

        // One label per line, at the middle of the segment between its buses, reading its line number.
        var byNumber = new Dictionary<int, (double X, double Y, string Color, bool Bold)>();
        foreach (var trace in labels)
        {
            string color = (string)trace["textfont"]!["color"]!;
            foreach (var (text, at) in Texts(trace).Zip(Points(trace)))
            {
                var m = Regex.Match(text, @"^(<b>)?(\d+)(</b>)?$");
                Assert.True(m.Success, $"line label '{text}' is not a line number");
                Assert.True(byNumber.TryAdd(int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), (at.X, at.Y, color, m.Groups[1].Success)),
                    $"line {m.Groups[2].Value} labelled twice");
            }
        }
        Assert.Equal(check.Lines.Select(l => l.CaseIndex).Order(), byNumber.Keys.Order());
        foreach (var line in check.Lines)
        {
            var (x, y, color, bold) = byNumber[line.CaseIndex];
            Assert.Equal((layout[line.FromBus].X + layout[line.ToBus].X) / 2, x, 12);
            Assert.Equal((layout[line.FromBus].Y + layout[line.ToBus].Y) / 2, y, 12);
            Assert.Equal(line.Congested, color == "#d62728");
            Assert.Equal(line.Congested, bold);
        }
        Assert.NotEmpty(check.CongestedLines);

        // The legend names the congested lines; the red segments are exactly theirs.
        var red = traces.Single(t => (string?)t["line"]?["color"] == "#d62728");
        Assert.Equal($"congested lines ({check.CongestedLineCount}): {string.Join(", ", check.CongestedLines)}", (string?)red["name"]);
        var segments = Points(red).Chunk(3).Select(c => (c[0], c[1])).ToArray();   // from, to, NaN break
        Assert.All(Points(red).Chunk(3), c => Assert.True(double.IsNaN(c[2].X)));
        Assert.Equal(check.CongestedLineCount, segments.Length);
        foreach (var line in check.Lines.Where(l => l.Congested))
            Assert.Contains((layout[line.FromBus], layout[line.ToBus]), segments);

        // Every bus carries its number.
        var busTexts = traces.Where(t => ((string?)t["mode"])?.Contains("markers") == true).SelectMany(Texts).Order().ToArray();
        Assert.Equal(feeder.Network.Buses.Select(b => b.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), busTexts);
    }

    [Fact]
    public void The_diagram_has_no_axes_ticks_or_grid()
    {
        var feeder = Context.Value.BaseFeeder;
        var layout = Figure(StudyCharts.FeederDiagram(feeder, feeder.Check(), "t"))["layout"]!;
        foreach (string axis in new[] { "xaxis", "yaxis" })
        {
            Assert.False((bool)layout[axis]!["visible"]!);
            Assert.False((bool)layout[axis]!["showticklabels"]!);
            Assert.False((bool)layout[axis]!["showgrid"]!);
            Assert.Null(layout[axis]!["title"]?["text"]?.GetValue<string>() is { Length: > 0 } t ? t : null);
        }
    }

    [Theory]
    [InlineData("case69")]
    [InlineData("case33bw")]
    [InlineData("case141")]
    public void No_two_lines_of_the_layout_cross_and_each_bus_has_its_own_place(string caseName)
    {
        var network = GridNetwork.Load(TestData.CasePath(caseName));
        var at = FeederLayout.Compute(network);
        Assert.Equal(network.Buses.Count, at.Count);
        Assert.Equal(at.Count, at.Values.Distinct().Count());
        var slack = network.Buses[network.SlackIndex].Number;
        Assert.Equal((0.0, 0.0), at[slack]);
        var segments = network.Branches.Select(b => (b.CaseIndex, A: at[b.FromBus], B: at[b.ToBus], b.FromBus, b.ToBus)).ToArray();
        // Every line joins a bus to one a step further from the substation.
        Assert.All(segments, s => Assert.Equal(1, Math.Abs(s.A.X - s.B.X)));
        for (int i = 0; i < segments.Length; i++)
            for (int j = i + 1; j < segments.Length; j++)
            {
                var (p, q) = (segments[i], segments[j]);
                bool shareBus = p.FromBus == q.FromBus || p.FromBus == q.ToBus || p.ToBus == q.FromBus || p.ToBus == q.ToBus;
                if (shareBus) continue;
                Assert.False(Cross(p.A, p.B, q.A, q.B), $"{caseName}: line {p.CaseIndex} crosses line {q.CaseIndex}");
            }
    }

    /// <summary>Whether two closed segments meet (orientation test, collinear overlaps included).</summary>
    private static bool Cross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c, (double X, double Y) d)
    {
        static double Orient((double X, double Y) p, (double X, double Y) q, (double X, double Y) r) =>
            Math.Sign((q.X - p.X) * (r.Y - p.Y) - (q.Y - p.Y) * (r.X - p.X));
        static bool On((double X, double Y) p, (double X, double Y) q, (double X, double Y) r) =>
            Math.Min(p.X, q.X) <= r.X && r.X <= Math.Max(p.X, q.X) && Math.Min(p.Y, q.Y) <= r.Y && r.Y <= Math.Max(p.Y, q.Y);
        double o1 = Orient(a, b, c), o2 = Orient(a, b, d), o3 = Orient(c, d, a), o4 = Orient(c, d, b);
        if (o1 != o2 && o3 != o4) return true;
        return (o1 == 0 && On(a, b, c)) || (o2 == 0 && On(a, b, d)) || (o3 == 0 && On(c, d, a)) || (o4 == 0 && On(c, d, b));
    }
}
