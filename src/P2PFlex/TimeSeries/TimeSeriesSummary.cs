using System.Globalization;
using System.Text;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.MonteCarlo;

namespace P2PFlex.TimeSeries;

/// <summary>
/// One scenario's totals over a window. Rows carry each scenario's KPIs priced for the scenario file's
/// <c>interval_hours</c> (1 h in the study's files, MODEL §1); energies and € here are those rates × the profile's step,
/// i.e. MW × Δt and €/interval_hours × Δt/interval_hours.
/// </summary>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Intervals">Intervals in the window.</param>
/// <param name="Errors">Intervals where the scenario could not run (its rule impossible); none of the counts include them.</param>
/// <param name="CongestedIntervals">Intervals with at least one congested line after the peers' market (before the LFM).</param>
/// <param name="BlockingIntervals">Intervals in which the DSO blocked at least one pair (scenario 2).</param>
/// <param name="SteeringIntervals">Intervals in which an incentive or penalty changed at least one pair's preference (scenario 3).</param>
/// <param name="LfmInfeasibleIntervals">Intervals whose LFM had no feasible activation.</param>
/// <param name="VoltageViolationIntervals">Intervals with a bus outside the voltage band in the final AC state
/// (after the LFM when it cleared, else before).</param>
/// <param name="DsoEur">What the DSO pays over the window (LFM + incentives − penalties + capacity), € (intervals whose
/// LFM did not clear have no cost and are counted in <paramref name="DsoUnknownIntervals"/>).</param>
/// <param name="DsoUnknownIntervals">Intervals with no DSO total.</param>
/// <param name="DsoEurPerDay">DSO € per day of the window.</param>
/// <param name="DsoEurPerYear">DSO € per day × 365.</param>
/// <param name="P2PMwh">Energy traded among peers, MWh.</param>
/// <param name="PeersWelfareEur">The peers' total surplus, €.</param>
public sealed record ScenarioYear(string Scenario, int Intervals, int Errors, int CongestedIntervals, int BlockingIntervals,
    int SteeringIntervals, int LfmInfeasibleIntervals, int VoltageViolationIntervals, double DsoEur, int DsoUnknownIntervals,
    double DsoEurPerDay, double DsoEurPerYear, double P2PMwh, double PeersWelfareEur)
{
    /// <summary>Share of the intervals in which the DSO blocked nothing (the §5.4.2.3 question for scenario 2).</summary>
    public double ShareWithoutBlocking => Intervals == 0 ? 0 : 1 - (double)BlockingIntervals / Intervals;
}

/// <summary>Accumulates rows (in any grouping) into per-scenario totals; sums run in row order (interval order), so the
/// result does not depend on how the window was split.</summary>
public sealed class TimeSeriesSummary
{
    private readonly string[] _scenarios;
    private readonly double[] _scale;
    private readonly Acc[] _acc;
    private readonly double _stepHours;
    private static readonly int Congested = Index("congested_lines"), LfmStatusCol = Index("lfm_status"), Dso = Index("dso_total_eur"),
        P2P = Index("p2p_volume_mw"), Welfare = Index("market_peers_welfare_eur"),
        OutsideBefore = Index("voltage_before_lfm_buses_outside_band"), OutsideAfter = Index("voltage_after_lfm_buses_outside_band");

    private sealed class Acc
    {
        public int Intervals, Errors, Congested, Blocking, Steering, Infeasible, Voltage, DsoUnknown;
        public double DsoEur, P2PMwh, WelfareEur;
    }

    /// <param name="scenarios">Scenario names in row order.</param>
    /// <param name="intervalHours">Each scenario's <c>interval_hours</c>.</param>
    /// <param name="stepHours">The profile's step, h.</param>
    public TimeSeriesSummary(IReadOnlyList<string> scenarios, IReadOnlyList<double> intervalHours, double stepHours)
    {
        _scenarios = scenarios.ToArray();
        _stepHours = stepHours;
        _scale = intervalHours.Select(h => stepHours / h).ToArray();
        _acc = _scenarios.Select(_ => new Acc()).ToArray();
    }

    private static int Index(string kpi)
    {
        for (int i = 0; i < MonteCarloRow.KpiTypes.Count; i++) if (MonteCarloRow.KpiTypes[i].Name == kpi) return i;
        throw new KeyNotFoundException($"no KPI column '{kpi}'");
    }

    public void Add(IEnumerable<TimeSeriesRow> rows)
    {
        foreach (var r in rows)
        {
            int s = Array.IndexOf(_scenarios, r.Scenario);
            if (s < 0) throw new InvalidDataException($"row of interval {r.Interval} names scenario '{r.Scenario}', which the run does not have");
            var a = _acc[s];
            a.Intervals++;
            if (r.Error is not null) { a.Errors++; continue; }
            if (r.Kpis[Congested] is int c && c > 0) a.Congested++;
            if (r.BlockedPairs > 0) a.Blocking++;
            if (r.SteeredPairs > 0) a.Steering++;
            if (r.Kpis[LfmStatusCol] as string == nameof(LfmStatus.Infeasible)) a.Infeasible++;
            if ((r.Kpis[OutsideAfter] ?? r.Kpis[OutsideBefore]) is int v && v > 0) a.Voltage++;
            if (r.Kpis[Dso] is double d) a.DsoEur += d * _scale[s]; else a.DsoUnknown++;
            a.P2PMwh += (double)r.Kpis[P2P]! * _stepHours;
            a.WelfareEur += (double)r.Kpis[Welfare]! * _scale[s];
        }
    }

    public IReadOnlyList<ScenarioYear> Result()
    {
        return _scenarios.Select((name, s) =>
        {
            var a = _acc[s];
            double days = a.Intervals * _stepHours / 24;
            double perDay = days > 0 ? a.DsoEur / days : 0;
            return new ScenarioYear(name, a.Intervals, a.Errors, a.Congested, a.Blocking, a.Steering, a.Infeasible, a.Voltage,
                a.DsoEur, a.DsoUnknown, perDay, perDay * 365, a.P2PMwh, a.WelfareEur);
        }).ToArray();
    }

    public static readonly string[] Columns =
    [
        "scenario", "intervals", "errors", "congested_intervals", "blocking_intervals", "steering_intervals", "lfm_infeasible_intervals",
        "voltage_violation_intervals", "dso_eur", "dso_unknown_intervals", "dso_eur_per_day", "dso_eur_per_year", "p2p_mwh", "peers_welfare_eur",
    ];

    /// <summary>The totals as CSV (invariant culture, round-trip doubles).</summary>
    public static string Csv(IReadOnlyList<ScenarioYear> years)
    {
        var sb = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var y in years)
            sb.Append(string.Join(",", new[]
            {
                y.Scenario, I(y.Intervals), I(y.Errors), I(y.CongestedIntervals), I(y.BlockingIntervals), I(y.SteeringIntervals),
                I(y.LfmInfeasibleIntervals), I(y.VoltageViolationIntervals), CsvTable.Format(y.DsoEur), I(y.DsoUnknownIntervals),
                CsvTable.Format(y.DsoEurPerDay), CsvTable.Format(y.DsoEurPerYear), CsvTable.Format(y.P2PMwh), CsvTable.Format(y.PeersWelfareEur),
            })).Append('\n');
        return sb.ToString();
    }

    /// <summary>The totals as a text table.</summary>
    public static string Text(IReadOnlyList<ScenarioYear> years)
    {
        var sb = new StringBuilder();
        sb.Append(Inv($"{"scenario",-28} {"n",6} {"err",4} {"congest",7} {"block",6} {"steer",6} {"infeas",6} {"volt",6} {"DSO €/day",11} {"DSO €/year",11} {"P2P MWh",9} {"welfare €",10}\n"));
        foreach (var y in years)
            sb.Append(Inv($"{y.Scenario,-28} {y.Intervals,6} {y.Errors,4} {y.CongestedIntervals,7} {y.BlockingIntervals,6} {y.SteeringIntervals,6} {y.LfmInfeasibleIntervals,6} {y.VoltageViolationIntervals,6} {y.DsoEurPerDay,11:F2} {y.DsoEurPerYear,11:F0} {y.P2PMwh,9:F1} {y.PeersWelfareEur,10:F0}\n"));
        return sb.ToString();
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
