using Plotly.NET;
using P2PFlex.Grid;
using P2PFlex.Scenarios;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace P2PFlex.Display;

/// <summary>Charts of the AC check (notebook 09): voltage profiles against the band, DC occupancy against AC loading.</summary>
public static class VoltageCharts
{
    private const string Red = "#d62728", Grey = "#7f7f7f";

    // Plotly's default palette, one colour per scenario so its before/after lines match.
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    private static GenericChart Titled(GenericChart chart, string title, string xTitle, string yTitle, int width, int height) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(width, height);

    /// <summary>
    /// Voltage profiles |V| per bus (p.u., buses in case-file order) of several scenarios in one chart: a solid line per
    /// scenario after the markets (after the LFM), a dotted one after the peers' market only (before the LFM), the
    /// feeder's base state in grey, and the band's edges as red lines (the tight band 0.95–1.05 p.u. dashed).
    /// </summary>
    public static GenericChart Profiles(IEnumerable<ScenarioResult> results, string title)
    {
        var list = results.ToArray();
        if (list.Length == 0) throw new ArgumentException("no scenario to draw", nameof(results));
        var first = list[0].Ac ?? throw new ArgumentException($"scenario {list[0].Name} was run without the AC check", nameof(results));
        var buses = first.BeforeLfm.Buses.Select(b => b.Bus).ToArray();
        var band = first.Band;
        var traces = new List<GenericChart>();
        var baseState = AcGridCheck.Evaluate(list[0].Feeder.Network, list[0].Feeder.InjectionMw, list[0].Feeder.Limits.LimitMw, band);
        traces.Add(CSharpChart.Line<int, double, string>(buses, baseState.Buses.Select(b => b.VmPu), Name: "base state (no market)", LineColor: Color.fromString(Grey)));
        for (int k = 0; k < list.Length; k++)
        {
            var ac = list[k].Ac ?? throw new ArgumentException($"scenario {list[k].Name} was run without the AC check", nameof(results));
            var colour = Color.fromString(Palette[k % Palette.Length]);
            traces.Add(CSharpChart.Line<int, double, string>(buses, ac.BeforeLfm.Buses.Select(b => b.VmPu), Name: $"{list[k].Name}: before the LFM",
                LineColor: colour, LineDash: StyleParam.DrawingStyle.Dot));
            if (ac.AfterLfm is { } after)
                traces.Add(CSharpChart.Line<int, double, string>(buses, after.Buses.Select(b => b.VmPu), Name: $"{list[k].Name}: after the LFM", LineColor: colour));
        }
        traces.Add(CSharpChart.Line<int, double, string>(buses, buses.Select(_ => band.MinPu), Name: $"band {band.MinPu:0.00}–{band.MaxPu:0.00} p.u.", LineColor: Color.fromString(Red)));
        traces.Add(CSharpChart.Line<int, double, string>(buses, buses.Select(_ => band.MaxPu), Name: "band (upper edge)", LineColor: Color.fromString(Red), ShowLegend: false));
        traces.Add(CSharpChart.Line<int, double, string>(buses, buses.Select(_ => VoltageBand.Tight.MinPu), Name: "tight band 0.95–1.05 p.u.",
            LineColor: Color.fromString(Red), LineDash: StyleParam.DrawingStyle.Dash));
        return Titled(CSharpChart.Combine(traces), title, "bus number (case-file order)", "voltage magnitude |V| (p.u.)", 1100, 500);
    }

    /// <summary>Per line: DC occupancy |f|/F and AC loading |S|/F (%), with the 100 % limit (a DC-vs-AC comparison).</summary>
    public static GenericChart DcVsAcLoading(GridCheckResult dc, AcGridState ac, string title)
    {
        var labels = dc.Lines.Select(l => $"{l.CaseIndex} ({l.Label})").ToArray();
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(dc.Lines.Select(l => l.Occupancy * 100), Keys: labels, Name: "DC occupancy |f| / F", MarkerColor: Color.fromString(Grey)),
            CSharpChart.Column<double, string, string>(ac.Lines.Select(l => l.Loading * 100), Keys: labels, Name: "AC loading |S| / F", MarkerColor: Color.fromString(Palette[1])),
            CSharpChart.Line<string, double, string>(labels, labels.Select(_ => 100.0), Name: "limit (100 %)", LineColor: Color.fromString(Red)),
        });
        return Titled(chart, title, "line (branch index and buses)", "loading (% of the limit F, MW in DC, MVA in AC)", 1100, 450);
    }
}
