using System.Diagnostics;
using P2PFlex.Notebooks;

namespace P2PFlex.Tests.Cli;

/// <summary>
/// <c>--out</c> of <c>notebooks run</c> / <c>reproduce</c>: a file is a clear error, bad <c>-p</c> values are refused
/// before anything runs, and a run killed midway leaves the earlier complete set (see FolderSwap).
/// </summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pflex-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(string name, params (string Source, string[] Tags)[] cells)
    {
        var nb = Notebook.CreateCSharp();
        foreach (var (source, tags) in cells) nb.AddCode(source, tags);
        string path = Path.Combine(_dir, "in", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NotebookJson.Write(nb, path);
        return path;
    }

    private string Parameterised() => Save("w.ipynb", ("double W = 0.2;", [NotebookParameters.ParametersTag]), ("W * 2", []));

    [Fact]
    public void Out_naming_an_existing_file_is_a_clear_error_and_the_file_is_untouched()
    {
        string file = Path.Combine(_dir, "reports.txt");
        File.WriteAllText(file, "not a folder");
        var (code, output, err) = CliRunner.Run("notebooks", "run", Parameterised(), "--out", file);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("p2pflex: error: the output folder ", err);
        Assert.Contains("is an existing file, not a folder", err);
        Assert.Equal("not a folder", File.ReadAllText(file));

        (code, _, err) = CliRunner.Run("reproduce", "--out", file);
        Assert.Equal(1, code);
        Assert.Contains("is an existing file", err);
    }

    [Theory]
    [InlineData("W=NaN", "'NaN' is not a finite number")]
    [InlineData("W=Infinity", "'Infinity' is not a finite number")]
    [InlineData("W=-∞", "is not a finite number")]
    [InlineData("W=0,35", "W=0,35 is ambiguous: a decimal comma (write 0.35) or a grid of 0 and 35 (write 0.0,35.0)")]
    [InlineData("W=abc", "'abc' is not a finite number")]
    [InlineData("2W=1", "has no parameter '2W'")]
    public void Parameter_values_that_do_not_fit_are_usage_errors_naming_notebook_and_parameter(string parameter, string message)
    {
        string outDir = Path.Combine(_dir, "reports");
        var (code, output, err) = CliRunner.Run("notebooks", "run", Parameterised(), "-p", parameter, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("w.ipynb", err);
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(outDir));   // refused before anything ran
    }

    [Fact]
    public async Task A_run_killed_midway_leaves_the_earlier_set_and_the_next_run_cleans_up()
    {
        string outDir = Path.Combine(_dir, "reports");
        string fast = Save("fast.ipynb", ("1 + 1", []));
        var (code, _, err) = CliRunner.Run("notebooks", "run", fast, "--out", outDir);
        Assert.True(code == 0, err);
        var earlier = Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        Assert.Equal(["fast.html", "fast.ipynb", "index.html"], earlier.Keys.Order(StringComparer.Ordinal));

        // A second run, killed (SIGKILL) while its second notebook sleeps: the first one's files are already written.
        string slow = Save("slow.ipynb", ("var started = 1;", []), ("System.Threading.Thread.Sleep(120_000);", []));
        var (reached, log) = await RunChildUntil([fast, slow, "--out", outDir], "slow.ipynb  cell 2/2 …", process => process.Kill(entireProcessTree: true));
        Assert.True(reached, "the child never reached the sleeping cell:\n" + log);

        Assert.Equal(earlier, Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText));
        string[] Hidden() => Directory.GetDirectories(_dir, ".reports.*");
        Assert.Single(Hidden());   // the killed run's staging folder, never mixed into reports/

        // The next run removes it and swaps in its own complete set.
        (code, _, err) = CliRunner.Run("notebooks", "run", fast, "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Empty(Hidden());
        Assert.Equal(earlier.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ctrl_C_stops_at_the_next_cell_exits_130_and_leaves_the_earlier_set_and_nothing_hidden()
    {
        string outDir = Path.Combine(_dir, "reports");
        string fast = Save("fast.ipynb", ("1 + 1", []));
        var (code, _, err) = CliRunner.Run("notebooks", "run", fast, "--out", outDir);
        Assert.True(code == 0, err);
        var earlier = Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        // A handshake, not a race against the clock: cell 2 waits for a file that the test writes only after the child
        // has said it got the signal. Under load the test host may read the child's stderr seconds late; with cells
        // that merely slept, the child could finish all its cells before the test even sent SIGINT (seen once on a
        // loaded machine: exit 0, all 30 cells run). Cell 2 gives up after 120 s so that nothing hangs.
        string go = Path.Combine(_dir, "go");
        string wait = $"for (int i = 0; i < 1200 && !System.IO.File.Exists(@\"{go}\"); i++) System.Threading.Thread.Sleep(100);";
        var cells = new[] { ("var started = 1;", Array.Empty<string>()), (wait, Array.Empty<string>()) }
            .Concat(Enumerable.Range(0, 28).Select(_ => ("System.Threading.Thread.Sleep(300);", Array.Empty<string>()))).ToArray();
        string slow = Save("slow.ipynb", cells);
        int exit = -1;
        bool acknowledged = false;
        var (reached, log) = await RunChildUntil([fast, slow, "--out", outDir], "slow.ipynb  cell 2/30 …", (process, logSoFar) =>
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
            var waited = Stopwatch.StartNew();
            while (!(acknowledged = logSoFar().Contains("stopping at the next cell", StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
                Thread.Sleep(50);
            File.WriteAllText(go, "");   // lets cell 2 end; the runner must then stop before cell 3
            if (!process.WaitForExit(TimeSpan.FromSeconds(60))) process.Kill(entireProcessTree: true);
            exit = process.ExitCode;
        });
        Assert.True(reached, "the child never reached the second cell:\n" + log);
        Assert.True(acknowledged, "the child never said it got SIGINT:\n" + log);
        Assert.True(exit == 130, $"exit code {exit}:\n{log}");
        Assert.Contains("keeps its previous reports", log);
        Assert.DoesNotContain("slow.ipynb  cell 3/30", log);   // stopped at the next cell, not later
        Assert.Equal(earlier, Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText));
        Assert.Empty(Directory.GetDirectories(_dir, ".reports.*"));
    }

    /// <summary>
    /// Starts <c>p2pflex notebooks run ARGS</c> as a child process, calls <paramref name="interrupt"/> when a stderr line
    /// contains <paramref name="trigger"/> (or kills it after 120 s), waits for it to end; returns whether the trigger came
    /// and the stderr log. The interrupt gets the process and a reader of the stderr log so far.
    /// </summary>
    private static Task<(bool Reached, string Log)> RunChildUntil(string[] args, string trigger, Action<Process> interrupt) =>
        RunChildUntil(args, trigger, (process, _) => interrupt(process));

    private static async Task<(bool Reached, string Log)> RunChildUntil(string[] args, string trigger, Action<Process, Func<string>> interrupt)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "p2pflex.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "notebooks", "run" }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var seen = new TaskCompletionSource();
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log) log.AppendLine(e.Data);
            if (e.Data?.Contains(trigger, StringComparison.Ordinal) == true) seen.TrySetResult();
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        bool reached = await Task.WhenAny(seen.Task, Task.Delay(TimeSpan.FromSeconds(120))) == seen.Task;
        string LogSoFar() { lock (log) return log.ToString(); }
        if (reached) interrupt(process, LogSoFar);
        else process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.WaitForExit();   // drains the redirected streams
        lock (log) return (reached, log.ToString());
    }
}
