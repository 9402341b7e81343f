using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PFlex.Cli;

namespace P2PFlex.Tests.Cli;

/// <summary>
/// The JIT's dynamic PGO per command (docs/performance.md, "Dynamic PGO per command"): on from the CLI's
/// runtimeconfig, off (<c>DOTNET_TieredPGO=0</c>) in the process that compiles notebook cells, the user's own
/// setting kept. Checked in the processes themselves, not by timings.
/// </summary>
public class DynamicPgoTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "p2pflex.dll");

    [Theory]
    [InlineData(null, null, null, true, DynamicPgoSource.RuntimeDefault)]
    [InlineData(null, null, "true", true, DynamicPgoSource.RuntimeConfig)]
    [InlineData(null, null, "false", false, DynamicPgoSource.RuntimeConfig)]
    [InlineData("0", null, "true", false, DynamicPgoSource.Environment)]
    [InlineData("1", null, "false", true, DynamicPgoSource.Environment)]
    [InlineData("0x10", null, "false", true, DynamicPgoSource.Environment)]
    [InlineData(null, "0", "true", false, DynamicPgoSource.Environment)]
    [InlineData("1", "0", "false", true, DynamicPgoSource.Environment)]
    [InlineData("", null, "false", false, DynamicPgoSource.RuntimeConfig)]
    [InlineData("yes", null, "false", false, DynamicPgoSource.RuntimeConfig)]
    public void The_setting_follows_the_runtime_s_order_environment_then_runtimeconfig_then_on(
        string? dotnet, string? complus, string? config, bool on, DynamicPgoSource source)
    {
        string? Environment(string name) => name switch
        {
            "DOTNET_TieredPGO" => dotnet,
            "COMPlus_TieredPGO" => complus,
            _ => null,
        };
        Assert.Equal(new DynamicPgoSetting(on, source), DynamicPgo.Of(Environment, config));
    }

    [Theory]
    [InlineData(true, "reproduce")]
    [InlineData(true, "reproduce", "--out", "x")]
    [InlineData(true, "--data", "d", "reproduce")]
    [InlineData(true, "notebooks", "run", "a.ipynb")]
    [InlineData(true, "kernel", "start", "--connection-file", "f.json")]
    [InlineData(false, "notebooks", "params", "a.ipynb")]
    [InlineData(false, "kernel", "install")]
    [InlineData(false, "bench", "--only", "scenario3-resolve-w")]
    [InlineData(false, "sweep", "--scenario", "3-theta80", "--param", "W")]
    [InlineData(false, "montecarlo", "run")]
    [InlineData(false, "--data", "reproduce", "scenarios", "run")]
    [InlineData(false)]
    public void Only_the_commands_that_compile_cells_run_without_it(bool compiles, params string[] args) =>
        Assert.Equal(compiles, DynamicPgo.CompilesCells(args));

    [Fact]
    public void The_shipped_runtimeconfig_turns_it_on()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(Dll, ".runtimeconfig.json")))!;
        Assert.True(config["runtimeOptions"]!["configProperties"]![DynamicPgo.RuntimeConfigProperty]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_notebook_s_cells_run_in_the_started_process_with_it_off_and_the_user_s_choice_is_kept()
    {
        string cell = """
            Console.WriteLine("pgo " + Environment.GetEnvironmentVariable("DOTNET_TieredPGO") + " " + AppContext.GetData("System.Runtime.TieredPGO") + " " + Environment.ProcessId);
            """;
        string notebook = Path.Combine(Path.GetTempPath(), $"p2pflex-pgo-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(notebook, "{\"cells\":[{\"cell_type\":\"code\",\"id\":\"c0\",\"metadata\":{},\"execution_count\":null,\"outputs\":[],\"source\":["
            + System.Text.Json.JsonSerializer.Serialize(cell) + "]}],\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}");
        try
        {
            // Nothing in the environment: the runtimeconfig says on, the command replaces itself with PGO off.
            var (pid, line) = await RunCell(notebook, userSetting: null);
            Assert.Equal($"pgo 0 true {pid}", line);   // the same process id: execve, not a child process
            // The user's DOTNET_TieredPGO stays as given.
            (pid, line) = await RunCell(notebook, userSetting: "1");
            Assert.Equal($"pgo 1 true {pid}", line);
        }
        finally
        {
            File.Delete(notebook);
        }
    }

    /// <summary>Runs <c>p2pflex notebooks run NOTEBOOK</c> as a child process; returns its process id and the cell's "pgo …" line.</summary>
    private static async Task<(int Pid, string Line)> RunCell(string notebook, string? userSetting)
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"p2pflex-pgo-out-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Dll, "notebooks", "run", notebook, "--out", outDir }) start.ArgumentList.Add(a);
        start.Environment.Remove("DOTNET_TieredPGO");
        start.Environment.Remove("COMPlus_TieredPGO");
        if (userSetting is not null) start.Environment["DOTNET_TieredPGO"] = userSetting;
        try
        {
            using var process = Process.Start(start)!;
            int pid = process.Id;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, stderr + await stdout);
            string executed = File.ReadAllText(Path.Combine(outDir, Path.GetFileName(notebook)));
            var text = JsonNode.Parse(executed)!["cells"]![0]!["outputs"]!.AsArray()
                .SelectMany(o => o!["text"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [])
                .Single(t => t.StartsWith("pgo ", StringComparison.Ordinal));
            return (pid, text.TrimEnd('\n'));
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }
}
