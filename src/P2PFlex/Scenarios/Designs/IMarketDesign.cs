using P2PFlex.Grid;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// What a market design is given: the scenario (its parameters), the feeder in the scenario's loading state with its
/// grid check before any trade, the bids of the peers, and optional warm-start prices from an earlier run of the same
/// scenario (sweeps and live re-solves).
/// </summary>
public sealed record MarketDesignInput(
    ScenarioDefinition Scenario,
    StudyFeeder Feeder,
    GridCheckResult BaseCheck,
    IReadOnlyList<FlexibilityBid> PeerBids,
    IReadOnlyList<double>? WarmStartPrices);

/// <summary>
/// Money the DSO pays to or receives from the peers' market (everything except the LFM, which the pipeline adds),
/// in € for the interval. Incentives paid and penalties received come from a preference-cost incentive scheme
/// (scenario 3): the DSO pays the part of the preference cost it waives on relieving trades and receives the surcharge
/// on aggravating ones. Capacity payments are what the DSO pays peers for capacity it asked for (CM5).
/// </summary>
public sealed record DsoPayments(double IncentivesPaidEur, double PenaltiesReceivedEur, double CapacityPaymentsEur)
{
    public static readonly DsoPayments None = new(0, 0, 0);

    /// <summary>What the market costs the DSO, net.</summary>
    public double NetEur => IncentivesPaidEur - PenaltiesReceivedEur + CapacityPaymentsEur;
}

/// <summary>
/// The outcome of a design's market stage, in the shape the scenario pipeline composes: which peers took part, their net
/// injections (which the pipeline adds to the feeder's base injections), what is offered to the LFM afterwards, and the
/// market-side KPIs. <see cref="Detail"/> carries the design's own result type (e.g. <see cref="P2PStage"/>) for
/// notebooks, export and tests.
/// </summary>
/// <param name="Design">The design's scenario-file name (<see cref="IMarketDesign.Name"/>).</param>
/// <param name="Peers">The peers, in the order of <paramref name="NetPositionMw"/>.</param>
/// <param name="NetPositionMw">Per peer: + injects (sells / generates), − withdraws (buys / consumes), MW.</param>
/// <param name="OfferedToLfm">Flexibility the design passes on to the LFM besides the non-peer bids: the unmet parts of
/// peer bids, or a mediator's aggregated bids.</param>
/// <param name="LfmFollows">False when the design takes responsibility for the grid itself and no LFM runs after it.</param>
/// <param name="TradedVolumeMw">Energy traded among peers (MW over the interval).</param>
/// <param name="PeersWelfareEur">Sum of the peers' surpluses for the interval (utility − cost − payments made + payments
/// received, with preference costs as the peers perceive them).</param>
/// <param name="MediatorRevenueEur">What a mediator keeps (null where the design has no mediator).</param>
/// <param name="NodalPricesEurPerMwh">Price per bus index where the design yields nodal prices, else null.</param>
/// <param name="Payments">Money between the DSO and the peers' market (incentives, penalties, capacity payments).</param>
/// <param name="Detail">The design's own result (e.g. <see cref="P2PStage"/>), or null.</param>
public sealed record MarketStage(
    string Design,
    IReadOnlyList<ScenarioPeer> Peers,
    IReadOnlyList<double> NetPositionMw,
    IReadOnlyList<FlexibilityBid> OfferedToLfm,
    bool LfmFollows,
    double TradedVolumeMw,
    double PeersWelfareEur,
    double? MediatorRevenueEur,
    IReadOnlyList<double>? NodalPricesEurPerMwh,
    DsoPayments Payments,
    object? Detail)
{
    /// <summary>No peers' market: nothing traded, nothing offered besides the orderbook.</summary>
    public static MarketStage Empty(string design) =>
        new(design, [], [], [], true, 0, 0, null, null, DsoPayments.None, null);

    /// <summary>How the design's market ended.</summary>
    public MarketStageStatus Status { get; init; } = MarketStageStatus.Cleared;

    /// <summary>What the words of <see cref="Status"/> leave out (the least overflow and its lines, the short areas), or null.</summary>
    public string? StatusDetail { get; init; }

    /// <summary>The status in words as reports, KPIs and exports show it: the detail where there is one, else the status's words.</summary>
    public string StatusText => StatusDetail ?? Status switch
    {
        MarketStageStatus.NoPrice => "no price (one side empty)",
        MarketStageStatus.ClearedWithinLineLimits => "cleared within every line limit",
        MarketStageStatus.RequirementCovered => "every area's requirement covered",
        MarketStageStatus.CongestionsRemain => "the peers cannot remove the congestions",
        MarketStageStatus.RequirementShortfall => "shortfall",
        _ => "cleared",
    };

    /// <summary>Total overflow the design's market leaves on the lines it is responsible for (network-aware designs), MW;
    /// null where the design does not look at the grid.</summary>
    public double? ResidualOverflowMw { get; init; }

    /// <summary>The warm start a later run of the same scenario can use (the design's prices), or null.</summary>
    public IReadOnlyList<double>? WarmStartPrices => Detail is P2PStage s ? s.Result.PriceEurPerMwh : null;
}

/// <summary>How a design's market ended (<see cref="MarketStage.Status"/>; its words are <see cref="MarketStage.StatusText"/>).</summary>
public enum MarketStageStatus
{
    /// <summary>The market cleared (or there was nothing to clear).</summary>
    Cleared,
    /// <summary>An auction with one side empty: nothing traded, no price.</summary>
    NoPrice,
    /// <summary>A network-aware market cleared within every line limit.</summary>
    ClearedWithinLineLimits,
    /// <summary>A network-aware market cannot remove the base congestions; it clears at the least residual overflow.</summary>
    CongestionsRemain,
    /// <summary>A capacity trade covered every area's requirement.</summary>
    RequirementCovered,
    /// <summary>A capacity trade's areas (at least one) have less capacity than the DSO asked for.</summary>
    RequirementShortfall,
}

/// <summary>
/// A market design the scenario file can name (<c>"market_design": {"kind": "…"}</c>). Each design clears the peers'
/// market with a market from <c>P2PFlex.Markets</c> and reports it as a <see cref="MarketStage"/>; the pipeline
/// (<see cref="ScenarioRunner"/>) then runs the grid check and the LFM the same way for every design. Adding a design
/// adds a class and a line in <see cref="MarketDesigns"/>, not a branch in the pipeline.
/// </summary>
public interface IMarketDesign
{
    /// <summary>The value of <c>market_design.kind</c> that selects this design.</summary>
    string Name { get; }

    MarketStage Clear(MarketDesignInput input);
}
