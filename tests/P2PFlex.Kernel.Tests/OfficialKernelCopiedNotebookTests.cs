using System.Globalization;
using System.Text.Json.Nodes;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// A study notebook copied to a folder outside the repository (neither <c>../src</c> nor a setup script beside it) runs
/// in the official kernel, started in that folder as Jupyter starts it: its first cell loads P2PFlex from the packages
/// of <c>environment/notebook-packages.sh</c> (the README's step), the study's data comes with the package, and the
/// charts carry their static pictures. Part of <see cref="OfficialKernelTests"/>, whose fixture installed the kernel and
/// made the packages into a fresh NuGet folder.
/// </summary>
public partial class OfficialKernelTests
{
    [Fact]
    public async Task A_study_notebook_copied_outside_the_repository_runs_in_the_official_kernel_with_the_runners_results()
    {
        const string name = "05-scenario-3.ipynb";
        string folder = Path.Combine(run.Root, "copied");
        Directory.CreateDirectory(folder);
        Assert.False(Path.GetFullPath(folder).StartsWith(run.RepoRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{folder} is inside the repository");
        string copy = Path.Combine(folder, name);
        File.Copy(Path.Combine(run.NotebookDir, name), copy);
        string outDir = Path.Combine(folder, "executed");

        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var execution = JupyterToolsTests.Run(python,
            [Path.Combine(run.RepoRoot, "tests", "kernel", "execute_notebooks.py"), "--kernel", OfficialKernelRun.KernelName, "--cwd", folder,
             "--timeout", ((int)OfficialKernelRun.NotebookTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--out", outDir, copy],
            run.Environment(), OfficialKernelRun.NotebookTimeout + TimeSpan.FromMinutes(2), folder, OfficialKernelRun.HostVariables);
        string summary = Path.Combine(outDir, "summary.json");
        Assert.True(File.Exists(summary), "the official kernel did not run:\n" + execution.Output);
        var status = Assert.Single(JsonNode.Parse(File.ReadAllText(summary))!.AsArray())!;
        Assert.True(status["status"]!.GetValue<string>() == "ok", $"{name} copied to {folder}: {status["status"]} — {status["message"]}\n{execution.Output}");

        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, name)))!;
        foreach (var cell in NotebookOutputs.CodeCells(executed))
        {
            Assert.Empty(NotebookOutputs.Errors(cell));
            Assert.NotNull(cell["execution_count"]);
        }
        // the same printed results, tables and chart data as the headless runner's run of the notebook in notebooks/
        var headless = await StudyNotebookRuns.HeadlessAsync(run.Notebooks.Single(n => Path.GetFileName(n) == name));
        var compared = NotebookOutputs.AssertSameResults(headless, executed, name, "the official kernel, copied outside the repository");
        Assert.True(compared.Tables > 0 && compared.Charts > 0, $"nothing to compare: {compared.Tables} tables, {compared.Charts} charts");
        // and every chart has its static pictures: P2PFlex.Display from the package found the CLI's build it names
        var charts = NotebookOutputs.CodeCells(executed).SelectMany(NotebookOutputs.Outputs)
            .Where(o => NotebookOutputs.Html(o).Contains("Plotly.newPlot", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(charts);
        Assert.All(charts, o => Assert.StartsWith("<svg", NotebookOutputs.Text(o["data"]!["image/svg+xml"]), StringComparison.Ordinal));
        // P2PFlex came from the fresh packages folder the README's step filled
        string version = System.Xml.Linq.XDocument.Load(Path.Combine(run.RepoRoot, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.True(File.Exists(Path.Combine(run.PackagesFolder, "p2pflex", version, "lib", "net10.0", "P2PFlex.Core.dll")));
        log.WriteLine($"{name} copied to {folder}: {status["seconds"]} s in the official kernel; {compared.Tables} tables, {compared.Charts} charts as headless");
    }
}
