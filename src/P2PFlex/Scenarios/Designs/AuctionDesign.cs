using P2PFlex.Markets.Auction;

namespace P2PFlex.Scenarios.Designs;

/// <summary>The double auction and what it passes on, for notebooks, export and tests.</summary>
public sealed record AuctionStage(IReadOnlyList<ScenarioPeer> Peers, AuctionProblem Problem, AuctionResult Result, bool MediatorAggregates);

/// <summary>
/// Auction-based P2P trade with no service (the study's CM1): a mediator clears an anonymous double auction over the
/// peers' cost and utility functions (no bilateral preference costs) at one price, blind to the grid; the LFM follows
/// with the non-peer bids and the peers' unmet volumes, aggregated by the mediator per bus and direction
/// (<c>mediator_aggregates</c>, default true). Budget balanced: buyers pay what sellers receive, the mediator keeps 0.
/// </summary>
public sealed class AuctionDesign : IMarketDesign
{
    public string Name => "auction";

    public MarketStage Clear(MarketDesignInput input)
    {
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name) with { MediatorRevenueEur = 0 };
        var peers = ScenarioPeers.Build(input.Scenario.Market, input.Feeder, input.PeerBids);
        var problem = new AuctionProblem(peers.Select(p => p.Peer).ToArray(), input.Scenario.Market.IntervalHours);
        var result = DoubleAuction.Clear(problem);
        bool aggregate = input.Scenario.Design.MediatorAggregates;
        return new MarketStage(Name, peers, result.NetPositionMw, MediatorAggregation.Offer(peers, result.QuantityMw, aggregate),
            LfmFollows: true, result.TradedVolumeMw, result.PeersWelfareEur, result.MediatorRevenueEur,
            NodalPricesEurPerMwh: null, DsoPayments.None, new AuctionStage(peers, problem, result, aggregate))
        {
            Status = result.PriceEurPerMwh is null ? MarketStageStatus.NoPrice : MarketStageStatus.Cleared,
        };
    }
}
