using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios;

/// <summary>
/// The congested set of one state seen two ways: under DC occupancy (the study's view, |f| &gt; F) and under AC loading
/// (|S| &gt; F MVA, <see cref="AcGridCheck"/>). Lines in only one of the two sets are where the DC picture misleads.
/// </summary>
public sealed record DcAcComparison(IReadOnlyList<int> DcCongested, IReadOnlyList<int> AcCongested)
{
    /// <summary>Congested in DC only (the DC view overstates them).</summary>
    public IReadOnlyList<int> DcOnly => DcCongested.Except(AcCongested).Order().ToArray();

    /// <summary>Congested in AC only (the DC view misses them: reactive flow and losses).</summary>
    public IReadOnlyList<int> AcOnly => AcCongested.Except(DcCongested).Order().ToArray();

    /// <summary>Every line on which the two views disagree, ascending.</summary>
    public IReadOnlyList<int> Disagreeing => DcOnly.Concat(AcOnly).Order().ToArray();
}

/// <summary>
/// The AC check of a scenario run: the AC state before the LFM (the peers' market done) and after it (the LFM's
/// activations applied; null when the LFM did not clear), each against the DC grid check of the same state.
/// </summary>
public sealed record ScenarioAcCheck(VoltageBand Band, AcGridState BeforeLfm, AcGridState? AfterLfm, DcAcComparison Before, DcAcComparison? After)
{
    /// <summary>
    /// Checks a scenario result in AC: a pure function of the result, the same for every market design (it only reads
    /// the injections, the LFM's bids and activations and the DC checks). The band is the scenario's
    /// (<see cref="LfmSpec"/>, default 0.90–1.10 p.u.).
    /// </summary>
    public static ScenarioAcCheck Evaluate(ScenarioResult r)
    {
        var network = r.Feeder.Network;
        var band = r.Definition.Lfm.Band;
        var limits = r.Feeder.Limits.LimitMw;
        var before = AcGridCheck.Evaluate(network, r.InjectionMw, limits, band);
        var beforeComparison = new DcAcComparison(r.BeforeLfm.CongestedLines, before.CongestedLines);
        if (r.AfterLfm is null) return new ScenarioAcCheck(band, before, null, beforeComparison, null);
        var after = AcGridCheck.Evaluate(network, InjectionAfterLfmMw(r), limits, band);
        return new ScenarioAcCheck(band, before, after, beforeComparison, new DcAcComparison(r.AfterLfm.CongestedLines, after.CongestedLines));
    }

    /// <summary>Net injections after the LFM: the pre-LFM injections plus each bid's activation at its bus (+ up, − down).</summary>
    public static double[] InjectionAfterLfmMw(ScenarioResult r)
    {
        var network = r.Feeder.Network;
        var injection = r.InjectionMw.ToArray();
        for (int b = 0; b < r.LfmBids.Count; b++)
        {
            double x = r.Lfm.Activations[b].ActivatedMw;
            injection[network.IndexOfBus(r.LfmBids[b].Bus)] += r.LfmBids[b].Direction == BidDirection.Up ? x : -x;
        }
        return injection;
    }
}

/// <summary>The LFM step of the pipeline: the study's congestion-only market, or the voltage-aware one when the
/// scenario asks for it (<see cref="LfmSpec.VoltageAware"/>). Either way the result is an <see cref="LfmResult"/>
/// and the DC grid check after its activations.</summary>
public static class ScenarioLfm
{
    /// <summary>What the LFM step produced.</summary>
    public sealed record Outcome(LfmResult Lfm, GridCheckResult? AfterLfm, VoltageAwareLfmResult? VoltageAware);

    /// <summary>The study's congestion-only LFM of a scenario: the feeder's PTDF and limits, the flows before the LFM,
    /// the scenario's balance rule and interval.</summary>
    public static LfmProblem Problem(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult beforeLfm, IReadOnlyList<FlexBid> bids) =>
        new(feeder.Ptdf.ToArray(),
            beforeLfm.Lines.Select(l => l.FlowMw).ToArray(),
            feeder.Limits.LimitMw.ToArray(),
            bids,
            RequireBalance: scenario.Market.LfmRequireBalance,
            IntervalHours: scenario.Market.IntervalHours);

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
