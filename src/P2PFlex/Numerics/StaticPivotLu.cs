using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    // Step k's accumulators, zero between steps: [0, n) row k of L left of the diagonal (times the pivots), [n, 2n)
    // column k of U above the diagonal, [2n] the pivot; indexed by SparseSymbolicFactor.StepTarget.
    private readonly double[] _work;
    private readonly double[] _solveWork;
    private readonly int[] _next;

    public StaticPivotLu(SparseSymbolicFactor symbolic)
    {
        ArgumentNullException.ThrowIfNull(symbolic);
        _s = symbolic;
        _lower = new double[symbolic.RowIndex.Length];
        _upper = new double[symbolic.RowIndex.Length];
        _diagonal = new double[symbolic.Size];
        _work = new double[2 * symbolic.Size + 1];
        _solveWork = new double[symbolic.Size];
        _next = new int[symbolic.Size];
    }

    /// <summary>The symbolic factor this numeric factorisation works on.</summary>
    public SparseSymbolicFactor Symbolic => _s;

    /// <summary>Order of the matrix.</summary>
    public int Size => _s.Size;

    /// <summary>
    /// Factorises the matrix whose entry t (as listed to <see cref="SparseSymbolicFactor.Analyze"/>) has value
    /// <paramref name="entryValues"/>[t]. Returns false if a pivot is unusable (see remarks); the factor is then
    /// invalid until the next successful call.
    /// </summary>
    /// <remarks>
    /// Up-looking: step k gathers row k of L and column k of U from A's entries of step k and the columns already
    /// done. Indices come from the symbolic factor (checked when it was built), so the loops read and write through
    /// references without bounds checks; every entry gets the same operations in the same order as a plain indexed
    /// loop would give it.
    /// </remarks>
    public bool TryFactorize(ReadOnlySpan<double> entryValues)
    {
        var s = _s;
        if (entryValues.Length != s.EntryCount) throw new ArgumentException($"expected {s.EntryCount} values", nameof(entryValues));
        int n = s.Size;
        ref double value = ref MemoryMarshal.GetReference(entryValues);
        ref double z = ref MemoryMarshal.GetArrayDataReference(_work);
        ref double x = ref Unsafe.Add(ref z, n);
        ref double pivot = ref Unsafe.Add(ref z, 2 * n);
        ref int stepStart = ref MemoryMarshal.GetArrayDataReference(s.StepStart);
        ref int stepEntry = ref MemoryMarshal.GetArrayDataReference(s.StepEntry);
        ref int stepTarget = ref MemoryMarshal.GetArrayDataReference(s.StepTarget);
        ref int rowPatternStart = ref MemoryMarshal.GetArrayDataReference(s.RowPatternStart);
        ref int rowPattern = ref MemoryMarshal.GetArrayDataReference(s.RowPattern);
        ref int colStart = ref MemoryMarshal.GetArrayDataReference(s.ColumnStart);
        ref int rowIndex = ref MemoryMarshal.GetArrayDataReference(s.RowIndex);
        ref double lower = ref MemoryMarshal.GetArrayDataReference(_lower);
        ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
        ref double diagonal = ref MemoryMarshal.GetArrayDataReference(_diagonal);
        ref int next = ref MemoryMarshal.GetArrayDataReference(_next);
        Array.Copy(s.ColumnStart, _next, n);
        bool ok = true;
        for (int k = 0; k < n; k++)
        {
            double largest = 0;
            int stepEnd = Unsafe.Add(ref stepStart, k + 1);
            for (int a = Unsafe.Add(ref stepStart, k); a < stepEnd; a++)
            {
                double v = Unsafe.Add(ref value, Unsafe.Add(ref stepEntry, a));
                largest = Math.Max(largest, Math.Abs(v));
                Unsafe.Add(ref z, Unsafe.Add(ref stepTarget, a)) += v;
            }
            double d = pivot;
            pivot = 0;
            int patternEnd = Unsafe.Add(ref rowPatternStart, k + 1);
            for (int a = Unsafe.Add(ref rowPatternStart, k); a < patternEnd; a++)
            {
                int j = Unsafe.Add(ref rowPattern, a);
                ref double xj = ref Unsafe.Add(ref x, j);
                ref double zj = ref Unsafe.Add(ref z, j);
                double ujk = xj;
                double lkj = zj / Unsafe.Add(ref diagonal, j);
                xj = 0;
                zj = 0;
                int end = Unsafe.Add(ref next, j);
                for (int p = Unsafe.Add(ref colStart, j); p < end; p++)
                {
                    int i = Unsafe.Add(ref rowIndex, p);
                    Unsafe.Add(ref x, i) -= Unsafe.Add(ref lower, p) * ujk;
                    Unsafe.Add(ref z, i) -= Unsafe.Add(ref upper, p) * lkj;
                }
                d -= lkj * ujk;
                Unsafe.Add(ref lower, end) = lkj;
                Unsafe.Add(ref upper, end) = ujk;
                Unsafe.Add(ref next, j) = end + 1;
            }
            Unsafe.Add(ref diagonal, k) = d;
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
        ref double y = ref MemoryMarshal.GetArrayDataReference(_solveWork);
        ref int order = ref MemoryMarshal.GetArrayDataReference(s.Order);
        ref int colStart = ref MemoryMarshal.GetArrayDataReference(s.ColumnStart);
        ref int rowIndex = ref MemoryMarshal.GetArrayDataReference(s.RowIndex);
        ref double lower = ref MemoryMarshal.GetArrayDataReference(_lower);
        ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
        ref double diagonal = ref MemoryMarshal.GetArrayDataReference(_diagonal);
        for (int k = 0; k < n; k++) Unsafe.Add(ref y, k) = b[Unsafe.Add(ref order, k)];
        for (int j = 0; j < n; j++)
        {
            double yj = Unsafe.Add(ref y, j);
            int end = Unsafe.Add(ref colStart, j + 1);
            for (int p = Unsafe.Add(ref colStart, j); p < end; p++) Unsafe.Add(ref y, Unsafe.Add(ref rowIndex, p)) -= Unsafe.Add(ref lower, p) * yj;
        }
        for (int j = n - 1; j >= 0; j--)
        {
            double sum = Unsafe.Add(ref y, j);
            int end = Unsafe.Add(ref colStart, j + 1);
            for (int p = Unsafe.Add(ref colStart, j); p < end; p++) sum -= Unsafe.Add(ref upper, p) * Unsafe.Add(ref y, Unsafe.Add(ref rowIndex, p));
            Unsafe.Add(ref y, j) = sum / Unsafe.Add(ref diagonal, j);
        }
        for (int k = 0; k < n; k++) x[Unsafe.Add(ref order, k)] = Unsafe.Add(ref y, k);
    }
}
