namespace P2PFlex.Numerics;

/// <summary>
/// Fill-reducing ordering of a symmetric sparsity pattern by minimum degree, computed on the quotient graph:
/// an eliminated node becomes an "element" standing for the clique of its uneliminated neighbours, so the cliques
/// are never formed explicitly and memory stays proportional to the pattern. Degrees are exact (the size of the
/// union of a node's variable and element neighbours); elements covered by a newer one are absorbed.
/// </summary>
/// <remarks>
/// Deterministic: ties go to the lowest index (the order is the one explicit-graph minimum degree with that tie rule
/// gives, as the former <see cref="SparseLu"/> ordering did, so factors and results are bit-for-bit the same). When the remaining nodes form a clique (least degree = remaining − 1) they are
/// appended in index order: any order of a dense tail gives the same fill, and the check spares the quadratic
/// bookkeeping of eliminating it node by node.
/// </remarks>
public static class MinimumDegreeOrdering
{
    /// <summary>
    /// Order of elimination of an n-node symmetric pattern given as adjacency lists (compressed rows; the diagonal
    /// and duplicates are ignored, each edge may be listed in one or both directions). Returns order[k] = node
    /// eliminated k-th.
    /// </summary>
    public static int[] Order(int n, ReadOnlySpan<int> adjacencyStart, ReadOnlySpan<int> adjacency) =>
        OrderUnlessCostlier(n, adjacencyStart, adjacency, double.PositiveInfinity)!;

    /// <summary>
    /// The same order as <see cref="Order"/>, or null as soon as it is certain that a Cholesky factorisation in that
    /// order costs at least <paramref name="flopLimit"/> multiply–adds (<see cref="SparseSymbolicFactor.FactorFlops"/>).
    /// </summary>
    /// <remarks>
    /// Lets a caller that only wants the sparse factor when it is cheap stop early on dense patterns, where the ordering
    /// itself is the expensive part. After each elimination step the cost is bounded below by the exact cost of the
    /// columns eliminated so far (a column's count is the node's degree when it is eliminated) plus
    /// <see cref="SparseSymbolicFactor.FlopsLowerBound(ReadOnlySpan{int}, int, long)"/> of the remaining graph, which
    /// holds for any order of it. Null therefore never hides a cheap factor: when the order is returned, the caller
    /// compares its exact cost as before.
    /// </remarks>
    public static int[]? OrderUnlessCostlier(int n, ReadOnlySpan<int> adjacencyStart, ReadOnlySpan<int> adjacency, double flopLimit)
    {
        if (adjacencyStart.Length != n + 1) throw new ArgumentException($"adjacencyStart needs {n + 1} entries", nameof(adjacencyStart));
        // Symmetrise and deduplicate into per-node lists of variable neighbours.
        var vars = new List<int>[n];
        for (int i = 0; i < n; i++) vars[i] = new List<int>();
        var stamp = new int[n];
        int tag = 0;
        for (int i = 0; i < n; i++)
            for (int a = adjacencyStart[i]; a < adjacencyStart[i + 1]; a++)
            {
                int j = adjacency[a];
                if ((uint)j >= (uint)n) throw new ArgumentOutOfRangeException(nameof(adjacency), $"node {j} outside 0..{n - 1}");
                if (j == i) continue;
                vars[i].Add(j);
                vars[j].Add(i);
            }
        for (int i = 0; i < n; i++)
        {
            tag++;
            var list = vars[i];
            int w = 0;
            for (int r = 0; r < list.Count; r++)
                if (stamp[list[r]] != tag) { stamp[list[r]] = tag; list[w++] = list[r]; }
            list.RemoveRange(w, list.Count - w);
        }

        var elems = new List<int>[n];
        var members = new int[n][];
        var eliminated = new bool[n];
        var absorbed = new bool[n];
        var degree = new int[n];
        // Candidates by (degree, index): the least degree, ties to the lowest index.
        var queue = new SortedSet<(int Degree, int Node)>();
        for (int i = 0; i < n; i++)
        {
            elems[i] = new List<int>();
            degree[i] = vars[i].Count;
            queue.Add((degree[i], i));
        }

        var order = new int[n];
        var reach = new List<int>();
        var outside = new int[n];
        var outsideStep = new int[n];
        int step = 0;

        // The cost bound (only when there is a limit): the cost of the eliminated columns, the remaining nodes by
        // degree and their degree sum (twice the remaining graph's edges), checked every few steps (any schedule
        // gives the same answer: null only when certain).
        bool bounded = !double.IsPositiveInfinity(flopLimit);
        double eliminatedFlops = 0;
        var countByDegree = bounded ? new int[n] : [];
        long degreeSum = 0;
        if (bounded)
            for (int i = 0; i < n; i++) { countByDegree[degree[i]]++; degreeSum += degree[i]; }
        int nextCheck = 0;
        for (int k = 0; k < n; k++)
        {
            if (bounded && k == nextCheck)
            {
                if (eliminatedFlops + SparseSymbolicFactor.FlopsLowerBound(countByDegree, n - k, degreeSum / 2) >= flopLimit) return null;
                nextCheck = k + 1 + (n - k) / 64;
            }
            var (minDegree, p) = queue.Min;
            int remaining = n - k;
            if (minDegree == remaining - 1)
            {
                // The rest is a clique: any order gives the same fill.
                for (int i = 0; i < n; i++)
                    if (!eliminated[i]) order[k++] = i;
                break;
            }

            queue.Remove((minDegree, p));
            order[k] = p;
            eliminated[p] = true;
            if (bounded)
            {
                eliminatedFlops += SparseSymbolicFactor.ColumnFlops(minDegree);
                countByDegree[minDegree]--;
                degreeSum -= minDegree; // its own edges; each neighbour's loss of p is in its degree update below
            }

            // Reach of p: its variables and the variables of its elements.
            tag++;
            stamp[p] = tag;
            reach.Clear();
            foreach (int j in vars[p])
                if (!eliminated[j] && stamp[j] != tag) { stamp[j] = tag; reach.Add(j); }
            foreach (int e in elems[p])
            {
                absorbed[e] = true; // covered by the new element p
                foreach (int j in members[e])
                    if (!eliminated[j] && stamp[j] != tag) { stamp[j] = tag; reach.Add(j); }
            }
            members[p] = reach.ToArray();
            vars[p] = null!;
            elems[p] = null!;
            int reachTag = tag;
            var lp = members[p];

            // Aggressive absorption: an element all of whose members are in p's reach adds nothing to any degree
            // (every member gets p, whose clique covers it), so it is dropped. Its outside count |Le \ Lp| is its size
            // less the members met while walking p's reach. Live elements have only uneliminated members (eliminating
            // a member absorbs the element), so the size is the live count.
            step++;
            foreach (int i in lp)
                foreach (int e in elems[i])
                {
                    if (absorbed[e]) continue;
                    if (outsideStep[e] != step) { outsideStep[e] = step; outside[e] = members[e].Length; }
                    if (--outside[e] == 0) absorbed[e] = true;
                }

            foreach (int i in lp)
            {
                // Element lists: drop the absorbed ones, add p.
                var el = elems[i];
                int w = 0;
                for (int r = 0; r < el.Count; r++)
                    if (!absorbed[el[r]]) el[w++] = el[r];
                el.RemoveRange(w, el.Count - w);
                el.Add(p);
                // Variable lists: drop p, eliminated nodes and nodes now reached through p.
                var vl = vars[i];
                w = 0;
                for (int r = 0; r < vl.Count; r++)
                {
                    int j = vl[r];
                    if (!eliminated[j] && stamp[j] != reachTag) vl[w++] = j;
                }
                vl.RemoveRange(w, vl.Count - w);
            }

            foreach (int i in lp)
            {
                // Exact degree: |vars ∪ members of elements| without i itself. The reach of p (still stamped with
                // reachTag, never overwritten below) is counted at once; the loops count only what lies outside it.
                tag++;
                int d = lp.Length - 1;
                foreach (int j in vars[i])
                    if (stamp[j] != tag) { stamp[j] = tag; d++; } // vars[i] holds no node of the reach (pruned above)
                foreach (int e in elems[i])
                {
                    if (e == p) continue;
                    foreach (int j in members[e])
                        if (stamp[j] != tag && stamp[j] != reachTag) { stamp[j] = tag; d++; }
                }
                if (d != degree[i])
                {
                    if (bounded)
                    {
                        countByDegree[degree[i]]--;
                        countByDegree[d]++;
                        degreeSum += d - degree[i];
                    }
                    queue.Remove((degree[i], i));
                    degree[i] = d;
                    queue.Add((d, i));
                }
            }
        }
        return order;
    }
}
