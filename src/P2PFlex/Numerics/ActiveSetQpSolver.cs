namespace P2PFlex.Numerics;

/// <summary>
/// Primal active-set method for a <see cref="SeparableQp"/> from a feasible start (Nocedal and Wright, Numerical
/// Optimization, algorithm 16.3). Each step solves the equality-constrained problem of the current working set in
/// closed form (the objective is diagonal, so only the Schur complement A Q⁻¹ Aᵀ of the working rows is factorised),
/// moves as far as feasibility allows and adds the blocking constraint, or, at a stationary point, drops the constraint
/// whose multiplier has the wrong sign. It ends at the exact minimiser (up to rounding) in finitely many steps, which
/// is why the auctions use it rather than a first-order QP method: their prices are the multipliers, and a checker
/// recomputes every KKT condition from them.
/// <para>
/// Degeneracy. When the working set pins the point (as many independent working constraints as free variables, common
/// when there are more rows than variables), the step is zero in exact arithmetic, but rounding in an ill-conditioned
/// Schur complement can leave |p| just above <c>StepTolerance</c>: the classical rules then take full, unblocked
/// "steps" of rounding noise, possibly for ever, and never reach the multiplier test. Whether such a run ends is a
/// matter of luck (runs of 2 000 steps that end are seen), so no count of noise steps proves a stall. The solver
/// therefore runs the classical rules for their whole iteration budget, exactly as before (a program they finish gives
/// the same iterates, bit for bit), and only if that budget runs out continues from where it stands, with a second
/// budget, under anti-cycling rules: a full unblocked step has reached the working set's minimiser by construction (so
/// the next iteration goes straight to the multiplier test), and Bland's smallest-index rule picks the constraint to drop
/// among the wrong-sign multipliers and the constraint to add among those blocking a zero-length step.
/// </para>
/// <para>
/// The rows are read once into sparse form (a PTDF row of a radial feeder is non-zero only for the peers downstream of
/// its line), the Schur complement is accumulated column by column over the free variables' non-zeros, and the factor
/// computed when a constraint joins the working set (the independence test) is the one the next step solves with.
/// Every sum still runs over the same terms in the same order as with dense rows (only exact zeros are skipped), so the
/// iterates are those of the dense method; on case533mt_hi (626 peers, 533 rows, ~1600 steps) this is what makes CM3
/// take tenths of a second rather than seconds.
/// </para>
/// </summary>
public static partial class ActiveSetQpSolver
{
    /// <summary>A start may violate a constraint by this much (rounding of an LP's vertex).</summary>
    public const double FeasibilityTolerance = 1e-7;

    private const double StepTolerance = 1e-13;
    private const double RelativeDirectionTolerance = 1e-10;
    private const double DualTolerance = 1e-10;
    private const double PivotTolerance = 1e-12;

    private enum Kind { LowerBound, UpperBound, RowLower, RowUpper }

    /// <summary>Solves from <paramref name="start"/>, which must satisfy every bound and row within
    /// <see cref="FeasibilityTolerance"/> (bounds are enforced by clamping it).</summary>
    /// <param name="qp">The program.</param>
    /// <param name="start">A feasible start.</param>
    /// <param name="maxIterations">Budget of each phase (classical, then anti-cycling); 0 for 20 (n + m) + 100.</param>
    public static QpSolution Solve(SeparableQp qp, ReadOnlySpan<double> start, int maxIterations = 0)
    {
        qp.Validate();
        int n = qp.VariableCount, m = qp.RowCount;
        if (start.Length != n) throw new ArgumentException($"start must have {n} entries", nameof(start));
        var rows = new SparseRows(qp);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(start[i], qp.Lower[i], qp.Upper[i]);
        for (int r = 0; r < m; r++)
        {
            double v = rows.Dot(r, x);
            if (v < qp.RowLower[r] - FeasibilityTolerance || v > qp.RowUpper[r] + FeasibilityTolerance)
                throw new ArgumentException($"the start violates row {r}: {v} not in [{qp.RowLower[r]}, {qp.RowUpper[r]}]", nameof(start));
        }
        if (maxIterations <= 0) maxIterations = 20 * (n + m) + 100;

        // Working set: which variables are fixed at a bound, which rows are held at a side, and the Cholesky factor of
        // its Schur complement (null when the working rows are linearly dependent, an error the next step reports).
        var fixedAt = new Kind?[n];
        var rowAt = new Kind?[m];
        var workingRows = new List<int>();
        var schur = new SchurUpdates(qp, rows, fixedAt, workingRows);
        WorkingFactor? factor = WorkingFactor.Empty;
        for (int r = 0; r < m; r++)
            if (qp.RowLower[r] == qp.RowUpper[r])
            {
                rowAt[r] = Kind.RowUpper;
                factor = factor is null ? null : schur.Appended(factor, r);
                workingRows.Add(r);
            }
        // Add the bounds active at the start while the working set stays linearly independent.
        for (int i = 0; i < n && factor is not null; i++)
        {
            Kind? k = x[i] <= qp.Lower[i] ? Kind.LowerBound : x[i] >= qp.Upper[i] ? Kind.UpperBound : null;
            if (k is null) continue;
            fixedAt[i] = k;
            var changed = schur.VariableChanged(factor, i);
            if (changed is null) fixedAt[i] = null; else factor = changed;
        }

        var rowDual = new double[m];
        var boundDual = new double[n];
        var p = new double[n];
        var g = new double[n];
        var sum = new double[n];
        var rowSlope = new double[m];
        var rowScale = new double[m];
        // Phase 1 (it < maxIterations): the classical rules. Phase 2: the anti-cycling rules (see the class summary).
        bool antiCycling = false;
        bool atWorkingMinimiser = false;
        int budget = maxIterations > int.MaxValue / 2 ? int.MaxValue : 2 * maxIterations;
        int it = 0;
        for (; it < budget; it++)
        {
            if (factor is null) throw new InvalidOperationException("active-set QP: the working rows became linearly dependent");
            if (it == maxIterations) antiCycling = true;
            for (int i = 0; i < n; i++) g[i] = qp.Quadratic[i] * x[i] + qp.Linear[i];
            var lambda = SolveEqp(qp, rows, fixedAt, workingRows, factor, g, p, sum);
            double pNorm = 0;
            for (int i = 0; i < n; i++) pNorm = Math.Max(pNorm, Math.Abs(p[i]) / (1 + Math.Abs(x[i])));
            if (pNorm <= StepTolerance || (antiCycling && atWorkingMinimiser))
            {
                // Stationary on the working set: the multipliers decide whether to stop or drop one.
                Array.Clear(rowDual);
                for (int w = 0; w < workingRows.Count; w++) rowDual[workingRows[w]] = lambda[w];
                Array.Copy(g, sum, n);
                for (int w = 0; w < workingRows.Count; w++)
                {
                    var idx = rows.Index[workingRows[w]];
                    var val = rows.Value[workingRows[w]];
                    for (int k = 0; k < idx.Length; k++) sum[idx[k]] += lambda[w] * val[k];
                }
                for (int i = 0; i < n; i++) boundDual[i] = fixedAt[i] is null ? 0 : sum[i];
                // Most negative "wrong-sign" multiplier, scaled by its constraint's norm; under the anti-cycling rules
                // (Bland) the wrong-sign constraint of smallest index, variables before rows.
                double worst = -DualTolerance;
                int dropVar = -1, dropRow = -1;
                for (int i = 0; i < n; i++)
                {
                    if (fixedAt[i] is not Kind k || qp.Lower[i] == qp.Upper[i]) continue;
                    double signed = k == Kind.LowerBound ? boundDual[i] : -boundDual[i];
                    if (signed < worst && !(antiCycling && dropVar >= 0)) { worst = signed; dropVar = i; dropRow = -1; }
                }
                foreach (int r in workingRows)
                {
                    if (qp.RowLower[r] == qp.RowUpper[r]) continue;
                    double signed = (rowAt[r] == Kind.RowUpper ? rowDual[r] : -rowDual[r]) / Math.Max(rows.Norm[r], 1e-300);
                    if (!antiCycling) { if (signed < worst) { worst = signed; dropRow = r; dropVar = -1; } }
                    else if (signed < -DualTolerance && dropVar < 0 && (dropRow < 0 || r < dropRow)) dropRow = r;
                }
                if (dropVar < 0 && dropRow < 0)
                {
                    for (int i = 0; i < n; i++) if (fixedAt[i] is Kind k) x[i] = k == Kind.LowerBound ? qp.Lower[i] : qp.Upper[i];
                    return new QpSolution(QpStatus.Optimal, x, rowDual, boundDual, it + 1);
                }
                atWorkingMinimiser = false;
                if (dropVar >= 0)
                {
                    fixedAt[dropVar] = null;
                    factor = schur.VariableChanged(factor, dropVar);
                }
                else
                {
                    rowAt[dropRow] = null;
                    int position = workingRows.IndexOf(dropRow);
                    workingRows.RemoveAt(position);
                    factor = SchurUpdates.Removed(factor, position);
                }
                continue;
            }

            // Longest feasible step along p, at most 1; the first blocking constraint joins the working set. A candidate
            // that would make the working set dependent changes only by rounding along p (it is a combination of working
            // constraints), so it is skipped rather than added. The independence test's factor is the next step's.
            double pMax = 0;
            for (int i = 0; i < n; i++) pMax = Math.Max(pMax, Math.Abs(p[i]));
            HashSet<int>? skipped = null;
            // a_r·p and Σ|a_r,k p_k| of every row outside the working set, once per step: p stays while candidates are
            // tried, and the scan's sums are independent, so two rows run side by side (each sum in its own order).
            RowSlopes(rows, rowAt, p, rowSlope, rowScale);
            double alpha;
            Kind blockKind;
            int block;
            WorkingFactor? blockFactor = null;
            while (true)
            {
                alpha = 1;
                blockKind = default;
                block = -1;
                // Under the anti-cycling rules a zero-length step adds the blocking constraint of smallest index: the scans
                // run in index order, so that is the first candidate whose limit is at most 0.
                bool zeroStepTaken = false;
                for (int i = 0; i < n && !zeroStepTaken; i++)
                {
                    if (fixedAt[i] is not null || Math.Abs(p[i]) <= RelativeDirectionTolerance * pMax || (skipped?.Contains(i) ?? false)) continue;
                    double limit = p[i] < 0 ? (qp.Lower[i] - x[i]) / p[i] : (qp.Upper[i] - x[i]) / p[i];
                    if (limit < alpha) { alpha = Math.Max(0, limit); block = i; blockKind = p[i] < 0 ? Kind.LowerBound : Kind.UpperBound; }
                    zeroStepTaken = antiCycling && limit <= 0;
                }
                for (int r = 0; r < m && !zeroStepTaken; r++)
                {
                    if (rowAt[r] is not null || (skipped?.Contains(n + r) ?? false)) continue;
                    var idx = rows.Index[r];
                    var val = rows.Value[r];
                    double ap = rowSlope[r], v = 0;
                    if (Math.Abs(ap) <= RelativeDirectionTolerance * rowScale[r]) continue;
                    for (int k = 0; k < idx.Length; k++) v += val[k] * x[idx[k]];
                    double limit = ap < 0 ? (qp.RowLower[r] - v) / ap : (qp.RowUpper[r] - v) / ap;
                    if (double.IsInfinity(limit)) continue;
                    if (limit < alpha) { alpha = Math.Max(0, limit); block = n + r; blockKind = ap < 0 ? Kind.RowLower : Kind.RowUpper; }
                    zeroStepTaken = antiCycling && limit <= 0;
                }
                if (block < 0) break;
                if (block < n)
                {
                    fixedAt[block] = blockKind;
                    blockFactor = schur.VariableChanged(factor, block);
                    fixedAt[block] = null;
                }
                else blockFactor = schur.Appended(factor, block - n);
                if (blockFactor is not null) break;
                (skipped ??= new HashSet<int>()).Add(block);
            }
            for (int i = 0; i < n; i++) x[i] += alpha * p[i];
            atWorkingMinimiser = block < 0;
            if (block >= 0)
            {
                if (block < n) { fixedAt[block] = blockKind; x[block] = blockKind == Kind.LowerBound ? qp.Lower[block] : qp.Upper[block]; }
                else { rowAt[block - n] = blockKind; workingRows.Add(block - n); }
                factor = blockFactor;
            }
        }
        return new QpSolution(QpStatus.IterationLimit, x, rowDual, boundDual, it);
    }

    /// <summary>For every row r outside the working set, a_r·p into <paramref name="slope"/>[r] and Σ_k |a_rk p_k| into
    /// <paramref name="scale"/>[r], each summed over the row's non-zeros in ascending order (as one row at a time); two
    /// rows side by side, so that the processor has two independent chains of additions instead of one.</summary>
    private static void RowSlopes(SparseRows rows, Kind?[] rowAt, double[] p, double[] slope, double[] scale)
    {
        int pending = -1;
        for (int r = 0; r < rowAt.Length; r++)
        {
            if (rowAt[r] is not null) continue;
            if (pending < 0) { pending = r; continue; }
            TwoSlopes(rows, pending, r, p, slope, scale);
            pending = -1;
        }
        if (pending >= 0) TwoSlopes(rows, pending, pending, p, slope, scale);
    }

    private static void TwoSlopes(SparseRows rows, int a, int b, double[] p, double[] slope, double[] scale)
    {
        int[] ia = rows.Index[a], ib = rows.Index[b];
        double[] va = rows.Value[a], vb = rows.Value[b];
        double sa = 0, ca = 0, sb = 0, cb = 0;
        int common = Math.Min(ia.Length, ib.Length), k = 0;
        for (; k < common; k++)
        {
            double ta = va[k] * p[ia[k]];
            double tb = vb[k] * p[ib[k]];
            sa += ta;
            ca += Math.Abs(ta);
            sb += tb;
            cb += Math.Abs(tb);
        }
        for (int j = k; j < ia.Length; j++)
        {
            double t = va[j] * p[ia[j]];
            sa += t;
            ca += Math.Abs(t);
        }
        for (int j = k; j < ib.Length; j++)
        {
            double t = vb[j] * p[ib[j]];
            sb += t;
            cb += Math.Abs(t);
        }
        slope[a] = sa;
        scale[a] = ca;
        slope[b] = sb;
        scale[b] = cb;
    }

    /// <summary>
    /// The step p of the equality-constrained subproblem (p_i = 0 for fixed variables, a_rᵀp = 0 for working rows) and
    /// the working rows' multipliers: p_F = −Q_F⁻¹(g_F + A_Fᵀλ) with (A_F Q_F⁻¹ A_Fᵀ) λ = −A_F Q_F⁻¹ g_F, given the
    /// Cholesky factor of A_F Q_F⁻¹ A_Fᵀ. <paramref name="sum"/> is scratch.
    /// </summary>
    private static double[] SolveEqp(SeparableQp qp, SparseRows rows, Kind?[] fixedAt, List<int> workingRows, WorkingFactor factor,
        double[] g, double[] p, double[] sum)
    {
        int n = qp.VariableCount, w = workingRows.Count;
        var rhs = new double[w];
        for (int a = 0; a < w; a++)
        {
            var idx = rows.Index[workingRows[a]];
            var val = rows.Value[workingRows[a]];
            double s = 0;
            for (int k = 0; k < idx.Length; k++)
            {
                int i = idx[k];
                if (fixedAt[i] is null) s -= val[k] * g[i] / qp.Quadratic[i];
            }
            rhs[a] = s;
        }
        factor.Solve(rhs);
        Array.Copy(g, sum, n);
        for (int a = 0; a < w; a++)
        {
            var idx = rows.Index[workingRows[a]];
            var val = rows.Value[workingRows[a]];
            for (int k = 0; k < idx.Length; k++) sum[idx[k]] += rhs[a] * val[k];
        }
        for (int i = 0; i < n; i++) p[i] = fixedAt[i] is null ? -sum[i] / qp.Quadratic[i] : 0;
        return rhs;
    }

}
