using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// What a market design is given: the scenario (its parameters), the feeder in the scenario's loading state with its
/// grid check before any trade, the bids of the peers, and optional warm-start prices from an earlier run of the same
/// scenario (sweeps and live re-solves). <see cref="Grid"/> is the DC view the design poses line rows on.
/// </summary>
public sealed record MarketDesignInput(
    ScenarioDefinition Scenario,
    StudyFeeder Feeder,
    GridCheckResult BaseCheck,
    IReadOnlyList<FlexibilityBid> PeerBids,
    IReadOnlyList<double>? WarmStartPrices)
{
    /// <summary>PTDF, flows before any trade and limits of the scenario's loading state.</summary>
    public FeederGridView Grid { get; } = FeederGridView.Of(Feeder, BaseCheck);
}

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
/// market-side KPIs. <see cref="Outcome"/> is the design's own result (e.g. <see cref="P2PStage"/>); each design reads
/// it back typed (<c>AuctionDesign.OutcomeOf(result)</c>), and the export and reports use only its contract
/// (<see cref="IMarketOutcome"/>).
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
/// <param name="Outcome">The design's own result (<see cref="NoOutcome"/> when no market cleared).</param>
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
    IMarketOutcome Outcome)
{
    /// <summary>No peers' market: nothing traded, nothing offered besides the orderbook.</summary>
    public static MarketStage Empty(string design) =>
        new(design, [], [], [], true, 0, 0, null, null, DsoPayments.None, NoOutcome.Instance);

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
    public IReadOnlyList<double>? WarmStartPrices => Outcome.WarmStartPrices;
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
/// What every design's result supplies to the shared pipeline, export and reports, so that none of them needs to know
/// the design: per peer the price it trades at and its surplus, the design's members of the export's
/// <c>market_design</c> object, and the warm start a later run may use.
/// </summary>
public interface IMarketOutcome
{
    /// <summary>Per peer (the stage's order): the price it trades at, €/MWh (null where it has none).</summary>
    IReadOnlyList<double?> PeerPriceEurPerMwh { get; }

    /// <summary>Per peer: its surplus for the interval, € (null where the design does not state it per peer).</summary>
    IReadOnlyList<double?> PeerSurplusEur { get; }

    /// <summary>Adds the design's own members to the export's <c>market_design</c> object (docs/export.md).</summary>
    void AddJson(JsonObject marketDesign);

    /// <summary>Prices a later run of the same scenario can start from, or null.</summary>
    IReadOnlyList<double>? WarmStartPrices => null;
}

/// <summary>The outcome where no peers' market cleared: no prices, no surpluses, no members of its own.</summary>
public sealed class NoOutcome : IMarketOutcome
{
    public static readonly NoOutcome Instance = new();
    private NoOutcome() { }
    public IReadOnlyList<double?> PeerPriceEurPerMwh => [];
    public IReadOnlyList<double?> PeerSurplusEur => [];
    public void AddJson(JsonObject marketDesign) { }
}

/// <summary>
/// A design's parameters: the keys of its <c>market_design</c> object besides <c>kind</c>, as a record with
/// <see cref="System.Text.Json.Serialization.JsonPropertyNameAttribute"/> names and defaults. The shared scenario reader
/// reads them, refuses keys the record does not have and reports <see cref="Problems"/> at the key's line.
/// </summary>
public interface IDesignParameters
{
    /// <summary>Values out of their documented range, as (key, problem); empty when every value is acceptable.</summary>
    IEnumerable<(string Key, string Problem)> Problems() => [];
}

/// <summary>The parameters of a design that takes none.</summary>
public sealed record NoParameters : IDesignParameters;

/// <summary>A file a design adds to the export (docs/export.md): written in every export (header only when the run
/// used another design) so that the set of files is the same for every scenario.</summary>
/// <param name="Name">File name.</param>
/// <param name="Description">What <c>scenario.json</c>'s <c>files</c> map says of it.</param>
/// <param name="Header">The CSV header line: the column names separated by commas (without the line end).</param>
/// <param name="WriteRows">Writes the rows for a run of the design, one field per column (the export's one
/// <see cref="CsvRowWriter"/>: quoting, number format and line ends as docs/export.md states).</param>
public sealed record DesignExportFile(string Name, string Description, string Header, Action<ScenarioResult, CsvRowWriter> WriteRows);

/// <summary>
/// A market design the scenario file can name (<c>"market_design": {"kind": "…"}</c>). Each design clears the peers'
/// market with a market from <c>P2PFlex.Markets</c> and reports it as a <see cref="MarketStage"/>; the pipeline
/// (<see cref="ScenarioRunner"/>) then runs the grid check and the LFM the same way for every design. A design owns its
/// whole contract: its parameters (<see cref="DefaultParameters"/>), its result (<see cref="IMarketOutcome"/>) and its
/// export files; adding one is a folder and a line in <see cref="MarketDesigns"/> (docs/extending.md).
/// </summary>
public interface IMarketDesign
{
    /// <summary>The value of <c>market_design.kind</c> that selects this design.</summary>
    string Name { get; }

    /// <summary>The parameters when the scenario file states none; its type is the record the reader reads.</summary>
    IDesignParameters DefaultParameters { get; }

    /// <summary>The files the design adds to the export (none for most designs).</summary>
    IReadOnlyList<DesignExportFile> ExportFiles => [];

    /// <summary>Whether the design clears a market among peers (a scenario naming it with <c>peers: none</c> is refused).</summary>
    bool NeedsPeers => true;

    MarketStage Clear(MarketDesignInput input);
}

/// <summary>
/// The typed base of a design: <typeparamref name="TParameters"/> is its parameter record, <typeparamref name="TOutcome"/>
/// its result; <see cref="OutcomeOf"/> gives a run's result back typed (null when the run used another design).
/// </summary>
public abstract class MarketDesign<TParameters, TOutcome> : IMarketDesign
    where TParameters : class, IDesignParameters
    where TOutcome : class, IMarketOutcome
{
    /// <param name="defaults">The parameters when the scenario file states none.</param>
    protected MarketDesign(TParameters defaults) => Defaults = defaults;

    public abstract string Name { get; }

    /// <summary>The parameters when the scenario file states none.</summary>
    public TParameters Defaults { get; }

    public IDesignParameters DefaultParameters => Defaults;

    public virtual IReadOnlyList<DesignExportFile> ExportFiles => [];

    /// <summary>Clears with the scenario's parameters of this design (the defaults when the scenario names another
    /// design, as when a design is given to <see cref="ScenarioRunner.Run"/> directly).</summary>
    public MarketStage Clear(MarketDesignInput input) => Clear(input, input.Scenario.Design.Parameters as TParameters ?? Defaults);

    protected abstract MarketStage Clear(MarketDesignInput input, TParameters parameters);

    /// <summary>The design's result of a run, typed; null when the run used another design or no market cleared.</summary>
    public static TOutcome? OutcomeOf(ScenarioResult result) => result.Market.Outcome as TOutcome;

    /// <summary>An export file whose rows this design writes from its typed result.</summary>
    protected static DesignExportFile File(string name, string description, string header, Action<ScenarioResult, TOutcome, CsvRowWriter> rows) =>
        new(name, description, header, (r, csv) => { if (OutcomeOf(r) is { } o) rows(r, o, csv); });
}
