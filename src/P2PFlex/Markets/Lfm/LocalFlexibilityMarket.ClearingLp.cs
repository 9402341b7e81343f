using P2PFlex.Numerics;

namespace P2PFlex.Markets.Lfm;

// The clearing LP stated once, as a BoundedLp (what both back ends solve), and the linearised voltage rows it may carry.
public static partial class LocalFlexibilityMarket
{
    /// <summary>
    /// The clearing LP as a <see cref="BoundedLp"/>: one column per bid (cost π_b, 0 ≤ x_b ≤ V_b); rows in the order lines,
    /// balance (if required), voltage rows, with the same sides as the GLOP model's rows.
    /// </summary>
    private static BoundedLp ClearingLp(LfmProblem problem, LineBidSensitivity sensitivity, double[,]? voltageCoefficients)
    {
        var bids = problem.Bids;
        int n = bids.Count, lines = sensitivity.LineCount;
        var cost = new double[n];
        var upper = new double[n];
        for (int b = 0; b < n; b++)
        {
            cost[b] = bids[b].PriceEurPerMwh;
            upper[b] = bids[b].VolumeMw;
        }

        var rowStart = new List<int>(lines + 2) { 0 };
        var column = new List<int>();
        var value = new List<double>();
        var lower = new List<double>();
        var upperSide = new List<double>();
        for (int l = 0; l < lines; l++)
        {
            column.AddRange(sensitivity.RowBidIndices(l));
            value.AddRange(sensitivity.RowMwPerMw(l));
            rowStart.Add(column.Count);
            lower.Add(-problem.LimitMw[l] - problem.BaseFlowMw[l]);
            upperSide.Add(problem.LimitMw[l] - problem.BaseFlowMw[l]);
        }

        if (problem.RequireBalance)
        {
            for (int b = 0; b < n; b++)
            {
                column.Add(b);
                value.Add(bids[b].Direction == BidDirection.Up ? 1.0 : -1.0);
            }

            rowStart.Add(column.Count);
            lower.Add(0.0);
            upperSide.Add(0.0);
        }

        if (problem.Voltage is { } voltage && voltageCoefficients is not null)
        {
            for (int r = 0; r < voltage.RowCount; r++)
            {
                for (int b = 0; b < n; b++)
                {
                    if (voltageCoefficients[r, b] == 0.0) continue;
                    column.Add(b);
                    value.Add(voltageCoefficients[r, b]);
                }

                rowStart.Add(column.Count);
                lower.Add(voltage.MinPu - voltage.OffsetPu[r]);
                upperSide.Add(voltage.MaxPu - voltage.OffsetPu[r]);
            }
        }

        return new BoundedLp(cost, new double[n], upper, rowStart.ToArray(), column.ToArray(), value.ToArray(), lower.ToArray(), upperSide.ToArray());
    }

    /// <summary>
    /// C = S_V · A (voltage rows × bids): the |V| change of each row per MW of each bid's activation; null without
    /// voltage limits. Entries below <see cref="LineBidSensitivity.NoiseMwPerMw"/> are dropped as solve noise.
    /// </summary>
    private static double[,]? VoltageCoefficients(LfmProblem problem)
    {
        if (problem.Voltage is not { } voltage)
        {
            return null;
        }

        var s = voltage.SensitivityPuPerMw;
        var c = new double[voltage.RowCount, problem.Bids.Count];
        for (int r = 0; r < voltage.RowCount; r++)
        {
            for (int b = 0; b < problem.Bids.Count; b++)
            {
                double value = s[r, problem.Bids[b].BusIndex];
                if (Math.Abs(value) > LineBidSensitivity.NoiseMwPerMw)
                {
                    c[r, b] = problem.Bids[b].Direction == BidDirection.Up ? value : -value;
                }
            }
        }

        return c;
    }

    /// <summary>Linearised voltages V⁰ + C x per row, summed in bid order.</summary>
    private static double[] Voltages(LfmProblem problem, double[,] coefficients, double[] activationMw)
    {
        var voltage = problem.Voltage!;
        var v = new double[voltage.RowCount];
        for (int r = 0; r < v.Length; r++)
        {
            double sum = voltage.OffsetPu[r];
            for (int b = 0; b < activationMw.Length; b++)
            {
                sum += coefficients[r, b] * activationMw[b];
            }

            v[r] = sum;
        }

        return v;
    }
}
