using System.Collections.Concurrent;
using P2PFlex.Grid;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Data;

/// <summary>
/// The documented base state of a feeder and how its random inputs are drawn: the line-limit rule (with the
/// congestions pinned at lateral ends), the load factor of the extreme state, the orderbook generator and the draw of
/// the P2P subset. case69 has the study's hand-calibrated setup (<see cref="Case69"/>); any other radial MATPOWER feeder
/// gets one from <see cref="Derive"/>, which scales the same figures to its size (docs/data.md, "Other feeders").
/// </summary>
/// <param name="Case">Case name (file <c>data/cases/&lt;case&gt;.m</c>).</param>
/// <param name="Limits">The line-limit rule; its pinned lines are the base state's congestions.</param>
/// <param name="ExtremeLoadFactor">Every load × this factor in the extreme state 0′.</param>
/// <param name="Orderbook">Generator of the feeder's orderbook.</param>
/// <param name="Subset">The seeded draw of the P2P subset.</param>
/// <param name="ScreenSubset">Whether the shipped subset is the first draw that tells the study's story of scenarios
/// 1 and 2 (case69 only; other feeders ship the first draw unscreened).</param>
/// <param name="ExtremeCongestedLow">"About half the lines congested" in 0′: lowest count (check <c>0p</c>).</param>
/// <param name="ExtremeCongestedHigh">See <paramref name="ExtremeCongestedLow"/>: highest count.</param>
public sealed record FeederSetup(
    string Case,
    LineLimitRule Limits,
    double ExtremeLoadFactor,
    OrderbookGenerator Orderbook,
    SubsetDraw Subset,
    bool ScreenSubset,
    int ExtremeCongestedLow,
    int ExtremeCongestedHigh)
{
    /// <summary>The feeders that ship data files (case69 first: the study's feeder).</summary>
    public static readonly string[] ShippedFeeders = ["case69", "case33bw", "case141", "case533mt_hi"];

    /// <summary>The study's feeder.</summary>
    public const string StudyFeederName = "case69";

    /// <summary>Share of the lines at or above 80 % base loading in the study (17 of 68: the at-risk set at θ = 0.8).</summary>
    public const double ShareAtOrAbove80Percent = 17.0 / 68;

    /// <summary>Share of the lines above 60 % base loading in the study (41 of 68 = 60.29 %).</summary>
    public const double ShareAbove60Percent = 41.0 / 68;

    /// <summary>Base overflow of a pinned line of a derived setup, as a share of its base flow (ρ = 4/3).</summary>
    public const double PinnedOverflowShare = 0.25;

    /// <summary>Number of pinned base congestions (the study has two).</summary>
    public const int PinnedCount = 2;

    /// <summary>case69's total base load (MW) and its number of loaded buses: the derived minimum limit scales case69's
    /// 0.012 MW by a feeder's mean load per loaded bus against case69's (3.8021 MW / 48).</summary>
    public const double Case69TotalLoadMw = 3.8021;

    /// <summary>See <see cref="Case69TotalLoadMw"/>.</summary>
    public const int Case69LoadedBuses = 48;

    /// <summary>The study's setup of case69, calibrated by hand to the study's stated figures (docs/data.md).</summary>
    public static FeederSetup Case69 { get; } = new(StudyFeederName, LineLimitRule.Case69Study, StudyDataGenerator.ExtremeLoadFactor,
        OrderbookGenerator.Case69Study, SubsetDraw.Study, ScreenSubset: true, 31, 37);

    /// <summary>The case-index list of the base congestions (the pinned lines), in ascending order.</summary>
    public IReadOnlyList<int> BaseCongestions => Limits.Pinned.Select(p => p.CaseIndex).Order().ToArray();

    private static readonly ConcurrentDictionary<string, FeederSetup> Cache = new(StringComparer.Ordinal);

    /// <summary>The setup of a feeder: <see cref="Case69"/> for case69, <see cref="Derive"/> otherwise (cached by name
    /// and content: two data folders may hold different cases of one name).</summary>
    public static FeederSetup For(GridNetwork network, Ptdf ptdf) =>
        network.Name == StudyFeederName ? Case69 : Cache.GetOrAdd(Key(network), _ => Derive(network, ptdf));

    private static string Key(GridNetwork network)
    {
        var text = new System.Text.StringBuilder(network.Name);
        foreach (var b in network.Buses) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"|{b.Number},{b.PdMw:R},{b.QdMvar:R}");
        foreach (var l in network.Branches) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"|{l.CaseIndex},{l.FromBus},{l.ToBus},{l.RPu:R},{l.XPu:R}");
        return network.Name + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The setup of a feeder from its case file in the data folder.</summary>
    public static FeederSetup For(string caseName, string? dataRoot = null)
    {
        if (caseName == StudyFeederName) return Case69;
        var network = FeederResolver.LoadNetwork(DataPaths.Find(Path.Combine("cases", caseName + ".m"), dataRoot) ?? CasePath(caseName, dataRoot), caseName);
        return For(network, Ptdf.Compute(network));
    }

    /// <summary>
    /// The generic rule for a radial feeder (docs/data.md, "Other feeders"), the study's figures scaled to its size:
    /// <list type="bullet">
    /// <item>Pinned base congestions: among branches near a lateral's end (one or two buses downstream, at least one
    /// of them with load), the one with the largest base flow, then the largest whose downstream buses are disjoint
    /// from it; each overflows by <see cref="PinnedOverflowShare"/> of its base flow.</item>
    /// <item>Strata of the N lines: round(N·17/68) − 2 lines with ρ in [0.80, 0.97), round(N·41/68) − round(N·17/68)
    /// in [0.60, 0.80), the rest in [0.25, 0.60) — case69's seed 20221130; minimum limit 0.012 MW × (mean load of
    /// a loaded bus) / (3.8021 MW / 48).</item>
    /// <item>Extreme factor: the smallest multiple of 0.05 above 1 that congests at least half the lines.</item>
    /// <item>Orderbook: round(L·46/48) of the L buses with load, round(that·172/46) bids, case69's ranges and seed;
    /// P2P subset round(bids·70/172) bids, case69's seed, not screened.</item>
    /// </list>
    /// </summary>
    public static FeederSetup Derive(GridNetwork network, Ptdf ptdf)
    {
        int lines = network.Branches.Count;
        var flows = ptdf.Flows(network.BaseInjectionMw);
        // Downstream bus sets from the PTDF: on a radial feeder |H[l, b]| = 1 exactly for the buses behind line l
        // (−1 when the case writes the branch from its upstream end, +1 when the other way round).
        var downstream = new List<int>[lines];
        for (int l = 0; l < lines; l++)
        {
            downstream[l] = [];
            for (int b = 0; b < network.Buses.Count; b++)
                if (Math.Abs(ptdf[l, b]) > 0.5) downstream[l].Add(b);
            if (downstream[l].Count == 0)
                throw new ArgumentException($"{network.Name}: branch {network.Branches[l].CaseIndex} has no bus downstream of it; the feeder is not radial from its slack");
        }
        var candidates = Enumerable.Range(0, lines)
            .Where(l => downstream[l].Count <= 2 && downstream[l].Any(b => network.Buses[b].PdMw > 0) && Math.Abs(flows[l]) > 0)
            .OrderByDescending(l => Math.Abs(flows[l])).ThenBy(l => network.Branches[l].CaseIndex).ToList();
        var pinned = new List<int>();
        foreach (int l in candidates)
        {
            if (pinned.Any(p => downstream[p].Intersect(downstream[l]).Any())) continue;
            pinned.Add(l);
            if (pinned.Count == PinnedCount) break;
        }
        if (pinned.Count < PinnedCount) throw new ArgumentException($"{network.Name}: fewer than {PinnedCount} lateral ends carry load");

        int high = (int)Math.Round(lines * ShareAtOrAbove80Percent, MidpointRounding.AwayFromZero);
        int above60 = (int)Math.Round(lines * ShareAbove60Percent, MidpointRounding.AwayFromZero);
        int low = lines - above60;
        // The minimum limit keeps end-of-lateral lines from flipping on tiny trades; what is "tiny" scales with the
        // size of a single load, so case69's 0.012 MW is scaled by the mean load of a loaded bus.
        var loaded = network.Buses.Where(b => b.PdMw > 0).ToArray();
        double meanLoad = loaded.Sum(b => b.PdMw) / loaded.Length;
        double minimum = Math.Round(LineLimitRule.Case69Study.MinimumLimitMw * meanLoad / (Case69TotalLoadMw / Case69LoadedBuses), 6);
        var rule = new LineLimitRule(LineLimitRule.Case69Study.Seed,
            [new LoadingStratum(low, 0.25, 0.60), new LoadingStratum(above60 - high, 0.60, 0.80), new LoadingStratum(high - PinnedCount, 0.80, 0.97)],
            minimum,
            pinned.Select(l => new PinnedOverflow(network.Branches[l].CaseIndex, Math.Round(PinnedOverflowShare * Math.Abs(flows[l]), 6))).OrderBy(p => p.CaseIndex).ToArray());

        // Extreme state: the limits stay, the loads grow until half the lines are congested.
        var limits = new LineLimits(network, rule.Derive(network, ptdf).Select(r => r.LimitMw).ToArray());
        int half = (lines + 1) / 2;
        double factor = 0;
        for (int step = 21; step <= 200; step++)
        {
            double f = step * 0.05;
            var state = Uniform(network.Name + "_extreme", network, f);
            var scaled = state.Apply(network);
            if (GridCheck.Evaluate(ptdf, scaled.BaseInjectionMw, new LineLimits(scaled, limits.LimitMw)).CongestedLineCount >= half) { factor = Math.Round(f, 2); break; }
        }
        if (factor == 0) throw new ArgumentException($"{network.Name}: no load factor up to 10 congests half the lines");

        var (orderbook, subset) = DrawRules(network);
        return new FeederSetup(network.Name, rule, factor, orderbook, subset, ScreenSubset: false,
            (int)Math.Round(lines * 31.0 / 68, MidpointRounding.AwayFromZero), (int)Math.Round(lines * 37.0 / 68, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// The study's orderbook and P2P-subset draw scaled to a feeder (docs/data.md, "Other feeders", point 5): bids on
    /// round(L·46/48) of its L buses with load, round(that·172/46) bids, case69's volume and price ranges and seed; a
    /// subset of round(bids·70/172) bids with case69's seed. Used by <see cref="Derive"/> and for SimBench grids.
    /// </summary>
    public static (OrderbookGenerator Orderbook, SubsetDraw Subset) DrawRules(GridNetwork network)
    {
        int loadBuses = network.Buses.Count(b => b.PdMw > 0 && b.Index != network.SlackIndex);
        int busCount = (int)Math.Round(loadBuses * 46.0 / 48, MidpointRounding.AwayFromZero);
        int bidCount = (int)Math.Round(busCount * 172.0 / 46, MidpointRounding.AwayFromZero);
        int peers = (int)Math.Round(bidCount * 70.0 / 172, MidpointRounding.AwayFromZero);
        return (OrderbookGenerator.Case69Study with { BidCount = bidCount, BusCount = busCount }, SubsetDraw.Study with { Count = peers });
    }

    /// <summary>A state with every load × factor.</summary>
    public static LoadingState Uniform(string name, GridNetwork network, double factor) =>
        new(name, network.Buses.ToDictionary(b => b.Number, _ => factor), "");

    public static string CasePath(string caseName, string? dataRoot = null) => Path.Combine(dataRoot ?? DataPaths.Root, "cases", caseName + ".m");

    /// <summary>Data-folder-relative path of the feeder's line limits.</summary>
    public static string LimitsFile(string caseName) => Path.Combine("limits", caseName + "_line_limits.csv");

    /// <summary>Data-folder-relative path of a loading state.</summary>
    public static string StateFile(string caseName, StudyState state) =>
        Path.Combine("states", caseName + (state == StudyState.Base ? "_base.csv" : "_extreme.csv"));

    /// <summary>Data-folder-relative path of the shipped orderbook.</summary>
    public static string OrderbookFile(string caseName) => Path.Combine("orderbook", caseName + "_orderbook.csv");

    /// <summary>Data-folder-relative path of the shipped P2P subset.</summary>
    public static string SubsetFile(string caseName) => Path.Combine("orderbook", caseName + "_p2p_subset.csv");

    /// <summary>Whether the data folder holds a feeder's files (the case and its limits).</summary>
    public static bool IsShipped(string caseName, string? dataRoot = null)
    {
        string root = dataRoot ?? DataPaths.Root;
        return File.Exists(CasePath(caseName, root)) && File.Exists(Path.Combine(root, LimitsFile(caseName)));
    }
}
