using System.Globalization;
using System.Text;

namespace P2PFlex.Scenarios;

/// <summary>Formats scenario results: KPI records and a text table beside the study's values.</summary>
public static class ScenarioReport
{
    /// <summary>The eight scenarios of the study's Table 8, in its order.</summary>
    public static readonly string[] StudyScenarioNames = ["0p", "1p", "0", "1", "2", "3-theta80", "3-theta100", "1pp"];

    /// <summary>An LFM cost as the tables show it: "infeasible", the cost in € to three decimals, or blank when unknown.</summary>
    public static string FormatCost(double? costEur, bool infeasible) =>
        infeasible ? "infeasible" : costEur is double c ? c.ToString("F3", CultureInfo.InvariantCulture) : "";

    /// <summary>The conceptual models of the study's chapter 4 computed here (beyond its Table 8), in the order the
    /// comparison shows them: CM2 and CM4 are the study's scenarios 1, 2 and 3.</summary>
    public static readonly string[] ConceptualModelScenarioNames = ["0", "cm1", "1", "cm3-v1", "cm3-v2", "2", "3-theta80", "cm5", "0p", "cm1-extreme", "cm3-v2-extreme", "1p"];

    /// <summary>The LFM cost of a KPI record as the tables show it: "not run" when a design had no LFM after it,
    /// "infeasible", or the cost in € to three decimals.</summary>
    public static string FormatLfmCost(ScenarioKpis k) =>
        k.LfmStatus == nameof(Markets.Lfm.LfmStatus.NotRun) ? "not run" : FormatCost(k.LfmCostEur, k.LfmStatus == nameof(Markets.Lfm.LfmStatus.Infeasible));

    public static ScenarioKpis Kpis(ScenarioResult r)
    {
        var m = r.Market;
        var pay = m.Payments;
        double? total = r.LfmCostEur is double lfm ? lfm + pay.NetEur : null;
        var nodal = m.NodalPricesEurPerMwh;
        return new ScenarioKpis(
            r.Name, r.Definition.Label, m.Design, r.BeforeLfm.CongestedLineCount, r.BeforeLfm.OverflowSumMw,
            r.BeforeLfm.OverflowWeightedAverageMw, r.Lfm.Status.ToString(), r.LfmCostEur, r.P2PVolumeMw,
            r.BeforeLfm.CongestedLines, r.CongestedAfterLfm,
            new DsoCostKpis(r.LfmCostEur, pay.IncentivesPaidEur, pay.PenaltiesReceivedEur, pay.CapacityPaymentsEur, total),
            new MarketKpis(m.PeersWelfareEur, m.MediatorRevenueEur, nodal is { Count: > 0 } ? nodal.Min() : null, nodal is { Count: > 0 } ? nodal.Max() : null),
            new ClearingKpis(m.Status, m.ResidualOverflowMw),
            Voltage(r));
    }

    /// <summary>
    /// The second table of <c>p2pflex scenarios run</c>: per scenario its market design, what the DSO pays in total and
    /// of what (LFM, incentives paid, penalties received, capacity payments), the peers' welfare, the mediator's revenue,
    /// the nodal price range and the design's clearing status.
    /// </summary>
    public static string MarketTable(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("scenario       | design          | DSO total EUR | LFM EUR    | incent. EUR | penal. EUR | capacity EUR | peers' welfare EUR | mediator EUR | nodal price EUR/MWh | market status");
        sb.AppendLine(new string('-', 190));
        static string N(double? v, string f) => v is double x ? x.ToString(f, CultureInfo.InvariantCulture) : "-";
        foreach (var r in results)
        {
            var k = Kpis(r);
            string nodal = k.Market.NodalPriceMinEurPerMwh is double lo ? string.Format(ci, "{0:F2} .. {1:F2}", lo, k.Market.NodalPriceMaxEurPerMwh) : "-";
            string total = k.Dso.TotalEur is double t ? t.ToString("F3", ci) : k.LfmStatus == "Infeasible" ? "(LFM infeas.)" : "-";
            sb.AppendLine(string.Format(ci, "{0,-14} | {1,-15} | {2,13} | {3,-10} | {4,11} | {5,10} | {6,12} | {7,18} | {8,12} | {9,-19} | {10}",
                k.Name, k.MarketDesign, total, k.LfmCostEur is null ? "infeasible" : FormatLfmCost(k), N(k.Dso.IncentivesPaidEur, "F3"),
                N(k.Dso.PenaltiesReceivedEur, "F3"), N(k.Dso.CapacityPaymentsEur, "F3"), N(k.Market.PeersWelfareEur, "F3"),
                N(k.Market.MediatorRevenueEur is double m ? Math.Round(m, 9) + 0.0 : null, "F3"), nodal, k.Clearing.Status));
        }
        return sb.ToString();
    }

    /// <summary>The AC view's KPIs (null when the run skipped the AC check).</summary>
    public static VoltageKpis? Voltage(ScenarioResult r)
    {
        if (r.Ac is not { } ac) return null;
        var va = r.VoltageAwareLfm;
        return new VoltageKpis(ac.Band.MinPu, ac.Band.MaxPu, AcStateKpis.Of(ac.BeforeLfm, ac.Before),
            ac.AfterLfm is null ? null : AcStateKpis.Of(ac.AfterLfm, ac.After!),
            va is null ? "congestion-only" : "voltage-aware", va?.Status.ToString(), va?.Iterations, va?.InfeasibleBuses ?? [], va?.InfeasibleLines ?? []);
    }

    /// <summary>
    /// The AC check as a text table, one row per scenario: minimum |V| and its bus, buses outside the band and outside
    /// 0.95–1.05 p.u., violation sum, losses and AC-congested lines before → after the LFM, and the DC-vs-AC disagreements.
    /// </summary>
    public static string VoltageTable(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("AC check (before → after the LFM; band from the scenario, default 0.90–1.10 p.u.; tight band 0.95–1.05 p.u.)");
        sb.AppendLine("scenario     | LFM               | min |V| p.u. (bus)          | outside band | outside 0.95 | violation p.u.  | losses MW       | AC congested | DC≠AC lines");
        sb.AppendLine(new string('-', 156));
        foreach (var r in results)
        {
            var v = Voltage(r);
            if (v is null) { sb.AppendLine(string.Format(ci, "{0,-12} | (no AC check)", r.Name)); continue; }
            string Min(AcStateKpis? s) => s is null ? "–" : s.MinVmPu is double x ? string.Format(ci, "{0:F4} ({1})", x, s.MinVmBus) : s.PowerFlowStatus;
            string I(AcStateKpis? s, Func<AcStateKpis, int?> f) => s is null ? "–" : f(s)?.ToString(ci) ?? "?";
            string D(AcStateKpis? s, Func<AcStateKpis, double?> f, string format) => s is null ? "–" : f(s)?.ToString(format, ci) ?? "?";
            string mode = v.VoltageAwareStatus is null ? r.Lfm.Status.ToString() : $"V-aware {v.VoltageAwareStatus}";
            sb.AppendLine(string.Format(ci, "{0,-12} | {1,-17} | {2,-12} → {3,-12} | {4,4} → {5,-5} | {6,4} → {7,-5} | {8,6} → {9,-6} | {10,6} → {11,-6} | {12,4} → {13,-5} | {14} → {15}",
                r.Name, mode, Min(v.BeforeLfm), Min(v.AfterLfm),
                I(v.BeforeLfm, s => s.BusesOutsideBand), I(v.AfterLfm, s => s.BusesOutsideBand),
                I(v.BeforeLfm, s => s.BusesOutsideTightBand), I(v.AfterLfm, s => s.BusesOutsideTightBand),
                D(v.BeforeLfm, s => s.ViolationSumPu, "F4"), D(v.AfterLfm, s => s.ViolationSumPu, "F4"),
                D(v.BeforeLfm, s => s.LossesMw, "F4"), D(v.AfterLfm, s => s.LossesMw, "F4"),
                I(v.BeforeLfm, s => s.AcCongestedLines), I(v.AfterLfm, s => s.AcCongestedLines),
                Lines(v.BeforeLfm), Lines(v.AfterLfm)));
        }
        return sb.ToString();

        static string Lines(AcStateKpis? s) => s is null ? "–" : s.DcAcDisagreements is null ? "?" :
            s.DcAcDisagreements == 0 ? "none" : $"DC only [{string.Join(" ", s.DcOnlyCongested)}] AC only [{string.Join(" ", s.AcOnlyCongested)}]";
    }

    public static string Table(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("scenario     | congested    | overflow sum MW | weighted avg MW | LFM cost EUR          | P2P volume MW");
        sb.AppendLine("             | ours  study  | ours    study   | ours    study   | ours        study     | ours    study");
        sb.AppendLine(new string('-', 104));
        foreach (var r in results)
        {
            var k = Kpis(r);
            var s = r.Definition.Study;
            // Our cost is null only when the LFM did not clear; the study's is null when it reports "infeasible".
            string cost = k.LfmCostEur is null ? FormatCost(null, true) : FormatLfmCost(k);
            string studyCost = s is null ? "" : FormatCost(s.LfmCostEur, s.LfmCostEur is null);
            string Study(double? v, string format) => v is double x ? x.ToString(format, ci) : "";
            sb.AppendLine(string.Format(ci, "{0,-12} | {1,4}  {2,5}  | {3,7:F4} {4,7}  | {5,7:F4} {6,7}  | {7,-11} {8,-10}| {9,6:F3} {10,6}",
                k.Name, k.CongestedLines, s?.CongestedLines.ToString(ci) ?? "", k.OverflowSumMw, Study(s?.OverflowSumMw, "F2"),
                k.OverflowWeightedAvgMw, Study(s?.OverflowWeightedAvgMw, "F2"), cost, studyCost, k.P2PVolumeMw,
                s?.P2PVolumeMw is double v ? v.ToString("F2", ci) : "-"));
        }
        sb.AppendLine();
        sb.Append(MarketTable(results));
        if (PatternText(results) is string pattern)
        {
            sb.AppendLine();
            sb.Append(pattern);
        }
        if (results.Any(r => r.Ac is not null))
        {
            sb.AppendLine();
            sb.Append(VoltageTable(results));
        }
        return sb.ToString();
    }

    /// <summary>The study's pattern checks as text lines (null unless every scenario of Table 8 was run).</summary>
    public static string? PatternText(IEnumerable<ScenarioResult> results)
    {
        var byName = results.ToDictionary(r => r.Name);
        if (!StudyScenarioNames.All(byName.ContainsKey)) return null;
        var checks = StudyPattern.Evaluate(byName);
        var sb = new StringBuilder();
        sb.AppendLine($"Pattern of the study: {checks.Count(c => c.Holds)} of {checks.Count} checks hold");
        foreach (var c in checks)
            sb.AppendLine($"  {(c.Holds ? "holds " : "FAILS ")} {c.Scenario,-10} {c.Description} — {c.Measured}");
        return sb.ToString();
    }

    /// <summary>
    /// The tables of <see cref="Table"/> as structured cells, for a renderer that draws its own grid (the CLI on a
    /// terminal): Table 8 beside the study's values, the market table and, when any run has an AC check, the AC check.
    /// Cells are formatted exactly as in the text tables (same helpers, invariant culture), without padding.
    /// </summary>
    public static IReadOnlyList<TextTable> Tables(IEnumerable<ScenarioResult> results)
    {
        var list = results.ToList();
        var tables = new List<TextTable> { Table8Cells(list), MarketCells(list) };
        if (list.Any(r => r.Ac is not null)) tables.Add(VoltageCells(list));
        return tables;
    }

    /// <summary>Table 8's rows (ours beside the study's) as cells; the values of <see cref="Table"/>'s first table.</summary>
    public static TextTable Table8Cells(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in results)
        {
            var k = Kpis(r);
            var s = r.Definition.Study;
            string cost = k.LfmCostEur is null ? FormatCost(null, true) : FormatLfmCost(k);
            string studyCost = s is null ? "" : FormatCost(s.LfmCostEur, s.LfmCostEur is null);
            string Study(double? v, string format) => v is double x ? x.ToString(format, ci) : "";
            rows.Add([k.Name, k.CongestedLines.ToString(ci), s?.CongestedLines.ToString(ci) ?? "",
                k.OverflowSumMw.ToString("F4", ci), Study(s?.OverflowSumMw, "F2"),
                k.OverflowWeightedAvgMw.ToString("F4", ci), Study(s?.OverflowWeightedAvgMw, "F2"), cost, studyCost,
                k.P2PVolumeMw.ToString("F3", ci), s?.P2PVolumeMw is double v ? v.ToString("F2", ci) : "-"]);
        }
        return new TextTable("Table 8: ours beside the study's",
            ["scenario", "congested ours", "congested study", "overflow sum MW ours", "overflow sum MW study",
                "weighted avg MW ours", "weighted avg MW study", "LFM cost EUR ours", "LFM cost EUR study", "P2P volume MW ours", "P2P volume MW study"],
            rows);
    }

    /// <summary>The market table's rows as cells; the values of <see cref="MarketTable"/>.</summary>
    public static TextTable MarketCells(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        static string N(double? v, string f) => v is double x ? x.ToString(f, CultureInfo.InvariantCulture) : "-";
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in results)
        {
            var k = Kpis(r);
            string nodal = k.Market.NodalPriceMinEurPerMwh is double lo ? string.Format(ci, "{0:F2} .. {1:F2}", lo, k.Market.NodalPriceMaxEurPerMwh) : "-";
            string total = k.Dso.TotalEur is double t ? t.ToString("F3", ci) : k.LfmStatus == "Infeasible" ? "(LFM infeas.)" : "-";
            rows.Add([k.Name, k.MarketDesign, total, k.LfmCostEur is null ? "infeasible" : FormatLfmCost(k), N(k.Dso.IncentivesPaidEur, "F3"),
                N(k.Dso.PenaltiesReceivedEur, "F3"), N(k.Dso.CapacityPaymentsEur, "F3"), N(k.Market.PeersWelfareEur, "F3"),
                N(k.Market.MediatorRevenueEur is double m ? Math.Round(m, 9) + 0.0 : null, "F3"), nodal, k.Clearing.Status]);
        }
        return new TextTable("DSO cost and market",
            ["scenario", "design", "DSO total EUR", "LFM EUR", "incent. EUR", "penal. EUR", "capacity EUR", "peers' welfare EUR",
                "mediator EUR", "nodal price EUR/MWh", "market status"],
            rows);
    }

    /// <summary>The AC check's rows as cells (before → after in one cell); the values of <see cref="VoltageTable"/>.</summary>
    public static TextTable VoltageCells(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in results)
        {
            var v = Voltage(r);
            if (v is null) { rows.Add([r.Name, "(no AC check)", "", "", "", "", "", "", ""]); continue; }
            string Min(AcStateKpis? s) => s is null ? "–" : s.MinVmPu is double x ? string.Format(ci, "{0:F4} ({1})", x, s.MinVmBus) : s.PowerFlowStatus;
            string I(AcStateKpis? s, Func<AcStateKpis, int?> f) => s is null ? "–" : f(s)?.ToString(ci) ?? "?";
            string D(AcStateKpis? s, Func<AcStateKpis, double?> f, string format) => s is null ? "–" : f(s)?.ToString(format, ci) ?? "?";
            string mode = v.VoltageAwareStatus is null ? r.Lfm.Status.ToString() : $"V-aware {v.VoltageAwareStatus}";
            rows.Add([r.Name, mode, $"{Min(v.BeforeLfm)} → {Min(v.AfterLfm)}",
                $"{I(v.BeforeLfm, s => s.BusesOutsideBand)} → {I(v.AfterLfm, s => s.BusesOutsideBand)}",
                $"{I(v.BeforeLfm, s => s.BusesOutsideTightBand)} → {I(v.AfterLfm, s => s.BusesOutsideTightBand)}",
                $"{D(v.BeforeLfm, s => s.ViolationSumPu, "F4")} → {D(v.AfterLfm, s => s.ViolationSumPu, "F4")}",
                $"{D(v.BeforeLfm, s => s.LossesMw, "F4")} → {D(v.AfterLfm, s => s.LossesMw, "F4")}",
                $"{I(v.BeforeLfm, s => s.AcCongestedLines)} → {I(v.AfterLfm, s => s.AcCongestedLines)}",
                $"{AcLines(v.BeforeLfm)} → {AcLines(v.AfterLfm)}"]);
        }
        return new TextTable("AC check (before → after the LFM; band from the scenario, default 0.90–1.10 p.u.; tight band 0.95–1.05 p.u.)",
            ["scenario", "LFM", "min |V| p.u. (bus)", "outside band", "outside 0.95", "violation p.u.", "losses MW", "AC congested", "DC≠AC lines"],
            rows);
    }

    private static string AcLines(AcStateKpis? s) => s is null ? "–" : s.DcAcDisagreements is null ? "?" :
        s.DcAcDisagreements == 0 ? "none" : $"DC only [{string.Join(" ", s.DcOnlyCongested)}] AC only [{string.Join(" ", s.AcOnlyCongested)}]";
}

/// <summary>A table as cells: a title, column headers and rows of already formatted values (one per header).</summary>
public sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);
