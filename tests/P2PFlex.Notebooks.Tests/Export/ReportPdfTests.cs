using System.Text.RegularExpressions;
using P2PFlex.Data;
using P2PFlex.Display;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary>
/// The feeder notebook (four charts, tables) and the sample notebook with parameters, run through the batch, then
/// printed to PDF beside their reports.
/// </summary>
[Collection(ExportCollection.Name)]
public class ReportPdfTests(ExportFixture fixture) : IAsyncLifetime
{
    private string _dir = "";
    private NotebookBatchResult _batch = null!;
    private IReadOnlyList<ReportPdf> _pdfs = [];

    public async Task InitializeAsync() => (_dir, _batch, _pdfs) = await fixture.FeederReport.Value;

    public Task DisposeAsync() => Task.CompletedTask;

    private string ReportPdfPath => Path.Combine(_dir, "01-feeder.pdf");

    [Fact]
    public void A_pdf_is_written_beside_each_report_and_the_index()
    {
        Assert.Equal([ReportPdfPath, Path.Combine(_dir, "index.pdf")], _pdfs.Select(p => p.PdfPath));
        Assert.All(_pdfs, p => Assert.StartsWith("%PDF-", File.ReadAllText(p.PdfPath)[..8]));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        Assert.Contains("01-feeder.ipynb", ExportFixture.PdfText(Path.Combine(_dir, "index.pdf")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_page_has_the_notebook_title_and_the_run_metadata()
    {
        string first = ExportFixture.PdfText(ReportPdfPath, page: 1);
        Assert.Contains("1. The 69-bus feeder and its base state", first);
        Assert.Contains("01-feeder.ipynb", first);
        Assert.Contains("P2PFlex " + Provenance.SoftwareVersion, first);
        Assert.Contains("data " + Provenance.DataVersion(), first);
        Assert.Contains("parameters none", first);
        Assert.Matches(@"PDF made \d{4}-\d\d-\d\d \d\d:\d\d UTC", first);
        Assert.Contains("plotly.js " + PlotlyJs.Version, first);
        Assert.Equal("1. The 69-bus feeder and its base state", _pdfs[0].Title);
    }

    [Fact]
    public void Every_chart_is_printed_whole_on_one_page()
    {
        // The four charts of notebook 01, each recognised by its title and its x axis title (the feeder diagram, which
        // has no axes: its last legend entry), which must share a page.
        var charts = new (string Figure, string XAxis)[]
        {
            ("fig19-feeder-congested-lines-scenario-0", "substation (bus 1)"),
            ("voltages-scenario-0", "bus number"),
            ("fig20-occupancy-per-line-scenario-0", "line (branch index and buses)"),
            ("fig21-occupancy-histogram-scenario-0", "occupancy band |f| / F"),
        };
        string html = File.ReadAllText(_batch.Notebooks[0].ReportPath!);
        Assert.Equal(Regex.Matches(html, @"Plotly\.newPlot\('").Count, _pdfs[0].Charts);
        Assert.Equal(charts.Length, _pdfs[0].Charts);
        int pages = ExportFixture.PdfPages(ReportPdfPath);
        Assert.True(pages >= 2, $"{pages} pages");
        var text = Enumerable.Range(1, pages).Select(p => ExportFixture.PdfText(ReportPdfPath, p)).ToArray();
        foreach (var (figure, xAxis) in charts)
        {
            string title = StudyFigures.Find(figure).Title;
            var withTitle = Enumerable.Range(0, pages).Where(p => text[p].Contains(title, StringComparison.Ordinal)).ToArray();
            Assert.True(withTitle.Length == 1, $"'{title}' on pages [{string.Join(", ", withTitle.Select(p => p + 1))}]");
            Assert.Contains(xAxis, text[withTitle[0]]);
        }
        // For a person to look at: the first page and the page of Figure 20.
        ExportFixture.Poppler("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", ReportPdfPath, Path.Combine(fixture.ArtifactDir, "01-feeder-page"));
        int fig20 = Array.FindIndex(text, t => t.Contains(StudyFigures.Find("fig20-occupancy-per-line-scenario-0").Title, StringComparison.Ordinal)) + 1;
        ExportFixture.Poppler("pdftoppm", "-r", "60", "-png", "-f", fig20.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-l", fig20.ToString(System.Globalization.CultureInfo.InvariantCulture), ReportPdfPath, Path.Combine(fixture.ArtifactDir, "01-feeder-fig20-page"));
    }

    [Fact]
    public async Task Parameters_as_run_are_given_values_over_the_parameters_cell_defaults()
    {
        string dir = ExportFixture.TempDir("report-pdf-params");
        try
        {
            string nbPath = Path.Combine(dir, "params.ipynb");
            NotebookJson.Write(Notebooks.SampleNotebooks.Study(), nbPath);
            var batch = await NotebookBatch.RunAsync([nbPath], Path.Combine(dir, "out"), new Dictionary<string, string> { ["alpha"] = "0.25" });
            string asRun = PdfExport.ParametersAsRun(batch.Notebooks[0]);
            Assert.Contains("alpha = 0.25 (given)", asRun);
            Assert.Contains("(default)", asRun);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_report_is_an_error_naming_it()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => PdfExport.WriteBesideAsync(fixture.Browser, Path.Combine(_dir, "nope.html")));
        Assert.Contains("nope.html", e.Message);
    }
}
