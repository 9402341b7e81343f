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
/// <item>its kernelspecs installed into a temporary Jupyter data folder (never the user's), the C# one starting the tool's
/// entry assembly directly, as a global install of the tool does (a local tool is found only below its manifest, and
/// a notebook copied anywhere starts the kernel in its own folder);</item>
/// <item>the packages P2PFlex and P2PFlex.Display that the notebooks' first cell asks for, made from this build by
/// <c>environment/notebook-packages.sh</c> (the README's step) into a fresh, temporary NuGet global packages folder
/// (<see cref="PackagesFolder"/>, <c>NUGET_PACKAGES</c> of the kernel), with the user's folder as a read-only fallback
/// for the other packages: the user's cache is neither read for P2PFlex (no stale copy) nor written;</item>
/// <item>one job, one kernel start: <c>tests/kernel/execute_notebooks.py</c> executes the notebooks one after the other
/// in a single kernel (nbclient, as <c>nbconvert --execute</c> does), each within <see cref="NotebookTimeout"/>;</item>
/// <item>the executed notebooks exported to HTML by <c>nbconvert --to html</c>.</item>
/// </list>
/// Needs the Debug builds of P2PFlex.Core, P2PFlex.Display (packed with <c>--no-build</c>) and the CLI (the chart
/// pictures; the test command's <c>dotnet build P2PFlex.sln</c> builds them) and the Debian packages of environment/install.sh.
/// </summary>
public sealed class OfficialKernelRun : IDisposable
{
    public static readonly TimeSpan NotebookTimeout = TimeSpan.FromSeconds(300);
    public const string KernelName = ".net-csharp";
    public const string PapermillNotebook = "05-scenario-3-papermill.ipynb";
    public static readonly (string Name, string Value)[] PapermillParameters = [("W", "0.35"), ("theta", "0.9")];

    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    // Variables the test host (dotnet test / MSBuild) sets for itself; the kernel's own NuGet restores must not see them.
    internal static readonly string[] HostVariables = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
        .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
            || k is "DOTNET_HOST_PATH" or "MSBUILD_EXE_PATH")
        .ToArray();

    public OfficialKernelRun()
    {
        RepoRoot = RepositoryPaths.Root;
        NotebookDir = Path.Combine(RepoRoot, "notebooks");
        Root = Directory.CreateTempSubdirectory("p2pflex-official-kernel-").FullName;
        OutDir = Path.Combine(Root, "executed");
        HtmlDir = Path.Combine(Root, "html");
        Notebooks = StudyNotebookRuns.Notebooks;   // the copies, notebooks 08 and 10 with the kernel tests' parameters
        PackagesFolder = Path.Combine(Root, "nuget-packages");
        foreach (var (project, assembly) in new[] { ("P2PFlex", "P2PFlex.Core"), ("P2PFlex.Display", "P2PFlex.Display") })
        {
            string dll = Path.Combine(RepoRoot, "src", project, "bin", "Debug", "net10.0", assembly + ".dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: environment/notebook-packages.sh --no-build packs it; build it with 'dotnet build src/{project}'");
        }

        // The tool from the user's NuGet folder (where dotnet tool restore puts it), the kernelspecs into the temporary one.
        var tools = ToolEnvironment();
        var restore = JupyterToolsTests.Run("dotnet", ["tool", "restore"], tools, TimeSpan.FromMinutes(5), RepoRoot, HostVariables);
        Assert.True(restore.ExitCode == 0, "dotnet tool restore (.config/dotnet-tools.json) failed:\n" + restore.Output);
        string kernels = Path.Combine(Root, "jupyter", "kernels");
        Directory.CreateDirectory(kernels);
        var install = JupyterToolsTests.Run("dotnet", ["interactive", "jupyter", "install", "--path", kernels], tools, TimeSpan.FromMinutes(2), RepoRoot, HostVariables);
        string kernelJson = Path.Combine(kernels, KernelName, "kernel.json");
        Assert.True(install.ExitCode == 0 && File.Exists(kernelJson), "dotnet interactive jupyter install failed:\n" + install.Output);
        StartToolDirectly(kernelJson);

        // The README's step, into the fresh packages folder.
        var env = Environment();
        var packages = JupyterToolsTests.Run("bash", [Path.Combine(RepoRoot, "environment", "notebook-packages.sh"), "--no-build"], env, TimeSpan.FromMinutes(5), RepoRoot, HostVariables);
        Assert.True(packages.ExitCode == 0 && Directory.Exists(Path.Combine(PackagesFolder, "p2pflex.display")),
            "environment/notebook-packages.sh failed:\n" + packages.Output);

        string papermill = Path.Combine(Root, "input", PapermillNotebook);
        Directory.CreateDirectory(Path.GetDirectoryName(papermill)!);
        File.WriteAllText(papermill, InjectLikePapermill(File.ReadAllText(Path.Combine(NotebookDir, "05-scenario-3.ipynb")), PapermillParameters));

        StudyNotebookRuns.StartHeadless();   // the reference runs compute while the official kernel runs
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

    /// <summary>The kernel's NuGet global packages folder (fresh, temporary): P2PFlex's packages are extracted there.</summary>
    public string PackagesFolder { get; }
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

    /// <summary>The environment of the kernel and of the packages step: <see cref="ToolEnvironment"/>, NuGet's global
    /// packages folder <see cref="PackagesFolder"/> and the user's as a fallback folder (an MSBuild property from the
    /// environment, read by every restore, the kernel's included), so that the other packages are not downloaded again.</summary>
    public Dictionary<string, string> Environment() => new(ToolEnvironment())
    {
        ["NUGET_PACKAGES"] = PackagesFolder,
        ["RestoreAdditionalProjectFallbackFolders"] = UserPackagesFolder,
    };

    /// <summary>The user's NuGet global packages folder (where the tool and the packages of the build are).</summary>
    private static string UserPackagesFolder =>
        System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } own ? own
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>
    /// The kernelspec runs <c>dotnet interactive</c>, the local tool, which dotnet finds only below
    /// <c>.config/dotnet-tools.json</c> and in the user's packages folder: rewritten to run the tool's entry assembly
    /// (the pinned version, restored above), as a global tool install does, so the kernel starts in any folder and
    /// with any <c>NUGET_PACKAGES</c>.
    /// </summary>
    private void StartToolDirectly(string kernelJson)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, ".config", "dotnet-tools.json")))!;
        string version = manifest["tools"]!["microsoft.dotnet-interactive"]!["version"]!.GetValue<string>();
        string toolFolder = Path.Combine(UserPackagesFolder, "microsoft.dotnet-interactive", version, "tools");
        string entry = Assert.Single(Directory.GetFiles(toolFolder, "Microsoft.DotNet.Interactive.App.dll", SearchOption.AllDirectories));
        var spec = JsonNode.Parse(File.ReadAllText(kernelJson))!;
        var argv = spec["argv"]!.AsArray();
        Assert.True(argv.Count > 2 && argv[0]!.GetValue<string>() == "dotnet" && argv[1]!.GetValue<string>() == "interactive", "unexpected kernelspec: " + spec.ToJsonString());
        argv[1] = entry;
        File.WriteAllText(kernelJson, spec.ToJsonString());
    }

    /// <summary>Jupyter's folders (temporary), the tools' telemetry off, and the .NET processes (the kernel above all)
    /// with <c>TieredPGO</c> off.</summary>
    /// <remarks>
    /// The kernel compiles each cell with Roslyn and runs most code a few times only, as the test hosts and
    /// <c>reproduce</c> do, which run with <c>TieredPGO</c> off for that reason (docs/testing.md). Notebooks 05 and 04 in
    /// one official kernel job: 45.6 and 39.1 s of CPU with the default, 26.3 and 31.3 s with <c>DOTNET_TieredPGO=0</c>
    /// (alternating, load 14–28). The JIT's tiering changes how fast the code runs, not what it computes: the outputs
    /// compared with the headless runner's are the same either way.
    /// </remarks>
    public Dictionary<string, string> ToolEnvironment() => new()
    {
        ["DOTNET_TieredPGO"] = "0",
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
