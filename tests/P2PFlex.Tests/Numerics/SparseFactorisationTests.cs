using P2PFlex.Grid;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Numerics;

/// <summary>
/// The symbolic/numeric split (minimum-degree ordering, symbolic factor, Cholesky and static-pivot LU
/// refactorisation) against plain dense elimination and against the pivoting <see cref="SparseLu"/>, on random
/// sparse matrices of several sizes (System.Random with fixed seeds, only to make data).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class SparseFactorisationTests
{
    /// <summary>Random structurally symmetric pattern: a ring (connected) plus random chords; entries listed once
    /// per unordered pair for symmetric use, with a few duplicates to check that they are summed.</summary>
    private static (int[] Rows, int[] Cols) RandomPattern(Random rng, int n, double extraPerRow)
    {
        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i < n; i++) { rows.Add(i); cols.Add(i); }
        for (int i = 1; i < n; i++) { rows.Add(i); cols.Add(i - 1); }
        int extra = (int)(extraPerRow * n);
        for (int e = 0; e < extra; e++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            if (i == j) continue;
            rows.Add(i);
            cols.Add(j);
        }
        if (n > 2) { rows.Add(1); cols.Add(0); } // a duplicate
        return (rows.ToArray(), cols.ToArray());
    }

    private static double[,] DenseSymmetric(int n, int[] rows, int[] cols, double[] values)
    {
        var a = new double[n, n];
        for (int t = 0; t < rows.Length; t++)
        {
            a[rows[t], cols[t]] += values[t];
            if (rows[t] != cols[t]) a[cols[t], rows[t]] += values[t];
        }
        return a;
    }

    private static double[] Multiply(double[,] a, double[] x)
    {
        int n = x.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) y[i] += a[i, j] * x[j];
        return y;
    }

    public static TheoryData<int, int> Sizes() => new() { { 1, 1 }, { 2, 2 }, { 7, 3 }, { 40, 4 }, { 150, 5 }, { 600, 6 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Ordering_is_a_permutation(int n, int seed)
    {
        var rng = new Random(seed);
        var (rows, cols) = RandomPattern(rng, n, 2);
        var symbolic = SparseSymbolicFactor.Analyze(n, rows, cols);
        Assert.Equal(Enumerable.Range(0, n), symbolic.Order.Order());
    }

    [Fact]
    public void Minimum_degree_eliminates_the_leaves_of_a_star_before_its_centre()
    {
        // Star with centre 0 and 5 leaves: eliminating the centre first would fill the leaves into a clique.
        int[] start = [0, 5, 6, 7, 8, 9, 10];
        int[] adjacency = [1, 2, 3, 4, 5, 0, 0, 0, 0, 0];
        var order = MinimumDegreeOrdering.Order(6, start, adjacency);
        Assert.NotEqual(0, order[0]);
        var symbolic = SparseSymbolicFactor.Analyze(6, [0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0]);
        Assert.Equal(5, symbolic.LowerNonZeros); // no fill at all
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Cholesky_solves_random_spd_systems_and_refactorises_new_values(int n, int seed)
    {
        var rng = new Random(seed);
        var (rows, cols) = RandomPattern(rng, n, 1.5);
        var symbolic = SparseSymbolicFactor.Analyze(n, rows, cols);
        var cholesky = new SparseCholesky(symbolic);
        for (int round = 0; round < 3; round++)
        {
            // Weighted Laplacian (some weights 0) plus a positive diagonal: the P2P normal matrices' form.
            var values = new double[rows.Length];
            var diagonal = new double[n];
            for (int t = n; t < rows.Length; t++)
            {
                double w = rng.NextDouble() < 0.3 ? 0 : Math.Pow(10, 3 * rng.NextDouble());
                values[t] = -w;
                diagonal[rows[t]] += w;
                diagonal[cols[t]] += w;
            }
            for (int i = 0; i < n; i++) values[i] = diagonal[i] + 1e-3 + rng.NextDouble();
            cholesky.Factorize(values);
            var a = DenseSymmetric(n, rows, cols, values);
            var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var x = new double[n];
            cholesky.Solve(b, x);
            var ax = Multiply(a, x);
            double scale = b.Max(Math.Abs) + 1e-300;
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(ax[i] - b[i]) <= 1e-9 * scale * Math.Max(1, n / 100.0), $"row {i}: {ax[i]} vs {b[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Static_pivot_lu_matches_pivoting_lu_on_unsymmetric_values(int n, int seed)
    {
        var rng = new Random(seed);
        var (sym, symCols) = RandomPattern(rng, n, 1.5);
        // Both orientations of every off-diagonal entry, with unrelated values; diagonally dominant.
        var rows = sym.Concat(symCols.Skip(n)).ToArray();
        var cols = symCols.Concat(sym.Skip(n)).ToArray();
        var values = new double[rows.Length];
        var rowSum = new double[n];
        for (int t = n; t < rows.Length; t++)
        {
            values[t] = rng.NextDouble() * 2 - 1;
            rowSum[rows[t]] += Math.Abs(values[t]);
        }
        for (int i = 0; i < n; i++) values[i] = (rng.NextDouble() < 0.5 ? -1 : 1) * (rowSum[i] + 0.5);
        var symbolic = SparseSymbolicFactor.Analyze(n, rows, cols);
        var lu = new StaticPivotLu(symbolic);
        Assert.True(lu.TryFactorize(values));
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = new double[n];
        lu.Solve(b, x);
        var reference = SparseLu.Factor(n, Enumerable.Range(0, rows.Length).Select(t => (rows[t], cols[t], values[t]))).Solve(b);
        for (int i = 0; i < n; i++) Assert.Equal(reference[i], x[i], 1e-10);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Static_pivot_lu_gives_the_bits_of_plain_indexed_loops_on_every_refactorisation(int n, int seed)
    {
        // The factorisation runs through references without bounds checks and adds each entry through one work
        // index; a plain indexed up-looking LU on the same symbolic factor must give every bit of the solution,
        // also when the same instance refactorises new values (its accumulators must be zero again).
        var rng = new Random(seed);
        var (sym, symCols) = RandomPattern(rng, n, 1.5);
        var rows = sym.Concat(symCols.Skip(n)).ToArray();
        var cols = symCols.Concat(sym.Skip(n)).ToArray();
        var symbolic = SparseSymbolicFactor.Analyze(n, rows, cols);
        var lu = new StaticPivotLu(symbolic);
        for (int round = 0; round < 3; round++)
        {
            var values = new double[rows.Length];
            for (int t = 0; t < rows.Length; t++) values[t] = rows[t] == cols[t] ? 4 + n * rng.NextDouble() : rng.NextDouble() * 2 - 1;
            var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            Assert.True(lu.TryFactorize(values));
            var x = new double[n];
            lu.Solve(b, x);
            var expected = PlainStaticPivotSolve(symbolic, values, b);
            for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(x[i]));
        }
    }

    // The reference: the same elimination as StaticPivotLu, written with plain array indexing and a branch per entry.
    private static double[] PlainStaticPivotSolve(SparseSymbolicFactor s, double[] entryValues, double[] b)
    {
        int n = s.Size;
        var lower = new double[s.RowIndex.Length];
        var upper = new double[s.RowIndex.Length];
        var diagonal = new double[n];
        var x = new double[n];
        var z = new double[n];
        var next = s.ColumnStart[..n];
        for (int k = 0; k < n; k++)
        {
            double d = 0;
            for (int a = s.StepStart[k]; a < s.StepStart[k + 1]; a++)
            {
                double v = entryValues[s.StepEntry[a]];
                int o = s.StepOther[a];
                if (s.StepLeftOfDiagonal[a]) z[o] += v;
                else if (o == k) d += v;
                else x[o] += v;
            }
            for (int a = s.RowPatternStart[k]; a < s.RowPatternStart[k + 1]; a++)
            {
                int j = s.RowPattern[a];
                double ujk = x[j], lkj = z[j] / diagonal[j];
                x[j] = 0;
                z[j] = 0;
                int end = next[j];
                for (int p = s.ColumnStart[j]; p < end; p++)
                {
                    x[s.RowIndex[p]] -= lower[p] * ujk;
                    z[s.RowIndex[p]] -= upper[p] * lkj;
                }
                d -= lkj * ujk;
                lower[end] = lkj;
                upper[end] = ujk;
                next[j] = end + 1;
            }
            diagonal[k] = d;
        }
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = b[s.Order[k]];
        for (int j = 0; j < n; j++)
            for (int p = s.ColumnStart[j]; p < s.ColumnStart[j + 1]; p++) y[s.RowIndex[p]] -= lower[p] * y[j];
        for (int j = n - 1; j >= 0; j--)
        {
            double sum = y[j];
            for (int p = s.ColumnStart[j]; p < s.ColumnStart[j + 1]; p++) sum -= upper[p] * y[s.RowIndex[p]];
            y[j] = sum / diagonal[j];
        }
        var result = new double[n];
        for (int k = 0; k < n; k++) result[s.Order[k]] = y[k];
        return result;
    }

    [Fact]
    public void Static_pivot_lu_reports_a_zero_pivot_instead_of_dividing_by_it()
    {
        // [[0, 1], [1, 0]] needs a row exchange.
        var symbolic = SparseSymbolicFactor.Analyze(2, [0, 1, 0, 1], [0, 1, 1, 0]);
        var lu = new StaticPivotLu(symbolic);
        Assert.False(lu.TryFactorize([0, 0, 1, 1]));
        Assert.True(lu.TryFactorize([2, 3, 1, 1]));
        var x = new double[2];
        lu.Solve([3, 4], x);
        Assert.Equal(1, x[0], 1e-14);
        Assert.Equal(1, x[1], 1e-14);
    }

    [Fact]
    public void Analyze_names_a_missing_diagonal_entry()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseSymbolicFactor.Analyze(3, [0, 2, 1], [0, 2, 0]));
        Assert.Contains("row 1", e.Message);
    }

    [Theory]
    [InlineData("case69")]
    [InlineData("case141")]
    [InlineData("case533mt_hi")]
    public void Ac_power_flow_reuses_its_structure_and_gives_the_same_voltages_each_time(string name)
    {
        var network = GridNetwork.Load(TestData.CasePath(name));
        var first = AcPowerFlow.Solve(network);
        var second = AcPowerFlow.Solve(network);
        Assert.True(first.Converged);
        Assert.Equal(first.Voltages, second.Voltages);
        // Other loads on the same structure: half the base loads converge to higher voltages.
        var half = AcPowerFlow.Solve(network, network.Buses.Select(b => b.PdMw / 2).ToArray(), network.Buses.Select(b => b.QdMvar / 2).ToArray());
        Assert.True(half.Converged);
        Assert.True(half.MinimumVoltage.VmPu > first.MinimumVoltage.VmPu);
    }
}
