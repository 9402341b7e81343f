using P2PFlex.Scenarios;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using P2PFlex.Cli.Bench;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex bench</c> was asked for (null runs / warm-ups: each operation's default).</summary>
/// <param name="Scaling">Print the scaling table of the centralised solver instead of the operations.</param>
/// <param name="Peers">Market sizes of the scaling table (null: <see cref="ScalingStudy.DefaultPeers"/>).</param>
/// <param name="Admm">Also run ADMM in the scaling table (sizes up to <see cref="ScalingStudy.AdmmMaxPeers"/>).</param>
/// <param name="Only">Time only the operations whose name contains this.</param>
/// <param name="Long">Also run the long operations (a year of a time series).</param>
/// <param name="SimBench">SimBench grid folder of the SimBench time-series entry (else <c>P2PFLEX_SIMBENCH</c>).</param>
public sealed record BenchOptions(bool Json, int? Runs, int? Warmup, int MemoryRuns = BenchCommand.DefaultMemoryRuns,
    bool Scaling = false, IReadOnlyList<int>? Peers = null, bool Admm = false, string? Only = null, bool Long = false, string? SimBench = null);

/// <summary>
/// <c>p2pflex bench</c>: wall-clock times of the main operations at steady state (<see cref="SteadyStateTimer"/>:
/// one second of warm-up calls, then N timed runs; median, min, max), or with <c>--scaling</c> the centralised
/// solver's scaling table (<see cref="ScalingStudy"/>). The operations are listed in <see cref="BenchSuite"/>.
/// A measurement, not a test: nothing is compared with a threshold.
/// </summary>
public static class BenchCommand
{
    /// <summary>Names of the measurements a plain <c>p2pflex bench</c> runs, in the order they run and are printed (the
    /// long ones, <see cref="BenchSuite.Names"/>, run with <c>--long</c> or when <c>--only</c> names them).</summary>
    public static IReadOnlyList<string> Names => BenchSuite.DefaultNames;

    public const int DefaultMemoryRuns = 10_000;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Build()
    {
        var json = CliKit.Json("the measurements as JSON");
        var runs = CliKit.Integer("--runs", 1, "timed runs of every operation (default: per operation, 3 to 500)");
        var warmup = CliKit.Integer("--warmup", 0, "untimed calls first (default: as many as fit in one second, at least one)");
        var memoryRuns = CliKit.Integer("--memory-runs", 0, CliKit.Invariant($"W re-solves for the memory measurement (default {DefaultMemoryRuns}; 0: none)"));
        var scaling = new Option<bool>("--scaling") { Description = "the centralised solver on synthetic markets of 100 to 10 000 peers: time, iterations, memory, fitted exponents" };
        var peers = new Option<int[]?>("--peers")
        {
            Description = "market sizes of --scaling, comma-separated (default 100,300,1000,3000,10000)",
            HelpName = "n,n,…",
            CustomParser = r =>
            {
                string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                var parts = text.Split(',');
                var values = new int[parts.Length];
                for (int k = 0; k < parts.Length; k++)
                {
                    if (!int.TryParse(parts[k], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[k]) || values[k] < 2)
                    {
                        r.AddError($"--peers needs comma-separated integers ≥ 2, not '{text}'");
                        return null;
                    }
                }
                return values;
            },
        };
        var admm = new Option<bool>("--admm") { Description = CliKit.Invariant($"with --scaling: also ADMM's rounds and time (sizes up to {ScalingStudy.AdmmMaxPeers} peers)") };
        var only = new Option<string?>("--only") { Description = "time only the operations whose name contains this text (long ones included)", HelpName = "text" };
        var longRuns = new Option<bool>("--long") { Description = "also the long operations: a day and a year of time series (one timed run, no warm-up, by default)" };
        var simbench = new Option<string?>("--simbench") { Description = $"SimBench grid folder for the SimBench time-series year (default: ${TimeSeriesBench.SimBenchVariable}; skipped without one)", HelpName = "dir" };
        var command = new Command("bench", "time the main operations at steady state (median, min, max ms) and the memory of W re-solves, or the solver's scaling table; a measurement, not a test")
        {
            json, runs, warmup, memoryRuns, scaling, peers, admm, only, longRuns, simbench,
        };
        command.SetAction(r => Run(new BenchOptions(r.GetValue(json), r.GetValue(runs), r.GetValue(warmup), r.GetValue(memoryRuns) ?? DefaultMemoryRuns,
            r.GetValue(scaling), r.GetValue(peers) is { Length: > 0 } p ? p : null, r.GetValue(admm), r.GetValue(only), r.GetValue(longRuns), r.GetValue(simbench)), CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            dotnet run -c Release --project src/P2PFlex.Cli -- bench
            dotnet run -c Release --project src/P2PFlex.Cli -- bench --scaling                 100 … 10 000 peers
            dotnet run -c Release --project src/P2PFlex.Cli -- bench --only acpf
            dotnet run -c Release --project src/P2PFlex.Cli -- bench --only timeseries --simbench ~/simbench/1-LV-rural1--0-no_sw
            p2pflex bench --runs 1 --warmup 0 --memory-runs 4 --json     quick check of the output shape
            """);
    }

    public static int Run(BenchOptions options, TextWriter output, TextWriter progress)
    {
        if (options.SimBench is string folder && !TimeSeries.SimBenchStudy.IsSimBenchFolder(folder))
            throw new UsageException($"--simbench: {folder} is not a SimBench grid folder (Node.csv, StudyCases.csv, …)");
        var fixtures = options.SimBench is string given ? new BenchFixtures { SimBenchFolder = given } : new BenchFixtures();
        if (options.Scaling) return RunScaling(options, fixtures, output, progress);
        if (options.Peers is not null || options.Admm) throw new UsageException("--peers and --admm go with --scaling");

        var results = new List<BenchMeasurement>();
        var entries = BenchSuite.Entries.Where(e => options.Only is null ? !e.Long || options.Long : e.Name.Contains(options.Only, StringComparison.Ordinal)).ToArray();
        if (entries.Length == 0) throw new UsageException($"no operation's name contains '{options.Only}'; they are: {string.Join(", ", BenchSuite.Names)}");
        var skipped = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.Unavailable?.Invoke(fixtures) is string why)
            {
                progress.WriteLine($"bench: {entry.Name} skipped: {why}");
                skipped.Add($"{entry.Name}: skipped, {why}");
                continue;
            }
            progress.Write($"bench: {entry.Name} … ");
            var action = entry.Prepare(fixtures);
            var m = SteadyStateTimer.Time(entry.Name, options.Runs ?? entry.Runs, action, options.Warmup ?? (entry.Long ? 0 : null));
            progress.WriteLine(SteadyStateTimer.Invariant($"{m.MedianMs:F3} ms"));
            if (entry.MeasureMemory && options.MemoryRuns > 0)
            {
                progress.Write($"bench: memory over {options.MemoryRuns} calls of {entry.Name} … ");
                long start = GC.GetTotalMemory(forceFullCollection: true);
                for (int k = 0; k < options.MemoryRuns; k++) action();
                long end = GC.GetTotalMemory(forceFullCollection: true);
                progress.WriteLine("done");
                m = m with { MemoryStartBytes = start, MemoryEndBytes = end, MemoryRuns = options.MemoryRuns };
            }
            results.Add(m);
        }

        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(results, Json));
            return 0;
        }
        output.WriteLine(Header());
        var synthetic = fixtures.Synthetic(BenchSuite.SyntheticPeers).Problem;
        output.WriteLine(SteadyStateTimer.Invariant($"synthetic market: {synthetic.Peers.Count} peers ({synthetic.Peers.Count(p => p.Role == PeerRole.Seller)} sellers), {synthetic.Pairs.Count} pairs on case533mt_hi"));
        output.WriteLine();
        var table = new TextTable("steady-state timings",
            ["operation", "median ms", "min ms", "max ms", "runs", "warm-up calls"],
            results.Select(m => (IReadOnlyList<string>)[m.Name, SteadyStateTimer.Invariant($"{m.MedianMs:F3}"), SteadyStateTimer.Invariant($"{m.MinMs:F3}"),
                SteadyStateTimer.Invariant($"{m.MaxMs:F3}"), SteadyStateTimer.Invariant($"{m.Runs}"), SteadyStateTimer.Invariant($"{m.WarmupCalls}")]).ToArray());
        TerminalTables.Write(output, table, () =>
        {
            output.WriteLine("operation                               median ms     min ms     max ms   runs  warm-up calls");
            output.WriteLine(new string('-', 93));
            foreach (var m in results)
                output.WriteLine(SteadyStateTimer.Invariant($"{m.Name,-36} {m.MedianMs,12:F3} {m.MinMs,10:F3} {m.MaxMs,10:F3} {m.Runs,6} {m.WarmupCalls,14}"));
        });
        foreach (var mem in results.Where(m => m.MemoryRuns is not null))
        {
            output.WriteLine();
            output.WriteLine(SteadyStateTimer.Invariant($"managed memory over {mem.MemoryRuns} calls of {mem.Name} (GC.GetTotalMemory(true)): start {mem.MemoryStartBytes / 1024.0:F0} KiB, end {mem.MemoryEndBytes / 1024.0:F0} KiB, change {(mem.MemoryEndBytes - mem.MemoryStartBytes) / 1024.0:+0;-0;0} KiB"));
        }
        // CPU time (user + system, all threads) beside wall time: on a machine shared with other work the wall time
        // grows with the load, the CPU time much less; their ratio is the cores a run kept busy.
        output.WriteLine();
        foreach (var m in results)
            output.WriteLine(SteadyStateTimer.Invariant($"cpu {m.Name}: median {m.MedianCpuMs:F3} ms user+sys per run ({m.MedianCpuMs / Math.Max(m.MedianMs, 1e-9):F2}× the median wall time)"));
        if (results.Count > 0)
            output.WriteLine(SteadyStateTimer.Invariant($"peak working set of the process: {results.Max(m => m.PeakWorkingSetBytes ?? 0) / 1048576.0:F0} MiB"));
        foreach (var line in skipped) output.WriteLine(line);
        return 0;
    }

    private static int RunScaling(BenchOptions options, BenchFixtures fixtures, TextWriter output, TextWriter progress)
    {
        if (options.Only is not null) throw new UsageException("--only does not go with --scaling");
        var rows = ScalingStudy.Run(fixtures, options.Peers ?? ScalingStudy.DefaultPeers, options.Runs, options.Warmup, options.Admm, progress);
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { rows, fit = ScalingStudy.Fit(rows) }, Json));
            return 0;
        }
        output.WriteLine(Header());
        ScalingStudy.Print(rows, output);
        return 0;
    }

    private static string Header() =>
        $"p2pflex bench — {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger attached, " : "")}{BuildConfiguration}{Optimisation()}{JitProfile()}{LoadAverage()}";

    /// <summary>Debug builds are optimised too (Directory.Build.props); a build with <c>-p:Optimize=false</c> says so, its
    /// times are not comparable.</summary>
    private static string Optimisation() =>
        typeof(BenchCommand).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>()
            .Any(a => a.IsJITOptimizerDisabled) ? " (unoptimised)" : "";

    /// <summary>Dynamic PGO changes steady-state times by about a quarter (docs/performance.md): which setting ran, and from where.</summary>
    private static string JitProfile()
    {
        var pgo = DynamicPgo.Current();
        string source = pgo.Source switch
        {
            DynamicPgoSource.Environment => DynamicPgo.EnvironmentVariable,
            DynamicPgoSource.RuntimeConfig => "runtimeconfig",
            _ => "runtime default",
        };
        return $", dynamic PGO {(pgo.On ? "on" : "off")} ({source})";
    }

    /// <summary>The machine's load average when the run starts (Linux), so a time is read with the load it was taken under.</summary>
    private static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? $", load average {parts[0]} {parts[1]} {parts[2]} (1, 5, 15 min)" : "";
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

#if DEBUG
    private const string BuildConfiguration = "Debug build";
#else
    private const string BuildConfiguration = "Release build";
#endif
}
