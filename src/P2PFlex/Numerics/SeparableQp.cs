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
    /// <summary>The iteration limit was hit (a cycle under degeneracy); the point is feasible but not proven optimal.</summary>
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

        // Working set: which variables are fixed at a bound, which rows are held at a side.
        var fixedAt = new Kind?[n];
        var rowAt = new Kind?[m];
        var workingRows = new List<int>();
        for (int r = 0; r < m; r++)
            if (qp.RowLower[r] == qp.RowUpper[r]) { rowAt[r] = Kind.RowUpper; workingRows.Add(r); }
        var schur = new SchurBuilder(qp, rows);
        // Add the bounds active at the start while the working set stays linearly independent.
        for (int i = 0; i < n; i++)
        {
            Kind? k = x[i] <= qp.Lower[i] ? Kind.LowerBound : x[i] >= qp.Upper[i] ? Kind.UpperBound : null;
            if (k is null) continue;
            fixedAt[i] = k;
            if (schur.Factor(fixedAt, workingRows) is null) fixedAt[i] = null;
        }

        var rowDual = new double[m];
        var boundDual = new double[n];
        var p = new double[n];
        var g = new double[n];
        var sum = new double[n];
        // Cholesky factor of the current working set's Schur complement, when already known.
        double[]? factor = null;
        int it = 0;
        for (; it < maxIterations; it++)
        {
            for (int i = 0; i < n; i++) g[i] = qp.Quadratic[i] * x[i] + qp.Linear[i];
            if (workingRows.Count > 0)
                factor ??= schur.Factor(fixedAt, workingRows) ?? throw new InvalidOperationException("active-set QP: the working rows became linearly dependent");
            var lambda = SolveEqp(qp, rows, fixedAt, workingRows, factor, g, p, sum);
            double pNorm = 0;
            for (int i = 0; i < n; i++) pNorm = Math.Max(pNorm, Math.Abs(p[i]) / (1 + Math.Abs(x[i])));
            if (pNorm <= StepTolerance)
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
                // Most negative "wrong-sign" multiplier, scaled by its constraint's norm.
                double worst = -DualTolerance;
                int dropVar = -1, dropRow = -1;
                for (int i = 0; i < n; i++)
                {
                    if (fixedAt[i] is not Kind k || qp.Lower[i] == qp.Upper[i]) continue;
                    double signed = k == Kind.LowerBound ? boundDual[i] : -boundDual[i];
                    if (signed < worst) { worst = signed; dropVar = i; dropRow = -1; }
                }
                foreach (int r in workingRows)
                {
                    if (qp.RowLower[r] == qp.RowUpper[r]) continue;
                    double signed = (rowAt[r] == Kind.RowUpper ? rowDual[r] : -rowDual[r]) / Math.Max(rows.Norm[r], 1e-300);
                    if (signed < worst) { worst = signed; dropRow = r; dropVar = -1; }
                }
                if (dropVar < 0 && dropRow < 0)
                {
                    for (int i = 0; i < n; i++) if (fixedAt[i] is Kind k) x[i] = k == Kind.LowerBound ? qp.Lower[i] : qp.Upper[i];
                    return new QpSolution(QpStatus.Optimal, x, rowDual, boundDual, it + 1);
                }
                if (dropVar >= 0) fixedAt[dropVar] = null;
                else { rowAt[dropRow] = null; workingRows.Remove(dropRow); }
                factor = null;
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
            double[]? blockFactor = null;
            while (true)
            {
                alpha = 1;
                blockKind = default;
                block = -1;
                for (int i = 0; i < n; i++)
                {
                    if (fixedAt[i] is not null || Math.Abs(p[i]) <= RelativeDirectionTolerance * pMax || skipped.Contains(i)) continue;
                    double limit = p[i] < 0 ? (qp.Lower[i] - x[i]) / p[i] : (qp.Upper[i] - x[i]) / p[i];
                    if (limit < alpha) { alpha = Math.Max(0, limit); block = i; blockKind = p[i] < 0 ? Kind.LowerBound : Kind.UpperBound; }
                }
                for (int r = 0; r < m; r++)
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
                }
                if (block < 0) break;
                if (block < n) fixedAt[block] = blockKind; else workingRows.Add(block - n);
                blockFactor = workingRows.Count == 0 ? [] : schur.Factor(fixedAt, workingRows);
                if (block < n) fixedAt[block] = null; else workingRows.RemoveAt(workingRows.Count - 1);
                if (blockFactor is not null) break;
                skipped.Add(block);
            }
            for (int i = 0; i < n; i++) x[i] += alpha * p[i];
            if (block >= 0)
            {
                if (block < n) { fixedAt[block] = blockKind; x[block] = blockKind == Kind.LowerBound ? qp.Lower[block] : qp.Upper[block]; }
                else { rowAt[block - n] = blockKind; workingRows.Add(block - n); }
                factor = workingRows.Count == 0 ? null : blockFactor;
            }
        }
        return new QpSolution(QpStatus.IterationLimit, x, rowDual, boundDual, it);
    }

    /// <summary>
    /// The step p of the equality-constrained subproblem (p_i = 0 for fixed variables, a_rᵀp = 0 for working rows) and
    /// the working rows' multipliers: p_F = −Q_F⁻¹(g_F + A_Fᵀλ) with (A_F Q_F⁻¹ A_Fᵀ) λ = −A_F Q_F⁻¹ g_F, given the
    /// Cholesky factor of A_F Q_F⁻¹ A_Fᵀ. <paramref name="sum"/> is scratch.
    /// </summary>
    private static double[] SolveEqp(SeparableQp qp, SparseRows rows, Kind?[] fixedAt, List<int> workingRows, double[]? factor,
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
        if (w > 0) CholeskySolve(factor!, w, rhs);
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
    /// Builds and factorises A_F Q_F⁻¹ A_Fᵀ of the working rows over the free variables, column by column: variable i
    /// adds a_ai a_bi / q_i to entry (a, b) for each pair of working rows non-zero at i. The entries' terms arrive in
    /// ascending i, the order of the dense row-by-row sum.
    /// </summary>
    private sealed class SchurBuilder(SeparableQp qp, SparseRows rows)
    {
        private readonly int[] _count = new int[qp.VariableCount + 1];
        private int[] _slot = new int[16];
        private double[] _value = new double[16];

        /// <summary>The lower Cholesky factor (row-major w × w), or null when the working set is linearly dependent.</summary>
        public double[]? Factor(Kind?[] fixedAt, List<int> workingRows)
        {
            int n = qp.VariableCount, w = workingRows.Count;
            // Column lists of (working-row slot, coefficient) over free variables, slots ascending within a column.
            Array.Clear(_count);
            int total = 0;
            foreach (int r in workingRows)
                foreach (int i in rows.Index[r])
                    if (fixedAt[i] is null) { _count[i + 1]++; total++; }
            for (int i = 0; i < n; i++) _count[i + 1] += _count[i];
            if (_slot.Length < total) { _slot = new int[total]; _value = new double[total]; }
            var next = new int[n];
            Array.Copy(_count, next, n);
            for (int a = 0; a < w; a++)
            {
                var idx = rows.Index[workingRows[a]];
                var val = rows.Value[workingRows[a]];
                for (int k = 0; k < idx.Length; k++)
                {
                    int i = idx[k];
                    if (fixedAt[i] is not null) continue;
                    int at = next[i]++;
                    _slot[at] = a;
                    _value[at] = val[k];
                }
            }
            var s = new double[w * w];
            for (int i = 0; i < n; i++)
            {
                double q = qp.Quadratic[i];
                for (int u = _count[i]; u < _count[i + 1]; u++)
                {
                    int a = _slot[u];
                    double va = _value[u];
                    for (int t = _count[i]; t <= u; t++) s[a * w + _slot[t]] += va * _value[t] / q;
                }
            }
            for (int a = 0; a < w; a++)
                for (int b = 0; b < a; b++) s[b * w + a] = s[a * w + b];
            return Cholesky(s, w) ? s : null;
        }
    }

    /// <summary>Dense Cholesky in place (lower triangle); false when a pivot is not clearly positive.</summary>
    private static bool Cholesky(double[] a, int n)
    {
        double scale = 0;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, a[i * n + i]);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                if (i == j)
                {
                    if (!(s > PivotTolerance * Math.Max(scale, 1e-300))) return false;
                    a[i * n + i] = Math.Sqrt(s);
                }
                else a[i * n + j] = s / a[j * n + j];
            }
        }
        return true;
    }

    private static void CholeskySolve(double[] l, int n, double[] b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }
}
