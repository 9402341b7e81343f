using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// How a mediator offers the peers' remaining flexibility to the LFM (the study's CM1/CM3: "the mediator offers the
/// peers' aggregated flexibility"): one bid per bus and direction, whose volume is the sum of the peers' unmet volumes
/// there and whose price is their volume-weighted average price. The LFM buys an aggregated bid as a whole block of
/// divisible volume, so it pays the average, not the cheapest peer's price, for each MW.
/// </summary>
public static class MediatorAggregation
{
    /// <summary>Id prefix of the mediator's bids in the LFM orderbook ("M-&lt;bus&gt;-up").</summary>
    public const string IdPrefix = "M-";

    public static IReadOnlyList<FlexibilityBid> Aggregate(IEnumerable<FlexibilityBid> unmet) =>
        unmet.GroupBy(b => (b.Bus, b.Direction))
            .OrderBy(g => g.Key.Bus).ThenBy(g => g.Key.Direction)
            .Select(g =>
            {
                double volume = g.Sum(b => b.VolumeMw);
                double price = g.Sum(b => b.VolumeMw * b.PriceEurPerMwh) / volume;
                return new FlexibilityBid($"{IdPrefix}{g.Key.Bus}-{(g.Key.Direction == BidDirection.Up ? "up" : "down")}", g.Key.Bus, g.Key.Direction, volume, price);
            })
            .ToArray();

    /// <summary>Unmet parts of peer bids below this (MW) are not offered to the LFM: they are below the congestion
    /// tolerance τ and would only add near-empty columns to the LP.</summary>
    public const double UnmetVolumeThresholdMw = 1e-6;

    /// <summary>The unmet parts of the peers' bids (bid volume − cleared quantity, quantities ≥ 0), above the threshold:
    /// the one definition of "unmet volume" every design that passes the rest on uses.</summary>
    public static IReadOnlyList<FlexibilityBid> Unmet(IReadOnlyList<ScenarioPeer> peers, IReadOnlyList<double> quantityMw) =>
        peers.Select((p, k) => p.Bid with { VolumeMw = p.Bid.VolumeMw - quantityMw[k] })
            .Where(b => b.VolumeMw > UnmetVolumeThresholdMw)
            .ToArray();

    /// <summary>What the design passes on: aggregated by the mediator, or the peers' own unmet bids.</summary>
    public static IReadOnlyList<FlexibilityBid> Offer(IReadOnlyList<ScenarioPeer> peers, IReadOnlyList<double> quantityMw, bool aggregate)
    {
        var unmet = Unmet(peers, quantityMw);
        return aggregate ? Aggregate(unmet) : unmet;
    }
}
