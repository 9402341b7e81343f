using P2PFlex.Interventions;

namespace P2PFlex.Scenarios;

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

    /// <summary>The scenario with one intervention parameter changed (W or theta).</summary>
    public static ScenarioDefinition With(ScenarioDefinition scenario, string parameter, double value) =>
        (parameter, scenario.Intervention) switch
        {
            ("W", DsoIntervention.Incentive i) => scenario.WithIntervention(i with { W = value }),
            ("theta", DsoIntervention.Incentive i) => scenario.WithIntervention(i with { Theta = value }),
            ("theta", DsoIntervention.Block b) => scenario.WithIntervention(b with { Theta = value }),
            _ => throw new ArgumentException($"scenario '{scenario.Name}' has no parameter '{parameter}' (W needs an incentive, theta an incentive or blocking)"),
        };

    public static IReadOnlyList<SweepPoint> Run(ScenarioDefinition scenario, StudyContext context, string parameter, IEnumerable<double> values)
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
