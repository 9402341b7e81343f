namespace P2PFlex.Markets.Lfm;

/// <summary>
/// Input checks for <see cref="LfmProblem"/>. Bad data is rejected up front with an exception whose
/// <see cref="ArgumentException.ParamName"/> names the offending field (e.g. <c>Bids[3].VolumeMw</c>),
/// because a silently mis-specified LP would give a plausible-looking but wrong market result.
/// </summary>
internal static class LfmValidation
{
    /// <summary>Throws if <paramref name="problem"/> is not a well-formed market.</summary>
    public static void Validate(LfmProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(problem.PtdfMwPerMw, nameof(LfmProblem.PtdfMwPerMw));
        ArgumentNullException.ThrowIfNull(problem.BaseFlowMw, nameof(LfmProblem.BaseFlowMw));
        ArgumentNullException.ThrowIfNull(problem.LimitMw, nameof(LfmProblem.LimitMw));
        ArgumentNullException.ThrowIfNull(problem.Bids, nameof(LfmProblem.Bids));

        var ptdf = problem.PtdfMwPerMw;
        int lines = ptdf.GetLength(0);
        int buses = ptdf.GetLength(1);

        if (problem.BaseFlowMw.Length != lines)
        {
            throw new ArgumentException(
                $"BaseFlowMw has {problem.BaseFlowMw.Length} entries but the PTDF has {lines} lines (rows).",
                nameof(LfmProblem.BaseFlowMw));
        }

        if (problem.LimitMw.Length != lines)
        {
            throw new ArgumentException(
                $"LimitMw has {problem.LimitMw.Length} entries but the PTDF has {lines} lines (rows).",
                nameof(LfmProblem.LimitMw));
        }

        for (int l = 0; l < lines; l++)
        {
            for (int k = 0; k < buses; k++)
            {
                if (!double.IsFinite(ptdf[l, k]))
                {
                    throw NotFinite(ptdf[l, k], $"{nameof(LfmProblem.PtdfMwPerMw)}[{l},{k}]");
                }
            }

            if (!double.IsFinite(problem.BaseFlowMw[l]))
            {
                throw NotFinite(problem.BaseFlowMw[l], $"{nameof(LfmProblem.BaseFlowMw)}[{l}]");
            }

            double limit = problem.LimitMw[l];
            if (!double.IsFinite(limit) || limit <= 0.0)
            {
                throw new ArgumentOutOfRangeException(
                    $"{nameof(LfmProblem.LimitMw)}[{l}]", limit, "Line limits must be finite and > 0 MW.");
            }
        }

        if (!double.IsFinite(problem.IntervalHours) || problem.IntervalHours <= 0.0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(LfmProblem.IntervalHours), problem.IntervalHours, "The interval must be finite and > 0 h.");
        }

        if (!double.IsFinite(problem.OverflowToleranceMw) || problem.OverflowToleranceMw < 0.0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(LfmProblem.OverflowToleranceMw), problem.OverflowToleranceMw, "The tolerance must be finite and ≥ 0 MW.");
        }

        if (problem.Voltage is { } voltage)
        {
            ValidateVoltage(voltage, buses);
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        for (int b = 0; b < problem.Bids.Count; b++)
        {
            // Parameter names are only formatted on failure: validation runs on every (re-)clearing.
            FlexBid? bid = problem.Bids[b];
            if (bid is null)
            {
                throw new ArgumentNullException($"{nameof(LfmProblem.Bids)}[{b}]", "Bids must not contain null entries.");
            }

            if (string.IsNullOrEmpty(bid.Id))
            {
                throw new ArgumentException("Bid ids must be non-empty.", BidField(b, nameof(FlexBid.Id)));
            }

            if (!seenIds.Add(bid.Id))
            {
                throw new ArgumentException(
                    $"Bid id '{bid.Id}' occurs more than once; activations are reported per id.",
                    BidField(b, nameof(FlexBid.Id)));
            }

            if (bid.BusIndex < 0 || bid.BusIndex >= buses)
            {
                throw new ArgumentOutOfRangeException(
                    BidField(b, nameof(FlexBid.BusIndex)), bid.BusIndex,
                    $"Bus index must be in [0, {buses}) (the PTDF has {buses} bus columns).");
            }

            if (bid.Direction is not (BidDirection.Up or BidDirection.Down))
            {
                throw new ArgumentOutOfRangeException(
                    BidField(b, nameof(FlexBid.Direction)), bid.Direction, "Unknown bid direction.");
            }

            if (!double.IsFinite(bid.VolumeMw) || bid.VolumeMw < 0.0)
            {
                throw new ArgumentOutOfRangeException(
                    BidField(b, nameof(FlexBid.VolumeMw)), bid.VolumeMw, "Bid volumes must be finite and ≥ 0 MW.");
            }

            if (!double.IsFinite(bid.PriceEurPerMwh))
            {
                throw NotFinite(bid.PriceEurPerMwh, BidField(b, nameof(FlexBid.PriceEurPerMwh)));
            }
        }
    }

    private static void ValidateVoltage(LinearVoltageLimits voltage, int buses)
    {
        const string name = nameof(LfmProblem.Voltage);
        ArgumentNullException.ThrowIfNull(voltage.SensitivityPuPerMw, $"{name}.{nameof(LinearVoltageLimits.SensitivityPuPerMw)}");
        ArgumentNullException.ThrowIfNull(voltage.OffsetPu, $"{name}.{nameof(LinearVoltageLimits.OffsetPu)}");
        var s = voltage.SensitivityPuPerMw;
        if (s.GetLength(1) != buses)
        {
            throw new ArgumentException(
                $"The voltage sensitivity has {s.GetLength(1)} bus columns but the PTDF has {buses}.",
                $"{name}.{nameof(LinearVoltageLimits.SensitivityPuPerMw)}");
        }

        if (voltage.OffsetPu.Length != s.GetLength(0))
        {
            throw new ArgumentException(
                $"OffsetPu has {voltage.OffsetPu.Length} entries but the sensitivity has {s.GetLength(0)} rows.",
                $"{name}.{nameof(LinearVoltageLimits.OffsetPu)}");
        }

        for (int r = 0; r < s.GetLength(0); r++)
        {
            if (!double.IsFinite(voltage.OffsetPu[r]))
            {
                throw NotFinite(voltage.OffsetPu[r], $"{name}.{nameof(LinearVoltageLimits.OffsetPu)}[{r}]");
            }

            for (int k = 0; k < buses; k++)
            {
                if (!double.IsFinite(s[r, k]))
                {
                    throw NotFinite(s[r, k], $"{name}.{nameof(LinearVoltageLimits.SensitivityPuPerMw)}[{r},{k}]");
                }
            }
        }

        if (!double.IsFinite(voltage.MinPu) || !double.IsFinite(voltage.MaxPu) || voltage.MaxPu <= voltage.MinPu)
        {
            throw new ArgumentOutOfRangeException(
                $"{name}.{nameof(LinearVoltageLimits.MaxPu)}", voltage.MaxPu, $"The band needs finite V_min < V_max (V_min = {voltage.MinPu}).");
        }

        if (!double.IsFinite(voltage.TolerancePu) || voltage.TolerancePu < 0.0)
        {
            throw new ArgumentOutOfRangeException(
                $"{name}.{nameof(LinearVoltageLimits.TolerancePu)}", voltage.TolerancePu, "The tolerance must be finite and ≥ 0 p.u.");
        }
    }

    private static string BidField(int bidIndex, string field) => $"{nameof(LfmProblem.Bids)}[{bidIndex}].{field}";

    private static ArgumentOutOfRangeException NotFinite(double value, string paramName) =>
        new(paramName, value, "Value must be finite (not NaN or ±∞).");
}
