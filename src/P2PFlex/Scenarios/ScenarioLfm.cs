using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios;

/// <summary>The LFM step of the pipeline: the study's congestion-only market, or the voltage-aware one when the
/// scenario asks for it (<see cref="LfmSpec.VoltageAware"/>). Either way the result is an <see cref="LfmResult"/>
/// and the DC grid check after its activations.</summary>
public static class ScenarioLfm
{
    /// <summary>What the LFM step produced.</summary>
    public sealed record Outcome(LfmResult Lfm, GridCheckResult? AfterLfm, VoltageAwareLfmResult? VoltageAware);

    /// <summary>The study's congestion-only LFM of a scenario: the feeder's PTDF and limits, the flows before the LFM,
    /// the scenario's balance rule and interval.</summary>
    public static LfmProblem Problem(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult beforeLfm, IReadOnlyList<FlexBid> bids)
    {
        var grid = FeederGridView.Of(feeder, beforeLfm);
        return new(grid.PtdfMwPerMw,
            grid.FlowMw,
            grid.LimitMw,
            bids,
            RequireBalance: scenario.Market.LfmRequireBalance,
            IntervalHours: scenario.Market.IntervalHours);
    }

    /// <summary>The LFM's view of order-book bids: bus index in the feeder's network instead of the bus number.</summary>
    public static FlexBid[] ToFlexBids(GridNetwork network, IEnumerable<FlexibilityBid> bids) =>
        bids.Select(b => new FlexBid(b.Id, network.IndexOfBus(b.Bus), b.Direction, b.VolumeMw, b.PriceEurPerMwh)).ToArray();

    public static Outcome Clear(ScenarioDefinition scenario, StudyFeeder feeder, IReadOnlyList<double> injectionMw, GridCheckResult beforeLfm,
        IReadOnlyList<FlexBid> bids)
    {
        var network = feeder.Network;
        if (!scenario.Lfm.VoltageAware)
        {
            var lfm = LocalFlexibilityMarket.Clear(Problem(scenario, feeder, beforeLfm, bids));
            return new Outcome(lfm, lfm.Status == LfmStatus.Optimal ? GridCheck.FromFlows(network, lfm.PostLfmFlowMw, feeder.Limits.LimitMw) : null, null);
        }
        var spec = scenario.Lfm;
        var va = VoltageAwareLfm.Clear(network, feeder.Ptdf, injectionMw, feeder.Limits.LimitMw, bids, scenario.Market.LfmRequireBalance,
            scenario.Market.IntervalHours, new VoltageAwareLfmOptions(spec.Band, spec.MaxIterations));
        // The LP's flows are linearised AC flows; the DC check after the LFM is the study's, of the activated injections.
        GridCheckResult? after = va.Lfm.Status == LfmStatus.Optimal
            ? GridCheck.Evaluate(feeder.Ptdf, VoltageAwareLfm.Apply(injectionMw, bids, va.Lfm.Activations.Select(a => a.ActivatedMw).ToArray()), feeder.Limits)
            : null;
        return new Outcome(va.Lfm, after, va);
    }
}
