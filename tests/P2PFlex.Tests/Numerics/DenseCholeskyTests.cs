using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Numerics;

/// <summary>
/// The dense Cholesky's results do not depend on the machine: every dot product is summed in the documented fixed order
/// (fewer than 8 terms one after the other; otherwise four lanes over the first 4⌊len/4⌋ terms, added as
/// (l0 + l1) + (l2 + l3), then the rest), whatever vector width the processor has. The references here are plain scalar
/// code written from that description, compared bit for bit. And the dense normal system's two Schur updates (blocked
/// panels, one eliminated peer at a time) give the same bits. Data from System.Random with fixed seeds.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class DenseCholeskyTests
{
    /// <summary>The documented order, scalar.</summary>
    private static double ReferenceDot(double[] x, double[] y, int offsetX, int offsetY, int len)
    {
        int k = 0;
        double sum = 0;
        if (len >= 8)
        {
            var lane = new double[4];
            for (; k + 4 <= len; k += 4)
                for (int l = 0; l < 4; l++) lane[l] += x[offsetX + k + l] * y[offsetY + k + l];
            sum = (lane[0] + lane[1]) + (lane[2] + lane[3]);
        }
        for (; k < len; k++) sum += x[offsetX + k] * y[offsetY + k];
        return sum;
    }

    /// <summary>Row-by-row Cholesky (entry j of row i from rows 0 … j), the reference dot product, the same pivot floor.</summary>
    private static void ReferenceFactorize(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j] - ReferenceDot(a, a, i * n, j * n, j);
                if (i == j)
                {
                    double floor = 1e-13 * Math.Abs(a[i * n + j]) + double.Epsilon;
                    a[i * n + j] = Math.Sqrt(s > floor ? s : floor);
                }
                else a[i * n + j] = s / a[j * n + j];
            }
    }

    /// <summary>A random symmetric positive definite matrix (row-major, full), entries of mixed magnitude so that the
    /// summation order shows in the last bits.</summary>
    private static double[] RandomSpd(int n, Random rng)
    {
        var b = new double[n * n];
        for (int t = 0; t < b.Length; t++) b[t] = (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-8, 8));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
                a[i * n + j] = a[j * n + i] = s + (i == j ? n : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(13)]
    [InlineData(37)]
    [InlineData(256)]
    public void Dot_is_the_fixed_order_sum(int len)
    {
        var rng = new Random(len + 1);
        var x = Enumerable.Range(0, len).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-20, 20))).ToArray();
        var y = Enumerable.Range(0, len).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-20, 20))).ToArray();
        Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceDot(x, y, 0, 0, len)), BitConverter.DoubleToInt64Bits(DenseCholesky.Dot(x, y)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    [InlineData(12, 3)]
    [InlineData(13, 4)]
    [InlineData(16, 5)]
    [InlineData(67, 6)]
    [InlineData(150, 7)]
    [InlineData(14, 8)]
    [InlineData(17, 9)]
    [InlineData(18, 10)]
    [InlineData(68, 11)]
    [InlineData(101, 12)]
    public void Factor_and_solution_equal_the_fixed_order_reference_bit_for_bit(int n, int seed)
    {
        var rng = new Random(seed);
        var a = RandomSpd(n, rng);
        var expected = (double[])a.Clone();
        ReferenceFactorize(expected, n);
        DenseCholesky.Factorize(a, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i * n + j]) == BitConverter.DoubleToInt64Bits(a[i * n + j]),
                    $"L[{i},{j}]: {a[i * n + j]:R}, reference {expected[i * n + j]:R}");

        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = (double[])b.Clone();
        DenseCholesky.Solve(a, n, x);
        // Reference solve: forward with the reference dot, backward one term after another.
        var r = (double[])b.Clone();
        for (int i = 0; i < n; i++) r[i] = (r[i] - ReferenceDot(expected, r, i * n, 0, i)) / expected[i * n + i];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = r[i];
            for (int k = i + 1; k < n; k++) s -= expected[k * n + i] * r[k];
            r[i] = s / expected[i * n + i];
        }
        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(r[i]), BitConverter.DoubleToInt64Bits(x[i]));
    }

    /// <summary>A bilateral market of <paramref name="sellers"/> × <paramref name="buyers"/> peers where each pair exists
    /// with probability <paramref name="density"/>.</summary>
    private static P2PNetwork Market(int sellers, int buyers, double density, int seed)
    {
        var rng = new Random(seed);
        var peers = new List<Peer>();
        for (int k = 0; k < sellers + buyers; k++)
        {
            double v = 0.01 + rng.NextDouble();
            peers.Add(k < sellers
                ? new Peer($"s{k}", PeerRole.Seller, v, 40 + 20 * rng.NextDouble(), 5 / v)
                : new Peer($"b{k}", PeerRole.Buyer, v, 70 + 20 * rng.NextDouble(), 5 / v));
        }
        var pairs = new List<TradePair>();
        for (int i = 0; i < sellers; i++)
            for (int j = sellers; j < sellers + buyers; j++)
                if (rng.NextDouble() < density) pairs.Add(new TradePair(i, j, 2 + 3 * rng.NextDouble(), 2 + 3 * rng.NextDouble()));
        return P2PNetwork.Build(new P2PMarketProblem(peers, pairs, 1e-3));
    }

    [Theory]
    [InlineData(30, 41, 1.0, 1)]
    [InlineData(61, 44, 1.0, 2)]
    [InlineData(57, 70, 0.6, 3)]
    [InlineData(90, 83, 0.2, 4)]
    [InlineData(9, 12, 1.0, 5)]
    public void Panel_and_one_peer_at_a_time_Schur_updates_give_the_same_bits(int sellers, int buyers, double density, int seed)
    {
        var net = Market(sellers, buyers, density, seed);
        var panels = new BipartiteNormalSystem(net, panels: true);
        var single = new BipartiteNormalSystem(net, panels: false);
        var rng = new Random(seed + 50);
        int n = net.PeerCount;
        for (int round = 0; round < 3; round++)
        {
            // Round 0: Newton-step weights (1/ε or 0); then interior-point-like weights of every magnitude.
            var own = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5 ? 0 : rng.NextDouble()).ToArray();
            var pair = Enumerable.Range(0, net.PairCount)
                .Select(_ => round == 0 ? (rng.NextDouble() < 0.4 ? 0 : 1e3) : rng.NextDouble() * Math.Pow(10, rng.Next(-6, 6))).ToArray();
            var shift = Enumerable.Range(0, n).Select(_ => 1e-6 * (1 + rng.NextDouble())).ToArray();
            var rhs = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            panels.Factorize(own, pair, shift);
            single.Factorize(own, pair, shift);
            var xp = new double[n];
            var xs = new double[n];
            panels.Solve(rhs, xp);
            single.Solve(rhs, xs);
            for (int k = 0; k < n; k++)
                Assert.True(BitConverter.DoubleToInt64Bits(xp[k]) == BitConverter.DoubleToInt64Bits(xs[k]), $"round {round}, peer {k}: {xp[k]:R} vs {xs[k]:R}");
        }
    }
}
