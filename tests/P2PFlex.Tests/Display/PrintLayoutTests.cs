using System.Text.Json.Nodes;
using Plotly.NET;
using Plotly.NET.CSharp;
using P2PFlex.Display;

namespace P2PFlex.Tests.Display;

/// <summary>Printed lengths and the print layout of a chart (the drawn files are tested in P2PFlex.Notebooks.Tests/Export).</summary>
public class PrintLayoutTests
{
    [Theory]
    [InlineData("8.8cm", 8.8)]
    [InlineData("88mm", 8.8)]
    [InlineData("3.5in", 8.89)]
    [InlineData("72pt", 2.54)]
    [InlineData("96px", 2.54)]
    [InlineData("960", 25.4)]
    [InlineData(" 17.8 CM ", 17.8)]
    [InlineData("column", 8.8)]
    [InlineData("full", 17.8)]
    public void Lengths_parse_in_every_unit(string text, double cm) => Assert.Equal(cm, PrintLength.Parse(text).Cm, 9);

    [Theory]
    [InlineData("8.8", "has no unit")]
    [InlineData("8,8cm", "is not a length")]
    [InlineData("8.8 furlongs", "is not a length")]
    [InlineData("-3cm", "is not a length")]
    [InlineData("1.5cm", "a figure is 2–200 cm")]
    [InlineData("3m", "is not a length")]
    public void Bad_lengths_are_refused_with_what_is_accepted(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => PrintLength.Parse(text)).Message);

    [Fact]
    public void Pixels_are_the_length_in_inches_times_the_dpi_rounded()
    {
        Assert.Equal(1039, new PrintLength(8.8).Pixels(300));   // 8.8 / 2.54 × 300 = 1039.37
        Assert.Equal(2102, new PrintLength(17.8).Pixels(300));  // 2102.36
        Assert.Equal(4205, new PrintLength(17.8).Pixels(600));  // 4204.72
        Assert.Equal(333, (int)Math.Round(new PrintLength(8.8).CssPx));
    }

    private static JsonObject Figure(GenericChart chart) => JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();

    private static JsonObject SweepFigure(int names, string nameStem = "a series with a long name") =>
        Figure(Plotly.NET.CSharp.Chart.Combine(Enumerable.Range(0, names).Select(i =>
                Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 0.0, 1 }, new[] { i, i + 1.0 }, Name: $"{nameStem} {i}")))
            .WithSize(800, 450)
            .Let(c => Plotly.NET.Chart.withTitle("A title that is long enough to need two lines in one journal column of 8.8 cm<br><sub>with a subtitle</sub>", null).Invoke(c)));

    [Fact]
    public void Narrow_and_wide_charts_default_to_one_column_and_the_full_width_at_their_aspect_ratio()
    {
        var data = StudyFigureData.Load();
        var wide = PrintLayout.Apply(Figure(StudyFigures.Chart(StudyFigures.Find("fig20-occupancy-per-line-scenario-0"), data)), new PrintSize());
        Assert.Equal(PrintLength.Full, wide.Width);
        Assert.Equal(673, wide.WidthCssPx);
        Assert.Equal(2102, wide.PixelWidth);
        Assert.True(wide.Height.Cm > 17.8 * 450 / 1100 && wide.Height.Cm < 17.8 * 450 / 1100 + 1.5, $"{wide.Height}");   // plus the legend row
        var narrow = PrintLayout.Apply(Figure(StudyFigures.Chart(StudyFigures.Find("fig21-occupancy-histogram-scenario-0"), data)), new PrintSize(Dpi: 600));
        Assert.Equal(PrintLength.Column, narrow.Width);
        Assert.Equal(2079, narrow.PixelWidth);   // 8.8 / 2.54 × 600 = 2078.7
        Assert.Equal((int)narrow.Figure["layout"]!["width"]!, narrow.WidthCssPx);
        Assert.Equal((int)narrow.Figure["layout"]!["height"]!, narrow.HeightCssPx);
    }

    [Fact]
    public void A_given_size_is_kept_exactly()
    {
        var printed = PrintLayout.Apply(SweepFigure(2), new PrintSize(PrintLength.Parse("12cm"), PrintLength.Parse("3in"), 450));
        Assert.Equal(12, printed.Width.Cm, 12);
        Assert.Equal(7.62, printed.Height.Cm, 12);
        Assert.Equal((454, 288), (printed.WidthCssPx, printed.HeightCssPx));
        Assert.Equal((2126, 1350), (printed.PixelWidth, printed.PixelHeight));
    }

    [Fact]
    public void Every_font_prints_at_seven_points_or_more_and_the_title_wraps_to_the_column()
    {
        var figure = SweepFigure(5);
        // Fonts set small on purpose: a 6 px legend, 8 px ticks (4.5 and 6 pt on paper at CSS size).
        figure["layout"]!["legend"] = new JsonObject { ["font"] = new JsonObject { ["size"] = 6 } };
        figure["layout"]!["xaxis"] = new JsonObject { ["tickfont"] = new JsonObject { ["size"] = 8 } };
        figure["data"]![0]!["textfont"] = new JsonObject { ["size"] = new JsonArray(4, 20) };
        var before = figure.ToJsonString();
        var printed = PrintLayout.Apply(figure, new PrintSize(PrintLength.Column));
        Assert.Equal(before, figure.ToJsonString());   // the input is not changed

        var layout = printed.Figure["layout"]!;
        double Pt(JsonNode? px) => double.Parse(px!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) * 0.75;
        Assert.Equal(PrintLayout.BaseFontPt, Pt(layout["font"]!["size"]), 9);
        Assert.True(Pt(layout["legend"]!["font"]!["size"]) >= 7);
        Assert.True(Pt(layout["xaxis"]!["tickfont"]!["size"]) >= 7);
        Assert.All(printed.Figure["data"]![0]!["textfont"]!["size"]!.AsArray(), s => Assert.True(Pt(s) >= 7));
        Assert.Equal(13.75, Pt(printed.Figure["data"]![0]!["textfont"]!["size"]![1]), 9);   // 20 px scaled by 11/12 = 18.33 px
        // The title's subscript (drawn at 70 %) is at least 7 pt.
        Assert.True(Pt(layout["title"]!["font"]!["size"]) * PrintLayout.SubscriptScale >= 7);
        string title = (string)layout["title"]!["text"]!;
        var lines = title.Split("<br>");
        Assert.True(lines.Length >= 3, title);
        Assert.Equal("<sub>with a subtitle</sub>", lines[^1]);
        Assert.Equal("A title that is long enough to need two lines in one journal column of 8.8 cm", string.Join(" ", lines[..^1]));
        Assert.True((int)layout["margin"]!["t"]! >= lines.Length * 14);
        // Five long names: a horizontal legend below the plot, one row each in a column; the figure grows for them.
        Assert.Equal("h", (string?)layout["legend"]!["orientation"]);
        Assert.Equal("container", (string?)layout["legend"]!["yref"]);
        Assert.Equal("0", layout["legend"]!["y"]!.ToJsonString());
        Assert.True(printed.HeightCssPx > 333 * 450 / 800 + 5 * 14, $"{printed.HeightCssPx} px");
        Assert.True((bool)layout["xaxis"]!["automargin"]!);
    }
}

internal static class ChartPipe
{
    public static GenericChart Let(this GenericChart chart, Func<GenericChart, GenericChart> f) => f(chart);
}
