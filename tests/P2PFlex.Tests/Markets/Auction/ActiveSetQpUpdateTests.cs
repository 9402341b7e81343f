using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// The active-set solver with sparse rows and an updated Schur factor against the dense solver it replaced
/// (<see cref="DenseActiveSetQpReference"/>): both run the same algorithm with every sum in the same order, so they must
/// agree bit for bit, on generic programs (equalities, duplicated and dependent rows, most rows binding) and on
/// network-aware auctions of several sizes, optimal and least-overflow; and the KKT conditions hold over all rows.
/// </summary>
public class ActiveSetQpUpdateTests
{
    private static void AssertSame(QpSolution expected, QpSolution actual, string what)
    {
        Assert.True(expected.Status == actual.Status, $"{what}: status {actual.Status}, reference {expected.Status}");
        Assert.True(expected.Iterations == actual.Iterations, $"{what}: {actual.Iterations} iterations, reference {expected.Iterations}");
        Assert.Equal(expected.X, actual.X);
        Assert.Equal(expected.RowDual, actual.RowDual);
        Assert.Equal(expected.BoundDual, actual.BoundDual);
    }

    /// <summary>Random sparse programs (<see cref="RandomQpPrograms.DuplicatedRows"/>, fewer rows than variables): row 0
    /// an equality, some rows duplicated or the sum of two others, ranges tight around a feasible start or loose.</summary>
    [Theory]
    [InlineData(12, 6, 0.3, 1)]
    [InlineData(40, 30, 0.02, 2)]
    [InlineData(80, 60, 0.005, 3)]
    [InlineData(60, 45, 0.05, 4)]
    public void Generic_programs_match_the_dense_solver(int n, int m, double slack, int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 10; trial++)
        {
            var (qp, start) = RandomQpPrograms.DuplicatedRows(rng, n, m, slack);
            var expected = DenseActiveSetQpReference.Solve(qp, start);
            var actual = ActiveSetQpSolver.Solve(qp, start);
            AssertSame(expected, actual, $"n {n}, m {m}, trial {trial}");
            Assert.Equal(QpStatus.Optimal, actual.Status);
            Assert.True(actual.KktViolation(qp) < 1e-9, $"trial {trial}: KKT violation {actual.KktViolation(qp)}");
        }
    }

    /// <summary>A random radial feeder (line k−1 joins a random earlier bus to bus k; H = −1 on a bus's path to the
    /// slack) with peers at random buses and limits a little above the base flows, as in
    /// <see cref="NetworkAuctionTests.Random_feeders_give_KKT_points"/>; <paramref name="beyondReach"/> gives the first
    /// line (every peer downstream) a base flow no trade can bring within its limit (least overflow).</summary>
    private static NetworkAuctionProblem RandomFeeder(Random rng, int buses, int peerCount, bool beyondReach)
    {
        int lines = buses - 1;
        var parent = new int[buses];
        for (int k = 1; k < buses; k++) parent[k] = rng.Next(k);
        var h = new double[lines, buses];
        for (int b = 1; b < buses; b++) for (int k = b; k != 0; k = parent[k]) h[k - 1, b] = -1;
        var peers = Enumerable.Range(0, peerCount).Select(k => k % 2 == 0
            ? new Peer($"s{k}", PeerRole.Seller, 0.2 + rng.NextDouble(), 40 + 10 * rng.NextDouble(), 5 + 20 * rng.NextDouble())
            : new Peer($"b{k}", PeerRole.Buyer, 0.2 + rng.NextDouble(), 70 + 30 * rng.NextDouble(), 5 + 30 * rng.NextDouble())).ToArray();
        var at = peers.Select(_ => 1 + rng.Next(buses - 1)).ToArray();
        var f0 = Enumerable.Range(0, lines).Select(_ => 0.5 * rng.NextDouble()).ToArray();
        var limit = f0.Select(f => f + 0.05 + 0.3 * rng.NextDouble()).ToArray();
        if (beyondReach) f0[0] = limit[0] + 30.0 * peerCount;
        return new NetworkAuctionProblem(peers, at, h, f0, limit);
    }

    [Theory]
    [InlineData(8, 10, NetworkAuctionStatus.Optimal)]
    [InlineData(30, 40, NetworkAuctionStatus.Optimal)]
    [InlineData(80, 120, NetworkAuctionStatus.Optimal)]
    [InlineData(8, 10, NetworkAuctionStatus.LeastOverflow)]
    [InlineData(30, 40, NetworkAuctionStatus.LeastOverflow)]
    [InlineData(80, 120, NetworkAuctionStatus.LeastOverflow)]
    public void Network_auctions_match_the_dense_solver_and_meet_KKT_over_all_rows(int buses, int peers, NetworkAuctionStatus status)
    {
        var rng = new Random(buses * 1000 + peers + (int)status);
        for (int trial = 0; trial < 4; trial++)
        {
            var problem = RandomFeeder(rng, buses, peers, status == NetworkAuctionStatus.LeastOverflow);
            SeparableQp? qp = null;
            QpSolution? solution = null;
            var expected = NetworkAuction.Clear(problem, (q, start) => DenseActiveSetQpReference.Solve(q, start));
            var actual = NetworkAuction.Clear(problem, (q, start) => { qp = q; return solution = ActiveSetQpSolver.Solve(q, start); });
            Assert.NotNull(qp);
            Assert.Equal(status, actual.Status);
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.Iterations, actual.Iterations);
            Assert.Equal(expected.QuantityMw.ToArray(), actual.QuantityMw.ToArray());
            Assert.Equal(expected.NodalPriceEurPerMwh.ToArray(), actual.NodalPriceEurPerMwh.ToArray());
            Assert.Equal(expected.LineDualEurPerMwh.ToArray(), actual.LineDualEurPerMwh.ToArray());
            Assert.Equal(expected.FlowMw.ToArray(), actual.FlowMw.ToArray());
            Assert.Equal(expected.PeersWelfareEur, actual.PeersWelfareEur);
            // Lines bind, and the KKT conditions hold over every row (the balance and all 2 × lines sides).
            Assert.True(actual.LineDualEurPerMwh.Any(mu => mu != 0), $"trial {trial}: no binding line");
            Assert.Equal(1 + problem.LineCount, qp!.RowCount);
            double violation = solution!.KktViolation(qp);
            Assert.True(violation < 1e-7, $"trial {trial}: KKT violation {violation}");
        }
    }
}
