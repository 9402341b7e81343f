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
