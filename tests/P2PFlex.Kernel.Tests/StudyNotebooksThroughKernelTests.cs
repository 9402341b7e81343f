using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// Every study notebook executed by Jupyter (<c>nbconvert --execute</c>) through the installed P2PFlex C# kernel gives
/// the same outputs as the headless runner: the same output types per cell, the same printed text (the KPI values the
/// cells print) and the same KPI tables.
/// </summary>
public class StudyNotebooksThroughKernelTests(InstalledKernel kernel) : IClassFixture<InstalledKernel>
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private static string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n?.GetValue<string>() ?? "";

    // The runners put plotly.js itself in one extra output before the first chart; it is not a result of the cell.
    private static bool IsPlotlyLibrary(JsonNode o) => Text(o["data"]?["text/html"]).Length > 1_000_000;

    private static List<(string Type, string Text, string Html)> Outputs(JsonNode cell) =>
        cell["outputs"]!.AsArray().Where(o => !IsPlotlyLibrary(o!)).Select(o =>
        {
            string type = o!["output_type"]!.GetValue<string>();
            string text = type == "stream" ? Text(o["text"]) : Text(o["data"]?["text/plain"]);
            string html = Text(o["data"]?["text/html"]);
            return (type, text, html);
        }).ToList();

    [Fact]
    public async Task Every_study_notebook_gives_the_same_outputs_through_the_kernel_as_headless()
    {
        string root = RepoRoot();
        string outDir = Path.Combine(kernel.Root, "study");
        var notebooks = Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(6, notebooks.Length);
        var env = kernel.Environment();
        var r = JupyterToolsTests.Run(Python,
            ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=p2pflex-csharp", "--output-dir", outDir, .. notebooks],
            env, TimeSpan.FromSeconds(400), cwd: root);
        Assert.True(r.ExitCode == 0, "nbconvert --execute through the kernel failed (run environment/install.sh if a module is missing):\n" + r.Output);

        foreach (var path in notebooks)
        {
            var headless = await NotebookRunner.RunFileAsync(path, new NotebookRunOptions());
            Assert.True(headless.Succeeded, $"{Path.GetFileName(path)} failed headless");
            var expected = JsonNode.Parse(NotebookJson.Serialize(headless.Notebook))!["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToArray();
            var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, Path.GetFileName(path))))!["cells"]!.AsArray()
                .Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                var e = Outputs(expected[i]!);
                var a = Outputs(actual[i]!);
                string where = $"{Path.GetFileName(path)}, code cell {i + 1}";
                Assert.True(e.Select(o => o.Type).SequenceEqual(a.Select(o => o.Type)),
                    $"{where}: output types differ: headless [{string.Join(", ", e.Select(o => o.Type))}] vs kernel [{string.Join(", ", a.Select(o => o.Type))}]");
                for (int k = 0; k < e.Count; k++)
                {
                    if (e[k].Type == "stream") Assert.Equal(e[k].Text, a[k].Text);          // printed KPI values
                    if (e[k].Html.Contains("<table", StringComparison.Ordinal)) Assert.Equal(e[k].Html, a[k].Html);   // KPI tables
                    if (e[k].Html.Contains("Plotly.newPlot", StringComparison.Ordinal)) Assert.Contains("Plotly.newPlot", a[k].Html);
                }
            }
        }
    }
}
