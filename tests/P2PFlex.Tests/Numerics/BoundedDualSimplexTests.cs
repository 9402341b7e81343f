using Google.OrTools.LinearSolver;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Numerics;

/// <summary>
/// <see cref="BoundedDualSimplex"/> on hand-solvable LPs (answers and duals written out), against OR-Tools GLOP on
/// seeded random LPs of several sizes (feasible, infeasible, degenerate, with equalities and negative costs), and on
/// its own optimality conditions.
/// </summary>
public class BoundedDualSimplexTests
{
    private const double Tol = 1e-9;

    /// <summary>Dense rows → <see cref="BoundedLp"/>.</summary>
    private static BoundedLp Lp(double[] cost, double[] lower, double[] upper, double[][] rows, double[] rowLower, double[] rowUpper)
    {
        var start = new List<int> { 0 };
        var column = new List<int>();
        var value = new List<double>();
        foreach (var row in rows)
        {
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] == 0.0) continue;
                column.Add(j);
                value.Add(row[j]);
            }

            start.Add(column.Count);
        }

        return new BoundedLp(cost, lower, upper, start.ToArray(), column.ToArray(), value.ToArray(), rowLower, rowUpper);
    }

    [Fact]
    public void Cheapest_variable_covers_a_covering_row()
    {
        // min x0 + 2 x1, x0 + x1 ≥ 1.5, 0 ≤ x ≤ 1: x0 = 1 (cheapest, full), x1 = 0.5; cost 2. Raising the row's lower
        // side by 1 MW costs 2 more (x1 is the marginal variable): dual y = ∂cost/∂side = +2.
        var lp = Lp([1, 2], [0, 0], [1, 1], [[1, 1]], [1.5], [10]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Optimal, s.Status);
        Assert.Equal(1.0, s.X[0], Tol);
        Assert.Equal(0.5, s.X[1], Tol);
        Assert.Equal(2.0, s.RowDual[0], Tol);
        Assert.Equal(1, s.WorkingRows);
    }

    [Fact]
    public void Upper_side_binding_has_non_positive_dual_and_slack_rows_are_never_generated()
    {
        // min −3 x0 − x1 (both want their upper bound 2), rows: x0 + x1 ≤ 3 (binds), x0 − x1 ≤ 10 (never violated).
        // x0 = 2 (more valuable), x1 = 1; one more unit of the first row's side is worth 1 (x1 grows): y = −1.
        var lp = Lp([-3, -1], [0, 0], [2, 2], [[1, 1], [1, -1]], [-10, -10], [3, 10]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Optimal, s.Status);
        Assert.Equal(2.0, s.X[0], Tol);
        Assert.Equal(1.0, s.X[1], Tol);
        Assert.Equal(-1.0, s.RowDual[0], Tol);
        Assert.Equal(0.0, s.RowDual[1]);
        Assert.Equal(1, s.WorkingRows);
    }

    [Fact]
    public void Equality_row_is_met()
    {
        // min x0 + 4 x1 + 2 x2, x0 − x1 + x2 = 0.5, x0 + x2 ≥ 1.2, 0 ≤ x ≤ 1. The equality gives x1 = x0 + x2 − 0.5, so the
        // cost is 5 x0 + 6 x2 − 2 over x0 + x2 ∈ [1.2, 1.5]: x0 = 1 (cheaper), x2 = 0.2, x1 = 0.7, cost 4.2.
        var lp = Lp([1, 4, 2], [0, 0, 0], [1, 1, 1], [[1, -1, 1], [1, 0, 1]], [0.5, 1.2], [0.5, 5]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Optimal, s.Status);
        Assert.Equal(1.0, s.X[0], Tol);
        Assert.Equal(0.7, s.X[1], Tol);
        Assert.Equal(0.2, s.X[2], Tol);
        Assert.Equal(4.2, Objective(lp, s.X), Tol);
        AssertOptimalityConditions(lp, s);
    }

    [Fact]
    public void Row_no_boxed_point_meets_is_infeasible_without_a_pivot()
    {
        var lp = Lp([1, 1], [0, 0], [1, 1], [[1, 1]], [3], [4]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Infeasible, s.Status);
        Assert.Equal(0, s.Iterations);
    }

    [Fact]
    public void Rows_each_reachable_but_not_together_are_proven_infeasible_by_the_simplex()
    {
        // x0 + x1 ≥ 1.5 and x0 − x1 ≥ 0.9 and x1 ≥ 0.7 (as a row): each alone has a boxed solution, together
        // x0 ≥ 0.9 + x1 ≥ 1.6 > 1.
        var lp = Lp([1, 1], [0, 0], [1, 1], [[1, 1], [1, -1], [0, 1]], [1.5, 0.9, 0.7], [2, 1, 1]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Infeasible, s.Status);
        Assert.True(s.Iterations > 0);
    }

    [Fact]
    public void No_violated_row_means_no_pivot()
    {
        var lp = Lp([1, -2], [0, 0], [1, 1], [[1, 1]], [-5], [5]);

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Optimal, s.Status);
        Assert.Equal(0, s.Iterations);
        Assert.Equal(0, s.WorkingRows);
        Assert.Equal([0.0, 1.0], s.X);
    }

    [Theory]
    [InlineData(5, 3, 1, 40)]
    [InlineData(20, 10, 2, 40)]
    [InlineData(60, 40, 3, 40)]
    [InlineData(200, 120, 4, 12)]
    public void RandomLps_AgreeWithGlopAndMeetTheirOptimalityConditions(int columns, int rows, int seed, int draws)
    {
        int optimal = 0, infeasible = 0;
        for (int draw = 0; draw < draws; draw++)
        {
            var lp = RandomLp(new Random(1000 * seed + draw), columns, rows);
            var s = BoundedDualSimplex.Solve(lp);
            var glop = Glop(lp);

            Assert.NotEqual(BoundedLpStatus.IterationLimit, s.Status);
            Assert.NotEqual(BoundedLpStatus.NumericalTrouble, s.Status);
            if (glop.Status == Solver.ResultStatus.INFEASIBLE)
            {
                Assert.Equal(BoundedLpStatus.Infeasible, s.Status);
                infeasible++;
                continue;
            }

            Assert.Equal(Solver.ResultStatus.OPTIMAL, glop.Status);
            Assert.Equal(BoundedLpStatus.Optimal, s.Status);
            Assert.Equal(glop.Objective, Objective(lp, s.X), 1e-8 * (1 + Math.Abs(glop.Objective)));
            AssertOptimalityConditions(lp, s);
            optimal++;
        }

        // The generator gives both kinds, so both branches above are exercised.
        Assert.True(optimal >= draws / 4, $"{optimal} optimal draws");
        Assert.True(infeasible >= 1, $"{infeasible} infeasible draws");
    }

    [Fact]
    public void Degenerate_LP_with_tied_costs_is_solved_and_certified()
    {
        // Ten identical variables and ten copies of the same row: every vertex ties, many pivots are degenerate.
        int n = 10;
        var rows = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(1.0, n).ToArray()).ToArray();
        var lp = Lp(Enumerable.Repeat(5.0, n).ToArray(), new double[n], Enumerable.Repeat(1.0, n).ToArray(), rows,
            Enumerable.Repeat(3.5, n).ToArray(), Enumerable.Repeat(3.5, n).ToArray());

        var s = BoundedDualSimplex.Solve(lp);

        Assert.Equal(BoundedLpStatus.Optimal, s.Status);
        Assert.Equal(17.5, Objective(lp, s.X), 1e-9);
        AssertOptimalityConditions(lp, s);
    }

    [Fact]
    public void Same_input_gives_bit_identical_output()
    {
        var lp = RandomLp(new Random(77), 150, 90);

        var a = BoundedDualSimplex.Solve(lp);
        var b = BoundedDualSimplex.Solve(lp);

        Assert.Equal(a.X, b.X);
        Assert.Equal(a.RowDual, b.RowDual);
        Assert.Equal(a.Iterations, b.Iterations);
    }

    [Fact]
    public void Pivot_limit_is_reported()
    {
        var lp = RandomLp(new Random(5), 60, 40);
        Assert.True(BoundedDualSimplex.Solve(lp).Iterations > 1);

        Assert.Equal(BoundedLpStatus.IterationLimit, BoundedDualSimplex.Solve(lp, maxIterations: 1).Status);
    }

    [Theory]
    [InlineData("cost")]
    [InlineData("bounds")]
    [InlineData("sides")]
    [InlineData("column")]
    public void Malformed_LP_is_rejected_naming_the_field(string what)
    {
        var lp = Lp([1, 2], [0, 0], [1, 1], [[1, 1]], [0], [1]);
        var bad = what switch
        {
            "cost" => lp with { Cost = [1, double.NaN] },
            "bounds" => lp with { ColumnUpper = [1, -1] },
            "sides" => lp with { RowLower = [2] },
            _ => lp with { ColumnIndex = [0, 5] },
        };

        var ex = Assert.Throws<ArgumentException>(() => BoundedDualSimplex.Solve(bad));
        Assert.Equal(what switch { "cost" => "Cost", "bounds" => "ColumnLower", "sides" => "RowLower", _ => "ColumnIndex" }, ex.ParamName);
    }

    /// <summary>
    /// The LP's optimality conditions from the returned x and y: rows and bounds met; reduced costs d = c − Aᵀy of the
    /// right sign (≥ 0 at the lower bound, ≤ 0 at the upper, 0 strictly between); a row's dual only where it binds, with
    /// the sign of its side (≥ 0 on the lower, ≤ 0 on the upper).
    /// </summary>
    private static void AssertOptimalityConditions(BoundedLp lp, BoundedLpSolution s)
    {
        const double primal = 1e-8, dual = 1e-7;
        var d = (double[])lp.Cost.Clone();
        for (int i = 0; i < lp.RowCount; i++)
        {
            double a = lp.RowActivity(i, s.X);
            Assert.InRange(a, lp.RowLower[i] - primal, lp.RowUpper[i] + primal);
            double y = s.RowDual[i];
            if (y > dual) Assert.Equal(lp.RowLower[i], a, primal);
            if (y < -dual) Assert.Equal(lp.RowUpper[i], a, primal);
            for (int e = lp.RowStart[i]; e < lp.RowStart[i + 1]; e++) d[lp.ColumnIndex[e]] -= y * lp.Value[e];
        }

        double scale = Math.Max(1.0, lp.Cost.Max(Math.Abs));
        for (int j = 0; j < lp.ColumnCount; j++)
        {
            bool atLower = s.X[j] <= lp.ColumnLower[j] + primal, atUpper = s.X[j] >= lp.ColumnUpper[j] - primal;
            if (atLower && atUpper) continue;
            if (atLower) Assert.True(d[j] >= -dual * scale, $"column {j} at lower bound, reduced cost {d[j]}");
            else if (atUpper) Assert.True(d[j] <= dual * scale, $"column {j} at upper bound, reduced cost {d[j]}");
            else Assert.True(Math.Abs(d[j]) <= dual * scale, $"column {j} between bounds, reduced cost {d[j]}");
        }
    }

    private static double Objective(BoundedLp lp, double[] x)
    {
        double z = 0.0;
        for (int j = 0; j < x.Length; j++) z += lp.Cost[j] * x[j];
        return z;
    }

    /// <summary>
    /// Sparse random rows (about 30 % dense, coefficients ±[0.1, 2]); costs mostly positive with some negative and
    /// some exactly tied; sides around the activity at a random box point, some equalities; in about a quarter of the draws one row
    /// whose range no boxed point reaches (infeasible).
    /// </summary>
    private static BoundedLp RandomLp(Random rng, int n, int m)
    {
        var cost = new double[n];
        var lower = new double[n];
        var upper = new double[n];
        var point = new double[n];
        for (int j = 0; j < n; j++)
        {
            cost[j] = rng.NextDouble() < 0.15 ? -rng.Next(1, 20) : rng.NextDouble() < 0.3 ? 10.0 : 1 + 99 * rng.NextDouble();
            lower[j] = rng.NextDouble() < 0.2 ? -rng.NextDouble() : 0.0;
            upper[j] = lower[j] + (rng.NextDouble() < 0.05 ? 0.0 : 0.1 + 3 * rng.NextDouble());
            point[j] = lower[j] + rng.NextDouble() * (upper[j] - lower[j]);
        }

        int unreachable = rng.NextDouble() < 0.25 ? rng.Next(m) : -1;
        var rows = new double[m][];
        var rowLower = new double[m];
        var rowUpper = new double[m];
        for (int i = 0; i < m; i++)
        {
            rows[i] = new double[n];
            double activity = 0.0;
            for (int j = 0; j < n; j++)
            {
                if (rng.NextDouble() < 0.3)
                {
                    rows[i][j] = (rng.NextDouble() < 0.5 ? -1 : 1) * (0.1 + 1.9 * rng.NextDouble());
                    activity += rows[i][j] * point[j];
                }
            }

            double kind = rng.NextDouble();
            if (kind < 0.1)
            {
                rowLower[i] = rowUpper[i] = activity; // equality through the random point: feasible
            }
            else if (i == unreachable)
            {
                rowLower[i] = 1e3; // unreachable: infeasible draw
                rowUpper[i] = 2e3;
            }
            else
            {
                rowLower[i] = activity - rng.NextDouble() * 2;
                rowUpper[i] = activity + rng.NextDouble() * 2;
            }
        }

        return Lp(cost, lower, upper, rows, rowLower, rowUpper);
    }

    /// <summary>The same LP through OR-Tools GLOP (the independent reference).</summary>
    private static (Solver.ResultStatus Status, double Objective) Glop(BoundedLp lp)
    {
        using var solver = Solver.CreateSolver("GLOP")!;
        solver.SuppressOutput();
        var x = new Variable[lp.ColumnCount];
        for (int j = 0; j < x.Length; j++) x[j] = solver.MakeNumVar(lp.ColumnLower[j], lp.ColumnUpper[j], "");
        for (int i = 0; i < lp.RowCount; i++)
        {
            var row = solver.MakeConstraint(lp.RowLower[i], lp.RowUpper[i], "");
            for (int e = lp.RowStart[i]; e < lp.RowStart[i + 1]; e++) row.SetCoefficient(x[lp.ColumnIndex[e]], lp.Value[e]);
        }

        var objective = solver.Objective();
        for (int j = 0; j < x.Length; j++) objective.SetCoefficient(x[j], lp.Cost[j]);
        objective.SetMinimization();
        var status = solver.Solve();
        return (status, status == Solver.ResultStatus.OPTIMAL ? objective.Value() : double.NaN);
    }
}
