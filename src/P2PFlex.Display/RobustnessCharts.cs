using System.Globalization;
using Deedle;
using Plotly.NET;
using Plotly.NET.CSharp;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace P2PFlex.Display;

/// <summary>A study value against our distribution: median, 5–95 % range, share of draws at or below it (%).</summary>
public sealed record StudyValueInDistribution(string Scenario, string Kpi, double Study, double? ShippedDraw, double Median, double Q05, double Q95, double StudyPercentile);

/// <summary>
/// Charts and tables of a Monte Carlo result (notebook 08): KPI distributions per scenario, the share of draws in which
/// each of the study's findings holds, where the study's own values fall in our distributions, and feeders side by
/// side. Titles, axis labels and units included; every method returns a new object and changes nothing it is given.
/// </summary>
public static class RobustnessCharts
{
    private const string Blue = "#1f77b4", Red = "#d62728", Orange = "#ff7f0e";

    /// <summary>Unit of a KPI column for axis labels, from its name (<c>_eur</c> → EUR, <c>_mw</c> → MW).</summary>
    public static string UnitOf(string kpi) =>
        kpi.EndsWith("_eur", StringComparison.Ordinal) ? "EUR"
        : kpi.EndsWith("_mw", StringComparison.Ordinal) ? "MW"
        : kpi.EndsWith("_eur_per_mwh", StringComparison.Ordinal) ? "EUR/MWh"
        : kpi.Contains("lines", StringComparison.Ordinal) ? "lines" : "";

    /// <summary>
    /// A KPI's name for people, e.g. <c>dso_total_eur</c> → "total cost to the DSO" (the Monte Carlo column names are
    /// code names; titles and axes use these). An unknown name loses its unit suffix and underscores.
    /// </summary>
    public static string LabelOf(string kpi) => kpi switch
    {
        "lfm_cost_eur" => "LFM cost",
        "dso_total_eur" => "total cost to the DSO",
        "p2p_volume_mw" => "P2P volume",
        "congested_lines" => "congested lines",
        "overflow_sum_mw" => "overflow sum",
        "overflow_weighted_avg_mw" => "weighted average overflow",
        "peers_welfare_eur" => "peers' welfare",
        _ => System.Text.RegularExpressions.Regex.Replace(kpi, "_(eur_per_mwh|eur|mw)$", "").Replace('_', ' '),
    };

    /// <summary>The KPI's axis title: its label and unit, e.g. "LFM cost (€)" (no unit for counts).</summary>
    public static string AxisTitleOf(string kpi)
    {
        string unit = UnitOf(kpi) switch { "EUR" => "€", "EUR/MWh" => "€/MWh", "lines" => "", var u => u };
        string label = LabelOf(kpi);
        return unit.Length > 0 ? $"{char.ToUpperInvariant(label[0])}{label[1..]} ({unit})" : $"{char.ToUpperInvariant(label[0])}{label[1..]}";
    }

    private static GenericChart Titled(GenericChart chart, string title, string xTitle, string yTitle, int width = 1000, int height = 450) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(width, height);

    private static double[] Values(IEnumerable<MonteCarloRow> rows, string kpi) =>
        rows.Select(r => r.Kpi(kpi)).Where(v => v is not null).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// One box per scenario: the distribution of a KPI over the draws (box = quartiles, whiskers 1.5 IQR, points beyond).
    /// Draws where the KPI has no value (an LFM that did not clear has no cost) are left out, and the legend says how many.
    /// </summary>
    public static GenericChart KpiBoxes(IReadOnlyList<MonteCarloRow> rows, string kpi, IReadOnlyList<string>? scenarios = null, string? title = null)
    {
        var names = scenarios ?? rows.Select(r => r.Scenario).Distinct().ToArray();
        var boxes = names.Select(s =>
        {
            var ofScenario = rows.Where(r => r.Scenario == s).ToArray();
            var values = Values(ofScenario, kpi);
            int missing = ofScenario.Length - values.Length;
            string name = missing > 0 ? $"{s} ({missing} draws without a value)" : s;
            return CSharpChart.BoxPlot<string, double, string>(X: values.Select(_ => s).ToArray(), Y: values, Name: name,
                BoxPoints: StyleParam.BoxPoints.Outliers);
        }).ToArray();
        int draws = rows.Select(r => r.Draw).Distinct().Count();
        string feeder = rows.FirstOrDefault()?.Feeder ?? "";
        return Titled(CSharpChart.Combine(boxes), title ?? $"{AxisTitleOf(kpi)} per scenario over {draws} draws ({feeder})", "scenario",
            AxisTitleOf(kpi));
    }

    /// <summary>Bar per pattern check: the share of draws (%) in which the study's finding holds.</summary>
    public static GenericChart HoldRates(MonteCarloSummary summary, string? title = null)
    {
        var ids = summary.Checks.Select(c => c.Id).ToArray();
        var chart = CSharpChart.Column<double, string, string>(summary.Checks.Select(c => 100 * c.Rate), Keys: ids, Name: summary.Feeder,
            MarkerColor: Color.fromString(Blue), MultiText: summary.Checks.Select(c => (100 * c.Rate).ToString("F0", CultureInfo.InvariantCulture) + " %").ToArray());
        return Titled(chart, title ?? $"How often each finding of the study holds: {summary.Feeder}, {summary.Draws} draws", "pattern check",
            "draws in which it holds (%)", 1000, 420).WithYAxisStyle<double, double, string>(TitleText: "draws in which it holds (%)", MinMax: Tuple.Create(0.0, 100.0));
    }

    /// <summary>Hold rates of several feeders side by side (grouped bars, %).</summary>
    public static GenericChart HoldRatesByFeeder(IReadOnlyList<MonteCarloSummary> summaries, string title = "How often each finding holds, per feeder")
    {
        string[] palette = [Blue, Orange, "#2ca02c", Red, "#9467bd"];
        var bars = summaries.Select((s, i) => CSharpChart.Column<double, string, string>(s.Checks.Select(c => 100 * c.Rate), Keys: s.Checks.Select(c => c.Id).ToArray(),
            Name: $"{s.Feeder} ({s.Draws} draws)", MarkerColor: Color.fromString(palette[i % palette.Length]))).ToArray();
        return Titled(CSharpChart.Combine(bars), title, "pattern check", "draws in which it holds (%)", 1100, 450)
            .WithYAxisStyle<double, double, string>(TitleText: "draws in which it holds (%)", MinMax: Tuple.Create(0.0, 100.0));
    }

    /// <summary>The hold-rate table: check, scenario, finding, draws in which it holds, share (%), draws where it could not be evaluated.</summary>
    public static Frame<int, string> HoldRateTable(MonteCarloSummary summary) =>
        Deedle.Frame.FromRecords(summary.Checks.Select(c => new
        {
            Check = c.Id,
            c.Scenario,
            Finding = c.Description,
            Holds = $"{c.Holds} of {c.Draws}",
            SharePercent = Math.Round(100 * c.Rate, 1),
            NotEvaluable = c.NotComputable,
        }));

    /// <summary>
    /// Where the study's own Table 8 values (and the shipped draw's) fall in our distributions: for each scenario and
    /// KPI the study reports, the study's value, ours on the shipped draw, our median and 5–95 % range over the draws,
    /// and the share of draws at or below the study's value (its percentile).
    /// </summary>
    public static Frame<int, string> StudyInDistribution(IReadOnlyList<MonteCarloRow> rows, IReadOnlyList<ScenarioResult> shipped)
    {
        var records = new List<StudyValueInDistribution>();
        foreach (var r in shipped)
        {
            var study = r.Definition.Study;
            if (study is null) continue;
            var ours = ScenarioReport.Kpis(r);
            var kpis = new (string Kpi, double? Study, double? Shipped)[]
            {
                ("congested_lines", study.CongestedLines, ours.CongestedLines),
                ("overflow_sum_mw", study.OverflowSumMw, ours.OverflowSumMw),
                ("lfm_cost_eur", study.LfmCostEur, ours.LfmCostEur),
                ("p2p_volume_mw", study.P2PVolumeMw, ours.P2PVolumeMw),
            };
            foreach (var (kpi, studyValue, shippedValue) in kpis)
            {
                var values = Values(rows.Where(x => x.Scenario == r.Name), kpi);
                if (values.Length == 0 || studyValue is null) continue;
                Array.Sort(values);
                records.Add(new StudyValueInDistribution(r.Name, kpi, studyValue.Value, shippedValue,
                    MonteCarloSummary.Quantile(values, 0.5), MonteCarloSummary.Quantile(values, 0.05), MonteCarloSummary.Quantile(values, 0.95),
                    Math.Round(100.0 * values.Count(v => v <= studyValue.Value) / values.Length, 1)));
            }
        }
        return Deedle.Frame.FromRecords(records);
    }

    /// <summary>A KPI's boxes with the study's Table 8 value of each scenario as a red diamond and the shipped draw's as an orange one.</summary>
    public static GenericChart KpiBoxesWithStudy(IReadOnlyList<MonteCarloRow> rows, string kpi, IReadOnlyList<ScenarioResult> shipped)
    {
        var names = shipped.Select(r => r.Name).Where(n => rows.Any(x => x.Scenario == n)).ToArray();
        var boxes = KpiBoxes(rows, kpi, names);
        double? StudyValue(ScenarioResult r) => kpi switch
        {
            "congested_lines" => r.Definition.Study?.CongestedLines,
            "overflow_sum_mw" => r.Definition.Study?.OverflowSumMw,
            "lfm_cost_eur" => r.Definition.Study?.LfmCostEur,
            "p2p_volume_mw" => r.Definition.Study?.P2PVolumeMw,
            _ => null,
        };
        var withStudy = shipped.Where(r => names.Contains(r.Name) && StudyValue(r) is not null).ToArray();
        var withShipped = shipped.Where(r => names.Contains(r.Name) && ScenarioReport.Kpis(r).Columns().Single(c => c.Key == kpi).Value is not null).ToArray();
        var study = CSharpChart.Point<string, double, string>(withStudy.Select(r => r.Name), withStudy.Select(r => StudyValue(r)!.Value), Name: "study (Table 8)",
            MarkerColor: Color.fromString(Red), MarkerSymbol: StyleParam.MarkerSymbol.Diamond);
        var ours = CSharpChart.Point<string, double, string>(withShipped.Select(r => r.Name),
            withShipped.Select(r => Convert.ToDouble(ScenarioReport.Kpis(r).Columns().Single(c => c.Key == kpi).Value, CultureInfo.InvariantCulture)),
            Name: "shipped draw (notebooks 01–06)", MarkerColor: Color.fromString(Orange), MarkerSymbol: StyleParam.MarkerSymbol.Cross);
        int draws = rows.Select(r => r.Draw).Distinct().Count();
        return Titled(CSharpChart.Combine([boxes, study, ours]), $"{AxisTitleOf(kpi)}: our {draws} draws, the study's value and the shipped draw", "scenario",
            AxisTitleOf(kpi));
    }
}
