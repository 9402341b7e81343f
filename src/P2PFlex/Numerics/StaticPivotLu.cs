namespace P2PFlex.Numerics;

/// <summary>
/// Numeric sparse LU factorisation P·A·Pᵀ = L·U with pivots on the diagonal of the symmetrically permuted matrix,
/// on a precomputed <see cref="SparseSymbolicFactor"/> (whose fill pattern is exact for structurally symmetric
/// matrices: L and Uᵀ share it). Refactorising for new values allocates nothing, which is what a Newton loop on a
/// fixed pattern wants; it suits matrices whose diagonal stays usable, such as power-flow Jacobians and bus
/// susceptance matrices.
/// </summary>
/// <remarks>
/// No row exchanges are made, so <see cref="TryFactorize"/> reports failure (instead of returning a factor of poor
/// accuracy) when a pivot is not finite or falls below <see cref="RelativePivotTolerance"/> × the largest entry of
/// its row and column in A; the caller then falls back to <see cref="SparseLu"/>, which pivots. Not thread-safe: one
/// instance per concurrent user (the symbolic factor may be shared).
/// </remarks>
public sealed class StaticPivotLu
{
    /// <summary>A pivot smaller than this times the largest entry of its row and column of A counts as failure.</summary>
    public const double RelativePivotTolerance = 1e-10;

    private readonly SparseSymbolicFactor _s;
    private readonly double[] _lower;   // L (unit diagonal), strictly lower, by columns
    private readonly double[] _upper;   // U strictly upper, by rows, same index layout
    private readonly double[] _diagonal;
    private readonly double[] _columnWork;
    private readonly double[] _rowWork;
    private readonly int[] _next;

    public StaticPivotLu(SparseSymbolicFactor symbolic)
    {
        ArgumentNullException.ThrowIfNull(symbolic);
        _s = symbolic;
        _lower = new double[symbolic.RowIndex.Length];
        _upper = new double[symbolic.RowIndex.Length];
        _diagonal = new double[symbolic.Size];
        _columnWork = new double[symbolic.Size];
        _rowWork = new double[symbolic.Size];
        _next = new int[symbolic.Size];
    }

    /// <summary>Order of the matrix.</summary>
    public int Size => _s.Size;

    /// <summary>
    /// Factorises the matrix whose entry t (as listed to <see cref="SparseSymbolicFactor.Analyze"/>) has value
    /// <paramref name="entryValues"/>[t]. Returns false if a pivot is unusable (see remarks); the factor is then
    /// invalid until the next successful call.
    /// </summary>
    public bool TryFactorize(ReadOnlySpan<double> entryValues)
    {
        var s = _s;
        if (entryValues.Length != s.EntryCount) throw new ArgumentException($"expected {s.EntryCount} values", nameof(entryValues));
        int n = s.Size;
        var x = _columnWork; // column k of U above the diagonal
        var z = _rowWork;    // row k of L left of the diagonal, times the pivots
        var colStart = s.ColumnStart;
        var rowIndex = s.RowIndex;
        Array.Copy(colStart, _next, n);
        bool ok = true;
        for (int k = 0; k < n; k++)
        {
            double d = 0, largest = 0;
            for (int a = s.StepStart[k]; a < s.StepStart[k + 1]; a++)
            {
                double v = entryValues[s.StepEntry[a]];
                largest = Math.Max(largest, Math.Abs(v));
                int o = s.StepOther[a];
                if (s.StepLeftOfDiagonal[a]) z[o] += v;
                else if (o == k) d += v;
                else x[o] += v;
            }
            for (int a = s.RowPatternStart[k]; a < s.RowPatternStart[k + 1]; a++)
            {
                int j = s.RowPattern[a];
                double ujk = x[j];
                double lkj = z[j] / _diagonal[j];
                x[j] = 0;
                z[j] = 0;
                int end = _next[j];
                for (int p = colStart[j]; p < end; p++)
                {
                    int i = rowIndex[p];
                    x[i] -= _lower[p] * ujk;
                    z[i] -= _upper[p] * lkj;
                }
                d -= lkj * ujk;
                _lower[end] = lkj;
                _upper[end] = ujk;
                _next[j] = end + 1;
            }
            _diagonal[k] = d;
            if (!(Math.Abs(d) > RelativePivotTolerance * largest) || !double.IsFinite(d)) ok = false;
        }
        return ok;
    }

    /// <summary>Solves A·x = b with the last successful factorisation (b and x may be the same span).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        var s = _s;
        int n = s.Size;
        if (b.Length != n || x.Length != n) throw new ArgumentException($"vectors must have {n} entries");
        var y = _columnWork;
        var order = s.Order;
        for (int k = 0; k < n; k++) y[k] = b[order[k]];
        var colStart = s.ColumnStart;
        var rowIndex = s.RowIndex;
        for (int j = 0; j < n; j++)
        {
            double yj = y[j];
            for (int p = colStart[j]; p < colStart[j + 1]; p++) y[rowIndex[p]] -= _lower[p] * yj;
        }
        for (int j = n - 1; j >= 0; j--)
        {
            double sum = y[j];
            for (int p = colStart[j]; p < colStart[j + 1]; p++) sum -= _upper[p] * y[rowIndex[p]];
            y[j] = sum / _diagonal[j];
        }
        for (int k = 0; k < n; k++) x[order[k]] = y[k];
        Array.Clear(y);
    }
}
