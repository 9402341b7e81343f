using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PFlex.Display;

/// <summary>
/// A length on paper, in centimetres. Parsed from <c>8.8cm</c>, <c>88mm</c>, <c>3.5in</c>, <c>250pt</c>, <c>1100px</c>
/// (CSS pixels, 1/96 inch) or a bare whole number (CSS pixels, as <c>--width</c> took before it took units), and the
/// words <c>column</c> (<see cref="Column"/>) and <c>full</c> (<see cref="Full"/>).
/// </summary>
public readonly record struct PrintLength(double Cm)
{
    /// <summary>One journal column: 8.8 cm (IEEE 3.5 in = 8.89 cm, Elsevier 9 cm, Springer 8.4 cm).</summary>
    public static PrintLength Column { get; } = new(8.8);

    /// <summary>The full text width of a two-column journal page: 17.8 cm (IEEE 7.16 in = 18.2 cm, Elsevier 19 cm, Springer 17.4 cm).</summary>
    public static PrintLength Full { get; } = new(17.8);

    /// <summary>CSS pixels per inch: plotly.js lays a chart out in CSS pixels, 1 px = 1/96 in = 0.75 pt.</summary>
    public const double CssPxPerInch = 96;

    public double Inches => Cm / 2.54;

    /// <summary>The length in CSS pixels (not rounded).</summary>
    public double CssPx => Inches * CssPxPerInch;

    /// <summary>Pixels of a raster image of this length at <paramref name="dpi"/> dots per inch, rounded to the nearest.</summary>
    public int Pixels(double dpi) => (int)Math.Round(Inches * dpi, MidpointRounding.AwayFromZero);

    public static PrintLength FromCssPx(double px) => new(px / CssPxPerInch * 2.54);

    /// <summary>Shortest and longest length accepted: 2 cm and 2 m.</summary>
    public const double MinCm = 2, MaxCm = 200;

    /// <summary>Parses a length (see the type); throws <see cref="FormatException"/> naming the text and what is accepted.</summary>
    public static PrintLength Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "column") return Column;
        if (t == "full") return Full;
        var m = Regex.Match(t, @"^(?<v>\d+(\.\d+)?)\s*(?<u>cm|mm|in|pt|px)?$");
        if (!m.Success)
            throw new FormatException($"'{text}' is not a length: give a number and a unit (8.8cm, 88mm, 3.5in, 250pt, 1100px) or 'column' (8.8 cm) or 'full' (17.8 cm)");
        double v = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        string unit = m.Groups["u"].Value;
        if (unit == "" && m.Groups["v"].Value.Contains('.'))
            throw new FormatException($"'{text}' has no unit: give one (8.8cm, 88mm, 3.5in, 250pt, 1100px); a bare whole number is CSS pixels");
        var length = unit switch
        {
            "cm" => new PrintLength(v),
            "mm" => new PrintLength(v / 10),
            "in" => new PrintLength(v * 2.54),
            "pt" => new PrintLength(v / 72 * 2.54),
            _ => FromCssPx(v),
        };
        if (!(length.Cm >= MinCm && length.Cm <= MaxCm))
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is {length.Cm:0.##} cm; a figure is {MinCm:0}–{MaxCm:0} cm"));
        return length;
    }

    public override string ToString() => Cm.ToString("0.###", CultureInfo.InvariantCulture) + " cm";
}

/// <summary>
/// The printed size asked for a figure. A null width takes <see cref="PrintLength.Full"/> for a chart designed wider than
/// <see cref="PrintLayout.FullWidthFromPx"/> CSS pixels (occupancy per line, the feeder) and <see cref="PrintLength.Column"/>
/// for the others; a null height keeps the chart's own aspect ratio (plus the rows of a legend laid out below it).
/// </summary>
/// <param name="Width">Printed width; null for the chart's default (column or full).</param>
/// <param name="Height">Printed height; null for the chart's aspect ratio.</param>
/// <param name="Dpi">Dots per inch of PNG files (written into the file's pHYs chunk); SVG and PDF are vector.</param>
public sealed record PrintSize(PrintLength? Width = null, PrintLength? Height = null, double Dpi = PrintSize.DefaultDpi)
{
    /// <summary>300 dpi: the resolution journals ask for line art with text in it is 300–600.</summary>
    public const double DefaultDpi = 300;

    public const double MinDpi = 50, MaxDpi = 2400;

    public void Validate()
    {
        if (!(Dpi >= MinDpi && Dpi <= MaxDpi)) throw new ArgumentOutOfRangeException(nameof(Dpi), Dpi, $"dpi must be {MinDpi}–{MaxDpi}");
        if (Width is { } w && !(w.Cm >= PrintLength.MinCm && w.Cm <= PrintLength.MaxCm)) throw new ArgumentOutOfRangeException(nameof(Width), w.Cm, "width must be 2–200 cm");
        if (Height is { } h && !(h.Cm >= PrintLength.MinCm && h.Cm <= PrintLength.MaxCm)) throw new ArgumentOutOfRangeException(nameof(Height), h.Cm, "height must be 2–200 cm");
    }
}

/// <summary>A figure laid out for print: the plotly figure to draw and its size on paper and in CSS pixels.</summary>
/// <param name="Figure">The figure JSON (<c>data</c>, <c>layout</c>), laid out at <paramref name="WidthCssPx"/> × <paramref name="HeightCssPx"/>.</param>
/// <param name="Width">Printed width.</param>
/// <param name="Height">Printed height.</param>
/// <param name="WidthCssPx">Layout width in CSS pixels (the printed width at 96 per inch, rounded).</param>
/// <param name="HeightCssPx">Layout height in CSS pixels.</param>
/// <param name="Dpi">Dots per inch of a raster image.</param>
public sealed record PrintedFigure(JsonObject Figure, PrintLength Width, PrintLength Height, int WidthCssPx, int HeightCssPx, double Dpi)
{
    /// <summary>Raster width: width (in) × dpi, rounded.</summary>
    public int PixelWidth => Width.Pixels(Dpi);

    /// <summary>Raster height: height (in) × dpi, rounded.</summary>
    public int PixelHeight => Height.Pixels(Dpi);
}

/// <summary>
/// Lays a chart out for paper. The chart is drawn at its printed size in CSS pixels (1 px = 1/96 in = 0.75 pt), so a
/// font of s px prints at 0.75·s pt whatever the figure's size; every font is then set relative to the print base size
/// (<see cref="BaseFontPt"/>: a 12 px screen font prints at 8.25 pt, the title at 10.5 pt) and never below
/// <see cref="MinFontPt"/>, also for subscripts (plotly draws <c>&lt;sub&gt;</c> at 70 %). Margins shrink to what the
/// tick labels and axis titles need (<c>automargin</c>), long titles wrap to the width, and a legend of two or more
/// entries goes below the plot, horizontally, where it takes the width instead of a third of a narrow column.
/// The chart's data are not changed; a figure of <c>p2pflex figures</c> is the notebook's chart on paper.
/// </summary>
public static class PrintLayout
{
    /// <summary>The smallest type at print size (journals: 6–8 pt; 7 pt is the usual floor).</summary>
    public const double MinFontPt = 7;

    /// <summary>Tick labels, legend and annotations (a 12 px screen font, plotly's default).</summary>
    public const double BaseFontPt = 8.25;

    /// <summary>The title; its <c>&lt;sub&gt;</c> line (70 %) prints at 7.35 pt.</summary>
    public const double TitleFontPt = 10.5;

    /// <summary>Charts designed at least this wide (CSS px) print at full width by default, the others in one column.</summary>
    public const int FullWidthFromPx = 900;

    /// <summary>Least default height (CSS px, 5.6 cm) of a figure without its extra title lines and legend rows.</summary>
    public const double MinHeightPx = 210;

    /// <summary>plotly.js draws <c>&lt;sub&gt;</c> and <c>&lt;sup&gt;</c> at this fraction of the text's font size.</summary>
    public const double SubscriptScale = 0.7;

    private const double ScreenBaseFontPx = 12;   // plotly's default font size, the charts' design size
    private const int DesignWidthPx = 700, DesignHeightPx = 500;   // plotly's defaults for a chart that sets none

    private static double PxOfPt(double pt) => pt / 72 * PrintLength.CssPxPerInch;

    /// <summary>
    /// The figure (<c>GenericChart.toFigureJson</c>; not modified) laid out for <paramref name="size"/>.
    /// </summary>
    public static PrintedFigure Apply(JsonObject figure, PrintSize size)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(size);
        size.Validate();
        var result = (JsonObject)figure.DeepClone();
        if (result["layout"] is not JsonObject layout) result["layout"] = layout = new JsonObject();
        int designW = IntOf(layout["width"]) ?? DesignWidthPx, designH = IntOf(layout["height"]) ?? DesignHeightPx;
        var width = size.Width ?? (designW >= FullWidthFromPx ? PrintLength.Full : PrintLength.Column);
        int widthPx = (int)Math.Round(width.CssPx);

        // The layout's size is whole CSS pixels, up to 0.5 px more than the printed size (0.7 % of a 2 cm figure), which
        // prints everything that much smaller: the floor is 2 % above 7 pt so that no font prints below it.
        double basePx = PxOfPt(BaseFontPt), titlePx = PxOfPt(TitleFontPt), minPx = PxOfPt(MinFontPt) * 1.02;
        ScaleFonts(result, basePx / ScreenBaseFontPx, minPx);
        var font = layout["font"] as JsonObject ?? new JsonObject();
        font["size"] = Math.Max(basePx, SizeOf(font) ?? 0);
        layout["font"] = font;

        // Title: the print size, wrapped to the width, in a top margin that holds its lines.
        int titleLines = 0;
        if (TitleText(layout) is { Length: > 0 } title)
        {
            var t = layout["title"] as JsonObject ?? new JsonObject();
            var tf = t["font"] as JsonObject ?? new JsonObject();
            double px = Math.Max(titlePx, SizeOf(tf) ?? 0);
            if (HasScript(title)) px = Math.Max(px, minPx / SubscriptScale);
            tf["size"] = px;
            t["font"] = tf;
            int chars = Math.Max(20, (int)((widthPx - 16) / (px * 0.52)));
            var lines = Wrap(title, chars);
            t["text"] = string.Join("<br>", lines);
            titleLines = lines.Count;
            layout["title"] = t;
        }
        double lineHeight = titlePx * 1.3;
        layout["margin"] = new JsonObject
        {
            ["l"] = 6,
            ["r"] = 14,
            ["b"] = 6,
            ["t"] = titleLines == 0 ? 10 : (int)Math.Ceiling(10 + titleLines * lineHeight),
            ["pad"] = 0,
        };
        foreach (var (key, node) in layout.ToArray())
            if (Regex.IsMatch(key, @"^[xy]axis\d*$") && node is JsonObject axis) axis["automargin"] = true;

        // Legend: below the plot, horizontal, at the bottom of the figure (plotly pushes the bottom margin up for it).
        var names = LegendNames(result);
        int legendRows = 0;
        if (names.Count >= 2 && !(layout["showlegend"] is JsonValue sl && sl.TryGetValue<bool>(out var show) && !show))
        {
            var legend = layout["legend"] as JsonObject ?? new JsonObject();
            legend["orientation"] = "h";
            legend["x"] = 0;
            legend["xanchor"] = "left";
            legend["xref"] = "container";
            legend["y"] = 0;
            legend["yanchor"] = "bottom";
            legend["yref"] = "container";
            legend.Remove("traceorder");
            layout["legend"] = legend;
            double legendFont = SizeOf(legend["font"] as JsonObject) ?? basePx;
            if (names.Any(HasScript)) legend["font"] = new JsonObject { ["size"] = legendFont = Math.Max(legendFont, minPx / SubscriptScale) };
            // plotly.js sets a horizontal legend that does not fit one row in columns as wide as its widest entry: its
            // symbol (40 px) and its text (about 0.55 em per character).
            double widest = names.Max(n => 46 + PlainText(n).Length * legendFont * 0.55);
            double oneRow = names.Sum(n => 46 + PlainText(n).Length * legendFont * 0.55);
            int columns = oneRow <= widthPx - 10 ? names.Count : Math.Max(1, (int)((widthPx - 10) / widest));
            legendRows = (names.Count + columns - 1) / columns;
        }

        // The chart's aspect ratio, but at least MinHeightPx: type does not shrink with the figure, so a narrow figure
        // needs relatively more height for its title, tick labels and axis titles.
        var height = size.Height ?? PrintLength.FromCssPx(
            Math.Max(width.CssPx * designH / designW, MinHeightPx) + (titleLines > 1 ? (titleLines - 1) * lineHeight : 0) + legendRows * basePx * 1.6);
        int heightPx = (int)Math.Round(height.CssPx);
        layout["width"] = widthPx;
        layout["height"] = heightPx;
        layout["autosize"] = false;
        return new PrintedFigure(result, width, height, widthPx, heightPx, size.Dpi);
    }

    /// <summary>Every font size of the figure (any <c>…font</c> object's <c>size</c>, a number or one per point) times
    /// <paramref name="factor"/>, at least <paramref name="minPx"/>.</summary>
    private static void ScaleFonts(JsonNode? node, double factor, double minPx)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToArray())
                {
                    if (key.EndsWith("font", StringComparison.OrdinalIgnoreCase) && child is JsonObject f && f["size"] is { } s)
                        f["size"] = s switch
                        {
                            JsonArray a => new JsonArray(a.Select(x => (JsonNode?)Scaled(x)).ToArray()),
                            _ => Scaled(s),
                        };
                    ScaleFonts(child, factor, minPx);
                }
                break;
            case JsonArray a:
                foreach (var child in a) ScaleFonts(child, factor, minPx);
                break;
        }

        JsonNode? Scaled(JsonNode? n) => Number(n) is double d ? JsonValue.Create(Math.Max(minPx, d * factor)) : n?.DeepClone();
    }

    private static List<string> LegendNames(JsonObject figure) =>
        (figure["data"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(t => t["showlegend"] is not JsonValue v || !v.TryGetValue<bool>(out var show) || show)
            .Select(t => t["name"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : null)
            .Where(n => !string.IsNullOrEmpty(n))
            .Distinct()
            .ToList()!;

    private static string? TitleText(JsonObject layout) =>
        layout["title"] is JsonObject o ? (o["text"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : null)
        : layout["title"] is JsonValue sv && sv.TryGetValue<string>(out var s) ? s : null;

    private static bool HasScript(string text) => Regex.IsMatch(text, "<su[bp]>", RegexOptions.IgnoreCase);

    private static string PlainText(string text) => Regex.Replace(text, "<[^>]+>", "");

    /// <summary>Splits at <c>&lt;br&gt;</c>, then wraps each part at spaces to <paramref name="chars"/> (a part with markup is kept whole).</summary>
    internal static List<string> Wrap(string text, int chars)
    {
        var lines = new List<string>();
        foreach (string part in Regex.Split(text, "<br\\s*/?>", RegexOptions.IgnoreCase))
        {
            if (PlainText(part).Length <= chars || part.Contains('<')) { lines.Add(part); continue; }
            // The words are broken as a table cell's are (one home for breaking at spaces): a part this long has words.
            lines.AddRange(Scenarios.TextTable.Wrap(part, chars));
        }
        return lines;
    }

    private static double? SizeOf(JsonObject? font) => Number(font?["size"]) is double d && d > 0 ? d : null;

    private static int? IntOf(JsonNode? n) => Number(n) is double d && d > 0 ? (int)Math.Round(d) : null;

    /// <summary>A JSON number as a double, whatever .NET type holds it (an int set in code, a parsed element); else null.</summary>
    private static double? Number(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
