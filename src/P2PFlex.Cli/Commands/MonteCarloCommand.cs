using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using P2PFlex.Data;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex montecarlo run</c> was asked for. <c>Shard</c> is 1-based (as Slurm array tasks); without
/// it every shard of <c>Shards</c> runs here, one after the other (each on all cores).</summary>
public sealed record MonteCarloRunOptions(string Feeder, int Draws, ulong Seed, IReadOnlyList<string> Scenarios, int? Shard, int Shards,
    string OutDir, bool Csv, int? Cores);

/// <summary>What <c>p2pflex montecarlo submit</c> was asked for.</summary>
public sealed record MonteCarloSubmitOptions(string Feeder, int Draws, ulong Seed, IReadOnlyList<string> Scenarios, string OutDir, SlurmSubmitOptions Slurm);

/// <summary>
/// <c>p2pflex montecarlo</c>: Monte Carlo robustness of the study's findings (docs/montecarlo.md). <c>run</c> (also
/// the default: <c>p2pflex montecarlo --feeder … --draws …</c>) computes draws into shard files, <c>merge</c> combines
/// them and prints the summary, <c>submit</c> sends a run to Slurm as a job array plus a dependent merge job.
/// </summary>
public static class MonteCarloCommand
{
    public static Command Build()
    {
        var run = new Command("run", "compute draws into Parquet shard files (all cores; progress on stderr)");
        var runOptions = RunOptions(run);
        run.SetAction(r => Run(runOptions(r), CliKit.Out(r), CliKit.Err(r)));

        var dir = new Argument<string>("dir") { Description = "the result folder of a run" };
        var merge = new Command("merge", "check the shards are one complete run, write merged/ (merged.parquet and the summary CSVs, as one set), print the summary") { dir };
        merge.SetAction(r => Merge(r.GetValue(dir)!, CliKit.Out(r)));

        var submit = new Command("submit", "submit a run to Slurm: a job array (one shard per task) and a merge job after it (afterok)");
        var submitOptions = SubmitOptions(submit);
        submit.SetAction(r => Submit(submitOptions(r), CliKit.Out(r)));

        var command = new Command("montecarlo", "Monte Carlo robustness: the study's scenarios over many random orderbooks and P2P subsets") { run, merge, submit };
        var defaultRun = RunOptions(command);
        command.SetAction(r => Run(defaultRun(r), CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            p2pflex montecarlo --feeder case69 --draws 1000 --out mc/case69          all cores, one shard
            p2pflex montecarlo merge mc/case69                                       summary (hold rates, quantiles, A beats B)
            p2pflex montecarlo run --feeder case141 --draws 200 --shard 2/4 --out mc/case141
            p2pflex montecarlo submit --feeder case69 --draws 100000 --shards 100 --out /scratch/me/mc69
            """);
    }

    private static Option<string> FeederOption() => CliKit.Feeder();

    private static Option<string> ScenariosOption()
    {
        var scenarios = new Option<string>("--scenarios") { Description = "comma-separated scenario names or scenario file paths (default: the scenarios shipped with P2PFlex)", HelpName = "a,b,…" };
        return scenarios;
    }

    private static Option<ulong> SeedOption() => new("--seed")
    {
        Description = CliKit.Invariant($"master seed; draw k uses a seed derived from (seed, feeder, k) (default {MonteCarloJob.DefaultSeed})"),
        HelpName = "n",
        DefaultValueFactory = _ => MonteCarloJob.DefaultSeed,
    };

    private static Func<ParseResult, MonteCarloRunOptions> RunOptions(Command command)
    {
        var feeder = FeederOption();
        var draws = CliKit.Integer("--draws", 1, "number of draws");
        draws.Required = true;
        var seed = SeedOption();
        var scenarios = ScenariosOption();
        var shard = new Option<string>("--shard") { Description = "compute only shard i of n (1-based, as a Slurm array task)", HelpName = "i/n" };
        var shards = CliKit.Integer("--shards", 1, "split the run into n shard files, computed here one after another (resumable; default 1)");
        var outDir = new Option<string>("--out") { Description = "result folder (created if missing)", HelpName = "dir", Required = true };
        var csv = new Option<bool>("--csv") { Description = "also write each shard as CSV next to its Parquet file" };
        var cores = CliKit.Integer("--cores", 1, "cores to use (default: all)");
        foreach (var o in new Option[] { feeder, draws, seed, scenarios, shard, shards, outDir, csv, cores }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if (r.GetValue(shard) is string s && r.GetValue(shards) is not null) r.AddError("choose one of --shard i/n and --shards n");
            if (r.GetValue(shard) is string t && ParseShard(t) is null) r.AddError($"--shard needs i/n with 1 ≤ i ≤ n, not '{t}'");
        });
        return r =>
        {
            var parsed = r.GetValue(shard) is string s ? ParseShard(s) : null;
            return new MonteCarloRunOptions(r.GetValue(feeder)!, r.GetValue(draws)!.Value, r.GetValue(seed), SplitScenarios(r.GetValue(scenarios)),
                parsed?.Shard, parsed?.Shards ?? r.GetValue(shards) ?? 1, r.GetValue(outDir)!, r.GetValue(csv), r.GetValue(cores));
        };
    }

    private static Func<ParseResult, MonteCarloSubmitOptions> SubmitOptions(Command command)
    {
        var feeder = FeederOption();
        var draws = CliKit.Integer("--draws", 1, "number of draws");
        draws.Required = true;
        var seed = SeedOption();
        var scenarios = ScenariosOption();
        var outDir = new Option<string>("--out") { Description = "result folder on storage every node sees", HelpName = "dir", Required = true };
        foreach (var o in new Option[] { feeder, draws, seed, scenarios, outDir }) command.Options.Add(o);
        var slurm = SlurmSubmitOptions.AddTo(command, "array tasks, one shard of draws each");
        return r => new MonteCarloSubmitOptions(r.GetValue(feeder)!, r.GetValue(draws)!.Value, r.GetValue(seed), SplitScenarios(r.GetValue(scenarios)),
            r.GetValue(outDir)!, slurm(r));
    }

    private static IReadOnlyList<string> SplitScenarios(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>"i/n" → (i − 1, n), or null when malformed or out of range.</summary>
    public static (int Shard, int Shards)? ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n < 1 || i < 1 || i > n) return null;
        return (i - 1, n);
    }

    /// <summary>The job of the options: scenario names checked against the scenario files (default: all of them).</summary>
    private static (MonteCarloJob Job, IReadOnlyList<ScenarioDefinition> All) JobOf(string feederArgument, int draws, ulong seed, IReadOnlyList<string> names,
        TextWriter log)
    {
        string feeder = CliKit.ResolveFeeder(feederArgument, log).Name;
        var catalog = ScenariosCommand.LoadCatalog(names, log);
        var chosen = names.Select(n => ScenariosCommand.Find(catalog, n).Name).ToArray();
        if (chosen.Distinct().Count() != chosen.Length) throw new UsageException("--scenarios names a scenario twice");
        if (chosen.Length == 0)
        {
            // The default is P2PFlex's own scenarios: a scenario file of the user's joins a run only when named.
            chosen = catalog.Scenarios.Select(s => s.Name).Where(ScenarioCatalog.ShippedNames.Contains).ToArray();
            var others = catalog.Scenarios.Select(s => s.Name).Where(n => !ScenarioCatalog.ShippedNames.Contains(n)).ToArray();
            if (others.Length > 0)
                log.WriteLine($"montecarlo: not run (not shipped with P2PFlex; name them with --scenarios to include them): {string.Join(", ", others)}");
        }
        return (new MonteCarloJob(feeder, draws, seed, chosen), catalog.Scenarios);
    }

    public static int Run(MonteCarloRunOptions o, TextWriter output, TextWriter progress)
    {
        var (job, all) = JobOf(o.Feeder, o.Draws, o.Seed, o.Scenarios, progress);
        if (o.Shards > o.Draws) throw new UsageException(CliKit.Invariant($"{o.Shards} shards for {o.Draws} draws: some shards would be empty"));
        var context = StudyContext.Load(feeder: job.Feeder);
        output.WriteLine($"feeder {job.Feeder}; {Provenance.DataDescription()}");
        var clock = Stopwatch.StartNew();
        var shards = o.Shard is int one ? new[] { one } : Enumerable.Range(0, o.Shards).ToArray();
        int computed = 0;
        foreach (int s in shards)
        {
            var outcome = MonteCarloShards.RunShard(job, context, all, o.OutDir, s, o.Shards, o.Csv, o.Cores, progress);
            if (outcome.Skipped) output.WriteLine($"shard {s + 1}/{o.Shards}: {outcome.Path} exists, skipped (resume)");
            else
            {
                computed++;
                output.WriteLine(CliKit.Invariant($"shard {s + 1}/{o.Shards}: {outcome.Rows} rows in {outcome.Elapsed.TotalSeconds:F2} s → {outcome.Path}"));
            }
        }
        string what = o.Shard is int only
            ? CliKit.Invariant($"shard {only + 1} of {o.Shards} {(computed == 1 ? "computed" : "already there")}")
            : CliKit.Invariant($"{computed} of {o.Shards} shard(s) computed{(computed < o.Shards ? $", {o.Shards - computed} already there" : "")}");
        output.WriteLine(CliKit.Invariant($"{job.Feeder}: {what} in {clock.Elapsed.TotalSeconds:F2} s on {o.Cores ?? Environment.ProcessorCount} core(s); next: p2pflex montecarlo merge {o.OutDir}"));
        return 0;
    }

    public static int Merge(string dir, TextWriter output)
    {
        var merged = MonteCarloShards.Merge(dir);
        var files = MonteCarloShards.WriteMerged(dir, merged);
        output.WriteLine($"merged {merged.Shards.Count} shard(s): {merged.Rows.Count} rows ({merged.Header.Describe()}) → {files[0]}");
        output.WriteLine($"summary: {string.Join(", ", files.Skip(1))}");
        output.WriteLine();
        output.Write(merged.Summary.Text());
        return 0;
    }

    public static int Submit(MonteCarloSubmitOptions o, TextWriter output)
    {
        var (job, _) = JobOf(o.Feeder, o.Draws, o.Seed, o.Scenarios, TextWriter.Null);
        if (o.Slurm.Shards > o.Draws) throw new UsageException(CliKit.Invariant($"{o.Slurm.Shards} shards for {o.Draws} draws: some shards would be empty"));
        string outDir = Path.GetFullPath(o.OutDir);
        string[] runArguments =
        [
            "--feeder", job.Feeder, "--draws", job.Draws.ToString(CultureInfo.InvariantCulture),
            "--seed", job.MasterSeed.ToString(CultureInfo.InvariantCulture), "--scenarios", string.Join(",", job.Scenarios), "--out", outDir,
        ];
        return SlurmSubmit.Run("montecarlo", runArguments, outDir, o.Slurm, $"{job.Draws} draws of {job.Feeder}", Path.Combine(IO.MergedSet.FolderName, "summary_checks.csv"), output);
    }
}
