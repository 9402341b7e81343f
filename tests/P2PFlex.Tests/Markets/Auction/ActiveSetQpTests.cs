using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>The exact active-set QP solver behind the network-aware auction and the capacity trade.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class ActiveSetQpTests
{
    /// <summary>min ½x² + ½y² − 2x − 2y s.t. x + y ≤ 1, 0 ≤ x, y ≤ 5: by symmetry x = y = ½, and stationarity
    /// x − 2 + μ = 0 gives the row's multiplier μ = 1.5 (upper side binding, so positive).</summary>
    [Fact]
    public void Hand_solved_program()
    {
        var qp = new SeparableQp([1, 1], [-2, -2], [0, 0], [5, 5], [[1, 1]], [double.NegativeInfinity], [1]);
        var s = ActiveSetQpSolver.Solve(qp, [0, 0]);
        Assert.Equal(QpStatus.Optimal, s.Status);
        Assert.Equal(0.5, s.X[0], 1e-12);
        Assert.Equal(0.5, s.X[1], 1e-12);
        Assert.Equal(1.5, s.RowDual[0], 1e-12);
        Assert.True(s.KktViolation(qp) < 1e-12);
    }

    /// <summary>Random dense programs with an equality, ranged rows and bounds, started from a feasible point: the KKT
    /// conditions hold, and no feasible point of a random sample has a lower objective.</summary>
    [Fact]
    public void Random_programs_end_at_KKT_points()
    {
        var rng = new Random(17);
        for (int trial = 0; trial < 40; trial++)
        {
            int n = 12, m = 6;
            var start = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var rows = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5 ? 0 : rng.NextDouble() * 2 - 1).ToArray()).ToArray();
            var qp0 = RandomQpPrograms.OnUnitBox(rng, n, rows);
            // Row 0 an equality at the start's value, the others ranged around it.
            var lo = new double[m];
            var hi = new double[m];
            for (int r = 0; r < m; r++)
            {
                double v = qp0.RowValue(r, start);
                lo[r] = r == 0 ? v : v - 0.3 * rng.NextDouble();
                hi[r] = r == 0 ? v : v + 0.3 * rng.NextDouble();
            }
            var qp = qp0 with { RowLower = lo, RowUpper = hi };
            var s = ActiveSetQpSolver.Solve(qp, start);
            Assert.Equal(QpStatus.Optimal, s.Status);
            Assert.True(s.KktViolation(qp) < 1e-9, $"trial {trial}: KKT violation {s.KktViolation(qp)}");
            double best = qp.Objective(s.X);
            for (int k = 0; k < 200; k++)
            {
                // A convex combination of the start and the solution moved randomly, kept if feasible.
                double t = rng.NextDouble();
                var x = start.Select((v, i) => Math.Clamp(t * v + (1 - t) * s.X[i] + 0.01 * (rng.NextDouble() - 0.5), 0, 1)).ToArray();
                bool feasible = Enumerable.Range(0, m).All(r => qp.RowValue(r, x) >= lo[r] && qp.RowValue(r, x) <= hi[r]);
                if (feasible) Assert.True(qp.Objective(x) >= best - 1e-12);
            }
        }
    }

    [Fact]
    public void Infeasible_start_is_refused()
    {
        var qp = new SeparableQp([1], [0], [0], [1], [[1]], [0.5], [0.5]);
        var e = Assert.Throws<ArgumentException>(() => ActiveSetQpSolver.Solve(qp, [0]));
        Assert.Contains("row 0", e.Message);
    }
}
