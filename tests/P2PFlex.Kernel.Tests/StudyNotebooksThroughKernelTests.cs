using System.Text.Json.Nodes;
using P2PFlex.TestSupport;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// Every study notebook executed by Jupyter (<c>nbconvert --execute</c>) through the installed P2PFlex C# kernel gives
/// the same outputs as the headless runner: the same output types per cell, the same printed text (the KPI values the
/// cells print), the same KPI tables and the same chart data. Covers every notebook in notebooks/.
/// </summary>
public class StudyNotebooksThroughKernelTests(InstalledKernel kernel) : IClassFixture<InstalledKernel>
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static List<(string Type, string Text, string Html)> Outputs(JsonNode cell) =>
        NotebookOutputs.Outputs(cell).Where(o => !NotebookOutputs.IsPlotlyLibrary(o)).Select(o =>
        {
            string type = o["output_type"]!.GetValue<string>();
            string text = type == "stream" ? NotebookOutputs.Text(o["text"]) : NotebookOutputs.Text(o["data"]?["text/plain"]);
            return (type, text, NotebookOutputs.Html(o));
        }).ToList();

    [Fact]
    public async Task Every_study_notebook_gives_the_same_outputs_through_the_kernel_as_headless()
    {
        string root = RepositoryPaths.Root;
        string outDir = Path.Combine(kernel.Root, "study");
        // The copies of notebooks/ that the official kernel's tests run too (notebook 08 on the tests' draws, 10 on one
        // day, through injected-parameters cells), and their headless results, computed once per test process and shared.
        // Every cell and check still runs; the full-size runs are `reproduce`'s and StudyNotebooksTests'.
        var notebooks = StudyNotebookRuns.Notebooks.ToArray();
        StudyNotebookRuns.StartHeadless();   // the reference runs compute while the kernels run
        Assert.Equal(Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Length, notebooks.Length);
        var env = kernel.Environment();
        // The charts' static pictures (a Chromium per kernel, about a second per chart) are tested in
        // KernelEndToEndTests; here they would only add time, and the chart data compared below are the same either way.
        env["P2PFLEX_STATIC_CHARTS"] = "0";
        // nbconvert starts one kernel per notebook; the time allowed grows with the number of notebooks
        var r = JupyterToolsTests.Run(Python,
            ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=p2pflex-csharp", "--output-dir", outDir, .. notebooks],
            env, TimeSpan.FromSeconds(60 + 120 * notebooks.Length), cwd: StudyNotebookRuns.Folder);
        Assert.True(r.ExitCode == 0, "nbconvert --execute through the kernel failed (run environment/install.sh if a module is missing):\n" + r.Output);

        foreach (var path in notebooks)
        {
            var expectedNb = await StudyNotebookRuns.HeadlessAsync(path);
            var actualNb = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, Path.GetFileName(path))))!;
            // printed KPI values, KPI tables and chart data per cell
            NotebookOutputs.AssertSameResults(expectedNb, actualNb, Path.GetFileName(path), "the P2PFlex kernel");
            // this kernel shares the runner's session, so even the kinds and order of outputs are the same
            var expected = NotebookOutputs.CodeCells(expectedNb);
            var actual = NotebookOutputs.CodeCells(actualNb);
            for (int i = 0; i < expected.Length; i++)
            {
                var e = Outputs(expected[i]);
                var a = Outputs(actual[i]);
                string where = $"{Path.GetFileName(path)}, code cell {i + 1}";
                Assert.True(e.Select(o => o.Type).SequenceEqual(a.Select(o => o.Type)),
                    $"{where}: output types differ: headless [{string.Join(", ", e.Select(o => o.Type))}] vs kernel [{string.Join(", ", a.Select(o => o.Type))}]");
            }
        }
    }
}
