using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Google.OrTools.LinearSolver;
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
public static class LocalFlexibilityMarket
{
    /// <summary>
    /// Flows may exceed the limit by this much (MW) in a solution GLOP calls optimal before we distrust
    /// it; GLOP's own primal feasibility tolerance is far tighter. Also the band within which a line
    /// counts as "at its limit" for the dual.
    /// </summary>
    private const double MinVerificationToleranceMw = 1e-7;

    /// <summary>The same for voltage rows (p.u.); GLOP's tolerances on rows of S_V's size are far below it.</summary>
    private const double MinVerificationTolerancePu = 1e-7;

    /// <summary>
    /// Weight of one p.u. of voltage violation against one MW of overflow in the phase-1 objective. Both only need to be
    /// driven to zero; 1 MW ≈ 1 p.u. keeps the two kinds of slack on the same scale for GLOP (S_V on a feeder is
    /// 1e-3…1e-1 p.u./MW).
    /// </summary>
    private const double Phase1VoltageWeightMwPerPu = 1.0;

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
        var voltageCoefficients = VoltageCoefficients(problem);
        var lp = ClearingLp(problem, sensitivity, voltageCoefficients);
        try
        {
            if (options.LpSolver == LfmLpSolver.DualSimplex)
            {
                var (result, provenInfeasible) = SolveWithDualSimplex(problem, sensitivity, voltageCoefficients, lp);
                if (result is not null)
                {
                    return result;
                }

                if (provenInfeasible)
                {
                    // Proven by a dual ray or a row out of reach; the phase-1 LP measures the least overflow and, by
                    // reaching a positive one, confirms it independently.
                    return SolvePhaseOne(problem, sensitivity, voltageCoefficients, lp, "the dual simplex");
                }
            }

            return SolveClearingLp(problem, sensitivity, voltageCoefficients, lp);
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
        LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients, BoundedLp lp)
    {
        var solution = BoundedDualSimplex.Solve(lp);
        if (solution.Status != BoundedLpStatus.Optimal)
        {
            return (null, solution.Status == BoundedLpStatus.Infeasible);
        }

        var result = OptimalResult(problem, sensitivity, voltageCoefficients, solution.X, solution.RowDual.AsSpan(0, sensitivity.LineCount), LfmSolvePath.DualSimplex);
        return (result.Status == LfmStatus.Optimal ? result : null, false);
    }

    /// <summary>
    /// The clearing LP as a <see cref="BoundedLp"/>: one column per bid (cost π_b, 0 ≤ x_b ≤ V_b); rows in the order lines,
    /// balance (if required), voltage rows, with the same sides as the GLOP model's rows.
    /// </summary>
    private static BoundedLp ClearingLp(LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients)
    {
        var bids = problem.Bids;
        int n = bids.Count, lines = sensitivity.LineCount;
        var cost = new double[n];
        var upper = new double[n];
        for (int b = 0; b < n; b++)
        {
            cost[b] = bids[b].PriceEurPerMwh;
            upper[b] = bids[b].VolumeMw;
        }

        var rowStart = new List<int>(lines + 2) { 0 };
        var column = new List<int>();
        var value = new List<double>();
        var lower = new List<double>();
        var upperSide = new List<double>();
        for (int l = 0; l < lines; l++)
        {
            column.AddRange(sensitivity.RowBidIndices(l));
            value.AddRange(sensitivity.RowMwPerMw(l));
            rowStart.Add(column.Count);
            lower.Add(-problem.LimitMw[l] - problem.BaseFlowMw[l]);
            upperSide.Add(problem.LimitMw[l] - problem.BaseFlowMw[l]);
        }

        if (problem.RequireBalance)
        {
            for (int b = 0; b < n; b++)
            {
                column.Add(b);
                value.Add(bids[b].Direction == BidDirection.Up ? 1.0 : -1.0);
            }

            rowStart.Add(column.Count);
            lower.Add(0.0);
            upperSide.Add(0.0);
        }

        if (problem.Voltage is { } voltage && voltageCoefficients is not null)
        {
            for (int r = 0; r < voltage.RowCount; r++)
            {
                for (int b = 0; b < n; b++)
                {
                    if (voltageCoefficients[r, b] == 0.0) continue;
                    column.Add(b);
                    value.Add(voltageCoefficients[r, b]);
                }

                rowStart.Add(column.Count);
                lower.Add(voltage.MinPu - voltage.OffsetPu[r]);
                upperSide.Add(voltage.MaxPu - voltage.OffsetPu[r]);
            }
        }

        return new BoundedLp(cost, new double[n], upper, rowStart.ToArray(), column.ToArray(), value.ToArray(), lower.ToArray(), upperSide.ToArray());
    }

    private static LfmResult SolveClearingLp(LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients, BoundedLp lp)
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

                return OptimalResult(problem, sensitivity, voltageCoefficients, ReadActivations(problem.Bids, x), rowDuals, LfmSolvePath.LinearProgram);
            case Solver.ResultStatus.INFEASIBLE:
                return SolvePhaseOne(problem, sensitivity, voltageCoefficients, lp, "GLOP");
            default:
                return Failure(problem, $"GLOP returned {status} for the clearing LP after {solver.Iterations()} iterations.");
        }
    }

    /// <summary>The checked result of an LP answer; <paramref name="lineRowDuals"/> holds per line the LP's row dual
    /// (∂cost/∂ of the row's binding side, GLOP's sign), <paramref name="path"/> says which solver answered.</summary>
    private static LfmResult OptimalResult(
        LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients, double[] activationMw,
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
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{solverName} reported OPTIMAL but line {l} exceeds its limit by {excess:R} MW in the returned activation."));
            }
        }

        if (problem.Voltage is { } voltage)
        {
            double[] v = Voltages(problem, voltageCoefficients!, activationMw);
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

    /// <summary>The phase-1 (least overflow) LP by GLOP, after <paramref name="infeasibleBy"/> (a solver's name, quoted if
    /// phase 1 disagrees) called the clearing LP infeasible.</summary>
    private static LfmResult SolvePhaseOne(
        LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients, BoundedLp lp, string infeasibleBy)
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
            double[] v = Voltages(problem, voltageCoefficients!, activationMw);
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

    /// <summary>
    /// C = S_V · A (voltage rows × bids): the |V| change of each row per MW of each bid's activation; null without
    /// voltage limits. Entries below <see cref="LineBidSensitivity.NoiseMwPerMw"/> are dropped as solve noise.
    /// </summary>
    private static double[,]? VoltageCoefficients(LfmProblem problem)
    {
        if (problem.Voltage is not { } voltage)
        {
            return null;
        }

        var s = voltage.SensitivityPuPerMw;
        var c = new double[voltage.RowCount, problem.Bids.Count];
        for (int r = 0; r < voltage.RowCount; r++)
        {
            for (int b = 0; b < problem.Bids.Count; b++)
            {
                double value = s[r, problem.Bids[b].BusIndex];
                if (Math.Abs(value) > LineBidSensitivity.NoiseMwPerMw)
                {
                    c[r, b] = problem.Bids[b].Direction == BidDirection.Up ? value : -value;
                }
            }
        }

        return c;
    }

    /// <summary>Linearised voltages V⁰ + C x per row, summed in bid order.</summary>
    private static double[] Voltages(LfmProblem problem, double[,] coefficients, double[] activationMw)
    {
        var voltage = problem.Voltage!;
        var v = new double[voltage.RowCount];
        for (int r = 0; r < v.Length; r++)
        {
            double sum = voltage.OffsetPu[r];
            for (int b = 0; b < activationMw.Length; b++)
            {
                sum += coefficients[r, b] * activationMw[b];
            }

            v[r] = sum;
        }

        return v;
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
