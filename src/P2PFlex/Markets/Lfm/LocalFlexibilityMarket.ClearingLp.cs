using P2PFlex.Numerics;

namespace P2PFlex.Markets.Lfm;

// The clearing LP stated once, as a BoundedLp (what both back ends solve), and the linearised voltage rows it may carry.
public static partial class LocalFlexibilityMarket
{
    /// <summary>
    /// The clearing LP as a <see cref="BoundedLp"/>: one column per bid (cost π_b, 0 ≤ x_b ≤ V_b); rows in the order lines,
    /// balance (if required), voltage rows (the last <see cref="LinearVoltageLimits.RowCount"/> rows), with the same sides
    /// as the GLOP model's rows. A voltage row's coefficients are C = S_V · A (the |V| change of the row per MW of each
    /// bid's activation, A = ±1 at the bid's bus), entries at or below <see cref="LineBidSensitivity.NoiseMwPerMw"/>
    /// dropped as solve noise.
    /// </summary>
    /// <remarks>The arrays are counted first and filled once: with voltage rows the LP has a dense block (buses × bids,
    /// ~12 000 entries on case69), which growing lists would copy and reallocate on the large-object heap at every pass
    /// of the voltage-aware loop.</remarks>
    private static BoundedLp ClearingLp(LfmProblem problem, LineBidSensitivity sensitivity)
    {
        var bids = problem.Bids;
        int n = bids.Count, lines = sensitivity.LineCount;
        var voltage = problem.Voltage;
        var cost = new double[n];
        var upper = new double[n];
        var busOfBid = new int[n];
        for (int b = 0; b < n; b++)
        {
            cost[b] = bids[b].PriceEurPerMwh;
            upper[b] = bids[b].VolumeMw;
            busOfBid[b] = bids[b].BusIndex;
        }

        int rows = lines + (problem.RequireBalance ? 1 : 0) + (voltage?.RowCount ?? 0);
        int entries = sensitivity.EntryCount + (problem.RequireBalance ? n : 0);
        if (voltage is not null)
        {
            var s = voltage.SensitivityPuPerMw;
            for (int r = 0; r < voltage.RowCount; r++)
            {
                for (int b = 0; b < n; b++)
                {
                    if (Math.Abs(s[r, busOfBid[b]]) > LineBidSensitivity.NoiseMwPerMw) entries++;
                }
            }
        }

        var rowStart = new int[rows + 1];
        var column = new int[entries];
        var value = new double[entries];
        var lower = new double[rows];
        var upperSide = new double[rows];
        int row = 0, at = 0;
        for (int l = 0; l < lines; l++)
        {
            var indices = sensitivity.RowBidIndices(l);
            indices.CopyTo(column.AsSpan(at));
            sensitivity.RowMwPerMw(l).CopyTo(value.AsSpan(at));
            at += indices.Length;
            lower[row] = -problem.LimitMw[l] - problem.BaseFlowMw[l];
            upperSide[row] = problem.LimitMw[l] - problem.BaseFlowMw[l];
            rowStart[++row] = at;
        }

        if (problem.RequireBalance)
        {
            for (int b = 0; b < n; b++)
            {
                column[at] = b;
                value[at++] = bids[b].Direction == BidDirection.Up ? 1.0 : -1.0;
            }

            lower[row] = 0.0;
            upperSide[row] = 0.0;
            rowStart[++row] = at;
        }

        if (voltage is not null)
        {
            var s = voltage.SensitivityPuPerMw;
            for (int r = 0; r < voltage.RowCount; r++)
            {
                for (int b = 0; b < n; b++)
                {
                    double c = s[r, busOfBid[b]];
                    if (!(Math.Abs(c) > LineBidSensitivity.NoiseMwPerMw)) continue;
                    column[at] = b;
                    value[at++] = bids[b].Direction == BidDirection.Up ? c : -c;
                }

                lower[row] = voltage.MinPu - voltage.OffsetPu[r];
                upperSide[row] = voltage.MaxPu - voltage.OffsetPu[r];
                rowStart[++row] = at;
            }
        }

        return new BoundedLp(cost, new double[n], upper, rowStart, column, value, lower, upperSide);
    }

    /// <summary>Linearised voltages V⁰ + C x per voltage row of <paramref name="lp"/> (<see cref="ClearingLp"/>), summed
    /// in bid order over the row's entries (the dropped ones are zeros, and V⁰ ≈ 1 p.u. is never a signed zero that
    /// adding one could change).</summary>
    private static double[] Voltages(LfmProblem problem, BoundedLp lp, double[] activationMw)
    {
        var voltage = problem.Voltage!;
        int first = lp.RowCount - voltage.RowCount;
        var v = new double[voltage.RowCount];
        for (int r = 0; r < v.Length; r++)
        {
            double sum = voltage.OffsetPu[r];
            for (int e = lp.RowStart[first + r]; e < lp.RowStart[first + r + 1]; e++)
            {
                sum += lp.Value[e] * activationMw[lp.ColumnIndex[e]];
            }

            v[r] = sum;
        }

        return v;
    }
}
