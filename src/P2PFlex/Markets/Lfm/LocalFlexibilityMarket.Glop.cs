using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Google.OrTools.LinearSolver;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Lfm;

// The GLOP back end: the clearing and phase-1 models built from the one statement of the LP, solved by OR-Tools' GLOP.
public static partial class LocalFlexibilityMarket
{
    /// <summary>
    /// Weight of one p.u. of voltage violation against one MW of overflow in the phase-1 objective. Both only need to be
    /// driven to zero; 1 MW ≈ 1 p.u. keeps the two kinds of slack on the same scale for GLOP (S_V on a feeder is
    /// 1e-3…1e-1 p.u./MW).
    /// </summary>
    private const double Phase1VoltageWeightMwPerPu = 1.0;

    private static LfmResult SolveClearingLp(LfmProblem problem, LineBidSensitivity sensitivity, BoundedLp lp)
    {
        using Solver? solver = Solver.CreateSolver("GLOP");
        if (solver is null)
        {
            return Failure(problem, "Solver.CreateSolver(\"GLOP\") returned null: GLOP is not available in this OR-Tools build.");
        }

        var (x, rows) = BuildGlopModel(solver, problem, lp, phaseOne: false);
        var status = solver.Solve();
        switch (status)
        {
            case Solver.ResultStatus.OPTIMAL:
                var rowDuals = new double[sensitivity.LineCount];
                for (int l = 0; l < rowDuals.Length; l++)
                {
                    rowDuals[l] = rows[l].DualValue();
                }

                return OptimalResult(problem, sensitivity, lp, ReadActivations(problem.Bids, x), rowDuals, LfmSolvePath.LinearProgram);
            case Solver.ResultStatus.INFEASIBLE:
                return SolvePhaseOne(problem, sensitivity, lp, "GLOP");
            default:
                return Failure(problem, $"GLOP returned {status} for the clearing LP after {solver.Iterations()} iterations.");
        }
    }

    /// <summary>The phase-1 (least overflow) LP by GLOP, after <paramref name="infeasibleBy"/> (a solver's name, quoted if
    /// phase 1 disagrees) called the clearing LP infeasible.</summary>
    private static LfmResult SolvePhaseOne(
        LfmProblem problem, LineBidSensitivity sensitivity, BoundedLp lp, string infeasibleBy)
    {
        using Solver? solver = Solver.CreateSolver("GLOP");
        if (solver is null)
        {
            return Failure(problem, "Solver.CreateSolver(\"GLOP\") returned null for the phase-1 LP.");
        }

        var (x, _) = BuildGlopModel(solver, problem, lp, phaseOne: true);
        int lines = sensitivity.LineCount;
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL)
        {
            return Failure(problem,
                $"The clearing LP is infeasible, but GLOP returned {status} for the phase-1 (least overflow) LP after {solver.Iterations()} iterations.");
        }

        double[] activationMw = ReadActivations(problem.Bids, x);
        double[] flows = sensitivity.Flows(problem.BaseFlowMw, activationMw);
        double totalOverflowMw = 0.0;
        var overloaded = ImmutableArray.CreateBuilder<LineOverflow>();
        for (int l = 0; l < lines; l++)
        {
            double overflowMw = Math.Max(0.0, Math.Abs(flows[l]) - problem.LimitMw[l]);
            totalOverflowMw += overflowMw;
            if (overflowMw > problem.OverflowToleranceMw)
            {
                overloaded.Add(new LineOverflow(l, flows[l], overflowMw));
            }
        }

        var voltageViolations = new List<VoltageRowViolation>();
        if (problem.Voltage is { } voltage)
        {
            double[] v = Voltages(problem, lp, activationMw);
            for (int r = 0; r < v.Length; r++)
            {
                double outside = voltage.MinPu - v[r] > 0 ? voltage.MinPu - v[r] : Math.Max(0.0, v[r] - voltage.MaxPu);
                if (outside > voltage.TolerancePu)
                {
                    voltageViolations.Add(new VoltageRowViolation(r, v[r], outside));
                }
            }
        }

        if (overloaded.Count == 0 && voltageViolations.Count == 0)
        {
            // GLOP called the clearing LP infeasible yet phase 1 removes every overload: the two answers
            // disagree, so report that instead of an infeasibility we cannot substantiate.
            return Failure(problem,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{infeasibleBy} reported the clearing LP INFEASIBLE, but the phase-1 LP reaches a total overflow of only {totalOverflowMw:R} MW (within tolerance)."));
        }

        var infeasibility = new LfmInfeasibility(
            totalOverflowMw,
            overloaded.ToImmutable(),
            ToActivations(problem.Bids, activationMw),
            flows.ToImmutableArray(),
            voltageViolations);
        return Unpriced(problem, LfmStatus.Infeasible, LfmSolvePath.LinearProgram, costEur: null, infeasibility, null);
    }

    /// <summary>
    /// GLOP's model of <paramref name="lp"/> (<see cref="ClearingLp"/>): one variable per bid with its bounds, one ranged
    /// row per LP row with the same coefficients in the same order. The clearing LP minimises the bids' cost; the phase-1
    /// LP (<paramref name="phaseOne"/>) gives every line row and voltage row slacks s⁺, s⁻ ≥ 0
    /// (lower ≤ a x − s⁺ + s⁻ ≤ upper) and minimises their sum, voltage slacks weighted by
    /// <see cref="Phase1VoltageWeightMwPerPu"/>; the balance row gets none. Variables and rows are created in a fixed
    /// order (bids; line slacks, line rows; balance; voltage slacks, voltage rows) so GLOP sees the same model every time.
    /// </summary>
    private static (Variable[] X, Constraint[] Rows) BuildGlopModel(Solver solver, LfmProblem problem, BoundedLp lp, bool phaseOne)
    {
        solver.SuppressOutput();
        var x = new Variable[lp.ColumnCount];
        for (int b = 0; b < x.Length; b++)
        {
            x[b] = solver.MakeNumVar(lp.ColumnLower[b], lp.ColumnUpper[b], "");
        }

        // Phase-1 weight per row, in ClearingLp's row order: lines, the balance row (no slack), voltage rows.
        int lines = problem.LineCount, balanceRows = problem.RequireBalance ? 1 : 0;
        var weight = new double[lp.RowCount];
        for (int r = 0; r < weight.Length; r++)
        {
            weight[r] = r < lines ? 1.0 : r < lines + balanceRows ? 0.0 : Phase1VoltageWeightMwPerPu;
        }

        var rows = new Constraint[lp.RowCount];
        var slackUp = new Variable?[lp.RowCount];
        var slackDown = new Variable?[lp.RowCount];
        for (int start = 0; start < lp.RowCount;)
        {
            // A run of rows that all have slacks (or none): their slacks are created before the rows.
            int end = start;
            while (end < lp.RowCount && (weight[end] > 0.0) == (weight[start] > 0.0))
            {
                end++;
            }

            for (int r = start; r < end && phaseOne && weight[r] > 0.0; r++)
            {
                slackUp[r] = solver.MakeNumVar(0.0, double.PositiveInfinity, "");
                slackDown[r] = solver.MakeNumVar(0.0, double.PositiveInfinity, "");
            }

            for (int r = start; r < end; r++)
            {
                var row = solver.MakeConstraint(lp.RowLower[r], lp.RowUpper[r], "");
                for (int e = lp.RowStart[r]; e < lp.RowStart[r + 1]; e++)
                {
                    row.SetCoefficient(x[lp.ColumnIndex[e]], lp.Value[e]);
                }

                if (slackUp[r] is { } up && slackDown[r] is { } down)
                {
                    row.SetCoefficient(up, -1.0);
                    row.SetCoefficient(down, 1.0);
                }

                rows[r] = row;
            }

            start = end;
        }

        var objective = solver.Objective();
        for (int r = 0; r < rows.Length && phaseOne; r++)
        {
            if (slackUp[r] is { } up && slackDown[r] is { } down)
            {
                objective.SetCoefficient(up, weight[r]);
                objective.SetCoefficient(down, weight[r]);
            }
        }

        for (int b = 0; b < x.Length && !phaseOne; b++)
        {
            objective.SetCoefficient(x[b], lp.Cost[b]);
        }

        objective.SetMinimization();
        return (x, rows);
    }

    /// <summary>Reads the LP values, clamped to [0, V] to remove sub-tolerance excursions outside the bounds.</summary>
    private static double[] ReadActivations(IReadOnlyList<FlexBid> bids, Variable[] x)
    {
        var activationMw = new double[x.Length];
        for (int b = 0; b < x.Length; b++)
        {
            activationMw[b] = Math.Clamp(x[b].SolutionValue(), 0.0, bids[b].VolumeMw);
        }

        return activationMw;
    }

    /// <summary>
    /// Failures of the native OR-Tools layer (library missing or not loadable, SWIG-propagated native
    /// errors). Programming errors in this class are deliberately not caught.
    /// </summary>
    private static bool IsSolverInfrastructureFailure(Exception ex) =>
        ex is DllNotFoundException
            or EntryPointNotFoundException
            or BadImageFormatException
            or TypeInitializationException
            or ExternalException
            or ApplicationException;
}
