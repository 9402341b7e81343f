using P2PFlex.Interventions;

namespace P2PFlex.Scenarios;

/// <summary>The intervention parameter a sweep varies: the incentive weight W or the at-risk threshold θ.</summary>
public enum SweepParameter
{
    W,
    Theta,
}

/// <summary>An intervention parameter set to another value than the scenario file's: "W = 0.35", "θ = 0.9".</summary>
public sealed record ScenarioChange(SweepParameter Parameter, double Value)
{
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{(Parameter == SweepParameter.W ? "W" : "θ")} = {Value:0.######}");
}

/// <summary>The scenario file's scenario a changed scenario comes from (its name and label) and what was changed.</summary>
public sealed record ScenarioOrigin(string Name, string Label, IReadOnlyList<ScenarioChange> Changes);

/// <summary>One point of a parameter sweep.</summary>
public sealed record SweepPoint(double Value, ScenarioResult Result)
{
    public ScenarioKpis Kpis => ScenarioReport.Kpis(Result);
}

/// <summary>
/// Re-runs a scenario for a range of one intervention parameter (the incentive weight <c>W</c> or the at-risk threshold
/// <c>theta</c>). Each run warm-starts the P2P market from the previous point's prices.
/// </summary>
public static class ScenarioSweep
{
    public static IReadOnlyList<double> Range(double from, double to, double step)
    {
        if (!(step > 0)) throw new ArgumentOutOfRangeException(nameof(step), "step must be positive");
        double count = Math.Floor((to - from) / step + 1e-9) + 1;
        if (!(count <= Array.MaxLength)) throw new ArgumentOutOfRangeException(nameof(step), $"step {step} from {from} to {to} gives too many values");
        int n = (int)count;
        return Enumerable.Range(0, Math.Max(n, 0)).Select(k => Math.Round(from + k * step, 12)).ToArray();
    }

    /// <summary>The parameters' words (<c>p2pflex sweep --param</c>).</summary>
    public static ScenarioWordList<SweepParameter> Words { get; } = new((SweepParameter.W, "W"), (SweepParameter.Theta, "theta"));

    /// <summary>
    /// The scenario with one intervention parameter changed. A value other than the scenario's own makes another
    /// scenario, and it is named so: <c>3-theta80 (W = 0.35)</c>, <c>3-theta80 (W = 0.35, θ = 0.9)</c> after a second
    /// change (label likewise), with neither the study's values nor the file's expected KPIs, which belong to the file's
    /// parameters. The scenario's own value returns it unchanged, name included.
    /// </summary>
    public static ScenarioDefinition With(ScenarioDefinition scenario, SweepParameter parameter, double value)
    {
        var changed = (parameter, scenario.Intervention) switch
        {
            (SweepParameter.W, DsoIntervention.Incentive i) => scenario.WithIntervention(i with { W = value }),
            (SweepParameter.Theta, DsoIntervention.Incentive i) => scenario.WithIntervention(i with { Theta = value }),
            (SweepParameter.Theta, DsoIntervention.Block b) => scenario.WithIntervention(b with { Theta = value }),
            _ => throw new ArgumentException($"scenario '{scenario.Name}' has no parameter '{Words.Word(parameter)}' (W needs an incentive, theta an incentive or blocking)"),
        };
        if (changed.Intervention == scenario.Intervention) return scenario;
        var origin = scenario.ChangedFrom ?? new ScenarioOrigin(scenario.Name, scenario.Label, []);
        var changes = origin.Changes.Where(c => c.Parameter != parameter).Append(new ScenarioChange(parameter, value)).OrderBy(c => c.Parameter).ToArray();
        string what = string.Join(", ", changes.Select(c => c.Describe()));
        return changed with
        {
            Name = $"{origin.Name} ({what})",
            Label = $"{origin.Label}, changed: {what}",
            Study = null,
            Expected = null,
            ChangedFrom = origin with { Changes = changes },
        };
    }

    public static IReadOnlyList<SweepPoint> Run(ScenarioDefinition scenario, StudyContext context, SweepParameter parameter, IEnumerable<double> values)
    {
        var points = new List<SweepPoint>();
        IReadOnlyList<double>? warm = null;
        foreach (double v in values)
        {
            var result = ScenarioRunner.Run(With(scenario, parameter, v), context, warm);
            warm = result.Market.WarmStartPrices;
            points.Add(new SweepPoint(v, result));
        }
        return points;
    }
}

/// <summary>
/// Where a sweep costs the DSO least: the parameter value(s) at which its total (<see cref="DsoCostKpis.TotalEur"/> =
/// LFM cost + incentives paid − penalties received + capacity payments) is smallest — every value that ties — and
/// what it pays there. A cheaper LFM is not a cheaper DSO: a larger W lowers the LFM cost and raises the incentives.
/// </summary>
/// <param name="Parameter">The swept parameter as written (<c>W</c>, <c>theta</c>).</param>
/// <param name="Values">The values with the least total, ascending (at least one).</param>
/// <param name="Dso">What the DSO pays at the first of them.</param>
/// <param name="Unknown">Values where the total is unknown (the LFM did not clear), left out of the comparison.</param>
public sealed record DsoTotalMinimum(string Parameter, IReadOnlyList<double> Values, DsoCostKpis Dso, IReadOnlyList<double> Unknown)
{
    /// <summary>The least of a sweep's DSO totals; null when no point has one (the LFM is infeasible throughout).</summary>
    public static DsoTotalMinimum? Of(IReadOnlyList<SweepPoint> points, SweepParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(points);
        var known = points.Select(p => (p.Value, p.Kpis.Dso)).Where(p => p.Dso.TotalEur is not null).ToArray();
        if (known.Length == 0) return null;
        double least = known.Min(p => p.Dso.TotalEur!.Value);
        // Exact equality: the totals are computed the same way at every point, so a tie is a tie in every bit.
        var at = known.Where(p => p.Dso.TotalEur == least).OrderBy(p => p.Value).ToArray();
        var unknown = points.Where(p => p.Kpis.Dso.TotalEur is null).Select(p => p.Value).ToArray();
        return new DsoTotalMinimum(ScenarioSweep.Words.Word(parameter), at.Select(p => p.Value).ToArray(), at[0].Dso, unknown);
    }

    /// <summary>"the DSO's total cost is least at W = 0.1: 15.471 EUR = LFM 13.987 + incentives paid 3.059 − penalties
    /// received 1.575 + capacity payments 0.000".</summary>
    public string Text
    {
        get
        {
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            string Value(double v) => v.ToString("0.######", ci);
            string at = string.Join(", ", Values.Select(Value));
            string ties = Values.Count > 1 ? " (a tie)" : "";
            string unknown = Unknown.Count == 0 ? ""
                : $" (unknown where the LFM did not clear: {Parameter} = {string.Join(", ", Unknown.Select(Value))})";
            return string.Create(ci,
                $"the DSO's total cost is least at {Parameter} = {at}{ties}: {Dso.TotalEur:F3} EUR = LFM {Dso.LfmCostEur ?? 0:F3} + incentives paid {Dso.IncentivesPaidEur:F3} − penalties received {Dso.PenaltiesReceivedEur:F3} + capacity payments {Dso.CapacityPaymentsEur:F3}{unknown}");
        }
    }
}
