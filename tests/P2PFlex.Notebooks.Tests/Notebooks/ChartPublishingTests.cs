using System.Text.Json.Nodes;
using P2PFlex.Display;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// Where a batch's pages get plotly.js from (<see cref="PlotlyJsMode"/>) and what happens to the static chart pictures
/// without a browser. The study-scale checks (every chart of every notebook, the folder's size) are in StudyNotebooksTests.
/// </summary>
public sealed class ChartPublishingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pflex-chart-publishing-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Two notebooks of two charts each, written to files the batch can read.</summary>
    private string[] ChartNotebooks()
    {
        return new[] { "a", "b" }.Select(name =>
        {
            var nb = Notebook.CreateCSharp();
            nb.AddMarkdown($"# Charts {name}");
            nb.AddCode("Chart.Line<int, double, string>(x: new[] { 1, 2, 3 }, y: new[] { 1.0, 4.0, 9.0 }, Name: \"squares\")");
            nb.AddCode("display(Chart.Line<int, double, string>(x: new[] { 1, 2, 3 }, y: new[] { 1.0, 8.0, 27.0 }, Name: \"cubes\"));");
            string path = Path.Combine(_dir, name + ".ipynb");
            NotebookJson.Write(nb, path);
            return path;
        }).ToArray();
    }

    [Theory]
    [InlineData(PlotlyJsMode.Embed)]
    [InlineData(PlotlyJsMode.Directory)]
    public async Task Every_chart_draws_with_the_network_off_in_both_plotly_js_modes(PlotlyJsMode mode)
    {
        string outDir = Path.Combine(_dir, "out-" + mode);
        var result = await NotebookBatch.RunAsync(ChartNotebooks(), outDir, new NotebookBatchOptions { PlotlyJs = mode });
        Assert.True(result.AllSucceeded, result.Describe());
        string banner = PlotlyJs.Source[..120];
        bool shared = File.Exists(Path.Combine(outDir, PlotlyJs.FileName));
        Assert.Equal(mode == PlotlyJsMode.Directory, shared);
        foreach (var n in result.Notebooks)
        {
            string report = File.ReadAllText(n.ReportPath!);
            // embed: each page and notebook carries the library; directory: none does, they name the shared file
            Assert.Equal(mode == PlotlyJsMode.Embed, report.Contains(banner, StringComparison.Ordinal));
            Assert.Equal(mode == PlotlyJsMode.Embed, HtmlOutputs(n.ExecutedNotebookPath!).Contains(banner, StringComparison.Ordinal));
            Assert.Equal(2, HeadlessChromium.AssertEveryChartDraws(n.ReportPath!));   // every host unresolvable: offline
        }
    }

    /// <summary>Every text/html output of an executed notebook, joined (the file splits them into lines).</summary>
    internal static string HtmlOutputs(string ipynb) => string.Concat(NotebookJson.Read(ipynb).Cells.SelectMany(c => c.Outputs)
        .OfType<DisplayDataOutput>().Select(d => d.Data.GetText("text/html")));

    [Fact]
    public async Task Pictures_drawn_while_the_next_notebook_runs_are_all_in_the_notebooks_written()
    {
        // One notebook at a time: each notebook's pictures and its .ipynb are finished while the next one runs; the
        // batch returns only when every file is complete, and each file is the executed notebook with its pictures.
        var result = await NotebookBatch.RunAsync(ChartNotebooks(), Path.Combine(_dir, "pictures"), new NotebookBatchOptions
        {
            StaticChartImages = true,
            PlotlyJs = PlotlyJsMode.Directory,
        });
        Assert.True(result.AllSucceeded, result.Describe());
        Assert.Equal(2, result.Notebooks.Count);
        foreach (var n in result.Notebooks)
        {
            string written = File.ReadAllText(n.ExecutedNotebookPath!);
            Assert.Equal(NotebookJson.Serialize(n.Result!.Notebook), written);
            var charts = NotebookJson.Read(n.ExecutedNotebookPath!).Cells.SelectMany(c => c.Outputs).OfType<DisplayDataOutput>()
                .Where(StaticChartImages.IsChart).ToArray();
            Assert.Equal(2, charts.Length);
            Assert.All(charts, d =>
            {
                Assert.StartsWith("<svg", d.Data.GetText(StaticChartImages.SvgMime));
                Assert.Contains(StaticChartImages.FallbackClass, d.Data.GetText("text/html"));
            });
        }
    }

    [Fact]
    public async Task Without_a_browser_the_batch_says_once_that_the_static_pictures_were_skipped_and_writes_everything_else()
    {
        var progress = new StringWriter();
        var result = await NotebookBatch.RunAsync(ChartNotebooks(), Path.Combine(_dir, "out"), new NotebookBatchOptions
        {
            StaticChartImages = true,
            ChromiumPath = Path.Combine(_dir, "no-such-chromium"),
            Progress = progress,
            ProgressCellStarts = false,
        });
        Assert.True(result.AllSucceeded, result.Describe());
        string log = progress.ToString();
        Assert.Single(log.Split('\n'), l => l.Contains("static chart images skipped", StringComparison.Ordinal));
        Assert.Contains("no-such-chromium", log);   // why: the browser named does not exist
        foreach (var n in result.Notebooks)
        {
            var outputs = JsonNode.Parse(File.ReadAllText(n.ExecutedNotebookPath!))!["cells"]!.AsArray()
                .SelectMany(c => c!["outputs"]?.AsArray() ?? []).Select(o => o!["data"]).OfType<JsonObject>()
                .Where(d => d.ContainsKey(PlotlyCharts.MimeType)).ToArray();
            Assert.Equal(2, outputs.Length);   // the interactive forms are all there
            Assert.All(outputs, d => Assert.False(d.ContainsKey(StaticChartImages.SvgMime)));
        }
    }
}
