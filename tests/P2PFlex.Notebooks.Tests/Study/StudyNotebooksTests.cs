using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>
/// The study notebooks run once (headless) as <c>reproduce</c> runs them (one shared plotly.js, static chart pictures), as
/// many notebooks at once as there are cores; the tests of the collection <see cref="StudyNotebooksCollection"/> inspect
/// the result. Notebook 08 runs with the tests' smaller Monte Carlo and notebook 10 on the representative day, through
/// their parameters (<see cref="StudyNotebookInputs.TestParameters"/>). The run is the test command's one headless run
/// (<see cref="SharedStudyRun"/>): whichever of this process and the kernel tests' (which compare the kernels' outputs
/// with it) comes first computes it, the other reads it.
/// </summary>
public sealed class StudyNotebooksFixture
{
    public StudyNotebooksFixture()
    {
        NotebookDir = SharedStudyRun.NotebookDir;
        Notebooks = Directory.GetFiles(NotebookDir, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        (OutDir, Result, _) = SharedStudyRun.Get();
    }

    public string NotebookDir { get; }
    public string OutDir { get; }
    public IReadOnlyList<string> Notebooks { get; }
    public NotebookBatchResult Result { get; }
}

/// <summary>The tests that read the one headless run of the study notebooks (<see cref="StudyNotebooksFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class StudyNotebooksCollection : ICollectionFixture<StudyNotebooksFixture>
{
    public const string Name = "study notebooks, run once";
}

[Collection(StudyNotebooksCollection.Name)]
public partial class StudyNotebooksTests(StudyNotebooksFixture fixture)
{
    [Fact]
    public void Every_study_notebook_runs_without_error()
    {
        Assert.True(fixture.Notebooks.Count >= 6, $"{fixture.Notebooks.Count} notebooks");
        Assert.True(fixture.Result.AllSucceeded, fixture.Result.Describe());
        Assert.True(File.Exists(Path.Combine(fixture.OutDir, "index.html")));
        foreach (var n in fixture.Result.Notebooks)
        {
            var doc = JsonNode.Parse(File.ReadAllText(n.ExecutedNotebookPath!))!;
            foreach (var cell in doc["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code"))
            {
                var outputs = cell!["outputs"]!.AsArray();
                Assert.DoesNotContain(outputs, o => (string?)o!["output_type"] == "error");
                Assert.NotNull(cell["execution_count"]);
            }
        }
    }

    // A call of a StudyCharts method, or of a StudyFigures method that returns a chart (not e.g. Scenario3Name).
    private static readonly string ChartCall = @"(StudyCharts\.\w+|StudyFigures\.(" + string.Join("|",
        typeof(P2PFlex.Display.StudyFigures).GetMethods().Where(m => m.ReturnType == typeof(Plotly.NET.GenericChart)).Select(m => m.Name).Distinct()) + @"))\(";

    [Fact]
    public void Charts_are_plotly_html_and_tables_are_html_tables()
    {
        int charts = 0, tables = 0;
        foreach (var n in fixture.Result.Notebooks)
        {
            var doc = JsonNode.Parse(File.ReadAllText(n.ExecutedNotebookPath!))!;
            foreach (var cell in doc["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code"))
            {
                string source = string.Concat(cell!["source"]!.AsArray().Select(s => (string?)s));
                var htmls = cell["outputs"]!.AsArray()
                    .Where(o => (string?)o!["output_type"] is "display_data" or "execute_result")
                    .Select(o => o!["data"]?["text/html"])
                    .Where(h => h is not null)
                    .Select(h => h is JsonArray a ? string.Concat(a.Select(x => (string?)x)) : (string?)h ?? "")
                    .ToArray();
                int chartCalls = Regex.Matches(source, ChartCall).Count;
                if (chartCalls > 0)
                {
                    // The first chart of a notebook is preceded by one output that carries plotly.js itself.
                    Assert.Equal(chartCalls, htmls.Count(h => h.Contains("Plotly.newPlot('plotly-", StringComparison.Ordinal)));
                    charts += chartCalls;
                }
                if (Regex.IsMatch(source.Split('\n').Last(l => l.Trim().Length > 0), @"^\s*(StudyTables\.|Deedle\.Frame\.)"))
                {
                    Assert.Contains(htmls, h => h.Contains("<table", StringComparison.Ordinal));
                    tables++;
                }
            }
        }
        Assert.True(charts >= 15, $"{charts} charts");
        Assert.True(tables >= 8, $"{tables} tables");
    }

    [Fact]
    public void Notebook_07_computes_every_conceptual_model()
    {
        var n = Assert.Single(fixture.Result.Notebooks, x => x.Name.StartsWith("07-conceptual-models", StringComparison.Ordinal));
        string text = File.ReadAllText(n.ExecutedNotebookPath!);
        Assert.Contains("clearing price", text);                          // CM1
        Assert.Contains("CM3: nodal prices on the feeder", text);          // the nodal price map
        Assert.Contains("the peers cannot remove the congestions", text);  // CM3 on the extreme state: a status
        Assert.Contains("KKT conditions: all hold", text);                 // CM5
        Assert.Contains("total cost to the DSO against the volume", text); // the comparison chart
        Assert.Contains("cm3-v2-extreme", text);                           // the comparison table lists every model
    }

    [Fact]
    public void Executed_notebooks_validate_against_the_nbformat_4_schema()
    {
        // The reference validator (Debian python3-nbformat, installed by environment/install.sh), one process for every
        // notebook (its import is most of the time), one line per notebook: its index, then "valid 4 5" or the error.
        const string Validate = """
            import sys, nbformat
            for i, path in enumerate(sys.argv[1:]):
                try:
                    nb = nbformat.read(path, as_version=4); nbformat.validate(nb); print(i, 'valid', nb.nbformat, nb.nbformat_minor)
                except Exception as e:
                    print(i, 'invalid:', repr(e).replace(chr(10), ' '))
            """;
        var notebooks = fixture.Result.Notebooks;
        var (code, output) = Run("/usr/bin/python3", ["-c", Validate, .. notebooks.Select(n => n.ExecutedNotebookPath!)], 120);
        Assert.True(code == 0, output);
        var lines = output.Split('\n').Where(l => Regex.IsMatch(l, @"^\d+ ")).ToArray();   // not a warning on stderr
        Assert.Equal(notebooks.Count, lines.Length);
        for (int i = 0; i < notebooks.Count; i++)
            Assert.True(lines[i] == $"{i} valid 4 5", $"{notebooks[i].Name}: {lines[i]}");
    }

    [Fact]
    public void Every_report_renders_every_chart_in_headless_chromium_without_script_errors()
    {
        foreach (var n in fixture.Result.Notebooks.Append(null))
        {
            string page = n?.ReportPath ?? Path.Combine(fixture.OutDir, "index.html");
            Assert.All(HeadlessChromium.ChartIds(File.ReadAllText(page)), id => Assert.StartsWith("plotly-", id));   // deterministic ids
            HeadlessChromium.AssertEveryChartDraws(page);
        }
    }

    /// <summary>The chart outputs of an executed notebook (those whose text/html draws a chart with Plotly.newPlot).</summary>
    private static IEnumerable<JsonObject> ChartOutputs(string ipynb) =>
        JsonNode.Parse(File.ReadAllText(ipynb))!["cells"]!.AsArray()
            .SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Where(o => o["data"]?["text/html"] is { } h && Text(h).Contains("Plotly.newPlot(", StringComparison.Ordinal));

    private static string Text(JsonNode n) => n is JsonArray a ? string.Concat(a.Select(x => (string?)x)) : (string?)n ?? "";

    [Fact]
    public void Every_chart_output_carries_its_plotly_figure_as_json_and_a_static_svg_of_it()
    {
        int charts = 0;
        foreach (var n in fixture.Result.Notebooks)
            foreach (var output in ChartOutputs(n.ExecutedNotebookPath!))
            {
                var data = output["data"]!.AsObject();
                string html = Text(data["text/html"]!);
                // the figure JupyterLab / VS Code draw: an object with data and layout, the data the HTML's newPlot draws
                var figure = Assert.IsType<JsonObject>(data[P2PFlex.Display.PlotlyCharts.MimeType], exactMatch: false);
                Assert.IsType<JsonObject>(figure["layout"], exactMatch: false);
                var htmlData = JsonNode.Parse(HtmlChartData().Match(html).Groups["data"].Value)!;
                Assert.True(JsonNode.DeepEquals(htmlData, figure["data"]), $"{n.Name}: the plotly JSON's data differ from the chart's");
                // the static form: an SVG drawing of the chart, and the same picture inside the chart's div for pages without JavaScript
                string svg = Text(data[StaticChartImages.SvgMime] ?? throw new Xunit.Sdk.XunitException($"{n.Name}: a chart output has no image/svg+xml"));
                Assert.StartsWith("<svg", svg.TrimStart());
                Assert.Contains("class=\"main-svg\"", svg);
                Assert.Contains($"<div class=\"{StaticChartImages.FallbackClass}\" role=\"img\"", html);
                Assert.Contains("src=\"data:image/webp;base64,", html);
                charts++;
            }
        Assert.True(charts >= 15, $"{charts} charts");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("sanitized")]
    public async Task Without_javascript_nbconvert_pages_of_the_executed_notebooks_show_one_picture_per_chart(string mode)
    {
        // nbconvert's HTML of each executed notebook, opened in Chromium with JavaScript disabled (as a static viewer, an
        // e-mail preview or a browser with scripts blocked shows it), as it is and with --sanitize-html (what static
        // viewers built on nbconvert do with a notebook they do not trust): every chart is a picture, as many as the live
        // report draws.
        string html = fixture.OutDir + "-nbconvert-" + mode;
        string[] sanitize = mode == "sanitized" ? ["--sanitize-html"] : [];
        var (code, output) = Run("/usr/bin/python3", ["-m", "nbconvert", "--to", "html", .. sanitize, "--output-dir", html,
            .. fixture.Result.Notebooks.Select(n => n.ExecutedNotebookPath!)], 300);
        Assert.True(code == 0, "nbconvert --to html failed (run environment/install.sh):\n" + output);
        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "static");
        Directory.CreateDirectory(artifacts);
        await using var browser = await ChromiumBrowser.LaunchAsync();
        try
        {
            foreach (var n in fixture.Result.Notebooks)
            {
                int live = HeadlessChromium.ChartIds(File.ReadAllText(n.ReportPath!)).Count;
                var page = await browser.NewOfflinePageAsync();
                await page.SetJavaScriptEnabledAsync(false);
                await page.SetViewportAsync(new PuppeteerSharp.ViewPortOptions { Width = 1100, Height = 900 });
                string file = Path.Combine(html, Path.GetFileNameWithoutExtension(n.ExecutedNotebookPath!) + ".html");
                await page.GoToAsync(new Uri(file).AbsoluteUri, new PuppeteerSharp.NavigationOptions { WaitUntil = [PuppeteerSharp.WaitUntilNavigation.Load], Timeout = 120_000 });
                // a picture: the static image, decoded and laid out with a size
                int pictures = await page.EvaluateExpressionAsync<int>(
                    $"Array.from(document.querySelectorAll('.{StaticChartImages.FallbackClass} > img')).filter(i => i.complete && i.naturalWidth > 100 "
                    + "&& i.getBoundingClientRect().width > 100 && i.getBoundingClientRect().height > 100).length");
                Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('.js-plotly-plot').length"));   // no script ran
                Assert.True(live == pictures, $"{n.Name} ({mode}): {pictures} pictures without JavaScript, {live} charts in the live report");
                if (n.Name.StartsWith("05-", StringComparison.Ordinal) || n.Name.StartsWith("07-", StringComparison.Ordinal))
                    await page.ScreenshotAsync(Path.Combine(artifacts, Path.GetFileNameWithoutExtension(n.Name) + $"-no-javascript-{mode}.png"),
                        new PuppeteerSharp.ScreenshotOptions { FullPage = true });
                await page.CloseAsync();
            }
        }
        finally
        {
            try { Directory.Delete(html, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_report_folder_holds_one_plotly_js_loaded_by_every_page_and_stays_under_10_MB()
    {
        // plotly.js's own banner opens the bundle once per copy, whether a file, inlined in a page or embedded in a notebook
        string banner = P2PFlex.Display.PlotlyJs.Source[..Math.Min(120, P2PFlex.Display.PlotlyJs.Source.Length)];
        var files = Directory.GetFiles(fixture.OutDir, "*", SearchOption.AllDirectories);
        var copies = files.Where(f => (f.EndsWith(".ipynb", StringComparison.Ordinal) ? Notebooks.ChartPublishingTests.HtmlOutputs(f) : File.ReadAllText(f))
                .Contains(banner, StringComparison.Ordinal)).Select(f => Path.GetFileName(f)!).ToArray();
        Assert.Equal(new[] { P2PFlex.Display.PlotlyJs.FileName }, copies);
        foreach (var n in fixture.Result.Notebooks)
        {
            if (HeadlessChromium.ChartIds(File.ReadAllText(n.ReportPath!)).Count == 0) continue;
            Assert.Contains($"<script type=\"text/javascript\" src=\"{P2PFlex.Display.PlotlyJs.FileName}\"></script>", File.ReadAllText(n.ReportPath!));
            Assert.Contains($"src=\"{P2PFlex.Display.PlotlyJs.FileName}\"", Notebooks.ChartPublishingTests.HtmlOutputs(n.ExecutedNotebookPath!));
        }
        long bytes = files.Sum(f => new FileInfo(f).Length);
        // Ten notebooks with the plotly figures of the executed notebooks written on one line each (indented, their
        // indentation alone took 40 % of a notebook's bytes). One more copy of plotly.js (3.6 MB) fails this.
        Assert.True(bytes < 10_000_000, $"the report folder holds {bytes / 1e6:F1} MB");
    }

    [GeneratedRegex(@"var data = (?<data>\[.*?\]);\s*var layout", RegexOptions.Singleline)]
    private static partial Regex HtmlChartData();

    private static (int Code, string Output) Run(string file, string[] args, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file} (run environment/install.sh)");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); throw new TimeoutException($"{file} did not finish in {timeoutSeconds} s"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
