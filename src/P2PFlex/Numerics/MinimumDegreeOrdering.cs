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
    public static int[] Order(int n, ReadOnlySpan<int> adjacencyStart, ReadOnlySpan<int> adjacency)
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
        for (int k = 0; k < n; k++)
        {
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

            foreach (int i in members[p])
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

            foreach (int i in members[p])
            {
                // Exact degree: |vars ∪ members of elements| without i itself.
                tag++;
                stamp[i] = tag;
                int d = 0;
                foreach (int j in vars[i])
                    if (stamp[j] != tag) { stamp[j] = tag; d++; }
                foreach (int e in elems[i])
                    foreach (int j in members[e])
                        if (!eliminated[j] && stamp[j] != tag) { stamp[j] = tag; d++; }
                if (d != degree[i])
                {
                    queue.Remove((degree[i], i));
                    degree[i] = d;
                    queue.Add((d, i));
                }
            }
        }
        return order;
    }
}
