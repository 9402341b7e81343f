using System.Globalization;
using System.Text.Json.Nodes;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// A study notebook copied out of the repository, into a folder with neither <c>p2pflex-kernel.csx</c> nor
/// <c>../src</c> beside it (the README's <c>nb.ipynb</c>): its first cell and a scenario cell run in the headless runner
/// and, through Jupyter (<c>nbconvert --execute</c>, the README's command), in the P2PFlex kernel. Before, both failed
/// with "error CS1504: Source file 'p2pflex-kernel.csx' could not be opened".
/// </summary>
public class CopiedNotebookTests(InstalledKernel kernel) : IClassFixture<InstalledKernel>
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Notebook 02 up to its first code cell (the header, then scenarios 0 and 0′ run), and a cell printing
    /// scenario 0's LFM cost.</summary>
    private static string CopyNotebook(string folder)
    {
        var nb = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "notebooks", "02-scenario-0.ipynb")))!;
        var cells = nb["cells"]!.AsArray();
        int first = cells.Select((c, i) => (c, i)).First(x => x.c!["cell_type"]!.GetValue<string>() == "code").i;
        while (cells.Count > first + 1) cells.RemoveAt(cells.Count - 1);
        cells.Add(new JsonObject
        {
            ["cell_type"] = "code",
            ["id"] = "copied-scenario-cell",
            ["metadata"] = new JsonObject(),
            ["execution_count"] = null,
            ["outputs"] = new JsonArray(),
            ["source"] = "Console.WriteLine(\"LFM cost \" + s0.LfmCostEur?.ToString(\"R\", CultureInfo.InvariantCulture));",
        });
        string path = Path.Combine(folder, "nb.ipynb");
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }

    private static double Printed(string text)
    {
        int at = text.IndexOf("LFM cost ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no 'LFM cost' printed:\n{text}");
        string value = text[(at + "LFM cost ".Length)..].Split('\n')[0].Trim();
        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    // data/scenarios/0.json, expected.lfm_cost_eur and its relative tolerance
    private static void AssertScenario0Cost(double printed) => Assert.True(Math.Abs(printed - 1.825294) <= 1e-6 * 1.825294, $"LFM cost {printed}");

    [Fact]
    public async Task A_study_notebook_copied_to_another_folder_runs_in_the_runner_and_through_the_P2PFlex_kernel()
    {
        string folder = Directory.CreateTempSubdirectory("p2pflex-copied-notebook-").FullName;
        try
        {
            Assert.False(File.Exists(Path.Combine(folder, "p2pflex-kernel.csx")));
            string path = CopyNotebook(folder);

            // (a) the headless runner (p2pflex notebooks run nb.ipynb): relative paths resolve against the copy's folder
            var run = await NotebookRunner.RunFileAsync(path, new NotebookRunOptions());
            Assert.True(run.Succeeded, run.Describe());
            string printed = string.Concat(run.Notebook.Cells.Last().Outputs.OfType<StreamOutput>().Select(o => o.Text));
            AssertScenario0Cost(Printed(printed));

            // (b) the README's command: Jupyter starts the P2PFlex kernel in the copy's folder
            var r = JupyterToolsTests.Run(Python,
                ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=p2pflex-csharp",
                 "--output", "nb.executed.ipynb", "nb.ipynb"],
                kernel.Environment(), TimeSpan.FromMinutes(6), cwd: folder);
            Assert.True(r.ExitCode == 0, "nbconvert --execute through the P2PFlex kernel failed:\n" + r.Output);
            var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "nb.executed.ipynb")))!;
            var last = NotebookOutputs.CodeCells(executed).Last();
            AssertScenario0Cost(Printed(NotebookOutputs.Stdout(last)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
