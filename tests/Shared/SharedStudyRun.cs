using System.Text.Json;
using P2PFlex.Notebooks;

namespace P2PFlex.TestSupport;

/// <summary>
/// The one headless run of the study notebooks that a test command computes, shared by the notebook tests
/// (StudyNotebooksFixture: the report set, as <c>reproduce</c> writes it) and the kernel tests (StudyNotebookRuns: the
/// reference the kernels' outputs are compared with). The two are separate test processes that <c>dotnet test
/// P2PFlex.sln</c> runs at the same time; before, each ran every study notebook headless for itself.
/// <para>
/// The run is that of one test command: the folder is named after the <c>dotnet test</c> process both test hosts descend
/// from (its id and start time, <see cref="InvocationId"/>), so a later command never reads an earlier one's run, and a
/// test host started by other means (an IDE) gets a folder of its own. The first process to take the folder's lock runs
/// the batch into it and writes the statuses beside it; the other waits for the lock and reads them. A batch with a
/// failure publishes no set (<see cref="NotebookBatch"/>) and no statuses, so the other process runs it again and reports
/// its failure itself.
/// </para>
/// </summary>
internal static class SharedStudyRun
{
    /// <summary>As <c>reproduce</c> runs the study: one shared plotly.js, static chart pictures; the tests' parameters
    /// (<see cref="StudyNotebookInputs.TestParameters"/>). As many notebooks at once as there are cores (the same results:
    /// the batch's parallel path is tested against one after another).</summary>
    public static NotebookBatchOptions Options() => new()
    {
        PlotlyJs = PlotlyJsMode.Directory,
        StaticChartImages = true,
        MaxParallelNotebooks = Environment.ProcessorCount,
    };

    /// <summary>How long a process waits for the other's batch before it fails (the batch takes minutes on a busy machine).</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(40);

    private static readonly Lazy<Shared> _run = new(Acquire, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The repository's notebooks/ folder (the notebooks run in place, as <c>reproduce</c> runs them).</summary>
    public static string NotebookDir => Path.Combine(RepositoryPaths.Root, "notebooks");

    /// <summary>The run's report folder and the batch's statuses; computed by this process or read from the other's.</summary>
    public static (string OutDir, NotebookBatchResult Result, bool ComputedHere) Get() => (_run.Value.OutDir, _run.Value.Result, _run.Value.ComputedHere);

    private sealed record Shared(string OutDir, NotebookBatchResult Result, bool ComputedHere);

    private sealed record SavedStatus(string NotebookPath, string Name, string ExecutedNotebookPath, string ReportPath, double ElapsedSeconds);

    private static Shared Acquire()
    {
        string runs = Path.Combine(RepositoryPaths.Root, "tests", "bin", "study-runs");
        Directory.CreateDirectory(runs);
        string id = InvocationId();
        RemoveOldRuns(runs, id);
        string folder = Path.Combine(runs, id);
        string outDir = Path.Combine(folder, "reports");
        string statuses = Path.Combine(folder, "statuses.json");
        using var held = Lock(folder + ".lock");
        if (File.Exists(statuses))
        {
            var saved = JsonSerializer.Deserialize<SavedStatus[]>(File.ReadAllText(statuses))!;
            var read = saved.Select(s => new NotebookRunStatus(s.NotebookPath, s.Name, true, null, null, s.ExecutedNotebookPath, s.ReportPath,
                TimeSpan.FromSeconds(s.ElapsedSeconds), null)).ToArray();
            return new Shared(outDir, new NotebookBatchResult(outDir, Path.Combine(outDir, "index.html"), read), false);
        }
        Directory.CreateDirectory(folder);
        var notebooks = Directory.GetFiles(NotebookDir, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var jobs = notebooks.Select(path => new NotebookJob(path, StudyNotebookInputs.TestParameters.GetValueOrDefault(Path.GetFileName(path)))).ToArray();
        var result = NotebookBatch.RunAsync(jobs, outDir, Options()).GetAwaiter().GetResult();
        if (result.AllSucceeded)
        {
            var saved = result.Notebooks.Select(n => new SavedStatus(n.NotebookPath, n.Name, n.ExecutedNotebookPath!, n.ReportPath!, n.Elapsed.TotalSeconds)).ToArray();
            File.WriteAllText(statuses + ".tmp", JsonSerializer.Serialize(saved));
            File.Move(statuses + ".tmp", statuses, overwrite: true);   // complete or absent
        }
        return new Shared(outDir, result, true);
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (an advisory file lock on Linux: released when the process
    /// ends, even killed), waited for.</summary>
    private static FileStream Lock(string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (clock.Elapsed < LockWait) { Thread.Sleep(500); }
        }
    }

    /// <summary>Deletes the runs of earlier test commands (not in use: their lock is free) that are more than a day old.</summary>
    private static void RemoveOldRuns(string runs, string keep)
    {
        foreach (var dir in Directory.GetDirectories(runs))
        {
            if (Path.GetFileName(dir) == keep || Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddDays(-1)) continue;
            try
            {
                using (new FileStream(dir + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                    Directory.Delete(dir, recursive: true);
                File.Delete(dir + ".lock");
            }
            catch (IOException) { }   // in use or already gone
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// "&lt;pid&gt;-&lt;start time&gt;" of the nearest ancestor process that is <c>dotnet test …</c> (Linux's /proc); this
    /// process's own otherwise, so that nothing is shared outside one test command.
    /// </summary>
    internal static string InvocationId()
    {
        int pid = Environment.ProcessId;
        string own = $"p{pid}-{StartTime(pid)}";
        for (int depth = 0; depth < 32 && pid > 1; depth++)
        {
            try
            {
                var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                if (argv.Length >= 2 && Path.GetFileName(argv[0]) == "dotnet" && argv[1] == "test") return $"{pid}-{StartTime(pid)}";
                pid = Parent(pid);
            }
            catch (IOException) { return own; }
            catch (UnauthorizedAccessException) { return own; }
        }
        return own;
    }

    // /proc/<pid>/stat: "pid (comm) state ppid … starttime(22nd field) …"; comm may hold spaces and parentheses.
    private static string[] StatFields(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static int Parent(int pid) => int.Parse(StatFields(pid)[1], System.Globalization.CultureInfo.InvariantCulture);

    private static string StartTime(int pid)
    {
        try { return StatFields(pid)[19]; }
        catch (IOException) { return "0"; }
    }
}
