using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// The active-set solver as it was before its rows were stored sparse and its Schur factor reused (dense rows, the
/// Schur complement rebuilt from all n variables at every step): the oracle the faster solver is compared with. It is
/// the same algorithm with the same tolerances, so both must agree to rounding (in practice bit for bit).
/// </summary>
internal static class DenseActiveSetQpReference
{
    private const double FeasibilityTolerance = ActiveSetQpSolver.FeasibilityTolerance;

    private const double StepTolerance = 1e-13;
    private const double RelativeDirectionTolerance = 1e-10;
    private const double DualTolerance = 1e-10;
    private const double PivotTolerance = 1e-12;

    private enum Kind { LowerBound, UpperBound, RowLower, RowUpper }

    private readonly record struct Active(Kind Kind, int Index, bool Fixed);

    /// <summary>Solves from <paramref name="start"/>, which must satisfy every bound and row within
    /// <see cref="FeasibilityTolerance"/> (bounds are enforced by clamping it).</summary>
    public static QpSolution Solve(SeparableQp qp, ReadOnlySpan<double> start, int maxIterations = 0)
    {
        qp.Validate();
        int n = qp.VariableCount, m = qp.RowCount;
        if (start.Length != n) throw new ArgumentException($"start must have {n} entries", nameof(start));
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(start[i], qp.Lower[i], qp.Upper[i]);
        for (int r = 0; r < m; r++)
        {
            double v = qp.RowValue(r, x);
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
        // Add the bounds active at the start while the working set stays linearly independent.
        for (int i = 0; i < n; i++)
        {
            Kind? k = x[i] <= qp.Lower[i] ? Kind.LowerBound : x[i] >= qp.Upper[i] ? Kind.UpperBound : null;
            if (k is null) continue;
            fixedAt[i] = k;
            if (!Independent(qp, fixedAt, workingRows)) fixedAt[i] = null;
        }

        var rowDual = new double[m];
        var boundDual = new double[n];
        var p = new double[n];
        var g = new double[n];
        int it = 0;
        for (; it < maxIterations; it++)
        {
            for (int i = 0; i < n; i++) g[i] = qp.Quadratic[i] * x[i] + qp.Linear[i];
            var lambda = SolveEqp(qp, fixedAt, workingRows, g, p);
            double pNorm = 0;
            for (int i = 0; i < n; i++) pNorm = Math.Max(pNorm, Math.Abs(p[i]) / (1 + Math.Abs(x[i])));
            if (pNorm <= StepTolerance)
            {
                // Stationary on the working set: the multipliers decide whether to stop or drop one.
                Array.Clear(rowDual);
                for (int w = 0; w < workingRows.Count; w++) rowDual[workingRows[w]] = lambda[w];
                for (int i = 0; i < n; i++)
                {
                    if (fixedAt[i] is null) { boundDual[i] = 0; continue; }
                    double s = g[i];
                    for (int w = 0; w < workingRows.Count; w++) s += lambda[w] * qp.Rows[workingRows[w]][i];
                    boundDual[i] = s;
                }
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
                    double norm = Math.Sqrt(qp.Rows[r].Sum(v => v * v));
                    double signed = (rowAt[r] == Kind.RowUpper ? rowDual[r] : -rowDual[r]) / Math.Max(norm, 1e-300);
                    if (signed < worst) { worst = signed; dropRow = r; dropVar = -1; }
                }
                if (dropVar < 0 && dropRow < 0)
                {
                    for (int i = 0; i < n; i++) if (fixedAt[i] is Kind k) x[i] = k == Kind.LowerBound ? qp.Lower[i] : qp.Upper[i];
                    return new QpSolution(QpStatus.Optimal, x, rowDual, boundDual, it + 1);
                }
                if (dropVar >= 0) fixedAt[dropVar] = null;
                else { rowAt[dropRow] = null; workingRows.Remove(dropRow); }
                continue;
            }

            // Longest feasible step along p, at most 1; the first blocking constraint joins the working set. A candidate
            // that would make the working set dependent changes only by rounding along p (it is a combination of working
            // constraints), so it is skipped rather than added.
            double pMax = 0;
            for (int i = 0; i < n; i++) pMax = Math.Max(pMax, Math.Abs(p[i]));
            var skipped = new HashSet<int>();
            double alpha;
            Kind blockKind;
            int block;
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
                    double ap = qp.RowValue(r, p), scale = 0;
                    var a = qp.Rows[r];
                    for (int i = 0; i < n; i++) scale += Math.Abs(a[i] * p[i]);
                    if (Math.Abs(ap) <= RelativeDirectionTolerance * scale) continue;
                    double v = qp.RowValue(r, x);
                    double limit = ap < 0 ? (qp.RowLower[r] - v) / ap : (qp.RowUpper[r] - v) / ap;
                    if (double.IsInfinity(limit)) continue;
                    if (limit < alpha) { alpha = Math.Max(0, limit); block = n + r; blockKind = ap < 0 ? Kind.RowLower : Kind.RowUpper; }
                }
                if (block < 0) break;
                if (block < n) fixedAt[block] = blockKind; else workingRows.Add(block - n);
                bool independent = Independent(qp, fixedAt, workingRows);
                if (block < n) fixedAt[block] = null; else workingRows.RemoveAt(workingRows.Count - 1);
                if (independent) break;
                skipped.Add(block);
            }
            for (int i = 0; i < n; i++) x[i] += alpha * p[i];
            if (block >= 0)
            {
                if (block < n) { fixedAt[block] = blockKind; x[block] = blockKind == Kind.LowerBound ? qp.Lower[block] : qp.Upper[block]; }
                else { rowAt[block - n] = blockKind; workingRows.Add(block - n); }
            }
        }
        return new QpSolution(QpStatus.IterationLimit, x, rowDual, boundDual, it);
    }

    /// <summary>
    /// The step p of the equality-constrained subproblem (p_i = 0 for fixed variables, a_rᵀp = 0 for working rows) and
    /// the working rows' multipliers: p_F = −Q_F⁻¹(g_F + A_Fᵀλ) with (A_F Q_F⁻¹ A_Fᵀ) λ = −A_F Q_F⁻¹ g_F.
    /// </summary>
    private static double[] SolveEqp(SeparableQp qp, Kind?[] fixedAt, List<int> workingRows, double[] g, double[] p)
    {
        int n = qp.VariableCount, w = workingRows.Count;
        var schur = Schur(qp, fixedAt, workingRows);
        var rhs = new double[w];
        for (int a = 0; a < w; a++)
        {
            var row = qp.Rows[workingRows[a]];
            double s = 0;
            for (int i = 0; i < n; i++) if (fixedAt[i] is null) s -= row[i] * g[i] / qp.Quadratic[i];
            rhs[a] = s;
        }
        if (w > 0)
        {
            if (!Cholesky(schur, w)) throw new InvalidOperationException("active-set QP: the working rows became linearly dependent");
            CholeskySolve(schur, w, rhs);
        }
        for (int i = 0; i < n; i++)
        {
            if (fixedAt[i] is not null) { p[i] = 0; continue; }
            double s = g[i];
            for (int a = 0; a < w; a++) s += rhs[a] * qp.Rows[workingRows[a]][i];
            p[i] = -s / qp.Quadratic[i];
        }
        return rhs;
    }

    private static double[] Schur(SeparableQp qp, Kind?[] fixedAt, List<int> workingRows)
    {
        int n = qp.VariableCount, w = workingRows.Count;
        var s = new double[w * w];
        for (int a = 0; a < w; a++)
        {
            var ra = qp.Rows[workingRows[a]];
            for (int b = 0; b <= a; b++)
            {
                var rb = qp.Rows[workingRows[b]];
                double v = 0;
                for (int i = 0; i < n; i++) if (fixedAt[i] is null && ra[i] != 0) v += ra[i] * rb[i] / qp.Quadratic[i];
                s[a * w + b] = v;
                s[b * w + a] = v;
            }
        }
        return s;
    }

    private static bool Independent(SeparableQp qp, Kind?[] fixedAt, List<int> workingRows)
    {
        int w = workingRows.Count;
        return w == 0 || Cholesky(Schur(qp, fixedAt, workingRows), w);
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
