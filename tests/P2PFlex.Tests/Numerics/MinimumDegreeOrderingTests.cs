using P2PFlex.Numerics;

namespace P2PFlex.Tests.Numerics;

/// <summary>
/// The quotient-graph minimum-degree ordering against its definition, explicit-graph minimum degree (eliminate the
/// node of least degree, lowest index on ties, join its neighbours into a clique; a remaining clique in index order),
/// on random general and bipartite patterns from sparse to complete; the cost bounds that let a caller stop early;
/// and the early stop itself (System.Random with fixed seeds, only to make data).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class MinimumDegreeOrderingTests
{
    /// <summary>Explicit elimination: the order and Σ (c² + c + 1) over the columns, c = degree when eliminated.</summary>
    private static (int[] Order, double Flops) ExplicitMinimumDegree(int n, IReadOnlyList<(int, int)> edges)
    {
        var adj = new HashSet<int>[n];
        for (int i = 0; i < n; i++) adj[i] = [];
        foreach (var (a, b) in edges)
            if (a != b) { adj[a].Add(b); adj[b].Add(a); }
        var alive = new SortedSet<int>(Enumerable.Range(0, n));
        var order = new List<int>();
        double flops = 0;
        while (alive.Count > 0)
        {
            int p = alive.MinBy(i => (adj[i].Count, i));
            if (adj[p].Count == alive.Count - 1)
            {
                for (int c = alive.Count - 1; c >= 0; c--) flops += (double)c * c + c + 1;
                order.AddRange(alive);
                break;
            }
            flops += (double)adj[p].Count * adj[p].Count + adj[p].Count + 1;
            foreach (int i in adj[p])
            {
                adj[i].Remove(p);
                foreach (int j in adj[p])
                    if (j != i) adj[i].Add(j);
            }
            alive.Remove(p);
            order.Add(p);
        }
        return (order.ToArray(), flops);
    }

    private static (int[] Start, int[] Adjacency) Lists(int n, IReadOnlyList<(int, int)> edges)
    {
        var start = new int[n + 1];
        foreach (var (a, _) in edges) start[a + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        var adjacency = new int[edges.Count];
        var fill = (int[])start.Clone();
        foreach (var (a, b) in edges) adjacency[fill[a]++] = b; // one direction only: the ordering symmetrises
        return (start, adjacency);
    }

    private static (int[] Rows, int[] Cols) Entries(int n, IReadOnlyList<(int, int)> edges) =>
        (Enumerable.Range(0, n).Concat(edges.Select(e => e.Item1)).ToArray(), Enumerable.Range(0, n).Concat(edges.Select(e => e.Item2)).ToArray());

    /// <summary>A bilateral market's pattern: sellers 0..s−1, buyers s..s+b−1, each pair present with the given density;
    /// density 1 is the complete market.</summary>
    private static List<(int, int)> Bipartite(Random rng, int sellers, int buyers, double density)
    {
        var edges = new List<(int, int)>();
        for (int s = 0; s < sellers; s++)
            for (int b = 0; b < buyers; b++)
                if (density >= 1 || rng.NextDouble() < density) edges.Add((s, sellers + b));
        return edges;
    }

    private static List<(int, int)> General(Random rng, int n, double density)
    {
        var edges = new List<(int, int)>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (rng.NextDouble() < density) edges.Add(rng.Next(2) == 0 ? (i, j) : (j, i));
        if (edges.Count > 0) edges.Add(edges[0]); // a duplicate: ignored
        return edges;
    }

    public static TheoryData<string, int, int, double> Patterns() => new()
    {
        { "bipartite", 1, 30, 1.0 }, { "bipartite", 2, 40, 0.6 }, { "bipartite", 3, 60, 0.25 }, { "bipartite", 4, 70, 0.08 },
        { "bipartite", 5, 90, 0.03 }, { "general", 6, 50, 0.3 }, { "general", 7, 80, 0.08 }, { "general", 8, 120, 0.02 },
        { "general", 9, 12, 0.9 }, { "general", 10, 1, 0 },
    };

    private static (int N, List<(int, int)> Edges) Make(string kind, int seed, int size, double density)
    {
        var rng = new Random(seed);
        return kind == "bipartite"
            ? (2 * size + seed, Bipartite(rng, size, size + seed, density))
            : (size, General(rng, size, density));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void The_order_and_its_cost_are_those_of_explicit_minimum_degree(string kind, int seed, int size, double density)
    {
        var (n, edges) = Make(kind, seed, size, density);
        var (expectedOrder, expectedFlops) = ExplicitMinimumDegree(n, edges);
        var (start, adjacency) = Lists(n, edges);
        Assert.Equal(expectedOrder, MinimumDegreeOrdering.Order(n, start, adjacency));
        var (rows, cols) = Entries(n, edges);
        Assert.Equal(expectedFlops, SparseSymbolicFactor.Analyze(n, rows, cols).FactorFlops);
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void The_degree_bound_never_exceeds_the_cost_of_the_ordering(string kind, int seed, int size, double density)
    {
        var (n, edges) = Make(kind, seed, size, density);
        var neighbours = new HashSet<int>[n];
        for (int i = 0; i < n; i++) neighbours[i] = [];
        foreach (var (a, b) in edges)
            if (a != b) { neighbours[a].Add(b); neighbours[b].Add(a); }
        double bound = SparseSymbolicFactor.FlopsLowerBound(neighbours.Select(s => s.Count).ToArray());
        var (rows, cols) = Entries(n, edges);
        double flops = SparseSymbolicFactor.Analyze(n, rows, cols).FactorFlops;
        Assert.InRange(bound, n, flops);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void The_degree_bound_is_exact_for_a_clique(int n)
    {
        double exact = Enumerable.Range(0, n).Sum(c => (double)c * c + c + 1);
        Assert.Equal(exact, SparseSymbolicFactor.FlopsLowerBound(Enumerable.Repeat(n - 1, n).ToArray()));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void With_a_cost_limit_the_analysis_is_the_full_one_below_it_and_null_at_or_above_it(string kind, int seed, int size, double density)
    {
        var (n, edges) = Make(kind, seed, size, density);
        var (rows, cols) = Entries(n, edges);
        var full = SparseSymbolicFactor.Analyze(n, rows, cols);
        foreach (double share in new[] { 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 2.0 })
        {
            double limit = share == 1.0 ? full.FactorFlops : Math.Floor(share * full.FactorFlops);
            var limited = SparseSymbolicFactor.AnalyzeUnlessCostlier(n, rows, cols, limit);
            if (full.FactorFlops >= limit)
            {
                Assert.Null(limited);
            }
            else
            {
                Assert.NotNull(limited);
                Assert.Equal(full.Order, limited.Order);
                Assert.Equal(full.FactorFlops, limited.FactorFlops);
            }
        }
    }

    [Fact]
    public void A_complete_bilateral_market_stops_before_eliminating_anything()
    {
        // 300 × 330: the degree bound alone already exceeds a limit of a tenth of the true cost.
        var edges = Bipartite(new Random(1), 300, 330, 1.0);
        var (start, adjacency) = Lists(630, edges);
        double clique = Enumerable.Range(0, 300).Sum(c => (double)c * c);
        Assert.Null(MinimumDegreeOrdering.OrderUnlessCostlier(630, start, adjacency, clique / 10));
    }

    [Fact]
    public void Degrees_outside_the_graph_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseSymbolicFactor.FlopsLowerBound([0, 3, 1]));
    }
}
