using Plotly.NET;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Scenarios;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace P2PFlex.Display;

/// <summary>
/// The study's charts as Plotly.NET charts, with titles, axis labels and units, so notebook cells stay one line long.
/// Every method returns a new chart and changes nothing it is given.
/// </summary>
public static class StudyCharts
{
    private const string Red = "#d62728", Grey = "#7f7f7f", Blue = "#1f77b4", Orange = "#ff7f0e";

    private static GenericChart Titled(GenericChart chart, string title, string xTitle, string yTitle, int width = 900, int height = 450) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(width, height);

    /// <summary>
    /// Bars of several traces drawn at the same place instead of side by side: the within-limit and congested traces
    /// hold one non-zero value per line between them, so each line gets one full-width bar.
    /// </summary>
    private static GenericChart Overlaid(GenericChart chart)
    {
        var layout = new Layout();
        layout.SetProperty("barmode", "overlay");
        return Plotly.NET.Chart.withLayout(layout).Invoke(chart);
    }

    /// <summary>Occupancy |f|/F of every line (%), congested lines in red, with the 100 % limit (the study's Figure 20).</summary>
    public static GenericChart OccupancyPerLine(GridCheckResult check, string title)
    {
        var labels = check.Lines.Select(l => $"{l.CaseIndex} ({l.Label})").ToArray();
        var normal = check.Lines.Select(l => l.Congested ? 0 : l.Occupancy * 100).ToArray();
        var congested = check.Lines.Select(l => l.Congested ? l.Occupancy * 100 : 0).ToArray();
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(normal, Keys: labels, Name: "within limit", MarkerColor: Color.fromString(Blue)),
            CSharpChart.Column<double, string, string>(congested, Keys: labels, Name: "congested", MarkerColor: Color.fromString(Red)),
            CSharpChart.Line<string, double, string>(labels, labels.Select(_ => 100.0), Name: "limit (100 %)", LineColor: Color.fromString(Grey)),
        });
        return Titled(Overlaid(chart), title, "line (branch index and buses)", "occupancy |f| / F (%)", 1100, 450);
    }

    /// <summary>Occupancy of every line in two states side by side (the study's Figures 22–25). When
    /// <paramref name="other"/> is null (the state after an LFM that did not clear) the chart shows the reference
    /// alone and its title says that the other state is infeasible, instead of failing.</summary>
    public static GenericChart OccupancyComparison(GridCheckResult reference, string referenceName, GridCheckResult? other, string otherName, string title)
    {
        var labels = reference.Lines.Select(l => $"{l.CaseIndex} ({l.Label})").ToArray();
        var traces = new List<GenericChart>
        {
            CSharpChart.Column<double, string, string>(reference.Lines.Select(l => l.Occupancy * 100), Keys: labels, Name: referenceName, MarkerColor: Color.fromString(Grey)),
        };
        if (other is not null)
            traces.Add(CSharpChart.Column<double, string, string>(other.Lines.Select(l => l.Occupancy * 100), Keys: labels, Name: otherName, MarkerColor: Color.fromString(Orange)));
        traces.Add(CSharpChart.Line<string, double, string>(labels, labels.Select(_ => 100.0), Name: "limit (100 %)", LineColor: Color.fromString(Red)));
        string fullTitle = other is null ? $"{title} ({otherName}: infeasible, the LFM did not clear)" : title;
        return Titled(CSharpChart.Combine(traces), fullTitle, "line (branch index and buses)", "occupancy |f| / F (%)", 1100, 450);
    }

    /// <summary>How many lines fall in each occupancy band (the study's Figure 21).</summary>
    public static GenericChart OccupancyDistribution(GridCheckResult check, string title)
    {
        var bands = Enumerable.Range(0, 8).Select(k => (Low: k * 20, High: (k + 1) * 20)).ToArray();
        var labels = bands.Select(b => b.High >= 160 ? $"≥ {b.Low} %" : $"{b.Low}–{b.High} %").ToArray();
        var counts = bands.Select((b, k) => check.Lines.Count(l =>
        {
            double o = l.Occupancy * 100;
            return o >= b.Low && (o < b.High || k == bands.Length - 1);
        })).ToArray();
        var chart = CSharpChart.Column<int, string, string>(counts, Keys: labels, Name: "lines", MarkerColor: Color.fromString(Blue));
        return Titled(chart, title, "occupancy band |f| / F", "number of lines", 700, 400);
    }

    /// <summary>AC voltage magnitude at every bus (p.u.) with the 0.9 p.u. band edge.</summary>
    public static GenericChart Voltages(AcPowerFlowResult result, string title)
    {
        var buses = result.Voltages.Select(v => v.Bus).ToArray();
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Point<int, double, string>(buses, result.Voltages.Select(v => v.VmPu), Name: "|V| (p.u.)", MarkerColor: Color.fromString(Blue)),
            CSharpChart.Line<int, double, string>(buses, buses.Select(_ => 0.9), Name: "0.9 p.u.", LineColor: Color.fromString(Red)),
        });
        return Titled(chart, title, "bus number", "voltage magnitude (p.u.)");
    }

    /// <summary>Lines of the feeder drawn as one trace of segments (NaN breaks between them) at the layout's positions.</summary>
    private static GenericChart FeederSegments(IReadOnlyDictionary<int, (double X, double Y)> layout, IEnumerable<LineState> lines,
        string name, string color, double width)
    {
        var x = new List<double>();
        var y = new List<double>();
        foreach (var l in lines)
        {
            var (x1, y1) = layout[l.FromBus];
            var (x2, y2) = layout[l.ToBus];
            x.AddRange([x1, x2, double.NaN]);
            y.AddRange([y1, y2, double.NaN]);
        }
        return CSharpChart.Line<double, double, string>(x, y, Name: name, LineColor: Color.fromString(color), LineWidth: width);
    }

    /// <summary>
    /// The feeder as a one-line diagram (the study's Figure 19), drawn from its topology (<see cref="FeederLayout"/>:
    /// the substation left, each bus one step further right than the bus that feeds it, each lateral on a row of its
    /// own). Every bus carries its number above it and every line its line number below its middle (above right of it when it
    /// slants; the project's one notation for lines, docs/grid.md "Naming lines"); the congested lines are drawn thick and red, their numbers in
    /// bold red, and listed in the legend, so that a reader can name them. No axes: positions carry no quantity.
    /// Hovering a line's number gives its name and occupancy.
    /// </summary>
    public static GenericChart FeederDiagram(StudyFeeder feeder, GridCheckResult check, string title)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var layout = FeederLayout.Compute(feeder.Network);
        var congested = check.Lines.Where(l => l.Congested).ToArray();
        var normal = check.Lines.Where(l => !l.Congested).ToArray();
        string congestedName = congested.Length == 0 ? "congested line: none"
            : $"congested line{(congested.Length == 1 ? "" : "s")} ({congested.Length}): {string.Join(", ", congested.Select(l => l.CaseIndex))}";
        string Hover(LineState l) => string.Format(ci, "line {0} ({1}): {2:F0} % of {3:0.###} MW{4}", l.CaseIndex, l.Label, l.Occupancy * 100, l.LimitMw, l.Congested ? ", congested" : "");
        int slack = feeder.Network.Buses[feeder.Network.SlackIndex].Number;
        var buses = feeder.Network.Buses.Select(b => b.Number).Where(b => b != slack).ToArray();
        var traces = new List<GenericChart>
        {
            FeederSegments(layout, normal, "line (its number below it)", Grey, 2),
            FeederSegments(layout, congested, congestedName, Red, 5),
            LineNumbers(layout, normal, l => l.CaseIndex.ToString(ci), Hover, "#555555"),
            LineNumbers(layout, congested, l => $"<b>{l.CaseIndex}</b>", Hover, Red),
            Markers(buses.Select(b => layout[b]).ToArray(), buses.Select(b => b.ToString(ci)).ToArray(), buses.Select(b => $"bus {b}").ToArray(),
                "bus (its number above it)", Blue, "circle", 6),
            Markers([layout[slack]], [slack.ToString(ci)], [$"bus {slack}: substation (slack)"], $"substation (bus {slack})", "#000000", "square", 10),
        };
        return Schematic(Titled(CSharpChart.Combine(traces), title, "", "", 1100, 520), layout);
    }

    /// <summary>A text-only trace: one label per line at the middle of its segment, below it; hover names the line.</summary>
    private static GenericChart LineNumbers(IReadOnlyDictionary<int, (double X, double Y)> layout, IReadOnlyList<LineState> lines,
        Func<LineState, string> text, Func<LineState, string> hover, string color)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("mode", "text");
        trace.SetProperty("x", lines.Select(l => (layout[l.FromBus].X + layout[l.ToBus].X) / 2).ToArray());
        trace.SetProperty("y", lines.Select(l => (layout[l.FromBus].Y + layout[l.ToBus].Y) / 2).ToArray());
        trace.SetProperty("text", lines.Select(text).ToArray());
        trace.SetProperty("hovertext", lines.Select(hover).ToArray());
        trace.SetProperty("hoverinfo", "text");
        // Below a level line; above and right of the middle of a slanted one (a lateral's connector, which runs down to
        // the right), where the label does not sit on the line.
        trace.SetProperty("textposition", lines.Select(l => layout[l.FromBus].Y == layout[l.ToBus].Y ? "bottom center" : "top right").ToArray());
        trace.SetProperty("textfont", Font(color, 10));
        trace.SetProperty("showlegend", false);
        trace.SetProperty("name", "line number");
        return GenericChart.ofTraceObject(true, trace);
    }

    /// <summary>Bus markers with their numbers above them.</summary>
    private static GenericChart Markers(IReadOnlyList<(double X, double Y)> at, string[] text, string[] hover, string name, string color, string symbol, double size)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("mode", "markers+text");
        trace.SetProperty("x", at.Select(p => p.X).ToArray());
        trace.SetProperty("y", at.Select(p => p.Y).ToArray());
        trace.SetProperty("text", text);
        trace.SetProperty("hovertext", hover);
        trace.SetProperty("hoverinfo", "text");
        trace.SetProperty("textposition", "top center");
        trace.SetProperty("textfont", Font("#1f4e79", 10));
        var marker = new Plotly.NET.TraceObjects.Marker();
        marker.SetProperty("color", color);
        marker.SetProperty("symbol", symbol);
        marker.SetProperty("size", size);
        trace.SetProperty("marker", marker);
        trace.SetProperty("name", name);
        return GenericChart.ofTraceObject(true, trace);
    }

    private static Font Font(string color, double size)
    {
        var font = new Font();
        font.SetProperty("color", color);
        font.SetProperty("size", size);
        return font;
    }

    /// <summary>
    /// A diagram, not a plot: both axes hidden (no ticks, tick labels, grid or zero line; positions carry no quantity),
    /// equal steps in x and y, a little room around the buses for their labels, the legend below.
    /// </summary>
    private static GenericChart Schematic(GenericChart chart, IReadOnlyDictionary<int, (double X, double Y)> layout)
    {
        double xMin = layout.Values.Min(p => p.X), xMax = layout.Values.Max(p => p.X);
        double yMin = layout.Values.Min(p => p.Y), yMax = layout.Values.Max(p => p.Y);
        Plotly.NET.LayoutObjects.LinearAxis Hidden(double lo, double hi)
        {
            var axis = new Plotly.NET.LayoutObjects.LinearAxis();
            axis.SetProperty("visible", false);
            axis.SetProperty("showticklabels", false);
            axis.SetProperty("showgrid", false);
            axis.SetProperty("zeroline", false);
            axis.SetProperty("range", new[] { lo, hi });
            return axis;
        }
        var l = new Layout();
        l.SetProperty("xaxis", Hidden(xMin - 0.6, xMax + 0.6));
        l.SetProperty("yaxis", Hidden(yMin - 0.7, yMax + 0.6));
        l.SetProperty("plot_bgcolor", "#ffffff");
        var legend = new Plotly.NET.LayoutObjects.Legend();
        legend.SetProperty("orientation", "h");
        legend.SetProperty("x", 0);
        legend.SetProperty("xanchor", "left");
        legend.SetProperty("y", 0);
        legend.SetProperty("yanchor", "top");
        l.SetProperty("legend", legend);
        return Plotly.NET.Chart.withLayout(l).Invoke(chart);
    }

    /// <summary>
    /// Occupancy per line before the LFM (as <see cref="OccupancyPerLine"/>) with a slider over a swept parameter: one
    /// slider step per sweep point, each carrying that point's precomputed bars, so the report needs no kernel to move it.
    /// A step calls Plotly's <c>update</c> (a <c>restyle</c> of the y data of the three traces — within limit, congested,
    /// limit — plus a relayout of the title to the point's KPIs). The y axis range is fixed over all points.
    /// </summary>
    /// <param name="points">The sweep, e.g. from <see cref="ScenarioSweep.Run"/>; at least one point.</param>
    /// <param name="parameterName">The swept parameter as shown on the slider (e.g. "W" or "θ").</param>
    /// <param name="title">Chart title; each step appends the point's value and KPIs to it.</param>
    /// <param name="active">Index of the point shown first (default: the first).</param>
    public static GenericChart OccupancySlider(IReadOnlyList<SweepPoint> points, string parameterName, string title, int active = 0)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("a slider needs at least one sweep point", nameof(points));
        if (active < 0 || active >= points.Count) throw new ArgumentOutOfRangeException(nameof(active));
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var lines = points[0].Result.BeforeLfm.Lines;
        var labels = lines.Select(l => $"{l.CaseIndex} ({l.Label})").ToArray();
        var limit = labels.Select(_ => 100.0).ToArray();
        (double[] Normal, double[] Congested) Bars(GridCheckResult check) => (
            check.Lines.Select(l => l.Congested ? 0 : l.Occupancy * 100).ToArray(),
            check.Lines.Select(l => l.Congested ? l.Occupancy * 100 : 0).ToArray());
        string Value(double v) => v.ToString("0.###", ci);
        string StepTitle(SweepPoint p)
        {
            var k = p.Kpis;
            string cost = k.LfmCostEur is double c ? $"LFM cost {c.ToString("F2", ci)} EUR" : $"LFM {k.LfmStatus.ToString().ToLowerInvariant()}";
            if (k.Dso.TotalEur is double total) cost += $", DSO total {total.ToString("F2", ci)} EUR";
            return $"{title}<br><sub>{parameterName} = {Value(p.Value)}: {k.CongestedLines} congested lines, overflow sum {k.OverflowSumMw.ToString("F3", ci)} MW, {cost}, P2P volume {k.P2PVolumeMw.ToString("F3", ci)} MW</sub>";
        }
        foreach (var p in points)
            if (p.Result.BeforeLfm.Lines.Count != lines.Count)
                throw new ArgumentException("all sweep points must be on the same feeder", nameof(points));

        var first = Bars(points[active].Result.BeforeLfm);
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(first.Normal, Keys: labels, Name: "within limit", MarkerColor: Color.fromString(Blue)),
            CSharpChart.Column<double, string, string>(first.Congested, Keys: labels, Name: "congested", MarkerColor: Color.fromString(Red)),
            CSharpChart.Line<string, double, string>(labels, limit, Name: "limit (100 %)", LineColor: Color.fromString(Grey)),
        });
        double top = Math.Max(110, points.Max(p => p.Result.BeforeLfm.Lines.Max(l => l.Occupancy * 100)) * 1.05);
        var steps = points.Select(p =>
        {
            var (normal, congested) = Bars(p.Result.BeforeLfm);
            return Plotly.NET.LayoutObjects.SliderStep.init(
                Args: Some<IEnumerable<Tuple<string, object>>>(
                [
                    Tuple.Create("y", (object)new object[] { normal, congested, limit }),
                    Tuple.Create("title.text", (object)StepTitle(p)),
                ]),
                Execute: null, Label: Some(Value(p.Value)), Method: Some(StyleParam.Method.Update),
                Name: null, TemplateItemName: null, Value: null, Visible: null);
        }).ToArray();
        var slider = Plotly.NET.LayoutObjects.Slider.init(
            Active: Some(active), ActiveBgColor: null, BgColor: null, BorderColor: null, BorderWidth: null,
            CurrentValue: Some(Plotly.NET.LayoutObjects.SliderCurrentValue.init(Font: null, Offset: null, Prefix: Some($"{parameterName} = "), Suffix: null, Visible: Some(true), XAnchor: null)),
            Font: null, Len: null, LenMode: null, MinorTickLen: null, Name: null,
            Padding: Some(Padding.init(B: null, L: null, R: null, T: Some(140))),   // below the rotated line labels and the axis title
            Steps: Some<IEnumerable<Plotly.NET.LayoutObjects.SliderStep>>(steps),
            TemplateItemName: null, TickColor: null, TickLen: null, TickWidth: null, Transition: null, Visible: null,
            X: null, XAnchor: null, Y: null, YAnchor: null);
        var titled = Titled(Overlaid(chart), StepTitle(points[active]), "line (branch index and buses)", "occupancy |f| / F (%)", 1100, 640)
            .WithYAxisStyle<double, double, string>(MinMax: Tuple.Create(0.0, top));
        return Plotly.NET.Chart.withSlider(slider, null).Invoke(titled);
    }

    /// <summary>
    /// The auction's aggregate supply (sellers' offers) and demand (buyers' bids) against price, with the clearing price:
    /// supply S(p) = Σ clamp((p − π)/a, 0, V), demand D(p) = Σ clamp((λ − p)/b, 0, V), evaluated at every breakpoint.
    /// </summary>
    public static GenericChart AuctionCurves(IReadOnlyList<Markets.P2P.Peer> peers, double? clearingPriceEurPerMwh, string title)
    {
        var prices = peers.SelectMany(p => p.Role == Markets.P2P.PeerRole.Seller
                ? new[] { p.LinearCostEurPerMwh, p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * p.MaxVolumeMw }
                : new[] { p.LinearCostEurPerMwh, p.LinearCostEurPerMwh - p.QuadraticCostEurPerMw2h * p.MaxVolumeMw })
            .Concat(clearingPriceEurPerMwh is double c ? [c] : []).Distinct().Order().ToArray();
        double Total(Markets.P2P.PeerRole role, double price) => peers.Where(p => p.Role == role).Sum(p => Markets.Auction.DoubleAuction.Response(p, price));
        var supply = prices.Select(p => Total(Markets.P2P.PeerRole.Seller, p)).ToArray();
        var demand = prices.Select(p => Total(Markets.P2P.PeerRole.Buyer, p)).ToArray();
        var traces = new List<GenericChart>
        {
            CSharpChart.Line<double, double, string>(supply, prices, Name: "supply (sellers)", LineColor: Color.fromString(Blue)),
            CSharpChart.Line<double, double, string>(demand, prices, Name: "demand (buyers)", LineColor: Color.fromString(Orange)),
        };
        if (clearingPriceEurPerMwh is double price)
        {
            double volume = Total(Markets.P2P.PeerRole.Seller, price);
            traces.Add(CSharpChart.Point<double, double, string>([volume], [price], Name: $"clearing: {price.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} EUR/MWh", MarkerColor: Color.fromString(Red)));
        }
        return Titled(CSharpChart.Combine(traces), title, "volume (MW)", "price (EUR/MWh)", 800, 450);
    }

    /// <summary>Nodal prices per bus along the feeder (€/MWh), the network-aware auction's price map as a profile.</summary>
    public static GenericChart NodalPrices(StudyFeeder feeder, IReadOnlyList<double> nodalPricesEurPerMwh, double? uniformPriceEurPerMwh, string title)
    {
        var buses = feeder.Network.Buses.Select(b => b.Number).ToArray();
        var traces = new List<GenericChart>
        {
            CSharpChart.Point<int, double, string>(buses, feeder.Network.Buses.Select(b => nodalPricesEurPerMwh[b.Index]), Name: "nodal price", MarkerColor: Color.fromString(Blue)),
        };
        if (uniformPriceEurPerMwh is double u)
            traces.Add(CSharpChart.Line<int, double, string>(buses, buses.Select(_ => u), Name: "CM1 single price", LineColor: Color.fromString(Grey)));
        return Titled(CSharpChart.Combine(traces), title, "bus number", "nodal price (EUR/MWh)", 900, 400);
    }

    /// <summary>
    /// The feeder schematic (as <see cref="FeederDiagram"/>) with every bus coloured by its nodal price (€/MWh, colour
    /// scale from low to high, value on hover) and the lines at their limit after the auction drawn red.
    /// </summary>
    public static GenericChart NodalPriceMap(StudyFeeder feeder, GridCheckResult check, IReadOnlyList<double> nodalPricesEurPerMwh, IReadOnlyList<double> lineDualEurPerMwh, string title)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var layout = FeederLayout.Compute(feeder.Network);
        var binding = check.Lines.Select((l, i) => (l, i)).Where(t => Math.Abs(lineDualEurPerMwh[t.i]) > 1e-9).Select(t => t.l).ToArray();
        var others = check.Lines.Where(l => !binding.Contains(l)).ToArray();
        var buses = feeder.Network.Buses.ToArray();
        var prices = buses.Select(b => nodalPricesEurPerMwh[b.Index]).ToArray();
        double lo = prices.Min(), hi = prices.Max();
        var chart = CSharpChart.Combine(new[]
        {
            FeederSegments(layout, others, "line", Grey, 2),
            FeederSegments(layout, binding, "line at its limit (dual ≠ 0)", Red, 5),
            CSharpChart.Point<double, double, string>(buses.Select(b => layout[b.Number].X), buses.Select(b => layout[b.Number].Y),
                Name: string.Format(ci, "bus: nodal price {0:F2} (dark) … {1:F2} (light) EUR/MWh", lo, hi),
                MultiText: buses.Select(b => string.Format(ci, "bus {0}: {1:F2} EUR/MWh", b.Number, nodalPricesEurPerMwh[b.Index])).ToArray(),
                MarkerColor: Color.fromColorScaleValues(prices), MarkerColorScale: StyleParam.Colorscale.Viridis),
        });
        return Schematic(Titled(chart, title, "", "", 1100, 420), layout);
    }

    /// <summary>CM5: per congested area the DSO's requirement and the capacity delivered (MW), with the area's capacity
    /// price in the legend text of the delivered bars.</summary>
    public static GenericChart CapacityByArea(IReadOnlyList<string> areas, IReadOnlyList<double> requirementMw, IReadOnlyList<double> deliveredMw,
        IReadOnlyList<double> priceEurPerMwh, string title)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(requirementMw, Keys: areas.ToArray(), Name: "DSO requirement", MarkerColor: Color.fromString(Grey)),
            CSharpChart.Column<double, string, string>(deliveredMw, Keys: areas.ToArray(), Name: "capacity delivered", MarkerColor: Color.fromString(Blue),
                MultiText: priceEurPerMwh.Select(p => string.Format(ci, "{0:F2} EUR/MWh", p)).ToArray()),
        });
        return Titled(chart, title, "congested area (its line)", "capacity (MW)", 700, 400);
    }

    /// <summary>
    /// Total cost to the DSO against traded volume, one point per model (scenario), named in the legend, for comparing market
    /// designs. Models whose total is unknown (the LFM did not clear) are left out and named in the subtitle.
    /// </summary>
    public static GenericChart DsoCostVersusVolume(IReadOnlyList<ScenarioKpis> models, string title)
    {
        var known = models.Where(k => k.Dso.TotalEur is not null).ToArray();
        var unknown = models.Where(k => k.Dso.TotalEur is null).Select(k => k.Name).ToArray();
        // One trace per model, named in the legend: models that land on (nearly) the same point would otherwise have
        // overlapping text labels that no one can read.
        var chart = CSharpChart.Combine(known.Select(k => CSharpChart.Point<double, double, string>(new[] { k.P2PVolumeMw }, new[] { k.Dso.TotalEur!.Value },
            Name: $"{k.Name} ({k.MarketDesign})", MarkerSymbol: StyleParam.MarkerSymbol.Circle)).ToArray());
        string full = unknown.Length == 0 ? title : $"{title}<br><sub>not shown (LFM infeasible, total unknown): {string.Join(", ", unknown)}</sub>";
        return Titled(chart, full, "traded volume among peers (MW over the interval; CM5: capacity delivered)", "total cost to the DSO (EUR)", 900, 500);
    }

    /// <summary>What the DSO pays per model, one bar per component side by side (€): LFM, incentives paid net of
    /// penalties, capacity payments.</summary>
    public static GenericChart DsoCostBreakdown(IReadOnlyList<ScenarioKpis> models, string title)
    {
        var names = models.Select(k => k.Name).ToArray();
        var chart = CSharpChart.Combine(new[]
        {
            CSharpChart.Column<double, string, string>(models.Select(k => k.Dso.LfmCostEur ?? 0), Keys: names, Name: "LFM activation", MarkerColor: Color.fromString(Blue)),
            CSharpChart.Column<double, string, string>(models.Select(k => k.Dso.IncentivesPaidEur - k.Dso.PenaltiesReceivedEur), Keys: names, Name: "incentives paid − penalties received", MarkerColor: Color.fromString(Orange)),
            CSharpChart.Column<double, string, string>(models.Select(k => k.Dso.CapacityPaymentsEur), Keys: names, Name: "capacity payments", MarkerColor: Color.fromString(Grey)),
        });
        return Titled(chart, title, "model (scenario)", "cost to the DSO (EUR)", 900, 450);
    }

    private static Microsoft.FSharp.Core.FSharpOption<T> Some<T>(T value) => Microsoft.FSharp.Core.FSharpOption<T>.Some(value);

    /// <summary>
    /// What the DSO pays as one parameter varies: its total (LFM + incentives paid − penalties received + capacity
    /// payments) and each part, € (a point where the LFM did not clear has no total and no LFM cost: a gap), with the
    /// least total marked and named in the legend. The parts show why a cheaper LFM need not be a cheaper DSO.
    /// </summary>
    public static GenericChart DsoCostSweep(IReadOnlyList<SweepPoint> points, DsoTotalMinimum? least, string parameterName, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var x = points.Select(p => p.Value).ToArray();
        GenericChart Line(Func<DsoCostKpis, double?> part, string name, string color, bool dashed = false) =>
            CSharpChart.Line<double, double, string>(x, points.Select(p => part(p.Kpis.Dso) ?? double.NaN), Name: name, ShowMarkers: true,
                LineColor: Color.fromString(color), LineDash: dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid);
        var traces = new List<GenericChart>
        {
            Line(d => d.TotalEur, "DSO total", Red),
            Line(d => d.LfmCostEur, "LFM activation", Blue, dashed: true),
            Line(d => d.IncentivesPaidEur, "incentives paid", Orange, dashed: true),
            Line(d => d.PenaltiesReceivedEur, "penalties received (subtracted)", Grey, dashed: true),
        };
        if (points.Any(p => p.Kpis.Dso.CapacityPaymentsEur != 0)) traces.Add(Line(d => d.CapacityPaymentsEur, "capacity payments", "#2ca02c", dashed: true));
        if (least is not null)
        {
            // A star larger than the total's own markers, which it sits on.
            var star = new Plotly.NET.TraceObjects.Marker();
            star.SetProperty("size", 18);
            star.SetProperty("symbol", "star");
            star.SetProperty("color", Red);
            traces.Add(CSharpChart.Point<double, double, string>(least.Values, least.Values.Select(_ => least.Dso.TotalEur!.Value),
                Name: string.Create(ci, $"least total: {least.Parameter} = {string.Join(", ", least.Values.Select(v => v.ToString("0.###", ci)))}, {least.Dso.TotalEur:F2} EUR"),
                Marker: star));
        }
        return Titled(CSharpChart.Combine(traces), title, parameterName, "cost to the DSO (EUR)", 800, 450);
    }

    /// <summary>KPIs of a scenario as one parameter varies (e.g. the incentive weight W).</summary>
    public static GenericChart KpiSweep(IReadOnlyList<double> parameter, IReadOnlyList<double> values, string parameterName, string kpiName, string title)
    {
        var chart = CSharpChart.Line<double, double, string>(parameter, values, Name: kpiName, ShowMarkers: true, LineColor: Color.fromString(Blue));
        return Titled(chart, title, parameterName, kpiName, 700, 400);
    }
}

/// <summary>
/// Coordinates of the buses of a radial feeder for a one-line diagram: x = number of lines from the substation (the
/// slack); y = 0 for the trunk and −k for the k-th row below it. A chain of buses (each bus continued by its first
/// child, in case-file order) keeps one row; every further child starts a lateral on a row of its own, connected to its
/// parent by a slanted line. Laterals are placed depth-first, those branching furthest out first, each on the highest
/// row below its parent that is free where it runs and where its connecting line crosses the rows between, so no two
/// lines cross (on a feeder where no free row exists, the lateral goes to a new row at the bottom). Buses not reached from
/// the slack (an island) sit on a row below all others.
/// </summary>
public static class FeederLayout
{
    private const double BusHalfWidth = 0.35, CrossingHalfWidth = 0.2;

    public static IReadOnlyDictionary<int, (double X, double Y)> Compute(GridNetwork network)
    {
        // The tree from the slack over in-service branches, children in case-file order, whatever a branch's direction.
        var neighbours = network.Buses.ToDictionary(b => b.Number, _ => new List<(int CaseIndex, int Bus)>());
        foreach (var br in network.Branches)
        {
            neighbours[br.FromBus].Add((br.CaseIndex, br.ToBus));
            neighbours[br.ToBus].Add((br.CaseIndex, br.FromBus));
        }
        int slack = network.Buses[network.SlackIndex].Number;
        var children = new Dictionary<int, List<int>>();
        var seen = new HashSet<int> { slack };
        var queue = new Queue<int>([slack]);
        while (queue.Count > 0)
        {
            int bus = queue.Dequeue();
            children[bus] = [];
            foreach (var (_, next) in neighbours[bus].OrderBy(n => n.CaseIndex))
                if (seen.Add(next))
                {
                    children[bus].Add(next);
                    queue.Enqueue(next);
                }
        }

        var positions = new Dictionary<int, (double, double)>();
        var rows = new List<List<(double Lo, double Hi)>>();
        List<(double, double)> Row(int k)
        {
            while (rows.Count <= k) rows.Add([]);
            return rows[k];
        }
        bool Free(int k, double lo, double hi) => k >= rows.Count || rows[k].All(i => hi <= i.Lo || lo >= i.Hi);

        // Places the chain starting at bus `start` (depth `depth`) on row `row`, then its laterals.
        void PlaceChain(int start, int depth, int row)
        {
            var laterals = new List<(int Parent, int ParentDepth, int Child)>();
            int bus = start, d = depth;
            while (true)
            {
                positions[bus] = (d, -row);
                var kids = children[bus];
                for (int k = 1; k < kids.Count; k++) laterals.Add((bus, d, kids[k]));
                if (kids.Count == 0) break;
                bus = kids[0];
                d++;
            }
            Row(row).Add((depth - BusHalfWidth, d + BusHalfWidth));
            // Furthest out first: its row is nearest, and the connectors of laterals further in pass to its left.
            for (int i = laterals.Count - 1; i >= 0; i--)
            {
                var (_, pd, child) = laterals[i];
                int end = pd + 1 + ChainLength(child) - 1;
                int target = -1;
                for (int r = row + 1; r <= rows.Count + 1 && target < 0; r++)
                {
                    if (!Free(r, pd + 1 - BusHalfWidth, end + BusHalfWidth)) continue;
                    bool clear = true;
                    for (int k = row + 1; k < r && clear; k++)
                    {
                        double x = pd + (double)(k - row) / (r - row);
                        clear = Free(k, x - CrossingHalfWidth, x + CrossingHalfWidth);
                    }
                    if (clear) target = r;
                }
                if (target < 0) target = rows.Count;   // no crossing-free row: a new one at the bottom
                for (int k = row + 1; k < target; k++)
                {
                    double x = pd + (double)(k - row) / (target - row);
                    Row(k).Add((x - CrossingHalfWidth, x + CrossingHalfWidth));
                }
                PlaceChain(child, pd + 1, target);
            }
        }

        int ChainLength(int start)
        {
            int n = 1;
            for (int bus = start; children[bus].Count > 0; bus = children[bus][0]) n++;
            return n;
        }

        PlaceChain(slack, 0, 0);
        int islandRow = rows.Count;
        int islandX = 0;
        foreach (var b in network.Buses) if (!positions.ContainsKey(b.Number)) positions[b.Number] = (islandX++, -islandRow);
        return positions;
    }
}
