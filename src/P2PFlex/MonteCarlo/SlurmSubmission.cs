using System.Diagnostics;
using System.Globalization;

namespace P2PFlex.MonteCarlo;

/// <summary>What to submit: the job, its number of shards (array tasks), where results go, and how jobs call p2pflex.</summary>
/// <param name="Job">Feeder, draws, master seed, scenarios.</param>
/// <param name="Shards">Array tasks, one shard each (<c>--array=1-Shards</c>).</param>
/// <param name="OutDir">Result folder (absolute; shared between the nodes).</param>
/// <param name="P2PFlexCommand">How a job runs p2pflex, e.g. <c>dotnet /home/me/p2pflex/p2pflex.dll</c>.</param>
/// <param name="ScriptDir">Folder holding <c>montecarlo-shard.sbatch</c> and <c>montecarlo-merge.sbatch</c>.</param>
/// <param name="CpusPerTask">Cores per array task (the shard's draws run in parallel on them).</param>
/// <param name="ExtraSbatchArgs">Passed to both sbatch calls before the script (e.g. <c>--partition=short</c>, <c>--time=00:30:00</c>).</param>
/// <param name="DataFolder">The data folder the jobs read (exported as <c>P2PFLEX_DATA</c>); null for the built-in data.</param>
public sealed record SlurmRequest(MonteCarloJob Job, int Shards, string OutDir, string P2PFlexCommand, string ScriptDir, int CpusPerTask,
    IReadOnlyList<string> ExtraSbatchArgs, string? DataFolder = null)
{
    /// <summary>The <c>--export</c> argument of both jobs: the caller's environment, how to run p2pflex, the data folder.</summary>
    public string Export => $"--export=ALL,P2PFLEX={P2PFlexCommand}" + (DataFolder is null ? "" : $",P2PFLEX_DATA={DataFolder}");
}

/// <summary>The two submitted jobs.</summary>
public sealed record SlurmSubmitted(string ArrayJobId, string MergeJobId);

/// <summary>
/// Submits a Monte Carlo run to Slurm: a job array (one shard per task, <c>environment/slurm/montecarlo-shard.sbatch</c>)
/// and a merge job (<c>montecarlo-merge.sbatch</c>) that starts only when every task succeeded
/// (<c>--dependency=afterok:ARRAY</c>) and is cancelled, not left pending, when one fails (<c>--kill-on-invalid-dep=yes</c>).
/// </summary>
public static class SlurmSubmission
{
    /// <summary>The sbatch arguments of the array job.</summary>
    public static IReadOnlyList<string> ArrayArguments(SlurmRequest r)
    {
        var args = new List<string>
        {
            "--parsable", $"--array=1-{r.Shards.ToString(CultureInfo.InvariantCulture)}", "--job-name=p2pflex-mc",
            $"--cpus-per-task={r.CpusPerTask.ToString(CultureInfo.InvariantCulture)}",
            $"--output={Path.Combine(r.OutDir, "logs", "shard-%a.out")}",
            r.Export,
        };
        args.AddRange(r.ExtraSbatchArgs);
        args.Add(Path.Combine(r.ScriptDir, "montecarlo-shard.sbatch"));
        args.AddRange(ScriptArguments(r));
        return args;
    }

    /// <summary>The sbatch arguments of the merge job, dependent on the array job.</summary>
    public static IReadOnlyList<string> MergeArguments(SlurmRequest r, string arrayJobId)
    {
        var args = new List<string>
        {
            "--parsable", $"--dependency=afterok:{arrayJobId}", "--kill-on-invalid-dep=yes", "--job-name=p2pflex-mc-merge",
            $"--output={Path.Combine(r.OutDir, "logs", "merge.out")}",
            r.Export,
        };
        args.AddRange(r.ExtraSbatchArgs);
        args.Add(Path.Combine(r.ScriptDir, "montecarlo-merge.sbatch"));
        args.Add(r.OutDir);
        return args;
    }

    /// <summary>Positional arguments of the shard script: feeder, draws, seed, shards, out dir, scenarios (comma-separated).</summary>
    public static IReadOnlyList<string> ScriptArguments(SlurmRequest r) =>
    [
        r.Job.Feeder, r.Job.Draws.ToString(CultureInfo.InvariantCulture), r.Job.MasterSeed.ToString(CultureInfo.InvariantCulture),
        r.Shards.ToString(CultureInfo.InvariantCulture), r.OutDir, string.Join(",", r.Job.Scenarios),
    ];

    /// <summary>Runs sbatch twice (array, then the dependent merge) and returns the job ids.</summary>
    public static SlurmSubmitted Submit(SlurmRequest r, string sbatch = "sbatch")
    {
        Directory.CreateDirectory(Path.Combine(r.OutDir, "logs"));
        string array = Sbatch(sbatch, ArrayArguments(r));
        string merge = Sbatch(sbatch, MergeArguments(r, array));
        return new SlurmSubmitted(array, merge);
    }

    private static string Sbatch(string sbatch, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(sbatch) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {sbatch}"); }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"cannot run {sbatch} (is Slurm installed and on the PATH?): {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{sbatch} {string.Join(" ", args)} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            // --parsable prints "jobid" or "jobid;cluster".
            string id = stdout.Result.Trim().Split(';')[0];
            if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new InvalidOperationException($"{sbatch} printed no job id: '{stdout.Result.Trim()}'");
            return id;
        }
    }
}
