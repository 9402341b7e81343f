using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// Regression net over irregular markets (System.Random with a fixed seed, used only to make test data):
/// sizes 1–25 per side, sparse to dense pairs, caps, sellers with V = 0 or negative marginal cost,
/// negative preferences, slopes over four decades and ε from 1e-4 to 1. Both solvers must converge,
/// agree on net positions within 1e-5 MW and pass the KKT checker.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class RandomMarketTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 40; seed++) data.Add(seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void IrregularMarket_BothSolversConvergeAgreeAndPassKkt(int seed)
    {
        var problem = RandomMarket(seed);
        var central = CentralizedP2PSolver.Solve(problem);
        var admm = AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(MaxIterations: 50000));

        Assert.Equal(SolveStatus.Converged, central.Status);
        Assert.Equal(SolveStatus.Converged, admm.Status);
        for (int k = 0; k < problem.Peers.Count; k++)
            Assert.Equal(central.NetPositionMw[k], admm.NetPositionMw[k], 1e-5);
        var centralKkt = P2PKktChecker.Check(problem, central);
        Assert.True(centralKkt.IsSatisfied(1e-9, 1e-5), centralKkt.ToString());
        var admmKkt = P2PKktChecker.Check(problem, admm, activeToleranceMw: 1e-7);
        Assert.True(admmKkt.IsSatisfied(1e-9, 1e-3), admmKkt.ToString());
    }

    private static P2PMarketProblem RandomMarket(int seed)
    {
        var rng = new Random(seed);
        int sellers = rng.Next(1, 26), buyers = rng.Next(1, 26);
        var peers = new List<Peer>();
        for (int i = 0; i < sellers; i++)
        {
            double v = rng.NextDouble() < 0.05 ? 0 : 0.005 + rng.NextDouble();
            double pi = 30 + 40 * rng.NextDouble() - (rng.NextDouble() < 0.1 ? 60 : 0);
            peers.Add(new Peer($"s{i}", PeerRole.Seller, v, pi, Math.Pow(10, -1 + 4 * rng.NextDouble())));
        }

        for (int j = 0; j < buyers; j++)
        {
            double v = 0.005 + rng.NextDouble();
            peers.Add(new Peer($"b{j}", PeerRole.Buyer, v, 60 + 60 * rng.NextDouble(), Math.Pow(10, -1 + 4 * rng.NextDouble())));
        }

        double density = rng.NextDouble();
        double capShare = rng.NextDouble() < 0.5 ? 0 : rng.NextDouble();
        var pairs = new List<TradePair>();
        for (int i = 0; i < sellers; i++)
        {
            for (int j = 0; j < buyers; j++)
            {
                if (rng.NextDouble() >= density) continue;
                double cap = rng.NextDouble() < capShare ? 0.3 * rng.NextDouble() : double.PositiveInfinity;
                pairs.Add(new TradePair(i, sellers + j, 30 * rng.NextDouble() - 5, 30 * rng.NextDouble() - 5, cap));
            }
        }

        return new P2PMarketProblem(peers, pairs, Math.Pow(10, -4 + 4 * rng.NextDouble()));
    }
}
