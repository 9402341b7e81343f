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
        k.LfmStatus == Markets.Lfm.LfmStatus.NotRun ? "not run" : FormatCost(k.LfmCostEur, k.LfmStatus == Markets.Lfm.LfmStatus.Infeasible);

    public static ScenarioKpis Kpis(ScenarioResult r)
    {
        var m = r.Market;
        var pay = m.Payments;
        double? total = r.LfmCostEur is double lfm ? lfm + pay.NetEur : null;
        var nodal = m.NodalPricesEurPerMwh;
        return new ScenarioKpis(
            r.Name, r.Definition.Label, m.Design, r.BeforeLfm.CongestedLineCount, r.BeforeLfm.OverflowSumMw,
            r.BeforeLfm.OverflowWeightedAverageMw, r.Lfm.Status, r.LfmCostEur, r.P2PVolumeMw,
            r.BeforeLfm.CongestedLines, r.CongestedAfterLfm,
            new DsoCostKpis(r.LfmCostEur, pay.IncentivesPaidEur, pay.PenaltiesReceivedEur, pay.CapacityPaymentsEur, total),
            new MarketKpis(m.PeersWelfareEur, m.MediatorRevenueEur, nodal is { Count: > 0 } ? nodal.Min() : null, nodal is { Count: > 0 } ? nodal.Max() : null),
            new ClearingKpis(m.StatusText, m.ResidualOverflowMw),
            Voltage(r));
    }

    /// <summary>
    /// The second table of <c>p2pflex scenarios run</c>: per scenario its market design, what the DSO pays in total and
    /// of what (LFM, incentives paid, penalties received, capacity payments), the peers' welfare, the mediator's revenue,
    /// the nodal price range and the design's clearing status. The plain text of <see cref="MarketCells"/>.
    /// </summary>
    public static string MarketTable(IEnumerable<ScenarioResult> results) => MarketCells(results).ToPlainText(MarketLayout);

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
    /// The plain text of <see cref="VoltageCells"/>.
    /// </summary>
    public static string VoltageTable(IEnumerable<ScenarioResult> results) => VoltageCells(results).ToPlainText(VoltageLayout);

    /// <summary>
    /// The text of <c>p2pflex scenarios run</c>: Table 8 beside the study's values, the market table, the pattern checks
    /// (when every scenario of Table 8 was run) and, when any run has an AC check, the AC check; the plain text of
    /// <see cref="Tables"/>.
    /// </summary>
    /// <param name="results">The scenarios run.</param>
    /// <param name="maxWidth">The longest line wanted (null: none): a longer row continues its last column's text on
    /// lines of its own (<see cref="PlainTextLayout.MaxWidth"/>).</param>
    public static string Table(IEnumerable<ScenarioResult> results, int? maxWidth = null)
    {
        var list = results.ToList();
        var sb = new StringBuilder(Table8Cells(list).ToPlainText(Table8Layout with { MaxWidth = maxWidth }));
        sb.AppendLine();
        sb.Append(MarketCells(list).ToPlainText(MarketLayout with { MaxWidth = maxWidth }));
        if (PatternText(list) is string pattern)
        {
            sb.AppendLine();
            sb.Append(pattern);
        }
        if (list.Any(r => r.Ac is not null))
        {
            sb.AppendLine();
            sb.Append(VoltageCells(list).ToPlainText(VoltageLayout with { MaxWidth = maxWidth }));
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
    /// The tables of <see cref="Table"/> as cells, for a renderer that draws its own grid (the CLI on a terminal):
    /// Table 8 beside the study's values, the market table and, when any run has an AC check, the AC check. The cells
    /// decide every header, number format and text (invariant culture); the plain text only pads them.
    /// </summary>
    public static IReadOnlyList<TextTable> Tables(IEnumerable<ScenarioResult> results)
    {
        var list = results.ToList();
        var tables = new List<TextTable> { Table8Cells(list), MarketCells(list) };
        if (list.Any(r => r.Ac is not null)) tables.Add(VoltageCells(list));
        return tables;
    }

    /// <summary>Table 8's rows (ours beside the study's) as cells; <see cref="Table"/>'s first table.</summary>
    public static TextTable Table8Cells(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in results)
        {
            var k = Kpis(r);
            var s = r.Definition.Study;
            string cost = FormatLfmCost(k);
            string studyCost = s is null ? "" : FormatCost(s.LfmCostEur, s.LfmCostEur is null);
            string Study(double? v, string format) => v is double x ? x.ToString(format, ci) : "";
            rows.Add([k.Name, k.CongestedLines.ToString(ci), s?.CongestedLines.ToString(ci) ?? "",
                k.OverflowSumMw.ToString("F4", ci), Study(s?.OverflowSumMw, "F2"),
                k.OverflowWeightedAvgMw.ToString("F4", ci), Study(s?.OverflowWeightedAvgMw, "F2"), cost, studyCost,
                k.P2PVolumeMw.ToString("F3", ci), s?.P2PVolumeMw is double v ? v.ToString("F2", ci) : "-"]);
        }
        // each KPI's header over its "ours" and "study" columns
        string[] groups = ["congested_lines", "overflow_sum_mw", "overflow_weighted_avg_mw", "lfm_cost_eur", "p2p_volume_mw"];
        return TextTable.Of("Table 8: ours beside the study's",
            [TableColumn.Text(KpiColumns.Label("name")), .. groups.Select(KpiColumns.Header).SelectMany(g => new[] { TableColumn.Number("ours", g), TableColumn.Number("study", g) })],
            rows);
    }

    /// <summary>The market table's rows as cells; <see cref="MarketTable"/> lays them out as plain text.</summary>
    public static TextTable MarketCells(IEnumerable<ScenarioResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        static string N(double? v, string f) => v is double x ? x.ToString(f, CultureInfo.InvariantCulture) : "-";
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in results)
        {
            var k = Kpis(r);
            string nodal = k.Market.NodalPriceMinEurPerMwh is double lo ? string.Format(ci, "{0:F2} .. {1:F2}", lo, k.Market.NodalPriceMaxEurPerMwh) : "-";
            string total = k.Dso.TotalEur is double t ? t.ToString("F3", ci) : k.LfmStatus == Markets.Lfm.LfmStatus.Infeasible ? "(LFM infeas.)" : "-";
            rows.Add([k.Name, k.MarketDesign, total, k.LfmCostEur is null ? "infeasible" : FormatLfmCost(k), N(k.Dso.IncentivesPaidEur, "F3"),
                N(k.Dso.PenaltiesReceivedEur, "F3"), N(k.Dso.CapacityPaymentsEur, "F3"), N(k.Market.PeersWelfareEur, "F3"),
                N(k.Market.MediatorRevenueEur is double m ? Math.Round(m, 9) + 0.0 : null, "F3"), nodal, k.Clearing.Status]);
        }
        // what the DSO pays under one header (its total and the parts), the market side after it
        static TableColumn Dso(string sub) => TableColumn.Number(sub, "DSO pays (€)");
        return TextTable.Of("DSO cost and market",
            [TableColumn.Text(KpiColumns.Label("name")), TableColumn.Text("design"), Dso("total"), Dso("LFM"), Dso("incentives"),
                Dso("penalties"), Dso("capacity"), TableColumn.Number(KpiColumns.Header("market_peers_welfare_eur")),
                TableColumn.Number(KpiColumns.Header("market_mediator_revenue_eur")), TableColumn.Text("nodal prices (€/MWh)"), TableColumn.Text(KpiColumns.Label("clearing_status"))],
            rows);
    }

    /// <summary>The AC check's rows as cells (before → after in one cell; a run without the AC check is a note row);
    /// <see cref="VoltageTable"/> lays them out as plain text.</summary>
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
            ["scenario", "LFM", "min |V| (p.u.) at bus", "outside band", "outside 0.95", "violation (p.u.)", "losses (MW)", "AC congested", "DC≠AC lines"],
            rows);
    }

    // The plain text layouts: sides, separators and minimum widths only (the content is the cells'). Every column widens
    // to its longest cell or header, so a long scenario name or an "infeasible" cost moves its whole column, never one
    // row; the minimums are the widths the tables always had, so the usual values keep their places.

    /// <summary>How <see cref="Table"/> lays out <see cref="Table8Cells"/>: each group's name over its "ours study"
    /// pair, the groups separated by " | ", ours and study by two spaces.</summary>
    public static readonly PlainTextLayout Table8Layout = new(
        [PlainColumn.Left(12), PlainColumn.Right(4, "  "), PlainColumn.Right(5), PlainColumn.Right(7, "  "), PlainColumn.Right(7),
            PlainColumn.Right(7, "  "), PlainColumn.Right(7), PlainColumn.Right(11, "  "), PlainColumn.Right(10), PlainColumn.Right(6, "  "), PlainColumn.Right(6, "")],
        GroupedHeader: true);

    /// <summary>How <see cref="MarketTable"/> lays out <see cref="MarketCells"/>.</summary>
    public static readonly PlainTextLayout MarketLayout = new(
        [PlainColumn.Left(14), PlainColumn.Left(15), PlainColumn.Right(8, "  "), PlainColumn.Right(10, "  "), PlainColumn.Right(10, "  "), PlainColumn.Right(10, "  "),
            PlainColumn.Right(8), PlainColumn.Right(18), PlainColumn.Right(12), PlainColumn.Left(19), PlainColumn.Left(0, "")],
        GroupedHeader: true);

    /// <summary>How <see cref="VoltageTable"/> lays out <see cref="VoltageCells"/>: its title first, each before → after
    /// value padded on its own so that the arrows stand in columns too, except in the last column (the DC-vs-AC line
    /// lists, up to 90 characters each side), written as it is rather than padded into a wide gap.</summary>
    public static readonly PlainTextLayout VoltageLayout = new(
        [PlainColumn.Left(12), PlainColumn.Left(17), PlainColumn.Pair(new(12), new(12)), PlainColumn.Pair(new(4, true), new(5)),
            PlainColumn.Pair(new(4, true), new(5)), PlainColumn.Pair(new(6, true), new(6)), PlainColumn.Pair(new(6, true), new(6)),
            PlainColumn.Pair(new(4, true), new(5)), PlainColumn.Left(0, "")],
        ShowTitle: true);

    private static string AcLines(AcStateKpis? s) => s is null ? "–" : s.DcAcDisagreements is null ? "?" :
        s.DcAcDisagreements == 0 ? "none" : $"DC only [{string.Join(" ", s.DcOnlyCongested)}] AC only [{string.Join(" ", s.AcOnlyCongested)}]";
}

