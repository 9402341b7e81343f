using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// The fast kernels of the centralised solver against the plain loops they replace, bit for bit: the interior-point
/// phase's vector passes against the same passes one variable at a time, and the dense normal system (diagonals and
/// runs four peers side by side, back substitution over the runs) against a plain copy of its former loops.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class SolverKernelTests
{
    /// <summary>A bilateral market with binding caps, some zero caps and peers of zero volume (fixed variables), whose
    /// pairs are listed in a shuffled order when <paramref name="shuffled"/> (then runs need sorting).</summary>
    private static P2PMarketProblem Market(int sellers, int buyers, double density, int seed, bool shuffled, double capShare = 0.5)
    {
        var rng = new Random(seed);
        var peers = new List<Peer>();
        for (int k = 0; k < sellers + buyers; k++)
        {
            double v = rng.NextDouble() < 0.05 ? 0 : 0.01 + rng.NextDouble();
            peers.Add(k < sellers
                ? new Peer($"s{k}", PeerRole.Seller, v, 40 + 20 * rng.NextDouble(), 5 / Math.Max(v, 0.01))
                : new Peer($"b{k}", PeerRole.Buyer, v, 70 + 20 * rng.NextDouble(), 5 / Math.Max(v, 0.01)));
        }

        var pairs = new List<TradePair>();
        for (int i = 0; i < sellers; i++)
            for (int j = sellers; j < sellers + buyers; j++)
            {
                if (rng.NextDouble() >= density) continue;
                double u = rng.NextDouble();
                double cap = u < 0.05 ? 0 : u < capShare ? 0.01 + 0.05 * rng.NextDouble() : double.PositiveInfinity;
                pairs.Add(new TradePair(i, j, 2 + 3 * rng.NextDouble(), 2 + 3 * rng.NextDouble(), cap));
            }

        if (shuffled)
        {
            for (int p = pairs.Count - 1; p > 0; p--)
            {
                int q = rng.Next(p + 1);
                (pairs[p], pairs[q]) = (pairs[q], pairs[p]);
            }
        }

        return new P2PMarketProblem(peers, pairs, 1e-3);
    }

    private static void AssertSameBits(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[k]) == BitConverter.DoubleToInt64Bits(actual[k]),
                $"{what}[{k}]: {expected[k]:R} vs {actual[k]:R}");
    }

    [Theory]
    [InlineData(23, 31, 1.0, 1, false)]
    [InlineData(40, 29, 0.7, 2, true)]
    [InlineData(61, 58, 0.3, 3, false)]
    [InlineData(17, 9, 1.0, 4, true)]
    // Uncapped trades but the zero caps (5 %): mostly plain blocks of four, some mixed with fixed trades.
    [InlineData(23, 31, 1.0, 5, false, 0.0)]
    [InlineData(40, 29, 0.7, 6, true, 0.0)]
    [InlineData(37, 44, 1.0, 7, false, 0.03)]
    public void Interior_point_vector_passes_give_the_same_market_as_one_variable_at_a_time(
        int sellers, int buyers, double density, int seed, bool shuffled, double capShare = 0.5)
    {
        var problem = Market(sellers, buyers, density, seed, shuffled, capShare);
        // Few active-set steps first, so that the interior-point phase runs and does most of the work.
        var options = new CentralizedSolverOptions(ActiveSetIterations: 1);
        var vector = CentralizedP2PSolver.Solve(problem, options, null, NormalSystem.Create, vectorized: true);
        var scalar = CentralizedP2PSolver.Solve(problem, options, null, NormalSystem.Create, vectorized: false);
        Assert.Equal(CentralizedP2PSolver.NameWithInteriorPoint, vector.Solver);
        Assert.Equal(scalar.Status, vector.Status);
        Assert.Equal(scalar.Iterations, vector.Iterations);
        AssertSameBits(scalar.PriceEurPerMwh, vector.PriceEurPerMwh, "price");
        AssertSameBits(scalar.TradesMw, vector.TradesMw, "trade");
        Assert.Equal(BitConverter.DoubleToInt64Bits(scalar.DualResidualEurPerMwh), BitConverter.DoubleToInt64Bits(vector.DualResidualEurPerMwh));
    }

    [Theory]
    [InlineData(30, 41, 1.0, 1, false)]
    [InlineData(45, 33, 1.0, 2, false)]
    [InlineData(57, 70, 0.6, 3, true)]
    [InlineData(90, 83, 0.2, 4, false)]
    [InlineData(9, 14, 0.5, 5, true)]
    [InlineData(3, 2, 1.0, 6, false)]
    public void Dense_normal_system_gives_the_bits_of_its_plain_loops(int sellers, int buyers, double density, int seed, bool shuffled)
    {
        var net = P2PNetwork.Build(Market(sellers, buyers, density, seed, shuffled));
        var fast = new BipartiteNormalSystem(net);
        var plain = new PlainBipartiteNormalSystem(net);
        var rng = new Random(seed + 70);
        int n = net.PeerCount;
        for (int round = 0; round < 4; round++)
        {
            // Round 0: Newton-step weights (1/ε or 0); then interior-point-like weights of every magnitude.
            var own = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5 ? 0 : rng.NextDouble()).ToArray();
            var pair = Enumerable.Range(0, net.PairCount)
                .Select(_ => round == 0 ? (rng.NextDouble() < 0.4 ? 0 : 1e3)
                    : rng.NextDouble() < 0.1 * round ? 0 : rng.NextDouble() * Math.Pow(10, rng.Next(-6, 6))).ToArray();
            var shift = Enumerable.Range(0, n).Select(_ => 1e-6 * (1 + rng.NextDouble())).ToArray();
            var rhs = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            fast.Factorize(own, pair, shift);
            plain.Factorize(own, pair, shift);
            var xf = new double[n];
            var xp = new double[n];
            fast.Solve(rhs, xf);
            plain.Solve(rhs, xp);
            AssertSameBits(xp, xf, $"round {round}, x");
        }
    }

    /// <summary>The per-peer signed sums (interior point's A·w, the dual gradient) against the pass over the pairs that
    /// adds ±value into both ends, on markets whose peers have different degrees and whose pairs are shuffled.</summary>
    [Theory]
    [InlineData(13, 29, 0.5, 1, true)]
    [InlineData(40, 33, 1.0, 2, false)]
    [InlineData(7, 3, 0.7, 3, true)]
    public void Signed_pair_sums_equal_the_pass_over_the_pairs(int sellers, int buyers, double density, int seed, bool shuffled)
    {
        var net = P2PNetwork.Build(Market(sellers, buyers, density, seed, shuffled));
        var rng = new Random(seed + 90);
        int n = net.PeerCount, m = net.PairCount;
        foreach (double sellerSign in new[] { 1.0, -1.0 })
        {
            var own = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 8))).ToArray();
            var value = Enumerable.Range(0, m).Select(_ => rng.NextDouble() < 0.2 ? 0 : (rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-8, 8))).ToArray();
            var expected = new double[n];
            for (int k = 0; k < n; k++) expected[k] = (net.IsSeller[k] == (sellerSign > 0)) ? -own[k] : own[k];
            for (int p = 0; p < m; p++)
            {
                if (sellerSign > 0)
                {
                    expected[net.PairSeller[p]] += value[p];
                    expected[net.PairBuyer[p]] -= value[p];
                }
                else
                {
                    expected[net.PairSeller[p]] -= value[p];
                    expected[net.PairBuyer[p]] += value[p];
                }
            }
            var result = new double[n];
            net.SignedPairSums(own, value, sellerSign, result);
            AssertSameBits(expected, result, $"sign {sellerSign}, sum");
            net.SignedPairSums(own, value, sellerSign, own); // in place, as the dual gradient uses it
            AssertSameBits(expected, own, $"sign {sellerSign}, in place");
        }
    }

    /// <summary>The dense normal system's former loops, one peer and one term at a time: diagonals over the adjacency,
    /// each eliminated peer's neighbours collected and sorted, the Schur update one entry at a time, the back
    /// substitution over the adjacency.</summary>
    private sealed class PlainBipartiteNormalSystem
    {
        private readonly P2PNetwork _net;
        private readonly int[] _side;
        private readonly int[] _kept;
        private readonly double[] _schur;
        private readonly double[] _diag;
        private double[] _pairWeight = [];

        public PlainBipartiteNormalSystem(P2PNetwork net)
        {
            _net = net;
            int n = net.PeerCount;
            int sellers = net.IsSeller.Count(s => s);
            bool keepSellers = sellers <= n - sellers;
            _side = new int[n];
            var kept = new List<int>();
            for (int k = 0; k < n; k++)
            {
                _side[k] = net.IsSeller[k] == keepSellers ? kept.Count : -1;
                if (_side[k] >= 0) kept.Add(k);
            }
            _kept = kept.ToArray();
            _schur = new double[_kept.Length * _kept.Length];
            _diag = new double[n];
        }

        private int Other(int p, int k) => _net.PairSeller[p] == k ? _net.PairBuyer[p] : _net.PairSeller[p];

        public void Factorize(double[] own, double[] pairWeight, double[] shift)
        {
            var net = _net;
            _pairWeight = pairWeight;
            for (int k = 0; k < net.PeerCount; k++)
            {
                double d = own[k] + shift[k];
                for (int a = net.AdjacencyStart[k]; a < net.AdjacencyStart[k + 1]; a++) d += pairWeight[net.AdjacentPairs[a]];
                _diag[k] = d;
            }
            int nk = _kept.Length;
            Array.Clear(_schur);
            for (int v = 0; v < nk; v++) _schur[v * nk + v] = _diag[_kept[v]];
            for (int u = 0; u < net.PeerCount; u++)
            {
                if (_side[u] >= 0) continue;
                var neighbours = new List<(int Kept, double Weight)>();
                for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
                {
                    int p = net.AdjacentPairs[a];
                    if (pairWeight[p] != 0) neighbours.Add((_side[Other(p, u)], pairWeight[p]));
                }
                neighbours.Sort((x, y) => x.Kept.CompareTo(y.Kept));
                double inv = 1.0 / _diag[u];
                for (int i = 0; i < neighbours.Count; i++)
                {
                    double wi = neighbours[i].Weight * inv;
                    for (int j = 0; j <= i; j++) _schur[neighbours[i].Kept * nk + neighbours[j].Kept] -= wi * neighbours[j].Weight;
                }
            }
            DenseCholesky.Factorize(_schur, nk);
        }

        public void Solve(double[] rhs, double[] solution)
        {
            var net = _net;
            int nk = _kept.Length;
            var keptRhs = new double[nk];
            for (int v = 0; v < nk; v++) keptRhs[v] = rhs[_kept[v]];
            for (int u = 0; u < net.PeerCount; u++)
            {
                if (_side[u] >= 0) continue;
                var neighbours = new List<(int Kept, double Weight)>();
                for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
                {
                    int p = net.AdjacentPairs[a];
                    if (_pairWeight[p] != 0) neighbours.Add((_side[Other(p, u)], _pairWeight[p]));
                }
                neighbours.Sort((x, y) => x.Kept.CompareTo(y.Kept));
                double g = rhs[u] / _diag[u];
                foreach (var (kept, weight) in neighbours) keptRhs[kept] += weight * g;
            }
            DenseCholesky.Solve(_schur, nk, keptRhs);
            for (int v = 0; v < nk; v++) solution[_kept[v]] = keptRhs[v];
            for (int u = 0; u < net.PeerCount; u++)
            {
                if (_side[u] >= 0) continue;
                double s = rhs[u];
                for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
                {
                    int p = net.AdjacentPairs[a];
                    double w = _pairWeight[p];
                    if (w != 0) s += w * solution[Other(p, u)];
                }
                solution[u] = s / _diag[u];
            }
        }
    }
}
