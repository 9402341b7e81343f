using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// Degenerate programs (<see cref="RandomQpPrograms.DuplicatedRows"/> with more rows than variables): duplicated and
/// dependent rows, tight ranges. On many of them the
/// classical active-set rules (<see cref="DenseActiveSetQpReference"/>, the method as it was) never finish: the working
/// set pins the point, the step is rounding noise just above the step tolerance, and full steps of noise follow one
/// another until the iteration limit. <see cref="ActiveSetQpSolver"/> must then reach the optimum under its anti-cycling
/// rules (status Optimal, KKT over every row and bound, the same minimiser and objective as an independent ADMM solver),
/// and on every program the classical rules do finish it must still agree with them bit for bit.
/// </summary>
public class DegenerateActiveSetQpTests
{
    [Theory]
    [InlineData(20, 40, 0.001, 1, 8, 1)]
    [InlineData(30, 60, 0.01, 2, 8, 2)]
    [InlineData(60, 90, 0.005, 3, 3, 2)]
    [InlineData(60, 90, 0.05, 4, 3, 1)]
    public void Programs_the_classical_rules_cannot_finish_reach_the_exact_optimum(int n, int m, double slack, int seed, int trials, int expectedStalls)
    {
        var rng = new Random(seed);
        int stalls = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var (qp, start) = RandomQpPrograms.DuplicatedRows(rng, n, m, slack);
            var classical = DenseActiveSetQpReference.Solve(qp, start);
            var actual = ActiveSetQpSolver.Solve(qp, start);
            Assert.True(actual.Status == QpStatus.Optimal, $"trial {trial}: {actual.Status} after {actual.Iterations} iterations");
            double violation = actual.KktViolation(qp);
            Assert.True(violation < 1e-7, $"trial {trial}: KKT violation {violation}");
            if (classical.Status == QpStatus.Optimal)
            {
                // Where the classical rules finish, the anti-cycling rules never switch on.
                Assert.Equal(classical.Iterations, actual.Iterations);
                Assert.Equal(classical.X, actual.X);
                Assert.Equal(classical.RowDual, actual.RowDual);
                Assert.Equal(classical.BoundDual, actual.BoundDual);
                continue;
            }
            stalls++;
            int budget = 20 * (n + m) + 100;
            Assert.Equal(QpStatus.IterationLimit, classical.Status);
            Assert.Equal(budget, classical.Iterations);
            Assert.True(actual.Iterations > budget, $"trial {trial}: finished in {actual.Iterations} iterations though the classical rules did not");
            // The same minimiser and objective as an independent method.
            var reference = AdmmQpReference.Solve(qp);
            double objective = qp.Objective(actual.X), referenceObjective = qp.Objective(reference);
            Assert.True(Math.Abs(objective - referenceObjective) <= 1e-7 * (1 + Math.Abs(referenceObjective)),
                $"trial {trial}: objective {objective:R}, ADMM {referenceObjective:R}");
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(actual.X[i] - reference[i]) <= 1e-6, $"trial {trial}: x[{i}] = {actual.X[i]:R}, ADMM {reference[i]:R}");
        }
        // The generator is degenerate enough that the classical rules stall on these seeds (so the test exercises the
        // anti-cycling rules and fails on a solver without them).
        Assert.Equal(expectedStalls, stalls);
    }
}
