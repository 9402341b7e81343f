using System.Numerics;

namespace P2PFlex.Numerics;

/// <summary>
/// In-place Cholesky factorisation A = L·Lᵀ of a symmetric positive (semi)definite matrix stored as a
/// dense row-major lower triangle, with a pivot floor instead of an exception: the Newton systems of the
/// dual are Laplacian-like and can lose definiteness by rounding, and a floored pivot only perturbs the
/// search direction (the exact line search keeps the method monotone). Row dot products use
/// <see cref="Vector{T}"/> so a 500×500 factorisation takes milliseconds.
/// </summary>
internal static class DenseCholesky
{
    /// <summary>Relative pivot floor: pivots below this times the original diagonal are raised to it.</summary>
    private const double PivotFloor = 1e-13;

    /// <summary>
    /// Factorises the n×n matrix in <paramref name="a"/> (row-major, only the lower triangle j ≤ i is
    /// read) into L, written over the same entries.
    /// </summary>
    public static void Factorize(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, i + 1);
            for (int j = 0; j <= i; j++)
            {
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
        }
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

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int len = x.Length;
        int k = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && len >= 2 * Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            int w = Vector<double>.Count;
            for (; k <= len - w; k += w)
                acc += new Vector<double>(x.Slice(k, w)) * new Vector<double>(y.Slice(k, w));
            sum = Vector.Sum(acc);
        }

        for (; k < len; k++) sum += x[k] * y[k];
        return sum;
    }
}
