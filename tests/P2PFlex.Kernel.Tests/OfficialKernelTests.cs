using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PFlex.TestSupport;
using Xunit.Abstractions;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// Runs every notebook in notebooks/ (the copies of <see cref="StudyNotebookRuns"/>: 08 and 10 with the kernel tests'
/// parameters), plus notebook 05 with papermill-style parameters, through the official .NET Interactive C# kernel
/// (<c>.net-csharp</c>) once, for the tests below:
/// <list type="number">
/// <item>the tool pinned by <c>.config/dotnet-tools.json</c> (<c>dotnet tool restore</c>, from the package registry);</item>
/// <item>its kernelspecs installed into a temporary Jupyter data folder (never the user's);</item>
/// <item>one job, one kernel start: <c>tests/kernel/execute_notebooks.py</c> executes the notebooks one after the other
/// in a single kernel (nbclient, as <c>nbconvert --execute</c> does), each within <see cref="NotebookTimeout"/>;</item>
/// <item>the executed notebooks exported to HTML by <c>nbconvert --to html</c>.</item>
/// </list>
/// Needs the Debug builds of P2PFlex.Core and P2PFlex.Display (the notebooks' first cell references
/// <c>src/P2PFlex/bin/Debug/net10.0/P2PFlex.Core.dll</c> and <c>src/P2PFlex.Display/bin/Debug/net10.0/P2PFlex.Display.dll</c>;
/// <c>dotnet test P2PFlex.sln</c> builds it) and the Debian packages of environment/install.sh.
/// </summary>
public sealed class OfficialKernelRun : IDisposable
{
    public static readonly TimeSpan NotebookTimeout = TimeSpan.FromSeconds(300);
    public const string KernelName = ".net-csharp";
    public const string PapermillNotebook = "05-scenario-3-papermill.ipynb";
    public static readonly (string Name, string Value)[] PapermillParameters = [("W", "0.35"), ("theta", "0.9")];

    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    // Variables the test host (dotnet test / MSBuild) sets for itself; the kernel's own NuGet restores must not see them.
    private static readonly string[] HostVariables = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
        .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
            || k is "DOTNET_HOST_PATH" or "MSBUILD_EXE_PATH")
        .ToArray();

    public OfficialKernelRun()
    {
        RepoRoot = FindRepoRoot();
        NotebookDir = Path.Combine(RepoRoot, "notebooks");
        Root = Directory.CreateTempSubdirectory("p2pflex-official-kernel-").FullName;
        OutDir = Path.Combine(Root, "executed");
        HtmlDir = Path.Combine(Root, "html");
        Notebooks = StudyNotebookRuns.Notebooks;   // the copies, notebooks 08 and 10 with the kernel tests' parameters
        foreach (var (project, assembly) in new[] { ("P2PFlex", "P2PFlex.Core"), ("P2PFlex.Display", "P2PFlex.Display") })
        {
            string dll = Path.Combine(RepoRoot, "src", project, "bin", "Debug", "net10.0", assembly + ".dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: the notebooks' first cell loads it; build it with 'dotnet build src/{project}'");
        }

        var env = Environment();
        var restore = JupyterToolsTests.Run("dotnet", ["tool", "restore"], env, TimeSpan.FromMinutes(5), RepoRoot, HostVariables);
        Assert.True(restore.ExitCode == 0, "dotnet tool restore (.config/dotnet-tools.json) failed:\n" + restore.Output);
        string kernels = Path.Combine(Root, "jupyter", "kernels");
        Directory.CreateDirectory(kernels);
        var install = JupyterToolsTests.Run("dotnet", ["interactive", "jupyter", "install", "--path", kernels], env, TimeSpan.FromMinutes(2), RepoRoot, HostVariables);
        Assert.True(install.ExitCode == 0 && File.Exists(Path.Combine(kernels, KernelName, "kernel.json")),
            "dotnet interactive jupyter install failed:\n" + install.Output);

        string papermill = Path.Combine(Root, "input", PapermillNotebook);
        Directory.CreateDirectory(Path.GetDirectoryName(papermill)!);
        File.WriteAllText(papermill, InjectLikePapermill(File.ReadAllText(Path.Combine(NotebookDir, "05-scenario-3.ipynb")), PapermillParameters));

        var clock = Stopwatch.StartNew();
        Execution = JupyterToolsTests.Run(Python,
            [Path.Combine(RepoRoot, "tests", "kernel", "execute_notebooks.py"), "--kernel", KernelName, "--cwd", NotebookDir,
             "--timeout", ((int)NotebookTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--out", OutDir, .. Notebooks, papermill],
            env, NotebookTimeout * (Notebooks.Count + 1) + TimeSpan.FromMinutes(2), RepoRoot, HostVariables);
        ExecutionTime = clock.Elapsed;
        string summary = Path.Combine(OutDir, "summary.json");
        Assert.True(File.Exists(summary), "the official kernel did not run (run environment/install.sh if a module is missing):\n" + Execution.Output);
        Summary = JsonNode.Parse(File.ReadAllText(summary))!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => (Status: s!["status"]!.GetValue<string>(), Seconds: s["seconds"]!.GetValue<double>(), Message: s["message"]!.GetValue<string>()));

        var export = JupyterToolsTests.Run(Python, ["-m", "nbconvert", "--to", "html", "--output-dir", HtmlDir, .. Summary.Keys.Select(n => Path.Combine(OutDir, n))],
            env, TimeSpan.FromMinutes(5), RepoRoot, HostVariables);
        ExportOutput = export.ExitCode == 0 ? "" : "nbconvert --to html failed:\n" + export.Output;
    }

    public string RepoRoot { get; }
    public string NotebookDir { get; }
    public string Root { get; }
    public string OutDir { get; }
    public string HtmlDir { get; }
    public IReadOnlyList<string> Notebooks { get; }
    internal JupyterToolsTests.ProcessResult Execution { get; }
    public TimeSpan ExecutionTime { get; }
    public IReadOnlyDictionary<string, (string Status, double Seconds, string Message)> Summary { get; }
    public string ExportOutput { get; }

    public JsonNode Executed(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, name)))!;

    public Dictionary<string, string> Environment() => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(Root, "jupyter"),
        ["JUPYTER_DATA_DIR"] = Path.Combine(Root, "data"),
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Root, "runtime"),
        ["JUPYTER_CONFIG_DIR"] = Path.Combine(Root, "config"),
        ["JUPYTER_PLATFORM_DIRS"] = "1",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
        ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",   // the tool's telemetry client has no network here
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary>
    /// What papermill does for a C# kernel (its <c>.net-csharp</c> translator): a cell tagged <c>injected-parameters</c>
    /// right after the cell tagged <c>parameters</c>, holding <c>var name = literal;</c> lines (untyped: see docs/notebooks.md).
    /// </summary>
    public static string InjectLikePapermill(string notebookJson, IEnumerable<(string Name, string Value)> parameters)
    {
        var nb = JsonNode.Parse(notebookJson)!;
        var cells = nb["cells"]!.AsArray();
        int at = cells.Select((c, i) => (c, i)).Single(x => x.c!["metadata"]?["tags"]?.AsArray().Any(t => t!.GetValue<string>() == "parameters") == true).i;
        var source = new JsonArray("// Parameters\n");
        foreach (var (name, value) in parameters) source.Add($"var {name} = {value};\n");
        cells.Insert(at + 1, new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = "papermill-injected",
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray("injected-parameters") },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        });
        return nb.ToJsonString();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (P2PFlex.sln) not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// The notebooks run unchanged in the official .NET Interactive kernel (Jupyter's ".NET (C#)", VS Code Polyglot
/// Notebooks) with the headless runner's results. Every notebook in notebooks/ is covered, so new ones are too.
/// </summary>
public partial class OfficialKernelTests(OfficialKernelRun run, ITestOutputHelper log) : IClassFixture<OfficialKernelRun>
{
    private string Describe(string name) =>
        run.Summary.TryGetValue(name, out var s) ? $"{name}: {s.Status} after {s.Seconds:F1} s\n{s.Message}" : $"{name}: not run\n{run.Execution.Output}";

    [Fact]
    public void Every_notebook_runs_without_error_in_the_official_kernel()
    {
        Assert.NotEmpty(run.Notebooks);
        foreach (var path in run.Notebooks)
        {
            string name = Path.GetFileName(path);
            Assert.True(run.Summary.TryGetValue(name, out var s) && s.Status == "ok", Describe(name));
            foreach (var cell in NotebookOutputs.CodeCells(run.Executed(name)))
            {
                Assert.Empty(NotebookOutputs.Errors(cell));
                Assert.NotNull(cell["execution_count"]);
            }
        }
        log.WriteLine($"official kernel, one job: {run.ExecutionTime.TotalSeconds:F1} s in all");
        foreach (var (name, s) in run.Summary) log.WriteLine($"  {name}: {s.Seconds:F1} s ({s.Status})");
    }

    [Fact]
    public async Task Every_notebook_shows_the_headless_runners_results_in_the_official_kernel()
    {
        int tables = 0, charts = 0;
        foreach (var path in run.Notebooks)
        {
            string name = Path.GetFileName(path);
            Assert.True(run.Summary.TryGetValue(name, out var s) && s.Status == "ok", Describe(name));
            var headless = await StudyNotebookRuns.HeadlessAsync(path);   // the runner's run, shared with the P2PFlex kernel's test
            log.WriteLine($"{name}: official kernel {s.Seconds:F1} s");
            var compared = NotebookOutputs.AssertSameResults(headless, run.Executed(name), name, "the official kernel");
            tables += compared.Tables;
            charts += compared.Charts;
        }
        log.WriteLine($"{tables} tables and {charts} charts compared");
        Assert.True(tables > 0 && charts > 0, $"nothing to compare: {tables} tables, {charts} charts");
    }

    [Fact]
    public void Every_chart_of_the_executed_notebooks_draws_offline_in_headless_chromium()
    {
        Assert.True(run.ExportOutput.Length == 0, run.ExportOutput);
        int total = 0;
        foreach (var name in run.Summary.Keys)
        {
            int charts = NotebookOutputs.CodeCells(run.Executed(name)).Sum(c => NotebookOutputs.ChartData(c).Length);
            string page = Path.Combine(run.HtmlDir, Path.ChangeExtension(name, ".html"));
            Assert.True(File.Exists(page), $"{page} was not exported");
            Assert.Equal(charts, HeadlessChromium.AssertEveryChartDraws(page));
            total += charts;
        }
        Assert.True(total > 0, "no chart in any notebook");
    }

    [Fact]
    public void Papermill_style_parameters_give_the_results_of_the_runners_typed_parameters()
    {
        string name = OfficialKernelRun.PapermillNotebook;
        Assert.True(run.Summary.TryGetValue(name, out var s) && s.Status == "ok", Describe(name));
        // the built CLI, as a user types it: p2pflex notebooks run notebooks/05-scenario-3.ipynb -p W=0.35 -p theta=0.9
        string outDir = Path.Combine(run.Root, "cli");
        var cli = JupyterToolsTests.Run("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "p2pflex.dll"), "notebooks", "run", Path.Combine(run.NotebookDir, "05-scenario-3.ipynb"),
             .. OfficialKernelRun.PapermillParameters.SelectMany(p => new[] { "-p", $"{p.Name}={p.Value}" }), "--out", outDir],
            new Dictionary<string, string>(), TimeSpan.FromMinutes(5), run.RepoRoot);
        Assert.True(cli.ExitCode == 0, "p2pflex notebooks run failed:\n" + cli.Output);
        var typed = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "05-scenario-3.ipynb")))!;
        var papermill = run.Executed(name);
        NotebookOutputs.AssertSameResults(typed, papermill, name, "the official kernel with papermill's injection");

        // and the parameters took effect: some printed result differs from the defaults' run
        var defaults = NotebookOutputs.CodeCells(run.Executed("05-scenario-3.ipynb")).Select(NotebookOutputs.Stdout).Where(t => t.Length > 0).ToArray();
        var injected = NotebookOutputs.CodeCells(papermill).Select(NotebookOutputs.Stdout).Where(t => t.Length > 0).ToArray();
        Assert.NotEqual(defaults, injected);
    }
}
