namespace P2PFlex.Numerics;

/// <summary>
/// The part of a sparse factorisation that depends only on where the nonzeros are: a fill-reducing symmetric
/// ordering (<see cref="MinimumDegreeOrdering"/>), the elimination tree and the pattern of the factor L of the
/// permuted matrix P·A·Pᵀ. Computed once per pattern and shared (it is immutable) by any number of numeric
/// factorisations: <see cref="SparseCholesky"/> for symmetric positive definite matrices and
/// <see cref="StaticPivotLu"/> for structurally symmetric ones with a usable diagonal.
/// </summary>
/// <remarks>
/// The matrix is described by a list of structural entries (row, column) in the caller's order; numeric
/// factorisations later take one value per listed entry in that same order, so the caller can fill values straight
/// from its own data (e.g. one value per trade pair, one per Jacobian block entry) without building triplets.
/// Duplicated entries are summed. Structure is what counts: an entry whose value happens to be 0 stays in the
/// pattern, which is what makes the analysis reusable.
/// </remarks>
public sealed class SparseSymbolicFactor
{
    private SparseSymbolicFactor() { }

    /// <summary>Order of the matrix.</summary>
    public int Size { get; private init; }

    /// <summary>Number of structural entries the numeric phase expects values for.</summary>
    public int EntryCount { get; private init; }

    /// <summary>Order[k] = original index placed at position k.</summary>
    public int[] Order { get; private init; } = [];

    /// <summary>Strictly lower entries of L (the fill of the factorisation, without the diagonal).</summary>
    public long LowerNonZeros => RowIndex.Length;

    /// <summary>Multiply–add count of one numeric factorisation, Σ_j (entries of L's column j)²: what it costs.</summary>
    public double FactorFlops { get; private init; }

    // L (strictly lower) by columns; rows ascending within a column. A numeric phase fills column j in row order.
    internal int[] ColumnStart { get; private init; } = [];
    internal int[] RowIndex { get; private init; } = [];

    // Row k of L (strictly lower): the columns j < k, ascending.
    internal int[] RowPatternStart { get; private init; } = [];
    internal int[] RowPattern { get; private init; } = [];

    // Entries grouped by elimination step max(P(row), P(col)): the other position, the caller's entry index, and
    // whether the entry lies left of the diagonal in row k (P(row) > P(col)) rather than above it in column k.
    internal int[] StepStart { get; private init; } = [];
    internal int[] StepOther { get; private init; } = [];
    internal int[] StepEntry { get; private init; } = [];
    internal bool[] StepLeftOfDiagonal { get; private init; } = [];

    // The same split as one index into a work vector of 2n + 1 entries, so a numeric phase adds each value without a
    // branch: o for row k of L left of the diagonal, n + o for column k of U above it, 2n for the diagonal itself.
    internal int[] StepTarget { get; private init; } = [];

    /// <summary>
    /// Analyses an n×n pattern given as structural entries (rows[t], cols[t]). The pattern is symmetrised (the
    /// factor's pattern is that of A + Aᵀ); every diagonal position must be listed.
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched lengths, an index outside 0..n−1 or a missing diagonal entry.</exception>
    public static SparseSymbolicFactor Analyze(int n, ReadOnlySpan<int> rows, ReadOnlySpan<int> cols) =>
        AnalyzeUnlessCostlier(n, rows, cols, double.PositiveInfinity)!;

    /// <summary>
    /// <see cref="Analyze"/>, or null when one numeric factorisation would cost at least <paramref name="flopLimit"/>
    /// multiply–adds (<see cref="FactorFlops"/> ≥ the limit): for a caller that takes the sparse factor only when it is
    /// cheaper than an alternative. On dense patterns the ordering stops early, as soon as its cost is certain to reach
    /// the limit (<see cref="MinimumDegreeOrdering.OrderUnlessCostlier"/>).
    /// </summary>
    public static SparseSymbolicFactor? AnalyzeUnlessCostlier(int n, ReadOnlySpan<int> rows, ReadOnlySpan<int> cols, double flopLimit)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        if (rows.Length != cols.Length) throw new ArgumentException("rows and cols must have the same length", nameof(cols));
        int count = rows.Length;
        var hasDiagonal = new bool[n];
        var degree = new int[n + 1];
        for (int t = 0; t < count; t++)
        {
            int r = rows[t], c = cols[t];
            if ((uint)r >= (uint)n || (uint)c >= (uint)n) throw new ArgumentException($"entry {t} ({r},{c}) outside a {n}x{n} matrix", nameof(rows));
            if (r == c) hasDiagonal[r] = true;
            else { degree[r]++; degree[c]++; }
        }
        for (int i = 0; i < n; i++)
            if (!hasDiagonal[i]) throw new ArgumentException($"the pattern has no diagonal entry in row {i}", nameof(rows));

        // Adjacency of A + Aᵀ (duplicates are removed by the ordering).
        var adjStart = new int[n + 1];
        for (int i = 0; i < n; i++) adjStart[i + 1] = adjStart[i] + degree[i];
        var adj = new int[adjStart[n]];
        var fill = (int[])adjStart.Clone();
        for (int t = 0; t < count; t++)
        {
            int r = rows[t], c = cols[t];
            if (r == c) continue;
            adj[fill[r]++] = c;
            adj[fill[c]++] = r;
        }
        int[]? order = MinimumDegreeOrdering.OrderUnlessCostlier(n, adjStart, adj, flopLimit);
        if (order is null) return null;
        var position = new int[n];
        for (int k = 0; k < n; k++) position[order[k]] = k;

        // Upper pattern by permuted column: for column k, positions i < k (deduplicated).
        var upperStart = new int[n + 1];
        for (int i = 0; i < n; i++)
            for (int a = adjStart[i]; a < adjStart[i + 1]; a++)
            {
                int pi = position[i], pj = position[adj[a]];
                if (pi < pj) upperStart[pj + 1]++;
            }
        for (int k = 0; k < n; k++) upperStart[k + 1] += upperStart[k];
        var upper = new int[upperStart[n]];
        var upperFill = (int[])upperStart.Clone();
        for (int i = 0; i < n; i++)
            for (int a = adjStart[i]; a < adjStart[i + 1]; a++)
            {
                int pi = position[i], pj = position[adj[a]];
                if (pi < pj) upper[upperFill[pj]++] = pi;
            }

        // Elimination tree (Liu's algorithm with path compression through ancestors).
        var parent = new int[n];
        var ancestor = new int[n];
        for (int k = 0; k < n; k++)
        {
            parent[k] = -1;
            ancestor[k] = -1;
            for (int a = upperStart[k]; a < upperStart[k + 1]; a++)
            {
                int i = upper[a];
                while (i != -1 && i < k)
                {
                    int up = ancestor[i];
                    ancestor[i] = k;
                    if (up == -1) { parent[i] = k; break; }
                    i = up;
                }
            }
        }

        // Row patterns: row k of L is the set of etree paths from A's upper entries of column k up to k.
        var mark = new int[n];
        Array.Fill(mark, -1);
        var rowStart = new int[n + 1];
        var rowPattern = new List<int>(upper.Length * 2);
        var columnCount = new int[n];
        for (int k = 0; k < n; k++)
        {
            mark[k] = k;
            int begin = rowPattern.Count;
            for (int a = upperStart[k]; a < upperStart[k + 1]; a++)
                for (int i = upper[a]; mark[i] != k; i = parent[i])
                {
                    mark[i] = k;
                    rowPattern.Add(i);
                    columnCount[i]++;
                }
            rowPattern.Sort(begin, rowPattern.Count - begin, null);
            rowStart[k + 1] = rowPattern.Count;
        }

        var columnStart = new int[n + 1];
        double flops = 0;
        for (int j = 0; j < n; j++)
        {
            columnStart[j + 1] = columnStart[j] + columnCount[j];
            flops += ColumnFlops(columnCount[j]);
        }
        if (flops >= flopLimit) return null;
        var rowPatternArray = rowPattern.ToArray();
        var rowIndex = new int[rowPatternArray.Length];
        var next = (int[])columnStart[..n].Clone();
        for (int k = 0; k < n; k++)
            for (int a = rowStart[k]; a < rowStart[k + 1]; a++) rowIndex[next[rowPatternArray[a]]++] = k;

        // Entries by step.
        var stepStart = new int[n + 1];
        for (int t = 0; t < count; t++) stepStart[Math.Max(position[rows[t]], position[cols[t]]) + 1]++;
        for (int k = 0; k < n; k++) stepStart[k + 1] += stepStart[k];
        var stepOther = new int[count];
        var stepEntry = new int[count];
        var stepLeft = new bool[count];
        var stepTarget = new int[count];
        var stepFill = (int[])stepStart.Clone();
        for (int t = 0; t < count; t++)
        {
            int pr = position[rows[t]], pc = position[cols[t]];
            int k = Math.Max(pr, pc);
            int s = stepFill[k]++;
            stepOther[s] = Math.Min(pr, pc);
            stepEntry[s] = t;
            stepLeft[s] = pr > pc;
            stepTarget[s] = pr > pc ? pc : pr < pc ? n + pr : 2 * n;
        }

        return new SparseSymbolicFactor
        {
            Size = n,
            EntryCount = count,
            Order = order,
            FactorFlops = flops,
            ColumnStart = columnStart,
            RowIndex = rowIndex,
            RowPatternStart = rowStart,
            RowPattern = rowPatternArray,
            StepStart = stepStart,
            StepOther = stepOther,
            StepEntry = stepEntry,
            StepLeftOfDiagonal = stepLeft,
            StepTarget = stepTarget,
        };
    }

    /// <summary>Cost of one column of L with <paramref name="count"/> entries below the diagonal: count² + count + 1
    /// (exact in double for any matrix that fits in memory).</summary>
    internal static double ColumnFlops(int count) => (double)count * count + count + 1;

    /// <summary>
    /// A lower bound on <see cref="FactorFlops"/> that holds for every elimination order of a symmetric pattern whose
    /// off-diagonal graph has these node degrees (distinct neighbours, no self-loops): cheap (linear), so a caller can
    /// rule the sparse factor out before ordering anything.
    /// </summary>
    public static double FlopsLowerBound(ReadOnlySpan<int> degrees)
    {
        int n = degrees.Length;
        var countByDegree = new int[Math.Max(n, 1)];
        long degreeSum = 0;
        foreach (int d in degrees)
        {
            if ((uint)d >= (uint)Math.Max(n, 1)) throw new ArgumentOutOfRangeException(nameof(degrees), $"degree {d} outside 0..{n - 1}");
            countByDegree[d]++;
            degreeSum += d;
        }
        return FlopsLowerBound(countByDegree, n, degreeSum / 2);
    }

    /// <summary>
    /// <see cref="FlopsLowerBound(ReadOnlySpan{int})"/> from the number of nodes of each degree and the edge count.
    /// Two bounds, the larger taken. (1) Eliminating in any order v₀, v₁, …, node v_t still has at least deg(v_t) − t
    /// neighbours (fill only adds), so column t costs at least g(deg(v_t) − t) with g(x) = ColumnFlops(max(x, 0)),
    /// convex and non-decreasing; over all orders the sum is least with the degrees ascending (rearrangement: pairing
    /// sorted sequences minimises a sum of a convex function of their differences). Exact for a clique. (2) Every
    /// edge lies in the column of its earlier end, so the counts add up to at least the edge count E; by
    /// Cauchy–Schwarz Σc² ≥ E²/n, and the flops ≥ E²/n + E + n.
    /// </summary>
    internal static double FlopsLowerBound(ReadOnlySpan<int> countByDegree, int nodes, long edges)
    {
        double sorted = 0;
        int t = 0;
        for (int d = 0; d < countByDegree.Length && t < nodes; d++)
            for (int c = countByDegree[d]; c > 0; c--, t++) sorted += ColumnFlops(Math.Max(d - t, 0));
        // Σc² is an integer ≥ E²/n, so it is ≥ the rounded quotient's floor.
        double byEdges = nodes == 0 ? 0 : Math.Floor((double)edges * edges / nodes) + edges + nodes;
        return Math.Max(sorted, byEdges);
    }
}
