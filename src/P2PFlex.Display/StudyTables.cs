using Deedle;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>One row of the Table 8 comparison: our KPI beside the study's.</summary>
public sealed record Table8Row(
    string Scenario,
    int CongestedLines, int? StudyCongestedLines,
    double OverflowSumMw, double? StudyOverflowSumMw,
    double OverflowWeightedAvgMw, double? StudyOverflowWeightedAvgMw,
    string LfmCostEur, string StudyLfmCostEur,
    double P2PVolumeMw, double? StudyP2PVolumeMw);

/// <summary>One row of <see cref="StudyTables.Comparison"/>.</summary>
public sealed record ComparisonRow(
    string Scenario, string Design, int CongestedLines, double OverflowSumMw, double OverflowWeightedAvgMw, double TradedVolumeMw,
    string LfmCostEur, double DsoTotalEur, double IncentivesPaidEur, double PenaltiesReceivedEur, double CapacityPaymentsEur,
    double PeersWelfareEur, double MediatorRevenueEur, double NodalPriceMinEurPerMwh, double NodalPriceMaxEurPerMwh, string MarketStatus);

/// <summary>The study's KPI tables as Deedle frames (rendered as HTML tables in notebooks and reports).</summary>
public static class StudyTables
{
    private static string Cost(double? eur, bool infeasible) => ScenarioReport.FormatCost(eur, infeasible);
    /// <summary>Table 8 recomputed, each KPI beside the study's value.</summary>
    public static Frame<int, string> Table8(IEnumerable<ScenarioResult> results) =>
        Frame.FromRecords(results.Select(r =>
        {
            var k = ScenarioReport.Kpis(r);
            var s = r.Definition.Study;
            return new Table8Row(k.Name, k.CongestedLines, s?.CongestedLines, Math.Round(k.OverflowSumMw, 4), s?.OverflowSumMw,
                Math.Round(k.OverflowWeightedAvgMw, 4), s?.OverflowWeightedAvgMw,
                ScenarioReport.FormatLfmCost(k), s is null ? "" : Cost(s.LfmCostEur, s.LfmCostEur is null),
                Math.Round(k.P2PVolumeMw, 4), s?.P2PVolumeMw);
        }).ToArray());

    /// <summary>The KPIs of scenario results, one row per scenario.</summary>
    public static Frame<int, string> Kpis(IEnumerable<ScenarioResult> results) =>
        Frame.FromRecords(results.Select(ScenarioReport.Kpis).Select(k => new
        {
            k.Name,
            k.CongestedLines,
            OverflowSumMw = Math.Round(k.OverflowSumMw, 4),
            OverflowWeightedAvgMw = Math.Round(k.OverflowWeightedAvgMw, 4),
            LfmStatus = k.LfmStatus.ToString(),
            LfmCostEur = k.LfmCostEur is double c ? Math.Round(c, 3) : double.NaN,
            P2PVolumeMw = Math.Round(k.P2PVolumeMw, 4),
            CongestedBeforeLfm = string.Join(" ", k.CongestedBeforeLfm),
        }).ToArray());

    /// <summary>
    /// Every KPI of scenario results side by side (the comparison of the conceptual models): grid KPIs before the LFM,
    /// the LFM, what the DSO pays in total and of what, the peers' welfare, the mediator's revenue, the nodal price range
    /// and the design's clearing status. Money in €, volumes in MW, prices in €/MWh.
    /// </summary>
    public static Frame<int, string> Comparison(IEnumerable<ScenarioResult> results) =>
        Frame.FromRecords(results.Select(ScenarioReport.Kpis).Select(k => new ComparisonRow(
            k.Name, k.MarketDesign, k.CongestedLines, Math.Round(k.OverflowSumMw, 4), Math.Round(k.OverflowWeightedAvgMw, 4),
            Math.Round(k.P2PVolumeMw, 4), ScenarioReport.FormatLfmCost(k),
            k.Dso.TotalEur is double t ? Math.Round(t, 3) : double.NaN, Math.Round(k.Dso.IncentivesPaidEur, 3),
            Math.Round(k.Dso.PenaltiesReceivedEur, 3), Math.Round(k.Dso.CapacityPaymentsEur, 3), Math.Round(k.Market.PeersWelfareEur, 3),
            k.Market.MediatorRevenueEur is double m ? Math.Round(m, 3) + 0.0 : double.NaN,
            k.Market.NodalPriceMinEurPerMwh is double lo ? Math.Round(lo, 2) : double.NaN,
            k.Market.NodalPriceMaxEurPerMwh is double hi ? Math.Round(hi, 2) : double.NaN,
            k.Clearing.Status)).ToArray());

    /// <summary>The pattern checks, one row each.</summary>
    public static Frame<int, string> Pattern(IReadOnlyDictionary<string, ScenarioResult> results) =>
        Frame.FromRecords(StudyPattern.Evaluate(results).Select(c => new { c.Scenario, Check = c.Description, Holds = c.Holds ? "holds" : "FAILS", c.Measured }).ToArray());

    /// <summary>Line states of a grid check (only the congested ones when <paramref name="congestedOnly"/>).</summary>
    public static Frame<int, string> Lines(GridCheckResult check, bool congestedOnly = false) =>
        Frame.FromRecords(check.Lines.Where(l => !congestedOnly || l.Congested).Select(l => new
        {
            Index = l.CaseIndex,
            Line = l.Label,
            FlowMw = Math.Round(l.FlowMw, 4),
            LimitMw = Math.Round(l.LimitMw, 4),
            OccupancyPercent = Math.Round(l.Occupancy * 100, 1),
            OverflowMw = Math.Round(l.OverflowMw, 4),
        }).ToArray());

    /// <summary>Grid-state KPIs of one or more named checks.</summary>
    public static Frame<int, string> GridKpis(params (string Name, GridCheckResult Check)[] checks) =>
        Frame.FromRecords(checks.Select(c => new
        {
            State = c.Name,
            CongestedLines = c.Check.CongestedLineCount,
            OverflowSumMw = Math.Round(c.Check.OverflowSumMw, 4),
            OverflowWeightedAvgMw = Math.Round(c.Check.OverflowWeightedAverageMw, 4),
            AverageOccupancyPercent = Math.Round(c.Check.AverageOccupancy * 100, 1),
            LinesAbove60Percent = c.Check.LinesAbove60Percent,
        }).ToArray());
}
