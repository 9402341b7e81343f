using P2PFlex.Grid;

namespace P2PFlex.Interventions;

/// <summary>What the DSO does to the P2P market before it clears (MODEL §6).</summary>
public abstract record DsoIntervention
{
    /// <summary>Scenario 0/1: the P2P market runs unchecked.</summary>
    public sealed record None : DsoIntervention;

    /// <summary>Scenario 2: a pair whose trade aggravates any at-risk line (base loading ≥ θ) may not trade.</summary>
    public sealed record Block(double Theta) : DsoIntervention;

    /// <summary>
    /// Scenario 3: for every at-risk line, a pair whose trade relieves it has its preference costs multiplied by
    /// (1 − W) and one that aggravates it by (1 + W); a pair touching several at-risk lines is updated once per line.
    /// <paramref name="RewardShare"/> scales the reward: relieving pairs get (1 − RewardShare·W). The study's rule is
    /// symmetric (RewardShare = 1, the default); 0 gives a penalty-only variant (MODEL §9 suggests trying one).
    /// </summary>
    public sealed record Incentive(double Theta, double W, double RewardShare = 1.0) : DsoIntervention;

    /// <summary>Checks the parameters (θ &gt; 0, 0 ≤ W &lt; 1) and names the bad one.</summary>
    public void Validate(string source)
    {
        switch (this)
        {
            case Block b when !(b.Theta > 0) || !double.IsFinite(b.Theta):
                throw new ArgumentException($"{source}: intervention.theta must be > 0, is {b.Theta}");
            case Incentive i when !(i.Theta > 0) || !double.IsFinite(i.Theta):
                throw new ArgumentException($"{source}: intervention.theta must be > 0, is {i.Theta}");
            case Incentive i when !(i.W >= 0 && i.W < 1):
                throw new ArgumentException($"{source}: intervention.w must be in [0, 1), is {i.W}");
            case Incentive i when !(i.RewardShare >= 0 && i.RewardShare <= 1):
                throw new ArgumentException($"{source}: intervention.reward_share must be in [0, 1], is {i.RewardShare}");
        }
    }
}

/// <summary>The outcome of an intervention for one seller → buyer pair.</summary>
/// <param name="Allowed">False when the DSO blocks the pair.</param>
/// <param name="PreferenceFactor">Multiplier of both sides' preference costs (1 without incentives).</param>
public readonly record struct PairTreatment(bool Allowed, double PreferenceFactor);

/// <summary>Applies a <see cref="DsoIntervention"/> to seller → buyer pairs.</summary>
public static class DsoInterventions
{
    /// <summary>
    /// The treatment of a pair: its effect on each at-risk line decides blocking (any aggravated line) or the product
    /// of (1 ∓ W) factors over the at-risk lines it relieves or aggravates.
    /// </summary>
    public static PairTreatment Treat(DsoIntervention intervention, Ptdf ptdf, GridCheckResult baseCheck, IReadOnlyList<int> atRisk,
        int sellerBus, int buyerBus)
    {
        switch (intervention)
        {
            case DsoIntervention.Block:
                foreach (int l in atRisk)
                    if (TradeFlowEffects.Effect(ptdf, l, baseCheck.Lines[l].FlowMw, sellerBus, buyerBus) == TradeEffect.Aggravates)
                        return new PairTreatment(false, 1);
                return new PairTreatment(true, 1);
            case DsoIntervention.Incentive incentive:
                double factor = 1;
                foreach (int l in atRisk)
                {
                    var effect = TradeFlowEffects.Effect(ptdf, l, baseCheck.Lines[l].FlowMw, sellerBus, buyerBus);
                    if (effect == TradeEffect.Relieves) factor *= 1 - incentive.RewardShare * incentive.W;
                    else if (effect == TradeEffect.Aggravates) factor *= 1 + incentive.W;
                }
                return new PairTreatment(true, factor);
            default:
                return new PairTreatment(true, 1);
        }
    }

    /// <summary><see cref="Treat"/> prepared for many pairs of the same market (<see cref="PairTreatmentRule"/>).</summary>
    public static PairTreatmentRule Compile(DsoIntervention intervention, Ptdf ptdf, GridCheckResult baseCheck, IReadOnlyList<int> atRisk) =>
        new(intervention, ptdf, baseCheck, atRisk);

    /// <summary>θ of the intervention, or null when it has none.</summary>
    public static double? Theta(DsoIntervention intervention) => intervention switch
    {
        DsoIntervention.Block b => b.Theta,
        DsoIntervention.Incentive i => i.Theta,
        _ => null,
    };
}

/// <summary>
/// <see cref="DsoInterventions.Treat"/> prepared once for one intervention, PTDF, base state and at-risk set, for
/// markets that treat every seller → buyer pair (thousands per W re-solve): the at-risk lines' flow signs and PTDF
/// rows are looked up once, so a pair costs two array reads per at-risk line. Same arithmetic in the same order as
/// <see cref="DsoInterventions.Treat"/>, hence bit-identical factors.
/// </summary>
public sealed class PairTreatmentRule
{
    private readonly int _kind; // 0 none, 1 block, 2 incentive
    private readonly Ptdf _ptdf;
    private readonly int[] _lines;
    private readonly double[] _flowSign;
    private readonly double _relieveFactor, _aggravateFactor;

    internal PairTreatmentRule(DsoIntervention intervention, Ptdf ptdf, GridCheckResult baseCheck, IReadOnlyList<int> atRisk)
    {
        _ptdf = ptdf;
        _lines = atRisk.ToArray();
        _flowSign = _lines.Select(l => baseCheck.Lines[l].FlowMw is var f && f > 0 ? 1.0 : f < 0 ? -1.0 : 0.0).ToArray();
        switch (intervention)
        {
            case DsoIntervention.Block:
                _kind = 1;
                break;
            case DsoIntervention.Incentive incentive:
                _kind = 2;
                _relieveFactor = 1 - incentive.RewardShare * incentive.W;
                _aggravateFactor = 1 + incentive.W;
                break;
        }
    }

    /// <summary>The treatment of the pair (seller at bus index <paramref name="sellerBus"/>, buyer at <paramref name="buyerBus"/>).</summary>
    public PairTreatment Treat(int sellerBus, int buyerBus)
    {
        if (_kind == 0) return new PairTreatment(true, 1);
        double factor = 1;
        for (int a = 0; a < _lines.Length; a++)
        {
            // TradeFlowEffects.Effect, inlined: neutral below the tolerance or without base flow.
            var row = _ptdf.Row(_lines[a]);
            double s = row[sellerBus] - row[buyerBus];
            if (Math.Abs(s) <= TradeFlowEffects.SensitivityTolerance || _flowSign[a] == 0) continue;
            bool aggravates = _flowSign[a] * s > 0;
            if (_kind == 1)
            {
                if (aggravates) return new PairTreatment(false, 1);
            }
            else
            {
                factor *= aggravates ? _aggravateFactor : _relieveFactor;
            }
        }
        return new PairTreatment(true, factor);
    }
}
