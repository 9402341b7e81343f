namespace P2PFlex.Numerics;

/// <summary>
/// A convex quadratic program with a separable (diagonal) objective, box bounds and ranged linear rows:
/// <code>
/// minimise   Σ_i (½ q_i x_i² + c_i x_i)
/// subject to lo_i ≤ x_i ≤ hi_i,   RowLower_r ≤ a_rᵀ x ≤ RowUpper_r
/// </code>
/// q_i &gt; 0 makes it strictly convex, so the minimiser is unique. A row with equal bounds is an equality;
/// ±∞ leaves a side open. The auctions (network-aware auction, capacity trade) are of this shape.
/// </summary>
/// <param name="Quadratic">q_i &gt; 0, finite.</param>
/// <param name="Linear">c_i, finite.</param>
/// <param name="Lower">lo_i, finite.</param>
/// <param name="Upper">hi_i ≥ lo_i, finite.</param>
/// <param name="Rows">a_r, dense, one array of length n per row.</param>
/// <param name="RowLower">Lower side per row (−∞ for none).</param>
/// <param name="RowUpper">Upper side per row (+∞ for none).</param>
public sealed record SeparableQp(
    double[] Quadratic,
    double[] Linear,
    double[] Lower,
    double[] Upper,
    double[][] Rows,
    double[] RowLower,
    double[] RowUpper)
{
    public int VariableCount => Quadratic.Length;
    public int RowCount => Rows.Length;

    /// <summary>a_rᵀ x.</summary>
    public double RowValue(int r, ReadOnlySpan<double> x)
    {
        double s = 0;
        var a = Rows[r];
        for (int i = 0; i < a.Length; i++) s += a[i] * x[i];
        return s;
    }

    /// <summary>Objective value at x.</summary>
    public double Objective(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += 0.5 * Quadratic[i] * x[i] * x[i] + Linear[i] * x[i];
        return s;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field when the program is malformed.</summary>
    public void Validate()
    {
        int n = Quadratic.Length;
        if (Linear.Length != n || Lower.Length != n || Upper.Length != n) throw new ArgumentException("Linear, Lower and Upper must have one entry per variable", nameof(Linear));
        for (int i = 0; i < n; i++)
        {
            if (!(Quadratic[i] > 0) || !double.IsFinite(Quadratic[i])) throw new ArgumentException($"Quadratic[{i}] must be > 0 and finite, is {Quadratic[i]}", $"Quadratic[{i}]");
            if (!double.IsFinite(Linear[i])) throw new ArgumentException($"Linear[{i}] must be finite", $"Linear[{i}]");
            if (!double.IsFinite(Lower[i]) || !double.IsFinite(Upper[i]) || Lower[i] > Upper[i]) throw new ArgumentException($"bounds of variable {i} must be finite with Lower ≤ Upper, are [{Lower[i]}, {Upper[i]}]", $"Lower[{i}]");
        }
        if (RowLower.Length != Rows.Length || RowUpper.Length != Rows.Length) throw new ArgumentException("RowLower and RowUpper must have one entry per row", nameof(RowLower));
        for (int r = 0; r < Rows.Length; r++)
        {
            if (Rows[r].Length != n) throw new ArgumentException($"Rows[{r}] must have {n} entries", $"Rows[{r}]");
            if (!Array.TrueForAll(Rows[r], double.IsFinite)) throw new ArgumentException($"Rows[{r}] has a non-finite entry", $"Rows[{r}]");
            if (double.IsNaN(RowLower[r]) || double.IsNaN(RowUpper[r]) || RowLower[r] > RowUpper[r]) throw new ArgumentException($"row {r} needs RowLower ≤ RowUpper, has [{RowLower[r]}, {RowUpper[r]}]", $"RowLower[{r}]");
        }
    }
}

/// <summary>How an active-set solve ended.</summary>
public enum QpStatus
{
    /// <summary>The KKT conditions hold at the returned point.</summary>
    Optimal,
    /// <summary>The iteration limit was hit in both phases (classical rules, then anti-cycling rules); the point is
    /// feasible but not proven optimal.</summary>
    IterationLimit,
}

/// <summary>
/// Solution of a <see cref="SeparableQp"/> with its multipliers, in the sign convention of the stationarity condition
/// q_i x_i + c_i + Σ_r y_r a_ri − z_i = 0: y_r &gt; 0 means the upper side of row r binds, y_r &lt; 0 the lower side;
/// z_i &gt; 0 means x_i sits at its lower bound, z_i &lt; 0 at its upper bound.
/// </summary>
public sealed record QpSolution(QpStatus Status, double[] X, double[] RowDual, double[] BoundDual, int Iterations)
{
    /// <summary>Largest violation of the KKT conditions (primal feasibility, stationarity, dual signs,
    /// complementarity), each in its own unit; for tests and for the market checkers.</summary>
    public double KktViolation(SeparableQp qp)
    {
        double worst = 0;
        int n = qp.VariableCount;
        var g = new double[n];
        for (int i = 0; i < n; i++) g[i] = qp.Quadratic[i] * X[i] + qp.Linear[i] - BoundDual[i];
        for (int r = 0; r < qp.RowCount; r++)
        {
            double v = qp.RowValue(r, X);
            worst = Math.Max(worst, Math.Max(qp.RowLower[r] - v, v - qp.RowUpper[r]));
            double y = RowDual[r];
            if (y > 0) worst = Math.Max(worst, Math.Abs(y * (qp.RowUpper[r] - v)));
            if (y < 0) worst = Math.Max(worst, Math.Abs(y * (v - qp.RowLower[r])));
            for (int i = 0; i < n; i++) g[i] += y * qp.Rows[r][i];
        }
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(g[i]));
            worst = Math.Max(worst, Math.Max(qp.Lower[i] - X[i], X[i] - qp.Upper[i]));
            double z = BoundDual[i];
            if (z > 0) worst = Math.Max(worst, Math.Abs(z * (X[i] - qp.Lower[i])));
            if (z < 0) worst = Math.Max(worst, Math.Abs(z * (qp.Upper[i] - X[i])));
        }
        return worst;
    }
}

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
public static class ActiveSetQpSolver
{
    /// <summary>A start may violate a constraint by this much (rounding of an LP's vertex).</summary>
    public const double FeasibilityTolerance = 1e-7;

    private const double StepTolerance = 1e-13;
    private const double RelativeDirectionTolerance = 1e-10;
    private const double DualTolerance = 1e-10;
    private const double PivotTolerance = 1e-12;

    private enum Kind { LowerBound, UpperBound, RowLower, RowUpper }

    /// <summary>The rows' non-zeros (ascending variable index) and Euclidean norms.</summary>
    private sealed class SparseRows
    {
        public readonly int[][] Index;
        public readonly double[][] Value;
        public readonly double[] Norm;

        public SparseRows(SeparableQp qp)
        {
            int m = qp.RowCount;
            Index = new int[m][];
            Value = new double[m][];
            Norm = new double[m];
            for (int r = 0; r < m; r++)
            {
                var a = qp.Rows[r];
                int count = 0;
                foreach (double v in a) if (v != 0) count++;
                var idx = new int[count];
                var val = new double[count];
                double sq = 0;
                for (int i = 0, k = 0; i < a.Length; i++)
                {
                    sq += a[i] * a[i];
                    if (a[i] == 0) continue;
                    idx[k] = i;
                    val[k++] = a[i];
                }
                Index[r] = idx;
                Value[r] = val;
                Norm[r] = Math.Sqrt(sq);
            }
        }

        public double Dot(int r, ReadOnlySpan<double> x)
        {
            var idx = Index[r];
            var val = Value[r];
            double s = 0;
            for (int k = 0; k < idx.Length; k++) s += val[k] * x[idx[k]];
            return s;
        }
    }

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
            var skipped = new HashSet<int>();
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
                    if (fixedAt[i] is not null || Math.Abs(p[i]) <= RelativeDirectionTolerance * pMax || skipped.Contains(i)) continue;
                    double limit = p[i] < 0 ? (qp.Lower[i] - x[i]) / p[i] : (qp.Upper[i] - x[i]) / p[i];
                    if (limit < alpha) { alpha = Math.Max(0, limit); block = i; blockKind = p[i] < 0 ? Kind.LowerBound : Kind.UpperBound; }
                    zeroStepTaken = antiCycling && limit <= 0;
                }
                for (int r = 0; r < m && !zeroStepTaken; r++)
                {
                    if (rowAt[r] is not null || skipped.Contains(n + r)) continue;
                    var idx = rows.Index[r];
                    var val = rows.Value[r];
                    double ap = 0, scale = 0, v = 0;
                    for (int k = 0; k < idx.Length; k++)
                    {
                        double term = val[k] * p[idx[k]];
                        ap += term;
                        scale += Math.Abs(term);
                    }
                    if (Math.Abs(ap) <= RelativeDirectionTolerance * scale) continue;
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
                skipped.Add(block);
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

    /// <summary>
    /// The Schur complement S = A_F Q_F⁻¹ Aᵀ_F of a working set (lower triangle, row a holding S_a0..S_aa) and its
    /// Cholesky factor L (same layout) with the pivots before their square roots. Immutable: an update shares the rows
    /// it leaves unchanged. Row a of L depends only on S's rows 0..a, so a change that leaves S's first d rows alone
    /// keeps L's first d rows, and the remaining rows are computed by the same loop, in the same order, as a
    /// factorisation from scratch: an updated factor is bit for bit the factor of the updated matrix.
    /// </summary>
    private sealed class WorkingFactor(double[][] s, double[][] l, double[] pivot)
    {
        public static WorkingFactor Empty { get; } = new([], [], []);

        public double[][] S { get; } = s;
        public double[][] L { get; } = l;
        public double[] Pivot { get; } = pivot;

        /// <summary>Factorises <paramref name="s"/>, whose first <paramref name="same"/> rows equal
        /// <paramref name="prior"/>'s; null when a pivot is not clearly positive (relative to the largest diagonal entry),
        /// i.e. the working rows are linearly dependent.</summary>
        public static WorkingFactor? Of(double[][] s, WorkingFactor prior, int same)
        {
            int w = s.Length;
            double scale = 0;
            for (int i = 0; i < w; i++) scale = Math.Max(scale, s[i][i]);
            double tolerance = PivotTolerance * Math.Max(scale, 1e-300);
            var l = new double[w][];
            var pivot = new double[w];
            for (int i = 0; i < same; i++)
            {
                if (!(prior.Pivot[i] > tolerance)) return null;
                l[i] = prior.L[i];
                pivot[i] = prior.Pivot[i];
            }
            for (int i = same; i < w; i++)
            {
                var si = s[i];
                var li = new double[i + 1];
                for (int j = 0; j <= i; j++)
                {
                    double v = si[j];
                    var lj = j == i ? li : l[j];
                    for (int k = 0; k < j; k++) v -= li[k] * lj[k];
                    if (i == j)
                    {
                        if (!(v > tolerance)) return null;
                        pivot[i] = v;
                        li[i] = Math.Sqrt(v);
                    }
                    else li[j] = v / lj[j];
                }
                l[i] = li;
            }
            return new WorkingFactor(s, l, pivot);
        }

        /// <summary>Solves S y = b in place.</summary>
        public void Solve(double[] b)
        {
            int w = L.Length;
            for (int i = 0; i < w; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= L[i][k] * b[k];
                b[i] = s / L[i][i];
            }
            for (int i = w - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int k = i + 1; k < w; k++) s -= L[k][i] * b[k];
                b[i] = s / L[i][i];
            }
        }
    }

    /// <summary>
    /// The working set's changes as updates of its <see cref="WorkingFactor"/>. An entry S_ab is Σ a_ai a_bi / q_i over
    /// the free variables with both rows non-zero, in ascending i (the order of a dense row-by-row sum), so an updated
    /// entry is exactly the entry computed afresh.
    /// </summary>
    private sealed class SchurUpdates(SeparableQp qp, SparseRows rows, Kind?[] fixedAt, List<int> workingRows)
    {
        private readonly double[] _dense = new double[qp.VariableCount];

        /// <summary>Row <paramref name="r"/> appended to the working rows (not yet in the list).</summary>
        public WorkingFactor? Appended(WorkingFactor factor, int r)
        {
            int w = workingRows.Count;
            Scatter(r);
            var row = new double[w + 1];
            for (int b = 0; b < w; b++) row[b] = DotWithScattered(workingRows[b]);
            row[w] = DotWithScattered(r);
            Unscatter(r);
            var s = new double[w + 1][];
            Array.Copy(factor.S, s, w);
            s[w] = row;
            return WorkingFactor.Of(s, factor, w);
        }

        /// <summary>The working row at <paramref name="position"/> removed (already out of the list).</summary>
        public static WorkingFactor? Removed(WorkingFactor factor, int position)
        {
            int w = factor.S.Length - 1;
            var s = new double[w][];
            for (int a = 0; a < w; a++)
            {
                if (a < position) { s[a] = factor.S[a]; continue; }
                var old = factor.S[a + 1];
                var row = new double[a + 1];
                Array.Copy(old, row, position);
                Array.Copy(old, position + 1, row, position, a + 1 - position);
                s[a] = row;
            }
            return WorkingFactor.Of(s, factor, position);
        }

        /// <summary>Variable <paramref name="i"/> fixed or freed (<c>fixedAt</c> already says which): only the entries
        /// between working rows non-zero at i change.</summary>
        public WorkingFactor? VariableChanged(WorkingFactor factor, int i)
        {
            var touched = new List<int>();
            for (int a = 0; a < workingRows.Count; a++)
                if (Array.BinarySearch(rows.Index[workingRows[a]], i) >= 0) touched.Add(a);
            if (touched.Count == 0) return factor;
            var s = (double[][])factor.S.Clone();
            foreach (int a in touched)
            {
                var row = (double[])factor.S[a].Clone();
                Scatter(workingRows[a]);
                foreach (int b in touched)
                {
                    if (b > a) break;
                    row[b] = DotWithScattered(workingRows[b]);
                }
                Unscatter(workingRows[a]);
                s[a] = row;
            }
            return WorkingFactor.Of(s, factor, touched[0]);
        }

        private void Scatter(int r)
        {
            var idx = rows.Index[r];
            var val = rows.Value[r];
            for (int k = 0; k < idx.Length; k++) if (fixedAt[idx[k]] is null) _dense[idx[k]] = val[k];
        }

        private void Unscatter(int r)
        {
            foreach (int i in rows.Index[r]) _dense[i] = 0;
        }

        /// <summary>Σ over free i of (scattered row)_i a_bi / q_i, ascending i.</summary>
        private double DotWithScattered(int b)
        {
            var idx = rows.Index[b];
            var val = rows.Value[b];
            double s = 0;
            for (int k = 0; k < idx.Length; k++)
            {
                int i = idx[k];
                double d = _dense[i];
                if (d != 0) s += d * val[k] / qp.Quadratic[i];
            }
            return s;
        }
    }
}
