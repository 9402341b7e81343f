namespace P2PFlex.Numerics;

/// <summary>
/// Numeric sparse Cholesky factorisation P·A·Pᵀ = L·Lᵀ on a precomputed <see cref="SparseSymbolicFactor"/>
/// (up-looking, one row of L per step). Refactorising for new values allocates nothing; arrays are sized once.
/// Not thread-safe: one instance per concurrent user (the symbolic factor itself may be shared).
/// </summary>
/// <remarks>
/// Like the dense factorisation it replaces in the P2P solver, a pivot that falls below
/// <c>pivotFloorRelative</c> × its original diagonal (rounding in a nearly singular, Laplacian-like matrix) is
/// raised to that floor instead of failing: it only perturbs a Newton direction, which the exact line search
/// tolerates.
/// </remarks>
public sealed class SparseCholesky
{
    private readonly SparseSymbolicFactor _s;
    private readonly double _pivotFloorRelative;
    private readonly double[] _lower;   // strictly lower L, same layout as the symbolic RowIndex
    private readonly double[] _diagonal;
    private readonly double[] _work;
    private readonly int[] _next;

    /// <param name="symbolic">The pattern's analysis.</param>
    /// <param name="pivotFloorRelative">Relative pivot floor (see remarks); ≥ 0.</param>
    public SparseCholesky(SparseSymbolicFactor symbolic, double pivotFloorRelative = 1e-13)
    {
        ArgumentNullException.ThrowIfNull(symbolic);
        if (!(pivotFloorRelative >= 0)) throw new ArgumentOutOfRangeException(nameof(pivotFloorRelative));
        _s = symbolic;
        _pivotFloorRelative = pivotFloorRelative;
        _lower = new double[symbolic.RowIndex.Length];
        _diagonal = new double[symbolic.Size];
        _work = new double[symbolic.Size];
        _next = new int[symbolic.Size];
    }

    /// <summary>
    /// Factorises the symmetric matrix whose entry t (as listed to <see cref="SparseSymbolicFactor.Analyze"/>) has
    /// value <paramref name="entryValues"/>[t]; an off-diagonal entry stands for both (i, j) and (j, i), so list each
    /// off-diagonal pair once.
    /// </summary>
    public void Factorize(ReadOnlySpan<double> entryValues)
    {
        var s = _s;
        if (entryValues.Length != s.EntryCount) throw new ArgumentException($"expected {s.EntryCount} values", nameof(entryValues));
        int n = s.Size;
        var x = _work;
        var colStart = s.ColumnStart;
        var rowIndex = s.RowIndex;
        var lower = _lower;
        Array.Copy(colStart, _next, n);
        for (int k = 0; k < n; k++)
        {
            double d = 0;
            for (int a = s.StepStart[k]; a < s.StepStart[k + 1]; a++)
            {
                double v = entryValues[s.StepEntry[a]];
                int o = s.StepOther[a];
                if (o == k) d += v; else x[o] += v;
            }
            double floor = _pivotFloorRelative * Math.Abs(d) + double.Epsilon;
            for (int a = s.RowPatternStart[k]; a < s.RowPatternStart[k + 1]; a++)
            {
                int j = s.RowPattern[a];
                double lkj = x[j] / _diagonal[j];
                x[j] = 0;
                int end = _next[j];
                for (int p = colStart[j]; p < end; p++) x[rowIndex[p]] -= lower[p] * lkj;
                d -= lkj * lkj;
                lower[end] = lkj;
                _next[j] = end + 1;
            }
            _diagonal[k] = Math.Sqrt(d > floor ? d : floor);
        }
    }

    /// <summary>Solves A·x = b with the last factorisation (b and x may be the same span).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        var s = _s;
        int n = s.Size;
        if (b.Length != n || x.Length != n) throw new ArgumentException($"vectors must have {n} entries");
        var y = _work;
        var order = s.Order;
        for (int k = 0; k < n; k++) y[k] = b[order[k]];
        var colStart = s.ColumnStart;
        var rowIndex = s.RowIndex;
        for (int j = 0; j < n; j++)
        {
            double yj = y[j] / _diagonal[j];
            y[j] = yj;
            for (int p = colStart[j]; p < colStart[j + 1]; p++) y[rowIndex[p]] -= _lower[p] * yj;
        }
        for (int j = n - 1; j >= 0; j--)
        {
            double sum = y[j];
            for (int p = colStart[j]; p < colStart[j + 1]; p++) sum -= _lower[p] * y[rowIndex[p]];
            y[j] = sum / _diagonal[j];
        }
        for (int k = 0; k < n; k++) x[order[k]] = y[k];
        Array.Clear(y);
    }
}
