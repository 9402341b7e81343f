using System.Collections.Immutable;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Lfm;

/// <summary>
/// Clears a local flexibility market: the distribution system operator buys the cheapest set of
/// divisible up/down activations that brings every line within its thermal limit.
/// </summary>
/// <remarks>
/// <para>The LP, with x_b the activation of bid b (MW) and S = H·A the line-by-bid sensitivity
/// (A: +1 for up, −1 for down at the bid's bus):</para>
/// <code>
/// minimise   Σ_b π_b x_b                      (€/h; the reported cost is this times Δt)
/// subject to −F_l − f⁰_l ≤ Σ_b S_lb x_b ≤ F_l − f⁰_l   for every line l
///            Σ_up x_b − Σ_down x_b = 0                (only if RequireBalance)
///            0 ≤ x_b ≤ V_b
/// </code>
/// <para>Every line is constrained, not only the overloaded ones, so that relieving one line can never
/// push another over its limit. The objective is kept in €/h rather than € so the row duals come out
/// directly in €/MWh per MW whatever Δt is; Δt &gt; 0 does not change the minimiser.</para>
/// <para>If the LP is infeasible, a phase-1 LP with slacks s⁺_l, s⁻_l ≥ 0 on the two sides of every
/// limit (−F_l − f⁰_l ≤ S_l x − s⁺_l + s⁻_l ≤ F_l − f⁰_l, minimise Σ(s⁺ + s⁻)) measures the least
/// total overflow reachable with the same bids and balance option.</para>
/// <para>The clearing LP is solved by our own <see cref="BoundedDualSimplex"/> (exact, certified, a few microseconds
/// for the study's market because only violated lines enter its working set); when it reports the LP infeasible or
/// cannot certify its answer, GLOP (single-threaded simplex, fixed default seed) solves the LP again on a model built in
/// a fixed order and, if infeasible, the phase-1 LP. <see cref="LfmOptions.LpSolver"/> can ask for GLOP alone. All
/// reported numbers are recomputed from the activations in a fixed order, so the same input gives bit-identical
/// output.</para>
/// </remarks>
public static partial class LocalFlexibilityMarket
{
    /// <summary>Clears the market. Never throws for an infeasible order book; throws only for bad input.</summary>
    /// <param name="problem">The market; validated first.</param>
    /// <param name="options">Solve options; <see cref="LfmOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">A field of <paramref name="problem"/> is malformed; ParamName names it.</exception>
    public static LfmResult Clear(LfmProblem problem, LfmOptions? options = null)
    {
        LfmValidation.Validate(problem);
        options ??= LfmOptions.Default;

        if (options.SkipLpWhenUncongested && ZeroActivationIsOptimal(problem))
        {
            return Unpriced(problem, LfmStatus.Optimal, LfmSolvePath.FastPathUncongested, costEur: 0.0, null, null);
        }

        // One statement of the LP for both solvers: the dual simplex reads it directly, GLOP's models are built from it.
        var sensitivity = LineBidSensitivity.Build(problem);
        var lp = ClearingLp(problem, sensitivity);
        try
        {
            if (options.LpSolver == LfmLpSolver.DualSimplex)
            {
                var (result, provenInfeasible) = SolveWithDualSimplex(problem, sensitivity, lp);
                if (result is not null)
                {
                    return result;
                }

                if (provenInfeasible)
                {
                    // Proven by a dual ray or a row out of reach; the phase-1 LP measures the least overflow and, by
                    // reaching a positive one, confirms it independently.
                    return SolvePhaseOne(problem, sensitivity, lp, "the dual simplex");
                }
            }

            return SolveClearingLp(problem, sensitivity, lp);
        }
        catch (Exception ex) when (IsSolverInfrastructureFailure(ex))
        {
            return Failure(problem, $"OR-Tools/GLOP could not be used: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// True when no line exceeds its limit by more than the tolerance and no bid pays the DSO to be
    /// activated; then x = 0 is feasible (also for the balance row) and costs 0, which no feasible x with
    /// non-negative prices can undercut, so the LP can be skipped.
    /// </summary>
    private static bool ZeroActivationIsOptimal(LfmProblem problem)
    {
        for (int l = 0; l < problem.LimitMw.Length; l++)
        {
            if (Math.Abs(problem.BaseFlowMw[l]) > problem.LimitMw[l] + problem.OverflowToleranceMw)
            {
                return false;
            }
        }

        foreach (var bid in problem.Bids)
        {
            if (bid.PriceEurPerMwh < 0.0)
            {
                return false;
            }
        }

        if (problem.Voltage is { } voltage)
        {
            foreach (double v in voltage.OffsetPu)
            {
                if (v < voltage.MinPu - voltage.TolerancePu || v > voltage.MaxPu + voltage.TolerancePu)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The clearing LP by <see cref="BoundedDualSimplex"/>: the result when it is optimal and passes the same checks as
    /// GLOP's; otherwise no result, and whether the LP was proven infeasible (the phase-1 LP follows) or the answer
    /// could not be certified (GLOP solves the clearing LP).
    /// </summary>
    private static (LfmResult? Result, bool ProvenInfeasible) SolveWithDualSimplex(
        LfmProblem problem, LineBidSensitivity sensitivity, BoundedLp lp)
    {
        var solution = BoundedDualSimplex.Solve(lp);
        if (solution.Status != BoundedLpStatus.Optimal)
        {
            return (null, solution.Status == BoundedLpStatus.Infeasible);
        }

        var result = OptimalResult(problem, sensitivity, lp, solution.X, solution.RowDual.AsSpan(0, sensitivity.LineCount), LfmSolvePath.DualSimplex);
        return (result.Status == LfmStatus.Optimal ? result : null, false);
    }

    private static (double UpMw, double DownMw) Totals(IReadOnlyList<FlexBid> bids, double[] activationMw)
    {
        double upMw = 0.0;
        double downMw = 0.0;
        for (int b = 0; b < activationMw.Length; b++)
        {
            if (bids[b].Direction == BidDirection.Up)
            {
                upMw += activationMw[b];
            }
            else
            {
                downMw += activationMw[b];
            }
        }

        return (upMw, downMw);
    }

    private static ImmutableArray<BidActivation> ToActivations(IReadOnlyList<FlexBid> bids, double[] activationMw)
    {
        var builder = ImmutableArray.CreateBuilder<BidActivation>(bids.Count);
        for (int b = 0; b < bids.Count; b++)
        {
            builder.Add(new BidActivation(bids[b].Id, bids[b].Direction, activationMw[b]));
        }

        return builder.MoveToImmutable();
    }

    private static LfmResult Failure(LfmProblem problem, string message) =>
        Unpriced(problem, LfmStatus.SolverFailure, LfmSolvePath.LinearProgram, costEur: null, null, message);

    /// <summary>A result with nothing activated: base flows, zero duals and totals.</summary>
    private static LfmResult Unpriced(
        LfmProblem problem,
        LfmStatus status,
        LfmSolvePath path,
        double? costEur,
        LfmInfeasibility? infeasibility,
        string? message) =>
        new(
            status,
            path,
            ToActivations(problem.Bids, new double[problem.Bids.Count]),
            costEur,
            problem.BaseFlowMw.ToImmutableArray(),
            new double[problem.LimitMw.Length].ToImmutableArray(),
            UpwardTotalMw: 0.0,
            DownwardTotalMw: 0.0,
            infeasibility,
            message);
}
