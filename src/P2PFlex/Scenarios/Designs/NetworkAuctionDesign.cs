using P2PFlex.Markets.Auction;

namespace P2PFlex.Scenarios.Designs;

/// <summary>The network-aware auction as posed and cleared, for notebooks, export and tests.</summary>
public sealed record NetworkAuctionStage(IReadOnlyList<ScenarioPeer> Peers, NetworkAuctionProblem Problem, NetworkAuctionResult Result, bool MediatorAggregates);

/// <summary>
/// Auction-based P2P trade with implicit service (the study's CM3): the mediator clears the auction subject to every
/// line limit of the scenario's loading state (base flows plus the PTDF effect of the peers' net injections), which
/// gives nodal prices. Variation 1 (<c>lfm_follows: false</c>): no LFM afterwards, the auction alone answers for the
/// grid; when the peers cannot remove the base congestions the status says so with the least residual overflow.
/// Variation 2 (<c>lfm_follows: true</c>, default): the LFM follows with the non-peer bids and the mediator's
/// aggregated bids. The mediator keeps the congestion rent Σ ρ D − Σ ρ G.
/// </summary>
public sealed class NetworkAuctionDesign : IMarketDesign
{
    public string Name => "network-auction";

    public MarketStage Clear(MarketDesignInput input)
    {
        bool lfmFollows = input.Scenario.Design.LfmFollows ?? true;
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name) with { LfmFollows = lfmFollows, MediatorRevenueEur = 0 };
        var feeder = input.Feeder;
        var peers = ScenarioPeers.Build(input.Scenario.Market, feeder, input.PeerBids);
        var problem = new NetworkAuctionProblem(
            peers.Select(p => p.Peer).ToArray(),
            peers.Select(p => p.BusIndex).ToArray(),
            feeder.Ptdf.ToArray(),
            input.BaseCheck.Lines.Select(l => l.FlowMw).ToArray(),
            feeder.Limits.LimitMw.ToArray(),
            input.Scenario.Market.IntervalHours);
        var result = NetworkAuction.Clear(problem);
        bool aggregate = input.Scenario.Design.MediatorAggregates;
        var offered = lfmFollows ? MediatorAggregation.Offer(peers, result.QuantityMw, aggregate) : [];
        bool within = result.Status == NetworkAuctionStatus.Optimal;
        string? detail = within ? null
            : FormattableString.Invariant($"the peers cannot remove the congestions: least residual overflow {result.LeastTotalOverflowMw:F6} MW on lines {string.Join(" ", result.Overloaded.Select(o => feeder.Network.Branches[o.LineIndex].CaseIndex))}");
        return new MarketStage(Name, peers, result.NetPositionMw, offered, lfmFollows, result.TradedVolumeMw,
            result.PeersWelfareEur, result.MediatorRevenueEur, result.NodalPriceEurPerMwh, DsoPayments.None,
            new NetworkAuctionStage(peers, problem, result, aggregate))
        {
            Status = within ? MarketStageStatus.ClearedWithinLineLimits : MarketStageStatus.CongestionsRemain,
            StatusDetail = detail,
            ResidualOverflowMw = result.LeastTotalOverflowMw,
        };
    }
}
