namespace P2PFlex.Numerics;

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
