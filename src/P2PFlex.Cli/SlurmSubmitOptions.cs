using System.CommandLine;
using P2PFlex.Data;
using P2PFlex.MonteCarlo;

namespace P2PFlex.Cli;

/// <summary>The Slurm knobs of a <c>submit</c> command (<c>montecarlo submit</c>, <c>timeseries submit</c>).</summary>
public sealed record SlurmSubmitOptions(int Shards, int CpusPerTask, IReadOnlyList<string> SbatchArgs, bool DryRun)
{
    /// <summary>Adds <c>--shards</c>, <c>--cpus-per-task</c>, <c>--sbatch-arg</c> and <c>--dry-run</c> to a submit command.</summary>
    public static Func<ParseResult, SlurmSubmitOptions> AddTo(Command command, string shardsDescription)
    {
        var shards = CliKit.Integer("--shards", 1, shardsDescription);
        shards.Required = true;
        var cpus = CliKit.Integer("--cpus-per-task", 1, "cores per array task (default 1)");
        var sbatch = new Option<string[]>("--sbatch-arg") { Description = "extra sbatch argument for both jobs, repeatable (e.g. --sbatch-arg=--partition=short)", HelpName = "arg", AllowMultipleArgumentsPerToken = false };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the two sbatch command lines instead of running them" };
        foreach (var o in new Option[] { shards, cpus, sbatch, dryRun }) command.Options.Add(o);
        return r => new SlurmSubmitOptions(r.GetValue(shards)!.Value, r.GetValue(cpus) ?? 1, r.GetValue(sbatch) ?? [], r.GetValue(dryRun));
    }
}

/// <summary>
/// The one submit path of every sharded command: the jobs run this same build (the dotnet host and this p2pflex.dll,
/// finding data/ from the repository as here) through <c>environment/slurm/shard.sbatch</c> and <c>merge.sbatch</c>.
/// </summary>
public static class SlurmSubmit
{
    /// <summary>Submits (or with <c>--dry-run</c> prints) <c>p2pflex COMMAND run RUNARGS --shard i/K</c> as an array and
    /// <c>p2pflex COMMAND merge OUTDIR</c> after it. <paramref name="what"/> describes the run in the confirmation line,
    /// <paramref name="result"/> names the file to look at when the merge is done.</summary>
    public static int Run(string command, IReadOnlyList<string> runArguments, string outDir, SlurmSubmitOptions o, string what, string result, TextWriter output)
    {
        string scripts = Path.Combine(Path.GetDirectoryName(DataPaths.BuiltIn)!, "environment", "slurm");
        if (!File.Exists(Path.Combine(scripts, SlurmRequest.ShardScript))) throw new FileNotFoundException($"no Slurm scripts in {scripts}");
        string self = typeof(SlurmSubmit).Assembly.Location;
        string host = Environment.ProcessPath is string p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var request = new SlurmRequest(command, runArguments, o.Shards, Path.GetFullPath(outDir), $"{host} {self}", scripts, o.CpusPerTask, o.SbatchArgs,
            DataPaths.SameFolder(DataPaths.Root, DataPaths.BuiltIn) ? null : DataPaths.Root);
        if (o.DryRun)
        {
            output.WriteLine("sbatch " + string.Join(" ", SlurmSubmission.ArrayArguments(request).Select(Quote)));
            output.WriteLine("sbatch " + string.Join(" ", SlurmSubmission.MergeArguments(request, "ARRAYJOB").Select(Quote)));
            return 0;
        }
        var submitted = SlurmSubmission.Submit(request);
        output.WriteLine($"array job {submitted.ArrayJobId} ({o.Shards} tasks, {what}), merge job {submitted.MergeJobId} after it");
        output.WriteLine($"watch: squeue -j {submitted.ArrayJobId},{submitted.MergeJobId}; result: {Path.Combine(request.OutDir, result)}");
        return 0;
    }

    private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:,%+@".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>A feeder or file argument as a job on another node needs it: an existing path made absolute, a name kept.</summary>
    public static string Absolute(string pathOrName) =>
        File.Exists(pathOrName) || Directory.Exists(pathOrName) ? Path.GetFullPath(pathOrName) : pathOrName;
}
