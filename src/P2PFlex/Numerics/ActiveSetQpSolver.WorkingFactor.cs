using System.Runtime.Intrinsics;

namespace P2PFlex.Numerics;

public static partial class ActiveSetQpSolver
{
    /// <summary>
    /// The Schur complement S = A_F Q_F⁻¹ Aᵀ_F of a working set (lower triangle, row a holding S_a0..S_aa) and its
    /// Cholesky factor L (same layout) with the pivots before their square roots. Immutable: an update shares the rows
    /// it leaves unchanged. Row a of L depends only on S's rows 0..a, so a change that leaves S's first d rows alone
    /// keeps L's first d rows, and the remaining rows are computed by the same loop, in the same order, as a
    /// factorisation from scratch: an updated factor is bit for bit the factor of the updated matrix. (The loop runs four
    /// rows and four columns side by side, <see cref="JaggedCholesky"/>; every sum keeps its plain order.)
    /// </summary>
    private sealed class WorkingFactor(double[][] s, double[][] l, double[] pivot)
    {
        public static WorkingFactor Empty { get; } = new([], [], []);

        public double[][] S { get; } = s;
        public double[][] L { get; } = l;
        public double[] Pivot { get; } = pivot;

        /// <summary>Factorises <paramref name="s"/>, whose first <paramref name="same"/> rows equal
        /// <paramref name="prior"/>'s; null when a pivot is not clearly positive (relative to the largest diagonal entry),
        /// i.e. the working rows are linearly dependent. Each later row i whose first <paramref name="same"/> entries are
        /// those of <paramref name="prior"/>'s row i + <paramref name="shift"/> (where that row exists) keeps that row's
        /// first <paramref name="same"/> entries of L: L_ij for j &lt; same depends only on S_i0 … S_ij and L's rows 0 … j,
        /// all unchanged, so they are the entries the loop would compute again.</summary>
        public static WorkingFactor? Of(double[][] s, WorkingFactor prior, int same, int shift = 0)
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
            // Rows from `same` on: four at a time where the processor has 256-bit vectors, else one at a time (the same
            // bits either way, JaggedCholesky).
            Span<double> pivots = stackalloc double[4];
            for (int i = same; i < w;)
            {
                int rows = Vector256.IsHardwareAccelerated && i + 4 <= w ? 4 : 1;
                int from = same > 0 && i + rows - 1 + shift < prior.L.Length ? same : 0;
                for (int r = 0; r < rows; r++)
                {
                    var lr = new double[i + r + 1];
                    if (from > 0) Array.Copy(prior.L[i + r + shift], lr, from);
                    l[i + r] = lr;
                }
                if (rows == 4) JaggedCholesky.FourRows(s, l, i, from, pivots);
                else
                {
                    pivots[0] = JaggedCholesky.Row(s[i], l, l[i], from);
                    l[i][i] = Math.Sqrt(pivots[0]);
                }
                for (int r = 0; r < rows; r++)
                {
                    if (!(pivots[r] > tolerance)) return null;
                    pivot[i + r] = pivots[r];
                }
                i += rows;
            }
            return new WorkingFactor(s, l, pivot);
        }

        /// <summary>Solves S y = b in place.</summary>
        public void Solve(double[] b)
        {
            int w = L.Length;
            JaggedCholesky.Forward(L, b);
            for (int i = w - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int k = i + 1; k < w; k++) s -= L[k][i] * b[k];
                b[i] = s / L[i][i];
            }
        }
    }
}
