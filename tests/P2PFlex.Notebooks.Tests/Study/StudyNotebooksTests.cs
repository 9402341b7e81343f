using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>Runs the study notebooks once (headless) into a temporary folder; the tests below inspect the result.</summary>
public sealed class StudyNotebooksFixture : IDisposable
{
    public StudyNotebooksFixture()
    {
        NotebookDir = FindNotebooks();
        OutDir = Path.Combine(Path.GetTempPath(), $"p2pflex-study-notebooks-{Guid.NewGuid():N}");
        Notebooks = Directory.GetFiles(NotebookDir, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Result = NotebookBatch.RunAsync(Notebooks, OutDir).GetAwaiter().GetResult();
    }

    public string NotebookDir { get; }
    public string OutDir { get; }
    public IReadOnlyList<string> Notebooks { get; }
    public NotebookBatchResult Result { get; }

    private static string FindNotebooks()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return Path.Combine(dir.FullName, "notebooks");
        throw new DirectoryNotFoundException("repository root (P2PFlex.sln) not found above the test binaries");
    }

    public void Dispose()
    {
        try { Directory.Delete(OutDir, recursive: true); } catch (IOException) { }
    }
}

public class StudyNotebooksTests(StudyNotebooksFixture fixture) : IClassFixture<StudyNotebooksFixture>
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
        // The reference validator (Debian python3-nbformat, installed by environment/install.sh).
        foreach (var n in fixture.Result.Notebooks)
        {
            var (code, output) = Run("/usr/bin/python3",
                ["-c", "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print('valid', nb.nbformat, nb.nbformat_minor)",
                 n.ExecutedNotebookPath!], 60);
            Assert.True(code == 0, $"{n.Name}: {output}");
            Assert.Contains("valid 4 5", output);
        }
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
