using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// <c>DualNewtonWorkspace.ExactLineSearch</c> (selection over breakpoints, branch-free Vector256 evaluation) against an
/// independent root of φ′(t) = ∇g(y + t d)·d: the dual gradient (balance mismatches) written out from the market data
/// here and bisected to 1e-13 relative, on random markets with and without trade caps, from cold and perturbed prices.
/// </summary>
public class ExactLineSearchTests
{
    [Theory]
    [InlineData(7, 3, 0.0)]
    [InlineData(30, 6, 0.0)]
    [InlineData(30, 6, 0.5)]
    [InlineData(150, 10, 0.2)]
    [InlineData(401, 20, 0.3)]
    public void Step_is_the_root_of_the_directional_derivative(int peers, int reach, double capShare)
    {
        int checkedSteps = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            var problem = SparseNormalSystemTests.LocalMarket(peers, reach, 100 * peers + seed, capShare);
            var net = P2PNetwork.Build(problem);
            var ws = new DualNewtonWorkspace(net, NormalSystem.Create(net), 1e-10);
            var rng = new Random(seed);
            var y = new double[net.PeerCount];
            for (int k = 0; k < y.Length; k++) y[k] = net.Linear[k] + (seed % 2 == 0 ? 0 : 15 * (rng.NextDouble() - 0.5));

            // A few Newton steps, checking every line search on the way.
            for (int step = 0; step < 4; step++)
            {
                if (ws.Evaluate(y) <= 1e-9) break;
                ws.ComputeNewtonDirection();
                var d = ws.Direction;
                double t = ws.ExactLineSearch(y);
                Assert.True(double.IsFinite(t) && t >= 0, $"step {t}");
                double expected = Root(net, y, d);
                Assert.True(Math.Abs(t - expected) <= 1e-9 * Math.Max(1.0, expected),
                    $"{peers} peers, seed {seed}, step {step}: line search {t:R}, bisection {expected:R}");
                for (int k = 0; k < y.Length; k++) y[k] += t * d[k];
                checkedSteps++;
            }
        }

        Assert.True(checkedSteps >= 12, $"only {checkedSteps} line searches checked");
    }

    [Fact]
    public void Same_input_gives_bit_identical_steps()
    {
        var problem = SparseNormalSystemTests.LocalMarket(200, 12, 9, 0.3);
        double[] Steps()
        {
            var net = P2PNetwork.Build(problem);
            var ws = new DualNewtonWorkspace(net, NormalSystem.Create(net), 1e-10);
            var y = net.Linear.ToArray();
            var steps = new List<double>();
            for (int s = 0; s < 5 && ws.Evaluate(y) > 1e-9; s++)
            {
                ws.ComputeNewtonDirection();
                double t = ws.ExactLineSearch(y);
                steps.Add(t);
                for (int k = 0; k < y.Length; k++) y[k] += t * ws.Direction[k];
            }

            return steps.ToArray();
        }

        Assert.Equal(Steps(), Steps());
    }

    /// <summary>φ′(t) = Σ_k ∇g_k(y + t d) d_k with ∇g the balance mismatch: Σ_j q_ij − G_i for a seller, D_j − Σ_i q_ij for
    /// a buyer, each response clipped to its bounds.</summary>
    private static double Slope(P2PNetwork net, double[] y, double[] d, double t)
    {
        var grad = new double[net.PeerCount];
        for (int k = 0; k < net.PeerCount; k++)
        {
            double price = y[k] + t * d[k];
            double u = net.IsSeller[k] ? (price - net.Linear[k]) / net.Quadratic[k] : (net.Linear[k] - price) / net.Quadratic[k];
            double x = Math.Clamp(u, 0, net.MaxVolume[k]);
            grad[k] = net.IsSeller[k] ? -x : x;
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double z = (y[j] + t * d[j]) - (y[i] + t * d[i]) - net.PairCost[p];
            double q = Math.Clamp(z / net.Epsilon, 0, net.Cap[p]);
            grad[i] += q;
            grad[j] -= q;
        }

        double s = 0;
        for (int k = 0; k < net.PeerCount; k++) s += grad[k] * d[k];
        return s;
    }

    /// <summary>The root of the nonincreasing φ′ by bracketing and bisection (φ′(0) &gt; 0 for an ascent direction).</summary>
    private static double Root(P2PNetwork net, double[] y, double[] d)
    {
        if (!(Slope(net, y, d, 0) > 0)) return 0;
        double lo = 0, hi = 1;
        while (Slope(net, y, d, hi) > 0) { lo = hi; hi *= 2; }
        for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1.0, hi); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Slope(net, y, d, mid) > 0) lo = mid;
            else hi = mid;
        }

        return 0.5 * (lo + hi);
    }
}
