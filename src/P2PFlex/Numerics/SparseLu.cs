namespace P2PFlex.Numerics;

/// <summary>A square matrix that has no usable pivot: the linear system has no unique solution.</summary>
public sealed class SingularMatrixException(string message) : Exception(message);

/// <summary>
/// Sparse LU factorisation P·A·Qᵀ = L·U for the matrices of power-system analysis (bus susceptance matrices,
/// Newton–Raphson Jacobians). Columns are ordered by minimum degree on the pattern of A + Aᵀ to keep fill-in small;
/// rows are pivoted by threshold partial pivoting (the diagonal is kept while it is at least
/// <see cref="PivotThreshold"/> of the column's largest entry), which is stable on these matrices and keeps the
/// symmetric ordering effective. Factor once, solve many right-hand sides.
/// </summary>
public sealed class SparseLu
{
    /// <summary>Relative size a diagonal pivot must keep to be preferred over the column's largest entry.</summary>
    public const double PivotThreshold = 0.1;

    private readonly int _n;
    private readonly int[] _columnOrder;       // position k → original column
    private readonly int[] _rowOfPosition;     // position k → original row id pivoted there
    private readonly int[][] _lIndex;          // per position: positions j < k
    private readonly double[][] _lValue;
    private readonly int[][] _uIndex;          // per position: positions j > k
    private readonly double[][] _uValue;
    private readonly double[] _uDiagonal;

    private SparseLu(int n, int[] columnOrder, int[] rowOfPosition, int[][] lIndex, double[][] lValue,
        int[][] uIndex, double[][] uValue, double[] uDiagonal)
    {
        _n = n;
        _columnOrder = columnOrder;
        _rowOfPosition = rowOfPosition;
        _lIndex = lIndex;
        _lValue = lValue;
        _uIndex = uIndex;
        _uValue = uValue;
        _uDiagonal = uDiagonal;
    }

    /// <summary>Order of the matrix.</summary>
    public int Size => _n;

    /// <summary>Number of stored entries of L and U (a measure of fill-in).</summary>
    public int NonZeros => _lIndex.Sum(a => a.Length) + _uIndex.Sum(a => a.Length) + _n;

    /// <summary>Factorises an n×n matrix given as (row, column, value) triplets; duplicates are summed.</summary>
    /// <exception cref="SingularMatrixException">A column has no nonzero pivot left.</exception>
    public static SparseLu Factor(int n, IEnumerable<(int Row, int Col, double Value)> entries)
    {
        var original = new Dictionary<int, double>[n];
        for (int i = 0; i < n; i++) original[i] = new Dictionary<int, double>();
        foreach (var (r, c, v) in entries)
        {
            if ((uint)r >= (uint)n || (uint)c >= (uint)n) throw new ArgumentOutOfRangeException(nameof(entries), $"entry ({r},{c}) outside a {n}x{n} matrix");
            original[r][c] = original[r].TryGetValue(c, out double old) ? old + v : v;
        }

        int[] order = MinimumDegreeOrder(n, original);
        var position = new int[n];
        for (int k = 0; k < n; k++) position[order[k]] = k;

        // Working rows, keyed by original row id, with columns in position space. Row id order[k] starts as the
        // candidate for position k so that the diagonal stays on the diagonal.
        var rows = new Dictionary<int, double>[n];
        var columnRows = new List<int>[n];
        for (int k = 0; k < n; k++) columnRows[k] = new List<int>();
        for (int r = 0; r < n; r++)
        {
            var row = new Dictionary<int, double>(original[r].Count);
            foreach (var (c, v) in original[r])
            {
                if (v == 0) continue;
                int pc = position[c];
                row[pc] = v;
                columnRows[pc].Add(r);
            }
            rows[r] = row;
        }

        var pivoted = new bool[n];
        var rowOfPosition = new int[n];
        var lEntries = new List<(int Row, int Col, double Value)>();
        var uIndex = new int[n][];
        var uValue = new double[n][];
        var uDiagonal = new double[n];
        var candidates = new List<int>();

        for (int k = 0; k < n; k++)
        {
            candidates.Clear();
            foreach (int r in columnRows[k])
                if (!pivoted[r] && rows[r].ContainsKey(k) && !candidates.Contains(r)) candidates.Add(r);
            if (candidates.Count == 0)
                throw new SingularMatrixException($"matrix is singular: column {order[k]} has no pivot (structurally singular)");

            double largest = 0;
            int best = -1;
            foreach (int r in candidates)
            {
                double a = Math.Abs(rows[r][k]);
                if (a > largest || (a == largest && best >= 0 && r < best)) { largest = a; best = r; }
            }
            if (largest == 0) throw new SingularMatrixException($"matrix is singular: column {order[k]} has only zero pivots");
            int diagonalRow = order[k];
            int pivotRow = candidates.Contains(diagonalRow) && Math.Abs(rows[diagonalRow][k]) >= PivotThreshold * largest
                ? diagonalRow
                : best;

            pivoted[pivotRow] = true;
            rowOfPosition[k] = pivotRow;
            var pivotEntries = rows[pivotRow];
            double pivot = pivotEntries[k];
            uDiagonal[k] = pivot;
            var upper = pivotEntries.Where(e => e.Key > k).OrderBy(e => e.Key).ToArray();
            uIndex[k] = upper.Select(e => e.Key).ToArray();
            uValue[k] = upper.Select(e => e.Value).ToArray();

            foreach (int r in candidates)
            {
                if (r == pivotRow) continue;
                var row = rows[r];
                double factor = row[k] / pivot;
                row.Remove(k);
                lEntries.Add((r, k, factor));
                foreach (var (j, u) in upper)
                {
                    if (row.TryGetValue(j, out double existing))
                    {
                        row[j] = existing - factor * u;
                    }
                    else
                    {
                        row[j] = -factor * u;
                        columnRows[j].Add(r);
                    }
                }
            }
            rows[pivotRow] = null!;
        }

        // L entries were recorded by row id; map row ids to the positions where they were pivoted.
        var positionOfRow = new int[n];
        for (int k = 0; k < n; k++) positionOfRow[rowOfPosition[k]] = k;
        var lLists = new List<(int, double)>[n];
        for (int k = 0; k < n; k++) lLists[k] = new List<(int, double)>();
        foreach (var (r, c, v) in lEntries) lLists[positionOfRow[r]].Add((c, v));
        var lIndex = new int[n][];
        var lValue = new double[n][];
        for (int k = 0; k < n; k++)
        {
            var sorted = lLists[k].OrderBy(e => e.Item1).ToArray();
            lIndex[k] = sorted.Select(e => e.Item1).ToArray();
            lValue[k] = sorted.Select(e => e.Item2).ToArray();
        }
        return new SparseLu(n, order, rowOfPosition, lIndex, lValue, uIndex, uValue, uDiagonal);
    }

    /// <summary>Solves A·x = b.</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        if (b.Length != _n) throw new ArgumentException($"right-hand side has {b.Length} entries, the matrix is {_n}x{_n}", nameof(b));
        var y = new double[_n];
        for (int k = 0; k < _n; k++)
        {
            double s = b[_rowOfPosition[k]];
            var idx = _lIndex[k];
            var val = _lValue[k];
            for (int t = 0; t < idx.Length; t++) s -= val[t] * y[idx[t]];
            y[k] = s;
        }
        for (int k = _n - 1; k >= 0; k--)
        {
            double s = y[k];
            var idx = _uIndex[k];
            var val = _uValue[k];
            for (int t = 0; t < idx.Length; t++) s -= val[t] * y[idx[t]];
            y[k] = s / _uDiagonal[k];
        }
        var x = new double[_n];
        for (int k = 0; k < _n; k++) x[_columnOrder[k]] = y[k];
        return x;
    }

    /// <summary>Minimum-degree ordering on the graph of A + Aᵀ (<see cref="MinimumDegreeOrdering"/>: ties to the lowest
    /// index, so the order is deterministic and the same as <see cref="SparseSymbolicFactor"/>'s).</summary>
    private static int[] MinimumDegreeOrder(int n, Dictionary<int, double>[] rows)
    {
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + rows[i].Count;
        var adjacency = new int[start[n]];
        for (int i = 0, a = 0; i < n; i++)
            foreach (int j in rows[i].Keys) adjacency[a++] = j;
        return MinimumDegreeOrdering.Order(n, start, adjacency);
    }
}
