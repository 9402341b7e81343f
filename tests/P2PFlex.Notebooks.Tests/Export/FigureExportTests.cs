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
            Assert.Equal(StudyFigures.Find(id).Title, TextOf(doc.Descendants(Svg + "text").Single(t => Class(t).Contains("gtitle"))));
            Assert.Contains(doc.Descendants(Svg + "g"), g => Class(g).Split(' ').Contains("trace"));
            if (StudyFigures.Find(id).StudyFigureNumber != 19) Assert.Contains(doc.Descendants(Svg + "g"), g => Class(g).Contains("xtick"));
        }
    }

    /// <summary>A text element's words: its lines (tspans of a wrapped title) joined by spaces.</summary>
    private static string TextOf(XElement text)
    {
        var lines = text.Elements(Svg + "tspan").Where(t => Class(t) == "line").Select(t => t.Value).ToArray();
        return lines.Length > 0 ? string.Join(" ", lines) : text.Value;
    }

    [Fact]
    public void The_feeder_diagram_svg_labels_every_congested_line_and_every_bus_and_has_no_axes()
    {
        var check = fixture.Data.BaseCheck;
        var doc = XDocument.Load(Path.Combine(_dir, "fig19-feeder-congested-lines-scenario-0.svg"));
        // No tick labels, no axis titles, no grid lines: a diagram, not a plot.
        Assert.DoesNotContain(doc.Descendants(Svg + "g"), g => Regex.IsMatch(Class(g), @"\b[xy]tick\b|[xy]title"));
        Assert.DoesNotContain(doc.Descendants(Svg + "path"), p => Regex.IsMatch(Class(p), @"[xy]grid|zl"));
        var texts = doc.Descendants(Svg + "g").Where(g => Class(g).Contains("textpoint")).Select(g => g.Element(Svg + "text")!).ToArray();
        // Each congested line's number in bold red (#d62728), each other line's in grey, each bus's number.
        Assert.NotEmpty(check.CongestedLines);
        foreach (var line in check.Lines)
        {
            string number = line.CaseIndex.ToString(CultureInfo.InvariantCulture);
            var label = texts.Where(t => t.Value == number && (t.Attribute("style")?.Value ?? "").Contains(line.Congested ? "fill: rgb(214, 39, 40)" : "fill: rgb(85, 85, 85)")).ToArray();
            Assert.True(label.Length == 1, $"line {number}: {label.Length} labels");
            Assert.Equal(line.Congested, label[0].Descendants(Svg + "tspan").Any(t => (t.Attribute("style")?.Value ?? "").Contains("bold")));
        }
        foreach (var bus in fixture.Data.Context.BaseFeeder.Network.Buses)
            Assert.Contains(texts, t => t.Value == bus.Number.ToString(CultureInfo.InvariantCulture) && (t.Attribute("style")?.Value ?? "").Contains("fill: rgb(31, 78, 121)"));
        // The legend names the congested lines.
        var legend = doc.Descendants(Svg + "text").Where(t => Class(t) == "legendtext").Select(t => t.Value).ToArray();
        Assert.Contains($"congested lines ({check.CongestedLineCount}): {string.Join(", ", check.CongestedLines)}", legend);
    }

    [Fact]
    public void Every_font_of_every_svg_prints_at_seven_points_or_more()
    {
        foreach (var f in _result.Files.Where(f => f.Format == ChartImageFormat.Svg))
        {
            var root = XDocument.Load(Path.Combine(_dir, f.FileName)).Root!;
            // Printed size from width/height (cm), drawing units from the viewBox: points per drawing unit.
            double widthCm = Cm(root.Attribute("width")!.Value), heightCm = Cm(root.Attribute("height")!.Value);
            var box = root.Attribute("viewBox")!.Value.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double ptPerUnit = Math.Min(widthCm / 2.54 * 72 / box[2], heightCm / 2.54 * 72 / box[3]);
            Assert.Equal(f.Paper!.Width.Cm, widthCm, 0.0001);   // written to 4 decimals
            Assert.Equal(f.Paper.Height.Cm, heightCm, 0.0001);
            var sizes = new List<(double Pt, string Text)>();
            foreach (var text in root.Descendants(Svg + "text"))
            {
                double px = FontPx(text, null) ?? throw new Xunit.Sdk.XunitException($"{f.FileName}: text '{text.Value}' without a font size");
                sizes.Add((px * ptPerUnit, text.Value));
                foreach (var tspan in text.Descendants(Svg + "tspan"))
                    if (FontPx(tspan, px) is double inner) sizes.Add((inner * ptPerUnit, tspan.Value));
            }
            Assert.True(sizes.Count > 5, f.FileName);
            var smallest = sizes.MinBy(s => s.Pt);
            Assert.True(smallest.Pt >= 7, $"{f.FileName}: '{smallest.Text}' prints at {smallest.Pt:F2} pt");
        }
    }

    private static double Cm(string length)
    {
        Assert.EndsWith("cm", length);
        return double.Parse(length[..^2], CultureInfo.InvariantCulture);
    }

    /// <summary>The font size an element sets in its style (px, or % of <paramref name="parentPx"/>); null if none.</summary>
    private static double? FontPx(XElement e, double? parentPx)
    {
        var m = Regex.Match(e.Attribute("style")?.Value ?? "", @"font-size:\s*([\d.]+)(px|%)");
        if (!m.Success) return null;
        double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value == "px" ? v : v / 100 * (parentPx ?? throw new Xunit.Sdk.XunitException("a relative font size outside a text"));
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
    public void Png_files_carry_their_dpi_and_have_the_printed_size_times_the_dpi_in_pixels()
    {
        foreach (var f in _result.Files.Where(f => f.Format == ChartImageFormat.Png))
        {
            string path = Path.Combine(_dir, f.FileName);
            var (w, h) = PngSize(path);
            var (dpiX, dpiY, unit) = PngPhys(path);
            Assert.Equal(1, unit);                                                            // metres
            Assert.Equal(PrintSize.DefaultDpi, dpiX, PhysResolution);                         // 11811 px/m = 299.9994 dpi
            Assert.Equal(PrintSize.DefaultDpi, dpiY, PhysResolution);
            Assert.Equal((int)Math.Round(f.Paper!.Width.Cm * 300 / 2.54), w);
            Assert.Equal((int)Math.Round(f.Paper.Height.Cm * 300 / 2.54), h);
        }
        // Occupancy per line is a full-width figure (17.8 cm), the histogram one column (8.8 cm), at 300 dpi.
        Assert.Equal(2102, PngSize(Path.Combine(_dir, "fig20-occupancy-per-line-scenario-0.png")).Width);
        Assert.Equal(1039, PngSize(Path.Combine(_dir, "fig21-occupancy-histogram-scenario-0.png")).Width);
        foreach (var id in new[] { "fig19-feeder-congested-lines-scenario-0", "fig20-occupancy-per-line-scenario-0" })
            File.Copy(Path.Combine(_dir, id + ".png"), Path.Combine(fixture.ArtifactDir, id + ".png"), true);
    }

    [Fact]
    public async Task A_size_in_cm_and_a_dpi_give_that_many_pixels_and_a_pdf_page_of_that_size()
    {
        var chart = StudyFigures.Chart(StudyFigures.Find("fig21-occupancy-histogram-scenario-0"), fixture.Data);
        var size = new PrintSize(PrintLength.Parse("12cm"), PrintLength.Parse("3in"), 450);
        var png = await fixture.Renderer.RenderForPrintAsync(chart, ChartImageFormat.Png, size);
        string dir = ExportFixture.TempDir("print-size");   // not the shared folder, whose file list another test checks
        string path = Path.Combine(dir, "custom-print.png");
        File.WriteAllBytes(path, png.Bytes);
        Assert.Equal((2126, 1350), PngSize(path));                      // 12 cm × 450 / 2.54 = 2125.98; 3 in × 450
        Assert.Equal(450, PngPhys(path).DpiX, PhysResolution);         // 17717 px/m = 450.012 dpi
        var pdf = await fixture.Renderer.RenderForPrintAsync(chart, ChartImageFormat.Pdf, size);
        string pdfPath = Path.Combine(dir, "custom-print.pdf");
        File.WriteAllBytes(pdfPath, pdf.Bytes);
        var page = Regex.Match(ExportFixture.Poppler("pdfinfo", pdfPath), @"Page size:\s+([\d.]+) x ([\d.]+) pts");
        Assert.Equal(12 / 2.54 * 72, double.Parse(page.Groups[1].Value, CultureInfo.InvariantCulture), 0.5);
        Assert.Equal(3 * 72, double.Parse(page.Groups[2].Value, CultureInfo.InvariantCulture), 0.5);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>pHYs holds whole pixels per metre: a dpi is written to within half of one, 0.0127 dpi.</summary>
    private const double PhysResolution = 0.5 * 0.0254 + 1e-9;

    /// <summary>Dots per inch from the PNG's pHYs chunk (pixels per unit; unit 1 = metre), read independently of the
    /// writer, with the chunk's CRC checked as every PNG reader checks it.</summary>
    internal static (double DpiX, double DpiY, int Unit) PngPhys(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        for (int pos = 8; pos + 12 <= b.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(b, pos + 4, 4);
            if (type == "pHYs")
            {
                Assert.Equal(9, length);
                Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + 8 + length)), Crc32(b.AsSpan(pos + 4, 4 + length)));
                return (BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + 8)) * 0.0254, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + 12)) * 0.0254, b[pos + 16]);
            }
            if (type == "IDAT") break;   // pHYs must come before the image data
            pos += 12 + length;
        }
        throw new Xunit.Sdk.XunitException($"{path}: no pHYs chunk before the image data");
    }

    /// <summary>CRC-32 (bitwise, polynomial 0xEDB88320), as the PNG specification gives it.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte x in bytes)
        {
            c ^= x;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
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
            Assert.Equal(f.Paper!.Width.Cm / 2.54 * 72, double.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), 0.5);   // the printed size
            Assert.Equal(f.Paper.Height.Cm / 2.54 * 72, double.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture), 0.5);
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
