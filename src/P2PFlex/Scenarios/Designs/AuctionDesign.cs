using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using P2PFlex.Markets.Auction;

namespace P2PFlex.Scenarios.Designs;

/// <summary>Parameters of the auction designs (<c>auction</c>).</summary>
/// <param name="MediatorAggregates">The mediator offers the peers' unmet volumes to the LFM as one bid per bus and
/// direction at the volume-weighted price (true, default) or passes the bids on one by one (false).</param>
public sealed record AuctionParameters(
    [property: JsonPropertyName("mediator_aggregates")] bool MediatorAggregates = true) : IDesignParameters;

/// <summary>The double auction and what it passes on, for notebooks, export and tests: every peer trades at the one
/// clearing price.</summary>
public sealed record AuctionStage(IReadOnlyList<ScenarioPeer> Peers, AuctionProblem Problem, AuctionResult Result, bool MediatorAggregates) : IMarketOutcome
{
    public IReadOnlyList<double?> PeerPriceEurPerMwh => Peers.Select(_ => Result.PriceEurPerMwh).ToArray();

    public IReadOnlyList<double?> PeerSurplusEur => Result.SurplusEur.Select(s => (double?)s).ToArray();

    public void AddJson(JsonObject o)
    {
        o["clearing_price_eur_per_mwh"] = Result.PriceEurPerMwh;
        o["clearing_price_low_eur_per_mwh"] = Result.PriceLowEurPerMwh;
        o["clearing_price_high_eur_per_mwh"] = Result.PriceHighEurPerMwh;
    }
}

/// <summary>
/// Auction-based P2P trade with no service (the study's CM1): a mediator clears an anonymous double auction over the
/// peers' cost and utility functions (no bilateral preference costs) at one price, blind to the grid; the LFM follows
/// with the non-peer bids and the peers' unmet volumes, aggregated by the mediator per bus and direction
/// (<c>mediator_aggregates</c>, default true). Budget balanced: buyers pay what sellers receive, the mediator keeps 0.
/// </summary>
public sealed class AuctionDesign : MarketDesign<AuctionParameters, AuctionStage>
{
    public AuctionDesign() : base(new AuctionParameters()) { }

    public override string Name => "auction";

    protected override MarketStage Clear(MarketDesignInput input, AuctionParameters parameters)
    {
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name) with { MediatorRevenueEur = 0 };
        var peers = ScenarioPeers.Build(input.Scenario.Market, input.Feeder, input.PeerBids);
        var problem = new AuctionProblem(peers.Select(p => p.Peer).ToArray(), input.Scenario.Market.IntervalHours);
        var result = DoubleAuction.Clear(problem);
        bool aggregate = parameters.MediatorAggregates;
        return new MarketStage(Name, peers, result.NetPositionMw, MediatorAggregation.Offer(peers, result.QuantityMw, aggregate),
            LfmFollows: true, result.TradedVolumeMw, result.PeersWelfareEur, result.MediatorRevenueEur,
            NodalPricesEurPerMwh: null, DsoPayments.None, new AuctionStage(peers, problem, result, aggregate))
        {
            Status = result.PriceEurPerMwh is null ? MarketStageStatus.NoPrice : MarketStageStatus.Cleared,
        };
    }
}
