using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>One measured operation of <c>p2pflex bench</c> (times in milliseconds).</summary>
public sealed record BenchMeasurement(string Name, double MedianMs, double MinMs, double MaxMs, int Runs)
{
    /// <summary>Managed heap (bytes, after a full collection) before and after a long run of repeats, when measured.</summary>
    public long? MemoryStartBytes { get; init; }

    public long? MemoryEndBytes { get; init; }

    public int? MemoryRuns { get; init; }
}

/// <summary>What <c>p2pflex bench</c> was asked for (null runs / warm-ups: each operation's default).</summary>
public sealed record BenchOptions(bool Json, int? Runs, int? Warmup, int MemoryRuns = BenchCommand.DefaultMemoryRuns);

/// <summary>
/// <c>p2pflex bench [--json] [--runs N] [--warmup N] [--memory-runs N]</c>: wall-clock times of the main operations
/// (warm-up runs first, then N timed runs; median, min, max). A measurement, not a test: nothing is compared with a
/// threshold.
/// </summary>
public static class BenchCommand
{
    /// <summary>Names of the measurements, in the order they run and are printed.</summary>
    public static readonly string[] Names =
    [
        "read-ptdf-case69", "read-ptdf-case533mt_hi",
        "acpf-case69", "acpf-case141", "acpf-case533mt_hi",
        "gridcheck-case69-base",
        "lfm-scenario0",
        "p2p-centralised-70", "p2p-admm-70", "p2p-centralised-172", "p2p-admm-172",
        "auction-cm1-70", "network-auction-cm3-70", "capacity-trade-cm5-70",
        "scenario3-resolve-w",
        "p2p-synthetic-1000-case533mt_hi",
    ];

    /// <summary>Peers and counterparts of the synthetic market.</summary>
    public const int SyntheticPeers = 1000, SyntheticNeighbours = 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public const int DefaultMemoryRuns = 10_000;

    public static Command Build()
    {
        var json = CliKit.Json("the measurements as JSON");
        var runs = CliKit.Integer("--runs", 1, "timed runs of every operation (default: per operation, 3 to 200)");
        var warmup = CliKit.Integer("--warmup", 0, "untimed runs first (default: per operation)");
        var memoryRuns = CliKit.Integer("--memory-runs", 0, CliKit.Invariant($"W re-solves for the memory measurement (default {DefaultMemoryRuns}; 0: none)"));
        var command = new Command("bench", "time the main operations (median, min, max ms) and the memory of W re-solves; a measurement, not a test")
        {
            json, runs, warmup, memoryRuns,
        };
        command.SetAction(r => Run(new BenchOptions(r.GetValue(json), r.GetValue(runs), r.GetValue(warmup), r.GetValue(memoryRuns) ?? DefaultMemoryRuns),
            CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            dotnet run -c Release --project src/P2PFlex.Cli -- bench
            p2pflex bench --runs 1 --warmup 0 --memory-runs 4 --json     quick check of the output shape
            """);
    }

    public static int Run(BenchOptions options, TextWriter output, TextWriter progress)
    {
        bool json = options.Json;
        int? runs = options.Runs, warmup = options.Warmup;
        int memoryRuns = options.MemoryRuns;
        var results = new List<BenchMeasurement>();
        // Cheap operations get many repeats, expensive ones few; --runs overrides all of them.
        BenchMeasurement Measure(string name, int defaultRuns, int defaultWarmup, Action action)
        {
            progress.Write($"bench: {name} … ");
            var m = Time(name, warmup ?? defaultWarmup, runs ?? defaultRuns, action);
            progress.WriteLine(Invariant($"{m.MedianMs:F3} ms"));
            results.Add(m);
            return m;
        }

        // Grid: reading + PTDF, AC power flow, grid check.
        foreach (string c in new[] { "case69", "case533mt_hi" })
        {
            string path = DataPaths.Of("cases", c + ".m");
            Measure($"read-ptdf-{c}", c == "case69" ? 50 : 10, 3, () => Ptdf.Compute(GridNetwork.Load(path)));
        }
        foreach (string c in new[] { "case69", "case141", "case533mt_hi" })
        {
            var network = GridNetwork.Load(DataPaths.Of("cases", c + ".m"));
            Measure($"acpf-{c}", c == "case533mt_hi" ? 20 : 50, 3, () =>
            {
                if (!AcPowerFlow.Solve(network).Converged) throw new InvalidOperationException($"AC power flow of {c} did not converge");
            });
        }
        var context = StudyContext.Load();
        var scenarios = StudyContext.LoadScenarios();
        ScenarioDefinition Scenario(string name) => scenarios.Single(s => s.Name == name);
        var feeder = context.BaseFeeder;
        Measure("gridcheck-case69-base", 200, 10, () => feeder.Check());

        // LFM of scenario 0: every bid, base flows.
        var baseCheck = feeder.Check();
        var s0 = Scenario("0");
        var lfmProblem = new LfmProblem(
            feeder.Ptdf.ToArray(),
            baseCheck.Lines.Select(l => l.FlowMw).ToArray(),
            feeder.Limits.LimitMw.ToArray(),
            context.Orderbook.Bids.Select(b => new FlexBid(b.Id, feeder.Network.IndexOfBus(b.Bus), b.Direction, b.VolumeMw, b.PriceEurPerMwh)).ToArray(),
            RequireBalance: s0.Market.LfmRequireBalance,
            IntervalHours: s0.Market.IntervalHours);
        Measure("lfm-scenario0", 20, 3, () => Require(LocalFlexibilityMarket.Clear(lfmProblem).Status == LfmStatus.Optimal, "the scenario-0 LFM"));

        // P2P markets with scenario 1's parameters: the 70-peer subset and all 172 bids as peers.
        var s1 = Scenario("1");
        var market70 = ScenarioRunner.ClearP2P(s1, feeder, baseCheck, context.P2PSubset.Select(id => context.Orderbook[id]).ToArray()).Problem;
        var market172 = ScenarioRunner.ClearP2P(s1, feeder, baseCheck, context.Orderbook.Bids).Problem;
        var admm = new AdmmSolverOptions(AndersonMemory: 5);
        foreach (var (size, problem) in new[] { (70, market70), (172, market172) })
        {
            Measure($"p2p-centralised-{size}", 20, 3, () => RequireConverged(CentralizedP2PSolver.Solve(problem), $"centralised {size}"));
            Measure($"p2p-admm-{size}", size > 100 ? 3 : 5, 1, () => RequireConverged(AdmmP2PSolver.Solve(problem, admm), $"ADMM {size}"));
        }

        // The conceptual models' markets on the same 70 peers (base state): the instances their scenario files pose.
        var peerBids = context.P2PSubset.Select(id => context.Orderbook[id]).ToArray();
        P2PFlex.Scenarios.Designs.MarketStage Stage(string name) => P2PFlex.Scenarios.Designs.MarketDesigns.Get(Scenario(name).Design.Kind)
            .Clear(new P2PFlex.Scenarios.Designs.MarketDesignInput(Scenario(name), feeder, baseCheck, peerBids, null));
        var auction = ((P2PFlex.Scenarios.Designs.AuctionStage)Stage("cm1").Detail!).Problem;
        var networkAuction = ((P2PFlex.Scenarios.Designs.NetworkAuctionStage)Stage("cm3-v2").Detail!).Problem;
        var capacity = ((P2PFlex.Scenarios.Designs.CapacityStage)Stage("cm5").Detail!).Problem;
        Measure("auction-cm1-70", 200, 10, () => Require(P2PFlex.Markets.Auction.DoubleAuction.Clear(auction).PriceEurPerMwh is not null, "the CM1 auction"));
        Measure("network-auction-cm3-70", 50, 5, () => Require(P2PFlex.Markets.Auction.NetworkAuction.Clear(networkAuction).Status == P2PFlex.Markets.Auction.NetworkAuctionStatus.Optimal, "the CM3 auction"));
        Measure("capacity-trade-cm5-70", 200, 10, () => Require(P2PFlex.Markets.Capacity.CapacityMarket.Clear(capacity).Status == P2PFlex.Markets.Capacity.CapacityStatus.Covered, "the CM5 capacity trade"));

        // Scenario 3 re-solved for a new W (alternating 0.2 / 0.25), warm-started from the previous prices.
        var s3 = Scenario("3-theta80");
        var alternating = new[] { ScenarioSweep.With(s3, "W", 0.2), ScenarioSweep.With(s3, "W", 0.25) };
        IReadOnlyList<double>? warm = ScenarioRunner.Run(alternating[0], context).P2P!.Result.PriceEurPerMwh;
        int turn = 0;
        void Resolve()
        {
            var r = ScenarioRunner.Run(alternating[++turn % 2], context, warm);
            warm = r.P2P!.Result.PriceEurPerMwh;
        }
        var resolve = Measure("scenario3-resolve-w", 100, 10, Resolve);
        if (memoryRuns > 0)
        {
            progress.Write($"bench: memory over {memoryRuns} re-solves … ");
            long start = GC.GetTotalMemory(forceFullCollection: true);
            for (int k = 0; k < memoryRuns; k++) Resolve();
            long end = GC.GetTotalMemory(forceFullCollection: true);
            progress.WriteLine("done");
            results[results.IndexOf(resolve)] = resolve with { MemoryStartBytes = start, MemoryEndBytes = end, MemoryRuns = memoryRuns };
        }

        // A larger synthetic market: 1000 peers on case533mt_hi, 20 nearest counterparts each, centralised solver.
        var network533 = GridNetwork.Load(DataPaths.Of("cases", "case533mt_hi.m"));
        var ptdf533 = Ptdf.Compute(network533);
        var synthetic = SyntheticMarket.Build(network533, ptdf533, s1.Market, SyntheticPeers, SyntheticNeighbours);
        Measure($"p2p-synthetic-{SyntheticPeers}-case533mt_hi", 5, 1,
            () => RequireConverged(CentralizedP2PSolver.Solve(synthetic.Problem), "the synthetic market"));

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(results, Json));
            return 0;
        }
        output.WriteLine($"p2pflex bench — {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger attached, " : "")}{BuildConfiguration}");
        output.WriteLine(Invariant($"synthetic market: {synthetic.Problem.Peers.Count} peers ({synthetic.Problem.Peers.Count(p => p.Role == PeerRole.Seller)} sellers), {synthetic.Problem.Pairs.Count} pairs on {network533.Name}"));
        output.WriteLine();
        output.WriteLine("operation                               median ms     min ms     max ms   runs");
        output.WriteLine(new string('-', 78));
        foreach (var m in results)
            output.WriteLine(Invariant($"{m.Name,-36} {m.MedianMs,12:F3} {m.MinMs,10:F3} {m.MaxMs,10:F3} {m.Runs,6}"));
        var mem = results.Single(m => m.Name == "scenario3-resolve-w");
        if (mem.MemoryRuns is int n)
        {
            output.WriteLine();
            output.WriteLine(Invariant($"managed memory over {n} W re-solves (GC.GetTotalMemory(true)): start {mem.MemoryStartBytes / 1024.0:F0} KiB, end {mem.MemoryEndBytes / 1024.0:F0} KiB, change {(mem.MemoryEndBytes - mem.MemoryStartBytes) / 1024.0:+0;-0;0} KiB"));
        }
        return 0;
    }

#if DEBUG
    private const string BuildConfiguration = "Debug build";
#else
    private const string BuildConfiguration = "Release build";
#endif

    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times timed.</summary>
    public static BenchMeasurement Time(string name, int warmup, int runs, Action action)
    {
        for (int k = 0; k < warmup; k++) action();
        var ms = new double[runs];
        for (int k = 0; k < runs; k++)
        {
            long t0 = Stopwatch.GetTimestamp();
            action();
            ms[k] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
        return new BenchMeasurement(name, median, ms[0], ms[^1], runs);
    }

    private static void RequireConverged(P2PMarketResult r, string what) =>
        Require(r.Status == SolveStatus.Converged, $"{what} P2P market ({r.Status} after {r.Iterations} iterations)");

    private static void Require(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"bench: {what} did not solve");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
