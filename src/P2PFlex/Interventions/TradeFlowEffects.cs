using P2PFlex.Grid;

namespace P2PFlex.Interventions;

/// <summary>How a trade acts on a line, relative to the line's base flow direction.</summary>
public enum TradeEffect { Neutral, Relieves, Aggravates }

/// <summary>
/// The DSO's view of a trade seller i → buyer j (MODEL §6): per MW it changes the flow on line l by
/// s_l = H[l, bus(i)] − H[l, bus(j)]; it aggravates l when sign(f⁰_l)·s_l &gt; 0 and relieves l when &lt; 0.
/// </summary>
public static class TradeFlowEffects
{
    /// <summary>Sensitivities below this (MW per MW) count as no effect (rounding of H).</summary>
    public const double SensitivityTolerance = 1e-9;

    /// <summary>s_l(i→j) for a trade from a seller at bus index <paramref name="sellerBus"/> to a buyer at <paramref name="buyerBus"/>.</summary>
    public static double Sensitivity(Ptdf ptdf, int line, int sellerBus, int buyerBus) => ptdf[line, sellerBus] - ptdf[line, buyerBus];

    /// <summary>Effect of a trade on one line with base flow <paramref name="baseFlowMw"/>.</summary>
    public static TradeEffect Effect(Ptdf ptdf, int line, double baseFlowMw, int sellerBus, int buyerBus)
    {
        double s = Sensitivity(ptdf, line, sellerBus, buyerBus);
        if (Math.Abs(s) <= SensitivityTolerance || baseFlowMw == 0) return TradeEffect.Neutral;
        return Math.Sign(baseFlowMw) * s > 0 ? TradeEffect.Aggravates : TradeEffect.Relieves;
    }

    /// <summary>At-risk lines R_θ = {l : base loading ≥ θ} (positions in <see cref="GridNetwork.Branches"/> order).</summary>
    public static IReadOnlyList<int> AtRiskLines(GridCheckResult baseCheck, double theta)
    {
        if (!(theta > 0) || !double.IsFinite(theta)) throw new ArgumentOutOfRangeException(nameof(theta), $"θ must be positive, is {theta}");
        var lines = new List<int>();
        for (int l = 0; l < baseCheck.Lines.Count; l++) if (baseCheck.Lines[l].Occupancy >= theta) lines.Add(l);
        return lines;
    }
}
