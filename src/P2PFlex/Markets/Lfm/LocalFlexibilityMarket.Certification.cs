using System.Collections.Immutable;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Lfm;

// Certification of an LP answer: flows, limits, voltages and duals recomputed from the activations before a result is reported.
public static partial class LocalFlexibilityMarket
{
    /// <summary>
    /// Flows may exceed the limit by this much (MW) in a solution GLOP calls optimal before we distrust
    /// it; GLOP's own primal feasibility tolerance is far tighter. Also the band within which a line
    /// counts as "at its limit" for the dual.
    /// </summary>
    private const double MinVerificationToleranceMw = 1e-7;

    /// <summary>The same for voltage rows (p.u.); GLOP's tolerances on rows of S_V's size are far below it.</summary>
    private const double MinVerificationTolerancePu = 1e-7;

    /// <summary>The checked result of an LP answer; <paramref name="lineRowDuals"/> holds per line the LP's row dual
    /// (∂cost/∂ of the row's binding side, GLOP's sign), <paramref name="path"/> says which solver answered.</summary>
    private static LfmResult OptimalResult(
        LfmProblem problem, LineBidSensitivity sensitivity, BoundedLp lp, double[] activationMw,
        ReadOnlySpan<double> lineRowDuals, LfmSolvePath path)
    {
        string solverName = path == LfmSolvePath.DualSimplex ? "the dual simplex" : "GLOP";
        double[] flows = sensitivity.Flows(problem.BaseFlowMw, activationMw);
        double tolerance = Math.Max(problem.OverflowToleranceMw, MinVerificationToleranceMw);

        // Trust but verify: GLOP works on a scaled model, so check the unscaled flows ourselves.
        for (int l = 0; l < flows.Length; l++)
        {
            double excess = Math.Abs(flows[l]) - problem.LimitMw[l];
            if (excess > tolerance)
            {
                return Failure(problem,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{solverName} reported OPTIMAL but the line of PTDF row {l} (0-based position among the problem's lines, not its line number) exceeds its limit by {excess:R} MW in the returned activation."));
            }
        }

        if (problem.Voltage is { } voltage)
        {
            double[] v = Voltages(problem, lp, activationMw);
            double voltageTolerance = Math.Max(voltage.TolerancePu, MinVerificationTolerancePu);
            for (int r = 0; r < v.Length; r++)
            {
                double outside = Math.Max(voltage.MinPu - v[r], v[r] - voltage.MaxPu);
                if (outside > voltageTolerance)
                {
                    return Failure(problem,
                        $"{solverName} reported OPTIMAL but voltage row {r} lies {outside:R} p.u. outside the band in the returned activation.");
                }
            }
        }

        var (upMw, downMw) = Totals(problem.Bids, activationMw);
        if (problem.RequireBalance && Math.Abs(upMw - downMw) > tolerance)
        {
            return Failure(problem,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{solverName} reported OPTIMAL but upward ({upMw:R} MW) and downward ({downMw:R} MW) totals differ."));
        }

        var duals = new double[flows.Length];
        for (int l = 0; l < flows.Length; l++)
        {
            duals[l] = LimitShadowPrice(lineRowDuals[l], flows[l], problem.LimitMw[l], tolerance);
        }

        double costEur = 0.0;
        for (int b = 0; b < activationMw.Length; b++)
        {
            costEur += problem.Bids[b].PriceEurPerMwh * activationMw[b] * problem.IntervalHours;
        }

        return new LfmResult(
            LfmStatus.Optimal,
            path,
            ToActivations(problem.Bids, activationMw),
            costEur,
            flows.ToImmutableArray(),
            duals.ToImmutableArray(),
            upMw,
            downMw,
            Infeasibility: null,
            SolverMessage: null);
    }

    /// <summary>
    /// Converts GLOP's row dual y = ∂objective/∂(active row bound) into the shadow price of the limit F:
    /// F enters the upper bound with +1 and the lower bound with −1, so −∂cost/∂F is −y on the upper side
    /// and +y on the lower side. Lines not within the tolerance band of their limit get exactly 0.
    /// </summary>
    private static double LimitShadowPrice(double rowDual, double flowMw, double limitMw, double toleranceMw)
    {
        if (Math.Abs(flowMw) < limitMw - toleranceMw)
        {
            return 0.0;
        }

        double shadow = flowMw >= 0.0 ? -rowDual : rowDual;

        // Relaxing a limit cannot raise the minimum cost, so only round-off can make this negative;
        // Math.Max also turns −0.0 into +0.0.
        return Math.Max(0.0, shadow);
    }
}
