using P2PFlex.Data;
using P2PFlex.Grid;

namespace P2PFlex.Scenarios;

/// <summary>
/// The DC view of a feeder in one state that a market poses its line rows on: the PTDF H, the flows of the state and
/// the lines' limits, one row per in-service line. The network-aware auction and the capacity trade read it at the
/// flows before any trade, the LFM at the flows after the peers' market; each gets its own copy of the arrays (the
/// markets' problems own theirs).
/// </summary>
public sealed class FeederGridView
{
    // The feeder's PTDF itself (immutable): the dense copy is made when a market asks for it, not for every view.
    private readonly Ptdf _ptdf;
    private readonly double[] _flowMw;
    private readonly double[] _limitMw;

    private FeederGridView(Ptdf ptdf, double[] flowMw, double[] limitMw) => (_ptdf, _flowMw, _limitMw) = (ptdf, flowMw, limitMw);

    /// <summary>The view of <paramref name="feeder"/> at the flows of <paramref name="check"/>.</summary>
    public static FeederGridView Of(StudyFeeder feeder, GridCheckResult check) =>
        new(feeder.Ptdf, check.Lines.Select(l => l.FlowMw).ToArray(), feeder.Limits.LimitMw.ToArray());

    /// <summary>H, MW of flow per MW injected at the bus (and withdrawn at the slack), lines × buses.</summary>
    public double[,] PtdfMwPerMw => _ptdf.ToArray();

    /// <summary>The flows of the state, MW (from → to).</summary>
    public double[] FlowMw => (double[])_flowMw.Clone();

    /// <summary>The lines' limits, MW.</summary>
    public double[] LimitMw => (double[])_limitMw.Clone();
}
