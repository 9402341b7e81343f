namespace P2PFlex.Scenarios.Designs;

/// <summary>The market designs a scenario file can name, by <c>market_design.kind</c>.</summary>
public static class MarketDesigns
{
    private static readonly IMarketDesign[] All =
    [
        new NoMarketDesign(),
        new BilateralP2PDesign(),
        new AuctionDesign(),
        new NetworkAuctionDesign(),
        new CapacityTradeDesign(),
    ];

    /// <summary>The names, in a stable order (for error messages and docs).</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    public static bool TryGet(string name, out IMarketDesign design)
    {
        design = All.FirstOrDefault(d => d.Name == name)!;
        return design is not null;
    }

    public static IMarketDesign Get(string name) =>
        TryGet(name, out var d) ? d : throw new ArgumentException($"unknown market design '{name}' (known: {string.Join(", ", Names)})");
}
