using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using P2PFlex.Grid;

namespace P2PFlex.Interventions;

/// <summary>The kinds of <see cref="DsoIntervention"/> (a scenario file's <c>intervention.kind</c>; its words are
/// <c>ScenarioWords.Intervention</c>).</summary>
public enum InterventionKind
{
    None,
    Block,
    Incentive,
}

/// <summary>What the DSO does to the P2P market before it clears (MODEL §6).</summary>
public abstract record DsoIntervention
{
    /// <summary>Which kind of intervention this is.</summary>
    public abstract InterventionKind Kind { get; }

    /// <summary>Scenario 0/1: the P2P market runs unchecked.</summary>
    public sealed record None : DsoIntervention
    {
        public override InterventionKind Kind => InterventionKind.None;
    }

    /// <summary>Scenario 2: a pair whose trade aggravates any at-risk line (base loading ≥ θ) may not trade.</summary>
    public sealed record Block(double Theta) : DsoIntervention
    {
        public override InterventionKind Kind => InterventionKind.Block;
    }

    /// <summary>
    /// Scenario 3: for every at-risk line, a pair whose trade relieves it has its preference costs multiplied by
    /// (1 − W) and one that aggravates it by (1 + W); a pair touching several at-risk lines is updated once per line.
    /// <paramref name="RewardShare"/> scales the reward: relieving pairs get (1 − RewardShare·W). The study's rule is
    /// symmetric (RewardShare = 1, the default); 0 gives a penalty-only variant (MODEL §9 suggests trying one).
    /// </summary>
    public sealed record Incentive(double Theta, double W, double RewardShare = 1.0) : DsoIntervention
    {
        public override InterventionKind Kind => InterventionKind.Incentive;
    }

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
    /// The treatment of one pair: its effect on each at-risk line decides blocking (any aggravated line) or the product
    /// of (1 ∓ W) factors over the at-risk lines it relieves or aggravates. The rule itself is
    /// <see cref="PairTreatmentRule"/> (one implementation); this prepares it for a single pair.
    /// </summary>
    public static PairTreatment Treat(DsoIntervention intervention, Ptdf ptdf, GridCheckResult baseCheck, IReadOnlyList<int> atRisk,
        int sellerBus, int buyerBus) =>
        Compile(intervention, ptdf, baseCheck, atRisk).Treat(sellerBus, buyerBus);

    /// <summary>The DSO's rule for the pairs of one market (<see cref="PairTreatmentRule"/>), prepared once.</summary>
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
/// The DSO's intervention rule for seller → buyer pairs (MODEL §6), prepared once for one intervention, PTDF, base
/// state and at-risk set: per at-risk line, a pair's trade aggravates it when the line's base flow and the trade's
/// sensitivity H_l,seller − H_l,buyer have the same sign, relieves it when they differ, and is neutral when the
/// sensitivity is within <see cref="TradeFlowEffects.SensitivityTolerance"/> or the line carries no base flow (as
/// <see cref="TradeFlowEffects.Effect"/> states it). Blocking refuses a pair that aggravates any at-risk line;
/// incentives multiply its preference costs by (1 + W) per aggravated and (1 − reward_share·W) per relieved line, in
/// the at-risk set's order. The flow signs and PTDF rows are looked up once, so a pair costs two array reads per
/// at-risk line (markets treat thousands of pairs per W re-solve).
/// </summary>
public sealed class PairTreatmentRule
{
    private readonly int _kind; // 0 none, 1 block, 2 incentive
    // The at-risk lines that carry base flow, in the at-risk set's order (a line without base flow is neutral for
    // every pair, so leaving it out changes no product), their flow signs, and their PTDF entries by bus:
    // _sensitivityByBus[bus * L + a] = H[line a, bus], so a pair reads two contiguous runs.
    private readonly int _lineCount;
    private readonly double[] _flowSign;
    private readonly double[] _sensitivityByBus;
    private readonly double _relieveFactor, _aggravateFactor;

    internal PairTreatmentRule(DsoIntervention intervention, Ptdf ptdf, GridCheckResult baseCheck, IReadOnlyList<int> atRisk)
    {
        var lines = atRisk.Where(l => baseCheck.Lines[l].FlowMw is > 0 or < 0).ToArray();
        _lineCount = lines.Length;
        _flowSign = lines.Select(l => baseCheck.Lines[l].FlowMw > 0 ? 1.0 : -1.0).ToArray();
        _sensitivityByBus = new double[ptdf.BusCount * _lineCount];
        for (int a = 0; a < _lineCount; a++)
        {
            var row = ptdf.Row(lines[a]);
            for (int bus = 0; bus < row.Length; bus++) _sensitivityByBus[bus * _lineCount + a] = row[bus];
        }
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
        var seller = _sensitivityByBus.AsSpan(sellerBus * _lineCount, _lineCount);
        var buyer = _sensitivityByBus.AsSpan(buyerBus * _lineCount, _lineCount);
        var flowSign = _flowSign.AsSpan(0, _lineCount);
        for (int a = 0; a < seller.Length; a++)
        {
            // TradeFlowEffects.Effect, inlined: neutral below the tolerance (lines without base flow are left out).
            double s = seller[a] - buyer[a];
            if (Math.Abs(s) <= TradeFlowEffects.SensitivityTolerance) continue;
            bool aggravates = flowSign[a] * s > 0;
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

    /// <summary>
    /// The treatments of every seller → buyer pair of a market at once, seller-major: entry s·B + b (B =
    /// <paramref name="buyerBuses"/>.Length) is <see cref="Treat"/>(<paramref name="sellerBuses"/>[s],
    /// <paramref name="buyerBuses"/>[b]), bit for bit. Four buyers run side by side (a 256-bit lane each, the buyers'
    /// PTDF entries laid out line by line): the same subtraction and comparisons per line, and where <see cref="Treat"/>
    /// skips a neutral line the lane multiplies its factor by 1, which is exact; the factors are still multiplied in the
    /// at-risk set's order. Per pair the scalar rule branches on each line's effect (a dense market has ~10⁵ pairs).
    /// </summary>
    public void TreatAll(ReadOnlySpan<int> sellerBuses, ReadOnlySpan<int> buyerBuses, Span<bool> allowed, Span<double> factor)
    {
        int sellers = sellerBuses.Length, buyers = buyerBuses.Length, lines = _lineCount;
        if (allowed.Length < sellers * buyers || factor.Length < sellers * buyers)
            throw new ArgumentException($"{sellers} × {buyers} pairs need that many entries in allowed and factor");
        int b0 = 0;
        if (_kind != 0 && lines > 0 && Vector256.IsHardwareAccelerated && buyers >= 4)
        {
            var byLine = new double[lines * buyers];
            for (int b = 0; b < buyers; b++)
            {
                var row = _sensitivityByBus.AsSpan(buyerBuses[b] * lines, lines);
                for (int a = 0; a < lines; a++) byLine[a * buyers + b] = row[a];
            }
            ref double h = ref MemoryMarshal.GetArrayDataReference(byLine);
            var one = Vector256.Create(1.0);
            var zero = Vector256<double>.Zero;
            var tolerance = Vector256.Create(TradeFlowEffects.SensitivityTolerance);
            var aggravate = Vector256.Create(_aggravateFactor);
            var relieve = Vector256.Create(_relieveFactor);
            b0 = buyers - buyers % 4;
            bool block = _kind == 1;
            for (int s = 0; s < sellers; s++)
            {
                var seller = _sensitivityByBus.AsSpan(sellerBuses[s] * lines, lines);
                for (int b = 0; b < b0; b += 4)
                {
                    var f = one;
                    var blocked = zero;
                    for (int a = 0; a < lines; a++)
                    {
                        var sensitivity = Vector256.Create(seller[a]) - Vector256.LoadUnsafe(ref h, (nuint)(a * buyers + b));
                        // Not neutral: !(|s| <= tolerance), as the scalar test skips.
                        var counted = ~Vector256.LessThanOrEqual(Vector256.Abs(sensitivity), tolerance);
                        var aggravates = Vector256.GreaterThan(Vector256.Create(_flowSign[a]) * sensitivity, zero) & counted;
                        if (block) blocked |= aggravates;
                        else f *= Vector256.ConditionalSelect(counted, Vector256.ConditionalSelect(aggravates, aggravate, relieve), one);
                    }
                    int at = s * buyers + b;
                    for (int l = 0; l < 4; l++)
                    {
                        allowed[at + l] = blocked.AsUInt64().GetElement(l) == 0; // never aggravated an at-risk line (always so for incentives)
                        factor[at + l] = f.GetElement(l);
                    }
                }
            }
        }
        for (int s = 0; s < sellers; s++)
            for (int b = b0; b < buyers; b++)
            {
                var t = Treat(sellerBuses[s], buyerBuses[b]);
                allowed[s * buyers + b] = t.Allowed;
                factor[s * buyers + b] = t.PreferenceFactor;
            }
    }
}
