namespace P2PFlex.Scenarios.Designs;

/// <summary>No peers' market (scenarios 0 and 0′): every bid, the peers' included, goes to the LFM as it is.</summary>
public sealed class NoMarketDesign : IMarketDesign
{
    public string Name => "none";

    public IDesignParameters DefaultParameters { get; } = new NoParameters();

    public bool NeedsPeers => false;

    public MarketStage Clear(MarketDesignInput input) => MarketStage.Empty(Name) with { OfferedToLfm = input.PeerBids };
}
