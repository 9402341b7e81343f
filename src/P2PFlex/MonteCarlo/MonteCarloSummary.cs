using System.Globalization;
using System.Text;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.MonteCarlo;

/// <summary>Distribution of one numeric KPI of one scenario over the draws where it has a value.</summary>
public sealed record KpiDistribution(string Scenario, string Kpi, int Count, double Mean, double Q05, double Q25, double Q50, double Q75, double Q95);

/// <summary>In how many draws a pattern check holds (<see cref="NotComputable"/>: draws where a scenario it needs could not run).</summary>
public sealed record CheckHoldRate(string Id, string Scenario, string Description, int Draws, int Holds, int NotComputable)
{
    /// <summary>Share of all draws in which the check holds (a draw where it cannot be evaluated counts as not holding).</summary>
    public double Rate => Draws == 0 ? 0 : (double)Holds / Draws;
}

/// <summary>
/// Share of draws in which scenario A costs the DSO less than B: its total (<c>dso_total_eur</c>: LFM cost + incentives
/// paid − penalties received + capacity payments), so a design whose LFM did not run is compared on what it did pay
/// (CM5's capacity payments, not "0 €"). A draw where the LFM was infeasible costs +∞ (the congestion stays); ties do
/// not count.
/// </summary>
public sealed record BeatsRate(string A, string B, int Draws, int Beats)
{
    public double Rate => Draws == 0 ? 0 : (double)Beats / Draws;
}

/// <summary>The summary of a Monte Carlo result: KPI distributions, pattern-check hold rates, pairwise LFM-cost rates.</summary>
public sealed record MonteCarloSummary(
    string Feeder, int Draws, IReadOnlyList<KpiDistribution> Kpis, IReadOnlyList<CheckHoldRate> Checks, IReadOnlyList<BeatsRate> Beats)
{
    /// <summary>Summarises rows (any order); scenarios in the order of <paramref name="scenarios"/>.</summary>
    public static MonteCarloSummary Compute(string feeder, IReadOnlyList<string> scenarios, IReadOnlyList<MonteCarloRow> rows)
    {
        var byScenario = rows.GroupBy(r => r.Scenario).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Draw).ToArray());
        var draws = rows.Select(r => r.Draw).Distinct().Order().ToArray();
        var kpis = new List<KpiDistribution>();
        foreach (string s in scenarios)
        {
            if (!byScenario.TryGetValue(s, out var rs)) continue;
            for (int k = 0; k < MonteCarloRow.KpiTypes.Count; k++)
            {
                var (name, type) = MonteCarloRow.KpiTypes[k];
                if (type != typeof(double) && type != typeof(int)) continue;
                var values = rs.Select(r => r.Kpis[k]).Where(v => v is not null).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
                if (values.Length == 0) continue;
                Array.Sort(values);
                kpis.Add(new KpiDistribution(s, name, values.Length, Mean(values),
                    Quantile(values, 0.05), Quantile(values, 0.25), Quantile(values, 0.50), Quantile(values, 0.75), Quantile(values, 0.95)));
            }
        }

        // Checks are per draw (the same on every row of a draw): take one row per draw.
        var firstOfDraw = rows.GroupBy(r => r.Draw).OrderBy(g => g.Key).Select(g => g.First()).ToArray();
        var descriptions = Descriptions();
        var checks = StudyPattern.CheckIds.Select((id, c) => new CheckHoldRate(id, descriptions[id].Scenario, descriptions[id].Description,
            firstOfDraw.Length, firstOfDraw.Count(r => r.Checks[c] == true), firstOfDraw.Count(r => r.Checks[c] is null))).ToArray();

        int costColumn = IndexOf("dso_total_eur");
        double Cost(MonteCarloRow r) => r.Kpis[costColumn] is double d ? d : double.PositiveInfinity;
        var costByDraw = scenarios.Where(byScenario.ContainsKey)
            .ToDictionary(s => s, s => byScenario[s].ToDictionary(r => r.Draw, Cost));
        var beats = new List<BeatsRate>();
        foreach (string a in costByDraw.Keys)
            foreach (string b in costByDraw.Keys)
            {
                if (a == b) continue;
                int n = 0, wins = 0;
                foreach (int d in draws)
                {
                    if (!costByDraw[a].TryGetValue(d, out double ca) || !costByDraw[b].TryGetValue(d, out double cb)) continue;
                    n++;
                    if (ca < cb) wins++;
                }
                beats.Add(new BeatsRate(a, b, n, wins));
            }
        return new MonteCarloSummary(feeder, draws.Length, kpis, checks, beats);
    }

    private static int IndexOf(string kpi)
    {
        for (int i = 0; i < MonteCarloRow.KpiTypes.Count; i++) if (MonteCarloRow.KpiTypes[i].Name == kpi) return i;
        throw new KeyNotFoundException($"no KPI column '{kpi}'");
    }

    private static Dictionary<string, (string Scenario, string Description)> Descriptions() =>
        StudyPattern.Evaluate(new Dictionary<string, ScenarioResult>()).ToDictionary(c => c.Id, c => (c.Scenario, c.Description));

    private static double Mean(double[] sorted)
    {
        double sum = 0;
        foreach (double v in sorted) sum += v;
        return sum / sorted.Length;
    }

    /// <summary>Quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7, the
    /// default of R, NumPy and pandas): h = (n − 1) p, x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values");
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The hold-rate table as text.</summary>
    public string ChecksTable()
    {
        var sb = new StringBuilder();
        sb.Append(Invariant($"Pattern checks on {Feeder}, {Draws} draws (share of draws in which the study's finding holds)\n"));
        sb.Append(Invariant($"{"check",-15} {"holds",7} {"rate",7} {"n/a",5}  finding\n"));
        foreach (var c in Checks)
            sb.Append(Invariant($"{c.Id,-15} {c.Holds,7} {100 * c.Rate,6:F1}% {c.NotComputable,5}  {c.Description}\n"));
        return sb.ToString();
    }

    /// <summary>The LFM-cost medians and the pairwise rates as text.</summary>
    public string Text()
    {
        var sb = new StringBuilder();
        sb.Append(ChecksTable()).Append('\n');
        sb.Append("KPI distributions (mean; 5/25/50/75/95 % quantiles) — all KPIs in summary_kpis.csv\n");
        foreach (var k in Kpis.Where(k => k.Kpi is "congested_lines" or "lfm_cost_eur" or "p2p_volume_mw"))
            sb.Append(Invariant($"{k.Scenario,-28} {k.Kpi,-16} n={k.Count,-5} mean {k.Mean,10:G5}  [{k.Q05:G4}, {k.Q25:G4}, {k.Q50:G4}, {k.Q75:G4}, {k.Q95:G4}]\n"));
        sb.Append("\nA beats B on the DSO's total cost (share of draws; rows A, columns B) — all pairs in summary_beats.csv\n");
        var names = Beats.Select(b => b.A).Distinct().ToArray();
        sb.Append(Invariant($"{"",-28}")).Append(string.Join(" ", names.Select(n => Invariant($"{Short(n),7}")))).Append('\n');
        foreach (string a in names)
        {
            sb.Append(Invariant($"{a,-28}"));
            foreach (string b in names)
                sb.Append(' ').Append(a == b ? Invariant($"{"–",7}") : Invariant($"{100 * Beats.Single(x => x.A == a && x.B == b).Rate,6:F1}%"));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Short(string name) => name.Length <= 7 ? name : name[..7];

    /// <summary>The summary files of a merge, in order: summary_kpis.csv, summary_checks.csv and summary_beats.csv (name, text).</summary>
    public IReadOnlyList<(string Name, string Text)> CsvFiles()
    {
        var kpis = new StringBuilder("scenario,kpi,count,mean,q05,q25,q50,q75,q95\n");
        foreach (var k in Kpis)
            kpis.Append(k.Scenario).Append(',').Append(k.Kpi).Append(',').Append(k.Count.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(string.Join(",", new[] { k.Mean, k.Q05, k.Q25, k.Q50, k.Q75, k.Q95 }.Select(CsvTable.Format))).Append('\n');
        var checks = new StringBuilder("check,scenario,draws,holds,not_computable,rate,finding\n");
        foreach (var c in Checks)
            checks.Append(Invariant($"{c.Id},{c.Scenario},{c.Draws},{c.Holds},{c.NotComputable},{CsvTable.Format(c.Rate)},\"{c.Description.Replace("\"", "\"\"")}\"\n"));
        var beats = new StringBuilder("a,b,draws,a_cheaper,rate\n");
        foreach (var b in Beats) beats.Append(Invariant($"{b.A},{b.B},{b.Draws},{b.Beats},{CsvTable.Format(b.Rate)}\n"));
        return [("summary_kpis.csv", kpis.ToString()), ("summary_checks.csv", checks.ToString()), ("summary_beats.csv", beats.ToString())];
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
