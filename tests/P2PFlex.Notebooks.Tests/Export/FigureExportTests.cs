using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using P2PFlex.Data;
using P2PFlex.Display;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary>
/// The study's figures as files: three figures (the feeder, occupancy per line, the histogram) in all three formats
/// through <see cref="StudyFigureExport"/>, each file parsed back and compared with the chart's data.
/// </summary>
[Collection(ExportCollection.Name)]
public class FigureExportTests(ExportFixture fixture) : IAsyncLifetime
{
    internal static readonly string[] Ids = ExportFixture.ThreeFigureIds;

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private string _dir = "";
    private FigureExportResult _result = null!;

    public async Task InitializeAsync() => (_dir, _result) = await fixture.ThreeFigures.Value;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Every_figure_is_written_in_every_format_and_nothing_else()
    {
        var expected = Ids.SelectMany(id => new[] { id + ".svg", id + ".png", id + ".pdf" }).Append(StudyFigureExport.ManifestFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(_result.Files, f => Assert.True(new FileInfo(Path.Combine(_dir, f.FileName)).Length == f.Bytes));
    }

    [Fact]
    public void Svg_files_are_svg_documents_with_the_chart_title_and_plot()
    {
        foreach (var id in Ids)
        {
            var doc = XDocument.Load(Path.Combine(_dir, id + ".svg"));
            Assert.Equal(Svg + "svg", doc.Root!.Name);
            Assert.Equal(StudyFigures.Find(id).Title, doc.Descendants(Svg + "text").Single(t => Class(t).Contains("gtitle")).Value);
            Assert.Contains(doc.Descendants(Svg + "g"), g => Class(g).Split(' ').Contains("trace"));
            Assert.Contains(doc.Descendants(Svg + "g"), g => Class(g).Contains("xtick"));
        }
    }

    [Fact]
    public void The_occupancy_svg_has_one_bar_per_line_in_proportion_to_its_occupancy_and_the_congested_ones_red()
    {
        var check = fixture.Data.BaseCheck;
        var doc = XDocument.Load(Path.Combine(_dir, "fig20-occupancy-per-line-scenario-0.svg"));
        // Two bar traces (within limit, congested), one point per line each; a line's bar is the non-empty one.
        var traces = doc.Descendants(Svg + "g").Where(g => Class(g) == "trace bars").ToArray();
        Assert.Equal(2, traces.Length);
        var heights = traces.Select(t => t.Descendants(Svg + "g").Where(p => Class(p) == "point")
            .Select(p => BarHeight(p.Element(Svg + "path")!.Attribute("d")!.Value)).ToArray()).ToArray();
        Assert.All(heights, h => Assert.Equal(check.Lines.Count, h.Length));
        var drawn = Enumerable.Range(0, check.Lines.Count).Select(i => heights.Count(h => h[i] > 0)).ToArray();
        Assert.All(drawn, n => Assert.Equal(1, n));                                   // one bar per line
        Assert.Equal(check.CongestedLineCount, heights[1].Count(h => h > 0));         // red = congested
        Assert.Equal(check.Lines.Select(l => l.Congested), heights[1].Select(h => h > 0));
        Assert.Contains("rgb(214, 39, 40)", traces[1].ToString());                    // #d62728
        // Heights in proportion to the occupancies (path coordinates have 2 decimals).
        var height = Enumerable.Range(0, check.Lines.Count).Select(i => heights[0][i] + heights[1][i]).ToArray();
        double pxPerPercent = height.Sum() / check.Lines.Sum(l => l.Occupancy * 100);
        for (int i = 0; i < height.Length; i++)
            Assert.True(Math.Abs(height[i] - check.Lines[i].Occupancy * 100 * pxPerPercent) < 0.05,
                $"line {check.Lines[i].CaseIndex}: bar {height[i]} px, occupancy {check.Lines[i].Occupancy:P1}");
    }

    [Fact]
    public void The_histogram_svg_has_one_bar_per_band_with_the_line_counts()
    {
        var doc = XDocument.Load(Path.Combine(_dir, "fig21-occupancy-histogram-scenario-0.svg"));
        var bars = doc.Descendants(Svg + "g").Where(g => Class(g) == "point").Select(p => BarHeight(p.Element(Svg + "path")!.Attribute("d")!.Value)).ToArray();
        Assert.Equal(8, bars.Length);
        var counts = Enumerable.Range(0, 8).Select(k => fixture.Data.BaseCheck.Lines.Count(l =>
            l.Occupancy * 100 >= k * 20 && (l.Occupancy * 100 < (k + 1) * 20 || k == 7))).ToArray();
        Assert.Equal(fixture.Data.BaseCheck.Lines.Count, counts.Sum());
        double pxPerLine = bars.Sum() / counts.Sum();
        for (int k = 0; k < 8; k++) Assert.True(Math.Abs(bars[k] - counts[k] * pxPerLine) < 0.05, $"band {k}: {bars[k]} px for {counts[k]} lines");
    }

    [Fact]
    public void Png_files_are_png_at_twice_the_chart_size_by_default()
    {
        foreach (var f in _result.Files.Where(f => f.Format == ChartImageFormat.Png))
        {
            var (w, h) = PngSize(Path.Combine(_dir, f.FileName));
            Assert.Equal(2.0, f.Scale);
            Assert.Equal((f.WidthPx * 2, f.HeightPx * 2), (w, h));
        }
        Assert.Equal((2200, 900), PngSize(Path.Combine(_dir, "fig20-occupancy-per-line-scenario-0.png")));   // the chart's 1100 × 450
        File.Copy(Path.Combine(_dir, "fig20-occupancy-per-line-scenario-0.png"), Path.Combine(fixture.ArtifactDir, "fig20-occupancy-per-line-scenario-0.png"), true);
    }

    [Fact]
    public void Pdf_files_have_one_page_of_the_chart_size_the_title_as_text_and_embedded_fonts()
    {
        foreach (var f in _result.Files.Where(f => f.Format == ChartImageFormat.Pdf))
        {
            string path = Path.Combine(_dir, f.FileName);
            Assert.StartsWith("%PDF-", File.ReadAllText(path)[..8]);
            Assert.Equal(1, ExportFixture.PdfPages(path));
            Assert.Contains(f.Figure.Title, ExportFixture.PdfText(path));
            var size = Regex.Match(ExportFixture.Poppler("pdfinfo", path), @"Page size:\s+([\d.]+) x ([\d.]+) pts");
            Assert.Equal(f.WidthPx * 0.75, double.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), 0.5);   // 1 CSS px = 0.75 pt
            Assert.Equal(f.HeightPx * 0.75, double.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture), 0.5);
            var fonts = ExportFixture.Poppler("pdffonts", path).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToArray();
            Assert.NotEmpty(fonts);
            Assert.All(fonts, l => Assert.Matches(@"\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$", l));   // emb sub uni
        }
    }

    [Fact]
    public void The_manifest_names_each_file_with_its_title_notebook_cell_and_the_data_version()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, StudyFigureExport.ManifestFileName)))!;
        Assert.Equal(1, (int)manifest["format_version"]!);
        Assert.Equal(Provenance.DataVersion(), (string?)manifest["data_version"]);
        Assert.Matches(@"^sha256:[0-9a-f]{16}$", (string?)manifest["data_version"]);
        Assert.Equal(Provenance.SoftwareVersion, (string?)manifest["p2pflex_version"]);
        Assert.Equal(0.2, (double)manifest["parameters"]!["W"]!);
        var figures = manifest["figures"]!.AsArray();
        Assert.Equal(9, figures.Count);
        foreach (var e in figures)
        {
            string file = (string)e!["file"]!;
            var fig = StudyFigures.Find((string)e["id"]!);
            Assert.Equal(fig.Title, (string?)e["title"]);
            Assert.Equal(fig.Id + "." + (string?)e["format"], file);
            Assert.Equal("notebooks/" + fig.Notebook, (string?)e["notebook"]);
            Assert.Equal(fig.CellId, (string?)e["cell_id"]);
            Assert.NotNull(e["cell_index"]);
            byte[] bytes = File.ReadAllBytes(Path.Combine(_dir, file));
            Assert.Equal(bytes.Length, (long)e["bytes"]!);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (string?)e["sha256"]);
        }
        Assert.Equal(19, (int?)figures.First(e => (string?)e!["id"] == Ids[0])!["study_figure"]);
    }

    [Fact]
    public async Task Width_height_and_scale_are_honoured()
    {
        var chart = StudyFigures.Chart(StudyFigures.Find("fig21-occupancy-histogram-scenario-0"), fixture.Data);
        var png = await fixture.Renderer.RenderAsync(chart, ChartImageFormat.Png, new ChartImageOptions(640, 360, 1.5));
        string path = Path.Combine(_dir, "custom.png");
        File.WriteAllBytes(path, png.Bytes);
        Assert.Equal((960, 540), PngSize(path));
        var svg = await fixture.Renderer.RenderAsync(chart, ChartImageFormat.Svg, new ChartImageOptions(640, 360, 1.5));
        var root = XDocument.Parse(System.Text.Encoding.UTF8.GetString(svg.Bytes)).Root!;
        Assert.Equal(("640", "360"), (root.Attribute("width")?.Value, root.Attribute("height")?.Value));
        File.Delete(path);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Renderer.RenderAsync(chart, ChartImageFormat.Png, new ChartImageOptions(0, 360)));
    }

    private static string Class(XElement e) => e.Attribute("class")?.Value ?? "";

    /// <summary>Height of a plotly bar path <c>Mx,yVy2Hx2Vy Z</c>.</summary>
    private static double BarHeight(string d)
    {
        var m = Regex.Match(d, @"^M([-\d.]+),([-\d.]+)V([-\d.]+)H([-\d.]+)V([-\d.]+)Z$");
        Assert.True(m.Success, $"not a bar path: {d}");
        return Math.Abs(double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) - double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Width and height from the PNG's IHDR chunk, after checking the signature.</summary>
    internal static (int Width, int Height) PngSize(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, b[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
    }
}
