namespace P2PFlex.Scenarios.Designs;

/// <summary>The market designs a scenario file can name, by <c>market_design.kind</c>: the one list a new design is added
/// to (docs/extending.md).</summary>
public static class MarketDesigns
{
    private static readonly IMarketDesign[] Registered =
    [
        new NoMarketDesign(),
        new BilateralP2PDesign(),
        new AuctionDesign(),
        new NetworkAuctionDesign(),
        new CapacityTradeDesign(),
    ];

    /// <summary>Every design, in the registry's order (which is also the order of their export files).</summary>
    public static IReadOnlyList<IMarketDesign> All => Registered;

    /// <summary>The names, in a stable order (for error messages and docs).</summary>
    public static IReadOnlyList<string> Names { get; } = Registered.Select(d => d.Name).ToArray();

    public static bool TryGet(string name, out IMarketDesign design)
    {
        design = Registered.FirstOrDefault(d => d.Name == name)!;
        return design is not null;
    }

    public static IMarketDesign Get(string name) =>
        TryGet(name, out var d) ? d : throw new ArgumentException($"unknown market design '{name}' (known: {string.Join(", ", Names)})");
}
