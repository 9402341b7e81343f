using System.Globalization;
using Plotly.NET;
using P2PFlex.Grid;
using P2PFlex.TimeSeries;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace P2PFlex.Display;

/// <summary>One interval of a day for <see cref="TimeSeriesCharts.DaySlider"/> and <see cref="TimeSeriesCharts.LoadingHeatmap"/>:
/// its start and the grid check to draw (e.g. a scenario's state after the peers' market).</summary>
/// <param name="Time">Start of the interval.</param>
/// <param name="Check">The lines' occupancy in that interval.</param>
/// <param name="Caption">What the slider's title says about the interval (KPIs), after its time.</param>
public sealed record IntervalLoading(DateTime Time, GridCheckResult Check, string Caption);

/// <summary>
/// Charts of a time series (notebook 10, docs/timeseries.md): line occupancy over a day with a slider whose every step is
/// precomputed (it works in an HTML report without a kernel), a heat map of the lines' occupancy over the day, and
/// duration curves of a per-interval KPI. Every method returns a new chart and changes nothing it is given.
/// </summary>
public static class TimeSeriesCharts
{
    private const string Red = "#d62728", Grey = "#7f7f7f", Blue = "#1f77b4";
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static GenericChart Titled(GenericChart chart, string title, string xTitle, string yTitle, int width, int height) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(width, height);

    private static Microsoft.FSharp.Core.FSharpOption<T> Some<T>(T value) => Microsoft.FSharp.Core.FSharpOption<T>.Some(value);

    private static string Clock(DateTime t) => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Occupancy in % rounded to 0.1 % (what a bar or a colour can show): a day's slider and heat map carry
    /// 96 × lines values, each written several times into the executed notebook and the report, and more digits only weigh
    /// down the pages.</summary>
    public static double Percent(double occupancy) => Math.Round(occupancy * 100, 1);

    private static string[] LineLabels(GridCheckResult check) => check.Lines.Select(l => $"{l.CaseIndex} ({l.Label})").ToArray();

    /// <summary>
    /// Occupancy |f|/F of every line (%) in each interval of <paramref name="intervals"/>, congested lines in red, with the
    /// 100 % limit; a slider moves through the intervals. Each slider step carries that interval's bars and title
    /// (Plotly's <c>update</c> method), so moving it needs plotly.js only, no kernel.
    /// </summary>
    public static GenericChart DaySlider(IReadOnlyList<IntervalLoading> intervals, string title, int active = 0)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        if (intervals.Count == 0) throw new ArgumentException("a slider needs at least one interval", nameof(intervals));
        if (active < 0 || active >= intervals.Count) throw new ArgumentOutOfRangeException(nameof(active));
        var lines = intervals[0].Check.Lines;
        foreach (var i in intervals)
            if (i.Check.Lines.Count != lines.Count) throw new ArgumentException("all intervals must be on the same feeder", nameof(intervals));
        var labels = LineLabels(intervals[0].Check);
        var limit = labels.Select(_ => 100.0).ToArray();
        static (double[] Normal, double[] Congested) Bars(GridCheckResult check) => (
            check.Lines.Select(l => l.Congested ? 0 : Percent(l.Occupancy)).ToArray(),
            check.Lines.Select(l => l.Congested ? Percent(l.Occupancy) : 0).ToArray());
        string StepTitle(IntervalLoading i) => $"{title}<br><sub>{Clock(i.Time)}: {i.Caption}</sub>";

        var first = Bars(intervals[active].Check);
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(first.Normal, Keys: labels, Name: "within limit", MarkerColor: Color.fromString(Blue)),
            CSharpChart.Column<double, string, string>(first.Congested, Keys: labels, Name: "congested", MarkerColor: Color.fromString(Red)),
            CSharpChart.Line<string, double, string>(labels, limit, Name: "limit (100 %)", LineColor: Color.fromString(Grey)),
        });
        var overlay = new Layout();
        overlay.SetProperty("barmode", "overlay");   // one full-width bar per line: the two bar traces hold one non-zero value each
        chart = Plotly.NET.Chart.withLayout(overlay).Invoke(chart);
        double top = Math.Max(110, intervals.Max(i => i.Check.Lines.Max(l => Percent(l.Occupancy))) * 1.05);
        var steps = intervals.Select(i =>
        {
            var (normal, congested) = Bars(i.Check);
            return Plotly.NET.LayoutObjects.SliderStep.init(
                Args: Some<IEnumerable<Tuple<string, object>>>(
                [
                    Tuple.Create("y", (object)new object[] { normal, congested, limit }),
                    Tuple.Create("title.text", (object)StepTitle(i)),
                ]),
                Execute: null, Label: Some(i.Time.ToString("HH:mm", CultureInfo.InvariantCulture)),
                Method: Some(StyleParam.Method.Update),
                Name: null, TemplateItemName: null, Value: null, Visible: null);
        }).ToArray();
        var slider = Plotly.NET.LayoutObjects.Slider.init(
            Active: Some(active), ActiveBgColor: null, BgColor: null, BorderColor: null, BorderWidth: null,
            CurrentValue: Some(Plotly.NET.LayoutObjects.SliderCurrentValue.init(
                Font: null, Offset: null, Prefix: Some("time "), Suffix: null,
                Visible: Some(true), XAnchor: null)),
            Font: null, Len: null, LenMode: null, MinorTickLen: null, Name: null,
            Padding: Some(Padding.init(B: null, L: null, R: null, T: Some(140))),
            Steps: Some<IEnumerable<Plotly.NET.LayoutObjects.SliderStep>>(steps),
            TemplateItemName: null, TickColor: null, TickLen: null, TickWidth: null, Transition: null, Visible: null,
            X: null, XAnchor: null, Y: null, YAnchor: null);
        var titled = Titled(chart, StepTitle(intervals[active]), "line (branch index and buses)", "occupancy |f| / F (%)", 1100, 640)
            .WithYAxisStyle<double, double, string>(MinMax: Tuple.Create(0.0, top));
        return Plotly.NET.Chart.withSlider(slider, null).Invoke(titled);
    }

    /// <summary>Occupancy |f|/F (%) of every line (rows) in every interval (columns) as a heat map.</summary>
    public static GenericChart LoadingHeatmap(IReadOnlyList<IntervalLoading> intervals, string title)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        if (intervals.Count == 0) throw new ArgumentException("a heat map needs at least one interval", nameof(intervals));
        var labels = LineLabels(intervals[0].Check);
        var times = intervals.Select(i => i.Time.ToString("HH:mm", CultureInfo.InvariantCulture)).ToArray();
        var z = Enumerable.Range(0, labels.Length)
            .Select(l => intervals.Select(i => Percent(i.Check.Lines[l].Occupancy)).ToArray()).ToArray();
        var chart = CSharpChart.Heatmap<double, string, string, string>(z, X: times, Y: labels, Name: "occupancy (%)");
        return Titled(chart, title, "time of day", "line (branch index and buses)", 1100, 900);
    }

    /// <summary>
    /// Duration curves: each series' values sorted from largest to smallest against the hours of the window during
    /// which the value is at least that (interval k of n at (k + 1) × Δt). Inside a run of equal values only its first
    /// and last points are drawn: the line is the same, and a week's flat stretches (no congestion, no cost) stay light.
    /// </summary>
    public static GenericChart DurationCurves(IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, double stepHours, string title, string yTitle)
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((s, k) =>
        {
            var sorted = s.Values.OrderByDescending(v => v).ToArray();
            var kept = Enumerable.Range(0, sorted.Length)
                .Where(i => i == 0 || i == sorted.Length - 1 || sorted[i] != sorted[i - 1] || sorted[i] != sorted[i + 1]).ToArray();
            return CSharpChart.Line<double, double, string>(kept.Select(i => (i + 1) * stepHours), kept.Select(i => sorted[i]),
                Name: s.Name, LineColor: Color.fromString(Palette[k % Palette.Length]));
        }).ToArray();
        return Titled(CSharpChart.Combine(traces), title, "hours of the window with at least this value (h)", yTitle, 1000, 480);
    }

    /// <summary>How often the DSO's per-interval policy chose each W (bars), the study's fixed W marked in the title.</summary>
    public static GenericChart WDistribution(IReadOnlyList<(double W, int Count)> distribution, double fixedW, string title)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var keys = distribution.Select(d => d.W.ToString("0.00", CultureInfo.InvariantCulture)).ToArray();
        var colors = distribution.Select(d => Color.fromString(d.W == fixedW ? Grey : Blue)).ToArray();
        var chart = CSharpChart.Column<int, string, string>(distribution.Select(d => d.Count), Keys: keys, Name: "intervals", MarkerColor: Color.fromColors(colors));
        return Titled(chart, title, "W chosen", "intervals", 800, 420);
    }
}
