using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Scenarios;

/// <summary>Everything one scenario run computed.</summary>
/// <param name="Definition">The scenario as read from its file (or changed by a sweep).</param>
/// <param name="Feeder">The feeder in the scenario's loading state.</param>
/// <param name="Market">The peers' market stage of the scenario's market design (empty for design "none").</param>
/// <param name="InjectionMw">Per bus: base injection + the peers' net positions, MW.</param>
/// <param name="BeforeLfm">Grid check after the peers' market, before the LFM: the study's KPIs.</param>
/// <param name="LfmBids">What the LFM was offered: the non-peer bids, then what the design passed on.</param>
/// <param name="Lfm">The LFM's clearing (status NotRun, cost 0, when the design has no LFM after it).</param>
/// <param name="AfterLfm">Grid check after the LFM's activations (null unless the LFM cleared).</param>
public sealed record ScenarioResult(
    ScenarioDefinition Definition,
    StudyFeeder Feeder,
    MarketStage Market,
    IReadOnlyList<double> InjectionMw,
    GridCheckResult BeforeLfm,
    IReadOnlyList<FlexibilityBid> LfmBids,
    LfmResult Lfm,
    GridCheckResult? AfterLfm)
{
    public string Name => Definition.Name;

    /// <summary>The bilateral P2P market, when the design is bilateral and there were peers.</summary>
    public P2PStage? P2P => BilateralP2PDesign.OutcomeOf(this);

    public double P2PVolumeMw => Market.TradedVolumeMw;
    public double? LfmCostEur => Lfm.CostEur;
    public IReadOnlyList<int> CongestedAfterLfm => AfterLfm?.CongestedLines ?? BeforeLfm.CongestedLines;

    /// <summary>The design that cleared the peers' market (the registry's, or one given to <see cref="ScenarioRunner.Run"/>).</summary>
    public IMarketDesign? MarketDesign { get; init; }

    /// <summary>The voltage-aware LFM's loop (iterations, status, residuals), when the scenario asked for it.</summary>
    public VoltageAwareLfmResult? VoltageAwareLfm { get; init; }

    /// <summary>The AC check of the states before and after the LFM (null only when the run was asked to skip it).</summary>
    public ScenarioAcCheck? Ac { get; init; }

    /// <summary>How long each stage took (<see cref="StageTimings"/>): the one part of a result that is not deterministic,
    /// left out of every bit-identity check; null for a result not built by <see cref="ScenarioRunner.Run"/>.</summary>
    public StageTimings? Timings { get; init; }
}
