namespace P2PFlex.Numerics;

public static partial class ActiveSetQpSolver
{
    /// <summary>
    /// The working set's changes as updates of its <see cref="WorkingFactor"/>. An entry S_ab is Σ a_ai a_bi / q_i over
    /// the free variables with both rows non-zero, in ascending i (the order of a dense row-by-row sum), so an updated
    /// entry is exactly the entry computed afresh.
    /// </summary>
    private sealed class SchurUpdates(SeparableQp qp, SparseRows rows, Kind?[] fixedAt, List<int> workingRows)
    {
        private readonly double[] _dense = new double[qp.VariableCount];

        /// <summary>Row <paramref name="r"/> appended to the working rows (not yet in the list).</summary>
        public WorkingFactor? Appended(WorkingFactor factor, int r)
        {
            int w = workingRows.Count;
            Scatter(r);
            var row = new double[w + 1];
            for (int b = 0; b < w; b++) row[b] = DotWithScattered(workingRows[b]);
            row[w] = DotWithScattered(r);
            Unscatter(r);
            var s = new double[w + 1][];
            Array.Copy(factor.S, s, w);
            s[w] = row;
            return WorkingFactor.Of(s, factor, w);
        }

        /// <summary>The working row at <paramref name="position"/> removed (already out of the list).</summary>
        public static WorkingFactor? Removed(WorkingFactor factor, int position)
        {
            int w = factor.S.Length - 1;
            var s = new double[w][];
            for (int a = 0; a < w; a++)
            {
                if (a < position) { s[a] = factor.S[a]; continue; }
                var old = factor.S[a + 1];
                var row = new double[a + 1];
                Array.Copy(old, row, position);
                Array.Copy(old, position + 1, row, position, a + 1 - position);
                s[a] = row;
            }
            return WorkingFactor.Of(s, factor, position, shift: 1);
        }

        /// <summary>Variable <paramref name="i"/> fixed or freed (<c>fixedAt</c> already says which): only the entries
        /// between working rows non-zero at i change.</summary>
        public WorkingFactor? VariableChanged(WorkingFactor factor, int i)
        {
            var touched = new List<int>();
            for (int a = 0; a < workingRows.Count; a++)
                if (Array.BinarySearch(rows.Index[workingRows[a]], i) >= 0) touched.Add(a);
            if (touched.Count == 0) return factor;
            var s = (double[][])factor.S.Clone();
            foreach (int a in touched)
            {
                var row = (double[])factor.S[a].Clone();
                Scatter(workingRows[a]);
                foreach (int b in touched)
                {
                    if (b > a) break;
                    row[b] = DotWithScattered(workingRows[b]);
                }
                Unscatter(workingRows[a]);
                s[a] = row;
            }
            return WorkingFactor.Of(s, factor, touched[0]);
        }

        private void Scatter(int r)
        {
            var idx = rows.Index[r];
            var val = rows.Value[r];
            for (int k = 0; k < idx.Length; k++) if (fixedAt[idx[k]] is null) _dense[idx[k]] = val[k];
        }

        private void Unscatter(int r)
        {
            foreach (int i in rows.Index[r]) _dense[i] = 0;
        }

        /// <summary>Σ over free i of (scattered row)_i a_bi / q_i, ascending i.</summary>
        private double DotWithScattered(int b)
        {
            var idx = rows.Index[b];
            var val = rows.Value[b];
            double s = 0;
            for (int k = 0; k < idx.Length; k++)
            {
                int i = idx[k];
                double d = _dense[i];
                if (d != 0) s += d * val[k] / qp.Quadratic[i];
            }
            return s;
        }
    }
}
