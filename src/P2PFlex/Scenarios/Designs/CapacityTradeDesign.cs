using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Markets.Capacity;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// A congested area as the DSO communicates it: the congested line, the buses whose injection relieves it by at least
/// the threshold per MW, the need in MW, and which peers (up bids at those buses) can deliver.
/// </summary>
/// <param name="LineIndex">Zero-based line (row of the PTDF).</param>
/// <param name="LineLabel">"from–to" of the line.</param>
/// <param name="OverflowMw">The line's overflow before any capacity is delivered.</param>
/// <param name="Buses">Bus indices of the area.</param>
/// <param name="MinReliefMwPerMw">The smallest relief per MW injected over the area's buses.</param>
/// <param name="RequirementMw">requirement_scale × overflow / MinReliefMwPerMw.</param>
/// <param name="ProviderPeers">Indices into the stage's peers of the area's providers.</param>
public sealed record CongestedArea(int LineIndex, string LineLabel, double OverflowMw, IReadOnlyList<int> Buses,
    double MinReliefMwPerMw, double RequirementMw, IReadOnlyList<int> ProviderPeers);

/// <summary>The capacity trade as posed and cleared, and the LFM buying the same relief from the same bids.</summary>
/// <param name="Peers">All peers of the scenario (only those in an area deliver).</param>
/// <param name="Areas">The DSO's congested areas and needs.</param>
/// <param name="Providers">Indices into <paramref name="Peers"/> of the problem's providers, in problem order.</param>
/// <param name="Problem">The capacity market as posed.</param>
/// <param name="Result">Its equilibrium.</param>
/// <param name="LfmSameRelief">The LFM clearing the same congestions with only the providers' bids at their bid prices.</param>
public sealed record CapacityStage(IReadOnlyList<ScenarioPeer> Peers, IReadOnlyList<CongestedArea> Areas, IReadOnlyList<int> Providers,
    CapacityProblem Problem, CapacityResult Result, LfmResult LfmSameRelief) : IMarketOutcome
{
    /// <summary>A provider's price is the sum of its areas' capacity prices; peers outside every area have none.</summary>
    public IReadOnlyList<double?> PeerPriceEurPerMwh => PerProvider(Result.ProviderPriceEurPerMwh);

    public IReadOnlyList<double?> PeerSurplusEur => PerProvider(Result.SurplusEur);

    private double?[] PerProvider(IReadOnlyList<double> values)
    {
        var perPeer = new double?[Peers.Count];
        for (int i = 0; i < Providers.Count; i++) perPeer[Providers[i]] = values[i];
        return perPeer;
    }

    public void AddJson(JsonObject o)
    {
        o["capacity_status"] = Result.Status.ToString();
        o["iterations"] = Result.Iterations;
        o["lfm_same_relief_status"] = LfmSameRelief.Status.ToString();
        o["lfm_same_relief_cost_eur"] = LfmSameRelief.CostEur;
    }
}

/// <summary>Parameters of the capacity trade (<c>capacity-trade</c>).</summary>
/// <param name="LfmFollows">Whether an LFM runs afterwards (null: no, as in the study's Table 4).</param>
/// <param name="RequirementScale">The DSO asks for this multiple of each area's need (default 1).</param>
/// <param name="AreaMinReliefMwPerMw">A bus belongs to a congested line's area when a MW injected there lowers the line's
/// flow by at least this (in (0, 1], default 0.5).</param>
public sealed record CapacityTradeParameters(
    [property: JsonPropertyName("lfm_follows")] bool? LfmFollows = null,
    [property: JsonPropertyName("requirement_scale")] double RequirementScale = 1.0,
    [property: JsonPropertyName("area_min_relief_mw_per_mw")] double AreaMinReliefMwPerMw = 0.5) : IDesignParameters
{
    /// <summary>Largest requirement scale: the DSO asks at most a hundred times an area's need (beyond, every area is
    /// short whatever the peers hold, and the need in MW leaves any physical range).</summary>
    public const double MaxRequirementScale = 100;

    /// <summary>Smallest relief per MW that puts a bus in an area: below, every bus of the feeder would count and the
    /// need (overflow / relief) grows without bound.</summary>
    public const double MinAreaReliefMwPerMw = 1e-3;

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (!(RequirementScale >= 0 && RequirementScale <= MaxRequirementScale))
            yield return ("requirement_scale", FormattableString.Invariant($"must be in [0, {MaxRequirementScale}], is {RequirementScale}"));
        if (!(AreaMinReliefMwPerMw >= MinAreaReliefMwPerMw && AreaMinReliefMwPerMw <= 1))
            yield return ("area_min_relief_mw_per_mw", FormattableString.Invariant($"must be in [{MinAreaReliefMwPerMw}, 1], is {AreaMinReliefMwPerMw}"));
    }
}

/// <summary>
/// P2P capacity trade for an explicit DSO need (the study's CM5). The DSO checks the grid, and for every congested
/// line derives an area (the buses whose injection relieves it by at least <c>area_min_relief_mw_per_mw</c> per MW)
/// and a need (the overflow divided by the area's smallest relief per MW, times <c>requirement_scale</c>). The peers
/// with up bids in an area trade capacity until the need is covered (<see cref="CapacityMarket"/>); delivered capacity
/// is activated (more injection at the peer's bus) and the DSO pays each area's capacity price for it. No LFM follows
/// unless <c>lfm_follows</c> is true (the study's Table 4 has none for CM5).
/// </summary>
public sealed class CapacityTradeDesign : MarketDesign<CapacityTradeParameters, CapacityStage>
{
    public CapacityTradeDesign() : base(new CapacityTradeParameters()) { }

    public override string Name => "capacity-trade";

    /// <summary>The DSO's congested areas (format 1 of the export).</summary>
    public override IReadOnlyList<DesignExportFile> ExportFiles { get; } =
    [
        File("capacity_areas.csv", "capacity trade (CM5): the DSO's congested areas with their line, overflow, requirement, providers, delivered capacity and capacity price; header only for other designs",
            "area_index,name,line_index,overflow_mw,min_relief_mw_per_mw,requirement_mw,available_mw,delivered_mw,price_eur_per_mwh,buses,provider_bids", AreaRows),
    ];

    protected override MarketStage Clear(MarketDesignInput input, CapacityTradeParameters spec)
    {
        bool lfmFollows = spec.LfmFollows ?? false;
        var m = input.Scenario.Market;
        var peers = ScenarioPeers.Build(m, input.Feeder, input.PeerBids);
        var areas = Areas(input.Feeder, input.BaseCheck, peers, spec.AreaMinReliefMwPerMw, spec.RequirementScale);
        var providers = areas.SelectMany(a => a.ProviderPeers).Distinct().Order().ToArray();
        var position = providers.Select((p, i) => (p, i)).ToDictionary(t => t.p, t => t.i);
        var problem = new CapacityProblem(
            providers.Select(k => new CapacityProvider(peers[k].Bid.Id, peers[k].Peer.MaxVolumeMw, peers[k].Peer.LinearCostEurPerMwh, peers[k].Peer.QuadraticCostEurPerMw2h)).ToArray(),
            areas.Select(a => new CapacityArea(input.Feeder.Network.Branches[a.LineIndex].Name, a.RequirementMw, a.ProviderPeers.Select(k => position[k]).ToArray())).ToArray(),
            m.IntervalHours);
        var result = CapacityMarket.Clear(problem);
        var net = new double[peers.Count];
        for (int i = 0; i < providers.Length; i++) net[providers[i]] = result.DeliveredMw[i];
        var grid = input.Grid;
        var lfmSame = LocalFlexibilityMarket.Clear(new LfmProblem(
            grid.PtdfMwPerMw,
            grid.FlowMw,
            grid.LimitMw,
            providers.Select(k => new FlexBid(peers[k].Bid.Id, peers[k].BusIndex, peers[k].Bid.Direction, peers[k].Bid.VolumeMw, peers[k].Bid.PriceEurPerMwh)).ToArray(),
            RequireBalance: m.LfmRequireBalance, IntervalHours: m.IntervalHours));
        var offered = lfmFollows ? MediatorAggregation.Unmet(peers, net) : [];
        return new MarketStage(Name, peers, net, offered, lfmFollows, result.TradedCapacityMw, result.PeersWelfareEur,
            MediatorRevenueEur: null, NodalPricesEurPerMwh: null, new DsoPayments(0, 0, result.CapacityPaymentsEur),
            new CapacityStage(peers, areas, providers, problem, result, lfmSame))
        {
            Status = result.Status == CapacityStatus.Covered ? MarketStageStatus.RequirementCovered : MarketStageStatus.RequirementShortfall,
            StatusDetail = result.Status == CapacityStatus.Covered ? null : result.Message,
        };
    }

    private static void AreaRows(ScenarioResult r, CapacityStage c, CsvRowWriter csv)
    {
        var net = r.Feeder.Network;
        for (int a = 0; a < c.Areas.Count; a++)
        {
            var area = c.Areas[a];
            var problemArea = c.Problem.Areas[a];
            csv.Integer(a).Text(problemArea.Name).Integer(net.Branches[area.LineIndex].CaseIndex)
               .Number(area.OverflowMw).Number(area.MinReliefMwPerMw).Number(area.RequirementMw)
               .Number(problemArea.Providers.Sum(i => c.Problem.Providers[i].MaxCapacityMw))
               .Number(c.Result.AreaDeliveredMw[a]).Number(c.Result.AreaPriceEurPerMwh[a])
               .Text(string.Join(' ', area.Buses.Select(b => net.Buses[b].Number)))
               .Text(string.Join(' ', area.ProviderPeers.Select(k => c.Peers[k].Bid.Id))).EndRow();
        }
    }

    /// <summary>The DSO's areas and needs from the grid check before any trade (one per congested line).</summary>
    public static IReadOnlyList<CongestedArea> Areas(StudyFeeder feeder, GridCheckResult baseCheck, IReadOnlyList<ScenarioPeer> peers,
        double minReliefMwPerMw, double requirementScale)
    {
        var areas = new List<CongestedArea>();
        var ptdf = feeder.Ptdf;
        for (int l = 0; l < baseCheck.Lines.Count; l++)
        {
            var line = baseCheck.Lines[l];
            if (!line.Congested) continue;
            // Relief per MW injected at bus k: how much |f_l| falls, −sign(f⁰_l)·H_lk.
            double sign = Math.Sign(line.FlowMw);
            var buses = new List<int>();
            double minRelief = double.PositiveInfinity;
            for (int k = 0; k < ptdf.BusCount; k++)
            {
                double relief = -sign * ptdf[l, k];
                if (relief >= minReliefMwPerMw) { buses.Add(k); minRelief = Math.Min(minRelief, relief); }
            }
            var inArea = buses.ToHashSet();
            var providers = Enumerable.Range(0, peers.Count)
                .Where(k => peers[k].Peer.Role == PeerRole.Seller && inArea.Contains(peers[k].BusIndex)).ToArray();
            double need = buses.Count == 0 ? line.OverflowMw * requirementScale : requirementScale * line.OverflowMw / minRelief;
            areas.Add(new CongestedArea(l, line.Label, line.OverflowMw, buses, buses.Count == 0 ? 0 : minRelief, need, providers));
        }
        return areas;
    }
}
