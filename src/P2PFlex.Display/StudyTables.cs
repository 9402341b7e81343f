using System.Globalization;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>
/// The study's KPI tables as <see cref="TextTable"/> cells: headers for people with their units (a KPI's from
/// <see cref="KpiColumns.Header"/>), ours and the study's values under one header, numbers right-aligned with a fixed
/// number of decimals per column. Notebooks and reports show them as HTML (<see cref="TableHtml"/>), PDFs print that
/// HTML, and their <c>text/plain</c> is the same cells as aligned text.
/// </summary>
public static class StudyTables
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>A number to <paramref name="decimals"/> decimals, "–" when absent; never "-0".</summary>
    internal static string N(double? value, int decimals) =>
        value is double v && !double.IsNaN(v) ? (Math.Round(v, decimals) + 0.0).ToString("F" + decimals.ToString(Ci), Ci) : "–";

    private static TableColumn Kpi(string column) => TableColumn.Number(KpiColumns.Header(column));

    /// <summary>Table 8 recomputed, each KPI's header over ours and the study's value (the cells of <c>p2pflex scenarios run</c>).</summary>
    public static TextTable Table8(IEnumerable<ScenarioResult> results) => ScenarioReport.Table8Cells(results);

    /// <summary>The KPIs of scenario results, one row per scenario.</summary>
    public static TextTable Kpis(IEnumerable<ScenarioResult> results) =>
        TextTable.Of("KPIs per scenario",
            [TableColumn.Text(KpiColumns.Label("name")), Kpi("congested_lines"), Kpi("overflow_sum_mw"), Kpi("overflow_weighted_avg_mw"),
                TableColumn.Text(KpiColumns.Label("lfm_status")), Kpi("lfm_cost_eur"), Kpi("p2p_volume_mw"), TableColumn.Text(KpiColumns.Label("congested_before_lfm"))],
            results.Select(ScenarioReport.Kpis).Select(k => (IReadOnlyList<string>)
            [
                k.Name, k.CongestedLines.ToString(Ci), N(k.OverflowSumMw, 4), N(k.OverflowWeightedAvgMw, 4), k.LfmStatus.ToString(),
                N(k.LfmCostEur, 3), N(k.P2PVolumeMw, 4), string.Join(" ", k.CongestedBeforeLfm),
            ]).ToArray());

    /// <summary>
    /// Every KPI of scenario results side by side (the comparison of the conceptual models): grid KPIs before the LFM,
    /// the volume traded, what the DSO pays in total and of what, the peers' welfare, the mediator's revenue, the nodal
    /// price range and the design's clearing status. Money in €, volumes in MW, prices in €/MWh.
    /// </summary>
    public static TextTable Comparison(IEnumerable<ScenarioResult> results)
    {
        static TableColumn Dso(string sub) => TableColumn.Number(sub, "DSO pays (€)");
        static TableColumn Nodal(string sub) => TableColumn.Number(sub, "nodal price (€/MWh)");
        return TextTable.Of("The designs compared",
            [TableColumn.Text(KpiColumns.Label("name")), TableColumn.Text(KpiColumns.Label("market_design")), Kpi("congested_lines"), Kpi("overflow_sum_mw"),
                Kpi("overflow_weighted_avg_mw"), Kpi("p2p_volume_mw"), Dso("total"), Dso("LFM"), Dso("incentives"), Dso("penalties received"), Dso("capacity"),
                Kpi("market_peers_welfare_eur"), Kpi("market_mediator_revenue_eur"), Nodal("lowest"), Nodal("highest"), TableColumn.Text(KpiColumns.Label("clearing_status"))],
            results.Select(ScenarioReport.Kpis).Select(k => (IReadOnlyList<string>)
            [
                k.Name, k.MarketDesign, k.CongestedLines.ToString(Ci), N(k.OverflowSumMw, 4), N(k.OverflowWeightedAvgMw, 4), N(k.P2PVolumeMw, 4),
                N(k.Dso.TotalEur, 3), ScenarioReport.FormatLfmCost(k), N(k.Dso.IncentivesPaidEur, 3), N(k.Dso.PenaltiesReceivedEur, 3),
                N(k.Dso.CapacityPaymentsEur, 3), N(k.Market.PeersWelfareEur, 3), N(k.Market.MediatorRevenueEur, 3),
                N(k.Market.NodalPriceMinEurPerMwh, 2), N(k.Market.NodalPriceMaxEurPerMwh, 2), k.Clearing.Status,
            ]).ToArray());
    }

    /// <summary>The pattern checks, one row each.</summary>
    public static TextTable Pattern(IReadOnlyDictionary<string, ScenarioResult> results) =>
        TextTable.Of("The study's pattern, check by check",
            [TableColumn.Text("scenario"), TableColumn.Text("check"), TableColumn.Text("holds"), TableColumn.Text("measured")],
            StudyPattern.Evaluate(results).Select(c => (IReadOnlyList<string>)[c.Scenario, c.Description, c.Holds ? "holds" : "FAILS", c.Measured]).ToArray());

    /// <summary>Line states of a grid check (only the congested ones when <paramref name="congestedOnly"/>).</summary>
    public static TextTable Lines(GridCheckResult check, bool congestedOnly = false) =>
        TextTable.Of(congestedOnly ? "Congested lines" : "Lines",
            [TableColumn.Number("branch"), TableColumn.Text("line (buses)"), TableColumn.Number("flow (MW)"), TableColumn.Number("limit (MW)"),
                TableColumn.Number("occupancy (%)"), TableColumn.Number("overflow (MW)")],
            check.Lines.Where(l => !congestedOnly || l.Congested).Select(l => (IReadOnlyList<string>)
            [
                l.CaseIndex.ToString(Ci), l.Label, N(l.FlowMw, 4), N(l.LimitMw, 4), N(l.Occupancy * 100, 1), N(l.OverflowMw, 4),
            ]).ToArray());

    /// <summary>Grid-state KPIs of one or more named checks.</summary>
    public static TextTable GridKpis(params (string Name, GridCheckResult Check)[] checks) =>
        TextTable.Of("Grid state",
            [TableColumn.Text("state"), Kpi("congested_lines"), Kpi("overflow_sum_mw"), Kpi("overflow_weighted_avg_mw"),
                TableColumn.Number("average occupancy (%)"), TableColumn.Number("lines above 60 %")],
            checks.Select(c => (IReadOnlyList<string>)
            [
                c.Name, c.Check.CongestedLineCount.ToString(Ci), N(c.Check.OverflowSumMw, 4), N(c.Check.OverflowWeightedAverageMw, 4),
                N(c.Check.AverageOccupancy * 100, 1), c.Check.LinesAbove60Percent.ToString(Ci),
            ]).ToArray());
}
