namespace P2PFlex.Numerics;

public static partial class ActiveSetQpSolver
{
    /// <summary>The rows' non-zeros (ascending variable index) and Euclidean norms.</summary>
    private sealed class SparseRows
    {
        public readonly int[][] Index;
        public readonly double[][] Value;
        public readonly double[] Norm;

        public SparseRows(SeparableQp qp)
        {
            int m = qp.RowCount;
            Index = new int[m][];
            Value = new double[m][];
            Norm = new double[m];
            for (int r = 0; r < m; r++)
            {
                var a = qp.Rows[r];
                int count = 0;
                foreach (double v in a) if (v != 0) count++;
                var idx = new int[count];
                var val = new double[count];
                double sq = 0;
                for (int i = 0, k = 0; i < a.Length; i++)
                {
                    sq += a[i] * a[i];
                    if (a[i] == 0) continue;
                    idx[k] = i;
                    val[k++] = a[i];
                }
                Index[r] = idx;
                Value[r] = val;
                Norm[r] = Math.Sqrt(sq);
            }
        }

        public double Dot(int r, ReadOnlySpan<double> x)
        {
            var idx = Index[r];
            var val = Value[r];
            double s = 0;
            for (int k = 0; k < idx.Length; k++) s += val[k] * x[idx[k]];
            return s;
        }
    }
}
