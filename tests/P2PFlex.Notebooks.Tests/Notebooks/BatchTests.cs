using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

public sealed class BatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pflex-nb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(string name, Notebook nb)
    {
        string path = Path.Combine(_dir, "in", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NotebookJson.Write(nb, path);
        return path;
    }

    [Fact]
    public async Task A_failure_does_not_stop_the_others_nor_is_a_set_with_failures_published_and_a_complete_batch_writes_each_report_and_an_index()
    {
        var ok = Notebook.CreateCSharp();
        ok.AddMarkdown("# Good one");
        ok.AddCode("int rounds = 1;", NotebookParameters.ParametersTag);
        ok.AddCode("display(Chart.Column<int, string, string>(values: new[] { rounds, 2 }, Keys: new[] { \"a\", \"b\" }));");
        var bad = Notebook.CreateCSharp();
        bad.AddCode("var y = 1;");
        bad.AddCode("y / 0");
        string okPath = Save("good.ipynb", ok);
        string badPath = Save("bad.ipynb", bad);
        string brokenPath = Path.Combine(_dir, "in", "broken.ipynb");
        File.WriteAllText(brokenPath, "{ not json");
        string missingPath = Path.Combine(_dir, "in", "missing.ipynb");
        string outDir = Path.Combine(_dir, "out");
        var progress = new StringWriter();

        var result = await NotebookBatch.RunAsync([okPath, badPath, brokenPath, missingPath], outDir, new NotebookBatchOptions
        {
            Parameters = new Dictionary<string, string> { ["rounds"] = "5" },
            Progress = progress,
            Index = new IndexPageOptions
            {
                Title = "Study notebooks",
                Summary = [new P2PFlex.Scenarios.TextTable("Table 8 (excerpt)", ["scenario", "congested"], [["0", "2"], ["1", "0"]])],
            },
            SummaryFactory = statuses => [new P2PFlex.Scenarios.TextTable("runs", ["notebook", "ok"], statuses.Select(s => (IReadOnlyList<string>)[s.Name, s.Succeeded ? "yes" : "no"]).ToList())],
        });

        Assert.False(result.AllSucceeded);
        Assert.Equal(4, result.Notebooks.Count);
        var (good, failed, broken, missing) = (result.Notebooks[0], result.Notebooks[1], result.Notebooks[2], result.Notebooks[3]);
        Assert.True(good.Succeeded, good.Describe());
        Assert.False(failed.Succeeded);
        Assert.Equal(3, failed.FailedCell!.CodeCellNumber);    // parameters go first in a notebook without a parameters cell
        Assert.Contains("System.DivideByZeroException", failed.Error);
        Assert.StartsWith("bad.ipynb: cell 3 (code cell 3/3, id '", failed.Describe());
        Assert.False(broken.Succeeded);
        Assert.Null(broken.FailedCell);
        Assert.Contains("not valid JSON", broken.Error);
        Assert.False(missing.Succeeded);
        Assert.Equal(3, result.Failures.Count);

        // A set with failures is not published (the previous set, here none, stays); the statuses say what failed.
        Assert.Null(result.IndexPath);
        Assert.False(Directory.Exists(outDir));
        Assert.Empty(Directory.GetFileSystemEntries(_dir, ".*"));

        // The good notebook alone: a complete set, published.
        var complete = await NotebookBatch.RunAsync([okPath], outDir, new NotebookBatchOptions
        {
            Parameters = new Dictionary<string, string> { ["rounds"] = "5" },
            Index = new IndexPageOptions
            {
                Title = "Study notebooks",
                Summary = [new P2PFlex.Scenarios.TextTable("Table 8 (excerpt)", ["scenario", "congested"], [["0", "2"], ["1", "0"]])],
            },
            SummaryFactory = statuses => [new P2PFlex.Scenarios.TextTable("runs", ["notebook", "ok"], statuses.Select(s => (IReadOnlyList<string>)[s.Name, s.Succeeded ? "yes" : "no"]).ToList())],
        });
        good = complete.Notebooks[0];
        Assert.True(File.Exists(good.ExecutedNotebookPath));
        Assert.True(File.Exists(good.ReportPath));
        Assert.Equal(Path.Combine(outDir, "good.ipynb"), good.ExecutedNotebookPath);
        var executed = NotebookJson.Read(good.ExecutedNotebookPath!);
        Assert.Equal("5", NotebookRunner.RunMetadata(executed)["parameters"]!["rounds"]!.GetValue<string>());
        string report = File.ReadAllText(good.ReportPath!);
        Assert.Contains("Plotly.newPlot(", report);
        Assert.Contains("<a href=\"index.html\">", report);

        string index = File.ReadAllText(complete.IndexPath!);
        Assert.Contains("<title>Study notebooks</title>", index);
        Assert.Contains("<a href=\"good.html\">Good one</a>", index);
        Assert.Contains("<caption>Table 8 (excerpt)</caption>", index);
        Assert.Contains("<caption>runs</caption>", index);
        Assert.Contains("<code>rounds=5</code>", index);

        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));   // atomic writes left nothing behind
        string log = progress.ToString();
        Assert.Contains("[1/4] good.ipynb  cell 2/3 ok", log);
        Assert.Contains("[2/4] bad.ipynb: FAILED at cell 3", log);
        Assert.Contains("[3/4] broken.ipynb: FAILED: not valid JSON", log);
    }

    [Fact]
    public async Task Notebooks_run_at_once_write_the_set_and_report_the_failures_they_write_one_after_another()
    {
        // Charts (per-notebook chart ids), printed text, a parameter, tables; then a failing and an unreadable notebook.
        var paths = new List<string>();
        for (int n = 0; n < 3; n++)
        {
            var nb = Notebook.CreateCSharp();
            nb.AddMarkdown($"# Notebook {n}");
            nb.AddCode("int rounds = 1;", NotebookParameters.ParametersTag);
            nb.AddCode($"Console.WriteLine(\"rounds {n}: \" + rounds); System.Threading.Thread.Sleep({50 * (3 - n)});");
            nb.AddCode($"display(Chart.Column<int, string, string>(values: new[] {{ rounds, {n} }}, Keys: new[] {{ \"a\", \"b\" }}));\n"
                       + $"display(Chart.Line<int, int, string>(x: new[] {{ 1, 2, 3 }}, y: new[] {{ {n}, rounds, 2 }}));\n{n} * rounds");
            paths.Add(Save($"nb{n}.ipynb", nb));
        }
        var options = new NotebookBatchOptions { Parameters = new Dictionary<string, string> { ["rounds"] = "3" }, PlotlyJs = PlotlyJsMode.Directory };
        string one = Path.Combine(_dir, "one"), parallel = Path.Combine(_dir, "parallel");
        var sequential = await NotebookBatch.RunAsync(paths, one, options);
        var progress = new StringWriter();
        var atOnce = await NotebookBatch.RunAsync(paths, parallel, new NotebookBatchOptions
        {
            Parameters = options.Parameters,
            PlotlyJs = options.PlotlyJs,
            Progress = progress,
            MaxParallelNotebooks = 3,
        });

        Assert.True(sequential.AllSucceeded, sequential.Describe());
        Assert.Equal(sequential.Describe(), atOnce.Describe());
        Assert.Equal(sequential.Notebooks.Select(n => Path.GetFileName(n.ReportPath)), atOnce.Notebooks.Select(n => Path.GetFileName(n.ReportPath)));
        var files = Directory.GetFiles(one).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, Directory.GetFiles(parallel).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(8, files.Length);   // 3 × (.ipynb, .html), index.html, plotly.min.js
        foreach (string? file in files)
            Assert.Equal(WithoutTimes(File.ReadAllText(Path.Combine(one, file!))), WithoutTimes(File.ReadAllText(Path.Combine(parallel, file!))));
        // every line keeps its notebook's prefix, and each notebook's lines come in their order
        var lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int n = 0; n < 3; n++)
        {
            var mine = lines.Where(l => l.StartsWith($"[{n + 1}/3] nb{n}.ipynb", StringComparison.Ordinal)).ToArray();
            Assert.Equal(10, mine.Length);   // started, 4 × (cell starts, cell ok) with the injected parameters' cell, finished
            Assert.EndsWith("4 code cells, parameters rounds=3", mine[0]);
            for (int k = 1; k <= 4; k++)
            {
                Assert.EndsWith($"cell {k}/4 …", mine[2 * k - 1]);
                Assert.Contains($"cell {k}/4 ok ", mine[2 * k]);
            }
            Assert.Contains($"[{n + 1}/3] nb{n}.ipynb: ok in ", mine[^1]);
        }

        // failures: the same statuses, nothing published either way
        string bad = Path.Combine(_dir, "in", "bad.ipynb"), broken = Path.Combine(_dir, "in", "broken.ipynb");
        var failing = Notebook.CreateCSharp();
        failing.AddCode("var y = 0;");
        failing.AddCode("1 / y");
        NotebookJson.Write(failing, bad);
        File.WriteAllText(broken, "{ not json");
        string[] mixed = [paths[0], bad, broken];
        var failedOne = await NotebookBatch.RunAsync(mixed, Path.Combine(_dir, "failed-one"));
        var failedAtOnce = await NotebookBatch.RunAsync(mixed, Path.Combine(_dir, "failed-at-once"), new NotebookBatchOptions { MaxParallelNotebooks = 3 });
        Assert.Equal(2, failedOne.Failures.Count);
        Assert.Equal(failedOne.Describe(), failedAtOnce.Describe());
        Assert.Null(failedAtOnce.IndexPath);
        Assert.False(Directory.Exists(Path.Combine(_dir, "failed-at-once")));
    }

    /// <summary>The text of a report file without what differs from run to run: run and cell times, start times.</summary>
    private static string WithoutTimes(string text)
    {
        text = System.Text.RegularExpressions.Regex.Replace(text, "\"duration_s\": [0-9.]+", "\"duration_s\": _");
        text = System.Text.RegularExpressions.Regex.Replace(text, "\"start_time\": \"[^\"]*\"", "\"start_time\": _");
        text = System.Text.RegularExpressions.Regex.Replace(text, "started [0-9T:.Z-]+", "started _");
        return System.Text.RegularExpressions.Regex.Replace(text, "[0-9]+(\\.[0-9]+)? s\\b", "_ s");
    }

    [Fact]
    public async Task Load_and_dll_paths_resolve_against_the_notebook_folder_and_preloaded_assemblies_are_not_loaded_twice()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("#load \"lib/helper.csx\"\n#r \"../../src/P2PFlex/bin/Debug/net10.0/P2PFlex.Core.dll\"\nTwice(21) + NotebookDirectory.Length * 0");
        nb.AddCode("typeof(StudyFeeder).Assembly.Location == typeof(P2PFlex.Notebooks.NotebookRunner).Assembly.Location.Replace(\"P2PFlex.Notebooks.dll\", \"P2PFlex.Core.dll\")");
        string path = Save("loads.ipynb", nb);
        Directory.CreateDirectory(Path.Combine(_dir, "in", "lib"));
        File.WriteAllText(Path.Combine(_dir, "in", "lib", "helper.csx"), "int Twice(int x) => 2 * x;\n");

        var r = await NotebookRunner.RunFileAsync(path);
        Assert.True(r.Succeeded, r.Describe());
        Assert.Equal("42", r.Notebook.Cells[0].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
        // the #r path does not exist from the temp folder: it ran because P2PFlex.Core is preloaded and the line was commented out
        Assert.Equal("True", r.Notebook.Cells[1].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
    }

    [Fact]
    public async Task A_batch_refuses_to_overwrite_its_input()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("1");
        string path = Save("same.ipynb", nb);
        await Assert.ThrowsAsync<ArgumentException>(() => NotebookBatch.RunAsync([path], Path.GetDirectoryName(path)!));
    }
}
