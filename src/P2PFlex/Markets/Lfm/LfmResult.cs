using System.Collections.Immutable;

namespace P2PFlex.Markets.Lfm;

/// <summary>Outcome of a clearing.</summary>
public enum LfmStatus
{
    /// <summary>A cost-minimal activation that respects every line limit was found.</summary>
    Optimal,

    /// <summary>
    /// No activation of the order book removes all overloads; see <see cref="LfmResult.Infeasibility"/>
    /// for how close the book can get.
    /// </summary>
    Infeasible,

    /// <summary>The LP solver was unavailable or did not return a usable answer; see <see cref="LfmResult.SolverMessage"/>.</summary>
    SolverFailure,

    /// <summary>
    /// No LFM was run: a market design took responsibility for the grid itself (the study's CM3 variation 1, CM5).
    /// Nothing is activated and nothing is paid (cost 0); the market never returns this status itself.
    /// </summary>
    NotRun,
}

/// <summary>Which route produced the result, so callers and tests can tell the fast path from the LP.</summary>
public enum LfmSolvePath
{
    /// <summary>No line was overloaded and no price was negative: zero activation returned without an LP.</summary>
    FastPathUncongested,

    /// <summary>GLOP answered: the phase-1 LP of an infeasible market, or the clearing LP (when asked for GLOP, or when the
    /// dual simplex could not certify its answer).</summary>
    LinearProgram,

    /// <summary>The clearing LP was solved (optimal, certified) by our bounded dual simplex.</summary>
    DualSimplex,

    /// <summary>No LFM was run (<see cref="LfmStatus.NotRun"/>).</summary>
    NotRun,
}

/// <summary>Activation of one bid, self-describing so results need no index bookkeeping.</summary>
/// <param name="BidId">Id of the bid.</param>
/// <param name="Direction">Direction of the bid.</param>
/// <param name="ActivatedMw">Accepted activation, MW, within [0, volume].</param>
public sealed record BidActivation(string BidId, BidDirection Direction, double ActivatedMw);

/// <summary>A line that stays above its limit in the least-overflow (phase-1) solution.</summary>
/// <param name="LineIndex">Zero-based row index into the PTDF matrix.</param>
/// <param name="FlowMw">Phase-1 flow on the line (signed, MW).</param>
/// <param name="ResidualOverflowMw">|flow| − limit, MW, &gt; tolerance.</param>
public sealed record LineOverflow(int LineIndex, double FlowMw, double ResidualOverflowMw);

/// <summary>
/// Diagnosis of an infeasible market: the smallest total overflow the order book can reach.
/// </summary>
/// <remarks>
/// Comes from a phase-1 LP with the same bids, bounds and balance option in which every line limit
/// may be exceeded by a non-negative slack and Σ slack is minimised. Only the total is unique; the
/// phase-1 activation is one minimiser, chosen without regard to bid prices, and is not a market
/// outcome (nothing is paid for it).
/// </remarks>
/// <param name="LeastTotalOverflowMw">Minimum of Σ_l max(0, |f_l| − F_l), MW.</param>
/// <param name="OverloadedLines">Lines still overloaded in the phase-1 solution, ascending line index.</param>
/// <param name="Phase1Activations">The phase-1 activation per bid, in order-book order.</param>
/// <param name="Phase1FlowMw">Flows per line under the phase-1 activation, MW.</param>
/// <param name="VoltageViolations">With voltage limits: rows (buses) still outside the band in the phase-1 solution,
/// ascending row index; empty otherwise.</param>
public sealed record LfmInfeasibility(
    double LeastTotalOverflowMw,
    ImmutableArray<LineOverflow> OverloadedLines,
    ImmutableArray<BidActivation> Phase1Activations,
    ImmutableArray<double> Phase1FlowMw,
    IReadOnlyList<VoltageRowViolation>? VoltageViolations = null);

/// <summary>A voltage row (bus) that stays outside the band in the least-violation (phase-1) solution.</summary>
/// <param name="Row">Row index of <see cref="LinearVoltageLimits"/> (the bus's column in the PTDF).</param>
/// <param name="VoltagePu">Linearised |V| in the phase-1 solution.</param>
/// <param name="ResidualViolationPu">How far it lies outside the band, p.u., &gt; tolerance.</param>
public sealed record VoltageRowViolation(int Row, double VoltagePu, double ResidualViolationPu);

/// <summary>
/// Result of <see cref="LocalFlexibilityMarket.Clear"/>. When the status is not
/// <see cref="LfmStatus.Optimal"/> nothing is cleared: all activations are zero, flows are the base
/// flows, duals and totals are zero and <see cref="CostEur"/> is null, so an infeasible market can never
/// be mistaken for a priced one.
/// </summary>
/// <param name="Status">Outcome.</param>
/// <param name="Path">Fast path or LP.</param>
/// <param name="Activations">Activation per bid, in order-book order.</param>
/// <param name="CostEur">Σ π x Δt in €, null unless <see cref="LfmStatus.Optimal"/>.</param>
/// <param name="PostLfmFlowMw">f⁰ + H Δp per line, MW.</param>
/// <param name="LineLimitDualEurPerMwhPerMw">
/// Shadow price of each line's thermal limit: the decrease of the activation cost rate (€/h, i.e.
/// €/MWh per MW) per MW of extra limit F_l. Non-negative by construction (relaxing a limit never makes
/// clearing dearer); which side binds follows from the sign of <see cref="PostLfmFlowMw"/>. Zero for lines
/// not at their limit. Derived from GLOP's row dual y_l = ∂objective/∂(active row bound):
/// μ_l = −y_l when the upper side f ≤ F binds, μ_l = +y_l when the lower side f ≥ −F binds. Under
/// degeneracy the duals are one valid choice among several.
/// </param>
/// <param name="UpwardTotalMw">Σ activation of up bids, MW.</param>
/// <param name="DownwardTotalMw">Σ activation of down bids, MW.</param>
/// <param name="Infeasibility">Phase-1 diagnosis, only when <see cref="LfmStatus.Infeasible"/>.</param>
/// <param name="SolverMessage">What went wrong, only when <see cref="LfmStatus.SolverFailure"/>.</param>
public sealed record LfmResult(
    LfmStatus Status,
    LfmSolvePath Path,
    ImmutableArray<BidActivation> Activations,
    double? CostEur,
    ImmutableArray<double> PostLfmFlowMw,
    ImmutableArray<double> LineLimitDualEurPerMwhPerMw,
    double UpwardTotalMw,
    double DownwardTotalMw,
    LfmInfeasibility? Infeasibility,
    string? SolverMessage)
{
    /// <summary>The result that stands for "no LFM ran" (<see cref="LfmStatus.NotRun"/>): nothing activated, cost 0,
    /// flows unchanged.</summary>
    public static LfmResult NotRun(IEnumerable<double> flowMw)
    {
        var flows = flowMw.ToImmutableArray();
        return new LfmResult(LfmStatus.NotRun, LfmSolvePath.NotRun, [], 0.0, flows,
            new double[flows.Length].ToImmutableArray(), 0, 0, null, null);
    }
}
