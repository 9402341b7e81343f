using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// An independent check of <see cref="ActiveSetQpSolver"/>'s optimum: the alternating direction method of multipliers
/// in the operator-splitting form for QP (constraints l ≤ Ã x ≤ u with Ã = [rows; identity], so the bounds are rows
/// too), with a dense Cholesky factor of Q + σI + ρ ÃᵀÃ. It shares nothing with the active-set method (no working set,
/// no Schur complement, no tolerances of its own beyond the stopping test) and converges to the unique minimiser of a
/// strictly convex program, to a tolerance rather than exactly: good for comparing optima on small programs.
/// </summary>
internal static class AdmmQpReference
{
    /// <summary>The minimiser, iterated until the primal residual ‖Ãx − z‖∞ and the dual residual
    /// ‖Qx + c + Ãᵀy‖∞ are both below <paramref name="tolerance"/>; throws if that takes more than
    /// <paramref name="maxIterations"/>.</summary>
    public static double[] Solve(SeparableQp qp, double tolerance = 1e-10, int maxIterations = 200_000)
    {
        qp.Validate();
        int n = qp.VariableCount, m = qp.RowCount, k = m + n;
        const double sigma = 1e-6;
        var lo = new double[k];
        var hi = new double[k];
        for (int r = 0; r < m; r++) { lo[r] = qp.RowLower[r]; hi[r] = qp.RowUpper[r]; }
        for (int i = 0; i < n; i++) { lo[m + i] = qp.Lower[i]; hi[m + i] = qp.Upper[i]; }

        double rho = 1.0;
        var kk = Factor(qp, rho, sigma);
        var x = new double[n];
        var z = new double[k];
        var y = new double[k];
        var ax = new double[k];
        var rhs = new double[n];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            // x ← K⁻¹ (σx − c + Ãᵀ(ρz − y))
            for (int i = 0; i < n; i++) rhs[i] = sigma * x[i] - qp.Linear[i] + rho * z[m + i] - y[m + i];
            for (int r = 0; r < m; r++)
            {
                double w = rho * z[r] - y[r];
                var a = qp.Rows[r];
                for (int i = 0; i < n; i++) rhs[i] += a[i] * w;
            }
            for (int i = 0; i < n; i++)
            {
                double v = rhs[i];
                for (int t = 0; t < i; t++) v -= kk[i, t] * rhs[t];
                rhs[i] = v / kk[i, i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double v = rhs[i];
                for (int t = i + 1; t < n; t++) v -= kk[t, i] * rhs[t];
                rhs[i] = v / kk[i, i];
            }
            Array.Copy(rhs, x, n);
            // z ← Π[l,u](Ãx + y/ρ), y ← y + ρ(Ãx − z)
            for (int r = 0; r < m; r++) ax[r] = qp.RowValue(r, x);
            for (int i = 0; i < n; i++) ax[m + i] = x[i];
            double primal = 0;
            for (int c = 0; c < k; c++)
            {
                z[c] = Math.Clamp(ax[c] + y[c] / rho, lo[c], hi[c]);
                y[c] += rho * (ax[c] - z[c]);
                primal = Math.Max(primal, Math.Abs(ax[c] - z[c]));
            }
            double dual = 0;
            for (int i = 0; i < n; i++)
            {
                double s = qp.Quadratic[i] * x[i] + qp.Linear[i] + y[m + i];
                for (int r = 0; r < m; r++) s += qp.Rows[r][i] * y[r];
                dual = Math.Max(dual, Math.Abs(s));
            }
            if (primal <= tolerance && dual <= tolerance) return x;
            // Balance the residuals by rescaling ρ now and then (the scaled dual y/ρ is kept).
            if (iteration % 100 == 99 && (primal > 10 * dual || dual > 10 * primal))
            {
                double next = Math.Clamp(rho * Math.Sqrt(primal / Math.Max(dual, 1e-300)), 1e-6, 1e6);
                rho = next;
                kk = Factor(qp, rho, sigma);
            }
        }
        throw new InvalidOperationException($"ADMM reference: no convergence to {tolerance} in {maxIterations} iterations");
    }

    /// <summary>Cholesky factor (lower triangle) of Q + σI + ρ ÃᵀÃ.</summary>
    private static double[,] Factor(SeparableQp qp, double rho, double sigma)
    {
        int n = qp.VariableCount;
        var kk = new double[n, n];
        for (int i = 0; i < n; i++) kk[i, i] = qp.Quadratic[i] + sigma + rho;
        foreach (var a in qp.Rows)
            for (int i = 0; i < n; i++)
            {
                if (a[i] == 0) continue;
                for (int j = 0; j <= i; j++) kk[i, j] += rho * a[i] * a[j];
            }
        for (int j = 0; j < n; j++)
        {
            double d = kk[j, j];
            for (int t = 0; t < j; t++) d -= kk[j, t] * kk[j, t];
            kk[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double v = kk[i, j];
                for (int t = 0; t < j; t++) v -= kk[i, t] * kk[j, t];
                kk[i, j] = v / kk[j, j];
            }
        }
        return kk;
    }
}
