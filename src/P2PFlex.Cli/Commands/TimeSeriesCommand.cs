using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex timeseries run</c> was asked for (<c>Shard</c> 1-based, as Slurm array tasks).</summary>
public sealed record TimeSeriesRunOptions(string Feeder, string? ProfilesFile, int Year, string Window, DateOnly? Start,
    IReadOnlyList<string> Scenarios, int? Shard, int Shards, string OutDir, int? Cores);

/// <summary>
/// <c>p2pflex timeseries</c>: the study's chain over a window of a feeder's load profiles (docs/timeseries.md).
/// <c>run</c> writes Parquet shards (one row per interval × scenario), <c>merge</c> combines them and prints the
/// per-scenario totals, <c>policy</c> lets the DSO pick W per interval against the fixed W = 0.2.
/// </summary>
public static class TimeSeriesCommand
{
    public static Command Build()
    {
        var run = new Command("run", "run scenarios over a window of the feeder's profiles into Parquet shard files (progress on stderr)");
        var runOptions = RunOptions(run, withShards: true);
        run.SetAction(r => Run(runOptions(r), CliKit.Out(r), CliKit.Err(r)));

        var dir = new Argument<string>("dir") { Description = "the result folder of a run" };
        var merge = new Command("merge", "check the shards are one complete run, write merged/ (merged.parquet and summary_scenarios.csv, as one set), print the totals") { dir };
        merge.SetAction(r => Merge(r.GetValue(dir)!, CliKit.Out(r)));

        var policy = new Command("policy", "the DSO picks W per interval (grid 0…0.5) to minimise its cost, against the scenario's fixed W");
        var policyOptions = RunOptions(policy, withShards: false);
        var thetas = new Option<string?>("--thetas") { Description = "also choose θ from these comma-separated values", HelpName = "a,b,…" };
        policy.Options.Add(thetas);
        policy.SetAction(r => Policy(policyOptions(r), r.GetValue(thetas), CliKit.Out(r), CliKit.Err(r)));

        var submit = new Command("submit", "submit a run to Slurm sharded by time window: a job array (one window shard per task) and a merge job after it (afterok)");
        var submitOptions = RunOptions(submit, withShards: false, withCores: false);
        var slurm = SlurmSubmitOptions.AddTo(submit, "array tasks, one shard of the window (contiguous intervals) each");
        submit.SetAction(r => Submit(submitOptions(r), slurm(r), CliKit.Out(r)));

        return new Command("timeseries", "the study's chain over a day, a week or a year of load profiles") { run, merge, policy, submit }
            .WithExamples("""
                p2pflex timeseries run --out ts/week                      every scenario over case69's representative week
                p2pflex timeseries merge ts/week                           totals per scenario (merged/summary_scenarios.csv)
                p2pflex timeseries run --window year --scenarios 3-theta80 --shard 2/12 --out ts/year
                p2pflex timeseries policy --window year --scenarios 3-theta80 --out ts/policy
                p2pflex timeseries submit --window year --shards 48 --out /scratch/me/ts-year
                p2pflex timeseries run --profiles my_loads.csv --window year --out ts/mine
                """);
    }

    private static Func<ParseResult, TimeSeriesRunOptions> RunOptions(Command command, bool withShards, bool withCores = true)
    {
        var feeder = new Option<string>("--feeder", "--case")
        {
            Description = "the feeder: a case name (case69, case85, …), a MATPOWER case file's path (its data derived on first use, docs/data.md) or a SimBench grid folder with its profiles (docs/timeseries.md; default case69)",
            HelpName = "case|file.m|folder",
            DefaultValueFactory = _ => FeederSetup.StudyFeederName,
        };
        var profiles = new Option<string?>("--profiles") { Description = "a profile CSV (time + one column, or one column per bus<N>); default: BDEW H25 on every load", HelpName = "file" };
        var year = CliKit.Integer("--year", 1583, "calendar year of the default BDEW profile (default 2025)");
        var window = new Option<string>("--window") { Description = "day, week or year (default week: the representative week, holding the year's peak)", HelpName = "day|week|year", DefaultValueFactory = _ => "week" };
        var start = new Option<string?>("--start") { Description = "first day of the window (yyyy-MM-dd; default: the representative one)", HelpName = "date" };
        var scenarios = new Option<string?>("--scenarios") { Description = "comma-separated scenario names (default: every scenario file)", HelpName = "a,b,…" };
        var outDir = new Option<string>("--out") { Description = "result folder (created if missing)", HelpName = "dir", Required = true };
        var cores = CliKit.Integer("--cores", 1, "cores to use (default: all)");
        var shard = new Option<string?>("--shard") { Description = "compute only shard i of n (1-based, as a Slurm array task)", HelpName = "i/n" };
        var shards = CliKit.Integer("--shards", 1, "split the window into n shard files, computed here one after another (resumable; default 1)");
        var all = new List<Option> { feeder, profiles, year, window, start, scenarios, outDir };
        if (withCores) all.Add(cores);
        if (withShards) { all.Add(shard); all.Add(shards); }
        foreach (var o in all) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if (r.GetValue(window) is string w && w is not ("day" or "week" or "year")) r.AddError($"--window needs day, week or year, not '{w}'");
            if (r.GetValue(start) is string s && !DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                r.AddError($"--start needs a date yyyy-MM-dd, not '{s}'");
            if (withShards && r.GetValue(shard) is string t && MonteCarloCommand.ParseShard(t) is null) r.AddError($"--shard needs i/n with 1 ≤ i ≤ n, not '{t}'");
            if (withShards && r.GetValue(shard) is not null && r.GetValue(shards) is not null) r.AddError("choose one of --shard i/n and --shards n");
        });
        return r =>
        {
            var parsed = withShards && r.GetValue(shard) is string s ? MonteCarloCommand.ParseShard(s) : null;
            DateOnly? from = r.GetValue(start) is string d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
            var names = r.GetValue(scenarios) is string text ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            return new TimeSeriesRunOptions(r.GetValue(feeder)!, r.GetValue(profiles), r.GetValue(year) ?? StudyProfiles.DefaultYear, r.GetValue(window)!, from,
                names, parsed?.Shard, parsed?.Shards ?? (withShards ? r.GetValue(shards) : null) ?? 1, r.GetValue(outDir)!, r.GetValue(cores));
        };
    }

    /// <summary>The run's states, scenarios and window.</summary>
    public static (IFeederIntervals States, IReadOnlyList<ScenarioDefinition> Scenarios, TimeSeriesJob Job) Prepare(TimeSeriesRunOptions o)
    {
        var catalog = ScenariosCommand.LoadCatalog(o.Scenarios, Console.Error);
        var chosen = o.Scenarios.Count == 0 ? catalog.Scenarios : o.Scenarios.Select(n => ScenariosCommand.Find(catalog, n)).ToArray();
        if (chosen.Select(s => s.Name).Distinct().Count() != chosen.Count) throw new UsageException("--scenarios names a scenario twice");
        var states = Intervals(o);
        var profiles = states.Profiles;
        var (first, count) = TimeSeriesWindow.Resolve(states.Axis, TimeSeriesWindow.Parse(o.Window), o.Start, TimeSeriesWindow.PeakInterval(states));
        if (o.Shards > count) throw new UsageException(CliKit.Invariant($"{o.Shards} shards for {count} intervals: some shards would be empty"));
        var job = new TimeSeriesJob(states.FeederName, profiles.Source, TimeSeriesRunner.Digest(profiles), first, count, chosen.Select(s => s.Name).ToArray());
        return (states, chosen, job);
    }

    /// <summary>The feeder's intervals: a SimBench folder under its own profiles, or a MATPOWER feeder (by name or case
    /// file, resolved as everywhere else) under the profile file given or the default BDEW H25 profile.</summary>
    private static IFeederIntervals Intervals(TimeSeriesRunOptions o)
    {
        if (SimBenchStudy.IsSimBenchFolder(o.Feeder))
        {
            if (o.ProfilesFile is not null)
                throw new UsageException("--profiles: a SimBench grid runs on its own profiles (LoadProfile.csv, RESProfile.csv of its folder)");
            var study = SimBenchStudy.Read(o.Feeder);
            if (study.Profiles is null)
                throw new UsageException($"--feeder: {Path.Combine(o.Feeder, "LoadProfile.csv")} is missing; a SimBench time series needs the grid's profiles");
            return new SimBenchIntervals(study);
        }
        var resolved = CliKit.ResolveFeeder(o.Feeder, Console.Error);
        var network = FeederResolver.LoadNetwork(resolved.CasePath, resolved.Name);
        var profiles = o.ProfilesFile is string file
            ? StudyProfiles.BindFile(file, network)
            : StudyProfiles.Default(network, o.Year);
        return IntervalStates.ForFeeder(profiles, resolved.Name);
    }

    public static int Run(TimeSeriesRunOptions o, TextWriter output, TextWriter progress)
    {
        var (states, scenarios, job) = Prepare(o);
        var runner = new TimeSeriesRunner(states, scenarios);
        var clock = Stopwatch.StartNew();
        var shards = o.Shard is int one ? new[] { one } : Enumerable.Range(0, o.Shards).ToArray();
        output.WriteLine($"{job.Feeder}: {TimeAxis.Format(states.Axis.TimeAt(job.First))} + {job.Count} intervals of {states.Axis.Step.TotalMinutes} min, {scenarios.Count} scenario(s), profiles: {job.Profiles}");
        foreach (int s in shards)
        {
            var outcome = TimeSeriesShards.RunShard(job, runner, o.OutDir, s, o.Shards, o.Cores, progress);
            output.WriteLine(outcome.Skipped
                ? $"shard {s + 1}/{o.Shards}: {outcome.Path} exists, skipped (resume)"
                : CliKit.Invariant($"shard {s + 1}/{o.Shards}: {outcome.Rows} rows in {outcome.Elapsed.TotalSeconds:F2} s → {outcome.Path}"));
        }
        output.WriteLine(CliKit.Invariant($"done in {clock.Elapsed.TotalSeconds:F2} s; next: p2pflex timeseries merge {o.OutDir}"));
        return 0;
    }

    public static int Merge(string dir, TextWriter output)
    {
        var catalog = ScenarioCatalog.Load();
        var merged = TimeSeriesShards.Merge(dir, name => ScenariosCommand.Find(catalog, name).Market.IntervalHours);
        output.WriteLine($"merged {merged.Shards.Count} shard(s) ({merged.Header.Describe()}) → {merged.Path}");
        output.WriteLine($"summary: {IO.MergedSet.PathOf(dir, TimeSeriesFile.SummaryName)}");
        output.WriteLine();
        output.Write(TimeSeriesSummary.Text(merged.Summary));
        return 0;
    }

    /// <summary>Submits the run to Slurm through the same path as Monte Carlo (<see cref="SlurmSubmit"/>): task i runs
    /// <c>timeseries run … --shard i/K</c>, the merge job <c>timeseries merge</c>. The window and scenarios are checked
    /// here first, so a mistake is reported now and not by every array task.</summary>
    public static int Submit(TimeSeriesRunOptions o, SlurmSubmitOptions slurm, TextWriter output)
    {
        var (states, _, job) = Prepare(o with { Shards = slurm.Shards });
        string outDir = Path.GetFullPath(o.OutDir);
        var runArguments = new List<string> { "--feeder", SlurmSubmit.Absolute(o.Feeder) };
        if (o.ProfilesFile is string file) runArguments.AddRange(["--profiles", Path.GetFullPath(file)]);
        runArguments.AddRange(["--year", o.Year.ToString(CultureInfo.InvariantCulture), "--window", o.Window]);
        if (o.Start is DateOnly from) runArguments.AddRange(["--start", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
        // Scenario files named by path travel as absolute paths; by default every task runs the scenarios chosen here.
        var scenarios = o.Scenarios.Count == 0 ? job.Scenarios : o.Scenarios.Select(SlurmSubmit.Absolute).ToArray();
        runArguments.AddRange(["--scenarios", string.Join(",", scenarios), "--out", outDir]);
        string what = CliKit.Invariant($"{job.Count} intervals of {job.Feeder} from {TimeAxis.Format(states.Axis.TimeAt(job.First))}, {job.Scenarios.Count} scenario(s)");
        return SlurmSubmit.Run("timeseries", runArguments, outDir, slurm, what, Path.Combine(IO.MergedSet.FolderName, TimeSeriesFile.SummaryName), output);
    }

    public static int Policy(TimeSeriesRunOptions o, string? thetas, TextWriter output, TextWriter progress)
    {
        var options = o.Scenarios.Count == 0 ? o with { Scenarios = ["3-theta80"] } : o;
        var (states, scenarios, job) = Prepare(options);
        if (scenarios.Count != 1) throw new UsageException("--scenarios names one incentive scenario for the policy (default 3-theta80)");
        var thetaGrid = thetas?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        var policy = new WPolicy(states, scenarios[0], WPolicy.DefaultWGrid, thetaGrid);
        var clock = Stopwatch.StartNew();
        var bar = new MonteCarlo.ProgressBar(progress, "policy", job.Count, clock, "intervals");
        var choices = policy.Run(job.First, job.Count, o.Cores, bar);
        bar.Finish();
        string path = Path.Combine(o.OutDir, "policy_w.csv");
        IO.AtomicFile.WriteAllText(path, WPolicy.Csv(choices));
        var (saving, distribution) = WPolicy.Summarise(choices, states.Axis.StepHours, scenarios[0].Market.IntervalHours);
        output.WriteLine(CliKit.Invariant($"{scenarios[0].Name}: W per interval over {job.Count} intervals → {path}"));
        output.WriteLine(CliKit.Invariant($"DSO saving against the fixed setting: {saving:F2} € over the window"));
        foreach (var (w, n) in distribution) output.WriteLine(CliKit.Invariant($"  W = {w,4}: {n,6} intervals ({100.0 * n / job.Count:F1} %)"));
        return 0;
    }
}
