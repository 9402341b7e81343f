using System.Globalization;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>The AC check's tables as <see cref="TextTable"/> cells, each KPI's header over its values before and after the LFM.</summary>
public static class VoltageTables
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    private static string Lines(IReadOnlyList<int> lines) => lines.Count == 0 ? "–" : string.Join(" ", lines);

    private static string I(int? v) => v?.ToString(Ci) ?? "–";

    private static TableColumn[] BeforeAfter(string group) => [TableColumn.Number("before", group), TableColumn.Number("after", group)];

    /// <summary>Voltage KPIs before → after the LFM, one row per scenario.</summary>
    public static TextTable Voltage(IEnumerable<ScenarioResult> results) =>
        TextTable.Of("Voltages before and after the LFM",
            [TableColumn.Text("scenario"), TableColumn.Text("LFM"), .. BeforeAfter("min |V| (p.u.)"), .. BeforeAfter("bus of min |V|"),
                .. BeforeAfter("buses outside the band"), .. BeforeAfter("buses outside 0.95–1.05 p.u."), .. BeforeAfter("violation sum (p.u.)"),
                .. BeforeAfter("losses (MW)")],
            results.Select(r => (r, v: ScenarioReport.Voltage(r) ?? throw new ArgumentException($"scenario {r.Name} was run without the AC check")))
                .Select(x => (IReadOnlyList<string>)
                [
                    x.r.Name, x.v.VoltageAwareStatus is null ? x.r.Lfm.Status.ToString() : $"voltage-aware {x.v.VoltageAwareStatus}",
                    StudyTables.N(x.v.BeforeLfm.MinVmPu, 4), StudyTables.N(x.v.AfterLfm?.MinVmPu, 4),
                    I(x.v.BeforeLfm.MinVmBus), I(x.v.AfterLfm?.MinVmBus),
                    I(x.v.BeforeLfm.BusesOutsideBand), I(x.v.AfterLfm?.BusesOutsideBand),
                    I(x.v.BeforeLfm.BusesOutsideTightBand), I(x.v.AfterLfm?.BusesOutsideTightBand),
                    StudyTables.N(x.v.BeforeLfm.ViolationSumPu, 4), StudyTables.N(x.v.AfterLfm?.ViolationSumPu, 4),
                    StudyTables.N(x.v.BeforeLfm.LossesMw, 4), StudyTables.N(x.v.AfterLfm?.LossesMw, 4),
                ]).ToArray());

    /// <summary>Congested sets under DC occupancy and AC loading, before and after the LFM, and the lines that disagree.</summary>
    public static TextTable DcVsAc(IEnumerable<ScenarioResult> results) =>
        TextTable.Of("Congested lines under DC occupancy and AC loading",
            [TableColumn.Text("scenario"), TableColumn.Number("DC", "congested before the LFM"), TableColumn.Number("AC", "congested before the LFM"),
                TableColumn.Text("DC only", "lines before the LFM"), TableColumn.Text("AC only", "lines before the LFM"),
                TableColumn.Number("DC", "congested after the LFM"), TableColumn.Number("AC", "congested after the LFM"),
                TableColumn.Text("AC-congested lines after the LFM")],
            results.Select(r =>
            {
                var ac = r.Ac ?? throw new ArgumentException($"scenario {r.Name} was run without the AC check");
                return (IReadOnlyList<string>)
                [
                    r.Name, ac.Before.DcCongested.Count.ToString(Ci), ac.Before.AcCongested.Count.ToString(Ci), Lines(ac.Before.DcOnly), Lines(ac.Before.AcOnly),
                    I(ac.After?.DcCongested.Count), I(ac.After?.AcCongested.Count), ac.After is null ? "LFM did not clear" : Lines(ac.After.AcCongested),
                ];
            }).ToArray());
}
