using System.Diagnostics;
using System.Globalization;

namespace P2PFlex.MonteCarlo;

/// <summary>
/// What to submit: a sharded p2pflex run (Monte Carlo draws or a time series' window), its number of shards (array
/// tasks), where results go, and how jobs call p2pflex. Every sharded command goes through this one request and the
/// two scripts <c>environment/slurm/shard.sbatch</c> and <c>merge.sbatch</c>.
/// </summary>
/// <param name="Command">The p2pflex command whose <c>run --shard i/K</c> and <c>merge</c> the jobs call: <c>montecarlo</c>, <c>timeseries</c>.</param>
/// <param name="RunArguments">The options of <c>p2pflex COMMAND run</c> for every shard (with <c>--out</c>; without <c>--shard</c>, <c>--cores</c>).</param>
/// <param name="Shards">Array tasks, one shard each (<c>--array=1-Shards</c>).</param>
/// <param name="OutDir">Result folder (absolute; shared between the nodes).</param>
/// <param name="P2PFlexCommand">How a job runs p2pflex, e.g. <c>dotnet /home/me/p2pflex/p2pflex.dll</c>.</param>
/// <param name="ScriptDir">Folder holding <c>shard.sbatch</c> and <c>merge.sbatch</c>.</param>
/// <param name="CpusPerTask">Cores per array task (the shard's work runs in parallel on them).</param>
/// <param name="ExtraSbatchArgs">Passed to both sbatch calls before the script (e.g. <c>--partition=short</c>, <c>--time=00:30:00</c>).</param>
/// <param name="DataFolder">The data folder the jobs read (exported as <c>P2PFLEX_DATA</c>); null for the built-in data.</param>
public sealed record SlurmRequest(string Command, IReadOnlyList<string> RunArguments, int Shards, string OutDir, string P2PFlexCommand, string ScriptDir,
    int CpusPerTask, IReadOnlyList<string> ExtraSbatchArgs, string? DataFolder = null)
{
    /// <summary>The shard script, run by every array task.</summary>
    public const string ShardScript = "shard.sbatch";

    /// <summary>The merge script, run once after the array.</summary>
    public const string MergeScript = "merge.sbatch";

    /// <summary>The <c>--export</c> argument of both jobs: the caller's environment, how to run p2pflex, the data folder.</summary>
    public string Export => $"--export=ALL,P2PFLEX={P2PFlexCommand}" + (DataFolder is null ? "" : $",P2PFLEX_DATA={DataFolder}");

    /// <summary>Job name of the array (<c>p2pflex-montecarlo</c>, …); the merge job's adds <c>-merge</c>.</summary>
    public string JobName => $"p2pflex-{Command}";
}

/// <summary>The two submitted jobs.</summary>
public sealed record SlurmSubmitted(string ArrayJobId, string MergeJobId);

/// <summary>
/// Submits a sharded run to Slurm: a job array (one shard per task, <c>environment/slurm/shard.sbatch</c>) and a merge
/// job (<c>merge.sbatch</c>) that starts only when every task succeeded (<c>--dependency=afterok:ARRAY</c>) and is
/// cancelled, not left pending, when one fails (<c>--kill-on-invalid-dep=yes</c>). Monte Carlo and the time series use
/// it alike; they differ only in their command and run options.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>The sbatch arguments of the array job.</summary>
    public static IReadOnlyList<string> ArrayArguments(SlurmRequest r)
    {
        var args = new List<string>
        {
            "--parsable", $"--array=1-{r.Shards.ToString(CultureInfo.InvariantCulture)}", $"--job-name={r.JobName}",
            $"--cpus-per-task={r.CpusPerTask.ToString(CultureInfo.InvariantCulture)}",
            $"--output={Path.Combine(r.OutDir, "logs", "shard-%a.out")}",
            r.Export,
        };
        args.AddRange(r.ExtraSbatchArgs);
        args.Add(Path.Combine(r.ScriptDir, SlurmRequest.ShardScript));
        args.AddRange(ScriptArguments(r));
        return args;
    }

    /// <summary>The sbatch arguments of the merge job, dependent on the array job.</summary>
    public static IReadOnlyList<string> MergeArguments(SlurmRequest r, string arrayJobId)
    {
        var args = new List<string>
        {
            "--parsable", $"--dependency=afterok:{arrayJobId}", "--kill-on-invalid-dep=yes", $"--job-name={r.JobName}-merge",
            $"--output={Path.Combine(r.OutDir, "logs", "merge.out")}",
            r.Export,
        };
        args.AddRange(r.ExtraSbatchArgs);
        args.Add(Path.Combine(r.ScriptDir, SlurmRequest.MergeScript));
        args.Add(r.Command);
        args.Add(r.OutDir);
        return args;
    }

    /// <summary>Positional arguments of the shard script: the number of shards, the command, its run options.</summary>
    public static IReadOnlyList<string> ScriptArguments(SlurmRequest r) => [r.Shards.ToString(CultureInfo.InvariantCulture), r.Command, .. r.RunArguments];

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
