using System.Runtime.Intrinsics;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Numerics;

/// <summary>
/// <see cref="JaggedCholesky"/> computes four sums side by side; each must still be the plain sum (start from the matrix
/// entry, subtract the rounded products one after another in ascending k), so the factor and the forward substitution
/// equal the one-entry-at-a-time loops bit for bit, for every size around the blocks of four and from every start
/// column a kept prefix can leave, one row at a time and four rows at a time.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class JaggedCholeskyTests
{
    /// <summary>A random symmetric positive definite matrix as jagged lower rows, entries of mixed magnitudes so that the
    /// order of the subtractions shows in the last bits.</summary>
    private static double[][] RandomSpd(Random rng, int n)
    {
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[i, j] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4));
        var s = new double[n][];
        for (int i = 0; i < n; i++)
        {
            s[i] = new double[i + 1];
            for (int j = 0; j <= i; j++)
            {
                double v = i == j ? n : 0;
                for (int k = 0; k < n; k++) v += b[i, k] * b[j, k];
                s[i][j] = v;
            }
        }
        return s;
    }

    /// <summary>The loop <see cref="JaggedCholesky"/> replaced: one entry at a time.</summary>
    private static double[][] PlainFactor(double[][] s)
    {
        int n = s.Length;
        var l = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var li = new double[i + 1];
            for (int j = 0; j <= i; j++)
            {
                double v = s[i][j];
                var lj = j == i ? li : l[j];
                for (int k = 0; k < j; k++) v -= li[k] * lj[k];
                li[j] = i == j ? Math.Sqrt(v) : v / lj[j];
            }
            l[i] = li;
        }
        return l;
    }

    private static void PlainForward(double[][] l, double[] b)
    {
        for (int i = 0; i < l.Length; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * b[k];
            b[i] = s / l[i][i];
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(40)]
    [InlineData(101)]
    [InlineData(166)]
    public void Rows_and_forward_substitution_equal_the_plain_loops_bit_for_bit(int n)
    {
        var rng = new Random(n);
        for (int trial = 0; trial < 5; trial++)
        {
            var s = RandomSpd(rng, n);
            var expected = PlainFactor(s);
            // From every start column: entries before it taken from the plain factor, as a kept prefix is.
            for (int from = 0; from < n; from += Math.Max(1, n / 9))
            {
                foreach (bool fourRows in new[] { false, true })
                {
                    if (fourRows && !Vector256.IsHardwareAccelerated) continue;
                    var l = new double[n][];
                    var pivots = new double[4];
                    for (int i = 0; i < n;)
                    {
                        int rows = fourRows && i >= from && i + 4 <= n ? 4 : 1;
                        int start = Math.Min(from, i);
                        for (int r = 0; r < rows; r++)
                        {
                            l[i + r] = new double[i + r + 1];
                            Array.Copy(expected[i + r], l[i + r], start);
                        }
                        if (rows == 4) JaggedCholesky.FourRows(s, l, i, start, pivots);
                        else l[i][i] = Math.Sqrt(JaggedCholesky.Row(s[i], l, l[i], start));
                        for (int r = 0; r < rows; r++)
                        {
                            double d = s[i + r][i + r];
                            for (int k = 0; k < i + r; k++) d -= expected[i + r][k] * expected[i + r][k];
                            Assert.True(rows == 1 || BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(pivots[r]),
                                $"n {n}, from {from}: pivot {i + r} = {pivots[r]:R}, plain loop {d:R}");
                        }
                        i += rows;
                    }
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j <= i; j++)
                            Assert.True(BitConverter.DoubleToInt64Bits(expected[i][j]) == BitConverter.DoubleToInt64Bits(l[i][j]),
                                $"n {n}, trial {trial}, from {from}, four rows {fourRows}: L[{i}][{j}] = {l[i][j]:R}, plain loop {expected[i][j]:R}");
                }
            }

            var b = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4))).ToArray();
            var plain = (double[])b.Clone();
            PlainForward(expected, plain);
            JaggedCholesky.Forward(expected, b);
            for (int i = 0; i < n; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(plain[i]) == BitConverter.DoubleToInt64Bits(b[i]),
                    $"n {n}, trial {trial}: y[{i}] = {b[i]:R}, plain loop {plain[i]:R}");
        }
    }

    [Fact]
    public void Short_rows_are_refused_with_their_index()
    {
        var l = new[] { new[] { 1.0 }, new[] { 0.5 } };
        var ex = Assert.Throws<ArgumentException>(() => JaggedCholesky.Forward(l, [1.0, 2.0]));
        Assert.Contains("row 1", ex.Message);
    }
}
