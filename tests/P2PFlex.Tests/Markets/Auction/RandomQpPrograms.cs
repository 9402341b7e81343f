using P2PFlex.Numerics;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>Random separable programs for the active-set solver's tests (each draws from the generator in a fixed
/// order, so a seed names one program sequence).</summary>
internal static class RandomQpPrograms
{
    /// <summary>q_i in [0.5, 1.5), c_i in [−2, 2), 0 ≤ x ≤ 1, the given rows with ranges still to be set (zero).</summary>
    public static SeparableQp OnUnitBox(Random rng, int n, double[][] rows) => new(
        Enumerable.Range(0, n).Select(_ => 0.5 + rng.NextDouble()).ToArray(),
        Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray(),
        new double[n], Enumerable.Repeat(1.0, n).ToArray(), rows, new double[rows.Length], new double[rows.Length]);

    /// <summary>A random start in [0, 1]ⁿ and a program on the unit box around it: row 0 an equality, every 7th row a copy
    /// of the one before, every 11th the sum of the two before (so the independence test rejects candidates), the others
    /// sparse; each range within <paramref name="slack"/> of the start's row value (tight: many rows bind at once), a
    /// fifth of them open below.</summary>
    public static (SeparableQp Qp, double[] Start) DuplicatedRows(Random rng, int n, int m, double slack)
    {
        var start = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var rows = new double[m][];
        for (int r = 0; r < m; r++)
            rows[r] = r switch
            {
                0 => Enumerable.Range(0, n).Select(_ => 0.5 + rng.NextDouble()).ToArray(),
                _ when r >= 3 && r % 7 == 0 => rows[r - 1].ToArray(),
                _ when r >= 3 && r % 11 == 0 => rows[r - 1].Zip(rows[r - 2], (a, b) => a + b).ToArray(),
                _ => Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.8 ? 0 : rng.NextDouble() * 2 - 1).ToArray(),
            };
        var qp = OnUnitBox(rng, n, rows);
        var lo = new double[m];
        var hi = new double[m];
        for (int r = 0; r < m; r++)
        {
            double v = qp.RowValue(r, start);
            lo[r] = r == 0 ? v : rng.NextDouble() < 0.2 ? double.NegativeInfinity : v - slack * rng.NextDouble();
            hi[r] = r == 0 ? v : v + slack * rng.NextDouble();
        }
        return (qp with { RowLower = lo, RowUpper = hi }, start);
    }
}
