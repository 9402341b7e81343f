using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;
using P2PFlex.Markets.Auction;
using P2PFlex.Markets.Capacity;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Cli.Bench;

/// <summary>
/// One operation of <c>p2pflex bench</c>: <paramref name="Prepare"/> builds its inputs from the shared fixtures (not
/// timed) and returns the action that is timed; <paramref name="Runs"/> is its default number of timed calls.
/// </summary>
/// <param name="MeasureMemory">Also measure the managed heap over many repeats (leak check).</param>
/// <param name="Long">A run of seconds to minutes (a year of a time series): left out unless <c>--long</c> is given or
/// <c>--only</c> names it, and timed without warm-up calls unless <c>--warmup</c> asks for them.</param>
/// <param name="Unavailable">Why the entry cannot run with these fixtures (it is then skipped with that note), or null.</param>
public sealed record BenchEntry(string Name, int Runs, Func<BenchFixtures, Action> Prepare, bool MeasureMemory = false, bool Long = false,
    Func<BenchFixtures, string?>? Unavailable = null);

/// <summary>
/// The operations <c>p2pflex bench</c> times, in order. Adding one is one line: a name, a default run count, and a
/// function from the fixtures to the action (throw if the result is wrong, so a broken operation is never timed).
/// </summary>
public static class BenchSuite
{
    /// <summary>Peers and counterparts of the synthetic market in the main table.</summary>
    public const int SyntheticPeers = 1000, SyntheticNeighbours = 20;

    public static IReadOnlyList<BenchEntry> Entries { get; } =
    [
        new("read-ptdf-case69", 50, f => () => Ptdf.Compute(GridNetwork.Load(f.CasePath("case69")))),
        new("read-ptdf-case533mt_hi", 10, f => () => Ptdf.Compute(GridNetwork.Load(f.CasePath("case533mt_hi")))),
        new("acpf-case69", 500, f => AcPowerFlowOf(f.Network("case69"))),
        new("acpf-case141", 500, f => AcPowerFlowOf(f.Network("case141"))),
        new("acpf-case533mt_hi", 200, f => AcPowerFlowOf(f.Network("case533mt_hi"))),
        new("gridcheck-case69-base", 200, f => () => f.Study.BaseFeeder.Check()),
        new("lfm-scenario0", 20, f => { var p = f.LfmScenario0(); return () => Require(LocalFlexibilityMarket.Clear(p).Path == LfmSolvePath.DualSimplex, "the scenario-0 LFM (dual simplex)"); }),
        new("lfm-scenario0-glop", 20, f => { var p = f.LfmScenario0(); var glop = new LfmOptions(LpSolver: LfmLpSolver.Glop); return () => Require(LocalFlexibilityMarket.Clear(p, glop).Status == LfmStatus.Optimal, "the scenario-0 LFM (GLOP)"); }),
        new("p2p-centralised-70", 50, f => CentralisedOf(f.Market70(), "70-peer")),
        new("p2p-admm-70", 5, f => AdmmOf(f.Market70(), "70-peer")),
        new("p2p-centralised-172", 50, f => CentralisedOf(f.Market172(), "172-peer")),
        new("p2p-admm-172", 3, f => AdmmOf(f.Market172(), "172-peer")),
        new("auction-cm1-70", 200, f => { var p = f.Design<AuctionStage>("cm1").Problem; return () => Require(DoubleAuction.Clear(p).PriceEurPerMwh is not null, "the CM1 auction"); }),
        new("network-auction-cm3-70", 50, f => { var p = f.Design<NetworkAuctionStage>("cm3-v2").Problem; return () => Require(NetworkAuction.Clear(p).Status == NetworkAuctionStatus.Optimal, "the CM3 network-aware auction"); }),
        new("network-auction-cm3-case533mt_hi", 10, f => { var c = StudyContext.Load(feeder: "case533mt_hi"); var s = f.Scenario("cm3-v2"); var p = ((NetworkAuctionStage)MarketDesigns.Get(s.Design.Kind).Clear(new MarketDesignInput(s, c.BaseFeeder, c.BaseFeeder.Check(), c.P2PSubset.Select(id => c.Orderbook[id]).ToArray(), null)).Outcome).Problem; return () => Require(NetworkAuction.Clear(p).Status == NetworkAuctionStatus.Optimal, "the CM3 network-aware auction on case533mt_hi"); }),
        new("capacity-trade-cm5-70", 200, f => { var p = f.Design<CapacityStage>("cm5").Problem; return () => Require(CapacityMarket.Clear(p).Status == CapacityStatus.Covered, "the CM5 capacity trade"); }),
        new("scenario3-resolve-w", 100, f => f.Scenario3Resolve(), MeasureMemory: true),
        // Scenario 1 end to end: the DC pipeline alone, with the AC check of both states (the default), and with the
        // voltage-aware LFM (1-voltage: the LFM iterates with AC power flows; the AC check follows).
        new("scenario1", 50, f => () => ScenarioRunner.Run(f.Scenario("1"), f.Study, acCheck: false)),
        new("scenario1-with-ac-check", 50, f => () => ScenarioRunner.Run(f.Scenario("1"), f.Study)),
        new("lfm-voltage-aware-scenario1", 10, f => () =>
            Require(ScenarioRunner.Run(f.Scenario("1-voltage"), f.Study).VoltageAwareLfm!.Status == VoltageAwareLfmStatus.Converged, "the voltage-aware LFM of scenario 1")),
        new($"p2p-synthetic-{SyntheticPeers}-case533mt_hi", 5, f => CentralisedOf(f.Synthetic(SyntheticPeers).Problem, "synthetic")),
        new("montecarlo-case69-100-draws", 3, f => f.MonteCarlo100()),
        // One case533mt_hi draw of every scenario file on one core (issue 23's ≤ 1 s CPU goal), draws 0, 1, 2 in turn.
        new("montecarlo-case533mt_hi-draw", 3, f => f.MonteCarlo533Draw(), Long: true),
        // Time series (docs/timeseries.md, "Speed"): rows streamed to Parquet as `timeseries run` writes them.
        new("timeseries-case69-day-every-scenario", 3, f => TimeSeriesBench.Window(TimeSeriesBench.Case69(f), f.AllScenarios, "day"), Long: true),
        new("timeseries-case69-year-scenario3", 1, f => TimeSeriesBench.Window(TimeSeriesBench.Case69(f), [f.Scenario("3-theta80")], "year"), Long: true),
        new("timeseries-simbench-year-scenarios0-3", 1, f => TimeSeriesBench.Window(f.SimBenchIntervals(),
            TimeSeriesBench.Study0To3.Select(f.Scenario).ToArray(), "year"), Long: true, Unavailable: TimeSeriesBench.SimBenchMissing),
    ];

    /// <summary>Names of the measurements, in the order they run and are printed.</summary>
    public static IReadOnlyList<string> Names => Entries.Select(e => e.Name).ToArray();

    /// <summary>Names of the measurements a plain <c>p2pflex bench</c> runs (every entry but the long ones).</summary>
    public static IReadOnlyList<string> DefaultNames => Entries.Where(e => !e.Long).Select(e => e.Name).ToArray();

    private static Action AcPowerFlowOf(GridNetwork network) => () =>
        Require(AcPowerFlow.Solve(network).Converged, $"the AC power flow of {network.Name}");

    private static Action CentralisedOf(P2PMarketProblem problem, string what) => () =>
        RequireConverged(CentralizedP2PSolver.Solve(problem), $"centralised {what}");

    private static Action AdmmOf(P2PMarketProblem problem, string what) => () =>
        RequireConverged(AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(AndersonMemory: 5)), $"ADMM {what}");

    internal static void RequireConverged(P2PMarketResult r, string what) =>
        Require(r.Status == SolveStatus.Converged, $"{what} P2P market ({r.Status} after {r.Iterations} iterations)");

    internal static void Require(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"bench: {what} did not solve");
    }
}

/// <summary>Inputs the bench entries share, loaded on first use.</summary>
public sealed class BenchFixtures
{
    private readonly Dictionary<string, GridNetwork> _networks = [];
    private readonly Dictionary<int, SyntheticMarket> _synthetic = [];
    private StudyContext? _study;
    private IReadOnlyList<ScenarioDefinition>? _scenarios;

    public string CasePath(string name) => DataPaths.Of("cases", name + ".m");

    public GridNetwork Network(string name)
    {
        if (!_networks.TryGetValue(name, out var n)) _networks[name] = n = GridNetwork.Load(CasePath(name));
        return n;
    }

    public StudyContext Study => _study ??= StudyContext.Load();

    public ScenarioDefinition Scenario(string name) => (_scenarios ??= StudyContext.LoadScenarios()).Single(s => s.Name == name);

    /// <summary>Every scenario file of the data folder.</summary>
    public IReadOnlyList<ScenarioDefinition> AllScenarios => _scenarios ??= StudyContext.LoadScenarios();

    /// <summary>The SimBench grid folder of the SimBench entry (<c>--simbench</c>, else <c>P2PFLEX_SIMBENCH</c>), or null.</summary>
    public string? SimBenchFolder { get; init; } = Environment.GetEnvironmentVariable(TimeSeriesBench.SimBenchVariable) is { Length: > 0 } folder ? folder : null;

    private TimeSeries.IFeederIntervals? _case69Intervals, _simBenchIntervals;

    /// <summary>case69 under the default profile (BDEW H25 on every load, 2025).</summary>
    public TimeSeries.IFeederIntervals Case69Intervals() =>
        _case69Intervals ??= TimeSeries.IntervalStates.ForFeeder(TimeSeries.StudyProfiles.Default(Study.BaseFeeder.Network));

    /// <summary>The SimBench grid of <see cref="SimBenchFolder"/> under its own profiles.</summary>
    public TimeSeries.IFeederIntervals SimBenchIntervals() => _simBenchIntervals ??= new TimeSeries.SimBenchIntervals(
        TimeSeries.SimBenchStudy.Read(SimBenchFolder ?? throw new InvalidOperationException(TimeSeriesBench.SimBenchMissing(this))));

    /// <summary>The scenario-0 LFM: every bid, base flows.</summary>
    public LfmProblem LfmScenario0()
    {
        var feeder = Study.BaseFeeder;
        return ScenarioLfm.Problem(Scenario("0"), feeder, feeder.Check(), ScenarioLfm.ToFlexBids(feeder.Network, Study.Orderbook.Bids));
    }

    /// <summary>Scenario 1's market on the 70-peer subset.</summary>
    public P2PMarketProblem Market70() =>
        ScenarioRunner.ClearP2P(Scenario("1"), Study.BaseFeeder, Study.BaseFeeder.Check(), Study.P2PSubset.Select(id => Study.Orderbook[id]).ToArray()).Problem;

    /// <summary>The market stage a conceptual-model scenario poses on the 70-peer subset (base state), e.g. the CM1
    /// auction of <c>cm1</c>; its <c>Problem</c> is what the bench re-clears.</summary>
    public T Design<T>(string scenario) where T : class
    {
        var s = Scenario(scenario);
        var feeder = Study.BaseFeeder;
        var stage = MarketDesigns.Get(s.Design.Kind).Clear(new MarketDesignInput(s, feeder, feeder.Check(),
            Study.P2PSubset.Select(id => Study.Orderbook[id]).ToArray(), null));
        return stage.Outcome as T ?? throw new InvalidOperationException($"bench: scenario {scenario} has no {typeof(T).Name}");
    }

    /// <summary>Scenario 1's market with all 172 bids as peers.</summary>
    public P2PMarketProblem Market172() =>
        ScenarioRunner.ClearP2P(Scenario("1"), Study.BaseFeeder, Study.BaseFeeder.Check(), Study.Orderbook.Bids).Problem;

    /// <summary>A synthetic market on case533mt_hi with scenario 1's parameters (<see cref="SyntheticMarket"/>).</summary>
    public SyntheticMarket Synthetic(int peers, int neighbours = BenchSuite.SyntheticNeighbours)
    {
        if (neighbours != BenchSuite.SyntheticNeighbours)
            return SyntheticMarket.Build(Network("case533mt_hi"), Ptdf.Compute(Network("case533mt_hi")), Scenario("1").Market, peers, neighbours);
        if (!_synthetic.TryGetValue(peers, out var m))
            _synthetic[peers] = m = SyntheticMarket.Build(Network("case533mt_hi"), Ptdf533, Scenario("1").Market, peers, neighbours);
        return m;
    }

    private Ptdf? _ptdf533;

    private Ptdf Ptdf533 => _ptdf533 ??= Ptdf.Compute(Network("case533mt_hi"));

    /// <summary>100 Monte Carlo draws of case69, every scenario file on each (all cores; 1000 draws take 10× as long).</summary>
    public Action MonteCarlo100()
    {
        var scenarios = _scenarios ??= StudyContext.LoadScenarios();
        var job = new MonteCarlo.MonteCarloJob("case69", 100, MonteCarlo.MonteCarloJob.DefaultSeed, scenarios.Select(s => s.Name).ToArray());
        return () => BenchSuite.Require(MonteCarlo.MonteCarloRunner.Run(job, Study, scenarios, 0, job.Draws).Count == 100 * scenarios.Count, "100 Monte Carlo draws");
    }

    /// <summary>One Monte Carlo draw of case533mt_hi, every scenario file on it, on the calling thread; each call takes the
    /// next of draws 0, 1, 2, so no call repeats the markets of the one before.</summary>
    public Action MonteCarlo533Draw()
    {
        var scenarios = _scenarios ??= StudyContext.LoadScenarios();
        var feeder = StudyContext.Load(feeder: "case533mt_hi");
        var job = new MonteCarlo.MonteCarloJob("case533mt_hi", 3, MonteCarlo.MonteCarloJob.DefaultSeed, scenarios.Select(s => s.Name).ToArray());
        var setup = FeederSetup.For(feeder.BaseFeeder.Network, feeder.BaseFeeder.Ptdf);
        int draw = 0;
        return () => BenchSuite.Require(MonteCarlo.MonteCarloRunner.RunDraw(job, setup, feeder, scenarios, draw++ % 3).Count == scenarios.Count,
            "a case533mt_hi Monte Carlo draw");
    }

    /// <summary>Scenario 3 (θ = 0.8) re-solved for a new W, alternating 0.2 / 0.25, warm-started from the previous prices.</summary>
    public Action Scenario3Resolve()
    {
        var s3 = Scenario("3-theta80");
        var alternating = new[] { ScenarioSweep.With(s3, SweepParameter.W, 0.2), ScenarioSweep.With(s3, SweepParameter.W, 0.25) };
        IReadOnlyList<double>? warm = ScenarioRunner.Run(alternating[0], Study).P2P!.Result.PriceEurPerMwh;
        int turn = 0;
        return () =>
        {
            var r = ScenarioRunner.Run(alternating[++turn % 2], Study, warm);
            warm = r.P2P!.Result.PriceEurPerMwh;
        };
    }
}
