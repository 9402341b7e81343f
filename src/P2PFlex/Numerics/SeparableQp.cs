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
