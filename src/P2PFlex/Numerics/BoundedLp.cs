namespace P2PFlex.Numerics;

/// <summary>
/// A linear program with box bounds on every variable and ranged sparse rows:
/// <code>
/// minimise   Σ_j c_j x_j
/// subject to ColumnLower_j ≤ x_j ≤ ColumnUpper_j
///            RowLower_i ≤ Σ_j A_ij x_j ≤ RowUpper_i
/// </code>
/// A row with equal sides is an equality. All bounds are finite, so the LP is never unbounded; the flexibility market's
/// clearing LP is of this shape (bids are boxed by their volumes, lines and voltages are ranged rows).
/// </summary>
/// <param name="Cost">c_j, finite.</param>
/// <param name="ColumnLower">Lower bound per variable, finite.</param>
/// <param name="ColumnUpper">Upper bound per variable, finite, ≥ the lower bound.</param>
/// <param name="RowStart">Compressed sparse rows: row i's entries are at RowStart[i] .. RowStart[i+1]−1.</param>
/// <param name="ColumnIndex">Column of each entry; within a row, ascending.</param>
/// <param name="Value">A_ij of each entry, finite.</param>
/// <param name="RowLower">Lower side per row, finite.</param>
/// <param name="RowUpper">Upper side per row, finite, ≥ the lower side.</param>
public sealed record BoundedLp(
    double[] Cost,
    double[] ColumnLower,
    double[] ColumnUpper,
    int[] RowStart,
    int[] ColumnIndex,
    double[] Value,
    double[] RowLower,
    double[] RowUpper)
{
    public int ColumnCount => Cost.Length;
    public int RowCount => RowLower.Length;

    /// <summary>Σ_j A_ij x_j, summed in entry order.</summary>
    public double RowActivity(int row, ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int e = RowStart[row]; e < RowStart[row + 1]; e++) s += Value[e] * x[ColumnIndex[e]];
        return s;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first malformed field.</summary>
    public void Validate()
    {
        int n = Cost.Length;
        if (ColumnLower.Length != n || ColumnUpper.Length != n)
            throw new ArgumentException($"ColumnLower/ColumnUpper must have {n} entries like Cost.", nameof(ColumnLower));
        for (int j = 0; j < n; j++)
        {
            if (!double.IsFinite(Cost[j])) throw new ArgumentException($"Cost[{j}] = {Cost[j]} is not finite.", nameof(Cost));
            if (!double.IsFinite(ColumnLower[j]) || !double.IsFinite(ColumnUpper[j]) || ColumnLower[j] > ColumnUpper[j])
                throw new ArgumentException($"Column {j} has bounds [{ColumnLower[j]}, {ColumnUpper[j]}]; they must be finite and ordered.", nameof(ColumnLower));
        }

        int m = RowLower.Length;
        if (RowUpper.Length != m || RowStart.Length != m + 1 || RowStart[0] != 0 || RowStart[m] != ColumnIndex.Length || Value.Length != ColumnIndex.Length)
            throw new ArgumentException("RowStart, ColumnIndex, Value, RowLower and RowUpper do not describe the same rows.", nameof(RowStart));
        for (int i = 0; i < m; i++)
        {
            if (!double.IsFinite(RowLower[i]) || !double.IsFinite(RowUpper[i]) || RowLower[i] > RowUpper[i])
                throw new ArgumentException($"Row {i} has sides [{RowLower[i]}, {RowUpper[i]}]; they must be finite and ordered.", nameof(RowLower));
            if (RowStart[i + 1] < RowStart[i]) throw new ArgumentException($"RowStart decreases at row {i}.", nameof(RowStart));
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++)
            {
                if ((uint)ColumnIndex[e] >= (uint)n || (e > RowStart[i] && ColumnIndex[e] <= ColumnIndex[e - 1]))
                    throw new ArgumentException($"Row {i}: column indices must lie in 0..{n - 1} and ascend.", nameof(ColumnIndex));
                if (!double.IsFinite(Value[e])) throw new ArgumentException($"Row {i}, column {ColumnIndex[e]}: coefficient {Value[e]} is not finite.", nameof(Value));
            }
        }
    }
}

/// <summary>How a <see cref="BoundedDualSimplex"/> solve ended.</summary>
public enum BoundedLpStatus
{
    /// <summary>Primal and dual feasible within the tolerances: optimal (checked after the last pivot, not assumed).</summary>
    Optimal,

    /// <summary>A row no choice of the bounded variables can satisfy (the dual ray of the leaving row proves it).</summary>
    Infeasible,

    /// <summary>The pivot limit was reached (cycling under degeneracy, or a far larger LP than expected).</summary>
    IterationLimit,

    /// <summary>A basis became (nearly) singular or the final optimality check failed: ask another solver.</summary>
    NumericalTrouble,
}

/// <summary>What a <see cref="BoundedDualSimplex"/> solve returned.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="X">The variables (meaningful when Optimal).</param>
/// <param name="RowDual">y_i = ∂objective/∂(the binding side of row i); 0 for rows that never entered the working set.</param>
/// <param name="Iterations">Pivots made.</param>
/// <param name="WorkingRows">Rows the working set held at the end (the others were never violated).</param>
public sealed record BoundedLpSolution(BoundedLpStatus Status, double[] X, double[] RowDual, int Iterations, int WorkingRows);
