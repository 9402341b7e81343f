using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PFlex.TestSupport;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// Installs the kernelspec with the real CLI (<c>p2pflex kernel install --prefix</c>) into a temporary folder, once for
/// the tests below, and gives them an environment in which Jupyter finds only that kernelspec and writes only there.
/// </summary>
public sealed class InstalledKernel : IDisposable
{
    public InstalledKernel()
    {
        Root = Directory.CreateTempSubdirectory("p2pflex-kernel-").FullName;
        string dll = Path.Combine(AppContext.BaseDirectory, "p2pflex.dll");
        Assert.True(File.Exists(dll), $"p2pflex.dll not found beside the tests ({dll})");
        var install = JupyterToolsTests.Run("dotnet", [dll, "kernel", "install", "--prefix", Path.Combine(Root, "prefix")], Environment(), TimeSpan.FromSeconds(60));
        Assert.True(install.ExitCode == 0, "kernel install failed:\n" + install.Output);
        KernelJson = Path.Combine(Root, "prefix", "share", "jupyter", "kernels", "p2pflex-csharp", "kernel.json");
    }

    public string Root { get; }
    public string KernelJson { get; }

    public Dictionary<string, string> Environment() => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(Root, "prefix", "share", "jupyter"),
        ["JUPYTER_DATA_DIR"] = Path.Combine(Root, "data"),
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Root, "runtime"),
        ["JUPYTER_CONFIG_DIR"] = Path.Combine(Root, "config"),
        ["PYTHONDONTWRITEBYTECODE"] = "1",
        ["JUPYTER_PLATFORM_DIRS"] = "1",
    };

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Jupyter's own tools against the installed kernelspec (Debian packages, see environment/install.sh):
/// jupyter_kernel_test's conformance suite (tests/kernel/test_p2pflex_kernel.py) and <c>nbconvert --execute</c>.
/// A missing tool fails the test (it is never skipped).
/// </summary>
public class JupyterToolsTests(InstalledKernel kernel) : IClassFixture<InstalledKernel>
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    internal sealed record ProcessResult(int ExitCode, string Output);

    /// <summary>Runs a process with <paramref name="env"/> added to this one's environment (minus <paramref name="unset"/>).</summary>
    internal static ProcessResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, TimeSpan timeout, string? cwd = null,
        IEnumerable<string>? unset = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        foreach (var k in unset ?? []) psi.Environment.Remove(k);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        return new ProcessResult(p.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    private static void RequirePython(params string[] modules)
    {
        var r = Run(Python, ["-c", "import " + string.Join(", ", modules)], new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0,
            $"{Python} lacks {string.Join(", ", modules)} (Debian: python3-jupyter-kernel-test, python3-jupyter-client, jupyter-nbconvert, python3-nbclient): "
            + "run environment/install.sh\n" + r.Output);
    }

    [Fact]
    public void Kernel_install_writes_a_kernelspec_that_starts_this_cli()
    {
        var spec = JsonNode.Parse(File.ReadAllText(kernel.KernelJson))!;
        var argv = spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal("P2PFlex C#", spec["display_name"]!.GetValue<string>());
        Assert.Equal("message", spec["interrupt_mode"]!.GetValue<string>());
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(argv[0]));
        Assert.Equal("p2pflex.dll", Path.GetFileName(argv[1]));
        Assert.True(File.Exists(argv[1]));
        Assert.Equal(["kernel", "start", "--connection-file", "{connection_file}"], argv[2..]);
    }

    [Fact]
    public void Jupyter_kernel_test_conformance_suite_passes()
    {
        RequirePython("jupyter_kernel_test", "jupyter_client");
        var r = Run(Python, ["-m", "unittest", "-v", "test_p2pflex_kernel"], kernel.Environment(), TimeSpan.FromSeconds(90), cwd: RepositoryPaths.Of("tests", "kernel"));
        Assert.True(r.ExitCode == 0, "jupyter_kernel_test failed:\n" + r.Output);
        // Only the features the kernel does not have may be skipped (see the test file's docstring).
        var skipped = r.Output.Split('\n').Where(l => l.Contains("... skipped", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[0].Trim()).Order().ToArray();
        Assert.Equal(["test_clear_output", "test_pager"], skipped);
        Assert.Contains("test_history", r.Output);
        Assert.Matches(@"Ran 12 tests", r.Output);
    }

    [Fact]
    public void Nbconvert_executes_a_notebook_with_the_kernel()
    {
        RequirePython("nbconvert", "nbclient", "jupyter_client");
        string outDir = Path.Combine(kernel.Root, "nbconvert");
        var r = Run(Python, ["-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir", outDir, RepositoryPaths.Of("tests", "kernel", "sample.ipynb")],
            kernel.Environment(), TimeSpan.FromSeconds(90));
        Assert.True(r.ExitCode == 0, "nbconvert --execute failed:\n" + r.Output);

        var nb = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "sample.ipynb")))!;
        var cells = nb["cells"]!.AsArray().ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!);
        JsonArray Outputs(string id) => cells[id]["outputs"]!.AsArray();
        string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n?.GetValue<string>() ?? "";

        Assert.All(cells.Values.Where(c => c["cell_type"]!.GetValue<string>() == "code"),
            c => Assert.DoesNotContain(c["outputs"]!.AsArray(), o => o!["output_type"]!.GetValue<string>() == "error"));
        Assert.Equal("3 prices\n", Text(Outputs("setup").Single(o => o!["output_type"]!.GetValue<string>() == "stream")!["text"]));
        var max = Outputs("result").Single(o => o!["output_type"]!.GetValue<string>() == "execute_result")!;
        Assert.Equal("61.25", Text(max["data"]!["text/plain"]));
        Assert.Equal(2, cells["result"]["execution_count"]!.GetValue<int>());
        Assert.Contains("<b>peak price</b>", Text(Outputs("display")[0]!["data"]!["text/html"]));
        Assert.Contains("<table", Text(Outputs("display")[1]!["data"]!["text/html"]));
        Assert.Contains(Outputs("chart"), o => Text(o!["data"]?["text/html"]).Contains("Plotly.newPlot", StringComparison.Ordinal));
    }
}
