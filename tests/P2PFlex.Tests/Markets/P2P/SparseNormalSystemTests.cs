using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// The sparse normal system of the centralised solver against the dense Schur-complement one, on random markets of
/// several sizes with local trade graphs (each peer trades with counterparts of nearby index, like the synthetic
/// markets' electrically nearest ones), and whole solves with either one forced.
/// </summary>
public class SparseNormalSystemTests
{
    /// <summary>Peers on a line, sellers and buyers mixed; each seller trades with the buyers among its
    /// <paramref name="reach"/> neighbours on either side (System.Random, fixed seed, only to make data).</summary>
    internal static P2PMarketProblem LocalMarket(int peers, int reach, int seed, double capShare = 0.2)
    {
        var rng = new Random(seed);
        var list = new List<Peer>();
        for (int k = 0; k < peers; k++)
        {
            bool seller = rng.NextDouble() < 0.5 || k == 0;
            if (k == peers - 1 && list.All(p => p.Role == PeerRole.Seller)) seller = false;
            double v = 0.01 + rng.NextDouble();
            list.Add(seller
                ? new Peer($"s{k}", PeerRole.Seller, v, 40 + 20 * rng.NextDouble(), 5 / v)
                : new Peer($"b{k}", PeerRole.Buyer, v, 70 + 20 * rng.NextDouble(), 5 / v));
        }
        var pairs = new List<TradePair>();
        for (int i = 0; i < peers; i++)
        {
            if (list[i].Role != PeerRole.Seller) continue;
            for (int j = Math.Max(0, i - reach); j <= Math.Min(peers - 1, i + reach); j++)
            {
                if (list[j].Role != PeerRole.Buyer) continue;
                double cap = rng.NextDouble() < capShare ? 0.05 + 0.2 * rng.NextDouble() : double.PositiveInfinity;
                pairs.Add(new TradePair(i, j, 2 + 3 * rng.NextDouble(), 2 + 3 * rng.NextDouble(), cap));
            }
        }
        return new P2PMarketProblem(list, pairs, 1e-3);
    }

    public static TheoryData<int, int, int> Markets() => new()
    {
        { 20, 3, 1 }, { 120, 8, 2 }, { 400, 10, 3 }, { 1500, 12, 4 },
    };

    [Theory]
    [MemberData(nameof(Markets))]
    public void Sparse_and_dense_normal_systems_give_the_same_solutions(int peers, int reach, int seed)
    {
        var net = P2PNetwork.Build(LocalMarket(peers, reach, seed));
        var dense = new BipartiteNormalSystem(net);
        var sparse = new SparseNormalSystem(net, SparseNormalSystem.Analyze(net));
        var rng = new Random(seed + 100);
        int n = net.PeerCount;
        for (int round = 0; round < 3; round++)
        {
            // Weights as in a Newton step: 1/ε for active trades, 0 for inactive ones; tiny shifts (γ-regularisation).
            var own = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5 ? 0 : rng.NextDouble()).ToArray();
            var pair = Enumerable.Range(0, net.PairCount).Select(_ => rng.NextDouble() < 0.4 ? 0 : 1e3).ToArray();
            var shift = Enumerable.Range(0, n).Select(_ => 1e-6 * (1 + rng.NextDouble())).ToArray();
            var rhs = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            dense.Factorize(own, pair, shift);
            sparse.Factorize(own, pair, shift);
            var xd = new double[n];
            var xs = new double[n];
            dense.Solve(rhs, xd);
            sparse.Solve(rhs, xs);
            // Compare through the residual K x − b (the solutions themselves can be large along nearly flat
            // directions, where both are equally right).
            double scale = xd.Max(Math.Abs);
            for (int k = 0; k < n; k++) Assert.True(Math.Abs(xs[k] - xd[k]) <= 1e-8 * scale, $"peer {k}: sparse {xs[k]}, dense {xd[k]}");
        }
    }

    [Theory]
    [InlineData(400, 10, 5)]
    [InlineData(800, 12, 6)]
    public void Solver_gives_the_same_market_with_either_normal_system(int peers, int reach, int seed)
    {
        var problem = LocalMarket(peers, reach, seed);
        var dense = CentralizedP2PSolver.Solve(problem, null, null, net => new BipartiteNormalSystem(net));
        var sparse = CentralizedP2PSolver.Solve(problem, null, null, net => new SparseNormalSystem(net, SparseNormalSystem.Analyze(net)));
        Assert.Equal(SolveStatus.Converged, dense.Status);
        Assert.Equal(SolveStatus.Converged, sparse.Status);
        for (int k = 0; k < problem.Peers.Count; k++)
        {
            Assert.Equal(dense.PriceEurPerMwh[k], sparse.PriceEurPerMwh[k], 1e-6);
            Assert.Equal(dense.NetPositionMw[k], sparse.NetPositionMw[k], 1e-8);
        }
        var kkt = P2PKktChecker.Check(problem, sparse);
        Assert.True(kkt.IsSatisfied(1e-9, 1e-5), kkt.ToString());

        // Warm re-solve after a preference change reuses the cached analysis and still converges.
        var shifted = problem with { Pairs = problem.Pairs.Select(p => p with { SellerPreferenceEurPerMwh = p.SellerPreferenceEurPerMwh + 0.5 }).ToArray() };
        var warm = CentralizedP2PSolver.Solve(shifted, null, sparse.PriceEurPerMwh);
        Assert.Equal(SolveStatus.Converged, warm.Status);
        var warmKkt = P2PKktChecker.Check(shifted, warm);
        Assert.True(warmKkt.IsSatisfied(1e-9, 1e-5), warmKkt.ToString());
    }

    [Fact]
    public void Small_markets_keep_the_dense_path_and_large_local_ones_take_the_sparse_one()
    {
        Assert.IsType<BipartiteNormalSystem>(NormalSystem.Create(P2PNetwork.Build(LocalMarket(120, 8, 7))));
        Assert.IsType<SparseNormalSystem>(NormalSystem.Create(P2PNetwork.Build(LocalMarket(1500, 12, 8))));
    }

    /// <summary>The choice is the one the full analysis makes (penalty × sparse flops &lt; dense flops), on markets from
    /// complete (ruled out by the degree bound) through middling (the ordering stops early) to local (sparse).</summary>
    [Theory]
    [InlineData(400, 400, 11)]
    [InlineData(400, 60, 12)]
    [InlineData(400, 30, 13)]
    [InlineData(400, 12, 14)]
    [InlineData(1500, 12, 15)]
    public void The_normal_system_is_the_one_the_full_analysis_chooses(int peers, int reach, int seed)
    {
        var net = P2PNetwork.Build(LocalMarket(peers, reach, seed));
        var chosen = NormalSystem.Create(net); // first, so that its analysis is not taken from the cache
        int sellers = net.IsSeller.Count(s => s);
        int kept = Math.Min(sellers, peers - sellers);
        bool sparse = kept > NormalSystem.DenseOnlyKeptPeers
            && NormalSystem.SparseFlopPenalty * SparseNormalSystem.Analyze(net).FactorFlops < NormalSystem.DenseFlops(net, kept);
        if (sparse) Assert.IsType<SparseNormalSystem>(chosen);
        else Assert.IsType<BipartiteNormalSystem>(chosen);
    }
}
