namespace P2PFlex.Grid;

/// <summary>The state of one line in a grid check.</summary>
/// <param name="CaseIndex">1-based branch index in the case file.</param>
/// <param name="FromBus">From bus number.</param>
/// <param name="ToBus">To bus number.</param>
/// <param name="FlowMw">DC flow, positive from → to.</param>
/// <param name="LimitMw">Line limit F.</param>
/// <param name="Occupancy">|f| / F (1 = fully loaded).</param>
/// <param name="OverflowMw">max(0, |f| − F).</param>
/// <param name="Congested">Overflow above the tolerance.</param>
public sealed record LineState(int CaseIndex, int FromBus, int ToBus, double FlowMw, double LimitMw, double Occupancy, double OverflowMw, bool Congested)
{
    public string Label => $"{FromBus}–{ToBus}";
}

/// <summary>
/// Result of a grid check with the grid-state KPIs of the study's Table 7 (computed over the congested set C):
/// number of congested lines, overflow sum Σ o, and capacity-weighted average overflow Σ F·o / Σ F.
/// </summary>
public sealed record GridCheckResult(
    IReadOnlyList<LineState> Lines,
    int CongestedLineCount,
    double OverflowSumMw,
    double OverflowWeightedAverageMw,
    double AverageOccupancy,
    int LinesAbove60Percent)
{
    /// <summary>1-based case indices of the congested lines, ascending.</summary>
    public IReadOnlyList<int> CongestedLines => Lines.Where(l => l.Congested).Select(l => l.CaseIndex).ToArray();

    /// <summary>Share of lines whose occupancy exceeds 60 % (the study reports 60.29 % in its base state).</summary>
    public double ShareAbove60Percent => Lines.Count == 0 ? 0 : (double)LinesAbove60Percent / Lines.Count;
}

/// <summary>
/// The grid check of the study as a pure function of (network, injections, limits): DC flows f = H·p,
/// occupancy |f|/F, overflow max(0, |f| − F), congested set {l : overflow &gt; τ}.
/// </summary>
public static class GridCheck
{
    /// <summary>Overflow tolerance τ (MW) below which a line does not count as congested.</summary>
    public const double DefaultToleranceMw = 1e-6;

    /// <summary>Checks the grid for nodal injections p (MW, internal bus order).</summary>
    public static GridCheckResult Evaluate(Ptdf ptdf, IReadOnlyList<double> injectionMw, LineLimits limits, double toleranceMw = DefaultToleranceMw) =>
        FromFlows(limits.Network, ptdf.Flows(injectionMw), limits.LimitMw, toleranceMw);

    /// <summary>Checks given line flows (MW, <see cref="GridNetwork.Branches"/> order) against limits.</summary>
    public static GridCheckResult FromFlows(GridNetwork network, IReadOnlyList<double> flowMw, IReadOnlyList<double> limitMw, double toleranceMw = DefaultToleranceMw)
    {
        int m = network.Branches.Count;
        if (flowMw.Count != m || limitMw.Count != m)
            throw new ArgumentException($"expected {m} flows and limits, got {flowMw.Count} and {limitMw.Count}");
        if (!(toleranceMw >= 0)) throw new ArgumentOutOfRangeException(nameof(toleranceMw), "tolerance must be ≥ 0");
        var lines = new LineState[m];
        int congested = 0, above60 = 0;
        double overflowSum = 0, weightedSum = 0, capacitySum = 0, occupancySum = 0;
        for (int l = 0; l < m; l++)
        {
            var br = network.Branches[l];
            double f = flowMw[l], cap = limitMw[l];
            if (!double.IsFinite(f)) throw new ArgumentException($"flow on branch {br.CaseIndex} is not finite", nameof(flowMw));
            double occupancy = Math.Abs(f) / cap;
            double overflow = Math.Max(0, Math.Abs(f) - cap);
            bool isCongested = overflow > toleranceMw;
            lines[l] = new LineState(br.CaseIndex, br.FromBus, br.ToBus, f, cap, occupancy, overflow, isCongested);
            occupancySum += occupancy;
            if (occupancy > 0.6) above60++;
            if (isCongested)
            {
                congested++;
                overflowSum += overflow;
                weightedSum += cap * overflow;
                capacitySum += cap;
            }
        }
        double weightedAverage = capacitySum > 0 ? weightedSum / capacitySum : 0;
        return new GridCheckResult(lines, congested, overflowSum, weightedAverage, m == 0 ? 0 : occupancySum / m, above60);
    }
}
