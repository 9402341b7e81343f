using Deedle;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>The AC check's tables as Deedle frames.</summary>
public static class VoltageTables
{
    private static string Lines(IReadOnlyList<int> lines) => lines.Count == 0 ? "–" : string.Join(" ", lines);

    /// <summary>Voltage KPIs before → after the LFM, one row per scenario.</summary>
    public static Frame<int, string> Voltage(IEnumerable<ScenarioResult> results) =>
        Frame.FromRecords(results.Select(r => (r, v: ScenarioReport.Voltage(r) ?? throw new ArgumentException($"scenario {r.Name} was run without the AC check")))
            .Select(x => new
            {
                Scenario = x.r.Name,
                Lfm = x.v.VoltageAwareStatus is null ? x.r.Lfm.Status.ToString() : $"voltage-aware {x.v.VoltageAwareStatus}",
                MinVmBeforePu = Round(x.v.BeforeLfm.MinVmPu, 4),
                BusBefore = x.v.BeforeLfm.MinVmBus,
                MinVmAfterPu = Round(x.v.AfterLfm?.MinVmPu, 4),
                BusAfter = x.v.AfterLfm?.MinVmBus,
                OutsideBandBefore = x.v.BeforeLfm.BusesOutsideBand,
                OutsideBandAfter = x.v.AfterLfm?.BusesOutsideBand,
                Outside095Before = x.v.BeforeLfm.BusesOutsideTightBand,
                Outside095After = x.v.AfterLfm?.BusesOutsideTightBand,
                ViolationSumBeforePu = Round(x.v.BeforeLfm.ViolationSumPu, 4),
                ViolationSumAfterPu = Round(x.v.AfterLfm?.ViolationSumPu, 4),
                LossesBeforeMw = Round(x.v.BeforeLfm.LossesMw, 4),
                LossesAfterMw = Round(x.v.AfterLfm?.LossesMw, 4),
            }).ToArray());

    /// <summary>Congested sets under DC occupancy and AC loading, before and after the LFM, and the lines that disagree.</summary>
    public static Frame<int, string> DcVsAc(IEnumerable<ScenarioResult> results) =>
        Frame.FromRecords(results.Select(r =>
        {
            var ac = r.Ac ?? throw new ArgumentException($"scenario {r.Name} was run without the AC check");
            return new
            {
                Scenario = r.Name,
                DcBefore = ac.Before.DcCongested.Count,
                AcBefore = ac.Before.AcCongested.Count,
                DcOnlyBefore = Lines(ac.Before.DcOnly),
                AcOnlyBefore = Lines(ac.Before.AcOnly),
                DcAfter = ac.After?.DcCongested.Count,
                AcAfter = ac.After?.AcCongested.Count,
                AcCongestedAfterLfm = ac.After is null ? "LFM did not clear" : Lines(ac.After.AcCongested),
            };
        }).ToArray());

    private static double? Round(double? x, int digits) => x is double v ? Math.Round(v, digits) : null;
}
