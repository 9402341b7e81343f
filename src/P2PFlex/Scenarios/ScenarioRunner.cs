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
    public P2PStage? P2P => Market.Detail as P2PStage;

    public double P2PVolumeMw => Market.TradedVolumeMw;
    public double? LfmCostEur => Lfm.CostEur;
    public IReadOnlyList<int> CongestedAfterLfm => AfterLfm?.CongestedLines ?? BeforeLfm.CongestedLines;

    /// <summary>The voltage-aware LFM's loop (iterations, status, residuals), when the scenario asked for it.</summary>
    public VoltageAwareLfmResult? VoltageAwareLfm { get; init; }

    /// <summary>The AC check of the states before and after the LFM (null only when the run was asked to skip it).</summary>
    public ScenarioAcCheck? Ac { get; init; }
}

/// <summary>
/// Runs a scenario end to end (MODEL §7): the peers' market of the scenario's market design (after the DSO's
/// intervention) → updated injections → grid check (the KPIs, before the LFM) → LFM with the non-peer bids plus what the
/// design passes on → AC check of both states (<see cref="ScenarioAcCheck"/>). The same for every design (<see cref="IMarketDesign"/>). Pure: the same definition and context
/// give bit-identical results.
/// </summary>
public static class ScenarioRunner
{
    /// <param name="scenario">The scenario.</param>
    /// <param name="context">The study's shared data.</param>
    /// <param name="warmStartPrices">Prices of a nearby run to start the P2P solver from (sweeps).</param>
    /// <param name="acCheck">Whether to add the AC check of the states before and after the LFM (<see cref="ScenarioAcCheck"/>);
    /// on by default, off only to time or sweep the DC pipeline alone.</param>
    public static ScenarioResult Run(ScenarioDefinition scenario, StudyContext context, IReadOnlyList<double>? warmStartPrices = null, bool acCheck = true)
    {
        var feeder = context.Feeder(scenario.State);
        var network = feeder.Network;
        var baseCheck = feeder.Check();

        IReadOnlyList<string> peerIds = scenario.Peers switch
        {
            PeerSelection.None => [],
            PeerSelection.Subset => context.P2PSubset,
            PeerSelection.LateralRelief => PeerRules.LateralRelief(context.BaseFeeder, context.Orderbook),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        var peerSet = peerIds.ToHashSet(StringComparer.Ordinal);
        var peerBids = peerIds.Select(id => context.Orderbook[id]).ToArray();

        var stage = MarketDesigns.Get(scenario.Design.Kind)
            .Clear(new MarketDesignInput(scenario, feeder, baseCheck, peerBids, warmStartPrices));

        var injection = feeder.InjectionMw.ToArray();
        for (int k = 0; k < stage.Peers.Count; k++) injection[stage.Peers[k].BusIndex] += stage.NetPositionMw[k];
        var lfmBids = context.Orderbook.Bids.Where(b => !peerSet.Contains(b.Id)).Concat(stage.OfferedToLfm).ToList();

        var beforeLfm = GridCheck.Evaluate(feeder.Ptdf, injection, feeder.Limits);
        // A design that answers for the grid itself (CM3 variation 1, CM5) has no LFM after it: nothing is offered,
        // activated or paid, and the KPIs say "NotRun".
        if (!stage.LfmFollows) lfmBids = [];
        var lfm = stage.LfmFollows
            ? ScenarioLfm.Clear(scenario, feeder, injection, beforeLfm, ScenarioLfm.ToFlexBids(network, lfmBids))
            : new ScenarioLfm.Outcome(LfmResult.NotRun(beforeLfm.Lines.Select(l => l.FlowMw)), null, null);
        var result = new ScenarioResult(scenario, feeder, stage, injection, beforeLfm, lfmBids, lfm.Lfm, lfm.AfterLfm) { VoltageAwareLfm = lfm.VoltageAware };
        return acCheck ? result with { Ac = ScenarioAcCheck.Evaluate(result) } : result;
    }

    /// <summary>Builds and clears the bilateral P2P market of a scenario (see <see cref="BilateralP2PDesign.ClearP2P"/>).</summary>
    public static P2PStage ClearP2P(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult baseCheck,
        IReadOnlyList<FlexibilityBid> peerBids, IReadOnlyList<double>? warmStartPrices = null) =>
        BilateralP2PDesign.ClearP2P(scenario, feeder, baseCheck, peerBids, warmStartPrices);
}
