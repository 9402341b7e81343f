using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PFlex.Numerics;

/// <summary>
/// In-place Cholesky factorisation A = L·Lᵀ of a symmetric positive (semi)definite matrix stored as a
/// dense row-major lower triangle, with a pivot floor instead of an exception: the Newton systems of the
/// dual are Laplacian-like and can lose definiteness by rounding, and a floored pivot only perturbs the
/// search direction (the exact line search keeps the method monotone).
/// </summary>
/// <remarks>
/// <para><b>The same bits on every machine.</b> Every dot product is summed in one fixed order (<see cref="Dot"/>):
/// below 8 terms one after the other; from 8 terms on, four lanes (lane l sums the terms k ≡ l mod 4 of the first
/// 4⌊len/4⌋, one after the other), the lanes added as (l0 + l1) + (l2 + l3), then the remaining terms one after the
/// other. <c>Vector256</c> computes exactly that where the processor has it, plain scalar lanes otherwise. (The former
/// code used <c>Vector&lt;double&gt;</c>, whose width is the hardware's: 4 lanes with AVX2, 2 on Arm, 8 where
/// 512-bit vectors are preferred, so the last bits of every factor depended on the machine. The order chosen here is
/// what it computed on AVX2 machines, so results there are unchanged.) Products are rounded before they are added
/// (never fused), in vector and scalar lanes alike.</para>
/// <para><b>Four entries at a time.</b> A dot product summed in a fixed order is a chain of dependent additions, so
/// one entry at a time leaves the processor waiting on each addition's latency. <see cref="Factorize"/> computes the
/// entries j … j + 3 of a row together from j = 8 on (j a multiple of 4): their vector parts cover the same terms
/// k &lt; j, run as four independent chains that share the loads of row i, and their scalar tails (terms j … j + 2,
/// entries of the same row computed just before) follow one entry after another. Each entry still gets exactly the
/// operations of <see cref="Dot"/>, in its order.</para>
/// <para><b>Two rows at a time.</b> Each entry's vector part is one chain of dependent additions (one accumulator), so
/// four entries keep the processor waiting on the additions' latency too. From row <see cref="LaneThreshold"/> + 4 on,
/// rows i and i + 1 are computed together: the blocks j … j + 3 with j + 4 ≤ i of both rows depend only on rows above i
/// and on the rows' own earlier entries, so their vector parts run as eight chains over one pass through rows j … j + 3;
/// then row i is finished, then row i + 1 (whose last block may need row i). Every entry still gets the operations of
/// <see cref="Dot"/> in its order; only the order in which entries are computed changes.</para>
/// </remarks>
internal static class DenseCholesky
{
    /// <summary>Relative pivot floor: pivots below this times the original diagonal are raised to it.</summary>
    private const double PivotFloor = 1e-13;

    /// <summary>Dot products of at least this many terms use the four-lane order.</summary>
    public const int LaneThreshold = 8;

    /// <summary>
    /// Factorises the n×n matrix in <paramref name="a"/> (row-major, only the lower triangle j ≤ i is
    /// read) into L, written over the same entries.
    /// </summary>
    public static void Factorize(double[] a, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i < n && i < LaneThreshold + 4; i++) Row(a, n, i);
            for (; i + 1 < n; i += 2) TwoRows(a, n, i);
        }

        for (; i < n; i++) Row(a, n, i);
    }

    /// <summary>Row i of L (rows 0 … i − 1 done).</summary>
    private static void Row(double[] a, int n, int i)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated && i >= LaneThreshold + 4)
        {
            for (; j < LaneThreshold; j++) Entry(a, n, i, j);
            for (; j + 4 <= i; j += 4) FourOffDiagonal(a, n, i, j);
        }

        for (; j <= i; j++) Entry(a, n, i, j);
    }

    /// <summary>Rows i and i + 1 of L (rows 0 … i − 1 done, i ≥ <see cref="LaneThreshold"/> + 4): each entry as
    /// <see cref="Row"/> computes it, the blocks both rows have below row i side by side.</summary>
    private static void TwoRows(double[] a, int n, int i)
    {
        int j = 0;
        for (; j < LaneThreshold; j++)
        {
            Entry(a, n, i, j);
            Entry(a, n, i + 1, j);
        }

        for (; j + 4 <= i; j += 4) EightOffDiagonal(a, n, i, j);
        for (int rest = j; rest <= i; rest++) Entry(a, n, i, rest);
        for (; j + 4 <= i + 1; j += 4) FourOffDiagonal(a, n, i + 1, j);
        for (; j <= i + 1; j++) Entry(a, n, i + 1, j);
    }

    /// <summary>Entry j of row i of L (rows 0 … j and row i's entries 0 … j − 1 done).</summary>
    private static void Entry(double[] a, int n, int i, int j)
    {
        var rowI = a.AsSpan(i * n, i + 1);
        var rowJ = a.AsSpan(j * n, j + 1);
        double s = rowI[j] - Dot(rowI[..j], rowJ[..j]);
        if (i == j)
        {
            double floor = PivotFloor * Math.Abs(rowI[j]) + double.Epsilon;
            rowI[j] = Math.Sqrt(s > floor ? s : floor);
        }
        else
        {
            rowI[j] = s / rowJ[j];
        }
    }

    /// <summary>Entries j … j + 3 of row i (all below the diagonal, j ≥ 8 a multiple of 4): the operations of
    /// <see cref="Dot"/> for each, the four vector parts side by side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourOffDiagonal(double[] a, int n, int i, int j)
    {
        ref double baseRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref double ri = ref Unsafe.Add(ref baseRef, i * n);
        ref double r0 = ref Unsafe.Add(ref baseRef, j * n);
        ref double r1 = ref Unsafe.Add(ref r0, n);
        ref double r2 = ref Unsafe.Add(ref r1, n);
        ref double r3 = ref Unsafe.Add(ref r2, n);
        Vector256<double> acc0 = Vector256<double>.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int k = 0; k < j; k += 4)
        {
            var x = Vector256.LoadUnsafe(ref ri, (nuint)k);
            acc0 += x * Vector256.LoadUnsafe(ref r0, (nuint)k);
            acc1 += x * Vector256.LoadUnsafe(ref r1, (nuint)k);
            acc2 += x * Vector256.LoadUnsafe(ref r2, (nuint)k);
            acc3 += x * Vector256.LoadUnsafe(ref r3, (nuint)k);
        }

        // Entry j + m: lanes summed, then its tail k = j … j + m − 1 (entries of row i just computed).
        FourTails(ref ri, ref r0, ref r1, ref r2, ref r3, j, acc0, acc1, acc2, acc3);
    }

    /// <summary>Entries j … j + 3 of rows i and i + 1 (j + 4 ≤ i, j ≥ 8 a multiple of 4): <see cref="FourOffDiagonal"/>
    /// for both rows, their eight vector parts in one pass over rows j … j + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightOffDiagonal(double[] a, int n, int i, int j)
    {
        ref double baseRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref double ri = ref Unsafe.Add(ref baseRef, i * n);
        ref double rn = ref Unsafe.Add(ref ri, n);
        ref double r0 = ref Unsafe.Add(ref baseRef, j * n);
        ref double r1 = ref Unsafe.Add(ref r0, n);
        ref double r2 = ref Unsafe.Add(ref r1, n);
        ref double r3 = ref Unsafe.Add(ref r2, n);
        Vector256<double> acc0 = Vector256<double>.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
        Vector256<double> next0 = acc0, next1 = acc0, next2 = acc0, next3 = acc0;
        for (int k = 0; k < j; k += 4)
        {
            var x = Vector256.LoadUnsafe(ref ri, (nuint)k);
            var z = Vector256.LoadUnsafe(ref rn, (nuint)k);
            var y = Vector256.LoadUnsafe(ref r0, (nuint)k);
            acc0 += x * y;
            next0 += z * y;
            y = Vector256.LoadUnsafe(ref r1, (nuint)k);
            acc1 += x * y;
            next1 += z * y;
            y = Vector256.LoadUnsafe(ref r2, (nuint)k);
            acc2 += x * y;
            next2 += z * y;
            y = Vector256.LoadUnsafe(ref r3, (nuint)k);
            acc3 += x * y;
            next3 += z * y;
        }

        FourTails(ref ri, ref r0, ref r1, ref r2, ref r3, j, acc0, acc1, acc2, acc3);
        FourTails(ref rn, ref r0, ref r1, ref r2, ref r3, j, next0, next1, next2, next3);
    }

    /// <summary>Entries j … j + 3 of the row at <paramref name="ri"/> from their vector parts: lanes summed, then each
    /// entry's tail k = j … j + m − 1 (entries of the same row just computed), then the division by the pivot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourTails(ref double ri, ref double r0, ref double r1, ref double r2, ref double r3, int j,
        Vector256<double> acc0, Vector256<double> acc1, Vector256<double> acc2, Vector256<double> acc3)
    {
        double s0 = LaneSum(acc0);
        Unsafe.Add(ref ri, j) = (Unsafe.Add(ref ri, j) - s0) / Unsafe.Add(ref r0, j);
        double s1 = LaneSum(acc1);
        s1 += Unsafe.Add(ref ri, j) * Unsafe.Add(ref r1, j);
        Unsafe.Add(ref ri, j + 1) = (Unsafe.Add(ref ri, j + 1) - s1) / Unsafe.Add(ref r1, j + 1);
        double s2 = LaneSum(acc2);
        s2 += Unsafe.Add(ref ri, j) * Unsafe.Add(ref r2, j);
        s2 += Unsafe.Add(ref ri, j + 1) * Unsafe.Add(ref r2, j + 1);
        Unsafe.Add(ref ri, j + 2) = (Unsafe.Add(ref ri, j + 2) - s2) / Unsafe.Add(ref r2, j + 2);
        double s3 = LaneSum(acc3);
        s3 += Unsafe.Add(ref ri, j) * Unsafe.Add(ref r3, j);
        s3 += Unsafe.Add(ref ri, j + 1) * Unsafe.Add(ref r3, j + 1);
        s3 += Unsafe.Add(ref ri, j + 2) * Unsafe.Add(ref r3, j + 2);
        Unsafe.Add(ref ri, j + 3) = (Unsafe.Add(ref ri, j + 3) - s3) / Unsafe.Add(ref r3, j + 3);
    }

    /// <summary>Solves L·Lᵀ x = b in place in <paramref name="b"/>.</summary>
    public static void Solve(double[] l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            var row = l.AsSpan(i * n, i);
            b[i] = (b[i] - Dot(row, b[..i])) / l[i * n + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>
    /// Σ x_k y_k in the fixed order of this class (see remarks): fewer than <see cref="LaneThreshold"/> terms one after
    /// the other; otherwise four lanes over the first 4⌊len/4⌋ terms, added as (l0 + l1) + (l2 + l3), then the rest.
    /// </summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int len = x.Length;
        int k = 0;
        double sum = 0;
        if (len >= LaneThreshold)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                var acc = Vector256<double>.Zero;
                ref double xr = ref MemoryMarshal.GetReference(x);
                ref double yr = ref MemoryMarshal.GetReference(y);
                for (; k <= len - 4; k += 4)
                    acc += Vector256.LoadUnsafe(ref xr, (nuint)k) * Vector256.LoadUnsafe(ref yr, (nuint)k);
                sum = LaneSum(acc);
            }
            else
            {
                double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
                for (; k <= len - 4; k += 4)
                {
                    l0 += x[k] * y[k];
                    l1 += x[k + 1] * y[k + 1];
                    l2 += x[k + 2] * y[k + 2];
                    l3 += x[k + 3] * y[k + 3];
                }

                sum = (l0 + l1) + (l2 + l3);
            }
        }

        for (; k < len; k++) sum += x[k] * y[k];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LaneSum(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));
}
