using System.Globalization;
using System.Text;
using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.TimeSeries;

/// <summary>The DSO's choice in one interval: the W (and θ) it picked, what that cost, and what the study's fixed setting cost.</summary>
/// <param name="Interval">Interval on the profiles' axis.</param>
/// <param name="Time">Its start.</param>
/// <param name="W">Chosen incentive weight.</param>
/// <param name="Theta">Chosen at-risk threshold.</param>
/// <param name="CostEur">The DSO's total cost at the choice (null: no setting of the grid cleared the LFM).</param>
/// <param name="FixedCostEur">The DSO's total cost at the scenario file's own W and θ (W = 0.2 in the study).</param>
public sealed record WChoice(int Interval, DateTime Time, double W, double Theta, double? CostEur, double? FixedCostEur)
{
    /// <summary>Saving against the fixed setting, € (null when either cost is unknown).</summary>
    public double? SavingEur => CostEur is double c && FixedCostEur is double f ? f - c : null;
}

/// <summary>
/// The DSO picking the incentive weight W (and optionally θ) interval by interval from a grid of values, to minimise
/// its total cost in that interval (LFM + incentives − penalties), against the scenario file's fixed setting (the
/// study's W = 0.2). The fixed setting is always one of the candidates, so the choice never costs more than it; ties
/// keep the fixed setting, then the earlier grid value. A setting whose LFM does not clear has an unknown cost and is
/// never chosen over one that clears.
/// </summary>
public sealed class WPolicy
{
    private readonly IFeederIntervals _states;
    private readonly ScenarioDefinition _scenario;
    private readonly (double W, double Theta)[] _grid;
    private readonly DsoIntervention.Incentive _fixed;

    public WPolicy(IFeederIntervals states, ScenarioDefinition scenario, IReadOnlyList<double> wGrid, IReadOnlyList<double>? thetaGrid = null)
    {
        if (scenario.Intervention is not DsoIntervention.Incentive incentive)
            throw new ArgumentException($"scenario '{scenario.Name}' has no incentive intervention: the W policy needs one (scenario 3)");
        _states = states;
        _scenario = scenario;
        _fixed = incentive;
        var thetas = thetaGrid is { Count: > 0 } ? thetaGrid : [incentive.Theta];
        var grid = new List<(double, double)> { (incentive.W, incentive.Theta) };
        foreach (double t in thetas)
            foreach (double w in wGrid)
                if (!grid.Contains((w, t))) grid.Add((w, t));
        _grid = grid.ToArray();
    }

    /// <summary>The candidate settings, the fixed one first.</summary>
    public IReadOnlyList<(double W, double Theta)> Grid => _grid;

    /// <summary>The study's grid of W: 0, 0.05, …, 0.5.</summary>
    public static IReadOnlyList<double> DefaultWGrid { get; } = Enumerable.Range(0, 11).Select(k => Math.Round(k * 0.05, 12)).ToArray();

    /// <summary>The choices of intervals [first, first + count), in order (intervals in parallel; each is a pure function of its factors).</summary>
    public IReadOnlyList<WChoice> Run(int first, int count, int? maxDegreeOfParallelism = null, IProgress<int>? progress = null)
    {
        var choices = new WChoice[count];
        var cache = new System.Collections.Concurrent.ConcurrentDictionary<string, WChoice>();
        int done = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount }, i =>
        {
            int t = first + i;
            string key = string.Join(",", _states.FactorsAt(t).Select(f => BitConverter.DoubleToInt64Bits(f).ToString(CultureInfo.InvariantCulture)));
            var c = cache.TryGetValue(key, out var known) ? known : cache.GetOrAdd(key, Choose(t));
            choices[i] = c with { Interval = t, Time = _states.Axis.TimeAt(t) };
            progress?.Report(Interlocked.Increment(ref done));
        });
        return choices;
    }

    private WChoice Choose(int interval)
    {
        var context = _states.At(interval);
        double? Cost(double w, double theta)
        {
            var (r, _) = TimeSeriesRunner.RunScenario(_scenario.WithIntervention(_fixed with { W = w, Theta = theta }), context);
            return r is null ? null : ScenarioReport.Kpis(r).Dso.TotalEur;
        }
        double? fixedCost = Cost(_fixed.W, _fixed.Theta);
        var best = (W: _fixed.W, Theta: _fixed.Theta, Cost: fixedCost);
        foreach (var (w, theta) in _grid.Skip(1))
        {
            double? c = Cost(w, theta);
            if (c is double v && (best.Cost is null || v < best.Cost)) best = (w, theta, c);
        }
        return new WChoice(interval, _states.Axis.TimeAt(interval), best.W, best.Theta, best.Cost, fixedCost);
    }

    /// <summary>The choices as CSV.</summary>
    public static string Csv(IReadOnlyList<WChoice> choices)
    {
        var sb = new StringBuilder("interval,time,w,theta,dso_cost_eur,fixed_dso_cost_eur,saving_eur\n");
        static string N(double? v) => v is double d ? CsvTable.Format(d) : "";
        foreach (var c in choices)
            sb.Append(c.Interval.ToString(CultureInfo.InvariantCulture)).Append(',').Append(TimeAxis.Format(c.Time)).Append(',')
              .Append(CsvTable.Format(c.W)).Append(',').Append(CsvTable.Format(c.Theta)).Append(',').Append(N(c.CostEur)).Append(',')
              .Append(N(c.FixedCostEur)).Append(',').Append(N(c.SavingEur)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The window's saving (€, scaled to the profile's step: <paramref name="stepHours"/> / the scenario's
    /// interval_hours) and how often each W was chosen.</summary>
    public static (double SavingEur, IReadOnlyList<(double W, int Count)> Distribution) Summarise(IReadOnlyList<WChoice> choices, double stepHours, double intervalHours)
    {
        double saving = 0;
        foreach (var c in choices) if (c.SavingEur is double s) saving += s * stepHours / intervalHours;
        var distribution = choices.GroupBy(c => c.W).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToArray();
        return (saving, distribution);
    }
}
