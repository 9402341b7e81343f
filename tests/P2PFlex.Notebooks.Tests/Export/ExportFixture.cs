using System.Diagnostics;
using P2PFlex.Display;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary>
/// One headless Chromium (and one drawing page) shared by every export test, and the study's runs computed once. The
/// browser is the system's (environment/install.sh installs Debian's chromium); nothing is downloaded.
/// </summary>
public sealed class ExportFixture : IAsyncLifetime
{
    public ChromiumBrowser Browser { get; private set; } = null!;
    public ChartRenderer Renderer { get; private set; } = null!;
    public StudyFigureData Data { get; } = StudyFigureData.Load();

    /// <summary>Pictures of the outputs, for a person to look at (tests/…/bin/…/artifacts/export).</summary>
    public string ArtifactDir { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "export");

    public static readonly string[] ThreeFigureIds =
        ["fig19-feeder-congested-lines-scenario-0", "fig20-occupancy-per-line-scenario-0", "fig21-occupancy-histogram-scenario-0"];

    /// <summary>
    /// The feeder, occupancy per line and the histogram in SVG, PNG and PDF, exported once (on first use) into a
    /// temporary folder that the fixture deletes.
    /// </summary>
    public Lazy<Task<(string Dir, FigureExportResult Result)>> ThreeFigures { get; }

    public ExportFixture()
    {
        ThreeFigures = new(async () =>
        {
            string dir = TempDir("figures");
            _temporary.Add(dir);
            var result = await StudyFigureExport.WriteAsync(dir, new FigureExportOptions
            {
                Formats = [ChartImageFormat.Svg, ChartImageFormat.Png, ChartImageFormat.Pdf],
                FigureIds = ThreeFigureIds,
            }, Data, Renderer);
            return (dir, result);
        });
        FeederReport = new(async () =>
        {
            string dir = TempDir("report-pdf");
            _temporary.Add(dir);
            var batch = await NotebookBatch.RunAsync([NotebookPath("01-feeder.ipynb")], dir);
            Assert.True(batch.AllSucceeded, batch.Describe());
            var pdfs = await PdfExport.WriteForBatchAsync(Browser, batch,
                [new("P2PFlex", P2PFlex.Data.Provenance.SoftwareVersion), new("data", P2PFlex.Data.Provenance.DataVersion())]);
            return (dir, batch, pdfs);
        });
    }

    /// <summary>Notebook 01 (four charts) run through the batch and printed: report and index PDFs, once.</summary>
    public Lazy<Task<(string Dir, NotebookBatchResult Batch, IReadOnlyList<ReportPdf> Pdfs)>> FeederReport { get; }

    public static string NotebookPath(string name) => RepositoryPaths.Of("notebooks", name);

    private readonly List<string> _temporary = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactDir);
        Browser = await ChromiumBrowser.LaunchAsync();
        Renderer = await ChartRenderer.CreateAsync(Browser);
    }

    public async Task DisposeAsync()
    {
        await Renderer.DisposeAsync();
        await Browser.DisposeAsync();
        foreach (var dir in _temporary)
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    public static string TempDir(string what)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-{what}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a poppler tool (pdftotext, pdfinfo, pdftoppm; Debian poppler-utils, from environment/install.sh).</summary>
    public static string Poppler(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/" + tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool} (run environment/install.sh)");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{tool} did not finish"); }
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Pages of a PDF, from pdfinfo.</summary>
    public static int PdfPages(string pdf)
    {
        var line = Poppler("pdfinfo", pdf).Split('\n').Single(l => l.StartsWith("Pages:", StringComparison.Ordinal));
        return int.Parse(line["Pages:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The text of a PDF (or of one page), whitespace collapsed.</summary>
    public static string PdfText(string pdf, int? page = null)
    {
        var args = page is int p ? new[] { "-f", p.ToString(System.Globalization.CultureInfo.InvariantCulture), "-l", p.ToString(System.Globalization.CultureInfo.InvariantCulture), pdf, "-" } : new[] { pdf, "-" };
        return System.Text.RegularExpressions.Regex.Replace(Poppler("pdftotext", args), @"\s+", " ");
    }
}

[CollectionDefinition(Name)]
public sealed class ExportCollection : ICollectionFixture<ExportFixture>
{
    public const string Name = "headless Chromium";
}
