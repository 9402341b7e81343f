namespace P2PFlex.Numerics;

public static partial class ActiveSetQpSolver
{
    /// <summary>
    /// The Schur complement S = A_F Q_F⁻¹ Aᵀ_F of a working set (lower triangle, row a holding S_a0..S_aa) and its
    /// Cholesky factor L (same layout) with the pivots before their square roots. Immutable: an update shares the rows
    /// it leaves unchanged. Row a of L depends only on S's rows 0..a, so a change that leaves S's first d rows alone
    /// keeps L's first d rows, and the remaining rows are computed by the same loop, in the same order, as a
    /// factorisation from scratch: an updated factor is bit for bit the factor of the updated matrix.
    /// </summary>
    private sealed class WorkingFactor(double[][] s, double[][] l, double[] pivot)
    {
        public static WorkingFactor Empty { get; } = new([], [], []);

        public double[][] S { get; } = s;
        public double[][] L { get; } = l;
        public double[] Pivot { get; } = pivot;

        /// <summary>Factorises <paramref name="s"/>, whose first <paramref name="same"/> rows equal
        /// <paramref name="prior"/>'s; null when a pivot is not clearly positive (relative to the largest diagonal entry),
        /// i.e. the working rows are linearly dependent.</summary>
        public static WorkingFactor? Of(double[][] s, WorkingFactor prior, int same)
        {
            int w = s.Length;
            double scale = 0;
            for (int i = 0; i < w; i++) scale = Math.Max(scale, s[i][i]);
            double tolerance = PivotTolerance * Math.Max(scale, 1e-300);
            var l = new double[w][];
            var pivot = new double[w];
            for (int i = 0; i < same; i++)
            {
                if (!(prior.Pivot[i] > tolerance)) return null;
                l[i] = prior.L[i];
                pivot[i] = prior.Pivot[i];
            }
            for (int i = same; i < w; i++)
            {
                var si = s[i];
                var li = new double[i + 1];
                for (int j = 0; j <= i; j++)
                {
                    double v = si[j];
                    var lj = j == i ? li : l[j];
                    for (int k = 0; k < j; k++) v -= li[k] * lj[k];
                    if (i == j)
                    {
                        if (!(v > tolerance)) return null;
                        pivot[i] = v;
                        li[i] = Math.Sqrt(v);
                    }
                    else li[j] = v / lj[j];
                }
                l[i] = li;
            }
            return new WorkingFactor(s, l, pivot);
        }

        /// <summary>Solves S y = b in place.</summary>
        public void Solve(double[] b)
        {
            int w = L.Length;
            for (int i = 0; i < w; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= L[i][k] * b[k];
                b[i] = s / L[i][i];
            }
            for (int i = w - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int k = i + 1; k < w; k++) s -= L[k][i] * b[k];
                b[i] = s / L[i][i];
            }
        }
    }
}
