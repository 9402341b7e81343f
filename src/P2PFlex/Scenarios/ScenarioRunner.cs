using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Scenarios;

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
    /// <param name="design">The design to clear the peers' market with; null: the registered one the scenario names
    /// (<see cref="MarketDesigns"/>). A design under development runs here before it is registered (docs/extending.md).</param>
    public static ScenarioResult Run(ScenarioDefinition scenario, StudyContext context, IReadOnlyList<double>? warmStartPrices = null, bool acCheck = true,
        IMarketDesign? design = null)
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
        // In an interval of a time series a bid's volume follows its bus's load now, and a bus can have no load at all
        // (SimBench's profiles reach 0, e.g. 1-LV-rural1 on 28 August 2016 at 05:30): that peer has nothing to trade
        // and sits out this interval's P2P market. A read orderbook never has such a bid (volume > 0 is checked).
        var peerBids = peerIds.Select(id => context.Orderbook[id]).Where(b => b.VolumeMw > 0).ToArray();

        design ??= MarketDesigns.Get(scenario.Design.Kind);
        long p2pStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var stage = design
            .Clear(new MarketDesignInput(scenario, feeder, baseCheck, peerBids, warmStartPrices));
        double p2pSeconds = StageTimings.SecondsSince(p2pStart);

        var injection = feeder.InjectionMw.ToArray();
        for (int k = 0; k < stage.Peers.Count; k++) injection[stage.Peers[k].BusIndex] += stage.NetPositionMw[k];
        var lfmBids = context.Orderbook.Bids.Where(b => !peerSet.Contains(b.Id)).Concat(stage.OfferedToLfm).ToList();

        var beforeLfm = GridCheck.Evaluate(feeder.Ptdf, injection, feeder.Limits);
        // A design that answers for the grid itself (CM3 variation 1, CM5) has no LFM after it: nothing is offered,
        // activated or paid, and the KPIs say "NotRun".
        if (!stage.LfmFollows) lfmBids = [];
        long lfmStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var lfm = stage.LfmFollows
            ? ScenarioLfm.Clear(scenario, feeder, injection, beforeLfm, ScenarioLfm.ToFlexBids(network, lfmBids))
            : new ScenarioLfm.Outcome(LfmResult.NotRun(beforeLfm.Lines.Select(l => l.FlowMw)), null, null);
        double lfmSeconds = StageTimings.SecondsSince(lfmStart);
        var result = new ScenarioResult(scenario, feeder, stage, injection, beforeLfm, lfmBids, lfm.Lfm, lfm.AfterLfm)
        {
            VoltageAwareLfm = lfm.VoltageAware,
            MarketDesign = design,
            Timings = new StageTimings(p2pSeconds, lfmSeconds, null),
        };
        if (!acCheck) return result;
        long acStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var ac = ScenarioAcCheck.Evaluate(result);
        return result with { Ac = ac, Timings = new StageTimings(p2pSeconds, lfmSeconds, StageTimings.SecondsSince(acStart)) };
    }

    /// <summary>Builds and clears the bilateral P2P market of a scenario (see <see cref="BilateralP2PDesign.ClearP2P"/>).</summary>
    public static P2PStage ClearP2P(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult baseCheck,
        IReadOnlyList<FlexibilityBid> peerBids, IReadOnlyList<double>? warmStartPrices = null) =>
        BilateralP2PDesign.ClearP2P(scenario, feeder, baseCheck, peerBids, warmStartPrices);
}
