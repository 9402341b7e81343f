using P2PFlex.Grid;
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
    CapacityProblem Problem, CapacityResult Result, LfmResult LfmSameRelief);

/// <summary>
/// P2P capacity trade for an explicit DSO need (the study's CM5). The DSO checks the grid, and for every congested
/// line derives an area (the buses whose injection relieves it by at least <c>area_min_relief_mw_per_mw</c> per MW)
/// and a need (the overflow divided by the area's smallest relief per MW, times <c>requirement_scale</c>). The peers
/// with up bids in an area trade capacity until the need is covered (<see cref="CapacityMarket"/>); delivered capacity
/// is activated (more injection at the peer's bus) and the DSO pays each area's capacity price for it. No LFM follows
/// unless <c>lfm_follows</c> is true (the study's Table 4 has none for CM5).
/// </summary>
public sealed class CapacityTradeDesign : IMarketDesign
{
    public string Name => "capacity-trade";

    public MarketStage Clear(MarketDesignInput input)
    {
        var spec = input.Scenario.Design;
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
        var lfmSame = LocalFlexibilityMarket.Clear(new LfmProblem(
            input.Feeder.Ptdf.ToArray(),
            input.BaseCheck.Lines.Select(l => l.FlowMw).ToArray(),
            input.Feeder.Limits.LimitMw.ToArray(),
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
