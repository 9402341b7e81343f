using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>A peer of the P2P market and the bid it came from.</summary>
public sealed record ScenarioPeer(FlexibilityBid Bid, int BusIndex, Peer Peer);

/// <summary>
/// Turns flexibility bids into market peers with the cost and utility functions of MODEL §5, the same for every
/// market design: an up bid is a seller with cost π G + ½ (s_sell/V) G², a down bid a buyer with utility
/// λ_ref D − ½ (s_buy/V) D².
/// </summary>
public static class ScenarioPeers
{
    public static IReadOnlyList<ScenarioPeer> Build(MarketParameters m, StudyFeeder feeder, IReadOnlyList<FlexibilityBid> bids) =>
        bids.Select(b =>
        {
            int bus = feeder.Network.IndexOfBus(b.Bus);
            if (!(b.VolumeMw > 0)) throw new ArgumentException($"peer bid '{b.Id}' has no volume");
            var peer = b.Direction == BidDirection.Up
                ? new Peer(b.Id, PeerRole.Seller, b.VolumeMw, b.PriceEurPerMwh, m.SellerSlopeEurPerMwh / b.VolumeMw)
                : new Peer(b.Id, PeerRole.Buyer, b.VolumeMw, m.LambdaRefEurPerMwh, m.BuyerSlopeEurPerMwh / b.VolumeMw);
            return new ScenarioPeer(b, bus, peer);
        }).ToArray();
}
